//! G0xx: the general settings under `Misc` (BlessOverride, Boot, Debug,
//! Entries, Security, Serial, Tools), as OpenCore's validator checks them
//! and as OpenCore reads them at boot.
//!
//! Every check reads only the keys it needs, with OpenCore's default for a
//! key that is absent or mistyped (X004/X007 report those), and integers cut
//! to the field's width as OpenCore's reader does. A check on a key runs only
//! for configs whose target release defines that key.

mod boot;
mod entries;
mod security;
mod serial;

use super::view::{Item, key_in_target};
use super::{Context, Diagnostic, Rule, RuleMeta};
use crate::model::ConfigKind;
use crate::patch::{self, Fix};

pub(super) use boot::*;
pub(super) use entries::*;
pub(super) use security::*;
pub(super) use serial::*;

/// The rules of the family, in code order.
pub(super) static RULES: &[Rule] = &[
    Rule::new(&G001, g001),
    Rule::new(&G002, g002),
    Rule::new(&G003, g003),
    Rule::new(&G004, g004),
    Rule::new(&G005, g005),
    Rule::new(&G006, g006),
    Rule::new(&G007, g007),
    Rule::new(&G008, g008),
    Rule::new(&G009, g009),
    Rule::new(&G010, g010),
    Rule::new(&G011, g011),
    Rule::new(&G012, g012),
    Rule::new(&G013, g013),
    Rule::new(&G014, g014),
    Rule::new(&G015, g015),
    Rule::new(&G016, g016),
    Rule::new(&G017, g017),
    Rule::new(&G018, g018),
    Rule::new(&G019, g019),
    Rule::new(&G020, g020),
    Rule::new(&G021, g021),
    Rule::new(&G022, g022),
    Rule::new(&G023, g023),
    Rule::new(&G024, g024),
    Rule::new(&G025, g025),
    Rule::new(&G026, g026),
    Rule::new(&G027, g027),
    Rule::new(&G028, g028),
    Rule::new(&G029, g029),
    Rule::new(&G030, g030),
    Rule::new(&G031, g031),
    Rule::new(&G032, g032),
    Rule::new(&G033, g033),
    Rule::new(&G034, g034),
    Rule::new(&G035, g035),
    Rule::new(&G036, g036),
    Rule::new(&G037, g037),
    Rule::new(&G038, g038),
    Rule::new(&G039, g039),
    Rule::new(&G040, g040),
    Rule::new(&G041, g041),
    Rule::new(&G042, g042),
];

/// The dict at `dict` when the file is an OpenCore config and its target
/// release defines `dict/key`: the place a check on that key reads.
fn section<'a>(cx: &Context<'a>, dict: &str, key: &str) -> Option<Item<'a>> {
    if cx.config.kind != ConfigKind::OpenCore
        || !key_in_target(cx, &crate::plist::join_path(dict, key))
    {
        return None;
    }
    Item::at(cx, dict)
}

/// The string value of `key`, or OpenCore's default when it is absent or
/// not a `<string>`.
fn str_or<'a>(dict: &Item<'a>, key: &str, default: &'a str) -> &'a str {
    dict.get(key).and_then(|i| i.str()).unwrap_or(default)
}

/// The integer value of `key` as OpenCore stores it in a field of `bits`
/// bits (the reader keeps the low bits), or `default` when it is absent or
/// not an `<integer>`.
fn uint_or(dict: &Item, key: &str, bits: u32, default: u64) -> u64 {
    let Some(v) = dict.get(key).and_then(|i| i.int()) else {
        return default;
    };
    let v = v as u64;
    if bits >= 64 {
        v
    } else {
        v & ((1u64 << bits) - 1)
    }
}

/// An enumeration a string field must take one of.
struct Choice {
    /// The dict (`Misc/Security`).
    dict: &'static str,
    /// The key (`Vault`).
    key: &'static str,
    /// OpenCore's default when the key is absent.
    default: &'static str,
    /// The values OpenCore accepts, compared exactly.
    allowed: &'static [&'static str],
    /// Values of `allowed` that exist only from a release on: (value, tag).
    since: &'static [(&'static str, &'static str)],
}

/// Whether the release `cx` checks against is `tag` or newer. Only a
/// release the user named (flag or log) can say no: an inferred one leans
/// old on sparse configs, and a value of a newer release is itself a sign of
/// that release.
fn from_release(cx: &Context, tag: &str) -> bool {
    !cx.named_release_before(tag)
}

/// Report `rule` when `choice`'s value is not one of its values; the
/// finding is returned for the caller's wording. A value that differs from
/// an accepted one only in case gets an unsafe fix to that spelling.
fn check_choice<'c>(
    cx: &'c mut Context,
    rule: &'static RuleMeta,
    choice: &Choice,
    what_happens: &str,
) -> Option<&'c mut Diagnostic> {
    let dict = section(cx, choice.dict, choice.key)?;
    let value = str_or(&dict, choice.key, choice.default);
    let too_new = |v: &str| {
        choice
            .since
            .iter()
            .find(|(s, tag)| *s == v && !from_release(cx, tag))
            .map(|(_, tag)| *tag)
    };
    let allowed: Vec<&str> = choice
        .allowed
        .iter()
        .copied()
        .filter(|v| too_new(v).is_none())
        .collect();
    if allowed.contains(&value) {
        return None;
    }
    let newer = too_new(value);
    let target = cx.oc_version.map_or("", |r| r.target_tag());
    let at = dict.located_of(choice.key);
    let spelled = allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(value))
        .copied();
    let node = dict.get(choice.key).filter(|i| i.str().is_some());
    let edit = match (spelled, node) {
        (Some(s), Some(n)) => Some((s, patch::set_string(cx.text(), n.node, s))),
        _ => None,
    };
    let d = cx.report(
        rule,
        &at,
        format!(
            "`{}` is `{value}`, not one of {}: {what_happens}",
            at.path,
            list(&allowed)
        ),
    );
    if let Some(tag) = newer {
        d.notes.push(format!(
            "`{value}` exists from OpenCore {tag} on; the release checked against is {target}"
        ));
    }
    match edit {
        Some((s, e)) => {
            d.notes.push(format!(
                "OpenCore compares the value exactly: `{value}` differs from `{s}` in case"
            ));
            d.fix = Some(Fix::unsafe_(format!("set {} to {s}", choice.key), vec![e]));
        }
        None => {
            d.help = Some(format!(
                "set `{}` to one of {}",
                at.path,
                list(choice.allowed)
            ))
        }
    }
    Some(d)
}

/// `A`, `B` or `C`.
fn list(values: &[&str]) -> String {
    let quoted: Vec<String> = values.iter().map(|v| format!("`{v}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

/// A bit mask whose bits OpenCore defines.
struct Mask {
    /// The dict (`Misc/Debug`).
    dict: &'static str,
    /// The key (`Target`).
    key: &'static str,
    /// The field's width in bits.
    bits: u32,
    /// The bits OpenCore knows.
    known: u64,
    /// Bits of `known` that exist only from a release on: (bits, tag).
    since: &'static [(u64, &'static str)],
}

/// Report `rule` when `mask`'s value has bits OpenCore does not define.
fn check_mask(cx: &mut Context, rule: &'static RuleMeta, mask: &Mask, what_happens: &str) {
    let Some(dict) = section(cx, mask.dict, mask.key) else {
        return;
    };
    // An absent key reads as OpenCore's default, which has only known bits.
    let value = uint_or(&dict, mask.key, mask.bits, 0);
    let known = mask
        .since
        .iter()
        .filter(|(_, tag)| !from_release(cx, tag))
        .fold(mask.known, |k, (bits, _)| k & !bits);
    let unknown = value & !known;
    if unknown == 0 {
        return;
    }
    let at = dict.located_of(mask.key);
    let d = cx.report(
        rule,
        &at,
        format!(
            "`{}` is {value:#X} with bits {unknown:#X} that OpenCore does not define (known: {:#X}); {what_happens}",
            at.path, known
        ),
    );
    d.help = Some(format!(
        "clear the unknown bits: {:#X} ({})",
        value & known,
        value & known
    ));
}

/// OpenCore's path buffer for the release `cx` checks against: 128 bytes up
/// to 1.0.5, 192 from 1.0.6 on. Only a release the user named (flag or log)
/// selects the smaller one: no key tells 1.0.5 from 1.0.6.
fn path_limit(cx: &Context) -> usize {
    super::files::named_release_limit(cx).map_or(super::files::PATH_MAX_NEW, |(_, limit)| limit)
}

#[cfg(test)]
mod tests;
