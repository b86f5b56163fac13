//! Span-aware plist loading.
//!
//! Parses XML property-list text into a tree of [`Node`]s in which every key
//! and value remembers its byte range in the source text. Duplicate keys are
//! kept (both copies), so rules can report them. This module never decides
//! what a value *means* to OpenCore or Clover; that is `model`'s job.
//!
//! `lexer` reads the XML in one pass; this file builds the plist tree from
//! its tags and text as they come, with no XML tree in between. Inside a
//! container, the element forms nearly every config is made of (`<key>`
//! and scalars with plain text, `<true/>`, `<false/>`) are read in one step
//! (`Lexer::quick`); anything else, and anything wrong, goes
//! through the general path, which reaches the same tree and issues
//! (`tests/loader_props.rs` checks both against an XML library).

mod lexer;
pub mod opencore;
mod value;

pub use value::{Dict, Entry, Integer, Node, Step, Value, decode_base64, join_path, join_steps};

use std::borrow::Cow;

use compact_str::CompactString;

use crate::source::Span;
use lexer::{Event, Lexer, Tag};

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
    /// The text uses XML that OpenCore's own reader may read differently
    /// (comments, processing instructions, CDATA, attributes other than on
    /// `<plist>`, an internal DOCTYPE subset, text beside the root value):
    /// only its replay ([`opencore`]) can tell. Without it, and without
    /// issues, a UTF-8 file this loader reads is one OpenCore reads the
    /// same way, up to the limits in `depth` and `widest`.
    pub unusual: bool,
    /// The deepest nesting of dicts and arrays (the root value is 1).
    pub depth: usize,
    /// The most elements inside one dict or array (a dict entry is two).
    pub widest: usize,
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
    if !text.trim_start().starts_with('<') {
        return Err(LoadError {
            offset: text.len() - text.trim_start().len(),
            message: "this is not XML: a property list starts with `<?xml` or `<plist`".into(),
        });
    }
    let mut lx = Lexer::new(text);
    let plist = lx.prolog()?;
    if plist.name != "plist" {
        return Err(lexer::err(
            plist.start,
            format!("the root element is <{}>, expected <plist>", plist.name),
        ));
    }
    let mut loader = Loader {
        lx,
        issues: Vec::new(),
        entries: Vec::new(),
        items: Vec::new(),
        depth: 0,
        widest: 0,
    };
    let mut root = None;
    let mut extras = Vec::new();
    if !plist.empty {
        loop {
            match loader.lx.next(&plist)? {
                Event::Start(tag) if root.is_none() => root = Some(loader.node(tag, 0)?),
                Event::Start(tag) => {
                    let end = loader.lx.skip(&tag)?;
                    extras.push(LoadIssue {
                        code: "X001",
                        span: tag.start..end,
                        message: "a second value inside <plist> is ignored".into(),
                    });
                }
                Event::End { .. } => break,
                ev @ (Event::Text { .. } | Event::Cdata { .. }) => {
                    // OpenCore's reader takes text before the root value
                    // as the content of <plist>.
                    loader.lx.unusual |= !loader.lx.is_blank(&ev);
                }
                _ => {}
            }
        }
    }
    loader.lx.epilog()?;
    let Some(root) = root else {
        return Err(lexer::err(plist.start, "<plist> holds no value"));
    };
    // Issues about extra values come first: they concern the whole document.
    extras.append(&mut loader.issues);
    Ok(Document {
        root,
        issues: extras,
        unusual: loader.lx.unusual,
        depth: loader.depth,
        widest: loader.widest,
    })
}

/// Resolve the entity and character references in `raw` (text as written
/// between tags) and normalise its line ends; `None` when a reference is
/// malformed or unknown.
pub(crate) fn unescape(raw: &str) -> Option<Cow<'_, str>> {
    if !raw.contains(['&', '\r']) {
        return Some(Cow::Borrowed(raw));
    }
    let mut out = String::with_capacity(raw.len());
    lexer::decode_text(raw, 0, &mut out).ok()?;
    Some(Cow::Owned(out))
}

struct Loader<'t> {
    lx: Lexer<'t>,
    issues: Vec<LoadIssue>,
    /// Entries and items of the open containers, innermost last; each
    /// container moves its own run out when it closes.
    entries: Vec<Entry>,
    items: Vec<Node>,
    /// See [`Document::depth`] and [`Document::widest`].
    depth: usize,
    widest: usize,
}

/// The text and first child element of a scalar element.
struct Scalar<'t> {
    text: Cow<'t, str>,
    child: Option<(Span, &'t str)>,
    inner: Span,
    end: usize,
}

impl<'t> Loader<'t> {
    fn issue(&mut self, code: &'static str, span: Span, message: String) {
        self.issues.push(LoadIssue {
            code,
            span,
            message,
        });
    }

    fn node(&mut self, tag: Tag<'t>, depth: usize) -> Result<Node, LoadError> {
        if depth > MAX_DEPTH {
            return Err(lexer::err(
                tag.start,
                format!("nesting is deeper than {MAX_DEPTH} levels"),
            ));
        }
        // Byte-slice patterns compare inline, without a call per arm.
        match tag.name.as_bytes() {
            b"dict" => return self.container(tag, depth, true),
            b"array" => return self.container(tag, depth, false),
            _ => {}
        }
        let s = self.scalar(&tag)?;
        let span = tag.start..s.end;
        let value = self.scalar_value(tag.name, s.text, &span);
        if let Some((child_span, child)) = s.child {
            self.issue(
                "X001",
                child_span,
                format!("<{}> cannot contain <{child}>", tag.name),
            );
        }
        Ok(Node {
            value,
            span,
            inner: s.inner,
        })
    }

    /// The value of a scalar element `<name>` whose text is `text`; an
    /// element that is no plist type, or `<data>` that is not base64, is
    /// also an issue at `span`.
    #[inline]
    fn scalar_value(&mut self, name: &'t str, text: Cow<'t, str>, span: &Span) -> Value {
        // Byte-slice patterns compare inline, without a call per arm.
        match name.as_bytes() {
            b"string" => Value::String(CompactString::from(text)),
            b"integer" => Value::Integer(Box::new(Integer::parse(&text))),
            b"true" => Value::Bool(true),
            b"false" => Value::Bool(false),
            b"real" => Value::Real(text.into_owned()),
            b"date" => Value::Date(text.into_owned()),
            b"data" => match value::decode_base64(&text) {
                Some(bytes) => Value::Data(bytes),
                None => {
                    self.issue(
                        "X004",
                        span.clone(),
                        "<data> does not hold valid base64; OpenCore treats it as invalid".into(),
                    );
                    Value::Data(Vec::new())
                }
            },
            _ => {
                self.issue(
                    "X001",
                    span.clone(),
                    format!("<{name}> is not a property-list element"),
                );
                Value::Unknown(name.to_owned())
            }
        }
    }

    /// Read a scalar element's content: its direct text (comments skipped,
    /// CDATA included) and the first child element, if any.
    fn scalar(&mut self, tag: &Tag<'t>) -> Result<Scalar<'t>, LoadError> {
        let mut s = Scalar {
            text: Cow::Borrowed(""),
            child: None,
            inner: tag.end..tag.end,
            end: tag.end,
        };
        if tag.empty {
            return Ok(s);
        }
        if let Some((text, end)) = self.lx.simple_content(tag) {
            s.text = Cow::Borrowed(self.lx.slice(&text));
            s.inner = text;
            s.end = end;
            return Ok(s);
        }
        loop {
            let ev = self.lx.next(tag)?;
            match ev {
                Event::Text { .. } | Event::Cdata { .. } => self.lx.append(&ev, &mut s.text)?,
                Event::Start(child) => {
                    let end = self.lx.skip(&child)?;
                    if s.child.is_none() {
                        s.child = Some((child.start..end, child.name));
                    }
                }
                Event::End { start, end } => {
                    s.inner = tag.end..start;
                    s.end = end;
                    return Ok(s);
                }
                Event::Other => {}
            }
        }
    }

    /// The next event of `tag`'s content; `None` right away for `<tag/>`.
    fn next_unless_empty(&mut self, tag: &Tag<'t>) -> Result<Option<Event<'t>>, LoadError> {
        if tag.empty {
            return Ok(None);
        }
        self.lx.skip_blank();
        self.lx.next(tag).map(Some)
    }

    /// Put a read value in its container: an array item, or the entry of
    /// the `pending` key (a dict value without one is an issue).
    fn add_child(
        &mut self,
        is_dict: bool,
        pending: &mut Option<(CompactString, Span)>,
        value: Node,
    ) {
        if !is_dict {
            self.items.push(value);
            return;
        }
        match pending.take() {
            Some((key, key_span)) => self.entries.push(Entry {
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

    /// A `<dict>` (`is_dict`) or `<array>`.
    fn container(&mut self, tag: Tag<'t>, depth: usize, is_dict: bool) -> Result<Node, LoadError> {
        let (first_entry, first_item) = (self.entries.len(), self.items.len());
        let mut pending: Option<(CompactString, Span)> = None;
        let mut inner = tag.end..tag.end;
        let mut end = tag.end;
        // The current run of text: its first piece's range, and whether
        // everything so far is whitespace.
        let mut run: Option<(Span, bool)> = None;
        loop {
            // Most elements take the quick path; whatever it does not take
            // (and any stray text) goes through the general one below.
            if !tag.empty && run.is_none() {
                self.lx.skip_blank();
                let takes_key = is_dict && pending.is_none();
                let takes_value = (!is_dict || pending.is_some()) && depth < MAX_DEPTH;
                if let Some(q) = self.lx.quick(takes_key, takes_value) {
                    let text = self.lx.slice(&q.text);
                    let span = q.start..q.end;
                    if q.name == "key" {
                        pending = Some((CompactString::from(text), span));
                        continue;
                    }
                    let value = Node {
                        value: self.scalar_value(q.name, Cow::Borrowed(text), &span),
                        span,
                        inner: q.text,
                    };
                    self.add_child(is_dict, &mut pending, value);
                    continue;
                }
            }
            let Some(ev) = self.next_unless_empty(&tag)? else {
                break;
            };
            if let Event::Text { range, .. } | Event::Cdata { range, .. } = &ev {
                let blank = self.lx.is_blank(&ev);
                match &mut run {
                    Some((_, b)) => *b &= blank,
                    None => run = Some((range.clone(), blank)),
                }
                continue;
            }
            if let Some((span, false)) = run.take() {
                self.issue("X001", span, "stray text between elements".into());
            }
            match ev {
                Event::Start(child) if is_dict && child.name.as_bytes() == b"key" => {
                    if let Some((key, key_span)) = pending.take() {
                        self.issue("X001", key_span, format!("key `{key}` has no value"));
                    }
                    let s = self.scalar(&child)?;
                    pending = Some((CompactString::from(s.text), child.start..s.end));
                }
                Event::Start(child) => {
                    let value = self.node(child, depth + 1)?;
                    self.add_child(is_dict, &mut pending, value);
                }
                Event::End { start, end: e } => {
                    inner = tag.end..start;
                    end = e;
                    break;
                }
                _ => {}
            }
        }
        if let Some((key, key_span)) = pending {
            self.issue("X001", key_span, format!("key `{key}` has no value"));
        }
        self.depth = self.depth.max(depth + 1);
        let width = if is_dict {
            2 * (self.entries.len() - first_entry)
        } else {
            self.items.len() - first_item
        };
        self.widest = self.widest.max(width);
        // `split_off` moves the container's own run in one copy.
        let value = if is_dict {
            Value::Dict(Dict {
                entries: self.entries.split_off(first_entry),
            })
        } else {
            Value::Array(self.items.split_off(first_item))
        };
        Ok(Node {
            value,
            span: tag.start..end,
            inner,
        })
    }
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod xml_tests;
