//! A0xx: the entries of the `ACPI` section, as OpenCore's validator checks
//! them (ACPI-01, 03, 04, 05, 08-12 of the ocvalidate inventory; ACPI-02,
//! 06 and 07, the comments, are X008's).
//!
//! Findings about a disabled entry are reported at info severity: OpenCore
//! skips disabled entries at boot, so the problem only bites once the entry
//! is enabled (ocvalidate counts them as errors all the same).

mod add;
pub(super) mod patch;

use super::view::Item;
use super::{Context, Diagnostic, Rule, RuleMeta, Severity};
use crate::model::ConfigKind;

rule! {
    code: A001,
    name: "acpi-path-characters",
    severity: Warning,
    fix: None,
    summary: "An ACPI/Add Path holds a character other than letters, digits, `_`, `-`, `.`, `/` and `\\`.",
    why: "OpenCore opens the table by this name on the EFI partition; names outside the validator's character set are unportable and some cannot exist on FAT32 at all.",
}
rule! {
    code: A002,
    name: "acpi-path-suffix",
    severity: Error,
    fix: None,
    summary: "An ACPI/Add Path does not end in `.aml` or `.bin`.",
    why: "Only compiled tables load: a `.dsl` source or an empty path means the table the entry stands for is never inserted.",
}
rule! {
    code: A003,
    name: "acpi-path-length",
    severity: Error,
    fix: None,
    summary: "An ACPI/Add Path is longer than OpenCore's path buffer.",
    why: "OpenCore builds `ACPI\\` + Path in a fixed buffer; a longer path cannot be opened and the table is skipped.",
}
rule! {
    code: A004,
    name: "acpi-add-duplicate",
    severity: Warning,
    fix: Always(Unsafe),
    summary: "Two enabled ACPI/Add entries load the same file.",
    why: "OpenCore inserts the table once per entry; the second copy redefines every object of the first, which macOS reports as ACPI errors.",
}
rule! {
    code: A005,
    name: "acpi-patch-size-mismatch",
    severity: Error,
    fix: None,
    summary: "An ACPI/Patch entry's Find and Replace differ in size.",
    why: "OpenCore refuses such a patch (it logs it as borked) and never applies it.",
}
rule! {
    code: A006,
    name: "acpi-patch-mask-size",
    severity: Error,
    fix: None,
    summary: "An ACPI/Patch entry's Mask is set with another size than Find.",
    why: "OpenCore refuses such a patch (it logs it as borked) and never applies it.",
}
rule! {
    code: A007,
    name: "acpi-patch-find-outside-mask",
    severity: Error,
    fix: None,
    summary: "An ACPI/Patch entry's Find has bits set where its Mask is clear.",
    why: "OpenCore compares the masked table bytes with Find, so a Find bit outside the Mask can never match: the patch never applies.",
}
rule! {
    code: A008,
    name: "acpi-patch-replace-mask-size",
    severity: Error,
    fix: None,
    summary: "An ACPI/Patch entry's ReplaceMask is set with another size than Replace.",
    why: "OpenCore refuses such a patch (it logs it as borked) and never applies it.",
}
rule! {
    code: A009,
    name: "acpi-patch-replace-outside-mask",
    severity: Warning,
    fix: None,
    summary: "An ACPI/Patch entry's Replace has bits set where its ReplaceMask is clear.",
    why: "OpenCore writes only the masked bits, so those Replace bits are silently dropped and the patched bytes differ from what is written.",
}

/// The ACPI family, in code order.
pub(super) static RULES: &[Rule] = &[
    Rule::new(&A001, add::a001),
    Rule::new(&A002, add::a002),
    Rule::new(&A003, add::a003),
    Rule::new(&A004, add::a004),
    Rule::new(&A005, patch::a005),
    Rule::new(&A006, patch::a006),
    Rule::new(&A007, patch::a007),
    Rule::new(&A008, patch::a008),
    Rule::new(&A009, patch::a009),
];

/// The entries of the array at `path` of an OpenCore config (none for other
/// kinds of file).
pub(super) fn entries<'a>(cx: &Context<'a>, path: &str) -> Vec<Item<'a>> {
    if cx.config.kind != ConfigKind::OpenCore {
        return Vec::new();
    }
    Item::at(cx, path).map_or_else(Vec::new, |a| a.entries().map(|(_, e)| e).collect())
}

/// Report `rule` at `key` of `entry`. A disabled entry's finding is info:
/// OpenCore skips disabled entries at boot.
pub(super) fn report_entry<'c>(
    cx: &'c mut Context,
    rule: &'static RuleMeta,
    entry: &Item,
    key: &str,
    message: String,
) -> &'c mut Diagnostic {
    let enabled = entry.enabled();
    let d = cx.report(rule, &entry.located_of(key), message);
    if !enabled {
        d.severity = Severity::Info;
        d.notes.push(format!(
            "{} is disabled: OpenCore skips it at boot, so this matters once it is enabled",
            entry.path
        ));
    }
    d
}

#[cfg(test)]
pub(super) mod tests;
