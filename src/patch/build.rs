//! Edit builders that copy the file's own style.

use super::Edit;
use crate::plist::{Entry, Node, Value};
use crate::source::Span;

/// A value to write into the file.
#[derive(Debug, Clone, PartialEq)]
pub enum NewValue {
    /// `<true/>` / `<false/>`.
    Bool(bool),
    /// `<integer>`, decimal.
    Int(i64),
    /// `<string>`, escaped.
    Str(String),
    /// `<array>`.
    Array(Vec<NewValue>),
    /// `<dict>` with keys in the given order.
    Dict(Vec<(String, NewValue)>),
    /// `<data>`, base64-encoded when rendered.
    Data(Vec<u8>),
}

/// The layout conventions of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Style {
    /// One level of indentation (a tab, or some spaces).
    pub unit: String,
    /// The line ending.
    pub eol: &'static str,
}

impl Style {
    /// Detect the indentation unit and line ending of `text`.
    pub fn detect(text: &str) -> Style {
        Style::with_line_ending(text, crate::source::detect_line_ending(text))
    }

    /// The layout of a loaded file (its line ending is already known).
    pub fn of(source: &crate::source::SourceFile) -> Style {
        Style::with_line_ending(&source.text, source.line_ending)
    }

    fn with_line_ending(text: &str, ending: crate::source::LineEnding) -> Style {
        let eol = ending.as_str();
        // The smallest indentation among the first indented lines is one
        // level; a tab anywhere there means tabs. A few hundred lines are
        // plenty to decide.
        let mut unit: Option<usize> = None;
        for line in text.lines().take(400) {
            let bytes = line.as_bytes();
            match bytes.first() {
                Some(b'\t') => {
                    return Style {
                        unit: "\t".into(),
                        eol,
                    };
                }
                Some(b' ') => {
                    let n = bytes.iter().take_while(|&&b| b == b' ').count();
                    let blank = bytes[n..].iter().all(|b| b.is_ascii_whitespace());
                    if !blank && unit.is_none_or(|u| n < u) {
                        unit = Some(n);
                    }
                }
                _ => {}
            }
        }
        Style {
            unit: unit.map_or_else(|| "\t".into(), |n| " ".repeat(n)),
            eol,
        }
    }
}

/// Escape text for an XML element's content.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s);
    out
}

/// [`escape`] appending to `out`.
fn escape_into(out: &mut String, s: &str) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
}

/// Render a value as plist XML; `indent` is the indentation of the line the
/// value starts on (used for the lines of nested dicts and arrays).
pub fn render(v: &NewValue, indent: &str, style: &Style) -> String {
    let mut out = String::new();
    render_into(&mut out, v, indent, style);
    out
}

/// [`render`] appending to `out` (one buffer for the whole value).
fn render_into(out: &mut String, v: &NewValue, indent: &str, style: &Style) {
    use std::fmt::Write as _;
    match v {
        NewValue::Bool(true) => out.push_str("<true/>"),
        NewValue::Bool(false) => out.push_str("<false/>"),
        NewValue::Int(i) => {
            let _ = write!(out, "<integer>{i}</integer>");
        }
        NewValue::Str(s) => {
            out.push_str("<string>");
            escape_into(out, s);
            out.push_str("</string>");
        }
        NewValue::Data(bytes) => {
            out.push_str("<data>");
            out.push_str(&base64(bytes));
            out.push_str("</data>");
        }
        NewValue::Array(items) if items.is_empty() => out.push_str("<array/>"),
        NewValue::Array(items) => {
            let inner = format!("{indent}{}", style.unit);
            out.push_str("<array>");
            for item in items {
                out.push_str(style.eol);
                out.push_str(&inner);
                render_into(out, item, &inner, style);
            }
            out.push_str(style.eol);
            out.push_str(indent);
            out.push_str("</array>");
        }
        NewValue::Dict(entries) if entries.is_empty() => out.push_str("<dict/>"),
        NewValue::Dict(entries) => {
            let inner = format!("{indent}{}", style.unit);
            out.push_str("<dict>");
            for (k, val) in entries {
                out.push_str(style.eol);
                out.push_str(&inner);
                out.push_str("<key>");
                escape_into(out, k);
                out.push_str("</key>");
                out.push_str(style.eol);
                out.push_str(&inner);
                render_into(out, val, &inner, style);
            }
            out.push_str(style.eol);
            out.push_str(indent);
            out.push_str("</dict>");
        }
    }
}

/// Standard base64 with padding, as plists write `<data>`.
pub fn base64(bytes: &[u8]) -> String {
    const ABC: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ABC[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// The whitespace between the start of the line and `offset`, if only
/// whitespace precedes it on its line.
pub fn indent_before(text: &str, offset: usize) -> Option<&str> {
    // Walk back over blanks only: a finding far into a long line costs its
    // indentation, not the line (thousands of findings on one line would
    // otherwise cost findings x line length).
    let bytes = text.as_bytes();
    let mut start = offset;
    while start > 0 && matches!(bytes[start - 1], b' ' | b'\t') {
        start -= 1;
    }
    (start == 0 || bytes[start - 1] == b'\n').then(|| &text[start..offset])
}

/// The leading whitespace of the line containing `offset`.
pub fn line_indent(text: &str, offset: usize) -> &str {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..];
    &line[..line.len() - line.trim_start_matches([' ', '\t']).len()]
}

/// Replace a value element with `<true/>` or `<false/>`.
pub fn set_bool(span: &Span, value: bool) -> Edit {
    Edit {
        range: span.clone(),
        text: if value { "<true/>" } else { "<false/>" }.into(),
    }
}

/// Replace a whole value element with a rendered value.
pub fn replace_value(text: &str, node: &Node, value: &NewValue, style: &Style) -> Edit {
    let indent = line_indent(text, node.span.start).to_owned();
    Edit {
        range: node.span.clone(),
        text: render(value, &indent, style),
    }
}

/// Where to put a new dict key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Before the first key that sorts after it (ignoring case), as
    /// OpenCore's Sample.plist orders keys.
    Sorted,
    /// After the last key.
    End,
}

/// Insert `key` with `value` into the dict `dict`, copying the layout of a
/// neighbouring entry (or one level deeper than the dict when it is empty).
pub fn insert_entry(
    text: &str,
    dict: &Node,
    key: &str,
    value: &NewValue,
    place: Place,
    style: &Style,
) -> Edit {
    let entries: &[Entry] = match &dict.value {
        Value::Dict(d) => &d.entries,
        _ => &[],
    };
    // Concatenated, not formatted: a check of an old config can build
    // hundreds of these insertions.
    let key_xml = ["<key>", &escape(key), "</key>"].concat();
    if entries.is_empty() {
        return fill_empty(text, dict, "dict", style, |inner| {
            entry_lines(key, value, inner, style)
        });
    }
    let idx = match place {
        Place::End => entries.len(),
        Place::Sorted => entries
            .iter()
            .position(|e| {
                let k = e.key.trim_start_matches('#');
                // Byte-wise, ASCII case ignored (no allocation per entry).
                k.bytes()
                    .map(|b| b.to_ascii_lowercase())
                    .gt(key.bytes().map(|b| b.to_ascii_lowercase()))
            })
            .unwrap_or(entries.len()),
    };
    let sibling = &entries[idx.saturating_sub(1).min(entries.len() - 1)];
    let indent = indent_before(text, sibling.key_span.start)
        .map(str::to_owned)
        .unwrap_or_else(|| line_indent(text, sibling.key_span.start).to_owned());
    let between = &text[sibling.key_span.end..sibling.value.span.start];
    let sep = if between.chars().all(char::is_whitespace) {
        between.to_owned()
    } else {
        [style.eol, indent.as_str()].concat()
    };
    let rendered = render(value, &indent, style);
    if idx == 0 {
        let first = &entries[0];
        Edit {
            range: first.key_span.start..first.key_span.start,
            text: [key_xml.as_str(), &sep, &rendered, style.eol, &indent].concat(),
        }
    } else {
        let prev = &entries[idx - 1];
        Edit {
            range: prev.value.span.end..prev.value.span.end,
            text: [style.eol, &indent, &key_xml, &sep, &rendered].concat(),
        }
    }
}

/// Insert several entries into one dict (keys in the order given, each at
/// its sorted place). An empty dict gets them all in one edit.
pub fn insert_entries(
    text: &str,
    dict: &Node,
    items: &[(&str, NewValue)],
    style: &Style,
) -> Vec<Edit> {
    let empty = dict.as_dict().is_none_or(|d| d.entries.is_empty());
    if empty && items.len() > 1 {
        return vec![fill_empty(text, dict, "dict", style, |inner| {
            items
                .iter()
                .map(|(k, v)| entry_lines(k, v, inner, style))
                .collect()
        })];
    }
    // Inserts that land at the same point become one edit, in the order
    // given, so no two edits of the result share a position.
    let mut edits: Vec<Edit> = Vec::new();
    for (k, v) in items {
        let e = insert_entry(text, dict, k, v, Place::Sorted, style);
        match edits
            .iter_mut()
            .find(|x| x.range.is_empty() && x.range == e.range)
        {
            Some(x) => x.text.push_str(&e.text),
            None => edits.push(e),
        }
    }
    edits
}

/// Remove a dict entry (key and value), with the line it stands on.
pub fn remove_entry(text: &str, entry: &Entry) -> Edit {
    Edit {
        range: line_extended(text, entry.key_span.start..entry.value.span.end),
        text: String::new(),
    }
}

/// Remove an array item, with the line it stands on.
pub fn remove_item(text: &str, item: &Node) -> Edit {
    Edit {
        range: line_extended(text, item.span.clone()),
        text: String::new(),
    }
}

/// Extend a range backwards over its leading indentation and the preceding
/// line ending, when it starts its line.
fn line_extended(text: &str, range: Span) -> Span {
    match indent_before(text, range.start) {
        Some(ws) => {
            let mut start = range.start - ws.len();
            if text[..start].ends_with("\r\n") {
                start -= 2;
            } else if text[..start].ends_with('\n') {
                start -= 1;
            }
            start..range.end
        }
        None => range,
    }
}

/// Append an item to an array, copying the layout of its last item.
pub fn append_item(text: &str, array: &Node, value: &NewValue, style: &Style) -> Edit {
    let items: &[Node] = array.as_array().unwrap_or(&[]);
    if let Some(last) = items.last() {
        let indent = indent_before(text, last.span.start)
            .map(str::to_owned)
            .unwrap_or_else(|| line_indent(text, last.span.start).to_owned());
        return Edit {
            range: last.span.end..last.span.end,
            text: format!("{}{indent}{}", style.eol, render(value, &indent, style)),
        };
    }
    fill_empty(text, array, "array", style, |inner| {
        format!("{}{inner}{}", style.eol, render(value, inner, style))
    })
}

/// Fill an empty `<dict>` or `<array>` (written `<x/>` or `<x></x>`) with
/// `content(inner_indent)`: lines that each begin with a line ending, one
/// level deeper than the container's own line.
fn fill_empty(
    text: &str,
    node: &Node,
    tag: &str,
    style: &Style,
    content: impl Fn(&str) -> String,
) -> Edit {
    let outer = line_indent(text, node.span.start).to_owned();
    let inner = format!("{outer}{}", style.unit);
    let body = format!("{}{}{outer}", content(&inner), style.eol);
    if node.inner.is_empty() && text[node.span.clone()].ends_with("/>") {
        Edit {
            range: node.span.clone(),
            text: format!("<{tag}>{body}</{tag}>"),
        }
    } else {
        Edit {
            range: node.inner.clone(),
            text: body,
        }
    }
}

/// One dict entry as lines at indentation `inner`: key, then value.
fn entry_lines(key: &str, value: &NewValue, inner: &str, style: &Style) -> String {
    format!(
        "{eol}{inner}<key>{}</key>{eol}{inner}{}",
        escape(key),
        render(value, inner, style),
        eol = style.eol
    )
}

/// Replace the content of a `<string>` element (the element itself for `<string/>`).
pub fn set_string(text: &str, node: &Node, value: &str) -> Edit {
    if node.inner.is_empty() && text[node.span.clone()].ends_with("/>") {
        Edit {
            range: node.span.clone(),
            text: format!("<string>{}</string>", escape(value)),
        }
    } else {
        Edit {
            range: node.inner.clone(),
            text: escape(value),
        }
    }
}

/// Find the node whose element span is exactly `span`.
pub fn node_by_span<'a>(root: &'a Node, span: &Span) -> Option<&'a Node> {
    if root.span == *span {
        return Some(root);
    }
    if !(root.span.start <= span.start && span.end <= root.span.end) {
        return None;
    }
    match &root.value {
        Value::Dict(d) => d.entries.iter().find_map(|e| node_by_span(&e.value, span)),
        Value::Array(a) => a.iter().find_map(|n| node_by_span(n, span)),
        _ => None,
    }
}

/// Find the dict entry whose value element span is exactly `span`.
pub fn entry_by_value_span<'a>(root: &'a Node, span: &Span) -> Option<&'a Entry> {
    if !(root.span.start <= span.start && span.end <= root.span.end) {
        return None;
    }
    match &root.value {
        Value::Dict(d) => d.entries.iter().find_map(|e| {
            if e.value.span == *span {
                Some(e)
            } else {
                entry_by_value_span(&e.value, span)
            }
        }),
        Value::Array(a) => a.iter().find_map(|n| entry_by_value_span(n, span)),
        _ => None,
    }
}

/// An edit creating `value` at the dict-key `path` below `root`: it is
/// inserted (in Sample.plist order) into the deepest dict on the path that
/// exists, wrapped in new dicts for the levels that do not. `Ok(None)` when
/// the whole path exists already; `Err(depth)` when the node at
/// `path[..depth]` is not a dict, so nothing can be inserted there.
pub fn insert_path(
    text: &str,
    root: &Node,
    path: &[&str],
    value: NewValue,
    style: &Style,
) -> Result<Option<Edit>, usize> {
    let mut node = root;
    let mut depth = 0;
    while depth < path.len() {
        match node.as_dict().and_then(|d| d.get(path[depth])) {
            Some(e) => {
                node = &e.value;
                depth += 1;
            }
            None => break,
        }
    }
    if depth == path.len() {
        return Ok(None);
    }
    if node.as_dict().is_none() {
        return Err(depth);
    }
    let mut v = value;
    for k in path[depth + 1..].iter().rev() {
        v = NewValue::Dict(vec![((*k).to_owned(), v)]);
    }
    Ok(Some(insert_entry(
        text,
        node,
        path[depth],
        &v,
        Place::Sorted,
        style,
    )))
}
