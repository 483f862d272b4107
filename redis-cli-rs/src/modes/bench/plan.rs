//! From the command line and the scenario file to what runs: the
//! settings every test shares, and the list of tests (redis-benchmark's
//! default set, a command line, a `--ratio` mix or a scenario's commands).
//!
//! The command line wins over the scenario file, which wins over the
//! defaults.

use std::time::Duration;

use serde_json::{json, Value};

use super::engine::Length;
use super::keys::{KeyPattern, KeySpace};
use super::options::{BenchOptions, DEFAULT_CLIENTS, DEFAULT_DATA_SIZE, DEFAULT_REQUESTS};
use super::scenario::{Scenario, StageTarget};
use super::schedule::{ConnectionRamp, Ramp, Schedule};
use super::threshold::{self, Threshold};
use super::workload::{default_tests, parts, Part, Template, Values, Workload};

/// The highest key number when neither `-r` nor `--key-maximum` says.
const DEFAULT_KEY_MAXIMUM: u64 = 9_999_999;
/// Key numbers are written with 12 digits.
const MAX_KEY: u64 = 999_999_999_999;

/// What every test of the run shares.
#[derive(Debug, Clone)]
pub(crate) struct Settings {
    /// Connections opened (the peak of connection stages).
    pub clients: usize,
    /// `-P`.
    pub pipeline: usize,
    /// Worker threads.
    pub threads: usize,
    /// How each test ends.
    pub length: Length,
    /// Open loop: when requests are due.
    pub schedule: Option<Schedule>,
    /// Open loop: how the rate is described in the report.
    pub rate_text: Option<String>,
    /// Closed loop: connections at work over time.
    pub ramp: Option<ConnectionRamp>,
    /// `--warmup`.
    pub warmup: Option<Duration>,
    /// Open loop: the warmup's schedule.
    pub warmup_schedule: Option<Schedule>,
    /// `--timeout`.
    pub timeout: Option<Duration>,
    /// Value sizes.
    pub values: (usize, usize),
    /// The keys.
    pub keys: KeySpace,
    /// `__rand_int__` is substituted.
    pub rand_int: bool,
    /// Seed of the randomness.
    pub seed: u64,
    /// Histogram significant digits.
    pub sigfig: u8,
    /// Extra percentiles to report.
    pub percentiles: Option<Vec<f64>>,
    /// `--threshold`s and the scenario's.
    pub thresholds: Vec<Threshold>,
    /// `-k`: keep connections (`-k 0`: a new one per batch).
    pub keepalive: bool,
    /// `-e`: print error replies as they come.
    pub show_errors: bool,
}

fn err(name: &str, value: impl std::fmt::Display, why: &str) -> String {
    format!("Invalid option \"{name}\": '{value}': {why}")
}

/// The settings of `opts` over `scenario`.
///
/// # Errors
///
/// Options that contradict each other, or a bad threshold.
pub(crate) fn settings(opts: &BenchOptions, sc: Option<&Scenario>) -> Result<Settings, String> {
    let none = Scenario::default();
    let sc = sc.unwrap_or(&none);
    if !opts.command.is_empty() && (opts.ratio.is_some() || !sc.commands.is_empty()) {
        return Err(
            "A command line, --ratio and a scenario's commands are mutually exclusive".into(),
        );
    }
    if opts.ratio.is_some() && !sc.commands.is_empty() {
        return Err(
            "A command line, --ratio and a scenario's commands are mutually exclusive".into(),
        );
    }
    let pipeline = opts.pipeline.or(sc.pipeline).unwrap_or(1);
    let duration = opts.duration.or(sc.duration);
    let rate = opts.rate.or(sc.rate);
    let rate_stages: Vec<(f64, f64)> = sc
        .stages
        .iter()
        .filter_map(|(s, t)| match t {
            StageTarget::Rate(r) => Some((*s, *r)),
            StageTarget::Connections(_) => None,
        })
        .collect();
    let conn_stages: Vec<(f64, usize)> = sc
        .stages
        .iter()
        .filter_map(|(s, t)| match t {
            StageTarget::Connections(c) => Some((*s, *c)),
            StageTarget::Rate(_) => None,
        })
        .collect();
    if !sc.stages.is_empty() && (opts.duration.is_some() || opts.requests.is_some()) {
        return Err("The scenario's stages set the test's length: drop -n and --duration".into());
    }
    if !conn_stages.is_empty() && opts.rate.is_some() {
        return Err("The scenario's connection stages run a closed loop: drop --rate".into());
    }
    if opts.duration.is_some() && opts.requests.is_some() {
        return Err("Options -n and --duration are mutually exclusive".into());
    }
    let requests = opts.requests.or(sc.requests).unwrap_or(DEFAULT_REQUESTS);
    if requests == 0 && duration.is_none() && sc.stages.is_empty() {
        return Err(err("-n", 0, "a test needs at least 1 request"));
    }
    let stage_seconds: f64 = sc.stages.iter().map(|(s, _)| s).sum();
    let length = if !sc.stages.is_empty() {
        Length::Time(
            Duration::try_from_secs_f64(stage_seconds)
                .map_err(|_| format!("The scenario's stages last {stage_seconds} s: too long"))?,
        )
    } else if let Some(d) = duration {
        Length::Time(d)
    } else {
        Length::Requests(requests)
    };
    let mut clients = opts.clients.or(sc.clients).unwrap_or(DEFAULT_CLIENTS);
    let mut ramp = None;
    if !conn_stages.is_empty() {
        let mut from = opts.clients.or(sc.clients).unwrap_or(1) as f64;
        let mut ramps = Vec::new();
        for (seconds, to) in &conn_stages {
            ramps.push(Ramp {
                seconds: *seconds,
                from,
                to: *to as f64,
            });
            from = *to as f64;
        }
        let r = ConnectionRamp::new(ramps);
        clients = r.peak().max(1);
        ramp = Some(r);
    }
    let (schedule, rate_text, warmup_rate) = if !rate_stages.is_empty() {
        let mut from = rate.unwrap_or(0.0);
        let start = from;
        let mut ramps = Vec::new();
        for (seconds, to) in &rate_stages {
            ramps.push(Ramp {
                seconds: *seconds,
                from,
                to: *to,
            });
            from = *to;
        }
        let peak = ramps.iter().map(|r| r.to).fold(start, f64::max);
        if peak <= 0.0 {
            return Err(
                "The scenario's rate stages never send anything: give a rate above 0".into(),
            );
        }
        let text = format!(
            "rate ramping over {} stages ({} to {} requests per second)",
            ramps.len(),
            start,
            rate_stages.last().map_or(0.0, |s| s.1)
        );
        let first = if start > 0.0 { start } else { rate_stages[0].1 };
        (
            Some(Schedule::ramps(ramps, None, None)),
            Some(text),
            Some(first),
        )
    } else if let Some(r) = rate {
        let (end, limit) = match length {
            Length::Time(d) => (Some(d.as_secs_f64()), None),
            Length::Requests(n) => (None, Some(n)),
        };
        (
            Some(Schedule::constant(r, end, limit)),
            Some(format!("rate {r} requests per second")),
            Some(r),
        )
    } else {
        (None, None, None)
    };
    let warmup = opts.warmup.or(sc.warmup);
    let warmup_schedule = match (warmup, warmup_rate) {
        (Some(w), Some(r)) if r > 0.0 => Some(Schedule::constant(r, Some(w.as_secs_f64()), None)),
        _ => None,
    };
    let threads = if opts.threads > 0 {
        opts.threads
    } else {
        sc.threads.unwrap_or(1)
    }
    .clamp(1, clients);
    let values = match (opts.data_size_range, opts.data_size, sc.data_size) {
        (Some(range), _, _) => range,
        (None, Some(d), _) => (d, d),
        (None, None, Some(range)) => range,
        (None, None, None) => (DEFAULT_DATA_SIZE, DEFAULT_DATA_SIZE),
    };
    let scenario_keys = sc.pattern.is_some()
        || sc.key_minimum.is_some()
        || sc.key_maximum.is_some()
        || sc.key_stddev.is_some()
        || sc.key_median.is_some()
        || sc.key_zipf_exp.is_some();
    let keys = KeySpace {
        pattern: opts
            .key_pattern
            .or(sc.pattern)
            .unwrap_or(KeyPattern::Random),
        min: opts.key_minimum.or(sc.key_minimum).unwrap_or(0),
        max: opts
            .key_maximum
            .or(sc.key_maximum)
            .or(opts.keyspace.map(|r| r.saturating_sub(1).min(MAX_KEY)))
            .unwrap_or(DEFAULT_KEY_MAXIMUM),
        stddev: opts.key_stddev.or(sc.key_stddev),
        median: opts.key_median.or(sc.key_median),
        zipf_exp: opts.key_zipf_exp.or(sc.key_zipf_exp).unwrap_or(1.0),
    };
    if keys.max > MAX_KEY {
        return Err(format!(
            "Invalid option \"--key-maximum\": '{}': key numbers have at most 12 digits (up to {MAX_KEY})",
            keys.max
        ));
    }
    keys.validate()?;
    let mut thresholds = Vec::new();
    for text in opts.thresholds.iter().chain(&sc.thresholds) {
        thresholds.push(threshold::parse(text)?);
    }
    let seed = opts.seed.or(sc.seed).unwrap_or_else(|| {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        now.as_nanos() as u64 ^ u64::from(std::process::id()).rotate_left(32)
    });
    if opts.looping && (opts.json.is_some() || !thresholds.is_empty()) {
        return Err("-l runs for ever: --json and --threshold need an end".into());
    }
    Ok(Settings {
        clients,
        pipeline,
        threads,
        length,
        schedule,
        rate_text,
        ramp,
        warmup,
        warmup_schedule,
        timeout: opts.timeout.or(sc.timeout),
        values,
        keys,
        rand_int: opts.keyspace.is_some() || opts.key_options() || scenario_keys,
        seed,
        sigfig: opts.precision,
        percentiles: opts.percentiles.clone().or_else(|| sc.percentiles.clone()),
        thresholds,
        keepalive: opts.keepalive != 0,
        show_errors: opts.show_errors,
    })
}

/// The tests to run, in order.
pub(crate) fn tests(opts: &BenchOptions, sc: Option<&Scenario>, s: &Settings) -> Vec<Workload> {
    let values = || Values::new(s.values.0, s.values.1);
    let payload = s.values.0;
    if let Some(sc) = sc.filter(|sc| !sc.commands.is_empty()) {
        let kinds: Vec<String> = sc.commands.iter().map(|(n, _, _)| n.clone()).collect();
        let v = values();
        let entries = sc
            .commands
            .iter()
            .enumerate()
            .map(|(kind, (_, args, weight))| {
                let args: Vec<Vec<Part>> = args.iter().map(|a| parts(a)).collect();
                (Template::command(kind, &args, &v, s.rand_int), *weight)
            })
            .collect();
        let title = sc.name.clone().unwrap_or_else(|| "scenario".into());
        return vec![Workload::new(
            title,
            kinds,
            entries,
            v,
            s.keys.clone(),
            payload,
        )];
    }
    if let Some((set, get)) = opts.ratio {
        let v = values();
        let key = parts(b"key:__key__");
        let mut kinds = Vec::new();
        let mut entries = Vec::new();
        for (name, args, weight) in [
            (
                "SET",
                vec![parts(b"SET"), key.clone(), vec![Part::Data]],
                set,
            ),
            ("GET", vec![parts(b"GET"), key.clone()], get),
        ] {
            if weight > 0 {
                let kind = kinds.len();
                kinds.push(name.to_string());
                entries.push((Template::command(kind, &args, &v, s.rand_int), weight));
            }
        }
        let title = format!("SET:GET {set}:{get}");
        return vec![Workload::new(
            title,
            kinds,
            entries,
            v,
            s.keys.clone(),
            payload,
        )];
    }
    if !opts.command.is_empty() {
        let v = values();
        let args: Vec<Vec<Part>> = opts
            .command
            .iter()
            .chain(&opts.stdin_value)
            .map(|a| parts(a))
            .collect();
        let title = opts
            .command
            .iter()
            .map(|a| String::from_utf8_lossy(a).into_owned())
            .collect::<Vec<_>>()
            .join(" ");
        let template = Template::command(0, &args, &v, s.rand_int);
        // redis-benchmark prints the command's encoded size as its payload.
        let payload = template.encoded_len(&v);
        return vec![Workload::new(
            title.clone(),
            vec![title],
            vec![(template, 1)],
            v,
            s.keys.clone(),
            payload,
        )];
    }
    default_tests(opts.keyspace.is_some())
        .into_iter()
        .filter(|t| t.selectors.iter().any(|name| opts.selected(name)))
        .map(|t| {
            let v = values();
            let template = match &t.args {
                Some(args) => Template::command(0, args, &v, s.rand_int),
                None => Template::inline(0, b"PING\r\n"),
            };
            Workload::new(
                t.title.to_string(),
                vec![t.title.to_string()],
                vec![(template, 1)],
                v,
                s.keys.clone(),
                payload,
            )
        })
        .collect()
}

/// The names thresholds may use for `w`: its title, the title's first
/// word, its commands' names (lower case).
pub(crate) fn names(w: &Workload) -> Vec<String> {
    let mut names = vec![w.title.to_lowercase()];
    if let Some(first) = w.title.split_whitespace().next() {
        names.push(first.to_lowercase());
    }
    names.extend(w.kinds.iter().map(|k| k.to_lowercase()));
    names.extend(
        w.kinds
            .iter()
            .filter_map(|k| k.split_whitespace().next().map(str::to_lowercase)),
    );
    names
}

/// Checks that every threshold names a test or command that runs.
///
/// # Errors
///
/// `Invalid threshold '...': no test or command named '...'`.
pub(crate) fn check_thresholds(s: &Settings, tests: &[Workload]) -> Result<(), String> {
    for t in &s.thresholds {
        if let Some(subject) = &t.subject {
            if !tests.iter().any(|w| names(w).contains(subject)) {
                return Err(format!(
                    "Invalid threshold '{}': no test or command named '{subject}' runs",
                    t.text
                ));
            }
        }
    }
    Ok(())
}

/// The configuration, for `--json`.
pub(crate) fn configuration(opts: &BenchOptions, s: &Settings, tests: &[Workload]) -> Value {
    let (requests, duration) = match s.length {
        Length::Requests(n) => (Some(n), None),
        Length::Time(d) => (None, Some(d.as_secs_f64())),
    };
    json!({
        "host": opts.host,
        "port": opts.port,
        "socket": opts.socket.as_ref().map(|p| p.display().to_string()),
        "tls": opts.tls,
        "user": opts.user.as_ref().map(|u| String::from_utf8_lossy(u).into_owned()),
        "dbnum": opts.dbnum,
        "resp3": opts.resp3,
        "clients": s.clients,
        "threads": s.threads,
        "pipeline": s.pipeline,
        "keepalive": opts.keepalive,
        "requests": requests,
        "duration_s": duration,
        "warmup_s": s.warmup.map(|w| w.as_secs_f64()),
        "open_loop": s.schedule.is_some(),
        "rate": s.rate_text,
        "timeout_s": s.timeout.map(|t| t.as_secs_f64()),
        "data_size": {"min": s.values.0, "max": s.values.1},
        "keys": {
            "pattern": s.keys.pattern.name(),
            "minimum": s.keys.min,
            "maximum": s.keys.max,
            "substitute_rand_int": s.rand_int,
        },
        "seed": s.seed,
        "histogram": {"lowest_us": 1, "highest_us": 60_000_000u64, "significant_digits": s.sigfig},
        "percentiles": s.percentiles,
        "thresholds": s.thresholds.iter().map(|t| t.text.clone()).collect::<Vec<_>>(),
        "tests": tests.iter().map(|w| w.title.clone()).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;

    use super::*;
    use crate::modes::bench::options::parse;
    use crate::modes::bench::scenario;

    fn opts(args: &[&str]) -> BenchOptions {
        parse(args.iter().map(OsString::from)).unwrap()
    }

    #[test]
    fn default_tests_and_selection() {
        let o = opts(&["-t", "set,get,incr", "-n", "20000", "-r", "1000"]);
        let s = settings(&o, None).unwrap();
        assert_eq!(s.length, Length::Requests(20000));
        assert!(s.rand_int && s.keys.max == 999);
        let titles: Vec<String> = tests(&o, None, &s).into_iter().map(|w| w.title).collect();
        assert_eq!(titles, ["SET", "GET", "INCR"]);
        let o = opts(&["-t", "lrange_300"]);
        let titles: Vec<String> = tests(&o, None, &settings(&o, None).unwrap())
            .into_iter()
            .map(|w| w.title)
            .collect();
        assert_eq!(
            titles,
            [
                "LPUSH (needed to benchmark LRANGE)",
                "LRANGE_300 (first 300 elements)"
            ]
        );
    }

    #[test]
    fn modes_and_conflicts() {
        let o = opts(&["--rate", "1000", "--duration", "5"]);
        let s = settings(&o, None).unwrap();
        assert_eq!(s.schedule.as_ref().unwrap().count_before(5.0), 5000);
        let o = opts(&["--ratio", "1:3", "-c", "4", "--threads", "9"]);
        let s = settings(&o, None).unwrap();
        assert_eq!(s.threads, 4);
        let w = &tests(&o, None, &s)[0];
        assert_eq!(w.kinds, ["SET", "GET"]);
        assert!(settings(&opts(&["-n", "5", "--duration", "1"]), None).is_err());
        assert!(settings(&opts(&["--ratio", "1:1", "get", "k"]), None).is_err());
        assert!(settings(&opts(&["--key-minimum", "9", "--key-maximum", "1"]), None).is_err());
        assert!(settings(&opts(&["--threshold", "p99<"]), None).is_err());
        assert!(settings(&opts(&["-l", "--json", "x"]), None).is_err());
        let o = opts(&["-n", "0"]);
        assert_eq!(
            settings(&o, None).unwrap_err(),
            "Invalid option \"-n\": '0': a test needs at least 1 request"
        );
    }

    #[test]
    fn scenarios_and_thresholds() {
        let sc = scenario::parse(
            "name = \"s\"\n[[commands]]\nname = \"get_user\"\ncommand = \"GET u:__key__\"\n[[stages]]\nduration = \"1s\"\nconnections = 3\n[[stages]]\nduration = \"1s\"\nconnections = 1\n",
        )
        .unwrap();
        let o = opts(&["--threshold", "get_user.p99<5ms"]);
        let s = settings(&o, Some(&sc)).unwrap();
        assert_eq!(s.clients, 3);
        assert_eq!(s.length, Length::Time(Duration::from_secs(2)));
        let t = tests(&o, Some(&sc), &s);
        assert_eq!(t[0].kinds, ["get_user"]);
        assert!(check_thresholds(&s, &t).is_ok());
        let o = opts(&["--threshold", "set.p99<5ms"]);
        let s = settings(&o, Some(&sc)).unwrap();
        assert!(check_thresholds(&s, &t).is_err());
        assert!(settings(&opts(&["-n", "5"]), Some(&sc)).is_err());
        let o = opts(&["-t", "lrange_100"]);
        let s = settings(&o, None).unwrap();
        let t = tests(&o, None, &s);
        assert!(names(&t[1]).contains(&"lrange_100".to_string()));
    }
}
