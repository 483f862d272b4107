//! The two programs compared: the real `redis-cli` and `redis-cli-rs`,
//! built next to the test's executable.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The real redis-cli; `REDIS_CLI_BIN` overrides it.
pub fn oracle() -> PathBuf {
    PathBuf::from(std::env::var("REDIS_CLI_BIN").unwrap_or_else(|_| "redis-cli".into()))
}

/// Builds redis-cli-rs (once) in this test's profile and returns its path.
pub fn ours() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        integration_tests::build_for_this_test(&["-p", "redis-cli-rs", "--bin", "redis-cli-rs"])
            .join("redis-cli-rs")
    })
}
