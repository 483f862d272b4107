//! Runs one-request-at-a-time calls for instruction counts under
//! callgrind (`scripts/callgrind-calls.sh` counts [`run`] alone and divides
//! by the calls).
//!
//! ```text
//! cargo build --profile bench -p benches --example call_once
//! call_once connection|client|redis-rs|cluster|redis-rs-cluster [calls]
//! ```
//!
//! Each call is as users write it and as the client benchmarks run it (a
//! 10 s response timeout, the reply converted and checked): `GET` of a
//! 16-byte value on one server through a `Connection`, a pooled `Client`
//! and redis-rs's `Connection` (W1's shape); `SET` of a 16-byte value over
//! a 3-master cluster through a `ClusterClient` and redis-rs's
//! `ClusterConnection` (C1's shape). Keys are `key:<12 digits>`, built in
//! the loop by every client alike. `calls` (default 3000) run after an
//! uncounted warm-up that opens the connections. Prints the calls run.

use std::time::Duration;

use integration_tests::{RedisCluster, RedisServer, HOST};
use redis_blocking::prelude::*;

/// Keys are drawn from this many.
const KEYSPACE: usize = 100;
/// Bytes per value.
const VALUE: [u8; 16] = [b'x'; 16];

/// What runs the calls.
enum Target {
    Connection(Box<redis_blocking::Connection>),
    Client(redis_blocking::Client),
    RedisRs(Box<redis::Connection>),
    Cluster(redis_blocking::ClusterClient),
    RedisRsCluster(Box<redis::cluster::ClusterConnection>),
}

impl Target {
    /// One call with key number `i`; the bytes it read back.
    fn call(&mut self, i: usize) -> usize {
        use redis::Commands;
        let key = format!("key:{:012}", i % KEYSPACE);
        let read = |v: Vec<u8>| {
            assert_eq!(v.len(), VALUE.len(), "a 16-byte value");
            v.len()
        };
        match self {
            Target::Connection(conn) => read(conn.get(key).expect("GET")),
            Target::Client(client) => read(client.get(key).expect("GET")),
            Target::RedisRs(conn) => read(conn.get(key).expect("GET")),
            Target::Cluster(client) => {
                let () = client.set(key, &VALUE[..]).expect("SET");
                0
            }
            Target::RedisRsCluster(conn) => {
                let () = conn.set(key, &VALUE[..]).expect("SET");
                0
            }
        }
    }
}

/// Runs `count` calls; the calls run. Counted by callgrind alone.
#[inline(never)]
fn run(target: &mut Target, count: usize) -> usize {
    let mut read = 0;
    for i in 0..count {
        read += target.call(i);
    }
    std::hint::black_box(read);
    count
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: call_once connection|client|redis-rs|cluster|redis-rs-cluster [calls]";
    let Some(which) = args.first() else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let count: usize = args.get(1).map_or(3000, |n| n.parse().expect("calls"));
    let timeout = Duration::from_secs(10);
    let config = |port: u16| redis_blocking::Config::tcp(HOST, port).timeout(Some(timeout));

    // The servers live until the end of main.
    let (_cluster, _server, mut target) = match which.as_str() {
        "connection" | "client" | "redis-rs" => {
            let server = RedisServer::start().expect("the server starts");
            let port = server.port();
            let mut conn = redis_blocking::Connection::open(&config(port)).expect("a connection");
            for i in 0..KEYSPACE {
                let () = conn.set(format!("key:{i:012}"), &VALUE[..]).expect("SET");
            }
            let target = match which.as_str() {
                "connection" => Target::Connection(Box::new(conn)),
                "client" => Target::Client(redis_blocking::Client::builder(config(port)).build()),
                _ => {
                    let client = redis::Client::open(format!("redis://{HOST}:{port}/"))
                        .expect("a redis-rs client");
                    let conn = client.get_connection().expect("redis-rs connects");
                    conn.set_read_timeout(Some(timeout))
                        .expect("a read timeout");
                    Target::RedisRs(Box::new(conn))
                }
            };
            (None, Some(server), target)
        }
        "cluster" | "redis-rs-cluster" => {
            let cluster = RedisCluster::builder()
                .masters(3)
                .replicas_per_master(0)
                .start()
                .expect("the cluster starts");
            let port = cluster.node(0).port();
            let target = if which == "cluster" {
                let client = redis_blocking::ClusterClient::builder(config(port))
                    .expect("a cluster configuration")
                    .build();
                Target::Cluster(client)
            } else {
                let client =
                    redis::cluster::ClusterClient::builder(vec![format!("redis://{HOST}:{port}/")])
                        .response_timeout(timeout)
                        .build()
                        .expect("a redis-rs cluster client");
                let conn = client.get_connection().expect("redis-rs connects");
                Target::RedisRsCluster(Box::new(conn))
            };
            (Some(cluster), None, target)
        }
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };

    // Warm-up, not counted: connections opened, the slot map fetched.
    for i in 0..KEYSPACE {
        target.call(i);
    }
    let calls = run(&mut target, count);
    println!("{calls}");
}
