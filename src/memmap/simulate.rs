//! OpenCore's `ProvideCustomSlide` memory-map analysis, reproduced.
//!
//! Facts (from OpenCore's `CustomSlide.c`, `OcMemoryLib` and the
//! `DevirtualiseMmio` filter): runtime pages are the pages of every non-Reserved
//! descriptor with `EFI_MEMORY_RUNTIME`; the kernel needs that many bytes plus
//! 200 MiB; slide `s` starts at `0x100000 + s * 0x200000` (plus `0x10200000`
//! from slide 128 on Sandy and Ivy Bridge); a slide is usable when the
//! descriptors overlapping its area, scanned in map order, are all
//! conventional memory and cover it completely.

use serde::Serialize;

use super::types::{Descriptor, MemType, MemoryMap, PAGE_SIZE};

/// Where slide 0 puts the kernel.
pub const KERNEL_BASE: u64 = 0x10_0000;
/// Distance between two slides.
pub const SLIDE_GRANULARITY: u64 = 0x20_0000;
/// What OpenCore adds to the runtime area for the kernel itself (200 MiB).
pub const ESTIMATED_KERNEL_SIZE: u64 = 200 * 1024 * 1024;
/// First slide moved up on Sandy/Ivy Bridge (Intel HD 2000/3000/4000 erratum).
pub const SANDY_IVY_FIRST_SLIDE: u8 = 128;
/// How far those slides move up.
pub const SANDY_IVY_SKIP: u64 = 0x1020_0000;

/// The quirks and CPU facts that change the analysis.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct SlideOptions {
    /// `Booter/Quirks/DevirtualiseMmio`.
    pub devirtualise_mmio: bool,
    /// Enabled `Booter/MmioWhitelist` addresses.
    pub whitelist: Vec<u64>,
    /// `Booter/Quirks/ProvideMaxSlide` (0 = off).
    pub max_slide: u8,
    /// Sandy Bridge or Ivy Bridge CPU.
    pub sandy_ivy: bool,
    /// An AMD CPU: region names that only fit Intel chipsets are not used.
    #[serde(skip)]
    pub amd: bool,
}

/// What OpenCore decides from the analysis.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Decision {
    /// All 256 usable: no slide is passed; ProvideCustomSlide is not needed.
    AllUsable,
    /// Some usable: "Only K/256", a random usable slide is passed.
    SomeUsable,
    /// None usable: the fallback slide is passed.
    NoneUsable,
}

/// A runtime MMIO region of the evidence (before `DevirtualiseMmio`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MmioRegion {
    /// Physical start.
    pub start: u64,
    /// Pages.
    pub pages: u64,
    /// Attribute bits.
    pub attributes: u64,
}

/// How one slide fared (not part of the JSON contract).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SlideScan {
    /// Slide number.
    pub slide: u8,
    /// Kernel area start.
    pub start: u64,
    /// Kernel area end (exclusive).
    pub end: u64,
    /// Conventional bytes counted before the scan stopped.
    pub available: u64,
    /// Index in `MemoryMap::descriptors` of the descriptor that blocked it.
    pub blocked_by: Option<usize>,
    /// Whether the slide is usable.
    pub usable: bool,
}

/// The result of [`simulate`]. Serialises to the JSON contract.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct SlideAnalysis {
    /// Descriptors in the map.
    pub descriptors: usize,
    /// Runtime pages after `DevirtualiseMmio`.
    pub runtime_pages: u64,
    /// Runtime bytes + 200 MiB.
    pub estimated_kernel_area: u64,
    /// Usable slides, ascending.
    pub valid_slides: Vec<u8>,
    /// Their count.
    pub valid_count: usize,
    /// The slide with the most conventional bytes (first wins on ties).
    pub fallback_slide: u8,
    /// Conventional bytes at the fallback slide.
    pub max_available: u64,
    /// OpenCore's decision.
    pub decision: Decision,
    /// Usable slides printed as OpenCore prints them.
    pub ranges: String,
    /// KiB that lost the runtime bit through `DevirtualiseMmio`.
    pub devirtualised_kib: u64,
    /// Whether the map has a descriptor with 0 pages (OpenCore then ignores
    /// every later descriptor in its slide scan).
    pub zero_page_descriptor: bool,
    /// Runtime MMIO descriptors of the evidence, before devirtualisation.
    pub mmio_runtime_regions: Vec<MmioRegion>,
    /// Lines of the evidence that were not understood.
    pub unparsed_lines: usize,
    /// Per-slide detail for the slides OpenCore scanned.
    #[serde(skip)]
    pub scans: Vec<SlideScan>,
    /// Line of the first zero-page descriptor.
    #[serde(skip)]
    pub zero_page_line: Option<usize>,
}

/// Kernel area `[start, end)` for a slide.
pub fn slide_range(slide: u8, area: u64, sandy_ivy: bool) -> (u64, u64) {
    let mut start = KERNEL_BASE + u64::from(slide) * SLIDE_GRANULARITY;
    if sandy_ivy && slide >= SANDY_IVY_FIRST_SLIDE {
        start += SANDY_IVY_SKIP;
    }
    (start, start.saturating_add(area))
}

/// Whether `DevirtualiseMmio` strips the runtime bit from `d`.
pub fn is_devirtualised(d: &Descriptor, opts: &SlideOptions) -> bool {
    opts.devirtualise_mmio
        && d.mem_type == MemType::Mmio
        && d.pages > 0
        && d.is_runtime()
        && !opts.whitelist.iter().any(|&a| d.contains(a))
}

/// Compact form of a descriptor for the scan loop.
#[derive(Clone, Copy)]
struct Span {
    start: u64,
    end: u64,
    conventional: bool,
}

/// Run OpenCore's analysis on `map` with `opts`.
pub fn simulate(map: &MemoryMap, opts: &SlideOptions) -> SlideAnalysis {
    analyse(map, opts, None)
}

/// The same scan with the kernel area forced to `area` bytes instead of
/// runtime bytes + 200 MiB (what-if use only; OpenCore never does this).
pub fn simulate_with_area(map: &MemoryMap, opts: &SlideOptions, area: u64) -> SlideAnalysis {
    analyse(map, opts, Some(area))
}

/// Runs of consecutive usable slides as (first, last). On Sandy/Ivy Bridge a
/// run never crosses 127/128, because those slides are not adjacent in memory.
pub fn usable_runs(valid: &[u8], sandy_ivy: bool) -> Vec<(u8, u8)> {
    let mut runs: Vec<(u8, u8)> = Vec::new();
    for &s in valid {
        match runs.last_mut() {
            Some((_, last))
                if u16::from(*last) + 1 == u16::from(s)
                    && !(sandy_ivy && s == SANDY_IVY_FIRST_SLIDE) =>
            {
                *last = s
            }
            _ => runs.push((s, s)),
        }
    }
    runs
}

fn analyse(map: &MemoryMap, opts: &SlideOptions, area_override: Option<u64>) -> SlideAnalysis {
    let mut runtime_pages = 0u64;
    let mut devirtualised_pages = 0u64;
    let mut mmio_runtime_regions = Vec::new();
    for d in &map.descriptors {
        if d.mem_type == MemType::Mmio && d.is_runtime() && d.pages > 0 {
            mmio_runtime_regions.push(MmioRegion {
                start: d.start,
                pages: d.pages,
                attributes: d.attributes,
            });
        }
        if is_devirtualised(d, opts) {
            devirtualised_pages = devirtualised_pages.saturating_add(d.pages);
        } else if d.mem_type != MemType::Reserved && d.is_runtime() {
            runtime_pages = runtime_pages.saturating_add(d.pages);
        }
    }
    let area = area_override.unwrap_or_else(|| {
        runtime_pages
            .saturating_mul(PAGE_SIZE)
            .saturating_add(ESTIMATED_KERNEL_SIZE)
    });

    // OpenCore's scan never moves past a descriptor with 0 pages.
    let zero_at = map.descriptors.iter().position(|d| d.pages == 0);
    let scanned = &map.descriptors[..zero_at.unwrap_or(map.descriptors.len())];
    let spans: Vec<Span> = scanned
        .iter()
        .map(|d| Span {
            start: d.start,
            end: d.end(),
            conventional: d.mem_type == MemType::Conventional,
        })
        .collect();

    let mut scans = Vec::with_capacity(256);
    let (mut fallback_slide, mut max_available) = (0u8, 0u64);
    for slide in 0..=255u8 {
        let (start, end) = slide_range(slide, area, opts.sandy_ivy);
        let mut available = 0u64;
        let mut blocked_by = None;
        for (i, s) in spans.iter().enumerate() {
            if s.start < end && s.end > start {
                if !s.conventional {
                    blocked_by = Some(i);
                    break;
                }
                available = available.wrapping_add(s.end.min(end) - s.start.max(start));
            }
        }
        if available > max_available {
            max_available = available;
            fallback_slide = slide;
        }
        // Past ProvideMaxSlide a slide is scanned (it may become the
        // fallback) but never usable, and the scan ends.
        let past_max = opts.max_slide > 0 && slide > opts.max_slide;
        let usable = !past_max && blocked_by.is_none() && start.wrapping_add(available) == end;
        scans.push(SlideScan {
            slide,
            start,
            end,
            available,
            blocked_by,
            usable,
        });
        if past_max {
            break;
        }
    }
    let valid_slides: Vec<u8> = scans.iter().filter(|s| s.usable).map(|s| s.slide).collect();
    let decision = match valid_slides.len() {
        256 => Decision::AllUsable,
        0 => Decision::NoneUsable,
        _ => Decision::SomeUsable,
    };
    SlideAnalysis {
        descriptors: map.descriptors.len(),
        runtime_pages,
        estimated_kernel_area: area,
        valid_count: valid_slides.len(),
        ranges: format_ranges(&valid_slides),
        valid_slides,
        fallback_slide,
        max_available,
        decision,
        devirtualised_kib: devirtualised_pages.saturating_mul(PAGE_SIZE) / 1024,
        zero_page_descriptor: zero_at.is_some(),
        mmio_runtime_regions,
        unparsed_lines: map.unparsed_lines,
        scans,
        zero_page_line: zero_at.and_then(|i| map.descriptors.get(i)).map(|d| d.line),
    }
}

/// Print ascending slides as OpenCore does: runs of three or more as `a-c`,
/// shorter runs one by one, separated by `, `.
pub fn format_ranges(slides: &[u8]) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut i = 0;
    while i < slides.len() {
        let mut j = i;
        while j + 1 < slides.len() && u16::from(slides[j + 1]) == u16::from(slides[j]) + 1 {
            j += 1;
        }
        if j - i >= 2 {
            parts.push(format!("{}-{}", slides[i], slides[j]));
        } else {
            parts.extend(slides[i..=j].iter().map(|s| s.to_string()));
        }
        i = j + 1;
    }
    parts.join(", ")
}

/// Read a list printed by [`format_ranges`] (or by OpenCore) back into slides.
/// `None` when a part is not a slide number or range.
pub fn parse_ranges(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for part in text.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b): (u8, u8) = (a.trim().parse().ok()?, b.trim().parse().ok()?);
                if a > b {
                    return None;
                }
                out.extend(a..=b);
            }
            None => out.push(part.parse().ok()?),
        }
    }
    Some(out)
}

mod area;
pub use area::AreaIndex;

#[cfg(test)]
mod tests;
