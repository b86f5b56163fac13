//! Tests for the name, boot-argument, ACPI/Delete and device-id signals
//! and the tie-breaks that read them, on configs written here.

use super::*;

/// An iGPU with a framebuffer and a `model` string (base64 data, string).
fn igpu_named(id_base64: &str, device_base64: &str, model: &str) -> String {
    format!(
        "<key>DeviceProperties</key><dict><key>Add</key><dict><key>PciRoot(0x0)/Pci(0x2,0x0)</key><dict>\
         <key>AAPL,ig-platform-id</key><data>{id_base64}</data><key>device-id</key><data>{device_base64}</data>\
         <key>model</key><string>{model}</string></dict></dict></dict>"
    )
}

fn boot_args(args: &str) -> String {
    format!(
        "<key>NVRAM</key><dict><key>Add</key><dict><key>7C436110-AB2A-4BBB-A880-FE41995C9F82</key><dict>\
         <key>boot-args</key><string>{args}</string></dict></dict></dict>"
    )
}

fn quirks(kernel: &[&str], uefi: &[&str]) -> String {
    let keys = |names: &[&str]| -> String {
        names
            .iter()
            .map(|n| format!("<key>{n}</key><true/>"))
            .collect()
    };
    format!(
        "<key>Kernel</key><dict><key>Quirks</key><dict>{}</dict></dict><key>UEFI</key><dict><key>Quirks</key><dict>{}</dict></dict>",
        keys(kernel),
        keys(uefi)
    )
}

fn hit_at<'m>(m: &'m PlatformMatch, signal: &str) -> Option<&'m SignalHit> {
    m.evidence.iter().find(|h| h.signal == signal)
}

#[test]
fn a_chipset_in_a_comment_names_the_board() {
    // 0x3E9B0007 runs on Coffee and Comet Lake desktops alike; a comment on
    // a (disabled) ACPI patch names a B360 board: Coffee Lake.
    let body = format!(
        "{}<key>ACPI</key><dict><key>Patch</key><array><dict><key>Comment</key>\
         <string>Fix MSI B360M Mortal RTC bug</string><key>Enabled</key><false/></dict></array></dict>",
        igpu("BwCbPg==")
    );
    let m = infer(&config(&body), Some("Macmini8,1"), None).expect("a platform");
    assert_eq!(slug(&m), "intel-desktop-coffee-lake");
    let h = hit_at(&m, "B360").expect("the chipset is evidence");
    assert_eq!(h.path, "ACPI/Patch/0/Comment");
    // The same board named in a kext file name (camel-case join).
    let x299 = kexts(&["PrimeX299DeluxeUSB", "SMCProcessor"]);
    let m = infer(&config(&x299), Some("iMacPro1,1"), None).expect("a platform");
    assert_eq!(slug(&m), "intel-hedt-skylake-x");
    // Without a name, the framebuffer alone leaves both open unless the
    // RTC tie-break reads the config (see below): nothing names a chipset.
    let plain = infer(&config(&igpu("BwCbPg==")), None, None).expect("a platform");
    assert!(hit_at(&plain, "B360").is_none());
}

#[test]
fn device_names_give_the_pch_and_the_igpu() {
    // A Kaby Lake framebuffer with a Kaby Lake device-id spoof leaves
    // Skylake and Kaby Lake laptops open; the iGPU's own name (HD 520) and
    // the PCH's (Sunrise Point-LP) say Skylake.
    let body = format!(
        "{}{}",
        igpu_named("AAAbWQ==", "FlkAAA==", "Intel HD Graphics 520"),
        kexts(&["VoodooPS2Controller", "SMCBatteryManager"])
    );
    let m = infer(&config(&body), Some("MacBookPro16,3"), None).expect("a platform");
    assert_eq!(slug(&m), "intel-laptop-skylake");
    assert!(hit_at(&m, "HD Graphics 520").is_some());
    // UHD Graphics 620 is no HD Graphics 620.
    let uhd = format!(
        "{}{}",
        igpu_named("AAAbWQ==", "FlkAAA==", "Intel UHD Graphics 620"),
        kexts(&["VoodooPS2Controller", "SMCBatteryManager"])
    );
    let m = infer(&config(&uhd), None, None).expect("a platform");
    assert!(hit_at(&m, "HD Graphics 620").is_none());
    assert!(hit_at(&m, "UHD Graphics 620").is_some());
    // Device names written as data count too.
    let data = "<key>DeviceProperties</key><dict><key>Add</key><dict><key>PciRoot(0x0)/Pci(0x1F,0x0)</key><dict>\
                <key>model</key><data>U3VucmlzZSBQb2ludC1MUCBMUEMgQ29udHJvbGxlcg==</data></dict></dict></dict>";
    let m = infer(&config(data), None, None).expect("a platform");
    let h = hit_at(&m, "Sunrise Point").expect("the PCH name is evidence");
    assert_eq!(
        h.path,
        "DeviceProperties/Add/PciRoot(0x0)/Pci(0x1F,0x0)/model"
    );
    assert!(h.targets.contains(&"intel-laptop-skylake"));
}

#[test]
fn the_skylake_as_kaby_lake_switch_is_skylake() {
    let body = format!(
        "{}{}{}",
        igpu_spoofed("AAAbWQ==", "FlkAAA=="),
        kexts(&["VoodooPS2Controller", "SMCBatteryManager"]),
        boot_args("keepsyms=1 -igfxsklaskbl")
    );
    let m = infer(&config(&body), Some("MacBookPro14,1"), None).expect("a platform");
    assert_eq!(slug(&m), "intel-laptop-skylake");
    let h = hit_at(&m, "boot-arg -igfxsklaskbl").expect("the boot-arg is evidence");
    assert_eq!(
        h.path,
        "NVRAM/Add/7C436110-AB2A-4BBB-A880-FE41995C9F82/boot-args"
    );
}

#[test]
fn the_i225_nic_means_a_newer_desktop() {
    // SSDT-AWAC fits 300-series and later; the I225-V (its driver's boot
    // argument, or the device-id spoof) comes with 400-series and later
    // boards (and some AMD ones): Comet Lake's page.
    let arg = format!(
        "{}{}{}",
        ssdts(&["SSDT-AWAC", "SSDT-PLUG"]),
        boot_args("e1000=0"),
        "<key>Kernel</key><dict><key>Quirks</key><dict><key>AppleXcpmCfgLock</key><true/></dict></dict>"
    );
    let m = infer(&config(&arg), Some("iMacPro1,1"), None).expect("a platform");
    assert_eq!(slug(&m), "intel-desktop-comet-lake");
    let nic = format!(
        "{}<key>DeviceProperties</key><dict><key>Add</key><dict><key>PciRoot(0x0)/Pci(0x1C,0x1)/Pci(0x0,0x0)</key><dict>\
         <key>device-id</key><data>8hUAAA==</data></dict></dict></dict>",
        ssdts(&["SSDT-AWAC", "SSDT-PLUG"])
    );
    let m = infer(&config(&nic), Some("iMacPro1,1"), None).expect("a platform");
    assert_eq!(slug(&m), "intel-desktop-comet-lake");
    assert!(hit_at(&m, "device-id 0x15F2").is_some());
    // The iGPU's device-id is never read as a NIC's.
    let igpu = igpu_spoofed("BwCbPg==", "8hUAAA==");
    let m = infer(&config(&igpu), None, None).expect("a platform");
    assert!(hit_at(&m, "device-id 0x15F2").is_none());
}

#[test]
fn sandy_and_ivy_bridge_power_tables() {
    // Dropping the firmware's CpuPm table (Dortania's Sandy and Ivy Bridge
    // pages) and the IMEI table; the model picks Ivy Bridge among them.
    let body = format!(
        "<key>ACPI</key><dict><key>Add</key><array><dict><key>Path</key><string>SSDT-IMEI.aml</string><key>Enabled</key><true/></dict></array>\
         <key>Delete</key><array><dict><key>OemTableId</key><data>Q3B1UG0AAAA=</data><key>Enabled</key><true/></dict></array></dict>{}",
        "<key>Kernel</key><dict><key>Quirks</key><dict><key>AppleCpuPmCfgLock</key><true/></dict></dict>"
    );
    let m = infer(&config(&body), Some("iMac13,2"), None).expect("a platform");
    assert_eq!(slug(&m), "intel-desktop-ivy-bridge");
    assert_eq!(
        hit_at(&m, "ACPI/Delete CpuPm").map(|h| h.path.as_str()),
        Some("ACPI/Delete/0/OemTableId")
    );
    // A disabled drop says nothing.
    let off = body.replace(
        "<data>Q3B1UG0AAAA=</data><key>Enabled</key><true/>",
        "<data>Q3B1UG0AAAA=</data><key>Enabled</key><false/>",
    );
    let m = infer(&config(&off), Some("iMac13,2"), None).expect("a platform");
    assert!(hit_at(&m, "ACPI/Delete CpuPm").is_none());
}

#[test]
fn an_ec_table_counts_only_without_usbx() {
    let with = |tables: &[&str]| {
        let body = format!("{}{}", ssdts(tables), kexts(&["SMCProcessor"]));
        infer(&config(&body), None, None).expect("a platform")
    };
    let alone = with(&["SSDT-EC", "SSDT-PLUG"]);
    assert!(
        alone
            .evidence
            .iter()
            .any(|h| h.points_to == "intel-ec-without-usbx")
    );
    let split = with(&["SSDT-EC", "SSDT-USBX", "SSDT-PLUG"]);
    assert!(
        !split
            .evidence
            .iter()
            .any(|h| h.points_to == "intel-ec-without-usbx")
    );
}

#[test]
fn flex_ratio_and_an_ec_table_without_usbx_mean_before_skylake() {
    // XCPM hints span Haswell to Comet Lake; IgnoreInvalidFlexRatio and an
    // EC table without USBX, as Dortania's pages before Skylake set them,
    // keep Haswell.
    let body = format!(
        "{}{}",
        ssdts(&["SSDT-EC", "SSDT-PLUG"]),
        quirks(&["AppleXcpmCfgLock"], &["IgnoreInvalidFlexRatio"])
    );
    let m = infer(&config(&body), Some("iMac19,1"), None).expect("a platform");
    assert_eq!(slug(&m), "intel-desktop-haswell");
    assert!(m.tie_breaks.contains(&TieBreak::PreSkylake));
    // Either one alone is never scored and decides nothing.
    let flex_only = format!(
        "{}{}",
        ssdts(&["SSDT-EC-USBX", "SSDT-PLUG"]),
        quirks(&["AppleXcpmCfgLock"], &["IgnoreInvalidFlexRatio"])
    );
    let m = infer(&config(&flex_only), None, None).expect("a platform");
    assert!(lists(&m, "intel-desktop-coffee-lake"), "{}", slug(&m));
    assert!(!m.tie_breaks.contains(&TieBreak::PreSkylake));
    // Alone, a weight-0 hint lists no platform at all.
    let none = infer(
        &config(&quirks(&[], &["IgnoreInvalidFlexRatio"])),
        None,
        None,
    );
    assert!(none.is_none());
}

#[test]
fn xcpm_settings_without_cpu_pm_drop_older_cpus() {
    // A desktop EC table and XCPM: Penryn's and Haswell's pages both know
    // the table, only Haswell runs XCPM.
    let kernel = |quirk: &str| {
        format!(
            "{}<key>UEFI</key><dict><key>Quirks</key><dict><key>IgnoreInvalidFlexRatio</key><true/></dict></dict>\
             <key>Kernel</key><dict><key>Add</key><array><dict><key>BundlePath</key><string>SMCProcessor.kext</string></dict></array>\
             <key>Quirks</key><dict>{quirk}</dict></dict>",
            ssdts(&["SSDT-EC-DESKTOP", "SSDT-PLUG"])
        )
    };
    let m = infer(&config(&kernel("")), None, None).expect("a platform");
    assert_eq!(slug(&m), "intel-desktop-haswell");
    assert!(m.tie_breaks.contains(&TieBreak::XcpmOnly));
    // With the CPU PM quirk set too, nothing is dropped for XCPM.
    let both = kernel("<key>AppleCpuPmCfgLock</key><true/>");
    let m = infer(&config(&both), None, None).expect("a platform");
    assert!(!m.tie_breaks.contains(&TieBreak::XcpmOnly));
}

#[test]
fn a_desktop_framebuffer_outranks_copied_laptop_kexts() {
    // VirtualSMC's battery and light sensor plugins ship with SMCProcessor
    // and are copied into desktop configs; a desktop-only framebuffer has
    // no built-in panel connector, so this is a desktop.
    let body = format!(
        "{}{}",
        igpu("AwCRPg=="),
        kexts(&["SMCProcessor", "SMCBatteryManager", "SMCLightSensor"])
    );
    let m = infer(&config(&body), Some("iMac19,1"), None).expect("a platform");
    assert_eq!(slug(&m), "intel-desktop-coffee-lake");
    assert!(m.tie_breaks.contains(&TieBreak::DesktopSigns));
    // A mobile framebuffer with the same kexts stays a laptop.
    let mobile = format!(
        "{}{}",
        igpu("CQClPg=="),
        kexts(&["SMCProcessor", "SMCBatteryManager", "SMCLightSensor"])
    );
    let m = infer(&config(&mobile), None, None).expect("a platform");
    assert!(
        m.candidates
            .iter()
            .all(|p| p.slug.starts_with("intel-laptop-"))
    );
}

#[test]
fn comet_lake_boards_need_an_awac_fix() {
    // 0x3E9B0007 alone: no AWAC or RTC fix, which every 400-series and
    // later board needs: Coffee Lake.
    let m = infer(&config(&igpu("BwCbPg==")), None, None).expect("a platform");
    assert_eq!(slug(&m), "intel-desktop-coffee-lake");
    assert_eq!(m.tie_breaks, vec![TieBreak::NoRtcFix]);
    // With SSDT-AWAC both stay open.
    let body = format!("{}{}", igpu("BwCbPg=="), ssdts(&["SSDT-AWAC"]));
    let m = infer(&config(&body), None, None).expect("a platform");
    assert!(lists(&m, "intel-desktop-comet-lake"), "{}", slug(&m));
    assert!(lists(&m, "intel-desktop-coffee-lake"), "{}", slug(&m));
    // An RTC patch, even a disabled one, counts as a fix.
    let patch = format!(
        "{}<key>ACPI</key><dict><key>Patch</key><array><dict><key>Comment</key>\
         <string>Fix RTC _STA bug</string><key>Enabled</key><false/></dict></array></dict>",
        igpu("BwCbPg==")
    );
    let m = infer(&config(&patch), None, None).expect("a platform");
    assert!(lists(&m, "intel-desktop-comet-lake"), "{}", slug(&m));
}

#[test]
fn ssdt_pmc_is_300_series_only() {
    let body = format!("{}{}", ssdts(&["SSDT-PMC"]), kexts(&["SMCProcessor"]));
    let m = infer(&config(&body), None, None);
    let targets = m
        .as_ref()
        .and_then(|m| m.evidence.iter().find(|h| h.signal == "SSDT-PMC"))
        .map(|h| h.targets)
        .expect("SSDT-PMC is a signal");
    assert!(targets.contains(&"intel-desktop-coffee-lake"));
    assert!(!targets.contains(&"intel-desktop-comet-lake"));
}

#[test]
fn a_penryn_laptop_keeps_the_penryn_page() {
    // Laptop kexts, the HFS+ driver for CPUs without RDRAND and the CPU PM
    // quirk: Penryn laptops follow the only Penryn page, so it stays a
    // candidate next to the old laptop platforms.
    let body = format!(
        "{}<key>UEFI</key><dict><key>Drivers</key><array><string>HfsPlusLegacy.efi</string></array></dict>\
         <key>Kernel</key><dict><key>Add</key><array>{}</array><key>Quirks</key><dict><key>AppleCpuPmCfgLock</key><true/></dict></dict>",
        ssdts(&["SSDT-PNLF"]),
        [
            "VoodooPS2Controller",
            "ACPIBatteryManager",
            "BrightnessKeys"
        ]
        .iter()
        .map(|n| format!("<dict><key>BundlePath</key><string>{n}.kext</string></dict>"))
        .collect::<String>()
    );
    let m = infer(&config(&body), Some("MacBookPro5,1"), None).expect("a platform");
    assert!(lists(&m, "intel-desktop-penryn"), "{}", slug(&m));
}

#[test]
fn provide_current_cpu_info_fits_hybrid_intel_cpus_too() {
    // The Reference Manual: the quirk serves AMD CPUs, hypervisors, and
    // Intel's asymmetric (Alder Lake) CPUs. With a Comet Lake spoof it
    // stays on the Intel side, as an Alder or Raptor Lake config is.
    let body = "<key>Kernel</key><dict><key>Emulate</key><dict><key>Cpuid1Data</key><data>VQYKAAAAAAAAAAAAAAAAAA==</data></dict>\
                <key>Quirks</key><dict><key>ProvideCurrentCpuInfo</key><true/></dict></dict>";
    let m = infer(&config(body), Some("MacPro7,1"), None).expect("a platform");
    let h = hit_at(&m, "ProvideCurrentCpuInfo").expect("the quirk is evidence");
    for slug in [
        "amd-zen",
        "virtual-machine",
        "intel-laptop-alder-lake",
        "intel-desktop-comet-lake",
    ] {
        assert!(h.targets.contains(&slug), "{slug}");
    }
    assert_eq!(slug(&m), "intel-desktop-comet-lake");
}
