//! Options of the stream commands.

use crate::cmd::ArgSink;
use crate::{ToArg, ToArgs};

/// Options of `XREAD` and `XREADGROUP`: `COUNT`, `BLOCK` and (for
/// `XREADGROUP` only) `NOACK`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct XReadOptions {
    count: Option<usize>,
    block_ms: Option<u64>,
    noack: bool,
}

impl XReadOptions {
    /// At most `n` entries per stream.
    pub fn count(mut self, n: usize) -> Self {
        self.count = Some(n);
        self
    }

    /// Wait up to `ms` milliseconds for entries (0: forever); the call's
    /// deadline is extended by as much.
    pub fn block(mut self, ms: u64) -> Self {
        self.block_ms = Some(ms);
        self
    }

    /// Do not add the entries to the pending list (`XREADGROUP`).
    pub fn noack(mut self) -> Self {
        self.noack = true;
        self
    }
}

impl<'a> ToArgs<'a> for XReadOptions {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        if let Some(n) = self.count {
            out.push(b"COUNT");
            n.write_arg(out);
        }
        if let Some(ms) = self.block_ms {
            out.push(b"BLOCK");
            ms.write_arg(out);
        }
        if self.noack {
            out.push(b"NOACK");
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum TrimBy {
    MaxLen(u64),
    MinId(String),
}

/// How `XADD` and `XTRIM` trim a stream: `MAXLEN` or `MINID`, exact (`=`)
/// or approximate (`~`, cheaper: whole nodes only), with an optional
/// `LIMIT` on the entries evicted per call (approximate only).
///
/// # Example
///
/// ```
/// use redis_blocking::commands::StreamTrim;
/// use redis_blocking::Cmd;
///
/// let cmd = Cmd::new("XTRIM").arg("s").arg(StreamTrim::max_len(1000).approx().limit(100));
/// let args: Vec<&[u8]> = cmd.args().collect();
/// assert_eq!(args, [&b"XTRIM"[..], b"s", b"MAXLEN", b"~", b"1000", b"LIMIT", b"100"]);
/// let cmd = Cmd::new("XTRIM").arg("s").arg(StreamTrim::min_id("1700000000000-0"));
/// let args: Vec<&[u8]> = cmd.args().collect();
/// assert_eq!(args, [&b"XTRIM"[..], b"s", b"MINID", b"=", b"1700000000000-0"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StreamTrim {
    by: TrimBy,
    approx: bool,
    limit: Option<u64>,
}

impl StreamTrim {
    /// `MAXLEN n`: keep the newest `n` entries.
    pub fn max_len(n: u64) -> StreamTrim {
        StreamTrim {
            by: TrimBy::MaxLen(n),
            approx: false,
            limit: None,
        }
    }

    /// `MINID id`: drop the entries with smaller IDs.
    pub fn min_id(id: impl Into<String>) -> StreamTrim {
        StreamTrim {
            by: TrimBy::MinId(id.into()),
            approx: false,
            limit: None,
        }
    }

    /// `~`: trim whole nodes only, so a few more entries may stay.
    pub fn approx(mut self) -> Self {
        self.approx = true;
        self
    }

    /// `LIMIT n`: evict at most `n` entries in this call (with
    /// [`approx`](StreamTrim::approx)).
    pub fn limit(mut self, n: u64) -> Self {
        self.limit = Some(n);
        self
    }
}

impl<'a> ToArgs<'a> for StreamTrim {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        let approx: &[u8] = if self.approx { b"~" } else { b"=" };
        match &self.by {
            TrimBy::MaxLen(n) => {
                out.push(b"MAXLEN");
                out.push(approx);
                n.write_arg(out);
            }
            TrimBy::MinId(id) => {
                out.push(b"MINID");
                out.push(approx);
                out.push(id.as_bytes());
            }
        }
        if let Some(n) = self.limit {
            out.push(b"LIMIT");
            n.write_arg(out);
        }
    }
}

/// The options of `XADD`: `NOMKSTREAM` and trimming.
///
/// # Example
///
/// ```
/// use redis_blocking::commands::{StreamTrim, XAddOptions};
/// use redis_blocking::Cmd;
///
/// let options = XAddOptions::default().no_mkstream().trim(StreamTrim::max_len(100).approx());
/// let cmd = Cmd::new("XADD").arg("s").arg(options).arg("*").arg([("f", "v")]);
/// let args: Vec<&[u8]> = cmd.args().collect();
/// assert_eq!(args, [&b"XADD"[..], b"s", b"NOMKSTREAM", b"MAXLEN", b"~", b"100", b"*", b"f", b"v"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XAddOptions {
    no_mkstream: bool,
    trim: Option<StreamTrim>,
}

impl XAddOptions {
    /// `NOMKSTREAM`: do not create a missing stream (the reply is then
    /// nil).
    pub fn no_mkstream(mut self) -> Self {
        self.no_mkstream = true;
        self
    }

    /// Trims the stream as the entry is added.
    pub fn trim(mut self, trim: StreamTrim) -> Self {
        self.trim = Some(trim);
        self
    }
}

impl<'a> ToArgs<'a> for XAddOptions {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        if self.no_mkstream {
            out.push(b"NOMKSTREAM");
        }
        if let Some(trim) = &self.trim {
            trim.write_args(out);
        }
    }
}

/// The options of `XCLAIM`: `IDLE`, `TIME`, `RETRYCOUNT`, `FORCE`,
/// `JUSTID` (the reply is then IDs, not entries), `LASTID`.
///
/// # Example
///
/// ```
/// use redis_blocking::commands::XClaimOptions;
/// use redis_blocking::Cmd;
///
/// let cmd = Cmd::new("XCLAIM").arg(XClaimOptions::default().idle(0).retry_count(3).force().just_id());
/// let args: Vec<&[u8]> = cmd.args().collect();
/// assert_eq!(args, [&b"XCLAIM"[..], b"IDLE", b"0", b"RETRYCOUNT", b"3", b"FORCE", b"JUSTID"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct XClaimOptions {
    idle_ms: Option<u64>,
    time_ms: Option<u64>,
    retry_count: Option<u64>,
    force: bool,
    just_id: bool,
    last_id: Option<String>,
}

impl XClaimOptions {
    /// `IDLE ms`: set the entries' idle time.
    pub fn idle(mut self, ms: u64) -> Self {
        self.idle_ms = Some(ms);
        self
    }

    /// `TIME unix-ms`: set the entries' last delivery time.
    pub fn time(mut self, unix_ms: u64) -> Self {
        self.time_ms = Some(unix_ms);
        self
    }

    /// `RETRYCOUNT n`: set the delivery counter.
    pub fn retry_count(mut self, n: u64) -> Self {
        self.retry_count = Some(n);
        self
    }

    /// `FORCE`: claim IDs that are not pending (if they exist).
    pub fn force(mut self) -> Self {
        self.force = true;
        self
    }

    /// `JUSTID`: reply with the IDs only; the delivery counter is left
    /// alone.
    pub fn just_id(mut self) -> Self {
        self.just_id = true;
        self
    }

    /// `LASTID id`: move the group's last delivered ID.
    pub fn last_id(mut self, id: impl Into<String>) -> Self {
        self.last_id = Some(id.into());
        self
    }
}

impl<'a> ToArgs<'a> for XClaimOptions {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        for (word, value) in [
            (&b"IDLE"[..], self.idle_ms),
            (b"TIME", self.time_ms),
            (b"RETRYCOUNT", self.retry_count),
        ] {
            if let Some(n) = value {
                out.push(word);
                n.write_arg(out);
            }
        }
        if self.force {
            out.push(b"FORCE");
        }
        if self.just_id {
            out.push(b"JUSTID");
        }
        if let Some(id) = &self.last_id {
            out.push(b"LASTID");
            out.push(id.as_bytes());
        }
    }
}

/// The options of `XGROUP CREATE`: `MKSTREAM` and `ENTRIESREAD`.
///
/// # Example
///
/// ```
/// use redis_blocking::commands::XGroupCreateOptions;
/// use redis_blocking::Cmd;
///
/// let cmd = Cmd::new("XGROUP").arg(XGroupCreateOptions::default().mkstream().entries_read(5));
/// let args: Vec<&[u8]> = cmd.args().collect();
/// assert_eq!(args, [&b"XGROUP"[..], b"MKSTREAM", b"ENTRIESREAD", b"5"]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct XGroupCreateOptions {
    mkstream: bool,
    entries_read: Option<u64>,
}

impl XGroupCreateOptions {
    /// `MKSTREAM`: create the stream if it does not exist.
    pub fn mkstream(mut self) -> Self {
        self.mkstream = true;
        self
    }

    /// `ENTRIESREAD n`: how many entries the group has read, for its lag.
    pub fn entries_read(mut self, n: u64) -> Self {
        self.entries_read = Some(n);
        self
    }
}

impl<'a> ToArgs<'a> for XGroupCreateOptions {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        if self.mkstream {
            out.push(b"MKSTREAM");
        }
        if let Some(n) = self.entries_read {
            out.push(b"ENTRIESREAD");
            n.write_arg(out);
        }
    }
}
