//! Span-aware plist loading.
//!
//! Parses XML property-list text into a tree of [`Node`]s in which every key
//! and value remembers its byte range in the source text. Duplicate keys are
//! kept (both copies), so rules can report them. This module never decides
//! what a value *means* to OpenCore or Clover; that is `model`'s job.

mod value;

pub use value::{Dict, Entry, Integer, Node, Value};

use crate::source::Span;

/// The deepest nesting of dicts and arrays accepted. Real configs nest about
/// eight levels; deeper input is refused instead of risking the stack.
pub const MAX_DEPTH: usize = 128;

/// The most XML nodes parsed from one file (a guard against hostile input).
pub const MAX_NODES: u32 = 4_000_000;

/// A loaded plist: the root value and the non-fatal problems seen on the way.
#[derive(Debug, Clone)]
pub struct Document {
    /// The value inside `<plist>` (normally a dict).
    pub root: Node,
    /// Structural problems that did not stop loading.
    pub issues: Vec<LoadIssue>,
}

/// A non-fatal structural problem found while loading.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadIssue {
    /// The rule code that reports it (`X001` or `X004`).
    pub code: &'static str,
    /// Where it is.
    pub span: Span,
    /// What is wrong, in words.
    pub message: String,
}

/// Why a file could not be loaded at all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    /// Byte offset of the problem in the text.
    pub offset: usize,
    /// What the parser reported.
    pub message: String,
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

/// Parse plist XML text into a [`Document`].
pub fn load(text: &str) -> Result<Document, LoadError> {
    if let Some(pos) = find_entity_declaration(text) {
        return Err(LoadError {
            offset: pos,
            message: "the DOCTYPE declares entities; property lists never need them and ocaudit \
                      does not expand them"
                .into(),
        });
    }
    if !text.trim_start().starts_with('<') {
        return Err(LoadError {
            offset: text.len() - text.trim_start().len(),
            message: "this is not XML: a property list starts with `<?xml` or `<plist`".into(),
        });
    }
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        nodes_limit: MAX_NODES,
        ..Default::default()
    };
    let xml = roxmltree::Document::parse_with_options(text, opts).map_err(|e| {
        let pos = e.pos();
        LoadError {
            offset: offset_of(text, pos.row as usize, pos.col as usize),
            message: xml_error_message(&e),
        }
    })?;
    let plist = xml.root_element();
    if plist.tag_name().name() != "plist" {
        return Err(LoadError {
            offset: plist.range().start,
            message: format!(
                "the root element is <{}>, expected <plist>",
                plist.tag_name().name()
            ),
        });
    }
    let mut loader = Loader {
        text,
        issues: Vec::new(),
    };
    let mut children = plist.children().filter(|n| n.is_element());
    let Some(first) = children.next() else {
        return Err(LoadError {
            offset: plist.range().start,
            message: "<plist> holds no value".into(),
        });
    };
    for extra in children {
        loader.issue(
            "X001",
            extra.range(),
            "a second value inside <plist> is ignored".into(),
        );
    }
    let root = loader.node(first, 0)?;
    Ok(Document {
        root,
        issues: loader.issues,
    })
}

fn xml_error_message(e: &roxmltree::Error) -> String {
    let s = e.to_string();
    // roxmltree appends " at row:col"; the position is reported separately.
    match s.rfind(" at ") {
        Some(i) if s[i + 4..].chars().all(|c| c.is_ascii_digit() || c == ':') => s[..i].to_owned(),
        _ => s,
    }
}

fn find_entity_declaration(text: &str) -> Option<usize> {
    let doctype = text.find("<!DOCTYPE")?;
    let rest = &text[doctype..];
    // Only the internal subset (between '[' and ']>') can declare entities.
    let end = rest.find('>').unwrap_or(rest.len());
    let subset = rest[..end].find('[').map(|open| {
        let close = rest.find("]>").unwrap_or(rest.len());
        &rest[open..close.max(open)]
    })?;
    subset
        .find("<!ENTITY")
        .map(|i| doctype + subset.as_ptr() as usize - rest.as_ptr() as usize + i)
}

/// Byte offset of a 1-based row and column (columns counted in characters).
fn offset_of(text: &str, row: usize, col: usize) -> usize {
    let mut line_start = 0;
    for _ in 1..row {
        match text[line_start..].find('\n') {
            Some(i) => line_start += i + 1,
            None => return text.len(),
        }
    }
    text[line_start..]
        .char_indices()
        .nth(col.saturating_sub(1))
        .map(|(i, _)| line_start + i)
        .unwrap_or(text.len())
}

struct Loader<'t> {
    text: &'t str,
    issues: Vec<LoadIssue>,
}

impl Loader<'_> {
    fn issue(&mut self, code: &'static str, span: Span, message: String) {
        self.issues.push(LoadIssue {
            code,
            span,
            message,
        });
    }

    fn node(&mut self, el: roxmltree::Node, depth: usize) -> Result<Node, LoadError> {
        if depth > MAX_DEPTH {
            return Err(LoadError {
                offset: el.range().start,
                message: format!("nesting is deeper than {MAX_DEPTH} levels"),
            });
        }
        let span = el.range();
        let inner = inner_span(self.text, &span);
        let tag = el.tag_name().name();
        let value = match tag {
            "dict" => Value::Dict(self.dict(el, depth)?),
            "array" => {
                let mut items = Vec::new();
                for child in el.children() {
                    if child.is_element() {
                        items.push(self.node(child, depth + 1)?);
                    } else {
                        self.stray_text(child);
                    }
                }
                Value::Array(items)
            }
            "string" => Value::String(text_of(el)),
            "integer" => Value::Integer(Integer::parse(&text_of(el))),
            "true" => Value::Bool(true),
            "false" => Value::Bool(false),
            "real" => Value::Real(text_of(el)),
            "date" => Value::Date(text_of(el)),
            "data" => {
                let raw = text_of(el);
                match value::decode_base64(&raw) {
                    Some(bytes) => Value::Data(bytes),
                    None => {
                        self.issue(
                            "X004",
                            span.clone(),
                            "<data> does not hold valid base64; OpenCore treats it as invalid"
                                .into(),
                        );
                        Value::Data(Vec::new())
                    }
                }
            }
            other => {
                self.issue(
                    "X001",
                    span.clone(),
                    format!("<{other}> is not a property-list element"),
                );
                Value::Unknown(other.to_owned())
            }
        };
        if !matches!(tag, "dict" | "array")
            && let Some(child) = el.children().find(|c| c.is_element())
        {
            self.issue(
                "X001",
                child.range(),
                format!("<{tag}> cannot contain <{}>", child.tag_name().name()),
            );
        }
        Ok(Node { value, span, inner })
    }

    fn dict(&mut self, el: roxmltree::Node, depth: usize) -> Result<Dict, LoadError> {
        let mut entries = Vec::new();
        let mut pending: Option<(String, Span)> = None;
        for child in el.children() {
            if !child.is_element() {
                self.stray_text(child);
                continue;
            }
            if child.tag_name().name() == "key" {
                if let Some((key, key_span)) = pending.take() {
                    self.issue("X001", key_span, format!("key `{key}` has no value"));
                }
                pending = Some((text_of(child), child.range()));
                continue;
            }
            let value = self.node(child, depth + 1)?;
            match pending.take() {
                Some((key, key_span)) => entries.push(Entry {
                    key,
                    key_span,
                    value,
                }),
                None => self.issue(
                    "X001",
                    value.span.clone(),
                    "a value in a <dict> without a <key> before it".into(),
                ),
            }
        }
        if let Some((key, key_span)) = pending {
            self.issue("X001", key_span, format!("key `{key}` has no value"));
        }
        Ok(Dict { entries })
    }

    fn stray_text(&mut self, node: roxmltree::Node) {
        if node.is_text()
            && node
                .text()
                .is_some_and(|t| !t.bytes().all(|b| b.is_ascii_whitespace()))
        {
            self.issue("X001", node.range(), "stray text between elements".into());
        }
    }
}

fn text_of(el: roxmltree::Node) -> String {
    let mut s = String::new();
    for c in el.children() {
        if let Some(t) = c.text()
            && c.is_text()
        {
            s.push_str(t);
        }
    }
    s
}

/// The range between an element's start and end tags (empty for `<x/>`).
fn inner_span(text: &str, span: &Span) -> Span {
    let Some(el) = text.get(span.clone()) else {
        return span.end..span.end;
    };
    if el.ends_with("/>") {
        return span.end..span.end;
    }
    let open_end = el.find('>').map(|i| span.start + i + 1).unwrap_or(span.end);
    let close_start = el.rfind("</").map(|i| span.start + i).unwrap_or(span.end);
    if close_start < open_end {
        open_end..open_end
    } else {
        open_end..close_start
    }
}

#[cfg(test)]
mod tests;
