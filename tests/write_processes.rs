//! Cross-process tests of the safe-writing layer. This test binary re-runs
//! itself as the child writers: `child_writer` does nothing unless the
//! `OCAUDIT_CHILD_*` variables are set, and then exits with a code that says
//! how its write ended. Environment-dependent behaviour (the default state
//! directory, the `OCAUDIT_TEST_FAULT` hook) is tested in children too, so no
//! test mutates this process's environment.

use std::ffi::OsStr;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use ocaudit::write::{
    BackupPolicy, WriteError, WriteRequest, default_backup_dir, write_atomically,
};

const ORIGINAL: &[u8] = b"<plist><dict><key>A</key><false/></dict></plist>\n";

/// Child exit codes.
const WROTE: i32 = 10;
const LOCKED: i32 = 11;
const CHANGED: i32 = 12;
const OTHER_ERROR: i32 = 13;

/// The child side. Inputs: `OCAUDIT_CHILD_CONFIG` (file to write),
/// `OCAUDIT_CHILD_NEW` (new contents), `OCAUDIT_CHILD_GO` (a file to wait for
/// before writing, so children start together), `OCAUDIT_CHILD_BACKUP` ("state"
/// for the default state directory, else none).
#[test]
fn child_writer() {
    let Some(config) = std::env::var_os("OCAUDIT_CHILD_CONFIG") else {
        return;
    };
    let new = std::env::var("OCAUDIT_CHILD_NEW").unwrap();
    if let Some(go) = std::env::var_os("OCAUDIT_CHILD_GO") {
        let deadline = Instant::now() + Duration::from_secs(20);
        while !Path::new(&go).exists() && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(1));
        }
    }
    let policy = match std::env::var("OCAUDIT_CHILD_BACKUP").as_deref() {
        Ok("state") => BackupPolicy::StateDir,
        _ => BackupPolicy::None,
    };
    // Hold the lock long enough for the writers to overlap.
    let slow = |_: &[u8]| -> Result<(), String> {
        thread::sleep(Duration::from_millis(50));
        Ok(())
    };
    let req =
        WriteRequest::new(Path::new(&config), ORIGINAL, new.as_bytes(), &slow).with_backup(policy);
    let code = match write_atomically(&req) {
        Ok(out) => {
            if let Some(backup) = &out.backup {
                // Report where it went, and check it is under the state dir.
                assert!(backup.starts_with(default_backup_dir().unwrap()));
                println!("BACKUP={}", backup.display());
            }
            WROTE
        }
        Err(WriteError::Locked { .. }) => LOCKED,
        Err(WriteError::Changed { .. }) => CHANGED,
        Err(e) => {
            eprintln!("{e}");
            OTHER_ERROR
        }
    };
    std::process::exit(code);
}

fn spawn_child(config: &Path, new: &str, envs: &[(&str, &OsStr)]) -> Child {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args([
        "--exact",
        "child_writer",
        "--nocapture",
        "--test-threads",
        "1",
    ])
    .env("OCAUDIT_CHILD_CONFIG", config)
    .env("OCAUDIT_CHILD_NEW", new)
    .env_remove("OCAUDIT_TEST_FAULT")
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    for (key, value) in envs {
        cmd.env(key, value);
    }
    cmd.spawn().unwrap()
}

fn setup() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("config.plist");
    fs::write(&config, ORIGINAL).unwrap();
    (dir, config)
}

fn assert_no_leftovers(dir: &Path) {
    let stray: Vec<_> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|n| n.to_string_lossy().contains(".ocaudit"))
        .collect();
    assert!(stray.is_empty(), "left behind: {stray:?}");
}

#[test]
fn two_processes_writing_at_once_one_wins_the_other_refuses() {
    for round in 0..3 {
        let (dir, config) = setup();
        let go = dir.path().join("go");
        let versions = ["version A\n", "version B, a longer one\n"];
        let children: Vec<(&str, Child)> = versions
            .iter()
            .map(|v| {
                (
                    *v,
                    spawn_child(&config, v, &[("OCAUDIT_CHILD_GO", go.as_os_str())]),
                )
            })
            .collect();
        // Give both children time to start up, then release them together.
        thread::sleep(Duration::from_millis(200));
        fs::write(&go, b"").unwrap();
        let ended: Vec<(&str, i32)> = children
            .into_iter()
            .map(|(v, child)| {
                let out = child.wait_with_output().unwrap();
                let code = out.status.code().unwrap_or(-1);
                assert!(
                    [WROTE, LOCKED, CHANGED].contains(&code),
                    "round {round}: child failed ({code}): {}",
                    String::from_utf8_lossy(&out.stderr)
                );
                (v, code)
            })
            .collect();
        let winners: Vec<&str> = ended
            .iter()
            .filter(|(_, c)| *c == WROTE)
            .map(|(v, _)| *v)
            .collect();
        assert_eq!(winners.len(), 1, "round {round}: {ended:?}");
        assert_eq!(fs::read(&config).unwrap(), winners[0].as_bytes());
        assert_no_leftovers(dir.path());
    }
}

#[test]
fn default_backup_goes_to_the_state_directory() {
    let (dir, config) = setup();
    let home = tempfile::tempdir().unwrap();
    let state = home.path().join("state");
    let envs = [
        ("HOME", home.path().as_os_str()),
        ("XDG_STATE_HOME", state.as_os_str()),
        ("LOCALAPPDATA", home.path().as_os_str()),
        ("OCAUDIT_CHILD_BACKUP", OsStr::new("state")),
    ];
    let out = spawn_child(&config, "new\n", &envs)
        .wait_with_output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(WROTE),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let backup = stdout
        .lines()
        .find_map(|l| l.split_once("BACKUP=").map(|(_, path)| path))
        .map(PathBuf::from)
        .expect("child reports the backup path");
    assert!(backup.starts_with(home.path()), "{}", backup.display());
    assert!(
        backup
            .parent()
            .unwrap()
            .ends_with(Path::new("ocaudit").join("backups"))
    );
    if cfg!(target_os = "linux") {
        assert!(backup.starts_with(&state));
    }
    assert_eq!(fs::read(&backup).unwrap(), ORIGINAL);
    assert_eq!(fs::read(&config).unwrap(), b"new\n");
    assert_no_leftovers(dir.path());
    assert!(!backup.starts_with(dir.path()), "backup beside the config");
}

#[test]
fn fault_env_var_is_honoured_in_debug_builds() {
    if !cfg!(debug_assertions) {
        eprintln!("skipped: OCAUDIT_TEST_FAULT is read only with debug assertions");
        return;
    }
    for fault in ["after-temp-write", "enospc"] {
        let (dir, config) = setup();
        let out = spawn_child(
            &config,
            "new\n",
            &[("OCAUDIT_TEST_FAULT", OsStr::new(fault))],
        )
        .wait_with_output()
        .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(OTHER_ERROR), "{fault}: {stderr}");
        assert!(stderr.contains("is unchanged"), "{fault}: {stderr}");
        assert_eq!(fs::read(&config).unwrap(), ORIGINAL, "{fault}");
        assert_no_leftovers(dir.path());
    }
}
