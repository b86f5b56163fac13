//! Helpers shared by the CLI test files.

#![allow(dead_code)]

pub mod cli;
pub mod fixproof;
pub mod schema;
