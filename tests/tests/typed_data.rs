//! Every typed method and option builder of the string, key, hash, set,
//! HyperLogLog and list groups against a real server, in RESP2 and RESP3;
//! each test ends by checking with `INFO commandstats` that every command
//! its group's methods send really ran (sorted sets, geo, bitmaps and
//! streams: `typed_structures.rs`).

mod typed_support;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::{SystemTime, UNIX_EPOCH};

use integration_tests::RedisServer;
use redis_blocking::commands::{
    CopyOptions, Direction, ExpireCondition, Expiry, LcsOptions, LposOptions, MigrateOptions,
    RestoreOptions, SetOptions, SortOptions,
};
use redis_blocking::prelude::*;
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
