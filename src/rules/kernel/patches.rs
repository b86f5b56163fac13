//! The bytes of Kernel/Patch entries (Find, Replace and their masks) and
//! of CPUID emulation (Cpuid1Data against Cpuid1Mask).

use super::{Kind, entry_finding, known};
use crate::rules::view::{Item, PatchBytes, PatchProblem, masked};
use crate::rules::{Context, RuleMeta};

rule! {
    code: K021,
    name: "cpuid-data-outside-mask",
    severity: Error,
    fix: None,
    summary: "Kernel/Emulate/Cpuid1Data sets bits that Cpuid1Mask leaves clear.",
    why: "OpenCore replaces only the CPUID bits the mask selects; the other bits of the data are dropped and the CPU is not spoofed as written.",
}
rule! {
    code: K032,
    name: "kernel-patch-size-mismatch",
    severity: Error,
    fix: None,
    summary: "A Kernel/Patch has Find and Replace of different sizes.",
    why: "OpenCore logs the patch as borked and skips it (only a patch located by Base may leave Find empty).",
}
rule! {
    code: K033,
    name: "kernel-patch-mask-size",
    severity: Error,
    fix: None,
    summary: "A Kernel/Patch Mask is set with another size than Find.",
    why: "OpenCore logs the patch as borked and skips it.",
}
rule! {
    code: K034,
    name: "kernel-patch-find-outside-mask",
    severity: Warning,
    fix: None,
    summary: "A Kernel/Patch Find sets bits that its Mask leaves clear.",
    why: "OpenCore compares only the bits the mask selects, so the patch matches more places than Find says.",
}
rule! {
    code: K035,
    name: "kernel-patch-replace-mask-size",
    severity: Error,
    fix: None,
    summary: "A Kernel/Patch ReplaceMask is set with another size than Replace.",
    why: "OpenCore logs the patch as borked and skips it.",
}
rule! {
    code: K036,
    name: "kernel-patch-replace-outside-mask",
    severity: Warning,
    fix: None,
    summary: "A Kernel/Patch Replace sets bits that its ReplaceMask leaves clear.",
    why: "OpenCore writes only the bits the mask selects; the other bits of Replace are never written.",
}

/// K021: Cpuid1Data bits outside Cpuid1Mask.
pub fn k021(cx: &mut Context) {
    if !super::applies(cx) || !known(cx, "Kernel/Emulate/Cpuid1Data") {
        return;
    }
    let Some(emulate) = Item::at(cx, "Kernel/Emulate") else {
        return;
    };
    let data = emulate.data_of("Cpuid1Data");
    let mask = emulate.data_of("Cpuid1Mask");
    // OpenCore keeps 16 bytes of each; absent reads as zeros, another size
    // is a type error (X004).
    let zeros = [0u8; 16];
    let data = if data.is_empty() { &zeros[..] } else { data };
    let mask = if mask.is_empty() { &zeros[..] } else { mask };
    if data.len() != 16 || mask.len() != 16 || masked(data, mask) {
        return;
    }
    let bytes: Vec<String> = data
        .iter()
        .zip(mask)
        .enumerate()
        .filter(|(_, (d, m))| *d & !*m != 0)
        .map(|(i, _)| i.to_string())
        .collect();
    let message = format!(
        "Cpuid1Data sets bits outside Cpuid1Mask (in byte {}): OpenCore replaces only the \
         masked bits, so those bits of the data are never applied",
        bytes.join(", ")
    );
    let d = entry_finding(cx, &K021, &emulate, "Cpuid1Data", message);
    d.help = Some(
        "set Cpuid1Mask to `FF` in every byte whose bits Cpuid1Data should replace (e.g. \
         `FFFFFFFF000000000000000000000000` for EAX)"
            .to_owned(),
    );
}

/// K032: Find and Replace sizes.
pub fn k032(cx: &mut Context) {
    problems(cx, &K032, |p| {
        matches!(p, PatchProblem::FindReplaceSize(..))
    });
}
/// K033: Mask size.
pub fn k033(cx: &mut Context) {
    problems(cx, &K033, |p| matches!(p, PatchProblem::MaskSize(..)));
}
/// K034: Find outside Mask.
pub fn k034(cx: &mut Context) {
    problems(cx, &K034, |p| p == PatchProblem::FindOutsideMask);
}
/// K035: ReplaceMask size.
pub fn k035(cx: &mut Context) {
    problems(cx, &K035, |p| {
        matches!(p, PatchProblem::ReplaceMaskSize(..))
    });
}
/// K036: Replace outside ReplaceMask.
pub fn k036(cx: &mut Context) {
    problems(cx, &K036, |p| p == PatchProblem::ReplaceOutsideMask);
}

fn problems(cx: &mut Context, rule: &'static RuleMeta, wanted: fn(PatchProblem) -> bool) {
    if !known(cx, &Kind::Patch.schema_path("Find")) {
        return;
    }
    for entry in Kind::Patch.entries(cx).iter() {
        let bytes = PatchBytes::of(entry);
        // A patch located by a symbol (Base) may leave Find empty.
        let base_only = !entry.str_of("Base").is_empty() && bytes.find.is_empty();
        for p in bytes.problems(base_only).into_iter().filter(|&p| wanted(p)) {
            let message = match p {
                PatchProblem::FindReplaceSize(f, r) => format!(
                    "Find is {f} bytes but Replace is {r}: OpenCore logs the patch as borked \
                     and skips it"
                ),
                PatchProblem::MaskSize(m, f) => format!(
                    "Mask is {m} bytes but Find is {f}: OpenCore logs the patch as borked and \
                     skips it"
                ),
                PatchProblem::ReplaceMaskSize(m, r) => format!(
                    "ReplaceMask is {m} bytes but Replace is {r}: OpenCore logs the patch as \
                     borked and skips it"
                ),
                PatchProblem::FindOutsideMask => "Find sets bits that Mask leaves clear: \
                     OpenCore ignores them when searching, so the patch matches more than Find says"
                    .to_owned(),
                PatchProblem::ReplaceOutsideMask => "Replace sets bits that ReplaceMask leaves \
                     clear: OpenCore never writes them"
                    .to_owned(),
            };
            let d = entry_finding(cx, rule, entry, p.key(), message);
            d.help = Some(
                "make Find, Replace and any Mask/ReplaceMask the same length, with each mask \
                 covering every bit its data sets"
                    .to_owned(),
            );
        }
    }
}
