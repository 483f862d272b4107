//! Scenario files (`--scenario FILE`, TOML): weighted commands, the key
//! range, run settings, k6-like stages and thresholds.
//!
//! ```toml
//! name = "sessions"          # the test's title
//! clients = 20
//! rate = 500                 # open loop; the start rate when stages ramp it
//! data_size = "16-256"       # or a number
//! thresholds = ["get_user.p99<2ms", "errors<0.1%"]
//!
//! [keys]
//! pattern = "zipf"           # random, sequential, gaussian, zipf
//! maximum = 99999
//!
//! [[commands]]
//! name = "get_user"          # default: the command's name, upper-cased
//! command = "GET user:__key__"
//! weight = 9
//!
//! [[commands]]
//! command = ["SET", "user:__key__", "__data__"]
//!
//! [[stages]]                 # ramp the rate (or `connections`)
//! duration = "10s"
//! rate = 2000
//! ```
//!
//! Unknown keys are mistakes, not ignored. Settings given on the command
//! line win over the file's.

use std::path::Path;

use serde::Deserialize;

use super::keys::KeyPattern;
use super::options::{parse_duration, parse_percentiles, parse_size_range};

/// A command: one string (split as redis-cli splits a line) or a list of
/// arguments.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
enum CommandText {
    Line(String),
    Args(Vec<String>),
}

/// A number, or a string such as `"16-256"` or `"5s"`.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(untagged)]
enum NumberOrText {
    Number(f64),
    Text(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    name: Option<String>,
    clients: Option<u64>,
    pipeline: Option<u64>,
    requests: Option<u64>,
    duration: Option<NumberOrText>,
    warmup: Option<NumberOrText>,
    rate: Option<f64>,
    timeout: Option<NumberOrText>,
    data_size: Option<NumberOrText>,
    threads: Option<u64>,
    seed: Option<u64>,
    percentiles: Option<Vec<f64>>,
    #[serde(default)]
    thresholds: Vec<String>,
    keys: Option<Keys>,
    #[serde(default)]
    commands: Vec<Command>,
    #[serde(default)]
    stages: Vec<Stage>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Keys {
    pattern: Option<String>,
    minimum: Option<u64>,
    maximum: Option<u64>,
    stddev: Option<f64>,
    median: Option<f64>,
    zipf_exp: Option<f64>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Command {
    name: Option<String>,
    command: CommandText,
    weight: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Stage {
    duration: NumberOrText,
    rate: Option<f64>,
    connections: Option<u64>,
}

/// A scenario, checked.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Scenario {
    /// The test's title.
    pub name: Option<String>,
    /// `clients`.
    pub clients: Option<usize>,
    /// `pipeline`.
    pub pipeline: Option<usize>,
    /// `requests`.
    pub requests: Option<u64>,
    /// `duration`.
    pub duration: Option<std::time::Duration>,
    /// `warmup`.
    pub warmup: Option<std::time::Duration>,
    /// `rate`.
    pub rate: Option<f64>,
    /// `timeout`.
    pub timeout: Option<std::time::Duration>,
    /// `data_size`: the value size range.
    pub data_size: Option<(usize, usize)>,
    /// `threads`.
    pub threads: Option<usize>,
    /// `seed`.
    pub seed: Option<u64>,
    /// `percentiles`.
    pub percentiles: Option<Vec<f64>>,
    /// `thresholds`.
    pub thresholds: Vec<String>,
    /// `[keys]`.
    pub pattern: Option<KeyPattern>,
    /// `[keys] minimum`.
    pub key_minimum: Option<u64>,
    /// `[keys] maximum`.
    pub key_maximum: Option<u64>,
    /// `[keys] stddev`.
    pub key_stddev: Option<f64>,
    /// `[keys] median`.
    pub key_median: Option<f64>,
    /// `[keys] zipf_exp`.
    pub key_zipf_exp: Option<f64>,
    /// `[[commands]]`: name, arguments, weight.
    pub commands: Vec<(String, Vec<Vec<u8>>, u32)>,
    /// `[[stages]]`: seconds, and the rate or connections to reach.
    pub stages: Vec<(f64, StageTarget)>,
}

/// What a stage ramps to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum StageTarget {
    /// Requests per second (open loop).
    Rate(f64),
    /// Connections at work (closed loop).
    Connections(usize),
}

/// Reads and checks a scenario file.
///
/// # Errors
///
/// `Invalid scenario file "<path>": <what>`, with the line and column of
/// TOML mistakes.
pub(crate) fn load(path: &Path) -> Result<Scenario, String> {
    let fail = |what: String| format!("Invalid scenario file \"{}\": {what}", path.display());
    let text = std::fs::read_to_string(path).map_err(|e| fail(e.to_string()))?;
    parse(&text).map_err(fail)
}

/// Parses and checks a scenario.
///
/// # Errors
///
/// What is wrong, in a sentence.
pub(crate) fn parse(text: &str) -> Result<Scenario, String> {
    let file: File = toml::from_str(text).map_err(|e| {
        let message = e.message().trim_end().to_string();
        match e.span() {
            Some(span) => {
                let before = &text[..span.start.min(text.len())];
                let line = before.matches('\n').count() + 1;
                let column = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
                format!("line {line}, column {column}: {message}")
            }
            None => message,
        }
    })?;
    let mut s = Scenario {
        name: file.name,
        clients: positive_count(file.clients, "clients")?,
        pipeline: positive_count(file.pipeline, "pipeline")?,
        requests: file.requests,
        duration: time(file.duration, "duration")?,
        warmup: time(file.warmup, "warmup")?,
        rate: file.rate,
        timeout: time(file.timeout, "timeout")?,
        threads: positive_count(file.threads, "threads")?,
        seed: file.seed,
        thresholds: file.thresholds,
        ..Scenario::default()
    };
    if s.requests == Some(0) {
        return Err("requests must be at least 1".into());
    }
    if let Some(rate) = s.rate {
        if !(rate.is_finite() && rate >= 0.0) {
            return Err(format!("rate must be a positive number, not {rate}"));
        }
    }
    s.data_size = match file.data_size {
        None => None,
        Some(NumberOrText::Number(n)) if n >= 1.0 && n.fract() == 0.0 => {
            Some((n as usize, n as usize))
        }
        Some(NumberOrText::Text(t)) if parse_size_range(&t).is_some() => parse_size_range(&t),
        Some(other) => {
            return Err(format!(
                "data_size must be a size or a range like \"16-256\", not {}",
                show(&other)
            ))
        }
    };
    if let Some(p) = file.percentiles {
        let text = p.iter().map(f64::to_string).collect::<Vec<_>>().join(",");
        s.percentiles = Some(
            parse_percentiles(&text)
                .ok_or_else(|| format!("percentiles must be in (0, 100], not [{text}]"))?,
        );
    }
    if let Some(k) = file.keys {
        s.pattern = match k.pattern {
            None => None,
            Some(p) => Some(KeyPattern::parse(&p).ok_or_else(|| {
                format!("keys.pattern must be random, sequential, gaussian or zipf, not \"{p}\"")
            })?),
        };
        s.key_minimum = k.minimum;
        s.key_maximum = k.maximum;
        s.key_stddev = k.stddev;
        s.key_median = k.median;
        s.key_zipf_exp = k.zipf_exp;
    }
    for (i, c) in file.commands.into_iter().enumerate() {
        let n = i + 1;
        let args = match c.command {
            CommandText::Line(line) => resp_core::args::split_args(line.as_bytes())
                .map_err(|_| format!("commands #{n}: unbalanced quotes in \"{line}\""))?,
            CommandText::Args(args) => args.into_iter().map(String::into_bytes).collect(),
        };
        if args.is_empty() || args[0].is_empty() {
            return Err(format!("commands #{n}: the command is empty"));
        }
        let weight = c.weight.unwrap_or(1);
        if weight == 0 {
            return Err(format!("commands #{n}: weight must be at least 1"));
        }
        let name = c
            .name
            .unwrap_or_else(|| String::from_utf8_lossy(&args[0]).to_uppercase());
        if name.is_empty() || name.contains(|c: char| c.is_whitespace() || c == ',') {
            return Err(format!(
                "commands #{n}: name \"{name}\" must be one word (no spaces or commas)"
            ));
        }
        if s.commands.iter().any(|(other, _, _)| *other == name) {
            return Err(format!(
                "commands #{n}: the name \"{name}\" is used twice; give each command its own name"
            ));
        }
        s.commands.push((name, args, weight));
    }
    for (i, stage) in file.stages.into_iter().enumerate() {
        let n = i + 1;
        let seconds = time(Some(stage.duration), &format!("stages #{n}: duration"))?
            .map_or(0.0, |d| d.as_secs_f64());
        let target = match (stage.rate, stage.connections) {
            (Some(rate), None) if rate.is_finite() && rate >= 0.0 => StageTarget::Rate(rate),
            (None, Some(c)) if c >= 1 => StageTarget::Connections(c as usize),
            (Some(_), Some(_)) => {
                return Err(format!(
                    "stages #{n}: a stage ramps either rate or connections, not both"
                ))
            }
            (None, None) => return Err(format!("stages #{n}: give rate or connections")),
            _ => {
                return Err(format!(
                    "stages #{n}: rate must be a positive number and connections at least 1"
                ))
            }
        };
        s.stages.push((seconds, target));
    }
    let rates = s
        .stages
        .iter()
        .filter(|(_, t)| matches!(t, StageTarget::Rate(_)))
        .count();
    if rates != 0 && rates != s.stages.len() {
        return Err(
            "stages ramp either the rate (open loop) or the connections (closed loop), not both"
                .into(),
        );
    }
    if !s.stages.is_empty() && (s.duration.is_some() || s.requests.is_some()) {
        return Err(
            "with stages, the stages set the test's length: drop duration and requests".into(),
        );
    }
    if rates == 0 && !s.stages.is_empty() && s.rate.is_some() {
        return Err("connection stages run a closed loop: drop rate".into());
    }
    Ok(s)
}

fn show(v: &NumberOrText) -> String {
    match v {
        NumberOrText::Number(n) => n.to_string(),
        NumberOrText::Text(t) => format!("\"{t}\""),
    }
}

fn positive_count(v: Option<u64>, what: &str) -> Result<Option<usize>, String> {
    match v {
        Some(0) => Err(format!("{what} must be at least 1")),
        Some(n) => Ok(Some(n.min(1 << 20) as usize)),
        None => Ok(None),
    }
}

fn time(v: Option<NumberOrText>, what: &str) -> Result<Option<std::time::Duration>, String> {
    let Some(v) = v else {
        return Ok(None);
    };
    let parsed = match &v {
        NumberOrText::Number(n) => parse_duration(&n.to_string()),
        NumberOrText::Text(t) => parse_duration(t),
    };
    parsed.map(Some).ok_or_else(|| {
        format!(
            "{what} must be a positive time like \"10s\" or \"500ms\", not {}",
            show(&v)
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_scenario() {
        let s = parse(
            r#"
name = "sessions"
clients = 4
rate = 100
data_size = "16-256"
thresholds = ["get_user.p99<2ms"]
percentiles = [50, 99.9]
[keys]
pattern = "zipf"
maximum = 999
[[commands]]
name = "get_user"
command = "GET user:__key__"
weight = 9
[[commands]]
command = ["SET", "user:__key__", "__data__"]
[[stages]]
duration = "2s"
rate = 200
[[stages]]
duration = 1
rate = 200
"#,
        )
        .unwrap();
        assert_eq!(s.name.as_deref(), Some("sessions"));
        assert_eq!(s.clients, Some(4));
        assert_eq!(s.data_size, Some((16, 256)));
        assert_eq!(s.pattern, Some(KeyPattern::Zipf));
        assert_eq!(s.key_maximum, Some(999));
        assert_eq!(s.commands[0].0, "get_user");
        assert_eq!(s.commands[0].1, [b"GET".to_vec(), b"user:__key__".to_vec()]);
        assert_eq!(s.commands[1].0, "SET");
        assert_eq!(s.commands[1].2, 1);
        assert_eq!(
            s.stages,
            [
                (2.0, StageTarget::Rate(200.0)),
                (1.0, StageTarget::Rate(200.0))
            ]
        );
        assert_eq!(s.percentiles, Some(vec![50.0, 99.9]));
    }

    #[test]
    fn mistakes_are_named() {
        let err = |text: &str| parse(text).unwrap_err();
        assert_eq!(
            err("clients = 4\nbogus = 1\n"),
            "line 2, column 1: unknown field `bogus`, expected one of `name`, `clients`, `pipeline`, `requests`, `duration`, `warmup`, `rate`, `timeout`, `data_size`, `threads`, `seed`, `percentiles`, `thresholds`, `keys`, `commands`, `stages`"
        );
        assert!(err("clients = \"many\"").starts_with("line 1, column 11: invalid type"));
        assert!(err("[[commands]]\ncommand = \"GET \\\"k\"").contains("unbalanced quotes"));
        assert!(err("[[commands]]\ncommand = []").contains("empty"));
        assert!(err("[[commands]]\ncommand = \"GET k\"\nweight = 0").contains("weight"));
        assert!(err("[[stages]]\nduration = \"1s\"").contains("give rate or connections"));
        assert!(err("[[stages]]\nduration = \"soon\"\nrate = 1").contains("duration must be"));
        assert!(err("[[stages]]\nduration = \"1s\"\nrate = 1\n[[stages]]\nduration = \"1s\"\nconnections = 2")
            .contains("either"));
        assert!(err("data_size = \"9-1\"").contains("data_size"));
        assert!(err("[keys]\npattern = \"hot\"").contains("keys.pattern"));
        assert!(err("clients = 0").contains("clients must be at least 1"));
        assert!(err("x = [").starts_with("line 1"));
        assert!(parse("").is_ok());
    }
}
