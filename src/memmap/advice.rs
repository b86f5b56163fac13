//! The what-if table and ordered recommendations built on the simulation.

use serde::Serialize;

use super::simulate::{
    Decision, ESTIMATED_KERNEL_SIZE, SlideAnalysis, SlideOptions, simulate, simulate_with_area,
    usable_runs,
};
use super::types::MemoryMap;

/// One row of the what-if table: the same map under other quirk settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WhatIfRow {
    /// What changed, e.g. `+ DevirtualiseMmio`.
    pub label: String,
    /// The options simulated.
    pub options: SlideOptions,
    /// Usable slides.
    pub valid_count: usize,
    /// Usable slides printed like OpenCore.
    pub ranges: String,
    /// Fallback slide.
    pub fallback_slide: u8,
    /// Runtime pages.
    pub runtime_pages: u64,
    /// Estimated kernel area in bytes.
    pub estimated_kernel_area: u64,
}

fn row(map: &MemoryMap, label: String, options: SlideOptions) -> WhatIfRow {
    let a = simulate(map, &options);
    WhatIfRow {
        label,
        options,
        valid_count: a.valid_count,
        ranges: a.ranges,
        fallback_slide: a.fallback_slide,
        runtime_pages: a.runtime_pages,
        estimated_kernel_area: a.estimated_kernel_area,
    }
}

fn hex_list(addresses: &[u64]) -> String {
    let v: Vec<String> = addresses.iter().map(|a| format!("0x{a:X}")).collect();
    v.join(", ")
}

/// Rows: as configured; `+ DevirtualiseMmio` without a whitelist; with the
/// configured whitelist (when there is one); and without `ProvideMaxSlide`
/// (when it is set), each keeping the other settings as configured.
pub fn what_if(map: &MemoryMap, configured: &SlideOptions) -> Vec<WhatIfRow> {
    let mut rows = vec![row(map, "as configured".into(), configured.clone())];
    rows.push(row(
        map,
        "+ DevirtualiseMmio, no whitelist".into(),
        SlideOptions {
            devirtualise_mmio: true,
            whitelist: Vec::new(),
            ..configured.clone()
        },
    ));
    if !configured.whitelist.is_empty() {
        rows.push(row(
            map,
            format!(
                "+ DevirtualiseMmio, whitelist {}",
                hex_list(&configured.whitelist)
            ),
            SlideOptions {
                devirtualise_mmio: true,
                ..configured.clone()
            },
        ));
    }
    if configured.max_slide > 0 {
        rows.push(row(
            map,
            format!(
                "as configured without ProvideMaxSlide {}",
                configured.max_slide
            ),
            SlideOptions {
                max_slide: 0,
                ..configured.clone()
            },
        ));
    }
    rows
}

/// What a recommendation is about; recommendations come in this order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecommendationKind {
    /// A `Booter/Quirks` or `MmioWhitelist` change.
    Quirk,
    /// A firmware (BIOS) setting.
    Firmware,
    /// A last-resort `slide=N` boot argument.
    BootArg,
    /// Something to know about the evidence.
    Note,
}

/// One recommendation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Recommendation {
    /// Its kind (the sort key).
    pub kind: RecommendationKind,
    /// What to do and why, in one or two sentences.
    pub text: String,
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

/// Ordered recommendations for `map` under `opts` (`analysis` is
/// `simulate(map, opts)`): quirks first, firmware settings next, and only
/// when no slide is usable even with `DevirtualiseMmio` a fixed `slide=N`
/// from the middle of the longest run of slides that fit the kernel alone.
pub fn recommend(
    map: &MemoryMap,
    opts: &SlideOptions,
    analysis: &SlideAnalysis,
) -> Vec<Recommendation> {
    let mut out = Vec::new();
    let mut push = |kind, text: String| out.push(Recommendation { kind, text });
    let count = analysis.valid_count;
    if let Some(line) = analysis.zero_page_line {
        push(
            RecommendationKind::Note,
            format!(
                "line {line} is a descriptor with 0 pages: OpenCore's slide scan never moves past it, so every later descriptor is ignored; these results reproduce that, not the real free memory"
            ),
        );
    }
    if analysis.decision == Decision::AllUsable {
        push(
            RecommendationKind::Quirk,
            "all 256 slides are usable: OpenCore passes no slide and says ProvideCustomSlide can be disabled".into(),
        );
        return sorted(out);
    }
    let devirt_on = SlideOptions {
        devirtualise_mmio: true,
        whitelist: if opts.devirtualise_mmio {
            opts.whitelist.clone()
        } else {
            Vec::new()
        },
        ..opts.clone()
    };
    let with_devirt = simulate(map, &devirt_on);
    if !opts.devirtualise_mmio && with_devirt.valid_count > count {
        push(
            RecommendationKind::Quirk,
            format!(
                "enable Booter/Quirks/DevirtualiseMmio: usable slides {count} -> {} ({}); {} KiB of runtime MMIO stop counting. If the machine then hangs, whitelist the region it needs (see `ocaudit mmio`)",
                with_devirt.valid_count, with_devirt.ranges, with_devirt.devirtualised_kib
            ),
        );
    }
    if opts.devirtualise_mmio {
        for &address in &opts.whitelist {
            let in_region = analysis
                .mmio_runtime_regions
                .iter()
                .any(|r| address >= r.start && address - r.start < r.pages.saturating_mul(4096));
            if !in_region {
                push(
                    RecommendationKind::Quirk,
                    format!(
                        "MmioWhitelist 0x{address:X} lies in no runtime MMIO region of this map: it has no effect here; check the address"
                    ),
                );
                continue;
            }
            let without = SlideOptions {
                whitelist: opts
                    .whitelist
                    .iter()
                    .copied()
                    .filter(|a| *a != address)
                    .collect(),
                ..opts.clone()
            };
            let b = simulate(map, &without).valid_count;
            if b > count {
                push(
                    RecommendationKind::Quirk,
                    format!(
                        "MmioWhitelist 0x{address:X} costs {} slides ({count} -> {b} without it): keep it only if the firmware needs that region at run time",
                        b - count
                    ),
                );
            }
        }
    }
    if opts.max_slide > 0 {
        let b = simulate(
            map,
            &SlideOptions {
                max_slide: 0,
                ..opts.clone()
            },
        )
        .valid_count;
        if b > count {
            push(
                RecommendationKind::Quirk,
                format!(
                    "ProvideMaxSlide {} leaves {count} usable slides where {b} fit: set it to 0 unless higher slides fail on this machine",
                    opts.max_slide
                ),
            );
        }
    }
    match analysis.decision {
        Decision::SomeUsable => push(
            RecommendationKind::Quirk,
            format!(
                "keep Booter/Quirks/ProvideCustomSlide enabled: only {count}/256 slides are usable and OpenCore passes a random one of them; keep slide= out of boot-args"
            ),
        ),
        _ => push(
            RecommendationKind::Quirk,
            format!(
                "keep Booter/Quirks/ProvideCustomSlide enabled: no slide fits the {} kernel area, so OpenCore falls back to slide {} ({} free)",
                mib(analysis.estimated_kernel_area),
                analysis.fallback_slide,
                mib(analysis.max_available)
            ),
        ),
    }
    push(RecommendationKind::Firmware, "firmware setup: enable Above 4G Decoding, so PCI devices map their memory above 4 GiB instead of into the slide window".into());
    push(RecommendationKind::Firmware, "firmware setup: disable CSM (legacy boot support), whose option ROMs and reserved regions crowd low memory".into());
    push(RecommendationKind::Firmware, "firmware setup: disable devices you do not use (serial and parallel ports, spare storage or network controllers, onboard audio), each of which can add runtime memory".into());
    if analysis.valid_count == 0 && with_devirt.valid_count == 0 {
        let kernel_only = simulate_with_area(map, opts, ESTIMATED_KERNEL_SIZE);
        let runs = usable_runs(&kernel_only.valid_slides, opts.sandy_ivy);
        let longest = runs
            .iter()
            .copied()
            .fold(None::<(u8, u8)>, |best, r| match best {
                Some(b) if b.1 - b.0 >= r.1 - r.0 => Some(b),
                _ => Some(r),
            });
        match longest {
            Some((a, b)) => push(
                RecommendationKind::BootArg,
                format!(
                    "last resort, only until the settings above free memory: slides {a}-{b} fit the 200 MiB kernel alone (not its runtime area); add slide={} (the middle of that run) to boot-args, and remove it once a slide becomes usable",
                    (u16::from(a) + u16::from(b)) / 2
                ),
            ),
            None => push(
                RecommendationKind::BootArg,
                format!(
                    "no slide fits even the 200 MiB kernel alone: a fixed slide= cannot help; OpenCore's fallback slide {} is the best there is until firmware settings change",
                    analysis.fallback_slide
                ),
            ),
        }
    }
    sorted(out)
}

fn sorted(mut list: Vec<Recommendation>) -> Vec<Recommendation> {
    list.sort_by_key(|r| r.kind);
    list
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memmap::parse::parse_shell;
    use crate::memmap::types::{Descriptor, EFI_MEMORY_RUNTIME, MemType};

    fn acceptance() -> MemoryMap {
        parse_shell(include_str!("../../tests/fixtures/memmap/acceptance.txt"))
    }

    #[test]
    fn what_if_rows_match_the_acceptance_example() {
        let configured = SlideOptions {
            devirtualise_mmio: false,
            whitelist: vec![0xFF00_0000],
            max_slide: 200,
            sandy_ivy: false,
            amd: false,
        };
        let rows = what_if(&acceptance(), &configured);
        let got: Vec<(usize, &str)> = rows
            .iter()
            .map(|r| (r.valid_count, r.ranges.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (73, "128-200"),
                (101, "0-27, 128-200"),
                (93, "0-19, 128-200"),
                (128, "128-255")
            ]
        );
        assert_eq!(rows[2].label, "+ DevirtualiseMmio, whitelist 0xFF000000");
    }

    #[test]
    fn recommendations_come_in_order() {
        let map = acceptance();
        let opts = SlideOptions::default();
        let recs = recommend(&map, &opts, &simulate(&map, &opts));
        assert!(
            recs[0]
                .text
                .contains("DevirtualiseMmio: usable slides 128 -> 156 (0-27, 128-255)"),
            "{recs:?}"
        );
        let kinds: Vec<RecommendationKind> = recs.iter().map(|r| r.kind).collect();
        let mut sorted_kinds = kinds.clone();
        sorted_kinds.sort();
        assert_eq!(kinds, sorted_kinds);
        assert!(recs.iter().all(|r| r.kind != RecommendationKind::BootArg));
    }

    #[test]
    fn whitelist_cost_and_stray_address() {
        let map = acceptance();
        let opts = SlideOptions {
            devirtualise_mmio: true,
            whitelist: vec![0xFF00_0000, 0x1234],
            ..SlideOptions::default()
        };
        let recs = recommend(&map, &opts, &simulate(&map, &opts));
        let text: Vec<&str> = recs.iter().map(|r| r.text.as_str()).collect();
        assert!(
            text.iter()
                .any(|t| t.contains("0xFF000000 costs 8 slides (148 -> 156")),
            "{text:?}"
        );
        assert!(
            text.iter()
                .any(|t| t.contains("0x1234 lies in no runtime MMIO region")),
            "{text:?}"
        );
    }

    /// Nothing fits: Available 0..0x8000000 (127 MiB above 1 MiB), RT_Data
    /// 0x8000000..0xC000000 (0x4000 runtime pages), Available
    /// 0xC000000..0x1B000000 (240 MiB). Area = 64 MiB + 200 MiB = 264 MiB fits
    /// nowhere, with or without DevirtualiseMmio (there is no MMIO).
    /// The kernel alone (0xC800000) fits from slide 96 (start 0xC100000) to
    /// slide 115 (start 0xE700000, end 0x1AF00000); the middle is 105.
    /// Fallback: slide 96 with 0x1B000000 - 0xC100000 = 0xEF00000 bytes.
    #[test]
    fn fixed_slide_only_when_nothing_is_usable() {
        let d = |t, start, pages, rt: bool| Descriptor {
            mem_type: t,
            start,
            pages,
            attributes: if rt { EFI_MEMORY_RUNTIME } else { 0 },
            line: 0,
        };
        let map = MemoryMap {
            descriptors: vec![
                d(MemType::Conventional, 0, 0x8000, false),
                d(MemType::RuntimeServicesData, 0x800_0000, 0x4000, true),
                d(MemType::Conventional, 0xC00_0000, 0xF000, false),
            ],
            ..MemoryMap::default()
        };
        let opts = SlideOptions::default();
        let a = simulate(&map, &opts);
        assert_eq!(a.estimated_kernel_area, 0x1080_0000);
        assert_eq!(a.decision, Decision::NoneUsable);
        assert_eq!((a.fallback_slide, a.max_available), (96, 0xEF0_0000));
        let recs = recommend(&map, &opts, &a);
        let last = recs.last().expect("recommendations");
        assert_eq!(last.kind, RecommendationKind::BootArg);
        assert!(
            last.text.contains("slides 96-115") && last.text.contains("slide=105"),
            "{}",
            last.text
        );
        assert!(recs[0].text.contains("falls back to slide 96"), "{recs:?}");
    }
}
