//! Walking a config against the schema: one walk serves one release (checks)
//! or every release at once (inference), through release masks.

use std::fmt::Write as _;

use super::data::{Kind, Mask, Table, bit};
use crate::plist::{Entry, Node, Value};

/// What the walk meets, with the releases in which the parent is known.
pub enum Event<'a, 'p> {
    /// A dict key that is not a `#` comment.
    Key {
        /// The schema key of the dict holding it (`None`: the top level).
        parent: Option<usize>,
        /// The schema key it maps to in some release, if any.
        key: Option<usize>,
        /// Releases in which the parent dict is known and well-typed.
        mask: Mask,
        /// The entry.
        entry: &'a Entry,
        /// Its key path in the file (`Kernel/Add/3/BundlePath`).
        path: &'p str,
    },
    /// An array item.
    Item {
        /// The array's element schema key, if any.
        key: Option<usize>,
        /// Releases in which the array is known and well-typed.
        mask: Mask,
        /// The item.
        node: &'a Node,
        /// Its path in the file.
        path: &'p str,
    },
    /// A dict, after its entries.
    Dict {
        /// Its schema key (`None`: the root).
        key: Option<usize>,
        /// Releases in which it is known and well-typed.
        mask: Mask,
        /// The dict node.
        node: &'a Node,
        /// Its path in the file.
        path: &'p str,
        /// Which schema children it holds (see [`Present::has`]).
        present: Present<'p>,
    },
}

/// The schema children a dict holds, marked during the walk.
#[derive(Clone, Copy)]
pub struct Present<'p> {
    marks: &'p [u32],
    stamp: u32,
}

impl Present<'_> {
    /// Whether the dict holds schema child `c`.
    pub fn has(&self, c: usize) -> bool {
        self.marks.get(c) == Some(&self.stamp)
    }
}

/// Walk `root` against the releases in `mask`; with `paths` false (for
/// inference) the events carry empty paths and flat dict items repeating
/// the keys and value types of an earlier item are skipped.
pub fn walk<'a>(
    t: &Table,
    root: &'a Node,
    mask: Mask,
    paths: bool,
    f: &mut dyn FnMut(&Event<'a, '_>),
) {
    if root.as_dict().is_some() {
        let seen = (!paths).then(std::collections::HashSet::new);
        let mut w = Walker {
            t,
            paths,
            seen,
            marks: vec![0; t.keys.len()],
            stamp: 0,
            f,
        };
        let mut path = String::new();
        w.node(root, None, mask, &mut path);
    }
}

struct Walker<'t, 'f, 'a> {
    t: &'t Table,
    paths: bool,
    /// Signatures of flat dict items already walked (inference only: an
    /// item with the same keys and value types adds nothing new).
    seen: Option<std::collections::HashSet<u64>>,
    /// Per schema key, the stamp of the last dict that held it.
    marks: Vec<u32>,
    stamp: u32,
    f: &'f mut dyn FnMut(&Event<'a, '_>),
}

/// A signature of a dict item whose values are all scalars: its schema key,
/// entry names and value types. `None` for items holding dicts or arrays.
fn flat_signature(elem: usize, node: &Node) -> Option<u64> {
    // FNV-1a: cheap, and collisions only cost inference one item.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ elem as u64;
    let mut eat = |bytes: &[u8]| {
        for &b in bytes {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        h = (h ^ 0xff).wrapping_mul(0x0100_0000_01b3);
    };
    for e in &node.as_dict()?.entries {
        if matches!(e.value.value, Value::Dict(_) | Value::Array(_)) {
            return None;
        }
        eat(e.key.as_bytes());
        eat(e.value.value.type_name().as_bytes());
    }
    Some(h)
}

fn push(path: &mut String, part: &str) -> usize {
    let len = path.len();
    if !path.is_empty() {
        path.push('/');
    }
    path.push_str(part);
    len
}

impl<'a> Walker<'_, '_, 'a> {
    fn node(&mut self, node: &'a Node, key: Option<usize>, mask: Mask, path: &mut String) {
        let t = self.t;
        match &node.value {
            Value::Dict(d) => {
                self.stamp += 1;
                let stamp = self.stamp;
                for e in d.entries.iter().filter(|e| !e.key.starts_with('#')) {
                    let len = path.len();
                    if self.paths {
                        push(path, &e.key);
                    }
                    let child = t.child(key, &e.key);
                    if let Some(m) = child.and_then(|c| self.marks.get_mut(c)) {
                        *m = stamp;
                    }
                    (self.f)(&Event::Key {
                        parent: key,
                        key: child,
                        mask,
                        entry: e,
                        path,
                    });
                    if let Some(c) = child {
                        let k = &t.keys[c];
                        let m = mask & k.present & k.accepts_mask(e.value.value.type_name());
                        if m != 0 {
                            self.node(&e.value, Some(c), m, path);
                        }
                    }
                    path.truncate(len);
                }
                (self.f)(&Event::Dict {
                    key,
                    mask,
                    node,
                    path,
                    present: Present {
                        marks: &self.marks,
                        stamp,
                    },
                });
            }
            Value::Array(items) => {
                let elem = key.and_then(|k| t.keys[k].elem);
                for (i, item) in items.iter().enumerate() {
                    if let (Some(seen), Some(c)) = (self.seen.as_mut(), elem)
                        && let Some(sig) = flat_signature(c, item)
                        && !seen.insert(sig)
                    {
                        continue;
                    }
                    let len = path.len();
                    if self.paths {
                        if !path.is_empty() {
                            path.push('/');
                        }
                        let _ = write!(path, "{i}");
                    }
                    (self.f)(&Event::Item {
                        key: elem,
                        mask,
                        node: item,
                        path,
                    });
                    if let Some(c) = elem {
                        let k = &t.keys[c];
                        let m = mask & k.present & k.accepts_mask(item.value.type_name());
                        if m != 0 {
                            self.node(item, Some(c), m, path);
                        }
                    }
                    path.truncate(len);
                }
            }
            _ => {}
        }
    }
}

/// One difference between a config and one release's schema.
#[derive(Debug, Clone)]
pub enum Finding<'a> {
    /// A key the release does not define.
    Unknown {
        /// Its path in the file.
        path: String,
        /// Its normalised schema path (`UEFI/Quirks/ProvideConsoleGop`).
        norm: String,
        /// The schema key when some release knows it.
        key: Option<usize>,
        /// The entry.
        entry: &'a Entry,
    },
    /// A required key absent from its dict.
    Missing {
        /// The path the key would have in the file.
        path: String,
        /// The schema key.
        key: usize,
        /// The dict that lacks it.
        dict: &'a Node,
    },
    /// A value of a plist type the release does not accept there.
    WrongType {
        /// Its path in the file.
        path: String,
        /// The schema key.
        key: usize,
        /// The expected type.
        expected: Kind,
        /// The value.
        node: &'a Node,
    },
    /// A string field holding characters outside printable ASCII.
    NotAscii {
        /// Its path in the file.
        path: String,
        /// The value.
        node: &'a Node,
        /// The first offending character.
        first: char,
    },
}

fn norm_of(t: &Table, parent: Option<usize>, name: &str) -> String {
    match parent {
        Some(p) => format!("{}/{name}", t.keys[p].path),
        None => name.to_owned(),
    }
}

fn join(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}/{name}")
    }
}

/// Compare `root` with release `r`: unknown, missing and mistyped keys and
/// non-ASCII strings, in file order (missing keys after their dict's keys).
pub fn check<'a>(t: &Table, root: &'a Node, r: usize) -> Vec<Finding<'a>> {
    let m = bit(r);
    let mut out = Vec::new();
    walk(t, root, m, true, &mut |ev| match *ev {
        Event::Key {
            parent,
            key,
            entry,
            path,
            ..
        } => {
            let known = key.filter(|&c| t.keys[c].present & m != 0);
            let Some(c) = known else {
                out.push(Finding::Unknown {
                    path: path.to_owned(),
                    norm: key.map_or_else(
                        || norm_of(t, parent, &entry.key),
                        |c| t.keys[c].path.to_owned(),
                    ),
                    key,
                    entry,
                });
                return;
            };
            value_findings(t, c, r, &entry.value, path, &mut out);
        }
        Event::Item {
            key, node, path, ..
        } => {
            if let Some(c) = key.filter(|&c| t.keys[c].present & m != 0) {
                value_findings(t, c, r, node, path, &mut out);
            }
        }
        Event::Dict {
            key,
            node,
            path,
            present,
            ..
        } => {
            for &c in t.children(key) {
                let k = &t.keys[c];
                if k.required & m == 0 || k.leaf == "*" || k.leaf == "[]" {
                    continue;
                }
                if !present.has(c) {
                    out.push(Finding::Missing {
                        path: join(path, k.leaf),
                        key: c,
                        dict: node,
                    });
                }
            }
        }
    });
    out
}

fn value_findings<'a>(
    t: &Table,
    c: usize,
    r: usize,
    node: &'a Node,
    path: &str,
    out: &mut Vec<Finding<'a>>,
) {
    let Some(v) = t.keys[c].at(r) else { return };
    if !v.kind.accepts(node.value.type_name()) {
        out.push(Finding::WrongType {
            path: path.to_owned(),
            key: c,
            expected: v.kind,
            node,
        });
        return;
    }
    if v.kind == Kind::String
        && let Value::String(s) = &node.value
        && let Some(first) = s.chars().find(|&ch| !(' '..='~').contains(&ch))
    {
        out.push(Finding::NotAscii {
            path: path.to_owned(),
            node,
            first,
        });
    }
}
