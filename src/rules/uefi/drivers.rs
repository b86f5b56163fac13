//! UEFI/Drivers paths: UEFI-12, UEFI-14, UEFI-15, UEFI-16 and UEFI-19, and
//! the driver list the other driver rules read.

use std::rc::Rc;

use super::super::context::shared;
use super::super::files::{PATH_MAX_NEW, PATH_MAX_OLD};
use super::super::view::{Item, ends_with_ignore_case, repeats};
use super::super::{Context, Diagnostic, Severity};
use super::section;
use crate::model::Located;

rule! {
    code: U011,
    name: "driver-path-too-long",
    severity: Error,
    fix: None,
    summary: "A UEFI/Drivers path does not fit OpenCore's path buffer once `Drivers\\` is put in front.",
    why: "OpenCore builds the path in a fixed buffer and skips a driver whose path does not fit.",
}
rule! {
    code: U012,
    name: "driver-path-empty",
    severity: Error,
    fix: None,
    summary: "A UEFI/Drivers entry has an empty Path.",
    why: "OpenCore skips the entry: whatever driver it was meant to load is not loaded.",
}
rule! {
    code: U013,
    name: "driver-not-efi",
    severity: Error,
    fix: None,
    summary: "A UEFI/Drivers Path does not end in `.efi`.",
    why: "OpenCore opens the name exactly as written; drivers are `.efi` files, so the file is most likely not found.",
}
rule! {
    code: U014,
    name: "driver-path-characters",
    severity: Info,
    fix: None,
    summary: "A UEFI/Drivers Path holds a character other than letters, digits, `_`, `-`, `.` and `/`.",
    why: "OpenCore's validator accepts only those; spaces and backslashes work at boot but make the config fail validation.",
}
rule! {
    code: U017,
    name: "duplicate-driver",
    severity: Warning,
    fix: None,
    summary: "The same driver Path is listed twice in UEFI/Drivers.",
    why: "OpenCore loads and starts each enabled entry, so the driver runs twice.",
}

/// One UEFI/Drivers entry as OpenCore of the release checked against reads it.
#[derive(Debug, Clone)]
pub(crate) struct Driver<'a> {
    /// The entry (a dict, or a string before 0.7.3).
    pub item: Item<'a>,
    /// The driver path (without the `#` of the old format).
    pub path: &'a str,
    /// Where the path is written (the string itself in the old format).
    pub path_at: Located,
    /// Whether OpenCore loads it.
    pub enabled: bool,
    /// `LoadEarly` (false in the old format).
    pub load_early: bool,
}

impl Driver<'_> {
    /// Where `LoadEarly` is written, or the entry.
    pub fn load_early_at(&self) -> Located {
        self.item.located_of("LoadEarly")
    }

    /// The entry's index in UEFI/Drivers.
    pub fn index(&self) -> &str {
        self.item.path.rsplit('/').next().unwrap_or("")
    }
}

/// The UEFI/Drivers entries OpenCore reads, in order, for checks that
/// exist from release `since` (none when the config names an older one):
/// dicts, and strings where OpenCore reads them ([`string_entries_read`]).
/// A string in a config for a later release is dropped by OpenCore (X004).
/// Built once per file and shared by the rules.
pub(super) fn drivers<'a>(cx: &Context<'a>, since: &str) -> Rc<[Driver<'a>]> {
    if cx.named_release_before(since) {
        return Rc::new([]);
    }
    shared(&cx.shared.drivers, || walk(cx))
}

/// The enabled entries of [`drivers`] with a Path: the drivers OpenCore loads.
pub(super) fn enabled<'a>(cx: &Context<'a>, since: &str) -> Rc<[Driver<'a>]> {
    if cx.named_release_before(since) {
        return Rc::new([]);
    }
    shared(&cx.shared.enabled_drivers, || {
        drivers(cx, since)
            .iter()
            .filter(|d| d.enabled && !d.path.is_empty())
            .cloned()
            .collect()
    })
}

/// The first release whose UEFI/Drivers entries are dicts.
const DICT_DRIVERS_FIRST: &str = "0.7.3";

/// Whether a plain-string UEFI/Drivers entry (the layout before 0.7.3, `#`
/// disabling one) is a driver OpenCore loads. Every release up to 0.7.2
/// reads them and 0.7.3 dropped the layout, but only a named release
/// (`--oc-version`, a log) of 0.7.3 or later says so: a config still
/// written with strings was most likely made for a release that reads
/// them, and inference leans old or new on the keys it happens to hold.
/// B011 (is the runtime driver loaded?) and the U rules read the list this
/// one way.
pub(crate) fn string_entries_read(cx: &Context) -> bool {
    !cx.release_at_least(DICT_DRIVERS_FIRST)
}

/// One walk over UEFI/Drivers.
fn walk<'a>(cx: &Context<'a>) -> Vec<Driver<'a>> {
    let Some(list) = section(cx, "Drivers", "0.5.0") else {
        return Vec::new();
    };
    let strings = string_entries_read(cx);
    list.items()
        .filter_map(|item| {
            if item.node.as_dict().is_some() {
                let path = item.str_of("Path");
                let path_at = item.located_of("Path");
                let enabled = item.enabled();
                let load_early = item.bool_of("LoadEarly");
                return Some(Driver {
                    item,
                    path,
                    path_at,
                    enabled,
                    load_early,
                });
            }
            let s = item.str().filter(|_| strings)?;
            let (enabled, path) = match s.strip_prefix('#') {
                Some(rest) => (false, rest),
                None => (true, s),
            };
            Some(Driver {
                path_at: item.located(),
                item,
                path,
                enabled,
                load_early: false,
            })
        })
        .collect()
}

/// Findings about a disabled entry are information: OpenCore never opens it.
fn tone_down(d: &mut Diagnostic, driver: &Driver) {
    if !driver.enabled {
        d.severity = Severity::Info;
        d.notes
            .push("the entry is disabled, so OpenCore does not load it today".into());
    }
}

/// U011 (UEFI-12).
pub fn u011(cx: &mut Context) {
    // With --efi, F002 measures the enabled entries the same way.
    let f002 = cx.efi_dir.is_some() && cx.options.enabled("F002");
    let named = crate::rules::files::named_release_limit(cx);
    for driver in drivers(cx, "0.5.0").iter() {
        if driver.enabled && f002 {
            continue;
        }
        // `Drivers\` in front and the NUL at the end.
        let n = "Drivers\\".len() + driver.path.len() + 1;
        let (severity, message) = match named {
            Some((_, limit)) if n <= limit => continue,
            None if n <= PATH_MAX_OLD => continue,
            Some((tag, limit)) => (
                Severity::Error,
                format!("driver path is {n} bytes, over OpenCore {tag}'s {limit}-byte limit"),
            ),
            None if n > PATH_MAX_NEW => (
                Severity::Error,
                format!(
                    "driver path is {n} bytes, over OpenCore's limit on every release ({PATH_MAX_OLD} bytes up to 1.0.5, {PATH_MAX_NEW} from 1.0.6)"
                ),
            ),
            None => (
                Severity::Warning,
                format!(
                    "driver path is {n} bytes, over the {PATH_MAX_OLD}-byte limit of OpenCore 1.0.5 and older; it fits the {PATH_MAX_NEW} bytes of 1.0.6 and later"
                ),
            ),
        };
        let d = cx.report(&U011, &driver.path_at, message);
        d.severity = severity;
        d.notes
            .push("measured as `Drivers\\` + Path + NUL, as OpenCore builds it".into());
        d.help = Some("shorten the file name on disk and in the config".into());
        tone_down(d, driver);
    }
}

/// U012 (UEFI-14).
pub fn u012(cx: &mut Context) {
    for driver in drivers(cx, "0.7.3").iter() {
        if !driver.path.is_empty() {
            continue;
        }
        let d = cx.report(
            &U012,
            &driver.path_at,
            format!(
                "UEFI/Drivers/{} has an empty Path: OpenCore skips the entry",
                driver.index()
            ),
        );
        d.help = Some("write the driver's file name, or remove the entry".into());
        tone_down(d, driver);
    }
}

/// U013 (UEFI-15).
pub fn u013(cx: &mut Context) {
    for driver in drivers(cx, "0.5.0").iter() {
        if driver.path.is_empty() || ends_with_ignore_case(driver.path, ".efi") {
            continue;
        }
        let d = cx.report(
            &U013,
            &driver.path_at,
            format!(
                "driver `{}` does not end in `.efi`: OpenCore opens Drivers\\{} exactly as written",
                driver.path, driver.path
            ),
        );
        d.help = Some(
            "write the file's full name, `.efi` included (OpenCore's drivers are all .efi files)"
                .into(),
        );
        tone_down(d, driver);
    }
}

/// What ocvalidate allows in a driver path: ASCII letters, digits, `_`,
/// `-`, `.` and `/` (not `\`, unlike other paths).
fn driver_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/')
}

/// U014 (UEFI-16).
pub fn u014(cx: &mut Context) {
    for driver in drivers(cx, "0.5.0").iter() {
        if driver.path.is_empty() || !ends_with_ignore_case(driver.path, ".efi") {
            continue;
        }
        // Non-ASCII characters are X008's.
        let Some(bad) = driver
            .path
            .chars()
            .find(|&c| c.is_ascii() && !driver_char(c))
        else {
            continue;
        };
        let d = cx.report(
            &U014,
            &driver.path_at,
            format!(
                "driver `{}` holds {bad:?}, which OpenCore's validator does not accept in a driver path",
                driver.path
            ),
        );
        d.help = Some(
            "rename the file to letters, digits, `_`, `-` and `.` (use `/` for a subfolder)".into(),
        );
        tone_down(d, driver);
    }
}

/// U017 (UEFI-19).
pub fn u017(cx: &mut Context) {
    let list = drivers(cx, "0.5.0");
    // An empty Path is U012's.
    for (later, first) in repeats(&list, |d| (!d.path.is_empty()).then_some(d.path)) {
        let (a, b) = (&list[first], &list[later]);
        let d = cx.report(
            &U017,
            &b.path_at,
            format!(
                "driver `{}` is listed at UEFI/Drivers/{} and again at UEFI/Drivers/{}",
                b.path,
                a.index(),
                b.index()
            ),
        );
        d.secondary
            .push((a.path_at.span.clone(), "first listed here".into()));
        if !(a.enabled && b.enabled) {
            d.severity = Severity::Info;
            d.notes
                .push("only one of them is enabled, so OpenCore loads it once".into());
        } else {
            d.notes
                .push("both are enabled: OpenCore loads and starts the driver twice".into());
        }
        d.help = Some("remove one of the entries".into());
    }
}
