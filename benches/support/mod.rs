//! The generated configs the benches (and `scripts/bench.sh`, through the
//! `bench_config` example) measure: the broken Z390 sample with a
//! Kernel/Add array of generated kext entries, the part that makes real
//! configs large.

use std::fmt::Write as _;

/// The broken Z390 sample: a complete OpenCore 1.0.7 config with the usual
/// KASLR mistakes.
pub const SAMPLE: &str = include_str!("../../sample-configs/z390-kaslr-broken.plist");

/// Kext entries that make the config about as large as the largest real
/// config in the corpus (87,563 bytes).
pub const CORPUS_SIZED_KEXTS: usize = 156;

/// The sample with `kexts` generated entries in its (empty) Kernel/Add
/// array. Every seventh entry is disabled and every comment holds an
/// entity, as in real configs.
pub fn large_config(kexts: usize) -> String {
    let mut add = String::from("<array>\n");
    for i in 0..kexts {
        let _ = write!(
            add,
            "\t\t\t<dict>\n\t\t\t\t<key>Arch</key>\n\t\t\t\t<string>x86_64</string>\n\t\t\t\t<key>BundlePath</key>\n\t\t\t\t<string>Kext{i}.kext</string>\n\t\t\t\t<key>Comment</key>\n\t\t\t\t<string>generated &amp; numbered {i}</string>\n\t\t\t\t<key>Enabled</key>\n\t\t\t\t<{}/>\n\t\t\t\t<key>ExecutablePath</key>\n\t\t\t\t<string>Contents/MacOS/Kext{i}</string>\n\t\t\t\t<key>MaxKernel</key>\n\t\t\t\t<string></string>\n\t\t\t\t<key>MinKernel</key>\n\t\t\t\t<string>20.0.0</string>\n\t\t\t\t<key>PlistPath</key>\n\t\t\t\t<string>Contents/Info.plist</string>\n\t\t\t</dict>\n",
            i % 7 != 0
        );
    }
    add.push_str("\t\t</array>");
    let kernel = SAMPLE.find("<key>Kernel</key>").unwrap_or(0);
    let empty = "<key>Add</key>\n\t\t<array/>";
    match SAMPLE[kernel..].find(empty) {
        Some(i) => {
            let at = kernel + i + "<key>Add</key>\n\t\t".len();
            format!("{}{add}{}", &SAMPLE[..at], &SAMPLE[at + "<array/>".len()..])
        }
        None => panic!("the sample has no empty Kernel/Add array to fill"),
    }
}
