//! Bytes to text: the encodings memmap dumps and OpenCore logs arrive in.
//!
//! The EFI shell writes UTF-16LE with a BOM (`memmap > memmap.txt`); people
//! re-save files as UTF-8 (with or without BOM) or UTF-16 without BOM; and
//! OpenCore pads its log files with NUL bytes. Decoding never fails: bytes that
//! cannot be decoded become U+FFFD and are counted.

use std::fmt;

/// The encoding a byte buffer was read as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 without a byte-order mark (plain ASCII included).
    Utf8,
    /// UTF-8 with a byte-order mark.
    Utf8Bom,
    /// UTF-16 little-endian with a byte-order mark.
    Utf16LeBom,
    /// UTF-16 big-endian with a byte-order mark.
    Utf16BeBom,
    /// UTF-16 little-endian recognised by its NUL pattern.
    Utf16Le,
    /// UTF-16 big-endian recognised by its NUL pattern.
    Utf16Be,
}

impl fmt::Display for TextEncoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TextEncoding::Utf8 => "UTF-8",
            TextEncoding::Utf8Bom => "UTF-8 with BOM",
            TextEncoding::Utf16LeBom => "UTF-16LE with BOM",
            TextEncoding::Utf16BeBom => "UTF-16BE with BOM",
            TextEncoding::Utf16Le => "UTF-16LE without BOM",
            TextEncoding::Utf16Be => "UTF-16BE without BOM",
        })
    }
}

/// Decoded text and what it took to get it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Decoded {
    /// The text, with every NUL character removed.
    pub text: String,
    /// The encoding that was detected.
    pub encoding: TextEncoding,
    /// How many undecodable sequences were replaced by U+FFFD (invalid UTF-8,
    /// lone surrogates, a trailing odd byte in UTF-16).
    pub replaced: usize,
}

/// How many leading bytes the UTF-16 NUL-pattern detection looks at.
const SNIFF_LEN: usize = 4096;

/// Decode `bytes`, detecting the encoding from a BOM or the NUL pattern.
pub fn decode(bytes: &[u8]) -> Decoded {
    if let Some(rest) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
        return finish(utf8(rest), TextEncoding::Utf8Bom);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFF, 0xFE]) {
        return finish(utf16(rest, false), TextEncoding::Utf16LeBom);
    }
    if let Some(rest) = bytes.strip_prefix(&[0xFE, 0xFF]) {
        return finish(utf16(rest, true), TextEncoding::Utf16BeBom);
    }
    match sniff_utf16(bytes) {
        Some(false) => finish(utf16(bytes, false), TextEncoding::Utf16Le),
        Some(true) => finish(utf16(bytes, true), TextEncoding::Utf16Be),
        None => finish(utf8(bytes), TextEncoding::Utf8),
    }
}

fn finish((mut text, replaced): (String, usize), encoding: TextEncoding) -> Decoded {
    if text.contains('\0') {
        text.retain(|c| c != '\0');
    }
    Decoded {
        text,
        encoding,
        replaced,
    }
}

/// `Some(big_endian)` when the leading bytes look like UTF-16 text: most
/// code units have one zero byte, always on the same side.
fn sniff_utf16(bytes: &[u8]) -> Option<bool> {
    let head = &bytes[..bytes.len().min(SNIFF_LEN)];
    let pairs = head.len() / 2;
    if pairs < 2 {
        return None;
    }
    let (mut zero_even, mut zero_odd) = (0usize, 0usize);
    for pair in head.chunks_exact(2) {
        zero_even += usize::from(pair[0] == 0);
        zero_odd += usize::from(pair[1] == 0);
    }
    // Text padded with NULs has zeros on both sides: that is not UTF-16.
    let mostly = |n: usize| n * 10 >= pairs * 4;
    let rarely = |n: usize| n * 10 <= pairs;
    if mostly(zero_odd) && rarely(zero_even) {
        Some(false)
    } else if mostly(zero_even) && rarely(zero_odd) {
        Some(true)
    } else {
        None
    }
}

fn utf8(bytes: &[u8]) -> (String, usize) {
    let mut text = String::with_capacity(bytes.len());
    let mut replaced = 0;
    for chunk in bytes.utf8_chunks() {
        text.push_str(chunk.valid());
        if !chunk.invalid().is_empty() {
            text.push(char::REPLACEMENT_CHARACTER);
            replaced += 1;
        }
    }
    (text, replaced)
}

fn utf16(bytes: &[u8], big_endian: bool) -> (String, usize) {
    let units = bytes.chunks_exact(2).map(|p| {
        if big_endian {
            u16::from_be_bytes([p[0], p[1]])
        } else {
            u16::from_le_bytes([p[0], p[1]])
        }
    });
    let mut text = String::with_capacity(bytes.len() / 2);
    let mut replaced = 0;
    for unit in char::decode_utf16(units) {
        match unit {
            Ok(c) => text.push(c),
            Err(_) => {
                text.push(char::REPLACEMENT_CHARACTER);
                replaced += 1;
            }
        }
    }
    if bytes.len() % 2 == 1 {
        text.push(char::REPLACEMENT_CHARACTER);
        replaced += 1;
    }
    (text, replaced)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn le(s: &str, bom: bool) -> Vec<u8> {
        let mut out = if bom { vec![0xFF, 0xFE] } else { vec![] };
        out.extend(s.encode_utf16().flat_map(|u| u.to_le_bytes()));
        out
    }

    #[test]
    fn utf16le_with_bom() {
        let d = decode(&le("Type  Start\r\nMMIO\r\n", true));
        assert_eq!(d.encoding, TextEncoding::Utf16LeBom);
        assert_eq!(d.text, "Type  Start\r\nMMIO\r\n");
        assert_eq!(d.replaced, 0);
    }

    #[test]
    fn utf16be_with_bom() {
        let mut b = vec![0xFE, 0xFF];
        b.extend("Reserved".encode_utf16().flat_map(|u| u.to_be_bytes()));
        let d = decode(&b);
        assert_eq!(d.encoding, TextEncoding::Utf16BeBom);
        assert_eq!(d.text, "Reserved");
    }

    #[test]
    fn utf16le_without_bom_is_sniffed() {
        let d = decode(&le("Available  0000000000100000\r\n", false));
        assert_eq!(d.encoding, TextEncoding::Utf16Le);
        assert_eq!(d.text, "Available  0000000000100000\r\n");
    }

    #[test]
    fn utf8_with_bom_and_nul_padding() {
        let mut b = vec![0xEF, 0xBB, 0xBF];
        b.extend_from_slice(b"OCABC: MAT support is 1\n");
        b.extend(std::iter::repeat_n(0u8, 5000));
        let d = decode(&b);
        assert_eq!(d.encoding, TextEncoding::Utf8Bom);
        assert_eq!(d.text, "OCABC: MAT support is 1\n");
    }

    #[test]
    fn nul_padded_ascii_is_not_utf16() {
        let mut b = b"00:000 OC: OpenCore REL-107-2025-01-01\n".to_vec();
        b.extend(std::iter::repeat_n(0u8, 10_000));
        let d = decode(&b);
        assert_eq!(d.encoding, TextEncoding::Utf8);
        assert!(d.text.ends_with("01\n"));
    }

    #[test]
    fn odd_byte_count_and_lone_surrogate() {
        let mut b = le("AB", true);
        b.extend_from_slice(&0xD800u16.to_le_bytes()); // lone high surrogate
        b.extend_from_slice(&u16::from(b'C').to_le_bytes());
        b.push(b'x'); // odd trailing byte
        let d = decode(&b);
        assert_eq!(d.text, "AB\u{FFFD}C\u{FFFD}");
        assert_eq!(d.replaced, 2);
    }

    #[test]
    fn invalid_utf8_is_replaced_and_counted() {
        let d = decode(b"ok \xFF\xFE\xFD end");
        assert_eq!(d.replaced, 3);
        assert!(d.text.starts_with("ok "));
    }

    #[test]
    fn tiny_inputs() {
        assert_eq!(decode(b"").text, "");
        assert_eq!(decode(&[0]).text, "");
        assert_eq!(decode(&[0xFF]).replaced, 1);
        assert_eq!(decode(&[0xFF, 0xFE, 0x41]).replaced, 1);
    }
}
