//! Hash commands.

use crate::{Cmd, ToArg, ToArgs};

commands! {
    /// Commands on hashes.
    pub trait HashCommands: Handle as HASHES;

    /// `HGET key field`.
    fn hget<K: ToArg<'a>, F: ToArg<'a>>(key: K, field: F) => Cmd::new("HGET").arg(key).arg(field);
    /// `HSET key field value`: how many fields were added.
    fn hset<K: ToArg<'a>, F: ToArg<'a>, V: ToArg<'a>>(key: K, field: F, value: V) => Cmd::new("HSET").arg(key).arg(field).arg(value);
    /// `HSET key field value...`: `pairs` like `[("f1", 1), ("f2", 2)]`, or a
    /// `HashMap`/`BTreeMap`.
    fn hset_multiple<K: ToArg<'a>, P: ToArgs<'a>>(key: K, pairs: P) => Cmd::new("HSET").arg(key).arg(pairs);
    /// `HSETNX key field value`: true if set.
    fn hset_nx<K: ToArg<'a>, F: ToArg<'a>, V: ToArg<'a>>(key: K, field: F, value: V) => Cmd::new("HSETNX").arg(key).arg(field).arg(value);
    /// `HMGET key field...`.
    fn hmget<K: ToArg<'a>, F: ToArgs<'a>>(key: K, fields: F) => Cmd::new("HMGET").arg(key).arg(fields);
    /// `HGETALL key`: a map (RESP3) or flat pairs (RESP2); both convert to
    /// `HashMap`.
    fn hgetall<K: ToArg<'a>>(key: K) => Cmd::new("HGETALL").arg(key);
    /// `HDEL key field...`: how many were removed.
    fn hdel<K: ToArg<'a>, F: ToArgs<'a>>(key: K, fields: F) => Cmd::new("HDEL").arg(key).arg(fields);
    /// `HEXISTS key field`.
    fn hexists<K: ToArg<'a>, F: ToArg<'a>>(key: K, field: F) => Cmd::new("HEXISTS").arg(key).arg(field);
    /// `HINCRBY key field delta`.
    fn hincr_by<K: ToArg<'a>, F: ToArg<'a>>(key: K, field: F, delta: i64) => Cmd::new("HINCRBY").arg(key).arg(field).arg(delta);
    /// `HINCRBYFLOAT key field delta`.
    fn hincr_by_float<K: ToArg<'a>, F: ToArg<'a>>(key: K, field: F, delta: f64) => Cmd::new("HINCRBYFLOAT").arg(key).arg(field).arg(delta);
    /// `HKEYS key`.
    fn hkeys<K: ToArg<'a>>(key: K) => Cmd::new("HKEYS").arg(key);
    /// `HVALS key`.
    fn hvals<K: ToArg<'a>>(key: K) => Cmd::new("HVALS").arg(key);
    /// `HLEN key`.
    fn hlen<K: ToArg<'a>>(key: K) => Cmd::new("HLEN").arg(key);
    /// `HSTRLEN key field`.
    fn hstrlen<K: ToArg<'a>, F: ToArg<'a>>(key: K, field: F) => Cmd::new("HSTRLEN").arg(key).arg(field);
    /// `HRANDFIELD key count`: up to `count` distinct fields (negative:
    /// `-count` fields, repeats allowed).
    fn hrandfield<K: ToArg<'a>>(key: K, count: i64) => Cmd::new("HRANDFIELD").arg(key).arg(count);
    /// `HRANDFIELD key count WITHVALUES`: `(field, value)` pairs, from RESP2
    /// and RESP3 alike.
    fn hrandfield_with_values<K: ToArg<'a>>(key: K, count: i64) => Cmd::new("HRANDFIELD").arg(key).arg(count).arg("WITHVALUES");
}
