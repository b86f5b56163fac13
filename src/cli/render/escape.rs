//! Text for a terminal: every string that can come from a file or a path
//! (paths, key paths, values quoted in messages) is written with its control
//! characters escaped, so a file cannot move the cursor, retitle the
//! terminal (`ESC ] 0 ; ... BEL`) or hide a line behind a carriage return.
//! JSON and SARIF keep the exact text (their encoders escape it for JSON).
//!
//! Escaped: C0 controls and DEL (`\r`, `\n`, `\t`, else `\x1b` style), C1
//! controls (`\u{9b}` style: some terminals read U+009B as CSI), and the
//! bidirectional overrides and isolates, which can make text read in an
//! order other than the bytes'.

use std::borrow::Cow;
use std::fmt::Write as _;

/// Whether `c` is written escaped.
pub fn needs_escape(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Append `text` to `out` with control characters escaped.
pub fn push_human(out: &mut String, text: &str) {
    let mut rest = text;
    while let Some(i) = rest.find(needs_escape) {
        out.push_str(&rest[..i]);
        let c = rest[i..].chars().next().unwrap_or_default();
        match c {
            '\r' => out.push_str("\\r"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            '\u{0}'..='\u{7f}' => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => {
                let _ = write!(out, "\\u{{{:x}}}", c as u32);
            }
        }
        rest = &rest[i + c.len_utf8()..];
    }
    out.push_str(rest);
}

/// `text` with control characters escaped (borrowed when it has none).
pub fn human(text: &str) -> Cow<'_, str> {
    if !text.contains(needs_escape) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    push_human(&mut out, text);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_controls_are_escaped_and_plain_text_is_borrowed() {
        assert!(matches!(human("EFI/OC/config.plist"), Cow::Borrowed(_)));
        assert_eq!(human("a\u{1b}]0;owned\u{7}b"), "a\\x1b]0;owned\\x07b");
        assert_eq!(human("-v\r\nslide=0\t"), "-v\\r\\nslide=0\\t");
        assert_eq!(human("x\u{9b}31m\u{202e}y"), "x\\u{9b}31m\\u{202e}y");
        assert_eq!(human("caf\u{e9} \u{65e5}"), "caf\u{e9} \u{65e5}");
    }
}
