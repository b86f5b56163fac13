//! Bringing a config to another release: failsafe values for missing keys,
//! removal of keys the release does not know (each listed with its value),
//! and the known structural migrations (moved or renamed keys keep the
//! user's value; UEFI/Drivers strings become dicts at 0.7.3; the few
//! booleans that became strings, and back).

use std::collections::HashMap;

use super::check::{Finding, check};
use super::data::{Kind, Table, hex_bytes, unescape};
use super::{history, release_index};
use crate::load::Loaded;
use crate::patch::{self, Fix, NewValue, Style};
use crate::plist::{Node, Value};

/// Keys whose type changed between a boolean and an `Enabled`/`Disabled`
/// style string (UEFI/Audio/PlayChime in 0.6.4, UEFI/AppleInput/CustomDelays
/// in 0.6.9, UEFI/Output/GopPassThrough in 0.7.0).
const RETYPED: &[&str] = &[
    "UEFI/Audio/PlayChime",
    "UEFI/AppleInput/CustomDelays",
    "UEFI/Output/GopPassThrough",
];

/// What an upgrade inserts for key `c` missing in release `r`: a moved
/// value from `overrides` (by normalised path), else OpenCore's failsafe for
/// it, so the inserted key changes nothing at boot; a dict holds its
/// required keys the same way. `None` when some value has no failsafe.
pub(crate) fn upgrade_value(
    t: &Table,
    c: usize,
    r: usize,
    overrides: &HashMap<String, NewValue>,
) -> Option<NewValue> {
    let k = &t.keys[c];
    if let Some(v) = overrides.get(k.path) {
        return Some(v.clone());
    }
    let v = k.at(r)?;
    if v.kind != Kind::Dict || k.free.is_some() {
        return super::failsafe::failsafe(t, c, r);
    }
    let children = inserted_children(t, c, r, overrides);
    let mut out = Vec::with_capacity(children.len());
    for ch in children {
        out.push((
            t.keys[ch].leaf.to_owned(),
            upgrade_value(t, ch, r, overrides)?,
        ));
    }
    Some(NewValue::Dict(out))
}

/// The value key `c` has in release `r`'s sample, as something to insert.
/// Dicts hold their required keys, arrays and user maps start empty;
/// `overrides` (by normalised path) replace sample values.
pub(crate) fn sample(
    t: &Table,
    c: usize,
    r: usize,
    overrides: &HashMap<String, NewValue>,
) -> Option<NewValue> {
    let k = &t.keys[c];
    if let Some(v) = overrides.get(k.path) {
        return Some(v.clone());
    }
    let v = k.at(r)?;
    Some(match v.kind {
        Kind::Boolean => NewValue::Bool(v.value == "true"),
        Kind::Integer => NewValue::Int(
            v.value
                .parse::<i64>()
                .or_else(|_| v.value.parse::<u64>().map(|u| u as i64))
                .unwrap_or(0),
        ),
        Kind::String => NewValue::Str(unescape(v.value)),
        Kind::Data => NewValue::Data(hex_bytes(v.value)),
        Kind::Array => NewValue::Array(Vec::new()),
        Kind::Any => return None,
        Kind::Dict => NewValue::Dict(
            inserted_children(t, c, r, overrides)
                .into_iter()
                .filter_map(|ch| Some((t.keys[ch].leaf.to_owned(), sample(t, ch, r, overrides)?)))
                .collect(),
        ),
    })
}

/// The keys a dict `c` gets when it is inserted for release `r`: its
/// required keys and those `overrides` carry, in the samples' order.
fn inserted_children(
    t: &Table,
    c: usize,
    r: usize,
    overrides: &HashMap<String, NewValue>,
) -> Vec<usize> {
    let mut children: Vec<usize> = t.keys[c]
        .children
        .iter()
        .copied()
        .filter(|&ch| {
            let ck = &t.keys[ch];
            !matches!(ck.leaf, "*" | "[]")
                && (ck.required & super::data::bit(r) != 0 || overrides.contains_key(ck.path))
        })
        .collect();
    children.sort_by(|&a, &b| caseless(t.keys[a].leaf, t.keys[b].leaf));
    children
}

/// Compare ignoring ASCII case, as OpenCore's samples order keys.
pub(crate) fn caseless(a: &str, b: &str) -> std::cmp::Ordering {
    a.bytes()
        .map(|c| c.to_ascii_lowercase())
        .cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
}

/// The sample value of the key at normalised `path` in release `version`.
pub fn sample_value(path: &str, version: &str) -> Option<NewValue> {
    let t = Table::get();
    sample(t, t.lookup(path)?, release_index(version)?, &HashMap::new())
}

/// A value from the file as something to write elsewhere.
pub(crate) fn to_new_value(node: &Node) -> Option<NewValue> {
    Some(match &node.value {
        Value::Bool(b) => NewValue::Bool(*b),
        Value::Integer(i) => NewValue::Int(i.opencore),
        Value::String(s) => NewValue::Str(s.to_string()),
        Value::Data(d) => NewValue::Data(d.clone()),
        Value::Array(items) => {
            NewValue::Array(items.iter().map(to_new_value).collect::<Option<_>>()?)
        }
        Value::Dict(d) => NewValue::Dict(
            d.entries
                .iter()
                .map(|e| Some((e.key.to_string(), to_new_value(&e.value)?)))
                .collect::<Option<_>>()?,
        ),
        Value::Real(_) | Value::Date(_) | Value::Unknown(_) => return None,
    })
}

/// A value in one line, for fix summaries (`true`, `"Lilu.kext"`, `{...}`).
pub(crate) fn show(node: &Node) -> String {
    let mut out = String::new();
    show_into(node, &mut out);
    if out.len() > SHOW_LIMIT {
        let mut cut = SHOW_LIMIT;
        while !out.is_char_boundary(cut) {
            cut -= 1;
        }
        out.truncate(cut);
        out.push('…');
    }
    out
}

/// How much of a value a summary shows: enough to recognise it, never the
/// megabytes a `<data>` blob can hold.
const SHOW_LIMIT: usize = 120;

/// Appends `node` to `out`, stopping soon after `out` passes [`SHOW_LIMIT`],
/// so the cost is bounded whatever the size of the value.
fn show_into(node: &Node, out: &mut String) {
    use std::fmt::Write as _;
    let full = |out: &String| out.len() > SHOW_LIMIT;
    match &node.value {
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Integer(i) => out.push_str(i.raw.trim()),
        Value::String(s) => {
            let head: String = s.chars().take(SHOW_LIMIT + 1).collect();
            let _ = write!(out, "{head:?}");
        }
        Value::Data(d) => {
            out.push('<');
            for b in d.iter().take(SHOW_LIMIT / 2 + 1) {
                let _ = write!(out, "{b:02X}");
            }
            out.push('>');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if full(out) {
                    return;
                }
                if i > 0 {
                    out.push_str(", ");
                }
                show_into(item, out);
            }
            out.push(']');
        }
        Value::Dict(d) => {
            out.push('{');
            for (i, e) in d.entries.iter().enumerate() {
                if full(out) {
                    return;
                }
                if i > 0 {
                    out.push_str(", ");
                }
                out.push_str(&e.key);
                out.push_str(": ");
                show_into(&e.value, out);
            }
            out.push('}');
        }
        Value::Real(s) | Value::Date(s) | Value::Unknown(s) => {
            out.extend(s.chars().take(SHOW_LIMIT + 1));
        }
    }
}

/// Fixes (all unsafe) that bring `loaded` to release `target`: one per
/// removed key (its summary shows the value), one per dict gaining keys, one
/// per migration. Apply them with [`patch::apply`] in passes, reloading the
/// text between passes, until no fix is left. An unknown `target` gives none.
pub fn upgrade_fixes<'a, R>(loaded: &'a Loaded<R>, target: &str) -> Vec<Fix> {
    let Some(r) = release_index(target) else {
        return Vec::new();
    };
    let t = Table::get();
    let text = loaded.source.text.as_str();
    let root = &loaded.doc.root;
    let style = Style::of(&loaded.source);
    let findings = check(t, root, r);
    let mut fixes = Vec::new();
    let mut overrides: HashMap<String, NewValue> = HashMap::new();
    for f in &findings {
        let Finding::Unknown {
            path, key, entry, ..
        } = f
        else {
            continue;
        };
        let shown = show(&entry.value);
        let mut summary = format!("remove {path} = {shown}");
        if let Some((q, when)) = key.and_then(|c| history::moved(t, c, r)) {
            let qpath = t.keys[q].path;
            // Carry the value only where the new place takes its type.
            let fits = t.keys[q]
                .at(r)
                .is_some_and(|v| v.kind.accepts(entry.value.value.type_name()));
            let plain = fits && !qpath.contains("[]") && !qpath.contains('*');
            match to_new_value(&entry.value) {
                Some(v) if plain && root.pointer(qpath).is_none() => {
                    overrides.insert(qpath.to_owned(), v);
                    summary = format!(
                        "move {path} = {shown} to {qpath} (its place since {})",
                        t.releases[when]
                    );
                }
                _ if plain => summary.push_str(&format!(" ({qpath} is set already)")),
                _ if !fits => {
                    let kind = t.keys[q].at(r).map_or("other", |v| v.kind.name());
                    summary.push_str(&format!(
                        " (its successor {qpath} takes a {kind}; set it by hand)"
                    ));
                }
                _ => {}
            }
        }
        fixes.push(Fix::unsafe_(
            summary,
            vec![patch::remove_entry(text, entry)],
        ));
    }
    // Keys to insert, grouped by the dict receiving them (with its path).
    type Group<'n> = (&'n Node, String, Vec<(String, NewValue)>);
    let mut groups: Vec<Group<'a>> = Vec::new();
    let mut add = |dict: &'a Node, at: &str, leaf: &str, v: NewValue| match groups
        .iter_mut()
        .find(|(d, _, _)| d.span == dict.span)
    {
        Some((_, _, items)) if items.iter().any(|(k, _)| k == leaf) => {}
        Some((_, _, items)) => items.push((leaf.to_owned(), v)),
        None => groups.push((dict, at.to_owned(), vec![(leaf.to_owned(), v)])),
    };
    for f in &findings {
        if let Finding::Missing { key, dict, path } = f
            && let Some(v) = upgrade_value(t, *key, r, &overrides)
        {
            let at = path.rsplit_once('/').map_or("", |(p, _)| p);
            add(dict, at, t.keys[*key].leaf, v);
        }
    }
    // Moved keys whose new parent exists (they may be optional there).
    for (qpath, v) in &overrides {
        let Some((parent, leaf)) = qpath.rsplit_once('/') else {
            continue;
        };
        if let Some(dict) = root.pointer(parent).filter(|n| n.as_dict().is_some()) {
            add(dict, parent, leaf, v.clone());
        }
    }
    for (dict, at, mut items) in groups {
        items.sort_by(|a, b| caseless(&a.0, &b.0));
        let names: Vec<&str> = items.iter().map(|(k, _)| k.as_str()).collect();
        let place = if at.is_empty() {
            "the root dict"
        } else {
            at.as_str()
        };
        let summary = format!(
            "add {} to {place} (OpenCore {}'s failsafes, or the value moved there)",
            names.join(", "),
            t.releases[r]
        );
        let refs: Vec<(&str, NewValue)> =
            items.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
        let edits = patch::insert_entries(text, dict, &refs, &style);
        fixes.push(Fix::unsafe_(summary, edits));
    }
    fixes.extend(drivers_fix(t, root, r, text, &style));
    fixes.extend(retype_fixes(&findings, text, &style));
    fixes
}

/// UEFI/Drivers between the string form (before 0.7.3) and the dict form.
fn drivers_fix(t: &Table, root: &Node, r: usize, text: &str, style: &Style) -> Option<Fix> {
    let items = root.pointer("UEFI/Drivers")?.as_array()?;
    let elem = t.lookup("UEFI/Drivers/[]")?;
    let kind = t.keys[elem].at(r)?.kind;
    let mut edits = Vec::new();
    let mut dropped = Vec::new();
    for item in items {
        match (&item.value, kind) {
            (Value::String(s), Kind::Dict) => {
                let enabled = !s.starts_with('#');
                let path = s.trim_start_matches('#').to_owned();
                let mut fields: Vec<(String, NewValue)> = t.keys[elem]
                    .children
                    .iter()
                    .filter_map(|&ch| {
                        let k = &t.keys[ch];
                        let v = match (k.leaf, k.at(r)?.kind) {
                            ("Path", _) => NewValue::Str(path.clone()),
                            ("Enabled", _) => NewValue::Bool(enabled),
                            (_, Kind::String) => NewValue::Str(String::new()),
                            (_, Kind::Boolean) => NewValue::Bool(false),
                            _ => super::failsafe::failsafe(t, ch, r)?,
                        };
                        Some((k.leaf.to_owned(), v))
                    })
                    .collect();
                fields.sort_by_key(|(k, _)| k.to_ascii_lowercase());
                edits.push(patch::replace_value(
                    text,
                    item,
                    &NewValue::Dict(fields),
                    style,
                ));
            }
            (Value::Dict(d), Kind::String) => {
                let path = d.get("Path").and_then(|e| e.value.as_str()).unwrap_or("");
                let enabled = d
                    .get("Enabled")
                    .and_then(|e| e.value.as_bool())
                    .unwrap_or(false);
                for e in &d.entries {
                    if !matches!(e.key.as_str(), "Path" | "Enabled") {
                        dropped.push(format!("{} = {}", e.key, show(&e.value)));
                    }
                }
                let s = format!("{}{path}", if enabled { "" } else { "#" });
                edits.push(patch::replace_value(text, item, &NewValue::Str(s), style));
            }
            _ => {}
        }
    }
    if edits.is_empty() {
        return None;
    }
    let mut summary = match kind {
        Kind::Dict => format!(
            "rewrite {} UEFI/Drivers entries as dicts (the format since 0.7.3)",
            edits.len()
        ),
        _ => format!(
            "rewrite {} UEFI/Drivers entries as strings (the format before 0.7.3)",
            edits.len()
        ),
    };
    if !dropped.is_empty() {
        summary.push_str(&format!("; drops {}", dropped.join(", ")));
    }
    Some(Fix::unsafe_(summary, edits))
}

/// The booleans that became `Enabled`/`Disabled` strings, and back.
fn retype_fixes(findings: &[Finding], text: &str, style: &Style) -> Vec<Fix> {
    let mut out = Vec::new();
    for f in findings {
        let Finding::WrongType {
            path,
            key,
            expected,
            node,
        } = f
        else {
            continue;
        };
        let t = Table::get();
        if !RETYPED.contains(&t.keys[*key].path) {
            continue;
        }
        let v = match (&node.value, expected) {
            (Value::Bool(b), Kind::String) => {
                NewValue::Str(if *b { "Enabled" } else { "Disabled" }.into())
            }
            (Value::String(s), Kind::Boolean) => NewValue::Bool(s == "Enabled"),
            _ => continue,
        };
        out.push(Fix::unsafe_(
            format!("retype {path} = {} as {}", show(node), expected.name()),
            vec![patch::replace_value(text, node, &v, style)],
        ));
    }
    out
}

#[cfg(test)]
mod show_tests {
    use super::*;

    #[test]
    fn a_large_value_is_shown_in_part() {
        let text = format!(
            "<plist><dict><key>Pad</key><data>{}</data><key>S</key><string>{}</string></dict></plist>",
            "QUJD".repeat(100_000),
            "x".repeat(10_000)
        );
        let doc = crate::plist::load(&text).expect("parses");
        let Value::Dict(d) = &doc.root.value else {
            panic!("root is a dict")
        };
        for e in &d.entries {
            let shown = show(&e.value);
            assert!(shown.ends_with('…'), "{shown}");
            assert!(
                shown.len() <= SHOW_LIMIT + '…'.len_utf8(),
                "{}",
                shown.len()
            );
        }
        let whole = show(&doc.root);
        assert!(whole.starts_with("{Pad: <414243"), "{whole}");
    }

    #[test]
    fn a_small_value_is_shown_whole() {
        let text = "<plist><dict><key>A</key><array><integer>1</integer><true/><data>AAE=</data></array></dict></plist>";
        let doc = crate::plist::load(text).expect("parses");
        assert_eq!(show(&doc.root), "{A: [1, true, <0001>]}");
    }
}
