//! The one error type of this crate, and how to tell whether a failed
//! command ran.

use std::fmt;
use std::io;

pub use resp_core::client::Executed;
use resp_core::client::{executed_by_error, HandshakeError, Redirect, Role};
use resp_core::sentinel::SentinelError;

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What kind of failure an [`Error`] is.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// A URL or an option is invalid.
    InvalidConfig,
    /// No connection could be established (refused, unreachable, resolve).
    Connect,
    /// TLS failed: handshake, certificate, or a plaintext peer.
    Tls,
    /// The server refused the credentials, or requires some.
    Auth,
    /// The connection failed while in use.
    Io,
    /// A deadline passed.
    Timeout,
    /// The server sent bytes that are not valid RESP, or out of step.
    Protocol,
    /// The server answered with an error reply; see [`Error::server_error`].
    Server,
    /// The reply could not be converted to the requested type.
    TypeMismatch,
    /// The connection was broken by an earlier failure or closed.
    Closed,
    /// The command cannot be sent as asked (for example `SUBSCRIBE` on a
    /// regular connection).
    InvalidCommand,
    /// A transaction kept conflicting with other writers (`WATCH`).
    WatchConflict,
    /// No pooled connection became available in time.
    PoolTimeout,
    /// A cluster's slot map has no node for the slot, or no node could be
    /// asked for the map.
    Topology,
    /// No node of the cluster serves the slot and none is about to: its
    /// primary failed with no replica to take over, or the slot was never
    /// assigned. The command did not run; it will not until an
    /// administrator assigns the slot.
    Unserved,
    /// Sentinel: no sentinel could be asked where the master is; see
    /// [`Error::sentinel_error`] for each sentinel's cause.
    NoSentinelReachable,
    /// Sentinel: no sentinel knows a master of that name.
    UnknownMaster,
    /// Sentinel: the server the sentinels name is not a master (its `ROLE`
    /// says otherwise: a demoted master, a stale sentinel's answer), and
    /// none other was named within the deadline.
    MasterNotConfirmed,
    /// Sentinel replica reads: no healthy replica confirmed its role, and
    /// falling back to the master is off.
    NoReplica,
}

/// What a caller may do about a failure.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Safe to retry: the command did not run and the cause may pass
    /// (connection failure, `LOADING`, `READONLY`, `TRYAGAIN`, ...).
    Safe,
    /// The command did not run: Redis Cluster sent it elsewhere (`MOVED`,
    /// `ASK`). A cluster client follows the redirect; on a single server,
    /// sending it again will get the same answer.
    Redirect,
    /// It may have run; retry only if it is idempotent.
    MaybeExecuted,
    /// Retrying will not help: bad input, bad credentials, a type mismatch,
    /// or a command that ran and failed.
    Never,
}

/// The error code of a server error reply: its first word.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ErrorCode {
    /// `ERR`: the generic error.
    Err,
    /// `WRONGTYPE`: the key holds another type.
    WrongType,
    /// `MOVED`: the slot lives on another cluster node.
    Moved,
    /// `ASK`: the slot is migrating; ask the other node once.
    Ask,
    /// `TRYAGAIN`: a multi-key command during resharding.
    TryAgain,
    /// `CROSSSLOT`: keys of one command in different slots.
    CrossSlot,
    /// `CLUSTERDOWN`: the cluster is not serving.
    ClusterDown,
    /// `NOSCRIPT`: no script with that SHA1; it did not run.
    NoScript,
    /// `READONLY`: a write sent to a replica.
    ReadOnly,
    /// `LOADING`: the server is loading its dataset.
    Loading,
    /// `BUSY`: a script or function is running.
    Busy,
    /// `BUSYKEY`: the target key exists.
    BusyKey,
    /// `MASTERDOWN`: the replica lost its master.
    MasterDown,
    /// `NOAUTH`: authentication required.
    NoAuth,
    /// `WRONGPASS`: bad credentials.
    WrongPass,
    /// `NOPERM`: the ACL user may not run this.
    NoPerm,
    /// `EXECABORT`: a transaction was discarded because of queuing errors.
    ExecAbort,
    /// `NOREPLICAS`: not enough replicas for `min-replicas-to-write`.
    NoReplicas,
    /// `OOM`: out of memory with a `noeviction` policy.
    Oom,
    /// `NOPROTO`: the protocol version is not supported.
    NoProto,
    /// `UNBLOCKED`: a blocked client was unblocked by `CLIENT UNBLOCK`.
    Unblocked,
    /// `NOGROUP`: no such stream consumer group.
    NoGroup,
    /// `BUSYGROUP`: the consumer group already exists (`XGROUP CREATE`).
    BusyGroup,
    /// `NOTBUSY`: no script or function is running (`SCRIPT KILL`,
    /// `FUNCTION KILL`).
    NotBusy,
    /// `UNKILLABLE`: the running script wrote, so it cannot be killed (only
    /// `SHUTDOWN NOSAVE` stops it).
    Unkillable,
    /// `MISCONF`: writes are refused because the last background save
    /// failed (`stop-writes-on-bgsave-error`).
    Misconf,
    /// Any other code.
    Other(String),
}

impl ErrorCode {
    fn parse(code: &str) -> ErrorCode {
        match code {
            "ERR" => ErrorCode::Err,
            "WRONGTYPE" => ErrorCode::WrongType,
            "MOVED" => ErrorCode::Moved,
            "ASK" => ErrorCode::Ask,
            "TRYAGAIN" => ErrorCode::TryAgain,
            "CROSSSLOT" => ErrorCode::CrossSlot,
            "CLUSTERDOWN" => ErrorCode::ClusterDown,
            "NOSCRIPT" => ErrorCode::NoScript,
            "READONLY" => ErrorCode::ReadOnly,
            "LOADING" => ErrorCode::Loading,
            "BUSY" => ErrorCode::Busy,
            "BUSYKEY" => ErrorCode::BusyKey,
            "MASTERDOWN" => ErrorCode::MasterDown,
            "NOAUTH" => ErrorCode::NoAuth,
            "WRONGPASS" => ErrorCode::WrongPass,
            "NOPERM" => ErrorCode::NoPerm,
            "EXECABORT" => ErrorCode::ExecAbort,
            "NOREPLICAS" => ErrorCode::NoReplicas,
            "OOM" => ErrorCode::Oom,
            "NOPROTO" => ErrorCode::NoProto,
            "UNBLOCKED" => ErrorCode::Unblocked,
            "NOGROUP" => ErrorCode::NoGroup,
            "BUSYGROUP" => ErrorCode::BusyGroup,
            "NOTBUSY" => ErrorCode::NotBusy,
            "UNKILLABLE" => ErrorCode::Unkillable,
            "MISCONF" => ErrorCode::Misconf,
            other => ErrorCode::Other(other.to_owned()),
        }
    }

    /// True when the server refused the command before running it, so a
    /// retry (after a pause, a reconnect or a redirect) is safe; see
    /// [`resp_core::client::executed_by_error`].
    pub fn refused_before_running(&self) -> bool {
        executed_by_error(self.as_str().as_bytes()) == Executed::No
    }

    /// The code as the server writes it.
    pub fn as_str(&self) -> &str {
        match self {
            ErrorCode::Err => "ERR",
            ErrorCode::WrongType => "WRONGTYPE",
            ErrorCode::Moved => "MOVED",
            ErrorCode::Ask => "ASK",
            ErrorCode::TryAgain => "TRYAGAIN",
            ErrorCode::CrossSlot => "CROSSSLOT",
            ErrorCode::ClusterDown => "CLUSTERDOWN",
            ErrorCode::NoScript => "NOSCRIPT",
            ErrorCode::ReadOnly => "READONLY",
            ErrorCode::Loading => "LOADING",
            ErrorCode::Busy => "BUSY",
            ErrorCode::BusyKey => "BUSYKEY",
            ErrorCode::MasterDown => "MASTERDOWN",
            ErrorCode::NoAuth => "NOAUTH",
            ErrorCode::WrongPass => "WRONGPASS",
            ErrorCode::NoPerm => "NOPERM",
            ErrorCode::ExecAbort => "EXECABORT",
            ErrorCode::NoReplicas => "NOREPLICAS",
            ErrorCode::Oom => "OOM",
            ErrorCode::NoProto => "NOPROTO",
            ErrorCode::Unblocked => "UNBLOCKED",
            ErrorCode::NoGroup => "NOGROUP",
            ErrorCode::BusyGroup => "BUSYGROUP",
            ErrorCode::NotBusy => "NOTBUSY",
            ErrorCode::Unkillable => "UNKILLABLE",
            ErrorCode::Misconf => "MISCONF",
            ErrorCode::Other(code) => code,
        }
    }
}

/// An error reply from the server: `-CODE message`.
///
/// # Example
///
/// ```
/// use redis_blocking::{ErrorCode, ServerError};
///
/// let e = ServerError::new("WRONGTYPE Operation against a key holding the wrong kind of value");
/// assert_eq!(e.code(), &ErrorCode::WrongType);
/// assert_eq!(e.message(), "Operation against a key holding the wrong kind of value");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServerError {
    code: ErrorCode,
    line: String,
}

impl ServerError {
    /// Parses an error line (without the leading `-`).
    pub fn new(line: impl Into<String>) -> ServerError {
        let line = line.into();
        // Redis error codes are one upper-case word; anything else is a
        // plain message, reported as the generic `ERR`.
        let code = resp_core::client::error_code(line.as_bytes());
        let code = ErrorCode::parse(std::str::from_utf8(code).unwrap_or("ERR"));
        ServerError { code, line }
    }

    /// The error code.
    pub fn code(&self) -> &ErrorCode {
        &self.code
    }

    /// The message after the code.
    pub fn message(&self) -> &str {
        match self.line.split_once(' ') {
            Some((word, rest)) if self.code != ErrorCode::Err || word == "ERR" => rest,
            _ => &self.line,
        }
    }

    /// The whole error line, code included, as the server sent it.
    pub fn line(&self) -> &str {
        &self.line
    }

    /// The redirect, for `MOVED` and `ASK`.
    pub fn redirect(&self) -> Option<Redirect> {
        match self.code {
            ErrorCode::Moved | ErrorCode::Ask => Redirect::parse(self.line.as_bytes()),
            _ => None,
        }
    }
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.line)
    }
}

impl std::error::Error for ServerError {}

/// An error of this crate.
///
/// Besides its [`kind`](Error::kind), every error says whether the
/// command may have run ([`executed`](Error::executed)) and so whether it
/// may be retried ([`retry`](Error::retry)). Errors never contain a
/// password.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    executed: Executed,
    message: String,
    server: Option<ServerError>,
    handshake: Option<HandshakeError>,
    sentinel: Option<SentinelError>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    /// A new error; `message` says what failed. For code outside this
    /// crate that must report a failure in the crate's terms: a
    /// [`FromReply`](crate::FromReply) implementation whose decoding failed
    /// (kind [`ErrorKind::TypeMismatch`], [`Executed::Yes`]), a transaction
    /// body that gives up, a wrapper with its own checks.
    ///
    /// # Example
    ///
    /// ```
    /// use redis_blocking::{Error, ErrorKind, Executed, Retry};
    ///
    /// let e = Error::new(ErrorKind::TypeMismatch, Executed::Yes, "not valid JSON: expected value at line 1");
    /// assert_eq!(e.kind(), ErrorKind::TypeMismatch);
    /// assert_eq!(e.retry(), Retry::Never);
    /// assert_eq!(e.to_string(), "not valid JSON: expected value at line 1");
    /// ```
    pub fn new(kind: ErrorKind, executed: Executed, message: impl Into<String>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                executed,
                message: message.into(),
                server: None,
                handshake: None,
                sentinel: None,
                source: None,
            }),
        }
    }

    /// Attaches the underlying cause, returned by
    /// [`source`](std::error::Error::source).
    pub fn with_source(
        mut self,
        source: impl Into<Box<dyn std::error::Error + Send + Sync>>,
    ) -> Error {
        self.inner.source = Some(source.into());
        self
    }

    pub(crate) fn io(executed: Executed, what: &str, err: io::Error) -> Error {
        let kind = match err.kind() {
            io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock => ErrorKind::Timeout,
            _ => ErrorKind::Io,
        };
        Error::new(kind, executed, format!("{what}: {err}")).with_source(err)
    }

    /// The error of a server error reply; whether the command ran follows
    /// from its code ([`ErrorCode::refused_before_running`]).
    pub fn server(err: ServerError) -> Error {
        let executed = executed_by_error(err.line.as_bytes());
        let mut e = Error::new(ErrorKind::Server, executed, String::new());
        e.inner.server = Some(err);
        e
    }

    pub(crate) fn handshake(err: HandshakeError) -> Error {
        let kind = match err {
            HandshakeError::WrongPassword
            | HandshakeError::UserRejected { .. }
            | HandshakeError::NoPasswordConfigured
            | HandshakeError::NoAuth => ErrorKind::Auth,
            // Not a Redis server, or out of step: retrying will not help.
            HandshakeError::UnexpectedReply(_) => ErrorKind::Protocol,
            HandshakeError::RoleMismatch {
                expected: Role::Replica,
                ..
            } => ErrorKind::NoReplica,
            HandshakeError::RoleMismatch { .. } => ErrorKind::MasterNotConfirmed,
            _ => ErrorKind::Connect,
        };
        let mut e = Error::new(kind, Executed::No, err.to_string());
        e.inner.handshake = Some(err);
        e
    }

    /// A Sentinel resolution that failed: its kind follows the failure.
    pub(crate) fn sentinel(err: SentinelError) -> Error {
        let kind = match err {
            SentinelError::UnknownMaster { .. } => ErrorKind::UnknownMaster,
            SentinelError::MasterNotConfirmed { .. } => ErrorKind::MasterNotConfirmed,
            _ => ErrorKind::NoSentinelReachable,
        };
        let mut e = Error::new(kind, Executed::No, err.to_string());
        e.inner.sentinel = Some(err);
        e
    }

    /// A reply that does not convert to the type asked for: the command
    /// ran, the connection stays usable.
    pub fn type_mismatch(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::TypeMismatch, Executed::Yes, message)
    }

    pub(crate) fn config(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidConfig, Executed::No, message)
    }

    /// A copy for another command that failed the same way (the source
    /// chain is kept as text).
    pub(crate) fn duplicate(&self) -> Error {
        Error {
            inner: Box::new(Inner {
                kind: self.inner.kind,
                executed: self.inner.executed,
                message: self.inner.message.clone(),
                server: self.inner.server.clone(),
                handshake: self.inner.handshake.clone(),
                sentinel: self.inner.sentinel.clone(),
                source: None,
            }),
        }
    }

    /// Marks this error as concerning a command in the state `executed`.
    pub(crate) fn executed_as(mut self, executed: Executed) -> Error {
        self.inner.executed = executed;
        self
    }

    /// Prefixes the message with context, such as the address.
    pub(crate) fn context(mut self, context: impl fmt::Display) -> Error {
        self.inner.message = if self.inner.message.is_empty() {
            context.to_string()
        } else {
            format!("{context}: {}", self.inner.message)
        };
        self
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// Whether the command may have run.
    pub fn executed(&self) -> Executed {
        self.inner.executed
    }

    /// The server's error reply, for [`ErrorKind::Server`].
    pub fn server_error(&self) -> Option<&ServerError> {
        self.inner.server.as_ref()
    }

    /// The server error's code, for [`ErrorKind::Server`].
    pub fn code(&self) -> Option<&ErrorCode> {
        self.inner.server.as_ref().map(ServerError::code)
    }

    /// The handshake failure, for errors while setting up a connection.
    pub fn handshake_error(&self) -> Option<&HandshakeError> {
        self.inner.handshake.as_ref()
    }

    /// What each sentinel did, for a failed Sentinel resolution
    /// ([`ErrorKind::NoSentinelReachable`], [`ErrorKind::UnknownMaster`],
    /// [`ErrorKind::MasterNotConfirmed`] when no sentinel named a master).
    ///
    /// # Example
    ///
    /// ```no_run
    /// use redis_blocking::{Client, ErrorKind};
    ///
    /// let client = Client::open("redis+sentinel://10.0.0.1:26379,10.0.0.2:26379/mymaster")?;
    /// if let Err(e) = client.query::<()>(&redis_blocking::Cmd::new("PING")) {
    ///     if e.kind() == ErrorKind::NoSentinelReachable {
    ///         for attempt in e.sentinel_error().map(|s| s.attempts()).unwrap_or_default() {
    ///             eprintln!("{}: {}", attempt.sentinel, attempt.outcome);
    ///         }
    ///     }
    /// }
    /// # Ok::<(), redis_blocking::Error>(())
    /// ```
    pub fn sentinel_error(&self) -> Option<&SentinelError> {
        self.inner.sentinel.as_ref()
    }

    /// Whether and how the failed call may be retried.
    pub fn retry(&self) -> Retry {
        match (self.inner.kind, self.inner.executed) {
            (ErrorKind::Server, Executed::No)
                if matches!(self.code(), Some(ErrorCode::Moved | ErrorCode::Ask)) =>
            {
                Retry::Redirect
            }
            (ErrorKind::Server, Executed::No) => Retry::Safe,
            (_, Executed::Maybe) => Retry::MaybeExecuted,
            (
                ErrorKind::Connect
                | ErrorKind::Io
                | ErrorKind::Timeout
                | ErrorKind::Closed
                | ErrorKind::PoolTimeout
                | ErrorKind::WatchConflict
                | ErrorKind::Topology
                | ErrorKind::Tls
                | ErrorKind::NoSentinelReachable
                | ErrorKind::MasterNotConfirmed
                | ErrorKind::NoReplica,
                Executed::No,
            ) => Retry::Safe,
            _ => Retry::Never,
        }
    }

    /// True when the error leaves the connection unusable: it must be
    /// closed, never reused.
    pub fn is_fatal_to_connection(&self) -> bool {
        matches!(
            self.inner.kind,
            ErrorKind::Io
                | ErrorKind::Timeout
                | ErrorKind::Protocol
                | ErrorKind::Closed
                | ErrorKind::Connect
                | ErrorKind::Tls
                | ErrorKind::Auth
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ErrorKind::InvalidConfig => "invalid configuration",
            ErrorKind::Connect => "connection failed",
            ErrorKind::Tls => "TLS failed",
            ErrorKind::Auth => "authentication failed",
            ErrorKind::Io => "I/O error",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Protocol => "protocol error",
            ErrorKind::Server => "server error",
            ErrorKind::TypeMismatch => "type mismatch",
            ErrorKind::Closed => "connection closed",
            ErrorKind::InvalidCommand => "invalid command",
            ErrorKind::WatchConflict => "transaction conflict",
            ErrorKind::PoolTimeout => "pool checkout timed out",
            ErrorKind::Topology => "cluster topology unknown",
            ErrorKind::Unserved => "hash slot not served",
            ErrorKind::NoSentinelReachable => "no sentinel reachable",
            ErrorKind::UnknownMaster => "no sentinel knows the master",
            ErrorKind::MasterNotConfirmed => "master not confirmed",
            ErrorKind::NoReplica => "no replica to read from",
        })
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(server) = &self.inner.server {
            if self.inner.message.is_empty() {
                return write!(f, "{server}");
            }
            return write!(f, "{}: {server}", self.inner.message);
        }
        if self.inner.message.is_empty() {
            write!(f, "{}", self.inner.kind)?;
        } else {
            f.write_str(&self.inner.message)?;
        }
        if self.inner.executed == Executed::Maybe {
            f.write_str(" (the command may have run)")?;
        }
        Ok(())
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Error")
            .field("kind", &self.inner.kind)
            .field("executed", &self.inner.executed)
            .field("message", &self.inner.message)
            .field("server", &self.inner.server)
            .finish()
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        if let Some(server) = &self.inner.server {
            return Some(server);
        }
        if let Some(handshake) = &self.inner.handshake {
            return Some(handshake);
        }
        if let Some(sentinel) = &self.inner.sentinel {
            return Some(sentinel);
        }
        self.inner.source.as_ref().map(|s| &**s as _)
    }
}

impl From<ServerError> for Error {
    fn from(err: ServerError) -> Error {
        Error::server(err)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes() {
        let e = ServerError::new("ERR unknown command 'foo'");
        assert_eq!(
            (e.code(), e.message()),
            (&ErrorCode::Err, "unknown command 'foo'")
        );
        let e = ServerError::new("custom lower-case message");
        assert_eq!(
            (e.code(), e.message()),
            (&ErrorCode::Err, "custom lower-case message")
        );
        let e = ServerError::new("MOVED 12 127.0.0.1:7000");
        assert_eq!(e.redirect().unwrap().port, 7000);
        assert_eq!(Error::server(e).retry(), Retry::Redirect);
        let e = Error::server(ServerError::new("LOADING Redis is loading"));
        assert_eq!((e.executed(), e.retry()), (Executed::No, Retry::Safe));
        let e = Error::server(ServerError::new("WRONGTYPE Operation against a key"));
        assert_eq!((e.executed(), e.retry()), (Executed::Yes, Retry::Never));
    }
}
