//! Identifiers, architectures, strategies and duplicates of Kernel/Block,
//! Kernel/Force and Kernel/Patch entries.

use super::{Kind, case_fix, entry_finding, enumeration, known};
use crate::rules::view::{IdentifierKind, identifier_ok};
use crate::rules::{Context, RuleMeta};

rule! {
    code: K017,
    name: "block-arch-invalid",
    severity: Info,
    fix: Sometimes(Unsafe),
    summary: "A Kernel/Block entry's Arch is not Any, i386 or x86_64.",
    why: "OpenCore skips an entry only when Arch names the other architecture; any other word applies it everywhere.",
}
rule! {
    code: K018,
    name: "block-identifier-invalid",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "A Kernel/Block Identifier is neither `kernel` nor a bundle identifier.",
    why: "OpenCore blocks the kext whose bundle identifier equals this exactly; a malformed one matches nothing.",
}
rule! {
    code: K019,
    name: "block-strategy-invalid",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "A Kernel/Block Strategy is neither Disable nor Exclude.",
    why: "OpenCore treats every other value as Disable, which keeps the kext in the cache and may not be what was meant.",
}
rule! {
    code: K020,
    name: "block-listed-twice",
    severity: Info,
    fix: None,
    summary: "Two enabled Kernel/Block entries name the same Identifier for the same macOS versions.",
    why: "The second entry does nothing; it only makes the list harder to read and to change.",
}
rule! {
    code: K023,
    name: "forced-kext-identifier-invalid",
    severity: Warning,
    fix: None,
    summary: "A Kernel/Force Identifier is not a bundle identifier.",
    why: "OpenCore forces a kext only when no kext with this identifier is loaded; a malformed one never matches.",
}
rule! {
    code: K029,
    name: "forced-kext-listed-twice",
    severity: Info,
    fix: None,
    summary: "Two enabled Kernel/Force entries name the same BundlePath for the same macOS versions.",
    why: "OpenCore forces a kext once; the second entry does nothing.",
}
rule! {
    code: K030,
    name: "kernel-patch-arch-invalid",
    severity: Info,
    fix: Sometimes(Unsafe),
    summary: "A Kernel/Patch entry's Arch is not Any, i386 or x86_64.",
    why: "OpenCore skips a patch only when Arch names the other architecture; any other word applies it everywhere.",
}
rule! {
    code: K031,
    name: "kernel-patch-identifier-invalid",
    severity: Error,
    fix: Sometimes(Unsafe),
    summary: "A Kernel/Patch Identifier is neither `kernel` nor a bundle identifier.",
    why: "OpenCore patches only the kernel (`kernel`, lower case) or the kext with exactly this identifier; otherwise the patch is never applied.",
}

/// K017: Kernel/Block Arch.
pub fn k017(cx: &mut Context) {
    super::paths::arch(cx, &K017, Kind::Block);
}
/// K018: Kernel/Block Identifier.
pub fn k018(cx: &mut Context) {
    identifier(cx, &K018, Kind::Block);
}
/// K020: Kernel/Block duplicates.
pub fn k020(cx: &mut Context) {
    super::kexts::duplicates(cx, &K020, Kind::Block, "Identifier");
}
/// K023: Kernel/Force Identifier.
pub fn k023(cx: &mut Context) {
    identifier(cx, &K023, Kind::Force);
}
/// K029: Kernel/Force duplicates.
pub fn k029(cx: &mut Context) {
    super::kexts::duplicates(cx, &K029, Kind::Force, "BundlePath");
}
/// K030: Kernel/Patch Arch.
pub fn k030(cx: &mut Context) {
    super::paths::arch(cx, &K030, Kind::Patch);
}
/// K031: Kernel/Patch Identifier.
pub fn k031(cx: &mut Context) {
    identifier(cx, &K031, Kind::Patch);
}

fn identifier(cx: &mut Context, rule: &'static RuleMeta, kind: Kind) {
    if !known(cx, &kind.schema_path("Identifier")) {
        return;
    }
    for entry in kind.entries(cx).iter() {
        let written = entry.str_of("Identifier");
        if identifier_ok(written, IdentifierKind::Kernel) {
            continue;
        }
        let what = if written.is_empty() {
            "Identifier is empty".to_owned()
        } else {
            format!(
                "Identifier `{written}` is neither `kernel` nor a bundle identifier (ASCII \
                 letters, digits, `_`, `-` and at least one `.`)"
            )
        };
        let consequence = match kind {
            Kind::Patch => "OpenCore finds nothing to patch and never applies it",
            Kind::Block => "OpenCore finds no kext to block",
            _ => "OpenCore cannot tell whether the kext is loaded and does not force it",
        };
        let fix = entry
            .get("Identifier")
            .and_then(|v| case_fix(cx, &v, &["kernel"]));
        let d = entry_finding(
            cx,
            rule,
            entry,
            "Identifier",
            format!("{what}: {consequence}"),
        );
        d.fix = fix;
        if d.fix.is_none() {
            d.help = Some(
                "write the kext's CFBundleIdentifier (e.g. `com.apple.iokit.IOHIDFamily`), or \
                 `kernel` for the kernel itself"
                    .to_owned(),
            );
        }
    }
}

/// K019: Kernel/Block Strategy.
pub fn k019(cx: &mut Context) {
    const STRATEGIES: &[&str] = &["Disable", "Exclude"];
    if !known(cx, &Kind::Block.schema_path("Strategy")) {
        return;
    }
    for entry in Kind::Block.entries(cx).iter() {
        let then = "OpenCore treats it as `Disable`";
        enumeration(cx, &K019, entry.get("Strategy"), STRATEGIES, then);
    }
}
