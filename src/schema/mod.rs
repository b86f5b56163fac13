//! Per-release OpenCore config schemas and lookups: which keys each release
//! from 0.5.0 to HEAD defines (type, optionality, sample value), how a key's
//! place changed over time, and which releases a config matches.
//!
//! The data is generated from OpenCore's sample configs by
//! `examples/gen_schema.rs` into `rules/schema/opencore.txt` and embedded in
//! the binary; it is parsed once, on first use. Paths are normalised: `[]`
//! stands for an array element and `*` for a user-chosen key (NVRAM GUIDs,
//! device paths, variable and property names). Keys starting with `#` are
//! comments and never take part.

mod check;
mod data;
mod failsafe;
mod history;
mod infer;
mod upgrade;

pub(crate) use check::kind_of;
pub use check::{Finding, check};
pub(crate) use data::bit;
pub use data::{Kind, Mask, Table};
pub use failsafe::{failsafe, failsafe_value};
pub use history::{lifetime, moved, unknown_reason};
pub use infer::{Inference, infer};
#[cfg(test)]
use upgrade::sample;
pub use upgrade::{sample_value, upgrade_fixes};
pub(crate) use upgrade::{show as show_value, to_new_value};

use crate::plist::Node;

/// OpenCore's fixed-size `<data>` keys and the size of their field in bytes
/// (`OcConfigurationLib.h`, unchanged across releases), by normalised path
/// (`[]`: every entry of the array). OpenCore rejects a longer value whole
/// and keeps the field's failsafe, all zero bytes.
pub const FIXED_DATA: &[(&str, usize)] = &[
    ("ACPI/Block/[]/OemTableId", 8),
    ("ACPI/Block/[]/TableSignature", 4),
    ("ACPI/Delete/[]/OemTableId", 8),
    ("ACPI/Delete/[]/TableSignature", 4),
    ("ACPI/Patch/[]/OemTableId", 8),
    ("ACPI/Patch/[]/TableSignature", 4),
    ("Kernel/Emulate/Cpuid1Data", 16),
    ("Kernel/Emulate/Cpuid1Mask", 16),
    ("Misc/Security/PasswordHash", 64),
    ("PlatformInfo/DataHub/BoardRevision", 1),
    ("PlatformInfo/DataHub/SmcBranch", 8),
    ("PlatformInfo/DataHub/SmcPlatform", 8),
    ("PlatformInfo/DataHub/SmcRevision", 6),
    ("PlatformInfo/Generic/ROM", 6),
    ("PlatformInfo/PlatformNVRAM/FirmwareFeatures", 8),
    ("PlatformInfo/PlatformNVRAM/FirmwareFeaturesMask", 8),
    ("PlatformInfo/PlatformNVRAM/ROM", 6),
    ("PlatformInfo/SMBIOS/FirmwareFeatures", 8),
    ("PlatformInfo/SMBIOS/FirmwareFeaturesMask", 8),
    ("PlatformInfo/SMBIOS/SmcVersion", 16),
];

/// Every release tag, oldest first, `HEAD` last.
pub fn releases() -> &'static [&'static str] {
    Table::get().releases
}

/// The index of a release tag (`1.0.7`, `v1.0.7`, `HEAD`).
pub fn release_index(version: &str) -> Option<usize> {
    let v = version.trim();
    let v = v.strip_prefix(['v', 'V']).unwrap_or(v);
    releases().iter().position(|r| r.eq_ignore_ascii_case(v))
}

fn numeric(v: &str) -> Option<(u32, u32, u32)> {
    let mut it = v.trim().split('.').map(|p| p.parse::<u32>().ok());
    let out = (it.next()??, it.next()??, it.next()??);
    it.next().is_none().then_some(out)
}

/// The release a running OpenCore version maps to: itself when known, HEAD
/// when it is newer than every tagged release.
pub fn running_release(version: &str) -> Option<usize> {
    if let Some(i) = release_index(version) {
        return Some(i);
    }
    let v = numeric(version)?;
    let rel = releases();
    let newest = rel.iter().rev().find_map(|r| numeric(r))?;
    (v > newest)
        .then(|| rel.iter().position(|r| *r == "HEAD"))
        .flatten()
}

/// One key of one release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyInfo {
    /// The normalised path.
    pub path: &'static str,
    /// Its type.
    pub kind: Kind,
    /// Whether it may be absent.
    pub optional: bool,
    /// The sample value (booleans `true`/`false`, decimal integers, data as
    /// hex, strings as written; empty for dicts and arrays).
    pub sample: String,
}

/// The schema of one release.
#[derive(Debug, Clone, Copy)]
pub struct Schema {
    release: usize,
}

/// The schema of a release tag.
pub fn schema_for(version: &str) -> Option<Schema> {
    release_index(version).map(|release| Schema { release })
}

impl Schema {
    /// The release tag.
    pub fn release(&self) -> &'static str {
        releases()[self.release]
    }

    /// The release index.
    pub fn index(&self) -> usize {
        self.release
    }

    /// The key at a normalised path, when this release defines it.
    pub fn get(&self, path: &str) -> Option<KeyInfo> {
        let t = Table::get();
        let c = t.lookup(path)?;
        self.info(t, c)
    }

    fn info(&self, t: &'static Table, c: usize) -> Option<KeyInfo> {
        let k = &t.keys[c];
        let v = k.at(self.release)?;
        Some(KeyInfo {
            path: k.path,
            kind: v.kind,
            optional: v.optional,
            sample: data::unescape(v.value),
        })
    }

    /// Every key of this release, parents before children.
    pub fn keys(&self) -> impl Iterator<Item = KeyInfo> + '_ {
        let t = Table::get();
        (0..t.keys.len()).filter_map(move |c| self.info(t, c))
    }

    /// Compare a config with this release.
    pub fn check<'a>(&self, root: &'a Node) -> Vec<Finding<'a>> {
        check(Table::get(), root, self.release)
    }
}

/// How the keys of two releases differ.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    /// Keys only in the second release.
    pub added: Vec<&'static str>,
    /// Keys only in the first release.
    pub removed: Vec<&'static str>,
    /// Keys in both whose type differs: (path, type in a, type in b).
    pub retyped: Vec<(&'static str, Kind, Kind)>,
    /// Keys in both that are required in one and optional in the other.
    pub optionality: Vec<&'static str>,
}

/// How release `b`'s keys differ from release `a`'s.
pub fn diff(a: &Schema, b: &Schema) -> Diff {
    let mut d = Diff::default();
    let t = Table::get();
    for k in t.keys {
        match (k.at(a.release), k.at(b.release)) {
            (None, Some(_)) => d.added.push(k.path),
            (Some(_), None) => d.removed.push(k.path),
            (Some(x), Some(y)) => {
                if x.kind != y.kind {
                    d.retyped.push((k.path, x.kind, y.kind));
                }
                if x.optional != y.optional {
                    d.optionality.push(k.path);
                }
            }
            (None, None) => {}
        }
    }
    d
}

/// The history of a key at a normalised path, seen from release `target`:
/// `None` when the target defines it, else why not ("moved from ... in
/// 0.5.6", "removed in 0.5.8", "added in 0.7.3, after your target release").
pub fn history(path: &str, target: &str) -> Option<String> {
    let t = Table::get();
    let r = release_index(target)?;
    let c = t.lookup(path);
    if c.is_some_and(|c| t.keys[c].present & data::bit(r) != 0) {
        return None;
    }
    Some(unknown_reason(t, path, c, r))
}

/// Where the target release came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// `--oc-version`.
    Flag,
    /// The version line of `--log`.
    Log,
    /// The newest release the config matches.
    Inferred,
}

/// The release a config is checked against, and the inferred range.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    /// Index of the target release.
    pub target: usize,
    /// Where it came from.
    pub source: Source,
    /// The running release from the log, when known.
    pub running: Option<usize>,
    /// The releases the config matches best.
    pub inference: Inference,
}

impl Resolved {
    /// The target release tag.
    pub fn target_tag(&self) -> &'static str {
        releases()[self.target]
    }

    /// One line for the human header.
    pub fn describe(&self) -> String {
        let how = match self.source {
            Source::Flag => "from --oc-version",
            Source::Log => "from the log",
            Source::Inferred => "inferred",
        };
        format!(
            "OpenCore {} ({how}); config {}",
            self.target_tag(),
            self.inference.summary()
        )
    }
}

/// Pick the target: `flag`, else the log's version, else the newest release
/// the config matches. Unknown flag or log versions fall through.
pub fn resolve(root: &Node, flag: Option<&str>, log_version: Option<&str>) -> Resolved {
    let t = Table::get();
    let inference = infer(t, root);
    let running = log_version.and_then(running_release);
    let (target, source) = match (flag.and_then(release_index), running) {
        (Some(f), _) => (f, Source::Flag),
        (None, Some(l)) => (l, Source::Log),
        (None, None) => (inference.hi, Source::Inferred),
    };
    Resolved {
        target,
        source,
        running,
        inference,
    }
}

#[cfg(test)]
mod tests;
