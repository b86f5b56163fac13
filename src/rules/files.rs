//! F0xx: the files an OpenCore config names, checked against its EFI folder.
//!
//! They judge what the scan of the folder given with `--efi`
//! ([`Context::efi_dir`]) found ([`crate::folder::oc`]); without one they
//! stay silent. The scan lists directories and compares names itself, so a
//! case mismatch is seen even where the file system ignores case (FAT32,
//! APFS).

use std::path::Path;

use super::{Context, Severity};
use crate::folder::oc::{Found, Lookup, Part};
use crate::model::{self, ConfigKind, FileItem, PathValue, Section};

// The tests check how the scan splits paths.
#[cfg(test)]
use crate::folder::oc::components;

rule! {
    code: F001,
    name: "missing-file",
    severity: Error,
    fix: None,
    summary: "An enabled driver, kext, ACPI table or tool is not in the EFI folder.",
    why: "OpenCore cannot load a file that is not there; whatever it fixed is then missing at boot.",
}
rule! {
    code: F002,
    name: "path-too-long",
    severity: Error,
    fix: None,
    summary: "A driver, kext, ACPI table or tool path is longer than OpenCore's path buffer.",
    why: "OpenCore builds each path in a fixed buffer; a longer one cannot be opened even though the file exists.",
}
rule! {
    code: F003,
    name: "case-mismatch",
    severity: Warning,
    fix: None,
    summary: "A file exists only with different upper/lower case than the config writes it.",
    why: "FAT32 ignores case, but OpenCore compares some paths as written, and a copy on a case-sensitive disk breaks.",
}

/// OpenCore's path buffer up to 1.0.5, in bytes including the NUL.
pub const PATH_MAX_OLD: usize = 128;
/// OpenCore's path buffer from 1.0.6 on, in bytes including the NUL.
pub const PATH_MAX_NEW: usize = 192;

/// F001: enabled items whose file is not on disk.
pub fn f001(cx: &mut Context) {
    for found in named(cx) {
        if let Lookup::Missing {
            missing,
            under,
            listing,
        } = &found.lookup
        {
            let item = &found.item;
            let folder = item.section.folder();
            let message = match found.part {
                Part::Main => format!(
                    "{} `{}` is enabled but {} does not exist",
                    item.section.noun(),
                    found.value.text,
                    shown(&found.wanted)
                ),
                Part::Executable | Part::Plist => format!(
                    "kext `{}`: {} `{}` does not exist in {}",
                    item.path.text,
                    found.part.key(),
                    found.value.text,
                    shown(&found.base)
                ),
            };
            let mut notes = vec![format!(
                "`{missing}` is not in {}{}",
                shown(under),
                listing_note(listing.as_deref())
            )];
            if found.part == Part::Main && item.section == Section::Drivers {
                notes
                    .push("take drivers from the same OpenCore release as OpenCore.efi".to_owned());
            }
            let d = cx.report(&F001, &found.value.at, message);
            d.notes = notes;
            d.help = Some(format!(
                "copy the file into {folder}/, correct the path, or set {}/Enabled to false",
                item.entry.path
            ));
        }
    }
}

/// F003: files found only with different case.
pub fn f003(cx: &mut Context) {
    let base = cx.efi_dir.clone().unwrap_or_default();
    for found in named(cx) {
        if let Lookup::Case { differs, on_disk } = &found.lookup {
            let rel = on_disk.strip_prefix(&base).unwrap_or(on_disk);
            let message = format!(
                "{} `{}` exists on disk only with other case: {}",
                found.item.section.noun(),
                found.value.text,
                rel.display()
            );
            let pairs: Vec<String> = differs
                .iter()
                .map(|(w, a)| format!("`{w}` is `{a}` on disk"))
                .collect();
            let d = cx.report(&F003, &found.value.at, message);
            d.notes.push(pairs.join(", "));
            d.notes.push(
                "on FAT32 the firmware still opens it, but OpenCore compares some names as \
                 written (the OpenRuntime.efi check behind B011 is one), and a copy of the \
                 folder on a case-sensitive file system or in Git will not find it"
                    .to_owned(),
            );
            if let Some((w, a)) = differs.first() {
                d.help = Some(format!(
                    "rename `{a}` on disk to `{w}` (on FAT32 via an intermediate name), or write `{a}` in the config"
                ));
            }
        }
    }
}

/// F002: paths longer than OpenCore's buffer, measured as OpenCore builds them.
pub fn f002(cx: &mut Context) {
    if !applies(cx) {
        return;
    }
    let limit = named_release_limit(cx);
    for item in model::efi_files(cx.doc) {
        let folder = item.section.folder();
        // OpenCore prefixes the folder and a backslash, and counts the NUL.
        let prefix = folder.len() + 1;
        let main = prefix + item.path.text.len() + 1;
        if main > limit.map_or(PATH_MAX_OLD, |l| l.1) {
            let how = format!("`{folder}\\` + {} + NUL", main_key(item.section));
            report_length(cx, &item, &item.path, main, &how, limit);
            continue;
        }
        for (part, value) in [
            (Part::Executable, &item.executable),
            (Part::Plist, &item.plist),
        ] {
            let Some(value) = value else { continue };
            let n = prefix + item.path.text.len() + 1 + value.text.len() + 1;
            if n > limit.map_or(PATH_MAX_OLD, |l| l.1) {
                let how = format!("`{folder}\\` + BundlePath + `\\` + {} + NUL", part.key());
                report_length(cx, &item, value, n, &how, limit);
            }
        }
    }
}

fn main_key(section: Section) -> &'static str {
    match section {
        Section::Kexts => "BundlePath",
        _ => "Path",
    }
}

/// The release the user named (`--oc-version` or the log's version line)
/// and its path limit. `None` when the release is only inferred from the
/// keys: no key tells 1.0.5 from 1.0.6, so both limits are then described.
pub(crate) fn named_release_limit(cx: &Context) -> Option<(&'static str, usize)> {
    let r = cx.oc_version?;
    if r.source == crate::schema::Source::Inferred {
        return None;
    }
    let first_new = crate::schema::release_index("1.0.6")?;
    let limit = if r.target >= first_new {
        PATH_MAX_NEW
    } else {
        PATH_MAX_OLD
    };
    Some((r.target_tag(), limit))
}

fn report_length(
    cx: &mut Context,
    item: &FileItem,
    value: &PathValue,
    n: usize,
    how: &str,
    named: Option<(&'static str, usize)>,
) {
    let noun = item.section.noun();
    let (severity, message) = if let Some((tag, limit)) = named {
        (
            Severity::Error,
            format!("{noun} path is {n} bytes, over OpenCore {tag}'s {limit}-byte limit"),
        )
    } else if n > PATH_MAX_NEW {
        (
            Severity::Error,
            format!(
                "{noun} path is {n} bytes, over OpenCore's limit on every release \
                 ({PATH_MAX_OLD} bytes up to 1.0.5, {PATH_MAX_NEW} from 1.0.6)"
            ),
        )
    } else {
        (
            Severity::Warning,
            format!(
                "{noun} path is {n} bytes, over the {PATH_MAX_OLD}-byte limit applied \
                 (OpenCore 1.0.5 and older); it fits the {PATH_MAX_NEW} bytes of 1.0.6 and later"
            ),
        )
    };
    let d = cx.report(&F002, &value.at, message);
    d.severity = severity;
    d.notes.push(format!("measured as {how}"));
    d.help = Some(
        "shorten the file or folder names on disk and in the config (a plugin kext that works \
         on its own can move to the top of Kexts/)"
            .to_owned(),
    );
}

fn applies(cx: &Context) -> bool {
    cx.efi_dir.is_some() && cx.config.kind == ConfigKind::OpenCore
}

/// The named files as the scan found them (none unless [`applies`]).
fn named<'a>(cx: &Context<'a>) -> &'a [Found] {
    match cx.oc_folder {
        Some(folder) if applies(cx) => &folder.named,
        _ => &[],
    }
}

/// A path for messages.
fn shown(p: &Path) -> String {
    p.display().to_string()
}

/// `: it holds a, b, c` for a directory's `listing`, or `, which does not
/// exist`.
fn listing_note(listing: Option<&[String]>) -> String {
    match listing {
        None => ", which does not exist".to_owned(),
        Some([]) => ", which is empty".to_owned(),
        Some(names) => {
            const SHOW: usize = 8;
            let mut s = format!(
                "; it holds {}",
                names
                    .iter()
                    .take(SHOW)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            if names.len() > SHOW {
                s.push_str(&format!(" and {} more", names.len() - SHOW));
            }
            s
        }
    }
}

#[cfg(test)]
#[path = "files_tests.rs"]
mod tests;
