use super::*;
use crate::rules::CheckOptions;

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

/// A config whose Booter/MmioWhitelist holds one entry, 0xFE000000.
const WL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n  <key>Booter</key>\n  <dict>\n    <key>MmioWhitelist</key>\n    <array>\n      <dict>\n        <key>Address</key>\n        <integer>4261412864</integer>\n        <key>Comment</key>\n        <string>mine</string>\n        <key>Enabled</key>\n        <true/>\n      </dict>\n    </array>\n  </dict>\n</dict>\n</plist>\n";

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

#[path = "tests_requests.rs"]
mod requests;
