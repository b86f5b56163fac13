//! Safe writing: replace one file's bytes so that, whatever happens, the file
//! on disk is either exactly as it was or exactly the new bytes. A temporary
//! file beside the target is written, synced, read back and verified, then
//! renamed over the original, and the directory is synced; a backup of the
//! original goes to the user's state directory first.
//!
//! This module must never: write into the config itself (only the rename
//! replaces it), overwrite a file that changed since the caller read it, let
//! its temporary or lock file outlive the call, put a default backup beside the
//! config, delete or overwrite a backup, rely on hard links or Unix-only calls
//! to replace the file (EFI partitions are FAT32), or know anything about
//! plists (the caller's `verify` does the re-parse).
//!
//! Order of operations in [`write_atomically`], with what each step refuses:
//!
//! 1. resolve symlinks (the link stays a link; its target is replaced);
//!    not a regular file → [`WriteError::NotRegularFile`];
//! 2. writability: no write bit on the file, or the directory on Unix (this is
//!    what stops root, whom permissions do not stop), or the file cannot be
//!    opened for writing → [`WriteError::NotWritable`];
//! 3. take the lock on `.NAME.ocaudit.lock` beside the config (the first real
//!    file creation there) → [`WriteError::Locked`] / `NotWritable`; remove
//!    what killed runs left (their lock file's contents, their temporary
//!    files), listed in [`WriteOutcome::cleaned_up`];
//! 4. on-disk bytes differ from `original` → [`WriteError::Changed`];
//! 5. `verify(new_contents)` in memory → [`WriteError::VerifyFailed`];
//! 6. backup (create-new, sync, read back) → [`WriteError::Backup`];
//! 7. temporary file `.NAME.ocaudit-<pid>-<n>.tmp`: write, sync, close, read
//!    back, compare and `verify` again, copy permissions (and on Unix, best
//!    effort, ownership and extended attributes);
//! 8. on-disk bytes compared with `original` once more → `Changed`;
//! 9. `std::fs::rename` over the target, then sync the directory (Unix only;
//!    best effort, reported in [`WriteOutcome::directory_synced`]).
//!
//! Nothing after the rename can fail the call, so every [`WriteError`] means
//! the config is untouched.
//!
//! Concurrency: two ocaudit writers exclude each other through an advisory
//! lock on the lock file (see `lock.rs`), so one wins and the other gets
//! `Locked` (or `Changed`, if it arrives after the winner finished). The
//! operating system drops the lock when its holder dies, so a killed run never
//! blocks later ones; the next writer removes its leftovers and says so.
//!
//! Interruption: with [`clean_up_on_signals`] (the binary turns it on),
//! SIGINT, SIGTERM and SIGHUP during a write remove the temporary and lock
//! files before the process ends. SIGKILL or a crash leaves them; the next
//! write removes them.
//!
//! Not covered: a program other than ocaudit that writes the config in the
//! instant between step 8 and the rename goes undetected (no portable
//! compare-and-swap exists); ACLs and file flags are not copied; a file with
//! several hard links is replaced under this name only (the other names keep
//! the old contents; [`WriteOutcome::other_links`] says how many there were).

#![warn(missing_docs)]

mod backup;
mod error;
mod history;
mod lock;
mod ownership;
#[cfg(unix)]
mod signals;
mod temp;
mod xattr;

#[cfg(not(unix))]
mod signals {
    //! No signals to handle outside Unix (Ctrl-C on Windows ends the process
    //! without running handlers that could remove files).
    use std::path::Path;

    /// Does nothing on this platform.
    pub fn clean_up_on_signals() {}

    #[derive(Debug)]
    pub(crate) struct Registration;

    impl Registration {
        pub(crate) fn new(_path: &Path) -> Registration {
            Registration
        }
    }
}

use std::ffi::OsStr;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

pub use backup::{BackupPolicy, default_backup_dir};
pub use error::WriteError;
pub use history::{BackupFile, list_backups, prune_backups, stem_for};
pub use signals::clean_up_on_signals;

use lock::{LockGuard, is_not_writable};
use temp::TempGuard;

/// Environment variable read (only in builds with debug assertions, i.e. test
/// and dev builds, never release) to inject a [`Fault`] when the request sets
/// none: `after-temp-write`, `enospc`, `pause-before-rename` or
/// `dir-sync-fails`. Lets CLI tests drive the hook. The
/// binary also reads `panic`, to show its internal-error message.
pub const FAULT_ENV: &str = "OCAUDIT_TEST_FAULT";

/// A failure injected on purpose, for tests of the refusal paths.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Fail after the temporary file is complete (written, synced, verified,
    /// permissions copied) and before the rename.
    AfterTempWrite,
    /// Fail while writing the temporary file, after half of it, as if the disk
    /// were full (`ErrorKind::StorageFull`, i.e. ENOSPC).
    WriteFails,
    /// Stop for a minute just before the rename, with the temporary file
    /// complete and the lock held, after printing `ocaudit: test hook:
    /// paused before the rename` to stderr: lets a test kill the process
    /// mid-write.
    PauseBeforeRename,
    /// Report the directory syncs (the backup's and, after the rename, the
    /// config's) as failed.
    DirSyncFails,
}

impl Fault {
    /// Parses a [`FAULT_ENV`] value.
    pub fn parse(value: &str) -> Option<Fault> {
        match value.trim() {
            "after-temp-write" => Some(Fault::AfterTempWrite),
            "enospc" => Some(Fault::WriteFails),
            "pause-before-rename" => Some(Fault::PauseBeforeRename),
            "dir-sync-fails" => Some(Fault::DirSyncFails),
            _ => None,
        }
    }

    fn from_env() -> Option<Fault> {
        if cfg!(debug_assertions) {
            std::env::var(FAULT_ENV)
                .ok()
                .as_deref()
                .and_then(Fault::parse)
        } else {
            None
        }
    }
}

/// The caller's check of the bytes about to be written: re-parse them and
/// confirm they hold exactly the intended values. `Err` carries the reason.
pub type Verify<'a> = &'a dyn Fn(&[u8]) -> Result<(), String>;

/// One replacement of a file's contents.
pub struct WriteRequest<'a> {
    /// The config to replace (may be a symlink; its target is replaced).
    pub path: &'a Path,
    /// The bytes the caller read from `path`. The write is refused if the file
    /// no longer holds exactly these, and they are what the backup contains.
    pub original: &'a [u8],
    /// The complete new contents.
    pub new_contents: &'a [u8],
    /// Where the backup of `original` goes.
    pub backup: BackupPolicy,
    /// Called on `new_contents` before anything is written, and again on the
    /// temporary file's bytes as read back from disk.
    pub verify: Verify<'a>,
    /// Test-only fault injection (see [`Fault`] and [`FAULT_ENV`]).
    #[doc(hidden)]
    pub fault: Option<Fault>,
}

impl<'a> WriteRequest<'a> {
    /// A request with the default backup policy ([`BackupPolicy::StateDir`])
    /// and no fault.
    pub fn new(
        path: &'a Path,
        original: &'a [u8],
        new_contents: &'a [u8],
        verify: Verify<'a>,
    ) -> Self {
        WriteRequest {
            path,
            original,
            new_contents,
            backup: BackupPolicy::StateDir,
            verify,
            fault: None,
        }
    }

    /// The same request with another backup policy.
    pub fn with_backup(mut self, backup: BackupPolicy) -> Self {
        self.backup = backup;
        self
    }
}

/// What a successful write did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WriteOutcome {
    /// The file actually replaced: the request's path with symlinks resolved.
    pub written: PathBuf,
    /// Where the backup of the original went, if one was made.
    pub backup: Option<PathBuf>,
    /// Whether the directory entry was synced after the rename. Always false
    /// where the platform cannot sync a directory (Windows); false on Unix only
    /// if the filesystem refused, in which case the rename is done but may not
    /// yet be durable across a power loss.
    pub directory_synced: bool,
    /// The same for the backup's directory (true when no backup was made).
    pub backup_directory_synced: bool,
    /// Files a killed earlier run left beside the config (its lock file, its
    /// temporary files), found and removed by this write.
    pub cleaned_up: Vec<PathBuf>,
    /// Extended attributes of the original that could not be given to the
    /// new file (the filesystem or the user's privileges refused them).
    pub xattrs_not_copied: Vec<String>,
    /// How many other hard links the file had: those names still show the
    /// old contents (0 on platforms that do not tell).
    pub other_links: u64,
}

/// Replaces the file at `req.path` with `req.new_contents`, atomically, after
/// backing up `req.original` according to `req.backup`. See the module docs
/// for the steps. On `Err`, the file on disk was not touched, and neither the
/// temporary file nor the lock file remains.
pub fn write_atomically(req: &WriteRequest<'_>) -> Result<WriteOutcome, WriteError> {
    let fault = req.fault.or_else(Fault::from_env);
    let given = req.path;
    let target = fs::canonicalize(given)
        .map_err(|source| io_error(given, "resolving the path", given, source))?;
    let meta = fs::metadata(&target)
        .map_err(|source| io_error(&target, "reading the metadata", &target, source))?;
    let (dir, file_name) = match (target.parent(), target.file_name()) {
        (Some(dir), Some(name)) if meta.is_file() => (dir.to_path_buf(), name.to_os_string()),
        _ => return Err(WriteError::NotRegularFile { target }),
    };

    check_writable(&target, &dir, &meta)?;
    let lock = LockGuard::acquire(&dir, &file_name, &target)?;
    let mut cleaned_up = Vec::new();
    if lock.stale().is_some() {
        cleaned_up.push(lock.path().to_path_buf());
    }
    cleaned_up.extend(lock.clean_stale_temps(&dir, &file_name));
    ensure_unchanged(&target, req.original)?;
    (req.verify)(req.new_contents).map_err(|reason| WriteError::VerifyFailed {
        target: target.clone(),
        reason,
        backup: None,
    })?;
    let (backup, backup_synced) = match backup::make_backup(&req.backup, &target, req.original)? {
        Some((path, synced)) => (Some(path), synced),
        None => (None, true),
    };
    let xattrs_not_copied = replace(req, &target, &dir, &file_name, &meta, fault)
        .map_err(|e| e.with_backup(backup.as_deref()))?;
    let directory_synced = sync_dir(&dir) && fault != Some(Fault::DirSyncFails);
    drop(lock);
    Ok(WriteOutcome {
        written: target,
        backup,
        directory_synced,
        backup_directory_synced: backup_synced && fault != Some(Fault::DirSyncFails),
        cleaned_up,
        xattrs_not_copied,
        other_links: other_links(&meta),
    })
}

/// Creates the file `path`, which must not exist yet, with `bytes`, through a
/// synced temporary file beside it renamed into place: a reader never sees a
/// half-written file, and an existing file is never replaced (one that
/// appears meanwhile makes the call fail with [`WriteError::Changed`], short
/// of a race in the instant before the rename). For generated output such as
/// `slide --svg`; replacing an existing file goes through
/// [`write_atomically`].
pub fn create_atomically(path: &Path, bytes: &[u8]) -> Result<PathBuf, WriteError> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let dir = fs::canonicalize(&dir)
        .map_err(|source| io_error(path, "resolving the directory", &dir, source))?;
    let Some(file_name) = path.file_name() else {
        return Err(WriteError::NotRegularFile {
            target: path.to_path_buf(),
        });
    };
    let target = dir.join(file_name);
    let exists = |t: &Path| fs::symlink_metadata(t).is_ok();
    if exists(&target) {
        return Err(WriteError::Changed {
            target,
            backup: None,
        });
    }
    let (temp, mut file) = TempGuard::create(&dir, file_name, &target)?;
    let tmp = temp.path().to_path_buf();
    write_temp(&mut file, bytes, None)
        .map_err(|source| io_error(&target, "writing the temporary file", &tmp, source))?;
    drop(file);
    // The temporary file is private (0600); give it the mode a new file gets.
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        // SAFETY: umask has no preconditions; it is set back at once.
        let mask = unsafe {
            let m = libc::umask(0o022);
            libc::umask(m);
            m
        };
        // mode_t is u32 on Linux but u16 on macOS.
        #[allow(clippy::useless_conversion)]
        let mode = 0o666 & !u32::from(mask);
        let _ = fs::set_permissions(&tmp, fs::Permissions::from_mode(mode));
    }
    if exists(&target) {
        return Err(WriteError::Changed {
            target,
            backup: None,
        });
    }
    fs::rename(&tmp, &target)
        .map_err(|source| io_error(&target, "renaming the temporary file", &tmp, source))?;
    temp.disarm();
    sync_dir(&dir);
    Ok(target)
}

/// Steps 7 to 9: everything that touches the temporary file, ending with the
/// rename. The temporary file is removed on every error path by its guard.
/// Returns the extended attributes that could not be copied.
fn replace(
    req: &WriteRequest<'_>,
    target: &Path,
    dir: &Path,
    file_name: &OsStr,
    meta: &fs::Metadata,
    fault: Option<Fault>,
) -> Result<Vec<String>, WriteError> {
    let (temp, mut file) = TempGuard::create(dir, file_name, target)?;
    let tmp = temp.path().to_path_buf();
    write_temp(&mut file, req.new_contents, fault)
        .map_err(|source| io_error(target, "writing the temporary file", &tmp, source))?;
    drop(file);

    let back = fs::read(&tmp)
        .map_err(|source| io_error(target, "reading back the temporary file", &tmp, source))?;
    let verify_failed = |reason: String| WriteError::VerifyFailed {
        target: target.to_path_buf(),
        reason,
        backup: None,
    };
    if back != req.new_contents {
        return Err(verify_failed(format!(
            "the temporary file read back as {} bytes that differ from the {} written",
            back.len(),
            req.new_contents.len()
        )));
    }
    (req.verify)(&back).map_err(verify_failed)?;
    copy_permissions(&tmp, meta).map_err(|source| {
        io_error(
            target,
            "copying the original's permissions to",
            &tmp,
            source,
        )
    })?;
    let xattrs_not_copied = xattr::copy_xattrs(target, &tmp);

    if fault == Some(Fault::PauseBeforeRename) {
        eprintln!("ocaudit: test hook: paused before the rename");
        std::thread::sleep(std::time::Duration::from_secs(60));
    }
    if fault == Some(Fault::AfterTempWrite) {
        return Err(io_error(
            target,
            "renaming the temporary file",
            &tmp,
            io::Error::other("fault injected by the test hook before the rename"),
        ));
    }
    ensure_unchanged(target, req.original)?;
    fs::rename(&tmp, target).map_err(|source| {
        io_error(
            target,
            "renaming the temporary file over the config",
            &tmp,
            source,
        )
    })?;
    temp.disarm();
    Ok(xattrs_not_copied)
}

/// The number of other names (hard links) the file has.
fn other_links(meta: &fs::Metadata) -> u64 {
    #[cfg(unix)]
    {
        std::os::unix::fs::MetadataExt::nlink(meta).saturating_sub(1)
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        0
    }
}

/// Writes and syncs the temporary file, or fails as the fault asks.
fn write_temp(file: &mut File, bytes: &[u8], fault: Option<Fault>) -> io::Result<()> {
    if fault == Some(Fault::WriteFails) {
        file.write_all(&bytes[..bytes.len() / 2])?;
        return Err(io::Error::new(
            io::ErrorKind::StorageFull,
            "no space left on device (simulated by the test hook)",
        ));
    }
    file.write_all(bytes)?;
    file.sync_all()
}

/// Refuses when the file or (on Unix) its directory has no write bit, or the
/// file cannot be opened for writing. The mode-bit checks are what stop root.
fn check_writable(target: &Path, dir: &Path, meta: &fs::Metadata) -> Result<(), WriteError> {
    let not_writable = |path: &Path, reason: String| WriteError::NotWritable {
        target: target.to_path_buf(),
        path: path.to_path_buf(),
        reason,
    };
    if meta.permissions().readonly() {
        return Err(not_writable(target, "the file is read-only".into()));
    }
    // On Windows a directory's read-only attribute means something else, and
    // creating the lock file is the real test there.
    if cfg!(unix) && fs::metadata(dir).is_ok_and(|m| m.permissions().readonly()) {
        return Err(not_writable(dir, "the directory is read-only".into()));
    }
    // Append mode cannot truncate or change anything; the handle is dropped at once.
    match OpenOptions::new().append(true).open(target) {
        Ok(_) => Ok(()),
        Err(e) if is_not_writable(&e) => Err(not_writable(target, e.to_string())),
        Err(source) => Err(io_error(
            target,
            "opening the config for writing",
            target,
            source,
        )),
    }
}

/// Refuses with `Changed` unless the file on disk holds exactly `original`.
fn ensure_unchanged(target: &Path, original: &[u8]) -> Result<(), WriteError> {
    let now = fs::read(target).map_err(|source| {
        io_error(
            target,
            "re-reading the config to check it is unchanged",
            target,
            source,
        )
    })?;
    if now == original {
        Ok(())
    } else {
        Err(WriteError::Changed {
            target: target.to_path_buf(),
            backup: None,
        })
    }
}

/// Gives the temporary file the original's permissions and, on Unix, best
/// effort, its owner and group (so `sudo ocaudit fix --write` does not hand a
/// user's file to root). Ownership goes first: chown may clear set-id bits.
/// A filesystem that refuses chmod is accepted only if the temporary file
/// already has the original's permissions (filesystems with fixed modes).
fn copy_permissions(path: &Path, meta: &fs::Metadata) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let Ok(now) = fs::metadata(path)
            && (now.uid(), now.gid()) != (meta.uid(), meta.gid())
        {
            let _ = std::os::unix::fs::chown(path, Some(meta.uid()), Some(meta.gid()));
        }
    }
    match fs::set_permissions(path, meta.permissions()) {
        Err(_) if fs::metadata(path).is_ok_and(|m| m.permissions() == meta.permissions()) => Ok(()),
        result => result,
    }
}

/// Syncs a directory's entries to disk where the platform allows it; returns
/// whether that succeeded. Windows cannot open a directory through `std`.
pub(crate) fn sync_dir(dir: &Path) -> bool {
    if cfg!(unix) {
        File::open(dir).and_then(|d| d.sync_all()).is_ok()
    } else {
        false
    }
}

fn io_error(target: &Path, action: &'static str, path: &Path, source: io::Error) -> WriteError {
    WriteError::Io {
        target: target.to_path_buf(),
        action,
        path: path.to_path_buf(),
        source,
        backup: None,
    }
}
