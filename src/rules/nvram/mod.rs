//! N0xx: the `NVRAM` section: GUID keys, variable names, repeated entries,
//! and the sizes and values of the variables whose format macOS fixes
//! (the table `rules/nvram-keys.tsv`, generated from OpenCore's validator
//! by `scripts/gen_opencore_tables.py` and embedded at build time).
//!
//! Not release-gated: OpenCore's validator has made these checks since it
//! first shipped, and the sizes are macOS's, the same for every release.

mod values;

use super::view::{Item, guid_ok, printable_ascii, repeats};
use super::{Context, Rule, RuleMeta};
use crate::source::Span;

pub(crate) use values::*;

rule! {
    code: N001,
    name: "nvram-add-guid-malformed",
    severity: Warning,
    fix: None,
    summary: "An NVRAM/Add key is not a GUID.",
    why: "OpenCore cannot convert the key to a GUID and sets none of the variables under it.",
}
rule! {
    code: N002,
    name: "nvram-variable-name-not-printable",
    severity: Warning,
    fix: None,
    summary: "An NVRAM/Add variable name holds a character outside printable ASCII.",
    why: "Variable names are converted byte by byte to UTF-16; other characters give a name macOS never reads.",
}
rule! {
    code: N003,
    name: "nvram-delete-guid-malformed",
    severity: Warning,
    fix: None,
    summary: "An NVRAM/Delete key is not a GUID.",
    why: "OpenCore cannot convert the key to a GUID and deletes none of the variables listed under it.",
}
rule! {
    code: N004,
    name: "nvram-delete-repeated",
    severity: Warning,
    fix: Always(Safe),
    summary: "A variable is listed twice under one NVRAM/Delete GUID.",
    why: "The second entry deletes nothing more; OpenCore's validator reports it.",
}
rule! {
    code: N005,
    name: "legacy-schema-guid-malformed",
    severity: Warning,
    fix: None,
    summary: "An NVRAM/LegacySchema key is not a GUID.",
    why: "OpenCore cannot convert the key to a GUID and never loads the variables listed under it from nvram.plist.",
}
rule! {
    code: N006,
    name: "legacy-schema-repeated",
    severity: Warning,
    fix: Always(Safe),
    summary: "A variable is listed twice under one NVRAM/LegacySchema GUID.",
    why: "The second entry allows nothing more; OpenCore's validator reports it.",
}

/// The N family, in code order.
pub(super) static RULES: &[Rule] = &[
    Rule::new(&N001, n001),
    Rule::new(&N002, n002),
    Rule::new(&N003, n003),
    Rule::new(&N004, n004),
    Rule::new(&N005, n005),
    Rule::new(&N006, n006),
    Rule::new(&N007, n007),
    Rule::new(&N008, n008),
    Rule::new(&N009, n009),
    Rule::new(&N010, n010),
    Rule::new(&N011, n011),
    Rule::new(&N012, n012),
    Rule::new(&N013, n013),
    Rule::new(&N014, n014),
    Rule::new(&N015, n015),
    Rule::new(&N016, n016),
    Rule::new(&N017, n017),
];

/// The GUID entries of `NVRAM/<section>` as OpenCore reads them: keys that
/// are not comments, with a dict (`Add`) or an array (`Delete`,
/// `LegacySchema`) value.
fn guids<'a>(cx: &Context<'a>, section: &str) -> Vec<(&'a str, Span, Item<'a>)> {
    Item::map_at(cx, &format!("NVRAM/{section}"), section == "Add")
}

fn malformed_guids(cx: &mut Context, rule: &'static RuleMeta, section: &str, what: &str) {
    for (key, span, item) in guids(cx, section) {
        if guid_ok(key) {
            continue;
        }
        cx.report_span(
            rule,
            item.path.clone(),
            span,
            format!("`{key}` is not a GUID (8-4-4-4-12 hex digits): OpenCore {what}"),
        );
    }
}

fn repeated_names(cx: &mut Context, rule: &'static RuleMeta, section: &str) {
    for (key, _, list) in guids(cx, section) {
        report_repeated(cx, rule, key, &list);
    }
}

/// Report each string of the array `list` (under the map key `owner`) that
/// repeats an earlier one exactly, with a safe fix removing the repeat.
pub(crate) fn report_repeated(cx: &mut Context, rule: &'static RuleMeta, owner: &str, list: &Item) {
    let names: Vec<Item> = list.items().collect();
    for (later, first) in repeats(&names, |i| i.str()) {
        let dup = &names[later];
        let at = dup.located();
        let edit = crate::patch::remove_item(&cx.source.text, dup.node);
        let d = cx.report(
            rule,
            &at,
            format!(
                "`{}` is already listed at {} under `{owner}`: the repeat does nothing",
                dup.str().unwrap_or_default(),
                names[first].path
            ),
        );
        d.fix = Some(crate::patch::Fix::safe(
            "remove the repeated name",
            vec![edit],
        ));
    }
}

/// N001: NVRAM/Add keys are GUIDs.
pub fn n001(cx: &mut Context) {
    malformed_guids(cx, &N001, "Add", "sets none of the variables under it");
}

/// N002: NVRAM/Add variable names are printable ASCII.
pub fn n002(cx: &mut Context) {
    for (key, _, vars) in guids(cx, "Add") {
        for (name, _, value) in vars.map_entries() {
            if value.mdata().is_none() || printable_ascii(name) {
                continue;
            }
            let at = value.located();
            cx.report(
                &N002,
                &at,
                format!(
                    "variable name `{}` under `{key}` holds a character outside printable ASCII",
                    name.escape_debug()
                ),
            );
        }
    }
}

/// N003: NVRAM/Delete keys are GUIDs.
pub fn n003(cx: &mut Context) {
    malformed_guids(
        cx,
        &N003,
        "Delete",
        "deletes none of the variables listed under it",
    );
}

/// N004: no variable twice under one NVRAM/Delete GUID.
pub fn n004(cx: &mut Context) {
    repeated_names(cx, &N004, "Delete");
}

/// N005: NVRAM/LegacySchema keys are GUIDs.
pub fn n005(cx: &mut Context) {
    malformed_guids(
        cx,
        &N005,
        "LegacySchema",
        "loads none of the variables listed under it from nvram.plist",
    );
}

/// N006: no variable twice under one NVRAM/LegacySchema GUID.
pub fn n006(cx: &mut Context) {
    repeated_names(cx, &N006, "LegacySchema");
}

#[cfg(test)]
mod tests;
