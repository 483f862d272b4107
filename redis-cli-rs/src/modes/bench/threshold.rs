//! `--threshold`: pass/fail criteria over the results, as k6's
//! thresholds (a failed one makes the exit status 99).
//!
//! Grammar: `[name.]metric op value[unit]`, where `name` is a test or a
//! command (`get`, `lrange_100`, a scenario command's name; none: every
//! request), `metric` is a latency (`p50`, `p99.9`, `avg`, `min`, `max`;
//! units `us`, `ms` (the default), `s`), `rps`, `errors`, `late` or
//! `dropped` (a count, or with `%` a share of the requests), and `op` is
//! `<`, `<=`, `>`, `>=` or `==`.

use super::histogram::{at, Hist};

/// What a threshold looks at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Metric {
    /// A latency percentile.
    Percentile(f64),
    /// Mean latency.
    Avg,
    /// Lowest latency.
    Min,
    /// Highest latency.
    Max,
    /// Requests answered per second.
    Rps,
    /// Failed requests (error replies, timeouts, lost connections).
    Errors,
    /// Open loop: requests sent late.
    Late,
    /// Open loop: requests never sent.
    Dropped,
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `==`
    Eq,
}

/// One parsed threshold.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Threshold {
    /// As given.
    pub text: String,
    /// The test or command it is about (lower case); `None`: all.
    pub subject: Option<String>,
    /// What is measured.
    pub metric: Metric,
    /// How it compares.
    pub op: Op,
    /// The limit: µs for latencies, a count, or a share in percent.
    pub limit: f64,
    /// The limit is a share of the requests (`%`).
    pub percent: bool,
}

/// Parses a threshold.
///
/// # Errors
///
/// What is wrong, in a sentence.
pub(crate) fn parse(text: &str) -> Result<Threshold, String> {
    let bad = |why: &str| format!("Invalid threshold '{text}': {why}");
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let (op_at, op, op_len) = ["<=", ">=", "==", "<", ">"]
        .iter()
        .filter_map(|o| compact.find(o).map(|i| (i, *o)))
        .min_by_key(|(i, o)| (*i, std::cmp::Reverse(o.len())))
        .map(|(i, o)| {
            let op = match o {
                "<=" => Op::Le,
                ">=" => Op::Ge,
                "==" => Op::Eq,
                "<" => Op::Lt,
                _ => Op::Gt,
            };
            (i, op, o.len())
        })
        .ok_or_else(|| bad("expected a comparison such as 'p99<2ms'"))?;
    let left = compact[..op_at].to_ascii_lowercase();
    let right = &compact[op_at + op_len..];
    // The subject is everything before the last dot that is not part of a
    // percentile ("get.p99.9": subject "get", metric "p99.9").
    let (subject, metric_text) = split_subject(&left);
    let metric = match metric_text {
        "avg" | "mean" => Metric::Avg,
        "min" => Metric::Min,
        "max" => Metric::Max,
        "rps" => Metric::Rps,
        "errors" | "error" => Metric::Errors,
        "late" => Metric::Late,
        "dropped" => Metric::Dropped,
        m if m.starts_with('p') => match m[1..].parse::<f64>() {
            Ok(p) if p > 0.0 && p <= 100.0 => Metric::Percentile(p),
            _ => return Err(bad("a percentile is p followed by a number in (0, 100]")),
        },
        "" => return Err(bad("nothing to compare")),
        _ => {
            return Err(bad(
                "the metric is pNN, avg, min, max, rps, errors, late or dropped",
            ))
        }
    };
    let number_end = right
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(right.len());
    let (number, unit) = right.split_at(number_end);
    let value: f64 = number
        .parse()
        .map_err(|_| bad("the limit is not a number"))?;
    let latency = matches!(
        metric,
        Metric::Percentile(_) | Metric::Avg | Metric::Min | Metric::Max
    );
    let (limit, percent) = match (latency, unit) {
        (true, "" | "ms") => (value * 1000.0, false),
        (true, "us" | "µs") => (value, false),
        (true, "s") => (value * 1e6, false),
        (true, _) => return Err(bad("a latency's unit is us, ms or s")),
        (false, "") => (value, false),
        (false, "%") if matches!(metric, Metric::Errors | Metric::Late | Metric::Dropped) => {
            (value, true)
        }
        (false, _) => return Err(bad("only errors, late and dropped take a unit (%)")),
    };
    Ok(Threshold {
        text: text.to_string(),
        subject: subject.map(str::to_string),
        metric,
        op,
        limit,
        percent,
    })
}

fn split_subject(left: &str) -> (Option<&str>, &str) {
    let mut best = None;
    for (i, _) in left.match_indices('.') {
        let metric = &left[i + 1..];
        let is_percentile_tail = left[..i]
            .rsplit('.')
            .next()
            .is_some_and(|w| w.starts_with('p') && w[1..].parse::<f64>().is_ok())
            && metric.chars().all(|c| c.is_ascii_digit());
        if !is_percentile_tail {
            best = Some(i);
        }
    }
    match best {
        Some(i) => (Some(&left[..i]), &left[i + 1..]),
        None => (None, left),
    }
}

/// What a threshold is checked against: the merged measurements of the
/// requests it is about.
pub(crate) struct Observed {
    /// Latencies (µs).
    pub latency: Hist,
    /// Requests answered or failed.
    pub requests: u64,
    /// Failed ones.
    pub errors: u64,
    /// Late ones.
    pub late: u64,
    /// Dropped ones.
    pub dropped: u64,
    /// Seconds the tests ran.
    pub seconds: f64,
}

impl Threshold {
    /// The observed value (µs for latencies) and whether the threshold
    /// holds.
    pub(crate) fn check(&self, o: &Observed) -> (f64, bool) {
        let share = |n: u64| {
            let all = o.requests
                + if self.metric == Metric::Dropped {
                    o.dropped
                } else {
                    0
                };
            if all == 0 {
                0.0
            } else {
                n as f64 * 100.0 / all as f64
            }
        };
        let count = |n: u64| if self.percent { share(n) } else { n as f64 };
        let value = match self.metric {
            Metric::Percentile(p) => at(&o.latency, p) as f64,
            Metric::Avg => o.latency.mean(),
            Metric::Min => o.latency.min() as f64,
            Metric::Max => o.latency.max() as f64,
            Metric::Rps => {
                if o.seconds > 0.0 {
                    o.latency.len() as f64 / o.seconds
                } else {
                    0.0
                }
            }
            Metric::Errors => count(o.errors),
            Metric::Late => count(o.late),
            Metric::Dropped => count(o.dropped),
        };
        let holds = match self.op {
            Op::Lt => value < self.limit,
            Op::Le => value <= self.limit,
            Op::Gt => value > self.limit,
            Op::Ge => value >= self.limit,
            Op::Eq => (value - self.limit).abs() < 1e-9,
        };
        (value, holds)
    }

    /// The observed value as printed.
    pub(crate) fn show(&self, value: f64) -> String {
        match self.metric {
            Metric::Percentile(_) | Metric::Avg | Metric::Min | Metric::Max => {
                format!("{:.3} ms", value / 1000.0)
            }
            Metric::Rps => format!("{value:.2} requests per second"),
            _ if self.percent => format!("{value:.3}%"),
            _ => format!("{value}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modes::bench::histogram::new_hist;

    #[test]
    fn grammar() {
        let t = parse("get.p99<2ms").unwrap();
        assert_eq!(t.subject.as_deref(), Some("get"));
        assert_eq!(
            (t.metric, t.op, t.limit),
            (Metric::Percentile(99.0), Op::Lt, 2000.0)
        );
        let t = parse("GET.p99.9 <= 1500us").unwrap();
        assert_eq!(t.subject.as_deref(), Some("get"));
        assert_eq!(
            (t.metric, t.op, t.limit),
            (Metric::Percentile(99.9), Op::Le, 1500.0)
        );
        let t = parse("p99.9<1").unwrap();
        assert_eq!((t.subject, t.metric), (None, Metric::Percentile(99.9)));
        let t = parse("errors<0.1%").unwrap();
        assert!(t.percent && t.limit == 0.1 && t.metric == Metric::Errors);
        let t = parse("lrange_100.rps>=1000").unwrap();
        assert_eq!((t.metric, t.op, t.limit), (Metric::Rps, Op::Ge, 1000.0));
        assert_eq!(parse("max<1s").unwrap().limit, 1e6);
        for bad in [
            "p99", "p101<1ms", "foo<1", "p99<fast", "p99<2h", "rps>5%", "<3",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn checks() {
        let mut latency = new_hist(3);
        for v in 1..=1000 {
            latency.record(v).unwrap();
        }
        let o = Observed {
            latency,
            requests: 1000,
            errors: 5,
            late: 0,
            dropped: 0,
            seconds: 2.0,
        };
        assert!(parse("p99<1ms").unwrap().check(&o).1);
        assert!(!parse("p99<1us").unwrap().check(&o).1);
        assert!(parse("errors<1%").unwrap().check(&o).1);
        assert!(!parse("errors<0.1%").unwrap().check(&o).1);
        assert!(!parse("errors==0").unwrap().check(&o).1);
        assert_eq!(parse("rps>400").unwrap().check(&o), (500.0, true));
        let t = parse("p50<1ms").unwrap();
        assert_eq!(t.show(t.check(&o).0), "0.500 ms");
    }
}
