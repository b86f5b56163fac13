//! `ocaudit fix --write` when things go wrong around the write rather than in
//! it: the process is interrupted or killed mid-write, stdout or the re-check
//! fails after the file was replaced, root runs with a user's HOME, the
//! config has extended attributes or hard links, the directory sync fails,
//! and backups pile up.

use std::fs;
use std::io::{BufRead, BufReader};
#[cfg(unix)]
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const ORIGINAL: &str = include_str!("../sample-configs/z390-kaslr-broken.plist");

struct Efi {
    dir: tempfile::TempDir,
}

impl Efi {
    fn new() -> Efi {
        let dir = tempfile::tempdir().expect("tempdir");
        fs::write(dir.path().join("config.plist"), ORIGINAL).expect("write");
        Efi { dir }
    }
    fn config(&self) -> PathBuf {
        self.dir.path().join("config.plist")
    }
    fn state(&self) -> PathBuf {
        self.dir.path().join("state")
    }
    fn cmd(&self, fault: Option<&str>) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ocaudit"));
        c.current_dir(self.dir.path())
            .env_remove("OCAUDIT_TEST_FAULT")
            .env_remove("OCAUDIT_KEEP_BACKUPS")
            .env("XDG_STATE_HOME", self.state())
            .env("HOME", self.dir.path().join("home"))
            .args(["fix", "--write", "config.plist"]);
        if let Some(f) = fault {
            c.env("OCAUDIT_TEST_FAULT", f);
        }
        c
    }
    /// Names beside the config other than the config and the state dir.
    fn leftovers(&self) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(self.dir.path())
            .expect("list")
            .filter_map(Result::ok)
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != "config.plist" && n != "state")
            .collect();
        v.sort();
        v
    }
    fn backups(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = fs::read_dir(self.state().join("ocaudit/backups"))
            .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).collect())
            .unwrap_or_default();
        v.sort();
        v
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

fn debug_only(test: &str) -> bool {
    if !cfg!(debug_assertions) {
        eprintln!("skipped {test}: OCAUDIT_TEST_FAULT is read only with debug assertions");
    }
    cfg!(debug_assertions)
}

/// Starts a write that pauses before its rename, waits until it says so, and
/// sends it `signal`; returns its output.
#[cfg(unix)]
fn interrupt_mid_write(efi: &Efi, signal: libc::c_int) -> Output {
    let mut cmd = efi.cmd(Some("pause-before-rename"));
    // A shell's background jobs (and some CI runners) start with SIGINT
    // ignored, which the child would inherit; a user's Ctrl-C reaches a
    // foreground process whose signals have their default action.
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        cmd.pre_exec(|| {
            for sig in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
                libc::signal(sig, libc::SIG_DFL);
            }
            Ok(())
        });
    }
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut err = BufReader::new(child.stderr.take().expect("stderr"));
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        if err.read_line(&mut line).expect("read stderr") == 0 {
            panic!("the writer ended before pausing: {seen}");
        }
        seen.push_str(&line);
        if line.contains("paused before the rename") {
            break;
        }
    }
    assert!(
        efi.leftovers().iter().any(|n| n.ends_with(".tmp")),
        "mid-write, the temporary file exists: {:?}",
        efi.leftovers()
    );
    let pid = i32::try_from(child.id()).expect("pid");
    // SAFETY: sending a signal to our own child.
    assert_eq!(unsafe { libc::kill(pid, signal) }, 0);
    let status = child.wait().expect("wait");
    Output {
        status,
        stdout: Vec::new(),
        stderr: seen.into_bytes(),
    }
}

/// Ctrl-C (or SIGTERM) during the write removes the temporary and lock files;
/// the config is untouched and the next run writes normally.
#[cfg(unix)]
#[test]
fn an_interrupted_write_leaves_nothing_and_the_next_run_works() {
    if !debug_only("an_interrupted_write_leaves_nothing_and_the_next_run_works") {
        return;
    }
    for signal in [libc::SIGINT, libc::SIGTERM] {
        let efi = Efi::new();
        let o = interrupt_mid_write(&efi, signal);
        assert!(!o.status.success(), "{signal}: {}", text(&o));
        assert_eq!(fs::read_to_string(efi.config()).unwrap(), ORIGINAL);
        assert_eq!(efi.leftovers(), Vec::<String>::new(), "signal {signal}");
        let again = efi.cmd(None).output().expect("runs");
        assert_ne!(again.status.code(), Some(2), "{}", text(&again));
        assert_ne!(fs::read_to_string(efi.config()).unwrap(), ORIGINAL);
        assert!(!text(&again).contains("interrupted"), "{}", text(&again));
    }
}

/// SIGKILL cannot be caught: the files stay, but the lock died with the
/// process, so the next run proceeds, removes them and says so.
#[cfg(unix)]
#[test]
fn after_a_killed_write_the_next_run_cleans_up_and_says_so() {
    if !debug_only("after_a_killed_write_the_next_run_cleans_up_and_says_so") {
        return;
    }
    let efi = Efi::new();
    interrupt_mid_write(&efi, libc::SIGKILL);
    assert_eq!(fs::read_to_string(efi.config()).unwrap(), ORIGINAL);
    let left = efi.leftovers();
    assert!(
        left.contains(&".config.plist.ocaudit.lock".to_string()) && left.len() == 2,
        "{left:?}"
    );
    let again = efi.cmd(None).output().expect("runs");
    let t = text(&again);
    assert_ne!(again.status.code(), Some(2), "{t}");
    for name in &left {
        assert!(
            t.contains(&format!("removed {}", efi.dir.path().join(name).display())),
            "{name} not reported: {t}"
        );
    }
    assert!(t.contains("interrupted"), "{t}");
    assert_eq!(efi.leftovers(), Vec::<String>::new());
    assert_ne!(fs::read_to_string(efi.config()).unwrap(), ORIGINAL);
}

/// Once the file is replaced, no failure may exit 2 ("nothing was written"):
/// the write is reported on stderr and the exit code is 3.
#[test]
fn a_failure_after_the_write_exits_3_and_reports_the_write_on_stderr() {
    let full = Path::new("/dev/full");
    let mut cases: Vec<(&str, Option<&str>, bool)> = Vec::new();
    if full.exists() {
        cases.push(("stdout is /dev/full", None, true));
    }
    if cfg!(debug_assertions) {
        cases.push(("the re-check cannot read", Some("recheck-fails"), false));
    }
    for (what, fault, to_full) in cases {
        for format in ["diff", "json"] {
            let efi = Efi::new();
            let mut cmd = efi.cmd(fault);
            cmd.args(["--format", format]);
            if to_full {
                cmd.stdout(fs::File::create(full).expect("open /dev/full"));
            }
            let o = cmd.output().expect("runs");
            let err = String::from_utf8_lossy(&o.stderr);
            assert_ne!(
                fs::read_to_string(efi.config()).unwrap(),
                ORIGINAL,
                "{what}"
            );
            assert_eq!(o.status.code(), Some(3), "{what} ({format}): {err}");
            let written = efi.config().canonicalize().unwrap();
            assert!(
                err.contains(&format!("wrote {}", written.display())),
                "{what} ({format}): {err}"
            );
            let backup = &efi.backups()[0];
            assert!(err.contains(&backup.display().to_string()), "{err}");
        }
    }
}

/// A failed directory sync after the rename is said, not swallowed.
#[test]
fn a_failed_directory_sync_is_reported() {
    if !debug_only("a_failed_directory_sync_is_reported") || !cfg!(unix) {
        return;
    }
    let efi = Efi::new();
    let o = efi.cmd(Some("dir-sync-fails")).output().expect("runs");
    assert_ne!(o.status.code(), Some(2), "{}", text(&o));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("warning:") && err.contains("syncing its directory failed"),
        "{err}"
    );
    assert!(err.contains("syncing the directory of the backup"), "{err}");
    let quiet = Efi::new();
    let o = quiet.cmd(None).output().expect("runs");
    assert!(!text(&o).contains("syncing"), "{}", text(&o));
}

/// Backups of one config are pruned to the newest N (`--keep-backups`, or
/// `OCAUDIT_KEEP_BACKUPS`); 0 keeps all.
#[test]
fn backups_are_pruned_to_the_newest_n() {
    let efi = Efi::new();
    let dir = efi.state().join("ocaudit/backups");
    fs::create_dir_all(&dir).unwrap();
    let stem = ocaudit::write::stem_for(&efi.config());
    let old: Vec<PathBuf> = (1..=4)
        .map(|i| dir.join(format!("{stem}.2020010{i}T000000Z.bak")))
        .collect();
    for p in &old {
        fs::write(p, "old").unwrap();
    }
    let other = dir.join("someone_else.plist.20200101T000000Z.bak");
    fs::write(&other, "other").unwrap();

    let o = efi
        .cmd(None)
        .env("OCAUDIT_KEEP_BACKUPS", "3")
        .output()
        .unwrap();
    assert_ne!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("removed 2 older backups"), "{}", text(&o));
    let left = efi.backups();
    assert_eq!(left.len(), 4, "{left:?}"); // 3 of this config + the other one
    assert!(!old[0].exists() && !old[1].exists() && old[2].exists() && old[3].exists());
    assert!(other.exists());
    assert_eq!(
        fs::read_to_string(
            left.iter()
                .find(|p| !old.contains(p) && **p != other)
                .unwrap()
        )
        .unwrap(),
        ORIGINAL
    );

    fs::write(efi.config(), ORIGINAL).unwrap();
    let o = efi
        .cmd(None)
        .args(["--keep-backups", "0"])
        .output()
        .unwrap();
    assert_ne!(o.status.code(), Some(2), "{}", text(&o));
    assert_eq!(efi.backups().len(), 5);
}

/// Root with another user's HOME (`sudo -E`): the directories created there
/// and the backup belong to the home's owner, who can run ocaudit later.
#[cfg(unix)]
#[test]
fn root_with_a_users_home_leaves_nothing_owned_by_root_there() {
    use std::os::unix::fs::{MetadataExt, PermissionsExt};
    use std::os::unix::process::CommandExt;
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: needs root");
        return;
    }
    let (uid, gid) = (4242u32, 4243u32);
    let top = tempfile::tempdir().unwrap();
    fs::set_permissions(top.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let home = top.path().join("home");
    let efi = top.path().join("efi");
    for d in [&home, &efi] {
        fs::create_dir(d).unwrap();
        std::os::unix::fs::chown(d, Some(uid), Some(gid)).unwrap();
    }
    let config = efi.join("config.plist");
    fs::write(&config, ORIGINAL).unwrap();
    std::os::unix::fs::chown(&config, Some(uid), Some(gid)).unwrap();
    let run = |as_user: bool| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ocaudit"));
        c.env_remove("XDG_STATE_HOME")
            .env_remove("OCAUDIT_TEST_FAULT")
            .env_remove("SUDO_UID")
            .env("HOME", &home)
            .args(["fix", "--write"])
            .arg(&config);
        if as_user {
            c.uid(uid).gid(gid);
        }
        c.output().expect("runs")
    };
    let o = run(false);
    assert_ne!(o.status.code(), Some(2), "{}", text(&o));
    let backups = home.join(".local/state/ocaudit/backups");
    let created = [
        home.join(".local"),
        home.join(".local/state"),
        home.join(".local/state/ocaudit"),
        backups.clone(),
    ];
    let backup = fs::read_dir(&backups)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    assert!(
        String::from_utf8_lossy(&o.stdout).contains(&backup.display().to_string()),
        "the output says where the backup went: {}",
        text(&o)
    );
    for p in created.iter().chain([&backup]) {
        let m = fs::metadata(p).unwrap();
        assert_eq!((m.uid(), m.gid()), (uid, gid), "{}", p.display());
    }
    // The user's own later run is not refused.
    fs::write(&config, ORIGINAL).unwrap();
    let o = run(true);
    assert_ne!(o.status.code(), Some(2), "{}", text(&o));
    assert_eq!(fs::read_dir(&backups).unwrap().count(), 2);
}

/// Extended attributes survive the replacement (where the filesystem stores
/// them); a hard link is reported, and keeps the old contents.
#[cfg(target_os = "linux")]
#[test]
fn extended_attributes_are_kept_and_hard_links_reported() {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let efi = Efi::new();
    let path = CString::new(efi.config().as_os_str().as_bytes()).unwrap();
    let name = CString::new("user.ocaudit.test").unwrap();
    let value = b"kept";
    // SAFETY: valid C strings and a valid buffer.
    let set = unsafe {
        libc::setxattr(
            path.as_ptr(),
            name.as_ptr(),
            value.as_ptr().cast(),
            value.len(),
            0,
        )
    };
    let link = efi.dir.path().join("other-name.plist");
    fs::hard_link(efi.config(), &link).unwrap();
    let o = efi.cmd(None).output().expect("runs");
    assert_ne!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("had 1 other hard link"), "{}", text(&o));
    assert_eq!(fs::read_to_string(&link).unwrap(), ORIGINAL);
    if set != 0 {
        eprintln!("skipped the xattr half: this filesystem stores no user attributes");
        return;
    }
    let mut buf = [0u8; 16];
    // SAFETY: as above.
    let n = unsafe {
        libc::getxattr(
            path.as_ptr(),
            name.as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
        )
    };
    assert_eq!(usize::try_from(n).ok(), Some(value.len()), "attribute lost");
    assert_eq!(&buf[..value.len()], value);
}

/// `ocaudit backups PATH` lists one config's backups oldest first, and its
/// restore hint is a command that really restores the newest.
#[test]
fn backups_lists_them_and_the_restore_hint_works() {
    let efi = Efi::new();
    let empty = efi.cmd(None).args(["--no-backup"]).output().unwrap();
    assert_ne!(empty.status.code(), Some(2), "{}", text(&empty));
    let listing = |format: &str| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ocaudit"));
        c.current_dir(efi.dir.path())
            .env("XDG_STATE_HOME", efi.state())
            .args(["backups", "config.plist", "--format", format]);
        c.output().expect("runs")
    };
    let none = listing("human");
    assert_eq!(none.status.code(), Some(0), "{}", text(&none));
    assert!(
        text(&none).starts_with("no backups of config.plist"),
        "{}",
        text(&none)
    );

    let fixed = fs::read_to_string(efi.config()).unwrap();
    fs::write(efi.config(), ORIGINAL).unwrap();
    for _ in 0..2 {
        let o = efi.cmd(None).output().unwrap();
        assert_ne!(o.status.code(), Some(2), "{}", text(&o));
        fs::write(efi.config(), ORIGINAL).unwrap();
    }
    fs::write(efi.config(), &fixed).unwrap();
    let made = efi.backups();
    assert_eq!(made.len(), 2);

    let json: serde_json::Value = serde_json::from_slice(&listing("json").stdout).unwrap();
    let listed: Vec<PathBuf> = json["backups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| PathBuf::from(b["path"].as_str().unwrap()))
        .collect();
    let mut sorted = listed.clone();
    sorted.sort();
    assert_eq!(sorted, made);
    let times: Vec<&str> = json["backups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["made"].as_str().unwrap())
        .collect();
    assert!(
        times.windows(2).all(|w| w[0] <= w[1]),
        "oldest first: {times:?}"
    );
    if times[0] == times[1] {
        // Two in one second: the second one made carries `-2` and comes last.
        assert!(
            listed[1].to_string_lossy().ends_with("-2.bak"),
            "{listed:?}"
        );
    }

    let o = listing("human");
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    for b in &made {
        assert!(
            out.contains(&*b.file_name().unwrap().to_string_lossy()),
            "{out}"
        );
    }
    let hint = out
        .lines()
        .find_map(|l| l.strip_prefix("restore the newest: "))
        .unwrap_or_else(|| panic!("no restore hint: {out}"));
    let restored = Command::new("sh")
        .current_dir(efi.dir.path())
        .args(["-c", hint])
        .status()
        .unwrap();
    assert!(restored.success(), "{hint}");
    assert_eq!(fs::read_to_string(efi.config()).unwrap(), ORIGINAL);
}
