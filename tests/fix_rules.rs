//! Every rule that offers a fix round-trips through the fix engine: the fix
//! applies, verifies, touches only its element, the finding is gone on a
//! re-check, and a second run changes nothing.

use ocaudit::audit::{self, AuditOptions};
use ocaudit::fixer::{self, FixOptions};
use ocaudit::platform::PlatformMatch;
use ocaudit::rules::{CheckOptions, Evidence};

const GUID: &str = "7C436110-AB2A-4BBB-A880-FE41995C9F82";

fn q(key: &str, v: bool) -> String {
    format!("\t\t\t<key>{key}</key>\n\t\t\t<{v}/>\n")
}

/// A config: Booter (whitelist + quirks body), NVRAM body, then `tail`
/// (other root entries).
fn config(whitelist: &str, quirks: &str, nvram: &str, tail: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n\t<key>Booter</key>\n\t<dict>\n{whitelist}\t\t<key>Quirks</key>\n\t\t<dict>\n{quirks}\t\t</dict>\n\t</dict>\n\t<key>NVRAM</key>\n\t<dict>\n{nvram}\t</dict>\n{tail}</dict>\n</plist>\n"
    )
}

fn boot_args(args: &str, delete: bool) -> String {
    let mut s = format!(
        "\t\t<key>Add</key>\n\t\t<dict>\n\t\t\t<key>{GUID}</key>\n\t\t\t<dict>\n\t\t\t\t<key>boot-args</key>\n\t\t\t\t<string>{args}</string>\n\t\t\t</dict>\n\t\t</dict>\n"
    );
    if delete {
        s.push_str(&format!(
            "\t\t<key>Delete</key>\n\t\t<dict>\n\t\t\t<key>{GUID}</key>\n\t\t\t<array>\n\t\t\t\t<string>boot-args</string>\n\t\t\t</array>\n\t\t</dict>\n"
        ));
    }
    s
}

const RUNTIME: &str = "\t<key>UEFI</key>\n\t<dict>\n\t\t<key>Drivers</key>\n\t\t<array>\n\t\t\t<dict>\n\t\t\t\t<key>Enabled</key>\n\t\t\t\t<true/>\n\t\t\t\t<key>Path</key>\n\t\t\t\t<string>OpenRuntime.efi</string>\n\t\t\t</dict>\n\t\t</array>\n\t</dict>\n";

/// `<section>/<list>` holding one key whose array repeats a name, as a
/// root entry.
fn repeated_list(section: &str, list: &str, key: &str) -> String {
    format!(
        "\t<key>{section}</key>\n\t<dict>\n\t\t<key>{list}</key>\n\t\t<dict>\n\t\t\t<key>{key}</key>\n\t\t\t<array>\n\t\t\t\t<string>model</string>\n\t\t\t\t<string>model</string>\n\t\t\t</array>\n\t\t</dict>\n\t</dict>\n"
    )
}

/// An NVRAM body whose `list` repeats boot-args under one GUID.
fn repeated_nvram(list: &str) -> String {
    format!(
        "\t\t<key>{list}</key>\n\t\t<dict>\n\t\t\t<key>{GUID}</key>\n\t\t\t<array>\n\t\t\t\t<string>boot-args</string>\n\t\t\t\t<string>boot-args</string>\n\t\t\t</array>\n\t\t</dict>\n"
    )
}

/// A config with PlatformInfo (Automatic on) holding `mode` and `memory`.
fn platform_info(mode: &str, memory: &str) -> String {
    let tail = format!(
        "{RUNTIME}\t<key>PlatformInfo</key>\n\t<dict>\n\t\t<key>Automatic</key>\n\t\t<true/>\n\t\t<key>Generic</key>\n\t\t<dict>\n\t\t\t<key>SystemMemoryStatus</key>\n\t\t\t<string>{memory}</string>\n\t\t</dict>\n\t\t<key>UpdateSMBIOSMode</key>\n\t\t<string>{mode}</string>\n\t</dict>\n"
    );
    config("", "", "", &tail)
}

const ACPI_TWICE: &str = "\t<key>ACPI</key>\n\t<dict>\n\t\t<key>Add</key>\n\t\t<array>\n\t\t\t<dict>\n\t\t\t\t<key>Enabled</key>\n\t\t\t\t<true/>\n\t\t\t\t<key>Path</key>\n\t\t\t\t<string>SSDT-EC.aml</string>\n\t\t\t</dict>\n\t\t\t<dict>\n\t\t\t\t<key>Enabled</key>\n\t\t\t\t<true/>\n\t\t\t\t<key>Path</key>\n\t\t\t\t<string>SSDT-EC.aml</string>\n\t\t\t</dict>\n\t\t</array>\n\t</dict>\n";

/// A Booter/Patch array of one enabled patch with this Arch and Identifier.
fn booter_patch(arch: &str, identifier: &str) -> String {
    format!(
        "\t\t<key>Patch</key>\n\t\t<array>\n\t\t\t<dict>\n\t\t\t\t<key>Arch</key>\n\t\t\t\t<string>{arch}</string>\n\t\t\t\t<key>Enabled</key>\n\t\t\t\t<true/>\n\t\t\t\t<key>Find</key>\n\t\t\t\t<data>Xw==</data>\n\t\t\t\t<key>Identifier</key>\n\t\t\t\t<string>{identifier}</string>\n\t\t\t\t<key>Replace</key>\n\t\t\t\t<data>WA==</data>\n\t\t\t</dict>\n\t\t</array>\n"
    )
}

/// A config whose Kernel dict holds `body`.
fn kernel(body: &str) -> String {
    config(
        "",
        "",
        "",
        &format!("\t<key>Kernel</key>\n\t<dict>\n{body}\t</dict>\n"),
    )
}

/// A `Kernel/<list>` array of one valid enabled entry with `over` replacing
/// its strings (a kext for Add and Force, a kernel patch, a block entry).
fn entry(list: &str, over: &[(&str, &str)]) -> String {
    let mut pairs: Vec<(&str, &str)> = vec![
        ("Arch", "Any"),
        ("BundlePath", "Foo.kext"),
        ("ExecutablePath", "Contents/MacOS/Foo"),
        (
            "Identifier",
            if list == "Patch" {
                "kernel"
            } else {
                "com.example.foo"
            },
        ),
        ("PlistPath", "Contents/Info.plist"),
        ("Strategy", "Disable"),
    ];
    for (k, v) in over {
        if let Some(slot) = pairs.iter_mut().find(|(pk, _)| pk == k) {
            slot.1 = v;
        }
    }
    let mut body = String::from("\t\t\t\t<key>Enabled</key>\n\t\t\t\t<true/>\n");
    if list == "Patch" {
        body.push_str("\t\t\t\t<key>Find</key>\n\t\t\t\t<data>qg==</data>\n\t\t\t\t<key>Replace</key>\n\t\t\t\t<data>uw==</data>\n");
    }
    for (k, v) in pairs {
        body.push_str(&format!(
            "\t\t\t\t<key>{k}</key>\n\t\t\t\t<string>{v}</string>\n"
        ));
    }
    format!("\t\t<key>{list}</key>\n\t\t<array>\n\t\t\t<dict>\n{body}\t\t\t</dict>\n\t\t</array>\n")
}

/// `Kernel/Scheme` with one string key.
fn scheme(key: &str, value: &str) -> String {
    format!(
        "\t\t<key>Scheme</key>\n\t\t<dict>\n\t\t\t<key>{key}</key>\n\t\t\t<string>{value}</string>\n\t\t</dict>\n"
    )
}

/// (code, platform, config) for every rule with a fix.
fn cases() -> Vec<(&'static str, Option<&'static str>, String)> {
    let b = |quirks: String| config("", &quirks, "", RUNTIME);
    let s = |args: &str, delete: bool| config("", "", &boot_args(args, delete), RUNTIME);
    let wl = "\t\t<key>MmioWhitelist</key>\n\t\t<array>\n\t\t\t<dict>\n\t\t\t\t<key>Address</key>\n\t\t\t\t<integer>4261412864</integer>\n\t\t\t\t<key>Comment</key>\n\t\t\t\t<string>x</string>\n\t\t\t\t<key>Enabled</key>\n\t\t\t\t<true/>\n\t\t\t</dict>\n\t\t</array>\n";
    let entries = "\t<key>Misc</key>\n\t<dict>\n\t\t<key>Entries</key>\n\t\t<array>\n\t\t\t<dict>\n\t\t\t\t<key>Arguments</key>\n\t\t\t\t<string>-v slide=4</string>\n\t\t\t</dict>\n\t\t</array>\n\t</dict>\n";
    vec![
        ("B001", None, b(q("AvoidRuntimeDefrag", false))),
        ("B002", None, b(q("DevirtualiseMmio", false))),
        ("B003", None, b(q("ProvideCustomSlide", false))),
        (
            "B004",
            Some("intel-desktop-coffee-lake"),
            b(q("RebuildAppleMemoryMap", false)),
        ),
        (
            "B005",
            None,
            b(q("EnableSafeModeSlide", false) + &q("ProvideCustomSlide", true)),
        ),
        (
            "B006",
            Some("intel-desktop-comet-lake"),
            b(q("ProtectUefiServices", false)),
        ),
        (
            // The direction needs to know the firmware has a memory
            // attributes table: Coffee Lake's does.
            "B007",
            Some("intel-desktop-coffee-lake"),
            b(q("RebuildAppleMemoryMap", true) + &q("SyncRuntimePermissions", false)),
        ),
        (
            // Which quirk goes depends on the firmware: Coffee Lake's has
            // a memory attributes table.
            "B008",
            Some("intel-desktop-coffee-lake"),
            b(q("EnableWriteUnprotector", true) + &q("RebuildAppleMemoryMap", true)),
        ),
        (
            "B009",
            None,
            b(q("EnableSafeModeSlide", true) + &q("ProvideCustomSlide", false)),
        ),
        (
            "B011",
            None,
            config("", &q("ProvideCustomSlide", true), "", ""),
        ),
        (
            "B012",
            None,
            b(q("AllowRelocationBlock", true) + &q("AvoidRuntimeDefrag", false)),
        ),
        (
            "B013",
            Some("intel-laptop-icelake"),
            b(q("SetupVirtualMap", true)),
        ),
        (
            // Kaby Lake firmware has no memory attributes table.
            "B014",
            Some("intel-desktop-kaby-lake"),
            b(q("EnableWriteUnprotector", false) + &q("RebuildAppleMemoryMap", false)),
        ),
        (
            "B015",
            Some("intel-laptop-sandy-bridge"),
            b(q("DevirtualiseMmio", true)),
        ),
        ("S001", None, s("-v slide=128 alcid=1", true)),
        ("S002", None, s("-v slide=300", true)),
        ("S003", None, s("slide=0 -v", true)),
        ("S004", None, s("slide=1 -v slide=2", true)),
        ("S005", None, s("-v", false)),
        ("S009", None, s("-v slide=<!-- old -->128", true)),
        (
            "S006",
            None,
            config("", "", &boot_args("-v", true), entries),
        ),
        (
            "W001",
            None,
            config(wl, &q("DevirtualiseMmio", false), "", RUNTIME),
        ),
        ("M004", None, b(q("DevirtualiseMmio", false))),
        // A key no release defines (a typo), and keys the target lacks.
        ("X006", None, b(q("ProvideCustomSlid", true))),
        ("X007", None, b(q("ProvideCustomSlide", true))),
        (
            "X003",
            None,
            b(q("ProvideCustomSlide", true) + &q("ProvideCustomSlide", true)),
        ),
        (
            "X004",
            None,
            b("\t\t\t<key>SetupVirtualMap</key>\n\t\t\t<string>true</string>\n".into()),
        ),
        (
            "X005",
            None,
            b("\t\t\t<key>ProvideMaxSlide</key>\n\t\t\t<integer>0x10</integer>\n".into()),
        ),
        // A name repeated in a Delete-style list (D004, N004, N006).
        (
            "D004",
            None,
            config(
                "",
                "",
                "",
                &(RUNTIME.to_owned()
                    + &repeated_list("DeviceProperties", "Delete", "PciRoot(0x0)/Pci(0x2,0x0)")),
            ),
        ),
        (
            "N004",
            None,
            config("", "", &repeated_nvram("Delete"), RUNTIME),
        ),
        (
            "N006",
            None,
            config("", "", &repeated_nvram("LegacySchema"), RUNTIME),
        ),
        // An enumeration value off only in case (unsafe fixes).
        ("P001", None, platform_info("tryoverwrite", "Auto")),
        ("P003", None, platform_info("Create", "soldered")),
        // The same table added twice: the repeat is disabled.
        (
            "A004",
            None,
            config("", "", "", &format!("{ACPI_TWICE}{RUNTIME}")),
        ),
        // Booter patch fields in the wrong case.
        (
            "B101",
            None,
            config(&booter_patch("X86_64", "Apple"), "", "", RUNTIME),
        ),
        (
            "B102",
            None,
            config(&booter_patch("Any", "apple"), "", "", RUNTIME),
        ),
        // The kernel rules: a quirk flip, enumeration spellings, known kext paths.
        ("K001", None, kernel(&entry("Add", &[("Arch", "X86_64")]))),
        (
            "K012",
            None,
            kernel(
                &(entry("Add", &[("BundlePath", "Lilu.kext")])
                    + "\t\t<key>Quirks</key>\n\t\t<dict>\n"
                    + &q("DisableLinkeditJettison", false)
                    + "\t\t</dict>\n"),
            ),
        ),
        (
            "K014",
            None,
            kernel(&entry(
                "Add",
                &[
                    ("BundlePath", "AppleALC.kext"),
                    ("ExecutablePath", "Contents/MacOS/applealc"),
                ],
            )),
        ),
        ("K017", None, kernel(&entry("Block", &[("Arch", "ANY")]))),
        (
            "K018",
            None,
            kernel(&entry("Block", &[("Identifier", "Kernel")])),
        ),
        (
            "K019",
            None,
            kernel(&entry("Block", &[("Strategy", "exclude")])),
        ),
        ("K022", None, kernel(&entry("Force", &[("Arch", "I386")]))),
        ("K030", None, kernel(&entry("Patch", &[("Arch", "any")]))),
        (
            "K031",
            None,
            kernel(&entry("Patch", &[("Identifier", "Kernel")])),
        ),
        ("K039", None, kernel(&scheme("KernelArch", "X86_64"))),
        ("K040", None, kernel(&scheme("KernelCache", "prelinked"))),
        // Text before the XML declaration: OpenCore's reader refuses it.
        (
            "X010",
            None,
            format!("saved config\n{}", b(q("ProvideCustomSlide", true))),
        ),
    ]
    .into_iter()
    .chain(uefi_cases())
    .collect()
}

/// The U rules' fixes, each on a config with only the UEFI dict it needs.
fn uefi_cases() -> Vec<(&'static str, Option<&'static str>, String)> {
    let u = |body: String| {
        config(
            "",
            "",
            "",
            &format!("\t<key>UEFI</key>\n\t<dict>\n{body}\t</dict>\n"),
        )
    };
    let dict = |key: &str, pairs: &[(&str, &str)]| {
        let inner: String = pairs
            .iter()
            .map(|(k, v)| format!("\t\t\t<key>{k}</key>\n\t\t\t{v}\n"))
            .collect();
        format!("\t\t<key>{key}</key>\n\t\t<dict>\n{inner}\t\t</dict>\n")
    };
    let drivers = |list: &[(&str, bool)]| {
        let items: String = list
            .iter()
            .map(|(path, early)| {
                format!(
                    "\t\t\t<dict>\n\t\t\t\t<key>Enabled</key>\n\t\t\t\t<true/>\n\t\t\t\t<key>LoadEarly</key>\n\t\t\t\t<{early}/>\n\t\t\t\t<key>Path</key>\n\t\t\t\t<string>{path}</string>\n\t\t\t</dict>\n"
                )
            })
            .collect();
        format!("\t\t<key>Drivers</key>\n\t\t<array>\n{items}\t\t</array>\n")
    };
    let s = |v: &str| format!("<string>{v}</string>");
    let (t, f) = ("<true/>", "<false/>");
    let var = "OpenVariableRuntimeDxe.efi";
    let rt = "OpenRuntime.efi";
    let out = |pairs: &[(&str, &str)]| u(dict("Output", pairs));
    let builtin = s("BuiltinGraphics");
    let connect = |driver: &str| {
        format!(
            "\t\t<key>ConnectDrivers</key>\n\t\t<false/>\n{}",
            drivers(&[(driver, false)])
        )
    };
    vec![
        ("U002", None, u(dict("AppleInput", &[("AppleEvent", &s("builtin"))]))),
        ("U009", None, u(dict("Audio", &[("AudioSupport", t), ("PlayChime", &s(""))]))),
        ("U010", None, u(dict("Audio", &[("AudioSupport", t), ("PlayChime", &s("enabled"))]))),
        ("U015", None, u(drivers(&[(var, false), (rt, true)]))),
        ("U016", None, u(drivers(&[("HfsPlus.efi", true)]))),
        ("U018", None, u(drivers(&[(var, true), (rt, false)]))),
        ("U020", None, u(drivers(&[(rt, true)]))),
        (
            "U023",
            None,
            u(drivers(&[("Ps2KeyboardDxe.efi", false)]) + &dict("Input", &[("KeySupport", f)])),
        ),
        ("U025", None, u(connect("HfsPlus.efi"))),
        ("U026", None, u(connect("AudioDxe.efi"))),
        (
            "U027",
            None,
            u(dict("Input", &[("PointerSupport", t), ("PointerSupportMode", &s("asus"))])),
        ),
        (
            "U028",
            None,
            u(dict("Input", &[("KeySupport", t), ("KeySupportMode", &s("v1"))])),
        ),
        ("U029", None, out(&[("InitialMode", &s("text"))])),
        ("U030", None, out(&[("TextRenderer", &s("builtintext"))])),
        (
            "U031",
            None,
            out(&[("ConsoleFont", &s("Font")), ("TextRenderer", &s("SystemText"))]),
        ),
        ("U032", None, out(&[("ClearScreenOnModeSwitch", t), ("TextRenderer", &builtin)])),
        ("U033", None, out(&[("IgnoreTextInGraphics", t), ("TextRenderer", &builtin)])),
        ("U034", None, out(&[("ReplaceTabWithSpace", t), ("TextRenderer", &builtin)])),
        ("U035", None, out(&[("SanitiseClearScreen", t), ("TextRenderer", &builtin)])),
        ("U036", None, out(&[("GopPassThrough", &s("apple"))])),
        (
            "U043",
            None,
            u("\t\t<key>ReservedMemory</key>\n\t\t<array>\n\t\t\t<dict>\n\t\t\t\t<key>Address</key>\n\t\t\t\t<integer>268435456</integer>\n\t\t\t\t<key>Enabled</key>\n\t\t\t\t<true/>\n\t\t\t\t<key>Size</key>\n\t\t\t\t<integer>4096</integer>\n\t\t\t\t<key>Type</key>\n\t\t\t\t<string>reserved</string>\n\t\t\t</dict>\n\t\t</array>\n".into()),
        ),
    ]
}

#[test]
fn every_fixable_rule_round_trips() {
    let mut covered = Vec::new();
    for (code, platform, text) in cases().into_iter().chain(misc_cases()) {
        let audit = AuditOptions {
            check: CheckOptions {
                select: vec![code.to_owned()],
                ignore: Vec::new(),
            },
            platform: platform.and_then(PlatformMatch::from_slug),
            // M004 needs evidence: 128 usable as configured, 156 with DevirtualiseMmio.
            // The schema rules judge against a fixed release.
            oc_version: (code.starts_with("X00") || code.starts_with('G'))
                .then(|| "1.0.7".to_owned()),
            evidence: (code == "M004").then(|| Evidence {
                valid_slides: Some((128..=255).collect()),
                valid_with_devirtualise: Some(156),
                ..Default::default()
            }),
            ..Default::default()
        };
        let opts = FixOptions {
            audit,
            unsafe_fixes: true,
            ..Default::default()
        };
        // X010 comes from the loader (OpenCore's reader), not the engine.
        let found = match audit::load("c.plist", text.clone().into_bytes()) {
            Ok(before) => {
                let mut found =
                    audit::run_rules(&before, opts.audit.platform.as_ref(), &opts.audit, None);
                if let audit::OpenCoreReading::Refuses(d) = &before.opencore {
                    found.push((**d).clone());
                }
                found
            }
            Err(f) if f.diagnostic.rule.code == "X010" => vec![f.diagnostic],
            Err(f) => panic!("{code}: does not load: {}", f.diagnostic.message),
        };
        assert!(
            found.iter().any(|d| d.rule.code == code && d.fix.is_some()),
            "{code}: the fixture does not trigger a fixable finding"
        );
        let out = fixer::fix("c.plist", text.into_bytes(), &opts).expect("fixes");
        assert!(
            out.changes.iter().any(|c| c.codes.contains(&code)),
            "{code}: no edit carries the code"
        );
        out.verify(&out.new_bytes()).expect("verifies");
        out.outside_unchanged()
            .expect("only edited elements change");
        let after = audit::load("c.plist", out.text.clone().into_bytes()).expect("re-loads");
        let left = audit::run_rules(&after, opts.audit.platform.as_ref(), &opts.audit, None);
        assert!(
            !left.iter().any(|d| d.rule.code == code && d.fix.is_some()),
            "{code}: still fixable after the fix:\n{}",
            out.text
        );
        let again = fixer::fix("c.plist", out.text.clone().into_bytes(), &opts).expect("again");
        assert!(!again.changed(), "{code}: second run changed the text");
        covered.push(code);
    }
    // Every rule whose metadata promises a fix has a case above.
    for meta in ocaudit::rules::all() {
        if meta.fix != ocaudit::rules::FixAvailability::None {
            assert!(
                covered.contains(&meta.code),
                "{} has no round-trip case",
                meta.code
            );
        }
    }
}

/// B004 (turn RebuildAppleMemoryMap on, from the platform) and B008 (turn it
/// off, when a log shows no memory attributes table) must not undo each
/// other pass after pass.
#[test]
fn rebuild_memory_map_fixes_converge() {
    let text = config(
        "",
        &(q("EnableWriteUnprotector", true) + &q("RebuildAppleMemoryMap", true)),
        "",
        RUNTIME,
    );
    let evidence = ocaudit::rules::Evidence {
        source: "opencore.log".into(),
        mat_support: Some(false),
        ..Default::default()
    };
    let opts = FixOptions {
        audit: AuditOptions {
            platform: PlatformMatch::from_slug("intel-desktop-coffee-lake"),
            evidence: Some(evidence),
            ..Default::default()
        },
        unsafe_fixes: true,
        ..Default::default()
    };
    let out = fixer::fix("c.plist", text.into_bytes(), &opts).expect("fixes");
    assert!(out.notes.is_empty(), "{:?}", out.notes);
    assert!(out.passes < fixer::MAX_PASSES);
    let again = fixer::fix("c.plist", out.text.clone().into_bytes(), &opts).expect("again");
    assert!(!again.changed(), "second run changed:\n{}", again.text);
    let doc = ocaudit::plist::load(&out.text).expect("parses");
    let ramm = doc.root.pointer("Booter/Quirks/RebuildAppleMemoryMap");
    assert_eq!(ramm.and_then(|n| n.as_bool()), Some(false));
}

/// A config whose Misc holds `section` (a dict, or an array of one dict)
/// with the one key `key` = `value`.
fn misc(section: &str, key: &str, value: &str) -> String {
    let body = format!("\t\t\t<key>{key}</key>\n\t\t\t{value}\n");
    let inner = match section {
        "Entries" | "Tools" => format!(
            "\t\t<key>{section}</key>\n\t\t<array>\n\t\t<dict>\n\t\t\t<key>Enabled</key>\n\t\t\t<true/>\n{body}\t\t</dict>\n\t\t</array>\n"
        ),
        "Serial" => format!(
            "\t\t<key>Serial</key>\n\t\t<dict>\n\t\t<key>Custom</key>\n\t\t<dict>\n{body}\t\t</dict>\n\t\t</dict>\n"
        ),
        _ => format!("\t\t<key>{section}</key>\n\t\t<dict>\n{body}\t\t</dict>\n"),
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n\t<key>Misc</key>\n\t<dict>\n{inner}\t</dict>\n</dict>\n</plist>\n"
    )
}

/// The G (misc) rules with a fix.
fn misc_cases() -> Vec<(&'static str, Option<&'static str>, String)> {
    let s = |v: &str| format!("<string>{v}</string>");
    vec![
        ("G003", None, misc("Boot", "HibernateMode", &s("auto"))),
        ("G005", None, misc("Boot", "PickerMode", &s("external"))),
        ("G007", None, misc("Boot", "PickerVariant", &s(""))),
        ("G012", None, misc("Boot", "LauncherOption", &s("full"))),
        ("G013", None, misc("Boot", "LauncherPath", &s(""))),
        ("G017", None, misc("Entries", "Flavour", &s(""))),
        ("G023", None, misc("Security", "DmgLoading", &s("signed"))),
        ("G025", None, misc("Security", "Vault", &s("optional"))),
        (
            "G027",
            None,
            misc("Security", "ScanPolicy", "<integer>17760514</integer>"),
        ),
        (
            "G028",
            None,
            misc("Security", "ScanPolicy", "<integer>17760513</integer>"),
        ),
        (
            "G029",
            None,
            misc("Security", "SecureBootModel", &s("J160")),
        ),
        (
            "G034",
            None,
            misc("Serial", "PciDeviceInfo", "<data></data>"),
        ),
        ("G038", None, misc("Tools", "Flavour", &s(""))),
    ]
}
