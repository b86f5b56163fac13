//! Write safety under faults through the real `ocaudit fix --write`, with
//! the default backup on: whatever goes wrong, the config is either intact
//! or fully replaced, the backup is byte-identical to the original, and no
//! temporary or lock file is left beside the config. (The refusal messages
//! themselves are covered in `cli_fix.rs`; the writer's own cases in
//! `write_safety.rs`.)

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const ORIGINAL: &str = include_str!("../sample-configs/z390-kaslr-broken.plist");

struct Efi {
    dir: tempfile::TempDir,
}

impl Efi {
    fn new() -> Efi {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("config.plist"), ORIGINAL).expect("write");
        Efi { dir }
    }
    fn config(&self) -> PathBuf {
        self.dir.path().join("config.plist")
    }
    fn cmd(&self, fault: Option<&str>) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ocaudit"));
        c.current_dir(self.dir.path())
            .env_remove("OCAUDIT_TEST_FAULT")
            .env("XDG_STATE_HOME", self.dir.path().join("state"))
            .env("HOME", self.dir.path().join("home"))
            .args(["fix", "--write", "--unsafe-fixes", "config.plist"]);
        if let Some(f) = fault {
            c.env("OCAUDIT_TEST_FAULT", f);
        }
        c
    }
    fn backups(&self) -> Vec<PathBuf> {
        let dir = self.dir.path().join("state/ocaudit/backups");
        let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        v.sort();
        v
    }
    /// Every backup made holds exactly the original bytes.
    fn assert_backups_exact(&self) {
        for b in self.backups() {
            assert_eq!(
                std::fs::read_to_string(&b).expect("read backup"),
                ORIGINAL,
                "{}",
                b.display()
            );
        }
    }
    fn assert_no_leftovers(&self, keep: &[&str]) {
        let extra: Vec<String> = std::fs::read_dir(self.dir.path())
            .expect("list")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != "config.plist" && n != "state" && !keep.contains(&n.as_str()))
            .collect();
        assert!(extra.is_empty(), "left beside the config: {extra:?}");
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// The bytes a successful fix produces from [`ORIGINAL`].
fn fixed() -> String {
    let e = Efi::new();
    let o = e.cmd(None).arg("--no-backup").output().expect("runs");
    assert_ne!(o.status.code(), Some(2), "{}", text(&o));
    let out = std::fs::read_to_string(e.config()).expect("read");
    assert_ne!(out, ORIGINAL);
    out
}

#[test]
fn faults_leave_the_original_and_an_exact_backup() {
    for fault in ["after-temp-write", "enospc"] {
        let e = Efi::new();
        let o = e.cmd(Some(fault)).output().expect("runs");
        assert_eq!(o.status.code(), Some(2), "{fault}: {}", text(&o));
        assert!(
            text(&o).to_lowercase().contains("nothing was written"),
            "{fault}: {}",
            text(&o)
        );
        assert_eq!(
            std::fs::read_to_string(e.config()).expect("read"),
            ORIGINAL,
            "{fault}"
        );
        e.assert_backups_exact();
        e.assert_no_leftovers(&[]);
        // Without the fault the same command then succeeds in full.
        let o = e.cmd(None).output().expect("runs");
        assert_ne!(o.status.code(), Some(2), "{}", text(&o));
        assert_eq!(std::fs::read_to_string(e.config()).expect("read"), fixed());
        e.assert_backups_exact();
    }
}

#[test]
fn a_change_on_disk_during_the_write_keeps_the_other_writers_bytes() {
    let e = Efi::new();
    let o = e.cmd(Some("modify-during-verify")).output().expect("runs");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    let now = std::fs::read_to_string(e.config()).expect("read");
    assert_ne!(now, fixed(), "our result must not be written");
    assert!(now.starts_with(ORIGINAL), "the racing writer's bytes stay");
    e.assert_backups_exact();
    e.assert_no_leftovers(&[]);
}

#[cfg(unix)]
#[test]
fn read_only_file_and_directory_are_refused_with_nothing_written() {
    use std::os::unix::fs::PermissionsExt;
    let e = Efi::new();
    std::fs::set_permissions(e.config(), std::fs::Permissions::from_mode(0o444)).expect("chmod");
    let o = e.cmd(None).output().expect("runs");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert_eq!(std::fs::read_to_string(e.config()).expect("read"), ORIGINAL);
    e.assert_backups_exact();
    e.assert_no_leftovers(&[]);

    let e = Efi::new();
    let dir = e.dir.path().to_path_buf();
    // The state dir must exist first: it lives inside the read-only folder.
    std::fs::create_dir_all(dir.join("state")).expect("mkdir");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o555)).expect("chmod");
    let o = e.cmd(None).output().expect("runs");
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).expect("chmod back");
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert_eq!(std::fs::read_to_string(e.config()).expect("read"), ORIGINAL);
    e.assert_backups_exact();
    e.assert_no_leftovers(&[]);
}

#[cfg(unix)]
#[test]
fn through_a_symlink_the_target_is_replaced_and_backed_up() {
    let e = Efi::new();
    let real = e.dir.path().join("real.plist");
    std::fs::rename(e.config(), &real).expect("mv");
    std::os::unix::fs::symlink("real.plist", e.config()).expect("symlink");
    let o = e.cmd(None).output().expect("runs");
    assert_ne!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        std::fs::symlink_metadata(e.config())
            .expect("meta")
            .file_type()
            .is_symlink(),
        "the link stays a link"
    );
    assert_eq!(std::fs::read_to_string(&real).expect("read"), fixed());
    assert_eq!(e.backups().len(), 1);
    e.assert_backups_exact();
    e.assert_no_leftovers(&["real.plist"]);
}

#[test]
fn concurrent_writers_with_backups_never_interleave() {
    let want = fixed();
    for _ in 0..3 {
        let e = Efi::new();
        let spawn = || {
            e.cmd(None)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawns")
        };
        let (a, b, c) = (spawn(), spawn(), spawn());
        let codes: Vec<Option<i32>> = [a, b, c]
            .into_iter()
            .map(|ch| ch.wait_with_output().expect("waits").status.code())
            .collect();
        assert!(codes.iter().all(|c| matches!(c, Some(0..=2))), "{codes:?}");
        // Whoever won, the file is the complete fixed text.
        assert_eq!(std::fs::read_to_string(e.config()).expect("read"), want);
        // Backups are of the original (a writer that arrived after the
        // winner backs up the fixed text, which is then its original).
        for b in e.backups() {
            let saved = std::fs::read_to_string(&b).expect("read");
            assert!(saved == ORIGINAL || saved == want, "{}", b.display());
        }
        e.assert_no_leftovers(&[]);
        assert!(Path::new(&e.config()).exists());
    }
}
