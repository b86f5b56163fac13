use super::*;
use crate::plist;

fn doc(body: &str) -> Document {
    let text = format!("<?xml version=\"1.0\"?>\n<plist version=\"1.0\">\n{body}\n</plist>\n");
    plist::load(&text).expect("test plist parses")
}

fn clover(quirks: &str, rest: &str) -> Config {
    build_clover(&doc(&format!(
        "<dict>\n<key>Quirks</key>\n<dict>\n{quirks}\n</dict>\n{rest}\n</dict>"
    )))
}

#[test]
fn detects_each_kind_from_root_keys() {
    let oc =
        doc("<dict><key>Booter</key><dict/><key>NVRAM</key><dict/><key>ACPI</key><dict/></dict>");
    assert_eq!(detect_kind(&oc), Some(ConfigKind::OpenCore));
    let cl = doc("<dict><key>ACPI</key><dict/><key>Boot</key><dict/><key>GUI</key><dict/></dict>");
    assert_eq!(detect_kind(&cl), Some(ConfigKind::Clover));
    // Clover reads section names ignoring case.
    let cl_lower = doc("<dict><key>boot</key><dict/><key>smbios</key><dict/></dict>");
    assert_eq!(detect_kind(&cl_lower), Some(ConfigKind::Clover));
    let oq = doc(
        "<dict><key>AvoidRuntimeDefrag</key><true/><key>ProvideCustomSlide</key><true/></dict>",
    );
    assert_eq!(detect_kind(&oq), Some(ConfigKind::OcQuirks));
}

#[test]
fn no_kind_for_unknown_tied_or_non_dict_roots() {
    assert_eq!(detect_kind(&doc("<array/>")), None);
    assert_eq!(detect_kind(&doc("<dict/>")), None);
    let other = doc("<dict><key>CFBundleName</key><string>x</string></dict>");
    assert_eq!(detect_kind(&other), None);
    let tie = doc("<dict><key>Booter</key><dict/><key>Boot</key><dict/></dict>");
    assert_eq!(detect_kind(&tie), None);
    // Comment keys do not count.
    let commented = doc("<dict><key>#Boot</key><dict/><key>GUI?</key><dict/></dict>");
    assert_eq!(detect_kind(&commented), None);
}

#[test]
fn duplicate_keys_do_not_decide_the_kind() {
    // Found by the fix_roundtrip fuzz target: two of five distinct keys are
    // quirks, which is not an OcQuirks.plist; counting the duplicate made it
    // one until X003's fix removed the copy.
    let dup = doc(
        "<dict><key>AvoidRuntimeDefrag</key><true/><key>DevirtualiseMmio</key><false/>\
        <key>A</key><true/><key>DevirtualiseMmio</key><false/><key>B</key><true/>\
        <key>C</key><integer>0</integer></dict>",
    );
    assert_eq!(detect_kind(&dup), None);
    let oc =
        doc("<dict><key>Booter</key><dict/><key>Booter</key><dict/><key>Boot</key><dict/></dict>");
    assert_eq!(
        detect_kind(&oc),
        None,
        "a repeated OpenCore section is one section"
    );
}

#[test]
fn missing_quirks_follow_clover_r5124_defaults() {
    let c = clover("<key>ProvideCustomSlide</key><true/>", "");
    for key in CLOVER_DEFAULT_TRUE {
        let f = c.quirks.flag(key).expect("known quirk");
        assert!(f.value, "{key} defaults to true with Quirks present");
        assert_eq!(f.state, State::Absent);
    }
    assert!(!c.quirks.devirtualise_mmio.value);
    assert!(!c.quirks.rebuild_apple_memory_map.value);
    assert_eq!(c.quirks.path, "Quirks");
    assert_eq!(
        c.quirks
            .provide_custom_slide
            .at
            .as_ref()
            .map(|a| a.path.as_str()),
        Some("Quirks/ProvideCustomSlide")
    );
}

#[test]
fn without_quirks_dict_every_booter_quirk_is_false() {
    let c = build_clover(&doc("<dict><key>Boot</key><dict/></dict>"));
    assert!(c.quirks.dict.is_none());
    for key in BOOTER_FLAGS {
        assert!(!c.quirks.flag(key).expect("known quirk").value, "{key}");
    }
}

#[test]
fn keys_ignore_case_first_duplicate_wins_and_comments_are_skipped() {
    let c = clover(
        "<key>#ProvideCustomSlide</key><true/>\
         <key>providecustomslide</key><false/>\
         <key>ProvideCustomSlide</key><true/>\
         <key>DevirtualiseMmio?</key><true/>",
        "",
    );
    assert!(!c.quirks.provide_custom_slide.value);
    assert_eq!(c.quirks.provide_custom_slide.state, State::Present);
    // `DevirtualiseMmio?` is a comment: the real key is missing (false).
    assert_eq!(c.quirks.devirtualise_mmio.state, State::Absent);
    assert!(!c.quirks.devirtualise_mmio.value);
}

#[test]
fn yes_no_strings_and_hex_integers_are_read_like_clover() {
    let c = clover(
        "<key>ProvideCustomSlide</key><string>YES</string>\
         <key>AvoidRuntimeDefrag</key><string>no</string>\
         <key>ProvideMaxSlide</key><integer>0x10</integer>\
         <key>MmioWhitelist</key><array><dict>\
         <key>Address</key><string>0xFE000000</string>\
         <key>Enabled</key><string>yes</string></dict></array>",
        "",
    );
    assert!(c.quirks.provide_custom_slide.value);
    assert!(!c.quirks.avoid_runtime_defrag.value);
    assert_eq!(c.quirks.provide_max_slide.present(), Some(&16));
    let wl = c.mmio_whitelist.expect("whitelist read");
    assert_eq!(wl.at.path, "Quirks/MmioWhitelist");
    assert_eq!(wl.entries[0].address.present(), Some(&0xFE00_0000));
    assert!(wl.entries[0].enabled.value);
    assert!(c.type_errors.is_empty(), "{:?}", c.type_errors);
}

#[test]
fn allow_relocation_block_does_not_exist_in_clover() {
    let c = clover("<key>AllowRelocationBlock</key><true/>", "");
    assert!(!c.quirks.allow_relocation_block.value);
    assert_eq!(c.quirks.allow_relocation_block.state, State::Absent);
}

#[test]
fn boot_arguments_and_custom_entry_arguments() {
    let c = clover(
        "",
        "<key>Boot</key><dict><key>Arguments</key><string>-v slide=0</string>\
         <key>Arguments?</key><string>slide=9</string></dict>\
         <key>GUI</key><dict><key>Custom</key><dict><key>Entries</key><array>\
         <dict><key>Arguments</key><string>slide=1</string>\
         <key>SubEntries</key><array><dict><key>AddArguments</key><string>slide=2</string></dict></array></dict>\
         <dict><key>Disabled</key><true/><key>Arguments</key><string>slide=3</string></dict>\
         <dict><key>AddArguments</key><string>-x</string></dict>\
         </array></dict></dict>\
         <key>SMBIOS</key><dict><key>ProductName</key><string>iMac19,1</string></dict>",
    );
    let boot = c.boot_args.expect("Boot/Arguments read");
    assert_eq!(boot.value, "-v slide=0");
    assert_eq!(boot.at.path, "Boot/Arguments");
    let paths: Vec<(&str, &str)> = c
        .entry_args
        .iter()
        .map(|a| (a.at.path.as_str(), a.value.as_str()))
        .collect();
    assert_eq!(
        paths,
        vec![
            ("GUI/Custom/Entries/0/Arguments", "slide=1"),
            ("GUI/Custom/Entries/0/SubEntries/0/AddArguments", "slide=2"),
            ("GUI/Custom/Entries/2/AddArguments", "-x"),
        ]
    );
    assert_eq!(c.product_name.as_deref(), Some("iMac19,1"));
}

#[test]
fn ocquirks_plist_has_its_own_defaults_and_exact_keys() {
    let c = build_ocquirks(&doc("<dict><key>DevirtualiseMmio</key><true/>\
         <key>enablewriteunprotector</key><true/>\
         <key>MmioWhitelist</key><array/></dict>"));
    assert_eq!(c.kind, ConfigKind::OcQuirks);
    for key in OCQUIRKS_DEFAULT_TRUE {
        assert!(c.quirks.flag(key).expect("known quirk").value, "{key}");
    }
    // The driver's schema parser matches exact names: the lower-case key is unknown.
    assert!(!c.quirks.enable_write_unprotector.value);
    assert!(c.quirks.devirtualise_mmio.value);
    assert_eq!(
        c.quirks
            .devirtualise_mmio
            .at
            .as_ref()
            .map(|a| a.path.as_str()),
        Some("DevirtualiseMmio")
    );
    assert_eq!(
        c.mmio_whitelist.map(|w| w.at.path),
        Some("MmioWhitelist".into())
    );
}

#[test]
fn build_kind_dispatches() {
    let d = doc("<dict><key>Boot</key><dict/></dict>");
    assert_eq!(build_kind(&d, ConfigKind::Clover).kind, ConfigKind::Clover);
    assert_eq!(
        build_kind(&d, ConfigKind::OcQuirks).kind,
        ConfigKind::OcQuirks
    );
    assert_eq!(
        build_kind(&d, ConfigKind::OpenCore).kind,
        ConfigKind::OpenCore
    );
}
