//! Unit tests with small fixtures (no ../shared needed).
