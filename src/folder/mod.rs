//! The EFI folder around a checked file, scanned once, as plain data.
//!
//! This is the one place that looks at the disk beyond the file itself:
//! which drivers lie in an `EFI/CLOVER` folder and what its companion file
//! holds ([`clover`]), whether the files an OpenCore config names are in its
//! `EFI/OC` folder and under which spelling ([`oc`]). The rules read what
//! this found, handed to them in their `Context`; they never touch the file
//! system. FAT32 ignores case, so names are compared both exactly and
//! ignoring case, and both results are kept.

pub mod clover;
pub mod oc;

use std::path::{Path, PathBuf};

/// The `EFI/OC` folder a config path sits in, if it does.
pub fn oc_dir(config: &Path) -> Option<PathBuf> {
    let dir = config.parent()?;
    let name = dir.file_name()?.to_str()?;
    name.eq_ignore_ascii_case("OC").then(|| dir.to_owned())
}
