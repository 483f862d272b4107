//! What idle pooled connections cost in memory: a `Client` whose pool holds
//! 1, 100 and 1,000 open idle connections to a real server, the process's
//! resident memory measured after each step.
//!
//! ```text
//! cargo bench -p benches --bench pool_memory
//! ```
//!
//! Each step checks out that many connections at once (so the pool opens
//! them), runs a GET of a 16-byte value on each (so each read buffer is in
//! use, as on a connection that has served requests), and returns them; the
//! figure is `VmRSS` once they sit idle, less the process's before any
//! connection, divided by the connections. The server's `maxclients` is
//! raised for the test; the process's open-file limit must allow 1,000
//! sockets (`ulimit -n`).

use std::time::Duration;

use integration_tests::RedisServer;
use redis_blocking::prelude::*;
use redis_blocking::{Client, Config};

/// This process's resident memory, in KiB.
fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn main() {
    let server = RedisServer::builder()
        .config("maxclients 2000")
        .start()
        .expect("redis-server starts");
    let config =
        Config::tcp(integration_tests::HOST, server.port()).timeout(Some(Duration::from_secs(10)));
    let client = Client::builder(config)
        .max_size(1000)
        .checkout_timeout(Some(Duration::from_secs(10)))
        .build();
    let () = client.set("k", "0123456789abcdef").expect("SET");
    println!("# Idle pooled connections: resident memory\n");
    println!("| idle connections | process RSS | added | per connection |");
    println!("|---:|---:|---:|---:|");
    // The baseline: one connection, so the client's own structures and the
    // first socket are counted in it.
    let base = rss_kib();
    for n in [1usize, 100, 1000] {
        let mut held = Vec::with_capacity(n);
        for _ in 0..n {
            held.push(client.connection().expect("checkout"));
        }
        for conn in &mut held {
            let v: Vec<u8> = conn.get("k").expect("GET");
            assert_eq!(v.len(), 16);
        }
        drop(held);
        assert_eq!(client.idle_connections(), n.max(1));
        let now = rss_kib();
        let added = now.saturating_sub(base);
        println!(
            "| {n} | {:.1} MiB | {:.2} MiB | {:.1} KiB |",
            now as f64 / 1024.0,
            added as f64 / 1024.0,
            added as f64 / n as f64
        );
    }
    println!(
        "\nEach connection keeps a read buffer of {} KiB (allocated, its pages \
         resident once used) and its socket; the kernel's socket buffers are \
         not in the process's RSS.",
        16
    );
}
