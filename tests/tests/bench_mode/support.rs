//! What the `--bench` tests share: running the programs, reading their
//! output, the server's counters and the JSON report.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hdrhistogram::serialization::interval_log::{IntervalLogIterator, LogEntry};
use hdrhistogram::serialization::Deserializer;
use hdrhistogram::Histogram;
use integration_tests::{RedisServer, Reply};
use serde_json::Value;

/// Builds redis-cli-rs (once) in this test's profile and returns its path.
pub fn ours() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        integration_tests::build_for_this_test(&["-p", "redis-cli-rs", "--bin", "redis-cli-rs"])
            .join("redis-cli-rs")
    })
}

/// The tests run one at a time.
pub fn one_at_a_time() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

#[derive(Debug)]
pub struct Out {
    pub stdout: String,
    pub stderr: String,
    pub code: i32,
}

/// Runs `program args` with stdout and stderr in pipes, within `limit`.
pub fn run_with(program: &Path, args: &[String], limit: Duration) -> Out {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {}: {e}", program.display()));
    let mut out = child.stdout.take().unwrap();
    let mut err = child.stderr.take().unwrap();
    let out_reader = thread::spawn(move || {
        let mut b = Vec::new();
        let _ = out.read_to_end(&mut b);
        b
    });
    let err_reader = thread::spawn(move || {
        let mut b = Vec::new();
        let _ = err.read_to_end(&mut b);
        b
    });
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{} {args:?} did not finish within {limit:?}",
                program.display()
            );
        }
        thread::sleep(Duration::from_millis(5));
    };
    let stdout = String::from_utf8_lossy(&out_reader.join().unwrap()).into_owned();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap()).into_owned();
    assert!(!stderr.contains("panicked"), "a panic: {stderr}");
    Out {
        stdout,
        stderr,
        code: status.code().unwrap_or(-1),
    }
}

pub fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// `redis-cli-rs --bench <args>`.
pub fn bench(args: &[String]) -> Out {
    let mut all = vec!["--bench".to_string()];
    all.extend_from_slice(args);
    run_with(ours(), &all, Duration::from_secs(60))
}

/// `--bench -p <port>` and `args`.
pub fn bench_at(server: &RedisServer, args: &[&str]) -> Out {
    let mut all = strings(&["-p", &server.port().to_string()]);
    all.extend(strings(args));
    bench(&all)
}

/// The real redis-benchmark, or `None` when it is not installed.
pub fn redis_benchmark(server: &RedisServer, args: &[&str]) -> Option<Out> {
    let program = PathBuf::from(
        std::env::var("REDIS_BENCHMARK_BIN").unwrap_or_else(|_| "redis-benchmark".into()),
    );
    if Command::new(&program).arg("--version").output().is_err() {
        eprintln!("redis-benchmark not found: comparison skipped");
        return None;
    }
    let mut all = strings(&["-p", &server.port().to_string()]);
    all.extend(strings(args));
    Some(run_with(&program, &all, Duration::from_secs(60)))
}

/// redis-benchmark rewrites its progress line with `\r` on stdout: the
/// text after the last `\r` of each line is what a terminal shows.
pub fn as_shown(text: &str) -> String {
    text.split('\n')
        .map(|l| l.rsplit('\r').next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `calls=` of `cmdstat_<name>` in `INFO commandstats`.
pub fn calls(server: &RedisServer, name: &str) -> u64 {
    let info = match server.query(&["INFO", "commandstats"]) {
        Reply::Bulk(b) => String::from_utf8_lossy(&b).into_owned(),
        other => panic!("INFO: {other:?}"),
    };
    info.lines()
        .find_map(|l| l.strip_prefix(&format!("cmdstat_{name}:calls=")))
        .map_or(0, |rest| rest.split(',').next().unwrap().parse().unwrap())
}

pub fn csv_rows(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .map(|l| {
            l.split(',')
                .map(|f| f.trim_matches('"').to_string())
                .collect()
        })
        .collect()
}

pub fn json_file(dir: &tempfile::TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

pub fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).expect("the --json file");
    serde_json::from_str(&text).expect("valid JSON")
}

/// Sums the interval log's histograms by tag.
pub fn log_totals(log: &str) -> std::collections::BTreeMap<String, Histogram<u64>> {
    let mut totals = std::collections::BTreeMap::new();
    for entry in IntervalLogIterator::new(log.as_bytes()) {
        if let LogEntry::Interval(i) = entry.expect("a well-formed log") {
            let bytes = STANDARD.decode(i.encoded_histogram()).expect("base64");
            let h: Histogram<u64> = Deserializer::new()
                .deserialize(&mut &bytes[..])
                .expect("a V2 histogram");
            let tag = i.tag().map(|t| t.as_str().to_string()).unwrap_or_default();
            totals
                .entry(tag)
                .or_insert_with(|| Histogram::new_with_bounds(1, 60_000_000, 3).unwrap())
                .add(&h)
                .unwrap();
        }
    }
    totals
}

pub fn ms(h: &Histogram<u64>, p: f64) -> String {
    format!("{:.3}", h.value_at_quantile(p / 100.0) as f64 / 1000.0)
}

pub fn f(v: &Value) -> f64 {
    v.as_f64().unwrap_or_else(|| panic!("a number: {v}"))
}

/// Checks each line is `<name>: <d.dd> requests per second, p50=<d.ddd>
/// msec` and returns the names.
pub fn regex_free_quiet_check(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    for line in text.lines().filter(|l| !l.is_empty()) {
        let (name, rest) = line.split_once(": ").unwrap_or_else(|| panic!("{line:?}"));
        let (rps, rest) = rest
            .split_once(" requests per second, p50=")
            .unwrap_or_else(|| panic!("{line:?}"));
        let p50 = rest
            .strip_suffix(" msec")
            .unwrap_or_else(|| panic!("{line:?}"));
        let decimals = |v: &str, n: usize| {
            v.split_once('.').is_some_and(|(a, b)| {
                a.chars().all(|c| c.is_ascii_digit())
                    && b.len() == n
                    && b.chars().all(|c| c.is_ascii_digit())
            })
        };
        assert!(decimals(rps, 2) || rps == "inf", "{line:?}");
        assert!(decimals(p50, 3), "{line:?}");
        names.push(name.to_string());
    }
    names
}

/// The block with every number replaced by `N` and runs of distribution
/// lines collapsed to one (their count depends on the latencies).
pub fn block_shape(text: &str) -> String {
    let mut out = String::new();
    let mut last = String::new();
    for line in text.lines() {
        let mut shaped = String::new();
        let mut in_number = false;
        for c in line.chars() {
            if c.is_ascii_digit() || (in_number && c == '.') {
                if !in_number {
                    shaped.push('N');
                }
                in_number = true;
            } else {
                in_number = false;
                shaped.push(c);
            }
        }
        let shaped = if shaped.starts_with(' ')
            && shaped.trim().split(' ').all(|w| w == "N" || w.is_empty())
        {
            format!(
                " {}",
                shaped.split_whitespace().collect::<Vec<_>>().join(" ")
            )
        } else {
            shaped
        };
        if shaped != last {
            out.push_str(&shaped);
            out.push('\n');
        }
        last = shaped;
    }
    out
}
