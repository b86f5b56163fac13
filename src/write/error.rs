//! The ways a write can be refused or fail. Every variant describes a state in
//! which the config on disk was *not* touched by ocaudit: the rename over the
//! original is the last fallible step, and nothing after it reports an error.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Why [`write_atomically`](super::write_atomically) did not replace the file.
///
/// Whatever the variant, the config on disk was left exactly as it was (ocaudit
/// wrote nothing to it) and no temporary file remains beside it. The `Display`
/// text says what happened, that the file is unchanged, and what to do next.
#[derive(Debug)]
pub enum WriteError {
    /// The path does not name a regular file (a directory, a device, a FIFO...).
    NotRegularFile {
        /// The config path after resolving symlinks (or as given, if that failed).
        target: PathBuf,
    },
    /// The config or its directory cannot be written. Nothing was written.
    NotWritable {
        /// The config path after resolving symlinks.
        target: PathBuf,
        /// The file or directory found not to be writable.
        path: PathBuf,
        /// Why it was judged not writable (an OS error or the permission bits).
        reason: String,
    },
    /// Another writer holds the lock file beside the config. Nothing was written.
    Locked {
        /// The config path after resolving symlinks.
        target: PathBuf,
        /// The lock file, `.NAME.ocaudit.lock` in the config's directory.
        lock: PathBuf,
        /// The process id recorded in the lock file, when it could be read.
        pid: Option<u32>,
        /// Whether the holder is running: `Some(true)` when it holds the
        /// advisory lock (so it is alive). Only where the filesystem has no
        /// locks does this come from the pid: `Some(false)` then means the
        /// lock file is stale (left by an interrupted run), `None` unknown.
        holder_running: Option<bool>,
    },
    /// The file on disk no longer holds the bytes the caller read: someone else
    /// changed it in between. Nothing was written.
    Changed {
        /// The config path after resolving symlinks.
        target: PathBuf,
        /// A backup of the caller's `original` bytes, if one was already made.
        backup: Option<PathBuf>,
    },
    /// The new contents (in memory, or as read back from the temporary file)
    /// failed the caller's verification, or the read-back differed from what
    /// was written. Nothing was written.
    VerifyFailed {
        /// The config path after resolving symlinks.
        target: PathBuf,
        /// What the check reported.
        reason: String,
        /// A backup of the original, if one was already made.
        backup: Option<PathBuf>,
    },
    /// The backup could not be made or did not read back identical, so the
    /// config was not touched.
    Backup {
        /// The config path after resolving symlinks.
        target: PathBuf,
        /// Where the backup was to go, when known.
        path: Option<PathBuf>,
        /// What went wrong.
        reason: String,
    },
    /// An I/O operation failed before the rename completed (this includes
    /// running out of space while writing the temporary file, and faults
    /// injected by the test hook). The original is intact.
    Io {
        /// The config path after resolving symlinks (or as given).
        target: PathBuf,
        /// What ocaudit was doing, e.g. "writing the temporary file".
        action: &'static str,
        /// The path the operation was on.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
        /// A backup of the original, if one was already made.
        backup: Option<PathBuf>,
    },
}

impl WriteError {
    /// The config file this error is about (symlinks resolved when possible).
    pub fn target(&self) -> &Path {
        match self {
            WriteError::NotRegularFile { target }
            | WriteError::NotWritable { target, .. }
            | WriteError::Locked { target, .. }
            | WriteError::Changed { target, .. }
            | WriteError::VerifyFailed { target, .. }
            | WriteError::Backup { target, .. }
            | WriteError::Io { target, .. } => target,
        }
    }

    /// A backup of the original that was made before the failure, if any.
    /// Backups are never deleted by ocaudit, so callers should mention it.
    pub fn backup(&self) -> Option<&Path> {
        match self {
            WriteError::Changed { backup, .. }
            | WriteError::VerifyFailed { backup, .. }
            | WriteError::Io { backup, .. } => backup.as_deref(),
            _ => None,
        }
    }

    /// Attach the backup path to the variants that can happen after a backup.
    pub(crate) fn with_backup(mut self, made: Option<&Path>) -> Self {
        if let Some(made) = made {
            match &mut self {
                WriteError::Changed { backup, .. }
                | WriteError::VerifyFailed { backup, .. }
                | WriteError::Io { backup, .. } => *backup = Some(made.to_path_buf()),
                _ => {}
            }
        }
        self
    }
}

fn io_hint(err: &io::Error) -> &'static str {
    match err.kind() {
        io::ErrorKind::StorageFull | io::ErrorKind::QuotaExceeded => {
            "Free some space on that volume and run the command again."
        }
        io::ErrorKind::PermissionDenied | io::ErrorKind::ReadOnlyFilesystem => {
            "Check that the volume is mounted read-write and that you may write there, then run again."
        }
        io::ErrorKind::NotFound => "Check the path and run the command again.",
        _ => "Fix the cause above and run the command again.",
    }
}

impl fmt::Display for WriteError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let t = self.target().display();
        match self {
            WriteError::NotRegularFile { .. } => write!(
                f,
                "refusing to write {t}: it is not a regular file. Nothing was written. \
                 Point ocaudit at the config.plist file itself."
            )?,
            WriteError::NotWritable { path, reason, .. } => write!(
                f,
                "refusing to write {t}: {} is not writable ({reason}). Nothing was written; \
                 {t} is unchanged. Make it writable (for an EFI partition, mount it read-write) \
                 and run the command again.",
                path.display()
            )?,
            WriteError::Locked {
                lock,
                pid,
                holder_running,
                ..
            } => {
                let who = match pid {
                    Some(pid) => format!("process {pid}"),
                    None => "another process".to_string(),
                };
                write!(
                    f,
                    "refusing to write {t}: it is locked by {who} (lock file {}). Nothing was \
                     written; {t} is unchanged. ",
                    lock.display()
                )?;
                match holder_running {
                    Some(true) => write!(
                        f,
                        "Wait for the other ocaudit to finish, then run the command again."
                    )?,
                    Some(false) => write!(
                        f,
                        "No such process is running, so an earlier ocaudit was interrupted: \
                         delete {} and run the command again.",
                        lock.display()
                    )?,
                    None => write!(
                        f,
                        "If no other ocaudit is running, an earlier run was interrupted: \
                         delete {} and run the command again.",
                        lock.display()
                    )?,
                }
            }
            WriteError::Changed { .. } => write!(
                f,
                "refusing to write {t}: it changed on disk since it was read (another program \
                 wrote it). Nothing was written; the file was left as it is now. Run the command \
                 again to work from its current contents."
            )?,
            WriteError::VerifyFailed { reason, .. } => write!(
                f,
                "refusing to write {t}: the new contents failed verification ({reason}). \
                 Nothing was written; {t} is unchanged. This is a bug in ocaudit: please report \
                 it with the config attached."
            )?,
            WriteError::Backup { path, reason, .. } => {
                write!(f, "refusing to write {t}: could not make a backup")?;
                if let Some(path) = path {
                    write!(f, " at {}", path.display())?;
                }
                write!(
                    f,
                    " ({reason}). Nothing was written; {t} is unchanged. Choose another backup \
                     location (--backup PATH) or skip the backup (--no-backup)."
                )?
            }
            WriteError::Io {
                action,
                path,
                source,
                ..
            } => write!(
                f,
                "could not write {t}: {action} ({}) failed: {source}. Nothing was written; {t} \
                 is unchanged. {}",
                path.display(),
                io_hint(source)
            )?,
        }
        if let Some(backup) = self.backup() {
            write!(f, " A backup of the original is at {}.", backup.display())?;
        }
        Ok(())
    }
}

impl std::error::Error for WriteError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            WriteError::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}
