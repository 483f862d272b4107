//! `--intrinsic-latency <seconds>`: how long the system keeps this
//! process from running, as `redis-cli`'s `intrinsicLatencyMode`: a short
//! computation run again and again, each run timed, the worst reported as
//! it grows. No server is involved. Ctrl-C ends the run early (with the
//! summary).

use std::io::Write;
use std::time::{SystemTime, UNIX_EPOCH};

use crate::options::Options;

/// Microseconds since the epoch (`ustime()`).
fn ustime() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as i64)
}

/// `compute_something_fast`: an RC4-like shuffle the compiler cannot
/// drop.
fn compute_something_fast() -> u64 {
    let mut s: [u8; 256] = std::array::from_fn(|k| k as u8);
    let (mut i, mut j) = (0u8, 0u8);
    let mut output = 0u64;
    for _ in 0..1000 {
        i = i.wrapping_add(1);
        j = j.wrapping_add(s[usize::from(i)]);
        s.swap(usize::from(i), usize::from(j));
        output += u64::from(s[usize::from(s[usize::from(i)].wrapping_add(s[usize::from(j)]))]);
    }
    output
}

pub(super) fn run(opts: &Options) -> i32 {
    crate::signal::install_sigint();
    let run_time = opts.intrinsic_seconds * 1_000_000;
    let test_end = ustime() + run_time;
    let mut out = std::io::stdout().lock();
    let (mut max_latency, mut runs) = (0i64, 0i64);
    loop {
        let start = ustime();
        std::hint::black_box(compute_something_fast());
        let end = ustime();
        let latency = end - start;
        runs += 1;
        if latency <= 0 {
            continue;
        }
        if latency > max_latency {
            max_latency = latency;
            let _ = writeln!(out, "Max latency so far: {max_latency} microseconds.");
            let _ = out.flush();
        }
        let avg_us = run_time as f64 / runs as f64;
        let avg_ns = avg_us * 1e3;
        if crate::signal::interrupted() || end > test_end {
            let _ = writeln!(
                out,
                "\n{runs} total runs (avg latency: {avg_us:.4} microseconds / {avg_ns:.2} nanoseconds per run)."
            );
            let _ = writeln!(
                out,
                "Worst run took {:.0}x longer than the average latency.",
                max_latency as f64 / avg_us
            );
            return 0;
        }
    }
}
