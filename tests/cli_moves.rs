//! Issue 13, items 1, 2 and 6 from the outside: X007 inserts failsafes
//! (never Sample values), X006 moves misplaced settings instead of deleting
//! them (and removes only keys no release knows), a device path written
//! twice is one X004 with a lifting fix, and `fix` says when only unsafe
//! fixes are left. Fixtures are under tests/fixtures/moves/.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn ocaudit() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin!("ocaudit"))
}

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/moves")
        .join(name)
}

/// Copy a fixture into a temp dir (the fix tests write).
fn copy(name: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let to = dir.path().join(name);
    std::fs::copy(fixture(name), &to).unwrap();
    (dir, to)
}

/// Run `fix --write` with `args` and return the written file as a plist.
fn fix_write(name: &str, args: &[&str]) -> plist::Value {
    let (_dir, file) = copy(name);
    ocaudit()
        .args(["fix", "--write", "--no-backup", "--oc-version", "1.0.7"])
        .args(args)
        .arg(&file)
        .output()
        .unwrap();
    plist::Value::from_file(&file).unwrap()
}

fn at<'a>(v: &'a plist::Value, path: &[&str]) -> Option<&'a plist::Value> {
    path.iter().try_fold(v, |v, k| match v {
        plist::Value::Dictionary(d) => d.get(k),
        plist::Value::Array(a) => a.get(k.parse::<usize>().ok()?),
        _ => None,
    })
}

fn json_check(name: &str, select: &str) -> serde_json::Value {
    json_check_path(&fixture(name), select)
}

fn json_check_path(file: &Path, select: &str) -> serde_json::Value {
    let out = ocaudit()
        .args(["check", "--format", "json", "--oc-version", "1.0.7"])
        .args(["--select", select])
        .arg(file)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

fn diagnostics(v: &serde_json::Value) -> Vec<&serde_json::Value> {
    v["files"][0]["diagnostics"]
        .as_array()
        .map(|a| a.iter().collect())
        .unwrap_or_default()
}

/// The X007 fix writes the manual's failsafes: LoadEarly false (not true),
/// an empty ExecutablePath (not Lilu's), Count 0 (every occurrence, not 1),
/// an empty Base, an all-zero OemTableId.
#[test]
fn x007_inserts_failsafes_not_sample_values() {
    let v = fix_write("failsafe_entries.plist", &["--select", "X007"]);
    let b = |p: &[&str]| at(&v, p).cloned();
    assert_eq!(
        b(&["UEFI", "Drivers", "0", "LoadEarly"]),
        Some(plist::Value::Boolean(false))
    );
    assert_eq!(
        b(&["Kernel", "Add", "0", "ExecutablePath"]),
        Some(plist::Value::String(String::new()))
    );
    assert_eq!(
        b(&["ACPI", "Patch", "0", "Count"]),
        Some(plist::Value::Integer(0.into()))
    );
    assert_eq!(
        b(&["ACPI", "Patch", "0", "Base"]),
        Some(plist::Value::String(String::new()))
    );
    assert_eq!(
        b(&["ACPI", "Patch", "0", "OemTableId"]),
        Some(plist::Value::Data(vec![0; 8]))
    );
    // The user's own values are untouched.
    assert_eq!(
        b(&["Kernel", "Add", "0", "BundlePath"]),
        Some(plist::Value::String("USBPorts.kext".into()))
    );
}

/// X007 says what OpenCore does, not that the key is "required".
#[test]
fn x007_message_names_the_failsafe() {
    let v = json_check("failsafe_entries.plist", "X007");
    let count = diagnostics(&v)
        .into_iter()
        .find(|d| d["path"] == "ACPI/Patch/0/Count")
        .expect("X007 for Count");
    let msg = count["message"].as_str().unwrap();
    assert!(msg.contains("is absent from ACPI/Patch/0"), "{msg}");
    assert!(msg.contains("uses its failsafe `0`"), "{msg}");
    assert!(!msg.contains("requires"), "{msg}");
    assert_eq!(count["fix"]["applicability"], "safe");
}

/// A root-level Quirks dict is moved key by key into the Quirks dicts that
/// hold those keys, merging with what is there; no `true` is lost.
#[test]
fn root_quirks_are_moved_not_deleted() {
    let v = fix_write("root_quirks.plist", &["--select", "X006", "--unsafe-fixes"]);
    assert!(at(&v, &["Quirks"]).is_none(), "root Quirks left");
    for (dict, key) in [
        ("Kernel", "AppleXcpmCfgLock"),
        ("Kernel", "DisableIoMapper"),
        ("Kernel", "PanicNoKextDump"),
        ("Booter", "SetupVirtualMap"),
        ("Booter", "AvoidRuntimeDefrag"),
    ] {
        assert_eq!(
            at(&v, &[dict, "Quirks", key]),
            Some(&plist::Value::Boolean(true)),
            "{dict}/Quirks/{key}"
        );
    }
}

/// When the destination holds a different value, both are shown and no
/// fix is offered.
#[test]
fn conflicting_move_offers_no_fix() {
    let v = json_check("quirks_conflict.plist", "X006");
    let d = diagnostics(&v);
    assert_eq!(d.len(), 1, "{v}");
    assert!(d[0]["fix"].is_null(), "{}", d[0]);
    let out = ocaudit()
        .args([
            "check",
            "--color",
            "never",
            "--oc-version",
            "1.0.7",
            "--select",
            "X006",
        ])
        .arg(fixture("quirks_conflict.plist"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Kernel/Quirks/DisableIoMapper already holds another value"),
        "{text}"
    );
    assert!(text.contains("keep one of the two by hand"), "{text}");
}

/// A device path written twice is one X004 at the inner dict (no finding per
/// property), and the fix lifts the properties one level up; properties
/// outside Add move into Add; NVRAM/Block becomes NVRAM/Delete; only a key
/// no release knows is removed, and its fix says so.
#[test]
fn device_properties_and_renames_are_moved() {
    let v = json_check("devprops_twice.plist", "X004,X006");
    let d = diagnostics(&v);
    let codes: Vec<(&str, &str)> = d
        .iter()
        .map(|d| (d["code"].as_str().unwrap(), d["path"].as_str().unwrap()))
        .collect();
    assert_eq!(
        codes.iter().filter(|(c, _)| *c == "X004").count(),
        1,
        "{codes:?}"
    );
    assert!(
        !codes.iter().any(|(_, p)| p.ends_with("ig-platform-id")),
        "a finding per property: {codes:?}"
    );
    let bogus = d.iter().find(|d| d["path"] == "NVRAM/Bogus").unwrap();
    assert_eq!(bogus["fix"]["applicability"], "unsafe");
    let summary = bogus["fix"]["summary"].as_str().unwrap();
    assert!(
        summary.contains("no OpenCore release knows it"),
        "{summary}"
    );

    let v = fix_write(
        "devprops_twice.plist",
        &["--select", "X004,X006", "--unsafe-fixes"],
    );
    let igpu = ["DeviceProperties", "Add", "PciRoot(0x0)/Pci(0x2,0x0)"];
    let prop = |k: &str| {
        let mut p = igpu.to_vec();
        p.push(k);
        at(&v, &p).cloned()
    };
    assert_eq!(
        prop("AAPL,ig-platform-id"),
        Some(plist::Value::Data(vec![0x07, 0x00, 0x9B, 0x3E]))
    );
    assert_eq!(
        prop("framebuffer-patch-enable"),
        Some(plist::Value::Integer(1.into()))
    );
    assert!(prop("PciRoot(0x0)/Pci(0x2,0x0)").is_none());
    assert_eq!(
        at(
            &v,
            &[
                "DeviceProperties",
                "Add",
                "PciRoot(0x0)/Pci(0x1f,0x3)",
                "layout-id"
            ]
        ),
        Some(&plist::Value::Integer(11.into()))
    );
    assert!(at(&v, &["DeviceProperties", "PciRoot(0x0)/Pci(0x1f,0x3)"]).is_none());
    assert_eq!(
        at(
            &v,
            &[
                "NVRAM",
                "Delete",
                "7C436110-AB2A-4BBB-A880-FE41995C9F82",
                "0"
            ]
        ),
        Some(&plist::Value::String("boot-args".into()))
    );
    assert!(at(&v, &["NVRAM", "Block"]).is_none());
    assert!(at(&v, &["NVRAM", "Bogus"]).is_none());
}

/// With only unsafe fixes available, `fix` says so instead of "nothing to
/// fix", in the diff mode and with --write, and JSON counts them.
#[test]
fn only_unsafe_fixes_is_not_nothing_to_fix() {
    let out = ocaudit()
        .args(["fix", "--oc-version", "1.0.7", "--select", "X006"])
        .arg(fixture("devprops_twice.plist"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nothing safe to fix; 3 more with --unsafe-fixes"),
        "{err}"
    );
    let (_dir, file) = copy("devprops_twice.plist");
    let out = ocaudit()
        .args([
            "fix",
            "--write",
            "--oc-version",
            "1.0.7",
            "--select",
            "X006",
        ])
        .arg(&file)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("nothing safe to fix; 3 more with --unsafe-fixes"),
        "{text}"
    );
    let out = ocaudit()
        .args([
            "fix",
            "--format",
            "json",
            "--oc-version",
            "1.0.7",
            "--select",
            "X006",
        ])
        .arg(fixture("devprops_twice.plist"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["held_back"], 3);
    let out = ocaudit()
        .args([
            "fix",
            "--format",
            "json",
            "--unsafe-fixes",
            "--oc-version",
            "1.0.7",
        ])
        .args(["--select", "X006"])
        .arg(fixture("devprops_twice.plist"))
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["held_back"], 0);
}

/// A renamed key whose value does not fit the new place (a dict where
/// NVRAM/Delete wants an array per GUID; an old boolean of the same name as
/// a newer string setting) is not moved: it would only trade an ignored key
/// for one OpenCore rejects. Nothing is removed either, since a release
/// knows the key.
#[test]
fn misfit_values_are_not_moved() {
    let text = r#"<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0">
<dict>
	<key>NVRAM</key>
	<dict>
		<key>Block</key>
		<dict>
			<key>4D1EDE05-38C7-4A6A-9CC6-4BCCA8B38C14</key>
			<dict/>
		</dict>
	</dict>
	<key>UEFI</key>
	<dict>
		<key>ProtocolOverrides</key>
		<dict>
			<key>AppleEvent</key>
			<false/>
		</dict>
	</dict>
</dict>
</plist>
"#;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config.plist");
    std::fs::write(&file, text).unwrap();
    let v = json_check_path(&file, "X006");
    let d = diagnostics(&v);
    let paths: Vec<&str> = d.iter().map(|d| d["path"].as_str().unwrap()).collect();
    assert_eq!(
        paths,
        ["NVRAM/Block", "UEFI/ProtocolOverrides/AppleEvent"],
        "{v}"
    );
    for d in d {
        assert!(d["fix"].is_null(), "{d}");
    }
}

/// `fix --upgrade-to` inserts the new keys with their failsafes too, never
/// Sample.plist values (Count 1, LoadEarly true, Lilu's ExecutablePath).
#[test]
fn upgrade_inserts_failsafes() {
    let v = fix_write(
        "failsafe_entries.plist",
        &[
            "--upgrade-to",
            "1.0.7",
            "--unsafe-fixes",
            "--select",
            "S001",
        ],
    );
    assert_eq!(
        at(&v, &["ACPI", "Patch", "0", "Count"]),
        Some(&plist::Value::Integer(0.into()))
    );
    assert_eq!(
        at(&v, &["UEFI", "Drivers", "0", "LoadEarly"]),
        Some(&plist::Value::Boolean(false))
    );
    assert_eq!(
        at(&v, &["Kernel", "Add", "0", "ExecutablePath"]),
        Some(&plist::Value::String(String::new()))
    );
}
