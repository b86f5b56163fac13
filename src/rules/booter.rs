//! B0xx: Booter quirks that decide whether the kernel finds room to load.
//! The checks whose answer depends on the machine (B002, B004, B006, B007,
//! B008, B013-B015) live in `firmware.rs`.

use super::Context;
use crate::model::ConfigKind;
use crate::patch::Applicability::{Safe, Unsafe};
use crate::patch::Fix;

rule! {
    code: B001,
    name: "avoid-runtime-defrag-disabled",
    severity: Warning,
    fix: Always(Safe),
    summary: "AvoidRuntimeDefrag is off.",
    why: "Without it, boot.efi may defragment runtime-services memory that firmware still uses, and boots fail or the clock/NVRAM break.",
}
rule! {
    code: B002,
    name: "devirtualise-mmio-disabled",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "DevirtualiseMmio is off where it would free slides.",
    why: "Large runtime MMIO regions count against the kernel's memory area; devirtualising them frees slide values.",
}
rule! {
    code: B003,
    name: "provide-custom-slide-disabled",
    severity: Warning,
    fix: Always(Safe),
    summary: "ProvideCustomSlide is off.",
    why: "Without it boot.efi may pick a slide that collides with firmware memory: random `Couldn't allocate runtime area` failures.",
}
rule! {
    code: B004,
    name: "rebuild-apple-memory-map-disabled",
    severity: Info,
    fix: Always(Unsafe),
    summary: "RebuildAppleMemoryMap is off where the platform recommends it.",
    why: "A rebuilt, compacted memory map avoids fragmentation that macOS cannot handle on this platform.",
}
rule! {
    code: B005,
    name: "enable-safe-mode-slide-disabled",
    severity: Info,
    fix: Always(Safe),
    summary: "EnableSafeModeSlide is off while ProvideCustomSlide is used.",
    why: "Safe mode (`-x`) would otherwise force slide 0, which is often unusable, so safe mode fails to boot.",
}
rule! {
    code: B006,
    name: "protect-uefi-services-needed",
    severity: Info,
    fix: Sometimes(Unsafe),
    summary: "ProtectUefiServices is off on a platform that needs it.",
    why: "On Z390, Comet Lake, Ice Lake and VMs the firmware overwrites OpenCore's memory hooks, and the quirks stop working.",
}
rule! {
    code: B007,
    name: "sync-runtime-permissions-disabled",
    severity: Warning,
    fix: Always(Safe),
    summary: "RebuildAppleMemoryMap is on but SyncRuntimePermissions is off.",
    why: "The rebuilt map then disagrees with the memory attributes table, which can stop the kernel early in boot.",
}
rule! {
    code: B008,
    name: "write-unprotector-conflict",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "EnableWriteUnprotector and RebuildAppleMemoryMap are both on.",
    why: "The two quirks solve the same problem in conflicting ways; together they can break boot on firmware with a memory attributes table.",
}
rule! {
    code: B009,
    name: "requires-provide-custom-slide",
    severity: Error,
    fix: Always(Safe),
    summary: "A quirk that only works through ProvideCustomSlide is on while ProvideCustomSlide is off.",
    why: "EnableSafeModeSlide, AllowRelocationBlock and ProvideMaxSlide do nothing without ProvideCustomSlide.",
}
rule! {
    code: B010,
    name: "provide-max-slide-out-of-range",
    severity: Error,
    fix: None,
    summary: "ProvideMaxSlide is outside 0..=254.",
    why: "OpenCore keeps only the low byte of the value, so the cap it applies is not the one written.",
}
rule! {
    code: B012,
    name: "relocation-block-without-defrag",
    severity: Warning,
    fix: Always(Safe),
    summary: "AllowRelocationBlock is on but AvoidRuntimeDefrag is off.",
    why: "The relocation block relies on runtime memory staying in place, which only AvoidRuntimeDefrag guarantees.",
}

/// Report `rule` at quirk `key` with a fix setting it to `value`.
pub(super) fn quirk_finding<'c>(
    cx: &'c mut Context,
    rule: &'static super::RuleMeta,
    key: &str,
    value: bool,
    applicability: crate::patch::Applicability,
    message: String,
) -> &'c mut super::Diagnostic {
    let at = cx.quirk_location(key);
    let edits = cx.set_quirk(key, value);
    // Turning Clover's `<string>yes</string>` into `<true/>` also changes the
    // type: only as an unsafe fix.
    let applicability = if super::clover::written_as_string(cx, key) {
        Unsafe
    } else {
        applicability
    };
    let dict = quirks_dict_name(cx);
    let waits = value
        .then(|| super::runtime::quirk_waits_for_driver(cx, key))
        .flatten();
    let d = cx.report(rule, &at, message);
    if let Some(driver) = waits {
        d.help = Some(format!(
            "{key} needs {driver}, which UEFI/Drivers does not load (see B011); once it does, set {key} to {value}"
        ));
        return d;
    }
    d.fix = edits.map(|e| Fix::new(applicability, format!("set {key} to {value}"), e));
    if d.fix.is_none() {
        d.help = Some(format!("add `{key}` = {value} under {dict}"));
    }
    d
}

/// Where the booter quirks live in this kind of file, for help texts.
fn quirks_dict_name(cx: &Context) -> String {
    match cx.config.kind {
        ConfigKind::OpenCore => "Booter/Quirks".into(),
        ConfigKind::Clover => "the root Quirks dict".into(),
        ConfigKind::OcQuirks => "the root dict of OcQuirks.plist".into(),
    }
}

pub(super) fn off(cx: &Context, key: &str) -> bool {
    cx.quirk(key) == Some(false)
}

pub(super) fn on(cx: &Context, key: &str) -> bool {
    cx.quirk(key) == Some(true)
}

pub(super) fn has_quirks(cx: &Context) -> bool {
    cx.config.quirks.dict.is_some()
}

/// B001.
pub fn b001(cx: &mut Context) {
    if has_quirks(cx) && off(cx, "AvoidRuntimeDefrag") {
        quirk_finding(
            cx,
            &B001,
            "AvoidRuntimeDefrag",
            true,
            Safe,
            "AvoidRuntimeDefrag is false; nearly every UEFI firmware needs it".into(),
        );
    }
}

/// B003.
pub fn b003(cx: &mut Context) {
    if !has_quirks(cx) || !off(cx, "ProvideCustomSlide") {
        return;
    }
    if cx.evidence.is_some_and(|e| e.all_usable()) {
        return;
    }
    quirk_finding(
        cx,
        &B003,
        "ProvideCustomSlide",
        true,
        Safe,
        "ProvideCustomSlide is false; boot.efi may choose a slide that overlaps firmware memory"
            .into(),
    );
}

/// Whether ProvideCustomSlide is on, or B003 will turn it on (it does not
/// while the runtime driver it needs is not loaded).
fn custom_slide_in_use(cx: &Context) -> bool {
    on(cx, "ProvideCustomSlide")
        || (off(cx, "ProvideCustomSlide")
            && !cx.evidence.is_some_and(|e| e.all_usable())
            && super::runtime::quirk_waits_for_driver(cx, "ProvideCustomSlide").is_none())
}

/// B005.
pub fn b005(cx: &mut Context) {
    if has_quirks(cx) && off(cx, "EnableSafeModeSlide") && custom_slide_in_use(cx) {
        quirk_finding(
            cx,
            &B005,
            "EnableSafeModeSlide",
            true,
            Safe,
            "EnableSafeModeSlide is false; booting in safe mode (-x) would force slide 0".into(),
        );
    }
}

/// B009.
pub fn b009(cx: &mut Context) {
    if !off(cx, "ProvideCustomSlide") {
        return;
    }
    let q = &cx.config.quirks;
    let mut needs = Vec::new();
    if on(cx, "EnableSafeModeSlide") {
        needs.push("EnableSafeModeSlide");
    }
    if cx.config.kind == ConfigKind::OpenCore && on(cx, "AllowRelocationBlock") {
        needs.push("AllowRelocationBlock");
    }
    if q.provide_max_slide.present().is_some_and(|&v| v > 0) {
        needs.push("ProvideMaxSlide");
    }
    if needs.is_empty() {
        return;
    }
    quirk_finding(
        cx,
        &B009,
        "ProvideCustomSlide",
        true,
        Safe,
        format!(
            "{} requires ProvideCustomSlide, which is false",
            needs.join(", ")
        ),
    );
}

/// B010.
pub fn b010(cx: &mut Context) {
    let f = &cx.config.quirks.provide_max_slide;
    let Some(&v) = f.present() else { return };
    if (0..=254).contains(&v) {
        return;
    }
    let at =
        f.at.clone()
            .unwrap_or_else(|| cx.quirk_location("ProvideMaxSlide"));
    let low = (v as u64 & 0xFF) as u8;
    let message = if cx.config.kind == ConfigKind::Clover {
        format!(
            "ProvideMaxSlide is {v}; Clover keeps it in an 8-bit field (0 to 255) before handing it to OpenCore, so the cap is not the one written"
        )
    } else if v < 0 && overflowed(cx, &at) {
        // Digits beyond 64 bits read as all ones (see `Integer::overflow`).
        format!(
            "ProvideMaxSlide does not fit in 64 bits; OpenCore reads it as all ones and keeps only the low byte, {low}"
        )
    } else if v < 0 && !written_negative(cx, &at) {
        // A UINT64 above i64::MAX (18446744073709551615 fits): shown as
        // written, not as the signed number the model keeps.
        format!(
            "ProvideMaxSlide is {}; OpenCore keeps only the low byte and uses {low}",
            v as u64
        )
    } else {
        format!("ProvideMaxSlide is {v}; OpenCore keeps only the low byte and uses {low}")
    };
    let d = cx.report(&B010, &at, message);
    d.help = Some("use a value from 0 (no cap) to 254".into());
}

/// Whether the decimal digits of the element at `at` overflow 64 bits, as
/// X005 reports them (OpenCore then reads all ones).
fn overflowed(cx: &Context, at: &crate::model::Located) -> bool {
    let text = cx.source.text.get(at.span.clone()).unwrap_or_default();
    text.split(|c: char| !c.is_ascii_digit())
        .any(|digits| crate::plist::Integer::parse(digits).overflow)
}

/// Whether the element at `at` is written with a minus sign (a negative
/// model value without one comes from digits that overflowed 64 bits).
pub(crate) fn written_negative(cx: &Context, at: &crate::model::Located) -> bool {
    cx.source
        .text
        .get(at.span.clone())
        .is_some_and(|t| t.contains('-'))
}

/// B012.
pub fn b012(cx: &mut Context) {
    if cx.config.kind == ConfigKind::OpenCore
        && on(cx, "AllowRelocationBlock")
        && off(cx, "AvoidRuntimeDefrag")
    {
        quirk_finding(
            cx,
            &B012,
            "AvoidRuntimeDefrag",
            true,
            Safe,
            "AllowRelocationBlock is true but AvoidRuntimeDefrag is false".into(),
        );
    }
}
