//! `check --oc-version` and the `oc_version` JSON field, from outside.

use assert_cmd::Command;

const CLEAN: &str = "sample-configs/laptop-clean.plist";

fn ocaudit() -> Command {
    Command::cargo_bin("ocaudit").expect("binary built")
}

fn json(args: &[&str]) -> (Option<i32>, serde_json::Value) {
    let out = ocaudit().args(args).output().expect("runs");
    let v = serde_json::from_slice(&out.stdout).expect("JSON on stdout");
    (out.status.code(), v)
}

#[test]
fn flag_sets_the_target_and_json_reports_it() {
    let (code, v) = json(&["check", CLEAN, "--format", "json", "--oc-version", "1.0.7"]);
    assert_eq!(code, Some(0));
    let oc = &v["files"][0]["oc_version"];
    assert_eq!(oc["target"], "1.0.7");
    assert_eq!(oc["source"], "flag");
    let inferred = oc["inferred"].as_array().expect("array");
    assert_eq!(inferred.len(), 2);
    let (code, v) = json(&["check", CLEAN, "--format", "json"]);
    assert_eq!(code, Some(0));
    let oc = &v["files"][0]["oc_version"];
    assert!(oc["target"].is_null());
    assert_eq!(oc["source"], "inferred");
}

#[test]
fn an_older_target_reports_newer_keys() {
    let (code, v) = json(&["check", CLEAN, "--format", "json", "--oc-version", "0.6.0"]);
    assert_eq!(code, Some(1));
    let diags = v["files"][0]["diagnostics"].as_array().expect("array");
    let x006: Vec<&serde_json::Value> = diags.iter().filter(|d| d["code"] == "X006").collect();
    assert!(!x006.is_empty());
    assert!(
        x006.iter()
            .all(|d| d["line"].as_u64().is_some_and(|l| l > 1))
    );
    assert!(x006.iter().any(|d| {
        d["message"]
            .as_str()
            .is_some_and(|m| m.contains("after your target release"))
    }));
}

#[test]
fn human_header_names_the_release() {
    let out = ocaudit()
        .args(["check", CLEAN, "--color", "never", "--oc-version", "1.0.7"])
        .output()
        .expect("runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("OpenCore 1.0.7 (from --oc-version); config matches"),
        "{text}"
    );
}

#[test]
fn unknown_release_is_a_usage_error() {
    let out = ocaudit()
        .args(["check", CLEAN, "--oc-version", "2.9.9"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown OpenCore release"));
}

#[test]
fn fix_upgrade_to_migrates_a_06_config_to_107() {
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("config.plist");
    std::fs::copy(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("sample-configs/legacy-0.6-drivers-as-strings.plist"),
        &cfg,
    )
    .unwrap();
    let before = std::fs::read_to_string(&cfg).unwrap();
    let bin = env!("CARGO_BIN_EXE_ocaudit");
    // Without --write: a diff that lists removed keys with their values.
    let out = std::process::Command::new(bin)
        .args([
            "fix",
            cfg.to_str().unwrap(),
            "--upgrade-to",
            "1.0.7",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let fixes: Vec<String> = v["fixes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f.to_string())
        .collect();
    assert!(
        fixes
            .iter()
            .any(|f| f.contains("remove NVRAM/LegacyEnable = false")),
        "{fixes:?}"
    );
    assert_eq!(
        std::fs::read_to_string(&cfg).unwrap(),
        before,
        "nothing written without --write"
    );
    // With --write: no X006/X007 against 1.0.7; Drivers became dicts, `#` became Enabled false.
    let out = std::process::Command::new(bin)
        .args([
            "fix",
            cfg.to_str().unwrap(),
            "--upgrade-to",
            "1.0.7",
            "--write",
            "--no-backup",
            "--color",
            "never",
        ])
        .output()
        .unwrap();
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = std::process::Command::new(bin)
        .args([
            "check",
            cfg.to_str().unwrap(),
            "--oc-version",
            "1.0.7",
            "--select",
            "X006,X007",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        v["files"][0]["diagnostics"].as_array().unwrap().len(),
        0,
        "{v}"
    );
    let doc = plist::Value::from_file(&cfg).unwrap();
    let drivers = doc.as_dictionary().unwrap()["UEFI"]
        .as_dictionary()
        .unwrap()["Drivers"]
        .as_array()
        .unwrap();
    let runtime = drivers
        .iter()
        .filter_map(|d| d.as_dictionary())
        .find(|d| d.get("Path").and_then(|p| p.as_string()) == Some("OpenRuntime.efi"))
        .expect("OpenRuntime.efi entry as a dict");
    assert_eq!(
        runtime.get("Enabled").and_then(|e| e.as_boolean()),
        Some(false)
    );
}

/// A mistyped key only the schema knows is worded like the model's X004:
/// the expected type with its element, and what was found.
#[test]
fn schema_x004_names_the_elements() {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = dir.path().join("config.plist");
    std::fs::write(
        &cfg,
        "<plist><dict><key>Kernel</key><dict><key>Quirks</key><dict>\
         <key>DisableIoMapper</key><string>yes</string></dict></dict></dict></plist>",
    )
    .expect("write");
    let path = cfg.to_str().expect("utf-8 path");
    let (code, v) = json(&[
        "check",
        path,
        "--format",
        "json",
        "--oc-version",
        "1.0.7",
        "--select",
        "X004",
    ]);
    assert_eq!(code, Some(1));
    let d = &v["files"][0]["diagnostics"][0];
    assert_eq!(d["path"], "Kernel/Quirks/DisableIoMapper");
    assert_eq!(
        d["message"],
        "expected a boolean (<true/> or <false/>), found a <string> (OpenCore 1.0.7); \
         OpenCore ignores it and uses the failsafe value"
    );
}
