//! The cluster client against the harness's real clusters: routing by
//! slot, commands split and combined, pipelines across nodes, redirects
//! during resharding, failover, restarts, scans, remapped addresses.

use std::collections::HashSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use integration_tests::migration::Migration;
use integration_tests::proxy::Proxy;
use integration_tests::{RedisCluster, RedisServer};
use redis_blocking::prelude::*;
use redis_blocking::{ClusterClient, Endpoint, ErrorKind, Executed, Monitor, Value};
use resp_core::command::key_slot;

fn client(cluster: &RedisCluster) -> ClusterClient {
    ClusterClient::open(&[&cluster.node(0).url()]).unwrap()
}

/// One key per slot, found by trying `k0`, `k1`, ... in turn.
fn key_per_slot() -> Vec<String> {
    let mut keys: Vec<Option<String>> = vec![None; 16384];
    let mut left = 16384;
    let mut i = 0u64;
    while left > 0 {
        let key = format!("k{i}");
        let slot = usize::from(key_slot(key.as_bytes()));
        if keys[slot].is_none() {
            keys[slot] = Some(key);
            left -= 1;
        }
        i += 1;
    }
    keys.into_iter().map(|k| k.unwrap()).collect()
}

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

#[test]
fn hash_slots_match_the_server() {
    let cluster = RedisCluster::start().unwrap();
    let mut keys: Vec<Vec<u8>> = (0..9_900)
        .map(|i| format!("key:{i}").into_bytes())
        .collect();
    for special in [
        &b""[..],
        b"{}",
        b"{",
        b"}",
        b"}{",
        b"{{a}}",
        b"a{}{b}",
        b"{a}{b}",
        b"{user1000}.following",
        b"foo{}{bar}",
        b"foo{{bar}}zap",
        b"foo{bar}{zap}",
        b"\x00\xff{\x01}\x80",
        b"\xff\xfe\xfd",
    ] {
        keys.push(special.to_vec());
    }
    for i in 0..86u8 {
        keys.push(vec![i, 0, 255 - i, b'{', i, b'}']);
    }
    let mut conn = Connection::open(&Config::tcp("127.0.0.1", cluster.node(0).port())).unwrap();
    let mut pipe = Pipeline::new();
    for key in &keys {
        pipe.cmd("CLUSTER").arg("KEYSLOT").arg(&key[..]);
    }
    let slots: Vec<u16> = conn.query_pipeline(&pipe).unwrap();
    assert_eq!(slots.len(), 10_000);
    for (key, slot) in keys.iter().zip(slots) {
        assert_eq!(key_slot(key), slot, "{:?}", String::from_utf8_lossy(key));
    }
}

#[test]
fn every_slot_reads_and_writes_and_multi_key_commands_split() {
    let cluster = RedisCluster::start().unwrap();
    let c = client(&cluster);
    let keys = key_per_slot();
    let mut pipe = Pipeline::new();
    for (i, key) in keys.iter().enumerate() {
        pipe.set(key, i).ignore();
    }
    let () = c.query_pipeline(&pipe).unwrap();
    let mut pipe = Pipeline::new();
    for key in &keys {
        pipe.get(key);
    }
    let values: Vec<usize> = c.query_pipeline(&pipe).unwrap();
    assert_eq!(values, (0..16384).collect::<Vec<_>>());
    // Single calls, through the typed API (&self, and per-call timeouts).
    let typed = &c;
    for (i, key) in keys.iter().enumerate().step_by(997) {
        assert_eq!(typed.get::<_, usize>(key).unwrap(), i);
        let timed: usize = typed.with_timeout(Duration::from_secs(5)).get(key).unwrap();
        assert_eq!(timed, i);
    }
    // SPUBLISH goes to the channel's slot: no subscriber there, 0.
    assert_eq!(typed.spublish(&keys[42], "hi").unwrap(), 0);
    // MGET across slots, with duplicates, in key order.
    let asked: Vec<&String> = [0, 9000, 3, 0, 16000, 3, 12]
        .iter()
        .map(|&i| &keys[i])
        .collect();
    let got: Vec<Option<usize>> = typed.mget(&asked).unwrap();
    assert_eq!(
        got,
        [
            Some(0),
            Some(9000),
            Some(3),
            Some(0),
            Some(16000),
            Some(3),
            Some(12)
        ]
    );
    // Keyless commands over every primary, combined.
    let size: i64 = c.query(&Cmd::new("DBSIZE")).unwrap();
    assert_eq!(size, 16384);
    let pong: String = c.query(&Cmd::new("PING")).unwrap();
    assert_eq!(pong, "PONG");
    let listed: Vec<String> = c.query(&Cmd::new("KEYS").arg("k1*")).unwrap();
    let expected = keys.iter().filter(|k| k.starts_with("k1")).count();
    assert_eq!(listed.len(), expected);
    // EXISTS and DEL count duplicates as the server does.
    let mut del = Cmd::new("EXISTS");
    for &i in &[1, 2, 1, 5000] {
        del.add_arg(&keys[i]);
    }
    assert_eq!(c.query::<i64>(&del).unwrap(), 4);
    let mut del = Cmd::new("DEL");
    for &i in &[1, 2, 1, 5000, 77] {
        del.add_arg(&keys[i]);
    }
    del.add_arg("missing");
    assert_eq!(c.query::<i64>(&del).unwrap(), 4);
    // MSET across slots.
    let () = c
        .query(
            &Cmd::new("MSET")
                .arg("a")
                .arg(1)
                .arg("b")
                .arg(2)
                .arg("c")
                .arg(3),
        )
        .unwrap();
    let abc: Vec<i64> = typed.mget(["a", "b", "c"]).unwrap();
    assert_eq!(abc, [1, 2, 3]);
    // What cannot be split is refused before anything is sent.
    let before: u64 = cluster.masters().iter().map(|m| calls(m, "msetnx")).sum();
    for cmd in [
        Cmd::new("MSETNX").arg("a").arg(1).arg("b").arg(2),
        Cmd::new("SUNIONSTORE").arg("d").arg("a").arg("b"),
        Cmd::new("EVAL").arg("return 1").arg(2).arg("a").arg("b"),
    ] {
        let e = c.query::<Value>(&cmd).unwrap_err();
        assert_eq!(
            (e.kind(), e.executed()),
            (ErrorKind::InvalidCommand, Executed::No),
            "{e}"
        );
        assert!(e.to_string().contains("CROSSSLOT"), "{e}");
    }
    let after: u64 = cluster.masters().iter().map(|m| calls(m, "msetnx")).sum();
    assert_eq!(before, after);
    // Same slot: fine.
    let () = c
        .query(&Cmd::new("MSETNX").arg("{t}x").arg(1).arg("{t}y").arg(2))
        .map(|_: i64| ())
        .unwrap();
}

#[test]
fn routing_follows_subcommand_key_specs() {
    let cluster = RedisCluster::start().unwrap();
    let c = client(&cluster);
    let _: () = c.query(&Cmd::new("SET").arg("plain").arg("v")).unwrap();
    let _: String = c
        .query(&Cmd::new("XADD").arg("stream").arg("*").arg("f").arg("v"))
        .unwrap();
    let usage: i64 = c
        .query(&Cmd::new("MEMORY").arg("USAGE").arg("plain"))
        .unwrap();
    assert!(usage > 0);
    let encoding: String = c
        .query(&Cmd::new("OBJECT").arg("ENCODING").arg("plain"))
        .unwrap();
    assert_eq!(encoding, "embstr");
    let _: Value = c
        .query(&Cmd::new("XINFO").arg("STREAM").arg("stream"))
        .unwrap();
    let mut pipe = Pipeline::new();
    pipe.cmd("MEMORY").arg("USAGE").arg("plain");
    pipe.cmd("OBJECT").arg("ENCODING").arg("plain");
    pipe.cmd("XINFO").arg("STREAM").arg("stream");
    for result in c.pipeline_results(&pipe) {
        assert!(result.is_ok(), "{result:?}");
    }
}

#[test]
fn transactions_on_one_slot() {
    let cluster = RedisCluster::start().unwrap();
    let c = client(&cluster);
    let (n,): (i64,) = c
        .transaction(&["{acct}:a", "{acct}:b"][..], |conn, pipe| {
            let a: Option<i64> = conn.query(&Cmd::new("GET").arg("{acct}:a"))?;
            pipe.cmd("SET")
                .arg("{acct}:a")
                .arg(a.unwrap_or(0) + 5)
                .ignore();
            pipe.incr("{acct}:b");
            Ok(())
        })
        .unwrap();
    assert_eq!(n, 1);
    let e = c
        .transaction::<_, (), _>(&["x", "y"][..], |_, _| Ok(()))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidCommand, "{e}");
    let e = c.query::<Value>(&Cmd::new("WATCH").arg("x")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidCommand);
    assert!(e.to_string().contains("ClusterClient::transaction"), "{e}");
    // The refusals name what a cluster client offers, not a Client's API.
    let e = c.query::<Value>(&Cmd::new("SELECT").arg(1)).unwrap_err();
    assert_eq!(
        (e.kind(), e.executed()),
        (ErrorKind::InvalidCommand, Executed::No)
    );
    assert!(e.to_string().contains("database 0 only"), "{e}");
    assert!(!e.to_string().contains("Client::connection"), "{e}");
}

/// A transaction's body is checked before anything runs: a key of another
/// slot (on the same node or another) is refused at once, and a mistake
/// the server discards the transaction for (EXECABORT) is reported at
/// once, not retried: the body ran once, nothing of it ran.
#[test]
fn a_transaction_body_outside_its_slot_or_discarded_fails_at_once() {
    let cluster = RedisCluster::start().unwrap();
    let c = client(&cluster);
    let slot = key_slot(b"{acct}:a");
    let node = cluster.node_for_key(b"{acct}:a").unwrap().port();
    // One key on the transaction's node in another slot, one elsewhere.
    let same_node = (0..)
        .map(|i| format!("s{i}"))
        .find(|k| {
            key_slot(k.as_bytes()) != slot
                && cluster.node_for_key(k.as_bytes()).unwrap().port() == node
        })
        .unwrap();
    let other_node = (0..)
        .map(|i| format!("o{i}"))
        .find(|k| cluster.node_for_key(k.as_bytes()).unwrap().port() != node)
        .unwrap();
    for stray in [&same_node, &other_node] {
        let mut runs = 0;
        let started = Instant::now();
        let e = c
            .transaction::<_, (), _>(&["{acct}:a"][..], |_, pipe| {
                runs += 1;
                pipe.set("{acct}:a", 1)
                    .ignore()
                    .set(stray.as_str(), 2)
                    .ignore();
                Ok(())
            })
            .unwrap_err();
        assert_eq!(
            (e.kind(), e.executed()),
            (ErrorKind::InvalidCommand, Executed::No),
            "{stray}: {e}"
        );
        assert!(e.to_string().contains("CROSSSLOT"), "{e}");
        assert_eq!(runs, 1, "{stray}: the body ran {runs} times");
        assert!(started.elapsed() < Duration::from_secs(1), "{e}");
    }
    let execs = calls(cluster.node_for_key(b"{acct}:a").unwrap(), "exec");
    let mut runs = 0;
    let e = c
        .transaction::<_, (), _>(&["{acct}:a"][..], |_, pipe| {
            runs += 1;
            pipe.cmd("SET").arg("{acct}:a").ignore(); // a value missing
            Ok(())
        })
        .unwrap_err();
    assert_eq!(e.executed(), Executed::No, "{e}");
    assert_eq!(
        runs, 1,
        "a discarded transaction was tried {runs} times: {e}"
    );
    assert_eq!(
        calls(cluster.node_for_key(b"{acct}:a").unwrap(), "exec"),
        execs + 1
    );
    let a: Option<i64> = c.get("{acct}:a").unwrap();
    assert_eq!(a, None, "nothing of the refused transactions ran");
}

/// A multi-key command split by slot only when it is well formed: a key
/// without its value is not split (where `MSET a 1` would run on its own
/// node); the server refuses it whole, and nothing is written.
#[test]
fn a_malformed_multi_key_command_is_not_split() {
    let cluster = RedisCluster::start().unwrap();
    let c = client(&cluster);
    let (a, b) = ("a", "b");
    assert_ne!(
        cluster.node_for_key(a.as_bytes()).unwrap().port(),
        cluster.node_for_key(b.as_bytes()).unwrap().port()
    );
    let e = c
        .query::<()>(&Cmd::new("MSET").arg(a).arg("1").arg(b))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Server, "{e}");
    let mut pipe = Pipeline::new();
    pipe.cmd("MSET").arg(a).arg("1").arg(b);
    let results = c.pipeline_results(&pipe);
    assert!(results[0].is_err(), "{results:?}");
    let got: Vec<Option<String>> = c.mget(&[a, b][..]).unwrap();
    assert_eq!(got, [None, None]);
}

#[test]
fn resharding_a_slot_under_load() {
    let cluster = RedisCluster::start().unwrap();
    let c = client(&cluster);
    // Keys in one slot, hash-tagged.
    let keys: Vec<String> = (0..1000).map(|i| format!("{{mig}}:{i}")).collect();
    let slot = key_slot(b"mig");
    for key in &keys[..500] {
        let _: () = c.query(&Cmd::new("SET").arg(key).arg(0)).unwrap();
    }
    let from = cluster.node_for_slot(slot).unwrap();
    let to = cluster
        .masters()
        .into_iter()
        .find(|m| m.port() != from.port())
        .unwrap();
    let mut monitor = Monitor::open(&Config::tcp("127.0.0.1", to.port())).unwrap();
    let migration = Migration::begin(slot, from, to, cluster.masters()).unwrap();
    migration.move_keys(200).unwrap();
    // Half the keys moved: every INCR and GET must find its key, once.
    for key in &keys {
        let n: i64 = c.query(&Cmd::new("INCR").arg(key)).unwrap();
        assert_eq!(n, 1, "{key}");
        if n == 1 {
            let _: Option<i64> = c.query(&Cmd::new("GET").arg(key)).unwrap();
        }
        migration.move_keys(3).unwrap();
    }
    // A multi-key command over a slot split between two nodes.
    let both = [&keys[0], &keys[999]];
    let got = c.query::<Vec<Option<i64>>>(&Cmd::new("MGET").arg(&both[..]));
    match got {
        Ok(v) => assert_eq!(v, [Some(1), Some(1)]),
        Err(e) => assert_eq!(e.code(), Some(&redis_blocking::ErrorCode::TryAgain), "{e}"),
    }
    migration.finish().unwrap();
    for key in &keys {
        let n: i64 = c.query(&Cmd::new("GET").arg(key)).unwrap();
        assert_eq!(n, 1, "{key}");
    }
    // On the target, every command for the slot that came before the end
    // of the migration was preceded by ASKING.
    let mut asking = false;
    let mut redirected = 0;
    while let Some(event) = monitor
        .next_event(Some(Duration::from_millis(200)))
        .unwrap()
    {
        let name = String::from_utf8_lossy(&event.args[0]).to_ascii_uppercase();
        if name == "ASKING" {
            asking = true;
            continue;
        }
        if matches!(name.as_str(), "INCR" | "GET")
            && event.args.len() > 1
            && event.args[1].starts_with(b"{mig}")
        {
            if asking {
                redirected += 1;
            }
            asking = false;
        }
    }
    assert!(redirected > 0, "no ASK redirect was followed");
    assert!(c.refreshes() < 20, "{} refreshes", c.refreshes());
}

/// Two masters that each say the other owns a slot (as happens for a
/// moment while a migration's `SETSLOT NODE` reaches the nodes, or while
/// gossip settles a config-epoch conflict): a call bounces between them.
/// It waits the disagreement out within its deadline, with short pauses,
/// instead of failing after a few hops; and when the disagreement lasts,
/// it fails with the loop named and "did not run".
#[test]
fn a_slot_bouncing_between_masters_is_waited_out() {
    let cluster = RedisCluster::builder()
        .replicas_per_master(0)
        .start()
        .unwrap();
    let key = "bounce";
    let slot = key_slot(key.as_bytes());
    let owner = cluster.node_for_slot(slot).unwrap();
    let other = cluster
        .masters()
        .into_iter()
        .find(|m| m.port() != owner.port())
        .unwrap();
    let owner_id = integration_tests::migration::node_id(owner).unwrap();
    let other_id = integration_tests::migration::node_id(other).unwrap();
    let c = ClusterClient::builder(Config::tcp("127.0.0.1", cluster.node(0).port()))
        .unwrap()
        .timeout(Some(Duration::from_secs(3)))
        .build();
    let _: i64 = c.del(key).unwrap();
    let s = slot.to_string();
    let bounce = || {
        // The owner gives the (empty) slot to the other master, which still
        // believes the owner has it: each sends the call to the other.
        let reply = owner.run(&["CLUSTER", "SETSLOT", &s, "NODE", &other_id]);
        assert!(reply.starts_with("+OK"), "{reply}");
        assert!(owner.run(&["GET", key]).contains("MOVED"));
        assert!(other.run(&["GET", key]).contains("MOVED"));
    };
    let settle = || {
        let reply = owner.run(&["CLUSTER", "SETSLOT", &s, "NODE", &owner_id]);
        assert!(reply.starts_with("+OK"), "{reply}");
    };
    // Settled after 300 ms: the call waits, then runs.
    bounce();
    let started = Instant::now();
    thread::scope(|scope| {
        scope.spawn(|| {
            thread::sleep(Duration::from_millis(300));
            settle();
        });
        let n: i64 = c.incr(key).unwrap();
        assert_eq!(n, 1);
    });
    let waited = started.elapsed();
    assert!(waited >= Duration::from_millis(250), "{waited:?}");
    // Never settled: the call fails at its deadline, saying why, and it
    // did not run.
    let _: i64 = c.del(key).unwrap();
    bounce();
    let started = Instant::now();
    let e = c
        .with_timeout(Duration::from_millis(800))
        .incr::<_, i64>(key)
        .unwrap_err();
    let waited = started.elapsed();
    assert_eq!(e.executed(), Executed::No, "{e}");
    assert!(e.to_string().contains("loop"), "{e}");
    assert!(
        waited >= Duration::from_millis(400) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    settle();
    let n: Option<i64> = c.get(key).unwrap();
    assert_eq!(n, None, "the failed call did not run");
}

#[test]
fn a_cut_node_affects_only_its_commands() {
    let cluster = RedisCluster::start().unwrap();
    let victim = cluster.masters()[0].port();
    let proxy = Proxy::start(cluster.node_by_port(victim).unwrap().addr()).unwrap();
    let proxy_port = proxy.port();
    let c = ClusterClient::builder(Config::tcp("127.0.0.1", cluster.node(0).port()))
        .unwrap()
        .remap(move |e: &Endpoint| {
            if e.port == victim {
                Endpoint::new("127.0.0.1", proxy_port)
            } else {
                e.clone()
            }
        })
        .build();
    let keys = key_per_slot();
    let sample: Vec<&String> = keys.iter().step_by(5).collect();
    let _: i64 = c.query(&Cmd::new("DBSIZE")).unwrap();
    // Cut the victim's replies part way through.
    proxy.cut_after(3_000);
    let mut pipe = Pipeline::new();
    for key in &sample {
        pipe.incr(key.as_str());
    }
    let results = c.pipeline_results(&pipe);
    proxy.clear_cut();
    let victim_slots: HashSet<u16> = (0..16384u16)
        .filter(|&s| cluster.node_for_slot(s).unwrap().port() == victim)
        .collect();
    let (mut on_victim_failed, mut elsewhere_ok) = (0, 0);
    for (key, result) in sample.iter().zip(&results) {
        let on_victim = victim_slots.contains(&key_slot(key.as_bytes()));
        match result {
            Ok(v) => {
                assert_eq!(v, &Value::Integer(1), "{key}");
                if !on_victim {
                    elsewhere_ok += 1;
                }
            }
            Err(e) => {
                assert!(on_victim, "{key} on a healthy node failed: {e}");
                assert_ne!(e.executed(), Executed::Yes, "{e}");
                on_victim_failed += 1;
            }
        }
    }
    assert!(on_victim_failed > 0, "the cut did not land");
    assert_eq!(
        elsewhere_ok,
        sample
            .iter()
            .filter(|k| !victim_slots.contains(&key_slot(k.as_bytes())))
            .count()
    );
    // No counter ran twice, and every node answers its own next commands.
    let mut pipe = Pipeline::new();
    for key in &sample {
        pipe.get(key.as_str());
    }
    let counters: Vec<Option<i64>> = c.query_pipeline(&pipe).unwrap();
    assert!(counters.iter().all(|c| c.unwrap_or(0) <= 1), "{counters:?}");
    for key in sample.iter().take(50) {
        let n: i64 = c.query(&Cmd::new("INCR").arg(key.as_str())).unwrap();
        assert!(n <= 2, "{key}: {n}");
    }
}

/// A master stopped (SIGSTOP) under a pipeline over every master: its
/// commands time out ("may have run"), while the other masters' replies,
/// which arrived while the pipeline waited for the stopped one, are
/// delivered rather than lost to the same deadline.
#[test]
fn a_stopped_node_affects_only_its_commands() {
    let cluster = RedisCluster::start().unwrap();
    let c = ClusterClient::builder(Config::tcp("127.0.0.1", cluster.node(0).port()))
        .unwrap()
        .timeout(Some(Duration::from_millis(600)))
        .build();
    let keys = key_per_slot();
    let sample: Vec<&String> = keys.iter().step_by(16).collect();
    let _: i64 = c.query(&Cmd::new("DBSIZE")).unwrap();
    // The first key's master: its share is the first one read.
    let victim = cluster.node_for_key(sample[0].as_bytes()).unwrap();
    victim.pause().unwrap();
    let mut pipe = Pipeline::new();
    for key in &sample {
        pipe.incr(key.as_str());
    }
    let results = c.pipeline_results(&pipe);
    victim.resume().unwrap();
    let (mut on_victim, mut elsewhere) = (0, 0);
    for (key, result) in sample.iter().zip(&results) {
        if cluster.node_for_key(key.as_bytes()).unwrap().port() == victim.port() {
            let e = result.as_ref().unwrap_err();
            assert_eq!(e.executed(), Executed::Maybe, "{key}: {e}");
            on_victim += 1;
        } else {
            match result {
                Ok(v) => assert_eq!(v, &Value::Integer(1), "{key}"),
                Err(e) => panic!("{key} on a running node failed: {e}"),
            }
            elsewhere += 1;
        }
    }
    assert!(on_victim > 0 && elsewhere > 0);
    // Nothing ran twice; every node answers its next commands.
    let mut pipe = Pipeline::new();
    for key in &sample {
        pipe.get(key.as_str());
    }
    let counters: Vec<Option<i64>> = c.query_pipeline(&pipe).unwrap();
    assert!(counters.iter().all(|n| n.unwrap_or(0) <= 1), "{counters:?}");
}

#[test]
fn a_pipeline_keeps_each_connections_timeout_and_names_each_nodes_failure() {
    let cluster = RedisCluster::start().unwrap();
    // Only the connections' own response timeout: no whole-call timeout.
    let timeout = Duration::from_millis(500);
    let config = Config::tcp("127.0.0.1", cluster.node(0).port()).timeout(Some(timeout));
    let c = ClusterClient::builder(config).unwrap().build();
    let keys = key_per_slot();
    let sample: Vec<&String> = keys.iter().step_by(64).collect();
    let _: i64 = c.query(&Cmd::new("DBSIZE")).unwrap();
    let masters = cluster.masters();
    let stopped = [masters[0].port(), masters[1].port()];
    masters[0].pause().unwrap();
    masters[1].pause().unwrap();
    let mut pipe = Pipeline::new();
    for key in &sample {
        pipe.incr(key.as_str());
    }
    let started = Instant::now();
    let results = c.pipeline_results(&pipe);
    let took = started.elapsed();
    masters[0].resume().unwrap();
    masters[1].resume().unwrap();
    assert!(took < timeout + Duration::from_secs(2), "took {took:?}");
    let mut failed = HashSet::new();
    for (key, result) in sample.iter().zip(&results) {
        let port = cluster.node_for_key(key.as_bytes()).unwrap().port();
        match result {
            Err(e) if stopped.contains(&port) => {
                assert_eq!(e.kind(), redis_blocking::ErrorKind::Timeout, "{key}: {e}");
                assert_eq!(e.executed(), Executed::Maybe, "{key}: {e}");
                // The error is its own node's, not another stopped node's.
                let text = e.to_string();
                assert!(text.contains(&format!(":{port}")), "{key} on {port}: {e}");
                failed.insert(port);
            }
            Ok(v) if !stopped.contains(&port) => assert_eq!(v, &Value::Integer(1), "{key}"),
            other => panic!("{key} on {port}: {other:?}"),
        }
    }
    assert_eq!(failed.len(), 2, "both stopped nodes' commands failed");
}

#[test]
fn the_whole_cluster_restarts_under_the_same_client() {
    let cluster = RedisCluster::start().unwrap();
    let c = client(&cluster);
    let _: () = c.query(&Cmd::new("SET").arg("before").arg(1)).unwrap();
    for node in cluster.nodes() {
        node.stop();
    }
    for node in cluster.nodes() {
        node.restart().unwrap();
    }
    cluster.wait_healthy(Duration::from_secs(30)).unwrap();
    // Persistence is off: the data is gone, but the client finds the
    // cluster again and works.
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        match c.query::<()>(&Cmd::new("SET").arg("after").arg(2)) {
            Ok(()) => break,
            Err(e) => {
                assert!(Instant::now() < deadline, "still failing: {e}");
                thread::sleep(Duration::from_millis(100));
            }
        }
    }
    let v: i64 = c.query(&Cmd::new("GET").arg("after")).unwrap();
    assert_eq!(v, 2);
}

#[test]
fn a_million_sets_across_masters() {
    let cluster = RedisCluster::builder()
        .replicas_per_master(0)
        .start()
        .unwrap();
    let c = client(&cluster);
    let keys = key_per_slot();
    let mut pipe = Pipeline::new();
    for i in 0..1_000_000usize {
        pipe.set(&keys[i % 16384], i).ignore();
    }
    let started = Instant::now();
    let () = c.query_pipeline(&pipe).unwrap();
    let took = started.elapsed();
    let size: i64 = c.query(&Cmd::new("DBSIZE")).unwrap();
    assert_eq!(size, 16384);
    eprintln!("1,000,000 SETs over 3 masters in {took:?}");
    // Memory stays bounded by the pipeline itself: a few dozen bytes a
    // command, not the replies' worth of everything at once.
    let rss = std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find_map(|l| {
            l.strip_prefix("VmHWM:")
                .map(|v| v.trim().trim_end_matches(" kB").parse::<u64>().unwrap())
        })
        .unwrap();
    assert!(rss < 1024 * 1024, "peak resident memory {} MiB", rss / 1024);
}

/// A pipeline sent while it is still being planned (a step of commands at
/// a time) keeps every command's reply in its place and each node's order:
/// keyless commands at the steps' edges, a multi-key command split across
/// slots part way through, reads of keys the same pipeline wrote earlier.
#[test]
fn a_large_mixed_pipeline_keeps_order_and_replies() {
    let cluster = RedisCluster::builder()
        .replicas_per_master(0)
        .start()
        .unwrap();
    let c = client(&cluster);
    let keys = key_per_slot();
    let n = 6000;
    // Keyless commands around where the planning steps end (256, 1280,
    // 5376 commands), an MSET over several slots, GETs and an MGET of
    // keys written before them in the pipeline.
    let keyless = [0, 255, 256, 257, 1279, 1280, 1281, 5375, 5376, n - 1];
    let mut pipe = Pipeline::new();
    let mut expected: Vec<Value> = Vec::new();
    for i in 0..n {
        if keyless.contains(&i) {
            pipe.cmd("ECHO").arg(format!("e{i}"));
            expected.push(Value::Bulk(format!("e{i}").into_bytes().into()));
        } else if i == 600 {
            let mut mset = Cmd::new("MSET");
            for k in &keys[0..8] {
                mset = mset.arg(k.as_str()).arg(format!("m{k}"));
            }
            pipe.add(mset);
            expected.push(Value::Simple(b"OK".to_vec().into()));
        } else if i % 7 == 3 && i > 7 {
            // A key this pipeline set four commands ago.
            let j = i - 4;
            pipe.get(&keys[j % 16384]);
            expected.push(if keyless.contains(&j) || j == 600 || j % 7 == 3 {
                Value::NullBulk
            } else {
                Value::Bulk(j.to_string().into_bytes().into())
            });
        } else if i == 4000 {
            let mut mget = Cmd::new("MGET");
            for k in &keys[0..8] {
                mget = mget.arg(k.as_str());
            }
            pipe.add(mget);
            expected.push(Value::Array(
                keys[0..8]
                    .iter()
                    .map(|k| Value::Bulk(format!("m{k}").into_bytes().into()))
                    .collect(),
            ));
        } else {
            pipe.set(&keys[i % 16384], i);
            expected.push(Value::Simple(b"OK".to_vec().into()));
        }
    }
    let results = c.pipeline_results(&pipe);
    assert_eq!(results.len(), n);
    for (i, (result, want)) in results.iter().zip(&expected).enumerate() {
        assert_eq!(result.as_ref().unwrap(), want, "command {i}");
    }
}

/// The replica of the master at `port`, by `CLUSTER NODES`.
fn replica_of(cluster: &RedisCluster, port: u16) -> u16 {
    let topology = cluster.topology().unwrap();
    let master = topology.iter().find(|n| n.port == port).unwrap();
    topology
        .iter()
        .find(|n| n.master_id.as_deref() == Some(master.id.as_str()))
        .map(|n| n.port)
        .unwrap()
}

#[test]
fn a_master_killed_under_a_writer() {
    let cluster = RedisCluster::builder()
        .node_timeout(Duration::from_millis(1000))
        .start()
        .unwrap();
    let c = ClusterClient::builder(Config::tcp("127.0.0.1", cluster.node(0).port()))
        .unwrap()
        .timeout(Some(Duration::from_secs(5)))
        .build();
    let keys: Vec<String> = key_per_slot().into_iter().step_by(16).collect();
    let victim = cluster.masters()[1].port();
    let heir = replica_of(&cluster, victim);
    let victim_slots: HashSet<u16> = (0..16384u16)
        .filter(|&s| cluster.node_for_slot(s).unwrap().port() == victim)
        .collect();
    let _: i64 = c.query(&Cmd::new("DBSIZE")).unwrap();
    let stop = std::sync::atomic::AtomicBool::new(false);
    let killed_at = std::sync::Mutex::new(None::<Instant>);
    let promoted_at = std::sync::Mutex::new(None::<Instant>);
    let (other_errors, last_affected_error, writes) = thread::scope(|s| {
        // Watch the heir for its promotion.
        s.spawn(|| {
            let heir = cluster.node_by_port(heir).unwrap();
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                if let Ok(integration_tests::Reply::Bulk(info)) =
                    heir.try_query(&["INFO", "replication"])
                {
                    if String::from_utf8_lossy(&info).contains("role:master") {
                        promoted_at.lock().unwrap().get_or_insert(Instant::now());
                        return;
                    }
                }
                thread::sleep(Duration::from_millis(20));
            }
        });
        let writer = s.spawn(|| {
            let mut other_errors = Vec::new();
            let mut last_affected_error = None;
            let mut writes = 0u64;
            let until = Instant::now() + Duration::from_secs(12);
            while Instant::now() < until {
                for key in &keys {
                    match c.query::<()>(&Cmd::new("SET").arg(key).arg("v")) {
                        Ok(()) => writes += 1,
                        Err(e) => {
                            if victim_slots.contains(&key_slot(key.as_bytes())) {
                                last_affected_error = Some(Instant::now());
                            } else {
                                other_errors.push(e.to_string());
                            }
                        }
                    }
                }
            }
            (other_errors, last_affected_error, writes)
        });
        thread::sleep(Duration::from_secs(1));
        cluster.node_by_port(victim).unwrap().kill();
        *killed_at.lock().unwrap() = Some(Instant::now());
        let result = writer.join().unwrap();
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        result
    });
    let killed = killed_at.lock().unwrap().unwrap();
    let promoted = promoted_at.lock().unwrap().expect("the replica took over");
    eprintln!(
        "failover: promoted after {:?}; last error on the dead master's slots {:?} after the kill; {writes} writes; {} map fetches",
        promoted - killed,
        last_affected_error.map(|t| t - killed),
        c.refreshes()
    );
    assert!(
        other_errors.is_empty(),
        "{} errors on healthy slots: {:?}",
        other_errors.len(),
        &other_errors[..other_errors.len().min(3)]
    );
    if let Some(last) = last_affected_error {
        assert!(
            last <= promoted + Duration::from_secs(1),
            "still failing {:?} after the promotion",
            last - promoted
        );
    }
    assert!(c.refreshes() < 80, "{} map fetches", c.refreshes());
}

#[test]
fn scan_returns_every_key_during_resharding() {
    let cluster = RedisCluster::builder()
        .replicas_per_master(0)
        .start()
        .unwrap();
    let c = client(&cluster);
    let keys: Vec<String> = (0..5000).map(|i| format!("scan:{i}")).collect();
    let mut pipe = Pipeline::new();
    for key in &keys {
        pipe.set(key.as_str(), 1).ignore();
    }
    let () = c.query_pipeline(&pipe).unwrap();
    let masters = cluster.masters();
    let mut seen = HashSet::new();
    let mut scan = c.scan_with(Some(b"scan:*"), Some(50), None);
    // Part of the scan, then ten slots move, then the rest.
    for _ in 0..500 {
        if let Some(key) = scan.next() {
            seen.insert(key.unwrap());
        }
    }
    let mut moved = 0;
    for slot in (0..16384u16).step_by(1637).take(10) {
        let from = cluster.node_for_slot(slot).unwrap();
        let to = masters.iter().find(|m| m.port() != from.port()).unwrap();
        let migration = Migration::begin(slot, from, to, masters.clone()).unwrap();
        migration.finish().unwrap();
        moved += 1;
    }
    for key in scan {
        seen.insert(key.unwrap());
    }
    assert_eq!(moved, 10);
    for key in &keys {
        assert!(seen.contains(key.as_bytes()), "{key} was never returned");
    }
}

#[test]
fn announced_hostnames_remapped_to_loopback() {
    let cluster = RedisCluster::builder()
        .replicas_per_master(0)
        .config("cluster-preferred-endpoint-type hostname")
        .start()
        .unwrap();
    for node in cluster.nodes() {
        let name = format!("node-{}.invalid", node.port());
        node.run(&["CONFIG", "SET", "cluster-announce-hostname", &name]);
    }
    // Hostnames travel over the cluster bus: wait until every node knows
    // every node's.
    let names: Vec<String> = cluster
        .nodes()
        .iter()
        .map(|n| format!("node-{}.invalid", n.port()))
        .collect();
    let deadline = Instant::now() + Duration::from_secs(10);
    for node in cluster.nodes() {
        while !names
            .iter()
            .all(|name| node.run(&["CLUSTER", "SHARDS"]).contains(name.as_str()))
        {
            assert!(Instant::now() < deadline, "hostnames not announced");
            thread::sleep(Duration::from_millis(100));
        }
    }
    let remapped = Arc::new(AtomicU64::new(0));
    let counter = remapped.clone();
    let c = ClusterClient::builder(Config::tcp("127.0.0.1", cluster.node(0).port()))
        .unwrap()
        .remap(move |e: &Endpoint| {
            if e.host.ends_with(".invalid") {
                counter.fetch_add(1, Ordering::Relaxed);
                Endpoint::new("127.0.0.1", e.port)
            } else {
                e.clone()
            }
        })
        .build();
    let keys = key_per_slot();
    let mut pipe = Pipeline::new();
    for key in keys.iter().step_by(7) {
        pipe.set(key.as_str(), 1).ignore();
    }
    let () = c.query_pipeline(&pipe).unwrap();
    assert!(
        c.primaries().iter().all(|e| e.host.ends_with(".invalid")),
        "{:?}",
        c.primaries()
    );
    assert!(remapped.load(Ordering::Relaxed) >= 3);
    // A MOVED names a hostname too: move a slot and follow it.
    let slot = key_slot(keys[42].as_bytes());
    let from = cluster.node_for_slot(slot).unwrap();
    let masters = cluster.masters();
    let to = masters.iter().find(|m| m.port() != from.port()).unwrap();
    Migration::begin(slot, from, to, masters.clone())
        .unwrap()
        .finish()
        .unwrap();
    let v: i64 = c.query(&Cmd::new("GET").arg(&keys[42])).unwrap();
    assert_eq!(v, 1);
}

#[test]
fn replica_reads_go_elsewhere_while_a_replica_loads() {
    // Loading slowed down to 100 µs a key, so that a resync takes seconds.
    let cluster = RedisCluster::builder()
        .config("key-load-delay 100")
        .config("loading-process-events-interval-bytes 1024")
        .config("enable-debug-command yes")
        .start()
        .unwrap();
    let c = ClusterClient::builder(Config::tcp("127.0.0.1", cluster.node(0).port()))
        .unwrap()
        .read_from(redis_blocking::ReadFrom::Replica)
        .timeout(Some(Duration::from_secs(5)))
        .build();
    let keys = key_per_slot();
    let mut pipe = Pipeline::new();
    for (i, key) in keys.iter().enumerate() {
        pipe.set(key.as_str(), i).ignore();
    }
    for i in 0..20_000 {
        pipe.set(format!("filler:{i}"), "x").ignore();
    }
    let () = c.query_pipeline(&pipe).unwrap();
    let master = cluster.masters()[0].port();
    let replica = replica_of(&cluster, master);
    let served: Vec<&String> = keys
        .iter()
        .filter(|k| {
            cluster
                .node_for_slot(key_slot(k.as_bytes()))
                .unwrap()
                .port()
                == master
        })
        .collect();
    // Replication is asynchronous: wait until the replica has everything.
    let deadline = Instant::now() + Duration::from_secs(10);
    let replica_node = cluster.node_by_port(replica).unwrap();
    let master_node = cluster.node_by_port(master).unwrap();
    while replica_node.run(&["DBSIZE"]) != master_node.run(&["DBSIZE"]) {
        assert!(Instant::now() < deadline, "replica never caught up");
        thread::sleep(Duration::from_millis(50));
    }
    // Reads of that master's slots go to the replica, once the map shows
    // it online (a fresh replica reports "loading" until its replication
    // offset reaches the cluster bus; the client looks again meanwhile).
    let deadline = Instant::now() + Duration::from_secs(15);
    while calls(replica_node, "get") < 20 {
        assert!(Instant::now() < deadline, "reads never went to the replica");
        for key in served.iter().take(20) {
            let _: i64 = c.query(&Cmd::new("GET").arg(key.as_str())).unwrap();
        }
        thread::sleep(Duration::from_millis(50));
    }
    // The replica reloads its dataset (answering LOADING meanwhile).
    let reload = thread::spawn({
        let port = replica;
        move || {
            std::process::Command::new("redis-cli")
                .args(["-p", &port.to_string(), "DEBUG", "RELOAD"])
                .output()
                .unwrap()
        }
    });
    let mut loading_seen = false;
    let until = Instant::now() + Duration::from_secs(4);
    let mut reads = 0;
    while Instant::now() < until {
        if !loading_seen {
            if let Ok(integration_tests::Reply::Bulk(info)) =
                replica_node.try_query(&["INFO", "persistence"])
            {
                loading_seen |= String::from_utf8_lossy(&info).contains("loading:1");
            }
        }
        for key in served.iter().step_by(37) {
            let i = keys.iter().position(|k| k == *key).unwrap();
            let v: i64 = c.query(&Cmd::new("GET").arg(key.as_str())).unwrap();
            assert_eq!(v as usize, i);
            reads += 1;
        }
    }
    assert!(reload.join().unwrap().status.success());
    assert!(loading_seen, "the replica never loaded");
    // The client met LOADING there, and went to the primary instead.
    let errors = replica_node.run(&["INFO", "errorstats"]);
    assert!(errors.contains("errorstat_LOADING"), "{errors}");
    eprintln!("{reads} reads while the replica loaded, none failed");
}

/// Messages received within `within`, Reconnected markers left out.
fn drain(
    sub: &redis_blocking::ClusterSubscriber,
    want: usize,
    within: Duration,
) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut got = Vec::new();
    let until = Instant::now() + within;
    while got.len() < want {
        let Some(left) = until.checked_duration_since(Instant::now()) else {
            break;
        };
        match sub.recv_timeout(left).unwrap() {
            Some(redis_blocking::Incoming::Message(m)) => got.push((m.channel, m.payload)),
            Some(_) => {}
            None => break,
        }
    }
    got
}

#[test]
fn sharded_pubsub_on_every_master_and_through_a_migration() {
    let cluster = RedisCluster::builder()
        .replicas_per_master(0)
        .start()
        .unwrap();
    let c = client(&cluster);
    let sub = c.subscriber().unwrap();
    let channels: Vec<String> = (0..32).map(|i| format!("news:{i}")).collect();
    sub.ssubscribe(&channels).unwrap();
    // Subscribed on every master that owns one of them, not on one shard.
    assert_eq!(sub.node_count(), 3);
    for channel in &channels {
        let receivers: i64 = c
            .query(&Cmd::new("SPUBLISH").arg(channel.as_str()).arg("hi"))
            .unwrap();
        assert_eq!(receivers, 1, "{channel}");
    }
    let got = drain(&sub, 32, Duration::from_secs(5));
    let received: HashSet<Vec<u8>> = got.iter().map(|(c, _)| c.clone()).collect();
    assert_eq!(received.len(), 32, "{received:?}");
    // Classic channels too.
    sub.subscribe(["plain"]).unwrap();
    // PUBLISH goes to any node and reaches the others over the cluster
    // bus; its count is of the receiving node's own subscribers only.
    let _: i64 = c.query(&Cmd::new("PUBLISH").arg("plain").arg("x")).unwrap();
    assert_eq!(drain(&sub, 1, Duration::from_secs(5)).len(), 1);
    // One channel's slot moves: the server drops the subscription, the
    // subscriber moves it to the new owner.
    let moving = &channels[7];
    let slot = key_slot(moving.as_bytes());
    let from = cluster.node_for_slot(slot).unwrap();
    let masters = cluster.masters();
    let to = masters.iter().find(|m| m.port() != from.port()).unwrap();
    Migration::begin(slot, from, to, masters.clone())
        .unwrap()
        .finish()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let receivers: i64 = c
            .query(&Cmd::new("SPUBLISH").arg(moving.as_str()).arg("after"))
            .unwrap();
        if receivers == 1 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "never resubscribed on the new owner"
        );
        thread::sleep(Duration::from_millis(100));
    }
    let got = drain(&sub, 1, Duration::from_secs(5));
    assert_eq!(got, vec![(moving.as_bytes().to_vec(), b"after".to_vec())]);
    sub.close();
}

/// Three masters, each serving every third slot: the most fragmented map
/// there is (16384 ranges of one slot), built with CLUSTER ADDSLOTS.
fn fragmented() -> Vec<RedisServer> {
    let nodes: Vec<RedisServer> = (0..3)
        .map(|_| {
            RedisServer::builder()
                .cluster()
                .config("cluster-node-timeout 2000")
                .start()
                .unwrap()
        })
        .collect();
    for node in &nodes[1..] {
        nodes[0].run(&["CLUSTER", "MEET", "127.0.0.1", &node.port().to_string()]);
    }
    for (i, node) in nodes.iter().enumerate() {
        let mut args = vec!["CLUSTER".to_string(), "ADDSLOTS".to_string()];
        args.extend(
            (0..16384u16)
                .filter(|s| usize::from(*s) % 3 == i)
                .map(|s| s.to_string()),
        );
        let reply = node.run(&args);
        assert!(reply.starts_with("+OK"), "{reply}");
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    for node in &nodes {
        while !node.run(&["CLUSTER", "INFO"]).contains("cluster_state:ok") {
            assert!(
                Instant::now() < deadline,
                "the fragmented cluster never came up"
            );
            thread::sleep(Duration::from_millis(100));
        }
    }
    nodes
}

#[test]
fn a_fragmented_map_routes_and_refreshes_within_bounds() {
    let nodes = fragmented();
    let c = ClusterClient::open(&[&nodes[0].url()]).unwrap();
    // Every key to the right node (a wrong one would answer MOVED, which
    // is followed, but counted as a map fetch).
    let mut pipe = Pipeline::new();
    for i in 0..20_000 {
        pipe.set(format!("frag:{i}"), i).ignore();
    }
    let () = c.query_pipeline(&pipe).unwrap();
    let mut pipe = Pipeline::new();
    for i in 0..20_000 {
        pipe.get(format!("frag:{i}"));
    }
    let values: Vec<i64> = c.query_pipeline(&pipe).unwrap();
    assert!(values.iter().enumerate().all(|(i, v)| *v == i as i64));
    assert_eq!(c.refreshes(), 1, "the map changed for no reason");
    // One fetch of the whole fragmented map.
    let started = Instant::now();
    c.refresh(Duration::from_secs(5));
    let took = started.elapsed();
    eprintln!("fetching a map of 16,384 one-slot ranges took {took:?}");
    // Slots move under a reader: fetches stay within the rate limit.
    let before: u64 = nodes.iter().map(|n| calls(n, "cluster|shards")).sum();
    let started = Instant::now();
    let masters: Vec<&RedisServer> = nodes.iter().collect();
    let stop = std::sync::atomic::AtomicBool::new(false);
    thread::scope(|s| {
        let reader = s.spawn(|| {
            let mut reads = 0;
            while !stop.load(Ordering::Relaxed) {
                let i = reads % 20_000;
                let v: i64 = c.query(&Cmd::new("GET").arg(format!("frag:{i}"))).unwrap();
                assert_eq!(v, i as i64);
                reads += 1;
            }
            reads
        });
        for slot in (0..16384u16).step_by(163).take(100) {
            let from = &nodes[usize::from(slot) % 3];
            let to = &nodes[(usize::from(slot) + 1) % 3];
            Migration::begin(slot, from, to, masters.clone())
                .unwrap()
                .finish()
                .unwrap();
        }
        stop.store(true, Ordering::Relaxed);
        eprintln!("{} reads while 100 slots moved", reader.join().unwrap());
    });
    let elapsed = started.elapsed();
    let fetches: u64 = nodes
        .iter()
        .map(|n| calls(n, "cluster|shards"))
        .sum::<u64>()
        - before;
    let bound = (elapsed.as_millis() / 200) as u64 + 3;
    eprintln!("{fetches} map fetches in {elapsed:?} (bound {bound})");
    assert!(fetches <= bound, "{fetches} map fetches in {elapsed:?}");
}

#[test]
fn key_prefixes_in_cluster_mode() {
    let cluster = RedisCluster::builder()
        .replicas_per_master(0)
        .start()
        .unwrap();
    let c = ClusterClient::builder(Config::tcp("127.0.0.1", cluster.node(0).port()))
        .unwrap()
        .key_prefix("app:")
        .build();
    let typed = c.clone();
    let () = typed.set("{u}:name", "Ada").unwrap();
    let () = c
        .query(&Cmd::new("MSET").arg("a").arg(1).arg("b").arg(2))
        .unwrap();
    let mut pipe = Pipeline::new();
    pipe.incr("counter").get("a");
    let (n, a): (i64, i64) = c.query_pipeline(&pipe).unwrap();
    assert_eq!((n, a), (1, 1));
    let plain = client(&cluster);
    let name: String = plain.query(&Cmd::new("GET").arg("app:{u}:name")).unwrap();
    assert_eq!(name, "Ada");
    let both: Vec<Option<i64>> = plain
        .query(&Cmd::new("MGET").arg("app:a").arg("app:b").arg("a"))
        .unwrap();
    assert_eq!(both, [Some(1), Some(2), None]);
    assert_eq!(
        plain
            .query::<i64>(&Cmd::new("GET").arg("app:counter"))
            .unwrap(),
        1
    );
}

/// A pipeline of one-key commands with, between them, commands that are
/// not one unit of their own in their place (split over slots, sent to
/// every primary, refused before sending): each command still gets its
/// own result, in order.
#[test]
fn a_pipeline_mixing_split_fanned_and_refused_commands_keeps_each_result() {
    let cluster = RedisCluster::start().unwrap();
    let c = client(&cluster);
    let mut pipe = Pipeline::new();
    pipe.set("a", 1);
    pipe.set("b", 2);
    pipe.cmd("MGET").arg("a").arg("b").arg("c");
    pipe.set("c", 3);
    pipe.cmd("MSETNX").arg("a").arg(1).arg("b").arg(2);
    pipe.incr_by("a", 10);
    pipe.cmd("DBSIZE");
    pipe.cmd("SCAN").arg(0);
    pipe.get("c");
    pipe.cmd("MGET").arg("a").arg("b").arg("c");
    let results = c.pipeline_results(&pipe);
    assert_eq!(results.len(), 10);
    let text = |i: usize| String::from_reply(results[i].as_ref().unwrap().clone()).unwrap();
    let values =
        |i: usize| Vec::<Option<i64>>::from_reply(results[i].as_ref().unwrap().clone()).unwrap();
    let number = |i: usize| i64::from_reply(results[i].as_ref().unwrap().clone()).unwrap();
    for i in [0, 1, 3] {
        assert_eq!(text(i), "OK", "{i}");
    }
    assert_eq!(values(2), [Some(1), Some(2), None]);
    let refused = |i: usize| {
        let e = results[i].as_ref().unwrap_err();
        assert_eq!(
            (e.kind(), e.executed()),
            (ErrorKind::InvalidCommand, Executed::No),
            "{e}"
        );
        e.to_string()
    };
    assert!(refused(4).contains("CROSSSLOT"));
    assert_eq!(number(5), 11);
    assert_eq!(number(6), 3);
    assert!(refused(7).contains("scan"));
    assert_eq!(text(8), "3");
    assert_eq!(values(9), [Some(11), Some(2), Some(3)]);
}
