//! Memory-map parsers: EFI-shell `memmap` (plain and `-sfo`) and Linux
//! `efi=debug` kernel logs, format detection, and [`parse_evidence`].

use std::fmt;

use super::decode::decode;
use super::oclog::{OcLog, is_oclog_line, parse_oclog};
use super::types::{Descriptor, EFI_MEMORY_RUNTIME, MemType, MemoryMap, PAGE_SIZE};

/// The kinds of evidence ocaudit reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum InputFormat {
    /// EFI-shell `memmap` output (also `memmap -sfo`).
    Shell,
    /// Linux kernel log booted with `efi=debug`.
    Linux,
    /// OpenCore debug log (`opencore-*.txt`) or pasted `OCABC:` lines.
    OcLog,
}

impl fmt::Display for InputFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            InputFormat::Shell => "EFI shell memmap",
            InputFormat::Linux => "Linux efi=debug log",
            InputFormat::OcLog => "OpenCore log",
        })
    }
}

/// Parsed evidence: a memory map or what an OpenCore log reported.
#[derive(Clone, Debug, PartialEq, Eq)]
#[allow(clippy::large_enum_variant)] // built once per input file; the log is the bigger one
pub enum Evidence {
    /// A memory map (shell `memmap` or Linux `efi=debug`).
    Map(MemoryMap),
    /// An OpenCore debug log.
    Log(OcLog),
}

/// Why a file gave no usable evidence. Its message says what was expected and
/// how to produce it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EvidenceError {
    /// The file is empty (or holds only whitespace and NUL bytes).
    Empty,
    /// Nothing in the file looks like any supported format.
    NotRecognised {
        /// Non-blank lines read.
        lines: usize,
    },
    /// The file holds macOS boot.efi's own log lines (`AAPL: #[EB...`), as an
    /// OpenCore log file does, but none of OpenCore's lines.
    BootEfiOnly {
        /// boot.efi lines read.
        lines: usize,
    },
    /// The format was forced but the file holds none of its lines.
    NothingInForcedFormat {
        /// The forced format.
        format: InputFormat,
        /// Non-blank lines read.
        lines: usize,
    },
}

const HOW_TO: &str = "expected one of: the EFI shell's memory map (boot the OpenCore shell, \
then run `memmap > memmap.txt` on the EFI partition), a Linux kernel log booted with \
`efi=debug` (`dmesg > efi.txt`), or an OpenCore DEBUG log (`opencore-*.txt`, written when \
Misc/Debug/Target includes file logging)";

impl fmt::Display for EvidenceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            EvidenceError::Empty => write!(f, "the file is empty; {HOW_TO}"),
            EvidenceError::NotRecognised { lines } => write!(
                f,
                "no memory descriptors or OpenCore log lines in {lines} lines; {HOW_TO}"
            ),
            EvidenceError::BootEfiOnly { lines } => write!(
                f,
                "this is an OpenCore log file holding only macOS boot.efi's own lines ({lines} `AAPL: #[EB...` lines) and none of OpenCore's (`OC:`, `OCABC:`); \
                 OpenCore writes its own lines only in its DEBUG build: boot once with the DEBUG build, Misc/Debug/Target 67 (file logging on) and \
                 Misc/Debug/DisplayLevel 2147483714 (0x80000042), ProvideCustomSlide on, and pass the new opencore-*.txt; or capture the EFI shell's memory map instead (`memmap > memmap.txt`)"
            ),
            EvidenceError::NothingInForcedFormat { format, lines } => write!(
                f,
                "no {format} lines in {lines} lines; drop --input-format to auto-detect, or {HOW_TO}"
            ),
        }
    }
}

impl std::error::Error for EvidenceError {}

/// Parse evidence bytes. `forced` skips auto-detection.
///
/// Auto-detection prefers a memory map when the text holds descriptor lines,
/// and reads it as an OpenCore log when it holds `OCABC:` or `OC: OpenCore`
/// lines and no descriptors.
pub fn parse_evidence(
    bytes: &[u8],
    forced: Option<InputFormat>,
) -> Result<Evidence, EvidenceError> {
    let decoded = decode(bytes);
    let text = decoded.text.as_str();
    let lines = text.lines().filter(|l| !l.trim().is_empty()).count();
    if lines == 0 {
        return Err(EvidenceError::Empty);
    }
    let format = match forced {
        Some(f) => f,
        None => detect_format(text).ok_or_else(|| {
            match text.lines().filter(|l| l.contains("AAPL: #[EB")).count() {
                0 => EvidenceError::NotRecognised { lines },
                n => EvidenceError::BootEfiOnly { lines: n },
            }
        })?,
    };
    let decode_warning = (decoded.replaced > 0).then(|| {
        format!(
            "{} undecodable byte sequence(s) replaced (read as {}); the file may be damaged",
            decoded.replaced, decoded.encoding
        )
    });
    let nothing = EvidenceError::NothingInForcedFormat { format, lines };
    match format {
        InputFormat::Shell | InputFormat::Linux => {
            let mut map = if format == InputFormat::Shell {
                parse_shell(text)
            } else {
                parse_linux(text)
            };
            if map.descriptors.is_empty() {
                return Err(nothing);
            }
            map.warnings.extend(decode_warning);
            Ok(Evidence::Map(map))
        }
        InputFormat::OcLog => {
            let mut log = parse_oclog(text);
            if log.recognised_lines == 0 {
                return Err(nothing);
            }
            log.warnings.extend(decode_warning);
            Ok(Evidence::Log(log))
        }
    }
}

/// Guess the format of decoded text, `None` when nothing is recognised.
pub fn detect_format(text: &str) -> Option<InputFormat> {
    let prefixes = MemType::shell_prefixes();
    let (mut shell, mut linux, mut oc) = (0usize, 0usize, 0usize);
    for line in text.lines() {
        if let Line::Descriptor(..) = shell_line(line, &prefixes) {
            shell += 1;
        } else if linux_line(line).is_some() {
            linux += 1;
        } else if is_oclog_line(line) {
            oc += 1;
        }
    }
    if shell > 0 && shell >= linux {
        Some(InputFormat::Shell)
    } else if linux > 0 {
        Some(InputFormat::Linux)
    } else if oc > 0 {
        Some(InputFormat::OcLog)
    } else {
        None
    }
}

/// What one line of shell output is.
enum Line {
    Blank,
    /// Header, summary or `-sfo` bookkeeping: expected, not counted.
    Known,
    /// type, start, end (inclusive, if printed), pages, attributes, trailing junk.
    Descriptor(MemType, u64, Option<u64>, u64, u64, bool),
    Unknown,
}

fn is_hex_token(t: &str) -> bool {
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    !t.is_empty() && t.len() <= 16 && t.bytes().all(|b| b.is_ascii_hexdigit())
}

fn hex(t: &str) -> Option<u64> {
    let t = t
        .strip_prefix("0x")
        .or_else(|| t.strip_prefix("0X"))
        .unwrap_or(t);
    if t.is_empty() || t.len() > 16 {
        return None;
    }
    u64::from_str_radix(t, 16).ok()
}

fn is_summary(trimmed: &str) -> bool {
    if trimmed.starts_with("Total Memory") || trimmed.bytes().all(|b| b == b'-' || b == b' ') {
        return true;
    }
    // "  Reserved  :      3,323,392 Pages (13,612,613,632 Bytes)" and OEM rows.
    match trimmed.split_once(':') {
        Some((_, rest)) => rest.contains("Pages") || rest.contains("Bytes"),
        None => false,
    }
}

fn shell_line(line: &str, prefixes: &[(&'static str, MemType)]) -> Line {
    let trimmed = line.trim();
    if trimmed.is_empty() {
        return Line::Blank;
    }
    if trimmed.starts_with("Type") && trimmed.contains("Start") && trimmed.contains("Attributes") {
        return Line::Known;
    }
    if let Some(rest) = trimmed.strip_prefix("MemoryMap,") {
        return sfo_line(rest, prefixes);
    }
    if trimmed.starts_with("ShellCommand,") || trimmed.starts_with("MemoryMapSummary,") {
        return Line::Known;
    }
    if is_summary(trimmed) {
        return Line::Known;
    }
    // Label (possibly glued to the address) or an OEM type of 8 hex digits.
    let first = trimmed.as_bytes()[0];
    let known = prefixes
        .iter()
        .find(|(p, _)| p.as_bytes()[0] == first && trimmed.starts_with(p));
    let (mem_type, rest) = match known {
        Some((p, t)) => (*t, &trimmed[p.len()..]),
        None => {
            let mut parts = trimmed.splitn(2, char::is_whitespace);
            let word = parts.next().unwrap_or("");
            if word.len() == 8 && word.bytes().all(|b| b.is_ascii_hexdigit()) {
                match u32::from_str_radix(word, 16) {
                    Ok(v) => (MemType::from_u32(v), parts.next().unwrap_or("")),
                    Err(_) => return Line::Unknown,
                }
            } else {
                return Line::Unknown;
            }
        }
    };
    // Up to four hex numbers; anything after them is junk to report.
    let mut numbers = [0u64; 4];
    let (mut count, mut junk) = (0usize, false);
    for token in rest
        .split(|c: char| c.is_whitespace() || c == '-')
        .filter(|t| !t.is_empty())
    {
        match hex(token) {
            Some(v) if !junk && count < 4 && is_hex_token(token) => {
                numbers[count] = v;
                count += 1;
            }
            _ => junk = true,
        }
    }
    match (count, numbers) {
        (4, [start, end, pages, attr]) => {
            Line::Descriptor(mem_type, start, Some(end), pages, attr, junk)
        }
        (3, [start, pages, attr, _]) => Line::Descriptor(mem_type, start, None, pages, attr, junk),
        _ => Line::Unknown,
    }
}

fn sfo_line(rest: &str, prefixes: &[(&'static str, MemType)]) -> Line {
    let fields: Vec<&str> = rest
        .split(',')
        .map(|f| f.trim().trim_matches('"'))
        .collect();
    let Some(mem_type) = fields
        .first()
        .and_then(|name| prefixes.iter().find(|(p, _)| p == name).map(|(_, t)| *t))
    else {
        return Line::Unknown;
    };
    let numbers: Vec<Option<u64>> = fields[1..].iter().map(|f| hex(f)).collect();
    match numbers.as_slice() {
        [Some(start), Some(end), Some(pages), Some(attr)] => {
            Line::Descriptor(mem_type, *start, Some(*end), *pages, *attr, false)
        }
        _ => Line::Unknown,
    }
}

/// Check a descriptor's `End` column and overflow; push warnings.
fn check_descriptor(d: &Descriptor, end: Option<u64>, warnings: &mut Vec<String>) {
    let bytes = d.pages.checked_mul(PAGE_SIZE);
    let exclusive = bytes.and_then(|b| d.start.checked_add(b));
    if exclusive.is_none() {
        warnings.push(format!(
            "line {}: 0x{:X} + 0x{:X} pages runs past the 64-bit address space; treated as ending at 2^64",
            d.line, d.start, d.pages
        ));
    }
    let Some(end) = end else { return };
    // The shell prints start + pages*4096 - 1, wrapping for 0 pages.
    let expected = d
        .start
        .wrapping_add(d.pages.wrapping_mul(PAGE_SIZE))
        .wrapping_sub(1);
    if end == expected {
        return;
    }
    if end < d.start {
        warnings.push(format!(
            "line {}: End 0x{end:X} is before Start 0x{:X}; using the page count 0x{:X}",
            d.line, d.start, d.pages
        ));
    } else {
        warnings.push(format!(
            "line {}: End 0x{end:X} disagrees with 0x{:X} pages from 0x{:X} (expected 0x{expected:X}); using the page count, as OpenCore does",
            d.line, d.pages, d.start
        ));
    }
}

/// Parse EFI-shell `memmap` output (dash or space between start and end,
/// glued labels, OEM types, `-sfo`). Never fails; see `unparsed_lines`.
pub fn parse_shell(text: &str) -> MemoryMap {
    let prefixes = MemType::shell_prefixes();
    let mut map = MemoryMap::default();
    let mut junk_lines = Vec::new();
    for (index, line) in text.lines().enumerate() {
        match shell_line(line, &prefixes) {
            Line::Blank | Line::Known => {}
            Line::Unknown => map.unparsed_lines += 1,
            Line::Descriptor(mem_type, start, end, pages, attributes, junk) => {
                let d = Descriptor {
                    mem_type,
                    start,
                    pages,
                    attributes,
                    line: index + 1,
                };
                check_descriptor(&d, end, &mut map.warnings);
                if junk {
                    junk_lines.push(index + 1);
                }
                map.descriptors.push(d);
            }
        }
    }
    if !junk_lines.is_empty() {
        map.warnings.push(format!(
            "ignored text after the attributes column on line(s) {}",
            join_lines(&junk_lines)
        ));
    }
    map
}

fn join_lines(lines: &[usize]) -> String {
    let shown: Vec<String> = lines.iter().take(10).map(|l| l.to_string()).collect();
    let more = lines.len().saturating_sub(10);
    if more > 0 {
        format!("{} and {more} more", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

/// Attribute bit for a Linux `efi=debug` flag name.
fn linux_flag(name: &str) -> Option<u64> {
    Some(match name {
        "UC" => 0x1,
        "WC" => 0x2,
        "WT" => 0x4,
        "WB" => 0x8,
        "UCE" => 0x10,
        "WP" => 0x1000,
        "RP" => 0x2000,
        "XP" => 0x4000,
        "NV" => 0x8000,
        "MR" => 0x1_0000,
        "RO" => 0x2_0000,
        "SP" => 0x4_0000,
        "CC" => 0x8_0000,
        "RUN" => EFI_MEMORY_RUNTIME,
        _ => return None,
    })
}

/// One Linux `efi: memNN:` line as (type, start, pages, attributes).
fn linux_line(line: &str) -> Option<(MemType, u64, u64, u64)> {
    let at = line.find("efi: mem")?;
    let rest = &line[at + "efi: mem".len()..];
    let (_, rest) = rest.split_once(':')?;
    let rest = rest.trim_start();
    let (range_text, inclusive) = {
        let r = rest.find("range=[")?;
        let inner = &rest[r + "range=[".len()..];
        let close = inner.find([']', ')'])?;
        (&inner[..close], inner.as_bytes().get(close) == Some(&b']'))
    };
    let (a, b) = range_text.split_once('-')?;
    let start = hex(a.trim())?;
    let end = hex(b.trim())?;
    let end_exclusive = if inclusive { end.checked_add(1)? } else { end };
    let bytes = end_exclusive.checked_sub(start)?;
    let pages = bytes / PAGE_SIZE;
    if let Some(body) = rest.strip_prefix('[') {
        // Modern: [Type|RUN|..|WB|WT|WC|UC] range=[a-b] (N MB)
        let body = &body[..body.find(']')?];
        let mut fields = body.split('|');
        let name = fields.next()?.trim();
        let mem_type = match name.strip_prefix("type=") {
            Some(n) => MemType::from_u32(n.trim().parse().ok()?),
            None => MemType::from_linux_name(name)?,
        };
        let mut attributes = 0;
        for f in fields {
            let f = f.trim();
            if !f.is_empty() {
                attributes |= linux_flag(f)?;
            }
        }
        Some((mem_type, start, pages, attributes))
    } else {
        // Old: type=7, attr=0xf, range=[a-b) (N MB)
        let t = rest.strip_prefix("type=")?;
        let (t, after) = t.split_once(',')?;
        let attr = after.trim_start().strip_prefix("attr=")?;
        let attr = attr.split(',').next()?;
        Some((
            MemType::from_u32(t.trim().parse().ok()?),
            start,
            pages,
            hex(attr.trim())?,
        ))
    }
}

/// Parse a Linux kernel log with `efi=debug` lines. Lines that do not mention
/// `efi: mem` are other kernel messages and are not counted as unparsed.
pub fn parse_linux(text: &str) -> MemoryMap {
    let mut map = MemoryMap::default();
    for (index, line) in text.lines().enumerate() {
        match linux_line(line) {
            Some((mem_type, start, pages, attributes)) => map.descriptors.push(Descriptor {
                mem_type,
                start,
                pages,
                attributes,
                line: index + 1,
            }),
            None if line.contains("efi: mem") => map.unparsed_lines += 1,
            None => {}
        }
    }
    map
}

/// Print a map in the EFI shell's own format (header, one line per
/// descriptor, no summary). `parse_shell` reads it back unchanged.
pub fn render_shell(map: &MemoryMap) -> String {
    let mut out = String::with_capacity(80 * (map.descriptors.len() + 1));
    out.push_str("Type       Start            End              # Pages          Attributes\n");
    for d in &map.descriptors {
        let label = match d.mem_type.shell_label() {
            Some(l) => format!("{l:<10}"),
            None => format!("{:08X}  ", d.mem_type.as_u32()),
        };
        let end = d
            .start
            .wrapping_add(d.pages.wrapping_mul(PAGE_SIZE))
            .wrapping_sub(1);
        out.push_str(&format!(
            "{label} {:016X}-{end:016X} {:016X} {:016X}\n",
            d.start, d.pages, d.attributes
        ));
    }
    out
}

#[cfg(test)]
mod tests;
