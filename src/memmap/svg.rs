//! A hand-written SVG picture of the memory map below 4 GiB, coloured by
//! type, with the slide window, each slide's verdict and the estimated
//! kernel area marked. Output is deterministic (fixed formatting, map order).

use std::fmt::Write as _;

use super::simulate::{SlideAnalysis, SlideOptions, slide_range};
use super::types::{MemType, MemoryMap};

const WIDTH: f64 = 1000.0;
const LEFT: f64 = 20.0;
const SPAN: f64 = WIDTH - 2.0 * LEFT;
const FOUR_GIB: u64 = 1 << 32;

fn colour(t: MemType) -> &'static str {
    use MemType::*;
    match t {
        Conventional => "#43a047",
        LoaderCode | LoaderData => "#9ccc65",
        BootServicesCode | BootServicesData => "#90caf9",
        RuntimeServicesCode | RuntimeServicesData => "#e53935",
        Reserved | Unusable => "#616161",
        AcpiReclaim | AcpiNvs => "#ffb300",
        Mmio | MmioPort => "#8e24aa",
        PalCode | Persistent | Unaccepted | Other(_) => "#8d6e63",
    }
}

fn legend_name(t: MemType) -> &'static str {
    use MemType::*;
    match t {
        Conventional => "Available",
        LoaderCode | LoaderData => "Loader",
        BootServicesCode | BootServicesData => "Boot services",
        RuntimeServicesCode | RuntimeServicesData => "Runtime services",
        Reserved | Unusable => "Reserved / unusable",
        AcpiReclaim | AcpiNvs => "ACPI",
        Mmio | MmioPort => "MMIO",
        PalCode | Persistent | Unaccepted | Other(_) => "Other",
    }
}

fn label(bytes: u64) -> String {
    const MIB: u64 = 1 << 20;
    if bytes >= 1 << 30 && bytes.is_multiple_of(1 << 30) {
        format!("{} GiB", bytes >> 30)
    } else {
        format!("{} MiB", bytes / MIB)
    }
}

/// Draw one band: descriptors in `[lo, hi)` scaled onto the full width.
fn band(out: &mut String, map: &MemoryMap, lo: u64, hi: u64, y: f64, h: f64) {
    let scale = SPAN / (hi - lo) as f64;
    let _ = writeln!(
        out,
        r##"<rect x="{LEFT:.2}" y="{y:.2}" width="{SPAN:.2}" height="{h:.2}" fill="#ffffff" stroke="#9e9e9e"/>"##
    );
    for d in &map.descriptors {
        let (s, e) = (d.start.max(lo), d.end().min(hi));
        if s >= e {
            continue;
        }
        let x = LEFT + (s - lo) as f64 * scale;
        // Anything but free memory stays visible, however small: it blocks slides.
        let min = if d.mem_type == MemType::Conventional {
            0.5
        } else {
            1.5
        };
        let w = ((e - s) as f64 * scale).max(min);
        let _ = writeln!(
            out,
            r#"<rect x="{x:.2}" y="{y:.2}" width="{w:.2}" height="{h:.2}" fill="{}"><title>{} 0x{:X}-0x{:X} ({} pages)</title></rect>"#,
            colour(d.mem_type),
            d.mem_type.name(),
            d.start,
            d.end().saturating_sub(1),
            d.pages
        );
    }
    // Ticks: eight per band.
    for i in 0..=8u64 {
        let at = lo + (hi - lo) / 8 * i;
        let x = LEFT + (at - lo) as f64 * scale;
        let _ = writeln!(
            out,
            r##"<line x1="{x:.2}" y1="{:.2}" x2="{x:.2}" y2="{:.2}" stroke="#424242"/><text x="{x:.2}" y="{:.2}" font-size="10" text-anchor="middle">{}</text>"##,
            y + h,
            y + h + 4.0,
            y + h + 15.0,
            label(at)
        );
    }
}

/// Render `map` with `analysis` (from `simulate(map, opts)`) as an SVG document.
pub fn render_svg(map: &MemoryMap, analysis: &SlideAnalysis, opts: &SlideOptions) -> String {
    let mut out = String::new();
    let area = analysis.estimated_kernel_area;
    let window_end = slide_range(255, area, opts.sandy_ivy).1;
    let zoom_hi = window_end
        .clamp(64 << 20, FOUR_GIB)
        .next_multiple_of(64 << 20)
        .min(FOUR_GIB);
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="290" viewBox="0 0 {WIDTH} 290" font-family="sans-serif">"#
    );
    let _ = writeln!(
        out,
        r#"<text x="{LEFT}" y="20" font-size="14" font-weight="bold">Memory below 4 GiB: {} of 256 slides usable ({}), kernel area {} ({} runtime pages + 200 MiB)</text>"#,
        analysis.valid_count,
        if analysis.ranges.is_empty() {
            "none"
        } else {
            analysis.ranges.as_str()
        },
        label(area),
        analysis.runtime_pages
    );
    band(&mut out, map, 0, FOUR_GIB, 32.0, 36.0);
    // The slide window on the full band.
    let scale = SPAN / FOUR_GIB as f64;
    let (w0, w1) = (
        slide_range(0, area, opts.sandy_ivy).0,
        window_end.min(FOUR_GIB),
    );
    let _ = writeln!(
        out,
        r##"<rect x="{:.2}" y="30" width="{:.2}" height="40" fill="none" stroke="#1e88e5" stroke-width="2"><title>slide window</title></rect>"##,
        LEFT + w0 as f64 * scale,
        (w1.saturating_sub(w0)) as f64 * scale
    );
    let _ = writeln!(
        out,
        r#"<text x="{LEFT}" y="105" font-size="12">Slide window, 0 to {}: one cell per slide start (green usable, red blocked, grey not scanned), kernel area below</text>"#,
        label(zoom_hi)
    );
    band(&mut out, map, 0, zoom_hi, 112.0, 36.0);
    let zscale = SPAN / zoom_hi as f64;
    for slide in 0..=255u8 {
        let (start, _) = slide_range(slide, area, opts.sandy_ivy);
        if start >= zoom_hi {
            continue;
        }
        let scan = analysis.scans.get(usize::from(slide));
        let fill = match scan {
            Some(s) if s.usable => "#2e7d32",
            Some(_) => "#c62828",
            None => "#bdbdbd",
        };
        let _ = writeln!(
            out,
            r#"<rect x="{:.2}" y="172" width="{:.2}" height="12" fill="{fill}"><title>slide {slide} at 0x{start:X}</title></rect>"#,
            LEFT + start as f64 * zscale,
            ((2u64 << 20) as f64 * zscale).max(0.5)
        );
    }
    let shown = analysis
        .valid_slides
        .first()
        .copied()
        .unwrap_or(analysis.fallback_slide);
    let (ks, ke) = slide_range(shown, area, opts.sandy_ivy);
    let (ks, ke) = (ks.min(zoom_hi), ke.min(zoom_hi));
    let _ = writeln!(
        out,
        r##"<rect x="{:.2}" y="190" width="{:.2}" height="10" fill="#1e88e5" opacity="0.6"/><text x="{:.2}" y="214" font-size="11">estimated kernel area at slide {shown}{}</text>"##,
        LEFT + ks as f64 * zscale,
        (ke - ks) as f64 * zscale,
        LEFT + ks as f64 * zscale,
        if analysis.valid_slides.is_empty() {
            " (fallback)"
        } else {
            " (first usable)"
        }
    );
    // Legend: the types present below 4 GiB, in a fixed order.
    let mut present: Vec<&'static str> = Vec::new();
    let mut kinds: Vec<MemType> = map
        .descriptors
        .iter()
        .filter(|d| d.start < FOUR_GIB)
        .map(|d| d.mem_type)
        .collect();
    kinds.sort();
    let mut x = LEFT;
    for t in kinds {
        let name = legend_name(t);
        if present.contains(&name) {
            continue;
        }
        present.push(name);
        let _ = writeln!(
            out,
            r#"<rect x="{x:.2}" y="240" width="12" height="12" fill="{}"/><text x="{:.2}" y="250" font-size="11">{name}</text>"#,
            colour(t),
            x + 16.0
        );
        x += 24.0 + 6.5 * name.len() as f64;
    }
    let _ = writeln!(
        out,
        r##"<rect x="{LEFT}" y="262" width="12" height="12" fill="#2e7d32"/><text x="36" y="272" font-size="11">usable slide</text><rect x="130" y="262" width="12" height="12" fill="#c62828"/><text x="146" y="272" font-size="11">blocked slide</text><rect x="250" y="262" width="12" height="12" fill="none" stroke="#1e88e5" stroke-width="2"/><text x="266" y="272" font-size="11">slide window</text>"##
    );
    out.push_str("</svg>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memmap::parse::parse_shell;
    use crate::memmap::simulate::simulate;

    #[test]
    fn deterministic_and_well_formed() {
        let map = parse_shell(include_str!("../../tests/fixtures/memmap/acceptance.txt"));
        let opts = SlideOptions::default();
        let a = simulate(&map, &opts);
        let svg = render_svg(&map, &a, &opts);
        assert_eq!(svg, render_svg(&map, &a, &opts));
        assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>\n"));
        assert!(svg.lines().all(|l| l.starts_with('<') && l.ends_with('>')));
        assert!(!svg.contains("NaN") && !svg.contains("inf"));
        assert!(svg.contains("128 of 256 slides usable (128-255)"));
        assert!(svg.contains("slide 128 at 0x10100000"));
        assert!(svg.contains(">MMIO<"));
        assert!(svg.contains("estimated kernel area at slide 128 (first usable)"));
    }

    #[test]
    fn empty_and_huge_maps_do_not_panic() {
        let opts = SlideOptions::default();
        let empty = MemoryMap::default();
        let _ = render_svg(&empty, &simulate(&empty, &opts), &opts);
        let huge = parse_shell(
            "Reserved 0000000000000000-FFFFFFFFFFFFFFFF FFFFFFFFFFFFFFFF 8000000000000000\n",
        );
        let _ = render_svg(&huge, &simulate(&huge, &opts), &opts);
    }
}
