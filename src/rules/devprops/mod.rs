//! D0xx: `DeviceProperties`, and device paths wherever a config writes one
//! (`UEFI/Audio/AudioDevice` too): the checks of OpenCore's validator,
//! with the EDK2 text device-path conversion restated in [`path`].
//!
//! Not release-gated: the device-path conversion is EDK2's and has not
//! changed for the node types read here.

pub mod path;

use super::view::{Item, printable_ascii};
use super::{Context, Rule};
use crate::model::ConfigKind;
use path::Verdict;

rule! {
    code: D001,
    name: "device-path-misread",
    severity: Error,
    fix: None,
    summary: "A DeviceProperties/Add device path does not read back as written.",
    why: "OpenCore applies the properties to the path it parses, which is another spelling or another device than the one written.",
}
rule! {
    code: D002,
    name: "property-name-not-printable",
    severity: Info,
    fix: None,
    summary: "A DeviceProperties/Add property name holds a character outside printable ASCII.",
    why: "Property names are ASCII identifiers to macOS; OpenCore's validator rejects other characters.",
}
rule! {
    code: D003,
    name: "delete-device-path-misread",
    severity: Warning,
    fix: None,
    summary: "A DeviceProperties/Delete device path does not read back as written.",
    why: "OpenCore deletes the properties of the path it parses, which is another spelling or another device than the one written.",
}
rule! {
    code: D004,
    name: "delete-property-repeated",
    severity: Info,
    fix: Always(Safe),
    summary: "A property name is listed twice under one DeviceProperties/Delete device.",
    why: "The second entry deletes nothing more; OpenCore's validator reports it.",
}
rule! {
    code: D005,
    name: "audio-device-path-misread",
    severity: Warning,
    fix: None,
    summary: "UEFI/Audio/AudioDevice does not read back as written.",
    why: "OpenCore's audio driver looks for the codec at the path it parses, which is another spelling or another device than the one written.",
}

/// The D family, in code order.
pub(super) static RULES: &[Rule] = &[
    Rule::new(&D001, d001),
    Rule::new(&D002, d002),
    Rule::new(&D003, d003),
    Rule::new(&D004, d004),
    Rule::new(&D005, d005),
];

/// The devices of `DeviceProperties/<section>` as OpenCore reads them: keys
/// that are not comments, with a value of the type the section holds.
fn devices<'a>(
    cx: &Context<'a>,
    section: &str,
    dict: bool,
) -> Vec<(&'a str, crate::source::Span, Item<'a>)> {
    Item::map_at(cx, &format!("DeviceProperties/{section}"), dict)
}

/// Report every device path of `section` that does not round-trip.
fn misread_paths(cx: &mut Context, rule: &'static super::RuleMeta, section: &str, dict: bool) {
    for (key, span, item) in devices(cx, section, dict) {
        if let Verdict::Differs(printed) = path::round_trip(key) {
            let does = if section == "Add" {
                "applies these properties to"
            } else {
                "deletes these properties from"
            };
            let d = cx.report_span(rule, item.path.clone(), span, misread(key, &printed, does));
            spelling_only(d, key, &printed);
        }
    }
}

/// The message of a path that reads back as `printed`.
fn misread(written: &str, printed: &str, does: &str) -> String {
    if path::same_device(written, printed) {
        format!(
            "device path `{written}` reads back as `{printed}`: the same device, spelt otherwise (OpenCore's validator rejects the spelling)"
        )
    } else {
        format!("device path `{written}` reads back as `{printed}`: OpenCore {does} `{printed}`")
    }
}

/// Help for a misread path; a spelling that names the same device is a
/// warning, not an error.
fn spelling_only(d: &mut super::Diagnostic, written: &str, printed: &str) {
    if path::same_device(written, printed) {
        if d.severity == super::Severity::Error {
            d.severity = super::Severity::Warning;
        }
        d.help = Some(format!("write `{printed}`, the spelling OpenCore prints"));
    } else {
        d.help = Some(help(written, printed));
    }
}

fn help(written: &str, printed: &str) -> String {
    format!(
        "numbers without `0x` are decimal, and EDK2 prints each number in hex with `0x` and no leading zeros; \
         if `{printed}` is the device you mean, write it that way; otherwise correct `{written}`"
    )
}

/// D001: DeviceProperties/Add device paths round-trip.
pub fn d001(cx: &mut Context) {
    misread_paths(cx, &D001, "Add", true);
}

/// D002: DeviceProperties/Add property names are printable ASCII.
pub fn d002(cx: &mut Context) {
    for (key, _, device) in devices(cx, "Add", true) {
        for (name, _, value) in device.map_entries() {
            if value.mdata().is_none() || printable_ascii(name) {
                continue;
            }
            let at = value.located();
            cx.report(
                &D002,
                &at,
                format!(
                    "property name `{}` of `{key}` holds a character outside printable ASCII",
                    name.escape_debug()
                ),
            );
        }
    }
}

/// D003: DeviceProperties/Delete device paths round-trip.
pub fn d003(cx: &mut Context) {
    misread_paths(cx, &D003, "Delete", false);
}

/// D004: no property name twice under one DeviceProperties/Delete device.
pub fn d004(cx: &mut Context) {
    for (key, _, device) in devices(cx, "Delete", false) {
        super::nvram::report_repeated(cx, &D004, key, &device);
    }
}

/// D005: UEFI/Audio/AudioDevice round-trips, when audio support is on.
pub fn d005(cx: &mut Context) {
    if cx.config.kind != ConfigKind::OpenCore {
        return;
    }
    let Some(audio) = Item::at(cx, "UEFI/Audio") else {
        return;
    };
    if !audio.bool_of("AudioSupport") {
        return;
    }
    let Some(device) = audio.get("AudioDevice") else {
        return;
    };
    let Some(text) = device.str() else {
        return;
    };
    if let Verdict::Differs(printed) = path::round_trip(text) {
        let at = device.located();
        let message = misread(text, &printed, "looks for the codec at").replacen(
            "device path",
            "AudioDevice",
            1,
        );
        let d = cx.report(&D005, &at, message);
        spelling_only(d, text, &printed);
    }
}

#[cfg(test)]
pub(crate) mod tests;
