//! How enabled UEFI/Drivers load and work together: LoadEarly (UEFI-17,
//! UEFI-18, UEFI-20 to UEFI-22), incompatible pairs (UEFI-23, UEFI-25 to
//! UEFI-27) and drivers that need ConnectDrivers (UEFI-28, UEFI-29).

use super::super::Context;
use super::super::view::Item;
use super::drivers::{Driver, enabled};
use super::{section, set_flag};
use crate::model::ConfigKind;
use crate::patch::{Applicability, Fix};

rule! {
    code: U015,
    name: "variable-runtime-not-load-early",
    severity: Warning,
    fix: Sometimes(Safe),
    summary: "OpenVariableRuntimeDxe.efi is enabled without LoadEarly.",
    why: "Emulated NVRAM must be installed before OpenCore sets up NVRAM; loaded late, the config's NVRAM settings go to the firmware's store.",
}
rule! {
    code: U016,
    name: "driver-load-early",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "A driver other than OpenVariableRuntimeDxe.efi and OpenRuntime.efi has LoadEarly on.",
    why: "Early drivers load before NVRAM setup and are never connected by ConnectDrivers; only the emulated-NVRAM pair needs that.",
}
rule! {
    code: U018,
    name: "openruntime-not-load-early",
    severity: Warning,
    fix: Sometimes(Safe),
    summary: "OpenRuntime.efi has LoadEarly off while OpenVariableRuntimeDxe.efi is loaded.",
    why: "With emulated NVRAM, OpenRuntime must load early too, or RequestBootVarRouting does not work on the emulated variables.",
}
rule! {
    code: U019,
    name: "openruntime-before-variable-runtime",
    severity: Warning,
    fix: None,
    summary: "OpenRuntime.efi is listed before OpenVariableRuntimeDxe.efi.",
    why: "OpenRuntime must start after the emulated NVRAM driver to wrap its variable services.",
}
rule! {
    code: U020,
    name: "openruntime-load-early-alone",
    severity: Warning,
    fix: Sometimes(Safe),
    summary: "OpenRuntime.efi has LoadEarly on but OpenVariableRuntimeDxe.efi is not loaded.",
    why: "Loading OpenRuntime early is only meant for emulated NVRAM; otherwise it should load with the other drivers.",
}
rule! {
    code: U021,
    name: "variable-runtime-with-firmware-settings",
    severity: Warning,
    fix: None,
    summary: "OpenVariableRuntimeDxe.efi and FirmwareSettingsEntry.efi are both loaded.",
    why: "The firmware-settings entry asks the firmware's NVRAM to reboot into setup; emulated NVRAM never reaches the firmware.",
}
rule! {
    code: U022,
    name: "usb-keyboard-driver-with-key-support",
    severity: Warning,
    fix: None,
    summary: "OpenUsbKbDxe.efi is loaded while Input/KeySupport is on.",
    why: "Both provide Apple key input: used together, keys are seen twice or not at all.",
}
rule! {
    code: U023,
    name: "ps2-keyboard-driver-without-key-support",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "Ps2KeyboardDxe.efi is loaded while Input/KeySupport is off.",
    why: "Ps2KeyboardDxe has no Apple key map support of its own: without KeySupport the keyboard does not work in the picker.",
}
rule! {
    code: U024,
    name: "usb-and-ps2-keyboard-drivers",
    severity: Warning,
    fix: None,
    summary: "OpenUsbKbDxe.efi and Ps2KeyboardDxe.efi are both loaded.",
    why: "One needs KeySupport off and the other on: one of the two keyboards cannot work.",
}
rule! {
    code: U025,
    name: "hfs-driver-without-connect-drivers",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "An HFS+ driver is loaded while UEFI/ConnectDrivers is off.",
    why: "OpenCore loads the driver but connects it to nothing: HFS+ volumes stay invisible.",
}
rule! {
    code: U026,
    name: "audio-driver-without-connect-drivers",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "AudioDxe.efi is loaded while UEFI/ConnectDrivers is off.",
    why: "OpenCore loads the driver but connects it to nothing: no audio device, no sound.",
}

const VARIABLE_RUNTIME: &str = "OpenVariableRuntimeDxe.efi";
const OPEN_RUNTIME: &str = "OpenRuntime.efi";
/// LoadEarly exists from this release on.
const LOAD_EARLY: &str = "0.8.3";

/// The last enabled entry named exactly `name` (OpenCore's validator keeps the last).
fn last<'a, 'b>(list: &'b [Driver<'a>], name: &str) -> Option<&'b Driver<'a>> {
    list.iter().rev().find(|d| d.path == name)
}

/// A fix setting the entry's LoadEarly to `value`.
fn load_early_fix(driver: &Driver, value: bool, applicability: Applicability) -> Option<Fix> {
    set_flag(
        &driver.item,
        "LoadEarly",
        value,
        applicability,
        format!("set LoadEarly of {} to {value}", driver.path),
    )
}

/// U015 (UEFI-17).
pub fn u015(cx: &mut Context) {
    let list = enabled(cx, LOAD_EARLY);
    for d in list
        .iter()
        .filter(|d| d.path == VARIABLE_RUNTIME && !d.load_early)
    {
        let fix = load_early_fix(d, true, Applicability::Safe);
        let r = cx.report(
            &U015,
            &d.load_early_at(),
            format!(
                "{VARIABLE_RUNTIME} at UEFI/Drivers/{} has LoadEarly off: it loads after OpenCore has set up NVRAM",
                d.index()
            ),
        );
        r.fix = fix;
    }
}

/// U016 (UEFI-18).
pub fn u016(cx: &mut Context) {
    let list = enabled(cx, LOAD_EARLY);
    for d in list
        .iter()
        .filter(|d| d.load_early && d.path != VARIABLE_RUNTIME && d.path != OPEN_RUNTIME)
    {
        let fix = load_early_fix(d, false, Applicability::Unsafe);
        let r = cx.report(
            &U016,
            &d.load_early_at(),
            format!(
                "{} at UEFI/Drivers/{} has LoadEarly on: it loads before NVRAM setup and ConnectDrivers never connects it",
                d.path,
                d.index()
            ),
        );
        r.fix = fix;
    }
}

/// The enabled OpenRuntime.efi and OpenVariableRuntimeDxe.efi entries.
fn runtime_pair<'a>(cx: &Context<'a>) -> Option<(Driver<'a>, Option<Driver<'a>>)> {
    let list = enabled(cx, LOAD_EARLY);
    let runtime = last(&list, OPEN_RUNTIME)?.clone();
    Some((runtime, last(&list, VARIABLE_RUNTIME).cloned()))
}

/// U018 (UEFI-20).
pub fn u018(cx: &mut Context) {
    let Some((rt, Some(var))) = runtime_pair(cx) else {
        return;
    };
    if rt.load_early {
        return;
    }
    let fix = load_early_fix(&rt, true, Applicability::Safe);
    let r = cx.report(
        &U018,
        &rt.load_early_at(),
        format!(
            "{OPEN_RUNTIME} at UEFI/Drivers/{} has LoadEarly off although {VARIABLE_RUNTIME} (UEFI/Drivers/{}) provides emulated NVRAM",
            rt.index(),
            var.index()
        ),
    );
    r.fix = fix;
}

/// U019 (UEFI-21).
pub fn u019(cx: &mut Context) {
    let Some((rt, Some(var))) = runtime_pair(cx) else {
        return;
    };
    let (Ok(r), Ok(v)) = (rt.index().parse::<usize>(), var.index().parse::<usize>()) else {
        return;
    };
    if v < r {
        return;
    }
    let d = cx.report(
        &U019,
        &rt.item.located(),
        format!(
            "{OPEN_RUNTIME} is at UEFI/Drivers/{r}, before {VARIABLE_RUNTIME} at UEFI/Drivers/{v}: it must come after it"
        ),
    );
    d.secondary
        .push((var.item.node.span.clone(), VARIABLE_RUNTIME.into()));
    d.help = Some(format!(
        "move the {OPEN_RUNTIME} entry below {VARIABLE_RUNTIME}"
    ));
}

/// U020 (UEFI-22).
pub fn u020(cx: &mut Context) {
    let Some((rt, None)) = runtime_pair(cx) else {
        return;
    };
    if !rt.load_early {
        return;
    }
    let fix = load_early_fix(&rt, false, Applicability::Safe);
    let r = cx.report(
        &U020,
        &rt.load_early_at(),
        format!(
            "{OPEN_RUNTIME} at UEFI/Drivers/{} has LoadEarly on, but {VARIABLE_RUNTIME} is not loaded",
            rt.index()
        ),
    );
    r.fix = fix;
}

/// U021 (UEFI-23).
pub fn u021(cx: &mut Context) {
    let list = enabled(cx, "0.9.8");
    let (Some(var), Some(fw)) = (
        last(&list, VARIABLE_RUNTIME),
        last(&list, "FirmwareSettingsEntry.efi"),
    ) else {
        return;
    };
    let (var_span, at) = (var.item.node.span.clone(), fw.path_at.clone());
    let d = cx.report(
        &U021,
        &at,
        format!(
            "FirmwareSettingsEntry.efi is loaded together with {VARIABLE_RUNTIME}, which it does not work with"
        ),
    );
    d.secondary.push((var_span, VARIABLE_RUNTIME.into()));
}

/// Input/KeySupport as OpenCore reads it, and the Input dict.
fn key_support<'a>(cx: &Context<'a>) -> (bool, Option<Item<'a>>) {
    let input = section(cx, "Input", "0.5.0");
    (
        input.as_ref().is_some_and(|i| i.bool_of("KeySupport")),
        input,
    )
}

/// U022 (UEFI-25).
pub fn u022(cx: &mut Context) {
    let (on, _) = key_support(cx);
    if !on {
        return;
    }
    let list = enabled(cx, "0.5.0");
    if let Some(d) = last(&list, "OpenUsbKbDxe.efi") {
        let at = d.path_at.clone();
        let r = cx.report(
            &U022,
            &at,
            format!(
                "OpenUsbKbDxe.efi (UEFI/Drivers/{}) is loaded while Input/KeySupport is on: use one or the other",
                d.index()
            ),
        );
        r.help = Some(
            "turn KeySupport off to use OpenUsbKbDxe, or disable OpenUsbKbDxe to keep KeySupport"
                .into(),
        );
    }
}

/// U023 (UEFI-26).
pub fn u023(cx: &mut Context) {
    let (on, input) = key_support(cx);
    if on {
        return;
    }
    let list = enabled(cx, "0.5.0");
    let Some(ps2) = last(&list, "Ps2KeyboardDxe.efi") else {
        return;
    };
    let index = ps2.index().to_owned();
    let (at, fix) = match &input {
        Some(i) => (
            i.located_of("KeySupport"),
            set_flag(
                i,
                "KeySupport",
                true,
                Applicability::Unsafe,
                "turn Input/KeySupport on".into(),
            ),
        ),
        None => (ps2.path_at.clone(), None),
    };
    let r = cx.report(
        &U023,
        &at,
        format!(
            "Ps2KeyboardDxe.efi (UEFI/Drivers/{index}) is loaded but Input/KeySupport is off: the PS/2 keyboard gets no Apple key input"
        ),
    );
    r.fix = fix;
}

/// U024 (UEFI-27).
pub fn u024(cx: &mut Context) {
    let list = enabled(cx, "0.5.0");
    let (Some(usb), Some(ps2)) = (
        last(&list, "OpenUsbKbDxe.efi"),
        last(&list, "Ps2KeyboardDxe.efi"),
    ) else {
        return;
    };
    let (usb_span, at) = (usb.item.node.span.clone(), ps2.path_at.clone());
    let d = cx.report(
        &U024,
        &at,
        format!(
            "Ps2KeyboardDxe.efi (UEFI/Drivers/{}) and OpenUsbKbDxe.efi (UEFI/Drivers/{}) are both loaded: they need KeySupport set in opposite ways",
            ps2.index(),
            usb.index()
        ),
    );
    d.secondary.push((usb_span, "OpenUsbKbDxe.efi".into()));
}

/// Report the enabled drivers `matching` while ConnectDrivers is off.
fn needs_connect(
    cx: &mut Context,
    rule: &'static super::super::RuleMeta,
    matching: fn(&str) -> bool,
    what: &str,
) {
    if cx.config.kind != ConfigKind::OpenCore {
        return;
    }
    let Some(uefi) = Item::at(cx, "UEFI") else {
        return;
    };
    if uefi.bool_of("ConnectDrivers") {
        return;
    }
    let list = enabled(cx, "0.5.0");
    let names: Vec<String> = list
        .iter()
        .filter(|d| matching(d.path))
        .map(|d| format!("{} (UEFI/Drivers/{})", d.path, d.index()))
        .collect();
    if names.is_empty() {
        return;
    }
    let d = cx.report(
        rule,
        &uefi.located_of("ConnectDrivers"),
        format!(
            "{} loaded while UEFI/ConnectDrivers is off: OpenCore never connects it, so {what}",
            names.join(", ") + if names.len() == 1 { " is" } else { " are" }
        ),
    );
    d.fix = set_flag(
        &uefi,
        "ConnectDrivers",
        true,
        Applicability::Unsafe,
        "turn UEFI/ConnectDrivers on".into(),
    );
    if d.fix.is_none() {
        d.help = Some("turn UEFI/ConnectDrivers on".into());
    }
}

/// U025 (UEFI-28).
pub fn u025(cx: &mut Context) {
    needs_connect(
        cx,
        &U025,
        |p| p.to_ascii_lowercase().contains("hfs"),
        "HFS+ volumes stay invisible",
    );
}

/// U026 (UEFI-29).
pub fn u026(cx: &mut Context) {
    needs_connect(
        cx,
        &U026,
        |p| p == "AudioDxe.efi",
        "no audio device is driven",
    );
}
