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

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/opencore-reader")
}

#[test]
fn own_mutant_verdicts_agree() {
    let (n, wrong) = check_dir(&fixtures(), "verdicts.tsv");
    assert!(n > 100, "only {n} mutants");
    assert!(
        wrong.is_empty(),
        "{} of {n} disagree:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
