//! The findings the schema rules add beside the walk, restated plainly:
//! a device path nested in a device path, and oversized fixed-size data.

use ocaudit::plist::{Node, Value};
use ocaudit::schema::{self, Table};

use super::{Sp, Tree, defines, join, sp};

/// X004 at every dict under `DeviceProperties/Add/<device>` whose key is a
/// device path again (the device path written twice, or another one).
pub(crate) fn nested_device_paths(root: &Node) -> Vec<(&'static str, String, Sp)> {
    let device_path = |k: &str| {
        (k.starts_with("PciRoot(") || k.starts_with("Acpi(") || k.starts_with("Pci("))
            && k.ends_with(')')
    };
    fn dict(n: &Node) -> Option<&ocaudit::plist::Dict> {
        match &n.value {
            Value::Dict(d) => Some(d),
            _ => None,
        }
    }
    let mut out = Vec::new();
    let add = dict(root)
        .and_then(|d| d.get("DeviceProperties"))
        .and_then(|e| dict(&e.value))
        .and_then(|d| d.get("Add"))
        .and_then(|e| dict(&e.value));
    for dev in add.map(|d| d.entries.as_slice()).unwrap_or_default() {
        for inner in dict(&dev.value)
            .map(|d| d.entries.as_slice())
            .unwrap_or_default()
        {
            if device_path(&inner.key) && dict(&inner.value).is_some() {
                out.push((
                    "X004",
                    format!("DeviceProperties/Add/{}/{}", dev.key, inner.key),
                    sp(&inner.key_span),
                ));
            }
        }
    }
    out
}

/// X004 at every fixed-size `<data>` value holding more bytes than its
/// field, for the keys release `r` defines.
pub(crate) fn oversized(root: &Node, r: usize) -> Vec<(&'static str, String, Sp)> {
    let t = Table::get();
    let tree = Tree::new(t);
    let mut out = Vec::new();
    for &(norm, size) in schema::FIXED_DATA {
        // Find the key by walking the schema tree by name.
        let mut key = None;
        for part in norm.split('/') {
            key = tree
                .kids(key)
                .iter()
                .copied()
                .find(|&c| t.keys[c].leaf == part);
            if key.is_none() {
                break;
            }
        }
        if !key.is_some_and(|c| defines(t, c, r)) {
            continue;
        }
        let mut at: Vec<(&Node, String)> = vec![(root, String::new())];
        for part in norm.split('/') {
            let mut next = Vec::new();
            for (n, p) in at {
                match (&n.value, part) {
                    (Value::Array(items), "[]") => {
                        for (i, item) in items.iter().enumerate() {
                            next.push((item, join(&p, &i.to_string())));
                        }
                    }
                    (Value::Dict(d), k) if k != "[]" => {
                        if let Some(e) = d.get(k) {
                            next.push((&e.value, join(&p, k)));
                        }
                    }
                    _ => {}
                }
            }
            at = next;
        }
        for (n, p) in at {
            if let Value::Data(b) = &n.value
                && b.len() > size
            {
                out.push(("X004", p, sp(&n.span)));
            }
        }
    }
    out
}
