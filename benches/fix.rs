//! `fix` in-process on a large config: the Z390 sample's mistakes plus
//! 2,000 Kernel/Add entries (a config far larger than any real one).

use criterion::{Criterion, criterion_group, criterion_main};
use ocaudit::fixer::{self, FixOptions};

const SAMPLE: &str = include_str!("../sample-configs/z390-kaslr-broken.plist");

/// The sample with a Kernel/Add array of `kexts` entries spliced in before
/// the root dict closes.
fn large_config(kexts: usize) -> String {
    let mut add = String::from("\t<key>Kernel</key>\n\t<dict>\n\t\t<key>Add</key>\n\t\t<array>\n");
    for i in 0..kexts {
        add.push_str(&format!(
            "\t\t\t<dict>\n\t\t\t\t<key>Arch</key>\n\t\t\t\t<string>x86_64</string>\n\t\t\t\t<key>BundlePath</key>\n\t\t\t\t<string>Kext{i}.kext</string>\n\t\t\t\t<key>Comment</key>\n\t\t\t\t<string>generated &amp; numbered {i}</string>\n\t\t\t\t<key>Enabled</key>\n\t\t\t\t<{}/>\n\t\t\t\t<key>ExecutablePath</key>\n\t\t\t\t<string>Contents/MacOS/Kext{i}</string>\n\t\t\t\t<key>MaxKernel</key>\n\t\t\t\t<string></string>\n\t\t\t\t<key>MinKernel</key>\n\t\t\t\t<string>20.0.0</string>\n\t\t\t\t<key>PlistPath</key>\n\t\t\t\t<string>Contents/Info.plist</string>\n\t\t\t</dict>\n",
            i % 7 != 0
        ));
    }
    add.push_str("\t\t</array>\n\t</dict>\n");
    let at = SAMPLE.rfind("</dict>").unwrap_or(SAMPLE.len());
    format!("{}{add}{}", &SAMPLE[..at], &SAMPLE[at..])
}

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
    let typical = large_config(200);
    eprintln!("fix bench: typical-large {} bytes", typical.len());
    c.bench_function("fix_200_kexts_unsafe", |b| {
        b.iter(|| fixer::fix("config.plist", typical.clone().into_bytes(), &opts))
    });
    let sample_opts = FixOptions::default();
    c.bench_function("fix_sample_safe", |b| {
        b.iter(|| fixer::fix("config.plist", SAMPLE.as_bytes().to_vec(), &sample_opts))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
