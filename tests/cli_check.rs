//! `ocaudit check`, `explain`, `rules` and `platforms` from the outside:
//! exit codes, the JSON contract, positions, and snapshots of human output.

use std::path::Path;

use assert_cmd::Command;
use serde_json::Value;

fn ocaudit() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_ocaudit"));
    c.current_dir(env!("CARGO_MANIFEST_DIR"));
    c.env_remove("NO_COLOR").env_remove("CLICOLOR_FORCE");
    c
}

fn json_of(args: &[&str]) -> (i32, Value) {
    let out = ocaudit().args(args).output().expect("runs");
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)));
    (out.status.code().unwrap_or(-1), v)
}

const BROKEN: &str = "sample-configs/z390-kaslr-broken.plist";

#[test]
fn human_output_of_the_broken_sample() {
    let out = ocaudit()
        .args(["check", BROKEN, "--color", "never"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    insta::assert_snapshot!("check_z390_broken", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn human_output_of_the_legacy_sample() {
    let out = ocaudit()
        .args([
            "check",
            "sample-configs/legacy-0.6-drivers-as-strings.plist",
            "--color",
            "never",
        ])
        .output()
        .unwrap();
    insta::assert_snapshot!("check_legacy_strings", String::from_utf8_lossy(&out.stdout));
}

#[test]
fn clean_configs_exit_zero() {
    for f in [
        "sample-configs/z390-kaslr-fixed.plist",
        "sample-configs/laptop-clean.plist",
    ] {
        ocaudit()
            .args(["check", f, "--color", "never"])
            .assert()
            .code(0)
            .stdout(predicates::str::contains("All checks passed"));
    }
}

#[test]
fn json_contract_shape_and_positions() {
    let (code, v) = json_of(&["check", BROKEN, "--format", "json"]);
    assert_eq!(code, 1);
    assert!(v["version"].is_string());
    let file = &v["files"][0];
    assert_eq!(file["path"], BROKEN);
    assert_eq!(file["platform"], "intel-desktop-coffee-lake");
    let diags = file["diagnostics"].as_array().unwrap();
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(BROKEN)).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    for d in diags {
        for key in [
            "code", "name", "severity", "path", "line", "column", "message", "fix",
        ] {
            assert!(d.get(key).is_some(), "missing {key} in {d}");
        }
        assert!(["error", "warning", "info"].contains(&d["severity"].as_str().unwrap()));
        if !d["fix"].is_null() {
            assert!(["safe", "unsafe"].contains(&d["fix"]["applicability"].as_str().unwrap()));
            assert!(d["fix"]["summary"].is_string());
        }
    }
    // B003 points at the <false/> under ProvideCustomSlide, 1-based.
    let b003 = diags.iter().find(|d| d["code"] == "B003").expect("B003");
    assert_eq!(b003["path"], "Booter/Quirks/ProvideCustomSlide");
    let (line, col) = (
        b003["line"].as_u64().unwrap() as usize,
        b003["column"].as_u64().unwrap() as usize,
    );
    assert_eq!(&lines[line - 1][col - 1..], "<false/>");
    assert!(lines[line - 2].contains("<key>ProvideCustomSlide</key>"));
    // S002 points at the token inside boot-args.
    let s002 = diags.iter().find(|d| d["code"] == "S002").expect("S002");
    let (line, col) = (
        s002["line"].as_u64().unwrap() as usize,
        s002["column"].as_u64().unwrap() as usize,
    );
    assert!(lines[line - 1][col - 1..].starts_with("slide=562"));
    assert_eq!(
        s002["path"],
        "NVRAM/Add/7C436110-AB2A-4BBB-A880-FE41995C9F82/boot-args"
    );
    let w = diags.iter().find(|d| d["code"] == "W002").expect("W002");
    assert_eq!(w["path"], "Booter/MmioWhitelist/1/Address");
}

#[test]
fn exit_two_for_unreadable_and_unparsable_input() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("config.plist");
    // A plist OpenCore's reader refuses is a finding (X010, exit 1) at the
    // byte it trips on, not an unreadable file.
    std::fs::write(&bad, "<plist><dict><key>A</key><true/></array></plist>").unwrap();
    let (code, v) = json_of(&["check", bad.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 1);
    assert_eq!(v["files"][0]["opencore_reads"], false);
    let d = &v["files"][0]["diagnostics"][0];
    assert_eq!(d["code"], "X010");
    assert_eq!(
        (d["line"].as_u64(), d["column"].as_u64()),
        (Some(1), Some(33))
    );
    std::fs::write(&bad, "Booter = { }\n").unwrap();
    let (code, v) = json_of(&["check", bad.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 2);
    assert_eq!(v["files"][0]["diagnostics"][0]["code"], "X001");
    assert_eq!(v["files"][0]["opencore_reads"], serde_json::Value::Null);
    std::fs::write(&bad, b"bplist00\xd1\x01\x02").unwrap();
    let (code, v) = json_of(&["check", bad.to_str().unwrap(), "--format", "json"]);
    assert_eq!(code, 2);
    assert_eq!(v["files"][0]["diagnostics"][0]["code"], "X002");
    ocaudit()
        .args(["check", "does/not/exist.plist"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no such file"));
    ocaudit()
        .args(["check", "--platform", "nope", BROKEN])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("ocaudit platforms"));
    ocaudit()
        .args(["check", "--select", "Q9", BROKEN])
        .assert()
        .code(2);
    ocaudit().args(["frobnicate"]).assert().code(2);
}

#[test]
fn select_ignore_and_info_only_exit_zero() {
    let (code, v) = json_of(&["check", BROKEN, "--format", "json", "--select", "S"]);
    assert_eq!(code, 1);
    assert!(
        v["files"][0]["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["code"].as_str().unwrap().starts_with('S'))
    );
    // Only info-level findings left: exit 0.
    let (code, _) = json_of(&["check", BROKEN, "--format", "json", "--select", "B005,B006"]);
    assert_eq!(code, 0);
}

#[test]
fn directories_and_default_discovery() {
    // A directory without any config.plist below it is a usage error.
    ocaudit()
        .args(["check", "src"])
        .assert()
        .code(2)
        .stderr(predicates::str::contains("no config.plist below"));
    let dir = tempfile::tempdir().unwrap();
    let oc = dir.path().join("EFI/OC");
    std::fs::create_dir_all(&oc).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join(BROKEN),
        oc.join("config.plist"),
    )
    .unwrap();
    let out = ocaudit()
        .current_dir(dir.path())
        .args(["check", "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("EFI/OC/config.plist"),
        "says which file was used"
    );
    let out = ocaudit()
        .args(["check", dir.path().to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["files"].as_array().unwrap().len(), 1);
    // B011 mentions the missing driver file next to an EFI/OC config.
    let b011 = String::from_utf8_lossy(
        &ocaudit()
            .current_dir(dir.path())
            .args(["check", "--select", "B011", "--color", "never"])
            .output()
            .unwrap()
            .stdout,
    )
    .to_string();
    assert!(
        b011.contains("Drivers/OpenRuntime.efi is missing on disk"),
        "{b011}"
    );
}

#[test]
fn explain_rules_and_platforms() {
    ocaudit()
        .args(["explain", "b003"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains(
            "provide-custom-slide-disabled (B003)",
        ))
        .stdout(predicates::str::contains("## Why it matters"));
    ocaudit().args(["explain", "Z999"]).assert().code(2);
    let out = ocaudit()
        .args(["rules", "--format", "json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let codes: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    for c in ["X001", "B001", "B012", "S001", "S008", "W001", "W003"] {
        assert!(codes.contains(&c), "{c}");
    }
    ocaudit()
        .args(["platforms"])
        .assert()
        .code(0)
        .stdout(predicates::str::contains("intel-desktop-coffee-lake"));
}

#[test]
fn colour_follows_the_flags() {
    let plain = ocaudit().args(["check", BROKEN]).output().unwrap();
    assert!(!plain.stdout.contains(&0x1b), "no escape codes in a pipe");
    let forced = ocaudit()
        .args(["check", BROKEN, "--color", "always"])
        .output()
        .unwrap();
    assert!(forced.stdout.contains(&0x1b));
    let no_color = ocaudit()
        .env("NO_COLOR", "1")
        .args(["check", BROKEN])
        .output()
        .unwrap();
    assert!(!no_color.stdout.contains(&0x1b));
}

#[test]
fn rule_tables_match_the_registry() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (args, file) in [
        (&["rules"][..], "docs/rules.md"),
        (&["rules", "--families"][..], "README.md"),
    ] {
        let out = ocaudit().args(args).output().unwrap();
        let table = String::from_utf8(out.stdout).unwrap();
        assert!(table.lines().count() > 2, "{args:?} printed {table}");
        let doc = std::fs::read_to_string(root.join(file)).unwrap();
        assert!(
            doc.contains(table.trim_end()),
            "{file}'s table differs from `ocaudit {}`; paste its output into {file}",
            args.join(" ")
        );
    }
}
