//! Every ```console block of README.md is run and compared, so the examples
//! cannot drift from what ocaudit prints.
//!
//! In a block, a line `$ ocaudit ARGS` (optionally `| head -N`) is a command;
//! the lines up to the next `$ ` line are its standard output. A line `...`
//! stands for any number of lines. A block runs in the crate root, or in a
//! scratch directory prepared by a named setup when an HTML comment
//! `<!-- readme-test: setup=NAME -->` comes just before it (see [`setup`]).
//! Colour is off.
//!
//! A ```json block after `<!-- readme-test: sarif-result=FILE -->` must equal
//! the SARIF result of `ocaudit check --format sarif FILE` with the same
//! `ruleId` and logical location (key order and layout aside).
//!
//! When output changes on purpose, refresh the README in place:
//! `OCAUDIT_UPDATE_README=1 cargo test --test readme_examples`, then review
//! the diff. Lines around a `...` keep their number: as many first and last
//! lines are taken from the new output.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::cli::{efi_volume, manifest};

/// One `$ ocaudit ...` line and the output shown under it.
struct Example {
    /// Index (in the README's lines) of the `$` line.
    line: usize,
    command: String,
    expected: Vec<String>,
}

/// One console block: its setup and examples; `end` is the closing fence's
/// line index.
struct Block {
    setup: Option<String>,
    examples: Vec<Example>,
    end: usize,
}

fn blocks(lines: &[&str]) -> Vec<Block> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if lines[i].trim_end() != "```console" {
            i += 1;
            continue;
        }
        let setup = lines[..i]
            .iter()
            .rev()
            .find(|l| !l.trim().is_empty())
            .and_then(|l| l.trim().strip_prefix("<!-- readme-test: setup="))
            .and_then(|l| l.strip_suffix("-->"))
            .map(|s| s.trim().to_string());
        let mut examples: Vec<Example> = Vec::new();
        let mut j = i + 1;
        while j < lines.len() && !lines[j].starts_with("```") {
            if let Some(cmd) = lines[j].strip_prefix("$ ") {
                examples.push(Example {
                    line: j,
                    command: cmd.to_string(),
                    expected: Vec::new(),
                });
            } else if let Some(e) = examples.last_mut() {
                e.expected.push(lines[j].to_string());
            } else {
                panic!(
                    "README.md:{}: console block output before any `$ ` line",
                    j + 1
                );
            }
            j += 1;
        }
        out.push(Block {
            setup,
            examples,
            end: j,
        });
        i = j + 1;
    }
    out
}

/// Prepares the scratch directory a block runs in.
fn setup(name: &str, dir: &Path) {
    match name {
        // An EFI volume whose config names a long kext path and a driver
        // whose case differs on disk.
        "efi-volume" => {
            efi_volume(dir);
        }
        // A folder of two EFI folders: one with problems, one without.
        "efi-folders" => {
            efi_volume(&dir.join("backups/desktop"));
            let laptop = dir.join("backups/laptop/EFI/OC");
            std::fs::create_dir_all(laptop.join("Drivers")).unwrap();
            std::fs::write(laptop.join("Drivers/OpenRuntime.efi"), b"x").unwrap();
            std::fs::write(laptop.join("config.plist"), LAPTOP).unwrap();
        }
        other => panic!("unknown readme-test setup `{other}`"),
    }
}

const LAPTOP: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>UEFI</key>
	<dict>
		<key>Drivers</key>
		<array>
			<dict>
				<key>Enabled</key>
				<true/>
				<key>Path</key>
				<string>OpenRuntime.efi</string>
			</dict>
		</array>
	</dict>
</dict>
</plist>
"#;

/// Runs one README command line in `cwd`; returns its stdout lines.
fn run(command: &str, cwd: &Path) -> Vec<String> {
    let (cmd, head) = match command.split_once(" | ") {
        Some((cmd, pipe)) => {
            let n = pipe
                .strip_prefix("head -")
                .and_then(|n| n.trim().parse::<usize>().ok())
                .unwrap_or_else(|| panic!("only `| head -N` is supported: {command}"));
            (cmd, Some(n))
        }
        None => (command, None),
    };
    let mut words = cmd.split_whitespace();
    assert_eq!(words.next(), Some("ocaudit"), "{command}");
    let home = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_ocaudit"))
        .args(words)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("OCAUDIT_TEST_FAULT")
        .env("HOME", home.path())
        .env("XDG_STATE_HOME", home.path())
        .output()
        .expect("ocaudit runs");
    let text = String::from_utf8(out.stdout).expect("UTF-8 output");
    let lines = text.lines().map(|l| l.trim_end().to_string());
    match head {
        Some(n) => lines.take(n).collect(),
        None => lines.collect(),
    }
}

/// Whether `actual` matches `expected`, where a `...` line stands for any
/// number of lines.
fn matches(expected: &[String], actual: &[String]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first.trim() == "..." => {
            (0..=actual.len()).any(|skip| matches(rest, &actual[skip..]))
        }
        Some((first, rest)) => actual
            .split_first()
            .is_some_and(|(a, more)| first.trim_end() == a && matches(rest, more)),
    }
}

/// The new expected lines: the actual output, keeping a `...` with as many
/// lines before and after it as the old text had.
fn refreshed(expected: &[String], actual: &[String]) -> Vec<String> {
    let first = expected.iter().position(|l| l.trim() == "...");
    let last = expected.iter().rposition(|l| l.trim() == "...");
    match (first, last) {
        (Some(f), Some(l)) if f + (expected.len() - l - 1) < actual.len() => {
            let tail = expected.len() - l - 1;
            let mut v = actual[..f].to_vec();
            v.push("...".into());
            v.extend_from_slice(&actual[actual.len() - tail..]);
            v
        }
        _ => actual.to_vec(),
    }
}

#[test]
fn readme_console_examples_match_the_binary() {
    let path: PathBuf = manifest().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let lines: Vec<&str> = readme.lines().collect();
    let update = std::env::var_os("OCAUDIT_UPDATE_README").is_some_and(|v| v == "1");
    let all = blocks(&lines);
    assert!(
        all.iter().map(|b| b.examples.len()).sum::<usize>() >= 8,
        "the README's examples were not found"
    );
    let mut failures = Vec::new();
    let mut new_lines: Vec<String> = Vec::new();
    let mut copied = 0;
    for block in &all {
        let scratch = tempfile::tempdir().unwrap();
        let cwd = match &block.setup {
            Some(name) => {
                setup(name, scratch.path());
                scratch.path().to_path_buf()
            }
            None => manifest().to_path_buf(),
        };
        for ex in &block.examples {
            let actual = run(&ex.command, &cwd);
            new_lines.extend(lines[copied..=ex.line].iter().map(|l| l.to_string()));
            copied = ex.line + 1 + ex.expected.len();
            if matches(&ex.expected, &actual) {
                new_lines.extend(ex.expected.iter().cloned());
            } else {
                failures.push(format!(
                    "README.md:{}: `{}` printed:\n{}\n",
                    ex.line + 1,
                    ex.command,
                    actual.join("\n")
                ));
                new_lines.extend(refreshed(&ex.expected, &actual));
            }
        }
        assert_eq!(copied.max(block.end), block.end);
    }
    new_lines.extend(lines[copied..].iter().map(|l| l.to_string()));
    if update && !failures.is_empty() {
        let mut text = new_lines.join("\n");
        if readme.ends_with('\n') {
            text.push('\n');
        }
        std::fs::write(&path, text).expect("rewrite README.md");
        eprintln!("updated {} example(s) in README.md", failures.len());
        failures.clear();
    }
    failures.extend(check_sarif_example(update));
    assert!(
        failures.is_empty(),
        "README examples differ from the binary (refresh with OCAUDIT_UPDATE_README=1):\n{}",
        failures.join("\n")
    );
}

/// The SARIF result of `file` for the rule and key path `shown` names.
fn sarif_result(file: &str, shown: &serde_json::Value) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_ocaudit"))
        .args(["check", "--format", "sarif", file])
        .current_dir(manifest())
        .output()
        .expect("ocaudit runs");
    let sarif: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    let key = |r: &serde_json::Value| {
        (
            r["ruleId"].clone(),
            r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].clone(),
        )
    };
    sarif["runs"][0]["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| key(r) == key(shown))
        .cloned()
        .unwrap_or_else(|| panic!("{file} has no SARIF result like the README's: {shown}"))
}

/// Checks the README's SARIF example (see the module docs); in update mode
/// rewrites it. Runs after the console examples, in the same test, so two
/// rewrites never race.
fn check_sarif_example(update: bool) -> Option<String> {
    let path: PathBuf = manifest().join("README.md");
    let readme = std::fs::read_to_string(&path).expect("README.md");
    let marker = "<!-- readme-test: sarif-result=";
    let at = readme
        .find(marker)
        .expect("the README's SARIF example is marked");
    let file = readme[at + marker.len()..]
        .split_once(" -->")
        .expect("marker ends")
        .0
        .to_string();
    let open = at
        + readme[at..]
            .find("```json\n")
            .expect("a json block follows")
        + 8;
    let close = open + readme[open..].find("```").expect("json block closes");
    let shown: serde_json::Value =
        serde_json::from_str(&readme[open..close]).expect("the README's SARIF is JSON");
    let actual = sarif_result(&file, &shown);
    if shown == actual {
        return None;
    }
    let pretty = serde_json::to_string_pretty(&actual).unwrap();
    if update {
        let text = format!("{}{pretty}\n{}", &readme[..open], &readme[close..]);
        std::fs::write(&path, text).expect("rewrite README.md");
        eprintln!("updated the SARIF example in README.md");
        return None;
    }
    Some(format!("the SARIF example differs; today:\n{pretty}"))
}

#[test]
fn elision_and_refresh_rules() {
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert!(matches(&s(&["a", "...", "d"]), &s(&["a", "b", "c", "d"])));
    assert!(matches(&s(&["a", "...", "b"]), &s(&["a", "b"])));
    assert!(!matches(&s(&["a", "...", "d"]), &s(&["a", "b", "c"])));
    assert!(!matches(&s(&["a"]), &s(&["a", "b"])));
    assert_eq!(
        refreshed(&s(&["x", "...", "y"]), &s(&["1", "2", "3", "4"])),
        s(&["1", "...", "4"])
    );
    assert_eq!(refreshed(&s(&["x"]), &s(&["1", "2"])), s(&["1", "2"]));
}

/// The README's section on capturing a memory map and a log names only keys
/// OpenCore has, and every decimal value it gives with a hex spelling
/// (`67` (0x43: ... 0x01, ... 0x02, ... 0x40)) is that number and the sum of
/// the bits listed.
#[test]
fn capture_section_names_real_keys_and_consistent_values() {
    let readme = std::fs::read_to_string(manifest().join("README.md")).expect("README.md");
    let start = readme
        .find("### Capturing a memory map and an OpenCore log")
        .expect("the README explains how to capture the inputs");
    let section = &readme[start..];
    let section = &section[..section[4..].find("\n#").map_or(section.len(), |e| e + 4)];
    let schema =
        std::fs::read_to_string(manifest().join("rules/schema/opencore.txt")).expect("schema");
    let known: std::collections::HashSet<&str> = schema
        .lines()
        .filter_map(|l| l.strip_prefix('+'))
        .filter_map(|l| l.split('\t').next())
        .collect();
    let keys: Vec<&str> = section
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|t| {
            ["Misc/", "Booter/", "UEFI/", "Kernel/"]
                .iter()
                .any(|p| t.starts_with(p))
        })
        .collect();
    assert!(keys.len() >= 6, "{keys:?}");
    for key in keys {
        assert!(known.contains(key), "`{key}` is not an OpenCore key");
    }
    let hex = regex::Regex::new(r"`(\d+)` \((0x[0-9A-Fa-f]+)([^)]*)\)").unwrap();
    let bit = regex::Regex::new(r"0x([0-9A-Fa-f]+)").unwrap();
    let mut seen = 0;
    for c in hex.captures_iter(section) {
        let dec: u64 = c[1].parse().unwrap();
        let hexv = u64::from_str_radix(&c[2][2..], 16).unwrap();
        assert_eq!(dec, hexv, "{}", &c[0]);
        let bits: Vec<u64> = bit
            .captures_iter(&c[3])
            .map(|b| u64::from_str_radix(&b[1], 16).unwrap())
            .collect();
        if !bits.is_empty() {
            assert_eq!(bits.iter().sum::<u64>(), dec, "{}", &c[0]);
        }
        seen += 1;
    }
    assert!(seen >= 3, "expected the Target and DisplayLevel values");
}
