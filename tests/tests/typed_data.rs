//! Every typed method and option builder of the data-type groups against a
//! real server, in RESP2 and RESP3; each test ends by checking with `INFO
//! commandstats` that every command its group's methods send really ran.

mod typed_support;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{SystemTime, UNIX_EPOCH};

use integration_tests::RedisServer;
use redis_blocking::commands::{
    Aggregate, BitField, BitOffset, BitOp, BitRange, BitType, CombineOptions, CopyOptions,
    Direction, ExpireCondition, Expiry, GeoAddOptions, GeoSearch, GeoUnit, LcsOptions, LposOptions,
    MigrateOptions, MinMax, Overflow, RestoreOptions, SetOptions, SortOptions, ZAddOptions,
    ZRangeOptions,
};
use redis_blocking::prelude::*;
use redis_blocking::GeoMatch;
use typed_support::each_protocol;

fn unix_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn strings_and_set_options() {
    let server = RedisServer::start().unwrap();
    each_protocol(&server, "StringCommands", |c, _| {
        let () = c.set("s", "hello").unwrap();
        assert_eq!(c.get::<_, String>("s").unwrap(), "hello");
        assert_eq!(c.get::<_, Option<String>>("missing").unwrap(), None);
        // NX on an existing key: nil, nothing written.
        let r: Option<String> = c
            .set_options("s", "x", SetOptions::default().only_if_absent())
            .unwrap();
        assert_eq!(r, None);
        // XX + GET + EX: the old value, the new one written with its TTL.
        let old: Option<String> = c
            .set_options(
                "s",
                "bye",
                SetOptions::default()
                    .only_if_present()
                    .get()
                    .expiry(Expiry::Seconds(100)),
            )
            .unwrap();
        assert_eq!(old.as_deref(), Some("hello"));
        assert!((99..=100).contains(&c.ttl::<_, i64>("s").unwrap()));
        // KEEPTTL keeps it across a write.
        let () = c
            .set_options("s", "kept", SetOptions::default().expiry(Expiry::Keep))
            .unwrap();
        assert!(c.ttl::<_, i64>("s").unwrap() > 90);
        // XX on a missing key: nil.
        let r: Option<String> = c
            .set_options("nope", 1, SetOptions::default().only_if_present())
            .unwrap();
        assert_eq!((r, c.exists::<_, i64>("nope").unwrap()), (None, 0));
        let () = c
            .set_options(
                "px",
                1,
                SetOptions::default().expiry(Expiry::Millis(50_000)),
            )
            .unwrap();
        assert!((40_000..=50_000).contains(&c.pttl::<_, i64>("px").unwrap()));
        let at = unix_secs() + 1000;
        let () = c
            .set_options(
                "exat",
                1,
                SetOptions::default().expiry(Expiry::AtSeconds(at as u64)),
            )
            .unwrap();
        assert_eq!(c.expire_time::<_, i64>("exat").unwrap(), at);
        let () = c
            .set_options(
                "pxat",
                1,
                SetOptions::default().expiry(Expiry::AtMillis(at as u64 * 1000 + 7)),
            )
            .unwrap();
        assert_eq!(c.pexpire_time::<_, i64>("pxat").unwrap(), at * 1000 + 7);

        assert!(c.set_nx::<_, _, bool>("nx", 1).unwrap());
        assert!(!c.set_nx::<_, _, bool>("nx", 2).unwrap());
        let () = c.set_ex("ex", "v", 30).unwrap();
        assert!((29..=30).contains(&c.ttl::<_, i64>("ex").unwrap()));
        let () = c.pset_ex("pex", "v", 30_000).unwrap();
        assert!(c.pttl::<_, i64>("pex").unwrap() > 29_000);
        // GETEX: an expiry set, then removed with PERSIST (Expiry::Keep).
        assert_eq!(
            c.get_ex::<_, String>("nx", Expiry::Seconds(5)).unwrap(),
            "1"
        );
        assert!((4..=5).contains(&c.ttl::<_, i64>("nx").unwrap()));
        assert_eq!(c.get_ex::<_, String>("nx", Expiry::Keep).unwrap(), "1");
        assert_eq!(c.ttl::<_, i64>("nx").unwrap(), -1);
        assert_eq!(
            c.get_del::<_, Option<String>>("nx").unwrap().as_deref(),
            Some("1")
        );
        assert_eq!(c.get_del::<_, Option<String>>("nx").unwrap(), None);

        let () = c.set("r", "Hello World").unwrap();
        assert_eq!(c.set_range::<_, _, i64>("r", 6, "Redis").unwrap(), 11);
        assert_eq!(c.get_range::<_, String>("r", 0, 4).unwrap(), "Hello");
        assert_eq!(c.append::<_, _, i64>("r", "!").unwrap(), 12);
        assert_eq!(c.strlen::<_, usize>("r").unwrap(), 12);
        assert_eq!(c.incr::<_, i64>("n").unwrap(), 1);
        assert_eq!(c.incr_by::<_, i64>("n", 10).unwrap(), 11);
        assert_eq!(c.decr::<_, i64>("n").unwrap(), 10);
        assert_eq!(c.decr_by::<_, i64>("n", 4).unwrap(), 6);
        assert_eq!(c.incr_by_float::<_, f64>("n", 0.5).unwrap(), 6.5);

        let pairs = BTreeMap::from([("m1", 1), ("m2", 2)]);
        let () = c.mset(&pairs).unwrap();
        let values: Vec<Option<i64>> = c.mget(["m1", "m2", "m3"]).unwrap();
        assert_eq!(values, [Some(1), Some(2), None]);
        assert!(!c.mset_nx::<_, bool>([("m2", 0), ("m3", 3)]).unwrap());
        assert!(c.mset_nx::<_, bool>([("m3", 3), ("m4", 4)]).unwrap());

        let () = c
            .mset([("key1", "ohmytext"), ("key2", "mynewtext")])
            .unwrap();
        assert_eq!(c.lcs::<_, _, String>("key1", "key2").unwrap(), "mytext");
        assert_eq!(c.lcs_len("key1", "key2").unwrap(), 6);
        let idx = c
            .lcs_idx(
                "key1",
                "key2",
                LcsOptions::default().min_match_len(4).with_match_len(),
            )
            .unwrap();
        assert_eq!(idx.len, 6);
        assert_eq!(idx.matches.len(), 1);
        assert_eq!(
            (
                idx.matches[0].first,
                idx.matches[0].second,
                idx.matches[0].len
            ),
            ((4, 7), (5, 8), Some(4))
        );
        let all = c.lcs_idx("key1", "key2", LcsOptions::default()).unwrap();
        assert_eq!((all.matches.len(), all.matches[1].len), (2, None));
    });
}

#[test]
fn keys_expiry_conditions_copy_restore_sort_migrate() {
    let server = RedisServer::start().unwrap();
    let target = RedisServer::builder()
        .requirepass("pw")
        .user("mover", "pw2", "~* +@all")
        .start()
        .unwrap();
    each_protocol(&server, "KeyCommands", |c, _| {
        let () = c.set("k", 1).unwrap();
        assert_eq!(c.key_type::<_, String>("k").unwrap(), "string");
        // EXPIRE NX: only without a TTL; XX: only with one; GT/LT compare.
        assert!(c
            .expire_options::<_, bool>("k", 100, ExpireCondition::NoExpiry)
            .unwrap());
        assert!(!c
            .expire_options::<_, bool>("k", 200, ExpireCondition::NoExpiry)
            .unwrap());
        assert!(!c
            .expire_options::<_, bool>("k", 50, ExpireCondition::Later)
            .unwrap());
        assert!(c
            .expire_options::<_, bool>("k", 200, ExpireCondition::Later)
            .unwrap());
        assert!(c
            .expire_options::<_, bool>("k", 150, ExpireCondition::Sooner)
            .unwrap());
        assert!(c
            .expire_options::<_, bool>("k", 140, ExpireCondition::HasExpiry)
            .unwrap());
        assert!((139..=140).contains(&c.ttl::<_, i64>("k").unwrap()));
        assert!(c.persist::<_, bool>("k").unwrap());
        assert!(!c
            .pexpire_options::<_, bool>("k", 1000, ExpireCondition::HasExpiry)
            .unwrap());
        assert!(c.pexpire::<_, bool>("k", 90_000).unwrap());
        assert!(c
            .pexpire_options::<_, bool>("k", 80_000, ExpireCondition::Sooner)
            .unwrap());
        assert!(c.pttl::<_, i64>("k").unwrap() <= 80_000);
        let at = unix_secs() + 500;
        assert!(c.expire_at::<_, bool>("k", at).unwrap());
        assert!(!c
            .expire_at_options::<_, bool>("k", at - 10, ExpireCondition::Later)
            .unwrap());
        assert!(c
            .expire_at_options::<_, bool>("k", at + 10, ExpireCondition::Later)
            .unwrap());
        assert_eq!(c.expire_time::<_, i64>("k").unwrap(), at + 10);
        assert!(c.pexpire_at::<_, bool>("k", at * 1000).unwrap());
        assert!(c
            .pexpire_at_options::<_, bool>("k", at * 1000 - 1, ExpireCondition::Sooner)
            .unwrap());
        assert_eq!(c.pexpire_time::<_, i64>("k").unwrap(), at * 1000 - 1);
        assert!(c.expire::<_, bool>("k", 60).unwrap());
        assert_eq!(c.ttl::<_, i64>("missing").unwrap(), -2);

        let () = c.rename("k", "k2").unwrap();
        assert!(!c.rename_nx::<_, _, bool>("k2", "k2").unwrap());
        assert!(c.copy::<_, _, bool>("k2", "k3").unwrap());
        assert!(!c.copy::<_, _, bool>("k2", "k3").unwrap());
        let () = c.set("k2", "new").unwrap();
        assert!(c
            .copy_options::<_, _, bool>("k2", "k3", CopyOptions::default().replace())
            .unwrap());
        assert_eq!(c.get::<_, String>("k3").unwrap(), "new");
        assert!(c
            .copy_options::<_, _, bool>("k2", "other-db", CopyOptions::default().db(1))
            .unwrap());
        assert!(c.move_key::<_, bool>("k3", 1).unwrap());
        let () = c.select_db(1).unwrap();
        let mut there: Vec<String> = c.keys("*").unwrap();
        there.sort();
        assert_eq!(there, ["k3", "other-db"]);
        let () = c.select_db(0).unwrap();
        assert_eq!(c.exists::<_, i64>(["k2", "k3"]).unwrap(), 1);
        assert_eq!(c.touch::<_, i64>(["k2", "nope"]).unwrap(), 1);
        assert_eq!(
            c.random_key::<Option<String>>().unwrap().as_deref(),
            Some("k2")
        );

        // DUMP and RESTORE with each option.
        let () = c.rpush("list", ["a", "b"]).unwrap();
        let dump: Vec<u8> = c.dump("list").unwrap();
        let busy = c.restore::<_, _, ()>("list", 0, &dump).unwrap_err();
        assert_eq!(busy.code(), Some(&ErrorCode::BusyKey));
        let () = c
            .restore_options(
                "list",
                0,
                &dump,
                RestoreOptions::default().replace().idle_time(1000),
            )
            .unwrap();
        assert!(c.object_idletime("list").unwrap().unwrap() >= 1000);
        let deadline = (unix_secs() + 100) as u64 * 1000;
        let () = c
            .restore_options(
                "copy",
                deadline,
                &dump,
                RestoreOptions::default().abs_ttl().freq(5),
            )
            .unwrap();
        assert!((98_000..=100_000).contains(&c.pttl::<_, i64>("copy").unwrap()));
        let () = c.restore("fresh", 0, &dump).unwrap();
        assert_eq!(
            c.lrange::<_, Vec<String>>("fresh", 0, -1).unwrap(),
            ["a", "b"]
        );
        let () = c.set("int", 12).unwrap();
        assert_eq!(c.object_encoding("int").unwrap().as_deref(), Some("int"));
        assert_eq!(c.object_encoding("missing").unwrap(), None);
        assert!(c.object_refcount("fresh").unwrap().unwrap() >= 1);
        // OBJECT FREQ needs an LFU policy (and OBJECT IDLETIME refuses one).
        let e = c.object_freq("fresh").unwrap_err();
        assert!(e.to_string().contains("LFU"), "{e}");
        let () = c.config_set("maxmemory-policy", "allkeys-lfu").unwrap();
        assert!(c.object_freq("fresh").unwrap().is_some());
        let () = c.config_set("maxmemory-policy", "noeviction").unwrap();

        // SORT with every option, SORT_RO, SORT ... STORE.
        let () = c.rpush("ids", [3, 1, 2]).unwrap();
        let () = c
            .mset([
                ("w_1", "30"),
                ("w_2", "10"),
                ("w_3", "20"),
                ("name_1", "one"),
                ("name_2", "two"),
                ("name_3", "three"),
            ])
            .unwrap();
        assert_eq!(
            c.sort::<_, Vec<i64>>("ids", SortOptions::default())
                .unwrap(),
            [1, 2, 3]
        );
        assert_eq!(
            c.sort::<_, Vec<i64>>("ids", SortOptions::default().by("w_*"))
                .unwrap(),
            [2, 3, 1]
        );
        let names: Vec<String> = c
            .sort(
                "ids",
                SortOptions::default()
                    .by("w_*")
                    .desc()
                    .limit(0, 2)
                    .get("#")
                    .get("name_*"),
            )
            .unwrap();
        assert_eq!(names, ["1", "one", "3", "three"]);
        let () = c.rpush("words", ["b", "c", "a"]).unwrap();
        assert_eq!(
            c.sort_ro::<_, Vec<String>>("words", SortOptions::default().alpha())
                .unwrap(),
            ["a", "b", "c"]
        );
        assert_eq!(
            c.sort_store::<_, _, i64>("ids", SortOptions::default().desc(), "sorted")
                .unwrap(),
            3
        );
        assert_eq!(c.lrange::<_, Vec<i64>>("sorted", 0, -1).unwrap(), [3, 2, 1]);

        // MIGRATE to a server that wants a password, then an ACL user.
        let port = target.port();
        let () = c.set("mig1", "a").unwrap();
        let () = c.set("mig2", "b").unwrap();
        let copied = c
            .migrate(
                "127.0.0.1",
                port,
                "mig1",
                0,
                5000,
                MigrateOptions::default().copy().auth("pw"),
            )
            .unwrap();
        assert_eq!(copied, "OK");
        assert_eq!(c.exists::<_, i64>("mig1").unwrap(), 1);
        let moved = c
            .migrate_keys(
                "127.0.0.1",
                port,
                ["mig1", "mig2"],
                0,
                5000,
                MigrateOptions::default().replace().auth2("mover", "pw2"),
            )
            .unwrap();
        assert_eq!(moved, "OK");
        assert_eq!(c.exists::<_, i64>(["mig1", "mig2"]).unwrap(), 0);
        let nokey = c
            .migrate(
                "127.0.0.1",
                port,
                "mig1",
                0,
                5000,
                MigrateOptions::default().auth("pw"),
            )
            .unwrap();
        assert_eq!(nokey, "NOKEY");
        let mut on_target =
            Connection::open(&Config::tcp("127.0.0.1", port).password("pw")).unwrap();
        assert_eq!(
            on_target.mget::<_, Vec<String>>(["mig1", "mig2"]).unwrap(),
            ["a", "b"]
        );
        let () = on_target.flushall().unwrap();

        assert_eq!(c.del::<_, i64>(["k2", "nope"]).unwrap(), 1);
        assert_eq!(c.unlink::<_, i64>(["ids", "words"]).unwrap(), 2);
    });
}

#[test]
fn hashes_sets_hyperloglogs() {
    let server = RedisServer::start().unwrap();
    each_protocol(&server, "HashCommands", |c, _| {
        let fields = HashMap::from([("a", 1), ("b", 2)]);
        assert_eq!(c.hset_multiple::<_, _, i64>("h", &fields).unwrap(), 2);
        assert_eq!(c.hset::<_, _, _, i64>("h", "c", 3).unwrap(), 1);
        assert!(!c.hset_nx::<_, _, _, bool>("h", "c", 4).unwrap());
        assert_eq!(c.hget::<_, _, i64>("h", "c").unwrap(), 3);
        let got: (Option<i64>, Option<i64>) = c.hmget("h", ["a", "zz"]).unwrap();
        assert_eq!(got, (Some(1), None));
        let all: BTreeMap<String, i64> = c.hgetall("h").unwrap();
        assert_eq!(all.len(), 3);
        assert_eq!(c.hincr_by::<_, _, i64>("h", "a", 5).unwrap(), 6);
        assert_eq!(c.hincr_by_float::<_, _, f64>("h", "f", 0.25).unwrap(), 0.25);
        assert!(c.hexists::<_, _, bool>("h", "f").unwrap());
        assert_eq!(c.hlen::<_, i64>("h").unwrap(), 4);
        assert_eq!(c.hstrlen::<_, _, i64>("h", "f").unwrap(), 4);
        let mut keys: Vec<String> = c.hkeys("h").unwrap();
        keys.sort();
        assert_eq!(keys, ["a", "b", "c", "f"]);
        assert_eq!(c.hvals::<_, Vec<String>>("h").unwrap().len(), 4);
        assert_eq!(c.hrandfield::<_, Vec<String>>("h", 2).unwrap().len(), 2);
        let pairs: Vec<(String, String)> = c.hrandfield_with_values("h", -5).unwrap();
        assert_eq!(pairs.len(), 5);
        assert!(pairs
            .iter()
            .all(|(f, v)| all.contains_key(f) || f == "f" && v == "0.25"));
        assert_eq!(c.hdel::<_, _, i64>("h", ["a", "b", "zz"]).unwrap(), 2);
    });
    each_protocol(&server, "SetCommands", |c, _| {
        assert_eq!(
            c.sadd::<_, _, i64>("s1", HashSet::from(["a", "b", "c"]))
                .unwrap(),
            3
        );
        assert_eq!(c.sadd::<_, _, i64>("s2", ["b", "c", "d"]).unwrap(), 3);
        assert_eq!(c.srem::<_, _, i64>("s2", "d").unwrap(), 1);
        let members: HashSet<String> = c.smembers("s1").unwrap();
        assert_eq!(members.len(), 3);
        assert!(c.sismember::<_, _, bool>("s1", "a").unwrap());
        assert_eq!(
            c.smismember::<_, _, Vec<bool>>("s1", ["a", "z"]).unwrap(),
            [true, false]
        );
        assert_eq!(c.scard::<_, i64>("s1").unwrap(), 3);
        assert_eq!(
            c.sinter::<_, HashSet<String>>(["s1", "s2"]).unwrap().len(),
            2
        );
        assert_eq!(
            c.sunion::<_, HashSet<String>>(["s1", "s2"]).unwrap().len(),
            3
        );
        assert_eq!(c.sdiff::<_, Vec<String>>(["s1", "s2"]).unwrap(), ["a"]);
        assert_eq!(c.sinterstore::<_, _, i64>("i", ["s1", "s2"]).unwrap(), 2);
        assert_eq!(c.sunionstore::<_, _, i64>("u", ["s1", "s2"]).unwrap(), 3);
        assert_eq!(c.sdiffstore::<_, _, i64>("d", ["s1", "s2"]).unwrap(), 1);
        assert_eq!(c.sintercard::<_, i64>(["s1", "s2"], 0).unwrap(), 2);
        assert_eq!(c.sintercard::<_, i64>(["s1", "s2"], 1).unwrap(), 1);
        assert!(c.smove::<_, _, _, bool>("s1", "s2", "a").unwrap());
        assert_eq!(c.srandmember::<_, Vec<String>>("s2", 10).unwrap().len(), 3);
        let popped: Vec<String> = c.spop("s2", Some(3)).unwrap();
        assert_eq!(popped.len(), 3);
        assert_eq!(c.spop::<_, Option<String>>("s2", None).unwrap(), None);
    });
    each_protocol(&server, "HyperLogLogCommands", |c, _| {
        assert!(c.pfadd::<_, _, bool>("h1", ["a", "b", "c", "a"]).unwrap());
        assert!(!c.pfadd::<_, _, bool>("h1", "a").unwrap());
        let () = c.pfadd("h2", ["c", "d"]).unwrap();
        assert_eq!(c.pfcount::<_, i64>("h1").unwrap(), 3);
        assert_eq!(c.pfcount::<_, i64>(["h1", "h2"]).unwrap(), 4);
        let () = c.pfmerge("h3", ["h1", "h2"]).unwrap();
        assert_eq!(c.pfcount::<_, i64>("h3").unwrap(), 4);
    });
}

#[test]
fn lists_lpos_and_multi_pops() {
    let server = RedisServer::start().unwrap();
    each_protocol(&server, "ListCommands", |c, _| {
        assert_eq!(
            c.rpush::<_, _, i64>("l", ["a", "b", "c", "1", "2", "3", "c", "c"])
                .unwrap(),
            8
        );
        // LPOS: first match, the n-th match, from the tail, all, bounded.
        assert_eq!(c.lpos("l", "c", LposOptions::default()).unwrap(), Some(2));
        assert_eq!(
            c.lpos("l", "c", LposOptions::default().rank(2)).unwrap(),
            Some(6)
        );
        assert_eq!(
            c.lpos("l", "c", LposOptions::default().rank(-1)).unwrap(),
            Some(7)
        );
        assert_eq!(c.lpos("l", "zz", LposOptions::default()).unwrap(), None);
        assert_eq!(
            c.lpos_count("l", "c", 0, LposOptions::default()).unwrap(),
            [2, 6, 7]
        );
        assert_eq!(
            c.lpos_count("l", "c", 2, LposOptions::default().rank(-1))
                .unwrap(),
            [7, 6]
        );
        assert_eq!(
            c.lpos_count("l", "c", 0, LposOptions::default().max_len(3))
                .unwrap(),
            [2]
        );
        assert_eq!(c.lpush::<_, _, i64>("l", "z").unwrap(), 9);
        assert_eq!(c.lpush_x::<_, _, i64>("none", "x").unwrap(), 0);
        assert_eq!(c.rpush_x::<_, _, i64>("l", "end").unwrap(), 10);
        assert_eq!(c.llen::<_, i64>("l").unwrap(), 10);
        assert_eq!(c.lindex::<_, String>("l", -1).unwrap(), "end");
        let () = c.lset("l", 0, "Z").unwrap();
        assert_eq!(
            c.linsert_before::<_, _, _, i64>("l", "Z", "first").unwrap(),
            11
        );
        assert_eq!(
            c.linsert_after::<_, _, _, i64>("l", "Z", "second").unwrap(),
            12
        );
        assert_eq!(c.lrem::<_, _, i64>("l", 0, "c").unwrap(), 3);
        let () = c.ltrim("l", 0, 3).unwrap();
        assert_eq!(
            c.lrange::<_, Vec<String>>("l", 0, -1).unwrap(),
            ["first", "Z", "second", "a"]
        );
        assert_eq!(
            c.lpop::<_, Option<String>>("l", None).unwrap().as_deref(),
            Some("first")
        );
        assert_eq!(
            c.rpop::<_, Vec<String>>("l", Some(2)).unwrap(),
            ["a", "second"]
        );
        let moved: String = c
            .lmove("l", "m", Direction::Left, Direction::Right)
            .unwrap();
        assert_eq!(moved, "Z");
        // LMPOP/BLMPOP: the key and the values, or None.
        let () = c.rpush("m2", ["x", "y", "z"]).unwrap();
        let popped = c
            .lmpop::<_, String>(["empty", "m2"], Direction::Right, 2)
            .unwrap()
            .unwrap();
        assert_eq!(
            (popped.key_str(), &popped.items[..]),
            (Some("m2"), &["z".to_string(), "y".to_string()][..])
        );
        assert!(c
            .lmpop::<_, String>("empty", Direction::Left, 1)
            .unwrap()
            .is_none());
        let popped = c
            .blmpop::<_, String>(0.1, ["empty", "m2"], Direction::Left, 5)
            .unwrap()
            .unwrap();
        assert_eq!(popped.items, ["x"]);
        assert!(c
            .blmpop::<_, String>(0.05, "empty", Direction::Left, 1)
            .unwrap()
            .is_none());
        let () = c.rpush("q", ["j1", "j2"]).unwrap();
        let got: Option<(String, String)> = c.blpop(["empty", "q"], 0.1).unwrap();
        assert_eq!(got, Some(("q".into(), "j1".into())));
        let got: Option<(String, String)> = c.brpop("q", 0.1).unwrap();
        assert_eq!(got, Some(("q".into(), "j2".into())));
        let none: Option<(String, String)> = c.brpop("q", 0.05).unwrap();
        assert_eq!(none, None);
        let () = c.rpush("q", "j3").unwrap();
        let moved: Option<String> = c
            .blmove("q", "done", Direction::Right, Direction::Left, 0.1)
            .unwrap();
        assert_eq!(moved.as_deref(), Some("j3"));
    });
}

#[test]
fn sorted_sets_and_their_options() {
    let server = RedisServer::start().unwrap();
    each_protocol(&server, "SortedSetCommands", |c, _| {
        assert_eq!(c.zadd::<_, _, i64>("z", "a", 1.0).unwrap(), 1);
        assert_eq!(
            c.zadd_multiple::<_, _, i64>("z", [(2.0, "b"), (3.0, "c")])
                .unwrap(),
            2
        );
        // NX: no update; XX: no add; GT/LT: only one way; CH: changed count.
        let zo = ZAddOptions::default;
        assert_eq!(
            c.zadd_options::<_, _, i64>("z", zo().only_new(), [(9.0, "a"), (4.0, "d")])
                .unwrap(),
            1
        );
        assert_eq!(c.zscore::<_, _, f64>("z", "a").unwrap(), 1.0);
        assert_eq!(
            c.zadd_options::<_, _, i64>(
                "z",
                zo().only_existing().changed(),
                [(1.5, "a"), (5.0, "e")]
            )
            .unwrap(),
            1
        );
        assert_eq!(c.zscore::<_, _, Option<f64>>("z", "e").unwrap(), None);
        assert_eq!(
            c.zadd_options::<_, _, i64>("z", zo().greater().changed(), [(0.5, "a"), (2.5, "b")])
                .unwrap(),
            1
        );
        assert_eq!(
            c.zmscore::<_, _, Vec<f64>>("z", ["a", "b"]).unwrap(),
            [1.5, 2.5]
        );
        assert_eq!(
            c.zadd_options::<_, _, i64>("z", zo().less().changed(), [(0.5, "a"), (9.0, "b")])
                .unwrap(),
            1
        );
        assert_eq!(
            c.zadd_incr::<_, _, f64>("z", zo(), 10.0, "a").unwrap(),
            10.5
        );
        assert_eq!(
            c.zadd_incr::<_, _, Option<f64>>("z", zo().only_new(), 1.0, "a")
                .unwrap(),
            None
        );
        assert_eq!(c.zincr_by::<_, _, f64>("z", "a", -10.0).unwrap(), 0.5);
        // z: a 0.5, b 2.5, c 3, d 4
        assert_eq!(c.zcard::<_, i64>("z").unwrap(), 4);
        assert_eq!(c.zrank::<_, _, i64>("z", "c").unwrap(), 2);
        assert_eq!(c.zrevrank::<_, _, i64>("z", "c").unwrap(), 1);
        assert_eq!(c.zcount::<_, _, _, i64>("z", "(0.5", "+inf").unwrap(), 3);
        assert_eq!(c.zrange::<_, Vec<String>>("z", 0, 1).unwrap(), ["a", "b"]);
        assert_eq!(c.zrevrange::<_, Vec<String>>("z", 0, 0).unwrap(), ["d"]);
        let ws: Vec<(String, f64)> = c.zrange_with_scores("z", 0, 0).unwrap();
        assert_eq!(ws, [("a".to_string(), 0.5)]);
        let ws: Vec<(String, f64)> = c.zrevrange_with_scores("z", 0, 0).unwrap();
        assert_eq!(ws, [("d".to_string(), 4.0)]);
        assert_eq!(
            c.zrange_by_score::<_, _, _, Vec<String>>("z", 2, 3)
                .unwrap(),
            ["b", "c"]
        );
        let ws: Vec<(String, f64)> = c.zrange_by_score_with_scores("z", "(2.5", "+inf").unwrap();
        assert_eq!(ws, [("c".to_string(), 3.0), ("d".to_string(), 4.0)]);
        // ZRANGE options: BYSCORE REV LIMIT, BYLEX.
        let ro = ZRangeOptions::default;
        let r: Vec<String> = c
            .zrange_options("z", "+inf", "-inf", ro().by_score().rev().limit(1, 2))
            .unwrap();
        assert_eq!(r, ["c", "b"]);
        let r: Vec<(String, f64)> = c.zrange_options_with_scores("z", 1, 2, ro()).unwrap();
        assert_eq!(r, [("b".to_string(), 2.5), ("c".to_string(), 3.0)]);
        let () = c
            .zadd_multiple("lex", [(0, "a"), (0, "b"), (0, "c"), (0, "d")])
            .unwrap();
        assert_eq!(
            c.zrange_by_lex::<_, _, _, Vec<String>>("lex", "[b", "(d")
                .unwrap(),
            ["b", "c"]
        );
        let r: Vec<String> = c
            .zrange_options("lex", "-", "+", ro().by_lex().limit(0, 1))
            .unwrap();
        assert_eq!(r, ["a"]);
        assert_eq!(c.zlexcount::<_, _, _, i64>("lex", "-", "[b").unwrap(), 2);
        assert_eq!(
            c.zrangestore::<_, _, _, _, i64>("top", "z", 0, 1, ro().rev())
                .unwrap(),
            2
        );
        assert_eq!(
            c.zrange::<_, Vec<String>>("top", 0, -1).unwrap(),
            ["c", "d"]
        );
        assert_eq!(
            c.zrem_range_by_lex::<_, _, _, i64>("lex", "[a", "[b")
                .unwrap(),
            2
        );
        // Combining sets: WEIGHTS, AGGREGATE, WITHSCORES, STORE, CARD, DIFF.
        let () = c.zadd_multiple("z1", [(1.0, "a"), (2.0, "b")]).unwrap();
        let () = c.zadd_multiple("z2", [(3.0, "b"), (4.0, "c")]).unwrap();
        let co = CombineOptions::default;
        let u: Vec<(String, f64)> = c
            .zunion_with_scores(
                ["z1", "z2"],
                co().weights([2.0, 1.0]).aggregate(Aggregate::Max),
            )
            .unwrap();
        assert_eq!(
            u,
            [
                ("a".to_string(), 2.0),
                ("b".to_string(), 4.0),
                ("c".to_string(), 4.0)
            ]
        );
        assert_eq!(
            c.zunion::<_, Vec<String>>(["z1", "z2"], co()).unwrap(),
            ["a", "c", "b"]
        );
        assert_eq!(
            c.zunionstore::<_, _, i64>("zu", ["z1", "z2"], co().aggregate(Aggregate::Sum))
                .unwrap(),
            3
        );
        assert_eq!(c.zscore::<_, _, f64>("zu", "b").unwrap(), 5.0);
        let i: Vec<(String, f64)> = c.zinter_with_scores(["z1", "z2"], co()).unwrap();
        assert_eq!(i, [("b".to_string(), 5.0)]);
        assert_eq!(
            c.zinter::<_, Vec<String>>(["z1", "z2"], co().weights([1.0, 0.0]))
                .unwrap(),
            ["b"]
        );
        assert_eq!(
            c.zinterstore::<_, _, i64>("zi", ["z1", "z2"], co().aggregate(Aggregate::Min))
                .unwrap(),
            1
        );
        assert_eq!(c.zscore::<_, _, f64>("zi", "b").unwrap(), 2.0);
        assert_eq!(c.zintercard::<_, i64>(["z1", "z2"], 0).unwrap(), 1);
        assert_eq!(c.zdiff::<_, Vec<String>>(["z1", "z2"]).unwrap(), ["a"]);
        let d: Vec<(String, f64)> = c.zdiff_with_scores(["z2", "z1"]).unwrap();
        assert_eq!(d, [("c".to_string(), 4.0)]);
        assert_eq!(c.zdiffstore::<_, _, i64>("zd", ["z1", "z2"]).unwrap(), 1);
        assert_eq!(c.zrandmember::<_, Vec<String>>("z1", 5).unwrap().len(), 2);
        let r: Vec<(String, f64)> = c.zrandmember_with_scores("z1", -3).unwrap();
        assert_eq!(r.len(), 3);
        // Pops: ZPOPMIN/MAX, BZPOPMIN/MAX, ZMPOP/BZMPOP with their scores.
        let p: Vec<(String, f64)> = c.zpop_min("z", 1).unwrap();
        assert_eq!(p, [("a".to_string(), 0.5)]);
        let p: Vec<(String, f64)> = c.zpop_max("z", 1).unwrap();
        assert_eq!(p, [("d".to_string(), 4.0)]);
        let p: Option<(String, String, f64)> = c.bzpop_min(["none", "z"], 0.1).unwrap();
        assert_eq!(p, Some(("z".into(), "b".into(), 2.5)));
        let p: Option<(String, String, f64)> = c.bzpop_max("none", 0.05).unwrap();
        assert_eq!(p, None);
        let popped = c
            .zmpop::<_, String>(["none", "zu"], MinMax::Max, 2)
            .unwrap()
            .unwrap();
        assert_eq!(popped.key_str(), Some("zu"));
        assert_eq!(
            popped.items,
            [("b".to_string(), 5.0), ("c".to_string(), 4.0)]
        );
        let popped = c
            .bzmpop::<_, String>(0.1, "zu", MinMax::Min, 5)
            .unwrap()
            .unwrap();
        assert_eq!(popped.items, [("a".to_string(), 1.0)]);
        assert!(c
            .bzmpop::<_, String>(0.05, "zu", MinMax::Min, 5)
            .unwrap()
            .is_none());
        assert!(c
            .zmpop::<_, String>("zu", MinMax::Min, 1)
            .unwrap()
            .is_none());
        assert_eq!(c.zrem::<_, _, i64>("z1", ["a", "zz"]).unwrap(), 1);
        let () = c
            .zadd_multiple("r", [(1, "a"), (2, "b"), (3, "c")])
            .unwrap();
        assert_eq!(c.zrem_range_by_rank::<_, i64>("r", 0, 0).unwrap(), 1);
        assert_eq!(
            c.zrem_range_by_score::<_, _, _, i64>("r", "-inf", 2)
                .unwrap(),
            1
        );
    });
}

#[test]
fn geo_and_geosearch() {
    let server = RedisServer::start().unwrap();
    each_protocol(&server, "GeoCommands", |c, _| {
        let sicily = [
            (13.361389, 38.115556, "Palermo"),
            (15.087269, 37.502669, "Catania"),
        ];
        assert_eq!(c.geo_add::<_, _, i64>("Sicily", sicily).unwrap(), 2);
        // NX keeps the old position; XX+CH counts the moved one.
        let go = GeoAddOptions::default;
        assert_eq!(
            c.geo_add_options::<_, _, i64>("Sicily", go().only_new(), (13.0, 38.0, "Palermo"))
                .unwrap(),
            0
        );
        assert_eq!(
            c.geo_add_options::<_, _, i64>(
                "Sicily",
                go().only_existing().changed(),
                [(13.361389, 38.115556, "Palermo"), (12.0, 37.0, "Trapani")]
            )
            .unwrap(),
            0
        );
        assert_eq!(
            c.geo_add_options::<_, _, i64>("Sicily", go().changed(), (12.5, 38.0, "Trapani"))
                .unwrap(),
            1
        );
        let pos: Vec<Option<(f64, f64)>> = c.geo_pos("Sicily", ["Palermo", "Atlantis"]).unwrap();
        assert!((pos[0].unwrap().0 - 13.361389).abs() < 1e-5);
        assert_eq!(pos[1], None);
        let d: f64 = c
            .geo_dist("Sicily", "Palermo", "Catania", GeoUnit::Kilometers)
            .unwrap();
        assert!((d - 166.2742).abs() < 0.01, "{d}");
        let hashes: Vec<String> = c.geo_hash("Sicily", "Palermo").unwrap();
        assert_eq!(hashes, ["sqc8b49rny0"]);
        assert_eq!(
            c.geo_search_radius::<_, Vec<String>>("Sicily", 15.0, 37.0, 200.0, GeoUnit::Kilometers)
                .unwrap(),
            ["Catania", "Palermo"]
        );
        // GEOSEARCH: from a point or a member, radius or box, order, count,
        // and the WITH* extras.
        let near = GeoSearch::from_lonlat(15.0, 37.0).by_radius(200.0, GeoUnit::Kilometers);
        let found: Vec<GeoMatch> = c
            .geo_search(
                "Sicily",
                near.clone().desc().with_dist().with_coord().with_hash(),
            )
            .unwrap();
        assert_eq!(
            found.iter().map(|m| m.member.as_str()).collect::<Vec<_>>(),
            ["Palermo", "Catania"]
        );
        assert!((found[1].dist.unwrap() - 56.4413).abs() < 0.01);
        assert!((found[1].coord.unwrap().1 - 37.502669).abs() < 1e-5);
        assert!(found[1].hash.unwrap() > 0);
        let plain: Vec<GeoMatch> = c.geo_search("Sicily", near.clone().asc().count(1)).unwrap();
        assert_eq!((plain[0].member.as_str(), plain[0].dist), ("Catania", None));
        let any: Vec<String> = c.geo_search("Sicily", near.count_any(1)).unwrap();
        assert_eq!(any.len(), 1);
        let boxed: Vec<String> = c
            .geo_search(
                "Sicily",
                GeoSearch::from_member("Palermo")
                    .by_box(400.0, 400.0, GeoUnit::Kilometers)
                    .asc(),
            )
            .unwrap();
        assert_eq!(boxed, ["Palermo", "Trapani", "Catania"]);
        let miles: Vec<String> = c
            .geo_search(
                "Sicily",
                GeoSearch::from_member("Palermo")
                    .by_radius(60.0, GeoUnit::Miles)
                    .asc(),
            )
            .unwrap();
        assert_eq!(miles, ["Palermo", "Trapani"]);
        let feet = GeoSearch::from_member("Catania").by_radius(10.0, GeoUnit::Feet);
        assert_eq!(
            c.geo_search::<_, Vec<String>>("Sicily", feet).unwrap(),
            ["Catania"]
        );
        let stored: i64 = c
            .geo_search_store(
                "near",
                "Sicily",
                GeoSearch::from_lonlat(15.0, 37.0)
                    .by_radius(100.0, GeoUnit::Kilometers)
                    .with_dist(),
                true,
            )
            .unwrap();
        assert_eq!(stored, 1);
        let dist: f64 = c.zscore("near", "Catania").unwrap();
        assert!((dist - 56.4413).abs() < 0.01);
        let stored: i64 = c
            .geo_search_store(
                "near2",
                "Sicily",
                GeoSearch::from_member("Palermo").by_radius(1.0, GeoUnit::Meters),
                false,
            )
            .unwrap();
        assert_eq!(stored, 1);
    });
}

#[test]
fn bitmaps_ranges_and_bitfield() {
    let server = RedisServer::start().unwrap();
    each_protocol(&server, "BitmapCommands", |c, _| {
        assert_eq!(c.setbit::<_, i64>("bits", 7, true).unwrap(), 0);
        assert_eq!(c.getbit::<_, i64>("bits", 7).unwrap(), 1);
        assert_eq!(c.bitcount::<_, i64>("bits").unwrap(), 1);
        assert_eq!(c.bitop::<_, _, i64>(BitOp::Not, "inv", "bits").unwrap(), 1);
        assert_eq!(c.bitpos::<_, i64>("inv", false).unwrap(), 7);
        let () = c.set("both", "ab").unwrap();
        let () = c.set("other", "a").unwrap();
        assert_eq!(
            c.bitop::<_, _, i64>(BitOp::And, "and", ["both", "other"])
                .unwrap(),
            2
        );
        assert_eq!(
            c.bitop::<_, _, i64>(BitOp::Or, "or", ["both", "other"])
                .unwrap(),
            2
        );
        assert_eq!(
            c.bitop::<_, _, i64>(BitOp::Xor, "xor", ["both", "both"])
                .unwrap(),
            2
        );
        assert_eq!(c.bitcount::<_, i64>("xor").unwrap(), 0);
        // BITCOUNT in bytes and in bits (Redis' own examples).
        let () = c.set("mykey", "foobar").unwrap();
        assert_eq!(c.bitcount_range::<_, i64>("mykey", 1, 1).unwrap(), 6);
        assert_eq!(
            c.bitcount_in::<_, i64>("mykey", BitRange::bytes(1, 1))
                .unwrap(),
            6
        );
        assert_eq!(
            c.bitcount_in::<_, i64>("mykey", BitRange::bits(5, 30))
                .unwrap(),
            17
        );
        let () = c.set("pos", b"\x00\xff\xf0").unwrap();
        assert_eq!(
            c.bitpos_in::<_, i64>("pos", true, BitRange::from_byte(2))
                .unwrap(),
            16
        );
        assert_eq!(
            c.bitpos_in::<_, i64>("pos", true, BitRange::bytes(2, -1))
                .unwrap(),
            16
        );
        assert_eq!(
            c.bitpos_in::<_, i64>("pos", true, BitRange::bits(7, 15))
                .unwrap(),
            8
        );
        // BITFIELD: SET answers the old value, INCRBY the new one,
        // OVERFLOW SAT clamps, OVERFLOW FAIL answers nil, #n indexes.
        let ops = BitField::new()
            .set(BitType::unsigned(8), BitOffset::Bit(0), 200)
            .overflow(Overflow::Sat)
            .incr_by(BitType::unsigned(8), BitOffset::Bit(0), 100)
            .overflow(Overflow::Fail)
            .incr_by(BitType::unsigned(8), BitOffset::Bit(0), 1)
            .overflow(Overflow::Wrap)
            .incr_by(BitType::unsigned(8), BitOffset::Bit(0), 1)
            .set(BitType::signed(8), BitOffset::Index(1), -5)
            .get(BitType::signed(8), BitOffset::Index(1));
        assert_eq!(
            c.bitfield("bf", ops).unwrap(),
            [Some(0), Some(255), None, Some(0), Some(0), Some(-5)]
        );
        let read = BitField::new()
            .get(BitType::unsigned(8), BitOffset::Bit(0))
            .get(BitType::signed(4), BitOffset::Bit(8));
        assert_eq!(c.bitfield_ro("bf", read).unwrap(), [Some(0), Some(-1)]);
    });
}

#[test]
fn streams_trimming_groups_and_claims() {
    let server = RedisServer::start().unwrap();
    each_protocol(&server, "StreamCommands", |c, _| {
        use redis_blocking::commands::{StreamTrim, XAddOptions, XGroupCreateOptions};
        for i in 1..=5 {
            let id: String = c.xadd("s", format!("{i}-0"), [("n", i)]).unwrap();
            assert_eq!(id, format!("{i}-0"));
        }
        assert_eq!(c.xlen::<_, i64>("s").unwrap(), 5);
        let entries = c.xrange("s", "-", "+").unwrap();
        assert_eq!((entries.len(), entries[0].get_str("n")), (5, Some("1")));
        assert_eq!(c.xrange_count("s", "-", "+", 2).unwrap()[1].id, "2-0");
        assert_eq!(c.xrevrange("s", "+", "-").unwrap()[0].id, "5-0");
        assert_eq!(c.xrevrange_count("s", "+", "-", 1).unwrap().len(), 1);
        // XADD options: NOMKSTREAM, exact MAXLEN, MINID.
        let none: Option<String> = c
            .xadd_options(
                "missing",
                "*",
                [("f", "v")],
                XAddOptions::default().no_mkstream(),
            )
            .unwrap();
        assert_eq!((none, c.exists::<_, i64>("missing").unwrap()), (None, 0));
        let () = c
            .xadd_options(
                "s",
                "6-0",
                [("n", 6)],
                XAddOptions::default().trim(StreamTrim::max_len(4)),
            )
            .unwrap();
        assert_eq!(c.xrange("s", "-", "+").unwrap()[0].id, "3-0");
        let () = c
            .xadd_options(
                "s",
                "7-0",
                [("n", 7)],
                XAddOptions::default().trim(StreamTrim::min_id("5-0")),
            )
            .unwrap();
        assert_eq!(c.xlen::<_, i64>("s").unwrap(), 3);
        // XTRIM: exact, approximate with LIMIT (whole nodes only, and a
        // node of 2 entries is more than LIMIT 1 allows), MINID.
        assert_eq!(c.xtrim::<_, i64>("s", StreamTrim::max_len(2)).unwrap(), 1);
        assert_eq!(
            c.xtrim::<_, i64>("s", StreamTrim::max_len(0).approx().limit(1))
                .unwrap(),
            0
        );
        assert_eq!(
            c.xtrim::<_, i64>("s", StreamTrim::min_id("7-0")).unwrap(),
            1
        );
        assert_eq!(c.xtrim_maxlen::<_, i64>("s", 0).unwrap(), 1);
        let _: String = c.xadd_maxlen("s", 10, "*", [("n", 8)]).unwrap();
        let () = c.xsetid("s", "99999999999999-0").unwrap();
        let info = c.xinfo_stream("s").unwrap();
        assert_eq!(info.last_generated_id, "99999999999999-0");
        // XGROUP CREATE no longer creates the stream unless asked.
        let e = c
            .xgroup_create::<_, _, _, ()>("nostream", "g", "$")
            .unwrap_err();
        assert!(e.to_string().contains("MKSTREAM"), "{e}");
        let () = c.xgroup_create_mkstream("nostream", "g", "$").unwrap();
        let busy = c
            .xgroup_create::<_, _, _, ()>("nostream", "g", "$")
            .unwrap_err();
        assert_eq!(busy.code(), Some(&ErrorCode::BusyGroup));
        let () = c.xgroup_create("s", "g", "0").unwrap();
        let () = c
            .xgroup_create_options(
                "s",
                "g2",
                "0",
                XGroupCreateOptions::default().entries_read(1),
            )
            .unwrap();
        let () = c
            .xgroup_create_options("made", "g", "$", XGroupCreateOptions::default().mkstream())
            .unwrap();
        let groups = c.xinfo_groups("s").unwrap();
        assert_eq!(
            groups.iter().find(|g| g.name == "g2").unwrap().entries_read,
            Some(1)
        );
        assert!(c
            .xgroup_createconsumer::<_, _, _, bool>("s", "g", "alice")
            .unwrap());
        assert!(!c
            .xgroup_createconsumer::<_, _, _, bool>("s", "g", "alice")
            .unwrap());
        let () = c.xgroup_setid("s", "g", "$").unwrap();
        assert_eq!(
            c.xgroup_delconsumer::<_, _, _, i64>("s", "g", "alice")
                .unwrap(),
            0
        );
        assert!(c.xgroup_destroy::<_, _, bool>("s", "g2").unwrap());
        let id: String = c.xadd("s", "*", [("n", 9)]).unwrap();
        let read = c
            .xreadgroup("g", "bob", "s", ">", Default::default())
            .unwrap();
        assert_eq!(read[0].entries[0].id, id);
        assert_eq!(c.xack::<_, _, _, i64>("s", "g", [&id]).unwrap(), 1);
        assert_eq!(c.xdel::<_, _, i64>("s", [&id, "1-1"]).unwrap(), 1);
    });
    each_protocol(&server, "StreamGroupCommands", |c, _| {
        use redis_blocking::commands::{XClaimOptions, XReadOptions};
        for i in 1..=4 {
            let _: String = c.xadd("s", format!("{i}-0"), [("n", i)]).unwrap();
        }
        let () = c.xgroup_create("s", "g", "0").unwrap();
        let read = c
            .xread(["s"], ["0"], XReadOptions::default().count(2))
            .unwrap();
        assert_eq!(
            (read[0].key.as_slice(), read[0].entries.len()),
            (&b"s"[..], 2)
        );
        let got = c
            .xreadgroup("g", "alice", "s", ">", XReadOptions::default().count(3))
            .unwrap();
        assert_eq!(got[0].entries.len(), 3);
        let noack = c
            .xreadgroup(
                "g",
                "bob",
                "s",
                ">",
                XReadOptions::default().noack().block(10),
            )
            .unwrap();
        assert_eq!(noack[0].entries[0].id, "4-0");
        let summary = c.xpending("s", "g").unwrap();
        assert_eq!((summary.count, summary.consumers.len()), (3, 1));
        let pending = c.xpending_range("s", "g", "-", "+", 10).unwrap();
        assert_eq!((pending.len(), pending[0].consumer.as_str()), (3, "alice"));
        assert!(c
            .xpending_consumer("s", "g", "-", "+", 10, "bob")
            .unwrap()
            .is_empty());
        // XCLAIM: entries, then options (IDLE, RETRYCOUNT, JUSTID, FORCE,
        // LASTID).
        let claimed = c.xclaim("s", "g", "bob", 0, ["1-0"]).unwrap();
        assert_eq!(claimed[0].get_str("n"), Some("1"));
        let ids: Vec<String> = c
            .xclaim_options(
                "s",
                "g",
                "carol",
                0,
                ["2-0"],
                XClaimOptions::default().idle(5000).retry_count(7).just_id(),
            )
            .unwrap();
        assert_eq!(ids, ["2-0"]);
        let entry = &c.xpending_range("s", "g", "2-0", "2-0", 1).unwrap()[0];
        assert_eq!((entry.consumer.as_str(), entry.deliveries), ("carol", 7));
        assert!(entry.idle_ms >= 5000);
        let forced: Vec<String> = c
            .xclaim_options(
                "s",
                "g",
                "dave",
                0,
                ["4-0"],
                XClaimOptions::default()
                    .force()
                    .just_id()
                    .time(0)
                    .last_id("4-0"),
            )
            .unwrap();
        assert_eq!(forced, ["4-0"]);
        let auto = c.xautoclaim("s", "g", "erin", 0, "0-0", 10).unwrap();
        assert_eq!((auto.next.as_str(), auto.entries.len()), ("0-0", 4));
        let info = c.xinfo_stream("s").unwrap();
        assert_eq!((info.length, info.groups), (4, 1));
        assert_eq!(info.last_entry.unwrap().id, "4-0");
        let full: Value = c.xinfo_stream_full("s", 10).unwrap();
        assert!(matches!(full, Value::Map(_) | Value::Array(_)));
        let groups = c.xinfo_groups("s").unwrap();
        assert_eq!(
            (groups[0].pending, groups[0].last_delivered_id.as_str()),
            (4, "4-0")
        );
        let consumers = c.xinfo_consumers("s", "g").unwrap();
        let erin = consumers.iter().find(|c| c.name == "erin").unwrap();
        assert_eq!(erin.pending, 4);
        let timed_out = c
            .xread("s", "$", XReadOptions::default().block(20))
            .unwrap();
        assert!(timed_out.is_empty());
    });
}
