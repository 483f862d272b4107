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
        let exe = std::env::current_exe().expect("test executable");
        // target/<profile>/deps/cli_compare-<hash>
        let profile_dir = exe.parent().and_then(Path::parent).expect("profile dir");
        let target_dir = profile_dir.parent().expect("target dir");
        let profile = profile_dir
            .file_name()
            .and_then(|p| p.to_str())
            .unwrap_or("debug");
        let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
        let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
        let status = std::process::Command::new(cargo)
            .args([
                "build",
                "--quiet",
                "-p",
                "redis-cli-rs",
                "--bin",
                "redis-cli-rs",
            ])
            .arg("--profile")
            .arg(if profile == "debug" { "dev" } else { profile })
            .arg("--manifest-path")
            .arg(manifest)
            .env("CARGO_TARGET_DIR", target_dir)
            .status()
            .expect("run cargo build");
        assert!(status.success(), "cargo build -p redis-cli-rs failed");
        profile_dir.join("redis-cli-rs")
    })
}
