//! Booter quirks whose right value depends on the machine: the platform
//! (with the confidence it was inferred with) and the firmware's memory
//! attributes table (MAT).
//!
//! Direction comes from evidence first (the log's `OCABC: MAT support`),
//! then from the platform, else a rule offers no fix. Platform advice is
//! given at the rule's severity only with high confidence; with medium it is
//! an info with an unsafe fix; with low (or no platform) it is silent, and
//! the platform line says how to pass `--platform`.

use super::booter::{has_quirks, off, on, quirk_finding};
use super::{Context, Diagnostic, Severity};
use crate::patch::Applicability::{Safe, Unsafe};
use crate::platform::{AdviceValue, Confidence, PlatformMatch};

rule! {
    code: B013,
    name: "setup-virtual-map-should-be-off",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "SetupVirtualMap is on where the platform's firmware wants it off.",
    why: "Some firmware (Comet Lake and Ice Lake boards, B550/A520/TRx40, recent X299 BIOSes) panics early when OpenCore sets up virtual memory for it.",
}
rule! {
    code: B014,
    name: "no-memory-protection-workaround",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "EnableWriteUnprotector and RebuildAppleMemoryMap are both off.",
    why: "boot.efi needs write access to code pages: one of the two quirks provides it, and which one depends on the firmware's memory attributes table.",
}
rule! {
    code: B015,
    name: "devirtualise-mmio-on-old-firmware",
    severity: Warning,
    fix: Always(Unsafe),
    summary: "DevirtualiseMmio is on with firmware too old for it.",
    why: "Sandy Bridge and older firmware was not written for MMIO devirtualisation; the quirk gains nothing there and can break runtime services.",
}

/// How platform advice is given: `None` when silent.
pub(super) fn advice<'a>(
    cx: &Context<'a>,
) -> Option<(&'a PlatformMatch, Severity, crate::patch::Applicability)> {
    let p = cx.platform?;
    match p.confidence {
        Confidence::High => Some((p, Severity::Warning, Unsafe)),
        Confidence::Medium => Some((p, Severity::Info, Unsafe)),
        Confidence::Low => None,
    }
}

/// The severity of a platform finding: the rule's own with high
/// confidence, info with medium.
fn scaled(rule: Severity, advice: Severity) -> Severity {
    if advice == Severity::Info {
        Severity::Info
    } else {
        rule
    }
}

/// A platform finding on quirk `key` with a fix setting it to `value`, at
/// the severity the platform's confidence allows (`sev` from [`advice`]).
fn advise<'c>(
    cx: &'c mut Context,
    rule: &'static super::RuleMeta,
    key: &str,
    value: bool,
    (app, sev): (crate::patch::Applicability, Severity),
    message: String,
) -> &'c mut Diagnostic {
    let d = quirk_finding(cx, rule, key, value, app, message);
    d.severity = scaled(d.severity, sev);
    d
}

/// Whether the firmware has a memory attributes table, and why ocaudit
/// thinks so: the log, else the platform (medium or high confidence).
pub(super) fn mat(cx: &Context) -> Option<(bool, String, bool)> {
    if let Some(v) = cx.evidence.and_then(|e| e.mat_support) {
        return Some((
            v,
            format!("the log shows `OCABC: MAT support is {}`", u8::from(v)),
            true,
        ));
    }
    let (p, _, _) = advice(cx)?;
    let v = p.mat()?;
    let has = if v { "has" } else { "lacks" };
    Some((
        v,
        format!(
            "{} firmware generally {has} a memory attributes table",
            names(p)
        ),
        false,
    ))
}

/// The platforms' names for a message.
fn names(p: &PlatformMatch) -> String {
    p.candidates
        .iter()
        .map(|c| c.title)
        .collect::<Vec<_>>()
        .join(" / ")
}

/// B002.
pub fn b002(cx: &mut Context) {
    if !has_quirks(cx) || !off(cx, "DevirtualiseMmio") {
        return;
    }
    let evidence = cx
        .evidence
        .and_then(|e| Some((e.valid_count()?, e.valid_with_devirtualise?)));
    let old = cx.platform.is_some_and(|p| {
        p.confidence > Confidence::Low && p.candidates.iter().all(|c| c.old_firmware)
    });
    // A platform known only weakly: silent (the platform line says how to
    // pass --platform); the general hint is for configs with no platform.
    let weak = cx.platform.is_some() && advice(cx).is_none();
    let (severity, message, fix) = match (evidence, advice(cx)) {
        _ if old => return,
        (None, _) if weak => return,
        (Some((a, b)), _) if b > a => (
            Severity::Warning,
            format!("DevirtualiseMmio is false; the memory map shows it would raise usable slides from {a} to {b}"),
            true,
        ),
        (Some(_), _) => return,
        (None, Some((p, sev, _))) if p.wants_true("DevirtualiseMmio") => (
            scaled(Severity::Warning, sev),
            format!("DevirtualiseMmio is false; recommended for {}", names(p)),
            true,
        ),
        (None, Some((p, _, _))) => match p.recommends("DevirtualiseMmio").and_then(|r| r.when) {
            Some((when, AdviceValue::Bool(true))) => (
                Severity::Info,
                format!("DevirtualiseMmio is false; {} wants it on {when}, which ocaudit cannot see", names(p)),
                false,
            ),
            _ => return,
        },
        (None, None) => (
            Severity::Info,
            "DevirtualiseMmio is false; it frees slides on firmware with large runtime MMIO regions (give --memmap or --log to know)".into(),
            true,
        ),
    };
    let unknown = evidence.is_none() && advice(cx).is_none();
    let wl = match cx.config.kind {
        crate::model::ConfigKind::OpenCore => "Booter/MmioWhitelist",
        crate::model::ConfigKind::Clover => "Quirks/MmioWhitelist",
        crate::model::ConfigKind::OcQuirks => "MmioWhitelist",
    };
    let d = quirk_finding(
        cx,
        &super::booter::B002,
        "DevirtualiseMmio",
        true,
        Unsafe,
        message,
    );
    d.severity = severity;
    if unknown {
        condition(d, "if a memory map shows it frees slides");
    }
    if !fix {
        d.fix = None;
        d.help = Some("turn it on only if your board is the one named, or once --memmap/--log shows it frees slides".into());
    }
    d.notes.push(format!("some firmware needs an MMIO region at runtime; if boot then fails, whitelist it in {wl} (`ocaudit mmio`)"));
}

/// B004.
pub fn b004(cx: &mut Context) {
    if !has_quirks(cx) || !off(cx, "RebuildAppleMemoryMap") {
        return;
    }
    // Without a memory attributes table the rebuilt map is wrong (B008 and
    // B014 then keep EnableWriteUnprotector instead).
    if mat(cx).is_some_and(|(v, _, _)| !v) {
        return;
    }
    let Some((p, sev, app)) = advice(cx) else {
        return;
    };
    if !p.wants_true("RebuildAppleMemoryMap") {
        return;
    }
    let message = format!(
        "RebuildAppleMemoryMap is false; recommended for {}",
        names(p)
    );
    let d = advise(
        cx,
        &super::booter::B004,
        "RebuildAppleMemoryMap",
        true,
        (app, sev),
        message,
    );
    d.notes.push("firmware without a memory attributes table may fail to boot with it: keep EnableWriteUnprotector there instead".into());
}

/// B006.
pub fn b006(cx: &mut Context) {
    if !has_quirks(cx) || !off(cx, "ProtectUefiServices") {
        return;
    }
    let Some((p, sev, app)) = advice(cx) else {
        return;
    };
    if p.wants_true("ProtectUefiServices") {
        let message = format!("ProtectUefiServices is false; needed on {}", names(p));
        advise(
            cx,
            &super::booter::B006,
            "ProtectUefiServices",
            true,
            (app, sev),
            message,
        );
        return;
    }
    if let Some((when, AdviceValue::Bool(true))) =
        p.recommends("ProtectUefiServices").and_then(|r| r.when)
    {
        // The board is not in the config: say so, and change nothing.
        let message = format!(
            "ProtectUefiServices is false; {} needs it only on {when}, which ocaudit cannot see",
            names(p)
        );
        let d = quirk_finding(
            cx,
            &super::booter::B006,
            "ProtectUefiServices",
            true,
            app,
            message,
        );
        d.severity = Severity::Info;
        d.fix = None;
        d.help = Some(format!("turn it on if this is a {when} machine"));
    }
}

/// B007.
pub fn b007(cx: &mut Context) {
    if !(on(cx, "RebuildAppleMemoryMap") && off(cx, "SyncRuntimePermissions")) {
        return;
    }
    let (app, summary_note) = match mat(cx) {
        // Never ask for it where there is no table to sync with.
        Some((false, _, _)) => return,
        Some((true, why, true)) => (Safe, why),
        Some((true, why, false)) => (Unsafe, why),
        None => (Unsafe, String::new()),
    };
    let unknown = summary_note.is_empty();
    let d = quirk_finding(
        cx,
        &super::booter::B007,
        "SyncRuntimePermissions",
        true,
        app,
        "SyncRuntimePermissions is false while RebuildAppleMemoryMap is true".into(),
    );
    if unknown {
        // Without a table the rebuilt map is the quirk to drop (B008, B014):
        // which way to go needs a log or the platform.
        undecided(
            d,
            "with a memory attributes table turn SyncRuntimePermissions on; without one turn RebuildAppleMemoryMap off and EnableWriteUnprotector on",
        );
    } else {
        d.notes.push(summary_note);
    }
}

/// Append a condition to a finding's fix summary.
fn condition(d: &mut Diagnostic, when: &str) {
    if let Some(f) = &mut d.fix {
        f.summary = format!("{} ({when})", f.summary);
    }
}

/// B008.
pub fn b008(cx: &mut Context) {
    if !(on(cx, "EnableWriteUnprotector") && on(cx, "RebuildAppleMemoryMap")) {
        return;
    }
    let base = "EnableWriteUnprotector and RebuildAppleMemoryMap are both true";
    // The platform's own table decides first (a legacy-BIOS Penryn keeps the
    // rebuilt map), then what the firmware has.
    let table = advice(cx).and_then(|(p, _, _)| {
        let rebuild = p.recommends("RebuildAppleMemoryMap")?.value;
        let unprotect = p.recommends("EnableWriteUnprotector")?.value;
        match (rebuild, unprotect) {
            (AdviceValue::Bool(true), AdviceValue::Bool(false)) => Some(true),
            (AdviceValue::Bool(false), AdviceValue::Bool(true)) => Some(false),
            _ => None,
        }
    });
    let direction = match (mat(cx), table) {
        (Some((v, why, true)), _) => Some((v, why, Safe)),
        (_, Some(v)) => Some((
            v,
            format!(
                "the guide's table for {} says so",
                cx.platform.map(names).unwrap_or_default()
            ),
            Unsafe,
        )),
        (Some((v, why, false)), None) => Some((v, why, Unsafe)),
        (None, None) => None,
    };
    let Some((has_mat, why, app)) = direction else {
        let d = quirk_finding(
            cx,
            &super::booter::B008,
            "EnableWriteUnprotector",
            false,
            Unsafe,
            base.into(),
        );
        undecided(
            d,
            "with a memory attributes table, drop EnableWriteUnprotector; without one, keep it and drop RebuildAppleMemoryMap",
        );
        return;
    };
    let (drop, note) = if has_mat {
        (
            "EnableWriteUnprotector",
            "with a memory attributes table, RebuildAppleMemoryMap with SyncRuntimePermissions replaces it",
        )
    } else {
        (
            "RebuildAppleMemoryMap",
            "without a memory attributes table, keep EnableWriteUnprotector",
        )
    };
    let d = quirk_finding(
        cx,
        &super::booter::B008,
        drop,
        false,
        app,
        format!("{base}; {why}, so {drop} should go"),
    );
    d.notes.push(note.into());
}

/// Report no fix on `d`: which way to go depends on a memory attributes
/// table nobody has shown yet; `help` says both ways.
fn undecided(d: &mut Diagnostic, help: &str) {
    d.fix = None;
    d.help = Some(format!(
        "{help} (a log with `OCABC: MAT support`, or --platform, decides)"
    ));
}

/// B013.
pub fn b013(cx: &mut Context) {
    if !has_quirks(cx) || !on(cx, "SetupVirtualMap") {
        return;
    }
    let Some((p, sev, app)) = advice(cx) else {
        return;
    };
    let Some(rec) = p.recommends("SetupVirtualMap") else {
        return;
    };
    match (rec.value, rec.when) {
        (AdviceValue::Bool(false), None) => {
            let message = format!("SetupVirtualMap is true; {} boards want it off", names(p));
            advise(cx, &B013, "SetupVirtualMap", false, (app, sev), message);
        }
        (AdviceValue::Bool(true), Some((when, AdviceValue::Bool(false)))) => {
            let message = format!(
                "SetupVirtualMap is true; on {} it must be off for a {when}, which ocaudit cannot see",
                names(p)
            );
            let d = quirk_finding(cx, &B013, "SetupVirtualMap", false, app, message);
            d.severity = Severity::Info;
            d.fix = None;
            d.help = Some(format!("turn it off if this is a {when}"));
        }
        _ => {}
    }
}

/// B014.
pub fn b014(cx: &mut Context) {
    if cx.config.kind != crate::model::ConfigKind::OpenCore
        || !(off(cx, "EnableWriteUnprotector") && off(cx, "RebuildAppleMemoryMap"))
    {
        return;
    }
    let base = "EnableWriteUnprotector and RebuildAppleMemoryMap are both false";
    let Some((has_mat, why, from_log)) = mat(cx) else {
        let d = quirk_finding(
            cx,
            &B014,
            "EnableWriteUnprotector",
            true,
            Unsafe,
            base.into(),
        );
        d.severity = Severity::Info;
        undecided(
            d,
            "with a memory attributes table turn RebuildAppleMemoryMap and SyncRuntimePermissions on; without one, EnableWriteUnprotector",
        );
        return;
    };
    let (key, what) = if has_mat {
        (
            "RebuildAppleMemoryMap",
            "RebuildAppleMemoryMap (with SyncRuntimePermissions)",
        )
    } else {
        ("EnableWriteUnprotector", "EnableWriteUnprotector")
    };
    let app = if from_log { Safe } else { Unsafe };
    let d = quirk_finding(
        cx,
        &B014,
        key,
        true,
        app,
        format!("{base}; {why}, so {what} is the one to use"),
    );
    if !from_log {
        d.severity = Severity::Info;
    }
}

/// B015.
pub fn b015(cx: &mut Context) {
    if !has_quirks(cx) || !on(cx, "DevirtualiseMmio") {
        return;
    }
    let Some((p, sev, app)) = advice(cx) else {
        return;
    };
    if !p.candidates.iter().all(|c| c.old_firmware) {
        return;
    }
    let message = format!(
        "DevirtualiseMmio is true on {}, firmware older than the quirk expects",
        names(p)
    );
    advise(cx, &B015, "DevirtualiseMmio", false, (app, sev), message);
}

#[cfg(test)]
#[path = "firmware_tests.rs"]
mod tests;
