//! Unit tests with fixtures built here (no ../shared needed). Full configs
//! are rendered from the embedded schema's own sample values.

use std::collections::HashMap;

use super::*;
use crate::audit::{self, AuditOptions};
use crate::patch::{self, NewValue, Style};
use crate::rules::Evidence;

/// A complete config for `version`: every required key with its sample value.
fn config_for(version: &str) -> String {
    let t = Table::get();
    let r = release_index(version).expect("known release");
    let mut roots: Vec<usize> = t
        .roots
        .iter()
        .copied()
        .filter(|&c| t.keys[c].required & data::bit(r) != 0)
        .collect();
    roots.sort_by_key(|&c| t.keys[c].leaf.to_ascii_lowercase());
    let dict = NewValue::Dict(
        roots
            .into_iter()
            .filter_map(|c| Some((t.keys[c].leaf.to_owned(), sample(t, c, r, &HashMap::new())?)))
            .collect(),
    );
    let style = Style {
        unit: "\t".into(),
        eol: "\n",
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n{}\n</plist>\n",
        patch::render(&dict, "", &style)
    )
}

fn load(text: &str) -> audit::Loaded {
    match audit::load("t.plist", text.as_bytes().to_vec()) {
        Ok(l) => l,
        Err(_) => panic!("fixture loads"),
    }
}

/// Codes of X004/X006-X009 when checking `text` against `version`.
fn codes(text: &str, version: Option<&str>, log: Option<&str>) -> Vec<(&'static str, String)> {
    let opts = AuditOptions {
        oc_version: version.map(str::to_owned),
        evidence: log.map(|v| Evidence {
            log_version: Some(v.to_owned()),
            ..Evidence::default()
        }),
        check: crate::rules::CheckOptions {
            select: ["X004", "X006", "X007", "X008", "X009"]
                .map(String::from)
                .to_vec(),
            ignore: Vec::new(),
        },
        ..AuditOptions::default()
    };
    let r = audit::audit_bytes("t.plist", text.as_bytes().to_vec(), &opts);
    r.diagnostics
        .iter()
        .map(|d| (d.rule.code, d.path.clone()))
        .collect()
}

/// Apply upgrade fixes in passes until none is left or none applies.
fn upgrade(text: &str, target: &str) -> String {
    let mut text = text.to_owned();
    for _ in 0..8 {
        let loaded = load(&text);
        let fixes = upgrade_fixes(&loaded, target);
        if fixes.is_empty() {
            break;
        }
        let refs: Vec<&patch::Fix> = fixes.iter().collect();
        let applied = patch::apply(&text, &refs);
        if applied.applied.is_empty() {
            break;
        }
        text = applied.text;
    }
    text
}

#[test]
fn releases_run_from_0_5_0_to_head() {
    let r = releases();
    assert_eq!(r.first(), Some(&"0.5.0"));
    assert_eq!(r.last(), Some(&"HEAD"));
    assert_eq!(
        release_index("v1.0.7"),
        r.iter().position(|v| *v == "1.0.7")
    );
    assert_eq!(release_index("9.9.9"), None);
    assert_eq!(
        running_release("9.9.9"),
        r.iter().position(|v| *v == "HEAD")
    );
}

#[test]
fn embedded_statics_match_the_text_form() {
    let parsed = Table::parse(data::DATA);
    assert_eq!(
        &parsed,
        Table::get(),
        "rules/schema/opencore.rs is stale: rerun `cargo run --example gen_schema`"
    );
}

#[test]
fn lookups_and_types() {
    let s = schema_for("1.0.7").expect("1.0.7 is known");
    let k = s.get("Booter/Quirks/ProvideMaxSlide").expect("present");
    assert_eq!(k.kind, Kind::Integer);
    assert!(!k.optional);
    assert_eq!(s.get("NVRAM/Add/*/*").map(|k| k.kind), Some(Kind::Any));
    assert!(s.get("PlatformInfo/SMBIOS").is_some_and(|k| k.optional));
    assert!(s.get("UEFI/Protocols").is_none());
    let old = schema_for("0.7.2").expect("known");
    assert_eq!(
        old.get("UEFI/Drivers/[]").map(|k| k.kind),
        Some(Kind::String)
    );
    assert_eq!(s.get("UEFI/Drivers/[]").map(|k| k.kind), Some(Kind::Dict));
    assert!(
        s.keys()
            .all(|k| !k.path.split('/').any(|p| p.starts_with('#')))
    );
}

#[test]
fn diff_and_history() {
    let (a, b) = (schema_for("0.5.5").unwrap(), schema_for("0.5.6").unwrap());
    let d = diff(&a, &b);
    assert!(d.added.contains(&"UEFI/Output/ProvideConsoleGop"));
    assert!(d.removed.contains(&"UEFI/Quirks/ProvideConsoleGop"));
    assert_eq!(
        history("UEFI/Quirks/ProvideConsoleGop", "1.0.7").as_deref(),
        Some("ProvideConsoleGop moved from UEFI/Quirks to UEFI/Output in 0.5.6")
    );
    assert_eq!(
        history("UEFI/Protocols", "1.0.7").as_deref(),
        Some("UEFI/Protocols was removed in 0.5.8")
    );
    let added = history("Booter/Quirks/ClearTaskSwitchBit", "0.9.0").unwrap_or_default();
    assert!(added.contains("after your target release"), "{added}");
    assert_eq!(history("Booter/Quirks/ClearTaskSwitchBit", "1.0.7"), None);
    let typo = history("Booter/Quirks/ProvideMaxslide", "1.0.7").unwrap_or_default();
    assert!(typo.contains("did you mean ProvideMaxSlide"), "{typo}");
}

#[test]
fn generated_configs_are_clean_and_inferred() {
    for v in ["0.5.0", "0.6.4", "0.7.3", "0.9.2", "1.0.7"] {
        let text = config_for(v);
        assert_eq!(codes(&text, Some(v), None), [], "{v} against itself");
        let loaded = load(&text);
        let inf = infer(Table::get(), &loaded.doc.root);
        let r = release_index(v).unwrap();
        assert!(inf.contains(r), "{v}: {}", inf.summary());
        assert_eq!(inf.score, 0);
    }
}

#[test]
fn unknown_missing_wrong_type_and_comments() {
    let base = config_for("1.0.7");
    // A removed quirk, a missing one, a mistyped one and a comment key.
    let text = base
        .replacen(
            "<key>AppleXcpmCfgLock</key>",
            "<key>#Comment</key>\n\t\t\t<string>ignored</string>\n\t\t\t<key>ThirdPartyTrim</key>\n\t\t\t<true/>\n\t\t\t<key>AppleXcpmCfgLock</key>",
            1,
        )
        .replacen(
            "\t\t\t<key>ClearTaskSwitchBit</key>\n\t\t\t<false/>\n",
            "",
            1,
        )
        .replacen(
            "<key>Timeout</key>\n\t\t\t<integer>5</integer>",
            "<key>Timeout</key>\n\t\t\t<string>5</string>",
            1,
        );
    let found = codes(&text, Some("1.0.7"), None);
    assert!(
        found.contains(&("X006", "Kernel/Quirks/ThirdPartyTrim".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("X007", "Booter/Quirks/ClearTaskSwitchBit".into())),
        "{found:?}"
    );
    assert!(
        found.contains(&("X004", "Misc/Boot/Timeout".into())),
        "{found:?}"
    );
    assert_eq!(found.len(), 3, "{found:?}");
    let r = audit::audit_bytes(
        "t.plist",
        text.into_bytes(),
        &AuditOptions {
            oc_version: Some("1.0.7".into()),
            ..AuditOptions::default()
        },
    );
    let x006 = r
        .diagnostics
        .iter()
        .find(|d| d.rule.code == "X006")
        .unwrap();
    assert!(
        x006.message
            .contains("renamed to Kernel/Quirks/ThirdPartyDrives in 0.5.3"),
        "{}",
        x006.message
    );
    let src = r.source().unwrap();
    assert!(src.text[x006.span.clone()].starts_with("<key>ThirdPartyTrim"));
    let x007 = r
        .diagnostics
        .iter()
        .find(|d| d.rule.code == "X007")
        .unwrap();
    assert!(
        src.text[x007.span.clone()].starts_with("<dict>"),
        "points at the parent dict"
    );
    assert!(
        x007.fix
            .as_ref()
            .is_some_and(|f| f.applicability == patch::Applicability::Safe)
    );
}

/// ClearTaskSwitchBit is `false` in the sample and as failsafe: the fix
/// restores the file.
#[test]
fn missing_key_fix_inserts_the_failsafe() {
    let base = config_for("1.0.7");
    let text = base.replacen(
        "\t\t\t<key>ClearTaskSwitchBit</key>\n\t\t\t<false/>\n",
        "",
        1,
    );
    assert_ne!(text, base);
    let opts = AuditOptions {
        oc_version: Some("1.0.7".into()),
        ..AuditOptions::default()
    };
    let r = audit::audit_bytes("t.plist", text.clone().into_bytes(), &opts);
    let fixes: Vec<&patch::Fix> = r
        .diagnostics
        .iter()
        .filter(|d| d.rule.code == "X007")
        .filter_map(|d| d.fix.as_ref())
        .collect();
    assert_eq!(fixes.len(), 1);
    assert_eq!(patch::apply(&text, &fixes).text, base);
}

#[test]
fn non_ascii_strings() {
    let text = config_for("1.0.7").replacen(
        "<key>SystemProductName</key>\n\t\t\t<string>",
        "<key>SystemProductName</key>\n\t\t\t<string>\u{201c}q\u{201d} ",
        1,
    );
    let found = codes(&text, Some("1.0.7"), None);
    assert_eq!(
        found.iter().filter(|(c, _)| *c == "X008").count(),
        1,
        "{found:?}"
    );
}

#[test]
fn log_version_mismatch() {
    let text = config_for("0.6.0");
    let found = codes(&text, None, Some("1.0.7"));
    assert!(found.iter().any(|(c, _)| *c == "X009"), "{found:?}");
    assert!(
        !codes(&text, None, Some("0.6.0"))
            .iter()
            .any(|(c, _)| *c == "X009")
    );
    // The log's release is the target when no flag is given.
    let loaded = load(&text);
    let res = resolve(&loaded.doc.root, None, Some("1.0.7"));
    assert_eq!((res.target_tag(), res.source), ("1.0.7", Source::Log));
    let res = resolve(&loaded.doc.root, Some("0.9.0"), Some("1.0.7"));
    assert_eq!((res.target_tag(), res.source), ("0.9.0", Source::Flag));
}

#[test]
fn a_parsed_log_sets_the_target() {
    let log = crate::memmap::OcLog {
        version: Some("1.0.7".into()),
        ..Default::default()
    };
    let opts = AuditOptions {
        evidence_files: Some(crate::evidence::EvidenceFiles {
            log: Some(("opencore.txt".into(), log)),
            ..Default::default()
        }),
        ..AuditOptions::default()
    };
    let r = audit::audit_bytes("t.plist", config_for("0.6.0").into_bytes(), &opts);
    let res = r.oc_version.expect("an OpenCore config is resolved");
    assert_eq!((res.target_tag(), res.source), ("1.0.7", Source::Log));
    assert!(r.diagnostics.iter().any(|d| d.rule.code == "X009"));
}

#[test]
fn upgrade_moves_values_and_converts_drivers() {
    let old = config_for("0.5.5")
        .replacen(
            "<key>ProvideConsoleGop</key>\n\t\t\t<false/>",
            "<key>ProvideConsoleGop</key>\n\t\t\t<true/>",
            1,
        )
        .replacen(
            "<key>Drivers</key>\n\t\t<array/>",
            "<key>Drivers</key>\n\t\t<array>\n\t\t\t<string>OpenRuntime.efi</string>\n\t\t\t<string>#HfsPlus.efi</string>\n\t\t</array>",
            1,
        );
    assert!(old.contains("#HfsPlus.efi"));
    let loaded = load(&old);
    let summaries: Vec<String> = upgrade_fixes(&loaded, "1.0.7")
        .into_iter()
        .map(|f| f.summary)
        .collect();
    assert!(
        summaries
            .iter()
            .any(|s| s.contains("UEFI/Quirks/ProvideConsoleGop = true")),
        "{summaries:?}"
    );
    let new = upgrade(&old, "1.0.7");
    let loaded = load(&new);
    let left = check(
        Table::get(),
        &loaded.doc.root,
        release_index("1.0.7").unwrap(),
    );
    assert!(
        left.is_empty(),
        "{:?}",
        left.iter()
            .map(|f| format!("{f:?}"))
            .take(3)
            .collect::<Vec<_>>()
    );
    let root = &loaded.doc.root;
    assert_eq!(
        root.pointer("UEFI/Output/ProvideConsoleGop")
            .and_then(|n| n.as_bool()),
        Some(true)
    );
    assert_eq!(
        root.pointer("UEFI/Drivers/0/Path").and_then(|n| n.as_str()),
        Some("OpenRuntime.efi")
    );
    assert_eq!(
        root.pointer("UEFI/Drivers/0/Enabled")
            .and_then(|n| n.as_bool()),
        Some(true)
    );
    assert_eq!(
        root.pointer("UEFI/Drivers/1/Path").and_then(|n| n.as_str()),
        Some("HfsPlus.efi")
    );
    assert_eq!(
        root.pointer("UEFI/Drivers/1/Enabled")
            .and_then(|n| n.as_bool()),
        Some(false)
    );
    assert!(root.pointer("UEFI/Drivers/1/LoadEarly").is_some());
}

#[test]
fn unknown_target_gives_no_upgrade() {
    let loaded = load(&config_for("1.0.7"));
    assert!(upgrade_fixes(&loaded, "7.7.7").is_empty());
    assert!(upgrade_fixes(&loaded, "1.0.7").is_empty());
}

/// OpenCore requires every key inside an optional dict (PlatformInfo/SMBIOS)
/// once the dict is present, as ocvalidate reports; an absent optional dict
/// is fine.
#[test]
fn keys_inside_a_present_optional_dict_are_required() {
    let base = config_for("1.0.7");
    let text = base.replacen(
        "<key>PlatformInfo</key>\n\t<dict>\n",
        "<key>PlatformInfo</key>\n\t<dict>\n\t\t<key>SMBIOS</key>\n\t\t<dict>\n\t\t\t<key>BIOSVendor</key>\n\t\t\t<string>Acidanthera</string>\n\t\t</dict>\n",
        1,
    );
    assert_ne!(text, base);
    let missing: Vec<String> = codes(&text, Some("1.0.7"), None)
        .into_iter()
        .map(|(code, path)| {
            assert_eq!(code, "X007", "{path}");
            path
        })
        .collect();
    let mut expected: Vec<String> = schema_for("1.0.7")
        .unwrap()
        .keys()
        .filter_map(|k| {
            let leaf = k.path.strip_prefix("PlatformInfo/SMBIOS/")?;
            (leaf != "BIOSVendor").then(|| k.path.to_owned())
        })
        .collect();
    expected.sort();
    let mut got = missing.clone();
    got.sort();
    assert!(expected.len() > 20, "{expected:?}");
    assert_eq!(got, expected);
    // The same config, inferred: 1.0.7 still matches (the missing keys
    // count against every release that has them).
    let loaded = load(&text);
    let inf = infer(Table::get(), &loaded.doc.root);
    assert!(
        inf.contains(release_index("1.0.7").unwrap()),
        "{}",
        inf.summary()
    );
}

/// A `<dict>` where a device property's value belongs is X004 on the value,
/// not X006 on the keys inside it; likewise an NVRAM variable.
#[test]
fn a_dict_as_property_or_variable_value_is_wrong_type() {
    let base = config_for("1.0.7");
    let text = base
        .replacen(
            "<key>DeviceProperties</key>\n\t<dict>\n\t\t<key>Add</key>\n\t\t<dict/>\n",
            "<key>DeviceProperties</key>\n\t<dict>\n\t\t<key>Add</key>\n\t\t<dict>\n\t\t\t<key>PciRoot(0x0)/Pci(0x1b,0x0)</key>\n\t\t\t<dict>\n\t\t\t\t<key>layout</key>\n\t\t\t\t<dict>\n\t\t\t\t\t<key>id</key>\n\t\t\t\t\t<integer>11</integer>\n\t\t\t\t</dict>\n\t\t\t\t<key>model</key>\n\t\t\t\t<string>HDA</string>\n\t\t\t</dict>\n\t\t</dict>\n",
            1,
        )
        .replacen(
            "<key>NVRAM</key>\n\t<dict>\n\t\t<key>Add</key>\n\t\t<dict/>\n",
            "<key>NVRAM</key>\n\t<dict>\n\t\t<key>Add</key>\n\t\t<dict>\n\t\t\t<key>4D1FDA02-38C7-4A6A-9CC6-4BCCA8B30102</key>\n\t\t\t<dict>\n\t\t\t\t<key>rtc-blacklist</key>\n\t\t\t\t<array/>\n\t\t\t</dict>\n\t\t</dict>\n",
            1,
        );
    assert_eq!(
        text.matches("<key>PciRoot(0x0)/Pci(0x1b,0x0)</key>")
            .count(),
        1
    );
    assert_eq!(text.matches("rtc-blacklist").count(), 1);
    let found = codes(&text, Some("1.0.7"), None);
    assert_eq!(
        found,
        [
            (
                "X004",
                "DeviceProperties/Add/PciRoot(0x0)/Pci(0x1b,0x0)/layout".to_owned()
            ),
            (
                "X004",
                "NVRAM/Add/4D1FDA02-38C7-4A6A-9CC6-4BCCA8B30102/rtc-blacklist".to_owned()
            ),
        ]
    );
}
