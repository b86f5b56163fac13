//! X0xx: the file's structure — XML, plist types and integer syntax.

use super::Context;
use crate::model::Located;
use crate::patch::{self, Applicability, Fix, NewValue};
use crate::plist::Value;

rule! {
    code: X001,
    name: "xml-malformed",
    severity: Error,
    fix: None,
    summary: "The file is not well-formed XML, or not a well-formed property list.",
    why: "OpenCore refuses to load a config it cannot parse and stops before booting anything.",
}
rule! {
    code: X002,
    name: "binary-plist",
    severity: Error,
    fix: None,
    summary: "The file is a binary property list.",
    why: "OpenCore reads only XML property lists; a binary config is not loaded at all.",
}
rule! {
    code: X003,
    name: "duplicate-key",
    severity: Warning,
    fix: Always(Safe),
    summary: "A dict holds the same key more than once.",
    why: "OpenCore keeps the last copy without a word, so edits to the first copy have no effect.",
}
rule! {
    code: X004,
    name: "wrong-type",
    severity: Error,
    fix: Sometimes(Unsafe),
    summary: "A value has a plist type the loader does not accept for that key.",
    why: "OpenCore ignores a mistyped value and silently uses its default instead.",
}
rule! {
    code: X005,
    name: "integer-not-decimal",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "An <integer> is not plain decimal.",
    why: "OpenCore reads integers as decimal only and stops at the first other character.",
}

/// X002 is reported by the loader before the engine runs.
pub fn none(_: &mut Context) {}

/// X001: structural problems found while loading.
pub fn x001(cx: &mut Context) {
    for issue in cx.doc.issues.iter().filter(|i| i.code == "X001") {
        let path = cx.doc.root.path_at(issue.span.start);
        cx.report_span(&X001, path, issue.span.clone(), issue.message.clone());
    }
}

/// X003: duplicate keys. OpenCore keeps the last copy.
pub fn x003(cx: &mut Context) {
    // OcQuirks.efi reads its plist with OpenCore's serializer (exact keys,
    // last copy wins); only Clover matches keys case-insensitively.
    let clover = cx.config.kind == crate::model::ConfigKind::Clover;
    let doc = cx.doc;
    let text = cx.source.text.as_str();
    let mut found = Vec::new();
    doc.root.walk(&mut |node| {
        if let Value::Dict(d) = &node.value
            && has_duplicate(d, clover)
        {
            let path = doc.root.path_at(node.span.start);
            duplicates_in(d, &path, clover, &mut found);
        }
    });
    for (key_path, copies) in found {
        let (winner, shadowed) = if clover {
            (copies[0], &copies[1..])
        } else {
            (copies[copies.len() - 1], &copies[..copies.len() - 1])
        };
        let (line, _) = cx.source.line_col(winner.key_span.start);
        let reader = if clover {
            "Clover keeps the first copy"
        } else {
            "OpenCore keeps the last copy"
        };
        let edits = shadowed
            .iter()
            .map(|e| patch::remove_entry(text, e))
            .collect();
        let secondary = shadowed
            .iter()
            .map(|e| (e.key_span.clone(), "ignored copy".to_owned()))
            .collect();
        let d = cx.report_span(
            &X003,
            key_path,
            winner.key_span.clone(),
            format!(
                "`{}` appears {} times; {reader} (line {line})",
                winner.key,
                copies.len()
            ),
        );
        d.secondary = secondary;
        d.fix = Some(Fix::safe(
            format!("remove the ignored copies of `{}`", winner.key),
            edits,
        ));
    }
}

fn same_key(a: &str, b: &str, clover: bool) -> bool {
    if clover {
        a.eq_ignore_ascii_case(b)
    } else {
        a == b
    }
}

/// A cheap fingerprint of a key (length, first and last byte, ignoring
/// case for Clover): two keys that are the same have the same fingerprint.
fn fingerprint(key: &str, clover: bool) -> u64 {
    let b = key.as_bytes();
    let fold = |c: u8| if clover { c.to_ascii_lowercase() } else { c };
    let first = b.first().map_or(0, |&c| fold(c));
    let last = b.last().map_or(0, |&c| fold(c));
    ((b.len() as u64) << 16) | (u64::from(first) << 8) | u64::from(last)
}

/// Whether any two keys of `d` are the same (a cheap test: most dicts have
/// no duplicate, and this allocates nothing for the usual small dict).
fn has_duplicate(d: &crate::plist::Dict, clover: bool) -> bool {
    let keys = &d.entries;
    if keys.len() <= 32 {
        let mut prints = [0u64; 32];
        for (i, e) in keys.iter().enumerate() {
            let p = fingerprint(&e.key, clover);
            let twin = (0..i).any(|j| prints[j] == p && same_key(&keys[j].key, &e.key, clover));
            if twin {
                return true;
            }
            prints[i] = p;
        }
        return false;
    }
    let mut sorted: Vec<&str> = keys.iter().map(|e| e.key.as_str()).collect();
    if clover {
        let lower = |s: &str| {
            s.bytes()
                .map(|b| b.to_ascii_lowercase())
                .collect::<Vec<_>>()
        };
        let mut lowered: Vec<Vec<u8>> = sorted.iter().map(|k| lower(k)).collect();
        lowered.sort_unstable();
        return lowered.windows(2).any(|w| w[0] == w[1]);
    }
    sorted.sort_unstable();
    sorted.windows(2).any(|w| w[0] == w[1])
}

/// The duplicated keys of one dict that has some, once per key.
fn duplicates_in<'a>(
    d: &'a crate::plist::Dict,
    dict_path: &str,
    clover: bool,
    found: &mut Vec<(String, Vec<&'a crate::plist::Entry>)>,
) {
    let is_comment = |e: &crate::plist::Entry| clover && crate::model::is_comment_key(&e.key);
    // Copies grouped by key in one pass (in the order of each key's first
    // copy): a dict of thousands of copies costs its length, not its square.
    let mut groups: Vec<Vec<&'a crate::plist::Entry>> = Vec::new();
    let mut index: std::collections::HashMap<std::borrow::Cow<'a, str>, usize> =
        std::collections::HashMap::new();
    for e in &d.entries {
        if is_comment(e) {
            continue; // Clover skips comment keys silently.
        }
        let key = if clover {
            std::borrow::Cow::Owned(e.key.as_str().to_ascii_lowercase())
        } else {
            std::borrow::Cow::Borrowed(e.key.as_str())
        };
        match index.entry(key) {
            std::collections::hash_map::Entry::Occupied(o) => groups[*o.get()].push(e),
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(groups.len());
                groups.push(vec![e]);
            }
        }
    }
    for copies in groups.into_iter().filter(|c| c.len() > 1) {
        // Reported once per key, named as its first copy spells it.
        let mut key_path = dict_path.to_owned();
        if !key_path.is_empty() {
            key_path.push('/');
        }
        key_path.push_str(&copies[0].key);
        found.push((key_path, copies));
    }
}

/// X004: values of the wrong type.
pub fn x004(cx: &mut Context) {
    for issue in cx.doc.issues.iter().filter(|i| i.code == "X004") {
        let path = cx.doc.root.path_at(issue.span.start);
        cx.report_span(&X004, path, issue.span.clone(), issue.message.clone());
    }
    for te in cx.config.type_errors.clone() {
        let fix = bool_conversion(cx, &te.at, te.expected);
        let d = cx.report(
            &X004,
            &te.at,
            format!(
                "expected {}, found {}; {}",
                article(te.expected),
                article(te.found),
                te.note
            ),
        );
        d.fix = fix;
        if d.fix.is_none() {
            d.help = Some(format!("write the value as {}", article(te.expected)));
        }
    }
    super::moves::nested_device_paths(cx);
    super::schema::x004(cx);
    super::fixed_data::oversized(cx);
    super::clover::lenient_bools(cx);
}

/// A plist type named with its article and element, as messages use it
/// (`a boolean (<true/> or <false/>)`, `an <integer>`).
pub(super) fn article(t: &str) -> String {
    match t {
        "boolean" => "a boolean (<true/> or <false/>)".into(),
        "integer" => "an <integer>".into(),
        "array" => "an <array>".into(),
        "unknown element" => "an unknown element".into(),
        other => format!("a <{other}>"),
    }
}

/// `<string>true</string>` or `<integer>1</integer>` where a boolean belongs.
fn bool_conversion(cx: &Context, at: &Located, expected: &str) -> Option<Fix> {
    if expected != "boolean" {
        return None;
    }
    let node = patch::node_by_span(&cx.doc.root, &at.span)?;
    let v = match &node.value {
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "1" => true,
            "false" | "no" | "0" => false,
            _ => return None,
        },
        Value::Integer(i) => match i.strict {
            Some(0) => false,
            Some(1) => true,
            _ => return None,
        },
        _ => return None,
    };
    let edit = patch::replace_value(cx.text(), node, &NewValue::Bool(v), &cx.style);
    Some(Fix::new(
        Applicability::Unsafe,
        format!("write {}", if v { "<true/>" } else { "<false/>" }),
        vec![edit],
    ))
}

/// X005: integers that are not plain decimal.
pub fn x005(cx: &mut Context) {
    // OcQuirks.efi reads its plist with OpenCore's serializer (exact keys,
    // last copy wins); only Clover matches keys case-insensitively.
    let clover = cx.config.kind == crate::model::ConfigKind::Clover;
    let mut found = Vec::new();
    let doc = cx.doc;
    doc.root.walk(&mut |n| {
        if let Value::Integer(i) = &n.value
            && (i.strict.is_none() || i.overflow)
        {
            found.push((n, i));
        }
    });
    for (node, int) in found {
        let shown = int.raw.trim();
        if clover && int.clover().is_some() {
            continue; // Clover reads 0x hex itself.
        }
        let message = if int.overflow {
            format!("`{shown}` does not fit in 64 bits")
        } else {
            format!("OpenCore reads `{shown}` as {}", int.opencore)
        };
        let fix = int.clover().filter(|_| !int.overflow).map(|v| {
            Fix::unsafe_(
                format!("write {v} in decimal"),
                vec![patch::replace_value(
                    cx.text(),
                    node,
                    &NewValue::Int(v),
                    &cx.style,
                )],
            )
        });
        let path = doc.root.path_at(node.span.start);
        let d = cx.report_span(&X005, path, node.span.clone(), message);
        d.fix = fix;
        if d.fix.is_none() {
            d.help = Some("write the number in plain decimal digits".into());
        }
    }
}
