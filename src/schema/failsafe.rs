//! Failsafe values: what OpenCore uses for a key that is absent.
//!
//! `rules/schema/failsafe.txt` is written by `examples/gen_schema` from each
//! release's `Configuration.tex` (the "Failsafe" of every key) and embedded
//! here. It is read on first use only (a few hundred lines), since only a
//! missing key needs it. A key whose manual entry states no value in a form
//! that can be written (for instance "OEM specified") has no failsafe, and
//! nothing is inserted for it.
//!
//! Checked against OpenCore 1.0.7's own reader (a build that prints every
//! value it stores, fed a config with every key absent): all 383 stated
//! failsafes of 1.0.7 equal what the reader stores, except
//! `UEFI/Output/InitialMode` (`Auto`) and `UEFI/Output/TextRenderer`
//! (`BuiltinGraphics`), stored as an empty string that OpenCore's code
//! treats exactly like the manual's value. `Misc/Serial/Custom/LineControl`
//! follows the code (3), not the manual (7).

use std::collections::HashMap;
use std::sync::OnceLock;

use super::data::{Kind, Table, bit, hex_bytes, unescape};
use crate::patch::NewValue;

/// The data file.
pub const FAILSAFE_DATA: &str = include_str!("../../rules/schema/failsafe.txt");

/// Per key path: (first release, failsafe from then on; `None`: unknown).
type Runs = HashMap<&'static str, Vec<(usize, Option<(Kind, &'static str)>)>>;

fn runs() -> &'static Runs {
    static RUNS: OnceLock<Runs> = OnceLock::new();
    RUNS.get_or_init(|| parse(FAILSAFE_DATA, Table::get().releases))
}

/// Parse the data file against the release list `releases`.
fn parse(data: &'static str, releases: &[&str]) -> Runs {
    let mut out: Runs = HashMap::new();
    let mut r = None;
    for line in data.lines() {
        if let Some(tag) = line.strip_prefix('@') {
            r = releases.iter().position(|t| *t == tag);
            continue;
        }
        let Some(r) = r else { continue };
        if let Some(path) = line.strip_prefix('?') {
            out.entry(path).or_default().push((r, None));
        } else if let Some(rest) = line.strip_prefix('=') {
            let mut f = rest.splitn(3, '\t');
            let (Some(path), Some(kind), Some(value)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            let kind = match kind {
                "b" => Kind::Boolean,
                "i" => Kind::Integer,
                "s" => Kind::String,
                "d" => Kind::Data,
                "A" => Kind::Array,
                _ => continue,
            };
            out.entry(path).or_default().push((r, Some((kind, value))));
        }
    }
    out
}

/// The failsafe of scalar or array key `path` in release `r`, as kind and
/// encoded value.
fn stated(path: &str, r: usize) -> Option<(Kind, &'static str)> {
    runs()
        .get(path)?
        .iter()
        .rev()
        .find(|(from, _)| *from <= r)
        .and_then(|(_, v)| *v)
}

/// The value OpenCore `r` uses when key `c` is absent, as something to
/// insert: a scalar or empty array from the manual; a dict holding the
/// failsafe of each of its required keys (`None` when one has none).
pub fn failsafe(t: &Table, c: usize, r: usize) -> Option<NewValue> {
    let k = &t.keys[c];
    let v = k.at(r)?;
    if v.kind == Kind::Dict {
        if k.free.is_some() {
            return Some(NewValue::Dict(Vec::new()));
        }
        let mut kids: Vec<usize> = k
            .children
            .iter()
            .copied()
            .filter(|&ch| t.keys[ch].required & bit(r) != 0 && t.keys[ch].leaf != "[]")
            .collect();
        kids.sort_by(|&a, &b| super::upgrade::caseless(t.keys[a].leaf, t.keys[b].leaf));
        let mut out = Vec::with_capacity(kids.len());
        for ch in kids {
            out.push((t.keys[ch].leaf.to_owned(), failsafe(t, ch, r)?));
        }
        return Some(NewValue::Dict(out));
    }
    let (kind, value) = stated(k.path, r)?;
    if kind != v.kind {
        return None;
    }
    Some(match kind {
        Kind::Boolean => NewValue::Bool(value == "true"),
        Kind::Integer => NewValue::Int(value.parse().ok()?),
        Kind::String => NewValue::Str(unescape(value)),
        Kind::Data => NewValue::Data(hex_bytes(value)),
        Kind::Array => NewValue::Array(Vec::new()),
        Kind::Dict | Kind::Any => return None,
    })
}

/// The failsafe of the key at normalised `path` in release tag `version`.
pub fn failsafe_value(path: &str, version: &str) -> Option<NewValue> {
    let t = Table::get();
    failsafe(t, t.lookup(path)?, super::release_index(version)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every line of the data file is well formed and names a key the schema
    /// knows in that release, with the kind the schema gives it there.
    #[test]
    fn data_matches_schema() {
        let t = Table::get();
        let mut r = None;
        let mut lines = 0;
        for line in FAILSAFE_DATA.lines().filter(|l| !l.starts_with('#')) {
            if let Some(tag) = line.strip_prefix('@') {
                r = t.releases.iter().position(|x| *x == tag);
                assert!(r.is_some(), "unknown release {tag}");
                continue;
            }
            let r = r.expect("a line before the first @TAG");
            let (path, kind) = match line.split_at(1) {
                ("?", p) => (p, None),
                ("=", rest) => {
                    let mut f = rest.split('\t');
                    (f.next().unwrap(), f.next())
                }
                _ => panic!("malformed line {line:?}"),
            };
            let k = t
                .lookup(path)
                .unwrap_or_else(|| panic!("{path} not in the schema"));
            let v = t.keys[k]
                .at(r)
                .unwrap_or_else(|| panic!("{path} absent in {r}"));
            if let Some(kind) = kind {
                let code = &v.kind.name()[..1];
                let want = if v.kind == Kind::Array { "A" } else { code };
                assert_eq!(kind, want, "{line}");
            }
            lines += 1;
        }
        assert!(lines > 400, "only {lines} failsafe lines");
    }

    /// The values the manual states for the keys that X007 used to fill
    /// with sample values (issue 13's list).
    #[test]
    fn manual_failsafes_of_reported_keys() {
        let cases = [
            ("UEFI/Drivers/[]/LoadEarly", "1.0.7", NewValue::Bool(false)),
            (
                "Kernel/Add/[]/ExecutablePath",
                "1.0.7",
                NewValue::Str(String::new()),
            ),
            ("ACPI/Patch/[]/Count", "1.0.7", NewValue::Int(0)),
            (
                "Kernel/Patch/[]/Base",
                "1.0.7",
                NewValue::Str(String::new()),
            ),
            (
                "ACPI/Delete/[]/OemTableId",
                "1.0.7",
                NewValue::Data(vec![0; 8]),
            ),
            (
                "ACPI/Block/[]/OemTableId",
                "0.5.5",
                NewValue::Data(vec![0; 8]),
            ),
            (
                "Booter/Quirks/ResizeAppleGpuBars",
                "1.0.7",
                NewValue::Int(-1),
            ),
            (
                "Misc/Security/Vault",
                "1.0.7",
                NewValue::Str("Secure".into()),
            ),
            // A fixed-size field the manual calls "Empty" holds zeros.
            (
                "PlatformInfo/PlatformNVRAM/ROM",
                "1.0.7",
                NewValue::Data(vec![0; 6]),
            ),
            // The manual says 0x07; OpenCore's code (and its reader) use 3.
            ("Misc/Serial/Custom/LineControl", "1.0.7", NewValue::Int(3)),
        ];
        for (path, tag, want) in cases {
            assert_eq!(failsafe_value(path, tag), Some(want), "{path} at {tag}");
        }
    }

    /// Where the manual states no value, there is none.
    #[test]
    fn no_invented_failsafe() {
        assert_eq!(
            failsafe_value("PlatformInfo/SMBIOS/FirmwareFeatures", "1.0.7"),
            None
        );
    }

    /// An absent dict reads as its required keys' failsafes.
    #[test]
    fn dict_failsafe_holds_children() {
        let Some(NewValue::Dict(kids)) = failsafe_value("Booter/Quirks", "1.0.7") else {
            panic!("Booter/Quirks has a failsafe");
        };
        assert!(
            kids.iter()
                .any(|(k, v)| k == "AvoidRuntimeDefrag" && *v == NewValue::Bool(false))
        );
        assert!(
            kids.iter()
                .any(|(k, v)| k == "ProvideMaxSlide" && *v == NewValue::Int(0))
        );
    }
}
