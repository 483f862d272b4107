//! Scripts and functions, SCAN iterators and stream consumer groups against
//! a real server.

use std::collections::HashSet;

use integration_tests::RedisServer;
use redis_blocking::commands::XReadOptions;
use redis_blocking::prelude::*;
use redis_blocking::{
    AutoClaim, ConsumerInfo, GroupInfo, PendingSummary, Protocol, StreamInfo, StreamKey,
};

fn conn(server: &RedisServer, protocol: Protocol) -> Connection {
    Connection::open(&Config::tcp("127.0.0.1", server.port()).protocol(protocol)).unwrap()
}

#[test]
fn script_loads_on_noscript() {
    let server = RedisServer::start().unwrap();
    let mut c = conn(&server, Protocol::Resp2);
    let script = Script::new("return redis.call('INCRBY', KEYS[1], ARGV[1])");
    let () = c.script_flush().unwrap();
    assert_eq!(
        c.run_script::<i64>(&script.call().key("n").arg(5)).unwrap(),
        5
    );
    let exists: Vec<bool> = c.script_exists(script.sha1()).unwrap();
    assert_eq!(exists, [true]);
    assert_eq!(
        c.run_script::<i64>(&script.call().key("n").arg(1)).unwrap(),
        6
    );
}

#[test]
fn script_flush_mid_pipeline_runs_each_call_once() {
    let server = RedisServer::start().unwrap();
    let mut c = conn(&server, Protocol::Resp3);
    let script = Script::new("return redis.call('INCR', KEYS[1])");
    let mut pipe = Pipeline::new();
    for _ in 0..50 {
        pipe.run_script(script.call().key("calls"));
    }
    pipe.script_flush().ignore();
    for _ in 0..50 {
        pipe.run_script(script.call().key("calls"));
    }
    let replies: Vec<i64> = c.query_pipeline(&pipe).unwrap();
    assert_eq!(replies.len(), 100);
    assert_eq!(replies[..50], (1..=50).collect::<Vec<_>>()[..]);
    assert_eq!(
        c.get::<_, i64>("calls").unwrap(),
        100,
        "each call ran exactly once"
    );
    let mut sorted = replies.clone();
    sorted.sort();
    assert_eq!(sorted, (1..=100).collect::<Vec<_>>());
    // The same with one result per command: 100 results, the hidden
    // SCRIPT LOADs excluded.
    let () = c.script_flush().unwrap();
    let results = c.pipeline_results(&pipe);
    assert_eq!(results.len(), 101);
    assert!(results.iter().all(|r| r.is_ok()));
    assert_eq!(c.get::<_, i64>("calls").unwrap(), 200);
}

#[test]
fn scripts_in_transactions_and_functions() {
    let server = RedisServer::start().unwrap();
    let mut c = conn(&server, Protocol::Resp2);
    let script = Script::new("return redis.call('SET', KEYS[1], ARGV[1])");
    let () = c.script_flush().unwrap();
    let mut tx = Pipeline::transaction();
    tx.run_script(script.call().key("k").arg("v"));
    tx.get("k");
    let (set, got): (String, String) = c.query_pipeline(&tx).unwrap();
    assert_eq!((set.as_str(), got.as_str()), ("OK", "v"));

    let library = "#!lua name=mylib\nredis.register_function('myget', function(keys) return redis.call('GET', keys[1]) end)\nredis.register_function{function_name='myro', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}";
    let name: String = c.function_load(library, false).unwrap();
    assert_eq!(name, "mylib");
    assert_eq!(c.fcall::<_, _, _, String>("myget", "k", ()).unwrap(), "v");
    assert_eq!(c.fcall_ro::<_, _, _, String>("myro", "k", ()).unwrap(), "v");
    let again = c.function_load::<_, String>(library, false).unwrap_err();
    assert!(again.to_string().contains("already exists"), "{again}");
    let () = c.function_load(library, true).map(|_: String| ()).unwrap();
}

#[test]
fn scans_are_lazy_iterators() {
    let server = RedisServer::start().unwrap();
    let mut c = conn(&server, Protocol::Resp3);
    let mut pipe = Pipeline::new();
    for i in 0..1000 {
        pipe.set(format!("user:{i}"), i).ignore();
        pipe.sadd(format!("set:{}", i % 3), i).ignore();
    }
    pipe.hset_multiple("h", &[("a", 1), ("b", 2), ("c", 3)][..])
        .ignore();
    pipe.zadd_multiple("z", &[(1.5, "x"), (2.5, "y")][..])
        .ignore();
    let () = c.query_pipeline(&pipe).unwrap();

    let keys: HashSet<String> = c
        .scan_iter::<String>(ScanOptions::default().pattern("user:*").count(100))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(keys.len(), 1000);
    let sets: HashSet<String> = c
        .scan_iter::<String>(ScanOptions::default().kind("set"))
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        sets,
        HashSet::from(["set:0".into(), "set:1".into(), "set:2".into()])
    );
    // Lazy: taking 5 keys fetches one page.
    assert_eq!(
        c.scan_iter::<String>(ScanOptions::default().count(10))
            .take(5)
            .count(),
        5
    );
    let fields: Vec<(String, i64)> = c
        .hscan_iter("h", ScanOptions::default())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(fields.len(), 3);
    let members: HashSet<i64> = c
        .sscan_iter("set:1", ScanOptions::default())
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(members.len(), 333);
    let mut scored: Vec<(String, f64)> = c
        .zscan_iter("z", ScanOptions::default())
        .collect::<Result<_, _>>()
        .unwrap();
    scored.sort_by(|a, b| a.1.total_cmp(&b.1));
    assert_eq!(scored, [("x".to_string(), 1.5), ("y".to_string(), 2.5)]);
    // A scan on a key of the wrong type yields the error, then stops.
    let mut bad = c.hscan_iter::<_, (String, String)>("z", ScanOptions::default());
    assert!(bad.next().unwrap().is_err());
    assert!(bad.next().is_none());
}

#[test]
fn consumer_group_processes_10000_entries() {
    let server = RedisServer::start().unwrap();
    for protocol in [Protocol::Resp2, Protocol::Resp3] {
        let mut c = conn(&server, protocol);
        let _: i64 = c.del("jobs").unwrap();
        let mut pipe = Pipeline::new();
        for i in 0..10_000 {
            pipe.xadd("jobs", "*", [("n", i)]).ignore();
        }
        let () = c.query_pipeline(&pipe).unwrap();
        let () = c.xgroup_create("jobs", "workers", "0").unwrap();

        // Two workers share the group; each reads, processes, acknowledges.
        let mut seen = HashSet::new();
        let mut sum = 0i64;
        let mut worker = 0;
        loop {
            let consumer = format!("w{}", worker % 2);
            worker += 1;
            let batch: Vec<StreamKey> = c
                .xreadgroup(
                    "workers",
                    &consumer,
                    "jobs",
                    ">",
                    XReadOptions::default().count(700).block(100),
                )
                .unwrap();
            let Some(stream) = batch.into_iter().next() else {
                break;
            };
            let ids: Vec<String> = stream.entries.iter().map(|e| e.id.clone()).collect();
            for entry in &stream.entries {
                assert!(seen.insert(entry.id.clone()), "delivered twice");
                sum += entry.get_str("n").unwrap().parse::<i64>().unwrap();
            }
            if worker == 3 {
                // Leave this batch pending, to claim it below.
                continue;
            }
            let acked: i64 = c.xack("jobs", "workers", &ids).unwrap();
            assert_eq!(acked as usize, ids.len());
        }
        assert_eq!(seen.len(), 10_000);
        assert_eq!(sum, (0..10_000).sum::<i64>());

        let pending: PendingSummary = c.xpending("jobs", "workers").unwrap();
        assert_eq!(pending.count, 700);
        let claimed: AutoClaim = c.xautoclaim("jobs", "workers", "w9", 0, "0", 1000).unwrap();
        assert_eq!(claimed.entries.len(), 700);
        let ids: Vec<String> = claimed.entries.iter().map(|e| e.id.clone()).collect();
        let _: i64 = c.xack("jobs", "workers", &ids).unwrap();
        let pending: PendingSummary = c.xpending("jobs", "workers").unwrap();
        assert_eq!(pending.count, 0);

        let info: StreamInfo = c.xinfo_stream("jobs").unwrap();
        assert_eq!((info.length, info.groups), (10_000, 1));
        assert_eq!(info.first_entry.unwrap().get_str("n"), Some("0"));
        let groups: Vec<GroupInfo> = c.xinfo_groups("jobs").unwrap();
        assert_eq!((groups[0].name.as_str(), groups[0].pending), ("workers", 0));
        let consumers: Vec<ConsumerInfo> = c.xinfo_consumers("jobs", "workers").unwrap();
        assert_eq!(consumers.len(), 3);
        // A plain XREAD that times out is an empty list.
        let none: Vec<StreamKey> = c
            .xread("jobs", "$", XReadOptions::default().block(50))
            .unwrap();
        assert!(none.is_empty());
    }
}
