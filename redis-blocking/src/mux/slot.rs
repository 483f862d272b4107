//! A request's slot: where its replies go, and how its caller waits for
//! them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use resp_core::Frame;

use super::bell::Sleeper;
use super::link::Link;
use crate::error::Error;
use crate::types::Value;

/// Where one request's replies go; shared by its caller (or handle) and
/// whichever thread reads the replies.
pub(super) struct Slot {
    inner: Mutex<SlotInner>,
    /// When the request was made: how long a reply nobody awaits any more
    /// has held up the requests behind it.
    pub created: Instant,
}

#[derive(Default)]
pub(super) struct SlotInner {
    /// The replies so far (a command's one, a pipeline's in order).
    pub replies: Vec<Value>,
    /// Set once: every reply arrived, or the connection failed first.
    pub end: Option<End>,
    /// The caller's thread while it sleeps, to wake when `end` or `lead`
    /// is set.
    pub waiter: Option<Sleeper>,
    /// The read token, handed to this slot's caller: it reads replies
    /// (everyone's) until its own have come.
    pub lead: Option<Arc<Link>>,
    /// The handle was dropped: nobody will look; failures are logged.
    pub detached: bool,
    /// The caller was woken by the end of its request and counted in
    /// [`Shared::woken`](super::shared::Shared::woken) until it takes it.
    pub woken: bool,
}

/// How a request ended.
pub(super) enum End {
    /// Every reply arrived (in [`SlotInner::replies`]).
    Replied,
    /// The connection failed first: the error (saying whether the request
    /// may have run), and how many of its bytes were written.
    Failed {
        error: Error,
        written: usize,
        len: usize,
    },
}

/// A thread to wake, and what to log for a request nobody waits for.
#[must_use]
pub(super) struct Wake {
    sleeper: Option<Sleeper>,
    note: Option<String>,
}

impl Wake {
    /// Logs the note; the caller to wake.
    pub fn into_sleeper(self) -> Option<Sleeper> {
        if let Some(note) = self.note {
            log::warn!("{note}");
        }
        self.sleeper
    }
}

impl Slot {
    pub fn new() -> Arc<Slot> {
        Arc::new(Slot {
            inner: Mutex::default(),
            created: Instant::now(),
        })
    }

    pub fn lock(&self) -> MutexGuard<'_, SlotInner> {
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn is_done(&self) -> bool {
        self.lock().end.is_some()
    }

    /// A reply that is not the request's last.
    pub fn part(&self, reply: Value) {
        let mut inner = self.lock();
        if !inner.detached {
            inner.replies.push(reply);
        }
    }

    /// The request's last reply; a sleeping caller is counted in `woken`.
    pub fn last(&self, reply: Value, woken: &AtomicUsize) -> Wake {
        let mut inner = self.lock();
        let note = if inner.detached {
            error_line(&reply).map(|line| {
                format!("a multiplexed call whose handle was dropped got an error reply: {line}")
            })
        } else {
            inner.replies.push(reply);
            None
        };
        inner.end = Some(End::Replied);
        Wake {
            sleeper: take_waiter(&mut inner, woken),
            note,
        }
    }

    /// The connection failed before the request's last reply; a sleeping
    /// caller is counted in `woken`.
    pub fn fail(&self, error: Error, written: usize, len: usize, woken: &AtomicUsize) -> Wake {
        let mut inner = self.lock();
        let note = inner
            .detached
            .then(|| format!("a multiplexed call whose handle was dropped failed: {error}"));
        inner.end = Some(End::Failed {
            error,
            written,
            len,
        });
        Wake {
            sleeper: take_waiter(&mut inner, woken),
            note,
        }
    }
}

/// The sleeping caller to wake, counted in `woken` until it takes its
/// request's end.
fn take_waiter(inner: &mut SlotInner, woken: &AtomicUsize) -> Option<Sleeper> {
    let sleeper = inner.waiter.take()?;
    inner.woken = true;
    woken.fetch_add(1, Ordering::SeqCst);
    Some(sleeper)
}

/// The error line of an error reply, for a log line.
pub(super) fn error_line(reply: &Frame<'_>) -> Option<String> {
    match reply {
        Frame::Error(e) | Frame::BulkError(e) => Some(String::from_utf8_lossy(e).into_owned()),
        Frame::Attributed(a) => error_line(&a.frame),
        _ => None,
    }
}
