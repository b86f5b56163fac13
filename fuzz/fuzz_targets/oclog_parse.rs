//! Fuzz the OpenCore log reader: no input may panic, and a `Valid slides`
//! list it accepts must agree with its own count.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ocaudit::memmap::{InputFormat, LoggedSlides, decode, parse_evidence, parse_oclog};

fuzz_target!(|data: &[u8]| {
    let text = decode(data).text;
    let log = parse_oclog(&text);
    if let Some(LoggedSlides::Some { count, valid: Some(valid), .. }) = &log.slide_report {
        assert_eq!(*count as usize, valid.len());
    }
    let _ = parse_evidence(data, Some(InputFormat::OcLog));
});
