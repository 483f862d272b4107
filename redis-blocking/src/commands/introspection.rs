//! Looking at the server: latency, memory, the slow log, the command
//! table.

use super::options::CommandFilter;
use crate::{Cmd, SlowlogEntry, ToArg, ToArgs};

commands! {
    /// Latency monitoring, memory reports, the slow log, and the server's
    /// command table.
    pub trait IntrospectionCommands: Handle as INTROSPECTION;

    /// `LATENCY DOCTOR`: a report for humans (`String`; from a
    /// `ClusterClient`, one per node: `HashMap<String, String>`).
    fn latency_doctor() => Cmd::new("LATENCY").arg("DOCTOR");
    /// `LATENCY GRAPH event`: an ASCII-art graph (`String`; from a
    /// `ClusterClient`, one per node: `HashMap<String, String>`).
    fn latency_graph<E: ToArg<'a>>(event: E) => Cmd::new("LATENCY").arg("GRAPH").arg(event);
    /// `LATENCY HISTOGRAM [command...]`: per-command latency histograms.
    fn latency_histogram<C: ToArgs<'a>>(commands: C) => Cmd::new("LATENCY").arg("HISTOGRAM").arg(commands);
    /// `LATENCY HISTORY event`: `(unix time, latency ms)` samples
    /// (`Vec<(u64, u64)>`; from a `ClusterClient`, per node:
    /// `HashMap<String, Vec<(u64, u64)>>`).
    fn latency_history<E: ToArg<'a>>(event: E) => Cmd::new("LATENCY").arg("HISTORY").arg(event);
    /// `LATENCY LATEST`: `(event, unix time, latest ms, max ms)` per event
    /// (`Vec<(String, u64, u64, u64)>`; from a `ClusterClient`, per node:
    /// a `HashMap` of node to that).
    fn latency_latest() => Cmd::new("LATENCY").arg("LATEST");
    /// `LATENCY RESET [event...]`: how many event series were reset.
    fn latency_reset<E: ToArgs<'a>>(events: E): u64 => Cmd::new("LATENCY").arg("RESET").arg(events);
    /// `MEMORY DOCTOR`: a report for humans (`String`; from a
    /// `ClusterClient`, one per node: `HashMap<String, String>`).
    fn memory_doctor() => Cmd::new("MEMORY").arg("DOCTOR");
    /// `MEMORY MALLOC-STATS`: the allocator's report (`String`; from a
    /// `ClusterClient`, one per node: `HashMap<String, String>`).
    fn memory_malloc_stats() => Cmd::new("MEMORY").arg("MALLOC-STATS");
    /// `MEMORY PURGE`: asks the allocator to release memory.
    fn memory_purge() => Cmd::new("MEMORY").arg("PURGE");
    /// `MEMORY STATS`: memory use by category (a map).
    fn memory_stats() => Cmd::new("MEMORY").arg("STATS");
    /// `MEMORY USAGE key`: bytes, `None` for a missing key.
    fn memory_usage<K: ToArg<'a>>(key: K): Option<u64> => Cmd::new("MEMORY").arg("USAGE").arg(key);
    /// `MEMORY USAGE key SAMPLES n`: sampling `n` elements of aggregates (0:
    /// all).
    fn memory_usage_samples<K: ToArg<'a>>(key: K, samples: u64): Option<u64> => Cmd::new("MEMORY").arg("USAGE").arg(key).arg("SAMPLES").arg(samples);
    /// `SLOWLOG GET [count]`: the newest entries first (`None`: the
    /// server's default of 10; -1: all).
    fn slowlog_get(count: Option<i64>): Vec<SlowlogEntry> => Cmd::new("SLOWLOG").arg("GET").arg(count);
    /// `SLOWLOG LEN`.
    fn slowlog_len(): u64 => Cmd::new("SLOWLOG").arg("LEN");
    /// `SLOWLOG RESET`.
    fn slowlog_reset() => Cmd::new("SLOWLOG").arg("RESET");
    /// `COMMAND`: every command's details (a [`Value`](crate::Value));
    /// the same data is compiled in as [`resp_core::command`].
    fn command() => Cmd::new("COMMAND");
    /// `COMMAND COUNT`.
    fn command_count(): u64 => Cmd::new("COMMAND").arg("COUNT");
    /// `COMMAND DOCS [name...]`: documentation by command.
    fn command_docs<N: ToArgs<'a>>(names: N) => Cmd::new("COMMAND").arg("DOCS").arg(names);
    /// `COMMAND INFO [name...]`: details by command.
    fn command_info<N: ToArgs<'a>>(names: N) => Cmd::new("COMMAND").arg("INFO").arg(names);
    /// `COMMAND LIST`: every command name.
    fn command_list(): Vec<String> => Cmd::new("COMMAND").arg("LIST");
    /// `COMMAND LIST FILTERBY MODULE|ACLCAT|PATTERN value`.
    fn command_list_filtered(filter: CommandFilter): Vec<String> => Cmd::new("COMMAND").arg("LIST").arg(filter);
    /// `COMMAND GETKEYS command arg...`: the keys the server finds in a
    /// command line.
    fn command_getkeys<A: ToArgs<'a>>(argv: A): Vec<Vec<u8>> => Cmd::new("COMMAND").arg("GETKEYS").arg(argv);
    /// `COMMAND GETKEYSANDFLAGS command arg...`: `(key, flags)` pairs.
    fn command_getkeysandflags<A: ToArgs<'a>>(argv: A): Vec<(Vec<u8>, Vec<String>)> => Cmd::new("COMMAND").arg("GETKEYSANDFLAGS").arg(argv);
}
