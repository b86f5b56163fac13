//! The span-carrying value tree built by the loader.

use crate::source::Span;

/// One plist value and where it sits in the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// The whole element, from `<` of the start tag to `>` of the end tag.
    pub span: Span,
    /// The text between the start and end tags (empty range for `<x/>`).
    pub inner: Span,
}

/// A plist value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `<dict>`; duplicate keys are all kept, in file order.
    Dict(Dict),
    /// `<array>`.
    Array(Vec<Node>),
    /// `<string>`, entities resolved.
    String(String),
    /// `<integer>`.
    Integer(Integer),
    /// `<true/>` or `<false/>`.
    Bool(bool),
    /// `<data>`, base64-decoded (empty when it did not decode).
    Data(Vec<u8>),
    /// `<real>`, as written.
    Real(String),
    /// `<date>`, as written.
    Date(String),
    /// An element that is not part of the plist format.
    Unknown(String),
}

impl Value {
    /// The plist type name, as used in messages (`boolean`, `integer`, ...).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Dict(_) => "dict",
            Value::Array(_) => "array",
            Value::String(_) => "string",
            Value::Integer(_) => "integer",
            Value::Bool(_) => "boolean",
            Value::Data(_) => "data",
            Value::Real(_) => "real",
            Value::Date(_) => "date",
            Value::Unknown(_) => "unknown element",
        }
    }
}

/// A `<dict>`: entries in file order, duplicates included.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Dict {
    /// The key/value pairs as written.
    pub entries: Vec<Entry>,
}

/// One `<key>` and the value that follows it.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The key's text.
    pub key: String,
    /// The `<key>...</key>` element.
    pub key_span: Span,
    /// The value.
    pub value: Node,
}

impl Dict {
    /// The entry OpenCore uses for `key`: the last one with that exact name.
    pub fn get(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().rev().find(|e| e.key == key)
    }

    /// The entry Clover uses for `key`: the first whose name matches ignoring
    /// ASCII case. Keys starting with `#` or ending with `?` are comments to
    /// Clover and never match.
    pub fn get_clover(&self, key: &str) -> Option<&Entry> {
        self.entries.iter().find(|e| {
            !(e.key.starts_with('#') || e.key.ends_with('?')) && e.key.eq_ignore_ascii_case(key)
        })
    }

    /// All entries named `key` (exact match), in file order.
    pub fn all<'a>(&'a self, key: &'a str) -> impl Iterator<Item = &'a Entry> + 'a {
        self.entries.iter().filter(move |e| e.key == key)
    }
}

impl Node {
    /// The dict inside this node, if it is one.
    pub fn as_dict(&self) -> Option<&Dict> {
        match &self.value {
            Value::Dict(d) => Some(d),
            _ => None,
        }
    }

    /// The items of this node, if it is an array.
    pub fn as_array(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The string, if this node is a `<string>`.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// The boolean, if this node is `<true/>` or `<false/>`.
    pub fn as_bool(&self) -> Option<bool> {
        match self.value {
            Value::Bool(b) => Some(b),
            _ => None,
        }
    }

    /// Follow a `/`-separated path of dict keys and array indices (OpenCore's
    /// reading: the last duplicate key wins).
    pub fn pointer(&self, path: &str) -> Option<&Node> {
        let mut node = self;
        for part in path.split('/').filter(|p| !p.is_empty()) {
            node = match &node.value {
                Value::Dict(d) => &d.get(part)?.value,
                Value::Array(a) => a.get(part.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(node)
    }

    /// Visit this node and every node below it, with its key path.
    pub fn walk<'a>(&'a self, path: &mut String, f: &mut dyn FnMut(&str, &'a Node)) {
        f(path, self);
        let len = path.len();
        match &self.value {
            Value::Dict(d) => {
                for e in &d.entries {
                    push_path(path, &e.key);
                    e.value.walk(path, f);
                    path.truncate(len);
                }
            }
            Value::Array(a) => {
                for (i, item) in a.iter().enumerate() {
                    if !path.is_empty() {
                        path.push('/');
                    }
                    // Written in place: no allocation per array item.
                    let _ = std::fmt::Write::write_fmt(path, format_args!("{i}"));
                    item.walk(path, f);
                    path.truncate(len);
                }
            }
            _ => {}
        }
    }
}

fn push_path(path: &mut String, part: &str) {
    if !path.is_empty() {
        path.push('/');
    }
    path.push_str(part);
}

/// An `<integer>` as written, and the number OpenCore reads from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Integer {
    /// The element's text, untrimmed.
    pub raw: String,
    /// The value when the text is a clean decimal integer (optionally signed);
    /// `None` otherwise.
    pub strict: Option<i128>,
    /// What OpenCore's decimal reader takes from the text: leading decimal
    /// digits after an optional `-`, stopping at the first other character
    /// (`0x10` reads as 0, `12abc` as 12, empty as 0).
    pub opencore: i64,
    /// The digits do not fit in 64 bits (the value saturates to all ones).
    pub overflow: bool,
}

impl Integer {
    /// Interpret the text of an `<integer>` element.
    pub fn parse(raw: &str) -> Integer {
        let t = raw.trim();
        let strict = if !t.is_empty()
            && t.strip_prefix('-')
                .unwrap_or(t)
                .bytes()
                .all(|b| b.is_ascii_digit())
            && t != "-"
        {
            t.parse::<i128>().ok()
        } else {
            None
        };
        let (neg, digits) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let mut v: u64 = 0;
        let mut overflow = false;
        for b in digits.bytes().take_while(|b| b.is_ascii_digit()) {
            match v
                .checked_mul(10)
                .and_then(|v| v.checked_add(u64::from(b - b'0')))
            {
                Some(n) => v = n,
                None => {
                    overflow = true;
                    v = u64::MAX;
                    break;
                }
            }
        }
        let v = v as i64;
        Integer {
            raw: raw.to_owned(),
            strict,
            opencore: if neg { v.wrapping_neg() } else { v },
            overflow,
        }
    }

    /// Clover's reading: decimal, or hexadecimal with a `0x` prefix.
    pub fn clover(&self) -> Option<i64> {
        let t = self.raw.trim();
        if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
            return u64::from_str_radix(h, 16).ok().map(|v| v as i64);
        }
        self.strict.and_then(|v| i64::try_from(v).ok())
    }
}

/// Decode base64 as plists use it (whitespace anywhere is ignored).
pub fn decode_base64(s: &str) -> Option<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        } as u32)
    }
    let clean: Vec<u8> = s.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
    let body_len = clean.iter().position(|&b| b == b'=').unwrap_or(clean.len());
    if clean[body_len..].iter().any(|&b| b != b'=') || clean.len() - body_len > 2 {
        return None;
    }
    if !clean.len().is_multiple_of(4) || body_len % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(body_len * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for &c in &clean[..body_len] {
        acc = (acc << 6) | val(c)?;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}
