//! The per-config lock file that keeps two writers from interleaving: created
//! with `create_new` (atomic on every filesystem ocaudit targets, FAT32
//! included), holding the writer's pid, and removed when the guard drops.
//!
//! A stale lock (left by a run that was killed) is never removed
//! automatically: two processes that both judged it stale could each delete
//! the other's fresh lock. The writer refuses with [`WriteError::Locked`] and
//! says whether the recorded pid still runs (on Linux, via `/proc/<pid>`), so
//! the user can delete the lock knowingly.

use std::ffi::{OsStr, OsString};
use std::fs::{self, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::error::WriteError;

/// Holds the lock file for one config; removes it on drop (also on error paths
/// and during unwinding).
#[derive(Debug)]
pub(crate) struct LockGuard {
    path: PathBuf,
}

/// The lock file's name for a config named `file_name`: `.NAME.ocaudit.lock`.
pub(crate) fn lock_name(file_name: &OsStr) -> OsString {
    let mut name = OsString::from(".");
    name.push(file_name);
    name.push(".ocaudit.lock");
    name
}

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
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(mut file) => {
                let guard = LockGuard { path };
                if let Err(source) = writeln!(file, "{}", std::process::id()) {
                    return Err(WriteError::Io {
                        target: target.to_path_buf(),
                        action: "writing the lock file",
                        path: guard.path.clone(),
                        source,
                        backup: None,
                    });
                }
                Ok(guard)
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                let pid = fs::read_to_string(&path)
                    .ok()
                    .and_then(|s| s.trim().parse::<u32>().ok());
                Err(WriteError::Locked {
                    target: target.to_path_buf(),
                    lock: path,
                    pid,
                    holder_running: pid.and_then(pid_running),
                })
            }
            Err(e) if is_not_writable(&e) => Err(WriteError::NotWritable {
                target: target.to_path_buf(),
                path: dir.to_path_buf(),
                reason: e.to_string(),
            }),
            Err(source) => Err(WriteError::Io {
                target: target.to_path_buf(),
                action: "creating the lock file",
                path,
                source,
                backup: None,
            }),
        }
    }
}

impl Drop for LockGuard {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
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
                if cfg!(target_os = "linux") {
                    assert_eq!(holder_running, Some(true));
                }
            }
            other => panic!("expected Locked, got {other:?}"),
        }
        drop(first);
        assert!(!lock.exists());
        LockGuard::acquire(dir.path(), OsStr::new("config.plist"), &target).unwrap();
        assert!(!lock.exists(), "the temporary guard released it again");
    }

    #[test]
    fn garbage_lock_is_reported_without_pid() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("c.plist");
        fs::write(dir.path().join(".c.plist.ocaudit.lock"), "not a pid").unwrap();
        let err = LockGuard::acquire(dir.path(), OsStr::new("c.plist"), &target).unwrap_err();
        assert!(matches!(
            err,
            WriteError::Locked {
                pid: None,
                holder_running: None,
                ..
            }
        ));
        assert!(err.to_string().contains("delete"));
    }
}
