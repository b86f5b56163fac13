//! Kind detection, and the typed view of Clover files.
//!
//! A Clover `config.plist` keeps the booter quirks in one root `Quirks` dict
//! (shared with kernel quirks), the whitelist in `Quirks/MmioWhitelist` and
//! the boot arguments in `Boot/Arguments`; custom entries under
//! `GUI/Custom/Entries` replace (`Arguments`) or extend (`AddArguments`) them.
//! Clover reads keys case-insensitively, keeps the first duplicate and skips
//! keys that start with `#` or end with `?`.
//!
//! An `OcQuirks.plist` is a flat dict of booter quirks read by the old
//! OcQuirks.efi driver through OpenCore's schema parser (exact key names),
//! with defaults of its own.

use super::build::{Builder, Reading};
use super::*;
use crate::plist::{Dict, Document};

/// Root keys only an OpenCore config.plist has.
pub const OPENCORE_SECTIONS: &[&str] = &[
    "Booter",
    "DeviceProperties",
    "Kernel",
    "Misc",
    "NVRAM",
    "PlatformInfo",
    "UEFI",
];

/// Root keys only a Clover config.plist has (`OcQuirks` is the Sept-2020
/// development layout).
pub const CLOVER_SECTIONS: &[&str] = &[
    "Boot",
    "BootGraphics",
    "CPU",
    "Devices",
    "DisableDrivers",
    "GUI",
    "Graphics",
    "KernelAndKextPatches",
    "OcQuirks",
    "Quirks",
    "RtVariables",
    "SMBIOS",
    "SystemParameters",
];

/// Keys an OcQuirks.plist holds (both the 2020 schema and the older one with
/// ProtectCsmRegion and ShrinkMemoryMap).
pub const OCQUIRKS_KEYS: &[&str] = &[
    "AvoidRuntimeDefrag",
    "DevirtualiseMmio",
    "DisableSingleUser",
    "DisableVariableWrite",
    "DiscardHibernateMap",
    "EnableSafeModeSlide",
    "EnableWriteUnprotector",
    "ForceExitBootServices",
    "MmioWhitelist",
    "ProtectCsmRegion",
    "ProtectMemoryRegions",
    "ProtectSecureBoot",
    "ProtectUefiServices",
    "ProvideConsoleGopEnable",
    "ProvideCustomSlide",
    "ProvideMaxSlide",
    "RebuildAppleMemoryMap",
    "SetupVirtualMap",
    "ShrinkMemoryMap",
    "SignalAppleOS",
    "SyncRuntimePermissions",
];

/// Booter quirks that Clover r5124+ takes as true when the `Quirks` dict is
/// present but the key is not.
pub const CLOVER_DEFAULT_TRUE: &[&str] = &[
    "AvoidRuntimeDefrag",
    "EnableSafeModeSlide",
    "EnableWriteUnprotector",
    "SetupVirtualMap",
    "SyncRuntimePermissions",
];

/// Booter quirks that the OcQuirks.efi driver takes as true when the key is
/// missing from OcQuirks.plist (ForceExitBootServices and
/// ProvideConsoleGopEnable too, which the model does not read).
pub const OCQUIRKS_DEFAULT_TRUE: &[&str] = &[
    "AvoidRuntimeDefrag",
    "EnableSafeModeSlide",
    "ProvideCustomSlide",
    "RebuildAppleMemoryMap",
    "SetupVirtualMap",
    "SyncRuntimePermissions",
];

/// Whether Clover treats `key` as a comment (`#Key` or `Key?`) and skips it.
pub fn is_comment_key(key: &str) -> bool {
    key.starts_with('#') || key.ends_with('?')
}

/// The kind of file, from the root dict's keys; `None` when the root is not a
/// dict or its keys match no known kind (or match two kinds equally).
pub fn detect_kind(doc: &Document) -> Option<ConfigKind> {
    let dict = doc.root.as_dict()?;
    // Distinct keys: a duplicate must not tip the balance (removing it, as
    // X003's fix does, would change what kind of file this is).
    let keys: std::collections::BTreeSet<&str> = dict
        .entries
        .iter()
        .map(|e| e.key.as_str())
        .filter(|k| !is_comment_key(k))
        .collect();
    let opencore = keys
        .iter()
        .filter(|k| OPENCORE_SECTIONS.contains(k))
        .count();
    let clover = keys
        .iter()
        .filter(|k| CLOVER_SECTIONS.iter().any(|s| s.eq_ignore_ascii_case(k)))
        .count();
    if opencore > clover {
        return Some(ConfigKind::OpenCore);
    }
    if clover > opencore {
        return Some(ConfigKind::Clover);
    }
    if opencore > 0 {
        return None;
    }
    let quirks = keys.iter().filter(|k| OCQUIRKS_KEYS.contains(k)).count();
    (quirks >= 2 && quirks * 2 >= keys.len()).then_some(ConfigKind::OcQuirks)
}

/// What `detect_kind` looks for, for error messages.
pub const KIND_EXPECTATION: &str = "an OpenCore config.plist (root keys such as Booter, Kernel, \
     Misc, NVRAM, UEFI), a Clover config.plist (Boot, GUI, KernelAndKextPatches, Quirks, \
     SMBIOS, ...) or an OcQuirks.plist (a flat dict of booter quirks such as \
     ProvideCustomSlide)";

/// Build the typed view for a file of the given kind.
pub fn build_kind(doc: &Document, kind: ConfigKind) -> Config {
    match kind {
        ConfigKind::OpenCore => super::build(doc),
        ConfigKind::Clover => build_clover(doc),
        ConfigKind::OcQuirks => build_ocquirks(doc),
    }
}

fn root_located(doc: &Document) -> Located {
    Located {
        span: doc.root.span.clone(),
        path: String::new(),
    }
}

/// Build the typed view of a Clover config.plist (Clover's reading).
pub fn build_clover(doc: &Document) -> Config {
    let mut b = Builder::new(Reading::Clover);
    let root_dict = doc.root.as_dict();
    let quirks_entry = root_dict.and_then(|d| b.dict_entry(d, "Quirks", ""));
    let mut quirks = b.booter_quirks(quirks_entry.clone(), "Quirks", &|k| {
        CLOVER_DEFAULT_TRUE.contains(&k)
    });
    // Clover has no AllowRelocationBlock: it zeroes OpenCore's booter quirks
    // first and never sets this one.
    quirks.allow_relocation_block = Field::default();
    let mmio_whitelist = quirks_entry.and_then(|(d, _)| b.whitelist(d, "MmioWhitelist", "Quirks"));
    let boot_args = root_dict
        .and_then(|d| b.dict_entry(d, "Boot", ""))
        .and_then(|(d, _)| b.arg_string(d, "Arguments", "Boot"));
    let entry_args = root_dict
        .map(|d| custom_entry_args(&mut b, d))
        .unwrap_or_default();
    let product_name = root_dict
        .and_then(|d| b.dict_entry(d, "SMBIOS", ""))
        .and_then(|(d, _)| b.string(d, "ProductName", "SMBIOS"));
    Config {
        kind: ConfigKind::Clover,
        root: root_located(doc),
        quirks,
        request_boot_var_routing: Field::default(),
        mmio_whitelist,
        drivers: None,
        boot_args,
        entry_args,
        nvram: Nvram::default(),
        product_name,
        type_errors: b.type_errors,
    }
}

/// `Arguments` (replacing Boot/Arguments) and `AddArguments` (appended to
/// it) of every enabled custom entry and sub-entry.
fn custom_entry_args(b: &mut Builder, root: &Dict) -> Vec<ArgString> {
    let mut out = Vec::new();
    let Some((gui, _)) = b.dict_entry(root, "GUI", "") else {
        return out;
    };
    let Some((custom, _)) = b.dict_entry(gui, "Custom", "GUI") else {
        return out;
    };
    let Some(items) = b.array_entry(custom, "Entries", "GUI/Custom") else {
        return out;
    };
    for (i, item) in items.iter().enumerate() {
        let path = format!("GUI/Custom/Entries/{i}");
        let Some(d) = item.as_dict() else { continue };
        entry_args(b, d, &path, &mut out);
        let Some(subs) = b.array_entry(d, "SubEntries", &path) else {
            continue;
        };
        for (j, sub) in subs.iter().enumerate() {
            if let Some(sd) = sub.as_dict() {
                entry_args(b, sd, &format!("{path}/SubEntries/{j}"), &mut out);
            }
        }
    }
    out
}

fn entry_args(b: &mut Builder, d: &Dict, path: &str, out: &mut Vec<ArgString>) {
    if b.bool_field(d, "Disabled", path, false).value {
        return;
    }
    for key in ["Arguments", "AddArguments"] {
        if let Some(a) = b.arg_string(d, key, path) {
            out.push(a);
        }
    }
}

/// Build the typed view of an OcQuirks.plist (the OcQuirks.efi driver's
/// reading: OpenCore's schema parser with the driver's own defaults).
pub fn build_ocquirks(doc: &Document) -> Config {
    let mut b = Builder::new(Reading::OpenCore);
    let root = root_located(doc);
    let entry = doc.root.as_dict().map(|d| (d, root.clone()));
    let mut quirks = b.booter_quirks(entry, "", &|k| OCQUIRKS_DEFAULT_TRUE.contains(&k));
    // Not in the driver's schema.
    quirks.allow_relocation_block = Field::default();
    quirks.clear_task_switch_bit = Field::default();
    let mmio_whitelist = doc
        .root
        .as_dict()
        .and_then(|d| b.whitelist(d, "MmioWhitelist", ""));
    Config {
        kind: ConfigKind::OcQuirks,
        root,
        quirks,
        request_boot_var_routing: Field::default(),
        mmio_whitelist,
        drivers: None,
        boot_args: None,
        entry_args: Vec::new(),
        nvram: Nvram::default(),
        product_name: None,
        type_errors: b.type_errors,
    }
}

#[cfg(test)]
mod tests;
