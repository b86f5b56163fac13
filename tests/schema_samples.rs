//! The schema against OpenCore's own sample configs and the corpus (both
//! under ../shared; every test is skipped when they are absent).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use ocaudit::audit::{self, AuditOptions};
use ocaudit::patch;
use ocaudit::plist::{Node, Value};
use ocaudit::schema::{self, Finding, Table};

fn shared(rel: &str) -> Option<PathBuf> {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared")
        .join(rel);
    if p.is_dir() {
        Some(p)
    } else {
        println!("skipped: ../shared/{rel} not found");
        None
    }
}

/// (release, file name, text) of every sample config.
fn samples() -> Vec<(&'static str, &'static str, String)> {
    let Some(dir) = shared("reference/opencore-samples") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for &tag in schema::releases() {
        for name in ["Sample.plist", "SampleCustom.plist"] {
            if let Ok(text) = std::fs::read_to_string(dir.join(tag).join(name)) {
                out.push((tag, name, text));
            }
        }
    }
    out
}

fn load(text: &str) -> audit::Loaded {
    match audit::load("Sample.plist", text.as_bytes().to_vec()) {
        Ok(l) => l,
        Err(_) => panic!("sample loads"),
    }
}

/// The normalised schema paths of every key in a config (comments skipped).
fn paths(t: &Table, node: &Node, key: Option<usize>, out: &mut BTreeSet<&'static str>) {
    match &node.value {
        Value::Dict(d) => {
            for e in d.entries.iter().filter(|e| !e.key.starts_with('#')) {
                if let Some(c) = t.child(key, &e.key) {
                    out.insert(t.keys[c].path);
                    paths(t, &e.value, Some(c), out);
                }
            }
        }
        Value::Array(items) => {
            let elem = key.and_then(|k| {
                t.keys[k]
                    .children
                    .iter()
                    .copied()
                    .find(|&c| t.keys[c].leaf == "[]")
            });
            if let Some(c) = elem {
                for item in items {
                    out.insert(t.keys[c].path);
                    paths(t, item, Some(c), out);
                }
            }
        }
        _ => {}
    }
}

fn parent(path: &str) -> Option<&str> {
    path.rsplit_once('/').map(|(p, _)| p)
}

#[test]
fn every_sample_is_clean_against_its_own_release() {
    let all = samples();
    for (tag, name, text) in &all {
        let opts = AuditOptions {
            oc_version: Some((*tag).to_owned()),
            check: ocaudit::rules::CheckOptions {
                select: vec!["X004".into(), "X006".into(), "X007".into()],
                ignore: Vec::new(),
            },
            ..AuditOptions::default()
        };
        let r = audit::audit_bytes(name, text.as_bytes().to_vec(), &opts);
        let found: Vec<String> = r
            .diagnostics
            .iter()
            .map(|d| format!("{} {} {}", d.rule.code, d.path, d.message))
            .collect();
        assert!(found.is_empty(), "{tag}/{name}: {found:#?}");
    }
    println!("{} sample files checked", all.len());
}

#[test]
fn a_sample_against_another_release_shows_exactly_the_schema_differences() {
    let t = Table::get();
    let all: Vec<_> = samples()
        .into_iter()
        .filter(|(_, name, _)| *name == "Sample.plist")
        .collect();
    let mut pairs = 0;
    for (a, _, text) in &all {
        let loaded = load(text);
        let root = &loaded.doc.root;
        let mut have = BTreeSet::new();
        paths(t, root, None, &mut have);
        let sa = schema::schema_for(a).expect("known");
        for (b, _, _) in &all {
            let sb = schema::schema_for(b).expect("known");
            let d = schema::diff(&sa, &sb);
            let retyped: BTreeSet<&str> = d.retyped.iter().map(|(p, _, _)| *p).collect();
            let removed: BTreeSet<&str> = d.removed.iter().copied().collect();
            let mut differences: BTreeSet<&str> = removed.clone();
            differences.extend(d.added.iter().copied());
            differences.extend(retyped.iter().copied());
            differences.extend(d.optionality.iter().copied());
            let mut unknown = BTreeSet::new();
            let mut missing = BTreeSet::new();
            for f in sb.check(root) {
                let norm = match &f {
                    Finding::Unknown { norm, .. } => {
                        unknown.insert(norm.clone());
                        norm.clone()
                    }
                    Finding::Missing { key, .. } => {
                        missing.insert(t.keys[*key].path.to_owned());
                        t.keys[*key].path.to_owned()
                    }
                    Finding::WrongType { key, .. } => t.keys[*key].path.to_owned(),
                    Finding::NotAscii { .. } => continue,
                };
                assert!(
                    differences.contains(norm.as_str()),
                    "{a} sample against {b}: {norm} is no schema difference"
                );
            }
            // Every difference the sample can show is shown.
            for k in &removed {
                let top = parent(k).is_none_or(|p| !removed.contains(p) && !retyped.contains(p));
                if have.contains(k) && top {
                    assert!(
                        unknown.contains(*k),
                        "{a} against {b}: {k} not reported unknown"
                    );
                }
            }
            for k in &d.added {
                let required = sb.get(k).is_some_and(|i| !i.optional);
                let leaf = k.rsplit('/').next().unwrap_or(k);
                let parent_ok = parent(k).is_none_or(|p| have.contains(p) && !retyped.contains(p));
                if required && parent_ok && leaf != "*" && leaf != "[]" {
                    assert!(
                        missing.contains(*k),
                        "{a} against {b}: {k} not reported missing"
                    );
                }
            }
            pairs += 1;
        }
    }
    println!("{pairs} release pairs compared");
}

/// Apply upgrade fixes in passes until none is left or none applies.
fn upgrade(text: &str, target: &str) -> String {
    let mut text = text.to_owned();
    for _ in 0..8 {
        let loaded = load(&text);
        let fixes = schema::upgrade_fixes(&loaded, target);
        let refs: Vec<&patch::Fix> = fixes.iter().collect();
        let applied = patch::apply(&text, &refs);
        if applied.applied.is_empty() {
            break;
        }
        text = applied.text;
    }
    text
}

#[test]
fn every_sample_upgrades_to_1_0_7_cleanly() {
    let target = schema::schema_for("1.0.7").expect("known");
    let all: Vec<_> = samples()
        .into_iter()
        .filter(|(_, name, _)| *name == "Sample.plist")
        .collect();
    for (tag, _, text) in &all {
        let new = upgrade(text, "1.0.7");
        let loaded = load(&new);
        let left: Vec<String> = target
            .check(&loaded.doc.root)
            .iter()
            .filter_map(|f| match f {
                Finding::Unknown { path, .. } | Finding::Missing { path, .. } => Some(path.clone()),
                _ => None,
            })
            .collect();
        assert!(
            left.is_empty(),
            "{tag} upgraded to 1.0.7 still has {left:?}"
        );
    }
    println!("{} samples upgraded", all.len());
}

#[test]
fn corpus_sweep() {
    let Some(dir) = shared("corpus/configs") else {
        return;
    };
    let t = Table::get();
    let head = schema::release_index("HEAD").expect("HEAD is a release");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("corpus readable")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "plist"))
        .collect();
    files.sort();
    let mut swept = 0;
    for p in &files {
        let Ok(raw) = std::fs::read(p) else { continue };
        let Ok(loaded) = audit::load(&p.display().to_string(), raw) else {
            continue;
        };
        if loaded.config.kind != ocaudit::model::ConfigKind::OpenCore
            || loaded.doc.root.as_dict().is_none()
        {
            continue;
        }
        let inf = schema::infer(t, &loaded.doc.root);
        assert!(inf.lo <= inf.hi);
        let count = |r: usize| {
            let fs = schema::check(t, &loaded.doc.root, r);
            let u = fs
                .iter()
                .filter(|f| matches!(f, Finding::Unknown { .. }))
                .count();
            let m = fs
                .iter()
                .filter(|f| matches!(f, Finding::Missing { .. }))
                .count();
            (u, m)
        };
        let (u, m) = count(inf.hi);
        let (hu, hm) = count(head);
        let [lo, hi] = inf.range();
        let name = p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        println!("{name}: {lo}..{hi}  vs {hi}: X006 {u} X007 {m}  vs HEAD: X006 {hu} X007 {hm}");
        swept += 1;
    }
    println!("{swept} OpenCore configs swept");
    assert!(swept > 0 || files.is_empty());
}
