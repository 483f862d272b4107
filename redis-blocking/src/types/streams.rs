//! Typed replies of the stream commands.

use resp_core::Frame;

use super::from_reply::FromReply;
use super::shape::{fields, items, take};
use crate::error::Result;

/// One stream entry: its ID and field-value pairs, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StreamEntry {
    /// The entry ID, `<milliseconds>-<sequence>`.
    pub id: String,
    /// Field-value pairs as stored (empty for an entry deleted since it was
    /// delivered).
    pub fields: Vec<(Vec<u8>, Vec<u8>)>,
}

impl StreamEntry {
    /// The value of `field`, if present.
    pub fn get(&self, field: &str) -> Option<&[u8]> {
        self.fields
            .iter()
            .find(|(f, _)| f == field.as_bytes())
            .map(|(_, v)| &v[..])
    }

    /// The value of `field` as text, if present and UTF-8.
    pub fn get_str(&self, field: &str) -> Option<&str> {
        self.get(field).and_then(|v| std::str::from_utf8(v).ok())
    }
}

impl FromReply for StreamEntry {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        let mut parts = items(frame, "a stream entry")?.into_iter();
        let id = String::from_reply(parts.next().unwrap_or(Frame::Null))?;
        let fields = match parts.next() {
            None => Vec::new(),
            Some(f) => Vec::<(Vec<u8>, Vec<u8>)>::from_reply(f)?,
        };
        Ok(StreamEntry { id, fields })
    }
}

/// The entries read from one stream by `XREAD` or `XREADGROUP`.
///
/// The whole reply converts to `Vec<StreamKey>` (empty when a blocking read
/// timed out), from RESP2 arrays and RESP3 maps alike.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StreamKey {
    /// The stream's key.
    pub key: Vec<u8>,
    /// Its entries.
    pub entries: Vec<StreamEntry>,
}

impl FromReply for StreamKey {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        let (key, entries) = <(Vec<u8>, Vec<StreamEntry>)>::from_reply(frame)?;
        Ok(StreamKey { key, entries })
    }

    const PAIR: bool = true;
}

/// The summary form of `XPENDING key group`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PendingSummary {
    /// Entries delivered and not acknowledged.
    pub count: u64,
    /// The smallest pending ID.
    pub first_id: Option<String>,
    /// The greatest pending ID.
    pub last_id: Option<String>,
    /// Pending entries per consumer.
    pub consumers: Vec<(String, u64)>,
}

impl FromReply for PendingSummary {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        let (count, first_id, last_id, consumers) = <(
            u64,
            Option<String>,
            Option<String>,
            Option<Vec<(String, u64)>>,
        )>::from_reply(frame)?;
        Ok(PendingSummary {
            count,
            first_id,
            last_id,
            consumers: consumers.unwrap_or_default(),
        })
    }
}

/// One entry of the extended form of `XPENDING`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEntry {
    /// The entry ID.
    pub id: String,
    /// The consumer it was delivered to.
    pub consumer: String,
    /// Milliseconds since it was last delivered.
    pub idle_ms: u64,
    /// How many times it was delivered.
    pub deliveries: u64,
}

impl FromReply for PendingEntry {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        let (id, consumer, idle_ms, deliveries) = FromReply::from_reply(frame)?;
        Ok(PendingEntry {
            id,
            consumer,
            idle_ms,
            deliveries,
        })
    }
}

/// The reply of `XAUTOCLAIM`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AutoClaim {
    /// Where the next `XAUTOCLAIM` should start (`0-0` when done).
    pub next: String,
    /// The entries claimed.
    pub entries: Vec<StreamEntry>,
    /// IDs that were pending but no longer exist (Redis 7).
    pub deleted: Vec<String>,
}

impl FromReply for AutoClaim {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        let mut parts = items(frame, "an XAUTOCLAIM reply")?.into_iter();
        Ok(AutoClaim {
            next: String::from_reply(parts.next().unwrap_or(Frame::Null))?,
            entries: Vec::from_reply(parts.next().unwrap_or(Frame::Null))?,
            deleted: Vec::from_reply(parts.next().unwrap_or(Frame::Null))?,
        })
    }
}

/// `XINFO STREAM key`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct StreamInfo {
    /// Entries in the stream.
    pub length: u64,
    /// Consumer groups.
    pub groups: u64,
    /// The ID of the last entry added.
    pub last_generated_id: String,
    /// The first entry, if any.
    pub first_entry: Option<StreamEntry>,
    /// The last entry, if any.
    pub last_entry: Option<StreamEntry>,
}

impl FromReply for StreamInfo {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        let mut map = fields(frame, "XINFO STREAM fields")?;
        Ok(StreamInfo {
            length: take(&mut map, "length")?,
            groups: take(&mut map, "groups")?,
            last_generated_id: take(&mut map, "last-generated-id")?,
            first_entry: take(&mut map, "first-entry")?,
            last_entry: take(&mut map, "last-entry")?,
        })
    }
}

/// One group of `XINFO GROUPS key`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GroupInfo {
    /// The group name.
    pub name: String,
    /// Consumers in the group.
    pub consumers: u64,
    /// Entries delivered and not acknowledged.
    pub pending: u64,
    /// The last ID delivered to the group.
    pub last_delivered_id: String,
    /// Entries read by the group (Redis 7).
    pub entries_read: Option<u64>,
    /// Entries not yet delivered, when known (Redis 7).
    pub lag: Option<u64>,
}

impl FromReply for GroupInfo {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        let mut map = fields(frame, "XINFO GROUPS fields")?;
        Ok(GroupInfo {
            name: take(&mut map, "name")?,
            consumers: take(&mut map, "consumers")?,
            pending: take(&mut map, "pending")?,
            last_delivered_id: take(&mut map, "last-delivered-id")?,
            entries_read: take(&mut map, "entries-read")?,
            lag: take(&mut map, "lag")?,
        })
    }
}

/// One consumer of `XINFO CONSUMERS key group`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ConsumerInfo {
    /// The consumer name.
    pub name: String,
    /// Entries delivered to it and not acknowledged.
    pub pending: u64,
    /// Milliseconds since it last read.
    pub idle_ms: u64,
}

impl FromReply for ConsumerInfo {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        let mut map = fields(frame, "XINFO CONSUMERS fields")?;
        Ok(ConsumerInfo {
            name: take(&mut map, "name")?,
            pending: take(&mut map, "pending")?,
            idle_ms: take(&mut map, "idle")?,
        })
    }
}
