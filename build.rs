//! Build script: turns `rules/platforms.json` and `rules/signals.json` into
//! Rust statics.
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
    link_position_dependent();
    println!("cargo:rerun-if-changed=rules/platforms.json");
    println!("cargo:rerun-if-changed=rules/signals.json");
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
    let slugs: Vec<String> = platforms
        .iter()
        .filter_map(|p| p.get("slug").and_then(Value::as_str).map(str::to_owned))
        .collect();
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let dest = Path::new(&out_dir).join("platforms.rs");
    std::fs::write(&dest, out).unwrap_or_else(|e| panic!("{}: {e}", dest.display()));
    let signals = signals(&slugs);
    let dest = Path::new(&out_dir).join("signals.rs");
    std::fs::write(&dest, signals).unwrap_or_else(|e| panic!("{}: {e}", dest.display()));
}

/// `rules/signals.json` as a `SIGNALS` table; groups are expanded to slugs.
fn signals(slugs: &[String]) -> String {
    let text = std::fs::read_to_string("rules/signals.json")
        .unwrap_or_else(|e| panic!("rules/signals.json: {e}"));
    let data: Value = serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("rules/signals.json is not valid JSON: {e}"));
    let groups = data
        .get("groups")
        .and_then(Value::as_object)
        .unwrap_or_else(|| panic!("rules/signals.json: `groups` must be an object"));
    let expand_one = |name: &str| -> Vec<String> {
        if let Some(prefix) = name.strip_suffix('*') {
            let v: Vec<String> = slugs
                .iter()
                .filter(|s| s.starts_with(prefix))
                .cloned()
                .collect();
            assert!(
                !v.is_empty(),
                "rules/signals.json: `{name}` matches no platform"
            );
            v
        } else {
            assert!(
                slugs.iter().any(|s| s == name),
                "rules/signals.json: unknown platform `{name}`"
            );
            vec![name.to_owned()]
        }
    };
    let expand = |name: &str| -> Vec<String> {
        match groups.get(name) {
            Some(members) => members
                .as_array()
                .unwrap_or_else(|| panic!("rules/signals.json: group `{name}` must be an array"))
                .iter()
                .flat_map(|m| expand_one(m.as_str().expect("group members are strings")))
                .collect(),
            None => expand_one(name),
        }
    };
    let mut out = String::from(
        "/// Every signal of `rules/signals.json`, in file order.\n\
         pub static SIGNALS: &[SignalDef] = &[\n",
    );
    let list = data
        .get("signals")
        .and_then(Value::as_array)
        .unwrap_or_else(|| panic!("rules/signals.json: `signals` must be an array"));
    for (i, s) in list.iter().enumerate() {
        let obj = s
            .as_object()
            .unwrap_or_else(|| panic!("rules/signals.json: signal {i} must be an object"));
        let at = format!("rules/signals.json: signal {i}");
        for k in obj.keys() {
            assert!(
                ["kind", "match", "points_to", "weight", "note", "unless"].contains(&k.as_str()),
                "{at}: unknown field `{k}`"
            );
        }
        let kind = match string(obj, "kind", &at).as_str() {
            "ig-platform-id" => "IgPlatformId",
            "igpu-device-id" => "IgpuDeviceId",
            "cpuid1" => "Cpuid1",
            "patch-base" => "PatchBase",
            "patch-comment" => "PatchComment",
            "kext" => "Kext",
            "acpi" => "Acpi",
            "driver" => "Driver",
            "quirk" => "Quirk",
            "nvram-key" => "NvramKey",
            "property-value" => "PropertyValue",
            "smbios" => "Smbios",
            "smbios-prefix" => "SmbiosPrefix",
            "cpu-model" => "CpuModel",
            "cpu-gen" => "CpuGen",
            "boot-arg" => "BootArg",
            "name" => "Name",
            "acpi-delete" => "AcpiDelete",
            "pci-device-id" => "PciDeviceId",
            other => panic!("{at}: unknown kind `{other}`"),
        };
        let names: Vec<String> = obj
            .get("points_to")
            .and_then(Value::as_array)
            .unwrap_or_else(|| panic!("{at}: `points_to` must be an array"))
            .iter()
            .map(|v| {
                v.as_str()
                    .unwrap_or_else(|| panic!("{at}: points_to holds strings"))
                    .to_owned()
            })
            .collect();
        let mut targets: Vec<String> = names.iter().flat_map(|n| expand(n)).collect();
        targets.sort();
        targets.dedup();
        let weight = obj
            .get("weight")
            .and_then(Value::as_u64)
            .filter(|w| (0..=10).contains(w))
            .unwrap_or_else(|| panic!("{at}: `weight` must be 0 to 10"));
        let _ = writeln!(
            out,
            "    SignalDef {{ kind: SignalKind::{kind}, pattern: {:?}, points_to: {:?}, targets: &{:?}, weight: {weight}, note: {}, unless: {} }},",
            string(obj, "match", &at),
            names.join(","),
            targets,
            optional_string(obj, "note", &at),
            optional_string(obj, "unless", &at),
        );
    }
    out.push_str("];\n");
    out
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
    let mat = match obj.get("mat") {
        Some(Value::Bool(b)) => format!("Some({b})"),
        Some(Value::Null) => "None".into(),
        _ => panic!("{at}: `mat` must be true, false or null"),
    };
    let old_firmware = obj
        .get("old_firmware")
        .and_then(Value::as_bool)
        .unwrap_or_else(|| panic!("{at}: `old_firmware` must be a boolean"));
    let vendor = string(obj, "vendor", &at);
    assert!(
        ["intel", "amd", "any"].contains(&vendor.as_str()),
        "{at}: vendor must be intel, amd or any"
    );
    let firmware = match string(obj, "firmware", &at).as_str() {
        "uefi" => "Uefi",
        "apple" => "Apple",
        "legacy" => "Legacy",
        "vm" => "Virtual",
        other => panic!("{at}: unknown firmware `{other}`"),
    };
    let _ = writeln!(
        out,
        "    Platform {{\n        slug: {slug:?},\n        title: {:?},\n        sandy_ivy: {sandy_ivy},\n        vendor: {vendor:?},\n        firmware: Firmware::{firmware},\n        mat: {mat},\n        old_firmware: {old_firmware},\n        models: &[{}],\n        guide: {:?},\n        quirks: &[",
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

/// On x86_64 Linux, link the `ocaudit` executable at a fixed address
/// (`-no-pie`). A position-independent executable makes the dynamic loader
/// apply thousands of relocations at every start (every `&'static str` in
/// the rule, schema and platform tables is one), touching pages a check run
/// never reads again: about a fifth of its page faults on a small config.
/// The objects stay position-independent, so this needs no compiler flags
/// and reaches only the binary (not build scripts, proc macros or tests);
/// `cargo build --release` and `cargo install --path .` get it as they are.
fn link_position_dependent() {
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") == "linux" && var("CARGO_CFG_TARGET_ARCH") == "x86_64" {
        println!("cargo:rustc-link-arg-bins=-no-pie");
    }
}
