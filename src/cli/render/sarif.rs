//! `check --format sarif`: a SARIF 2.1.0 log for code-scanning tools.
//!
//! One run; `tool.driver.rules` lists every rule of the registry (so a
//! viewer can show the help of any code), and each result points at its
//! rule by id and index, with a physical location (file URI, 1-based line
//! and column in Unicode code points) and the key path as a logical location.

use std::io::Write;

use serde_json::{Value, json};

use crate::audit::{FileReport, Skipped};
use crate::rules::{self, Diagnostic, RuleMeta, Severity};

/// The `$schema` of the log.
pub const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// Where people learn about ocaudit (shown by viewers next to the tool name).
pub const INFORMATION_URI: &str = "https://github.com/ocaudit/ocaudit";

/// Write the SARIF log of a run that could not check `skipped`: the run
/// then carries an invocation that did not succeed, with one error
/// notification per path.
pub fn report(
    reports: &[FileReport],
    skipped: &[Skipped],
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    let mut log = build(reports);
    if !skipped.is_empty() {
        let notes: Vec<Value> = skipped
            .iter()
            .map(|s| {
                json!({
                    "level": "error",
                    "message": { "text": format!("not checked: {}", s.reason) },
                    "locations": [{
                        "physicalLocation": { "artifactLocation": { "uri": file_uri(&s.path) } }
                    }],
                })
            })
            .collect();
        log["runs"][0]["invocations"] = json!([{
            "executionSuccessful": false,
            "toolExecutionNotifications": notes,
        }]);
    }
    // Serialise first: a write error (a closed pipe) then stays an io::Error.
    let mut text = serde_json::to_vec_pretty(&log)?;
    text.push(b'\n');
    out.write_all(&text)?;
    Ok(())
}

/// The SARIF level of a severity.
pub fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

/// Build the SARIF log as JSON.
pub fn build(reports: &[FileReport]) -> Value {
    let all: Vec<&'static RuleMeta> = rules::all().collect();
    let results: Vec<Value> = reports
        .iter()
        .flat_map(|r| r.diagnostics.iter().map(|d| result(r, d, &all)))
        .collect();
    json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "ocaudit",
                    "version": env!("CARGO_PKG_VERSION"),
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": INFORMATION_URI,
                    "rules": all.iter().map(|m| rule(m)).collect::<Vec<_>>(),
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// One `reportingDescriptor`.
fn rule(m: &RuleMeta) -> Value {
    let full = section(m.docs, "What it does").unwrap_or_else(|| m.summary.to_owned());
    json!({
        "id": m.code,
        "name": m.name,
        "shortDescription": { "text": m.summary },
        "fullDescription": { "text": full },
        "help": { "text": m.docs, "markdown": m.docs },
        "defaultConfiguration": { "level": level(m.severity) },
        "properties": { "why": m.why },
    })
}

/// One `result`.
fn result(r: &FileReport, d: &Diagnostic, all: &[&'static RuleMeta]) -> Value {
    let (line, col) = r.source().map_or((1, 1), |s| s.line_col(d.span.start));
    let mut region = json!({ "startLine": line, "startColumn": col });
    if let Some(src) = r.source()
        && d.span.end > d.span.start
    {
        let (end_line, end_col) = src.line_col(d.span.end);
        region["endLine"] = json!(end_line);
        region["endColumn"] = json!(end_col);
    }
    let mut location = json!({
        "physicalLocation": {
            "artifactLocation": { "uri": file_uri(&r.path) },
            "region": region,
        }
    });
    if !d.path.is_empty() {
        location["logicalLocations"] = json!([{ "fullyQualifiedName": d.path, "kind": "member" }]);
    }
    let mut result = json!({
        "ruleId": d.rule.code,
        "level": level(d.severity),
        "message": { "text": d.message },
        "locations": [location],
    });
    if let Some(i) = all.iter().position(|m| m.code == d.rule.code) {
        result["ruleIndex"] = json!(i);
    }
    let mut props = serde_json::Map::new();
    if !d.notes.is_empty() {
        props.insert("notes".into(), json!(d.notes));
    }
    if let Some(f) = &d.fix {
        props.insert(
            "fix".into(),
            json!({ "applicability": f.applicability, "summary": f.summary }),
        );
    } else if let Some(h) = &d.help {
        props.insert("help".into(), json!(h));
    }
    if !props.is_empty() {
        result["properties"] = Value::Object(props);
    }
    result
}

/// The body of the Markdown section `## title`, as one paragraph.
fn section(docs: &str, title: &str) -> Option<String> {
    let start = docs.find(&format!("## {title}\n"))? + title.len() + 4;
    let body = &docs[start..];
    let body = body.find("\n## ").map_or(body, |end| &body[..end]);
    let text = body.split_whitespace().collect::<Vec<_>>().join(" ");
    (!text.is_empty()).then_some(text)
}

/// A path as given on the command line, as a URI reference: relative paths
/// stay relative (resolved against the checkout by code scanning), absolute
/// ones become `file://` URIs. Reserved and non-ASCII bytes are %-encoded.
pub fn file_uri(path: &str) -> String {
    let slashed = path.replace('\\', "/");
    let encoded = encode(&slashed);
    if slashed.starts_with('/') {
        format!("file://{encoded}")
    } else if slashed.as_bytes().get(1) == Some(&b':') {
        // A Windows drive path: C:/x → file:///C:/x
        format!("file:///{}{}", &slashed[..2], encode(&slashed[2..]))
    } else {
        encoded.trim_start_matches("./").to_owned()
    }
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris() {
        assert_eq!(file_uri("EFI/OC/config.plist"), "EFI/OC/config.plist");
        assert_eq!(file_uri("./a b/c.plist"), "a%20b/c.plist");
        assert_eq!(
            file_uri("/mnt/EFI #2/config.plist"),
            "file:///mnt/EFI%20%232/config.plist"
        );
        assert_eq!(
            file_uri("C:\\EFI\\config.plist"),
            "file:///C:/EFI/config.plist"
        );
    }

    #[test]
    fn every_rule_has_a_full_description_from_its_docs() {
        for m in rules::all() {
            let full = section(m.docs, "What it does");
            assert!(full.is_some(), "{} docs lack `## What it does`", m.code);
        }
    }
}
