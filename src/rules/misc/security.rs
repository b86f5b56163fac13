//! Misc/Debug and Misc/Security: logging, what OpenCore trusts, and the
//! values that stop it at start.

use super::{Choice, Mask, check_choice, check_mask, section, str_or, uint_or};
use crate::patch::{self, Fix, NewValue};
use crate::rules::view::Item;
use crate::rules::{Context, Severity};

rule! {
    code: G014,
    name: "display-level-unknown-bits",
    severity: Info,
    fix: None,
    summary: "Misc/Debug/DisplayLevel has bits other than the four debug levels (0x80400042).",
    why: "OpenCore's messages carry only the error, warning, info and verbose levels; other bits select nothing.",
}
rule! {
    code: G015,
    name: "halt-level-unknown-bits",
    severity: Info,
    fix: None,
    summary: "Misc/Security/HaltLevel has bits other than the four debug levels (0x80400042).",
    why: "OpenCore halts on messages of the levels set here; other bits never match a message.",
}
rule! {
    code: G016,
    name: "log-target-unknown-bits",
    severity: Info,
    fix: None,
    summary: "Misc/Debug/Target has bits above the eight log targets (0xFF).",
    why: "Only the eight documented bits choose where OpenCore logs; others are ignored.",
}
rule! {
    code: G022,
    name: "auth-restart-without-virtualsmc",
    severity: Warning,
    fix: None,
    summary: "Misc/Security/AuthRestart is on but no enabled Kernel/Add entry loads VirtualSMC.kext.",
    why: "Authenticated restart goes through VirtualSMC's key store in macOS; without the kext it cannot work.",
}
rule! {
    code: G023,
    name: "dmg-loading-unknown",
    severity: Error,
    fix: Sometimes(Unsafe),
    summary: "Misc/Security/DmgLoading is not Disabled, Signed or Any.",
    why: "With Apple Secure Boot on, OpenCore stops at start on such a value; with it off, it reads it as Signed.",
}
rule! {
    code: G024,
    name: "expose-sensitive-data-unknown-bits",
    severity: Info,
    fix: None,
    summary: "Misc/Security/ExposeSensitiveData has bits above 0xF.",
    why: "Only four bits are defined; the others are ignored.",
}
rule! {
    code: G025,
    name: "vault-mode-unknown",
    severity: Error,
    fix: Sometimes(Unsafe),
    summary: "Misc/Security/Vault is not Optional, Basic or Secure.",
    why: "OpenCore stops at start (an endless loop) when the vault mode is not one it knows.",
}
rule! {
    code: G026,
    name: "scan-policy-unknown-bits",
    severity: Info,
    fix: None,
    summary: "Misc/Security/ScanPolicy has bits OpenCore does not define.",
    why: "Unknown bits are ignored; they usually come from a miscalculated policy.",
}
rule! {
    code: G027,
    name: "scan-policy-file-system-lock-missing",
    severity: Error,
    fix: Sometimes(Unsafe),
    summary: "Misc/Security/ScanPolicy allows file systems but lacks bit 0 (OC_SCAN_FILE_SYSTEM_LOCK).",
    why: "OpenCore stops at start (an endless loop) on such a policy.",
}
rule! {
    code: G028,
    name: "scan-policy-device-lock-missing",
    severity: Error,
    fix: Sometimes(Unsafe),
    summary: "Misc/Security/ScanPolicy allows device types but lacks bit 1 (OC_SCAN_DEVICE_LOCK).",
    why: "OpenCore stops at start (an endless loop) on such a policy.",
}
rule! {
    code: G029,
    name: "secure-boot-model-unknown",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "Misc/Security/SecureBootModel is not Default, Disabled, x86legacy or a known j-model.",
    why: "OpenCore finds no such model and does not enable Apple Secure Boot, while still treating it as on.",
}
rule! {
    code: G030,
    name: "dmg-loading-any-with-secure-boot",
    severity: Error,
    fix: None,
    summary: "Misc/Security/DmgLoading is Any while SecureBootModel is not Disabled.",
    why: "OpenCore refuses to combine Apple Secure Boot with unverified disk images and stops at start.",
}

/// The debug levels OpenCore prints with: error, verbose, info, warn.
const DEBUG_LEVELS: u64 = 0x8040_0042;

/// G014.
pub fn g014(cx: &mut Context) {
    let mask = Mask {
        dict: "Misc/Debug",
        key: "DisplayLevel",
        bits: 64,
        known: DEBUG_LEVELS,
        since: &[],
    };
    check_mask(
        cx,
        &G014,
        &mask,
        "no message has those levels, so they show nothing",
    );
}

/// G015.
pub fn g015(cx: &mut Context) {
    let mask = Mask {
        dict: "Misc/Security",
        key: "HaltLevel",
        bits: 64,
        known: DEBUG_LEVELS,
        since: &[],
    };
    check_mask(
        cx,
        &G015,
        &mask,
        "no message has those levels, so they never halt",
    );
}

/// G016.
pub fn g016(cx: &mut Context) {
    let mask = Mask {
        dict: "Misc/Debug",
        key: "Target",
        bits: 32,
        known: 0xFF,
        since: &[],
    };
    check_mask(cx, &G016, &mask, "OpenCore ignores them");
}

/// G022.
pub fn g022(cx: &mut Context) {
    let Some(security) = section(cx, "Misc/Security", "AuthRestart") else {
        return;
    };
    if !security.bool_of("AuthRestart") {
        return;
    }
    let has_vsmc = Item::at(cx, "Kernel/Add").is_some_and(|add| {
        add.entries()
            .any(|(_, e)| e.enabled() && e.str_of("BundlePath") == "VirtualSMC.kext")
    });
    if has_vsmc {
        return;
    }
    let at = security.located_of("AuthRestart");
    let d = cx.report(
        &G022,
        &at,
        format!(
            "`{}` is true but no enabled Kernel/Add entry loads VirtualSMC.kext: macOS has nothing to perform the authenticated restart with",
            at.path
        ),
    );
    d.help = Some("add VirtualSMC.kext to Kernel/Add, or turn AuthRestart off".into());
}

/// The DmgLoading values OpenCore knows.
const DMG_LOADING: &[&str] = &["Disabled", "Signed", "Any"];

/// Whether Apple Secure Boot stays on: OpenCore turns it off only for the
/// exact value `Disabled` (`Default` resolves to a model, never to off).
fn secure_boot_on(security: &Item) -> bool {
    str_or(security, "SecureBootModel", "Default") != "Disabled"
}

/// G023.
pub fn g023(cx: &mut Context) {
    let Some(security) = section(cx, "Misc/Security", "DmgLoading") else {
        return;
    };
    let value = str_or(&security, "DmgLoading", "Signed");
    let model = str_or(&security, "SecureBootModel", "Default");
    // OpenCore's secure boot test lets an empty value pass.
    let halts = secure_boot_on(&security) && !value.is_empty();
    let choice = Choice {
        dict: "Misc/Security",
        key: "DmgLoading",
        default: "Signed",
        allowed: DMG_LOADING,
        since: &[],
    };
    let what = if halts {
        format!(
            "with SecureBootModel `{model}` OpenCore refuses any value but Signed or Disabled and stops at start"
        )
    } else {
        "OpenCore reads it as Signed".to_owned()
    };
    if let Some(d) = check_choice(cx, &G023, &choice, &what)
        && !halts
    {
        d.severity = Severity::Warning;
    }
}

/// G024.
pub fn g024(cx: &mut Context) {
    let mask = Mask {
        dict: "Misc/Security",
        key: "ExposeSensitiveData",
        bits: 32,
        known: 0xF,
        since: &[],
    };
    check_mask(cx, &G024, &mask, "OpenCore ignores them");
}

/// G025.
pub fn g025(cx: &mut Context) {
    let choice = Choice {
        dict: "Misc/Security",
        key: "Vault",
        default: "Secure",
        allowed: &["Optional", "Basic", "Secure"],
        since: &[],
    };
    check_choice(
        cx,
        &G025,
        &choice,
        "OpenCore stops at start (an endless loop) before the picker appears",
    );
}

/// ScanPolicy bit 0: filter by file system.
const FILE_SYSTEM_LOCK: u64 = 1;
/// ScanPolicy bit 1: filter by device type.
const DEVICE_LOCK: u64 = 2;
/// The file system bits (8-14).
const FILE_SYSTEM_BITS: u64 = 0x7F00;
/// The device type bits (16-24).
const DEVICE_BITS: u64 = 0x01FF_0000;

/// G026.
pub fn g026(cx: &mut Context) {
    let mask = Mask {
        dict: "Misc/Security",
        key: "ScanPolicy",
        bits: 32,
        known: FILE_SYSTEM_LOCK | DEVICE_LOCK | FILE_SYSTEM_BITS | DEVICE_BITS,
        since: &[],
    };
    check_mask(cx, &G026, &mask, "OpenCore ignores them");
}

/// Report a ScanPolicy that allows `bits` without `lock`.
fn scan_lock(
    cx: &mut Context,
    rule: &'static crate::rules::RuleMeta,
    bits: u64,
    lock: u64,
    kind: &str,
) {
    let Some(security) = section(cx, "Misc/Security", "ScanPolicy") else {
        return;
    };
    let Some(item) = security.get("ScanPolicy") else {
        return;
    };
    let policy = uint_or(&security, "ScanPolicy", 32, 0);
    if policy & bits == 0 || policy & lock != 0 {
        return;
    }
    let fixed = policy | lock;
    let edit = item.int().map(|_| {
        patch::replace_value(
            cx.text(),
            item.node,
            &NewValue::Int(fixed as i64),
            &cx.style,
        )
    });
    let d = cx.report(
        rule,
        &item.located(),
        format!(
            "`{}` is {policy:#X}: it allows {kind} ({:#X}) without bit {} ({lock:#X}), and OpenCore stops at start on such a policy",
            item.path,
            policy & bits,
            lock.trailing_zeros()
        ),
    );
    d.notes.push(format!(
        "two readings: set bit {} ({fixed}) to allow only the listed {kind}, or clear the {kind} bits to allow all",
        lock.trailing_zeros()
    ));
    d.fix = edit.map(|e| Fix::unsafe_(format!("set ScanPolicy to {fixed}"), vec![e]));
}

/// G027.
pub fn g027(cx: &mut Context) {
    scan_lock(
        cx,
        &G027,
        FILE_SYSTEM_BITS,
        FILE_SYSTEM_LOCK,
        "file system types",
    );
}

/// G028.
pub fn g028(cx: &mut Context) {
    scan_lock(cx, &G028, DEVICE_BITS, DEVICE_LOCK, "device types");
}

/// The values OpenCore 1.0.7's validator accepts: the two switches, the
/// Apple hardware models OpenCore's image verifier knows, and x86legacy.
pub const SECURE_BOOT_MODELS: &[&str] = &[
    "Default",
    "Disabled",
    "j137",
    "j680",
    "j132",
    "j174",
    "j140k",
    "j780",
    "j213",
    "j140a",
    "j152f",
    "j160",
    "j230k",
    "j214k",
    "j223",
    "j215",
    "j185",
    "j185f",
    "x86legacy",
];

/// G029.
pub fn g029(cx: &mut Context) {
    let choice = Choice {
        dict: "Misc/Security",
        key: "SecureBootModel",
        default: "Default",
        allowed: SECURE_BOOT_MODELS,
        since: &[],
    };
    let empty = section(cx, choice.dict, choice.key)
        .is_some_and(|s| str_or(&s, choice.key, choice.default).is_empty());
    let what = if empty {
        "OpenCore reads an empty value as Default"
    } else {
        "OpenCore finds no such model and leaves Apple Secure Boot off, while the DmgLoading rule and kernel hashing still treat it as on"
    };
    if let Some(d) = check_choice(cx, &G029, &choice, what)
        && empty
    {
        d.severity = Severity::Info;
    }
}

/// G030.
pub fn g030(cx: &mut Context) {
    let Some(security) = section(cx, "Misc/Security", "DmgLoading") else {
        return;
    };
    if str_or(&security, "DmgLoading", "Signed") != "Any" || !secure_boot_on(&security) {
        return;
    }
    let model = str_or(&security, "SecureBootModel", "Default");
    let at = security.located_of("DmgLoading");
    let d = cx.report(
        &G030,
        &at,
        format!(
            "`{}` is `Any` while SecureBootModel is `{model}`: OpenCore will not load unverified disk images under Apple Secure Boot and stops at start",
            at.path
        ),
    );
    if let Some(m) = security.get("SecureBootModel") {
        d.secondary.push((
            m.node.span.clone(),
            "Apple Secure Boot stays on here".into(),
        ));
    }
    d.help = Some("set DmgLoading to Signed, or SecureBootModel to Disabled".into());
}
