//! K0xx: the `Kernel` section as OpenCore's validator checks it: the kexts
//! to inject (`Add`) and force (`Force`), the kexts to block (`Block`),
//! binary patches (`Patch`), CPU emulation (`Emulate`), quirks and the
//! kernel scheme.
//!
//! Every check restates one of `ocvalidate`'s (named in each rule's docs),
//! with its intent rather than its slips: entries OpenCore never loads
//! (disabled ones) are not checked, duplicate kexts whose
//! MinKernel/MaxKernel ranges never meet are not duplicates, and a check
//! runs only for a release whose schema has the key it reads.

mod darwin;
mod entries;
mod kexts;
mod patches;
mod paths;
mod settings;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_more;

use std::rc::Rc;

use super::context::shared;
use super::view::Item;
use super::{Context, Diagnostic, Rule, RuleMeta};
use crate::model::ConfigKind;
use crate::patch::{self, Fix};

/// The kernel rules, in code order.
pub(super) static RULES: &[Rule] = &[
    Rule::new(&paths::K001, paths::k001),
    Rule::new(&paths::K002, paths::k002),
    Rule::new(&paths::K003, paths::k003),
    Rule::new(&paths::K004, paths::k004),
    Rule::new(&paths::K005, paths::k005),
    Rule::new(&paths::K006, paths::k006),
    Rule::new(&paths::K007, paths::k007),
    Rule::new(&paths::K008, paths::k008),
    Rule::new(&paths::K009, paths::k009),
    Rule::new(&darwin::K010, darwin::k010),
    Rule::new(&darwin::K011, darwin::k011),
    Rule::new(&kexts::K012, kexts::k012),
    Rule::new(&kexts::K013, kexts::k013),
    Rule::new(&kexts::K014, kexts::k014),
    Rule::new(&kexts::K015, kexts::k015),
    Rule::new(&kexts::K016, kexts::k016),
    Rule::new(&entries::K017, entries::k017),
    Rule::new(&entries::K018, entries::k018),
    Rule::new(&entries::K019, entries::k019),
    Rule::new(&entries::K020, entries::k020),
    Rule::new(&patches::K021, patches::k021),
    Rule::new(&paths::K022, paths::k022),
    Rule::new(&entries::K023, entries::k023),
    Rule::new(&paths::K024, paths::k024),
    Rule::new(&paths::K025, paths::k025),
    Rule::new(&paths::K026, paths::k026),
    Rule::new(&paths::K027, paths::k027),
    Rule::new(&paths::K028, paths::k028),
    Rule::new(&entries::K029, entries::k029),
    Rule::new(&entries::K030, entries::k030),
    Rule::new(&entries::K031, entries::k031),
    Rule::new(&patches::K032, patches::k032),
    Rule::new(&patches::K033, patches::k033),
    Rule::new(&patches::K034, patches::k034),
    Rule::new(&patches::K035, patches::k035),
    Rule::new(&patches::K036, patches::k036),
    Rule::new(&settings::K037, settings::k037),
    Rule::new(&settings::K038, settings::k038),
    Rule::new(&settings::K039, settings::k039),
    Rule::new(&settings::K040, settings::k040),
];

/// The parts of the Kernel section whose entries the rules read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `Kernel/Add`: kexts to inject.
    Add,
    /// `Kernel/Block`: kexts to keep from loading.
    Block,
    /// `Kernel/Emulate`: one dict, not an array.
    Emulate,
    /// `Kernel/Force`: kexts of the system to load if missing.
    Force,
    /// `Kernel/Patch`: binary patches.
    Patch,
}

impl Kind {
    /// The parts with MinKernel/MaxKernel, in the validator's order.
    pub const ALL: [Kind; 5] = [
        Kind::Add,
        Kind::Block,
        Kind::Emulate,
        Kind::Force,
        Kind::Patch,
    ];

    /// The key path of the part (`Kernel/Add`).
    pub fn path(self) -> &'static str {
        match self {
            Kind::Add => "Kernel/Add",
            Kind::Block => "Kernel/Block",
            Kind::Emulate => "Kernel/Emulate",
            Kind::Force => "Kernel/Force",
            Kind::Patch => "Kernel/Patch",
        }
    }

    /// The schema's path of `key` in one entry of the part
    /// (`Kernel/Add/[]/Arch`, `Kernel/Emulate/MinKernel`).
    pub fn schema_path(self, key: &str) -> String {
        match self {
            Kind::Emulate => format!("{}/{key}", self.path()),
            _ => format!("{}/[]/{key}", self.path()),
        }
    }

    /// What one entry is, for messages.
    pub fn noun(self) -> &'static str {
        match self {
            Kind::Add => "kext",
            Kind::Block => "block entry",
            Kind::Emulate => "CPU emulation",
            Kind::Force => "forced kext",
            Kind::Patch => "patch",
        }
    }

    /// The enabled entries of the part, the ones OpenCore reads (none for
    /// `Emulate`, which is one dict). A disabled entry is never loaded, so
    /// no rule looks at it (`ocvalidate` does; see the rules' docs). Walked
    /// once per file and shared by every rule of the family.
    pub fn entries<'a>(self, cx: &Context<'a>) -> Rc<[Item<'a>]> {
        let slot = match self {
            Kind::Emulate => return Rc::new([]),
            Kind::Add => 0,
            Kind::Block => 1,
            Kind::Force => 2,
            Kind::Patch => 3,
        };
        shared(&cx.shared.kernel[slot], || self.walk(cx))
    }

    /// One walk over the part's array, keeping the enabled entries.
    fn walk<'a>(self, cx: &Context<'a>) -> Vec<Item<'a>> {
        if !applies(cx) {
            return Vec::new();
        }
        let Some(list) = Item::at(cx, self.path()) else {
            return Vec::new();
        };
        let items = list.node.as_array().unwrap_or_default();
        items
            .iter()
            .enumerate()
            .filter(|(_, node)| {
                let entry = node.as_dict().and_then(|d| d.get("Enabled"));
                entry.and_then(|e| e.value.as_bool()) == Some(true)
            })
            .map(|(i, node)| {
                let mut path = String::with_capacity(list.path.len() + 4);
                path.push_str(&list.path);
                path.push('/');
                path.push_str(crate::rules::view::decimal(i, &mut [0; 20]));
                Item { node, path }
            })
            .collect()
    }
}

/// Whether the kernel rules look at this file: OpenCore configs only.
pub(crate) fn applies(cx: &Context) -> bool {
    cx.config.kind == ConfigKind::OpenCore
}

/// Whether the release the file is checked against has the key at schema
/// path `path` (`Kernel/Force/[]/Arch`); true when no release is known (the
/// newest applies). A key the release lacks is reported as unknown by X006
/// and ignored by OpenCore, so the rules about its value stay silent.
pub(crate) fn known(cx: &Context, path: &str) -> bool {
    let Some(r) = cx.oc_version else {
        return true;
    };
    let t = crate::schema::Table::get();
    t.lookup(path)
        .is_none_or(|c| t.keys[c].at(r.target).is_some())
}

/// Every entry with MinKernel/MaxKernel: those of Add, Block, Force and
/// Patch, and the Emulate dict.
pub(crate) fn bounded<'a>(cx: &Context<'a>) -> Vec<(Kind, Item<'a>)> {
    let mut out = Vec::new();
    if !applies(cx) {
        return out;
    }
    for kind in Kind::ALL {
        if kind == Kind::Emulate {
            out.extend(Item::at(cx, kind.path()).map(|e| (kind, e)));
        } else {
            out.extend(kind.entries(cx).iter().map(|e| (kind, e.clone())));
        }
    }
    out
}

/// Report `rule` at `key` of `entry` (or at the entry when the key is absent).
pub(crate) fn entry_finding<'c>(
    cx: &'c mut Context,
    rule: &'static RuleMeta,
    entry: &Item,
    key: &str,
    message: String,
) -> &'c mut Diagnostic {
    cx.report(rule, &entry.located_of(key), message)
}

/// Report `rule` at `value` when it is a `<string>` outside `allowed`;
/// `then` says what OpenCore does with it instead. Absent or mistyped
/// values are skipped (OpenCore keeps its default; X004 reports a type).
/// The finding carries the unsafe case fix when one applies.
pub(crate) fn enumeration(
    cx: &mut Context,
    rule: &'static RuleMeta,
    value: Option<Item>,
    allowed: &[&str],
    then: &str,
) {
    let Some(value) = value else { return };
    let Some(written) = value.str() else { return };
    if allowed.contains(&written) {
        return;
    }
    let key = value.path.rsplit('/').next().unwrap_or_default();
    let shown = if written.is_empty() {
        format!("{key} is empty, not")
    } else {
        format!("{key} `{written}` is not")
    };
    let message = format!("{shown} {}: {then}", one_of(allowed));
    let fix = case_fix(cx, &value, allowed);
    cx.report(rule, &value.located(), message).fix = fix;
}

/// An unsafe fix that rewrites `value` (a `<string>`) to the one member of
/// `allowed` it equals ignoring case, when there is one.
pub(crate) fn case_fix(cx: &Context, value: &Item, allowed: &[&str]) -> Option<Fix> {
    let written = value.str()?;
    let right = allowed
        .iter()
        .find(|a| a.eq_ignore_ascii_case(written) && **a != written)?;
    Some(Fix::unsafe_(
        format!("write `{right}` for `{written}`"),
        vec![patch::set_string(cx.text(), value.node, right)],
    ))
}

/// `allowed` as `` `A`, `B` or `C` ``, for messages.
pub(crate) fn one_of(allowed: &[&str]) -> String {
    let quoted: Vec<String> = allowed.iter().map(|a| format!("`{a}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.concat(),
    }
}
