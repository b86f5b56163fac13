//! The kexts OpenCore's validator knows by name (`rules/kexts.tsv`,
//! generated from OpenCorePkg by `scripts/kext_table.py`): their standard
//! paths, Lilu's quirk, the plugins that must follow their parent; and
//! kexts listed twice.

use std::collections::HashMap;

use super::{Kind, darwin, entry_finding, known};
use crate::patch::{self, Fix, NewValue, Place};
use crate::rules::view::Item;
use crate::rules::{Context, RuleMeta, Severity};

rule! {
    code: K012,
    name: "lilu-without-linkedit-jettison-off",
    severity: Warning,
    fix: Always(Safe),
    summary: "Lilu.kext is injected but Kernel/Quirks/DisableLinkeditJettison is off.",
    why: "From macOS 11 the kernel discards the symbol data Lilu and its plugins patch with, unless the quirk keeps it.",
}
rule! {
    code: K013,
    name: "brcm-firmware-repo-injected",
    severity: Warning,
    fix: None,
    summary: "BrcmFirmwareRepo.kext is in Kernel/Add.",
    why: "BrcmFirmwareRepo only works installed in the system; injected by OpenCore it provides no firmware.",
}
rule! {
    code: K014,
    name: "known-kext-paths",
    severity: Error,
    fix: Sometimes(Unsafe),
    summary: "A well-known kext has another ExecutablePath or PlistPath than its release ships.",
    why: "OpenCore looks for the executable and Info.plist where the config says; a wrong path leaves the kext out.",
}
rule! {
    code: K015,
    name: "kext-plugin-before-parent",
    severity: Error,
    fix: None,
    summary: "A Lilu, VirtualSMC, CPUFriend or VoodooPS2 plugin is injected before its parent kext, or without it.",
    why: "OpenCore injects kexts in order; a plugin whose parent is not there yet fails to link and does not load.",
}
rule! {
    code: K016,
    name: "kext-listed-twice",
    severity: Error,
    fix: None,
    summary: "Two enabled Kernel/Add entries inject the same BundlePath for the same macOS versions.",
    why: "The second copy of a kext cannot be injected next to the first; one of them fails or the kernel refuses both.",
}

/// The generated table: `kext` and `order` lines (see the generator's header).
const TABLE: &str = include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/kexts.tsv"));

/// A kext with its standard paths.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KnownKext {
    /// BundlePath relative to `Kexts/`.
    pub bundle: &'static str,
    /// ExecutablePath inside the bundle (empty: a codeless kext).
    pub executable: &'static str,
    /// PlistPath inside the bundle.
    pub plist: &'static str,
}

/// Every known kext, in table order.
pub(crate) fn known_kexts() -> impl Iterator<Item = KnownKext> {
    records("kext").filter_map(|mut f| {
        Some(KnownKext {
            bundle: f.next()?,
            executable: f.next()?,
            plist: f.next()?,
        })
    })
}

/// Every (plugin, parent) pair: the plugin must come after the parent.
pub(crate) fn plugin_order() -> impl Iterator<Item = (&'static str, &'static str)> {
    records("order").filter_map(|mut f| Some((f.next()?, f.next()?)))
}

fn records(tag: &'static str) -> impl Iterator<Item = std::str::Split<'static, char>> {
    TABLE
        .lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| l.split('\t'))
        .filter_map(move |mut f| (f.next() == Some(tag)).then_some(f))
}

/// K012: an enabled Lilu.kext with DisableLinkeditJettison off.
pub fn k012(cx: &mut Context) {
    const QUIRK: &str = "DisableLinkeditJettison";
    if !known(cx, "Kernel/Quirks/DisableLinkeditJettison") {
        return;
    }
    let quirks = Item::at(cx, "Kernel/Quirks");
    let value = quirks.as_ref().and_then(|q| q.get(QUIRK));
    if value.as_ref().and_then(Item::bool) == Some(true)
        || value.as_ref().is_some_and(|v| v.bool().is_none())
    {
        // On, or mistyped (X004 reports the type).
        return;
    }
    let lilu = Kind::Add
        .entries(cx)
        .iter()
        .find(|e| e.str_of("BundlePath").eq_ignore_ascii_case("Lilu.kext"))
        .cloned();
    let Some(lilu) = lilu else { return };
    let edits = match (&value, &quirks) {
        (Some(v), _) => Some(vec![patch::set_bool(&v.node.span, true)]),
        (None, Some(q)) => Some(vec![patch::insert_entry(
            cx.text(),
            q.node,
            QUIRK,
            &NewValue::Bool(true),
            Place::Sorted,
            &cx.style,
        )]),
        (None, None) => None,
    };
    let state = if value.is_some() {
        "off"
    } else {
        "absent (off)"
    };
    let message = format!(
        "Lilu.kext is injected but Kernel/Quirks/{QUIRK} is {state}: from macOS 11 the kernel \
         discards the symbols Lilu's plugins need, so they work only in part or not at all"
    );
    let d = cx.report(&K012, &lilu.located_of("BundlePath"), message);
    if let Some(v) = &value {
        d.secondary
            .push((v.node.span.clone(), format!("{QUIRK} is off")));
    }
    d.fix = edits.map(|e| Fix::safe(format!("set {QUIRK} to true"), e));
    if d.fix.is_none() {
        d.help = Some(format!("add `{QUIRK}` = true under Kernel/Quirks"));
    }
}

/// K013: BrcmFirmwareRepo.kext in Kernel/Add.
pub fn k013(cx: &mut Context) {
    if !known(cx, &Kind::Add.schema_path("BundlePath")) {
        return;
    }
    for entry in Kind::Add.entries(cx).iter() {
        if !entry
            .str_of("BundlePath")
            .eq_ignore_ascii_case("BrcmFirmwareRepo.kext")
        {
            continue;
        }
        let message = "BrcmFirmwareRepo.kext cannot be injected by OpenCore: it serves firmware \
                       only when installed in the system, so the Bluetooth firmware is never \
                       uploaded"
            .to_owned();
        let d = entry_finding(cx, &K013, entry, "BundlePath", message);
        d.help = Some("inject BrcmFirmwareData.kext instead".to_owned());
    }
}

/// K014: a known kext with other paths than its standard ones.
pub fn k014(cx: &mut Context) {
    if !known(cx, &Kind::Add.schema_path("PlistPath")) {
        return;
    }
    let entries = Kind::Add.entries(cx);
    if entries.is_empty() {
        return;
    }
    // Read the table once per file, not once per entry.
    let table: Vec<KnownKext> = known_kexts().collect();
    for entry in entries.iter() {
        let bundle = entry.str_of("BundlePath");
        let Some(&k) = table.iter().find(|k| k.bundle == bundle) else {
            continue;
        };
        let (exe, plist) = (entry.str_of("ExecutablePath"), entry.str_of("PlistPath"));
        let wrong: Vec<(&str, &str, &str)> = [
            ("ExecutablePath", exe, k.executable),
            ("PlistPath", plist, k.plist),
        ]
        .into_iter()
        .filter(|(_, is, want)| is != want)
        .collect();
        let Some(&(key, _, _)) = wrong.first() else {
            continue;
        };
        let shown: Vec<String> = wrong
            .iter()
            .map(|(key, is, want)| match (is.is_empty(), want.is_empty()) {
                (_, true) => format!("{key} is `{is}` but {bundle} has no executable"),
                (true, _) => format!("{key} is empty, not `{want}`"),
                _ => format!("{key} is `{is}`, not `{want}`"),
            })
            .collect();
        let only_case = wrong
            .iter()
            .all(|(_, is, want)| is.eq_ignore_ascii_case(want));
        let message = format!(
            "{bundle}: {}; OpenCore finds the kext's files only where the config says, so it \
             is not injected",
            shown.join(", ")
        );
        let mut edits = Vec::new();
        for (k, _, want) in &wrong {
            if let Some(v) = entry.get(k).filter(|v| v.str().is_some()) {
                edits.push(patch::set_string(cx.text(), v.node, want));
            }
        }
        let complete = edits.len() == wrong.len();
        let d = entry_finding(cx, &K014, entry, key, message);
        if only_case && d.severity == Severity::Error {
            d.severity = Severity::Warning;
            d.notes.push(
                "only the case differs: FAT32 ignores case, so the file is found, but a copy on \
                 a case-sensitive disk breaks"
                    .to_owned(),
            );
        }
        if complete {
            d.fix = Some(Fix::unsafe_(
                format!("use the standard paths of {bundle}"),
                edits,
            ));
        }
    }
}

/// K015: a plugin before its parent, or without it (enabled entries only).
pub fn k015(cx: &mut Context) {
    if !known(cx, &Kind::Add.schema_path("BundlePath")) {
        return;
    }
    let enabled = Kind::Add.entries(cx);
    let mut first_at: HashMap<&str, usize> = HashMap::new();
    for (i, e) in enabled.iter().enumerate() {
        first_at.entry(e.str_of("BundlePath")).or_insert(i);
    }
    for (plugin, parent) in plugin_order() {
        let Some(&p) = first_at.get(plugin) else {
            continue;
        };
        let message = match first_at.get(parent) {
            Some(&q) if q < p => continue,
            Some(&q) => format!(
                "{plugin} is injected before its parent {parent} (at {}): OpenCore injects in \
                 order, so the plugin cannot link and is not loaded",
                enabled[q].path
            ),
            None => format!(
                "{plugin} needs {parent}, which is not injected (no enabled entry): the plugin \
                 cannot link and is not loaded"
            ),
        };
        let entry = &enabled[p];
        let d = cx.report(&K015, &entry.located_of("BundlePath"), message);
        d.help = Some(format!(
            "put an enabled {parent} entry above this one in Kernel/Add"
        ));
    }
}

/// K016: an enabled Kernel/Add BundlePath listed twice for overlapping
/// macOS versions.
pub fn k016(cx: &mut Context) {
    duplicates(cx, &K016, Kind::Add, "BundlePath");
}

/// Report enabled entries of `kind` whose `key` repeats an earlier entry's
/// while their MinKernel..MaxKernel ranges overlap (entries for disjoint
/// macOS versions never apply together). Linear apart from sorting each
/// group of equal values.
pub(super) fn duplicates(cx: &mut Context, rule: &'static RuleMeta, kind: Kind, key: &str) {
    if !known(cx, &kind.schema_path(key)) {
        return;
    }
    let enabled = kind.entries(cx);
    let mut groups: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, e) in enabled.iter().enumerate() {
        let v = e.str_of(key);
        if !v.is_empty() {
            groups.entry(v).or_default().push(i);
        }
    }
    let mut found: Vec<(usize, usize)> = Vec::new();
    for members in groups.values().filter(|m| m.len() > 1) {
        let mut spans: Vec<(u32, u32, usize)> = members
            .iter()
            .map(|&i| {
                let (lo, hi) = darwin::range(&enabled[i]);
                (lo, hi, i)
            })
            .collect();
        spans.sort_unstable();
        // The entry reaching furthest so far, among those already swept.
        let mut reach: Option<(u32, usize)> = None;
        for (lo, hi, i) in spans {
            if let Some((far, j)) = reach
                && lo <= far
            {
                found.push((i.max(j), i.min(j)));
            }
            if reach.is_none_or(|(far, _)| hi > far) {
                reach = Some((hi, i));
            }
        }
    }
    found.sort_unstable();
    found.dedup_by_key(|(later, _)| *later);
    for (later, first) in found {
        let (e, f) = (&enabled[later], &enabled[first]);
        let message = format!(
            "{key} `{}` is also injected by {} for the same macOS versions: {}",
            e.str_of(key),
            f.path,
            match kind {
                Kind::Add => "the second copy of the kext cannot be injected",
                Kind::Force => "OpenCore forces the kext once; the second entry does nothing",
                _ => "the second entry does nothing",
            }
        );
        let d = cx.report(rule, &e.located_of(key), message);
        d.secondary
            .push((f.located_of(key).span, "first listed here".to_owned()));
        d.help = Some(
            "remove one entry, disable it, or give the two entries MinKernel/MaxKernel ranges \
             that do not overlap"
                .to_owned(),
        );
    }
}
