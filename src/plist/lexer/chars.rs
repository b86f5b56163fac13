//! Characters and references: which bytes XML allows where, and how text
//! with references and line ends decodes.

use super::super::LoadError;
use super::Result;

/// Bytes that end a plain run of character data or need a closer look.
pub(super) const SPECIAL: [bool; 256] = {
    let mut t = [false; 256];
    let mut i = 0;
    while i < 0x20 {
        t[i] = !matches!(i as u8, b'\t' | b'\n');
        i += 1;
    }
    t[b'<' as usize] = true;
    t[b'&' as usize] = true;
    t[b']' as usize] = true;
    // The first byte of U+FFFE and U+FFFF, which XML forbids.
    t[0xEF] = true;
    t
};

/// ASCII name bytes: 2 may start a name, 1 may continue one.
pub(super) const NAME: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 128 {
        let c = i as u8;
        t[i] = if c.is_ascii_alphabetic() || c == b'_' || c == b':' {
            2
        } else if c.is_ascii_digit() || c == b'-' || c == b'.' {
            1
        } else {
            0
        };
        i += 1;
    }
    t
};

/// A fatal error at `offset`.
pub(in crate::plist) fn err(offset: usize, message: impl Into<String>) -> LoadError {
    LoadError {
        offset,
        message: message.into(),
    }
}

/// XML whitespace: space, tab, line feed, carriage return.
pub(super) fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// May `c` start an XML name (`NameStartChar`)?
pub(super) fn is_name_start(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic() || c == '_' || c == ':';
    }
    matches!(c as u32,
        0xC0..=0xD6 | 0xD8..=0xF6 | 0xF8..=0x2FF | 0x370..=0x37D | 0x37F..=0x1FFF
        | 0x200C..=0x200D | 0x2070..=0x218F | 0x2C00..=0x2FEF | 0x3001..=0xD7FF
        | 0xF900..=0xFDCF | 0xFDF0..=0xFFFD | 0x10000..=0xEFFFF)
}

/// May `c` continue an XML name (`NameChar`)?
pub(super) fn is_name_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || matches!(c, '_' | ':' | '-' | '.');
    }
    is_name_start(c) || matches!(c as u32, 0xB7 | 0x300..=0x36F | 0x203F..=0x2040)
}

/// Whether XML allows the character at all (the `Char` production).
fn is_xml_char(c: char) -> bool {
    if (c as u32) < 0x20 {
        return matches!(c, '\t' | '\n' | '\r');
    }
    !matches!(c as u32, 0xFFFE | 0xFFFF)
}

/// The first character XML forbids in `b[from..to]`, as (offset, char).
pub(super) fn forbidden_char(text: &str, from: usize, to: usize) -> Option<(usize, char)> {
    let b = text.as_bytes();
    let i = (from..to).find(|&i| {
        let c = b[i];
        (c < 0x20 && !is_space(c))
            || (c == 0xEF
                && b.get(i + 1) == Some(&0xBF)
                && matches!(b.get(i + 2), Some(0xBE | 0xBF)))
    })?;
    Some((i, text[i..].chars().next().unwrap_or('\u{FFFD}')))
}

/// The error for a character XML forbids.
pub(super) fn char_error(at: usize, c: char) -> LoadError {
    err(
        at,
        format!(
            "the character U+{:04X} is not allowed in XML; remove it or write the text again",
            c as u32
        ),
    )
}

/// Resolve the references in `raw` (which starts at offset `base`) and turn
/// `\r\n` and lone `\r` into `\n`, appending to `out`.
pub(in crate::plist) fn decode_text(raw: &str, base: usize, out: &mut String) -> Result<()> {
    // Decoding never lengthens text: one allocation at most.
    out.reserve(raw.len());
    let b = raw.as_bytes();
    let mut i = 0;
    let mut done = 0;
    while i < b.len() {
        match b[i] {
            b'\r' => {
                out.push_str(&raw[done..i]);
                out.push('\n');
                i += if b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                done = i;
            }
            b'&' => {
                out.push_str(&raw[done..i]);
                let (c, len) = reference(raw, i, base)?;
                out.push(c);
                i += len;
                done = i;
            }
            _ => i += 1,
        }
    }
    out.push_str(&raw[done..]);
    Ok(())
}

/// The character an entity or character reference at `raw[at]` (an `&`)
/// stands for, and the reference's length in bytes.
fn reference(raw: &str, at: usize, base: usize) -> Result<(char, usize)> {
    let b = raw.as_bytes();
    let mut i = at + 1;
    let bad = |what: String| Err(err(base + at, what));
    if b.get(i) == Some(&b'#') {
        i += 1;
        let hex = b.get(i) == Some(&b'x');
        if hex {
            i += 1;
        }
        let from = i;
        while b.get(i).is_some_and(|d| {
            if hex {
                d.is_ascii_hexdigit()
            } else {
                d.is_ascii_digit()
            }
        }) {
            i += 1;
        }
        let n = u32::from_str_radix(&raw[from..i], if hex { 16 } else { 10 }).ok();
        if b.get(i) != Some(&b';') || n.is_none() {
            return bad(format!(
                "`{}` is not a valid character reference; write `&amp;` for a literal ampersand",
                &raw[at..i.min(raw.len())]
            ));
        }
        return match n.and_then(char::from_u32).filter(|&c| is_xml_char(c)) {
            Some(c) => Ok((c, i + 1 - at)),
            None => bad(format!(
                "`{}` names a character XML does not allow",
                &raw[at..=i]
            )),
        };
    }
    let from = i;
    for (k, c) in raw[from..].char_indices() {
        let ok = if k == 0 {
            is_name_start(c)
        } else {
            is_name_char(c)
        };
        if !ok {
            break;
        }
        i = from + k + c.len_utf8();
    }
    if i == from || b.get(i) != Some(&b';') {
        return bad("a `&` that starts no reference; write `&amp;` for a literal ampersand".into());
    }
    let c = match &raw[from..i] {
        "amp" => '&',
        "lt" => '<',
        "gt" => '>',
        "quot" => '"',
        "apos" => '\'',
        name => {
            return bad(format!(
                "unknown entity `&{name};`; only &amp; &lt; &gt; &quot; &apos; and \
                 numeric references are allowed"
            ));
        }
    };
    Ok((c, i + 1 - at))
}
