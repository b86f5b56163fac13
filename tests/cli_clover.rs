//! `ocaudit check` on Clover files: kind detection, `--kind`, the JSON kind,
//! and C001-C004 on an EFI/CLOVER folder written for these tests.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/clover")
        .join(rel)
}

fn sample(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("sample-configs")
        .join(name)
}

const CONFIG: &str = "EFI/CLOVER/config.plist";
const OCQUIRKS: &str = "EFI/CLOVER/drivers/UEFI/OcQuirks.plist";

/// Run `check --format json` and return (exit code, the JSON document).
fn check_json(args: &[&str], paths: &[&Path]) -> (i32, Value) {
    let out = Command::cargo_bin("ocaudit")
        .expect("binary built")
        .arg("check")
        .args(["--format", "json"])
        .args(args)
        .args(paths)
        .output()
        .expect("ocaudit runs");
    let json = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "JSON output ({e}): {}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap_or(-1), json)
}

fn codes(file: &Value) -> Vec<String> {
    file["diagnostics"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|d| d["code"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn diags<'a>(file: &'a Value, code: &str) -> Vec<&'a Value> {
    file["diagnostics"]
        .as_array()
        .map(|a| a.iter().filter(|d| d["code"] == code).collect())
        .unwrap_or_default()
}

#[test]
fn kinds_are_detected_and_reported_in_json() {
    let (code, json) = check_json(
        &[],
        &[
            &fixture(CONFIG),
            &fixture(OCQUIRKS),
            &sample("z390-kaslr-broken.plist"),
        ],
    );
    assert_eq!(code, 1);
    let kinds: Vec<&str> = json["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| f["kind"].as_str().unwrap_or("null"))
        .collect();
    assert_eq!(kinds, ["clover", "ocquirks", "opencore"]);
}

#[test]
fn kind_flag_forces_the_reading() {
    let (_, json) = check_json(&["--kind", "ocquirks"], &[&fixture(CONFIG)]);
    assert_eq!(json["files"][0]["kind"], "ocquirks");
    // An unknown file read as Clover loads: nothing Clover-specific in it.
    let (code, json) = check_json(&["--kind", "clover"], &[&fixture("not-a-config.plist")]);
    assert_eq!(json["files"][0]["kind"], "clover");
    assert_eq!(code, 0);
}

#[test]
fn a_file_of_no_known_kind_is_a_clear_error() {
    let out = Command::cargo_bin("ocaudit")
        .expect("binary built")
        .args(["check", "--color", "never"])
        .arg(fixture("not-a-config.plist"))
        .output()
        .expect("ocaudit runs");
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("not a config file ocaudit knows"), "{text}");
    assert!(text.contains("OpenCore config.plist"));
    assert!(text.contains("Clover config.plist"));
    assert!(text.contains("OcQuirks.plist"));
    assert!(text.contains("--kind opencore|clover|ocquirks"));
}

#[test]
fn an_unknown_kind_value_is_a_usage_error() {
    Command::cargo_bin("ocaudit")
        .expect("binary built")
        .args(["check", "--kind", "chameleon"])
        .arg(fixture(CONFIG))
        .assert()
        .code(2);
}

#[test]
fn efi_clover_folder_rules_fire_on_the_config() {
    let (code, json) = check_json(&[], &[&fixture(CONFIG)]);
    assert_eq!(code, 1);
    let file = &json["files"][0];
    let c001 = diags(file, "C001");
    assert_eq!(c001.len(), 1);
    assert_eq!(c001[0]["path"], "Quirks");
    let msg = c001[0]["message"].as_str().unwrap_or_default();
    assert!(
        msg.contains("DevirtualiseMmio=true [OcQuirks.plist: false]"),
        "{msg}"
    );
    let c002: Vec<String> = diags(file, "C002")
        .iter()
        .filter_map(|d| d["message"].as_str().map(str::to_owned))
        .collect();
    assert_eq!(c002.len(), 2, "{c002:?}");
    assert!(c002.iter().any(|m| m.contains("OcQuirks.efi")));
    assert!(
        c002.iter()
            .any(|m| m.contains("OsxAptioFixDrv-64.efi") && m.contains("slide=0"))
    );
    assert_eq!(diags(file, "C003")[0]["severity"], "info");
    let c004 = diags(file, "C004");
    assert_eq!(c004.len(), 1);
    assert_eq!(c004[0]["severity"], "error");
    // B011 is OpenCore's form of C004 and stays silent on Clover.
    assert!(!codes(file).contains(&"B011".to_owned()));
}

#[test]
fn c001_fires_on_the_ocquirks_plist_too() {
    let (_, json) = check_json(&[], &[&fixture(OCQUIRKS)]);
    let file = &json["files"][0];
    let c001 = diags(file, "C001");
    assert_eq!(c001.len(), 1);
    assert_eq!(c001[0]["line"], 4, "points at the root dict");
    let msg = c001[0]["message"].as_str().unwrap_or_default();
    assert!(msg.starts_with("this OcQuirks.plist is ignored"), "{msg}");
}

/// Copy the fixture config into a fresh `EFI/CLOVER` with the given drivers.
fn efi_with(drivers: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let clover = tmp.path().join("EFI/CLOVER");
    let uefi = clover.join("drivers/UEFI");
    std::fs::create_dir_all(&uefi).expect("mkdir");
    for d in drivers {
        std::fs::write(uefi.join(d), b"stand-in driver").expect("write driver");
    }
    let cfg = clover.join("config.plist");
    std::fs::copy(fixture(CONFIG), &cfg).expect("copy config");
    (tmp, cfg)
}

#[test]
fn clean_drivers_folder_has_no_c_findings() {
    let (_tmp, cfg) = efi_with(&["OpenRuntime.efi", "HfsPlus.efi"]);
    let (_, json) = check_json(&["--select", "C00"], &[&cfg]);
    let file = &json["files"][0];
    let c = codes(file);
    assert_eq!(c, ["C003"], "only the leftover console key remains: {c:?}");
}

#[test]
fn c_rules_need_the_efi_folder() {
    let tmp = tempfile::tempdir().expect("temp dir");
    let cfg = tmp.path().join("config.plist");
    std::fs::copy(fixture(CONFIG), &cfg).expect("copy config");
    let (_, json) = check_json(&["--select", "C001,C002,C004"], &[&cfg]);
    assert!(codes(&json["files"][0]).is_empty());
}

#[test]
fn sample_clover_config_shows_the_kaslr_mistakes() {
    let (code, json) = check_json(&[], &[&sample("clover-config.plist")]);
    assert_eq!(code, 1);
    let file = &json["files"][0];
    assert_eq!(file["kind"], "clover");
    let c = codes(file);
    for expected in [
        "S001", "S003", "S006", "B003", "B008", "B009", "W001", "C003", "X004",
    ] {
        assert!(
            c.contains(&expected.to_owned()),
            "{expected} missing from {c:?}"
        );
    }
    let b008 = diags(file, "B008");
    let msg = b008[0]["message"].as_str().unwrap_or_default();
    assert!(msg.contains("Clover r5124+: a missing EnableWriteUnprotector counts as true"));
}

#[test]
fn human_output_names_the_reading() {
    let out = Command::cargo_bin("ocaudit")
        .expect("binary built")
        .args(["check", "--color", "never"])
        .arg(fixture(OCQUIRKS))
        .output()
        .expect("ocaudit runs");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("OcQuirks.plist (read as the OcQuirks.efi driver does"),
        "{text}"
    );
}

#[test]
fn a_directory_yields_the_config_and_the_ocquirks_plist() {
    let (_, json) = check_json(&[], &[&fixture("EFI")]);
    let files: Vec<(String, String)> = json["files"]
        .as_array()
        .expect("files")
        .iter()
        .map(|f| {
            let path = f["path"].as_str().unwrap_or_default();
            let name = Path::new(path)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            (name, f["kind"].as_str().unwrap_or("null").to_owned())
        })
        .collect();
    assert_eq!(
        files,
        [
            ("config.plist".to_owned(), "clover".to_owned()),
            ("OcQuirks.plist".to_owned(), "ocquirks".to_owned())
        ]
    );
}
