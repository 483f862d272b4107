//! The fault configuration: JSON in, validated [`Fault`]s out.
//!
//! One format serves the `--config` file and the admin listener's `FAULT
//! ADD`. It accepts APISIX's redis `conf` object verbatim:
//!
//! ```json
//! {"faults": [{"commands": ["get", "ping"], "key": "blahblah", "delay": 5}]}
//! ```
//!
//! and extends it with `toxics` (Toxiproxy's objects) and more rule
//! fields. The top level may also be an array of faults, or one fault. A
//! fault with a `type` is a toxic, any other a rule.
//!
//! Rule fields (all optional; APISIX's are `commands`, `key`, `delay`):
//!
//! | field | meaning |
//! |---|---|
//! | `name` | for `FAULT DEL` and stats; default `fault-<n>` |
//! | `commands` | command names, any case; none: every command |
//! | `key`, `key_prefix`, `key_glob` | one of the request's keys (command table) is, starts with, or matches (Redis glob) this |
//! | `db` | the connection's database (as `SELECT`ed) |
//! | `client` | client address: `127.0.0.1`, `127.0.0.1:5000`, `127.0.0.0/8` |
//! | `probability` | chance (0 to 1) per matching request |
//! | `skip`, `count` | let the first N matching requests through; fire at most N times (proxy-wide) |
//! | `delay`, `jitter` | seconds (numbers, as APISIX); jitter: plus or minus up to |
//! | `direction` | `"request"` (default, APISIX: hold the command) or `"reply"` (hold its reply) |
//! | `error` | answer this error instead, e.g. `"-TRYAGAIN ..."`, `"MOVED 1 127.0.0.1:7001"` |
//! | `drop_reply` | `true`: the command runs, its reply and every later one on the connection are held back |
//! | `close_before` | `true`: close the connection instead of forwarding the command |
//! | `close_after` | `true`: the command runs, the connection closes instead of its reply |
//! | `truncate_reply` | bytes of the reply to forward before closing; `true`: half |
//! | `push` | a RESP3 push frame sent before the reply: `["invalidate", ["k"]]` |
//!
//! Toxics: `{"name", "type", "stream": "upstream"|"downstream", "toxicity",
//! "attributes": {...}}` with Toxiproxy's types and attributes (see
//! [`ToxicKind`]); `name` defaults to `<type>_<stream>`.
//!
//! Every mistake is an error naming the fault and the field.

use std::fmt;
use std::time::Duration;

use serde_json::{Map, Value};

use crate::faults::Fault;
use crate::rule::{Action, Direction, Rule};
use crate::select::{ClientMatch, Glob};
use crate::toxic::{Stream, Toxic, ToxicKind};

/// The longest delay accepted (a day): larger values are mistakes.
const MAX_SECONDS: f64 = 86_400.0;

/// A configuration mistake: where, which field, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError {
    /// The fault: `faults[2] ("slow-gets")`, or `config` for the top level.
    pub location: String,
    /// The field, if the mistake is in one.
    pub field: Option<String>,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.field {
            Some(field) => write!(f, "{}: field {field:?}: {}", self.location, self.message),
            None => write!(f, "{}: {}", self.location, self.message),
        }
    }
}

impl std::error::Error for ConfigError {}

/// Parses a configuration or a list of faults (see the
/// [module documentation](self)).
///
/// # Errors
///
/// Invalid JSON (with line and column), an unknown field, a value of the
/// wrong type or range, conflicting actions, a rule with no action.
///
/// # Example
///
/// ```
/// use redis_proxy::config::parse_faults;
///
/// let faults = parse_faults(r#"{"faults": [{"commands": ["get", "ping"], "delay": 0.2}]}"#)?;
/// assert_eq!(faults.len(), 1);
/// let err = parse_faults(r#"{"faults": [{"commands": ["get"], "dleay": 1}]}"#).unwrap_err();
/// assert_eq!(err.to_string(), r#"faults[0]: field "dleay": unknown field"#);
/// # Ok::<(), redis_proxy::config::ConfigError>(())
/// ```
pub fn parse_faults(text: &str) -> Result<Vec<Fault>, ConfigError> {
    let value: Value = serde_json::from_str(text).map_err(|e| ConfigError {
        location: "config".into(),
        field: None,
        message: format!("invalid JSON: {e}"),
    })?;
    faults_from_value(&value)
}

/// [`parse_faults`] on an already parsed JSON value.
///
/// # Errors
///
/// As [`parse_faults`].
pub fn faults_from_value(value: &Value) -> Result<Vec<Fault>, ConfigError> {
    let top = |message: String| ConfigError {
        location: "config".into(),
        field: None,
        message,
    };
    match value {
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| fault(item, &format!("faults[{i}]")))
            .collect(),
        Value::Object(map) if map.contains_key("faults") || map.contains_key("toxics") => {
            if let Some(key) = map.keys().find(|k| *k != "faults" && *k != "toxics") {
                return Err(ConfigError {
                    location: "config".into(),
                    field: Some(key.clone()),
                    message: "unknown field (expected \"faults\" and \"toxics\")".into(),
                });
            }
            let mut out = Vec::new();
            for section in ["faults", "toxics"] {
                match map.get(section) {
                    None => {}
                    Some(Value::Array(items)) => {
                        for (i, item) in items.iter().enumerate() {
                            let f = fault(item, &format!("{section}[{i}]"))?;
                            if section == "toxics" && !matches!(f, Fault::Toxic(_)) {
                                return Err(ConfigError {
                                    location: format!("{section}[{i}]"),
                                    field: Some("type".into()),
                                    message: "missing: a toxic needs a type".into(),
                                });
                            }
                            out.push(f);
                        }
                    }
                    Some(other) => {
                        return Err(ConfigError {
                            location: "config".into(),
                            field: Some(section.into()),
                            message: format!("expected an array, got {}", shown(other)),
                        })
                    }
                }
            }
            Ok(out)
        }
        Value::Object(_) => Ok(vec![fault(value, "fault")?]),
        other => Err(top(format!(
            "expected an object or an array, got {}",
            shown(other)
        ))),
    }
}

/// `value` in a message: its JSON, cut short.
fn shown(value: &Value) -> String {
    let text = value.to_string();
    if text.len() > 40 {
        let mut end = 37;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        format!("{}...", &text[..end])
    } else {
        text
    }
}

/// Reads the fields of one fault object, naming it in errors.
struct Fields<'a> {
    map: &'a Map<String, Value>,
    location: String,
}

impl<'a> Fields<'a> {
    fn err(&self, field: &str, message: impl Into<String>) -> ConfigError {
        ConfigError {
            location: self.location.clone(),
            field: Some(field.into()),
            message: message.into(),
        }
    }

    fn get(&self, field: &str) -> Option<&'a Value> {
        self.map.get(field).filter(|v| !v.is_null())
    }

    fn string(&self, field: &str) -> Result<Option<&'a str>, ConfigError> {
        match self.get(field) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.err(field, format!("expected a string, got {}", shown(other)))),
        }
    }

    fn flag(&self, field: &str) -> Result<bool, ConfigError> {
        match self.get(field) {
            None => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(self.err(
                field,
                format!("expected true or false, got {}", shown(other)),
            )),
        }
    }

    fn uint(&self, field: &str) -> Result<Option<u64>, ConfigError> {
        match self.get(field) {
            None => Ok(None),
            Some(v) => v.as_u64().map(Some).ok_or_else(|| {
                self.err(
                    field,
                    format!("expected a whole number >= 0, got {}", shown(v)),
                )
            }),
        }
    }

    fn seconds(&self, field: &str) -> Result<Option<Duration>, ConfigError> {
        match self.get(field) {
            None => Ok(None),
            Some(v) => match v.as_f64() {
                Some(s) if (0.0..=MAX_SECONDS).contains(&s) => Ok(Some(Duration::from_secs_f64(s))),
                _ => Err(self.err(
                    field,
                    format!(
                        "expected a number of seconds (0 to {MAX_SECONDS}), got {}",
                        shown(v)
                    ),
                )),
            },
        }
    }
}

fn fault(value: &Value, location: &str) -> Result<Fault, ConfigError> {
    let Value::Object(map) = value else {
        return Err(ConfigError {
            location: location.into(),
            field: None,
            message: format!("expected an object, got {}", shown(value)),
        });
    };
    let mut fields = Fields {
        map,
        location: location.into(),
    };
    if let Some(Value::String(name)) = map.get("name") {
        fields.location = format!("{location} ({name:?})");
    }
    let mut fault = if map.contains_key("type") {
        Fault::Toxic(toxic(&fields)?)
    } else {
        Fault::Rule(rule(&fields)?)
    };
    if let Some(name) = fields.string("name")? {
        if name.is_empty() || name.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(fields.err("name", "expected a name without spaces"));
        }
        fault.set_name(name.to_string());
    }
    Ok(fault)
}

const RULE_FIELDS: &[&str] = &[
    "name",
    "commands",
    "key",
    "key_prefix",
    "key_glob",
    "db",
    "client",
    "probability",
    "skip",
    "count",
    "direction",
    "delay",
    "jitter",
    "error",
    "drop_reply",
    "close_before",
    "close_after",
    "truncate_reply",
    "push",
];

fn rule(f: &Fields<'_>) -> Result<Rule, ConfigError> {
    if let Some(key) = f.map.keys().find(|k| !RULE_FIELDS.contains(&k.as_str())) {
        return Err(f.err(key, "unknown field"));
    }
    let mut rule = Rule::new(String::new());
    rule.source = Value::Object(f.map.clone());
    if let Some(commands) = f.get("commands") {
        let names = commands
            .as_array()
            .filter(|a| !a.is_empty())
            .ok_or_else(|| {
                f.err(
                    "commands",
                    format!(
                        "expected a non-empty array of command names, got {}",
                        shown(commands)
                    ),
                )
            })?;
        let mut upper = Vec::new();
        for name in names {
            match name.as_str() {
                Some(s) if !s.is_empty() => upper.push(s.as_bytes().to_ascii_uppercase()),
                _ => {
                    return Err(f.err(
                        "commands",
                        format!("expected command names, got {}", shown(name)),
                    ))
                }
            }
        }
        rule.commands = upper;
    }
    rule.key = f.string("key")?.map(|k| k.as_bytes().to_vec());
    rule.key_prefix = f.string("key_prefix")?.map(|k| k.as_bytes().to_vec());
    rule.key_glob = f.string("key_glob")?.map(|g| Glob::new(g.as_bytes()));
    if let Some(db) = f.get("db") {
        rule.db = Some(db.as_i64().filter(|d| *d >= 0).ok_or_else(|| {
            f.err(
                "db",
                format!("expected a database number, got {}", shown(db)),
            )
        })?);
    }
    if let Some(client) = f.string("client")? {
        rule.client = Some(
            client
                .parse::<ClientMatch>()
                .map_err(|e| f.err("client", e))?,
        );
    }
    if let Some(p) = f.get("probability") {
        rule.probability = p
            .as_f64()
            .filter(|p| (0.0..=1.0).contains(p))
            .ok_or_else(|| {
                f.err(
                    "probability",
                    format!("expected a number from 0 to 1, got {}", shown(p)),
                )
            })?;
    }
    rule.skip = f.uint("skip")?.unwrap_or(0);
    rule.count = f.uint("count")?;
    rule.direction = match f.string("direction")? {
        None | Some("request") => Direction::Request,
        Some("reply") => Direction::Reply,
        Some(other) => {
            return Err(f.err(
                "direction",
                format!("expected \"request\" or \"reply\", got {other:?}"),
            ))
        }
    };
    let delay = f.seconds("delay")?;
    rule.delay = delay.unwrap_or_default();
    rule.jitter = f.seconds("jitter")?.unwrap_or_default();
    if rule.jitter > rule.delay {
        return Err(f.err("jitter", "must not exceed the delay"));
    }
    let mut actions: Vec<(&str, Action)> = Vec::new();
    if let Some(error) = f.string("error")? {
        actions.push((
            "error",
            Action::Error(error_reply(error).map_err(|m| f.err("error", m))?),
        ));
    }
    for (field, action) in [
        ("drop_reply", Action::DropReply),
        ("close_before", Action::CloseBefore),
        ("close_after", Action::CloseAfter),
    ] {
        if f.flag(field)? {
            actions.push((field, action));
        }
    }
    match f.get("truncate_reply") {
        None | Some(Value::Bool(false)) => {}
        Some(Value::Bool(true)) => actions.push(("truncate_reply", Action::TruncateReply(None))),
        Some(v) => match v.as_u64() {
            Some(n) => actions.push(("truncate_reply", Action::TruncateReply(Some(n)))),
            None => {
                return Err(f.err(
                    "truncate_reply",
                    format!("expected a number of bytes or true, got {}", shown(v)),
                ))
            }
        },
    }
    if actions.len() > 1 {
        return Err(f.err(
            actions[1].0,
            format!(
                "cannot be combined with {:?} (one action per rule)",
                actions[0].0
            ),
        ));
    }
    if let Some((_, action)) = actions.pop() {
        rule.action = action;
    }
    if let Some(push) = f.get("push") {
        rule.push = Some(push_frame(push).map_err(|m| f.err("push", m))?);
    }
    if delay.is_none() && rule.action == Action::None && rule.push.is_none() {
        return Err(ConfigError {
            location: f.location.clone(),
            field: None,
            message: "no action: give a delay, error, drop_reply, close_before, close_after, truncate_reply or push".into(),
        });
    }
    Ok(rule)
}

/// `-CODE message\r\n` from what the user wrote (with or without the `-`).
fn error_reply(text: &str) -> Result<Vec<u8>, String> {
    let text = text.strip_prefix('-').unwrap_or(text);
    if text.trim().is_empty() {
        return Err("expected an error such as \"-TRYAGAIN ...\", got an empty one".into());
    }
    if text.contains(['\r', '\n']) {
        return Err("an error reply cannot contain CR or LF".into());
    }
    Ok(format!("-{text}\r\n").into_bytes())
}

/// The RESP3 push frame for a JSON array.
fn push_frame(value: &Value) -> Result<Vec<u8>, String> {
    let Value::Array(items) = value else {
        return Err(format!(
            "expected an array such as [\"invalidate\", [\"key\"]], got {}",
            shown(value)
        ));
    };
    if items.is_empty() {
        return Err("expected a non-empty array".into());
    }
    let mut out = format!(">{}\r\n", items.len()).into_bytes();
    for item in items {
        encode_json(item, &mut out, 0)?;
    }
    Ok(out)
}

fn encode_json(value: &Value, out: &mut Vec<u8>, depth: usize) -> Result<(), String> {
    if depth > 8 {
        return Err("nested too deep".into());
    }
    match value {
        Value::Null => out.extend_from_slice(b"_\r\n"),
        Value::Bool(b) => out.extend_from_slice(if *b { b"#t\r\n" } else { b"#f\r\n" }),
        Value::Number(n) => match n.as_i64() {
            Some(i) => out.extend_from_slice(format!(":{i}\r\n").as_bytes()),
            None => out.extend_from_slice(format!(",{n}\r\n").as_bytes()),
        },
        Value::String(s) => resp_core::encode::write_bulk(out, s.as_bytes()),
        Value::Array(items) => {
            out.extend_from_slice(format!("*{}\r\n", items.len()).as_bytes());
            for item in items {
                encode_json(item, out, depth + 1)?;
            }
        }
        Value::Object(_) => return Err("objects are not supported in a push frame".into()),
    }
    Ok(())
}

fn toxic(f: &Fields<'_>) -> Result<Toxic, ConfigError> {
    const FIELDS: &[&str] = &["name", "type", "stream", "toxicity", "attributes"];
    if let Some(key) = f.map.keys().find(|k| !FIELDS.contains(&k.as_str())) {
        return Err(f.err(key, "unknown field"));
    }
    let kind_name = f.string("type")?.ok_or_else(|| f.err("type", "missing"))?;
    let stream = match f.string("stream")? {
        None | Some("downstream") => Stream::Downstream,
        Some("upstream") => Stream::Upstream,
        Some(other) => {
            return Err(f.err(
                "stream",
                format!("expected \"upstream\" or \"downstream\", got {other:?}"),
            ))
        }
    };
    let empty = Map::new();
    let attributes = match f.get("attributes") {
        None => &empty,
        Some(Value::Object(map)) => map,
        Some(other) => {
            return Err(f.err(
                "attributes",
                format!("expected an object, got {}", shown(other)),
            ))
        }
    };
    let names: &[&str] = match kind_name {
        "latency" => &["latency", "jitter"],
        "bandwidth" => &["rate"],
        "slow_close" => &["delay"],
        "timeout" | "reset_peer" => &["timeout"],
        "slicer" => &["average_size", "size_variation", "delay"],
        "limit_data" => &["bytes"],
        "down" => &[],
        other => {
            return Err(f.err(
                "type",
                format!("unknown toxic {other:?} (latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data, down)"),
            ))
        }
    };
    if let Some(key) = attributes.keys().find(|k| !names.contains(&k.as_str())) {
        return Err(f.err(
            &format!("attributes.{key}"),
            format!("unknown attribute of {kind_name} (expected {names:?})"),
        ));
    }
    let attr = |name: &str| -> Result<u64, ConfigError> {
        match attributes.get(name) {
            None | Some(Value::Null) => Ok(0),
            Some(v) => v.as_u64().ok_or_else(|| {
                f.err(
                    &format!("attributes.{name}"),
                    format!("expected a whole number >= 0, got {}", shown(v)),
                )
            }),
        }
    };
    let kind = match kind_name {
        "latency" => ToxicKind::Latency {
            latency: attr("latency")?,
            jitter: attr("jitter")?,
        },
        "bandwidth" => ToxicKind::Bandwidth {
            rate: attr("rate")?,
        },
        "slow_close" => ToxicKind::SlowClose {
            delay: attr("delay")?,
        },
        "timeout" => ToxicKind::Timeout {
            timeout: attr("timeout")?,
        },
        "reset_peer" => ToxicKind::ResetPeer {
            timeout: attr("timeout")?,
        },
        "slicer" => ToxicKind::Slicer {
            average_size: attr("average_size")?,
            size_variation: attr("size_variation")?,
            delay: attr("delay")?,
        },
        "limit_data" => ToxicKind::LimitData {
            bytes: attr("bytes")?,
        },
        _ => ToxicKind::Down,
    };
    if let ToxicKind::Slicer {
        average_size: 0, ..
    } = kind
    {
        return Err(f.err("attributes.average_size", "must be at least 1"));
    }
    let mut toxic = Toxic::new(format!("{kind_name}_{}", stream.as_str()), kind, stream);
    if let Some(t) = f.get("toxicity") {
        toxic.toxicity = t
            .as_f64()
            .filter(|t| (0.0..=1.0).contains(t))
            .ok_or_else(|| {
                f.err(
                    "toxicity",
                    format!("expected a number from 0 to 1, got {}", shown(t)),
                )
            })?;
    }
    toxic.source = Value::Object(f.map.clone());
    Ok(toxic)
}

/// A fault as `FAULT LIST` shows it: what was written, its name, and its
/// counters.
pub(crate) fn describe(fault: &FaultRef<'_>) -> Value {
    let (source, name, extra) = match fault {
        FaultRef::Rule(rule) => (
            &rule.source,
            &rule.name,
            [("matched", rule.matched()), ("applied", rule.applied())],
        ),
        FaultRef::Toxic(toxic) => (
            &toxic.source,
            &toxic.name,
            [("applied", toxic.applied()), ("id", toxic.id)],
        ),
    };
    let mut map = match source {
        Value::Object(map) => map.clone(),
        _ => {
            let mut map = Map::new();
            let what = match fault {
                FaultRef::Rule(rule) => rule.describe(),
                FaultRef::Toxic(toxic) => format!("{:?} {}", toxic.kind, toxic.stream.as_str()),
            };
            map.insert("description".into(), Value::String(what));
            map
        }
    };
    map.insert("name".into(), Value::String(name.clone()));
    for (key, n) in extra {
        if key != "id" {
            map.insert(key.into(), Value::from(n));
        }
    }
    Value::Object(map)
}

/// A borrowed rule or toxic.
pub(crate) enum FaultRef<'a> {
    Rule(&'a Rule),
    Toxic(&'a Toxic),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> String {
        parse_faults(text).unwrap_err().to_string()
    }

    #[test]
    fn apisix_conf_verbatim() {
        let faults = parse_faults(
            r#"{"faults": [{"commands": ["get", "ping"], "key": "blahblah", "delay": 5}]}"#,
        )
        .unwrap();
        let Fault::Rule(rule) = &faults[0] else {
            panic!()
        };
        assert_eq!(rule.commands, [b"GET".to_vec(), b"PING".to_vec()]);
        assert_eq!(rule.key.as_deref(), Some(&b"blahblah"[..]));
        assert_eq!(rule.delay, Duration::from_secs(5));
        assert_eq!(rule.direction, Direction::Request);
    }

    #[test]
    fn extensions_and_toxics() {
        let faults = parse_faults(
            r#"{"faults": [{"name": "try", "commands": ["set"], "error": "-TRYAGAIN later", "count": 3},
                           {"key_glob": "user:*", "push": ["invalidate", ["k"]], "probability": 0.5}],
                "toxics": [{"type": "latency", "attributes": {"latency": 100, "jitter": 10}},
                           {"name": "cut", "type": "limit_data", "stream": "upstream", "attributes": {"bytes": 10}}]}"#,
        )
        .unwrap();
        assert_eq!(faults.len(), 4);
        let Fault::Rule(r) = &faults[0] else { panic!() };
        assert_eq!(r.action, Action::Error(b"-TRYAGAIN later\r\n".to_vec()));
        assert_eq!((r.name.as_str(), r.count), ("try", Some(3)));
        let Fault::Rule(r) = &faults[1] else { panic!() };
        assert_eq!(
            r.push.as_deref(),
            Some(&b">2\r\n$10\r\ninvalidate\r\n*1\r\n$1\r\nk\r\n"[..])
        );
        let Fault::Toxic(t) = &faults[2] else {
            panic!()
        };
        assert_eq!(t.name, "latency_downstream");
        assert_eq!(
            t.kind,
            ToxicKind::Latency {
                latency: 100,
                jitter: 10
            }
        );
        let Fault::Toxic(t) = &faults[3] else {
            panic!()
        };
        assert_eq!((t.name.as_str(), t.stream), ("cut", Stream::Upstream));
    }

    #[test]
    fn mistakes_name_the_fault_and_field() {
        assert_eq!(
            err(r#"{"faults": [{"commands": ["get"], "delay": "5"}]}"#),
            r#"faults[0]: field "delay": expected a number of seconds (0 to 86400), got "5""#
        );
        assert_eq!(
            err(r#"{"faults": [{"delay": 1}, {"name": "x", "commands": []}]}"#),
            r#"faults[1] ("x"): field "commands": expected a non-empty array of command names, got []"#
        );
        assert_eq!(
            err(r#"{"faults": [{"error": "-ERR", "close_after": true}]}"#),
            r#"faults[0]: field "close_after": cannot be combined with "error" (one action per rule)"#
        );
        assert_eq!(
            err(r#"{"faults": [{"commands": ["get"]}]}"#),
            "faults[0]: no action: give a delay, error, drop_reply, close_before, close_after, truncate_reply or push"
        );
        assert_eq!(
            err(r#"{"toxics": [{"type": "latency", "attributes": {"latenyc": 1}}]}"#),
            r#"toxics[0]: field "attributes.latenyc": unknown attribute of latency (expected ["latency", "jitter"])"#
        );
        assert_eq!(
            err(r#"{"toxics": [{"type": "lag"}]}"#),
            r#"toxics[0]: field "type": unknown toxic "lag" (latency, bandwidth, slow_close, timeout, reset_peer, slicer, limit_data, down)"#
        );
        assert_eq!(
            err(r#"{"faults": [{"client": "nowhere", "delay": 1}]}"#),
            r#"faults[0]: field "client": "nowhere" is not an address, address:port or address/prefix"#
        );
        assert_eq!(
            err(r#"{"faults": [{"error": "ERR a\nb"}]}"#),
            r#"faults[0]: field "error": an error reply cannot contain CR or LF"#
        );
        assert_eq!(
            err(r#"{"fault": []}"#),
            r#"fault: field "fault": unknown field"#
        );
        assert_eq!(
            err(r#"{"faults": {}, "x": 1}"#),
            r#"config: field "x": unknown field (expected "faults" and "toxics")"#
        );
        assert!(err("{").starts_with("config: invalid JSON: EOF while parsing"));
        assert!(err("[1]").starts_with("faults[0]: expected an object, got 1"));
    }
}
