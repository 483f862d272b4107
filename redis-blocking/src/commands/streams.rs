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
