//! The fixes a user asks for by name rather than by rule: `--slide N`,
//! `--slide remove` and `--slide auto` on boot-args, and `--mmio` on
//! Booter/MmioWhitelist, with the evidence they are checked against. A
//! child of the fixer's `tests` module: it uses that module's configs and
//! its `run`.

use super::*;
use crate::rules::Evidence;

fn slide(req: SlideRequest, ev: Option<Evidence>, unsafe_fixes: bool) -> FixOptions {
    let mut o = only(&["X001"]);
    o.slide = Some(req);
    o.audit.evidence = ev;
    o.unsafe_fixes = unsafe_fixes;
    o
}

#[test]
fn slide_n_replaces_existing_slides_surgically() {
    let input = config("", &args("-v slide=12 keepsyms=1 slide=40 alcid=1", true));
    let out = run(&input, &slide(SlideRequest::Set(128), None, false));
    assert!(
        out.text
            .contains("<string>-v slide=128 keepsyms=1 alcid=1</string>")
    );
    assert!(out.notes.iter().any(|n| n.contains("not checked")));
    assert!(out.changes.iter().all(|c| c.code == "--slide"));
}

#[test]
fn slide_n_appends_and_deletes_boot_args() {
    let input = config("", &args("-v", false));
    let out = run(&input, &slide(SlideRequest::Set(7), None, false));
    assert!(out.text.contains("<string>-v slide=7</string>"));
    assert!(out.text.contains("<key>Delete</key>"));
    // The S rules do not undo the requested slide afterwards.
    let mut o = slide(SlideRequest::Set(7), None, false);
    o.audit.check.select.clear();
    let out = run(&input, &o);
    assert!(out.text.contains("slide=7"));
}

#[test]
fn slide_n_creates_boot_args_when_missing() {
    let input = config("", "");
    let out = run(&input, &slide(SlideRequest::Set(3), None, false));
    let doc = crate::plist::load(&out.text).expect("parses");
    let ba = doc.root.pointer(&format!("NVRAM/Add/{GUID}/boot-args"));
    assert_eq!(ba.and_then(|n| n.as_str()), Some("slide=3"));
    let del = doc.root.pointer(&format!("NVRAM/Delete/{GUID}/0"));
    assert_eq!(del.and_then(|n| n.as_str()), Some("boot-args"));
}

fn evidence(valid: &[u8], fallback: Option<u8>) -> Evidence {
    Evidence {
        source: "memmap.txt".into(),
        valid_slides: Some(valid.to_vec()),
        fallback_slide: fallback,
        runtime_mmio: vec![(0xFE00_0000, 0x11), (0xFED1_C000, 4)],
        ..Default::default()
    }
}

#[test]
fn slide_n_not_usable_is_refused_unless_unsafe() {
    let input = config("", &args("-v", true));
    let ev = evidence(&[10, 11, 12], None);
    let err = fix(
        "c.plist",
        input.as_bytes().to_vec(),
        &slide(SlideRequest::Set(200), Some(ev.clone()), false),
    );
    assert!(matches!(err, Err(FixError::Refused(m)) if m.contains("not usable")));
    let out = run(
        &input,
        &slide(SlideRequest::Set(200), Some(ev.clone()), true),
    );
    assert!(out.text.contains("slide=200"));
    assert!(out.notes.iter().any(|n| n.starts_with("warning")));
    // A usable slide passes without a word; evidence without a slide list
    // cannot check it.
    let out = run(
        &input,
        &slide(SlideRequest::Set(11), Some(ev.clone()), false),
    );
    assert!(out.notes.is_empty(), "{:?}", out.notes);
    let counted = Evidence {
        valid_slides: None,
        logged_count: Some(40),
        ..ev
    };
    let out = run(&input, &slide(SlideRequest::Set(11), Some(counted), false));
    assert!(out.notes.iter().any(|n| n.contains("does not list")));
}

#[test]
fn slide_remove_drops_every_slide() {
    let input = config("", &args("slide=1 -v slide=2", true));
    let out = run(&input, &slide(SlideRequest::Remove, None, false));
    assert!(out.text.contains("<string>-v</string>"));
}

#[test]
fn slide_auto_needs_evidence_and_acts_only_when_needed() {
    let input = config(&q("ProvideCustomSlide", true), &args("-v", true));
    let no_ev = fix(
        "c.plist",
        input.as_bytes().to_vec(),
        &slide(SlideRequest::Auto, None, false),
    );
    assert!(matches!(no_ev, Err(FixError::Refused(_))));
    // Slides usable and ProvideCustomSlide on: nothing to do.
    let ev = evidence(&[1, 2, 3, 50, 51, 52, 53, 54], Some(9));
    let out = run(&input, &slide(SlideRequest::Auto, Some(ev.clone()), false));
    assert!(!out.changed());
    assert!(out.notes.iter().any(|n| n.contains("8 usable")));
    // None usable: the fallback.
    let none = evidence(&[], Some(9));
    let out = run(&input, &slide(SlideRequest::Auto, Some(none), false));
    assert!(out.text.contains("<string>-v slide=9</string>"));
    // ProvideCustomSlide off and B003 not selected: middle of the longest run.
    let off = config(&q("ProvideCustomSlide", false), &args("-v", true));
    let out = run(&off, &slide(SlideRequest::Auto, Some(ev), false));
    assert!(out.text.contains("<string>-v slide=52</string>"));
}

#[test]
fn longest_run_middle() {
    assert_eq!(middle_of_longest_run(&[]), None);
    assert_eq!(middle_of_longest_run(&[5]), Some(5));
    assert_eq!(middle_of_longest_run(&[1, 2, 3, 10, 11]), Some(2));
    assert_eq!(middle_of_longest_run(&[200, 7, 201, 202, 203]), Some(201));
}

fn mmio(req: &str, ev: Option<Evidence>) -> FixOptions {
    let mut o = only(&["X001"]);
    o.mmio = Some(req.parse().expect("valid request"));
    o.audit.evidence = ev;
    o
}

#[test]
fn mmio_addresses_are_appended_once_in_style() {
    // 0xFE000000 is already listed (as 4261412864); 0xFED1C000 twice in the request.
    let out = run(WL, &mmio("0xFE000000,0xFED1C000,4275159040", None));
    let added = "      <dict>\n        <key>Address</key>\n        <integer>4275159040</integer>\n        <key>Comment</key>\n        <string>MMIO 0xFED1C000</string>\n        <key>Enabled</key>\n        <true/>\n      </dict>\n    </array>";
    assert!(out.text.contains(added), "{}", out.text);
    assert_eq!(out.text.matches("<key>Address</key>").count(), 2);
    assert!(out.text.contains("<string>mine</string>"));
    assert_eq!(out.changes[0].path, "Booter/MmioWhitelist/1");
}

#[test]
fn mmio_all_disabled_uses_the_evidence() {
    let input = config("", "");
    let refused = fix(
        "c.plist",
        input.as_bytes().to_vec(),
        &mmio("all-disabled", None),
    );
    assert!(matches!(refused, Err(FixError::Refused(_))));
    let out = run(&input, &mmio("all-disabled", Some(evidence(&[1], None))));
    let doc = crate::plist::load(&out.text).expect("parses");
    let wl = doc.root.pointer("Booter/MmioWhitelist").expect("created");
    let items = wl.as_array().expect("array");
    assert_eq!(items.len(), 2);
    let first = items[0].as_dict().expect("dict");
    assert_eq!(
        first.get("Comment").and_then(|e| e.value.as_str()),
        Some("MMIO 0xFE000000 (0x11 pages)")
    );
    assert_eq!(
        first.get("Enabled").and_then(|e| e.value.as_bool()),
        Some(false)
    );
    assert!(out.text.contains("<integer>4261412864</integer>"));
}

#[test]
fn mmio_request_parsing() {
    assert!("".parse::<MmioRequest>().is_err());
    assert!("0xZZ".parse::<MmioRequest>().is_err());
    assert_eq!(
        "0x10, 32".parse::<MmioRequest>(),
        Ok(MmioRequest::Addresses(vec![16, 32]))
    );
    assert!("256".parse::<SlideRequest>().is_err());
    assert!("-1".parse::<SlideRequest>().is_err());
    assert_eq!("255".parse::<SlideRequest>(), Ok(SlideRequest::Set(255)));
}
