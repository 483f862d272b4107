//! Every typed method of the server-side groups (scripting, pub/sub,
//! server, introspection, connections, ACL, session) against a real
//! server, in RESP2 and RESP3; each test ends by checking with `INFO
//! commandstats` that every command its group's methods send really ran.

mod typed_support;

use std::collections::HashMap;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use integration_tests::{RedisCluster, RedisServer};
use redis_blocking::commands::{
    ClientKill, ClientKind, ClientListOptions, CommandFilter, FlushMode, RestorePolicy,
};
use redis_blocking::prelude::*;
use redis_blocking::{Incoming, Multiplexed, Protocol, Role};
use typed_support::{connect, each_protocol};

/// Waits until `check` holds, for up to 5 s.
fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let started = Instant::now();
    while !check() {
        assert!(
            started.elapsed() < Duration::from_secs(5),
            "timed out: {what}"
        );
        thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn scripting_and_functions() {
    let server = RedisServer::start().unwrap();
    each_protocol(&server, "ScriptingCommands", |c, protocol| {
        let () = c.set("k", "v").unwrap();
        let got: String = c
            .eval("return redis.call('GET', KEYS[1])", "k", ())
            .unwrap();
        assert_eq!(got, "v");
        let args: Vec<String> = c
            .eval("return {KEYS[1], KEYS[2], ARGV[1]}", ["a", "b"], 7)
            .unwrap();
        assert_eq!(args, ["a", "b", "7"]);
        let got: String = c
            .eval_ro("return redis.call('GET', KEYS[1])", "k", ())
            .unwrap();
        assert_eq!(got, "v");
        let refused = c
            .eval_ro::<_, _, _, ()>("return redis.call('SET', KEYS[1], 1)", "k", ())
            .unwrap_err();
        assert_eq!(refused.kind(), ErrorKind::Server);
        let sha = c.script_load("return ARGV[1] + 1").unwrap();
        assert_eq!(c.evalsha::<_, _, _, i64>(&sha, (), 41).unwrap(), 42);
        assert_eq!(c.evalsha_ro::<_, _, _, i64>(&sha, (), 1).unwrap(), 2);
        assert_eq!(
            c.script_exists([sha.as_str(), "0000"]).unwrap(),
            [true, false]
        );
        let () = c.script_flush_mode(FlushMode::Sync).unwrap();
        assert_eq!(c.script_exists(&sha).unwrap(), [false]);
        let () = c.script_flush().unwrap();
        let notbusy = c.script_kill::<()>().unwrap_err();
        assert_eq!(notbusy.code(), Some(&ErrorCode::NotBusy));
        // A script that runs too long is killed from another connection.
        let () = c.config_set("busy-reply-threshold", 50).unwrap();
        let mut spinner = connect(&server, protocol);
        let mut killer = connect(&server, protocol);
        let busy = thread::spawn(move || {
            spinner
                .eval::<_, _, _, ()>("while true do end", (), ())
                .unwrap_err()
        });
        eventually("SCRIPT KILL answers OK", || {
            killer.script_kill::<()>().is_ok()
        });
        let killed = busy.join().unwrap();
        assert!(killed.to_string().contains("killed"), "{killed}");
        let () = c.config_set("busy-reply-threshold", 5000).unwrap();

        let lib = "#!lua name=mylib\nredis.register_function('myget', function(keys) return redis.call('GET', keys[1]) end)\nredis.register_function{function_name='myro', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}}";
        assert_eq!(c.function_load::<_, String>(lib, false).unwrap(), "mylib");
        assert!(c.function_load::<_, String>(lib, false).is_err());
        assert_eq!(c.function_load::<_, String>(lib, true).unwrap(), "mylib");
        assert_eq!(c.fcall::<_, _, _, String>("myget", "k", ()).unwrap(), "v");
        assert_eq!(c.fcall_ro::<_, _, _, String>("myro", "k", ()).unwrap(), "v");
        let all: Vec<HashMap<String, Value>> = c.function_list(false).unwrap();
        assert_eq!(
            String::from_reply(all[0]["library_name"].clone()).unwrap(),
            "mylib"
        );
        assert!(!all[0].contains_key("library_code"));
        let with_code: Vec<HashMap<String, Value>> = c.function_list_matching("my*", true).unwrap();
        let code = String::from_reply(with_code[0]["library_code"].clone()).unwrap();
        assert!(code.contains("register_function"));
        let none: Vec<Value> = c.function_list_matching("nomatch*", false).unwrap();
        assert!(none.is_empty());
        let stats: HashMap<String, Value> = c.function_stats().unwrap();
        assert!(stats.contains_key("engines"));
        let notbusy = c.function_kill::<()>().unwrap_err();
        assert_eq!(notbusy.code(), Some(&ErrorCode::NotBusy));
        let dump = c.function_dump().unwrap();
        let () = c.function_flush_mode(FlushMode::Async).unwrap();
        assert!(c.fcall::<_, _, _, String>("myget", "k", ()).is_err());
        let () = c.function_restore(&dump, RestorePolicy::Append).unwrap();
        assert!(c
            .function_restore::<_, ()>(&dump, RestorePolicy::Append)
            .is_err());
        let () = c.function_restore(&dump, RestorePolicy::Replace).unwrap();
        let () = c.function_restore(&dump, RestorePolicy::Flush).unwrap();
        assert_eq!(c.fcall::<_, _, _, String>("myget", "k", ()).unwrap(), "v");
        let () = c.function_delete("mylib").unwrap();
        let () = c.function_flush().unwrap();
    });
}

#[test]
fn publishing_and_pubsub_introspection() {
    let server = RedisServer::start().unwrap();
    each_protocol(&server, "PubSubCommands", |c, _| {
        let client = Client::open(&server.url()).unwrap();
        let subscriber = client.subscriber().unwrap();
        subscriber.subscribe(["news"]).unwrap();
        subscriber.psubscribe(["n*"]).unwrap();
        subscriber.ssubscribe(["shard"]).unwrap();
        assert_eq!(c.publish("news", "hello").unwrap(), 2); // channel and pattern
        assert_eq!(c.spublish("shard", "hi").unwrap(), 1);
        let mut payloads = Vec::new();
        while payloads.len() < 3 {
            match subscriber.recv_timeout(Duration::from_secs(5)).unwrap() {
                Some(Incoming::Message(m)) => payloads.push(m.payload),
                other => panic!("{other:?}"),
            }
        }
        payloads.sort();
        assert_eq!(
            payloads,
            [b"hello".to_vec(), b"hello".to_vec(), b"hi".to_vec()]
        );
        assert_eq!(c.pubsub_channels().unwrap(), ["news"]);
        assert_eq!(c.pubsub_channels_matching("ne*").unwrap(), ["news"]);
        assert!(c.pubsub_channels_matching("x*").unwrap().is_empty());
        assert_eq!(
            c.pubsub_numsub(["news", "other"]).unwrap(),
            [("news".to_string(), 1), ("other".to_string(), 0)]
        );
        assert_eq!(c.pubsub_numpat().unwrap(), 1);
        assert_eq!(c.pubsub_shardchannels().unwrap(), ["shard"]);
        assert_eq!(c.pubsub_shardchannels_matching("sh*").unwrap(), ["shard"]);
        assert_eq!(
            c.pubsub_shardnumsub("shard").unwrap(),
            [("shard".to_string(), 1)]
        );
        subscriber.close();
        eventually("the subscriber is gone", || c.pubsub_numpat().unwrap() == 0);
    });
}

#[test]
fn server_commands_with_a_replica() {
    let server = RedisServer::start().unwrap();
    let replica = RedisServer::builder().replica_of(&server).start().unwrap();
    let mut on_replica = connect(&replica, Protocol::Resp3);
    let mut synced = false;
    for _ in 0..2000 {
        if matches!(on_replica.role(), Ok(Role::Replica { ref state, .. }) if state == "connected")
        {
            synced = true;
            break;
        }
        thread::sleep(Duration::from_millis(10));
    }
    assert!(synced, "the replica did not sync within 20 s");
    each_protocol(&server, "ServerCommands", |c, _| {
        assert_eq!(c.ping::<String>().unwrap(), "PONG");
        assert_eq!(c.ping_message::<_, String>("hi").unwrap(), "hi");
        assert_eq!(c.echo::<_, String>("echo").unwrap(), "echo");
        let () = c.set("a", 1).unwrap();
        assert_eq!(c.dbsize::<i64>().unwrap(), 1);
        // WAIT: the replica acknowledges this connection's write.
        assert_eq!(c.wait(1, 5000).unwrap(), 1);
        assert_eq!(c.wait(2, 20).unwrap(), 1);
        match c.role().unwrap() {
            Role::Primary { replicas, offset } => {
                assert_eq!(replicas.len(), 1);
                assert_eq!(replicas[0].port, replica.port());
                assert!(offset > 0);
            }
            other => panic!("{other:?}"),
        }
        match on_replica.role().unwrap() {
            Role::Replica { primary_port, .. } => assert_eq!(primary_port, server.port()),
            other => panic!("{other:?}"),
        }
        let () = c.swapdb(0, 1).unwrap();
        assert_eq!(c.dbsize::<i64>().unwrap(), 0);
        let () = c.swapdb(1, 0).unwrap();
        assert_eq!(c.dbsize::<i64>().unwrap(), 1);
        let info: String = c.info("server").unwrap();
        assert!(info.contains("redis_version:7."), "{info}");
        let both: String = c.info(["server", "clients"]).unwrap();
        assert!(both.contains("connected_clients:"));
        let (secs, micros) = c.time().unwrap();
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_secs();
        assert!(secs.abs_diff(now) <= 2 && micros < 1_000_000);
        let before = now.saturating_sub(1);
        let () = c.save().unwrap();
        assert!(c.lastsave().unwrap() >= before);
        // An AOF rewrite runs: BGSAVE SCHEDULE waits for it; a plain
        // BGSAVE would be refused.
        let aof: String = c.bgrewriteaof().unwrap();
        assert!(aof.contains("append only file"), "{aof}");
        let scheduled: String = c.bgsave_schedule().unwrap();
        assert!(scheduled.contains("Background saving"), "{scheduled}");
        let persistence_idle = |c: &mut Connection| {
            let persistence: String = c.info("persistence").unwrap();
            persistence.contains("rdb_bgsave_in_progress:0")
                && persistence.contains("aof_rewrite_in_progress:0")
                && persistence.contains("aof_rewrite_scheduled:0")
                && !persistence.contains("rdb_last_bgsave_status:err")
        };
        eventually("background jobs done", || persistence_idle(c));
        let started: String = c.bgsave().unwrap();
        assert!(started.contains("Background saving started"), "{started}");
        let config: HashMap<String, String> = c.config_get(["maxmemory-samples", "port"]).unwrap();
        assert_eq!(config["port"], server.port().to_string());
        let () = c.config_set("maxmemory-samples", 6).unwrap();
        let () = c
            .config_set_multiple([
                ("maxmemory-samples", "7"),
                ("lazyfree-lazy-eviction", "yes"),
            ])
            .unwrap();
        let config: HashMap<String, String> = c.config_get("maxmemory-samples").unwrap();
        assert_eq!(config["maxmemory-samples"], "7");
        let () = c.config_rewrite().unwrap();
        let written = std::fs::read_to_string(server.config_path()).unwrap();
        assert!(written.contains("maxmemory-samples 7"), "{written}");
        let modules: Vec<Value> = c.module_list().unwrap();
        assert!(modules.is_empty());
        // Let the background save finish before the flushes.
        eventually("background save done", || persistence_idle(c));
        let () = c.flushdb_mode(FlushMode::Sync).unwrap();
        let () = c.set("b", 1).unwrap();
        let () = c.flushdb().unwrap();
        let () = c.set("b", 1).unwrap();
        let () = c.flushall_mode(FlushMode::Async).unwrap();
        assert_eq!(c.dbsize::<i64>().unwrap(), 0);
        let () = c.flushall().unwrap();
    });
}

#[test]
fn introspection_latency_memory_slowlog_command() {
    let server = RedisServer::start().unwrap();
    each_protocol(&server, "IntrospectionCommands", |c, _| {
        // A 20 ms script is a latency event with a 1 ms threshold.
        let () = c.config_set("latency-monitor-threshold", 1).unwrap();
        let spin = "local t = redis.call('TIME') local s = t[1] * 1000000 + t[2] \
                    repeat t = redis.call('TIME') until t[1] * 1000000 + t[2] - s > 20000";
        let () = c.eval(spin, (), ()).unwrap();
        let latest: Vec<(String, u64, u64, u64)> = c.latency_latest().unwrap();
        let event = latest.iter().find(|(name, ..)| name == "command").unwrap();
        assert!(event.2 >= 20, "{latest:?}");
        assert!(!c
            .latency_history::<_, Vec<(u64, u64)>>("command")
            .unwrap()
            .is_empty());
        assert!(c
            .latency_graph::<_, String>("command")
            .unwrap()
            .contains("command"));
        assert!(!c.latency_doctor::<String>().unwrap().is_empty());
        let histogram: HashMap<String, Value> = c.latency_histogram(["eval"]).unwrap();
        assert!(histogram.contains_key("eval"), "{histogram:?}");
        assert!(c.latency_reset(()).unwrap() >= 1);
        let () = c.config_set("latency-monitor-threshold", 0).unwrap();

        let () = c.set("k", "value").unwrap();
        assert!(c.memory_usage("k").unwrap().unwrap() > 0);
        assert_eq!(c.memory_usage("missing").unwrap(), None);
        let () = c.rpush("l", [1, 2, 3]).unwrap();
        assert!(c.memory_usage_samples("l", 0).unwrap().unwrap() > 0);
        let stats: HashMap<String, Value> = c.memory_stats().unwrap();
        assert!(stats.contains_key("peak.allocated"));
        assert!(!c.memory_doctor::<String>().unwrap().is_empty());
        assert!(!c.memory_malloc_stats::<String>().unwrap().is_empty());
        let () = c.memory_purge().unwrap();

        let () = c.slowlog_reset().unwrap();
        let () = c.config_set("slowlog-log-slower-than", 0).unwrap();
        let () = c.set("slow", "x").unwrap();
        let entries = c.slowlog_get(Some(10)).unwrap();
        let set = entries
            .iter()
            .find(|e| e.args.first().map(String::as_str) == Some("SET"))
            .unwrap();
        assert_eq!(set.args, ["SET", "slow", "x"]);
        assert!(set.time > 0 && !set.client_addr.is_empty());
        assert!(c.slowlog_len().unwrap() >= 2);
        assert!(!c.slowlog_get(None).unwrap().is_empty());
        let () = c.config_set("slowlog-log-slower-than", 10_000).unwrap();

        let count = c.command_count().unwrap();
        assert!(count > 200);
        // COMMAND COUNT counts commands, COMMAND LIST subcommands too.
        let names = c.command_list().unwrap();
        assert!(names.len() as u64 > count);
        assert!(names.contains(&"get".to_string()) && names.contains(&"config|get".to_string()));
        let geo = c
            .command_list_filtered(CommandFilter::AclCategory("geo".into()))
            .unwrap();
        assert!(geo.contains(&"geoadd".to_string()));
        let mut xa = c
            .command_list_filtered(CommandFilter::Pattern("xa*".into()))
            .unwrap();
        xa.sort();
        assert_eq!(xa, ["xack", "xadd", "xautoclaim"]);
        assert!(c
            .command_list_filtered(CommandFilter::Module("none".into()))
            .unwrap()
            .is_empty());
        assert_eq!(
            c.command_getkeys(["MSET", "a", "1", "b", "2"]).unwrap(),
            [b"a".to_vec(), b"b".to_vec()]
        );
        let flags = c.command_getkeysandflags(["SET", "k", "v"]).unwrap();
        assert_eq!(flags[0].0, b"k");
        assert!(flags[0].1.iter().any(|f| f == "OW"), "{flags:?}");
        let info: Vec<Value> = c.command_info("get").unwrap();
        assert_eq!(info.len(), 1);
        let docs: HashMap<String, Value> = c.command_docs("get").unwrap();
        assert!(docs.contains_key("get"));
        let all: Vec<Value> = c.command().unwrap();
        assert_eq!(all.len() as u64, count);
    });
}

#[test]
fn client_commands() {
    let server = RedisServer::start().unwrap();
    each_protocol(&server, "ConnectionCommands", |c, protocol| {
        let () = c.client_setname("typed").unwrap();
        assert_eq!(c.client_getname().unwrap().as_deref(), Some("typed"));
        let id = c.client_id().unwrap();
        let me = c.client_info().unwrap();
        assert_eq!((me.id, me.name.as_str(), me.db), (id, "typed", 0));
        let resp = if protocol == Protocol::Resp3 { 3 } else { 2 };
        assert_eq!((me.resp, me.cmd.as_str()), (resp, "client|info"));
        assert_eq!(me.get("user"), Some("default"));
        let all = c.client_list().unwrap();
        assert!(all.iter().any(|info| info.id == id));
        let only = c
            .client_list_filtered(ClientListOptions::default().ids([id]))
            .unwrap();
        assert_eq!(only.len(), 1);
        let normal = c
            .client_list_filtered(ClientListOptions::default().kind(ClientKind::Normal))
            .unwrap();
        assert!(normal.iter().any(|info| info.id == id));
        assert!(c
            .client_list_filtered(ClientListOptions::default().kind(ClientKind::PubSub))
            .unwrap()
            .is_empty());
        assert_eq!(c.client_getredir().unwrap(), -1);
        let tracking: HashMap<String, Value> = c.client_trackinginfo().unwrap();
        assert!(tracking.contains_key("flags"));

        // CLIENT KILL by ID, then by address; SKIPME keeps the caller.
        let mut victim = connect(&server, protocol);
        let victim_id = victim.client_id().unwrap();
        assert_eq!(
            c.client_kill(ClientKill::default().id(victim_id)).unwrap(),
            1
        );
        assert!(victim.ping::<String>().is_err());
        let mut victim = connect(&server, protocol);
        let addr = victim.client_info().unwrap().addr;
        let laddr = victim
            .client_info()
            .unwrap()
            .get("laddr")
            .unwrap()
            .to_owned();
        let kill = ClientKill::default()
            .addr(addr)
            .laddr(laddr)
            .user("default")
            .kind(ClientKind::Normal);
        assert_eq!(c.client_kill(kill).unwrap(), 1);
        assert!(victim.ping::<String>().is_err());
        assert_eq!(
            c.client_kill(ClientKill::default().id(id).skip_me(true))
                .unwrap(),
            0
        );

        // CLIENT UNBLOCK: a blocked BLPOP fails with UNBLOCKED.
        let mut blocked = connect(&server, protocol);
        let blocked_id = blocked.client_id().unwrap();
        let waiter =
            thread::spawn(move || blocked.blpop::<_, Option<(String, String)>>("never", 0.0));
        eventually("the client blocks", || {
            c.client_list_filtered(ClientListOptions::default().ids([blocked_id]))
                .unwrap()
                .first()
                .is_some_and(|info| info.cmd == "blpop")
        });
        assert!(c.client_unblock(blocked_id, true).unwrap());
        let unblocked = waiter.join().unwrap().unwrap_err();
        assert_eq!(unblocked.code(), Some(&ErrorCode::Unblocked));
        assert!(!c.client_unblock(blocked_id, false).unwrap());

        // CLIENT PAUSE: another connection's command waits it out.
        let mut other = connect(&server, protocol);
        let started = Instant::now();
        let () = c.client_pause(300).unwrap();
        let () = other.set("paused", 1).unwrap();
        assert!(started.elapsed() >= Duration::from_millis(300));
        let () = c.client_pause_writes(10_000).unwrap();
        let () = c.client_unpause().unwrap();
        let started = Instant::now();
        let () = other.set("paused", 2).unwrap();
        assert!(started.elapsed() < Duration::from_secs(5));
    });
}

#[test]
fn acl_users_rules_log_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let acl_file = dir.path().join("users.acl");
    std::fs::write(&acl_file, "user default on nopass ~* &* +@all\n").unwrap();
    let server = RedisServer::builder()
        .config(&format!("aclfile {}", acl_file.display()))
        .start()
        .unwrap();
    each_protocol(&server, "AclCommands", |c, protocol| {
        assert!(c.acl_cat().unwrap().contains(&"geo".to_string()));
        assert!(c
            .acl_cat_commands("geo")
            .unwrap()
            .contains(&"geoadd".to_string()));
        let () = c
            .acl_setuser("reader", ["reset", "on", ">secret", "~app:*", "+@read"])
            .unwrap();
        let user: HashMap<String, Value> = c.acl_getuser("reader").unwrap();
        assert!(user.contains_key("flags"));
        assert_eq!(c.acl_getuser::<_, Option<Value>>("nobody").unwrap(), None);
        assert!(c
            .acl_list()
            .unwrap()
            .iter()
            .any(|rule| rule.starts_with("user reader on")));
        let mut users = c.acl_users().unwrap();
        users.sort();
        assert_eq!(users, ["default", "reader"]);
        assert_eq!(c.acl_whoami().unwrap(), "default");
        assert_eq!(c.acl_dryrun("reader", ["GET", "app:1"]).unwrap(), "OK");
        assert!(c
            .acl_dryrun("reader", ["SET", "app:1", "x"])
            .unwrap()
            .contains("no permissions"));
        assert_eq!(c.acl_genpass().unwrap().len(), 64);
        assert_eq!(c.acl_genpass_bits(32).unwrap().len(), 8);
        // A denied command shows in the log.
        let () = c.acl_log_reset().unwrap();
        let mut reader = Connection::open(
            &Config::tcp("127.0.0.1", server.port())
                .user("reader")
                .password("secret")
                .protocol(protocol),
        )
        .unwrap();
        assert_eq!(reader.get::<_, Option<String>>("app:1").unwrap(), None);
        let denied = reader.set::<_, _, ()>("app:1", "x").unwrap_err();
        assert_eq!(denied.code(), Some(&ErrorCode::NoPerm));
        let log: Vec<HashMap<String, Value>> = c.acl_log(Some(10)).unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(
            String::from_reply(log[0]["username"].clone()).unwrap(),
            "reader"
        );
        assert_eq!(c.acl_log::<Vec<Value>>(None).unwrap().len(), 1);
        // SAVE writes the file; LOAD reads it back.
        let () = c.acl_save().unwrap();
        assert!(std::fs::read_to_string(&acl_file)
            .unwrap()
            .contains("user reader"));
        assert_eq!(c.acl_deluser(["reader", "nobody"]).unwrap(), 1);
        let () = c.acl_load().unwrap();
        assert!(c.acl_users().unwrap().contains(&"reader".to_string()));
        assert_eq!(c.acl_deluser("reader").unwrap(), 1);
        let () = c.acl_save().unwrap();
    });
}

#[test]
fn session_commands_on_connections_pooled_and_timed() {
    let server = RedisServer::start().unwrap();
    each_protocol(&server, "SessionCommands", |c, _| {
        let () = c.select_db(3).unwrap();
        let () = c.set("in3", 1).unwrap();
        assert_eq!(c.client_info().unwrap().db, 3);
        let () = c.select_db(0).unwrap();
        assert_eq!(c.exists::<_, i64>("in3").unwrap(), 0);
        let () = c.client_setname("session").unwrap();
        let () = c.client_no_evict(true).unwrap();
        assert!(c.client_info().unwrap().flags.contains('e'));
        let () = c.client_no_evict(false).unwrap();
        // Through a timeout handle on the connection: still one connection.
        let () = c.with_timeout(Duration::from_secs(1)).select_db(1).unwrap();
        assert_eq!(c.client_info().unwrap().db, 1);
        let () = c.select_db(0).unwrap();
    });
    // A pooled connection lent by a client: the session is undone when it
    // goes back.
    let client = Client::open(&server.url()).unwrap();
    {
        let mut pooled = client.connection().unwrap();
        let () = pooled.select_db(5).unwrap();
        let () = pooled.client_setname("lent").unwrap();
        assert_eq!(pooled.client_info().unwrap().db, 5);
    }
    let mut again = client.connection().unwrap();
    let info = again.client_info().unwrap();
    assert_eq!((info.db, info.name.as_str()), (0, ""));
}

#[test]
fn shared_client_typed_calls_take_self_and_per_call_timeouts() {
    let server = RedisServer::start().unwrap();
    let client = std::sync::Arc::new(Client::open(&server.url()).unwrap());
    let threads: Vec<_> = (0..4)
        .map(|_| {
            let client = std::sync::Arc::clone(&client);
            thread::spawn(move || {
                for _ in 0..100 {
                    let _: i64 = client.incr("hits").unwrap();
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(client.get::<_, i64>("hits").unwrap(), 400);
    // A struct that holds the client by value, used through &self.
    struct App {
        redis: Client,
    }
    impl App {
        fn visit(&self, page: &str) -> redis_blocking::Result<i64> {
            self.redis.hincr_by("visits", page, 1)
        }
    }
    let app = App {
        redis: (*client).clone(),
    };
    assert_eq!(app.visit("/").unwrap(), 1);
    assert_eq!(app.visit("/").unwrap(), 2);

    // Per-call timeouts: a paused server makes a call with a short timeout
    // fail in time, on a client, a pooled connection and a connection.
    let mut admin = connect(&server, Protocol::Resp2);
    let mut conn = connect(&server, Protocol::Resp3);
    let () = admin.client_pause(1500).unwrap();
    let started = Instant::now();
    let e = client
        .with_timeout(Duration::from_millis(150))
        .get::<_, Option<String>>("k")
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert!(
        started.elapsed() < Duration::from_millis(1200),
        "{:?}",
        started.elapsed()
    );
    let e = conn
        .with_timeout(Duration::from_millis(150))
        .ping::<String>()
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout);
    let () = admin.client_unpause().unwrap();
    // A blocking command adds its own wait to the call's timeout.
    let started = Instant::now();
    let none: Option<(String, String)> = client
        .with_timeout(Duration::from_millis(100))
        .brpop("empty", 0.3)
        .unwrap();
    assert_eq!(none, None);
    assert!(started.elapsed() >= Duration::from_millis(290));
    // The handle serves several calls.
    let mut timed = client.with_timeout(Duration::from_secs(2));
    let () = timed.set("t", 1).unwrap();
    assert_eq!(timed.get::<_, i64>("t").unwrap(), 1);
    assert_eq!(timed.timeout(), Duration::from_secs(2));
    // Scans and scripts run through &self too.
    let keys: Vec<String> = client
        .scan_iter::<String>(ScanOptions::default().pattern("t"))
        .collect::<Result<_>>()
        .unwrap();
    assert_eq!(keys, ["t"]);
    let script = Script::new("return redis.call('GET', KEYS[1])");
    assert_eq!(
        client.run_script::<i64>(&script.call().key("t")).unwrap(),
        1
    );
}

#[test]
fn common_error_prefixes_are_typed_codes() {
    let server = RedisServer::start().unwrap();
    let client = Client::open(&server.url()).unwrap();
    let () = client.set("s", "x").unwrap();
    let e = client.lpush::<_, _, ()>("s", "x").unwrap_err();
    assert_eq!(e.code(), Some(&ErrorCode::WrongType));
    let e = client
        .xreadgroup("nogroup", "c", "s2", ">", Default::default())
        .unwrap_err();
    assert_eq!(e.code(), Some(&ErrorCode::NoGroup));
    let () = client.xgroup_create_mkstream("st", "g", "$").unwrap();
    let e = client
        .xgroup_create::<_, _, _, ()>("st", "g", "$")
        .unwrap_err();
    assert_eq!(
        (e.code(), e.retry()),
        (Some(&ErrorCode::BusyGroup), redis_blocking::Retry::Never)
    );
    let e = client.script_kill::<()>().unwrap_err();
    assert_eq!(e.code(), Some(&ErrorCode::NotBusy));
    // The connection stays usable after each.
    assert_eq!(client.get::<_, String>("s").unwrap(), "x");
}

/// The reports a cluster gathers from every node (`INFO`, `LATENCY ...`,
/// `MEMORY DOCTOR`, `MEMORY MALLOC-STATS`: response policy `special`) come
/// back from a `ClusterClient` as a map of node to report; the same
/// methods give one report on a single server.
#[test]
fn per_node_reports_on_a_cluster() {
    let cluster = RedisCluster::builder()
        .masters(3)
        .replicas_per_master(0)
        .start()
        .unwrap();
    let seeds: Vec<String> = cluster
        .addrs()
        .iter()
        .map(|a| format!("redis://{a}"))
        .collect();
    let seeds: Vec<&str> = seeds.iter().map(String::as_str).collect();
    let cc = ClusterClient::open(&seeds).unwrap();
    let info: HashMap<String, String> = cc.info("server").unwrap();
    assert_eq!(info.len(), 3, "{info:?}");
    assert!(
        info.values().all(|i| i.contains("redis_version:7.")),
        "{info:?}"
    );
    let doctor: HashMap<String, String> = cc.memory_doctor().unwrap();
    assert_eq!(doctor.len(), 3);
    let malloc: HashMap<String, String> = cc.memory_malloc_stats().unwrap();
    assert_eq!(malloc.len(), 3);
    let doctor: HashMap<String, String> = cc.latency_doctor().unwrap();
    assert_eq!(doctor.len(), 3);
    let latest: HashMap<String, Vec<(String, u64, u64, u64)>> = cc.latency_latest().unwrap();
    assert_eq!(latest.len(), 3);
    let history: HashMap<String, Vec<(u64, u64)>> = cc.latency_history("command").unwrap();
    assert_eq!(history.len(), 3);
    // A timeout beyond the clock is no bound here too (see
    // timeouts_beyond_the_clock_mean_no_bound).
    let none: Option<String> = cc.with_timeout(Duration::MAX).get("k").unwrap();
    assert_eq!(none, None);
    // One server: one report, the same methods.
    let mut one = Connection::open_url(&cluster.node(0).url()).unwrap();
    let info: String = one.info("server").unwrap();
    assert!(info.contains("redis_version:7."));
}

/// A timeout too far away for the clock (`Duration::MAX`, a common way to
/// say "no bound") means no bound, per call and in the configuration;
/// it used to panic with "overflow when adding duration to instant".
#[test]
fn timeouts_beyond_the_clock_mean_no_bound() {
    let server = RedisServer::start().unwrap();
    let client = Client::open(&server.url()).unwrap();
    let mut conn = Connection::open_url(&server.url()).unwrap();
    let mux = Multiplexed::open(&server.url()).unwrap();
    for huge in [Duration::MAX, Duration::from_secs(u64::MAX / 2)] {
        let () = client.with_timeout(huge).set("k", 1).unwrap();
        let job: Option<(String, String)> = client.with_timeout(huge).blpop("q", 0.05).unwrap();
        assert_eq!(job, None);
        assert_eq!(conn.with_timeout(huge).get::<_, i64>("k").unwrap(), 1);
        assert_eq!(mux.with_timeout(huge).get::<_, i64>("k").unwrap(), 1);
        let config = Config::tcp("127.0.0.1", server.port())
            .timeout(Some(huge))
            .connect_timeout(Some(huge));
        let mut own = Connection::open(&config).unwrap();
        assert_eq!(own.get::<_, i64>("k").unwrap(), 1);
        let pooled = Client::builder(config).build();
        assert_eq!(pooled.get::<_, i64>("k").unwrap(), 1);
    }
}
