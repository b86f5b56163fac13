//! In-process tests of the safe-writing layer: every refusal and fault leaves
//! the original intact (or, on success, fully replaced), no temporary or lock
//! file survives the call, and a backup, when made, is byte-identical to the
//! original.

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::Duration;

use ocaudit::write::{
    BackupPolicy, Fault, WriteError, WriteOutcome, WriteRequest, write_atomically,
};
use proptest::prelude::*;
use tempfile::TempDir;

const ORIGINAL: &[u8] =
    b"<?xml version=\"1.0\"?>\n<plist><dict>\n\t<key>A</key>\n\t<false/>\n</dict></plist>\n";
const NEW: &[u8] =
    b"<?xml version=\"1.0\"?>\n<plist><dict>\n\t<key>A</key>\n\t<true/>\n</dict></plist>\n";

fn accept(_: &[u8]) -> Result<(), String> {
    Ok(())
}

/// A config in its own directory, plus a separate directory for backups.
struct Fixture {
    dir: TempDir,
    backups: TempDir,
    config: PathBuf,
}

fn fixture(contents: &[u8]) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let backups = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.plist");
    fs::write(&config, contents).unwrap();
    Fixture {
        dir,
        backups,
        config,
    }
}

impl Fixture {
    fn request<'a>(&'a self, new: &'a [u8]) -> WriteRequest<'a> {
        WriteRequest::new(&self.config, ORIGINAL, new, &accept)
            .with_backup(BackupPolicy::At(self.backups.path().to_path_buf()))
    }

    fn backups(&self) -> Vec<PathBuf> {
        entries(self.backups.path())
    }
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    let mut all: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    all.sort();
    all
}

/// No temporary or lock file is left in `dir`.
fn assert_no_leftovers(dir: &Path) {
    let stray: Vec<_> = entries(dir)
        .into_iter()
        .filter(|p| p.to_string_lossy().contains(".ocaudit"))
        .collect();
    assert!(stray.is_empty(), "left behind: {stray:?}");
}

/// A refusal: the config still holds `expected`, nothing is left beside it,
/// and the message says nothing was written.
fn assert_refused(fx: &Fixture, err: &WriteError, expected: &[u8]) {
    assert_eq!(
        fs::read(&fx.config).unwrap(),
        expected,
        "config was touched"
    );
    assert_no_leftovers(fx.dir.path());
    let msg = err.to_string();
    assert!(msg.contains("Nothing was written"), "{msg}");
    assert!(msg.contains("config.plist"), "{msg}");
    for backup in fx.backups() {
        assert_eq!(fs::read(backup).unwrap(), ORIGINAL);
    }
}

fn assert_written(fx: &Fixture, out: &WriteOutcome, new: &[u8]) {
    assert_eq!(fs::read(&fx.config).unwrap(), new);
    assert_eq!(out.written, fs::canonicalize(&fx.config).unwrap());
    assert_no_leftovers(fx.dir.path());
    if let Some(backup) = &out.backup {
        assert_eq!(fs::read(backup).unwrap(), ORIGINAL);
        assert_ne!(backup.parent(), fx.config.parent(), "backup beside config");
    }
}

#[test]
fn successful_write_replaces_file_and_keeps_exact_backup() {
    let fx = fixture(ORIGINAL);
    let out = write_atomically(&fx.request(NEW)).unwrap();
    assert_written(&fx, &out, NEW);
    let backup = out.backup.clone().expect("backup made");
    assert_eq!(fx.backups(), vec![backup.clone()]);
    let name = backup.file_name().unwrap().to_string_lossy().into_owned();
    assert!(name.contains("config.plist."), "{name}");
    assert!(name.ends_with("Z.bak"), "{name}");
    assert_eq!(entries(fx.dir.path()), vec![fx.config.clone()]);
    if cfg!(unix) {
        assert!(out.directory_synced);
    }
}

#[cfg(unix)]
#[test]
fn preserves_permissions() {
    use std::os::unix::fs::PermissionsExt;
    for mode in [0o640, 0o600, 0o755, 0o644] {
        let fx = fixture(ORIGINAL);
        fs::set_permissions(&fx.config, fs::Permissions::from_mode(mode)).unwrap();
        let out = write_atomically(&fx.request(NEW)).unwrap();
        assert_written(&fx, &out, NEW);
        let now = fs::metadata(&fx.config).unwrap().permissions().mode() & 0o7777;
        assert_eq!(now, mode, "mode {mode:o} became {now:o}");
    }
}

#[cfg(unix)]
#[test]
fn through_a_symlink_updates_the_target_and_keeps_the_link() {
    let fx = fixture(b"unused");
    let real_dir = fx.dir.path().join("EFI").join("OC");
    fs::create_dir_all(&real_dir).unwrap();
    let real = real_dir.join("config.plist");
    fs::write(&real, ORIGINAL).unwrap();
    fs::remove_file(&fx.config).unwrap();
    std::os::unix::fs::symlink(&real, &fx.config).unwrap();

    let out = write_atomically(&fx.request(NEW)).unwrap();
    assert_eq!(out.written, fs::canonicalize(&real).unwrap());
    assert!(
        fs::symlink_metadata(&fx.config)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(fs::read_link(&fx.config).unwrap(), real);
    assert_eq!(fs::read(&real).unwrap(), NEW);
    assert_no_leftovers(&real_dir);
    assert_no_leftovers(fx.dir.path());
    assert_eq!(fs::read(out.backup.unwrap()).unwrap(), ORIGINAL);
}

#[test]
fn read_only_file_is_refused() {
    let fx = fixture(ORIGINAL);
    let mut perms = fs::metadata(&fx.config).unwrap().permissions();
    perms.set_readonly(true);
    fs::set_permissions(&fx.config, perms.clone()).unwrap();
    let err = write_atomically(&fx.request(NEW)).unwrap_err();
    assert!(matches!(err, WriteError::NotWritable { .. }), "{err:?}");
    assert_refused(&fx, &err, ORIGINAL);
    assert!(fx.backups().is_empty(), "refused before any backup");
    #[allow(clippy::permissions_set_readonly_false)]
    perms.set_readonly(false);
    fs::set_permissions(&fx.config, perms).unwrap();
}

#[cfg(unix)]
#[test]
fn read_only_directory_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let fx = fixture(ORIGINAL);
    fs::set_permissions(fx.dir.path(), fs::Permissions::from_mode(0o555)).unwrap();
    let result = write_atomically(&fx.request(NEW));
    fs::set_permissions(fx.dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let err = result.unwrap_err();
    match &err {
        WriteError::NotWritable { path, .. } => {
            assert_eq!(path, &fs::canonicalize(fx.dir.path()).unwrap())
        }
        other => panic!("expected NotWritable, got {other:?}"),
    }
    assert_refused(&fx, &err, ORIGINAL);
    assert!(fx.backups().is_empty());
}

#[test]
fn file_changed_since_read_is_refused() {
    let fx = fixture(b"edited in ProperTree meanwhile");
    let err = write_atomically(&fx.request(NEW)).unwrap_err();
    assert!(matches!(err, WriteError::Changed { .. }), "{err:?}");
    assert_refused(&fx, &err, b"edited in ProperTree meanwhile");
    assert!(fx.backups().is_empty());
}

#[test]
fn file_changed_during_the_write_is_refused_before_the_rename() {
    let fx = fixture(ORIGINAL);
    let config = fx.config.clone();
    // The first verify call runs after the early check; another program
    // writes the file then, so only the check right before the rename sees it.
    let sneaky = move |_: &[u8]| -> Result<(), String> {
        if fs::read(&config).unwrap() == ORIGINAL {
            fs::write(&config, b"someone else").unwrap();
        }
        Ok(())
    };
    let mut req = fx.request(NEW);
    req.verify = &sneaky;
    let err = write_atomically(&req).unwrap_err();
    assert!(matches!(err, WriteError::Changed { .. }), "{err:?}");
    assert_refused(&fx, &err, b"someone else");
    let backup = err.backup().expect("backup was made before the temp file");
    assert_eq!(fs::read(backup).unwrap(), ORIGINAL);
    assert!(err.to_string().contains("A backup of the original is at"));
}

#[test]
fn fault_after_temp_write_leaves_original_intact() {
    let fx = fixture(ORIGINAL);
    let mut req = fx.request(NEW);
    req.fault = Some(Fault::AfterTempWrite);
    let err = write_atomically(&req).unwrap_err();
    assert!(matches!(err, WriteError::Io { .. }), "{err:?}");
    assert_refused(&fx, &err, ORIGINAL);
    assert_eq!(fx.backups().len(), 1);
}

#[test]
fn enospc_while_writing_temp_leaves_original_intact() {
    let fx = fixture(ORIGINAL);
    let mut req = fx.request(NEW);
    req.fault = Some(Fault::WriteFails);
    let err = write_atomically(&req).unwrap_err();
    match &err {
        WriteError::Io { source, .. } => {
            assert_eq!(source.kind(), std::io::ErrorKind::StorageFull)
        }
        other => panic!("expected Io, got {other:?}"),
    }
    assert_refused(&fx, &err, ORIGINAL);
    assert!(err.to_string().contains("Free some space"), "{err}");
}

#[test]
fn verify_failure_is_refused_before_anything_is_written() {
    let fx = fixture(ORIGINAL);
    let reject = |_: &[u8]| -> Result<(), String> { Err("does not re-parse".into()) };
    let mut req = fx.request(NEW);
    req.verify = &reject;
    let err = write_atomically(&req).unwrap_err();
    assert!(matches!(err, WriteError::VerifyFailed { .. }), "{err:?}");
    assert!(err.to_string().contains("does not re-parse"));
    assert_refused(&fx, &err, ORIGINAL);
    assert!(fx.backups().is_empty());
}

#[test]
fn verify_failure_on_the_read_back_removes_the_temp_file() {
    let fx = fixture(ORIGINAL);
    let calls = std::cell::Cell::new(0);
    let second_fails = |_: &[u8]| -> Result<(), String> {
        calls.set(calls.get() + 1);
        if calls.get() == 2 {
            Err("read back wrong".into())
        } else {
            Ok(())
        }
    };
    let mut req = fx.request(NEW);
    req.verify = &second_fails;
    let err = write_atomically(&req).unwrap_err();
    assert!(matches!(err, WriteError::VerifyFailed { .. }), "{err:?}");
    assert_eq!(calls.get(), 2);
    assert_refused(&fx, &err, ORIGINAL);
}

#[test]
fn panic_in_verify_leaves_nothing_behind() {
    let fx = fixture(ORIGINAL);
    let calls = std::cell::Cell::new(0);
    let panics_on_read_back = |_: &[u8]| -> Result<(), String> {
        calls.set(calls.get() + 1);
        assert!(calls.get() < 2, "verifier bug");
        Ok(())
    };
    let mut req = fx.request(NEW);
    req.verify = &panics_on_read_back;
    let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| write_atomically(&req)));
    assert!(result.is_err(), "the panic propagates");
    assert_eq!(fs::read(&fx.config).unwrap(), ORIGINAL);
    assert_no_leftovers(fx.dir.path());
}

#[test]
fn two_concurrent_writers_one_wins_the_other_refuses() {
    for round in 0..10 {
        let fx = Arc::new(fixture(ORIGINAL));
        let barrier = Arc::new(Barrier::new(2));
        let contents: [&'static [u8]; 2] = [b"version A\n", b"version B, longer\n"];
        let handles: Vec<_> = contents
            .into_iter()
            .map(|new| {
                let fx = Arc::clone(&fx);
                let barrier = Arc::clone(&barrier);
                thread::spawn(move || {
                    // Hold the lock a while so the writers overlap.
                    let slow = |_: &[u8]| -> Result<(), String> {
                        thread::sleep(Duration::from_millis(20));
                        Ok(())
                    };
                    let mut req = fx.request(new);
                    req.verify = &slow;
                    barrier.wait();
                    (new, write_atomically(&req))
                })
            })
            .collect();
        let results: Vec<_> = handles.into_iter().map(|h| h.join().unwrap()).collect();
        let winners: Vec<&[u8]> = results
            .iter()
            .filter(|(_, r)| r.is_ok())
            .map(|(new, _)| *new)
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {results:?}");
        for (_, result) in &results {
            if let Err(err) = result {
                assert!(
                    matches!(err, WriteError::Locked { .. } | WriteError::Changed { .. }),
                    "round {round}: {err:?}"
                );
            }
        }
        assert_eq!(fs::read(&fx.config).unwrap(), winners[0]);
        assert_no_leftovers(fx.dir.path());
        for backup in fx.backups() {
            assert_eq!(fs::read(backup).unwrap(), ORIGINAL);
        }
    }
}

/// A killed run leaves its lock file and temporary file; the lock is advisory
/// and died with it, so the next write proceeds, removes both and lists them.
#[test]
fn files_a_killed_run_left_are_removed_and_listed() {
    let fx = fixture(ORIGINAL);
    // A pid that no longer runs: a child that has exited and been reaped.
    let mut child = std::process::Command::new(std::env::current_exe().unwrap())
        .arg("--list")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let dead = child.id();
    child.wait().unwrap();
    let lock = fx.dir.path().join(".config.plist.ocaudit.lock");
    fs::write(&lock, format!("{dead}\n")).unwrap();
    let temp = fx
        .dir
        .path()
        .join(format!(".config.plist.ocaudit-{dead}-0.tmp"));
    fs::write(&temp, &NEW[..3]).unwrap();

    let out = write_atomically(&fx.request(NEW)).unwrap();
    assert_eq!(out.cleaned_up, [lock.clone(), temp.clone()]);
    assert_eq!(fs::read(&fx.config).unwrap(), NEW);
    assert_no_leftovers(fx.dir.path());
    let back =
        WriteRequest::new(&fx.config, NEW, ORIGINAL, &accept).with_backup(BackupPolicy::None);
    let again = write_atomically(&back).unwrap();
    assert!(again.cleaned_up.is_empty(), "{:?}", again.cleaned_up);
}

#[test]
fn not_a_file_or_missing_is_refused() {
    let fx = fixture(ORIGINAL);
    let req =
        WriteRequest::new(fx.dir.path(), ORIGINAL, NEW, &accept).with_backup(BackupPolicy::None);
    let err = write_atomically(&req).unwrap_err();
    assert!(matches!(err, WriteError::NotRegularFile { .. }), "{err:?}");

    let missing = fx.dir.path().join("missing.plist");
    let req = WriteRequest::new(&missing, ORIGINAL, NEW, &accept).with_backup(BackupPolicy::None);
    let err = write_atomically(&req).unwrap_err();
    match &err {
        WriteError::Io { source, .. } => {
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound)
        }
        other => panic!("expected Io, got {other:?}"),
    }
    assert!(!missing.exists());
    assert_eq!(entries(fx.dir.path()), vec![fx.config.clone()]);
}

#[test]
fn backup_at_exact_path() {
    let fx = fixture(ORIGINAL);
    let exact = fx.backups.path().join("my-config-backup.plist");
    let req = fx.request(NEW).with_backup(BackupPolicy::At(exact.clone()));
    let out = write_atomically(&req).unwrap();
    assert_eq!(out.backup.as_deref(), Some(exact.as_path()));
    assert_written(&fx, &out, NEW);
}

#[test]
fn backup_at_existing_file_is_refused_and_not_overwritten() {
    let fx = fixture(ORIGINAL);
    let exact = fx.backups.path().join("precious");
    fs::write(&exact, b"precious").unwrap();
    let req = fx.request(NEW).with_backup(BackupPolicy::At(exact.clone()));
    let err = write_atomically(&req).unwrap_err();
    assert!(matches!(err, WriteError::Backup { .. }), "{err:?}");
    assert_eq!(fs::read(&exact).unwrap(), b"precious");
    assert_eq!(fs::read(&fx.config).unwrap(), ORIGINAL);
    assert_no_leftovers(fx.dir.path());
    assert!(err.to_string().contains("--no-backup"), "{err}");
}

#[test]
fn backup_dir_created_when_path_ends_with_separator() {
    let fx = fixture(ORIGINAL);
    let dir = format!(
        "{}{}nested{}",
        fx.backups.path().display(),
        std::path::MAIN_SEPARATOR,
        std::path::MAIN_SEPARATOR
    );
    let req = fx
        .request(NEW)
        .with_backup(BackupPolicy::At(PathBuf::from(&dir)));
    let out = write_atomically(&req).unwrap();
    let backup = out.backup.clone().unwrap();
    assert_eq!(backup.parent().unwrap(), fx.backups.path().join("nested"));
    assert_written(&fx, &out, NEW);
}

#[test]
fn repeated_backups_in_the_same_second_get_a_counter() {
    let fx = fixture(ORIGINAL);
    let mut made = Vec::new();
    for _ in 0..3 {
        fs::write(&fx.config, ORIGINAL).unwrap();
        made.push(write_atomically(&fx.request(NEW)).unwrap().backup.unwrap());
    }
    made.sort();
    made.dedup();
    assert_eq!(made.len(), 3, "{made:?}");
    for backup in made {
        assert_eq!(fs::read(backup).unwrap(), ORIGINAL);
    }
}

#[test]
fn no_backup_policy_makes_none() {
    let fx = fixture(ORIGINAL);
    let req = fx.request(NEW).with_backup(BackupPolicy::None);
    let out = write_atomically(&req).unwrap();
    assert_eq!(out.backup, None);
    assert_written(&fx, &out, NEW);
    assert!(fx.backups().is_empty());
    assert_eq!(entries(fx.dir.path()), vec![fx.config.clone()]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn any_bytes_round_trip_exactly(
        original in proptest::collection::vec(any::<u8>(), 0..2048),
        new in proptest::collection::vec(any::<u8>(), 0..2048),
        with_backup in any::<bool>(),
    ) {
        let fx = fixture(&original);
        let policy = if with_backup {
            BackupPolicy::At(fx.backups.path().to_path_buf())
        } else {
            BackupPolicy::None
        };
        let req = WriteRequest::new(&fx.config, &original, &new, &accept).with_backup(policy);
        let out = write_atomically(&req).unwrap();
        prop_assert_eq!(fs::read(&fx.config).unwrap(), new);
        prop_assert_eq!(out.backup.is_some(), with_backup);
        if let Some(backup) = out.backup {
            prop_assert_eq!(fs::read(backup).unwrap(), original);
        }
        assert_no_leftovers(fx.dir.path());
    }
}
