//! A blocking Redis client on `std::net`, built on the [`resp_core`] sans-IO
//! codec.
//!
//! **In scope**: connections over TCP, Unix sockets and TLS, URLs, the
//! connection handshake (RESP2 or RESP3, ACL users, database, client name),
//! the Redis 7.0 command set as typed methods, pipelines, MULTI/EXEC transactions and
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
//! One [`Client`] for the whole program: `Send + Sync`, and typed calls
//! take `&self`, so it is shared without a lock or a clone per call.
//!
//! ```no_run
//! use std::sync::Arc;
//! use std::time::Duration;
//!
//! use redis_blocking::commands::{Expiry, SetOptions};
//! use redis_blocking::prelude::*;
//!
//! let client = Arc::new(Client::open("redis://127.0.0.1:6379/0?protocol=3")?);
//! let () = client.set("visits", 0)?;
//! let worker = {
//!     let client = Arc::clone(&client);
//!     std::thread::spawn(move || client.incr::<_, i64>("visits"))
//! };
//! let visits: i64 = client.incr("visits")?;
//! worker.join().unwrap()?;
//!
//! // Options as builders; a timeout for one call.
//! let fresh: bool = client.set_options("lock", "me", SetOptions::default().only_if_absent().expiry(Expiry::Seconds(30)))?;
//! let job: Option<(String, String)> = client.with_timeout(Duration::from_secs(2)).brpop("jobs", 1.0)?;
//!
//! // Pipelines: one round trip, every reply checked.
//! let mut pipe = Pipeline::new();
//! pipe.incr("visits").get("visits");
//! let (n, s): (i64, String) = client.query_pipeline(&pipe)?;
//!
//! // One connection of one's own: the same methods, by `&mut self`.
//! let mut conn = Connection::open_url("redis://127.0.0.1:6379/0")?;
//! let () = conn.select_db(1)?; // connection-only: changes its state
//! let answer: Option<i64> = conn.get("answer")?;
//! # Ok::<(), redis_blocking::Error>(())
//! ```
//!
//! The typed commands ([`commands`]) cover the whole Redis 7.0 command
//! table; [`commands::coverage`] lists the few commands without a typed
//! method and why. The feature `serde` adds `Json<T>`
//! values. `examples/` holds runnable programs for everyday tasks.
#![deny(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

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
#[cfg(feature = "serde")]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
pub use types::Json;
pub use types::{
    AutoClaim, ClientInfo, ConsumerInfo, FromReply, GeoMatch, GroupInfo, LcsMatch, LcsMatches,
    PendingEntry, PendingSummary, Popped, ReplicaOffset, Role, SlowlogEntry, StreamEntry,
    StreamInfo, StreamKey, ToArg, ToArgs, Value,
};

/// Everything needed for everyday use: the clients, commands, pipelines
/// and every typed-command trait.
pub mod prelude {
    pub use crate::commands::{
        AclCommands, BitmapCommands, ConnectionCommands, GeoCommands, Handle, HashCommands,
        HyperLogLogCommands, IntrospectionCommands, KeyCommands, ListCommands, PubSubCommands,
        Runner, ScriptingCommands, ServerCommands, SessionCommands, SetCommands, SharedRunner,
        SortedSetCommands, StreamCommands, StreamGroupCommands, StringCommands,
    };
    pub use crate::{
        Client, ClusterClient, Cmd, Config, Connection, Error, ErrorCode, ErrorKind, FromReply,
        Multiplexed, Pipeline, Result, ScanCommands, ScanOptions, Script, ScriptRunner, ToArg,
        ToArgs, Value,
    };
}

/// The workspace README's Rust examples, compiled as doc tests (the
/// resp-core one also runs; the others need servers and are `no_run`), so
/// that what a new user copies from it builds.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
struct WorkspaceReadme;

/// The crate README's example (crates.io's front page), compiled likewise.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct CrateReadme;
