//! The config as OpenCore's validator reads it, for the section rules
//! (ACPI, Booter entries, DeviceProperties, Kernel, Misc, NVRAM,
//! PlatformInfo, UEFI), and the value checks those sections share.
//!
//! [`Item`] is a value of the span tree with its key path: dict keys resolve
//! as OpenCore resolves them (the last duplicate wins), a value of the wrong
//! plist type reads as absent (OpenCore keeps its default then, and X004
//! reports the type). The predicates below restate the shared helpers of
//! OpenCore's `ocvalidate` (which characters a path, comment or identifier
//! may hold, how a patch's masks must line up, which entries repeat) so
//! every section applies them the same way.

use crate::model::Located;
use crate::plist::{Node, Value};
use crate::source::Span;

use super::Context;

/// A value of the config and where it is.
#[derive(Debug, Clone)]
pub struct Item<'a> {
    /// The value.
    pub node: &'a Node,
    /// Its key path (`Kernel/Add/3/BundlePath`).
    pub path: String,
}

impl<'a> Item<'a> {
    /// The root dict of the file.
    pub fn root(cx: &Context<'a>) -> Item<'a> {
        Item {
            node: &cx.doc.root,
            path: String::new(),
        }
    }

    /// The value at `path` (`/`-separated dict keys) below the root.
    pub fn at(cx: &Context<'a>, path: &str) -> Option<Item<'a>> {
        // One path for the whole walk: a step-by-step `get` would build
        // every prefix of it.
        let mut node = &cx.doc.root;
        let mut written = String::with_capacity(path.len());
        for key in path.split('/').filter(|k| !k.is_empty()) {
            node = &node.as_dict()?.get(key)?.value;
            if !written.is_empty() {
                written.push('/');
            }
            written.push_str(key);
        }
        Some(Item {
            node,
            path: written,
        })
    }

    /// The value of `key` in this dict (the last entry of that name).
    pub fn get(&self, key: &str) -> Option<Item<'a>> {
        let entry = self.node.as_dict()?.get(key)?;
        Some(Item {
            node: &entry.value,
            path: self.child(key),
        })
    }

    /// The items of this array, each with its index in the path.
    pub fn items(&self) -> impl Iterator<Item = Item<'a>> + '_ {
        self.node
            .as_array()
            .unwrap_or_default()
            .iter()
            .enumerate()
            .map(|(i, node)| {
                let mut digits = [0u8; 20];
                Item {
                    node,
                    path: self.child(decimal(i, &mut digits)),
                }
            })
    }

    /// The dicts of this array with their index: the entries OpenCore reads
    /// (an item of another type is dropped by OpenCore and reported by X004).
    pub fn entries(&self) -> impl Iterator<Item = (usize, Item<'a>)> + '_ {
        self.items()
            .enumerate()
            .filter(|(_, it)| it.node.as_dict().is_some())
    }

    /// The key/value pairs of this dict in file order, duplicates included,
    /// with the key's span.
    pub fn pairs(&self) -> impl Iterator<Item = (&'a str, Span, Item<'a>)> + '_ {
        self.node
            .as_dict()
            .map(|d| d.entries.as_slice())
            .unwrap_or_default()
            .iter()
            .map(|e| {
                (
                    e.key.as_str(),
                    e.key_span.clone(),
                    Item {
                        node: &e.value,
                        path: self.child(&e.key),
                    },
                )
            })
    }

    /// The string, when this is a `<string>`.
    pub fn str(&self) -> Option<&'a str> {
        self.node.as_str()
    }

    /// The bytes, when this is a `<data>`.
    pub fn data(&self) -> Option<&'a [u8]> {
        match &self.node.value {
            Value::Data(d) => Some(d),
            _ => None,
        }
    }

    /// The number OpenCore reads, when this is an `<integer>`.
    pub fn int(&self) -> Option<i64> {
        match &self.node.value {
            Value::Integer(i) => Some(i.opencore),
            _ => None,
        }
    }

    /// The boolean, when this is `<true/>` or `<false/>`.
    pub fn bool(&self) -> Option<bool> {
        self.node.as_bool()
    }

    /// The value of `key` in this dict (the last entry of that name),
    /// without building its key path: for reading values in loops.
    pub fn value_of(&self, key: &str) -> Option<&'a Node> {
        Some(&self.node.as_dict()?.get(key)?.value)
    }

    /// The string value of `key`; absent or mistyped reads as `""`, as
    /// OpenCore's default for a string field.
    pub fn str_of(&self, key: &str) -> &'a str {
        self.value_of(key).and_then(Node::as_str).unwrap_or("")
    }

    /// The data value of `key`; absent or mistyped reads as empty.
    pub fn data_of(&self, key: &str) -> &'a [u8] {
        match self.value_of(key).map(|n| &n.value) {
            Some(Value::Data(d)) => d,
            _ => &[],
        }
    }

    /// The integer value of `key`; absent or mistyped reads as 0.
    pub fn int_of(&self, key: &str) -> i64 {
        match self.value_of(key).map(|n| &n.value) {
            Some(Value::Integer(i)) => i.opencore,
            _ => 0,
        }
    }

    /// The boolean value of `key`; absent or mistyped reads as false.
    pub fn bool_of(&self, key: &str) -> bool {
        self.value_of(key).and_then(Node::as_bool).unwrap_or(false)
    }

    /// Whether this entry is enabled (`Enabled` true).
    pub fn enabled(&self) -> bool {
        self.bool_of("Enabled")
    }

    /// Where this value is, for a finding.
    pub fn located(&self) -> Located {
        Located {
            span: self.node.span.clone(),
            path: self.path.clone(),
        }
    }

    /// Where `key` of this dict is, or this dict when the key is absent.
    pub fn located_of(&self, key: &str) -> Located {
        self.get(key)
            .map_or_else(|| self.located(), |i| i.located())
    }

    fn child(&self, key: &str) -> String {
        crate::plist::join_path(&self.path, key)
    }
}

/// `n` written in decimal into `buf` (paths are built for every entry a
/// rule looks at, so this skips the formatting machinery).
pub(crate) fn decimal(mut n: usize, buf: &mut [u8; 20]) -> &str {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    std::str::from_utf8(&buf[at..]).unwrap_or("0")
}

/// Printable ASCII only (`0x20..=0x7E`): what OpenCore's validator asks of
/// comments, names, arguments and property names.
pub fn printable_ascii(s: &str) -> bool {
    s.bytes().all(|b| (0x20..=0x7E).contains(&b))
}

/// The characters OpenCore's validator allows in a file path: ASCII
/// letters, digits, `_`, `-`, `.`, `/` and `\`.
pub fn path_chars(s: &str) -> bool {
    s.bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/' | b'\\'))
}

/// The first character of `s` outside [`path_chars`], for messages.
pub fn first_bad_path_char(s: &str) -> Option<char> {
    s.chars()
        .find(|&c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/' | '\\')))
}

/// Whether `s` ends with `suffix`, ignoring ASCII case (OpenCore's suffix
/// checks ignore case).
pub fn ends_with_ignore_case(s: &str, suffix: &str) -> bool {
    s.len() >= suffix.len()
        && s.as_bytes()[s.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
}

/// Which kind of patch or block entry an identifier belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentifierKind {
    /// `Kernel/Patch`, `Kernel/Block`, `Kernel/Force`: `kernel` or a bundle
    /// identifier.
    Kernel,
    /// `Booter/Patch`: `Any`, `Apple` or the file name of an `.efi` image.
    Booter,
}

/// Whether OpenCore's validator accepts `id` as an identifier of `kind`: one
/// of the fixed names, or a dotted name of ASCII letters, digits, `_`, `-`
/// and `.` (an `.efi` name for the Booter).
pub fn identifier_ok(id: &str, kind: IdentifierKind) -> bool {
    match kind {
        IdentifierKind::Kernel if id == "kernel" => return true,
        IdentifierKind::Booter if id == "Any" || id == "Apple" => return true,
        IdentifierKind::Booter if !ends_with_ignore_case(id, ".efi") => return false,
        _ => {}
    }
    id.contains('.')
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
}

/// The architectures an `Arch` field of an entry may name.
pub const ENTRY_ARCHES: &[&str] = &["Any", "i386", "x86_64"];

/// One problem OpenCore's validator finds in a patch's byte fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PatchProblem {
    /// `Find` and `Replace` differ in size: (find, replace).
    FindReplaceSize(usize, usize),
    /// `Mask` is set with another size than `Find`: (mask, find).
    MaskSize(usize, usize),
    /// `Find` has bits set where `Mask` is clear.
    FindOutsideMask,
    /// `ReplaceMask` is set with another size than `Replace`: (mask, replace).
    ReplaceMaskSize(usize, usize),
    /// `Replace` has bits set where `ReplaceMask` is clear.
    ReplaceOutsideMask,
}

impl PatchProblem {
    /// The key of the patch entry the problem is about.
    pub fn key(self) -> &'static str {
        match self {
            PatchProblem::FindReplaceSize(..) => "Replace",
            PatchProblem::MaskSize(..) | PatchProblem::FindOutsideMask => "Mask",
            PatchProblem::ReplaceMaskSize(..) | PatchProblem::ReplaceOutsideMask => "ReplaceMask",
        }
    }
}

/// The byte fields of a patch entry.
#[derive(Debug, Clone, Copy, Default)]
pub struct PatchBytes<'a> {
    /// `Find`.
    pub find: &'a [u8],
    /// `Replace`.
    pub replace: &'a [u8],
    /// `Mask` (empty: not set).
    pub mask: &'a [u8],
    /// `ReplaceMask` (empty: not set).
    pub replace_mask: &'a [u8],
}

impl<'a> PatchBytes<'a> {
    /// The byte fields of the patch entry `entry` as OpenCore reads them.
    pub fn of(entry: &Item<'a>) -> PatchBytes<'a> {
        PatchBytes {
            find: entry.data_of("Find"),
            replace: entry.data_of("Replace"),
            mask: entry.data_of("Mask"),
            replace_mask: entry.data_of("ReplaceMask"),
        }
    }

    /// Every problem OpenCore's validator reports for these bytes. A size
    /// mismatch of `Find` and `Replace` is allowed when `find_may_be_empty`
    /// (a kernel patch located by `Base` with no `Find`).
    pub fn problems(&self, find_may_be_empty: bool) -> Vec<PatchProblem> {
        let mut out = Vec::new();
        let (f, r) = (self.find.len(), self.replace.len());
        if !find_may_be_empty && f != r {
            out.push(PatchProblem::FindReplaceSize(f, r));
        }
        if !self.mask.is_empty() {
            if self.mask.len() != f {
                out.push(PatchProblem::MaskSize(self.mask.len(), f));
            } else if !masked(self.find, self.mask) {
                out.push(PatchProblem::FindOutsideMask);
            }
        }
        if !self.replace_mask.is_empty() {
            if self.replace_mask.len() != r {
                out.push(PatchProblem::ReplaceMaskSize(self.replace_mask.len(), r));
            } else if !masked(self.replace, self.replace_mask) {
                out.push(PatchProblem::ReplaceOutsideMask);
            }
        }
        out
    }
}

/// Every bit set in `data` is also set in `mask` (same lengths).
pub fn masked(data: &[u8], mask: &[u8]) -> bool {
    data.len() == mask.len() && data.iter().zip(mask).all(|(d, m)| d & !m == 0)
}

/// For each entry after the first with the same key, the index of that
/// entry and of the first one; `key` returns `None` for entries that take no
/// part (disabled ones, say). Linear in the number of entries.
pub fn repeats<T, K: std::hash::Hash + Eq>(
    entries: &[T],
    key: impl Fn(&T) -> Option<K>,
) -> Vec<(usize, usize)> {
    let mut first = std::collections::HashMap::new();
    let mut out = Vec::new();
    for (i, e) in entries.iter().enumerate() {
        if let Some(k) = key(e) {
            match first.entry(k) {
                std::collections::hash_map::Entry::Occupied(o) => out.push((i, *o.get())),
                std::collections::hash_map::Entry::Vacant(v) => {
                    v.insert(i);
                }
            }
        }
    }
    out
}

/// Whether OpenCore reads `s` as a GUID (`7C436110-AB2A-4BBB-A880-FE41995C9F82`:
/// groups of 8, 4, 4, 4 and 12 hex digits joined by `-`). Like EDK2's
/// parser, OpenCore reads the 36 characters of the GUID and ignores what
/// follows them.
pub fn guid_ok(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 36
        && (0..36).all(|i| match i {
            8 | 13 | 18 | 23 => b[i] == b'-',
            _ => b[i].is_ascii_hexdigit(),
        })
}

impl<'a> Item<'a> {
    /// The entries of this map (`DeviceProperties/Add`, `NVRAM/Add/<guid>`,
    /// ...) as OpenCore reads them: key/value pairs in file order,
    /// duplicates included, with the key's span, leaving out keys that
    /// start with `#` (comments to OpenCore). The caller drops values of the
    /// wrong type, as OpenCore does.
    pub fn map_entries(&self) -> impl Iterator<Item = (&'a str, Span, Item<'a>)> + '_ {
        self.pairs().filter(|(k, _, _)| !k.starts_with('#'))
    }

    /// The entries of the map at `path` (see [`Item::map_entries`]) whose
    /// value is a dict (`dict`) or else an array: the ones OpenCore keeps.
    /// Empty for a config that is not OpenCore's.
    pub fn map_at(cx: &Context<'a>, path: &str, dict: bool) -> Vec<(&'a str, Span, Item<'a>)> {
        if cx.config.kind != crate::model::ConfigKind::OpenCore {
            return Vec::new();
        }
        let Some(map) = Item::at(cx, path) else {
            return Vec::new();
        };
        map.map_entries()
            .filter(|(_, _, v)| {
                if dict {
                    v.node.as_dict().is_some()
                } else {
                    v.node.as_array().is_some()
                }
            })
            .collect()
    }

    /// The bytes OpenCore stores for a multi-type value (a `DeviceProperties`
    /// property or an `NVRAM` variable): `<data>` decoded, `<string>` with
    /// its terminating NUL, `<integer>` as 4 little-endian bytes of its
    /// decimal reading, `<true/>`/`<false/>` as one byte; `None` for other
    /// types (OpenCore drops those).
    pub fn mdata(&self) -> Option<std::borrow::Cow<'a, [u8]>> {
        use std::borrow::Cow;
        match &self.node.value {
            Value::Data(d) => Some(Cow::Borrowed(d.as_slice())),
            Value::String(s) => {
                let mut v = s.as_bytes().to_vec();
                v.push(0);
                Some(Cow::Owned(v))
            }
            Value::Integer(i) => Some(Cow::Owned((i.opencore as u32).to_le_bytes().to_vec())),
            Value::Bool(b) => Some(Cow::Owned(vec![u8::from(*b)])),
            _ => None,
        }
    }
}

/// Whether OpenCore release number `release` (an index of
/// [`crate::schema::releases`]) defines the key at the normalised `path`
/// (`Misc/Serial/Custom`, `Misc/Entries/[]/Flavour`). With no release known,
/// the newest applies and every key it knows counts.
pub fn release_defines(release: Option<usize>, path: &str) -> bool {
    let t = crate::schema::Table::get();
    let r = release.unwrap_or(t.releases.len().saturating_sub(1));
    t.lookup(path)
        .is_some_and(|c| t.keys[c].present & crate::schema::bit(r) != 0)
}

/// Whether the release `cx` checks against defines the key at `path` (see
/// [`release_defines`]): a release-aware check on that key runs only then.
pub fn key_in_target(cx: &Context, path: &str) -> bool {
    release_defines(cx.oc_version.map(|r| r.target), path)
}

#[cfg(test)]
mod tests;
