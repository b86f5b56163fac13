use super::*;
use crate::plist::load;

fn run(input: &str, edit: impl Fn(&str, &crate::plist::Node, &Style) -> Vec<Edit>) -> String {
    let doc = load(input).unwrap();
    let style = Style::detect(input);
    let fix = Fix::safe("t", edit(input, &doc.root, &style));
    apply(input, &[&fix]).text
}

const QUIRKS: &str = "<plist>\n<dict>\n\t<key>Quirks</key>\n\t<dict>\n\t\t<key>Avoid</key>\n\t\t<false/>\n\t\t<key>Zeta</key>\n\t\t<true/>\n\t</dict>\n</dict>\n</plist>\n";

#[test]
fn flips_a_bool_in_place() {
    let out = run(QUIRKS, |_, root, _| {
        vec![set_bool(&root.pointer("Quirks/Avoid").unwrap().span, true)]
    });
    assert_eq!(out, QUIRKS.replace("<false/>", "<true/>"));
}

#[test]
fn inserts_sorted_with_sibling_indentation() {
    let out = run(QUIRKS, |t, root, s| {
        vec![insert_entry(
            t,
            root.pointer("Quirks").unwrap(),
            "Middle",
            &NewValue::Bool(true),
            Place::Sorted,
            s,
        )]
    });
    assert_eq!(
        out,
        "<plist>\n<dict>\n\t<key>Quirks</key>\n\t<dict>\n\t\t<key>Avoid</key>\n\t\t<false/>\n\t\t<key>Middle</key>\n\t\t<true/>\n\t\t<key>Zeta</key>\n\t\t<true/>\n\t</dict>\n</dict>\n</plist>\n"
    );
    let first = run(QUIRKS, |t, root, s| {
        vec![insert_entry(
            t,
            root.pointer("Quirks").unwrap(),
            "Aa",
            &NewValue::Int(3),
            Place::Sorted,
            s,
        )]
    });
    assert!(
        first.contains(
            "\t<dict>\n\t\t<key>Aa</key>\n\t\t<integer>3</integer>\n\t\t<key>Avoid</key>"
        )
    );
}

#[test]
fn inserts_into_empty_containers_with_crlf() {
    let input = "<plist>\r\n<dict>\r\n  <key>D</key>\r\n  <dict/>\r\n  <key>A</key>\r\n  <array/>\r\n</dict>\r\n</plist>";
    let out = run(input, |t, root, s| {
        let v = NewValue::Dict(vec![(
            "G".into(),
            NewValue::Array(vec![NewValue::Str("boot-args".into())]),
        )]);
        vec![
            insert_entry(t, root.pointer("D").unwrap(), "K", &v, Place::Sorted, s),
            append_item(
                t,
                root.pointer("A").unwrap(),
                &NewValue::Str("x&y".into()),
                s,
            ),
        ]
    });
    assert_eq!(
        out,
        "<plist>\r\n<dict>\r\n  <key>D</key>\r\n  <dict>\r\n    <key>K</key>\r\n    <dict>\r\n      <key>G</key>\r\n      <array>\r\n        <string>boot-args</string>\r\n      </array>\r\n    </dict>\r\n  </dict>\r\n  <key>A</key>\r\n  <array>\r\n    <string>x&amp;y</string>\r\n  </array>\r\n</dict>\r\n</plist>"
    );
}

#[test]
fn removes_entries_and_items_with_their_line() {
    let out = run(QUIRKS, |t, root, _| {
        let d = root.pointer("Quirks").unwrap().as_dict().unwrap();
        vec![remove_entry(t, d.get("Zeta").unwrap())]
    });
    assert_eq!(
        out,
        "<plist>\n<dict>\n\t<key>Quirks</key>\n\t<dict>\n\t\t<key>Avoid</key>\n\t\t<false/>\n\t</dict>\n</dict>\n</plist>\n"
    );
}

#[test]
fn overlapping_fixes_are_skipped_not_merged() {
    let a = Fix::safe(
        "a",
        vec![Edit {
            range: 0..4,
            text: "x".into(),
        }],
    );
    let b = Fix::safe(
        "b",
        vec![Edit {
            range: 2..6,
            text: "y".into(),
        }],
    );
    let c = Fix::safe(
        "c",
        vec![Edit {
            range: 0..4,
            text: "x".into(),
        }],
    );
    let r = apply("abcdefgh", &[&a, &b, &c]);
    assert_eq!(r.text, "xefgh");
    assert_eq!(r.applied, [0, 2]);
    assert_eq!(r.skipped, [1]);
}

#[test]
fn detects_space_indentation() {
    assert_eq!(Style::detect("<a>\n    <b>\n        <c>").unit, "    ");
    assert_eq!(Style::detect("<a>\r\n\t<b>").eol, "\r\n");
}
