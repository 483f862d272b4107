//! Key prefixes and client-side caching against a real server.

use std::thread;
use std::time::{Duration, Instant};

use integration_tests::RedisServer;
use redis_blocking::prelude::*;
use redis_blocking::CacheOptions;

fn raw(server: &RedisServer) -> Connection {
    Connection::open(&Config::tcp("127.0.0.1", server.port())).unwrap()
}

#[test]
fn key_prefix_applies_to_every_key_argument() {
    let server = RedisServer::start().unwrap();
    let client = Client::builder(Config::tcp("127.0.0.1", server.port()))
        .key_prefix("app:")
        .build();
    let () = client.set("a", 1).unwrap();
    let () = client.mset(&[("b", 2), ("c", 3)][..]).unwrap();
    let values: Vec<i64> = client.mget(&["a", "b", "c"][..]).unwrap();
    assert_eq!(values, [1, 2, 3]);
    let () = client.zadd("z1", "m", 1.0).unwrap();
    let () = client.zadd("z2", "m", 2.0).unwrap();
    let _: i64 = client
        .zunionstore("zu", &["z1", "z2"][..], Default::default())
        .unwrap();
    let _: i64 = client
        .eval(
            "return redis.call('SET', KEYS[1], ARGV[1])",
            "from-eval",
            "x",
        )
        .map(|_: String| 0)
        .unwrap();
    let script = Script::new("return redis.call('GET', KEYS[1])");
    assert_eq!(
        client
            .run_script::<String>(&script.call().key("from-eval"))
            .unwrap(),
        "x"
    );
    let mut pipe = Pipeline::new();
    pipe.set("piped", 1).ignore().incr("piped");
    let (n,): (i64,) = client.query_pipeline(&pipe).unwrap();
    assert_eq!(n, 2);
    // Every key landed under the prefix, and nothing outside it.
    let mut keys: Vec<String> = raw(&server).keys("*").unwrap();
    keys.sort();
    assert_eq!(
        keys,
        [
            "app:a",
            "app:b",
            "app:c",
            "app:from-eval",
            "app:piped",
            "app:z1",
            "app:z2",
            "app:zu"
        ]
    );
    // Patterns are not prefixed (documented): KEYS * sees everything.
    let all: Vec<String> = client.keys("app:*").unwrap();
    assert_eq!(all.len(), 8);
}

fn get_calls(server: &RedisServer) -> u64 {
    let stats = server.run(&["INFO", "commandstats"]);
    stats
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
            started.elapsed() < Duration::from_secs(5),
            "timed out waiting for {what}"
        );
        thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn client_side_cache_is_invalidated_by_the_server() {
    let server = RedisServer::start().unwrap();
    let client = Client::builder(Config::tcp("127.0.0.1", server.port()))
        .client_side_cache(CacheOptions {
            max_entries: 100,
            ttl: Duration::from_secs(60),
        })
        .build();
    let mut writer = raw(&server);
    let () = writer.set("k", "v1").unwrap();
    // The tracking connection comes up in the background.
    wait_for("caching to start", || {
        let _: String = client.get("k").unwrap();
        client.cached_entries() == 1
    });
    let before = get_calls(&server);
    for _ in 0..10 {
        assert_eq!(client.get::<_, String>("k").unwrap(), "v1");
    }
    assert_eq!(
        get_calls(&server),
        before,
        "reads were served from the cache"
    );
    assert!(client.cache_hits() >= 10);

    // Another client writes: the next read returns the new value.
    let () = writer.set("k", "v2").unwrap();
    wait_for("the invalidation", || client.cached_entries() == 0);
    assert_eq!(client.get::<_, String>("k").unwrap(), "v2");
    assert_eq!(client.get::<_, String>("k").unwrap(), "v2");

    // Killing the tracking connection flushes the cache; values stay right.
    let killed: i64 = writer
        .query(
            &Cmd::new("CLIENT")
                .arg("KILL")
                .arg("SKIPME")
                .arg("yes")
                .arg("TYPE")
                .arg("normal"),
        )
        .unwrap();
    assert!(killed >= 1);
    wait_for("the flush", || client.cached_entries() == 0);
    let mut writer = raw(&server);
    let () = writer.set("k", "v3").unwrap();
    wait_for("caching to resume with v3", || {
        let v: String = client.get("k").unwrap();
        v == "v3" && client.cached_entries() == 1
    });
    let () = writer.set("k", "v4").unwrap();
    wait_for("the invalidation after reconnecting", || {
        client.get::<_, String>("k").unwrap() == "v4"
    });
    // Non-cacheable reads and writes are untouched.
    let () = client.set("other", 1).unwrap();
    assert_eq!(client.incr::<_, i64>("other").unwrap(), 2);
}

#[test]
fn the_clients_own_writes_are_read_back_at_once() {
    // The server's invalidation of a write reaches the tracking connection
    // some time after the write's reply: the client must not serve the old
    // value meanwhile.
    let server = RedisServer::start().unwrap();
    let client = Client::builder(Config::tcp("127.0.0.1", server.port()))
        .client_side_cache(CacheOptions {
            max_entries: 100,
            ttl: Duration::from_secs(60),
        })
        .build();
    let () = client.set("k", 0).unwrap();
    wait_for("caching to start", || {
        let _: i64 = client.get("k").unwrap();
        client.cached_entries() == 1
    });
    for i in 1..=2000i64 {
        let () = client.set("k", i).unwrap();
        assert_eq!(
            client.get::<_, i64>("k").unwrap(),
            i,
            "read after write {i}"
        );
        let mut pipe = Pipeline::new();
        pipe.incr("k").ignore();
        let () = client.query_pipeline(&pipe).unwrap();
        assert_eq!(
            client.get::<_, i64>("k").unwrap(),
            i + 1,
            "after a pipeline {i}"
        );
        let () = client.set("k", i).unwrap();
    }
    // Caching still works once the writes stop.
    let hits = client.cache_hits();
    wait_for("a cached read", || {
        assert_eq!(client.get::<_, i64>("k").unwrap(), 2000);
        client.cache_hits() > hits
    });
}
