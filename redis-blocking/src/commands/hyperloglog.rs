//! HyperLogLog commands.

use crate::{Cmd, ToArg, ToArgs};

commands! {
    /// Commands on HyperLogLogs.
    pub trait HyperLogLogCommands: Handle as HYPERLOGLOG;

    /// `PFADD key element...`: true if the estimate changed.
    fn pfadd<K: ToArg<'a>, E: ToArgs<'a>>(key: K, elements: E) => Cmd::new("PFADD").arg(key).arg(elements);
    /// `PFCOUNT key...`: the estimated cardinality of the union.
    fn pfcount<K: ToArgs<'a>>(keys: K) => Cmd::new("PFCOUNT").arg(keys);
    /// `PFMERGE destination source...`.
    fn pfmerge<D: ToArg<'a>, K: ToArgs<'a>>(destination: D, sources: K) => Cmd::new("PFMERGE").arg(destination).arg(sources);
}
