//! Runtime MMIO regions, a ready-to-paste `MmioWhitelist`, and the bisect
//! plan people follow to find which region their firmware needs.

use serde::Serialize;

use super::oclog::OcLog;
use super::simulate::{SlideOptions, is_devirtualised, simulate};
use super::types::{MemType, MemoryMap, PAGE_SIZE};

/// One runtime MMIO region (type 11 with `EFI_MEMORY_RUNTIME`, pages > 0).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MmioRegionReport {
    /// Physical start address (the value to whitelist).
    pub start: u64,
    /// Pages.
    pub pages: u64,
    /// Size in bytes.
    pub size: u64,
    /// Attribute bits.
    pub attributes: u64,
    /// Whether a whitelist address of the options lies in it.
    pub whitelisted: bool,
    /// Whether `DevirtualiseMmio` (when on) strips its runtime bit: not whitelisted.
    pub devirtualised: bool,
    /// Bytes the kernel area shrinks by when it is devirtualised.
    pub saved_bytes: u64,
    /// Line in the evidence (0 when unknown).
    pub line: usize,
}

/// Every runtime MMIO region of `map`, in map order.
pub fn mmio_regions(map: &MemoryMap, opts: &SlideOptions) -> Vec<MmioRegionReport> {
    let on = SlideOptions {
        devirtualise_mmio: true,
        ..opts.clone()
    };
    map.descriptors
        .iter()
        .filter(|d| d.mem_type == MemType::Mmio && d.is_runtime() && d.pages > 0)
        .map(|d| {
            let devirtualised = is_devirtualised(d, &on);
            MmioRegionReport {
                start: d.start,
                pages: d.pages,
                size: d.size(),
                attributes: d.attributes,
                whitelisted: !devirtualised,
                devirtualised,
                saved_bytes: if devirtualised { d.size() } else { 0 },
                line: d.line,
            }
        })
        .collect()
}

/// Runtime MMIO regions as an OpenCore log listed them (`MMIO devirt` lines,
/// printed only when `DevirtualiseMmio` was on).
pub fn mmio_regions_from_log(log: &OcLog) -> Vec<MmioRegionReport> {
    log.devirt
        .iter()
        .map(|&(start, pages, attributes, skipped)| {
            let size = pages.saturating_mul(PAGE_SIZE);
            MmioRegionReport {
                start,
                pages,
                size,
                attributes,
                whitelisted: skipped,
                devirtualised: !skipped,
                saved_bytes: if skipped { 0 } else { size },
                line: 0,
            }
        })
        .collect()
}

/// A `Booter/MmioWhitelist` `<array>` with one entry per region, ready to
/// paste: `Address` in decimal (OpenCore reads `<integer>` as decimal),
/// a `Comment` naming the region, and `Enabled` true only for regions the
/// options already whitelist. Enable one entry at a time per the bisect plan.
pub fn whitelist_plist(regions: &[MmioRegionReport]) -> String {
    let mut out = String::from("<array>\n");
    for r in regions {
        out.push_str(&format!(
            "\t<dict>\n\t\t<key>Address</key>\n\t\t<integer>{}</integer>\n\t\t<key>Comment</key>\n\t\t<string>MMIO 0x{:X} (0x{:X} pages)</string>\n\t\t<key>Enabled</key>\n\t\t<{}/>\n\t</dict>\n",
            r.start,
            r.start,
            r.pages,
            if r.whitelisted { "true" } else { "false" }
        ));
    }
    out.push_str("</array>\n");
    out
}

/// Regions some firmware is known to need at run time, named in OpenCore's
/// own sample configuration, most likely first; the flag marks names that
/// fit Intel chipsets only (left out for an AMD platform).
const KNOWN: [(u64, &str, bool); 2] = [
    (
        0xFED1_C000,
        "Haswell SB_RCBA (root complex base), holds the SPI flash registers NVRAM writes need",
        true,
    ),
    (
        0xFF00_0000,
        "PCI root region (firmware flash mapping) used by some firmware at run time",
        false,
    ),
];

/// One step of the bisect plan.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BisectStep {
    /// 1-based step number.
    pub step: usize,
    /// Region start (the address to whitelist).
    pub start: u64,
    /// Region pages.
    pub pages: u64,
    /// Why it comes at this position.
    pub reason: String,
    /// Usable slides with `DevirtualiseMmio` on and only this region
    /// whitelisted (`None` without a memory map, e.g. from a log alone).
    pub valid_count: Option<usize>,
    /// Those slides, printed like OpenCore.
    pub ranges: Option<String>,
}

/// The plan: with `DevirtualiseMmio` on, whitelist one region at a time,
/// regions known to be needed first (OpenCore's sample names 0xFED1C000 and
/// 0xFF000000), then the rest from the smallest (cheapest to keep) up. Each
/// step says how many slides that whitelist leaves, when `map` is given.
pub fn bisect_plan(
    regions: &[MmioRegionReport],
    map: Option<&MemoryMap>,
    opts: &SlideOptions,
) -> Vec<BisectStep> {
    let contains = |r: &MmioRegionReport, a: u64| a >= r.start && a - r.start < r.size;
    let known: Vec<(u64, &str)> = KNOWN
        .iter()
        .filter(|(_, _, intel_only)| !(opts.amd && *intel_only))
        .map(|&(a, why, _)| (a, why))
        .collect();
    let rank = |r: &MmioRegionReport| {
        known
            .iter()
            .position(|(a, _)| contains(r, *a))
            .unwrap_or(known.len())
    };
    let mut order: Vec<&MmioRegionReport> = regions.iter().collect();
    order.sort_by_key(|r| (rank(r), r.pages, r.start));
    order
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            let reason = match known.get(rank(r)) {
                Some((a, why)) if *a == r.start => why.to_string(),
                Some((a, why)) => format!("contains 0x{a:X}: {why}"),
                None if r.size >= 1 << 20 => {
                    format!("{} MiB; smaller regions cost fewer slides", r.size >> 20)
                }
                None => format!("{} KiB; smaller regions cost fewer slides", r.size / 1024),
            };
            let analysis = map.map(|m| {
                simulate(
                    m,
                    &SlideOptions {
                        devirtualise_mmio: true,
                        whitelist: vec![r.start],
                        ..opts.clone()
                    },
                )
            });
            BisectStep {
                step: i + 1,
                start: r.start,
                pages: r.pages,
                reason,
                valid_count: analysis.as_ref().map(|a| a.valid_count),
                ranges: analysis.map(|a| a.ranges),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memmap::oclog::parse_oclog;
    use crate::memmap::parse::parse_shell;

    fn acceptance() -> MemoryMap {
        parse_shell(include_str!("../../tests/fixtures/memmap/acceptance.txt"))
    }

    #[test]
    fn regions_and_savings() {
        let opts = SlideOptions {
            whitelist: vec![0xFF00_0010],
            ..SlideOptions::default()
        };
        let regions = mmio_regions(&acceptance(), &opts);
        assert_eq!(regions.len(), 6);
        assert_eq!(regions[1].start, 0xFE00_0000);
        assert_eq!(regions[1].size, 0x11 * 4096);
        let last = &regions[5];
        assert!(last.whitelisted && !last.devirtualised && last.saved_bytes == 0);
        let saved: u64 = regions.iter().map(|r| r.saved_bytes).sum();
        assert_eq!(saved / 1024, 278_620 - 0x1000 * 4);
    }

    #[test]
    fn plist_snippet() {
        let regions = mmio_regions(&acceptance(), &SlideOptions::default());
        let plist = whitelist_plist(&regions[1..2]);
        assert_eq!(
            plist,
            "<array>\n\t<dict>\n\t\t<key>Address</key>\n\t\t<integer>4261412864</integer>\n\t\t<key>Comment</key>\n\t\t<string>MMIO 0xFE000000 (0x11 pages)</string>\n\t\t<key>Enabled</key>\n\t\t<false/>\n\t</dict>\n</array>\n"
        );
    }

    #[test]
    fn bisect_orders_known_regions_first_and_counts_slides() {
        let map = acceptance();
        let regions = mmio_regions(&map, &SlideOptions::default());
        let plan = bisect_plan(&regions, Some(&map), &SlideOptions::default());
        let starts: Vec<u64> = plan.iter().map(|s| s.start).collect();
        // 0xFF000000 is known; the rest from the smallest: 1, 1, 4, 0x11, 0x10000 pages.
        assert_eq!(
            starts,
            [
                0xFF00_0000,
                0xFEC0_0000,
                0xFEE0_0000,
                0xFED0_0000,
                0xFE00_0000,
                0xE000_0000
            ]
        );
        assert_eq!(plan[0].valid_count, Some(148));
        assert_eq!(plan[0].ranges.as_deref(), Some("0-19, 128-255"));
        // Whitelisting 0xE0000000 keeps 0x10000 pages runtime: back to 128.
        assert_eq!(plan[5].valid_count, Some(128));
    }

    #[test]
    fn log_regions_and_contained_known_address() {
        let log = parse_oclog(
            "OCABC: MMIO devirt 0xFED00000 (0x100 pages, 0x8000000000000001) skip 0\nOCABC: MMIO devirt 0xC0000000 (0x10 pages, 0x8000000000000001) skip 1\n",
        );
        let regions = mmio_regions_from_log(&log);
        assert!(regions[1].whitelisted);
        let plan = bisect_plan(&regions, None, &SlideOptions::default());
        let amd = bisect_plan(
            &regions,
            None,
            &SlideOptions {
                amd: true,
                ..SlideOptions::default()
            },
        );
        assert!(
            amd.iter().all(|s| !s.reason.contains("SB_RCBA")),
            "no Intel chipset names on an AMD platform"
        );
        assert_eq!(plan[0].start, 0xFED0_0000);
        assert!(plan[0].reason.starts_with("contains 0xFED1C000"));
        assert_eq!(plan[0].valid_count, None);
    }
}
