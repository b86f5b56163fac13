//! Reading input files from disk: only regular files, never more than a
//! limit, with errors that say what to do.

use std::path::{Path, PathBuf};

use crate::source::DecodeError;

/// Why a path could not be read at all (not a finding: the CLI exits 2).
#[derive(Debug)]
pub struct ReadError {
    /// The path.
    pub path: PathBuf,
    /// What went wrong, with advice.
    pub message: String,
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.message)
    }
}

impl std::error::Error for ReadError {}

/// Read a config's bytes with clear errors for the usual mistakes.
pub fn read(path: &Path) -> Result<Vec<u8>, ReadError> {
    read_limited(
        path,
        crate::source::MAX_FILE_SIZE as u64,
        "give the config.plist inside it",
    )
    .map_err(|e| match e.size {
        Some(n) => ReadError {
            path: e.path,
            message: DecodeError::TooLarge(n as usize).to_string(),
        },
        None => e.into(),
    })
}

/// A file ocaudit was asked to read that it refused or could not read.
#[derive(Debug)]
pub struct Refused {
    /// The path.
    pub path: PathBuf,
    /// What went wrong, with advice.
    pub message: String,
    /// The file's size, when it was refused for being over the limit.
    pub size: Option<u64>,
}

impl From<Refused> for ReadError {
    fn from(r: Refused) -> ReadError {
        ReadError {
            path: r.path,
            message: r.message,
        }
    }
}

/// Read a whole input file (a config, a memmap, a log), refusing anything
/// but a regular file (a FIFO would block, `/dev/zero` never ends) and
/// anything over `max` bytes, before reading it. The size is checked again
/// on the open file and the read stops after `max` bytes, so a file that
/// grows or is swapped meanwhile cannot make it read more. `in_dir` is the
/// advice for a directory.
pub fn read_limited(path: &Path, max: u64, in_dir: &str) -> Result<Vec<u8>, Refused> {
    use std::io::Read;
    let err = |message: String, size: Option<u64>| Refused {
        path: path.to_owned(),
        message,
        size,
    };
    let check = |meta: &std::fs::Metadata| {
        if meta.is_dir() {
            return Err(err(format!("is a directory; {in_dir}"), None));
        }
        if !meta.is_file() {
            return Err(err(
                "is not a regular file (a device, FIFO or socket); save its content to a file and give that".into(),
                None,
            ));
        }
        if meta.len() > max {
            return Err(err(
                format!("is {} bytes, over the {max}-byte limit", meta.len()),
                Some(meta.len()),
            ));
        }
        Ok(())
    };
    check(&std::fs::metadata(path).map_err(|e| err(io_message(&e), None))?)?;
    let file = std::fs::File::open(path).map_err(|e| err(io_message(&e), None))?;
    let meta = file.metadata().map_err(|e| err(io_message(&e), None))?;
    check(&meta)?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| err(io_message(&e), None))?;
    if bytes.len() as u64 > max {
        return Err(err(
            format!("grew past the {max}-byte limit while it was read"),
            Some(bytes.len() as u64),
        ));
    }
    Ok(bytes)
}

fn io_message(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => {
            "permission denied (is the EFI partition mounted readable?)".into()
        }
        _ => e.to_string(),
    }
}
