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
