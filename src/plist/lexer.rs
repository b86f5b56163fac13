//! The XML layer under the plist loader: one forward pass over the bytes,
//! handing out start tags, end tags and text as byte ranges into the text.
//!
//! It accepts XML 1.0 as property lists use it: an optional declaration,
//! comments, processing instructions, one DOCTYPE (internal subset allowed,
//! entity declarations refused), elements with attributes, character and
//! predefined entity references, and CDATA sections. Names are taken as
//! written (namespace prefixes are not resolved). Every well-formedness
//! error is fatal and carries the byte offset where reading stopped.

mod chars;
mod prolog;
mod quick;

use std::borrow::Cow;

use super::{LoadError, MAX_NODES};
use crate::source::Span;
use chars::{NAME, SPECIAL, char_error, forbidden_char, is_name_char, is_name_start, is_space};
pub(super) use chars::{decode_text, err};

type Result<T> = std::result::Result<T, LoadError>;

/// A start tag (`<name ...>` or `<name .../>`).
#[derive(Debug, Clone, Copy)]
pub(super) struct Tag<'t> {
    /// Offset of the `<`.
    pub start: usize,
    /// Offset just past the `>`.
    pub end: usize,
    /// The element name as written.
    pub name: &'t str,
    /// `<name/>`: no content and no end tag.
    pub empty: bool,
}

/// One piece of element content.
#[derive(Debug)]
pub(super) enum Event<'t> {
    /// Character data between markup; `plain` when it holds no `&` or `\r`
    /// (its value is then the slice itself).
    Text { range: Span, plain: bool },
    /// `<![CDATA[...]]>`: `range` is the whole section, `content` the inside.
    Cdata { range: Span, content: Span },
    /// A child element's start tag.
    Start(Tag<'t>),
    /// The end tag of the element being read; `start` is its `<`, `end` is
    /// just past its `>`.
    End { start: usize, end: usize },
    /// A comment or processing instruction.
    Other,
}

/// An element in its most common form, read in one step.
#[derive(Debug, Clone)]
pub(super) struct Quick<'t> {
    /// The element's name: `key` or a plist scalar type.
    pub name: &'t str,
    /// Offset of its `<`.
    pub start: usize,
    /// Its text (empty, just past the tag, for `<true/>` and `<false/>`).
    pub text: Span,
    /// Offset just past its end.
    pub end: usize,
}

/// The scanner: a position in the text and the node budget.
pub(super) struct Lexer<'t> {
    text: &'t str,
    b: &'t [u8],
    pos: usize,
    nodes: u32,
    attrs: Vec<&'t str>,
    scratch: String,
    /// The text uses XML beyond what OpenCore's own reader surely reads
    /// the same way (see [`crate::plist::Document::unusual`]).
    pub unusual: bool,
}

impl<'t> Lexer<'t> {
    /// A lexer at the start of `text`.
    pub fn new(text: &'t str) -> Self {
        Lexer {
            text,
            b: text.as_bytes(),
            pos: 0,
            nodes: 0,
            attrs: Vec::new(),
            scratch: String::new(),
            unusual: false,
        }
    }

    /// The text of `range`.
    pub fn slice(&self, range: &Span) -> &'t str {
        &self.text[range.clone()]
    }

    /// The 1-based line of `offset` (for messages only).
    pub fn line_of(&self, offset: usize) -> usize {
        1 + self.b[..offset.min(self.b.len())]
            .iter()
            .filter(|&&c| c == b'\n')
            .count()
    }

    fn found(&self, at: usize) -> String {
        match self.text.get(at..).and_then(|s| s.chars().next()) {
            None => "the end of the file".into(),
            Some(c) if c.is_control() || c == ' ' => format!("U+{:04X}", c as u32),
            Some(c) => format!("`{c}`"),
        }
    }

    fn expected(&self, what: &str) -> LoadError {
        err(
            self.pos,
            format!("expected {what}, found {}", self.found(self.pos)),
        )
    }

    fn starts_with(&self, s: &[u8]) -> bool {
        self.b[self.pos..].starts_with(s)
    }

    fn peek(&self) -> Option<u8> {
        self.b.get(self.pos).copied()
    }

    fn skip_spaces(&mut self) -> bool {
        let from = self.pos;
        while self.peek().is_some_and(is_space) {
            self.pos += 1;
        }
        self.pos > from
    }

    fn count_node(&mut self) -> Result<()> {
        self.nodes += 1;
        if self.nodes > MAX_NODES {
            return Err(err(
                self.pos,
                format!("the file has more than {MAX_NODES} XML nodes; it is not a config"),
            ));
        }
        Ok(())
    }

    #[inline]
    fn name(&mut self, what: &str) -> Result<&'t str> {
        let start = self.pos;
        let b = self.b;
        // ASCII fast path; a non-ASCII byte hands over to `name_slow`.
        let mut i = start;
        if b.get(i).is_some_and(|&c| NAME[c as usize] == 2) {
            i += 1;
            while b.get(i).is_some_and(|&c| NAME[c as usize] != 0) {
                i += 1;
            }
            if b.get(i).is_none_or(|&c| c < 0x80) {
                self.pos = i;
                return Ok(&self.text[start..i]);
            }
        }
        self.name_slow(start, i, what)
    }

    #[cold]
    fn name_slow(&mut self, start: usize, mut i: usize, what: &str) -> Result<&'t str> {
        if self.b.get(i).is_some_and(|&c| c >= 0x80) {
            let mut end = self.b.len();
            for (k, c) in self.text[i..].char_indices() {
                let ok = if i + k == start {
                    is_name_start(c)
                } else {
                    is_name_char(c)
                };
                if !ok {
                    end = i + k;
                    break;
                }
            }
            i = end;
        }
        self.pos = i;
        if i == start {
            return Err(self.expected(what));
        }
        Ok(&self.text[start..i])
    }

    /// Step over `s`, or fail saying `what()` was expected (built only then).
    fn expect(&mut self, s: &str, what: impl FnOnce() -> String) -> Result<()> {
        if self.starts_with(s.as_bytes()) {
            self.pos += s.len();
            Ok(())
        } else {
            Err(self.expected(&what()))
        }
    }

    /// `name = "value"`; returns the name. The value is checked, not kept;
    /// `refs` checks its references too (the XML declaration has none).
    fn attribute(&mut self, refs: bool) -> Result<&'t str> {
        let name = self.name("an attribute name")?;
        self.skip_spaces();
        self.expect("=", || format!("`=` after the attribute name `{name}`"))?;
        self.skip_spaces();
        let Some(q @ (b'"' | b'\'')) = self.peek() else {
            return Err(self.expected(&format!("a quoted value for the attribute `{name}`")));
        };
        let start = self.pos + 1;
        let Some(len) = self.b[start..].iter().position(|&c| c == q || c == b'<') else {
            return Err(err(
                self.pos,
                format!("the value of `{name}` is never closed"),
            ));
        };
        let end = start + len;
        if self.b[end] == b'<' {
            return Err(err(
                end,
                format!("`<` inside the value of `{name}`; write `&lt;`"),
            ));
        }
        if let Some((at, c)) = forbidden_char(self.text, start, end) {
            return Err(char_error(at, c));
        }
        let value = &self.text[start..end];
        if refs && value.contains('&') {
            self.scratch.clear();
            decode_text(value, start, &mut self.scratch)?;
        }
        self.pos = end + 1;
        Ok(name)
    }

    /// Attributes OpenCore's reader may read differently: any but on
    /// `<plist>`, and any value holding `/` or `>` (its tag scan stops
    /// there). `self.pos` is at the tag's closing `>` or `/`.
    fn note_attributes(&mut self, name: &str, start: usize) {
        if !self.attrs.is_empty() {
            let inside = &self.b[start + 1..self.pos.saturating_sub(1).max(start + 1)];
            if name != "plist" || inside.iter().any(|&c| c == b'/' || c == b'>') {
                self.unusual = true;
            }
        }
    }

    fn start_tag(&mut self) -> Result<Tag<'t>> {
        let start = self.pos;
        self.pos += 1;
        let name = self.name("an element name after `<`")?;
        self.count_node()?;
        self.attrs.clear();
        loop {
            let spaced = self.skip_spaces();
            match self.peek() {
                Some(b'>') => {
                    self.pos += 1;
                    self.note_attributes(name, start);
                    return Ok(Tag {
                        start,
                        end: self.pos,
                        name,
                        empty: false,
                    });
                }
                Some(b'/') => {
                    self.note_attributes(name, start);
                    self.pos += 1;
                    self.expect(">", || format!("`>` after `/` to end `<{name}/>`"))?;
                    return Ok(Tag {
                        start,
                        end: self.pos,
                        name,
                        empty: true,
                    });
                }
                Some(_) if spaced => {
                    let at = self.pos;
                    let attr = self.attribute(true)?;
                    if self.attrs.contains(&attr) {
                        return Err(err(
                            at,
                            format!("`<{name}>` has the attribute `{attr}` twice"),
                        ));
                    }
                    self.attrs.push(attr);
                }
                _ => {
                    return Err(self.expected(&format!(
                        "whitespace, `>` or `/>` in the start tag `<{name}`"
                    )));
                }
            }
        }
    }

    /// `</name>` exactly, closing `open`: step over it and return the offset
    /// just past it. Anything else (spaces, another name) is left to `next`.
    #[inline]
    fn end_tag_fast(&mut self, open: &Tag<'t>) -> Option<usize> {
        let name = open.name.as_bytes();
        let at = self.pos + 2;
        let rest = self.b.get(at..at + name.len() + 1)?;
        if rest[..name.len()] == *name && rest[name.len()] == b'>' {
            self.pos = at + name.len() + 1;
            Some(self.pos)
        } else {
            None
        }
    }

    /// The next piece of `open`'s content. End tags are checked against
    /// `open` here; the end of the file inside it is an error.
    pub fn next(&mut self, open: &Tag<'t>) -> Result<Event<'t>> {
        let start = self.pos;
        match self.peek() {
            None => Err(err(
                start,
                format!(
                    "the file ends before `<{}>` (opened on line {}) is closed",
                    open.name,
                    self.line_of(open.start)
                ),
            )),
            Some(b'<') => match self.b.get(start + 1) {
                Some(b'/') => {
                    if let Some(end) = self.end_tag_fast(open) {
                        return Ok(Event::End { start, end });
                    }
                    self.pos += 2;
                    let name = self.name("an element name after `</`")?;
                    self.skip_spaces();
                    self.expect(">", || format!("`>` to end `</{name}`"))?;
                    if name != open.name {
                        return Err(err(
                            start,
                            format!(
                                "`</{name}>` closes `<{}>` (opened on line {})",
                                open.name,
                                self.line_of(open.start)
                            ),
                        ));
                    }
                    Ok(Event::End {
                        start,
                        end: self.pos,
                    })
                }
                Some(b'!') => {
                    if self.starts_with(b"<!--") {
                        self.comment()?;
                        Ok(Event::Other)
                    } else if self.starts_with(b"<![CDATA[") {
                        self.cdata()
                    } else {
                        Err(err(
                            start,
                            "`<!` inside an element starts neither a comment nor a CDATA section",
                        ))
                    }
                }
                Some(b'?') => {
                    self.pi()?;
                    Ok(Event::Other)
                }
                _ => Ok(Event::Start(self.start_tag()?)),
            },
            Some(_) => self.text(),
        }
    }

    fn cdata(&mut self) -> Result<Event<'t>> {
        self.unusual = true;
        let start = self.pos;
        let body = start + 9;
        let Some(len) = find(&self.b[body..], b"]]>") else {
            return Err(err(start, "this CDATA section is never closed with `]]>`"));
        };
        if let Some((at, c)) = forbidden_char(self.text, body, body + len) {
            return Err(char_error(at, c));
        }
        self.pos = body + len + 3;
        self.count_node()?;
        Ok(Event::Cdata {
            range: start..self.pos,
            content: body..body + len,
        })
    }

    fn text(&mut self) -> Result<Event<'t>> {
        let start = self.pos;
        let b = self.b;
        let mut i = start;
        let mut plain = true;
        let mut amp = false;
        while i < b.len() {
            let c = b[i];
            if !SPECIAL[c as usize] {
                i += 1;
                continue;
            }
            match c {
                b'<' => break,
                b'&' => {
                    plain = false;
                    amp = true;
                }
                b'\r' => plain = false,
                b']' => {
                    if b[i..].starts_with(b"]]>") {
                        return Err(err(i, "`]]>` is not allowed in text; write `]]&gt;`"));
                    }
                }
                // A control character, or the first byte of U+FFFE/U+FFFF.
                _ => {
                    if let Some((at, c)) = forbidden_char(self.text, i, i + 1) {
                        return Err(char_error(at, c));
                    }
                }
            }
            i += 1;
        }
        self.pos = i;
        if amp {
            self.scratch.clear();
            decode_text(&self.text[start..i], start, &mut self.scratch)?;
        }
        self.count_node()?;
        Ok(Event::Text {
            range: start..i,
            plain,
        })
    }

    /// Read past the rest of `tag`'s element (its start tag already read),
    /// checking it; returns the offset just past its end tag.
    pub fn skip(&mut self, tag: &Tag<'t>) -> Result<usize> {
        if tag.empty {
            return Ok(tag.end);
        }
        let mut open = vec![*tag];
        while let Some(top) = open.last().copied() {
            match self.next(&top)? {
                Event::Start(child) if !child.empty => open.push(child),
                Event::End { .. } => {
                    open.pop();
                }
                _ => {}
            }
        }
        Ok(self.pos)
    }

    /// Append the value of a text or CDATA event to `out`, borrowing the
    /// slice when nothing needs decoding and `out` is still empty.
    pub fn append(&self, ev: &Event<'t>, out: &mut Cow<'t, str>) -> Result<()> {
        let (range, simple) = match ev {
            Event::Text { range, plain } => (range, *plain),
            Event::Cdata { content, .. } => (content, !self.b[content.clone()].contains(&b'\r')),
            _ => return Ok(()),
        };
        let raw = &self.text[range.clone()];
        if simple {
            if out.is_empty() {
                *out = Cow::Borrowed(raw);
            } else {
                out.to_mut().push_str(raw);
            }
            return Ok(());
        }
        let out = out.to_mut();
        if let Event::Text { .. } = ev {
            return decode_text(raw, range.start, out);
        }
        // Only line ends are normalised inside CDATA.
        let mut rest = raw;
        while let Some(i) = rest.find('\r') {
            out.push_str(&rest[..i]);
            out.push('\n');
            rest = rest[i + 1..].strip_prefix('\n').unwrap_or(&rest[i + 1..]);
        }
        out.push_str(rest);
        Ok(())
    }

    /// Whether a text or CDATA event holds only whitespace once decoded.
    pub fn is_blank(&mut self, ev: &Event<'t>) -> bool {
        let blank = |s: &[u8]| s.iter().all(u8::is_ascii_whitespace);
        match ev {
            Event::Text { range, plain } if *plain || !self.b[range.clone()].contains(&b'&') => {
                blank(&self.b[range.clone()])
            }
            Event::Text { range, .. } => {
                self.scratch.clear();
                let raw = &self.text[range.clone()];
                // Already checked when the text was read.
                decode_text(raw, range.start, &mut self.scratch).is_ok()
                    && blank(self.scratch.as_bytes())
            }
            Event::Cdata { content, .. } => blank(&self.b[content.clone()]),
            _ => true,
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(hay, needle)
}
