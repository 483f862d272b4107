//! Latency histograms (HdrHistogram, 1 µs to 60 s, values in
//! microseconds) and the two distributions redis-benchmark prints from
//! its own histogram, walked the way its C HdrHistogram iterators walk.

use std::time::Duration;

use hdrhistogram::Histogram;

/// The lowest value told apart: 1 µs.
pub(crate) const LOWEST: u64 = 1;
/// The highest value kept: 60 s (larger ones count as 60 s).
pub(crate) const HIGHEST: u64 = 60_000_000;

/// A latency histogram.
pub(crate) type Hist = Histogram<u64>;

/// An empty histogram with `sigfig` significant digits (1 to 5).
pub(crate) fn new_hist(sigfig: u8) -> Hist {
    match Histogram::new_with_bounds(LOWEST, HIGHEST, sigfig.clamp(1, 5)) {
        Ok(h) => h,
        // The bounds are constants and the digits clamped: cannot fail.
        Err(_) => unreachable!("valid histogram bounds"),
    }
}

/// `d` in whole microseconds.
pub(crate) fn micros(d: Duration) -> u64 {
    d.as_micros().min(u128::from(u64::MAX)) as u64
}

/// Milliseconds, as printed.
pub(crate) fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

/// One line of a distribution: `<percentile>% <= <value> milliseconds
/// (cumulative count <cumulative>)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Line {
    /// The percentile printed.
    pub percentile: f64,
    /// The value (µs, the highest equivalent of its bucket).
    pub value: u64,
    /// Values at or below it.
    pub cumulative: u64,
}

/// "Latency by percentile distribution": HdrHistogram's percentile
/// iteration with one tick per half distance, keeping only the lines
/// redis-benchmark prints (a new cumulative count, or the total).
pub(crate) fn percentile_lines(h: &Hist) -> Vec<Line> {
    let total = h.len();
    let mut lines: Vec<Line> = Vec::new();
    if total == 0 {
        return lines;
    }
    let buckets: Vec<(u64, u64)> = h
        .iter_recorded()
        .map(|v| {
            (
                h.highest_equivalent(v.value_iterated_to()),
                v.count_at_value(),
            )
        })
        .collect();
    let mut idx = 0;
    let mut cumulative = buckets[0].1;
    let mut to = 0.0f64;
    let mut reported = buckets[0].0;
    let mut previous: Option<u64> = None;
    let mut push = |line: Line, lines: &mut Vec<Line>| {
        if previous != Some(line.cumulative) || line.cumulative == total {
            lines.push(line);
        }
        previous = Some(line.cumulative);
    };
    // Bounded: each step either advances a bucket or halves the distance
    // to the next bucket's percentile.
    for _ in 0..buckets.len() * 80 + 2 {
        if cumulative >= total && to > 100.0 * cumulative as f64 / total as f64 {
            break;
        }
        let current = 100.0 * cumulative as f64 / total as f64;
        if to <= current {
            reported = buckets[idx].0;
            push(
                Line {
                    percentile: to,
                    value: reported,
                    cumulative,
                },
                &mut lines,
            );
            let temp = ((100.0 / (100.0 - to)).ln() / 2f64.ln()) as i64 + 1;
            let half_distance = 2f64.powi(temp.clamp(0, 1000) as i32);
            to += 100.0 / half_distance;
            if cumulative >= total {
                break;
            }
            continue;
        }
        if idx + 1 >= buckets.len() {
            break;
        }
        idx += 1;
        cumulative += buckets[idx].1;
    }
    // The iteration ends on the 100th percentile of the last value.
    push(
        Line {
            percentile: 100.0,
            value: reported,
            cumulative: total,
        },
        &mut lines,
    );
    lines
}

/// "Cumulative distribution of latencies": HdrHistogram's linear
/// iteration in steps of 0.1 ms, then 1 ms past 2 ms, keeping the lines
/// redis-benchmark prints.
pub(crate) fn cumulative_lines(h: &Hist) -> Vec<Line> {
    let total = h.len();
    let mut lines = Vec::new();
    if total == 0 {
        return lines;
    }
    let mut step = 100;
    let mut level = step;
    let mut previous: Option<u64> = None;
    while level <= h.high() {
        let value = h.highest_equivalent(level);
        let cumulative = h.count_between(0, level);
        if previous != Some(cumulative) || cumulative == total {
            lines.push(Line {
                percentile: cumulative as f64 / total as f64 * 100.0,
                value,
                cumulative,
            });
        }
        previous = Some(cumulative);
        let next = level + step;
        if value > 2000 {
            step = 1000;
        }
        if cumulative >= total && h.lowest_equivalent(next) != h.lowest_equivalent(level) {
            break;
        }
        level = next;
    }
    lines
}

/// The value at `percentile` (0 to 100), µs.
pub(crate) fn at(h: &Hist, percentile: f64) -> u64 {
    if h.is_empty() {
        return 0;
    }
    h.value_at_quantile(percentile / 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hist(values: &[(u64, u64)]) -> Hist {
        let mut h = new_hist(3);
        for &(v, n) in values {
            h.record_n(v, n).unwrap();
        }
        h
    }

    #[test]
    fn percentile_lines_follow_the_c_iterator() {
        // 100 values 1..=100 µs.
        let h = hist(&(1..=100).map(|v| (v, 1)).collect::<Vec<_>>());
        let lines = percentile_lines(&h);
        let first = lines[0];
        assert_eq!(
            (first.percentile, first.value, first.cumulative),
            (0.0, 1, 1)
        );
        assert_eq!(
            (lines[1].percentile, lines[1].value, lines[1].cumulative),
            (50.0, 50, 50)
        );
        assert_eq!(
            (lines[2].percentile, lines[2].value, lines[2].cumulative),
            (75.0, 75, 75)
        );
        let last = lines[lines.len() - 1];
        assert_eq!(
            (last.percentile, last.value, last.cumulative),
            (100.0, 100, 100)
        );
        let before = lines[lines.len() - 2];
        assert_eq!((before.value, before.cumulative), (100, 100));
        assert!(before.percentile > 99.0 && before.percentile < 100.0);
        // Percentiles rise, cumulative counts never fall.
        for w in lines.windows(2) {
            assert!(w[0].percentile < w[1].percentile);
            assert!(w[0].cumulative <= w[1].cumulative);
        }
    }

    #[test]
    fn percentile_lines_of_one_value() {
        let lines = percentile_lines(&hist(&[(300, 5)]));
        let got: Vec<(f64, u64, u64)> = lines
            .iter()
            .map(|l| (l.percentile, l.value, l.cumulative))
            .collect();
        assert_eq!(got, [(0.0, 300, 5), (100.0, 300, 5)]);
        assert!(percentile_lines(&new_hist(3)).is_empty());
    }

    #[test]
    fn cumulative_lines_step_by_a_tenth_then_a_millisecond() {
        let h = hist(&[(50, 1), (150, 2), (2500, 1)]);
        let got: Vec<(u64, u64)> = cumulative_lines(&h)
            .iter()
            .map(|l| (l.value, l.cumulative))
            .collect();
        assert_eq!(
            got,
            [
                (100, 1),
                (200, 3),
                // 0.3 .. 2.2 ms add nothing; past 2 ms the steps are 1 ms.
                (3201, 4),
            ]
        );
        let h = hist(&[(100, 1)]);
        assert_eq!(cumulative_lines(&h).len(), 1);
    }

    #[test]
    fn summary_values() {
        let h = hist(&[(100, 98), (1000, 2)]);
        assert_eq!(at(&h, 50.0), 100);
        assert_eq!(at(&h, 99.0), 1000);
        assert_eq!(at(&new_hist(3), 99.0), 0);
        assert_eq!(micros(Duration::from_nanos(1_999)), 1);
        assert_eq!(ms(1500), 1.5);
    }
}
