//! Platform profiles: recommended Booter quirk values per CPU platform and
//! firmware, and the inference that decides which profile a config is for.
//!
//! The data lives in `rules/platforms.json` (facts from the Dortania guide,
//! in ocaudit's own format) and `rules/signals.json` (what parts of a config
//! or log say about the machine); `build.rs` turns both into the static
//! tables below at build time, so no process pays for parsing them. This
//! module never reports findings: [`infer`] weighs the signals, and the rules
//! read the result ([`PlatformMatch`]) with its [`Confidence`].

mod cpu;
pub mod infer;
mod names;
mod signals;
mod tiebreak;

pub use tiebreak::TieBreak;

pub use signals::{SIGNALS, SignalDef, SignalKind};

/// A recommended quirk value: quirks are booleans, except `ProvideMaxSlide`
/// and `ResizeAppleGpuBars`, which are integers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AdviceValue {
    /// A boolean quirk.
    Bool(bool),
    /// An integer quirk.
    Int(i64),
}

impl std::fmt::Display for AdviceValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AdviceValue::Bool(b) => write!(f, "{b}"),
            AdviceValue::Int(i) => write!(f, "{i}"),
        }
    }
}

/// One recommended quirk value.
#[derive(Debug, Clone, PartialEq)]
pub struct QuirkAdvice {
    /// The recommended value.
    pub value: AdviceValue,
    /// A situation in which another value applies (`Z390`).
    pub when: Option<&'static str>,
    /// The value in that situation.
    pub when_value: Option<AdviceValue>,
    /// A short note.
    pub note: Option<&'static str>,
    /// The guide does not name this quirk; the value is OpenCore's default.
    pub default_only: bool,
}

/// The firmware a platform boots OpenCore from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Firmware {
    /// A PC's UEFI firmware.
    Uefi,
    /// A real Mac's firmware.
    Apple,
    /// A legacy BIOS, with OpenDuet providing UEFI.
    Legacy,
    /// A hypervisor's firmware (OVMF, Hyper-V, VMware).
    Virtual,
}

/// A platform profile.
#[derive(Debug, Clone)]
pub struct Platform {
    /// Stable slug (`intel-desktop-coffee-lake`).
    pub slug: &'static str,
    /// Human-readable name.
    pub title: &'static str,
    /// Sandy Bridge or Ivy Bridge CPU (slides from 128 are shifted).
    pub sandy_ivy: bool,
    /// `intel`, `amd` or `any`.
    pub vendor: &'static str,
    /// The kind of firmware.
    pub firmware: Firmware,
    /// Whether the firmware generally has a memory attributes table (MAT);
    /// `None` when it varies.
    pub mat: Option<bool>,
    /// Firmware too old for DevirtualiseMmio (Sandy Bridge and older).
    pub old_firmware: bool,
    /// SMBIOS models that point to this platform.
    pub models: &'static [&'static str],
    /// The guide page the values come from.
    pub guide: &'static str,
    /// Recommended value per quirk key, sorted by key.
    pub quirks: &'static [(&'static str, QuirkAdvice)],
}

impl Platform {
    /// The advice for one quirk key.
    pub fn quirk(&self, key: &str) -> Option<&'static QuirkAdvice> {
        self.quirks
            .binary_search_by(|(k, _)| (*k).cmp(key))
            .ok()
            .map(|i| &self.quirks[i].1)
    }
}

include!(concat!(env!("OUT_DIR"), "/platforms.rs"));

/// Every platform profile.
pub fn all() -> &'static [Platform] {
    PLATFORMS
}

/// The profile with this slug.
pub fn by_slug(slug: &str) -> Option<&'static Platform> {
    all().iter().find(|p| p.slug.eq_ignore_ascii_case(slug))
}

/// How the platform was determined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PlatformSource {
    /// `--platform`.
    Flag,
    /// From `PlatformInfo/Generic/SystemProductName` alone.
    Model(String),
    /// Weighed from the config's signals (and the log's, when given).
    Inferred,
}

/// How sure the platform is; it decides how platform advice is given.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Confidence {
    /// A weak prior only (SMBIOS), or signals that disagree: no platform advice.
    Low,
    /// Signals point one way without identifying it: advice as info, unsafe fixes.
    Medium,
    /// `--platform`, the log's CPU, or identifying signals that agree.
    High,
}

impl Confidence {
    /// `high`, `medium` or `low`.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::High => "high",
            Confidence::Medium => "medium",
            Confidence::Low => "low",
        }
    }
}

/// One signal found in a config or log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignalHit {
    /// What was seen (`ig-platform-id 0x0D220003`).
    pub signal: String,
    /// Where (`DeviceProperties/Add/PciRoot(0x0)/Pci(0x2,0x0)/AAPL,ig-platform-id`).
    pub path: String,
    /// The slug or group it points to (`intel-desktop-haswell`, `amd`).
    pub points_to: &'static str,
    /// The platforms it points to.
    pub targets: &'static [&'static str],
    /// Its weight (1 hint .. 10 the log names the CPU).
    pub weight: u8,
}

/// The platform (or the candidate platforms) of one config.
#[derive(Debug, Clone)]
pub struct PlatformMatch {
    /// One or more candidates.
    pub candidates: Vec<&'static Platform>,
    /// How they were found.
    pub source: PlatformSource,
    /// How sure the choice is.
    pub confidence: Confidence,
    /// The signals seen, in the order found.
    pub evidence: Vec<SignalHit>,
    /// The SystemProductName, when it played no part in the choice.
    pub ignored_model: Option<String>,
    /// The tie-breaks that narrowed the candidates, in order.
    pub tie_breaks: Vec<TieBreak>,
}

/// What the profile(s) say about one quirk.
#[derive(Debug, Clone, PartialEq)]
pub struct Recommendation {
    /// The value every candidate agrees on.
    pub value: AdviceValue,
    /// A situation that changes the value, when any candidate has one.
    pub when: Option<(&'static str, AdviceValue)>,
    /// The platforms' names.
    pub platforms: String,
}

impl PlatformMatch {
    /// The platform named by `--platform`.
    pub fn from_slug(slug: &str) -> Option<PlatformMatch> {
        by_slug(slug).map(|p| PlatformMatch {
            candidates: vec![p],
            source: PlatformSource::Flag,
            confidence: Confidence::High,
            evidence: Vec::new(),
            ignored_model: None,
            tie_breaks: Vec::new(),
        })
    }

    /// The platforms whose model list holds `model` (exact, ignoring case):
    /// a weak prior, so the confidence is low.
    pub fn infer(model: &str) -> Option<PlatformMatch> {
        let model = model.trim();
        let candidates = model_candidates(model);
        (!candidates.is_empty()).then(|| PlatformMatch {
            candidates,
            source: PlatformSource::Model(model.to_owned()),
            confidence: Confidence::Low,
            evidence: Vec::new(),
            ignored_model: None,
            tie_breaks: Vec::new(),
        })
    }

    /// The one platform, when there is exactly one candidate.
    pub fn single(&self) -> Option<&'static Platform> {
        match self.candidates.as_slice() {
            [p] => Some(p),
            _ => None,
        }
    }

    /// What every candidate's firmware is known to say about a memory
    /// attributes table (`None` when they differ or it varies).
    pub fn mat(&self) -> Option<bool> {
        let first = self.candidates.first()?.mat?;
        self.candidates
            .iter()
            .all(|p| p.mat == Some(first))
            .then_some(first)
    }

    /// The short description for the human platform line: the confidence
    /// and the signals that decided (`high: ig-platform-id 0x0D220003`).
    pub fn reasons(&self) -> String {
        let mut s = String::from(self.confidence.as_str());
        let supporting: Vec<&str> = self
            .evidence
            .iter()
            .filter(|h| self.candidates.iter().any(|p| h.targets.contains(&p.slug)))
            .map(|h| h.signal.as_str())
            .take(4)
            .collect();
        match &self.source {
            PlatformSource::Flag => s.push_str(": --platform"),
            PlatformSource::Model(m) => {
                s.push_str(": SystemProductName ");
                s.push_str(m);
                s.push_str(" only");
            }
            PlatformSource::Inferred if !supporting.is_empty() => {
                s.push_str(": ");
                s.push_str(&supporting.join(", "));
            }
            PlatformSource::Inferred => {}
        }
        if let Some(m) = &self.ignored_model {
            s.push_str("; SystemProductName ");
            s.push_str(m);
            s.push_str(" ignored");
        }
        for t in &self.tie_breaks {
            s.push_str("; ");
            s.push_str(&t.to_string());
        }
        s
    }

    /// The slug, or the candidates' slugs joined by `,`.
    pub fn slug(&self) -> String {
        self.candidates
            .iter()
            .map(|p| p.slug)
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Whether the CPU is Sandy Bridge or Ivy Bridge (all candidates agree).
    pub fn sandy_ivy(&self) -> bool {
        self.candidates.iter().all(|p| p.sandy_ivy)
    }

    /// The recommendation for `quirk` when every candidate agrees on it.
    pub fn recommends(&self, quirk: &str) -> Option<Recommendation> {
        let advice: Vec<&QuirkAdvice> = self
            .candidates
            .iter()
            .map(|p| p.quirk(quirk))
            .collect::<Option<_>>()?;
        let first = advice.first()?;
        if advice.iter().any(|a| a.value != first.value) {
            return None;
        }
        let when = advice.iter().find_map(|a| Some((a.when?, a.when_value?)));
        Some(Recommendation {
            value: first.value,
            when,
            platforms: self
                .candidates
                .iter()
                .map(|p| p.title)
                .collect::<Vec<_>>()
                .join(" / "),
        })
    }

    /// True when every candidate recommends `quirk` = true.
    pub fn wants_true(&self, quirk: &str) -> bool {
        self.recommends(quirk)
            .is_some_and(|r| r.value == AdviceValue::Bool(true))
    }
}

/// The platforms whose model list holds `model` (exact, ignoring case).
pub fn model_candidates(model: &str) -> Vec<&'static Platform> {
    all()
        .iter()
        .filter(|p| p.models.iter().any(|m| m.eq_ignore_ascii_case(model)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_loads() {
        assert!(all().len() >= 30);
        assert!(all().iter().all(|p| p.quirks.len() == 22));
        for slug in [
            "apple-firmware",
            "legacy-bios",
            "virtual-machine",
            "intel-laptop-alder-lake",
        ] {
            assert!(by_slug(slug).is_some(), "{slug}");
        }
        // Firmware without a memory attributes table is never told to
        // rebuild the memory map and sync its permissions.
        for p in all().iter().filter(|p| p.mat == Some(false)) {
            assert_ne!(
                p.quirk("SyncRuntimePermissions").map(|a| a.value),
                Some(AdviceValue::Bool(true)),
                "{}",
                p.slug
            );
        }
        assert!(by_slug("intel-desktop-coffee-lake").is_some());
    }

    #[test]
    fn model_with_several_platforms_keeps_the_agreed_rules() {
        let m = PlatformMatch::infer("iMac19,1").expect("iMac19,1 is listed");
        assert!(
            m.candidates
                .iter()
                .any(|p| p.slug == "intel-desktop-coffee-lake")
        );
        assert!(m.wants_true("AvoidRuntimeDefrag"));
        let shared = PlatformMatch::infer("MacPro6,1").expect("MacPro6,1 is listed");
        assert!(shared.candidates.len() > 1);
        for q in [
            "DevirtualiseMmio",
            "RebuildAppleMemoryMap",
            "SetupVirtualMap",
        ] {
            let all_agree = shared.candidates.iter().all(|p| {
                p.quirk(q).map(|a| a.value) == shared.candidates[0].quirk(q).map(|a| a.value)
            });
            assert_eq!(shared.recommends(q).is_some(), all_agree, "{q}");
        }
    }
}
