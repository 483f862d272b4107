//! String commands.

use super::options::{Expiry, SetOptions};
use crate::Cmd;

commands! {
    /// Commands on string values.
    pub trait StringCommands;

    /// `GET key`: the value, or nil.
    fn get<K: ToArg>(key: K) -> Cmd::new("GET").arg(key);
    /// `SET key value`.
    fn set<K: ToArg, V: ToArg>(key: K, value: V) -> Cmd::new("SET").arg(key).arg(value);
    /// `SET key value [NX|XX] [GET] [EX|PX|EXAT|PXAT|KEEPTTL]`: nil when a
    /// condition failed; the old value with `GET`.
    fn set_options<K: ToArg, V: ToArg>(key: K, value: V, options: SetOptions) -> Cmd::new("SET").arg(key).arg(value).arg(options);
    /// `SET key value NX`: true if set.
    fn set_nx<K: ToArg, V: ToArg>(key: K, value: V) -> Cmd::new("SET").arg(key).arg(value).arg("NX");
    /// `SET key value EX seconds`.
    fn set_ex<K: ToArg, V: ToArg>(key: K, value: V, seconds: u64) -> Cmd::new("SET").arg(key).arg(value).arg("EX").arg(seconds);
    /// `SET key value PX milliseconds`.
    fn pset_ex<K: ToArg, V: ToArg>(key: K, value: V, millis: u64) -> Cmd::new("SET").arg(key).arg(value).arg("PX").arg(millis);
    /// `GETDEL key`.
    fn get_del<K: ToArg>(key: K) -> Cmd::new("GETDEL").arg(key);
    /// `GETEX key [expiry]`.
    fn get_ex<K: ToArg>(key: K, expiry: Expiry) -> Cmd::new("GETEX").arg(key).arg(expiry);
    /// `GETRANGE key start end`.
    fn get_range<K: ToArg>(key: K, start: isize, end: isize) -> Cmd::new("GETRANGE").arg(key).arg(start).arg(end);
    /// `SETRANGE key offset value`: the new length.
    fn set_range<K: ToArg, V: ToArg>(key: K, offset: usize, value: V) -> Cmd::new("SETRANGE").arg(key).arg(offset).arg(value);
    /// `APPEND key value`: the new length.
    fn append<K: ToArg, V: ToArg>(key: K, value: V) -> Cmd::new("APPEND").arg(key).arg(value);
    /// `STRLEN key`.
    fn strlen<K: ToArg>(key: K) -> Cmd::new("STRLEN").arg(key);
    /// `INCR key`: the new value.
    fn incr<K: ToArg>(key: K) -> Cmd::new("INCR").arg(key);
    /// `INCRBY key delta`.
    fn incr_by<K: ToArg>(key: K, delta: i64) -> Cmd::new("INCRBY").arg(key).arg(delta);
    /// `INCRBYFLOAT key delta`.
    fn incr_by_float<K: ToArg>(key: K, delta: f64) -> Cmd::new("INCRBYFLOAT").arg(key).arg(delta);
    /// `DECR key`.
    fn decr<K: ToArg>(key: K) -> Cmd::new("DECR").arg(key);
    /// `DECRBY key delta`.
    fn decr_by<K: ToArg>(key: K, delta: i64) -> Cmd::new("DECRBY").arg(key).arg(delta);
    /// `MGET key...`: one value or nil per key.
    fn mget<K: ToArgs>(keys: K) -> Cmd::new("MGET").arg(keys);
    /// `MSET key value...`: `pairs` like `[("k1", "v1"), ("k2", "v2")]`.
    fn mset<P: ToArgs>(pairs: P) -> Cmd::new("MSET").arg(pairs);
    /// `MSETNX key value...`: true if all were set.
    fn mset_nx<P: ToArgs>(pairs: P) -> Cmd::new("MSETNX").arg(pairs);
    /// `LCS key1 key2`: the longest common subsequence.
    fn lcs<K: ToArg, L: ToArg>(key1: K, key2: L) -> Cmd::new("LCS").arg(key1).arg(key2);
}
