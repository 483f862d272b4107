//! A blocking Redis client on `std::net`, built on the [`resp_core`] sans-IO
//! codec.
//!
//! **In scope**: connections over TCP, Unix sockets and TLS, URLs, the
//! connection handshake (RESP2 or RESP3, ACL users, database, client name),
//! commands with typed replies, pipelines, MULTI/EXEC transactions and
//! WATCH, per-call deadlines, pub/sub, MONITOR, scripts, SCAN iterators,
//! client-side caching.
//!
//! A [`Client`] adds a thread-safe pool, reconnects with backoff and
//! retries only where they are safe. A [`Multiplexed`] connection is one
//! connection that any number of threads share (implicit pipelining: the
//! commands of threads calling at once go out in one write, each thread
//! waits for its own reply), with send-now/wait-later handles
//! ([`Pending`]) for straight-line code. The same `Client` follows a master
//! through Redis Sentinel ([`Client::sentinel`], `redis+sentinel://`
//! URLs): it resolves the master by the Sentinel client specification,
//! confirms its role on every connection, watches `+switch-master` and
//! re-checks on its own, and leaves no connection on a demoted master. A
//! [`ClusterClient`] does the same over a Redis Cluster: commands routed by
//! hash slot over a shared slot map, redirects and failovers followed
//! within one deadline, pipelines split by node with one outcome per
//! command, multi-key commands split by slot, cluster SCAN and sharded
//! pub/sub.
//!
//! **Unix only**:
//! the crate waits on sockets with `poll(2)` and uses Unix sockets for
//! wake-ups; it does not build on Windows.
//!
//! # What a failed call tells you
//!
//! Every error says whether its command ran ([`Error::executed`]: surely
//! not, maybe, yes) and what a caller may do ([`Error::retry`]). A
//! connection that may be out of step with the server (a timeout, an I/O
//! error, a malformed reply, a reply nobody asked for) is closed, never
//! reused. A pipeline keeps one outcome per command
//! ([`Connection::pipeline_results`]); the error of a typed pipeline call
//! describes the batch as a whole, so that a pipeline that partly ran is
//! never reported as safe to send again.
//!
//! # Layout
//!
//! The protocol knowledge needs no I/O and lives in [`resp_core`]: the
//! command table and command semantics ([`resp_core::command`]), reply
//! routing, the handshake, batch outcomes and pub/sub bookkeeping
//! ([`resp_core::client`]), the Sentinel protocol ([`resp_core::sentinel`]).
//! This crate owns the sockets and two loops: the wire loop of a
//! [`Connection`] (the only place that reads or writes for a call) and the
//! call loop of a [`Client`] (route, run, judge, back off), whose router is
//! one server or a Sentinel-followed master. A [`Multiplexed`] connection
//! drives its socket itself (`mux/`), its request bookkeeping in
//! [`resp_core::client::Multiplex`].
//!
//! # Example
//!
//! ```no_run
//! use redis_blocking::{Cmd, Connection};
//!
//! let mut conn = Connection::open_url("redis://127.0.0.1:6379/0")?;
//! conn.query::<()>(&Cmd::new("SET").arg("answer").arg(42))?;
//! let answer: i64 = conn.query(&Cmd::new("GET").arg("answer"))?;
//! assert_eq!(answer, 42);
//! # Ok::<(), redis_blocking::Error>(())
//! ```
#![deny(missing_docs)]

mod batch;
mod client;
mod cluster;
pub mod cmd;
pub mod commands;
mod config;
mod connection;
mod connector;
mod error;
mod events;
mod monitor;
mod mux;
mod net;
mod pipeline;
mod pubsub;
mod retry;
mod scan;
mod script;
mod types;
pub mod url;

pub use batch::TRANSACTION_ATTEMPTS;
pub use client::{
    AddrRemap, CacheOptions, Client, ClientBuilder, Pooled, ReplicaSelect, SentinelConfig,
    DEFAULT_SENTINEL_PORT,
};
pub use cluster::{ClusterBuilder, ClusterClient, ClusterScan, ClusterSubscriber, ReadFrom, Remap};
pub use cmd::Cmd;
pub use config::{Addr, Config, TlsOptions};
pub use connection::{Connection, PushHandler};
pub use error::{Error, ErrorCode, ErrorKind, Executed, Result, Retry, ServerError};
pub use events::{Event, EventHandler};
pub use monitor::{Monitor, MonitorEvent};
pub use mux::{Multiplexed, MultiplexedBuilder, Pending};
pub use pipeline::{Pipeline, PipelineCmd};
pub use pubsub::{Incoming, Message, Subscriber, SubscriberHandle, SubscriptionKind};
pub use resp_core;
pub use resp_core::client::Protocol;
pub use resp_core::cluster::Endpoint;
pub use retry::{ReconnectOnError, ReconnectStrategy, TransactionPolicy};
pub use scan::{ScanCommands, ScanIter, ScanOptions};
pub use script::{Script, ScriptCall, ScriptRunner};
pub use types::{
    AutoClaim, ConsumerInfo, FromReply, GroupInfo, PendingEntry, PendingSummary, StreamEntry,
    StreamInfo, StreamKey, ToArg, ToArgs, Value,
};

/// Everything needed for everyday use: the connection, commands, pipelines
/// and every typed-command trait.
pub mod prelude {
    pub use crate::commands::{
        BitmapCommands, GeoCommands, HashCommands, HyperLogLogCommands, KeyCommands, ListCommands,
        Runner, ScriptingCommands, ServerCommands, SetCommands, SortedSetCommands, StreamCommands,
        StreamGroupCommands, StringCommands,
    };
    pub use crate::{
        Client, Cmd, Config, Connection, Error, ErrorKind, FromReply, Multiplexed, Pipeline,
        Result, ScanCommands, ScanOptions, Script, ScriptRunner, Value,
    };
}
