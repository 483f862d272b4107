//! Stream commands.

use crate::Cmd;

commands! {
    /// Commands on streams.
    pub trait StreamCommands;

    /// `XADD key id field value...`: the entry ID (`id` is usually `"*"`).
    fn xadd<K: ToArg, I: ToArg, F: ToArgs>(key: K, id: I, fields: F) -> Cmd::new("XADD").arg(key).arg(id).arg(fields);
    /// `XADD key MAXLEN ~ maxlen id field value...`: trims approximately.
    fn xadd_maxlen<K: ToArg, I: ToArg, F: ToArgs>(key: K, maxlen: usize, id: I, fields: F) -> Cmd::new("XADD").arg(key).arg("MAXLEN").arg("~").arg(maxlen).arg(id).arg(fields);
    /// `XLEN key`.
    fn xlen<K: ToArg>(key: K) -> Cmd::new("XLEN").arg(key);
    /// `XRANGE key start end`.
    fn xrange<K: ToArg, S: ToArg, E: ToArg>(key: K, start: S, end: E) -> Cmd::new("XRANGE").arg(key).arg(start).arg(end);
    /// `XRANGE key start end COUNT count`.
    fn xrange_count<K: ToArg, S: ToArg, E: ToArg>(key: K, start: S, end: E, count: usize) -> Cmd::new("XRANGE").arg(key).arg(start).arg(end).arg("COUNT").arg(count);
    /// `XREVRANGE key end start`.
    fn xrevrange<K: ToArg, E: ToArg, S: ToArg>(key: K, end: E, start: S) -> Cmd::new("XREVRANGE").arg(key).arg(end).arg(start);
    /// `XDEL key id...`.
    fn xdel<K: ToArg, I: ToArgs>(key: K, ids: I) -> Cmd::new("XDEL").arg(key).arg(ids);
    /// `XTRIM key MAXLEN maxlen`.
    fn xtrim_maxlen<K: ToArg>(key: K, maxlen: usize) -> Cmd::new("XTRIM").arg(key).arg("MAXLEN").arg(maxlen);
    /// `XGROUP CREATE key group id MKSTREAM`.
    fn xgroup_create<K: ToArg, G: ToArg, I: ToArg>(key: K, group: G, id: I) -> Cmd::new("XGROUP").arg("CREATE").arg(key).arg(group).arg(id).arg("MKSTREAM");
    /// `XGROUP DESTROY key group`.
    fn xgroup_destroy<K: ToArg, G: ToArg>(key: K, group: G) -> Cmd::new("XGROUP").arg("DESTROY").arg(key).arg(group);
    /// `XACK key group id...`: how many were acknowledged.
    fn xack<K: ToArg, G: ToArg, I: ToArgs>(key: K, group: G, ids: I) -> Cmd::new("XACK").arg(key).arg(group).arg(ids);
}

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

impl<'a> crate::ToArgs<'a> for XReadOptions {
    fn write_args(&self, out: &mut crate::cmd::ArgSink<'_, 'a>) {
        use crate::ToArg;
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

commands! {
    /// Reading streams, consumer groups and their pending entries, with
    /// typed replies: [`StreamKey`](crate::StreamKey),
    /// [`StreamEntry`](crate::StreamEntry), [`PendingSummary`](crate::PendingSummary),
    /// [`PendingEntry`](crate::PendingEntry), [`AutoClaim`](crate::AutoClaim),
    /// [`StreamInfo`](crate::StreamInfo), [`GroupInfo`](crate::GroupInfo),
    /// [`ConsumerInfo`](crate::ConsumerInfo).
    pub trait StreamGroupCommands;

    /// `XREAD [COUNT n] [BLOCK ms] STREAMS key... id...`: `Vec<StreamKey>`.
    fn xread<K: ToArgs, I: ToArgs>(keys: K, ids: I, options: XReadOptions) -> Cmd::new("XREAD").arg(options).arg("STREAMS").arg(keys).arg(ids);
    /// `XREADGROUP GROUP group consumer [COUNT n] [BLOCK ms] [NOACK] STREAMS
    /// key... id...` (`>` reads new entries): `Vec<StreamKey>`.
    fn xreadgroup<G: ToArg, C: ToArg, K: ToArgs, I: ToArgs>(group: G, consumer: C, keys: K, ids: I, options: XReadOptions) -> Cmd::new("XREADGROUP").arg("GROUP").arg(group).arg(consumer).arg(options).arg("STREAMS").arg(keys).arg(ids);
    /// `XPENDING key group`: a [`PendingSummary`](crate::PendingSummary).
    fn xpending<K: ToArg, G: ToArg>(key: K, group: G) -> Cmd::new("XPENDING").arg(key).arg(group);
    /// `XPENDING key group start end count`: `Vec<PendingEntry>`.
    fn xpending_range<K: ToArg, G: ToArg, S: ToArg, E: ToArg>(key: K, group: G, start: S, end: E, count: usize) -> Cmd::new("XPENDING").arg(key).arg(group).arg(start).arg(end).arg(count);
    /// `XPENDING key group start end count consumer`.
    fn xpending_consumer<K: ToArg, G: ToArg, S: ToArg, E: ToArg, C: ToArg>(key: K, group: G, start: S, end: E, count: usize, consumer: C) -> Cmd::new("XPENDING").arg(key).arg(group).arg(start).arg(end).arg(count).arg(consumer);
    /// `XCLAIM key group consumer min-idle-ms id...`: `Vec<StreamEntry>`.
    fn xclaim<K: ToArg, G: ToArg, C: ToArg, I: ToArgs>(key: K, group: G, consumer: C, min_idle_ms: u64, ids: I) -> Cmd::new("XCLAIM").arg(key).arg(group).arg(consumer).arg(min_idle_ms).arg(ids);
    /// `XAUTOCLAIM key group consumer min-idle-ms start COUNT count`: an
    /// [`AutoClaim`](crate::AutoClaim).
    fn xautoclaim<K: ToArg, G: ToArg, C: ToArg, S: ToArg>(key: K, group: G, consumer: C, min_idle_ms: u64, start: S, count: usize) -> Cmd::new("XAUTOCLAIM").arg(key).arg(group).arg(consumer).arg(min_idle_ms).arg(start).arg("COUNT").arg(count);
    /// `XINFO STREAM key`: a [`StreamInfo`](crate::StreamInfo).
    fn xinfo_stream<K: ToArg>(key: K) -> Cmd::new("XINFO").arg("STREAM").arg(key);
    /// `XINFO GROUPS key`: `Vec<GroupInfo>`.
    fn xinfo_groups<K: ToArg>(key: K) -> Cmd::new("XINFO").arg("GROUPS").arg(key);
    /// `XINFO CONSUMERS key group`: `Vec<ConsumerInfo>`.
    fn xinfo_consumers<K: ToArg, G: ToArg>(key: K, group: G) -> Cmd::new("XINFO").arg("CONSUMERS").arg(key).arg(group);
    /// `XGROUP SETID key group id`.
    fn xgroup_setid<K: ToArg, G: ToArg, I: ToArg>(key: K, group: G, id: I) -> Cmd::new("XGROUP").arg("SETID").arg(key).arg(group).arg(id);
    /// `XGROUP DELCONSUMER key group consumer`: its pending count.
    fn xgroup_delconsumer<K: ToArg, G: ToArg, C: ToArg>(key: K, group: G, consumer: C) -> Cmd::new("XGROUP").arg("DELCONSUMER").arg(key).arg(group).arg(consumer);
}
