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
    assert_eq!(codes(&["--select", &name]), std::slice::from_ref(&first));
    let ignored = codes(&["--ignore", &name.to_uppercase()]);
    assert!(
        !ignored.contains(&first) && ignored.len() + 1 == every.len(),
        "{ignored:?}"
    );
    let o = ocaudit(&["check", broken, "--select", "no-such-rule"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("rule name"), "{}", stderr(&o));
}

/// Item 11: a config more than 16 folder levels below the directory given
/// is not searched; that is reported (stderr and JSON `skipped`) and the run
/// never says "All checks passed" (exit 2).
#[test]
fn a_directory_too_deep_to_search_is_reported_not_passed_over() {
    let dir = tempfile::tempdir().expect("tempdir");
    let top = dir.path().join("EFI/OC");
    std::fs::create_dir_all(&top).expect("mkdir");
    file(&top, "config.plist", SAMPLE.as_bytes());
    let mut deep = dir.path().to_path_buf();
    for i in 0..18 {
        deep = deep.join(format!("d{i}"));
    }
    std::fs::create_dir_all(&deep).expect("mkdir");
    file(&deep, "config.plist", SAMPLE.as_bytes());
    let o = ocaudit(&["check", p(dir.path()), "--color", "never"]);
    assert_eq!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(!stdout(&o).contains("All checks passed"), "{}", stdout(&o));
    assert!(
        stdout(&o).contains("1 path could not be checked"),
        "{}",
        stdout(&o)
    );
    let err = stderr(&o);
    assert!(
        err.contains("d16") && err.contains("more than 16 folder levels"),
        "{err}"
    );
    let v = json_of(&ocaudit(&["check", p(dir.path()), "--format", "json"]));
    assert_eq!(v["files"].as_array().map(Vec::len), Some(1));
    let skipped = v["skipped"].as_array().expect("skipped");
    assert_eq!(skipped.len(), 1, "{skipped:?}");
    assert!(
        skipped[0]["path"]
            .as_str()
            .unwrap_or_default()
            .ends_with("d16")
    );
}

/// Item 11: an unreadable subdirectory is reported too (skipped when the
/// tests run as root, who can read it anyway).
#[cfg(unix)]
#[test]
fn an_unreadable_subdirectory_is_reported() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().expect("tempdir");
    file(dir.path(), "config.plist", SAMPLE.as_bytes());
    let locked = dir.path().join("locked");
    std::fs::create_dir(&locked).expect("mkdir");
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    let readable = std::fs::read_dir(&locked).is_ok();
    let o = ocaudit(&["check", p(dir.path()), "--format", "json"]);
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    if readable {
        println!("skipped: running as a user who can read a 000 directory");
        return;
    }
    assert_eq!(o.status.code(), Some(2));
    let v = json_of(&o);
    assert_eq!(v["skipped"][0]["path"].as_str(), Some(p(&locked)));
    assert!(stderr(&o).contains("permission denied"), "{}", stderr(&o));
}

/// Item 12: a directory argument without any config is reported like a
/// missing file: every other argument is still checked and printed, in
/// every format, and the exit code is 2 at the end.
#[test]
fn a_directory_without_configs_does_not_stop_the_other_arguments() {
    let dir = tempfile::tempdir().expect("tempdir");
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).expect("mkdir");
    let good = file(dir.path(), "config.plist", SAMPLE.as_bytes());
    let missing = dir.path().join("missing.plist");
    let args = |format: &str| {
        let o = ocaudit(&[
            "check",
            p(&empty),
            p(&good),
            p(&missing),
            "--format",
            format,
        ]);
        assert_eq!(o.status.code(), Some(2), "{format}: {}", stderr(&o));
        assert!(
            stderr(&o).contains("no config.plist below this directory"),
            "{}",
            stderr(&o)
        );
        o
    };
    let v = json_of(&args("json"));
    assert_eq!(v["files"][0]["path"].as_str(), Some(p(&good)));
    let skipped: Vec<&str> = v["skipped"]
        .as_array()
        .expect("skipped")
        .iter()
        .filter_map(|s| s["path"].as_str())
        .collect();
    assert_eq!(skipped, [p(&empty), p(&missing)]);
    let human = stdout(&args("human"));
    assert!(
        human.contains("No problems found in the 1 file checked. 2 paths could not be checked"),
        "{human}"
    );
    let sarif: serde_json::Value = serde_json::from_slice(&args("sarif").stdout).expect("SARIF");
    let inv = &sarif["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    assert_eq!(
        inv["toolExecutionNotifications"].as_array().map(Vec::len),
        Some(2)
    );
    let github = stdout(&args("github"));
    assert_eq!(github.matches("::error ").count(), 2, "{github}");
}

/// Item 14: control characters from a path or a value never reach the
/// terminal raw in human output (a retitling OSC in a folder name, a
/// `&#13;` in boot-args); JSON keeps them exact.
#[cfg(unix)]
#[test]
fn terminal_controls_from_paths_and_values_are_escaped() {
    let dir = tempfile::tempdir().expect("tempdir");
    let evil = dir.path().join("EFI\u{1b}]0;owned\u{7}");
    std::fs::create_dir(&evil).expect("mkdir");
    let args = "<string>-v keepsyms=1 alcid=1</string>";
    assert!(SAMPLE.contains(args));
    let text = SAMPLE.replace(args, "<string>slide=0&#13; -v keepsyms=1</string>");
    let cfg = file(&evil, "config.plist", text.as_bytes());
    let o = ocaudit(&["check", p(&cfg), "--color", "never"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let out = stdout(&o);
    // The boot-args finding quotes the argument (as written, or decoded with
    // its carriage return escaped): either way no raw CR is printed.
    assert!(out.contains("warning[S001]: `slide=0"), "{out}");
    for raw in ['\u{1b}', '\u{7}', '\r'] {
        assert!(!out.contains(raw), "{raw:?} reached the terminal:\n{out:?}");
    }
    assert!(out.contains("EFI\\x1b]0;owned\\x07/config.plist"), "{out}");
    // A file that cannot be read: the error names it escaped too.
    let gone = evil.join("missing.plist");
    let o = ocaudit(&["check", p(&gone)]);
    assert!(!stderr(&o).contains('\u{1b}'), "{:?}", stderr(&o));
    let v = json_of(&ocaudit(&["check", p(&cfg), "--format", "json"]));
    assert_eq!(v["files"][0]["path"].as_str(), Some(p(&cfg)));
    // slide and mmio name their input escaped too.
    let memmap =
        std::fs::read(support::cli::manifest().join("tests/fixtures/memmap/acceptance.txt"))
            .expect("fixture");
    let memmap = file(&evil, "memmap.txt", &memmap);
    for cmd in ["slide", "mmio"] {
        let o = ocaudit(&[cmd, p(&memmap), "--color", "never"]);
        assert_eq!(o.status.code(), Some(0), "{cmd}: {}", stderr(&o));
        assert!(!stdout(&o).contains('\u{1b}'), "{cmd}: {:?}", stdout(&o));
        assert!(
            stdout(&o).contains("EFI\\x1b]0;owned\\x07"),
            "{cmd}: {}",
            stdout(&o)
        );
    }
}

/// Item 13: a reader that stops early (`| head -c 10`) does not change the
/// exit code, whatever the format: it still tells what was found.
#[test]
fn a_closed_pipe_does_not_change_the_exit_code() {
    use std::process::{Command, Stdio};
    let broken = support::cli::manifest().join("sample-configs/z390-kaslr-broken.plist");
    for format in ["human", "json", "sarif", "github"] {
        let args = ["check", p(&broken), "--format", format];
        let full = ocaudit(&args);
        assert_eq!(full.status.code(), Some(1), "{format}");
        let mut child = Command::new(env!("CARGO_BIN_EXE_ocaudit"))
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("runs");
        // Close the reading end before anything is written.
        drop(child.stdout.take());
        let o = child.wait_with_output().expect("ends");
        assert_eq!(o.status.code(), Some(1), "{format}: {}", stderr(&o));
        assert!(stderr(&o).is_empty(), "{format}: {}", stderr(&o));
    }
}

/// Item 15: `slide --format json` (and `mmio --format json`) on input it
/// cannot use writes the error as JSON on stdout as well as on stderr, exit
/// 2; a log with only boot.efi's lines says what it is and what to capture.
#[test]
fn slide_json_errors_are_json_and_boot_efi_logs_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let junk = file(dir.path(), "memmap.txt", b"hello\nworld\n");
    let boot_efi = file(
        dir.path(),
        "opencore-2024-11-13-014311.txt",
        b"22:682 00:031 AAPL: #[EB|H:IS] 0\n22:714 00:031 AAPL: #[EB|LOG:INIT] 2024-11-13T01:04:27\n",
    );
    for cmd in ["slide", "mmio"] {
        for (input, says) in [
            (&junk, "no memory descriptors or OpenCore log lines"),
            (&boot_efi, "only macOS boot.efi's own lines"),
        ] {
            let o = ocaudit(&[cmd, p(input), "--format", "json"]);
            assert_eq!(o.status.code(), Some(2), "{cmd}");
            let v = json_of(&o);
            let message = v["error"]["message"].as_str().expect("error.message");
            assert!(message.contains(says), "{cmd}: {message}");
            assert!(stderr(&o).contains(says), "{cmd}: {}", stderr(&o));
        }
    }
    let o = ocaudit(&["slide", p(&boot_efi)]);
    let err = stderr(&o);
    assert!(
        err.contains("DEBUG build") && err.contains("Misc/Debug/Target 67"),
        "{err}"
    );
    assert!(!err.contains("expected an OpenCore DEBUG log"), "{err}");
    // Human output keeps stdout empty.
    assert!(o.stdout.is_empty());
}

/// Item 3: `mmio` on a map with 8,000 runtime MMIO regions (10 s when each
/// step of the bisect plan simulated the whole map) plans every region, and
/// each step's slide count follows from the region's size.
#[test]
fn mmio_plans_thousands_of_regions() {
    let n = 8000u64;
    // Free memory for slide 255's 200 MiB area plus exactly 2 pages: slide
    // 255 stays usable while at most 2 runtime pages are whitelisted.
    let mut text = String::from(
        "Type       Start            End              # Pages          Attributes\n\
         Available  0000000000100000-000000002C701FFF 000000000002C602 000000000000000F\n",
    );
    for i in 0..n {
        // Region i: i % 4 + 1 pages, every 64 KiB from 0xC0000000.
        let start = 0xC000_0000 + i * 0x1_0000;
        let pages = i % 4 + 1;
        let end = start + pages * 0x1000 - 1;
        text.push_str(&format!(
            "MMIO       {start:016X}-{end:016X} {pages:016X} 8000000000000001\n"
        ));
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let memmap = file(dir.path(), "memmap.txt", text.as_bytes());
    let o = ocaudit(&["mmio", p(&memmap), "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json_of(&o);
    assert_eq!(v["valid_count_without_whitelist"].as_u64(), Some(256));
    let plan = v["bisect"].as_array().expect("bisect");
    assert_eq!(plan.len(), n as usize);
    for step in plan {
        let pages = step["pages"].as_u64().expect("pages");
        let want = if pages <= 2 { 256 } else { 255 };
        assert_eq!(step["valid_count"].as_u64(), Some(want), "{step}");
    }
}
