//! M0xx: what the memory-map evidence (`--memmap`, `--log`) says about
//! this config's slides. Silent without evidence.

use super::{Context, Evidence, Severity};
use crate::memmap::format_ranges;
use crate::patch::Fix;

rule! {
    code: M001,
    name: "few-slides",
    severity: Info,
    fix: None,
    summary: "With the config's quirks only some of the 256 slides are usable.",
    why: "boot.efi must land on a usable slide; without ProvideCustomSlide it picks blindly and some boots fail.",
}
rule! {
    code: M002,
    name: "no-slides",
    severity: Error,
    fix: None,
    summary: "With the config's quirks no slide is usable.",
    why: "OpenCore then falls back to the slide with the most free memory, which is not enough: boot fails with `Couldn't allocate runtime area`.",
}
rule! {
    code: M003,
    name: "all-slides-usable",
    severity: Info,
    fix: None,
    summary: "Every slide is usable: ProvideCustomSlide is not needed on this machine.",
    why: "OpenCore passes no slide when all fit; the quirk then only costs a memory-map scan.",
}
rule! {
    code: M004,
    name: "devirtualise-helps",
    severity: Warning,
    fix: Always(Unsafe),
    summary: "DevirtualiseMmio is off, and turning it on raises the number of usable slides.",
    why: "Runtime MMIO regions are counted into the kernel's memory area; devirtualising them shrinks it so more slides fit.",
}
rule! {
    code: M005,
    name: "log-disagrees",
    severity: Info,
    fix: None,
    summary: "The OpenCore log's slide count differs from the simulation of the memmap for the same quirks.",
    why: "A shell memmap is taken before boot.efi runs, so the boot-time map can differ; the log is the better evidence.",
}

fn valid(e: &Evidence) -> Option<(usize, Option<&Vec<u8>>)> {
    Some((e.valid_count()?, e.valid_slides.as_ref()))
}

fn ranges(list: Option<&Vec<u8>>) -> String {
    list.map(|l| format_ranges(l))
        .filter(|s| !s.is_empty())
        .map_or_else(String::new, |s| format!(" ({s})"))
}

/// M001.
pub fn m001(cx: &mut Context) {
    let Some(e) = cx.evidence else { return };
    let Some((k, list)) = valid(e) else { return };
    if !(1..256).contains(&k) {
        return;
    }
    let pcs_off = cx.quirk("ProvideCustomSlide") == Some(false);
    let at = cx.quirk_location("ProvideCustomSlide");
    let msg = format!(
        "only {k}/256 slides are usable{} according to {}",
        ranges(list),
        e.source
    );
    let d = cx.report(&M001, &at, msg);
    if pcs_off {
        d.severity = Severity::Warning;
        d.notes.push("ProvideCustomSlide is off, so boot.efi may pick an unusable slide: boots fail at random".into());
    }
}

/// M002.
pub fn m002(cx: &mut Context) {
    let Some(e) = cx.evidence else { return };
    if !e.none_usable() {
        return;
    }
    let mut msg = format!(
        "no slide is usable with these quirks according to {}",
        e.source
    );
    if let (Some(n), Some(false)) = (e.valid_with_devirtualise, cx.quirk("DevirtualiseMmio")) {
        msg.push_str(&format!("; with DevirtualiseMmio {n} would be"));
    }
    if let Some(f) = e.fallback_slide {
        msg.push_str(&format!("; OpenCore falls back to slide {f}"));
    }
    let at = cx.quirk_location("ProvideCustomSlide");
    let d = cx.report(&M002, &at, msg);
    d.help = Some("in firmware setup enable Above 4G decoding, disable CSM and unused devices (serial ports, extra controllers), then take a new memmap; `ocaudit slide` shows what each quirk changes".into());
}

/// M003.
pub fn m003(cx: &mut Context) {
    let Some(e) = cx.evidence else { return };
    if !e.all_usable() {
        return;
    }
    let at = cx.quirk_location("ProvideCustomSlide");
    let d = cx.report(
        &M003,
        &at,
        format!(
            "all 256 slides are usable according to {}; ProvideCustomSlide is not needed",
            e.source
        ),
    );
    d.help = Some("you may turn ProvideCustomSlide off; keeping it on is harmless".into());
}

/// M004.
pub fn m004(cx: &mut Context) {
    let Some(e) = cx.evidence else { return };
    if cx.quirk("DevirtualiseMmio") != Some(false) {
        return;
    }
    let (Some(a), Some(b)) = (e.valid_count(), e.valid_with_devirtualise) else {
        return;
    };
    if b <= a {
        return;
    }
    let at = cx.quirk_location("DevirtualiseMmio");
    let fix = cx
        .set_quirk("DevirtualiseMmio", true)
        .map(|ed| Fix::unsafe_("set DevirtualiseMmio to true", ed));
    let d = cx.report(
        &M004,
        &at,
        format!(
            "turning DevirtualiseMmio on raises the usable slides from {a} to {b}{}",
            ranges(e.slides_with_devirtualise.as_ref())
        ),
    );
    d.fix = fix;
    d.notes.push("if the machine then fails to boot or loses NVRAM, whitelist the region it needs (`ocaudit mmio`)".into());
}

/// M005.
pub fn m005(cx: &mut Context) {
    let Some(e) = cx.evidence else { return };
    let (Some(logged), Some(sim)) = (e.logged_count, e.simulated_count) else {
        return;
    };
    if logged == sim {
        return;
    }
    let at = cx.quirk_location("ProvideCustomSlide");
    let d = cx.report(&M005, &at, format!("the OpenCore log reports {logged}/256 usable slides, the memmap simulation {sim}/256 for the same quirks"));
    d.notes.push(
        "the shell's memmap is taken before boot.efi loads; the log is the boot-time truth".into(),
    );
}
