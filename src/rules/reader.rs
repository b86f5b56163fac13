//! X010, X011: the file as OpenCore's own reader sees it.
//!
//! Both are reported by the loader (`audit`), before the engine runs: X010
//! when OpenCore's reader refuses the file (OpenCore then halts at boot),
//! X011 when it reads a file that stricter plist readers refuse. The
//! verdicts come from [`crate::plist::opencore`].

use super::{Context, Diagnostic};
use crate::patch::{Applicability, Edit, Fix};
use crate::plist::LoadError;
use crate::plist::opencore::{Tolerated, Trip};
use crate::source::{Encoding, SourceFile};

rule! {
    code: X010,
    name: "opencore-cannot-read",
    severity: Error,
    fix: Sometimes(Safe),
    summary: "OpenCore's own plist reader refuses the file.",
    why: "OpenCore logs `OC: Failed to parse configuration!` and halts: the machine does not boot at all.",
}
rule! {
    code: X011,
    name: "strict-parsers-refuse",
    severity: Warning,
    fix: None,
    summary: "OpenCore reads the file, but it is malformed and stricter plist readers refuse it.",
    why: "ProperTree, plutil and Python's plistlib will not open the file, and OpenCore may read it differently from what it looks like.",
}

/// Both are reported before the engine runs.
pub fn none(_: &mut Context) {}

const AT_BOOT: &str = "at boot OpenCore logs `OC: Failed to parse configuration!` and halts: the machine does not boot";

/// OcQuirks.efi reads its plist with OpenCore's reader but does not halt.
const AT_BOOT_OCQUIRKS: &str =
    "OcQuirks.efi cannot read it and silently runs with its built-in defaults instead";

fn diag(rule: &'static super::RuleMeta, span: crate::source::Span, message: String) -> Diagnostic {
    super::reported_outside(rule, span, message, None)
}

/// Where the XML proper starts in `text`: `<?xml`, else `<plist`, else the
/// first `<`.
fn xml_start(text: &str) -> Option<usize> {
    text.find("<?xml")
        .or_else(|| text.find("<plist"))
        .or_else(|| text.find('<'))
}

/// The X010 error for a file OpenCore refuses; `trip` is where its reader
/// stopped, as a byte offset of the raw file. A byte-order mark, UTF-16
/// and bytes before the XML get a safe fix. `ocquirks` for an
/// OcQuirks.plist (same reader, other consequence).
pub fn cannot_read(source: &SourceFile, trip: &Trip, ocquirks: bool) -> Diagnostic {
    let text = &source.text;
    let at_boot = if ocquirks { AT_BOOT_OCQUIRKS } else { AT_BOOT };
    match source.encoding {
        Encoding::Utf8Bom => {
            let mut d = diag(
                &X010,
                0..0,
                format!(
                    "the file starts with a UTF-8 byte-order mark (EF BB BF); OpenCore's reader accepts only whitespace before the first `<`, so {at_boot}"
                ),
            );
            d.fix = Some(Fix {
                applicability: Applicability::Safe,
                summary: "drop the byte-order mark (the text is unchanged)".into(),
                edits: Vec::new(),
            });
            return d;
        }
        Encoding::Utf16Le | Encoding::Utf16Be => {
            let mut d = diag(
                &X010,
                0..0,
                format!(
                    "the file is UTF-16; OpenCore's reader reads bytes and expects UTF-8 (a zero byte follows every ASCII character here), so {at_boot}"
                ),
            );
            let mut edits = Vec::new();
            if let Some(at) = declared_encoding(text) {
                edits.push(Edit {
                    range: at,
                    text: "UTF-8".into(),
                });
            }
            d.fix = Some(Fix {
                applicability: Applicability::Safe,
                summary: "re-encode the file as UTF-8 and declare encoding=\"UTF-8\"".into(),
                edits,
            });
            return d;
        }
        Encoding::Utf8 => {}
    }
    let first = text
        .bytes()
        .position(|b| !crate::plist::opencore::is_space(b))
        .unwrap_or(0);
    if let Some(start) = xml_start(text).filter(|&s| s > first && trip.offset <= first) {
        let mut d = diag(
            &X010,
            first..start,
            format!(
                "text before the XML declaration; OpenCore's reader accepts only whitespace before the first `<`, so {at_boot}"
            ),
        );
        d.fix = Some(Fix {
            applicability: Applicability::Safe,
            summary: "remove everything before the XML declaration".into(),
            edits: vec![Edit {
                range: 0..start,
                text: String::new(),
            }],
        });
        return d;
    }
    let at = trip.offset.min(text.len());
    let mut d = diag(
        &X010,
        at..at,
        format!(
            "OpenCore's reader stops here ({}), so {at_boot}",
            trip.reason
        ),
    );
    d.help = Some("repair the XML at this position by hand or restore a backup; `ocvalidate` from the same OpenCore release confirms the repair".into());
    d
}

/// The value range of `encoding="..."` in the XML declaration, when it
/// names something other than UTF-8.
fn declared_encoding(text: &str) -> Option<crate::source::Span> {
    let decl_end = text.find("?>")?;
    let decl = &text[..decl_end];
    let at = decl.find("encoding")?;
    let rest = &decl[at + "encoding".len()..];
    let q = rest.find(['"', '\''])?;
    let quote = rest.as_bytes()[q];
    let start = at + "encoding".len() + q + 1;
    let len = decl[start..].find(quote as char)?;
    let value = &decl[start..start + len];
    (!value.eq_ignore_ascii_case("utf-8")).then_some(start..start + len)
}

/// The X011 warning for a file OpenCore reads but strict readers refuse:
/// `strict` is where ocaudit's strict loader stopped (if it did), `items`
/// the malformations OpenCore reads past. `None` when there is neither.
pub fn strict_parsers_refuse(
    source: &SourceFile,
    strict: Option<&LoadError>,
    items: &[Tolerated],
) -> Option<Diagnostic> {
    let first = items.first();
    let (span, what, opencore) = match (strict, first) {
        (Some(e), Some(t)) if t.span.start <= e.offset => {
            (t.span.clone(), t.what.clone(), t.opencore.clone())
        }
        (Some(e), _) => (
            e.offset..e.offset,
            e.message.clone(),
            "OpenCore's own reader reads past it".to_owned(),
        ),
        (None, Some(t)) => (t.span.clone(), t.what.clone(), t.opencore.clone()),
        (None, None) => return None,
    };
    let mut d = diag(
        &X011,
        span.clone(),
        format!("{what}: {opencore}; ProperTree, plutil and other plist editors refuse the file"),
    );
    for t in items.iter().filter(|t| t.span != span).take(5) {
        let (line, col) = source.line_col(t.span.start);
        d.notes
            .push(format!("also at {line}:{col}: {}: {}", t.what, t.opencore));
    }
    d.help = Some("repair the XML so that every editor reads the same values OpenCore reads; this audit shows the file as OpenCore sees it".into());
    Some(d)
}
