//! Memory-map evidence and KASLR slide simulation.
//!
//! One job: turn the bytes of an EFI-shell `memmap` dump, a Linux `efi=debug`
//! kernel log or an OpenCore debug log into typed evidence, and reproduce what
//! OpenCore's `ProvideCustomSlide` analysis computes from a memory map (with
//! the `DevirtualiseMmio`, `MmioWhitelist` and `ProvideMaxSlide` quirks), plus
//! the what-if table, recommendations, MMIO whitelist helpers and an SVG view
//! built on that simulation.
//!
//! This module does no I/O: callers read files and pass bytes in, and every
//! function returns values or strings. Nothing here panics on any input.

pub mod advice;
pub mod compare;
pub mod decode;
pub mod mmio;
pub mod oclog;
pub mod parse;
pub mod simulate;
pub mod svg;
pub mod types;

pub use advice::{Recommendation, RecommendationKind, WhatIfRow, recommend, what_if};
pub use compare::{LogComparison, MissingSlide, compare_log};
pub use decode::{Decoded, TextEncoding, decode};
pub use mmio::{
    BisectStep, MmioRegionReport, bisect_plan, mmio_regions, mmio_regions_from_log, whitelist_plist,
};
pub use oclog::{LoggedSlides, OcLog, parse_oclog};
pub use parse::{
    Evidence, EvidenceError, InputFormat, detect_format, parse_evidence, parse_linux, parse_shell,
    render_shell,
};
pub use simulate::{
    Decision, MmioRegion, SlideAnalysis, SlideOptions, format_ranges, parse_ranges, simulate,
    simulate_with_area, usable_runs,
};
pub use types::{Descriptor, EFI_MEMORY_RUNTIME, MemType, MemoryMap, PAGE_SIZE};
