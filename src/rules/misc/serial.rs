//! Misc/Serial/Custom: the serial port settings OpenCore applies when
//! Misc/Serial/Override is on. Each finding is a warning then, and only
//! information while Override is off (OpenCore does not apply the values).

use super::{section, uint_or};
use crate::rules::view::Item;
use crate::rules::{Context, Diagnostic, RuleMeta, Severity};

rule! {
    code: G031,
    name: "serial-register-access-width",
    severity: Warning,
    fix: None,
    summary: "Misc/Serial/Custom/RegisterAccessWidth is not 8 or 32.",
    why: "The serial driver accesses the UART registers only 8 or 32 bits wide.",
}
rule! {
    code: G032,
    name: "serial-baud-rate-nonstandard",
    severity: Warning,
    fix: None,
    summary: "Misc/Serial/Custom/BaudRate is not one of the 22 standard rates.",
    why: "The serial driver supports only the standard rates from 50 to 921600 baud.",
}
rule! {
    code: G033,
    name: "serial-pci-device-info-too-long",
    severity: Warning,
    fix: None,
    summary: "Misc/Serial/Custom/PciDeviceInfo is longer than 41 bytes.",
    why: "OpenCore then abandons the whole serial override: none of the Custom values are applied.",
}
rule! {
    code: G034,
    name: "serial-pci-device-info-empty",
    severity: Warning,
    fix: Sometimes(Safe),
    summary: "Misc/Serial/Custom/PciDeviceInfo is empty.",
    why: "The serial driver expects the list to end with 0xFF; an empty one is not a valid list.",
}
rule! {
    code: G035,
    name: "serial-pci-device-info-unterminated",
    severity: Warning,
    fix: None,
    summary: "Misc/Serial/Custom/PciDeviceInfo does not end with 0xFF.",
    why: "The serial driver reads PCI device entries until the 0xFF end marker.",
}
rule! {
    code: G036,
    name: "serial-pci-device-info-misaligned",
    severity: Warning,
    fix: None,
    summary: "Misc/Serial/Custom/PciDeviceInfo minus its 0xFF end is not a multiple of 4 bytes.",
    why: "Each PCI device entry is 4 bytes; a partial entry is read as garbage.",
}

/// The baud rates the serial driver accepts.
pub const BAUD_RATES: [u64; 22] = [
    921_600, 460_800, 230_400, 115_200, 57_600, 38_400, 19_200, 9_600, 7_200, 4_800, 3_600, 2_400,
    2_000, 1_800, 1_200, 600, 300, 150, 134, 110, 75, 50,
];

/// OpenCore's limit on PciDeviceInfo.
const PCI_DEVICE_INFO_MAX: usize = 41;

/// `Misc/Serial/Custom`, when present in a config whose release has it.
fn custom<'a>(cx: &Context<'a>, key: &str) -> Option<Item<'a>> {
    section(cx, "Misc/Serial/Custom", key)
}

/// Report `rule` at `at`: a warning while Misc/Serial/Override is on,
/// information while it is off (OpenCore does not apply Custom then).
fn report<'c>(
    cx: &'c mut Context,
    rule: &'static RuleMeta,
    at: &Item,
    message: String,
) -> &'c mut Diagnostic {
    let applied = Item::at(cx, "Misc/Serial").is_some_and(|s| s.bool_of("Override"));
    let d = cx.report(rule, &at.located(), message);
    if !applied {
        d.severity = Severity::Info;
        d.notes
            .push("Misc/Serial/Override is off, so OpenCore does not apply Custom today".into());
    }
    d
}

/// G031.
pub fn g031(cx: &mut Context) {
    let Some(c) = custom(cx, "RegisterAccessWidth") else {
        return;
    };
    let Some(item) = c.get("RegisterAccessWidth") else {
        return;
    };
    // An 8-bit field: OpenCore keeps the low byte.
    let width = uint_or(&c, "RegisterAccessWidth", 8, 8);
    if width != 8 && width != 32 {
        let message = format!(
            "`{}` is {width}: the serial driver accesses registers 8 or 32 bits wide only",
            item.path
        );
        report(cx, &G031, &item, message);
    }
}

/// G032.
pub fn g032(cx: &mut Context) {
    let Some(c) = custom(cx, "BaudRate") else {
        return;
    };
    let Some(item) = c.get("BaudRate") else {
        return;
    };
    let rate = uint_or(&c, "BaudRate", 32, 115_200);
    if !BAUD_RATES.contains(&rate) {
        let message = format!(
            "`{}` is {rate}, not a standard rate the serial driver supports (115200 is the usual one)",
            item.path
        );
        report(cx, &G032, &item, message);
    }
}

/// The PciDeviceInfo item and its bytes, when written.
fn pci_info<'a>(cx: &Context<'a>) -> Option<(Item<'a>, &'a [u8])> {
    let c = custom(cx, "PciDeviceInfo")?;
    let item = c.get("PciDeviceInfo")?;
    let bytes = item.data()?;
    Some((item, bytes))
}

/// G033.
pub fn g033(cx: &mut Context) {
    let Some((item, bytes)) = pci_info(cx) else {
        return;
    };
    if bytes.len() > PCI_DEVICE_INFO_MAX {
        let message = format!(
            "`{}` is {} bytes, over the {PCI_DEVICE_INFO_MAX} OpenCore accepts: it drops the whole serial override",
            item.path,
            bytes.len()
        );
        report(cx, &G033, &item, message);
    }
}

/// G034.
pub fn g034(cx: &mut Context) {
    let Some((item, bytes)) = pci_info(cx) else {
        return;
    };
    if bytes.is_empty() {
        let edit = crate::patch::replace_value(
            cx.text(),
            item.node,
            &crate::patch::NewValue::Data(vec![0xFF]),
            &cx.style,
        );
        let message = format!(
            "`{}` is empty: the list must end with 0xFF, which alone means no PCI device",
            item.path
        );
        report(cx, &G034, &item, message).fix = Some(crate::patch::Fix::safe(
            "set PciDeviceInfo to <FF>",
            vec![edit],
        ));
    }
}

/// G035.
pub fn g035(cx: &mut Context) {
    let Some((item, bytes)) = pci_info(cx) else {
        return;
    };
    if (1..=PCI_DEVICE_INFO_MAX).contains(&bytes.len()) && bytes.last() != Some(&0xFF) {
        let message = format!(
            "`{}` ends with {:#04X}, not the 0xFF end marker",
            item.path,
            bytes[bytes.len() - 1]
        );
        report(cx, &G035, &item, message);
    }
}

/// G036.
pub fn g036(cx: &mut Context) {
    let Some((item, bytes)) = pci_info(cx) else {
        return;
    };
    if (1..=PCI_DEVICE_INFO_MAX).contains(&bytes.len()) && (bytes.len() - 1) % 4 != 0 {
        let message = format!(
            "`{}` is {} bytes: without the final 0xFF that is not a whole number of 4-byte device entries",
            item.path,
            bytes.len()
        );
        report(cx, &G036, &item, message);
    }
}
