//! `explain`, `rules` and `platforms`: listings generated from the registry.

use std::io::Write;

use super::ListFormat;
use crate::rules::{self, FixAvailability, RuleMeta};

/// The fix column of a rule: `safe`, `unsafe`, or `-`.
pub fn fix_label(m: &RuleMeta) -> String {
    match (m.fix, m.fix_applicability) {
        (FixAvailability::None, _) | (_, None) => "-".into(),
        (FixAvailability::Sometimes, Some(a)) => format!("{} (sometimes)", a.as_str()),
        (FixAvailability::Always, Some(a)) => a.as_str().into(),
    }
}

/// `ocaudit explain CODE`; CODE may also be the rule's name.
pub fn explain(code: &str, out: &mut dyn Write) -> anyhow::Result<u8> {
    let Some(m) = rules::by_code_or_name(code) else {
        anyhow::bail!("unknown rule code or name `{code}`; `ocaudit rules` lists them");
    };
    writeln!(out, "{} ({})", m.name, m.code)?;
    writeln!(out)?;
    writeln!(out, "Severity: {}", m.severity.as_str())?;
    writeln!(out, "Fix: {}", fix_label(m))?;
    writeln!(out, "Summary: {}", m.summary)?;
    writeln!(out)?;
    out.write_all(m.docs.as_bytes())?;
    if !m.docs.ends_with('\n') {
        writeln!(out)?;
    }
    Ok(0)
}

/// `ocaudit rules` (with `families`: one row per family instead).
pub fn rules(format: ListFormat, families: bool, out: &mut dyn Write) -> anyhow::Result<u8> {
    if families {
        match format {
            ListFormat::Json => {
                let list: Vec<_> = rules::FAMILIES
                    .iter()
                    .map(|f| {
                        serde_json::json!({
                            "prefix": f.prefix,
                            "name": f.name,
                            "about": f.about,
                            "rules": f.rules.iter().map(|r| r.meta.code).collect::<Vec<_>>(),
                        })
                    })
                    .collect();
                serde_json::to_writer_pretty(&mut *out, &list)?;
                writeln!(out)?;
            }
            ListFormat::Human => {
                for line in family_table() {
                    writeln!(out, "{line}")?;
                }
            }
        }
        return Ok(0);
    }
    match format {
        ListFormat::Json => {
            let list: Vec<_> = rules::all()
                .map(|m| {
                    serde_json::json!({
                        "code": m.code,
                        "name": m.name,
                        "severity": m.severity,
                        "fix": m.fix_applicability.filter(|_| m.fix != FixAvailability::None),
                        "fix_availability": m.fix,
                        "summary": m.summary,
                    })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &list)?;
            writeln!(out)?;
        }
        ListFormat::Human => {
            for line in rule_table() {
                writeln!(out, "{line}")?;
            }
        }
    }
    Ok(0)
}

/// The family table as Markdown rows (kept in the README).
pub fn family_table() -> Vec<String> {
    let mut lines = vec![
        "| Prefix | Family | Rules | What it looks at |".to_owned(),
        "|--------|--------|------:|------------------|".to_owned(),
    ];
    for f in rules::FAMILIES {
        let range = match (f.rules.first(), f.rules.last()) {
            (Some(a), Some(b)) if f.rules.len() > 1 => format!("{}–{}", a.meta.code, b.meta.code),
            (Some(a), _) => a.meta.code.to_owned(),
            _ => "-".to_owned(),
        };
        lines.push(format!(
            "| {} | {} | {} ({range}) | {} |",
            f.prefix,
            f.name,
            f.rules.len(),
            f.about
        ));
    }
    lines
}

/// The rule table as Markdown rows (kept in docs/rules.md).
pub fn rule_table() -> Vec<String> {
    let mut lines = vec![
        "| Code | Name | Severity | Fix | Summary |".to_owned(),
        "|------|------|----------|-----|---------|".to_owned(),
    ];
    for m in rules::all() {
        lines.push(format!(
            "| {} | {} | {} | {} | {} |",
            m.code,
            m.name,
            m.severity.as_str(),
            fix_label(m),
            m.summary
        ));
    }
    lines
}

/// `ocaudit platforms`.
pub fn platforms(format: ListFormat, out: &mut dyn Write) -> anyhow::Result<u8> {
    let all = crate::platform::all();
    match format {
        ListFormat::Json => {
            let list: Vec<_> = all
                .iter()
                .map(|p| serde_json::json!({"slug": p.slug, "title": p.title, "models": p.models}))
                .collect();
            serde_json::to_writer_pretty(&mut *out, &list)?;
            writeln!(out)?;
        }
        ListFormat::Human => {
            let w = all.iter().map(|p| p.slug.len()).max().unwrap_or(0);
            for p in all {
                writeln!(out, "{:w$}  {}  ({})", p.slug, p.title, p.models.join(", "))?;
            }
        }
    }
    Ok(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patch::Applicability;

    /// A rule doc's "Fix safety" section (up to the next heading).
    fn fix_safety(docs: &str) -> &str {
        let Some(at) = docs.find("## Fix safety") else {
            return "";
        };
        let rest = &docs[at + "## Fix safety".len()..];
        rest.find("\n## ").map_or(rest, |end| &rest[..end]).trim()
    }

    /// `explain` prints the fix availability from the rule's metadata (the
    /// one the engine uses); the hand-written "Fix safety" text must give the
    /// same verdict, so the two can never disagree again (X003 once said "no
    /// automatic fix" while offering a safe one). A rule without a fix opens
    /// with "No automatic fix" (or "No fix"); a rule whose every finding has a fix opens
    /// with its applicability; a rule that decides per finding must not deny
    /// having a fix and must name the applicability of its metadata.
    #[test]
    fn docs_fix_safety_agrees_with_metadata() {
        let mut wrong = Vec::new();
        for m in rules::all() {
            let section = fix_safety(m.docs);
            let opening = section.lines().next().unwrap_or("");
            let denies = opening.starts_with("No automatic fix") || opening.starts_with("No fix");
            let ok = match (m.fix, m.fix_applicability) {
                (FixAvailability::None, _) | (_, None) => denies,
                (FixAvailability::Always, Some(Applicability::Safe)) => opening.starts_with("Safe"),
                (FixAvailability::Always, Some(Applicability::Unsafe)) => {
                    opening.starts_with("Unsafe")
                }
                (FixAvailability::Sometimes, Some(a)) => {
                    !denies && section.to_ascii_lowercase().contains(a.as_str())
                }
            };
            if !ok {
                wrong.push(format!("{} ({}): {opening}", m.code, fix_label(m)));
            }
        }
        assert!(
            wrong.is_empty(),
            "docs disagree with metadata:\n{}",
            wrong.join("\n")
        );
    }

    /// `explain X003` states the fix X003 really has.
    #[test]
    fn explain_states_real_fix() {
        let mut out = Vec::new();
        explain("X003", &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("\nFix: safe\n"), "{text}");
        assert!(!text.contains("No automatic fix"), "{text}");
    }

    /// `rules --format json` gives the availability next to the applicability.
    #[test]
    fn rules_json_has_availability() {
        let mut out = Vec::new();
        rules(ListFormat::Json, false, &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let x007 = v
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == "X007")
            .unwrap();
        assert_eq!(x007["fix_availability"], "sometimes");
        assert_eq!(x007["fix"], "safe");
    }

    /// `rules --families --format json` lists every rule once, under its
    /// family, and each code starts with its family's prefix.
    #[test]
    fn families_cover_every_rule_once() {
        let mut out = Vec::new();
        rules(ListFormat::Json, true, &mut out).unwrap();
        let v: serde_json::Value = serde_json::from_slice(&out).unwrap();
        let mut codes = Vec::new();
        for f in v.as_array().unwrap() {
            let prefix = f["prefix"].as_str().unwrap();
            for c in f["rules"].as_array().unwrap() {
                let c = c.as_str().unwrap();
                assert!(c.starts_with(prefix), "{c} under {prefix}");
                codes.push(c.to_owned());
            }
        }
        let all: Vec<String> = rules::all().map(|m| m.code.to_owned()).collect();
        assert_eq!(codes, all);
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), codes.len(), "a code in two families");
    }
}
