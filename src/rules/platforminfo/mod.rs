//! P0xx: `PlatformInfo`: the SMBIOS update mode, and the `Generic` values
//! OpenCore uses when `Automatic` is on (the Mac model against the table
//! `rules/mac-models.txt`, generated from OpenCore's model database by
//! `scripts/gen_opencore_tables.py` and embedded at build time).
//!
//! Not release-gated: each key has accepted the same values since it was
//! added (UpdateSMBIOSMode's since OpenCore 0.0.3). P001 and P003-P005 read
//! only values that are present (an absent key keeps OpenCore's default,
//! which passes, and X007 reports it); P002 also reports an absent model, as
//! the empty default names none. P002 uses 1.0.7's model table, which only
//! grows: a config for an older release may name a model that release
//! lacks, and P002 does not see it.

use super::view::{Item, guid_ok};
use super::{Context, Rule, RuleMeta};
use crate::model::ConfigKind;
use crate::patch::Fix;

/// The Mac models OpenCore knows, one per line (`#` lines are comments).
const MAC_MODELS: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/mac-models.txt"));

rule! {
    code: P001,
    name: "smbios-update-mode-unknown",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "PlatformInfo/UpdateSMBIOSMode is not TryOverwrite, Create, Overwrite or Custom.",
    why: "OpenCore falls back to Create (new tables in newly allocated memory), not the mode the config meant.",
}
rule! {
    code: P002,
    name: "mac-model-unknown",
    severity: Warning,
    fix: None,
    summary: "PlatformInfo/Generic/SystemProductName is not a Mac model OpenCore knows.",
    why: "With Automatic on, OpenCore fills the other SMBIOS fields from its default model (MacBook1,1) instead.",
}
rule! {
    code: P003,
    name: "memory-status-unknown",
    severity: Info,
    fix: Sometimes(Unsafe),
    summary: "PlatformInfo/Generic/SystemMemoryStatus is not Auto, Upgradable or Soldered.",
    why: "OpenCore logs the value as invalid and keeps the automatic choice.",
}
rule! {
    code: P004,
    name: "system-uuid-malformed",
    severity: Warning,
    fix: None,
    summary: "PlatformInfo/Generic/SystemUUID is not empty, OEM or a UUID.",
    why: "OpenCore cannot convert it, so macOS does not see the UUID the config sets.",
}
rule! {
    code: P005,
    name: "processor-type-unknown",
    severity: Warning,
    fix: None,
    summary: "PlatformInfo/Generic/ProcessorType names no Apple processor family.",
    why: "macOS shows and handles the CPU by this value; a family Apple never used leaves it unknown.",
}

/// The P family, in code order.
pub(super) static RULES: &[Rule] = &[
    Rule::new(&P001, p001),
    Rule::new(&P002, p002),
    Rule::new(&P003, p003),
    Rule::new(&P004, p004),
    Rule::new(&P005, p005),
];

/// The major byte of every processor type Apple's SMBIOS knows (the high
/// byte of `ProcessorType`): Core, Core 2, Xeon Penryn, Xeon Nehalem, i5,
/// i7, i3, i9, Xeon E5, M, m3, m5, m7, Xeon W.
pub const PROCESSOR_MAJORS: &[u8] = &[
    0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x09, 0x10, 0x0A, 0x0B, 0x0C, 0x0D, 0x0E, 0x0F,
];

/// Whether OpenCore's model table holds `name` (exact, case-sensitive).
pub fn known_model(name: &str) -> bool {
    MAC_MODELS
        .lines()
        .filter(|l| !l.starts_with('#'))
        .any(|l| l == name)
}

/// `PlatformInfo`, when the config is OpenCore's and `Automatic` is on
/// (OpenCore uses Generic only then, and its validator checks it only then).
fn automatic<'a>(cx: &Context<'a>) -> Option<Item<'a>> {
    if cx.config.kind != ConfigKind::OpenCore {
        return None;
    }
    let pi = Item::at(cx, "PlatformInfo")?;
    pi.bool_of("Automatic").then_some(pi)
}

/// `PlatformInfo/Generic`, when OpenCore uses it (see [`automatic`]).
fn generic<'a>(cx: &Context<'a>) -> Option<Item<'a>> {
    automatic(cx)?.get("Generic")
}

/// Report `item` (a string) when it is not one of `allowed`; an unsafe fix
/// when it differs from exactly one of them only in case.
fn enumeration(
    cx: &mut Context,
    rule: &'static RuleMeta,
    item: Option<Item>,
    allowed: &[&str],
    what: &str,
) {
    let Some(item) = item else {
        return;
    };
    let Some(value) = item.str() else {
        return;
    };
    if allowed.contains(&value) {
        return;
    }
    let near: Vec<&&str> = allowed
        .iter()
        .filter(|a| a.eq_ignore_ascii_case(value))
        .collect();
    let at = item.located();
    let fix = match near.as_slice() {
        [one] => Some(Fix::unsafe_(
            format!("write `{one}`"),
            vec![crate::patch::set_string(&cx.source.text, item.node, one)],
        )),
        _ => None,
    };
    let d = cx.report(
        rule,
        &at,
        format!(
            "{} is `{value}`, not one of {}: OpenCore {what}",
            item.path.rsplit('/').next().unwrap_or_default(),
            allowed.join(", ")
        ),
    );
    d.fix = fix;
}

/// P001: UpdateSMBIOSMode.
pub fn p001(cx: &mut Context) {
    if cx.config.kind != ConfigKind::OpenCore {
        return;
    }
    let item = Item::at(cx, "PlatformInfo/UpdateSMBIOSMode");
    enumeration(
        cx,
        &P001,
        item,
        &["TryOverwrite", "Create", "Overwrite", "Custom"],
        "falls back to Create",
    );
}

/// P002: SystemProductName is a known Mac model.
pub fn p002(cx: &mut Context) {
    let Some(pi) = automatic(cx) else {
        return;
    };
    // An absent Generic or SystemProductName reads as "", which is no model.
    let (name, at) = match pi.get("Generic") {
        Some(g) => (
            g.str_of("SystemProductName"),
            g.located_of("SystemProductName"),
        ),
        None => ("", pi.located_of("Generic")),
    };
    if known_model(name) {
        return;
    }
    let close = MAC_MODELS
        .lines()
        .filter(|l| !l.starts_with('#'))
        .find(|l| l.eq_ignore_ascii_case(name.trim()));
    let d = cx.report(
        &P002,
        &at,
        format!(
            "SystemProductName `{name}` is not a Mac model OpenCore knows: with Automatic on, the other SMBIOS fields come from its default model (MacBook1,1)"
        ),
    );
    if let Some(close) = close {
        d.help = Some(format!(
            "did you mean `{close}`? model names are case-sensitive"
        ));
    }
}

/// P003: SystemMemoryStatus.
pub fn p003(cx: &mut Context) {
    let Some(generic) = generic(cx) else {
        return;
    };
    let item = generic.get("SystemMemoryStatus");
    enumeration(
        cx,
        &P003,
        item,
        &["Auto", "Upgradable", "Soldered"],
        "logs it as invalid and keeps the automatic choice",
    );
}

/// P004: SystemUUID is empty, OEM or a UUID.
pub fn p004(cx: &mut Context) {
    let Some(generic) = generic(cx) else {
        return;
    };
    let Some(item) = generic.get("SystemUUID") else {
        return;
    };
    let Some(value) = item.str() else {
        return;
    };
    if value.is_empty() || value == "OEM" || guid_ok(value) {
        return;
    }
    let at = item.located();
    cx.report(
        &P004,
        &at,
        format!(
            "SystemUUID `{value}` is not empty, `OEM` or a UUID (8-4-4-4-12 hex digits): OpenCore cannot convert it"
        ),
    );
}

/// P005: ProcessorType's major byte is an Apple processor family (or the
/// whole value is 0, automatic).
pub fn p005(cx: &mut Context) {
    let Some(generic) = generic(cx) else {
        return;
    };
    let Some(item) = generic.get("ProcessorType") else {
        return;
    };
    let Some(value) = item.int() else {
        return;
    };
    // OpenCore keeps the field as 16 bits.
    let value = value as u16;
    let major = (value >> 8) as u8;
    if value == 0 || PROCESSOR_MAJORS.contains(&major) {
        return;
    }
    let at = item.located();
    cx.report(
        &P005,
        &at,
        format!(
            "ProcessorType {value} (0x{value:04X}) has major byte 0x{major:02X}, no Apple processor family; use 0 to let OpenCore choose"
        ),
    );
}

#[cfg(test)]
mod tests;
