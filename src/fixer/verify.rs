//! Checking bytes about to be written: they must decode to the fixed text,
//! parse with ocaudit's loader and with the `plist` crate, and hold the
//! intended value at every edited key path.

use super::FixOutcome;
use super::changes::{hex, join, to_json};
use crate::plist::{Node, Value};
use crate::source::SourceFile;

/// The node at a key path (OpenCore's reading: the last duplicate wins).
pub(crate) fn lookup<'a>(root: &'a Node, comps: &[String]) -> Option<&'a Node> {
    let mut node = root;
    for c in comps {
        node = match &node.value {
            Value::Dict(d) => &d.get(c)?.value,
            Value::Array(a) => a.get(c.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(node)
}

fn plist_lookup<'a>(root: &'a plist::Value, comps: &[String]) -> Option<&'a plist::Value> {
    let mut v = root;
    for c in comps {
        v = match v {
            plist::Value::Dictionary(d) => d.get(c)?,
            plist::Value::Array(a) => a.get(c.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(v)
}

fn plist_json(v: &plist::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        plist::Value::Dictionary(d) => {
            J::Object(d.iter().map(|(k, v)| (k.clone(), plist_json(v))).collect())
        }
        plist::Value::Array(a) => J::Array(a.iter().map(plist_json).collect()),
        plist::Value::Boolean(b) => J::Bool(*b),
        plist::Value::Data(d) => J::String(hex(d)),
        plist::Value::Integer(i) => i
            .as_signed()
            .map(J::from)
            .or_else(|| i.as_unsigned().map(J::from))
            .unwrap_or(J::Null),
        plist::Value::Real(r) => serde_json::Number::from_f64(*r).map_or(J::Null, J::Number),
        plist::Value::String(s) => J::String(s.clone()),
        _ => J::Null,
    }
}

/// Whether `got` matches `want`; `null` in `want` matches anything (values
/// ocaudit reads differently from a generic parser: hex integers, dates).
fn same(want: &serde_json::Value, got: &serde_json::Value) -> bool {
    use serde_json::Value as J;
    match (want, got) {
        (J::Null, _) => true,
        (J::Object(a), J::Object(b)) => {
            a.len() == b.len() && a.iter().all(|(k, v)| b.get(k).is_some_and(|g| same(v, g)))
        }
        (J::Array(a), J::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| same(x, y))
        }
        _ => want == got,
    }
}

impl FixOutcome {
    /// Check bytes about to be written (see the module docs). `Err` says why
    /// they must not be written.
    pub fn verify(&self, bytes: &[u8]) -> Result<(), String> {
        let src = SourceFile::new(self.source.name.clone(), bytes.to_vec())
            .map_err(|e| format!("the new bytes do not decode: {e}"))?;
        if src.text != self.text {
            return Err("the new bytes do not decode to the fixed text".into());
        }
        if self.opencore
            && let Err(trip) = crate::plist::opencore::read(bytes)
        {
            return Err(format!(
                "OpenCore's reader would refuse the result at byte {} ({})",
                trip.offset, trip.reason
            ));
        }
        let doc =
            crate::plist::load(&src.text).map_err(|e| format!("the result does not parse: {e}"))?;
        if let Some(i) = doc.issues.iter().find(|i| i.code == "X001") {
            return Err(format!(
                "the result has a structural problem: {}",
                i.message
            ));
        }
        for (comps, want) in &self.expected {
            let got = lookup(&doc.root, comps).map(to_json);
            if got != *want {
                return Err(format!("{} does not hold the intended value", join(comps)));
            }
        }
        // A file the plist crate cannot read to begin with (it is stricter
        // than OpenCore) is only checked with ocaudit's loader.
        let changed = !self.changes.is_empty();
        if changed && plist::Value::from_reader_xml(self.source.text.as_bytes()).is_ok() {
            let v = plist::Value::from_reader_xml(src.text.as_bytes())
                .map_err(|e| format!("the plist crate cannot read the result: {e}"))?;
            for (comps, want) in &self.expected {
                let got = plist_lookup(&v, comps).map(plist_json);
                let ok = match (want, &got) {
                    (Some(w), Some(g)) => same(w, g),
                    (None, None) => true,
                    _ => false,
                };
                if !ok {
                    return Err(format!(
                        "the plist crate reads {} differently from the intended value",
                        join(comps)
                    ));
                }
            }
        }
        Ok(())
    }
}

/// Extend a span over the whitespace on both sides of it.
fn grow(text: &str, span: &crate::source::Span) -> crate::source::Span {
    let ws = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
    let start = text[..span.start].trim_end_matches(ws).len();
    let end = text.len() - text[span.end..].trim_start_matches(ws).len();
    start..end
}

impl FixOutcome {
    /// Check that every byte outside the edited elements (and the whitespace
    /// around them) is the same in the original and the fixed text. `Err`
    /// names the first place where they differ.
    pub fn outside_unchanged(&self) -> Result<(), String> {
        let old = self.source.text.as_str();
        let new = self.text.as_str();
        let mut pairs: Vec<_> = self
            .changes
            .iter()
            .map(|c| (grow(old, &c.original_span), grow(new, &c.final_span)))
            .collect();
        pairs.sort_by_key(|(a, b)| (a.start, b.start));
        let mut merged: Vec<(crate::source::Span, crate::source::Span)> = Vec::new();
        for (a, b) in pairs {
            if let Some((ma, mb)) = merged.last_mut()
                && (a.start <= ma.end || b.start <= mb.end)
            {
                ma.start = ma.start.min(a.start);
                mb.start = mb.start.min(b.start);
                ma.end = ma.end.max(a.end);
                mb.end = mb.end.max(b.end);
                continue;
            }
            merged.push((a, b));
        }
        let (mut po, mut pn) = (0, 0);
        for (a, b) in &merged {
            if a.start < po || b.start < pn || old[po..a.start] != new[pn..b.start] {
                let (line, _) = self.source.line_col(po);
                return Err(format!(
                    "text differs outside the edited elements after line {line}"
                ));
            }
            po = a.end;
            pn = b.end;
        }
        if old[po..] != new[pn..] {
            let (line, _) = self.source.line_col(po);
            return Err(format!(
                "text differs outside the edited elements after line {line}"
            ));
        }
        Ok(())
    }
}
