//! The programs in `redis-blocking/examples/` run against a real server:
//! each checks its own results (it panics, so exits non-zero, when one is
//! wrong) and ends by printing `<what>: ok`.
//!
//! The examples are built by `cargo build -p redis-blocking --examples
//! --features serde` (once) in this test's profile and target directory,
//! as `cli_compare.rs` builds `redis-cli-rs`: a test of another package
//! cannot name them through `CARGO_BIN_EXE_*`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use integration_tests::RedisServer;

/// Builds the examples (once) and returns the directory holding them.
fn examples_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        integration_tests::build_for_this_test(&[
            "-p",
            "redis-blocking",
            "--examples",
            "--features",
            "serde",
        ])
        .join("examples")
    })
}

/// Runs example `name` against a fresh server; fails unless it exits
/// successfully within a minute and reports `ok`.
fn run(name: &str, ok_line: &str) {
    let server = RedisServer::start().unwrap();
    let program = examples_dir().join(name);
    let started = Instant::now();
    let mut child = Command::new(&program)
        .env("REDIS_URL", server.url())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("example {name} did not finish within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success(),
        "example {name} failed ({}):\n{stdout}\n{stderr}",
        output.status
    );
    let last = stdout.lines().last().unwrap_or_default();
    assert!(
        last.starts_with(ok_line),
        "example {name} ended with {last:?}:\n{stdout}"
    );
}

#[test]
fn cache_aside() {
    run("cache_aside", "cache-aside: ok");
}

#[test]
fn job_queue() {
    run("job_queue", "job queue: ok");
}

#[test]
fn rate_limiter() {
    run("rate_limiter", "rate limiter: ok");
}

#[test]
fn bulk_load() {
    run("bulk_load", "bulk load: ok");
}

#[test]
fn optimistic_transaction() {
    run("optimistic_transaction", "optimistic transaction: ok");
}

#[test]
fn pubsub() {
    run("pubsub", "pub/sub: ok");
}

#[test]
fn scan() {
    run("scan", "scan: ok");
}

#[test]
fn streams() {
    run("streams", "streams: ok");
}

#[test]
fn error_handling() {
    run("error_handling", "error handling: ok");
}

/// Every file in `examples/` has a test above.
#[test]
fn every_example_is_run() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../redis-blocking/examples");
    let source = std::fs::read_to_string(file!())
        .or_else(|_| {
            std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/examples.rs"))
        })
        .unwrap();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_stem().unwrap().to_str().unwrap().to_owned();
        assert!(
            source.contains(&format!("run(\"{name}\"")),
            "examples/{name}.rs is not run by tests/examples.rs"
        );
    }
}
