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

/// `ocaudit rules`.
pub fn rules(format: ListFormat, out: &mut dyn Write) -> anyhow::Result<u8> {
    match format {
        ListFormat::Json => {
            let list: Vec<_> = rules::all()
                .map(|m| {
                    serde_json::json!({
                        "code": m.code,
                        "name": m.name,
                        "severity": m.severity,
                        "fix": m.fix_applicability.filter(|_| m.fix != FixAvailability::None),
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

/// The rule table as Markdown rows (also kept in the README).
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
