//! Walking a config against the schema: one walk serves one release (checks)
//! or every release at once (inference), through release masks.
//!
//! The walk is the hot part of the schema's cost, so it allocates nothing
//! per key: file paths are kept as a stack of components and written out
//! only for a finding, a key's schema child is looked up with a cursor that
//! follows the schema's key order, and array items that repeat the keys and
//! value types of an earlier clean item are not walked again (their
//! structural outcome is the same; see [`Visit::needs_walk`]).

use std::mem::discriminant;

use super::data::{Kind, Mask, Table, Variant, bit};
use crate::plist::{Dict, Entry, Node, Value};

/// One component of a file path: a dict key or an array index.
#[derive(Debug, Clone, Copy)]
enum Part<'a> {
    Key(&'a str),
    Index(usize),
}

/// A file path (`Kernel/Add/3/BundlePath`) kept as components; written out
/// only when something is reported at it.
#[derive(Debug, Default)]
pub struct Trail<'a> {
    parts: Vec<Part<'a>>,
}

impl Trail<'_> {
    /// The path as text.
    pub fn render(&self) -> String {
        let mut s = String::new();
        for (i, p) in self.parts.iter().enumerate() {
            if i > 0 {
                s.push('/');
            }
            match p {
                Part::Key(k) => s.push_str(k),
                Part::Index(n) => s.push_str(&n.to_string()),
            }
        }
        s
    }

    /// The path of a child named `leaf`.
    pub fn render_with(&self, leaf: &str) -> String {
        let mut s = self.render();
        if !s.is_empty() {
            s.push('/');
        }
        s.push_str(leaf);
        s
    }
}

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
        path: &'p Trail<'a>,
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
        path: &'p Trail<'a>,
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
        path: &'p Trail<'a>,
        /// Which schema children it holds (see [`Present::has_at`]).
        present: Present<'p>,
    },
}

/// The schema children a dict holds, by their position among the parent
/// key's children ([`Table::children`]), marked during the walk.
#[derive(Clone, Copy)]
pub struct Present<'p> {
    /// Positions below 128.
    bits: u128,
    /// Positions from 128 on (no schema dict has that many children today).
    more: &'p [usize],
}

impl Present<'_> {
    /// Whether the dict holds the child at position `i`.
    pub fn has_at(&self, i: usize) -> bool {
        match u32::try_from(i) {
            Ok(b) if b < 128 => self.bits >> b & 1 != 0,
            _ => self.more.contains(&i),
        }
    }
}

/// What a walk does with its events.
pub trait Visit<'a> {
    /// Handle one event.
    fn event(&mut self, ev: &Event<'a, '_>);

    /// How many structural outcomes (unknown, missing or mistyped keys)
    /// the visitor has recorded so far. An array item whose walk adds
    /// none becomes a model for later items of the same shape.
    fn structural(&self) -> usize;

    /// Whether `item`, which has the keys and value types of a model item
    /// walked before, must be walked all the same (for what depends on its
    /// values rather than its shape).
    fn needs_walk(&self, item: &Dict) -> bool;
}

/// The schema kind a value is written as (`None`: real, date, unknown
/// elements, which only [`Kind::Any`] accepts).
pub(crate) fn kind_of(v: &Value) -> Option<Kind> {
    Some(match v {
        Value::Dict(_) => Kind::Dict,
        Value::Array(_) => Kind::Array,
        Value::String(_) => Kind::String,
        Value::Integer(_) => Kind::Integer,
        Value::Bool(_) => Kind::Boolean,
        Value::Data(_) => Kind::Data,
        _ => return None,
    })
}

/// Whether a string holds printable ASCII only (` ` to `~`), eight bytes
/// at a time.
pub(crate) fn printable(s: &str) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let b = s.as_bytes();
    let mut chunks = b.chunks_exact(8);
    let mut bad = 0u64;
    for c in &mut chunks {
        let mut a = [0u8; 8];
        a.copy_from_slice(c);
        let w = u64::from_le_bytes(a);
        // Bytes >= 0x80, bytes < 0x20, bytes == 0x7f.
        let del = w ^ (0x7f * ONES);
        bad |= w | (w.wrapping_sub(0x20 * ONES) & !w) | (del.wrapping_sub(ONES) & !del);
    }
    bad & HIGH == 0
        && chunks
            .remainder()
            .iter()
            .all(|&x| (b' '..=b'~').contains(&x))
}

/// Walk `root` against the releases in `mask`.
pub fn walk<'a, V: Visit<'a>>(t: &Table, root: &'a Node, mask: Mask, v: &mut V) {
    if root.as_dict().is_some() {
        let mut w = Walker {
            t,
            trail: Trail::default(),
            v,
        };
        w.node(root, None, mask);
    }
}

struct Walker<'t, 'v, 'a, V> {
    t: &'t Table,
    trail: Trail<'a>,
    v: &'v mut V,
}

/// Whether two keys are equal; keys of 4 to 16 bytes, the usual ones, are
/// compared as two overlapping words instead of through `memcmp`.
fn same_key(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    match a.len() {
        n if n != b.len() => false,
        8..=16 => a.first_chunk::<8>() == b.first_chunk() && a.last_chunk::<8>() == b.last_chunk(),
        4..=7 => a.first_chunk::<4>() == b.first_chunk() && a.last_chunk::<4>() == b.last_chunk(),
        _ => a == b,
    }
}

/// Whether two dicts have the same keys in the same order with values of
/// the same plist types.
fn same_shape(a: &Dict, b: &Dict) -> bool {
    a.entries.len() == b.entries.len()
        && a.entries.iter().zip(&b.entries).all(|(x, y)| {
            same_key(&x.key, &y.key) && discriminant(&x.value.value) == discriminant(&y.value.value)
        })
}

/// A dict item whose values are all scalars (the only items taken as
/// models: their walk is one level deep).
fn flat(node: &Node) -> Option<&Dict> {
    let d = node.as_dict()?;
    d.entries
        .iter()
        .all(|e| !matches!(e.value.value, Value::Dict(_) | Value::Array(_)))
        .then_some(d)
}

/// How many model items an array keeps (newest first).
const MODELS: usize = 4;

impl<'a, V: Visit<'a>> Walker<'_, '_, 'a, V> {
    fn node(&mut self, node: &'a Node, key: Option<usize>, mask: Mask) {
        let t = self.t;
        match &node.value {
            Value::Dict(d) => {
                let free = key.and_then(|k| t.keys[k].free);
                let kids = t.children(key);
                let free_at = free.and_then(|f| kids.iter().position(|&c| c == f));
                let (mut bits, mut more) = (0u128, Vec::new());
                // Configs mostly list keys in the schema's order: try the
                // child after the last match first.
                let mut cursor = 0;
                for e in &d.entries {
                    if e.key.starts_with('#') {
                        continue;
                    }
                    let at = free_at.or_else(|| {
                        let name = e.key.as_str();
                        let at = match kids.get(cursor) {
                            Some(&c) if same_key(t.keys[c].leaf, name) => Some(cursor),
                            _ => kids.iter().position(|&c| same_key(t.keys[c].leaf, name)),
                        }?;
                        cursor = at + 1;
                        Some(at)
                    });
                    let child = free.or_else(|| kids.get(at?).copied());
                    match at.map(u32::try_from) {
                        Some(Ok(b)) if b < 128 => bits |= 1 << b,
                        Some(_) => more.extend(at),
                        None => {}
                    }
                    self.trail.parts.push(Part::Key(&e.key));
                    self.v.event(&Event::Key {
                        parent: key,
                        key: child,
                        mask,
                        entry: e,
                        path: &self.trail,
                    });
                    if let Some(c) = child
                        && let Value::Dict(_) | Value::Array(_) = e.value.value
                    {
                        let k = &t.keys[c];
                        let m = mask & k.present & k.accepts_value(&e.value.value);
                        if m != 0 {
                            self.node(&e.value, Some(c), m);
                        }
                    }
                    self.trail.parts.pop();
                }
                self.v.event(&Event::Dict {
                    key,
                    mask,
                    node,
                    path: &self.trail,
                    present: Present { bits, more: &more },
                });
            }
            Value::Array(items) => {
                let Some(elem) = key.and_then(|k| t.keys[k].elem) else {
                    return;
                };
                let k = &t.keys[elem];
                let mut models: [Option<&'a Dict>; MODELS] = [None; MODELS];
                for (i, item) in items.iter().enumerate() {
                    let modelled = item
                        .as_dict()
                        .filter(|d| models.iter().flatten().any(|m| same_shape(m, d)));
                    if let Some(d) = modelled
                        && !self.v.needs_walk(d)
                    {
                        continue;
                    }
                    let before = self.v.structural();
                    self.trail.parts.push(Part::Index(i));
                    self.v.event(&Event::Item {
                        key: Some(elem),
                        mask,
                        node: item,
                        path: &self.trail,
                    });
                    if let Value::Dict(_) | Value::Array(_) = item.value {
                        let m = mask & k.present & k.accepts_value(&item.value);
                        if m != 0 {
                            self.node(item, Some(elem), m);
                        }
                    }
                    self.trail.parts.pop();
                    if modelled.is_none()
                        && self.v.structural() == before
                        && let Some(d) = flat(item)
                    {
                        models.rotate_right(1);
                        models[0] = Some(d);
                    }
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

/// The check of one release: findings in walk order.
struct Checker<'t, 'a> {
    t: &'t Table,
    /// The checked release, as a mask.
    bit: Mask,
    out: Vec<Finding<'a>>,
    structural: usize,
}

impl<'a> Visit<'a> for Checker<'_, 'a> {
    #[inline]
    fn event(&mut self, ev: &Event<'a, '_>) {
        let t = self.t;
        let m = self.bit;
        match *ev {
            Event::Key {
                parent,
                key,
                entry,
                path,
                ..
            } => {
                let known = key.and_then(|c| Some((c, self.variant(c)?)));
                let Some((c, v)) = known else {
                    self.structural += 1;
                    self.out.push(Finding::Unknown {
                        path: path.render(),
                        norm: key.map_or_else(
                            || norm_of(t, parent, &entry.key),
                            |c| t.keys[c].path.to_owned(),
                        ),
                        key,
                        entry,
                    });
                    return;
                };
                self.value(c, v, &entry.value, path);
            }
            Event::Item {
                key, node, path, ..
            } => {
                if let Some((c, v)) = key.and_then(|c| Some((c, self.variant(c)?))) {
                    self.value(c, v, node, path);
                }
            }
            Event::Dict {
                key,
                node,
                path,
                present,
                ..
            } => {
                for (i, &c) in t.children(key).iter().enumerate() {
                    let k = &t.keys[c];
                    if t.required_in(key, c) & m == 0 || k.leaf == "*" || k.leaf == "[]" {
                        continue;
                    }
                    if !present.has_at(i) {
                        self.structural += 1;
                        self.out.push(Finding::Missing {
                            path: path.render_with(k.leaf),
                            key: c,
                            dict: node,
                        });
                    }
                }
            }
        }
    }

    fn structural(&self) -> usize {
        self.structural
    }

    /// X008 looks at every string: an item with a string that is not
    /// printable ASCII is walked.
    fn needs_walk(&self, item: &Dict) -> bool {
        item.entries
            .iter()
            .any(|e| matches!(&e.value.value, Value::String(s) if !printable(s)))
    }
}

impl<'a> Checker<'_, 'a> {
    /// The variant of key `c` in force in the checked release.
    #[inline]
    fn variant(&self, c: usize) -> Option<&'static Variant> {
        self.t.keys[c]
            .variants
            .iter()
            .find(|v| v.mask & self.bit != 0)
    }

    #[inline]
    fn value(&mut self, c: usize, v: &Variant, node: &'a Node, path: &Trail<'a>) {
        if !v.kind.accepts_kind(kind_of(&node.value)) {
            self.structural += 1;
            self.out.push(Finding::WrongType {
                path: path.render(),
                key: c,
                expected: v.kind,
                node,
            });
            return;
        }
        if v.kind == Kind::String
            && let Value::String(s) = &node.value
            && !printable(s)
            && let Some(first) = s.chars().find(|&ch| !(' '..='~').contains(&ch))
        {
            self.out.push(Finding::NotAscii {
                path: path.render(),
                node,
                first,
            });
        }
    }
}

/// Compare `root` with release `r`: unknown, missing and mistyped keys and
/// non-ASCII strings, in file order (missing keys after their dict's keys).
pub fn check<'a>(t: &Table, root: &'a Node, r: usize) -> Vec<Finding<'a>> {
    let mut c = Checker {
        t,
        bit: bit(r),
        out: Vec::new(),
        structural: 0,
    };
    walk(t, root, bit(r), &mut c);
    c.out
}
