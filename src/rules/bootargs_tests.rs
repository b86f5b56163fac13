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

/// `text` after `fix` with the S fixes (the unsafe ones too when asked),
/// and the boot-args element's content then (what OpenCore reads).
fn fixed(text: &str, unsafe_fixes: bool) -> (String, String) {
    let opts = FixOptions {
        audit: only_s(),
        unsafe_fixes,
        ..Default::default()
    };
    let out = fixer::fix("t.plist", text.as_bytes().to_vec(), &opts).expect("fixes");
    let l = audit::load("t.plist", out.text.clone().into_bytes()).expect("loads");
    let span = l.config.boot_args.expect("boot-args").at.span;
    let node = crate::patch::node_by_span(&l.doc.root, &span).expect("node");
    let content = out.text[node.inner.clone()].to_owned();
    (out.text, content)
}

#[test]
fn a_slide_glued_to_another_argument_keeps_that_argument() {
    // OpenCore passes `&#32;` on as written: `slide=562&#32;alcid=1` is one
    // argument, and the slide it starts is invalid.
    let text = config("-v keepsyms=1 slide=562&#32;alcid=1", "");
    let glued = "slide=562&#32;alcid=1".to_owned();
    assert_eq!(
        findings(&text),
        [
            ("S001", glued.clone()),
            ("S002", glued.clone()),
            ("S009", glued)
        ]
    );
    // Keeping alcid=1 makes it an argument of its own: unsafe only.
    assert_eq!(fixed(&text, false).1, "-v keepsyms=1 slide=562&#32;alcid=1");
    let (out, args) = fixed(&text, true);
    assert_eq!(args, "-v keepsyms=1 alcid=1");
    assert_eq!(findings(&out), []);
}

#[test]
fn a_comment_in_boot_args_is_dropped_then_the_slide() {
    // OpenCore refuses a config with a comment inside a value.
    let text = config("-v slide=<!-- x -->7", "");
    assert_eq!(
        findings(&text),
        [("S009", "<string>-v slide=<!-- x -->7</string>".into())]
    );
    let (out, args) = fixed(&text, false);
    assert_eq!(args, "-v");
    assert_eq!(findings(&out), []);
}

#[test]
fn references_and_cdata_hide_a_slide_from_opencore() {
    // `-v&#32;slide=300` is one argument to OpenCore, which finds no slide=.
    let text = config("-v&#32;slide=300", "");
    assert_eq!(findings(&text), [("S009", "-v&#32;slide=300".into())]);
    assert_eq!(fixed(&text, false).1, "-v&#32;slide=300");
    // Written as meant, the slide is invalid and goes.
    assert_eq!(fixed(&text, true).1, "-v");
    // A CDATA-only value is read as empty.
    let text = config("<![CDATA[-v slide=300]]>", "");
    assert_eq!(
        findings(&text),
        [("S009", "<string><![CDATA[-v slide=300]]></string>".into())]
    );
    let (out, args) = fixed(&text, true);
    assert_eq!(args, "-v");
    assert_eq!(findings(&out), []);
}

#[test]
fn several_slides_in_entry_arguments_go_in_one_edit() {
    let text = config("-v", &tool("-a slide=3 slide=4\t-b"));
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
        crate::rules::literal::s009,
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
        raw.push_str(if i % 2 == 0 { " slide=1" } else { "\tslide=1" });
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

/// A Clover config with `Boot/Arguments` = `args` and, when given, a root
/// Quirks dict with ProvideCustomSlide = `pcs`.
fn clover(args: &str, pcs: Option<bool>) -> String {
    let quirks = pcs.map_or(String::new(), |v| {
        format!("\t<key>Quirks</key>\n\t<dict>\n\t\t<key>ProvideCustomSlide</key>\n\t\t<{v}/>\n\t</dict>\n")
    });
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n\t<key>Boot</key>\n\t<dict>\n\t\t<key>Arguments</key>\n\t\t<string>{args}</string>\n\t</dict>\n{quirks}</dict>\n</plist>\n"
    )
}

/// S001 on Clover: the fix is safe only where OpenCore's slide analysis runs.
#[test]
fn clover_slide_removal_is_safe_only_with_the_analysis() {
    let s001 = |text: &str| {
        let opts = AuditOptions {
            kind: Some(crate::model::ConfigKind::Clover),
            ..only_s()
        };
        let r = audit::audit_bytes("config.plist", text.as_bytes().to_vec(), &opts);
        let d = r
            .diagnostics
            .into_iter()
            .find(|d| d.rule.code == "S001")
            .expect("S001");
        let fix = d.fix.expect("a fix");
        (d.message, fix.applicability, fix.summary)
    };
    let (msg, app, _) = s001(&clover("-v slide=5", Some(true)));
    assert!(
        msg.contains("OpenCore code inside Clover (r5120 and later)"),
        "{msg}"
    );
    assert_eq!(app, crate::patch::Applicability::Safe);
    let (_, app, summary) = s001(&clover("-v slide=5", Some(false)));
    assert_eq!(app, crate::patch::Applicability::Unsafe);
    assert!(
        summary.contains("until ProvideCustomSlide is on"),
        "{summary}"
    );
    let (msg, app, summary) = s001(&clover("-v slide=5", None));
    assert!(
        msg.contains("no Quirks dict") && msg.contains("before r5120"),
        "{msg}"
    );
    assert_eq!(app, crate::patch::Applicability::Unsafe);
    assert!(summary.contains("unsafe:"), "{summary}");
}

/// With OsxAptioFixDrv in Clover's drivers folder, S001 notes that Clover
/// adds `slide=0` itself once no `slide=` is left.
#[test]
fn clover_with_osxaptiofixdrv_notes_its_own_slide() {
    let dir = tempfile::tempdir().expect("temp dir");
    let clover_dir = dir.path().join("EFI/CLOVER");
    std::fs::create_dir_all(clover_dir.join("drivers/UEFI")).expect("dirs");
    std::fs::write(clover_dir.join("drivers/UEFI/OsxAptioFixDrv-64.efi"), "x").expect("driver");
    let file = clover_dir.join("config.plist");
    let text = clover("-v slide=5", None);
    let opts = AuditOptions {
        kind: Some(crate::model::ConfigKind::Clover),
        ..only_s()
    };
    let r = audit::audit_bytes(file.to_str().expect("utf-8"), text.into_bytes(), &opts);
    let d = r
        .diagnostics
        .iter()
        .find(|d| d.rule.code == "S001")
        .expect("S001");
    assert!(
        d.notes
            .iter()
            .any(|n| n.contains("OsxAptioFixDrv-64.efi") && n.contains("adds `slide=0`")),
        "{:?}",
        d.notes
    );
}
