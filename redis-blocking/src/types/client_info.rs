//! `CLIENT INFO` and `CLIENT LIST`: one line of `name=value` fields per
//! connection.

use std::borrow::Cow;

use resp_core::Frame;

use super::from_reply::FromReply;
use crate::error::{Error, Result};

/// One connection as `CLIENT INFO` and `CLIENT LIST` describe it.
///
/// The common fields are typed; every field, those of later Redis versions
/// included, is kept in [`fields`](ClientInfo::fields). `CLIENT LIST`
/// converts to `Vec<ClientInfo>`.
///
/// # Example
///
/// ```
/// use redis_blocking::{ClientInfo, FromReply};
/// use resp_core::Frame;
///
/// let line = "id=7 addr=127.0.0.1:5000 laddr=127.0.0.1:6379 fd=8 name=worker age=3 idle=0 flags=N db=2 sub=0 psub=0 ssub=0 multi=-1 cmd=client|info user=default redir=-1 resp=3\n";
/// let info = ClientInfo::from_reply(Frame::bulk(line.as_bytes()))?;
/// assert_eq!((info.id, info.name.as_str(), info.db, info.resp), (7, "worker", 2, 3));
/// assert_eq!(info.get("laddr"), Some("127.0.0.1:6379"));
/// # Ok::<(), redis_blocking::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ClientInfo {
    /// The connection's unique ID (`id`).
    pub id: u64,
    /// The client's address, `ip:port` (`addr`).
    pub addr: String,
    /// The name set with `CLIENT SETNAME`, empty if none (`name`).
    pub name: String,
    /// Seconds since the connection was opened (`age`).
    pub age: u64,
    /// Seconds since its last command (`idle`).
    pub idle: u64,
    /// Its flags, one letter each (`flags`; `N` for none).
    pub flags: String,
    /// The selected database (`db`).
    pub db: u32,
    /// Channel subscriptions (`sub`).
    pub sub: u64,
    /// Pattern subscriptions (`psub`).
    pub psub: u64,
    /// Commands queued in a transaction, -1 outside one (`multi`).
    pub multi: i64,
    /// The last command run (`cmd`).
    pub cmd: String,
    /// The ACL user (`user`; Redis 6).
    pub user: String,
    /// The protocol version, 2 or 3 (`resp`; Redis 7).
    pub resp: u8,
    /// Every field in the order given, as text.
    pub fields: Vec<(String, String)>,
}

impl ClientInfo {
    /// The value of field `name`, as text.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// Parses one line of `name=value` fields.
    ///
    /// # Errors
    ///
    /// [`TypeMismatch`](crate::ErrorKind::TypeMismatch) for a field
    /// without `=` or a typed field that is not a number.
    pub fn parse(line: &str) -> Result<ClientInfo> {
        let mut info = ClientInfo::default();
        for field in line.split_ascii_whitespace() {
            let Some((name, value)) = field.split_once('=') else {
                return Err(Error::type_mismatch(format!(
                    "expected name=value in a client description, got \"{}\"",
                    field.escape_debug()
                )));
            };
            let number = |what: &str| {
                Error::type_mismatch(format!("client field {what}: not a number: \"{value}\""))
            };
            match name {
                "id" => info.id = value.parse().map_err(|_| number(name))?,
                "age" => info.age = value.parse().map_err(|_| number(name))?,
                "idle" => info.idle = value.parse().map_err(|_| number(name))?,
                "db" => info.db = value.parse().map_err(|_| number(name))?,
                "sub" => info.sub = value.parse().map_err(|_| number(name))?,
                "psub" => info.psub = value.parse().map_err(|_| number(name))?,
                "multi" => info.multi = value.parse().map_err(|_| number(name))?,
                "resp" => info.resp = value.parse().map_err(|_| number(name))?,
                "addr" => info.addr = value.to_owned(),
                "name" => info.name = value.to_owned(),
                "flags" => info.flags = value.to_owned(),
                "cmd" => info.cmd = value.to_owned(),
                "user" => info.user = value.to_owned(),
                _ => {}
            }
            info.fields.push((name.to_owned(), value.to_owned()));
        }
        Ok(info)
    }
}

fn text(bytes: &[u8]) -> Result<&str> {
    std::str::from_utf8(bytes)
        .map_err(|_| Error::type_mismatch("expected a client description, got invalid UTF-8"))
}

impl FromReply for ClientInfo {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        ClientInfo::parse(&String::from_reply(frame)?)
    }

    /// `CLIENT LIST`: one connection per line.
    fn from_byte_string(bytes: Cow<'_, [u8]>) -> Option<Vec<Self>> {
        let text = text(&bytes).ok()?;
        text.lines()
            .filter(|line| !line.trim().is_empty())
            .map(|line| ClientInfo::parse(line).ok())
            .collect()
    }
}
