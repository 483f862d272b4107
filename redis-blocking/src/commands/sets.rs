//! Set commands.

use super::Counted;
use crate::{Cmd, ToArg, ToArgs};

commands! {
    /// Commands on sets.
    pub trait SetCommands: Handle as SETS;

    /// `SADD key member...`: how many were added.
    fn sadd<K: ToArg<'a>, M: ToArgs<'a>>(key: K, members: M) => Cmd::new("SADD").arg(key).arg(members);
    /// `SREM key member...`: how many were removed.
    fn srem<K: ToArg<'a>, M: ToArgs<'a>>(key: K, members: M) => Cmd::new("SREM").arg(key).arg(members);
    /// `SMEMBERS key`: a set (RESP3) or array (RESP2); both convert to
    /// `HashSet`.
    fn smembers<K: ToArg<'a>>(key: K) => Cmd::new("SMEMBERS").arg(key);
    /// `SISMEMBER key member`.
    fn sismember<K: ToArg<'a>, M: ToArg<'a>>(key: K, member: M) => Cmd::new("SISMEMBER").arg(key).arg(member);
    /// `SMISMEMBER key member...`.
    fn smismember<K: ToArg<'a>, M: ToArgs<'a>>(key: K, members: M) => Cmd::new("SMISMEMBER").arg(key).arg(members);
    /// `SCARD key`.
    fn scard<K: ToArg<'a>>(key: K) => Cmd::new("SCARD").arg(key);
    /// `SPOP key [count]`.
    fn spop<K: ToArg<'a>>(key: K, count: Option<usize>) => Cmd::new("SPOP").arg(key).arg(count);
    /// `SRANDMEMBER key count`: up to `count` distinct members (negative:
    /// `-count`, repeats allowed).
    fn srandmember<K: ToArg<'a>>(key: K, count: i64) => Cmd::new("SRANDMEMBER").arg(key).arg(count);
    /// `SMOVE source destination member`.
    fn smove<S: ToArg<'a>, D: ToArg<'a>, M: ToArg<'a>>(source: S, destination: D, member: M) => Cmd::new("SMOVE").arg(source).arg(destination).arg(member);
    /// `SINTER key...`.
    fn sinter<K: ToArgs<'a>>(keys: K) => Cmd::new("SINTER").arg(keys);
    /// `SUNION key...`.
    fn sunion<K: ToArgs<'a>>(keys: K) => Cmd::new("SUNION").arg(keys);
    /// `SDIFF key...`.
    fn sdiff<K: ToArgs<'a>>(keys: K) => Cmd::new("SDIFF").arg(keys);
    /// `SINTERSTORE destination key...`.
    fn sinterstore<D: ToArg<'a>, K: ToArgs<'a>>(destination: D, keys: K) => Cmd::new("SINTERSTORE").arg(destination).arg(keys);
    /// `SUNIONSTORE destination key...`.
    fn sunionstore<D: ToArg<'a>, K: ToArgs<'a>>(destination: D, keys: K) => Cmd::new("SUNIONSTORE").arg(destination).arg(keys);
    /// `SDIFFSTORE destination key...`.
    fn sdiffstore<D: ToArg<'a>, K: ToArgs<'a>>(destination: D, keys: K) => Cmd::new("SDIFFSTORE").arg(destination).arg(keys);
    /// `SINTERCARD numkeys key... LIMIT limit`: the size of the
    /// intersection, counting stops at `limit` (0: no limit); `numkeys` is
    /// counted for you.
    fn sintercard<K: ToArgs<'a>>(keys: K, limit: usize) => Cmd::new("SINTERCARD").arg(Counted(keys)).arg("LIMIT").arg(limit);
}
