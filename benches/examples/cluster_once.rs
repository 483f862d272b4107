//! Runs pipelines of SETs over a 3-master cluster (or one server), for
//! instruction counts under callgrind (`scripts/callgrind-cluster.sh`
//! counts [`run`] alone and divides by the SETs).
//!
//! ```text
//! cargo build --profile bench -p benches --example cluster_once
//! cluster_once cluster|single [pipelines] [size]
//! ```
//!
//! `cluster`: a `ClusterClient` over a cluster of 3 masters without
//! replicas, as the cluster benchmark's C5; `single`: a `Connection` to one
//! server, the floor. Each pipeline holds `size` (default 1000)
//! `pipe.set(k, &v[..])` of random `key:<12 digits>` keys drawn from
//! 10,000 and 16-byte values, converted with `query_pipeline::<Vec<()>>`;
//! `pipelines` (default 20) run after an uncounted warm-up (which opens
//! the connections). Prints the SETs run.

use std::time::Duration;

use benches::workload::Rng;
use integration_tests::{RedisCluster, RedisServer, HOST};
use redis_blocking::prelude::*;
use redis_blocking::{ClusterClient, Config, Connection, Result};

/// Keys are drawn from this many, as in the cluster benchmark.
const KEYSPACE: u64 = 10_000;
/// Distinct pipelines, used in turn.
const PIPELINES: usize = 8;

/// What runs the pipelines.
enum Target {
    Cluster(ClusterClient),
    Single(Box<Connection>),
}

impl Target {
    fn query(&mut self, pipe: &Pipeline<'_>) -> Result<Vec<()>> {
        match self {
            Target::Cluster(client) => client.query_pipeline(pipe),
            Target::Single(conn) => conn.query_pipeline(pipe),
        }
    }
}

/// Runs `count` pipelines; the SETs run. Counted by callgrind alone.
#[inline(never)]
fn run(target: &mut Target, pipes: &[Pipeline<'_>], count: usize) -> usize {
    let mut sets = 0;
    for i in 0..count {
        let replies = target
            .query(&pipes[i % pipes.len()])
            .expect("a pipeline of SETs");
        sets += replies.len();
    }
    sets
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: cluster_once cluster|single [pipelines] [size]";
    let Some(which) = args.first() else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let count: usize = args.get(1).map_or(20, |n| n.parse().expect("pipelines"));
    let size: usize = args.get(2).map_or(1000, |n| n.parse().expect("size"));
    let config = |port: u16| Config::tcp(HOST, port).timeout(Some(Duration::from_secs(10)));

    // The servers live until the end of main.
    let (_cluster, _server, mut target) = match which.as_str() {
        "cluster" => {
            let cluster = RedisCluster::builder()
                .masters(3)
                .replicas_per_master(0)
                .start()
                .expect("the cluster starts");
            let client = ClusterClient::builder(config(cluster.node(0).port()))
                .expect("a cluster configuration")
                .build();
            (Some(cluster), None, Target::Cluster(client))
        }
        "single" => {
            let server = RedisServer::start().expect("the server starts");
            let conn = Connection::open(&config(server.port())).expect("a connection");
            (None, Some(server), Target::Single(Box::new(conn)))
        }
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };

    let mut rng = Rng::new(1);
    let keys: Vec<Vec<String>> = (0..PIPELINES)
        .map(|_| {
            (0..size)
                .map(|_| format!("key:{:012}", rng.range(0, KEYSPACE - 1)))
                .collect()
        })
        .collect();
    let v = [b'x'; 16];
    let pipes: Vec<Pipeline<'_>> = keys
        .iter()
        .map(|keys| {
            let mut pipe = Pipeline::new();
            for k in keys {
                pipe.set(k.as_str(), &v[..]);
            }
            pipe
        })
        .collect();

    // Warm-up, not counted: connections opened, the slot map fetched.
    for pipe in &pipes {
        target.query(pipe).expect("a pipeline of SETs");
    }
    let sets = std::hint::black_box(run(&mut target, &pipes, count));
    assert_eq!(sets, count * size, "replies");
    println!("{sets}");
}
