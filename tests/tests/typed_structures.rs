//! Every typed method and option builder of the sorted set, geo, bitmap
//! and stream groups against a real server, in RESP2 and RESP3; each test
//! ends by checking with `INFO commandstats` that every command its
//! group's methods send really ran.

mod typed_support;

use integration_tests::RedisServer;
use redis_blocking::commands::{
    Aggregate, BitField, BitOffset, BitOp, BitRange, BitType, CombineOptions, GeoAddOptions,
    GeoSearch, GeoUnit, MinMax, Overflow, ZAddOptions, ZRangeOptions,
};
use redis_blocking::prelude::*;
use redis_blocking::GeoMatch;
use typed_support::each_protocol;

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
