//! OpenCore's own reading of a config.plist, byte for byte.
//!
//! OpenCore does not use a general XML parser. It reads config.plist with a
//! small tag scanner of its own (OcXmlLib) and then maps the tree it built
//! onto its settings (OcSerializeLib). When the scanner gives up, OpenCore
//! logs `OC: Failed to parse configuration!` and stops the machine. This
//! module is a fresh implementation of that scanner's *behaviour* (written
//! from reading OpenCorePkg 1.0.7, no code taken over), so that ocaudit can
//! say whether OpenCore will read a file, where it trips if not, and what
//! tree it builds if so. It never decides what a setting means.
//!
//! What the scanner does, in our words:
//!
//! - It works on raw bytes with no notion of an encoding. Nothing but ASCII
//!   whitespace (space, tab, CR, LF, VT, FF) may come before the first `<`:
//!   a UTF-8 byte-order mark or UTF-16 text therefore stops it. Blank lines
//!   before `<?xml` are fine.
//! - Any number of `<?...>` and `<!...>` sequences may come before an
//!   element (the XML declaration, a DOCTYPE, comments) and before each
//!   child element. `<?...>` and `<!DOCTYPE ...>` end at the first `>`;
//!   `<!--` ends at `-->`. Single quotes, a missing declaration or DOCTYPE:
//!   all the same to it.
//! - An element name runs up to whitespace, `/` or `>` and is compared
//!   byte for byte (case matters: `<Key>` is not a key). Anything after the
//!   name up to `/` or `>` is an attribute string that is kept and ignored,
//!   so `<key id="1">` is a key; a `/` inside it breaks the tag.
//! - An element either holds text or child elements. Text runs up to the
//!   next `<`; whitespace around it is trimmed; nothing in it is decoded
//!   (`&amp;` stays five characters, unknown entities are fine, bytes that
//!   are not UTF-8 are kept). The text must be followed by its end tag (a
//!   comment or CDATA after text stops the scanner). An element whose first
//!   non-blank byte is `<` holds children; a CDATA section there is skipped
//!   like a comment, so `<string><![CDATA[x]]></string>` is an empty string.
//! - Each end tag must repeat its start tag's name. Elements nest at most
//!   32 levels (counting `<plist>` and any element that holds `<`), and one
//!   element holds at most 32768 children.
//! - Only the first element of the file is read. Anything after its end
//!   tag (text, a second root, garbage) is never looked at. A file larger
//!   than 32 MiB or empty is refused.
//! - A NUL byte ends a name or a text early (the scanner stores both as C
//!   strings) and is otherwise an ordinary byte: where it stands in for a
//!   `<` or whitespace the scan fails.
//!
//! Then the settings reader wants: a root element named `plist` with exactly
//! one child, and that child a `<dict>` with an even number of children.
//! Otherwise the file is refused too. Past that point nothing is fatal:
//! a dict is read as key/value *pairs by position*, so a dict with an odd
//! number of children is ignored whole wherever a dict is expected, a value
//! in a key's place is skipped, a value of the wrong element type is
//! skipped (the default stays), an empty `<integer>` is skipped, an integer
//! is read as leading decimal digits (hex and `+` read as 0), a later
//! duplicate key overwrites an earlier one (duplicate arrays are appended),
//! and `<data>` that is not base64 leaves the field empty.

mod settings;
mod view;

pub use settings::{Leaf, Want, decimal, setting};
pub use view::{Tolerated, judge_tree, to_document};

use crate::source::Span;

/// Nesting limit of OpenCore's XML scanner.
pub const NEST_LEVEL: u32 = 32;

/// Most children one element may hold.
pub const NODE_COUNT: usize = 32768;

/// Largest file OpenCore's scanner reads, in bytes.
pub const MAX_SIZE: usize = 32 * 1024 * 1024;

/// One element as OpenCore's scanner saw it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// Byte range of the name (up to a NUL, if the name holds one).
    pub name: Span,
    /// From `<` of the start tag to `>` of the end tag.
    pub span: Span,
    /// The trimmed text, for an element that holds text.
    pub text: Option<Span>,
    /// Whether the start tag carried anything after its name.
    pub attributes: bool,
    /// Between the start tag's `>` and the end tag's `<` (empty for `<x/>`).
    pub inner: Span,
    /// Where the indexes of its children sit in the tree's child list
    /// (see [`Tree::children`]).
    kids: std::ops::Range<u32>,
}

/// The element tree of a file OpenCore's scanner accepted.
#[derive(Debug, Clone, Default)]
pub struct Tree {
    /// All elements; the root is the first.
    pub elements: Vec<Element>,
    /// Where the scanner stopped reading (the end of the root element).
    pub end: usize,
    /// The children of every element, each element's run in one piece.
    kids: Vec<u32>,
}

impl Tree {
    /// The indexes (into [`Tree::elements`]) of `e`'s child elements.
    pub fn children(&self, e: &Element) -> &[u32] {
        &self.kids[e.kids.start as usize..e.kids.end as usize]
    }
}

/// Why OpenCore refuses a file: the offset of the byte it tripped on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trip {
    /// Offset into the bytes given.
    pub offset: usize,
    /// What the scanner expected there, in words.
    pub reason: &'static str,
}

/// Scan `bytes` as OpenCore's XML reader does.
pub fn scan(bytes: &[u8]) -> Result<Tree, Trip> {
    if bytes.is_empty() || bytes.len() > MAX_SIZE {
        return Err(Trip {
            offset: 0,
            reason: "the file is empty or larger than 32 MiB",
        });
    }
    let mut s = Scanner {
        b: bytes,
        pos: 0,
        level: 0,
        tree: Tree {
            elements: Vec::with_capacity(bytes.len() / 24),
            kids: Vec::with_capacity(bytes.len() / 24),
            end: 0,
        },
        stack: Vec::new(),
        trip: None,
    };
    match s.node() {
        Some(_) => {
            s.tree.end = s.pos;
            Ok(s.tree)
        }
        None => Err(s.trip.unwrap_or(Trip {
            offset: s.pos,
            reason: "expected an element",
        })),
    }
}

/// Scan `bytes` and apply the settings reader's checks on the root: the
/// tree when OpenCore reads the file, where it stops otherwise.
pub fn read(bytes: &[u8]) -> Result<Tree, Trip> {
    let tree = scan(bytes)?;
    let root = &tree.elements[0];
    let top = tree.children(root);
    if &bytes[root.name.clone()] != b"plist" {
        return Err(Trip {
            offset: root.span.start,
            reason: "the first element is not <plist>",
        });
    }
    if top.len() != 1 {
        return Err(Trip {
            offset: root.span.start,
            reason: "<plist> does not hold exactly one element",
        });
    }
    let top = &tree.elements[top[0] as usize];
    if &bytes[top.name.clone()] != b"dict" {
        return Err(Trip {
            offset: top.span.start,
            reason: "the element inside <plist> is not a <dict>",
        });
    }
    if !tree.children(top).len().is_multiple_of(2) {
        return Err(Trip {
            offset: top.span.start,
            reason: "the top <dict> has an odd number of elements (a key without a value, or a value without a key)",
        });
    }
    Ok(tree)
}

/// ASCII whitespace as OpenCore counts it (vertical tab and form feed too).
pub fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)
}

struct Scanner<'b> {
    b: &'b [u8],
    pos: usize,
    level: u32,
    tree: Tree,
    /// Children of the open elements, innermost last; each element moves
    /// its own run to the tree when it closes.
    stack: Vec<u32>,
    trip: Option<Trip>,
}

/// Result of reading a start tag.
enum Open {
    /// A start tag: name range, self-closing, attributes present, `<` offset.
    Tag(Span, bool, bool, usize),
    /// `</` was found instead (the position is at `/`).
    Close,
    /// The scan failed.
    Fail,
}

impl Scanner<'_> {
    fn peek(&self, n: usize) -> u8 {
        self.b.get(self.pos + n).copied().unwrap_or(0)
    }

    fn consume(&mut self, n: usize) {
        self.pos = (self.pos + n).min(self.b.len());
    }

    fn skip_space(&mut self) {
        let rest = &self.b[self.pos.min(self.b.len())..];
        self.pos += rest.iter().take_while(|&&c| is_space(c)).count();
    }

    /// Record the first failure; later ones only follow from it.
    fn fail(&mut self, offset: usize, reason: &'static str) {
        if self.trip.is_none() {
            self.trip = Some(Trip {
                offset: offset.min(self.b.len()),
                reason,
            });
        }
    }

    /// The name up to the first NUL.
    fn c_name(&self, start: usize, len: usize) -> Span {
        let name = &self.b[start..start + len];
        start..start + memchr::memchr(0, name).unwrap_or(len)
    }

    /// The rest of a tag after `<` (or `</`): name, attributes, `/`, `>`.
    /// `self_closing` is `None` for end tags, where `/` is an error.
    fn tag_end(&mut self, self_closing: Option<&mut bool>) -> Option<(Span, bool)> {
        let start = self.pos.min(self.b.len());
        let rest = &self.b[start..];
        // The name runs to whitespace, `/` or `>`; attributes to `/` or `>`.
        let mut name_len = 0;
        let mut len = rest.len();
        for (i, &c) in rest.iter().enumerate() {
            if c == b'/' || c == b'>' {
                len = i;
                break;
            }
            if name_len == 0 && is_space(c) {
                if i == 0 {
                    self.pos = start;
                    self.fail(start, "a tag name must follow `<` directly");
                    return None;
                }
                name_len = i;
            }
        }
        self.pos = start + len;
        let mut cur = self.peek(0);
        let attributes = name_len != 0 && len > name_len;
        if name_len == 0 {
            name_len = len;
        }
        if cur == b'/' {
            let Some(sc) = self_closing else {
                self.fail(self.pos, "an end tag cannot be self-closing");
                return None;
            };
            *sc = true;
            self.consume(1);
            cur = self.peek(0);
        }
        if cur != b'>' {
            self.fail(self.pos, "expected `>` to end the tag");
            return None;
        }
        self.consume(1);
        Some((self.c_name(start, name_len), attributes))
    }

    /// A start tag, after any `<?...>`, `<!...>` and comments before it.
    fn tag_open(&mut self) -> Open {
        let mut lt;
        loop {
            self.skip_space();
            if self.peek(0) != b'<' {
                self.fail(
                    self.pos,
                    "expected `<` (only whitespace may stand between elements)",
                );
                return Open::Fail;
            }
            lt = self.pos;
            self.consume(1);
            let mut cur = self.peek(0);
            if cur == b'/' {
                return Open::Close;
            }
            if cur != b'?' && cur != b'!' {
                break;
            }
            let mut comment = false;
            if cur == b'!' {
                self.consume(1);
                cur = self.peek(0);
                if cur == b'-' && self.peek(1) == b'-' {
                    self.consume(2);
                    comment = true;
                }
            }
            while self.pos < self.b.len() {
                if comment {
                    if self.peek(0) == b'-' && self.peek(1) == b'-' && self.peek(2) == b'>' {
                        self.consume(3);
                        break;
                    }
                } else if self.peek(0) == b'>' {
                    self.consume(1);
                    break;
                }
                self.consume(1);
            }
            if self.pos >= self.b.len() {
                break;
            }
        }
        let mut sc = false;
        match self.tag_end(Some(&mut sc)) {
            Some((name, attrs)) => Open::Tag(name, sc, attrs, lt),
            None => Open::Fail,
        }
    }

    /// An end tag (name, offset of its `<`); `unprefixed` when its `<` was
    /// already consumed.
    fn tag_close(&mut self, unprefixed: bool) -> Option<(Span, usize)> {
        let lt = self.pos.saturating_sub(1);
        self.skip_space();
        let lt = if unprefixed { lt } else { self.pos };
        if unprefixed {
            if self.peek(0) != b'/' {
                self.fail(self.pos, "expected the end tag after the text");
                return None;
            }
            self.consume(1);
        } else {
            if self.peek(0) != b'<' {
                self.fail(self.pos, "expected an end tag `</...>`");
                return None;
            }
            if self.peek(1) != b'/' {
                self.fail(self.pos + 1, "expected an end tag `</...>`");
                return None;
            }
            self.consume(2);
        }
        self.tag_end(None).map(|(name, _)| (name, lt))
    }

    /// Text up to the next `<`, trimmed; consumes that `<`.
    fn content(&mut self) -> Option<Span> {
        self.skip_space();
        let start = self.pos;
        let rest = &self.b[start..];
        let Some(n) = memchr::memchr(b'<', rest) else {
            self.pos = self.b.len();
            self.fail(self.pos, "the file ends inside a text");
            return None;
        };
        self.pos = start + n;
        let mut len = n;
        while len > 0 && is_space(self.b[start + len - 1]) {
            len -= 1;
        }
        self.consume(1);
        Some(self.c_name(start, len))
    }

    fn node(&mut self) -> Option<u32> {
        let (name, self_closing, attributes, lt) = match self.tag_open() {
            Open::Tag(n, sc, a, lt) => (n, sc, a, lt),
            Open::Close | Open::Fail => return None,
        };
        let tag_end = self.pos;
        self.skip_space();
        let idx = self.tree.elements.len();
        self.tree.elements.push(Element {
            name: name.clone(),
            span: lt..tag_end,
            text: None,
            attributes,
            inner: tag_end..tag_end,
            kids: 0..0,
        });
        if self_closing {
            return Some(idx as u32);
        }
        let unprefixed;
        if self.peek(0) != b'<' {
            let text = self.content()?;
            self.tree.elements[idx].text = Some(text);
            unprefixed = true;
        } else {
            self.level += 1;
            if self.level > NEST_LEVEL {
                self.fail(lt, "nesting deeper than 32 elements");
                return None;
            }
            let mut after_children = false;
            let base = self.stack.len();
            while self.peek(1) != b'/' {
                let marks = (
                    self.tree.elements.len(),
                    self.stack.len(),
                    self.tree.kids.len(),
                );
                match self.node() {
                    Some(child) => {
                        if self.stack.len() - base >= NODE_COUNT {
                            self.fail(lt, "more than 32768 elements inside one element");
                            return None;
                        }
                        self.stack.push(child);
                    }
                    None if self.peek(0) == b'/' => {
                        // OpenCore takes this as the end of the children,
                        // whatever stopped the child, and drops the child.
                        self.trip = None;
                        self.tree.elements.truncate(marks.0);
                        self.stack.truncate(marks.1);
                        self.tree.kids.truncate(marks.2);
                        after_children = true;
                        break;
                    }
                    None => return None,
                }
            }
            let start = self.tree.kids.len() as u32;
            self.tree.kids.extend(self.stack.drain(base..));
            self.tree.elements[idx].kids = start..self.tree.kids.len() as u32;
            self.level -= 1;
            unprefixed = after_children;
        }
        let (close, close_lt) = self.tag_close(unprefixed)?;
        if self.b[close.clone()] != self.b[name.clone()] {
            self.fail(close_lt, "the end tag does not match its start tag");
            return None;
        }
        let e = &mut self.tree.elements[idx];
        e.span.end = self.pos;
        e.inner.end = close_lt.max(e.inner.start);
        Some(idx as u32)
    }
}

#[cfg(test)]
#[path = "opencore/tests.rs"]
mod tests;
