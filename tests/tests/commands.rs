//! Typed commands for every data type, in RESP2 and RESP3, against a real
//! server: the same Rust types come out of both protocols.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{Duration, Instant};

use integration_tests::RedisServer;
use redis_blocking::commands::{BitOp, Direction, Expiry, GeoUnit, SetOptions, ZAddOptions};
use redis_blocking::prelude::*;
use redis_blocking::{Protocol, ServerError};

fn each_protocol(test: impl Fn(&mut Connection)) {
    let server = RedisServer::start().unwrap();
    for protocol in [Protocol::Resp2, Protocol::Resp3] {
        let mut conn =
            Connection::open(&Config::tcp("127.0.0.1", server.port()).protocol(protocol)).unwrap();
        conn.flushdb::<()>().unwrap();
        test(&mut conn);
    }
}

#[test]
fn strings() {
    each_protocol(|c| {
        let () = c.set("s", "hello").unwrap();
        assert_eq!(c.get::<_, String>("s").unwrap(), "hello");
        assert_eq!(c.get::<_, Vec<u8>>("s").unwrap(), b"hello");
        assert_eq!(c.get::<_, Option<String>>("missing").unwrap(), None);
        assert!(c.set_nx::<_, _, bool>("s", "x").is_ok_and(|set| !set));
        let old: Option<String> = c
            .set_options(
                "s",
                "bye",
                SetOptions::default().get().expiry(Expiry::Seconds(100)),
            )
            .unwrap();
        assert_eq!(old.as_deref(), Some("hello"));
        assert!((99..=100).contains(&c.ttl::<_, i64>("s").unwrap()));
        assert_eq!(c.append::<_, _, i64>("s", "!").unwrap(), 4);
        assert_eq!(c.strlen::<_, i64>("s").unwrap(), 4);
        assert_eq!(c.get_range::<_, String>("s", 0, 1).unwrap(), "by");
        assert_eq!(c.incr::<_, i64>("n").unwrap(), 1);
        assert_eq!(c.incr_by::<_, i64>("n", 10).unwrap(), 11);
        assert_eq!(c.decr_by::<_, i64>("n", 2).unwrap(), 9);
        assert_eq!(c.incr_by_float::<_, f64>("f", 1.5).unwrap(), 1.5);
        let () = c.mset(&[("a", "1"), ("b", "2")][..]).unwrap();
        let values: Vec<Option<i64>> = c.mget(&["a", "b", "zz"][..]).unwrap();
        assert_eq!(values, [Some(1), Some(2), None]);
        assert_eq!(c.get_del::<_, String>("a").unwrap(), "1");
        assert_eq!(c.exists::<_, i64>("a").unwrap(), 0);
        let () = c.set("x1", "ohmytext").unwrap();
        let () = c.set("x2", "mynewtext").unwrap();
        assert_eq!(c.lcs::<_, _, String>("x1", "x2").unwrap(), "mytext");
    });
}

#[test]
fn keys_and_expiry() {
    each_protocol(|c| {
        let () = c.set("k", 1).unwrap();
        assert_eq!(c.key_type::<_, String>("k").unwrap(), "string");
        assert!(c.expire::<_, bool>("k", 50).unwrap());
        assert!(c.pttl::<_, i64>("k").unwrap() > 40_000);
        assert!(c.persist::<_, bool>("k").unwrap());
        assert_eq!(c.ttl::<_, i64>("k").unwrap(), -1);
        let () = c.rename("k", "k2").unwrap();
        assert!(c.copy::<_, _, bool>("k2", "k3").unwrap());
        assert_eq!(
            c.keys::<_, HashSet<String>>("k*").unwrap(),
            HashSet::from(["k2".into(), "k3".into()])
        );
        assert_eq!(c.del::<_, i64>(&["k2", "k3", "nope"][..]).unwrap(), 2);
        assert_eq!(c.object_encoding("k2").unwrap(), None);
    });
}

#[test]
fn hashes() {
    each_protocol(|c| {
        assert_eq!(
            c.hset_multiple::<_, _, i64>("h", &[("a", 1), ("b", 2)][..])
                .unwrap(),
            2
        );
        assert_eq!(c.hget::<_, _, i64>("h", "a").unwrap(), 1);
        let all: HashMap<String, i64> = c.hgetall("h").unwrap();
        assert_eq!(all, HashMap::from([("a".into(), 1), ("b".into(), 2)]));
        let sorted: BTreeMap<String, String> = c.hgetall("h").unwrap();
        assert_eq!(sorted.len(), 2);
        let pairs: Vec<(String, i64)> = c.hgetall("h").unwrap();
        assert_eq!(pairs.len(), 2);
        assert_eq!(c.hincr_by::<_, _, i64>("h", "a", 5).unwrap(), 6);
        assert_eq!(c.hincr_by_float::<_, _, f64>("h", "f", 0.25).unwrap(), 0.25);
        assert!(c.hexists::<_, _, bool>("h", "b").unwrap());
        let got: (Option<i64>, Option<i64>) = c.hmget("h", &["a", "zz"][..]).unwrap();
        assert_eq!(got, (Some(6), None));
        assert_eq!(c.hlen::<_, i64>("h").unwrap(), 3);
        assert_eq!(c.hdel::<_, _, i64>("h", &["a", "b"][..]).unwrap(), 2);
        assert_eq!(c.hkeys::<_, Vec<String>>("h").unwrap(), ["f"]);
        // RESP3 pairs from HRANDFIELD WITHVALUES arrive nested; RESP2 flat.
        let rand: Vec<(String, f64)> = c
            .query(&Cmd::new("HRANDFIELD").arg("h").arg(1).arg("WITHVALUES"))
            .unwrap();
        assert_eq!(rand, [("f".to_string(), 0.25)]);
    });
}

#[test]
fn lists_and_blocking_pops() {
    each_protocol(|c| {
        assert_eq!(c.rpush::<_, _, i64>("l", &["a", "b", "c"][..]).unwrap(), 3);
        assert_eq!(c.lpush::<_, _, i64>("l", "z").unwrap(), 4);
        assert_eq!(
            c.lrange::<_, Vec<String>>("l", 0, -1).unwrap(),
            ["z", "a", "b", "c"]
        );
        assert_eq!(
            c.lpop::<_, Option<String>>("l", None).unwrap().as_deref(),
            Some("z")
        );
        assert_eq!(c.rpop::<_, Vec<String>>("l", Some(2)).unwrap(), ["c", "b"]);
        assert_eq!(
            c.lmove::<_, _, String>("l", "m", Direction::Left, Direction::Right)
                .unwrap(),
            "a"
        );
        assert_eq!(c.llen::<_, i64>("m").unwrap(), 1);
        let popped: Option<(String, String)> = c.blpop(&["empty", "m"][..], 1.0).unwrap();
        assert_eq!(popped, Some(("m".into(), "a".into())));
        // A blocking pop longer than the connection's timeout is allowed:
        // its own timeout extends the deadline.
        c.set_timeout(Some(Duration::from_millis(100)));
        let started = Instant::now();
        let none: Option<(String, String)> = c.brpop("empty", 0.3).unwrap();
        assert_eq!(none, None);
        assert!(started.elapsed() >= Duration::from_millis(290));
        c.set_timeout(None);
        let () = c.rpush("l2", &["x", "y"][..]).unwrap();
        let popped = c
            .lmpop::<_, String>("l2", Direction::Right, 5)
            .unwrap()
            .unwrap();
        assert_eq!(
            (popped.key_str(), &popped.items[..]),
            (Some("l2"), &["y".to_string(), "x".to_string()][..])
        );
    });
}

#[test]
fn sets() {
    each_protocol(|c| {
        assert_eq!(c.sadd::<_, _, i64>("s1", &["a", "b", "c"][..]).unwrap(), 3);
        let () = c.sadd("s2", &["b", "c", "d"][..]).unwrap();
        let members: HashSet<String> = c.smembers("s1").unwrap();
        assert_eq!(members.len(), 3);
        assert!(c.sismember::<_, _, bool>("s1", "a").unwrap());
        assert_eq!(
            c.smismember::<_, _, Vec<bool>>("s1", &["a", "z"][..])
                .unwrap(),
            [true, false]
        );
        let inter: HashSet<String> = c.sinter(&["s1", "s2"][..]).unwrap();
        assert_eq!(inter, HashSet::from(["b".into(), "c".into()]));
        assert_eq!(c.sintercard::<_, i64>(&["s1", "s2"][..], 0).unwrap(), 2);
        assert_eq!(
            c.sunionstore::<_, _, i64>("u", &["s1", "s2"][..]).unwrap(),
            4
        );
        assert!(c.smove::<_, _, _, bool>("s1", "s2", "a").unwrap());
        assert_eq!(c.scard::<_, i64>("s1").unwrap(), 2);
    });
}

#[test]
fn sorted_sets_with_scores() {
    each_protocol(|c| {
        assert_eq!(
            c.zadd_multiple::<_, _, i64>("z", &[(1.5, "a"), (2.5, "b"), (3.0, "c")][..])
                .unwrap(),
            3
        );
        assert_eq!(c.zscore::<_, _, f64>("z", "b").unwrap(), 2.5);
        assert_eq!(c.zscore::<_, _, Option<f64>>("z", "nope").unwrap(), None);
        let ranked: Vec<(String, f64)> = c.zrange_with_scores("z", 0, -1).unwrap();
        assert_eq!(
            ranked,
            [("a".into(), 1.5), ("b".into(), 2.5), ("c".into(), 3.0)]
        );
        let rev: Vec<String> = c.zrevrange("z", 0, 0).unwrap();
        assert_eq!(rev, ["c"]);
        assert_eq!(
            c.zrange_by_score::<_, _, _, Vec<String>>("z", "(1.5", "+inf")
                .unwrap(),
            ["b", "c"]
        );
        assert_eq!(c.zincr_by::<_, _, f64>("z", "a", 10.0).unwrap(), 11.5);
        assert_eq!(c.zrank::<_, _, Option<i64>>("z", "a").unwrap(), Some(2));
        assert_eq!(c.zcount::<_, _, _, i64>("z", "-inf", "inf").unwrap(), 3);
        let added: i64 = c
            .zadd_options(
                "z",
                ZAddOptions::default().only_existing().changed(),
                &[(7.0, "b"), (8.0, "new")][..],
            )
            .unwrap();
        assert_eq!(added, 1);
        let popped: Vec<(String, f64)> = c.zpop_min("z", 1).unwrap();
        assert_eq!(popped, [("c".into(), 3.0)]);
        let blocked: Option<(String, String, f64)> = c.bzpop_max("z", 1.0).unwrap();
        assert_eq!(blocked, Some(("z".into(), "a".into(), 11.5)));
        let scores: Vec<Option<f64>> = c.zmscore("z", &["b", "zz"][..]).unwrap();
        assert_eq!(scores, [Some(7.0), None]);
        assert_eq!(
            c.zunionstore::<_, _, i64>("zu", "z", Default::default())
                .unwrap(),
            1
        );
    });
}

#[test]
fn streams_hyperloglog_bitmaps_geo() {
    each_protocol(|c| {
        let id: String = c.xadd("st", "*", &[("field", "value")][..]).unwrap();
        assert!(id.contains('-'));
        assert_eq!(c.xlen::<_, i64>("st").unwrap(), 1);
        let entries = c.xrange("st", "-", "+").unwrap();
        assert_eq!(entries[0].get_str("field"), Some("value"));
        let () = c.xgroup_create("st", "g", "0").unwrap();

        assert!(c
            .pfadd::<_, _, bool>("hll", &["a", "b", "c", "a"][..])
            .unwrap());
        assert_eq!(c.pfcount::<_, i64>("hll").unwrap(), 3);

        assert_eq!(c.setbit::<_, i64>("bits", 7, true).unwrap(), 0);
        assert_eq!(c.getbit::<_, i64>("bits", 7).unwrap(), 1);
        assert_eq!(c.bitcount::<_, i64>("bits").unwrap(), 1);
        assert_eq!(c.bitop::<_, _, i64>(BitOp::Not, "inv", "bits").unwrap(), 1);
        assert!(c.bitpos::<_, i64>("inv", false).unwrap() == 7);

        let added: i64 = c
            .geo_add(
                "geo",
                &[
                    (13.361389, 38.115556, "Palermo"),
                    (15.087269, 37.502669, "Catania"),
                ][..],
            )
            .unwrap();
        assert_eq!(added, 2);
        let km: f64 = c
            .geo_dist("geo", "Palermo", "Catania", GeoUnit::Kilometers)
            .unwrap();
        assert!((km - 166.27).abs() < 0.1, "{km}");
        let near: Vec<String> = c
            .geo_search_radius("geo", 15.0, 37.0, 200.0, GeoUnit::Kilometers)
            .unwrap();
        assert_eq!(near, ["Catania", "Palermo"]);
        let pos: Vec<Option<(f64, f64)>> = c.geo_pos("geo", &["Palermo", "nowhere"][..]).unwrap();
        assert!(pos[0].is_some_and(|(lon, _)| (lon - 13.36).abs() < 0.01) && pos[1].is_none());
    });
}

#[test]
fn resp3_native_types() {
    let server = RedisServer::start().unwrap();
    let mut c =
        Connection::open(&Config::tcp("127.0.0.1", server.port()).protocol(Protocol::Resp3))
            .unwrap();
    let () = c.hset("h", "f", "v").unwrap();
    // A RESP3 map, a set, a double, a boolean and a big number as values.
    assert!(matches!(c.hgetall::<_, Value>("h").unwrap(), Value::Map(_)));
    let () = c.sadd("s", "m").unwrap();
    assert!(matches!(
        c.smembers::<_, Value>("s").unwrap(),
        Value::Set(_)
    ));
    let () = c.zadd("z", "m", 1.25).unwrap();
    assert_eq!(
        c.zscore::<_, _, Value>("z", "m").unwrap(),
        Value::Double("1.25".into())
    );
    let t: bool = c
        .query(&Cmd::new("EVAL").arg("return true").arg(0))
        .unwrap();
    assert!(t);
    let big: Value = c
        .query(&Cmd::new("DEBUG").arg("PROTOCOL").arg("bignum"))
        .unwrap();
    assert!(matches!(big, Value::BigNumber(_)));
    let big: String = c
        .query(&Cmd::new("DEBUG").arg("PROTOCOL").arg("bignum"))
        .unwrap();
    assert_eq!(big, "1234567999999999999999999999999999999");
    let b: bool = c
        .query(&Cmd::new("DEBUG").arg("PROTOCOL").arg("true"))
        .unwrap();
    assert!(b);
    let d: f64 = c
        .query(&Cmd::new("DEBUG").arg("PROTOCOL").arg("double"))
        .unwrap();
    assert_eq!(d.to_string(), "3.141");
    let attrib: Value = c
        .query(&Cmd::new("DEBUG").arg("PROTOCOL").arg("attrib"))
        .unwrap();
    assert!(matches!(attrib, Value::Attributed(_)));
    let stripped: String = c
        .query(&Cmd::new("DEBUG").arg("PROTOCOL").arg("attrib"))
        .unwrap();
    assert_eq!(stripped, "Some real reply following the attribute");
    let verbatim: String = c.info(()).unwrap();
    assert!(verbatim.contains("redis_version"));
    // Errors as values in a tuple.
    let () = c.set("str", "x").unwrap();
    let mut pipe = Pipeline::new();
    pipe.lpush("str", "y").get("str");
    let (e, v): (Result<i64, ServerError>, String) = c.query_pipeline(&pipe).unwrap();
    assert!(e.is_err() && v == "x");
}
