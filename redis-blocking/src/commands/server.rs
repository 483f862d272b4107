//! Server commands: liveness, the keyspace as a whole, persistence,
//! replication waits, configuration.

use super::options::FlushMode;
use crate::{Cmd, Role, ToArg, ToArgs};

commands! {
    /// Server-wide commands.
    pub trait ServerCommands: Handle as SERVER;

    /// `PING`: `PONG`.
    fn ping() => Cmd::new("PING");
    /// `PING message`: the message.
    fn ping_message<M: ToArg<'a>>(message: M) => Cmd::new("PING").arg(message);
    /// `ECHO message`.
    fn echo<M: ToArg<'a>>(message: M) => Cmd::new("ECHO").arg(message);
    /// `DBSIZE`: keys in the selected database.
    fn dbsize() => Cmd::new("DBSIZE");
    /// `FLUSHDB`: deletes every key of the selected database.
    fn flushdb() => Cmd::new("FLUSHDB");
    /// `FLUSHDB ASYNC|SYNC`.
    fn flushdb_mode(mode: FlushMode) => Cmd::new("FLUSHDB").arg(mode);
    /// `FLUSHALL`: deletes every key of every database.
    fn flushall() => Cmd::new("FLUSHALL");
    /// `FLUSHALL ASYNC|SYNC`.
    fn flushall_mode(mode: FlushMode) => Cmd::new("FLUSHALL").arg(mode);
    /// `SWAPDB index1 index2`.
    fn swapdb(db1: u32, db2: u32) => Cmd::new("SWAPDB").arg(db1).arg(db2);
    /// `INFO [section...]`: the text report (`String`; from a
    /// `ClusterClient`, which asks every primary, one per node:
    /// `HashMap<String, String>`, node address to report).
    fn info<S: ToArgs<'a>>(sections: S) => Cmd::new("INFO").arg(sections);
    /// `TIME`: `(seconds, microseconds)`.
    fn time(): (u64, u64) => Cmd::new("TIME");
    /// `LASTSAVE`: Unix time of the last successful save.
    fn lastsave(): u64 => Cmd::new("LASTSAVE");
    /// `SAVE`: a synchronous save (blocks the server).
    fn save() => Cmd::new("SAVE");
    /// `BGSAVE`: a save in the background.
    fn bgsave() => Cmd::new("BGSAVE");
    /// `BGSAVE SCHEDULE`: a background save, after the running AOF rewrite
    /// if any.
    fn bgsave_schedule() => Cmd::new("BGSAVE").arg("SCHEDULE");
    /// `BGREWRITEAOF`: rewrites the append-only file in the background.
    fn bgrewriteaof() => Cmd::new("BGREWRITEAOF");
    /// `WAIT numreplicas timeout`: replicas that acknowledged the writes
    /// of this connection; blocks up to `timeout_millis` (0: forever).
    fn wait(numreplicas: usize, timeout_millis: u64): u64 => Cmd::new("WAIT").arg(numreplicas).arg(timeout_millis);
    /// `ROLE`: primary, replica or sentinel, with the replication state.
    fn role(): Role => Cmd::new("ROLE");
    /// `CONFIG GET parameter...`: name-value pairs (glob patterns allowed).
    fn config_get<P: ToArgs<'a>>(parameters: P) => Cmd::new("CONFIG").arg("GET").arg(parameters);
    /// `CONFIG SET parameter value`.
    fn config_set<P: ToArg<'a>, V: ToArg<'a>>(parameter: P, value: V) => Cmd::new("CONFIG").arg("SET").arg(parameter).arg(value);
    /// `CONFIG SET parameter value...`: several at once, atomically.
    fn config_set_multiple<P: ToArgs<'a>>(pairs: P) => Cmd::new("CONFIG").arg("SET").arg(pairs);
    /// `CONFIG RESETSTAT`: zeroes the statistics of `INFO`.
    fn config_resetstat() => Cmd::new("CONFIG").arg("RESETSTAT");
    /// `CONFIG REWRITE`: writes the running configuration to the config
    /// file.
    fn config_rewrite() => Cmd::new("CONFIG").arg("REWRITE");
    /// `MODULE LIST`: the loaded modules.
    fn module_list() => Cmd::new("MODULE").arg("LIST");
}
