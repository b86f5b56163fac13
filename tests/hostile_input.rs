//! Hostile and broken input through the real binary: every case ends with
//! its documented exit code (docs/limits.md) and a plain message, never a
//! panic, and `fix --write` refuses (exit 2) leaving the file byte-identical.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const SAMPLE: &str = include_str!("../sample-configs/z390-kaslr-fixed.plist");
const BROKEN: &str = include_str!("../sample-configs/z390-kaslr-broken.plist");
const MEMMAP: &str = include_str!("fixtures/memmap/acceptance.txt");
const MEMMAP_HEADER: &str =
    "Type       Start            End              # Pages          Attributes\n";

struct Case {
    dir: tempfile::TempDir,
}

impl Case {
    fn new() -> Case {
        Case {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }
    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).expect("write fixture");
        p
    }
    fn run(&self, args: &[&str]) -> Output {
        let o = Command::new(env!("CARGO_BIN_EXE_ocaudit"))
            .current_dir(self.dir.path())
            .env_remove("OCAUDIT_TEST_FAULT")
            .env_remove("RUST_BACKTRACE")
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env("HOME", self.dir.path().join("home"))
            .args(args)
            .output()
            .expect("the binary runs");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            !err.contains("panicked") && !err.contains("internal error"),
            "{args:?}: {err}"
        );
        o
    }
}

fn out(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// `check` exits `code` and says `says`; `fix --write` on the same file
/// exits 2 (when `code` is 2) and leaves it byte-identical.
fn check_and_fix(name: &str, bytes: &[u8], code: i32, says: &str) {
    let c = Case::new();
    let p = c.file(name, bytes);
    let o = c.run(&["check", "--color", "never", name]);
    assert_eq!(o.status.code(), Some(code), "{name}: {}", out(&o));
    assert!(
        out(&o).contains(says),
        "{name}: expected {says:?} in {}",
        out(&o)
    );
    if code == 2 {
        let o = c.run(&["fix", "--write", "--no-backup", name]);
        assert_eq!(o.status.code(), Some(2), "{name}: {}", out(&o));
        assert_eq!(std::fs::read(&p).expect("read"), bytes, "{name} changed");
        let names: Vec<_> = std::fs::read_dir(c.dir.path())
            .expect("list")
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names.len(), 1, "{name}: leftovers {names:?}");
    }
}

/// `check` exits 1 with the one finding X010 (OpenCore's reader refuses
/// the file and halts at boot) saying `says`; `fix --write` without a
/// mechanical repair exits 2 and leaves the file byte-identical.
fn opencore_refuses(name: &str, bytes: &[u8], says: &str) {
    let c = Case::new();
    let p = c.file(name, bytes);
    let o = c.run(&["check", "--color", "never", name]);
    assert_eq!(o.status.code(), Some(1), "{name}: {}", out(&o));
    assert!(out(&o).contains("X010"), "{name}: {}", out(&o));
    assert!(
        out(&o).contains(says),
        "{name}: expected {says:?} in {}",
        out(&o)
    );
    let o = c.run(&["fix", "--write", "--no-backup", name]);
    assert_eq!(o.status.code(), Some(2), "{name}: {}", out(&o));
    assert_eq!(std::fs::read(&p).expect("read"), bytes, "{name} changed");
}

#[test]
fn empty_and_whitespace_files() {
    check_and_fix("config.plist", b"", 2, "file is empty");
    check_and_fix("config.plist", b"  \n\t\n", 2, "X001");
}

#[test]
fn truncated_at_several_offsets() {
    let bytes = SAMPLE.as_bytes();
    // Cut before `<plist`: no plist at all (exit 2). After it: OpenCore's
    // reader refuses the file (X010, a finding).
    for cut in [1, 10, 39, 60, 200, bytes.len() / 2, bytes.len() - 9] {
        let part = &bytes[..cut];
        if memchr_plist(part) {
            opencore_refuses("config.plist", part, "halts");
        } else {
            check_and_fix("config.plist", part, 2, "X001");
        }
    }
}

fn memchr_plist(b: &[u8]) -> bool {
    b.windows(6).any(|w| w == b"<plist")
}

#[test]
fn not_xml_and_binary_plist() {
    check_and_fix("config.plist", b"hello, world\n", 2, "this is not XML");
    check_and_fix("config.plist", b"{\"Booter\": {}}\n", 2, "this is not XML");
    check_and_fix(
        "config.plist",
        b"bplist00\xd1\x01\x02QaQb\x08\x0b\x0d\x00\x00\x00\x00\x00\x00\x01\x01",
        2,
        "plutil -convert xml1",
    );
}

#[test]
fn entity_declarations_are_never_expanded() {
    let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE plist [\n<!ENTITY a \"aaaaaaaaaa\">\n<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">\n<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">\n<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">\n]>\n<plist version=\"1.0\"><dict><key>Booter</key><string>&d;&d;&d;&d;</string></dict></plist>\n";
    // OpenCore's reader ends a DOCTYPE at its first `>`, then trips on the
    // `]` of the internal subset: the file does not boot (X010), and
    // nothing is ever expanded.
    opencore_refuses("config.plist", laughs.as_bytes(), "expected `<`");
    let external = "<?xml version=\"1.0\"?>\n<!DOCTYPE plist [<!ENTITY x SYSTEM \"file:///etc/passwd\">]>\n<plist version=\"1.0\"><dict><key>Booter</key><string>&x;</string></dict></plist>\n";
    opencore_refuses("config.plist", external.as_bytes(), "expected `<`");
    // The five predefined entities and numeric references are fine.
    let fine = SAMPLE.replacen(
        "<dict>",
        "<dict>\n\t<key>#Note&amp;&#65;&#x42;</key>\n\t<string>&lt;&gt;&quot;&apos;</string>",
        1,
    );
    let c = Case::new();
    c.file("config.plist", fine.as_bytes());
    let o = c.run(&["check", "--color", "never", "config.plist"]);
    assert_ne!(o.status.code(), Some(2), "{}", out(&o));
}

#[test]
fn invalid_utf8_and_nul_bytes() {
    let mut bad = SAMPLE.as_bytes().to_vec();
    let at = SAMPLE.find("<key>Booter").expect("Booter") + 6;
    bad.insert(at, 0xFF);
    // OpenCore reads the bytes as they are: the file is audited (the key is
    // unknown now) with X011; fix cannot write it back unchanged and refuses.
    let readable_but_unwritable = |bytes: &[u8], says: &str| {
        let c = Case::new();
        let p = c.file("config.plist", bytes);
        let o = c.run(&["check", "--color", "never", "config.plist"]);
        assert_eq!(o.status.code(), Some(1), "{}", out(&o));
        assert!(
            out(&o).contains("X011") && out(&o).contains(says),
            "{}",
            out(&o)
        );
        let o = c.run(&["fix", "--write", "--no-backup", "config.plist"]);
        assert_eq!(o.status.code(), Some(2), "{}", out(&o));
        assert!(out(&o).contains("not UTF-8"), "{}", out(&o));
        assert_eq!(std::fs::read(&p).expect("read"), bytes);
    };
    readable_but_unwritable(&bad, "not UTF-8");
    let mut nul = SAMPLE.as_bytes().to_vec();
    nul.insert(at, 0);
    readable_but_unwritable(&nul, "X011");
    // A NUL where markup belongs stops OpenCore.
    let mut nul = SAMPLE.as_bytes().to_vec();
    nul.insert(at - 6, 0);
    opencore_refuses("config.plist", &nul, "expected `<`");
}

fn utf16(text: &str, big_endian: bool, bom: bool) -> Vec<u8> {
    let mut v = Vec::new();
    if bom {
        v.extend_from_slice(if big_endian {
            &[0xFE, 0xFF]
        } else {
            &[0xFF, 0xFE]
        });
    }
    for u in text.encode_utf16() {
        v.extend_from_slice(&if big_endian {
            u.to_be_bytes()
        } else {
            u.to_le_bytes()
        });
    }
    v
}

#[test]
fn utf16_and_bom_plists_are_refused_by_opencore_and_fixed_to_utf8() {
    let variants: [(&str, Vec<u8>, &[u8]); 4] = [
        ("UTF-16LE", utf16(BROKEN, false, true), &[0xFF, 0xFE]),
        ("UTF-16BE", utf16(BROKEN, true, true), &[0xFE, 0xFF]),
        (
            "UTF-8 BOM",
            [&[0xEF, 0xBB, 0xBF], BROKEN.as_bytes()].concat(),
            &[0xEF, 0xBB, 0xBF],
        ),
        ("UTF-16LE no BOM", utf16(BROKEN, false, false), b"<\0"),
    ];
    // The plain UTF-8 file's findings are the reference.
    let c = Case::new();
    c.file("config.plist", BROKEN.as_bytes());
    let reference = c.run(&["check", "--format", "json", "config.plist"]);
    assert_eq!(reference.status.code(), Some(1));
    let codes = |o: &Output| -> Vec<String> {
        let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
        v["files"][0]["diagnostics"]
            .as_array()
            .expect("diagnostics")
            .iter()
            .map(|d| format!("{}@{}:{}", d["code"], d["line"], d["column"]))
            .collect()
    };
    let want = codes(&reference);
    assert!(!want.is_empty());
    // OpenCore halts on each of these: the one finding is X010 at 1:1.
    // `fix --write` writes plain UTF-8 (declaring it) with every other fix
    // applied, and the result has the plain file's findings minus the fixes.
    for (what, bytes, prefix) in variants {
        let c = Case::new();
        let p = c.file("config.plist", &bytes);
        let o = c.run(&["check", "--format", "json", "config.plist"]);
        assert_eq!(o.status.code(), Some(1), "{what}: {}", out(&o));
        assert_eq!(codes(&o), ["\"X010\"@1:1"], "{what}");
        let o = c.run(&["fix", "--write", "--no-backup", "config.plist"]);
        assert_ne!(o.status.code(), Some(2), "{what}: {}", out(&o));
        let written = std::fs::read(&p).expect("read");
        assert!(
            !written.starts_with(prefix),
            "{what}: still in its encoding"
        );
        assert!(
            written.starts_with(b"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"),
            "{what}"
        );
        assert!(ocaudit::plist::opencore::read(&written).is_ok(), "{what}");
        let o = c.run(&["fix", "config.plist"]);
        assert_eq!(o.status.code(), Some(0), "{what}: second run: {}", out(&o));
        // (Positions move with the fixes: compare the codes.)
        let code_of = |c: &String| c.split('@').next().unwrap_or("").to_owned();
        let o = c.run(&["check", "--format", "json", "config.plist"]);
        let left: Vec<String> = codes(&o).iter().map(code_of).collect();
        let before: Vec<String> = want.iter().map(code_of).collect();
        assert!(left.iter().all(|c| before.contains(c)), "{what}: {left:?}");
    }
}

#[test]
fn a_5_mb_line_loads() {
    let long = SAMPLE.replacen(
        "<key>Booter</key>",
        &format!("<key>Booter</key><!-- {} -->", "x".repeat(5 << 20)),
        1,
    );
    let c = Case::new();
    c.file("config.plist", long.as_bytes());
    let o = c.run(&["check", "--color", "never", "config.plist"]);
    assert_ne!(o.status.code(), Some(2), "{}", out(&o));
    // The code frame stays short.
    assert!(
        o.stdout.len() < 64 * 1024,
        "{} bytes of output",
        o.stdout.len()
    );
}

#[test]
fn nesting_200_deep_is_refused() {
    let deep = format!(
        "<?xml version=\"1.0\"?>\n<plist version=\"1.0\">\n<dict><key>Booter</key>{}{}</dict>\n</plist>\n",
        "<array>".repeat(200),
        "</array>".repeat(200)
    );
    // OpenCore's reader allows 32 levels: the file does not boot.
    opencore_refuses("config.plist", deep.as_bytes(), "deeper than 32");
}

#[test]
fn a_20_mb_file_is_refused_before_reading() {
    let c = Case::new();
    let p = c.file("config.plist", b"");
    let f = std::fs::File::options().write(true).open(&p).expect("open");
    f.set_len(20 << 20).expect("grow");
    drop(f);
    let o = c.run(&["check", "config.plist"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(out(&o).contains("over the 16 MiB limit"), "{}", out(&o));
    assert!(out(&o).contains("could not be read"), "{}", out(&o));
    assert!(!out(&o).contains("All checks passed"), "{}", out(&o));
    let o = c.run(&["fix", "--write", "--no-backup", "config.plist"]);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::metadata(&p).expect("meta").len(), 20 << 20);
}

#[test]
fn directories_devices_and_missing_paths() {
    let c = Case::new();
    std::fs::create_dir(c.dir.path().join("empty")).expect("mkdir");
    for (args, says) in [
        (
            vec!["check", "empty"],
            "no config.plist below this directory",
        ),
        (vec!["check", "missing.plist"], "no such file"),
        (vec!["fix", "missing.plist"], "no such file"),
        (vec!["fix", "--write", "empty"], "empty"),
    ] {
        let o = c.run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", out(&o));
        assert!(out(&o).contains(says), "{args:?}: {}", out(&o));
        assert!(!out(&o).contains("All checks passed"), "{}", out(&o));
    }
    // A FIFO must be refused from its metadata: opening it would block.
    let fifo = c.dir.path().join("fifo.plist");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    if made {
        for cmd in ["check", "fix"] {
            let o = c.run(&[cmd, "fifo.plist"]);
            assert_eq!(o.status.code(), Some(2), "{cmd}: {}", out(&o));
            assert!(out(&o).contains("not a regular file"), "{}", out(&o));
        }
    } else {
        println!("skipped the FIFO case: mkfifo is not available");
    }
    if Path::new("/dev/null").exists() {
        for cmd in ["check", "fix"] {
            let o = c.run(&[cmd, "/dev/null"]);
            assert_eq!(o.status.code(), Some(2), "{cmd}: {}", out(&o));
            assert!(out(&o).contains("not a regular file"), "{}", out(&o));
        }
    }
}

#[cfg(unix)]
#[test]
fn unreadable_file() {
    use std::os::unix::fs::PermissionsExt;
    let c = Case::new();
    let p = c.file("config.plist", SAMPLE.as_bytes());
    std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o000)).expect("chmod");
    std::fs::set_permissions(c.dir.path(), std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let is_root = std::fs::read(&p).is_ok();
    let mut cmd = if is_root {
        // Root reads anything: drop to nobody when setpriv can.
        let mut cmd = Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_ocaudit"));
        cmd
    } else {
        Command::new(env!("CARGO_BIN_EXE_ocaudit"))
    };
    let o = match cmd
        .current_dir(c.dir.path())
        .args(["check", "config.plist"])
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            println!("skipped: running as root and setpriv is unavailable ({e})");
            return;
        }
    };
    let text = out(&o);
    if is_root && !text.contains("config.plist") {
        // setpriv ran but the binary could not be executed as nobody.
        println!("skipped: the binary is not executable as nobody: {text}");
        return;
    }
    assert_eq!(o.status.code(), Some(2), "{text}");
    assert!(text.contains("permission denied"), "{text}");
}

fn with_value(key: &str, old_value: &str, new_value: &str) -> String {
    let old = format!("<key>{key}</key>\n\t\t\t{old_value}");
    let alt = format!("<key>{key}</key>\n\t\t\t\t{old_value}");
    if SAMPLE.contains(&old) {
        SAMPLE.replacen(&old, &format!("<key>{key}</key>{new_value}"), 1)
    } else {
        assert!(SAMPLE.contains(&alt), "{alt} not in the sample");
        SAMPLE.replacen(&alt, &format!("<key>{key}</key>{new_value}"), 1)
    }
}

/// The JSON diagnostics of `check` on `text`: (code, message).
fn findings(text: &str) -> (i32, Vec<(String, String)>) {
    let c = Case::new();
    c.file("config.plist", text.as_bytes());
    let o = c.run(&["check", "--format", "json", "config.plist"]);
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let list = v["files"][0]["diagnostics"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|d| {
                    (
                        d["code"].as_str().unwrap_or("").to_owned(),
                        d["message"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    (o.status.code().unwrap_or(-1), list)
}

fn has(list: &[(String, String)], code: &str, says: &str) -> bool {
    list.iter().any(|(c, m)| c == code && m.contains(says))
}

#[test]
fn hostile_values() {
    let pms = "<integer>0</integer>";
    let (code, f) = findings(&with_value("ProvideMaxSlide", pms, "<integer>-1</integer>"));
    assert_eq!(code, 1);
    assert!(
        has(
            &f,
            "B010",
            "is -1; OpenCore keeps only the low byte and uses 255"
        ),
        "{f:?}"
    );

    let big = with_value(
        "ProvideMaxSlide",
        pms,
        "<integer>123456789012345678901234567890</integer>",
    );
    let (code, f) = findings(&big);
    assert_eq!(code, 1);
    assert!(has(&f, "X005", "does not fit in 64 bits"), "{f:?}");
    // Not "is -1": the text has no minus sign.
    assert!(has(&f, "B010", "does not fit in 64 bits"), "{f:?}");
    assert!(!f.iter().any(|(_, m)| m.contains("is -1")), "{f:?}");

    for (element, kind) in [
        ("<real>1.5</real>", "<real>"),
        ("<date>2020-01-01T00:00:00Z</date>", "<date>"),
    ] {
        let (code, f) = findings(&with_value("ProvideMaxSlide", pms, element));
        assert_eq!(code, 1);
        assert!(has(&f, "X004", kind), "{f:?}");
    }

    let addr = "<integer>4278190080</integer>";
    let (code, f) = findings(&with_value("Address", addr, "<integer>-5</integer>"));
    assert_eq!(code, 1);
    assert!(has(&f, "W002", "negative (-5)"), "{f:?}");
    assert!(has(&f, "W002", "0xFFFFFFFFFFFFFFFB"), "{f:?}");
    let (code, f) = findings(&with_value(
        "Address",
        addr,
        "<integer>99999999999999999999999</integer>",
    ));
    assert_eq!(code, 1);
    assert!(has(&f, "X005", "does not fit in 64 bits"), "{f:?}");

    let data = SAMPLE
        .find("<data>")
        .and_then(|s| SAMPLE[s..].find("</data>").map(|e| s..s + e + 7))
        .expect("a <data> element");
    let bad64 = format!(
        "{}<data>!!not base64**</data>{}",
        &SAMPLE[..data.start],
        &SAMPLE[data.end..]
    );
    let (code, f) = findings(&bad64);
    assert_eq!(code, 1);
    assert!(has(&f, "X004", "base64"), "{f:?}");
}

#[test]
fn odd_keys() {
    // An empty key is legal XML; OpenCore skips it as an unknown key, and
    // so X006 (the one finding) says.
    let empty = SAMPLE.replacen("<dict>", "<dict>\n\t<key></key>\n\t<string>x</string>", 1);
    let (code, f) = findings(&empty);
    assert_eq!(code, 1, "{f:?}");
    assert!(f.len() == 1 && has(&f, "X006", "empty key"), "{f:?}");
    // Control characters other than tab/CR/LF are not XML at all, but
    // OpenCore reads them as they are: X011 says editors refuse the file.
    for raw in ["A\u{7}B", "A&#x1;B"] {
        let ctrl = SAMPLE.replacen(
            "<dict>",
            &format!("<dict>\n\t<key>{raw}</key>\n\t<string>x</string>"),
            1,
        );
        let (code, f) = findings(&ctrl);
        assert_eq!(code, 1, "{f:?}");
        assert!(has(&f, "X011", "editors refuse"), "{f:?}");
    }
}

/// `ocaudit slide` on `bytes`: exit code and all output.
fn slide(bytes: &[u8]) -> (i32, String) {
    let c = Case::new();
    c.file("memmap.txt", bytes);
    let o = c.run(&["slide", "memmap.txt"]);
    (o.status.code().unwrap_or(-1), out(&o))
}

#[test]
fn memmap_encoding_damage() {
    let mut odd = utf16(MEMMAP, false, true);
    odd.push(b'A');
    let (code, text) = slide(&odd);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("128 of 256"), "{text}");
    // A lone high surrogate before the first Available line.
    let mut units: Vec<u16> = MEMMAP.encode_utf16().collect();
    let at = MEMMAP.find("Available").expect("Available");
    units.insert(MEMMAP[..at].encode_utf16().count(), 0xD800);
    let mut surr = vec![0xFF, 0xFE];
    surr.extend(units.iter().flat_map(|u| u.to_le_bytes()));
    let (code, text) = slide(&surr);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("EFI shell memmap"), "{text}");
}

#[test]
fn memmap_inconsistent_descriptors_are_reported() {
    let over = format!(
        "{MEMMAP_HEADER}Available  FFFFFFFFFFFFF000-FFFFFFFFFFFFFFFF FFFFFFFFFFFFFFFF 000000000000000F\n{MEMMAP}"
    );
    let (code, text) = slide(over.as_bytes());
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("runs past the 64-bit address space"),
        "{text}"
    );
    let before = format!(
        "{MEMMAP_HEADER}Available  0000000010000000-0000000000001000 0000000000000010 000000000000000F\n{MEMMAP}"
    );
    let (code, text) = slide(before.as_bytes());
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("is before Start"), "{text}");
    let disagree = MEMMAP.replacen(
        "Available  0000000000100000-000000000FFFFFFF",
        "Available  0000000000100000-000000001FFFFFFF",
        1,
    );
    assert_ne!(disagree, MEMMAP);
    let (code, text) = slide(disagree.as_bytes());
    assert_eq!(code, 0, "{text}");
    assert!(
        text.contains("using the page count, as OpenCore does"),
        "{text}"
    );
    // The page count wins: the same result as the consistent map.
    assert!(text.contains("128 of 256"), "{text}");
}

#[test]
fn a_million_lines() {
    // A log: a million filler lines around the two lines that matter.
    let mut log = String::from("00:000 00:000 OCABC: MAT support is 1\n");
    for i in 0..1_000_000 {
        log.push_str(&format!("00:{:03} 00:000 OC: filler {i}\n", i % 1000));
    }
    log.push_str("00:999 00:000 OCABC: Only 244/256 slide values are usable!\n");
    let (code, text) = slide(log.as_bytes());
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("244/256"), "{text}");
    // A memmap: the acceptance map buried in a million lines of noise.
    let mut map = String::from(MEMMAP);
    for i in 0..1_000_000 {
        map.push_str(&format!("noise {i}\n"));
    }
    let (code, text) = slide(map.as_bytes());
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("128 of 256"), "{text}");
    assert!(
        text.contains("1000000 line(s) were not understood"),
        "{text}"
    );
}

#[test]
fn evidence_without_content_is_an_error() {
    let c = Case::new();
    c.file("config.plist", SAMPLE.as_bytes());
    c.file("memmap.txt", b"nothing to see here\n");
    let o = c.run(&["slide", "memmap.txt"]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    let o = c.run(&["check", "--memmap", "memmap.txt", "config.plist"]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
    let o = c.run(&["check", "--memmap", "missing.txt", "config.plist"]);
    assert_eq!(o.status.code(), Some(2), "{}", out(&o));
}

/// What a user sees when ocaudit itself has a bug: one plain line that says
/// nothing was written and where to report it, exit code 2, no backtrace.
#[test]
fn an_internal_error_is_one_plain_line_and_exit_two() {
    let c = Case::new();
    let p = c.file("config.plist", SAMPLE.as_bytes());
    let o = Command::new(env!("CARGO_BIN_EXE_ocaudit"))
        .env("OCAUDIT_TEST_FAULT", "panic")
        .env_remove("RUST_BACKTRACE")
        .args(["fix", p.to_str().expect("utf-8 path"), "--write"])
        .output()
        .expect("the binary runs");
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.starts_with("ocaudit: internal error at "), "{err}");
    assert!(err.contains("nothing was written"), "{err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
    assert!(o.stdout.is_empty());
    assert_eq!(std::fs::read(&p).expect("read back"), SAMPLE.as_bytes());
}
