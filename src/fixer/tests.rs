use super::*;
use crate::rules::{CheckOptions, Evidence};

const GUID: &str = APPLE_BOOT_GUID;

/// A small OpenCore config: `quirks` and `nvram` are raw XML bodies. It
/// loads OpenRuntime.efi, so fixes that turn on quirks needing it apply.
fn config(quirks: &str, nvram: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n\t<key>Booter</key>\n\t<dict>\n\t\t<key>Quirks</key>\n\t\t<dict>\n{quirks}\t\t</dict>\n\t</dict>\n\t<key>NVRAM</key>\n\t<dict>\n{nvram}\t</dict>\n{DRIVERS}</dict>\n</plist>\n"
    )
}

/// A UEFI dict loading OpenRuntime.efi.
const DRIVERS: &str = "\t<key>UEFI</key>\n\t<dict>\n\t\t<key>Drivers</key>\n\t\t<array>\n\t\t\t<dict>\n\t\t\t\t<key>Enabled</key>\n\t\t\t\t<true/>\n\t\t\t\t<key>Path</key>\n\t\t\t\t<string>OpenRuntime.efi</string>\n\t\t\t</dict>\n\t\t</array>\n\t</dict>\n";

/// Without OpenRuntime.efi, B003 reports ProvideCustomSlide but offers no
/// fix: turning it on would leave a config OpenCore's validator rejects.
#[test]
fn quirks_needing_the_runtime_driver_wait_for_it() {
    let input = config(&q("ProvideCustomSlide", false), "").replace(DRIVERS, "");
    let out = fix("config.plist", input.as_bytes().to_vec(), &only(&["B003"])).expect("fix runs");
    assert!(!out.changed(), "{}", out.text);
    let report =
        crate::audit::audit_bytes("config.plist", input.into_bytes(), &only(&["B003"]).audit);
    let d = &report.diagnostics[0];
    assert_eq!(d.rule.code, "B003");
    assert!(d.fix.is_none());
    assert!(
        d.help
            .as_deref()
            .is_some_and(|h| h.contains("OpenRuntime.efi")),
        "{:?}",
        d.help
    );
}

fn q(key: &str, v: bool) -> String {
    format!("\t\t\t<key>{key}</key>\n\t\t\t<{v}/>\n")
}

fn args(boot_args: &str, delete: bool) -> String {
    let del = if delete {
        format!(
            "\t\t<key>Delete</key>\n\t\t<dict>\n\t\t\t<key>{GUID}</key>\n\t\t\t<array>\n\t\t\t\t<string>boot-args</string>\n\t\t\t</array>\n\t\t</dict>\n"
        )
    } else {
        String::new()
    };
    format!(
        "\t\t<key>Add</key>\n\t\t<dict>\n\t\t\t<key>{GUID}</key>\n\t\t\t<dict>\n\t\t\t\t<key>boot-args</key>\n\t\t\t\t<string>{boot_args}</string>\n\t\t\t</dict>\n\t\t</dict>\n{del}"
    )
}

fn only(codes: &[&str]) -> FixOptions {
    FixOptions {
        audit: AuditOptions {
            check: CheckOptions {
                select: codes.iter().map(|c| c.to_string()).collect(),
                ignore: Vec::new(),
            },
            ..Default::default()
        },
        ..Default::default()
    }
}

fn run(text: &str, opts: &FixOptions) -> FixOutcome {
    let out = fix("config.plist", text.as_bytes().to_vec(), opts).expect("fix runs");
    out.verify(&out.new_bytes()).expect("result verifies");
    out.outside_unchanged()
        .expect("only edited elements change");
    // Idempotent: a second run on the output changes nothing.
    let again = fix("config.plist", out.text.as_bytes().to_vec(), opts).expect("second run");
    assert!(!again.changed(), "second run changed:\n{}", again.text);
    out
}

fn codes(out: &FixOutcome) -> Vec<&str> {
    out.changes.iter().map(|c| c.code).collect()
}

#[test]
fn flips_a_quirk_in_place_and_reports_the_edit() {
    let input = config(
        &(q("AvoidRuntimeDefrag", true) + &q("ProvideCustomSlide", false)),
        "",
    );
    let out = run(&input, &only(&["B003"]));
    let want = input.replace(
        "ProvideCustomSlide</key>\n\t\t\t<false/>",
        "ProvideCustomSlide</key>\n\t\t\t<true/>",
    );
    assert_eq!(out.text, want);
    assert_eq!(out.changes.len(), 1);
    let c = &out.changes[0];
    assert_eq!(c.path, "Booter/Quirks/ProvideCustomSlide");
    assert_eq!(c.code, "B003");
    assert_eq!(c.old.as_ref().map(|s| s.xml.as_str()), Some("<false/>"));
    assert_eq!(
        c.new.as_ref().map(|s| &s.value),
        Some(&serde_json::json!(true))
    );
    let entry = "<key>ProvideCustomSlide</key>\n\t\t\t";
    assert_eq!(&out.text[c.final_span.clone()], format!("{entry}<true/>"));
    assert_eq!(&input[c.original_span.clone()], format!("{entry}<false/>"));
}

#[test]
fn inserts_a_missing_quirk_in_sorted_position() {
    let input = config(
        &(q("AllowRelocationBlock", false) + &q("DevirtualiseMmio", false)),
        "",
    );
    let out = run(&input, &only(&["B001"]));
    assert!(out.text.contains(
        "AllowRelocationBlock</key>\n\t\t\t<false/>\n\t\t\t<key>AvoidRuntimeDefrag</key>\n\t\t\t<true/>\n\t\t\t<key>DevirtualiseMmio"
    ));
    let c = &out.changes[0];
    assert!(c.old.is_none());
    assert_eq!(c.path, "Booter/Quirks/AvoidRuntimeDefrag");
}

#[test]
fn inserts_at_the_same_point_land_in_a_later_pass() {
    // Both new keys sort before Zeta: the second insert clashes in pass 1.
    let input = config(&q("Zeta", false), "");
    let out = run(&input, &only(&["B001", "B003"]));
    assert_eq!(out.passes, 2);
    let a = out.text.find("AvoidRuntimeDefrag").expect("B001 applied");
    let p = out.text.find("ProvideCustomSlide").expect("B003 applied");
    let z = out.text.find("Zeta").expect("kept");
    assert!(a < p && p < z);
    assert_eq!(codes(&out), ["B001", "B003"]);
}

#[test]
fn removes_one_slide_token_and_keeps_the_others() {
    // Safe where ProvideCustomSlide's analysis takes the slide's place.
    let input = config(
        &q("ProvideCustomSlide", true),
        &args("-v keepsyms=1 slide=128 alcid=1", true),
    );
    let out = run(&input, &only(&["S001"]));
    assert_eq!(
        out.text,
        input.replace("keepsyms=1 slide=128 alcid=1", "keepsyms=1 alcid=1")
    );
    assert_eq!(out.changes[0].path, format!("NVRAM/Add/{GUID}/boot-args"));
    // With ProvideCustomSlide off nothing takes its place: unsafe only.
    let input = config("", &args("-v keepsyms=1 slide=128 alcid=1", true));
    assert!(!run(&input, &only(&["S001"])).changed());
    let mut opts = only(&["S001"]);
    opts.unsafe_fixes = true;
    let out = run(&input, &opts);
    assert_eq!(
        out.text,
        input.replace("keepsyms=1 slide=128 alcid=1", "keepsyms=1 alcid=1")
    );
    assert!(
        out.fixes[0]
            .summary
            .contains("until ProvideCustomSlide is on")
    );
}

#[test]
fn duplicated_and_invalid_slides_all_go() {
    let input = config("", &args("-v slide=562 alcid=1 slide=0", true));
    let out = run(&input, &only(&["S"]));
    assert!(out.text.contains("<string>-v alcid=1</string>"));
    let out = run(&input, &only(&["S004"]));
    assert!(out.text.contains("<string>-v alcid=1</string>"));
}

#[test]
fn adds_boot_args_to_nvram_delete_creating_containers() {
    let input = config("", &args("-v", false));
    let out = run(&input, &only(&["S005"]));
    let want = format!(
        "\t\t<key>Delete</key>\n\t\t<dict>\n\t\t\t<key>{GUID}</key>\n\t\t\t<array>\n\t\t\t\t<string>boot-args</string>\n\t\t\t</array>\n\t\t</dict>\n"
    );
    assert!(out.text.contains(&want), "{}", out.text);
    assert_eq!(out.changes[0].path, "NVRAM/Delete");
}

#[test]
fn unsafe_fixes_need_the_flag() {
    let input = config(&q("DevirtualiseMmio", false), "");
    let mut opts = only(&["B002"]);
    assert!(!run(&input, &opts).changed());
    opts.unsafe_fixes = true;
    let out = run(&input, &opts);
    assert!(out.text.contains("DevirtualiseMmio</key>\n\t\t\t<true/>"));
    assert_eq!(out.fixes[0].applicability, Applicability::Unsafe);
}

#[test]
fn duplicate_keys_lose_the_ignored_copy() {
    let input = config(
        &(q("ProvideCustomSlide", false) + &q("ProvideCustomSlide", true)),
        "",
    );
    let out = run(&input, &only(&["X003"]));
    assert_eq!(out.text, config(&q("ProvideCustomSlide", true), ""));
    assert!(out.changes[0].new.is_none());
}

#[test]
fn hex_integers_and_string_booleans_are_rewritten_with_unsafe_fixes() {
    let body = "\t\t\t<key>ProvideMaxSlide</key>\n\t\t\t<integer>0x10</integer>\n\t\t\t<key>SetupVirtualMap</key>\n\t\t\t<string>yes</string>\n";
    let input = config(body, "");
    let mut opts = only(&["X004", "X005"]);
    opts.unsafe_fixes = true;
    let out = run(&input, &opts);
    assert!(out.text.contains("<integer>16</integer>"));
    assert!(out.text.contains("SetupVirtualMap</key>\n\t\t\t<true/>"));
    assert_eq!(codes(&out), ["X005", "X004"]);
    let hex = &out.changes[0];
    assert_eq!(
        hex.old.as_ref().map(|s| &s.value),
        Some(&serde_json::json!("0x10"))
    );
    assert_eq!(
        hex.new.as_ref().map(|s| &s.value),
        Some(&serde_json::json!(16))
    );
}

#[test]
fn refuses_input_that_does_not_parse() {
    let broken = "<plist><dict><key>A</key></plist>";
    assert!(matches!(
        fix(
            "c.plist",
            broken.as_bytes().to_vec(),
            &FixOptions::default()
        ),
        Err(FixError::Unparsable(_))
    ));
    assert!(matches!(
        fix("c.plist", b"bplist00\x00".to_vec(), &FixOptions::default()),
        Err(FixError::Unparsable(_))
    ));
    let two_roots = "<plist><dict/><dict/></plist>";
    assert!(matches!(
        fix(
            "c.plist",
            two_roots.as_bytes().to_vec(),
            &FixOptions::default()
        ),
        Err(FixError::Unparsable(_))
    ));
}

#[test]
fn drops_the_bom_opencore_cannot_read_and_keeps_crlf() {
    let input = config(&q("ProvideCustomSlide", false), "").replace('\n', "\r\n");
    let mut raw = vec![0xEF, 0xBB, 0xBF];
    raw.extend_from_slice(input.as_bytes());
    let out = fix("c.plist", raw, &only(&["B001", "B003"])).expect("fix runs");
    let bytes = out.new_bytes();
    // OpenCore halts on a byte-order mark (X010): the output never has one.
    assert!(bytes.starts_with(b"<?xml"), "{:?}", &bytes[..8]);
    assert!(
        out.converted
            .as_deref()
            .is_some_and(|c| c.contains("byte-order mark"))
    );
    assert!(crate::plist::opencore::read(&bytes).is_ok());
    let text = String::from_utf8(bytes).expect("utf-8");
    assert!(text.contains("\t\t\t<key>AvoidRuntimeDefrag</key>\r\n\t\t\t<true/>\r\n"));
    assert_eq!(text.matches('\n').count(), text.matches("\r\n").count());
    out.verify(text.as_bytes()).expect("verifies");
}

#[test]
fn verify_rejects_other_bytes() {
    let input = config(&q("ProvideCustomSlide", false), "");
    let out = run(&input, &only(&["B003"]));
    assert!(out.verify(input.as_bytes()).is_err());
    let truncated = &out.new_bytes()[..40];
    assert!(out.verify(truncated).is_err());
}

fn slide(req: SlideRequest, ev: Option<Evidence>, unsafe_fixes: bool) -> FixOptions {
    let mut o = only(&["X001"]);
    o.slide = Some(req);
    o.audit.evidence = ev;
    o.unsafe_fixes = unsafe_fixes;
    o
}

#[test]
fn slide_n_replaces_existing_slides_surgically() {
    let input = config("", &args("-v slide=12 keepsyms=1 slide=40 alcid=1", true));
    let out = run(&input, &slide(SlideRequest::Set(128), None, false));
    assert!(
        out.text
            .contains("<string>-v slide=128 keepsyms=1 alcid=1</string>")
    );
    assert!(out.notes.iter().any(|n| n.contains("not checked")));
    assert!(out.changes.iter().all(|c| c.code == "--slide"));
}

#[test]
fn slide_n_appends_and_deletes_boot_args() {
    let input = config("", &args("-v", false));
    let out = run(&input, &slide(SlideRequest::Set(7), None, false));
    assert!(out.text.contains("<string>-v slide=7</string>"));
    assert!(out.text.contains("<key>Delete</key>"));
    // The S rules do not undo the requested slide afterwards.
    let mut o = slide(SlideRequest::Set(7), None, false);
    o.audit.check.select.clear();
    let out = run(&input, &o);
    assert!(out.text.contains("slide=7"));
}

#[test]
fn slide_n_creates_boot_args_when_missing() {
    let input = config("", "");
    let out = run(&input, &slide(SlideRequest::Set(3), None, false));
    let doc = crate::plist::load(&out.text).expect("parses");
    let ba = doc.root.pointer(&format!("NVRAM/Add/{GUID}/boot-args"));
    assert_eq!(ba.and_then(|n| n.as_str()), Some("slide=3"));
    let del = doc.root.pointer(&format!("NVRAM/Delete/{GUID}/0"));
    assert_eq!(del.and_then(|n| n.as_str()), Some("boot-args"));
}

fn evidence(valid: &[u8], fallback: Option<u8>) -> Evidence {
    Evidence {
        source: "memmap.txt".into(),
        valid_slides: Some(valid.to_vec()),
        fallback_slide: fallback,
        runtime_mmio: vec![(0xFE00_0000, 0x11), (0xFED1_C000, 4)],
        ..Default::default()
    }
}

#[test]
fn slide_n_not_usable_is_refused_unless_unsafe() {
    let input = config("", &args("-v", true));
    let ev = evidence(&[10, 11, 12], None);
    let err = fix(
        "c.plist",
        input.as_bytes().to_vec(),
        &slide(SlideRequest::Set(200), Some(ev.clone()), false),
    );
    assert!(matches!(err, Err(FixError::Refused(m)) if m.contains("not usable")));
    let out = run(
        &input,
        &slide(SlideRequest::Set(200), Some(ev.clone()), true),
    );
    assert!(out.text.contains("slide=200"));
    assert!(out.notes.iter().any(|n| n.starts_with("warning")));
    // A usable slide passes without a word; evidence without a slide list
    // cannot check it.
    let out = run(
        &input,
        &slide(SlideRequest::Set(11), Some(ev.clone()), false),
    );
    assert!(out.notes.is_empty(), "{:?}", out.notes);
    let counted = Evidence {
        valid_slides: None,
        logged_count: Some(40),
        ..ev
    };
    let out = run(&input, &slide(SlideRequest::Set(11), Some(counted), false));
    assert!(out.notes.iter().any(|n| n.contains("does not list")));
}

#[test]
fn slide_remove_drops_every_slide() {
    let input = config("", &args("slide=1 -v slide=2", true));
    let out = run(&input, &slide(SlideRequest::Remove, None, false));
    assert!(out.text.contains("<string>-v</string>"));
}

#[test]
fn slide_auto_needs_evidence_and_acts_only_when_needed() {
    let input = config(&q("ProvideCustomSlide", true), &args("-v", true));
    let no_ev = fix(
        "c.plist",
        input.as_bytes().to_vec(),
        &slide(SlideRequest::Auto, None, false),
    );
    assert!(matches!(no_ev, Err(FixError::Refused(_))));
    // Slides usable and ProvideCustomSlide on: nothing to do.
    let ev = evidence(&[1, 2, 3, 50, 51, 52, 53, 54], Some(9));
    let out = run(&input, &slide(SlideRequest::Auto, Some(ev.clone()), false));
    assert!(!out.changed());
    assert!(out.notes.iter().any(|n| n.contains("8 usable")));
    // None usable: the fallback.
    let none = evidence(&[], Some(9));
    let out = run(&input, &slide(SlideRequest::Auto, Some(none), false));
    assert!(out.text.contains("<string>-v slide=9</string>"));
    // ProvideCustomSlide off and B003 not selected: middle of the longest run.
    let off = config(&q("ProvideCustomSlide", false), &args("-v", true));
    let out = run(&off, &slide(SlideRequest::Auto, Some(ev), false));
    assert!(out.text.contains("<string>-v slide=52</string>"));
}

#[test]
fn longest_run_middle() {
    assert_eq!(middle_of_longest_run(&[]), None);
    assert_eq!(middle_of_longest_run(&[5]), Some(5));
    assert_eq!(middle_of_longest_run(&[1, 2, 3, 10, 11]), Some(2));
    assert_eq!(middle_of_longest_run(&[200, 7, 201, 202, 203]), Some(201));
}

const WL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n  <key>Booter</key>\n  <dict>\n    <key>MmioWhitelist</key>\n    <array>\n      <dict>\n        <key>Address</key>\n        <integer>4261412864</integer>\n        <key>Comment</key>\n        <string>mine</string>\n        <key>Enabled</key>\n        <true/>\n      </dict>\n    </array>\n  </dict>\n</dict>\n</plist>\n";

fn mmio(req: &str, ev: Option<Evidence>) -> FixOptions {
    let mut o = only(&["X001"]);
    o.mmio = Some(req.parse().expect("valid request"));
    o.audit.evidence = ev;
    o
}

#[test]
fn mmio_addresses_are_appended_once_in_style() {
    // 0xFE000000 is already listed (as 4261412864); 0xFED1C000 twice in the request.
    let out = run(WL, &mmio("0xFE000000,0xFED1C000,4275159040", None));
    let added = "      <dict>\n        <key>Address</key>\n        <integer>4275159040</integer>\n        <key>Comment</key>\n        <string>MMIO 0xFED1C000</string>\n        <key>Enabled</key>\n        <true/>\n      </dict>\n    </array>";
    assert!(out.text.contains(added), "{}", out.text);
    assert_eq!(out.text.matches("<key>Address</key>").count(), 2);
    assert!(out.text.contains("<string>mine</string>"));
    assert_eq!(out.changes[0].path, "Booter/MmioWhitelist/1");
}

#[test]
fn mmio_all_disabled_uses_the_evidence() {
    let input = config("", "");
    let refused = fix(
        "c.plist",
        input.as_bytes().to_vec(),
        &mmio("all-disabled", None),
    );
    assert!(matches!(refused, Err(FixError::Refused(_))));
    let out = run(&input, &mmio("all-disabled", Some(evidence(&[1], None))));
    let doc = crate::plist::load(&out.text).expect("parses");
    let wl = doc.root.pointer("Booter/MmioWhitelist").expect("created");
    let items = wl.as_array().expect("array");
    assert_eq!(items.len(), 2);
    let first = items[0].as_dict().expect("dict");
    assert_eq!(
        first.get("Comment").and_then(|e| e.value.as_str()),
        Some("MMIO 0xFE000000 (0x11 pages)")
    );
    assert_eq!(
        first.get("Enabled").and_then(|e| e.value.as_bool()),
        Some(false)
    );
    assert!(out.text.contains("<integer>4261412864</integer>"));
}

#[test]
fn mmio_request_parsing() {
    assert!("".parse::<MmioRequest>().is_err());
    assert!("0xZZ".parse::<MmioRequest>().is_err());
    assert_eq!(
        "0x10, 32".parse::<MmioRequest>(),
        Ok(MmioRequest::Addresses(vec![16, 32]))
    );
    assert!("256".parse::<SlideRequest>().is_err());
    assert!("-1".parse::<SlideRequest>().is_err());
    assert_eq!("255".parse::<SlideRequest>(), Ok(SlideRequest::Set(255)));
}

/// A config with a UEFI/Drivers array holding `drivers` (raw XML items).
fn with_drivers(quirks: &str, drivers: &str) -> String {
    config(quirks, "").replace(
        "\t</dict>\n</dict>\n</plist>",
        &format!("\t</dict>\n\t<key>UEFI</key>\n\t<dict>\n\t\t<key>Drivers</key>\n\t\t<array>\n{drivers}\t\t</array>\n\t</dict>\n</dict>\n</plist>"),
    )
}

#[test]
fn openruntime_entry_is_enabled_or_added() {
    let disabled = "\t\t\t<dict>\n\t\t\t\t<key>Enabled</key>\n\t\t\t\t<false/>\n\t\t\t\t<key>Path</key>\n\t\t\t\t<string>OpenRuntime.efi</string>\n\t\t\t</dict>\n";
    let input = with_drivers(&q("ProvideCustomSlide", true), disabled);
    let mut opts = only(&["B011"]);
    opts.unsafe_fixes = true;
    let out = run(&input, &opts);
    assert_eq!(
        out.text,
        input.replace("<false/>\n\t\t\t\t<key>Path", "<true/>\n\t\t\t\t<key>Path")
    );
    assert_eq!(out.changes[0].path, "UEFI/Drivers/0/Enabled");
    let other = disabled.replace("OpenRuntime", "HfsPlus");
    let input = with_drivers(&q("ProvideCustomSlide", true), &other);
    let out = run(&input, &opts);
    let doc = crate::plist::load(&out.text).expect("parses");
    let added = doc
        .root
        .pointer("UEFI/Drivers/1/Path")
        .and_then(|n| n.as_str());
    assert_eq!(added, Some("OpenRuntime.efi"));
    assert_eq!(out.changes[0].path, "UEFI/Drivers/1");
    assert!(out.changes[0].old.is_none());
}

#[test]
fn whitelist_without_devirtualise_turns_it_on() {
    let input = WL.replace(
        "  </dict>\n</dict>\n</plist>",
        "    <key>Quirks</key>\n    <dict>\n      <key>DevirtualiseMmio</key>\n      <false/>\n    </dict>\n  </dict>\n</dict>\n</plist>",
    );
    let mut opts = only(&["W001"]);
    assert!(!run(&input, &opts).changed());
    opts.unsafe_fixes = true;
    let out = run(&input, &opts);
    assert!(
        out.text
            .contains("<key>DevirtualiseMmio</key>\n      <true/>")
    );
    assert_eq!(out.changes[0].code, "W001");
}

#[test]
fn entry_arguments_lose_their_slide() {
    let input = config("", "").replace(
        "\t</dict>\n</dict>\n</plist>",
        "\t</dict>\n\t<key>Misc</key>\n\t<dict>\n\t\t<key>Entries</key>\n\t\t<array>\n\t\t\t<dict>\n\t\t\t\t<key>Arguments</key>\n\t\t\t\t<string>slide=12 -v</string>\n\t\t\t</dict>\n\t\t</array>\n\t</dict>\n</dict>\n</plist>",
    );
    let out = run(&input, &only(&["S006"]));
    assert!(out.text.contains("<string>-v</string>"));
    assert_eq!(out.changes[0].path, "Misc/Entries/0/Arguments");
}

#[test]
fn changes_map_back_through_several_passes() {
    // Pass 1 inserts AvoidRuntimeDefrag; pass 2 inserts ProvideCustomSlide
    // at the same point. Both spans must land on their elements.
    let input = config(&q("Zeta", false), "");
    let out = run(&input, &only(&["B001", "B003"]));
    for c in &out.changes {
        let key = c.path.rsplit('/').next().unwrap_or_default();
        assert!(out.text[c.final_span.clone()].starts_with(&format!("<key>{key}</key>")));
        assert!(c.original_span.is_empty());
    }
}

#[test]
fn openruntime_is_added_when_uefi_drivers_is_missing() {
    // B011 used to offer no fix without a UEFI/Drivers array.
    let input = config(&q("ProvideCustomSlide", true), "").replace(DRIVERS, "");
    let mut opts = only(&["B011"]);
    opts.unsafe_fixes = true;
    let out = run(&input, &opts);
    let doc = crate::plist::load(&out.text).expect("parses");
    let path = doc
        .root
        .pointer("UEFI/Drivers/0/Path")
        .and_then(|n| n.as_str());
    assert_eq!(path, Some("OpenRuntime.efi"));
    let enabled = doc
        .root
        .pointer("UEFI/Drivers/0/Enabled")
        .and_then(|n| n.as_bool());
    assert_eq!(enabled, Some(true));
    assert_eq!(out.changes[0].path, "UEFI");
    // And the message agrees in number.
    let loaded = crate::audit::load("c", input.into_bytes()).expect("loads");
    let d = crate::audit::run_rules(&loaded, None, &opts.audit, None);
    assert!(
        d[0].message
            .starts_with("ProvideCustomSlide needs OpenRuntime.efi")
    );
}

#[test]
fn insert_path_wraps_missing_levels() {
    let input = config("", "");
    let doc = crate::plist::load(&input).expect("parses");
    let style = Style::detect(&input);
    let v = crate::patch::NewValue::Int(1);
    let e = crate::patch::insert_path(&input, &doc.root, &["Booter", "Quirks"], v.clone(), &style);
    assert_eq!(e, Ok(None));
    let e = crate::patch::insert_path(
        &input,
        &doc.root,
        &["Booter", "Quirks", "A", "B"],
        v.clone(),
        &style,
    );
    let edit = e.expect("dict").expect("edit");
    let fixed = patch::apply(&input, &[&Fix::safe("t", vec![edit])]).text;
    let doc = crate::plist::load(&fixed).expect("parses");
    assert!(doc.root.pointer("Booter/Quirks/A/B").is_some());
    let bad = crate::patch::insert_path(
        &input,
        &doc.root,
        &["Booter", "Quirks", "A", "B", "C"],
        v,
        &style,
    );
    assert_eq!(bad, Err(4));
}

#[test]
fn an_upgrade_sets_the_release_the_later_passes_check_against() {
    let text = include_str!("../../sample-configs/legacy-0.6-drivers-as-strings.plist");
    let opts = FixOptions {
        unsafe_fixes: true,
        upgrade_to: Some("1.0.7".into()),
        ..Default::default()
    };
    let out = fix("config.plist", text.as_bytes().to_vec(), &opts).expect("fix runs");
    assert!(out.changed());
    // Checked against the old release, the keys the upgrade added would be
    // unknown and the unsafe X006 fix would take them out again.
    assert!(
        out.fixes.iter().all(|f| f.code != "X006"),
        "{:?}",
        out.fixes
    );
    let judged = AuditOptions {
        oc_version: Some("1.0.7".into()),
        ..Default::default()
    };
    let report = audit::audit_bytes("config.plist", out.text.into_bytes(), &judged);
    let unknown: Vec<&str> = report
        .diagnostics
        .iter()
        .filter(|d| d.rule.code == "X006")
        .map(|d| d.path.as_str())
        .collect();
    assert!(unknown.is_empty(), "{unknown:?}");
}
