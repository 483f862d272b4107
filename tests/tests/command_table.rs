//! The generated command table against a real server as the oracle:
//! key positions against `COMMAND GETKEYS`, every listed command found,
//! arity, flags, key ranges, ACL categories and docs against `COMMAND INFO`
//! and `COMMAND DOCS`.

use std::collections::{BTreeSet, HashMap};

use integration_tests::{RedisServer, Reply};
use redis_blocking::commands::info::{self, key_positions, lookup, lookup_args};

/// Realistic argvs, every key name distinct (and distinct from every other
/// argument), so that the keys the server returns map back to positions.
const ARGVS: &[&[&str]] = &[
    // Strings.
    &["GET", "k:a"],
    &["SET", "k:a", "v", "NX", "GET", "EX", "10"],
    &["SET", "k:a", "v", "KEEPTTL"],
    &["MSET", "k:a", "1", "k:b", "2", "k:c", "3"],
    &["MSETNX", "k:a", "1", "k:b", "2"],
    &["MGET", "k:a", "k:b", "k:c"],
    &["GETEX", "k:a", "PERSIST"],
    &["GETDEL", "k:a"],
    &["GETSET", "k:a", "v"],
    &["APPEND", "k:a", "v"],
    &["INCRBY", "k:a", "5"],
    &["SETRANGE", "k:a", "0", "v"],
    &["LCS", "k:a", "k:b", "LEN"],
    &["STRLEN", "k:a"],
    // Bitmaps.
    &["BITOP", "AND", "k:dest", "k:a", "k:b", "k:c"],
    &["BITOP", "NOT", "k:dest", "k:a"],
    &["BITCOUNT", "k:a", "0", "-1", "BIT"],
    &["BITFIELD", "k:a", "GET", "u8", "0", "SET", "u8", "0", "1"],
    &["BITFIELD_RO", "k:a", "GET", "u8", "0"],
    &["SETBIT", "k:a", "7", "1"],
    // Keys.
    &["DEL", "k:a", "k:b"],
    &["UNLINK", "k:a", "k:b", "k:c"],
    &["EXISTS", "k:a", "k:b"],
    &["TOUCH", "k:a", "k:b"],
    &["RENAME", "k:a", "k:b"],
    &["RENAMENX", "k:a", "k:b"],
    &["COPY", "k:a", "k:b", "DB", "0", "REPLACE"],
    &["EXPIRE", "k:a", "10", "NX"],
    &["TYPE", "k:a"],
    &["DUMP", "k:a"],
    &["RESTORE", "k:a", "0", "payload", "REPLACE", "IDLETIME", "5"],
    &["OBJECT", "ENCODING", "k:a"],
    &["OBJECT", "FREQ", "k:a"],
    &["OBJECT", "IDLETIME", "k:a"],
    &["MEMORY", "USAGE", "k:a", "SAMPLES", "5"],
    &["SORT", "k:a"],
    &[
        "SORT", "k:a", "BY", "w_*", "LIMIT", "0", "10", "GET", "#", "GET", "h_*->f", "DESC",
        "ALPHA", "STORE", "k:dest",
    ],
    &["SORT", "k:a", "STORE", "k:b", "STORE", "k:dest"],
    &["SORT_RO", "k:a", "BY", "w_*", "GET", "#"],
    &[
        "MIGRATE",
        "127.0.0.1",
        "6379",
        "k:a",
        "0",
        "1000",
        "COPY",
        "REPLACE",
    ],
    &[
        "MIGRATE",
        "127.0.0.1",
        "6379",
        "",
        "0",
        "1000",
        "COPY",
        "AUTH",
        "pw",
        "KEYS",
        "k:a",
        "k:b",
        "k:c",
    ],
    &[
        "MIGRATE",
        "127.0.0.1",
        "6379",
        "",
        "0",
        "1000",
        "AUTH2",
        "user",
        "pw",
        "KEYS",
        "k:a",
    ],
    // Lists.
    &["LPUSH", "k:a", "x", "y"],
    &["LPOS", "k:a", "x", "RANK", "1", "MAXLEN", "5"],
    &["LINSERT", "k:a", "BEFORE", "p", "x"],
    &["RPOPLPUSH", "k:a", "k:b"],
    &["LMOVE", "k:a", "k:b", "LEFT", "RIGHT"],
    &["BLMOVE", "k:a", "k:b", "LEFT", "RIGHT", "0"],
    &["BRPOPLPUSH", "k:a", "k:b", "0"],
    &["BLPOP", "k:a", "k:b", "k:c", "0"],
    &["BRPOP", "k:a", "1.5"],
    &["LMPOP", "2", "k:a", "k:b", "LEFT", "COUNT", "2"],
    &["BLMPOP", "0", "3", "k:a", "k:b", "k:c", "RIGHT"],
    // Sets.
    &["SADD", "k:a", "m1", "m2"],
    &["SMOVE", "k:a", "k:b", "m1"],
    &["SMISMEMBER", "k:a", "m1", "m2"],
    &["SINTERCARD", "2", "k:a", "k:b", "LIMIT", "5"],
    &["SINTERSTORE", "k:dest", "k:a", "k:b"],
    &["SUNION", "k:a", "k:b", "k:c"],
    &["SDIFFSTORE", "k:dest", "k:a"],
    // Sorted sets.
    &["ZADD", "k:a", "NX", "CH", "1", "m1", "2", "m2"],
    &[
        "ZUNIONSTORE",
        "k:dest",
        "2",
        "k:a",
        "k:b",
        "WEIGHTS",
        "1",
        "2",
        "AGGREGATE",
        "MAX",
    ],
    &["ZINTERSTORE", "k:dest", "3", "k:a", "k:b", "k:c"],
    &["ZDIFFSTORE", "k:dest", "2", "k:a", "k:b"],
    &["ZUNION", "2", "k:a", "k:b", "WITHSCORES"],
    &["ZINTER", "1", "k:a"],
    &["ZDIFF", "2", "k:a", "k:b"],
    &["ZINTERCARD", "2", "k:a", "k:b", "LIMIT", "1"],
    &["ZMPOP", "2", "k:a", "k:b", "MIN", "COUNT", "3"],
    &["BZMPOP", "1", "1", "k:a", "MAX"],
    &["BZPOPMIN", "k:a", "k:b", "0"],
    &["ZRANGESTORE", "k:dest", "k:a", "0", "-1"],
    &[
        "ZRANGE", "k:a", "0", "-1", "BYSCORE", "REV", "LIMIT", "0", "1",
    ],
    // Hashes.
    &["HSET", "k:a", "f1", "v1", "f2", "v2"],
    &["HGETALL", "k:a"],
    &["HINCRBYFLOAT", "k:a", "f", "1.5"],
    &["HRANDFIELD", "k:a", "2", "WITHVALUES"],
    // HyperLogLog.
    &["PFADD", "k:a", "e1", "e2"],
    &["PFCOUNT", "k:a", "k:b"],
    &["PFMERGE", "k:dest", "k:a", "k:b"],
    // Geo.
    &["GEOADD", "k:a", "13.36", "38.11", "palermo"],
    &[
        "GEORADIUS",
        "k:a",
        "15",
        "37",
        "200",
        "km",
        "WITHDIST",
        "STORE",
        "k:dest",
    ],
    &[
        "GEORADIUS",
        "k:a",
        "15",
        "37",
        "200",
        "km",
        "STOREDIST",
        "k:dest",
    ],
    &[
        "GEORADIUSBYMEMBER",
        "k:a",
        "palermo",
        "100",
        "km",
        "COUNT",
        "5",
        "STORE",
        "k:dest",
    ],
    &["GEORADIUS_RO", "k:a", "15", "37", "200", "km"],
    &[
        "GEOSEARCHSTORE",
        "k:dest",
        "k:a",
        "FROMMEMBER",
        "palermo",
        "BYRADIUS",
        "10",
        "km",
    ],
    &[
        "GEOSEARCH",
        "k:a",
        "FROMLONLAT",
        "15",
        "37",
        "BYBOX",
        "400",
        "400",
        "km",
        "ASC",
    ],
    // Streams.
    &["XADD", "k:a", "MAXLEN", "~", "100", "*", "f", "v"],
    &["XRANGE", "k:a", "-", "+"],
    &[
        "XREAD", "COUNT", "2", "BLOCK", "0", "STREAMS", "k:a", "k:b", "0", "0",
    ],
    &["XREAD", "STREAMS", "k:a", "$"],
    &[
        "XREADGROUP",
        "GROUP",
        "g",
        "c",
        "COUNT",
        "1",
        "NOACK",
        "STREAMS",
        "k:a",
        "k:b",
        "k:c",
        ">",
        ">",
        ">",
    ],
    &["XGROUP", "CREATE", "k:a", "g", "$", "MKSTREAM"],
    &["XINFO", "STREAM", "k:a", "FULL"],
    &["XINFO", "GROUPS", "k:a"],
    &["XAUTOCLAIM", "k:a", "g", "c", "10", "0"],
    &["XTRIM", "k:a", "MINID", "0"],
    &["XACK", "k:a", "g", "1-0"],
    // Scripts and functions.
    &["EVAL", "return 1", "2", "k:a", "k:b", "arg1"],
    &["EVAL", "return 1", "0"],
    &["EVAL", "return 1", "0", "arg1", "arg2"],
    &[
        "EVALSHA",
        "e0e1f9fabfc9d4800c877a703b823ac0578ff8db",
        "1",
        "k:a",
        "arg1",
    ],
    &["EVAL_RO", "return 1", "1", "k:a"],
    &[
        "EVALSHA_RO",
        "e0e1f9fabfc9d4800c877a703b823ac0578ff8db",
        "2",
        "k:a",
        "k:b",
    ],
    &["FCALL", "f", "2", "k:a", "k:b", "arg1"],
    &["FCALL_RO", "f", "1", "k:a"],
    // Transactions, pub/sub, server: keys or none.
    &["WATCH", "k:a", "k:b"],
    &["PUBLISH", "chan", "msg"],
    &["SPUBLISH", "chan", "msg"],
    &["SSUBSCRIBE", "chan1", "chan2"],
    &["CONFIG", "GET", "maxmemory"],
    &["CLIENT", "SETNAME", "me"],
    &["PING"],
    &["DBSIZE"],
];

/// The positions of the keys `COMMAND GETKEYS` reports for `argv`.
fn server_key_positions(server: &RedisServer, argv: &[&str]) -> Vec<usize> {
    let mut query = vec!["COMMAND", "GETKEYS"];
    query.extend_from_slice(argv);
    let keys = match server.query(&query) {
        Reply::Array(keys) => keys,
        // PING: too few arguments for COMMAND GETKEYS itself.
        Reply::Error(e)
            if e.contains("no key arguments") || e.contains("wrong number of arguments") =>
        {
            Vec::new()
        }
        other => panic!("COMMAND GETKEYS {argv:?}: {other}"),
    };
    let mut positions: Vec<usize> = keys
        .iter()
        .map(|key| {
            let key = key.as_str().expect("a key name");
            let at: Vec<usize> = (1..argv.len()).filter(|&i| argv[i] == key).collect();
            assert_eq!(
                at.len(),
                1,
                "{argv:?}: key {key:?} is not unique in the argv"
            );
            at[0]
        })
        .collect();
    positions.sort_unstable();
    positions
}

#[test]
fn key_positions_match_command_getkeys() {
    assert!(ARGVS.len() >= 60);
    let server = RedisServer::start().unwrap();
    let mut commands = BTreeSet::new();
    for argv in ARGVS {
        let expected = server_key_positions(&server, argv);
        let args: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
        assert_eq!(key_positions(&args), expected, "key positions of {argv:?}");
        let command = lookup_args(args.iter().copied()).expect("a known command");
        assert!(
            command.accepts_arg_count(argv.len()),
            "{argv:?} fails the arity check"
        );
        commands.insert(command.name());
    }
    assert!(
        commands.len() >= 60,
        "only {} distinct commands",
        commands.len()
    );
}

/// `COMMAND INFO` (RESP2) for every command and subcommand, by name.
fn command_info(server: &RedisServer) -> HashMap<String, Vec<Reply>> {
    fn collect(entries: &[Reply], out: &mut HashMap<String, Vec<Reply>>) {
        for entry in entries {
            let fields = entry.as_array().expect("a COMMAND INFO entry").to_vec();
            let name = fields[0].as_str().unwrap().to_ascii_lowercase();
            if let Some(subs) = fields.get(9).and_then(Reply::as_array) {
                collect(subs, out);
            }
            out.insert(name, fields);
        }
    }
    let mut out = HashMap::new();
    collect(
        server.query(&["COMMAND", "INFO"]).as_array().unwrap(),
        &mut out,
    );
    out
}

fn strings(reply: &Reply) -> Vec<String> {
    reply
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn every_listed_command_is_known() {
    let server = RedisServer::start().unwrap();
    let listed = strings(&server.query(&["COMMAND", "LIST"]));
    assert!(listed.len() > 300);
    for name in &listed {
        let found = lookup(name.as_bytes()).unwrap_or_else(|| panic!("{name} is not in the table"));
        assert_eq!(found.name(), name.to_ascii_lowercase());
        if let Some((container, sub)) = name.split_once('|') {
            let found = lookup_args([container.as_bytes(), sub.as_bytes()]).unwrap();
            assert_eq!(found.name(), name.to_ascii_lowercase());
        }
    }
    assert_eq!(
        info::all().len(),
        listed.len(),
        "the table and the server disagree on the number of commands: regenerate it"
    );
}

#[test]
fn arity_flags_and_key_ranges_match_command_info() {
    let server = RedisServer::start().unwrap();
    let infos = command_info(&server);
    assert_eq!(infos.len(), info::all().len());
    for command in info::all() {
        let fields = &infos[command.name()];
        let name = command.name();
        assert_eq!(
            i64::from(command.arity()),
            fields[1].as_int().unwrap(),
            "{name} arity"
        );
        // MAY_REPLICATE is hidden by COMMAND INFO in Redis 7.0.
        let ours: BTreeSet<&str> = command
            .flags()
            .names()
            .filter(|f| *f != "may_replicate")
            .collect();
        let theirs = strings(&fields[2]);
        let theirs: BTreeSet<&str> = theirs.iter().map(String::as_str).collect();
        assert_eq!(ours, theirs, "{name} flags");
        let (first, last, step) = command.legacy_key_range();
        let legacy: Vec<i64> = fields[3..6].iter().map(|r| r.as_int().unwrap()).collect();
        assert_eq!(
            legacy,
            [i64::from(first), i64::from(last), i64::from(step)],
            "{name} legacy key range"
        );
        assert_eq!(
            command.acl_categories(),
            strings(&fields[6]),
            "{name} ACL categories"
        );
        assert_eq!(command.tips(), strings(&fields[7]), "{name} tips");
        assert_eq!(
            command.key_specs().len(),
            fields[8].as_array().unwrap().len(),
            "{name} key specs"
        );
        let argv: Vec<&[u8]> = name.split('|').map(str::as_bytes).collect();
        assert_eq!(
            info::is_read_only(&argv),
            theirs.contains("readonly") && !theirs.contains("write"),
            "{name} read-only"
        );
    }

    // A handful spelled out, in case both sides were wrong the same way.
    let get = lookup(b"get").unwrap();
    assert_eq!((get.arity(), get.flags().is_readonly()), (2, true));
    let set = lookup(b"set").unwrap();
    assert_eq!((set.arity(), set.flags().is_write()), (-3, true));
    assert!(set.flags().is_denyoom());
    let blpop = lookup(b"blpop").unwrap();
    assert!(blpop.flags().is_blocking() && blpop.flags().is_write());
    let setname = lookup(b"client|setname").unwrap();
    assert_eq!(setname.arity(), 3);
    assert!(setname.flags().is_noscript());
    let publish = lookup(b"publish").unwrap();
    assert!(publish.flags().is_pubsub() && publish.flags().is_fast());
    assert!(lookup(b"config|set").unwrap().flags().is_admin());
}

/// `COMMAND DOCS` (RESP2: maps as flat arrays) for every command, by name.
fn command_docs(server: &RedisServer) -> HashMap<String, HashMap<String, Reply>> {
    fn pairs(reply: &Reply) -> Vec<(String, Reply)> {
        reply
            .as_array()
            .unwrap()
            .chunks(2)
            .map(|kv| (kv[0].as_str().unwrap().to_string(), kv[1].clone()))
            .collect()
    }
    fn collect(reply: &Reply, out: &mut HashMap<String, HashMap<String, Reply>>) {
        for (name, doc) in pairs(reply) {
            let doc: HashMap<String, Reply> = pairs(&doc).into_iter().collect();
            if let Some(subs) = doc.get("subcommands") {
                collect(subs, out);
            }
            out.insert(name.to_ascii_lowercase(), doc);
        }
    }
    let mut out = HashMap::new();
    collect(&server.query(&["COMMAND", "DOCS"]), &mut out);
    out
}

/// A text field of a `COMMAND DOCS` entry, empty when absent.
fn doc_text(doc: &HashMap<String, Reply>, field: &str) -> String {
    doc.get(field)
        .map(|r| r.as_str().unwrap().to_string())
        .unwrap_or_default()
}

#[test]
fn docs_match_command_docs() {
    let server = RedisServer::start().unwrap();
    let docs = command_docs(&server);
    assert_eq!(docs.len(), info::all().len());
    for command in info::all() {
        let doc = &docs[command.name()];
        let name = command.name();
        assert_eq!(
            command.summary(),
            doc_text(doc, "summary"),
            "{name} summary"
        );
        assert_eq!(command.since(), doc_text(doc, "since"), "{name} since");
        assert_eq!(
            command.group().as_str(),
            doc_text(doc, "group"),
            "{name} group"
        );
        assert_eq!(
            command.deprecated_since().unwrap_or_default(),
            doc_text(doc, "deprecated_since"),
            "{name} deprecated_since"
        );
        assert_eq!(
            command.replaced_by().unwrap_or_default(),
            doc_text(doc, "replaced_by"),
            "{name} replaced_by"
        );
        // Commands with arguments have a syntax line, the others none.
        assert_eq!(
            command.syntax().is_empty(),
            !doc.contains_key("arguments"),
            "{name} syntax {:?}",
            command.syntax()
        );
    }
}
