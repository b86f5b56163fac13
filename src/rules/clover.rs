//! C0xx: Clover's own files and folder, and Clover's reading in other rules.
//!
//! The C rules look at what only Clover has: an OcQuirks.plist that no longer
//! counts, legacy memory-fix drivers, the moved ProvideConsoleGopEnable key
//! and OpenRuntime.efi in `drivers/UEFI`. The helpers below tell the B, S, W
//! and X rules how Clover (or the OcQuirks driver) reads the same keys.

use super::{Context, Diagnostic, Severity};
use crate::folder::clover::{CloverEnv, file_name};
use crate::model::{BOOTER_FLAGS, Config, ConfigKind, Located, State};
use crate::patch::{self, Fix, NewValue};
use crate::plist::Value;

rule! {
    code: C001,
    name: "ocquirks-plist-ignored",
    severity: Warning,
    fix: None,
    summary: "An OcQuirks.plist sits beside a Clover config.plist that has its own Quirks dict.",
    why: "Clover r5124+ no longer loads the OcQuirks driver: edits to OcQuirks.plist change nothing, config.plist Quirks decide the boot.",
}
rule! {
    code: C002,
    name: "legacy-memory-fix-driver",
    severity: Warning,
    fix: None,
    summary: "A legacy memory-fix driver (AptioMemoryFix, OsxAptioFix*, OcQuirks) is in Clover's drivers folder.",
    why: "Current Clover applies OpenCore's memory quirks itself; old drivers are skipped or compete, and OsxAptioFixDrv makes Clover add slide=0.",
}
rule! {
    code: C003,
    name: "console-gop-in-quirks",
    severity: Warning,
    fix: None,
    summary: "Quirks/ProvideConsoleGopEnable is set; Clover ignores it since r5128.",
    why: "The setting moved to GUI/ProvideConsoleGop; left in Quirks it is silently lost.",
}
rule! {
    code: C004,
    name: "openruntime-missing",
    severity: Error,
    fix: None,
    summary: "Clover quirks need OpenRuntime.efi but Clover's drivers folder does not hold it.",
    why: "The runtime part of these quirks lives in OpenRuntime.efi; without the driver they are silently incomplete.",
}
rule! {
    code: C005,
    name: "ocquirks-development-layout",
    severity: Error,
    fix: None,
    summary: "The config uses the OcQuirks layout of Clover's September 2020 development builds.",
    why: "Clover r5124 and later moved these keys into the root Quirks dict and stop with a panic when they find the old ones.",
}

/// Quirks compared between OcQuirks.plist and config.plist by C001.
const COMPARED: &[&str] = &[
    "AvoidRuntimeDefrag",
    "DevirtualiseMmio",
    "EnableSafeModeSlide",
    "EnableWriteUnprotector",
    "ProtectUefiServices",
    "ProvideCustomSlide",
    "ProvideMaxSlide",
    "RebuildAppleMemoryMap",
    "SetupVirtualMap",
    "SyncRuntimePermissions",
];

/// Quirks whose runtime part is in OpenRuntime.efi.
const NEED_OPENRUNTIME: &[&str] = &[
    "ProvideCustomSlide",
    "DisableVariableWrite",
    "EnableWriteUnprotector",
    "ClearTaskSwitchBit",
];

/// A quirk's effective value as text (`true`, `false`, `0`), or `None`.
fn value_of(config: &Config, key: &str) -> Option<String> {
    if key == "ProvideMaxSlide" {
        return Some(config.quirks.provide_max_slide.value.to_string());
    }
    config.quirks.flag(key).map(|f| f.value.to_string())
}

/// `Key=value` for every compared quirk of the config that applies, with the
/// ignored file's value where it differs.
fn applied_values(applies: &Config, ignored: &Config) -> String {
    COMPARED
        .iter()
        .filter_map(|k| {
            let v = value_of(applies, k)?;
            let absent = applies.quirks.flag(k).map_or(
                applies.quirks.provide_max_slide.state == State::Absent,
                |f| f.state == State::Absent,
            );
            let mut s = format!("{k}={v}");
            if absent {
                s.push_str(" (missing: default)");
            }
            if let Some(o) = value_of(ignored, k).filter(|o| *o != v) {
                s.push_str(&format!(" [OcQuirks.plist: {o}]"));
            }
            Some(s)
        })
        .collect::<Vec<_>>()
        .join(", ")
}

fn quirks_or_root(cx: &Context) -> Located {
    cx.config
        .quirks
        .dict
        .clone()
        .unwrap_or_else(|| cx.config.root.clone())
}

/// C001.
pub fn c001(cx: &mut Context) {
    let Some(env) = cx.clover else { return };
    let Some(other) = &env.companion else { return };
    match (cx.config.kind, other.config.kind) {
        (ConfigKind::Clover, ConfigKind::OcQuirks) if cx.config.quirks.dict.is_some() => {
            let values = applied_values(cx.config, &other.config);
            let at = quirks_or_root(cx);
            let d = cx.report(
                &C001,
                &at,
                format!(
                    "{} is ignored: Clover r5124+ does not load the OcQuirks driver and reads the quirks from this Quirks dict; the values that apply: {values}",
                    other.rel
                ),
            );
            d.notes.push("Clover r5124+: with a Quirks dict, a missing AvoidRuntimeDefrag, EnableSafeModeSlide, EnableWriteUnprotector, SetupVirtualMap or SyncRuntimePermissions counts as true".into());
            d.help = Some(format!(
                "move the values you want into config.plist Quirks, then delete {} and OcQuirks.efi",
                other.rel
            ));
        }
        (ConfigKind::OcQuirks, ConfigKind::Clover) if other.config.quirks.dict.is_some() => {
            let values = applied_values(&other.config, cx.config);
            let at = cx.config.root.clone();
            let d = cx.report(
                &C001,
                &at,
                format!(
                    "this OcQuirks.plist is ignored: {} has a root Quirks dict, which Clover r5124+ reads instead (it no longer loads the OcQuirks driver); the values that really apply: {values}",
                    other.rel
                ),
            );
            d.notes.push("Clover r5124+: with a Quirks dict, a missing AvoidRuntimeDefrag, EnableSafeModeSlide, EnableWriteUnprotector, SetupVirtualMap or SyncRuntimePermissions counts as true".into());
            d.help = Some(
                "edit config.plist Quirks instead, then delete this file and OcQuirks.efi".into(),
            );
        }
        _ => {}
    }
}

/// Why a driver file is a legacy memory fix, or `None`.
fn legacy_reason(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    if !lower.ends_with(".efi") {
        return None;
    }
    Some(if lower.starts_with("osxaptiofixdrv") {
        "with OsxAptioFixDrv as the memory fix, Clover adds `slide=0` to the boot arguments by itself (unless a slide= is already there or the boot is a hibernation wake), which switches KASLR off"
    } else if lower.starts_with("osxaptiofix") {
        "an old memory fix that competes with the OpenCore quirks Clover applies from config.plist Quirks"
    } else if lower.starts_with("aptiomemoryfix") {
        "Clover r5124+ refuses to load it (and r5124 itself panicked when it ran); the quirks in config.plist Quirks replace it"
    } else if lower.starts_with("ocquirks") {
        "Clover r5124+ refuses to load it; the quirks in config.plist Quirks replace it and its OcQuirks.plist"
    } else {
        return None;
    })
}

/// The OsxAptioFixDrv driver in Clover's drivers folder (the one that makes
/// Clover add `slide=0` by itself), by file name.
pub(super) fn aptiofix_drv<'c>(cx: &Context<'c>) -> Option<&'c str> {
    if cx.config.kind != ConfigKind::Clover {
        return None;
    }
    cx.clover?.drivers.iter().map(|d| file_name(d)).find(|n| {
        n.to_ascii_lowercase().starts_with("osxaptiofixdrv") && legacy_reason(n).is_some()
    })
}

/// C002.
pub fn c002(cx: &mut Context) {
    if cx.config.kind != ConfigKind::Clover {
        return;
    }
    let Some(env) = cx.clover else { return };
    for rel in &env.drivers {
        let Some(reason) = legacy_reason(file_name(rel)) else {
            continue;
        };
        let aptiofix = file_name(rel)
            .to_ascii_lowercase()
            .starts_with("osxaptiofixdrv");
        let at = match (&cx.config.boot_args, aptiofix) {
            (Some(a), true) => a.at.clone(),
            _ => cx.config.root.clone(),
        };
        let d = cx.report(
            &C002,
            &at,
            format!("legacy memory-fix driver {rel}: {reason}"),
        );
        d.help = Some(format!(
            "delete {rel}, keep OpenRuntime.efi from the same Clover release in drivers/UEFI, and set the memory quirks in config.plist Quirks"
        ));
    }
}

/// C003.
pub fn c003(cx: &mut Context) {
    if cx.config.kind != ConfigKind::Clover {
        return;
    }
    let Some(root) = cx.doc.root.as_dict() else {
        return;
    };
    let Some(quirks) = root.get_clover("Quirks").and_then(|e| e.value.as_dict()) else {
        return;
    };
    let Some(e) = quirks.get_clover("ProvideConsoleGopEnable") else {
        return;
    };
    let at = Located {
        span: e.value.span.clone(),
        path: "Quirks/ProvideConsoleGopEnable".into(),
    };
    let gui_set = root
        .get_clover("GUI")
        .and_then(|g| g.value.as_dict())
        .and_then(|g| g.get_clover("ProvideConsoleGop"))
        .is_some();
    let d = cx.report(
        &C003,
        &at,
        if gui_set {
            "Quirks/ProvideConsoleGopEnable is ignored since Clover r5128; GUI/ProvideConsoleGop is set, so this key is only a leftover"
        } else {
            "Quirks/ProvideConsoleGopEnable is ignored since Clover r5128; the setting now lives in GUI/ProvideConsoleGop, which this config does not set"
        },
    );
    if gui_set {
        d.severity = Severity::Info;
        d.help = Some("delete Quirks/ProvideConsoleGopEnable".into());
    } else {
        d.help = Some("move the value to GUI/ProvideConsoleGop and delete this key".into());
    }
}

/// The keys of the September 2020 layout, and where r5124 moved them.
const DEVELOPMENT_LAYOUT: &[(&str, &str, &str)] = &[
    (
        "",
        "OcQuirks",
        "the booter quirks go into the root Quirks dict",
    ),
    (
        "KernelAndKextPatches",
        "OcQuirks",
        "the kernel quirks go into the root Quirks dict",
    ),
    (
        "KernelAndKextPatches",
        "OcFuzzyMatch",
        "becomes Quirks/FuzzyMatch",
    ),
    (
        "KernelAndKextPatches",
        "OcKernelCache",
        "becomes Quirks/KernelCache",
    ),
];

/// C005.
pub fn c005(cx: &mut Context) {
    if cx.config.kind != ConfigKind::Clover {
        return;
    }
    let Some(root) = cx.doc.root.as_dict() else {
        return;
    };
    let mut found = Vec::new();
    for &(parent, key, goes) in DEVELOPMENT_LAYOUT {
        let dict = if parent.is_empty() {
            Some(root)
        } else {
            root.get_clover(parent).and_then(|e| e.value.as_dict())
        };
        if let Some(e) = dict.and_then(|d| d.get_clover(key)) {
            let path = if parent.is_empty() {
                e.key.to_string()
            } else {
                format!("{parent}/{}", e.key)
            };
            found.push((path, e.key_span.clone(), goes));
        }
    }
    let Some((path, span, _)) = found.first().cloned() else {
        return;
    };
    let keys: Vec<&str> = found.iter().map(|f| f.0.as_str()).collect();
    let no_quirks = cx.config.quirks.dict.is_none();
    let moves: Vec<String> = found
        .iter()
        .map(|(p, _, goes)| format!("{p}: {goes}"))
        .collect();
    let d = cx.report_span(
        &C005,
        path,
        span,
        format!(
            "{} {} the layout of Clover's September 2020 development builds; Clover r5124 and later panic at boot when they find {}",
            keys.join(", "),
            if keys.len() == 1 { "follows" } else { "follow" },
            if keys.len() == 1 { "it" } else { "them" },
        ),
    );
    d.secondary = found[1..]
        .iter()
        .map(|(_, span, _)| (span.clone(), "also the old layout".to_owned()))
        .collect();
    if no_quirks {
        d.notes.push(
            "this config has no root Quirks dict, so current Clover would also run with every booter quirk false"
                .into(),
        );
    }
    d.help = Some(format!(
        "move the settings to the r5124 layout ({}), then delete the old keys",
        moves.join("; ")
    ));
}

/// C004.
pub fn c004(cx: &mut Context) {
    if cx.config.kind != ConfigKind::Clover {
        return;
    }
    let Some(env) = cx.clover else { return };
    let needing: Vec<&str> = NEED_OPENRUNTIME
        .iter()
        .copied()
        .filter(|k| cx.quirk(k) == Some(true))
        .collect();
    if needing.is_empty() || env.driver("OpenRuntime.efi").is_some() {
        return;
    }
    let at = quirks_or_root(cx);
    let reading = reading_suffix(cx, &needing);
    let folder = folder_name(env);
    let d = cx.report(
        &C004,
        &at,
        format!(
            "{} need OpenRuntime.efi, which {folder} does not hold{reading}",
            needing.join(", ")
        ),
    );
    d.help = Some(
        "copy OpenRuntime.efi from the same Clover release as CLOVERX64.efi into drivers/UEFI"
            .into(),
    );
}

fn folder_name(env: &CloverEnv) -> String {
    let dir = env.dir.display();
    format!("{dir}/drivers/UEFI")
}

/// Whether the quirk `key` is written as a `<string>` (Clover's yes/no).
pub(super) fn written_as_string(cx: &Context, key: &str) -> bool {
    cx.config
        .quirks
        .flag(key)
        .and_then(|f| f.at.as_ref())
        .and_then(|at| patch::node_by_span(&cx.doc.root, &at.span))
        .is_some_and(|n| matches!(n.value, Value::String(_)))
}

/// " (Clover r5124+: a missing X counts as true)" and the like: which
/// reading gives these quirks their values. Empty for OpenCore.
pub(super) fn reading_suffix(cx: &Context, keys: &[&str]) -> String {
    let q = &cx.config.quirks;
    let (who, file) = match cx.config.kind {
        ConfigKind::OpenCore => return String::new(),
        ConfigKind::Clover => ("Clover", "config.plist Quirks"),
        ConfigKind::OcQuirks => ("OcQuirks.efi", "OcQuirks.plist"),
    };
    if cx.config.kind == ConfigKind::Clover && q.dict.is_none() {
        return " (Clover reading: without a Quirks dict every booter quirk is false)".into();
    }
    let mut details = Vec::new();
    let mut defaults_true = false;
    for key in keys {
        let Some(f) = q.flag(key) else { continue };
        if f.state == State::Absent {
            defaults_true |= f.value;
            details.push(format!("a missing {key} counts as {}", f.value));
        } else if let Some(s) =
            f.at.as_ref()
                .and_then(|at| patch::node_by_span(&cx.doc.root, &at.span))
                .and_then(|n| n.as_str())
        {
            details.push(format!("the string `{s}` in {key} reads as {}", f.value));
        }
    }
    if details.is_empty() {
        return format!(" ({who} reading of {file})");
    }
    let who = if defaults_true && cx.config.kind == ConfigKind::Clover {
        "Clover r5124+"
    } else {
        who
    };
    format!(" ({who}: {})", details.join("; "))
}

/// Append the reading to the messages of quirk-based findings on Clover and
/// OcQuirks files.
pub(super) fn annotate(cx: &Context, diags: &mut [Diagnostic]) {
    if cx.config.kind == ConfigKind::OpenCore {
        return;
    }
    for d in diags {
        let code = d.rule.code;
        if !(code.starts_with('B') || code.starts_with('W') || code == "S008") {
            continue;
        }
        let mut keys: Vec<(usize, &str)> = BOOTER_FLAGS
            .iter()
            .filter_map(|k| d.message.find(k).map(|i| (i, *k)))
            .collect();
        keys.sort_unstable();
        let keys: Vec<&str> = keys.into_iter().map(|(_, k)| k).collect();
        let suffix = reading_suffix(cx, &keys);
        d.message.push_str(&suffix);
    }
}

/// X004 on Clover: a boolean written as a yes/no/true/false string. Clover
/// accepts it with a warning in its log; the fix writes a real boolean.
pub(super) fn lenient_bools(cx: &mut Context) {
    if cx.config.kind != ConfigKind::Clover {
        return;
    }
    let mut fields: Vec<Located> = BOOTER_FLAGS
        .iter()
        .filter_map(|k| cx.config.quirks.flag(k))
        .filter(|f| f.state == State::Present)
        .filter_map(|f| f.at.clone())
        .collect();
    if let Some(wl) = &cx.config.mmio_whitelist {
        fields.extend(
            wl.entries
                .iter()
                .filter(|e| e.enabled.state == State::Present)
                .filter_map(|e| e.enabled.at.clone()),
        );
    }
    for at in fields {
        let Some(node) = patch::node_by_span(&cx.doc.root, &at.span) else {
            continue;
        };
        let Value::String(s) = &node.value else {
            continue;
        };
        let v = matches!(s.trim().to_ascii_lowercase().as_str(), "true" | "yes");
        let edit = patch::replace_value(cx.text(), node, &NewValue::Bool(v), &cx.style);
        let shown = s.clone();
        let d = cx.report(
            &super::structure::X004,
            &at,
            format!(
                "`{shown}` is a string where a boolean belongs; Clover accepts it (with a warning in its log) and reads {v}"
            ),
        );
        d.severity = Severity::Warning;
        d.fix = Some(Fix::unsafe_(
            format!("write {}", if v { "<true/>" } else { "<false/>" }),
            vec![edit],
        ));
    }
}

/// S005 on Clover: there is no NVRAM/Delete; Clover merges the stored
/// boot-args into its own, so a stored `slide=` still reaches boot.efi.
pub(super) fn s005_clover(cx: &mut Context) {
    if cx.quirk("ProvideCustomSlide") != Some(true) {
        return;
    }
    let at = match &cx.config.boot_args {
        Some(a) => a.at.clone(),
        None => cx.quirk_location("ProvideCustomSlide"),
    };
    let d = cx.report(
        &super::bootargs::S005,
        &at,
        "Clover merges the boot-args stored in NVRAM into Boot/Arguments (every token not already there, except -s), so a `slide=` stored earlier still reaches boot.efi and skips ProvideCustomSlide's analysis; Clover has no NVRAM/Delete to prevent it",
    );
    d.severity = Severity::Info;
    d.help = Some("check `nvram boot-args` in macOS and clear a stored slide= with `sudo nvram -d boot-args` or a NVRAM reset (with CloverEFI or EmuVariableUefi, also look in nvram.plist)".into());
}

#[cfg(test)]
mod tests;
