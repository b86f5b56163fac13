//! `check --format github`: one GitHub Actions workflow command per finding,
//! which the runner turns into an annotation on the file and line.
//!
//! `::error file=F,line=L,col=C,title=CODE::message`; `warning` and `notice`
//! for the other severities. Values are escaped as the Actions runner
//! expects: `%`, CR and LF everywhere, and also `:` and `,` in properties.

use std::io::Write;

use crate::audit::{FileReport, Skipped};
use crate::rules::Severity;

/// Write one command line per diagnostic, then one error annotation per
/// path that was not checked; nothing else.
pub fn report(
    reports: &[FileReport],
    skipped: &[Skipped],
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    for r in reports {
        for d in &r.diagnostics {
            let (line, col) = r.source().map_or((1, 1), |s| s.line_col(d.span.start));
            writeln!(
                out,
                "::{} file={},line={line},col={col},title={}::{}",
                command(d.severity),
                escape_property(&r.path),
                escape_property(d.rule.code),
                escape_data(&d.message)
            )?;
        }
    }
    for s in skipped {
        writeln!(
            out,
            "::error file={},title=not checked::{}",
            escape_property(&s.path),
            escape_data(&format!("{}: {}", s.path, s.reason))
        )?;
    }
    Ok(())
}

/// The workflow command for a severity.
pub fn command(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "notice",
    }
}

/// Escape a message (the part after `::`).
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escape a property value (`file=`, `title=`).
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_follow_the_runner() {
        assert_eq!(escape_data("100% a\r\nb"), "100%25 a%0D%0Ab");
        assert_eq!(escape_data("a:b,c"), "a:b,c");
        assert_eq!(escape_property("C:\\x,y%"), "C%3A\\x%2Cy%25");
    }

    #[test]
    fn one_line_per_finding() {
        let text = "<plist><dict><key>Booter</key><dict><key>Quirks</key><dict>\
                    <key>AvoidRuntimeDefrag</key><false/></dict></dict></dict></plist>";
        let opts = crate::audit::AuditOptions {
            check: crate::rules::CheckOptions {
                select: vec!["B001".into()],
                ignore: Vec::new(),
            },
            ..Default::default()
        };
        let r = crate::audit::audit_bytes("a,b.plist", text.as_bytes().to_vec(), &opts);
        let mut out = Vec::new();
        report(&[r], &[], &mut out).expect("writes");
        let out = String::from_utf8(out).expect("utf8");
        let col = text.find("<false/>").expect("value") + 1;
        assert_eq!(out.lines().count(), 1, "{out}");
        assert!(
            out.starts_with(&format!(
                "::warning file=a%2Cb.plist,line=1,col={col},title=B001::"
            )),
            "{out}"
        );
    }
}
