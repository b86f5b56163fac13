//! What `fix` does about OpenCore's own reader before any rule's fix: a file
//! OpenCore refuses for a mechanical reason (a byte-order mark, UTF-16,
//! text before the XML) is repaired first and written as plain UTF-8; a
//! file it refuses for another reason is not touched; a file holding bytes
//! that are not UTF-8 cannot be written back unchanged, so it is refused,
//! and so is a file only OpenCore reads (no second reader could check the
//! result).

use super::{AppliedFix, Change, FixError, FixOptions, FixOutcome};
use crate::audit::{LoadFailure, Loaded, OpenCoreReading};
use crate::patch::Fix;
use crate::source::Encoding;

/// A file the loader refused outright. When the refusal is X010 for text
/// before the XML (the one mechanical repair that the strict loader needs
/// before it can read the file), repair that and fix the rest; otherwise
/// report why nothing can be done.
pub fn after_refusal(
    name: &str,
    f: LoadFailure,
    opts: &FixOptions,
) -> Result<FixOutcome, FixError> {
    let d = &f.diagnostic;
    let unparsable =
        || FixError::Unparsable(format!("{} {}: {}", d.rule.code, d.rule.name, d.message));
    let (Some(source), Some(fix)) = (&f.source, &d.fix) else {
        return Err(unparsable());
    };
    let [edit] = fix.edits.as_slice() else {
        return Err(unparsable());
    };
    if d.rule.code != "X010" || edit.range.start != 0 || !edit.text.is_empty() || source.lossy {
        return Err(unparsable());
    }
    let cut = edit.range.end;
    let mut out = super::fix(name, source.text.as_bytes()[cut..].to_vec(), opts)?;
    // Report against the original text: every later edit sits `cut` bytes
    // further on in it.
    for c in &mut out.changes {
        c.original_span = c.original_span.start + cut..c.original_span.end + cut;
    }
    out.changes.insert(
        0,
        Change {
            code: "X010",
            codes: vec!["X010"],
            summary: fix.summary.clone(),
            components: Vec::new(),
            path: String::new(),
            old: None,
            new: None,
            original_span: 0..cut,
            final_span: 0..0,
        },
    );
    out.fixes.insert(
        0,
        AppliedFix {
            code: "X010",
            applicability: fix.applicability,
            summary: fix.summary.clone(),
            path: String::new(),
        },
    );
    out.source = source.clone();
    out.opencore = true;
    Ok(out)
}

/// The X010 fix to apply first (if any) and the note saying the output is
/// converted (if it is).
pub fn before_fixing(loaded: &Loaded) -> Result<(Option<Fix>, Option<String>), FixError> {
    if loaded.source.lossy {
        return Err(FixError::Refused(
            "the file holds bytes that are not UTF-8; ocaudit cannot rewrite it without changing them (OpenCore reads them as they are): replace them first".into(),
        ));
    }
    if let OpenCoreReading::Reads(Some(_)) = &loaded.opencore
        && let Err(e) = crate::plist::load(&loaded.source.text)
    {
        // Only OpenCore reads it (the audit used OpenCore's tree): an edit
        // could not be checked by a second reader, so none is made.
        let (line, col) = loaded.source.line_col(e.offset);
        return Err(FixError::Unparsable(format!(
            "X011 at {line}:{col}: {}; OpenCore reads the file, but fix edits only files every plist reader reads: repair the XML first",
            e.message
        )));
    }
    let OpenCoreReading::Refuses(d) = &loaded.opencore else {
        return Ok((None, None));
    };
    let Some(fix) = &d.fix else {
        // No mechanical repair: the rules' fixes may still repair what
        // OpenCore trips on (S009 drops markup in boot-args); `fix` checks
        // at the end that OpenCore reads the result (see `refusal`).
        return Ok((None, None));
    };
    let converted = match loaded.source.encoding {
        Encoding::Utf8 => None,
        Encoding::Utf8Bom => Some("the byte-order mark is dropped (X010: OpenCore cannot read a file that starts with one)".to_owned()),
        Encoding::Utf16Le | Encoding::Utf16Be => Some("the file is re-encoded from UTF-16 to UTF-8 (X010: OpenCore reads only UTF-8)".to_owned()),
    };
    let edits = (!fix.edits.is_empty()).then(|| fix.clone());
    Ok((edits, converted))
}

/// The error `fix` returns when OpenCore's reader refused the input and
/// still refuses the fixed text (`None` when it read the input).
pub fn refusal(loaded: &Loaded) -> Option<FixError> {
    let OpenCoreReading::Refuses(d) = &loaded.opencore else {
        return None;
    };
    let (line, col) = loaded.source.line_col(d.span.start);
    Some(FixError::Unparsable(format!(
        "X010 at {line}:{col}: {}",
        d.message
    )))
}
