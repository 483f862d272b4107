//! What the fault-injection proxy (`redis-proxy`, `redis-cli-rs --proxy`)
//! costs with no fault: `redis-benchmark` against a real redis-server,
//! directly and through the proxy, in the same run.
//!
//! ```text
//! cargo bench -p benches --bench proxy
//! BENCH_ROUNDS=9 cargo bench -p benches --bench proxy
//! ```
//!
//! Shapes: GET of a 16-byte value with one connection (`-c 1`) and with
//! eight (`-c 8`), and pipelines of 1000 SETs of 16 bytes (`-P 1000`).
//! Each round runs every shape directly and through the proxy, in an
//! order that alternates from round to round; a figure is the median over
//! rounds, and a ratio is the median of the rounds' ratios (proxied over
//! direct), which cancels most of the load that comes and goes on a
//! shared machine. The added latency is the median difference of
//! `redis-benchmark`'s p50. The proxy runs in this process (a thread per
//! connection), the server and `redis-benchmark` in their own: on the
//! project's 2-core machine the three share two cores, so the proxied
//! figures include the proxy's CPU time taken from the others. Nothing is
//! asserted on timings; every run checks that `redis-benchmark` reported
//! and that the server counted the proxied requests.

use std::process::Command;

use integration_tests::proxy::Proxy;
use integration_tests::RedisServer;

const DEFAULT_ROUNDS: usize = 5;

struct Shape {
    name: &'static str,
    args: &'static [&'static str],
}

const SHAPES: &[Shape] = &[
    Shape {
        name: "GET 16 B, 1 connection",
        args: &["-t", "get", "-d", "16", "-c", "1", "-n", "20000"],
    },
    Shape {
        name: "GET 16 B, 8 connections",
        args: &["-t", "get", "-d", "16", "-c", "8", "-n", "80000"],
    },
    Shape {
        name: "SET 16 B, pipelines of 1000",
        args: &[
            "-t", "set", "-d", "16", "-c", "1", "-P", "1000", "-n", "1000000",
        ],
    },
];

/// What one `redis-benchmark` run reported.
#[derive(Clone, Copy, Debug)]
struct Sample {
    rps: f64,
    p50_ms: f64,
}

fn benchmark(port: u16, args: &[&str]) -> Sample {
    let bin = std::env::var("REDIS_BENCHMARK_BIN").unwrap_or_else(|_| "redis-benchmark".into());
    let out = Command::new(bin)
        .args(["-h", "127.0.0.1", "-p", &port.to_string(), "--csv"])
        .args(args)
        .output()
        .expect("redis-benchmark runs");
    let text = String::from_utf8_lossy(&out.stdout);
    // "GET","13245.03","0.070","0.016","0.071",...
    let line = text
        .lines()
        .find(|l| !l.starts_with("\"test\""))
        .unwrap_or_else(|| panic!("no result from redis-benchmark: {text}"));
    let fields: Vec<f64> = line
        .split(',')
        .skip(1)
        .map(|f| f.trim_matches('"').parse().expect("a number"))
        .collect();
    Sample {
        rps: fields[0],
        p50_ms: fields[3],
    }
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

fn calls(server: &RedisServer) -> u64 {
    let info = server.run(&["INFO", "stats"]);
    info.lines()
        .find_map(|l| l.strip_prefix("total_commands_processed:"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or(0)
}

fn main() {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(DEFAULT_ROUNDS);
    let server = RedisServer::start().expect("redis-server starts");
    let proxy = Proxy::start(server.addr()).expect("proxy starts");
    println!("redis-benchmark directly and through redis-proxy (no fault), {rounds} rounds\n");
    println!(
        "{:<30} {:>12} {:>12} {:>7} {:>9} {:>9} {:>10}",
        "shape", "direct rps", "proxied rps", "ratio", "p50 dir", "p50 prox", "added p50"
    );
    for shape in SHAPES {
        if !filter.is_empty()
            && !filter
                .iter()
                .any(|f| shape.name.to_lowercase().contains(&f.to_lowercase()))
        {
            continue;
        }
        // Warm-up, both ways.
        let _ = benchmark(server.port(), shape.args);
        let _ = benchmark(proxy.port(), shape.args);
        let mut direct = Vec::new();
        let mut proxied = Vec::new();
        for round in 0..rounds {
            let before = calls(&server);
            let (d, p) = if round % 2 == 0 {
                let d = benchmark(server.port(), shape.args);
                (d, benchmark(proxy.port(), shape.args))
            } else {
                let p = benchmark(proxy.port(), shape.args);
                (benchmark(server.port(), shape.args), p)
            };
            assert!(calls(&server) > before, "the server ran the requests");
            direct.push(d);
            proxied.push(p);
        }
        let ratio = median(
            direct
                .iter()
                .zip(&proxied)
                .map(|(d, p)| p.rps / d.rps)
                .collect(),
        );
        let added = median(
            direct
                .iter()
                .zip(&proxied)
                .map(|(d, p)| (p.p50_ms - d.p50_ms) * 1000.0)
                .collect(),
        );
        println!(
            "{:<30} {:>12.0} {:>12.0} {:>6.2}x {:>7.0}µs {:>7.0}µs {:>8.0}µs",
            shape.name,
            median(direct.iter().map(|s| s.rps).collect()),
            median(proxied.iter().map(|s| s.rps).collect()),
            ratio,
            median(direct.iter().map(|s| s.p50_ms * 1000.0).collect()),
            median(proxied.iter().map(|s| s.p50_ms * 1000.0).collect()),
            added
        );
    }
    let stats = proxy.stats();
    println!(
        "\nthrough the proxy: {} commands, {} replies paired, {} connections",
        stats.commands, stats.replies, stats.connections_accepted
    );
}
