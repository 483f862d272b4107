//! Options of the server, connection and scripting commands: `CLIENT
//! KILL` and `CLIENT LIST` filters, `COMMAND LIST` filters, `FUNCTION
//! RESTORE` policies.

use crate::cmd::ArgSink;
use crate::{ToArg, ToArgs};

/// A kind of client connection, for `CLIENT LIST TYPE` and `CLIENT KILL
/// TYPE`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientKind {
    /// `normal`: regular clients.
    Normal,
    /// `master`: the connection to this replica's primary.
    Master,
    /// `replica`: replicas of this server.
    Replica,
    /// `pubsub`: subscribed clients.
    PubSub,
}

impl<'a> ToArg<'a> for ClientKind {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        out.push(match self {
            ClientKind::Normal => b"normal",
            ClientKind::Master => b"master",
            ClientKind::Replica => b"replica",
            ClientKind::PubSub => b"pubsub",
        })
    }
}

/// The filters of `CLIENT LIST`: `TYPE` or `ID` (Redis accepts one of
/// the two).
///
/// # Example
///
/// ```
/// use redis_blocking::commands::ClientListOptions;
/// use redis_blocking::Cmd;
///
/// let cmd = Cmd::new("CLIENT").arg("LIST").arg(ClientListOptions::default().ids([4, 9]));
/// let args: Vec<&[u8]> = cmd.args().collect();
/// assert_eq!(args, [&b"CLIENT"[..], b"LIST", b"ID", b"4", b"9"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientListOptions {
    kind: Option<ClientKind>,
    ids: Vec<u64>,
}

impl ClientListOptions {
    /// `TYPE kind`: only clients of this kind.
    pub fn kind(mut self, kind: ClientKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// `ID id...`: only these clients.
    pub fn ids(mut self, ids: impl IntoIterator<Item = u64>) -> Self {
        self.ids = ids.into_iter().collect();
        self
    }
}

impl<'a> ToArgs<'a> for ClientListOptions {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        if let Some(kind) = self.kind {
            out.push(b"TYPE");
            kind.write_arg(out);
        }
        if !self.ids.is_empty() {
            out.push(b"ID");
            self.ids.iter().for_each(|id| id.write_arg(out));
        }
    }
}

/// The filters of `CLIENT KILL`: every client matching all of them is
/// disconnected. With no filter at all the server refuses the command.
///
/// # Example
///
/// ```
/// use redis_blocking::commands::{ClientKill, ClientKind};
/// use redis_blocking::Cmd;
///
/// let kill = ClientKill::default().kind(ClientKind::Normal).user("batch").skip_me(true);
/// let cmd = Cmd::new("CLIENT").arg("KILL").arg(kill);
/// let args: Vec<&[u8]> = cmd.args().collect();
/// assert_eq!(args, [&b"CLIENT"[..], b"KILL", b"TYPE", b"normal", b"USER", b"batch", b"SKIPME", b"yes"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ClientKill {
    id: Option<u64>,
    kind: Option<ClientKind>,
    user: Option<String>,
    addr: Option<String>,
    laddr: Option<String>,
    skip_me: Option<bool>,
}

impl ClientKill {
    /// `ID id`.
    pub fn id(mut self, id: u64) -> Self {
        self.id = Some(id);
        self
    }

    /// `TYPE kind`.
    pub fn kind(mut self, kind: ClientKind) -> Self {
        self.kind = Some(kind);
        self
    }

    /// `USER username`.
    pub fn user(mut self, user: impl Into<String>) -> Self {
        self.user = Some(user.into());
        self
    }

    /// `ADDR ip:port`: the client's address.
    pub fn addr(mut self, addr: impl Into<String>) -> Self {
        self.addr = Some(addr.into());
        self
    }

    /// `LADDR ip:port`: the server-side address of the connection.
    pub fn laddr(mut self, laddr: impl Into<String>) -> Self {
        self.laddr = Some(laddr.into());
        self
    }

    /// `SKIPME yes|no`: whether the calling connection is spared (yes by
    /// default).
    pub fn skip_me(mut self, skip: bool) -> Self {
        self.skip_me = Some(skip);
        self
    }
}

impl<'a> ToArgs<'a> for ClientKill {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        if let Some(id) = self.id {
            out.push(b"ID");
            id.write_arg(out);
        }
        if let Some(kind) = self.kind {
            out.push(b"TYPE");
            kind.write_arg(out);
        }
        for (word, value) in [
            (&b"USER"[..], &self.user),
            (b"ADDR", &self.addr),
            (b"LADDR", &self.laddr),
        ] {
            if let Some(value) = value {
                out.push(word);
                out.push(value.as_bytes());
            }
        }
        if let Some(skip) = self.skip_me {
            out.push(b"SKIPME");
            out.push(if skip { b"yes" } else { b"no" });
        }
    }
}

/// A filter for `COMMAND LIST FILTERBY`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CommandFilter {
    /// `MODULE name`: the commands of a module.
    Module(String),
    /// `ACLCAT category`: the commands of an ACL category (`"geo"`, ...).
    AclCategory(String),
    /// `PATTERN glob`: the commands whose name matches.
    Pattern(String),
}

impl<'a> ToArgs<'a> for CommandFilter {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        out.push(b"FILTERBY");
        let (word, value): (&[u8], &String) = match self {
            CommandFilter::Module(v) => (b"MODULE", v),
            CommandFilter::AclCategory(v) => (b"ACLCAT", v),
            CommandFilter::Pattern(v) => (b"PATTERN", v),
        };
        out.push(word);
        out.push(value.as_bytes());
    }
}

/// What `FUNCTION RESTORE` does with the libraries already loaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestorePolicy {
    /// `APPEND` (the default): add the payload's libraries; a name clash
    /// is an error.
    Append,
    /// `REPLACE`: the payload's libraries replace those of the same name.
    Replace,
    /// `FLUSH`: delete every library first.
    Flush,
}

impl<'a> ToArg<'a> for RestorePolicy {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        out.push(match self {
            RestorePolicy::Append => b"APPEND",
            RestorePolicy::Replace => b"REPLACE",
            RestorePolicy::Flush => b"FLUSH",
        })
    }
}
