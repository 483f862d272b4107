//! Server and connection commands.

use crate::Cmd;

commands! {
    /// Server and connection commands.
    pub trait ServerCommands;

    /// `PING`: `PONG`.
    fn ping() -> Cmd::new("PING");
    /// `ECHO message`.
    fn echo<M: ToArg>(message: M) -> Cmd::new("ECHO").arg(message);
    /// `DBSIZE`.
    fn dbsize() -> Cmd::new("DBSIZE");
    /// `FLUSHDB`.
    fn flushdb() -> Cmd::new("FLUSHDB");
    /// `FLUSHALL`.
    fn flushall() -> Cmd::new("FLUSHALL");
    /// `INFO [section]`: the text report.
    fn info<S: ToArgs>(section: S) -> Cmd::new("INFO").arg(section);
    /// `TIME`: `[seconds, microseconds]`.
    fn time() -> Cmd::new("TIME");
    /// `LASTSAVE`.
    fn lastsave() -> Cmd::new("LASTSAVE");
    /// `CONFIG GET parameter`: name-value pairs.
    fn config_get<P: ToArg>(parameter: P) -> Cmd::new("CONFIG").arg("GET").arg(parameter);
    /// `CONFIG SET parameter value`.
    fn config_set<P: ToArg, V: ToArg>(parameter: P, value: V) -> Cmd::new("CONFIG").arg("SET").arg(parameter).arg(value);
    /// `CLIENT ID`.
    fn client_id() -> Cmd::new("CLIENT").arg("ID");
    /// `CLIENT GETNAME`.
    fn client_getname() -> Cmd::new("CLIENT").arg("GETNAME");
    /// `CLIENT LIST`.
    fn client_list() -> Cmd::new("CLIENT").arg("LIST");
    /// `BGSAVE`.
    fn bgsave() -> Cmd::new("BGSAVE");
    /// `WAIT numreplicas timeout`: replicas that acknowledged; blocks up to
    /// `timeout_millis` (0: forever).
    fn wait(numreplicas: usize, timeout_millis: u64) -> Cmd::new("WAIT").arg(numreplicas).arg(timeout_millis);
}
