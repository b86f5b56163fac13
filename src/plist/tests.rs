use super::*;

const SAMPLE: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>Booter</key>
	<dict>
		<key>Quirks</key>
		<dict>
			<key>DevirtualiseMmio</key>
			<false/>
			<key>ProvideMaxSlide</key>
			<integer>0x10</integer>
			<key>DevirtualiseMmio</key>
			<true/>
		</dict>
	</dict>
	<key>Name</key>
	<string>a &amp; b</string>
	<key>Blob</key>
	<data>AAEC</data>
</dict>
</plist>
"#;

#[test]
fn spans_point_at_the_elements() {
    let doc = load(SAMPLE).unwrap();
    let quirks = doc.root.pointer("Booter/Quirks").unwrap();
    let d = quirks.as_dict().unwrap();
    assert_eq!(d.all("DevirtualiseMmio").count(), 2);
    let last = d.get("DevirtualiseMmio").unwrap();
    assert_eq!(&SAMPLE[last.value.span.clone()], "<true/>");
    assert_eq!(
        &SAMPLE[last.key_span.clone()],
        "<key>DevirtualiseMmio</key>"
    );
    let name = doc.root.pointer("Name").unwrap();
    assert_eq!(name.as_str(), Some("a & b"));
    assert_eq!(&SAMPLE[name.inner.clone()], "a &amp; b");
    assert_eq!(
        doc.root.pointer("Blob").unwrap().value,
        Value::Data(vec![0, 1, 2])
    );
    assert!(doc.issues.is_empty());
}

#[test]
fn integers_read_like_opencore() {
    assert_eq!(Integer::parse("0x10").opencore, 0);
    assert_eq!(Integer::parse("12abc").opencore, 12);
    assert_eq!(Integer::parse("").opencore, 0);
    assert_eq!(Integer::parse(" 42 ").strict, Some(42));
    assert_eq!(Integer::parse("-1").opencore, -1);
    assert_eq!(Integer::parse("0x10").strict, None);
    assert_eq!(Integer::parse("0x10").clover(), Some(16));
    assert!(Integer::parse("99999999999999999999999").overflow);
}

#[test]
fn malformed_xml_reports_position() {
    let err = load("<plist>\n<dict>\n</array>\n</plist>").unwrap_err();
    assert_eq!(err.offset, 15);
}

#[test]
fn structure_problems_are_issues_not_errors() {
    let doc = load("<plist><dict><key>A</key><key>B</key><true/><data>@@@</data></dict></plist>")
        .unwrap();
    let codes: Vec<_> = doc.issues.iter().map(|i| i.code).collect();
    assert_eq!(codes, ["X001", "X004", "X001"]);
}

#[test]
fn entity_declarations_are_refused() {
    let text = "<!DOCTYPE plist [<!ENTITY a \"aaaa\">]><plist><string>&a;</string></plist>";
    let err = load(text).unwrap_err();
    assert!(err.message.contains("entities"), "{}", err.message);
    assert_eq!(err.offset, 17);
}

#[test]
fn deep_nesting_is_refused() {
    let text = format!(
        "<plist>{}{}</plist>",
        "<array>".repeat(200),
        "</array>".repeat(200)
    );
    assert!(load(&text).unwrap_err().message.contains("deeper"));
}

#[test]
fn base64_edge_cases() {
    assert_eq!(value::decode_base64("").unwrap(), Vec::<u8>::new());
    assert_eq!(value::decode_base64("QQ==").unwrap(), b"A");
    assert_eq!(value::decode_base64(" QU\nJD ").unwrap(), b"ABC");
    assert!(value::decode_base64("QQ=").is_none());
    assert!(value::decode_base64("Q===").is_none());
}

#[test]
fn text_that_is_not_xml_says_so() {
    for text in ["hello", "  {\"Booter\": {}}", "\n\nKernel = 1"] {
        let err = load(text).unwrap_err();
        assert!(
            err.message.starts_with("this is not XML"),
            "{}",
            err.message
        );
        assert_eq!(err.offset, text.len() - text.trim_start().len());
    }
}

#[test]
fn visit_gives_steps_and_path_at_finds_the_innermost_node() {
    let text = "<plist><dict><key>A</key><array><dict><key>B</key><integer>1</integer></dict>\
                <string>x</string></array><key>C</key><true/></dict></plist>";
    let doc = load(text).unwrap();
    let mut seen = Vec::new();
    doc.root.visit(&mut |steps, node| {
        seen.push((join_steps(steps), node.value.type_name()));
    });
    let expect = [
        ("", "dict"),
        ("A", "array"),
        ("A/0", "dict"),
        ("A/0/B", "integer"),
        ("A/1", "string"),
        ("C", "boolean"),
    ];
    let expect: Vec<(String, &str)> = expect.iter().map(|(p, t)| (p.to_string(), *t)).collect();
    assert_eq!(seen, expect);
    let at = |needle: &str| doc.root.path_at(text.find(needle).unwrap());
    assert_eq!(at("1</integer>"), "A/0/B");
    assert_eq!(at("<key>B"), "A/0", "a key belongs to its dict");
    assert_eq!(at("x</string>"), "A/1");
    assert_eq!(at("<true/>"), "C");
    assert_eq!(doc.root.path_at(text.len() + 5), "");
}

#[test]
fn values_stay_small() {
    // The loader moves every node a few times and a large config holds
    // thousands: integers are boxed and short strings are inline so that a
    // node stays within one cache line.
    assert!(
        std::mem::size_of::<Value>() <= 32,
        "{}",
        std::mem::size_of::<Value>()
    );
    assert!(
        std::mem::size_of::<Node>() <= 64,
        "{}",
        std::mem::size_of::<Node>()
    );
    let doc = load("<plist><dict><key>ProvideCustomSlide</key><string>Contents/MacOS/Lilu</string></dict></plist>").unwrap();
    let d = doc.root.as_dict().unwrap();
    assert!(!d.entries[0].key.is_heap_allocated());
    assert!(matches!(&d.entries[0].value.value, Value::String(s) if !s.is_heap_allocated()));
}
