//! Splice edits over source text.
//!
//! An [`Edit`] replaces one byte range with new text; a [`Fix`] groups the
//! edits of one finding. [`apply`] copies every byte outside the edited ranges
//! unchanged, so what a fix does not touch stays byte-identical by
//! construction. The builders here produce edits in the file's own style
//! (indentation, line ending, `<true/>`). This module never re-serialises a
//! document and never touches the disk.

mod args;
mod build;
mod literal;

pub use args::{ArgText, Token};
pub use build::*;
pub use literal::{Reading, glued_rest, resolve_references, without_markup};

use serde::Serialize;

use crate::source::Span;

/// Whether `fix` applies a fix by default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Applicability {
    /// Keeps the meaning the user intended; applied by default.
    Safe,
    /// May change how the machine boots; needs `--unsafe-fixes`.
    Unsafe,
}

impl Applicability {
    /// `safe` or `unsafe`.
    pub fn as_str(self) -> &'static str {
        match self {
            Applicability::Safe => "safe",
            Applicability::Unsafe => "unsafe",
        }
    }
}

/// Replace `range` of the text with `text` (an empty range inserts).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Edit {
    /// The byte range replaced.
    #[serde(skip)]
    pub range: Span,
    /// The new text.
    pub text: String,
}

/// One finding's repair: a title and the edits that carry it out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fix {
    /// Safe or unsafe.
    pub applicability: Applicability,
    /// What the fix does, in a few words (`set ProvideCustomSlide to true`).
    pub summary: String,
    /// The edits, sorted by start.
    pub edits: Vec<Edit>,
}

impl Fix {
    /// A fix of the given applicability.
    pub fn new(
        applicability: Applicability,
        summary: impl Into<String>,
        mut edits: Vec<Edit>,
    ) -> Fix {
        edits.sort_by_key(|e| (e.range.start, e.range.end));
        Fix {
            applicability,
            summary: summary.into(),
            edits,
        }
    }

    /// A safe fix.
    pub fn safe(summary: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(Applicability::Safe, summary, edits)
    }

    /// An unsafe fix.
    pub fn unsafe_(summary: impl Into<String>, edits: Vec<Edit>) -> Fix {
        Fix::new(Applicability::Unsafe, summary, edits)
    }

    /// The smallest range covering every edit.
    pub fn range(&self) -> Span {
        let start = self.edits.iter().map(|e| e.range.start).min().unwrap_or(0);
        let end = self.edits.iter().map(|e| e.range.end).max().unwrap_or(0);
        start..end
    }
}

/// The result of [`apply`].
#[derive(Debug, Clone)]
pub struct Applied {
    /// The new text.
    pub text: String,
    /// Indices (into the input slice) of the fixes that were applied.
    pub applied: Vec<usize>,
    /// Indices of fixes skipped because they overlapped one already applied.
    pub skipped: Vec<usize>,
}

/// Apply fixes to `text` in one pass. Fixes are taken in order of their first
/// edit; a fix overlapping one already taken is skipped and reported (a later
/// pass can apply it to the new text). Two identical fixes count once.
pub fn apply(text: &str, fixes: &[&Fix]) -> Applied {
    let mut order: Vec<usize> = (0..fixes.len()).collect();
    order.sort_by_key(|&i| (fixes[i].range().start, fixes[i].range().end, i));
    let mut taken: Vec<&Edit> = Vec::new();
    let mut applied = Vec::new();
    let mut skipped = Vec::new();
    let mut seen: Vec<&Vec<Edit>> = Vec::new();
    for i in order {
        let fix = fixes[i];
        if seen.contains(&&fix.edits) {
            applied.push(i);
            continue;
        }
        // A fix whose own edits overlap cannot be applied (a builder bug);
        // it is skipped and reported rather than splicing garbage.
        let own = fix.edits.iter().enumerate().any(|(j, e)| {
            fix.edits[j + 1..].iter().any(|o| {
                overlaps(&e.range, &o.range) && !(e.range.is_empty() && o.range.is_empty())
            })
        });
        let clash = own
            || fix
                .edits
                .iter()
                .any(|e| taken.iter().any(|t| overlaps(&e.range, &t.range)));
        if clash {
            skipped.push(i);
            continue;
        }
        taken.extend(fix.edits.iter());
        seen.push(&fix.edits);
        applied.push(i);
    }
    taken.sort_by_key(|e| (e.range.start, e.range.end));
    let mut out = String::with_capacity(text.len() + 256);
    let mut last = 0;
    for e in taken {
        out.push_str(&text[last..e.range.start]);
        out.push_str(&e.text);
        last = e.range.end;
    }
    out.push_str(&text[last..]);
    applied.sort_unstable();
    Applied {
        text: out,
        applied,
        skipped,
    }
}

/// Whether two edit ranges conflict. Two inserts at the same point conflict
/// (their order would be arbitrary); an insert touching a replacement's edge
/// does not.
fn overlaps(a: &Span, b: &Span) -> bool {
    if a.is_empty() && b.is_empty() {
        return a.start == b.start;
    }
    if a.is_empty() {
        return a.start > b.start && a.start < b.end;
    }
    if b.is_empty() {
        return b.start > a.start && b.start < a.end;
    }
    a.start < b.end && b.start < a.end
}

#[cfg(test)]
mod tests;
