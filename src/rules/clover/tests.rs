//! Rules on Clover paths: every B, S, W rule that has a meaning there, the
//! Clover reading in messages, and fixes applied to the text. C001-C005 are
//! in the child module `c_rules` (tests_c_rules.rs).

use crate::folder::clover::CloverEnv;
use crate::load::{Loaded, load_as};
use crate::model::ConfigKind;
use crate::patch::{self, Applicability};
use crate::rules::{CheckOptions, Context, Diagnostic, Severity, run_all};

fn clover_text(quirks: &str, boot_args: Option<&str>, rest: &str) -> String {
    let boot = boot_args
        .map(|a| format!("\t<key>Boot</key>\n\t<dict>\n\t\t<key>Arguments</key>\n\t\t<string>{a}</string>\n\t</dict>\n"))
        .unwrap_or_default();
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n{boot}{rest}\
         \t<key>Quirks</key>\n\t<dict>\n{quirks}\t</dict>\n</dict>\n</plist>\n"
    )
}

/// `Key` = `<true/>` lines for a Quirks dict, in the order given.
fn q(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("\t\t<key>{k}</key>\n\t\t{v}\n"))
        .collect()
}

fn load(text: &str, kind: Option<ConfigKind>) -> Loaded {
    load_as("t.plist", text.as_bytes().to_vec(), kind).expect("fixture loads")
}

fn run_env(loaded: &Loaded, env: Option<&CloverEnv>) -> Vec<Diagnostic> {
    let opts = CheckOptions::default();
    let mut cx = Context::new(&loaded.source, &loaded.doc, &loaded.config, &opts);
    cx.clover = env;
    run_all(&mut cx)
}

fn run(text: &str) -> Vec<Diagnostic> {
    run_env(&load(text, None), None)
}

/// Run every rule on a Clover text with the platform `slug` (from
/// `--platform`, so with high confidence).
fn run_on(text: &str, slug: &str) -> Vec<Diagnostic> {
    let loaded = load(text, None);
    let platform = crate::platform::PlatformMatch::from_slug(slug).expect("known slug");
    let opts = CheckOptions::default();
    let mut cx = Context::new(&loaded.source, &loaded.doc, &loaded.config, &opts);
    cx.platform = Some(&platform);
    run_all(&mut cx)
}

fn with<'a>(d: &'a [Diagnostic], code: &str) -> Vec<&'a Diagnostic> {
    d.iter().filter(|x| x.rule.code == code).collect()
}

fn one<'a>(d: &'a [Diagnostic], code: &str) -> &'a Diagnostic {
    let all = with(d, code);
    assert_eq!(
        all.len(),
        1,
        "{code}: {:#?}",
        d.iter()
            .map(|x| (x.rule.code, &x.message))
            .collect::<Vec<_>>()
    );
    all[0]
}

/// Apply the fixes of `code` and re-load the result as Clover.
fn fixed(text: &str, d: &[Diagnostic], code: &str) -> Loaded {
    let fixes: Vec<_> = with(d, code)
        .iter()
        .filter_map(|x| x.fix.as_ref())
        .collect();
    assert!(!fixes.is_empty(), "{code} offers a fix");
    let out = patch::apply(text, &fixes);
    assert!(out.skipped.is_empty());
    load(&out.text, Some(ConfigKind::Clover))
}

#[test]
fn b001_fires_only_when_written_false() {
    let d = run(&clover_text(
        &q(&[("AvoidRuntimeDefrag", "<false/>")]),
        None,
        "",
    ));
    assert_eq!(one(&d, "B001").path, "Quirks/AvoidRuntimeDefrag");
    assert!(one(&d, "B001").message.contains("Clover reading"));
    // Missing means true with a Quirks dict (r5124+).
    let d = run(&clover_text(
        &q(&[("ProvideCustomSlide", "<true/>")]),
        None,
        "",
    ));
    assert!(with(&d, "B001").is_empty());
}

#[test]
fn b003_missing_key_is_false_and_fix_inserts_in_sorted_position() {
    let text = clover_text(
        &q(&[
            ("AvoidRuntimeDefrag", "<true/>"),
            ("SetupVirtualMap", "<true/>"),
        ]),
        None,
        "",
    );
    let d = run(&text);
    let b003 = one(&d, "B003");
    assert_eq!(b003.path, "Quirks/ProvideCustomSlide");
    assert!(
        b003.message
            .contains("a missing ProvideCustomSlide counts as false"),
        "{}",
        b003.message
    );
    assert_eq!(
        b003.fix.as_ref().map(|f| f.applicability),
        Some(Applicability::Safe)
    );
    let after = fixed(&text, &d, "B003");
    assert!(after.config.quirks.provide_custom_slide.value);
    let t = &after.source.text;
    let pos = |k: &str| t.find(&format!("<key>{k}</key>")).expect("key present");
    assert!(pos("AvoidRuntimeDefrag") < pos("ProvideCustomSlide"));
    assert!(pos("ProvideCustomSlide") < pos("SetupVirtualMap"));
    assert!(t.contains("\t\t<key>ProvideCustomSlide</key>\n\t\t<true/>\n"));
}

#[test]
fn yes_no_string_is_accepted_with_a_warning_and_flipped_only_unsafely() {
    let text = clover_text(
        &q(&[("ProvideCustomSlide", "<string>no</string>")]),
        None,
        "",
    );
    let d = run(&text);
    let x004 = one(&d, "X004");
    assert_eq!(x004.severity, Severity::Warning);
    assert!(x004.message.contains("Clover accepts it"));
    assert_eq!(
        x004.fix.as_ref().map(|f| f.applicability),
        Some(Applicability::Unsafe)
    );
    let b003 = one(&d, "B003");
    assert!(
        b003.message
            .contains("the string `no` in ProvideCustomSlide reads as false")
    );
    assert_eq!(
        b003.fix.as_ref().map(|f| f.applicability),
        Some(Applicability::Unsafe)
    );
    let after = fixed(&text, &d, "B003");
    assert!(
        after
            .source
            .text
            .contains("<key>ProvideCustomSlide</key>\n\t\t<true/>")
    );
    // X004's own fix keeps the meaning: `no` becomes <false/>.
    let after = fixed(&text, &d, "X004");
    assert!(
        after
            .source
            .text
            .contains("<key>ProvideCustomSlide</key>\n\t\t<false/>")
    );
}

#[test]
fn b005_b007_and_b009_on_clover_paths() {
    let d = run(&clover_text(
        &q(&[
            ("EnableSafeModeSlide", "<false/>"),
            ("ProvideCustomSlide", "<true/>"),
            ("RebuildAppleMemoryMap", "<true/>"),
            ("SyncRuntimePermissions", "<false/>"),
        ]),
        None,
        "",
    ));
    assert_eq!(one(&d, "B005").path, "Quirks/EnableSafeModeSlide");
    assert_eq!(one(&d, "B007").path, "Quirks/SyncRuntimePermissions");
    // EnableSafeModeSlide missing counts as true: B009 fires without ProvideCustomSlide.
    let d = run(&clover_text(
        &q(&[("ProvideCustomSlide", "<false/>")]),
        None,
        "",
    ));
    let b009 = one(&d, "B009");
    assert!(b009.message.starts_with("EnableSafeModeSlide requires"));
    assert!(
        b009.message
            .contains("Clover r5124+: a missing EnableSafeModeSlide counts as true"),
        "{}",
        b009.message
    );
}

#[test]
fn b008_reads_missing_write_unprotector_as_true() {
    let d = run(&clover_text(
        &q(&[("RebuildAppleMemoryMap", "<true/>")]),
        None,
        "",
    ));
    let b008 = one(&d, "B008");
    assert!(
        b008.message
            .contains("Clover r5124+: a missing EnableWriteUnprotector counts as true")
    );
    assert_eq!(b008.path, "Quirks/EnableWriteUnprotector");
    // Which quirk goes depends on the firmware: unknown here, so no fix.
    assert!(b008.fix.is_none());
    // On a platform whose firmware has a memory attributes table, the fix
    // inserts EnableWriteUnprotector=false into root Quirks.
    let text = clover_text(&q(&[("RebuildAppleMemoryMap", "<true/>")]), None, "");
    let d = run_on(&text, "intel-desktop-coffee-lake");
    let after = fixed(&text, &d, "B008");
    assert!(!after.config.quirks.enable_write_unprotector.value);
}

#[test]
fn allow_relocation_block_rules_do_not_apply() {
    let d = run(&clover_text(
        &q(&[
            ("AllowRelocationBlock", "<true/>"),
            ("AvoidRuntimeDefrag", "<false/>"),
            ("EnableSafeModeSlide", "<false/>"),
            ("ProvideCustomSlide", "<false/>"),
        ]),
        None,
        "",
    ));
    assert!(with(&d, "B012").is_empty());
    assert!(with(&d, "B009").is_empty());
    assert!(with(&d, "B011").is_empty(), "B011 is C004 on Clover");
}

#[test]
fn b010_speaks_of_clovers_8_bit_field() {
    let d = run(&clover_text(
        &q(&[
            ("ProvideCustomSlide", "<true/>"),
            ("ProvideMaxSlide", "<integer>0x12C</integer>"),
        ]),
        None,
        "",
    ));
    let b010 = one(&d, "B010");
    assert!(
        b010.message
            .contains("ProvideMaxSlide is 300; Clover keeps it in an 8-bit field")
    );
    assert!(with(&d, "X005").is_empty(), "Clover reads 0x hex");
}

#[test]
fn slide_rules_read_boot_arguments() {
    let text = clover_text(
        &q(&[("ProvideCustomSlide", "<true/>")]),
        Some("-v slide=0 slide=0x35 -x"),
        "",
    );
    let d = run(&text);
    assert_eq!(with(&d, "S001").len(), 2);
    assert!(with(&d, "S001").iter().all(|x| x.path == "Boot/Arguments"));
    assert_eq!(one(&d, "S002").path, "Boot/Arguments");
    assert_eq!(one(&d, "S003").path, "Boot/Arguments");
    assert!(one(&d, "S004").message.contains("in Boot/Arguments"));
    assert!(
        with(&d, "S008").is_empty(),
        "EnableSafeModeSlide missing counts as true"
    );
    let s005 = one(&d, "S005");
    assert_eq!(s005.severity, Severity::Info);
    assert!(
        s005.message
            .contains("Clover merges the boot-args stored in NVRAM")
    );
    assert!(s005.fix.is_none());
    let after = fixed(&text, &d, "S004");
    assert_eq!(
        after.config.boot_args.map(|a| a.value),
        Some("-v -x".into())
    );
}

#[test]
fn s007_and_s008_on_boot_arguments() {
    let text = clover_text(
        &q(&[
            ("EnableSafeModeSlide", "<false/>"),
            ("ProvideCustomSlide", "<true/>"),
        ]),
        Some("-x\u{a0}-v"),
        "",
    );
    let d = run(&text);
    assert!(
        one(&d, "S007")
            .message
            .starts_with("Boot/Arguments contain")
    );
    let s008 = one(&d, "S008");
    assert_eq!(
        s008.help.as_deref(),
        Some("turn on Quirks/EnableSafeModeSlide")
    );
}

#[test]
fn s006_reads_custom_entry_arguments_and_add_arguments() {
    let rest = "\t<key>GUI</key>\n\t<dict>\n\t\t<key>Custom</key>\n\t\t<dict>\n\t\t\t<key>Entries</key>\n\t\t\t<array>\n\
        \t\t\t\t<dict>\n\t\t\t\t\t<key>Arguments</key>\n\t\t\t\t\t<string>slide=1 -v</string>\n\t\t\t\t</dict>\n\
        \t\t\t\t<dict>\n\t\t\t\t\t<key>AddArguments</key>\n\t\t\t\t\t<string>-v slide=2</string>\n\t\t\t\t</dict>\n\
        \t\t\t</array>\n\t\t</dict>\n\t</dict>\n";
    let text = clover_text(&q(&[("ProvideCustomSlide", "<true/>")]), None, rest);
    let d = run(&text);
    let s006 = with(&d, "S006");
    assert_eq!(s006.len(), 2);
    assert_eq!(s006[0].path, "GUI/Custom/Entries/0/Arguments");
    assert!(s006[0].message.contains("instead of Boot/Arguments"));
    assert_eq!(s006[1].path, "GUI/Custom/Entries/1/AddArguments");
    assert!(s006[1].message.contains("appends AddArguments"));
    let after = fixed(&text, &d, "S006");
    let values: Vec<String> = after
        .config
        .entry_args
        .into_iter()
        .map(|a| a.value)
        .collect();
    assert_eq!(values, vec!["-v".to_owned(), "-v".to_owned()]);
}

#[test]
fn whitelist_rules_on_quirks_mmio_whitelist() {
    let wl = "<array>\n\t\t\t<dict>\n\t\t\t\t<key>Address</key>\n\t\t\t\t<integer>0</integer>\n\
        \t\t\t\t<key>Comment</key>\n\t\t\t\t<string>caf\u{e9}</string>\n\
        \t\t\t\t<key>Enabled</key>\n\t\t\t\t<true/>\n\t\t\t</dict>\n\t\t</array>";
    let text = clover_text(
        &q(&[("DevirtualiseMmio", "<false/>"), ("MmioWhitelist", wl)]),
        None,
        "",
    );
    let d = run(&text);
    assert_eq!(one(&d, "W001").path, "Quirks/MmioWhitelist/0/Enabled");
    assert!(one(&d, "W001").message.contains("Clover reading"));
    assert_eq!(one(&d, "W002").path, "Quirks/MmioWhitelist/0/Address");
    assert_eq!(one(&d, "W003").path, "Quirks/MmioWhitelist/0/Comment");
    let after = fixed(&text, &d, "W001");
    assert!(after.config.quirks.devirtualise_mmio.value);
}

#[test]
fn x003_clover_keeps_the_first_copy_and_ignores_comment_keys() {
    let d = run(&clover_text(
        &q(&[
            ("#Note", "<true/>"),
            ("#Note", "<false/>"),
            ("ProvideCustomSlide", "<true/>"),
            ("providecustomslide", "<false/>"),
        ]),
        None,
        "",
    ));
    let x003 = one(&d, "X003");
    assert!(x003.message.contains("Clover keeps the first copy"));
    assert!(with(&d, "B003").is_empty(), "the first copy (true) wins");
}

#[test]
fn quirks_absent_keeps_booter_rules_silent_and_says_so() {
    let text = "<?xml version=\"1.0\"?>\n<plist version=\"1.0\">\n<dict>\n<key>Boot</key>\n<dict>\n\
        <key>Arguments</key>\n<string>-x</string>\n</dict>\n</dict>\n</plist>\n";
    let d = run(text);
    assert!(d.iter().all(|x| !x.rule.code.starts_with('B')));
    let s008 = one(&d, "S008");
    assert!(
        s008.message
            .contains("without a Quirks dict every booter quirk is false")
    );
}

#[test]
fn fix_inserts_into_an_empty_quirks_dict() {
    let text = "<?xml version=\"1.0\"?>\n<plist version=\"1.0\">\n<dict>\n\t<key>Boot</key>\n\t<dict/>\n\
        \t<key>Quirks</key>\n\t<dict/>\n</dict>\n</plist>\n";
    let d = run(text);
    let after = fixed(text, &d, "B003");
    assert!(after.config.quirks.provide_custom_slide.value);
    assert!(
        after
            .source
            .text
            .contains("\t<dict>\n\t\t<key>ProvideCustomSlide</key>\n\t\t<true/>\n\t</dict>")
    );
}

#[test]
fn platform_rules_b002_b004_b006_on_clover_paths() {
    let text = clover_text(
        &q(&[
            ("DevirtualiseMmio", "<false/>"),
            ("EnableWriteUnprotector", "<false/>"),
            ("ProtectUefiServices", "<false/>"),
            ("RebuildAppleMemoryMap", "<false/>"),
        ]),
        None,
        "",
    );
    let d = run_on(&text, "intel-desktop-coffee-lake");
    let b002 = one(&d, "B002");
    assert_eq!(b002.path, "Quirks/DevirtualiseMmio");
    assert_eq!(b002.severity, Severity::Warning);
    assert!(
        b002.notes
            .iter()
            .any(|n| n.contains("Quirks/MmioWhitelist"))
    );
    assert_eq!(one(&d, "B004").path, "Quirks/RebuildAppleMemoryMap");
    assert_eq!(one(&d, "B006").path, "Quirks/ProtectUefiServices");
    // Without a platform, B002 is only an info.
    assert_eq!(one(&run(&text), "B002").severity, Severity::Info);
}

#[path = "tests_c_rules.rs"]
mod c_rules;
