//! Sweep over the real Clover files in `../shared/corpus/clover` (skipped
//! when absent): every file's kind is detected, checking never panics, the
//! codes per file are printed, and applying every fix (safe and unsafe)
//! changes only the `Quirks` and `Boot` keys of a config and re-parses.

use std::collections::BTreeMap;
use std::path::Path;

use ocaudit::audit::{self, AuditOptions};
use ocaudit::model::ConfigKind;
use ocaudit::patch;
use ocaudit::plist::Value;

/// The text of every root key's value, by key (for comparing before/after).
fn root_values(text: &str, kind: ConfigKind) -> BTreeMap<String, String> {
    let loaded = audit::load_as("x", text.as_bytes().to_vec(), Some(kind)).expect("loads");
    let mut out = BTreeMap::new();
    if let Value::Dict(d) = &loaded.doc.root.value {
        for (i, e) in d.entries.iter().enumerate() {
            out.insert(
                format!("{i}:{}", e.key),
                text[e.value.span.clone()].to_owned(),
            );
        }
    }
    out
}

/// Apply every offered fix, pass after pass, until none is left (at most 8).
fn fix_all(name: &str, text: &str, kind: ConfigKind) -> (String, usize) {
    let opts = AuditOptions {
        kind: Some(kind),
        ..Default::default()
    };
    let mut text = text.to_owned();
    let mut total = 0;
    for _ in 0..8 {
        let report = audit::audit_bytes(name, text.as_bytes().to_vec(), &opts);
        let fixes: Vec<_> = report
            .diagnostics
            .iter()
            .filter_map(|d| d.fix.as_ref())
            .collect();
        if fixes.is_empty() {
            break;
        }
        let applied = patch::apply(&text, &fixes);
        if applied.applied.is_empty() || applied.text == text {
            break;
        }
        total += applied.applied.len();
        text = applied.text;
    }
    (text, total)
}

#[test]
fn clover_corpus_sweep() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/clover");
    if !dir.is_dir() {
        println!("skipped: ../shared/corpus not found");
        return;
    }
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("corpus readable")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "plist"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no plist in {}", dir.display());
    let mut failures = Vec::new();
    for p in &paths {
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let raw = std::fs::read(p).expect("corpus file readable");
        let report = audit::audit_bytes(&name, raw.clone(), &AuditOptions::default());
        let expected = if name.contains("OcQuirks") {
            ConfigKind::OcQuirks
        } else {
            ConfigKind::Clover
        };
        let mut codes: Vec<&str> = report.diagnostics.iter().map(|d| d.rule.code).collect();
        codes.sort_unstable();
        codes.dedup();
        println!("{name}: {:?} {}", report.kind(), codes.join(" "));
        if report.kind() != Some(expected) {
            failures.push(format!(
                "{name}: kind {:?}, expected {expected:?}",
                report.kind()
            ));
            continue;
        }
        let text = String::from_utf8_lossy(&raw).into_owned();
        let (after, applied) = fix_all(&name, &text, expected);
        if audit::load_as(&name, after.as_bytes().to_vec(), Some(expected)).is_err() {
            failures.push(format!("{name}: does not re-parse after {applied} fixes"));
            continue;
        }
        let opts = AuditOptions {
            kind: Some(expected),
            ..Default::default()
        };
        let again = audit::audit_bytes(&name, after.as_bytes().to_vec(), &opts);
        let left: Vec<&str> = again
            .diagnostics
            .iter()
            .filter(|d| d.fix.is_some())
            .map(|d| d.rule.code)
            .collect();
        if !left.is_empty() {
            failures.push(format!("{name}: fixes did not converge, left {left:?}"));
        }
        if expected == ConfigKind::Clover {
            let before = root_values(&text, expected);
            let now = root_values(&after, expected);
            for (k, v) in &before {
                let key = k.split_once(':').map_or(k.as_str(), |(_, k)| k);
                if !["Quirks", "Boot"].contains(&key) && now.get(k) != Some(v) {
                    failures.push(format!("{name}: fixes changed root key {key}"));
                }
            }
        }
        println!("  {applied} fixes applied, re-parses");
    }
    assert!(failures.is_empty(), "{failures:#?}");
}
