//! `redis-cli-rs --bench [options]`: a load tester that speaks
//! redis-benchmark 7.0's options and output, and measures better.
//!
//! * The same default tests, test names, `-q`, `--csv` and summary block,
//!   so scripts that read redis-benchmark keep working.
//! * Exactly `-n` requests per test, pipelined or not; under `-P`, each
//!   request's latency runs from its batch's write to its own reply.
//! * `--rate`: an open loop, latency counted from each request's intended
//!   start (no coordinated omission), service time, late and dropped
//!   requests beside it.
//! * `--duration`, `--warmup`, `--ratio`, key patterns, value size
//!   ranges, TOML scenarios with stages, per-command HdrHistograms,
//!   `--json` with an HdrHistogram log, `--threshold` (exit status 99), a
//!   progress line on stderr when it is a terminal.
//!
//! Load goes through `redis_blocking::Connection`s in streaming mode,
//! driven by one `epoll` loop per worker thread (`engine`).
//!
//! Not here yet: `--cluster` needs the cluster client, which the load
//! tester does not drive yet; the option is accepted and refused with a
//! message.

use std::ffi::OsString;
use std::io::{IsTerminal, Read, Write};
use std::time::Duration;

mod engine;
mod histogram;
mod json;
mod keys;
mod options;
mod plan;
mod poller;
mod progress;
mod report;
mod result;
mod runner;
mod scenario;
mod schedule;
mod stats;
mod target;
mod threshold;
mod workload;

use hdrhistogram::Histogram;
use report::{Extras, Header, Row};
use result::TestResult;
use threshold::Observed;

/// The exit status when a threshold fails (k6's).
const THRESHOLD_FAILED: i32 = 99;

/// Runs the load tester with the arguments after `--bench`; returns the
/// exit status.
pub(crate) fn run(args: Vec<OsString>) -> i32 {
    let mut opts = match options::parse(args) {
        Ok(o) => o,
        Err(exit) => {
            print!("{}", exit.stdout);
            eprint!("{}", exit.stderr);
            let _ = std::io::stdout().flush();
            return exit.code;
        }
    };
    for warning in &opts.warnings {
        print!("{warning}");
    }
    if opts.cluster {
        return fail(
            "redis-cli-rs --bench: --cluster needs the cluster client, which the load tester does not drive yet; \
             benchmark the nodes one at a time without --cluster",
        );
    }
    let scenario = match &opts.scenario {
        Some(path) => match scenario::load(path) {
            Ok(s) => Some(s),
            Err(message) => return fail(&message),
        },
        None => None,
    };
    if opts.stdin_last_arg && !opts.command.is_empty() {
        let mut last = Vec::new();
        if let Err(e) = std::io::stdin().read_to_end(&mut last) {
            return fail(&format!("Cannot read the last argument from stdin: {e}"));
        }
        opts.stdin_value = Some(last);
    }
    let settings = match plan::settings(&opts, scenario.as_ref()) {
        Ok(s) => s,
        Err(message) => return fail(&message),
    };
    let tests = plan::tests(&opts, scenario.as_ref(), &settings);
    if let Err(message) = plan::check_thresholds(&settings, &tests) {
        return fail(&message);
    }
    let target = match target::Target::new(&opts) {
        Ok(t) => t,
        Err(message) => return fail(&message),
    };
    if opts.idle {
        return idle(&target, settings.clients);
    }
    let server = target.server_settings();
    let mut out = std::io::stdout().lock();
    if opts.csv {
        let _ = out.write_all(report::CSV_HEADER.as_bytes());
    }
    let mut results: Vec<TestResult> = Vec::new();
    let mut aborted = false;
    let mut round = 0;
    'rounds: loop {
        for workload in &tests {
            let result = match runner::run_test(&settings, &target, workload, round) {
                Ok(r) => r,
                Err(message) => {
                    let _ = out.flush();
                    return fail(&message);
                }
            };
            let _ = out.write_all(render(&opts, &settings, &result, server.as_ref()).as_bytes());
            let _ = out.flush();
            if (opts.quiet || opts.csv) && result.errors() > 0 {
                for (name, stats) in result.kinds.iter().zip(&result.stats) {
                    if stats.errors.total() > 0 {
                        eprintln!("{name}: errors: {}", report::describe_errors(&stats.errors));
                    }
                }
            }
            aborted |= result.aborted;
            if !opts.looping {
                results.push(result);
            }
            if aborted {
                break 'rounds;
            }
        }
        if !opts.csv && opts.command.is_empty() {
            let _ = out.write_all(b"\n");
        }
        round += 1;
        if !opts.looping {
            break;
        }
    }
    let _ = out.flush();
    drop(out);
    if aborted {
        eprintln!("All clients disconnected... aborting.");
    }
    if let Some(path) = &opts.json {
        let doc = json::document(
            plan::configuration(&opts, &settings, &tests),
            &results,
            settings.percentiles.as_deref().unwrap_or(&[]),
        );
        let text = match serde_json::to_string_pretty(&doc) {
            Ok(t) => t + "\n",
            Err(e) => return fail(&format!("Cannot write {}: {e}", path.display())),
        };
        if let Err(e) = std::fs::write(path, text) {
            return fail(&format!("Cannot write {}: {e}", path.display()));
        }
    }
    let failed = thresholds(&settings, &tests, &results);
    if aborted {
        1
    } else if failed {
        THRESHOLD_FAILED
    } else {
        0
    }
}

/// One test's report, in the output mode chosen.
fn render(
    opts: &options::BenchOptions,
    s: &plan::Settings,
    r: &TestResult,
    server: Option<&(String, String)>,
) -> String {
    let rows: Vec<Row<'_>> = if r.kinds.len() == 1 {
        vec![Row {
            title: &r.title,
            stats: &r.stats[0],
            elapsed: r.elapsed,
        }]
    } else {
        r.kinds
            .iter()
            .zip(&r.stats)
            .map(|(name, stats)| Row {
                title: name,
                stats,
                elapsed: r.elapsed,
            })
            .collect()
    };
    let mut text = String::new();
    if opts.csv {
        for row in &rows {
            text.push_str(&report::csv_line(row));
        }
    } else if opts.quiet {
        for row in &rows {
            text.push_str(&report::quiet_line(row));
        }
    } else {
        let header = Header {
            clients: s.clients,
            payload: r.payload,
            keepalive: opts.keepalive,
            settings: server,
            threads: opts.threads,
        };
        let extras = Extras {
            percentiles: s.percentiles.clone(),
            open_loop: s.schedule.is_some(),
        };
        for row in &rows {
            text.push_str(&report::block(row, &header, &extras));
        }
        if let Some(rate) = &s.rate_text {
            text.push_str(&report::open_loop_line(rate, r.late, r.dropped));
        }
    }
    text
}

/// Checks the thresholds and prints each verdict on stderr; true when one
/// failed.
fn thresholds(s: &plan::Settings, tests: &[workload::Workload], results: &[TestResult]) -> bool {
    let mut failed = false;
    for t in &s.thresholds {
        let mut observed = Observed {
            latency: histogram::new_hist(s.sigfig),
            requests: 0,
            errors: 0,
            late: 0,
            dropped: 0,
            seconds: 0.0,
        };
        for (w, r) in tests.iter().zip(results) {
            let whole = match &t.subject {
                None => true,
                Some(name) => {
                    w.title.to_lowercase() == *name
                        || w.title
                            .split_whitespace()
                            .next()
                            .is_some_and(|f| f.to_lowercase() == *name)
                }
            };
            let mut any = false;
            for (kind, stats) in r.kinds.iter().zip(&r.stats) {
                let named = t.subject.as_ref().is_some_and(|name| {
                    kind.to_lowercase() == *name
                        || kind
                            .split_whitespace()
                            .next()
                            .is_some_and(|f| f.to_lowercase() == *name)
                });
                if whole || named {
                    let _ = add(&mut observed.latency, &stats.latency);
                    observed.requests +=
                        stats.replies() + stats.errors.total() - stats.errors.replies();
                    observed.errors += stats.errors.total();
                    any = true;
                }
            }
            if any {
                observed.late += r.late;
                observed.dropped += r.dropped;
                observed.seconds += r.elapsed.as_secs_f64();
            }
        }
        let (value, holds) = t.check(&observed);
        eprintln!(
            "threshold '{}': {} ({})",
            t.text,
            if holds { "passed" } else { "FAILED" },
            t.show(value)
        );
        failed |= !holds;
    }
    failed
}

fn add(to: &mut Histogram<u64>, from: &Histogram<u64>) -> Result<(), ()> {
    to.add(from).map_err(|_| ())
}

/// `-I`: open the connections and wait for ever.
fn idle(target: &target::Target, clients: usize) -> i32 {
    println!("Creating {clients} idle connections and waiting forever (Ctrl+C when done)");
    let _ = std::io::stdout().flush();
    let mut conns = Vec::with_capacity(clients);
    for _ in 0..clients {
        match target.open() {
            Ok(c) => conns.push(c),
            Err(message) => return fail(&message),
        }
    }
    if std::io::stdout().is_terminal() {
        print!("clients: {clients}\r");
        let _ = std::io::stdout().flush();
    }
    loop {
        std::thread::sleep(Duration::from_secs(3600));
    }
}

/// Prints `message` on stderr; exit status 1.
fn fail(message: &str) -> i32 {
    let _ = std::io::stdout().flush();
    eprintln!("{message}");
    1
}
