//! Typed commands: the whole Redis 7.0 command set, one trait per group.
//!
//! Each trait is implemented for every [`Handle`]: `&Client` and
//! `&ClusterClient` (shared, `&self`), `&mut Connection` and `&mut Pooled`
//! (one connection, `&mut self`), and per-call option handles such as
//! [`with_timeout`](Handle::with_timeout). Method calls borrow as needed,
//! so the same line works on a client and on a connection. The same
//! commands are methods of [`Pipeline`](crate::Pipeline), where they queue
//! instead of run. Import them all with `use redis_blocking::prelude::*`.
//!
//! Commands with options take builders in the [`SetOptions`] style
//! (`Default`, one method per option). Where the reply has a fixed shape
//! the method returns a typed value ([`StreamInfo`](crate::StreamInfo),
//! [`ClientInfo`](crate::ClientInfo), [`Popped`](crate::Popped),
//! [`Role`](crate::Role), ...); elsewhere the caller picks any
//! [`FromReply`](crate::FromReply) type (`RV`).
//!
//! Which command each method sends, and why the few commands without a
//! method have none, is listed in [`coverage`].
//!
//! ```no_run
//! use std::time::Duration;
//! use redis_blocking::prelude::*;
//!
//! let client = Client::open("redis://127.0.0.1")?; // no `mut`: typed calls take &self
//! let () = client.set("visits", 0)?;
//! let visits: i64 = client.incr("visits")?;
//! let job: Option<(String, String)> = client.with_timeout(Duration::from_secs(2)).brpop("jobs", 1.0)?;
//!
//! let mut conn = Connection::open_url("redis://127.0.0.1")?; // one connection: &mut self
//! let mut pipe = Pipeline::new();
//! pipe.incr("visits").incr_by("visits", 10);
//! let (a, b): (i64, i64) = conn.query_pipeline(&pipe)?;
//! assert_eq!((visits, a, b), (1, 2, 12));
//! # Ok::<(), redis_blocking::Error>(())
//! ```

#[macro_use]
mod macros;

mod acl;
mod bitmaps;
mod connection;
pub mod coverage;
mod geo;
mod hashes;
mod hyperloglog;
mod introspection;
mod keys;
mod lists;
mod options;
mod pubsub;
mod runner;
mod scripting;
mod server;
mod session;
mod sets;
mod sorted_sets;
mod streams;
mod strings;

/// The command table, now in [`resp_core::command`]; kept here under its
/// old name.
pub use resp_core::command as info;

pub use acl::AclCommands;
pub use bitmaps::BitmapCommands;
pub use connection::ConnectionCommands;
pub use geo::GeoCommands;
pub use hashes::HashCommands;
pub use hyperloglog::HyperLogLogCommands;
pub use introspection::IntrospectionCommands;
pub use keys::KeyCommands;
pub use lists::ListCommands;
pub use options::*;
pub use pubsub::PubSubCommands;
pub use runner::{Handle, OneConnection, Runner, SharedRunner, WithTimeout};
pub use scripting::ScriptingCommands;
pub use server::ServerCommands;
pub use session::{ConnectionHandle, SessionCommands};
pub use sets::SetCommands;
pub use sorted_sets::SortedSetCommands;
pub use streams::{StreamCommands, StreamGroupCommands};
pub use strings::StringCommands;

/// Writes the number of arguments `args` makes, then the arguments: the
/// `numkeys` of `EVAL`, `ZUNION`, `LMPOP`, `SINTERCARD` ...
pub(crate) struct Counted<T>(pub T);

impl<'a, T: crate::ToArgs<'a>> crate::ToArgs<'a> for Counted<T> {
    fn write_args(&self, out: &mut crate::cmd::ArgSink<'_, 'a>) {
        out.push_counted(&self.0);
    }
}
