//! An OpenCore log against a memory map of the same machine: simulate the
//! map with the quirks the logged boot ran with and line the results up.

use serde::Serialize;

use super::oclog::{LoggedSlides, OcLog};
use super::simulate::{SlideAnalysis, SlideOptions, format_ranges, simulate};
use super::types::{MemType, MemoryMap};

impl OcLog {
    /// The options the logged boot ran with, as far as the log tells:
    /// `DEVMMIO` and `MSLIDE` from the quirk header (DevirtualiseMmio also
    /// when `MMIO devirt` lines exist), the whitelist from the `skip 1` devirt
    /// lines; anything the log does not say comes from `fallback`.
    pub fn slide_options(&self, fallback: &SlideOptions) -> SlideOptions {
        SlideOptions {
            // OpenCore prints `MMIO devirt` lines only with the quirk on.
            devirtualise_mmio: match self.flag("DEVMMIO") {
                Some(v) => v == 1,
                None => !self.devirt.is_empty() || fallback.devirtualise_mmio,
            },
            whitelist: if self.devirt.is_empty() {
                fallback.whitelist.clone()
            } else {
                self.skipped_regions()
            },
            max_slide: self
                .flag("MSLIDE")
                .and_then(|v| u8::try_from(v).ok())
                .unwrap_or(fallback.max_slide),
            sandy_ivy: fallback.sandy_ivy,
            amd: fallback.amd,
        }
    }
}

/// A slide the log lists as usable that the map simulation does not.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MissingSlide {
    /// The slide.
    pub slide: u8,
    /// Type of the descriptor that blocks it in the map, if one does.
    pub blocked_by: Option<MemType>,
    /// Its start address.
    pub blocker_start: Option<u64>,
    /// Its line in the memmap.
    pub blocker_line: Option<usize>,
    /// A loader image (LoaderCode/LoaderData) blocks it: in a shell memmap
    /// that is usually the shell itself, gone when boot.efi runs.
    pub loader_image: bool,
}

/// The comparison (M005's input).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogComparison {
    /// Options simulated (the log's).
    pub options: SlideOptions,
    /// Usable count the log reported.
    pub log_valid_count: u32,
    /// Slides the log listed, when it listed them.
    pub log_ranges: Option<String>,
    /// Usable count of the map simulation.
    pub memmap_valid_count: usize,
    /// Its slides.
    pub memmap_ranges: String,
    /// Slides the log lists and the map does not.
    pub missing: Vec<MissingSlide>,
    /// Slides the map allows and the log does not list.
    pub extra: Vec<u8>,
    /// Same count and, where the log lists slides, same slides.
    pub agree: bool,
}

/// Compare `log` with `map`; `None` when the log holds no slide report.
pub fn compare_log(log: &OcLog, map: &MemoryMap, fallback: &SlideOptions) -> Option<LogComparison> {
    let report = log.slide_report.as_ref()?;
    let options = log.slide_options(fallback);
    let a: SlideAnalysis = simulate(map, &options);
    let logged: Option<Vec<u8>> = match report {
        LoggedSlides::AllUsable => Some((0..=255).collect()),
        LoggedSlides::Some { valid, .. } => valid.clone(),
        LoggedSlides::NoneUsable { .. } => Some(Vec::new()),
    };
    let (missing, extra) = match &logged {
        Some(list) => (
            list.iter()
                .filter(|s| !a.valid_slides.contains(s))
                .map(|&slide| {
                    let d = a
                        .scans
                        .get(usize::from(slide))
                        .and_then(|sc| sc.blocked_by)
                        .and_then(|i| map.descriptors.get(i));
                    MissingSlide {
                        slide,
                        blocked_by: d.map(|d| d.mem_type),
                        blocker_start: d.map(|d| d.start),
                        blocker_line: d.map(|d| d.line),
                        loader_image: d.is_some_and(|d| {
                            matches!(d.mem_type, MemType::LoaderCode | MemType::LoaderData)
                        }),
                    }
                })
                .collect(),
            a.valid_slides
                .iter()
                .copied()
                .filter(|s| !list.contains(s))
                .collect(),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let agree = report.count() as usize == a.valid_count && missing.is_empty() && extra.is_empty();
    Some(LogComparison {
        options,
        log_valid_count: report.count(),
        log_ranges: logged.as_deref().map(format_ranges),
        memmap_valid_count: a.valid_count,
        memmap_ranges: a.ranges,
        missing,
        extra,
        agree,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memmap::oclog::parse_oclog;
    use crate::memmap::parse::parse_shell;

    const MAP: &str = include_str!("../../tests/fixtures/memmap/acceptance.txt");

    #[test]
    fn agrees_with_a_log_of_the_same_quirks() {
        let log = parse_oclog(include_str!("../../tests/fixtures/memmap/log-devirt.txt"));
        let c = compare_log(&log, &parse_shell(MAP), &SlideOptions::default()).expect("report");
        assert_eq!(c.options.whitelist, vec![0xFF00_0000]);
        assert!(c.options.devirtualise_mmio);
        assert_eq!((c.log_valid_count, c.memmap_valid_count), (148, 148));
        assert!(c.agree);
    }

    /// The log claims 0-28 with DevirtualiseMmio: the area is 17 runtime
    /// pages + 200 MiB = 0xC811000, so slide 28 (start 0x3900000) ends at
    /// 0x10111000, past the BS_Data page at 0x10000000 (line 5) that blocks it.
    #[test]
    fn devirt_lines_imply_the_quirk_without_a_header() {
        let log = parse_oclog(
            "x OCABC: MMIO devirt 0xFF000000 (0x1000 pages, 0x8000000000000001) skip 1\n",
        );
        let o = log.slide_options(&SlideOptions::default());
        assert!(o.devirtualise_mmio);
        assert_eq!(o.whitelist, vec![0xFF00_0000]);
        let none = parse_oclog("OCABC: MAT support is 1\n").slide_options(&SlideOptions::default());
        assert!(!none.devirtualise_mmio);
    }

    #[test]
    fn names_the_blocker_of_each_missing_slide() {
        let log = parse_oclog(
            "OCABC: ALRBL 0 DEVMMIO 1 MSLIDE 0 CSLIDE 1\nOCABC: Only 157/256 slide values are usable!\nOCABC: Valid slides - 0-28, 128-255\n",
        );
        let c = compare_log(&log, &parse_shell(MAP), &SlideOptions::default()).expect("report");
        assert!(!c.agree);
        assert_eq!(c.missing.len(), 1);
        let m = &c.missing[0];
        assert_eq!(
            (m.slide, m.blocked_by, m.blocker_start, m.blocker_line),
            (
                28,
                Some(MemType::BootServicesData),
                Some(0x1000_0000),
                Some(5)
            )
        );
        assert!(!m.loader_image && c.extra.is_empty());
    }
}
