//! When requests are due (open loop, `--rate` and rate stages) and how
//! many connections work (closed loop, connection stages).
//!
//! Pure arithmetic on seconds since the test's start: the caller passes
//! the time in. Request `k` (numbered over all connections) belongs to
//! connection `k % connections`, so each connection has its own schedule
//! and together they are evenly spread.

/// A stretch of time over which the rate (or the number of connections)
/// moves linearly from `from` to `to`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Ramp {
    /// Seconds.
    pub seconds: f64,
    /// The value at the start.
    pub from: f64,
    /// The value at the end.
    pub to: f64,
}

/// The intended start of every request of an open-loop test.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Schedule {
    /// The stretches, in order; after the last, the last rate goes on
    /// until `end` (if any).
    ramps: Vec<Ramp>,
    /// Requests scheduled before each stretch.
    before: Vec<f64>,
    /// No request is due at or after this many seconds.
    end: Option<f64>,
    /// At most this many requests in all.
    limit: Option<u64>,
}

impl Schedule {
    /// `rate` requests per second, until `end` seconds or `limit` requests.
    pub(crate) fn constant(rate: f64, end: Option<f64>, limit: Option<u64>) -> Schedule {
        Schedule::ramps(
            vec![Ramp {
                seconds: f64::INFINITY,
                from: rate,
                to: rate,
            }],
            end,
            limit,
        )
    }

    /// Rates moving linearly over `ramps`; nothing after the last one
    /// unless `end` says otherwise.
    pub(crate) fn ramps(ramps: Vec<Ramp>, end: Option<f64>, limit: Option<u64>) -> Schedule {
        let mut before = Vec::with_capacity(ramps.len());
        let mut total = 0.0;
        for r in &ramps {
            before.push(total);
            total += (r.from + r.to) / 2.0 * r.seconds;
        }
        let length: f64 = ramps.iter().map(|r| r.seconds).sum();
        let end = match end {
            Some(e) => Some(e.min(length)),
            None => Some(length).filter(|l| l.is_finite()),
        };
        Schedule {
            ramps,
            before,
            end,
            limit,
        }
    }

    /// When request `k` is due, in seconds from the start; `None` when the
    /// schedule has no such request.
    pub(crate) fn time_of(&self, k: u64) -> Option<f64> {
        if self.limit.is_some_and(|l| k >= l) {
            return None;
        }
        let target = k as f64;
        let mut start = 0.0;
        for (r, &before) in self.ramps.iter().zip(&self.before) {
            let count = (r.from + r.to) / 2.0 * r.seconds;
            if target < before + count {
                let t = start + offset_within(r, target - before);
                return self.end.is_none_or(|e| t < e).then_some(t);
            }
            start += r.seconds;
        }
        None
    }

    /// How many requests are due before `t` seconds.
    pub(crate) fn count_before(&self, t: f64) -> u64 {
        let t = match self.end {
            Some(e) => t.min(e),
            None => t,
        };
        let mut start = 0.0;
        let mut due = 0.0;
        for (r, &before) in self.ramps.iter().zip(&self.before) {
            if t <= start + r.seconds {
                let x = (t - start).max(0.0);
                due = before + r.from * x + (r.to - r.from) / r.seconds * x * x / 2.0;
                break;
            }
            start += r.seconds;
            due = before + (r.from + r.to) / 2.0 * r.seconds;
        }
        let n = due.ceil().max(0.0) as u64;
        match self.limit {
            Some(l) => n.min(l),
            None => n,
        }
    }

    /// The schedule's length in seconds, when it has one.
    pub(crate) fn end(&self) -> Option<f64> {
        self.end
    }
}

/// Seconds into ramp `r` at which `n` of its requests have become due:
/// the root of `from*x + (to-from)/(2*len)*x^2 = n`.
fn offset_within(r: &Ramp, n: f64) -> f64 {
    let slope = if r.seconds.is_finite() {
        (r.to - r.from) / r.seconds
    } else {
        0.0
    };
    if slope.abs() < 1e-12 {
        return n / r.from;
    }
    let disc = (r.from * r.from + 2.0 * slope * n).max(0.0);
    (disc.sqrt() - r.from) / slope
}

/// The number of connections at work over time (closed loop).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct ConnectionRamp {
    ramps: Vec<Ramp>,
}

impl ConnectionRamp {
    /// Connections moving linearly over `ramps`.
    pub(crate) fn new(ramps: Vec<Ramp>) -> ConnectionRamp {
        ConnectionRamp { ramps }
    }

    /// The most connections ever at work.
    pub(crate) fn peak(&self) -> usize {
        self.ramps
            .iter()
            .map(|r| r.from.max(r.to))
            .fold(0.0, f64::max)
            .ceil() as usize
    }

    /// Connections at work at `t` seconds (at least one).
    pub(crate) fn active_at(&self, t: f64) -> usize {
        let mut start = 0.0;
        for r in &self.ramps {
            if t < start + r.seconds {
                let x = r.from + (r.to - r.from) * (t - start) / r.seconds;
                return (x.round() as usize).max(1);
            }
            start += r.seconds;
        }
        self.ramps
            .last()
            .map_or(1, |r| (r.to.round() as usize).max(1))
    }
}

/// How many of the first `n` requests belong to connection `index` of
/// `count`.
pub(crate) fn share(n: u64, index: usize, count: usize) -> u64 {
    let (index, count) = (index as u64, count as u64);
    if n > index {
        (n - index - 1) / count + 1
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_rate() {
        let s = Schedule::constant(1000.0, Some(5.0), None);
        assert_eq!(s.time_of(0), Some(0.0));
        assert!((s.time_of(1500).unwrap() - 1.5).abs() < 1e-9);
        assert_eq!(s.time_of(5000), None);
        assert_eq!(s.count_before(5.0), 5000);
        assert_eq!(s.count_before(0.0005), 1);
        assert_eq!(s.count_before(100.0), 5000);
        let limited = Schedule::constant(10.0, None, Some(3));
        assert_eq!(limited.time_of(2), Some(0.2));
        assert_eq!(limited.time_of(3), None);
        assert_eq!(limited.end(), None);
    }

    #[test]
    fn ramps_integrate_the_rate() {
        // 0 -> 100/s over 10 s (500 requests), then 100/s for 5 s (500).
        let s = Schedule::ramps(
            vec![
                Ramp {
                    seconds: 10.0,
                    from: 0.0,
                    to: 100.0,
                },
                Ramp {
                    seconds: 5.0,
                    from: 100.0,
                    to: 100.0,
                },
            ],
            None,
            None,
        );
        assert_eq!(s.end(), Some(15.0));
        assert_eq!(s.count_before(15.0), 1000);
        assert_eq!(s.count_before(10.0), 500);
        // Half the first ramp's requests are due at 10 / sqrt(2) s.
        assert!((s.time_of(250).unwrap() - 10.0 / 2f64.sqrt()).abs() < 1e-6);
        assert!((s.time_of(750).unwrap() - 12.5).abs() < 1e-6);
        assert_eq!(s.time_of(1000), None);
        for k in [1u64, 17, 499, 500, 501, 999] {
            let t = s.time_of(k).unwrap();
            assert_eq!(s.count_before(t + 1e-9), k + 1, "k={k}");
        }
    }

    #[test]
    fn connection_ramps_and_shares() {
        let r = ConnectionRamp::new(vec![
            Ramp {
                seconds: 2.0,
                from: 1.0,
                to: 9.0,
            },
            Ramp {
                seconds: 1.0,
                from: 9.0,
                to: 9.0,
            },
        ]);
        assert_eq!(r.peak(), 9);
        assert_eq!(r.active_at(0.0), 1);
        assert_eq!(r.active_at(1.0), 5);
        assert_eq!(r.active_at(2.5), 9);
        assert_eq!(share(10, 0, 4), 3);
        assert_eq!(share(10, 1, 4), 3);
        assert_eq!(share(10, 2, 4), 2);
        assert_eq!(share(2, 3, 4), 0);
    }
}
