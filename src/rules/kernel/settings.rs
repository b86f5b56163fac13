//! Kernel/Quirks and Kernel/Scheme values.

use super::{enumeration, known};
use crate::rules::view::Item;
use crate::rules::{Context, RuleMeta};

rule! {
    code: K037,
    name: "custom-smbios-guid-without-custom-mode",
    severity: Warning,
    fix: None,
    summary: "Kernel/Quirks/CustomSMBIOSGuid is on but PlatformInfo/UpdateSMBIOSMode is not Custom.",
    why: "The quirk makes macOS read SMBIOS from OpenCore's own GUID, which only the Custom mode writes; macOS then misses the SMBIOS OpenCore prepared.",
}
rule! {
    code: K038,
    name: "apfs-trim-timeout-out-of-range",
    severity: Warning,
    fix: None,
    summary: "Kernel/Quirks/SetApfsTrimTimeout is outside -1..=4294967295.",
    why: "OpenCore keeps only the low 32 bits of a larger value, and does nothing for a value below -1, so the timeout is not the one written.",
}
rule! {
    code: K039,
    name: "kernel-arch-invalid",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "Kernel/Scheme/KernelArch is not Auto, i386, i386-user32 or x86_64.",
    why: "OpenCore treats any other value as Auto and picks the architecture itself.",
}
rule! {
    code: K040,
    name: "kernel-cache-invalid",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "Kernel/Scheme/KernelCache is not Auto, Cacheless, Mkext or Prelinked.",
    why: "OpenCore treats any other value as Auto and picks the kernel cache itself.",
}

/// K037: CustomSMBIOSGuid without UpdateSMBIOSMode Custom.
pub fn k037(cx: &mut Context) {
    if !super::applies(cx) || !known(cx, "Kernel/Quirks/CustomSMBIOSGuid") {
        return;
    }
    let Some(quirk) = Item::at(cx, "Kernel/Quirks/CustomSMBIOSGuid") else {
        return;
    };
    if quirk.bool() != Some(true) {
        return;
    }
    let mode = Item::at(cx, "PlatformInfo/UpdateSMBIOSMode");
    // Absent: OpenCore's default, Create.
    let written = mode.as_ref().map_or(Some("Create"), Item::str);
    let Some(written) = written else { return };
    if written == "Custom" {
        return;
    }
    let message = format!(
        "CustomSMBIOSGuid is on but PlatformInfo/UpdateSMBIOSMode is `{written}`, not \
         `Custom`: macOS is told to read SMBIOS where OpenCore does not write it"
    );
    let d = cx.report(&K037, &quirk.located(), message);
    if let Some(m) = &mode {
        d.secondary
            .push((m.node.span.clone(), "UpdateSMBIOSMode".to_owned()));
    }
    d.help = Some(
        "set PlatformInfo/UpdateSMBIOSMode to `Custom`, or turn CustomSMBIOSGuid off".to_owned(),
    );
}

/// K038: SetApfsTrimTimeout range.
pub fn k038(cx: &mut Context) {
    if !super::applies(cx) || !known(cx, "Kernel/Quirks/SetApfsTrimTimeout") {
        return;
    }
    let Some(value) = Item::at(cx, "Kernel/Quirks/SetApfsTrimTimeout") else {
        return;
    };
    let Some(n) = value.int() else { return };
    let consequence = if n < -1 {
        "OpenCore applies no timeout for a negative value, as for -1".to_owned()
    } else if n > i64::from(u32::MAX) {
        format!(
            "OpenCore keeps the low 32 bits and sets {} microseconds",
            n & i64::from(u32::MAX)
        )
    } else {
        return;
    };
    let message = format!("SetApfsTrimTimeout {n} is outside -1..=4294967295: {consequence}");
    let d = cx.report(&K038, &value.located(), message);
    d.help = Some(
        "use -1 to leave the timeout alone, 0 to turn trim off, or a time in microseconds up to \
         4294967295"
            .to_owned(),
    );
}

/// K039: Scheme KernelArch.
pub fn k039(cx: &mut Context) {
    scheme(
        cx,
        &K039,
        "KernelArch",
        &["Auto", "i386", "i386-user32", "x86_64"],
    );
}

/// K040: Scheme KernelCache.
pub fn k040(cx: &mut Context) {
    scheme(
        cx,
        &K040,
        "KernelCache",
        &["Auto", "Cacheless", "Mkext", "Prelinked"],
    );
}

fn scheme(cx: &mut Context, rule: &'static RuleMeta, key: &str, allowed: &[&str]) {
    let path = format!("Kernel/Scheme/{key}");
    if !super::applies(cx) || !known(cx, &path) {
        return;
    }
    let value = Item::at(cx, &path);
    enumeration(cx, rule, value, allowed, "OpenCore treats it as `Auto`");
}
