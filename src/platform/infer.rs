//! Which platform a config is for: find the signals of `rules/signals.json`
//! in the whole config (and the OpenCore log, when given), weigh them, and
//! say how sure the answer is.
//!
//! Signals are grouped by what they point to; a group adds its strongest
//! weight (plus one when it holds several signals) to each platform in it,
//! so six laptop kexts count as one sure laptop sign, not six. The log's
//! CPU (weight 10) outranks anything a config says; `SystemProductName` is
//! only half a point, so it never decides between platforms that real
//! signals tie on (users pick the model for macOS support, not to describe
//! their hardware). Platforms within one point of the best stay candidates,
//! so a single hint never decides. Tie-breaks then narrow the list: Zen
//! over FX among AMD platforms, and those of [`super::tiebreak`] (no laptop
//! signs, then the model among platforms the hardware cannot separate).

use super::{
    Confidence, Platform, PlatformMatch, PlatformSource, SIGNALS, SignalDef, SignalHit, SignalKind,
};
use crate::memmap::oclog::OcLog;
use crate::plist::{Node, Value};

/// Infer the platform of a config from its tree (OpenCore or Clover layout),
/// its SystemProductName and, when given, an OpenCore log. `None` when
/// nothing points anywhere.
pub fn infer(root: &Node, model: Option<&str>, log: Option<&OcLog>) -> Option<PlatformMatch> {
    let mut hits = Vec::new();
    // The log first: it outranks the config, and the evidence lists it so.
    if let Some(log) = log {
        super::cpu::collect(log, &mut hits);
    }
    collect(root, &mut hits);
    if let Some(m) = model {
        smbios(m.trim(), &mut hits);
    }
    decide(hits, model.map(str::trim).filter(|m| !m.is_empty()))
}

/// Score the hits and pick the candidates.
pub fn decide(hits: Vec<SignalHit>, model: Option<&str>) -> Option<PlatformMatch> {
    let platforms = super::all();
    // Scores in half points: a SystemProductName counts one half.
    let mut score = vec![0u32; platforms.len()];
    let prior = model.map(super::model_candidates).unwrap_or_default();
    let mut groups: Vec<(&'static [&'static str], u32, u32)> = Vec::new();
    for h in hits.iter().filter(|h| !is_smbios(h) && h.weight > 0) {
        match groups
            .iter_mut()
            .find(|g| std::ptr::eq(g.0, h.targets) || g.0 == h.targets)
        {
            Some(g) => {
                g.1 = g.1.max(u32::from(h.weight));
                g.2 += 1;
            }
            None => groups.push((h.targets, u32::from(h.weight), 1)),
        }
    }
    for (i, p) in platforms.iter().enumerate() {
        if prior.iter().any(|c| c.slug == p.slug) {
            score[i] += 1;
        }
        score[i] += hits
            .iter()
            .filter(|h| is_smbios(h) && h.targets.contains(&p.slug))
            .count() as u32;
        for (targets, max, count) in &groups {
            if targets.contains(&p.slug) {
                score[i] += 2 * max + if *count > 1 { 2 } else { 0 };
            }
        }
    }
    let top = *score.iter().max()?;
    if top == 0 {
        return None;
    }
    // A lone hint (SSDT-PLUG, a CFG-lock quirk) says too little to list
    // platforms from: fall back on the model, at low confidence.
    if top < 4 {
        return (!prior.is_empty()).then(|| PlatformMatch {
            candidates: prior,
            source: PlatformSource::Model(model.unwrap_or_default().to_owned()),
            confidence: Confidence::Low,
            evidence: hits,
            ignored_model: None,
            tie_breaks: Vec::new(),
        });
    }
    // One hint (weight 1: two half points) or the model never separates
    // platforms on its own.
    let floor = top.saturating_sub(2).max(1);
    let mut candidates: Vec<&'static Platform> = platforms
        .iter()
        .zip(&score)
        .filter(|(_, s)| **s >= floor)
        .map(|(p, _)| p)
        .collect();
    let second = platforms
        .iter()
        .zip(&score)
        .filter(|(p, _)| !candidates.iter().any(|c| c.slug == p.slug))
        .map(|(_, s)| *s)
        .max()
        .unwrap_or(0);
    // Among AMD platforms, Zen unless something points to FX: the FX page
    // covers the 15h/16h families that few still run.
    let tie_break = candidates.len() > 1
        && candidates.iter().all(|p| p.vendor == "amd")
        && candidates.iter().any(|p| p.slug == "amd-zen");
    if tie_break {
        candidates.retain(|p| p.slug == "amd-zen");
    }
    let narrowed = super::tiebreak::apply(&mut candidates, &hits, model);
    let from_log = hits
        .iter()
        .any(|h| h.weight >= 10 && candidates.iter().any(|c| h.targets.contains(&c.slug)));
    let real_signals = hits.iter().any(|h| !is_smbios(h));
    // Identifying signals for both vendors make the answer unsure, unless
    // the other vendor's best platform trails by an identifying signal.
    let other_vendor = platforms
        .iter()
        .zip(&score)
        .filter(|(p, _)| p.vendor != "any" && candidates.iter().all(|c| c.vendor != p.vendor))
        .map(|(_, s)| *s)
        .max()
        .unwrap_or(0);
    let mixed = candidates.iter().any(|c| c.vendor != candidates[0].vendor);
    let conflict = vendor_conflict(&hits) && (mixed || top < other_vendor + 6);
    let confidence = if !real_signals || conflict {
        Confidence::Low
    } else if candidates.len() == 1 && (from_log || (top >= second + 6 && !tie_break)) {
        Confidence::High
    } else if top >= second + 2 && top >= 4 {
        Confidence::Medium
    } else {
        Confidence::Low
    };
    // A tie-break is the best evidence left, not proof: at most medium
    // unless the log named the CPU.
    let confidence = if !narrowed.is_empty() && confidence == Confidence::High && !from_log {
        Confidence::Medium
    } else {
        confidence
    };
    let source = if real_signals {
        PlatformSource::Inferred
    } else {
        PlatformSource::Model(model.unwrap_or_default().to_owned())
    };
    let ignored_model = model.filter(|_| {
        real_signals
            && !prior.is_empty()
            && !candidates
                .iter()
                .any(|c| prior.iter().any(|p| p.slug == c.slug))
    });
    Some(PlatformMatch {
        candidates,
        source,
        confidence,
        evidence: hits,
        ignored_model: ignored_model.map(str::to_owned),
        tie_breaks: narrowed,
    })
}

fn is_smbios(h: &SignalHit) -> bool {
    h.signal.starts_with("SystemProductName")
}

/// Identifying signals (weight 3 or more) for Intel only and for AMD only.
fn vendor_conflict(hits: &[SignalHit]) -> bool {
    let only = |vendor: &str| {
        hits.iter().any(|h| {
            h.weight >= 3
                && !h.targets.is_empty()
                && h.targets
                    .iter()
                    .all(|t| super::by_slug(t).is_some_and(|p| p.vendor == vendor))
        })
    };
    only("intel") && only("amd")
}

/// Record a hit of `def` once (the first place it is seen).
pub(super) fn hit(
    hits: &mut Vec<SignalHit>,
    def: &'static SignalDef,
    signal: String,
    path: String,
) {
    if hits
        .iter()
        .any(|h| std::ptr::eq(h.targets, def.targets) && h.signal == signal)
    {
        return;
    }
    hits.push(SignalHit {
        signal,
        path,
        points_to: def.points_to,
        targets: def.targets,
        weight: def.weight,
    });
}

pub(super) fn defs(kind: SignalKind) -> impl Iterator<Item = &'static SignalDef> {
    // Grouped by kind once per process (in table order): each config entry
    // looks at its kind's few definitions, not at all of them.
    static BY_KIND: std::sync::OnceLock<Vec<(SignalKind, Vec<&'static SignalDef>)>> =
        std::sync::OnceLock::new();
    let groups = BY_KIND.get_or_init(|| {
        let mut groups: Vec<(SignalKind, Vec<&'static SignalDef>)> = Vec::new();
        for def in SIGNALS {
            match groups.iter_mut().find(|(k, _)| *k == def.kind) {
                Some((_, list)) => list.push(def),
                None => groups.push((def.kind, vec![def])),
            }
        }
        groups
    });
    groups
        .iter()
        .find(|(k, _)| *k == kind)
        .map_or(&[][..], |(_, list)| list.as_slice())
        .iter()
        .copied()
}

pub(super) fn hex(pattern: &str) -> Option<u32> {
    u32::from_str_radix(pattern.trim_start_matches("0x"), 16).ok()
}

fn starts_with_ci(text: &str, prefix: &str) -> bool {
    text.len() >= prefix.len() && text[..prefix.len()].eq_ignore_ascii_case(prefix)
}

pub(super) fn contains_ci(text: &str, needle: &str) -> bool {
    let needle = needle.as_bytes();
    needle.is_empty()
        || text
            .as_bytes()
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

/// A little-endian number from data (its first `n` bytes), an integer, or a
/// hex string (Clover writes `0x3E9B0007`).
pub(super) fn number(node: &Node, n: usize) -> Option<u32> {
    match &node.value {
        Value::Data(d) if d.len() >= n => Some(
            d[..n]
                .iter()
                .rev()
                .fold(0u32, |a, b| (a << 8) | u32::from(*b)),
        ),
        Value::Integer(i) => i.strict.and_then(|v| u32::try_from(v).ok()),
        Value::String(s) => {
            let s = s.trim();
            match s.strip_prefix("0x").or_else(|| s.strip_prefix("0X")) {
                Some(h) => u32::from_str_radix(h, 16).ok(),
                None => s.parse().ok(),
            }
        }
        _ => None,
    }
}

pub(super) fn enabled(entry: &Node) -> bool {
    entry
        .as_dict()
        .and_then(|d| d.get("Enabled"))
        .and_then(|e| e.value.as_bool())
        != Some(false)
}

pub(super) fn dict_entries(node: Option<&Node>) -> impl Iterator<Item = (&str, &Node)> {
    node.and_then(Node::as_dict)
        .into_iter()
        .flat_map(|d| d.entries.iter().map(|e| (e.key.as_str(), &e.value)))
}

pub(super) fn items(node: Option<&Node>) -> &[Node] {
    node.and_then(Node::as_array).unwrap_or(&[])
}

/// The file name of a path without its extension (`Kexts/Lilu.kext` -> `Lilu`).
pub(super) fn stem(path: &str) -> &str {
    let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
    name.rsplit_once('.').map_or(name, |(s, _)| s)
}

/// Every config signal in the tree.
fn collect(root: &Node, hits: &mut Vec<SignalHit>) {
    device_properties(root, hits);
    named_entries(root, "Kernel/Add", "BundlePath", SignalKind::Kext, hits);
    named_entries(root, "ACPI/Add", "Path", SignalKind::Acpi, hits);
    acpi_delete(root, hits);
    drivers(root, hits);
    kernel_patches(root, hits);
    cpuid(root, hits);
    super::names::collect(root, hits);
    for def in defs(SignalKind::Quirk) {
        if root.pointer(def.pattern).and_then(Node::as_bool) == Some(true) {
            let name = def.pattern.rsplit('/').next().unwrap_or(def.pattern);
            hit(hits, def, name.to_owned(), def.pattern.to_owned());
        }
    }
    for (guid, vars) in dict_entries(root.pointer("NVRAM/Add")) {
        for (key, _) in dict_entries(Some(vars)) {
            for def in defs(SignalKind::NvramKey).filter(|d| d.pattern == key) {
                hit(
                    hits,
                    def,
                    format!("NVRAM {key}"),
                    format!("NVRAM/Add/{guid}/{key}"),
                );
            }
        }
    }
    // Clover keeps the framebuffer id under Graphics.
    for key in ["ig-platform-id", "snb-platform-id"] {
        if let Some(v) = root
            .pointer("Graphics")
            .and_then(|g| g.as_dict()?.get_clover(key))
        {
            ig_platform(&v.value, format!("Graphics/{key}"), hits);
        }
    }
}

fn ig_platform(node: &Node, path: String, hits: &mut Vec<SignalHit>) {
    let Some(id) = number(node, 4) else { return };
    for def in defs(SignalKind::IgPlatformId).filter(|d| hex(d.pattern) == Some(id)) {
        hit(
            hits,
            def,
            format!("ig-platform-id 0x{id:08X}"),
            path.clone(),
        );
    }
}

fn device_properties(root: &Node, hits: &mut Vec<SignalHit>) {
    // OpenCore's DeviceProperties/Add, Clover's Devices/Properties.
    let opencore = dict_entries(root.pointer("DeviceProperties/Add"))
        .map(|(d, p)| ("DeviceProperties/Add", d, p));
    let clover =
        dict_entries(root.pointer("Devices/Properties")).map(|(d, p)| ("Devices/Properties", d, p));
    for (at, device, props) in opencore.chain(clover) {
        for (key, value) in dict_entries(Some(props)) {
            let path = format!("{at}/{device}/{key}");
            if key == "AAPL,ig-platform-id" || key == "AAPL,snb-platform-id" {
                ig_platform(value, path.clone(), hits);
            }
            if key == "device-id"
                && device
                    .replace(' ', "")
                    .eq_ignore_ascii_case("PciRoot(0x0)/Pci(0x2,0x0)")
                && let Some(id) = number(value, 2)
            {
                for def in defs(SignalKind::IgpuDeviceId).filter(|d| hex(d.pattern) == Some(id)) {
                    hit(
                        hits,
                        def,
                        format!("iGPU device-id 0x{id:04X}"),
                        path.clone(),
                    );
                }
            }
            if key == "device-id"
                && !device
                    .replace(' ', "")
                    .eq_ignore_ascii_case("PciRoot(0x0)/Pci(0x2,0x0)")
                && let Some(id) = number(value, 2)
            {
                for def in defs(SignalKind::PciDeviceId).filter(|d| hex(d.pattern) == Some(id)) {
                    hit(hits, def, format!("device-id 0x{id:04X}"), path.clone());
                }
            }
            if let Some(s) = value.as_str() {
                for def in
                    defs(SignalKind::PropertyValue).filter(|d| d.pattern.eq_ignore_ascii_case(s))
                {
                    hit(hits, def, format!("{key} {s}"), path.clone());
                }
            }
        }
    }
}

fn named_entries(root: &Node, at: &str, field: &str, kind: SignalKind, hits: &mut Vec<SignalHit>) {
    for (i, entry) in items(root.pointer(at)).iter().enumerate() {
        if !enabled(entry) {
            continue;
        }
        let Some(path) = entry
            .as_dict()
            .and_then(|d| d.get(field))
            .and_then(|e| e.value.as_str())
        else {
            continue;
        };
        let name = stem(path);
        for def in defs(kind) {
            let found = match kind {
                SignalKind::Acpi => {
                    contains_ci(name, def.pattern)
                        && def.unless.is_none_or(|u| !any_entry(root, at, field, u))
                }
                _ => name.eq_ignore_ascii_case(def.pattern),
            };
            if found {
                hit(hits, def, name.to_owned(), format!("{at}/{i}/{field}"));
            }
        }
    }
}

/// Whether an enabled entry of `at` has a `field` file name containing `text`.
fn any_entry(root: &Node, at: &str, field: &str, text: &str) -> bool {
    items(root.pointer(at)).iter().any(|e| {
        enabled(e)
            && e.as_dict()
                .and_then(|d| d.get(field))
                .and_then(|f| f.value.as_str())
                .is_some_and(|p| contains_ci(stem(p), text))
    })
}

/// Enabled `ACPI/Delete` entries by `OemTableId` (`CpuPm`, `Cpu0Ist`).
fn acpi_delete(root: &Node, hits: &mut Vec<SignalHit>) {
    for (i, entry) in items(root.pointer("ACPI/Delete")).iter().enumerate() {
        let Some(Value::Data(id)) = entry
            .as_dict()
            .filter(|_| enabled(entry))
            .and_then(|d| d.get("OemTableId"))
            .map(|e| &e.value.value)
        else {
            continue;
        };
        let id = String::from_utf8_lossy(id);
        let id = id.trim_end_matches(['\0', ' ']);
        for def in defs(SignalKind::AcpiDelete).filter(|d| d.pattern == id) {
            hit(
                hits,
                def,
                format!("ACPI/Delete {id}"),
                format!("ACPI/Delete/{i}/OemTableId"),
            );
        }
    }
}

fn drivers(root: &Node, hits: &mut Vec<SignalHit>) {
    for (i, entry) in items(root.pointer("UEFI/Drivers")).iter().enumerate() {
        let path = match (entry.as_str(), entry.as_dict()) {
            (Some(s), _) if !s.starts_with('#') => s,
            (_, Some(d)) if enabled(entry) => match d.get("Path").and_then(|e| e.value.as_str()) {
                Some(p) => p,
                None => continue,
            },
            _ => continue,
        };
        let name = stem(path);
        for def in defs(SignalKind::Driver).filter(|d| starts_with_ci(name, d.pattern)) {
            hit(hits, def, name.to_owned(), format!("UEFI/Drivers/{i}"));
        }
    }
}

fn kernel_patches(root: &Node, hits: &mut Vec<SignalHit>) {
    for (i, entry) in items(root.pointer("Kernel/Patch")).iter().enumerate() {
        if !enabled(entry) {
            continue;
        }
        let Some(d) = entry.as_dict() else { continue };
        if let Some(base) = d.get("Base").and_then(|e| e.value.as_str()) {
            for def in defs(SignalKind::PatchBase).filter(|d| d.pattern == base) {
                hit(
                    hits,
                    def,
                    format!("kernel patch {base}"),
                    format!("Kernel/Patch/{i}/Base"),
                );
            }
        }
        if let Some(comment) = d.get("Comment").and_then(|e| e.value.as_str()) {
            for def in defs(SignalKind::PatchComment).filter(|d| contains_ci(comment, d.pattern)) {
                hit(
                    hits,
                    def,
                    format!("kernel patch comment `{}`", def.pattern),
                    format!("Kernel/Patch/{i}/Comment"),
                );
            }
        }
    }
}

fn cpuid(root: &Node, hits: &mut Vec<SignalHit>) {
    let Some(node) = root.pointer("Kernel/Emulate/Cpuid1Data") else {
        return;
    };
    let Some(eax) = number(node, 4).filter(|v| *v != 0) else {
        return;
    };
    for def in defs(SignalKind::Cpuid1).filter(|d| hex(d.pattern) == Some(eax)) {
        hit(
            hits,
            def,
            format!("Cpuid1Data 0x{eax:08X}"),
            "Kernel/Emulate/Cpuid1Data".into(),
        );
    }
}

fn smbios(model: &str, hits: &mut Vec<SignalHit>) {
    for def in SIGNALS.iter() {
        let found = match def.kind {
            SignalKind::Smbios => def.pattern.eq_ignore_ascii_case(model),
            SignalKind::SmbiosPrefix => starts_with_ci(model, def.pattern),
            _ => false,
        };
        if found {
            hit(
                hits,
                def,
                format!("SystemProductName {model}"),
                "PlatformInfo/Generic/SystemProductName".into(),
            );
        }
    }
}

#[cfg(test)]
#[path = "infer_tests.rs"]
mod tests;
