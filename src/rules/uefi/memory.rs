//! UEFI/ReservedMemory: UEFI-46 to UEFI-50.

use super::super::view::Item;
use super::super::{Context, Diagnostic, Severity};
use super::{enum_fix, int_or, section, str_or};

rule! {
    code: U043,
    name: "reserved-memory-type-unknown",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "A ReservedMemory Type is not one of the 15 UEFI memory types OpenCore names.",
    why: "OpenCore reserves the region as `Reserved` instead, which may not be what the OS expects there.",
}
rule! {
    code: U044,
    name: "reserved-memory-address-unaligned",
    severity: Warning,
    fix: None,
    summary: "A ReservedMemory Address is not a multiple of 4096.",
    why: "OpenCore only reserves whole 4 KiB pages and skips a region that does not start on one.",
}
rule! {
    code: U045,
    name: "reserved-memory-size-zero",
    severity: Warning,
    fix: None,
    summary: "A ReservedMemory Size is 0.",
    why: "A region of no pages reserves nothing.",
}
rule! {
    code: U046,
    name: "reserved-memory-size-unaligned",
    severity: Warning,
    fix: None,
    summary: "A ReservedMemory Size is not a multiple of 4096.",
    why: "OpenCore only reserves whole 4 KiB pages and skips a region whose size is not one.",
}
rule! {
    code: U047,
    name: "reserved-memory-overlap",
    severity: Warning,
    fix: None,
    summary: "Two enabled ReservedMemory regions overlap.",
    why: "OpenCore allocates each region at its address; the second allocation of the same pages fails and that region is not reserved.",
}

/// The memory types OpenCore knows, by the names it reads.
const TYPES: &[&str] = &[
    "Reserved",
    "LoaderCode",
    "LoaderData",
    "BootServiceCode",
    "BootServiceData",
    "RuntimeCode",
    "RuntimeData",
    "Available",
    "Persistent",
    "UnusableMemory",
    "ACPIReclaimMemory",
    "ACPIMemoryNVS",
    "MemoryMappedIO",
    "MemoryMappedIOPortSpace",
    "PalCode",
];

const PAGE: u64 = 4096;

/// The ReservedMemory entries (dicts) with their index.
fn entries<'a>(cx: &Context<'a>) -> Vec<Item<'a>> {
    section(cx, "ReservedMemory", "0.5.0")
        .map(|list| list.entries().map(|(_, e)| e).collect())
        .unwrap_or_default()
}

/// Findings about a disabled entry are information: OpenCore skips it.
fn tone_down(d: &mut Diagnostic, entry: &Item) {
    if !entry.enabled() {
        d.severity = Severity::Info;
        d.notes
            .push("the entry is disabled, so OpenCore does not reserve it today".into());
    }
}

/// U043 (UEFI-46).
pub fn u043(cx: &mut Context) {
    for e in entries(cx) {
        let Some(value) = e.get("Type") else { continue };
        let Some(t) = value.str() else { continue };
        if TYPES.contains(&t) {
            continue;
        }
        let fix = enum_fix(cx, &value, TYPES);
        let d = cx.report(
            &U043,
            &value.located(),
            format!(
                "{} is `{t}`, which OpenCore does not know: it reserves the region as `Reserved`",
                value.path
            ),
        );
        d.notes.push(format!(
            "accepted types: {} (case matters)",
            TYPES.join(", ")
        ));
        d.fix = fix;
        tone_down(d, &e);
    }
}

/// Address and size as OpenCore reads them (64-bit fields).
fn region(e: &Item) -> (u64, u64) {
    (int_or(e, "Address", 0) as u64, int_or(e, "Size", 0) as u64)
}

/// U044 (UEFI-47).
pub fn u044(cx: &mut Context) {
    for e in entries(cx) {
        let (address, _) = region(&e);
        if address % PAGE == 0 {
            continue;
        }
        let d = cx.report(
            &U044,
            &e.located_of("Address"),
            format!(
                "ReservedMemory Address {address} (0x{address:X}) is not a multiple of 4096: OpenCore skips the region"
            ),
        );
        d.help = Some(format!(
            "start the region on a page: {} (0x{:X}) is the page it lies in",
            address - address % PAGE,
            address - address % PAGE
        ));
        tone_down(d, &e);
    }
}

/// U045 (UEFI-48).
pub fn u045(cx: &mut Context) {
    for e in entries(cx) {
        if region(&e).1 != 0 {
            continue;
        }
        let d = cx.report(
            &U045,
            &e.located_of("Size"),
            "ReservedMemory Size is 0: the entry reserves nothing",
        );
        tone_down(d, &e);
    }
}

/// U046 (UEFI-49).
pub fn u046(cx: &mut Context) {
    for e in entries(cx) {
        let (_, size) = region(&e);
        if size == 0 || size % PAGE == 0 {
            continue;
        }
        let d = cx.report(
            &U046,
            &e.located_of("Size"),
            format!(
                "ReservedMemory Size {size} (0x{size:X}) is not a multiple of 4096: OpenCore skips the region"
            ),
        );
        d.help = Some(format!(
            "round the size up to whole pages: {}",
            size.div_ceil(PAGE) * PAGE
        ));
        tone_down(d, &e);
    }
}

/// U047 (UEFI-50): sorted by address, each enabled region is compared with
/// the furthest-reaching one before it, so the check is `n log n`.
pub fn u047(cx: &mut Context) {
    let list = entries(cx);
    let mut regions: Vec<(u64, u64, usize)> = list
        .iter()
        .enumerate()
        .filter(|(_, e)| e.enabled())
        .map(|(i, e)| {
            let (a, s) = region(e);
            (a, a.saturating_add(s), i)
        })
        .filter(|(a, end, _)| end > a)
        .collect();
    regions.sort_unstable();
    let mut reach: Option<(u64, usize)> = None;
    let mut found = Vec::new();
    for &(start, end, i) in &regions {
        if let Some((far, j)) = reach
            && start < far
        {
            found.push((j.min(i), j.max(i)));
        }
        if reach.is_none_or(|(far, _)| end > far) {
            reach = Some((end, i));
        }
    }
    found.sort_unstable();
    for (first, second) in found {
        let (a, b) = (&list[first], &list[second]);
        let ((a0, asz), (b0, bsz)) = (region(a), region(b));
        let d = cx.report(
            &U047,
            &b.located(),
            format!(
                "ReservedMemory region 0x{b0:X}+0x{bsz:X} ({}) overlaps 0x{a0:X}+0x{asz:X} ({}): OpenCore cannot reserve the same pages twice",
                str_or(b, "Type", "Reserved"),
                str_or(a, "Type", "Reserved")
            ),
        );
        d.secondary
            .push((a.node.span.clone(), "overlapping region".into()));
    }
}
