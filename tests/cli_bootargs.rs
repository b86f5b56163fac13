//! boot-args from the outside: OpenCore's literal reading (S009), glued
//! arguments kept by `fix --write`, and the release-aware B011/S005.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

const GUID: &str = "7C436110-AB2A-4BBB-A880-FE41995C9F82";

/// An OpenCore config with ProvideCustomSlide on and boot-args content `raw`.
fn config(raw: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<plist version=\"1.0\">\n<dict>\n\t<key>Booter</key>\n\t<dict>\n\t\t<key>Quirks</key>\n\t\t<dict>\n\t\t\t<key>ProvideCustomSlide</key>\n\t\t\t<true/>\n\t\t</dict>\n\t</dict>\n\t<key>NVRAM</key>\n\t<dict>\n\t\t<key>Add</key>\n\t\t<dict>\n\t\t\t<key>{GUID}</key>\n\t\t\t<dict>\n\t\t\t\t<key>boot-args</key>\n\t\t\t\t<string>{raw}</string>\n\t\t\t</dict>\n\t\t</dict>\n\t\t<key>Delete</key>\n\t\t<dict>\n\t\t\t<key>{GUID}</key>\n\t\t\t<array>\n\t\t\t\t<string>boot-args</string>\n\t\t\t</array>\n\t\t</dict>\n\t</dict>\n</dict>\n</plist>\n"
    )
}

struct Dir {
    dir: tempfile::TempDir,
}

impl Dir {
    fn with(text: &str) -> Dir {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("config.plist"), text).expect("write");
        Dir { dir }
    }
    fn file(&self) -> PathBuf {
        self.dir.path().join("config.plist")
    }
    fn run(&self, args: &[&str]) -> std::process::Output {
        Command::cargo_bin("ocaudit")
            .expect("binary")
            .args(args)
            .arg(self.file())
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .output()
            .expect("runs")
    }
    fn read(&self) -> String {
        std::fs::read_to_string(self.file()).expect("read")
    }
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn a_comment_in_boot_args_is_an_error_and_fix_write_repairs_it() {
    let d = Dir::with(&config("-v slide=<!-- old -->7"));
    let o = d.run(&["check", "--select", "S", "--color", "never"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("error[S009]"), "{out}");
    assert!(out.contains("OpenCore refuses the whole config"), "{out}");
    let o = d.run(&["fix", "--select", "S", "--write", "--no-backup"]);
    assert_ne!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(d.read().contains("<string>-v</string>"), "{}", d.read());
    let again = d.run(&["check", "--select", "S"]);
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
}

#[test]
fn a_glued_argument_survives_the_unsafe_slide_removal() {
    let d = Dir::with(&config("-v keepsyms=1 slide=562&#32;alcid=1"));
    let o = d.run(&["fix", "--select", "S", "--write", "--no-backup"]);
    assert_ne!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        d.read().contains("slide=562&#32;alcid=1"),
        "safe fixes leave it"
    );
    let o = d.run(&[
        "fix",
        "--select",
        "S",
        "--write",
        "--no-backup",
        "--unsafe-fixes",
    ]);
    assert_ne!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        d.read().contains("<string>-v keepsyms=1 alcid=1</string>"),
        "{}",
        d.read()
    );
}

#[test]
fn old_release_names_are_accepted_with_oc_version() {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/oc-0.5.5-style.plist");
    let d = Dir::with(&std::fs::read_to_string(p).expect("fixture"));
    let o = d.run(&["check", "--select", "B011,S005", "--oc-version", "0.5.5"]);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    let o = d.run(&[
        "check",
        "--select",
        "B011,S005",
        "--oc-version",
        "0.6.0",
        "--color",
        "never",
    ]);
    let out = stdout(&o);
    assert!(
        out.contains("error[B011]") && out.contains("--upgrade-to 0.6.0"),
        "{out}"
    );
    assert!(
        out.contains("warning[S005]") && out.contains("NVRAM/Block"),
        "{out}"
    );
    // The upgrade renames the driver and moves Block; a later fix changes nothing.
    let o = d.run(&["fix", "--upgrade-to", "0.6.0", "--write", "--no-backup"]);
    assert_ne!(o.status.code(), Some(2), "{}", stdout(&o));
    let upgraded = d.read();
    assert!(
        upgraded.contains("<string>OpenRuntime.efi</string>"),
        "{upgraded}"
    );
    let list = |name: &str| format!("<key>{name}</key>\n\t\t<dict>\n\t\t\t<key>{GUID}</key>");
    assert!(
        upgraded.contains(&list("Delete")) && !upgraded.contains(&list("Block")),
        "{upgraded}"
    );
    let o = d.run(&["fix", "--write", "--no-backup"]);
    assert_ne!(o.status.code(), Some(2), "{}", stdout(&o));
    assert_eq!(d.read(), upgraded);
}

#[test]
fn slide_requests_edit_the_text_opencore_reads() {
    // `--slide 9` replaces the slide token as OpenCore sees it and keeps the
    // glued reference as written.
    let d = Dir::with(&config("-v slide=1 a&#32;b"));
    let o = d.run(&[
        "fix",
        "--slide",
        "9",
        "--select",
        "S005",
        "--write",
        "--no-backup",
    ]);
    assert_ne!(o.status.code(), Some(2), "{}", stdout(&o));
    assert!(
        d.read().contains("<string>-v slide=9 a&#32;b</string>"),
        "{}",
        d.read()
    );
    // Markup OpenCore refuses: the request is refused, nothing written.
    let text = config("-v <!-- c -->slide=1");
    let d = Dir::with(&text);
    let o = d.run(&["fix", "--slide", "remove", "--write", "--no-backup"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("S009"));
    assert_eq!(d.read(), text);
}
