//! Bytes in, text and positions out.
//!
//! This module turns the raw bytes of a file into UTF-8 text (detecting a BOM,
//! UTF-16 and the line-ending style) and maps byte offsets in that text to
//! 1-based line:column pairs. It never interprets the plist itself.

use std::ops::Range;

/// A byte range into [`SourceFile::text`].
pub type Span = Range<usize>;

/// The largest file ocaudit reads, in bytes. A real config.plist is well
/// under 1 MiB; anything larger is refused before parsing.
pub const MAX_FILE_SIZE: usize = 16 * 1024 * 1024;

/// How the file's bytes were encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// Plain UTF-8 (ASCII included).
    Utf8,
    /// UTF-8 preceded by the byte-order mark EF BB BF.
    Utf8Bom,
    /// UTF-16, little-endian (with its BOM, or detected from `<` and a zero byte).
    Utf16Le,
    /// UTF-16, big-endian (with its BOM, or detected from a zero byte and `<`).
    Utf16Be,
}

/// The line ending a file mostly uses; new lines written by `fix` copy it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineEnding {
    /// `\n`
    Lf,
    /// `\r\n`
    CrLf,
}

impl LineEnding {
    /// The ending's characters.
    pub fn as_str(self) -> &'static str {
        match self {
            LineEnding::Lf => "\n",
            LineEnding::CrLf => "\r\n",
        }
    }
}

/// Why a file's bytes could not be turned into text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DecodeError {
    /// The file starts with `bplist`: a binary property list.
    BinaryPlist,
    /// The file is larger than [`MAX_FILE_SIZE`].
    TooLarge(usize),
    /// The file is empty or holds only whitespace.
    Empty,
    /// Bytes that are not valid in the detected encoding, at this byte offset.
    InvalidEncoding {
        /// Offset of the first bad byte in the raw file.
        offset: usize,
        /// The encoding that was expected.
        encoding: &'static str,
    },
    /// A NUL character in the text, at this byte offset of the raw file.
    NulByte(usize),
    /// The file starts with a UTF-32 byte-order mark (`FF FE 00 00` or
    /// `00 00 FE FF`), an encoding no plist reader here or in OpenCore takes.
    Utf32,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::BinaryPlist => write!(f, "this is a binary property list"),
            DecodeError::TooLarge(n) => write!(
                f,
                "file is {n} bytes, over the {} MiB limit (a real config.plist is under 1 MiB)",
                MAX_FILE_SIZE / (1024 * 1024)
            ),
            DecodeError::Empty => write!(f, "file is empty"),
            DecodeError::InvalidEncoding { offset, encoding } => {
                write!(f, "invalid {encoding} at byte {offset}")
            }
            DecodeError::NulByte(offset) => write!(f, "NUL byte at byte {offset}"),
            DecodeError::Utf32 => write!(
                f,
                "the file is UTF-32 (it starts with a UTF-32 byte-order mark)"
            ),
        }
    }
}

/// A loaded file: its original bytes, its decoded text and how to encode it back.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// The path as the user gave it (used in diagnostics).
    pub name: String,
    /// Whether the bytes started with a byte-order mark (written back when
    /// the text is encoded again).
    pub bom: bool,
    /// The decoded text, without any BOM. All spans index into this.
    pub text: String,
    /// The encoding the bytes used.
    pub encoding: Encoding,
    /// The dominant line ending.
    pub line_ending: LineEnding,
    /// Line starts, for offset to line:column conversion.
    pub lines: LineIndex,
    /// Bytes that are not UTF-8 were replaced one for one by `?` to make
    /// the text (see [`SourceFile::new_lossy`]); the text cannot be
    /// written back without losing them.
    pub lossy: bool,
}

impl SourceFile {
    /// Decode `raw` and index its lines.
    pub fn new(name: impl Into<String>, raw: Vec<u8>) -> Result<SourceFile, DecodeError> {
        SourceFile::try_new(name, raw).map_err(|(e, _)| e)
    }

    /// [`SourceFile::new`], giving the bytes back when they cannot be decoded.
    pub fn try_new(
        name: impl Into<String>,
        raw: Vec<u8>,
    ) -> Result<SourceFile, (DecodeError, Vec<u8>)> {
        let bom = [&[0xEF, 0xBB, 0xBF][..], &[0xFF, 0xFE], &[0xFE, 0xFF]]
            .iter()
            .any(|b| raw.starts_with(b));
        let (text, encoding) = decode_owned(raw)?;
        let lines = LineIndex::new(&text);
        let line_ending = lines.line_ending(&text);
        Ok(SourceFile {
            name: name.into(),
            bom,
            text,
            encoding,
            line_ending,
            lines,
            lossy: false,
        })
    }

    /// Decode bytes that [`SourceFile::new`] refused because they are not
    /// all UTF-8 or hold a NUL, keeping every byte offset: each byte of a
    /// sequence that is not UTF-8 becomes one `?`, NUL bytes stay. OpenCore
    /// reads such files (it never decodes text), so ocaudit still audits
    /// them. `None` for a byte-order mark, a binary plist, a file too large
    /// or blank.
    pub fn new_lossy(name: impl Into<String>, raw: &[u8]) -> Option<SourceFile> {
        // (UTF-16 that failed to decode comes here too; its text as bytes
        // holds no `<plist`, which callers check.)
        let plain = !raw.starts_with(&[0xEF, 0xBB, 0xBF])
            && !raw.starts_with(&[0xFF, 0xFE])
            && !raw.starts_with(&[0xFE, 0xFF])
            && !raw.starts_with(b"bplist");
        if !plain || raw.len() > MAX_FILE_SIZE || raw.iter().all(u8::is_ascii_whitespace) {
            return None;
        }
        let mut text = String::with_capacity(raw.len());
        for chunk in raw.utf8_chunks() {
            text.push_str(chunk.valid());
            text.extend(std::iter::repeat_n('?', chunk.invalid().len()));
        }
        let lines = LineIndex::new(&text);
        let line_ending = lines.line_ending(&text);
        Some(SourceFile {
            name: name.into(),
            bom: false,
            text,
            encoding: Encoding::Utf8,
            line_ending,
            lines,
            lossy: true,
        })
    }

    /// Encode `text` (for example the text after edits) the way this file was encoded.
    pub fn encode(&self, text: &str) -> Vec<u8> {
        let bytes = encode(text, self.encoding);
        // UTF-16 detected without a BOM (from `<` and a zero byte) is
        // written back without one too.
        let utf16 = matches!(self.encoding, Encoding::Utf16Le | Encoding::Utf16Be);
        if utf16 && !self.bom {
            bytes.get(2..).map(<[u8]>::to_vec).unwrap_or_default()
        } else {
            bytes
        }
    }

    /// 1-based line and column of a byte offset into [`SourceFile::text`].
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        self.lines.line_col(&self.text, offset)
    }
}

/// Turn bytes into text, detecting BOMs and UTF-16.
pub fn decode(raw: &[u8]) -> Result<(String, Encoding), DecodeError> {
    decode_owned(raw.to_vec()).map_err(|(e, _)| e)
}

/// [`decode`], keeping the buffer: plain UTF-8 (nearly every config)
/// becomes the text without a copy. On failure the bytes come back.
fn decode_owned(raw: Vec<u8>) -> Result<(String, Encoding), (DecodeError, Vec<u8>)> {
    if raw.len() > MAX_FILE_SIZE {
        return Err((DecodeError::TooLarge(raw.len()), raw));
    }
    if raw.starts_with(b"bplist") {
        return Err((DecodeError::BinaryPlist, raw));
    }
    if raw.starts_with(&[0xFF, 0xFE, 0, 0]) || raw.starts_with(&[0, 0, 0xFE, 0xFF]) {
        return Err((DecodeError::Utf32, raw));
    }
    let bom16 = raw.starts_with(&[0xFF, 0xFE]) || raw.starts_with(&[0xFE, 0xFF]);
    let bare16 = raw.len() >= 4
        // Two ASCII characters in a row, each with its zero byte: one stray
        // NUL before `<?xml` is UTF-8 with a NUL, not UTF-16.
        && ((raw[0] == b'<' && raw[1] == 0 && raw[2] != 0 && raw[3] == 0)
            || (raw[0] == 0 && raw[1] == b'<' && raw[2] == 0 && raw[3] != 0));
    let (text, encoding) = if raw.starts_with(&[0xEF, 0xBB, 0xBF]) || bom16 || bare16 {
        let decoded = if let Some(rest) = raw.strip_prefix(&[0xEF, 0xBB, 0xBF]) {
            utf8(rest, 3).map(|t| (t, Encoding::Utf8Bom))
        } else if let Some(rest) = raw.strip_prefix(&[0xFF, 0xFE]) {
            utf16(rest, false, 2).map(|t| (t, Encoding::Utf16Le))
        } else if let Some(rest) = raw.strip_prefix(&[0xFE, 0xFF]) {
            utf16(rest, true, 2).map(|t| (t, Encoding::Utf16Be))
        } else if raw[0] == b'<' {
            utf16(&raw, false, 0).map(|t| (t, Encoding::Utf16Le))
        } else {
            utf16(&raw, true, 0).map(|t| (t, Encoding::Utf16Be))
        };
        match decoded {
            Ok(d) => d,
            Err(e) => return Err((e, raw)),
        }
    } else {
        match String::from_utf8(raw) {
            Ok(text) => (text, Encoding::Utf8),
            Err(e) => {
                let offset = e.utf8_error().valid_up_to();
                return Err((
                    DecodeError::InvalidEncoding {
                        offset,
                        encoding: "UTF-8",
                    },
                    e.into_bytes(),
                ));
            }
        }
    };
    if text.trim().is_empty() {
        return Err((DecodeError::Empty, text.into_bytes()));
    }
    // (UTF-16 reports its NULs while decoding, at their raw offsets.)
    if let Some(pos) = memchr::memchr(0, text.as_bytes()) {
        let bom = if encoding == Encoding::Utf8Bom { 3 } else { 0 };
        // The file's own bytes come back (the BOM too: a lossy reading
        // must still see it).
        let mut bytes = text.into_bytes();
        if bom == 3 {
            bytes.splice(0..0, [0xEF, 0xBB, 0xBF]);
        }
        return Err((DecodeError::NulByte(pos + bom), bytes));
    }
    Ok((text, encoding))
}

fn utf8(bytes: &[u8], base: usize) -> Result<String, DecodeError> {
    match std::str::from_utf8(bytes) {
        Ok(s) => Ok(s.to_owned()),
        Err(e) => Err(DecodeError::InvalidEncoding {
            offset: base + e.valid_up_to(),
            encoding: "UTF-8",
        }),
    }
}

fn utf16(bytes: &[u8], big_endian: bool, base: usize) -> Result<String, DecodeError> {
    if !bytes.len().is_multiple_of(2) {
        return Err(DecodeError::InvalidEncoding {
            offset: base + bytes.len() - 1,
            encoding: "UTF-16 (odd byte count)",
        });
    }
    let units = bytes.chunks_exact(2).map(|c| {
        if big_endian {
            u16::from_be_bytes([c[0], c[1]])
        } else {
            u16::from_le_bytes([c[0], c[1]])
        }
    });
    let mut out = String::with_capacity(bytes.len() / 2);
    // Byte offset of the current character in `bytes`.
    let mut at = 0;
    for ch in char::decode_utf16(units) {
        match ch {
            Ok('\0') => return Err(DecodeError::NulByte(base + at)),
            Ok(c) => {
                out.push(c);
                at += 2 * c.len_utf16();
            }
            Err(_) => {
                return Err(DecodeError::InvalidEncoding {
                    offset: base + at,
                    encoding: "UTF-16 (lone surrogate)",
                });
            }
        }
    }
    Ok(out)
}

/// Encode text back into `encoding`, BOM included.
pub fn encode(text: &str, encoding: Encoding) -> Vec<u8> {
    match encoding {
        Encoding::Utf8 => text.as_bytes().to_vec(),
        Encoding::Utf8Bom => {
            let mut v = vec![0xEF, 0xBB, 0xBF];
            v.extend_from_slice(text.as_bytes());
            v
        }
        Encoding::Utf16Le | Encoding::Utf16Be => {
            let big = encoding == Encoding::Utf16Be;
            let mut v = if big {
                vec![0xFE, 0xFF]
            } else {
                vec![0xFF, 0xFE]
            };
            for u in text.encode_utf16() {
                let b = if big {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                };
                v.extend_from_slice(&b);
            }
            v
        }
    }
}

/// The line ending most lines of `text` use.
pub fn detect_line_ending(text: &str) -> LineEnding {
    LineIndex::new(text).line_ending(text)
}

/// `offset` as a `u32`, saturating (see [`LineIndex`]).
fn offset32(offset: usize) -> u32 {
    u32::try_from(offset).unwrap_or(u32::MAX)
}

/// Byte offsets of line starts, for turning an offset into line:column.
///
/// A column is counted in characters. On a long line (a config written on
/// one line, or a base64 blob) counting from the line start for every
/// finding would make a report cost findings x line length, so the first
/// column asked for far into a line builds a table of character counts at
/// every [`COUNT_CHUNK`] bytes of the text, and later columns count at most
/// one chunk.
#[derive(Debug, Clone, Default)]
pub struct LineIndex {
    /// As `u32`, half the memory of `usize`: texts are far smaller than
    /// 4 GiB ([`MAX_FILE_SIZE`]), and an offset beyond that saturates.
    starts: Vec<u32>,
    /// `chars[k]`: characters in the first `k * COUNT_CHUNK` bytes; built
    /// on first need.
    chars: std::sync::OnceLock<Vec<u32>>,
}

/// Bytes between two entries of [`LineIndex`]'s character-count table.
pub const COUNT_CHUNK: usize = 4096;

/// Characters in `bytes` (a UTF-8 text cut anywhere): the bytes that do not
/// continue a character.
fn count_chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

impl LineIndex {
    /// Index the lines of `text`.
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        let mut starts = Vec::with_capacity(bytes.len() / 24 + 1);
        starts.push(0);
        starts.extend(memchr::memchr_iter(b'\n', bytes).map(|i| offset32(i + 1)));
        LineIndex {
            starts,
            chars: std::sync::OnceLock::new(),
        }
    }

    /// Characters in `text[..offset]`, from the table (built on first use).
    fn chars_before(&self, text: &str, offset: usize) -> usize {
        let bytes = text.as_bytes();
        let table = self.chars.get_or_init(|| {
            let mut table = Vec::with_capacity(bytes.len() / COUNT_CHUNK + 1);
            let mut total = 0u32;
            table.push(0);
            for chunk in bytes.chunks_exact(COUNT_CHUNK) {
                total = total.saturating_add(count_chars(chunk) as u32);
                table.push(total);
            }
            table
        });
        let k = (offset / COUNT_CHUNK).min(table.len() - 1);
        table[k] as usize + count_chars(&bytes[k * COUNT_CHUNK..offset])
    }

    /// The line ending most lines of `text` (the indexed text) end with.
    pub fn line_ending(&self, text: &str) -> LineEnding {
        let bytes = text.as_bytes();
        let lf = self.starts.len() - 1;
        let crlf = self.starts[1..]
            .iter()
            .filter(|&&s| s >= 2 && bytes[s as usize - 2] == b'\r')
            .count();
        if crlf * 2 > lf {
            LineEnding::CrLf
        } else {
            LineEnding::Lf
        }
    }

    /// 1-based line and column (counted in characters) of `offset` in `text`.
    pub fn line_col(&self, text: &str, offset: usize) -> (usize, usize) {
        let offset = offset.min(text.len());
        let line = self
            .starts
            .partition_point(|&s| s <= offset32(offset))
            .max(1)
            - 1;
        let start = self.starts[line] as usize;
        let col = match text.get(start..offset) {
            Some(s) if s.len() <= COUNT_CHUNK => s.chars().count(),
            Some(_) => self.chars_before(text, offset) - self.chars_before(text, start),
            None => offset - start,
        };
        (line + 1, col + 1)
    }

    /// The byte range of 1-based line `line`, without its line ending.
    pub fn line_span(&self, text: &str, line: usize) -> Span {
        let at = |i: usize| self.starts.get(i).map_or(text.len(), |&s| s as usize);
        let start = at(line.saturating_sub(1));
        let mut end = at(line);
        let bytes = text.as_bytes();
        while end > start && matches!(bytes[end - 1], b'\n' | b'\r') {
            end -= 1;
        }
        start..end
    }

    /// Number of lines.
    pub fn len(&self) -> usize {
        self.starts.len()
    }

    /// Whether the index is empty (it never is: an empty text has one line).
    pub fn is_empty(&self) -> bool {
        self.starts.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Line starts are the offsets just past each `\n`, and nothing
        /// else (not `\r`, not bytes of other characters).
        #[test]
        fn line_starts_follow_each_newline(text in "[a\n\r\u{e9}\u{80}\u{8a}]{0,80}") {
            let expected: Vec<u32> = std::iter::once(0)
                .chain(text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i as u32 + 1))
                .collect();
            prop_assert_eq!(LineIndex::new(&text).starts, expected);
        }
    }

    #[test]
    fn line_col_is_one_based_and_counts_chars() {
        let s = SourceFile::new("t", "ab\r\nçd\n".as_bytes().to_vec()).unwrap();
        assert_eq!(s.line_col(0), (1, 1));
        assert_eq!(s.line_col(4), (2, 1));
        assert_eq!(s.line_col(6), (2, 2));
        assert_eq!(s.lines.line_span(&s.text, 1), 0..2);
    }

    #[test]
    fn utf32_and_nul_errors_name_what_the_raw_bytes_hold() {
        let utf32le: Vec<u8> = "<plist/>"
            .chars()
            .flat_map(|c| (c as u32).to_le_bytes())
            .collect();
        let with_bom = [&[0xFF, 0xFE, 0, 0][..], &utf32le].concat();
        assert_eq!(decode(&with_bom), Err(DecodeError::Utf32));
        let mut be = vec![0, 0, 0xFE, 0xFF];
        be.extend("<p/>".chars().flat_map(|c| (c as u32).to_be_bytes()));
        assert_eq!(decode(&be), Err(DecodeError::Utf32));
        // NUL offsets are offsets in the file, past any byte-order mark
        // and counted in the file's own code units.
        assert_eq!(decode(b"\xEF\xBB\xBF<a>\0"), Err(DecodeError::NulByte(6)));
        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain("\u{1f600}<\0".encode_utf16().flat_map(u16::to_le_bytes))
            .collect();
        assert_eq!(decode(&utf16), Err(DecodeError::NulByte(8)));
    }

    #[test]
    fn columns_far_into_a_long_line_count_characters() {
        // Lines longer than the count table's chunk, with characters of
        // every UTF-8 length straddling chunk boundaries.
        let line: String = "a\u{e9}\u{65e5}\u{1f600}".repeat(3000);
        let text = format!("x\n{line}\n{line}");
        let s = SourceFile::new("t", text.clone().into_bytes()).unwrap();
        let second = 2 + line.len() + 1;
        for (i, _) in text.char_indices().step_by(97) {
            let (want_line, start) = match i {
                0..=1 => (1, 0),
                i if i < second => (2, 2),
                _ => (3, second),
            };
            let col = text[start..i].chars().count() + 1;
            assert_eq!(s.line_col(i), (want_line, col), "offset {i}");
        }
    }

    #[test]
    fn detects_boms_and_round_trips() {
        for enc in [
            Encoding::Utf8,
            Encoding::Utf8Bom,
            Encoding::Utf16Le,
            Encoding::Utf16Be,
        ] {
            let bytes = encode("<plist>\r\n</plist>", enc);
            let s = SourceFile::new("t", bytes.clone()).unwrap();
            assert_eq!(s.encoding, enc);
            assert_eq!(s.text, "<plist>\r\n</plist>");
            assert_eq!(s.line_ending, LineEnding::CrLf);
            assert_eq!(s.encode(&s.text), bytes);
        }
    }

    #[test]
    fn utf16_without_bom_is_written_back_without_one() {
        for enc in [Encoding::Utf16Le, Encoding::Utf16Be] {
            let bytes = encode("<plist>\n</plist>", enc)[2..].to_vec();
            let s = SourceFile::new("t", bytes.clone()).unwrap();
            assert_eq!(s.encoding, enc);
            assert_eq!(s.encode(&s.text), bytes);
        }
    }

    #[test]
    fn rejects_binary_empty_and_bad_bytes() {
        assert_eq!(decode(b"bplist00abc"), Err(DecodeError::BinaryPlist));
        assert_eq!(decode(b"  \n"), Err(DecodeError::Empty));
        assert!(matches!(
            decode(b"<a>\xff</a>"),
            Err(DecodeError::InvalidEncoding { offset: 3, .. })
        ));
        assert!(matches!(decode(b"<a>\0</a>"), Err(DecodeError::NulByte(3))));
        assert!(matches!(
            decode(&[0xFF, 0xFE, b'<']),
            Err(DecodeError::InvalidEncoding { .. })
        ));
    }

    #[test]
    fn the_copy_free_utf8_path_decides_like_decode() {
        let cases: [&[u8]; 7] = [
            b"<plist/>",
            b"bplist00",
            b"  \n\t",
            b"<a>\0</a>",
            b"<a>\xC3\xA9\xFF</a>",
            "<a>\u{e9}</a>".as_bytes(),
            b"",
        ];
        for raw in cases {
            let via_new = SourceFile::new("t", raw.to_vec()).map(|s| (s.text, s.encoding, s.bom));
            let via_decode = decode(raw).map(|(t, e)| (t, e, false));
            assert_eq!(via_new, via_decode, "{raw:?}");
        }
    }
}
