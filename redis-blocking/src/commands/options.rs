//! Option types for commands with many forms.

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

/// An expiry for `SET` and `GETEX`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// `EX seconds`.
    Seconds(u64),
    /// `PX milliseconds`.
    Millis(u64),
    /// `EXAT unix-time-seconds`.
    AtSeconds(u64),
    /// `PXAT unix-time-milliseconds`.
    AtMillis(u64),
    /// `KEEPTTL` (`SET`) or `PERSIST` (`GETEX`).
    Keep,
}

/// A condition for `SET`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SetCondition {
    /// `NX`: only if the key does not exist.
    NotExists,
    /// `XX`: only if the key exists.
    Exists,
}

/// The options of `SET`.
///
/// # Example
///
/// ```
/// use redis_blocking::commands::{Expiry, SetOptions};
/// use redis_blocking::Cmd;
///
/// let options = SetOptions::default().expiry(Expiry::Seconds(60)).only_if_absent().get();
/// let cmd = Cmd::new("SET").arg("k").arg("v").arg(options);
/// let args: Vec<&[u8]> = cmd.args().collect();
/// assert_eq!(args, [&b"SET"[..], b"k", b"v", b"NX", b"GET", b"EX", b"60"]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SetOptions {
    condition: Option<SetCondition>,
    get: bool,
    expiry: Option<Expiry>,
}

impl SetOptions {
    /// Sets an expiry.
    pub fn expiry(mut self, expiry: Expiry) -> Self {
        self.expiry = Some(expiry);
        self
    }

    /// `NX`.
    pub fn only_if_absent(mut self) -> Self {
        self.condition = Some(SetCondition::NotExists);
        self
    }

    /// `XX`.
    pub fn only_if_present(mut self) -> Self {
        self.condition = Some(SetCondition::Exists);
        self
    }

    /// `GET`: reply with the old value.
    pub fn get(mut self) -> Self {
        self.get = true;
        self
    }
}

fn write_expiry<'a>(expiry: Expiry, keep: &'static [u8], out: &mut ArgSink<'_, 'a>) {
    let (word, n): (&[u8], u64) = match expiry {
        Expiry::Seconds(n) => (b"EX", n),
        Expiry::Millis(n) => (b"PX", n),
        Expiry::AtSeconds(n) => (b"EXAT", n),
        Expiry::AtMillis(n) => (b"PXAT", n),
        Expiry::Keep => return out.push(keep),
    };
    out.push(word);
    n.write_arg(out);
}

impl<'a> ToArgs<'a> for SetOptions {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        match self.condition {
            Some(SetCondition::NotExists) => out.push(b"NX"),
            Some(SetCondition::Exists) => out.push(b"XX"),
            None => {}
        }
        if self.get {
            out.push(b"GET");
        }
        if let Some(expiry) = self.expiry {
            write_expiry(expiry, b"KEEPTTL", out);
        }
    }
}

impl<'a> ToArgs<'a> for Expiry {
    /// As `GETEX` takes it (`Keep` is `PERSIST`).
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        write_expiry(*self, b"PERSIST", out)
    }
}

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

/// A `BITOP` operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BitOp {
    /// `AND`
    And,
    /// `OR`
    Or,
    /// `XOR`
    Xor,
    /// `NOT` (one source key)
    Not,
}

impl<'a> ToArg<'a> for BitOp {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        out.push(match self {
            BitOp::And => b"AND",
            BitOp::Or => b"OR",
            BitOp::Xor => b"XOR",
            BitOp::Not => b"NOT",
        })
    }
}

/// A distance unit for geo commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GeoUnit {
    /// Meters.
    Meters,
    /// Kilometers.
    Kilometers,
    /// Miles.
    Miles,
    /// Feet.
    Feet,
}

impl<'a> ToArg<'a> for GeoUnit {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        out.push(match self {
            GeoUnit::Meters => b"m",
            GeoUnit::Kilometers => b"km",
            GeoUnit::Miles => b"mi",
            GeoUnit::Feet => b"ft",
        })
    }
}
