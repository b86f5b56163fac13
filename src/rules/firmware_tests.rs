//! The firmware-dependent rules: advice by confidence, direction by MAT.

use super::super::tests::{DRIVERS, F, T, config, with};
use crate::audit::{self, AuditOptions};
use crate::patch::Applicability;
use crate::platform::{Confidence, PlatformMatch};
use crate::rules::{Evidence, Severity};

/// The findings of `code`: (severity, fix summary and applicability).
fn find(
    text: &str,
    opts: &AuditOptions,
    code: &str,
) -> Vec<(Severity, Option<(Applicability, String)>)> {
    let r = audit::audit_bytes("t.plist", text.as_bytes().to_vec(), opts);
    r.diagnostics
        .iter()
        .filter(|d| d.rule.code == code)
        .map(|d| {
            (
                d.severity,
                d.fix.as_ref().map(|f| (f.applicability, f.summary.clone())),
            )
        })
        .collect()
}

fn on(slug: &str, confidence: Confidence) -> AuditOptions {
    let mut p = PlatformMatch::from_slug(slug).expect("known slug");
    p.confidence = confidence;
    AuditOptions {
        platform: Some(p),
        ..Default::default()
    }
}

fn log(mat: bool) -> AuditOptions {
    AuditOptions {
        evidence: Some(Evidence {
            mat_support: Some(mat),
            source: "opencore.log".into(),
            ..Default::default()
        }),
        ..Default::default()
    }
}

#[test]
fn platform_advice_follows_confidence() {
    let text = config(&with(&[("ProtectUefiServices", F)]), DRIVERS);
    let comet = "intel-desktop-comet-lake";
    let high = find(&text, &on(comet, Confidence::High), "B006");
    assert_eq!(high.len(), 1);
    assert!(high[0].1.is_some(), "a fix with high confidence");
    let medium = find(&text, &on(comet, Confidence::Medium), "B006");
    assert_eq!(medium[0].0, Severity::Info);
    assert_eq!(
        medium[0].1.as_ref().map(|f| f.0),
        Some(Applicability::Unsafe)
    );
    assert!(find(&text, &on(comet, Confidence::Low), "B006").is_empty());
}

#[test]
fn b006_names_a_board_it_cannot_see_without_a_fix() {
    let text = config(&with(&[("ProtectUefiServices", F)]), DRIVERS);
    let found = find(
        &text,
        &on("intel-desktop-coffee-lake", Confidence::High),
        "B006",
    );
    assert_eq!(found, vec![(Severity::Info, None)]);
}

#[test]
fn b007_never_asks_for_sync_without_a_table() {
    let text = config(&with(&[("SyncRuntimePermissions", F)]), DRIVERS);
    assert!(find(&text, &log(false), "B007").is_empty());
    assert!(
        find(
            &text,
            &on("intel-desktop-haswell", Confidence::High),
            "B007"
        )
        .is_empty()
    );
    let safe = find(&text, &log(true), "B007");
    assert_eq!(safe[0].1.as_ref().map(|f| f.0), Some(Applicability::Safe));
    // Unknown firmware: reported, but no direction to fix it in.
    assert_eq!(find(&text, &AuditOptions::default(), "B007")[0].1, None);
}

#[test]
fn b008_takes_the_platform_table_then_its_firmware() {
    let both = config(&with(&[("EnableWriteUnprotector", T)]), DRIVERS);
    let fix = |opts: &AuditOptions| find(&both, opts, "B008")[0].1.clone().map(|f| f.1);
    // Sandy Bridge firmware has no memory attributes table.
    assert_eq!(
        fix(&on("intel-laptop-sandy-bridge", Confidence::High)).as_deref(),
        Some("set RebuildAppleMemoryMap to false")
    );
    // Comet Lake's does.
    assert_eq!(
        fix(&on("intel-desktop-comet-lake", Confidence::Medium)).as_deref(),
        Some("set EnableWriteUnprotector to false")
    );
    // The legacy-BIOS Penryn table keeps the rebuilt map.
    assert_eq!(
        fix(&on("intel-desktop-penryn", Confidence::High)).as_deref(),
        Some("set EnableWriteUnprotector to false")
    );
    // The log outranks the platform.
    let mut opts = on("intel-desktop-comet-lake", Confidence::High);
    opts.evidence = log(false).evidence;
    assert_eq!(
        fix(&opts).as_deref(),
        Some("set RebuildAppleMemoryMap to false")
    );
}

#[test]
fn b013_setup_virtual_map_off_where_the_table_says() {
    let text = config(&with(&[("SetupVirtualMap", T)]), DRIVERS);
    let ice = find(&text, &on("intel-laptop-icelake", Confidence::High), "B013");
    assert_eq!(ice[0].0, Severity::Warning);
    assert_eq!(
        ice[0].1.as_ref().map(|f| f.1.as_str()),
        Some("set SetupVirtualMap to false")
    );
    // Zen: only B550/A520/TRx40 boards, which the config does not show.
    assert_eq!(
        find(&text, &on("amd-zen", Confidence::High), "B013"),
        vec![(Severity::Info, None)]
    );
    assert!(
        find(
            &text,
            &on("intel-desktop-coffee-lake", Confidence::High),
            "B013"
        )
        .is_empty()
    );
}

#[test]
fn b014_picks_the_memory_workaround_the_firmware_needs() {
    let neither = config(
        &with(&[("RebuildAppleMemoryMap", F), ("SyncRuntimePermissions", F)]),
        DRIVERS,
    );
    let fix = |opts: &AuditOptions| find(&neither, opts, "B014")[0].1.clone().map(|f| f.1);
    assert_eq!(
        fix(&log(false)).as_deref(),
        Some("set EnableWriteUnprotector to true")
    );
    assert_eq!(
        fix(&log(true)).as_deref(),
        Some("set RebuildAppleMemoryMap to true")
    );
    assert_eq!(
        fix(&on("intel-desktop-kaby-lake", Confidence::High)).as_deref(),
        Some("set EnableWriteUnprotector to true")
    );
    assert_eq!(fix(&AuditOptions::default()), None);
    assert!(find(&config(&with(&[]), DRIVERS), &log(true), "B014").is_empty());
}

#[test]
fn b015_and_b002_on_old_firmware() {
    let devirt_on = config(&with(&[]), DRIVERS);
    let old = find(
        &devirt_on,
        &on("intel-laptop-sandy-bridge", Confidence::High),
        "B015",
    );
    assert_eq!(
        old[0].1.as_ref().map(|f| f.1.as_str()),
        Some("set DevirtualiseMmio to false")
    );
    assert!(
        find(
            &devirt_on,
            &on("intel-desktop-haswell", Confidence::High),
            "B015"
        )
        .is_empty()
    );
    // B002 never asks for it there, even without a platform verdict on it.
    let devirt_off = config(&with(&[("DevirtualiseMmio", F)]), DRIVERS);
    assert!(
        find(
            &devirt_off,
            &on("intel-desktop-penryn", Confidence::High),
            "B002"
        )
        .is_empty()
    );
}

#[test]
fn s010_reports_an_argument_stuck_in_nvram() {
    let rest = format!(
        "{DRIVERS}\t<key>NVRAM</key>\n\t<dict>\n\t\t<key>Add</key>\n\t\t<dict>\n\t\t\t<key>7C436110-AB2A-4BBB-A880-FE41995C9F82</key>\n\t\t\t<dict>\n\t\t\t\t<key>boot-args</key>\n\t\t\t\t<string>-v keepsyms=1</string>\n\t\t\t</dict>\n\t\t</dict>\n\t</dict>\n"
    );
    let text = config(&with(&[]), &rest);
    let opts = |args: &str, own: bool| AuditOptions {
        evidence: Some(Evidence {
            nvram_boot_args: Some((12, args.into())),
            opencore_slide: own,
            source: "opencore.log".into(),
            ..Default::default()
        }),
        ..Default::default()
    };
    let stuck = find(&text, &opts("slide=128 -v keepsyms=1", false), "S010");
    assert_eq!(stuck, vec![(Severity::Warning, None)]);
    assert!(find(&text, &opts("-v keepsyms=1 slide=166", true), "S010").is_empty());
    assert_eq!(
        find(&text, &opts("-v keepsyms=1 debug=0x100", false), "S010")[0].0,
        Severity::Info
    );
}
