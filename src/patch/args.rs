//! Boot arguments as the boot loader reads them, and edits that keep them so.
//!
//! A `<string>` of arguments may be written with character references
//! (`&#32;`), CDATA sections or comments. The loader's value has those
//! resolved; [`ArgText`] splits *that* value into tokens and remembers where
//! each token was written, so a finding points at the right bytes and a fix
//! edits what the loader really sees. When the content is written plainly
//! (the common case) an edit splices only the bytes of the tokens it changes;
//! otherwise it rewrites the element's content as plain escaped text, every
//! other token unchanged. Every operation is linear in the length of the value.

use super::Edit;
use crate::plist::Node;
use crate::source::Span;

/// One whitespace-separated argument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Token {
    /// Where it is written in the file (for a token that spans markup, from
    /// its first to its last written byte).
    pub range: Span,
    /// Its range in the decoded value.
    pub at: Span,
    /// Its decoded text.
    pub text: String,
}

/// The decoded value of an arguments element, tokenised.
#[derive(Debug, Clone)]
pub struct ArgText {
    /// The value the loader sees.
    pub value: String,
    /// Its tokens, in order.
    pub tokens: Vec<Token>,
    /// The element (`<string>...</string>` or `<string/>`).
    pub(super) element: Span,
    /// The element's content.
    pub(super) content: Span,
    /// The content is written exactly as the value (no reference, markup or
    /// CR): decoded offsets plus `content.start` are file offsets.
    pub(super) plain: bool,
}

impl ArgText {
    /// The arguments of `node` (a `<string>` element of `text`) whose decoded
    /// value is `value`.
    pub fn of(text: &str, node: &Node, value: &str) -> ArgText {
        let raw = &text[node.inner.clone()];
        let plain = raw == value;
        // File offset of each decoded byte (and one past the end); `None`
        // when the content cannot be mapped (then the element stands in).
        let map = if plain {
            None
        } else {
            offsets(raw, node.inner.start).filter(|(s, _)| s == value)
        };
        let tokens = split(value)
            .map(|at| Token {
                range: match &map {
                    _ if plain => node.inner.start + at.start..node.inner.start + at.end,
                    Some((_, m)) => m[at.start] as usize..end_of(m, at.end - 1),
                    None => node.span.clone(),
                },
                text: value[at.clone()].to_owned(),
                at,
            })
            .collect();
        ArgText {
            value: value.to_owned(),
            tokens,
            element: node.span.clone(),
            content: node.inner.clone(),
            plain,
        }
    }

    /// The arguments of a value that cannot be edited in place (`<data>`):
    /// every token points at the whole `element`.
    pub fn detached(value: &str, element: Span) -> ArgText {
        let mut a = ArgText {
            value: value.to_owned(),
            tokens: Vec::new(),
            element: element.clone(),
            content: element.clone(),
            plain: false,
        };
        a.tokens = split(value)
            .map(|at| Token {
                range: element.clone(),
                text: value[at.clone()].to_owned(),
                at,
            })
            .collect();
        a
    }

    /// The decoded ranges that removing the tokens in `gone` (ascending
    /// indices) deletes: each token with one run of whitespace, so the others
    /// keep their spacing.
    pub(super) fn removal_ranges(&self, gone: &[usize]) -> Vec<Span> {
        let t = &self.tokens;
        let n = t.len();
        let mut out: Vec<Span> = Vec::new();
        let mut push = |r: Span| match out.last_mut() {
            Some(last) if last.end == r.start => last.end = r.end,
            _ => out.push(r),
        };
        // The tokens before the first kept one go with the whitespace after them.
        let mut k = 0;
        while k < gone.len() && gone[k] == k {
            k += 1;
        }
        if k == n && n > 0 {
            push(t[0].at.start..t[n - 1].at.end);
            return out;
        }
        if k > 0 {
            push(t[0].at.start..t[k].at.start);
        }
        for &i in &gone[k..] {
            push(t[i - 1].at.end..t[i].at.end);
        }
        out
    }

    /// Edits that replace decoded ranges of the value (ascending, disjoint)
    /// with new text.
    pub fn edit(&self, changes: Vec<(Span, String)>) -> Vec<Edit> {
        if self.plain {
            let base = self.content.start;
            return changes
                .into_iter()
                .map(|(r, text)| Edit {
                    range: base + r.start..base + r.end,
                    text,
                })
                .collect();
        }
        let mut value = String::with_capacity(self.value.len());
        let mut last = 0;
        for (r, text) in &changes {
            value.push_str(&self.value[last..r.start]);
            value.push_str(text);
            last = r.end;
        }
        value.push_str(&self.value[last..]);
        let mut out = String::with_capacity(value.len() + 16);
        escape_content(&mut out, &value);
        // `<string/>` has no tokens, so nothing here replaces one.
        let range = if self.content.is_empty() && self.content.start >= self.element.end {
            self.element.clone()
        } else {
            self.content.clone()
        };
        vec![Edit { range, text: out }]
    }

    /// Edits removing the tokens at `gone` (ascending indices).
    pub fn remove(&self, gone: &[usize]) -> Vec<Edit> {
        let changes = self
            .removal_ranges(gone)
            .into_iter()
            .map(|r| (r, String::new()))
            .collect();
        self.edit(changes)
    }

    /// Edits replacing token `keep` with `text` and removing the tokens at
    /// `gone` (ascending indices, not containing `keep`).
    pub fn replace_and_remove(&self, keep: usize, text: String, gone: &[usize]) -> Vec<Edit> {
        let mut changes: Vec<(Span, String)> = Vec::new();
        let mut replacement = Some((self.tokens[keep].at.clone(), text));
        for r in self.removal_ranges(gone) {
            if let Some((at, _)) = &replacement
                && at.end <= r.start
            {
                changes.extend(replacement.take());
            }
            changes.push((r, String::new()));
        }
        changes.extend(replacement);
        self.edit(changes)
    }

    /// Edits appending ` text` after the last token (the value must have one).
    pub fn append(&self, text: &str) -> Vec<Edit> {
        let end = self.tokens.last().map_or(self.value.len(), |t| t.at.end);
        self.edit(vec![(end..end, format!(" {text}"))])
    }
}

/// The ranges of the whitespace-separated tokens of `value`.
pub(super) fn split(value: &str) -> impl Iterator<Item = Span> + '_ {
    let mut chars = value.char_indices().peekable();
    std::iter::from_fn(move || {
        while chars.next_if(|(_, c)| c.is_whitespace()).is_some() {}
        let (start, _) = *chars.peek()?;
        let mut end = start;
        while let Some((i, c)) = chars.next_if(|(_, c)| !c.is_whitespace()) {
            end = i + c.len_utf8();
        }
        Some(start..end)
    })
}

/// The file offset just past decoded byte `last` (the start of the next
/// written unit, or the end of the content).
fn end_of(map: &[u32], last: usize) -> usize {
    let here = map[last];
    map[last + 1..]
        .iter()
        .find(|&&o| o != here)
        .map_or(here as usize + 1, |&o| o as usize)
}

/// Escape a value for element content so that it reads back unchanged.
pub(super) fn escape_content(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            _ => out.push(c),
        }
    }
}

/// Decode element content `raw` (at file offset `base`) the way the loader
/// does, with the file offset each decoded byte came from and, last, the
/// offset just past the content. `None` on anything unexpected.
fn offsets(raw: &str, base: usize) -> Option<(String, Vec<u32>)> {
    let b = raw.as_bytes();
    let mut value: Vec<u8> = Vec::with_capacity(raw.len());
    let mut map: Vec<u32> = Vec::with_capacity(raw.len() + 1);
    let at = |i: usize| u32::try_from(base + i).ok();
    let mut i = 0;
    while i < b.len() {
        let rest = &raw[i..];
        if let Some(body) = rest.strip_prefix("<!--") {
            i += 4 + body.find("-->")? + 3;
        } else if rest.starts_with("<?") {
            i += rest.find("?>")? + 2;
        } else if let Some(body) = rest.strip_prefix("<![CDATA[") {
            let len = body.find("]]>")?;
            let start = i + 9;
            let mut j = start;
            while j < start + len {
                let o = at(j)?;
                if b[j] == b'\r' {
                    value.push(b'\n');
                    map.push(o);
                    j += if b.get(j + 1) == Some(&b'\n') { 2 } else { 1 };
                } else {
                    value.push(b[j]);
                    map.push(o);
                    j += 1;
                }
            }
            i = start + len + 3;
        } else if b[i] == b'<' {
            return None;
        } else if b[i] == b'&' {
            let len = rest.find(';')? + 1;
            let c = crate::plist::unescape(&rest[..len])?;
            let o = at(i)?;
            value.extend_from_slice(c.as_bytes());
            map.extend(std::iter::repeat_n(o, c.len()));
            i += len;
        } else if b[i] == b'\r' {
            value.push(b'\n');
            map.push(at(i)?);
            i += if b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
        } else {
            value.push(b[i]);
            map.push(at(i)?);
            i += 1;
        }
    }
    map.push(at(b.len())?);
    Some((String::from_utf8(value).ok()?, map))
}

#[cfg(test)]
#[path = "args_tests.rs"]
mod tests;
