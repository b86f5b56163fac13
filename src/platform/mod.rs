//! Platform profiles: recommended Booter quirk values per CPU platform and
//! the Mac models that identify each platform.
//!
//! The data lives in `rules/platforms.json` (facts from the Dortania guide,
//! in ocaudit's own format); `build.rs` turns it into the static tables
//! below at build time, so no process pays for parsing it. This module only
//! looks things up; it never reports findings.

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

/// A platform profile.
#[derive(Debug, Clone)]
pub struct Platform {
    /// Stable slug (`intel-desktop-coffee-lake`).
    pub slug: &'static str,
    /// Human-readable name.
    pub title: &'static str,
    /// Sandy Bridge or Ivy Bridge CPU (slides from 128 are shifted).
    pub sandy_ivy: bool,
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
    /// From `PlatformInfo/Generic/SystemProductName`.
    Model(String),
}

/// The platform (or the candidate platforms) of one config.
#[derive(Debug, Clone)]
pub struct PlatformMatch {
    /// One or more candidates.
    pub candidates: Vec<&'static Platform>,
    /// How they were found.
    pub source: PlatformSource,
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
        })
    }

    /// The platforms whose model list holds `model` (exact, ignoring case).
    pub fn infer(model: &str) -> Option<PlatformMatch> {
        let model = model.trim();
        let candidates: Vec<_> = all()
            .iter()
            .filter(|p| p.models.iter().any(|m| m.eq_ignore_ascii_case(model)))
            .collect();
        (!candidates.is_empty()).then(|| PlatformMatch {
            candidates,
            source: PlatformSource::Model(model.to_owned()),
        })
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_data_loads() {
        assert!(all().len() >= 20);
        assert!(all().iter().all(|p| p.quirks.len() == 22));
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
