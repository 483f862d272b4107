//! The live progress line (indicatif) on stderr, only when stderr is a
//! terminal: redis-benchmark's `rps=... (overall: ...) avg_msec=...` in
//! place. stdout carries the report alone.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// How often the line is redrawn (redis-benchmark: every 250 ms).
pub(crate) const EVERY: Duration = Duration::from_millis(250);

/// The line of one test; it draws nothing unless stderr is a terminal.
pub(crate) struct Line {
    bar: Option<ProgressBar>,
    title: String,
    start: Instant,
    last: (Instant, u64, u64),
}

impl Line {
    /// A line for test `title`, shown when stderr is a terminal.
    pub(crate) fn new(title: &str) -> Line {
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4));
            let style = ProgressStyle::with_template("{spinner} {wide_msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner());
            bar.set_style(style);
            bar.set_message(format!("{title}: starting"));
            bar
        });
        let now = Instant::now();
        Line {
            bar,
            title: title.to_string(),
            start: now,
            last: (now, 0, 0),
        }
    }

    /// Shows `done` requests with latencies summing to `latency_sum` µs.
    pub(crate) fn update(&mut self, done: u64, latency_sum: u64) {
        let Some(bar) = &self.bar else {
            return;
        };
        let now = Instant::now();
        let (then, done_then, sum_then) = self.last;
        let dt = now.saturating_duration_since(then).as_secs_f64();
        let overall_dt = now.saturating_duration_since(self.start).as_secs_f64();
        let rate = |n: u64, t: f64| if t > 0.0 { n as f64 / t } else { 0.0 };
        let avg = |sum: u64, n: u64| {
            if n > 0 {
                sum as f64 / n as f64 / 1000.0
            } else {
                0.0
            }
        };
        let recent = done.saturating_sub(done_then);
        bar.set_message(format!(
            "{}: rps={:.1} (overall: {:.1}) avg_msec={:.3} (overall: {:.3})",
            self.title,
            rate(recent, dt),
            rate(done, overall_dt),
            avg(latency_sum.saturating_sub(sum_then), recent),
            avg(latency_sum, done),
        ));
        bar.tick();
        self.last = (now, done, latency_sum);
    }

    /// Removes the line.
    pub(crate) fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}
