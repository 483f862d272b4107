//! Building the workspace's programs for a test, in the test's own
//! profile and target directory, so that a test run builds nothing twice.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Runs `cargo build --quiet ARGS` in the calling test executable's
/// profile and target directory (`target/<profile>/deps/<test>` is where
/// it runs from) and returns that profile's directory, where the outputs
/// land. Panics when cargo fails: the test cannot run without them.
pub fn build_for_this_test(args: &[&str]) -> PathBuf {
    let exe = std::env::current_exe().expect("test executable");
    let profile_dir = exe.parent().and_then(Path::parent).expect("profile dir");
    let target_dir = profile_dir.parent().expect("target dir");
    let profile = profile_dir
        .file_name()
        .and_then(|p| p.to_str())
        .unwrap_or("debug");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    let status = Command::new(cargo)
        .args(["build", "--quiet"])
        .args(args)
        .arg("--profile")
        .arg(if profile == "debug" { "dev" } else { profile })
        .arg("--manifest-path")
        .arg(manifest)
        .env("CARGO_TARGET_DIR", target_dir)
        .status()
        .expect("run cargo build");
    assert!(status.success(), "cargo build {} failed", args.join(" "));
    profile_dir.to_path_buf()
}
