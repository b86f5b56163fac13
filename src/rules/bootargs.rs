//! S0xx: `slide=` and the boot arguments that carry it.

use super::{Context, Severity};
use crate::model::{APPLE_BOOT_GUID, ArgString, ConfigKind};
use crate::patch::Applicability::{Safe, Unsafe};
use crate::patch::{self, ArgText, Fix, NewValue, Place, Reading, Token};

rule! {
    code: S001,
    name: "slide-boot-arg-present",
    severity: Warning,
    fix: Always(Safe),
    summary: "boot-args hold a `slide=` argument.",
    why: "A fixed slide switches off ProvideCustomSlide's memory analysis and pins KASLR to one value that may not fit.",
}
rule! {
    code: S002,
    name: "slide-value-invalid",
    severity: Error,
    fix: Always(Safe),
    summary: "A `slide=` value is not a decimal integer from 0 to 255.",
    why: "boot.efi reads the value as decimal and has only 256 slides; values from forum arithmetic cannot work.",
}
rule! {
    code: S003,
    name: "slide-zero",
    severity: Warning,
    fix: Always(Unsafe),
    summary: "`slide=0` switches KASLR off.",
    why: "Slide 0 is the lowest address, which firmware often occupies, and it disables kernel address randomisation.",
}
rule! {
    code: S004,
    name: "slide-duplicated",
    severity: Error,
    fix: Always(Safe),
    summary: "boot-args hold more than one `slide=`.",
    why: "Only one of them takes effect, and which one is easy to get wrong.",
}
rule! {
    code: S005,
    name: "boot-args-not-deleted",
    severity: Warning,
    fix: Always(Safe),
    summary: "boot-args are set but NVRAM/Delete does not list `boot-args`.",
    why: "boot-args already stored in the machine's NVRAM (an old `slide=` included) then win over the config.",
}
rule! {
    code: S006,
    name: "slide-in-entry-arguments",
    severity: Warning,
    fix: Always(Safe),
    summary: "A boot entry's or tool's Arguments hold `slide=`.",
    why: "The entry then boots with a fixed slide that skips ProvideCustomSlide's analysis.",
}
rule! {
    code: S007,
    name: "boot-args-not-ascii",
    severity: Error,
    fix: None,
    summary: "boot-args contain characters outside printable ASCII.",
    why: "boot.efi expects plain ASCII; other bytes (smart quotes, non-breaking spaces) break argument parsing.",
}
rule! {
    code: S008,
    name: "safe-mode-without-slide",
    severity: Info,
    fix: None,
    summary: "`-x` (safe mode) is in boot-args while EnableSafeModeSlide is off.",
    why: "Safe mode forces slide 0 unless EnableSafeModeSlide is on, and slide 0 is often unusable.",
}

/// The tokens of an argument string as the loader reads it (references
/// decoded, CDATA unwrapped, comments dropped), with where each is written.
pub(super) struct Args {
    pub(super) at: ArgString,
    pub(super) text: ArgText,
    /// A `<string>` that fixes may edit (not `<data>`, nor markup OpenCore
    /// reads as empty or refuses).
    editable: bool,
    /// A `<string>` found in the tree (not `<data>`).
    pub(super) node_found: bool,
    /// Read as OpenCore does (no reference decoded).
    literal: bool,
    /// How OpenCore reads the element.
    pub(super) reading: Reading,
    /// The indices of the `slide=` tokens, found once.
    slides: Vec<usize>,
    /// The main boot arguments (where S004 removes duplicated `slide=`).
    main: bool,
}

impl Args {
    fn tokens(&self) -> &[Token] {
        &self.text.tokens
    }
}

fn args_of(cx: &Context, a: &ArgString) -> Args {
    let node = (!a.is_data)
        .then(|| patch::node_by_span(&cx.doc.root, &a.at.span))
        .flatten();
    let editable = node.is_some();
    // OpenCore decodes no reference and reads markup its own way; Clover's
    // reading is the loader's.
    let literal = cx.config.kind == ConfigKind::OpenCore;
    let (text, reading) = match node {
        Some(n) if literal => ArgText::literal(cx.text(), n),
        Some(n) => (ArgText::of(cx.text(), n, &a.value), Reading::Literal),
        None => (
            ArgText::detached(&a.value, a.at.span.clone()),
            Reading::Literal,
        ),
    };
    let slides = (0..text.tokens.len())
        .filter(|&i| is_slide(&text.tokens[i]))
        .collect();
    Args {
        at: a.clone(),
        text,
        editable: editable && reading == Reading::Literal,
        node_found: editable,
        literal,
        reading,
        slides,
        main: false,
    }
}

/// The arguments of every `<string>` S009 reads: boot-args, then entries.
pub(super) fn all_args(cx: &Context) -> Vec<Args> {
    cx.config
        .boot_args
        .iter()
        .chain(&cx.config.entry_args)
        .map(|a| args_of(cx, a))
        .filter(|a| a.node_found)
        .collect()
}

fn boot_args(cx: &Context) -> Option<Args> {
    cx.config.boot_args.as_ref().map(|a| Args {
        main: true,
        ..args_of(cx, a)
    })
}

fn is_slide(t: &Token) -> bool {
    t.text.starts_with("slide=")
}

/// The parsed value of a `slide=` token: Ok(n) for 0..=255.
fn slide_value(t: &Token) -> Option<Result<u8, &str>> {
    let v = t.text.strip_prefix("slide=")?;
    Some(match v.parse::<u8>() {
        Ok(n) if v.bytes().all(|b| b.is_ascii_digit()) => Ok(n),
        _ => Err(v),
    })
}

/// A fix removing the tokens at `which` (ascending; None when the value is
/// `<data>`).
fn removal(
    a: &Args,
    which: &[usize],
    applicability: crate::patch::Applicability,
    summary: String,
) -> Option<Fix> {
    if !a.editable {
        return None;
    }
    // With several `slide=` in boot-args, S004's fix removes them all; a
    // one-token fix would race it and leave the others behind.
    if a.main && which.len() == 1 && a.slides.len() > 1 {
        return None;
    }
    if !a.literal {
        return Some(Fix::new(applicability, summary, a.text.remove(which)));
    }
    let (edits, kept) = a.text.remove_keeping_glued(which);
    if kept.is_empty() {
        return Some(Fix::new(applicability, summary, edits));
    }
    let kept: Vec<String> = kept.iter().map(|k| format!("`{k}`")).collect();
    let summary = format!(
        "{summary}, keeping {} (unsafe: glued to it by a character reference that OpenCore passes on literally, it becomes an argument of its own)",
        kept.join(", ")
    );
    Some(Fix::new(Unsafe, summary, edits))
}

/// Help for a one-token finding whose fix S004 takes over.
fn duplicate_help(a: &Args, fix: &Option<Fix>) -> Option<String> {
    (fix.is_none() && a.main && a.slides.len() > 1)
        .then(|| "several `slide=` are present: S004's fix removes them all".to_owned())
}

fn token_span(a: &Args, i: usize) -> crate::source::Span {
    a.tokens()[i].range.clone()
}

fn args_name(cx: &Context) -> &'static str {
    if cx.config.kind == ConfigKind::OpenCore {
        "boot-args"
    } else {
        "Boot/Arguments"
    }
}

/// What would choose the slide once a `slide=` is gone.
enum Engine {
    /// ProvideCustomSlide's analysis, run by the named code.
    Analysis(&'static str),
    /// Nothing: ProvideCustomSlide is off (the condition, for the fix summary).
    Off(&'static str),
    /// Nothing: a Clover config without OpenCore's quirks.
    NoQuirks(&'static str),
}

fn engine(cx: &Context) -> Engine {
    let clover = cx.config.kind == ConfigKind::Clover;
    if clover && cx.config.quirks.dict.is_none() {
        return Engine::NoQuirks(
            "nothing analyses the memory map in its place in a Clover config without a Quirks dict; test the boot first",
        );
    }
    if cx.quirk("ProvideCustomSlide") != Some(true) {
        return Engine::Off("no slide analysis takes its place until ProvideCustomSlide is on");
    }
    Engine::Analysis(if clover {
        "the OpenCore code inside Clover (r5120 and later)"
    } else {
        "OpenCore"
    })
}

/// S001.
pub fn s001(cx: &mut Context) {
    let Some(a) = boot_args(cx) else { return };
    let ev = cx.evidence;
    if ev.is_some_and(|e| e.none_usable()) {
        return;
    }
    let arb =
        cx.quirk("AllowRelocationBlock") == Some(true) && cx.config.kind == ConfigKind::OpenCore;
    let slide_engine = engine(cx);
    let aptiofix_drv = super::clover::aptiofix_drv(cx);
    for &i in &a.slides {
        let tok = a.tokens()[i].text.clone();
        let n = slide_value(&a.tokens()[i]).and_then(Result::ok);
        let mut severity = Severity::Warning;
        let mut notes = Vec::new();
        if let (Some(e), Some(n)) = (ev, n)
            && let Some(valid) = &e.valid_slides
        {
            if valid.contains(&n) {
                notes.push(format!("slide {n} is usable in {}, but ProvideCustomSlide could choose among {} slides", e.source, valid.len()));
            } else {
                severity = Severity::Error;
                notes.push(format!("slide {n} is not usable according to {}", e.source));
            }
        }
        if arb {
            notes.push(
                "AllowRelocationBlock is on, so OpenCore still analyses the memory map".into(),
            );
        }
        if let Some(drv) = aptiofix_drv {
            notes.push(format!("with {drv} as the memory fix, Clover adds `slide=0` by itself when no `slide=` is present: removing this one switches KASLR off"));
        }
        // Removing `slide=0` can make an unbootable machine worse (see S003),
        // and removing any slide is safe only where ProvideCustomSlide's
        // analysis takes its place: otherwise the fix is unsafe and says why.
        let (applicability, cond) = match (n, &slide_engine) {
            (Some(0), _) => (Unsafe, String::new()),
            (_, Engine::Analysis(_)) => (Safe, String::new()),
            (_, Engine::Off(why) | Engine::NoQuirks(why)) => (Unsafe, format!(" (unsafe: {why})")),
        };
        let fix = removal(
            &a,
            &[i],
            applicability,
            format!("remove `{tok}` from {}{cond}", args_name(cx)),
        );
        let message = match &slide_engine {
            Engine::Analysis(code) => format!(
                "`{tok}` pins the kernel slide and makes {code} skip ProvideCustomSlide's memory analysis"
            ),
            Engine::Off(_) => format!(
                "`{tok}` pins the kernel slide; ProvideCustomSlide is off, so no memory analysis would choose a slide in its place"
            ),
            Engine::NoQuirks(_) => format!(
                "`{tok}` pins the kernel slide; this Clover config has no Quirks dict, so no OpenCore quirk analyses the memory map (Clover before r5120 has no OpenCore code: its memory fix is an OsxAptioFix or AptioMemoryFix driver)"
            ),
        };
        let path = a.at.at.path.clone();
        let d = cx.report_span(&S001, path, token_span(&a, i), message);
        d.severity = severity;
        d.notes = notes;
        d.fix = fix;
        d.help = d.help.take().or_else(|| duplicate_help(&a, &d.fix));
    }
}

/// S002.
pub fn s002(cx: &mut Context) {
    let Some(a) = boot_args(cx) else { return };
    for &i in &a.slides {
        if let Some(Err(v)) = slide_value(&a.tokens()[i]) {
            let v = v.to_owned();
            let fix = removal(&a, &[i], Safe, format!("remove `slide={v}`"));
            let d = cx.report_span(
                &S002,
                a.at.at.path.clone(),
                token_span(&a, i),
                format!(
                    "`slide={v}` is not a slide: boot.efi takes a decimal number from 0 to 255"
                ),
            );
            d.fix = fix;
            d.help = d.help.take().or_else(|| duplicate_help(&a, &d.fix));
        }
    }
}

/// S003.
pub fn s003(cx: &mut Context) {
    let Some(a) = boot_args(cx) else { return };
    for &i in &a.slides {
        if slide_value(&a.tokens()[i]) == Some(Ok(0)) {
            let fix = removal(&a, &[i], Unsafe, "remove `slide=0`".into());
            let d = cx.report_span(
                &S003,
                a.at.at.path.clone(),
                token_span(&a, i),
                "`slide=0` turns kernel address randomisation off",
            );
            d.fix = fix;
            d.help = d.help.take().or_else(|| duplicate_help(&a, &d.fix));
            d.notes.push(
                "remove it only once ProvideCustomSlide finds usable slides on this machine".into(),
            );
        }
    }
}

/// S004.
pub fn s004(cx: &mut Context) {
    let Some(a) = boot_args(cx) else { return };
    let idx = &a.slides;
    if idx.len() < 2 {
        return;
    }
    let fix = removal(
        &a,
        idx,
        Safe,
        format!("remove all {} `slide=` arguments", idx.len()),
    );
    let secondary = idx[1..]
        .iter()
        .map(|&i| (token_span(&a, i), "also here".to_owned()))
        .collect();
    let d = cx.report_span(
        &S004,
        a.at.at.path.clone(),
        token_span(&a, idx[0]),
        format!("{} `slide=` arguments in {}", idx.len(), args_name(cx)),
    );
    d.secondary = secondary;
    d.fix = fix;
}

/// Whether a `NVRAM/<name>/<Apple GUID>` list names `boot-args`.
fn lists_boot_args(list: &Option<(crate::model::Located, Vec<String>)>) -> bool {
    list.as_ref()
        .is_some_and(|(_, names)| names.iter().any(|n| n == "boot-args"))
}

/// S005.
pub fn s005(cx: &mut Context) {
    if cx.config.kind == ConfigKind::Clover {
        return super::clover::s005_clover(cx);
    }
    if cx.config.kind != ConfigKind::OpenCore {
        return;
    }
    let Some(a) = cx.config.boot_args.clone() else {
        return;
    };
    let nv = &cx.config.nvram;
    // OpenCore up to 0.5.8 reads the list as NVRAM/Block, later ones as
    // NVRAM/Delete: check and write the release's own name.
    // An inferred old release counts only when the config has Block and no
    // Delete (see `Context::release_at_most`).
    let says_block = nv.block.is_some() && nv.delete.is_none();
    let (name, other, dict, list, other_list) = if cx.release_at_most(BLOCK_LAST, says_block) {
        (
            "Block",
            "Delete",
            &nv.block,
            &nv.block_apple,
            &nv.delete_apple,
        )
    } else {
        (
            "Delete",
            "Block",
            &nv.delete,
            &nv.delete_apple,
            &nv.block_apple,
        )
    };
    if lists_boot_args(list) {
        return;
    }
    let release = cx
        .oc_version
        .map_or("the newest release", |r| r.target_tag());
    if lists_boot_args(other_list) {
        // Listed under the other release's name: moving the key (the schema
        // rules' fix, or `fix --upgrade-to`) is the repair; a second list
        // here would only fight that move.
        let d = cx.report(&S005, &a.at,
            format!("boot-args are listed under NVRAM/{other}, which OpenCore {release} does not read (its name is NVRAM/{name}), so values already in NVRAM win"));
        d.help = Some(format!(
            "rename NVRAM/{other} to NVRAM/{name}, or give the release you run with --oc-version"
        ));
        return;
    }
    let text = cx.text();
    let style = &cx.style;
    let root = &cx.doc.root;
    let edit = if let Some((at, _)) = list {
        patch::node_by_span(root, &at.span)
            .map(|n| patch::append_item(text, n, &NewValue::Str("boot-args".into()), style))
    } else if let Some(at) = dict {
        let v = NewValue::Array(vec![NewValue::Str("boot-args".into())]);
        patch::node_by_span(root, &at.span)
            .map(|n| patch::insert_entry(text, n, APPLE_BOOT_GUID, &v, Place::Sorted, style))
    } else if let Some(at) = &nv.dict {
        let v = NewValue::Dict(vec![(
            APPLE_BOOT_GUID.into(),
            NewValue::Array(vec![NewValue::Str("boot-args".into())]),
        )]);
        patch::node_by_span(root, &at.span)
            .map(|n| patch::insert_entry(text, n, name, &v, Place::Sorted, style))
    } else {
        None
    };
    let fix = edit.map(|e| {
        Fix::safe(
            format!("add `boot-args` to NVRAM/{name}/{APPLE_BOOT_GUID}"),
            vec![e],
        )
    });
    let d = cx.report(&S005, &a.at,
        format!("boot-args are set but NVRAM/{name}/{APPLE_BOOT_GUID} does not list `boot-args`, so values already in NVRAM win"));
    d.fix = fix;
}

/// The last OpenCore release that calls NVRAM/Delete `NVRAM/Block`.
const BLOCK_LAST: &str = "0.5.8";

/// S006.
pub fn s006(cx: &mut Context) {
    let entries: Vec<Args> = cx
        .config
        .entry_args
        .iter()
        .map(|e| args_of(cx, e))
        .collect();
    for a in entries {
        for &i in &a.slides {
            let tok = a.tokens()[i].text.clone();
            // Several in one entry: the first finding's fix removes them all
            // (one-token fixes on one string would overlap one another).
            let (fix, help) = match a.slides.len() {
                1 => (removal(&a, &[i], Safe, format!("remove `{tok}`")), None),
                n if i == a.slides[0] => (
                    removal(
                        &a,
                        &a.slides,
                        Safe,
                        format!("remove all {n} `slide=` arguments"),
                    ),
                    None,
                ),
                _ => (
                    None,
                    Some(
                        "the first `slide=` finding of these Arguments removes them all".to_owned(),
                    ),
                ),
            };
            let path = &a.at.at.path;
            let how = if path.ends_with("/AddArguments") {
                " (Clover appends AddArguments to Boot/Arguments)"
            } else if path.starts_with("GUI/") {
                " (Clover uses these Arguments instead of Boot/Arguments)"
            } else {
                ""
            };
            let d = cx.report_span(
                &S006,
                path.clone(),
                token_span(&a, i),
                format!("`{tok}` in an entry's arguments pins the slide for that entry{how}"),
            );
            d.fix = fix;
            d.help = d.help.take().or(help);
        }
    }
}

/// S007.
pub fn s007(cx: &mut Context) {
    let Some(a) = cx.config.boot_args.clone() else {
        return;
    };
    // OpenCore passes references on as written (S009 reports them).
    let value = boot_args(cx)
        .filter(|b| b.literal && b.editable)
        .map_or(a.value.clone(), |b| b.text.value);
    let bad: Vec<char> = value.chars().filter(|c| !(' '..='~').contains(c)).collect();
    if bad.is_empty() {
        return;
    }
    let shown: Vec<String> = bad
        .iter()
        .take(3)
        .map(|c| format!("U+{:04X}", *c as u32))
        .collect();
    let name = args_name(cx);
    let d = cx.report(
        &S007,
        &a.at,
        format!(
            "{name} contain {} non-ASCII or control character(s): {}",
            bad.len(),
            shown.join(", ")
        ),
    );
    d.help = Some("retype the arguments with plain ASCII quotes, dashes and spaces".into());
}

/// S008.
pub fn s008(cx: &mut Context) {
    let Some(a) = boot_args(cx) else { return };
    if cx.quirk("EnableSafeModeSlide") != Some(false) {
        return;
    }
    if let Some(i) = a.tokens().iter().position(|t| t.text == "-x") {
        let key = crate::plist::join_path(&cx.config.quirks.path, "EnableSafeModeSlide");
        let d = cx.report_span(
            &S008,
            a.at.at.path.clone(),
            token_span(&a, i),
            "`-x` boots safe mode, which forces slide 0 while EnableSafeModeSlide is false",
        );
        d.help = Some(format!("turn on {key}"));
    }
}

#[cfg(test)]
#[path = "bootargs_tests.rs"]
mod tests;
