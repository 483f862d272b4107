//! Set commands.

use crate::Cmd;

commands! {
    /// Commands on sets.
    pub trait SetCommands;

    /// `SADD key member...`: how many were added.
    fn sadd<K: ToArg, M: ToArgs>(key: K, members: M) -> Cmd::new("SADD").arg(key).arg(members);
    /// `SREM key member...`: how many were removed.
    fn srem<K: ToArg, M: ToArgs>(key: K, members: M) -> Cmd::new("SREM").arg(key).arg(members);
    /// `SMEMBERS key`: a set (RESP3) or array (RESP2); both convert to
    /// `HashSet`.
    fn smembers<K: ToArg>(key: K) -> Cmd::new("SMEMBERS").arg(key);
    /// `SISMEMBER key member`.
    fn sismember<K: ToArg, M: ToArg>(key: K, member: M) -> Cmd::new("SISMEMBER").arg(key).arg(member);
    /// `SMISMEMBER key member...`.
    fn smismember<K: ToArg, M: ToArgs>(key: K, members: M) -> Cmd::new("SMISMEMBER").arg(key).arg(members);
    /// `SCARD key`.
    fn scard<K: ToArg>(key: K) -> Cmd::new("SCARD").arg(key);
    /// `SPOP key [count]`.
    fn spop<K: ToArg>(key: K, count: Option<usize>) -> Cmd::new("SPOP").arg(key).arg(count);
    /// `SRANDMEMBER key count`.
    fn srandmember<K: ToArg>(key: K, count: i64) -> Cmd::new("SRANDMEMBER").arg(key).arg(count);
    /// `SMOVE source destination member`.
    fn smove<S: ToArg, D: ToArg, M: ToArg>(source: S, destination: D, member: M) -> Cmd::new("SMOVE").arg(source).arg(destination).arg(member);
    /// `SINTER key...`.
    fn sinter<K: ToArgs>(keys: K) -> Cmd::new("SINTER").arg(keys);
    /// `SUNION key...`.
    fn sunion<K: ToArgs>(keys: K) -> Cmd::new("SUNION").arg(keys);
    /// `SDIFF key...`.
    fn sdiff<K: ToArgs>(keys: K) -> Cmd::new("SDIFF").arg(keys);
    /// `SINTERSTORE destination key...`.
    fn sinterstore<D: ToArg, K: ToArgs>(destination: D, keys: K) -> Cmd::new("SINTERSTORE").arg(destination).arg(keys);
    /// `SUNIONSTORE destination key...`.
    fn sunionstore<D: ToArg, K: ToArgs>(destination: D, keys: K) -> Cmd::new("SUNIONSTORE").arg(destination).arg(keys);
    /// `SDIFFSTORE destination key...`.
    fn sdiffstore<D: ToArg, K: ToArgs>(destination: D, keys: K) -> Cmd::new("SDIFFSTORE").arg(destination).arg(keys);
    /// `SINTERCARD numkeys key... LIMIT limit`.
    fn sintercard<K: ToArgs>(numkeys: usize, keys: K, limit: usize) -> Cmd::new("SINTERCARD").arg(numkeys).arg(keys).arg("LIMIT").arg(limit);
}
