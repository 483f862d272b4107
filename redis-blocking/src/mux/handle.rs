//! Send now, wait later: the handle of a command sent on a multiplexed
//! connection.

use std::marker::PhantomData;
use std::sync::Arc;

use super::call::{Outcome, Ticket};
use super::shared::Shared;
use crate::error::{Error, Result};
use crate::types::FromReply;

/// A command sent on a [`Multiplexed`](super::Multiplexed) connection whose
/// reply is still to be collected: [`wait`](Pending::wait) for it.
///
/// The command is queued (usually written too) when the handle is made;
/// commands sent from one thread run in the order they were sent, however
/// their handles are waited for. The deadline (the command's own timeout,
/// or the connection's) counts from the send: waiting after it passed
/// gives the reply if it came in time, or [`ErrorKind::Timeout`] (the
/// command may have run; its reply is dropped when it comes).
///
/// Dropping a handle without waiting is fire-and-forget: the command still
/// runs, its reply is dropped, and an error (an error reply, a lost
/// connection, a refused command) is logged with `log::warn!`, never lost
/// silently.
///
/// [`ErrorKind::Timeout`]: crate::ErrorKind::Timeout
///
/// # Example
///
/// ```no_run
/// use redis_blocking::{Cmd, Multiplexed};
///
/// let mux = Multiplexed::open("redis://127.0.0.1/")?;
/// let incr = mux.send::<i64>(&Cmd::new("INCR").arg("visits"));
/// let get = mux.send::<Option<String>>(&Cmd::new("GET").arg("greeting"));
/// // ... other work while both are on their way ...
/// let (visits, greeting) = (incr.wait()?, get.wait()?);
/// # Ok::<(), redis_blocking::Error>(())
/// ```
#[must_use = "dropping a Pending discards its reply (errors are logged); call wait() to get it"]
pub struct Pending<T> {
    shared: Arc<Shared>,
    state: State,
    _reply: PhantomData<fn() -> T>,
}

enum State {
    Sent(Ticket),
    Refused(Error),
    Taken,
}

impl<T: FromReply> Pending<T> {
    pub(super) fn sent(shared: Arc<Shared>, ticket: Ticket) -> Pending<T> {
        Pending {
            shared,
            state: State::Sent(ticket),
            _reply: PhantomData,
        }
    }

    pub(super) fn refused(shared: Arc<Shared>, error: Error) -> Pending<T> {
        Pending {
            shared,
            state: State::Refused(error),
            _reply: PhantomData,
        }
    }

    /// Waits for the reply (or the command's deadline) and converts it.
    ///
    /// # Errors
    ///
    /// As [`Multiplexed::query`](super::Multiplexed::query): a server error
    /// reply, a conversion error, a timeout, the connection lost, the
    /// command refused; [`Error::executed`] says whether it may have run.
    /// A failed command is not sent again.
    pub fn wait(mut self) -> Result<T> {
        match std::mem::replace(&mut self.state, State::Taken) {
            State::Sent(ticket) => single_reply(self.shared.finish(ticket)),
            State::Refused(error) => Err(error),
            State::Taken => unreachable!("a Pending is waited for once"),
        }
    }

    /// True once the reply (or the failure) is in: [`wait`](Pending::wait)
    /// will not sleep. Replies are read while some caller waits, so a
    /// handle nobody waits for may stay not ready though its reply came.
    pub fn is_ready(&self) -> bool {
        match &self.state {
            State::Sent(ticket) => ticket.slot.is_done(),
            _ => true,
        }
    }
}

/// The reply of a one-command request, converted.
pub(super) fn single_reply<T: FromReply>(outcome: Outcome) -> Result<T> {
    match outcome {
        Outcome::Replied(mut replies) => match replies.pop() {
            Some(reply) => T::from_reply(reply),
            None => Err(Error::new(
                crate::ErrorKind::Protocol,
                crate::Executed::Maybe,
                "no reply",
            )),
        },
        Outcome::Failed { error, .. } | Outcome::TimedOut(error) => Err(error),
    }
}

impl<T> Drop for Pending<T> {
    fn drop(&mut self) {
        match std::mem::replace(&mut self.state, State::Taken) {
            State::Sent(ticket) => self.shared.detach(ticket),
            State::Refused(error) => {
                log::warn!("a multiplexed command whose handle was dropped was refused: {error}")
            }
            State::Taken => {}
        }
    }
}

impl<T> std::fmt::Debug for Pending<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let state = match &self.state {
            State::Sent(ticket) if ticket.slot.is_done() => "ready",
            State::Sent(_) => "waiting",
            State::Refused(_) => "refused",
            State::Taken => "taken",
        };
        f.debug_struct("Pending").field("state", &state).finish()
    }
}
