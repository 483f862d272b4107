//! What commands do to a connection beyond their reply: how long blocking
//! commands may wait, which ones change the routing mode, and which ones
//! change session state that a pool must undo.
//!
//! `COMMAND INFO` flags blocking commands but does not say where their
//! timeout is or in what unit, nor what session state a command touches, so
//! that knowledge lives here.

use std::time::Duration;

use crate::Cmd;

/// How long a command may block on the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Blocks {
    /// Not a blocking command.
    No,
    /// Up to this long.
    For(Duration),
    /// Possibly forever (a timeout of 0).
    Forever,
}

fn seconds(arg: Option<&[u8]>) -> Blocks {
    let secs = arg
        .and_then(|a| std::str::from_utf8(a).ok())
        .and_then(|s| s.parse::<f64>().ok());
    match secs {
        Some(0.0) => Blocks::Forever,
        Some(s) if s > 0.0 && s.is_finite() => Blocks::For(Duration::from_secs_f64(s)),
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

/// The wait `cmd` may cause.
pub(crate) fn blocks(cmd: &Cmd<'_>) -> Blocks {
    let name = cmd.name();
    let last = cmd.len().checked_sub(1).and_then(|i| cmd.arg_bytes(i));
    let upper = |n: &[u8], s: &str| n.eq_ignore_ascii_case(s.as_bytes());
    if [
        "BLPOP",
        "BRPOP",
        "BRPOPLPUSH",
        "BLMOVE",
        "BZPOPMIN",
        "BZPOPMAX",
    ]
    .iter()
    .any(|c| upper(name, c))
    {
        seconds(last)
    } else if ["BLMPOP", "BZMPOP"].iter().any(|c| upper(name, c)) {
        seconds(cmd.arg_bytes(1))
    } else if upper(name, "WAIT") {
        millis(cmd.arg_bytes(2))
    } else if upper(name, "WAITAOF") {
        millis(cmd.arg_bytes(3))
    } else if upper(name, "XREAD") || upper(name, "XREADGROUP") {
        // `BLOCK ms` among the options, before `STREAMS`.
        let mut args = cmd.args().skip(1);
        while let Some(arg) = args.next() {
            if upper(arg, "STREAMS") {
                break;
            }
            if upper(arg, "BLOCK") {
                return millis(args.next());
            }
        }
        Blocks::No
    } else {
        Blocks::No
    }
}

/// True for commands that turn a connection into a subscriber or monitor,
/// whose replies a regular connection cannot route.
pub(crate) fn changes_mode(cmd: &Cmd<'_>) -> bool {
    name_changes_mode(cmd.name())
}

/// The one list of mode-changing commands, by name (any case): after
/// one of these, replies no longer come one per command.
pub(crate) fn name_changes_mode(name: &[u8]) -> bool {
    [
        "SUBSCRIBE",
        "PSUBSCRIBE",
        "SSUBSCRIBE",
        "UNSUBSCRIBE",
        "PUNSUBSCRIBE",
        "SUNSUBSCRIBE",
        "MONITOR",
        "SYNC",
        "PSYNC",
    ]
    .iter()
    .any(|c| name.eq_ignore_ascii_case(c.as_bytes()))
}

/// Session state a command leaves behind on its connection.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Session {
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

impl Session {
    /// True when nothing needs undoing.
    pub fn is_clean(&self) -> bool {
        *self == Session::default()
    }

    /// Updates the state for a command that ran.
    pub fn note(&mut self, cmd: &Cmd<'_>) {
        let name = cmd.name();
        let is = |s: &str| name.eq_ignore_ascii_case(s.as_bytes());
        if is("SELECT") {
            self.db = true;
        } else if is("WATCH") {
            self.watch = true;
        } else if is("UNWATCH") {
            self.watch = false;
        } else if is("MULTI") {
            self.multi = true;
        } else if is("EXEC") || is("DISCARD") {
            self.multi = false;
            self.watch = false;
        } else if is("RESET") {
            *self = Session::default();
            self.other = true; // RESET also logs out and drops the name.
        } else if is("HELLO") || is("AUTH") || is("READONLY") || is("READWRITE") {
            self.other = true;
        } else if is("CLIENT") {
            let sub = cmd.arg_bytes(1).unwrap_or_default();
            let touches = [
                "SETNAME", "TRACKING", "REPLY", "NO-EVICT", "NO-TOUCH", "CACHING", "SETINFO",
            ];
            if touches
                .iter()
                .any(|t| sub.eq_ignore_ascii_case(t.as_bytes()))
            {
                self.other = true;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_effects() {
        let mut s = Session::default();
        s.note(&Cmd::new("select").arg(3));
        s.note(&Cmd::new("WATCH").arg("k"));
        assert!(s.db && s.watch && !s.is_clean());
        s.note(&Cmd::new("EXEC"));
        assert!(!s.watch);
        s.note(&Cmd::new("client").arg("setname").arg("x"));
        assert!(s.other);
        let mut t = Session::default();
        t.note(&Cmd::new("CLIENT").arg("ID"));
        t.note(&Cmd::new("GET").arg("k"));
        assert!(t.is_clean());
    }

    #[test]
    fn timeouts() {
        assert_eq!(blocks(&Cmd::new("GET").arg("k")), Blocks::No);
        assert_eq!(
            blocks(&Cmd::new("blpop").arg("a").arg("b").arg(1.5)),
            Blocks::For(Duration::from_millis(1500))
        );
        assert_eq!(blocks(&Cmd::new("BRPOP").arg("a").arg(0)), Blocks::Forever);
        assert_eq!(
            blocks(&Cmd::new("BLMPOP").arg(2).arg(1).arg("k").arg("LEFT")),
            Blocks::For(Duration::from_secs(2))
        );
        assert_eq!(
            blocks(&Cmd::new("WAIT").arg(1).arg(250)),
            Blocks::For(Duration::from_millis(250))
        );
        let xread = Cmd::new("XREAD")
            .arg("COUNT")
            .arg(1)
            .arg("BLOCK")
            .arg(100)
            .arg("STREAMS")
            .arg("s")
            .arg("$");
        assert_eq!(blocks(&xread), Blocks::For(Duration::from_millis(100)));
        let nonblocking = Cmd::new("XREAD").arg("STREAMS").arg("BLOCK").arg("0");
        assert_eq!(blocks(&nonblocking), Blocks::No);
    }
}
