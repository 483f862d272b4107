//! Shared by the typed-command tests: each test runs its group's methods
//! against a real server in RESP2 and in RESP3, then checks with `INFO
//! commandstats` that every command the group's methods send really ran.

#![allow(dead_code)]

use std::collections::BTreeSet;

use integration_tests::RedisServer;
use redis_blocking::commands::coverage;
use redis_blocking::prelude::*;
use redis_blocking::Protocol;

/// A connection to `server` speaking `protocol`.
pub fn connect(server: &RedisServer, protocol: Protocol) -> Connection {
    Connection::open(&Config::tcp("127.0.0.1", server.port()).protocol(protocol)).unwrap()
}

/// The commands (and subcommands, `object|encoding`) the server ran since
/// its statistics were last reset, failed and rejected calls included.
pub fn commands_run(conn: &mut Connection) -> BTreeSet<String> {
    let stats: String = conn.info("commandstats").unwrap();
    stats
        .lines()
        .filter_map(|line| line.strip_prefix("cmdstat_"))
        .filter_map(|line| line.split_once(':'))
        .map(|(name, _)| name.to_owned())
        .collect()
}

/// Fails unless every command sent by a method of `group` ran.
pub fn assert_group_ran(conn: &mut Connection, group: &str) {
    let ran = commands_run(conn);
    let methods: Vec<_> = coverage::typed().filter(|t| t.group() == group).collect();
    assert!(!methods.is_empty(), "no typed methods in {group}");
    for typed in methods {
        let name = typed.command().unwrap().name();
        assert!(
            ran.contains(name),
            "{group}::{} sends {name}, which never ran (ran: {ran:?})",
            typed.method()
        );
    }
}

/// Runs `test` on `server` in RESP2 then RESP3, each time on an empty
/// server with fresh statistics, then checks that every command of
/// `group` ran.
pub fn each_protocol(
    server: &RedisServer,
    group: &str,
    mut test: impl FnMut(&mut Connection, Protocol),
) {
    for protocol in [Protocol::Resp2, Protocol::Resp3] {
        let mut conn = connect(server, protocol);
        let () = conn.flushall().unwrap();
        let () = conn.config_resetstat().unwrap();
        test(&mut conn, protocol);
        assert_group_ran(&mut conn, group);
    }
}
