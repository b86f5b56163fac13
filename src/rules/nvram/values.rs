//! N007-N017: the values of the NVRAM variables whose format macOS fixes,
//! one rule per variable of `rules/nvram-keys.tsv`.

use std::rc::Rc;

use super::guids;
use crate::rules::context::{NvramVariable, shared};
use crate::rules::view::guid_ok;
use crate::rules::{Context, RuleMeta};

/// The table of `rules/nvram-keys.tsv`: GUID, variable name, check.
const KEYS: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/nvram-keys.tsv"));

rule! {
    code: N007,
    name: "nvda-drv-value",
    severity: Warning,
    fix: None,
    summary: "NVRAM nvda_drv is not one byte `0` or `1`.",
    why: "The NVIDIA web driver reads one ASCII digit; any other value leaves the driver's state undefined.",
}
rule! {
    code: N008,
    name: "bootercfg-not-printable",
    severity: Warning,
    fix: None,
    summary: "NVRAM bootercfg holds a character outside printable ASCII.",
    why: "boot.efi parses bootercfg like boot arguments; other bytes garble or end the arguments.",
}
rule! {
    code: N009,
    name: "csr-active-config-size",
    severity: Warning,
    fix: None,
    summary: "NVRAM csr-active-config is not exactly 4 bytes.",
    why: "macOS reads System Integrity Protection flags only from a 4-byte value; another size is ignored or misread.",
}
rule! {
    code: N010,
    name: "startup-mute-size",
    severity: Info,
    fix: None,
    summary: "NVRAM StartupMute is not exactly 1 byte.",
    why: "The firmware and macOS read one byte for StartupMute.",
}
rule! {
    code: N011,
    name: "system-audio-volume-size",
    severity: Warning,
    fix: None,
    summary: "NVRAM SystemAudioVolume is not exactly 1 byte.",
    why: "The boot chime volume is one byte; another size is misread.",
}
rule! {
    code: N012,
    name: "ui-scale-value",
    severity: Warning,
    fix: None,
    summary: "NVRAM UIScale is not one byte 0x01 or 0x02.",
    why: "boot.efi scales its interface by 1 or 2 only; another value draws the boot screens wrongly.",
}
rule! {
    code: N013,
    name: "firmware-features-size",
    severity: Warning,
    fix: None,
    summary: "NVRAM FirmwareFeatures is not exactly 4 bytes.",
    why: "macOS reads the firmware feature bits from a 4-byte value; another size is misread.",
}
rule! {
    code: N014,
    name: "extended-firmware-features-size",
    severity: Warning,
    fix: None,
    summary: "NVRAM ExtendedFirmwareFeatures is not exactly 8 bytes.",
    why: "macOS reads the extended firmware feature bits from an 8-byte value; another size is misread.",
}
rule! {
    code: N015,
    name: "firmware-features-mask-size",
    severity: Warning,
    fix: None,
    summary: "NVRAM FirmwareFeaturesMask is not exactly 4 bytes.",
    why: "macOS reads the firmware feature mask from a 4-byte value; another size is misread.",
}
rule! {
    code: N016,
    name: "extended-firmware-features-mask-size",
    severity: Warning,
    fix: None,
    summary: "NVRAM ExtendedFirmwareFeaturesMask is not exactly 8 bytes.",
    why: "macOS reads the extended firmware feature mask from an 8-byte value; another size is misread.",
}
rule! {
    code: N017,
    name: "default-background-color-value",
    severity: Info,
    fix: None,
    summary: "NVRAM DefaultBackgroundColor is not 4 bytes ending in 0.",
    why: "boot.efi reads a 32-bit colour whose last byte is reserved.",
}

/// A check of `rules/nvram-keys.tsv`: whether `bytes` pass, and what the
/// value must be (for messages).
fn passes(check: &str, bytes: &[u8]) -> (bool, &'static str) {
    match check {
        "size8" => (bytes.len() == 1, "exactly 1 byte"),
        "size32" => (bytes.len() == 4, "exactly 4 bytes"),
        "size64" => (bytes.len() == 8, "exactly 8 bytes"),
        "ui-scale" => (matches!(bytes, [1] | [2]), "1 byte, 0x01 or 0x02 (HiDPI)"),
        "nvda-drv" => (matches!(bytes, b"0" | b"1"), "1 byte, ASCII `0` or `1`"),
        "printable" => (
            printable_up_to_nul(bytes),
            "printable ASCII (a string's terminating NUL allowed)",
        ),
        "background" => (bytes.len() == 4 && bytes[3] == 0, "4 bytes, the last one 0"),
        // An unknown check name in the table: the table's generator and
        // this code disagree; stay silent rather than guess.
        _ => (true, ""),
    }
}

/// Printable ASCII throughout, or up to a NUL in the last byte (how
/// OpenCore's validator reads a string value).
fn printable_up_to_nul(bytes: &[u8]) -> bool {
    let body = match bytes.split_last() {
        Some((0, body)) => body,
        _ => bytes,
    };
    body.iter().all(|b| (0x20..=0x7E).contains(b))
}

/// The GUID and check of `variable` in the table.
fn row(variable: &str) -> Option<(&'static str, &'static str)> {
    rows()
        .iter()
        .find(|(_, v, _)| *v == variable)
        .map(|&(g, _, c)| (g, c))
}

/// The rows of the table (GUID, variable, check), read once per process:
/// each of the variable rules looks its own row up.
fn rows() -> &'static [(&'static str, &'static str, &'static str)] {
    static ROWS: std::sync::OnceLock<Vec<(&str, &str, &str)>> = std::sync::OnceLock::new();
    ROWS.get_or_init(|| {
        KEYS.lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| {
                let mut c = l.split('\t');
                Some((c.next()?, c.next()?, c.next()?))
            })
            .collect()
    })
}

/// Every variable under NVRAM/Add (GUID key, name, value): one walk per
/// file, shared by the rules that each check one variable.
fn variables<'a>(cx: &Context<'a>) -> Rc<[NvramVariable<'a>]> {
    shared(&cx.shared.nvram_add, || {
        let mut out = Vec::new();
        for (key, _, vars) in guids(cx, "Add") {
            out.extend(
                vars.map_entries()
                    .map(|(name, _, value)| (key, name, value)),
            );
        }
        out
    })
}

/// Report every `NVRAM/Add/<guid>/<variable>` whose value fails its check.
fn check_variable(cx: &mut Context, rule: &'static RuleMeta, variable: &str) {
    let Some((guid, check)) = row(variable) else {
        return;
    };
    for (key, name, value) in variables(cx).iter() {
        if *name != variable || !(guid_ok(key) && key[..36].eq_ignore_ascii_case(guid)) {
            continue;
        }
        let Some(bytes) = value.mdata() else {
            continue;
        };
        let (ok, want) = passes(check, &bytes);
        if ok {
            continue;
        }
        let at = value.located();
        let is_string = value.str().is_some();
        let d = cx.report(
            rule,
            &at,
            format!(
                "{variable} is {} as OpenCore stores it ({}); it must be {want}",
                describe(&bytes),
                value.node.value.type_name()
            ),
        );
        if is_string && check != "printable" {
            d.help = Some(
                "OpenCore stores a <string> with its terminating NUL; write the bytes as <data>"
                    .to_owned(),
            );
        }
    }
}

/// `3 bytes: 00 00 00` (at most 8 bytes shown).
fn describe(bytes: &[u8]) -> String {
    let shown: Vec<String> = bytes.iter().take(8).map(|b| format!("{b:02X}")).collect();
    let more = if bytes.len() > 8 { " ..." } else { "" };
    let unit = if bytes.len() == 1 { "byte" } else { "bytes" };
    if bytes.is_empty() {
        "0 bytes".to_owned()
    } else {
        format!("{} {unit}: {}{more}", bytes.len(), shown.join(" "))
    }
}

/// N007: nvda_drv.
pub fn n007(cx: &mut Context) {
    check_variable(cx, &N007, "nvda_drv");
}

/// N008: bootercfg.
pub fn n008(cx: &mut Context) {
    check_variable(cx, &N008, "bootercfg");
}

/// N009: csr-active-config.
pub fn n009(cx: &mut Context) {
    check_variable(cx, &N009, "csr-active-config");
}

/// N010: StartupMute.
pub fn n010(cx: &mut Context) {
    check_variable(cx, &N010, "StartupMute");
}

/// N011: SystemAudioVolume.
pub fn n011(cx: &mut Context) {
    check_variable(cx, &N011, "SystemAudioVolume");
}

/// N012: UIScale.
pub fn n012(cx: &mut Context) {
    check_variable(cx, &N012, "UIScale");
}

/// N013: FirmwareFeatures.
pub fn n013(cx: &mut Context) {
    check_variable(cx, &N013, "FirmwareFeatures");
}

/// N014: ExtendedFirmwareFeatures.
pub fn n014(cx: &mut Context) {
    check_variable(cx, &N014, "ExtendedFirmwareFeatures");
}

/// N015: FirmwareFeaturesMask.
pub fn n015(cx: &mut Context) {
    check_variable(cx, &N015, "FirmwareFeaturesMask");
}

/// N016: ExtendedFirmwareFeaturesMask.
pub fn n016(cx: &mut Context) {
    check_variable(cx, &N016, "ExtendedFirmwareFeaturesMask");
}

/// N017: DefaultBackgroundColor.
pub fn n017(cx: &mut Context) {
    check_variable(cx, &N017, "DefaultBackgroundColor");
}

#[cfg(test)]
pub(super) fn table_rows() -> Vec<(&'static str, &'static str)> {
    rows().iter().map(|&(_, v, c)| (v, c)).collect()
}

#[cfg(test)]
pub(super) fn check_passes(check: &str, bytes: &[u8]) -> bool {
    passes(check, bytes).0
}
