//! CLI tests of the machine-readable formats: SARIF (checked against the
//! SARIF 2.1.0 required fields), GitHub workflow commands, and the JSON
//! report against docs/json.schema.json.

mod support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use support::cli::*;
use support::schema;

// ---------------------------------------------------------------- SARIF

fn sarif_schema() -> (PathBuf, Value) {
    let p = manifest().join("tests/fixtures/sarif-2.1.0-required.schema.json");
    let v = serde_json::from_str(&std::fs::read_to_string(&p).expect("schema readable"))
        .expect("schema is JSON");
    (p, v)
}

#[test]
fn sarif_has_the_required_fields_and_agrees_with_json() {
    let (schema_path, schema) = sarif_schema();
    let t = tempfile::tempdir().expect("tempdir");
    efi_volume(t.path());
    let efi = t.path().to_str().expect("utf8 temp path");
    let mut runs: Vec<Vec<String>> = samples().into_iter().map(|s| vec![s]).collect();
    runs.push(vec!["--efi".into(), efi.into()]);
    let mut checked = Vec::new();
    for args in runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let sarif_out = ocaudit(&[&["check", "--format", "sarif"], &args[..]].concat());
        let json_out = ocaudit(&[&["check", "--format", "json"], &args[..]].concat());
        assert_eq!(sarif_out.status.code(), json_out.status.code(), "{args:?}");
        let sarif = json_of(&sarif_out);
        let errors = schema::validate(&schema, &sarif);
        assert!(errors.is_empty(), "{args:?}: {errors:#?}");
        checked.push(sarif.clone());
        // The same findings, at the same places, as the JSON contract.
        let json = json_of(&json_out);
        let run = &sarif["runs"][0];
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        let results = run["results"].as_array().expect("results");
        let diags: Vec<&Value> = json["files"]
            .as_array()
            .expect("files")
            .iter()
            .flat_map(|f| f["diagnostics"].as_array().expect("diagnostics"))
            .collect();
        assert_eq!(results.len(), diags.len(), "{args:?}");
        for (r, d) in results.iter().zip(diags) {
            assert_eq!(r["ruleId"], d["code"]);
            assert_eq!(r["message"]["text"], d["message"]);
            let region = &r["locations"][0]["physicalLocation"]["region"];
            assert_eq!(region["startLine"], d["line"]);
            assert_eq!(region["startColumn"], d["column"]);
            let level = match d["severity"].as_str() {
                Some("info") => "note",
                other => other.expect("severity"),
            };
            assert_eq!(r["level"], level);
            let i = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(rules[i]["id"], r["ruleId"], "ruleIndex points at its rule");
        }
    }
    python_cross_check(&schema_path, &checked);
}

/// A second opinion from a full JSON Schema implementation, when installed.
fn python_cross_check(schema: &Path, instances: &[Value]) {
    match schema::python_validate(schema, instances) {
        Some(r) => r.unwrap_or_else(|e| panic!("python jsonschema: {e}")),
        None => println!("skipped: python3 jsonschema not installed, no second validation"),
    }
}

#[test]
fn sarif_lists_every_rule_once_with_its_docs() {
    let sarif = json_of(&ocaudit(&[
        "check",
        "--format",
        "sarif",
        "sample-configs/z390-kaslr-fixed.plist",
    ]));
    let listed = json_of(&ocaudit(&["rules", "--format", "json"]));
    let want: Vec<&str> = listed
        .as_array()
        .expect("rule list")
        .iter()
        .map(|r| r["code"].as_str().expect("code"))
        .collect();
    let driver = &sarif["runs"][0]["tool"]["driver"];
    let got: Vec<&str> = driver["rules"]
        .as_array()
        .expect("rules")
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect();
    assert_eq!(got, want);
    let explain = stdout(&ocaudit(&["explain", "F002"]));
    let f002 = &driver["rules"][got.iter().position(|c| *c == "F002").expect("F002")];
    assert!(explain.contains(f002["help"]["markdown"].as_str().expect("help")));
    assert_eq!(driver["name"], "ocaudit");
    assert_eq!(driver["version"], env!("CARGO_PKG_VERSION"));
}

// --------------------------------------------------------------- GitHub

#[test]
fn github_commands_match_the_json_findings() {
    let re = regex::Regex::new(
        r"^::(error|warning|notice) file=([^,:]+),line=(\d+),col=(\d+),title=([A-Z]\d{3})::(.+)$",
    )
    .expect("regex");
    for sample in samples() {
        let out = ocaudit(&["check", "--format", "github", &sample]);
        let json_out = ocaudit(&["check", "--format", "json", &sample]);
        assert_eq!(out.status.code(), json_out.status.code(), "{sample}");
        let json = json_of(&json_out);
        let diags = json["files"][0]["diagnostics"].as_array().expect("diags");
        let text = stdout(&out);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), diags.len(), "{sample}: {text}");
        for (line, d) in lines.iter().zip(diags) {
            let c = re
                .captures(line)
                .unwrap_or_else(|| panic!("not a workflow command: {line}"));
            let want_level = match d["severity"].as_str().expect("severity") {
                "info" => "notice",
                s => s,
            };
            assert_eq!(&c[1], want_level);
            assert_eq!(&c[2], sample);
            assert_eq!(c[3].parse::<u64>().ok(), d["line"].as_u64());
            assert_eq!(c[4].parse::<u64>().ok(), d["column"].as_u64());
            assert_eq!(&c[5], d["code"].as_str().expect("code"));
            assert_eq!(&c[6], d["message"].as_str().expect("message"));
        }
    }
}

#[test]
fn github_escapes_properties_in_paths() {
    let t = tempfile::tempdir().expect("tempdir");
    let p = t.path().join("a,b:c%.plist");
    std::fs::write(&p, "<plist><dict><key>Booter</key><dict><key>Quirks</key><dict><key>AvoidRuntimeDefrag</key><false/></dict></dict></dict></plist>").expect("write");
    let out = ocaudit(&[
        "check",
        "--format",
        "github",
        "--select",
        "B001",
        p.to_str().expect("utf8"),
    ]);
    let text = stdout(&out);
    assert!(text.contains("a%2Cb%3Ac%25.plist,line=1,"), "{text}");
    assert!(text.starts_with("::warning file="), "{text}");
}

// ----------------------------------------------------------- JSON schema

#[test]
fn json_output_matches_the_documented_schema() {
    let schema_path = manifest().join("docs/json.schema.json");
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(&schema_path).expect("schema"))
            .expect("JSON");
    let t = tempfile::tempdir().expect("tempdir");
    efi_volume(t.path());
    let broken = t.path().join("broken.plist");
    std::fs::write(&broken, "<plist><dict><key>A</key>").expect("write");
    let binary = t.path().join("binary.plist");
    std::fs::write(&binary, b"bplist00\x00\x01").expect("write");
    let mut runs: Vec<Vec<String>> = samples().into_iter().map(|s| vec![s]).collect();
    runs.push(samples());
    runs.push(vec![
        broken.display().to_string(),
        binary.display().to_string(),
    ]);
    runs.push(vec!["--efi".into(), t.path().display().to_string()]);
    let mut seen_fix = false;
    let mut checked = Vec::new();
    for args in runs {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = ocaudit(&[&["check", "--format", "json"], &args[..]].concat());
        let report = json_of(&out);
        let errors = schema::validate(&schema, &report);
        assert!(errors.is_empty(), "{args:?}: {errors:#?}");
        checked.push(report.clone());
        seen_fix |= report.to_string().contains("\"applicability\"");
    }
    python_cross_check(&schema_path, &checked);
    assert!(seen_fix, "the samples exercise the fix object");
}

#[test]
fn json_doc_names_every_field_the_schema_has() {
    let doc = std::fs::read_to_string(manifest().join("docs/json.md")).expect("docs/json.md");
    let schema = std::fs::read_to_string(manifest().join("docs/json.schema.json")).expect("schema");
    let schema: Value = serde_json::from_str(&schema).expect("JSON");
    let mut names = Vec::new();
    collect_properties(&schema, &mut names);
    for name in names {
        assert!(
            doc.contains(&format!("`{name}`")),
            "docs/json.md does not describe `{name}`"
        );
    }
}

fn collect_properties(v: &Value, out: &mut Vec<String>) {
    if let Some(o) = v.as_object() {
        if let Some(props) = o.get("properties").and_then(Value::as_object) {
            out.extend(props.keys().cloned());
        }
        for sub in o.values() {
            collect_properties(sub, out);
        }
    } else if let Some(a) = v.as_array() {
        a.iter().for_each(|x| collect_properties(x, out));
    }
}

// ------------------------------------------------------- the validator

#[test]
fn validator_catches_what_it_claims() {
    let schema_v: Value = serde_json::json!({
        "type": "object",
        "required": ["a"],
        "properties": {
            "a": { "type": "integer", "minimum": 1 },
            "b": { "$ref": "#/$defs/b" }
        },
        "$defs": { "b": { "oneOf": [ { "type": "null" }, { "type": "string", "pattern": "^x", "minLength": 2 } ] } }
    });
    assert!(schema::validate(&schema_v, &serde_json::json!({"a": 1, "b": null})).is_empty());
    assert!(schema::validate(&schema_v, &serde_json::json!({"a": 1, "b": "xy"})).is_empty());
    assert_eq!(
        schema::validate(&schema_v, &serde_json::json!({"b": "y"})).len(),
        2
    );
    assert_eq!(
        schema::validate(&schema_v, &serde_json::json!({"a": 0, "b": "x"})).len(),
        2
    );
    assert_eq!(
        schema::validate(&schema_v, &serde_json::json!({"a": "1"})).len(),
        1
    );
    // The Python second opinion reports failures too, when it is there.
    let file = tempfile::NamedTempFile::new().expect("temp");
    std::fs::write(file.path(), schema_v.to_string()).expect("write");
    let good = serde_json::json!({"a": 1});
    let bad = serde_json::json!({"a": 0});
    if let Some(r) = schema::python_validate(file.path(), std::slice::from_ref(&good)) {
        assert!(r.is_ok(), "{r:?}");
        let err = schema::python_validate(file.path(), &[good, bad]).expect("ran before");
        assert!(err.is_err_and(|e| e.starts_with("1: ")));
    }
}
