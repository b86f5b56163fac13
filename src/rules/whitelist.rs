//! W0xx: Booter/MmioWhitelist entries.

use std::collections::HashMap;

use super::Context;
use crate::patch::Fix;

rule! {
    code: W001,
    name: "whitelist-without-devirtualise",
    severity: Error,
    fix: Always(Unsafe),
    summary: "An MmioWhitelist entry is enabled while DevirtualiseMmio is off.",
    why: "The whitelist only means something to DevirtualiseMmio; with it off the entries do nothing.",
}
rule! {
    code: W002,
    name: "whitelist-address-suspicious",
    severity: Warning,
    fix: None,
    summary: "An MmioWhitelist Address is 0 or negative, or appears twice.",
    why: "Address 0 is never a runtime MMIO region and a repeated address is a copy-paste slip: the intended region is probably missing.",
}
rule! {
    code: W004,
    name: "whitelist-not-runtime-mmio",
    severity: Warning,
    fix: None,
    summary: "An enabled MmioWhitelist address lies in no runtime MMIO region of the evidence.",
    why: "DevirtualiseMmio matches the whitelist by region; an address outside every runtime MMIO region protects nothing.",
}
rule! {
    code: W003,
    name: "whitelist-comment-not-ascii",
    severity: Error,
    fix: None,
    summary: "An MmioWhitelist Comment is not printable ASCII.",
    why: "OpenCore accepts only printable ASCII in strings and rejects the entry.",
}

/// W001: every enabled entry counts (OpenCore's validator only looks at the last).
pub fn w001(cx: &mut Context) {
    let Some(wl) = &cx.config.mmio_whitelist else {
        return;
    };
    if cx.quirk("DevirtualiseMmio") != Some(false) {
        return;
    }
    let enabled: Vec<_> = wl
        .entries
        .iter()
        .filter(|e| e.enabled.value && !e.enabled.mistyped())
        .collect();
    let Some(first) = enabled.first() else { return };
    let at = first.enabled.at.clone().unwrap_or_else(|| first.at.clone());
    let count = enabled.len();
    // A platform not known to want DevirtualiseMmio: the entries are
    // more likely left over than the quirk missing, so no fix either way.
    let platform_off = cx.platform.is_some_and(|p| {
        p.confidence > crate::platform::Confidence::Low && !p.wants_true("DevirtualiseMmio")
    });
    let fix = cx
        .set_quirk("DevirtualiseMmio", true)
        .filter(|_| !platform_off)
        .map(|e| Fix::unsafe_("set DevirtualiseMmio to true", e));
    let d = cx.report(
        &W001,
        &at,
        format!(
            "{count} enabled MmioWhitelist entr{} but DevirtualiseMmio is false",
            if count == 1 { "y" } else { "ies" }
        ),
    );
    d.fix = fix;
    if d.fix.is_none() {
        d.help = Some("turn DevirtualiseMmio on, or disable the entries".into());
    }
}

/// W002.
pub fn w002(cx: &mut Context) {
    let Some(wl) = cx.config.mmio_whitelist.clone() else {
        return;
    };
    let mut seen: HashMap<i64, String> = HashMap::new();
    for e in &wl.entries {
        let Some(&addr) = e.address.present() else {
            continue;
        };
        let at = e.address.at.clone().unwrap_or_else(|| e.at.clone());
        if addr == 0 {
            let d = cx.report(
                &W002,
                &at,
                "MmioWhitelist Address is 0, which is never a runtime MMIO region",
            );
            d.help = Some("use the region's start address from `ocaudit mmio` (decimal)".into());
        } else if addr < 0 && super::booter::written_negative(cx, &at) {
            let d = cx.report(
                &W002,
                &at,
                format!(
                    "MmioWhitelist Address is negative ({addr}); OpenCore reads it as the unsigned {:#X}, which is no MMIO region",
                    addr as u64
                ),
            );
            d.help = Some("use the region's start address from `ocaudit mmio` (decimal)".into());
        } else if let Some(prev) = seen.get(&addr) {
            let d = cx.report(
                &W002,
                &at,
                format!("MmioWhitelist Address {addr:#X} already appears at {prev}"),
            );
            d.help = Some("remove the copy, or correct it to the region you meant".into());
        } else {
            seen.insert(addr, e.at.path.clone());
        }
    }
}

/// W003.
pub fn w003(cx: &mut Context) {
    let Some(wl) = cx.config.mmio_whitelist.clone() else {
        return;
    };
    for e in &wl.entries {
        let (Some(c), Some(at)) = (e.comment.present(), &e.comment.at) else {
            continue;
        };
        if c.chars().any(|ch| !(' '..='~').contains(&ch)) {
            let d = cx.report(
                &W003,
                at,
                "MmioWhitelist Comment has characters outside printable ASCII",
            );
            d.help = Some("rewrite the comment in plain ASCII".into());
        }
    }
}

/// W004 (needs evidence with runtime MMIO regions).
pub fn w004(cx: &mut Context) {
    let Some(e) = cx.evidence else { return };
    if e.runtime_mmio.is_empty() {
        return;
    }
    let Some(wl) = cx.config.mmio_whitelist.clone() else {
        return;
    };
    for entry in wl
        .entries
        .iter()
        .filter(|en| en.enabled.value && !en.enabled.mistyped())
    {
        let Some(&addr) = entry.address.present() else {
            continue;
        };
        let addr = addr as u64;
        let inside = e
            .runtime_mmio
            .iter()
            .any(|&(start, pages)| addr >= start && addr - start < pages.saturating_mul(4096));
        if !inside {
            let at = entry.address.at.clone().unwrap_or_else(|| entry.at.clone());
            let d = cx.report(
                &W004,
                &at,
                format!(
                    "MmioWhitelist Address {addr:#X} is in no runtime MMIO region of {}",
                    e.source
                ),
            );
            d.help = Some("`ocaudit mmio` lists the runtime MMIO regions of this machine".into());
        }
    }
}
