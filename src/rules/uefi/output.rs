//! UEFI/Output and UEFI/Quirks/ResizeGpuBars: UEFI-32 to UEFI-45.

use super::super::view::Item;
use super::super::{Context, RuleMeta, Severity};
use super::{check_enum, int_or, section, set_flag, str_or};
use crate::patch::{self, Applicability, Fix};

rule! {
    code: U029,
    name: "initial-mode-unknown",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "Output/InitialMode is not Auto, Text or Graphics.",
    why: "OpenCore falls back to Auto, keeping whatever console mode the firmware left.",
}
rule! {
    code: U030,
    name: "text-renderer-unknown",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "Output/TextRenderer is not one of the five renderers OpenCore has.",
    why: "OpenCore falls back to BuiltinGraphics, which may not be the renderer the config meant.",
}
rule! {
    code: U031,
    name: "console-font-with-system-renderer",
    severity: Info,
    fix: Always(Safe),
    summary: "Output/ConsoleFont is set while TextRenderer is a System one.",
    why: "Only OpenCore's builtin renderer draws with a console font; a System renderer ignores it.",
}
rule! {
    code: U032,
    name: "clear-screen-on-mode-switch-with-builtin-renderer",
    severity: Info,
    fix: Always(Safe),
    summary: "Output/ClearScreenOnModeSwitch is on while TextRenderer is a Builtin one.",
    why: "The option only changes the firmware's (System) renderer; the builtin one ignores it.",
}
rule! {
    code: U033,
    name: "ignore-text-in-graphics-with-builtin-renderer",
    severity: Info,
    fix: Always(Safe),
    summary: "Output/IgnoreTextInGraphics is on while TextRenderer is a Builtin one.",
    why: "The option only changes the firmware's (System) renderer; the builtin one ignores it.",
}
rule! {
    code: U034,
    name: "replace-tab-with-space-with-builtin-renderer",
    severity: Info,
    fix: Always(Safe),
    summary: "Output/ReplaceTabWithSpace is on while TextRenderer is a Builtin one.",
    why: "The option only changes the firmware's (System) renderer; the builtin one ignores it.",
}
rule! {
    code: U035,
    name: "sanitise-clear-screen-with-builtin-renderer",
    severity: Info,
    fix: Always(Safe),
    summary: "Output/SanitiseClearScreen is on while TextRenderer is a Builtin one.",
    why: "The option only changes the firmware's (System) renderer; the builtin one ignores it.",
}
rule! {
    code: U036,
    name: "gop-pass-through-unknown",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "Output/GopPassThrough is not Enabled, Disabled or Apple.",
    why: "OpenCore treats any other value as Disabled and provides no GOP on top of UGA or Apple's protocol.",
}
rule! {
    code: U037,
    name: "console-mode-unreadable",
    severity: Warning,
    fix: None,
    summary: "Output/ConsoleMode is neither empty, `Max` nor `WxH`.",
    why: "OpenCore cannot read it and leaves the console mode unchanged.",
}
rule! {
    code: U038,
    name: "console-mode-below-80x25",
    severity: Warning,
    fix: None,
    summary: "Output/ConsoleMode asks for fewer than 80 columns or 25 rows.",
    why: "80x25 is the smallest text mode UEFI consoles support; a smaller one is not set or cuts text off.",
}
rule! {
    code: U039,
    name: "resolution-unreadable",
    severity: Warning,
    fix: None,
    summary: "Output/Resolution is neither empty, `Max`, `WxH` nor `WxH@Bpp`.",
    why: "OpenCore cannot read it and leaves the screen resolution unchanged.",
}
rule! {
    code: U040,
    name: "ui-scale-out-of-range",
    severity: Warning,
    fix: None,
    summary: "Output/UIScale is outside -1 to 2.",
    why: "OpenCore only sets UIScale for 0 (automatic), 1 and 2; any other value is ignored.",
}
rule! {
    code: U041,
    name: "ui-scale-set-twice",
    severity: Warning,
    fix: None,
    summary: "UIScale is set both in NVRAM/Add and in Output/UIScale.",
    why: "Both write the same variable at boot, NVRAM/Add first and Output later: one setting silently loses.",
}
rule! {
    code: U042,
    name: "resize-gpu-bars-out-of-range",
    severity: Warning,
    fix: None,
    summary: "Quirks/ResizeGpuBars is outside -1 to 19.",
    why: "OpenCore only resizes for 0 (1 MB) to 19 (512 GB); any other value leaves the BARs alone.",
}

const INITIAL_MODES: &[&str] = &["Auto", "Text", "Graphics"];
const RENDERERS: &[&str] = &[
    "BuiltinGraphics",
    "BuiltinText",
    "SystemGraphics",
    "SystemText",
    "SystemGeneric",
];
const GOP_PASS_THROUGH: &[&str] = &["Enabled", "Disabled", "Apple"];

/// U029 (UEFI-32).
pub fn u029(cx: &mut Context) {
    let Some(out) = section(cx, "Output", "0.9.2") else {
        return;
    };
    enum_or_empty(cx, &U029, &out, "InitialMode", INITIAL_MODES, "Auto");
}

/// An enumeration OpenCore reads as `default` when it is empty or unknown;
/// its validator rejects both, but only the unknown value changes anything.
fn enum_or_empty(
    cx: &mut Context,
    rule: &'static RuleMeta,
    out: &Item,
    key: &str,
    allowed: &[&str],
    default: &str,
) {
    match out.get(key) {
        Some(v) if v.str() == Some("") => {
            let fix = Fix::safe(
                format!("write `{default}`, which is how OpenCore reads the empty value"),
                vec![patch::set_string(cx.text(), v.node, default)],
            );
            let d = cx.report(
                rule,
                &v.located(),
                format!(
                    "{} is empty, which OpenCore reads as `{default}`; its validator rejects the empty value",
                    v.path
                ),
            );
            d.severity = Severity::Info;
            d.fix = Some(fix);
        }
        _ => check_enum(cx, rule, out, key, allowed, &format!("it uses `{default}`")),
    }
}

/// U030 (UEFI-33).
pub fn u030(cx: &mut Context) {
    let Some(out) = section(cx, "Output", "0.5.0") else {
        return;
    };
    enum_or_empty(
        cx,
        &U030,
        &out,
        "TextRenderer",
        RENDERERS,
        "BuiltinGraphics",
    );
}

/// The renderer OpenCore's validator sees: `Some(true)` for a System one,
/// `Some(false)` for Builtin ones and unknown values (OpenCore draws with
/// BuiltinGraphics then).
fn system_renderer(out: &Item) -> bool {
    let r = str_or(out, "TextRenderer", "");
    RENDERERS.contains(&r) && r.starts_with("System")
}

/// U031 (UEFI-34).
pub fn u031(cx: &mut Context) {
    let Some(out) = section(cx, "Output", "0.9.3") else {
        return;
    };
    if !system_renderer(&out) {
        return;
    }
    let Some(font) = out.get("ConsoleFont") else {
        return;
    };
    if font.str().is_none_or(str::is_empty) {
        return;
    }
    let fix = Fix::safe(
        "clear ConsoleFont (the System renderer ignores it)",
        vec![patch::set_string(cx.text(), font.node, "")],
    );
    let d = cx.report(
        &U031,
        &font.located(),
        format!(
            "Output/ConsoleFont is set, but TextRenderer `{}` is a System renderer, which ignores it",
            str_or(&out, "TextRenderer", "")
        ),
    );
    d.fix = Some(fix);
}

/// Report `key` on while the renderer is a Builtin one.
fn builtin_only(cx: &mut Context, rule: &'static RuleMeta, key: &str) {
    let Some(out) = section(cx, "Output", "0.5.0") else {
        return;
    };
    if system_renderer(&out) || !out.bool_of(key) {
        return;
    }
    let renderer = str_or(&out, "TextRenderer", "");
    let fix = set_flag(
        &out,
        key,
        false,
        Applicability::Safe,
        format!("turn {key} off (the builtin renderer ignores it)"),
    );
    let d = cx.report(
        rule,
        &out.located_of(key),
        format!(
            "Output/{key} is on, but TextRenderer `{renderer}` draws with OpenCore's builtin renderer, which ignores it"
        ),
    );
    d.fix = fix;
}

/// U032 (UEFI-35).
pub fn u032(cx: &mut Context) {
    builtin_only(cx, &U032, "ClearScreenOnModeSwitch");
}

/// U033 (UEFI-36).
pub fn u033(cx: &mut Context) {
    builtin_only(cx, &U033, "IgnoreTextInGraphics");
}

/// U034 (UEFI-37).
pub fn u034(cx: &mut Context) {
    builtin_only(cx, &U034, "ReplaceTabWithSpace");
}

/// U035 (UEFI-38).
pub fn u035(cx: &mut Context) {
    builtin_only(cx, &U035, "SanitiseClearScreen");
}

/// U036 (UEFI-39).
pub fn u036(cx: &mut Context) {
    let Some(out) = section(cx, "Output", "0.7.0") else {
        return;
    };
    check_enum(
        cx,
        &U036,
        &out,
        "GopPassThrough",
        GOP_PASS_THROUGH,
        "it provides no pass-through, as with `Disabled`",
    );
}

/// What OpenCore reads from a resolution or console mode string.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Mode {
    /// `Max`.
    Max,
    /// Width and height (0 and 0 when unreadable), and bits per pixel.
    Size(u32, u32, u32),
}

/// Read `s` as OpenCore does: `Max`, or `WxH` with an `@Bpp` tail when
/// `bpp` is allowed; digits that overflow 32 bits or anything else leave
/// width and height 0. A broken `@Bpp` tail keeps width and height.
pub(super) fn parse_mode(s: &str, bpp: bool) -> Mode {
    if s == "Max" {
        return Mode::Max;
    }
    let b = s.as_bytes();
    let mut i = 0;
    let number = |i: &mut usize| -> Option<u32> {
        let start = *i;
        let mut v: u32 = 0;
        while *i < b.len() && b[*i].is_ascii_digit() {
            v = v.checked_mul(10)?.checked_add(u32::from(b[*i] - b'0'))?;
            *i += 1;
        }
        (*i > start).then_some(v)
    };
    let none = Mode::Size(0, 0, 0);
    let Some(w) = number(&mut i) else { return none };
    if b.get(i) != Some(&b'x') {
        return none;
    }
    i += 1;
    let Some(h) = number(&mut i) else { return none };
    match b.get(i) {
        None => Mode::Size(w, h, 0),
        Some(b'@') if bpp => {
            i += 1;
            match number(&mut i) {
                Some(d) if i == b.len() => Mode::Size(w, h, d),
                _ => Mode::Size(w, h, 0),
            }
        }
        _ => none,
    }
}

/// U037 (UEFI-40).
pub fn u037(cx: &mut Context) {
    mode_unreadable(cx, &U037, "ConsoleMode", false, "0.5.0");
}

/// U039 (UEFI-42).
pub fn u039(cx: &mut Context) {
    mode_unreadable(cx, &U039, "Resolution", true, "0.5.0");
}

fn mode_unreadable(cx: &mut Context, rule: &'static RuleMeta, key: &str, bpp: bool, since: &str) {
    let Some(out) = section(cx, "Output", since) else {
        return;
    };
    let Some(value) = out.get(key) else { return };
    let Some(s) = value.str() else { return };
    if s.is_empty() {
        return;
    }
    let Mode::Size(w, h, _) = parse_mode(s, bpp) else {
        return;
    };
    if w != 0 && h != 0 {
        return;
    }
    let form = if bpp { "`WxH` or `WxH@Bpp`" } else { "`WxH`" };
    let d = cx.report(
        rule,
        &value.located(),
        format!(
            "Output/{key} `{s}` is not empty, `Max` or {form}: OpenCore cannot read it and changes nothing"
        ),
    );
    d.help = Some(format!(
        "write e.g. `1920x1080`{} or `Max` (case matters), or leave it empty",
        if bpp { ", `1920x1080@32`" } else { "" }
    ));
}

/// U038 (UEFI-41).
pub fn u038(cx: &mut Context) {
    let Some(out) = section(cx, "Output", "0.9.2") else {
        return;
    };
    let Some(value) = out.get("ConsoleMode") else {
        return;
    };
    let Some(s) = value.str() else { return };
    let Mode::Size(w, h, _) = parse_mode(s, false) else {
        return;
    };
    if w == 0 || h == 0 || (w >= 80 && h >= 25) {
        return;
    }
    cx.report(
        &U038,
        &value.located(),
        format!("Output/ConsoleMode `{s}` is below the smallest text mode, 80x25"),
    );
}

/// U040 (UEFI-43).
pub fn u040(cx: &mut Context) {
    let Some(out) = section(cx, "Output", "0.7.6") else {
        return;
    };
    out_of_range(cx, &U040, &out, "UIScale", -1..=2);
}

/// U042 (UEFI-45).
pub fn u042(cx: &mut Context) {
    let Some(quirks) = section(cx, "Quirks", "0.7.6") else {
        return;
    };
    out_of_range(cx, &U042, &quirks, "ResizeGpuBars", -1..=19);
}

/// A one-byte signed field outside `range`. The number as written is
/// judged: one beyond -128..127 that OpenCore cuts into the range still
/// says something else than what OpenCore uses.
fn out_of_range(
    cx: &mut Context,
    rule: &'static RuleMeta,
    parent: &Item,
    key: &str,
    range: std::ops::RangeInclusive<i64>,
) {
    let Some(value) = parent.get(key) else { return };
    let Some(n) = value.int() else { return };
    if range.contains(&n) {
        return;
    }
    let read = n as i8;
    let (lo, hi) = (range.start(), range.end());
    let message = if i64::from(read) == n {
        format!(
            "{} is {n}, outside {lo} to {hi}: OpenCore ignores the setting",
            value.path
        )
    } else if range.contains(&i64::from(read)) {
        format!(
            "{} is {n}, outside {lo} to {hi}; OpenCore keeps one byte of it and uses {read}",
            value.path
        )
    } else {
        format!(
            "{} is {n}, outside {lo} to {hi}; OpenCore keeps one byte of it, reads {read} and ignores the setting",
            value.path
        )
    };
    cx.report(rule, &value.located(), message);
}

/// The Apple vendor GUID UIScale lives under in NVRAM.
const APPLE_VENDOR: &str = "4D1EDE05-38C7-4A6A-9CC6-4BCCA8B38C14";

/// U041 (UEFI-44).
pub fn u041(cx: &mut Context) {
    let Some(out) = section(cx, "Output", "0.7.6") else {
        return;
    };
    let scale = int_or(&out, "UIScale", -1) as i8;
    if !(0..=2).contains(&scale) {
        return;
    }
    let Some(add) = Item::at(cx, "NVRAM/Add") else {
        return;
    };
    // Every spelling of the GUID is its own dict; OpenCore's validator
    // looks at each.
    let nvram = add
        .pairs()
        .filter(|(k, _, _)| k.eq_ignore_ascii_case(APPLE_VENDOR))
        .filter_map(|(_, _, v)| v.get("UIScale"))
        .filter_map(|v| nvram_scale(&v).map(|s| (v, s)))
        .last();
    let Some((var, byte)) = nvram else { return };
    let at = out.located_of("UIScale");
    let d = cx.report(
        &U041,
        &at,
        format!(
            "Output/UIScale is {scale} and NVRAM/Add sets UIScale to {byte} too: both write the same variable at boot"
        ),
    );
    d.secondary
        .push((var.node.span.clone(), "UIScale in NVRAM/Add".into()));
    if scale > 0 && i16::from(scale) == i16::from(byte) {
        d.severity = Severity::Info;
        d.notes.push("both ask for the same scale".into());
    }
    d.help =
        Some("keep one of them: set Output/UIScale to -1, or remove UIScale from NVRAM/Add".into());
}

/// The UIScale byte an NVRAM value holds when OpenCore's validator accepts
/// it: one byte, 1 or 2.
fn nvram_scale(v: &Item) -> Option<u8> {
    let byte = match (v.data(), v.bool()) {
        (Some([b]), _) => *b,
        (None, Some(true)) => 1,
        _ => return None,
    };
    matches!(byte, 1 | 2).then_some(byte)
}
