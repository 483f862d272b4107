//! One test's results, merged from its workers: totals per command kind,
//! and a time series of one entry per second.

use std::time::{Duration, SystemTime};

use hdrhistogram::serialization::{Serializer, V2Serializer};

use super::histogram::{at, new_hist};
use super::stats::{decode, Interval, KindStats, Recorder};

/// One command kind in one second.
#[derive(Debug, Clone, Default)]
pub(crate) struct KindSecond {
    /// Replies received in the second.
    pub replies: u64,
    /// Failed requests (error replies included).
    pub errors: u64,
    /// Median latency, µs.
    pub p50: u64,
    /// 99th percentile, µs.
    pub p99: u64,
    /// Highest latency, µs.
    pub max: u64,
    /// The second's histogram, V2 without compression (none when empty).
    pub histogram: Option<Vec<u8>>,
}

/// One second of a test.
#[derive(Debug, Clone)]
pub(crate) struct Second {
    /// Seconds since the test's start.
    pub second: u64,
    /// Per kind.
    pub kinds: Vec<KindSecond>,
}

/// What a test measured.
pub(crate) struct TestResult {
    /// The test's title.
    pub title: String,
    /// The command kinds' names.
    pub kinds: Vec<String>,
    /// Per kind.
    pub stats: Vec<KindStats>,
    /// Every second, from the first to the last.
    pub seconds: Vec<Second>,
    /// From the first request to the last reply.
    pub elapsed: Duration,
    /// Wall-clock start.
    pub started: SystemTime,
    /// Open loop: late requests.
    pub late: u64,
    /// Open loop: dropped requests.
    pub dropped: u64,
    /// Requests written.
    pub sent: u64,
    /// "bytes payload".
    pub payload: usize,
    /// Every connection failed before the end.
    pub aborted: bool,
}

impl TestResult {
    /// Merges the workers' recorders.
    pub(crate) fn merge(
        title: String,
        kinds: Vec<String>,
        recorders: Vec<Recorder>,
        elapsed: Duration,
        started: SystemTime,
        payload: usize,
        sigfig: u8,
    ) -> TestResult {
        let mut stats: Vec<KindStats> = (0..kinds.len()).map(|_| KindStats::new(sigfig)).collect();
        let (mut late, mut dropped, mut sent) = (0, 0, 0);
        let mut intervals: Vec<Interval> = Vec::new();
        for r in recorders {
            for (total, part) in stats.iter_mut().zip(&r.kinds) {
                total.add(part);
            }
            late += r.late;
            dropped += r.dropped;
            sent += r.sent;
            intervals.extend(r.intervals);
        }
        intervals.sort_by_key(|i| (i.second, i.kind));
        let seconds = merge_seconds(&intervals, kinds.len(), sigfig);
        TestResult {
            title,
            kinds,
            stats,
            seconds,
            elapsed,
            started,
            late,
            dropped,
            sent,
            payload,
            aborted: false,
        }
    }

    /// Requests that got a reply, all kinds.
    pub(crate) fn replies(&self) -> u64 {
        self.stats.iter().map(KindStats::replies).sum()
    }

    /// Failed requests, all kinds.
    pub(crate) fn errors(&self) -> u64 {
        self.stats.iter().map(|s| s.errors.total()).sum()
    }
}

/// Intervals sorted by second and kind, merged over workers, one entry
/// per second with no gaps.
fn merge_seconds(intervals: &[Interval], kinds: usize, sigfig: u8) -> Vec<Second> {
    let mut seconds: Vec<Second> = Vec::new();
    let mut i = 0;
    while i < intervals.len() {
        let second = intervals[i].second;
        let next = seconds.last().map_or(0, |s| s.second + 1);
        for gap in next..second {
            seconds.push(Second {
                second: gap,
                kinds: vec![KindSecond::default(); kinds],
            });
        }
        let mut entry = Second {
            second,
            kinds: vec![KindSecond::default(); kinds],
        };
        for kind in 0..kinds {
            let mut h = new_hist(sigfig);
            let mut errors = 0;
            let mut any = false;
            while i < intervals.len() && intervals[i].second == second && intervals[i].kind == kind
            {
                if let Some(part) = decode(&intervals[i].histogram) {
                    let _ = h.add(&part);
                }
                errors += intervals[i].errors;
                any = true;
                i += 1;
            }
            if !any {
                continue;
            }
            let mut histogram = Vec::new();
            let serialized =
                !h.is_empty() && V2Serializer::new().serialize(&h, &mut histogram).is_ok();
            entry.kinds[kind] = KindSecond {
                replies: h.len(),
                errors,
                p50: at(&h, 50.0),
                p99: at(&h, 99.0),
                max: if h.is_empty() { 0 } else { h.max() },
                histogram: serialized.then_some(histogram),
            };
        }
        // Kinds past the last (cannot happen with sorted input) are skipped.
        while i < intervals.len() && intervals[i].second == second {
            i += 1;
        }
        seconds.push(entry);
    }
    seconds
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;

    #[test]
    fn workers_merge_by_second() {
        let start = Instant::now();
        let at_ms = |ms: u64| start + Duration::from_millis(ms);
        let mut a = Recorder::new(2, 3, start, false, false);
        let mut b = Recorder::new(2, 3, start, false, false);
        a.reply(0, at_ms(100), at_ms(99), None, None);
        b.reply(0, at_ms(200), at_ms(198), None, None);
        b.reply(1, at_ms(300), at_ms(297), None, Some(b"ERR x"));
        a.reply(0, at_ms(2500), at_ms(2496), None, None);
        a.finish();
        b.finish();
        let r = TestResult::merge(
            "t".into(),
            vec!["A".into(), "B".into()],
            vec![a, b],
            Duration::from_secs(3),
            SystemTime::now(),
            3,
            3,
        );
        assert_eq!(r.replies(), 4);
        assert_eq!(r.errors(), 1);
        let shape: Vec<(u64, u64, u64)> = r
            .seconds
            .iter()
            .map(|s| (s.second, s.kinds[0].replies, s.kinds[1].errors))
            .collect();
        assert_eq!(shape, [(0, 2, 1), (1, 0, 0), (2, 1, 0)]);
        assert_eq!(r.seconds[0].kinds[0].max, 2000);
        assert!(r.seconds[1].kinds[0].histogram.is_none());
    }
}
