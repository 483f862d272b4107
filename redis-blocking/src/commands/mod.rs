//! Typed commands for every data type.
//!
//! Each group of commands is a trait, implemented for every [`Runner`]
//! (a [`Connection`](crate::Connection) and whatever else runs commands);
//! the same commands are methods of [`Pipeline`](crate::Pipeline), where
//! they queue instead of run. Import them all with
//! `use redis_blocking::prelude::*`.
//!
//! ```no_run
//! use redis_blocking::prelude::*;
//!
//! let mut conn = Connection::open_url("redis://127.0.0.1")?;
//! conn.set::<_, _, ()>("visits", 0)?;
//! let visits: i64 = conn.incr("visits")?;
//! let mut pipe = Pipeline::new();
//! pipe.incr("visits").incr_by("visits", 10);
//! let (a, b): (i64, i64) = conn.query_pipeline(&pipe)?;
//! assert_eq!((visits, a, b), (1, 2, 12));
//! # Ok::<(), redis_blocking::Error>(())
//! ```

#[macro_use]
mod macros;

mod bitmaps;
mod geo;
mod hashes;
mod hyperloglog;
mod keys;
mod lists;
mod options;
mod scripting;
mod server;
mod sets;
mod sorted_sets;
mod streams;
mod strings;

/// The command table, now in [`resp_core::command`]; kept here under its
/// old name.
pub use resp_core::command as info;

pub use bitmaps::BitmapCommands;
pub use geo::GeoCommands;
pub use hashes::HashCommands;
pub use hyperloglog::HyperLogLogCommands;
pub use keys::KeyCommands;
pub use lists::ListCommands;
pub use options::{BitOp, Direction, Expiry, GeoUnit, SetCondition, SetOptions, ZAddOptions};
pub use scripting::ScriptingCommands;
pub use server::ServerCommands;
pub use sets::SetCommands;
pub use sorted_sets::SortedSetCommands;
pub use streams::{StreamCommands, StreamGroupCommands, XReadOptions};
pub use strings::StringCommands;

use std::time::Duration;

use crate::{Cmd, FromReply, Result};

/// Something that runs a command and converts its reply.
pub trait Runner {
    /// Runs `cmd` and converts its reply to `T`.
    ///
    /// # Errors
    ///
    /// As [`Connection::query`](crate::Connection::query).
    fn run_cmd<T: FromReply>(&mut self, cmd: &Cmd<'_>) -> Result<T>;

    /// This runner, with `timeout` for the typed calls made through the
    /// returned handle (replacing the connection's or client's; blocking
    /// commands still add their own wait to it).
    ///
    /// # Example
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use redis_blocking::prelude::*;
    ///
    /// let mut client = Client::open("redis://127.0.0.1/")?;
    /// let v: Option<String> = client.with_timeout(Duration::from_millis(50)).get("k")?;
    /// # Ok::<(), redis_blocking::Error>(())
    /// ```
    fn with_timeout(&mut self, timeout: Duration) -> WithTimeout<'_, Self>
    where
        Self: Sized,
    {
        WithTimeout {
            runner: self,
            timeout,
        }
    }
}

/// A [`Runner`] whose calls have their own timeout; see
/// [`Runner::with_timeout`].
#[derive(Debug)]
pub struct WithTimeout<'r, R> {
    runner: &'r mut R,
    timeout: Duration,
}

impl<R: Runner> Runner for WithTimeout<'_, R> {
    fn run_cmd<T: FromReply>(&mut self, cmd: &Cmd<'_>) -> Result<T> {
        let timed = cmd.clone().timeout(self.timeout);
        self.runner.run_cmd(&timed)
    }
}

impl Runner for crate::Connection {
    fn run_cmd<T: FromReply>(&mut self, cmd: &Cmd<'_>) -> Result<T> {
        self.query(cmd)
    }
}
