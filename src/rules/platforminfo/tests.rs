//! Each P rule: one case where it fires, one where it does not.

use crate::rules::devprops::tests::found;

fn platform(automatic: bool, mode: &str, generic: &str) -> String {
    format!(
        "<key>PlatformInfo</key><dict><key>Automatic</key><{automatic}/>\
         <key>UpdateSMBIOSMode</key><string>{mode}</string><key>Generic</key><dict>{generic}</dict></dict>"
    )
}

fn generic(key: &str, value: &str) -> String {
    platform(true, "Create", &format!("<key>{key}</key>{value}"))
}

#[test]
fn p001_update_mode() {
    assert_eq!(
        found("P001", &platform(false, "Replace", "")),
        [("P001", "PlatformInfo/UpdateSMBIOSMode".to_owned())],
        "checked with Automatic off too"
    );
    for ok in ["TryOverwrite", "Create", "Overwrite", "Custom"] {
        assert_eq!(found("P001", &platform(false, ok, "")), []);
    }
}

#[test]
fn p001_fix_only_for_a_case_slip() {
    let text = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n{}\n</dict>\n</plist>\n",
        platform(false, "tryoverwrite", "")
    );
    let mut opts = crate::audit::AuditOptions::default();
    opts.check.select = vec!["P001".to_owned()];
    let r = crate::audit::audit_bytes("t.plist", text.clone().into_bytes(), &opts);
    let fix = r.diagnostics[0].fix.as_ref().expect("a fix");
    assert_eq!(fix.applicability, crate::patch::Applicability::Unsafe);
    let fixed = crate::patch::apply(&text, &[fix]).text;
    assert!(fixed.contains("<string>TryOverwrite</string>"));
    let text = text.replace("tryoverwrite", "Replace");
    let r = crate::audit::audit_bytes("t.plist", text.into_bytes(), &opts);
    assert!(r.diagnostics[0].fix.is_none(), "no obvious spelling");
}

#[test]
fn p002_known_models() {
    let key = "SystemProductName";
    assert_eq!(
        found("P002", &generic(key, "<string>MacBookPro99,1</string>")),
        [("P002", "PlatformInfo/Generic/SystemProductName".to_owned())]
    );
    assert_eq!(
        found("P002", &generic(key, "<string>imacpro1,1</string>")).len(),
        1,
        "case matters"
    );
    for ok in [
        "iMacPro1,1",
        "MacBookPro16,1",
        "MacPro7,1",
        "Macmini8,1",
        "MacBook1,1",
    ] {
        assert_eq!(
            found("P002", &generic(key, &format!("<string>{ok}</string>"))),
            [],
            "{ok}"
        );
    }
    assert_eq!(
        found(
            "P002",
            &platform(
                false,
                "Create",
                "<key>SystemProductName</key><string>Foo</string>"
            )
        ),
        [],
        "Generic is not used with Automatic off"
    );
}

#[test]
fn p003_memory_status() {
    assert_eq!(
        found(
            "P003",
            &generic("SystemMemoryStatus", "<string>Fixed</string>")
        ),
        [("P003", "PlatformInfo/Generic/SystemMemoryStatus".to_owned())]
    );
    for ok in ["Auto", "Upgradable", "Soldered"] {
        let g = generic("SystemMemoryStatus", &format!("<string>{ok}</string>"));
        assert_eq!(found("P003", &g), []);
    }
}

#[test]
fn p004_system_uuid() {
    assert_eq!(
        found(
            "P004",
            &generic("SystemUUID", "<string>not-a-uuid</string>")
        ),
        [("P004", "PlatformInfo/Generic/SystemUUID".to_owned())]
    );
    for ok in [
        "",
        "OEM",
        "0B2E9B6A-3C5F-4D7E-8A91-B2C3D4E5F607",
        "0b2e9b6a-3c5f-4d7e-8a91-b2c3d4e5f607",
    ] {
        let g = generic("SystemUUID", &format!("<string>{ok}</string>"));
        assert_eq!(found("P004", &g), [], "{ok}");
    }
}

#[test]
fn p005_processor_type() {
    assert_eq!(
        found(
            "P005",
            &generic("ProcessorType", "<integer>65280</integer>")
        ),
        [("P005", "PlatformInfo/Generic/ProcessorType".to_owned())]
    );
    assert_eq!(
        found("P005", &generic("ProcessorType", "<integer>256</integer>")).len(),
        1
    );
    // 0 (automatic), 0x0705 (i7), 0x0F01 (Xeon W), 0x1005 (i9).
    for ok in [0, 0x0705, 0x0F01, 0x1005] {
        let g = generic("ProcessorType", &format!("<integer>{ok}</integer>"));
        assert_eq!(found("P005", &g), [], "{ok:#x}");
    }
}

#[test]
fn the_model_table_is_sorted_and_complete_enough() {
    let models: Vec<&str> = super::MAC_MODELS
        .lines()
        .filter(|l| !l.starts_with('#'))
        .collect();
    assert!(models.len() > 100);
    assert!(models.windows(2).all(|w| w[0].as_bytes() < w[1].as_bytes()));
    assert!(super::known_model("iMac20,1"));
    assert!(!super::known_model(""));
}
