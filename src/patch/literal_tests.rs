use super::*;
use crate::patch::{Fix, apply};
use crate::plist::load;

fn literal(input: &str) -> (ArgText, Reading) {
    let doc = load(input).unwrap();
    ArgText::literal(input, &doc.root.as_array().unwrap()[0])
}

#[test]
fn opencore_reads_references_literally() {
    let (a, r) = literal("<plist><array><string>-v&#32;slide=300 a&amp;b</string></array></plist>");
    assert_eq!(r, Reading::Literal);
    let t: Vec<&str> = a.tokens.iter().map(|t| t.text.as_str()).collect();
    assert_eq!(t, ["-v&#32;slide=300", "a&amp;b"]);
}

#[test]
fn markup_is_empty_or_refused() {
    let r = |c: &str| {
        literal(&format!(
            "<plist><array><string>{c}</string></array></plist>"
        ))
        .1
    };
    assert_eq!(r("<![CDATA[-v slide=5]]>"), Reading::Empty);
    assert_eq!(r("-v slide=<!-- x -->7"), Reading::Refused);
    assert_eq!(r("<!-- x -->-v"), Reading::Refused);
    assert_eq!(r("-v <![CDATA[slide=5]]> x"), Reading::Refused);
    assert!(
        literal("<plist><array><string><![CDATA[slide=5]]></string></array></plist>")
            .0
            .tokens
            .is_empty()
    );
}

#[test]
fn glued_arguments_are_kept_on_removal() {
    let input = "<plist><array><string>-v keepsyms=1 slide=562&#32;alcid=1&#x20;x slide=3</string></array></plist>";
    let (a, _) = literal(input);
    let (edits, kept) = a.remove_keeping_glued(&[2, 3]);
    assert_eq!(kept, ["alcid=1 x"]);
    let out = apply(input, &[&Fix::safe("t", edits)]).text;
    assert_eq!(
        out,
        "<plist><array><string>-v keepsyms=1 alcid=1 x</string></array></plist>"
    );
}

#[test]
fn references_and_markup_are_undone_as_meant() {
    assert_eq!(glued_rest("slide=1&#32;a"), Some("a".into()));
    assert_eq!(glued_rest("slide=1&#45;a"), None);
    assert_eq!(glued_rest("slide=1&#32;"), None);
    assert_eq!(
        resolve_references("-v&#32;slide=300&#x2d;x").as_deref(),
        Some("-v slide=300-x")
    );
    assert_eq!(resolve_references("a&#38;b"), None);
    assert_eq!(resolve_references("a&amp;b"), None);
    assert_eq!(
        without_markup("-v slide=<!-- x -->7").as_deref(),
        Some("-v slide=7")
    );
    assert_eq!(
        without_markup("<![CDATA[-v a&b]]>").as_deref(),
        Some("-v a&amp;b")
    );
    assert_eq!(without_markup("<!-- x"), None);
}
