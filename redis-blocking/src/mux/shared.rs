//! The state every clone of a multiplexed connection shares: the request
//! queue, the bytes waiting to be written, the current connection and who
//! holds its two tokens (writing, reading).
//!
//! Lock order: a link's read side, then [`Shared::state`], then a slot.
//! Nobody sleeps or does I/O while holding `state`.

use std::collections::VecDeque;
use std::sync::atomic::AtomicUsize;
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use resp_core::client::Multiplex;

use super::bell::{Bell, Ring, Sleeper};
use super::link::Link;
use super::slot::{Slot, Wake};
use crate::connection::PushHandler;
use crate::connector::Connector;
use crate::error::{Error, Executed};
use crate::types::Value;

/// Limits and policies of a multiplexed connection.
#[derive(Debug, Clone)]
pub(super) struct Options {
    /// One write takes at most this many bytes (one request at least).
    pub max_write_bytes: usize,
    /// One write takes at most this many requests.
    pub max_write_commands: usize,
    /// Senders wait while this many bytes are queued unwritten.
    pub max_queued_bytes: usize,
    /// Attempts after the first for a blocking call that surely did not
    /// run (the connection was lost or could not be opened).
    pub max_retries: u32,
}

/// What every clone shares.
pub(super) struct Shared {
    pub state: Mutex<State>,
    /// Senders waiting for room in the queue.
    pub room: Condvar,
    pub connector: Arc<Connector>,
    pub options: Options,
    pub push_handler: Mutex<Option<PushHandler>>,
    /// Callers woken by their request's end that have not taken it yet:
    /// they are about to run, and will likely send again. While there are
    /// some, a sender leaves its command queued for the write that the
    /// last of them makes (see [`Shared::picked_up`]), so that the
    /// commands of callers woken together go out together.
    pub woken: AtomicUsize,
    /// Where callers sleep until their request ends.
    pub bell: Bell,
}

/// Everything behind the one lock.
pub(super) struct State {
    /// The requests, in the order of their bytes.
    pub mux: Multiplex<Arc<Slot>>,
    /// The bytes of the requests not yet taken for writing.
    pub out: Vec<u8>,
    /// The unwritten rest of a request whose write was given up part-way
    /// (its writer's deadline passed): it goes out before anything else.
    pub rest: Vec<u8>,
    /// A writer gave up with bytes left to write (`rest`, `out`) and
    /// nobody has taken the write token since: a caller waiting for its
    /// reply, or reading, takes it (see [`State::adopt_write`]).
    pub stranded: bool,
    /// The connection in use, if one is open.
    pub link: Option<LinkState>,
    /// The last connection's number.
    pub generation: u64,
    /// A caller is opening a connection.
    pub connecting: bool,
    /// Callers asleep until their replies come (some may have woken
    /// since): candidates for the read token.
    pub waiters: VecDeque<Arc<Slot>>,
    /// Senders asleep until the queue has room.
    pub room_waiters: usize,
    /// The last attempts to connect failed: until the reconnect
    /// strategy's pause is over, requests fail at once with that error
    /// instead of trying again.
    pub down: Option<Down>,
}

/// Why the connection is down, and until when nobody tries again.
pub(super) struct Down {
    pub until: std::time::Instant,
    pub error: Error,
    pub attempts: u32,
}

/// The connection in use and who holds its tokens.
pub(super) struct LinkState {
    pub link: Arc<Link>,
    /// A thread is reading replies (the read token).
    pub reading: bool,
    /// A thread is writing queued bytes (the write token).
    pub writing: bool,
}

impl State {
    /// True when `link` is the connection in use.
    pub fn is_current(&self, link: &Link) -> bool {
        self.link
            .as_ref()
            .is_some_and(|ls| ls.link.generation == link.generation)
    }

    /// The state of `link` when it is the connection in use.
    pub fn current(&mut self, link: &Link) -> Option<&mut LinkState> {
        self.link
            .as_mut()
            .filter(|ls| ls.link.generation == link.generation)
    }

    /// Hands the read token, if nobody holds it and replies are awaited,
    /// to a caller asleep waiting for its reply; the thread to wake.
    pub fn kick(&mut self) -> Option<Sleeper> {
        let ls = self.link.as_mut()?;
        if ls.reading || self.mux.awaiting() == 0 {
            return None;
        }
        while let Some(slot) = self.waiters.pop_front() {
            let mut inner = slot.lock();
            if inner.end.is_none() && inner.lead.is_none() {
                if let Some(sleeper) = inner.waiter.take() {
                    inner.lead = Some(Arc::clone(&ls.link));
                    ls.reading = true;
                    return Some(sleeper);
                }
            }
        }
        None
    }

    /// Takes the write token of the connection in use for a caller whose
    /// request is on it, when a writer gave up with bytes left to write
    /// and nobody writes: the link to write on.
    pub fn adopt_write(&mut self) -> Option<Arc<Link>> {
        if !self.stranded {
            return None;
        }
        let ls = self.link.as_mut().filter(|ls| !ls.writing)?;
        ls.writing = true;
        self.stranded = false;
        Some(Arc::clone(&ls.link))
    }

    /// Wakes every caller asleep until its reply (they look again for
    /// work: a write token to take); the threads to wake.
    fn wake_waiters(&mut self) -> Vec<Sleeper> {
        self.waiters
            .iter()
            .filter_map(|slot| {
                let mut inner = slot.lock();
                match inner.end.is_none() && inner.lead.is_none() {
                    true => inner.waiter.take(),
                    false => None,
                }
            })
            .collect()
    }

    /// Registers a caller about to sleep until its reply comes.
    pub fn add_waiter(&mut self, slot: &Arc<Slot>) {
        // Entries of callers that woke since are dropped lazily; keep the
        // list from growing with them.
        if self.waiters.len() > 64 && self.waiters.len() > 2 * self.mux.len() {
            self.waiters.retain(|s| {
                let inner = s.lock();
                inner.end.is_none() && inner.waiter.is_some()
            });
        }
        self.waiters.push_back(Arc::clone(slot));
    }

    /// Fails every request with `error` (each saying whether it may have
    /// run); the threads to wake.
    pub fn fail_all(&mut self, error: &Error, woken: &AtomicUsize) -> Vec<Wake> {
        let failed = self.mux.fail();
        self.out.clear();
        self.rest.clear();
        self.stranded = false;
        failed
            .into_iter()
            .filter(|f| !f.abandoned)
            .map(|f| {
                let error = if f.written == 0 && f.executed == Executed::No {
                    error
                        .duplicate()
                        .executed_as(Executed::No)
                        .context("not sent")
                } else {
                    error.duplicate().executed_as(f.executed)
                };
                f.value.fail(error, f.written, f.len, woken)
            })
            .collect()
    }
}

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The connection `link` is lost (or out of step): every request on it
    /// fails with `error`, each saying whether it may have run. `written`
    /// is what the write token's holder wrote of its current batch, when
    /// it is the one reporting; otherwise a batch being written counts as
    /// written (it may have been). The next request opens a new
    /// connection. Nothing is sent again.
    pub fn break_link(&self, link: &Link, error: Error, written: Option<usize>) {
        let mut st = self.lock();
        let Some(ls) = st.current(link) else {
            return;
        };
        let writing = ls.writing;
        st.link = None;
        match written {
            Some(n) => st.mux.handle_written(n),
            None if writing => {
                let unwritten = st.mux.unwritten() as usize;
                st.mux.handle_written(unwritten);
            }
            None => {}
        }
        let pending = st.mux.len();
        let wakes = st.fail_all(&error, &self.woken);
        if st.room_waiters > 0 {
            self.room.notify_all();
        }
        drop(st);
        link.shutdown();
        log::warn!(
            "multiplexed connection to {} lost ({error}); {pending} pending requests failed",
            link.addr
        );
        self.wake_all(wakes);
    }

    /// Wakes the callers of ended requests, all with one ring.
    pub fn wake_all(&self, wakes: Vec<Wake>) {
        let mut ring = Ring::default();
        for sleeper in wakes.into_iter().filter_map(Wake::into_sleeper) {
            ring.add(sleeper);
        }
        self.bell.ring(ring);
    }

    /// Hands a push message to the handler (the read token's holder calls
    /// it). A panic in the handler is caught and logged: unwinding through
    /// the reader would leave the read token (and, before a write to an
    /// idle connection, the write token) held for ever, and every other
    /// caller waiting on a connection nobody reads.
    pub fn deliver_push(&self, push: Value) {
        let mut handler = self.push_handler.lock().unwrap_or_else(|e| e.into_inner());
        match handler.as_mut() {
            Some(handler) => {
                let run = std::panic::AssertUnwindSafe(|| handler(push));
                if let Err(panic) = std::panic::catch_unwind(run) {
                    let what = panic
                        .downcast_ref::<&str>()
                        .copied()
                        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
                        .unwrap_or("a non-string payload");
                    log::error!(
                        "the push handler of a multiplexed connection panicked ({what}); \
                         the push message was dropped"
                    );
                }
            }
            None => log::debug!("dropping a push message on a multiplexed connection"),
        }
    }

    /// Gives up the read token of `link` and hands it on.
    pub fn release_read(&self, link: &Link) {
        let mut st = self.lock();
        let wake = match st.current(link) {
            Some(ls) => {
                ls.reading = false;
                st.kick()
            }
            None => None,
        };
        drop(st);
        self.bell.ring(Ring::one(wake));
    }
}

impl Shared {
    /// The writer of `link`, its deadline passed after `written` bytes of
    /// `bytes` (its current write), gives up as a caller but not as the
    /// connection's: the requests of that write none of whose bytes went
    /// out return to the queue, the unwritten rest of the one cut short
    /// is kept to go out first, and the tokens it holds are released for
    /// another caller to take (every sleeping one is woken to look). True
    /// when it did so; false when no request but its own (`own`) can
    /// still be served, and the connection is to be broken instead (a
    /// request cut short must not be completed by nobody's write).
    pub(super) fn give_up_write(
        &self,
        link: &Link,
        bytes: &[u8],
        written: usize,
        own: Option<resp_core::client::MuxId>,
        holding_read: bool,
    ) -> bool {
        let mut st = self.lock();
        if !st.is_current(link) {
            return true;
        }
        if !st.mux.serves_other_than(own) {
            return false;
        }
        st.mux.handle_written(written);
        let back = st.mux.handle_write_stopped();
        let unwritten = &bytes[written..];
        let (rest, untouched) = unwritten.split_at(unwritten.len() - back);
        st.out.splice(0..0, untouched.iter().copied());
        st.rest = rest.to_vec();
        st.stranded = true;
        if let Some(ls) = st.current(link) {
            ls.writing = false;
            if holding_read {
                ls.reading = false;
            }
        }
        let mut ring = Ring::default();
        if let Some(sleeper) = st.kick() {
            ring.add(sleeper);
        }
        for sleeper in st.wake_waiters() {
            ring.add(sleeper);
        }
        drop(st);
        log::debug!(
            "a writer to {} gave up at its deadline after {written} of {} bytes; \
             the rest is left to the next writer",
            link.addr,
            bytes.len()
        );
        self.bell.ring(ring);
        true
    }
}
