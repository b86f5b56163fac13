//! The Clover-only rules on Clover paths: C001-C004, which read the EFI
//! folder around the config (its drivers and the OcQuirks.plist or
//! config.plist beside it), the booter rules on an OcQuirks.plist itself,
//! and C005 on the September 2020 development layout. A child of the
//! Clover `tests` module: it uses that module's config builders and runners.

use std::path::PathBuf;

use super::*;
use crate::folder::clover::Companion;

fn env(drivers: &[&str], companion: Option<(&str, ConfigKind)>) -> CloverEnv {
    CloverEnv {
        dir: PathBuf::from("EFI/CLOVER"),
        drivers: drivers
            .iter()
            .map(|d| format!("drivers/UEFI/{d}"))
            .collect(),
        companion: companion.map(|(text, kind)| Companion {
            rel: if kind == ConfigKind::OcQuirks {
                "drivers/UEFI/OcQuirks.plist".into()
            } else {
                "config.plist".into()
            },
            config: load(text, Some(kind)).config,
        }),
    }
}

const OCQUIRKS: &str = "<?xml version=\"1.0\"?>\n<plist version=\"1.0\">\n<dict>\n\
    <key>DevirtualiseMmio</key>\n<true/>\n<key>ProvideCustomSlide</key>\n<true/>\n</dict>\n</plist>\n";

#[test]
fn c001_on_the_config_lists_the_values_that_apply() {
    let cfg = clover_text(&q(&[("ProvideCustomSlide", "<false/>")]), None, "");
    let e = env(&["OpenRuntime.efi"], Some((OCQUIRKS, ConfigKind::OcQuirks)));
    let d = run_env(&load(&cfg, None), Some(&e));
    let c001 = one(&d, "C001");
    assert_eq!(c001.path, "Quirks");
    let m = &c001.message;
    assert!(
        m.contains("DevirtualiseMmio=false (missing: default) [OcQuirks.plist: true]"),
        "{m}"
    );
    assert!(
        m.contains("ProvideCustomSlide=false [OcQuirks.plist: true]"),
        "{m}"
    );
    // OcQuirks.efi's default for a missing EnableWriteUnprotector is false; Clover's is true.
    assert!(
        m.contains("EnableWriteUnprotector=true (missing: default) [OcQuirks.plist: false]"),
        "{m}"
    );
}

#[test]
fn c001_on_the_ocquirks_plist_and_not_without_a_quirks_dict() {
    let cfg = clover_text(&q(&[("DevirtualiseMmio", "<false/>")]), None, "");
    let e = env(&[], Some((&cfg, ConfigKind::Clover)));
    let d = run_env(&load(OCQUIRKS, None), Some(&e));
    let c001 = one(&d, "C001");
    assert!(c001.message.starts_with("this OcQuirks.plist is ignored"));
    assert!(
        c001.message
            .contains("DevirtualiseMmio=false [OcQuirks.plist: true]")
    );
    // An old config without Quirks: OcQuirks.efi reads the plist, so no C001.
    let old = "<?xml version=\"1.0\"?>\n<plist version=\"1.0\">\n<dict>\n<key>Boot</key>\n<dict/>\n</dict>\n</plist>\n";
    let e = env(&["OcQuirks.efi"], Some((old, ConfigKind::Clover)));
    assert!(with(&run_env(&load(OCQUIRKS, None), Some(&e)), "C001").is_empty());
}

#[test]
fn c002_names_each_legacy_driver() {
    let cfg = clover_text(&q(&[]), Some("-v"), "");
    let e = env(
        &[
            "AptioMemoryFix.efi",
            "ApfsDriverLoader.efi",
            "OsxAptioFix3Drv.efi",
            "OsxAptioFixDrv-64.efi",
            "OcQuirks.efi",
            "OpenRuntime.efi",
        ],
        None,
    );
    let d = run_env(&load(&cfg, None), Some(&e));
    let c002 = with(&d, "C002");
    assert_eq!(c002.len(), 4);
    let drv = c002
        .iter()
        .find(|x| x.message.contains("OsxAptioFixDrv-64.efi"))
        .expect("OsxAptioFixDrv reported");
    assert!(drv.message.contains("adds `slide=0`"));
    assert_eq!(drv.path, "Boot/Arguments");
    assert!(with(&run(&cfg), "C002").is_empty(), "needs the EFI folder");
}

#[test]
fn c003_console_gop_in_quirks() {
    let d = run(&clover_text(
        &q(&[("#ProvideConsoleGopEnable", "<true/>")]),
        None,
        "",
    ));
    assert!(with(&d, "C003").is_empty(), "a comment key");
    let d = run(&clover_text(
        &q(&[("provideconsolegopenable", "<true/>")]),
        None,
        "",
    ));
    let c003 = one(&d, "C003");
    assert_eq!(c003.path, "Quirks/ProvideConsoleGopEnable");
    assert_eq!(c003.severity, Severity::Warning);
    let gui =
        "\t<key>GUI</key>\n\t<dict>\n\t\t<key>ProvideConsoleGop</key>\n\t\t<true/>\n\t</dict>\n";
    let d = run(&clover_text(
        &q(&[("ProvideConsoleGopEnable", "<true/>")]),
        None,
        gui,
    ));
    assert_eq!(one(&d, "C003").severity, Severity::Info);
    // Legitimate in an OcQuirks.plist.
    let d = run_env(&load(OCQUIRKS, None), None);
    assert!(with(&d, "C003").is_empty());
}

#[test]
fn c004_needs_openruntime_for_default_true_write_unprotector() {
    let cfg = clover_text(&q(&[("AvoidRuntimeDefrag", "<true/>")]), None, "");
    let d = run_env(&load(&cfg, None), Some(&env(&["HfsPlus.efi"], None)));
    let c004 = one(&d, "C004");
    assert!(
        c004.message
            .starts_with("EnableWriteUnprotector need OpenRuntime.efi")
    );
    assert!(
        c004.message
            .contains("a missing EnableWriteUnprotector counts as true")
    );
    let d = run_env(&load(&cfg, None), Some(&env(&["openruntime.EFI"], None)));
    assert!(with(&d, "C004").is_empty(), "FAT32 ignores case");
    let off = clover_text(&q(&[("EnableWriteUnprotector", "<false/>")]), None, "");
    let d = run_env(&load(&off, None), Some(&env(&[], None)));
    assert!(with(&d, "C004").is_empty());
}

#[test]
fn ocquirks_plist_rules_use_the_driver_defaults() {
    let text = "<?xml version=\"1.0\"?>\n<plist version=\"1.0\">\n<dict>\n\t<key>EnableWriteUnprotector</key>\n\t<true/>\n\
        \t<key>ProvideCustomSlide</key>\n\t<false/>\n</dict>\n</plist>\n";
    let loaded = load(text, None);
    assert_eq!(loaded.config.kind, ConfigKind::OcQuirks);
    let d = run_env(&loaded, None);
    let b008 = one(&d, "B008");
    assert!(
        b008.message
            .contains("OcQuirks.efi: a missing RebuildAppleMemoryMap counts as true")
    );
    assert_eq!(one(&d, "B003").path, "ProvideCustomSlide");
    let after = patch::apply(text, &[one(&d, "B003").fix.as_ref().expect("fix")]);
    let again = load(&after.text, Some(ConfigKind::OcQuirks));
    assert!(again.config.quirks.provide_custom_slide.value);
}

/// A Clover config in the September 2020 layout: `root` goes at the top
/// level and `kernel` inside KernelAndKextPatches (no root Quirks dict).
fn development_layout(root: &str, kernel: &str) -> String {
    format!(
        "<plist><dict><key>Boot</key><dict><key>Arguments</key><string>-v</string></dict>\
         <key>KernelAndKextPatches</key><dict><key>KernelPm</key><true/>{kernel}</dict>{root}\
         <key>SMBIOS</key><dict/></dict></plist>"
    )
}

#[test]
fn c005_reports_every_key_of_the_development_layout() {
    let text = development_layout(
        "<key>ocquirks</key><dict><key>DevirtualiseMmio</key><true/></dict>",
        "<key>OcQuirks</key><dict/><key>OcFuzzyMatch</key><true/>",
    );
    let d = run(&text);
    let c005 = one(&d, "C005");
    assert_eq!(c005.severity, Severity::Error);
    // Clover matches keys ignoring case: the path keeps the file's spelling.
    assert_eq!(c005.path, "ocquirks");
    assert!(
        c005.message.starts_with(
            "ocquirks, KernelAndKextPatches/OcQuirks, KernelAndKextPatches/OcFuzzyMatch follow"
        ),
        "{}",
        c005.message
    );
    assert_eq!(c005.secondary.len(), 2);
    assert!(c005.notes.iter().any(|n| n.contains("no root Quirks dict")));
    let help = c005.help.as_deref().unwrap_or_default();
    assert!(help.contains("becomes Quirks/FuzzyMatch"), "{help}");
}

#[test]
fn c005_kernel_keys_alone_and_the_current_layout() {
    let d = run(&development_layout(
        "",
        "<key>OcKernelCache</key><string>Auto</string>",
    ));
    let c005 = one(&d, "C005");
    assert_eq!(c005.path, "KernelAndKextPatches/OcKernelCache");
    assert!(
        c005.message.contains(" follows the layout"),
        "{}",
        c005.message
    );
    // The r5124 layout: Quirks at the root, nothing left over.
    let current = clover_text(&q(&[("DevirtualiseMmio", "<true/>")]), Some("-v"), "");
    assert!(with(&run(&current), "C005").is_empty());
}
