//! `fix` in-process on a large config: the Z390 sample's mistakes plus
//! 2,000 Kernel/Add entries (a config far larger than any real one).

use criterion::{Criterion, criterion_group, criterion_main};
use ocaudit::fixer::{self, FixOptions};

mod support;

use support::{SAMPLE, large_config};

fn bench(c: &mut Criterion) {
    let text = large_config(2_000);
    let opts = FixOptions {
        unsafe_fixes: true,
        ..Default::default()
    };
    let probe = fixer::fix("config.plist", text.clone().into_bytes(), &opts);
    let changes = probe.as_ref().map_or(0, |o| o.changes.len());
    assert!(changes > 0, "the generated config has something to fix");
    eprintln!(
        "fix bench: {} bytes, {} lines, {changes} edited elements",
        text.len(),
        text.lines().count()
    );
    c.bench_function("load_2000_kexts", |b| {
        b.iter(|| ocaudit::audit::load("config.plist", text.clone().into_bytes()))
    });
    if let Ok(loaded) = ocaudit::audit::load("config.plist", text.clone().into_bytes()) {
        c.bench_function("rules_2000_kexts", |b| {
            b.iter(|| ocaudit::audit::run_rules(&loaded, None, &opts.audit, None))
        });
    }
    c.bench_function("plist_crate_2000_kexts", |b| {
        b.iter(|| plist::Value::from_reader_xml(text.as_bytes()))
    });
    c.bench_function("fix_2000_kexts_unsafe", |b| {
        b.iter(|| fixer::fix("config.plist", text.clone().into_bytes(), &opts))
    });
    // The "large config": the size of the largest real one.
    let typical = large_config(support::CORPUS_SIZED_KEXTS);
    let name = format!("fix corpus-sized ({} KiB, unsafe)", typical.len() / 1024);
    c.bench_function(&name, |b| {
        b.iter(|| fixer::fix("config.plist", typical.clone().into_bytes(), &opts))
    });
    let sample_opts = FixOptions::default();
    c.bench_function("fix_sample_safe", |b| {
        b.iter(|| fixer::fix("config.plist", SAMPLE.as_bytes().to_vec(), &sample_opts))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
