//! A005-A009: the byte fields of `ACPI/Patch` entries, and the check the
//! Booter patch rules (B103-B107) share with them.

use super::{A005, A006, A007, A008, A009, entries, report_entry};
use crate::rules::view::{Item, PatchBytes, PatchProblem};
use crate::rules::{Context, RuleMeta};

/// One of the five problems ocvalidate's patch check reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(in crate::rules) enum Which {
    /// Find and Replace differ in size.
    FindReplaceSize,
    /// Mask set with another size than Find.
    MaskSize,
    /// Find bits outside Mask.
    FindOutsideMask,
    /// ReplaceMask set with another size than Replace.
    ReplaceMaskSize,
    /// Replace bits outside ReplaceMask.
    ReplaceOutsideMask,
}

impl Which {
    fn matches(self, p: PatchProblem) -> bool {
        matches!(
            (self, p),
            (Which::FindReplaceSize, PatchProblem::FindReplaceSize(..))
                | (Which::MaskSize, PatchProblem::MaskSize(..))
                | (Which::FindOutsideMask, PatchProblem::FindOutsideMask)
                | (Which::ReplaceMaskSize, PatchProblem::ReplaceMaskSize(..))
                | (Which::ReplaceOutsideMask, PatchProblem::ReplaceOutsideMask)
        )
    }
}

/// The key a finding of `p` points at: the second field of a size
/// mismatch, the data field whose bits leak out of its mask.
fn key_of(p: PatchProblem) -> &'static str {
    match p {
        PatchProblem::FindReplaceSize(..) => "Replace",
        PatchProblem::MaskSize(..) => "Mask",
        PatchProblem::FindOutsideMask => "Find",
        PatchProblem::ReplaceMaskSize(..) => "ReplaceMask",
        PatchProblem::ReplaceOutsideMask => "Replace",
    }
}

/// What OpenCore does with a patch showing `p`, for the message.
fn consequence(p: PatchProblem) -> String {
    const REFUSED: &str = "OpenCore refuses the patch as borked and never applies it";
    match p {
        PatchProblem::FindReplaceSize(f, r) => {
            format!("Find is {f} bytes but Replace is {r}; {REFUSED}")
        }
        PatchProblem::MaskSize(m, f) => format!("Mask is {m} bytes but Find is {f}; {REFUSED}"),
        PatchProblem::FindOutsideMask => "Find has bits set where Mask is clear; OpenCore compares the masked bytes with Find, so the patch can never match".to_owned(),
        PatchProblem::ReplaceMaskSize(m, r) => {
            format!("ReplaceMask is {m} bytes but Replace is {r}; {REFUSED}")
        }
        PatchProblem::ReplaceOutsideMask => "Replace has bits set where ReplaceMask is clear; OpenCore writes only the masked bits, so those are dropped".to_owned(),
    }
}

/// Report problem `which` of every entry of the patch array at `array`
/// under `rule`; `find_may_be_empty` says when an entry may leave Find
/// empty (located by other means, so Replace alone has a size).
pub(in crate::rules) fn check_patches(
    cx: &mut Context,
    array: &str,
    rule: &'static RuleMeta,
    which: Which,
    find_may_be_empty: impl Fn(&Item) -> bool,
) {
    for e in entries(cx, array) {
        let bytes = PatchBytes::of(&e);
        let lenient = bytes.find.is_empty() && find_may_be_empty(&e);
        let Some(p) = bytes
            .problems(lenient)
            .into_iter()
            .find(|&p| which.matches(p))
        else {
            continue;
        };
        let key = key_of(p);
        let message = format!("{}: {}", e.path, consequence(p));
        let d = report_entry(cx, rule, &e, key, message);
        d.help = Some(match which {
            Which::FindReplaceSize => "give Find and Replace the same number of bytes".into(),
            Which::MaskSize => "give Mask as many bytes as Find, or leave it empty".into(),
            Which::FindOutsideMask => {
                "clear the Find bits the Mask ignores (Find AND Mask), or widen the Mask".into()
            }
            Which::ReplaceMaskSize => {
                "give ReplaceMask as many bytes as Replace, or leave it empty".into()
            }
            Which::ReplaceOutsideMask => {
                "clear the Replace bits ReplaceMask leaves out, or widen ReplaceMask".into()
            }
        });
    }
}

/// An ACPI patch located by `Base` (from the release that has the key) may
/// leave Find empty: OpenCore then replaces right at the Base object.
fn acpi_find_may_be_empty(cx: &Context) -> bool {
    crate::rules::view::key_in_target(cx, "ACPI/Patch/[]/Base")
}

fn acpi(cx: &mut Context, rule: &'static RuleMeta, which: Which) {
    let base_known = acpi_find_may_be_empty(cx);
    check_patches(cx, "ACPI/Patch", rule, which, |e| {
        base_known && !e.str_of("Base").is_empty()
    });
}

/// A005: Find and Replace sizes differ.
pub(super) fn a005(cx: &mut Context) {
    acpi(cx, &A005, Which::FindReplaceSize);
}

/// A006: Mask size differs from Find.
pub(super) fn a006(cx: &mut Context) {
    acpi(cx, &A006, Which::MaskSize);
}

/// A007: Find bits outside Mask.
pub(super) fn a007(cx: &mut Context) {
    acpi(cx, &A007, Which::FindOutsideMask);
}

/// A008: ReplaceMask size differs from Replace.
pub(super) fn a008(cx: &mut Context) {
    acpi(cx, &A008, Which::ReplaceMaskSize);
}

/// A009: Replace bits outside ReplaceMask.
pub(super) fn a009(cx: &mut Context) {
    acpi(cx, &A009, Which::ReplaceOutsideMask);
}
