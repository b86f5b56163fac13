//! Load and check a large config in-process (target: well under 1 ms).

use criterion::{Criterion, criterion_group, criterion_main};
use ocaudit::audit::{self, AuditOptions};

mod support;

fn bench(c: &mut Criterion) {
    let opts = AuditOptions::default();
    let small = support::SAMPLE.as_bytes().to_vec();
    // About the size of the largest real config in the corpus (88 KiB).
    let corpus_sized = support::large_config(support::CORPUS_SIZED_KEXTS).into_bytes();
    let large = support::large_config(1000).into_bytes();
    let name = format!("check sample ({} KiB)", small.len() / 1024);
    c.bench_function(&name, |b| {
        b.iter(|| audit::audit_bytes("config.plist", small.clone(), &opts))
    });
    let name = format!("check corpus-sized ({} KiB)", corpus_sized.len() / 1024);
    c.bench_function(&name, |b| {
        b.iter(|| audit::audit_bytes("config.plist", corpus_sized.clone(), &opts))
    });
    let name = format!("check large ({} KiB)", large.len() / 1024);
    c.bench_function(&name, |b| {
        b.iter(|| audit::audit_bytes("config.plist", large.clone(), &opts))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
