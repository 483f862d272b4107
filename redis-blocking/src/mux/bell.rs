//! Putting callers to sleep until their request ends, and waking many at
//! once.
//!
//! A reader that hands out a batch of replies must wake every caller in
//! it. Woken one `unpark` (one system call) at a time, each woken thread
//! preempts the reader at the end of the call, runs until it sleeps again,
//! and only then does the reader wake the next: two context switches per
//! reply. On Linux every sleeping caller therefore waits on one futex word
//! under a bit of its own (its thread's number modulo 32), and a reader
//! wakes the callers of a whole batch with one `FUTEX_WAKE_BITSET`: one
//! system call, one preemption at most. A caller that shares a bit with a
//! woken one wakes too, finds its request still pending and sleeps again.
//! Elsewhere, `park` and `unpark`. Before sleeping, a caller yields its
//! CPU a few times (see [`Bell::sleep`]).
//!
//! The protocol is that of an event count: a caller reads
//! [`Bell::seen`] *before* it checks whether it must sleep, and sleeps
//! only while the bell has not rung since; whoever changes what a caller
//! waits for (its request's end, the read token handed to it) rings after
//! the change, with that caller's [`Sleeper`].

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// Yields before a caller sleeps (see [`Bell::sleep`]).
const YIELDS: u32 = 4;

/// A yield that takes longer than this handed the CPU to another program
/// for a time slice (the callers' own threads and the server give it back
/// sooner: under 1 ms in 99.99% of the yields of 64 callers).
const SLOW_YIELD: Duration = Duration::from_millis(1);

/// The window over which slow yields' time is added up.
const WINDOW: Duration = Duration::from_secs(1);

/// Slow yields' time per [`WINDOW`] past which yielding is turned off: 5%.
const BUDGET: Duration = Duration::from_millis(50);

/// How long yielding stays off once the budget is spent.
const NO_YIELDS_FOR: Duration = Duration::from_secs(1);

/// Who sleeps: what a ring needs to wake a caller.
#[derive(Debug, Clone)]
pub(super) struct Sleeper(imp::Sleeper);

/// The sleepers one ring wakes.
#[derive(Default)]
pub(super) struct Ring(imp::Ring);

/// Where callers sleep.
#[derive(Default)]
pub(super) struct Bell {
    imp: imp::Bell,
    gate: YieldGate,
}

/// Whether callers yield before they sleep: off for [`NO_YIELDS_FOR`] once
/// slow yields took more than [`BUDGET`] of a [`WINDOW`]. Times are
/// nanoseconds since [`nanos_since_epoch`]'s first call; the fields are
/// read and written without a lock, as a hint (a race costs at worst one
/// window's budget).
#[derive(Default)]
struct YieldGate {
    off_until: AtomicU64,
    window_start: AtomicU64,
    slow_in_window: AtomicU64,
    /// When the latest slow yield ended: callers stalled together (a CPU
    /// taken away from all of them at once) count the time once.
    last_slow_end: AtomicU64,
}

impl YieldGate {
    /// Whether a caller should yield at `now`.
    fn open(&self, now: u64) -> bool {
        now >= self.off_until.load(Ordering::Relaxed)
    }

    /// A yield from `start` to `end` took more than [`SLOW_YIELD`]. What
    /// counts is the wall-clock time some caller spent in a slow yield:
    /// the part of it that an earlier slow yield already covered does not
    /// count again.
    fn slow(&self, start: u64, end: u64) {
        let covered = self.last_slow_end.fetch_max(end, Ordering::Relaxed);
        let took = end.saturating_sub(start.max(covered));
        let window = nanos(WINDOW);
        let spent = if end.saturating_sub(self.window_start.load(Ordering::Relaxed)) > window {
            self.window_start.store(end, Ordering::Relaxed);
            self.slow_in_window.store(took, Ordering::Relaxed);
            took
        } else {
            self.slow_in_window.fetch_add(took, Ordering::Relaxed) + took
        };
        if spent > nanos(BUDGET) {
            let until = end.saturating_add(nanos(NO_YIELDS_FOR));
            self.off_until.store(until, Ordering::Relaxed);
            // A new window when yields come back on.
            self.window_start.store(until, Ordering::Relaxed);
            self.slow_in_window.store(0, Ordering::Relaxed);
        }
    }
}

fn nanos(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl Sleeper {
    /// The calling thread.
    pub fn current() -> Sleeper {
        Sleeper(imp::Sleeper::current())
    }
}

impl Ring {
    pub fn add(&mut self, sleeper: Sleeper) {
        self.0.add(sleeper.0);
    }

    pub fn one(sleeper: Option<Sleeper>) -> Ring {
        let mut ring = Ring::default();
        if let Some(sleeper) = sleeper {
            ring.add(sleeper);
        }
        ring
    }
}

impl Bell {
    /// What a caller reads before it checks whether to sleep.
    pub fn seen(&self) -> u32 {
        self.imp.seen()
    }

    /// Sleeps until rung after `seen` was read, `deadline` passes, or
    /// spuriously: the caller checks again either way.
    ///
    /// It first gives its CPU away up to [`YIELDS`] times, returning as
    /// soon as the bell rings: while the threads that run are the reader,
    /// other callers and the server, a reply often arrives meanwhile and
    /// the caller goes on without a futex sleep and wake-up (on a virtual
    /// machine, waking an idle CPU costs several microseconds). When
    /// nothing else is runnable a yield returns at once: a few system
    /// calls before the sleep. When another program keeps the CPUs busy,
    /// a yield can hand it a whole time slice where a sleeping caller
    /// would be woken at once, and a caller handed the read token while
    /// it yields holds everyone up: once yields slower than [`SLOW_YIELD`]
    /// add up to [`BUDGET`] within a [`WINDOW`], callers sleep at once for
    /// [`NO_YIELDS_FOR`].
    ///
    /// `cargo bench -p benches --bench mux`, GET, on the project's 2-core
    /// machine (req/s): quiet, 64 threads 213k with no yield, 348-386k
    /// with 3 to 5 yields always on, 356k with 10, 363-380k as built; 8
    /// threads 77k, 133-154k, 109k, 135k. Beside one `yes`: 64 threads
    /// 128-137k with no yield, 150k as built; 8 threads 69-83k, 92k.
    /// Beside two (both CPUs busy), where yields cost most: 8 threads
    /// 47-57k with no yield, 41k with yields always on, 47-48k as built;
    /// 64 threads 77-119k with no yield, 75k as built (runs there vary
    /// most). Turning yields off for 100 ms after any single yield over
    /// 1 ms left 8 threads at 27-41k beside two `yes`; spinning
    /// (`spin_loop`, 200 turns) instead of yielding made 126k at 64
    /// threads, quiet. A caller's deadline can pass during a yield by at
    /// most one slow yield (the loop stops at the first). (parking_lot's
    /// spin-wait also yields a few times before it parks.)
    pub fn sleep(&self, seen: u32, deadline: Option<Instant>) {
        if self.gate.open(nanos_since_epoch(Instant::now())) {
            for _ in 0..YIELDS {
                if self.seen() != seen {
                    return;
                }
                let before = Instant::now();
                std::thread::yield_now();
                let after = Instant::now();
                if after - before > SLOW_YIELD {
                    self.gate
                        .slow(nanos_since_epoch(before), nanos_since_epoch(after));
                    break;
                }
            }
        }
        self.imp.sleep(seen, deadline);
    }

    /// Wakes the sleepers of `ring`.
    pub fn ring(&self, ring: Ring) {
        self.imp.ring(ring.0);
    }
}

/// `at` in nanoseconds since the first call (saturating).
fn nanos_since_epoch(at: Instant) -> u64 {
    static EPOCH: OnceLock<Instant> = OnceLock::new();
    let epoch = *EPOCH.get_or_init(Instant::now);
    u64::try_from(at.saturating_duration_since(epoch).as_nanos()).unwrap_or(u64::MAX)
}

#[cfg(target_os = "linux")]
mod imp {
    use std::sync::atomic::{AtomicU32, Ordering};
    use std::time::Instant;

    /// A thread's bit among the futex waiters.
    #[derive(Debug, Clone, Copy)]
    pub struct Sleeper(u32);

    #[derive(Default)]
    pub struct Ring(u32);

    #[derive(Default)]
    pub struct Bell {
        word: AtomicU32,
    }

    impl Sleeper {
        pub fn current() -> Sleeper {
            static NEXT: AtomicU32 = AtomicU32::new(0);
            thread_local! {
                static BIT: u32 = 1 << (NEXT.fetch_add(1, Ordering::Relaxed) % 32);
            }
            Sleeper(BIT.with(|bit| *bit))
        }
    }

    impl Ring {
        pub fn add(&mut self, sleeper: Sleeper) {
            self.0 |= sleeper.0;
        }
    }

    impl Bell {
        pub fn seen(&self) -> u32 {
            self.word.load(Ordering::SeqCst)
        }

        pub fn sleep(&self, seen: u32, deadline: Option<Instant>) {
            let until = deadline.map(monotonic);
            let timeout = until
                .as_ref()
                .map_or(std::ptr::null(), |t| t as *const libc::timespec);
            let bit = Sleeper::current().0;
            // SAFETY: the futex word is a live, aligned `AtomicU32` owned
            // by `self` for the whole call; `timeout` is null or points to
            // a `timespec` that outlives the call; the second address
            // (`uaddr2`) is unused by FUTEX_WAIT_BITSET. The kernel only
            // reads the word and compares it with `seen`; any outcome
            // (woken, EAGAIN, ETIMEDOUT, EINTR) makes the caller check its
            // state again.
            unsafe {
                libc::syscall(
                    libc::SYS_futex,
                    self.word.as_ptr(),
                    libc::FUTEX_WAIT_BITSET | libc::FUTEX_PRIVATE_FLAG,
                    seen,
                    timeout,
                    std::ptr::null::<u32>(),
                    bit,
                );
            }
        }

        pub fn ring(&self, ring: Ring) {
            if ring.0 == 0 {
                return;
            }
            self.word.fetch_add(1, Ordering::SeqCst);
            // SAFETY: as in `sleep`: a live, aligned futex word; no timeout
            // or second address for FUTEX_WAKE_BITSET; the mask is not 0.
            unsafe {
                libc::syscall(
                    libc::SYS_futex,
                    self.word.as_ptr(),
                    libc::FUTEX_WAKE_BITSET | libc::FUTEX_PRIVATE_FLAG,
                    i32::MAX,
                    std::ptr::null::<libc::timespec>(),
                    std::ptr::null::<u32>(),
                    ring.0,
                );
            }
        }
    }

    /// `deadline` on `CLOCK_MONOTONIC` (the clock of `Instant` and of
    /// FUTEX_WAIT_BITSET's absolute timeout).
    fn monotonic(deadline: Instant) -> libc::timespec {
        let mut now = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: `now` is a valid, writable timespec.
        unsafe { libc::clock_gettime(libc::CLOCK_MONOTONIC, &mut now) };
        let left = deadline.saturating_duration_since(Instant::now());
        // `tv_nsec` is an `i32` on 32-bit targets.
        #[allow(clippy::unnecessary_cast)]
        let nanos = now.tv_nsec as i64 + i64::from(left.subsec_nanos());
        libc::timespec {
            tv_sec: now.tv_sec
                + left.as_secs() as libc::time_t
                + (nanos / 1_000_000_000) as libc::time_t,
            tv_nsec: (nanos % 1_000_000_000) as _,
        }
    }
}

#[cfg(not(target_os = "linux"))]
mod imp {
    use std::thread::Thread;
    use std::time::Instant;

    #[derive(Debug, Clone)]
    pub struct Sleeper(Thread);

    #[derive(Default)]
    pub struct Ring(Vec<Thread>);

    #[derive(Default)]
    pub struct Bell;

    impl Sleeper {
        pub fn current() -> Sleeper {
            Sleeper(std::thread::current())
        }
    }

    impl Ring {
        pub fn add(&mut self, sleeper: Sleeper) {
            self.0.push(sleeper.0);
        }
    }

    impl Bell {
        pub fn seen(&self) -> u32 {
            0
        }

        pub fn sleep(&self, _seen: u32, deadline: Option<Instant>) {
            match deadline {
                None => std::thread::park(),
                Some(d) => std::thread::park_timeout(d.saturating_duration_since(Instant::now())),
            }
        }

        pub fn ring(&self, ring: Ring) {
            ring.0.into_iter().for_each(|t| t.unpark());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MS: u64 = 1_000_000;

    #[test]
    fn yields_stay_on_while_slow_ones_are_rare() {
        let gate = YieldGate::default();
        let start = 10_000 * MS;
        assert!(gate.open(start));
        // 2 ms of slow yields every 100 ms: 20 ms a second, under budget.
        for i in 0..100 {
            gate.slow(start + i * 100 * MS - 2 * MS, start + i * 100 * MS);
            assert!(gate.open(start + i * 100 * MS + 1), "turned off at {i}");
        }
    }

    #[test]
    fn yields_go_off_once_slow_ones_spend_the_budget_and_come_back() {
        let gate = YieldGate::default();
        let start = 10_000 * MS;
        // 10 ms slow yields, 50 ms apart: the sixth passes 50 ms.
        for i in 0..5 {
            gate.slow(start + i * 50 * MS - 10 * MS, start + i * 50 * MS);
            assert!(gate.open(start + i * 50 * MS + 1), "off too early at {i}");
        }
        let end = start + 5 * 50 * MS;
        gate.slow(end - 10 * MS, end);
        assert!(!gate.open(end + 1));
        assert!(!gate.open(end + nanos(NO_YIELDS_FOR) - 1));
        assert!(gate.open(end + nanos(NO_YIELDS_FOR)));
        // A fresh window afterwards: one slow yield does not turn it off.
        gate.slow(
            end + nanos(NO_YIELDS_FOR) - 9 * MS,
            end + nanos(NO_YIELDS_FOR) + MS,
        );
        assert!(gate.open(end + nanos(NO_YIELDS_FOR) + 2 * MS));
    }

    #[test]
    fn one_very_slow_yield_spends_the_budget_alone() {
        let gate = YieldGate::default();
        gate.slow(4_940 * MS, 5_000 * MS);
        assert!(!gate.open(5_000 * MS + 1));
    }

    #[test]
    fn old_slow_yields_leave_the_window() {
        let gate = YieldGate::default();
        let start = 10_000 * MS;
        gate.slow(start - 40 * MS, start);
        // Over a window later: the 40 ms no longer count.
        gate.slow(start + nanos(WINDOW) - 39 * MS, start + nanos(WINDOW) + MS);
        assert!(gate.open(start + nanos(WINDOW) + 2 * MS));
    }

    #[test]
    fn callers_stalled_together_count_the_time_once() {
        let gate = YieldGate::default();
        let start = 10_000 * MS;
        // 64 callers caught in the same 20 ms stall: 20 ms, not 1.28 s.
        for i in 0..64 {
            gate.slow(start + i * 10_000, start + 20 * MS + i * 10_000);
        }
        assert!(gate.open(start + 21 * MS));
        // Stalls that do not overlap add up.
        for i in 1..=3 {
            gate.slow(start + i * 100 * MS, start + i * 100 * MS + 20 * MS);
        }
        assert!(!gate.open(start + 321 * MS));
    }
}
