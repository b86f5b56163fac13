//! What OpenCore makes of a file its scanner accepted: the malformations it
//! tolerates (that stricter readers refuse) and the value tree it sees.

use compact_str::CompactString;

use super::{Element, Tree, is_space};
use crate::plist::Document;
use crate::plist::value::{Dict, Entry, Integer, Node, Value, decode_base64};
use crate::source::Span;

/// A malformation OpenCore reads past, where it is, and what OpenCore
/// makes of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tolerated {
    /// Where it is (byte range of the file).
    pub span: Span,
    /// What is malformed, in words.
    pub what: String,
    /// What OpenCore does with it.
    pub opencore: String,
}

/// The plist element names (OpenCore compares them case-sensitively).
const PLIST_NAMES: [&[u8]; 10] = [
    b"dict", b"array", b"key", b"string", b"data", b"date", b"true", b"false", b"real", b"integer",
];

/// The malformations in `bytes` (already accepted by [`super::read`] into
/// `tree`) that OpenCore tolerates and strict XML/plist readers refuse,
/// in file order.
pub fn judge_tree(bytes: &[u8], tree: &Tree) -> Vec<Tolerated> {
    let mut out = Vec::new();
    let first = bytes.iter().position(|&b| !is_space(b)).unwrap_or(0);
    if first > 0 && bytes[first..].starts_with(b"<?xml") {
        out.push(Tolerated {
            span: 0..first,
            what: "whitespace before the XML declaration `<?xml`".into(),
            opencore: "OpenCore skips it".into(),
        });
    }
    let mut j = Judge {
        b: bytes,
        tree,
        out,
    };
    j.element(0);
    let mut out = j.out;
    let tail = &bytes[tree.end..];
    if let Some(at) = tail.iter().position(|&b| !is_space(b)) {
        out.push(Tolerated {
            span: tree.end + at..bytes.len(),
            what: "text after `</plist>`".into(),
            opencore: "OpenCore stops reading at `</plist>` and never looks at it".into(),
        });
    }
    out.sort_by_key(|t| t.span.start);
    out
}

struct Judge<'a> {
    b: &'a [u8],
    tree: &'a Tree,
    out: Vec<Tolerated>,
}

impl Judge<'_> {
    fn name(&self, e: &Element) -> &[u8] {
        &self.b[e.name.clone()]
    }

    fn push(&mut self, span: Span, what: String, opencore: &str) {
        self.out.push(Tolerated {
            span,
            what,
            opencore: opencore.into(),
        });
    }

    fn element(&mut self, idx: u32) {
        // Copies of the shared references: no borrow of `self` is held.
        let (b, tree) = (self.b, self.tree);
        let e = &tree.elements[idx as usize];
        let name: &[u8] = &b[e.name.clone()];
        let shown = || String::from_utf8_lossy(name).into_owned();
        if idx != 0 && !PLIST_NAMES.contains(&name) {
            let shown = shown();
            let known = PLIST_NAMES
                .iter()
                .find(|n| n.eq_ignore_ascii_case(name))
                .map(|n| String::from_utf8_lossy(n).into_owned());
            let what = match known {
                Some(k) => format!("element <{shown}> (plist names are lower-case: <{k}>)"),
                None => format!("<{shown}> is not a property-list element"),
            };
            self.push(
                e.span.clone(),
                what,
                "OpenCore reads it as a value of no known type, so the setting it holds is skipped",
            );
        }
        if let Some(text) = &e.text {
            self.text(text.clone());
        } else if !e.inner.is_empty()
            && tree.children(e).is_empty()
            && !matches!(name, b"dict" | b"array")
        {
            let inner = &b[e.inner.clone()];
            if memchr::memchr(b'<', inner).is_some_and(|i| inner[i..].starts_with(b"<![CDATA[")) {
                self.push(
                    e.span.clone(),
                    format!("a CDATA section inside <{}>", shown()),
                    "OpenCore skips CDATA like a comment and reads the element as empty",
                );
            }
        }
        if name == b"dict" {
            self.dict(e);
        }
        for &c in tree.children(e) {
            self.element(c);
        }
    }

    fn dict(&mut self, e: &Element) {
        if !self.tree.children(e).len().is_multiple_of(2) {
            self.push(
                e.span.clone(),
                "a <dict> with an odd number of elements (a key without a value, or a value without a key)".into(),
                "OpenCore pairs a dict's elements by position and ignores this whole dict: every setting in it falls back to its default",
            );
            return;
        }
        for pair in self.tree.children(e).chunks(2) {
            let k = &self.tree.elements[pair[0] as usize];
            if self.name(k) != b"key" {
                let shown = String::from_utf8_lossy(self.name(k)).into_owned();
                self.push(
                    k.span.clone(),
                    format!("<{shown}> where a <key> belongs"),
                    "OpenCore pairs a dict's elements by position and skips this pair",
                );
            }
        }
    }

    fn text(&mut self, text: Span) {
        let t = &self.b[text.clone()];
        if std::str::from_utf8(t).is_err() {
            self.push(
                text.clone(),
                "bytes that are not UTF-8 in a text".into(),
                "OpenCore copies the bytes as they are",
            );
        }
        let mut i = 0;
        while let Some(at) = memchr::memchr(b'&', &t[i..]) {
            let rest = &t[i + at..];
            let end = memchr::memchr(b';', rest).unwrap_or(rest.len());
            if !is_known_entity(&rest[..end.min(rest.len())]) {
                let s = text.start + i + at;
                self.push(
                    s..s + (end + 1).min(rest.len()),
                    "an `&` that starts no predefined entity".into(),
                    "OpenCore decodes no entities and keeps the text as written",
                );
                break;
            }
            i += at + 1;
        }
    }
}

fn is_known_entity(r: &[u8]) -> bool {
    let body = &r[1..];
    matches!(body, b"amp" | b"lt" | b"gt" | b"quot" | b"apos")
        || body
            .strip_prefix(b"#x")
            .is_some_and(|h| !h.is_empty() && h.iter().all(u8::is_ascii_hexdigit))
        || body
            .strip_prefix(b"#")
            .is_some_and(|d| !d.is_empty() && d.iter().all(u8::is_ascii_digit))
}

/// The value tree OpenCore sees in a file it reads, with spans into `text`
/// (which must hold the file's bytes at the same offsets: plain UTF-8, any
/// bytes that are not replaced one for one). Strings, keys and other texts
/// are taken as written, trimmed and not decoded, as OpenCore does. A dict
/// pairs each `<key>` with the element after it, so that key paths stay
/// meaningful even where OpenCore would skip the dict (the X011 warning
/// says so); an element in a key's place is left out.
pub fn to_document(text: &str, tree: &Tree) -> Document {
    let root = &tree.elements[0];
    let top = tree.children(root).first().copied().unwrap_or(0);
    Document {
        root: node(text, tree, top),
        issues: Vec::new(),
        unusual: true,
        depth: 0,
        widest: 0,
    }
}

fn node(text: &str, tree: &Tree, idx: u32) -> Node {
    let e = &tree.elements[idx as usize];
    let name = text.get(e.name.clone()).unwrap_or("");
    let t = e.text.clone().map_or("", |r| text.get(r).unwrap_or(""));
    let value = match name {
        "dict" => {
            let mut entries = Vec::new();
            let mut pending: Option<(CompactString, Span)> = None;
            for &c in tree.children(e) {
                let ce = &tree.elements[c as usize];
                if text.get(ce.name.clone()) == Some("key") {
                    let k = ce.text.clone().map_or("", |r| text.get(r).unwrap_or(""));
                    pending = Some((CompactString::from(k), ce.span.clone()));
                } else if let Some((key, key_span)) = pending.take() {
                    entries.push(Entry {
                        key,
                        key_span,
                        value: node(text, tree, c),
                    });
                }
            }
            Value::Dict(Dict { entries })
        }
        "array" => Value::Array(
            tree.children(e)
                .iter()
                .map(|&c| node(text, tree, c))
                .collect(),
        ),
        "string" => Value::String(CompactString::from(t)),
        "integer" => Value::Integer(Box::new(Integer::parse(t))),
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "real" => Value::Real(t.to_owned()),
        "date" => Value::Date(t.to_owned()),
        "data" => Value::Data(decode_base64(t).unwrap_or_default()),
        other => Value::Unknown(other.to_owned()),
    };
    Node {
        value,
        span: e.span.clone(),
        inner: e.inner.clone(),
    }
}
