//! Each D rule: one case where it fires, one where it does not.

use crate::audit::{self, AuditOptions};
use crate::model::ConfigKind;

/// The findings (code, key path) of the rules with code prefix `family` on
/// an OpenCore config whose root dict holds `body`.
pub(crate) fn found(family: &str, body: &str) -> Vec<(&'static str, String)> {
    let text = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n{body}\n</dict>\n</plist>\n"
    );
    let mut opts = AuditOptions {
        kind: Some(ConfigKind::OpenCore),
        ..AuditOptions::default()
    };
    opts.check.select = vec![family.to_owned()];
    let r = audit::audit_bytes("t.plist", text.into_bytes(), &opts);
    r.diagnostics
        .iter()
        .map(|d| (d.rule.code, d.path.clone()))
        .collect()
}

fn props(add: &str, delete: &str) -> String {
    format!(
        "<key>DeviceProperties</key><dict><key>Add</key><dict>{add}</dict><key>Delete</key><dict>{delete}</dict></dict>"
    )
}

const LAYOUT: &str = "<dict><key>layout-id</key><data>AQAAAA==</data></dict>";

#[test]
fn d001_add_paths_that_do_not_read_back() {
    let bad = props(&format!("<key>PciRoot(0)/Pci(1f,3)</key>{LAYOUT}"), "");
    assert_eq!(
        found("D", &bad),
        [(
            "D001",
            "DeviceProperties/Add/PciRoot(0)/Pci(1f,3)".to_owned()
        )]
    );
    let good = props(
        &format!(
            "<key>PciRoot(0x0)/Pci(0x1F,0x3)</key>{LAYOUT}\
             <key>#PciRoot(0)/Pci(1f,3)</key>{LAYOUT}\
             <key>PciRoot(0x0)/Pci(0x2,0x0)/VenHw(1)</key>{LAYOUT}"
        ),
        "",
    );
    assert_eq!(found("D", &good), [], "canonical, comment, out of scope");
}

#[test]
fn d001_same_device_spelt_otherwise_is_a_warning() {
    let severity = |key: &str| {
        let text = format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n{}\n</dict>\n</plist>\n",
            props(&format!("<key>{key}</key>{LAYOUT}"), "")
        );
        let mut opts = AuditOptions::default();
        opts.check.select = vec!["D001".to_owned()];
        let r = audit::audit_bytes("t.plist", text.into_bytes(), &opts);
        r.diagnostics[0].severity
    };
    use crate::rules::Severity::{Error, Warning};
    assert_eq!(severity("PciRoot(0x0)/Pci(0x1F,0x03)"), Warning);
    assert_eq!(severity("PciRoot(0)/Pci(0x1b,0x0)"), Warning);
    assert_eq!(severity("PciRoot(0)/Pci(1f,3)"), Error);
    assert_eq!(severity("PciRoot(0x0)/Pci(31,3)"), Error);
}

#[test]
fn d002_property_names_must_be_printable() {
    let bad = props(
        "<key>PciRoot(0x0)/Pci(0x1b,0x0)</key><dict><key>layout-id\u{e9}</key><data>AQAAAA==</data></dict>",
        "",
    );
    assert_eq!(
        found("D", &bad),
        [(
            "D002",
            "DeviceProperties/Add/PciRoot(0x0)/Pci(0x1b,0x0)/layout-id\u{e9}".to_owned()
        )]
    );
    let good = props(
        "<key>PciRoot(0x0)/Pci(0x1b,0x0)</key><dict><key>layout id ~</key><data>AQAAAA==</data>\
         <key>#caf\u{e9}</key><data>AQAAAA==</data></dict>",
        "",
    );
    assert_eq!(found("D", &good), []);
}

#[test]
fn d003_delete_paths_that_do_not_read_back() {
    let bad = props("", "<key>PciRoot(0x0)/Pci(0x2,0)</key><array/>");
    assert_eq!(
        found("D", &bad),
        [(
            "D003",
            "DeviceProperties/Delete/PciRoot(0x0)/Pci(0x2,0)".to_owned()
        )]
    );
    let good = props("", "<key>PciRoot(0x0)/Pci(0x2,0x0)</key><array/>");
    assert_eq!(found("D", &good), []);
}

#[test]
fn d004_repeated_delete_names() {
    let bad = props(
        "",
        "<key>PciRoot(0x0)/Pci(0x2,0x0)</key><array><string>AAPL,ig-platform-id</string>\
         <string>model</string><string>AAPL,ig-platform-id</string></array>",
    );
    assert_eq!(
        found("D", &bad),
        [(
            "D004",
            "DeviceProperties/Delete/PciRoot(0x0)/Pci(0x2,0x0)/2".to_owned()
        )]
    );
    let good = props(
        "",
        "<key>PciRoot(0x0)/Pci(0x2,0x0)</key><array><string>model</string></array>\
         <key>PciRoot(0x0)/Pci(0x1b,0x0)</key><array><string>model</string></array>",
    );
    assert_eq!(found("D", &good), [], "the same name under two devices");
}

#[test]
fn d004_fix_removes_the_repeat() {
    let text = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n{}\n</dict>\n</plist>\n",
        props(
            "",
            "<key>PciRoot(0x0)/Pci(0x2,0x0)</key><array><string>model</string><string>model</string></array>"
        )
    );
    let mut opts = AuditOptions::default();
    opts.check.select = vec!["D004".to_owned()];
    let r = audit::audit_bytes("t.plist", text.clone().into_bytes(), &opts);
    let fix = r.diagnostics[0].fix.as_ref().expect("a fix");
    let fixed = crate::patch::apply(&text, &[fix]).text;
    assert_eq!(fixed.matches("<string>model</string>").count(), 1);
}

fn audio(support: bool, device: &str) -> String {
    format!(
        "<key>UEFI</key><dict><key>Audio</key><dict><key>AudioSupport</key><{support}/>\
         <key>AudioDevice</key><string>{device}</string></dict></dict>"
    )
}

#[test]
fn d005_audio_device_path() {
    assert_eq!(
        found("D", &audio(true, "PciRoot(0)/Pci(0x1b,0x0)")),
        [("D005", "UEFI/Audio/AudioDevice".to_owned())]
    );
    assert_eq!(found("D", &audio(true, "PciRoot(0x0)/Pci(0x1b,0x0)")), []);
    assert_eq!(found("D", &audio(true, "")), [], "empty: the first codec");
    assert_eq!(
        found("D", &audio(false, "PciRoot(0)/Pci(0x1b,0x0)")),
        [],
        "OpenCore reads AudioDevice only with AudioSupport on"
    );
}
