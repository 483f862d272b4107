//! Options of the generic key commands: expiry conditions, `COPY`,
//! `RESTORE`, `SORT`, `MIGRATE`, and the flush mode of `FLUSHDB`/`FLUSHALL`.

use crate::cmd::ArgSink;
use crate::{ToArg, ToArgs};

/// When `EXPIRE`, `PEXPIRE`, `EXPIREAT` and `PEXPIREAT` set the expiry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExpireCondition {
    /// `NX`: only when the key has no expiry.
    NoExpiry,
    /// `XX`: only when the key has an expiry.
    HasExpiry,
    /// `GT`: only when the new expiry is later (no expiry counts as
    /// infinite).
    Later,
    /// `LT`: only when the new expiry is sooner.
    Sooner,
}

impl<'a> ToArg<'a> for ExpireCondition {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        out.push(match self {
            ExpireCondition::NoExpiry => b"NX",
            ExpireCondition::HasExpiry => b"XX",
            ExpireCondition::Later => b"GT",
            ExpireCondition::Sooner => b"LT",
        })
    }
}

/// The options of `COPY`: `DB` and `REPLACE`.
///
/// # Example
///
/// ```
/// use redis_blocking::commands::CopyOptions;
/// use redis_blocking::Cmd;
///
/// let cmd = Cmd::new("COPY").arg("a").arg("b").arg(CopyOptions::default().db(2).replace());
/// let args: Vec<&[u8]> = cmd.args().collect();
/// assert_eq!(args, [&b"COPY"[..], b"a", b"b", b"DB", b"2", b"REPLACE"]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CopyOptions {
    db: Option<u32>,
    replace: bool,
}

impl CopyOptions {
    /// `DB n`: copy into database `n`.
    pub fn db(mut self, db: u32) -> Self {
        self.db = Some(db);
        self
    }

    /// `REPLACE`: overwrite an existing destination.
    pub fn replace(mut self) -> Self {
        self.replace = true;
        self
    }
}

impl<'a> ToArgs<'a> for CopyOptions {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        if let Some(db) = self.db {
            out.push(b"DB");
            db.write_arg(out);
        }
        if self.replace {
            out.push(b"REPLACE");
        }
    }
}

/// The options of `RESTORE`: `REPLACE`, `ABSTTL`, `IDLETIME`, `FREQ`.
///
/// # Example
///
/// ```
/// use redis_blocking::commands::RestoreOptions;
/// use redis_blocking::Cmd;
///
/// let options = RestoreOptions::default().replace().idle_time(30);
/// let cmd = Cmd::new("RESTORE").arg("k").arg(0).arg("payload").arg(options);
/// let args: Vec<&[u8]> = cmd.args().collect();
/// assert_eq!(args, [&b"RESTORE"[..], b"k", b"0", b"payload", b"REPLACE", b"IDLETIME", b"30"]);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RestoreOptions {
    replace: bool,
    abs_ttl: bool,
    idle_time: Option<u64>,
    freq: Option<u8>,
}

impl RestoreOptions {
    /// `REPLACE`: overwrite an existing key.
    pub fn replace(mut self) -> Self {
        self.replace = true;
        self
    }

    /// `ABSTTL`: the TTL argument is a Unix time in milliseconds.
    pub fn abs_ttl(mut self) -> Self {
        self.abs_ttl = true;
        self
    }

    /// `IDLETIME seconds` (for LRU eviction).
    pub fn idle_time(mut self, seconds: u64) -> Self {
        self.idle_time = Some(seconds);
        self
    }

    /// `FREQ frequency` (for LFU eviction).
    pub fn freq(mut self, frequency: u8) -> Self {
        self.freq = Some(frequency);
        self
    }
}

impl<'a> ToArgs<'a> for RestoreOptions {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        if self.replace {
            out.push(b"REPLACE");
        }
        if self.abs_ttl {
            out.push(b"ABSTTL");
        }
        if let Some(seconds) = self.idle_time {
            out.push(b"IDLETIME");
            seconds.write_arg(out);
        }
        if let Some(freq) = self.freq {
            out.push(b"FREQ");
            u16::from(freq).write_arg(out);
        }
    }
}

/// The options of `SORT` and `SORT_RO`: `BY`, `LIMIT`, `GET`, `DESC`,
/// `ALPHA` (the destination of `SORT ... STORE` is an argument of
/// [`sort_store`](crate::commands::KeyCommands::sort_store)).
///
/// # Example
///
/// ```
/// use redis_blocking::commands::SortOptions;
/// use redis_blocking::Cmd;
///
/// let options = SortOptions::default().by("weight_*").limit(0, 10).get("#").get("name_*").desc().alpha();
/// let cmd = Cmd::new("SORT").arg("ids").arg(options);
/// let args: Vec<&[u8]> = cmd.args().collect();
/// assert_eq!(
///     args,
///     [&b"SORT"[..], b"ids", b"BY", b"weight_*", b"LIMIT", b"0", b"10", b"GET", b"#", b"GET", b"name_*", b"DESC", b"ALPHA"]
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SortOptions {
    by: Option<Vec<u8>>,
    limit: Option<(i64, i64)>,
    get: Vec<Vec<u8>>,
    desc: bool,
    alpha: bool,
}

impl SortOptions {
    /// `BY pattern`: sort by the values of other keys (`weight_*`,
    /// `object_*->field`); `"nosort"` skips sorting.
    pub fn by(mut self, pattern: impl Into<Vec<u8>>) -> Self {
        self.by = Some(pattern.into());
        self
    }

    /// `LIMIT offset count`.
    pub fn limit(mut self, offset: i64, count: i64) -> Self {
        self.limit = Some((offset, count));
        self
    }

    /// `GET pattern`, once per call: return other keys' values (`#` is the
    /// element itself).
    pub fn get(mut self, pattern: impl Into<Vec<u8>>) -> Self {
        self.get.push(pattern.into());
        self
    }

    /// `DESC`: descending.
    pub fn desc(mut self) -> Self {
        self.desc = true;
        self
    }

    /// `ALPHA`: compare as strings, not numbers.
    pub fn alpha(mut self) -> Self {
        self.alpha = true;
        self
    }
}

impl<'a> ToArgs<'a> for SortOptions {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        if let Some(by) = &self.by {
            out.push(b"BY");
            out.push(by);
        }
        if let Some((offset, count)) = self.limit {
            out.push(b"LIMIT");
            offset.write_arg(out);
            count.write_arg(out);
        }
        for pattern in &self.get {
            out.push(b"GET");
            out.push(pattern);
        }
        if self.desc {
            out.push(b"DESC");
        }
        if self.alpha {
            out.push(b"ALPHA");
        }
    }
}

/// The options of `MIGRATE`: `COPY`, `REPLACE` and credentials for the
/// target.
///
/// # Example
///
/// ```
/// use redis_blocking::commands::MigrateOptions;
/// use redis_blocking::Cmd;
///
/// let cmd = Cmd::new("MIGRATE").arg(MigrateOptions::default().copy().auth2("app", "secret"));
/// let args: Vec<&[u8]> = cmd.args().collect();
/// assert_eq!(args, [&b"MIGRATE"[..], b"COPY", b"AUTH2", b"app", b"secret"]);
/// ```
#[derive(Clone, Default, PartialEq, Eq)]
pub struct MigrateOptions {
    copy: bool,
    replace: bool,
    auth: Option<(Option<String>, String)>,
}

impl MigrateOptions {
    /// `COPY`: keep the keys here too.
    pub fn copy(mut self) -> Self {
        self.copy = true;
        self
    }

    /// `REPLACE`: overwrite keys on the target.
    pub fn replace(mut self) -> Self {
        self.replace = true;
        self
    }

    /// `AUTH password`: the target's password.
    pub fn auth(mut self, password: impl Into<String>) -> Self {
        self.auth = Some((None, password.into()));
        self
    }

    /// `AUTH2 username password`: an ACL user of the target.
    pub fn auth2(mut self, username: impl Into<String>, password: impl Into<String>) -> Self {
        self.auth = Some((Some(username.into()), password.into()));
        self
    }
}

impl std::fmt::Debug for MigrateOptions {
    /// Never shows the password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MigrateOptions")
            .field("copy", &self.copy)
            .field("replace", &self.replace)
            .field("auth", &self.auth.as_ref().map(|(user, _)| user))
            .finish()
    }
}

impl<'a> ToArgs<'a> for MigrateOptions {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        if self.copy {
            out.push(b"COPY");
        }
        if self.replace {
            out.push(b"REPLACE");
        }
        match &self.auth {
            Some((None, password)) => {
                out.push(b"AUTH");
                out.push(password.as_bytes());
            }
            Some((Some(user), password)) => {
                out.push(b"AUTH2");
                out.push(user.as_bytes());
                out.push(password.as_bytes());
            }
            None => {}
        }
    }
}

/// How `FLUSHDB`, `FLUSHALL`, `SCRIPT FLUSH` and `FUNCTION FLUSH` free
/// memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlushMode {
    /// `ASYNC`: in the background.
    Async,
    /// `SYNC`: before replying.
    Sync,
}

impl<'a> ToArg<'a> for FlushMode {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        out.push(match self {
            FlushMode::Async => b"ASYNC",
            FlushMode::Sync => b"SYNC",
        })
    }
}
