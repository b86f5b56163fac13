//! Each UEFI/Drivers rule: one config where it fires, one where it does not;
//! disabled entries, the old string layout and releases.

use super::tests::{F, T, dict, findings_for, fires_and_not, hits, one, uefi};
use crate::rules::{Diagnostic, Severity};

/// A driver entry: path, enabled, LoadEarly.
type D<'a> = (&'a str, bool, bool);

fn entry((path, enabled, early): D) -> String {
    let b = |v: bool| if v { T } else { F };
    format!(
        "<dict><key>Arguments</key><string></string><key>Comment</key><string></string><key>Enabled</key>{}<key>LoadEarly</key>{}<key>Path</key><string>{path}</string></dict>",
        b(enabled),
        b(early)
    )
}

fn list(entries: &[D]) -> String {
    let items: String = entries.iter().map(|e| entry(*e)).collect();
    format!("<key>Drivers</key><array>{items}</array>")
}

/// Drivers, ConnectDrivers on, KeySupport as given.
fn with(entries: &[D], key_support: bool) -> Vec<Diagnostic> {
    uefi(&format!(
        "<key>ConnectDrivers</key><true/>{}{}",
        list(entries),
        dict("Input", &[("KeySupport", if key_support { T } else { F })])
    ))
}

fn drivers(entries: &[D]) -> Vec<Diagnostic> {
    with(entries, true)
}

const GOOD: &[D] = &[
    ("HfsPlus.efi", true, false),
    ("OpenRuntime.efi", true, false),
];

#[test]
fn the_good_list_is_clean() {
    let found = drivers(GOOD);
    assert!(found.is_empty(), "{:?}", hits(&found));
}

#[test]
fn u011_path_length_by_release() {
    // `Drivers\` (8) + 184 + NUL = 193: over 1.0.7's 192 bytes.
    let long = format!("{}.efi", "A".repeat(180));
    let ok = format!("{}.efi", "A".repeat(179));
    let bad = drivers(&[(&long, true, false)]);
    fires_and_not(
        "U011",
        "UEFI/Drivers/0/Path",
        &bad,
        &drivers(&[(&ok, true, false)]),
    );
    assert_eq!(one(&bad, "U011").severity, Severity::Error);
    // 1.0.5 allowed 128 bytes.
    let mid = format!("{}.efi", "A".repeat(120));
    let old = findings_for(
        &format!(
            "<key>UEFI</key><dict>{}</dict>",
            list(&[(&mid, true, false)])
        ),
        "1.0.5",
    );
    assert!(one(&old, "U011").message.contains("128-byte"));
    // Disabled: information only.
    let off = drivers(&[(&long, false, false)]);
    assert_eq!(one(&off, "U011").severity, Severity::Info);
}

#[test]
fn u012_u013_u014_path_shape() {
    fires_and_not(
        "U012",
        "UEFI/Drivers/0/Path",
        &drivers(&[("", true, false)]),
        &drivers(GOOD),
    );
    let bad = drivers(&[("Foo.dxe", true, false)]);
    fires_and_not(
        "U013",
        "UEFI/Drivers/0/Path",
        &bad,
        &drivers(&[("Foo.EFI", true, false)]),
    );
    assert_eq!(one(&bad, "U013").severity, Severity::Error);
    let bad = drivers(&[("Foo Bar.efi", true, false)]);
    fires_and_not(
        "U014",
        "UEFI/Drivers/0/Path",
        &bad,
        &drivers(&[("Sub/Foo_1-2.efi", true, false)]),
    );
    assert!(one(&bad, "U014").message.contains("' '"));
    let back = drivers(&[("Sub\\Foo.efi", true, false)]);
    assert!(one(&back, "U014").message.contains("'\\\\'"));
    // Non-ASCII is X008's finding, not U014's.
    assert!(drivers(&[("Café.efi", true, false)]).is_empty());
    // Disabled: information.
    assert_eq!(
        one(&drivers(&[("Foo.dxe", false, false)]), "U013").severity,
        Severity::Info
    );
}

#[test]
fn u017_duplicates_enabled_or_not() {
    let twice = drivers(&[("HfsPlus.efi", true, false), ("HfsPlus.efi", true, false)]);
    fires_and_not("U017", "UEFI/Drivers/1/Path", &twice, &drivers(GOOD));
    assert_eq!(one(&twice, "U017").severity, Severity::Warning);
    let one_off = drivers(&[("HfsPlus.efi", true, false), ("HfsPlus.efi", false, false)]);
    assert_eq!(one(&one_off, "U017").severity, Severity::Info);
    // Two empty paths are U012's, not duplicates.
    assert!(
        !hits(&drivers(&[("", true, false), ("", true, false)]))
            .iter()
            .any(|(c, _)| *c == "U017")
    );
}

const VAR: &str = "OpenVariableRuntimeDxe.efi";
const RT: &str = "OpenRuntime.efi";

#[test]
fn u015_u016_load_early() {
    let bad = drivers(&[(VAR, true, false), (RT, true, true)]);
    fires_and_not(
        "U015",
        "UEFI/Drivers/0/LoadEarly",
        &bad,
        &drivers(&[(VAR, true, true), (RT, true, true)]),
    );
    let fix = one(&bad, "U015").fix.as_ref().expect("set it");
    assert_eq!(fix.applicability, crate::patch::Applicability::Safe);
    assert_eq!(fix.edits[0].text, "<true/>");
    let bad = drivers(&[("HfsPlus.efi", true, true), (RT, true, false)]);
    fires_and_not("U016", "UEFI/Drivers/0/LoadEarly", &bad, &drivers(GOOD));
    // A disabled driver never loads, early or not.
    assert!(drivers(&[("HfsPlus.efi", false, true)]).is_empty());
}

#[test]
fn u018_u019_u020_openruntime_with_emulated_nvram() {
    let good = drivers(&[(VAR, true, true), (RT, true, true)]);
    assert!(good.is_empty(), "{:?}", hits(&good));
    fires_and_not(
        "U018",
        "UEFI/Drivers/1/LoadEarly",
        &drivers(&[(VAR, true, true), (RT, true, false)]),
        &good,
    );
    fires_and_not(
        "U019",
        "UEFI/Drivers/0",
        &drivers(&[(RT, true, true), (VAR, true, true)]),
        &good,
    );
    fires_and_not(
        "U020",
        "UEFI/Drivers/0/LoadEarly",
        &drivers(&[(RT, true, true)]),
        &drivers(&[(RT, true, false)]),
    );
    // A disabled OpenVariableRuntimeDxe does not count.
    let off = drivers(&[(VAR, false, true), (RT, true, true)]);
    assert!(hits(&off).iter().any(|(c, _)| *c == "U020"));
}

#[test]
fn u021_emulated_nvram_and_firmware_settings() {
    let fw = "FirmwareSettingsEntry.efi";
    fires_and_not(
        "U021",
        "UEFI/Drivers/2/Path",
        &drivers(&[(VAR, true, true), (RT, true, true), (fw, true, false)]),
        &drivers(&[(RT, true, false), (fw, true, false)]),
    );
    // The entry driver exists from 0.9.8.
    let old = findings_for(
        &format!(
            "<key>UEFI</key><dict>{}</dict>",
            list(&[(VAR, true, true), (RT, true, true), (fw, true, false)])
        ),
        "0.9.7",
    );
    assert!(!hits(&old).iter().any(|(c, _)| *c == "U021"));
}

#[test]
fn u022_u023_u024_keyboards() {
    let usb = ("OpenUsbKbDxe.efi", true, false);
    let ps2 = ("Ps2KeyboardDxe.efi", true, false);
    fires_and_not(
        "U022",
        "UEFI/Drivers/0/Path",
        &with(&[usb], true),
        &with(&[usb], false),
    );
    let bad = with(&[ps2], false);
    fires_and_not("U023", "UEFI/Input/KeySupport", &bad, &with(&[ps2], true));
    let fix = one(&bad, "U023").fix.as_ref().expect("turn it on");
    assert_eq!(fix.applicability, crate::patch::Applicability::Unsafe);
    fires_and_not(
        "U024",
        "UEFI/Drivers/1/Path",
        &with(&[usb, ps2], false),
        &with(&[usb], false),
    );
}

#[test]
fn u025_u026_need_connect_drivers() {
    let cfg = |connect: &str, path: &str| {
        uefi(&format!(
            "<key>ConnectDrivers</key>{connect}{}",
            list(&[(path, true, false)])
        ))
    };
    fires_and_not(
        "U025",
        "UEFI/ConnectDrivers",
        &cfg(F, "VBoxHfs.efi"),
        &cfg(T, "VBoxHfs.efi"),
    );
    fires_and_not(
        "U026",
        "UEFI/ConnectDrivers",
        &cfg(F, "AudioDxe.efi"),
        &cfg(T, "AudioDxe.efi"),
    );
    assert!(cfg(F, "OpenRuntime.efi").is_empty());
}

#[test]
fn strings_are_drivers_only_before_0_7_3() {
    let strings =
        "<key>Drivers</key><array><string>Foo.dxe</string><string>#Off.dxe</string></array>";
    let old = findings_for(&format!("<key>UEFI</key><dict>{strings}</dict>"), "0.7.2");
    let u013: Vec<&Diagnostic> = old.iter().filter(|d| d.rule.code == "U013").collect();
    assert_eq!(u013.len(), 2, "{:?}", hits(&old));
    assert_eq!(u013[0].severity, Severity::Error);
    assert_eq!(u013[1].severity, Severity::Info, "`#` disables");
    // From 0.7.3 OpenCore drops string entries (X004 reports them).
    let new = findings_for(&format!("<key>UEFI</key><dict>{strings}</dict>"), "0.7.3");
    assert!(new.is_empty(), "{:?}", hits(&new));
}

#[test]
fn load_early_checks_start_with_the_key() {
    let cfg = format!(
        "<key>UEFI</key><dict>{}</dict>",
        list(&[("OpenCanopy.efi", true, true)])
    );
    assert!(
        one(&findings_for(&cfg, "0.8.3"), "U016")
            .message
            .contains("LoadEarly")
    );
    let old = findings_for(&cfg, "0.8.2");
    assert!(old.is_empty(), "{:?}", hits(&old));
}

/// String entries: B011 (is OpenRuntime loaded?) and the UEFI rules read
/// them the same way for every way the release is known. The keys of recent
/// releases make inference say HEAD, where the two used to disagree (B011
/// counted the string driver, the UEFI rules dropped it).
#[test]
fn string_entries_one_reading_with_b011() {
    use crate::audit::{self, AuditOptions};
    let text = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n\
        <key>Booter</key><dict><key>Quirks</key><dict><key>ProvideCustomSlide</key><true/>\
        <key>ResizeAppleGpuBars</key><integer>-1</integer><key>FixupAppleEfiImages</key><false/></dict></dict>\n\
        <key>UEFI</key><dict><key>Drivers</key><array><string>OpenRuntime.efi</string><string>Foo.dxe</string></array>\
        <key>Quirks</key><dict><key>ResizeUsePciRbIo</key><false/><key>ShimRetainProtocol</key><false/></dict></dict>\n\
        </dict>\n</plist>\n";
    let run = |version: Option<&str>| {
        let opts = AuditOptions {
            kind: Some(crate::model::ConfigKind::OpenCore),
            oc_version: version.map(Into::into),
            check: crate::rules::CheckOptions {
                select: vec!["U013".into(), "B011".into()],
                ignore: Vec::new(),
            },
            ..AuditOptions::default()
        };
        let found = audit::audit_bytes("t.plist", text.as_bytes().to_vec(), &opts).diagnostics;
        let has = |code: &str| found.iter().any(|d| d.rule.code == code);
        (has("U013"), has("B011"))
    };
    // Read: U013 sees `Foo.dxe`, and the string OpenRuntime.efi satisfies B011.
    assert_eq!(run(Some("0.7.2")), (true, false), "0.7.2 named");
    assert_eq!(run(None), (true, false), "release inferred (HEAD)");
    // Dropped: nothing for U013 to see, and OpenRuntime.efi is not loaded.
    assert_eq!(run(Some("0.7.3")), (false, true), "0.7.3 named");
    assert_eq!(run(Some("1.0.7")), (false, true), "1.0.7 named");
}
