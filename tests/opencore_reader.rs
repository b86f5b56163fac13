//! OpenCore's reader verdicts: ours must equal what OpenCore 1.0.7's own
//! reader (run through its `ocvalidate`) did with the same bytes.
//!
//! Two oracles: `tests/fixtures/opencore-reader/` (mutants generated for this
//! project, with the verdicts ocvalidate gave, committed as data) and, when
//! present, `../shared/reference/opencore-parse-verdicts/` (read at run time).

use std::path::{Path, PathBuf};

use ocaudit::plist::opencore::{self, Leaf, Want};

/// (file, expected "yes"/"no") rows of a verdict table.
fn rows(tsv: &Path) -> Vec<(String, bool)> {
    let text = std::fs::read_to_string(tsv).unwrap();
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            let reads = cols.iter().find(|c| **c == "yes" || **c == "no").unwrap();
            (cols[0].to_owned(), *reads == "yes")
        })
        .collect()
}

fn check_dir(dir: &Path, tsv: &str) -> (usize, Vec<String>) {
    let rows = rows(&dir.join(tsv));
    let mut wrong = Vec::new();
    for (file, expected) in &rows {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let ours = opencore::read(&bytes);
        if ours.is_ok() != *expected {
            wrong.push(format!("{file}: OpenCore reads={expected}, ours={ours:?}"));
        }
    }
    (rows.len(), wrong)
}

#[test]
fn shared_reference_verdicts_agree() {
    let dir =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/reference/opencore-parse-verdicts");
    if !dir.join("verdicts.tsv").exists() {
        eprintln!("skipped: {} is absent", dir.display());
        return;
    }
    let (n, wrong) = check_dir(&dir, "verdicts.tsv");
    assert!(n > 100);
    assert!(
        wrong.is_empty(),
        "{} of {n} disagree:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn unhex(h: &str) -> Vec<u8> {
    (0..h.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&h[i..i + 2], 16).unwrap())
        .collect()
}

/// The whole-file transforms of `scripts/opencore-mutants.py`.
fn transform(kind: &str, b: &[u8]) -> Vec<u8> {
    let text = std::str::from_utf8(b).unwrap();
    let utf16 = |big: bool| -> Vec<u8> {
        text.encode_utf16()
            .flat_map(|u| {
                if big {
                    u.to_be_bytes()
                } else {
                    u.to_le_bytes()
                }
            })
            .collect()
    };
    match kind {
        "utf16le-bom" => [vec![0xFF, 0xFE], utf16(false)].concat(),
        "utf16be-bom" => [vec![0xFE, 0xFF], utf16(true)].concat(),
        "utf16le-nobom" => utf16(false),
        "crlf" => text.replace('\n', "\r\n").into_bytes(),
        "cr-only" => text.replace('\n', "\r").into_bytes(),
        "tabs-to-vtabs" => text.replace('\t', "\u{b}").into_bytes(),
        "no-whitespace" => {
            // `>` then whitespace then `<`: drop the whitespace.
            let mut out = String::new();
            let mut rest = text;
            while let Some(i) = rest.find('>') {
                out.push_str(&rest[..=i]);
                rest = &rest[i + 1..];
                let t = rest.trim_start();
                if t.starts_with('<') {
                    rest = t;
                }
            }
            out.push_str(rest);
            out.into_bytes()
        }
        other => panic!("unknown transform {other}"),
    }
}

/// Rebuild one mutant row: (kind, bytes, OpenCore reads).
fn mutant(cols: &[&str]) -> (String, Vec<u8>, bool) {
    let base = std::fs::read(root().join(cols[2])).unwrap();
    let bytes = if cols[3] == "-" {
        transform(cols[1], &base)
    } else {
        let (off, del): (usize, usize) = (cols[3].parse().unwrap(), cols[4].parse().unwrap());
        [&base[..off], &unhex(cols[5])[..], &base[off + del..]].concat()
    };
    (cols[1].to_owned(), bytes, cols[6] == "yes")
}

/// The settings compared with OpenCore's stored values: key path, leaf
/// kind, field width in bits (integers), and OpenCore's default as the
/// table writes it (from its dump of a config with an empty top dict).
const FIELDS: &[(&str, Want, u32, &str)] = &[
    ("Booter/Quirks/AllowRelocationBlock", Want::Bool, 0, "0"),
    ("Booter/Quirks/AvoidRuntimeDefrag", Want::Bool, 0, "0"),
    ("Booter/Quirks/ClearTaskSwitchBit", Want::Bool, 0, "0"),
    ("Booter/Quirks/DevirtualiseMmio", Want::Bool, 0, "0"),
    ("Booter/Quirks/DisableSingleUser", Want::Bool, 0, "0"),
    ("Booter/Quirks/DisableVariableWrite", Want::Bool, 0, "0"),
    ("Booter/Quirks/DiscardHibernateMap", Want::Bool, 0, "0"),
    ("Booter/Quirks/EnableSafeModeSlide", Want::Bool, 0, "0"),
    ("Booter/Quirks/EnableWriteUnprotector", Want::Bool, 0, "0"),
    ("Booter/Quirks/FixupAppleEfiImages", Want::Bool, 0, "0"),
    ("Booter/Quirks/ForceBooterSignature", Want::Bool, 0, "0"),
    ("Booter/Quirks/ForceExitBootServices", Want::Bool, 0, "0"),
    ("Booter/Quirks/ProtectMemoryRegions", Want::Bool, 0, "0"),
    ("Booter/Quirks/ProtectSecureBoot", Want::Bool, 0, "0"),
    ("Booter/Quirks/ProtectUefiServices", Want::Bool, 0, "0"),
    ("Booter/Quirks/ProvideCustomSlide", Want::Bool, 0, "0"),
    ("Booter/Quirks/ProvideMaxSlide", Want::Integer, 8, "0"),
    ("Booter/Quirks/RebuildAppleMemoryMap", Want::Bool, 0, "0"),
    ("Booter/Quirks/ResizeAppleGpuBars", Want::Integer, 8, "255"),
    ("Booter/Quirks/SetupVirtualMap", Want::Bool, 0, "0"),
    ("Booter/Quirks/SignalAppleOS", Want::Bool, 0, "0"),
    ("Booter/Quirks/SyncRuntimePermissions", Want::Bool, 0, "0"),
    (
        "Kernel/Quirks/SetApfsTrimTimeout",
        Want::Integer,
        64,
        "18446744073709551615",
    ),
    ("Misc/Boot/PickerMode", Want::String, 0, "4275696c74696e"),
    ("Misc/Boot/Timeout", Want::Integer, 32, "0"),
    ("Misc/Security/ScanPolicy", Want::Integer, 32, "17760515"),
    ("Misc/Security/Vault", Want::String, 0, "536563757265"),
    (
        "PlatformInfo/Generic/SystemProductName",
        Want::String,
        0,
        "",
    ),
];

/// Our reading of the FIELDS, written like the table.
fn our_values(bytes: &[u8], tree: &opencore::Tree) -> String {
    FIELDS
        .iter()
        .map(|(path, want, bits, default)| {
            let path: Vec<&str> = path.split('/').collect();
            match opencore::setting(bytes, tree, &path, *want) {
                Some(Leaf::Bool(b)) => u8::from(b).to_string(),
                Some(Leaf::Integer(v)) => {
                    let v = if *bits == 64 {
                        v
                    } else {
                        v & ((1u64 << bits) - 1)
                    };
                    v.to_string()
                }
                Some(Leaf::String(s)) => s.iter().map(|b| format!("{b:02x}")).collect(),
                None => (*default).to_owned(),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[test]
fn own_mutant_verdicts_agree() {
    let dir = root().join("tests/fixtures/opencore-reader");
    let mut tables: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tsv"))
        .collect();
    tables.sort();
    let text: String = tables
        .iter()
        .map(|p| {
            std::fs::read_to_string(p)
                .unwrap()
                .lines()
                .skip(1)
                .map(|l| format!("{l}\n"))
                .collect::<String>()
        })
        .collect();
    let mut kinds = std::collections::BTreeSet::new();
    let mut wrong = Vec::new();
    let (mut n, mut values) = (0, 0);
    for line in text.lines() {
        let cols: Vec<&str> = line.split('\t').collect();
        let (kind, bytes, reads) = mutant(&cols);
        kinds.insert(kind.clone());
        n += 1;
        let ours = opencore::read(&bytes);
        if ours.is_ok() != reads {
            wrong.push(format!(
                "#{} {kind}: OpenCore reads={reads}, ours={:?}",
                cols[0],
                ours.as_ref().err()
            ));
        }
        // The audit's verdict, which skips the replay when the strict
        // reading vouches for the file, must be the same.
        let audited =
            ocaudit::audit::audit_bytes("config.plist", bytes.clone(), &Default::default());
        if audited.opencore_reads != Some(reads) {
            wrong.push(format!(
                "#{} {kind}: OpenCore reads={reads}, audit says {:?}",
                cols[0], audited.opencore_reads
            ));
        }
        if let (Ok(tree), Some(want)) = (&ours, cols.get(8).filter(|v| **v != "-")) {
            values += 1;
            let got = our_values(&bytes, tree);
            if got != *want {
                wrong.push(format!(
                    "#{} {kind}: values differ\n  OpenCore {want}\n  ours     {got}",
                    cols[0]
                ));
            }
        }
    }
    assert!(values > 200, "only {values} mutants with values");
    assert!(
        n > 400 && kinds.len() > 100,
        "{n} mutants of {} kinds",
        kinds.len()
    );
    assert!(
        wrong.is_empty(),
        "{} of {n} disagree:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

mod props {
    use super::*;
    use ocaudit::audit::{AuditOptions, audit_bytes};
    use proptest::prelude::*;

    /// Bytes OpenCore's reader treats specially, and some it does not.
    const ALPHABET: &[u8] = b"<>/?!-[] \t\r\n\x0b\x0c\x00\"'=&;#xkeyKdict\xff\xc3\xa9";

    fn base() -> Vec<u8> {
        std::fs::read(root().join("sample-configs/laptop-clean.plist")).unwrap()
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Random edits of a real config: the reader never panics, an
        /// accepted file's elements lie inside it (children inside their
        /// parent, text inside its element), and the audit reports the
        /// reader's verdict.
        #[test]
        fn edits_never_break_the_reader(
            edits in proptest::collection::vec(
                (any::<prop::sample::Index>(), 0usize..4, proptest::collection::vec(prop::sample::select(ALPHABET), 0..4)),
                1..4,
            )
        ) {
            let mut b = base();
            for (at, del, ins) in edits {
                let i = at.index(b.len());
                let end = (i + del).min(b.len());
                b.splice(i..end, ins);
            }
            let read = opencore::read(&b);
            if let Ok(tree) = &read {
                for e in &tree.elements {
                    prop_assert!(e.span.start < e.span.end && e.span.end <= b.len());
                    prop_assert!(e.inner.start <= e.inner.end && e.inner.end <= e.span.end);
                    if let Some(t) = &e.text {
                        prop_assert!(t.start >= e.inner.start && t.end <= e.inner.end);
                    }
                    for &c in tree.children(e) {
                        let c = &tree.elements[c as usize];
                        prop_assert!(c.span.start >= e.inner.start && c.span.end <= e.inner.end);
                    }
                }
            }
            let r = audit_bytes("config.plist", b.clone(), &AuditOptions::default());
            if let Some(reads) = r.opencore_reads {
                prop_assert_eq!(reads, read.is_ok());
            }
            if read.is_err() && r.opencore_reads == Some(false) {
                // X010 first; beside it only findings at the byte OpenCore
                // trips on (they name the cause).
                prop_assert_eq!(r.diagnostics[0].rule.code, "X010");
                let trip = r.diagnostics[0].span.start;
                for d in &r.diagnostics[1..] {
                    prop_assert!(d.span.start <= trip && trip <= d.span.end, "{}", d.rule.code);
                }
            }
            if let Some(src) = r.source() {
                for d in &r.diagnostics {
                    prop_assert!(d.span.end <= src.text.len());
                    prop_assert!(src.text.is_char_boundary(d.span.start) && src.text.is_char_boundary(d.span.end));
                }
            }
        }
    }
}

mod audit_as_opencore_reads {
    use super::*;
    use ocaudit::audit::{AuditOptions, FileReport, audit_bytes};

    fn sample() -> Vec<u8> {
        std::fs::read(root().join("sample-configs/z390-kaslr-broken.plist")).unwrap()
    }

    fn audit(bytes: &[u8]) -> FileReport {
        audit_bytes("config.plist", bytes.to_vec(), &AuditOptions::default())
    }

    /// (code, key path, start offset) of every finding but X011.
    fn findings(r: &FileReport, shift: usize) -> Vec<(String, String, usize)> {
        r.diagnostics
            .iter()
            .filter(|d| d.rule.code != "X011")
            .map(|d| (d.rule.code.to_owned(), d.path.clone(), d.span.start - shift))
            .collect()
    }

    fn x011(r: &FileReport) -> String {
        let d: Vec<_> = r
            .diagnostics
            .iter()
            .filter(|d| d.rule.code == "X011")
            .collect();
        assert_eq!(d.len(), 1, "one X011: {:?}", r.diagnostics);
        d[0].message.clone()
    }

    #[test]
    fn malformations_opencore_reads_keep_every_other_finding_in_place() {
        let plain = audit(&sample());
        assert_eq!(plain.opencore_reads, Some(true));
        let want = findings(&plain, 0);
        assert!(want.len() > 3);
        // Text after `</plist>` and blank lines before `<?xml`: the strict
        // loader refuses both, OpenCore reads both.
        let mut tail = sample();
        tail.extend_from_slice(b"\ngarbage <not closed\n");
        let r = audit(&tail);
        assert_eq!((r.opencore_reads, r.unparsable), (Some(true), false));
        assert!(x011(&r).contains("after `</plist>`"));
        assert_eq!(findings(&r, 0), want);
        let lead = [&b"\n\n  "[..], &sample()].concat();
        let r = audit(&lead);
        assert_eq!(r.opencore_reads, Some(true));
        assert!(x011(&r).contains("before the XML declaration"));
        assert_eq!(findings(&r, 4), want);
    }

    #[test]
    fn bytes_that_are_not_utf8_are_audited_as_bytes() {
        let s = sample();
        let at = memchr::memmem::find(&s, b"<string>").unwrap() + 8;
        let bad = [&s[..at], &b"\xff"[..], &s[at..]].concat();
        let r = audit(&bad);
        assert_eq!(r.opencore_reads, Some(true));
        assert!(x011(&r).contains("not UTF-8"));
        // Offsets are the file's: the one-byte replacement keeps them.
        let shifted: Vec<_> = findings(&r, 0)
            .into_iter()
            .map(|(c, p, o)| (c, p, if o > at { o - 1 } else { o }))
            .collect();
        let want = findings(&audit(&s), 0);
        assert!(want.iter().all(|w| shifted.contains(w)), "{shifted:?}");
    }

    #[test]
    fn a_nested_key_without_value_says_which_dict_opencore_ignores() {
        let s = String::from_utf8(sample()).unwrap();
        let booter = s.find("<key>Booter</key>").unwrap();
        let open = booter + s[booter..].find("<dict>").unwrap() + "<dict>".len();
        let odd = format!("{}<key>Orphan</key>{}", &s[..open], &s[open..]);
        let r = audit(odd.as_bytes());
        assert_eq!(r.opencore_reads, Some(true));
        let m = x011(&r);
        assert!(m.contains("ignores this whole dict"), "{m}");
        // OpenCore then stores no Booter quirk from this file at all.
        let tree = opencore::read(odd.as_bytes()).unwrap();
        let got = opencore::setting(
            odd.as_bytes(),
            &tree,
            &["Booter", "Quirks", "AvoidRuntimeDefrag"],
            Want::Bool,
        );
        assert_eq!(got, None);
    }

    #[test]
    fn refused_files_get_one_x010_where_opencore_trips() {
        let s = sample();
        let cut = &s[..s.len() / 2];
        let r = audit(cut);
        assert_eq!((r.opencore_reads, r.unparsable), (Some(false), false));
        assert_eq!(r.diagnostics.len(), 1);
        let d = &r.diagnostics[0];
        assert_eq!(d.rule.code, "X010");
        assert!(d.message.contains("halts"), "{}", d.message);
        assert_eq!(d.span.start, opencore::read(cut).unwrap_err().offset);
        let bom = [&b"\xef\xbb\xbf"[..], &s].concat();
        let r = audit(&bom);
        assert_eq!(r.diagnostics.len(), 1);
        assert!(r.diagnostics[0].fix.is_some());
    }
}

#[test]
fn fix_refuses_a_file_only_opencore_reads() {
    use ocaudit::fixer::{FixError, FixOptions, fix};
    let mut s = std::fs::read(root().join("sample-configs/z390-kaslr-broken.plist")).unwrap();
    s.extend_from_slice(b"\ntrailing words\n");
    match fix("config.plist", s, &FixOptions::default()) {
        Err(FixError::Unparsable(m)) => assert!(m.contains("X011"), "{m}"),
        other => panic!("expected a refusal, got {:?}", other.map(|o| o.text.len())),
    }
}
