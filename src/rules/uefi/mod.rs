//! U0xx: the `UEFI` section as OpenCore's validator checks it (the checks
//! of `ValidateUefi.c`, UEFI-01 to UEFI-50), read with OpenCore's defaults
//! and judged by what OpenCore does with the value at boot.
//!
//! UEFI-09 (AudioDevice) belongs to the device-path family, UEFI-13 (driver
//! comments) is X008 and UEFI-24 (RequestBootVarRouting without
//! OpenRuntime.efi) is B011; every other check has one rule here.

mod drivers;
pub(crate) use drivers::{Driver, string_entries_read};
mod loading;
mod memory;
mod output;
mod settings;

use super::view::Item;
use super::{Context, Rule};
use crate::model::ConfigKind;
use crate::patch::{self, Applicability, Fix};

/// The rules of the family, in code order.
pub(super) static RULES: &[Rule] = &[
    Rule::new(&settings::U001, settings::u001),
    Rule::new(&settings::U002, settings::u002),
    Rule::new(&settings::U003, settings::u003),
    Rule::new(&settings::U004, settings::u004),
    Rule::new(&settings::U005, settings::u005),
    Rule::new(&settings::U006, settings::u006),
    Rule::new(&settings::U007, settings::u007),
    Rule::new(&settings::U008, settings::u008),
    Rule::new(&settings::U009, settings::u009),
    Rule::new(&settings::U010, settings::u010),
    Rule::new(&drivers::U011, drivers::u011),
    Rule::new(&drivers::U012, drivers::u012),
    Rule::new(&drivers::U013, drivers::u013),
    Rule::new(&drivers::U014, drivers::u014),
    Rule::new(&loading::U015, loading::u015),
    Rule::new(&loading::U016, loading::u016),
    Rule::new(&drivers::U017, drivers::u017),
    Rule::new(&loading::U018, loading::u018),
    Rule::new(&loading::U019, loading::u019),
    Rule::new(&loading::U020, loading::u020),
    Rule::new(&loading::U021, loading::u021),
    Rule::new(&loading::U022, loading::u022),
    Rule::new(&loading::U023, loading::u023),
    Rule::new(&loading::U024, loading::u024),
    Rule::new(&loading::U025, loading::u025),
    Rule::new(&loading::U026, loading::u026),
    Rule::new(&settings::U027, settings::u027),
    Rule::new(&settings::U028, settings::u028),
    Rule::new(&output::U029, output::u029),
    Rule::new(&output::U030, output::u030),
    Rule::new(&output::U031, output::u031),
    Rule::new(&output::U032, output::u032),
    Rule::new(&output::U033, output::u033),
    Rule::new(&output::U034, output::u034),
    Rule::new(&output::U035, output::u035),
    Rule::new(&output::U036, output::u036),
    Rule::new(&output::U037, output::u037),
    Rule::new(&output::U038, output::u038),
    Rule::new(&output::U039, output::u039),
    Rule::new(&output::U040, output::u040),
    Rule::new(&output::U041, output::u041),
    Rule::new(&output::U042, output::u042),
    Rule::new(&memory::U043, memory::u043),
    Rule::new(&memory::U044, memory::u044),
    Rule::new(&memory::U045, memory::u045),
    Rule::new(&memory::U046, memory::u046),
    Rule::new(&memory::U047, memory::u047),
];

/// `UEFI/<key>` of an OpenCore config targeting release `since` or later:
/// `None` for other configs, or when the release checked against (given with
/// `--oc-version` or read from a log) predates the check. A release that is
/// only inferred from the keys never turns a check off: a sparse config
/// matches old releases best.
fn section<'a>(cx: &Context<'a>, key: &str, since: &str) -> Option<Item<'a>> {
    if cx.config.kind != ConfigKind::OpenCore || cx.named_release_before(since) {
        return None;
    }
    Item::at(cx, "UEFI")?.get(key)
}

/// The string value of `key`, or OpenCore's default for it when the key is
/// absent or not a `<string>`.
fn str_or<'a>(item: &Item<'a>, key: &str, default: &'a str) -> &'a str {
    item.get(key).and_then(|i| i.str()).unwrap_or(default)
}

/// The number OpenCore reads for `key` (before it is cut to the field's
/// width), or `default` when the key is absent or not an `<integer>`.
fn int_or(item: &Item, key: &str, default: i64) -> i64 {
    item.get(key).and_then(|i| i.int()).unwrap_or(default)
}

/// An enumeration value OpenCore does not know: the finding's extra detail
/// and, when exactly one accepted value differs from it only in case or
/// surrounding spaces, an unsafe fix that writes that value.
fn enum_fix(cx: &Context, value: &Item, allowed: &[&str]) -> Option<Fix> {
    let written = value.str()?;
    let mut close = allowed
        .iter()
        .filter(|a| a.eq_ignore_ascii_case(written.trim()));
    let (Some(one), None) = (close.next(), close.next()) else {
        return None;
    };
    Some(Fix::unsafe_(
        format!("write `{one}` (same letters, the case OpenCore compares)"),
        vec![patch::set_string(cx.text(), value.node, one)],
    ))
}

/// `a`, `b` or `c` for messages.
fn one_of(allowed: &[&str]) -> String {
    match allowed {
        [] => String::new(),
        [one] => format!("`{one}`"),
        [rest @ .., last] => {
            let head: Vec<String> = rest.iter().map(|a| format!("`{a}`")).collect();
            format!("{} or `{last}`", head.join(", "))
        }
    }
}

/// Report an enumeration value outside `allowed` at `key` of `parent`;
/// `then` says what OpenCore does instead.
fn check_enum(
    cx: &mut Context,
    rule: &'static super::RuleMeta,
    parent: &Item,
    key: &str,
    allowed: &[&str],
    then: &str,
) {
    let Some(value) = parent.get(key) else {
        return;
    };
    let Some(written) = value.str() else {
        return;
    };
    if allowed.contains(&written) {
        return;
    }
    let fix = enum_fix(cx, &value, allowed);
    let d = cx.report(
        rule,
        &value.located(),
        format!(
            "{} is `{written}`, which OpenCore does not know: {then}",
            value.path
        ),
    );
    d.notes.push(format!(
        "accepted values: {} (case matters)",
        one_of(allowed)
    ));
    d.fix = fix;
}

/// A fix that sets the boolean `key` of `parent` to `value`, when the key is
/// written as a boolean (a missing key is X007's to add).
fn set_flag(
    parent: &Item,
    key: &str,
    value: bool,
    applicability: Applicability,
    summary: String,
) -> Option<Fix> {
    let item = parent.get(key)?;
    item.bool()?;
    Some(Fix::new(
        applicability,
        summary,
        vec![patch::set_bool(&item.node.span, value)],
    ))
}

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_drivers;
