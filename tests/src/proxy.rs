//! [`Proxy`]: a RESP-aware TCP proxy that injects faults between a client
//! and a real Redis server. It is the `redis-proxy` crate's (also
//! `redis-cli-rs --proxy`), re-exported here so that tests keep writing
//! `integration_tests::proxy::Proxy`.
//!
//! The test-oriented methods:
//!
//! * [`Proxy::delay_command`] / [`Proxy::delay_key`]: hold the replies of
//!   matching commands for a while (later replies wait behind them);
//! * [`Proxy::cut_after`] / [`Proxy::cut_after_request_bytes`]: close each
//!   connection once N more bytes went through, even mid-frame;
//! * [`Proxy::pause`] / [`Proxy::resume`]: black-hole every connection
//!   without closing it, so clients time out;
//! * [`Proxy::refuse_connections`]: close new connections right away;
//! * [`Proxy::kill_connections`]: close every current connection;
//! * [`Proxy::drop_messages`]: swallow the pub/sub messages of a channel
//!   (a subscriber that silently misses them);
//!
//! and every rule and toxic of the crate through [`Proxy::add_config`]
//! (JSON) or [`Proxy::add_faults`].
//!
//! Dropping the proxy closes the listener and every connection and joins
//! all its threads (named `px<port>` and `px<port>:<connection id>`).
//!
//! ```no_run
//! use std::time::Duration;
//! use integration_tests::{proxy::Proxy, RedisServer};
//!
//! let server = RedisServer::start().expect("redis-server starts");
//! let proxy = Proxy::start(server.addr()).expect("proxy starts");
//! proxy.delay_command("get", Duration::from_millis(300));
//! proxy.cut_after(1_000);
//! proxy
//!     .add_config(r#"{"faults": [{"commands": ["set"], "error": "-TRYAGAIN", "count": 3}]}"#)
//!     .expect("valid faults");
//! // ... point the client under test at proxy.addr() ...
//! proxy.kill_connections();
//! assert!(proxy.commands_seen() > 0);
//! ```

pub use redis_proxy::*;
