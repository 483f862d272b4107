//! The load itself: worker threads, each driving its share of the
//! connections from one event loop.
//!
//! Each connection is a [`redis_blocking::Connection`] in streaming mode:
//! a batch is written with `send_bytes_in_stream`, and replies are read
//! one frame at a time with `next_frame` once `epoll` says the socket is
//! readable, so every reply gets its own timestamp.
//!
//! * Closed loop (the default): a connection writes its next batch of
//!   `-P` requests when the previous batch is answered. With `-n`, the
//!   workers take requests from one shared count, so exactly `-n` are
//!   sent; with a duration, they stop writing when time is up.
//! * Open loop (`--rate`, rate stages): request `k` is due at the time the
//!   [`Schedule`] gives, on connection `k % connections`, which may have
//!   `-P` requests in flight. A request that cannot go out on time (its
//!   connection is busy) goes out as soon as it can and its latency is
//!   counted from when it was due, not from when it was written: a stall
//!   shows as the wait it caused (no coordinated omission).

use std::collections::VecDeque;
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Barrier;
use std::time::{Duration, Instant};

use redis_blocking::Connection;
use resp_core::Frame;

use super::poller::Poller;
use super::schedule::{share, ConnectionRamp, Schedule};
use super::stats::{Failure, Progress, Recorder, LATE_AFTER};
use super::target::Target;
use super::workload::{Generator, Workload};

/// What a test runs, shared by its workers.
pub(crate) struct Plan<'a> {
    /// The commands.
    pub workload: &'a Workload,
    /// Where connections go (to reopen them).
    pub target: &'a Target,
    /// Connections in all.
    pub clients: usize,
    /// Requests per batch (closed loop) or in flight per connection (open
    /// loop).
    pub pipeline: usize,
    /// `-k 1`: keep connections; `-k 0`: a new one after each batch.
    pub keepalive: bool,
    /// How the measured phase ends.
    pub length: Length,
    /// Open loop: when requests are due.
    pub schedule: Option<Schedule>,
    /// Closed loop: connections at work over time.
    pub ramp: Option<ConnectionRamp>,
    /// A phase before the measured one, measured by nobody.
    pub warmup: Option<Warmup>,
    /// Requests unanswered this long fail as timeouts.
    pub timeout: Option<Duration>,
    /// Histogram significant digits.
    pub sigfig: u8,
    /// `-e`: print error replies.
    pub show_errors: bool,
}

/// How the measured phase ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Length {
    /// After this many requests (answered or failed).
    Requests(u64),
    /// After this long (requests in flight are still awaited).
    Time(Duration),
}

/// The warmup: its length, and its schedule in an open loop.
pub(crate) struct Warmup {
    /// How long.
    pub length: Duration,
    /// Open loop: when requests are due.
    pub schedule: Option<Schedule>,
}

/// What the workers share.
pub(crate) struct Shared {
    /// Every worker, and the caller, meet here before the measured phase.
    pub barrier: Barrier,
    /// Closed loop with `-n`: requests not yet taken.
    pub remaining: AtomicU64,
    /// Per worker, for the progress line.
    pub progress: Vec<Progress>,
    /// Set by a worker whose connections all failed.
    pub all_failed: AtomicBool,
}

/// A request waiting for its reply.
#[derive(Debug, Clone, Copy)]
struct InFlight {
    kind: usize,
    sent: Instant,
    intended: Option<Instant>,
}

/// One connection and its state.
pub(crate) struct Slot {
    index: usize,
    conn: Option<Connection>,
    inflight: VecDeque<InFlight>,
    out: Vec<u8>,
    gen: Generator,
    /// Open loop: this connection's requests scheduled so far.
    next: u64,
    exhausted: bool,
    /// A batch was answered on this connection (for `-k 0`).
    used: bool,
}

impl Slot {
    /// Connection `index`, already open.
    pub(crate) fn new(index: usize, conn: Connection, gen: Generator) -> Slot {
        Slot {
            index,
            conn: Some(conn),
            inflight: VecDeque::new(),
            out: Vec::new(),
            gen,
            next: 0,
            exhausted: false,
            used: false,
        }
    }
}

/// What a worker hands back.
pub(crate) struct Output {
    /// Its measurements.
    pub recorder: Recorder,
    /// When its last request finished.
    pub end: Instant,
}

/// Takes up to `want` requests from `remaining`.
fn take(remaining: &AtomicU64, want: u64) -> u64 {
    let mut current = remaining.load(Ordering::Relaxed);
    loop {
        if current == 0 {
            return 0;
        }
        let got = current.min(want);
        match remaining.compare_exchange_weak(
            current,
            current - got,
            Ordering::Relaxed,
            Ordering::Relaxed,
        ) {
            Ok(_) => return got,
            Err(now) => current = now,
        }
    }
}

/// One phase: its start, and what bounds it.
struct Phase<'p> {
    start: Instant,
    /// Closed loop: no batch starts at or after this.
    end: Option<Instant>,
    /// Open loop.
    schedule: Option<&'p Schedule>,
    /// Closed loop with a request count.
    remaining: Option<&'p AtomicU64>,
    ramp: Option<&'p ConnectionRamp>,
}

/// Runs worker `id` over `slots`: the warmup, the meeting at the barrier,
/// the measured phase.
pub(crate) fn work(plan: &Plan<'_>, slots: Vec<Slot>, shared: &Shared, id: usize) -> Output {
    let mut worker = Worker {
        plan,
        slots,
        poller: None,
        ready: Vec::new(),
    };
    worker.register();
    let kinds = plan.workload.kinds.len();
    if let Some(warmup) = &plan.warmup {
        let start = Instant::now();
        let mut throwaway =
            Recorder::new(kinds, plan.sigfig, start, warmup.schedule.is_some(), false);
        let phase = Phase {
            start,
            end: Some(start + warmup.length),
            schedule: warmup.schedule.as_ref(),
            remaining: None,
            ramp: None,
        };
        worker.run(&phase, &mut throwaway, None);
        for slot in &mut worker.slots {
            slot.next = 0;
            slot.exhausted = false;
        }
    }
    shared.barrier.wait();
    let start = Instant::now();
    let mut recorder = Recorder::new(
        kinds,
        plan.sigfig,
        start,
        plan.schedule.is_some(),
        plan.show_errors,
    );
    let phase = Phase {
        start,
        end: match plan.length {
            Length::Time(d) => Some(start + d),
            Length::Requests(_) => None,
        },
        schedule: plan.schedule.as_ref(),
        remaining: match plan.length {
            Length::Requests(_) if plan.schedule.is_none() => Some(&shared.remaining),
            _ => None,
        },
        ramp: plan.ramp.as_ref(),
    };
    let all_failed = worker.run(&phase, &mut recorder, Some(&shared.progress[id]));
    if all_failed {
        shared.all_failed.store(true, Ordering::Relaxed);
    }
    recorder.finish();
    recorder.publish(&shared.progress[id]);
    Output {
        recorder,
        end: Instant::now(),
    }
}

struct Worker<'a, 'p> {
    plan: &'a Plan<'p>,
    slots: Vec<Slot>,
    poller: Option<Poller>,
    ready: Vec<usize>,
}

impl Worker<'_, '_> {
    fn register(&mut self) {
        let poller = match Poller::new() {
            Ok(p) => p,
            Err(e) => {
                eprintln!("Cannot wait for connections: {e}");
                for slot in &mut self.slots {
                    slot.conn = None;
                }
                return;
            }
        };
        for (token, slot) in self.slots.iter_mut().enumerate() {
            if let Some(conn) = &slot.conn {
                if poller.add(conn.as_raw_fd(), token).is_err() {
                    slot.conn = None;
                }
            }
        }
        self.poller = Some(poller);
    }

    /// Runs a phase to its end; true when every connection failed.
    fn run(&mut self, phase: &Phase<'_>, rec: &mut Recorder, progress: Option<&Progress>) -> bool {
        loop {
            let now = Instant::now();
            let mut wake: Option<Instant> = None;
            let elapsed = now.saturating_duration_since(phase.start).as_secs_f64();
            let active = phase.ramp.map(|r| r.active_at(elapsed));
            let mut busy = false;
            let mut alive = false;
            for i in 0..self.slots.len() {
                if self.slots[i].conn.is_none() {
                    continue;
                }
                self.check_timeout(i, now, rec, &mut wake);
                match phase.schedule {
                    Some(schedule) => self.issue_open(i, now, phase, schedule, rec, &mut wake),
                    None => self.issue_closed(i, now, phase, active, rec),
                }
                let slot = &self.slots[i];
                alive |= slot.conn.is_some();
                busy |= !slot.inflight.is_empty();
            }
            if let Some(p) = progress {
                rec.publish(p);
            }
            let more = alive
                && match phase.schedule {
                    Some(_) => self.slots.iter().any(|s| s.conn.is_some() && !s.exhausted),
                    None => match (phase.remaining, phase.end) {
                        (Some(r), _) => r.load(Ordering::Relaxed) > 0,
                        (None, Some(end)) => now < end,
                        (None, None) => false,
                    },
                };
            if !busy && !more {
                self.count_dropped(phase, rec);
                return !alive;
            }
            if phase.schedule.is_none() && more {
                if let Some(end) = phase.end {
                    wake = earliest(wake, end);
                }
                if phase.ramp.is_some() {
                    wake = earliest(wake, now + Duration::from_millis(10));
                }
            }
            let timeout = wake.map(|w| w.saturating_duration_since(Instant::now()));
            let Some(poller) = self.poller.as_mut() else {
                return true;
            };
            if let Err(e) = poller.wait(timeout, &mut self.ready) {
                eprintln!("Cannot wait for connections: {e}");
                for i in 0..self.slots.len() {
                    self.fail(i, Failure::Connection, rec, false);
                }
                return true;
            }
            for r in 0..self.ready.len() {
                let token = self.ready[r];
                self.drain(token, rec);
                // Closed loop: the next batch goes out at once, before the
                // other connections' replies are read.
                if phase.schedule.is_none()
                    && self.slots.get(token).is_some_and(|s| s.conn.is_some())
                {
                    self.issue_closed(token, Instant::now(), phase, active, rec);
                }
            }
        }
    }

    /// Closed loop: the next batch, when the last one is answered.
    fn issue_closed(
        &mut self,
        i: usize,
        now: Instant,
        phase: &Phase<'_>,
        active: Option<usize>,
        rec: &mut Recorder,
    ) {
        let slot = &self.slots[i];
        if !slot.inflight.is_empty() || active.is_some_and(|a| slot.index >= a) {
            return;
        }
        let more = match (phase.remaining, phase.end) {
            (Some(remaining), _) => remaining.load(Ordering::Relaxed) > 0,
            (None, Some(end)) => now < end,
            _ => false,
        };
        if !more {
            return;
        }
        // -k 0: a new connection for each batch.
        if !self.plan.keepalive && self.slots[i].used && !self.reconnect(i, rec) {
            return;
        }
        let want = self.plan.pipeline as u64;
        let got = match phase.remaining {
            Some(remaining) => take(remaining, want),
            None => want,
        };
        if got == 0 {
            return;
        }
        let workload = self.plan.workload;
        let slot = &mut self.slots[i];
        slot.out.clear();
        for _ in 0..got {
            let kind = workload.encode(&mut slot.gen, &mut slot.out);
            slot.inflight.push_back(InFlight {
                kind,
                sent: now,
                intended: None,
            });
        }
        self.write(i, got as usize, rec);
    }

    /// Open loop: every request that is due, while the connection has room.
    fn issue_open(
        &mut self,
        i: usize,
        now: Instant,
        phase: &Phase<'_>,
        schedule: &Schedule,
        rec: &mut Recorder,
        wake: &mut Option<Instant>,
    ) {
        let clients = self.plan.clients as u64;
        let pipeline = self.plan.pipeline;
        let workload = self.plan.workload;
        let slot = &mut self.slots[i];
        if slot.exhausted {
            return;
        }
        if let Some(end) = schedule.end() {
            if later(phase.start, end).is_none_or(|end| now >= end) {
                // Time is up: what is still due is dropped.
                slot.exhausted = true;
                return;
            }
        }
        slot.out.clear();
        let mut count = 0;
        while slot.inflight.len() < pipeline {
            let k = slot.index as u64 + slot.next * clients;
            let Some(t) = schedule.time_of(k) else {
                slot.exhausted = true;
                break;
            };
            let Some(due) = later(phase.start, t) else {
                // Too far ahead to be reached: nothing more is due.
                slot.exhausted = true;
                break;
            };
            if due > now {
                *wake = earliest(*wake, due);
                break;
            }
            if now.saturating_duration_since(due) > LATE_AFTER {
                rec.late += 1;
            }
            let kind = workload.encode(&mut slot.gen, &mut slot.out);
            slot.inflight.push_back(InFlight {
                kind,
                sent: now,
                intended: Some(due),
            });
            slot.next += 1;
            count += 1;
        }
        if count > 0 {
            self.write(i, count, rec);
        }
    }

    /// Writes the slot's encoded batch: its last `count` requests, whose
    /// write time is now.
    fn write(&mut self, i: usize, count: usize, rec: &mut Recorder) {
        let slot = &mut self.slots[i];
        let Some(conn) = slot.conn.as_mut() else {
            return;
        };
        let sent = Instant::now();
        for f in slot.inflight.iter_mut().rev().take(count) {
            f.sent = sent;
        }
        rec.sent += count as u64;
        if conn.send_bytes_in_stream(&slot.out).is_err() {
            self.fail(i, Failure::Connection, rec, true);
        }
    }

    /// Replies that arrived on connection `token`, each timed as it is
    /// read.
    fn drain(&mut self, token: usize, rec: &mut Recorder) {
        let mut failed = false;
        {
            let Some(slot) = self.slots.get_mut(token) else {
                return;
            };
            let Some(conn) = slot.conn.as_mut() else {
                return;
            };
            while !slot.inflight.is_empty() {
                match conn.next_frame(Some(Duration::ZERO)) {
                    Ok(Some(Frame::Push(_))) => {}
                    Ok(Some(frame)) => {
                        let now = Instant::now();
                        let Some(f) = slot.inflight.pop_front() else {
                            break;
                        };
                        let error = match &frame {
                            Frame::Error(m) | Frame::BulkError(m) => Some(&m[..]),
                            _ => None,
                        };
                        rec.reply(f.kind, now, f.sent, f.intended, error);
                    }
                    Ok(None) => break,
                    Err(_) => {
                        failed = true;
                        break;
                    }
                }
            }
        }
        if failed {
            self.fail(token, Failure::Connection, rec, true);
            return;
        }
        let slot = &mut self.slots[token];
        if slot.inflight.is_empty() {
            slot.used = true;
            if !self.plan.keepalive && self.plan.schedule.is_some() {
                self.reconnect(token, rec);
            }
        }
    }

    /// Fails the requests of a connection that has waited too long.
    fn check_timeout(
        &mut self,
        i: usize,
        now: Instant,
        rec: &mut Recorder,
        wake: &mut Option<Instant>,
    ) {
        let Some(timeout) = self.plan.timeout else {
            return;
        };
        let Some(oldest) = self.slots[i].inflight.front() else {
            return;
        };
        let deadline = oldest.sent + timeout;
        if now >= deadline {
            self.fail(i, Failure::Timeout, rec, true);
        } else {
            *wake = earliest(*wake, deadline);
        }
    }

    /// Counts the requests in flight on connection `i` as failed, closes
    /// it, and opens another when `reopen` (the connection is lost if that
    /// fails too).
    fn fail(&mut self, i: usize, why: Failure, rec: &mut Recorder, reopen: bool) {
        let now = Instant::now();
        let slot = &mut self.slots[i];
        for f in slot.inflight.drain(..) {
            rec.failed(f.kind, now, why);
        }
        if let (Some(conn), Some(poller)) = (slot.conn.take(), &self.poller) {
            poller.remove(conn.as_raw_fd());
        }
        if reopen {
            self.reconnect(i, rec);
        }
    }

    /// Replaces connection `i` with a new one; false when it cannot be
    /// opened (the slot is then out of the test).
    fn reconnect(&mut self, i: usize, rec: &mut Recorder) -> bool {
        let now = Instant::now();
        let slot = &mut self.slots[i];
        for f in slot.inflight.drain(..) {
            rec.failed(f.kind, now, Failure::Connection);
        }
        if let (Some(conn), Some(poller)) = (slot.conn.take(), &self.poller) {
            poller.remove(conn.as_raw_fd());
        }
        slot.used = false;
        let Some(poller) = &self.poller else {
            return false;
        };
        match self.plan.target.open() {
            Ok(conn) => {
                if poller.add(conn.as_raw_fd(), i).is_err() {
                    return false;
                }
                slot.conn = Some(conn);
                true
            }
            Err(_) => false,
        }
    }

    /// Open loop: requests due before the end that were never sent
    /// (connections lost, or time up with requests still due).
    fn count_dropped(&mut self, phase: &Phase<'_>, rec: &mut Recorder) {
        let Some(schedule) = phase.schedule else {
            return;
        };
        let horizon = schedule.end().unwrap_or(f64::INFINITY);
        let due = schedule.count_before(horizon);
        for slot in &self.slots {
            let mine = share(due, slot.index, self.plan.clients);
            rec.dropped += mine.saturating_sub(slot.next);
        }
    }
}

/// `start` plus `seconds`, if that is a time.
fn later(start: Instant, seconds: f64) -> Option<Instant> {
    start.checked_add(Duration::try_from_secs_f64(seconds).ok()?)
}

fn earliest(a: Option<Instant>, b: Instant) -> Option<Instant> {
    Some(match a {
        Some(a) if a <= b => a,
        _ => b,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn taking_requests_never_goes_past_the_count() {
        let remaining = AtomicU64::new(10);
        assert_eq!(take(&remaining, 4), 4);
        assert_eq!(take(&remaining, 4), 4);
        assert_eq!(take(&remaining, 4), 2);
        assert_eq!(take(&remaining, 4), 0);
        let remaining = std::sync::Arc::new(AtomicU64::new(100_000));
        let threads: Vec<_> = (0..4)
            .map(|_| {
                let r = remaining.clone();
                std::thread::spawn(move || {
                    let mut mine = 0;
                    loop {
                        let got = take(&r, 7);
                        if got == 0 {
                            return mine;
                        }
                        mine += got;
                    }
                })
            })
            .collect();
        let total: u64 = threads.into_iter().map(|t| t.join().unwrap()).sum();
        assert_eq!(total, 100_000);
    }

    #[test]
    fn earliest_wakeup() {
        let t = Instant::now();
        let later = t + Duration::from_millis(5);
        assert_eq!(earliest(None, t), Some(t));
        assert_eq!(earliest(Some(t), later), Some(t));
        assert_eq!(earliest(Some(later), t), Some(t));
    }
}
