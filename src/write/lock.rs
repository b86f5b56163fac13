//! The per-config lock that keeps two writers from interleaving: an advisory
//! lock (`flock` on Unix, `LockFileEx` on Windows) on the file
//! `.NAME.ocaudit.lock` beside the config. The operating system releases it
//! when its holder exits, however it ends, so a killed run can never lock a
//! config for ever. The file holds the holder's pid, for the error message.
//!
//! The guard removes the file while it still holds the lock. A writer that
//! opened the old file just before gets the lock on a file no longer in the
//! directory; it notices (the path no longer names the file it locked) and
//! tries again, so two writers never both believe they hold the lock.
//!
//! A lock file found unlocked was left by a run that was killed: it is taken
//! over, and [`LockGuard::stale`] says so. Temporary files of that name's
//! writes (`.NAME.ocaudit-<pid>-<n>.tmp`) found while holding the lock were
//! also left by killed runs (every writer holds the lock while its temporary
//! file exists) and are removed; [`LockGuard::clean_stale_temps`] lists them.
//!
//! Where the filesystem does not support locks, the file's exclusive creation
//! is the lock, as in earlier releases: a file left by a killed run is then
//! never removed automatically, and the error says whether its pid still runs.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions, TryLockError};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};

use super::error::WriteError;
use super::signals::Registration;

/// Holds the lock for one config; removes the lock file and releases the lock
/// on drop (also on error paths and during unwinding).
#[derive(Debug)]
pub(crate) struct LockGuard {
    path: PathBuf,
    /// The open lock file; closing it releases the advisory lock.
    file: File,
    /// The pid recorded in a lock file that a killed run left behind, when
    /// this guard took it over (`Some(None)`: no readable pid in it).
    stale: Option<Option<u32>>,
    /// Whether the advisory lock is held (false: the filesystem has no locks
    /// and the exclusive creation of the file is the lock).
    advisory: bool,
    /// Removes the lock file if a signal ends the process mid-write.
    on_signal: Option<Registration>,
}

/// The lock file's name for a config named `file_name`: `.NAME.ocaudit.lock`.
pub(crate) fn lock_name(file_name: &OsStr) -> OsString {
    let mut name = OsString::from(".");
    name.push(file_name);
    name.push(".ocaudit.lock");
    name
}

/// How often to retry when the lock file is replaced under us.
const ATTEMPTS: usize = 50;

impl LockGuard {
    /// Takes the lock for `target` (whose directory is `dir`), or explains who
    /// holds it. A directory that refuses the new file is reported as not
    /// writable: this is the first real attempt to create a file there.
    pub(crate) fn acquire(
        dir: &Path,
        file_name: &OsStr,
        target: &Path,
    ) -> Result<Self, WriteError> {
        let path = dir.join(lock_name(file_name));
        let io_err = |action, source| WriteError::Io {
            target: target.to_path_buf(),
            action,
            path: path.clone(),
            source,
            backup: None,
        };
        for _ in 0..ATTEMPTS {
            let (mut file, created) = open_lock_file(&path).map_err(|e| {
                if is_not_writable(&e) {
                    WriteError::NotWritable {
                        target: target.to_path_buf(),
                        path: dir.to_path_buf(),
                        reason: e.to_string(),
                    }
                } else {
                    io_err("opening the lock file", e)
                }
            })?;
            let advisory = match file.try_lock() {
                Ok(()) => true,
                Err(TryLockError::WouldBlock) => {
                    let pid = read_pid(&mut file);
                    return Err(WriteError::Locked {
                        target: target.to_path_buf(),
                        lock: path,
                        pid,
                        holder_running: Some(true),
                    });
                }
                Err(TryLockError::Error(e)) if e.kind() == io::ErrorKind::Unsupported => false,
                Err(TryLockError::Error(e)) => return Err(io_err("locking the lock file", e)),
            };
            if !advisory && !created {
                let pid = read_pid(&mut file);
                return Err(WriteError::Locked {
                    target: target.to_path_buf(),
                    lock: path,
                    pid,
                    holder_running: pid.and_then(pid_running),
                });
            }
            if advisory && !still_named(&path, &file) {
                // Its holder removed it between our open and our lock: the
                // lock now lives (or will) in a new file of that name.
                continue;
            }
            let previous = read_all(&mut file);
            // An empty file is one another writer has just created and not yet
            // locked; one with contents was left by a writer that died.
            let stale =
                (!created && !previous.trim().is_empty()).then(|| previous.trim().parse().ok());
            let on_signal = Registration::new(&path);
            let mut guard = LockGuard {
                path: path.clone(),
                file,
                stale,
                advisory,
                on_signal: Some(on_signal),
            };
            // On failure the guard drops, removing the file it holds.
            record_pid(&mut guard.file).map_err(|e| io_err("writing the lock file", e))?;
            return Ok(guard);
        }
        Err(io_err(
            "locking the lock file",
            io::Error::other(format!(
                "the lock file was replaced {ATTEMPTS} times while taking it"
            )),
        ))
    }

    /// The lock file's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// When a killed run's lock file was taken over: the pid it recorded, if
    /// one could be read.
    pub(crate) fn stale(&self) -> Option<Option<u32>> {
        self.stale
    }

    /// Removes the temporary files of `file_name` in `dir` that killed runs
    /// left (only while the advisory lock is held, which proves no live
    /// writer owns them), returning their paths.
    pub(crate) fn clean_stale_temps(&self, dir: &Path, file_name: &OsStr) -> Vec<PathBuf> {
        if !self.advisory {
            return Vec::new();
        }
        let mut prefix = OsString::from(".");
        prefix.push(file_name);
        prefix.push(".ocaudit-");
        let prefix = prefix.to_string_lossy().into_owned();
        let Ok(entries) = fs::read_dir(dir) else {
            return Vec::new();
        };
        let mut removed: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .filter(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                name.strip_prefix(&prefix)
                    .and_then(|rest| rest.strip_suffix(".tmp"))
                    .is_some_and(|mid| mid.bytes().all(|b| b.is_ascii_digit() || b == b'-'))
            })
            .map(|e| e.path())
            .filter(|p| fs::symlink_metadata(p).is_ok_and(|m| m.is_file()))
            .filter(|p| fs::remove_file(p).is_ok())
            .collect();
        removed.sort();
        removed
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        // Unregister first: once the name is gone, another writer may create
        // a new lock file of that name, which a signal must not delete. Then
        // remove the name while still holding the lock (see the module docs);
        // the handle closes after this, releasing the lock.
        drop(self.on_signal.take());
        let _ = fs::remove_file(&self.path);
    }
}

/// Opens the lock file, creating it if needed; says whether it was created.
fn open_lock_file(path: &Path) -> io::Result<(File, bool)> {
    let mut options = OpenOptions::new();
    options.read(true).write(true);
    match options.clone().create_new(true).open(path) {
        Ok(file) => Ok((file, true)),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => match options.open(path) {
            Ok(file) => Ok((file, false)),
            // Removed between the two opens: create it again.
            Err(e) if e.kind() == io::ErrorKind::NotFound => {
                options.create_new(true).open(path).map(|f| (f, true))
            }
            Err(e) => Err(e),
        },
        Err(e) => Err(e),
    }
}

/// Whether `path` still names the file `file` is open on.
fn still_named(path: &Path, file: &File) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (fs::symlink_metadata(path), file.metadata()) {
            (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        // Windows does not let a name be reused while a handle to the
        // deleted file is open, so an existing name is the same file.
        let _ = file;
        path.exists()
    }
}

fn read_all(file: &mut File) -> String {
    let mut text = String::new();
    let _ = file
        .seek(io::SeekFrom::Start(0))
        .and_then(|_| file.take(64).read_to_string(&mut text));
    text
}

fn read_pid(file: &mut File) -> Option<u32> {
    read_all(file).trim().parse().ok()
}

fn record_pid(file: &mut File) -> io::Result<()> {
    file.set_len(0)?;
    file.seek(io::SeekFrom::Start(0))?;
    writeln!(file, "{}", std::process::id())
}

/// Errors that mean "you may not create files here".
pub(crate) fn is_not_writable(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem
    )
}

/// Whether a process with this id runs, when the platform lets us tell cheaply.
fn pid_running(pid: u32) -> Option<bool> {
    if cfg!(target_os = "linux") {
        Some(Path::new("/proc").join(pid.to_string()).exists())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_acquire_is_refused_then_released() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("config.plist");
        let first = LockGuard::acquire(dir.path(), OsStr::new("config.plist"), &target).unwrap();
        assert_eq!(first.stale(), None);
        let lock = dir.path().join(".config.plist.ocaudit.lock");
        assert_eq!(
            fs::read_to_string(&lock).unwrap().trim(),
            std::process::id().to_string()
        );
        match LockGuard::acquire(dir.path(), OsStr::new("config.plist"), &target) {
            Err(WriteError::Locked {
                pid,
                holder_running,
                ..
            }) => {
                assert_eq!(pid, Some(std::process::id()));
                assert_eq!(holder_running, Some(true));
            }
            other => panic!("expected Locked, got {other:?}"),
        }
        drop(first);
        assert!(!lock.exists());
        LockGuard::acquire(dir.path(), OsStr::new("config.plist"), &target).unwrap();
        assert!(!lock.exists(), "the temporary guard released it again");
    }

    #[test]
    fn a_lock_file_nobody_holds_is_taken_over_and_reported() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("c.plist");
        fs::write(dir.path().join(".c.plist.ocaudit.lock"), "4242\n").unwrap();
        let guard = LockGuard::acquire(dir.path(), OsStr::new("c.plist"), &target).unwrap();
        assert_eq!(guard.stale(), Some(Some(4242)));
        drop(guard);
        fs::write(dir.path().join(".c.plist.ocaudit.lock"), "not a pid").unwrap();
        let guard = LockGuard::acquire(dir.path(), OsStr::new("c.plist"), &target).unwrap();
        assert_eq!(guard.stale(), Some(None));
    }

    #[test]
    fn only_this_configs_temporary_files_are_cleaned() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("c.plist");
        for name in [
            ".c.plist.ocaudit-123-0.tmp",
            ".c.plist.ocaudit-9-17.tmp",
            ".d.plist.ocaudit-123-0.tmp",
            ".c.plist.ocaudit-abc.tmp",
            "c.plist",
        ] {
            fs::write(dir.path().join(name), "x").unwrap();
        }
        let guard = LockGuard::acquire(dir.path(), OsStr::new("c.plist"), &target).unwrap();
        let removed: Vec<String> = guard
            .clean_stale_temps(dir.path(), OsStr::new("c.plist"))
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            removed,
            [".c.plist.ocaudit-123-0.tmp", ".c.plist.ocaudit-9-17.tmp"]
        );
        assert!(dir.path().join(".d.plist.ocaudit-123-0.tmp").exists());
        assert!(dir.path().join(".c.plist.ocaudit-abc.tmp").exists());
    }
}
