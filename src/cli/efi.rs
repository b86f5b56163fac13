//! `check --efi DIR`: find the OpenCore folder(s) and their config.plist.
//!
//! DIR may be the volume root (holding `EFI/OC`), the `EFI` folder (holding
//! `OC`), the `OC` folder itself, or a folder of such EFI folders (backups,
//! one per machine): then every `OC` folder below it with a config.plist.
//! A Clover folder (`EFI/CLOVER`) is found the same way, for the Clover
//! rules; the F rules check OpenCore configs only. Folder names match
//! case-insensitively, as on FAT32.

use std::path::{Path, PathBuf};

/// The boot loader folders looked for, in order of preference.
pub const LOADER_FOLDERS: &[&str] = &["OC", "CLOVER"];

/// One boot loader folder and the config to check against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EfiTarget {
    /// The `OC` (or `CLOVER`) folder.
    pub oc_dir: PathBuf,
    /// Its `config.plist`.
    pub config: PathBuf,
}

/// The OC folders `dir` stands for, in path order. `--efi .` yields
/// `EFI/OC/...` rather than `./EFI/OC/...`, so CI annotations carry
/// repository-relative paths.
pub fn resolve(dir: &Path) -> anyhow::Result<Vec<EfiTarget>> {
    let mut found = find(dir)?;
    for t in &mut found {
        for p in [&mut t.oc_dir, &mut t.config] {
            if let Ok(rest) = p.strip_prefix(".")
                && !rest.as_os_str().is_empty()
            {
                *p = rest.to_owned();
            }
        }
    }
    Ok(found)
}

fn find(dir: &Path) -> anyhow::Result<Vec<EfiTarget>> {
    if !dir.is_dir() {
        anyhow::bail!(
            "--efi {}: not a directory; give the folder that holds EFI/OC, or EFI/OC itself",
            dir.display()
        );
    }
    let efi = child(dir, "EFI");
    let candidates = LOADER_FOLDERS
        .iter()
        .map(|l| efi.as_ref().and_then(|e| child(e, l)))
        .chain(LOADER_FOLDERS.iter().map(|l| child(dir, l)))
        .chain([Some(dir.to_owned())]);
    for candidate in candidates.flatten() {
        if let Some(t) = target(&candidate) {
            return Ok(vec![t]);
        }
    }
    let mut found = Vec::new();
    walk(dir, &mut found, 0);
    if found.is_empty() {
        anyhow::bail!(
            "--efi {}: no OC (or CLOVER) folder with a config.plist here or below; give the \
             folder that holds EFI/OC, the EFI folder, or EFI/OC itself",
            dir.display()
        );
    }
    Ok(found)
}

/// `dir` as an OC folder, when it holds a config.plist.
fn target(dir: &Path) -> Option<EfiTarget> {
    let config = child(dir, "config.plist").filter(|p| p.is_file())?;
    Some(EfiTarget {
        oc_dir: dir.to_owned(),
        config,
    })
}

/// The entry of `dir` named `name`, ignoring case (exact spelling first).
fn child(dir: &Path, name: &str) -> Option<PathBuf> {
    let exact = dir.join(name);
    let names = std::fs::read_dir(dir).ok()?;
    let mut other = None;
    for e in names.filter_map(Result::ok) {
        let n = e.file_name();
        if n == name {
            return Some(exact);
        }
        if other.is_none() && n.to_string_lossy().eq_ignore_ascii_case(name) {
            other = Some(e.path());
        }
    }
    other
}

fn walk(dir: &Path, out: &mut Vec<EfiTarget>, depth: usize) {
    if depth > 8 {
        return;
    }
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut dirs: Vec<PathBuf> = rd
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for d in dirs {
        let is_oc = d.file_name().is_some_and(|n| {
            let n = n.to_string_lossy();
            LOADER_FOLDERS.iter().any(|l| n.eq_ignore_ascii_case(l))
        });
        match (is_oc, is_oc.then(|| target(&d)).flatten()) {
            (true, Some(t)) => out.push(t),
            _ => walk(&d, out, depth + 1),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oc(root: &Path, rel: &str) -> PathBuf {
        let d = root.join(rel);
        std::fs::create_dir_all(&d).expect("mkdir");
        std::fs::write(d.join("config.plist"), "<plist/>").expect("write");
        d
    }

    #[test]
    fn volume_efi_and_oc_folders() {
        let t = tempfile::tempdir().expect("tempdir");
        let want = oc(t.path(), "EFI/OC");
        for given in [t.path().to_owned(), t.path().join("EFI"), want.clone()] {
            let got = resolve(&given).expect("resolves");
            assert_eq!(got.len(), 1, "{given:?}");
            assert_eq!(got[0].oc_dir, want);
            assert_eq!(got[0].config, want.join("config.plist"));
        }
    }

    #[test]
    fn case_of_folder_names_is_ignored() {
        let t = tempfile::tempdir().expect("tempdir");
        let want = oc(t.path(), "efi/oc");
        assert_eq!(resolve(t.path()).expect("resolves")[0].oc_dir, want);
    }

    #[test]
    fn folder_of_efi_folders() {
        let t = tempfile::tempdir().expect("tempdir");
        let a = oc(t.path(), "desktop/EFI/OC");
        let b = oc(t.path(), "laptop/EFI/OC");
        std::fs::create_dir_all(t.path().join("notes")).expect("mkdir");
        let got: Vec<_> = resolve(t.path())
            .expect("resolves")
            .into_iter()
            .map(|t| t.oc_dir)
            .collect();
        assert_eq!(got, vec![a, b]);
    }

    #[test]
    fn clover_folders_too_opencore_first() {
        let t = tempfile::tempdir().expect("tempdir");
        let clover = oc(t.path(), "EFI/CLOVER");
        assert_eq!(resolve(t.path()).expect("resolves")[0].oc_dir, clover);
        let open = oc(t.path(), "EFI/OC");
        assert_eq!(resolve(t.path()).expect("resolves")[0].oc_dir, open);
        let u = tempfile::tempdir().expect("tempdir");
        let a = oc(u.path(), "a/EFI/CLOVER");
        let b = oc(u.path(), "b/EFI/OC");
        let got: Vec<_> = resolve(u.path())
            .expect("resolves")
            .into_iter()
            .map(|t| t.oc_dir)
            .collect();
        assert_eq!(got, vec![a, b]);
    }

    #[test]
    fn nothing_found_says_what_to_give() {
        let t = tempfile::tempdir().expect("tempdir");
        let err = resolve(t.path()).expect_err("empty folder").to_string();
        assert!(err.contains("no OC (or CLOVER) folder"), "{err}");
        let err = resolve(&t.path().join("nope"))
            .expect_err("missing")
            .to_string();
        assert!(err.contains("not a directory"), "{err}");
    }
}
