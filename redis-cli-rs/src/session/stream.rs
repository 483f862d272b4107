//! Streaming: `MONITOR` and `SUBSCRIBE` print everything the server sends
//! until Ctrl-C or the connection ends.

use std::io::Write;
use std::time::Duration;

use super::{Outcome, Session};
use crate::format::{self, OutputMode};
use crate::signal;

/// What is streaming.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    Monitor,
    Subscribe,
}

/// How often the Ctrl-C flag is looked at.
const TICK: Duration = Duration::from_millis(100);

impl Session {
    pub(super) fn stream(
        &mut self,
        kind: Kind,
        raw_strings: bool,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> Outcome {
        if kind == Kind::Subscribe && self.output != OutputMode::Raw {
            let _ = writeln!(out, "Reading messages... (press Ctrl-C to quit)");
            let _ = out.flush();
        }
        let tick = signal::is_installed().then_some(TICK);
        loop {
            if signal::take_interrupt() {
                // As redis-cli: drop the streaming connection, open a
                // fresh one.
                self.conn = None;
                if let Err(message) = self.connect() {
                    let _ = writeln!(err, "{message}");
                }
                return Outcome::Interrupted;
            }
            let frame = match self.conn_mut().next_frame(tick) {
                Ok(Some(frame)) => frame,
                Ok(None) => continue,
                Err(e) => return self.connection_failed(&e, false, err),
            };
            let text = format::format_reply(&frame, self.output, raw_strings, self.delims());
            let _ = out.write_all(&text);
            let _ = out.flush();
            if frame.is_error() {
                // An error (a bad SUBSCRIBE, MONITOR refused) ends it.
                return Outcome::ErrorReply;
            }
        }
    }
}
