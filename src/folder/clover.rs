//! The `EFI/CLOVER` folder around a Clover file, and what it holds.
//!
//! Found from the checked file's path (like [`super::oc_dir`] for OpenCore):
//! the driver files in `drivers/UEFI` and `drivers64UEFI`, and the companion
//! file (the OcQuirks.plist beside a config.plist, or the config.plist an
//! OcQuirks.plist belongs to), already modelled. The rules read this; they
//! never touch the disk themselves. FAT32 ignores case, so every name here
//! is matched ignoring ASCII case.

use std::path::{Path, PathBuf};

use crate::model::{Config, ConfigKind};

/// The driver folders Clover loads UEFI drivers from (new and old layout).
pub const DRIVER_DIRS: &[&[&str]] = &[&["drivers", "UEFI"], &["drivers64UEFI"]];

/// What lies around a Clover file on disk.
#[derive(Debug, Clone)]
pub struct CloverEnv {
    /// The `EFI/CLOVER` folder.
    pub dir: PathBuf,
    /// Driver files (`*.efi`), relative to `dir` with `/` separators
    /// (`drivers/UEFI/OpenRuntime.efi`), sorted.
    pub drivers: Vec<String>,
    /// The other file that decides the quirks, when present and loadable.
    pub companion: Option<Companion>,
}

/// A second file of the same EFI folder, modelled.
#[derive(Debug, Clone)]
pub struct Companion {
    /// Its path relative to the CLOVER folder (`drivers/UEFI/OcQuirks.plist`).
    pub rel: String,
    /// Its typed model.
    pub config: Config,
}

impl CloverEnv {
    /// The driver whose file name is `name` (ignoring case), as a relative path.
    pub fn driver(&self, name: &str) -> Option<&str> {
        self.drivers
            .iter()
            .find(|d| file_name(d).eq_ignore_ascii_case(name))
            .map(String::as_str)
    }
}

/// The last component of a `/`-separated relative path.
pub fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

/// The `CLOVER` folder that `file` sits in: its parent, or an ancestor up to
/// three levels higher (`CLOVER/OEM/<model>/config.plist`,
/// `CLOVER/drivers/UEFI/OcQuirks.plist`). A folder counts only when it looks
/// like Clover's: it holds `drivers`, `drivers64UEFI` or `CLOVERX64.efi`.
pub fn clover_dir(file: &Path) -> Option<PathBuf> {
    file.ancestors().skip(1).take(4).find_map(|dir| {
        let name = dir.file_name()?.to_str()?;
        let looks_like_clover = ["drivers", "drivers64UEFI", "CLOVERX64.efi"]
            .iter()
            .any(|n| child(dir, n).is_some());
        (name.eq_ignore_ascii_case("CLOVER") && looks_like_clover).then(|| dir.to_owned())
    })
}

/// The entry of `dir` named `name` ignoring case.
fn child(dir: &Path, name: &str) -> Option<PathBuf> {
    let exact = dir.join(name);
    if exact.exists() {
        return Some(exact);
    }
    std::fs::read_dir(dir)
        .ok()?
        .filter_map(Result::ok)
        .find(|e| {
            e.file_name()
                .to_str()
                .is_some_and(|n| n.eq_ignore_ascii_case(name))
        })
        .map(|e| e.path())
}

/// Look around `file` (of `kind`) for its CLOVER folder; `None` when it does
/// not sit in one.
pub fn scan(file: &Path, kind: ConfigKind) -> Option<CloverEnv> {
    if kind == ConfigKind::OpenCore {
        return None;
    }
    let dir = clover_dir(file)?;
    let mut drivers = Vec::new();
    let mut ocquirks = None;
    for parts in DRIVER_DIRS {
        let mut here = dir.clone();
        let mut rel = String::new();
        for part in *parts {
            let Some(next) = child(&here, part) else {
                here = PathBuf::new();
                break;
            };
            let shown = next.file_name().and_then(|n| n.to_str()).unwrap_or(part);
            rel.push_str(shown);
            rel.push('/');
            here = next;
        }
        let Ok(rd) = std::fs::read_dir(&here) else {
            continue;
        };
        for e in rd.filter_map(Result::ok) {
            let Some(name) = e.file_name().to_str().map(str::to_owned) else {
                continue;
            };
            if !e.path().is_file() {
                continue;
            }
            let lower = name.to_ascii_lowercase();
            if lower.ends_with(".efi") {
                drivers.push(format!("{rel}{name}"));
            } else if lower == "ocquirks.plist" && ocquirks.is_none() {
                ocquirks = Some((e.path(), format!("{rel}{name}")));
            }
        }
    }
    drivers.sort();
    let companion = match kind {
        ConfigKind::Clover => ocquirks.and_then(|(p, rel)| load(&p, rel, ConfigKind::OcQuirks)),
        _ => child(&dir, "config.plist")
            .and_then(|p| load(&p, "config.plist".into(), ConfigKind::Clover)),
    };
    Some(CloverEnv {
        dir,
        drivers,
        companion,
    })
}

fn load(path: &Path, rel: String, kind: ConfigKind) -> Option<Companion> {
    let raw = crate::load::read(path).ok()?;
    let loaded = crate::load::load_as(&path.display().to_string(), raw, Some(kind)).ok()?;
    Some(Companion {
        rel,
        config: loaded.config,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONFIG: &str = "<?xml version=\"1.0\"?>\n<plist version=\"1.0\">\n<dict>\n\
        <key>Boot</key>\n<dict/>\n<key>Quirks</key>\n<dict/>\n</dict>\n</plist>\n";
    const OCQUIRKS: &str = "<?xml version=\"1.0\"?>\n<plist version=\"1.0\">\n<dict>\n\
        <key>DevirtualiseMmio</key>\n<true/>\n<key>ProvideCustomSlide</key>\n<true/>\n</dict>\n</plist>\n";

    fn write(path: &Path, text: &str) {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("mkdir");
        }
        std::fs::write(path, text).expect("write");
    }

    #[test]
    fn finds_drivers_and_companions_ignoring_case() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let clover = tmp.path().join("EFI/Clover");
        write(&clover.join("config.plist"), CONFIG);
        write(&clover.join("Drivers/uefi/OpenRuntime.EFI"), "x");
        write(&clover.join("Drivers/uefi/ocquirks.plist"), OCQUIRKS);
        write(&clover.join("drivers64UEFI/OsxAptioFix2Drv-64.efi"), "x");
        write(&clover.join("drivers64UEFI/readme.txt"), "x");

        let env = scan(&clover.join("config.plist"), ConfigKind::Clover).expect("Clover folder");
        assert_eq!(
            env.drivers,
            [
                "Drivers/uefi/OpenRuntime.EFI",
                "drivers64UEFI/OsxAptioFix2Drv-64.efi"
            ]
        );
        assert_eq!(
            env.driver("openruntime.efi"),
            Some("Drivers/uefi/OpenRuntime.EFI")
        );
        let c = env.companion.expect("OcQuirks.plist loaded");
        assert_eq!(c.rel, "Drivers/uefi/ocquirks.plist");
        assert_eq!(c.config.kind, ConfigKind::OcQuirks);
        assert!(c.config.quirks.devirtualise_mmio.value);

        let from_plist = scan(
            &clover.join("Drivers/uefi/ocquirks.plist"),
            ConfigKind::OcQuirks,
        )
        .expect("Clover folder from the driver folder");
        let c = from_plist.companion.expect("config.plist loaded");
        assert_eq!(c.config.kind, ConfigKind::Clover);
        assert!(c.config.quirks.dict.is_some());
    }

    #[test]
    fn oem_configs_belong_to_the_clover_folder() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let clover = tmp.path().join("EFI/CLOVER");
        write(&clover.join("CLOVERX64.efi"), "x");
        let oem = clover.join("OEM/MacBookPro15,2/config.plist");
        write(&oem, CONFIG);
        assert_eq!(clover_dir(&oem), Some(clover));
    }

    #[test]
    fn no_folder_for_opencore_or_a_bare_clover_named_directory() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let bare = tmp.path().join("clover/config.plist");
        write(&bare, CONFIG);
        assert!(
            clover_dir(&bare).is_none(),
            "no drivers folder, not Clover's"
        );
        assert!(scan(&bare, ConfigKind::OpenCore).is_none());
    }
}
