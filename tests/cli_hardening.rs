//! Issue 16 (hardening round two), the items about truthful results and
//! bounded work: each test runs the real binary on an input that used to
//! hang, grow without bound, skip silently or print something misleading,
//! and asserts what it prints and exits with now.

mod support;

use std::path::{Path, PathBuf};

use support::cli::{json_of, ocaudit, stderr, stdout};

/// A temporary folder with `name` holding `text`.
fn file(dir: &Path, name: &str, text: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write fixture");
    p
}

/// An OpenCore-shaped plist whose Booter/Quirks dict is written on one line
/// with `n` copies of the same key.
fn duplicates_on_one_line(n: usize) -> String {
    let keys = "<key>Dup</key><string>x</string>".repeat(n);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n\
         <key>Booter</key><dict><key>Quirks</key><dict>{keys}</dict></dict>\n</dict>\n</plist>\n"
    )
}

fn p(path: &Path) -> &str {
    path.to_str().expect("UTF-8 temp path")
}

/// Item 2: thousands of findings on one long line render as windows around
/// each spot (this took minutes when every frame displayed the whole line).
#[test]
fn thousands_of_findings_on_one_line_render_each_as_a_window() {
    let dir = tempfile::tempdir().expect("tempdir");
    let n = 5000;
    let cfg = file(
        dir.path(),
        "config.plist",
        duplicates_on_one_line(n).as_bytes(),
    );
    let o = ocaudit(&["check", p(&cfg), "--select", "X003", "--color", "never"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    // One finding, its frame showing every copy on line 4 (the kept one,
    // then each earlier one), each as a window of the line: cut on both
    // sides in the middle of it.
    let frames: Vec<&str> = out.lines().filter(|l| l.starts_with("4 | ")).collect();
    assert_eq!(frames.len(), n, "{}", &out[..out.len().min(2000)]);
    assert!(
        out.contains(&format!("`Dup` appears {n} times")),
        "{}",
        &out[..2000]
    );
    let middle = frames[n / 2];
    assert!(
        middle.starts_with("4 | ...") && middle.ends_with("..."),
        "{middle}"
    );
    assert!(middle.chars().count() <= "4 | ".len() + 140 + 6, "{middle}");
}

/// Run the binary with `args`, killing it (and failing) if it has not ended
/// within a minute: the cases below used to block for ever or read without
/// end.
fn bounded(args: &[&str]) -> std::process::Output {
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_ocaudit"))
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .env_remove("RUST_BACKTRACE")
        .spawn()
        .expect("the binary runs");
    let start = std::time::Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > std::time::Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{args:?} did not end within a minute");
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    child.wait_with_output().expect("output")
}

/// Item 1: evidence files get the config's checks (regular file, size
/// before reading): a FIFO, a device or a directory ends with exit 2 and a
/// message, never a hang or unbounded memory.
#[cfg(unix)]
#[test]
fn evidence_that_is_not_a_regular_file_is_refused_before_reading() {
    let dir = tempfile::tempdir().expect("tempdir");
    let memmap = support::cli::manifest().join("tests/fixtures/memmap/acceptance.txt");
    let cfg = support::cli::manifest().join("sample-configs/z390-kaslr-fixed.plist");
    let fifo = dir.path().join("memmap.txt");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    let mut specials = vec!["/dev/zero".to_owned()];
    if made {
        specials.push(p(&fifo).to_owned());
    } else {
        println!("skipped the FIFO cases: mkfifo is not available");
    }
    for special in &specials {
        let s = special.as_str();
        for args in [
            vec!["slide", s],
            vec!["mmio", s],
            vec!["slide", p(&memmap), "--memmap", s],
            vec!["check", p(&cfg), "--memmap", s],
            vec!["check", p(&cfg), "--log", s],
        ] {
            let o = bounded(&args);
            assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
            let err = stderr(&o);
            assert!(
                err.contains(s) && err.contains("not a regular file"),
                "{args:?}: {err}"
            );
        }
    }
}

/// The JSON findings of `check` on `text`: (code, message) pairs.
fn findings(text: &str) -> Vec<(String, String)> {
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = file(dir.path(), "config.plist", text.as_bytes());
    let v = json_of(&ocaudit(&["check", "--format", "json", p(&cfg)]));
    v["files"][0]["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let s = |k: &str| d[k].as_str().unwrap_or_default().to_owned();
            (s("code"), s("message"))
        })
        .collect()
}

const SAMPLE: &str = include_str!("../sample-configs/z390-kaslr-fixed.plist");

/// Item 16: 18446744073709551615 is UINT64 max, which OpenCore reads
/// exactly; B010 agrees with X005 that it fits (and shows it as written),
/// while digits past 64 bits still "do not fit" in both.
#[test]
fn b010_and_x005_agree_on_what_fits_in_64_bits() {
    let pms = "<key>ProvideMaxSlide</key>\n\t\t\t<integer>0</integer>";
    assert!(SAMPLE.contains(pms));
    let with = |v: &str| {
        SAMPLE.replace(
            pms,
            &format!("<key>ProvideMaxSlide</key>\n\t\t\t<integer>{v}</integer>"),
        )
    };
    let f = findings(&with("18446744073709551615"));
    assert!(!f.iter().any(|(c, _)| c == "X005"), "{f:?}");
    let b010: Vec<&String> = f
        .iter()
        .filter(|(c, _)| c == "B010")
        .map(|(_, m)| m)
        .collect();
    assert_eq!(
        b010,
        ["ProvideMaxSlide is 18446744073709551615; OpenCore keeps only the low byte and uses 255"],
        "{f:?}"
    );
    let f = findings(&with("18446744073709551616"));
    let says = |code: &str| {
        f.iter()
            .any(|(c, m)| c == code && m.contains("does not fit in 64 bits"))
    };
    assert!(says("X005") && says("B010"), "{f:?}");
}

/// Item 16: a UTF-32 file is named as such, not as "a NUL byte at byte 0"
/// (its byte 0 is 0xFF).
#[test]
fn a_utf32_file_is_named_as_utf32() {
    let body: Vec<u8> = SAMPLE
        .chars()
        .flat_map(|c| (c as u32).to_le_bytes())
        .collect();
    let dir = tempfile::tempdir().expect("tempdir");
    let cfg = file(
        dir.path(),
        "config.plist",
        &[&[0xFF, 0xFE, 0, 0][..], &body].concat(),
    );
    let o = ocaudit(&["check", p(&cfg), "--color", "never"]);
    assert_eq!(o.status.code(), Some(2));
    let out = stdout(&o);
    assert!(out.contains("the file is UTF-32"), "{out}");
    assert!(!out.contains("NUL"), "{out}");
}

/// Item 19: every finding prints its rule's name, so `explain`, `--select`
/// and `--ignore` take the name wherever they take the code.
#[test]
fn rule_names_are_accepted_wherever_codes_are() {
    let by_name = ocaudit(&["explain", "slide-zero"]);
    let by_code = ocaudit(&["explain", "s003"]);
    assert_eq!(by_name.status.code(), Some(0), "{}", stderr(&by_name));
    assert_eq!(stdout(&by_name), stdout(&by_code));
    assert!(stdout(&by_name).starts_with("slide-zero (S003)"));
    let broken = "sample-configs/z390-kaslr-broken.plist";
    let codes = |args: &[&str]| -> Vec<String> {
        let mut all = vec!["check", broken, "--format", "json"];
        all.extend_from_slice(args);
        let v = json_of(&ocaudit(&all));
        let mut c: Vec<String> = v["files"][0]["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|d| d["code"].as_str().unwrap_or_default().to_owned())
            .collect();
        c.dedup();
        c
    };
    let every = codes(&[]);
    let first = every
        .first()
        .expect("the broken sample has findings")
        .clone();
    let name = ocaudit(&["explain", &first]);
    let name = stdout(&name)
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_owned();
    assert_eq!(codes(&["--select", &name]), codes(&["--select", &first]));
    assert_eq!(codes(&["--select", &name]), [first.clone()]);
    let ignored = codes(&["--ignore", &name.to_uppercase()]);
    assert!(
        !ignored.contains(&first) && ignored.len() + 1 == every.len(),
        "{ignored:?}"
    );
    let o = ocaudit(&["check", broken, "--select", "no-such-rule"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("rule name"), "{}", stderr(&o));
}
