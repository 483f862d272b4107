//! What commands do to a connection beyond their reply: how long blocking
//! commands may wait, which ones change the routing mode, which ones leave
//! session state behind, and which ones make sense only on a connection of
//! one's own.
//!
//! `COMMAND INFO` flags blocking commands but does not say where their
//! timeout is or in what unit, nor what session state a command touches, so
//! that knowledge lives here.

use std::time::Duration;

/// An argument vector: the command name at index 0, then its arguments.
///
/// Implemented for slices of anything byte-like, so both `&[&[u8]]` and
/// `&[String]` work; a client's own command type can implement it too and
/// be inspected without copying its arguments.
///
/// # Example
///
/// ```
/// use resp_core::command::Argv;
///
/// let argv = ["BLPOP", "queue", "5"];
/// assert_eq!(argv[..].argc(), 3);
/// assert_eq!(argv[..].arg(1), Some(&b"queue"[..]));
/// assert!(argv[..].is(0, "blpop"));
/// ```
pub trait Argv {
    /// The number of arguments, the name included.
    fn argc(&self) -> usize;

    /// Argument `i` (`0` is the name).
    fn arg(&self, i: usize) -> Option<&[u8]>;

    /// True when argument `i` exists and equals `word`, ignoring ASCII case.
    fn is(&self, i: usize, word: &str) -> bool {
        self.arg(i)
            .is_some_and(|a| a.eq_ignore_ascii_case(word.as_bytes()))
    }
}

impl<T: AsRef<[u8]>> Argv for [T] {
    fn argc(&self) -> usize {
        self.len()
    }

    fn arg(&self, i: usize) -> Option<&[u8]> {
        self.get(i).map(AsRef::as_ref)
    }
}

/// How long a command may block on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Blocks {
    /// Not a blocking command (or a blocking one called without waiting).
    No,
    /// Up to this long.
    For(Duration),
    /// Possibly forever (a timeout of 0).
    Forever,
}

impl Blocks {
    /// Both waits, one after the other (two blocking commands in one
    /// pipeline).
    ///
    /// ```
    /// use std::time::Duration;
    /// use resp_core::command::Blocks;
    ///
    /// let one = Blocks::For(Duration::from_secs(1));
    /// assert_eq!(one.then(one), Blocks::For(Duration::from_secs(2)));
    /// assert_eq!(one.then(Blocks::Forever), Blocks::Forever);
    /// assert_eq!(Blocks::No.then(one), one);
    /// ```
    pub fn then(self, next: Blocks) -> Blocks {
        match (self, next) {
            (Blocks::Forever, _) | (_, Blocks::Forever) => Blocks::Forever,
            (Blocks::For(a), Blocks::For(b)) => Blocks::For(a.saturating_add(b)),
            (Blocks::For(d), Blocks::No) | (Blocks::No, Blocks::For(d)) => Blocks::For(d),
            (Blocks::No, Blocks::No) => Blocks::No,
        }
    }
}

fn seconds(arg: Option<&[u8]>) -> Blocks {
    let secs = arg
        .and_then(|a| std::str::from_utf8(a).ok())
        .and_then(|s| s.parse::<f64>().ok());
    match secs {
        Some(0.0) => Blocks::Forever,
        Some(s) if s > 0.0 && s.is_finite() && s < 1e12 => Blocks::For(Duration::from_secs_f64(s)),
        // The server will reject it; nothing to wait for.
        _ => Blocks::No,
    }
}

fn millis(arg: Option<&[u8]>) -> Blocks {
    let ms = arg
        .and_then(|a| std::str::from_utf8(a).ok())
        .and_then(|s| s.parse::<u64>().ok());
    match ms {
        Some(0) => Blocks::Forever,
        Some(ms) => Blocks::For(Duration::from_millis(ms)),
        None => Blocks::No,
    }
}

/// The wait a command may cause on the server, from its timeout argument.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use resp_core::command::{blocks, Blocks};
///
/// assert_eq!(blocks(&["BLPOP", "a", "b", "1.5"][..]), Blocks::For(Duration::from_millis(1500)));
/// assert_eq!(blocks(&["BRPOP", "a", "0"][..]), Blocks::Forever);
/// assert_eq!(blocks(&["XREAD", "BLOCK", "100", "STREAMS", "s", "$"][..]), Blocks::For(Duration::from_millis(100)));
/// assert_eq!(blocks(&["GET", "k"][..]), Blocks::No);
/// ```
pub fn blocks<A: Argv + ?Sized>(argv: &A) -> Blocks {
    let last = || argv.argc().checked_sub(1).and_then(|i| argv.arg(i));
    match Name::of(argv).as_bytes() {
        b"BLPOP" | b"BRPOP" | b"BRPOPLPUSH" | b"BLMOVE" | b"BZPOPMIN" | b"BZPOPMAX" => {
            seconds(last())
        }
        b"BLMPOP" | b"BZMPOP" => seconds(argv.arg(1)),
        b"WAIT" => millis(argv.arg(2)),
        b"WAITAOF" => millis(argv.arg(3)),
        b"XREAD" | b"XREADGROUP" => {
            // `BLOCK ms` among the options, before `STREAMS`.
            let mut i = 1;
            while i < argv.argc() {
                if argv.is(i, "STREAMS") {
                    break;
                }
                if argv.is(i, "BLOCK") {
                    return millis(argv.arg(i + 1));
                }
                i += 1;
            }
            Blocks::No
        }
        _ => Blocks::No,
    }
}

/// A command's name in upper case, on the stack: one fold, then each
/// check is a `match` on bytes (these checks run on every call).
struct Name {
    buf: [u8; Name::LONGEST],
    len: usize,
}

impl Name {
    /// Longer than any name these checks look for.
    const LONGEST: usize = 16;

    /// The name of `argv`, or an empty name when it has none or one too
    /// long to be any of the names looked for.
    fn of<A: Argv + ?Sized>(argv: &A) -> Name {
        let mut name = Name {
            buf: [0; Name::LONGEST],
            len: 0,
        };
        if let Some(arg) = argv.arg(0).filter(|a| a.len() <= Name::LONGEST) {
            for (to, from) in name.buf.iter_mut().zip(arg) {
                *to = from.to_ascii_uppercase();
            }
            name.len = arg.len();
        }
        name
    }

    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// True for commands after which the server talks unprompted (a
/// subscriber, a monitor, a replica), so that replies can no longer be
/// paired with commands on a regular connection.
///
/// ```
/// use resp_core::command::changes_mode;
///
/// assert!(changes_mode(&["subscribe", "news"][..]));
/// assert!(changes_mode(&["MONITOR"][..]));
/// assert!(!changes_mode(&["PUBLISH", "news", "hi"][..]));
/// ```
pub fn changes_mode<A: Argv + ?Sized>(argv: &A) -> bool {
    matches!(
        Name::of(argv).as_bytes(),
        b"SUBSCRIBE"
            | b"PSUBSCRIBE"
            | b"SSUBSCRIBE"
            | b"UNSUBSCRIBE"
            | b"PUNSUBSCRIBE"
            | b"SUNSUBSCRIBE"
            | b"MONITOR"
            | b"SYNC"
            | b"PSYNC"
    )
}

/// True for `CLIENT REPLY OFF|SKIP`, after which the server does not answer
/// some commands: replies could no longer be paired with commands.
pub fn silences_replies<A: Argv + ?Sized>(argv: &A) -> bool {
    argv.is(0, "CLIENT") && argv.is(1, "REPLY") && !argv.is(2, "ON")
}

/// Session state a command leaves behind on its connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Session {
    /// `SELECT`ed another database.
    pub db: bool,
    /// Keys are `WATCH`ed.
    pub watch: bool,
    /// Inside `MULTI`.
    pub multi: bool,
    /// Anything else: name, tracking, reply mode, protocol, user,
    /// read-only mode.
    pub other: bool,
}

/// `CLIENT` subcommands that change the connection's state.
const CLIENT_STATE: [&str; 7] = [
    "SETNAME", "TRACKING", "REPLY", "NO-EVICT", "NO-TOUCH", "CACHING", "SETINFO",
];

impl Session {
    /// True when nothing needs undoing.
    pub fn is_clean(&self) -> bool {
        *self == Session::default()
    }

    /// Both sets of changes.
    pub fn union(self, other: Session) -> Session {
        Session {
            db: self.db | other.db,
            watch: self.watch | other.watch,
            multi: self.multi | other.multi,
            other: self.other | other.other,
        }
    }

    /// Updates the state for a command that ran.
    ///
    /// ```
    /// use resp_core::command::Session;
    ///
    /// let mut s = Session::default();
    /// s.note(&["SELECT", "3"][..]);
    /// s.note(&["WATCH", "k"][..]);
    /// assert!(s.db && s.watch);
    /// s.note(&["EXEC"][..]);
    /// assert!(!s.watch && !s.is_clean());
    /// ```
    pub fn note<A: Argv + ?Sized>(&mut self, argv: &A) {
        match Name::of(argv).as_bytes() {
            b"SELECT" => self.db = true,
            b"WATCH" => self.watch = true,
            b"UNWATCH" => self.watch = false,
            b"MULTI" => self.multi = true,
            b"EXEC" | b"DISCARD" => {
                self.multi = false;
                self.watch = false;
            }
            b"RESET" => {
                *self = Session::default();
                self.other = true; // RESET also logs out and drops the name.
            }
            b"HELLO" | b"AUTH" | b"READONLY" | b"READWRITE" => self.other = true,
            b"CLIENT" if CLIENT_STATE.iter().any(|t| argv.is(1, t)) => self.other = true,
            _ => {}
        }
    }
}

/// Why a command makes sense only on a connection of one's own, or `None`
/// when it can run on any connection of a pool.
///
/// A pooled client runs each call on whichever connection is free and
/// undoes session state when the connection comes back, so `WATCH`,
/// `MULTI`, `SELECT`, `CLIENT SETNAME` and the like would be silently
/// undone (or, worse, half apply to a later call). A client refuses them
/// with this reason instead.
///
/// ```
/// use resp_core::command::needs_own_connection;
///
/// assert!(needs_own_connection(&["WATCH", "k"][..]).is_some());
/// assert!(needs_own_connection(&["client", "setname", "x"][..]).is_some());
/// assert!(needs_own_connection(&["CLIENT", "ID"][..]).is_none());
/// assert!(needs_own_connection(&["GET", "k"][..]).is_none());
/// ```
pub fn needs_own_connection<A: Argv + ?Sized>(argv: &A) -> Option<&'static str> {
    match Name::of(argv).as_bytes() {
        b"WATCH" | b"UNWATCH" | b"MULTI" | b"EXEC" | b"DISCARD" => {
            Some("a transaction spans several calls on one connection")
        }
        b"SELECT" => Some("the database is a setting of the connection"),
        b"AUTH" | b"HELLO" | b"RESET" => {
            Some("credentials and protocol are settings of the connection")
        }
        b"READONLY" | b"READWRITE" => Some("read-only mode is a setting of the connection"),
        b"QUIT" => Some("QUIT closes the connection"),
        b"CLIENT" if CLIENT_STATE.iter().any(|t| argv.is(1, t)) => {
            Some("it changes a setting of the connection")
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts() {
        assert_eq!(blocks(&["GET", "k"][..]), Blocks::No);
        assert_eq!(
            blocks(&["BLMPOP", "2", "1", "k", "LEFT"][..]),
            Blocks::For(Duration::from_secs(2))
        );
        assert_eq!(
            blocks(&["WAIT", "1", "250"][..]),
            Blocks::For(Duration::from_millis(250))
        );
        assert_eq!(blocks(&["XREAD", "STREAMS", "BLOCK", "0"][..]), Blocks::No);
        assert_eq!(blocks(&["BLPOP", "k", "nan"][..]), Blocks::No);
        assert_eq!(blocks(&["BLPOP", "k", "-1"][..]), Blocks::No);
        assert_eq!(blocks(&["BLPOP", "k", "1e300"][..]), Blocks::No);
    }

    #[test]
    fn sessions() {
        let mut t = Session::default();
        t.note(&["CLIENT", "ID"][..]);
        t.note(&["GET", "k"][..]);
        assert!(t.is_clean());
        t.note(&["client", "setname", "x"][..]);
        assert!(t.other);
        assert!(silences_replies(&["CLIENT", "REPLY", "SKIP"][..]));
        assert!(!silences_replies(&["CLIENT", "REPLY", "on"][..]));
    }
}
