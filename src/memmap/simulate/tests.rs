//! Hand-computed expectations for the slide simulation.

use super::*;
use crate::memmap::parse::parse_shell;
use crate::memmap::types::EFI_MEMORY_RUNTIME;

const ACCEPTANCE: &str = include_str!("../../../tests/fixtures/memmap/acceptance.txt");

fn d(mem_type: MemType, start: u64, pages: u64, runtime: bool) -> Descriptor {
    Descriptor {
        mem_type,
        start,
        pages,
        attributes: 0xF | if runtime { EFI_MEMORY_RUNTIME } else { 0 },
        line: 0,
    }
}

fn map(descriptors: Vec<Descriptor>) -> MemoryMap {
    MemoryMap {
        descriptors,
        ..MemoryMap::default()
    }
}

fn opts(devirt: bool, whitelist: &[u64], max_slide: u8) -> SlideOptions {
    SlideOptions {
        devirtualise_mmio: devirt,
        whitelist: whitelist.to_vec(),
        max_slide,
        sandy_ivy: false,
        amd: false,
    }
}

#[test]
fn acceptance_as_configured() {
    let m = parse_shell(ACCEPTANCE);
    assert_eq!(m.descriptors.len(), 14);
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
    let a = simulate(&m, &SlideOptions::default());
    assert_eq!(a.runtime_pages, 69672);
    assert_eq!(a.estimated_kernel_area, 495_091_712);
    assert_eq!(a.valid_count, 128);
    assert_eq!(a.valid_slides, (128..=255).collect::<Vec<u8>>());
    assert_eq!(a.ranges, "128-255");
    assert_eq!(a.fallback_slide, 128);
    assert_eq!(a.max_available, 495_091_712);
    assert_eq!(a.decision, Decision::SomeUsable);
    assert_eq!(a.devirtualised_kib, 0);
    assert!(!a.zero_page_descriptor);
    assert_eq!(a.mmio_runtime_regions.len(), 6);
    // Slide 0 is blocked by the BS_Data page at 0x10000000 (descriptor 3).
    assert_eq!(a.scans[0].blocked_by, Some(3));
}

#[test]
fn acceptance_with_devirtualise_mmio() {
    let m = parse_shell(ACCEPTANCE);
    let a = simulate(&m, &opts(true, &[], 0));
    assert_eq!(a.runtime_pages, 17);
    assert_eq!(a.estimated_kernel_area, 209_784_832);
    assert_eq!(a.valid_count, 156);
    assert_eq!(a.ranges, "0-27, 128-255");
    assert_eq!(a.fallback_slide, 0);
    assert_eq!(a.devirtualised_kib, 278_620);
}

#[test]
fn acceptance_with_whitelist() {
    let m = parse_shell(ACCEPTANCE);
    let a = simulate(&m, &opts(true, &[0xFF00_0000], 0));
    assert_eq!(a.valid_count, 148);
    assert_eq!(a.ranges, "0-19, 128-255");
    // 0xFF000000 keeps its 0x1000 pages: 17 + 4096 runtime pages.
    assert_eq!(a.runtime_pages, 17 + 0x1000);
    assert_eq!(a.devirtualised_kib, 278_620 - 0x1000 * 4);
}

#[test]
fn acceptance_with_provide_max_slide() {
    let m = parse_shell(ACCEPTANCE);
    let a = simulate(&m, &opts(false, &[], 200));
    assert_eq!(a.valid_count, 73);
    assert_eq!(a.ranges, "128-200");
    assert_eq!(a.fallback_slide, 128);
    // Slide 201 is scanned (it could be the fallback), 202 is not.
    assert_eq!(a.scans.len(), 202);
}

/// Zero-page quirk. Map: Available 0..256 MiB, a 0-page BS_Data, Reserved
/// 0x10000000..0x10100000, Available up to 1 GiB, RT_Data 0x100 pages.
/// Runtime pages 0x100 -> area 0x100000 + 200 MiB = 0xC900000.
/// OpenCore scans only the first descriptor: slide s is usable while
/// 0x100000 + s*0x200000 + 0xC900000 <= 0x10000000, i.e. s <= 27.
/// A correct scan would also allow 128-255; OpenCore does not see them.
#[test]
fn zero_page_descriptor_hides_the_rest_of_the_map() {
    let m = map(vec![
        d(MemType::Conventional, 0, 0x10000, false),
        d(MemType::BootServicesData, 0x1000_0000, 0, false),
        d(MemType::Reserved, 0x1000_0000, 0x100, false),
        d(MemType::Conventional, 0x1010_0000, 0x2FF00, false),
        d(MemType::RuntimeServicesData, 0x4000_0000, 0x100, true),
    ]);
    let a = simulate(&m, &SlideOptions::default());
    assert_eq!(a.runtime_pages, 0x100);
    assert_eq!(a.estimated_kernel_area, 0xC90_0000);
    assert!(a.zero_page_descriptor);
    assert_eq!(a.ranges, "0-27");
    assert_eq!(a.valid_count, 28);
    assert_eq!(a.fallback_slide, 0);
    assert_eq!(a.max_available, 0xC90_0000);
    // Without the zero-page descriptor the same map gives 0-27 and 128-255.
    let mut fixed = m.clone();
    fixed.descriptors.remove(1);
    let b = simulate(&fixed, &SlideOptions::default());
    assert!(!b.zero_page_descriptor);
    assert_eq!(b.ranges, "0-27, 128-255");
}

/// Sandy/Ivy Bridge. Map: Available 0x100000..0x20000000, Reserved
/// 0x20000000..0x30000000, Available 0x30000000..0x50000000; no runtime
/// pages, area 200 MiB = 0xC800000.
/// Normal CPU: s usable while s*0x200000 <= 0x20000000 - 0xC900000, s <= 155;
/// every later slide overlaps the Reserved block.
/// Sandy/Ivy: 0-127 as before; from 128 on start = 0x10300000 + s*0x200000,
/// which clears the Reserved block only at s = 255 (start 0x30100000).
#[test]
fn sandy_ivy_moves_slides_from_128() {
    let m = map(vec![
        d(MemType::Conventional, 0x10_0000, 0x1FF00, false),
        d(MemType::Reserved, 0x2000_0000, 0x10000, false),
        d(MemType::Conventional, 0x3000_0000, 0x20000, false),
    ]);
    let normal = simulate(&m, &SlideOptions::default());
    assert_eq!(normal.estimated_kernel_area, 0xC80_0000);
    assert_eq!(normal.ranges, "0-155");
    let sandy = simulate(
        &m,
        &SlideOptions {
            sandy_ivy: true,
            ..SlideOptions::default()
        },
    );
    assert_eq!(sandy.ranges, "0-127, 255");
    assert_eq!(sandy.valid_count, 129);
    assert_eq!(slide_range(255, 0, true).0, 0x3010_0000);
}

/// No slide usable. Available 0..0x8000000, RT_Data 0x8000000..0x8100000,
/// Available 0x8100000..0x10000000. Area 0xC900000 fits nowhere.
/// Slide 0 adds 0x8000000 - 0x100000 = 0x7F00000 before RT_Data blocks it;
/// slide 64 (start 0x8100000) adds the same 0x7F00000 from the third
/// descriptor: not strictly larger, so slide 0 stays the fallback.
#[test]
fn fallback_when_none_usable_first_wins() {
    let m = map(vec![
        d(MemType::Conventional, 0, 0x8000, false),
        d(MemType::RuntimeServicesData, 0x800_0000, 0x100, true),
        d(MemType::Conventional, 0x810_0000, 0x7F00, false),
    ]);
    let a = simulate(&m, &SlideOptions::default());
    assert_eq!(a.decision, Decision::NoneUsable);
    assert_eq!(a.valid_count, 0);
    assert_eq!(a.ranges, "");
    assert_eq!(a.fallback_slide, 0);
    assert_eq!(a.max_available, 0x7F0_0000);
    assert_eq!(a.scans[64].available, 0x7F0_0000);
}

/// Same descriptors with RT_Data listed first: slides 0-63 are now blocked
/// before any byte is counted, so the fallback moves to slide 64. Map order
/// matters. With ProvideMaxSlide 63, slide 64 is still scanned and still
/// the fallback; with 62 it is not scanned and the fallback is 0 with 0 bytes.
#[test]
fn fallback_depends_on_map_order_and_max_slide() {
    let m = map(vec![
        d(MemType::RuntimeServicesData, 0x800_0000, 0x100, true),
        d(MemType::Conventional, 0, 0x8000, false),
        d(MemType::Conventional, 0x810_0000, 0x7F00, false),
    ]);
    let a = simulate(&m, &SlideOptions::default());
    assert_eq!(a.fallback_slide, 64);
    assert_eq!(a.max_available, 0x7F0_0000);
    let b = simulate(&m, &opts(false, &[], 63));
    assert_eq!((b.fallback_slide, b.scans.len()), (64, 65));
    let c = simulate(&m, &opts(false, &[], 62));
    assert_eq!((c.fallback_slide, c.max_available), (0, 0));
}

#[test]
fn all_usable_decision() {
    let m = map(vec![d(MemType::Conventional, 0, 0x100000, false)]);
    let a = simulate(&m, &SlideOptions::default());
    assert_eq!(a.decision, Decision::AllUsable);
    assert_eq!(a.ranges, "0-255");
}

#[test]
fn devirtualise_skips_mmio_port_and_zero_pages() {
    let mut port = d(MemType::MmioPort, 0xE000_0000, 0x10, true);
    port.attributes |= 1;
    let m = map(vec![port, d(MemType::Mmio, 0xF000_0000, 0, true)]);
    let a = simulate(&m, &opts(true, &[], 0));
    assert_eq!(a.runtime_pages, 0x10);
    assert_eq!(a.devirtualised_kib, 0);
}

#[test]
fn ranges_print_like_opencore() {
    assert_eq!(format_ranges(&[]), "");
    assert_eq!(format_ranges(&[5]), "5");
    assert_eq!(format_ranges(&[1, 2]), "1, 2");
    assert_eq!(
        format_ranges(&[1, 2, 3, 5, 7, 8, 9, 10, 255]),
        "1-3, 5, 7-10, 255"
    );
    assert_eq!(format_ranges(&[254, 255]), "254, 255");
    assert_eq!(parse_ranges("0-94, 205-255").map(|v| v.len()), Some(146));
    assert_eq!(parse_ranges("1, 2, x"), None);
    assert_eq!(parse_ranges("9-3"), None);
}

#[test]
fn json_contract_fields() {
    let a = simulate(&parse_shell(ACCEPTANCE), &SlideOptions::default());
    let v = serde_json::to_value(&a).expect("serialises");
    let mut keys: Vec<&str> = v
        .as_object()
        .map(|o| o.keys().map(String::as_str).collect())
        .unwrap_or_default();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "decision",
            "descriptors",
            "devirtualised_kib",
            "estimated_kernel_area",
            "fallback_slide",
            "max_available",
            "mmio_runtime_regions",
            "ranges",
            "runtime_pages",
            "unparsed_lines",
            "valid_count",
            "valid_slides",
            "zero_page_descriptor"
        ]
    );
    assert_eq!(v["decision"], "some-usable");
    assert_eq!(v["mmio_runtime_regions"][0]["start"], 0xE000_0000u64);
}

#[test]
fn runs_split_at_128_on_sandy_ivy() {
    let v: Vec<u8> = (120..=135).chain([200, 201]).collect();
    assert_eq!(usable_runs(&v, false), vec![(120, 135), (200, 201)]);
    assert_eq!(
        usable_runs(&v, true),
        vec![(120, 127), (128, 135), (200, 201)]
    );
    assert_eq!(usable_runs(&[], false), vec![]);
}
