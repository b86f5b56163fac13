//! Issue 16 item 4: the memory the human renderer takes beyond the loaded
//! file is bounded by a frame's width, not by the length of the line a
//! finding sits on. A 16 MiB config written on one line used to peak at
//! about 600 MB in human format (a displayed copy of the whole line and a
//! 32-byte cell per character, for every finding); JSON stayed near 90 MB.
//!
//! A counting allocator measures the peak of live bytes while the report
//! of an already-loaded file is rendered.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
            PEAK.fetch_max(now, Ordering::SeqCst);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::SeqCst);
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            if new_size >= layout.size() {
                let now = LIVE.fetch_add(new_size - layout.size(), Ordering::SeqCst)
                    + (new_size - layout.size());
                PEAK.fetch_max(now, Ordering::SeqCst);
            } else {
                LIVE.fetch_sub(layout.size() - new_size, Ordering::SeqCst);
            }
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The broken sample written on one line, after an 8 MiB `<data>` blob.
fn one_line_config() -> Vec<u8> {
    let sample = include_str!("../sample-configs/z390-kaslr-broken.plist");
    let one: Vec<&str> = sample.lines().map(str::trim).collect();
    let blob = format!("<key>Pad</key><data>{}</data>", "QUJD".repeat(2 << 20));
    one.join(" ")
        .replacen("<key>Booter</key>", &format!("{blob}<key>Booter</key>"), 1)
        .into_bytes()
}

#[test]
fn rendering_a_long_line_takes_memory_for_a_frame_not_for_the_line() {
    let text = one_line_config();
    let len = text.len();
    let report = ocaudit::audit::audit_bytes("config.plist", text, &Default::default());
    let findings = report.diagnostics.len();
    assert!(findings >= 10, "{findings} findings");
    let places: usize = report
        .diagnostics
        .iter()
        .map(|d| 1 + d.secondary.len())
        .sum();
    let mut out = Vec::with_capacity(1 << 20);
    let before = LIVE.load(Ordering::SeqCst);
    PEAK.store(before, Ordering::SeqCst);
    ocaudit::cli::render::human::report(std::slice::from_ref(&report), false, &mut out)
        .expect("renders");
    let peak = PEAK.load(Ordering::SeqCst) - before;
    let text = String::from_utf8(out).expect("UTF-8");
    assert_eq!(
        text.matches("\n1 | ").count(),
        places,
        "one frame line per place"
    );
    // The output buffer was reserved up front; beyond it, rendering may
    // hold a few frames and the column table (a word per 4 KiB of text).
    assert!(
        peak < (1 << 20) + len / 64,
        "rendering {findings} findings on a {len}-byte line peaked at {peak} bytes"
    );
}
