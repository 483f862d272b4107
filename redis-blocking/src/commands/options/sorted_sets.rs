//! Options of the sorted set commands.

use crate::cmd::ArgSink;
use crate::{ToArg, ToArgs};

/// The options of `ZADD`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ZAddOptions {
    condition: Option<&'static [u8]>,
    comparison: Option<&'static [u8]>,
    changed: bool,
}

impl ZAddOptions {
    /// `NX`: only add new members.
    pub fn only_new(mut self) -> Self {
        self.condition = Some(b"NX");
        self
    }

    /// `XX`: only update existing members.
    pub fn only_existing(mut self) -> Self {
        self.condition = Some(b"XX");
        self
    }

    /// `GT`: only update when the new score is greater.
    pub fn greater(mut self) -> Self {
        self.comparison = Some(b"GT");
        self
    }

    /// `LT`: only update when the new score is less.
    pub fn less(mut self) -> Self {
        self.comparison = Some(b"LT");
        self
    }

    /// `CH`: count changed members, not only added ones.
    pub fn changed(mut self) -> Self {
        self.changed = true;
        self
    }
}

impl<'a> ToArgs<'a> for ZAddOptions {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        if let Some(c) = self.condition {
            out.push(c);
        }
        if let Some(c) = self.comparison {
            out.push(c);
        }
        if self.changed {
            out.push(b"CH");
        }
    }
}

/// How `ZUNION`, `ZINTER` and their `STORE` forms combine the scores of a
/// member found in several sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// `SUM` (the default).
    Sum,
    /// `MIN`.
    Min,
    /// `MAX`.
    Max,
}

impl<'a> ToArg<'a> for Aggregate {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        out.push(match self {
            Aggregate::Sum => b"SUM",
            Aggregate::Min => b"MIN",
            Aggregate::Max => b"MAX",
        })
    }
}

/// The options of `ZUNION`, `ZINTER`, `ZUNIONSTORE` and `ZINTERSTORE`:
/// `WEIGHTS` and `AGGREGATE`.
///
/// # Example
///
/// ```
/// use redis_blocking::commands::{Aggregate, CombineOptions};
/// use redis_blocking::Cmd;
///
/// let options = CombineOptions::default().weights([2.0, 0.5]).aggregate(Aggregate::Max);
/// let cmd = Cmd::new("ZUNION").arg(2).arg(["a", "b"]).arg(options);
/// let args: Vec<&[u8]> = cmd.args().collect();
/// assert_eq!(args, [&b"ZUNION"[..], b"2", b"a", b"b", b"WEIGHTS", b"2", b"0.5", b"AGGREGATE", b"MAX"]);
/// ```
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CombineOptions {
    weights: Vec<f64>,
    aggregate: Option<Aggregate>,
}

impl CombineOptions {
    /// `WEIGHTS w...`: one factor per input set, in order.
    pub fn weights(mut self, weights: impl IntoIterator<Item = f64>) -> Self {
        self.weights = weights.into_iter().collect();
        self
    }

    /// `AGGREGATE SUM|MIN|MAX`.
    pub fn aggregate(mut self, aggregate: Aggregate) -> Self {
        self.aggregate = Some(aggregate);
        self
    }
}

impl<'a> ToArgs<'a> for CombineOptions {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        if !self.weights.is_empty() {
            out.push(b"WEIGHTS");
            self.weights.iter().for_each(|w| w.write_arg(out));
        }
        if let Some(aggregate) = self.aggregate {
            out.push(b"AGGREGATE");
            aggregate.write_arg(out);
        }
    }
}

/// What the bounds of a `ZRANGE` or `ZRANGESTORE` are, its direction and
/// its `LIMIT`.
///
/// # Example
///
/// ```
/// use redis_blocking::commands::ZRangeOptions;
/// use redis_blocking::Cmd;
///
/// let options = ZRangeOptions::default().by_score().rev().limit(0, 10);
/// let cmd = Cmd::new("ZRANGE").arg("z").arg("+inf").arg("(5").arg(options);
/// let args: Vec<&[u8]> = cmd.args().collect();
/// assert_eq!(args, [&b"ZRANGE"[..], b"z", b"+inf", b"(5", b"BYSCORE", b"REV", b"LIMIT", b"0", b"10"]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ZRangeOptions {
    by: Option<&'static [u8]>,
    rev: bool,
    limit: Option<(i64, i64)>,
}

impl ZRangeOptions {
    /// `BYSCORE`: the bounds are scores (`"-inf"`, `"(1.5"`, `3`).
    pub fn by_score(mut self) -> Self {
        self.by = Some(b"BYSCORE");
        self
    }

    /// `BYLEX`: the bounds are members (`"[a"`, `"(b"`, `"-"`, `"+"`).
    pub fn by_lex(mut self) -> Self {
        self.by = Some(b"BYLEX");
        self
    }

    /// `REV`: from the highest; give the bounds high first.
    pub fn rev(mut self) -> Self {
        self.rev = true;
        self
    }

    /// `LIMIT offset count` (with `BYSCORE` or `BYLEX`; a negative count
    /// is all from the offset).
    pub fn limit(mut self, offset: i64, count: i64) -> Self {
        self.limit = Some((offset, count));
        self
    }
}

impl<'a> ToArgs<'a> for ZRangeOptions {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        if let Some(by) = self.by {
            out.push(by);
        }
        if self.rev {
            out.push(b"REV");
        }
        if let Some((offset, count)) = self.limit {
            out.push(b"LIMIT");
            offset.write_arg(out);
            count.write_arg(out);
        }
    }
}

/// Which end of a sorted set `ZMPOP` and `BZMPOP` pop from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MinMax {
    /// `MIN`: the lowest scores.
    Min,
    /// `MAX`: the highest scores.
    Max,
}

impl<'a> ToArg<'a> for MinMax {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        out.push(match self {
            MinMax::Min => b"MIN",
            MinMax::Max => b"MAX",
        })
    }
}
