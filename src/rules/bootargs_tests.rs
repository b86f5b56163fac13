//! S0xx on the value OpenCore reads, and linear in the number of tokens.

use crate::audit::{self, AuditOptions};
use crate::fixer::{self, FixOptions};
use crate::rules::{CheckOptions, Context, Diagnostic};

const GUID: &str = "7C436110-AB2A-4BBB-A880-FE41995C9F82";

/// An OpenCore config whose boot-args content is written as `raw` (XML),
/// with boot-args listed under NVRAM/Delete and ProvideCustomSlide on;
/// `misc` is raw XML for the Misc dict's content.
fn config(raw: &str, misc: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n\t<key>Booter</key>\n\t<dict>\n\t\t<key>Quirks</key>\n\t\t<dict>\n\t\t\t<key>ProvideCustomSlide</key>\n\t\t\t<true/>\n\t\t</dict>\n\t</dict>\n\t<key>Misc</key>\n\t<dict>\n{misc}\t</dict>\n\t<key>NVRAM</key>\n\t<dict>\n\t\t<key>Add</key>\n\t\t<dict>\n\t\t\t<key>{GUID}</key>\n\t\t\t<dict>\n\t\t\t\t<key>boot-args</key>\n\t\t\t\t<string>{raw}</string>\n\t\t\t</dict>\n\t\t</dict>\n\t\t<key>Delete</key>\n\t\t<dict>\n\t\t\t<key>{GUID}</key>\n\t\t\t<array>\n\t\t\t\t<string>boot-args</string>\n\t\t\t</array>\n\t\t</dict>\n\t</dict>\n</dict>\n</plist>\n"
    )
}

/// A Misc/Tools entry whose Arguments content is written as `raw`.
fn tool(raw: &str) -> String {
    format!(
        "\t\t<key>Tools</key>\n\t\t<array>\n\t\t\t<dict>\n\t\t\t\t<key>Arguments</key>\n\t\t\t\t<string>{raw}</string>\n\t\t\t</dict>\n\t\t</array>\n"
    )
}

fn only_s() -> AuditOptions {
    let mut o = AuditOptions::default();
    o.check.select = vec!["S".into()];
    o
}

/// The S findings of `text`, as `(code, text at the finding's span)`.
fn findings(text: &str) -> Vec<(&'static str, String)> {
    let r = audit::audit_bytes("t.plist", text.as_bytes().to_vec(), &only_s());
    r.diagnostics
        .iter()
        .map(|d| (d.rule.code, text[d.span.clone()].to_owned()))
        .collect()
}

/// `text` after `fix` with the safe S fixes, and the boot-args OpenCore reads then.
fn fixed(text: &str) -> (String, String) {
    let opts = FixOptions {
        audit: only_s(),
        ..Default::default()
    };
    let out = fixer::fix("t.plist", text.as_bytes().to_vec(), &opts).expect("fixes");
    let l = audit::load("t.plist", out.text.clone().into_bytes()).expect("loads");
    let args = l.config.boot_args.expect("boot-args").value;
    (out.text, args)
}

#[test]
fn a_reference_separating_tokens_keeps_the_next_token() {
    let text = config("-v keepsyms=1 slide=562&#32;alcid=1", "");
    assert_eq!(
        findings(&text),
        [("S001", "slide=562".into()), ("S002", "slide=562".into())]
    );
    let (out, args) = fixed(&text);
    assert_eq!(args, "-v keepsyms=1 alcid=1");
    assert!(
        out.contains("<string>-v keepsyms=1 alcid=1</string>"),
        "{out}"
    );
    assert_eq!(findings(&out), []);
}

#[test]
fn a_comment_inside_slide_is_dropped_and_the_recheck_agrees() {
    let text = config("-v slide=<!-- x -->7", "");
    assert_eq!(findings(&text), [("S001", "slide=<!-- x -->7".into())]);
    let (out, args) = fixed(&text);
    assert_eq!(args, "-v");
    assert!(out.contains("<string>-v</string>"), "{out}");
    assert_eq!(findings(&out), []);
}

#[test]
fn slide_behind_a_reference_or_in_cdata_is_found() {
    let text = config("-v&#32;slide=300", "");
    assert_eq!(
        findings(&text),
        [("S001", "slide=300".into()), ("S002", "slide=300".into())]
    );
    assert_eq!(fixed(&text).1, "-v");
    let text = config("<![CDATA[-v slide=300 a&b]]>", "");
    assert_eq!(
        findings(&text),
        [("S001", "slide=300".into()), ("S002", "slide=300".into())]
    );
    let (out, args) = fixed(&text);
    assert_eq!(args, "-v a&b");
    assert!(out.contains("<string>-v a&amp;b</string>"), "{out}");
}

#[test]
fn entry_arguments_are_read_decoded_and_fixed_in_one_edit() {
    let text = config("-v", &tool("-a&#32;slide=3 slide=4&#9;-b"));
    assert_eq!(
        findings(&text),
        [("S006", "slide=3".into()), ("S006", "slide=4".into())]
    );
    let opts = FixOptions {
        audit: only_s(),
        ..Default::default()
    };
    let out = fixer::fix("t.plist", text.into_bytes(), &opts).expect("fixes");
    let l = audit::load("t.plist", out.text.into_bytes()).expect("loads");
    assert_eq!(l.config.entry_args[0].value, "-a\t-b");
    assert_eq!(out.fixes.len(), 1, "one fix removes both");
}

/// The S rules run directly on `text`, every finding kept.
fn run_rules(text: &str) -> Vec<Diagnostic> {
    let l = audit::load("t.plist", text.as_bytes().to_vec()).expect("loads");
    let options = CheckOptions::default();
    let mut cx = Context::new(&l.source, &l.doc, &l.config, &options);
    for check in [
        super::s001,
        super::s002,
        super::s003,
        super::s004,
        super::s005,
        super::s006,
        super::s007,
        super::s008,
    ] {
        check(&mut cx);
    }
    std::mem::take(&mut cx.diags)
}

/// 100,000 `slide=` tokens: a quadratic rule or fix would make this test take
/// minutes (it took over ten before the rules were made linear).
#[test]
fn a_hundred_thousand_tokens_are_checked_and_fixed_in_one_pass() {
    const N: usize = 100_000;
    let mut raw = String::from("-v");
    for i in 0..N {
        raw.push_str(if i % 2 == 0 {
            " slide=1"
        } else {
            "&#32;slide=1"
        });
    }
    raw.push_str(" alcid=1");
    let text = config(&raw, &tool(&raw));
    let d = run_rules(&text);
    let count = |code: &str| d.iter().filter(|x| x.rule.code == code).count();
    assert_eq!((count("S001"), count("S004"), count("S006")), (N, 1, N));
    // One fix for boot-args (S004) and one for the entry (its first S006).
    let fixes: Vec<_> = d.iter().filter_map(|x| x.fix.as_ref()).collect();
    assert_eq!(fixes.len(), 2);
    let out = crate::patch::apply(&text, &fixes).text;
    let l = audit::load("t.plist", out.into_bytes()).expect("loads");
    assert_eq!(l.config.boot_args.expect("boot-args").value, "-v alcid=1");
    assert_eq!(l.config.entry_args[0].value, "-v alcid=1");
}
