//! Stream commands.

use super::options::{StreamTrim, XAddOptions, XClaimOptions, XGroupCreateOptions, XReadOptions};
use crate::{
    AutoClaim, Cmd, ConsumerInfo, GroupInfo, PendingEntry, PendingSummary, StreamEntry, StreamInfo,
    StreamKey, ToArg, ToArgs,
};

commands! {
    /// Commands on streams: adding, ranges, trimming, and the group
    /// bookkeeping.
    pub trait StreamCommands: Handle as STREAMS;

    /// `XADD key id field value...`: the entry ID (`id` is usually `"*"`).
    fn xadd<K: ToArg<'a>, I: ToArg<'a>, F: ToArgs<'a>>(key: K, id: I, fields: F) => Cmd::new("XADD").arg(key).arg(id).arg(fields);
    /// `XADD key MAXLEN ~ maxlen id field value...`: trims approximately.
    fn xadd_maxlen<K: ToArg<'a>, I: ToArg<'a>, F: ToArgs<'a>>(key: K, maxlen: usize, id: I, fields: F) => Cmd::new("XADD").arg(key).arg("MAXLEN").arg("~").arg(maxlen).arg(id).arg(fields);
    /// `XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT n]] id
    /// field value...`: the entry ID, or nil with `NOMKSTREAM` on a missing
    /// stream.
    fn xadd_options<K: ToArg<'a>, I: ToArg<'a>, F: ToArgs<'a>>(key: K, id: I, fields: F, options: XAddOptions) => Cmd::new("XADD").arg(key).arg(options).arg(id).arg(fields);
    /// `XLEN key`.
    fn xlen<K: ToArg<'a>>(key: K) => Cmd::new("XLEN").arg(key);
    /// `XRANGE key start end` (`"-"` and `"+"` for the ends).
    fn xrange<K: ToArg<'a>, S: ToArg<'a>, E: ToArg<'a>>(key: K, start: S, end: E): Vec<StreamEntry> => Cmd::new("XRANGE").arg(key).arg(start).arg(end);
    /// `XRANGE key start end COUNT count`.
    fn xrange_count<K: ToArg<'a>, S: ToArg<'a>, E: ToArg<'a>>(key: K, start: S, end: E, count: usize): Vec<StreamEntry> => Cmd::new("XRANGE").arg(key).arg(start).arg(end).arg("COUNT").arg(count);
    /// `XREVRANGE key end start`: newest first.
    fn xrevrange<K: ToArg<'a>, E: ToArg<'a>, S: ToArg<'a>>(key: K, end: E, start: S): Vec<StreamEntry> => Cmd::new("XREVRANGE").arg(key).arg(end).arg(start);
    /// `XREVRANGE key end start COUNT count`.
    fn xrevrange_count<K: ToArg<'a>, E: ToArg<'a>, S: ToArg<'a>>(key: K, end: E, start: S, count: usize): Vec<StreamEntry> => Cmd::new("XREVRANGE").arg(key).arg(end).arg(start).arg("COUNT").arg(count);
    /// `XDEL key id...`: how many were deleted.
    fn xdel<K: ToArg<'a>, I: ToArgs<'a>>(key: K, ids: I) => Cmd::new("XDEL").arg(key).arg(ids);
    /// `XTRIM key MAXLEN maxlen`: how many entries were evicted.
    fn xtrim_maxlen<K: ToArg<'a>>(key: K, maxlen: usize) => Cmd::new("XTRIM").arg(key).arg("MAXLEN").arg(maxlen);
    /// `XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT n]`: how many entries
    /// were evicted.
    fn xtrim<K: ToArg<'a>>(key: K, trim: StreamTrim) => Cmd::new("XTRIM").arg(key).arg(trim);
    /// `XSETID key last-id`: sets the stream's last ID.
    fn xsetid<K: ToArg<'a>, I: ToArg<'a>>(key: K, last_id: I) => Cmd::new("XSETID").arg(key).arg(last_id);
    /// `XGROUP CREATE key group id`: the stream must exist (`BUSYGROUP`
    /// when the group does; see [`ErrorCode::BusyGroup`](crate::ErrorCode::BusyGroup)).
    fn xgroup_create<K: ToArg<'a>, G: ToArg<'a>, I: ToArg<'a>>(key: K, group: G, id: I) => Cmd::new("XGROUP").arg("CREATE").arg(key).arg(group).arg(id);
    /// `XGROUP CREATE key group id MKSTREAM`: creates the stream if needed.
    fn xgroup_create_mkstream<K: ToArg<'a>, G: ToArg<'a>, I: ToArg<'a>>(key: K, group: G, id: I) => Cmd::new("XGROUP").arg("CREATE").arg(key).arg(group).arg(id).arg("MKSTREAM");
    /// `XGROUP CREATE key group id [MKSTREAM] [ENTRIESREAD n]`.
    fn xgroup_create_options<K: ToArg<'a>, G: ToArg<'a>, I: ToArg<'a>>(key: K, group: G, id: I, options: XGroupCreateOptions) => Cmd::new("XGROUP").arg("CREATE").arg(key).arg(group).arg(id).arg(options);
    /// `XGROUP CREATECONSUMER key group consumer`: true if created.
    fn xgroup_createconsumer<K: ToArg<'a>, G: ToArg<'a>, C: ToArg<'a>>(key: K, group: G, consumer: C) => Cmd::new("XGROUP").arg("CREATECONSUMER").arg(key).arg(group).arg(consumer);
    /// `XGROUP DESTROY key group`: true if destroyed.
    fn xgroup_destroy<K: ToArg<'a>, G: ToArg<'a>>(key: K, group: G) => Cmd::new("XGROUP").arg("DESTROY").arg(key).arg(group);
    /// `XGROUP SETID key group id`.
    fn xgroup_setid<K: ToArg<'a>, G: ToArg<'a>, I: ToArg<'a>>(key: K, group: G, id: I) => Cmd::new("XGROUP").arg("SETID").arg(key).arg(group).arg(id);
    /// `XGROUP DELCONSUMER key group consumer`: its pending count.
    fn xgroup_delconsumer<K: ToArg<'a>, G: ToArg<'a>, C: ToArg<'a>>(key: K, group: G, consumer: C) => Cmd::new("XGROUP").arg("DELCONSUMER").arg(key).arg(group).arg(consumer);
    /// `XACK key group id...`: how many were acknowledged.
    fn xack<K: ToArg<'a>, G: ToArg<'a>, I: ToArgs<'a>>(key: K, group: G, ids: I) => Cmd::new("XACK").arg(key).arg(group).arg(ids);
}

commands! {
    /// Reading streams, consumer groups and their pending entries, with
    /// typed replies: [`StreamKey`](crate::StreamKey),
    /// [`StreamEntry`](crate::StreamEntry), [`PendingSummary`](crate::PendingSummary),
    /// [`PendingEntry`](crate::PendingEntry), [`AutoClaim`](crate::AutoClaim),
    /// [`StreamInfo`](crate::StreamInfo), [`GroupInfo`](crate::GroupInfo),
    /// [`ConsumerInfo`](crate::ConsumerInfo).
    pub trait StreamGroupCommands: Handle as STREAM_GROUPS;

    /// `XREAD [COUNT n] [BLOCK ms] STREAMS key... id...`: empty when a
    /// blocking read timed out.
    fn xread<K: ToArgs<'a>, I: ToArgs<'a>>(keys: K, ids: I, options: XReadOptions): Vec<StreamKey> => Cmd::new("XREAD").arg(options).arg("STREAMS").arg(keys).arg(ids);
    /// `XREADGROUP GROUP group consumer [COUNT n] [BLOCK ms] [NOACK] STREAMS
    /// key... id...` (`>` reads new entries).
    fn xreadgroup<G: ToArg<'a>, C: ToArg<'a>, K: ToArgs<'a>, I: ToArgs<'a>>(group: G, consumer: C, keys: K, ids: I, options: XReadOptions): Vec<StreamKey> => Cmd::new("XREADGROUP").arg("GROUP").arg(group).arg(consumer).arg(options).arg("STREAMS").arg(keys).arg(ids);
    /// `XPENDING key group`: the summary.
    fn xpending<K: ToArg<'a>, G: ToArg<'a>>(key: K, group: G): PendingSummary => Cmd::new("XPENDING").arg(key).arg(group);
    /// `XPENDING key group start end count`: one entry per pending ID.
    fn xpending_range<K: ToArg<'a>, G: ToArg<'a>, S: ToArg<'a>, E: ToArg<'a>>(key: K, group: G, start: S, end: E, count: usize): Vec<PendingEntry> => Cmd::new("XPENDING").arg(key).arg(group).arg(start).arg(end).arg(count);
    /// `XPENDING key group start end count consumer`.
    fn xpending_consumer<K: ToArg<'a>, G: ToArg<'a>, S: ToArg<'a>, E: ToArg<'a>, C: ToArg<'a>>(key: K, group: G, start: S, end: E, count: usize, consumer: C): Vec<PendingEntry> => Cmd::new("XPENDING").arg(key).arg(group).arg(start).arg(end).arg(count).arg(consumer);
    /// `XCLAIM key group consumer min-idle-ms id...`: the entries claimed.
    fn xclaim<K: ToArg<'a>, G: ToArg<'a>, C: ToArg<'a>, I: ToArgs<'a>>(key: K, group: G, consumer: C, min_idle_ms: u64, ids: I): Vec<StreamEntry> => Cmd::new("XCLAIM").arg(key).arg(group).arg(consumer).arg(min_idle_ms).arg(ids);
    /// `XCLAIM ... [IDLE ms] [TIME ms] [RETRYCOUNT n] [FORCE] [JUSTID]
    /// [LASTID id]`: `Vec<StreamEntry>`, or `Vec<String>` of IDs with
    /// `JUSTID`.
    fn xclaim_options<K: ToArg<'a>, G: ToArg<'a>, C: ToArg<'a>, I: ToArgs<'a>>(key: K, group: G, consumer: C, min_idle_ms: u64, ids: I, options: XClaimOptions) => Cmd::new("XCLAIM").arg(key).arg(group).arg(consumer).arg(min_idle_ms).arg(ids).arg(options);
    /// `XAUTOCLAIM key group consumer min-idle-ms start COUNT count`.
    fn xautoclaim<K: ToArg<'a>, G: ToArg<'a>, C: ToArg<'a>, S: ToArg<'a>>(key: K, group: G, consumer: C, min_idle_ms: u64, start: S, count: usize): AutoClaim => Cmd::new("XAUTOCLAIM").arg(key).arg(group).arg(consumer).arg(min_idle_ms).arg(start).arg("COUNT").arg(count);
    /// `XINFO STREAM key`.
    fn xinfo_stream<K: ToArg<'a>>(key: K): StreamInfo => Cmd::new("XINFO").arg("STREAM").arg(key);
    /// `XINFO STREAM key FULL COUNT count`: everything, groups and their
    /// pending lists included (as a [`Value`](crate::Value) or map).
    fn xinfo_stream_full<K: ToArg<'a>>(key: K, count: usize) => Cmd::new("XINFO").arg("STREAM").arg(key).arg("FULL").arg("COUNT").arg(count);
    /// `XINFO GROUPS key`.
    fn xinfo_groups<K: ToArg<'a>>(key: K): Vec<GroupInfo> => Cmd::new("XINFO").arg("GROUPS").arg(key);
    /// `XINFO CONSUMERS key group`.
    fn xinfo_consumers<K: ToArg<'a>, G: ToArg<'a>>(key: K, group: G): Vec<ConsumerInfo> => Cmd::new("XINFO").arg("CONSUMERS").arg(key).arg(group);
}
