//! The file paths and architecture of Kernel/Add and Kernel/Force entries:
//! their characters, suffixes and (for Add) their length in OpenCore's path
//! buffer.

use super::{Kind, entry_finding, enumeration, known};
use crate::rules::files::{PATH_MAX_NEW, PATH_MAX_OLD};
use crate::rules::view::{ENTRY_ARCHES, Item, ends_with_ignore_case, first_bad_path_char};
use crate::rules::{Context, RuleMeta};

rule! {
    code: K001,
    name: "kext-arch-invalid",
    severity: Info,
    fix: Sometimes(Unsafe),
    summary: "A Kernel/Add entry's Arch is not Any, i386 or x86_64.",
    why: "OpenCore skips a kext only when Arch names the other architecture; any other word loads it everywhere.",
}
rule! {
    code: K002,
    name: "kext-bundle-path-characters",
    severity: Info,
    fix: None,
    summary: "A Kernel/Add BundlePath holds a character outside letters, digits, `_ - . / \\`.",
    why: "OpenCore's validator rejects such paths; spaces and symbols make the EFI folder fragile to copy and to check.",
}
rule! {
    code: K003,
    name: "kext-bundle-suffix",
    severity: Error,
    fix: None,
    summary: "A Kernel/Add BundlePath does not end in `.kext`.",
    why: "The path then names something else than a kext bundle (a `.dSYM`, a folder): OpenCore fails to inject it.",
}
rule! {
    code: K004,
    name: "kext-executable-path-characters",
    severity: Info,
    fix: None,
    summary: "A Kernel/Add ExecutablePath holds a character outside letters, digits, `_ - . / \\`.",
    why: "OpenCore's validator rejects such paths; spaces and symbols make the EFI folder fragile to copy and to check.",
}
rule! {
    code: K005,
    name: "kext-plist-path-characters",
    severity: Info,
    fix: None,
    summary: "A Kernel/Add PlistPath holds a character outside letters, digits, `_ - . / \\`.",
    why: "OpenCore's validator rejects such paths; spaces and symbols make the EFI folder fragile to copy and to check.",
}
rule! {
    code: K006,
    name: "kext-plist-suffix",
    severity: Error,
    fix: None,
    summary: "A Kernel/Add PlistPath does not end in `.plist`.",
    why: "OpenCore reads the kext's Info.plist from PlistPath; anything else is not a property list and the kext is not injected.",
}
rule! {
    code: K007,
    name: "kext-bundle-path-too-long",
    severity: Error,
    fix: None,
    summary: "`Kexts\\` + BundlePath does not fit OpenCore's path buffer.",
    why: "OpenCore builds the kext's paths in a fixed buffer; when they do not fit it skips the kext.",
}
rule! {
    code: K008,
    name: "kext-executable-path-too-long",
    severity: Error,
    fix: None,
    summary: "`Kexts\\` + BundlePath + `\\` + ExecutablePath does not fit OpenCore's path buffer.",
    why: "OpenCore builds the executable's path in a fixed buffer; when it does not fit it skips the kext.",
}
rule! {
    code: K009,
    name: "kext-plist-path-too-long",
    severity: Error,
    fix: None,
    summary: "`Kexts\\` + BundlePath + `\\` + PlistPath does not fit OpenCore's path buffer.",
    why: "OpenCore builds the Info.plist's path in a fixed buffer; when it does not fit it skips the kext.",
}
rule! {
    code: K022,
    name: "forced-kext-arch-invalid",
    severity: Info,
    fix: Sometimes(Unsafe),
    summary: "A Kernel/Force entry's Arch is not Any, i386 or x86_64.",
    why: "OpenCore skips a kext only when Arch names the other architecture; any other word forces it everywhere.",
}
rule! {
    code: K024,
    name: "forced-kext-bundle-path-characters",
    severity: Info,
    fix: None,
    summary: "A Kernel/Force BundlePath holds a character outside letters, digits, `_ - . / \\`.",
    why: "OpenCore's validator rejects such paths; system kext paths never hold other characters.",
}
rule! {
    code: K025,
    name: "forced-kext-bundle-suffix",
    severity: Warning,
    fix: None,
    summary: "A Kernel/Force BundlePath does not end in `.kext`.",
    why: "The path then names no kext bundle of the system volume, so nothing is forced.",
}
rule! {
    code: K026,
    name: "forced-kext-executable-path-characters",
    severity: Info,
    fix: None,
    summary: "A Kernel/Force ExecutablePath holds a character outside letters, digits, `_ - . / \\`.",
    why: "OpenCore's validator rejects such paths; system kext paths never hold other characters.",
}
rule! {
    code: K027,
    name: "forced-kext-plist-path-characters",
    severity: Info,
    fix: None,
    summary: "A Kernel/Force PlistPath holds a character outside letters, digits, `_ - . / \\`.",
    why: "OpenCore's validator rejects such paths; system kext paths never hold other characters.",
}
rule! {
    code: K028,
    name: "forced-kext-plist-suffix",
    severity: Warning,
    fix: None,
    summary: "A Kernel/Force PlistPath does not end in `.plist`.",
    why: "OpenCore reads the kext's Info.plist from PlistPath; anything else is not a property list and nothing is forced.",
}

/// K001: Kernel/Add Arch.
pub fn k001(cx: &mut Context) {
    arch(cx, &K001, Kind::Add);
}
/// K002: Kernel/Add BundlePath characters.
pub fn k002(cx: &mut Context) {
    chars(cx, &K002, Kind::Add, "BundlePath");
}
/// K003: Kernel/Add BundlePath suffix.
pub fn k003(cx: &mut Context) {
    suffix(cx, &K003, Kind::Add, "BundlePath", ".kext");
}
/// K004: Kernel/Add ExecutablePath characters.
pub fn k004(cx: &mut Context) {
    chars(cx, &K004, Kind::Add, "ExecutablePath");
}
/// K005: Kernel/Add PlistPath characters.
pub fn k005(cx: &mut Context) {
    chars(cx, &K005, Kind::Add, "PlistPath");
}
/// K006: Kernel/Add PlistPath suffix.
pub fn k006(cx: &mut Context) {
    suffix(cx, &K006, Kind::Add, "PlistPath", ".plist");
}
/// K022: Kernel/Force Arch.
pub fn k022(cx: &mut Context) {
    arch(cx, &K022, Kind::Force);
}
/// K024: Kernel/Force BundlePath characters.
pub fn k024(cx: &mut Context) {
    chars(cx, &K024, Kind::Force, "BundlePath");
}
/// K025: Kernel/Force BundlePath suffix.
pub fn k025(cx: &mut Context) {
    suffix(cx, &K025, Kind::Force, "BundlePath", ".kext");
}
/// K026: Kernel/Force ExecutablePath characters.
pub fn k026(cx: &mut Context) {
    chars(cx, &K026, Kind::Force, "ExecutablePath");
}
/// K027: Kernel/Force PlistPath characters.
pub fn k027(cx: &mut Context) {
    chars(cx, &K027, Kind::Force, "PlistPath");
}
/// K028: Kernel/Force PlistPath suffix.
pub fn k028(cx: &mut Context) {
    suffix(cx, &K028, Kind::Force, "PlistPath", ".plist");
}

/// An `Arch` outside [`ENTRY_ARCHES`] in the entries of `kind` (shared with
/// Block and Patch).
pub(super) fn arch(cx: &mut Context, rule: &'static RuleMeta, kind: Kind) {
    if !known(cx, &kind.schema_path("Arch")) {
        return;
    }
    let then = format!(
        "OpenCore skips a {} only when Arch names the other architecture, so this one \
         loads on both",
        kind.noun()
    );
    for entry in kind.entries(cx).iter() {
        enumeration(cx, rule, entry.get("Arch"), ENTRY_ARCHES, &then);
    }
}

fn chars(cx: &mut Context, rule: &'static RuleMeta, kind: Kind, key: &str) {
    if !known(cx, &kind.schema_path(key)) {
        return;
    }
    for entry in kind.entries(cx).iter() {
        let written = entry.str_of(key);
        let Some(bad) = first_bad_path_char(written) else {
            continue;
        };
        let message = format!(
            "{key} `{written}` holds {bad:?}: OpenCore's validator allows only ASCII letters, \
             digits, `_`, `-`, `.`, `/` and `\\` in a path"
        );
        let d = entry_finding(cx, rule, entry, key, message);
        d.help = Some(format!(
            "rename the file or folder on disk and in {key} without it"
        ));
    }
}

fn suffix(cx: &mut Context, rule: &'static RuleMeta, kind: Kind, key: &str, ending: &str) {
    if !known(cx, &kind.schema_path(key)) {
        return;
    }
    for entry in kind.entries(cx).iter() {
        let written = entry.str_of(key);
        if ends_with_ignore_case(written, ending) {
            continue;
        }
        let what = if written.is_empty() {
            format!("{key} is empty")
        } else {
            format!("{key} `{written}` does not end in `{ending}`")
        };
        let consequence = match (kind, ending) {
            (Kind::Add, ".kext") => {
                "OpenCore does not find a kext bundle there and injects nothing"
            }
            (Kind::Add, _) => "OpenCore cannot read the kext's Info.plist and injects nothing",
            (_, ".kext") => "it names no kext of the system volume, so nothing is forced",
            _ => "OpenCore cannot read the kext's Info.plist, so nothing is forced",
        };
        let d = entry_finding(cx, rule, entry, key, format!("{what}: {consequence}"));
        d.help = Some(if ending == ".kext" {
            "point BundlePath at the `.kext` folder (a `.kext.dSYM` holds debug symbols only)"
                .to_owned()
        } else {
            "point PlistPath at the kext's property list, usually `Contents/Info.plist`".to_owned()
        });
    }
}

/// OpenCore's path buffer for the release checked against, in bytes with
/// the NUL: the smaller one only when a release up to 1.0.5 is named.
fn path_max(cx: &Context) -> usize {
    if cx.release_at_most("1.0.5", false) {
        PATH_MAX_OLD
    } else {
        PATH_MAX_NEW
    }
}

/// `Kexts\`, the folder prefix OpenCore puts before a BundlePath.
const KEXTS: usize = "Kexts\\".len();

/// Bytes of `Kexts\` + BundlePath + NUL.
fn bundle_bytes(entry: &Item) -> usize {
    KEXTS + entry.str_of("BundlePath").len() + 1
}

/// K007: `Kexts\` + BundlePath too long.
pub fn k007(cx: &mut Context) {
    if !known(cx, &Kind::Add.schema_path("BundlePath")) {
        return;
    }
    let max = path_max(cx);
    for entry in Kind::Add.entries(cx).iter() {
        let n = bundle_bytes(entry);
        if n > max {
            too_long(
                cx,
                &K007,
                entry,
                "BundlePath",
                "`Kexts\\` + BundlePath + NUL",
                n,
                max,
            );
        }
    }
}

/// K008: `Kexts\` + BundlePath + `\` + ExecutablePath too long.
pub fn k008(cx: &mut Context) {
    joined(cx, &K008, "ExecutablePath");
}

/// K009: `Kexts\` + BundlePath + `\` + PlistPath too long.
pub fn k009(cx: &mut Context) {
    joined(cx, &K009, "PlistPath");
}

fn joined(cx: &mut Context, rule: &'static RuleMeta, key: &str) {
    if !known(cx, &Kind::Add.schema_path(key)) {
        return;
    }
    let max = path_max(cx);
    for entry in Kind::Add.entries(cx).iter() {
        let inner = entry.str_of(key);
        // An empty path is never joined (OpenCore loads no executable then;
        // an empty PlistPath is K006), and a BundlePath too long on its own
        // is K007's finding.
        if inner.is_empty() || bundle_bytes(entry) > max {
            continue;
        }
        let n = bundle_bytes(entry) + inner.len() + 1;
        if n > max {
            let how = format!("`Kexts\\` + BundlePath + `\\` + {key} + NUL");
            too_long(cx, rule, entry, key, &how, n, max);
        }
    }
}

fn too_long(
    cx: &mut Context,
    rule: &'static RuleMeta,
    entry: &Item,
    key: &str,
    how: &str,
    n: usize,
    max: usize,
) {
    let message = format!(
        "{how} is {n} bytes, over OpenCore's {max}-byte path buffer: OpenCore cannot build \
         the path and skips the kext"
    );
    let d = entry_finding(cx, rule, entry, key, message);
    d.help = Some(
        "shorten the folder or file names on disk and in the config (a plugin that works on \
         its own can move to the top of Kexts/)"
            .to_owned(),
    );
}
