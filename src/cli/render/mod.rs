//! Renderers: each turns the same list of file reports into one format.

pub mod diff;
pub mod escape;
pub mod frame;
pub mod github;
pub mod human;
pub mod json;
pub mod sarif;
mod window;
