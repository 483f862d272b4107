//! List commands, blocking pops included.

use super::options::Direction;
use crate::Cmd;

commands! {
    /// Commands on lists. Blocking commands extend the call's deadline by
    /// their own timeout (seconds, fractions allowed; 0 waits forever).
    pub trait ListCommands;

    /// `LPUSH key value...`: the new length.
    fn lpush<K: ToArg, V: ToArgs>(key: K, values: V) -> Cmd::new("LPUSH").arg(key).arg(values);
    /// `RPUSH key value...`: the new length.
    fn rpush<K: ToArg, V: ToArgs>(key: K, values: V) -> Cmd::new("RPUSH").arg(key).arg(values);
    /// `LPUSHX key value...`: only if the list exists.
    fn lpush_x<K: ToArg, V: ToArgs>(key: K, values: V) -> Cmd::new("LPUSHX").arg(key).arg(values);
    /// `RPUSHX key value...`: only if the list exists.
    fn rpush_x<K: ToArg, V: ToArgs>(key: K, values: V) -> Cmd::new("RPUSHX").arg(key).arg(values);
    /// `LPOP key [count]`.
    fn lpop<K: ToArg>(key: K, count: Option<usize>) -> Cmd::new("LPOP").arg(key).arg(count);
    /// `RPOP key [count]`.
    fn rpop<K: ToArg>(key: K, count: Option<usize>) -> Cmd::new("RPOP").arg(key).arg(count);
    /// `LLEN key`.
    fn llen<K: ToArg>(key: K) -> Cmd::new("LLEN").arg(key);
    /// `LRANGE key start stop`.
    fn lrange<K: ToArg>(key: K, start: isize, stop: isize) -> Cmd::new("LRANGE").arg(key).arg(start).arg(stop);
    /// `LINDEX key index`.
    fn lindex<K: ToArg>(key: K, index: isize) -> Cmd::new("LINDEX").arg(key).arg(index);
    /// `LSET key index value`.
    fn lset<K: ToArg, V: ToArg>(key: K, index: isize, value: V) -> Cmd::new("LSET").arg(key).arg(index).arg(value);
    /// `LINSERT key BEFORE pivot value`.
    fn linsert_before<K: ToArg, P: ToArg, V: ToArg>(key: K, pivot: P, value: V) -> Cmd::new("LINSERT").arg(key).arg("BEFORE").arg(pivot).arg(value);
    /// `LINSERT key AFTER pivot value`.
    fn linsert_after<K: ToArg, P: ToArg, V: ToArg>(key: K, pivot: P, value: V) -> Cmd::new("LINSERT").arg(key).arg("AFTER").arg(pivot).arg(value);
    /// `LREM key count value`.
    fn lrem<K: ToArg, V: ToArg>(key: K, count: isize, value: V) -> Cmd::new("LREM").arg(key).arg(count).arg(value);
    /// `LTRIM key start stop`.
    fn ltrim<K: ToArg>(key: K, start: isize, stop: isize) -> Cmd::new("LTRIM").arg(key).arg(start).arg(stop);
    /// `LPOS key element`.
    fn lpos<K: ToArg, V: ToArg>(key: K, element: V) -> Cmd::new("LPOS").arg(key).arg(element);
    /// `LMOVE source destination from to`.
    fn lmove<S: ToArg, D: ToArg>(source: S, destination: D, from: Direction, to: Direction) -> Cmd::new("LMOVE").arg(source).arg(destination).arg(from).arg(to);
    /// `LMPOP numkeys key... LEFT|RIGHT COUNT count`: `[key, [values]]` or nil.
    fn lmpop<K: ToArgs>(numkeys: usize, keys: K, from: Direction, count: usize) -> Cmd::new("LMPOP").arg(numkeys).arg(keys).arg(from).arg("COUNT").arg(count);
    /// `BLPOP key... timeout`: `[key, value]`, or nil after `timeout` seconds.
    fn blpop<K: ToArgs>(keys: K, timeout: f64) -> Cmd::new("BLPOP").arg(keys).arg(timeout);
    /// `BRPOP key... timeout`.
    fn brpop<K: ToArgs>(keys: K, timeout: f64) -> Cmd::new("BRPOP").arg(keys).arg(timeout);
    /// `BLMOVE source destination from to timeout`.
    fn blmove<S: ToArg, D: ToArg>(source: S, destination: D, from: Direction, to: Direction, timeout: f64) -> Cmd::new("BLMOVE").arg(source).arg(destination).arg(from).arg(to).arg(timeout);
    /// `BLMPOP timeout numkeys key... LEFT|RIGHT COUNT count`.
    fn blmpop<K: ToArgs>(timeout: f64, numkeys: usize, keys: K, from: Direction, count: usize) -> Cmd::new("BLMPOP").arg(timeout).arg(numkeys).arg(keys).arg(from).arg("COUNT").arg(count);
}
