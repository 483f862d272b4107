//! List commands, blocking pops included.

use super::options::{Direction, LposOptions};
use super::Counted;
use crate::{Cmd, Popped, ToArg, ToArgs};

commands! {
    /// Commands on lists. Blocking commands extend the call's deadline by
    /// their own timeout (seconds, fractions allowed; 0 waits forever).
    pub trait ListCommands: Handle as LISTS;

    /// `LPUSH key value...`: the new length.
    fn lpush<K: ToArg<'a>, V: ToArgs<'a>>(key: K, values: V) => Cmd::new("LPUSH").arg(key).arg(values);
    /// `RPUSH key value...`: the new length.
    fn rpush<K: ToArg<'a>, V: ToArgs<'a>>(key: K, values: V) => Cmd::new("RPUSH").arg(key).arg(values);
    /// `LPUSHX key value...`: only if the list exists.
    fn lpush_x<K: ToArg<'a>, V: ToArgs<'a>>(key: K, values: V) => Cmd::new("LPUSHX").arg(key).arg(values);
    /// `RPUSHX key value...`: only if the list exists.
    fn rpush_x<K: ToArg<'a>, V: ToArgs<'a>>(key: K, values: V) => Cmd::new("RPUSHX").arg(key).arg(values);
    /// `LPOP key [count]`.
    fn lpop<K: ToArg<'a>>(key: K, count: Option<usize>) => Cmd::new("LPOP").arg(key).arg(count);
    /// `RPOP key [count]`.
    fn rpop<K: ToArg<'a>>(key: K, count: Option<usize>) => Cmd::new("RPOP").arg(key).arg(count);
    /// `LLEN key`.
    fn llen<K: ToArg<'a>>(key: K) => Cmd::new("LLEN").arg(key);
    /// `LRANGE key start stop`.
    fn lrange<K: ToArg<'a>>(key: K, start: isize, stop: isize) => Cmd::new("LRANGE").arg(key).arg(start).arg(stop);
    /// `LINDEX key index`.
    fn lindex<K: ToArg<'a>>(key: K, index: isize) => Cmd::new("LINDEX").arg(key).arg(index);
    /// `LSET key index value`.
    fn lset<K: ToArg<'a>, V: ToArg<'a>>(key: K, index: isize, value: V) => Cmd::new("LSET").arg(key).arg(index).arg(value);
    /// `LINSERT key BEFORE pivot value`.
    fn linsert_before<K: ToArg<'a>, P: ToArg<'a>, V: ToArg<'a>>(key: K, pivot: P, value: V) => Cmd::new("LINSERT").arg(key).arg("BEFORE").arg(pivot).arg(value);
    /// `LINSERT key AFTER pivot value`.
    fn linsert_after<K: ToArg<'a>, P: ToArg<'a>, V: ToArg<'a>>(key: K, pivot: P, value: V) => Cmd::new("LINSERT").arg(key).arg("AFTER").arg(pivot).arg(value);
    /// `LREM key count value`.
    fn lrem<K: ToArg<'a>, V: ToArg<'a>>(key: K, count: isize, value: V) => Cmd::new("LREM").arg(key).arg(count).arg(value);
    /// `LTRIM key start stop`.
    fn ltrim<K: ToArg<'a>>(key: K, start: isize, stop: isize) => Cmd::new("LTRIM").arg(key).arg(start).arg(stop);
    /// `LPOS key element [RANK rank] [MAXLEN len]`: the index of the
    /// match, `None` if there is none.
    fn lpos<K: ToArg<'a>, V: ToArg<'a>>(key: K, element: V, options: LposOptions): Option<usize> => Cmd::new("LPOS").arg(key).arg(element).arg(options);
    /// `LPOS key element [RANK rank] COUNT count [MAXLEN len]`: the indexes
    /// of up to `count` matches (0: all).
    fn lpos_count<K: ToArg<'a>, V: ToArg<'a>>(key: K, element: V, count: usize, options: LposOptions): Vec<usize> => Cmd::new("LPOS").arg(key).arg(element).arg(options).arg("COUNT").arg(count);
    /// `LMOVE source destination from to`.
    fn lmove<S: ToArg<'a>, D: ToArg<'a>>(source: S, destination: D, from: Direction, to: Direction) => Cmd::new("LMOVE").arg(source).arg(destination).arg(from).arg(to);
    /// `LMPOP numkeys key... LEFT|RIGHT COUNT count`: up to `count` values
    /// from the first non-empty list, `None` when all are empty.
    fn lmpop<K: ToArgs<'a>>(keys: K, from: Direction, count: usize): Option<Popped<RV>> where RV => Cmd::new("LMPOP").arg(Counted(keys)).arg(from).arg("COUNT").arg(count);
    /// `BLPOP key... timeout`: `[key, value]`, or nil after `timeout` seconds.
    fn blpop<K: ToArgs<'a>>(keys: K, timeout: f64) => Cmd::new("BLPOP").arg(keys).arg(timeout);
    /// `BRPOP key... timeout`.
    fn brpop<K: ToArgs<'a>>(keys: K, timeout: f64) => Cmd::new("BRPOP").arg(keys).arg(timeout);
    /// `BLMOVE source destination from to timeout`.
    fn blmove<S: ToArg<'a>, D: ToArg<'a>>(source: S, destination: D, from: Direction, to: Direction, timeout: f64) => Cmd::new("BLMOVE").arg(source).arg(destination).arg(from).arg(to).arg(timeout);
    /// `BLMPOP timeout numkeys key... LEFT|RIGHT COUNT count`: `LMPOP`
    /// waiting up to `timeout` seconds for a value; `None` on timeout.
    fn blmpop<K: ToArgs<'a>>(timeout: f64, keys: K, from: Direction, count: usize): Option<Popped<RV>> where RV => Cmd::new("BLMPOP").arg(timeout).arg(Counted(keys)).arg(from).arg("COUNT").arg(count);
}
