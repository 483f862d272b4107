//! The properties the fuzz targets check.
//!
//! They live in [`checks`], one plain file that depends only on `resp-core`
//! and `std`, so that `resp-core/tests/fuzz_corpus.rs` can include it and
//! replay the checked-in corpus on stable Rust.

pub mod checks;

pub use checks::{check_decode, check_roundtrip, check_split, check_topology};
