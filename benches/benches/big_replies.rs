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
//! * **huge**: `GET` of a 512 MiB string (Redis's largest) from a real
//!   `redis-server`, read by redis-blocking (`get::<_, Vec<u8>>`), by
//!   redis-rs 1.8 (`get::<_, Vec<u8>>`, both with a 10 s response timeout
//!   and a fresh connection per read), by a floor that does nothing but
//!   the reading (`std` `read_to_end` into a vector of the value's exact
//!   capacity, after the header: the cost of the kernel's copy alone), and
//!   by `redis-cli` to `/dev/null`. The time per MiB above the floor is
//!   what a client adds: zero-filling, moving or re-allocating the payload.
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
use std::net::{Ipv4Addr, TcpListener, TcpStream};
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
/// The huge value: Redis's `proto-max-bulk-len`, 512 MiB.
const HUGE: usize = 512 << 20;

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

/// Reads the huge value with redis-blocking as a user would
/// (`get::<_, Vec<u8>>` on a fresh connection with a 10 s response
/// timeout), checking the size.
fn ours_huge(port: u16) -> Duration {
    use redis_blocking::prelude::*;
    let started = Instant::now();
    let config = Config::tcp("127.0.0.1", port)
        .ping_on_connect(false)
        .timeout(Some(Duration::from_secs(10)));
    let mut conn = Connection::open(&config).unwrap();
    let value: Vec<u8> = conn.get("huge").unwrap();
    let took = started.elapsed();
    assert_eq!(
        value.len(),
        HUGE,
        "redis-blocking: the reply has the wrong size"
    );
    took
}

/// Reads the huge value with redis-rs, checking the size.
fn redis_rs(port: u16) -> Duration {
    use redis::Commands;
    let started = Instant::now();
    let client = redis::Client::open(format!("redis://127.0.0.1:{port}/")).unwrap();
    let mut con = client.get_connection().unwrap();
    con.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    con.set_write_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let value: Vec<u8> = con.get("huge").unwrap();
    let took = started.elapsed();
    assert_eq!(value.len(), HUGE, "redis-rs: the reply has the wrong size");
    took
}

/// The floor: the huge value's header read byte by byte, then its payload
/// and CRLF with `read_to_end` into a vector of exactly that capacity.
fn floor(port: u16) -> Duration {
    let started = Instant::now();
    let mut stream = TcpStream::connect((Ipv4Addr::LOCALHOST, port)).unwrap();
    stream.set_nodelay(true).unwrap();
    stream
        .write_all(b"*2\r\n$3\r\nGET\r\n$4\r\nhuge\r\n")
        .unwrap();
    let mut header = Vec::new();
    let mut byte = [0u8; 1];
    while !header.ends_with(b"\r\n") {
        stream.read_exact(&mut byte).unwrap();
        header.push(byte[0]);
    }
    assert_eq!(header, format!("${HUGE}\r\n").as_bytes());
    let mut value = Vec::with_capacity(HUGE + 2);
    let read = (&mut stream)
        .take(HUGE as u64 + 2)
        .read_to_end(&mut value)
        .unwrap();
    let took = started.elapsed();
    assert_eq!(read, HUGE + 2, "floor: the reply has the wrong size");
    took
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// Times every reader over the rounds, prints the table; each reader's
/// median time in seconds.
fn measure(title: &str, readers: &[Reader<'_>]) -> Vec<f64> {
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
    times.into_iter().map(median).collect()
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
        let _ = measure(
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
        let _ = measure(
            "trickle: a 64 MiB bulk string written 1 KiB at a time",
            &readers,
        );
    }

    if wanted("huge") {
        let server = RedisServer::start().expect("redis-server starts");
        let port = server.port();
        let mut conn = Connection::open(&Config::tcp("127.0.0.1", port)).unwrap();
        // SETRANGE at the last offset: a 512 MiB string without sending it.
        let len: i64 = conn
            .query(&Cmd::new("SETRANGE").arg("huge").arg(HUGE - 1).arg("x"))
            .unwrap();
        assert_eq!(len, HUGE as i64);
        let args = ["GET", "huge"];
        let readers: Vec<Reader<'_>> = vec![
            (
                "redis-blocking Connection",
                Box::new(move || ours_huge(port)),
            ),
            ("redis-rs 1.8", Box::new(move || redis_rs(port))),
            ("floor (std read_to_end)", Box::new(move || floor(port))),
            ("redis-cli", Box::new(|| cli(&oracle, port, &args))),
        ];
        let times = measure("huge: GET of a 512 MiB string", &readers);
        let floor = times[2];
        println!("\nAbove the floor, per MiB (median times):");
        for (i, (name, _)) in readers.iter().enumerate().filter(|(i, _)| *i != 2) {
            println!(
                "- {name}: {:+.1} µs per MiB",
                (times[i] - floor) * 1e6 / (HUGE >> 20) as f64
            );
        }
    }
}
