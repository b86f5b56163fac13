use super::*;
use crate::patch::{Fix, apply};
use crate::plist::load;

/// The arguments of the only `<string>` of `input`.
fn args(input: &str) -> ArgText {
    let doc = load(input).unwrap();
    ArgText::of(input, &doc.root, doc.root.as_str().unwrap())
}

fn texts(a: &ArgText) -> Vec<&str> {
    a.tokens.iter().map(|t| t.text.as_str()).collect()
}

/// `input` with `edits` applied, and the value the loader reads from it.
fn applied(input: &str, edits: Vec<Edit>) -> (String, String) {
    let out = apply(input, &[&Fix::safe("t", edits)]).text;
    let value = load(&out).unwrap().root.as_str().unwrap().to_owned();
    (out, value)
}

fn slides(a: &ArgText) -> Vec<usize> {
    (0..a.tokens.len())
        .filter(|&i| a.tokens[i].text.starts_with("slide="))
        .collect()
}

#[test]
fn removes_tokens_keeping_spacing() {
    for (input, want) in [
        (
            "<plist><string>-v keepsyms=1 slide=128 alcid=1</string></plist>",
            "<plist><string>-v keepsyms=1 alcid=1</string></plist>",
        ),
        (
            "<plist><string>slide=1  slide=2 -v slide=3</string></plist>",
            "<plist><string>-v</string></plist>",
        ),
        (
            "<plist><string>slide=1</string></plist>",
            "<plist><string></string></plist>",
        ),
        (
            "<plist><string> -v\tslide=1 </string></plist>",
            "<plist><string> -v </string></plist>",
        ),
    ] {
        let a = args(input);
        assert_eq!(applied(input, a.remove(&slides(&a))).0, want, "{input}");
    }
}

#[test]
fn a_reference_between_tokens_separates_them() {
    let input = "<plist><string>-v keepsyms=1 slide=562&#32;alcid=1</string></plist>";
    let a = args(input);
    assert_eq!(texts(&a), ["-v", "keepsyms=1", "slide=562", "alcid=1"]);
    assert_eq!(&input[a.tokens[2].range.clone()], "slide=562");
    assert_eq!(&input[a.tokens[3].range.clone()], "alcid=1");
    let (out, value) = applied(input, a.remove(&[2]));
    assert_eq!(out, "<plist><string>-v keepsyms=1 alcid=1</string></plist>");
    assert_eq!(value, "-v keepsyms=1 alcid=1");
    let input = "<plist><string>-v&#32;slide=300</string></plist>";
    assert_eq!(texts(&args(input)), ["-v", "slide=300"]);
}

#[test]
fn a_comment_inside_a_token_is_dropped() {
    let input = "<plist><string>-v slide=<!-- x -->7</string></plist>";
    let a = args(input);
    assert_eq!(texts(&a), ["-v", "slide=7"]);
    assert_eq!(&input[a.tokens[1].range.clone()], "slide=<!-- x -->7");
    let (out, value) = applied(input, a.remove(&[1]));
    assert_eq!(out, "<plist><string>-v</string></plist>");
    assert_eq!(value, "-v");
}

#[test]
fn cdata_is_unwrapped_and_rewritten_as_escaped_text() {
    let input = "<plist><string><![CDATA[-v slide=1 a&b<c]]></string></plist>";
    let a = args(input);
    assert_eq!(texts(&a), ["-v", "slide=1", "a&b<c"]);
    assert_eq!(&input[a.tokens[1].range.clone()], "slide=1");
    let (out, value) = applied(input, a.remove(&[1]));
    assert_eq!(out, "<plist><string>-v a&amp;b&lt;c</string></plist>");
    assert_eq!(value, "-v a&b<c");
}

#[test]
fn references_inside_kept_tokens_survive_a_rewrite() {
    let input = "<plist><string>a&amp;b slide=5&#32;x&#13;y</string></plist>";
    let a = args(input);
    assert_eq!(texts(&a), ["a&b", "slide=5", "x", "y"]);
    let (_, value) = applied(input, a.remove(&[1]));
    assert_eq!(value, "a&b x\ry");
}

#[test]
fn replaces_one_token_and_removes_others() {
    let input = "<plist><string>slide=1 -v slide=2 debug=0x100 slide=3</string></plist>";
    let a = args(input);
    let out = applied(input, a.replace_and_remove(0, "slide=9".into(), &[2, 4])).0;
    assert_eq!(
        out,
        "<plist><string>slide=9 -v debug=0x100</string></plist>"
    );
    let out = applied(input, a.replace_and_remove(2, "slide=9".into(), &[0, 4])).0;
    assert_eq!(
        out,
        "<plist><string>-v slide=9 debug=0x100</string></plist>"
    );
    let input = "<plist><string>-v&#32;slide=1 x slide=2</string></plist>";
    let a = args(input);
    let (_, value) = applied(input, a.replace_and_remove(1, "slide=9".into(), &[3]));
    assert_eq!(value, "-v slide=9 x");
}

#[test]
fn appends_after_the_last_token() {
    let input = "<plist><string>-v <!-- c --></string></plist>";
    let (_, value) = applied(input, args(input).append("slide=4"));
    assert_eq!(value, "-v slide=4 ");
    let input = "<plist><string>-v </string></plist>";
    assert_eq!(
        applied(input, args(input).append("slide=4")).0,
        "<plist><string>-v slide=4 </string></plist>"
    );
}

#[test]
fn many_tokens_are_handled_in_one_pass() {
    let mut input = String::from("<plist><string>-v");
    for _ in 0..100_000 {
        input.push_str("&#32;slide=1");
    }
    input.push_str(" alcid=1</string></plist>");
    let a = args(&input);
    assert_eq!(a.tokens.len(), 100_002);
    let (_, value) = applied(&input, a.remove(&slides(&a)));
    assert_eq!(value, "-v alcid=1");
}
