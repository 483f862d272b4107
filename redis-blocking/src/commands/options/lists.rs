//! Options of the list commands.

use crate::cmd::ArgSink;
use crate::{ToArg, ToArgs};

/// A list end, for `LMOVE`, `BLMOVE`, `LMPOP`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The head.
    Left,
    /// The tail.
    Right,
}

impl<'a> ToArg<'a> for Direction {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        out.push(match self {
            Direction::Left => b"LEFT",
            Direction::Right => b"RIGHT",
        })
    }
}

/// The options of `LPOS`: `RANK` and `MAXLEN` (`COUNT` has its own
/// method, since it changes the reply).
///
/// # Example
///
/// ```
/// use redis_blocking::commands::LposOptions;
/// use redis_blocking::Cmd;
///
/// let cmd = Cmd::new("LPOS").arg("l").arg("x").arg(LposOptions::default().rank(-1).max_len(100));
/// let args: Vec<&[u8]> = cmd.args().collect();
/// assert_eq!(args, [&b"LPOS"[..], b"l", b"x", b"RANK", b"-1", b"MAXLEN", b"100"]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LposOptions {
    rank: Option<i64>,
    max_len: Option<usize>,
}

impl LposOptions {
    /// `RANK rank`: skip to the rank-th match (negative: from the tail).
    pub fn rank(mut self, rank: i64) -> Self {
        self.rank = Some(rank);
        self
    }

    /// `MAXLEN len`: compare at most `len` elements (0: all).
    pub fn max_len(mut self, len: usize) -> Self {
        self.max_len = Some(len);
        self
    }
}

impl<'a> ToArgs<'a> for LposOptions {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        if let Some(rank) = self.rank {
            out.push(b"RANK");
            rank.write_arg(out);
        }
        if let Some(len) = self.max_len {
            out.push(b"MAXLEN");
            len.write_arg(out);
        }
    }
}
