//! What a test measured: per command kind, latency histograms, error
//! counts by kind, and one interval per second; plus late and dropped
//! requests of an open-loop test.
//!
//! A [`Recorder`] belongs to one worker thread; the run merges them.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use hdrhistogram::serialization::{Deserializer, Serializer, V2Serializer};

use super::histogram::{micros, new_hist, Hist};

/// At most this many distinct server error prefixes are told apart; the
/// rest count as `other`.
const MAX_PREFIXES: usize = 32;

/// Errors by kind.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Errors {
    /// No reply within `--timeout`.
    pub timeout: u64,
    /// The connection failed or closed with the request unanswered.
    pub connection: u64,
    /// `-MOVED` replies.
    pub moved: u64,
    /// `-ASK` replies.
    pub ask: u64,
    /// `-TRYAGAIN` replies.
    pub tryagain: u64,
    /// `-CLUSTERDOWN` replies.
    pub clusterdown: u64,
    /// Other error replies.
    pub server: u64,
    /// Error replies by their first word (`WRONGTYPE`, `ERR`, ...).
    pub by_prefix: BTreeMap<String, u64>,
}

impl Errors {
    /// All errors.
    pub(crate) fn total(&self) -> u64 {
        self.timeout
            + self.connection
            + self.moved
            + self.ask
            + self.tryagain
            + self.clusterdown
            + self.server
    }

    /// Error replies (the requests that got a reply, but an error).
    pub(crate) fn replies(&self) -> u64 {
        self.moved + self.ask + self.tryagain + self.clusterdown + self.server
    }

    /// Counts an error reply.
    pub(crate) fn reply(&mut self, message: &[u8]) {
        let word_end = message
            .iter()
            .position(|&b| b == b' ')
            .unwrap_or(message.len());
        let word = &message[..word_end];
        match word {
            b"MOVED" => self.moved += 1,
            b"ASK" => self.ask += 1,
            b"TRYAGAIN" => self.tryagain += 1,
            b"CLUSTERDOWN" => self.clusterdown += 1,
            _ => self.server += 1,
        }
        let word = String::from_utf8_lossy(&word[..word.len().min(40)]).into_owned();
        if let Some(n) = self.by_prefix.get_mut(&word) {
            *n += 1;
        } else if self.by_prefix.len() < MAX_PREFIXES {
            self.by_prefix.insert(word, 1);
        } else {
            *self.by_prefix.entry("other".into()).or_default() += 1;
        }
    }

    /// Adds `other`'s counts.
    pub(crate) fn add(&mut self, other: &Errors) {
        self.timeout += other.timeout;
        self.connection += other.connection;
        self.moved += other.moved;
        self.ask += other.ask;
        self.tryagain += other.tryagain;
        self.clusterdown += other.clusterdown;
        self.server += other.server;
        for (k, v) in &other.by_prefix {
            *self.by_prefix.entry(k.clone()).or_default() += v;
        }
    }
}

/// Why requests failed without a reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Failure {
    /// `--timeout` passed.
    Timeout,
    /// The connection failed.
    Connection,
}

/// What one command kind collected.
pub(crate) struct KindStats {
    /// Latency in µs: from the intended start (open loop) or from the
    /// batch's write (closed loop) to the request's own reply.
    pub latency: Hist,
    /// Service time in µs: from the write to the reply (open loop only).
    pub service: Hist,
    /// Errors by kind.
    pub errors: Errors,
    interval: Hist,
    interval_errors: u64,
}

impl KindStats {
    pub(crate) fn new(sigfig: u8) -> KindStats {
        KindStats {
            latency: new_hist(sigfig),
            service: new_hist(sigfig),
            errors: Errors::default(),
            interval: new_hist(sigfig),
            interval_errors: 0,
        }
    }

    /// Requests that got a reply (error replies included).
    pub(crate) fn replies(&self) -> u64 {
        self.latency.len()
    }

    /// Adds `other`'s totals.
    pub(crate) fn add(&mut self, other: &KindStats) {
        // Same bounds on both sides: adding cannot fail.
        let _ = self.latency.add(&other.latency);
        let _ = self.service.add(&other.service);
        self.errors.add(&other.errors);
    }
}

/// One second of one kind: the latencies recorded in it (serialized, V2
/// without compression) and its error count.
#[derive(Debug, Clone)]
pub(crate) struct Interval {
    /// Seconds since the test's start.
    pub second: u64,
    /// The kind.
    pub kind: usize,
    /// The latency histogram of the second.
    pub histogram: Vec<u8>,
    /// Errors of the second.
    pub errors: u64,
}

/// The counters the progress line reads while a test runs.
#[derive(Debug, Default)]
pub(crate) struct Progress {
    /// Requests finished (replied or failed).
    pub done: AtomicU64,
    /// Sum of their latencies, µs.
    pub latency_sum: AtomicU64,
    /// Errors.
    pub errors: AtomicU64,
}

/// One worker's measurements.
pub(crate) struct Recorder {
    /// Per kind.
    pub kinds: Vec<KindStats>,
    /// Per second and kind.
    pub intervals: Vec<Interval>,
    /// Open loop: requests sent more than [`LATE_AFTER`] after their
    /// intended start.
    pub late: u64,
    /// Open loop: requests due before the end that were never sent.
    pub dropped: u64,
    /// Requests written.
    pub sent: u64,
    start: Instant,
    second: u64,
    done: u64,
    latency_sum: u64,
    error_count: u64,
    open_loop: bool,
    show_errors: bool,
    last_shown: Option<Instant>,
}

/// An open-loop request sent later than this after its intended start is
/// late.
pub(crate) const LATE_AFTER: Duration = Duration::from_millis(1);

impl Recorder {
    /// A recorder of `kinds` kinds for a test starting at `start`; `-e`
    /// prints error replies (one a second at most).
    pub(crate) fn new(
        kinds: usize,
        sigfig: u8,
        start: Instant,
        open_loop: bool,
        show_errors: bool,
    ) -> Recorder {
        Recorder {
            kinds: (0..kinds).map(|_| KindStats::new(sigfig)).collect(),
            intervals: Vec::new(),
            late: 0,
            dropped: 0,
            sent: 0,
            start,
            second: 0,
            done: 0,
            latency_sum: 0,
            error_count: 0,
            open_loop,
            show_errors,
            last_shown: None,
        }
    }

    /// The test's start.
    pub(crate) fn start(&self) -> Instant {
        self.start
    }

    fn tick(&mut self, now: Instant) {
        let second = now.saturating_duration_since(self.start).as_secs();
        if second != self.second {
            self.close_interval();
            self.second = second;
        }
    }

    /// A reply to a request of `kind` written at `sent` (intended at
    /// `intended` in an open loop); `error` is its message when it is an
    /// error reply.
    pub(crate) fn reply(
        &mut self,
        kind: usize,
        now: Instant,
        sent: Instant,
        intended: Option<Instant>,
        error: Option<&[u8]>,
    ) {
        self.tick(now);
        let from = intended.unwrap_or(sent);
        let latency = micros(now.saturating_duration_since(from));
        let stats = &mut self.kinds[kind];
        stats.latency.saturating_record(latency);
        stats.interval.saturating_record(latency);
        if self.open_loop {
            stats
                .service
                .saturating_record(micros(now.saturating_duration_since(sent)));
        }
        self.done += 1;
        self.latency_sum += latency;
        if let Some(message) = error {
            stats.errors.reply(message);
            stats.interval_errors += 1;
            self.error_count += 1;
            if self.show_errors
                && self
                    .last_shown
                    .is_none_or(|t| now - t >= Duration::from_secs(1))
            {
                self.last_shown = Some(now);
                eprintln!("Error from server: {}", String::from_utf8_lossy(message));
            }
        }
    }

    /// A request of `kind` that failed without a reply.
    pub(crate) fn failed(&mut self, kind: usize, now: Instant, why: Failure) {
        self.tick(now);
        let stats = &mut self.kinds[kind];
        match why {
            Failure::Timeout => stats.errors.timeout += 1,
            Failure::Connection => stats.errors.connection += 1,
        }
        stats.interval_errors += 1;
        self.done += 1;
        self.error_count += 1;
    }

    /// Publishes the counters for the progress line.
    pub(crate) fn publish(&self, progress: &Progress) {
        progress.done.store(self.done, Ordering::Relaxed);
        progress
            .latency_sum
            .store(self.latency_sum, Ordering::Relaxed);
        progress.errors.store(self.error_count, Ordering::Relaxed);
    }

    fn close_interval(&mut self) {
        for (kind, stats) in self.kinds.iter_mut().enumerate() {
            if stats.interval.is_empty() && stats.interval_errors == 0 {
                continue;
            }
            let mut histogram = Vec::new();
            // Writing to a Vec cannot fail.
            let _ = V2Serializer::new().serialize(&stats.interval, &mut histogram);
            self.intervals.push(Interval {
                second: self.second,
                kind,
                histogram,
                errors: stats.interval_errors,
            });
            stats.interval.reset();
            stats.interval_errors = 0;
        }
    }

    /// Ends the recording: the last second's interval is closed.
    pub(crate) fn finish(&mut self) {
        self.close_interval();
    }
}

/// Reads back an interval's histogram.
pub(crate) fn decode(bytes: &[u8]) -> Option<Hist> {
    Deserializer::new().deserialize(&mut &bytes[..]).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_by_kind() {
        let mut e = Errors::default();
        e.reply(b"MOVED 12 127.0.0.1:7000");
        e.reply(b"ASK 12 127.0.0.1:7000");
        e.reply(b"WRONGTYPE Operation against a key");
        e.reply(b"ERR unknown command");
        e.reply(b"ERR again");
        e.timeout += 1;
        assert_eq!(
            (e.moved, e.ask, e.server, e.total(), e.replies()),
            (1, 1, 3, 6, 5)
        );
        assert_eq!(e.by_prefix["ERR"], 2);
        let mut sum = Errors::default();
        sum.add(&e);
        sum.add(&e);
        assert_eq!(sum.total(), 12);
        for i in 0..40 {
            sum.reply(format!("E{i} x").as_bytes());
        }
        assert!(sum.by_prefix.len() <= MAX_PREFIXES + 1);
    }

    #[test]
    fn replies_land_in_their_second() {
        let start = Instant::now();
        let mut r = Recorder::new(2, 3, start, true, false);
        let at = |ms: u64| start + Duration::from_millis(ms);
        r.reply(0, at(10), at(9), Some(at(5)), None);
        r.reply(1, at(500), at(400), Some(at(300)), Some(b"ERR x"));
        r.reply(0, at(2100), at(2000), Some(at(1000)), None);
        r.failed(1, at(2200), Failure::Timeout);
        r.finish();
        assert_eq!(r.kinds[0].latency.len(), 2);
        let max = r.kinds[0].latency.max();
        assert!((1_100_000..1_102_000).contains(&max), "{max}");
        assert!(r.kinds[0].service.max() < 101_000);
        let seconds: Vec<(u64, usize, u64)> = r
            .intervals
            .iter()
            .map(|i| (i.second, i.kind, i.errors))
            .collect();
        assert_eq!(seconds, [(0, 0, 0), (0, 1, 1), (2, 0, 0), (2, 1, 1)]);
        let h = decode(&r.intervals[2].histogram).unwrap();
        assert_eq!(h.len(), 1);
        assert_eq!(r.kinds[1].errors.timeout, 1);
        let p = Progress::default();
        r.publish(&p);
        assert_eq!(p.done.load(Ordering::Relaxed), 4);
        assert_eq!(p.errors.load(Ordering::Relaxed), 2);
    }
}
