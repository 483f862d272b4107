//! Client-side caching on a cluster: a tracking connection per node keeps
//! one cache valid, through writes by other clients on every master, a
//! slot migration and a lost tracking connection.

use std::thread;
use std::time::{Duration, Instant};

use integration_tests::migration::Migration;
use integration_tests::{RedisCluster, RedisServer};
use redis_blocking::prelude::*;
use redis_blocking::{CacheOptions, ClusterClient};
use resp_core::command::key_slot;

fn get_calls(node: &RedisServer) -> u64 {
    node.run(&["INFO", "commandstats"])
        .lines()
        .find_map(|l| l.strip_prefix("cmdstat_get:calls="))
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn wait_for(what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "timed out waiting for {what}"
        );
        thread::sleep(Duration::from_millis(10));
    }
}

/// A key served by each master, in the masters' order.
fn key_per_master(cluster: &RedisCluster) -> Vec<String> {
    cluster
        .masters()
        .iter()
        .map(|m| {
            (0..)
                .map(|i| format!("cached:{i}"))
                .find(|k| cluster.node_for_key(k.as_bytes()).unwrap().port() == m.port())
                .unwrap()
        })
        .collect()
}

#[test]
fn one_cache_kept_valid_by_every_node() {
    let cluster = RedisCluster::builder()
        .replicas_per_master(0)
        .start()
        .unwrap();
    let c = ClusterClient::builder(Config::tcp("127.0.0.1", cluster.node(0).port()))
        .unwrap()
        .client_side_cache(CacheOptions {
            max_entries: 100,
            ttl: Duration::from_secs(60),
        })
        .build();
    let writer = ClusterClient::open(&[&cluster.node(0).url()]).unwrap();
    let keys = key_per_master(&cluster);
    for key in &keys {
        writer
            .query::<()>(&Cmd::new("SET").arg(key.as_str()).arg("v1"))
            .unwrap();
    }
    // Each node's tracking connection comes up on its first read.
    wait_for("every key cached", || {
        for key in &keys {
            let v: String = c.query(&Cmd::new("GET").arg(key.as_str())).unwrap();
            assert_eq!(v, "v1");
        }
        c.cached_entries() == keys.len()
    });
    let masters = cluster.masters();
    let before: Vec<u64> = masters.iter().map(|m| get_calls(m)).collect();
    for _ in 0..10 {
        for key in &keys {
            let v: String = c.query(&Cmd::new("GET").arg(key.as_str())).unwrap();
            assert_eq!(v, "v1");
        }
    }
    let after: Vec<u64> = masters.iter().map(|m| get_calls(m)).collect();
    assert_eq!(after, before, "reads served from the cache on every node");
    assert!(c.cache_hits() >= 30);

    // Another client writes on every master: each node invalidates its key.
    for key in &keys {
        writer
            .query::<()>(&Cmd::new("SET").arg(key.as_str()).arg("v2"))
            .unwrap();
    }
    wait_for("the invalidations", || c.cached_entries() == 0);
    for key in &keys {
        let v: String = c.query(&Cmd::new("GET").arg(key.as_str())).unwrap();
        assert_eq!(v, "v2");
    }

    // The first key's slot moves to another master: the old owner deletes
    // it (MIGRATE), which invalidates it; the new owner tracks it next.
    wait_for("caching again", || {
        for key in &keys {
            let _: String = c.query(&Cmd::new("GET").arg(key.as_str())).unwrap();
        }
        c.cached_entries() == keys.len()
    });
    let moving = &keys[0];
    let slot = key_slot(moving.as_bytes());
    let from = cluster.node_for_slot(slot).unwrap();
    let to = masters.iter().find(|m| m.port() != from.port()).unwrap();
    let migration = Migration::begin(slot, from, to, masters.clone()).unwrap();
    migration.move_keys(10).unwrap();
    migration.finish().unwrap();
    wait_for("the migrated key's invalidation", || {
        c.cached_entries() == keys.len() - 1
    });
    wait_for("the key cached from its new owner", || {
        let v: String = c.query(&Cmd::new("GET").arg(moving.as_str())).unwrap();
        assert_eq!(v, "v2");
        c.cached_entries() == keys.len()
    });
    writer
        .query::<()>(&Cmd::new("SET").arg(moving.as_str()).arg("v3"))
        .unwrap();
    wait_for("the new owner's invalidation", || {
        c.query::<String>(&Cmd::new("GET").arg(moving.as_str()))
            .unwrap()
            == "v3"
    });

    // A node's tracking connection is killed: the whole cache is flushed,
    // and values stay right afterwards.
    let node = cluster.node_for_key(keys[1].as_bytes()).unwrap();
    let killed = node.query(&["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes"]);
    let integration_tests::Reply::Integer(killed) = killed else {
        panic!("CLIENT KILL: {killed:?}");
    };
    assert!(killed >= 1);
    wait_for("the flush", || c.cached_entries() == 0);
    writer
        .query::<()>(&Cmd::new("SET").arg(keys[1].as_str()).arg("v4"))
        .unwrap();
    wait_for("caching to resume with v4", || {
        let v: String = c.query(&Cmd::new("GET").arg(keys[1].as_str())).unwrap();
        v == "v4" && c.cached_entries() >= 1
    });
    writer
        .query::<()>(&Cmd::new("SET").arg(keys[1].as_str()).arg("v5"))
        .unwrap();
    wait_for("the invalidation after reconnecting", || {
        c.query::<String>(&Cmd::new("GET").arg(keys[1].as_str()))
            .unwrap()
            == "v5"
    });
}

#[test]
fn the_clients_own_writes_are_read_back_at_once() {
    let cluster = RedisCluster::builder()
        .replicas_per_master(0)
        .start()
        .unwrap();
    let c = ClusterClient::builder(Config::tcp("127.0.0.1", cluster.node(0).port()))
        .unwrap()
        .client_side_cache(CacheOptions::default())
        .build();
    let keys = key_per_master(&cluster);
    for key in &keys {
        c.query::<()>(&Cmd::new("SET").arg(key.as_str()).arg(0))
            .unwrap();
    }
    wait_for("every key cached", || {
        for key in &keys {
            let _: i64 = c.query(&Cmd::new("GET").arg(key.as_str())).unwrap();
        }
        c.cached_entries() == keys.len()
    });
    let get = |key: &str| c.query::<i64>(&Cmd::new("GET").arg(key)).unwrap();
    for i in 1..=500i64 {
        for key in &keys {
            c.query::<()>(&Cmd::new("SET").arg(key.as_str()).arg(i))
                .unwrap();
            assert_eq!(get(key), i, "after SET {key} {i}");
        }
        // A pipeline over every master.
        let mut pipe = Pipeline::new();
        for key in &keys {
            pipe.incr(key.as_str()).ignore();
        }
        let () = c.query_pipeline(&pipe).unwrap();
        for key in &keys {
            assert_eq!(get(key), i + 1, "after a pipeline {key} {i}");
        }
        // DEL across slots, split by the client.
        let deleted: i64 = c.query(&Cmd::new("DEL").arg(&keys[..])).unwrap();
        assert_eq!(deleted, keys.len() as i64);
        for key in &keys {
            let v: Option<i64> = c.query(&Cmd::new("GET").arg(key.as_str())).unwrap();
            assert_eq!(v, None, "after DEL {key} {i}");
        }
        // A transaction on one key.
        let key = keys[0].as_str();
        let () = c
            .transaction(key, |_conn, pipe| {
                pipe.cmd("SET").arg(key).arg(i * 10).ignore();
                Ok(())
            })
            .unwrap();
        assert_eq!(get(key), i * 10, "after a transaction {i}");
    }
}
