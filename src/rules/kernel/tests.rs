//! Each kernel rule: one fixture where it fires, one where it does not.

use crate::audit::{self, AuditOptions};
use crate::rules::{Diagnostic, Severity};

/// A config whose Kernel dict holds `kernel` (raw XML of its keys), plus
/// `rest` (raw XML of other top-level keys).
pub(super) fn config(kernel: &str, rest: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n\
         <key>Kernel</key>\n<dict>\n{kernel}</dict>\n{rest}</dict>\n</plist>\n"
    )
}

/// A dict of `pairs` (key, raw XML value), in the order given.
pub(super) fn dict(pairs: &[(&str, String)]) -> String {
    let body: String = pairs
        .iter()
        .map(|(k, v)| format!("<key>{k}</key>{v}\n"))
        .collect();
    format!("<dict>\n{body}</dict>\n")
}

pub(super) fn s(v: &str) -> String {
    format!("<string>{v}</string>")
}

/// A template entry with `over` replacing or adding keys.
fn entry(template: &[(&str, String)], over: &[(&str, String)]) -> String {
    let mut pairs: Vec<(&str, String)> = template.to_vec();
    for (k, v) in over {
        match pairs.iter_mut().find(|(pk, _)| pk == k) {
            Some(slot) => slot.1 = v.clone(),
            None => pairs.push((k, v.clone())),
        }
    }
    dict(&pairs)
}

/// A valid Kernel/Add entry for `Foo.kext`, changed by `over`.
pub(super) fn kext(over: &[(&str, String)]) -> String {
    entry(
        &[
            ("Arch", s("Any")),
            ("BundlePath", s("Foo.kext")),
            ("Comment", s("")),
            ("Enabled", "<true/>".into()),
            ("ExecutablePath", s("Contents/MacOS/Foo")),
            ("MaxKernel", s("")),
            ("MinKernel", s("")),
            ("PlistPath", s("Contents/Info.plist")),
        ],
        over,
    )
}

/// A Kernel/Add entry of a known kext with its standard paths.
pub(super) fn named(bundle: &str, exe: &str) -> String {
    kext(&[("BundlePath", s(bundle)), ("ExecutablePath", s(exe))])
}

fn block(over: &[(&str, String)]) -> String {
    entry(
        &[
            ("Arch", s("Any")),
            ("Comment", s("")),
            ("Enabled", "<true/>".into()),
            ("Identifier", s("com.apple.iokit.IOBluetoothFamily")),
            ("MaxKernel", s("")),
            ("MinKernel", s("")),
            ("Strategy", s("Disable")),
        ],
        over,
    )
}

fn force(over: &[(&str, String)]) -> String {
    entry(
        &[
            ("Arch", s("Any")),
            (
                "BundlePath",
                s("System/Library/Extensions/IONetworkingFamily.kext"),
            ),
            ("Comment", s("")),
            ("Enabled", "<true/>".into()),
            ("ExecutablePath", s("Contents/MacOS/IONetworkingFamily")),
            ("Identifier", s("com.apple.iokit.IONetworkingFamily")),
            ("MaxKernel", s("")),
            ("MinKernel", s("")),
            ("PlistPath", s("Contents/Info.plist")),
        ],
        over,
    )
}

fn patch(over: &[(&str, String)]) -> String {
    entry(
        &[
            ("Arch", s("Any")),
            ("Base", s("")),
            ("Comment", s("")),
            ("Enabled", "<true/>".into()),
            ("Find", "<data>qg==</data>".into()),
            ("Identifier", s("kernel")),
            ("Mask", "<data></data>".into()),
            ("MaxKernel", s("")),
            ("MinKernel", s("")),
            ("Replace", "<data>uw==</data>".into()),
            ("ReplaceMask", "<data></data>".into()),
        ],
        over,
    )
}

/// `<key>name</key><array>items</array>`.
pub(super) fn list(name: &str, items: &[String]) -> String {
    format!("<key>{name}</key>\n<array>\n{}</array>\n", items.concat())
}

pub(super) fn add(items: &[String]) -> String {
    config(&list("Add", items), "")
}

/// The K findings of `text`, checked against `version` when given.
pub(super) fn findings_at(text: &str, version: Option<&str>) -> Vec<Diagnostic> {
    let mut opts = AuditOptions {
        oc_version: version.map(str::to_owned),
        ..AuditOptions::default()
    };
    opts.check.select = vec!["K".to_owned()];
    audit::audit_bytes("t.plist", text.as_bytes().to_vec(), &opts).diagnostics
}

pub(super) fn findings(text: &str) -> Vec<Diagnostic> {
    findings_at(text, None)
}

/// (code, key path) of every K finding.
pub(super) fn hits(text: &str) -> Vec<(&'static str, String)> {
    findings(text)
        .into_iter()
        .map(|d| (d.rule.code, d.path))
        .collect()
}

/// Assert that `code` fires on `bad` at `path` and stays silent on `good`.
#[track_caller]
pub(super) fn fires_and_not(code: &str, bad: &str, path: &str, good: &str) {
    let got = hits(bad);
    assert!(
        got.iter().any(|(c, p)| *c == code && p == path),
        "{code} should fire at {path}; got {got:?}\n{bad}"
    );
    let quiet = hits(good);
    assert!(
        !quiet.iter().any(|(c, _)| *c == code),
        "{code} should stay silent; got {quiet:?}\n{good}"
    );
}

#[test]
fn the_valid_entries_raise_nothing() {
    let text = config(
        &[
            list("Add", &[kext(&[])]),
            list("Block", &[block(&[])]),
            list("Force", &[force(&[])]),
            list("Patch", &[patch(&[])]),
        ]
        .concat(),
        "",
    );
    assert_eq!(hits(&text), Vec::new());
}

/// One change of an entry: (code, keys to change, key the finding is at).
type Case<'a> = (&'a str, &'a [(&'a str, String)], &'a str);

/// For each case, the rule fires on the `section` entry made by `make` with
/// the change, and stays silent on the unchanged entry.
#[track_caller]
fn each_case(section: &str, make: fn(&[(&str, String)]) -> String, cases: &[Case]) {
    let one = |e: String| config(&list(section, &[e]), "");
    for (code, change, key) in cases {
        fires_and_not(
            code,
            &one(make(change)),
            &format!("Kernel/{section}/0/{key}"),
            &one(make(&[])),
        );
    }
}

#[test]
fn add_entry_rules() {
    let cases: &[Case] = &[
        ("K001", &[("Arch", s("x64"))], "Arch"),
        ("K002", &[("BundlePath", s("Foo Bar.kext"))], "BundlePath"),
        ("K003", &[("BundlePath", s("Foo.kext.dSYM"))], "BundlePath"),
        (
            "K004",
            &[("ExecutablePath", s("Contents/MacOS/Foo+"))],
            "ExecutablePath",
        ),
        (
            "K005",
            &[("PlistPath", s("Contents/Info (1).plist"))],
            "PlistPath",
        ),
        (
            "K006",
            &[("PlistPath", s("Contents/Info.xml"))],
            "PlistPath",
        ),
        ("K010", &[("MinKernel", s("7.0.0"))], "MinKernel"),
        ("K011", &[("MaxKernel", s("abc"))], "MaxKernel"),
        ("K011", &[("MinKernel", s("20.x"))], "MinKernel"),
    ];
    each_case("Add", kext, cases);
}

#[test]
fn force_entry_rules() {
    let cases: &[Case] = &[
        ("K022", &[("Arch", s("X86_64"))], "Arch"),
        (
            "K023",
            &[("Identifier", s("IONetworkingFamily"))],
            "Identifier",
        ),
        (
            "K024",
            &[("BundlePath", s("System/Library/Extensions/IO Net.kext"))],
            "BundlePath",
        ),
        (
            "K025",
            &[("BundlePath", s("System/Library/Extensions/IONet"))],
            "BundlePath",
        ),
        (
            "K026",
            &[("ExecutablePath", s("Contents/MacOS/IO*"))],
            "ExecutablePath",
        ),
        (
            "K027",
            &[("PlistPath", s("Contents/Info?.plist"))],
            "PlistPath",
        ),
        ("K028", &[("PlistPath", s(""))], "PlistPath"),
        ("K010", &[("MinKernel", s("1"))], "MinKernel"),
        ("K011", &[("MaxKernel", s("x"))], "MaxKernel"),
    ];
    each_case("Force", force, cases);
}

#[test]
fn block_entry_rules() {
    let cases: &[Case] = &[
        ("K017", &[("Arch", s("amd64"))], "Arch"),
        ("K018", &[("Identifier", s("com apple"))], "Identifier"),
        ("K019", &[("Strategy", s("Remove"))], "Strategy"),
        ("K010", &[("MinKernel", s("7.9.9"))], "MinKernel"),
        ("K011", &[("MinKernel", s("Big Sur"))], "MinKernel"),
    ];
    each_case("Block", block, cases);
}

#[test]
fn patch_entry_rules() {
    let cases: &[Case] = &[
        ("K030", &[("Arch", s("any"))], "Arch"),
        ("K031", &[("Identifier", s("Kernel"))], "Identifier"),
        ("K010", &[("MinKernel", s("7"))], "MinKernel"),
        ("K011", &[("MaxKernel", s("11.x"))], "MaxKernel"),
        (
            "K032",
            &[("Replace", "<data>u7s=</data>".into())],
            "Replace",
        ),
        ("K033", &[("Mask", "<data>//8=</data>".into())], "Mask"),
        ("K034", &[("Mask", "<data>AA==</data>".into())], "Mask"),
        (
            "K035",
            &[("ReplaceMask", "<data>//8=</data>".into())],
            "ReplaceMask",
        ),
        (
            "K036",
            &[("ReplaceMask", "<data>AA==</data>".into())],
            "ReplaceMask",
        ),
    ];
    each_case("Patch", patch, cases);
}

#[test]
fn a_patch_located_by_base_may_leave_find_empty() {
    let base_only = patch(&[
        ("Base", s("_cpuid_set_info")),
        ("Find", "<data></data>".into()),
        ("Replace", "<data>uw==</data>".into()),
    ]);
    let no_base = patch(&[("Find", "<data></data>".into())]);
    fires_and_not(
        "K032",
        &config(&list("Patch", &[no_base]), ""),
        "Kernel/Patch/0/Replace",
        &config(&list("Patch", &[base_only]), ""),
    );
}

#[test]
fn emulate_rules() {
    let emulate = |data: &str, mask: &str, min: &str| {
        config(
            &format!(
                "<key>Emulate</key>\n{}",
                dict(&[
                    ("Cpuid1Data", format!("<data>{data}</data>")),
                    ("Cpuid1Mask", format!("<data>{mask}</data>")),
                    ("MaxKernel", s("")),
                    ("MinKernel", s(min)),
                ])
            ),
            "",
        )
    };
    // 0x000306A9 in EAX, with and without EAX selected by the mask.
    let data = "qQYDAAAAAAAAAAAAAAAAAA==";
    let eax = "/////wAAAAAAAAAAAAAAAA==";
    let zero = "AAAAAAAAAAAAAAAAAAAAAA==";
    fires_and_not(
        "K021",
        &emulate(data, zero, ""),
        "Kernel/Emulate/Cpuid1Data",
        &emulate(data, eax, ""),
    );
    fires_and_not(
        "K010",
        &emulate(zero, zero, "7.0.0"),
        "Kernel/Emulate/MinKernel",
        &emulate(zero, zero, "8.0.0"),
    );
    fires_and_not(
        "K011",
        &emulate(zero, zero, "x"),
        "Kernel/Emulate/MinKernel",
        &emulate(zero, zero, ""),
    );
}

#[test]
fn quirks_and_scheme_rules() {
    let quirks = |k: &str, v: &str| {
        config(
            &format!("<key>Quirks</key>\n{}", dict(&[(k, v.into())])),
            "",
        )
    };
    let smbios = |mode: &str| {
        config(
            &format!(
                "<key>Quirks</key>\n{}",
                dict(&[("CustomSMBIOSGuid", "<true/>".into())])
            ),
            &format!(
                "<key>PlatformInfo</key>\n{}",
                dict(&[("UpdateSMBIOSMode", s(mode))])
            ),
        )
    };
    fires_and_not(
        "K037",
        &smbios("Create"),
        "Kernel/Quirks/CustomSMBIOSGuid",
        &smbios("Custom"),
    );
    // Absent UpdateSMBIOSMode is OpenCore's default, Create.
    fires_and_not(
        "K037",
        &quirks("CustomSMBIOSGuid", "<true/>"),
        "Kernel/Quirks/CustomSMBIOSGuid",
        &quirks("CustomSMBIOSGuid", "<false/>"),
    );
    for bad in ["4294967296", "-2"] {
        fires_and_not(
            "K038",
            &quirks("SetApfsTrimTimeout", &format!("<integer>{bad}</integer>")),
            "Kernel/Quirks/SetApfsTrimTimeout",
            &quirks("SetApfsTrimTimeout", "<integer>4294967295</integer>"),
        );
    }
    let scheme =
        |k: &str, v: &str| config(&format!("<key>Scheme</key>\n{}", dict(&[(k, s(v))])), "");
    fires_and_not(
        "K039",
        &scheme("KernelArch", "x86-64"),
        "Kernel/Scheme/KernelArch",
        &scheme("KernelArch", "i386-user32"),
    );
    fires_and_not(
        "K040",
        &scheme("KernelCache", "Prelink"),
        "Kernel/Scheme/KernelCache",
        &scheme("KernelCache", "Mkext"),
    );
}

#[test]
fn severities_follow_what_opencore_does() {
    let text = add(&[kext(&[
        ("Arch", s("x64")),
        ("PlistPath", s("Contents/Info.xml")),
        ("MaxKernel", s("abc")),
    ])]);
    let sev = |code: &str| {
        findings(&text)
            .into_iter()
            .find(|d| d.rule.code == code)
            .map(|d| d.severity)
    };
    // Arch: still loaded (info); unreadable bound: loaded for every
    // version (warning); no Info.plist: not injected (error).
    assert_eq!(sev("K001"), Some(Severity::Info));
    assert_eq!(sev("K011"), Some(Severity::Warning));
    assert_eq!(sev("K006"), Some(Severity::Error));
}
