//! Differential test against OpenCore's `ocvalidate` 1.0.7 (issue 17's proof, groundwork).
//!
//! `tests/data/ocvalidate/1.0.7/mutants.json` holds one mutant of the project's
//! `sample-configs/laptop-clean.plist` per check ocvalidate 1.0.7 makes (ids of
//! `../shared/reference/ocvalidate-1.0.7-checks.md`), each with the message ocvalidate printed
//! for it, recorded by `scripts/ocvalidate_mutants.py` (see docs/ocvalidate.md). This test needs
//! no ocvalidate: it materialises every mutant from the data, runs
//! `ocaudit check --format json --oc-version 1.0.7` on it and asks whether ocaudit reports a
//! finding at the key path the check is about. It prints the coverage per section and fails
//! when a check listed in `covered.txt` (the ratchet) is no longer covered.

#[path = "ocvalidate_diff/edit.rs"]
mod edit;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::{Map, Value};

/// Sections of mutants that are not among the 239 checks of the reference table: ocvalidate's
/// mistakes, reader messages the table does not list, and second mutants of partly covered
/// checks.
const NOT_CHECKS: [&str; 3] = ["Bugs", "Extra", "Partial"];

fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/ocvalidate/1.0.7")
}

struct Data {
    base: Vec<u8>,
    templates: Map<String, Value>,
    mutants: Vec<Map<String, Value>>,
}

fn load() -> Data {
    let raw = std::fs::read_to_string(data_dir().join("mutants.json")).expect("mutants.json");
    let v: Value = serde_json::from_str(&raw).expect("mutants.json is JSON");
    let base_rel = v["base"].as_str().expect("base");
    let base =
        std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(base_rel)).expect("base file");
    let templates = v["templates"].as_object().expect("templates").clone();
    let mutants = v["mutants"]
        .as_array()
        .expect("mutants")
        .iter()
        .map(|m| m.as_object().expect("mutant object").clone())
        .collect();
    Data {
        base,
        templates,
        mutants,
    }
}

fn s<'a>(m: &'a Map<String, Value>, k: &str) -> &'a str {
    m.get(k).and_then(Value::as_str).unwrap_or("")
}

/// A materialised mutant and the key paths its edits changed.
struct Mutant {
    text: Vec<u8>,
    targets: Vec<String>,
}

/// Apply every edit, checking that each one changes bytes only inside its target's span.
fn materialise(data: &Data, m: &Map<String, Value>) -> Result<Mutant, String> {
    let mut text = data.base.clone();
    let mut targets = vec![];
    for e in m["edits"].as_array().ok_or("no edits")? {
        let before = text;
        let applied = edit::apply(&before, e, &data.templates)?;
        let after = applied.text;
        let prefix = before
            .iter()
            .zip(&after)
            .take_while(|(a, b)| a == b)
            .count();
        let max_suffix = before.len().min(after.len()) - prefix;
        let suffix = before
            .iter()
            .rev()
            .zip(after.iter().rev())
            .take(max_suffix)
            .take_while(|(a, b)| a == b)
            .count();
        let (lo, hi) = applied.scope;
        if prefix < lo || before.len() - suffix > hi {
            return Err(format!(
                "edit {e} changed bytes {prefix}..{} outside its target {lo}..{hi}",
                before.len() - suffix
            ));
        }
        targets.push(applied.target);
        text = after;
    }
    Ok(Mutant { text, targets })
}

/// Every leaf of a plist as (key path, element name, text), read with roxmltree (an
/// independent XML parser); `None` when the text is not XML.
fn leaves(text: &[u8]) -> Option<Vec<(String, String, String)>> {
    let text = std::str::from_utf8(text).ok()?;
    let doc = roxmltree::Document::parse_with_options(
        text,
        roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        },
    )
    .ok()?;
    let mut out = vec![];
    let root = doc
        .root_element()
        .children()
        .find(roxmltree::Node::is_element)?;
    walk(root, String::new(), &mut out);
    Some(out)
}

fn walk(node: roxmltree::Node, path: String, out: &mut Vec<(String, String, String)>) {
    let join = |p: &str, c: &str| {
        if p.is_empty() {
            c.to_owned()
        } else {
            format!("{p}/{c}")
        }
    };
    let kids: Vec<_> = node
        .children()
        .filter(roxmltree::Node::is_element)
        .collect();
    match node.tag_name().name() {
        "dict" => {
            let mut i = 0;
            while i < kids.len() {
                if kids[i].tag_name().name() == "key" && i + 1 < kids.len() {
                    walk(kids[i + 1], join(&path, kids[i].text().unwrap_or("")), out);
                    i += 2;
                } else {
                    walk(kids[i], join(&path, &format!("#stray{i}")), out);
                    i += 1;
                }
            }
            out.push((path, "dict".into(), kids.len().to_string()));
        }
        "array" => {
            for (i, k) in kids.iter().enumerate() {
                walk(*k, join(&path, &i.to_string()), out);
            }
            out.push((path, "array".into(), kids.len().to_string()));
        }
        tag => out.push((path, tag.into(), node.text().unwrap_or("").into())),
    }
}

fn under(path: &str, target: &str) -> bool {
    target.is_empty() || path == target || path.starts_with(&format!("{target}/"))
}

/// The leaves outside the edited targets (and their containers' sizes) are the same.
fn untouched_elsewhere(base: &[u8], m: &Mutant) -> Result<(), String> {
    let Some(after) = leaves(&m.text) else {
        return Ok(());
    };
    let before = leaves(base).ok_or("base is not XML")?;
    let keep = |v: Vec<(String, String, String)>| -> Vec<(String, String, String)> {
        v.into_iter()
            .filter(|(p, tag, _)| {
                let inside = m.targets.iter().any(|t| under(p, t));
                // A container that received a new child changes its size: compare the rest.
                let parent = m
                    .targets
                    .iter()
                    .any(|t| (tag == "dict" || tag == "array") && under(t, p));
                !inside && !parent
            })
            .collect()
    };
    let (a, b) = (keep(before), keep(after));
    if a != b {
        let diff: Vec<_> = a.iter().zip(&b).filter(|(x, y)| x != y).take(3).collect();
        return Err(format!(
            "changed outside {:?}: {diff:?} ({} vs {} leaves)",
            m.targets,
            a.len(),
            b.len()
        ));
    }
    Ok(())
}

/// The key paths a finding is looked for at (`at`, `accept`) name something in the mutant,
/// unless an edit deleted it or the mutant is not XML: a typo there would make the check
/// impossible to cover.
fn paths_exist(m: &Map<String, Value>, mutant: &Mutant) -> Result<(), String> {
    let Some(leaves) = leaves(&mutant.text) else {
        return Ok(());
    };
    let deleted: Vec<&str> = m["edits"]
        .as_array()
        .into_iter()
        .flatten()
        .zip(&mutant.targets)
        .filter(|(e, _)| e["op"] == "delete")
        .map(|(_, t)| t.as_str())
        .collect();
    let accept = m.get("accept").and_then(Value::as_array);
    let wanted =
        std::iter::once(s(m, "at")).chain(accept.into_iter().flatten().filter_map(Value::as_str));
    for p in wanted.filter(|p| !p.is_empty() && !deleted.contains(p)) {
        if !leaves.iter().any(|(q, _, _)| q == p) {
            return Err(format!("key path {p} is not in the mutant"));
        }
    }
    Ok(())
}

/// ocaudit's findings on TEXT as (code, key path).
fn findings(dir: &Path, name: &str, text: &[u8]) -> BTreeSet<(String, String)> {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write mutant");
    let out = Command::new(env!("CARGO_BIN_EXE_ocaudit"))
        .args(["check", "--format", "json", "--oc-version", "1.0.7"])
        .arg(&path)
        .output()
        .expect("run ocaudit");
    let code = out.status.code();
    assert!(
        matches!(code, Some(0..=2)),
        "{name}: ocaudit exited {code:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "{name}: JSON output: {e}: {}",
            String::from_utf8_lossy(&out.stdout)
        )
    });
    v["files"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|f| f["diagnostics"].as_array().into_iter().flatten())
        .map(|d| {
            (
                d["code"].as_str().unwrap_or("").to_owned(),
                d["path"].as_str().unwrap_or("").to_owned(),
            )
        })
        .collect()
}

/// Whether a new finding at PATH covers the mutant: at its key path or inside it, at a path the
/// data accepts for it (the entry, or the other field of a cross-field check), or anywhere when
/// the check is about the whole file.
fn covers(m: &Map<String, Value>, path: &str) -> bool {
    let at = s(m, "at");
    let accept = m
        .get("accept")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str);
    under(path, at) || accept.into_iter().any(|a| a == path)
}

fn ratchet() -> BTreeSet<String> {
    let raw = std::fs::read_to_string(data_dir().join("covered.txt")).expect("covered.txt");
    raw.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_mutant_materialises_as_recorded_and_touches_only_its_target() {
    let data = load();
    assert!(
        data.mutants.len() >= 239,
        "the data names {} mutants",
        data.mutants.len()
    );
    let mut ids = BTreeSet::new();
    for m in &data.mutants {
        let id = s(m, "id");
        assert!(ids.insert(id.to_owned()), "{id} twice");
        if m.contains_key("untriggerable") {
            continue;
        }
        let mutant = materialise(&data, m).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert_ne!(mutant.text, data.base, "{id}: no change");
        assert_eq!(
            Some(mutant.text.len() as u64),
            m["bytes"].as_u64(),
            "{id}: size differs from what ocvalidate saw"
        );
        assert_eq!(
            edit::fnv1a64(&mutant.text),
            s(m, "fnv1a64"),
            "{id}: bytes differ from what ocvalidate saw"
        );
        untouched_elsewhere(&data.base, &mutant).unwrap_or_else(|e| panic!("{id}: {e}"));
        paths_exist(m, &mutant).unwrap_or_else(|e| panic!("{id}: {e}"));
        let observed = &m["observed"];
        let expect = s(m, "expect");
        let printed = observed["messages"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .any(|l| l.contains(expect));
        let absent = m.get("absent").and_then(Value::as_bool).unwrap_or(false);
        assert_eq!(
            printed, !absent,
            "{id}: recorded ocvalidate output and `expect` disagree"
        );
    }
}

#[test]
fn ocaudit_coverage_of_ocvalidate_checks_never_drops() {
    let data = load();
    let tmp = tempfile::tempdir().expect("tempdir");
    let base = findings(tmp.path(), "base.plist", &data.base);
    let listed = ratchet();
    let mut per_section: BTreeMap<String, (usize, usize, Vec<String>)> = BTreeMap::new();
    let mut covered = BTreeSet::new();
    let mut order = vec![];
    let mut how = vec![];
    for m in &data.mutants {
        let id = s(m, "id");
        let section = s(m, "section").to_owned();
        if !order.contains(&section) {
            order.push(section.clone());
        }
        let row = per_section.entry(section).or_default();
        row.0 += 1;
        if m.contains_key("untriggerable") {
            row.2.push(format!("{id} (untriggerable)"));
            continue;
        }
        let mutant = materialise(&data, m).unwrap_or_else(|e| panic!("{id}: {e}"));
        let found = findings(tmp.path(), &format!("{id}.plist"), &mutant.text);
        let hit: Vec<_> = found
            .difference(&base)
            .filter(|(_, p)| covers(m, p))
            .collect();
        if hit.is_empty() {
            row.2.push(id.to_owned());
        } else {
            row.1 += 1;
            covered.insert(id.to_owned());
            let codes: BTreeSet<_> = hit.iter().map(|(c, _)| c.as_str()).collect();
            how.push(format!(
                "{id}: {}",
                codes.into_iter().collect::<Vec<_>>().join(" ")
            ));
        }
    }
    println!("ocaudit coverage of ocvalidate 1.0.7's checks (a finding at the check's key path):");
    println!(
        "{:<18} {:>7} {:>7}  not covered",
        "section", "covered", "total"
    );
    let (mut c, mut t) = (0, 0);
    for sec in &order {
        let (total, cov, missing) = &per_section[sec];
        println!("{sec:<18} {cov:>7} {total:>7}  {}", missing.join(" "));
        if !NOT_CHECKS.contains(&sec.as_str()) {
            c += cov;
            t += total;
        }
    }
    println!(
        "{:<18} {c:>7} {t:>7}  (the 239 checks, without Bugs, Partial and Extra)",
        "all checks"
    );
    println!("covered by: {}", how.join(", "));
    let new: Vec<_> = covered.difference(&listed).collect();
    if !new.is_empty() {
        println!("newly covered, add to tests/data/ocvalidate/1.0.7/covered.txt: {new:?}");
    }
    let lost: Vec<_> = listed.difference(&covered).collect();
    assert!(
        lost.is_empty(),
        "no longer covered (listed in covered.txt): {lost:?}"
    );
}
