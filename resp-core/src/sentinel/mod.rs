//! The client side of Redis Sentinel, without I/O: the questions a client
//! asks the sentinels, how their answers read, and which sentinel to ask
//! next.
//!
//! This follows the Sentinel client specification
//! (<https://redis.io/docs/reference/sentinel-clients/>):
//!
//! - [`Resolution`] asks the sentinels in order for a master's address
//!   (`SENTINEL get-master-addr-by-name`) or its replicas
//!   (`SENTINEL replicas`), moving on when one cannot be reached, does not
//!   know the master, answers nonsense, or names a server the caller found
//!   in the wrong role ([`Resolution::reject`]); once one answers, it asks
//!   that one for the other sentinels it knows (`SENTINEL sentinels`). Its
//!   failures are distinct: no sentinel reachable, a master no sentinel
//!   knows, a master that could not be confirmed ([`SentinelError`]), each
//!   with what every sentinel said.
//! - [`SentinelList`] keeps the sentinels in the order to try them: the one
//!   that answered last first, discovered ones added after the configured
//!   ones, never more than [`MAX_SENTINELS`].
//! - [`SwitchMaster`] reads a `+switch-master` message; [`ReplicaInfo`] one
//!   entry of `SENTINEL replicas`, and whether that replica is fit to read
//!   from.
//!
//! The caller connects, writes, reads and sleeps. The role check of a new
//! connection is a handshake step:
//! [`HandshakeOptions::expect_role`](crate::client::HandshakeOptions::expect_role).
//!
//! # Example
//!
//! ```
//! use resp_core::sentinel::{Query, Resolution};
//! use resp_core::Frame;
//!
//! let sentinels = vec!["10.0.0.1:26379", "10.0.0.2:26379"];
//! let mut resolution = Resolution::new("mymaster", sentinels, Query::Master);
//! // The first sentinel is down.
//! assert_eq!(resolution.poll_sentinel(), Some(&"10.0.0.1:26379"));
//! resolution.handle_unreachable("connection refused");
//! // The second one answers.
//! assert_eq!(resolution.poll_sentinel(), Some(&"10.0.0.2:26379"));
//! resolution.handle_connected();
//! let mut out = Vec::new();
//! assert!(resolution.poll_command(&mut out));
//! assert_eq!(out, b"*3\r\n$8\r\nSENTINEL\r\n$23\r\nget-master-addr-by-name\r\n$8\r\nmymaster\r\n");
//! resolution.handle_reply(&Frame::Array(vec![Frame::bulk(b"10.0.0.9"), Frame::bulk(b"6379")]));
//! // It is asked which sentinels it knows.
//! out.clear();
//! assert!(resolution.poll_command(&mut out));
//! resolution.handle_reply(&Frame::Array(vec![]));
//! assert_eq!(resolution.poll_sentinel(), None);
//! let found = resolution.finish()?;
//! assert_eq!(found.sentinel, "10.0.0.2:26379");
//! assert_eq!(found.master.unwrap().to_string(), "10.0.0.9:6379");
//! # Ok::<(), resp_core::sentinel::SentinelError>(())
//! ```

mod error;
mod reply;
mod resolve;

pub use error::{Attempt, SentinelError};
pub use reply::{
    master_addr_reply, replicas_reply, sentinels_reply, Endpoint, ReplicaInfo, ReplyError,
    SwitchMaster,
};
pub use resolve::{Found, Query, Resolution, SentinelList, MAX_SENTINELS};

#[cfg(test)]
mod tests;
