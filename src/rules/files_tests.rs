//! F001-F003 against EFI folders built in a temporary directory.

use std::path::Path;

use super::*;
use crate::audit::{AuditOptions, audit_bytes};
use crate::rules::{CheckOptions, Diagnostic};

fn touch(oc: &Path, rel: &str) {
    let p = oc.join(rel);
    std::fs::create_dir_all(p.parent().expect("test path has a parent")).expect("mkdir");
    std::fs::write(p, b"x").expect("write");
}

fn config(drivers: &str, kexts: &str, acpi: &str, tools: &str) -> String {
    format!(
        "<plist><dict>\
         <key>UEFI</key><dict><key>Drivers</key><array>{drivers}</array></dict>\
         <key>Kernel</key><dict><key>Add</key><array>{kexts}</array></dict>\
         <key>ACPI</key><dict><key>Add</key><array>{acpi}</array></dict>\
         <key>Misc</key><dict><key>Tools</key><array>{tools}</array></dict>\
         </dict></plist>"
    )
}

fn entry(key: &str, path: &str) -> String {
    format!("<dict><key>{key}</key><string>{path}</string><key>Enabled</key><true/></dict>")
}

fn kext(bundle: &str, exe: &str) -> String {
    format!(
        "<dict><key>BundlePath</key><string>{bundle}</string><key>Enabled</key><true/>\
         <key>ExecutablePath</key><string>{exe}</string>\
         <key>PlistPath</key><string>Contents/Info.plist</string></dict>"
    )
}

fn run(text: &str, oc: Option<&Path>) -> Vec<Diagnostic> {
    let opts = AuditOptions {
        check: CheckOptions {
            select: vec!["F".into()],
            ignore: Vec::new(),
        },
        efi_dir: oc.map(Path::to_owned),
        ..Default::default()
    };
    audit_bytes("config.plist", text.as_bytes().to_vec(), &opts).diagnostics
}

fn codes(diags: &[Diagnostic]) -> Vec<(&'static str, &str)> {
    diags
        .iter()
        .map(|d| (d.rule.code, d.path.as_str()))
        .collect()
}

/// A folder holding everything the standard config names.
fn complete_folder() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().expect("tempdir");
    let oc = dir.path();
    touch(oc, "Drivers/OpenRuntime.efi");
    touch(oc, "Kexts/Lilu.kext/Contents/MacOS/Lilu");
    touch(oc, "Kexts/Lilu.kext/Contents/Info.plist");
    touch(oc, "ACPI/SSDT-PLUG.aml");
    touch(oc, "Tools/OpenShell.efi");
    let text = config(
        &entry("Path", "OpenRuntime.efi"),
        &kext("Lilu.kext", "Contents/MacOS/Lilu"),
        &entry("Path", "SSDT-PLUG.aml"),
        &entry("Path", "OpenShell.efi"),
    );
    (dir, text)
}

#[test]
fn complete_folder_is_clean() {
    let (dir, text) = complete_folder();
    assert_eq!(codes(&run(&text, Some(dir.path()))), vec![]);
}

#[test]
fn silent_without_an_efi_folder() {
    let text = config(&entry("Path", "Nowhere.efi"), "", "", "");
    assert!(run(&text, None).is_empty());
}

#[test]
fn f001_each_missing_item_at_its_path() {
    let (dir, text) = complete_folder();
    let oc = dir.path();
    std::fs::remove_file(oc.join("Drivers/OpenRuntime.efi")).expect("rm");
    std::fs::remove_file(oc.join("Kexts/Lilu.kext/Contents/MacOS/Lilu")).expect("rm");
    std::fs::remove_dir_all(oc.join("Tools")).expect("rm");
    let diags = run(&text, Some(oc));
    assert_eq!(
        codes(&diags),
        vec![
            ("F001", "UEFI/Drivers/0/Path"),
            ("F001", "Kernel/Add/0/ExecutablePath"),
            ("F001", "Misc/Tools/0/Path"),
        ]
    );
    assert!(
        diags[0].message.contains("OpenRuntime.efi"),
        "{}",
        diags[0].message
    );
    // The note says what the folder holds instead (here: nothing).
    assert!(diags[0].notes[0].contains("empty"), "{:?}", diags[0].notes);
    // A missing section folder is named as such.
    assert!(
        diags[2].notes[0].starts_with("`Tools` is not in"),
        "{:?}",
        diags[2].notes
    );
}

#[test]
fn f001_missing_bundle_hides_its_parts() {
    let (dir, _) = complete_folder();
    let text = config("", &kext("Gone.kext", "Contents/MacOS/Gone"), "", "");
    assert_eq!(
        codes(&run(&text, Some(dir.path()))),
        vec![("F001", "Kernel/Add/0/BundlePath")]
    );
}

#[test]
fn f001_ignores_disabled_and_legacy_hash_entries() {
    let (dir, _) = complete_folder();
    let text = config(
        "<string>#Old.efi</string>\
         <dict><key>Path</key><string>Off.efi</string><key>Enabled</key><false/></dict>",
        "",
        "",
        "",
    );
    assert!(run(&text, Some(dir.path())).is_empty());
    // An enabled legacy string is checked, at the string itself.
    let text = config("<string>Old.efi</string>", "", "", "");
    assert_eq!(
        codes(&run(&text, Some(dir.path()))),
        vec![("F001", "UEFI/Drivers/0")]
    );
}

#[test]
fn f003_case_differs_only() {
    let (dir, _) = complete_folder();
    let oc = dir.path();
    touch(oc, "Drivers/openruntime.efi");
    std::fs::remove_file(oc.join("Drivers/OpenRuntime.efi")).expect("rm");
    let text = config(&entry("Path", "OpenRuntime.efi"), "", "", "");
    let diags = run(&text, Some(oc));
    assert_eq!(codes(&diags), vec![("F003", "UEFI/Drivers/0/Path")]);
    let d = &diags[0];
    assert!(
        d.message.ends_with("Drivers/openruntime.efi"),
        "{}",
        d.message
    );
    assert_eq!(d.notes[0], "`OpenRuntime.efi` is `openruntime.efi` on disk");
    assert!(d.notes[1].contains("FAT32"), "{:?}", d.notes);
    assert_eq!(d.severity, Severity::Warning);
}

#[test]
fn f003_case_of_a_kext_folder_and_its_parts() {
    let dir = tempfile::tempdir().expect("tempdir");
    let oc = dir.path();
    touch(oc, "Kexts/lilu.kext/Contents/MacOS/lilu");
    touch(oc, "Kexts/lilu.kext/Contents/Info.plist");
    let text = config("", &kext("Lilu.kext", "Contents/MacOS/Lilu"), "", "");
    let diags = run(&text, Some(oc));
    assert_eq!(
        codes(&diags),
        vec![
            ("F003", "Kernel/Add/0/BundlePath"),
            ("F003", "Kernel/Add/0/ExecutablePath"),
        ]
    );
}

#[test]
fn f002_measures_like_opencore() {
    let (dir, _) = complete_folder();
    // "Drivers\" (8) + name + NUL: a 119-byte name is exactly 128, 120 is over.
    let fits = format!("{}.efi", "a".repeat(115));
    let over = format!("{}.efi", "b".repeat(116));
    assert_eq!(8 + fits.len() + 1, PATH_MAX_OLD);
    let text = config(&(entry("Path", &fits) + &entry("Path", &over)), "", "", "");
    let diags = run(&text, Some(dir.path()));
    let f002: Vec<_> = diags.iter().filter(|d| d.rule.code == "F002").collect();
    assert_eq!(f002.len(), 1, "{diags:?}");
    assert_eq!(f002[0].path, "UEFI/Drivers/1/Path");
    assert_eq!(f002[0].severity, Severity::Warning);
    assert!(f002[0].message.contains("129 bytes"), "{}", f002[0].message);
    assert!(
        f002[0].message.contains("128-byte limit"),
        "{}",
        f002[0].message
    );
}

#[test]
fn f002_kext_parts_and_the_new_limit() {
    let (dir, _) = complete_folder();
    // "Kexts\" (6) + bundle + "\" + exe + NUL.
    let bundle = format!("{}.kext", "k".repeat(60));
    let exe = format!("Contents/MacOS/{}", "e".repeat(120));
    let n = 6 + bundle.len() + 1 + exe.len() + 1;
    assert!(n > PATH_MAX_NEW);
    let text = config("", &kext(&bundle, &exe), "", "");
    let diags = run(&text, Some(dir.path()));
    let f002: Vec<_> = diags.iter().filter(|d| d.rule.code == "F002").collect();
    assert_eq!(f002.len(), 1, "{diags:?}");
    assert_eq!(f002[0].path, "Kernel/Add/0/ExecutablePath");
    assert_eq!(f002[0].severity, Severity::Error);
    assert!(
        f002[0].message.contains(&format!("{n} bytes")),
        "{}",
        f002[0].message
    );
    assert!(
        f002[0].notes[0].contains("BundlePath"),
        "{:?}",
        f002[0].notes
    );
}

#[test]
fn components_split_on_both_separators() {
    assert_eq!(
        components("A.kext\\Contents/./PlugIns//B.kext"),
        vec!["A.kext", "Contents", "PlugIns", "B.kext"]
    );
}

#[test]
fn f002_uses_the_limit_of_a_named_release() {
    let (dir, _) = complete_folder();
    // 129 bytes: over 1.0.5's buffer, within 1.0.6's.
    let path = format!("{}.efi", "b".repeat(116));
    let text = config(&entry("Path", &path), "", "", "");
    let with = |version: &str| {
        let opts = AuditOptions {
            check: CheckOptions {
                select: vec!["F002".into()],
                ignore: Vec::new(),
            },
            efi_dir: Some(dir.path().to_owned()),
            oc_version: Some(version.into()),
            ..Default::default()
        };
        audit_bytes("config.plist", text.as_bytes().to_vec(), &opts).diagnostics
    };
    assert!(with("1.0.6").is_empty());
    assert!(with("1.0.7").is_empty());
    let old = with("1.0.5");
    assert_eq!(old.len(), 1, "{old:?}");
    assert_eq!(old[0].severity, Severity::Error);
    assert!(
        old[0]
            .message
            .contains("129 bytes, over OpenCore 1.0.5's 128-byte limit"),
        "{}",
        old[0].message
    );
}
