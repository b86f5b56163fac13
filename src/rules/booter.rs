//! B0xx: Booter quirks that decide whether the kernel finds room to load.

use super::{Context, Severity};
use crate::model::ConfigKind;
use crate::patch::Applicability::{Safe, Unsafe};
use crate::patch::Fix;

rule!(
    B001,
    "B001",
    "avoid-runtime-defrag-disabled",
    Warning,
    Always,
    Some(Safe),
    "AvoidRuntimeDefrag is off.",
    "Without it, boot.efi may defragment runtime-services memory that firmware still uses, and boots fail or the clock/NVRAM break."
);
rule!(
    B002,
    "B002",
    "devirtualise-mmio-disabled",
    Warning,
    Always,
    Some(Unsafe),
    "DevirtualiseMmio is off where it would free slides.",
    "Large runtime MMIO regions count against the kernel's memory area; devirtualising them frees slide values."
);
rule!(
    B003,
    "B003",
    "provide-custom-slide-disabled",
    Warning,
    Always,
    Some(Safe),
    "ProvideCustomSlide is off.",
    "Without it boot.efi may pick a slide that collides with firmware memory: random `Couldn't allocate runtime area` failures."
);
rule!(
    B004,
    "B004",
    "rebuild-apple-memory-map-disabled",
    Info,
    Always,
    Some(Unsafe),
    "RebuildAppleMemoryMap is off where the platform recommends it.",
    "A rebuilt, compacted memory map avoids fragmentation that macOS cannot handle on this platform."
);
rule!(
    B005,
    "B005",
    "enable-safe-mode-slide-disabled",
    Info,
    Always,
    Some(Safe),
    "EnableSafeModeSlide is off while ProvideCustomSlide is used.",
    "Safe mode (`-x`) would otherwise force slide 0, which is often unusable, so safe mode fails to boot."
);
rule!(
    B006,
    "B006",
    "protect-uefi-services-needed",
    Info,
    Always,
    Some(Unsafe),
    "ProtectUefiServices is off on a platform that needs it.",
    "On Z390, Comet Lake, Ice Lake and VMs the firmware overwrites OpenCore's memory hooks, and the quirks stop working."
);
rule!(
    B007,
    "B007",
    "sync-runtime-permissions-disabled",
    Warning,
    Always,
    Some(Safe),
    "RebuildAppleMemoryMap is on but SyncRuntimePermissions is off.",
    "The rebuilt map then disagrees with the memory attributes table, which can stop the kernel early in boot."
);
rule!(
    B008,
    "B008",
    "write-unprotector-conflict",
    Warning,
    Always,
    Some(Unsafe),
    "EnableWriteUnprotector and RebuildAppleMemoryMap are both on.",
    "The two quirks solve the same problem in conflicting ways; together they can break boot on firmware with a memory attributes table."
);
rule!(
    B009,
    "B009",
    "requires-provide-custom-slide",
    Error,
    Always,
    Some(Safe),
    "A quirk that only works through ProvideCustomSlide is on while ProvideCustomSlide is off.",
    "EnableSafeModeSlide, AllowRelocationBlock and ProvideMaxSlide do nothing without ProvideCustomSlide."
);
rule!(
    B010,
    "B010",
    "provide-max-slide-out-of-range",
    Error,
    None,
    None,
    "ProvideMaxSlide is outside 0..=254.",
    "OpenCore keeps only the low byte of the value, so the cap it applies is not the one written."
);
rule!(
    B012,
    "B012",
    "relocation-block-without-defrag",
    Warning,
    Always,
    Some(Safe),
    "AllowRelocationBlock is on but AvoidRuntimeDefrag is off.",
    "The relocation block relies on runtime memory staying in place, which only AvoidRuntimeDefrag guarantees."
);

/// Report `rule` at quirk `key` with a fix setting it to `value`.
fn quirk_finding<'c>(
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
    let d = cx.report(rule, &at, message);
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

fn off(cx: &Context, key: &str) -> bool {
    cx.quirk(key) == Some(false)
}

fn on(cx: &Context, key: &str) -> bool {
    cx.quirk(key) == Some(true)
}

/// A platform note for a message, e.g. " (recommended for Intel desktop, Coffee Lake)".
fn platform_note(cx: &Context, key: &str) -> Option<String> {
    let rec = cx.platform?.recommends(key)?;
    Some(format!("recommended for {}", rec.platforms))
}

fn has_quirks(cx: &Context) -> bool {
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

/// B002.
pub fn b002(cx: &mut Context) {
    if !has_quirks(cx) || !off(cx, "DevirtualiseMmio") {
        return;
    }
    let evidence = cx
        .evidence
        .and_then(|e| Some((e.valid_count()?, e.valid_with_devirtualise?)));
    let (severity, message) = match (evidence, cx.platform) {
        (Some((a, b)), _) if b > a => (
            Severity::Warning,
            format!("DevirtualiseMmio is false; the memory map shows it would raise usable slides from {a} to {b}"),
        ),
        (Some(_), _) => return,
        (None, Some(p)) if p.wants_true("DevirtualiseMmio") => (
            Severity::Warning,
            format!("DevirtualiseMmio is false; {}", platform_note(cx, "DevirtualiseMmio").unwrap_or_default()),
        ),
        (None, Some(p)) => match p.recommends("DevirtualiseMmio").and_then(|r| r.when) {
            Some((when, crate::platform::AdviceValue::Bool(true))) => (
                Severity::Info,
                format!("DevirtualiseMmio is false; it is recommended on {when}"),
            ),
            _ => return,
        },
        (None, None) => (
            Severity::Info,
            "DevirtualiseMmio is false; it frees slides on firmware with large runtime MMIO regions (give --memmap to know)".into(),
        ),
    };
    let wl = match cx.config.kind {
        ConfigKind::OpenCore => "Booter/MmioWhitelist",
        ConfigKind::Clover => "Quirks/MmioWhitelist",
        ConfigKind::OcQuirks => "MmioWhitelist",
    };
    let d = quirk_finding(cx, &B002, "DevirtualiseMmio", true, Unsafe, message);
    d.severity = severity;
    d.notes.push(format!("some firmware needs an MMIO region at runtime; if boot then fails, whitelist it in {wl} (`ocaudit mmio`)"));
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

/// B004.
pub fn b004(cx: &mut Context) {
    // A log showing no memory attributes table argues against it (B008
    // then removes it): recommending it anyway would undo that fix.
    if cx.evidence.and_then(|e| e.mat_support) == Some(false) {
        return;
    }
    if has_quirks(cx)
        && off(cx, "RebuildAppleMemoryMap")
        && cx
            .platform
            .is_some_and(|p| p.wants_true("RebuildAppleMemoryMap"))
    {
        let note = platform_note(cx, "RebuildAppleMemoryMap").unwrap_or_default();
        let d = quirk_finding(
            cx,
            &B004,
            "RebuildAppleMemoryMap",
            true,
            Unsafe,
            format!("RebuildAppleMemoryMap is false; {note}"),
        );
        d.notes.push("laptop firmware without a memory attributes table may fail to boot with it: keep EnableWriteUnprotector there instead".into());
    }
}

/// Whether ProvideCustomSlide is on, or B003 will turn it on.
fn custom_slide_in_use(cx: &Context) -> bool {
    on(cx, "ProvideCustomSlide")
        || (off(cx, "ProvideCustomSlide") && !cx.evidence.is_some_and(|e| e.all_usable()))
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

/// B006.
pub fn b006(cx: &mut Context) {
    if !has_quirks(cx) || !off(cx, "ProtectUefiServices") {
        return;
    }
    let Some(p) = cx.platform else { return };
    let message = if p.wants_true("ProtectUefiServices") {
        format!(
            "ProtectUefiServices is false; {}",
            platform_note(cx, "ProtectUefiServices").unwrap_or_default()
        )
    } else {
        match p.recommends("ProtectUefiServices").and_then(|r| r.when) {
            Some((when, crate::platform::AdviceValue::Bool(true))) => {
                format!("ProtectUefiServices is false; it is needed on {when} boards")
            }
            _ => return,
        }
    };
    quirk_finding(cx, &B006, "ProtectUefiServices", true, Unsafe, message);
}

/// B007.
pub fn b007(cx: &mut Context) {
    if on(cx, "RebuildAppleMemoryMap") && off(cx, "SyncRuntimePermissions") {
        quirk_finding(
            cx,
            &B007,
            "SyncRuntimePermissions",
            true,
            Safe,
            "SyncRuntimePermissions is false while RebuildAppleMemoryMap is true".into(),
        );
    }
}

/// B008.
pub fn b008(cx: &mut Context) {
    if !(on(cx, "EnableWriteUnprotector") && on(cx, "RebuildAppleMemoryMap")) {
        return;
    }
    match cx.evidence.and_then(|e| e.mat_support) {
        Some(false) => {
            let d = quirk_finding(cx, &B008, "RebuildAppleMemoryMap", false, Safe,
                "EnableWriteUnprotector and RebuildAppleMemoryMap are both true; the log shows no memory attributes table, so RebuildAppleMemoryMap should go".into());
            d.notes
                .push("OpenCore log: `OCABC: MAT support is 0`".into());
        }
        Some(true) => {
            let d = quirk_finding(cx, &B008, "EnableWriteUnprotector", false, Safe,
                "EnableWriteUnprotector and RebuildAppleMemoryMap are both true; the firmware has a memory attributes table, so EnableWriteUnprotector should go".into());
            d.notes
                .push("OpenCore log: `OCABC: MAT support is 1`".into());
        }
        None => {
            let d = quirk_finding(
                cx,
                &B008,
                "EnableWriteUnprotector",
                false,
                Unsafe,
                "EnableWriteUnprotector and RebuildAppleMemoryMap are both true".into(),
            );
            d.notes.push("with a memory attributes table, drop EnableWriteUnprotector; without one, keep it and drop RebuildAppleMemoryMap (a log with `OCABC: MAT support` decides)".into());
        }
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
