//! A001-A004: the `ACPI/Add` entries: the table file's name, suffix, length
//! and repeats.

use super::{A001, A002, A003, A004, entries, report_entry};
use crate::patch::{self, Fix};
use crate::rules::files::{PATH_MAX_NEW, PATH_MAX_OLD, named_release_limit};
use crate::rules::view::{ends_with_ignore_case, first_bad_path_char, repeats};
use crate::rules::{Context, Severity};

/// The folder OpenCore reads tables from, as it prefixes it (`ACPI\`).
const FOLDER: &str = "ACPI\\";

/// A001: characters outside OpenCore's validator's path set.
pub(super) fn a001(cx: &mut Context) {
    for e in entries(cx, "ACPI/Add") {
        let path = e.str_of("Path");
        let Some(c) = first_bad_path_char(path) else {
            continue;
        };
        let shown = match c {
            ' ' => "a space".to_owned(),
            c if c.is_control() => format!("U+{:04X}", c as u32),
            c => format!("`{c}`"),
        };
        let d = report_entry(
            cx,
            &A001,
            &e,
            "Path",
            format!(
                "{}/Path `{path}` holds {shown}; OpenCore's validator allows only letters, digits, `_`, `-`, `.`, `/` and `\\` in a table's path",
                e.path
            ),
        );
        d.help = Some(
            "rename the file (and the entry) with plain letters, digits, `_`, `-` and `.`".into(),
        );
    }
}

/// A002: a path without the `.aml` or `.bin` suffix.
pub(super) fn a002(cx: &mut Context) {
    for e in entries(cx, "ACPI/Add") {
        let path = e.str_of("Path");
        if ends_with_ignore_case(path, ".aml") || ends_with_ignore_case(path, ".bin") {
            continue;
        }
        let message = if path.is_empty() {
            format!(
                "{}/Path is empty; OpenCore skips the entry and inserts no table",
                e.path
            )
        } else {
            format!(
                "{}/Path `{path}` does not end in .aml or .bin; OpenCore loads only compiled tables, so this one is most likely never inserted",
                e.path
            )
        };
        let source = ends_with_ignore_case(path, ".dsl");
        let d = report_entry(cx, &A002, &e, "Path", message);
        d.help = Some(if source {
            "compile the .dsl source to .aml (iasl) and name the .aml file here".into()
        } else {
            "name the compiled table file (.aml), or remove the entry".into()
        });
    }
}

/// A003: a path longer than OpenCore's buffer, on the config alone.
pub(super) fn a003(cx: &mut Context) {
    // With `--efi`, F002 reports enabled entries (measured the same way).
    let f002 = cx.efi_dir.is_some() && cx.options.enabled("F002");
    let named = named_release_limit(cx);
    for e in entries(cx, "ACPI/Add") {
        let path = e.str_of("Path");
        if f002 && e.enabled() && !path.is_empty() {
            continue;
        }
        // `ACPI\` + Path + the terminating NUL.
        let n = FOLDER.len() + path.len() + 1;
        let (severity, message) = match named {
            Some((tag, limit)) if n > limit => (
                Severity::Error,
                format!(
                    "{}/Path is {} bytes: `ACPI\\` + Path + NUL make {n}, over OpenCore {tag}'s {limit}-byte path buffer, so the table cannot be opened",
                    e.path,
                    path.len()
                ),
            ),
            Some(_) => continue,
            None if n > PATH_MAX_NEW => (
                Severity::Error,
                format!(
                    "{}/Path is {} bytes: `ACPI\\` + Path + NUL make {n}, over OpenCore's path buffer on every release ({PATH_MAX_OLD} bytes up to 1.0.5, {PATH_MAX_NEW} from 1.0.6), so the table cannot be opened",
                    e.path,
                    path.len()
                ),
            ),
            None if n > PATH_MAX_OLD => (
                Severity::Warning,
                format!(
                    "{}/Path is {} bytes: `ACPI\\` + Path + NUL make {n}, over the {PATH_MAX_OLD}-byte buffer of OpenCore 1.0.5 and older (1.0.6 and later allow {PATH_MAX_NEW})",
                    e.path,
                    path.len()
                ),
            ),
            None => continue,
        };
        let enabled = e.enabled();
        let d = report_entry(cx, &A003, &e, "Path", message);
        if enabled {
            d.severity = severity;
        }
        d.help = Some("shorten the file name (and any folders) on disk and in the config".into());
    }
}

/// The file an ACPI path names, as a FAT32 volume resolves it: case and
/// the slash direction do not matter (OpenCore turns `/` into `\`).
fn same_file_key(path: &str) -> String {
    path.bytes()
        .map(|b| match b {
            b'/' => '\\',
            b => char::from(b.to_ascii_lowercase()),
        })
        .collect()
}

/// A004: two enabled entries loading the same table file.
pub(super) fn a004(cx: &mut Context) {
    let list = entries(cx, "ACPI/Add");
    let dups = repeats(&list, |e| {
        let p = e.str_of("Path");
        (e.enabled() && !p.is_empty()).then(|| same_file_key(p))
    });
    for (i, first) in dups {
        let (e, f) = (&list[i], &list[first]);
        let message = format!(
            "{} loads `{}` again (first at {}); OpenCore inserts the table once per entry, so its objects are defined twice",
            e.path,
            e.str_of("Path"),
            f.path
        );
        let fix = e.get("Enabled").map(|en| {
            Fix::unsafe_(
                format!("set {}/Enabled to false", e.path),
                vec![patch::set_bool(&en.node.span, false)],
            )
        });
        let first_at = f.located_of("Path");
        let d = report_entry(cx, &A004, e, "Path", message);
        d.secondary
            .push((first_at.span, format!("first loaded by {}", first_at.path)));
        d.fix = fix;
    }
}
