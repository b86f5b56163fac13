//! Misc/BlessOverride and Misc/Boot: how the picker starts and looks.

use super::{Choice, Mask, check_choice, check_mask, path_limit, section, str_or};
use crate::rules::Context;
use crate::rules::Severity;
use crate::rules::view::{Item, key_in_target};

rule! {
    code: G001,
    name: "redundant-bless-override",
    severity: Info,
    fix: None,
    summary: "Misc/BlessOverride lists a path OpenCore already looks for on every volume.",
    why: "The Windows and macOS boot loaders are found without an override; the entry only adds a duplicate scan.",
}
rule! {
    code: G002,
    name: "console-attributes-unknown-bits",
    severity: Info,
    fix: None,
    summary: "Misc/Boot/ConsoleAttributes has bits above the text colours (0x7F).",
    why: "Only a foreground and a background colour fit in the console attribute; firmware may refuse other bits.",
}
rule! {
    code: G003,
    name: "hibernate-mode-unknown",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "Misc/Boot/HibernateMode is not None, Auto, RTC or NVRAM.",
    why: "OpenCore treats an unknown mode as None: hibernation wake is then not detected.",
}
rule! {
    code: G004,
    name: "picker-attributes-unknown-bits",
    severity: Info,
    fix: None,
    summary: "Misc/Boot/PickerAttributes has bits OpenCore does not define (above 0x3FF).",
    why: "Unknown bits are ignored; they usually mean a value copied from another release or a typo.",
}
rule! {
    code: G005,
    name: "picker-mode-unknown",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "Misc/Boot/PickerMode is not Builtin, External or Apple.",
    why: "OpenCore falls back to its text picker: a graphical picker the config asks for never shows.",
}
rule! {
    code: G006,
    name: "opencanopy-needs-external-picker",
    severity: Warning,
    fix: None,
    summary: "OpenCanopy.efi is loaded but Misc/Boot/PickerMode is not External.",
    why: "OpenCanopy only draws the picker in External mode; otherwise it is loaded for nothing.",
}
rule! {
    code: G007,
    name: "picker-variant-empty",
    severity: Warning,
    fix: Sometimes(Safe),
    summary: "Misc/Boot/PickerVariant is empty.",
    why: "OpenCanopy looks for its images in the folder the variant names; an empty one names no theme.",
}
rule! {
    code: G008,
    name: "instance-identifier-too-long",
    severity: Info,
    fix: None,
    summary: "Misc/Boot/InstanceIdentifier is longer than 63 bytes.",
    why: "OpenCore's validator limits the identifier to 64 bytes with the terminating NUL.",
}
rule! {
    code: G009,
    name: "instance-identifier-comma",
    severity: Info,
    fix: None,
    summary: "Misc/Boot/InstanceIdentifier contains a comma.",
    why: "`.contentVisibility` separates instance identifiers with commas, so such an identifier is ambiguous there.",
}
rule! {
    code: G010,
    name: "picker-variant-too-long",
    severity: Warning,
    fix: None,
    summary: "Misc/Boot/PickerVariant is too long for OpenCore's path buffer.",
    why: "OpenCanopy builds `Resources\\Image\\<variant>\\<icon>` in a fixed buffer; longer image paths cannot be opened.",
}
rule! {
    code: G011,
    name: "picker-audio-assist-without-audio",
    severity: Warning,
    fix: None,
    summary: "Misc/Boot/PickerAudioAssist is on but UEFI/Audio/AudioSupport is off.",
    why: "Without OpenCore's audio support there is nothing to play the picker's spoken assistance through.",
}
rule! {
    code: G012,
    name: "launcher-option-unknown",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "Misc/Boot/LauncherOption is not Disabled, Full, Short or System.",
    why: "OpenCore treats an unknown value as Disabled: no boot option for OpenCore is registered.",
}
rule! {
    code: G013,
    name: "launcher-path-empty",
    severity: Warning,
    fix: Sometimes(Safe),
    summary: "Misc/Boot/LauncherPath is empty.",
    why: "The boot option OpenCore registers would point at no file; `Default` means OpenCore.efi.",
}

/// The paths OpenCore finds on its own, with and without the leading `\`.
const BLESSED: [&str; 2] = [
    "\\EFI\\Microsoft\\Boot\\bootmgfw.efi",
    "\\System\\Library\\CoreServices\\boot.efi",
];

/// G001.
pub fn g001(cx: &mut Context) {
    let Some(list) = section(cx, "Misc", "BlessOverride") else {
        return;
    };
    let Some(list) = list.get("BlessOverride") else {
        return;
    };
    for item in list.items() {
        let Some(path) = item.str() else { continue };
        if BLESSED.iter().any(|b| path == *b || path == &b[1..]) {
            let d = cx.report(
                &G001,
                &item.located(),
                format!(
                    "`{}` is `{path}`, which OpenCore already looks for on every volume",
                    item.path
                ),
            );
            d.help = Some("remove the entry; BlessOverride is for loaders in other places".into());
        }
    }
}

/// G002.
pub fn g002(cx: &mut Context) {
    let mask = Mask {
        dict: "Misc/Boot",
        key: "ConsoleAttributes",
        bits: 32,
        known: 0x7F,
        since: &[],
    };
    check_mask(
        cx,
        &G002,
        &mask,
        "OpenCore hands the value to the firmware's console, which may refuse it",
    );
}

/// G003.
pub fn g003(cx: &mut Context) {
    let choice = Choice {
        dict: "Misc/Boot",
        key: "HibernateMode",
        default: "None",
        allowed: &["None", "Auto", "RTC", "NVRAM"],
        since: &[],
    };
    check_choice(
        cx,
        &G003,
        &choice,
        "OpenCore treats it as None and does not detect hibernation wake",
    );
}

/// G004.
pub fn g004(cx: &mut Context) {
    let mask = Mask {
        dict: "Misc/Boot",
        key: "PickerAttributes",
        bits: 32,
        known: 0x3FF,
        // OC_ATTR_USE_REVERSED_UI and OC_ATTR_REDUCE_MOTION.
        since: &[(0x300, "0.9.8")],
    };
    check_mask(cx, &G004, &mask, "OpenCore ignores them");
}

/// The picker modes OpenCore knows.
const PICKER_MODES: &[&str] = &["Builtin", "External", "Apple"];

/// G005.
pub fn g005(cx: &mut Context) {
    let choice = Choice {
        dict: "Misc/Boot",
        key: "PickerMode",
        default: "Builtin",
        allowed: PICKER_MODES,
        since: &[],
    };
    check_choice(cx, &G005, &choice, "OpenCore uses its builtin text picker");
}

/// The enabled `UEFI/Drivers` item that loads `name`, as OpenCore of the
/// target release reads the list (dicts with `Enabled`, or plain strings
/// before the dict form).
pub(super) fn loaded_driver<'a>(cx: &Context<'a>, name: &str) -> Option<Item<'a>> {
    let drivers = Item::at(cx, "UEFI/Drivers")?;
    if key_in_target(cx, "UEFI/Drivers/[]/Path") {
        drivers
            .entries()
            .map(|(_, e)| e)
            .find(|e| e.enabled() && e.str_of("Path") == name)
    } else {
        drivers.items().find(|i| i.str() == Some(name))
    }
}

/// G006.
pub fn g006(cx: &mut Context) {
    let Some(boot) = section(cx, "Misc/Boot", "PickerMode") else {
        return;
    };
    let mode = str_or(&boot, "PickerMode", "Builtin");
    // An unknown mode is G005's finding.
    if mode == "External" || !PICKER_MODES.contains(&mode) {
        return;
    }
    let Some(driver) = loaded_driver(cx, "OpenCanopy.efi") else {
        return;
    };
    let at = boot.located_of("PickerMode");
    let d = cx.report(
        &G006,
        &at,
        format!(
            "OpenCanopy.efi is loaded at {} but `{}` is `{mode}`: OpenCore shows its {} picker and OpenCanopy is never used",
            driver.path,
            at.path,
            if mode == "Apple" { "Apple" } else { "text" }
        ),
    );
    d.secondary.push((
        driver.node.span.clone(),
        "OpenCanopy.efi loaded here".into(),
    ));
    d.help = Some(
        "set PickerMode to External for the graphical picker, or disable the OpenCanopy.efi entry"
            .into(),
    );
}

/// G007.
pub fn g007(cx: &mut Context) {
    let Some(boot) = section(cx, "Misc/Boot", "PickerVariant") else {
        return;
    };
    let Some(item) = boot.get("PickerVariant") else {
        return;
    };
    if item.str() != Some("") {
        return;
    }
    let edit = crate::patch::set_string(cx.text(), item.node, "Auto");
    let d = cx.report(
        &G007,
        &item.located(),
        format!(
            "`{}` is empty: OpenCanopy looks for its images directly in Resources\\Image and finds no theme",
            item.path
        ),
    );
    d.fix = Some(crate::patch::Fix::safe(
        "set PickerVariant to Auto",
        vec![edit],
    ));
}

/// OpenCore's limit on the instance identifier, with its NUL.
const INSTANCE_IDENTIFIER_SIZE: usize = 64;

/// G008.
pub fn g008(cx: &mut Context) {
    let Some(boot) = section(cx, "Misc/Boot", "InstanceIdentifier") else {
        return;
    };
    let Some(item) = boot.get("InstanceIdentifier") else {
        return;
    };
    let id = item.str().unwrap_or("");
    if id.len() + 1 > INSTANCE_IDENTIFIER_SIZE {
        cx.report(
            &G008,
            &item.located(),
            format!(
                "`{}` is {} bytes; OpenCore allows {} (64 with the NUL)",
                item.path,
                id.len(),
                INSTANCE_IDENTIFIER_SIZE - 1
            ),
        );
    }
}

/// G009.
pub fn g009(cx: &mut Context) {
    let Some(boot) = section(cx, "Misc/Boot", "InstanceIdentifier") else {
        return;
    };
    let Some(item) = boot.get("InstanceIdentifier") else {
        return;
    };
    let id = item.str().unwrap_or("");
    // Too long is G008's finding; ocvalidate then checks nothing else.
    if id.len() < INSTANCE_IDENTIFIER_SIZE && id.contains(',') {
        let d = cx.report(
            &G009,
            &item.located(),
            format!(
                "`{}` is `{id}`: a `.contentVisibility` file separates identifiers with commas, so it cannot name this instance alone",
                item.path
            ),
        );
        d.help = Some("choose an identifier without a comma".into());
    }
}

/// `Resources\Image\` + `\` + the longest icon name with its NUL: what
/// OpenCanopy adds to the variant.
const IMAGE_PATH_FIXED: usize = "Resources\\Image\\".len() + 1 + "ExtAppleRecv10_15.icns".len() + 1;

/// G010.
pub fn g010(cx: &mut Context) {
    let Some(boot) = section(cx, "Misc/Boot", "PickerVariant") else {
        return;
    };
    let Some(item) = boot.get("PickerVariant") else {
        return;
    };
    let variant = item.str().unwrap_or("");
    let limit = path_limit(cx);
    if IMAGE_PATH_FIXED + variant.len() > limit {
        cx.report(
            &G010,
            &item.located(),
            format!(
                "`{}` is {} bytes; with `Resources\\Image\\` and the longest icon name the path exceeds OpenCore's {limit}-byte buffer (at most {} bytes fit)",
                item.path,
                variant.len(),
                limit - IMAGE_PATH_FIXED
            ),
        );
    }
}

/// G011.
pub fn g011(cx: &mut Context) {
    let Some(boot) = section(cx, "Misc/Boot", "PickerAudioAssist") else {
        return;
    };
    if !boot.bool_of("PickerAudioAssist") {
        return;
    }
    let audio_on = Item::at(cx, "UEFI/Audio").is_some_and(|a| a.bool_of("AudioSupport"));
    if audio_on {
        return;
    }
    let at = boot.located_of("PickerAudioAssist");
    let d = cx.report(
        &G011,
        &at,
        format!(
            "`{}` is true but UEFI/Audio/AudioSupport is off: the picker has no audio output to speak through",
            at.path
        ),
    );
    d.help = Some("turn UEFI/Audio/AudioSupport on (with a working AudioDevice), or turn PickerAudioAssist off".into());
}

/// The launcher options OpenCore knows.
const LAUNCHER_OPTIONS: &[&str] = &["Disabled", "Full", "Short", "System"];

/// G012.
pub fn g012(cx: &mut Context) {
    let choice = Choice {
        dict: "Misc/Boot",
        key: "LauncherOption",
        default: "Disabled",
        allowed: LAUNCHER_OPTIONS,
        since: &[("System", "0.8.1")],
    };
    check_choice(
        cx,
        &G012,
        &choice,
        "OpenCore treats it as Disabled and registers no boot option for itself",
    );
}

/// G013.
pub fn g013(cx: &mut Context) {
    let Some(boot) = section(cx, "Misc/Boot", "LauncherPath") else {
        return;
    };
    let Some(item) = boot.get("LauncherPath") else {
        return;
    };
    if item.str() != Some("") {
        return;
    }
    let option = str_or(&boot, "LauncherOption", "Disabled");
    let in_use = option != "Disabled" && LAUNCHER_OPTIONS.contains(&option);
    let edit = crate::patch::set_string(cx.text(), item.node, "Default");
    let d = cx.report(
        &G013,
        &item.located(),
        format!(
            "`{}` is empty: the boot option OpenCore registers for itself would name no file",
            item.path
        ),
    );
    if !in_use {
        d.severity = Severity::Info;
        d.notes.push(format!(
            "LauncherOption is `{option}`, so OpenCore registers no boot option today"
        ));
    }
    d.notes
        .push("`Default` means OpenCore.efi in the folder OpenCore started from".into());
    d.fix = Some(crate::patch::Fix::safe(
        "set LauncherPath to Default",
        vec![edit],
    ));
}
