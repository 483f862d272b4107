//! Cluster throughput of redis-blocking's `ClusterClient` against redis-rs's
//! synchronous cluster client and `redis-benchmark --cluster`, measured in
//! the same run against the same cluster.
//!
//! ```text
//! cargo bench -p benches --bench cluster                  # every shape
//! cargo bench -p benches --bench cluster -- c5            # one shape
//! cargo bench -p benches --bench cluster -- c1 redis-rs   # one client
//! BENCH_ROUNDS=9 BENCH_SCALE=2 cargo bench -p benches --bench cluster
//! ```
//!
//! The integration-tests harness starts a cluster of three masters without
//! replicas (loopback, free ports, no persistence); every client starts from
//! the first node's address and discovers the others. Keys are
//! `key:<12 digits>`, drawn at random from 10,000 per request, so requests
//! spread over every slot and every master, as with redis-benchmark's
//! `-r 10000` (which tags its keys per node instead: `key:{tag}:<12
//! digits>`). Values are 16 bytes.
//!
//! The shapes are redis-benchmark's: one connection with one request in
//! flight (C1, C2); eight threads sharing one client, one request in flight
//! each (C3, C4; redis-rs, a `ClusterConnection` per thread, as it is not
//! `Sync`; redis-benchmark twice: `-c 8`, eight connections in its one
//! event-loop thread, and `--threads 8 -c 8`, eight threads of one
//! connection each, the Rust clients' shape); pipelines of 1000 SETs spread
//! over all masters, from one thread (C5) and from three (C6), against
//! redis-benchmark `-c 1 -P 1000` and `-c 3 -P 1000` (and `--threads 3 -c 3
//! -P 1000`): the same number of requests in flight. C7 is the same wire
//! shape for every client: one thread keeping 1000 SETs in flight on each
//! master (a pipeline of 3000 over all masters; for redis-benchmark, its
//! one thread's three connections of 1000). Our client and redis-rs split
//! each pipeline by node; redis-benchmark binds each of its connections to
//! one master and tags its keys for it, so with one connection (C1, C2, C5)
//! it talks to a single master, where the Rust clients route every request
//! by its key's slot.
//!
//! After a warm-up round, the rounds run every client once each, in an
//! order that rotates from round to round. A sample is a fixed number of
//! requests; redis-blocking's ratio to a peer is the median over rounds of
//! the two clients' throughput in the same round. The clients keep their
//! connections for the whole run (redis-benchmark opens its own per run,
//! outside the throughput it reports). Client CPU time per request is the
//! process's (every thread's; redis-benchmark's from
//! `getrusage(RUSAGE_CHILDREN)`), server CPU time the masters' main threads'.
//!
//! redis-benchmark's throughput is the one it reports. In cluster mode it
//! ends each run on its 250 ms reporting tick (its process runs that long),
//! which lowers its figure by up to 250 ms per sample; samples of three to
//! five seconds keep that under 5-8%, in our favour.
//!
//! Every Rust client runs as production users run it: a 10 s response
//! timeout configured, every reply checked (GETs by size, SETs and
//! pipelines converted reply by reply to `()`, nothing ignored). The masters'
//! command counters check that each client ran all its requests, and that
//! each master served some. Nothing here asserts on timings.

use std::hint::black_box;
use std::process::Command;
use std::time::Duration;

use benches::measure::{
    commandstats_calls, csv_rps, load_average, median, redis_benchmark, rusage, server_cpu,
};
use benches::workload::Rng;
use integration_tests::{RedisCluster, Reply};

/// Keys are drawn from this many.
const KEYSPACE: u64 = 10_000;
/// Bytes per value.
const VALUE: usize = 16;
const DEFAULT_ROUNDS: usize = 3;
/// Warm-up samples are this fraction of a timed one.
const WARMUP_DIVISOR: usize = 10;
/// The response timeout every Rust client is configured with.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(10);
/// Distinct pipelines built before timing, used in turn.
const PIPELINES: usize = 8;

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

    fn test(self) -> &'static str {
        match self {
            Op::Get => "get",
            Op::Set => "set",
        }
    }
}

#[derive(Clone, Copy, Debug)]
struct Shape {
    id: &'static str,
    op: Op,
    /// Threads (connections for redis-benchmark).
    threads: usize,
    /// Requests per pipeline; 1 for one request in flight per thread.
    pipeline: usize,
    /// Requests per timed sample.
    requests: usize,
    /// redis-benchmark's connections and pipeline depth, when they differ
    /// from `threads` and `pipeline` (C7: one thread's pipeline of 3000
    /// spread over three masters is 1000 in flight per master, as
    /// redis-benchmark's three connections of 1000 are).
    peer: Option<(usize, usize)>,
    /// Each thread's keys carry one hash tag, so that they all live on
    /// one master (thread `t` on master `t % 3`), as each of
    /// redis-benchmark's connections keeps to one master: the same wire
    /// shape for every client. Otherwise keys spread over every master,
    /// as an application's do.
    tagged: bool,
}

fn shapes(scale: f64) -> Vec<Shape> {
    // Three to five seconds per sample on the project's 2-core machine:
    // redis-benchmark in cluster mode ends a run on its 250 ms reporting
    // tick (the process runs that long), which counts against it by up to
    // 250 ms per sample; at this length, at most 5-8%.
    let n = |base: usize, multiple: usize| {
        let n = ((base as f64 * scale) as usize / multiple).max(WARMUP_DIVISOR);
        n * multiple
    };
    // SETs before GETs: redis-benchmark's GETs read the keys its SETs wrote.
    vec![
        Shape {
            id: "c1",
            op: Op::Set,
            threads: 1,
            pipeline: 1,
            requests: n(80_000, 1),
            peer: None,
            tagged: false,
        },
        Shape {
            id: "c2",
            op: Op::Get,
            threads: 1,
            pipeline: 1,
            requests: n(80_000, 1),
            peer: None,
            tagged: false,
        },
        Shape {
            id: "c3",
            op: Op::Set,
            threads: 8,
            pipeline: 1,
            requests: n(320_000, 8),
            peer: None,
            tagged: false,
        },
        Shape {
            id: "c4",
            op: Op::Get,
            threads: 8,
            pipeline: 1,
            requests: n(320_000, 8),
            peer: None,
            tagged: false,
        },
        Shape {
            id: "c5",
            op: Op::Set,
            threads: 1,
            pipeline: 1000,
            requests: n(5_000_000, 1000),
            peer: None,
            tagged: false,
        },
        Shape {
            id: "c6",
            op: Op::Set,
            threads: 3,
            pipeline: 1000,
            requests: n(7_500_000, 3000),
            peer: None,
            tagged: false,
        },
        Shape {
            id: "c7",
            op: Op::Set,
            threads: 1,
            pipeline: 3000,
            requests: n(7_500_000, 3000),
            peer: Some((3, 1000)),
            tagged: false,
        },
        Shape {
            id: "c3t",
            op: Op::Set,
            threads: 8,
            pipeline: 1,
            requests: n(320_000, 8),
            peer: None,
            tagged: true,
        },
        Shape {
            id: "c4t",
            op: Op::Get,
            threads: 8,
            pipeline: 1,
            requests: n(320_000, 8),
            peer: None,
            tagged: true,
        },
    ]
}

/// What one sample took, as the client measured it.
struct Timing {
    wall: Duration,
    /// The client's CPU time, every thread's.
    cpu: Duration,
}

/// One timed sample.
#[derive(Clone, Copy)]
struct Sample {
    rate: f64,
    client: Duration,
    server: Duration,
}

trait Client {
    fn name(&self) -> String;
    fn call(&self, shape: &Shape) -> String;
    fn ours(&self) -> bool {
        false
    }
    /// Whether this client has a distinct way to run `shape` (redis-benchmark
    /// with `--threads` only for shapes of several threads).
    fn runs(&self, _shape: &Shape) -> bool {
        true
    }
    fn run(&mut self, shape: &Shape, requests: usize, seed: u64) -> Timing;
}

fn value() -> Vec<u8> {
    vec![b'x'; VALUE]
}

/// The keys one thread asks for, in order: random over the keyspace,
/// `key:<12 digits>`, or `key:{tag}:<12 digits>` for a tagged shape.
struct Keys {
    rng: Rng,
    key: String,
    prefix: String,
}

/// One hash tag per master, `TAGS[m]` on master `m` (found at the start).
static TAGS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();

impl Keys {
    /// Keys for thread `thread` of `shape`.
    fn new(seed: u64, shape: &Shape, thread: usize) -> Keys {
        let prefix = if shape.tagged {
            let tags = TAGS.get().expect("tags found at the start");
            format!("key:{{{}}}:", tags[thread % tags.len()])
        } else {
            "key:".to_string()
        };
        Keys {
            rng: Rng::new(seed),
            key: String::with_capacity(32),
            prefix,
        }
    }

    fn next_key(&mut self) -> &str {
        use std::fmt::Write;
        self.key.clear();
        let n = self.rng.range(0, KEYSPACE - 1);
        write!(self.key, "{}{n:012}", self.prefix).expect("writing to a String");
        &self.key
    }
}

/// Finds a hash tag for each master, in the order of the client's
/// primaries: the first `{n}` whose slot it serves.
fn find_tags(port: u16) -> Vec<String> {
    let client = RedisBlocking::connect(port).client;
    client.refresh(Duration::from_secs(5));
    client
        .primaries()
        .iter()
        .map(|primary| {
            (0u32..)
                .map(|n| n.to_string())
                .find(|tag| {
                    let slot = resp_core::command::key_slot(tag.as_bytes());
                    client.primary_of(slot).as_ref() == Some(primary)
                })
                .expect("a tag for every master")
        })
        .collect()
}

/// Runs each worker on its own thread ([`benches::measure::parallel`]):
/// the wall clock and the process's CPU time.
fn parallel<W: FnOnce() + Send>(workers: Vec<W>) -> Timing {
    let spent = benches::measure::parallel(workers);
    Timing {
        wall: spent.wall,
        cpu: spent.cpu(),
    }
}

// ---------------------------------------------------------------------------
// redis-blocking
// ---------------------------------------------------------------------------

struct RedisBlocking {
    client: redis_blocking::ClusterClient,
}

impl RedisBlocking {
    fn connect(port: u16) -> RedisBlocking {
        let config = redis_blocking::Config::tcp(integration_tests::HOST, port)
            .timeout(Some(RESPONSE_TIMEOUT));
        let client = redis_blocking::ClusterClient::builder(config)
            .expect("a cluster configuration")
            .build();
        RedisBlocking { client }
    }
}

impl Client for RedisBlocking {
    fn name(&self) -> String {
        "redis-blocking `ClusterClient`".into()
    }

    fn ours(&self) -> bool {
        true
    }

    fn call(&self, shape: &Shape) -> String {
        match (shape.op, shape.threads, shape.pipeline) {
            (Op::Get, 1, _) => "`client.get::<_, Vec<u8>>(k)`".into(),
            (Op::Set, 1, 1) => "`client.set::<_, _, ()>(k, &v[..])`".into(),
            (op, t, 1) => format!(
                "as C1/C2 on a clone per thread, {t} threads ({})",
                op.name()
            ),
            (_, t, p) => format!(
                "`query_pipeline::<Vec<()>>` of {p} × `pipe.set(k, &v[..])`, {t} thread(s) on clones"
            ),
        }
    }

    fn run(&mut self, shape: &Shape, requests: usize, seed: u64) -> Timing {
        use redis_blocking::prelude::*;
        let v = value();
        if shape.pipeline > 1 {
            let batches = requests / shape.pipeline / shape.threads;
            let workers = (0..shape.threads)
                .map(|t| {
                    let mut keys = Keys::new(seed + t as u64, shape, t);
                    let pipes: Vec<Pipeline<'static>> = (0..PIPELINES)
                        .map(|_| {
                            let mut pipe = Pipeline::new();
                            for _ in 0..shape.pipeline {
                                pipe.set(keys.next_key().to_owned(), v.clone());
                            }
                            pipe
                        })
                        .collect();
                    let client = self.client.clone();
                    let n = shape.pipeline;
                    move || {
                        for i in 0..batches {
                            let replies: Vec<()> = client
                                .query_pipeline(&pipes[i % PIPELINES])
                                .expect("redis-blocking pipeline");
                            assert_eq!(replies.len(), n, "redis-blocking: replies");
                        }
                    }
                })
                .collect();
            return parallel(workers);
        }
        let per_thread = requests / shape.threads;
        let op = shape.op;
        let workers = (0..shape.threads)
            .map(|t| {
                let client = self.client.clone();
                let v = v.clone();
                move || {
                    let mut keys = Keys::new(seed + t as u64, shape, t);
                    for _ in 0..per_thread {
                        let key = keys.next_key();
                        match op {
                            Op::Get => {
                                let got: Vec<u8> = client.get(key).expect("redis-blocking GET");
                                assert_eq!(got.len(), VALUE, "redis-blocking GET: wrong size");
                                black_box(got);
                            }
                            Op::Set => client
                                .set::<_, _, ()>(key, &v[..])
                                .expect("redis-blocking SET"),
                        }
                    }
                }
            })
            .collect();
        parallel(workers)
    }
}

// ---------------------------------------------------------------------------
// redis-rs
// ---------------------------------------------------------------------------

struct RedisRs {
    client: redis::cluster::ClusterClient,
    /// One connection per thread, kept across samples.
    connections: Vec<redis::cluster::ClusterConnection>,
}

impl RedisRs {
    fn connect(port: u16) -> RedisRs {
        let url = format!("redis://{}:{port}/", integration_tests::HOST);
        let client = redis::cluster::ClusterClient::builder(vec![url])
            .response_timeout(RESPONSE_TIMEOUT)
            .build()
            .expect("redis-rs cluster client");
        RedisRs {
            client,
            connections: Vec::new(),
        }
    }
}

impl Client for RedisRs {
    fn name(&self) -> String {
        "redis-rs 1 (sync cluster)".into()
    }

    fn call(&self, shape: &Shape) -> String {
        match (shape.op, shape.threads, shape.pipeline) {
            (Op::Get, 1, _) => "`con.get::<_, Vec<u8>>(k)`".into(),
            (Op::Set, 1, 1) => "`con.set::<_, _, ()>(k, &v[..])`".into(),
            (op, t, 1) => format!(
                "as C1/C2, a `ClusterConnection` per thread, {t} threads ({})",
                op.name()
            ),
            (_, t, p) => format!(
                "`cluster_pipe()` of {p} × `.set(k, &v[..])`, `query::<Vec<()>>`, {t} connection(s)"
            ),
        }
    }

    fn run(&mut self, shape: &Shape, requests: usize, seed: u64) -> Timing {
        use redis::Commands;
        while self.connections.len() < shape.threads {
            let con = self.client.get_connection().expect("redis-rs connects");
            self.connections.push(con);
        }
        let v = value();
        if shape.pipeline > 1 {
            let batches = requests / shape.pipeline / shape.threads;
            let n = shape.pipeline;
            let workers = self.connections[..shape.threads]
                .iter_mut()
                .enumerate()
                .map(|(t, con)| {
                    let mut keys = Keys::new(seed + t as u64, shape, t);
                    let pipes: Vec<redis::cluster::ClusterPipeline> = (0..PIPELINES)
                        .map(|_| {
                            let mut pipe = redis::cluster::cluster_pipe();
                            for _ in 0..n {
                                pipe.set(keys.next_key(), &v[..]);
                            }
                            pipe
                        })
                        .collect();
                    move || {
                        for i in 0..batches {
                            let replies: Vec<()> =
                                pipes[i % PIPELINES].query(con).expect("redis-rs pipeline");
                            assert_eq!(replies.len(), n, "redis-rs: replies");
                        }
                    }
                })
                .collect();
            return parallel(workers);
        }
        let per_thread = requests / shape.threads;
        let op = shape.op;
        let workers = self.connections[..shape.threads]
            .iter_mut()
            .enumerate()
            .map(|(t, con)| {
                let v = v.clone();
                move || {
                    let mut keys = Keys::new(seed + t as u64, shape, t);
                    for _ in 0..per_thread {
                        let key = keys.next_key();
                        match op {
                            Op::Get => {
                                let got: Vec<u8> = con.get(key).expect("redis-rs GET");
                                assert_eq!(got.len(), VALUE, "redis-rs GET: wrong size");
                                black_box(got);
                            }
                            Op::Set => con.set::<_, _, ()>(key, &v[..]).expect("redis-rs SET"),
                        }
                    }
                }
            })
            .collect();
        parallel(workers)
    }
}

// ---------------------------------------------------------------------------
// redis-benchmark --cluster
// ---------------------------------------------------------------------------

struct RedisBenchmark {
    program: String,
    version: String,
    port: u16,
    /// With `--threads` as many as the Rust clients' threads (each of its
    /// threads then runs one connection), for the shapes of several
    /// threads; otherwise its one event-loop thread runs every connection.
    threaded: bool,
}

impl RedisBenchmark {
    /// A connection per Rust client thread: as many requests in flight.
    fn clients(shape: &Shape) -> usize {
        shape.peer.map_or(shape.threads, |(clients, _)| clients)
    }

    /// Requests per connection's pipeline.
    fn pipeline(shape: &Shape) -> usize {
        shape.peer.map_or(shape.pipeline, |(_, pipeline)| pipeline)
    }
}

impl Client for RedisBenchmark {
    fn name(&self) -> String {
        let threads = if self.threaded { " --threads" } else { "" };
        format!("redis-benchmark {} --cluster{threads}", self.version)
    }

    fn runs(&self, shape: &Shape) -> bool {
        !self.threaded || shape.threads > 1
    }

    fn call(&self, shape: &Shape) -> String {
        let threads = if self.threaded {
            format!(" --threads {}", shape.threads)
        } else {
            String::new()
        };
        format!(
            "`--cluster{threads} -c {} -P {} -d {VALUE} -r {KEYSPACE} -t {}`",
            Self::clients(shape),
            Self::pipeline(shape),
            shape.op.test()
        )
    }

    fn run(&mut self, shape: &Shape, requests: usize, _seed: u64) -> Timing {
        let before = rusage(libc::RUSAGE_CHILDREN);
        let mut command = Command::new(&self.program);
        if self.threaded {
            command.args(["--threads", &shape.threads.to_string()]);
        }
        let out = command
            .args(["-h", integration_tests::HOST, "-p", &self.port.to_string()])
            .arg("--cluster")
            .args(["-c", &Self::clients(shape).to_string()])
            .args(["-P", &Self::pipeline(shape).to_string()])
            .args(["-d", &VALUE.to_string()])
            .args(["-r", &KEYSPACE.to_string()])
            .args(["-t", shape.op.test()])
            .args(["-n", &requests.to_string()])
            .arg("--csv")
            .output()
            .expect("redis-benchmark runs");
        let after = rusage(libc::RUSAGE_CHILDREN);
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
            cpu: (after.0 + after.1) - (before.0 + before.1),
        }
    }
}

// ---------------------------------------------------------------------------
// The cluster's counters
// ---------------------------------------------------------------------------

/// How many times each master ran `op`, and all commands, so far.
fn calls(cluster: &RedisCluster, op: Op) -> Vec<(u64, u64)> {
    cluster
        .masters()
        .iter()
        .map(|node| {
            let Reply::Bulk(info) = node.query(&["INFO", "commandstats"]) else {
                panic!("INFO commandstats: not a bulk reply");
            };
            commandstats_calls(&String::from_utf8_lossy(&info), op.test())
        })
        .collect()
}

/// CPU time so far of every master's main thread.
fn masters_cpu(cluster: &RedisCluster) -> Duration {
    cluster
        .masters()
        .iter()
        .map(|node| server_cpu(node.pid().expect("a master runs")))
        .sum()
}

/// Every key of the keyspace holds a 16-byte value, for the GETs.
fn preload(port: u16) {
    use redis_blocking::prelude::*;
    let client = RedisBlocking::connect(port).client;
    let v = value();
    let mut prefixes = vec!["key:".to_string()];
    prefixes.extend(
        TAGS.get()
            .into_iter()
            .flatten()
            .map(|t| format!("key:{{{t}}}:")),
    );
    let mut pipe = Pipeline::new();
    for prefix in &prefixes {
        for n in 0..KEYSPACE {
            pipe.set(format!("{prefix}{n:012}"), &v[..]);
        }
    }
    let replies: Vec<()> = client.query_pipeline(&pipe).expect("preloading the keys");
    assert_eq!(replies.len(), prefixes.len() * KEYSPACE as usize);
}

fn main() {
    let positional: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let (ids, names): (Vec<&String>, Vec<&String>) = positional.iter().partition(|a| {
        a.strip_prefix('c')
            .is_some_and(|id| id.trim_end_matches('t').parse::<u8>().is_ok())
    });
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
    let shapes: Vec<Shape> = shapes(scale)
        .into_iter()
        .filter(|s| ids.is_empty() || ids.iter().any(|id| *id == s.id))
        .collect();
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!(
        "# Cluster throughput ({cores} cores visible, {rounds} rounds, median of \
         wall-clock throughput; load average {} at the start)\n",
        load_average()
    );

    let cluster = RedisCluster::builder()
        .masters(3)
        .replicas_per_master(0)
        .start()
        .expect("the cluster starts");
    let port = cluster.node(0).port();
    println!(
        "Cluster: 3 masters, no replicas, on 127.0.0.1:{}; keys drawn from {KEYSPACE}; \
         {VALUE}-byte values.\n",
        cluster
            .masters()
            .iter()
            .map(|m| m.port().to_string())
            .collect::<Vec<_>>()
            .join(",")
    );
    TAGS.set(find_tags(port)).expect("tags found once");
    preload(port);

    let mut clients: Vec<Box<dyn Client>> = vec![
        Box::new(RedisBlocking::connect(port)),
        Box::new(RedisRs::connect(port)),
    ];
    match redis_benchmark() {
        Some((program, version)) => {
            for threaded in [false, true] {
                clients.push(Box::new(RedisBenchmark {
                    program: program.clone(),
                    version: version.clone(),
                    port,
                    threaded,
                }));
            }
        }
        None => println!("(redis-benchmark not found: set REDIS_BENCHMARK_BIN; left out)\n"),
    }
    clients.retain(|c| names.is_empty() || names.iter().any(|n| c.name().contains(n.as_str())));

    // samples[shape][client]
    let mut samples = vec![vec![Vec::with_capacity(rounds); clients.len()]; shapes.len()];
    for round in 0..=rounds {
        let warm_up = round == 0;
        for k in 0..clients.len() {
            let i = (round + k) % clients.len();
            for (s, shape) in shapes.iter().enumerate() {
                if !clients[i].runs(shape) {
                    continue;
                }
                let unit = shape.pipeline * shape.threads;
                let requests = if warm_up {
                    (shape.requests / WARMUP_DIVISOR).div_ceil(unit) * unit
                } else {
                    shape.requests
                };
                let before = calls(&cluster, shape.op);
                let server_before = masters_cpu(&cluster);
                let seed = (round * 1000 + s * 10 + i) as u64 * 0x9E37;
                let timing = clients[i].run(shape, requests, seed);
                let server_time = masters_cpu(&cluster) - server_before;
                let after = calls(&cluster, shape.op);
                let per_master: Vec<u64> =
                    before.iter().zip(&after).map(|(b, a)| a.0 - b.0).collect();
                let ran: u64 = per_master.iter().sum();
                assert!(
                    ran >= requests as u64,
                    "{}: the masters ran {ran} {}, not {requests}",
                    clients[i].name(),
                    shape.op.name()
                );
                // redis-benchmark binds each connection to one master:
                // with fewer connections than masters it leaves some idle.
                let spreads = clients[i].ours()
                    || !clients[i].name().starts_with("redis-benchmark")
                    || RedisBenchmark::clients(shape) >= per_master.len();
                assert!(
                    !spreads || per_master.iter().all(|&n| n > 0),
                    "{}: a master ran no {} ({per_master:?})",
                    clients[i].name(),
                    shape.op.name()
                );
                if !warm_up {
                    samples[s][i].push(Sample {
                        rate: requests as f64 / timing.wall.as_secs_f64(),
                        client: timing.cpu / requests as u32,
                        server: server_time / requests as u32,
                    });
                }
            }
        }
    }

    for (s, shape) in shapes.iter().enumerate() {
        report(shape, &clients, &samples[s]);
    }
    println!("Load average {} at the end.", load_average());
}

fn report(shape: &Shape, clients: &[Box<dyn Client>], samples: &[Vec<Sample>]) {
    let inflight = if shape.pipeline > 1 && shape.threads > 1 {
        format!(
            "{} threads, pipelines of {} over all masters",
            shape.threads, shape.pipeline
        )
    } else if let (true, Some((clients, per))) = (shape.pipeline > 1, shape.peer) {
        format!(
            "pipelines of {} over all masters, about {} per master in flight as with redis-benchmark's {clients} connections of {per}",
            shape.pipeline,
            shape.pipeline / clients
        )
    } else if shape.pipeline > 1 {
        format!("pipelines of {} over all masters", shape.pipeline)
    } else if shape.threads == 1 {
        "one request in flight".to_string()
    } else if shape.tagged {
        format!(
            "{} threads, one request in flight each, each thread's keys tagged to one master as redis-benchmark's connections' are",
            shape.threads
        )
    } else {
        format!("{} threads, one request in flight each", shape.threads)
    };
    println!(
        "### {}: {} of {VALUE} B values ({inflight}, {} requests per sample)\n",
        shape.id.to_uppercase(),
        shape.op.name(),
        shape.requests
    );
    println!(
        "| client | call | req/s | spread (min-max req/s) | client CPU µs/req | masters' CPU µs/req | redis-blocking / client |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|");
    let ours = clients.iter().position(|c| c.ours());
    let mut summary = Vec::new();
    for (i, client) in clients.iter().enumerate() {
        let s = &samples[i];
        if s.is_empty() {
            continue;
        }
        let rates: Vec<f64> = s.iter().map(|x| x.rate).collect();
        let rate = median(rates.clone(), f64::total_cmp);
        let lo = rates.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = rates.iter().copied().fold(0.0, f64::max);
        let client_cpu = median(s.iter().map(|x| x.client).collect(), Ord::cmp);
        let server_cpu = median(s.iter().map(|x| x.server).collect(), Ord::cmp);
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
                summary.push(format!("{}: **{paired:.2}x**", client.name()));
                format!("**{paired:.2}x**")
            }
            None => String::new(),
        };
        let us = |d: Duration| d.as_secs_f64() * 1e6;
        println!(
            "| {} | {} | {rate:.0} | {lo:.0}-{hi:.0} | {:.2} | {:.2} | {ratio} |",
            client.name(),
            client.call(shape),
            us(client_cpu),
            us(server_cpu),
        );
    }
    if summary.is_empty() {
        println!();
    } else {
        println!("\nredis-blocking vs {}.\n", summary.join(", vs "));
    }
}
