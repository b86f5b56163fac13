//! ocaudit: audit and repair OpenCore and Clover `config.plist` files, with a
//! focus on the KASLR / memory-map failures that stop macOS from booting.
//!
//! The crate is split by job: `source` (bytes and positions), `plist`
//! (span-aware loading), `model` (typed views), `rules` (diagnostics),
//! `memmap` (memory-map evidence and slide simulation), `patch` (splice
//! edits), `write` (safe atomic writing) and `cli` (the command line).

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
