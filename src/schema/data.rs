//! The schema table and the parser of its text form.
//!
//! `rules/schema/opencore.txt` (written by `examples/gen_schema.rs`) holds the
//! full key list of the oldest release after `@0.5.0`, then per release only
//! the changes: `+PATH<tab>KIND[?]<tab>VALUE` adds a key, `~` changes its
//! kind, optionality or sample value, `-PATH` removes it. [`Table::parse`]
//! turns that into one [`Table`] over the union of every release's keys, in
//! which a key's existence is a bit mask over releases, so checking or
//! scoring a config against all releases takes one walk. The generator also
//! writes that table as Rust statics (`rules/schema/opencore.rs`), which is
//! what the binary embeds: nothing is parsed at run time. A test checks
//! that both files agree.

/// One bit per release, in [`Table::releases`] order.
pub type Mask = u128;

#[allow(clippy::all)]
mod generated {
    #[allow(unused_imports)]
    use super::{KeyRec, Kind, Variant};
    include!("../../rules/schema/opencore.rs");
}

/// The text form, embedded for the consistency test only.
#[cfg(test)]
pub const DATA: &str = include_str!("../../rules/schema/opencore.txt");

/// The plist type a key holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// `<true/>` / `<false/>`.
    Boolean,
    /// `<integer>`.
    Integer,
    /// `<string>`.
    String,
    /// `<data>`.
    Data,
    /// `<dict>`.
    Dict,
    /// `<array>`.
    Array,
    /// Any type (NVRAM variables, device properties).
    Any,
}

impl Kind {
    fn from_code(c: u8) -> Option<Kind> {
        Some(match c {
            b'b' => Kind::Boolean,
            b'i' => Kind::Integer,
            b's' => Kind::String,
            b'd' => Kind::Data,
            b'D' => Kind::Dict,
            b'A' => Kind::Array,
            b'*' => Kind::Any,
            _ => return None,
        })
    }

    /// The type name as `Value::type_name` spells it (`any` for [`Kind::Any`]).
    pub fn name(self) -> &'static str {
        match self {
            Kind::Boolean => "boolean",
            Kind::Integer => "integer",
            Kind::String => "string",
            Kind::Data => "data",
            Kind::Dict => "dict",
            Kind::Array => "array",
            Kind::Any => "any",
        }
    }

    /// Whether a value of plist type `type_name` is accepted. [`Kind::Any`]
    /// (a device property or NVRAM variable) takes any value but a dict or
    /// an array: OpenCore reads it as bytes.
    pub fn accepts(self, type_name: &str) -> bool {
        match self {
            Kind::Any => !matches!(type_name, "dict" | "array"),
            _ => self.name() == type_name,
        }
    }

    /// Whether a value written as `kind` (see `check::kind_of`) is accepted.
    pub fn accepts_kind(self, kind: Option<Kind>) -> bool {
        match self {
            Kind::Any => !matches!(kind, Some(Kind::Dict | Kind::Array)),
            _ => kind == Some(self),
        }
    }
}

/// A key's kind, optionality and sample value over a run of releases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Variant {
    /// The releases this variant covers.
    pub mask: Mask,
    /// The plist type.
    pub kind: Kind,
    /// Whether OpenCore accepts the key being absent.
    pub optional: bool,
    /// The sample value, escaped as in the data file (see [`unescape`]).
    pub value: &'static str,
}

/// One key path of the union of all releases.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRec {
    /// The normalised path (`Kernel/Add/[]/BundlePath`, `NVRAM/Add/*`).
    pub path: &'static str,
    /// The last component.
    pub leaf: &'static str,
    /// The parent key (`None` at the top level).
    pub parent: Option<usize>,
    /// Releases in which the key exists.
    pub present: Mask,
    /// Releases in which the key exists and is required.
    pub required: Mask,
    /// Kind, optionality and value per run of releases.
    pub variants: &'static [Variant],
    /// Child keys, in data order.
    pub children: &'static [usize],
    /// The free-key child `*` of a user map.
    pub free: Option<usize>,
    /// The element child `[]` of an array.
    pub elem: Option<usize>,
}

impl KeyRec {
    /// The variant in force in release `r`.
    pub fn at(&self, r: usize) -> Option<&Variant> {
        self.variants.iter().find(|v| v.mask & bit(r) != 0)
    }

    /// Releases in which `value` fits this key.
    pub fn accepts_value(&self, value: &crate::plist::Value) -> Mask {
        let kind = super::check::kind_of(value);
        self.variants
            .iter()
            .filter(|v| v.kind.accepts_kind(kind))
            .fold(0, |m, v| m | v.mask)
    }

    /// Releases in which a value of plist type `type_name` fits this key.
    pub fn accepts_mask(&self, type_name: &str) -> Mask {
        self.variants
            .iter()
            .filter(|v| v.kind.accepts(type_name))
            .fold(0, |m, v| m | v.mask)
    }
}

/// Every key of every release.
#[derive(Debug, PartialEq, Eq)]
pub struct Table {
    /// Release tags, oldest first (`HEAD` last).
    pub releases: &'static [&'static str],
    /// The keys, parents before children.
    pub keys: &'static [KeyRec],
    /// Top-level keys.
    pub roots: &'static [usize],
    /// Key indices sorted by path, for lookups.
    pub sorted: &'static [usize],
}

/// A table under construction (parsing).
struct Builder {
    releases: Vec<&'static str>,
    keys: Vec<KeyRec>,
    variants: Vec<Vec<Variant>>,
    children: Vec<Vec<usize>>,
    roots: Vec<usize>,
    index: std::collections::HashMap<&'static str, usize>,
}

fn leak<T>(v: Vec<T>) -> &'static [T] {
    Box::leak(v.into_boxed_slice())
}

/// The mask with only release `r` set.
pub fn bit(r: usize) -> Mask {
    if r < 128 { 1 << r } else { 0 }
}

/// Releases `from..to`.
pub fn range(from: usize, to: usize) -> Mask {
    (from..to.min(128)).fold(0, |m, r| m | bit(r))
}

/// The embedded table.
static TABLE: Table = Table {
    releases: generated::RELEASES,
    keys: generated::KEYS,
    roots: generated::ROOTS,
    sorted: generated::SORTED,
};

/// An open variant while parsing: (start release, kind, optional, value).
type Open = (usize, Kind, bool, &'static str);

impl Table {
    /// The embedded table (static data: nothing is parsed or allocated).
    pub fn get() -> &'static Table {
        &TABLE
    }

    /// Parse the text form described in the module docs (for the generator
    /// and tests; the memory it takes is never freed). Malformed lines are
    /// skipped.
    pub fn parse(data: &'static str) -> Table {
        let mut b = Builder {
            releases: Vec::new(),
            keys: Vec::new(),
            variants: Vec::new(),
            children: Vec::new(),
            roots: Vec::new(),
            index: std::collections::HashMap::new(),
        };
        let mut open: Vec<Option<Open>> = Vec::new();
        for line in data.lines() {
            if line.starts_with('#') || line.is_empty() {
                continue;
            }
            if let Some(tag) = line.strip_prefix('@') {
                b.releases.push(tag);
                continue;
            }
            let Some(r) = b.releases.len().checked_sub(1) else {
                continue;
            };
            let (op, rest) = line.split_at(1);
            let mut fields = rest.splitn(3, '\t');
            let path = fields.next().unwrap_or_default();
            let code = fields.next().unwrap_or_default().as_bytes();
            let value = fields.next().unwrap_or_default();
            let parsed = code
                .first()
                .and_then(|&c| Kind::from_code(c))
                .map(|k| (k, code.get(1) == Some(&b'?')));
            let k = match (op, parsed) {
                ("+", Some(_)) => b.key(path),
                _ => match b.index.get(path) {
                    Some(&k) => k,
                    None => continue,
                },
            };
            open.resize(b.keys.len(), None);
            if let Some(o) = open[k].take() {
                b.close(k, o, r);
            }
            if let (Some((kind, optional)), "+" | "~") = (parsed, op) {
                open[k] = Some((r, kind, optional, value));
            }
        }
        let end = b.releases.len();
        for (k, o) in open.into_iter().enumerate() {
            if let Some(o) = o {
                b.close(k, o, end);
            }
        }
        let mut keys = b.keys;
        for ((key, vars), kids) in keys.iter_mut().zip(b.variants).zip(b.children) {
            key.variants = leak(vars);
            key.children = leak(kids);
        }
        let mut sorted: Vec<usize> = (0..keys.len()).collect();
        sorted.sort_by_key(|&k| keys[k].path);
        Table {
            releases: leak(b.releases),
            keys: leak(keys),
            roots: leak(b.roots),
            sorted: leak(sorted),
        }
    }

    /// The key at a normalised path.
    pub fn lookup(&self, path: &str) -> Option<usize> {
        self.sorted
            .binary_search_by(|&k| self.keys[k].path.cmp(path))
            .ok()
            .map(|i| self.sorted[i])
    }

    /// The child of `parent` (`None`: top level) that a config key named
    /// `name` maps to: the free-key child `*` of a user map, else the child
    /// with that exact name.
    pub fn child(&self, parent: Option<usize>, name: &str) -> Option<usize> {
        if let Some(free) = parent.and_then(|p| self.keys[p].free) {
            return Some(free);
        }
        self.children(parent)
            .iter()
            .copied()
            .find(|&c| self.keys[c].leaf == name)
    }

    /// The children of `parent` (`None`: the top-level keys).
    pub fn children(&self, parent: Option<usize>) -> &'static [usize] {
        match parent {
            Some(p) => self.keys[p].children,
            None => self.roots,
        }
    }

    /// The releases in which key `c`, held by a dict of key `holder`
    /// (`None`: the root), must be present. OpenCore marks only a few dicts
    /// optional (`PlatformInfo/SMBIOS`, ...); the keys inside one are
    /// required whenever it is present, although the data marks them
    /// optional along with it.
    pub fn required_in(&self, holder: Option<usize>, c: usize) -> Mask {
        let k = &self.keys[c];
        let holder_optional = holder.map_or(0, |h| !self.keys[h].required);
        k.required | (k.present & holder_optional)
    }

    /// Every release.
    pub fn all(&self) -> Mask {
        range(0, self.releases.len())
    }

    /// The table as Rust statics (what `rules/schema/opencore.rs` holds).
    pub fn to_rust(&self) -> String {
        use std::fmt::Write as _;
        let mut s = String::from(
            "// Generated by `cargo run --example gen_schema`; do not edit.\n\
             // The same table as rules/schema/opencore.txt, precomputed.\n",
        );
        let _ = writeln!(s, "pub static RELEASES: &[&str] = &{:?};", self.releases);
        let _ = writeln!(s, "pub static ROOTS: &[usize] = &{:?};", self.roots);
        let _ = writeln!(s, "pub static SORTED: &[usize] = &{:?};", self.sorted);
        s.push_str("pub static KEYS: &[KeyRec] = &[\n");
        for k in self.keys {
            let _ = write!(
                s,
                "KeyRec{{path:{:?},leaf:{:?},parent:{:?},present:{:#x},required:{:#x},children:&{:?},free:{:?},elem:{:?},variants:&[",
                k.path, k.leaf, k.parent, k.present, k.required, k.children, k.free, k.elem
            );
            for v in k.variants {
                let _ = write!(
                    s,
                    "Variant{{mask:{:#x},kind:Kind::{:?},optional:{},value:{:?}}},",
                    v.mask, v.kind, v.optional, v.value
                );
            }
            s.push_str("]},\n");
        }
        s.push_str("];\n");
        s
    }
}

impl Builder {
    fn key(&mut self, path: &'static str) -> usize {
        if let Some(&k) = self.index.get(path) {
            return k;
        }
        let (parent, leaf) = match path.rsplit_once('/') {
            Some((p, l)) => (self.index.get(p).copied(), l),
            None => (None, path),
        };
        let k = self.keys.len();
        self.keys.push(KeyRec {
            path,
            leaf,
            parent,
            present: 0,
            required: 0,
            variants: &[],
            children: &[],
            free: None,
            elem: None,
        });
        self.variants.push(Vec::new());
        self.children.push(Vec::new());
        match parent {
            Some(p) => {
                self.children[p].push(k);
                match leaf {
                    "*" => self.keys[p].free = Some(k),
                    "[]" => self.keys[p].elem = Some(k),
                    _ => {}
                }
            }
            None => self.roots.push(k),
        }
        self.index.insert(path, k);
        k
    }

    fn close(&mut self, k: usize, (start, kind, optional, value): Open, end: usize) {
        let mask = range(start, end);
        let key = &mut self.keys[k];
        key.present |= mask;
        if !optional {
            key.required |= mask;
        }
        self.variants[k].push(Variant {
            mask,
            kind,
            optional,
            value,
        });
    }
}

/// Undo the data file's escapes (`\\`, `\t`, `\n`, `\r`).
pub fn unescape(s: &str) -> String {
    if !s.contains('\\') {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len());
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match it.next() {
            Some('t') => out.push('\t'),
            Some('n') => out.push('\n'),
            Some('r') => out.push('\r'),
            Some(o) => out.push(o),
            None => out.push('\\'),
        }
    }
    out
}

/// Decode the hex form of a data sample value.
pub fn hex_bytes(s: &str) -> Vec<u8> {
    s.as_bytes()
        .chunks(2)
        .filter_map(|pair| {
            std::str::from_utf8(pair)
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        })
        .collect()
}
