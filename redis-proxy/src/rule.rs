//! Command-level fault rules: which requests they select and what they do
//! to them.
//!
//! A rule is APISIX's fault (`commands`, `key`, `delay` in seconds) plus
//! this proxy's extensions; see [`crate::config`] for the JSON shape. A
//! rule's counters are shared by every connection, so `skip` and `count`
//! say "after the first N matching requests" and "only N times" proxy-wide.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use crate::rng::Rng;
use crate::select::{ClientMatch, Glob};

/// Which way a rule's `delay` holds traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    /// Hold the request before forwarding it (APISIX's behaviour): the
    /// command runs late, requests behind it wait too.
    #[default]
    Request,
    /// Forward the request at once and hold its reply: the command runs
    /// on time, the client hears of it late.
    Reply,
}

/// What a rule does besides its delay.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Action {
    /// Only the delay (and `push`, if any).
    #[default]
    None,
    /// Answer with this error (encoded, `-...\r\n`) instead of forwarding
    /// the command, which does not run.
    Error(Vec<u8>),
    /// Forward the command, discard its reply, and hold every later reply
    /// on the connection (so none is taken for it): the client times out.
    DropReply,
    /// Close the connection instead of forwarding the command.
    CloseBefore,
    /// Forward the command, wait for its reply, and close the connection
    /// instead of forwarding it: it ran, the client never hears.
    CloseAfter,
    /// Forward only the first bytes of the reply (`None`: half of it),
    /// then close the connection.
    TruncateReply(Option<u64>),
}

impl Action {
    /// The config field that sets this action.
    pub fn field(&self) -> &'static str {
        match self {
            Action::None => "delay",
            Action::Error(_) => "error",
            Action::DropReply => "drop_reply",
            Action::CloseBefore => "close_before",
            Action::CloseAfter => "close_after",
            Action::TruncateReply(_) => "truncate_reply",
        }
    }
}

/// A fault rule: selectors, firing limits and actions.
///
/// Built from the JSON config ([`crate::config::parse_faults`]) or with
/// [`Rule::new`] and the setters.
#[derive(Debug)]
pub struct Rule {
    pub(crate) name: String,
    /// Upper-case command names; empty selects every command.
    pub(crate) commands: Vec<Vec<u8>>,
    pub(crate) key: Option<Vec<u8>>,
    pub(crate) key_prefix: Option<Vec<u8>>,
    pub(crate) key_glob: Option<Glob>,
    pub(crate) db: Option<i64>,
    pub(crate) client: Option<ClientMatch>,
    pub(crate) probability: f64,
    pub(crate) skip: u64,
    pub(crate) count: Option<u64>,
    pub(crate) direction: Direction,
    pub(crate) delay: Duration,
    pub(crate) jitter: Duration,
    pub(crate) action: Action,
    /// An encoded RESP3 push frame sent before the reply.
    pub(crate) push: Option<Vec<u8>>,
    /// The rule as written (JSON), for `FAULT LIST`.
    pub(crate) source: serde_json::Value,
    matched: AtomicU64,
    applied: AtomicU64,
}

impl Rule {
    /// A rule named `name` that selects every command and does nothing
    /// until given an action.
    pub fn new(name: impl Into<String>) -> Rule {
        Rule {
            name: name.into(),
            commands: Vec::new(),
            key: None,
            key_prefix: None,
            key_glob: None,
            db: None,
            client: None,
            probability: 1.0,
            skip: 0,
            count: None,
            direction: Direction::Request,
            delay: Duration::ZERO,
            jitter: Duration::ZERO,
            action: Action::None,
            push: None,
            source: serde_json::Value::Null,
            matched: AtomicU64::new(0),
            applied: AtomicU64::new(0),
        }
    }

    /// Selects only these commands (any case).
    pub fn commands<I, S>(mut self, names: I) -> Rule
    where
        I: IntoIterator<Item = S>,
        S: AsRef<[u8]>,
    {
        self.commands = names
            .into_iter()
            .map(|n| n.as_ref().to_ascii_uppercase())
            .collect();
        self
    }

    /// Selects only requests with this key among their keys (found through
    /// the command table).
    pub fn key(mut self, key: impl AsRef<[u8]>) -> Rule {
        self.key = Some(key.as_ref().to_vec());
        self
    }

    /// Holds matching traffic for `delay`, in `direction`.
    pub fn delay(mut self, delay: Duration, direction: Direction) -> Rule {
        self.delay = delay;
        self.direction = direction;
        self
    }

    /// Sets the action.
    pub fn action(mut self, action: Action) -> Rule {
        self.action = action;
        self
    }

    /// The rule's name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Requests that matched the selectors so far.
    pub fn matched(&self) -> u64 {
        self.matched.load(Ordering::Relaxed)
    }

    /// Requests the rule was applied to so far.
    pub fn applied(&self) -> u64 {
        self.applied.load(Ordering::Relaxed)
    }

    /// Whether any selector needs the request's keys.
    pub(crate) fn needs_keys(&self) -> bool {
        self.key.is_some() || self.key_prefix.is_some() || self.key_glob.is_some()
    }

    /// Whether the selectors pick `request`.
    pub(crate) fn selects(&self, request: &RequestView<'_>) -> bool {
        if !self.commands.is_empty() && !self.commands.iter().any(|c| c == request.name) {
            return false;
        }
        if self.db.is_some_and(|db| db != request.db) {
            return false;
        }
        if self
            .client
            .is_some_and(|client| !client.matches(request.peer))
        {
            return false;
        }
        let keys = request.keys;
        if let Some(key) = &self.key {
            if !keys.iter().any(|k| k == key) {
                return false;
            }
        }
        if let Some(prefix) = &self.key_prefix {
            if !keys.iter().any(|k| k.starts_with(prefix)) {
                return false;
            }
        }
        if let Some(glob) = &self.key_glob {
            if !keys.iter().any(|k| glob.matches(k)) {
                return false;
            }
        }
        true
    }

    /// Counts a selected request and decides whether the rule fires on it
    /// (`skip`, `count`, `probability`).
    pub(crate) fn fires(&self, rng: &mut Rng) -> bool {
        let seen = self.matched.fetch_add(1, Ordering::Relaxed);
        if seen < self.skip {
            return false;
        }
        if self.probability < 1.0 && rng.unit() >= self.probability {
            return false;
        }
        match self.count {
            None => {
                self.applied.fetch_add(1, Ordering::Relaxed);
                true
            }
            Some(count) => self
                .applied
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |a| {
                    (a < count).then_some(a + 1)
                })
                .is_ok(),
        }
    }

    /// The delay for one request: `delay` plus or minus up to `jitter`.
    pub(crate) fn draw_delay(&self, rng: &mut Rng) -> Duration {
        if self.jitter.is_zero() {
            return self.delay;
        }
        let jitter = self.jitter.as_secs_f64();
        let offset = (rng.unit() * 2.0 - 1.0) * jitter;
        Duration::from_secs_f64((self.delay.as_secs_f64() + offset).max(0.0))
    }

    /// A short description of what the rule does, for log lines.
    pub(crate) fn describe(&self) -> String {
        let mut parts = Vec::new();
        if !self.delay.is_zero() || !self.jitter.is_zero() {
            let way = match self.direction {
                Direction::Request => "request",
                Direction::Reply => "reply",
            };
            parts.push(format!("delay {:?} ({way})", self.delay));
        }
        match &self.action {
            Action::None => {}
            Action::Error(bytes) => parts.push(format!(
                "error {}",
                String::from_utf8_lossy(bytes).trim_end()
            )),
            other => parts.push(other.field().to_string()),
        }
        if self.push.is_some() {
            parts.push("push".into());
        }
        if parts.is_empty() {
            "nothing".into()
        } else {
            parts.join(", ")
        }
    }
}

/// What the selectors look at in one request.
#[derive(Debug)]
pub(crate) struct RequestView<'a> {
    /// Upper-case command name.
    pub(crate) name: &'a [u8],
    /// The request's keys (command table); empty when no rule needs them.
    pub(crate) keys: &'a [&'a [u8]],
    pub(crate) db: i64,
    pub(crate) peer: SocketAddr,
}

/// What the rules that fired on one request do to it, merged.
///
/// Delays: the longest per direction. Actions: the first firing rule's.
/// Push frames: all, in rule order.
#[derive(Debug, Default)]
pub(crate) struct Decision {
    pub(crate) request_delay: Duration,
    pub(crate) reply_delay: Duration,
    pub(crate) action: Action,
    pub(crate) push: Vec<u8>,
}

impl Decision {
    pub(crate) fn add(&mut self, rule: &Rule, delay: Duration) {
        match rule.direction {
            Direction::Request => self.request_delay = self.request_delay.max(delay),
            Direction::Reply => self.reply_delay = self.reply_delay.max(delay),
        }
        if self.action == Action::None {
            self.action = rule.action.clone();
        }
        if let Some(push) = &rule.push {
            self.push.extend_from_slice(push);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view<'a>(name: &'a [u8], keys: &'a [&'a [u8]]) -> RequestView<'a> {
        RequestView {
            name,
            keys,
            db: 0,
            peer: "127.0.0.1:1000".parse().unwrap(),
        }
    }

    #[test]
    fn selectors() {
        let rule = Rule::new("r").commands(["get", "Ping"]).key("k");
        assert!(rule.selects(&view(b"GET", &[b"k"])));
        assert!(!rule.selects(&view(b"GET", &[b"other"])));
        assert!(!rule.selects(&view(b"SET", &[b"k"])));
        let mut rule = Rule::new("r");
        rule.key_prefix = Some(b"user:".to_vec());
        assert!(rule.selects(&view(b"MGET", &[b"a", b"user:1"])));
        assert!(!rule.selects(&view(b"PING", &[])));
        let mut rule = Rule::new("r");
        rule.db = Some(1);
        assert!(!rule.selects(&view(b"PING", &[])));
    }

    #[test]
    fn skip_and_count_are_proxy_wide() {
        let mut rule = Rule::new("r");
        rule.skip = 2;
        rule.count = Some(3);
        let mut rng = Rng::new(1);
        let fired: Vec<bool> = (0..8).map(|_| rule.fires(&mut rng)).collect();
        assert_eq!(fired, [false, false, true, true, true, false, false, false]);
        assert_eq!((rule.matched(), rule.applied()), (8, 3));
    }

    #[test]
    fn probability_fires_about_that_often() {
        let mut rule = Rule::new("r");
        rule.probability = 0.25;
        let mut rng = Rng::new(7);
        let fired = (0..10_000).filter(|_| rule.fires(&mut rng)).count();
        assert!((2_000..3_000).contains(&fired), "{fired}");
    }

    #[test]
    fn jitter_stays_within_bounds() {
        let mut rule = Rule::new("r");
        rule.delay = Duration::from_millis(100);
        rule.jitter = Duration::from_millis(20);
        let mut rng = Rng::new(3);
        for _ in 0..1000 {
            let d = rule.draw_delay(&mut rng);
            assert!(d >= Duration::from_millis(80) && d <= Duration::from_millis(120));
        }
    }
}
