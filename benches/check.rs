//! Load and check a large config in-process (target: well under 1 ms).

use criterion::{Criterion, criterion_group, criterion_main};
use ocaudit::audit::{self, AuditOptions};
use ocaudit::rules::CheckOptions;
use ocaudit::schema::{self, Table};

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
    // The schema's share of `check` (issue 5: it must stay within 10%):
    // the same check with the schema rules deselected (no schema walk;
    // the version inference still runs, since every report carries
    // `oc_version`), and the two schema stages alone on the loaded file.
    // Schema cost = (check - schema rules off) + resolve.
    let schema_off = AuditOptions {
        check: CheckOptions {
            select: Vec::new(),
            ignore: ["X004", "X006", "X007", "X008", "X009"]
                .map(String::from)
                .to_vec(),
        },
        ..AuditOptions::default()
    };
    c.bench_function("check corpus-sized, schema rules off", |b| {
        b.iter(|| audit::audit_bytes("config.plist", corpus_sized.clone(), &schema_off))
    });
    if let Ok(loaded) = audit::load("config.plist", corpus_sized.clone()) {
        let root = &loaded.doc.root;
        c.bench_function("schema resolve corpus-sized (inference)", |b| {
            b.iter(|| schema::resolve(root, None, None))
        });
        let target = schema::resolve(root, None, None).target;
        c.bench_function("schema check corpus-sized (target release)", |b| {
            b.iter(|| schema::check(Table::get(), root, target).len())
        });
    }
    // Issue 16 item 2: 10,000 duplicate keys on one line, checked and
    // rendered in human format (88 s before frames were cut to a window).
    let keys = "<key>Dup</key><string>x</string>".repeat(10_000);
    let one_line = format!(
        "<?xml version=\"1.0\"?>\n<plist version=\"1.0\">\n<dict>\n\
         <key>Booter</key><dict><key>Quirks</key><dict>{keys}</dict></dict>\n</dict>\n</plist>\n"
    )
    .into_bytes();
    let mut group = c.benchmark_group("one-line");
    group.sample_size(10);
    group.bench_function("check + human, 10,000 duplicate keys on one line", |b| {
        b.iter(|| {
            let r = audit::audit_bytes("config.plist", one_line.clone(), &opts);
            let mut sink = Vec::new();
            ocaudit::cli::render::human::report(std::slice::from_ref(&r), false, &mut sink)
                .map(|()| sink.len())
        })
    });
    group.finish();
    let name = format!("check large ({} KiB)", large.len() / 1024);
    c.bench_function(&name, |b| {
        b.iter(|| audit::audit_bytes("config.plist", large.clone(), &opts))
    });
}

/// The boot-args rules on 100,000 `slide=` tokens (issue 16: they were
/// quadratic, past ten minutes); only the S family runs, so the figure is
/// theirs and the loader's.
fn bench_boot_args(c: &mut Criterion) {
    let mut args = String::from("-v");
    for _ in 0..100_000 {
        args.push_str(" slide=1");
    }
    let text = support::SAMPLE.replacen("<key>boot-args</key>", "<key>boot-args-old</key>", 1);
    let text = text.replacen(
        "<key>boot-args-old</key>",
        &format!("<key>boot-args</key>\n\t\t\t\t<string>{args}</string>\n\t\t\t\t<key>boot-args-old</key>"),
        1,
    );
    let opts = AuditOptions {
        check: CheckOptions {
            select: vec!["S".into()],
            ignore: Vec::new(),
        },
        ..AuditOptions::default()
    };
    let bytes = text.into_bytes();
    let mut group = c.benchmark_group("boot-args");
    group.sample_size(10);
    group.bench_function("S rules, 100,000 slide= tokens", |b| {
        b.iter(|| {
            audit::audit_bytes("config.plist", bytes.clone(), &opts)
                .diagnostics
                .len()
        })
    });
    group.finish();
}

criterion_group!(benches, bench, bench_boot_args);
criterion_main!(benches);
