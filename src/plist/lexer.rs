//! The XML layer under the plist loader: one forward pass over the bytes,
//! handing out start tags, end tags and text as byte ranges into the text.
//!
//! It accepts XML 1.0 as property lists use it: an optional declaration,
//! comments, processing instructions, one DOCTYPE (internal subset allowed,
//! entity declarations refused), elements with attributes, character and
//! predefined entity references, and CDATA sections. Names are taken as
//! written (namespace prefixes are not resolved). Every well-formedness
//! error is fatal and carries the byte offset where reading stopped.

use std::borrow::Cow;

use super::{LoadError, MAX_NODES};
use crate::source::Span;

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

/// The scanner: a position in the text and the node budget.
pub(super) struct Lexer<'t> {
    text: &'t str,
    b: &'t [u8],
    pos: usize,
    nodes: u32,
    attrs: Vec<&'t str>,
    scratch: String,
}

/// Bytes that end a plain run of character data or need a closer look.
const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = !matches!(i as u8, b'\t' | b'\n');
        i += 1;
    }
    t[b'<' as usize] = true;
    t[b'&' as usize] = true;
    t[b']' as usize] = true;
    // The first byte of U+FFFE and U+FFFF, which XML forbids.
    t[0xEF] = true;
    t
};

/// ASCII name bytes: 2 may start a name, 1 may continue one.
const NAME: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 128 {
        let c = i as u8;
        t[i] = if c.is_ascii_alphabetic() || c == b'_' || c == b':' {
            2
        } else if c.is_ascii_digit() || c == b'-' || c == b'.' {
            1
        } else {
            0
        };
        i += 1;
    }
    t
};

pub(super) fn err(offset: usize, message: impl Into<String>) -> LoadError {
    LoadError {
        offset,
        message: message.into(),
    }
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

fn is_name_start(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic() || c == '_' || c == ':';
    }
    matches!(c as u32,
        0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x2FF | 0x370..=0x37D | 0x37F..=0x1FFF
        | 0x200C..=0x200D | 0x2070..=0x218F | 0x2C00..=0x2FEF | 0x3001..=0xD7FF
        | 0xF900..=0xFDCF | 0xFDF0..=0xFFFD | 0x10000..=0xEFFFF)
}

fn is_name_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '-' | '.');
    }
    is_name_start(c) || matches!(c as u32, 0xB7 | 0x300..=0x36F | 0x203F..=0x2040)
}

/// Whether XML allows the character at all (the `Char` production).
fn is_xml_char(c: char) -> bool {
    if (c as u32) < 0x20 {
        return matches!(c, '\t' | '\n' | '\r');
    }
    !matches!(c as u32, 0xFFFE | 0xFFFF)
}

/// The first character XML forbids in `b[from..to]`, as (offset, char).
fn forbidden_char(text: &str, from: usize, to: usize) -> Option<(usize, char)> {
    let b = text.as_bytes();
    let i = (from..to).find(|&i| {
        let c = b[i];
        (c < 0x20 && !is_space(c))
            || (c == 0xEF
                && b.get(i + 1) == Some(&0xBF)
                && matches!(b.get(i + 2), Some(0xBE | 0xBF)))
    })?;
    Some((i, text[i..].chars().next().unwrap_or('\u{FFFD}')))
}

fn char_error(at: usize, c: char) -> LoadError {
    err(
        at,
        format!(
            "the character U+{:04X} is not allowed in XML; remove it or write the text again",
            c as u32
        ),
    )
}

/// Resolve the references in `raw` (which starts at offset `base`) and turn
/// `\r\n` and lone `\r` into `\n`, appending to `out`.
pub(super) fn decode_text(raw: &str, base: usize, out: &mut String) -> Result<()> {
    let b = raw.as_bytes();
    let mut i = 0;
    let mut done = 0;
    while i < b.len() {
        match b[i] {
            b'\r' => {
                out.push_str(&raw[done..i]);
                out.push('\n');
                i += if b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                done = i;
            }
            b'&' => {
                out.push_str(&raw[done..i]);
                let (c, len) = reference(raw, i, base)?;
                out.push(c);
                i += len;
                done = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&raw[done..]);
    Ok(())
}

/// The character an entity or character reference at `raw[at]` (an `&`)
/// stands for, and the reference's length in bytes.
fn reference(raw: &str, at: usize, base: usize) -> Result<(char, usize)> {
    let b = raw.as_bytes();
    let mut i = at + 1;
    let bad = |what: String| Err(err(base + at, what));
    if b.get(i) == Some(&b'#') {
        i += 1;
        let hex = b.get(i) == Some(&b'x');
        if hex {
            i += 1;
        }
        let from = i;
        while b.get(i).is_some_and(|d| {
            if hex {
                d.is_ascii_hexdigit()
            } else {
                d.is_ascii_digit()
            }
        }) {
            i += 1;
        }
        let n = u32::from_str_radix(&raw[from..i], if hex { 16 } else { 10 }).ok();
        if b.get(i) != Some(&b';') || n.is_none() {
            return bad(format!(
                "`{}` is not a valid character reference; write `&amp;` for a literal ampersand",
                &raw[at..i.min(raw.len())]
            ));
        }
        return match n.and_then(char::from_u32).filter(|&c| is_xml_char(c)) {
            Some(c) => Ok((c, i + 1 - at)),
            None => bad(format!(
                "`{}` names a character XML does not allow",
                &raw[at..=i]
            )),
        };
    }
    let from = i;
    for (k, c) in raw[from..].char_indices() {
        let ok = if k == 0 {
            is_name_start(c)
        } else {
            is_name_char(c)
        };
        if !ok {
            break;
        }
        i = from + k + c.len_utf8();
    }
    if i == from || b.get(i) != Some(&b';') {
        return bad("a `&` that starts no reference; write `&amp;` for a literal ampersand".into());
    }
    let c = match &raw[from..i] {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        name => {
            return bad(format!(
                "unknown entity `&{name};`; only &amp; &lt; &gt; &quot; &apos; and \
                 numeric references are allowed"
            ));
        }
    };
    Ok((c, i + 1 - at))
}

impl<'t> Lexer<'t> {
    pub fn new(text: &'t str) -> Self {
        Lexer {
            text,
            b: text.as_bytes(),
            pos: 0,
            nodes: 0,
            attrs: Vec::new(),
            scratch: String::new(),
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

    /// Everything before the root element; returns the root's start tag.
    pub fn prolog(&mut self) -> Result<Tag<'t>> {
        if self.starts_with(b"<?xml ") {
            self.declaration()?;
        }
        self.misc()?;
        if self.starts_with(b"<!DOCTYPE") {
            self.doctype()?;
            self.misc()?;
        }
        match self.peek() {
            Some(b'<') => self.start_tag(),
            None => Err(err(self.pos, "the file has no root element `<plist>`")),
            Some(_) => Err(self.expected("the root element `<plist>`")),
        }
    }

    /// Everything after the root element: only comments, processing
    /// instructions and whitespace may follow.
    pub fn epilog(&mut self) -> Result<()> {
        self.misc()?;
        if self.pos < self.b.len() {
            return Err(err(
                self.pos,
                format!(
                    "{} after the end of the root element; a file holds one root element",
                    self.found(self.pos)
                ),
            ));
        }
        Ok(())
    }

    fn misc(&mut self) -> Result<()> {
        loop {
            self.skip_spaces();
            if self.starts_with(b"<!--") {
                self.comment()?;
            } else if self.starts_with(b"<?") {
                self.pi()?;
            } else {
                return Ok(());
            }
        }
    }

    fn declaration(&mut self) -> Result<()> {
        self.pos += 5;
        self.skip_spaces();
        if !self.starts_with(b"version") {
            return Err(self.expected("`version=` in the XML declaration"));
        }
        self.attribute(false)?;
        self.decl_space()?;
        if self.starts_with(b"encoding") {
            self.attribute(false)?;
            self.decl_space()?;
        }
        if self.starts_with(b"standalone") {
            self.attribute(false)?;
        }
        self.skip_spaces();
        self.expect("?>", || "`?>` to end the XML declaration".into())
    }

    fn decl_space(&mut self) -> Result<()> {
        if !self.skip_spaces() && !self.starts_with(b"?>") && self.pos < self.b.len() {
            return Err(self.expected("whitespace or `?>` in the XML declaration"));
        }
        Ok(())
    }

    fn comment(&mut self) -> Result<()> {
        let start = self.pos;
        let body = start + 4;
        let Some(len) = find(&self.b[body..], b"-->") else {
            self.pos = self.b.len();
            return Err(err(start, "this comment is never closed with `-->`"));
        };
        let content = &self.text[body..body + len];
        if content.contains("--") || content.ends_with('-') {
            return Err(err(start, "a comment may not contain `--`"));
        }
        if let Some((at, c)) = forbidden_char(self.text, body, body + len) {
            return Err(char_error(at, c));
        }
        self.pos = body + len + 3;
        self.count_node()
    }

    fn pi(&mut self) -> Result<()> {
        let start = self.pos;
        if self.starts_with(b"<?xml ") {
            return Err(err(
                start,
                "an XML declaration `<?xml ...?>` is only allowed at the very start of the file",
            ));
        }
        self.pos += 2;
        self.name("a processing-instruction name after `<?`")?;
        self.skip_spaces();
        let body = self.pos;
        let Some(len) = find(&self.b[body..], b"?>") else {
            return Err(err(
                start,
                "this processing instruction is never closed with `?>`",
            ));
        };
        if let Some((at, c)) = forbidden_char(self.text, body, body + len) {
            return Err(char_error(at, c));
        }
        self.pos = body + len + 2;
        self.count_node()
    }

    fn doctype(&mut self) -> Result<()> {
        self.pos += 9;
        if !self.skip_spaces() {
            return Err(self.expected("whitespace after `<!DOCTYPE`"));
        }
        self.name("a document type name")?;
        self.skip_spaces();
        if self.starts_with(b"SYSTEM") || self.starts_with(b"PUBLIC") {
            let public = self.starts_with(b"PUBLIC");
            self.pos += 6;
            self.literal()?;
            if public {
                self.literal()?;
            }
            self.skip_spaces();
        }
        match self.peek() {
            Some(b'>') => {
                self.pos += 1;
                return Ok(());
            }
            Some(b'[') => self.pos += 1,
            _ => return Err(self.expected("`[` or `>` in the DOCTYPE")),
        }
        loop {
            self.skip_spaces();
            if self.starts_with(b"<!ENTITY") {
                return Err(err(
                    self.pos,
                    "the DOCTYPE declares entities; property lists never need them and \
                     ocaudit does not expand them",
                ));
            } else if self.starts_with(b"<!--") {
                self.comment()?;
            } else if self.starts_with(b"<?") {
                self.pi()?;
            } else if self.starts_with(b"]") {
                self.pos += 1;
                self.skip_spaces();
                return self.expect(">", || "`>` to end the DOCTYPE".into());
            } else if self.starts_with(b"<!ELEMENT")
                || self.starts_with(b"<!ATTLIST")
                || self.starts_with(b"<!NOTATION")
            {
                match self.b[self.pos..].iter().position(|&c| c == b'>') {
                    Some(i) => self.pos += i + 1,
                    None => return Err(err(self.pos, "this declaration is never closed with `>`")),
                }
            } else {
                return Err(self.expected("a declaration or `]` in the DOCTYPE"));
            }
        }
    }

    /// A quoted literal preceded by required whitespace (DOCTYPE ids).
    fn literal(&mut self) -> Result<()> {
        if !self.skip_spaces() {
            return Err(self.expected("whitespace before a quoted identifier"));
        }
        let Some(q @ (b'"' | b'\'')) = self.peek() else {
            return Err(self.expected("a quoted identifier"));
        };
        match self.b[self.pos + 1..].iter().position(|&c| c == q) {
            Some(i) => {
                self.pos += i + 2;
                Ok(())
            }
            None => Err(err(self.pos, "this quoted identifier is never closed")),
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
                    return Ok(Tag {
                        start,
                        end: self.pos,
                        name,
                        empty: false,
                    });
                }
                Some(b'/') => {
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

    /// Step over whitespace that is followed by a tag (not by text, a
    /// comment or CDATA): between container elements it is no value.
    #[inline]
    pub fn skip_blank(&mut self) {
        let mut i = self.pos;
        while self.b.get(i).copied().is_some_and(is_space) {
            i += 1;
        }
        if i > self.pos
            && self.b.get(i) == Some(&b'<')
            && self.b.get(i + 1).is_some_and(|&c| c != b'!')
        {
            self.pos = i;
        }
    }

    /// The common shape of a scalar's content: plain text (no markup, no
    /// `&`, no `\r`) then `open`'s end tag. Returns the text's range and the
    /// offset past the end tag, or `None` with nothing consumed.
    #[inline]
    pub fn simple_content(&mut self, open: &Tag<'t>) -> Option<(Span, usize)> {
        let start = self.pos;
        let mut i = start;
        while let Some(&c) = self.b.get(i) {
            if SPECIAL[c as usize] {
                break;
            }
            i += 1;
        }
        if self.b.get(i) != Some(&b'<') || self.b.get(i + 1) != Some(&b'/') {
            return None;
        }
        self.pos = i;
        match self.end_tag_fast(open) {
            Some(end) => Some((start..i, end)),
            None => {
                self.pos = start;
                None
            }
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
                0xEF => {
                    if let Some((at, c)) = forbidden_char(self.text, i, i + 1) {
                        return Err(char_error(at, c));
                    }
                }
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
    hay.windows(needle.len()).position(|w| w == needle)
}
