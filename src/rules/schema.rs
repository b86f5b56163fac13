//! X004 (schema part), X006-X009: keys against the schema of the target
//! OpenCore release. OpenCore configs only.

use std::borrow::Cow;
use std::collections::HashMap;

use super::{Context, moves};
use crate::model::ConfigKind;
use crate::patch::{self, Fix, NewValue};
use crate::schema::{self, Finding, Resolved, Table};

rule! {
    code: X006,
    name: "unknown-key",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "A key the target OpenCore release does not define.",
    why: "OpenCore ignores unknown keys, so a setting left at an old place or copied from a newer guide does nothing.",
}
rule! {
    code: X007,
    name: "missing-key",
    severity: Warning,
    fix: Sometimes(Safe),
    summary: "A key the target OpenCore release reads is absent, so OpenCore uses its failsafe value.",
    why: "The failsafe (the value the manual states for an absent key, often false, 0 or empty) may not be what the guide the config follows assumes; writing it out makes it visible and changes nothing at boot.",
}
rule! {
    code: X008,
    name: "string-not-ascii",
    severity: Warning,
    fix: None,
    summary: "A string field holds characters outside printable ASCII.",
    why: "OpenCore accepts only printable 7-bit ASCII in strings; pasted curly quotes or non-breaking spaces break paths and arguments.",
}
rule! {
    code: X009,
    name: "config-version-mismatch",
    severity: Warning,
    fix: None,
    summary: "The running OpenCore release (from the log) is outside the releases the config matches.",
    why: "Keys added since the config was written read as failsafe values and moved keys are ignored, so the firmware runs other quirks than the config shows.",
}

/// The resolved target for this file, computed when the caller did not.
fn resolved<'a>(cx: &Context<'a>) -> Option<Cow<'a, Resolved>> {
    if cx.config.kind != ConfigKind::OpenCore || cx.doc.root.as_dict().is_none() {
        return None;
    }
    if let Some(r) = cx.oc_version {
        return Some(Cow::Borrowed(r));
    }
    let log = cx.evidence.and_then(|e| e.log_version.as_deref());
    Some(Cow::Owned(schema::resolve(&cx.doc.root, None, log)))
}

fn target_note(res: &Resolved) -> String {
    let how = match res.source {
        schema::Source::Flag => "from --oc-version",
        schema::Source::Log => "from the log",
        schema::Source::Inferred => "the newest release the config matches",
    };
    // Concatenated, not formatted: every schema finding carries this note.
    [
        "checked against OpenCore ",
        res.target_tag(),
        " (",
        how,
        ")",
    ]
    .concat()
}

/// The rules one schema walk serves, in the order they run.
const GROUP: [&str; 4] = ["X004", "X006", "X007", "X008"];

/// Run the shared walk from the first enabled rule of [`GROUP`] only; the
/// engine drops the findings of rules that are not selected.
fn run_from(cx: &mut Context, code: &str) {
    let first = GROUP.iter().find(|c| cx.options.enabled(c));
    if first == Some(&code) {
        walk_and_report(cx);
    }
}

/// X004 for every schema key, after the model's own type errors.
pub fn x004(cx: &mut Context) {
    run_from(cx, "X004");
}

/// X006: keys the target release does not define.
pub fn x006(cx: &mut Context) {
    run_from(cx, "X006");
}

/// X007: required keys absent for the target release.
pub fn x007(cx: &mut Context) {
    run_from(cx, "X007");
}

/// X008: strings outside printable ASCII.
pub fn x008(cx: &mut Context) {
    run_from(cx, "X008");
}

/// SMBIOS identity keys: the sample's placeholder values would change the
/// machine's identity, so X007 never inserts them.
fn is_identity(path: &str) -> bool {
    // A whole missing PlatformInfo or Generic dict would carry them too.
    if matches!(path, "PlatformInfo" | "PlatformInfo/Generic") {
        return true;
    }
    path.strip_prefix("PlatformInfo/Generic/")
        .is_some_and(|leaf| {
            matches!(
                leaf,
                "SystemProductName" | "SystemSerialNumber" | "MLB" | "ROM" | "SystemUUID"
            )
        })
}

/// The missing keys of one dict: the dict, its path, and (key, failsafe).
type MissingGroup<'d> = (
    &'d crate::plist::Node,
    String,
    Vec<(&'static str, NewValue)>,
);

/// One walk against the target release, reporting X004, X006, X007, X008.
fn walk_and_report(cx: &mut Context) {
    let Some(res) = resolved(cx) else { return };
    let t = Table::get();
    let source = cx.source;
    let text = source.text.as_str();
    let doc = cx.doc;
    let on = GROUP.map(|c| cx.options.enabled(c));
    let findings: Vec<Finding> = schema::check(t, &doc.root, res.target)
        .into_iter()
        .collect();
    // One fix per dict inserts all of its missing keys: every X007 of that
    // dict carries the same fix, so `fix` applies them in one pass.
    // Keys without a failsafe are left out of it (and get no fix).
    let mut group_fixes: HashMap<(usize, usize), (Vec<&str>, Fix)> = HashMap::new();
    if on[2] {
        let mut groups: Vec<MissingGroup> = Vec::new();
        for f in &findings {
            if let Finding::Missing { path, key, dict } = f
                && !is_identity(path)
                && let Some(v) = schema::failsafe(t, *key, res.target)
            {
                let parent = path
                    .rsplit_once('/')
                    .map_or(String::new(), |(p, _)| p.to_owned());
                match groups.iter_mut().find(|(d, _, _)| d.span == dict.span) {
                    Some((_, _, items)) => items.push((t.keys[*key].leaf, v)),
                    None => groups.push((dict, parent, vec![(t.keys[*key].leaf, v)])),
                }
            }
        }
        for (dict, parent, mut items) in groups {
            // Case-insensitive order, compared in place (a lowered copy per
            // comparison would allocate).
            items.sort_by(|(a, _), (b, _)| {
                let a = a.bytes().map(|c| c.to_ascii_lowercase());
                a.cmp(b.bytes().map(|c| c.to_ascii_lowercase()))
            });
            let place = if parent.is_empty() {
                "the root dict"
            } else {
                parent.as_str()
            };
            let mut summary = String::with_capacity(64 + 24 * items.len());
            summary.push_str("insert ");
            for (i, (k, v)) in items.iter().enumerate() {
                if i > 0 {
                    summary.push_str(", ");
                }
                summary.push_str(k);
                summary.push_str(" = ");
                push_brief(&mut summary, v);
            }
            for piece in [
                " into ",
                place,
                " (OpenCore ",
                res.target_tag(),
                "'s failsafe",
                if items.len() == 1 { "" } else { "s" },
                ", which it uses now: no change at boot)",
            ] {
                summary.push_str(piece);
            }
            let edits = patch::insert_entries(text, dict, &items, &cx.style);
            let fix = Fix::safe(summary, edits);
            let leaves = items.iter().map(|(k, _)| *k).collect();
            group_fixes.insert((dict.span.start, dict.span.end), (leaves, fix));
        }
    }
    for f in findings {
        // Build only what is reported (X007 fixes can be whole sections).
        let code = match f {
            Finding::WrongType { .. } => 0,
            Finding::Unknown { .. } => 1,
            Finding::Missing { .. } => 2,
            Finding::NotAscii { .. } => 3,
        };
        if !on[code] {
            continue;
        }
        match f {
            Finding::Unknown {
                path,
                norm,
                key,
                entry,
            } => unknown(cx, &res, text, path, &norm, key, entry),
            Finding::Missing { path, key, dict } => {
                let fix = group_fixes
                    .get(&(dict.span.start, dict.span.end))
                    .filter(|(leaves, _)| leaves.contains(&t.keys[key].leaf))
                    .map(|(_, fix)| fix.clone());
                missing(cx, &res, path, key, dict, fix)
            }
            Finding::WrongType {
                path,
                expected,
                node,
                ..
            } => wrong_type(cx, &res, path, expected, node),
            Finding::NotAscii { path, node, first } => not_ascii(cx, path, node, first),
        }
    }
}

fn unknown(
    cx: &mut Context,
    res: &Resolved,
    text: &str,
    path: String,
    norm: &str,
    key: Option<usize>,
    entry: &crate::plist::Entry,
) {
    let t = Table::get();
    let reason = schema::unknown_reason(t, norm, key, res.target);
    // A key that a later release defines is more likely a sign of a newer
    // OpenCore than a mistake: nothing is moved or removed.
    let added_later = key
        .and_then(|c| schema::lifetime(t, c))
        .is_some_and(|(first, _)| first > res.target);
    let root = &cx.doc.root;
    let parent = components_of(root, entry).unwrap_or_default();
    let dests = (!added_later)
        .then(|| moves::destinations(t, res.target, &parent, entry, key))
        .flatten();
    let single = dests.as_ref().is_some_and(|d| d.len() == 1);
    let shown_dests: Vec<String> = dests
        .iter()
        .flatten()
        .map(|(p, _)| p[..p.len() - usize::from(!single)].join("/"))
        .fold(Vec::new(), |mut v, p| {
            if !v.contains(&p) {
                v.push(p);
            }
            v
        });
    let plan = dests.map(|d| {
        let summary = format!(
            "move {path} to {} (OpenCore reads it there; it takes effect after the move)",
            shown_dests.join(" and ")
        );
        moves::plan(text, root, &cx.style, entry, d, summary)
    });
    let (fix, conflicts) = match plan {
        Some(moves::Plan::Move(f)) => (Some(f), Vec::new()),
        Some(moves::Plan::Conflict(c)) => (None, c),
        None if !added_later && key.is_none() && moves::known_nowhere(t, entry) => (
            Some(Fix::unsafe_(
                format!(
                    "remove {path} (no OpenCore release knows it; its value {} is dropped)",
                    crate::schema::show_value(&entry.value)
                ),
                vec![patch::remove_entry(text, entry)],
            )),
            Vec::new(),
        ),
        None => (None, Vec::new()),
    };
    let mut message = if entry.key.is_empty() {
        format!(
            "an empty key is not a key of OpenCore {}; it is ignored",
            res.target_tag()
        )
    } else {
        format!(
            "`{}` is not a key of OpenCore {}: {reason}",
            entry.key,
            res.target_tag()
        )
    };
    if !shown_dests.is_empty() {
        message.push_str("; OpenCore reads it at ");
        message.push_str(&shown_dests.join(" and "));
    }
    let d = cx.report_span(&X006, path, entry.key_span.clone(), message);
    d.notes.push(target_note(res));
    for (at, span) in &conflicts {
        d.secondary
            .push((span.clone(), format!("{at} already holds another value")));
    }
    if !conflicts.is_empty() {
        d.help = Some(
            "the destination already holds a different value: keep one of the two by hand".into(),
        );
    } else if added_later {
        d.help = Some(
            "if you run that newer OpenCore, say so with --oc-version; otherwise remove the key"
                .into(),
        );
    } else if fix.is_none()
        && let Some((q, _)) = key.and_then(|c| schema::moved(t, c, res.target))
    {
        d.help = Some(format!(
            "OpenCore {} reads this setting at {}, but this value does not have the type (or size) it expects there; move it by hand and correct it",
            res.target_tag(),
            t.keys[q].path
        ));
    } else if fix.is_none() {
        d.help = Some("move the value to where the target release reads it, or remove it".into());
    }
    d.fix = fix;
}

/// The dict-key path (array indices as numbers) of the dict holding `entry`.
fn components_of(root: &crate::plist::Node, entry: &crate::plist::Entry) -> Option<Vec<String>> {
    fn find(node: &crate::plist::Node, at: usize, out: &mut Vec<String>) -> bool {
        match &node.value {
            crate::plist::Value::Dict(d) => {
                for e in &d.entries {
                    if e.key_span.start == at {
                        return true;
                    }
                    if e.value.span.start <= at && at < e.value.span.end {
                        out.push(e.key.to_string());
                        return find(&e.value, at, out);
                    }
                }
                false
            }
            crate::plist::Value::Array(items) => {
                for (i, n) in items.iter().enumerate() {
                    if n.span.start <= at && at < n.span.end {
                        out.push(i.to_string());
                        return find(n, at, out);
                    }
                }
                false
            }
            _ => false,
        }
    }
    let mut out = Vec::new();
    find(root, entry.key_span.start, &mut out).then_some(out)
}

fn missing(
    cx: &mut Context,
    res: &Resolved,
    path: String,
    key: usize,
    dict: &crate::plist::Node,
    fix: Option<Fix>,
) {
    let t = Table::get();
    let tag = res.target_tag();
    let leaf = t.keys[key].leaf;
    let parent = path
        .rsplit_once('/')
        .map_or("the root dict".to_owned(), |(p, _)| p.to_owned());
    let safe = schema::failsafe(t, key, res.target);
    let mut message = String::with_capacity(96);
    for piece in ["`", leaf, "` is absent from ", &parent, "; OpenCore ", tag] {
        message.push_str(piece);
    }
    match &safe {
        Some(v) => {
            message.push_str(" uses its failsafe ");
            push_brief(&mut message, v);
        }
        None => message.push_str(" uses a failsafe its manual gives no value for"),
    }
    let d = cx.report_span(&X007, path, dict.span.clone(), message);
    d.notes.push(target_note(res));
    if fix.is_none() && is_identity(&d.path) {
        d.help = Some("fill in this machine's own SMBIOS value (GenSMBIOS generates one)".into());
    } else if fix.is_none() {
        d.help =
            Some("set the key to the value you want; ocaudit inserts only stated failsafes".into());
    }
    d.fix = fix;
}

/// Append a short description of a failsafe value (`` `true` ``, `` `0` ``,
/// `` `"text"` ``, `<0A1B>`, `8 zero bytes`) to `out`.
fn push_brief(out: &mut String, v: &NewValue) {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    match v {
        NewValue::Bool(b) => out.push_str(if *b { "`true`" } else { "`false`" }),
        NewValue::Int(i) => {
            out.push('`');
            out.push_str(&i.to_string());
            out.push('`');
        }
        NewValue::Str(s) if s.is_empty() => out.push_str("`\"\"` (empty)"),
        NewValue::Str(s) => out.push_str(&format!("`{s:?}`")),
        NewValue::Data(d) if d.is_empty() => out.push_str("empty data"),
        NewValue::Data(d) if d.iter().all(|&b| b == 0) => {
            out.push_str(&d.len().to_string());
            out.push_str(" zero bytes");
        }
        NewValue::Data(d) => {
            out.push('<');
            for b in d {
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 15)]));
            }
            out.push('>');
        }
        NewValue::Array(_) => out.push_str("an empty array"),
        NewValue::Dict(d) if d.is_empty() => out.push_str("an empty dict"),
        NewValue::Dict(_) => out.push_str("a dict of its keys' failsafes"),
    }
}

/// X004 for a schema key; a value the model already reported is skipped.
fn wrong_type(
    cx: &mut Context,
    res: &Resolved,
    path: String,
    expected: schema::Kind,
    node: &crate::plist::Node,
) {
    // The model's own type errors, and a device path nested in a device
    // (moves::nested_device_paths), are reported already.
    let dup = cx
        .diags
        .iter()
        .any(|d| d.rule.code == "X004" && (d.span == node.span || d.path == path));
    if dup {
        return;
    }
    let (want, outcome) = if expected == schema::Kind::Any {
        (
            "a property value (<data>, <string>, <integer> or a boolean)".to_owned(),
            "OpenCore cannot read it as bytes and does not set it",
        )
    } else {
        (
            super::structure::article(expected.name()),
            "OpenCore ignores it and uses the failsafe value",
        )
    };
    let d = cx.report_span(
        &super::structure::X004,
        path,
        node.span.clone(),
        format!(
            "expected {want}, found {} (OpenCore {}); {outcome}",
            super::structure::article(node.value.type_name()),
            res.target_tag()
        ),
    );
    d.help = Some(format!("write the value as {want}"));
    d.notes.push(target_note(res));
}

/// X008: point at the first offending character when it is written literally.
fn not_ascii(cx: &mut Context, path: String, node: &crate::plist::Node, first: char) {
    let inner = &cx.text()[node.inner.clone()];
    let at = inner
        .char_indices()
        .find(|&(_, c)| !(' '..='~').contains(&c))
        .map_or(node.span.start, |(i, _)| node.inner.start + i);
    let (_, col) = cx.source.line_col(at);
    let end = cx.text()[at..]
        .chars()
        .next()
        .map_or(at, |c| at + c.len_utf8());
    let d = cx.report_span(
        &X008,
        path,
        at..end,
        format!(
            "string holds {} (U+{:04X}) at column {col}; OpenCore accepts printable ASCII only",
            shown_char(first),
            first as u32
        ),
    );
    d.help = Some("retype the string with plain keyboard characters".into());
}

fn shown_char(c: char) -> String {
    if c.is_control() || c.is_whitespace() {
        "an invisible character".into()
    } else {
        format!("`{c}`")
    }
}

/// X009: the log's running release is outside the config's matching range.
pub fn x009(cx: &mut Context) {
    let Some(res) = resolved(cx) else { return };
    let Some(version) = cx.evidence.and_then(|e| e.log_version.clone()) else {
        return;
    };
    let Some(running) = res.running.or_else(|| schema::running_release(&version)) else {
        return;
    };
    if res.inference.contains(running) {
        return;
    }
    let span = cx.config.root.span.clone();
    let [lo, hi] = res.inference.range();
    let range = if lo == hi {
        lo.to_owned()
    } else {
        format!("{lo} to {hi}")
    };
    let running_tag = schema::releases()[running];
    let d = cx.report_span(
        &X009,
        String::new(),
        span,
        format!("the log shows OpenCore {version} running, but the config matches {range}"),
    );
    d.notes.push(format!("config {}", res.inference.summary()));
    d.help = Some(format!(
        "bring the config to {running_tag} (`ocaudit fix --upgrade-to {running_tag}`, unsafe: review the removals) or boot the OpenCore build that matches it"
    ));
}
