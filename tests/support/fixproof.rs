//! What `fix --unsafe-fixes --write` may do to a config's values (issue 13,
//! "Proof in the project"): (a) every leaf it inserts for X007 is the target
//! release's failsafe; (b) every leaf of the original is still there with its
//! value, at the same path or (X006/X004 moves) under another, except the
//! documented KASLR changes (B, S, W, M rules) and the removal of keys no
//! release knows; (c) boot-args keep every token but removed `slide=` ones.

use std::collections::BTreeMap;

use ocaudit::patch::NewValue;
use ocaudit::schema::{self, Table};
use plist::Value;

/// Every leaf (scalar, empty dict or empty array) by its path components.
pub fn leaves(v: &Value) -> BTreeMap<Vec<String>, Value> {
    fn walk(v: &Value, at: &mut Vec<String>, out: &mut BTreeMap<Vec<String>, Value>) {
        match v {
            Value::Dictionary(d) if !d.is_empty() => {
                for (k, c) in d {
                    at.push(k.clone());
                    walk(c, at, out);
                    at.pop();
                }
            }
            Value::Array(a) if !a.is_empty() => {
                for (i, c) in a.iter().enumerate() {
                    at.push(i.to_string());
                    walk(c, at, out);
                    at.pop();
                }
            }
            _ => {
                out.insert(at.clone(), v.clone());
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(v, &mut Vec::new(), &mut out);
    out
}

/// The schema key path (`ACPI/Patch/[]/Count`) of file path `comps`.
pub fn normalise(comps: &[String]) -> Option<&'static str> {
    let t = Table::get();
    let mut key: Option<usize> = None;
    for c in comps {
        let elem = key.and_then(|k| t.keys[k].elem);
        key = match elem {
            Some(e) if c.parse::<usize>().is_ok() => Some(e),
            _ => Some(t.child(key, c)?),
        };
    }
    key.map(|k| t.keys[k].path)
}

/// Whether a plist value equals a value the fixer writes.
pub fn equals(v: &Value, n: &NewValue) -> bool {
    match (v, n) {
        (Value::Boolean(a), NewValue::Bool(b)) => a == b,
        (Value::Integer(a), NewValue::Int(b)) => a.as_signed() == Some(*b),
        (Value::String(a), NewValue::Str(b)) => a == b,
        (Value::Data(a), NewValue::Data(b)) => a == b,
        (Value::Array(a), NewValue::Array(b)) => a.is_empty() && b.is_empty(),
        (Value::Dictionary(a), NewValue::Dict(b)) => a.is_empty() && b.is_empty(),
        _ => false,
    }
}

/// The rule codes of the edits whose path is `comps` or one of its parents.
fn codes_at<'a>(edits: &'a [(String, Vec<String>)], comps: &[String]) -> Vec<&'a str> {
    let path = comps.join("/");
    edits
        .iter()
        .filter(|(p, _)| path == *p || path.starts_with(&format!("{p}/")))
        .flat_map(|(_, c)| c.iter().map(String::as_str))
        .collect()
}

/// Rules whose fixes change values on purpose (the documented KASLR changes:
/// quirk flips, whitelist entries, boot-args tokens, NVRAM deletes, drivers;
/// the UEFI repairs each U rule's docs describe: LoadEarly, ConnectDrivers,
/// renderer options, enumeration spellings; the kernel rules' quirk flip,
/// enumeration spellings and known kext paths) or re-type a value (X004,
/// X005) or drop ignored duplicates (X003).
fn documented(code: &str) -> bool {
    code.starts_with(['B', 'S', 'W', 'M', 'U', 'K']) || matches!(code, "X003" | "X004" | "X005")
}

/// Where a leaf at `path` (text) went if a move took it: the destination
/// plus the rest of its path, or the destination dict plus its name.
fn moved_to(moves: &[(String, Vec<String>)], path: &str, leaf: Option<&String>) -> Vec<String> {
    let mut out = Vec::new();
    for (src, dests) in moves {
        let Some(rest) = path.strip_prefix(src.as_str()) else {
            continue;
        };
        for d in dests {
            out.push(format!("{d}{rest}"));
            if let Some(l) = leaf {
                out.push(format!("{d}/{l}"));
            }
        }
    }
    out
}

/// The moves in a fix JSON's `fixes`: X006 "move S to D (and E)" and X004
/// "lift ... up to D", as (source path, destinations).
pub fn moves_of(json: &serde_json::Value) -> Vec<(String, Vec<String>)> {
    let mut out = Vec::new();
    for f in json["fixes"].as_array().into_iter().flatten() {
        let (Some(path), Some(summary)) = (f["path"].as_str(), f["summary"].as_str()) else {
            continue;
        };
        let dests = if let Some(r) = summary.strip_prefix("move ") {
            r.split_once(" to ").map(|(_, d)| d)
        } else if summary.starts_with("lift ") {
            summary.split_once(" up to ").map(|(_, d)| d)
        } else {
            None
        };
        let Some(d) = dests.and_then(|d| d.split_once(" (").map(|(d, _)| d)) else {
            continue;
        };
        out.push((
            path.to_owned(),
            d.split(" and ").map(str::to_owned).collect(),
        ));
    }
    out
}

/// Totals of one or more files.
#[derive(Debug, Default)]
pub struct Totals {
    /// Leaves X007 inserted, all equal to a failsafe.
    pub inserted: usize,
    /// Leaves found at another path after a move.
    pub moved: usize,
    /// Leaves removed with a key no release knows.
    pub removed_unknown: usize,
    /// Leaves changed by documented KASLR and type fixes.
    pub documented: usize,
    /// boot-args tokens kept / removed.
    pub tokens_kept: usize,
    /// boot-args tokens removed (all `slide=`).
    pub tokens_removed: usize,
}

/// Check one file; failures are pushed to `fail`.
///
/// `edits` are the fix JSON's (path, codes); `removals` the paths whose
/// X006 fix says no release knows them; `moves` the X006/X004 moves as
/// (source path, destination paths); `tag` the target release.
#[allow(clippy::too_many_arguments)]
pub fn check(
    before: &Value,
    after: &Value,
    edits: &[(String, Vec<String>)],
    removals: &[String],
    moves: &[(String, Vec<String>)],
    tag: &str,
    totals: &mut Totals,
    fail: &mut dyn FnMut(String),
) {
    let old = leaves(before);
    let new = leaves(after);
    // (a) inserted leaves.
    for (path, v) in &new {
        if old.contains_key(path) {
            continue;
        }
        let codes = codes_at(edits, path);
        if !codes.contains(&"X007") || codes.iter().any(|c| *c != "X007" && documented(c)) {
            continue;
        }
        let shown = path.join("/");
        match normalise(path).and_then(|n| schema::failsafe_value(n, tag)) {
            Some(f) if equals(v, &f) => totals.inserted += 1,
            Some(f) => fail(format!("(a) {shown} = {v:?}, failsafe is {f:?}")),
            None => fail(format!("(a) {shown} inserted without a failsafe")),
        }
    }
    // (b) original leaves.
    let by_text: BTreeMap<String, &Value> = new.iter().map(|(p, v)| (p.join("/"), v)).collect();
    for (path, v) in &old {
        if new.get(path) == Some(v) {
            continue;
        }
        let codes = codes_at(edits, path);
        let shown = path.join("/");
        let grown = matches!(v, Value::Dictionary(_) | Value::Array(_))
            && new
                .keys()
                .any(|p| p.len() > path.len() && p.starts_with(path));
        if grown {
            // An empty dict or array that gained entries (X007 filling it).
            continue;
        }
        if codes.iter().any(|c| documented(c)) {
            totals.documented += 1;
        } else if removals
            .iter()
            .any(|r| shown == *r || shown.starts_with(&format!("{r}/")))
        {
            totals.removed_unknown += 1;
        } else if moved_to(moves, &shown, path.last())
            .iter()
            .any(|d| by_text.get(d.as_str()) == Some(&v))
        {
            totals.moved += 1;
        } else {
            fail(format!(
                "(b) {shown} = {v:?} lost (edits there: {codes:?}; now {:?})",
                new.get(path)
            ));
        }
    }
    // (c) boot-args tokens.
    let ba = |v: &Value| {
        v.as_dictionary()?
            .get("NVRAM")?
            .as_dictionary()?
            .get("Add")?
            .as_dictionary()?
            .get("7C436110-AB2A-4BBB-A880-FE41995C9F82")?
            .as_dictionary()?
            .get("boot-args")?
            .as_string()
            .map(str::to_owned)
    };
    if let (Some(b), Some(a)) = (ba(before), ba(after)) {
        let mut kept = a.split_whitespace().peekable();
        for tok in b.split_whitespace() {
            if kept.peek() == Some(&tok) {
                kept.next();
                totals.tokens_kept += 1;
            } else if tok.to_ascii_lowercase().starts_with("slide") {
                totals.tokens_removed += 1;
            } else {
                fail(format!("(c) boot-args token `{tok}` lost: `{b}` -> `{a}`"));
            }
        }
        if let Some(extra) = kept.next() {
            fail(format!(
                "(c) boot-args token `{extra}` appeared: `{b}` -> `{a}`"
            ));
        }
    }
}
