//! Moving misplaced settings instead of deleting them (X006, X004).
//!
//! A key the target release does not know at its place is often a setting
//! OpenCore knows elsewhere: renamed by a release (`NVRAM/Block` became
//! `NVRAM/Delete`), one level off (`Quirks` at the root, device properties
//! outside `DeviceProperties/Add`, or under a device path written twice).
//! Such a value is moved to where OpenCore reads it, merged into what is
//! already there. When the destination holds a different value both are
//! reported and nothing is offered. This module plans the edits; it never
//! removes a key some release knows.

use crate::patch::{self, Edit, Fix, NewValue, Style};
use crate::plist::{Entry, Node, Value};
use crate::schema::{self, Table};

/// Where one value goes: its new dict-key path and the value.
pub(super) type Dest<'a> = (Vec<String>, &'a Node);

/// The outcome of planning a move.
pub(super) enum Plan {
    /// The edits that move the value (and the summary of the fix).
    Move(Fix),
    /// The destination already holds other values: (path, span there).
    Conflict(Vec<(String, crate::source::Span)>),
}

/// Whether a key names a device path (`PciRoot(0x0)/Pci(0x2,0x0)`).
pub(super) fn is_device_path(key: &str) -> bool {
    ["PciRoot(", "Acpi(", "Pci("]
        .iter()
        .any(|p| key.starts_with(p))
        && key.ends_with(')')
}

/// The value at dict-key path `path` below `root`.
fn lookup<'a>(root: &'a Node, path: &[String]) -> Option<&'a Node> {
    path.iter()
        .try_fold(root, |n, k| Some(&n.as_dict()?.get(k)?.value))
}

/// Whether two values are the same setting.
fn same(a: &Node, b: &Node) -> bool {
    match (schema_value(a), schema_value(b)) {
        (Some(x), Some(y)) => x == y,
        _ => false,
    }
}

fn schema_value(n: &Node) -> Option<NewValue> {
    crate::schema::to_new_value(n)
}

/// Plan moving `dests` and removing `source` (the entry that held them).
/// Values already at their destination are dropped; dicts are merged key by
/// key; any other difference is a conflict.
pub(super) fn plan(
    text: &str,
    root: &Node,
    style: &Style,
    source: &Entry,
    dests: Vec<Dest>,
    summary: String,
) -> Plan {
    let mut inserts: Vec<(Vec<String>, String, &Node)> = Vec::new();
    let mut conflicts = Vec::new();
    let mut todo = dests;
    while let Some((path, value)) = todo.pop() {
        match lookup(root, &path) {
            None => {
                let (leaf, parent) = path.split_last().expect("a destination has a key");
                inserts.push((parent.to_vec(), leaf.clone(), value));
            }
            Some(there) if same(there, value) => {}
            Some(there) => match (&there.value, &value.value) {
                (Value::Dict(_), Value::Dict(d)) => {
                    for e in d.entries.iter().filter(|e| !e.key.starts_with('#')) {
                        let mut p = path.clone();
                        p.push(e.key.to_string());
                        todo.push((p, &e.value));
                    }
                }
                _ => conflicts.push((path.join("/"), there.span.clone())),
            },
        }
    }
    if !conflicts.is_empty() {
        conflicts.sort_by_key(|c| c.1.start);
        return Plan::Conflict(conflicts);
    }
    let mut edits = vec![patch::remove_entry(text, source)];
    // One insertion per destination dict, keys in sorted order.
    inserts.sort_by(|a, b| (&a.0, &a.1).cmp(&(&b.0, &b.1)));
    let mut i = 0;
    while i < inserts.len() {
        let parent = inserts[i].0.clone();
        let group: Vec<(String, NewValue)> = inserts[i..]
            .iter()
            .take_while(|x| x.0 == parent)
            .filter_map(|(_, k, v)| Some((k.clone(), schema_value(v)?)))
            .collect();
        i += inserts[i..].iter().take_while(|x| x.0 == parent).count();
        match lookup(root, &parent) {
            Some(dict) if dict.as_dict().is_some() => {
                let items: Vec<(&str, NewValue)> =
                    group.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
                edits.extend(patch::insert_entries(text, dict, &items, style));
            }
            _ => {
                let comps: Vec<&str> = parent.iter().map(String::as_str).collect();
                match patch::insert_path(text, root, &comps, NewValue::Dict(group), style) {
                    Ok(Some(e)) => edits.push(e),
                    _ => return Plan::Conflict(Vec::new()),
                }
            }
        }
    }
    if overlapping(&mut edits) {
        return Plan::Conflict(Vec::new());
    }
    Plan::Move(Fix::unsafe_(summary, edits))
}

/// Whether any two edits touch (an insertion inside a removed range too).
fn overlapping(edits: &mut [Edit]) -> bool {
    edits.sort_by_key(|e| (e.range.start, e.range.end));
    edits
        .windows(2)
        .any(|w| w[1].range.start < w[0].range.end || w[0].range == w[1].range)
}

/// The destinations of an unknown key's value, when it is a setting the
/// target release `r` knows elsewhere; `None` when it is not.
///
/// `file_parent` is the key's parent path in the file, `key` the schema key
/// when some release knows the path.
pub(super) fn destinations<'a>(
    t: &Table,
    r: usize,
    file_parent: &[String],
    entry: &'a Entry,
    key: Option<usize>,
) -> Option<Vec<Dest<'a>>> {
    let name = entry.key.as_str();
    // Renamed or moved by a release (history).
    if let Some(c) = key
        && let Some((q, _)) = schema::moved(t, c, r)
    {
        let qk = &t.keys[q];
        let same_parent = t.keys[c].parent == qk.parent;
        let path: Vec<String> = if same_parent {
            let mut p = file_parent.to_vec();
            p.push(qk.leaf.to_owned());
            p
        } else if !qk.path.contains(['*', '[']) {
            qk.path.split('/').map(str::to_owned).collect()
        } else {
            return None;
        };
        return fits(t, r, q, &entry.value).then(|| vec![(path, &entry.value)]);
    }
    let parent: Vec<&str> = file_parent.iter().map(String::as_str).collect();
    match (parent.as_slice(), &entry.value.value) {
        // A root-level Quirks dict: each key goes to the Quirks dict that
        // has it.
        ([], Value::Dict(d)) if name == "Quirks" => {
            let mut out = Vec::new();
            for e in d.entries.iter().filter(|e| !e.key.starts_with('#')) {
                let homes: Vec<&str> = ["ACPI", "Booter", "Kernel", "UEFI"]
                    .into_iter()
                    .filter(|s| known(t, r, &format!("{s}/Quirks/{}", e.key)))
                    .collect();
                let [home] = homes.as_slice() else {
                    return None;
                };
                let q = t.lookup(&format!("{home}/Quirks/{}", e.key))?;
                if !fits(t, r, q, &e.value) {
                    return None;
                }
                let path = vec![(*home).to_owned(), "Quirks".into(), e.key.to_string()];
                out.push((path, &e.value));
            }
            Some(out)
        }
        // Device properties outside Add.
        (["DeviceProperties"], Value::Dict(_))
            if is_device_path(name)
                && t.lookup("DeviceProperties/Add/*")
                    .is_some_and(|q| fits(t, r, q, &entry.value)) =>
        {
            Some(vec![(
                vec!["DeviceProperties".into(), "Add".into(), name.to_owned()],
                &entry.value,
            )])
        }
        _ => None,
    }
}

/// Whether `node` would be read as valid at schema key `q` in release `r`:
/// its plist type and those of every known key below it fit, and data of a
/// fixed-size field (one whose failsafe is N zero bytes) has that size. A
/// value that does not fit would only trade an ignored key for a rejected one.
fn fits(t: &Table, r: usize, q: usize, node: &Node) -> bool {
    let k = &t.keys[q];
    let Some(v) = k.at(r) else { return false };
    if !v.kind.accepts_kind(schema::kind_of(&node.value)) {
        return false;
    }
    match &node.value {
        Value::Data(d) => match schema::failsafe(t, q, r) {
            Some(NewValue::Data(z)) if !z.is_empty() => d.len() == z.len(),
            _ => true,
        },
        Value::Dict(d) if v.kind == schema::Kind::Dict => d
            .entries
            .iter()
            .filter(|e| !e.key.starts_with('#'))
            .all(|e| {
                t.child(Some(q), &e.key)
                    .is_none_or(|c| fits(t, r, c, &e.value))
            }),
        Value::Array(items) if v.kind == schema::Kind::Array => k
            .elem
            .is_none_or(|el| items.iter().all(|i| fits(t, r, el, i))),
        _ => true,
    }
}

/// Whether normalised `path` is a key of release `r`.
fn known(t: &Table, r: usize, path: &str) -> bool {
    t.lookup(path)
        .is_some_and(|k| t.keys[k].present & crate::schema::bit(r) != 0)
}

/// Whether no release knows a key named like `entry` anywhere, so removing
/// it loses no setting.
pub(super) fn known_nowhere(t: &Table, entry: &Entry) -> bool {
    !t.keys.iter().any(|k| k.leaf == entry.key.as_str())
}

/// X004 for a device path nested inside a device path under
/// `DeviceProperties/Add` (`PciRoot(0x0)/Pci(0x2,0x0)` written twice): one
/// finding at the inner dict, with a fix that lifts its properties to the
/// device they belong to.
pub(super) fn nested_device_paths(cx: &mut super::Context) {
    if cx.config.kind != crate::model::ConfigKind::OpenCore {
        return;
    }
    let root = &cx.doc.root;
    let Some(add) = lookup(root, &["DeviceProperties".into(), "Add".into()]) else {
        return;
    };
    let Some(devices) = add.as_dict() else { return };
    let text = cx.source.text.as_str();
    let mut found = Vec::new();
    for dev in &devices.entries {
        let Some(props) = dev.value.as_dict() else {
            continue;
        };
        for inner in &props.entries {
            if is_device_path(&inner.key) && inner.value.as_dict().is_some() {
                found.push((dev, inner));
            }
        }
    }
    for (dev, inner) in found {
        let n = inner.value.as_dict().map_or(0, |d| d.entries.len());
        let twice = inner.key == dev.key;
        let dest = vec![
            "DeviceProperties".to_owned(),
            "Add".into(),
            inner.key.to_string(),
        ];
        let summary = format!(
            "lift the {n} properties of {} up to DeviceProperties/Add/{} (OpenCore reads them there)",
            inner.key, inner.key
        );
        let plan = if twice {
            lift_in_place(text, &cx.style, dev, inner, summary)
        } else {
            plan(
                text,
                root,
                &cx.style,
                inner,
                vec![(dest, &inner.value)],
                summary,
            )
        };
        let path = format!("DeviceProperties/Add/{}/{}", dev.key, inner.key);
        let message = if twice {
            format!(
                "expected property values inside device {}, found the same device path again holding {n} properties (the device path is written twice); OpenCore sets none of them",
                dev.key
            )
        } else {
            format!(
                "expected property values inside device {}, found device path {} holding {n} properties; OpenCore sets none of them",
                dev.key, inner.key
            )
        };
        let d = cx.report_span(
            &super::structure::X004,
            path,
            inner.key_span.clone(),
            message,
        );
        match plan {
            Plan::Move(f) => d.fix = Some(f),
            Plan::Conflict(c) => {
                for (at, span) in c {
                    d.secondary
                        .push((span, format!("{at} already holds another value")));
                }
                d.help = Some(
                    "move the properties up one level by hand, keeping one value where both hold one"
                        .into(),
                );
            }
        }
    }
}

/// Replace the inner entry `inner` of device `dev` with its properties
/// (those the device does not hold already with the same value).
fn lift_in_place(text: &str, style: &Style, dev: &Entry, inner: &Entry, summary: String) -> Plan {
    let (Some(outer), Some(props)) = (dev.value.as_dict(), inner.value.as_dict()) else {
        return Plan::Conflict(Vec::new());
    };
    let mut conflicts = Vec::new();
    let mut items = Vec::new();
    for p in &props.entries {
        match outer.get(&p.key) {
            Some(o) if std::ptr::eq(o, inner) => {}
            Some(o) if same(&o.value, &p.value) => continue,
            Some(o) => {
                conflicts.push((
                    format!("DeviceProperties/Add/{}/{}", dev.key, p.key),
                    o.value.span.clone(),
                ));
                continue;
            }
            None => {}
        }
        match schema_value(&p.value) {
            Some(v) => items.push((p.key.to_string(), v)),
            None => return Plan::Conflict(Vec::new()),
        }
    }
    if !conflicts.is_empty() {
        return Plan::Conflict(conflicts);
    }
    let edit = if items.is_empty() {
        patch::remove_entry(text, inner)
    } else {
        let indent = patch::indent_before(text, inner.key_span.start)
            .unwrap_or_else(|| patch::line_indent(text, inner.key_span.start))
            .to_owned();
        let between = [style.eol, indent.as_str()].concat();
        let body: Vec<String> = items
            .iter()
            .map(|(k, v)| {
                [
                    "<key>",
                    &patch::escape(k),
                    "</key>",
                    &between,
                    &patch::render(v, &indent, style),
                ]
                .concat()
            })
            .collect();
        Edit {
            range: inner.key_span.start..inner.value.span.end,
            text: body.join(&between),
        }
    };
    Plan::Move(Fix::unsafe_(summary, vec![edit]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn value(xml: &str) -> Node {
        let text = format!("<plist><dict><key>v</key>{xml}</dict></plist>");
        let doc = crate::plist::load(&text).expect("parses");
        doc.root.as_dict().unwrap().get("v").unwrap().value.clone()
    }

    fn fits_at(path: &str, xml: &str) -> bool {
        let t = Table::get();
        let r = crate::schema::release_index("1.0.7").unwrap();
        fits(t, r, t.lookup(path).unwrap(), &value(xml))
    }

    #[test]
    fn device_paths() {
        assert!(is_device_path("PciRoot(0x0)/Pci(0x2,0x0)"));
        assert!(is_device_path("Acpi(PNP0A03,0)/Pci(0x1f,0x3)"));
        assert!(!is_device_path("layout-id"));
        assert!(!is_device_path("PciRoot(0x0)/Pci(0x2,0x0"));
    }

    /// A moved value must have the type and, for fixed-size data, the size
    /// the destination expects.
    #[test]
    fn values_that_fit() {
        assert!(fits_at(
            "NVRAM/Delete/*",
            "<array><string>boot-args</string></array>"
        ));
        assert!(!fits_at("NVRAM/Delete/*", "<dict/>"));
        assert!(!fits_at("UEFI/AppleInput/AppleEvent", "<false/>"));
        assert!(fits_at(
            "ACPI/Delete/[]/TableSignature",
            "<data>RFNEVA==</data>"
        ));
        assert!(!fits_at(
            "ACPI/Delete/[]/TableSignature",
            "<data>NTM1MzQ0NTQ=</data>"
        ));
        assert!(!fits_at(
            "ACPI/Delete",
            "<array><dict><key>TableSignature</key><data>NTM1MzQ0NTQ=</data></dict></array>"
        ));
    }
}
