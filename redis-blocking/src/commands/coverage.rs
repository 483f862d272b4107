//! Which command each typed method sends, and the commands of the command
//! table ([`resp_core::command`], Redis 7.0) that have no typed method,
//! each with the reason.
//!
//! Every command and subcommand of the table is one or the other: a test
//! walks the table and fails on a command that is neither, on a listed
//! command the table does not know, and on a command that is both.
//!
//! ```
//! use redis_blocking::commands::coverage;
//!
//! let get = coverage::typed().find(|t| t.method() == "get").unwrap();
//! assert_eq!(get.command().map(|c| c.name()), Some("get"));
//! assert!(coverage::untyped("subscribe").unwrap().reason().contains("Subscriber"));
//! ```

use resp_core::command::{lookup, CommandInfo};

/// A typed method and the command it sends.
#[derive(Debug, Clone, Copy)]
pub struct Typed {
    pub(crate) group: &'static str,
    pub(crate) method: &'static str,
    pub(crate) command: &'static str,
    /// The source text of the command's first argument: the subcommand
    /// when it is a string literal.
    pub(crate) first_arg: &'static str,
}

impl Typed {
    /// The trait the method belongs to (`"StringCommands"`).
    pub fn group(&self) -> &'static str {
        self.group
    }

    /// The method's name (`"get"`).
    pub fn method(&self) -> &'static str {
        self.method
    }

    /// The command (or subcommand, `object|encoding`) it sends, from the
    /// command table; `None` if the table does not know it.
    pub fn command(&self) -> Option<&'static CommandInfo> {
        let info = lookup(self.command.as_bytes())?;
        if info.subcommands().is_empty() {
            return Some(info);
        }
        match self
            .first_arg
            .strip_prefix('"')
            .and_then(|s| s.strip_suffix('"'))
        {
            Some(sub) => info.subcommand(sub.as_bytes()),
            None => Some(info),
        }
    }
}

/// Every typed method, group by group.
pub fn typed() -> impl Iterator<Item = &'static Typed> {
    use super::*;
    [
        strings::STRINGS,
        keys::KEYS,
        hashes::HASHES,
        lists::LISTS,
        sets::SETS,
        sorted_sets::SORTED_SETS,
        geo::GEO,
        bitmaps::BITMAPS,
        hyperloglog::HYPERLOGLOG,
        streams::STREAMS,
        streams::STREAM_GROUPS,
        scripting::SCRIPTING,
        pubsub::PUBSUB,
        server::SERVER,
        introspection::INTROSPECTION,
        connection::CONNECTION,
        acl::ACL,
        session::SESSION,
    ]
    .into_iter()
    .flatten()
}

/// A command of the table without a typed method, and why.
#[derive(Debug, Clone, Copy)]
pub struct Untyped {
    name: &'static str,
    reason: &'static str,
}

impl Untyped {
    /// The command's name in the table (`"subscribe"`, `"client|reply"`).
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Why it has no typed method, and what to use instead.
    pub fn reason(&self) -> &'static str {
        self.reason
    }
}

/// The command `name` (as the table spells it) if it has no typed method.
pub fn untyped(name: &str) -> Option<&'static Untyped> {
    UNTYPED.iter().find(|u| u.name == name)
}

/// Every command without a typed method.
pub fn all_untyped() -> &'static [Untyped] {
    UNTYPED
}

const fn u(name: &'static str, reason: &'static str) -> Untyped {
    Untyped { name, reason }
}

const HELP: &str = "prints the subcommands' help for people; see the Redis documentation";
const DEPRECATED: &str = "deprecated by Redis; the replacement has a typed method";
const SET_FORMS: &str =
    "SET with PX, EX or NX does the same (set_ex, pset_ex, set_nx); Redis 7.2 deprecates it";
const SUBSCRIBE: &str = "changes the connection's mode: use Subscriber (Client::subscriber) or ClusterClient::subscriber";
const SCAN: &str = "covered by the ScanCommands iterators (scan_iter, hscan_iter, sscan_iter, zscan_iter) and ClusterClient::scan";
const TRANSACTION: &str =
    "covered by Connection::transaction, Client::transaction and Pipeline::atomic";
const HANDSHAKE: &str =
    "part of the connection handshake: set it in the Config or URL (user, password, protocol)";
const REPLICATION: &str = "the replication protocol between servers, not for clients";
const CLUSTER: &str = "cluster administration: ClusterClient keeps the slot map itself (resp_core::cluster parses CLUSTER SHARDS/SLOTS); run it with Cmd, or use redis-cli --cluster";
const ADMIN: &str = "server administration that changes the server's role or stops it: run it deliberately with Cmd";
const TRACKING: &str =
    "client-side caching: ClientBuilder::client_side_cache manages tracking and invalidations";
const INTERNAL: &str = "a server-internal or debugging command";

/// The commands without a typed method. `|help` subcommands, deprecated
/// commands and connection-mode commands make most of the list.
const UNTYPED: &[Untyped] = &[
    // Help texts.
    u("acl|help", HELP),
    u("client|help", HELP),
    u("cluster|help", HELP),
    u("command|help", HELP),
    u("config|help", HELP),
    u("function|help", HELP),
    u("latency|help", HELP),
    u("memory|help", HELP),
    u("module|help", HELP),
    u("object|help", HELP),
    u("pubsub|help", HELP),
    u("script|help", HELP),
    u("slowlog|help", HELP),
    u("xgroup|help", HELP),
    u("xinfo|help", HELP),
    // Deprecated (resp_core's table says by what).
    u("brpoplpush", DEPRECATED),
    u("rpoplpush", DEPRECATED),
    u("georadius", DEPRECATED),
    u("georadius_ro", DEPRECATED),
    u("georadiusbymember", DEPRECATED),
    u("georadiusbymember_ro", DEPRECATED),
    u("getset", DEPRECATED),
    u("hmset", DEPRECATED),
    u("psetex", SET_FORMS),
    u("setex", SET_FORMS),
    u("setnx", SET_FORMS),
    u("substr", DEPRECATED),
    u("zrangebylex", DEPRECATED),
    u("zrangebyscore", DEPRECATED),
    u("zrevrange", DEPRECATED),
    u("zrevrangebylex", DEPRECATED),
    u("zrevrangebyscore", DEPRECATED),
    u("slaveof", DEPRECATED),
    // Connection modes that a request-reply connection cannot carry.
    u("subscribe", SUBSCRIBE),
    u("unsubscribe", SUBSCRIBE),
    u("psubscribe", SUBSCRIBE),
    u("punsubscribe", SUBSCRIBE),
    u("ssubscribe", SUBSCRIBE),
    u("sunsubscribe", SUBSCRIBE),
    u("monitor", "streams every command the server runs: use Monitor (Client::monitor)"),
    u("client|reply", "OFF and SKIP silence replies, so they can no longer be paired with commands; connections refuse them"),
    // Iterators and transactions.
    u("scan", SCAN),
    u("hscan", SCAN),
    u("sscan", SCAN),
    u("zscan", SCAN),
    u("multi", TRANSACTION),
    u("exec", TRANSACTION),
    u("discard", TRANSACTION),
    u("watch", TRANSACTION),
    u("unwatch", TRANSACTION),
    // The handshake and the connection's life.
    u("auth", HANDSHAKE),
    u("hello", HANDSHAKE),
    u("reset", "resets the connection behind the client's back (protocol, user, database): drop the Connection and open another"),
    u("quit", "closes the connection: drop the Connection"),
    u("client|caching", TRACKING),
    u("client|tracking", TRACKING),
    // Cluster.
    u("asking", "sent by ClusterClient after an ASK redirect"),
    u("readonly", "sent by ClusterClient on replica connections (ClusterBuilder::read_from)"),
    u("readwrite", "ClusterClient keeps replica and primary connections apart instead"),
    u("restore-asking", "used by the cluster's own slot migration"),
    u("cluster|addslots", CLUSTER),
    u("cluster|addslotsrange", CLUSTER),
    u("cluster|bumpepoch", CLUSTER),
    u("cluster|count-failure-reports", CLUSTER),
    u("cluster|countkeysinslot", CLUSTER),
    u("cluster|delslots", CLUSTER),
    u("cluster|delslotsrange", CLUSTER),
    u("cluster|failover", CLUSTER),
    u("cluster|flushslots", CLUSTER),
    u("cluster|forget", CLUSTER),
    u("cluster|getkeysinslot", CLUSTER),
    u("cluster|info", CLUSTER),
    u("cluster|keyslot", "computed locally, without a round trip: resp_core::command::key_slot"),
    u("cluster|links", CLUSTER),
    u("cluster|meet", CLUSTER),
    u("cluster|myid", CLUSTER),
    u("cluster|nodes", CLUSTER),
    u("cluster|replicas", CLUSTER),
    u("cluster|replicate", CLUSTER),
    u("cluster|reset", CLUSTER),
    u("cluster|saveconfig", CLUSTER),
    u("cluster|set-config-epoch", CLUSTER),
    u("cluster|setslot", CLUSTER),
    u("cluster|shards", CLUSTER),
    u("cluster|slaves", CLUSTER),
    u("cluster|slots", CLUSTER),
    // Server roles and life.
    u("replicaof", ADMIN),
    u("failover", ADMIN),
    u("shutdown", ADMIN),
    u("module|load", "loads native code into the server from its file system: run it deliberately with Cmd"),
    u("module|loadex", "loads native code into the server from its file system: run it deliberately with Cmd"),
    u("module|unload", "unloads native code from the server: run it deliberately with Cmd"),
    u("sync", REPLICATION),
    u("psync", REPLICATION),
    u("replconf", REPLICATION),
    // Internals.
    u("debug", "a debugging command that can crash or stall the server; disabled by default since 7.0"),
    u("pfdebug", INTERNAL),
    u("pfselftest", INTERNAL),
    u("script|debug", "the Lua debugger is interactive: redis-cli --ldb"),
    u("lolwut", "prints ASCII art and the server version; INFO server has the version"),
];

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;

    /// A command of the table a client can send as it is: a subcommand, or
    /// a command without subcommands, or a container that also runs alone
    /// (`COMMAND`).
    fn sendable(info: &CommandInfo) -> bool {
        info.subcommands().is_empty() || info.accepts_arg_count(1)
    }

    #[test]
    fn every_command_of_the_table_is_typed_or_listed_with_a_reason() {
        let mut sent: BTreeMap<&str, Vec<String>> = BTreeMap::new();
        for t in typed() {
            let info = t.command().unwrap_or_else(|| {
                panic!(
                    "{}::{} sends {} {}, which the command table does not know",
                    t.group(),
                    t.method(),
                    t.command,
                    t.first_arg
                )
            });
            sent.entry(info.name())
                .or_default()
                .push(format!("{}::{}", t.group(), t.method()));
        }
        let mut listed = BTreeSet::new();
        for entry in UNTYPED {
            let info =
                lookup(entry.name.split('|').next().unwrap_or("").as_bytes()).and_then(|c| {
                    match entry.name.split_once('|') {
                        Some((_, sub)) => c.subcommand(sub.as_bytes()),
                        None => Some(c),
                    }
                });
            assert!(
                info.is_some_and(|i| i.name() == entry.name),
                "listed as untyped but not in the command table: {}",
                entry.name
            );
            assert!(!entry.reason.is_empty(), "{} has no reason", entry.name);
            assert!(listed.insert(entry.name), "listed twice: {}", entry.name);
            if let Some(methods) = sent.get(entry.name) {
                panic!(
                    "{} is listed as untyped but sent by {methods:?}",
                    entry.name
                );
            }
            if entry.reason == DEPRECATED {
                assert!(
                    info.and_then(|i| i.deprecated_since()).is_some(),
                    "{} is not deprecated in the table",
                    entry.name
                );
            }
        }
        let missing: Vec<&str> = resp_core::command::all()
            .iter()
            .filter(|c| sendable(c))
            .map(|c| c.name())
            .filter(|name| !sent.contains_key(name) && !listed.contains(name))
            .collect();
        assert!(
            missing.is_empty(),
            "commands with neither a typed method nor a reason in coverage::UNTYPED: {missing:?}"
        );
    }

    #[test]
    fn method_names_are_unique_across_groups() {
        let mut seen = BTreeMap::new();
        for t in typed() {
            if let Some(other) = seen.insert(t.method(), t.group()) {
                panic!("{} is in {} and {}", t.method(), other, t.group());
            }
        }
    }
}
