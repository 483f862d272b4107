//! What a multiplexed connection refuses, and what to use instead.
//!
//! Every caller's commands share one connection, one after the other, so
//! a command may run on it only if it leaves the connection as it found it
//! and answers promptly. Refused, before anything is sent:
//!
//! - commands after which replies can no longer be paired with commands
//!   (`SUBSCRIBE` and the rest of RESP2 pub/sub, `MONITOR`, `SYNC`,
//!   `CLIENT REPLY OFF|SKIP`);
//! - commands that change the connection for the calls after them
//!   (`WATCH`, `MULTI`, `EXEC`, `DISCARD`, `UNWATCH`, `SELECT`, `AUTH`,
//!   `HELLO`, `RESET`, `READONLY`, `READWRITE`, `QUIT`, `CLIENT SETNAME`,
//!   `CLIENT TRACKING` (`REDIRECT` included), `CLIENT REPLY`, ...);
//! - blocking commands (`BLPOP`, `BRPOP`, `BLMOVE`, `BZPOPMIN`, `XREAD
//!   BLOCK`, `WAIT`, ...), which would hold up every caller behind them.
//!
//! A pipeline is refused when it holds a blocking or mode-changing
//! command, or leaves session state behind; a MULTI/EXEC pipeline
//! (`Pipeline::transaction`) is fine: its commands are written together.

use resp_core::command::{blocks, changes_mode, needs_own_connection, silences_replies, Blocks};

use crate::error::{Error, ErrorKind, Executed, Result};
use crate::{Cmd, Pipeline};

/// Fails for a command that cannot share the connection, or that must not
/// be sent at all (an argument could not be written: a `Json` value serde
/// cannot serialize).
pub(super) fn refuse_command(cmd: &Cmd<'_>) -> Result<()> {
    if let Some(why) = cmd.invalid() {
        return Err(Error::new(ErrorKind::InvalidCommand, Executed::No, why));
    }
    let name = String::from_utf8_lossy(cmd.name()).to_ascii_uppercase();
    let why = if changes_mode(cmd) {
        Some((
            "its replies could no longer be paired with commands".to_owned(),
            "use Client::subscriber() (a Subscriber) or Client::monitor() (a Monitor)",
        ))
    } else if silences_replies(cmd) {
        Some((
            "replies could no longer be paired with commands".to_owned(),
            "use a Connection of your own",
        ))
    } else if let Some(why) = needs_own_connection(cmd) {
        let instead = match name.as_str() {
            "WATCH" | "UNWATCH" | "MULTI" | "EXEC" | "DISCARD" => {
                "send MULTI/EXEC as one pipeline (Pipeline::transaction), or use Client::transaction or a Connection for WATCH"
            }
            "SELECT" | "AUTH" | "HELLO" => {
                "set it in the Config or URL (db, user, password, protocol)"
            }
            _ => "use a Connection of your own",
        };
        Some((why.to_owned(), instead))
    } else if blocks(cmd) != Blocks::No {
        Some((
            "it blocks the connection for every caller behind it".to_owned(),
            "use a Client (pooled) or a Connection of your own",
        ))
    } else {
        None
    };
    match why {
        None => Ok(()),
        Some((why, instead)) => Err(Error::new(
            ErrorKind::InvalidCommand,
            Executed::No,
            format!("{name} cannot run on a multiplexed connection ({why}): {instead}"),
        )),
    }
}

/// Fails for a pipeline that cannot share the connection.
pub(super) fn refuse_pipeline(pipe: &Pipeline<'_>) -> Result<()> {
    pipe.check().map_err(|e| {
        Error::new(
            ErrorKind::InvalidCommand,
            Executed::No,
            format!("{e} (on a multiplexed connection)"),
        )
    })?;
    let why = if !pipe.session().is_clean() {
        Some("it leaves session state behind (SELECT, WATCH, MULTI without EXEC, CLIENT SETNAME, ...): use a Connection of your own")
    } else if pipe.blocking() != Blocks::No {
        Some("it holds a blocking command, which would hold up every caller behind it: use a Client (pooled) or a Connection of your own")
    } else {
        None
    };
    match why {
        None => Ok(()),
        Some(why) => Err(Error::new(
            ErrorKind::InvalidCommand,
            Executed::No,
            format!("this pipeline cannot run on a multiplexed connection: {why}"),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refused(args: &[&str]) -> Option<String> {
        let mut cmd = Cmd::new(args[0]);
        for a in &args[1..] {
            cmd.add_arg(*a);
        }
        refuse_command(&cmd).err().map(|e| {
            assert_eq!(
                (e.kind(), e.executed()),
                (ErrorKind::InvalidCommand, Executed::No)
            );
            e.to_string()
        })
    }

    #[test]
    fn each_refusal_names_what_to_use() {
        for (args, hint) in [
            (&["SUBSCRIBE", "news"][..], "Subscriber"),
            (&["monitor"][..], "Monitor"),
            (&["CLIENT", "REPLY", "OFF"][..], "Connection of your own"),
            (&["WATCH", "k"][..], "Client::transaction"),
            (&["MULTI"][..], "Pipeline::transaction"),
            (&["SELECT", "2"][..], "Config or URL"),
            (
                &["CLIENT", "TRACKING", "ON", "REDIRECT", "7"][..],
                "Connection of your own",
            ),
            (&["BLPOP", "q", "0"][..], "Client (pooled)"),
            (&["XREAD", "BLOCK", "10", "STREAMS", "s", "$"][..], "Client"),
            (&["WAIT", "1", "100"][..], "Client"),
        ] {
            let message = refused(args).unwrap_or_else(|| panic!("{args:?} not refused"));
            assert!(message.contains(hint), "{args:?}: {message}");
            assert!(message.contains("multiplexed"), "{message}");
        }
        for args in [
            &["GET", "k"][..],
            &["XREAD", "STREAMS", "s", "0"][..],
            &["CLIENT", "ID"][..],
            &["PUBLISH", "c", "m"][..],
            &["EVAL", "return 1", "0"][..],
        ] {
            assert_eq!(refused(args), None, "{args:?}");
        }
    }

    #[test]
    fn pipelines_that_leave_the_connection_clean_pass() {
        let mut tx = Pipeline::transaction();
        tx.cmd("INCR").arg("a");
        tx.cmd("GET").arg("a");
        assert!(refuse_pipeline(&tx).is_ok());
        let mut select = Pipeline::new();
        select.cmd("SELECT").arg(1);
        select.cmd("GET").arg("a");
        assert!(refuse_pipeline(&select).is_err());
        let mut blocking = Pipeline::new();
        blocking.cmd("BLPOP").arg("q").arg(1);
        assert!(refuse_pipeline(&blocking).is_err());
        let mut sub = Pipeline::new();
        sub.cmd("SUBSCRIBE").arg("c");
        assert!(refuse_pipeline(&sub).is_err());
    }
}
