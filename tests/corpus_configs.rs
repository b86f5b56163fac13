//! Sweep the real-world configs in `../shared/corpus` (when present): every
//! file checks without panicking, and a file that does not load yields
//! X001 or X002. Prints the codes found per file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use ocaudit::audit::{self, AuditOptions};

fn corpus() -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus");
    p.is_dir().then_some(p)
}

fn plists(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
        .unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == "plist"));
    v.sort();
    v
}

#[test]
fn every_corpus_config_checks_or_is_reported_unparsable() {
    let Some(root) = corpus() else {
        println!("skipped: ../shared/corpus not found");
        return;
    };
    let mut totals: BTreeMap<&str, usize> = BTreeMap::new();
    let mut files = 0;
    for dir in ["configs", "configs-odd"] {
        for path in plists(&root.join(dir)) {
            files += 1;
            let report = audit::audit_path(&path, &AuditOptions::default()).expect("readable");
            let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.rule.code).collect();
            if report.unparsable {
                assert!(
                    matches!(codes.as_slice(), ["X001"] | ["X002"]),
                    "{}: unparsable but reported {codes:?}",
                    path.display()
                );
            }
            for d in &report.diagnostics {
                *totals.entry(d.rule.code).or_default() += 1;
                let src = report.source().expect("decoded");
                assert!(
                    d.span.end <= src.text.len(),
                    "{}: span out of range",
                    path.display()
                );
                assert!(
                    src.text.is_char_boundary(d.span.start),
                    "{}: span not on a char boundary",
                    path.display()
                );
            }
            let mut uniq = codes.clone();
            uniq.dedup();
            println!(
                "{:<100} {}",
                path.file_name().unwrap().to_string_lossy(),
                uniq.join(" ")
            );
        }
    }
    assert!(files > 100, "the corpus should hold real configs");
    println!("{files} files; findings per code: {totals:?}");
}
