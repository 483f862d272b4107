//! The multiplexed connection (`redis_blocking::Multiplexed`) against the
//! pooled `Client`, a plain `Connection` and `redis-benchmark`, measured in
//! the same run against the same server.
//!
//! ```text
//! cargo bench -p benches --bench mux                  # both parts
//! cargo bench -p benches --bench mux -- threads       # N threads doing GET
//! cargo bench -p benches --bench mux -- straight      # the straight-line loop
//! cargo bench -p benches --bench mux -- threads 64 mux # one shape, one client (a profiler's)
//! BENCH_ROUNDS=9 BENCH_SCALE=0.5 cargo bench -p benches --bench mux
//! ```
//!
//! **Threads.** N threads (N = 1, 8, 64) each run GETs of a 16-byte value,
//! one request in flight per thread: all through one `Multiplexed` (a
//! clone per thread), through one pooled `Client` (a clone per thread,
//! `max_size(N)`, its N connections opened before the clock starts), and
//! `redis-benchmark -c N -P 1 -d 16 -t get`; with N = 1 also a plain
//! `Connection`. **Straight line.** One thread runs 100,000 × (`INCR`
//! counter, `SET` key value): with plain calls on a `Connection`, with
//! plain calls on a `Multiplexed`, and with `Multiplexed::send` for all
//! 200,000 commands, then `Pending::wait` on every handle.
//!
//! House conventions (as `benches/client.rs`): one server, started by the
//! integration-tests harness; every Rust client has a 10 s response
//! timeout configured and every reply is checked (each GET's size, each
//! INCR's value, each SET's `+OK`); after a warm-up round, each round runs
//! every client once, in an order that rotates from round to round; a
//! client's figure is the median of its rounds, and a ratio is the median
//! over rounds of the two clients' throughput in the same round. The
//! server's command counters check that every request reached it. On a
//! shared machine the wall clock depends on the CPU others leave, so the
//! CPU time per request is reported beside it: the client's (every thread
//! of the benchmark process; redis-benchmark's own process, start-up
//! included) and the server's (`/proc/<pid>/schedstat`).
//! redis-benchmark's throughput is the one it reports (start-up left out,
//! as the Rust clients' samples leave out connecting). Nothing asserts on
//! timings; the machine's load average is printed at the start and end.

use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

use benches::measure::{
    commandstats_calls, csv_rps, load_average, median, redis_benchmark, rusage, server_cpu,
};
use integration_tests::RedisServer;
use redis_blocking::prelude::*;
use redis_blocking::{Client, Multiplexed};

/// redis-benchmark's key, which it uses literally without `-r`.
const KEY: &str = "key:__rand_int__";
const VALUE: usize = 16;
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(10);
const DEFAULT_ROUNDS: usize = 5;
/// Commands of the straight-line loop: this many INCR and as many SET.
const STRAIGHT: usize = 100_000;

fn config(port: u16) -> Config {
    Config::tcp(integration_tests::HOST, port).timeout(Some(RESPONSE_TIMEOUT))
}

/// The process's CPU time so far (user + system, every thread).
fn process_cpu() -> Duration {
    let (user, sys) = rusage(libc::RUSAGE_SELF);
    user + sys
}

/// Runs each worker on its own thread, all started together, and answers
/// the wall-clock time until the last one ends.
fn parallel<W: FnOnce() + Send>(workers: Vec<W>) -> Duration {
    benches::measure::parallel(workers).wall
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Peer {
    Mux,
    Pooled,
    Connection,
    RedisBenchmark,
}

impl Peer {
    /// Its name on the command line (to run one client alone).
    fn arg(self) -> &'static str {
        match self {
            Peer::Mux => "mux",
            Peer::Pooled => "pooled",
            Peer::Connection => "connection",
            Peer::RedisBenchmark => "redis-benchmark",
        }
    }

    fn name(self, threads: usize) -> String {
        match self {
            Peer::Mux => "`Multiplexed` (one connection)".into(),
            Peer::Pooled => format!("pooled `Client` (`max_size({threads})`)"),
            Peer::Connection => "plain `Connection`".into(),
            Peer::RedisBenchmark => format!("`redis-benchmark -c {threads} -P 1`"),
        }
    }
}

/// What one sample measured.
#[derive(Clone, Copy)]
struct Sample {
    rps: f64,
    /// The client's CPU time per request (every thread of the process;
    /// redis-benchmark's whole process, start-up included).
    client_us: f64,
    /// The server's CPU time per request.
    server_us: f64,
}

/// One sample: `requests` GETs from `threads` threads.
fn sample(peer: Peer, server: &RedisServer, threads: usize, requests: usize) -> Sample {
    let pid = server.pid().expect("the server runs");
    let (server_before, cpu_before) = (server_cpu(pid), process_cpu());
    let children_before = rusage(libc::RUSAGE_CHILDREN);
    let rps = run_sample(peer, server.port(), threads, requests);
    let server_us = (server_cpu(pid) - server_before).as_secs_f64() * 1e6 / requests as f64;
    let client = match peer {
        Peer::RedisBenchmark => {
            let after = rusage(libc::RUSAGE_CHILDREN);
            (after.0 + after.1) - (children_before.0 + children_before.1)
        }
        _ => process_cpu() - cpu_before,
    };
    Sample {
        rps,
        client_us: client.as_secs_f64() * 1e6 / requests as f64,
        server_us,
    }
}

/// Runs one sample; requests per second.
fn run_sample(peer: Peer, port: u16, threads: usize, requests: usize) -> f64 {
    let per_thread = requests / threads;
    let check = |got: Vec<u8>| {
        assert_eq!(got.len(), VALUE, "GET: wrong size");
        black_box(got);
    };
    let wall = match peer {
        Peer::Mux => {
            let mux = Multiplexed::builder(config(port)).build();
            let () = mux.query(&Cmd::new("PING")).expect("Multiplexed connects");
            let workers = (0..threads)
                .map(|_| {
                    let mux = mux.clone();
                    move || {
                        for _ in 0..per_thread {
                            check(mux.get(KEY).expect("Multiplexed GET"));
                        }
                    }
                })
                .collect();
            parallel(workers)
        }
        Peer::Pooled => {
            let client = Client::builder(config(port)).max_size(threads).build();
            let held: Vec<_> = (0..threads)
                .map(|_| client.connection().expect("Client connects"))
                .collect();
            drop(held);
            let workers = (0..threads)
                .map(|_| {
                    let client = client.clone();
                    move || {
                        for _ in 0..per_thread {
                            check(client.get(KEY).expect("Client GET"));
                        }
                    }
                })
                .collect();
            parallel(workers)
        }
        Peer::Connection => {
            assert_eq!(threads, 1);
            // On a thread of its own, started as the other clients' are.
            let mut conn = Connection::open(&config(port)).expect("Connection opens");
            parallel(vec![move || {
                for _ in 0..per_thread {
                    check(conn.get(KEY).expect("Connection GET"));
                }
            }])
        }
        Peer::RedisBenchmark => {
            let (program, _) = redis_benchmark().expect("redis-benchmark runs");
            let out = Command::new(program)
                .args(["-h", integration_tests::HOST, "-p", &port.to_string()])
                .args(["-c", &threads.to_string(), "-P", "1", "-d", "16"])
                .args(["-t", "get", "-n", &requests.to_string(), "--csv"])
                .output()
                .expect("redis-benchmark runs");
            let csv = String::from_utf8_lossy(&out.stdout);
            return csv_rps(&csv, "GET").expect("redis-benchmark reports GET");
        }
    };
    (per_thread * threads) as f64 / wall.as_secs_f64()
}

fn gets_done(server: &RedisServer) -> u64 {
    let info = match server.query(&["INFO", "commandstats"]) {
        integration_tests::Reply::Bulk(b) => String::from_utf8_lossy(&b).into_owned(),
        other => panic!("INFO: {other:?}"),
    };
    commandstats_calls(&info, "get").0
}

fn threads_part(server: &RedisServer, rounds: usize, scale: f64, args: &[String]) {
    assert_eq!(server.run(&["SET", KEY, &"x".repeat(VALUE)]), "+OK\r\n");
    let counts: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    for threads in [1usize, 8, 64] {
        if !counts.is_empty() && !counts.contains(&threads) {
            continue;
        }
        let base = match threads {
            1 => 20_000.0,
            8 => 50_000.0,
            _ => 150_000.0,
        };
        let requests = ((base * scale) as usize / threads).max(10) * threads;
        let mut peers = vec![Peer::Mux, Peer::Pooled, Peer::RedisBenchmark];
        if threads == 1 {
            peers.push(Peer::Connection);
        }
        let only: Vec<Peer> = peers
            .iter()
            .copied()
            .filter(|p| args.iter().any(|a| *a == p.arg()))
            .collect();
        if !only.is_empty() {
            peers = only;
        }
        // samples[peer][round]
        let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); peers.len()];
        for round in 0..=rounds {
            let n = if round == 0 { requests / 10 } else { requests };
            for k in 0..peers.len() {
                let i = (k + round) % peers.len();
                let before = gets_done(server);
                let r = sample(peers[i], server, threads, n);
                let done = gets_done(server) - before;
                assert!(
                    done >= (n / threads * threads) as u64,
                    "{:?}: {done} GETs",
                    peers[i]
                );
                if round > 0 {
                    samples[i].push(r);
                }
            }
        }
        println!();
        println!(
            "### {threads} thread(s), GET 16 B, {requests} requests per sample, {rounds} rounds"
        );
        println!();
        println!("| client | req/s (median) | min-max | client CPU µs/req | server CPU µs/req | Multiplexed / client (median of same-round ratios) |");
        println!("|---|---:|---:|---:|---:|---:|");
        let cmp = |a: &f64, b: &f64| a.total_cmp(b);
        let rps = |i: usize| samples[i].iter().map(|s| s.rps).collect::<Vec<_>>();
        for (i, peer) in peers.iter().enumerate() {
            let ratios: Vec<f64> = rps(0).iter().zip(rps(i)).map(|(m, p)| m / p).collect();
            let (min, max) = rps(i)
                .iter()
                .fold((f64::MAX, 0f64), |(lo, hi), &r| (lo.min(r), hi.max(r)));
            println!(
                "| {} | {:.0} k | {:.0}-{:.0} k | {:.1} | {:.1} | {} |",
                peer.name(threads),
                median(rps(i), cmp) / 1e3,
                min / 1e3,
                max / 1e3,
                median(samples[i].iter().map(|s| s.client_us).collect(), cmp),
                median(samples[i].iter().map(|s| s.server_us).collect(), cmp),
                if i == 0 {
                    "".to_string()
                } else {
                    format!("**{:.2}x**", median(ratios, cmp))
                }
            );
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Straight {
    Connection,
    MuxCalls,
    MuxSend,
}

impl Straight {
    fn name(self) -> &'static str {
        match self {
            Straight::Connection => "plain calls on a `Connection`",
            Straight::MuxCalls => "plain calls on a `Multiplexed`",
            Straight::MuxSend => "`Multiplexed::send` for all, then `wait` on each",
        }
    }
}

/// One run of the straight-line loop; commands per second.
fn straight(way: Straight, port: u16, run: usize, n: usize) -> f64 {
    let counter = format!("sl:counter:{run}:{way:?}");
    let value = [b'v'; VALUE];
    let keys: Vec<String> = (0..1000).map(|i| format!("sl:key:{i}")).collect();
    let start;
    match way {
        Straight::Connection => {
            let mut conn = Connection::open(&config(port)).expect("Connection opens");
            start = Instant::now();
            for i in 0..n {
                let v: i64 = conn.incr(&counter).expect("INCR");
                assert_eq!(v, i as i64 + 1);
                let () = conn.set(&keys[i % 1000], &value[..]).expect("SET");
            }
        }
        Straight::MuxCalls => {
            let mux = Multiplexed::builder(config(port)).build();
            let () = mux.query(&Cmd::new("PING")).expect("Multiplexed connects");
            start = Instant::now();
            for i in 0..n {
                let v: i64 = mux.incr(&counter).expect("INCR");
                assert_eq!(v, i as i64 + 1);
                let () = mux.set(&keys[i % 1000], &value[..]).expect("SET");
            }
        }
        Straight::MuxSend => {
            let mux = Multiplexed::builder(config(port)).build();
            let () = mux.query(&Cmd::new("PING")).expect("Multiplexed connects");
            start = Instant::now();
            let mut incrs = Vec::with_capacity(n);
            let mut sets = Vec::with_capacity(n);
            for i in 0..n {
                incrs.push(mux.send::<i64>(&Cmd::new("INCR").arg(&counter)));
                sets.push(mux.send::<()>(&Cmd::new("SET").arg(&keys[i % 1000]).arg(&value[..])));
            }
            for (i, (incr, set)) in incrs.into_iter().zip(sets).enumerate() {
                assert_eq!(incr.wait().expect("INCR"), i as i64 + 1);
                set.wait().expect("SET");
            }
        }
    }
    (2 * n) as f64 / start.elapsed().as_secs_f64()
}

fn straight_part(server: &RedisServer, rounds: usize, scale: f64) {
    let port = server.port();
    let n = ((STRAIGHT as f64 * scale) as usize).max(100);
    let ways = [Straight::Connection, Straight::MuxCalls, Straight::MuxSend];
    let mut rates = vec![Vec::new(); ways.len()];
    for round in 0..=rounds {
        let count = if round == 0 { n / 10 } else { n };
        for k in 0..ways.len() {
            let i = (k + round) % ways.len();
            let r = straight(ways[i], port, round, count);
            if round > 0 {
                rates[i].push(r);
            }
        }
    }
    let cmp = |a: &f64, b: &f64| a.total_cmp(b);
    println!();
    println!("### Straight line: {n} × (INCR, SET 16 B), one thread, {rounds} rounds");
    println!();
    println!("| way | commands/s (median) | / plain calls on a `Connection` (median of same-round ratios) |");
    println!("|---|---:|---:|");
    for (i, way) in ways.iter().enumerate() {
        let ratios: Vec<f64> = rates[i].iter().zip(&rates[0]).map(|(a, b)| a / b).collect();
        println!(
            "| {} | {:.0} k | {} |",
            way.name(),
            median(rates[i].clone(), cmp) / 1e3,
            if i == 0 {
                String::new()
            } else {
                format!("**{:.2}x**", median(ratios, cmp))
            }
        );
    }
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |part: &str| args.is_empty() || args.iter().any(|a| a == part);
    let rounds = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(DEFAULT_ROUNDS)
        .max(1);
    let scale: f64 = std::env::var("BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1.0);
    let Some((_, version)) = redis_benchmark() else {
        eprintln!("redis-benchmark not found: skipping the mux benchmark");
        return;
    };
    println!(
        "## Multiplexed connection (redis-benchmark {version}; load average at start {})",
        load_average()
    );
    let server = RedisServer::start().expect("redis-server starts");
    if wanted("threads") {
        threads_part(&server, rounds, scale, &args);
    }
    if wanted("straight") {
        straight_part(&server, rounds.div_ceil(2), scale);
    }
    println!();
    println!("load average at the end: {}", load_average());
}
