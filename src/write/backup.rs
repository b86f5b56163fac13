//! Backups of the original bytes, made before the config is touched: where they
//! go (the per-platform state directory, or a place the user chose), how they
//! are named, and the write-and-read-back that proves they are exact.

use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Component, Path, PathBuf, Prefix};
use std::time::{SystemTime, UNIX_EPOCH};

use super::error::WriteError;
use super::ownership;

/// Where to keep a copy of the original bytes before replacing the file.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum BackupPolicy {
    /// In [`default_backup_dir`], named after the config's path and the time.
    /// Never beside the config (EFI partitions are small FAT32 volumes and EFI
    /// folders are often git repositories).
    #[default]
    StateDir,
    /// At a place the caller chose. An existing directory (or a path ending in
    /// a separator, created if missing) receives a file with the generated
    /// name; any other path is the exact backup file, which must not exist yet
    /// (an existing file is never overwritten) and whose parent must exist.
    At(PathBuf),
    /// No backup.
    None,
}

/// The directory backups go to by default: `ocaudit/backups` under the user's
/// state directory, or `None` when the environment does not name one.
///
/// - Linux and other Unix: `$XDG_STATE_HOME` (if set and absolute), else
///   `$HOME/.local/state`.
/// - macOS: `$HOME/Library/Application Support`.
/// - Windows: `%LOCALAPPDATA%`.
pub fn default_backup_dir() -> Option<PathBuf> {
    state_base(std::env::consts::OS, |key| std::env::var_os(key))
        .map(|base| base.join("ocaudit").join("backups"))
}

/// The state base directory for `os` (a `std::env::consts::OS` value), looking
/// variables up through `env` so it can be tested without touching the process.
fn state_base(os: &str, env: impl Fn(&str) -> Option<OsString>) -> Option<PathBuf> {
    let var = |key: &str| env(key).filter(|v| !v.is_empty()).map(PathBuf::from);
    match os {
        "windows" => var("LOCALAPPDATA"),
        "macos" => var("HOME").map(|h| h.join("Library").join("Application Support")),
        _ => var("XDG_STATE_HOME")
            // The XDG spec says relative paths are invalid and must be ignored.
            .filter(|p| p.is_absolute())
            .or_else(|| var("HOME").map(|h| h.join(".local").join("state"))),
    }
}

/// Longest stem kept from the config's path, so that stem plus timestamp and
/// counter stay well under the 255-byte file-name limit of common filesystems.
const MAX_STEM: usize = 180;

/// A file-name-safe rendering of the config's canonical path:
/// `/Volumes/EFI/EFI/OC/config.plist` becomes `Volumes_EFI_EFI_OC_config.plist`,
/// `\\?\C:\EFI\OC\config.plist` becomes `C_EFI_OC_config.plist`. Anything but
/// ASCII letters, digits, `.`, `-` and `_` becomes `_`; long paths keep their end.
pub(crate) fn backup_stem(target: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for component in target.components() {
        match component {
            Component::Prefix(prefix) => match prefix.kind() {
                Prefix::Disk(letter) | Prefix::VerbatimDisk(letter) => {
                    parts.push(char::from(letter).to_string())
                }
                Prefix::UNC(server, share) | Prefix::VerbatimUNC(server, share) => {
                    parts.push(server.to_string_lossy().into_owned());
                    parts.push(share.to_string_lossy().into_owned());
                }
                _ => parts.push(prefix.as_os_str().to_string_lossy().into_owned()),
            },
            Component::Normal(name) => parts.push(name.to_string_lossy().into_owned()),
            Component::RootDir | Component::CurDir | Component::ParentDir => {}
        }
    }
    let joined = parts.join("_");
    let mut stem: String = joined
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if stem.len() > MAX_STEM {
        // All characters are ASCII now, so any byte offset is a char boundary.
        stem = stem[stem.len() - MAX_STEM..].to_string();
    }
    if stem.is_empty() {
        stem.push_str("config");
    }
    if stem.starts_with('.') {
        stem.replace_range(0..1, "_");
    }
    stem
}

/// `YYYYMMDDTHHMMSSZ` (UTC) for `time`; times before 1970 render as the epoch.
pub(crate) fn utc_timestamp(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = i64::try_from(secs / 86_400).unwrap_or(i64::MAX / 2);
    let rem = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    )
}

/// Proleptic Gregorian (year, month, day) for a count of days since 1970-01-01
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097); // [0, 146096]
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365; // [0, 399]
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // [0, 365]
    let mp = (5 * doy + 2) / 153; // [0, 11]
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month as u32, day as u32)
}

/// Makes the backup the policy asks for, returning where it went and whether
/// its directory entry was synced. The backup is created new (never
/// overwriting anything), synced, and read back to prove it is byte-identical
/// to `original`.
pub(crate) fn make_backup(
    policy: &BackupPolicy,
    target: &Path,
    original: &[u8],
) -> Result<Option<(PathBuf, bool)>, WriteError> {
    let fail = |path: Option<&Path>, reason: String| WriteError::Backup {
        target: target.to_path_buf(),
        path: path.map(Path::to_path_buf),
        reason,
    };
    let (dir, exact) = match policy {
        BackupPolicy::None => return Ok(None),
        BackupPolicy::StateDir => {
            let dir = default_backup_dir().ok_or_else(|| {
                fail(
                    None,
                    "no state directory: HOME (or LOCALAPPDATA on Windows) is not set".into(),
                )
            })?;
            (dir, None)
        }
        BackupPolicy::At(path) => {
            let ends_with_sep = path
                .as_os_str()
                .to_string_lossy()
                .ends_with(std::path::is_separator);
            if path.is_dir() || ends_with_sep {
                (path.clone(), None)
            } else {
                let parent = match path.parent() {
                    Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                    _ => PathBuf::from("."),
                };
                (parent, Some(path.clone()))
            }
        }
    };
    if exact.is_none() {
        create_private_dir_all(&dir).map_err(|e| fail(Some(&dir), e.to_string()))?;
    }

    let (path, mut file) = match exact {
        Some(path) => {
            let file = create_private_new(&path).map_err(|e| {
                let reason = if e.kind() == io::ErrorKind::AlreadyExists {
                    "a file already exists there and is never overwritten".to_string()
                } else {
                    e.to_string()
                };
                fail(Some(&path), reason)
            })?;
            (path, file)
        }
        None => {
            let base = format!(
                "{}.{}",
                backup_stem(target),
                utc_timestamp(SystemTime::now())
            );
            let mut attempt = 1u32;
            loop {
                let name = if attempt == 1 {
                    format!("{base}.bak")
                } else {
                    format!("{base}-{attempt}.bak")
                };
                let path = dir.join(name);
                match create_private_new(&path) {
                    Ok(file) => break (path, file),
                    Err(e) if e.kind() == io::ErrorKind::AlreadyExists && attempt < 1000 => {
                        attempt += 1
                    }
                    Err(e) => return Err(fail(Some(&path), e.to_string())),
                }
            }
        }
    };
    let written = file
        .write_all(original)
        .and_then(|()| file.sync_all())
        .map_err(|e| e.to_string())
        .and_then(|()| {
            drop(file);
            fs::read(&path).map_err(|e| format!("reading it back: {e}"))
        })
        .and_then(|back| {
            if back == original {
                Ok(())
            } else {
                Err("it did not read back identical to the original".to_string())
            }
        });
    if let Err(reason) = written {
        // An incomplete backup is worse than none: it would look like a good copy.
        let _ = fs::remove_file(&path);
        return Err(fail(Some(&path), reason));
    }
    ownership::give(&path, ownership::owner_of_parent(&path));
    let synced = path.parent().is_some_and(super::sync_dir);
    Ok(Some((path, synced)))
}

/// `create_dir_all`, with new directories private to their owner on Unix
/// (backups may hold serial numbers and other machine identifiers). Each
/// directory created is given to the owner of the directory it was created
/// in: root running with a user's HOME (`sudo -E`) must not leave root-owned
/// directories in that home, which would lock the user out of `~/.local`.
fn create_private_dir_all(dir: &Path) -> io::Result<()> {
    let missing: Vec<&Path> = dir
        .ancestors()
        .take_while(|a| !a.as_os_str().is_empty() && fs::symlink_metadata(a).is_err())
        .collect();
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)?;
    // Outermost first, so each takes the owner its parent has by then.
    for created in missing.iter().rev() {
        ownership::give(created, ownership::owner_of_parent(created));
    }
    Ok(())
}

/// A new file (never an existing one), readable only by the user on Unix.
fn create_private_new(path: &Path) -> io::Result<File> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn env<'a>(pairs: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<OsString> + 'a {
        move |key| {
            pairs
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| OsString::from(v))
        }
    }

    #[test]
    fn state_base_per_platform() {
        let all = [
            ("HOME", "/home/u"),
            ("XDG_STATE_HOME", "/xdg/state"),
            ("LOCALAPPDATA", r"C:\Users\u\AppData\Local"),
        ];
        assert_eq!(
            state_base("linux", env(&all)),
            Some(PathBuf::from("/xdg/state"))
        );
        assert_eq!(
            state_base("linux", env(&[("HOME", "/home/u")])),
            Some(PathBuf::from("/home/u/.local/state"))
        );
        assert_eq!(
            state_base(
                "linux",
                env(&[("HOME", "/home/u"), ("XDG_STATE_HOME", "rel")])
            ),
            Some(PathBuf::from("/home/u/.local/state")),
            "a relative XDG_STATE_HOME is ignored"
        );
        assert_eq!(
            state_base("linux", env(&[("HOME", ""), ("XDG_STATE_HOME", "")])),
            None
        );
        assert_eq!(
            state_base("macos", env(&all)),
            Some(PathBuf::from("/home/u/Library/Application Support"))
        );
        assert_eq!(
            state_base("windows", env(&all)),
            Some(PathBuf::from(r"C:\Users\u\AppData\Local"))
        );
        assert_eq!(state_base("windows", env(&[("HOME", "/home/u")])), None);
    }

    #[test]
    fn timestamps() {
        let at = |secs| utc_timestamp(UNIX_EPOCH + Duration::from_secs(secs));
        assert_eq!(at(0), "19700101T000000Z");
        assert_eq!(at(951_782_400), "20000229T000000Z"); // leap day
        assert_eq!(at(1_700_000_000), "20231114T221320Z");
        assert_eq!(at(4_102_444_799), "20991231T235959Z");
        assert_eq!(at(4_107_542_399), "21000228T235959Z"); // 2100 is not a leap year
        assert_eq!(at(4_107_542_400), "21000301T000000Z");
        assert_eq!(
            utc_timestamp(UNIX_EPOCH - Duration::from_secs(5)),
            "19700101T000000Z"
        );
    }

    #[test]
    fn stems() {
        assert_eq!(
            backup_stem(Path::new("/Volumes/EFI/EFI/OC/config.plist")),
            "Volumes_EFI_EFI_OC_config.plist"
        );
        assert_eq!(
            backup_stem(Path::new("/home/a b/é/config.plist")),
            "home_a_b___config.plist"
        );
        assert_eq!(backup_stem(Path::new("/")), "config");
        assert_eq!(backup_stem(Path::new("/.hidden")), "_hidden");
        let long = format!("/{}/config.plist", "d".repeat(400));
        let stem = backup_stem(Path::new(&long));
        assert_eq!(stem.len(), MAX_STEM);
        assert!(stem.ends_with("d_config.plist"));
    }
}
