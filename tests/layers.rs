//! The crate's layering (see the module docs of src/lib.rs): each top-level
//! module uses only the modules before it in `LAYERS`, so data flows one way
//! (read → load → model → rules → report). Test code beside a module may
//! drive the whole pipeline and is not checked.

use std::path::{Path, PathBuf};

/// Every top-level module, lowest first.
const LAYERS: &[&str] = &[
    "source", "plist", "patch", "memmap", "write", "model", "load", "schema", "platform",
    "evidence", "folder", "rules", "audit", "fixer", "cli",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("src is readable") {
        let p = e.expect("entry").path();
        if p.is_dir() {
            rust_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// The files of module `name`: `src/name.rs` and everything under `src/name/`.
fn module_files(src: &Path, name: &str) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let file = src.join(format!("{name}.rs"));
    if file.is_file() {
        files.push(file);
    }
    let dir = src.join(name);
    if dir.is_dir() {
        rust_files(&dir, &mut files);
    }
    files
}

/// A test module's file: `tests.rs`, `*_tests.rs`, or `tests_*.rs` (a part
/// of a `tests.rs` split off by topic, such as `uefi/tests_drivers.rs`).
fn is_test_file(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    name == "tests.rs" || name.ends_with("_tests.rs") || name.starts_with("tests_")
}

/// The lines of `text` outside `#[cfg(test)]` items (a test module ends the
/// file's non-test part; a single test-only item is skipped).
fn non_test_lines(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if line.trim() != "#[cfg(test)]" {
            out.push(line);
            continue;
        }
        // Skip further attributes, then the item they belong to.
        let item = lines.by_ref().find(|l| !l.trim().starts_with("#["));
        if item.is_some_and(|l| l.trim_end().ends_with('{')) {
            break;
        }
    }
    out
}

/// The top-level modules `line` names as `crate::name`.
fn crate_uses(line: &str) -> Vec<&str> {
    line.match_indices("crate::")
        .map(|(i, m)| {
            let rest = &line[i + m.len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .collect()
}

#[test]
fn every_module_is_placed_in_a_layer() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut found: Vec<String> = std::fs::read_dir(&src)
        .expect("src is readable")
        .map(|e| e.expect("entry").path())
        .filter_map(|p| {
            let stem = p.file_stem()?.to_str()?.to_owned();
            (p.is_dir() || p.extension().is_some_and(|x| x == "rs")).then_some(stem)
        })
        .filter(|m| m != "lib" && m != "main")
        .collect();
    found.sort();
    found.dedup();
    let mut listed: Vec<String> = LAYERS.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(found, listed, "LAYERS lists every top-level module once");
}

#[test]
fn modules_use_only_lower_layers() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut wrong = Vec::new();
    for (layer, name) in LAYERS.iter().enumerate() {
        for file in module_files(&src, name) {
            if is_test_file(&file) {
                continue;
            }
            let text = std::fs::read_to_string(&file).expect("source is UTF-8");
            for (n, line) in non_test_lines(&text).into_iter().enumerate() {
                for used in crate_uses(line) {
                    let Some(at) = LAYERS.iter().position(|l| *l == used) else {
                        continue;
                    };
                    if at > layer {
                        wrong.push(format!(
                            "{}:{}: `{name}` uses `{used}`, a higher layer",
                            file.strip_prefix(&src).unwrap_or(&file).display(),
                            n + 1
                        ));
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_checker_sees_uses_and_skips_test_code() {
    assert_eq!(
        crate_uses("use crate::rules::{self, Context}; // crate::audit"),
        ["rules", "audit"]
    );
    let text = "use crate::plist;\n#[cfg(test)]\nuse crate::audit;\nfn f() {}\n\
                #[cfg(test)]\n#[path = \"x.rs\"]\nmod x;\nconst A: u8 = 1;\n\
                #[cfg(test)]\nmod tests {\n    use crate::cli;\n}\n";
    assert_eq!(
        non_test_lines(text),
        ["use crate::plist;", "fn f() {}", "const A: u8 = 1;"]
    );
}
