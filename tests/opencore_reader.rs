//! OpenCore's reader verdicts: ours must equal what OpenCore 1.0.7's own
//! reader (run through its `ocvalidate`) did with the same bytes.
//!
//! Two oracles: `tests/fixtures/opencore-reader/` (mutants generated for this
//! project, with the verdicts ocvalidate gave, committed as data) and, when
//! present, `../shared/reference/opencore-parse-verdicts/` (read at run time).

use std::path::{Path, PathBuf};

use ocaudit::plist::opencore;

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
    let mut n = 0;
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
                ours.err()
            ));
        }
    }
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
