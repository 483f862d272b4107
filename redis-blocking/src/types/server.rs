//! Typed replies of server commands: `SLOWLOG GET` and `ROLE`.

use resp_core::Frame;

use super::from_reply::FromReply;
use super::shape::{items, mismatch};
use crate::error::Result;

/// One entry of `SLOWLOG GET`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SlowlogEntry {
    /// Its unique, increasing ID.
    pub id: u64,
    /// When the command ran, in Unix seconds.
    pub time: u64,
    /// How long it ran, in microseconds.
    pub duration_us: u64,
    /// The command and its arguments (the server shortens long ones), as
    /// text with invalid UTF-8 replaced.
    pub args: Vec<String>,
    /// The client's address (Redis 4).
    pub client_addr: String,
    /// The client's name, empty if none (Redis 4).
    pub client_name: String,
}

impl FromReply for SlowlogEntry {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        let mut parts = items(frame, "a slow log entry")?.into_iter();
        let mut next = || parts.next().unwrap_or(Frame::Null);
        Ok(SlowlogEntry {
            id: u64::from_reply(next())?,
            time: u64::from_reply(next())?,
            duration_us: u64::from_reply(next())?,
            args: Vec::<Vec<u8>>::from_reply(next())?
                .iter()
                .map(|a| String::from_utf8_lossy(a).into_owned())
                .collect(),
            client_addr: Option::<String>::from_reply(next())?.unwrap_or_default(),
            client_name: Option::<String>::from_reply(next())?.unwrap_or_default(),
        })
    }
}

/// A replica as its primary's `ROLE` lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReplicaOffset {
    /// The replica's IP address.
    pub ip: String,
    /// Its port.
    pub port: u16,
    /// The replication offset it acknowledged.
    pub offset: u64,
}

/// The reply of `ROLE`: what this server is in replication.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Role {
    /// A primary (`master`), with its replication offset and replicas.
    Primary {
        /// The primary's replication offset.
        offset: u64,
        /// Its connected replicas.
        replicas: Vec<ReplicaOffset>,
    },
    /// A replica (`slave`) of a primary.
    Replica {
        /// The primary's IP address.
        primary_ip: String,
        /// The primary's port.
        primary_port: u16,
        /// The link's state: `connect`, `connecting`, `sync`, `connected`.
        state: String,
        /// The data received so far, as a replication offset (-1 before
        /// the first sync).
        offset: i64,
    },
    /// A sentinel, with the names of the primaries it monitors.
    Sentinel {
        /// The monitored primaries' names.
        primaries: Vec<String>,
    },
}

impl FromReply for Role {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        let mut parts = items(frame, "a ROLE reply")?.into_iter();
        let mut next = || parts.next().unwrap_or(Frame::Null);
        let kind = next();
        match String::from_reply(kind.clone())?.as_str() {
            "master" => Ok(Role::Primary {
                offset: u64::from_reply(next())?,
                replicas: Vec::<(String, u16, u64)>::from_reply(next())?
                    .into_iter()
                    .map(|(ip, port, offset)| ReplicaOffset { ip, port, offset })
                    .collect(),
            }),
            "slave" => Ok(Role::Replica {
                primary_ip: String::from_reply(next())?,
                primary_port: u16::from_reply(next())?,
                state: String::from_reply(next())?,
                offset: i64::from_reply(next())?,
            }),
            "sentinel" => Ok(Role::Sentinel {
                primaries: Vec::from_reply(next())?,
            }),
            _ => mismatch("master, slave or sentinel", &kind),
        }
    }
}
