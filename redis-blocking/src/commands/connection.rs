//! `CLIENT` commands that observe or act on connections, this one or
//! others, without changing this connection's state.

use super::options::{ClientKill, ClientListOptions};
use crate::{ClientInfo, Cmd};

commands! {
    /// Commands about client connections. Those that change the calling
    /// connection's own state are in [`SessionCommands`](crate::commands::SessionCommands).
    pub trait ConnectionCommands: Handle as CONNECTION;

    /// `CLIENT ID`: this connection's ID.
    fn client_id(): u64 => Cmd::new("CLIENT").arg("ID");
    /// `CLIENT GETNAME`: this connection's name, if set.
    fn client_getname(): Option<String> => Cmd::new("CLIENT").arg("GETNAME");
    /// `CLIENT INFO`: this connection.
    fn client_info(): ClientInfo => Cmd::new("CLIENT").arg("INFO");
    /// `CLIENT LIST`: every connection.
    fn client_list(): Vec<ClientInfo> => Cmd::new("CLIENT").arg("LIST");
    /// `CLIENT LIST [TYPE kind] [ID id...]`.
    fn client_list_filtered(filter: ClientListOptions): Vec<ClientInfo> => Cmd::new("CLIENT").arg("LIST").arg(filter);
    /// `CLIENT KILL filter...`: how many connections were closed.
    fn client_kill(filter: ClientKill): u64 => Cmd::new("CLIENT").arg("KILL").arg(filter);
    /// `CLIENT PAUSE timeout ALL`: suspends every client for
    /// `timeout_millis`.
    fn client_pause(timeout_millis: u64) => Cmd::new("CLIENT").arg("PAUSE").arg(timeout_millis).arg("ALL");
    /// `CLIENT PAUSE timeout WRITE`: suspends writes only.
    fn client_pause_writes(timeout_millis: u64) => Cmd::new("CLIENT").arg("PAUSE").arg(timeout_millis).arg("WRITE");
    /// `CLIENT UNPAUSE`.
    fn client_unpause() => Cmd::new("CLIENT").arg("UNPAUSE");
    /// `CLIENT UNBLOCK id [TIMEOUT|ERROR]`: true if that client was blocked;
    /// with `error` its call fails with `UNBLOCKED`, otherwise it times out.
    fn client_unblock(id: u64, error: bool): bool => Cmd::new("CLIENT").arg("UNBLOCK").arg(id).arg(if error { "ERROR" } else { "TIMEOUT" });
    /// `CLIENT GETREDIR`: where this connection's tracking invalidations
    /// go (-1: not tracking, 0: itself).
    fn client_getredir(): i64 => Cmd::new("CLIENT").arg("GETREDIR");
    /// `CLIENT TRACKINGINFO`: this connection's tracking state (a map).
    fn client_trackinginfo() => Cmd::new("CLIENT").arg("TRACKINGINFO");
}
