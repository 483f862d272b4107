//! `redis-cli-rs --bench` against `redis-benchmark` on redis-benchmark's
//! own shapes, in the same run against the same server.
//!
//! ```text
//! cargo bench -p benches --bench bench_mode            # 4 shapes x SET, GET
//! BENCH_ROUNDS=9 cargo bench -p benches --bench bench_mode
//! cargo bench -p benches --bench bench_mode -- c50     # shapes whose name has "c50"
//! ```
//!
//! Shapes: `-t set,get` with `-P 1` and `-P 16`, `-c 1` and `-c 50`, the
//! same options for both programs (3-byte values, one key, as
//! redis-benchmark's defaults). One fresh `redis-server` from the
//! integration-tests harness serves every run (loopback, no persistence).
//! redis-cli-rs is built with `--release` first.
//!
//! A round runs both programs once per shape, in an order that alternates
//! from round to round. Throughput is what each program reports itself
//! (its CSV `rps`, which leaves out start-up and connecting); the ratio is
//! the median over rounds of redis-cli-rs's rps / redis-benchmark's rps in
//! the same round, which cancels most of the load that comes and goes on a
//! shared machine. CPU per request is each process's user + system time
//! (`getrusage(RUSAGE_CHILDREN)` around it, start-up included) over the
//! requests it sent, median over rounds. The server's command counters
//! check that each run sent exactly its requests. Nothing asserts on
//! timings.
//!
//! With `-c 1` a round trip is mostly two wake-ups, and where the
//! scheduler puts them moves a run by tens of percent from one second to
//! the next: hence many short rounds. `BENCH_PIN=1` pins the server's main
//! thread to CPU 0 and each load generator to CPU 1 (both programs alike),
//! which steadies the figures but makes every `-c 1` round trip cross
//! cores.

use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use integration_tests::{RedisServer, Reply};

const DEFAULT_ROUNDS: usize = 11;

struct Shape {
    name: &'static str,
    clients: usize,
    pipeline: usize,
    /// Requests per test: about half a second of each at the speeds of
    /// the project's 2-core machine.
    requests: usize,
}

const SHAPES: [Shape; 4] = [
    Shape {
        name: "c1-P1",
        clients: 1,
        pipeline: 1,
        requests: 15_000,
    },
    Shape {
        name: "c1-P16",
        clients: 1,
        pipeline: 16,
        requests: 150_000,
    },
    Shape {
        name: "c50-P1",
        clients: 50,
        pipeline: 1,
        requests: 50_000,
    },
    Shape {
        name: "c50-P16",
        clients: 50,
        pipeline: 16,
        requests: 400_000,
    },
];

const TESTS: [&str; 2] = ["SET", "GET"];

/// One run of one program on one shape.
struct Sample {
    /// Per test, the rps the program reported.
    rps: [f64; 2],
    /// CPU time per request, µs.
    cpu_us: f64,
}

fn main() {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let rounds = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(DEFAULT_ROUNDS);
    let ours = build_ours();
    let theirs = std::env::var("REDIS_BENCHMARK_BIN").unwrap_or_else(|_| "redis-benchmark".into());
    let Ok(version) = Command::new(&theirs).arg("--version").output() else {
        eprintln!("{theirs} not found: nothing to compare with");
        return;
    };
    let version = String::from_utf8_lossy(&version.stdout).trim().to_string();
    let server = RedisServer::start().expect("redis-server starts");
    let pin = std::env::var("BENCH_PIN").is_ok_and(|v| v == "1")
        && std::thread::available_parallelism().map_or(1, |n| n.get()) >= 2;
    if pin {
        if let Some(pid) = server.pid() {
            pin_to(pid as libc::pid_t, 0);
        }
    }
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "# redis-cli-rs --bench vs {version}, {rounds} rounds, load average at start {}",
        load.split_whitespace()
            .take(3)
            .collect::<Vec<_>>()
            .join(" ")
    );
    println!();
    println!("| shape | test | redis-benchmark rps | redis-cli-rs rps | ratio (median, same round) | CPU µs/request redis-benchmark | CPU µs/request redis-cli-rs |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    for shape in SHAPES
        .iter()
        .filter(|s| filter.is_empty() || filter.iter().any(|f| s.name.contains(f.as_str())))
    {
        let mut mine = Vec::new();
        let mut peer = Vec::new();
        for round in 0..rounds {
            let run_ours = |server: &RedisServer| sample(server, &ours, &["--bench"], shape, pin);
            let run_theirs =
                |server: &RedisServer| sample(server, Path::new(&theirs), &[], shape, pin);
            if round % 2 == 0 {
                mine.push(run_ours(&server));
                peer.push(run_theirs(&server));
            } else {
                peer.push(run_theirs(&server));
                mine.push(run_ours(&server));
            }
        }
        for (t, test) in TESTS.iter().enumerate() {
            let ratios: Vec<f64> = mine
                .iter()
                .zip(&peer)
                .map(|(m, p)| m.rps[t] / p.rps[t])
                .collect();
            println!(
                "| `-c {} -P {}` | {test} | {:.0} | {:.0} | **{:.2}x** | {:.2} | {:.2} |",
                shape.clients,
                shape.pipeline,
                median(peer.iter().map(|s| s.rps[t]).collect()),
                median(mine.iter().map(|s| s.rps[t]).collect()),
                median(ratios),
                median(peer.iter().map(|s| s.cpu_us).collect()),
                median(mine.iter().map(|s| s.cpu_us).collect()),
            );
        }
    }
    println!();
    println!("CPU per request: the load generator's user + system time over its SET and GET requests, start-up included.");
}

/// Runs `program prefix -p <port> -t set,get ...` on `shape`.
fn sample(
    server: &RedisServer,
    program: &Path,
    prefix: &[&str],
    shape: &Shape,
    pin: bool,
) -> Sample {
    let before_calls = calls(server);
    let port = server.port().to_string();
    let clients = shape.clients.to_string();
    let pipeline = shape.pipeline.to_string();
    let requests = shape.requests.to_string();
    let mut args: Vec<&str> = prefix.to_vec();
    args.extend([
        "-h",
        integration_tests::HOST,
        "-p",
        &port,
        "-t",
        "set,get",
        "-c",
        &clients,
        "-P",
        &pipeline,
        "-n",
        &requests,
        "--csv",
    ]);
    let before = rusage_children();
    let mut command = Command::new(program);
    command.args(&args);
    if pin {
        // SAFETY: sched_setaffinity is async-signal-safe.
        unsafe {
            command.pre_exec(|| {
                pin_to(0, 1);
                Ok(())
            });
        }
    }
    let out = command
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", program.display()));
    let cpu = rusage_children() - before;
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{} {args:?} failed: {stdout}{}",
        program.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    let after_calls = calls(server);
    let sent = (after_calls.0 - before_calls.0) + (after_calls.1 - before_calls.1);
    // redis-benchmark may send a few more than -n under -P (redis #2016).
    assert!(
        sent >= 2 * shape.requests as u64,
        "{} sent {sent} requests, fewer than {}",
        program.display(),
        2 * shape.requests
    );
    let rps =
        TESTS.map(|t| csv_rps(&stdout, t).unwrap_or_else(|| panic!("no {t} row in {stdout}")));
    Sample {
        rps,
        cpu_us: cpu.as_secs_f64() * 1e6 / sent as f64,
    }
}

/// Builds redis-cli-rs with `--release` and returns its path.
fn build_ours() -> PathBuf {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../Cargo.toml");
    let status = Command::new(cargo)
        .args([
            "build",
            "--quiet",
            "--release",
            "-p",
            "redis-cli-rs",
            "--bin",
            "redis-cli-rs",
        ])
        .arg("--manifest-path")
        .arg(&manifest)
        .status()
        .expect("cargo build runs");
    assert!(status.success(), "cargo build -p redis-cli-rs failed");
    let exe = std::env::current_exe().expect("bench executable");
    // target/release/deps/bench_mode-<hash>
    exe.parent()
        .and_then(Path::parent)
        .expect("target/release")
        .join("redis-cli-rs")
}

/// The `rps` of test `name` in redis-benchmark's CSV.
fn csv_rps(csv: &str, name: &str) -> Option<f64> {
    csv.lines().find_map(|line| {
        let mut fields = line.split(',').map(|f| f.trim().trim_matches('"'));
        if fields.next()? != name {
            return None;
        }
        fields.next()?.parse().ok()
    })
}

/// SET and GET calls the server has run so far.
fn calls(server: &RedisServer) -> (u64, u64) {
    let Reply::Bulk(info) = server.query(&["INFO", "commandstats"]) else {
        panic!("INFO commandstats: not a bulk reply");
    };
    let info = String::from_utf8_lossy(&info);
    let of = |name: &str| {
        info.lines()
            .find_map(|l| l.strip_prefix(&format!("cmdstat_{name}:calls=")))
            .and_then(|rest| rest.split(',').next()?.parse().ok())
            .unwrap_or(0)
    };
    (of("set"), of("get"))
}

/// Pins thread or process `pid` (0: the caller) to CPU `cpu`; a failure
/// leaves it where it is.
fn pin_to(pid: libc::pid_t, cpu: usize) {
    // SAFETY: a zeroed cpu_set_t is empty; CPU_SET writes inside it, and
    // sched_setaffinity reads it.
    unsafe {
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(pid, std::mem::size_of::<libc::cpu_set_t>(), &set);
    }
}

/// User + system time of the children waited for so far.
fn rusage_children() -> Duration {
    // SAFETY: an all-zero `rusage` is a valid value of the plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is valid and writable.
    let rc = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage) };
    assert_eq!(rc, 0, "getrusage failed");
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}
