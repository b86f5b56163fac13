//! What one pass of edits changed, in terms of key paths and values: the
//! edited elements before and after, and where they sit in the original and
//! final texts.

use serde::Serialize;

use crate::patch::Edit;
use crate::plist::{Node, Value};
use crate::source::Span;

/// One element's value, before or after an edit.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Snapshot {
    /// The value as JSON (`true`, `42`, `"-v"`, objects and arrays; `<data>`
    /// as lowercase hex; integers that are not plain decimal, and dates, as
    /// the text written, e.g. `"0x10"`).
    pub value: serde_json::Value,
    /// The element's XML exactly as written.
    pub xml: String,
}

/// One edited element.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Change {
    /// The rule code (or `--slide` / `--mmio-whitelist`) the edit came from.
    pub code: &'static str,
    /// Every code whose fix made exactly this edit (the first is `code`).
    pub codes: Vec<&'static str>,
    /// What the fix does, in a few words.
    pub summary: String,
    /// The key path of the element, one component per key or index.
    #[serde(skip)]
    pub components: Vec<String>,
    /// The key path joined with `/`.
    pub path: String,
    /// The value before (absent for an added element).
    pub old: Option<Snapshot>,
    /// The value after (absent for a removed element).
    pub new: Option<Snapshot>,
    /// The edited element's range in the original text (empty for an addition).
    #[serde(skip)]
    pub original_span: Span,
    /// The edited element's range in the final text (empty for a removal).
    #[serde(skip)]
    pub final_span: Span,
}

/// A node with its key path and the start of its entry (its key, in a dict).
pub(crate) struct Placed<'a> {
    pub components: Vec<String>,
    pub node: &'a Node,
    pub start: usize,
}

/// The nodes below `root` whose element touches one of `ranges` (touching
/// its edges counts), in document order, with key paths. Nodes away from
/// every range are neither visited nor listed, so the cost follows the
/// edits, not the file.
pub(crate) fn placed<'a>(root: &'a Node, ranges: &[Span]) -> Vec<Placed<'a>> {
    struct Walk<'r, 'a> {
        ranges: &'r [Span],
        out: Vec<Placed<'a>>,
    }
    impl<'a> Walk<'_, 'a> {
        fn near(&self, s: &Span) -> bool {
            self.ranges
                .iter()
                .any(|r| s.start <= r.end && r.start <= s.end)
        }
        fn go(&mut self, n: &'a Node, comps: &mut Vec<String>, start: usize) {
            if !self.near(&n.span) {
                return;
            }
            self.out.push(Placed {
                components: comps.clone(),
                node: n,
                start,
            });
            match &n.value {
                Value::Dict(d) => {
                    for e in &d.entries {
                        comps.push(e.key.to_string());
                        self.go(&e.value, comps, e.key_span.start);
                        comps.pop();
                    }
                }
                Value::Array(a) => {
                    for (i, item) in a.iter().enumerate() {
                        if self.near(&item.span) {
                            comps.push(i.to_string());
                            self.go(item, comps, item.span.start);
                            comps.pop();
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let mut w = Walk {
        ranges,
        out: Vec::new(),
    };
    w.go(root, &mut Vec::new(), root.span.start);
    w.out
}

/// The outermost nodes whose element lies inside `range`.
fn within<'p, 'a>(nodes: &'p [Placed<'a>], range: &Span) -> Vec<&'p Placed<'a>> {
    let mut out: Vec<&Placed> = Vec::new();
    let mut covered = 0;
    for p in nodes {
        let inside = range.start <= p.node.span.start
            && p.node.span.end <= range.end
            && !p.node.span.is_empty();
        if inside && p.start >= covered {
            covered = p.node.span.end;
            out.push(p);
        }
    }
    out
}

/// The innermost node whose element contains `range`.
fn containing<'p, 'a>(nodes: &'p [Placed<'a>], range: &Span) -> Option<&'p Placed<'a>> {
    nodes
        .iter()
        .filter(|p| p.node.span.start <= range.start && range.end <= p.node.span.end)
        .min_by_key(|p| p.node.span.len())
}

/// A snapshot of a node.
pub(crate) fn snapshot(text: &str, node: &Node) -> Snapshot {
    Snapshot {
        value: json_of(node, true),
        xml: text.get(node.span.clone()).unwrap_or_default().to_owned(),
    }
}

/// A node's value as JSON, for comparing two parsers: `<data>` as lowercase
/// hex; integers that are not plain decimal, and dates, as `null` (a generic
/// parser reads them differently from OpenCore).
pub fn to_json(node: &Node) -> serde_json::Value {
    json_of(node, false)
}

/// [`to_json`], or for reports (`shown`): non-decimal integers and dates as
/// the text written.
fn json_of(node: &Node, shown: bool) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Dict(d) => {
            let mut m = serde_json::Map::new();
            for e in &d.entries {
                m.insert(e.key.to_string(), json_of(&e.value, shown));
            }
            J::Object(m)
        }
        Value::Array(a) => J::Array(a.iter().map(|n| json_of(n, shown)).collect()),
        Value::String(s) => J::String(s.to_string()),
        Value::Integer(i) => match i.strict {
            Some(v) if !i.overflow => i64::try_from(v)
                .map(J::from)
                .or_else(|_| u64::try_from(v).map(J::from))
                .unwrap_or(J::Null),
            _ if shown => J::String(i.raw.trim().to_owned()),
            _ => J::Null,
        },
        Value::Bool(b) => J::Bool(*b),
        Value::Data(bytes) => J::String(hex(bytes)),
        Value::Real(r) => r
            .trim()
            .parse::<f64>()
            .ok()
            .and_then(serde_json::Number::from_f64)
            .map_or(J::Null, J::Number),
        Value::Date(d) if shown => J::String(d.trim().to_owned()),
        _ => J::Null,
    }
}

/// Lowercase hex of bytes.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The edits of one pass, each with its range before and after.
#[derive(Debug, Clone, Default)]
pub(crate) struct PassMap {
    /// (range in the pass's input, range in its output), sorted.
    pub pairs: Vec<(Span, Span)>,
}

impl PassMap {
    /// Map the edits (sorted, not overlapping) to their output ranges.
    pub fn new(edits: &[&Edit]) -> PassMap {
        let mut delta: isize = 0;
        let mut pairs = Vec::with_capacity(edits.len());
        for e in edits {
            let start = (e.range.start as isize + delta) as usize;
            pairs.push((e.range.clone(), start..start + e.text.len()));
            delta += e.text.len() as isize - e.range.len() as isize;
        }
        PassMap { pairs }
    }

    /// Map a position forward (input to output) or backward.
    pub fn map(&self, pos: usize, forward: bool, end: bool) -> usize {
        let mut shift: isize = 0;
        for (a, b) in &self.pairs {
            let (from, to) = if forward { (a, b) } else { (b, a) };
            if from.end <= pos && !(from.is_empty() && from.start == pos && !end) {
                shift = to.end as isize - from.end as isize;
            } else if from.start < pos && pos < from.end {
                return if end { to.end } else { to.start };
            } else if from.start >= pos {
                break;
            }
        }
        (pos as isize + shift) as usize
    }

    /// Map a range forward or backward.
    pub fn map_range(&self, r: &Span, forward: bool) -> Span {
        let s = self.map(r.start, forward, false);
        let e = self.map(r.end, forward, true).max(s);
        s..e
    }
}

/// One element an edit touched: key path, before, after, and its ranges in
/// the pass's input and output.
pub(crate) type EditedElement = (Vec<String>, Option<Snapshot>, Option<Snapshot>, Span, Span);

/// The changes one edit made, between the pass's input and output documents.
pub(crate) fn changes_of_edit(
    old: (&str, &[Placed]),
    new: (&str, &[Placed]),
    old_range: &Span,
    new_range: &Span,
) -> Vec<EditedElement> {
    let (old_text, old_nodes) = old;
    let (new_text, new_nodes) = new;
    let before = within(old_nodes, old_range);
    let after = within(new_nodes, new_range);
    if before.is_empty() && after.is_empty() {
        let (Some(o), Some(n)) = (
            containing(old_nodes, old_range),
            containing(new_nodes, new_range),
        ) else {
            return Vec::new();
        };
        return vec![(
            n.components.clone(),
            Some(snapshot(old_text, o.node)),
            Some(snapshot(new_text, n.node)),
            o.start..o.node.span.end,
            n.start..n.node.span.end,
        )];
    }
    let mut out = Vec::new();
    for o in &before {
        let n = after.iter().find(|n| n.components == o.components);
        out.push((
            o.components.clone(),
            Some(snapshot(old_text, o.node)),
            n.map(|n| snapshot(new_text, n.node)),
            o.start..o.node.span.end,
            n.map_or(new_range.start..new_range.start, |n| {
                n.start..n.node.span.end
            }),
        ));
    }
    for n in &after {
        if before.iter().any(|o| o.components == n.components) {
            continue;
        }
        out.push((
            n.components.clone(),
            None,
            Some(snapshot(new_text, n.node)),
            old_range.start..old_range.start,
            n.start..n.node.span.end,
        ));
    }
    out
}

/// Join key path components for display.
pub fn join(components: &[String]) -> String {
    components.join("/")
}
