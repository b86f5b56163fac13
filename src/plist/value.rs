//! The span-carrying value tree built by the loader.

use compact_str::CompactString;

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
    /// `<string>`, entities resolved (stored inline up to 24 bytes).
    String(CompactString),
    /// `<integer>` (boxed: integers are rare, and inline they would double
    /// the size of every value the loader moves).
    Integer(Box<Integer>),
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
    /// The key's text (stored inline up to 24 bytes, as nearly every key is).
    pub key: CompactString,
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

    /// Call `f` on this node and every node below it, in file order. The
    /// cheapest walk: rules that need a finding's key path ask
    /// [`Node::path_at`] for it, only for the nodes they report.
    pub fn walk<'a>(&'a self, f: &mut impl FnMut(&'a Node)) {
        f(self);
        match &self.value {
            Value::Dict(d) => d.entries.iter().for_each(|e| e.value.walk(f)),
            Value::Array(a) => a.iter().for_each(|item| item.walk(f)),
            _ => {}
        }
    }

    /// Visit this node and every node below it, in file order, with the
    /// steps that lead to each. Most visits never need the path, so it is
    /// kept as steps and written out only on demand ([`join_steps`]).
    pub fn visit<'a>(&'a self, f: &mut impl FnMut(&[Step<'a>], &'a Node)) {
        fn go<'a>(
            node: &'a Node,
            steps: &mut Vec<Step<'a>>,
            f: &mut impl FnMut(&[Step<'a>], &'a Node),
        ) {
            f(steps, node);
            match &node.value {
                Value::Dict(d) => {
                    for e in &d.entries {
                        steps.push(Step::Key(&e.key));
                        go(&e.value, steps, f);
                        steps.pop();
                    }
                }
                Value::Array(a) => {
                    for (i, item) in a.iter().enumerate() {
                        steps.push(Step::Index(i));
                        go(item, steps, f);
                        steps.pop();
                    }
                }
                _ => {}
            }
        }
        go(self, &mut Vec::new(), f);
    }

    /// The key path of the innermost node whose element contains `offset`
    /// (empty for the root, or when the offset is outside it).
    pub fn path_at(&self, offset: usize) -> String {
        let mut steps = Vec::new();
        let mut node = self;
        loop {
            let next = match &node.value {
                Value::Dict(d) => d
                    .entries
                    .iter()
                    .find(|e| e.value.span.contains(&offset))
                    .map(|e| (Step::Key(&e.key), &e.value)),
                Value::Array(a) => a
                    .iter()
                    .position(|item| item.span.contains(&offset))
                    .map(|i| (Step::Index(i), &a[i])),
                _ => None,
            };
            match next {
                Some((step, child)) => {
                    steps.push(step);
                    node = child;
                }
                None => return join_steps(&steps),
            }
        }
    }
}

/// One step of a key path: a dict key or an array index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step<'a> {
    /// A dict key.
    Key(&'a str),
    /// An array index.
    Index(usize),
}

/// `parent/key`, or `key` alone when `parent` is the root (empty). Built
/// by hand: paths are joined for every field a config model reads, and
/// the formatting machinery costs several times the copy.
pub fn join_path(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        return key.to_owned();
    }
    let mut path = String::with_capacity(parent.len() + 1 + key.len());
    path.push_str(parent);
    path.push('/');
    path.push_str(key);
    path
}

/// Write steps as a key path (`Kernel/Add/3/BundlePath`).
pub fn join_steps(steps: &[Step]) -> String {
    let mut path = String::new();
    for step in steps {
        if !path.is_empty() {
            path.push('/');
        }
        match step {
            Step::Key(k) => path.push_str(k),
            Step::Index(i) => {
                let _ = std::fmt::Write::write_fmt(&mut path, format_args!("{i}"));
            }
        }
    }
    path
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
