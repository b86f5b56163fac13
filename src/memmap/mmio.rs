//! MMIO helpers.
