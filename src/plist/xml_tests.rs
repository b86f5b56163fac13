//! The XML layer: every construct plists use, accepted and refused, with the
//! offset each refusal reports.

use super::*;

fn string_of(body: &str) -> String {
    let text = format!("<plist><string>{body}</string></plist>");
    let doc = load(&text).unwrap_or_else(|e| panic!("{text}: {e}"));
    doc.root.as_str().expect("a string").to_owned()
}

/// Load `text`, expect a refusal, and return (offset, message).
fn refused(text: &str) -> (usize, String) {
    match load(text) {
        Ok(_) => panic!("accepted: {text:?}"),
        Err(e) => (e.offset, e.message),
    }
}

#[test]
fn prolog_with_declaration_doctype_subset_comments_and_pis() {
    let text = "<?xml version=\"1.0\" encoding='UTF-8' standalone=\"yes\" ?>\n\
                <!-- before -->\n<?editor x?>\n\
                <!DOCTYPE plist PUBLIC \"-//Apple//DTD PLIST 1.0//EN\" 'x.dtd' [\n\
                <!ELEMENT plist ANY>\n<!-- in the subset -->\n]>\n\
                <!-- after -->\n<plist version = '1.0'><true/></plist>\n<!-- end -->\n<?end?>\n";
    let doc = load(text).unwrap();
    assert_eq!(doc.root.as_bool(), Some(true));
    assert_eq!(&text[doc.root.span.clone()], "<true/>");
}

#[test]
fn references_cdata_comments_and_line_ends_in_text() {
    assert_eq!(
        string_of("&amp;&lt;&gt;&quot;&apos;&#65;&#x42;&#x1F980;"),
        "&<>\"'AB🦀"
    );
    assert_eq!(string_of("a<![CDATA[<b>&amp;]]>c"), "a<b>&amp;c");
    assert_eq!(string_of("a<!-- note -->b<?pi?>c"), "abc");
    assert_eq!(string_of("a\r\nb\rc\n"), "a\nb\nc\n");
    assert_eq!(string_of("<![CDATA[x\r\ny]]>"), "x\ny");
    // A character reference keeps a carriage return literally.
    assert_eq!(string_of("a&#13;\nb"), "a\r\nb");
    assert_eq!(string_of("日本 é"), "日本 é");
}

#[test]
fn spans_of_empty_and_spaced_elements() {
    let text =
        "<plist><dict><key>A</key><string/><key >B</key ><string >x</string\n></dict></plist>";
    let doc = load(text).unwrap();
    let d = doc.root.as_dict().unwrap();
    let a = d.get("A").unwrap();
    assert_eq!(&text[a.value.span.clone()], "<string/>");
    assert_eq!(a.value.inner, a.value.span.end..a.value.span.end);
    let b = d.get("B").unwrap();
    assert_eq!(&text[b.key_span.clone()], "<key >B</key >");
    assert_eq!(&text[b.value.span.clone()], "<string >x</string\n>");
    assert_eq!(&text[b.value.inner.clone()], "x");
    assert_eq!(
        &text[doc.root.inner.clone()],
        "<key>A</key><string/><key >B</key ><string >x</string\n>"
    );
}

#[test]
fn unusual_names_are_unknown_elements_not_errors() {
    let doc = load("<plist><array><é/><a:b/><x.y-z/></array></plist>").unwrap();
    let names: Vec<_> = doc
        .root
        .as_array()
        .unwrap()
        .iter()
        .map(|n| match &n.value {
            Value::Unknown(name) => name.clone(),
            v => panic!("{v:?}"),
        })
        .collect();
    assert_eq!(names, ["é", "a:b", "x.y-z"]);
    assert_eq!(doc.issues.len(), 3);
}

#[test]
fn tag_errors_point_at_the_offending_markup() {
    let text = "<plist><dict><key>A</key><true/></array></plist>";
    let (at, msg) = refused(text);
    assert_eq!(at, text.find("</array>").unwrap());
    assert_eq!(msg, "`</array>` closes `<dict>` (opened on line 1)");
    let text = "<plist>\n<dict>\n<key>A</key>";
    let (at, msg) = refused(text);
    assert_eq!(at, text.len());
    assert!(
        msg.contains("ends before `<dict>` (opened on line 2)"),
        "{msg}"
    );
    for (text, marker) in [
        ("<plist a=\"1\" a=\"2\"><true/></plist>", "a=\"2\""),
        ("<plist a=\"<\"><true/></plist>", "<\">"),
        ("<plist a=1><true/></plist>", "1>"),
        ("<plist a=\"1\"b=\"2\"><true/></plist>", "b="),
        ("<plist a=\"&x;\"><true/></plist>", "&x;"),
        ("<plist><1a/></plist>", "1a/>"),
        ("<plist><true/ ></plist>", " ></plist>"),
        ("<plist><true/></plist>x", "x"),
        ("<plist><true/></plist><plist/>", "<plist/>"),
        ("<!-- c -->x<plist/>", "x<plist/>"),
        ("<plist><!FOO></plist>", "<!FOO>"),
        (" <?xml version=\"1.0\"?><plist/>", "<?xml"),
        (
            "<!DOCTYPE plist><!DOCTYPE plist><plist/>",
            "!DOCTYPE plist><plist/>",
        ),
        (
            "<?xml version=\"1.0\"?><!DOCTYPE plist [ junk ]><plist/>",
            "junk",
        ),
    ] {
        let (at, msg) = refused(text);
        assert_eq!(at, text.rfind(marker).unwrap(), "{text}: {msg}");
        // The position is reported by `offset`, never inside the message.
        let last = msg.rsplit(' ').next().unwrap_or("");
        assert!(
            !(last.contains(':') && last.replace(':', "").bytes().all(|b| b.is_ascii_digit())),
            "{msg}"
        );
    }
}

#[test]
fn text_errors_point_at_the_offending_character() {
    for (body, marker) in [
        ("a &foo; b", "&foo;"),
        ("a & b", "& b"),
        ("&#0;", "&#0;"),
        ("&#xD800;", "&#xD800;"),
        ("&#99999999999;", "&#9"),
        ("&#x;", "&#x;"),
        ("&#65", "&#65"),
        ("A\u{1}B", "\u{1}"),
        ("A\u{FFFE}B", "\u{FFFE}"),
        ("a ]]> b", "]]>"),
        ("<!-- a -- b -->", "<!--"),
        ("<!-- a --->", "<!--"),
        ("<!-- \u{7} -->", "\u{7}"),
        ("<![CDATA[\u{1}]]>", "\u{1}"),
        ("<?pi \u{1}?>", "\u{1}"),
    ] {
        let text = format!("<plist><string>{body}</string></plist>");
        let (at, msg) = refused(&text);
        assert_eq!(at, text.find(marker).unwrap(), "{body}: {msg}");
    }
    for text in [
        "<plist><string><!-- open",
        "<plist><string><![CDATA[ open",
        "<plist><string><?pi open",
        "<plist a=\"open",
        "<plist",
        "<plist><",
    ] {
        refused(text);
    }
}

#[test]
fn plist_level_refusals() {
    assert!(refused("<dict/>").1.contains("root element is <dict>"));
    assert!(refused("<plist/>").1.contains("holds no value"));
    assert!(
        refused("<plist> <!-- x --> </plist>")
            .1
            .contains("holds no value")
    );
    assert!(
        refused("<?xml version=\"1.0\"?>")
            .1
            .contains("no root element")
    );
}

#[test]
fn unescape_resolves_references_or_gives_up() {
    assert_eq!(unescape("a&amp;b&#33;").as_deref(), Some("a&b!"));
    assert_eq!(unescape("plain").as_deref(), Some("plain"));
    assert_eq!(unescape("&bogus;"), None);
    assert_eq!(unescape("a & b"), None);
}
