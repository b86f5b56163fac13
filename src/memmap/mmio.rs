//! Runtime MMIO regions, a ready-to-paste `MmioWhitelist`, and the bisect
//! plan people follow to find which region their firmware needs.

use serde::Serialize;

use super::oclog::OcLog;
use super::simulate::{
    AreaIndex, ESTIMATED_KERNEL_SIZE, SlideOptions, format_ranges, is_devirtualised,
};
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
    let slides = map.map(|m| OneWhitelisted::new(m, opts));
    // Regions of the same size leave the same slides.
    let mut by_area: std::collections::HashMap<u64, Vec<u8>> = std::collections::HashMap::new();
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
            let valid = slides.as_ref().map(|s| {
                by_area
                    .entry(s.area(r.start))
                    .or_insert_with_key(|&area| s.index.valid_slides(area, &s.opts))
                    .clone()
            });
            BisectStep {
                step: i + 1,
                start: r.start,
                pages: r.pages,
                reason,
                valid_count: valid.as_ref().map(Vec::len),
                ranges: valid.as_deref().map(format_ranges),
            }
        })
        .collect()
}

/// The slides left with `DevirtualiseMmio` on and one address whitelisted,
/// for any address, in O(log n) per address: the address only changes the
/// runtime size (by the pages of the runtime MMIO regions holding it), so
/// the map is indexed once. Gives what [`simulate`] gives with
/// `whitelist: vec![address]`.
struct OneWhitelisted {
    opts: SlideOptions,
    /// Runtime pages with nothing whitelisted.
    runtime_pages: u128,
    /// Runtime MMIO regions (the ones `DevirtualiseMmio` strips): starts
    /// ascending with prefix sums of pages, and ends ascending with prefix
    /// sums of pages.
    starts: Vec<(u64, u128)>,
    ends: Vec<(u64, u128)>,
    index: AreaIndex,
}

impl OneWhitelisted {
    fn new(map: &MemoryMap, opts: &SlideOptions) -> OneWhitelisted {
        let opts = SlideOptions {
            devirtualise_mmio: true,
            whitelist: Vec::new(),
            ..opts.clone()
        };
        let mut runtime_pages = 0u128;
        let (mut starts, mut ends) = (Vec::new(), Vec::new());
        for d in &map.descriptors {
            if is_devirtualised(d, &opts) {
                starts.push((d.start, d.pages));
                ends.push((d.end(), d.pages));
            } else if d.mem_type != MemType::Reserved && d.is_runtime() {
                runtime_pages += u128::from(d.pages);
            }
        }
        let sums = |mut v: Vec<(u64, u64)>| {
            v.sort_unstable();
            let mut total = 0u128;
            v.into_iter()
                .map(|(at, pages)| {
                    total += u128::from(pages);
                    (at, total)
                })
                .collect::<Vec<_>>()
        };
        OneWhitelisted {
            runtime_pages,
            starts: sums(starts),
            ends: sums(ends),
            index: AreaIndex::new(map),
            opts,
        }
    }

    /// Pages of the runtime MMIO regions that hold `address`: those that
    /// start at or below it minus those that end at or below it.
    fn pages_holding(&self, address: u64) -> u128 {
        let upto = |v: &[(u64, u128)]| {
            let n = v.partition_point(|&(at, _)| at <= address);
            n.checked_sub(1).map_or(0, |i| v[i].1)
        };
        upto(&self.starts) - upto(&self.ends)
    }

    /// The kernel area with only `address` whitelisted.
    fn area(&self, address: u64) -> u64 {
        let pages =
            u64::try_from(self.runtime_pages + self.pages_holding(address)).unwrap_or(u64::MAX);
        pages
            .saturating_mul(PAGE_SIZE)
            .saturating_add(ESTIMATED_KERNEL_SIZE)
    }
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

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]

        /// Each step's slides are what a full simulation with only that
        /// region whitelisted gives (overlapping regions included).
        #[test]
        fn each_step_matches_a_full_simulation(
            layout in proptest::collection::vec(
                (0u64..0x200, 1u64..0x40, 0u8..4, proptest::prelude::any::<bool>()),
                1..20,
            ),
            max_slide in 0u8..4,
        ) {
            use crate::memmap::types::{Descriptor, EFI_MEMORY_RUNTIME};
            let mut descriptors = vec![Descriptor {
                mem_type: MemType::Conventional,
                start: 0x10_0000,
                pages: 0x20000,
                attributes: 0,
                line: 0,
            }];
            for (at, pages, kind, runtime) in layout {
                let mem_type = [MemType::Mmio, MemType::Mmio, MemType::Reserved, MemType::Conventional][kind as usize];
                descriptors.push(Descriptor {
                    mem_type,
                    // MMIO high up (some overlapping), the rest in the slide window.
                    start: if mem_type == MemType::Mmio { 0xE000_0000 + at * 0x4000 } else { at * 0x10_0000 },
                    pages: if mem_type == MemType::Mmio { pages * 0x100 } else { pages },
                    attributes: if runtime { EFI_MEMORY_RUNTIME } else { 0 },
                    line: 0,
                });
            }
            let map = MemoryMap { descriptors, ..MemoryMap::default() };
            let opts = SlideOptions { max_slide: max_slide * 60, ..SlideOptions::default() };
            let regions = mmio_regions(&map, &opts);
            for step in bisect_plan(&regions, Some(&map), &opts) {
                let full = crate::memmap::simulate(&map, &SlideOptions {
                    devirtualise_mmio: true,
                    whitelist: vec![step.start],
                    ..opts.clone()
                });
                proptest::prop_assert_eq!(step.valid_count, Some(full.valid_count));
                proptest::prop_assert_eq!(step.ranges, Some(full.ranges));
            }
        }
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
