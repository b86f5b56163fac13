//! Each B1xx rule: a config where it fires, one where it stays silent.

use crate::rules::Severity;
use crate::rules::acpi::tests::{entry, fix_of, found, plist};

/// A Booter/Patch entry with valid Arch, Identifier and bytes, changed by
/// `over` (key, xml).
fn patch(over: &[(&str, &str)]) -> String {
    let mut keys = vec![
        ("Arch", "<string>Any</string>"),
        ("Enabled", "<true/>"),
        ("Find", "<data>Xw==</data>"),
        ("Identifier", "<string>Apple</string>"),
        ("Replace", "<data>WA==</data>"),
    ];
    for (k, v) in over {
        match keys.iter_mut().find(|(q, _)| q == k) {
            Some(slot) => slot.1 = v,
            None => keys.push((k, v)),
        }
    }
    entry(&keys)
}

fn booter(patches: &[String], quirks: &str) -> String {
    plist(&format!(
        "<key>Booter</key>\n<dict>\n<key>Patch</key>\n<array>\n{}</array>\n<key>Quirks</key>\n<dict>\n{quirks}</dict>\n</dict>\n",
        patches.concat()
    ))
}

fn hits(over: &[(&str, &str)], code: &str) -> Vec<(String, Severity)> {
    found(&booter(&[patch(over)], ""), code, Some("1.0.7"))
        .into_iter()
        .map(|(_, p, s)| (p, s))
        .collect()
}

fn at(key: &str, s: Severity) -> Vec<(String, Severity)> {
    vec![(format!("Booter/Patch/0/{key}"), s)]
}

#[test]
fn b101_arch() {
    assert_eq!(
        hits(&[("Arch", "<string>x64</string>")], "B101"),
        at("Arch", Severity::Error)
    );
    assert_eq!(
        hits(&[("Arch", "<string></string>")], "B101"),
        at("Arch", Severity::Info)
    );
    assert_eq!(
        hits(
            &[("Arch", "<string>x64</string>"), ("Enabled", "<false/>")],
            "B101"
        ),
        at("Arch", Severity::Info)
    );
    for ok in ["Any", "i386", "x86_64"] {
        let xml = format!("<string>{ok}</string>");
        assert!(hits(&[("Arch", &xml)], "B101").is_empty(), "{ok}");
    }
}

#[test]
fn b101_fixes_case_only() {
    let text = booter(&[patch(&[("Arch", "<string>X86_64</string>")])], "");
    let fix = fix_of(&text, "B101").expect("a fix for a case difference");
    assert_eq!(fix.applicability, crate::patch::Applicability::Unsafe);
    let fixed = crate::patch::apply(&text, &[&fix]).text;
    assert!(
        fixed.contains("<key>Arch</key><string>x86_64</string>"),
        "{fixed}"
    );
    let text = booter(&[patch(&[("Arch", "<string>x64</string>")])], "");
    assert!(fix_of(&text, "B101").is_none());
}

#[test]
fn b102_identifier() {
    for bad in ["Apple Boot", "apple", "boot", "My Boot.efi"] {
        let xml = format!("<string>{bad}</string>");
        assert_eq!(
            hits(&[("Identifier", &xml)], "B102"),
            at("Identifier", Severity::Warning),
            "{bad}"
        );
    }
    assert_eq!(
        hits(&[("Identifier", "<string></string>")], "B102"),
        at("Identifier", Severity::Info)
    );
    for ok in ["Any", "Apple", "boot.efi", "OpenCore.EFI"] {
        let xml = format!("<string>{ok}</string>");
        assert!(hits(&[("Identifier", &xml)], "B102").is_empty(), "{ok}");
    }
}

/// A rule, keys that make it fire, keys that keep it silent, the key it
/// points at.
type Case<'a> = (
    &'a str,
    &'a [(&'a str, &'a str)],
    &'a [(&'a str, &'a str)],
    &'a str,
);

#[test]
fn b103_to_b107_patch_bytes() {
    let two = "<data>X1E=</data>";
    let ff = "<data>/w==</data>";
    let f0 = "<data>8A==</data>";
    let cases: &[Case] = &[
        ("B103", &[("Replace", two)], &[], "Replace"),
        ("B104", &[("Mask", two)], &[("Mask", ff)], "Mask"),
        (
            "B105",
            &[("Find", ff), ("Replace", ff), ("Mask", f0)],
            &[("Find", f0), ("Replace", ff), ("Mask", f0)],
            "Find",
        ),
        (
            "B106",
            &[("ReplaceMask", two)],
            &[("ReplaceMask", ff)],
            "ReplaceMask",
        ),
        (
            "B107",
            &[("Find", ff), ("Replace", ff), ("ReplaceMask", f0)],
            &[("Find", ff), ("Replace", f0), ("ReplaceMask", f0)],
            "Replace",
        ),
    ];
    for (code, bad, good, key) in cases {
        let sev = if matches!(*code, "B107") {
            Severity::Warning
        } else {
            Severity::Error
        };
        assert_eq!(hits(bad, code), at(key, sev), "{code}");
        assert!(hits(good, code).is_empty(), "{code} on {good:?}");
    }
    // A booter patch may not leave Find empty.
    assert_eq!(
        hits(&[("Find", "<data></data>")], "B103"),
        at("Replace", Severity::Error)
    );
}

fn gpu(value: &str, code: &str, release: &str) -> Vec<&'static str> {
    let q = format!("<key>ResizeAppleGpuBars</key><integer>{value}</integer>\n");
    found(&booter(&[], &q), code, Some(release))
        .into_iter()
        .map(|(c, _, _)| c)
        .collect()
}

#[test]
fn b108_to_b110_resize_apple_gpu_bars() {
    assert_eq!(gpu("11", "B1", "1.0.7"), ["B108"]);
    assert_eq!(gpu("19", "B1", "1.0.7"), ["B108"]);
    assert_eq!(gpu("9", "B1", "1.0.7"), ["B109"]);
    assert_eq!(gpu("10", "B1", "1.0.7"), ["B109"]);
    assert_eq!(gpu("1", "B1", "1.0.7"), ["B110"]);
    assert_eq!(gpu("8", "B1", "1.0.7"), ["B110"]);
    // OpenCore keeps the low byte: 265 reads as 9, 200 as -56 (off).
    assert_eq!(gpu("265", "B1", "1.0.7"), ["B109"]);
    for quiet in ["-1", "0", "200"] {
        assert!(gpu(quiet, "B1", "1.0.7").is_empty(), "{quiet}");
    }
    // The key exists from 0.7.5 on: an older target has no such check.
    assert!(gpu("11", "B1", "0.7.4").is_empty());
    assert_eq!(gpu("11", "B1", "0.7.5"), ["B108"]);
}
