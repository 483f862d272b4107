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
use redis_blocking::{CacheOptions, Executed, Incoming, Retry, SentinelConfig};

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
    let client = client(&group, "client_name=features&protocol=3");
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
    let client = Client::sentinel(config)
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

#[test]
fn a_stopped_first_sentinel_is_skipped_within_its_timeout() {
    let group = Sentinels::start().unwrap();
    let sentinels = group.sentinels();
    // SIGSTOP: it still accepts connections (the kernel does), but never
    // answers, the worst kind of down.
    sentinels[0].pause().unwrap();
    let client = client(&group, "sentinel_timeout=0.3");
    let started = Instant::now();
    let () = client.set("k", "v").unwrap();
    let first = started.elapsed();
    // One sentinel timeout, then the next one answers.
    assert!(
        first < Duration::from_millis(1500),
        "the first call took {first:?} with a 300 ms sentinel timeout"
    );
    assert_eq!(client.current_master(), Some(tcp(group.initial_master())));
    // The sentinel that answered moved to the front: later connections do
    // not wait for the stopped one again.
    let started = Instant::now();
    for _ in 0..3 {
        let conn = client.connection().unwrap();
        conn.detach();
    }
    let three = started.elapsed();
    assert!(
        three < Duration::from_millis(300),
        "three new connections took {three:?}: the stopped sentinel was asked again"
    );
    println!("first call with the first sentinel stopped: {first:?}; three reconnects: {three:?}");
    sentinels[0].resume().unwrap();
}

#[test]
fn no_sentinel_reachable_and_unknown_master_are_distinct_errors() {
    let group = Sentinels::start().unwrap();
    let addrs = group.sentinel_addrs();

    // An unknown name: every sentinel answers that it does not know it.
    let config = SentinelConfig::from_url(&url(&addrs, "nosuchmaster", "")).unwrap();
    let client = Client::sentinel(config)
        .unwrap()
        .timeout(Some(Duration::from_secs(3)))
        .build();
    let e = client.query::<()>(&Cmd::new("PING")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::UnknownMaster, "{e}");
    assert_eq!((e.executed(), e.retry()), (Executed::No, Retry::Never));
    let attempts = e.sentinel_error().unwrap().attempts();
    assert_eq!(attempts.len(), 3, "{e}");
    assert!(attempts
        .iter()
        .all(|a| a.outcome == "does not know this master"));

    // Every sentinel stopped.
    for sentinel in group.sentinels() {
        sentinel.pause().unwrap();
    }
    let config =
        SentinelConfig::from_url(&url(&addrs, group.master_name(), "sentinel_timeout=0.3"))
            .unwrap();
    let client = Client::sentinel(config)
        .unwrap()
        .timeout(Some(Duration::from_secs(2)))
        .max_retries(0)
        .build();
    let started = Instant::now();
    let e = client.query::<()>(&Cmd::new("PING")).unwrap_err();
    let took = started.elapsed();
    assert_eq!(e.kind(), ErrorKind::NoSentinelReachable, "{e}");
    assert_eq!((e.executed(), e.retry()), (Executed::No, Retry::Safe));
    let attempts = e.sentinel_error().unwrap().attempts();
    // Each sentinel, in order, with its own cause.
    let named: Vec<String> = attempts.iter().map(|a| a.sentinel.clone()).collect();
    let expected: Vec<String> = addrs.iter().map(|a| a.to_string()).collect();
    assert_eq!(named, expected, "{e}");
    assert!(
        attempts.iter().all(|a| a.outcome.contains("timed out")),
        "{e}"
    );
    assert!(took < Duration::from_millis(2500), "{took:?}");
    println!("all sentinels stopped: {e} after {took:?}");
    // A sentinel down for good (refused) says so too.
    group.sentinels()[0].kill();
    let e = client.query::<()>(&Cmd::new("PING")).unwrap_err();
    let attempts = e.sentinel_error().unwrap().attempts();
    assert!(attempts[0].outcome.contains("refused"), "{e}");
    for sentinel in &group.sentinels()[1..] {
        sentinel.resume().unwrap();
    }
}

#[test]
fn the_role_check_rejects_a_stale_sentinels_answer() {
    let group = Sentinels::start().unwrap();
    let replica = &group.initial_replicas()[0];
    // A sentinel that monitors the replica under the same name, first in
    // the list: it names the replica as the master.
    let stale = group.start_stale_sentinel(replica).unwrap();
    let mut addrs = vec![stale.addr()];
    addrs.extend(group.sentinel_addrs());
    let named = stale.query(&["SENTINEL", "GET-MASTER-ADDR-BY-NAME", group.master_name()]);
    assert_eq!(
        named
            .as_array()
            .and_then(|a| a[1].as_str())
            .map(str::to_owned),
        Some(replica.port().to_string())
    );
    let config = SentinelConfig::from_url(&url(&addrs, group.master_name(), "")).unwrap();
    let client = Client::sentinel(config)
        .unwrap()
        .timeout(Some(Duration::from_secs(5)))
        .build();
    let roles_before = stat(replica, "role", "calls");
    for i in 1..=5 {
        let n: i64 = client.incr("counter").unwrap();
        assert_eq!(n, i);
    }
    assert_eq!(client.current_master(), Some(tcp(group.initial_master())));
    // The replica was asked its role, and never sent a write (it would
    // have refused it; the INCRs it ran came by replication).
    assert!(stat(replica, "role", "calls") > roles_before);
    assert_eq!(stat(replica, "incr", "rejected_calls"), 0);
    assert_eq!(
        group.initial_master().query(&["GET", "counter"]),
        Reply::Bulk(b"5".to_vec())
    );
}

#[test]
fn an_admins_replicaof_is_met_with_one_retry() {
    let group = Sentinels::start().unwrap();
    let master = group.initial_master();
    // A server outside the group, for the master to follow a moment.
    let elsewhere = RedisServer::start().unwrap();
    let client = client(&group, "");
    let () = client.set("warm", "up").unwrap();
    let incr_before = stat(master, "incr", "calls");

    // An administrator demotes the master behind the sentinels' back, and
    // takes it back 800 ms later. The sentinels name it all along.
    group.replica_of(master, Some(&elsewhere)).unwrap();
    let restore = thread::spawn({
        let port = master.port();
        move || {
            thread::sleep(Duration::from_millis(800));
            let mut conn = integration_tests::Connection::connect_tcp(
                ([127, 0, 0, 1], port).into(),
                Duration::from_secs(2),
            )
            .unwrap();
            conn.command(&["REPLICAOF", "NO", "ONE"]).unwrap()
        }
    });
    let started = Instant::now();
    let n: i64 = client.incr("counter").unwrap();
    let took = started.elapsed();
    restore.join().unwrap();
    assert_eq!(n, 1);
    assert_eq!(
        master.query(&["GET", "counter"]),
        Reply::Bulk(b"1".to_vec())
    );
    // Refused once (READONLY: it did not run), then run once when the
    // master was one again: never sent to it while it was a replica.
    assert_eq!(stat(master, "incr", "rejected_calls"), 1);
    assert_eq!(stat(master, "incr", "calls") - incr_before, 1);
    assert!(took >= Duration::from_millis(700), "{took:?}");
    println!("INCR across an admin's REPLICAOF: {took:?}");
}

#[test]
fn credentials_for_data_nodes_and_sentinels_are_separate() {
    let group = Sentinels::builder()
        .data_password("data-secret")
        .sentinel_password("sentinel-secret")
        .start()
        .unwrap();
    let addrs = group.sentinel_addrs();
    let name = group.master_name();
    let config = |userinfo: &str, options: &str| {
        let hosts: Vec<String> = addrs.iter().map(|a| a.to_string()).collect();
        let url = format!(
            "redis+sentinel://{userinfo}{}/{name}?{options}",
            hosts.join(",")
        );
        Client::sentinel(SentinelConfig::from_url(&url).unwrap())
            .unwrap()
            .timeout(Some(Duration::from_secs(3)))
            .max_retries(0)
            .build()
    };
    let client = config(":data-secret@", "sentinel_password=sentinel-secret");
    let () = client.set("k", "v").unwrap();
    assert_eq!(client.get::<_, String>("k").unwrap(), "v");

    // The sentinels' password is not the data nodes'.
    let e = config(":data-secret@", "sentinel_password=data-secret")
        .query::<()>(&Cmd::new("PING"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoSentinelReachable, "{e}");
    assert!(e.to_string().contains("wrong password"), "{e}");
    assert!(!format!("{e} {e:?}").contains("secret"), "{e}");
    // And the other way round.
    let e = config(":sentinel-secret@", "sentinel_password=sentinel-secret")
        .query::<()>(&Cmd::new("PING"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Auth, "{e}");
}

#[test]
fn reads_go_to_healthy_replicas_when_asked() {
    let group = Sentinels::builder().replicas(2).start().unwrap();
    let options = "replica_reads=round_robin&replica_fallback=false";
    let client = client(&group, options);
    let () = client.set("k", "v").unwrap();
    // Replication is asynchronous: wait until both replicas have it.
    for replica in group.initial_replicas() {
        integration_tests::wait_for("replication", Duration::from_secs(5), || {
            Ok(match replica.query(&["GET", "k"]) {
                Reply::Bulk(v) if v == b"v" => integration_tests::Check::Done(()),
                other => integration_tests::Check::NotYet(other.to_string()),
            })
        })
        .unwrap();
    }
    // Two connections at once: one on each replica, in turn.
    let handles: Vec<_> = (0..8)
        .map(|_| {
            let client = client.clone();
            thread::spawn(move || {
                for _ in 0..20 {
                    assert_eq!(client.get::<_, String>("k").unwrap(), "v");
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(stat(group.initial_master(), "get", "calls"), 0);
    for replica in group.initial_replicas() {
        assert!(
            stat(replica, "get", "calls") > 0,
            "replica {} read",
            replica.port()
        );
        assert_eq!(stat(replica, "set", "rejected_calls"), 0);
    }
    // A write still goes to the master.
    let () = client.set("k", "w").unwrap();
    assert_eq!(stat(group.initial_master(), "set", "calls"), 2);

    // No replica at all: an error without fallback, the master with it.
    let lonely = Sentinels::builder().replicas(0).start().unwrap();
    let strict = self::client(&lonely, options);
    let e = strict.get::<_, Option<String>>("k").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::NoReplica, "{e}");
    let lenient = self::client(&lonely, "replica_reads=random");
    assert_eq!(lenient.get::<_, Option<String>>("k").unwrap(), None);
    assert_eq!(stat(lonely.initial_master(), "get", "calls"), 1);
}
