//! Property test: for generated small configs and generated fix selections,
//! the fixed text equals the input outside the edited elements, re-parses
//! (with ocaudit's loader and the `plist` crate), holds the intended values,
//! and a second run changes nothing.

use ocaudit::audit::AuditOptions;
use ocaudit::fixer::{self, FixOptions, MmioRequest, SlideRequest};
use ocaudit::rules::CheckOptions;
use proptest::prelude::*;

const GUID: &str = "7C436110-AB2A-4BBB-A880-FE41995C9F82";
const QUIRKS: &[&str] = &[
    "AllowRelocationBlock",
    "AvoidRuntimeDefrag",
    "DevirtualiseMmio",
    "EnableSafeModeSlide",
    "EnableWriteUnprotector",
    "ProtectUefiServices",
    "ProvideCustomSlide",
    "RebuildAppleMemoryMap",
    "SyncRuntimePermissions",
];
const CODES: &[&str] = &[
    "B001", "B002", "B003", "B005", "B007", "B008", "B009", "B011", "B012", "S001", "S002", "S003",
    "S004", "S005", "S006", "W001", "X003", "X004", "X005",
];

/// One generated config's ingredients.
#[derive(Debug, Clone)]
struct Gen {
    quirks: Vec<(usize, u8)>,
    boot_args: Option<Vec<String>>,
    delete: bool,
    whitelist: Vec<(u64, bool, bool)>,
    driver: Option<bool>,
    tabs: bool,
    crlf: bool,
    trailing_newline: bool,
}

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("-v".to_owned()),
        Just("keepsyms=1".to_owned()),
        Just("alcid=1".to_owned()),
        Just("-x".to_owned()),
        (0u16..600).prop_map(|n| format!("slide={n}")),
        Just("slide=0x10".to_owned()),
    ]
}

fn config() -> impl Strategy<Value = Gen> {
    (
        prop::collection::vec((0..QUIRKS.len(), 0u8..4), 0..8),
        prop::option::of(prop::collection::vec(token(), 0..6)),
        any::<bool>(),
        prop::collection::vec(
            (0xFD00_0000u64..0xFF00_0000, any::<bool>(), any::<bool>()),
            0..3,
        ),
        prop::option::of(any::<bool>()),
        (any::<bool>(), any::<bool>(), any::<bool>()),
    )
        .prop_map(
            |(quirks, boot_args, delete, whitelist, driver, (tabs, crlf, nl))| Gen {
                quirks,
                boot_args,
                delete,
                whitelist,
                driver,
                tabs,
                crlf,
                trailing_newline: nl,
            },
        )
}

/// Render with indentation `i`: values 0/1 are booleans, 2 is `<string>yes`,
/// 3 a second copy (a duplicate key).
fn render(g: &Gen) -> String {
    let mut s = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n",
    );
    s.push_str("\t<key>Booter</key>\n\t<dict>\n");
    if !g.whitelist.is_empty() {
        s.push_str("\t\t<key>MmioWhitelist</key>\n\t\t<array>\n");
        for (addr, hex, enabled) in &g.whitelist {
            let a = if *hex {
                format!("0x{addr:X}")
            } else {
                addr.to_string()
            };
            s.push_str(&format!("\t\t\t<dict>\n\t\t\t\t<key>Address</key>\n\t\t\t\t<integer>{a}</integer>\n\t\t\t\t<key>Comment</key>\n\t\t\t\t<string>x &amp; y</string>\n\t\t\t\t<key>Enabled</key>\n\t\t\t\t<{enabled}/>\n\t\t\t</dict>\n"));
        }
        s.push_str("\t\t</array>\n");
    }
    s.push_str("\t\t<key>Quirks</key>\n\t\t<dict>\n");
    let mut keys: Vec<(usize, u8)> = g.quirks.clone();
    keys.sort_by_key(|k| k.0);
    let mut last = None;
    for (k, v) in keys {
        if last == Some(k) && v != 3 {
            continue;
        }
        last = Some(k);
        let value = match v {
            0 => "<false/>".to_owned(),
            2 => "<string>yes</string>".to_owned(),
            _ => "<true/>".to_owned(),
        };
        s.push_str(&format!("\t\t\t<key>{}</key>\n\t\t\t{value}\n", QUIRKS[k]));
    }
    s.push_str("\t\t</dict>\n\t</dict>\n");
    s.push_str("\t<key>NVRAM</key>\n\t<dict>\n");
    if let Some(args) = &g.boot_args {
        s.push_str(&format!(
            "\t\t<key>Add</key>\n\t\t<dict>\n\t\t\t<key>{GUID}</key>\n\t\t\t<dict>\n\t\t\t\t<key>boot-args</key>\n\t\t\t\t<string>{}</string>\n\t\t\t</dict>\n\t\t</dict>\n",
            args.join(" ")
        ));
    }
    if g.delete {
        s.push_str("\t\t<key>Delete</key>\n\t\t<dict/>\n");
    }
    s.push_str("\t</dict>\n");
    if let Some(enabled) = g.driver {
        s.push_str(&format!("\t<key>UEFI</key>\n\t<dict>\n\t\t<key>Drivers</key>\n\t\t<array>\n\t\t\t<dict>\n\t\t\t\t<key>Enabled</key>\n\t\t\t\t<{enabled}/>\n\t\t\t\t<key>Path</key>\n\t\t\t\t<string>OpenRuntime.efi</string>\n\t\t\t</dict>\n\t\t</array>\n\t</dict>\n"));
    }
    s.push_str("</dict>\n</plist>");
    if g.trailing_newline {
        s.push('\n');
    }
    if !g.tabs {
        s = s.replace('\t', "  ");
    }
    if g.crlf {
        s = s.replace('\n', "\r\n");
    }
    s
}

fn selection() -> impl Strategy<Value = (Vec<String>, bool, Option<SlideRequest>, Option<Vec<u64>>)>
{
    (
        prop::sample::subsequence(CODES, 0..CODES.len()),
        any::<bool>(),
        prop::option::of(prop_oneof![
            Just(SlideRequest::Remove),
            any::<u8>().prop_map(SlideRequest::Set)
        ]),
        prop::option::of(prop::collection::vec(0xFD00_0000u64..0xFD00_0004, 1..3)),
    )
        .prop_map(|(codes, unsafe_fixes, slide, mmio)| {
            (
                codes.into_iter().map(str::to_owned).collect(),
                unsafe_fixes,
                slide,
                mmio,
            )
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn fixes_touch_only_edited_elements(g in config(), sel in selection()) {
        let (select, unsafe_fixes, slide, mmio) = sel;
        let text = render(&g);
        let opts = FixOptions {
            audit: AuditOptions {
                check: CheckOptions { select, ignore: Vec::new() },
                ..Default::default()
            },
            unsafe_fixes,
            slide,
            mmio: mmio.map(MmioRequest::Addresses),
            oc_dir: None,
            upgrade_to: None,
        };
        let out = match fixer::fix("config.plist", text.clone().into_bytes(), &opts) {
            Ok(o) => o,
            Err(fixer::FixError::Refused(_)) => return Ok(()),
            Err(e) => return Err(TestCaseError::fail(format!("{e}"))),
        };
        // Re-parses with both parsers and holds the intended values.
        out.verify(&out.new_bytes()).map_err(TestCaseError::fail)?;
        // Identical outside the edited elements.
        out.outside_unchanged().map_err(TestCaseError::fail)?;
        // Line endings never mix.
        if g.crlf {
            prop_assert_eq!(out.text.matches('\n').count(), out.text.matches("\r\n").count());
        } else {
            prop_assert!(!out.text.contains('\r'));
        }
        // Each quirk fix left the value it announced.
        let doc = ocaudit::plist::load(&out.text).map_err(|e| TestCaseError::fail(e.to_string()))?;
        for f in &out.fixes {
            if let Some(rest) = f.summary.strip_prefix("set ")
                && let Some((key, value)) = rest.split_once(" to ")
            {
                // A summary may end with the condition the fix assumes:
                // `set DevirtualiseMmio to true (if ...)`.
                let value = value.split_whitespace().next().unwrap_or_default();
                let node = doc.root.pointer(&format!("Booter/Quirks/{key}"));
                prop_assert_eq!(node.and_then(|n| n.as_bool()), Some(value == "true"), "{}", f.summary);
            }
        }
        if let Some(SlideRequest::Set(n)) = slide {
            let args = doc.root.pointer(&format!("NVRAM/Add/{GUID}/boot-args")).and_then(|n| n.as_str()).unwrap_or("");
            let slides: Vec<&str> = args.split_whitespace().filter(|t| t.starts_with("slide=")).collect();
            prop_assert_eq!(slides, vec![format!("slide={n}")]);
        }
        // Idempotent.
        let again = fixer::fix("config.plist", out.text.clone().into_bytes(), &opts)
            .map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert!(!again.changed(), "second run changed:\n{}", again.text);
    }
}
