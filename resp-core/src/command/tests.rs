//! Unit tests of the command table.

use super::keys::*;
use super::lookup::*;
use super::spec::*;
use super::table::COMMANDS;

fn keys(argv: &[&str]) -> Vec<usize> {
    let args: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
    key_positions(&args)
}

#[test]
fn table_is_sorted_lower_case_and_unique() {
    assert!(COMMANDS.len() > 300);
    for w in COMMANDS.windows(2) {
        assert!(w[0].name < w[1].name, "{} >= {}", w[0].name, w[1].name);
    }
    for c in &COMMANDS {
        assert_eq!(c.name, c.name.to_ascii_lowercase());
        assert!(!c.summary.is_empty(), "{} has no summary", c.name);
        assert!(c.arity != 0, "{}", c.name);
        assert_eq!(lookup(c.name.as_bytes()).map(|f| f.name), Some(c.name));
        assert_eq!(
            lookup(c.name.to_ascii_uppercase().as_bytes()).map(|f| f.name),
            Some(c.name)
        );
    }
}

#[test]
fn subcommands_belong_to_their_container() {
    let mut seen = 0;
    for c in &COMMANDS {
        for sub in c.subcommands() {
            assert_eq!(sub.container().map(|c| c.name), Some(c.name));
            let (_, short) = sub.name.split_once('|').unwrap();
            let found = lookup_args([c.name.as_bytes(), short.to_uppercase().as_bytes()]);
            assert_eq!(found.map(|f| f.name), Some(sub.name));
            seen += 1;
        }
        if let Some(container) = c.container() {
            assert!(container.subcommands().iter().any(|s| s.name == c.name));
        }
    }
    assert_eq!(seen, COMMANDS.iter().filter(|c| c.is_subcommand()).count());
    for name in [
        "client", "config", "object", "memory", "xinfo", "xgroup", "acl",
    ] {
        assert!(!lookup(name.as_bytes()).unwrap().subcommands().is_empty());
    }
}

#[test]
fn lookup_is_case_insensitive() {
    assert_eq!(lookup(b"GET").unwrap().name(), "get");
    assert_eq!(lookup(b"gEt").unwrap().name(), "get");
    assert_eq!(lookup(b"Client|SetName").unwrap().name(), "client|setname");
    assert!(lookup(b"").is_none());
    assert!(lookup(b"get ").is_none());
    assert!(lookup(b"\xff\x00").is_none());
    assert!(lookup_args([&b"nosuch"[..], b"thing"]).is_none());
    assert_eq!(
        lookup_args([&b"client"[..], b"nosuch"]).unwrap().name(),
        "client"
    );
    // A full subcommand name is not resolved further.
    assert_eq!(
        lookup_args([&b"client|list"[..], b"id"]).unwrap().name(),
        "client|list"
    );
}

#[test]
fn flags_and_docs() {
    let get = lookup(b"get").unwrap();
    assert!(get.flags().is_readonly() && get.flags().is_fast());
    assert!(!get.flags().is_write());
    assert_eq!(get.group(), Group::String);
    assert_eq!(get.legacy_key_range(), (1, 1, 1));

    let blpop = lookup(b"blpop").unwrap();
    assert!(blpop.flags().is_blocking() && blpop.flags().is_write());
    assert!(lookup(b"publish").unwrap().flags().is_pubsub());
    assert!(lookup(b"publish").unwrap().flags().may_replicate());
    assert!(lookup(b"eval").unwrap().flags().may_replicate());
    assert!(!lookup(b"get").unwrap().flags().may_replicate());
    assert!(lookup(b"config|set").unwrap().flags().is_admin());
    assert!(lookup(b"save").unwrap().flags().no_multi());
    assert!(lookup(b"auth").unwrap().flags().no_auth());
    assert!(lookup(b"zunionstore").unwrap().flags().has_movable_keys());

    let set = lookup(b"set").unwrap();
    assert_eq!(
        set.syntax(),
        "key value [NX|XX] [GET] [EX seconds|PX milliseconds|\
         EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]"
    );
    assert!(set.key_specs()[0]
        .flags()
        .contains(KeySpecFlags::VARIABLE_FLAGS));
    assert_eq!(
        lookup(b"migrate").unwrap().syntax(),
        "host port key|\"\" destination-db timeout [COPY] [REPLACE] \
         [[AUTH password]|[AUTH2 username password]] [KEYS key [key ...]]"
    );
    let georadius = lookup(b"georadius").unwrap();
    assert_eq!(georadius.deprecated_since(), Some("6.2.0"));
    assert!(georadius.replaced_by().unwrap().contains("GEOSEARCH"));
    assert_eq!(get.deprecated_since(), None);
    assert!(lookup(b"keys")
        .unwrap()
        .tips()
        .contains(&"request_policy:all_shards"));
    assert_eq!(lookup(b"client").unwrap().usage(), "CLIENT");
    assert_eq!(
        format!("{:?}", Flags::WRITE | Flags::DENYOOM),
        "Flags(write | denyoom)"
    );
    assert_eq!(format!("{:?}", Flags::EMPTY), "Flags()");
    assert_eq!(Flags::from_bits(Flags::FAST.bits()), Flags::FAST);
    assert!(Flags::EMPTY.is_empty());
}

#[test]
fn key_positions_simple_and_ranges() {
    assert_eq!(keys(&["GET", "k"]), [1]);
    assert_eq!(keys(&["get", "k"]), [1]);
    assert_eq!(keys(&["DEL", "a", "b", "c"]), [1, 2, 3]);
    assert_eq!(keys(&["MSET", "a", "1", "b", "2"]), [1, 3]);
    assert_eq!(keys(&["MSETNX", "a", "1", "b", "2", "c", "3"]), [1, 3, 5]);
    assert_eq!(keys(&["RENAME", "a", "b"]), [1, 2]);
    assert_eq!(keys(&["BLMOVE", "a", "b", "LEFT", "RIGHT", "0"]), [1, 2]);
    assert_eq!(keys(&["BLPOP", "a", "b", "0"]), [1, 2]);
    assert_eq!(keys(&["BITOP", "AND", "d", "a", "b"]), [2, 3, 4]);
    assert_eq!(keys(&["SET", "k", "v", "GET", "EX", "10"]), [1]);
    assert_eq!(keys(&["PING"]), Vec::<usize>::new());
    assert_eq!(keys(&["NOSUCH", "a"]), Vec::<usize>::new());
    assert_eq!(keys(&[]), Vec::<usize>::new());
}

#[test]
fn key_positions_numkeys() {
    assert_eq!(keys(&["EVAL", "s", "2", "a", "b", "x"]), [3, 4]);
    assert_eq!(keys(&["EVAL", "s", "0", "x"]), Vec::<usize>::new());
    assert_eq!(keys(&["EVALSHA", "sha", "1", "a"]), [3]);
    assert_eq!(keys(&["FCALL", "f", "1", "a", "x"]), [3]);
    assert_eq!(keys(&["ZUNIONSTORE", "d", "2", "a", "b"]), [1, 3, 4]);
    assert_eq!(keys(&["ZINTER", "2", "a", "b", "WITHSCORES"]), [2, 3]);
    assert_eq!(keys(&["SINTERCARD", "2", "a", "b", "LIMIT", "1"]), [2, 3]);
    assert_eq!(keys(&["LMPOP", "2", "a", "b", "LEFT"]), [2, 3]);
    assert_eq!(keys(&["BLMPOP", "0", "2", "a", "b", "LEFT"]), [3, 4]);
    assert_eq!(keys(&["BZMPOP", "0", "1", "a", "MIN"]), [3]);
}

#[test]
fn key_positions_keywords_and_special_cases() {
    assert_eq!(
        keys(&["XREAD", "COUNT", "1", "STREAMS", "a", "b", "0", "0"]),
        [4, 5]
    );
    assert_eq!(
        keys(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", ">"]),
        [5]
    );
    // A group named "streams" is skipped by the spec's start index.
    assert_eq!(
        keys(&["XREADGROUP", "GROUP", "streams", "c", "STREAMS", "a", ">"]),
        [5]
    );
    assert_eq!(keys(&["SORT", "k"]), [1]);
    assert_eq!(
        keys(&["SORT", "k", "BY", "store", "LIMIT", "0", "1", "STORE", "d"]),
        [1, 8]
    );
    assert_eq!(keys(&["SORT", "k", "GET", "#", "STORE"]), [1]);
    assert_eq!(keys(&["SORT_RO", "k", "BY", "w_*"]), [1]);
    assert_eq!(keys(&["MIGRATE", "h", "1", "k", "0", "10"]), [3]);
    assert_eq!(
        keys(&["MIGRATE", "h", "1", "", "0", "10", "AUTH", "keys", "KEYS", "a", "b"]),
        [9, 10]
    );
    assert_eq!(
        keys(&["MIGRATE", "h", "1", "k", "0", "10", "KEYS", "a"]),
        Vec::<usize>::new()
    );
    assert_eq!(
        keys(&["GEORADIUS", "g", "0", "0", "1", "km", "STORE", "d"]),
        [1, 7]
    );
    assert_eq!(
        keys(&["GEORADIUSBYMEMBER", "g", "m", "1", "km", "STOREDIST", "d"]),
        [1, 6]
    );
    assert_eq!(keys(&["OBJECT", "ENCODING", "k"]), [2]);
    assert_eq!(keys(&["MEMORY", "USAGE", "k", "SAMPLES", "5"]), [2]);
    assert_eq!(keys(&["XINFO", "STREAM", "s", "FULL"]), [2]);
    assert_eq!(keys(&["OBJECT", "HELP"]), Vec::<usize>::new());
}

#[test]
fn routing_includes_shard_channels() {
    let argv: [&[u8]; 3] = [b"SSUBSCRIBE", b"a", b"b"];
    assert!(key_positions(&argv).is_empty());
    assert_eq!(routing_positions(&argv), [1, 2]);
    let argv: [&[u8]; 2] = [b"GET", b"k"];
    assert_eq!(routing_positions(&argv), [1]);
}

#[test]
fn malformed_argv_never_panics() {
    // Bad numkeys: negative, not a number, too large, huge, sign, zeros.
    for n in [
        "-1",
        "x",
        "3",
        "99999999999999999999",
        "9223372036854775807",
        "+1",
        "01",
        "",
    ] {
        assert_eq!(keys(&["EVAL", "s", n, "a"]), Vec::<usize>::new(), "{n}");
        assert_eq!(keys(&["ZUNIONSTORE", "d", n, "a"]), [1], "{n}");
    }
    assert_eq!(keys(&["EVAL"]), Vec::<usize>::new());
    assert_eq!(keys(&["EVAL", "s"]), Vec::<usize>::new());
    assert_eq!(keys(&["XREAD", "STREAMS"]), Vec::<usize>::new());
    assert_eq!(keys(&["XREAD", "a", "STREAMS"]), Vec::<usize>::new());
    assert_eq!(keys(&["MIGRATE", "h", "1"]), Vec::<usize>::new());
    assert_eq!(keys(&["MIGRATE", "h", "1", "", "0", "1", "AUTH2"]), [3]);
    assert_eq!(keys(&["SORT"]), Vec::<usize>::new());
    assert_eq!(keys(&["SORT", "k", "LIMIT"]), [1]);
    assert_eq!(keys(&["GET"]), Vec::<usize>::new());
    assert_eq!(keys(&["MSET", "a"]), [1]);

    // Every command with argvs of every shape up to 8 arguments.
    let fillers: [&[u8]; 8] = [b"1", b"-1", b"STREAMS", b"KEYS", b"STORE", b"x", b"", b"0"];
    for c in &COMMANDS {
        let mut argv: Vec<&[u8]> = c.name.split('|').map(str::as_bytes).collect();
        let base = argv.len();
        for len in 0..8 {
            argv.truncate(base);
            for i in 0..len {
                argv.push(fillers[(i * 7 + len) % fillers.len()]);
            }
            for pos in key_positions(&argv) {
                assert!(pos >= 1 && pos < argv.len(), "{} {argv:?}", c.name);
            }
            let _ = routing_positions(&argv);
            let _ = is_read_only(&argv);
        }
    }
}

#[test]
fn read_only() {
    assert!(is_read_only(&[b"GET", b"k"]));
    assert!(is_read_only(&[b"ZRANGE", b"k", b"0", b"-1"]));
    assert!(is_read_only(&[b"OBJECT", b"ENCODING", b"k"]));
    assert!(!is_read_only(&[b"SET", b"k", b"v"]));
    assert!(!is_read_only(&[b"PING"]));
    assert!(!is_read_only(&[]));
}

#[test]
fn parse_count_is_strict() {
    assert_eq!(parse_count(b"0"), Some(0));
    assert_eq!(parse_count(b"12"), Some(12));
    assert_eq!(parse_count(b"012"), None);
    assert_eq!(parse_count(b"-1"), None);
    assert_eq!(parse_count(b"1 "), None);
    assert_eq!(parse_count(b"99999999999999999999"), None);
}

#[test]
fn every_name_fits_the_lookup_buffer() {
    let longest = COMMANDS.iter().map(|c| c.name.len()).max().unwrap();
    assert!(longest <= super::lookup::LONGEST_NAME, "{longest}");
    // Longer than any name: not found, no panic.
    assert!(lookup(&[b'a'; 200]).is_none());
    assert!(lookup(b"").is_none());
    // Every name in any case, and nothing else.
    for c in &COMMANDS {
        assert_eq!(
            lookup(c.name.to_uppercase().as_bytes()).map(|f| f.name),
            Some(c.name)
        );
        let mut longer = c.name.as_bytes().to_vec();
        longer.push(b'x');
        assert!(lookup(&longer).is_none_or(|f| f.name.as_bytes() == longer));
    }
}
