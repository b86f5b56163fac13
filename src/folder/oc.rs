//! The `EFI/OC` folder around an OpenCore config, and what it holds.
//!
//! Two things are looked up: whether the runtime driver is in `Drivers/`
//! under either of its names (B011 says so in a note), and, for the folder
//! given with `--efi`, every file the config names (the F rules). A named
//! path is looked up by listing each directory on the way and comparing
//! names exactly, then ignoring case, so a case mismatch is seen even where
//! the file system ignores case (FAT32, APFS).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::model::{self, FileItem, PathValue};
use crate::plist::Document;

/// The runtime driver's names (from OpenCore 0.5.7 on, and up to 0.5.6):
/// whether each is in `Drivers/` is looked up for every scanned folder.
pub const RUNTIME_DRIVERS: [&str; 2] = ["OpenRuntime.efi", "FwRuntimeServices.efi"];

/// What an `EFI/OC` folder holds, as far as the rules ask.
#[derive(Debug, Clone, Default)]
pub struct OcFolder {
    /// The folder.
    pub dir: PathBuf,
    /// Each of [`RUNTIME_DRIVERS`] and whether `Drivers/<name>` is a
    /// regular file, as the file system resolves the name.
    pub runtime_drivers: Vec<(&'static str, bool)>,
    /// The files the config names, looked up (only in a folder given with
    /// `--efi`; empty otherwise).
    pub named: Vec<Found>,
}

impl OcFolder {
    /// Whether `Drivers/<name>` is a regular file; `None` when `name` is
    /// not one of [`RUNTIME_DRIVERS`].
    pub fn runtime_driver(&self, name: &str) -> Option<bool> {
        self.runtime_drivers
            .iter()
            .find(|(n, _)| *n == name)
            .map(|&(_, is_file)| is_file)
    }
}

/// Which path of an item a lookup is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Part {
    /// `Path`, or a kext's `BundlePath`.
    Main,
    /// A kext's `ExecutablePath`.
    Executable,
    /// A kext's `PlistPath`.
    Plist,
}

impl Part {
    /// The key of an item that holds this path.
    pub fn key(self) -> &'static str {
        match self {
            Part::Main => "Path",
            Part::Executable => "ExecutablePath",
            Part::Plist => "PlistPath",
        }
    }
}

/// The result of looking one written path up on disk.
#[derive(Debug, Clone)]
pub enum Lookup {
    /// Found with exactly the written spelling.
    Exact(PathBuf),
    /// Found, but some components differ in case.
    Case {
        /// The components that differ: (written, on disk).
        differs: Vec<(String, String)>,
        /// The path as spelt on disk.
        on_disk: PathBuf,
    },
    /// A component is not there.
    Missing {
        /// The component not found.
        missing: String,
        /// The directory it is not in.
        under: PathBuf,
        /// What that directory holds (sorted), `None` when it is no
        /// directory or cannot be read.
        listing: Option<Vec<String>>,
    },
    /// A directory could not be read: nothing can be said.
    Unknown,
}

/// One path the config names, and where it is on disk.
#[derive(Debug, Clone)]
pub struct Found {
    /// The item that names it.
    pub item: FileItem,
    /// Which of the item's paths this is.
    pub part: Part,
    /// The path as written.
    pub value: PathValue,
    /// The directory the path is relative to.
    pub base: PathBuf,
    /// `base` joined with the path as written.
    pub wanted: PathBuf,
    /// What the disk holds there.
    pub lookup: Lookup,
}

/// Scan the `EFI/OC` folder `dir` of an OpenCore config: the runtime
/// driver, and with `named` (the config's tree, for a folder given with
/// `--efi`) every file it names.
pub fn scan(dir: &Path, named: Option<&Document>) -> OcFolder {
    let drivers = dir.join("Drivers");
    OcFolder {
        dir: dir.to_owned(),
        runtime_drivers: RUNTIME_DRIVERS
            .iter()
            .map(|&n| (n, drivers.join(n).is_file()))
            .collect(),
        named: named.map(|doc| look_up(dir, doc)).unwrap_or_default(),
    }
}

/// Look every file `doc` names up under `oc`; a kext's executable and plist
/// only when the bundle itself was found.
pub fn look_up(oc: &Path, doc: &Document) -> Vec<Found> {
    let mut disk = Disk::default();
    let mut out = Vec::new();
    for item in model::efi_files(doc) {
        let mut comps = vec![item.section.folder().to_owned()];
        comps.extend(components(&item.path.text));
        let lookup = disk.lookup(oc, &comps);
        let bundle_on_disk = match &lookup {
            Lookup::Exact(p) => Some(p.clone()),
            Lookup::Case { on_disk, .. } => Some(on_disk.clone()),
            _ => None,
        };
        let folder = oc.join(item.section.folder());
        out.push(Found {
            wanted: join_written(&folder, &item.path.text),
            base: folder,
            part: Part::Main,
            value: item.path.clone(),
            item: item.clone(),
            lookup,
        });
        let Some(bundle) = bundle_on_disk else {
            continue;
        };
        for (part, value) in [
            (Part::Executable, &item.executable),
            (Part::Plist, &item.plist),
        ] {
            let Some(value) = value else { continue };
            let lookup = disk.lookup(&bundle, &components(&value.text));
            out.push(Found {
                wanted: join_written(&bundle, &value.text),
                base: bundle.clone(),
                part,
                value: value.clone(),
                item: item.clone(),
                lookup,
            });
        }
    }
    out
}

/// Split a config path on `/` and `\` (OpenCore accepts both).
pub fn components(path: &str) -> Vec<String> {
    path.split(['/', '\\'])
        .filter(|c| !c.is_empty() && *c != ".")
        .map(str::to_owned)
        .collect()
}

fn join_written(base: &Path, path: &str) -> PathBuf {
    components(path)
        .iter()
        .fold(base.to_owned(), |p, c| p.join(c))
}

/// Directory listings, read once per scan.
#[derive(Default)]
struct Disk {
    listings: HashMap<PathBuf, Option<Vec<String>>>,
}

impl Disk {
    fn list(&mut self, dir: &Path) -> Option<&[String]> {
        self.listings
            .entry(dir.to_owned())
            .or_insert_with(|| list_dir(dir))
            .as_deref()
    }

    fn lookup(&mut self, base: &Path, comps: &[String]) -> Lookup {
        let mut here = base.to_owned();
        let mut differs = Vec::new();
        for c in comps {
            let next = match self.list(&here) {
                None if !here.is_dir() => {
                    // `here` is a file or gone: nothing can be below it.
                    return Lookup::Missing {
                        missing: c.clone(),
                        under: here,
                        listing: None,
                    };
                }
                None => return Lookup::Unknown,
                Some(names) => {
                    if names.iter().any(|n| n == c) {
                        c.clone()
                    } else if let Some(n) = names.iter().find(|n| same_ignoring_case(n, c)) {
                        differs.push((c.clone(), n.clone()));
                        n.clone()
                    } else {
                        let listing = Some(names.to_vec());
                        return Lookup::Missing {
                            missing: c.clone(),
                            under: here,
                            listing,
                        };
                    }
                }
            };
            here.push(next);
        }
        if differs.is_empty() {
            Lookup::Exact(here)
        } else {
            Lookup::Case {
                differs,
                on_disk: here,
            }
        }
    }
}

fn list_dir(dir: &Path) -> Option<Vec<String>> {
    let rd = std::fs::read_dir(dir).ok()?;
    let mut names: Vec<String> = rd
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    Some(names)
}

fn same_ignoring_case(a: &str, b: &str) -> bool {
    a.to_lowercase() == b.to_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn touch(dir: &Path, rel: &str) {
        let p = dir.join(rel);
        std::fs::create_dir_all(p.parent().expect("a parent")).expect("mkdir");
        std::fs::write(p, b"x").expect("write");
    }

    const CONFIG: &str = "<plist><dict><key>UEFI</key><dict><key>Drivers</key><array>\
        <dict><key>Path</key><string>OpenRuntime.efi</string><key>Enabled</key><true/></dict>\
        <dict><key>Path</key><string>HfsPlus.efi</string><key>Enabled</key><true/></dict>\
        </array></dict></dict></plist>";

    #[test]
    fn the_runtime_driver_is_looked_up_under_both_names() {
        let tmp = tempfile::tempdir().expect("temp dir");
        touch(tmp.path(), "Drivers/OpenRuntime.efi");
        std::fs::create_dir_all(tmp.path().join("Drivers/FwRuntimeServices.efi")).expect("mkdir");
        let folder = scan(tmp.path(), None);
        assert_eq!(folder.runtime_driver("OpenRuntime.efi"), Some(true));
        assert_eq!(
            folder.runtime_driver("FwRuntimeServices.efi"),
            Some(false),
            "a directory is no driver"
        );
        assert_eq!(folder.runtime_driver("HfsPlus.efi"), None, "not asked");
        assert!(folder.named.is_empty(), "named files only with a tree");
    }

    #[test]
    fn named_files_are_found_exactly_by_case_or_not() {
        let tmp = tempfile::tempdir().expect("temp dir");
        touch(tmp.path(), "Drivers/openruntime.efi");
        touch(tmp.path(), "Drivers/Other.efi");
        let doc = crate::plist::load(CONFIG).expect("loads");
        let folder = scan(tmp.path(), Some(&doc));
        assert_eq!(folder.named.len(), 2);
        match &folder.named[0].lookup {
            Lookup::Case { differs, on_disk } => {
                assert_eq!(
                    differs,
                    &[("OpenRuntime.efi".to_owned(), "openruntime.efi".to_owned())]
                );
                assert_eq!(on_disk, &tmp.path().join("Drivers/openruntime.efi"));
            }
            other => panic!("OpenRuntime.efi: {other:?}"),
        }
        match &folder.named[1].lookup {
            Lookup::Missing {
                missing,
                under,
                listing,
            } => {
                assert_eq!(missing, "HfsPlus.efi");
                assert_eq!(under, &tmp.path().join("Drivers"));
                assert_eq!(
                    listing.as_deref(),
                    Some(&["Other.efi".to_owned(), "openruntime.efi".to_owned()][..])
                );
            }
            other => panic!("HfsPlus.efi: {other:?}"),
        }
    }
}
