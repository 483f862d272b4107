//! The commands that prepare a new connection, and the judgement of their
//! replies.

use std::fmt;

use crate::encode::{write_command, Arg};
use crate::Frame;

/// The protocol version spoken on a connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Protocol {
    /// RESP2, which every server speaks.
    #[default]
    Resp2,
    /// RESP3 (Redis 6 and later), negotiated with `HELLO 3`.
    Resp3,
}

/// The role a server must have for a connection to be kept, checked with
/// `ROLE` at the end of the handshake (see [`HandshakeOptions::expect_role`]).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A master: `ROLE` answers `master`.
    Master,
    /// A replica: `ROLE` answers `slave`.
    Replica,
}

impl Role {
    /// The word `ROLE` and `INFO replication` use for it.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Master => "master",
            Role::Replica => "slave",
        }
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Master => "master",
            Role::Replica => "replica",
        })
    }
}

/// What a new connection should be set up with.
///
/// Built with setters, so that new steps can be added without breaking
/// callers. `Debug` never shows the password.
///
/// ```
/// use resp_core::client::{HandshakeOptions, Protocol};
///
/// let options = HandshakeOptions::new()
///     .protocol(Protocol::Resp3)
///     .password("s3cret")
///     .db(2);
/// assert_eq!(options.get_db(), 2);
/// assert!(!format!("{options:?}").contains("s3cret"));
/// ```
#[non_exhaustive]
#[derive(Clone, Default, PartialEq, Eq)]
pub struct HandshakeOptions {
    protocol: Protocol,
    user: Option<Vec<u8>>,
    password: Option<Vec<u8>>,
    db: i64,
    client_name: Option<Vec<u8>>,
    ping: bool,
    readonly: bool,
    role: Option<Role>,
}

impl HandshakeOptions {
    /// Nothing to set up: RESP2, the `default` user without password,
    /// database 0, no name, no `PING`.
    pub fn new() -> HandshakeOptions {
        HandshakeOptions::default()
    }

    /// The protocol to ask for; RESP3 falls back to RESP2 when the server
    /// does not know `HELLO` or refuses version 3.
    pub fn protocol(mut self, protocol: Protocol) -> Self {
        self.protocol = protocol;
        self
    }

    /// An ACL user name; without one, the `default` user.
    pub fn user(mut self, user: impl Into<Vec<u8>>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// The password, if the server requires one.
    pub fn password(mut self, password: impl Into<Vec<u8>>) -> Self {
        self.password = Some(password.into());
        self
    }

    /// The database to `SELECT`; `0` sends nothing.
    pub fn db(mut self, db: i64) -> Self {
        self.db = db;
        self
    }

    /// A name for `CLIENT SETNAME`.
    pub fn client_name(mut self, name: impl Into<Vec<u8>>) -> Self {
        self.client_name = Some(name.into());
        self
    }

    /// Sends a `PING` (which must be answered `+PONG`) when no other step
    /// has anything to send, so that a peer that does not speak RESP, a
    /// TLS port, or a server requiring a password is found out during the
    /// handshake rather than on the first command.
    pub fn ping_if_idle(mut self, on: bool) -> Self {
        self.ping = on;
        self
    }

    /// Sends `READONLY` last, for a connection to a cluster replica that
    /// should serve reads of its primary's slots.
    pub fn readonly(mut self, on: bool) -> Self {
        self.readonly = on;
        self
    }

    /// Whether the handshake ends with `READONLY`.
    pub fn get_readonly(&self) -> bool {
        self.readonly
    }

    /// Checks the server's role last, with `ROLE` (or `INFO replication`
    /// where `ROLE` is refused, as an ACL may do): a server in another role
    /// fails the handshake with [`HandshakeError::RoleMismatch`]. A client
    /// that follows Sentinel asks this of every master connection, so that
    /// a demoted master, or a stale sentinel's answer, is never written to.
    /// `None` (the default) checks nothing.
    pub fn expect_role(mut self, role: Option<Role>) -> Self {
        self.role = role;
        self
    }

    /// The role checked, if any.
    pub fn get_expected_role(&self) -> Option<Role> {
        self.role
    }

    /// The protocol asked for.
    pub fn get_protocol(&self) -> Protocol {
        self.protocol
    }

    /// The ACL user name, if any.
    pub fn get_user(&self) -> Option<&[u8]> {
        self.user.as_deref()
    }

    /// True when a password is set.
    pub fn has_password(&self) -> bool {
        self.password.is_some()
    }

    /// The password, if any.
    pub fn get_password(&self) -> Option<&[u8]> {
        self.password.as_deref()
    }

    /// The database selected.
    pub fn get_db(&self) -> i64 {
        self.db
    }

    /// The client name, if any.
    pub fn get_client_name(&self) -> Option<&[u8]> {
        self.client_name.as_deref()
    }

    /// Whether an idle handshake sends a `PING`.
    pub fn get_ping_if_idle(&self) -> bool {
        self.ping
    }
}

impl fmt::Debug for HandshakeOptions {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HandshakeOptions")
            .field("protocol", &self.protocol)
            .field("user", &self.user.as_deref().map(String::from_utf8_lossy))
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("db", &self.db)
            .field(
                "client_name",
                &self.client_name.as_deref().map(String::from_utf8_lossy),
            )
            .field("ping", &self.ping)
            .field("readonly", &self.readonly)
            .field("role", &self.role)
            .finish()
    }
}

/// Why a handshake failed.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HandshakeError {
    /// The password of the `default` user was refused.
    WrongPassword,
    /// The named user was refused: unknown, disabled or wrong password
    /// (the server answers all three alike, so this cannot say which).
    UserRejected {
        /// The user name that was sent.
        user: String,
    },
    /// A password was sent but the server has none configured.
    NoPasswordConfigured,
    /// The server requires authentication and no password was given.
    NoAuth,
    /// `SELECT` was refused (for example, an index out of range).
    Select(String),
    /// Any other error reply, with the step that got it.
    Server {
        /// The command that failed: `HELLO`, `AUTH` or `CLIENT SETNAME`.
        step: &'static str,
        /// The server's error line.
        message: String,
    },
    /// A reply of a shape the step does not allow.
    UnexpectedReply(&'static str),
    /// The server is not in the role asked for with
    /// [`HandshakeOptions::expect_role`].
    RoleMismatch {
        /// The role asked for.
        expected: Role,
        /// The role the server reported (`slave`, `master`, `sentinel`, ...).
        found: String,
    },
}

impl fmt::Display for HandshakeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HandshakeError::WrongPassword => {
                f.write_str("authentication failed: wrong password for the default user")
            }
            HandshakeError::UserRejected { user } => write!(
                f,
                "authentication failed for user '{user}': unknown user, disabled user or wrong password (the server does not say which)"
            ),
            HandshakeError::NoPasswordConfigured => f.write_str(
                "authentication failed: a password was given but the server has no password configured",
            ),
            HandshakeError::NoAuth => {
                f.write_str("the server requires authentication (NOAUTH) and no password was given")
            }
            HandshakeError::Select(message) => write!(f, "SELECT failed: {message}"),
            HandshakeError::Server { step, message } => write!(f, "{step} failed: {message}"),
            HandshakeError::UnexpectedReply(step) => write!(f, "unexpected reply to {step}"),
            HandshakeError::RoleMismatch { expected, found } => {
                write!(f, "the server is not a {expected}: its role is {found}")
            }
        }
    }
}

impl std::error::Error for HandshakeError {}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Hello,
    Auth,
    Select,
    SetName,
    ReadOnly,
    Role,
    /// `INFO replication`, where `ROLE` was refused.
    RoleInfo,
    Ping,
    Done,
}

/// The setup of one connection, one command at a time.
///
/// # Call order
///
/// Loop until [`is_done`](Handshake::is_done): [`poll_command`] appends the
/// next command to your output buffer (it answers `false` while a reply is
/// awaited, and once the handshake failed); write it, read one reply, pass
/// it to [`handle_reply`]. After that, [`protocol`](Handshake::protocol)
/// tells what was negotiated.
///
/// `HELLO 3` carries `AUTH` and `SETNAME` when RESP3 is asked for; if the
/// server does not know `HELLO` or refuses version 3, the handshake goes on
/// in RESP2 with `AUTH` and `CLIENT SETNAME`. With
/// [`ping_if_idle`](HandshakeOptions::ping_if_idle), a handshake with
/// nothing else to send sends `PING`. With
/// [`expect_role`](HandshakeOptions::expect_role), `ROLE` comes last (after
/// authentication, which it needs), falling back to `INFO replication` when
/// `ROLE` is refused or unknown.
///
/// Replies are judged strictly: `AUTH`, `SELECT` and `CLIENT SETNAME` must
/// answer `+OK`, `PING` `+PONG`, `HELLO` a map, `ROLE` an array naming a
/// role, `INFO` a text with a `role:` line; anything else means the
/// peer is not a Redis server or is out of step, and fails the handshake.
/// Errors are sticky: after one, every later call reports it again and no
/// command is produced.
///
/// [`poll_command`]: Handshake::poll_command
/// [`handle_reply`]: Handshake::handle_reply
///
/// # Example
///
/// ```
/// use resp_core::client::{Handshake, HandshakeOptions, Protocol};
/// use resp_core::Frame;
///
/// let options = HandshakeOptions::new().password("pw").db(2);
/// let mut handshake = Handshake::new(options);
/// let mut out = Vec::new();
/// assert!(handshake.poll_command(&mut out));
/// assert_eq!(out, b"*2\r\n$4\r\nAUTH\r\n$2\r\npw\r\n");
/// handshake.handle_reply(&Frame::simple(b"OK"))?;
/// out.clear();
/// assert!(handshake.poll_command(&mut out));
/// assert_eq!(out, b"*2\r\n$6\r\nSELECT\r\n$1\r\n2\r\n");
/// handshake.handle_reply(&Frame::simple(b"OK"))?;
/// assert!(handshake.is_done());
/// assert_eq!(handshake.protocol(), Protocol::Resp2);
/// # Ok::<(), resp_core::client::HandshakeError>(())
/// ```
#[derive(Debug, Clone)]
pub struct Handshake {
    options: HandshakeOptions,
    step: Step,
    awaiting: bool,
    protocol: Protocol,
    /// The name was set by `HELLO`.
    named: bool,
    /// Some step sent a command.
    sent_any: bool,
    failed: Option<HandshakeError>,
}

impl Handshake {
    /// Plans the handshake for `options`.
    pub fn new(options: HandshakeOptions) -> Self {
        let mut handshake = Handshake {
            step: Step::Hello,
            awaiting: false,
            protocol: Protocol::Resp2,
            named: false,
            sent_any: false,
            failed: None,
            options,
        };
        if handshake.options.protocol == Protocol::Resp2 {
            handshake.step = handshake.after(Step::Hello);
        }
        handshake
    }

    /// True when the connection is ready for commands.
    pub fn is_done(&self) -> bool {
        self.step == Step::Done && self.failed.is_none()
    }

    /// The failure, once the handshake failed.
    pub fn failure(&self) -> Option<&HandshakeError> {
        self.failed.as_ref()
    }

    /// The protocol in use once done.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The step after `step` that has something to do.
    fn after(&self, step: Step) -> Step {
        let o = &self.options;
        let order = [
            Step::Hello,
            Step::Auth,
            Step::Select,
            Step::SetName,
            Step::ReadOnly,
            Step::Role,
            Step::RoleInfo,
            Step::Ping,
            Step::Done,
        ];
        let from = order
            .iter()
            .position(|s| *s == step)
            .map_or(order.len(), |i| i + 1);
        order[from..]
            .iter()
            .copied()
            .find(|s| match s {
                Step::Hello => false,
                // HELLO authenticates when it succeeded with RESP3.
                Step::Auth => o.password.is_some() && self.protocol == Protocol::Resp2,
                Step::Select => o.db != 0,
                Step::SetName => o.client_name.is_some() && !self.named,
                Step::ReadOnly => o.readonly,
                Step::Role => o.role.is_some(),
                // Only after a refused ROLE, which jumps there itself.
                Step::RoleInfo => false,
                Step::Ping => o.ping && !self.sent_any,
                Step::Done => true,
            })
            .unwrap_or(Step::Done)
    }

    /// Appends the next command to `out`; `false` when a reply is awaited,
    /// the handshake is done, or it failed.
    pub fn poll_command(&mut self, out: &mut Vec<u8>) -> bool {
        if self.awaiting || self.step == Step::Done || self.failed.is_some() {
            return false;
        }
        let o = &self.options;
        let mut args: Vec<&dyn Arg> = Vec::with_capacity(8);
        let db;
        match self.step {
            Step::Hello => {
                args.extend([&"HELLO" as &dyn Arg, &"3"]);
                if let Some(password) = &o.password {
                    let user: &dyn Arg = match &o.user {
                        Some(user) => user,
                        None => &"default",
                    };
                    args.extend([&"AUTH" as &dyn Arg, user, password]);
                }
                if let Some(name) = &o.client_name {
                    args.extend([&"SETNAME" as &dyn Arg, name]);
                }
            }
            Step::Auth => {
                args.push(&"AUTH");
                if let Some(user) = &o.user {
                    args.push(user);
                }
                if let Some(password) = &o.password {
                    args.push(password);
                }
            }
            Step::Select => {
                db = o.db;
                args.extend([&"SELECT" as &dyn Arg, &db]);
            }
            Step::SetName => {
                if let Some(name) = &o.client_name {
                    args.extend([&"CLIENT" as &dyn Arg, &"SETNAME", name]);
                }
            }
            Step::ReadOnly => args.push(&"READONLY"),
            Step::Role => args.push(&"ROLE"),
            Step::RoleInfo => args.extend([&"INFO" as &dyn Arg, &"replication"]),
            Step::Ping => args.push(&"PING"),
            Step::Done => return false,
        }
        write_command(out, args);
        self.awaiting = true;
        self.sent_any = true;
        true
    }

    /// Judges the reply to the last command and moves on.
    ///
    /// # Errors
    ///
    /// Authentication, `SELECT` and other refusals, each its own variant;
    /// a reply of the wrong shape; a reply when none was awaited. The
    /// error is kept: later calls return it again.
    pub fn handle_reply(&mut self, reply: &Frame<'_>) -> Result<(), HandshakeError> {
        if let Some(failed) = &self.failed {
            return Err(failed.clone());
        }
        let result = self.judge(reply);
        if let Err(e) = &result {
            self.failed = Some(e.clone());
        }
        result
    }

    fn judge(&mut self, reply: &Frame<'_>) -> Result<(), HandshakeError> {
        if !self.awaiting {
            return Err(HandshakeError::UnexpectedReply("no command"));
        }
        self.awaiting = false;
        let reply = match reply {
            Frame::Attributed(a) => &a.frame,
            other => other,
        };
        let error = match reply {
            Frame::Error(e) | Frame::BulkError(e) => Some(String::from_utf8_lossy(e).into_owned()),
            _ => None,
        };
        let is_ok = matches!(reply, Frame::Simple(ok) if &**ok == b"OK");
        let step = self.step;
        match (step, error) {
            (Step::Hello, None) => {
                if !matches!(reply, Frame::Map(_) | Frame::Array(_)) {
                    return Err(HandshakeError::UnexpectedReply("HELLO"));
                }
                self.protocol = Protocol::Resp3;
                self.named = self.options.client_name.is_some();
            }
            (Step::Hello, Some(e)) if e.starts_with("NOPROTO") || is_unknown_command(&e) => {
                // An older server: carry on in RESP2.
                self.protocol = Protocol::Resp2;
            }
            (Step::Hello | Step::Auth, Some(e)) => return Err(self.auth_error(step, e)),
            (
                Step::Select
                | Step::SetName
                | Step::ReadOnly
                | Step::Role
                | Step::RoleInfo
                | Step::Ping,
                Some(e),
            ) if e.starts_with("NOAUTH") => return Err(HandshakeError::NoAuth),
            (Step::Role, Some(e)) if e.starts_with("NOPERM") || is_unknown_command(&e) => {
                // ROLE refused (an ACL, an old server): ask INFO instead.
                self.step = Step::RoleInfo;
                return Ok(());
            }
            (Step::Role | Step::RoleInfo, Some(e)) => {
                return Err(HandshakeError::Server {
                    step: if step == Step::Role { "ROLE" } else { "INFO" },
                    message: e,
                })
            }
            (Step::Role, None) => self.check_role(role_of_reply(reply), "ROLE")?,
            (Step::RoleInfo, None) => self.check_role(role_of_info(reply), "INFO")?,
            (Step::Select, Some(e)) => return Err(HandshakeError::Select(e)),
            (Step::SetName, Some(e)) => {
                return Err(HandshakeError::Server {
                    step: "CLIENT SETNAME",
                    message: e,
                })
            }
            (Step::Ping, Some(e)) => {
                return Err(HandshakeError::Server {
                    step: "PING",
                    message: e,
                })
            }
            (Step::ReadOnly, Some(e)) => {
                return Err(HandshakeError::Server {
                    step: "READONLY",
                    message: e,
                })
            }
            (Step::ReadOnly, None) if !is_ok => {
                return Err(HandshakeError::UnexpectedReply("READONLY"))
            }
            (Step::Auth, None) if !is_ok => return Err(HandshakeError::UnexpectedReply("AUTH")),
            (Step::Select, None) if !is_ok => {
                return Err(HandshakeError::UnexpectedReply("SELECT"))
            }
            (Step::SetName, None) if !is_ok => {
                return Err(HandshakeError::UnexpectedReply("CLIENT SETNAME"))
            }
            (Step::Ping, None) if !matches!(reply, Frame::Simple(p) if &**p == b"PONG") => {
                return Err(HandshakeError::UnexpectedReply("PING"))
            }
            (Step::Auth | Step::Select | Step::SetName | Step::ReadOnly | Step::Ping, None) => {}
            (Step::Done, _) => return Err(HandshakeError::UnexpectedReply("a finished handshake")),
        }
        self.step = self.after(step);
        Ok(())
    }

    /// Compares the role found with the one expected.
    fn check_role(&self, found: Option<&[u8]>, step: &'static str) -> Result<(), HandshakeError> {
        let found = found.ok_or(HandshakeError::UnexpectedReply(step))?;
        match self.options.role {
            Some(expected) if found != expected.as_str().as_bytes() => {
                Err(HandshakeError::RoleMismatch {
                    expected,
                    found: String::from_utf8_lossy(found).into_owned(),
                })
            }
            _ => Ok(()),
        }
    }

    fn auth_error(&self, step: Step, message: String) -> HandshakeError {
        if message.starts_with("WRONGPASS") {
            match &self.options.user {
                Some(user) => HandshakeError::UserRejected {
                    user: String::from_utf8_lossy(user).into_owned(),
                },
                None => HandshakeError::WrongPassword,
            }
        } else if message.starts_with("NOAUTH") {
            HandshakeError::NoAuth
        } else if message.contains("without any password configured") {
            HandshakeError::NoPasswordConfigured
        } else {
            HandshakeError::Server {
                step: if step == Step::Hello { "HELLO" } else { "AUTH" },
                message,
            }
        }
    }
}

/// The role named by a `ROLE` reply: its first element.
///
/// ```
/// use resp_core::client::role_of_reply;
/// use resp_core::Frame;
///
/// let reply = Frame::Array(vec![Frame::bulk(b"slave"), Frame::bulk(b"10.0.0.1"), Frame::Integer(6379)]);
/// assert_eq!(role_of_reply(&reply), Some(&b"slave"[..]));
/// assert_eq!(role_of_reply(&Frame::Integer(1)), None);
/// ```
pub fn role_of_reply<'f>(reply: &'f Frame<'_>) -> Option<&'f [u8]> {
    match reply {
        Frame::Array(items) | Frame::Push(items) => items.first()?.as_bytes(),
        Frame::Attributed(a) => role_of_reply(&a.frame),
        _ => None,
    }
}

/// The role in an `INFO replication` reply: its `role:` line.
fn role_of_info<'f>(reply: &'f Frame<'_>) -> Option<&'f [u8]> {
    let text = match reply {
        Frame::Attributed(a) => return role_of_info(&a.frame),
        other => other.as_bytes()?,
    };
    text.split(|b| *b == b'\n')
        .find_map(|line| line.strip_prefix(b"role:"))
        .map(|role| role.strip_suffix(b"\r").unwrap_or(role))
}

fn is_unknown_command(message: &str) -> bool {
    message.starts_with("ERR unknown command")
        || message.starts_with("ERR unknown or disabled command")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(
        options: HandshakeOptions,
        replies: &[Frame<'_>],
    ) -> (Vec<String>, Result<Protocol, HandshakeError>) {
        let mut handshake = Handshake::new(options);
        let mut sent = Vec::new();
        let mut replies = replies.iter();
        while !handshake.is_done() {
            let mut out = Vec::new();
            assert!(handshake.poll_command(&mut out));
            assert!(!handshake.poll_command(&mut out), "one command at a time");
            sent.push(String::from_utf8(out).unwrap().replace("\r\n", " "));
            let reply = replies.next().expect("a reply for each command");
            if let Err(e) = handshake.handle_reply(reply) {
                return (sent, Err(e));
            }
        }
        (sent, Ok(handshake.protocol()))
    }

    fn ok() -> Frame<'static> {
        Frame::simple(b"OK")
    }

    #[test]
    fn nothing_to_do() {
        let (sent, result) = run(HandshakeOptions::default(), &[]);
        assert!(sent.is_empty());
        assert_eq!(result, Ok(Protocol::Resp2));
    }

    #[test]
    fn resp3_with_everything() {
        let options = HandshakeOptions::new()
            .protocol(Protocol::Resp3)
            .user("alice")
            .password("pw")
            .db(3)
            .client_name("app");
        let (sent, result) = run(options, &[Frame::Map(vec![]), ok()]);
        assert_eq!(
            sent,
            [
                "*7 $5 HELLO $1 3 $4 AUTH $5 alice $2 pw $7 SETNAME $3 app ",
                "*2 $6 SELECT $1 3 "
            ]
        );
        assert_eq!(result, Ok(Protocol::Resp3));
    }

    #[test]
    fn resp3_falls_back() {
        let options = HandshakeOptions::new()
            .protocol(Protocol::Resp3)
            .password("pw")
            .client_name("app");
        let unknown = Frame::error(b"ERR unknown command 'HELLO', with args beginning with: '3'");
        let (sent, result) = run(options.clone(), &[unknown, ok(), ok()]);
        assert_eq!(sent.len(), 3);
        assert_eq!(sent[1], "*2 $4 AUTH $2 pw ");
        assert_eq!(sent[2], "*3 $6 CLIENT $7 SETNAME $3 app ");
        assert_eq!(result, Ok(Protocol::Resp2));
        let noproto = Frame::error(b"NOPROTO unsupported protocol version");
        assert_eq!(run(options, &[noproto, ok(), ok()]).1, Ok(Protocol::Resp2));
    }

    #[test]
    fn auth_errors_are_distinct() {
        let wrongpass =
            Frame::error(b"WRONGPASS invalid username-password pair or user is disabled.");
        let pw = HandshakeOptions::new().password("pw");
        assert_eq!(
            run(pw.clone(), std::slice::from_ref(&wrongpass)).1,
            Err(HandshakeError::WrongPassword)
        );
        let user = pw.clone().user("bob");
        assert_eq!(
            run(user, &[wrongpass]).1,
            Err(HandshakeError::UserRejected { user: "bob".into() })
        );
        let none = Frame::error(b"ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?");
        assert_eq!(
            run(pw, &[none]).1,
            Err(HandshakeError::NoPasswordConfigured)
        );
        let noauth = Frame::error(b"NOAUTH Authentication required.");
        let select = HandshakeOptions::new().db(1);
        assert_eq!(run(select, &[noauth]).1, Err(HandshakeError::NoAuth));
    }

    #[test]
    fn readonly_for_cluster_replicas() {
        let options = HandshakeOptions::new().password("pw").readonly(true);
        let (sent, result) = run(options, &[ok(), ok()]);
        assert_eq!(sent, ["*2 $4 AUTH $2 pw ", "*1 $8 READONLY "]);
        assert_eq!(result, Ok(Protocol::Resp2));
        let refused = Frame::error(b"ERR This instance has cluster support disabled");
        let (_, result) = run(HandshakeOptions::new().readonly(true), &[refused]);
        assert!(matches!(
            result,
            Err(HandshakeError::Server {
                step: "READONLY",
                ..
            })
        ));
    }

    #[test]
    fn errors_are_sticky() {
        let mut handshake = Handshake::new(HandshakeOptions::new().password("pw"));
        let mut out = Vec::new();
        assert!(handshake.poll_command(&mut out));
        let wrongpass = Frame::error(b"WRONGPASS invalid username-password pair");
        assert_eq!(
            handshake.handle_reply(&wrongpass),
            Err(HandshakeError::WrongPassword)
        );
        // No AUTH again, and an +OK now does not make it succeed.
        assert!(!handshake.poll_command(&mut out));
        assert_eq!(
            handshake.handle_reply(&ok()),
            Err(HandshakeError::WrongPassword)
        );
        assert!(!handshake.is_done());
        assert_eq!(handshake.failure(), Some(&HandshakeError::WrongPassword));
    }

    #[test]
    fn replies_are_judged_strictly() {
        let pw = HandshakeOptions::new().password("pw");
        let stray = Frame::simple(b"HELLO");
        assert_eq!(
            run(pw, std::slice::from_ref(&stray)).1,
            Err(HandshakeError::UnexpectedReply("AUTH"))
        );
        let ping = HandshakeOptions::new().ping_if_idle(true);
        let (sent, result) = run(ping.clone(), &[Frame::simple(b"PONG")]);
        assert_eq!(
            (sent, result),
            (vec!["*1 $4 PING ".to_owned()], Ok(Protocol::Resp2))
        );
        assert_eq!(
            run(ping.clone(), &[stray]).1,
            Err(HandshakeError::UnexpectedReply("PING"))
        );
        assert_eq!(
            run(
                ping.clone(),
                &[Frame::error(b"NOAUTH Authentication required.")]
            )
            .1,
            Err(HandshakeError::NoAuth)
        );
        // PING only when nothing else is sent.
        let (sent, _) = run(ping.db(1), &[ok()]);
        assert_eq!(sent.len(), 1);
        let hello = HandshakeOptions::new().protocol(Protocol::Resp3);
        assert_eq!(
            run(hello, &[Frame::simple(b"OK")]).1,
            Err(HandshakeError::UnexpectedReply("HELLO"))
        );
    }

    fn role(words: &[&'static [u8]]) -> Frame<'static> {
        Frame::Array(words.iter().map(|w| Frame::bulk(w)).collect())
    }

    #[test]
    fn role_is_checked_last() {
        let master = HandshakeOptions::new()
            .password("pw")
            .ping_if_idle(true)
            .expect_role(Some(Role::Master));
        let reply = role(&[b"master", b"0"]);
        let (sent, result) = run(master.clone(), &[ok(), reply]);
        assert_eq!(sent, ["*2 $4 AUTH $2 pw ", "*1 $4 ROLE "]);
        assert_eq!(result, Ok(Protocol::Resp2));
        // A demoted master, a sentinel's answer that is stale.
        let replica = role(&[b"slave", b"127.0.0.1", b"6380", b"connected", b"0"]);
        assert_eq!(
            run(master.clone(), &[ok(), replica.clone()]).1,
            Err(HandshakeError::RoleMismatch {
                expected: Role::Master,
                found: "slave".into()
            })
        );
        let wants_replica = HandshakeOptions::new().expect_role(Some(Role::Replica));
        assert_eq!(
            run(wants_replica.clone(), &[replica]).1,
            Ok(Protocol::Resp2)
        );
        let sentinel = role(&[b"sentinel"]);
        let e = run(wants_replica, &[sentinel]).1.unwrap_err();
        assert_eq!(
            e.to_string(),
            "the server is not a replica: its role is sentinel"
        );
        // RESP3: ROLE after HELLO.
        let resp3 = master.protocol(Protocol::Resp3);
        let (sent, result) = run(resp3, &[Frame::Map(vec![]), role(&[b"master"])]);
        assert_eq!(sent[1], "*1 $4 ROLE ");
        assert_eq!(result, Ok(Protocol::Resp3));
    }

    #[test]
    fn role_falls_back_to_info_when_refused() {
        let options = HandshakeOptions::new().expect_role(Some(Role::Master));
        let noperm = Frame::error(b"NOPERM this user has no permissions to run the 'role' command");
        let info = Frame::bulk(b"# Replication\r\nrole:master\r\nconnected_slaves:0\r\n");
        let (sent, result) = run(options.clone(), &[noperm.clone(), info]);
        assert_eq!(sent, ["*1 $4 ROLE ", "*2 $4 INFO $11 replication "]);
        assert_eq!(result, Ok(Protocol::Resp2));
        let info = Frame::bulk(b"# Replication\r\nrole:slave\r\n");
        assert_eq!(
            run(options.clone(), &[noperm.clone(), info]).1,
            Err(HandshakeError::RoleMismatch {
                expected: Role::Master,
                found: "slave".into()
            })
        );
        // Anything else is not a server in any role.
        assert_eq!(
            run(options.clone(), &[noperm, Frame::bulk(b"no role here")]).1,
            Err(HandshakeError::UnexpectedReply("INFO"))
        );
        assert_eq!(
            run(options.clone(), &[Frame::Integer(3)]).1,
            Err(HandshakeError::UnexpectedReply("ROLE"))
        );
        let other = Frame::error(b"ERR something else");
        assert!(matches!(
            run(options.clone(), &[other]).1,
            Err(HandshakeError::Server { step: "ROLE", .. })
        ));
        let noauth = Frame::error(b"NOAUTH Authentication required.");
        assert_eq!(run(options, &[noauth]).1, Err(HandshakeError::NoAuth));
    }

    #[test]
    fn password_never_in_debug() {
        let options = HandshakeOptions::new().password("hunter2");
        let shown = format!("{:?}", Handshake::new(options));
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
