//! Put OpenCore's verdict on a file next to ocaudit's strict reading.
//!
//! The strict loader ([`plist::load`](crate::plist::load)) and OpenCore's
//! own reader ([`opencore`]) each read the bytes; this decides which tree
//! the audit uses and what OpenCore's reading was:
//!
//! | OpenCore | strict loader | result                                                  |
//! |----------|---------------|---------------------------------------------------------|
//! | reads    | reads         | strict tree, with what OpenCore tolerated (X011 if any) |
//! | reads    | refuses       | OpenCore's tree, with the malformation (X011)           |
//! | refuses  | either        | OpenCore refuses (X010 only, exit 1)                    |
//!
//! Clover configs keep the strict loader's verdict (Clover has a reader of
//! its own). OcQuirks.plist is read by OcQuirks.efi with OpenCore's reader
//! (its source calls OpenCore's `ParseSerialized`), so it is judged like an
//! OpenCore config, except that OcQuirks falls back to its defaults instead
//! of halting. The findings named here are made by the audit.

use super::{Cause, Loaded, Reading, Unloadable};
use crate::model::{self, ConfigKind};
use crate::plist::{Document, LoadError, opencore};
use crate::source::{Encoding, SourceFile};

/// Whether OpenCore's reader surely reads the file, and reads it as the
/// strict loader did, so that replaying it would only confirm: plain
/// UTF-8, no issue, nothing unusual (see [`Document::unusual`]), a root
/// dict, and OpenCore's limits kept with room to spare (its 32 levels
/// count `<plist>` and a leaf written `<x></x>`). The differential test
/// (`tests/opencore_reader.rs`) checks this shortcut against the replay.
pub fn surely_read(source: &SourceFile, strict: &Result<Document, LoadError>) -> bool {
    let Ok(doc) = strict else {
        return false;
    };
    source.encoding == Encoding::Utf8
        && !source.lossy
        && !doc.unusual
        && doc.issues.is_empty()
        && doc.root.as_dict().is_some()
        && doc.depth + 2 <= opencore::NEST_LEVEL as usize
        && doc.widest <= opencore::NODE_COUNT
}

/// Whether decoded text is a plist at all (else a refusal is "not XML",
/// exit 2, and not an OpenCore finding).
pub fn looks_like_plist(text: &str) -> bool {
    memchr::memmem::find(text.as_bytes(), b"<plist").is_some()
        || memchr::memmem::find(text.as_bytes(), b"<dict").is_some()
}

/// Decide the tree and OpenCore's reading of one file: `strict` is the
/// strict loader's result on `source.text`, `oc` OpenCore's on the raw
/// bytes (with what it tolerated; `None` when [`surely_read`] made the
/// replay needless), `kind` the kind forced by `--kind`.
pub(super) fn judge(
    source: SourceFile,
    strict: Result<Document, LoadError>,
    oc: Option<Result<(opencore::Tree, Vec<opencore::Tolerated>), opencore::Trip>>,
    kind: Option<ConfigKind>,
) -> Result<Loaded, Box<Unloadable>> {
    let detected = match &strict {
        Ok(doc) => kind.or_else(|| model::detect_kind(doc)),
        Err(_) => kind,
    };
    if detected == Some(ConfigKind::Clover) || !looks_like_plist(&source.text) {
        return strict_only(source, strict, kind);
    }
    let (doc, reading) = match oc {
        None => match strict {
            Ok(doc) => (
                doc,
                Reading::Reads {
                    tolerated: Vec::new(),
                    strict: None,
                },
            ),
            // (`surely_read` holds only for a loaded file.)
            Err(e) => return strict_only(source, Err(e), kind),
        },
        Some(Err(trip)) => {
            let ocquirks = detected == Some(ConfigKind::OcQuirks);
            match strict {
                Ok(doc) => (doc, Reading::Refuses { trip, ocquirks }),
                Err(_) => {
                    return Err(Box::new(Unloadable::Text {
                        source,
                        cause: Cause::OpenCoreRefuses { trip, ocquirks },
                    }));
                }
            }
        }
        Some(Ok((tree, items))) => {
            // Offsets of the raw bytes are offsets of the text only for
            // UTF-8 without a BOM (OpenCore refuses every other encoding).
            debug_assert_eq!(source.encoding, Encoding::Utf8);
            match strict {
                Ok(doc) => (
                    doc,
                    Reading::Reads {
                        tolerated: items,
                        strict: None,
                    },
                ),
                Err(e) => {
                    let doc = opencore::to_document(&source.text, &tree);
                    let reading = Reading::Reads {
                        tolerated: items,
                        strict: Some(e),
                    };
                    (doc, reading)
                }
            }
        }
    };
    finish(source, doc, kind, reading)
}

/// Model the tree as `kind` (detected when `None`): a file of no known
/// kind is refused, as refused by OpenCore when it is (a root array, say:
/// the OpenCore finding is the one that matters), else of unknown kind.
fn finish(
    source: SourceFile,
    doc: Document,
    kind: Option<ConfigKind>,
    reading: Reading,
) -> Result<Loaded, Box<Unloadable>> {
    let Some(kind) = kind.or_else(|| model::detect_kind(&doc)) else {
        let cause = match reading {
            Reading::Refuses { trip, ocquirks } => Cause::OpenCoreRefuses { trip, ocquirks },
            _ => Cause::UnknownKind {
                at: doc.root.span.start,
            },
        };
        return Err(Box::new(Unloadable::Text { source, cause }));
    };
    let config = model::build_kind(&doc, kind);
    Ok(Loaded {
        source,
        doc,
        config,
        opencore: reading,
    })
}

/// The strict loader's verdict alone (Clover configs, text that is no plist).
fn strict_only(
    source: SourceFile,
    strict: Result<Document, LoadError>,
    kind: Option<ConfigKind>,
) -> Result<Loaded, Box<Unloadable>> {
    match strict {
        Ok(doc) => finish(source, doc, kind, Reading::NotApplicable),
        Err(e) => Err(Box::new(Unloadable::Text {
            source,
            cause: Cause::Malformed(e),
        })),
    }
}
