//! Replays the checked-in fuzz corpus on stable Rust.
//!
//! Every file in `fuzz/corpus/<target>/` and `fuzz/regressions/<target>/`
//! goes through the check its fuzz target runs, from the same source file
//! (`fuzz/src/checks.rs`). A missing or empty corpus directory fails the
//! test, so the corpus cannot silently disappear.

#[allow(dead_code)]
#[path = "../../fuzz/src/checks.rs"]
mod checks;

use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz")
}

/// The files of `dir`, sorted; `None` when it does not exist.
fn files(dir: &Path) -> Option<Vec<PathBuf>> {
    let entries = fs::read_dir(dir).ok()?;
    let mut files: Vec<PathBuf> = entries
        .map(|e| e.expect("reading a corpus directory").path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    Some(files)
}

fn replay(target: &str, check: fn(&[u8])) {
    let corpus = fuzz_dir().join("corpus").join(target);
    let mut inputs = files(&corpus)
        .unwrap_or_else(|| panic!("corpus directory {} is missing", corpus.display()));
    assert!(
        !inputs.is_empty(),
        "corpus directory {} is empty",
        corpus.display()
    );
    let regressions = fuzz_dir().join("regressions").join(target);
    inputs.extend(files(&regressions).unwrap_or_default());

    let mut failed = Vec::new();
    for path in &inputs {
        let data = fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        if let Err(panic) = panic::catch_unwind(AssertUnwindSafe(|| check(&data))) {
            let why = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("panic");
            failed.push(format!("{}: {why}", path.display()));
        }
    }
    assert!(
        failed.is_empty(),
        "{target}: {} of {} inputs failed:\n{}",
        failed.len(),
        inputs.len(),
        failed.join("\n")
    );
}

#[test]
fn decode_corpus() {
    replay("decode", checks::check_decode);
}

#[test]
fn split_corpus() {
    replay("split", checks::check_split);
}

#[test]
fn roundtrip_corpus() {
    replay("roundtrip", checks::check_roundtrip);
}

#[test]
fn topology_corpus() {
    replay("topology", checks::check_topology);
}
