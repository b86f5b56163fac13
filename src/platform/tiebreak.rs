//! Tie-breaks among the candidates the weighed signals leave: each one
//! narrows the list only on evidence that generalises beyond one config,
//! and never empties it.
//!
//! 1. **Form factor.** When the candidates mix laptop and desktop platforms
//!    (one CPU family ships in both, and the Cpuid1Data spoofs or kexts that
//!    point to it say nothing about the case), the laptops go unless
//!    something likely marks a laptop: a laptop needs input and battery
//!    kexts (VoodooPS2 with VoodooI2C/RMI, SMCBatteryManager, ...), so their
//!    absence, with a model that is no portable Mac, means a desktop. One
//!    hint alone (SSDT-XOSI, SMCLightSensor, ECEnabler) is copied into
//!    desktop configs too often to count; two together do, as in scoring.
//!    Conversely a desktop-only framebuffer or EC table drops the laptops
//!    despite laptop kexts (see [`desktop_signs`]).
//! 2. **Workstations.** Mainstream desktops go to HEDT only on a sign
//!    that points to HEDT alone (TSC sync kexts, SSDT-UNC, SSDT-RTC0-RANGE,
//!    AppleXcpmExtraMsrs, X99 patches): iMacPro1,1 and MacPro7,1 are chosen
//!    on every kind of desktop. Conversely a likely HEDT-only sign (TSC
//!    sync, SSDT-UNC) with no likely mainstream-only one drops mainstream
//!    desktops: their TSCs stay in sync without help. Among HEDT platforms, those whose
//!    requirements are absent go (see [`hedt_requirements`]).
//! 3. **Before Skylake.** `IgnoreInvalidFlexRatio` and an EC table without
//!    USBX together keep the generations before Skylake (see
//!    [`pre_skylake`]); each alone is a weight-0 signal, never scored.
//! 4. **XCPM.** XCPM settings without the CPU PM quirk drop the CPUs XCPM
//!    does not run on (see [`xcpm_only`]).
//! 5. **AWAC clock.** Between Coffee and Comet Lake desktops, no AWAC or
//!    RTC fix means Coffee Lake (see [`no_rtc_fix`]).
//! 6. **Kaby Lake framebuffer.** Between Skylake and Kaby Lake, a Kaby Lake
//!    `ig-platform-id` with no Kaby Lake `device-id` written over the iGPU
//!    means Kaby Lake: Apple's Kaby Lake framebuffer attaches only to Kaby
//!    Lake device ids, so a Skylake iGPU needs the spoof.
//! 7. **SystemProductName.** The model is the user's choice of the closest
//!    Mac; among platforms the hardware cannot tell apart it is the best
//!    evidence left. It applies only when the hardware narrowed the list
//!    (see [`narrowed_by_hardware`]: a model alone must not turn a Haswell
//!    into a Coffee Lake), and only among platforms of one class. It keeps the candidates whose model list holds it
//!    exactly, else those whose list holds its family (`MacBookPro16,2` ->
//!    `MacBookPro16`). It is no evidence when the config writes a Kaby
//!    Lake iGPU `device-id` over the real one: that spoof is how Skylake
//!    machines run macOS versions that dropped them, and those users pick a
//!    Kaby Lake model for the same reason.

use super::{Platform, SignalHit, model_candidates};

/// The tie-break that narrowed the list, for the human platform line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TieBreak {
    /// Laptops dropped: nothing likely marks a laptop.
    NoLaptopSigns,
    /// Laptops dropped: a desktop framebuffer or a desktop-only table.
    DesktopSigns,
    /// Skylake and later dropped: IgnoreInvalidFlexRatio and an EC table
    /// without USBX, as Dortania's pages before Skylake set them.
    PreSkylake,
    /// Platforms without XCPM dropped: XCPM settings and no CPU PM ones.
    XcpmOnly,
    /// Comet Lake dropped: no AWAC or legacy-RTC fix, which every board
    /// from the 400 series on needs.
    NoRtcFix,
    /// Workstation platforms dropped: nothing HEDT-specific is present.
    NoHedtSigns,
    /// Mainstream desktops dropped: a likely HEDT-only sign, none for them.
    HedtSigns,
    /// HEDT platforms dropped whose requirements are absent.
    HedtRequirements,
    /// A Kaby Lake framebuffer with no device-id spoof: Kaby Lake.
    KabyLakeFramebuffer,
    /// The SystemProductName kept the candidates it belongs to.
    Model(String),
}

impl std::fmt::Display for TieBreak {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TieBreak::NoLaptopSigns => f.write_str("no laptop kexts or tables"),
            TieBreak::DesktopSigns => f.write_str("a desktop framebuffer or table"),
            TieBreak::PreSkylake => f.write_str("IgnoreInvalidFlexRatio and SSDT-EC without USBX"),
            TieBreak::XcpmOnly => f.write_str("XCPM settings without CPU PM ones"),
            TieBreak::NoRtcFix => f.write_str("no AWAC or RTC fix"),
            TieBreak::NoHedtSigns => f.write_str("no HEDT kexts, tables or quirks"),
            TieBreak::HedtSigns => f.write_str("HEDT kexts or tables"),
            TieBreak::HedtRequirements => {
                f.write_str("no X99 patches or spoof; XCPM without CPU PM (X299)")
            }
            TieBreak::KabyLakeFramebuffer => {
                f.write_str("Kaby Lake framebuffer without a device-id spoof")
            }
            TieBreak::Model(m) => write!(f, "SystemProductName {m} broke the tie"),
        }
    }
}

fn is_laptop(p: &Platform) -> bool {
    p.slug.starts_with("intel-laptop-")
}

/// A portable Mac model (`MacBookPro15,2`, `MacBookAir9,1`).
fn portable_model(model: &str) -> bool {
    model.to_ascii_lowercase().starts_with("macbook")
}

/// A likely (weight 2+) sign of a laptop: it points to laptop platforms
/// only, or to the laptop class.
fn laptop_sign(h: &SignalHit) -> bool {
    h.weight >= 2
        && (h.points_to == "laptop-class"
            || (!h.targets.is_empty() && h.targets.iter().all(|t| t.starts_with("intel-laptop-"))))
}

/// The iGPU runs a desktop framebuffer (an `ig-platform-id` that points to
/// desktops only) or a desktop-only table is loaded (`-DESKTOP`), and
/// nothing names a laptop as surely: no mobile framebuffer, no `-LAPTOP`
/// table. A laptop's framebuffer must drive its built-in panel, and the
/// desktop ones define no built-in connector; the desktop EC table hides
/// the embedded controller a laptop's battery needs. Laptop kexts, by
/// contrast, ship in the packages desktop users copy (VirtualSMC's battery
/// and light sensor plugins, VoodooPS2 for PS/2 keyboards).
fn desktop_signs(hits: &[SignalHit]) -> bool {
    let framebuffer = |h: &&SignalHit| h.weight >= 3 && h.signal.starts_with("ig-platform-id");
    let desktop = |h: &&SignalHit| only(h, |t| !t.starts_with("intel-laptop-"));
    (hits.iter().filter(framebuffer).any(|h| desktop(&h))
        || hits.iter().any(|h| h.points_to == "desktop-class"))
        && !hits.iter().filter(framebuffer).any(|h| !desktop(&h))
        && !hits
            .iter()
            .any(|h| h.weight >= 3 && h.points_to == "laptop-class")
}

/// Among Intel candidates from both sides of Skylake, keep the older ones
/// when the config carries two settings Dortania gives only before Skylake:
/// `IgnoreInvalidFlexRatio` (set on every page from Clarkdale to Broadwell,
/// on none after) and an EC table with no USBX table (USB power properties
/// are added from Skylake on). Each alone is copied into newer configs too
/// often to score (weight 0); together, and only where the hardware left
/// the generation open, they decide.
fn pre_skylake(
    candidates: &mut Vec<&'static Platform>,
    hits: &[SignalHit],
    applied: &mut Vec<TieBreak>,
) {
    let find = |group: &str| hits.iter().find(|h| h.points_to == group);
    let (Some(flex), Some(ec)) = (find("intel-flex-ratio"), find("intel-ec-without-usbx")) else {
        return;
    };
    let keep = |p: &Platform| flex.targets.contains(&p.slug) || ec.targets.contains(&p.slug);
    split_intel(candidates, keep, TieBreak::PreSkylake, applied);
}

/// Keep the candidates `keep` accepts, when all are Intel (the signals
/// read here say nothing about AMD) and `keep` splits the list.
fn split_intel(
    candidates: &mut Vec<&'static Platform>,
    keep: impl Fn(&Platform) -> bool,
    tie: TieBreak,
    applied: &mut Vec<TieBreak>,
) {
    if candidates.iter().all(|p| p.vendor == "intel")
        && candidates.iter().any(|p| keep(p))
        && !candidates.iter().all(|p| keep(p))
    {
        candidates.retain(|p| keep(p));
        applied.push(tie);
    }
}

/// Among Intel candidates, keep those XCPM runs on (Haswell and later)
/// when the config has XCPM settings (`SSDT-PLUG`, `AppleXcpmCfgLock`) and
/// none for Apple's older CPU power management (`AppleCpuPmCfgLock`): the
/// configs of older CPUs that copy `SSDT-PLUG` still set the CPU PM quirk.
/// The same reading as [`hedt_requirements`], across all classes.
fn xcpm_only(
    candidates: &mut Vec<&'static Platform>,
    hits: &[SignalHit],
    applied: &mut Vec<TieBreak>,
) {
    let Some(xcpm) = hits.iter().find(|h| h.points_to == "intel-xcpm") else {
        return;
    };
    if !hits.iter().any(|h| h.points_to == "intel-cpupm") {
        let keep = |p: &Platform| xcpm.targets.contains(&p.slug);
        split_intel(candidates, keep, TieBreak::XcpmOnly, applied);
    }
}

/// Between Coffee and Comet Lake desktops, Coffee Lake when nothing fixes
/// the AWAC clock: Dortania calls the fix (SSDT-AWAC, SSDT-RTC0 or an RTC
/// `_STA` patch) required on all B460 and Z490 boards, and the later boards
/// that follow the Comet Lake page have the same clock, while Z370 and
/// several 300-series boards keep a legacy RTC. Names in disabled entries
/// count as fixes, so a config that merely switched one off keeps both.
fn no_rtc_fix(
    candidates: &mut Vec<&'static Platform>,
    hits: &[SignalHit],
    applied: &mut Vec<TieBreak>,
) {
    let pair = candidates.len() == 2
        && candidates
            .iter()
            .any(|p| p.slug == "intel-desktop-coffee-lake")
        && candidates
            .iter()
            .any(|p| p.slug == "intel-desktop-comet-lake");
    let fixed = hits
        .iter()
        .any(|h| matches!(h.points_to, "intel-rtc-fix" | "intel-300-series"));
    if pair && !fixed {
        candidates.retain(|p| p.slug == "intel-desktop-coffee-lake");
        applied.push(TieBreak::NoRtcFix);
    }
}

/// The model's family: `MacBookPro16,2` -> `MacBookPro16`.
fn family(model: &str) -> &str {
    model.split_once(',').map_or(model, |(f, _)| f)
}

/// A Kaby Lake iGPU id written as the iGPU's `device-id`.
fn kaby_lake_spoof(h: &SignalHit) -> bool {
    h.signal.starts_with("iGPU device-id 0x59")
}

/// Narrow `candidates` by the tie-breaks above, in order. Returns the
/// tie-breaks that narrowed the list (an empty list when none did).
pub(super) fn apply(
    candidates: &mut Vec<&'static Platform>,
    hits: &[SignalHit],
    model: Option<&str>,
) -> Vec<TieBreak> {
    let mut applied = Vec::new();
    let mixed_form = candidates.iter().any(|p| is_laptop(p))
        && candidates
            .iter()
            .any(|p| !is_laptop(p) && p.vendor == "intel");
    let laptop_hints = hits
        .iter()
        .filter(|h| h.points_to == "laptop-class")
        .count();
    let laptop = hits.iter().any(laptop_sign) || laptop_hints >= 2;
    if mixed_form && !laptop && !model.is_some_and(portable_model) {
        candidates.retain(|p| !is_laptop(p));
        applied.push(TieBreak::NoLaptopSigns);
    } else if mixed_form && desktop_signs(hits) {
        // Penryn laptops follow the only Penryn page, so the laptop signs
        // point to it too: it goes with the laptops.
        candidates.retain(|p| !is_laptop(p) && p.slug != "intel-desktop-penryn");
        applied.push(TieBreak::DesktopSigns);
    }
    if candidates.iter().any(|p| class(p) == "intel-hedt-")
        && candidates.iter().any(|p| class(p) == "intel-desktop-")
    {
        let sign = |class: &'static str| {
            move |h: &SignalHit| h.weight >= 2 && only(h, |t| t.starts_with(class))
        };
        if !hits
            .iter()
            .any(|h| only(h, |t| t.starts_with("intel-hedt-")))
        {
            candidates.retain(|p| class(p) != "intel-hedt-");
            applied.push(TieBreak::NoHedtSigns);
        } else if hits.iter().any(sign("intel-hedt-")) && !hits.iter().any(sign("intel-desktop-")) {
            candidates.retain(|p| class(p) == "intel-hedt-" || is_laptop(p));
            applied.push(TieBreak::HedtSigns);
        }
    }
    if candidates.len() > 1 && candidates.iter().all(|p| class(p) == "intel-hedt-") {
        let before = candidates.len();
        hedt_requirements(candidates, hits);
        if candidates.len() < before {
            applied.push(TieBreak::HedtRequirements);
        }
    }
    pre_skylake(candidates, hits, &mut applied);
    xcpm_only(candidates, hits, &mut applied);
    no_rtc_fix(candidates, hits, &mut applied);
    if candidates.len() == 2
        && candidates
            .iter()
            .all(|p| p.slug.ends_with("-skylake") || p.slug.ends_with("-kaby-lake"))
        && hits
            .iter()
            .any(|h| h.signal.starts_with("ig-platform-id 0x59"))
        && !hits.iter().any(kaby_lake_spoof)
    {
        candidates.retain(|p| p.slug.ends_with("-kaby-lake"));
        applied.push(TieBreak::KabyLakeFramebuffer);
    }
    let backed = narrowed_by_hardware(candidates, hits);
    if let Some(model) = model
        && candidates.len() > 1
        && backed
        && one_class(candidates)
        && !hits.iter().any(kaby_lake_spoof)
        && let Some(kept) = by_model(candidates, model)
    {
        *candidates = kept;
        applied.push(TieBreak::Model(model.to_owned()));
    }
    applied
}

/// Whether hardware signals narrowed the list to these candidates: a hit
/// names exactly them among platforms of their class (0x3E9B0007: Coffee
/// and Comet Lake desktops; SSDT-AWAC among laptops: the 300-series ones),
/// and the hits pointing to all of them weigh 2 or more together. The
/// power-management groups (XCPM, CPU PM) span five generations or more and
/// never narrow enough; a form sign names every desktop or laptop.
fn narrowed_by_hardware(candidates: &[&'static Platform], hits: &[SignalHit]) -> bool {
    let covers = |h: &SignalHit| candidates.iter().all(|p| h.targets.contains(&p.slug));
    let exact = |h: &SignalHit| {
        covers(h)
            && !matches!(h.points_to, "intel-xcpm" | "intel-cpupm")
            && h.targets.iter().all(|t| {
                candidates.iter().any(|c| c.slug == *t)
                    || !candidates.iter().any(|c| t.starts_with(class(c)))
            })
    };
    let weight: u32 = hits
        .iter()
        .filter(|h| covers(h))
        .map(|h| u32::from(h.weight))
        .sum();
    hits.iter().any(exact) && weight >= 2
}

/// The hit points to platforms that all pass `keep` (and to some).
fn only(h: &SignalHit, keep: impl Fn(&str) -> bool) -> bool {
    !h.targets.is_empty() && h.targets.iter().all(|t| keep(t))
}

/// Among HEDT candidates: Haswell-E and Broadwell-E need XCPM kernel
/// patches or a Cpuid1Data spoof (signals pointing to X99 only), so they go
/// when none is present; Nehalem and Ivy Bridge-E run Apple's older CPU
/// power management, so they go when XCPM signs are present and no CPU PM
/// sign is. Never empties the list.
fn hedt_requirements(candidates: &mut Vec<&'static Platform>, hits: &[SignalHit]) {
    const X99: [&str; 2] = ["intel-hedt-haswell-e", "intel-hedt-broadwell-e"];
    const CPUPM: [&str; 2] = ["intel-hedt-nehalem", "intel-hedt-ivy-bridge-e"];
    let narrow = |c: &mut Vec<&'static Platform>, drop: &[&str]| {
        if c.iter().any(|p| !drop.contains(&p.slug)) {
            c.retain(|p| !drop.contains(&p.slug));
        }
    };
    if !hits.iter().any(|h| only(h, |t| X99.contains(&t))) {
        narrow(candidates, &X99);
    }
    let xcpm = hits.iter().any(|h| h.points_to == "intel-xcpm");
    let cpupm = hits.iter().any(|h| h.points_to == "intel-cpupm");
    if xcpm && !cpupm {
        narrow(candidates, &CPUPM);
    }
}

/// The class of a platform: laptop, mainstream desktop, HEDT, or other.
fn class(p: &Platform) -> &'static str {
    ["intel-laptop-", "intel-desktop-", "intel-hedt-", "amd-"]
        .into_iter()
        .find(|c| p.slug.starts_with(c))
        .unwrap_or("other")
}

/// All candidates are of one class: the model picks among neighbours, not
/// between a mainstream desktop and a workstation (iMacPro1,1 and MacPro7,1
/// are chosen for their GPU support on every kind of desktop).
fn one_class(candidates: &[&'static Platform]) -> bool {
    candidates.iter().all(|p| class(p) == class(candidates[0]))
}

/// The candidates the model belongs to (exactly, else by family), when
/// that is some but not all of them.
fn by_model(candidates: &[&'static Platform], model: &str) -> Option<Vec<&'static Platform>> {
    let exact = model_candidates(model);
    let fam = family(model);
    let in_family = |p: &Platform| p.models.iter().any(|m| family(m).eq_ignore_ascii_case(fam));
    let pick = |keep: &dyn Fn(&Platform) -> bool| {
        let kept: Vec<&'static Platform> = candidates.iter().copied().filter(|p| keep(p)).collect();
        (!kept.is_empty() && kept.len() < candidates.len()).then_some(kept)
    };
    let is_exact = |p: &Platform| exact.iter().any(|e| e.slug == p.slug);
    if candidates.iter().any(|p| is_exact(p)) {
        pick(&is_exact)
    } else {
        pick(&in_family)
    }
}
