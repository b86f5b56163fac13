//! UEFI/APFS, UEFI/AppleInput, UEFI/Audio and UEFI/Input: UEFI-01 to
//! UEFI-08, UEFI-10, UEFI-11, UEFI-30 and UEFI-31.

use super::super::view::Item;
use super::super::{Context, Severity};
use super::{check_enum, enum_fix, int_or, section, str_or};
use crate::patch::{self, Fix};

rule! {
    code: U001,
    name: "jumpstart-without-apfs-scanning",
    severity: Error,
    fix: None,
    summary: "APFS/EnableJumpstart is on but Misc/Security/ScanPolicy locks file systems without allowing APFS.",
    why: "OpenCore then refuses to load the APFS driver from any container: macOS volumes stay invisible.",
}
rule! {
    code: U002,
    name: "apple-event-unknown",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "AppleInput/AppleEvent is not Auto, Builtin or OEM.",
    why: "OpenCore falls back to Auto, which may not be the AppleEvent implementation the config meant.",
}
rule! {
    code: U003,
    name: "key-initial-delay-below-forget-threshold",
    severity: Warning,
    fix: None,
    summary: "With KeySupport and CustomDelays, KeyInitialDelay is non-zero and below Input/KeyForgetThreshold.",
    why: "Held keys then repeat before OpenCore has decided they are held: uncontrolled key repeats in the picker.",
}
rule! {
    code: U004,
    name: "key-subsequent-delay-below-forget-threshold",
    severity: Warning,
    fix: None,
    summary: "With KeySupport and CustomDelays, KeySubsequentDelay is below Input/KeyForgetThreshold.",
    why: "Repeats then arrive faster than OpenCore forgets a key press: uncontrolled key repeats in the picker.",
}
rule! {
    code: U005,
    name: "audio-out-mask-zero",
    severity: Warning,
    fix: None,
    summary: "Audio/AudioOutMask is 0 while AudioSupport is on.",
    why: "The mask selects the outputs sound is played on; with none selected no sound plays at all.",
}
rule! {
    code: U006,
    name: "assist-gain-above-maximum",
    severity: Info,
    fix: None,
    summary: "Audio/MinimumAssistGain is above Audio/MaximumGain.",
    why: "Assist speech would be asked for louder than the ceiling meant to keep sound at a safe level.",
}
rule! {
    code: U007,
    name: "audible-gain-above-assist",
    severity: Info,
    fix: None,
    summary: "Audio/MinimumAudibleGain is above Audio/MinimumAssistGain.",
    why: "The gain below which OpenCore stays silent is then louder than the quietest assist gain.",
}
rule! {
    code: U008,
    name: "audible-gain-above-maximum",
    severity: Info,
    fix: None,
    summary: "Audio/MinimumAudibleGain is above Audio/MaximumGain.",
    why: "The gain below which OpenCore stays silent is then louder than the ceiling of every sound.",
}
rule! {
    code: U009,
    name: "play-chime-empty",
    severity: Info,
    fix: Always(Safe),
    summary: "Audio/PlayChime is empty while AudioSupport is on.",
    why: "OpenCore reads an empty PlayChime as Auto; writing Auto says the same thing plainly.",
}
rule! {
    code: U010,
    name: "play-chime-unknown",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "Audio/PlayChime is not Auto, Enabled or Disabled while AudioSupport is on.",
    why: "OpenCore treats any other value as Disabled: the boot chime never plays.",
}
rule! {
    code: U027,
    name: "pointer-support-mode-not-asus",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "Input/PointerSupport is on but PointerSupportMode is not ASUS.",
    why: "ASUS is the only pointer protocol OpenCore implements; with another mode pointer support is not installed.",
}
rule! {
    code: U028,
    name: "key-support-mode-unknown",
    severity: Warning,
    fix: Sometimes(Unsafe),
    summary: "Input/KeySupportMode is not Auto, V1, V2 or AMI.",
    why: "With an unknown mode OpenCore installs no keyboard support at all when KeySupport is on.",
}

const APPLE_EVENTS: &[&str] = &["Auto", "Builtin", "OEM"];
const CHIMES: &[&str] = &["Auto", "Enabled", "Disabled"];
const KEY_MODES: &[&str] = &["Auto", "V1", "V2", "AMI"];

/// ScanPolicy bit 0: only the file systems allowed by the policy are scanned.
const FILE_SYSTEM_LOCK: u32 = 1;
/// ScanPolicy bit 8: APFS is allowed.
const ALLOW_APFS: u32 = 1 << 8;

/// U001 (UEFI-01).
pub fn u001(cx: &mut Context) {
    let Some(apfs) = section(cx, "APFS", "0.5.0") else {
        return;
    };
    if !apfs.bool_of("EnableJumpstart") {
        return;
    }
    // Absent, OpenCore's default policy allows APFS.
    let Some(policy) = Item::at(cx, "Misc/Security/ScanPolicy") else {
        return;
    };
    let Some(value) = policy.int() else { return };
    let bits = value as u32;
    if bits & FILE_SYSTEM_LOCK == 0 || bits & ALLOW_APFS != 0 {
        return;
    }
    let d = cx.report(
        &U001,
        &apfs.located_of("EnableJumpstart"),
        format!(
            "APFS/EnableJumpstart is on, but Misc/Security/ScanPolicy {bits} (0x{bits:X}) limits scanning to the listed file systems and APFS (0x100) is not one of them: OpenCore loads no APFS driver"
        ),
    );
    d.help = Some(
        "add 0x100 (256) to ScanPolicy to let OpenCore scan APFS, or turn EnableJumpstart off if APFS is meant to stay hidden"
            .into(),
    );
}

/// U002 (UEFI-02).
pub fn u002(cx: &mut Context) {
    let Some(input) = section(cx, "AppleInput", "0.6.8") else {
        return;
    };
    check_enum(
        cx,
        &U002,
        &input,
        "AppleEvent",
        APPLE_EVENTS,
        "it uses `Auto`",
    );
}

/// KeySupport and CustomDelays are on: AppleInput and KeyForgetThreshold.
fn custom_delays<'a>(cx: &Context<'a>) -> Option<(Item<'a>, u16)> {
    let apple = section(cx, "AppleInput", "0.6.8")?;
    let input = section(cx, "Input", "0.6.8")?;
    if !(input.bool_of("KeySupport") && apple.bool_of("CustomDelays")) {
        return None;
    }
    Some((apple, int_or(&input, "KeyForgetThreshold", 0) as u8 as u16))
}

/// U003 (UEFI-03): 0 means no repeat at all and is fine.
pub fn u003(cx: &mut Context) {
    delay_below_threshold(cx, &U003, "KeyInitialDelay", 50, "0 or ");
}

/// U004 (UEFI-04).
pub fn u004(cx: &mut Context) {
    delay_below_threshold(cx, &U004, "KeySubsequentDelay", 5, "");
}

/// Report AppleInput delay `key` (absent: `default`) below the forget
/// threshold; `zero_ok` is the help's prefix when 0 is allowed (`0 or `).
fn delay_below_threshold(
    cx: &mut Context,
    rule: &'static super::super::RuleMeta,
    key: &str,
    default: i64,
    zero_ok: &str,
) {
    let Some((apple, forget)) = custom_delays(cx) else {
        return;
    };
    let delay = int_or(&apple, key, default) as u16;
    if delay >= forget || (delay == 0 && !zero_ok.is_empty()) {
        return;
    }
    let d = cx.report(
        rule,
        &apple.located_of(key),
        format!(
            "{key} {delay} is below Input/KeyForgetThreshold {forget}: held keys repeat without control"
        ),
    );
    d.help = Some(format!(
        "set {key} to {zero_ok}at least {forget} (both are in 10 ms units)"
    ));
}

/// UEFI/Audio when AudioSupport is on, for checks that exist from `since`.
fn audio<'a>(cx: &Context<'a>, since: &str) -> Option<Item<'a>> {
    let audio = section(cx, "Audio", since)?;
    audio.bool_of("AudioSupport").then_some(audio)
}

/// U005 (UEFI-05).
pub fn u005(cx: &mut Context) {
    let Some(audio) = audio(cx, "0.7.7") else {
        return;
    };
    // Absent, OpenCore plays on every output.
    if int_or(&audio, "AudioOutMask", -1) as u64 != 0 {
        return;
    }
    let d = cx.report(
        &U005,
        &audio.located_of("AudioOutMask"),
        "Audio/AudioOutMask is 0 while AudioSupport is on: no output is selected, so no sound plays",
    );
    d.help = Some("set bit N for each output N to play on (-1 plays on all of them)".into());
}

/// The gains OpenCore uses (each field is one signed byte).
fn gains(audio: &Item) -> [i8; 3] {
    [
        int_or(audio, "MaximumGain", -15) as i8,
        int_or(audio, "MinimumAssistGain", -30) as i8,
        int_or(audio, "MinimumAudibleGain", -128) as i8,
    ]
}

const GAIN_KEYS: [&str; 3] = ["MaximumGain", "MinimumAssistGain", "MinimumAudibleGain"];

/// Report gain `low` above gain `high` (indexes into [`GAIN_KEYS`]).
fn gain_order(cx: &mut Context, rule: &'static super::super::RuleMeta, low: usize, high: usize) {
    let Some(audio) = audio(cx, "0.7.7") else {
        return;
    };
    let g = gains(&audio);
    if g[low] <= g[high] {
        return;
    }
    let d = cx.report(
        rule,
        &audio.located_of(GAIN_KEYS[low]),
        format!(
            "Audio/{} {} dB is above Audio/{} {} dB",
            GAIN_KEYS[low], g[low], GAIN_KEYS[high], g[high]
        ),
    );
    d.help = Some(format!(
        "keep MinimumAudibleGain <= MinimumAssistGain <= MaximumGain; lower {} or raise {}",
        GAIN_KEYS[low], GAIN_KEYS[high]
    ));
}

/// U006 (UEFI-06).
pub fn u006(cx: &mut Context) {
    gain_order(cx, &U006, 1, 0);
}

/// U007 (UEFI-07).
pub fn u007(cx: &mut Context) {
    gain_order(cx, &U007, 2, 1);
}

/// U008 (UEFI-08).
pub fn u008(cx: &mut Context) {
    gain_order(cx, &U008, 2, 0);
}

/// U009 (UEFI-10).
pub fn u009(cx: &mut Context) {
    let Some(audio) = audio(cx, "0.6.6") else {
        return;
    };
    let Some(chime) = audio.get("PlayChime") else {
        return;
    };
    if chime.str() != Some("") {
        return;
    }
    let fix = Fix::safe(
        "write `Auto`, which is how OpenCore reads the empty value",
        vec![patch::set_string(cx.text(), chime.node, "Auto")],
    );
    let d = cx.report(
        &U009,
        &chime.located(),
        "Audio/PlayChime is empty while AudioSupport is on; OpenCore reads it as `Auto`",
    );
    d.fix = Some(fix);
}

/// U010 (UEFI-11).
pub fn u010(cx: &mut Context) {
    let Some(audio) = audio(cx, "0.6.6") else {
        return;
    };
    let chime = str_or(&audio, "PlayChime", "Auto");
    if chime.is_empty() {
        return;
    }
    check_enum(
        cx,
        &U010,
        &audio,
        "PlayChime",
        CHIMES,
        "it plays no chime, as with `Disabled`",
    );
}

/// U027 (UEFI-30).
pub fn u027(cx: &mut Context) {
    let Some(input) = section(cx, "Input", "0.6.5") else {
        return;
    };
    if !input.bool_of("PointerSupport") {
        return;
    }
    let mode = str_or(&input, "PointerSupportMode", "");
    if mode == "ASUS" {
        return;
    }
    let fix = input
        .get("PointerSupportMode")
        .and_then(|v| enum_fix(cx, &v, &["ASUS"]));
    let d = cx.report(
        &U027,
        &input.located_of("PointerSupportMode"),
        format!(
            "Input/PointerSupport is on but PointerSupportMode is `{mode}`: OpenCore only implements `ASUS` and installs no pointer support"
        ),
    );
    d.fix = fix;
    if d.fix.is_none() {
        d.help = Some(
            "set PointerSupportMode to ASUS on ASUS boards, or turn PointerSupport off".into(),
        );
    }
}

/// U028 (UEFI-31).
pub fn u028(cx: &mut Context) {
    let Some(input) = section(cx, "Input", "0.6.5") else {
        return;
    };
    let on = input.bool_of("KeySupport");
    let before = cx.diags.len();
    let then = if on {
        "KeySupport installs no keyboard support at all"
    } else {
        "harmless while KeySupport is off, but turning it on would install no keyboard support"
    };
    check_enum(cx, &U028, &input, "KeySupportMode", KEY_MODES, then);
    if !on && let Some(d) = cx.diags.get_mut(before) {
        d.severity = Severity::Info;
    }
}
