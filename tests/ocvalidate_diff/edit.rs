//! Materialise an ocvalidate mutant: apply its key-path edits to the base text.
//!
//! The same operations as `scripts/ocvalidate_mutants.py` (which ran ocvalidate on the
//! mutants); both must give byte-identical files, which the test checks through the
//! recorded size and FNV-1a hash. A deliberately small plist-XML scanner: elements with byte
//! spans, enough to find a value by key path in a file that is well nested.

use serde_json::{Map, Value};

/// One element of the scanned document.
#[derive(Debug)]
pub struct Node {
    /// Tag name (`dict`, `key`, ...).
    pub tag: String,
    /// Byte span of the whole element.
    pub start: usize,
    /// End of the whole element (exclusive).
    pub end: usize,
    /// Byte range between the start and end tag; `None` when self-closing.
    pub inner: Option<(usize, usize)>,
    /// Child elements in order.
    pub children: Vec<Node>,
}

fn find(hay: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    hay.get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| from + p + needle.len())
}

/// Scan TEXT into a document node whose children are the top-level elements.
pub fn scan(text: &[u8]) -> Result<Node, String> {
    let mut stack = vec![Node {
        tag: "#doc".into(),
        start: 0,
        end: text.len(),
        inner: None,
        children: vec![],
    }];
    let mut i = 0;
    while let Some(off) = text[i..].iter().position(|&b| b == b'<') {
        let at = i + off;
        let rest = &text[at..];
        let skip_to = |close: &[u8]| {
            find(text, at + 1, close).ok_or_else(|| format!("unterminated markup at {at}"))
        };
        if rest.starts_with(b"<?") {
            i = skip_to(b"?>")?;
        } else if rest.starts_with(b"<!--") {
            i = skip_to(b"-->")?;
        } else if rest.starts_with(b"<![CDATA[") {
            i = skip_to(b"]]>")?;
        } else if rest.starts_with(b"<!DOCTYPE") {
            i = skip_to(b">")?;
        } else {
            let closing = rest.get(1) == Some(&b'/');
            let name_at = at + 1 + usize::from(closing);
            let first_ok = text
                .get(name_at)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_');
            if !first_ok {
                i = at + 1;
                continue;
            }
            let name_end = name_at
                + text[name_at..]
                    .iter()
                    .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-'))
                    .count();
            let tag = String::from_utf8_lossy(&text[name_at..name_end]).into_owned();
            let gt = name_end
                + text[name_end..]
                    .iter()
                    .position(|&b| b == b'>')
                    .ok_or("unterminated tag")?;
            i = gt + 1;
            if closing {
                let mut node = stack.pop().ok_or("stray end tag")?;
                if node.tag != tag || stack.is_empty() {
                    return Err(format!("mismatched </{tag}> at byte {at}"));
                }
                node.inner = Some((node.inner.map_or(at, |(s, _)| s), at));
                node.end = i;
                stack.last_mut().expect("document").children.push(node);
            } else if text[gt - 1] == b'/' {
                let node = Node {
                    tag,
                    start: at,
                    end: i,
                    inner: None,
                    children: vec![],
                };
                stack.last_mut().expect("document").children.push(node);
            } else {
                stack.push(Node {
                    tag,
                    start: at,
                    end: 0,
                    inner: Some((i, 0)),
                    children: vec![],
                });
            }
        }
    }
    if stack.len() != 1 {
        return Err(format!("unclosed <{}>", stack.last().expect("node").tag));
    }
    Ok(stack.pop().expect("document"))
}

/// Text between a leaf's tags (empty when self-closing).
pub fn leaf_text<'a>(text: &'a [u8], node: &Node) -> &'a [u8] {
    node.inner.map_or(&[][..], |(s, e)| &text[s..e])
}

/// The key element (for a dict entry) and the value element addressed by PATH.
pub fn resolve<'n>(
    doc: &'n Node,
    text: &[u8],
    path: &[Value],
) -> Result<(Option<&'n Node>, &'n Node), String> {
    let plist = doc
        .children
        .iter()
        .find(|c| c.tag == "plist")
        .ok_or("no <plist>")?;
    let mut node = plist.children.first().ok_or("empty <plist>")?;
    let mut key = None;
    for comp in path {
        match comp {
            Value::Number(n) => {
                let i = n.as_u64().ok_or("bad index")? as usize;
                if node.tag != "array" {
                    return Err(format!("{comp} indexes a <{}>", node.tag));
                }
                node = node.children.get(i).ok_or_else(|| format!("no item {i}"))?;
                key = None;
            }
            Value::String(k) => {
                if node.tag != "dict" {
                    return Err(format!("{k} looked up in a <{}>", node.tag));
                }
                // The last entry of that name, as OpenCore reads duplicates.
                let kids = &node.children;
                let idx = (0..kids.len().saturating_sub(1))
                    .rev()
                    .find(|&i| kids[i].tag == "key" && leaf_text(text, &kids[i]) == k.as_bytes())
                    .ok_or_else(|| format!("no key {k}"))?;
                key = Some(&kids[idx]);
                node = &kids[idx + 1];
            }
            other => return Err(format!("bad path component {other}")),
        }
    }
    Ok((key, node))
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// XML of an edit's value: `xml`, or a `<dict>` built from template `entry` with `with` / `without`.
fn build_value(
    edit: &Map<String, Value>,
    templates: &Map<String, Value>,
) -> Result<String, String> {
    if let Some(x) = edit.get("xml") {
        return x
            .as_str()
            .map(str::to_owned)
            .ok_or_else(|| "xml is not a string".into());
    }
    let name = edit
        .get("entry")
        .and_then(Value::as_str)
        .ok_or("edit has neither xml nor entry")?;
    let tmpl = templates
        .get(name)
        .and_then(Value::as_array)
        .ok_or_else(|| format!("no template {name}"))?;
    let drop: Vec<&str> = edit
        .get("without")
        .and_then(Value::as_array)
        .map_or(vec![], |a| a.iter().filter_map(Value::as_str).collect());
    let mut fields: Vec<(String, String)> = tmpl
        .iter()
        .filter_map(|kv| {
            Some((
                kv.get(0)?.as_str()?.to_owned(),
                kv.get(1)?.as_str()?.to_owned(),
            ))
        })
        .filter(|(k, _)| !drop.contains(&k.as_str()))
        .collect();
    let mut with: Vec<(&String, &Value)> = edit
        .get("with")
        .and_then(Value::as_object)
        .map_or(vec![], |m| m.iter().collect());
    with.sort_by(|a, b| a.0.cmp(b.0));
    for (k, v) in with {
        let v = v.as_str().ok_or("with value is not a string")?.to_owned();
        match fields.iter_mut().find(|(fk, _)| fk == k) {
            Some(slot) => slot.1 = v,
            None => fields.push((k.clone(), v)),
        }
    }
    let body: String = fields
        .iter()
        .map(|(k, v)| format!("<key>{}</key>{v}", xml_escape(k)))
        .collect();
    Ok(format!("<dict>{body}</dict>"))
}

/// What one edit did: the new text, the base byte span it was allowed to change, and the
/// key path (slash-joined) of what it changed.
pub struct Applied {
    /// The text after the edit.
    pub text: Vec<u8>,
    /// Byte span of the edit's target in the text before the edit.
    pub scope: (usize, usize),
    /// Key path of the changed value, as ocaudit writes paths.
    pub target: String,
}

fn splice(text: &[u8], start: usize, end: usize, new: &str) -> Vec<u8> {
    [&text[..start], new.as_bytes(), &text[end..]].concat()
}

fn path_string(path: &[Value]) -> String {
    let parts: Vec<String> = path
        .iter()
        .map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_owned))
        .collect();
    parts.join("/")
}

/// Apply one edit (an object of the data file's `edits` list) to TEXT.
pub fn apply(text: &[u8], edit: &Value, templates: &Map<String, Value>) -> Result<Applied, String> {
    let edit = edit.as_object().ok_or("edit is not an object")?;
    let path = edit
        .get("path")
        .and_then(Value::as_array)
        .ok_or("edit has no path")?;
    let op = edit
        .get("op")
        .and_then(Value::as_str)
        .ok_or("edit has no op")?;
    let doc = scan(text)?;
    let (key, node) = resolve(&doc, text, path)?;
    let scope = (key.map_or(node.start, |k| k.start), node.end);
    let mut target = path_string(path);
    let add_child = |piece: &str| match node.inner {
        None => splice(
            text,
            node.start,
            node.end,
            &format!("<{0}>{piece}</{0}>", node.tag),
        ),
        Some((_, e)) => splice(text, e, e, piece),
    };
    let out = match op {
        "set" => splice(text, node.start, node.end, &build_value(edit, templates)?),
        "insert" => {
            let k = edit
                .get("key")
                .and_then(Value::as_str)
                .ok_or("insert without key")?;
            target = format!("{target}/{k}");
            add_child(&format!(
                "<key>{}</key>{}",
                xml_escape(k),
                build_value(edit, templates)?
            ))
        }
        "append" => {
            target = format!("{target}/{}", node.children.len());
            add_child(&build_value(edit, templates)?)
        }
        "delete" => splice(text, scope.0, scope.1, ""),
        "rename" => {
            let k = key.ok_or("rename needs a dict entry")?;
            let to = edit
                .get("to")
                .and_then(Value::as_str)
                .ok_or("rename without to")?;
            splice(
                text,
                k.start,
                k.end,
                &format!("<key>{}</key>", xml_escape(to)),
            )
        }
        "text" => {
            let f = edit
                .get("find")
                .and_then(Value::as_str)
                .ok_or("text without find")?
                .as_bytes();
            let r = edit
                .get("replace")
                .and_then(Value::as_str)
                .ok_or("text without replace")?;
            let region = &text[scope.0..scope.1];
            let hits: Vec<usize> = (0..=region.len().saturating_sub(f.len()))
                .filter(|&i| region[i..].starts_with(f))
                .collect();
            let [at] = hits[..] else {
                return Err(format!(
                    "text edit: find occurs {} times in its scope",
                    hits.len()
                ));
            };
            splice(text, scope.0 + at, scope.0 + at + f.len(), r)
        }
        other => return Err(format!("unknown op {other}")),
    };
    Ok(Applied {
        text: out,
        scope,
        target,
    })
}

/// FNV-1a, 64 bit, as the generator records it.
pub fn fnv1a64(data: &[u8]) -> String {
    let h = data.iter().fold(0xcbf2_9ce4_8422_2325_u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{h:016x}")
}
