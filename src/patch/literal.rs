//! OpenCore's own reading of an arguments `<string>`.
//!
//! OpenCore's XML reader decodes no entity or character reference in a value:
//! `&#32;` and `&amp;` reach boot.efi and macOS as written. It refuses the
//! whole file when a comment sits in a value's text (or a CDATA section is
//! mixed with text), and reads a value that is only a CDATA section as empty.
//! [`ArgText::literal`] gives the arguments OpenCore really passes on; the
//! helpers here describe and undo what it does not decode.

use super::Edit;
use super::args::{ArgText, Token, split};
use crate::plist::Node;
use crate::source::Span;

/// How OpenCore reads an arguments element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reading {
    /// As written, references not decoded.
    Literal,
    /// Only a CDATA section: OpenCore reads an empty value.
    Empty,
    /// A comment or processing instruction in the text, or CDATA mixed with
    /// text: OpenCore refuses the whole config.
    Refused,
}

impl ArgText {
    /// The arguments of `node` (a `<string>` of `text`) as OpenCore reads
    /// them, and how it reads them.
    pub fn literal(text: &str, node: &Node) -> (ArgText, Reading) {
        let raw = &text[node.inner.clone()];
        let reading = if !raw.contains('<') {
            Reading::Literal
        } else {
            let t = raw.trim();
            let only_cdata = t
                .strip_prefix("<![CDATA[")
                .and_then(|b| b.find("]]>").map(|i| i + 3 == b.len()))
                .unwrap_or(false);
            if only_cdata {
                Reading::Empty
            } else {
                Reading::Refused
            }
        };
        let value = if reading == Reading::Literal { raw } else { "" };
        let base = node.inner.start;
        let tokens = split(value)
            .map(|at| Token {
                range: base + at.start..base + at.end,
                text: value[at.clone()].to_owned(),
                at,
            })
            .collect();
        let args = ArgText {
            value: value.to_owned(),
            tokens,
            element: node.span.clone(),
            content: node.inner.clone(),
            plain: reading == Reading::Literal,
        };
        (args, reading)
    }

    /// Like [`ArgText::remove`], but a removed token that glues further
    /// arguments with a whitespace reference (`slide=5&#32;alcid=1`) is
    /// replaced by those arguments (`alcid=1`), which then take effect as
    /// arguments of their own; they are returned too.
    pub fn remove_keeping_glued(&self, gone: &[usize]) -> (Vec<Edit>, Vec<String>) {
        let mut plain_gone = Vec::with_capacity(gone.len());
        let mut changes: Vec<(Span, String)> = Vec::new();
        let mut kept = Vec::new();
        for &i in gone {
            match glued_rest(&self.tokens[i].text) {
                Some(rest) if self.plain => {
                    changes.push((self.tokens[i].at.clone(), rest.clone()));
                    kept.push(rest);
                }
                _ => plain_gone.push(i),
            }
        }
        changes.extend(
            self.removal_ranges(&plain_gone)
                .into_iter()
                .map(|r| (r, String::new())),
        );
        changes.sort_by_key(|(r, _)| (r.start, r.end));
        (self.edit(changes), kept)
    }
}

/// The character references in `s` (`&#32;`, `&#x9;`; not entities such as
/// `&amp;`): each one's range and character.
fn char_refs(s: &str) -> impl Iterator<Item = (Span, char)> + '_ {
    let mut from = 0;
    std::iter::from_fn(move || {
        while let Some(off) = s[from..].find("&#") {
            let start = from + off;
            from = start + 2;
            let Some(len) = s[start..].find(';').filter(|&l| l <= 12) else {
                continue;
            };
            let r = start..start + len + 1;
            if let Some(c) = crate::plist::unescape(&s[r.clone()]).and_then(|d| d.chars().next()) {
                from = r.end;
                return Some((r, c));
            }
        }
        None
    })
}

/// What follows the first whitespace character reference of a token
/// (`alcid=1` for `slide=5&#32;alcid=1`), its further whitespace references
/// written as spaces; `None` when it has none or nothing follows.
pub fn glued_rest(token: &str) -> Option<String> {
    let mut rest: Option<String> = None;
    let mut last = 0;
    for (r, _) in char_refs(token).filter(|(_, c)| c.is_ascii_whitespace()) {
        if let Some(out) = &mut rest {
            out.push_str(&token[last..r.start]);
            out.push(' ');
        } else {
            rest = Some(String::new());
        }
        last = r.end;
    }
    let mut out = rest?;
    out.push_str(&token[last..]);
    let out = out.split_ascii_whitespace().collect::<Vec<_>>().join(" ");
    (!out.is_empty()).then_some(out)
}

/// `raw` with every character reference replaced by its character (a space
/// for whitespace), as the user evidently meant it; `None` when a reference
/// stands for a character that must stay escaped (`&`, `<`, `>`) or a
/// control character, or when `raw` holds no character reference.
pub fn resolve_references(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    let mut last = 0;
    let mut any = false;
    for (r, c) in char_refs(raw) {
        let c = match c {
            c if c.is_ascii_whitespace() => ' ',
            '&' | '<' | '>' => return None,
            c if c.is_control() => return None,
            c => c,
        };
        out.push_str(&raw[last..r.start]);
        out.push(c);
        last = r.end;
        any = true;
    }
    out.push_str(&raw[last..]);
    any.then_some(out)
}

/// Element content `raw` without its comments and processing instructions
/// and with CDATA sections written as escaped text: the text as written,
/// which OpenCore then reads literally. `None` when the markup is unclosed.
pub fn without_markup(raw: &str) -> Option<String> {
    let mut out = String::with_capacity(raw.len());
    let mut rest = raw;
    while let Some(i) = rest.find('<') {
        out.push_str(&rest[..i]);
        let m = &rest[i..];
        rest = if let Some(body) = m.strip_prefix("<![CDATA[") {
            let end = body.find("]]>")?;
            super::args::escape_content(&mut out, &body[..end]);
            &body[end + 3..]
        } else if let Some(body) = m.strip_prefix("<!--") {
            &body[body.find("-->")? + 3..]
        } else if let Some(body) = m.strip_prefix("<?") {
            &body[body.find("?>")? + 2..]
        } else {
            return None;
        };
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
#[path = "literal_tests.rs"]
mod tests;
