//! Put OpenCore's verdict on a file next to ocaudit's strict reading.
//!
//! The strict loader ([`plist::load`]) and OpenCore's own reader
//! ([`plist::opencore`]) each read the bytes; this decides which tree the
//! audit uses and which finding the file gets:
//!
//! | OpenCore | strict loader | result                                        |
//! |----------|---------------|-----------------------------------------------|
//! | reads    | reads         | strict tree, plus X011 if OpenCore tolerated something |
//! | reads    | refuses       | OpenCore's tree, plus X011 at the malformation |
//! | refuses  | either        | X010 only (exit 1)                            |
//!
//! Clover configs keep the strict loader's verdict (Clover has a reader of
//! its own). OcQuirks.plist is read by OcQuirks.efi with OpenCore's reader
//! (its source calls OpenCore's `ParseSerialized`), so it is judged like an
//! OpenCore config, except that OcQuirks falls back to its defaults instead
//! of halting.

use super::{LoadFailure, Loaded, OpenCoreReading};
use crate::model::{self, ConfigKind};
use crate::plist::{Document, LoadError, opencore};
use crate::rules;
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

/// Decide the tree and the reader findings of one file: `strict` is the
/// strict loader's result on `source.text`, `oc` OpenCore's on the raw
/// bytes (with what it tolerated; `None` when [`surely_read`] made the
/// replay needless), `kind` the kind forced by `--kind`.
pub fn judge(
    source: SourceFile,
    strict: Result<Document, LoadError>,
    oc: Option<Result<(opencore::Tree, Vec<opencore::Tolerated>), opencore::Trip>>,
    kind: Option<ConfigKind>,
) -> Result<Loaded, Box<LoadFailure>> {
    let detected = match &strict {
        Ok(doc) => kind.or_else(|| model::detect_kind(doc)),
        Err(_) => kind,
    };
    if detected == Some(ConfigKind::Clover) || !looks_like_plist(&source.text) {
        return strict_only(source, strict, kind);
    }
    let (doc, reading) = match oc {
        None => match strict {
            Ok(doc) => (doc, OpenCoreReading::Reads(None)),
            // (`surely_read` holds only for a loaded file.)
            Err(e) => return strict_only(source, Err(e), kind),
        },
        Some(Err(trip)) => {
            let ocquirks = detected == Some(ConfigKind::OcQuirks);
            let d = rules::cannot_read(&source, &trip, ocquirks);
            match strict {
                Ok(doc) => (doc, OpenCoreReading::Refuses(Box::new(d))),
                Err(_) => {
                    return Err(Box::new(LoadFailure {
                        source: Some(source),
                        diagnostic: d,
                    }));
                }
            }
        }
        Some(Ok((tree, items))) => {
            // Offsets of the raw bytes are offsets of the text only for
            // UTF-8 without a BOM (OpenCore refuses every other encoding).
            debug_assert_eq!(source.encoding, Encoding::Utf8);
            match strict {
                Ok(doc) => {
                    let x011 = rules::strict_parsers_refuse(&source, None, &items);
                    (doc, OpenCoreReading::Reads(x011.map(Box::new)))
                }
                Err(e) => {
                    let doc = opencore::to_document(&source.text, &tree);
                    let x011 = rules::strict_parsers_refuse(&source, Some(&e), &items);
                    (doc, OpenCoreReading::Reads(x011.map(Box::new)))
                }
            }
        }
    };
    finish(source, doc, kind, reading)
}

/// Model the tree as `kind` (detected when `None`): a file of no known
/// kind is refused, with X010 when OpenCore refuses it too (a root array,
/// say: the OpenCore finding is the one that matters), else X001.
fn finish(
    source: SourceFile,
    doc: Document,
    kind: Option<ConfigKind>,
    reading: OpenCoreReading,
) -> Result<Loaded, Box<LoadFailure>> {
    let Some(kind) = kind.or_else(|| model::detect_kind(&doc)) else {
        if let OpenCoreReading::Refuses(d) = reading {
            return Err(Box::new(LoadFailure {
                source: Some(source),
                diagnostic: *d,
            }));
        }
        return Err(not_a_config(source, &doc));
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
) -> Result<Loaded, Box<LoadFailure>> {
    let doc = match strict {
        Ok(d) => d,
        Err(e) => {
            let d = super::fatal(
                rules::x001(),
                e.offset..e.offset,
                e.message.clone(),
                Some("fix the XML by hand or restore a backup; the position above is where the parser stopped".into()),
            );
            return Err(Box::new(LoadFailure {
                source: Some(source),
                diagnostic: d,
            }));
        }
    };
    finish(source, doc, kind, OpenCoreReading::NotApplicable)
}

fn not_a_config(source: SourceFile, doc: &Document) -> Box<LoadFailure> {
    let d = super::fatal(
        rules::x001(),
        doc.root.span.start..doc.root.span.start,
        format!(
            "not a config file ocaudit knows: expected {}",
            model::KIND_EXPECTATION
        ),
        Some("if it is one of these, say which with `--kind opencore|clover|ocquirks`".into()),
    );
    Box::new(LoadFailure {
        source: Some(source),
        diagnostic: d,
    })
}
