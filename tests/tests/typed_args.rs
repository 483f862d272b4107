//! Every argument conversion against a real server, in RESP2 and RESP3:
//! what a Rust value becomes on the wire is read back from the server.
//! And `Json<T>` (feature `serde`) as an argument and a reply.

// Passing references where values would do is what these tests check.
#![allow(clippy::needless_borrows_for_generic_args)]

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::num::{NonZeroI64, NonZeroU32, NonZeroUsize};
use std::rc::Rc;
use std::sync::Arc;

use integration_tests::RedisServer;
use redis_blocking::prelude::*;
use redis_blocking::{Json, Protocol};
use serde::{Deserialize, Serialize};

fn each_protocol(test: impl Fn(&mut Connection)) {
    let server = RedisServer::start().unwrap();
    for protocol in [Protocol::Resp2, Protocol::Resp3] {
        let mut conn =
            Connection::open(&Config::tcp("127.0.0.1", server.port()).protocol(protocol)).unwrap();
        let () = conn.flushall().unwrap();
        test(&mut conn);
    }
}

/// What the server stored for `value`, as bytes.
fn stored<'a>(c: &mut Connection, value: impl ToArg<'a>) -> Vec<u8> {
    let () = c.set("arg", value).unwrap();
    c.get("arg").unwrap()
}

#[test]
fn references_and_smart_pointers_are_arguments() {
    each_protocol(|c| {
        let owned = String::from("owned");
        let key = String::from("key");
        let n = 42i64;
        let bytes = vec![0u8, 159, 146, 150];
        let () = c.set(&key, &owned).unwrap();
        assert_eq!(c.get::<_, String>(&key).unwrap(), "owned");
        assert_eq!(c.get::<_, String>(&&*key).unwrap(), "owned");
        assert_eq!(stored(c, &n), b"42");
        assert_eq!(stored(c, &&n), b"42");
        assert_eq!(stored(c, &bytes), bytes);
        assert_eq!(stored(c, &bytes[..]), bytes);
        assert_eq!(stored(c, b"raw"), b"raw");
        let mut mutable = String::from("mutable");
        assert_eq!(stored(c, &mut mutable), b"mutable");
        assert_eq!(stored(c, Box::<str>::from("boxed")), b"boxed");
        assert_eq!(stored(c, Rc::<str>::from("rc")), b"rc");
        assert_eq!(stored(c, Arc::new(String::from("arc"))), b"arc");
        assert_eq!(
            stored(c, Arc::<[u8]>::from(&b"arc-bytes"[..])),
            b"arc-bytes"
        );
        assert_eq!(stored(c, Cow::Borrowed("cow")), b"cow");
        assert_eq!(stored(c, Cow::<str>::Owned("cow2".into())), b"cow2");
        assert_eq!(stored(c, Cow::Borrowed(&b"cow3"[..])), b"cow3");
        assert_eq!(stored(c, 'é'), "é".as_bytes());
        // Large values behind references are written from the caller's
        // memory (16 KiB and more); the server gets them whole.
        let big = vec![7u8; 100_000];
        assert_eq!(stored(c, &big), big);
        let big_text = "x".repeat(70_000);
        assert_eq!(stored(c, &big_text), big_text.as_bytes());
        assert_eq!(stored(c, big_text.as_str()), big_text.as_bytes());
        assert_eq!(stored(c, Cow::Borrowed(&big[..])), big);
    });
}

#[test]
fn booleans_integers_and_floats_are_arguments() {
    each_protocol(|c| {
        assert_eq!(stored(c, true), b"1");
        assert_eq!(stored(c, false), b"0");
        // bool as SETBIT's value and as a Lua number.
        assert_eq!(c.setbit::<_, i64>("bits", 3, true).unwrap(), 0);
        let doubled: i64 = c.eval("return tonumber(ARGV[1]) * 2", (), true).unwrap();
        assert_eq!(doubled, 2);
        assert_eq!(stored(c, i8::MIN), b"-128");
        assert_eq!(stored(c, i16::MIN), b"-32768");
        assert_eq!(stored(c, i32::MIN), b"-2147483648");
        assert_eq!(stored(c, i64::MIN), b"-9223372036854775808");
        assert_eq!(stored(c, i128::MIN), i128::MIN.to_string().as_bytes());
        assert_eq!(stored(c, isize::MAX), isize::MAX.to_string().as_bytes());
        assert_eq!(stored(c, u16::MAX), b"65535");
        assert_eq!(stored(c, u32::MAX), b"4294967295");
        assert_eq!(stored(c, u64::MAX), b"18446744073709551615");
        assert_eq!(stored(c, u128::MAX), u128::MAX.to_string().as_bytes());
        assert_eq!(stored(c, usize::MAX), usize::MAX.to_string().as_bytes());
        assert_eq!(stored(c, NonZeroI64::new(-5).unwrap()), b"-5");
        assert_eq!(stored(c, NonZeroU32::new(7).unwrap()), b"7");
        assert_eq!(stored(c, NonZeroUsize::new(9).unwrap()), b"9");
        // The server reads them as numbers.
        let () = c.set("n", i64::MAX - 1).unwrap();
        assert_eq!(c.incr::<_, i64>("n").unwrap(), i64::MAX);
        // Floats: the shortest text that reads back as the same value.
        assert_eq!(stored(c, 0.1f64), b"0.1");
        assert_eq!(stored(c, 0.1f32), b"0.1");
        assert_eq!(stored(c, 1.5e300f64), b"1.5e300");
        assert_eq!(stored(c, -2.0f32), b"-2");
        assert_eq!(c.incr_by_float::<_, f64>("f", 0.1).unwrap(), 0.1);
        let () = c.zadd("z", "top", f64::INFINITY).unwrap();
        let () = c.zadd("z", "bottom", f64::NEG_INFINITY).unwrap();
        let () = c
            .zadd_multiple("z", [(f32::MIN_POSITIVE, "small")])
            .unwrap();
        let scores: Vec<(String, f64)> = c.zrange_with_scores("z", 0, -1).unwrap();
        assert_eq!(scores[0], ("bottom".to_string(), f64::NEG_INFINITY));
        assert_eq!(scores[1].1 as f32, f32::MIN_POSITIVE);
        assert_eq!(scores[2], ("top".to_string(), f64::INFINITY));
        assert_eq!(
            c.zcount::<_, _, _, i64>("z", f64::NEG_INFINITY, 0.0f32)
                .unwrap(),
            1
        );
    });
}

#[test]
fn collections_tuples_and_options_are_argument_lists() {
    each_protocol(|c| {
        let map = HashMap::from([("a", 1), ("b", 2)]);
        assert_eq!(c.hset_multiple::<_, _, i64>("h", &map).unwrap(), 2);
        let tree = BTreeMap::from([("c".to_string(), 3.5)]);
        assert_eq!(c.hset_multiple::<_, _, i64>("h", tree).unwrap(), 1);
        let all: BTreeMap<String, String> = c.hgetall("h").unwrap();
        assert_eq!(
            all,
            BTreeMap::from([
                ("a".into(), "1".into()),
                ("b".into(), "2".into()),
                ("c".into(), "3.5".into())
            ])
        );
        let set = HashSet::from(["x", "y"]);
        assert_eq!(c.sadd::<_, _, i64>("s", &set).unwrap(), 2);
        assert_eq!(c.sadd::<_, _, i64>("s", BTreeSet::from([1, 2])).unwrap(), 2);
        assert_eq!(c.scard::<_, i64>("s").unwrap(), 4);
        let queue = VecDeque::from(["first", "second"]);
        assert_eq!(c.rpush::<_, _, i64>("l", &queue).unwrap(), 2);
        assert_eq!(c.rpush::<_, _, i64>("l", vec![3u64, 4]).unwrap(), 4);
        assert_eq!(c.rpush::<_, _, i64>("l", &[5i32, 6][..]).unwrap(), 6);
        assert_eq!(c.rpush::<_, _, i64>("l", &["7", "8"]).unwrap(), 8);
        let owned = vec![String::from("9")];
        assert_eq!(c.rpush::<_, _, i64>("l", &owned).unwrap(), 9);
        assert_eq!(c.rpush::<_, _, i64>("l", (10, "eleven", 12.5)).unwrap(), 12);
        let twelve = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
        assert_eq!(c.rpush::<_, _, i64>("t", &twelve).unwrap(), 12);
        let some = Some("13");
        assert_eq!(c.rpush::<_, _, i64>("l", &some).unwrap(), 13);
        assert_eq!(c.rpush::<_, _, i64>("l", (None::<&str>, "14")).unwrap(), 14);
        assert_eq!(
            c.lrange::<_, Vec<String>>("l", 0, -1).unwrap(),
            [
                "first", "second", "3", "4", "5", "6", "7", "8", "9", "10", "eleven", "12.5", "13",
                "14"
            ]
        );
        // Nested: pairs in a vector, pairs in a map for MSET.
        let pairs: Vec<(String, i64)> = vec![("p1".into(), 1), ("p2".into(), 2)];
        let () = c.mset(&pairs).unwrap();
        let () = c.mset(BTreeMap::from([("p3", 3u16)])).unwrap();
        assert_eq!(
            c.mget::<_, Vec<i64>>(["p1", "p2", "p3"]).unwrap(),
            [1, 2, 3]
        );
        let scored = [(1.5, "m1"), (2.5, "m2")];
        assert_eq!(c.zadd_multiple::<_, _, i64>("z", &scored).unwrap(), 2);
        // An empty collection writes nothing: the server sees the arity.
        let e = c.rpush::<_, _, i64>("l", Vec::<String>::new()).unwrap_err();
        assert!(e.to_string().contains("wrong number of arguments"), "{e}");
    });
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct User {
    name: String,
    visits: u32,
    tags: Vec<String>,
}

#[test]
fn json_values_as_arguments_and_replies() {
    let ada = User {
        name: "ada".into(),
        visits: 3,
        tags: vec!["admin".into()],
    };
    each_protocol(|c| {
        let () = c.set("user:1", Json(&ada)).unwrap();
        let raw: String = c.get("user:1").unwrap();
        assert_eq!(raw, r#"{"name":"ada","visits":3,"tags":["admin"]}"#);
        let back: Json<User> = c.get("user:1").unwrap();
        assert_eq!(back.0, ada);
        let missing: Option<Json<User>> = c.get("user:2").unwrap();
        assert!(missing.is_none());
        let () = c.hset("users", "ada", Json(&ada)).unwrap();
        let all: HashMap<String, Json<User>> = c.hgetall("users").unwrap();
        assert_eq!(all["ada"].0.visits, 3);
        let many: Vec<Option<Json<User>>> = c.mget(["user:1", "user:2"]).unwrap();
        assert_eq!(
            (many[0].as_ref().map(|u| &u.0), many[1].is_none()),
            (Some(&ada), true)
        );
        let n: Json<Vec<i64>> = c.eval("return ARGV[1]", (), Json(vec![1, 2])).unwrap();
        assert_eq!(n.0, [1, 2]);
        // In a pipeline too.
        let mut pipe = Pipeline::new();
        pipe.set("user:3", Json(&ada)).ignore().get("user:3");
        let (user,): (Json<User>,) = c.query_pipeline(&pipe).unwrap();
        assert_eq!(user.into_inner(), ada);

        // Not JSON for this type: a conversion error; the command ran, the
        // connection stays usable.
        let () = c.set("bad", "{\"name\": 1}").unwrap();
        let e = c.get::<_, Json<User>>("bad").unwrap_err();
        assert_eq!(
            (e.kind(), e.executed()),
            (ErrorKind::TypeMismatch, redis_blocking::Executed::Yes)
        );
        assert!(e.to_string().contains("expected JSON for"), "{e}");
        assert!(std::error::Error::source(&e).is_some());
        assert_eq!(c.ping::<String>().unwrap(), "PONG");
        // A value serde cannot write as JSON (a map with non-string keys):
        // refused before anything is sent.
        let unwritable = HashMap::from([((1, 2), "x")]);
        let e = c.set::<_, _, ()>("never", Json(&unwritable)).unwrap_err();
        assert_eq!(
            (e.kind(), e.executed()),
            (ErrorKind::InvalidCommand, redis_blocking::Executed::No)
        );
        assert!(e.to_string().contains("JSON"), "{e}");
        assert_eq!(c.exists::<_, i64>("never").unwrap(), 0);
        let mut pipe = Pipeline::new();
        pipe.set("never", Json(&unwritable));
        assert_eq!(
            c.query_pipeline::<()>(&pipe).unwrap_err().kind(),
            ErrorKind::InvalidCommand
        );
        assert_eq!(c.exists::<_, i64>("never").unwrap(), 0);
        // As a script's key or argument too: the script does not run
        // without it.
        let script = redis_blocking::Script::new("redis.call('SET', 'ran', 1) return #ARGV");
        for call in [
            script.call().arg("a").arg(Json(&unwritable)),
            script.call().key(Json(&unwritable)).arg("a"),
        ] {
            let e = c.run_script::<i64>(&call).unwrap_err();
            assert_eq!(
                (e.kind(), e.executed()),
                (ErrorKind::InvalidCommand, redis_blocking::Executed::No)
            );
            assert!(e.to_string().contains("JSON"), "{e}");
            let e = c
                .run_script::<i64>(&call.with_key_prefix(b"p:"))
                .unwrap_err();
            assert_eq!(e.kind(), ErrorKind::InvalidCommand);
        }
        assert_eq!(c.exists::<_, i64>("ran").unwrap(), 0);
    });
    // Nil, numbers and aggregates: an integer or double reply is JSON
    // text; nil and arrays are errors that say what came.
    each_protocol(|c| {
        let e = c.get::<_, Json<Vec<i64>>>("missing").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::TypeMismatch);
        assert!(e.to_string().ends_with(", got nil"), "{e}");
        let n: Json<i64> = c.incr("counter").unwrap();
        assert_eq!(n.0, 1);
        let x: Json<f64> = c.incr_by_float("float", 1.5).unwrap();
        assert_eq!(x.0, 1.5);
        let _: i64 = c.rpush("list", ["1", "2"]).unwrap();
        let e = c.lrange::<_, Json<Vec<i64>>>("list", 0, -1).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::TypeMismatch);
        assert!(
            e.to_string().starts_with("expected JSON text for ")
                && e.to_string().ends_with(", got array of 2"),
            "{e}"
        );
        assert_eq!(c.ping::<String>().unwrap(), "PONG");
    });
    // On a shared client, with the same guarantees.
    let server = RedisServer::start().unwrap();
    let client = Client::open(&server.url()).unwrap();
    let () = client.set("u", Json(&ada)).unwrap();
    assert_eq!(client.get::<_, Json<User>>("u").unwrap().0, ada);
    let () = client.set("u", "[]").unwrap();
    assert_eq!(
        client.get::<_, Json<User>>("u").unwrap_err().kind(),
        ErrorKind::TypeMismatch
    );
    assert_eq!(client.get::<_, String>("u").unwrap(), "[]");
    // On a multiplexed connection too: a value serde cannot write is
    // refused before anything is sent, not dropped from the command.
    let unwritable = HashMap::from([((1, 2), "x")]);
    let mux = redis_blocking::Multiplexed::open(&server.url()).unwrap();
    let e = mux
        .rpush::<_, _, i64>("l", ("a", Json(&unwritable), "c"))
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.executed()),
        (ErrorKind::InvalidCommand, redis_blocking::Executed::No)
    );
    assert!(e.to_string().contains("JSON"), "{e}");
    let sent = mux.send::<i64>(&Cmd::new("RPUSH").arg("l").arg(Json(&unwritable)));
    assert_eq!(sent.wait().unwrap_err().kind(), ErrorKind::InvalidCommand);
    assert_eq!(mux.exists::<_, i64>("l").unwrap(), 0);
}
