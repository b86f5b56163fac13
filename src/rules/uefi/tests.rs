//! Each U rule: one config where it fires, one where it does not; the
//! settings, output and reserved-memory rules (drivers: `tests_drivers`).

use crate::audit::{self, AuditOptions};
use crate::model::ConfigKind;
use crate::rules::{Diagnostic, Severity};

/// The U findings for a config of `body` (top-level keys), checked against
/// OpenCore `version`.
pub(super) fn findings_for(body: &str, version: &str) -> Vec<Diagnostic> {
    let text = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n{body}\n</dict>\n</plist>\n"
    );
    let opts = AuditOptions {
        kind: Some(ConfigKind::OpenCore),
        oc_version: Some(version.into()),
        check: crate::rules::CheckOptions {
            select: vec!["U".into()],
            ignore: Vec::new(),
        },
        ..AuditOptions::default()
    };
    audit::audit_bytes("t.plist", text.into_bytes(), &opts).diagnostics
}

/// The U findings of a config whose UEFI dict holds `uefi`, for 1.0.7.
pub(super) fn uefi(uefi: &str) -> Vec<Diagnostic> {
    findings_for(&format!("<key>UEFI</key><dict>{uefi}</dict>"), "1.0.7")
}

/// `(code, path)` of each finding.
pub(super) fn hits(found: &[Diagnostic]) -> Vec<(&'static str, String)> {
    found
        .iter()
        .map(|d| (d.rule.code, d.path.clone()))
        .collect()
}

/// The one finding of `code`, asserting there is exactly one.
pub(super) fn one<'a>(found: &'a [Diagnostic], code: &str) -> &'a Diagnostic {
    let all: Vec<&Diagnostic> = found.iter().filter(|d| d.rule.code == code).collect();
    assert_eq!(all.len(), 1, "{code} once in {:?}", hits(found));
    all[0]
}

/// `<key>k</key>v` pairs.
pub(super) fn keys(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("<key>{k}</key>{v}"))
        .collect()
}

/// A dict of `pairs` under `key`.
pub(super) fn dict(key: &str, pairs: &[(&str, &str)]) -> String {
    format!("<key>{key}</key><dict>{}</dict>", keys(pairs))
}

pub(super) const T: &str = "<true/>";
pub(super) const F: &str = "<false/>";

pub(super) fn int(n: i64) -> String {
    format!("<integer>{n}</integer>")
}

pub(super) fn string(s: &str) -> String {
    format!("<string>{s}</string>")
}

/// Assert `code` fires on `bad` (at `path`) and stays silent on `good`.
pub(super) fn fires_and_not(code: &str, path: &str, bad: &[Diagnostic], good: &[Diagnostic]) {
    let d = one(bad, code);
    assert_eq!(d.path, path, "{code}");
    assert!(
        !good.iter().any(|d| d.rule.code == code),
        "{code} on the good config: {:?}",
        hits(good)
    );
}

#[test]
fn u001_jumpstart_and_scan_policy() {
    let cfg = |policy: i64| {
        findings_for(
            &format!(
                "<key>Misc</key><dict>{}</dict><key>UEFI</key><dict>{}</dict>",
                dict("Security", &[("ScanPolicy", &int(policy))]),
                dict("APFS", &[("EnableJumpstart", T)])
            ),
            "1.0.7",
        )
    };
    // Bit 0 (file systems locked) without bit 8 (APFS).
    let bad = cfg(0x0000_0003 | 0x0020_0000);
    fires_and_not("U001", "UEFI/APFS/EnableJumpstart", &bad, &cfg(0x0010_0F03));
    assert!(one(&bad, "U001").message.contains("0x200003"));
    // No file-system lock: every file system is scanned.
    assert!(cfg(0x0020_0002).is_empty());
}

#[test]
fn u002_apple_event_with_a_case_fix() {
    let bad = uefi(&dict("AppleInput", &[("AppleEvent", &string("builtin"))]));
    let good = uefi(&dict("AppleInput", &[("AppleEvent", &string("Builtin"))]));
    fires_and_not("U002", "UEFI/AppleInput/AppleEvent", &bad, &good);
    let fix = one(&bad, "U002").fix.as_ref().expect("one spelling: a fix");
    assert_eq!(fix.applicability, crate::patch::Applicability::Unsafe);
    assert_eq!(fix.edits[0].text, "Builtin");
    let unknown = uefi(&dict("AppleInput", &[("AppleEvent", &string("Apple"))]));
    assert!(one(&unknown, "U002").fix.is_none(), "no obvious spelling");
    // Absent, OpenCore uses Auto.
    assert!(uefi(&dict("AppleInput", &[])).is_empty());
}

fn delays(initial: i64, subsequent: i64, forget: i64, key_support: &str) -> Vec<Diagnostic> {
    uefi(&format!(
        "{}{}",
        dict(
            "AppleInput",
            &[
                ("CustomDelays", T),
                ("KeyInitialDelay", &int(initial)),
                ("KeySubsequentDelay", &int(subsequent)),
            ]
        ),
        dict(
            "Input",
            &[
                ("KeyForgetThreshold", &int(forget)),
                ("KeySupport", key_support)
            ]
        )
    ))
}

#[test]
fn u003_u004_key_delays_against_forget_threshold() {
    fires_and_not(
        "U003",
        "UEFI/AppleInput/KeyInitialDelay",
        &delays(3, 5, 5, T),
        &delays(0, 5, 5, T),
    );
    fires_and_not(
        "U004",
        "UEFI/AppleInput/KeySubsequentDelay",
        &delays(50, 1, 5, T),
        &delays(50, 5, 5, T),
    );
    // Without KeySupport the delays are not compared.
    assert!(delays(3, 1, 5, F).is_empty());
}

fn audio(pairs: &[(&str, &str)]) -> Vec<Diagnostic> {
    let mut all = vec![("AudioSupport", T)];
    all.extend_from_slice(pairs);
    uefi(&dict("Audio", &all))
}

#[test]
fn u005_audio_out_mask_zero() {
    let zero = int(0);
    let one_bit = int(1);
    fires_and_not(
        "U005",
        "UEFI/Audio/AudioOutMask",
        &audio(&[("AudioOutMask", &zero)]),
        &audio(&[("AudioOutMask", &one_bit)]),
    );
    // Audio support off: nothing plays anyway.
    let off = uefi(&dict("Audio", &[("AudioOutMask", &zero)]));
    assert!(off.is_empty());
}

#[test]
fn u006_u007_u008_gain_order() {
    let gains = |max: i64, assist: i64, audible: i64| {
        let (a, b, c) = (int(max), int(assist), int(audible));
        audio(&[
            ("MaximumGain", &a),
            ("MinimumAssistGain", &b),
            ("MinimumAudibleGain", &c),
        ])
    };
    let good = gains(-15, -30, -55);
    assert!(good.is_empty(), "{:?}", hits(&good));
    fires_and_not(
        "U006",
        "UEFI/Audio/MinimumAssistGain",
        &gains(-15, -10, -55),
        &good,
    );
    fires_and_not(
        "U007",
        "UEFI/Audio/MinimumAudibleGain",
        &gains(-15, -30, -20),
        &good,
    );
    let both = gains(-15, -30, -10);
    fires_and_not("U008", "UEFI/Audio/MinimumAudibleGain", &both, &good);
    assert_eq!(one(&both, "U008").severity, Severity::Info);
    // OpenCore keeps one signed byte: 241 is -15.
    assert!(gains(241, -30, -55).is_empty());
}

#[test]
fn u009_u010_play_chime() {
    let empty = audio(&[("PlayChime", &string(""))]);
    let good = audio(&[("PlayChime", &string("Enabled"))]);
    fires_and_not("U009", "UEFI/Audio/PlayChime", &empty, &good);
    let fix = one(&empty, "U009").fix.as_ref().expect("Auto");
    assert_eq!(fix.edits[0].text, "Auto");
    let bad = audio(&[("PlayChime", &string("Yes"))]);
    fires_and_not("U010", "UEFI/Audio/PlayChime", &bad, &good);
    assert!(!hits(&empty).iter().any(|(c, _)| *c == "U010"));
}

#[test]
fn u027_u028_input_modes() {
    let input = |pairs: &[(&str, &str)]| uefi(&dict("Input", pairs));
    let std = string("Standard");
    let asus = string("ASUS");
    fires_and_not(
        "U027",
        "UEFI/Input/PointerSupportMode",
        &input(&[("PointerSupport", T), ("PointerSupportMode", &std)]),
        &input(&[("PointerSupport", T), ("PointerSupportMode", &asus)]),
    );
    assert!(input(&[("PointerSupport", F), ("PointerSupportMode", &std)]).is_empty());
    let v3 = string("V3");
    let on = input(&[("KeySupport", T), ("KeySupportMode", &v3)]);
    fires_and_not(
        "U028",
        "UEFI/Input/KeySupportMode",
        &on,
        &input(&[("KeySupport", T), ("KeySupportMode", &string("AMI"))]),
    );
    assert_eq!(one(&on, "U028").severity, Severity::Warning);
    let off = input(&[("KeySupport", F), ("KeySupportMode", &v3)]);
    assert_eq!(one(&off, "U028").severity, Severity::Info);
    let ami = input(&[("KeySupport", T), ("KeySupportMode", &string("ami"))]);
    assert_eq!(
        one(&ami, "U028")
            .fix
            .as_ref()
            .map(|f| f.edits[0].text.as_str()),
        Some("AMI")
    );
}

fn output(pairs: &[(&str, &str)]) -> Vec<Diagnostic> {
    uefi(&dict("Output", pairs))
}

#[test]
fn u029_u030_u036_output_enumerations() {
    let good = output(&[
        ("InitialMode", &string("Auto")),
        ("TextRenderer", &string("BuiltinGraphics")),
        ("GopPassThrough", &string("Disabled")),
    ]);
    assert!(good.is_empty(), "{:?}", hits(&good));
    let bad = output(&[("InitialMode", &string("Gfx"))]);
    fires_and_not("U029", "UEFI/Output/InitialMode", &bad, &good);
    assert_eq!(one(&bad, "U029").severity, Severity::Warning);
    let empty = output(&[("InitialMode", &string(""))]);
    assert_eq!(one(&empty, "U029").severity, Severity::Info);
    let bad = output(&[("TextRenderer", &string("Builtin"))]);
    fires_and_not("U030", "UEFI/Output/TextRenderer", &bad, &good);
    let bad = output(&[("GopPassThrough", &string("On"))]);
    fires_and_not("U036", "UEFI/Output/GopPassThrough", &bad, &good);
    // InitialMode exists from 0.9.2 on: an older release named with
    // --oc-version has no such check.
    let old = findings_for(
        &format!(
            "<key>UEFI</key><dict>{}</dict>",
            dict("Output", &[("InitialMode", &string("Gfx"))])
        ),
        "0.9.1",
    );
    assert!(!hits(&old).iter().any(|(c, _)| *c == "U029"));
}

#[test]
fn u031_to_u035_renderer_dependent_options() {
    let system = string("SystemText");
    let builtin = string("BuiltinGraphics");
    let font = string("Font");
    fires_and_not(
        "U031",
        "UEFI/Output/ConsoleFont",
        &output(&[("TextRenderer", &system), ("ConsoleFont", &font)]),
        &output(&[("TextRenderer", &builtin), ("ConsoleFont", &font)]),
    );
    for (code, key) in [
        ("U032", "ClearScreenOnModeSwitch"),
        ("U033", "IgnoreTextInGraphics"),
        ("U034", "ReplaceTabWithSpace"),
        ("U035", "SanitiseClearScreen"),
    ] {
        let bad = output(&[("TextRenderer", &builtin), (key, T)]);
        fires_and_not(
            code,
            &format!("UEFI/Output/{key}"),
            &bad,
            &output(&[("TextRenderer", &system), (key, T)]),
        );
        let fix = one(&bad, code).fix.as_ref().expect("turn it off");
        assert_eq!(fix.edits[0].text, "<false/>");
    }
}

#[test]
fn u037_to_u039_console_mode_and_resolution() {
    let mode = |s: &str| output(&[("ConsoleMode", &string(s))]);
    fires_and_not(
        "U037",
        "UEFI/Output/ConsoleMode",
        &mode("abc"),
        &mode("Max"),
    );
    assert!(mode("").is_empty());
    assert!(
        !hits(&mode("1024x768@32")).is_empty(),
        "no Bpp in a console mode"
    );
    fires_and_not(
        "U038",
        "UEFI/Output/ConsoleMode",
        &mode("40x20"),
        &mode("80x25"),
    );
    let res = |s: &str| output(&[("Resolution", &string(s))]);
    fires_and_not(
        "U039",
        "UEFI/Output/Resolution",
        &res("1920*1080"),
        &res("1920x1080@32"),
    );
    assert!(
        res("max").iter().any(|d| d.rule.code == "U039"),
        "Max is case-sensitive"
    );
}

#[test]
fn mode_strings_read_like_opencore() {
    use super::output::{Mode, parse_mode};
    assert_eq!(parse_mode("Max", true), Mode::Max);
    assert_eq!(parse_mode("1920x1080", true), Mode::Size(1920, 1080, 0));
    assert_eq!(parse_mode("1920x1080@32", true), Mode::Size(1920, 1080, 32));
    // A broken depth keeps the size; in a console mode `@` is not allowed.
    assert_eq!(parse_mode("1920x1080@x", true), Mode::Size(1920, 1080, 0));
    assert_eq!(parse_mode("1920x1080@32", false), Mode::Size(0, 0, 0));
    assert_eq!(parse_mode("x1080", true), Mode::Size(0, 0, 0));
    assert_eq!(parse_mode("99999999999x10", true), Mode::Size(0, 0, 0));
    assert_eq!(parse_mode("1920x", true), Mode::Size(0, 0, 0));
}

#[test]
fn u040_u042_one_byte_ranges() {
    let scale = |n: i64| output(&[("UIScale", &int(n))]);
    fires_and_not("U040", "UEFI/Output/UIScale", &scale(3), &scale(-1));
    // 257 wraps to 1, which OpenCore uses although the config says 257.
    assert!(one(&scale(257), "U040").message.contains("uses 1"));
    let bars = |n: i64| uefi(&dict("Quirks", &[("ResizeGpuBars", &int(n))]));
    fires_and_not("U042", "UEFI/Quirks/ResizeGpuBars", &bars(20), &bars(19));
    assert!(bars(-2).iter().any(|d| d.rule.code == "U042"));
}

#[test]
fn u041_ui_scale_in_nvram_and_output() {
    let cfg = |nvram: &str, scale: i64| {
        findings_for(
            &format!(
                "<key>NVRAM</key><dict><key>Add</key><dict><key>4D1EDE05-38C7-4A6A-9CC6-4BCCA8B38C14</key><dict><key>UIScale</key>{nvram}</dict></dict></dict><key>UEFI</key><dict>{}</dict>",
                dict("Output", &[("UIScale", &int(scale))])
            ),
            "1.0.7",
        )
    };
    let twice = cfg("<data>Ag==</data>", 1);
    fires_and_not(
        "U041",
        "UEFI/Output/UIScale",
        &twice,
        &cfg("<data>Ag==</data>", -1),
    );
    assert_eq!(one(&twice, "U041").severity, Severity::Warning);
    assert_eq!(
        one(&cfg("<data>AQ==</data>", 1), "U041").severity,
        Severity::Info
    );
    // An NVRAM value OpenCore's validator rejects (two bytes) does not count.
    assert!(cfg("<data>AQE=</data>", 1).is_empty());
}

fn reserved(entries: &[&[(&str, &str)]]) -> Vec<Diagnostic> {
    let items: String = entries
        .iter()
        .map(|e| format!("<dict>{}</dict>", keys(e)))
        .collect();
    uefi(&format!("<key>ReservedMemory</key><array>{items}</array>"))
}

#[test]
fn u043_to_u046_reserved_memory_entries() {
    let page = int(4096);
    let base = int(0x1000_0000);
    let good: &[(&str, &str)] = &[
        ("Address", &base),
        ("Enabled", T),
        ("Size", &page),
        ("Type", "<string>RuntimeCode</string>"),
    ];
    assert!(reserved(&[good]).is_empty());
    let with = |key: &'static str, value: &str| -> Vec<Diagnostic> {
        let mut e: Vec<(&str, &str)> = good.iter().filter(|(k, _)| *k != key).copied().collect();
        e.push((key, value));
        reserved(&[&e])
    };
    let bad = with("Type", "<string>runtimecode</string>");
    fires_and_not(
        "U043",
        "UEFI/ReservedMemory/0/Type",
        &bad,
        &reserved(&[good]),
    );
    assert_eq!(
        one(&bad, "U043")
            .fix
            .as_ref()
            .map(|f| f.edits[0].text.as_str()),
        Some("RuntimeCode")
    );
    let odd = int(0x1000_0001);
    fires_and_not(
        "U044",
        "UEFI/ReservedMemory/0/Address",
        &with("Address", &odd),
        &reserved(&[good]),
    );
    fires_and_not(
        "U045",
        "UEFI/ReservedMemory/0/Size",
        &with("Size", &int(0)),
        &reserved(&[good]),
    );
    let size = int(4097);
    let bad = with("Size", &size);
    fires_and_not(
        "U046",
        "UEFI/ReservedMemory/0/Size",
        &bad,
        &reserved(&[good]),
    );
    assert!(!hits(&bad).iter().any(|(c, _)| *c == "U045"));
    // A disabled entry is reported for information only.
    let off = with("Enabled", F);
    assert!(off.is_empty());
    let mut e: Vec<(&str, &str)> = good
        .iter()
        .filter(|(k, _)| *k != "Enabled" && *k != "Size")
        .copied()
        .collect();
    e.push(("Enabled", F));
    e.push(("Size", &size));
    assert_eq!(one(&reserved(&[&e]), "U046").severity, Severity::Info);
}

#[test]
fn u047_overlapping_regions_sorted_by_address() {
    let region = |address: i64, size: i64, enabled: &'static str| -> Vec<(String, String)> {
        vec![
            ("Address".into(), int(address)),
            ("Enabled".into(), enabled.into()),
            ("Size".into(), int(size)),
        ]
    };
    let run = |regions: &[Vec<(String, String)>]| {
        let owned: Vec<Vec<(&str, &str)>> = regions
            .iter()
            .map(|r| r.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect())
            .collect();
        let refs: Vec<&[(&str, &str)]> = owned.iter().map(Vec::as_slice).collect();
        reserved(&refs)
    };
    // The third region lies inside the first, listed after a later one.
    let bad = run(&[
        region(0x1000_0000, 0x10_0000, T),
        region(0x2000_0000, 0x1000, T),
        region(0x1000_8000, 0x1000, T),
    ]);
    fires_and_not(
        "U047",
        "UEFI/ReservedMemory/2",
        &bad,
        &run(&[
            region(0x1000_0000, 0x1000, T),
            region(0x1000_1000, 0x1000, T),
        ]),
    );
    // Disabled regions are never reserved, so they overlap nothing.
    assert!(
        run(&[
            region(0x1000_0000, 0x2000, T),
            region(0x1000_1000, 0x1000, F)
        ])
        .is_empty()
    );
}
