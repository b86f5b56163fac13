//! B011: the runtime driver the Booter quirks need, under the name of the
//! OpenCore release checked against (FwRuntimeServices.efi up to 0.5.6,
//! OpenRuntime.efi from 0.5.7), and the rename `fix --upgrade-to` makes.

use super::Context;
use crate::load::Loaded;
use crate::model::{ConfigKind, Drivers, Located};
use crate::patch::{self, Fix, NewValue};

rule! {
    code: B011,
    name: "openruntime-not-loaded",
    severity: Error,
    fix: Sometimes(Unsafe),
    summary: "A quirk needs OpenRuntime.efi but no enabled UEFI/Drivers entry loads it.",
    why: "These quirks are implemented by OpenRuntime.efi; without the driver they silently do nothing.",
}

const NEED_OPENRUNTIME: &[&str] = &[
    "ProvideCustomSlide",
    "DisableVariableWrite",
    "EnableWriteUnprotector",
    "ClearTaskSwitchBit",
];

/// The driver's name from OpenCore 0.5.7 on.
pub const OPEN_RUNTIME: &str = crate::folder::oc::RUNTIME_DRIVERS[0];
/// The driver's name up to OpenCore 0.5.6.
pub const FW_RUNTIME: &str = crate::folder::oc::RUNTIME_DRIVERS[1];
/// The last release that ships [`FW_RUNTIME`].
const FW_RUNTIME_LAST: &str = "0.5.6";

/// The runtime driver's name in release `index` (of [`crate::schema::releases`]).
pub fn runtime_driver_of(index: usize) -> &'static str {
    match crate::schema::release_index(FW_RUNTIME_LAST) {
        Some(last) if index <= last => FW_RUNTIME,
        _ => OPEN_RUNTIME,
    }
}

/// The driver name of the release checked against (an inferred old release
/// counts only when the config names the old driver).
fn runtime_driver(cx: &Context) -> &'static str {
    let names_old = cx
        .config
        .drivers
        .as_ref()
        .is_some_and(|d| d.entries.iter().any(|e| e.path == FW_RUNTIME));
    if cx.release_at_most(FW_RUNTIME_LAST, names_old) {
        FW_RUNTIME
    } else {
        OPEN_RUNTIME
    }
}

/// Whether UEFI/Drivers loads the runtime driver of the release checked
/// against (up to 0.5.6 an entry under the later name counts too: the file
/// name is the user's choice, only its content has to match OpenCore.efi).
pub(super) fn runtime_driver_loaded(cx: &Context) -> bool {
    let name = runtime_driver(cx);
    let accepted = |p: &str| p == name || (name == FW_RUNTIME && p == OPEN_RUNTIME);
    // One reading with the UEFI rules: see `uefi::string_entries_read`.
    let strings_dropped = !super::uefi::string_entries_read(cx);
    cx.config.drivers.as_ref().is_some_and(|d| {
        d.entries
            .iter()
            .any(|e| e.enabled && accepted(&e.path) && !(e.legacy_string && strings_dropped))
    })
}

/// Whether turning Booter quirk `key` on needs the runtime driver, and the
/// config does not load it: a fix that turns it on would leave a config
/// OpenCore's validator rejects, so the rules offer none until B011 is
/// resolved.
pub(super) fn quirk_waits_for_driver(cx: &Context, key: &str) -> Option<&'static str> {
    (cx.config.kind == ConfigKind::OpenCore
        && NEED_OPENRUNTIME.contains(&key)
        && !runtime_driver_loaded(cx))
    .then(|| runtime_driver(cx))
}

fn on(cx: &Context, key: &str) -> bool {
    cx.quirk(key) == Some(true)
}

/// B011.
pub fn b011(cx: &mut Context) {
    if cx.config.kind != ConfigKind::OpenCore {
        return;
    }
    let mut needing: Vec<&str> = NEED_OPENRUNTIME
        .iter()
        .copied()
        .filter(|k| on(cx, k))
        .collect();
    let rbvr = &cx.config.request_boot_var_routing;
    if rbvr.present() == Some(&true) {
        needing.push("RequestBootVarRouting");
    }
    if needing.is_empty() {
        return;
    }
    if runtime_driver_loaded(cx) {
        return;
    }
    let name = runtime_driver(cx);
    let drivers = cx.config.drivers.clone();
    let (at, fix, help, mut notes) = runtime_fix(cx, drivers.as_ref(), name);
    if let Some(folder) = cx.oc_folder
        && let Some(is_file) = folder.runtime_driver(name)
    {
        let file = folder.dir.join("Drivers").join(name);
        notes.push(if is_file {
            format!("{} exists on disk", file.display())
        } else {
            format!("{} is missing on disk too: copy it from the OpenCore release that matches OpenCore.efi", file.display())
        });
    }
    let d = cx.report(
        &B011,
        &at,
        format!(
            "{} need{} {name}, which UEFI/Drivers does not load",
            needing.join(", "),
            if needing.len() == 1 { "s" } else { "" }
        ),
    );
    d.fix = fix;
    d.help = help;
    d.notes.extend(notes);
}

/// Where B011 points, its fix, its help and its notes.
type Found = (Located, Option<Fix>, Option<String>, Vec<String>);

fn runtime_fix(cx: &Context, drivers: Option<&Drivers>, name: &str) -> Found {
    let text = cx.text();
    let mut notes = Vec::new();
    let Some(drivers) = drivers else {
        let at = Located {
            span: cx.config.root.span.clone(),
            path: "UEFI/Drivers".into(),
        };
        // No UEFI/Drivers array: create it (and UEFI) with one entry.
        let value = NewValue::Array(vec![NewValue::Dict(driver_values(
            DEFAULT_DRIVER_KEYS.map(String::from).to_vec(),
            name,
        ))]);
        let summary = format!("add UEFI/Drivers with an {name} entry");
        let fix = patch::insert_path(text, &cx.doc.root, &["UEFI", "Drivers"], value, &cx.style)
            .ok()
            .flatten()
            .map(|e| Fix::unsafe_(summary.clone(), vec![e]));
        let help = fix.is_none().then_some(summary);
        return (at, fix, help, notes);
    };
    // A disabled entry: enable it.
    if let Some(e) = drivers.entries.iter().find(|e| e.path == name) {
        let edit = if e.legacy_string {
            patch::node_by_span(&cx.doc.root, &e.at.span).map(|n| patch::set_string(text, n, name))
        } else {
            e.enabled_at
                .as_ref()
                .map(|at| patch::set_bool(&at.span, true))
        };
        let fix = edit.map(|ed| Fix::unsafe_(format!("enable the {name} driver entry"), vec![ed]));
        return (e.at.clone(), fix, None, notes);
    }
    // The release's driver under the other release's name: renaming the
    // entry without replacing OpenCore.efi and the file breaks the boot, so
    // the rename belongs to an upgrade (or downgrade) of OpenCore.
    let other = if name == OPEN_RUNTIME {
        FW_RUNTIME
    } else {
        OPEN_RUNTIME
    };
    if let Some(e) = drivers
        .entries
        .iter()
        .find(|e| e.enabled && e.path == other)
    {
        let release = cx
            .oc_version
            .map_or("the newest release", |r| r.target_tag());
        notes.push(format!("{FW_RUNTIME} is the name {OPEN_RUNTIME} had up to OpenCore {FW_RUNTIME_LAST}; OpenCore {release} ships {name}"));
        let help = format!(
            "if OpenCore.efi really is {release}, `ocaudit fix --upgrade-to {release}` renames the entry as part of the upgrade (replace the driver file with the one of that release too); if it is older, give its version with --oc-version"
        );
        return (e.at.clone(), None, Some(help), notes);
    }
    if let Some(e) = drivers
        .entries
        .iter()
        .find(|e| e.path.eq_ignore_ascii_case(name))
    {
        notes.push(format!(
            "entry `{}` differs in case; OpenCore compares the name exactly here",
            e.path
        ));
    }
    let Some(array) = patch::node_by_span(&cx.doc.root, &drivers.at.span) else {
        return (drivers.at.clone(), None, None, notes);
    };
    let legacy =
        drivers.entries.first().is_none_or(|e| e.legacy_string) && !drivers.entries.is_empty();
    let value = if legacy {
        NewValue::Str(name.into())
    } else {
        NewValue::Dict(driver_dict(cx, drivers, name))
    };
    let edit = patch::append_item(text, array, &value, &cx.style);
    let fix = Fix::unsafe_(format!("add {name} to UEFI/Drivers"), vec![edit]);
    (drivers.at.clone(), Some(fix), None, notes)
}

/// With `fix --upgrade-to target`: rename an enabled runtime-driver entry of
/// the other releases' name to the target release's one (the user replaces
/// OpenCore.efi, so the driver file goes with it).
pub fn runtime_driver_rename<R>(loaded: &Loaded<R>, target: &str) -> Option<Fix> {
    if loaded.config.kind != ConfigKind::OpenCore {
        return None;
    }
    let name = runtime_driver_of(crate::schema::release_index(target)?);
    let other = if name == OPEN_RUNTIME {
        FW_RUNTIME
    } else {
        OPEN_RUNTIME
    };
    let drivers = loaded.config.drivers.as_ref()?;
    if drivers.entries.iter().any(|e| e.path == name) {
        return None;
    }
    let e = drivers
        .entries
        .iter()
        .find(|e| e.enabled && e.path == other)?;
    let text = &loaded.source.text;
    let node = patch::node_by_span(&loaded.doc.root, &e.at.span)?;
    let edit = if e.legacy_string {
        patch::set_string(text, node, name)
    } else {
        let path = node.as_dict()?.get("Path")?;
        patch::set_string(text, &path.value, name)
    };
    Some(Fix::safe(
        format!(
            "rename the {other} entry to {name}, the driver's name in OpenCore {target} (replace Drivers/{other} with that release's {name})"
        ),
        vec![edit],
    ))
}

/// A new driver dict with the same keys, in the same order, as its siblings.
fn driver_dict(cx: &Context, drivers: &Drivers, name: &str) -> Vec<(String, NewValue)> {
    let sibling_keys: Option<Vec<String>> = drivers
        .entries
        .iter()
        .find(|e| !e.legacy_string)
        .and_then(|e| {
            let n = patch::node_by_span(&cx.doc.root, &e.at.span)?;
            Some(
                n.as_dict()?
                    .entries
                    .iter()
                    .map(|en| en.key.to_string())
                    .collect(),
            )
        });
    let keys = sibling_keys.unwrap_or_else(|| DEFAULT_DRIVER_KEYS.map(String::from).to_vec());
    driver_values(keys, name)
}

/// The keys of a driver entry in Sample.plist.
const DEFAULT_DRIVER_KEYS: [&str; 5] = ["Arguments", "Comment", "Enabled", "LoadEarly", "Path"];

/// The values of a new runtime-driver entry named `name` for these keys.
fn driver_values(keys: Vec<String>, name: &str) -> Vec<(String, NewValue)> {
    keys.into_iter()
        .filter_map(|k| {
            let v = match k.as_str() {
                "Path" => NewValue::Str(name.into()),
                "Enabled" => NewValue::Bool(true),
                "LoadEarly" => NewValue::Bool(false),
                "Arguments" => NewValue::Str(String::new()),
                "Comment" => NewValue::Str("added by ocaudit".into()),
                _ => return None,
            };
            Some((k, v))
        })
        .collect()
}
