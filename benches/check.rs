//! Load and check a large config in-process (target: well under 1 ms).

use std::fmt::Write;

use criterion::{Criterion, criterion_group, criterion_main};
use ocaudit::audit::{self, AuditOptions};
use ocaudit::rules::CheckOptions;
use ocaudit::schema::{self, Table};

/// The broken Z390 sample with `n` extra Kernel/Add entries, the size of the
/// largest real configs (about 1,000 kexts and patches).
fn large_config(n: usize) -> String {
    let base = include_str!("../sample-configs/z390-kaslr-broken.plist");
    let mut kexts =
        String::from("\t<key>Kernel</key>\n\t<dict>\n\t\t<key>Add</key>\n\t\t<array>\n");
    for i in 0..n {
        let _ = write!(
            kexts,
            "\t\t\t<dict>\n\t\t\t\t<key>Arch</key>\n\t\t\t\t<string>x86_64</string>\n\t\t\t\t<key>BundlePath</key>\n\t\t\t\t<string>Kext{i}.kext</string>\n\t\t\t\t<key>Comment</key>\n\t\t\t\t<string>entry {i}</string>\n\t\t\t\t<key>Enabled</key>\n\t\t\t\t<true/>\n\t\t\t\t<key>ExecutablePath</key>\n\t\t\t\t<string>Contents/MacOS/Kext{i}</string>\n\t\t\t\t<key>MaxKernel</key>\n\t\t\t\t<string></string>\n\t\t\t\t<key>MinKernel</key>\n\t\t\t\t<string></string>\n\t\t\t\t<key>PlistPath</key>\n\t\t\t\t<string>Contents/Info.plist</string>\n\t\t\t</dict>\n"
        );
    }
    kexts.push_str("\t\t</array>\n\t</dict>\n");
    base.replacen("\t<key>Misc</key>", &format!("{kexts}\t<key>Misc</key>"), 1)
}

fn bench(c: &mut Criterion) {
    let opts = AuditOptions::default();
    let small = include_str!("../sample-configs/z390-kaslr-broken.plist")
        .as_bytes()
        .to_vec();
    // About the size of the largest real config in the corpus (88 KiB).
    let corpus_sized = large_config(180).into_bytes();
    let large = large_config(1000).into_bytes();
    c.bench_function("check sample (4 KiB)", |b| {
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
    let name = format!("check large ({} KiB)", large.len() / 1024);
    c.bench_function(&name, |b| {
        b.iter(|| audit::audit_bytes("config.plist", large.clone(), &opts))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
