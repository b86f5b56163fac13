//! Property tests: parse(render(map)) round-trips, DevirtualiseMmio never
//! lowers the usable count, ProvideMaxSlide never raises it, and no input
//! makes the parsers (or anything downstream) panic.

use ocaudit::memmap::{
    Descriptor, EFI_MEMORY_RUNTIME, Evidence, InputFormat, MemType, MemoryMap, SlideOptions,
    bisect_plan, mmio_regions, parse_evidence, parse_oclog, parse_shell, recommend, render_shell,
    simulate, svg::render_svg, what_if,
};
use proptest::prelude::*;

fn mem_type() -> impl Strategy<Value = MemType> {
    prop_oneof![
        8 => (0u32..16).prop_map(MemType::from_u32),
        1 => (16u32..=u32::MAX).prop_map(MemType::from_u32),
    ]
}

fn descriptor() -> impl Strategy<Value = Descriptor> {
    (mem_type(), any::<u64>(), any::<u64>(), any::<u64>()).prop_map(
        |(t, start, pages, attributes)| Descriptor {
            mem_type: t,
            start,
            pages,
            attributes,
            line: 0,
        },
    )
}

/// A realistic map: disjoint regions laid out upwards from 0 (gaps allowed),
/// then listed in a shuffled order, since OpenCore keeps firmware order.
fn disjoint_map() -> impl Strategy<Value = MemoryMap> {
    let region = (
        prop_oneof![
            4 => Just(MemType::Conventional),
            1 => Just(MemType::Mmio),
            1 => Just(MemType::RuntimeServicesData),
            1 => Just(MemType::Reserved),
            1 => Just(MemType::BootServicesData),
            1 => Just(MemType::AcpiNvs),
        ],
        0u64..0x4000,  // gap pages
        0u64..0x40000, // pages (0 exercises the zero-page quirk)
        any::<bool>(), // runtime
    );
    (prop::collection::vec(region, 1..40), any::<u64>()).prop_map(|(regions, seed)| {
        let mut at = 0u64;
        let mut descriptors: Vec<Descriptor> = regions
            .into_iter()
            .map(|(t, gap, pages, rt)| {
                at += gap * 4096;
                let d = Descriptor {
                    mem_type: t,
                    start: at,
                    pages,
                    attributes: 0xF | if rt { EFI_MEMORY_RUNTIME } else { 0 },
                    line: 0,
                };
                at += pages * 4096;
                d
            })
            .collect();
        // Deterministic shuffle from the seed.
        let mut s = seed | 1;
        for i in (1..descriptors.len()).rev() {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            descriptors.swap(i, (s % (i as u64 + 1)) as usize);
        }
        MemoryMap {
            descriptors,
            ..MemoryMap::default()
        }
    })
}

fn options() -> impl Strategy<Value = SlideOptions> {
    (
        any::<bool>(),
        prop::collection::vec(0u64..0x1_0000_0000, 0..3),
        0u8..=254,
        any::<bool>(),
    )
        .prop_map(
            |(devirtualise_mmio, whitelist, max_slide, sandy_ivy)| SlideOptions {
                devirtualise_mmio,
                whitelist,
                max_slide,
                sandy_ivy,
                amd: false,
            },
        )
}

/// Text that looks like the inputs, to reach deep into the parsers.
fn evidence_like_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        "(Available|MMIO|RT_Data|Reserved|BS_Code|MMIO_Port|7000000A)? {0,3}[0-9A-Fa-f-]{0,40}( [0-9A-F]{1,17}){0,4}",
        "OCABC: (Only [0-9]{1,4}/256 slide values are usable!|Valid slides - [0-9, -]{0,30}|MMIO devirt 0x[0-9A-F]{1,17} \\(0x[0-9A-F]{0,5} pages, 0x[0-9A-F]{1,16}\\) skip [0-2]|No slide values are usable! Falling back to [0-9]{1,4} with 0x[0-9A-F]{1,17} bytes!|MAT support is [0-2]|[A-Z]{2,6} -?[0-9]{1,3})",
        "OC: OpenCore (REL|DBG|XYZ)-[0-9]{0,4}-[0-9-]{0,10}",
        "efi: mem[0-9]{2}: \\[[A-Za-z ]{0,12}(\\|[A-Z ]{0,3}){0,14}\\] range=\\[0x[0-9a-f]{1,17}-0x[0-9a-f]{1,17}[\\])]",
        ".{0,30}",
    ];
    prop::collection::vec(line, 0..30).prop_map(|l| l.join("\r\n"))
}

fn strip(map: &MemoryMap) -> Vec<(MemType, u64, u64, u64)> {
    map.descriptors
        .iter()
        .map(|d| (d.mem_type, d.start, d.pages, d.attributes))
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn render_then_parse_round_trips(descriptors in prop::collection::vec(descriptor(), 0..50)) {
        let map = MemoryMap { descriptors, ..MemoryMap::default() };
        let again = parse_shell(&render_shell(&map));
        prop_assert_eq!(strip(&map), strip(&again));
        prop_assert_eq!(again.unparsed_lines, 0);
    }

    #[test]
    fn devirtualisation_never_lowers_the_usable_count(map in disjoint_map(), opts in options()) {
        let off = simulate(&map, &SlideOptions { devirtualise_mmio: false, ..opts.clone() });
        let on = simulate(&map, &SlideOptions { devirtualise_mmio: true, ..opts });
        prop_assert!(on.valid_count >= off.valid_count, "{} < {}", on.valid_count, off.valid_count);
        prop_assert!(on.runtime_pages <= off.runtime_pages);
    }

    #[test]
    fn provide_max_slide_never_raises_the_usable_count(map in disjoint_map(), opts in options()) {
        let free = simulate(&map, &SlideOptions { max_slide: 0, ..opts.clone() });
        let capped = simulate(&map, &opts);
        prop_assert!(capped.valid_count <= free.valid_count);
        if opts.max_slide > 0 {
            prop_assert!(capped.valid_slides.iter().all(|&s| s <= opts.max_slide));
        }
    }

    #[test]
    fn arbitrary_maps_never_panic_downstream(descriptors in prop::collection::vec(descriptor(), 0..30), opts in options()) {
        let map = MemoryMap { descriptors, ..MemoryMap::default() };
        let a = simulate(&map, &opts);
        prop_assert_eq!(a.valid_count, a.valid_slides.len());
        let _ = what_if(&map, &opts);
        let _ = recommend(&map, &opts, &a);
        let regions = mmio_regions(&map, &opts);
        let _ = bisect_plan(&regions, Some(&map), &opts);
        let _ = render_svg(&map, &a, &opts);
    }

    #[test]
    fn parsers_never_panic_on_bytes(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        for forced in [None, Some(InputFormat::Shell), Some(InputFormat::Linux), Some(InputFormat::OcLog)] {
            if let Ok(Evidence::Map(map)) = parse_evidence(&bytes, forced) {
                let _ = simulate(&map, &SlideOptions::default());
            }
        }
    }

    #[test]
    fn parsers_never_panic_on_evidence_like_text(text in evidence_like_text(), utf16 in any::<bool>()) {
        let bytes: Vec<u8> = if utf16 {
            [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(u16::to_le_bytes)).collect()
        } else {
            text.clone().into_bytes()
        };
        for forced in [None, Some(InputFormat::Shell), Some(InputFormat::Linux), Some(InputFormat::OcLog)] {
            if let Ok(Evidence::Map(map)) = parse_evidence(&bytes, forced) {
                let opts = SlideOptions::default();
                let a = simulate(&map, &opts);
                let _ = recommend(&map, &opts, &a);
            }
        }
        let _ = parse_oclog(&text);
    }
}
