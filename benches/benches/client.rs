//! Client throughput of redis-blocking against redis-rs and redis-benchmark,
//! measured in the same run against the same server.
//!
//! ```text
//! cargo bench -p benches --bench client                       # W1 to W4
//! cargo bench -p benches --bench client -- w2                 # one workload
//! cargo bench -p benches --bench client -- w4 r2d2            # W4, both r2d2 pools
//! cargo bench -p benches --bench client -- w1 redis-blocking  # one client, for a profiler
//! BENCH_ROUNDS=9 BENCH_SCALE=2 cargo bench -p benches --bench client
//! BENCH_LONG_LIVED=1 cargo bench -p benches --bench client  # one connection per workload
//! ```
//!
//! Each workload gets a fresh `redis-server` from the integration-tests
//! harness (loopback, a free port, no persistence). Every sample runs on a
//! fresh connection, opened before the clock starts, as redis-benchmark's
//! runs do: on a connection that has been in use, TCP congestion control
//! (BBR here) can halve loopback throughput of large values for any client
//! (see the README), so every client's connection is equally young;
//! `BENCH_LONG_LIVED=1` keeps one connection per Rust client for the whole
//! workload instead. After a short warm-up round, the rounds run every client once each, in an order that rotates
//! from round to round. A sample is a fixed number of requests; a client's
//! figure is the median of its samples, and redis-blocking's ratio to a peer
//! is the median over rounds of the two clients' throughput in the same
//! round, which cancels most of the load that comes and goes on a shared
//! machine.
//!
//! Throughput is on the wall clock: one connection with one request (or one
//! pipeline) in flight is bound by round trips, so the client's and the
//! server's CPU time per request are recorded beside it, as the explanation:
//! the client's from its thread's CPU clock (redis-benchmark's from
//! `getrusage(RUSAGE_CHILDREN)` around its process), the server's from
//! `/proc/<pid>/schedstat`. redis-benchmark's throughput is the one it
//! reports itself, which leaves out its start-up and connection set-up, as
//! the Rust clients' samples do. Nothing here asserts on timings; every
//! sample checks the replies' sizes, and the server's command counters check
//! that each client ran all its requests against this server.
//!
//! Every Rust client runs as production users run it: with a 10 s response
//! timeout configured (`Config::timeout` for redis-blocking, a read and
//! write timeout for redis-rs) and every reply checked: GETs by size, SETs
//! and pipelines converted reply by reply (`Vec<()>` of `+OK`s, nothing
//! ignored), so that an error reply anywhere would fail the sample.
//!
//! W4 is the multi-threaded case: 8 threads share one pool and check a
//! connection out for every GET (redis-blocking's default `Client`, cloned
//! into each thread; redis-rs through r2d2, with its default
//! `test_on_check_out(true)` and without), against `redis-benchmark -c 8`.
//! A fresh pool per sample is filled with its connections before the clock
//! starts, the threads are spawned before it too and start together; the
//! client's CPU time is the whole process's.

use std::hint::black_box;
use std::process::Command;
use std::time::{Duration, Instant};

use benches::measure::{
    commandstats_calls, csv_rps, load_average, median, rusage, server_cpu, thread_cpu,
};
use integration_tests::{RedisServer, Reply};

/// The key of every request: redis-benchmark's, which it uses literally
/// unless given `-r`.
const KEY: &str = "key:__rand_int__";
const DEFAULT_ROUNDS: usize = 7;
/// W4's requests per sample: a third of a second to a second each on the
/// project's 2-core machine, so that W4 takes 10-20 s (well under 30 s).
const REQUESTS_W4: usize = 32_000;
/// Warm-up samples are this fraction of a timed one.
const WARMUP_DIVISOR: usize = 10;
/// The response timeout every Rust client is configured with.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Op {
    Get,
    Set,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Get => "GET",
            Op::Set => "SET",
        }
    }

    /// The test's name for `redis-benchmark -t`.
    fn test(self) -> &'static str {
        match self {
            Op::Get => "get",
            Op::Set => "set",
        }
    }
}

/// One measured request shape: what a sample runs.
#[derive(Clone, Copy, Debug)]
struct Shape {
    op: Op,
    /// Value size in bytes (SET sends it, GET reads it back).
    value: usize,
    /// Requests per pipeline; 1 for one request in flight at a time.
    pipeline: usize,
    /// Threads (connections for redis-benchmark), each running its share
    /// of the requests.
    threads: usize,
    /// Requests per timed sample.
    requests: usize,
}

struct Workload {
    id: &'static str,
    title: &'static str,
    shapes: Vec<Shape>,
    /// Report MB/s of values besides requests/s.
    bytes: bool,
    /// Threads sharing a pool (W4) rather than one connection (W1-W3).
    pooled: bool,
    /// The performance issue's target for this workload.
    target: &'static str,
}

/// W4's threads, and the r2d2 pools' size.
const POOL_THREADS: usize = 8;

fn workloads(scale: f64) -> Vec<Workload> {
    // Sized for about a second per sample on the project's 2-core machine.
    let n = |base: usize, multiple: usize| {
        let n = ((base as f64 * scale) as usize / multiple).max(WARMUP_DIVISOR);
        n * multiple
    };
    vec![
        Workload {
            id: "w1",
            title: "W1: sequential GET of a 16-byte value",
            shapes: vec![Shape {
                op: Op::Get,
                value: 16,
                pipeline: 1,
                threads: 1,
                requests: n(80_000, 1),
            }],
            bytes: false,
            pooled: false,
            target: "at least 1.0x redis-benchmark and 1.05x redis-rs",
        },
        Workload {
            id: "w2",
            title: "W2: pipelines of 1000 SET of 64-byte values",
            shapes: vec![Shape {
                op: Op::Set,
                value: 64,
                pipeline: 1000,
                threads: 1,
                requests: n(1_000_000, 1000),
            }],
            bytes: false,
            pooled: false,
            target: "at least 1.0x redis-benchmark",
        },
        Workload {
            id: "w3",
            title: "W3: SET and GET of 1 MiB values, sequential",
            shapes: vec![
                Shape {
                    op: Op::Set,
                    value: 1 << 20,
                    pipeline: 1,
                    threads: 1,
                    requests: n(1_000, 1),
                },
                Shape {
                    op: Op::Get,
                    value: 1 << 20,
                    pipeline: 1,
                    threads: 1,
                    requests: n(1_000, 1),
                },
            ],
            bytes: true,
            pooled: false,
            target: "at least 1.2x redis-benchmark, SET and GET",
        },
        Workload {
            id: "w4",
            title: "W4: GET of a 16-byte value from 8 threads through a pool",
            shapes: vec![Shape {
                op: Op::Get,
                value: 16,
                pipeline: 1,
                threads: POOL_THREADS,
                requests: n(REQUESTS_W4, POOL_THREADS),
            }],
            bytes: false,
            pooled: true,
            target:
                "at least 1.0x redis-benchmark and 1.05x redis-rs + r2d2 without its checkout test",
        },
    ]
}

/// What one sample took, as the client measured it.
struct Timing {
    wall: Duration,
    /// The client's CPU time.
    cpu: Duration,
    /// The part of it spent in the kernel, where measured (W4).
    sys: Option<Duration>,
}

trait Client {
    fn name(&self) -> String;
    /// How the client issues the requests of `shape`.
    fn call(&self, shape: &Shape) -> String;
    /// redis-blocking itself, as opposed to a peer.
    fn ours(&self) -> bool {
        false
    }
    /// Replaces the connection with a fresh one (redis-benchmark opens
    /// its own for every sample anyway).
    fn reconnect(&mut self) {}
    /// Runs `requests` requests shaped like `shape`, timing only them.
    fn run(&mut self, shape: &Shape, requests: usize) -> Timing;
}

/// Times `f` on the wall clock and on this thread's CPU clock.
fn timed(f: impl FnOnce()) -> Timing {
    let (start, start_cpu) = (Instant::now(), thread_cpu());
    f();
    let cpu = thread_cpu() - start_cpu;
    Timing {
        wall: start.elapsed(),
        cpu,
        sys: None,
    }
}

fn value(size: usize) -> Vec<u8> {
    vec![b'x'; size]
}

/// Runs each worker on its own thread ([`benches::measure::parallel`]):
/// the wall clock and the process's CPU time (the pools' own included).
fn parallel<W: FnOnce() + Send>(workers: Vec<W>) -> Timing {
    let spent = benches::measure::parallel(workers);
    Timing {
        wall: spent.wall,
        cpu: spent.cpu(),
        sys: Some(spent.sys),
    }
}

// ---------------------------------------------------------------------------
// redis-blocking
// ---------------------------------------------------------------------------

struct RedisBlocking {
    conn: redis_blocking::Connection,
    port: u16,
}

impl RedisBlocking {
    fn connect(port: u16) -> RedisBlocking {
        let config = redis_blocking::Config::tcp(integration_tests::HOST, port)
            .timeout(Some(RESPONSE_TIMEOUT));
        RedisBlocking {
            conn: redis_blocking::Connection::open(&config).expect("redis-blocking connects"),
            port,
        }
    }
}

impl Client for RedisBlocking {
    fn name(&self) -> String {
        "redis-blocking".into()
    }

    fn ours(&self) -> bool {
        true
    }

    fn reconnect(&mut self) {
        *self = RedisBlocking::connect(self.port);
    }

    fn call(&self, shape: &Shape) -> String {
        match (shape.op, shape.pipeline) {
            (Op::Get, _) => "`conn.get::<_, Vec<u8>>(k)`".into(),
            (Op::Set, 1) => "`conn.set::<_, _, ()>(k, &v[..])`".into(),
            (Op::Set, p) => {
                format!("`query_pipeline::<Vec<()>>` of {p} × `pipe.set(k, &v[..])`, built once")
            }
        }
    }

    fn run(&mut self, shape: &Shape, requests: usize) -> Timing {
        use redis_blocking::prelude::*;
        let v = value(shape.value);
        let conn = &mut self.conn;
        match (shape.op, shape.pipeline) {
            (Op::Get, 1) => timed(|| {
                for _ in 0..requests {
                    let got: Vec<u8> = conn.get(KEY).expect("redis-blocking GET");
                    assert_eq!(got.len(), shape.value, "redis-blocking GET: wrong size");
                    black_box(got);
                }
            }),
            (Op::Set, 1) => timed(|| {
                for _ in 0..requests {
                    conn.set::<_, _, ()>(KEY, &v[..])
                        .expect("redis-blocking SET");
                }
            }),
            (Op::Set, p) => {
                let mut pipe = Pipeline::new();
                for _ in 0..p {
                    pipe.set(KEY, &v[..]);
                }
                timed(|| {
                    for _ in 0..requests / p {
                        let replies: Vec<()> =
                            conn.query_pipeline(&pipe).expect("redis-blocking pipeline");
                        assert_eq!(replies.len(), p, "redis-blocking pipeline: replies");
                    }
                })
            }
            (Op::Get, _) => unimplemented!("pipelined GET"),
        }
    }
}

// ---------------------------------------------------------------------------
// redis-rs
// ---------------------------------------------------------------------------

struct RedisRs {
    con: redis::Connection,
    port: u16,
}

impl RedisRs {
    fn connect(port: u16) -> RedisRs {
        let url = format!("redis://{}:{port}/", integration_tests::HOST);
        let client = redis::Client::open(url).expect("redis-rs client");
        let con = client.get_connection().expect("redis-rs connects");
        con.set_read_timeout(Some(RESPONSE_TIMEOUT))
            .expect("redis-rs read timeout");
        con.set_write_timeout(Some(RESPONSE_TIMEOUT))
            .expect("redis-rs write timeout");
        RedisRs { con, port }
    }
}

impl Client for RedisRs {
    fn name(&self) -> String {
        "redis (redis-rs) 1.8, sync".into()
    }

    fn reconnect(&mut self) {
        *self = RedisRs::connect(self.port);
    }

    fn call(&self, shape: &Shape) -> String {
        match (shape.op, shape.pipeline) {
            (Op::Get, _) => "`con.get::<_, Vec<u8>>(k)`".into(),
            (Op::Set, 1) => "`con.set::<_, _, ()>(k, &v[..])`".into(),
            (Op::Set, p) => {
                format!("`pipe.query::<Vec<()>>` of {p} × `pipe.set(k, &v[..])`, built once")
            }
        }
    }

    fn run(&mut self, shape: &Shape, requests: usize) -> Timing {
        use redis::Commands;
        let v = value(shape.value);
        let con = &mut self.con;
        match (shape.op, shape.pipeline) {
            (Op::Get, 1) => timed(|| {
                for _ in 0..requests {
                    let got: Vec<u8> = con.get(KEY).expect("redis-rs GET");
                    assert_eq!(got.len(), shape.value, "redis-rs GET: wrong size");
                    black_box(got);
                }
            }),
            (Op::Set, 1) => timed(|| {
                for _ in 0..requests {
                    con.set::<_, _, ()>(KEY, &v[..]).expect("redis-rs SET");
                }
            }),
            (Op::Set, p) => {
                let mut pipe = redis::pipe();
                for _ in 0..p {
                    pipe.set(KEY, &v[..]);
                }
                timed(|| {
                    for _ in 0..requests / p {
                        let replies: Vec<()> = pipe.query(con).expect("redis-rs pipeline");
                        assert_eq!(replies.len(), p, "redis-rs pipeline: replies");
                    }
                })
            }
            (Op::Get, _) => unimplemented!("pipelined GET"),
        }
    }
}

// ---------------------------------------------------------------------------
// W4: redis-blocking's Client, 8 threads through its pool
// ---------------------------------------------------------------------------

/// One default [`redis_blocking::Client`] shared by all threads, each with
/// its own clone (which shares the pool: 16 connections at most).
struct RedisBlockingClient {
    client: redis_blocking::Client,
    port: u16,
}

impl RedisBlockingClient {
    fn connect(port: u16) -> RedisBlockingClient {
        let config = redis_blocking::Config::tcp(integration_tests::HOST, port)
            .timeout(Some(RESPONSE_TIMEOUT));
        RedisBlockingClient {
            client: redis_blocking::Client::builder(config).build(),
            port,
        }
    }
}

impl Client for RedisBlockingClient {
    fn name(&self) -> String {
        "redis-blocking `Client` (defaults)".into()
    }

    fn ours(&self) -> bool {
        true
    }

    fn reconnect(&mut self) {
        *self = RedisBlockingClient::connect(self.port);
    }

    fn call(&self, _: &Shape) -> String {
        "`client.get::<_, Vec<u8>>(k)` on a clone per thread".into()
    }

    fn run(&mut self, shape: &Shape, requests: usize) -> Timing {
        use redis_blocking::prelude::*;
        assert_eq!((shape.op, shape.pipeline), (Op::Get, 1), "W4 is GET only");
        // The pool opens connections on demand: have as many open as there
        // are threads before the clock starts, as r2d2's `build` does.
        let held: Vec<_> = (0..shape.threads)
            .map(|_| self.client.connection().expect("redis-blocking connects"))
            .collect();
        drop(held);
        let per_thread = requests / shape.threads;
        let workers = (0..shape.threads)
            .map(|_| {
                let client = self.client.clone();
                move || {
                    for _ in 0..per_thread {
                        let got: Vec<u8> = client.get(KEY).expect("redis-blocking GET");
                        assert_eq!(got.len(), shape.value, "redis-blocking GET: wrong size");
                        black_box(got);
                    }
                }
            })
            .collect();
        parallel(workers)
    }
}

// ---------------------------------------------------------------------------
// W4: redis-rs through r2d2, 8 threads
// ---------------------------------------------------------------------------

/// An r2d2 pool of redis-rs sync connections; `pool.get()` per GET.
struct R2d2 {
    pool: r2d2::Pool<redis::Client>,
    port: u16,
    /// r2d2's `test_on_check_out`: its default, `true`, PINGs the
    /// connection on every checkout (redis-rs's `is_valid`).
    test_on_check_out: bool,
}

impl R2d2 {
    fn connect(port: u16, test_on_check_out: bool) -> R2d2 {
        let url = format!("redis://{}:{port}/", integration_tests::HOST);
        let client = redis::Client::open(url).expect("redis-rs client");
        // `build` opens `min_idle` (by default `max_size`) connections
        // before it returns.
        let pool = r2d2::Pool::builder()
            .max_size(POOL_THREADS as u32)
            .test_on_check_out(test_on_check_out)
            .connection_customizer(Box::new(Timeouts))
            .build(client)
            .expect("r2d2 pool of redis-rs connections");
        R2d2 {
            pool,
            port,
            test_on_check_out,
        }
    }
}

/// Gives every pooled redis-rs connection the response timeout.
#[derive(Debug)]
struct Timeouts;

impl r2d2::CustomizeConnection<redis::Connection, redis::RedisError> for Timeouts {
    fn on_acquire(&self, con: &mut redis::Connection) -> Result<(), redis::RedisError> {
        con.set_read_timeout(Some(RESPONSE_TIMEOUT))?;
        con.set_write_timeout(Some(RESPONSE_TIMEOUT))
    }
}

impl Client for R2d2 {
    fn name(&self) -> String {
        format!(
            "redis-rs 1.8 + r2d2 0.8, `test_on_check_out({})`{}",
            self.test_on_check_out,
            if self.test_on_check_out {
                " (default)"
            } else {
                ""
            }
        )
    }

    fn reconnect(&mut self) {
        *self = R2d2::connect(self.port, self.test_on_check_out);
    }

    fn call(&self, _: &Shape) -> String {
        "`pool.get()?.get::<_, Vec<u8>>(k)`, `max_size(8)`".into()
    }

    fn run(&mut self, shape: &Shape, requests: usize) -> Timing {
        use redis::Commands;
        assert_eq!((shape.op, shape.pipeline), (Op::Get, 1), "W4 is GET only");
        let per_thread = requests / shape.threads;
        let workers = (0..shape.threads)
            .map(|_| {
                let pool = &self.pool;
                move || {
                    for _ in 0..per_thread {
                        let mut con = pool.get().expect("r2d2 checkout");
                        let got: Vec<u8> = con.get(KEY).expect("redis-rs GET");
                        assert_eq!(got.len(), shape.value, "redis-rs GET: wrong size");
                        black_box(got);
                    }
                }
            })
            .collect();
        parallel(workers)
    }
}

// ---------------------------------------------------------------------------
// redis-benchmark
// ---------------------------------------------------------------------------

struct RedisBenchmark {
    program: String,
    version: String,
    port: u16,
}

impl RedisBenchmark {
    /// The program (`REDIS_BENCHMARK_BIN` overrides it), if it runs.
    fn find(port: u16) -> Option<RedisBenchmark> {
        let program =
            std::env::var("REDIS_BENCHMARK_BIN").unwrap_or_else(|_| "redis-benchmark".into());
        let out = Command::new(&program).arg("--version").output().ok()?;
        let text = String::from_utf8_lossy(&out.stdout);
        // "redis-benchmark 7.0.15"
        let version = text.split_whitespace().nth(1)?.to_string();
        Some(RedisBenchmark {
            program,
            version,
            port,
        })
    }

    fn args(&self, shape: &Shape, requests: usize) -> Vec<String> {
        let port = self.port.to_string();
        let mut args: Vec<String> = ["-h", integration_tests::HOST, "-p", &port]
            .iter()
            .map(|s| s.to_string())
            .collect();
        args.extend([
            "-c".into(),
            shape.threads.to_string(),
            "-P".into(),
            shape.pipeline.to_string(),
            "-d".into(),
            shape.value.to_string(),
            "-t".into(),
            shape.op.test().into(),
            "-n".into(),
            requests.to_string(),
            "--csv".into(),
        ]);
        args
    }
}

impl Client for RedisBenchmark {
    fn name(&self) -> String {
        format!("redis-benchmark {}", self.version)
    }

    fn call(&self, shape: &Shape) -> String {
        format!(
            "`-c {} -P {} -d {} -t {}`",
            shape.threads,
            shape.pipeline,
            shape.value,
            shape.op.test()
        )
    }

    fn run(&mut self, shape: &Shape, requests: usize) -> Timing {
        let before = rusage(libc::RUSAGE_CHILDREN);
        let out = Command::new(&self.program)
            .args(self.args(shape, requests))
            .output()
            .expect("redis-benchmark runs");
        let after = rusage(libc::RUSAGE_CHILDREN);
        let cpu = (after.0 + after.1) - (before.0 + before.1);
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "redis-benchmark failed ({}): {stdout}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        );
        let rps = csv_rps(&stdout, shape.op.name()).unwrap_or_else(|| {
            panic!(
                "no {} line in redis-benchmark's output: {stdout}",
                shape.op.name()
            )
        });
        Timing {
            wall: Duration::from_secs_f64(requests as f64 / rps),
            cpu,
            sys: Some(after.1 - before.1),
        }
    }
}

/// How many times the server ran `op`, and all commands, so far
/// (`INFO commandstats`, which counts the `INFO` asking too).
fn calls(server: &RedisServer, op: Op) -> (u64, u64) {
    let Reply::Bulk(info) = server.query(&["INFO", "commandstats"]) else {
        panic!("INFO commandstats: not a bulk reply");
    };
    commandstats_calls(&String::from_utf8_lossy(&info), op.test())
}

/// Makes sure the key holds a value of `size` bytes, for GET.
fn ensure_value(server: &RedisServer, size: usize) {
    if server.query(&["STRLEN", KEY]) != Reply::Integer(size as i64) {
        let v = value(size);
        let args: [&[u8]; 3] = [b"SET", KEY.as_bytes(), &v];
        assert_eq!(server.query(&args), Reply::Status("OK".into()), "SET {KEY}");
    }
}

// ---------------------------------------------------------------------------
// The runs
// ---------------------------------------------------------------------------

/// One timed sample.
#[derive(Clone, Copy)]
struct Sample {
    /// Requests per second on the wall clock.
    rate: f64,
    /// Client CPU time per request.
    client: Duration,
    /// The part of it in the kernel, where measured.
    client_sys: Option<Duration>,
    /// Server CPU time per request.
    server: Duration,
    /// Other commands the server ran per request (r2d2's PINGs).
    extra: f64,
}

fn main() {
    let positional: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let (ids, names): (Vec<&String>, Vec<&String>) = positional
        .iter()
        .partition(|a| matches!(a.as_str(), "w1" | "w2" | "w3" | "w4"));
    let rounds = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(DEFAULT_ROUNDS);
    let scale = std::env::var("BENCH_SCALE")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&s: &f64| s > 0.0)
        .unwrap_or(1.0);
    // redis-benchmark opens a connection per run; by default the Rust
    // clients do too (outside the timed part), so that every client's
    // connection is equally young: see the README on TCP congestion control.
    let long_lived = std::env::var_os("BENCH_LONG_LIVED").is_some_and(|v| v != "0");
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let congestion = std::fs::read_to_string("/proc/sys/net/ipv4/tcp_congestion_control")
        .map_or_else(|_| "?".into(), |s| s.trim().to_string());
    println!(
        "# Client throughput ({cores} cores visible, {rounds} rounds, \
         median of wall-clock throughput; load average {} at the start)\n",
        load_average()
    );
    println!(
        "Connections: {}; TCP congestion control: {congestion}.\n",
        if long_lived {
            "one per client for the whole workload (BENCH_LONG_LIVED)"
        } else {
            "a fresh one per client and sample, opened before timing"
        }
    );
    for workload in workloads(scale) {
        if ids.is_empty() || ids.iter().any(|id| *id == workload.id) {
            run_workload(&workload, rounds, long_lived, &names);
        }
    }
}

fn run_workload(workload: &Workload, rounds: usize, long_lived: bool, names: &[&String]) {
    let server = RedisServer::start().expect("redis-server starts");
    let port = server.port();
    let pid = server.pid().expect("redis-server runs");
    let mut clients: Vec<Box<dyn Client>> = if workload.pooled {
        vec![
            Box::new(RedisBlockingClient::connect(port)),
            Box::new(R2d2::connect(port, true)),
            Box::new(R2d2::connect(port, false)),
        ]
    } else {
        vec![
            Box::new(RedisBlocking::connect(port)),
            Box::new(RedisRs::connect(port)),
        ]
    };
    match RedisBenchmark::find(port) {
        Some(tool) => clients.push(Box::new(tool)),
        None => println!("(redis-benchmark not found: set REDIS_BENCHMARK_BIN; left out)\n"),
    }
    clients.retain(|c| names.is_empty() || names.iter().any(|n| c.name().contains(n.as_str())));
    let load_before = load_average();

    // samples[shape][client]
    let mut samples = vec![vec![Vec::with_capacity(rounds); clients.len()]; workload.shapes.len()];
    for round in 0..=rounds {
        let warm_up = round == 0;
        for k in 0..clients.len() {
            let i = (round + k) % clients.len();
            for (s, shape) in workload.shapes.iter().enumerate() {
                let requests = if warm_up {
                    let unit = shape.pipeline * shape.threads;
                    (shape.requests / WARMUP_DIVISOR).div_ceil(unit) * unit
                } else {
                    shape.requests
                };
                if shape.op == Op::Get {
                    ensure_value(&server, shape.value);
                }
                if !long_lived {
                    clients[i].reconnect();
                }
                let (op_before, all_before) = calls(&server, shape.op);
                let server_before = server_cpu(pid);
                let timing = clients[i].run(shape, requests);
                let server_time = server_cpu(pid) - server_before;
                let (op_after, all_after) = calls(&server, shape.op);
                let ran = op_after - op_before;
                // Less the `INFO` that took the first count.
                let others = (all_after - all_before).saturating_sub(ran + 1);
                assert!(
                    ran >= requests as u64,
                    "{}: the server ran {ran} {}, not {requests}",
                    clients[i].name(),
                    shape.op.name()
                );
                if !warm_up {
                    samples[s][i].push(Sample {
                        rate: requests as f64 / timing.wall.as_secs_f64(),
                        client: timing.cpu / requests as u32,
                        client_sys: timing.sys.map(|t| t / requests as u32),
                        server: server_time / requests as u32,
                        extra: others as f64 / requests as f64,
                    });
                }
            }
        }
    }

    println!("## {}\n", workload.title);
    for (s, shape) in workload.shapes.iter().enumerate() {
        report(workload, shape, &clients, &samples[s]);
    }
    println!(
        "Load average {load_before} before this workload, {} after.\n",
        load_average()
    );
}

fn report(
    workload: &Workload,
    shape: &Shape,
    clients: &[Box<dyn Client>],
    samples: &[Vec<Sample>],
) {
    let inflight = if workload.pooled {
        format!(
            "{} threads, one request in flight each, a checkout per request",
            shape.threads
        )
    } else if shape.pipeline == 1 {
        "one request in flight".to_string()
    } else {
        format!("pipelines of {}", shape.pipeline)
    };
    println!(
        "### {} of {} B values ({inflight}, {} requests per sample)\n",
        shape.op.name(),
        shape.value,
        shape.requests
    );
    let ours = clients.iter().position(|c| c.ours());
    let mb = |rate: f64| rate * shape.value as f64 / 1e6;
    if workload.bytes {
        println!(
            "| client | call | MB/s | req/s | spread (min-max MB/s) | client CPU µs/req | server CPU µs/req | redis-blocking / client |"
        );
        println!("|---|---|---:|---:|---:|---:|---:|---:|");
    } else if workload.pooled {
        println!(
            "| client | call | req/s | spread (min-max req/s) | client CPU µs/req, all threads (in the kernel) | server CPU µs/req | other commands per {} | redis-blocking / client |",
            shape.op.name()
        );
        println!("|---|---|---:|---:|---:|---:|---:|---:|");
    } else {
        println!(
            "| client | call | req/s | spread (min-max req/s) | client CPU µs/req | server CPU µs/req | redis-blocking / client |"
        );
        println!("|---|---|---:|---:|---:|---:|---:|");
    }
    let mut summary = Vec::new();
    for (i, client) in clients.iter().enumerate() {
        let s = &samples[i];
        let rates: Vec<f64> = s.iter().map(|x| x.rate).collect();
        let rate = median(rates.clone(), f64::total_cmp);
        let (lo, hi) = (
            rates.iter().copied().fold(f64::INFINITY, f64::min),
            rates.iter().copied().fold(0.0, f64::max),
        );
        let client_cpu = median(s.iter().map(|x| x.client).collect(), Ord::cmp);
        let server_cpu = median(s.iter().map(|x| x.server).collect(), Ord::cmp);
        let extra = median(s.iter().map(|x| x.extra).collect(), f64::total_cmp);
        let client_sys = s
            .iter()
            .map(|x| x.client_sys)
            .collect::<Option<Vec<_>>>()
            .map(|v| median(v, Ord::cmp));
        let ratio = match ours {
            Some(o) if o == i => "—".to_string(),
            Some(o) => {
                let paired = median(
                    samples[o]
                        .iter()
                        .zip(s)
                        .map(|(a, b)| a.rate / b.rate)
                        .collect(),
                    f64::total_cmp,
                );
                let of_medians =
                    median(samples[o].iter().map(|x| x.rate).collect(), f64::total_cmp) / rate;
                summary.push(format!(
                    "{}: **{paired:.2}x** (ratio of medians {of_medians:.2}x)",
                    client.name()
                ));
                format!("**{paired:.2}x**")
            }
            None => "".to_string(),
        };
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        if workload.bytes {
            println!(
                "| {} | {} | {:.0} | {:.0} | {:.0}-{:.0} | {:.1} | {:.1} | {} |",
                client.name(),
                client.call(shape),
                mb(rate),
                rate,
                mb(lo),
                mb(hi),
                us(client_cpu),
                us(server_cpu),
                ratio
            );
        } else if workload.pooled {
            let sys = client_sys.map_or_else(String::new, |t| format!(" ({:.2})", us(t)));
            println!(
                "| {} | {} | {:.0} | {:.0}-{:.0} | {:.2}{sys} | {:.2} | {:.2} | {} |",
                client.name(),
                client.call(shape),
                rate,
                lo,
                hi,
                us(client_cpu),
                us(server_cpu),
                extra,
                ratio
            );
        } else {
            println!(
                "| {} | {} | {:.0} | {:.0}-{:.0} | {:.2} | {:.2} | {} |",
                client.name(),
                client.call(shape),
                rate,
                lo,
                hi,
                us(client_cpu),
                us(server_cpu),
                ratio
            );
        }
    }
    if !summary.is_empty() {
        println!(
            "\nredis-blocking vs {} (target: {}).\n",
            summary.join(", vs "),
            workload.target
        );
    } else {
        println!();
    }
}
