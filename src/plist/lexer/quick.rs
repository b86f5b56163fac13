//! The shortcuts for what nearly every config is made of: whitespace
//! between tags, and `<key>` or a scalar holding plain text with its end tag
//! right after (`quick` reads the whole element, `simple_content` the rest
//! after a start tag already read), or `<true/>` / `<false/>`. When the text
//! needs a closer look they consume nothing and leave it to the general
//! reading in the parent module, which gives the same result.

use super::chars::{SPECIAL, is_space};
use super::{Lexer, MAX_NODES, Quick, Tag};
use crate::source::Span;

impl<'t> Lexer<'t> {
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

    /// Read the element at the position if it has the form nearly every
    /// element of a config has: `<key>` or a scalar (`<string>`,
    /// `<integer>`, `<data>`, `<real>`, `<date>`) with plain text (no
    /// markup, reference, `\r` or other character that needs a look) and
    /// its end tag right after, or `<true/>` / `<false/>`. `key` and
    /// `value` say which of those the caller can take here. Anything else
    /// returns `None` with nothing consumed, for the general path, which
    /// reads the same elements to the same result.
    #[inline]
    pub fn quick(&mut self, key: bool, value: bool) -> Option<Quick<'t>> {
        let start = self.pos;
        if self.b.get(start) != Some(&b'<') || self.nodes >= MAX_NODES {
            return None;
        }
        // Dispatch on the first letter; each arm compares literals of a
        // fixed length, which compile to a few inline comparisons.
        let (name_len, text, end) = match *self.b.get(start + 1)? {
            b'k' if key => self.plain(start, b"<key>", b"</key>")?,
            b's' if value => self.plain(start, b"<string>", b"</string>")?,
            b'i' if value => self.plain(start, b"<integer>", b"</integer>")?,
            b'd' if value => match self.b.get(start + 4)? {
                b'a' => self.plain(start, b"<data>", b"</data>")?,
                _ => self.plain(start, b"<date>", b"</date>")?,
            },
            b't' if value => self.empty(start, b"<true/>")?,
            b'f' if value => self.empty(start, b"<false/>")?,
            b'r' if value => self.plain(start, b"<real>", b"</real>")?,
            _ => return None,
        };
        self.nodes += 1;
        self.pos = end;
        Some(Quick {
            name: &self.text[start + 1..start + 1 + name_len],
            start,
            text,
            end,
        })
    }

    /// `open`, plain text, `close` at `start`: the name's length, the text's
    /// range and the offset past `close`.
    #[inline(always)]
    fn plain<const O: usize, const C: usize>(
        &self,
        start: usize,
        open: &[u8; O],
        close: &[u8; C],
    ) -> Option<(usize, Span, usize)> {
        let b = self.b;
        if b.get(start..start + O)? != open {
            return None;
        }
        let from = start + O;
        let i = self.plain_end(from);
        if b.get(i..i + C)? != close {
            return None;
        }
        Some((O - 2, from..i, i + C))
    }

    /// The empty element `tag` (`<true/>`) at `start`.
    #[inline(always)]
    fn empty<const N: usize>(&self, start: usize, tag: &[u8; N]) -> Option<(usize, Span, usize)> {
        if self.b.get(start..start + N)? != tag {
            return None;
        }
        let end = start + N;
        Some((N - 3, end..end, end))
    }

    /// The end of the plain text from `from`: the first byte that is markup,
    /// a reference, `\r` or a character that needs a look (or the end).
    #[inline(always)]
    fn plain_end(&self, from: usize) -> usize {
        let rest = self.b.get(from..).unwrap_or_default();
        from + rest
            .iter()
            .position(|&c| SPECIAL[c as usize])
            .unwrap_or(rest.len())
    }

    /// The common shape of a scalar's content: plain text (no markup, no
    /// `&`, no `\r`) then `open`'s end tag. Returns the text's range and the
    /// offset past the end tag, or `None` with nothing consumed.
    #[inline]
    pub fn simple_content(&mut self, open: &Tag<'t>) -> Option<(Span, usize)> {
        let start = self.pos;
        let i = self.plain_end(start);
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
}
