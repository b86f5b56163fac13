//! Each A rule: a config where it fires, one where it stays silent.

use crate::audit::{self, AuditOptions};
use crate::model::ConfigKind;
use crate::rules::{CheckOptions, Severity};

/// An OpenCore config holding `body` (raw XML keys of the root dict).
pub(in crate::rules) fn plist(body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n{body}</dict>\n</plist>\n"
    )
}

/// One array entry from `(key, xml value)` pairs.
pub(in crate::rules) fn entry(keys: &[(&str, &str)]) -> String {
    let mut s = String::from("<dict>\n");
    for (k, v) in keys {
        s.push_str(&format!("<key>{k}</key>{v}\n"));
    }
    s.push_str("</dict>\n");
    s
}

/// `(code, path, severity)` of every finding of the rules starting with
/// `prefix`, checked against `release` (`None`: inferred).
pub(in crate::rules) fn found(
    text: &str,
    prefix: &str,
    release: Option<&str>,
) -> Vec<(&'static str, String, Severity)> {
    let opts = AuditOptions {
        check: CheckOptions {
            select: vec![prefix.to_owned()],
            ignore: Vec::new(),
        },
        kind: Some(ConfigKind::OpenCore),
        oc_version: release.map(str::to_owned),
        ..Default::default()
    };
    let r = audit::audit_bytes("t.plist", text.as_bytes().to_vec(), &opts);
    r.diagnostics
        .iter()
        .map(|d| (d.rule.code, d.path.clone(), d.severity))
        .collect()
}

/// The fix of the first finding of rule `code` on `text` (checked against
/// 1.0.7), `None` when the rule does not fire or offers none.
pub(in crate::rules) fn fix_of(text: &str, code: &str) -> Option<crate::patch::Fix> {
    let opts = AuditOptions {
        kind: Some(ConfigKind::OpenCore),
        oc_version: Some("1.0.7".into()),
        ..Default::default()
    };
    let r = audit::audit_bytes("t.plist", text.as_bytes().to_vec(), &opts);
    let d = r.diagnostics.iter().find(|d| d.rule.code == code);
    d.unwrap_or_else(|| panic!("{code} fires")).fix.clone()
}

fn acpi(add: &[String], patch: &[String]) -> String {
    plist(&format!(
        "<key>ACPI</key>\n<dict>\n<key>Add</key>\n<array>\n{}</array>\n<key>Patch</key>\n<array>\n{}</array>\n</dict>\n",
        add.concat(),
        patch.concat()
    ))
}

fn table(path: &str, enabled: bool) -> String {
    let on = if enabled { "<true/>" } else { "<false/>" };
    entry(&[
        ("Comment", "<string>t</string>"),
        ("Enabled", on),
        ("Path", &format!("<string>{path}</string>")),
    ])
}

fn add_findings(paths: &[(&str, bool)], code: &str, release: &str) -> Vec<(String, Severity)> {
    let add: Vec<String> = paths.iter().map(|(p, e)| table(p, *e)).collect();
    found(&acpi(&add, &[]), code, Some(release))
        .into_iter()
        .map(|(_, p, s)| (p, s))
        .collect()
}

#[test]
fn a001_path_characters() {
    let hit = add_findings(&[("SSDT EC.aml", true)], "A001", "1.0.7");
    assert_eq!(hit, [("ACPI/Add/0/Path".to_owned(), Severity::Warning)]);
    let silent = add_findings(&[("Sub/SSDT-EC_1.aml", true)], "A001", "1.0.7");
    assert!(silent.is_empty(), "{silent:?}");
}

#[test]
fn a002_suffix_and_disabled_entries_are_info() {
    let hit = add_findings(
        &[("SSDT-EC.dsl", true), ("SSDT-X.txt", false), ("", true)],
        "A002",
        "1.0.7",
    );
    assert_eq!(
        hit,
        [
            ("ACPI/Add/0/Path".to_owned(), Severity::Error),
            ("ACPI/Add/1/Path".to_owned(), Severity::Info),
            ("ACPI/Add/2/Path".to_owned(), Severity::Error),
        ]
    );
    let silent = add_findings(
        &[("SSDT-EC.AML", true), ("DSDT.bin", true)],
        "A002",
        "1.0.7",
    );
    assert!(silent.is_empty(), "{silent:?}");
}

#[test]
fn a003_length_follows_the_release() {
    // `ACPI\` + 186 + NUL = 192 fits 1.0.7; 187 does not.
    let fits = format!("{}.aml", "S".repeat(182));
    let over = format!("{}.aml", "S".repeat(183));
    assert!(add_findings(&[(&fits, true)], "A003", "1.0.7").is_empty());
    assert_eq!(
        add_findings(&[(&over, true), (&over, false)], "A003", "1.0.7"),
        [
            ("ACPI/Add/0/Path".to_owned(), Severity::Error),
            ("ACPI/Add/1/Path".to_owned(), Severity::Info),
        ]
    );
    // 1.0.5's buffer is 128 bytes: `ACPI\` + 122 + NUL = 128 fits, 123 not.
    let old_fits = format!("{}.aml", "S".repeat(118));
    let old_over = format!("{}.aml", "S".repeat(119));
    assert!(add_findings(&[(&old_fits, true)], "A003", "1.0.5").is_empty());
    assert_eq!(
        add_findings(&[(&old_over, true)], "A003", "1.0.5"),
        [("ACPI/Add/0/Path".to_owned(), Severity::Error)]
    );
}

#[test]
fn a004_duplicates_of_enabled_entries_only() {
    let hit = add_findings(
        &[
            ("SSDT-EC.aml", true),
            ("SSDT-PLUG.aml", true),
            ("ssdt-ec.AML", true),
        ],
        "A004",
        "1.0.7",
    );
    assert_eq!(hit, [("ACPI/Add/2/Path".to_owned(), Severity::Warning)]);
    let silent = add_findings(
        &[
            ("SSDT-EC.aml", true),
            ("SSDT-EC.aml", false),
            ("", true),
            ("", true),
        ],
        "A004",
        "1.0.7",
    );
    assert!(silent.is_empty(), "{silent:?}");
}

#[test]
fn a004_fix_disables_the_repeat() {
    let text = acpi(
        &[table("SSDT-EC.aml", true), table("SSDT-EC.aml", true)],
        &[],
    );
    let fix = fix_of(&text, "A004").expect("a fix");
    let fixed = crate::patch::apply(&text, &[&fix]).text;
    let second = fixed.rfind("<key>Enabled</key>").expect("second entry");
    assert!(
        fixed[second..].starts_with("<key>Enabled</key><false/>"),
        "{fixed}"
    );
    assert_eq!(fixed.matches("<true/>").count(), 1);
}

fn patch_entry(keys: &[(&str, &str)]) -> String {
    let mut all = vec![("Enabled", "<true/>")];
    all.extend_from_slice(keys);
    entry(&all)
}

fn patch_findings(keys: &[(&str, &str)], code: &str) -> Vec<String> {
    found(&acpi(&[], &[patch_entry(keys)]), code, Some("1.0.7"))
        .into_iter()
        .map(|(_, p, _)| p)
        .collect()
}

const ONE: &str = "<data>Xw==</data>"; // 5F
const TWO: &str = "<data>X1E=</data>"; // 5F 51
const FF: &str = "<data>/w==</data>";
const F0: &str = "<data>8A==</data>";

#[test]
fn a005_find_and_replace_sizes() {
    assert_eq!(
        patch_findings(&[("Find", ONE), ("Replace", TWO)], "A005"),
        ["ACPI/Patch/0/Replace"]
    );
    assert!(patch_findings(&[("Find", TWO), ("Replace", TWO)], "A005").is_empty());
    // Find may stay empty when Base locates the patch.
    let based = [
        ("Base", "<string>\\_SB.PCI0.LPCB</string>"),
        ("Find", "<data></data>"),
        ("Replace", TWO),
    ];
    assert!(patch_findings(&based, "A005").is_empty());
    // ...but not before the release that introduced Base.
    let r = found(&acpi(&[], &[patch_entry(&based)]), "A005", Some("0.6.0"));
    assert_eq!(r.len(), 1, "{r:?}");
}

#[test]
fn a006_mask_size() {
    assert_eq!(
        patch_findings(&[("Find", ONE), ("Replace", ONE), ("Mask", TWO)], "A006"),
        ["ACPI/Patch/0/Mask"]
    );
    assert!(patch_findings(&[("Find", ONE), ("Replace", ONE), ("Mask", FF)], "A006").is_empty());
}

#[test]
fn a007_find_outside_mask() {
    assert_eq!(
        patch_findings(&[("Find", FF), ("Replace", FF), ("Mask", F0)], "A007"),
        ["ACPI/Patch/0/Find"]
    );
    assert!(patch_findings(&[("Find", F0), ("Replace", FF), ("Mask", F0)], "A007").is_empty());
}

#[test]
fn a008_replace_mask_size() {
    assert_eq!(
        patch_findings(
            &[("Find", ONE), ("Replace", ONE), ("ReplaceMask", TWO)],
            "A008"
        ),
        ["ACPI/Patch/0/ReplaceMask"]
    );
    assert!(
        patch_findings(
            &[("Find", ONE), ("Replace", ONE), ("ReplaceMask", FF)],
            "A008"
        )
        .is_empty()
    );
}

#[test]
fn a009_replace_outside_mask() {
    assert_eq!(
        patch_findings(
            &[("Find", FF), ("Replace", FF), ("ReplaceMask", F0)],
            "A009"
        ),
        ["ACPI/Patch/0/Replace"]
    );
    assert!(
        patch_findings(
            &[("Find", FF), ("Replace", F0), ("ReplaceMask", F0)],
            "A009"
        )
        .is_empty()
    );
}

#[test]
fn clover_configs_get_no_acpi_findings() {
    let text = acpi(&[table("SSDT EC.dsl", true)], &[]);
    let opts = AuditOptions {
        kind: Some(ConfigKind::Clover),
        ..Default::default()
    };
    let r = audit::audit_bytes("t.plist", text.into_bytes(), &opts);
    assert!(!r.diagnostics.iter().any(|d| d.rule.code.starts_with('A')));
}

#[test]
fn a003_leaves_enabled_entries_to_f002_with_an_efi_folder() {
    let over = format!("{}.aml", "S".repeat(183));
    let text = acpi(&[table(&over, true), table(&over, false)], &[]);
    let dir = tempfile::tempdir().expect("tempdir");
    let opts = AuditOptions {
        kind: Some(ConfigKind::OpenCore),
        oc_version: Some("1.0.7".into()),
        efi_dir: Some(dir.path().to_path_buf()),
        ..Default::default()
    };
    let r = audit::audit_bytes("t.plist", text.into_bytes(), &opts);
    let got: Vec<(&str, &str)> = r
        .diagnostics
        .iter()
        .filter(|d| matches!(d.rule.code, "A003" | "F002"))
        .map(|d| (d.rule.code, d.path.as_str()))
        .collect();
    assert_eq!(
        got,
        [("F002", "ACPI/Add/0/Path"), ("A003", "ACPI/Add/1/Path")]
    );
}
