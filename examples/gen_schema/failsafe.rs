//! Failsafe values from a release's `Docs/Configuration.tex`.
//!
//! Every key the manual describes is an `\item` with its name in
//! `\texttt{...}`, then a `\textbf{Type}:` line and a `\textbf{Failsafe}:`
//! line: the value OpenCore uses when the key is absent. A schema key path is
//! matched to an item by its section (the path's first component), its name
//! (the last component) and, when several items of that section share the
//! name and disagree, by the heading of the part of the manual describing its
//! dict (`Patch Properties` for `ACPI/Patch/[]/Count`). The failsafe text is
//! then read as a value of the key's kind; anything else is "unknown" (no
//! value is invented, so X007 offers no insertion there).

/// One described key.
#[derive(Debug)]
struct Item {
    section: String,
    heading: String,
    name: String,
    ty: String,
    failsafe: String,
}

/// The items of one manual.
pub struct Manual {
    items: Vec<Item>,
}

/// The argument of the first `\cmd{...}` in `s` (no nested braces).
fn arg<'a>(s: &'a str, cmd: &str) -> Option<&'a str> {
    let at = s.find(cmd)? + cmd.len();
    let rest = s[at..].strip_prefix('{')?;
    rest.find('}').map(|end| &rest[..end])
}

/// Undo the TeX escapes a key name or a literal value may hold; `None` for
/// anything else that looks like markup.
fn untex(s: &str) -> Option<String> {
    let s = s
        .replace("\\_", "_")
        .replace("\\#", "#")
        .replace("\\&", "&")
        .replace("\\%", "%")
        .replace("\\ ", " ");
    (!s.contains('\\') && !s.contains('{') && !s.contains('$')).then_some(s)
}

impl Manual {
    /// Read the items of `tex`.
    pub fn parse(tex: &str) -> Manual {
        let lines: Vec<&str> = tex.lines().collect();
        let (mut section, mut heading) = (String::new(), String::new());
        let mut items = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            let t = l.trim();
            if t.starts_with("\\section{") {
                section = arg(t, "\\section").unwrap_or_default().to_owned();
                heading.clear();
            } else if t.starts_with("\\subsection{") {
                heading = arg(t, "\\subsection").unwrap_or_default().to_owned();
            } else if t.starts_with("\\subsubsection{") {
                heading = arg(t, "\\subsubsection").unwrap_or_default().to_owned();
            } else if (t == "\\item" || t.starts_with("\\item "))
                && let Some(item) = Self::item(&lines[i..], &section, &heading)
            {
                items.push(item);
            }
        }
        Manual { items }
    }

    /// The item starting at `lines[0]` (`\item`), when it has a name, a type
    /// and a failsafe before the next item.
    fn item(lines: &[&str], section: &str, heading: &str) -> Option<Item> {
        let mut name = None;
        let (mut ty, mut failsafe) = (None, None);
        for (n, l) in lines.iter().enumerate().take(8) {
            let t = l.trim();
            if n > 0 && t.starts_with("\\item") {
                break;
            }
            let t = t.strip_prefix("\\item").map_or(t, str::trim);
            if name.is_none() && t.starts_with("\\texttt{") {
                name = untex(arg(t, "\\texttt")?);
            } else if let Some(r) = t.strip_prefix("\\textbf{Type}:") {
                ty = Some(r.trim().trim_end_matches("\\\\").to_owned());
            } else if let Some(r) = t.strip_prefix("\\textbf{Failsafe}:") {
                // The value may run on over the next lines, up to `\\`.
                let mut text = r.trim().to_owned();
                for more in &lines[n + 1..] {
                    if text.ends_with("\\\\") || more.trim().starts_with("\\textbf") {
                        break;
                    }
                    text.push(' ');
                    text.push_str(more.trim());
                }
                failsafe = Some(text.trim_end_matches("\\\\").trim().to_owned());
                break;
            }
        }
        Some(Item {
            section: section.to_owned(),
            heading: heading.to_owned(),
            name: name?,
            ty: ty?,
            failsafe: failsafe?,
        })
    }

    /// The failsafe of schema key `path` of kind `kind` (the generator's
    /// kind codes), encoded as in the data file; `None`: unknown.
    pub fn failsafe(&self, path: &str, kind: char) -> Option<String> {
        let parts: Vec<&str> = path.split('/').filter(|p| *p != "[]").collect();
        let (section, leaf) = (*parts.first()?, *parts.last()?);
        if parts.len() < 2 || leaf == "*" || path.contains('*') {
            return None;
        }
        let ctx = heading_of(&parts[..parts.len() - 1]);
        let named: Vec<&Item> = self
            .items
            .iter()
            .filter(|i| i.section == section && i.name == leaf)
            .collect();
        let here: Vec<&Item> = named
            .iter()
            .copied()
            .filter(|i| {
                let h = i.heading.strip_suffix("Properties").unwrap_or(&i.heading);
                h.trim().eq_ignore_ascii_case(&ctx)
            })
            .collect();
        let pick = if here.is_empty() { &named } else { &here };
        let values: Vec<Option<String>> = pick.iter().map(|i| value(i, kind)).collect();
        let first = values.first()?.clone()?;
        values
            .iter()
            .all(|v| v.as_deref() == Some(first.as_str()))
            .then_some(first)
    }
}

/// The manual heading (without `Properties`) that describes the keys of the
/// dict at `parents` (array levels removed): empty for a section's own keys.
fn heading_of(parents: &[&str]) -> String {
    match parents {
        [_] => String::new(),
        [.., "Memory", "Devices"] => "Memory Device".into(),
        [.., "Serial", "Custom"] => "Serial Custom".into(),
        ["Misc", "Entries" | "Tools"] => "Entry".into(),
        [.., last] => (*last).to_owned(),
        [] => String::new(),
    }
}

/// The size of a fixed-size data field from its type line (`plist data, 8
/// bytes`, `plist multidata, 6 bytes`).
fn fixed_size(ty: &str) -> Option<usize> {
    let ty = ty.to_ascii_lowercase();
    let before = ty.split("bytes").next().filter(|b| b.len() < ty.len())?;
    before
        .split(|c: char| !c.is_ascii_digit())
        .rfind(|w| !w.is_empty())?
        .parse()
        .ok()
}

/// Read an item's failsafe as a value of `kind`, encoded as in the data
/// file (booleans `true`/`false`, decimal integers, escaped strings, data
/// as hex, empty for an empty dict or array).
fn value(item: &Item, kind: char) -> Option<String> {
    let f = item.failsafe.as_str();
    let lower = f.to_ascii_lowercase();
    let empty = lower == "empty" || lower.starts_with("empty ") || lower.starts_with("empty(");
    let literal = f
        .strip_prefix("\\texttt{")
        .and_then(|r| r.find('}').map(|e| &r[..e]))
        .and_then(untex);
    match kind {
        'b' => match literal.as_deref() {
            Some("true") => Some("true".into()),
            Some("false") => Some("false".into()),
            _ => None,
        },
        'i' => {
            let l = literal?;
            let n = match l.strip_prefix("0x").or_else(|| l.strip_prefix("0X")) {
                Some(h) => i64::from_str_radix(h, 16).ok()?,
                None => l.parse::<i64>().ok()?,
            };
            Some(n.to_string())
        }
        's' => {
            if empty {
                Some(String::new())
            } else {
                literal.filter(|l| l.chars().all(|c| (' '..='~').contains(&c)))
            }
        }
        'd' => {
            // A fixed-size field (`plist data, 8 bytes`) holds zeros when
            // absent, whether the manual says "Empty" or "All zero"; an
            // empty <data> would not even fit it.
            let size = fixed_size(&item.ty);
            match (empty, lower.starts_with("all zero"), size) {
                (true, _, None) => Some(String::new()),
                (true, _, Some(n)) | (_, true, Some(n)) => Some("00".repeat(n)),
                _ => None,
            }
        }
        'A' | 'D' => empty.then(String::new),
        _ => None,
    }
}
