//! `ocaudit fix` from the outside: diff, JSON, --write, every refusal, and
//! the requested edits (--slide, --mmio-whitelist).

use std::path::{Path, PathBuf};

use assert_cmd::Command;

const GUID: &str = "7C436110-AB2A-4BBB-A880-FE41995C9F82";

/// A config with one mistake per family: B003 (flip), B001 (missing key),
/// S001 (token), S005 (NVRAM/Delete), X003 (duplicate), B002 (unsafe). It
/// loads OpenRuntime.efi, which B003's flip needs.
fn broken() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
	<key>#Comment</key>
	<string>kept as is &amp; untouched</string>
	<key>Booter</key>
	<dict>
		<key>Quirks</key>
		<dict>
			<key>AllowRelocationBlock</key>
			<false/>
			<key>DevirtualiseMmio</key>
			<false/>
			<key>EnableSafeModeSlide</key>
			<true/>
			<key>EnableSafeModeSlide</key>
			<true/>
			<key>ProvideCustomSlide</key>
			<false/>
		</dict>
	</dict>
	<key>NVRAM</key>
	<dict>
		<key>Add</key>
		<dict>
			<key>{GUID}</key>
			<dict>
				<key>boot-args</key>
				<string>-v keepsyms=1 slide=128 alcid=1</string>
			</dict>
		</dict>
	</dict>
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
"#
    )
}

/// A config with nothing to fix.
fn clean() -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<plist version="1.0">
<dict>
	<key>Booter</key>
	<dict>
		<key>Quirks</key>
		<dict>
			<key>AvoidRuntimeDefrag</key>
			<true/>
			<key>DevirtualiseMmio</key>
			<true/>
			<key>EnableSafeModeSlide</key>
			<true/>
			<key>ProvideCustomSlide</key>
			<true/>
		</dict>
	</dict>
	<key>NVRAM</key>
	<dict>
		<key>Add</key>
		<dict>
			<key>{GUID}</key>
			<dict>
				<key>boot-args</key>
				<string>-v</string>
			</dict>
		</dict>
		<key>Delete</key>
		<dict>
			<key>{GUID}</key>
			<array>
				<string>boot-args</string>
			</array>
		</dict>
	</dict>
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
"#
    )
}

struct Dir {
    dir: tempfile::TempDir,
}

impl Dir {
    fn with(text: &str) -> Dir {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("config.plist"), text).expect("write");
        Dir { dir }
    }
    fn path(&self) -> PathBuf {
        self.dir.path().join("config.plist")
    }
    fn read(&self) -> String {
        std::fs::read_to_string(self.path()).expect("read")
    }
    fn cmd(&self) -> Command {
        let mut c = Command::new(assert_cmd::cargo::cargo_bin!("ocaudit"));
        c.current_dir(self.dir.path())
            .env_remove("OCAUDIT_TEST_FAULT")
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env("HOME", self.dir.path().join("home"))
            .args(["fix", "config.plist", "--color", "never"])
            // The fixtures here are partial configs written for the KASLR
            // fixes; the schema rules (which would add every missing key)
            // have their own tests in schema_cli.rs and schema_samples.rs.
            .args(["--ignore", "X006,X007"]);
        c
    }
    /// Names in the directory other than the config and the state dir.
    fn leftovers(&self) -> Vec<String> {
        std::fs::read_dir(self.dir.path())
            .expect("list")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != "config.plist" && n != "state")
            .collect()
    }
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn diff_changes_nothing_and_exits_1() {
    let d = Dir::with(&broken());
    let o = d.cmd().output().expect("runs");
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert_eq!(d.read(), broken());
    insta::assert_snapshot!("diff_safe", stdout(&o));
}

#[test]
fn unsafe_fixes_appear_only_with_the_flag() {
    let d = Dir::with(&broken());
    let safe = stdout(&d.cmd().output().expect("runs"));
    assert!(!safe.contains("B002"));
    let all = stdout(&d.cmd().arg("--unsafe-fixes").output().expect("runs"));
    assert!(all.contains("B002"));
    assert!(all.contains("DevirtualiseMmio"));
}

#[test]
fn select_and_ignore_narrow_the_fixes() {
    let d = Dir::with(&broken());
    let o = d.cmd().args(["--select", "B003"]).output().expect("runs");
    let out = stdout(&o);
    insta::assert_snapshot!("diff_select_b003", out);
    let o = d.cmd().args(["--ignore", "S,X,B"]).output().expect("runs");
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).is_empty());
    let o = d.cmd().args(["--select", "Q9"]).output().expect("runs");
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn nothing_to_fix_exits_0() {
    let d = Dir::with(&clean());
    let o = d.cmd().output().expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).is_empty());
    let o = d.cmd().arg("--write").output().expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert_eq!(d.read(), clean());
}

#[test]
fn colour_only_when_asked() {
    let d = Dir::with(&broken());
    let mut c = Command::new(assert_cmd::cargo::cargo_bin!("ocaudit"));
    let o = c
        .current_dir(d.dir.path())
        .args(["fix", "config.plist", "--color", "always"])
        .output()
        .expect("runs");
    assert!(stdout(&o).contains('\u{1b}'));
    let o = d.cmd().output().expect("runs");
    assert!(!stdout(&o).contains('\u{1b}'));
}

#[test]
fn json_lists_every_edit() {
    let d = Dir::with(&broken());
    let o = d.cmd().args(["--format", "json"]).output().expect("runs");
    assert_eq!(o.status.code(), Some(1));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(j["changed"], true);
    assert_eq!(j["written"], false);
    let edits = j["edits"].as_array().expect("edits");
    let find = |p: &str| edits.iter().find(|e| e["path"] == p);
    let pcs = find("Booter/Quirks/ProvideCustomSlide").expect("B003 edit");
    assert_eq!(pcs["code"], "B003");
    assert_eq!(pcs["old"], false);
    assert_eq!(pcs["new"], true);
    assert_eq!(pcs["new_xml"], "<true/>");
    let ba = find(&format!("NVRAM/Add/{GUID}/boot-args")).expect("S001 edit");
    assert_eq!(ba["code"], "S001");
    assert_eq!(ba["old"], "-v keepsyms=1 slide=128 alcid=1");
    assert_eq!(ba["new"], "-v keepsyms=1 alcid=1");
    let added = find("Booter/Quirks/AvoidRuntimeDefrag").expect("B001 edit");
    assert!(added["old"].is_null() && added["old_xml"].is_null());
    let dup = find("Booter/Quirks/EnableSafeModeSlide").expect("X003 edit");
    assert_eq!(dup["code"], "X003");
    assert!(dup["new_xml"].is_null());
    assert!(find("NVRAM/Delete").is_some());
    for e in edits {
        assert!(e["code"].is_string() && e["path"].is_string() && e["summary"].is_string());
    }
}

#[test]
fn write_applies_rechecks_and_is_idempotent() {
    let d = Dir::with(&broken());
    let o = d
        .cmd()
        .args(["--write", "--no-backup"])
        .output()
        .expect("runs");
    let out = stdout(&o);
    assert!(
        out.contains("fixed [B003] Booter/Quirks/ProvideCustomSlide"),
        "{out}"
    );
    assert!(out.contains("fixed [S001]"));
    assert!(out.contains("no backup made"));
    assert!(out.contains("re-checking"));
    let fixed = d.read();
    assert!(fixed.contains("<string>-v keepsyms=1 alcid=1</string>"));
    assert!(fixed.contains("<string>kept as is &amp; untouched</string>"));
    let again = d.cmd().output().expect("runs");
    assert_eq!(again.status.code(), Some(0), "{}", stdout(&again));
    // With the unsafe fixes too, nothing of warning or error remains once
    // the machine is known (the sample is a Z390 build; its config alone
    // says no more than iMac19,1, so B008's direction needs --platform).
    let o = d
        .cmd()
        .args([
            "--write",
            "--no-backup",
            "--unsafe-fixes",
            "--platform",
            "intel-desktop-coffee-lake",
        ])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // Only infos may remain (B006 names Z390, which no config shows).
    let out = stdout(&o);
    assert!(
        out.contains("All checks passed") || out.contains("0 errors, 0 warnings"),
        "{out}"
    );
}

#[test]
fn json_with_write_reports_remaining() {
    let d = Dir::with(&broken());
    let o = d
        .cmd()
        .args(["--write", "--no-backup", "--format", "json"])
        .output()
        .expect("runs");
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    assert_eq!(j["written"], true);
    let remaining = j["remaining"].as_array().expect("remaining");
    assert!(remaining.iter().all(|r| r["fixable"] != "safe"));
    assert!(remaining.iter().any(|r| r["code"] == "B002"));
}

#[test]
fn backup_is_byte_identical_and_reported() {
    let d = Dir::with(&broken());
    let target = d.dir.path().join("saved.plist");
    let o = d
        .cmd()
        .arg("--write")
        .arg("--backup")
        .arg(&target)
        .output()
        .expect("runs");
    assert!(stdout(&o).contains("saved.plist"), "{}", stdout(&o));
    assert_eq!(std::fs::read_to_string(&target).expect("backup"), broken());
    // Default: the state directory, never beside the config.
    let d = Dir::with(&broken());
    let o = d.cmd().arg("--write").output().expect("runs");
    let dir = d.dir.path().join("state/ocaudit/backups");
    let made: Vec<_> = std::fs::read_dir(&dir).expect("backup dir").collect();
    assert_eq!(made.len(), 1);
    let b = made[0].as_ref().expect("entry").path();
    assert_eq!(std::fs::read_to_string(&b).expect("read"), broken());
    assert!(stdout(&o).contains(&b.display().to_string()));
    assert!(d.leftovers().is_empty(), "{:?}", d.leftovers());
    let o = d
        .cmd()
        .args(["--write", "--backup", "x", "--no-backup"])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(2));
}

fn assert_refused(d: &Dir, o: &std::process::Output, original: &str, says: &str) {
    assert_eq!(o.status.code(), Some(2), "{}", stdout(o));
    assert_eq!(d.read(), original);
    assert!(stderr(o).contains(says), "stderr: {}", stderr(o));
    assert!(d.leftovers().is_empty(), "{:?}", d.leftovers());
}

#[test]
fn refuses_unparsable_input() {
    let bad = "<plist version=\"1.0\">\n<dict>\n\t<key>A</key>\n</plist>\n";
    let d = Dir::with(bad);
    let o = d.cmd().arg("--write").output().expect("runs");
    // A key without a value in the top dict: OpenCore's reader refuses the
    // file (X010) and there is no mechanical repair.
    assert_refused(&d, &o, bad, "X010");
    assert!(stderr(&o).contains("nothing was written"));
    let o = d.cmd().output().expect("runs");
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn refuses_a_read_only_file() {
    let d = Dir::with(&broken());
    let mut perms = std::fs::metadata(d.path()).expect("meta").permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(d.path(), perms).expect("chmod");
    let o = d
        .cmd()
        .args(["--write", "--no-backup"])
        .output()
        .expect("runs");
    assert_refused(&d, &o, &broken(), "read-only");
}

#[cfg(unix)]
#[test]
fn refuses_a_read_only_directory() {
    use std::os::unix::fs::PermissionsExt;
    let d = Dir::with(&broken());
    let dir = d.dir.path().to_path_buf();
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let o = d
        .cmd()
        .args(["--write", "--no-backup"])
        .output()
        .expect("runs");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod back");
    assert_refused(&d, &o, &broken(), "read-only");
}

#[test]
fn fault_after_temp_write_leaves_the_original() {
    let d = Dir::with(&broken());
    let o = d
        .cmd()
        .args(["--write"])
        .env("OCAUDIT_TEST_FAULT", "after-temp-write")
        .output()
        .expect("runs");
    assert_refused(&d, &o, &broken(), "fault injected");
    // The backup was made first and is byte-identical.
    let dir = d.dir.path().join("state/ocaudit/backups");
    for b in std::fs::read_dir(dir)
        .expect("backups")
        .filter_map(Result::ok)
    {
        assert_eq!(std::fs::read_to_string(b.path()).expect("read"), broken());
    }
    let o = d
        .cmd()
        .args(["--write", "--no-backup"])
        .env("OCAUDIT_TEST_FAULT", "enospc")
        .output()
        .expect("runs");
    assert_refused(&d, &o, &broken(), "no space");
}

#[test]
fn refuses_when_the_file_changes_on_disk() {
    let d = Dir::with(&broken());
    let o = d
        .cmd()
        .args(["--write", "--no-backup"])
        .env("OCAUDIT_TEST_FAULT", "modify-during-verify")
        .output()
        .expect("runs");
    // The racing writer's content stays; ours is not written.
    assert_refused(&d, &o, &format!("{}\n", broken()), "changed");
}

#[test]
fn writes_through_a_symlink_and_converts_utf16_to_utf8() {
    let d = Dir::with("");
    let text = broken().replace('\n', "\r\n");
    let mut raw = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        raw.extend_from_slice(&u.to_le_bytes());
    }
    let real = d.dir.path().join("real.plist");
    std::fs::write(&real, &raw).expect("write");
    std::fs::remove_file(d.path()).expect("rm");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&real, d.path()).expect("symlink");
    #[cfg(not(unix))]
    std::fs::copy(&real, d.path()).expect("copy");
    let o = d
        .cmd()
        .args(["--write", "--no-backup"])
        .output()
        .expect("runs");
    assert!(o.status.code() != Some(2), "{}", stderr(&o));
    let written = if cfg!(unix) { real } else { d.path() };
    let bytes = std::fs::read(&written).expect("read");
    // OpenCore cannot read UTF-16 (X010): the file is written as UTF-8.
    assert!(bytes.starts_with(b"<?xml"), "{:?}", &bytes[..4]);
    let back = String::from_utf8(bytes).expect("utf-8");
    assert!(back.contains("<key>ProvideCustomSlide</key>\r\n\t\t\t<true/>\r\n"));
    assert_eq!(back.matches('\n').count(), back.matches("\r\n").count());
}

#[test]
fn finds_the_config_like_check() {
    let d = Dir::with(&broken());
    let mut c = Command::new(assert_cmd::cargo::cargo_bin!("ocaudit"));
    let o = c
        .current_dir(d.dir.path())
        .args(["fix", "--color", "never"])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).starts_with("--- config.plist\n+++ config.plist\n"));
    // A directory with two configs is refused: fix takes one file.
    let sub = d.dir.path().join("EFI/OC");
    std::fs::create_dir_all(&sub).expect("mkdir");
    std::fs::write(sub.join("config.plist"), broken()).expect("write");
    let mut c = Command::new(assert_cmd::cargo::cargo_bin!("ocaudit"));
    let o = c.arg("fix").arg(d.dir.path()).output().expect("runs");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("one file"));
}

#[test]
fn slide_n_sets_one_slide_and_deletes_boot_args() {
    let d = Dir::with(&broken());
    let o = d
        .cmd()
        .args(["--slide", "100", "--select", "S"])
        .output()
        .expect("runs");
    assert!(stderr(&o).contains("not checked"));
    insta::assert_snapshot!("diff_slide_100", stdout(&o));
    for bad in ["256", "-3", "ten"] {
        let o = d.cmd().args(["--slide", bad]).output().expect("runs");
        assert_eq!(o.status.code(), Some(2), "--slide {bad}");
    }
    let o = d.cmd().args(["--slide", "auto"]).output().expect("runs");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--memmap"));
}

#[test]
fn slide_remove_removes_every_slide() {
    let d = Dir::with(&broken().replace("alcid=1", "alcid=1 slide=5"));
    let o = d
        .cmd()
        .args([
            "--slide",
            "remove",
            "--select",
            "S005",
            "--write",
            "--no-backup",
        ])
        .output()
        .expect("runs");
    assert!(o.status.code() != Some(2), "{}", stderr(&o));
    assert!(d.read().contains("<string>-v keepsyms=1 alcid=1</string>"));
}

#[test]
fn mmio_whitelist_addresses() {
    let d = Dir::with(&clean());
    let o = d
        .cmd()
        .args(["--mmio-whitelist", "0xFE000000,4275159040,0xfe000000"])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(1));
    insta::assert_snapshot!("diff_mmio", stdout(&o));
    d.cmd()
        .args(["--mmio-whitelist", "0xFE000000", "--write", "--no-backup"])
        .output()
        .expect("runs");
    let o = d
        .cmd()
        .args(["--mmio-whitelist", "0xFE000000"])
        .output()
        .expect("runs");
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    for bad in ["all-disabled", "0xZZ", ""] {
        let o = d
            .cmd()
            .args(["--mmio-whitelist", bad])
            .output()
            .expect("runs");
        assert_eq!(o.status.code(), Some(2), "--mmio-whitelist {bad}");
    }
}

#[test]
fn sample_config_round_trips() {
    let sample =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-configs/z390-kaslr-broken.plist");
    let text = std::fs::read_to_string(sample).expect("sample");
    let d = Dir::with(&text);
    let o = d.cmd().arg("--unsafe-fixes").output().expect("runs");
    insta::assert_snapshot!("diff_sample_unsafe", stdout(&o));
    let o = d
        .cmd()
        .args(["--write", "--no-backup", "--unsafe-fixes"])
        .output()
        .expect("runs");
    // B010 (ProvideMaxSlide 300) has no fix and stays an error.
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("B010"));
    let o = d.cmd().arg("--unsafe-fixes").output().expect("runs");
    assert_eq!(o.status.code(), Some(0));
}

#[test]
fn two_writers_at_once_never_interleave() {
    let d = Dir::with(&broken());
    let expected = {
        let e = Dir::with(&broken());
        let o = e
            .cmd()
            .args(["--write", "--no-backup", "--unsafe-fixes"])
            .output()
            .expect("runs");
        assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
        e.read()
    };
    let spawn = || {
        std::process::Command::new(assert_cmd::cargo::cargo_bin!("ocaudit"))
            .current_dir(d.dir.path())
            .env_remove("OCAUDIT_TEST_FAULT")
            .args([
                "fix",
                "config.plist",
                "--write",
                "--no-backup",
                "--unsafe-fixes",
                "--ignore",
                "X006,X007",
            ])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("spawns")
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = (
        a.wait_with_output().expect("a"),
        b.wait_with_output().expect("b"),
    );
    let codes = [a.status.code(), b.status.code()];
    // One wins (0); the other refuses (2) or, arriving later, finds nothing to fix (0).
    assert!(codes.contains(&Some(0)), "{codes:?}");
    assert!(
        codes.iter().all(|c| *c == Some(0) || *c == Some(2)),
        "{codes:?}"
    );
    assert_eq!(d.read(), expected);
    assert!(d.leftovers().is_empty(), "{:?}", d.leftovers());
}
