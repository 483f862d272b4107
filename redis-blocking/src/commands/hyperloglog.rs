//! HyperLogLog commands.

use crate::Cmd;

commands! {
    /// Commands on HyperLogLogs.
    pub trait HyperLogLogCommands;

    /// `PFADD key element...`: true if the estimate changed.
    fn pfadd<K: ToArg, E: ToArgs>(key: K, elements: E) -> Cmd::new("PFADD").arg(key).arg(elements);
    /// `PFCOUNT key...`: the estimated cardinality of the union.
    fn pfcount<K: ToArgs>(keys: K) -> Cmd::new("PFCOUNT").arg(keys);
    /// `PFMERGE destination source...`.
    fn pfmerge<D: ToArg, K: ToArgs>(destination: D, sources: K) -> Cmd::new("PFMERGE").arg(destination).arg(sources);
}
