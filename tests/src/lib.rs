//! Harness for integration tests against real Redis processes.
//!
//! Everything here starts genuine `redis-server` / `redis-sentinel`
//! processes (nothing is mocked), bound to 127.0.0.1 on free ports, each in
//! its own temp directory, and stops them on drop — also when a test panics.
//! Children are additionally tied to the test process (Linux
//! `PR_SET_PDEATHSIG`), so they die with it even if it aborts.
//!
//! * [`RedisServer`] — one server; [`RedisServer::builder`] adds a Unix
//!   socket, ACL users, `requirepass`, TLS with certificates generated at
//!   test time ([`TlsCerts`]), replication, cluster mode or raw config lines.
//!   Fault helpers: [`RedisServer::kill`], [`RedisServer::stop`],
//!   [`RedisServer::restart`], [`RedisServer::pause`], [`RedisServer::resume`].
//! * [`RedisCluster`] — N masters with M replicas each (default 3 + 3).
//! * [`Sentinels`] — a master, replicas and 3 sentinels, with
//!   [`Sentinels::failover`], an administrator's [`Sentinels::replica_of`]
//!   and a stale extra sentinel ([`Sentinels::start_stale_sentinel`]);
//!   kill (SIGKILL) or pause (SIGSTOP) any of their processes with the
//!   [`RedisServer`] fault helpers.
//!
//! ```no_run
//! use integration_tests::{RedisServer, Reply};
//!
//! let server = RedisServer::builder()
//!     .unix_socket()
//!     .user("alice", "secret", "~* +@all")
//!     .start()
//!     .expect("redis-server starts");
//! assert_eq!(server.run(&["SET", "key", "value"]), "+OK\r\n");
//! assert_eq!(server.query(&["GET", "key"]), Reply::Bulk(b"value".to_vec()));
//! println!("connect your client to {} or {:?}", server.url(), server.unix_socket());
//! ```
//!
//! The executables can be overridden with `REDIS_SERVER_BIN`,
//! `REDIS_SENTINEL_BIN` and `REDIS_CLI_BIN`.

#![warn(missing_docs)]

mod build;
mod builder;
mod cluster;
mod cluster_nodes;
mod config;
mod conn;
mod error;
pub mod hostile;
pub mod migration;
mod ports;
mod process;
pub mod proxy;
mod resp;
mod sentinel;
mod server;
mod slot;
mod tls;
mod wait;

pub use build::build_for_this_test;
pub use builder::RedisServerBuilder;
pub use cluster::{RedisCluster, RedisClusterBuilder};
pub use cluster_nodes::{parse_cluster_nodes, ClusterNodeInfo};
pub use conn::{Connection, DEFAULT_IO_TIMEOUT};
pub use error::{HarnessError, Result};
pub use ports::{allocate_cluster_port, allocate_port, PortLease, CLUSTER_BUS_OFFSET, PORT_RANGE};
pub use resp::{encode_command, Reply};
pub use sentinel::{Sentinels, SentinelsBuilder};
pub use server::{RedisServer, HOST};
pub use slot::{key_slot, SLOT_COUNT};
pub use tls::{TlsAuthClients, TlsCerts};
pub use wait::{wait_for, Check, DEFAULT_TIMEOUT, POLL_INTERVAL};
