//! The report on stdout, in redis-benchmark 7.0's formats: the summary
//! block, `-q` lines and `--csv` rows, byte for byte in form. What
//! redis-benchmark does not measure (service time and late or dropped
//! requests of an open loop, chosen percentiles, errors) is added in
//! lines of the same style after a block's latency summary, only when
//! there is something to say; `-q` and `--csv` stay exactly as they are,
//! and errors go to stderr there.

use std::fmt::Write as _;
use std::time::Duration;

use super::histogram::{at, cumulative_lines, ms, percentile_lines, Hist};
use super::stats::{Errors, KindStats};

/// The `--csv` header line.
pub(crate) const CSV_HEADER: &str = "\"test\",\"rps\",\"avg_latency_ms\",\"min_latency_ms\",\"p50_latency_ms\",\"p95_latency_ms\",\"p99_latency_ms\",\"max_latency_ms\"\n";

/// What the block's header says besides the numbers.
pub(crate) struct Header<'a> {
    /// `-c`.
    pub clients: usize,
    /// The payload size printed.
    pub payload: usize,
    /// `-k` as given.
    pub keepalive: i64,
    /// The server's `save` and `appendonly`, when they could be read.
    pub settings: Option<&'a (String, String)>,
    /// `--threads` (0: not given).
    pub threads: usize,
}

/// One line of results: a test, or one command of a mixed test.
pub(crate) struct Row<'a> {
    /// Its name.
    pub title: &'a str,
    /// Its measurements.
    pub stats: &'a KindStats,
    /// How long the test ran.
    pub elapsed: Duration,
}

impl Row<'_> {
    fn rps(&self) -> f64 {
        let seconds = self.elapsed.as_secs_f64();
        if seconds > 0.0 {
            self.stats.replies() as f64 / seconds
        } else {
            f64::INFINITY
        }
    }

    fn h(&self) -> &Hist {
        &self.stats.latency
    }
}

/// `-q`: `<test>: <rps> requests per second, p50=<ms> msec`.
pub(crate) fn quiet_line(row: &Row<'_>) -> String {
    format!(
        "{}: {:.2} requests per second, p50={:.3} msec\n",
        row.title,
        row.rps(),
        ms(at(row.h(), 50.0))
    )
}

/// `--csv`: one row.
pub(crate) fn csv_line(row: &Row<'_>) -> String {
    let h = row.h();
    format!(
        "\"{}\",\"{:.2}\",\"{:.3}\",\"{:.3}\",\"{:.3}\",\"{:.3}\",\"{:.3}\",\"{:.3}\"\n",
        row.title,
        row.rps(),
        mean_ms(h),
        ms(h.min()),
        ms(at(h, 50.0)),
        ms(at(h, 95.0)),
        ms(at(h, 99.0)),
        ms(h.max()),
    )
}

fn mean_ms(h: &Hist) -> f64 {
    if h.is_empty() {
        0.0
    } else {
        h.mean() / 1000.0
    }
}

/// The summary block of one row.
pub(crate) fn block(row: &Row<'_>, header: &Header<'_>, extras: &Extras) -> String {
    let mut out = String::new();
    let h = row.h();
    let _ = writeln!(out, "====== {} ======", row.title);
    let _ = writeln!(
        out,
        "  {} requests completed in {:.2} seconds",
        row.stats.replies(),
        row.elapsed.as_secs_f64()
    );
    let _ = writeln!(out, "  {} parallel clients", header.clients);
    let _ = writeln!(out, "  {} bytes payload", header.payload);
    let _ = writeln!(out, "  keep alive: {}", header.keepalive);
    if let Some((save, appendonly)) = header.settings {
        let _ = writeln!(out, "  host configuration \"save\": {save}");
        let _ = writeln!(out, "  host configuration \"appendonly\": {appendonly}");
    }
    let _ = writeln!(
        out,
        "  multi-thread: {}",
        if header.threads > 0 { "yes" } else { "no" }
    );
    if header.threads > 0 {
        let _ = writeln!(out, "  threads: {}", header.threads);
    }
    out.push('\n');
    out.push_str("Latency by percentile distribution:\n");
    for l in percentile_lines(h) {
        let _ = writeln!(
            out,
            "{:3.3}% <= {:.3} milliseconds (cumulative count {})",
            l.percentile,
            ms(l.value),
            l.cumulative
        );
    }
    out.push('\n');
    out.push_str("Cumulative distribution of latencies:\n");
    for l in cumulative_lines(h) {
        let _ = writeln!(
            out,
            "{:3.3}% <= {:.3} milliseconds (cumulative count {})",
            l.percentile,
            ms(l.value),
            l.cumulative
        );
    }
    out.push('\n');
    out.push_str("Summary:\n");
    let _ = writeln!(
        out,
        "  throughput summary: {:.2} requests per second",
        row.rps()
    );
    out.push_str("  latency summary (msec):\n");
    summary_table(&mut out, h);
    if let Some(percentiles) = &extras.percentiles {
        let _ = writeln!(
            out,
            "  latency percentiles (msec): {}",
            percentile_list(h, percentiles)
        );
    }
    if extras.open_loop {
        out.push_str("  service time summary (msec):\n");
        summary_table(&mut out, &row.stats.service);
    }
    if row.stats.errors.total() > 0 {
        let _ = writeln!(out, "  errors: {}", describe_errors(&row.stats.errors));
    }
    out
}

fn summary_table(out: &mut String, h: &Hist) {
    let _ = writeln!(
        out,
        "    {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "avg", "min", "p50", "p95", "p99", "max"
    );
    let _ = writeln!(
        out,
        "    {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3} {:>9.3}",
        mean_ms(h),
        ms(h.min()),
        ms(at(h, 50.0)),
        ms(at(h, 95.0)),
        ms(at(h, 99.0)),
        ms(h.max())
    );
}

/// `p50=0.295 p99.9=1.023`.
pub(crate) fn percentile_list(h: &Hist, percentiles: &[f64]) -> String {
    percentiles
        .iter()
        .map(|&p| format!("{}={:.3}", percentile_name(p), ms(at(h, p))))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `p50`, `p99.9`.
pub(crate) fn percentile_name(p: f64) -> String {
    let mut text = format!("{p:.4}");
    while text.ends_with('0') {
        text.pop();
    }
    if text.ends_with('.') {
        text.pop();
    }
    format!("p{text}")
}

/// What the block adds for the whole test.
#[derive(Debug, Clone, Default)]
pub(crate) struct Extras {
    /// `--percentiles`.
    pub percentiles: Option<Vec<f64>>,
    /// An open-loop test.
    pub open_loop: bool,
}

/// The open-loop line that ends a test's blocks.
pub(crate) fn open_loop_line(rate: &str, late: u64, dropped: u64) -> String {
    format!("  open loop: {rate}, {late} late, {dropped} dropped\n")
}

/// `12 (server 12: WRONGTYPE 12)`.
pub(crate) fn describe_errors(e: &Errors) -> String {
    let mut parts = Vec::new();
    for (name, n) in [
        ("timeout", e.timeout),
        ("connection", e.connection),
        ("moved", e.moved),
        ("ask", e.ask),
        ("tryagain", e.tryagain),
        ("clusterdown", e.clusterdown),
    ] {
        if n > 0 {
            parts.push(format!("{name} {n}"));
        }
    }
    if e.server > 0 {
        let prefixes: Vec<String> = e
            .by_prefix
            .iter()
            .filter(|(k, _)| !matches!(k.as_str(), "MOVED" | "ASK" | "TRYAGAIN" | "CLUSTERDOWN"))
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        parts.push(format!("server {}: {}", e.server, prefixes.join(", ")));
    }
    format!("{} ({})", e.total(), parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::modes::bench::histogram::new_hist;
    use crate::modes::bench::stats::Recorder;
    use std::time::Instant;

    fn stats() -> KindStats {
        let start = Instant::now();
        let mut r = Recorder::new(1, 3, start, false, false);
        for us in [100u64, 200, 300, 400] {
            let d = Duration::from_micros(us);
            r.reply(0, start + d, start, None, None);
        }
        r.kinds.remove(0)
    }

    #[test]
    fn lines_in_redis_benchmarks_formats() {
        let s = stats();
        let row = Row {
            title: "SET",
            stats: &s,
            elapsed: Duration::from_millis(2),
        };
        assert_eq!(
            quiet_line(&row),
            "SET: 2000.00 requests per second, p50=0.200 msec\n"
        );
        assert_eq!(
            csv_line(&row),
            "\"SET\",\"2000.00\",\"0.250\",\"0.100\",\"0.200\",\"0.400\",\"0.400\",\"0.400\"\n"
        );
        let header = Header {
            clients: 10,
            payload: 3,
            keepalive: 1,
            settings: Some(&("3600 1".into(), "no".into())),
            threads: 0,
        };
        let text = block(&row, &header, &Extras::default());
        let expected_start = "====== SET ======\n  4 requests completed in 0.00 seconds\n  10 parallel clients\n  3 bytes payload\n  keep alive: 1\n  host configuration \"save\": 3600 1\n  host configuration \"appendonly\": no\n  multi-thread: no\n\nLatency by percentile distribution:\n0.000% <= 0.100 milliseconds (cumulative count 1)\n50.000% <= 0.200 milliseconds (cumulative count 2)\n";
        assert!(text.starts_with(expected_start), "{text}");
        assert!(text.ends_with("Summary:\n  throughput summary: 2000.00 requests per second\n  latency summary (msec):\n          avg       min       p50       p95       p99       max\n        0.250     0.100     0.200     0.400     0.400     0.400\n"), "{text}");
        assert!(text.contains("\nCumulative distribution of latencies:\n25.000% <= 0.100 milliseconds (cumulative count 1)\n"));
    }

    #[test]
    fn extensions_follow_the_summary() {
        let mut s = stats();
        s.errors.reply(b"WRONGTYPE x");
        s.errors.timeout = 2;
        let row = Row {
            title: "GET",
            stats: &s,
            elapsed: Duration::from_secs(1),
        };
        let header = Header {
            clients: 1,
            payload: 3,
            keepalive: 1,
            settings: None,
            threads: 2,
        };
        let extras = Extras {
            percentiles: Some(vec![50.0, 99.9]),
            open_loop: true,
        };
        let text = block(&row, &header, &extras);
        assert!(text.contains("  multi-thread: yes\n  threads: 2\n"));
        assert!(text.contains("  latency percentiles (msec): p50=0.200 p99.9=0.400\n"));
        assert!(text.contains("  service time summary (msec):\n"));
        assert!(
            text.ends_with("  errors: 3 (timeout 2, server 1: WRONGTYPE 1)\n"),
            "{text}"
        );
        assert_eq!(percentile_name(99.99), "p99.99");
        assert_eq!(
            open_loop_line("1000 requests per second", 3, 0),
            "  open loop: 1000 requests per second, 3 late, 0 dropped\n"
        );
        assert_eq!(percentile_list(&new_hist(3), &[50.0]), "p50=0.000");
    }
}
