//! The `--write` half of `ocaudit fix`: the write itself (through
//! [`crate::write`]), what it tells the user on stderr (files a killed run
//! left, an unsynced directory, lost extended attributes, other hard links,
//! pruned backups), and the exit code when the report after a successful
//! write cannot be completed.

use std::cell::Cell;
use std::path::{Path, PathBuf};

use super::fix::FixArgs;
use crate::fixer::FixOutcome;
use crate::write::{BackupPolicy, WriteError, WriteRequest, prune_backups, write_atomically};

/// Exit code of `fix --write` when the config was written but what follows
/// (the re-check, or printing the report) failed: never 2, which promises
/// that nothing was written.
pub const WRITTEN_REPORT_FAILED: u8 = 3;

/// Test-only: modify the file while the writer verifies, to prove a file
/// changed on disk is refused (debug builds only).
const RACE_FAULT: &str = "modify-during-verify";

/// Test-only: fail the re-check after a successful write, as an I/O error
/// reading the file back would (debug builds only).
pub(super) const RECHECK_FAULT: &str = "recheck-fails";

/// Default of `--keep-backups`.
pub const DEFAULT_KEEP_BACKUPS: usize = 20;

/// What the write did.
#[derive(Debug, Default)]
pub(super) struct Written {
    /// The file replaced (symlinks resolved), if a write happened.
    pub path: Option<PathBuf>,
    /// Where the backup went.
    pub backup: Option<PathBuf>,
}

/// Whether the debug-only fault hook asks for `fault`.
pub(super) fn fault_is(fault: &str) -> bool {
    cfg!(debug_assertions)
        && std::env::var(crate::write::FAULT_ENV).is_ok_and(|v| v.trim() == fault)
}

/// Writes the fixed bytes, then tells on stderr what the user should know
/// about the write besides its success.
pub(super) fn write(
    path: &Path,
    raw: &[u8],
    outcome: &FixOutcome,
    args: &FixArgs,
) -> Result<Written, WriteError> {
    let new = outcome.new_bytes();
    let race = fault_is(RACE_FAULT);
    let raced = Cell::new(false);
    let verify = |bytes: &[u8]| -> Result<(), String> {
        if race && !raced.replace(true) {
            let mut changed = raw.to_vec();
            changed.extend_from_slice(b"\n");
            std::fs::write(path, changed).map_err(|e| e.to_string())?;
        }
        outcome.verify(bytes)
    };
    let backup = match (&args.backup, args.no_backup) {
        (_, true) => BackupPolicy::None,
        (Some(p), _) => BackupPolicy::At(p.clone()),
        (None, false) => BackupPolicy::StateDir,
    };
    let prune = backup == BackupPolicy::StateDir;
    let req = WriteRequest::new(path, raw, &new, &verify).with_backup(backup);
    crate::write::clean_up_on_signals();
    let done = write_atomically(&req)?;

    for left in &done.cleaned_up {
        eprintln!(
            "ocaudit: removed {}, left by an earlier ocaudit run that was interrupted",
            left.display()
        );
    }
    if !done.directory_synced && cfg!(unix) {
        eprintln!(
            "ocaudit: warning: {} was written, but syncing its directory failed: the change \
             may be lost if the power fails in the next seconds (eject or unmount the volume \
             to be sure)",
            done.written.display()
        );
    }
    if let (false, Some(backup), true) = (done.backup_directory_synced, &done.backup, cfg!(unix)) {
        eprintln!(
            "ocaudit: warning: syncing the directory of the backup {} failed: it may be lost \
             if the power fails in the next seconds",
            backup.display()
        );
    }
    if !done.xattrs_not_copied.is_empty() {
        eprintln!(
            "ocaudit: warning: these extended attributes of {} could not be kept: {}",
            done.written.display(),
            done.xattrs_not_copied.join(", ")
        );
    }
    if done.other_links > 0 {
        eprintln!(
            "ocaudit: note: {} had {} other hard link{}; {} still show{} the old contents",
            done.written.display(),
            done.other_links,
            if done.other_links == 1 { "" } else { "s" },
            if done.other_links == 1 { "it" } else { "they" },
            if done.other_links == 1 { "s" } else { "" },
        );
    }
    if let (true, Some(made)) = (prune, &done.backup) {
        match prune_backups(made, args.keep_backups) {
            Ok(removed) if !removed.is_empty() => eprintln!(
                "ocaudit: removed {} older backup{} of this config (keeping the newest {}; \
                 --keep-backups changes that)",
                removed.len(),
                if removed.len() == 1 { "" } else { "s" },
                args.keep_backups
            ),
            Ok(_) => {}
            Err(e) => eprintln!("ocaudit: warning: could not remove older backups: {e}"),
        }
    }
    Ok(Written {
        path: Some(done.written),
        backup: done.backup,
    })
}

/// After a successful write, the report could not be completed: say on
/// stderr what was written (stdout may be gone) and return
/// [`WRITTEN_REPORT_FAILED`].
pub(super) fn report_failed(written: &Written, error: &anyhow::Error) -> u8 {
    let path = written
        .path
        .as_deref()
        .map_or(String::new(), |p| p.display().to_string());
    let backup = match &written.backup {
        Some(b) => format!("the backup of the original is {}", b.display()),
        None => "no backup was made (--no-backup)".to_string(),
    };
    let mut cause = error.to_string();
    for c in error.chain().skip(1) {
        cause.push_str(&format!(": {c}"));
    }
    eprintln!(
        "ocaudit: wrote {path} ({backup}), but could not finish the report after it: {cause}. \
         The fixes are in the file; run `ocaudit check {path}` to see what remains."
    );
    WRITTEN_REPORT_FAILED
}
