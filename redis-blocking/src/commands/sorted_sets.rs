//! Sorted set commands.

use super::options::{CombineOptions, MinMax, ZAddOptions, ZRangeOptions};
use super::Counted;
use crate::{Cmd, Popped, ToArg, ToArgs};

commands! {
    /// Commands on sorted sets. Scores convert to `f64` from RESP3 doubles
    /// and RESP2 strings alike; `_with_scores` replies convert to
    /// `Vec<(member, score)>` in both protocols.
    pub trait SortedSetCommands: Handle as SORTED_SETS;

    /// `ZADD key score member`: how many were added.
    fn zadd<K: ToArg<'a>, M: ToArg<'a>>(key: K, member: M, score: f64) => Cmd::new("ZADD").arg(key).arg(score).arg(member);
    /// `ZADD key score member...`: `pairs` like `[(1.0, "a"), (2.0, "b")]`.
    fn zadd_multiple<K: ToArg<'a>, P: ToArgs<'a>>(key: K, pairs: P) => Cmd::new("ZADD").arg(key).arg(pairs);
    /// `ZADD key [NX|XX] [GT|LT] [CH] score member...`.
    fn zadd_options<K: ToArg<'a>, P: ToArgs<'a>>(key: K, options: ZAddOptions, pairs: P) => Cmd::new("ZADD").arg(key).arg(options).arg(pairs);
    /// `ZINCRBY key delta member`: the new score.
    fn zincr_by<K: ToArg<'a>, M: ToArg<'a>>(key: K, member: M, delta: f64) => Cmd::new("ZINCRBY").arg(key).arg(delta).arg(member);
    /// `ZREM key member...`.
    fn zrem<K: ToArg<'a>, M: ToArgs<'a>>(key: K, members: M) => Cmd::new("ZREM").arg(key).arg(members);
    /// `ZSCORE key member`.
    fn zscore<K: ToArg<'a>, M: ToArg<'a>>(key: K, member: M) => Cmd::new("ZSCORE").arg(key).arg(member);
    /// `ZMSCORE key member...`.
    fn zmscore<K: ToArg<'a>, M: ToArgs<'a>>(key: K, members: M) => Cmd::new("ZMSCORE").arg(key).arg(members);
    /// `ZRANK key member`.
    fn zrank<K: ToArg<'a>, M: ToArg<'a>>(key: K, member: M) => Cmd::new("ZRANK").arg(key).arg(member);
    /// `ZREVRANK key member`.
    fn zrevrank<K: ToArg<'a>, M: ToArg<'a>>(key: K, member: M) => Cmd::new("ZREVRANK").arg(key).arg(member);
    /// `ZCARD key`.
    fn zcard<K: ToArg<'a>>(key: K) => Cmd::new("ZCARD").arg(key);
    /// `ZCOUNT key min max` (`min`/`max` like `"-inf"`, `"(1.5"`).
    fn zcount<K: ToArg<'a>, A: ToArg<'a>, B: ToArg<'a>>(key: K, min: A, max: B) => Cmd::new("ZCOUNT").arg(key).arg(min).arg(max);
    /// `ZRANGE key start stop`.
    fn zrange<K: ToArg<'a>>(key: K, start: isize, stop: isize) => Cmd::new("ZRANGE").arg(key).arg(start).arg(stop);
    /// `ZRANGE key start stop WITHSCORES`.
    fn zrange_with_scores<K: ToArg<'a>>(key: K, start: isize, stop: isize) => Cmd::new("ZRANGE").arg(key).arg(start).arg(stop).arg("WITHSCORES");
    /// `ZRANGE key start stop REV`.
    fn zrevrange<K: ToArg<'a>>(key: K, start: isize, stop: isize) => Cmd::new("ZRANGE").arg(key).arg(start).arg(stop).arg("REV");
    /// `ZRANGE key start stop REV WITHSCORES`.
    fn zrevrange_with_scores<K: ToArg<'a>>(key: K, start: isize, stop: isize) => Cmd::new("ZRANGE").arg(key).arg(start).arg(stop).arg("REV").arg("WITHSCORES");
    /// `ZRANGE key min max BYSCORE`.
    fn zrange_by_score<K: ToArg<'a>, A: ToArg<'a>, B: ToArg<'a>>(key: K, min: A, max: B) => Cmd::new("ZRANGE").arg(key).arg(min).arg(max).arg("BYSCORE");
    /// `ZRANGE key min max BYSCORE WITHSCORES`.
    fn zrange_by_score_with_scores<K: ToArg<'a>, A: ToArg<'a>, B: ToArg<'a>>(key: K, min: A, max: B) => Cmd::new("ZRANGE").arg(key).arg(min).arg(max).arg("BYSCORE").arg("WITHSCORES");
    /// `ZRANGE key min max BYLEX` (`min`/`max` like `"[a"`, `"-"`).
    fn zrange_by_lex<K: ToArg<'a>, A: ToArg<'a>, B: ToArg<'a>>(key: K, min: A, max: B) => Cmd::new("ZRANGE").arg(key).arg(min).arg(max).arg("BYLEX");
    /// `ZREMRANGEBYRANK key start stop`.
    fn zrem_range_by_rank<K: ToArg<'a>>(key: K, start: isize, stop: isize) => Cmd::new("ZREMRANGEBYRANK").arg(key).arg(start).arg(stop);
    /// `ZREMRANGEBYSCORE key min max`.
    fn zrem_range_by_score<K: ToArg<'a>, A: ToArg<'a>, B: ToArg<'a>>(key: K, min: A, max: B) => Cmd::new("ZREMRANGEBYSCORE").arg(key).arg(min).arg(max);
    /// `ZPOPMIN key count`.
    fn zpop_min<K: ToArg<'a>>(key: K, count: usize) => Cmd::new("ZPOPMIN").arg(key).arg(count);
    /// `ZPOPMAX key count`.
    fn zpop_max<K: ToArg<'a>>(key: K, count: usize) => Cmd::new("ZPOPMAX").arg(key).arg(count);
    /// `BZPOPMIN key... timeout`: `[key, member, score]` or nil.
    fn bzpop_min<K: ToArgs<'a>>(keys: K, timeout: f64) => Cmd::new("BZPOPMIN").arg(keys).arg(timeout);
    /// `BZPOPMAX key... timeout`.
    fn bzpop_max<K: ToArgs<'a>>(keys: K, timeout: f64) => Cmd::new("BZPOPMAX").arg(keys).arg(timeout);
    /// `ZADD key [NX|XX] [GT|LT] [CH] INCR delta member`: the new score, or
    /// nil when a condition failed.
    fn zadd_incr<K: ToArg<'a>, M: ToArg<'a>>(key: K, options: ZAddOptions, delta: f64, member: M) => Cmd::new("ZADD").arg(key).arg(options).arg("INCR").arg(delta).arg(member);
    /// `ZRANGE key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count]`:
    /// the general form (bounds as ranks, scores or members).
    fn zrange_options<K: ToArg<'a>, A: ToArg<'a>, B: ToArg<'a>>(key: K, start: A, stop: B, options: ZRangeOptions) => Cmd::new("ZRANGE").arg(key).arg(start).arg(stop).arg(options);
    /// `ZRANGE ... WITHSCORES`: the general form with `(member, score)`
    /// pairs.
    fn zrange_options_with_scores<K: ToArg<'a>, A: ToArg<'a>, B: ToArg<'a>>(key: K, start: A, stop: B, options: ZRangeOptions) => Cmd::new("ZRANGE").arg(key).arg(start).arg(stop).arg(options).arg("WITHSCORES");
    /// `ZRANGESTORE destination source start stop [options]`: how many
    /// members were stored.
    fn zrangestore<D: ToArg<'a>, K: ToArg<'a>, A: ToArg<'a>, B: ToArg<'a>>(destination: D, source: K, start: A, stop: B, options: ZRangeOptions) => Cmd::new("ZRANGESTORE").arg(destination).arg(source).arg(start).arg(stop).arg(options);
    /// `ZLEXCOUNT key min max` (`min`/`max` like `"[a"`, `"-"`).
    fn zlexcount<K: ToArg<'a>, A: ToArg<'a>, B: ToArg<'a>>(key: K, min: A, max: B) => Cmd::new("ZLEXCOUNT").arg(key).arg(min).arg(max);
    /// `ZREMRANGEBYLEX key min max`.
    fn zrem_range_by_lex<K: ToArg<'a>, A: ToArg<'a>, B: ToArg<'a>>(key: K, min: A, max: B) => Cmd::new("ZREMRANGEBYLEX").arg(key).arg(min).arg(max);
    /// `ZMPOP numkeys key... MIN|MAX COUNT count`: up to `count` members
    /// with their scores from the first non-empty set, `None` when all are
    /// empty.
    fn zmpop<K: ToArgs<'a>>(keys: K, end: MinMax, count: usize): Option<Popped<(RV, f64)>> where RV => Cmd::new("ZMPOP").arg(Counted(keys)).arg(end).arg("COUNT").arg(count);
    /// `BZMPOP timeout numkeys key... MIN|MAX COUNT count`: `ZMPOP` waiting
    /// up to `timeout` seconds; `None` on timeout.
    fn bzmpop<K: ToArgs<'a>>(timeout: f64, keys: K, end: MinMax, count: usize): Option<Popped<(RV, f64)>> where RV => Cmd::new("BZMPOP").arg(timeout).arg(Counted(keys)).arg(end).arg("COUNT").arg(count);
    /// `ZUNION numkeys key... [WEIGHTS ...] [AGGREGATE ...]`: the members.
    fn zunion<K: ToArgs<'a>>(keys: K, options: CombineOptions) => Cmd::new("ZUNION").arg(Counted(keys)).arg(options);
    /// `ZUNION ... WITHSCORES`: `(member, score)` pairs.
    fn zunion_with_scores<K: ToArgs<'a>>(keys: K, options: CombineOptions) => Cmd::new("ZUNION").arg(Counted(keys)).arg(options).arg("WITHSCORES");
    /// `ZUNIONSTORE destination numkeys key... [options]`: the size of the
    /// result.
    fn zunionstore<D: ToArg<'a>, K: ToArgs<'a>>(destination: D, keys: K, options: CombineOptions) => Cmd::new("ZUNIONSTORE").arg(destination).arg(Counted(keys)).arg(options);
    /// `ZINTER numkeys key... [WEIGHTS ...] [AGGREGATE ...]`: the members.
    fn zinter<K: ToArgs<'a>>(keys: K, options: CombineOptions) => Cmd::new("ZINTER").arg(Counted(keys)).arg(options);
    /// `ZINTER ... WITHSCORES`: `(member, score)` pairs.
    fn zinter_with_scores<K: ToArgs<'a>>(keys: K, options: CombineOptions) => Cmd::new("ZINTER").arg(Counted(keys)).arg(options).arg("WITHSCORES");
    /// `ZINTERSTORE destination numkeys key... [options]`: the size of the
    /// result.
    fn zinterstore<D: ToArg<'a>, K: ToArgs<'a>>(destination: D, keys: K, options: CombineOptions) => Cmd::new("ZINTERSTORE").arg(destination).arg(Counted(keys)).arg(options);
    /// `ZINTERCARD numkeys key... LIMIT limit`: the size of the
    /// intersection, counting stops at `limit` (0: no limit).
    fn zintercard<K: ToArgs<'a>>(keys: K, limit: usize) => Cmd::new("ZINTERCARD").arg(Counted(keys)).arg("LIMIT").arg(limit);
    /// `ZDIFF numkeys key...`: members of the first set in none of the
    /// others.
    fn zdiff<K: ToArgs<'a>>(keys: K) => Cmd::new("ZDIFF").arg(Counted(keys));
    /// `ZDIFF numkeys key... WITHSCORES`.
    fn zdiff_with_scores<K: ToArgs<'a>>(keys: K) => Cmd::new("ZDIFF").arg(Counted(keys)).arg("WITHSCORES");
    /// `ZDIFFSTORE destination numkeys key...`.
    fn zdiffstore<D: ToArg<'a>, K: ToArgs<'a>>(destination: D, keys: K) => Cmd::new("ZDIFFSTORE").arg(destination).arg(Counted(keys));
    /// `ZRANDMEMBER key count`: up to `count` distinct members (negative:
    /// `-count`, repeats allowed).
    fn zrandmember<K: ToArg<'a>>(key: K, count: i64) => Cmd::new("ZRANDMEMBER").arg(key).arg(count);
    /// `ZRANDMEMBER key count WITHSCORES`: `(member, score)` pairs.
    fn zrandmember_with_scores<K: ToArg<'a>>(key: K, count: i64) => Cmd::new("ZRANDMEMBER").arg(key).arg(count).arg("WITHSCORES");
}
