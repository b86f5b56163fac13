//! Differential tests of the hand-written plist loader against a reference
//! built on `roxmltree` (the loader ocaudit used before): for generated plist
//! trees, every value, span and issue must be the same; for random byte edits
//! of a valid plist, both must agree on accepting or refusing the text.
//!
//! Intended differences, excluded below and nowhere else:
//! - namespace prefixes are not resolved: `<a:dict>` is an element named
//!   `a:dict`, where roxmltree refused an undeclared prefix;
//! - a lone `\r` next to a reference becomes `\n` as XML requires (roxmltree
//!   kept the `\r` when it came right before a reference, or right after one
//!   at the end of a text run).

use ocaudit::plist::{self, Dict, Entry, Integer, LoadIssue, Node, Value};
use proptest::prelude::*;

// ---------------------------------------------------------------------------
// The reference: the roxmltree-based loader, as it was.

fn reference(text: &str) -> Result<(Node, Vec<LoadIssue>), String> {
    if !text.trim_start().starts_with('<') {
        return Err("not xml".into());
    }
    if has_entity_declaration(text) {
        return Err("entities".into());
    }
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        nodes_limit: plist::MAX_NODES,
        ..Default::default()
    };
    let xml = roxmltree::Document::parse_with_options(text, opts).map_err(|e| match e {
        roxmltree::Error::UnknownNamespace(..)
        | roxmltree::Error::InvalidElementNamePrefix(..)
        | roxmltree::Error::DuplicatedNamespace(..)
        | roxmltree::Error::UnexpectedXmlUri(..)
        | roxmltree::Error::UnexpectedXmlnsUri(..)
        | roxmltree::Error::InvalidXmlPrefixUri(..) => format!("namespace: {e}"),
        _ => e.to_string(),
    })?;
    let el = xml.root_element();
    if el.tag_name().name() != "plist" {
        return Err("root".into());
    }
    let mut children = el.children().filter(|n| n.is_element());
    let first = children.next().ok_or("no value")?;
    let mut issues: Vec<LoadIssue> = children
        .map(|c| {
            issue(
                "X001",
                c.range(),
                "a second value inside <plist> is ignored",
            )
        })
        .collect();
    let root = node(text, first, 0, &mut issues)?;
    Ok((root, issues))
}

fn has_entity_declaration(text: &str) -> bool {
    let Some(doctype) = text.find("<!DOCTYPE") else {
        return false;
    };
    let rest = &text[doctype..];
    let end = rest.find('>').unwrap_or(rest.len());
    rest[..end].find('[').is_some_and(|open| {
        let close = rest.find("]>").unwrap_or(rest.len());
        rest[open..close.max(open)].contains("<!ENTITY")
    })
}

fn issue(code: &'static str, span: std::ops::Range<usize>, message: &str) -> LoadIssue {
    LoadIssue {
        code,
        span,
        message: message.into(),
    }
}

fn node(
    text: &str,
    el: roxmltree::Node,
    depth: usize,
    issues: &mut Vec<LoadIssue>,
) -> Result<Node, String> {
    if depth > plist::MAX_DEPTH {
        return Err("deep".into());
    }
    let span = el.range();
    let inner = inner_span(text, &span);
    let tag = el.tag_name().name();
    let value = match tag {
        "dict" => {
            let mut entries = Vec::new();
            let mut pending: Option<(String, std::ops::Range<usize>)> = None;
            for child in el.children() {
                if !child.is_element() {
                    stray_text(child, issues);
                } else if child.tag_name().name() == "key" {
                    if let Some((key, key_span)) = pending.take() {
                        issues.push(issue(
                            "X001",
                            key_span,
                            &format!("key `{key}` has no value"),
                        ));
                    }
                    pending = Some((text_of(child), child.range()));
                } else {
                    let value = node(text, child, depth + 1, issues)?;
                    match pending.take() {
                        Some((key, key_span)) => entries.push(Entry {
                            key: key.into(),
                            key_span,
                            value,
                        }),
                        None => issues.push(issue(
                            "X001",
                            value.span.clone(),
                            "a value in a <dict> without a <key> before it",
                        )),
                    }
                }
            }
            if let Some((key, key_span)) = pending {
                issues.push(issue(
                    "X001",
                    key_span,
                    &format!("key `{key}` has no value"),
                ));
            }
            Value::Dict(Dict { entries })
        }
        "array" => {
            let mut items = Vec::new();
            for child in el.children() {
                if child.is_element() {
                    items.push(node(text, child, depth + 1, issues)?);
                } else {
                    stray_text(child, issues);
                }
            }
            Value::Array(items)
        }
        "string" => Value::String(text_of(el).into()),
        "integer" => Value::Integer(Box::new(Integer::parse(&text_of(el)))),
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        "real" => Value::Real(text_of(el)),
        "date" => Value::Date(text_of(el)),
        "data" => match ocaudit::plist::decode_base64(&text_of(el)) {
            Some(bytes) => Value::Data(bytes),
            None => {
                issues.push(issue(
                    "X004",
                    span.clone(),
                    "<data> does not hold valid base64; OpenCore treats it as invalid",
                ));
                Value::Data(Vec::new())
            }
        },
        other => {
            issues.push(issue(
                "X001",
                span.clone(),
                &format!("<{other}> is not a property-list element"),
            ));
            Value::Unknown(other.to_owned())
        }
    };
    if !matches!(tag, "dict" | "array")
        && let Some(child) = el.children().find(|c| c.is_element())
    {
        issues.push(issue(
            "X001",
            child.range(),
            &format!("<{tag}> cannot contain <{}>", child.tag_name().name()),
        ));
    }
    Ok(Node { value, span, inner })
}

fn stray_text(node: roxmltree::Node, issues: &mut Vec<LoadIssue>) {
    if node.is_text()
        && node
            .text()
            .is_some_and(|t| !t.bytes().all(|b| b.is_ascii_whitespace()))
    {
        issues.push(issue("X001", node.range(), "stray text between elements"));
    }
}

fn text_of(el: roxmltree::Node) -> String {
    el.children()
        .filter(|c| c.is_text())
        .filter_map(|c| c.text())
        .collect()
}

fn inner_span(text: &str, span: &std::ops::Range<usize>) -> std::ops::Range<usize> {
    let el = &text[span.clone()];
    if el.ends_with("/>") {
        return span.end..span.end;
    }
    let open_end = el.find('>').map_or(span.end, |i| span.start + i + 1);
    let close_start = el.rfind("</").map_or(span.end, |i| span.start + i);
    if close_start < open_end {
        open_end..open_end
    } else {
        open_end..close_start
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn base64_encode(data: &[u8]) -> String {
    let mut s = String::new();
    for chunk in data.chunks(3) {
        let n = chunk.iter().fold(0u32, |a, &b| a << 8 | u32::from(b)) << (8 * (3 - chunk.len()));
        for i in 0..4 {
            if i <= chunk.len() {
                s.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

// ---------------------------------------------------------------------------
// Generated plists.

#[derive(Debug, Clone)]
enum Gen {
    Dict(Vec<(String, Gen)>),
    Array(Vec<Gen>),
    Str(String),
    Int(String),
    Bool(bool),
    Data(Vec<u8>),
    Real(String),
    Date(String),
}

/// How a tree is written out.
#[derive(Debug, Clone)]
struct Style {
    crlf: bool,
    tabs: bool,
    comments: bool,
    self_closing: bool,
    cdata: bool,
    declaration: bool,
}

fn text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![
            "[a-zA-Z0-9 _.-]{1,6}",
            Just("&".to_owned()),
            Just("<".to_owned()),
            Just(">".to_owned()),
            Just("\"".to_owned()),
            Just("'".to_owned()),
            Just("\n".to_owned()),
            Just("\t".to_owned()),
            Just("é".to_owned()),
            Just("日本".to_owned()),
            Just("🦀".to_owned()),
        ],
        0..6,
    )
    .prop_map(|v| v.concat())
}

fn tree() -> impl Strategy<Value = Gen> {
    let leaf = prop_oneof![
        text().prop_map(Gen::Str),
        prop_oneof![
            any::<i64>().prop_map(|n| n.to_string()),
            Just("0x10".to_owned()),
            Just(" 42 ".to_owned()),
            Just(String::new()),
        ]
        .prop_map(Gen::Int),
        any::<bool>().prop_map(Gen::Bool),
        prop::collection::vec(any::<u8>(), 0..12).prop_map(Gen::Data),
        Just(Gen::Real("1.5".into())),
        Just(Gen::Date("2024-01-01T00:00:00Z".into())),
    ];
    leaf.prop_recursive(5, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec((text(), inner.clone()), 0..6).prop_map(Gen::Dict),
            prop::collection::vec(inner, 0..6).prop_map(Gen::Array),
        ]
    })
}

fn style() -> impl Strategy<Value = Style> {
    (any::<[bool; 6]>()).prop_map(|b| Style {
        crlf: b[0],
        tabs: b[1],
        comments: b[2],
        self_closing: b[3],
        cdata: b[4],
        declaration: b[5],
    })
}

fn escape(s: &str, st: &Style, salt: usize) -> String {
    if st.cdata && salt.is_multiple_of(3) && !s.contains("]]>") && !s.is_empty() {
        return format!("<![CDATA[{s}]]>");
    }
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' if (i + salt).is_multiple_of(2) => out.push_str("&gt;"),
            '"' => out.push_str(if salt.is_multiple_of(2) {
                "&quot;"
            } else {
                "\""
            }),
            '\'' => out.push_str("&apos;"),
            'A' => out.push_str("&#65;"),
            'é' => out.push_str("&#xE9;"),
            c => out.push(c),
        }
    }
    out
}

fn write(g: &Gen, st: &Style, depth: usize, out: &mut String, salt: &mut usize) {
    *salt += 1;
    let nl = if st.crlf { "\r\n" } else { "\n" };
    let ind = |d: usize| {
        if st.tabs {
            "\t".repeat(d)
        } else {
            "  ".repeat(d)
        }
    };
    let scalar = |tag: &str, body: &str, out: &mut String| {
        if body.is_empty() && st.self_closing {
            out.push_str(&format!("<{tag}/>"));
        } else {
            out.push_str(&format!("<{tag}>{body}</{tag}>"));
        }
    };
    match g {
        Gen::Dict(_) | Gen::Array(_) if is_empty(g) && st.self_closing => {
            let tag = if matches!(g, Gen::Dict(_)) {
                "dict"
            } else {
                "array"
            };
            out.push_str(&format!("<{tag}/>"));
        }
        Gen::Dict(entries) => {
            out.push_str("<dict>");
            out.push_str(nl);
            for (i, (k, v)) in entries.iter().enumerate() {
                if st.comments && i % 2 == 1 {
                    out.push_str(&format!("{}<!-- note {i} -->{nl}", ind(depth + 1)));
                }
                out.push_str(&ind(depth + 1));
                out.push_str(&format!("<key>{}</key>", escape(k, st, *salt + i)));
                out.push_str(nl);
                out.push_str(&ind(depth + 1));
                write(v, st, depth + 1, out, salt);
                out.push_str(nl);
            }
            out.push_str(&ind(depth));
            out.push_str("</dict>");
        }
        Gen::Array(items) => {
            out.push_str("<array>");
            out.push_str(nl);
            for (i, v) in items.iter().enumerate() {
                if st.comments && i % 2 == 0 {
                    out.push_str(&format!("{}<?pi {i}?>{nl}", ind(depth + 1)));
                }
                out.push_str(&ind(depth + 1));
                write(v, st, depth + 1, out, salt);
                out.push_str(nl);
            }
            out.push_str(&ind(depth));
            out.push_str("</array>");
        }
        Gen::Str(s) => {
            let body = escape(&s.replace('\n', nl), st, *salt);
            scalar("string", &body, out);
        }
        Gen::Int(s) => scalar("integer", s, out),
        Gen::Bool(b) => out.push_str(if *b { "<true/>" } else { "<false/>" }),
        Gen::Data(d) => scalar("data", &base64_encode(d), out),
        Gen::Real(s) => scalar("real", s, out),
        Gen::Date(s) => scalar("date", s, out),
    }
}

fn is_empty(g: &Gen) -> bool {
    match g {
        Gen::Dict(e) => e.is_empty(),
        Gen::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn serialize(g: &Gen, st: &Style) -> String {
    let nl = if st.crlf { "\r\n" } else { "\n" };
    let mut out = String::new();
    if st.declaration {
        out.push_str(&format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>{nl}"));
        out.push_str(&format!(
            "<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">{nl}"
        ));
    }
    if st.comments {
        out.push_str(&format!("<!-- generated -->{nl}"));
    }
    out.push_str(&format!("<plist version=\"1.0\">{nl}"));
    let mut salt = 0;
    write(g, st, 0, &mut out, &mut salt);
    out.push_str(&format!("{nl}</plist>{nl}"));
    out
}

fn ours(text: &str) -> Result<(Node, Vec<LoadIssue>), String> {
    plist::load(text)
        .map(|d| (d.root, d.issues))
        .map_err(|e| e.message)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn values_spans_and_issues_match_the_reference(g in tree(), st in style()) {
        let text = serialize(&g, &st);
        let want = reference(&text);
        prop_assert!(want.is_ok(), "reference refused {text:?}: {want:?}");
        prop_assert_eq!(ours(&text), want, "{}", text);
    }

    #[test]
    fn byte_edits_are_refused_alike(
        g in tree(),
        st in style(),
        edits in prop::collection::vec(
            (any::<prop::sample::Index>(), 0u8..3, prop::sample::select(
                &[
                    "<", ">", "/", "&", ";", "\"", "'", "=", "!", "?", "-", "[", "]",
                    "a", "x", " ", "\n", "\r", "#", "\u{1}", "\u{FFFE}", "é", "]]>", "<!--", "-->",
                    "<![CDATA[", "&#", "&amp", "</", "/>", "<?",
                ][..],
            )),
            1..4,
        ),
    ) {
        let mut text = serialize(&g, &st);
        for (at, op, piece) in edits {
            let bounds: Vec<usize> = (0..=text.len()).filter(|&i| text.is_char_boundary(i)).collect();
            let i = bounds[at.index(bounds.len())];
            let next = bounds.iter().copied().find(|&j| j > i).unwrap_or(i);
            match op {
                0 => text.insert_str(i, piece),
                1 => text.replace_range(i..next, ""),
                _ => text.replace_range(i..next, piece),
            }
        }
        let want = reference(&text);
        if let Err(e) = &want
            && e.starts_with("namespace")
        {
            return Ok(());
        }
        let got = ours(&text);
        prop_assert_eq!(
            got.is_ok(),
            want.is_ok(),
            "ours: {:?}\nreference: {:?}\ntext: {:?}",
            got.as_ref().err(),
            want.as_ref().err(),
            text
        );
        // A lone `\r` next to a reference is the second intended difference.
        let lone_cr = text.replace("\r\n", "").contains('\r');
        if let (Ok(got), Ok(want), false) = (&got, &want, lone_cr) {
            prop_assert_eq!(got, want, "{}", text);
        }
    }
}
