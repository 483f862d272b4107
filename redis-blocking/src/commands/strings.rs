//! String commands.

use super::options::{Expiry, LcsOptions, SetOptions};
use crate::{Cmd, LcsMatches, ToArg, ToArgs};

commands! {
    /// Commands on string values.
    pub trait StringCommands: Handle as STRINGS;

    /// `GET key`: the value, or nil.
    fn get<K: ToArg<'a>>(key: K) => Cmd::new("GET").arg(key);
    /// `SET key value`.
    fn set<K: ToArg<'a>, V: ToArg<'a>>(key: K, value: V) => Cmd::new("SET").arg(key).arg(value);
    /// `SET key value [NX|XX] [GET] [EX|PX|EXAT|PXAT|KEEPTTL]`: nil when a
    /// condition failed; the old value with `GET`.
    fn set_options<K: ToArg<'a>, V: ToArg<'a>>(key: K, value: V, options: SetOptions) => Cmd::new("SET").arg(key).arg(value).arg(options);
    /// `SET key value NX`: true if set.
    fn set_nx<K: ToArg<'a>, V: ToArg<'a>>(key: K, value: V) => Cmd::new("SET").arg(key).arg(value).arg("NX");
    /// `SET key value EX seconds`.
    fn set_ex<K: ToArg<'a>, V: ToArg<'a>>(key: K, value: V, seconds: u64) => Cmd::new("SET").arg(key).arg(value).arg("EX").arg(seconds);
    /// `SET key value PX milliseconds`.
    fn pset_ex<K: ToArg<'a>, V: ToArg<'a>>(key: K, value: V, millis: u64) => Cmd::new("SET").arg(key).arg(value).arg("PX").arg(millis);
    /// `GETDEL key`: the value (or nil), and the key deleted.
    fn get_del<K: ToArg<'a>>(key: K) => Cmd::new("GETDEL").arg(key);
    /// `GETEX key EX|PX|EXAT|PXAT|PERSIST`: the value, and its expiry changed
    /// ([`Expiry::Keep`] is `PERSIST`).
    fn get_ex<K: ToArg<'a>>(key: K, expiry: Expiry) => Cmd::new("GETEX").arg(key).arg(expiry);
    /// `GETRANGE key start end`.
    fn get_range<K: ToArg<'a>>(key: K, start: isize, end: isize) => Cmd::new("GETRANGE").arg(key).arg(start).arg(end);
    /// `SETRANGE key offset value`: the new length.
    fn set_range<K: ToArg<'a>, V: ToArg<'a>>(key: K, offset: usize, value: V) => Cmd::new("SETRANGE").arg(key).arg(offset).arg(value);
    /// `APPEND key value`: the new length.
    fn append<K: ToArg<'a>, V: ToArg<'a>>(key: K, value: V) => Cmd::new("APPEND").arg(key).arg(value);
    /// `STRLEN key`.
    fn strlen<K: ToArg<'a>>(key: K) => Cmd::new("STRLEN").arg(key);
    /// `INCR key`: the new value.
    fn incr<K: ToArg<'a>>(key: K) => Cmd::new("INCR").arg(key);
    /// `INCRBY key delta`.
    fn incr_by<K: ToArg<'a>>(key: K, delta: i64) => Cmd::new("INCRBY").arg(key).arg(delta);
    /// `INCRBYFLOAT key delta`.
    fn incr_by_float<K: ToArg<'a>>(key: K, delta: f64) => Cmd::new("INCRBYFLOAT").arg(key).arg(delta);
    /// `DECR key`.
    fn decr<K: ToArg<'a>>(key: K) => Cmd::new("DECR").arg(key);
    /// `DECRBY key delta`.
    fn decr_by<K: ToArg<'a>>(key: K, delta: i64) => Cmd::new("DECRBY").arg(key).arg(delta);
    /// `MGET key...`: one value or nil per key.
    fn mget<K: ToArgs<'a>>(keys: K) => Cmd::new("MGET").arg(keys);
    /// `MSET key value...`: `pairs` like `[("k1", "v1"), ("k2", "v2")]` or a
    /// map.
    fn mset<P: ToArgs<'a>>(pairs: P) => Cmd::new("MSET").arg(pairs);
    /// `MSETNX key value...`: true if all were set.
    fn mset_nx<P: ToArgs<'a>>(pairs: P) => Cmd::new("MSETNX").arg(pairs);
    /// `LCS key1 key2`: the longest common subsequence.
    fn lcs<K: ToArg<'a>, L: ToArg<'a>>(key1: K, key2: L) => Cmd::new("LCS").arg(key1).arg(key2);
    /// `LCS key1 key2 LEN`: its length.
    fn lcs_len<K: ToArg<'a>, L: ToArg<'a>>(key1: K, key2: L): usize => Cmd::new("LCS").arg(key1).arg(key2).arg("LEN");
    /// `LCS key1 key2 IDX [MINMATCHLEN n] [WITHMATCHLEN]`: where the common
    /// substrings are.
    fn lcs_idx<K: ToArg<'a>, L: ToArg<'a>>(key1: K, key2: L, options: LcsOptions): LcsMatches => Cmd::new("LCS").arg(key1).arg(key2).arg(options);
}
