//! The temporary file beside the config: a fresh name per attempt, created
//! with `create_new`, and removed by its guard unless the rename consumed it.

use std::ffi::{OsStr, OsString};
use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use super::error::WriteError;
use super::lock::is_not_writable;
use super::signals::Registration;

/// Distinguishes temporary files of concurrent writes within one process.
static COUNTER: AtomicU64 = AtomicU64::new(0);

/// The temporary file's name: `.NAME.ocaudit-<pid>-<n>.tmp`.
pub(crate) fn temp_name(file_name: &OsStr, n: u64) -> OsString {
    let mut name = OsString::from(".");
    name.push(file_name);
    name.push(format!(".ocaudit-{}-{n}.tmp", std::process::id()));
    name
}

/// Owns the temporary file's path; removes the file on drop unless
/// [`TempGuard::disarm`] was called after a successful rename.
#[derive(Debug)]
pub(crate) struct TempGuard {
    path: PathBuf,
    armed: bool,
    /// Removes the file if a signal ends the process mid-write.
    _on_signal: Registration,
}

impl TempGuard {
    /// Creates a new, empty temporary file in `dir` and returns it open for
    /// writing. On Unix it starts private (0600); the original's permissions
    /// are applied once its contents are complete.
    pub(crate) fn create(
        dir: &Path,
        file_name: &OsStr,
        target: &Path,
    ) -> Result<(TempGuard, File), WriteError> {
        for _ in 0..100 {
            let path = dir.join(temp_name(
                file_name,
                COUNTER.fetch_add(1, Ordering::Relaxed),
            ));
            let mut options = OpenOptions::new();
            options.write(true).create_new(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            match options.open(&path) {
                Ok(file) => {
                    let on_signal = Registration::new(&path);
                    let guard = TempGuard {
                        path,
                        armed: true,
                        _on_signal: on_signal,
                    };
                    return Ok((guard, file));
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
                Err(e) if is_not_writable(&e) => {
                    return Err(WriteError::NotWritable {
                        target: target.to_path_buf(),
                        path: dir.to_path_buf(),
                        reason: e.to_string(),
                    });
                }
                Err(source) => {
                    return Err(WriteError::Io {
                        target: target.to_path_buf(),
                        action: "creating the temporary file",
                        path,
                        source,
                        backup: None,
                    });
                }
            }
        }
        Err(WriteError::Io {
            target: target.to_path_buf(),
            action: "creating the temporary file",
            path: dir.to_path_buf(),
            source: io::Error::new(
                io::ErrorKind::AlreadyExists,
                "no free temporary file name after 100 attempts",
            ),
            backup: None,
        })
    }

    /// The temporary file's path.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// The rename consumed the file: nothing left to remove.
    pub(crate) fn disarm(mut self) {
        self.armed = false;
    }
}

impl Drop for TempGuard {
    fn drop(&mut self) {
        if self.armed {
            let _ = fs::remove_file(&self.path);
        }
    }
}
