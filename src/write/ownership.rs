//! Who should own what a write creates outside the config's directory (the
//! backup directories and files): the owner of the directory it is created
//! in, when that is not the user running ocaudit. This only matters for root
//! (no one else may give files away), e.g. `sudo -E ocaudit fix --write`,
//! which keeps the user's HOME: the backup directories then belong to the
//! user, who can still use `~/.local` and run ocaudit later.

use std::path::Path;

/// The owner (uid, gid) of `path`'s parent directory, when it is not the
/// current effective user and the platform has owners; `None` otherwise.
pub(super) fn owner_of_parent(path: &Path) -> Option<(u32, u32)> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let parent = path.parent().filter(|p| !p.as_os_str().is_empty())?;
        let meta = std::fs::metadata(parent).ok()?;
        // SAFETY: geteuid has no preconditions and cannot fail.
        let me = unsafe { libc::geteuid() };
        (meta.uid() != me).then(|| (meta.uid(), meta.gid()))
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

/// Gives `path` to `owner` (best effort: only root may, and a filesystem
/// without owners ignores it).
pub(super) fn give(path: &Path, owner: Option<(u32, u32)>) {
    #[cfg(unix)]
    if let Some((uid, gid)) = owner {
        let _ = std::os::unix::fs::lchown(path, Some(uid), Some(gid));
    }
    #[cfg(not(unix))]
    let _ = (path, owner);
}
