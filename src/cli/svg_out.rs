//! Writing `slide --svg TARGET` without destroying anything: TARGET must be a
//! new file, or an SVG an earlier `ocaudit slide` wrote (it carries
//! [`MARK`]). An input of the run is never overwritten; a plist or any other
//! existing file only with `--force`, and then with a backup. The file is
//! written through the same atomic path as configs.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

use crate::write::{BackupPolicy, WriteRequest, create_atomically, write_atomically};

/// The comment that marks an SVG as written by ocaudit (second line of the
/// file, right after the `<svg>` start tag).
pub const MARK: &str = "<!-- written by ocaudit slide --svg; ocaudit may overwrite this file -->";

/// How far into an existing file to look for [`MARK`].
const MARK_WINDOW: usize = 4096;

/// Writes `svg` (as rendered, starting with the `<svg` tag) to `target`,
/// after the checks in the module docs. `inputs` are the files the run read.
/// Returns what it wants the user told (a backup made under `--force`).
pub fn write_svg(
    target: &Path,
    svg: &str,
    inputs: &[&Path],
    force: bool,
) -> anyhow::Result<Option<PathBuf>> {
    let marked = with_mark(svg);
    let existing = match fs::symlink_metadata(target) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(e).with_context(|| format!("cannot write {}", target.display())),
        Ok(_) => Some(fs::canonicalize(target).with_context(|| {
            format!("cannot write {}: it is a broken symlink", target.display())
        })?),
    };
    crate::write::clean_up_on_signals();
    let Some(resolved) = existing else {
        create_atomically(target, marked.as_bytes())?;
        return Ok(None);
    };
    let meta = fs::metadata(&resolved)?;
    if !meta.is_file() {
        bail!(
            "refusing to write the SVG to {}: it is not a regular file. Nothing was written.",
            target.display()
        );
    }
    for input in inputs {
        if fs::canonicalize(input).is_ok_and(|i| i == resolved) {
            bail!(
                "refusing to write the SVG to {}: it is {}, an input of this run. Nothing was \
                 written; give --svg another path.",
                target.display(),
                input.display()
            );
        }
    }
    let old = fs::read(&resolved).with_context(|| format!("cannot read {}", target.display()))?;
    let ours = old.len() <= 64 << 20
        && memchr::memmem::find(&old[..old.len().min(MARK_WINDOW)], MARK.as_bytes()).is_some();
    if !ours && !force {
        let what = if looks_like_plist(&resolved, &old) {
            "a plist"
        } else {
            "an existing file that ocaudit did not write"
        };
        bail!(
            "refusing to write the SVG to {}: it is {what}. Nothing was written; give --svg a new \
             path, or add --force to replace it (a backup is made first).",
            target.display()
        );
    }
    let backup = if ours {
        BackupPolicy::None
    } else {
        BackupPolicy::StateDir
    };
    let accept = |_: &[u8]| -> Result<(), String> { Ok(()) };
    let req = WriteRequest::new(&resolved, &old, marked.as_bytes(), &accept).with_backup(backup);
    Ok(write_atomically(&req)?.backup)
}

/// `svg` with [`MARK`] after its first line.
fn with_mark(svg: &str) -> String {
    let (first, rest) = svg.split_once('\n').unwrap_or((svg, ""));
    format!("{first}\n{MARK}\n{rest}")
}

fn looks_like_plist(path: &Path, bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(MARK_WINDOW)];
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("plist"))
        || memchr::memmem::find(head, b"<plist").is_some()
        || head.starts_with(b"bplist")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mark_follows_the_start_tag() {
        assert_eq!(
            with_mark("<svg a=\"1\">\n<text/>\n</svg>\n"),
            format!("<svg a=\"1\">\n{MARK}\n<text/>\n</svg>\n")
        );
    }
}
