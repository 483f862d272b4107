//! Hash commands.

use crate::Cmd;

commands! {
    /// Commands on hashes.
    pub trait HashCommands;

    /// `HGET key field`.
    fn hget<K: ToArg, F: ToArg>(key: K, field: F) -> Cmd::new("HGET").arg(key).arg(field);
    /// `HSET key field value`: how many fields were added.
    fn hset<K: ToArg, F: ToArg, V: ToArg>(key: K, field: F, value: V) -> Cmd::new("HSET").arg(key).arg(field).arg(value);
    /// `HSET key field value...`: `pairs` like `[("f1", 1), ("f2", 2)]`.
    fn hset_multiple<K: ToArg, P: ToArgs>(key: K, pairs: P) -> Cmd::new("HSET").arg(key).arg(pairs);
    /// `HSETNX key field value`: true if set.
    fn hset_nx<K: ToArg, F: ToArg, V: ToArg>(key: K, field: F, value: V) -> Cmd::new("HSETNX").arg(key).arg(field).arg(value);
    /// `HMGET key field...`.
    fn hmget<K: ToArg, F: ToArgs>(key: K, fields: F) -> Cmd::new("HMGET").arg(key).arg(fields);
    /// `HGETALL key`: a map (RESP3) or flat pairs (RESP2); both convert to
    /// `HashMap`.
    fn hgetall<K: ToArg>(key: K) -> Cmd::new("HGETALL").arg(key);
    /// `HDEL key field...`: how many were removed.
    fn hdel<K: ToArg, F: ToArgs>(key: K, fields: F) -> Cmd::new("HDEL").arg(key).arg(fields);
    /// `HEXISTS key field`.
    fn hexists<K: ToArg, F: ToArg>(key: K, field: F) -> Cmd::new("HEXISTS").arg(key).arg(field);
    /// `HINCRBY key field delta`.
    fn hincr_by<K: ToArg, F: ToArg>(key: K, field: F, delta: i64) -> Cmd::new("HINCRBY").arg(key).arg(field).arg(delta);
    /// `HINCRBYFLOAT key field delta`.
    fn hincr_by_float<K: ToArg, F: ToArg>(key: K, field: F, delta: f64) -> Cmd::new("HINCRBYFLOAT").arg(key).arg(field).arg(delta);
    /// `HKEYS key`.
    fn hkeys<K: ToArg>(key: K) -> Cmd::new("HKEYS").arg(key);
    /// `HVALS key`.
    fn hvals<K: ToArg>(key: K) -> Cmd::new("HVALS").arg(key);
    /// `HLEN key`.
    fn hlen<K: ToArg>(key: K) -> Cmd::new("HLEN").arg(key);
    /// `HSTRLEN key field`.
    fn hstrlen<K: ToArg, F: ToArg>(key: K, field: F) -> Cmd::new("HSTRLEN").arg(key).arg(field);
    /// `HRANDFIELD key count`.
    fn hrandfield<K: ToArg>(key: K, count: i64) -> Cmd::new("HRANDFIELD").arg(key).arg(count);
}
