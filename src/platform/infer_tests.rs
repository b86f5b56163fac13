//! One test per signal kind and per tie-break, on configs written here.

use super::*;
use crate::memmap::oclog::parse_oclog;
use crate::platform::TieBreak;

/// A config with these top-level dict bodies (`<key>..</key><dict>..</dict>`).
fn config(body: &str) -> Node {
    let text = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\"><dict>{body}</dict></plist>\n"
    );
    crate::plist::load(&text).expect("test config parses").root
}

fn igpu(id_base64: &str) -> String {
    format!(
        "<key>DeviceProperties</key><dict><key>Add</key><dict><key>PciRoot(0x0)/Pci(0x2,0x0)</key><dict><key>AAPL,ig-platform-id</key><data>{id_base64}</data></dict></dict></dict>"
    )
}

fn kexts(names: &[&str]) -> String {
    let entries: String = names
        .iter()
        .map(|n| format!("<dict><key>BundlePath</key><string>{n}.kext</string><key>Enabled</key><true/></dict>"))
        .collect();
    format!("<key>Kernel</key><dict><key>Add</key><array>{entries}</array></dict>")
}

fn slug(m: &PlatformMatch) -> String {
    m.slug()
}

/// Whether `m` lists the platform `want` among its candidates.
fn lists(m: &PlatformMatch, want: &str) -> bool {
    m.candidates.iter().any(|p| p.slug == want)
}

#[test]
fn ig_platform_id_identifies_haswell_desktop_and_ignores_the_model() {
    // 0x0D220003 as little-endian data: 03 00 22 0D.
    let quirk = "<key>Kernel</key><dict><key>Quirks</key><dict><key>AppleCpuPmCfgLock</key><true/></dict></dict>";
    let root = config(&format!("{}{quirk}", igpu("AwAiDQ==")));
    let m = infer(&root, Some("iMac19,1"), None).expect("a platform");
    assert_eq!(slug(&m), "intel-desktop-haswell");
    assert_eq!(m.confidence, Confidence::High);
    assert_eq!(m.ignored_model.as_deref(), Some("iMac19,1"));
    assert_eq!(m.evidence[0].signal, "ig-platform-id 0x0D220003");
    assert_eq!(
        m.evidence[0].path,
        "DeviceProperties/Add/PciRoot(0x0)/Pci(0x2,0x0)/AAPL,ig-platform-id"
    );
    assert_eq!(
        m.reasons(),
        "high: ig-platform-id 0x0D220003, AppleCpuPmCfgLock; SystemProductName iMac19,1 ignored"
    );
    // One identifying signal against a model that points elsewhere: medium.
    let alone = infer(&config(&igpu("AwAiDQ==")), Some("iMac19,1"), None).expect("a platform");
    assert_eq!(alone.confidence, Confidence::Medium);
}

#[test]
fn amd_kernel_patches_beat_an_intel_model() {
    let root = config(
        "<key>Kernel</key><dict><key>Patch</key><array>\
         <dict><key>Base</key><string>_cpuid_set_info</string><key>Comment</key><string>algrey | cores</string><key>Enabled</key><true/></dict>\
         </array></dict>",
    );
    let m = infer(&root, Some("iMac20,1"), None).expect("a platform");
    assert_eq!(slug(&m), "amd-zen", "Zen wins the AMD tie-break");
    assert!(m.confidence >= Confidence::Medium);
    assert!(
        m.evidence
            .iter()
            .any(|h| h.points_to == "amd" && h.path == "Kernel/Patch/0/Base")
    );
}

#[test]
fn disabled_entries_say_nothing() {
    let root = config(
        "<key>Kernel</key><dict><key>Add</key><array><dict><key>BundlePath</key><string>SMCAMDProcessor.kext</string><key>Enabled</key><false/></dict></array></dict>",
    );
    assert!(infer(&root, None, None).is_none());
}

#[test]
fn laptop_kexts_split_a_shared_framebuffer() {
    // 0x3E9B0000 is used by Comet Lake desktops and Coffee Lake laptops alike.
    let body = format!(
        "{}{}",
        igpu("AACbPg=="),
        kexts(&["VoodooPS2Controller", "ECEnabler"])
    );
    let m = infer(&config(&body), None, None).expect("a platform");
    assert!(
        m.candidates
            .iter()
            .all(|p| p.slug.starts_with("intel-laptop-coffee-lake")),
        "{}",
        slug(&m)
    );
    assert_eq!(
        m.candidates.len(),
        2,
        "a candidate list, not a guess: {}",
        slug(&m)
    );
}

/// The iGPU's properties: `AAPL,ig-platform-id` and, when given, a
/// `device-id` (both base64 data).
fn igpu_spoofed(id_base64: &str, device_base64: &str) -> String {
    format!(
        "<key>DeviceProperties</key><dict><key>Add</key><dict><key>PciRoot(0x0)/Pci(0x2,0x0)</key><dict><key>AAPL,ig-platform-id</key><data>{id_base64}</data><key>device-id</key><data>{device_base64}</data></dict></dict></dict>"
    )
}

fn ssdts(names: &[&str]) -> String {
    let entries: String = names
        .iter()
        .map(|n| {
            format!("<dict><key>Path</key><string>{n}.aml</string><key>Enabled</key><true/></dict>")
        })
        .collect();
    format!("<key>ACPI</key><dict><key>Add</key><array>{entries}</array></dict>")
}

#[test]
fn a_kaby_lake_device_id_spoof_keeps_skylake_and_kaby_lake_open() {
    // Kaby Lake laptop framebuffer 0x59160000 with device-id 0x5916 written
    // over the iGPU: how Skylake laptops run macOS versions that dropped
    // them, with a Kaby Lake model for the same reason.
    let root = config(&igpu_spoofed("AAAWWQ==", "FlkAAA=="));
    let m = infer(&root, Some("MacBookPro14,1"), None).expect("a platform");
    assert_eq!(slug(&m), "intel-laptop-skylake,intel-laptop-kaby-lake");
    assert!(m.tie_breaks.is_empty(), "{:?}", m.tie_breaks);
    let spoof = m
        .evidence
        .iter()
        .find(|h| h.signal == "iGPU device-id 0x5916");
    assert_eq!(spoof.map(|h| h.weight), Some(1), "listed as a hint");
}

#[test]
fn a_kaby_lake_framebuffer_without_a_spoof_is_kaby_lake() {
    // Apple's Kaby Lake framebuffer attaches only to Kaby Lake device ids,
    // so without a device-id spoof the iGPU is a Kaby Lake one; the model
    // (a Skylake Mac here) does not overrule the hardware.
    let root = config(&igpu("AAAWWQ=="));
    let m = infer(&root, Some("MacBookPro13,1"), None).expect("a platform");
    assert_eq!(slug(&m), "intel-laptop-kaby-lake");
    assert_eq!(m.tie_breaks, vec![TieBreak::KabyLakeFramebuffer]);
    assert_eq!(m.confidence, Confidence::Medium);
}

#[test]
fn the_model_breaks_a_tie_the_hardware_leaves() {
    // 0x3EA50009 serves Coffee Lake and Coffee Lake Plus laptops alike.
    let body = format!(
        "{}{}",
        igpu("CQClPg=="),
        kexts(&["VoodooPS2Controller", "SMCBatteryManager"])
    );
    let whiskey = infer(&config(&body), Some("MacBookPro15,2"), None).expect("a platform");
    assert_eq!(slug(&whiskey), "intel-laptop-coffee-lake");
    assert_eq!(
        whiskey.tie_breaks,
        vec![TieBreak::Model("MacBookPro15,2".into())]
    );
    assert_eq!(whiskey.confidence, Confidence::Medium);
    assert!(
        whiskey
            .reasons()
            .ends_with("SystemProductName MacBookPro15,2 broke the tie"),
        "{}",
        whiskey.reasons()
    );
    // A model of the same family that neither list names: the family.
    let comet = infer(&config(&body), Some("MacBookPro16,2"), None).expect("a platform");
    assert_eq!(slug(&comet), "intel-laptop-coffee-lake-plus");
    // A model both lists name (Macmini8,1) leaves the tie.
    let nuc = infer(&config(&body), Some("Macmini8,1"), None).expect("a platform");
    assert_eq!(
        slug(&nuc),
        "intel-laptop-coffee-lake,intel-laptop-coffee-lake-plus"
    );
}

#[test]
fn the_model_needs_hardware_that_narrowed_the_list() {
    // Only XCPM hints: Haswell to Comet Lake desktops remain, and an
    // iMac19,1 must not turn a Haswell into a Coffee Lake.
    let body = format!(
        "{}<key>Kernel</key><dict><key>Quirks</key><dict><key>AppleXcpmCfgLock</key><true/></dict></dict>",
        ssdts(&["SSDT-PLUG", "SSDT-EC-USBX-DESKTOP"])
    );
    let m = infer(&config(&body), Some("iMac19,1"), None).expect("a platform");
    assert!(m.candidates.len() > 1, "{}", slug(&m));
    assert!(lists(&m, "intel-desktop-haswell"), "{}", slug(&m));
}

#[test]
fn no_laptop_kexts_means_a_desktop() {
    // A Comet Lake spoof and the Alder Lake CPU table: Alder/Raptor Lake
    // desktops and Alder Lake laptops alike. Nothing marks a laptop.
    let body = format!(
        "{}<key>Kernel</key><dict><key>Emulate</key><dict><key>Cpuid1Data</key><data>VQYKAAAAAAAAAAAAAAAAAA==</data></dict></dict>",
        ssdts(&["SSDT-PLUG-ALT"])
    );
    let desktop = infer(&config(&body), Some("MacPro7,1"), None).expect("a platform");
    assert_eq!(slug(&desktop), "intel-desktop-comet-lake");
    assert_eq!(desktop.tie_breaks, vec![TieBreak::NoLaptopSigns]);
    // A portable model keeps the laptop open.
    let open = infer(&config(&body), Some("MacBookPro16,4"), None).expect("a platform");
    assert!(lists(&open, "intel-laptop-alder-lake"), "{}", slug(&open));
}

#[test]
fn hedt_needs_hedt_signs_and_x299_has_no_x99_patches() {
    // XCPM hints only: mainstream desktops and workstations; the
    // workstation model does not make it HEDT.
    let xcpm = "<key>Kernel</key><dict><key>Quirks</key><dict><key>AppleXcpmCfgLock</key><true/></dict></dict>";
    let plain = format!("{}{xcpm}", ssdts(&["SSDT-PLUG", "SSDT-EC-USBX-DESKTOP"]));
    let m = infer(&config(&plain), Some("iMacPro1,1"), None).expect("a platform");
    assert!(
        m.candidates
            .iter()
            .all(|p| !p.slug.starts_with("intel-hedt-")),
        "{}",
        slug(&m)
    );
    // A TSC sync kext and XCPM without X99 patches or spoof: X299.
    let x299 = format!(
        "{}{}",
        ssdts(&["SSDT-PLUG", "SSDT-EC-USBX-DESKTOP"]),
        "<key>Kernel</key><dict><key>Add</key><array><dict><key>BundlePath</key><string>TSCAdjustReset.kext</string><key>Enabled</key><true/></dict></array>\
         <key>Quirks</key><dict><key>AppleXcpmCfgLock</key><true/></dict></dict>"
    );
    let m = infer(&config(&x299), Some("MacPro7,1"), None).expect("a platform");
    assert_eq!(slug(&m), "intel-hedt-skylake-x");
    assert!(m.tie_breaks.contains(&TieBreak::HedtRequirements));
    // The same with a Haswell-E spoof: X99.
    let x99 = x299.replace(
        "<key>Quirks</key>",
        "<key>Emulate</key><dict><key>Cpuid1Data</key><data>wwYDAAAAAAAAAAAAAAAAAA==</data></dict><key>Quirks</key>",
    );
    let m = infer(&config(&x99), Some("MacPro7,1"), None).expect("a platform");
    assert_eq!(slug(&m), "intel-hedt-haswell-e");
}

#[test]
fn a_comet_lake_spoof_means_a_newer_cpu() {
    let root = config(
        "<key>Kernel</key><dict><key>Emulate</key><dict><key>Cpuid1Data</key><data>VQYKAAAAAAAAAAAAAAAAAA==</data></dict></dict>",
    );
    let desktop = infer(&root, Some("iMac20,2"), None).expect("a platform");
    assert!(lists(&desktop, "intel-desktop-comet-lake"));
    let body = "<key>Kernel</key><dict><key>Emulate</key><dict><key>Cpuid1Data</key><data>VQYKAAAAAAAAAAAAAAAAAA==</data></dict></dict>";
    let laptop = infer(&config(body), Some("MacBookPro16,4"), None).expect("a platform");
    assert!(
        lists(&laptop, "intel-laptop-alder-lake"),
        "{}",
        slug(&laptop)
    );
}

#[test]
fn the_log_cpu_outranks_the_config() {
    let root = config(&igpu("BwCbPg=="));
    let log = parse_oclog(
        "OCCPU: Found Intel(R) Core(TM) i9-10900K CPU @ 3.70GHz\nOCCPU: Signature A0655 Stepping 5 Model A5 Family 6 Type 0 ExtModel A ExtFamily 0\n",
    );
    let m = infer(&root, Some("iMac19,1"), Some(&log)).expect("a platform");
    assert_eq!(slug(&m), "intel-desktop-comet-lake");
    assert_eq!(m.confidence, Confidence::High);
    let amd = parse_oclog(
        "OCCPU: Signature A60F12 Stepping 2 Model 61 Family F Type 0 ExtModel 6 ExtFamily A",
    );
    let m = infer(&root, None, Some(&amd)).expect("a platform");
    assert_eq!(slug(&m), "amd-zen");
}

#[test]
fn smbios_alone_is_low() {
    let m = infer(&config(""), Some("iMac19,1"), None).expect("the model's candidates");
    assert_eq!(m.confidence, Confidence::Low);
    assert_eq!(m.source, PlatformSource::Model("iMac19,1".into()));
    assert!(lists(&m, "intel-desktop-coffee-lake"));
}

#[test]
fn vendor_conflict_is_low() {
    let body = format!(
        "{}<key>ACPI</key><dict><key>Add</key><array><dict><key>Path</key><string>SSDT-CPUR.aml</string><key>Enabled</key><true/></dict></array></dict>",
        igpu("AwAiDQ==")
    );
    let m = infer(&config(&body), None, None).expect("a platform");
    assert_eq!(m.confidence, Confidence::Low);
}

#[test]
fn oclp_nvram_means_apple_firmware_and_q35_means_a_vm() {
    let root = config(
        "<key>NVRAM</key><dict><key>Add</key><dict><key>4D1FDA02-38C7-4A6A-9CC6-4BCCA8B30102</key><dict><key>OCLP-Version</key><string>1.0</string></dict></dict></dict>",
    );
    let m = infer(&root, Some("iMac11,3"), None).expect("a platform");
    assert_eq!(slug(&m), "apple-firmware");
    let vm = config(
        "<key>DeviceProperties</key><dict><key>Add</key><dict><key>PciRoot(0x1)/Pci(0x1F,0x0)</key><dict><key>compatible</key><string>pci8086,2916</string></dict></dict></dict>",
    );
    assert_eq!(
        slug(&infer(&vm, Some("iMacPro1,1"), None).expect("a platform")),
        "virtual-machine"
    );
}

#[test]
fn clover_devices_properties() {
    let root = config(
        "<key>Devices</key><dict><key>Properties</key><dict><key>PciRoot(0x0)/Pci(0x2,0x0)</key><dict><key>AAPL,ig-platform-id</key><data>AwAiDQ==</data></dict></dict></dict>",
    );
    let m = infer(&root, None, None).expect("a platform");
    assert_eq!(slug(&m), "intel-desktop-haswell");
    assert_eq!(
        m.evidence[0].path,
        "Devices/Properties/PciRoot(0x0)/Pci(0x2,0x0)/AAPL,ig-platform-id"
    );
}

#[test]
fn clover_graphics_and_laptop_tables() {
    let root = config(
        "<key>Graphics</key><dict><key>ig-platform-id</key><string>0x0A260006</string></dict>\
         <key>ACPI</key><dict><key>Add</key><array><dict><key>Path</key><string>SSDT-PNLF.aml</string></dict></array></dict>",
    );
    let m = infer(&root, None, None).expect("a platform");
    assert_eq!(slug(&m), "intel-laptop-haswell");
}

#[test]
fn a_lone_hint_falls_back_on_the_model() {
    let root = config(
        "<key>ACPI</key><dict><key>Add</key><array><dict><key>Path</key><string>SSDT-PLUG.aml</string></dict></array></dict>",
    );
    assert!(infer(&root, None, None).is_none());
    let m = infer(&root, Some("iMac19,1"), None).expect("the model's candidates");
    assert_eq!(m.confidence, Confidence::Low);
    assert_eq!(m.evidence.len(), 1, "the hint is still listed");
}

#[path = "signal_tests.rs"]
mod signal_tests;

/// The byte-window search agrees with lower-casing both sides and searching.
#[test]
fn contains_ci_is_an_ascii_case_insensitive_substring_search() {
    let reference = |t: &str, n: &str| t.to_ascii_lowercase().contains(&n.to_ascii_lowercase());
    let texts = [
        "SSDT-EC-USBX",
        "ssdt-awac",
        "Ünïcode-EC",
        "",
        "EC",
        "xEcx",
        "SSDT-PLUG-DRTNIA",
    ];
    let needles = [
        "ec",
        "EC-USBX",
        "awac",
        "",
        "ünï",
        "plug-d",
        "toolongneedle-x",
    ];
    for t in texts {
        for n in needles {
            assert_eq!(contains_ci(t, n), reference(t, n), "{t:?} contains {n:?}");
        }
    }
}
