//! No two findings of one run pull the same quirk in opposite directions,
//! on the sample configs and the corpus (when present), under every
//! platform and with and without a log's `MAT support` line.

mod support;

use std::path::Path;

use ocaudit::audit::{self, AuditOptions};
use ocaudit::platform::{self, PlatformMatch};
use ocaudit::rules::Evidence;
use support::cli::plists;

/// The quirk flips a run proposes that contradict each other.
fn contradictions(path: &Path, opts: &AuditOptions) -> Vec<String> {
    let report = audit::audit_path(path, opts).expect("readable");
    let mut seen: Vec<(String, String, &str)> = Vec::new();
    let mut bad = Vec::new();
    for d in &report.diagnostics {
        let Some(f) = &d.fix else { continue };
        let Some(rest) = f.summary.strip_prefix("set ") else {
            continue;
        };
        let Some((key, value)) = rest.split_once(" to ") else {
            continue;
        };
        let value = value
            .split_whitespace()
            .next()
            .unwrap_or_default()
            .to_owned();
        if let Some((_, other, code)) = seen.iter().find(|(k, v, _)| k == key && *v != value) {
            bad.push(format!(
                "{}: {code} sets {key} to {other}, {} sets it to {value}",
                path.display(),
                d.rule.code
            ));
        }
        seen.push((key.to_owned(), value, d.rule.code));
    }
    bad
}

fn variants() -> Vec<AuditOptions> {
    let mut v = vec![AuditOptions::default()];
    for mat in [true, false] {
        v.push(AuditOptions {
            evidence: Some(Evidence {
                mat_support: Some(mat),
                source: "test.log".into(),
                ..Default::default()
            }),
            ..Default::default()
        });
    }
    for p in platform::all() {
        for mat in [None, Some(true), Some(false)] {
            v.push(AuditOptions {
                platform: PlatformMatch::from_slug(p.slug),
                evidence: mat.map(|m| Evidence {
                    mat_support: Some(m),
                    source: "test.log".into(),
                    ..Default::default()
                }),
                ..Default::default()
            });
        }
    }
    v
}

#[test]
fn no_run_pulls_a_quirk_both_ways() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = plists(&root.join("sample-configs"));
    let corpus = root.join("../shared/corpus");
    if corpus.is_dir() {
        files.extend(plists(&corpus.join("configs")));
        files.extend(plists(&corpus.join("clover")));
    } else {
        println!("skipped: ../shared/corpus not found (samples only)");
    }
    let variants = variants();
    let mut bad = Vec::new();
    let mut runs = 0;
    for f in &files {
        // Every platform on the samples; on the corpus, the inferred one
        // with and without a log (every platform there takes minutes).
        let n = if f.starts_with(root.join("sample-configs")) {
            variants.len()
        } else {
            3
        };
        for opts in &variants[..n] {
            runs += 1;
            bad.extend(contradictions(f, opts));
        }
    }
    println!("{} files, {runs} runs", files.len());
    bad.sort();
    bad.dedup();
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}
