//! One request's way through the multiplexed connection: queued, written
//! (by its caller or by whoever holds the write token), its reply read (by
//! its caller or by whoever holds the read token), or given up on.

use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use resp_core::client::{Abandoned, MuxId};

use super::bell::{Ring, Sleeper};
use super::link::Link;
use super::reader::ReadEnd;
use super::shared::{Down, LinkState, Shared, State};
use super::slot::{End, Slot};
use crate::connection::deadline_after;
use crate::connector::Backoff;
use crate::error::{Error, ErrorKind, Executed, Result};
use crate::retry::should_retry;
use crate::types::Value;
use resp_core::command::Blocks;

/// Requests in flight (written, their replies not yet read) above which a
/// sender that does not wait reads replies itself; see
/// [`Shared::bound_in_flight`].
pub(super) const MAX_IN_FLIGHT: usize = 16_384;

/// A request queued, its reply still to come.
pub(super) struct Ticket {
    /// The request in the queue (`None`: failed before it was queued).
    pub id: Option<MuxId>,
    pub slot: Arc<Slot>,
    pub deadline: Option<Instant>,
    /// The read token, when its caller kept it from writing.
    reading: Option<Arc<Link>>,
    /// The caller is registered as asleep until its reply (it need not
    /// take the lock again to sleep).
    registered: bool,
}

/// How a request ended.
pub(super) enum Outcome {
    /// Every reply, in order.
    Replied(Vec<Value>),
    /// The connection failed first: the replies that came, the error
    /// (saying whether the request may have run), and how many of its
    /// bytes were written, of how many.
    Failed {
        replies: Vec<Value>,
        error: Error,
        written: usize,
        len: usize,
    },
    /// The caller's deadline passed first (the error says whether the
    /// request may have run); a reply that comes later is dropped.
    TimedOut(Error),
}

/// What waiting found.
enum Awaited {
    Done,
    Lead(Arc<Link>),
    /// The write token a writer gave up, taken to write what it left.
    Write(Arc<Link>),
    TimedOut,
}

impl Shared {
    /// Queues a request: `encode` appends its bytes, which expect
    /// `replies` replies. The caller then does what falls to it: opens
    /// the connection when none is open, writes the queue when nobody
    /// does. With `keep_read` (a caller about to wait for its reply), it
    /// keeps the read token it may have taken on the way, takes it if
    /// nobody reads while replies are due, or else registers the caller
    /// as waiting, all in the same turn of the lock.
    ///
    /// # Errors
    ///
    /// Timeout waiting for room in the queue (nothing was queued).
    pub fn submit(
        &self,
        encode: &dyn Fn(&mut Vec<u8>),
        replies: usize,
        deadline: Option<Instant>,
        keep_read: bool,
    ) -> Result<Ticket> {
        let slot = Slot::new();
        let mut st = self.lock();
        if st.link.is_none() && !st.connecting {
            if let Some(down) = st.down.as_ref().filter(|d| d.until > Instant::now()) {
                // The last attempt to connect failed moments ago: fail at
                // once (nothing is sent) until the strategy's pause is over.
                let error = down.error.duplicate().executed_as(Executed::No);
                drop(st);
                slot.lock().end = Some(End::Failed {
                    error,
                    written: 0,
                    len: 0,
                });
                return Ok(Ticket {
                    id: None,
                    slot,
                    deadline,
                    reading: None,
                    registered: false,
                });
            }
        }
        while !st.out.is_empty() && st.out.len() >= self.options.max_queued_bytes {
            st.room_waiters += 1;
            let waited = match deadline {
                None => self.room.wait(st).map_err(|e| e.into_inner()),
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        Err(st)
                    } else {
                        self.room
                            .wait_timeout(st, left)
                            .map(|(g, _)| g)
                            .map_err(|e| e.into_inner().0)
                    }
                }
            };
            st = match waited {
                Ok(g) => g,
                Err(g) => g,
            };
            st.room_waiters -= 1;
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return Err(Error::new(
                    ErrorKind::Timeout,
                    Executed::No,
                    "timed out waiting for room in the multiplexed connection's queue",
                ));
            }
        }
        let start = st.out.len();
        encode(&mut st.out);
        let len = st.out.len() - start;
        let id = st.mux.push(Arc::clone(&slot), len, replies);
        let mut connect = false;
        let mut write = None;
        let connecting = st.connecting;
        // Callers woken together send together: while some are still to
        // run, the last of them writes (`picked_up`).
        let defer = self.woken.load(Ordering::SeqCst) > 0
            && st.mux.queued() < self.options.max_write_commands
            && st.mux.queued_bytes() < self.options.max_write_bytes;
        let mut reading = None;
        let mut registered = false;
        let awaited = st.mux.awaiting();
        match &mut st.link {
            None if !connecting => {
                st.connecting = true;
                connect = true;
            }
            None => {}
            Some(LinkState {
                link,
                writing,
                reading: read_token,
            }) => {
                if !*writing && !defer {
                    *writing = true;
                    write = Some(Arc::clone(link));
                } else if keep_read && !*read_token && awaited > 0 {
                    *read_token = true;
                    reading = Some(Arc::clone(link));
                }
            }
        }
        if keep_read && !connect && write.is_none() && reading.is_none() {
            slot.lock().waiter = Some(Sleeper::current());
            st.add_waiter(&slot);
            registered = true;
        }
        drop(st);
        if connect {
            write = self.connect(deadline);
        }
        if let Some(link) = write {
            reading = self.write_queued(link, deadline, keep_read, false, Some(id));
        }
        Ok(Ticket {
            id: Some(id),
            slot,
            deadline,
            reading,
            registered,
        })
    }

    /// Keeps the requests in flight bounded for callers that send without
    /// waiting (fire-and-forget handles): above [`MAX_IN_FLIGHT`], and
    /// when nobody reads, the sender reads replies (routing each to its
    /// request; dropped handles' are discarded) until half as many are in
    /// flight or `deadline` passes. Otherwise a server that keeps reading
    /// requests while nobody reads its replies would let both sides' memory
    /// grow with the loop.
    pub fn bound_in_flight(&self, deadline: Option<Instant>) {
        let link = {
            let mut st = self.lock();
            if st.mux.awaiting() <= MAX_IN_FLIGHT {
                return;
            }
            match st.link.as_mut() {
                Some(ls) if !ls.reading => {
                    ls.reading = true;
                    Arc::clone(&ls.link)
                }
                _ => return,
            }
        };
        let wanted = || self.lock().mux.awaiting() > MAX_IN_FLIGHT / 2;
        let mut reading = Some(link);
        while let Some(link) = reading.take() {
            match self.read_while(&link, &wanted, deadline) {
                ReadEnd::Done | ReadEnd::TimedOut => self.release_read(&link),
                ReadEnd::Broken => {}
                ReadEnd::Write => reading = self.write_queued(link, deadline, true, true, None),
            }
        }
    }

    /// Opens a connection (one attempt) for the queued requests. On
    /// success the caller holds the write token if anything is queued; on
    /// failure every queued request fails with the error (none was sent).
    fn connect(&self, deadline: Option<Instant>) -> Option<Arc<Link>> {
        let generation = {
            let mut st = self.lock();
            st.generation += 1;
            st.generation
        };
        let limits = self.connector.config().limits;
        // The attempt runs the user's event handler: a panic in it must not
        // leave the connection "being opened" for ever, every later call
        // queued behind an attempt that never ends.
        let opened = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.connector
                .connect(deadline)
                .and_then(|conn| Link::new(conn, generation, limits))
        }));
        let opened = match opened {
            Ok(opened) => opened,
            Err(panic) => {
                let error = Error::new(
                    ErrorKind::Connect,
                    Executed::No,
                    "opening the multiplexed connection was cut short by a panic (in an event handler?)",
                );
                let mut st = self.lock();
                st.connecting = false;
                let wakes = st.fail_all(&error, &self.woken);
                drop(st);
                self.wake_all(wakes);
                std::panic::resume_unwind(panic);
            }
        };
        let mut st = self.lock();
        st.connecting = false;
        match opened {
            Ok(link) => {
                st.down = None;
                let link = Arc::new(link);
                let writing = st.mux.queued() > 0;
                st.link = Some(LinkState {
                    link: Arc::clone(&link),
                    reading: false,
                    writing,
                });
                drop(st);
                writing.then_some(link)
            }
            Err(error) => {
                let error = error.executed_as(Executed::No);
                let attempts = st.down.as_ref().map_or(0, |d| d.attempts) + 1;
                let delay = self
                    .connector
                    .strategy()
                    .delay(attempts)
                    .unwrap_or_default();
                st.down = Some(Down {
                    until: Instant::now() + delay,
                    error: error.duplicate(),
                    attempts,
                });
                let wakes = st.fail_all(&error, &self.woken);
                drop(st);
                self.wake_all(wakes);
                // After the lock and the wakes: the handler may panic.
                self.connector.emit(crate::Event::Reconnecting {
                    attempt: attempts,
                    delay,
                });
                None
            }
        }
    }

    /// Waits for the request's end: its replies, the connection's failure
    /// or the deadline, reading replies for everyone while the read token
    /// is this caller's.
    pub fn finish(&self, mut ticket: Ticket) -> Outcome {
        let mut reading = ticket.reading.take();
        loop {
            if let Some(link) = reading.take() {
                match self.read_until(&link, &ticket.slot, ticket.deadline) {
                    ReadEnd::Done => {
                        self.release_read(&link);
                        break;
                    }
                    ReadEnd::Broken => break,
                    ReadEnd::Write => {
                        reading = self.write_queued(link, ticket.deadline, true, true, ticket.id);
                        continue;
                    }
                    ReadEnd::TimedOut => return self.time_out(&ticket, Some(&link)),
                }
            }
            match self.await_slot(&ticket.slot, ticket.deadline, &mut ticket.registered) {
                Awaited::Done => break,
                Awaited::Lead(link) => reading = Some(link),
                Awaited::Write(link) => {
                    reading = self.write_queued(link, ticket.deadline, true, false, ticket.id);
                }
                Awaited::TimedOut => return self.time_out(&ticket, None),
            }
        }
        self.take_outcome(&ticket.slot)
    }

    /// Sleeps until the slot is done, the read token is handed to this
    /// caller, or the deadline passes; takes the read token itself when
    /// nobody holds it and replies are awaited.
    fn await_slot(
        &self,
        slot: &Arc<Slot>,
        deadline: Option<Instant>,
        registered: &mut bool,
    ) -> Awaited {
        loop {
            // Read before looking: a ring after this wakes the sleep below.
            let seen = self.bell.seen();
            {
                let mut inner = slot.lock();
                if inner.end.is_some() {
                    return Awaited::Done;
                }
                if let Some(link) = inner.lead.take() {
                    return Awaited::Lead(link);
                }
            }
            let now = Instant::now();
            if deadline.is_some_and(|d| now >= d) {
                return Awaited::TimedOut;
            }
            if std::mem::take(registered) {
                // Registered when the request was queued: sleep at once.
            } else {
                let mut st = self.lock();
                let mut inner = slot.lock();
                if inner.end.is_some() {
                    return Awaited::Done;
                }
                if let Some(link) = inner.lead.take() {
                    return Awaited::Lead(link);
                }
                if let Some(link) = st.adopt_write() {
                    return Awaited::Write(link);
                }
                let awaited = st.mux.awaiting();
                if let Some(ls) = st.link.as_mut() {
                    if !ls.reading && awaited > 0 {
                        ls.reading = true;
                        return Awaited::Lead(Arc::clone(&ls.link));
                    }
                }
                inner.waiter = Some(Sleeper::current());
                drop(inner);
                st.add_waiter(slot);
            }
            self.bell.sleep(seen, deadline);
        }
    }

    /// The caller gives up at its deadline: the read token it holds or was
    /// handed goes on to another caller; a request still queued leaves the
    /// queue (it did not run), a sent one's reply will be dropped (it may
    /// have run). A request that ended meanwhile ends as it did.
    fn time_out(&self, ticket: &Ticket, holding: Option<&Arc<Link>>) -> Outcome {
        let mut st = self.lock();
        if let Some(link) = holding {
            if let Some(ls) = st.current(link) {
                ls.reading = false;
            }
        }
        let ended = {
            let mut inner = ticket.slot.lock();
            inner.waiter = None;
            if let Some(link) = inner.lead.take() {
                if let Some(ls) = st.current(&link) {
                    ls.reading = false;
                }
            }
            inner.end.is_some()
        };
        let executed = if ended {
            None
        } else {
            match ticket.id.map_or(Abandoned::Gone, |id| st.mux.abandon(id)) {
                Abandoned::Unsent { at, len, .. } => {
                    st.out.drain(at..at + len);
                    if st.room_waiters > 0 {
                        self.room.notify_all();
                    }
                    Some(Executed::No)
                }
                Abandoned::Sent | Abandoned::Gone => Some(Executed::Maybe),
            }
        };
        let addr = st.link.as_ref().map(|ls| ls.link.addr.to_string());
        let stuck = self.stuck(&st);
        let wake = st.kick();
        drop(st);
        self.bell.ring(Ring::one(wake));
        if let Some((link, error)) = stuck {
            self.break_link(&link, error, None);
        }
        let Some(executed) = executed else {
            return self.take_outcome(&ticket.slot);
        };
        let what = match executed {
            Executed::No => "timed out before the command was sent",
            _ => "timed out waiting for the reply",
        };
        let on = addr.map(|a| format!(" from {a}")).unwrap_or_default();
        Outcome::TimedOut(Error::new(
            ErrorKind::Timeout,
            executed,
            format!("{what}{on} (multiplexed connection)"),
        ))
    }

    /// After a caller gave up: whether the connection is stuck behind a
    /// reply nobody awaits, and must go. That is when the oldest request
    /// on it was abandoned by its caller and is older than the response
    /// timeout (with none set, a connection is never given up this way):
    /// callers behind a late reply time out and the connection serves on
    /// when it comes, but a reply that does not come in that long (a
    /// server stuck mid-reply, an endless one) would time out every later
    /// call.
    fn stuck(&self, st: &State) -> Option<(Arc<Link>, Error)> {
        let limit = self.connector.config().timeout?;
        let oldest = st.mux.oldest_abandoned()?;
        let waited = oldest.created.elapsed();
        if waited < limit {
            return None;
        }
        let link = Arc::clone(&st.link.as_ref()?.link);
        let error = Error::new(
            ErrorKind::Timeout,
            Executed::Maybe,
            format!(
                "{}: no reply in {waited:.1?} to a request its caller gave up on, \
                 with requests waiting behind it (the response timeout is {limit:?}); \
                 the connection is closed",
                link.addr
            ),
        );
        Some((link, error))
    }

    /// A handle is dropped unwaited: its request goes on, its reply is
    /// dropped, a failure is logged.
    pub fn detach(&self, ticket: Ticket) {
        if let Some(link) = &ticket.reading {
            self.release_read(link);
        }
        let mut inner = ticket.slot.lock();
        match &inner.end {
            None => {
                inner.detached = true;
                inner.replies.clear();
            }
            Some(End::Failed { error, .. }) => {
                log::warn!("a multiplexed call whose handle was dropped failed: {error}");
            }
            Some(End::Replied) => {
                if let Some(line) = inner.replies.iter().find_map(super::slot::error_line) {
                    log::warn!(
                        "a multiplexed call whose handle was dropped got an error reply: {line}"
                    );
                }
            }
        }
    }

    /// Runs a request to its end, again after the reconnect strategy's
    /// pause while it surely did not run and the failure may pass (the
    /// connection was lost before it was sent, or could not be opened),
    /// within its deadline and the retry bound.
    pub fn call(
        &self,
        encode: &dyn Fn(&mut Vec<u8>),
        replies: usize,
        deadline: Option<Instant>,
        ran: &dyn Fn(&Outcome) -> Executed,
    ) -> Outcome {
        let mut backoff: Option<Backoff<'_>> = None;
        loop {
            let epoch = self.connector.epoch();
            let outcome = match self.submit(encode, replies, deadline, true) {
                Ok(ticket) => self.finish(ticket),
                Err(error) => Outcome::TimedOut(error),
            };
            let error = match &outcome {
                Outcome::Failed { error, .. } => error,
                _ => return outcome,
            };
            if ran(&outcome) != Executed::No || !should_retry(error, &|| false, false) {
                return outcome;
            }
            let backoff = backoff.get_or_insert_with(|| {
                Backoff::new(&self.connector, self.options.max_retries, deadline)
            });
            if backoff.pause(error.duplicate(), epoch).is_err() {
                return outcome;
            }
        }
    }
}

impl Shared {
    /// Takes the end of a slot that is done.
    fn take_outcome(&self, slot: &Slot) -> Outcome {
        let mut inner = slot.lock();
        let replies = std::mem::take(&mut inner.replies);
        let end = inner.end.take();
        let woken = std::mem::take(&mut inner.woken);
        // A read token handed over as the request ended belongs to a
        // connection that is gone; give it back all the same.
        let lead = inner.lead.take();
        drop(inner);
        if let Some(link) = lead {
            self.release_read(&link);
        }
        if woken {
            self.picked_up();
        }
        outcome(end, replies)
    }

    /// A caller woken by its request's end took it. The last of the
    /// callers woken writes what they queued meanwhile (if nobody is
    /// writing), before it goes on.
    fn picked_up(&self) {
        if self.woken.fetch_sub(1, Ordering::SeqCst) != 1 {
            return;
        }
        let mut st = self.lock();
        let queued = st.mux.queued() > 0;
        let link = match st.link.as_mut() {
            Some(ls) if queued && !ls.writing => {
                ls.writing = true;
                Arc::clone(&ls.link)
            }
            _ => return,
        };
        drop(st);
        let deadline = deadline_after(self.connector.config().timeout, Blocks::No);
        self.write_queued(link, deadline, false, false, None);
    }
}

/// A request's outcome from how its slot ended.
fn outcome(end: Option<End>, replies: Vec<Value>) -> Outcome {
    match end {
        Some(End::Replied) => Outcome::Replied(replies),
        Some(End::Failed {
            error,
            written,
            len,
        }) => Outcome::Failed {
            replies,
            error,
            written,
            len,
        },
        None => Outcome::TimedOut(Error::new(
            ErrorKind::Protocol,
            Executed::Maybe,
            "the request ended without an outcome",
        )),
    }
}
