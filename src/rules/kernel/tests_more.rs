//! Kernel rules that look at several entries or at other sections: path
//! lengths, the known-kext table, duplicates; and what every rule shares
//! (disabled entries, release awareness, fixes).

use super::kexts::{known_kexts, plugin_order};
use super::tests::{
    add, config, dict, findings, findings_at, fires_and_not, hits, kext, list, named, s,
};
use crate::rules::Severity;

fn a(n: usize) -> String {
    "A".repeat(n)
}

#[test]
fn path_lengths_count_as_opencore_builds_them() {
    // `Kexts\` (6) + BundlePath + NUL must fit 192 bytes: 185 fits, 186 not.
    let bundle = |n: usize| add(&[kext(&[("BundlePath", s(&format!("{}.kext", a(n - 5))))])]);
    fires_and_not(
        "K007",
        &bundle(186),
        "Kernel/Add/0/BundlePath",
        &bundle(185),
    );
    // `Kexts\` + `Foo.kext` (8) + `\` + path + NUL: a path of 176 fits, 177 not.
    let exe = |n: usize| add(&[kext(&[("ExecutablePath", s(&a(n)))])]);
    fires_and_not("K008", &exe(177), "Kernel/Add/0/ExecutablePath", &exe(176));
    let plist = |n: usize| add(&[kext(&[("PlistPath", s(&format!("{}.plist", a(n - 6))))])]);
    fires_and_not("K009", &plist(177), "Kernel/Add/0/PlistPath", &plist(176));
}

#[test]
fn an_empty_executable_path_is_not_joined() {
    // ocvalidate counts `\` + an empty ExecutablePath (one byte stricter);
    // OpenCore loads no executable then and builds no such path.
    let text = add(&[kext(&[
        ("BundlePath", s(&format!("{}.kext", a(180)))),
        ("ExecutablePath", s("")),
    ])]);
    assert!(
        !hits(&text).iter().any(|(c, _)| *c == "K008"),
        "{:?}",
        hits(&text)
    );
    // A BundlePath too long on its own is K007 only.
    let long = add(&[kext(&[("BundlePath", s(&format!("{}.kext", a(190))))])]);
    let codes: Vec<&str> = hits(&long).iter().map(|(c, _)| *c).collect();
    assert_eq!(codes, ["K007"]);
}

#[test]
fn the_path_buffer_is_smaller_up_to_opencore_1_0_5() {
    // `Kexts\` + 122 + NUL = 129 bytes: over 128 (1.0.5), within 192 (1.0.6+).
    let text = add(&[kext(&[("BundlePath", s(&format!("{}.kext", a(117))))])]);
    let k007 = |v| {
        findings_at(&text, Some(v))
            .iter()
            .any(|d| d.rule.code == "K007")
    };
    assert!(k007("1.0.5"));
    assert!(!k007("1.0.6"));
}

#[test]
fn the_known_kext_table_is_opencores() {
    // KextInfo.c of OpenCorePkg 1.0.7: 47 kexts with Lilu first and
    // VirtualSMC second, 26 plugin/parent pairs.
    let kexts: Vec<_> = known_kexts().collect();
    assert_eq!(kexts.len(), 47);
    assert_eq!(kexts[0].bundle, "Lilu.kext");
    assert_eq!(kexts[0].executable, "Contents/MacOS/Lilu");
    assert_eq!(kexts[1].bundle, "VirtualSMC.kext");
    assert!(kexts.iter().all(|k| k.plist == "Contents/Info.plist"));
    let order: Vec<_> = plugin_order().collect();
    assert_eq!(order.len(), 26);
    assert!(order.contains(&("CPUFriendDataProvider.kext", "CPUFriend.kext")));
    // Every parent is itself a known kext.
    assert!(
        order
            .iter()
            .all(|(_, parent)| kexts.iter().any(|k| k.bundle == *parent))
    );
}

fn quirks(jettison: Option<bool>) -> String {
    match jettison {
        Some(v) => format!(
            "<key>Quirks</key>\n{}",
            dict(&[("DisableLinkeditJettison", format!("<{v}/>"))])
        ),
        None => "<key>Quirks</key>\n<dict>\n<key>AppleCpuPmCfgLock</key><false/>\n</dict>\n".into(),
    }
}

#[test]
fn lilu_needs_disable_linkedit_jettison() {
    let lilu = list("Add", &[named("Lilu.kext", "Contents/MacOS/Lilu")]);
    let with = |j| config(&[lilu.clone(), quirks(j)].concat(), "");
    fires_and_not(
        "K012",
        &with(Some(false)),
        "Kernel/Add/0/BundlePath",
        &with(Some(true)),
    );
    // The fix flips the quirk, or inserts it where it is missing.
    for j in [Some(false), None] {
        let text = with(j);
        let d = findings(&text)
            .into_iter()
            .find(|d| d.rule.code == "K012")
            .expect("K012");
        let fix = d.fix.expect("a fix");
        let out = crate::patch::apply(&text, &[&fix]).text;
        assert!(
            out.contains("<key>DisableLinkeditJettison</key><true/>")
                || out.contains("<key>DisableLinkeditJettison</key>\n<true/>"),
            "{out}"
        );
        assert_eq!(hits(&out), Vec::new(), "{out}");
    }
    // A disabled Lilu is not injected.
    let off = kext(&[
        ("BundlePath", s("Lilu.kext")),
        ("Enabled", "<false/>".into()),
    ]);
    assert_eq!(
        hits(&config(
            &[list("Add", &[off]), quirks(Some(false))].concat(),
            ""
        )),
        Vec::new()
    );
}

#[test]
fn brcm_firmware_repo_cannot_be_injected() {
    fires_and_not(
        "K013",
        &add(&[named(
            "BrcmFirmwareRepo.kext",
            "Contents/MacOS/BrcmFirmwareRepo",
        )]),
        "Kernel/Add/0/BundlePath",
        &add(&[named(
            "BrcmFirmwareData.kext",
            "Contents/MacOS/BrcmFirmwareData",
        )]),
    );
}

#[test]
fn known_kexts_need_their_standard_paths() {
    fires_and_not(
        "K014",
        &add(&[named(
            "WhateverGreen.kext",
            "Contents/MacOS/Whatevergreen.kext",
        )]),
        "Kernel/Add/0/ExecutablePath",
        &add(&[named("WhateverGreen.kext", "Contents/MacOS/WhateverGreen")]),
    );
    // A codeless kext has no executable.
    fires_and_not(
        "K014",
        &add(&[named(
            "CPUFriendDataProvider.kext",
            "Contents/MacOS/CPUFriendDataProvider",
        )]),
        "Kernel/Add/0/ExecutablePath",
        &add(&[named("CPUFriendDataProvider.kext", "")]),
    );
    // Only the case differs: a warning, and the unsafe fix writes the standard path.
    let text = add(&[named("AppleALC.kext", "Contents/MacOS/applealc")]);
    let d = findings(&text)
        .into_iter()
        .find(|d| d.rule.code == "K014")
        .expect("K014");
    assert_eq!(d.severity, Severity::Warning);
    let fix = d.fix.expect("a fix");
    assert_eq!(fix.applicability, crate::patch::Applicability::Unsafe);
    let out = crate::patch::apply(&text, &[&fix]).text;
    assert!(
        out.contains("<string>Contents/MacOS/AppleALC</string>"),
        "{out}"
    );
}

#[test]
fn plugins_come_after_their_parent() {
    let lilu = named("Lilu.kext", "Contents/MacOS/Lilu");
    let vsmc = named("VirtualSMC.kext", "Contents/MacOS/VirtualSMC");
    let battery = named("SMCBatteryManager.kext", "Contents/MacOS/SMCBatteryManager");
    fires_and_not(
        "K015",
        &add(&[vsmc.clone(), lilu.clone()]),
        "Kernel/Add/0/BundlePath",
        &add(&[lilu.clone(), vsmc.clone(), battery.clone()]),
    );
    // Parent missing altogether.
    fires_and_not(
        "K015",
        &add(&[lilu.clone(), battery.clone()]),
        "Kernel/Add/1/BundlePath",
        &add(&[lilu.clone(), vsmc.clone(), battery.clone()]),
    );
    // A disabled parent is not there at boot; a disabled plugin is not loaded.
    let off = |e: &str| e.replace("<key>Enabled</key><true/>", "<key>Enabled</key><false/>");
    let codes = |t: &str| {
        hits(t)
            .into_iter()
            .map(|(c, _)| c)
            .filter(|c| *c == "K015")
            .collect::<Vec<_>>()
    };
    assert_eq!(codes(&add(&[off(&lilu), vsmc.clone()])), ["K015"]);
    assert_eq!(codes(&add(&[off(&vsmc), lilu])), Vec::<&str>::new());
}

#[test]
fn duplicates_need_overlapping_kernel_ranges() {
    let range = |min: &str, max: &str| kext(&[("MinKernel", s(min)), ("MaxKernel", s(max))]);
    // Two entries for every version; then 19.99.99 and 20.0.0 that never meet.
    fires_and_not(
        "K016",
        &add(&[kext(&[]), kext(&[])]),
        "Kernel/Add/1/BundlePath",
        &add(&[range("", "19.99.99"), range("20.0.0", "")]),
    );
    // Overlap found whatever the order of the entries.
    fires_and_not(
        "K016",
        &add(&[
            range("21.0.0", ""),
            range("", "19.0.0"),
            range("18.0.0", "22.0.0"),
        ]),
        "Kernel/Add/2/BundlePath",
        &add(&[
            range("21.0.0", ""),
            range("", "19.0.0"),
            range("19.1.0", "20.9.9"),
        ]),
    );
    // A disabled copy is never injected.
    let off = kext(&[("Enabled", "<false/>".into())]);
    fires_and_not(
        "K016",
        &add(&[kext(&[]), kext(&[]), kext(&[])]),
        "Kernel/Add/2/BundlePath",
        &add(&[kext(&[]), off]),
    );
}

#[test]
fn block_and_force_duplicates() {
    let block = |id: &str| {
        dict(&[
            ("Arch", s("Any")),
            ("Enabled", "<true/>".into()),
            ("Identifier", s(id)),
            ("Strategy", s("Disable")),
        ])
    };
    fires_and_not(
        "K020",
        &config(&list("Block", &[block("com.a.b"), block("com.a.b")]), ""),
        "Kernel/Block/1/Identifier",
        &config(&list("Block", &[block("com.a.b"), block("com.a.c")]), ""),
    );
    let force = |p: &str| {
        dict(&[
            ("BundlePath", s(p)),
            ("Enabled", "<true/>".into()),
            ("Identifier", s("com.apple.x")),
            ("PlistPath", s("Contents/Info.plist")),
        ])
    };
    fires_and_not(
        "K029",
        &config(
            &list("Force", &[force("S/L/E/X.kext"), force("S/L/E/X.kext")]),
            "",
        ),
        "Kernel/Force/1/BundlePath",
        &config(
            &list("Force", &[force("S/L/E/X.kext"), force("S/L/E/Y.kext")]),
            "",
        ),
    );
}

#[test]
fn disabled_entries_are_not_checked() {
    let off = kext(&[
        ("Enabled", "<false/>".into()),
        ("Arch", s("x64")),
        ("BundlePath", s("Foo Bar.bundle")),
        ("MinKernel", s("abc")),
    ]);
    assert_eq!(hits(&add(&[off])), Vec::new());
}

#[test]
fn keys_a_release_lacks_are_not_checked() {
    // Kernel/Force and Kernel/Scheme arrived in 0.6.1, Block Strategy in 0.7.9.
    let text = config(
        &[
            list(
                "Force",
                &[dict(&[("Arch", s("x64")), ("Enabled", "<true/>".into())])],
            ),
            format!(
                "<key>Scheme</key>\n{}",
                dict(&[("KernelCache", s("Prelink"))])
            ),
            list(
                "Block",
                &[dict(&[
                    ("Enabled", "<true/>".into()),
                    ("Identifier", s("com.a.b")),
                    ("Strategy", s("Remove")),
                ])],
            ),
        ]
        .concat(),
        "",
    );
    let codes = |v| {
        let mut c: Vec<&str> = findings_at(&text, Some(v))
            .iter()
            .map(|d| d.rule.code)
            .collect();
        c.sort_unstable();
        c.dedup();
        c
    };
    assert_eq!(codes("0.6.0"), Vec::<&str>::new());
    assert_eq!(codes("0.7.8"), ["K022", "K023", "K025", "K028", "K040"]);
    assert_eq!(
        codes("1.0.7"),
        ["K019", "K022", "K023", "K025", "K028", "K040"]
    );
}

#[test]
fn enumeration_fixes_only_change_case() {
    let text = config(
        &format!(
            "<key>Scheme</key>\n{}",
            dict(&[("KernelArch", s("X86_64")), ("KernelCache", s("Prelink"))])
        ),
        "",
    );
    let ds = findings(&text);
    let arch = ds.iter().find(|d| d.rule.code == "K039").expect("K039");
    let fix = arch.fix.as_ref().expect("a case-only fix");
    assert_eq!(fix.applicability, crate::patch::Applicability::Unsafe);
    let out = crate::patch::apply(&text, &[fix]).text;
    assert!(out.contains("<string>x86_64</string>"), "{out}");
    // `Prelink` is not a spelling of any value: no fix.
    let cache = ds.iter().find(|d| d.rule.code == "K040").expect("K040");
    assert!(cache.fix.is_none());
    // `Kernel` for `kernel` in a patch.
    let patch = dict(&[
        ("Enabled", "<true/>".into()),
        ("Find", "<data>qg==</data>".into()),
        ("Identifier", s("Kernel")),
        ("Replace", "<data>uw==</data>".into()),
    ]);
    let text = config(&list("Patch", &[patch]), "");
    let d = findings(&text)
        .into_iter()
        .find(|d| d.rule.code == "K031")
        .expect("K031");
    let out = crate::patch::apply(&text, &[&d.fix.expect("a fix")]).text;
    assert_eq!(hits(&out), Vec::new(), "{out}");
}

#[test]
fn entry_indexes_are_written_in_decimal() {
    assert_eq!(crate::rules::view::decimal(0, &mut [0; 20]), "0");
    assert_eq!(crate::rules::view::decimal(1207, &mut [0; 20]), "1207");
    assert_eq!(
        crate::rules::view::decimal(usize::MAX, &mut [0; 20]),
        usize::MAX.to_string()
    );
    // The twelfth entry is reported at its own index.
    let mut items = vec![kext(&[]); 11];
    items[0] = kext(&[("BundlePath", s("Zero.kext"))]);
    items.push(kext(&[("Arch", s("x64")), ("BundlePath", s("Last.kext"))]));
    let found = hits(&add(&items));
    assert!(
        found.contains(&("K001", "Kernel/Add/11/Arch".to_owned())),
        "{found:?}"
    );
}
