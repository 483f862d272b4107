//! One connection shared by many callers: their requests queued in order,
//! taken for writing in bounded batches, and each reply routed back to the
//! request that asked for it.

use std::collections::VecDeque;

use super::outcome::Executed;

/// Identifies a request of a [`Multiplex`]; ids grow with every request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MuxId(u64);

impl MuxId {
    /// The id as a number (for messages).
    pub fn get(self) -> u64 {
        self.0
    }
}

/// The next write: the first `bytes` bytes of the queued stream, which
/// hold the next `requests` requests, expecting `replies` replies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transmit {
    /// Bytes to take from the front of the queued bytes.
    pub bytes: usize,
    /// Requests they hold.
    pub requests: usize,
    /// Replies those requests expect.
    pub replies: usize,
}

/// Where a reply goes.
#[derive(Debug, PartialEq, Eq)]
pub enum Routed<'m, T> {
    /// One of several replies of a request (a pipeline's), more to come.
    Part {
        /// The request.
        id: MuxId,
        /// Its value.
        value: &'m T,
        /// The reply's index among the request's replies.
        index: usize,
        /// The caller gave up on the request: drop the reply.
        abandoned: bool,
    },
    /// The request's last reply: the request is done and leaves the queue.
    Last {
        /// The request.
        id: MuxId,
        /// Its value, handed back.
        value: T,
        /// The reply's index among the request's replies.
        index: usize,
        /// The caller gave up on the request: drop the reply.
        abandoned: bool,
    },
}

/// What became of a request its caller gave up on.
#[derive(Debug, PartialEq, Eq)]
pub enum Abandoned<T> {
    /// It was still queued, never taken for writing: it left the queue,
    /// and its bytes must be removed from the queued stream, `len` bytes
    /// from byte `at`. It surely did not run.
    Unsent {
        /// The request's value, handed back.
        value: T,
        /// Where its bytes start in the queued stream.
        at: usize,
        /// How many bytes it has.
        len: usize,
    },
    /// It was taken for writing: it may run, and its replies will be
    /// routed as [`abandoned`](Routed::Last::abandoned), to be dropped.
    Sent,
    /// No such request: it got its last reply or failed already.
    Gone,
}

/// A request that got no (complete) answer because the connection failed.
#[derive(Debug, PartialEq, Eq)]
pub struct Failed<T> {
    /// The request.
    pub id: MuxId,
    /// Its value, handed back.
    pub value: T,
    /// Bytes of it that were written (0 for one never taken).
    pub written: usize,
    /// Its length in bytes.
    pub len: usize,
    /// Replies it got before the failure (a pipeline's first ones).
    pub got: usize,
    /// Whether it may have run: [`Executed::Maybe`] once completely
    /// written, [`Executed::No`] otherwise (a command cut short is never
    /// run by the server).
    pub executed: Executed,
    /// Its caller had given up on it.
    pub abandoned: bool,
}

#[derive(Debug)]
struct Entry<T> {
    id: u64,
    value: T,
    len: usize,
    replies: usize,
    got: usize,
    /// Offset in the taken stream, once taken.
    start: u64,
    abandoned: bool,
}

/// The request queue of a connection that many callers share (implicit
/// pipelining): each caller's request is queued with its length in bytes
/// and the number of replies it expects; writes take the queued bytes in
/// order, in batches bounded by bytes and by requests; replies, which the
/// server sends in the same order, are routed back to their requests.
///
/// The caller owns the bytes: it appends each request's encoding to its
/// own buffer as it [`push`](Multiplex::push)es it, and moves out what
/// [`poll_transmit`](Multiplex::poll_transmit) says. Each request carries a
/// value of the caller's (`T`: where its replies go) that comes back with
/// its last reply, its failure or its abandonment.
///
/// # Call order
///
/// 1. [`push`](Multiplex::push) a request after appending its bytes to the
///    queued stream.
/// 2. Before writing, [`poll_transmit`](Multiplex::poll_transmit): take that
///    many bytes from the front of the queued stream and write them; then
///    [`handle_written`](Multiplex::handle_written) with the bytes written.
/// 3. For every reply decoded (push frames aside),
///    [`handle_reply`](Multiplex::handle_reply) says which request it
///    answers; `None` means no request awaits one, and the connection is
///    out of step.
/// 4. A caller that gives up calls [`abandon`](Multiplex::abandon); when
///    the connection fails, [`fail`](Multiplex::fail) hands back every
///    request with whether it may have run.
///
/// # Example
///
/// ```
/// use resp_core::client::{Abandoned, Executed, Multiplex, Routed};
///
/// let mut queued = Vec::new();
/// let mut mux = Multiplex::new(1 << 20, 1024);
/// queued.extend_from_slice(b"*1\r\n$4\r\nPING\r\n");
/// let ping = mux.push("ping", 14, 1);
/// queued.extend_from_slice(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n");
/// let get = mux.push("get", 20, 1);
///
/// // Both go out in one write.
/// let transmit = mux.poll_transmit().unwrap();
/// assert_eq!((transmit.bytes, transmit.requests), (34, 2));
/// let written: Vec<u8> = queued.drain(..transmit.bytes).collect();
/// mux.handle_written(written.len());
///
/// // The caller of GET gives up: its reply will be dropped.
/// assert_eq!(mux.abandon(get), Abandoned::Sent);
/// let Some(Routed::Last { value: "ping", abandoned: false, .. }) = mux.handle_reply() else { panic!() };
/// let Some(Routed::Last { value: "get", abandoned: true, .. }) = mux.handle_reply() else { panic!() };
/// assert!(mux.handle_reply().is_none()); // a third reply: out of step
///
/// // A request queued when the connection fails never ran.
/// let late = mux.push("late", 14, 1);
/// let failed = mux.fail();
/// assert_eq!((failed[0].id, failed[0].executed), (late, Executed::No));
/// ```
#[derive(Debug)]
pub struct Multiplex<T> {
    requests: VecDeque<Entry<T>>,
    /// The requests at the front taken for writing.
    taken: usize,
    /// Bytes of the requests not taken yet.
    queued_bytes: usize,
    /// Bytes taken so far (the taken stream's length).
    taken_total: u64,
    /// Bytes written so far.
    written_total: u64,
    next_id: u64,
    max_bytes: usize,
    max_requests: usize,
}

impl<T> Multiplex<T> {
    /// An empty queue whose writes take at most `max_bytes` bytes and
    /// `max_requests` requests each (always at least one request, however
    /// long).
    pub fn new(max_bytes: usize, max_requests: usize) -> Multiplex<T> {
        Multiplex {
            requests: VecDeque::new(),
            taken: 0,
            queued_bytes: 0,
            taken_total: 0,
            written_total: 0,
            next_id: 0,
            max_bytes,
            max_requests: max_requests.max(1),
        }
    }

    /// Queues a request of `len` bytes (already appended to the caller's
    /// queued stream) that expects `replies` replies: 1 for a command, as
    /// many as a pipeline has commands (`MULTI` and `EXEC` counted).
    ///
    /// # Panics
    ///
    /// If `replies` is 0: a request without a reply could not be told
    /// apart from the next one.
    pub fn push(&mut self, value: T, len: usize, replies: usize) -> MuxId {
        assert!(replies > 0, "a multiplexed request must expect a reply");
        let id = self.next_id;
        self.next_id += 1;
        self.queued_bytes += len;
        self.requests.push_back(Entry {
            id,
            value,
            len,
            replies,
            got: 0,
            start: 0,
            abandoned: false,
        });
        MuxId(id)
    }

    /// The next write, taking the queued requests at the front (as many as
    /// the bounds allow, at least one); `None` when nothing is queued. The
    /// requests count as sent from now on: their replies may arrive before
    /// [`handle_written`](Multiplex::handle_written) is called.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        let mut t = Transmit {
            bytes: 0,
            requests: 0,
            replies: 0,
        };
        for entry in self.requests.iter_mut().skip(self.taken) {
            let fits = t.requests < self.max_requests && t.bytes + entry.len <= self.max_bytes;
            if t.requests > 0 && !fits {
                break;
            }
            entry.start = self.taken_total + t.bytes as u64;
            t.bytes += entry.len;
            t.requests += 1;
            t.replies += entry.replies;
        }
        if t.requests == 0 {
            return None;
        }
        self.taken += t.requests;
        self.taken_total += t.bytes as u64;
        self.queued_bytes -= t.bytes;
        Some(t)
    }

    /// Records that `n` more bytes of the taken stream were written.
    pub fn handle_written(&mut self, n: usize) {
        self.written_total = (self.written_total + n as u64).min(self.taken_total);
    }

    /// Routes the next reply (push frames are not replies) to the oldest
    /// sent request still awaiting one; `None` when no request awaits a
    /// reply: the server answered something nobody asked, and the
    /// connection is out of step.
    pub fn handle_reply(&mut self) -> Option<Routed<'_, T>> {
        if self.taken == 0 {
            return None;
        }
        let front = self.requests.front_mut()?;
        let index = front.got;
        front.got += 1;
        if front.got < front.replies {
            let front = self.requests.front()?;
            return Some(Routed::Part {
                id: MuxId(front.id),
                value: &front.value,
                index,
                abandoned: front.abandoned,
            });
        }
        let done = self.requests.pop_front()?;
        self.taken -= 1;
        Some(Routed::Last {
            id: MuxId(done.id),
            value: done.value,
            index,
            abandoned: done.abandoned,
        })
    }

    /// The caller of `id` gives up on it (it timed out): a request not yet
    /// taken leaves the queue; a sent one stays, its replies marked to be
    /// dropped.
    pub fn abandon(&mut self, id: MuxId) -> Abandoned<T> {
        let Ok(index) = self.requests.binary_search_by_key(&id.0, |e| e.id) else {
            return Abandoned::Gone;
        };
        if index < self.taken {
            self.requests[index].abandoned = true;
            return Abandoned::Sent;
        }
        let at = self.requests.range(self.taken..index).map(|e| e.len).sum();
        let Some(entry) = self.requests.remove(index) else {
            return Abandoned::Gone;
        };
        self.queued_bytes -= entry.len;
        Abandoned::Unsent {
            value: entry.value,
            at,
            len: entry.len,
        }
    }

    /// The oldest sent request still awaiting a reply, if its caller gave
    /// up on it ([`abandon`](Multiplex::abandon)): every request behind it
    /// waits for a reply nobody awaits. The I/O side decides, by the
    /// request's age, when that means the connection is stuck.
    ///
    /// ```
    /// use resp_core::client::Multiplex;
    ///
    /// let mut mux = Multiplex::new(1 << 16, 64);
    /// let first = mux.push("first", 14, 1);
    /// mux.push("second", 14, 1);
    /// mux.poll_transmit();
    /// assert_eq!(mux.oldest_abandoned(), None);
    /// mux.abandon(first);
    /// assert_eq!(mux.oldest_abandoned(), Some(&"first"));
    /// ```
    pub fn oldest_abandoned(&self) -> Option<&T> {
        if self.taken == 0 {
            return None;
        }
        self.requests
            .front()
            .filter(|e| e.abandoned)
            .map(|e| &e.value)
    }

    /// The connection failed: every request leaves the queue, each with
    /// how much of it was written and whether it may have run. The queue
    /// is empty afterwards and can serve a new connection.
    pub fn fail(&mut self) -> Vec<Failed<T>> {
        let written_total = self.written_total;
        let taken = self.taken;
        let failed = self
            .requests
            .drain(..)
            .enumerate()
            .map(|(i, e)| {
                let written = if i < taken {
                    written_total.saturating_sub(e.start).min(e.len as u64) as usize
                } else {
                    0
                };
                Failed {
                    id: MuxId(e.id),
                    value: e.value,
                    written,
                    len: e.len,
                    got: e.got,
                    executed: if written == e.len && e.len > 0 {
                        Executed::Maybe
                    } else {
                        Executed::No
                    },
                    abandoned: e.abandoned,
                }
            })
            .collect();
        self.taken = 0;
        self.queued_bytes = 0;
        self.taken_total = 0;
        self.written_total = 0;
        failed
    }

    /// A write stopped part-way (its writer gave up): the taken requests
    /// none of whose bytes were written go back to the queue, at its
    /// front, as if never taken (they can be abandoned as
    /// [`Unsent`](Abandoned::Unsent) again). Returns their length in
    /// bytes: the caller moves that many bytes from the end of the
    /// unwritten part of its write back to the front of its queued stream.
    /// What stays taken and unwritten ([`unwritten`](Multiplex::unwritten))
    /// is the rest of at most one request, which must be written before
    /// anything else.
    pub fn handle_write_stopped(&mut self) -> usize {
        let mut bytes = 0;
        while self.taken > 0 {
            let e = &self.requests[self.taken - 1];
            if e.start < self.written_total || e.len == 0 {
                break;
            }
            bytes += e.len;
            self.taken -= 1;
        }
        self.taken_total -= bytes as u64;
        self.queued_bytes += bytes;
        bytes
    }

    /// True when a request other than `own` is queued or awaits replies
    /// and its caller has not given up on it.
    pub fn serves_other_than(&self, own: Option<MuxId>) -> bool {
        self.requests
            .iter()
            .any(|e| !e.abandoned && Some(MuxId(e.id)) != own)
    }

    /// Requests sent and awaiting replies.
    pub fn awaiting(&self) -> usize {
        self.taken
    }

    /// Requests queued, not yet taken for writing.
    pub fn queued(&self) -> usize {
        self.requests.len() - self.taken
    }

    /// Bytes of the requests not yet taken for writing.
    pub fn queued_bytes(&self) -> usize {
        self.queued_bytes
    }

    /// Bytes taken for writing but not yet recorded as written.
    pub fn unwritten(&self) -> u64 {
        self.taken_total - self.written_total
    }

    /// Requests queued or awaiting replies.
    pub fn len(&self) -> usize {
        self.requests.len()
    }

    /// True when no request is queued or awaiting a reply.
    pub fn is_empty(&self) -> bool {
        self.requests.is_empty()
    }

    /// Every request's value, oldest first (for a caller looking for one
    /// to wake, for example).
    pub fn values(&self) -> impl Iterator<Item = (MuxId, &T)> + '_ {
        self.requests.iter().map(|e| (MuxId(e.id), &e.value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn last<T>(r: Option<Routed<'_, T>>) -> (T, bool) {
        match r {
            Some(Routed::Last {
                value, abandoned, ..
            }) => (value, abandoned),
            _ => panic!("expected a last reply"),
        }
    }

    #[test]
    fn replies_follow_requests_in_order() {
        let mut mux = Multiplex::new(1 << 20, 100);
        let a = mux.push('a', 10, 1);
        let b = mux.push('b', 10, 3);
        let c = mux.push('c', 10, 1);
        assert!(a < b && b < c);
        assert!(mux.handle_reply().is_none(), "nothing sent yet");
        let t = mux.poll_transmit().unwrap();
        assert_eq!(
            t,
            Transmit {
                bytes: 30,
                requests: 3,
                replies: 5
            }
        );
        assert_eq!(mux.awaiting(), 3);
        assert_eq!(last(mux.handle_reply()), ('a', false));
        for index in 0..2 {
            match mux.handle_reply() {
                Some(Routed::Part {
                    id,
                    value: 'b',
                    index: i,
                    abandoned: false,
                }) => assert_eq!((id, i), (b, index)),
                other => panic!("{other:?}"),
            }
        }
        assert_eq!(last(mux.handle_reply()), ('b', false));
        assert_eq!(last(mux.handle_reply()), ('c', false));
        assert!(mux.handle_reply().is_none());
        assert!(mux.is_empty());
    }

    #[test]
    fn writes_are_bounded_by_bytes_and_requests() {
        let mut mux = Multiplex::new(25, 2);
        for len in [10, 10, 10, 100, 5] {
            mux.push((), len, 1);
        }
        assert_eq!(mux.queued_bytes(), 135);
        // Two requests at most.
        assert_eq!(mux.poll_transmit().unwrap().bytes, 20);
        // 10 + 100 is over 25 bytes: the 10 alone.
        assert_eq!(mux.poll_transmit().unwrap().bytes, 10);
        // A request longer than the bound goes alone.
        assert_eq!(mux.poll_transmit().unwrap().bytes, 100);
        assert_eq!(mux.poll_transmit().unwrap().bytes, 5);
        assert_eq!(mux.poll_transmit(), None);
        assert_eq!(
            (mux.queued(), mux.awaiting(), mux.queued_bytes()),
            (0, 5, 0)
        );
    }

    #[test]
    fn abandoning_an_unsent_request_removes_its_bytes() {
        let mut mux = Multiplex::new(1 << 20, 100);
        mux.push('a', 4, 1);
        mux.poll_transmit().unwrap();
        mux.push('b', 5, 1);
        let c = mux.push('c', 6, 1);
        mux.push('d', 7, 1);
        // `c` starts after `b`'s 5 queued bytes.
        assert_eq!(
            mux.abandon(c),
            Abandoned::Unsent {
                value: 'c',
                at: 5,
                len: 6
            }
        );
        assert_eq!(mux.abandon(c), Abandoned::Gone);
        assert_eq!(mux.queued_bytes(), 12);
        let t = mux.poll_transmit().unwrap();
        assert_eq!((t.bytes, t.requests), (12, 2));
        assert_eq!(last(mux.handle_reply()).0, 'a');
        assert_eq!(last(mux.handle_reply()).0, 'b');
        assert_eq!(last(mux.handle_reply()).0, 'd');
    }

    #[test]
    fn an_abandoned_sent_request_still_takes_its_replies() {
        let mut mux = Multiplex::new(1 << 20, 100);
        let a = mux.push('a', 4, 2);
        mux.push('b', 4, 1);
        mux.poll_transmit().unwrap();
        assert!(matches!(
            mux.handle_reply(),
            Some(Routed::Part {
                abandoned: false,
                ..
            })
        ));
        assert_eq!(mux.abandon(a), Abandoned::Sent);
        assert!(matches!(
            mux.handle_reply(),
            Some(Routed::Last {
                value: 'a',
                abandoned: true,
                ..
            })
        ));
        // The next caller gets its own reply, not the abandoned one's.
        assert_eq!(last(mux.handle_reply()), ('b', false));
        assert_eq!(mux.abandon(a), Abandoned::Gone);
    }

    #[test]
    fn a_failure_says_what_may_have_run() {
        let mut mux = Multiplex::new(10, 100);
        let done = mux.push("done", 4, 1);
        let whole = mux.push("whole", 4, 1);
        let pipeline = mux.push("pipeline", 6, 3);
        let cut = mux.push("cut", 4, 1);
        let taken = mux.push("taken", 4, 1);
        assert_eq!(mux.poll_transmit().unwrap().bytes, 8); // done, whole
        assert_eq!(mux.poll_transmit().unwrap().bytes, 10); // pipeline, cut
        assert_eq!(mux.poll_transmit().unwrap().bytes, 4); // taken
        let queued = mux.push("queued", 4, 1);
        mux.handle_written(8);
        assert_eq!(last(mux.handle_reply()).0, "done");
        // `whole` written whole but unanswered, the pipeline written
        // whole, `cut` half written, `taken` not written at all.
        mux.handle_written(6 + 2);
        assert_eq!(mux.unwritten(), 2 + 4);
        let failed = mux.fail();
        let summary: Vec<_> = failed
            .iter()
            .map(|f| (f.id, f.value, f.written, f.got, f.executed))
            .collect();
        assert_eq!(
            summary,
            vec![
                (whole, "whole", 4, 0, Executed::Maybe),
                (pipeline, "pipeline", 6, 0, Executed::Maybe),
                (cut, "cut", 2, 0, Executed::No),
                (taken, "taken", 0, 0, Executed::No),
                (queued, "queued", 0, 0, Executed::No),
            ]
        );
        assert!(mux.is_empty());
        assert_ne!(done, whole);
        // The queue serves the next connection from scratch; a pipeline
        // answered in part keeps the count of its replies.
        let next = mux.push("next", 3, 3);
        assert_eq!(mux.poll_transmit().unwrap().bytes, 3);
        mux.handle_written(3);
        assert!(matches!(mux.handle_reply(), Some(Routed::Part { .. })));
        let failed = mux.fail();
        assert_eq!((failed[0].got, failed[0].executed), (1, Executed::Maybe));
        assert!(next > queued);
    }

    #[test]
    fn replies_may_come_before_the_write_is_recorded() {
        let mut mux = Multiplex::new(100, 100);
        mux.push('a', 5, 1);
        mux.push('b', 5, 1);
        mux.poll_transmit().unwrap();
        // The writer has not recorded its write yet; the reply is read.
        assert_eq!(last(mux.handle_reply()).0, 'a');
        mux.handle_written(10);
        let failed = mux.fail();
        assert_eq!(
            (failed[0].written, failed[0].executed),
            (5, Executed::Maybe)
        );
    }

    #[test]
    fn a_stopped_write_gives_back_its_untouched_requests() {
        let mut mux = Multiplex::new(100, 100);
        let a = mux.push('a', 5, 1);
        let b = mux.push('b', 5, 1);
        let c = mux.push('c', 5, 1);
        assert_eq!(mux.poll_transmit().unwrap().bytes, 15);
        mux.handle_written(7); // all of a, 2 bytes of b
        assert_eq!(mux.handle_write_stopped(), 5); // c goes back
        assert_eq!((mux.awaiting(), mux.queued(), mux.unwritten()), (2, 1, 3));
        assert!(matches!(
            mux.abandon(c),
            Abandoned::Unsent { at: 0, len: 5, .. }
        ));
        assert_eq!(mux.abandon(b), Abandoned::Sent);
        assert!(mux.serves_other_than(None));
        assert!(!mux.serves_other_than(Some(a)));
        // The rest of b goes out, then nothing more is taken.
        mux.handle_written(3);
        assert_eq!(mux.poll_transmit(), None);
        assert_eq!(last(mux.handle_reply()).0, 'a');
        assert_eq!(last(mux.handle_reply()), ('b', true));
    }
}
