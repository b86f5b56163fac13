//! Reading and loading one file: bytes → [`SourceFile`] → [`Document`] →
//! [`Loaded`] (the typed model), with OpenCore's own reader replayed where
//! it may read the bytes differently.
//!
//! This layer states facts: what each reader made of the file and why a
//! file did not load ([`Reading`], [`Unloadable`]). Turning those facts into
//! findings (X001, X002, X010, X011) is the audit's job, above the rules
//! (see `audit::load_as`); nothing here knows a rule.

mod files;
mod reading;

pub use files::{ReadError, Refused, read, read_limited};
use reading::{looks_like_plist, surely_read};

use crate::model::{Config, ConfigKind};
use crate::plist::{self, Document, LoadError};
use crate::source::{DecodeError, SourceFile};

/// A loaded, modelled file. `R` is what is known about OpenCore's reading
/// of it: the facts ([`Reading`]) as loaded here, or the findings the audit
/// makes of them (`audit::Loaded`).
#[derive(Debug, Clone)]
pub struct Loaded<R = Reading> {
    /// The text and its encoding.
    pub source: SourceFile,
    /// The span tree.
    pub doc: Document,
    /// The typed model.
    pub config: Config,
    /// What OpenCore's own reader makes of the file.
    pub opencore: R,
}

impl<R> Loaded<R> {
    /// The same file with OpenCore's reading replaced by `judge`'s verdict
    /// on it (given the file's text).
    pub fn judged<S>(self, judge: impl FnOnce(&SourceFile, R) -> S) -> Loaded<S> {
        let opencore = judge(&self.source, self.opencore);
        Loaded {
            source: self.source,
            doc: self.doc,
            config: self.config,
            opencore,
        }
    }
}

/// What OpenCore's own reader (see [`plist::opencore`]) makes of a file.
#[derive(Debug, Clone)]
pub enum Reading {
    /// Not judged: a Clover config (Clover has a reader of its own).
    NotApplicable,
    /// OpenCore reads the file.
    Reads {
        /// What OpenCore reads past that stricter readers refuse (empty when
        /// the strict reading made the replay needless).
        tolerated: Vec<plist::opencore::Tolerated>,
        /// Where the strict loader stopped, when it did: the tree is then
        /// OpenCore's.
        strict: Option<LoadError>,
    },
    /// OpenCore refuses the file.
    Refuses {
        /// Where its reader stopped.
        trip: plist::opencore::Trip,
        /// The file is an OcQuirks.plist (same reader, other consequence).
        ocquirks: bool,
    },
}

impl Reading {
    /// `Some(true)` when OpenCore reads the file, `Some(false)` when it
    /// refuses it, `None` when not judged.
    pub fn reads(&self) -> Option<bool> {
        match self {
            Reading::NotApplicable => None,
            Reading::Reads { .. } => Some(true),
            Reading::Refuses { .. } => Some(false),
        }
    }
}

/// Why a file could not be loaded.
#[derive(Debug)]
pub enum Unloadable {
    /// The bytes are no text (or a binary plist).
    Decode(DecodeError),
    /// The text was decoded but does not load.
    Text {
        /// The decoded text.
        source: SourceFile,
        /// What stopped the loading.
        cause: Cause,
    },
}

/// What stopped decoded text from loading.
#[derive(Debug)]
pub enum Cause {
    /// The strict loader stopped where OpenCore's reader does not judge the
    /// file (a Clover config, text that is no plist).
    Malformed(LoadError),
    /// OpenCore's reader refuses the file, and ocaudit cannot read it either
    /// (or it is of no known kind).
    OpenCoreRefuses {
        /// Where OpenCore's reader stopped.
        trip: plist::opencore::Trip,
        /// The file is an OcQuirks.plist.
        ocquirks: bool,
    },
    /// The file reads, but is of no kind ocaudit knows.
    UnknownKind {
        /// The offset of the root element.
        at: usize,
    },
}

/// Decode, parse and model `raw` as `kind` (detected from the root keys
/// when `None`; a file of no known kind is [`Cause::UnknownKind`]).
pub fn load_as(
    name: &str,
    raw: Vec<u8>,
    kind: Option<ConfigKind>,
) -> Result<Loaded, Box<Unloadable>> {
    let (source, lossy_raw) = match SourceFile::try_new(name, raw) {
        Ok(s) => (s, None),
        Err((e, raw)) => {
            // OpenCore reads files that are not UTF-8 or hold a NUL byte:
            // read those as bytes when they look like a plist.
            let lossy = matches!(
                e,
                DecodeError::NulByte(_) | DecodeError::InvalidEncoding { .. }
            )
            .then(|| SourceFile::new_lossy(name, &raw))
            .flatten()
            .filter(|s| looks_like_plist(&s.text));
            match lossy {
                Some(s) => (s, Some(raw)),
                None => {
                    return Err(Box::new(Unloadable::Decode(e)));
                }
            }
        }
    };
    let strict = plist::load(&source.text);
    // OpenCore's reader is replayed only where the strict reading cannot
    // vouch for it (see `surely_read`): most files skip it.
    let oc = (!surely_read(&source, &strict)).then(|| {
        let raw = match (&lossy_raw, source.encoding) {
            (Some(raw), _) => std::borrow::Cow::Borrowed(raw.as_slice()),
            (None, crate::source::Encoding::Utf8) => {
                std::borrow::Cow::Borrowed(source.text.as_bytes())
            }
            // The file's own bytes, encoded back.
            (None, _) => std::borrow::Cow::Owned(source.encode(&source.text)),
        };
        plist::opencore::read(&raw).map(|tree| {
            let items = plist::opencore::judge_tree(&raw, &tree);
            (tree, items)
        })
    });
    reading::judge(source, strict, oc, kind)
}
