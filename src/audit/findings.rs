//! The findings of the loading: what [`crate::load`] found about a file,
//! turned into X001, X002, X010 and X011 diagnostics.

use super::{LoadFailure, OpenCoreReading};
use crate::load::{Cause, Reading, Unloadable};
use crate::model;
use crate::rules::{self, Diagnostic, RuleMeta};
use crate::source::{DecodeError, SourceFile, Span};

/// OpenCore's reading of a loaded file as findings: X010 when it refuses
/// the file, X011 when stricter readers would.
pub fn reading(source: &SourceFile, reading: Reading) -> OpenCoreReading {
    match reading {
        Reading::NotApplicable => OpenCoreReading::NotApplicable,
        Reading::Reads { tolerated, strict } => OpenCoreReading::Reads(
            rules::strict_parsers_refuse(source, strict.as_ref(), &tolerated).map(Box::new),
        ),
        Reading::Refuses { trip, ocquirks } => {
            OpenCoreReading::Refuses(Box::new(rules::cannot_read(source, &trip, ocquirks)))
        }
    }
}

/// The fatal finding of a file that did not load.
pub fn failure(u: Unloadable) -> LoadFailure {
    let (source, cause) = match u {
        Unloadable::Decode(e) => {
            return LoadFailure {
                source: None,
                diagnostic: decode_diagnostic(&e),
            };
        }
        Unloadable::Text { source, cause } => (source, cause),
    };
    let diagnostic = match cause {
        Cause::Malformed(e) => fatal(
            rules::x001(),
            e.offset..e.offset,
            e.message,
            Some("fix the XML by hand or restore a backup; the position above is where the parser stopped".into()),
        ),
        Cause::OpenCoreRefuses { trip, ocquirks } => rules::cannot_read(&source, &trip, ocquirks),
        Cause::UnknownKind { at } => fatal(
            rules::x001(),
            at..at,
            format!(
                "not a config file ocaudit knows: expected {}",
                model::KIND_EXPECTATION
            ),
            Some("if it is one of these, say which with `--kind opencore|clover|ocquirks`".into()),
        ),
    };
    LoadFailure {
        source: Some(source),
        diagnostic,
    }
}

fn decode_diagnostic(e: &DecodeError) -> Diagnostic {
    match e {
        DecodeError::BinaryPlist => fatal(
            rules::x002(),
            0..0,
            "this is a binary property list; OpenCore reads only XML".into(),
            Some("convert it: `plutil -convert xml1 config.plist` on macOS, or open and save it as XML in ProperTree".into()),
        ),
        other => fatal(rules::x001(), 0..0, format!("cannot read the file as text: {other}"), Some("save the file as UTF-8 XML".into())),
    }
}

fn fatal(rule: &'static RuleMeta, span: Span, message: String, help: Option<String>) -> Diagnostic {
    rules::reported_outside(rule, span, message, help)
}
