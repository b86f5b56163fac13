//! G rules: each fires on a fixture and stays silent on the clean baseline
//! and on the nearest valid variant.

use super::entries::{FlavourProblem, flavour_problems};
use crate::audit::{self, AuditOptions};
use crate::rules::{Diagnostic, Severity};

/// The clean baseline: (section, key, value XML). Sections are dicts under
/// Misc (`Boot`, `Serial/Custom`) or array items (`Entries/0`).
const BASE: &[(&str, &str, &str)] = &[
    ("Boot", "ConsoleAttributes", "<integer>0</integer>"),
    ("Boot", "HibernateMode", "<string>None</string>"),
    ("Boot", "InstanceIdentifier", "<string>main</string>"),
    ("Boot", "LauncherOption", "<string>Full</string>"),
    ("Boot", "LauncherPath", "<string>Default</string>"),
    ("Boot", "PickerAttributes", "<integer>17</integer>"),
    ("Boot", "PickerAudioAssist", "<false/>"),
    ("Boot", "PickerMode", "<string>External</string>"),
    ("Boot", "PickerVariant", "<string>Auto</string>"),
    ("Debug", "DisplayLevel", "<integer>2147483650</integer>"),
    ("Debug", "Target", "<integer>3</integer>"),
    ("Security", "AuthRestart", "<false/>"),
    ("Security", "DmgLoading", "<string>Signed</string>"),
    ("Security", "ExposeSensitiveData", "<integer>6</integer>"),
    ("Security", "HaltLevel", "<integer>2147483648</integer>"),
    ("Security", "ScanPolicy", "<integer>17760515</integer>"),
    ("Security", "SecureBootModel", "<string>Default</string>"),
    ("Security", "Vault", "<string>Optional</string>"),
    ("Serial", "Override", "<true/>"),
    ("Serial/Custom", "BaudRate", "<integer>115200</integer>"),
    ("Serial/Custom", "PciDeviceInfo", "<data>AAAAAP8=</data>"),
    (
        "Serial/Custom",
        "RegisterAccessWidth",
        "<integer>8</integer>",
    ),
    ("Entries/0", "Arguments", "<string>-v</string>"),
    ("Entries/0", "Enabled", "<true/>"),
    ("Entries/0", "Flavour", "<string>Apple:Auto</string>"),
    (
        "Entries/0",
        "Path",
        "<string>PciRoot(0x0)/Pci(0x17,0x0)</string>",
    ),
    ("Tools/0", "Arguments", "<string></string>"),
    ("Tools/0", "Enabled", "<true/>"),
    (
        "Tools/0",
        "Flavour",
        "<string>OpenShell:UEFIShell:Shell</string>",
    ),
    ("Tools/0", "FullNvramAccess", "<false/>"),
    ("Tools/0", "Path", "<string>OpenShell.efi</string>"),
];

/// UEFI and Kernel sections that agree with the baseline's Misc.
const ROOT: &str = "<key>UEFI</key><dict><key>Audio</key><dict><key>AudioSupport</key><true/></dict>\
<key>Drivers</key><array><dict><key>Enabled</key><true/><key>Path</key><string>OpenCanopy.efi</string></dict></array></dict>\
<key>Kernel</key><dict><key>Add</key><array><dict><key>BundlePath</key><string>VirtualSMC.kext</string><key>Enabled</key><true/></dict></array></dict>";

/// The baseline with `over` applied: a value replaces the baseline's for
/// the same section and key, or is added; `None` removes the key.
fn config(over: &[(&str, &str, Option<&str>)], root: &str) -> String {
    let mut keys: Vec<(String, String, String)> = BASE
        .iter()
        .map(|(s, k, v)| ((*s).to_owned(), (*k).to_owned(), (*v).to_owned()))
        .collect();
    for (s, k, v) in over {
        keys.retain(|(ks, kk, _)| !(ks == s && kk == k));
        if let Some(v) = v {
            keys.push(((*s).to_owned(), (*k).to_owned(), (*v).to_owned()));
        }
    }
    let dict = |section: &str| -> String {
        let mut body: Vec<&(String, String, String)> =
            keys.iter().filter(|(s, _, _)| s == section).collect();
        body.sort_by(|a, b| a.1.cmp(&b.1));
        let inner: String = body
            .iter()
            .map(|(_, k, v)| format!("<key>{k}</key>{v}"))
            .collect();
        format!("<dict>{inner}</dict>")
    };
    let array = |list: &str| -> String {
        let items: String = (0..3)
            .map(|i| format!("{list}/{i}"))
            .filter(|s| keys.iter().any(|(ks, _, _)| ks == s))
            .map(|s| dict(&s))
            .collect();
        format!("<array>{items}</array>")
    };
    let bless: String = keys
        .iter()
        .filter(|(s, _, _)| s == "BlessOverride")
        .map(|(_, _, v)| v.clone())
        .collect();
    let serial = dict("Serial").replacen(
        "<dict>",
        &format!("<dict><key>Custom</key>{}", dict("Serial/Custom")),
        1,
    );
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>{root}<key>Misc</key><dict>\
<key>BlessOverride</key><array>{bless}</array><key>Boot</key>{}<key>Debug</key>{}<key>Entries</key>{}\
<key>Security</key>{}<key>Serial</key>{serial}<key>Tools</key>{}</dict></dict>\n</plist>\n",
        dict("Boot"),
        dict("Debug"),
        array("Entries"),
        dict("Security"),
        array("Tools"),
    )
}

fn run_with(text: &str, version: &str, efi: bool) -> Vec<Diagnostic> {
    let mut opts = AuditOptions {
        oc_version: Some(version.into()),
        ..Default::default()
    };
    if efi {
        opts.efi_dir = Some(std::env::temp_dir());
    }
    let r = audit::audit_bytes("t.plist", text.as_bytes().to_vec(), &opts);
    r.diagnostics
        .into_iter()
        .filter(|d| d.rule.code.starts_with('G'))
        .collect()
}

fn run(text: &str) -> Vec<Diagnostic> {
    run_with(text, "1.0.7", false)
}

fn codes(text: &str) -> Vec<&'static str> {
    run(text).iter().map(|d| d.rule.code).collect()
}

fn one<'a>(found: &'a [Diagnostic], code: &str) -> &'a Diagnostic {
    let hits: Vec<&Diagnostic> = found.iter().filter(|d| d.rule.code == code).collect();
    assert_eq!(hits.len(), 1, "{code} once: {found:#?}");
    hits[0]
}

#[test]
fn baseline_is_clean() {
    assert_eq!(codes(&config(&[], ROOT)), Vec::<&str>::new());
}

type Case = (
    &'static str,
    &'static [(&'static str, &'static str, Option<&'static str>)],
);

/// Each rule, the change that makes it fire, and the key path it names.
#[rustfmt::skip]
const FIRES: &[(Case, &str)] = &[
    (("G001", &[("BlessOverride", "0", Some("<string>\\EFI\\Microsoft\\Boot\\bootmgfw.efi</string>"))]), "Misc/BlessOverride/0"),
    (("G002", &[("Boot", "ConsoleAttributes", Some("<integer>128</integer>"))]), "Misc/Boot/ConsoleAttributes"),
    (("G003", &[("Boot", "HibernateMode", Some("<string>Off</string>"))]), "Misc/Boot/HibernateMode"),
    (("G004", &[("Boot", "PickerAttributes", Some("<integer>65553</integer>"))]), "Misc/Boot/PickerAttributes"),
    (("G005", &[("Boot", "PickerMode", Some("<string>Graphic</string>"))]), "Misc/Boot/PickerMode"),
    (("G006", &[("Boot", "PickerMode", Some("<string>Builtin</string>"))]), "Misc/Boot/PickerMode"),
    (("G007", &[("Boot", "PickerVariant", Some("<string></string>"))]), "Misc/Boot/PickerVariant"),
    (("G008", &[("Boot", "InstanceIdentifier", Some("<string>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</string>"))]), "Misc/Boot/InstanceIdentifier"),
    (("G009", &[("Boot", "InstanceIdentifier", Some("<string>a,b</string>"))]), "Misc/Boot/InstanceIdentifier"),
    (("G010", &[("Boot", "PickerVariant", Some("<string>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</string>"))]), "Misc/Boot/PickerVariant"),
    (("G011", &[("Boot", "PickerAudioAssist", Some("<true/>"))]), "Misc/Boot/PickerAudioAssist"),
    (("G012", &[("Boot", "LauncherOption", Some("<string>Enabled</string>"))]), "Misc/Boot/LauncherOption"),
    (("G013", &[("Boot", "LauncherPath", Some("<string></string>"))]), "Misc/Boot/LauncherPath"),
    (("G014", &[("Debug", "DisplayLevel", Some("<integer>2147483651</integer>"))]), "Misc/Debug/DisplayLevel"),
    (("G015", &[("Security", "HaltLevel", Some("<integer>2147483649</integer>"))]), "Misc/Security/HaltLevel"),
    (("G016", &[("Debug", "Target", Some("<integer>256</integer>"))]), "Misc/Debug/Target"),
    (("G017", &[("Entries/0", "Flavour", Some("<string></string>"))]), "Misc/Entries/0/Flavour"),
    (("G018", &[("Entries/0", "Flavour", Some("<string>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</string>"))]), "Misc/Entries/0/Flavour"),
    (("G019", &[("Entries/0", "Flavour", Some("<string>Auto::Foo</string>"))]), "Misc/Entries/0/Flavour"),
    (("G020", &[("Entries/0", "Flavour", Some("<string>Apple:extFoo</string>"))]), "Misc/Entries/0/Flavour"),
    (("G021", &[("Entries/1", "Arguments", Some("<string>-v</string>")), ("Entries/1", "Enabled", Some("<true/>")), ("Entries/1", "Path", Some("<string>PciRoot(0x0)/Pci(0x17,0x0)</string>"))]), "Misc/Entries/1"),
    (("G022", &[("Security", "AuthRestart", Some("<true/>"))]), "Misc/Security/AuthRestart"),
    (("G023", &[("Security", "DmgLoading", Some("<string>Unsigned</string>"))]), "Misc/Security/DmgLoading"),
    (("G024", &[("Security", "ExposeSensitiveData", Some("<integer>16</integer>"))]), "Misc/Security/ExposeSensitiveData"),
    (("G025", &[("Security", "Vault", Some("<string>Enabled</string>"))]), "Misc/Security/Vault"),
    (("G026", &[("Security", "ScanPolicy", Some("<integer>2165244163</integer>"))]), "Misc/Security/ScanPolicy"),
    (("G027", &[("Security", "ScanPolicy", Some("<integer>17760514</integer>"))]), "Misc/Security/ScanPolicy"),
    (("G028", &[("Security", "ScanPolicy", Some("<integer>17760513</integer>"))]), "Misc/Security/ScanPolicy"),
    (("G029", &[("Security", "SecureBootModel", Some("<string>j999</string>"))]), "Misc/Security/SecureBootModel"),
    (("G030", &[("Security", "DmgLoading", Some("<string>Any</string>"))]), "Misc/Security/DmgLoading"),
    (("G031", &[("Serial/Custom", "RegisterAccessWidth", Some("<integer>16</integer>"))]), "Misc/Serial/Custom/RegisterAccessWidth"),
    (("G032", &[("Serial/Custom", "BaudRate", Some("<integer>1234</integer>"))]), "Misc/Serial/Custom/BaudRate"),
    (("G033", &[("Serial/Custom", "PciDeviceInfo", Some("<data>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAD/</data>"))]), "Misc/Serial/Custom/PciDeviceInfo"),
    (("G034", &[("Serial/Custom", "PciDeviceInfo", Some("<data></data>"))]), "Misc/Serial/Custom/PciDeviceInfo"),
    (("G035", &[("Serial/Custom", "PciDeviceInfo", Some("<data>AAAAAAA=</data>"))]), "Misc/Serial/Custom/PciDeviceInfo"),
    (("G036", &[("Serial/Custom", "PciDeviceInfo", Some("<data>AAD/</data>"))]), "Misc/Serial/Custom/PciDeviceInfo"),
    (("G037", &[("Tools/0", "Path", Some("<string>TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT.efi</string>"))]), "Misc/Tools/0/Path"),
    (("G038", &[("Tools/0", "Flavour", Some("<string></string>"))]), "Misc/Tools/0/Flavour"),
    (("G039", &[("Tools/0", "Flavour", Some("<string>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</string>"))]), "Misc/Tools/0/Flavour"),
    (("G040", &[("Tools/0", "Flavour", Some("<string>:Shell</string>"))]), "Misc/Tools/0/Flavour"),
    (("G041", &[("Tools/0", "Flavour", Some("<string>ExtShell</string>"))]), "Misc/Tools/0/Flavour"),
    (("G042", &[("Tools/1", "Arguments", Some("<string></string>")), ("Tools/1", "Enabled", Some("<true/>")), ("Tools/1", "FullNvramAccess", Some("<false/>")), ("Tools/1", "Path", Some("<string>OpenShell.efi</string>"))]), "Misc/Tools/1"),
];

#[test]
fn every_rule_fires_once_at_its_key() {
    let mut seen = Vec::new();
    for ((code, over), path) in FIRES {
        let root = match *code {
            "G011" => ROOT.replace(
                "<key>AudioSupport</key><true/>",
                "<key>AudioSupport</key><false/>",
            ),
            "G022" => ROOT.replace("VirtualSMC.kext", "Lilu.kext"),
            _ => ROOT.to_owned(),
        };
        let found = run(&config(over, &root));
        let d = one(&found, code);
        assert_eq!(d.path, *path, "{code}");
        let others: Vec<&str> = found
            .iter()
            .map(|d| d.rule.code)
            .filter(|c| c != code)
            .collect();
        assert!(others.is_empty(), "{code} came with {others:?}");
        seen.push(*code);
    }
    let all: Vec<&str> = super::RULES.iter().map(|r| r.meta.code).collect();
    assert_eq!(seen, all, "one case per rule, in code order");
}

/// Near misses: the closest valid value for each rule.
#[rustfmt::skip]
const SILENT: &[Case] = &[
    ("G001", &[("BlessOverride", "0", Some("<string>\\EFI\\Other\\boot.efi</string>"))]),
    ("G002", &[("Boot", "ConsoleAttributes", Some("<integer>127</integer>"))]),
    ("G003", &[("Boot", "HibernateMode", Some("<string>NVRAM</string>"))]),
    ("G004", &[("Boot", "PickerAttributes", Some("<integer>1023</integer>"))]),
    ("G005", &[("Boot", "PickerMode", Some("<string>Apple</string>"))]),
    // OpenCanopy listed but disabled.
    ("G006", &[("Boot", "PickerMode", Some("<string>Builtin</string>"))]),
    ("G007", &[("Boot", "PickerVariant", None)]),
    ("G008", &[("Boot", "InstanceIdentifier", Some("<string>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</string>"))]),
    ("G009", &[("Boot", "InstanceIdentifier", Some("<string>a.b</string>"))]),
    ("G010", &[("Boot", "PickerVariant", Some("<string>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</string>"))]),
    ("G011", &[("Boot", "PickerAudioAssist", Some("<false/>"))]),
    ("G012", &[("Boot", "LauncherOption", Some("<string>System</string>"))]),
    ("G013", &[("Boot", "LauncherPath", None)]),
    ("G014", &[("Debug", "DisplayLevel", Some("<integer>2151677954</integer>"))]),
    ("G015", &[("Security", "HaltLevel", Some("<integer>2</integer>"))]),
    ("G016", &[("Debug", "Target", Some("<integer>255</integer>"))]),
    // A disabled entry is never read.
    ("G017", &[("Entries/0", "Flavour", Some("<string></string>")), ("Entries/0", "Enabled", Some("<false/>"))]),
    ("G018", &[("Entries/0", "Flavour", Some("<string>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA</string>"))]),
    ("G019", &[("Entries/0", "Flavour", Some("<string>Auto:Foo</string>"))]),
    ("G020", &[("Entries/0", "Flavour", Some("<string>Apple:NextOS</string>"))]),
    ("G021", &[("Entries/1", "Arguments", Some("<string>-v -x</string>")), ("Entries/1", "Enabled", Some("<true/>")), ("Entries/1", "Path", Some("<string>PciRoot(0x0)/Pci(0x17,0x0)</string>"))]),
    ("G022", &[("Security", "AuthRestart", Some("<true/>"))]),
    ("G023", &[("Security", "DmgLoading", Some("<string>Disabled</string>"))]),
    ("G024", &[("Security", "ExposeSensitiveData", Some("<integer>15</integer>"))]),
    ("G025", &[("Security", "Vault", None)]),
    ("G026", &[("Security", "ScanPolicy", Some("<integer>0</integer>"))]),
    ("G027", &[("Security", "ScanPolicy", Some("<integer>257</integer>"))]),
    ("G028", &[("Security", "ScanPolicy", Some("<integer>65538</integer>"))]),
    ("G029", &[("Security", "SecureBootModel", Some("<string>x86legacy</string>"))]),
    ("G030", &[("Security", "DmgLoading", Some("<string>Any</string>")), ("Security", "SecureBootModel", Some("<string>Disabled</string>"))]),
    ("G031", &[("Serial/Custom", "RegisterAccessWidth", Some("<integer>32</integer>"))]),
    ("G032", &[("Serial/Custom", "BaudRate", Some("<integer>921600</integer>"))]),
    ("G033", &[("Serial/Custom", "PciDeviceInfo", Some("<data>AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAP8=</data>"))]),
    ("G034", &[("Serial/Custom", "PciDeviceInfo", Some("<data>/w==</data>"))]),
    ("G035", &[("Serial/Custom", "PciDeviceInfo", Some("<data>AAAAAP8=</data>"))]),
    ("G036", &[("Serial/Custom", "PciDeviceInfo", Some("<data>AAAAAAAAAAD/</data>"))]),
    ("G037", &[("Tools/0", "Path", Some("<string>TTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTTT.efi</string>"))]),
    ("G038", &[("Tools/0", "Flavour", None)]),
    ("G039", &[("Tools/0", "Flavour", Some("<string>OpenShell:UEFIShell:Shell:More</string>"))]),
    ("G040", &[("Tools/0", "Flavour", Some("<string>Shell</string>"))]),
    ("G041", &[("Tools/0", "Flavour", Some("<string>Shell:Text</string>"))]),
    ("G042", &[("Tools/1", "Arguments", Some("<string></string>")), ("Tools/1", "Enabled", Some("<true/>")), ("Tools/1", "FullNvramAccess", Some("<true/>")), ("Tools/1", "Path", Some("<string>OpenShell.efi</string>"))]),
];

#[test]
fn near_misses_stay_silent() {
    for (code, over) in SILENT {
        let root = match *code {
            "G006" => ROOT.replacen(
                "<true/><key>Path</key><string>OpenCanopy",
                "<false/><key>Path</key><string>OpenCanopy",
                1,
            ),
            _ => ROOT.to_owned(),
        };
        let found = codes(&config(over, &root));
        assert!(!found.contains(code), "{code} fired: {found:?}");
    }
    // G022 stays silent above because the baseline loads VirtualSMC.kext.
    let no_vsmc = ROOT.replace("VirtualSMC.kext", "Lilu.kext");
    let found = codes(&config(
        &[("Security", "AuthRestart", Some("<false/>"))],
        &no_vsmc,
    ));
    assert!(!found.contains(&"G022"), "{found:?}");
}

#[test]
fn dmg_loading_halts_only_under_secure_boot() {
    let under = run(&config(
        &[("Security", "DmgLoading", Some("<string>Unsigned</string>"))],
        ROOT,
    ));
    assert_eq!(one(&under, "G023").severity, Severity::Error);
    assert!(!under.iter().any(|d| d.rule.code == "G030"), "G023 alone");
    let off = run(&config(
        &[
            ("Security", "DmgLoading", Some("<string>Unsigned</string>")),
            (
                "Security",
                "SecureBootModel",
                Some("<string>Disabled</string>"),
            ),
        ],
        ROOT,
    ));
    assert_eq!(one(&off, "G023").severity, Severity::Warning);
}

#[test]
fn case_only_spellings_get_an_unsafe_fix() {
    let found = run(&config(
        &[("Security", "Vault", Some("<string>secure</string>"))],
        ROOT,
    ));
    let fix = one(&found, "G025").fix.as_ref().expect("a fix");
    assert_eq!(fix.applicability, crate::patch::Applicability::Unsafe);
    assert_eq!(fix.edits[0].text, "Secure");
    let found = run(&config(
        &[("Security", "Vault", Some("<string>Enabled</string>"))],
        ROOT,
    ));
    assert!(one(&found, "G025").fix.is_none());
}

#[test]
fn serial_findings_are_information_while_override_is_off() {
    let bad = ("Serial/Custom", "BaudRate", Some("<integer>1234</integer>"));
    let on = run(&config(&[bad], ROOT));
    assert_eq!(one(&on, "G032").severity, Severity::Warning);
    let off = run(&config(
        &[bad, ("Serial", "Override", Some("<false/>"))],
        ROOT,
    ));
    assert_eq!(one(&off, "G032").severity, Severity::Info);
}

#[test]
fn release_aware() {
    // Misc/Serial/Custom arrived in 0.8.0; an older target ignores it.
    let text = config(
        &[("Serial/Custom", "BaudRate", Some("<integer>1234</integer>"))],
        ROOT,
    );
    assert!(
        run_with(&text, "1.0.7", false)
            .iter()
            .any(|d| d.rule.code == "G032")
    );
    assert!(
        !run_with(&text, "0.7.0", false)
            .iter()
            .any(|d| d.rule.code == "G032")
    );
    // The tool path buffer was 128 bytes up to 1.0.5.
    let path = format!("<string>{}.efi</string>", "T".repeat(130));
    let text = config(&[("Tools/0", "Path", Some(path.as_str()))], ROOT);
    assert!(
        !run_with(&text, "1.0.7", false)
            .iter()
            .any(|d| d.rule.code == "G037")
    );
    assert!(
        run_with(&text, "1.0.5", false)
            .iter()
            .any(|d| d.rule.code == "G037")
    );
}

#[test]
fn values_newer_than_the_target_release() {
    let system = [("Boot", "LauncherOption", Some("<string>System</string>"))];
    let text = config(&system, ROOT);
    assert!(
        !run_with(&text, "0.8.1", false)
            .iter()
            .any(|d| d.rule.code == "G012")
    );
    let old = run_with(&text, "0.8.0", false);
    assert!(one(&old, "G012").notes.iter().any(|n| n.contains("0.8.1")));
    let reduce_motion = [("Boot", "PickerAttributes", Some("<integer>512</integer>"))];
    let text = config(&reduce_motion, ROOT);
    assert!(
        !run_with(&text, "0.9.8", false)
            .iter()
            .any(|d| d.rule.code == "G004")
    );
    assert!(
        run_with(&text, "0.9.7", false)
            .iter()
            .any(|d| d.rule.code == "G004")
    );
}

#[test]
fn tool_path_is_left_to_f002_with_an_efi_folder() {
    let path = format!("<string>{}.efi</string>", "T".repeat(190));
    let text = config(&[("Tools/0", "Path", Some(path.as_str()))], ROOT);
    assert!(
        !run_with(&text, "1.0.7", true)
            .iter()
            .any(|d| d.rule.code == "G037")
    );
}

#[test]
fn flavour_problems_follow_the_validator() {
    use FlavourProblem::*;
    assert_eq!(flavour_problems(""), [Empty]);
    assert_eq!(flavour_problems(&"E".repeat(64)), [TooLong]);
    assert_eq!(flavour_problems(&"E".repeat(63)), []);
    assert_eq!(flavour_problems("Auto"), []);
    assert_eq!(flavour_problems("a:"), [EmptyName]);
    assert_eq!(flavour_problems("EXTx::y"), [EmptyName, ExtName]);
    assert_eq!(flavour_problems("Ex:NextT"), []);
}
