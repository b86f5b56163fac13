//! Misc/Entries and Misc/Tools: the picker's custom entries and tools.
//! Both lists share the Flavour checks (one function, a rule per list) and
//! the duplicate check. Only enabled entries take part: OpenCore never reads
//! a disabled one.

use super::{path_limit, section};
use crate::patch::{self, Fix};
use crate::rules::view::{Item, repeats};
use crate::rules::{Context, RuleMeta};

rule! {
    code: G017,
    name: "entry-flavour-empty",
    severity: Info,
    fix: Sometimes(Safe),
    summary: "An enabled Misc/Entries entry has an empty Flavour.",
    why: "The flavour picks the entry's icon and voice-over; `Auto` is the value that means \"none in particular\".",
}
rule! {
    code: G018,
    name: "entry-flavour-too-long",
    severity: Info,
    fix: None,
    summary: "An enabled Misc/Entries entry has a Flavour longer than 63 bytes.",
    why: "OpenCore reads flavours into a 64-byte buffer; a longer one is not used as written.",
}
rule! {
    code: G019,
    name: "entry-flavour-empty-name",
    severity: Info,
    fix: None,
    summary: "An enabled Misc/Entries entry's Flavour has an empty name between colons.",
    why: "Each `:`-separated name is a fallback icon name; an empty one can never match a file.",
}
rule! {
    code: G020,
    name: "entry-flavour-ext-prefix",
    severity: Info,
    fix: None,
    summary: "An enabled Misc/Entries entry's Flavour has a name starting with `Ext`.",
    why: "OpenCanopy puts `Ext` in front of icon names for external drives itself; such a name collides with those.",
}
rule! {
    code: G021,
    name: "duplicate-custom-entry",
    severity: Info,
    fix: None,
    summary: "Two enabled Misc/Entries entries have the same Path and Arguments.",
    why: "The picker shows the same boot target twice.",
}
rule! {
    code: G037,
    name: "tool-path-too-long",
    severity: Error,
    fix: None,
    summary: "An enabled Misc/Tools entry's path is longer than OpenCore's path buffer.",
    why: "OpenCore opens `Tools\\<Path>` in a fixed buffer; a longer path cannot be opened, so the tool does not start.",
}
rule! {
    code: G038,
    name: "tool-flavour-empty",
    severity: Info,
    fix: Sometimes(Safe),
    summary: "An enabled Misc/Tools entry has an empty Flavour.",
    why: "The flavour picks the tool's icon and voice-over; `Auto` is the value that means \"none in particular\".",
}
rule! {
    code: G039,
    name: "tool-flavour-too-long",
    severity: Info,
    fix: None,
    summary: "An enabled Misc/Tools entry has a Flavour longer than 63 bytes.",
    why: "OpenCore reads flavours into a 64-byte buffer; a longer one is not used as written.",
}
rule! {
    code: G040,
    name: "tool-flavour-empty-name",
    severity: Info,
    fix: None,
    summary: "An enabled Misc/Tools entry's Flavour has an empty name between colons.",
    why: "Each `:`-separated name is a fallback icon name; an empty one can never match a file.",
}
rule! {
    code: G041,
    name: "tool-flavour-ext-prefix",
    severity: Info,
    fix: None,
    summary: "An enabled Misc/Tools entry's Flavour has a name starting with `Ext`.",
    why: "OpenCanopy puts `Ext` in front of icon names for external drives itself; such a name collides with those.",
}
rule! {
    code: G042,
    name: "duplicate-tool",
    severity: Info,
    fix: None,
    summary: "Two enabled Misc/Tools entries have the same Path, Arguments and FullNvramAccess.",
    why: "The picker shows the same tool twice.",
}

/// OpenCore's flavour buffer, with the NUL.
const FLAVOUR_SIZE: usize = 64;

/// One thing OpenCore's validator finds wrong with a Flavour.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum FlavourProblem {
    /// Empty (use `Auto`).
    Empty,
    /// 64 bytes or more.
    TooLong,
    /// A `:`-separated name is empty.
    EmptyName,
    /// A name starts with `Ext` (any case).
    ExtName,
}

/// What is wrong with `flavour`, in the validator's order: an empty or too
/// long value is checked for nothing else.
pub(super) fn flavour_problems(flavour: &str) -> Vec<FlavourProblem> {
    if flavour.is_empty() {
        return vec![FlavourProblem::Empty];
    }
    if flavour.len() + 1 > FLAVOUR_SIZE {
        return vec![FlavourProblem::TooLong];
    }
    let mut out = Vec::new();
    let names = || flavour.split(':');
    if names().any(str::is_empty) {
        out.push(FlavourProblem::EmptyName);
    }
    if names().any(ext_name) {
        out.push(FlavourProblem::ExtName);
    }
    out
}

fn ext_name(name: &str) -> bool {
    name.len() >= 3 && name.as_bytes()[..3].eq_ignore_ascii_case(b"Ext")
}

/// The enabled entries of `Misc/<list>`, when the target release has
/// Flavour (`key`) in them.
fn enabled<'a>(cx: &Context<'a>, list: &str, key: &str) -> Vec<Item<'a>> {
    let Some(misc) = section(cx, "Misc", &format!("{list}/[]/{key}")) else {
        return Vec::new();
    };
    let Some(items) = misc.get(list) else {
        return Vec::new();
    };
    items
        .entries()
        .map(|(_, e)| e)
        .filter(Item::enabled)
        .collect()
}

/// Report `rule` on every enabled entry of `Misc/<list>` whose Flavour has
/// `problem`.
fn check_flavour(cx: &mut Context, list: &str, problem: FlavourProblem, rule: &'static RuleMeta) {
    for entry in enabled(cx, list, "Flavour") {
        let Some(item) = entry.get("Flavour") else {
            continue;
        };
        let Some(flavour) = item.str() else { continue };
        if !flavour_problems(flavour).contains(&problem) {
            continue;
        }
        let at = item.located();
        let message = match problem {
            FlavourProblem::Empty => format!(
                "`{}` is empty; OpenCore's value for no particular flavour is `Auto`",
                at.path
            ),
            FlavourProblem::TooLong => format!(
                "`{}` is {} bytes; OpenCore's flavour buffer holds {} and the NUL",
                at.path,
                flavour.len(),
                FLAVOUR_SIZE - 1
            ),
            FlavourProblem::EmptyName => format!(
                "`{}` is `{flavour}`: a name between the colons is empty and can never match an icon",
                at.path
            ),
            FlavourProblem::ExtName => {
                let names: Vec<&str> = flavour.split(':').filter(|n| ext_name(n)).collect();
                format!(
                    "`{}` is `{flavour}`: `{}` starts with `Ext`, the prefix OpenCanopy adds itself for external drives",
                    at.path,
                    names.join("`, `")
                )
            }
        };
        let fix = (problem == FlavourProblem::Empty).then(|| {
            Fix::safe(
                "set Flavour to Auto",
                vec![patch::set_string(cx.text(), item.node, "Auto")],
            )
        });
        let d = cx.report(rule, &at, message);
        d.fix = fix;
    }
}

/// Report `rule` on every enabled entry of `Misc/<list>` that repeats an
/// earlier one in the fields `keys` (and, for tools, `FullNvramAccess`).
fn check_repeats(cx: &mut Context, list: &str, with_nvram: bool, rule: &'static RuleMeta) {
    let entries = enabled(cx, list, "Path");
    let key = |e: &Item| {
        Some((
            e.str_of("Path").to_owned(),
            e.str_of("Arguments").to_owned(),
            with_nvram && e.bool_of("FullNvramAccess"),
        ))
    };
    for (later, first) in repeats(&entries, key) {
        let (a, b) = (&entries[later], &entries[first]);
        let args = a.str_of("Arguments");
        let what = if args.is_empty() {
            String::new()
        } else {
            format!(" with Arguments `{args}`")
        };
        let d = cx.report(
            rule,
            &a.located(),
            format!(
                "`{}` repeats `{}`: both have Path `{}`{what}, so the picker lists it twice",
                a.path,
                b.path,
                a.str_of("Path")
            ),
        );
        d.secondary
            .push((b.node.span.clone(), "first entry with these values".into()));
        d.help = Some("remove one of the entries, or set its Enabled to false".into());
    }
}

/// G017.
pub fn g017(cx: &mut Context) {
    check_flavour(cx, "Entries", FlavourProblem::Empty, &G017);
}

/// G018.
pub fn g018(cx: &mut Context) {
    check_flavour(cx, "Entries", FlavourProblem::TooLong, &G018);
}

/// G019.
pub fn g019(cx: &mut Context) {
    check_flavour(cx, "Entries", FlavourProblem::EmptyName, &G019);
}

/// G020.
pub fn g020(cx: &mut Context) {
    check_flavour(cx, "Entries", FlavourProblem::ExtName, &G020);
}

/// G021.
pub fn g021(cx: &mut Context) {
    check_repeats(cx, "Entries", false, &G021);
}

/// G037.
pub fn g037(cx: &mut Context) {
    // With the EFI folder, F002 measures the same path (enabled entries).
    if cx.efi_dir.is_some() && cx.options.enabled("F002") {
        return;
    }
    let limit = path_limit(cx);
    for entry in enabled(cx, "Tools", "Path") {
        let Some(item) = entry.get("Path") else {
            continue;
        };
        let path = item.str().unwrap_or("");
        // `Tools\` + Path + NUL.
        let n = "Tools\\".len() + path.len() + 1;
        if n > limit {
            cx.report(
                &G037,
                &item.located(),
                format!(
                    "`{}`: `Tools\\` + Path + NUL is {n} bytes, over OpenCore's {limit}-byte path buffer; the tool cannot be opened",
                    item.path
                ),
            );
        }
    }
}

/// G038.
pub fn g038(cx: &mut Context) {
    check_flavour(cx, "Tools", FlavourProblem::Empty, &G038);
}

/// G039.
pub fn g039(cx: &mut Context) {
    check_flavour(cx, "Tools", FlavourProblem::TooLong, &G039);
}

/// G040.
pub fn g040(cx: &mut Context) {
    check_flavour(cx, "Tools", FlavourProblem::EmptyName, &G040);
}

/// G041.
pub fn g041(cx: &mut Context) {
    check_flavour(cx, "Tools", FlavourProblem::ExtName, &G041);
}

/// G042.
pub fn g042(cx: &mut Context) {
    check_repeats(cx, "Tools", true, &G042);
}
