//! Each N rule: one case where it fires, one where it does not.

use crate::rules::devprops::tests::found;

const BOOT: &str = "7C436110-AB2A-4BBB-A880-FE41995C9F82";
const VENDOR: &str = "4D1EDE05-38C7-4A6A-9CC6-4BCCA8B38C14";

fn nvram(add: &str, delete: &str, legacy: &str) -> String {
    format!(
        "<key>NVRAM</key><dict><key>Add</key><dict>{add}</dict><key>Delete</key><dict>{delete}</dict>\
         <key>LegacySchema</key><dict>{legacy}</dict></dict>"
    )
}

fn add(guid: &str, vars: &str) -> String {
    nvram(&format!("<key>{guid}</key><dict>{vars}</dict>"), "", "")
}

#[test]
fn n001_n003_n005_guid_keys() {
    let short = "7C436110-AB2A-4BBB-A880-FE41995C9F8";
    let bad = nvram(
        &format!("<key>{short}</key><dict/>"),
        &format!("<key>{short}</key><array/>"),
        &format!("<key>{short}</key><array/>"),
    );
    assert_eq!(
        found("N", &bad),
        [
            ("N001", format!("NVRAM/Add/{short}")),
            ("N003", format!("NVRAM/Delete/{short}")),
            ("N005", format!("NVRAM/LegacySchema/{short}")),
        ]
    );
    let lower = BOOT.to_ascii_lowercase();
    let good = nvram(
        &format!("<key>{lower}</key><dict/><key>#note</key><dict/>"),
        &format!("<key>{BOOT}</key><array/>"),
        &format!("<key>{VENDOR}</key><array/>"),
    );
    assert_eq!(found("N", &good), []);
}

#[test]
fn n002_variable_names() {
    let bad = add(BOOT, "<key>foo\u{e9}</key><string>1</string>");
    assert_eq!(
        found("N", &bad),
        [("N002", format!("NVRAM/Add/{BOOT}/foo\u{e9}"))]
    );
    let good = add(
        BOOT,
        "<key>foo bar</key><string>1</string><key>#caf\u{e9}</key><string>1</string>",
    );
    assert_eq!(found("N", &good), []);
}

#[test]
fn n004_n006_repeated_names() {
    let list = "<array><string>boot-args</string><string>csr-active-config</string><string>boot-args</string></array>";
    let bad = nvram(
        "",
        &format!("<key>{BOOT}</key>{list}"),
        &format!("<key>{BOOT}</key>{list}"),
    );
    assert_eq!(
        found("N", &bad),
        [
            ("N004", format!("NVRAM/Delete/{BOOT}/2")),
            ("N006", format!("NVRAM/LegacySchema/{BOOT}/2")),
        ]
    );
    let once = "<array><string>boot-args</string></array>";
    let good = nvram(
        "",
        &format!("<key>{BOOT}</key>{once}<key>{VENDOR}</key>{once}"),
        &format!("<key>{BOOT}</key>{once}"),
    );
    assert_eq!(found("N", &good), []);
}

/// (rule, GUID, variable, a bad value, a good value)
const VALUES: &[(&str, &str, &str, &str, &str)] = &[
    (
        "N007",
        BOOT,
        "nvda_drv",
        "<data>Ag==</data>",
        "<data>MQ==</data>",
    ),
    (
        "N008",
        BOOT,
        "bootercfg",
        "<string>log=1 caf\u{e9}</string>",
        "<string>log=1</string>",
    ),
    (
        "N009",
        BOOT,
        "csr-active-config",
        "<data>AAAA</data>",
        "<data>AAAAAA==</data>",
    ),
    (
        "N010",
        BOOT,
        "StartupMute",
        "<data>AAA=</data>",
        "<data>AA==</data>",
    ),
    (
        "N011",
        BOOT,
        "SystemAudioVolume",
        "<integer>70</integer>",
        "<data>Rg==</data>",
    ),
    (
        "N012",
        VENDOR,
        "UIScale",
        "<data>Aw==</data>",
        "<data>Ag==</data>",
    ),
    (
        "N013",
        VENDOR,
        "FirmwareFeatures",
        "<data>AAAA</data>",
        "<data>AAAAAA==</data>",
    ),
    (
        "N014",
        VENDOR,
        "ExtendedFirmwareFeatures",
        "<data>AAAAAA==</data>",
        "<data>AAAAAAAAAAA=</data>",
    ),
    (
        "N015",
        VENDOR,
        "FirmwareFeaturesMask",
        "<true/>",
        "<integer>5</integer>",
    ),
    (
        "N016",
        VENDOR,
        "ExtendedFirmwareFeaturesMask",
        "<data>AAAAAAA=</data>",
        "<string>1234567</string>",
    ),
    (
        "N017",
        VENDOR,
        "DefaultBackgroundColor",
        "<data>AAAAAQ==</data>",
        "<data>AAAAAA==</data>",
    ),
];

#[test]
fn n007_to_n017_values() {
    for (code, guid, var, bad, good) in VALUES {
        assert_eq!(
            found(code, &add(guid, &format!("<key>{var}</key>{bad}"))),
            [(*code, format!("NVRAM/Add/{guid}/{var}"))],
            "{code} on {bad}"
        );
        assert_eq!(
            found(code, &add(guid, &format!("<key>{var}</key>{good}"))),
            [],
            "{code} on {good}"
        );
        let other = if *guid == BOOT { VENDOR } else { BOOT };
        assert_eq!(
            found(code, &add(other, &format!("<key>{var}</key>{bad}"))),
            [],
            "{code}: the variable under another GUID is not checked"
        );
    }
}

#[test]
fn a_string_value_gets_help_about_its_nul() {
    let text = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n{}\n</dict>\n</plist>\n",
        add(BOOT, "<key>nvda_drv</key><string>1</string>")
    );
    let mut opts = crate::audit::AuditOptions::default();
    opts.check.select = vec!["N007".to_owned()];
    let r = crate::audit::audit_bytes("t.plist", text.into_bytes(), &opts);
    let d = &r.diagnostics[0];
    assert!(d.message.contains("2 bytes: 31 00"), "{}", d.message);
    assert!(d.help.as_deref().is_some_and(|h| h.contains("<data>")));
}

#[test]
fn every_table_variable_has_a_rule_or_is_covered_elsewhere() {
    let rows = super::table_rows();
    assert_eq!(rows.len(), 12);
    for (var, _) in &rows {
        // boot-args is S007's (bootargs.rs), with more than a charset check.
        assert!(
            *var == "boot-args" || VALUES.iter().any(|v| v.2 == *var),
            "{var} has no rule"
        );
    }
    assert!(super::check_passes("printable", b"-v debug=0x100\0"));
    assert!(!super::check_passes("printable", b"-v\0x"));
    assert!(!super::check_passes("printable", b"\x01"));
    assert!(super::check_passes("nvda-drv", b"1"));
    assert!(
        !super::check_passes("nvda-drv", b"1\0"),
        "a <string> is 2 bytes"
    );
}
