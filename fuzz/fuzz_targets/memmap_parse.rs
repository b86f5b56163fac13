//! Fuzz the memory-map parsers (auto-detected and each forced format) and
//! everything run on what they return: no input may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocaudit::memmap::{
    Evidence, InputFormat, SlideOptions, parse_evidence, parse_shell, recommend, render_shell,
    simulate,
};

fuzz_target!(|data: &[u8]| {
    for forced in [None, Some(InputFormat::Shell), Some(InputFormat::Linux)] {
        if let Ok(Evidence::Map(map)) = parse_evidence(data, forced) {
            let opts = SlideOptions {
                devirtualise_mmio: data.first().is_some_and(|b| b & 1 == 1),
                whitelist: vec![0xFF00_0000],
                max_slide: data.last().copied().unwrap_or(0) % 255,
                sandy_ivy: data.len() % 2 == 0,
                amd: false,
            };
            let analysis = simulate(&map, &opts);
            assert_eq!(analysis.valid_count, analysis.valid_slides.len());
            let _ = recommend(&map, &opts, &analysis);
            // Whatever was read must survive a render/parse round trip.
            let again = parse_shell(&render_shell(&map));
            assert_eq!(again.descriptors.len(), map.descriptors.len());
        }
    }
});
