//! The backups already made: finding them by their generated names
//! (`STEM.YYYYMMDDTHHMMSSZ.bak`, or `STEM.YYYYMMDDTHHMMSSZ-N.bak` for the Nth
//! in one second), listing them, and keeping only the newest few per config.
//! Files with other names are never touched.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use super::backup::backup_stem;

/// One backup file found in a backup directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupFile {
    /// Where it is.
    pub path: PathBuf,
    /// The config it belongs to, as its path rendered into a file name
    /// (`Volumes_EFI_EFI_OC_config.plist`).
    pub stem: String,
    /// When it was made: `YYYYMMDDTHHMMSSZ` (UTC).
    pub time: String,
    /// Its number within that second (1 for the first).
    pub seq: u32,
    /// Its size in bytes.
    pub size: u64,
}

impl BackupFile {
    /// The time as `YYYY-MM-DD HH:MM:SS UTC`.
    pub fn time_display(&self) -> String {
        let t = &self.time;
        format!(
            "{}-{}-{} {}:{}:{} UTC",
            &t[0..4],
            &t[4..6],
            &t[6..8],
            &t[9..11],
            &t[11..13],
            &t[13..15]
        )
    }
}

/// Splits a generated backup file name into (stem, time, seq).
pub(crate) fn parse_name(name: &str) -> Option<(&str, &str, u32)> {
    let rest = name.strip_suffix(".bak")?;
    let (stem, stamp) = rest.rsplit_once('.')?;
    let (time, seq) = match stamp.split_once('-') {
        Some((time, n)) => (time, n.parse().ok().filter(|n| *n >= 2)?),
        None => (stamp, 1),
    };
    let b = time.as_bytes();
    let well_formed = b.len() == 16
        && b[8] == b'T'
        && b[15] == b'Z'
        && b[..8].iter().chain(&b[9..15]).all(u8::is_ascii_digit);
    (well_formed && !stem.is_empty()).then_some((stem, time, seq))
}

/// Every backup in `dir`, oldest first within each config, configs by stem.
/// A missing directory holds none.
pub fn list_backups(dir: &Path) -> io::Result<Vec<BackupFile>> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let mut found = Vec::new();
    for entry in entries {
        let entry = entry?;
        let name = entry.file_name();
        let Some((stem, time, seq)) = name.to_str().and_then(parse_name) else {
            continue;
        };
        let Ok(meta) = entry.metadata() else { continue };
        if !meta.is_file() {
            continue;
        }
        found.push(BackupFile {
            path: entry.path(),
            stem: stem.to_string(),
            time: time.to_string(),
            seq,
            size: meta.len(),
        });
    }
    found.sort_by(|a, b| (&a.stem, &a.time, a.seq).cmp(&(&b.stem, &b.time, b.seq)));
    Ok(found)
}

/// The stem backups of the config at `target` carry (its path with symlinks
/// resolved, when it exists).
pub fn stem_for(target: &Path) -> String {
    let resolved = fs::canonicalize(target).unwrap_or_else(|_| target.to_path_buf());
    backup_stem(&resolved)
}

/// Keeps the newest `keep` backups of the config whose backup was just made
/// at `made` (found beside it by its stem) and deletes the older ones;
/// returns what was deleted. `keep` 0 keeps every backup.
pub fn prune_backups(made: &Path, keep: usize) -> io::Result<Vec<PathBuf>> {
    let (Some(dir), Some(name)) = (made.parent(), made.file_name().and_then(|n| n.to_str())) else {
        return Ok(Vec::new());
    };
    let Some((stem, _, _)) = parse_name(name) else {
        return Ok(Vec::new());
    };
    if keep == 0 {
        return Ok(Vec::new());
    }
    let mine: Vec<BackupFile> = list_backups(dir)?
        .into_iter()
        .filter(|b| b.stem == stem)
        .collect();
    let excess = mine.len().saturating_sub(keep);
    let mut removed = Vec::new();
    for old in mine.into_iter().take(excess) {
        // Never the one just made, whatever the clock says.
        if old.path != made {
            fs::remove_file(&old.path)?;
            removed.push(old.path);
        }
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            parse_name("home_u_config.plist.20261203T113000Z.bak"),
            Some(("home_u_config.plist", "20261203T113000Z", 1))
        );
        assert_eq!(
            parse_name("c.plist.20261203T113000Z-12.bak"),
            Some(("c.plist", "20261203T113000Z", 12))
        );
        for bad in [
            "c.plist.20261203T113000Z.bak.txt",
            "c.plist.2026120T113000Z.bak",
            "c.plist.20261203T113000Z-1.bak",
            "c.plist.20261203T113000Z-x.bak",
            ".20261203T113000Z.bak",
            "notes.bak",
        ] {
            assert_eq!(parse_name(bad), None, "{bad}");
        }
    }

    #[test]
    fn pruning_keeps_the_newest_of_one_config_only() {
        let dir = tempfile::tempdir().unwrap();
        let names = [
            "a.plist.20250101T000000Z.bak",
            "a.plist.20250101T000000Z-2.bak",
            "a.plist.20240101T000000Z.bak",
            "a.plist.20260101T000000Z.bak",
            "b.plist.20200101T000000Z.bak",
            "a.plist.notes.txt",
        ];
        for n in names {
            fs::write(dir.path().join(n), n).unwrap();
        }
        let made = dir.path().join("a.plist.20260101T000000Z.bak");
        let removed = prune_backups(&made, 2).unwrap();
        let removed: Vec<_> = removed
            .iter()
            .map(|p| p.file_name().unwrap().to_str().unwrap())
            .collect();
        assert_eq!(
            removed,
            [
                "a.plist.20240101T000000Z.bak",
                "a.plist.20250101T000000Z.bak"
            ]
        );
        let left: Vec<_> = list_backups(dir.path())
            .unwrap()
            .into_iter()
            .map(|b| b.path.file_name().unwrap().to_str().unwrap().to_string())
            .collect();
        assert_eq!(
            left,
            [
                "a.plist.20250101T000000Z-2.bak",
                "a.plist.20260101T000000Z.bak",
                "b.plist.20200101T000000Z.bak"
            ]
        );
        assert!(dir.path().join("a.plist.notes.txt").exists());
        assert!(prune_backups(&made, 0).unwrap().is_empty());
    }
}
