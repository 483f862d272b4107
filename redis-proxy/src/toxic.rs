//! Connection-level toxics, with Toxiproxy's names, attributes, units and
//! semantics: they act on bytes, not on commands.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Which way a toxic acts, in Toxiproxy's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Stream {
    /// Client to server (requests).
    Upstream,
    /// Server to client (replies); Toxiproxy's default.
    #[default]
    Downstream,
}

impl Stream {
    /// `"upstream"` or `"downstream"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stream::Upstream => "upstream",
            Stream::Downstream => "downstream",
        }
    }
}

/// A toxic's type and attributes (Toxiproxy's units: milliseconds, KB/s
/// of 1000 bytes, bytes, and microseconds for the slicer's delay).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ToxicKind {
    /// `latency`: every chunk waits `latency` ms, plus or minus up to
    /// `jitter` ms; order is kept.
    Latency {
        /// Milliseconds.
        latency: u64,
        /// Milliseconds.
        jitter: u64,
    },
    /// `bandwidth`: at most `rate` KB (1000 bytes) per second.
    Bandwidth {
        /// KB/s.
        rate: u64,
    },
    /// `slow_close`: when the source closes, close the destination only
    /// `delay` ms later.
    SlowClose {
        /// Milliseconds.
        delay: u64,
    },
    /// `timeout`: drop all data and close the connection `timeout` ms
    /// after the last data (0: never close, drop until removed).
    Timeout {
        /// Milliseconds.
        timeout: u64,
    },
    /// `reset_peer`: on the first data, drop it and reset the connection
    /// (TCP RST) `timeout` ms later.
    ResetPeer {
        /// Milliseconds.
        timeout: u64,
    },
    /// `slicer`: cut data into slices of about `average_size` bytes
    /// (plus or minus `size_variation`), `delay` µs apart.
    Slicer {
        /// Bytes.
        average_size: u64,
        /// Bytes.
        size_variation: u64,
        /// Microseconds.
        delay: u64,
    },
    /// `limit_data`: close the connection once `bytes` bytes went through
    /// (counted from when the toxic was added).
    LimitData {
        /// Bytes.
        bytes: u64,
    },
    /// `down`: Toxiproxy's disabled proxy: existing connections are
    /// closed, new ones closed as soon as they are accepted.
    Down,
}

impl ToxicKind {
    /// Toxiproxy's type name.
    pub fn type_name(&self) -> &'static str {
        match self {
            ToxicKind::Latency { .. } => "latency",
            ToxicKind::Bandwidth { .. } => "bandwidth",
            ToxicKind::SlowClose { .. } => "slow_close",
            ToxicKind::Timeout { .. } => "timeout",
            ToxicKind::ResetPeer { .. } => "reset_peer",
            ToxicKind::Slicer { .. } => "slicer",
            ToxicKind::LimitData { .. } => "limit_data",
            ToxicKind::Down => "down",
        }
    }
}

/// A toxic: `{name, type, stream, toxicity, attributes}`.
#[derive(Debug)]
pub struct Toxic {
    pub(crate) name: String,
    /// Unique per toxic added: a replaced toxic starts afresh on every
    /// connection (a new `limit_data` counts from zero).
    pub(crate) id: u64,
    pub(crate) kind: ToxicKind,
    pub(crate) stream: Stream,
    /// The chance that a connection is affected, drawn once per
    /// connection (Toxiproxy's meaning).
    pub(crate) toxicity: f64,
    pub(crate) source: serde_json::Value,
    /// Connections the toxic became active on.
    applied: AtomicU64,
}

impl Toxic {
    /// A toxic of `kind` on `stream`, affecting every connection.
    pub fn new(name: impl Into<String>, kind: ToxicKind, stream: Stream) -> Toxic {
        Toxic {
            name: name.into(),
            id: next_id(),
            kind,
            stream,
            toxicity: 1.0,
            source: serde_json::Value::Null,
            applied: AtomicU64::new(0),
        }
    }

    /// Sets the per-connection chance of being affected (0 to 1).
    pub fn toxicity(mut self, toxicity: f64) -> Toxic {
        self.toxicity = toxicity.clamp(0.0, 1.0);
        self
    }

    /// The toxic's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The toxic's type and attributes.
    pub fn kind(&self) -> ToxicKind {
        self.kind
    }

    /// Connections the toxic became active on so far.
    pub fn applied(&self) -> u64 {
        self.applied.load(Ordering::Relaxed)
    }

    pub(crate) fn note_applied(&self) {
        self.applied.fetch_add(1, Ordering::Relaxed);
    }
}

/// A fresh toxic id.
pub(crate) fn next_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// Milliseconds as a duration.
pub(crate) fn ms(n: u64) -> Duration {
    Duration::from_millis(n)
}
