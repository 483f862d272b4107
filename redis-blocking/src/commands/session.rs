//! Commands that change the state of the connection they run on: only
//! for a connection of one's own.

use super::runner::{Handle, OneConnection};
use crate::{Cmd, ToArg};

/// A handle on one connection (`&mut Connection`, `&mut Pooled`, and
/// timeout handles on them): the receivers of [`SessionCommands`]. A
/// pooled [`Client`](crate::Client) is not one: its next call may run on
/// another connection.
pub trait ConnectionHandle: Handle {}

impl<R: OneConnection + ?Sized> ConnectionHandle for &mut R {}

commands! {
    /// Commands that change the calling connection's own state. They are
    /// methods of connections only (`&mut Connection`, `&mut Pooled` from
    /// [`Client::connection`](crate::Client::connection)); on a shared
    /// client they would apply to whichever connection ran them.
    ///
    /// ```compile_fail
    /// use redis_blocking::prelude::*;
    ///
    /// let client = Client::open("redis://127.0.0.1/")?;
    /// let () = client.select_db(2)?; // a pool has no "current database"
    /// # Ok::<(), redis_blocking::Error>(())
    /// ```
    pub trait SessionCommands: ConnectionHandle as SESSION;

    /// `SELECT db`: switches this connection to database `db` (named
    /// `select_db`: `Pipeline` has a `select` of its own).
    fn select_db(db: u32) => Cmd::new("SELECT").arg(db);
    /// `CLIENT SETNAME name`: names this connection (no spaces).
    fn client_setname<N: ToArg<'a>>(name: N) => Cmd::new("CLIENT").arg("SETNAME").arg(name);
    /// `CLIENT NO-EVICT ON|OFF`: exempts this connection from client
    /// eviction (`maxmemory-clients`).
    fn client_no_evict(on: bool) => Cmd::new("CLIENT").arg("NO-EVICT").arg(if on { "ON" } else { "OFF" });
}
