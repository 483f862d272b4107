//! Session state: what calls changed on a connection that a pool must
//! undo before lending it again.

use std::time::{Duration, Instant};

use resp_core::command::Session;

use super::Connection;
use crate::error::{Error, ErrorKind, Executed, Result};
use crate::Cmd;

/// The longest a returning connection's session clean-up may take (`RESET`
/// or `DISCARD`/`UNWATCH`/`SELECT` take microseconds on a healthy server).
const RESET_BOUND: Duration = Duration::from_secs(1);

impl Connection {
    /// Records session state changed by a pipeline that ran.
    pub(crate) fn note_session(&mut self, session: Session) {
        self.session = self.session.union(session);
    }

    /// True when commands left session state (database, `WATCH`, `MULTI`,
    /// name, tracking, ...) that a pool must undo before lending the
    /// connection again.
    pub fn has_session_state(&self) -> bool {
        !self.session.is_clean()
    }

    /// Turns client tracking on, redirected to `target`, unless it is on
    /// for `generation` already. The pool's own tracking is not session
    /// state to undo.
    pub(crate) fn ensure_tracking(
        &mut self,
        target: i64,
        generation: u64,
        deadline: Option<Instant>,
    ) -> Result<()> {
        if self.tracking == generation {
            return Ok(());
        }
        let before = self.session;
        self.query_until::<()>(
            &Cmd::new("CLIENT")
                .arg("TRACKING")
                .arg("ON")
                .arg("REDIRECT")
                .arg(target),
            deadline,
        )?;
        self.session = before;
        self.tracking = generation;
        Ok(())
    }

    /// Puts back the settings a borrower may have changed on the
    /// `Connection` itself: the call timeout from the configuration, and no
    /// push handler.
    pub(crate) fn restore_settings(&mut self) {
        self.timeout = self.config.timeout;
        self.push_handler = None;
    }

    /// Undoes session state so the connection can be lent again: `DISCARD`,
    /// `UNWATCH` and `SELECT` back when only those changed, otherwise
    /// `RESET` and the handshake again (falling back to the first way on
    /// servers without `RESET`).
    ///
    /// # Errors
    ///
    /// Whatever failed; the connection should then be closed.
    pub(crate) fn reset_session(&mut self) -> Result<()> {
        if self.session.is_clean() {
            return Ok(());
        }
        // Bounded even with no timeouts configured: this runs when a lent
        // connection comes back (in a `Drop`), and a connection that cannot
        // be cleaned up promptly is closed instead of pooled.
        let bound = self
            .config
            .connect_timeout
            .map_or(RESET_BOUND, |t| t.min(RESET_BOUND));
        let deadline = super::after(bound);
        if self.session.other {
            match self.query_until::<()>(&Cmd::new("RESET"), deadline) {
                Ok(()) => {
                    self.session = Session::default();
                    self.tracking = 0;
                    let options = self.config.handshake.clone().ping_if_idle(false);
                    return self.run_handshake(options, deadline);
                }
                Err(e) if e.kind() == ErrorKind::Server => {
                    log::debug!("RESET refused ({e}); cleaning up by hand");
                }
                Err(e) => return Err(e),
            }
        }
        let mut pipe = crate::Pipeline::new();
        if self.session.multi {
            pipe.cmd("DISCARD");
        }
        pipe.cmd("UNWATCH");
        if self.session.db {
            pipe.cmd("SELECT").arg(self.config.handshake.get_db());
        }
        for result in self.pipeline_results_until(&pipe, deadline) {
            // DISCARD without MULTI is harmless; anything else is not.
            if let Err(e) = result {
                if e.kind() != ErrorKind::Server || !e.to_string().contains("DISCARD") {
                    return Err(e);
                }
            }
        }
        if self.session.other {
            return Err(Error::new(
                ErrorKind::InvalidCommand,
                Executed::No,
                "session state cannot be undone without RESET",
            ));
        }
        self.session = Session::default();
        Ok(())
    }
}
