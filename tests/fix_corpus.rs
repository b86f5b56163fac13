//! Sweep `fix --write --unsafe-fixes --no-backup` over copies of every
//! corpus config and check what the issue promises: (a) the result
//! re-parses, (b) before and after differ only at the edited key paths,
//! (c) no diff line lies outside an edited element, (d) a second run changes
//! nothing, (e) a re-check leaves no finding with a safe fix. Then issue
//! 13's proof (tests/support/fixproof.rs): (f) every leaf X007 inserts is
//! the target release's failsafe, (g) every original leaf keeps its value at
//! its path or a moved one, except documented KASLR changes and removed keys
//! no release knows, (h) boot-args keep every token but removed `slide=`
//! ones. TODO(bootargs): (h) splits the plist crate's decoded string; once
//! src/rules/bootargs.rs exposes OpenCore's own reading of the element text,
//! compare tokens through it.

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use assert_cmd::Command;
use ocaudit::fixer::{self, FixOptions};
use similar::{ChangeTag, TextDiff};
use support::fixproof;

fn ocaudit() -> Command {
    Command::new(assert_cmd::cargo::cargo_bin!("ocaudit"))
}

/// Key paths where two plist values differ (a dict key or array index
/// present on one side only counts as a difference at that key).
fn differing(a: &plist::Value, b: &plist::Value, path: &mut Vec<String>, out: &mut Vec<String>) {
    use plist::Value as V;
    match (a, b) {
        (V::Dictionary(x), V::Dictionary(y)) => {
            let keys: BTreeSet<&String> = x.keys().chain(y.keys()).collect();
            for k in keys {
                path.push(k.clone());
                match (x.get(k), y.get(k)) {
                    (Some(p), Some(q)) => differing(p, q, path, out),
                    _ => out.push(path.join("/")),
                }
                path.pop();
            }
        }
        (V::Array(x), V::Array(y)) => {
            for i in 0..x.len().max(y.len()) {
                path.push(i.to_string());
                match (x.get(i), y.get(i)) {
                    (Some(p), Some(q)) => differing(p, q, path, out),
                    _ => out.push(path.join("/")),
                }
                path.pop();
            }
        }
        _ if a != b => out.push(path.join("/")),
        _ => {}
    }
}

fn under(path: &str, edited: &[String]) -> bool {
    edited
        .iter()
        .any(|e| path == e || path.starts_with(&format!("{e}/")) || e.is_empty())
}

/// The 1-based lines a byte range covers.
fn lines_of(text: &str, span: &std::ops::Range<usize>) -> std::ops::RangeInclusive<usize> {
    let first = text[..span.start].matches('\n').count() + 1;
    let last = text[..span.end].matches('\n').count() + 1;
    first..=last
}

/// (c): every changed diff line is inside an edited element's lines, or is a
/// copy of such a line (the line diff may align repeated lines differently).
fn diff_lines_inside(out: &fixer::FixOutcome) -> Result<usize, String> {
    let old = out.source.text.as_str();
    let new = out.text.as_str();
    let old_lines: Vec<_> = out
        .changes
        .iter()
        .map(|c| lines_of(old, &c.original_span))
        .collect();
    let new_lines: Vec<_> = out
        .changes
        .iter()
        .map(|c| lines_of(new, &c.final_span))
        .collect();
    let old_text: Vec<&str> = old.split_inclusive('\n').collect();
    let new_text: Vec<&str> = new.split_inclusive('\n').collect();
    let in_any =
        |ranges: &[std::ops::RangeInclusive<usize>], text: &[&str], line: usize, v: &str| {
            ranges.iter().any(|r| {
                r.contains(&line)
                    || r.clone()
                        .any(|l| text.get(l - 1).is_some_and(|t| t.trim() == v.trim()))
            })
        };
    let mut changed = 0;
    let diff = TextDiff::configure()
        .algorithm(similar::Algorithm::Patience)
        .diff_lines(old, new);
    for change in diff.iter_all_changes() {
        let v = change.value();
        match change.tag() {
            ChangeTag::Delete => {
                let line = change.old_index().map_or(0, |i| i + 1);
                if !in_any(&old_lines, &old_text, line, v) {
                    return Err(format!(
                        "removed line {line} `{}` is outside every edit",
                        v.trim()
                    ));
                }
                changed += 1;
            }
            ChangeTag::Insert => {
                let line = change.new_index().map_or(0, |i| i + 1);
                if !in_any(&new_lines, &new_text, line, v) {
                    return Err(format!(
                        "added line {line} `{}` is outside every edit",
                        v.trim()
                    ));
                }
                changed += 1;
            }
            ChangeTag::Equal => {}
        }
    }
    Ok(changed)
}

/// The release the fix targets (no flag, no log: inferred from the file).
fn target_tag(original: &[u8]) -> &'static str {
    let text = ocaudit::source::SourceFile::new("x", original.to_vec()).expect("decodes");
    let doc = ocaudit::plist::load(&text.text).expect("parses");
    ocaudit::schema::resolve(&doc.root, None, None).target_tag()
}

/// The fix JSON's edits as (path, codes), and the paths of X006 removals of
/// keys no release knows.
fn edit_codes_and_removals(json: &serde_json::Value) -> (Vec<(String, Vec<String>)>, Vec<String>) {
    let strs = |v: &serde_json::Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str().map(str::to_owned))
            .collect()
    };
    let edits = json["edits"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["path"].as_str().unwrap_or("").to_owned(),
                strs(&e["codes"]),
            )
        })
        .collect();
    let removals = json["fixes"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|f| {
            f["code"] == "X006"
                && f["summary"]
                    .as_str()
                    .is_some_and(|s| s.contains("no OpenCore release knows it"))
        })
        .filter_map(|f| f["path"].as_str().map(str::to_owned))
        .collect();
    (edits, removals)
}

#[test]
fn corpus_sweep() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/configs");
    if !corpus.is_dir() {
        println!("skipped: ../shared/corpus not found");
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut files: Vec<_> = std::fs::read_dir(&corpus)
        .expect("read corpus")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "plist"))
        .collect();
    files.sort();
    let (mut fixed, mut refused, mut edits, mut lines) = (0, 0, 0, 0);
    let mut totals = fixproof::Totals::default();
    let mut failures = Vec::new();
    for src in &files {
        let name = src
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dst = tmp.path().join(&name);
        let original = std::fs::read(src).expect("read");
        std::fs::write(&dst, &original).expect("copy");
        let run = ocaudit()
            .args([
                "fix",
                "--write",
                "--unsafe-fixes",
                "--no-backup",
                "--format",
                "json",
            ])
            .arg(&dst)
            .output()
            .expect("runs");
        let after = std::fs::read(&dst).expect("read back");
        let code = run.status.code().unwrap_or(-1);
        if code == 2 {
            refused += 1;
            if after != original {
                failures.push(format!("{name}: refused but the file changed"));
            }
            continue;
        }
        let mut fail = |m: String| failures.push(format!("{name}: {m}"));
        let json: serde_json::Value = match serde_json::from_slice(&run.stdout) {
            Ok(j) => j,
            Err(e) => {
                fail(format!(
                    "bad JSON ({e}); stderr: {}",
                    String::from_utf8_lossy(&run.stderr)
                ));
                continue;
            }
        };
        let edited: Vec<String> = json["edits"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["path"].as_str().map(str::to_owned))
            .collect();
        if after == original {
            if !edited.is_empty() {
                fail("edits reported but nothing written".into());
            }
            continue;
        }
        fixed += 1;
        edits += edited.len();
        // (a) re-parses with both parsers.
        let text = ocaudit::source::SourceFile::new("x", after.clone()).expect("decodes");
        if let Err(e) = ocaudit::plist::load(&text.text) {
            fail(format!("(a) does not re-parse: {e}"));
            continue;
        }
        // (b) differences only at edited paths (when the plist crate reads both).
        let before_v = plist::Value::from_reader_xml(&original[..]);
        let after_v = plist::Value::from_reader_xml(&after[..]);
        match (before_v, after_v) {
            (Ok(b), Ok(a)) => {
                let mut diffs = Vec::new();
                differing(&b, &a, &mut Vec::new(), &mut diffs);
                for d in diffs {
                    if !under(&d, &edited) {
                        fail(format!("(b) {d} changed but no edit names it"));
                    }
                }
                // (f), (g), (h): issue 13's proof.
                let tag = target_tag(&original);
                let (edit_codes, removals) = edit_codes_and_removals(&json);
                fixproof::check(
                    &b,
                    &a,
                    &edit_codes,
                    &removals,
                    &fixproof::moves_of(&json),
                    tag,
                    &mut totals,
                    &mut |m| fail(m),
                );
            }
            (Ok(_), Err(e)) => fail(format!("(a) the plist crate cannot read the result: {e}")),
            _ => {}
        }
        // (c) the same fix in-process: its text is what was written, and no
        // diff line lies outside its edited elements.
        let opts = FixOptions {
            unsafe_fixes: true,
            ..Default::default()
        };
        match fixer::fix(&name, original.clone(), &opts) {
            Ok(out) => {
                if out.new_bytes() != after {
                    fail("in-process result differs from the written file".into());
                }
                if let Err(e) = out.outside_unchanged() {
                    fail(format!("(c) {e}"));
                }
                match diff_lines_inside(&out) {
                    Ok(n) => lines += n,
                    Err(e) => fail(format!("(c) {e}")),
                }
            }
            Err(e) => fail(format!("in-process fix failed: {e}")),
        }
        // (d) a second run changes nothing.
        let again = ocaudit()
            .args(["fix", "--unsafe-fixes", "--color", "never"])
            .arg(&dst)
            .output()
            .expect("runs");
        if again.status.code() != Some(0) || !again.stdout.is_empty() {
            fail(format!(
                "(d) second run not empty:\n{}",
                String::from_utf8_lossy(&again.stdout)
            ));
        }
        // (e) nothing left with a safe fix.
        for r in json["remaining"].as_array().into_iter().flatten() {
            if r["fixable"] == "safe" {
                fail(format!(
                    "(e) {} at {} still has a safe fix",
                    r["code"], r["path"]
                ));
            }
        }
    }
    println!(
        "fix proof: {} X007 leaves inserted, all failsafes; {} leaves moved; {} removed with keys no release knows; {} changed by documented fixes; boot-args tokens {} kept, {} slide= removed",
        totals.inserted,
        totals.moved,
        totals.removed_unknown,
        totals.documented,
        totals.tokens_kept,
        totals.tokens_removed
    );
    println!(
        "fix corpus sweep: {} files, {fixed} fixed, {refused} refused (unparsable), {edits} edits, {lines} diff lines ({:.2} lines per edit)",
        files.len(),
        if edits == 0 {
            0.0
        } else {
            lines as f64 / edits as f64
        }
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// Configs a strict parser rejects: fix must refuse them (exit 2) and leave
/// the file byte-identical, or write something that parses.
#[test]
fn odd_configs_are_refused_or_fixed_cleanly() {
    let odd = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/configs-odd");
    if !odd.is_dir() {
        println!("skipped: ../shared/corpus not found");
        return;
    }
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut refused = 0;
    let mut files = 0;
    for entry in std::fs::read_dir(&odd)
        .expect("read")
        .filter_map(Result::ok)
    {
        let src = entry.path();
        let dst = tmp.path().join(entry.file_name());
        let original = std::fs::read(&src).expect("read");
        std::fs::write(&dst, &original).expect("copy");
        let run = ocaudit()
            .args(["fix", "--write", "--unsafe-fixes", "--no-backup"])
            .arg(&dst)
            .output()
            .expect("runs");
        let after = std::fs::read(&dst).expect("read back");
        files += 1;
        if run.status.code() == Some(2) {
            refused += 1;
            assert_eq!(after, original, "{}: refused but changed", src.display());
            assert!(
                String::from_utf8_lossy(&run.stderr).contains("nothing was written"),
                "{}: refusal does not say nothing was written",
                src.display()
            );
        } else {
            let text = ocaudit::source::SourceFile::new("x", after).expect("decodes");
            assert!(
                ocaudit::plist::load(&text.text).is_ok(),
                "{}",
                src.display()
            );
        }
    }
    println!("odd configs: {files} files, {refused} refused");
}
