//! Build script: turns `rules/platforms.json` into Rust statics.
//!
//! The platform profiles are data, kept as JSON so they stay easy to read
//! and review, but every `ocaudit` process needs them: parsing the JSON at
//! run time cost about 1.4 million instructions per process, more than
//! loading a typical config. Here the JSON is read once, at build time, and
//! written out as `static` tables that cost nothing to start.

use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Map, Value};

fn main() {
    println!("cargo:rerun-if-changed=rules/platforms.json");
    let text = std::fs::read_to_string("rules/platforms.json")
        .unwrap_or_else(|e| panic!("rules/platforms.json: {e}"));
    let data: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("rules/platforms.json is not valid JSON: {e}"));
    let platforms = data
        .get("platforms")
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("rules/platforms.json: `platforms` must be an array"));
    let mut out = String::from(
        "/// Every platform profile, in the order of `rules/platforms.json`.\n\
         pub static PLATFORMS: &[Platform] = &[\n",
    );
    for p in platforms {
        platform(&mut out, p);
    }
    out.push_str("];\n");
    let dest =
        Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("platforms.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("{}: {e}", dest.display()));
}

fn platform(out: &mut String, p: &Value) {
    let obj = p
        .as_object()
        .unwrap_or_else(|| panic!("rules/platforms.json: a platform must be an object"));
    let slug = string(obj, "slug", "platform");
    let at = format!("platform {slug}");
    let models: Vec<String> = obj
        .get("models")
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("{at}: `models` must be an array"))
        .iter()
        .map(|m| {
            let m = m
                .as_str()
                .unwrap_or_else(|| panic!("{at}: models must be strings"));
            format!("{m:?}")
        })
        .collect();
    let sandy_ivy = obj
        .get("sandy_ivy")
        .and_then(Value::as_bool)
        .unwrap_or_else(|| panic!("{at}: `sandy_ivy` must be a boolean"));
    let _ = writeln!(
        out,
        "    Platform {{\n        slug: {slug:?},\n        title: {:?},\n        sandy_ivy: {sandy_ivy},\n        models: &[{}],\n        guide: {:?},\n        quirks: &[",
        string(obj, "title", &at),
        models.join(", "),
        string(obj, "guide", &at),
    );
    let quirks = obj
        .get("quirks")
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("{at}: `quirks` must be an object"));
    // serde_json's map is sorted by key, which the binary search relies on.
    let mut keys: Vec<&String> = quirks.keys().collect();
    keys.sort();
    for key in keys {
        advice(out, &format!("{at}, quirk {key}"), key, &quirks[key]);
    }
    out.push_str("        ],\n    },\n");
}

fn advice(out: &mut String, at: &str, key: &str, a: &Value) {
    let obj = a
        .as_object()
        .unwrap_or_else(|| panic!("{at}: advice must be an object"));
    for k in obj.keys() {
        assert!(
            ["value", "when", "when_value", "note", "default_only"].contains(&k.as_str()),
            "{at}: unknown field `{k}`"
        );
    }
    let value = advice_value(
        obj.get("value")
            .unwrap_or_else(|| panic!("{at}: `value` is required")),
        at,
    );
    let when = optional_string(obj, "when", at);
    let when_value = obj
        .get("when_value")
        .map(|v| format!("Some({})", advice_value(v, at)))
        .unwrap_or_else(|| "None".into());
    let note = optional_string(obj, "note", at);
    let default_only = match obj.get("default_only") {
        None => false,
        Some(v) => v
            .as_bool()
            .unwrap_or_else(|| panic!("{at}: `default_only` must be a boolean")),
    };
    let _ = writeln!(
        out,
        "            ({key:?}, QuirkAdvice {{ value: {value}, when: {when}, when_value: {when_value}, note: {note}, default_only: {default_only} }}),"
    );
}

fn advice_value(v: &Value, at: &str) -> String {
    match v {
        Value::Bool(b) => format!("AdviceValue::Bool({b})"),
        Value::Number(n) => match n.as_i64() {
            Some(i) => format!("AdviceValue::Int({i})"),
            None => panic!("{at}: numbers must be integers"),
        },
        _ => panic!("{at}: a value must be a boolean or an integer"),
    }
}

fn string(obj: &Map<String, Value>, key: &str, at: &str) -> String {
    obj.get(key)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("{at}: `{key}` must be a string"))
        .to_owned()
}

fn optional_string(obj: &Map<String, Value>, key: &str, at: &str) -> String {
    match obj.get(key) {
        None => "None".into(),
        Some(Value::String(s)) => format!("Some({s:?})"),
        Some(_) => panic!("{at}: `{key}` must be a string"),
    }
}
