//! Reading large replies, against `redis-cli` in the same run.
//!
//! ```text
//! cargo bench -p benches --bench big_replies
//! BENCH_ROUNDS=9 cargo bench -p benches --bench big_replies
//! ```
//!
//! Two replies, each read by three readers in rotating order, a fresh
//! connection (or process) per read:
//!
//! * **array**: `LRANGE` of a list of 500,000 strings of 60 bytes from a
//!   real `redis-server` (a 32 MiB array);
//! * **trickle**: a 64 MiB bulk string from a scripted server that writes
//!   it 1 KiB at a time through a 4 KiB socket buffer, so that it arrives
//!   in small pieces.
//!
//! The readers: redis-blocking's `Connection` (with a 10 s response
//! timeout configured, as production users run it, converting the reply to
//! an owned value and checking its size), the `redis-cli-rs` binary and
//! Debian's `redis-cli`, both printing to `/dev/null`. The library's time
//! includes opening its connection, as the binaries' include starting up.
//! Each figure is a median over rounds; a ratio is the median of the
//! same-round ratios (below 1.0: faster than `redis-cli`). Nothing here
//! asserts on timings.

use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use integration_tests::RedisServer;
use redis_blocking::{Cmd, Config, Connection, Pipeline, Value};

const ELEMENTS: usize = 500_000;
const ELEMENT: usize = 60;
const TRICKLE: usize = 64 << 20;
const PIECE: usize = 1024;

fn rounds() -> usize {
    std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(5)
}

/// Builds redis-cli-rs in release mode and returns its path.
fn ours() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--quiet", "--release", "-p", "redis-cli-rs"])
        .arg("--manifest-path")
        .arg(&manifest)
        .status()
        .expect("cargo runs");
    assert!(status.success(), "building redis-cli-rs");
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target"));
    target.join("release/redis-cli-rs")
}

/// A server that answers every command with a 64 MiB bulk string,
/// written a piece at a time through a small send buffer.
fn trickle_server() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let payload = vec![b'x'; TRICKLE];
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let payload = payload.clone();
            std::thread::spawn(move || {
                let _ = stream.set_nodelay(true);
                let size: libc::c_int = 4096;
                // SAFETY: a valid socket and a pointer to an int option.
                unsafe {
                    libc::setsockopt(
                        stream.as_raw_fd(),
                        libc::SOL_SOCKET,
                        libc::SO_SNDBUF,
                        (&size as *const libc::c_int).cast(),
                        std::mem::size_of::<libc::c_int>() as libc::socklen_t,
                    );
                }
                let mut buf = [0u8; 4096];
                // One command in (nothing more arrives), one reply out.
                if !matches!(stream.read(&mut buf), Ok(n) if n > 0) {
                    return;
                }
                let _ = stream.write_all(format!("${TRICKLE}\r\n").as_bytes());
                for piece in payload.chunks(PIECE) {
                    if stream.write_all(piece).is_err() {
                        return;
                    }
                }
                let _ = stream.write_all(b"\r\n");
                let _ = stream.read(&mut buf);
            });
        }
    });
    port
}

/// A reader: its name and one timed read.
type Reader<'a> = (&'static str, Box<dyn Fn() -> Duration + 'a>);

/// Runs a binary CLI once and returns its wall time.
fn cli(program: &Path, port: u16, args: &[&str]) -> Duration {
    let started = Instant::now();
    let status = Command::new(program)
        .arg("-p")
        .arg(port.to_string())
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("the CLI runs");
    let took = started.elapsed();
    assert!(status.success(), "{} failed", program.display());
    took
}

/// Reads with redis-blocking, checking the size, and returns the time.
fn library(port: u16, cmd: &[&str], check: fn(&Value) -> bool) -> Duration {
    let started = Instant::now();
    let config = Config::tcp("127.0.0.1", port)
        .ping_on_connect(false)
        .timeout(Some(Duration::from_secs(10)));
    let mut conn = Connection::open(&config).unwrap();
    let mut command = Cmd::new(cmd[0]);
    for arg in &cmd[1..] {
        command.add_arg(*arg);
    }
    let value: Value = conn.query(&command).unwrap();
    let took = started.elapsed();
    assert!(check(&value), "the reply has the wrong size");
    took
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

fn measure(title: &str, readers: &[Reader<'_>]) {
    let rounds = rounds();
    // Warm-up: caches, page tables, the server's output buffers.
    for (_, read) in readers {
        read();
    }
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); readers.len()];
    for round in 0..rounds {
        for k in 0..readers.len() {
            let i = (round + k) % readers.len();
            times[i].push(readers[i].1().as_secs_f64());
        }
    }
    let oracle = readers.len() - 1;
    println!("\n{title} ({rounds} rounds)");
    println!("| reader | median time | / redis-cli (same-round ratio) |");
    println!("|---|---:|---:|");
    for (i, (name, _)) in readers.iter().enumerate() {
        let ratios: Vec<f64> = (0..rounds)
            .map(|r| times[i][r] / times[oracle][r])
            .collect();
        println!(
            "| {name} | {:.3} s | {:.2}x |",
            median(times[i].clone()),
            median(ratios)
        );
    }
}

fn main() {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |id: &str| filter.is_empty() || filter.iter().any(|f| f == id);
    let ours = ours();
    let oracle =
        PathBuf::from(std::env::var("REDIS_CLI_BIN").unwrap_or_else(|_| "redis-cli".into()));

    if wanted("array") {
        let server = RedisServer::start().expect("redis-server starts");
        let mut conn = Connection::open(&Config::tcp("127.0.0.1", server.port())).unwrap();
        let value = [b'v'; ELEMENT];
        for _ in 0..ELEMENTS / 10_000 {
            let mut pipe = Pipeline::new();
            for _ in 0..10_000 {
                pipe.cmd("RPUSH").arg("big").arg(&value[..]).ignore();
            }
            let () = conn.query_pipeline(&pipe).unwrap();
        }
        let port = server.port();
        let args = ["LRANGE", "big", "0", "-1"];
        let readers: Vec<Reader<'_>> = vec![
            (
                "redis-blocking Connection",
                Box::new(move || {
                    library(
                        port,
                        &args,
                        |v| matches!(v, Value::Array(a) if a.len() == ELEMENTS),
                    )
                }),
            ),
            ("redis-cli-rs", Box::new(|| cli(&ours, port, &args))),
            ("redis-cli", Box::new(|| cli(&oracle, port, &args))),
        ];
        measure(
            "array: LRANGE of 500,000 strings of 60 bytes (a 32 MiB reply)",
            &readers,
        );
    }

    if wanted("trickle") {
        let port = trickle_server();
        let args = ["GET", "x"];
        let readers: Vec<Reader<'_>> = vec![
            (
                "redis-blocking Connection",
                Box::new(move || {
                    library(
                        port,
                        &args,
                        |v| matches!(v, Value::Bulk(b) if b.len() == TRICKLE),
                    )
                }),
            ),
            ("redis-cli-rs", Box::new(|| cli(&ours, port, &args))),
            ("redis-cli", Box::new(|| cli(&oracle, port, &args))),
        ];
        measure(
            "trickle: a 64 MiB bulk string written 1 KiB at a time",
            &readers,
        );
    }
}
