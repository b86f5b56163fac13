//! ocaudit: audit and repair OpenCore and Clover `config.plist` files, with a
//! focus on the KASLR / memory-map failures that stop macOS from booting.
//!
//! The crate is split by job into layers, and data flows one way, from the
//! bottom up: read → load → model → rules → report. A module uses only
//! modules listed before it (tests beside the code may drive the whole
//! pipeline through `audit`; `tests/layers.rs` checks the rest), nothing
//! below `rules` knows a rule, and no rule touches the file system.
//!
//! - `source` (bytes to text and positions), `plist` (span-aware loading,
//!   OpenCore's own reader), `patch` (splice edits), `memmap` (memory maps,
//!   OpenCore logs, slide simulation), `write` (safe atomic writing);
//! - `model` (typed views of a config);
//! - `load` (reading a file from disk and loading it: bytes → `Loaded`, with
//!   what OpenCore's reader made of it as facts);
//! - `schema` (the keys and types of each OpenCore release), `platform` (the
//!   machine a config is for), `evidence` (the `--memmap` / `--log`
//!   summary the rules read), `folder` (the EFI folder around the file,
//!   scanned once into plain data);
//! - `rules` (the checks: they read the model, the evidence and the folder
//!   scan handed to them in a `Context`, and return diagnostics);
//! - `audit` (one file through the pipeline: load, scan, run the rules,
//!   gather the findings into a report), `fixer` (repairs built from the
//!   rules' fixes);
//! - `cli` (the command line: renders reports, writes files).

pub mod audit;
pub mod cli;
pub mod evidence;
pub mod fixer;
pub mod folder;
pub mod load;
pub mod memmap;
pub mod model;
pub mod patch;
pub mod platform;
pub mod plist;
pub mod rules;
pub mod schema;
pub mod source;
pub mod write;
