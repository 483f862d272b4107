//! Sorted set commands.

use super::options::ZAddOptions;
use crate::Cmd;

commands! {
    /// Commands on sorted sets. Scores convert to `f64` from RESP3 doubles
    /// and RESP2 strings alike; `_with_scores` replies convert to
    /// `Vec<(member, score)>` in both protocols.
    pub trait SortedSetCommands;

    /// `ZADD key score member`: how many were added.
    fn zadd<K: ToArg, M: ToArg>(key: K, member: M, score: f64) -> Cmd::new("ZADD").arg(key).arg(score).arg(member);
    /// `ZADD key score member...`: `pairs` like `[(1.0, "a"), (2.0, "b")]`.
    fn zadd_multiple<K: ToArg, P: ToArgs>(key: K, pairs: P) -> Cmd::new("ZADD").arg(key).arg(pairs);
    /// `ZADD key [NX|XX] [GT|LT] [CH] score member...`.
    fn zadd_options<K: ToArg, P: ToArgs>(key: K, options: ZAddOptions, pairs: P) -> Cmd::new("ZADD").arg(key).arg(options).arg(pairs);
    /// `ZINCRBY key delta member`: the new score.
    fn zincr_by<K: ToArg, M: ToArg>(key: K, member: M, delta: f64) -> Cmd::new("ZINCRBY").arg(key).arg(delta).arg(member);
    /// `ZREM key member...`.
    fn zrem<K: ToArg, M: ToArgs>(key: K, members: M) -> Cmd::new("ZREM").arg(key).arg(members);
    /// `ZSCORE key member`.
    fn zscore<K: ToArg, M: ToArg>(key: K, member: M) -> Cmd::new("ZSCORE").arg(key).arg(member);
    /// `ZMSCORE key member...`.
    fn zmscore<K: ToArg, M: ToArgs>(key: K, members: M) -> Cmd::new("ZMSCORE").arg(key).arg(members);
    /// `ZRANK key member`.
    fn zrank<K: ToArg, M: ToArg>(key: K, member: M) -> Cmd::new("ZRANK").arg(key).arg(member);
    /// `ZREVRANK key member`.
    fn zrevrank<K: ToArg, M: ToArg>(key: K, member: M) -> Cmd::new("ZREVRANK").arg(key).arg(member);
    /// `ZCARD key`.
    fn zcard<K: ToArg>(key: K) -> Cmd::new("ZCARD").arg(key);
    /// `ZCOUNT key min max` (`min`/`max` like `"-inf"`, `"(1.5"`).
    fn zcount<K: ToArg, A: ToArg, B: ToArg>(key: K, min: A, max: B) -> Cmd::new("ZCOUNT").arg(key).arg(min).arg(max);
    /// `ZRANGE key start stop`.
    fn zrange<K: ToArg>(key: K, start: isize, stop: isize) -> Cmd::new("ZRANGE").arg(key).arg(start).arg(stop);
    /// `ZRANGE key start stop WITHSCORES`.
    fn zrange_with_scores<K: ToArg>(key: K, start: isize, stop: isize) -> Cmd::new("ZRANGE").arg(key).arg(start).arg(stop).arg("WITHSCORES");
    /// `ZRANGE key start stop REV`.
    fn zrevrange<K: ToArg>(key: K, start: isize, stop: isize) -> Cmd::new("ZRANGE").arg(key).arg(start).arg(stop).arg("REV");
    /// `ZRANGE key start stop REV WITHSCORES`.
    fn zrevrange_with_scores<K: ToArg>(key: K, start: isize, stop: isize) -> Cmd::new("ZRANGE").arg(key).arg(start).arg(stop).arg("REV").arg("WITHSCORES");
    /// `ZRANGE key min max BYSCORE`.
    fn zrange_by_score<K: ToArg, A: ToArg, B: ToArg>(key: K, min: A, max: B) -> Cmd::new("ZRANGE").arg(key).arg(min).arg(max).arg("BYSCORE");
    /// `ZRANGE key min max BYSCORE WITHSCORES`.
    fn zrange_by_score_with_scores<K: ToArg, A: ToArg, B: ToArg>(key: K, min: A, max: B) -> Cmd::new("ZRANGE").arg(key).arg(min).arg(max).arg("BYSCORE").arg("WITHSCORES");
    /// `ZRANGE key min max BYLEX` (`min`/`max` like `"[a"`, `"-"`).
    fn zrange_by_lex<K: ToArg, A: ToArg, B: ToArg>(key: K, min: A, max: B) -> Cmd::new("ZRANGE").arg(key).arg(min).arg(max).arg("BYLEX");
    /// `ZREMRANGEBYRANK key start stop`.
    fn zrem_range_by_rank<K: ToArg>(key: K, start: isize, stop: isize) -> Cmd::new("ZREMRANGEBYRANK").arg(key).arg(start).arg(stop);
    /// `ZREMRANGEBYSCORE key min max`.
    fn zrem_range_by_score<K: ToArg, A: ToArg, B: ToArg>(key: K, min: A, max: B) -> Cmd::new("ZREMRANGEBYSCORE").arg(key).arg(min).arg(max);
    /// `ZPOPMIN key count`.
    fn zpop_min<K: ToArg>(key: K, count: usize) -> Cmd::new("ZPOPMIN").arg(key).arg(count);
    /// `ZPOPMAX key count`.
    fn zpop_max<K: ToArg>(key: K, count: usize) -> Cmd::new("ZPOPMAX").arg(key).arg(count);
    /// `BZPOPMIN key... timeout`: `[key, member, score]` or nil.
    fn bzpop_min<K: ToArgs>(keys: K, timeout: f64) -> Cmd::new("BZPOPMIN").arg(keys).arg(timeout);
    /// `BZPOPMAX key... timeout`.
    fn bzpop_max<K: ToArgs>(keys: K, timeout: f64) -> Cmd::new("BZPOPMAX").arg(keys).arg(timeout);
    /// `ZUNIONSTORE destination numkeys key...`.
    fn zunionstore<D: ToArg, K: ToArgs>(destination: D, numkeys: usize, keys: K) -> Cmd::new("ZUNIONSTORE").arg(destination).arg(numkeys).arg(keys);
    /// `ZINTERSTORE destination numkeys key...`.
    fn zinterstore<D: ToArg, K: ToArgs>(destination: D, numkeys: usize, keys: K) -> Cmd::new("ZINTERSTORE").arg(destination).arg(numkeys).arg(keys);
    /// `ZDIFFSTORE destination numkeys key...`.
    fn zdiffstore<D: ToArg, K: ToArgs>(destination: D, numkeys: usize, keys: K) -> Cmd::new("ZDIFFSTORE").arg(destination).arg(numkeys).arg(keys);
    /// `ZRANDMEMBER key count`.
    fn zrandmember<K: ToArg>(key: K, count: i64) -> Cmd::new("ZRANDMEMBER").arg(key).arg(count);
}
