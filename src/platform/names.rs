//! Signals written as words: hardware names (chipsets, PCH and iGPU names)
//! in comments, file names and device names, and boot-argument tokens.
//!
//! A name counts wherever it is written, enabled entry or not: a comment
//! `Fix MSI B360M RTC bug` on a disabled patch still says which board the
//! author has, and sample configs carry no board names. Names are matched
//! as phrases ([`phrases_in`]), so `HD Graphics 620` is not found inside
//! `UHD Graphics 620` and `Z390` not inside `Z3900`.

use super::SignalKind;
use super::infer::{dict_entries, hit, items};
use crate::platform::SignalHit;
use crate::plist::{Node, Value};

/// Add the name and boot-argument signals of `root` to `hits`.
pub(super) fn collect(root: &Node, hits: &mut Vec<SignalHit>) {
    comments(root, &mut |comment, text| {
        names_in(text, || root.path_at(comment.span.start), hits);
    });
    for (at, field) in [("ACPI/Add", "Path"), ("Kernel/Add", "BundlePath")] {
        for (i, entry) in items(root.pointer(at)).iter().enumerate() {
            if let Some(file) = entry
                .as_dict()
                .and_then(|d| d.get(field))
                .and_then(|e| e.value.as_str())
            {
                names_in(file, || format!("{at}/{i}/{field}"), hits);
            }
        }
    }
    for at in ["DeviceProperties/Add", "Devices/Properties"] {
        for (device, props) in dict_entries(root.pointer(at)) {
            for (key, value) in dict_entries(Some(props)) {
                if matches!(key, "model" | "name")
                    && let Some(text) = text_of(value)
                {
                    names_in(&text, || format!("{at}/{device}/{key}"), hits);
                }
            }
        }
    }
    boot_args(root, hits);
}

/// Call `f` on every string under a `Comment` key, in file order. Only
/// the comments that name something need their key path, so none is
/// tracked on the way down ([`Node::path_at`] finds it afterwards).
fn comments<'a>(node: &'a Node, f: &mut impl FnMut(&'a Node, &'a str)) {
    match &node.value {
        Value::Dict(d) => {
            for e in &d.entries {
                if e.key == "Comment"
                    && let Some(text) = e.value.as_str()
                {
                    f(&e.value, text);
                }
                comments(&e.value, f);
            }
        }
        Value::Array(a) => a.iter().for_each(|item| comments(item, f)),
        _ => {}
    }
}

/// A string, or data holding printable ASCII (device names are often
/// written as data).
fn text_of(node: &Node) -> Option<String> {
    match &node.value {
        Value::String(s) => Some(s.to_string()),
        Value::Data(d) => {
            let d = d.strip_suffix(&[0]).unwrap_or(d);
            (!d.is_empty() && d.iter().all(|b| (0x20..0x7f).contains(b)))
                .then(|| String::from_utf8_lossy(d).into_owned())
        }
        _ => None,
    }
}

fn names_in(text: &str, path: impl Fn() -> String, hits: &mut Vec<SignalHit>) {
    let mut found = phrases_in(text);
    found.sort_unstable();
    found.dedup();
    for i in found {
        let def = &super::SIGNALS[i];
        hit(hits, def, def.pattern.to_owned(), path());
    }
}

/// The name signals (indexes into [`super::SIGNALS`]) grouped by the first
/// byte of their lower-cased pattern, built once.
fn by_first_byte() -> &'static [Vec<(usize, String)>] {
    static TABLE: std::sync::OnceLock<Vec<Vec<(usize, String)>>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = vec![Vec::new(); 256];
        for (i, d) in super::SIGNALS.iter().enumerate() {
            if d.kind == SignalKind::Name && !d.pattern.is_empty() {
                let needle = d.pattern.to_ascii_lowercase();
                table[usize::from(needle.as_bytes()[0])].push((i, needle));
            }
        }
        table
    })
}

/// Every name signal that occurs in `text` as a [`phrase`], found in one
/// pass over the positions where a phrase may start (the text's start, a
/// byte after a non-alphanumeric one, a camel-case join), so the cost is
/// linear in the text rather than in text × patterns. Indexes into
/// [`super::SIGNALS`], possibly repeated.
fn phrases_in(text: &str) -> Vec<usize> {
    let t = text.as_bytes();
    let hay = text.to_ascii_lowercase();
    let h = hay.as_bytes();
    let table = by_first_byte();
    let mut out = Vec::new();
    for i in 0..t.len() {
        let before = i.checked_sub(1).map(|b| t[b]);
        let camel = before.is_some_and(|b| b.is_ascii_lowercase()) && t[i].is_ascii_uppercase();
        if !(before.is_none_or(|b| !b.is_ascii_alphanumeric()) || camel) {
            continue;
        }
        for (def, needle) in &table[usize::from(h[i])] {
            let n = needle.as_bytes();
            if !h[i..].starts_with(n) {
                continue;
            }
            let ends_in_letter = n.last().is_some_and(u8::is_ascii_alphabetic);
            let end_ok = t
                .get(i + n.len())
                .is_none_or(|a| !(a.is_ascii_digit() || ends_in_letter && a.is_ascii_alphabetic()));
            if end_ok {
                out.push(*def);
            }
        }
    }
    out
}

/// Whether `pattern` occurs in `text` (ignoring ASCII case) as a phrase (the
/// reference [`phrases_in`] is tested against):
/// not glued to a letter or digit before it (a camel-case join such as
/// `PrimeX299` counts as a boundary), and not followed by a digit, nor by a
/// letter when the pattern ends with a letter (`B360M` names a B360).
#[cfg(test)]
fn phrase(text: &str, pattern: &str) -> bool {
    let hay = text.to_ascii_lowercase();
    let needle = pattern.to_ascii_lowercase();
    let (t, p) = (text.as_bytes(), pattern.as_bytes());
    let ends_in_letter = p.last().is_some_and(u8::is_ascii_alphabetic);
    let mut from = 0;
    while let Some(i) = hay[from..].find(&needle).map(|i| i + from) {
        let before = i.checked_sub(1).map(|b| t[b]);
        let after = t.get(i + p.len()).copied();
        let camel = before.is_some_and(|b| b.is_ascii_lowercase()) && t[i].is_ascii_uppercase();
        let start_ok = before.is_none_or(|b| !b.is_ascii_alphanumeric()) || camel;
        let end_ok = after
            .is_none_or(|a| !(a.is_ascii_digit() || ends_in_letter && a.is_ascii_alphabetic()));
        if start_ok && end_ok {
            return true;
        }
        from = i + 1;
    }
    false
}

/// Boot-argument tokens: OpenCore's `NVRAM/Add/*/boot-args`, Clover's
/// `Boot/Arguments`. A pattern matches the token or `pattern=value`.
fn boot_args(root: &Node, hits: &mut Vec<SignalHit>) {
    let mut places: Vec<(String, &str)> = Vec::new();
    for (guid, vars) in dict_entries(root.pointer("NVRAM/Add")) {
        if let Some(s) = vars
            .as_dict()
            .and_then(|d| d.get("boot-args"))
            .and_then(|a| a.value.as_str())
        {
            places.push((format!("NVRAM/Add/{guid}/boot-args"), s));
        }
    }
    if let Some(s) = root.pointer("Boot/Arguments").and_then(Node::as_str) {
        places.push(("Boot/Arguments".into(), s));
    }
    for (path, args) in places {
        for token in args.split_whitespace() {
            let name = token.split_once('=').map_or(token, |(k, _)| k);
            for def in super::SIGNALS
                .iter()
                .filter(|d| d.kind == SignalKind::BootArg && d.pattern == name)
            {
                hit(hits, def, format!("boot-arg {token}"), path.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{comments, phrase, phrases_in};
    use crate::platform::SignalKind;
    use crate::plist::{Step, join_steps};

    /// The comments are found in file order with the key paths a visit
    /// with steps gives, wherever they sit.
    #[test]
    fn comments_in_file_order_with_their_paths() {
        let text = "<plist><dict><key>A</key><dict><key>B</key><dict>\
            <key>Comment</key><string>inner Z390</string></dict>\
            <key>Comment</key><string>after a nested dict</string>\
            <key>Comment</key><integer>3</integer></dict>\
            <key>L</key><array><dict><key>Comment</key><string>in an array</string></dict>\
            <string>Comment</string></array>\
            <key>Comment</key><string>top</string></dict></plist>";
        let doc = crate::plist::load(text).expect("parses");
        let mut found = Vec::new();
        comments(&doc.root, &mut |node, text| {
            found.push((doc.root.path_at(node.span.start), text.to_owned()));
        });
        let mut expected = Vec::new();
        doc.root.visit(&mut |steps, node| {
            if let (Some(Step::Key("Comment")), Some(text)) = (steps.last(), node.as_str()) {
                expected.push((join_steps(steps), text.to_owned()));
            }
        });
        assert_eq!(found, expected);
        assert_eq!(found.len(), 4);
        assert_eq!(found[1].0, "A/Comment");
    }

    /// The one-pass search finds exactly the name signals [`phrase`] finds.
    #[test]
    fn one_pass_agrees_with_phrase() {
        let texts = [
            "Fix MSI B360M Mortal RTC bug",
            "PrimeX299DeluxeUSB",
            "Intel UHD Graphics 620 and HD Graphics 620",
            "Sunrise Point-LP SMBus, Z390 Chipset LPC/eSPI Controller",
            "Z3900 XB360 Sky Lakes",
            "",
            "z390z390 Z390",
            "Comet Lake-S, Cannon Lake PCH, Ice Lake, 200 Series, B460M",
        ];
        for text in texts {
            let mut fast = phrases_in(text);
            fast.sort_unstable();
            fast.dedup();
            let slow: Vec<usize> = crate::platform::SIGNALS
                .iter()
                .enumerate()
                .filter(|(_, d)| d.kind == SignalKind::Name && phrase(text, d.pattern))
                .map(|(i, _)| i)
                .collect();
            assert_eq!(fast, slow, "{text}");
        }
    }

    #[test]
    fn names_match_as_phrases() {
        assert!(phrase("Fix MSI B360M Mortal RTC bug", "B360"));
        assert!(phrase("PrimeX299DeluxeUSB", "X299"));
        assert!(phrase("Z390 Chipset LPC/eSPI Controller", "Z390"));
        assert!(phrase("Sunrise Point-LP SMBus", "Sunrise Point"));
        assert!(!phrase("Intel UHD Graphics 620", "HD Graphics 620"));
        assert!(phrase("Intel UHD Graphics 620", "UHD Graphics 620"));
        assert!(!phrase("Z3900", "Z390"));
        assert!(!phrase("XB360", "B360"));
        assert!(!phrase("Sky Lakes", "Sky Lake"));
    }
}
