//! `--latency` and `--latency-history`: `PING` every 10 ms and report the
//! round-trip times in whole milliseconds.
//!
//! In standard output mode the line is rewritten in place for ever; in
//! the other modes `--latency` samples for `-i` seconds (default 1),
//! prints one line and exits, and `--latency-history` prints a line per
//! sample. `--latency-history` starts a new range every `-i` seconds
//! (default 15).

use std::io::Write;
use std::time::{Duration, Instant};

use crate::format::OutputMode;
use crate::options::{Mode, Options};
use crate::session::Session;

const SAMPLE_EVERY: Duration = Duration::from_millis(10);

/// Milliseconds since the epoch, as `mstime()`.
fn mstime() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn line(output: OutputMode, min: i64, max: i64, avg: f64, count: i64) -> String {
    match output {
        OutputMode::Standard => format!("min: {min}, max: {max}, avg: {avg:.2} ({count} samples)"),
        OutputMode::Csv => format!("{min},{max},{avg:.2},{count}\n"),
        OutputMode::Raw => format!("{min} {max} {avg:.2} {count}\n"),
        OutputMode::Json => {
            format!("{{\"min\": {min}, \"max\": {max}, \"avg\": {avg:.2}, \"count\": {count}}}\n")
        }
        OutputMode::QuotedJson => String::new(),
    }
}

pub(super) fn run(opts: &Options, session: &mut Session) -> i32 {
    let history = opts.mode == Mode::LatencyHistory;
    let interval_ms = opts.interval.map(|i| i.as_micros() as i64 / 1000);
    let history_interval = interval_ms.unwrap_or(15_000);
    let report_after = interval_ms.unwrap_or(1000);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let (mut min, mut max, mut tot, mut count) = (0i64, 0i64, 0i64, 0i64);
    let mut history_start = mstime();
    let ping = [b"PING".to_vec()];
    loop {
        let start = Instant::now();
        let started_ms = mstime();
        let _ = session.call_reconnecting(&ping);
        let latency = mstime() - started_ms;
        let _ = start;
        count += 1;
        let avg;
        if count == 1 {
            min = latency;
            max = latency;
            tot = latency;
            avg = latency as f64;
        } else {
            min = min.min(latency);
            max = max.max(latency);
            tot += latency;
            avg = tot as f64 / count as f64;
        }
        if opts.output == OutputMode::Standard {
            let _ = write!(
                out,
                "\x1b[0G\x1b[2K{}",
                line(opts.output, min, max, avg, count)
            );
            let _ = out.flush();
        } else if history {
            let _ = write!(out, "{}", line(opts.output, min, max, avg, count));
        } else if mstime() - history_start > report_after {
            let _ = write!(out, "{}", line(opts.output, min, max, avg, count));
            let _ = out.flush();
            return 0;
        }
        if history && mstime() - history_start > history_interval {
            let range = (mstime() - history_start) as f32 / 1000.0;
            let _ = writeln!(out, " -- {range:.2} seconds range");
            let _ = out.flush();
            history_start = mstime();
            (min, max, tot, count) = (0, 0, 0, 0);
        }
        std::thread::sleep(SAMPLE_EVERY);
    }
}
