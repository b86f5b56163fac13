use super::*;

#[test]
fn printable_ascii_is_space_to_tilde() {
    assert!(printable_ascii(" Lilu ~ {}"));
    assert!(printable_ascii(""));
    assert!(!printable_ascii("tab\there"));
    assert!(!printable_ascii("caf\u{e9}"));
    assert!(!printable_ascii("del\u{7f}"));
}

#[test]
fn path_characters() {
    assert!(path_chars("Kexts/Lilu.kext\\Contents_1-2"));
    assert!(!path_chars("SSDT EC.aml"));
    assert!(!path_chars("a+b"));
    assert_eq!(first_bad_path_char("SSDT EC.aml"), Some(' '));
    assert_eq!(first_bad_path_char("ok.aml"), None);
}

#[test]
fn suffixes_ignore_case() {
    assert!(ends_with_ignore_case("SSDT.AML", ".aml"));
    assert!(ends_with_ignore_case(".efi", ".efi"));
    assert!(!ends_with_ignore_case("efi", ".efi"));
    assert!(!ends_with_ignore_case("Lilu.kext.dSYM", ".kext"));
}

#[test]
fn identifiers() {
    use IdentifierKind::{Booter, Kernel};
    assert!(identifier_ok("kernel", Kernel));
    assert!(!identifier_ok("Kernel", Kernel), "case matters");
    assert!(identifier_ok("com.apple.iokit.IOHIDFamily", Kernel));
    assert!(!identifier_ok("IOHIDFamily", Kernel), "needs a dot");
    assert!(!identifier_ok("com.apple.x y", Kernel));
    assert!(identifier_ok("Any", Booter));
    assert!(identifier_ok("Apple", Booter));
    assert!(identifier_ok("boot.efi", Booter));
    assert!(identifier_ok("BOOT.EFI", Booter));
    assert!(!identifier_ok("boot", Booter));
    assert!(!identifier_ok("com.apple.boot", Booter));
    assert!(!identifier_ok("kernel", Booter));
}

#[test]
fn patch_problems_follow_the_masks() {
    let p = PatchBytes {
        find: &[0x0F, 0xF0],
        replace: &[0x00],
        mask: &[0xFF, 0xF0],
        replace_mask: &[],
    };
    assert_eq!(p.problems(false), vec![PatchProblem::FindReplaceSize(2, 1)]);
    assert_eq!(p.problems(true), vec![]);
    let p = PatchBytes {
        find: &[0x0F],
        replace: &[0x01],
        mask: &[0xF0],
        replace_mask: &[0x01, 0x00],
    };
    assert_eq!(
        p.problems(false),
        vec![
            PatchProblem::FindOutsideMask,
            PatchProblem::ReplaceMaskSize(2, 1)
        ]
    );
    let p = PatchBytes {
        find: &[0x0F],
        replace: &[0x03],
        mask: &[0x0F, 0x00],
        replace_mask: &[0x01],
    };
    assert_eq!(
        p.problems(false),
        vec![
            PatchProblem::MaskSize(2, 1),
            PatchProblem::ReplaceOutsideMask
        ]
    );
    assert_eq!(PatchProblem::MaskSize(2, 1).key(), "Mask");
}

#[test]
fn repeats_point_back_to_the_first() {
    let names = ["a", "b", "a", "c", "a", "b"];
    assert_eq!(repeats(&names, |n| Some(*n)), vec![(2, 0), (4, 0), (5, 1)]);
    assert_eq!(repeats(&names, |n| (*n != "a").then_some(*n)), vec![(5, 1)]);
}

#[test]
fn guids_as_edk2_reads_them() {
    assert!(guid_ok("7C436110-AB2A-4BBB-A880-FE41995C9F82"));
    assert!(guid_ok("7c436110-ab2a-4bbb-a880-fe41995c9f82"));
    assert!(guid_ok("7C436110-AB2A-4BBB-A880-FE41995C9F82 trailing"));
    assert!(!guid_ok("7C436110-AB2A-4BBB-A880-FE41995C9F8"));
    assert!(!guid_ok("7C436110AB2A-4BBB-A880-FE41995C9F82x"));
    assert!(!guid_ok("7C43611G-AB2A-4BBB-A880-FE41995C9F82"));
}

/// Run `f` on a check context for the config `text`.
fn with_context(text: &str, f: impl FnOnce(&Context)) {
    let doc = crate::plist::load(text).expect("parses");
    let source =
        crate::source::SourceFile::new("c.plist", text.as_bytes().to_vec()).expect("UTF-8");
    let config = crate::model::build(&doc);
    let options = super::super::CheckOptions::default();
    let cx = Context::new(&source, &doc, &config, &options);
    f(&cx);
}

#[test]
fn items_read_as_opencore_does() {
    let text = "<plist><dict><key>Kernel</key><dict><key>Add</key><array>\
        <dict><key>Enabled</key><true/><key>BundlePath</key><string>A.kext</string>\
        <key>BundlePath</key><string>B.kext</string><key>Count</key><integer>7</integer></dict>\
        <string>stray</string>\
        <dict><key>Enabled</key><string>yes</string></dict>\
        </array></dict></dict></plist>";
    with_context(text, |cx| {
        let add = Item::at(cx, "Kernel/Add").expect("Kernel/Add");
        let entries: Vec<(usize, Item)> = add.entries().collect();
        assert_eq!(entries.len(), 2, "the string item is not an entry");
        let (i, first) = &entries[0];
        assert_eq!(*i, 0);
        assert!(first.enabled());
        assert_eq!(
            first.str_of("BundlePath"),
            "B.kext",
            "the last duplicate wins"
        );
        assert_eq!(
            first.get("BundlePath").unwrap().path,
            "Kernel/Add/0/BundlePath"
        );
        assert_eq!(first.int_of("Count"), 7);
        assert_eq!(first.str_of("Missing"), "");
        let (j, second) = &entries[1];
        assert_eq!(*j, 2);
        assert!(!second.enabled(), "a mistyped Enabled reads as false");
        assert_eq!(second.located_of("Comment").path, "Kernel/Add/2");
        let keys: Vec<&str> = first.pairs().map(|(k, _, _)| k).collect();
        assert_eq!(keys, ["Enabled", "BundlePath", "BundlePath", "Count"]);
    });
}

#[test]
fn maps_and_multi_type_values() {
    let text = "<plist><dict><key>NVRAM</key><dict><key>Add</key><dict>\
        <key>#comment</key><dict/>\
        <key>G</key><dict><key>s</key><string>ab</string><key>i</key><integer>258</integer>\
        <key>d</key><data>AQI=</data><key>b</key><true/><key>a</key><array/></dict>\
        </dict></dict></dict></plist>";
    with_context(text, |cx| {
        let add = Item::at(cx, "NVRAM/Add").expect("NVRAM/Add");
        let keys: Vec<&str> = add.map_entries().map(|(k, _, _)| k).collect();
        assert_eq!(keys, ["G"], "the # key is a comment");
        let dicts: Vec<&str> = Item::map_at(cx, "NVRAM/Add", true)
            .into_iter()
            .map(|(k, _, _)| k)
            .collect();
        assert_eq!(dicts, ["G"]);
        assert!(Item::map_at(cx, "NVRAM/Add", false).is_empty(), "no arrays");
        assert!(Item::map_at(cx, "NVRAM/Delete", false).is_empty(), "absent");
        let g = add.get("G").expect("G");
        let bytes = |k: &str| g.get(k).and_then(|i| i.mdata()).map(|c| c.into_owned());
        assert_eq!(bytes("s"), Some(b"ab\0".to_vec()));
        assert_eq!(bytes("i"), Some(vec![2, 1, 0, 0]));
        assert_eq!(bytes("d"), Some(vec![1, 2]));
        assert_eq!(bytes("b"), Some(vec![1]));
        assert_eq!(bytes("a"), None);
    });
}

#[test]
fn keys_exist_from_their_release_on() {
    let at = |tag: &str| crate::schema::release_index(tag);
    assert!(release_defines(at("1.0.7"), "Misc/Serial/Custom"));
    assert!(!release_defines(at("0.6.0"), "Misc/Serial/Custom"));
    assert!(release_defines(at("0.6.0"), "Misc/Security/ScanPolicy"));
    assert!(release_defines(None, "Misc/Entries/[]/Flavour"));
    assert!(!release_defines(None, "Misc/Boot/NoSuchKey"));
}

#[test]
fn value_of_reads_like_get_without_a_path() {
    let text = "<plist><dict><key>A</key><integer>1</integer><key>A</key><data>qg==</data>\
        <key>S</key><string>x</string></dict></plist>";
    let doc = crate::plist::load(text).expect("parses");
    let root = Item {
        node: &doc.root,
        path: String::new(),
    };
    // The same node `get` finds: the last duplicate.
    let a = root.value_of("A").expect("A");
    assert!(std::ptr::eq(a, root.get("A").expect("A").node));
    assert_eq!(root.data_of("A"), [0xaa]);
    assert_eq!(root.int_of("A"), 0, "a mistyped integer reads as 0");
    assert!(root.value_of("B").is_none());
    let s = root.get("S").expect("S");
    assert!(s.value_of("A").is_none(), "a string has no keys");
}

/// `Item::at` finds what a chain of `get` finds, with the same path, for
/// paths with stray slashes and duplicate keys too.
#[test]
fn at_reads_as_a_chain_of_gets() {
    let text = "<plist><dict><key>Misc</key><dict><key>Security</key><dict>\
        <key>Vault</key><string>Basic</string></dict>\
        <key>Security</key><dict><key>Vault</key><string>Secure</string></dict>\
        </dict><key>UEFI</key><string>x</string></dict></plist>";
    with_context(text, |cx| {
        for path in [
            "Misc/Security/Vault",
            "/Misc//Security/",
            "Misc",
            "",
            "UEFI/Drivers",
            "Misc/Nothing",
        ] {
            let mut chained = Some(Item::root(cx));
            for key in path.split('/').filter(|k| !k.is_empty()) {
                chained = chained.and_then(|i| i.get(key));
            }
            let direct = Item::at(cx, path);
            assert_eq!(
                direct
                    .as_ref()
                    .map(|i| (i.path.as_str(), i.node.span.clone())),
                chained
                    .as_ref()
                    .map(|i| (i.path.as_str(), i.node.span.clone())),
                "{path}"
            );
        }
        assert_eq!(
            Item::at(cx, "Misc/Security/Vault").and_then(|i| i.str()),
            Some("Secure"),
            "the last duplicate wins"
        );
    });
}
