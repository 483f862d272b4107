//! How the sentinels' answers read.

use std::fmt;

use crate::client::valid_host;
use crate::Frame;

/// A server's address as a sentinel reports it: a host (a name, an IPv4
/// or a bare IPv6 address) and a port.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Endpoint {
    /// The host, without brackets.
    pub host: String,
    /// The port, never 0.
    pub port: u16,
}

impl Endpoint {
    /// Checks a host and a port as a sentinel writes them; `None` for an
    /// empty or malformed host, or a port that is not 1 to 65535.
    ///
    /// ```
    /// use resp_core::sentinel::Endpoint;
    ///
    /// assert_eq!(Endpoint::parse(b"::1", b"26379").unwrap().to_string(), "[::1]:26379");
    /// assert!(Endpoint::parse(b"10.0.0.1", b"0").is_none());
    /// assert!(Endpoint::parse(b"a b", b"1").is_none());
    /// ```
    pub fn parse(host: &[u8], port: &[u8]) -> Option<Endpoint> {
        let host = std::str::from_utf8(host).ok()?;
        let host = valid_host(host).filter(|h| !h.is_empty())?;
        let port = std::str::from_utf8(port).ok()?;
        if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let port: u16 = port.parse().ok().filter(|p| *p > 0)?;
        Some(Endpoint {
            host: host.to_owned(),
            port,
        })
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// Why a sentinel's answer is not one.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReplyError {
    /// An error reply (`-NOAUTH`, `-ERR No such master with that name`,
    /// ...), as the sentinel wrote it.
    Refused(String),
    /// A reply of another shape than the question allows.
    Malformed(&'static str),
}

impl fmt::Display for ReplyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplyError::Refused(line) => write!(f, "refused: {line}"),
            ReplyError::Malformed(what) => write!(f, "malformed reply: {what}"),
        }
    }
}

impl std::error::Error for ReplyError {}

fn strip<'f, 'a>(reply: &'f Frame<'a>) -> &'f Frame<'a> {
    match reply {
        Frame::Attributed(a) => strip(&a.frame),
        other => other,
    }
}

fn refused(reply: &Frame<'_>) -> Option<ReplyError> {
    match reply {
        Frame::Error(line) | Frame::BulkError(line) => Some(ReplyError::Refused(
            String::from_utf8_lossy(line).into_owned(),
        )),
        _ => None,
    }
}

/// Reads the reply to `SENTINEL get-master-addr-by-name`: the master's
/// address, or `None` when the sentinel does not know the name.
///
/// # Errors
///
/// The sentinel's error reply, or a reply that is not `[host, port]`.
///
/// ```
/// use resp_core::sentinel::master_addr_reply;
/// use resp_core::Frame;
///
/// let reply = Frame::Array(vec![Frame::bulk(b"10.0.0.2"), Frame::bulk(b"6380")]);
/// assert_eq!(master_addr_reply(&reply).unwrap().unwrap().port, 6380);
/// assert_eq!(master_addr_reply(&Frame::NullArray).unwrap(), None);
/// assert!(master_addr_reply(&Frame::Array(vec![Frame::bulk(b"h")])).is_err());
/// ```
pub fn master_addr_reply(reply: &Frame<'_>) -> Result<Option<Endpoint>, ReplyError> {
    let reply = strip(reply);
    if let Some(e) = refused(reply) {
        return Err(e);
    }
    match reply {
        r if r.is_null() => Ok(None),
        Frame::Array(items) => match &items[..] {
            [] => Ok(None),
            [host, port] => {
                let (Some(host), Some(port)) = (host.as_bytes(), port.as_bytes()) else {
                    return Err(ReplyError::Malformed("the address is not two strings"));
                };
                Endpoint::parse(host, port)
                    .map(Some)
                    .ok_or(ReplyError::Malformed("not a valid host and port"))
            }
            _ => Err(ReplyError::Malformed("not a [host, port] pair")),
        },
        _ => Err(ReplyError::Malformed("not an array")),
    }
}

/// The fields of one entry of `SENTINEL sentinels` or `SENTINEL replicas`:
/// a flat `[key, value, ...]` array (RESP2) or a map (RESP3).
fn fields<'f>(entry: &'f Frame<'_>) -> Option<Vec<(&'f [u8], &'f [u8])>> {
    match strip(entry) {
        Frame::Array(items) => {
            if items.len() % 2 != 0 {
                return None;
            }
            items
                .chunks(2)
                .map(|pair| Some((pair[0].as_bytes()?, pair[1].as_bytes()?)))
                .collect()
        }
        Frame::Map(pairs) => pairs
            .iter()
            .map(|(k, v)| Some((k.as_bytes()?, v.as_bytes()?)))
            .collect(),
        _ => None,
    }
}

fn field<'f>(fields: &[(&'f [u8], &'f [u8])], name: &str) -> Option<&'f [u8]> {
    fields
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name.as_bytes()))
        .map(|(_, v)| *v)
}

fn entries<'f, 'a>(reply: &'f Frame<'a>) -> Result<&'f [Frame<'a>], ReplyError> {
    let reply = strip(reply);
    if let Some(e) = refused(reply) {
        return Err(e);
    }
    match reply {
        Frame::Array(items) | Frame::Set(items) => Ok(&items[..]),
        r if r.is_null() => Ok(&[]),
        _ => Err(ReplyError::Malformed("not an array of entries")),
    }
}

fn endpoint_of(fields: &[(&[u8], &[u8])]) -> Option<Endpoint> {
    Endpoint::parse(field(fields, "ip")?, field(fields, "port")?)
}

/// Reads the reply to `SENTINEL sentinels <name>`: the other sentinels'
/// addresses. Entries without a valid `ip` and `port` are left out.
///
/// # Errors
///
/// The sentinel's error reply, or a reply that is not an array.
///
/// ```
/// use resp_core::sentinel::sentinels_reply;
/// use resp_core::Frame;
///
/// let entry = Frame::Array(vec![
///     Frame::bulk(b"name"), Frame::bulk(b"abc"),
///     Frame::bulk(b"ip"), Frame::bulk(b"10.0.0.3"),
///     Frame::bulk(b"port"), Frame::bulk(b"26379"),
/// ]);
/// let found = sentinels_reply(&Frame::Array(vec![entry])).unwrap();
/// assert_eq!(found[0].to_string(), "10.0.0.3:26379");
/// ```
pub fn sentinels_reply(reply: &Frame<'_>) -> Result<Vec<Endpoint>, ReplyError> {
    Ok(entries(reply)?
        .iter()
        .filter_map(|entry| endpoint_of(&fields(entry)?))
        .collect())
}

/// One replica as `SENTINEL replicas` describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaInfo {
    /// Its address.
    pub addr: Endpoint,
    /// Its flags (`slave`, `s_down`, `o_down`, `disconnected`, ...).
    pub flags: Vec<String>,
    /// Its `master-link-status`, as reported (`ok` or `err`).
    pub master_link_status: String,
}

impl ReplicaInfo {
    /// True when the replica is fit to read from: not down in the
    /// sentinel's eyes (`s_down`, `o_down`), not `disconnected`, and its
    /// link to the master `ok`.
    ///
    /// ```
    /// use resp_core::sentinel::{Endpoint, ReplicaInfo};
    ///
    /// let mut replica = ReplicaInfo {
    ///     addr: Endpoint { host: "10.0.0.4".into(), port: 6379 },
    ///     flags: vec!["slave".into()],
    ///     master_link_status: "ok".into(),
    /// };
    /// assert!(replica.is_healthy());
    /// replica.flags.push("s_down".into());
    /// assert!(!replica.is_healthy());
    /// ```
    pub fn is_healthy(&self) -> bool {
        let down = self
            .flags
            .iter()
            .any(|f| matches!(f.as_str(), "s_down" | "o_down" | "disconnected"));
        !down && self.master_link_status == "ok"
    }
}

/// Reads the reply to `SENTINEL replicas <name>`. Entries without a valid
/// `ip` and `port` are left out.
///
/// # Errors
///
/// The sentinel's error reply (an unknown master is
/// `-ERR No such master with that name`), or a reply that is not an array.
pub fn replicas_reply(reply: &Frame<'_>) -> Result<Vec<ReplicaInfo>, ReplyError> {
    Ok(entries(reply)?
        .iter()
        .filter_map(|entry| {
            let fields = fields(entry)?;
            let text =
                |name| String::from_utf8_lossy(field(&fields, name).unwrap_or(b"")).into_owned();
            Some(ReplicaInfo {
                addr: endpoint_of(&fields)?,
                flags: text("flags")
                    .split(',')
                    .filter(|f| !f.is_empty())
                    .map(str::to_owned)
                    .collect(),
                master_link_status: text("master-link-status"),
            })
        })
        .collect())
}

/// A `+switch-master` message: `<name> <old ip> <old port> <new ip> <new port>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwitchMaster {
    /// The master's name.
    pub name: String,
    /// Where it was.
    pub old: Endpoint,
    /// Where it is now.
    pub new: Endpoint,
}

impl SwitchMaster {
    /// Parses the message's payload; `None` if it is not one.
    ///
    /// ```
    /// use resp_core::sentinel::SwitchMaster;
    ///
    /// let m = SwitchMaster::parse(b"mymaster 127.0.0.1 6379 127.0.0.1 6380").unwrap();
    /// assert_eq!((m.name.as_str(), m.new.port), ("mymaster", 6380));
    /// assert!(SwitchMaster::parse(b"mymaster 127.0.0.1 6379").is_none());
    /// ```
    pub fn parse(payload: &[u8]) -> Option<SwitchMaster> {
        let mut words = payload.rsplitn(5, |b| *b == b' ');
        let new_port = words.next()?;
        let new_host = words.next()?;
        let old_port = words.next()?;
        let old_host = words.next()?;
        let name = std::str::from_utf8(words.next()?).ok()?;
        if name.is_empty() {
            return None;
        }
        Some(SwitchMaster {
            name: name.to_owned(),
            old: Endpoint::parse(old_host, old_port)?,
            new: Endpoint::parse(new_host, new_port)?,
        })
    }
}
