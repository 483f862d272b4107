//! The Sentinel client against real `redis-server` and `redis-sentinel`
//! processes (down-after 1000 ms), without failovers: resolution by the
//! Sentinel client specification (the first sentinel stopped, all stopped,
//! an unknown name), the ROLE check against a stale sentinel, an
//! administrator's REPLICAOF, credentials for both sides, replica reads,
//! and every client feature through a Sentinel-backed `Client`.
//!
//! Failovers are in `sentinel_failover.rs`.

use std::thread;
use std::time::{Duration, Instant};

use integration_tests::{RedisServer, Reply, Sentinels};
use redis_blocking::prelude::*;
use redis_blocking::{CacheOptions, Incoming, SentinelConfig};

/// `redis+sentinel://` for the group's sentinels, in this order.
fn url(addrs: &[std::net::SocketAddr], name: &str, options: &str) -> String {
    let hosts: Vec<String> = addrs.iter().map(|a| a.to_string()).collect();
    format!("redis+sentinel://{}/{name}?{options}", hosts.join(","))
}

fn client(group: &Sentinels, options: &str) -> Client {
    let config =
        SentinelConfig::from_url(&url(&group.sentinel_addrs(), group.master_name(), options))
            .unwrap();
    Client::sentinel(config)
        .unwrap()
        .timeout(Some(Duration::from_secs(5)))
        .max_retries(100)
        .build()
}

/// A field of `INFO commandstats` for `command` (`calls`,
/// `rejected_calls`, ...), 0 when the command never ran.
fn stat(server: &RedisServer, command: &str, field: &str) -> u64 {
    let info = server.run(&["INFO", "commandstats"]);
    let prefix = format!("cmdstat_{command}:");
    info.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|rest| {
            rest.trim()
                .split(',')
                .find_map(|kv| kv.strip_prefix(&format!("{field}=")))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn tcp(server: &RedisServer) -> redis_blocking::Addr {
    redis_blocking::Addr::Tcp {
        host: "127.0.0.1".into(),
        port: server.port(),
    }
}

#[test]
fn a_sentinel_client_is_a_client() {
    let group = Sentinels::start().unwrap();
    let mut client = client(&group, "client_name=features&protocol=3");
    let master = group.initial_master();

    // Typed commands, pipelines, transactions, scripts.
    let () = client.set("k", "v").unwrap();
    assert_eq!(client.get::<_, String>("k").unwrap(), "v");
    assert_eq!(client.current_master(), Some(tcp(master)));
    let mut pipe = Pipeline::new();
    pipe.incr("n").incr("n");
    let (a, b): (i64, i64) = client.query_pipeline(&pipe).unwrap();
    assert_eq!((a, b), (1, 2));
    let (n,): (i64,) = client
        .transaction("n", |conn, pipe| {
            let n: i64 = conn.query(&Cmd::new("GET").arg("n"))?;
            pipe.cmd("SET").arg("n").arg(n * 10).ignore();
            pipe.cmd("GET").arg("n");
            Ok(())
        })
        .unwrap();
    assert_eq!(n, 20);
    let script = Script::new("return redis.call('INCRBY', KEYS[1], ARGV[1])");
    let v: i64 = client.run_script(&script.call().key("n").arg(5)).unwrap();
    assert_eq!(v, 25);
    // Every write went to the master.
    assert_eq!(master.query(&["GET", "n"]), Reply::Bulk(b"25".to_vec()));

    // Pub/sub and MONITOR through the same client.
    let subscriber = client.subscriber().unwrap();
    subscriber.subscribe(["news"]).unwrap();
    let mut monitor = client.monitor().unwrap();
    let receivers: i64 = client
        .query(&Cmd::new("PUBLISH").arg("news").arg("hello"))
        .unwrap();
    assert_eq!(receivers, 1);
    match subscriber.recv_timeout(Duration::from_secs(5)).unwrap() {
        Some(Incoming::Message(m)) => assert_eq!(m.payload, b"hello"),
        other => panic!("{other:?}"),
    }
    let seen = (0..10)
        .filter_map(|_| monitor.next_event(Some(Duration::from_secs(2))).unwrap())
        .any(|e| e.args.first().map(|a| a.as_slice()) == Some(&b"PUBLISH"[..]));
    assert!(seen, "MONITOR saw the PUBLISH");
    subscriber.close();

    // Connections are named as configured, on the master only.
    let list = master.run(&["CLIENT", "LIST"]);
    assert!(list.contains("name=features"), "{list}");
}

#[test]
fn client_side_caching_through_sentinel() {
    let group = Sentinels::start().unwrap();
    let config =
        SentinelConfig::from_url(&url(&group.sentinel_addrs(), group.master_name(), "")).unwrap();
    let mut client = Client::sentinel(config)
        .unwrap()
        .timeout(Some(Duration::from_secs(5)))
        .client_side_cache(CacheOptions::default())
        .build();
    let () = client.set("cached", "1").unwrap();
    // The tracker connects in the background; reads are cached once it is up.
    let started = Instant::now();
    while client.cache_hits() == 0 {
        assert_eq!(client.get::<_, String>("cached").unwrap(), "1");
        assert!(started.elapsed() < Duration::from_secs(10), "no cache hit");
        thread::sleep(Duration::from_millis(20));
    }
    // Another writer: the invalidation arrives.
    group.initial_master().query(&["SET", "cached", "2"]);
    let started = Instant::now();
    loop {
        if client.get::<_, String>("cached").unwrap() == "2" {
            break;
        }
        assert!(started.elapsed() < Duration::from_secs(5), "stale read");
        thread::sleep(Duration::from_millis(10));
    }
}
