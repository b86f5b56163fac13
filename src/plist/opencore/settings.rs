//! The value OpenCore's settings reader (OcSerializeLib) stores for one key
//! path, from the element tree its scanner built.
//!
//! How it maps the tree, in our words: a dict is read as pairs by position
//! (children 0 and 1, 2 and 3, ...); a dict with an odd number of children
//! is not a dict to it (skipped whole); a pair whose first element is not a
//! `<key>` with text is skipped; every pair whose key matches is applied in
//! file order, so the last one that yields a value wins, and two copies of
//! a dict are merged field by field. A leaf must be an element of exactly
//! the expected name (`true`/`false`, `integer`, `string`) with no child
//! elements; an `<integer>` must hold text, read as decimal digits after
//! optional spaces, tabs and a `-` (stopping at anything else, saturating
//! on overflow, then cut to the field's width). A `<string>` is its
//! trimmed text as written, up to a NUL. Anything else leaves the default.

use super::{Element, Tree};

/// A leaf value as OpenCore stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leaf {
    /// `<true/>` or `<false/>`.
    Bool(bool),
    /// An `<integer>`, as the 64-bit pattern OpenCore computes before
    /// cutting it to the field's width.
    Integer(u64),
    /// A `<string>`'s bytes.
    String(Vec<u8>),
}

/// The kind of leaf a field wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Want {
    /// A boolean field.
    Bool,
    /// An integer field.
    Integer,
    /// A string field.
    String,
}

/// What OpenCore stores for `path` (keys from the top dict) in the file
/// `bytes` it read into `tree`, when the file sets it; `None` leaves the
/// field's default.
pub fn setting(bytes: &[u8], tree: &Tree, path: &[&str], want: Want) -> Option<Leaf> {
    let root = &tree.elements[0];
    let top = *tree.children(root).first()?;
    lookup(bytes, tree, top, path, want)
}

fn name<'b>(bytes: &'b [u8], e: &Element) -> &'b [u8] {
    &bytes[e.name.clone()]
}

fn lookup(bytes: &[u8], tree: &Tree, idx: u32, path: &[&str], want: Want) -> Option<Leaf> {
    let e = &tree.elements[idx as usize];
    let Some((first, rest)) = path.split_first() else {
        return leaf(bytes, e, tree.children(e).is_empty(), want);
    };
    if name(bytes, e) != b"dict" || !tree.children(e).len().is_multiple_of(2) {
        return None;
    }
    let mut found = None;
    for pair in tree.children(e).chunks(2) {
        let k = &tree.elements[pair[0] as usize];
        let is_key = name(bytes, k) == b"key" && tree.children(k).is_empty();
        let text = k.text.clone().map(|r| &bytes[r]);
        if is_key
            && text == Some(first.as_bytes())
            && let Some(v) = lookup(bytes, tree, pair[1], rest, want)
        {
            found = Some(v);
        }
    }
    found
}

fn leaf(bytes: &[u8], e: &Element, no_children: bool, want: Want) -> Option<Leaf> {
    if !no_children {
        return None;
    }
    let text = e.text.clone().map(|r| &bytes[r]);
    match (want, name(bytes, e)) {
        (Want::Bool, b"true") => Some(Leaf::Bool(true)),
        (Want::Bool, b"false") => Some(Leaf::Bool(false)),
        (Want::Integer, b"integer") => text.map(|t| Leaf::Integer(decimal(t))),
        (Want::String, b"string") => Some(Leaf::String(text.unwrap_or_default().to_vec())),
        _ => None,
    }
}

/// OpenCore's integer reading (see the module docs).
pub fn decimal(t: &[u8]) -> u64 {
    let mut i = 0;
    while i < t.len() && (t[i] == b' ' || t[i] == b'\t') {
        i += 1;
    }
    let negate = t.get(i) == Some(&b'-');
    if negate {
        i += 1;
    }
    // The base library skips blanks again before the digits.
    while i < t.len() && (t[i] == b' ' || t[i] == b'\t') {
        i += 1;
    }
    let mut v: u64 = 0;
    for &b in t[i..].iter().take_while(|b| b.is_ascii_digit()) {
        match v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(b - b'0')))
        {
            Some(n) => v = n,
            None => {
                v = u64::MAX;
                break;
            }
        }
    }
    if negate { v.wrapping_neg() } else { v }
}
