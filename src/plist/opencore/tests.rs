use super::*;

fn refused(s: &[u8]) -> Trip {
    read(s).expect_err("OpenCore refuses this")
}

const HEAD: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" \"http://www.apple.com/DTDs/PropertyList-1.0.dtd\">\n";

fn doc(body: &str) -> Vec<u8> {
    format!("{HEAD}<plist version=\"1.0\">\n<dict>\n{body}\n</dict>\n</plist>\n").into_bytes()
}

#[test]
fn a_plain_config_is_read_with_spans_inside_the_file() {
    let b = doc("\t<key>A</key>\n\t<string>x</string>\n\t<key>B</key>\n\t<true/>");
    let t = read(&b).unwrap();
    let names: Vec<&[u8]> = t.elements.iter().map(|e| &b[e.name.clone()]).collect();
    assert_eq!(
        names,
        [&b"plist"[..], b"dict", b"key", b"string", b"key", b"true"]
    );
    for e in &t.elements {
        assert!(e.span.end <= b.len() && e.span.start < e.span.end);
        assert_eq!(b[e.span.start], b'<');
        assert_eq!(b[e.span.end - 1], b'>');
    }
    assert_eq!(&b[t.elements[3].text.clone().unwrap()], b"x");
}

#[test]
fn byte_order_mark_and_utf16_are_refused_at_the_first_byte() {
    let mut bom = vec![0xEF, 0xBB, 0xBF];
    bom.extend(doc(""));
    assert_eq!(refused(&bom).offset, 0);
    let utf16: Vec<u8> = String::from_utf8(doc(""))
        .unwrap()
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    assert!(read(&utf16).is_err());
}

#[test]
fn whitespace_before_the_declaration_and_text_after_plist_are_read() {
    let mut b = b"\n\n  ".to_vec();
    b.extend(doc("<key>A</key><false/>"));
    b.extend(b"garbage <<<");
    let t = read(&b).unwrap();
    let tol = judge_tree(&b, &t);
    assert_eq!(tol.len(), 2, "{tol:?}");
    assert!(tol[0].what.contains("before the XML declaration"));
    assert!(tol[1].what.contains("after `</plist>`"));
}

#[test]
fn the_root_must_be_a_plist_holding_one_even_dict() {
    assert!(
        refused(format!("{HEAD}<plist><array/></plist>").as_bytes())
            .reason
            .contains("not a <dict>")
    );
    assert!(refused(b"<dict></dict>").reason.contains("not <plist>"));
    assert!(refused(&doc("<key>A</key>")).reason.contains("odd"));
    assert!(
        refused(format!("{HEAD}<plist><dict/><dict/></plist>").as_bytes())
            .reason
            .contains("exactly one")
    );
}

#[test]
fn a_nested_odd_dict_is_read_and_ignored_whole() {
    let b = doc("<key>K</key><dict><key>Orphan</key><key>A</key><true/></dict>");
    let t = read(&b).unwrap();
    let tol = judge_tree(&b, &t);
    assert_eq!(tol.len(), 1);
    assert!(tol[0].opencore.contains("ignores this whole dict"));
}

#[test]
fn nesting_is_limited_to_32_levels() {
    let deep = |n: usize| {
        let open = "<key>a</key><dict>".repeat(n);
        let close = "</dict>".repeat(n);
        doc(&format!("{open}{close}"))
    };
    // <plist> and the top dict take two levels; each nested dict one more,
    // the innermost too: `<dict></dict>` has content that starts with `<`.
    assert!(read(&deep(30)).is_ok());
    let t = refused(&deep(31));
    assert!(t.reason.contains("32"), "{t:?}");
}

#[test]
fn cdata_reads_as_empty_and_a_comment_after_text_is_refused() {
    let b = doc("<key>A</key><string><![CDATA[x > y]]></string>");
    let t = read(&b);
    // `>` inside the CDATA ends OpenCore's skip early: the rest is text.
    assert!(t.is_err());
    let b = doc("<key>A</key><string><![CDATA[xy]]></string>");
    let t = read(&b).unwrap();
    assert_eq!(t.elements[3].text, None);
    assert!(judge_tree(&b, &t)[0].what.contains("CDATA"));
    assert!(read(&doc("<key>A</key><string>x<!-- c --></string>")).is_err());
}

#[test]
fn names_are_case_sensitive_and_attributes_ignored() {
    let b = doc("<key id=\"1\">A</key><Integer>1</Integer>");
    let t = read(&b).unwrap();
    let tol = judge_tree(&b, &t);
    assert_eq!(tol.len(), 1);
    assert!(tol[0].what.contains("<integer>"));
    assert!(read(&doc("<key>A</Key><true/>")).is_err());
}

#[test]
fn text_is_trimmed_and_not_decoded() {
    let b = doc("<key>A</key><string>  a &amp; b &bogus; \u{e9}  </string>");
    let t = read(&b).unwrap();
    assert_eq!(
        &b[t.elements[3].text.clone().unwrap()],
        "a &amp; b &bogus; \u{e9}".as_bytes()
    );
    let d = to_document(std::str::from_utf8(&b).unwrap(), &t);
    assert_eq!(
        d.root.pointer("A").and_then(|n| n.as_str()),
        Some("a &amp; b &bogus; \u{e9}")
    );
}

#[test]
fn loose_end_tags_are_read() {
    // OpenCore skips whitespace between `<` and `/` after a text.
    assert!(read(&doc("<key>A</key><string>x< /string >")).is_ok());
    assert!(read(&doc("<key>A</key><string>x</string/>")).is_err());
    assert!(read(&doc("<key>A</key>< true/>")).is_err());
}

#[test]
fn a_nul_byte_is_a_byte_like_any_other() {
    assert!(read(&doc("<key>A</key><string>a\0b</string>")).is_ok());
    assert!(read(&doc("\0<key>A</key><string>ab</string>")).is_err());
}
