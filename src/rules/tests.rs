//! Each rule: one case where it fires, one where it does not.

use crate::audit::{self, AuditOptions};
use crate::platform::PlatformMatch;
use crate::rules::Evidence;

/// A minimal OpenCore config: Booter/Quirks from `quirks`, plus raw XML
/// for the other top-level keys.
pub(super) fn config(quirks: &[(&str, &str)], rest: &str) -> String {
    let mut q = String::new();
    for (k, v) in quirks {
        q.push_str(&format!("\t\t\t<key>{k}</key>\n\t\t\t{v}\n"));
    }
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n\t<key>Booter</key>\n\t<dict>\n\t\t<key>Quirks</key>\n\t\t<dict>\n{q}\t\t</dict>\n\t</dict>\n{rest}</dict>\n</plist>\n"
    )
}

pub(super) const T: &str = "<true/>";
pub(super) const F: &str = "<false/>";

/// A baseline that no B rule objects to.
fn good() -> Vec<(&'static str, &'static str)> {
    vec![
        ("AllowRelocationBlock", F),
        ("AvoidRuntimeDefrag", T),
        ("DevirtualiseMmio", T),
        ("EnableSafeModeSlide", T),
        ("EnableWriteUnprotector", F),
        ("ProtectUefiServices", F),
        ("ProvideCustomSlide", T),
        ("ProvideMaxSlide", "<integer>0</integer>"),
        ("RebuildAppleMemoryMap", T),
        ("SyncRuntimePermissions", T),
    ]
}

pub(super) const DRIVERS: &str = "\t<key>UEFI</key>\n\t<dict>\n\t\t<key>Drivers</key>\n\t\t<array>\n\t\t\t<dict>\n\t\t\t\t<key>Enabled</key>\n\t\t\t\t<true/>\n\t\t\t\t<key>Path</key>\n\t\t\t\t<string>OpenRuntime.efi</string>\n\t\t\t</dict>\n\t\t</array>\n\t</dict>\n";

pub(super) fn with(over: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let mut q = good();
    for (k, v) in over {
        match q.iter_mut().find(|(qk, _)| qk == k) {
            Some(slot) => slot.1 = v,
            None => q.push((k, v)),
        }
    }
    q
}

/// Codes found, leaving out X006/X007: these fixtures hold only the keys
/// under test, so every release's schema finds most keys missing (the
/// schema rules have their own tests in `schema::tests`).
fn codes_with(text: &str, opts: &AuditOptions) -> Vec<&'static str> {
    let mut opts = opts.clone();
    opts.check
        .ignore
        .extend(["X006".to_owned(), "X007".to_owned()]);
    let r = audit::audit_bytes("t.plist", text.as_bytes().to_vec(), &opts);
    r.diagnostics.iter().map(|d| d.rule.code).collect()
}

fn codes(text: &str) -> Vec<&'static str> {
    codes_with(text, &AuditOptions::default())
}

fn nvram(args: &str, delete: bool) -> String {
    let del = if delete {
        "<string>boot-args</string>"
    } else {
        ""
    };
    format!(
        "\t<key>NVRAM</key>\n\t<dict>\n\t\t<key>Add</key>\n\t\t<dict>\n\t\t\t<key>7C436110-AB2A-4BBB-A880-FE41995C9F82</key>\n\t\t\t<dict>\n\t\t\t\t<key>boot-args</key>\n\t\t\t\t<string>{args}</string>\n\t\t\t</dict>\n\t\t</dict>\n\t\t<key>Delete</key>\n\t\t<dict>\n\t\t\t<key>7C436110-AB2A-4BBB-A880-FE41995C9F82</key>\n\t\t\t<array>{del}</array>\n\t\t</dict>\n\t</dict>\n"
    )
}

#[test]
fn baseline_is_clean() {
    assert_eq!(codes(&config(&good(), DRIVERS)), Vec::<&str>::new());
}

#[test]
fn booter_rules_fire_and_stay_silent() {
    let cases: &[(&[(&str, &str)], &str)] = &[
        (&[("AvoidRuntimeDefrag", F)], "B001"),
        (&[("DevirtualiseMmio", F)], "B002"),
        (
            &[("ProvideCustomSlide", F), ("EnableSafeModeSlide", F)],
            "B003",
        ),
        (&[("EnableSafeModeSlide", F)], "B005"),
        (&[("SyncRuntimePermissions", F)], "B007"),
        (&[("EnableWriteUnprotector", T)], "B008"),
        (&[("ProvideCustomSlide", F)], "B009"),
        (&[("ProvideMaxSlide", "<integer>300</integer>")], "B010"),
        (
            &[("AllowRelocationBlock", T), ("AvoidRuntimeDefrag", F)],
            "B012",
        ),
    ];
    for (over, code) in cases {
        let found = codes(&config(&with(over), DRIVERS));
        assert!(
            found.contains(code),
            "{code} should fire for {over:?}: {found:?}"
        );
        let silent = codes(&config(&good(), DRIVERS));
        assert!(
            !silent.contains(code),
            "{code} should not fire on the baseline"
        );
    }
}

#[test]
fn b002_is_info_without_platform_and_warning_with_one() {
    let text = config(&with(&[("DevirtualiseMmio", F)]), DRIVERS);
    let r = audit::audit_bytes("t", text.clone().into_bytes(), &AuditOptions::default());
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.rule.code == "B002")
        .expect("B002");
    assert_eq!(d.severity, crate::rules::Severity::Info);
    let opts = AuditOptions {
        platform: PlatformMatch::from_slug("intel-hedt-skylake-x"),
        ..Default::default()
    };
    let r = audit::audit_bytes("t", text.into_bytes(), &opts);
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.rule.code == "B002")
        .expect("B002 with platform");
    assert_eq!(d.severity, crate::rules::Severity::Warning);
}

#[test]
fn b004_and_b006_need_a_platform() {
    let text = config(
        &with(&[("RebuildAppleMemoryMap", F), ("SyncRuntimePermissions", F)]),
        DRIVERS,
    );
    assert!(!codes(&text).contains(&"B004"));
    let laptop = AuditOptions {
        platform: PlatformMatch::from_slug("intel-laptop-coffee-lake"),
        ..Default::default()
    };
    assert!(
        codes_with(&text, &laptop).contains(&"B004"),
        "Coffee Lake laptops rebuild the map"
    );
    let text = config(&with(&[("ProtectUefiServices", F)]), DRIVERS);
    assert!(!codes(&text).contains(&"B006"));
    let opts = AuditOptions {
        platform: PlatformMatch::from_slug("intel-desktop-comet-lake"),
        ..Default::default()
    };
    assert!(
        codes_with(&text, &opts).contains(&"B006"),
        "Comet Lake needs ProtectUefiServices"
    );
}

#[test]
fn b003_is_silent_when_evidence_says_all_slides_fit() {
    let text = config(
        &with(&[("ProvideCustomSlide", F), ("EnableSafeModeSlide", F)]),
        DRIVERS,
    );
    let opts = AuditOptions {
        evidence: Some(Evidence {
            valid_slides: Some((0..=255).collect()),
            ..Default::default()
        }),
        ..Default::default()
    };
    let found = codes_with(&text, &opts);
    assert!(
        !found.contains(&"B003") && !found.contains(&"B005"),
        "{found:?}"
    );
}

#[test]
fn b011_needs_an_enabled_openruntime() {
    let none = config(&good(), "");
    assert!(codes(&none).contains(&"B011"));
    let disabled = config(&good(), &DRIVERS.replace("<true/>", "<false/>"));
    assert!(codes(&disabled).contains(&"B011"));
    let legacy = config(
        &good(),
        "\t<key>UEFI</key>\n\t<dict>\n\t\t<key>Drivers</key>\n\t\t<array>\n\t\t\t<string>#OpenRuntime.efi</string>\n\t\t</array>\n\t</dict>\n",
    );
    assert!(codes(&legacy).contains(&"B011"));
    let legacy_on = legacy.replace("#OpenRuntime", "OpenRuntime");
    assert!(!codes(&legacy_on).contains(&"B011"));
    // Nothing needs the driver: silent.
    let idle = config(
        &with(&[("ProvideCustomSlide", F), ("EnableSafeModeSlide", F)]),
        "",
    );
    assert!(!codes(&idle).contains(&"B011"));
}

#[test]
fn b009_counts_every_dependent_quirk() {
    let text = config(
        &with(&[
            ("ProvideCustomSlide", F),
            ("EnableSafeModeSlide", F),
            ("AllowRelocationBlock", T),
        ]),
        DRIVERS,
    );
    assert!(codes(&text).contains(&"B009"));
    let text = config(
        &with(&[("ProvideCustomSlide", F), ("EnableSafeModeSlide", F)]),
        DRIVERS,
    );
    assert!(!codes(&text).contains(&"B009"));
}

#[test]
fn slide_rules() {
    let c =
        |args: &str, del: bool| codes(&config(&good(), &format!("{DRIVERS}{}", nvram(args, del))));
    assert_eq!(c("-v keepsyms=1", true), Vec::<&str>::new());
    assert_eq!(c("-v slide=128", true), ["S001"]);
    assert_eq!(c("slide=562", true), ["S001", "S002"]);
    assert_eq!(c("slide=0x35A", true), ["S001", "S002"]);
    assert_eq!(c("slide=0", true), ["S001", "S003"]);
    let dup = c("slide=1 slide=2", true);
    assert!(
        dup.contains(&"S004") && dup.iter().filter(|c| **c == "S001").count() == 2,
        "{dup:?}"
    );
    assert_eq!(c("-v", false), ["S005"]);
    assert_eq!(c("-v\u{a0}debug=0x100", true), ["S007"]);
}

#[test]
fn s008_safe_mode_without_slide() {
    let text = config(
        &with(&[("EnableSafeModeSlide", F)]),
        &format!("{DRIVERS}{}", nvram("-x", true)),
    );
    assert!(codes(&text).contains(&"S008"));
    let text = config(&good(), &format!("{DRIVERS}{}", nvram("-x", true)));
    assert!(!codes(&text).contains(&"S008"));
}

#[test]
fn s001_with_evidence() {
    let text = config(&good(), &format!("{DRIVERS}{}", nvram("slide=5", true)));
    let ev = |valid: Vec<u8>| AuditOptions {
        evidence: Some(Evidence {
            valid_slides: Some(valid),
            ..Default::default()
        }),
        ..Default::default()
    };
    let r = audit::audit_bytes("t", text.clone().into_bytes(), &ev(vec![1, 2, 3]));
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.rule.code == "S001")
        .expect("S001");
    assert_eq!(
        d.severity,
        crate::rules::Severity::Error,
        "slide 5 is not usable"
    );
    let r = audit::audit_bytes("t", text.clone().into_bytes(), &ev(vec![5]));
    assert_eq!(
        r.diagnostics
            .iter()
            .find(|d| d.rule.code == "S001")
            .map(|d| d.severity),
        Some(crate::rules::Severity::Warning)
    );
    assert!(
        !codes_with(&text, &ev(vec![])).contains(&"S001"),
        "no slide usable: keep the pinned one"
    );
}

#[test]
fn s006_entry_arguments() {
    let misc = "\t<key>Misc</key>\n\t<dict>\n\t\t<key>Tools</key>\n\t\t<array>\n\t\t\t<dict>\n\t\t\t\t<key>Arguments</key>\n\t\t\t\t<string>slide=3</string>\n\t\t\t</dict>\n\t\t</array>\n\t</dict>\n";
    assert_eq!(
        codes(&config(&good(), &format!("{DRIVERS}{misc}"))),
        ["S006"]
    );
}

fn whitelist(entries: &[(&str, bool, &str)]) -> String {
    let mut s = String::new();
    for (addr, en, comment) in entries {
        s.push_str(&format!(
            "<dict><key>Address</key><integer>{addr}</integer><key>Comment</key><string>{comment}</string><key>Enabled</key>{}</dict>",
            if *en { T } else { F }
        ));
    }
    format!("<key>MmioWhitelist</key><array>{s}</array>")
}

#[test]
fn whitelist_rules() {
    let with_wl = |q: &[(&'static str, &'static str)], wl: String| {
        config(&with(q), DRIVERS).replace("<key>Quirks</key>", &format!("{wl}<key>Quirks</key>"))
    };
    // W001 looks at every entry, not only the last (OpenCore's validator bug).
    let first_enabled = with_wl(
        &[("DevirtualiseMmio", F)],
        whitelist(&[("4278190080", true, "a"), ("4275159040", false, "b")]),
    );
    assert!(codes(&first_enabled).contains(&"W001"));
    let all_disabled = with_wl(
        &[("DevirtualiseMmio", F)],
        whitelist(&[("4278190080", false, "a")]),
    );
    assert!(!codes(&all_disabled).contains(&"W001"));
    let zero_and_dup = with_wl(
        &[],
        whitelist(&[("0", true, "a"), ("5", true, "b"), ("5", true, "c")]),
    );
    assert_eq!(
        codes(&zero_and_dup)
            .iter()
            .filter(|c| **c == "W002")
            .count(),
        2
    );
    let comment = with_wl(&[], whitelist(&[("5", true, "caf\u{e9}")]));
    assert!(codes(&comment).contains(&"W003"));
}

#[test]
fn structure_rules() {
    let dup = config(&with(&[("AvoidRuntimeDefrag", T)]), DRIVERS).replace(
        "<key>AvoidRuntimeDefrag</key>",
        "<key>AvoidRuntimeDefrag</key>\n\t\t\t<false/>\n\t\t\t<key>AvoidRuntimeDefrag</key>",
    );
    assert_eq!(
        codes(&dup),
        ["X003"],
        "last copy (true) wins, so B001 stays silent"
    );
    let mistyped = config(
        &with(&[("AvoidRuntimeDefrag", "<string>true</string>")]),
        DRIVERS,
    );
    let found = codes(&mistyped);
    assert!(
        found.contains(&"X004") && !found.contains(&"B001"),
        "a mistyped input skips the rule: {found:?}"
    );
    let hex = config(
        &with(&[("ProvideMaxSlide", "<integer>0x10</integer>")]),
        DRIVERS,
    );
    assert_eq!(codes(&hex), ["X005"]);
    // OpenCore's reader refuses a tag left open: a finding (X010, exit 1),
    // not a file ocaudit cannot read.
    let r = audit::audit_bytes(
        "t",
        b"<plist><dict><key>A</key></plist>".to_vec(),
        &AuditOptions::default(),
    );
    assert!(!r.unparsable);
    assert_eq!(r.opencore_reads, Some(false));
    assert_eq!(r.diagnostics.len(), 1);
    assert_eq!(r.diagnostics[0].rule.code, "X010");
    // Text that is no plist at all is still X001, exit 2.
    let r = audit::audit_bytes("t", b"{\"a\": 1}".to_vec(), &AuditOptions::default());
    assert!(r.unparsable);
    assert_eq!(r.diagnostics[0].rule.code, "X001");
    let r = audit::audit_bytes("t", b"bplist00\x00\x01".to_vec(), &AuditOptions::default());
    assert_eq!(r.diagnostics[0].rule.code, "X002");
}

#[test]
fn select_and_ignore_filter_by_prefix() {
    let text = config(
        &with(&[("AvoidRuntimeDefrag", F), ("SyncRuntimePermissions", F)]),
        DRIVERS,
    );
    let opts = |select: &[&str], ignore: &[&str]| AuditOptions {
        check: crate::rules::CheckOptions {
            select: select.iter().map(|s| s.to_string()).collect(),
            ignore: ignore.iter().map(|s| s.to_string()).collect(),
        },
        ..Default::default()
    };
    assert_eq!(codes_with(&text, &opts(&["B001"], &[])), ["B001"]);
    assert_eq!(
        codes_with(&text, &opts(&["B"], &["B00"])),
        Vec::<&str>::new()
    );
}

#[test]
fn rule_names_are_unique_and_never_read_as_a_code() {
    // `--select NAME` and `explain NAME` look names up after codes: a name
    // must name one rule and must not start like a code or prefix.
    let mut seen = std::collections::HashSet::new();
    for m in crate::rules::all() {
        assert!(seen.insert(m.name.to_ascii_lowercase()), "{} twice", m.name);
        assert!(
            !crate::rules::all().any(|o| crate::rules::matches_any(o.code, &[m.name.into()])),
            "{} reads as a code prefix",
            m.name
        );
        assert_eq!(
            crate::rules::by_code_or_name(m.name).map(|r| r.code),
            Some(m.code)
        );
    }
}

#[test]
fn every_rule_has_docs_with_the_headings() {
    for m in crate::rules::all() {
        let mut last = 0;
        for h in [
            "## What it does",
            "## Why it matters",
            "## Example",
            "## Fix safety",
            "## References",
        ] {
            let at = m
                .docs
                .find(h)
                .unwrap_or_else(|| panic!("{} docs lack `{h}`", m.code));
            assert!(at >= last, "{}: `{h}` out of order", m.code);
            last = at;
        }
        if m.fix_applicability == Some(crate::patch::Applicability::Unsafe) {
            let safety = &m.docs[m.docs.find("## Fix safety").unwrap_or(0)..];
            assert!(
                safety.to_lowercase().contains("unsafe"),
                "{} must say why its fix is unsafe",
                m.code
            );
        }
        assert!(
            m.name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit()),
            "{}",
            m.name
        );
    }
}

fn with_evidence(ev: Evidence) -> AuditOptions {
    AuditOptions {
        evidence: Some(ev),
        ..Default::default()
    }
}

#[test]
fn evidence_rules() {
    let base = config(&good(), DRIVERS);
    let some = Evidence {
        valid_slides: Some((10..20).collect()),
        ..Default::default()
    };
    assert_eq!(codes_with(&base, &with_evidence(some.clone())), ["M001"]);
    // ProvideCustomSlide off: M001 becomes a warning.
    let pcs_off = config(
        &with(&[("ProvideCustomSlide", F), ("EnableSafeModeSlide", F)]),
        DRIVERS,
    );
    let r = audit::audit_bytes("t", pcs_off.into_bytes(), &with_evidence(some));
    let m001 = r
        .diagnostics
        .iter()
        .find(|d| d.rule.code == "M001")
        .expect("M001");
    assert_eq!(m001.severity, crate::rules::Severity::Warning);
    let none = Evidence {
        valid_slides: Some(vec![]),
        fallback_slide: Some(86),
        ..Default::default()
    };
    assert_eq!(codes_with(&base, &with_evidence(none)), ["M002"]);
    let all = Evidence {
        valid_slides: Some((0..=255).collect()),
        ..Default::default()
    };
    assert_eq!(codes_with(&base, &with_evidence(all)), ["M003"]);
    let dm_off = config(&with(&[("DevirtualiseMmio", F)]), DRIVERS);
    let helps = Evidence {
        valid_slides: Some((128..=255).collect()),
        valid_with_devirtualise: Some(156),
        ..Default::default()
    };
    let found = codes_with(&dm_off, &with_evidence(helps.clone()));
    assert!(
        found.contains(&"M004") && found.contains(&"B002"),
        "{found:?}"
    );
    let no_gain = Evidence {
        valid_with_devirtualise: Some(128),
        ..helps
    };
    assert!(!codes_with(&dm_off, &with_evidence(no_gain)).contains(&"M004"));
    let disagree = Evidence {
        logged_count: Some(101),
        simulated_count: Some(100),
        ..Default::default()
    };
    assert_eq!(
        codes_with(&base, &with_evidence(disagree)),
        ["M001", "M005"]
    );
}

#[test]
fn w004_whitelist_outside_runtime_mmio() {
    let wl = "<key>MmioWhitelist</key><array><dict><key>Address</key><integer>4278190080</integer><key>Comment</key><string>a</string><key>Enabled</key><true/></dict></array>";
    let text =
        config(&good(), DRIVERS).replace("<key>Quirks</key>", &format!("{wl}<key>Quirks</key>"));
    let inside = Evidence {
        runtime_mmio: vec![(0xFF00_0000, 0x1000)],
        ..Default::default()
    };
    assert!(!codes_with(&text, &with_evidence(inside)).contains(&"W004"));
    let outside = Evidence {
        runtime_mmio: vec![(0xE000_0000, 0x10000)],
        ..Default::default()
    };
    assert!(codes_with(&text, &with_evidence(outside)).contains(&"W004"));
}

#[test]
fn b008_direction_follows_mat_support() {
    let both = config(&with(&[("EnableWriteUnprotector", T)]), DRIVERS);
    let fix_of = |mat: Option<bool>| {
        let r = audit::audit_bytes(
            "t",
            both.clone().into_bytes(),
            &with_evidence(Evidence {
                mat_support: mat,
                ..Default::default()
            }),
        );
        let d = r
            .diagnostics
            .into_iter()
            .find(|d| d.rule.code == "B008")
            .expect("B008");
        d.fix.map(|f| (f.applicability, f.summary))
    };
    use crate::patch::Applicability::Safe;
    assert_eq!(
        fix_of(Some(true)),
        Some((Safe, "set EnableWriteUnprotector to false".to_owned()))
    );
    assert_eq!(
        fix_of(Some(false)),
        Some((Safe, "set RebuildAppleMemoryMap to false".to_owned()))
    );
    // Neither a log nor a platform says which firmware this is: dropping
    // either quirk could stop the machine booting, so there is no fix.
    assert_eq!(fix_of(None), None);
}
