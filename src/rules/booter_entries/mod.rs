//! B101-B110: the `Booter/Patch` entries and `ResizeAppleGpuBars`, as
//! OpenCore's validator checks them (BOOT-04 to BOOT-10 and BOOT-18 to
//! BOOT-20 of the ocvalidate inventory). Findings about a disabled patch are
//! info: OpenCore skips disabled patches.

use super::acpi::patch::{Which, check_patches};
use super::acpi::{entries, report_entry};
use super::view::{ENTRY_ARCHES, IdentifierKind, Item, identifier_ok};
use super::{Context, Severity};
use crate::patch::{self, Fix};

rule! {
    code: B101,
    name: "booter-patch-arch",
    severity: Error,
    fix: Sometimes(Unsafe),
    summary: "A Booter/Patch Arch is not `Any`, `i386` or `x86_64`.",
    why: "OpenCore applies a booter patch only when its Arch is empty, `Any` or the running architecture; any other spelling means the patch is never applied.",
}
rule! {
    code: B102,
    name: "booter-patch-identifier",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "A Booter/Patch Identifier is not `Any`, `Apple` or the file name of an `.efi` image.",
    why: "Anything but the exact words `Any` and `Apple` is matched against the end of the loaded image's path; a misspelt word or a name without `.efi` matches no image, so the patch is never applied.",
}
rule! {
    code: B103,
    name: "booter-patch-size-mismatch",
    severity: Error,
    fix: None,
    summary: "A Booter/Patch entry's Find and Replace differ in size.",
    why: "OpenCore refuses such a patch (it logs it as borked) and never applies it.",
}
rule! {
    code: B104,
    name: "booter-patch-mask-size",
    severity: Error,
    fix: None,
    summary: "A Booter/Patch entry's Mask is set with another size than Find.",
    why: "OpenCore refuses such a patch (it logs it as borked) and never applies it.",
}
rule! {
    code: B105,
    name: "booter-patch-find-outside-mask",
    severity: Error,
    fix: None,
    summary: "A Booter/Patch entry's Find has bits set where its Mask is clear.",
    why: "OpenCore compares the masked image bytes with Find, so a Find bit outside the Mask can never match: the patch never applies.",
}
rule! {
    code: B106,
    name: "booter-patch-replace-mask-size",
    severity: Error,
    fix: None,
    summary: "A Booter/Patch entry's ReplaceMask is set with another size than Replace.",
    why: "OpenCore refuses such a patch (it logs it as borked) and never applies it.",
}
rule! {
    code: B107,
    name: "booter-patch-replace-outside-mask",
    severity: Warning,
    fix: None,
    summary: "A Booter/Patch entry's Replace has bits set where its ReplaceMask is clear.",
    why: "OpenCore writes only the masked bits, so those Replace bits are silently dropped and the patched bytes differ from what is written.",
}
rule! {
    code: B108,
    name: "apple-gpu-bars-unsupported",
    severity: Error,
    fix: None,
    summary: "ResizeAppleGpuBars asks for GPU BARs above 1 GB (a value over 10).",
    why: "macOS supports GPU BARs of at most 1 GB; larger ones leave the GPU unusable or stop the boot.",
}
rule! {
    code: B109,
    name: "apple-gpu-bars-unstable",
    severity: Warning,
    fix: None,
    summary: "ResizeAppleGpuBars is 9 or 10 (512 MB or 1 GB BARs).",
    why: "macOS accepts BARs of that size, but they are known to break sleep and wake.",
}
rule! {
    code: B110,
    name: "apple-gpu-bars-not-useful",
    severity: Info,
    fix: None,
    summary: "ResizeAppleGpuBars is between 1 and 8 (2 MB to 256 MB BARs).",
    why: "macOS gains nothing from these sizes: the only value the manual supports is 0 (the smallest BARs), and -1 turns the quirk off.",
}

/// The entries of `Booter/Patch`.
fn patches<'a>(cx: &Context<'a>) -> Vec<Item<'a>> {
    entries(cx, "Booter/Patch")
}

/// The exact spelling among `words` of `value` when it differs in case only.
fn respelt(value: &str, words: &[&'static str]) -> Option<&'static str> {
    words
        .iter()
        .find(|w| w.eq_ignore_ascii_case(value) && **w != value)
        .copied()
}

/// An unsafe fix writing `word` over the string `key` of `entry`.
fn respell(cx: &Context, entry: &Item, key: &str, word: &str) -> Option<Fix> {
    let node = entry.get(key)?.node;
    Some(Fix::unsafe_(
        format!("write {}/{key} as `{word}`", entry.path),
        vec![patch::set_string(cx.text(), node, word)],
    ))
}

/// B101: Arch outside Any, i386, x86_64.
pub fn b101(cx: &mut Context) {
    for e in patches(cx) {
        let arch = e.str_of("Arch");
        if ENTRY_ARCHES.contains(&arch) {
            continue;
        }
        let fix = respelt(arch, ENTRY_ARCHES).and_then(|w| respell(cx, &e, "Arch", w));
        let message = if arch.is_empty() {
            format!(
                "{}/Arch is empty; OpenCore applies the patch as if it said `Any`, but its validator accepts only Any, i386 and x86_64",
                e.path
            )
        } else {
            format!(
                "{}/Arch is `{arch}`; OpenCore applies a booter patch only for Any, i386 or x86_64 (the one it runs as), so this patch is never applied",
                e.path
            )
        };
        let enabled = e.enabled();
        let d = report_entry(cx, &B101, &e, "Arch", message);
        if arch.is_empty() && enabled {
            d.severity = Severity::Info;
        }
        if fix.is_none() {
            d.help = Some("write Any, i386 or x86_64".into());
        }
        d.fix = fix;
    }
}

/// B102: Identifier outside Any, Apple or an `.efi` file name.
pub fn b102(cx: &mut Context) {
    for e in patches(cx) {
        let id = e.str_of("Identifier");
        if identifier_ok(id, IdentifierKind::Booter) {
            continue;
        }
        let word = respelt(id, &["Any", "Apple"]);
        let fix = word.and_then(|w| respell(cx, &e, "Identifier", w));
        let message = match word {
            _ if id.is_empty() => format!(
                "{}/Identifier is empty; OpenCore applies the patch to every image as if it said `Any`, but its validator accepts only Any, Apple or an .efi name",
                e.path
            ),
            Some(w) => format!(
                "{}/Identifier is `{id}`, not `{w}`; OpenCore takes only the exact word, so it looks for an image whose path ends in `{id}` and the patch is never applied",
                e.path
            ),
            None if !id.to_ascii_lowercase().ends_with(".efi") => format!(
                "{}/Identifier `{id}` is neither Any, Apple nor an .efi file name; OpenCore matches it against the end of each loaded image's path, which ends in .efi, so the patch is never applied",
                e.path
            ),
            None => format!(
                "{}/Identifier `{id}` holds characters other than letters, digits, `_`, `-` and `.`, which OpenCore's validator rejects",
                e.path
            ),
        };
        let enabled = e.enabled();
        let d = report_entry(cx, &B102, &e, "Identifier", message);
        if id.is_empty() && enabled {
            d.severity = Severity::Info;
        }
        if fix.is_none() {
            d.help = Some(
                "write Any, Apple, or the file name of the image to patch (`boot.efi`)".into(),
            );
        }
        d.fix = fix;
    }
}

fn booter(cx: &mut Context, rule: &'static super::RuleMeta, which: Which) {
    // A booter patch always needs Find (OpenCore refuses it otherwise).
    check_patches(cx, "Booter/Patch", rule, which, |_| false);
}

/// B103: Find and Replace sizes differ.
pub fn b103(cx: &mut Context) {
    booter(cx, &B103, Which::FindReplaceSize);
}

/// B104: Mask size differs from Find.
pub fn b104(cx: &mut Context) {
    booter(cx, &B104, Which::MaskSize);
}

/// B105: Find bits outside Mask.
pub fn b105(cx: &mut Context) {
    booter(cx, &B105, Which::FindOutsideMask);
}

/// B106: ReplaceMask size differs from Replace.
pub fn b106(cx: &mut Context) {
    booter(cx, &B106, Which::ReplaceMaskSize);
}

/// B107: Replace bits outside ReplaceMask.
pub fn b107(cx: &mut Context) {
    booter(cx, &B107, Which::ReplaceOutsideMask);
}

/// The ResizeAppleGpuBars value OpenCore uses (it keeps the low byte as a
/// signed 8-bit number) and the value as written, when the target release
/// has the key and the config sets it.
fn gpu_bars<'a>(cx: &Context<'a>) -> Option<(i8, i64, Item<'a>)> {
    const KEY: &str = "Booter/Quirks/ResizeAppleGpuBars";
    if cx.config.kind != crate::model::ConfigKind::OpenCore
        || !crate::rules::view::key_in_target(cx, KEY)
    {
        return None;
    }
    let item = Item::at(cx, KEY)?;
    let written = item.int()?;
    Some(((written as u64 & 0xFF) as u8 as i8, written, item))
}

/// The BAR size a ResizeAppleGpuBars value stands for (0 = 1 MB, 10 = 1 GB).
fn bar_size(v: i8) -> String {
    match v {
        0..=9 => format!("{} MB", 1u32 << v),
        10..=19 => format!("{} GB", 1u32 << (v - 10)),
        _ => "no defined size (19, 512 GB, is the largest)".into(),
    }
}

fn gpu_bars_finding(
    cx: &mut Context,
    rule: &'static super::RuleMeta,
    range: std::ops::RangeInclusive<i8>,
    what: &str,
) {
    let Some((v, written, item)) = gpu_bars(cx) else {
        return;
    };
    if !range.contains(&v) {
        return;
    }
    let as_read = if i64::from(v) == written {
        String::new()
    } else {
        format!(" (written {written}; OpenCore keeps the low byte)")
    };
    let message = format!(
        "ResizeAppleGpuBars is {v}{as_read}: GPU BARs of {} for macOS, {what}",
        bar_size(v)
    );
    let d = cx.report(rule, &item.located(), message);
    d.help =
        Some("use 0 (the smallest BARs, the only value the manual supports) or -1 (off)".into());
}

/// B108: above 10.
pub fn b108(cx: &mut Context) {
    gpu_bars_finding(
        cx,
        &B108,
        11..=i8::MAX,
        "which macOS does not support (at most 1 GB); from 20 on OpenCore resizes nothing",
    );
}

/// B109: 9 or 10.
pub fn b109(cx: &mut Context) {
    gpu_bars_finding(
        cx,
        &B109,
        9..=10,
        "which is unstable with macOS sleep and wake",
    );
}

/// B110: 1 to 8.
pub fn b110(cx: &mut Context) {
    gpu_bars_finding(cx, &B110, 1..=8, "which brings macOS nothing over 0");
}

#[cfg(test)]
mod tests;
