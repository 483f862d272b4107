//! Options of the string commands: `SET`, `GETEX`, `LCS`.

use crate::cmd::ArgSink;
use crate::{ToArg, ToArgs};

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

/// The options of `LCS ... IDX`: `MINMATCHLEN` and `WITHMATCHLEN`.
///
/// # Example
///
/// ```
/// use redis_blocking::commands::LcsOptions;
/// use redis_blocking::Cmd;
///
/// let cmd = Cmd::new("LCS").arg("a").arg("b").arg(LcsOptions::default().min_match_len(4).with_match_len());
/// let args: Vec<&[u8]> = cmd.args().collect();
/// assert_eq!(args, [&b"LCS"[..], b"a", b"b", b"IDX", b"MINMATCHLEN", b"4", b"WITHMATCHLEN"]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LcsOptions {
    min_match_len: Option<usize>,
    with_match_len: bool,
}

impl LcsOptions {
    /// `MINMATCHLEN len`: only matches at least this long.
    pub fn min_match_len(mut self, len: usize) -> Self {
        self.min_match_len = Some(len);
        self
    }

    /// `WITHMATCHLEN`: each match with its length.
    pub fn with_match_len(mut self) -> Self {
        self.with_match_len = true;
        self
    }
}

impl<'a> ToArgs<'a> for LcsOptions {
    /// `IDX` and the options.
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        out.push(b"IDX");
        if let Some(len) = self.min_match_len {
            out.push(b"MINMATCHLEN");
            len.write_arg(out);
        }
        if self.with_match_len {
            out.push(b"WITHMATCHLEN");
        }
    }
}
