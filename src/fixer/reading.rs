//! What `fix` does about OpenCore's own reader before any rule's fix: a file
//! OpenCore refuses for a mechanical reason (a byte-order mark, UTF-16,
//! text before the XML) is repaired first and written as plain UTF-8; a
//! file it refuses for another reason is not touched; a file holding bytes
//! that are not UTF-8 cannot be written back unchanged, so it is refused.

use super::FixError;
use crate::audit::{Loaded, OpenCoreReading};
use crate::patch::Fix;
use crate::source::Encoding;

/// The X010 fix to apply first (if any) and the note saying the output is
/// converted (if it is).
pub fn before_fixing(loaded: &Loaded) -> Result<(Option<Fix>, Option<String>), FixError> {
    if loaded.source.lossy {
        return Err(FixError::Refused(
            "the file holds bytes that are not UTF-8; ocaudit cannot rewrite it without changing them (OpenCore reads them as they are): replace them first".into(),
        ));
    }
    let OpenCoreReading::Refuses(d) = &loaded.opencore else {
        return Ok((None, None));
    };
    let Some(fix) = &d.fix else {
        let (line, col) = loaded.source.line_col(d.span.start);
        return Err(FixError::Unparsable(format!(
            "X010 at {line}:{col}: {}",
            d.message
        )));
    };
    let converted = match loaded.source.encoding {
        Encoding::Utf8 => None,
        Encoding::Utf8Bom => Some("the byte-order mark is dropped (X010: OpenCore cannot read a file that starts with one)".to_owned()),
        Encoding::Utf16Le | Encoding::Utf16Be => Some("the file is re-encoded from UTF-16 to UTF-8 (X010: OpenCore reads only UTF-8)".to_owned()),
    };
    let edits = (!fix.edits.is_empty()).then(|| fix.clone());
    Ok((edits, converted))
}
