//! The cluster client against a 30-master cluster: opt-in, as it starts 30
//! servers (about 234 MB, 3 s to create on the project's 2-core machine).
//!
//! ```text
//! cargo test --release -p integration-tests --test cluster_scale -- --ignored --nocapture
//! ```
//!
//! It reports what a user sizing a client for a big cluster asks: how long
//! a map fetch takes, how many topology commands one refresh costs the
//! cluster, and how much memory the client holds per node; then kills a
//! master that has no replica and checks that only its slots fail.

use std::collections::HashSet;
use std::time::{Duration, Instant};

use integration_tests::{RedisCluster, RedisServer};
use redis_blocking::prelude::*;
use redis_blocking::{ClusterClient, ErrorKind, Executed};
use resp_core::command::key_slot;

const MASTERS: usize = 30;

/// How many times `node` ran `command` (`INFO commandstats`).
fn calls(node: &RedisServer, command: &str) -> u64 {
    let info = node.run(&["INFO", "commandstats"]);
    let prefix = format!("cmdstat_{command}:calls=");
    info.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Topology commands the cluster has answered, on every node.
fn topology_calls(cluster: &RedisCluster) -> u64 {
    cluster
        .nodes()
        .iter()
        .filter(|n| n.is_running())
        .map(|n| calls(n, "cluster|shards") + calls(n, "cluster|slots"))
        .sum()
}

/// This process's resident memory, in KiB.
fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

#[test]
#[ignore = "starts 30 servers: run with --ignored"]
fn thirty_masters() {
    let started = Instant::now();
    let cluster = RedisCluster::builder()
        .masters(MASTERS)
        .replicas_per_master(0)
        .node_timeout(Duration::from_millis(1000))
        .config("cluster-require-full-coverage no")
        .timeout(Duration::from_secs(60))
        .start()
        .unwrap();
    let created = started.elapsed();
    let servers_kib: u64 = cluster
        .nodes()
        .iter()
        .map(|n| {
            let status = std::fs::read_to_string(format!("/proc/{}/status", n.pid().unwrap()))
                .unwrap_or_default();
            status
                .lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.split_whitespace().next())
                .and_then(|n| n.parse::<u64>().ok())
                .unwrap_or(0)
        })
        .sum();

    // A client with one connection per node at most.
    let rss_before = rss_kib();
    let c = ClusterClient::builder(Config::tcp("127.0.0.1", cluster.node(0).port()))
        .unwrap()
        .max_size(1)
        .timeout(Some(Duration::from_secs(10)))
        .build();

    // 100,000 SETs and GETs on random keys, single and pipelined: every
    // master serves some.
    let keys: Vec<String> = (0..50_000u32)
        .map(|i| format!("key:{:012}", i.wrapping_mul(2_654_435_761) % 1_000_000))
        .collect();
    for chunk in keys.chunks(1000).take(45) {
        let mut pipe = Pipeline::new();
        for key in chunk {
            pipe.set(key.as_str(), key.as_str());
        }
        let replies: Vec<()> = c.query_pipeline(&pipe).unwrap();
        assert_eq!(replies.len(), chunk.len());
    }
    for key in &keys[45_000..] {
        c.query::<()>(&Cmd::new("SET").arg(key).arg(key)).unwrap();
    }
    for chunk in keys.chunks(1000).take(45) {
        let mut pipe = Pipeline::new();
        for key in chunk {
            pipe.get(key.as_str());
        }
        let got: Vec<String> = c.query_pipeline(&pipe).unwrap();
        assert_eq!(got, chunk);
    }
    for key in &keys[45_000..] {
        let got: String = c.query(&Cmd::new("GET").arg(key)).unwrap();
        assert_eq!(&got, key);
    }
    for master in cluster.masters() {
        assert!(
            calls(master, "set") > 0 && calls(master, "get") > 0,
            "master {} served no SET or GET",
            master.port()
        );
    }
    let rss_after = rss_kib();
    let per_node = rss_after.saturating_sub(rss_before) / MASTERS as u64;

    // Refreshes: time to fetch and install the map, and what each costs
    // the cluster.
    let mut times = Vec::new();
    let mut costs = Vec::new();
    for _ in 0..7 {
        std::thread::sleep(Duration::from_millis(300)); // past the rate limit
        let (before, fetches) = (topology_calls(&cluster), c.refreshes());
        let t = Instant::now();
        c.refresh(Duration::from_secs(5));
        times.push(t.elapsed());
        assert_eq!(c.refreshes(), fetches + 1, "one fetch per refresh");
        // Less the INFO that counted: it is not a topology command.
        costs.push(topology_calls(&cluster) - before);
    }
    let refresh = median(times);
    assert!(
        costs.iter().all(|&n| n == 1),
        "topology commands per refresh: {costs:?}"
    );
    assert_eq!(c.primaries().len(), MASTERS);

    // A master without a replica dies: its slots fail with a clear error
    // that says the command did not run, every other slot keeps working.
    let victim = cluster.masters()[7].port();
    let dead: HashSet<u16> = (0..16384u16)
        .filter(|&s| cluster.node_for_slot(s).unwrap().port() == victim)
        .collect();
    let per_slot: Vec<String> = {
        let mut keys: Vec<Option<String>> = vec![None; 16384];
        let mut i = 0u64;
        while keys.iter().any(Option::is_none) {
            let key = format!("k{i}");
            let slot = usize::from(key_slot(key.as_bytes()));
            keys[slot].get_or_insert(key);
            i += 1;
        }
        keys.into_iter().flatten().step_by(7).collect()
    };
    let (dead_keys, live_keys): (Vec<&String>, Vec<&String>) = per_slot
        .iter()
        .partition(|k| dead.contains(&key_slot(k.as_bytes())));
    cluster.node_by_port(victim).unwrap().kill();
    let killed = Instant::now();
    // When the cluster agrees that the master failed (FAIL, not PFAIL).
    let watcher = cluster.masters()[0].port();
    let marked = std::thread::spawn(move || {
        let node = format!("127.0.0.1:{victim}@");
        while killed.elapsed() < Duration::from_secs(60) {
            let out = std::process::Command::new("redis-cli")
                .args(["-p", &watcher.to_string(), "CLUSTER", "NODES"])
                .output();
            if let Ok(out) = out {
                let text = String::from_utf8_lossy(&out.stdout).into_owned();
                let failed = text.lines().any(|l| {
                    l.contains(&node)
                        && l.split(' ')
                            .nth(2)
                            .is_some_and(|f| f.contains("fail") && !f.contains("fail?"))
                });
                if failed {
                    return Some(killed.elapsed());
                }
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        None
    });
    let mut settled = None;
    while killed.elapsed() < Duration::from_secs(60) {
        for key in &live_keys {
            if let Err(e) = c.query::<()>(&Cmd::new("SET").arg(key.as_str()).arg("v")) {
                panic!("a healthy slot failed after the kill: {key}: {e}");
            }
        }
        let refused = dead_keys.iter().take(3).all(|key| {
            matches!(
                c.query::<()>(&Cmd::new("SET").arg(key.as_str()).arg("v")),
                Err(e) if e.kind() == ErrorKind::Unserved && e.executed() == Executed::No
            )
        });
        if refused {
            settled = Some(killed.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let settled = settled.expect("the dead master's slots refused as unserved within 60 s");
    let marked = marked
        .join()
        .unwrap()
        .expect("the cluster marked the master failed");

    eprintln!(
        "30 masters: created in {created:?}, servers {} MB RSS in total ({} MB each); \
         client: {per_node} KiB RSS per node after 100k requests ({} KiB in all), \
         map fetch and install {refresh:?} (median of 7), 1 topology command per refresh; \
         a replica-less master killed: the cluster marked it failed after {marked:?}, \
         its {} slots refused as unserved after {settled:?}, the other slots never failed",
        servers_kib / 1024,
        servers_kib / 1024 / MASTERS as u64,
        rss_after.saturating_sub(rss_before),
        dead.len(),
    );
}
