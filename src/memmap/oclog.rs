//! OpenCore debug-log reader: the `OCABC:` lines of the slide analysis and
//! `DevirtualiseMmio`, the quirk header, MAT support and the version line;
//! the CPU OpenCore found (`OCCPU:`) and the boot arguments boot.efi read
//! from NVRAM (`AAPL: #[EB|MBA:NV]`).

use serde::Serialize;

use super::simulate::parse_ranges;

/// What OpenCore's slide analysis printed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum LoggedSlides {
    /// `OCABC: All slides are usable! You can disable ProvideCustomSlide!`
    AllUsable,
    /// `OCABC: Only K/256 slide values are usable!` and `OCABC: Valid slides - ...`.
    Some {
        /// K, the count OpenCore printed.
        count: u32,
        /// The total it printed (256).
        total: u32,
        /// The slides listed on the `Valid slides` line, when present and readable.
        valid: Option<Vec<u8>>,
        /// The `Valid slides` text as printed.
        ranges: Option<String>,
    },
    /// `OCABC: No slide values are usable! Falling back to N with 0x... bytes!`
    NoneUsable {
        /// The fallback slide.
        fallback: u8,
        /// Bytes available at that slide.
        bytes: u64,
    },
}

impl LoggedSlides {
    /// The usable count this report implies (256 for all, 0 for none).
    pub fn count(&self) -> u32 {
        match self {
            LoggedSlides::AllUsable => 256,
            LoggedSlides::Some { count, .. } => *count,
            LoggedSlides::NoneUsable { .. } => 0,
        }
    }
}

/// What an OpenCore debug log says about the memory map and slides.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OcLog {
    /// OpenCore version from `OC: OpenCore REL-107-...` as `1.0.7`.
    pub version: Option<String>,
    /// Build type from the same line: `REL`, `DBG` or `NOOPT`.
    pub build: Option<String>,
    /// Build date from the same line (`2024-03-11`).
    pub build_date: Option<String>,
    /// The last slide report in the log (a log may hold several boots).
    pub slide_report: Option<LoggedSlides>,
    /// How many slide reports the log holds.
    pub slide_reports: usize,
    /// `MMIO devirt` lines: (start, pages, attributes, skipped by the whitelist).
    pub devirt: Vec<(u64, u64, u64, bool)>,
    /// `MMIO devirt end, saved N KB`.
    pub devirt_saved_kib: Option<u64>,
    /// `OCABC: MAT support is 1|0`: whether the firmware has a memory attributes table.
    pub mat_support: Option<bool>,
    /// Quirk flags from the `OCABC: ALRBL 0 RTDFRG 1 DEVMMIO 1 ...` header lines, in order.
    pub quirk_flags: Vec<(String, i64)>,
    /// `OCABC: Firmware has N free pages (M in lower 4 GB)` as (N, M).
    pub free_pages: Option<(u64, u64)>,
    /// `OCCPU: Found <brand>`: the CPU's brand string, trimmed.
    pub cpu_brand: Option<String>,
    /// `OCCPU: Signature ...`: the CPU's (family, model, stepping), with the
    /// extended family added as the CPUID spec says.
    pub cpu_signature: Option<(u32, u32, u32)>,
    /// `AAPL: #[EB|MBA:NV] <"...">`: the boot arguments boot.efi read, per
    /// boot, with the 1-based line number.
    pub nvram_boot_args: Vec<(usize, String)>,
    /// Lines recognised as OpenCore log lines.
    pub recognised_lines: usize,
    /// Problems found while reading.
    pub warnings: Vec<String>,
}

impl OcLog {
    /// A quirk flag from the header (`DEVMMIO`, `CSLIDE`, `MSLIDE`...).
    pub fn flag(&self, name: &str) -> Option<i64> {
        self.quirk_flags
            .iter()
            .rev()
            .find(|(n, _)| n == name)
            .map(|(_, v)| *v)
    }

    /// Whitelisted addresses implied by `skip 1` devirt lines (their starts).
    pub fn skipped_regions(&self) -> Vec<u64> {
        self.devirt.iter().filter(|d| d.3).map(|d| d.0).collect()
    }
}

/// Whether a line is something the OpenCore log reader understands.
pub(crate) fn is_oclog_line(line: &str) -> bool {
    line.contains("OCABC: ") || line.contains("OC: OpenCore ")
}

fn parse_u64(text: &str) -> Option<u64> {
    let t = text.trim();
    match t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        Some(h) => u64::from_str_radix(h, 16).ok(),
        None => t.parse().ok(),
    }
}

/// `REL-107-2025-01-01` -> (build, version, date).
fn version_line(rest: &str) -> Option<(String, String, Option<String>)> {
    let word = rest.split_whitespace().next()?;
    let mut parts = word.splitn(3, '-');
    let build = parts.next()?;
    let digits = parts.next()?;
    if !matches!(build, "REL" | "DBG" | "NOOPT")
        || digits.len() != 3
        || !digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let d = digits.as_bytes();
    let version = format!("{}.{}.{}", d[0] - b'0', d[1] - b'0', d[2] - b'0');
    Some((build.to_string(), version, parts.next().map(str::to_string)))
}

/// `0xE0000000 (0x10000 pages, 0x800000000000100D) skip 0`
fn devirt_line(rest: &str) -> Option<(u64, u64, u64, bool)> {
    let (addr, rest) = rest.split_once('(')?;
    let (pages, rest) = rest.split_once("pages,")?;
    let (attr, rest) = rest.split_once(')')?;
    let skip = rest.trim().strip_prefix("skip")?.trim();
    let skipped = match skip.split_whitespace().next()? {
        "0" => false,
        "1" => true,
        _ => return None,
    };
    Some((
        parse_u64(addr)?,
        parse_u64(pages)?,
        parse_u64(attr)?,
        skipped,
    ))
}

fn quirk_header(rest: &str) -> Option<Vec<(String, i64)>> {
    let tokens: Vec<&str> = rest.split_whitespace().collect();
    if tokens.len() < 4 || !tokens.len().is_multiple_of(2) {
        return None;
    }
    tokens
        .chunks_exact(2)
        .map(|pair| {
            let name = pair[0];
            if !name.bytes().all(|b| b.is_ascii_uppercase()) {
                return None;
            }
            Some((name.to_string(), pair[1].parse().ok()?))
        })
        .collect()
}

/// `Signature 306F2 Stepping 2 Model 3F Family 6 Type 0 ExtModel 3 ExtFamily 0 ...`
/// -> (family, model, stepping); OpenCore prints the model with its extension
/// already in it, the family without.
fn cpu_signature(rest: &str) -> Option<(u32, u32, u32)> {
    let words: Vec<&str> = rest.split_whitespace().collect();
    let field = |name: &str| -> Option<u32> {
        let i = words.iter().position(|w| *w == name)?;
        u32::from_str_radix(words.get(i + 1)?, 16).ok()
    };
    let mut family = field("Family")?;
    if family == 0xF {
        family += field("ExtFamily").unwrap_or(0);
    }
    Some((family, field("Model")?, field("Stepping").unwrap_or(0)))
}

/// `<"slide=128 -v">` -> `slide=128 -v`.
fn quoted_args(rest: &str) -> Option<String> {
    let start = rest.find("<\"")? + 2;
    let end = rest.rfind("\">")?;
    (end >= start).then(|| rest[start..end].to_string())
}

/// Read an OpenCore debug log (or a README with pasted `OCABC:` lines).
/// Never fails; `recognised_lines` is 0 when nothing was found.
pub fn parse_oclog(text: &str) -> OcLog {
    let mut log = OcLog::default();
    let mut pending_some: Option<(u32, u32)> = None;
    let mut reports: Vec<LoggedSlides> = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if let Some(at) = line.find("OC: OpenCore ") {
            if let Some((build, version, date)) = version_line(&line[at + 13..]) {
                log.build = Some(build);
                log.version = Some(version);
                log.build_date = date;
                log.recognised_lines += 1;
            }
            continue;
        }
        if let Some(at) = line.find("OCCPU: ") {
            let rest = line[at + 7..].trim();
            if let Some(brand) = rest.strip_prefix("Found ")
                && !brand.starts_with("nForce")
                && !brand.starts_with("unsupported")
            {
                log.cpu_brand = Some(brand.trim().to_string());
            } else if let Some(sig) = rest.strip_prefix("Signature ") {
                log.cpu_signature = cpu_signature(sig).or(log.cpu_signature);
            }
            continue;
        }
        if let Some(at) = line.find("#[EB|MBA:NV]") {
            if let Some(args) = quoted_args(&line[at..]) {
                log.nvram_boot_args.push((index + 1, args));
            }
            continue;
        }
        let Some(at) = line.find("OCABC: ") else {
            continue;
        };
        log.recognised_lines += 1;
        let rest = line[at + 7..].trim_end();
        if let Some(r) = rest.strip_prefix("MMIO devirt ") {
            if r.starts_with("start") {
                log.devirt.clear();
            } else if let Some(saved) = r.strip_prefix("end, saved ") {
                log.devirt_saved_kib = saved.strip_suffix("KB").and_then(parse_u64);
            } else if let Some(entry) = devirt_line(r) {
                log.devirt.push(entry);
            } else {
                log.warnings
                    .push(format!("line {}: unreadable MMIO devirt line", index + 1));
            }
        } else if let Some(r) = rest.strip_prefix("MAT support is ") {
            log.mat_support = match r.trim() {
                "1" => Some(true),
                "0" => Some(false),
                _ => log.mat_support,
            };
        } else if rest.starts_with("All slides are usable!") {
            reports.push(LoggedSlides::AllUsable);
        } else if let Some(r) = rest.strip_prefix("Only ") {
            let counts = r.split_whitespace().next().and_then(|c| c.split_once('/'));
            if let Some((k, n)) = counts
                && let (Ok(k), Ok(n)) = (k.parse(), n.parse())
            {
                pending_some = Some((k, n));
                reports.push(LoggedSlides::Some {
                    count: k,
                    total: n,
                    valid: None,
                    ranges: None,
                });
            }
        } else if let Some(r) = rest.strip_prefix("Valid slides - ") {
            if let (Some((count, _)), Some(LoggedSlides::Some { valid, ranges, .. })) =
                (pending_some.take(), reports.last_mut())
            {
                *ranges = Some(r.to_string());
                match parse_ranges(r) {
                    Some(list) if list.len() == count as usize => *valid = Some(list),
                    Some(list) => log.warnings.push(format!(
                        "line {}: `Valid slides` lists {} slides but the count line says {count} (OpenCore truncates long lists)",
                        index + 1,
                        list.len()
                    )),
                    None => log
                        .warnings
                        .push(format!("line {}: unreadable `Valid slides` list", index + 1)),
                }
            }
        } else if let Some(r) = rest.strip_prefix("No slide values are usable! Falling back to ") {
            let mut words = r.split_whitespace();
            let fallback = words.next().and_then(|w| w.parse().ok());
            let bytes = words
                .nth(1)
                .and_then(|w| parse_u64(w.trim_end_matches('!')));
            if let (Some(fallback), Some(bytes)) = (fallback, bytes) {
                reports.push(LoggedSlides::NoneUsable { fallback, bytes });
            }
        } else if let Some(r) = rest.strip_prefix("Firmware has ") {
            let words: Vec<&str> = r.split_whitespace().collect();
            if let (Some(total), Some(lower)) = (
                words.first().and_then(|w| w.parse().ok()),
                words
                    .get(3)
                    .and_then(|w| w.trim_start_matches('(').parse().ok()),
            ) {
                log.free_pages = Some((total, lower));
            }
        } else if let Some(flags) = quirk_header(rest) {
            log.quirk_flags.extend(flags);
        }
    }
    log.slide_reports = reports.len();
    if let Some(first) = reports.first()
        && reports.iter().any(|r| r != first)
    {
        log.warnings.push(format!(
            "the log holds {} slide reports that differ; the last one is used",
            reports.len()
        ));
    }
    log.slide_report = reports.pop();
    log
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\
00:003 00:003 OC: OpenCore DBG-099-2024-03-11 is loading in Optional mode (0/0)...
00:195 00:001 OCABC: ALRBL 0 RTDFRG 1 DEVMMIO 1 NOSU 0 SMSLIDE 1 WRUNPROT 0
00:197 00:001 OCABC: FEXITBS 0 PRMRG 0 CSLIDE 1 MSLIDE 0 ARBAR -1
00:199 00:001 OCABC: Firmware has 8151817 free pages (427023 in lower 4 GB)
00:247 00:001 OCABC: MAT support is 1
15:751 00:002 OCABC: MMIO devirt start
15:753 00:002 OCABC: MMIO devirt 0xE0000000 (0x10000 pages, 0x800000000000100D) skip 0
15:758 00:002 OCABC: MMIO devirt 0xFEE00000 (0x1 pages, 0x8000000000000001) skip 1
15:765 00:002 OCABC: MMIO devirt end, saved 262144 KB
15:768 00:002 OCABC: Only 7/256 slide values are usable!
15:770 00:002 OCABC: Valid slides - 1-3, 9, 10, 20-21
";

    #[test]
    fn reads_every_line_kind() {
        let log = parse_oclog(LOG);
        assert_eq!(log.version.as_deref(), Some("0.9.9"));
        assert_eq!(log.build.as_deref(), Some("DBG"));
        assert_eq!(log.build_date.as_deref(), Some("2024-03-11"));
        assert_eq!(log.flag("DEVMMIO"), Some(1));
        assert_eq!(log.flag("ARBAR"), Some(-1));
        assert_eq!(log.free_pages, Some((8151817, 427023)));
        assert_eq!(log.mat_support, Some(true));
        assert_eq!(
            log.devirt,
            vec![
                (0xE000_0000, 0x10000, 0x8000_0000_0000_100D, false),
                (0xFEE0_0000, 1, 0x8000_0000_0000_0001, true)
            ]
        );
        assert_eq!(log.skipped_regions(), vec![0xFEE0_0000]);
        assert_eq!(log.devirt_saved_kib, Some(262144));
        assert_eq!(
            log.slide_report,
            Some(LoggedSlides::Some {
                count: 7,
                total: 256,
                valid: Some(vec![1, 2, 3, 9, 10, 20, 21]),
                ranges: Some("1-3, 9, 10, 20-21".into()),
            })
        );
        assert!(log.warnings.is_empty(), "{:?}", log.warnings);
    }

    #[test]
    fn release_version_and_other_reports() {
        let log = parse_oclog(
            "OC: OpenCore REL-107-2025-10-06 is loading\nOCABC: All slides are usable! You can disable ProvideCustomSlide!\n",
        );
        assert_eq!(log.version.as_deref(), Some("1.0.7"));
        assert_eq!(log.build.as_deref(), Some("REL"));
        assert_eq!(log.slide_report, Some(LoggedSlides::AllUsable));
        let log = parse_oclog(
            "x OCABC: No slide values are usable! Falling back to 86 with 0x0D1C8000 bytes!",
        );
        assert_eq!(
            log.slide_report,
            Some(LoggedSlides::NoneUsable {
                fallback: 86,
                bytes: 0x0D1C_8000
            })
        );
        assert_eq!(log.slide_report.map(|r| r.count()), Some(0));
    }

    #[test]
    fn cpu_and_nvram_boot_args() {
        let log = parse_oclog(
            "00:084 00:013 OCCPU: Found Intel(R) Xeon(R) CPU E5-1630 v3 @ 3.70GHz\n\
             00:097 00:013 OCCPU: Signature 306F2 Stepping 2 Model 3F Family 6 Type 0 ExtModel 3 ExtFamily 0 uCode 0 CPUID MAX (F/80000008)\n\
             12:311 00:013 AAPL: #[EB|MBA:NV] <\"slide=128 -v keepsyms=1\">\n",
        );
        assert_eq!(
            log.cpu_brand.as_deref(),
            Some("Intel(R) Xeon(R) CPU E5-1630 v3 @ 3.70GHz")
        );
        assert_eq!(log.cpu_signature, Some((6, 0x3F, 2)));
        assert_eq!(
            log.nvram_boot_args,
            vec![(3, "slide=128 -v keepsyms=1".to_string())]
        );
        let amd = parse_oclog(
            "OCCPU: Signature A60F12 Stepping 2 Model 61 Family F Type 0 ExtModel 6 ExtFamily A uCode 0",
        );
        assert_eq!(amd.cpu_signature, Some((0x19, 0x61, 2)));
    }

    #[test]
    fn mat_zero_and_garbage() {
        let log = parse_oclog("OCABC: MAT support is 0\nOCABC: MMIO devirt 0xZZ (junk\n");
        assert_eq!(log.mat_support, Some(false));
        assert_eq!(log.warnings.len(), 1);
        assert_eq!(parse_oclog("nothing here").recognised_lines, 0);
    }

    #[test]
    fn count_mismatch_warns() {
        let log =
            parse_oclog("OCABC: Only 5/256 slide values are usable!\nOCABC: Valid slides - 1-3\n");
        assert_eq!(log.warnings.len(), 1);
        assert_eq!(log.slide_report.map(|r| r.count()), Some(5));
    }
}
