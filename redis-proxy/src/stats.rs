//! Counters and latency histograms: per connection while it lives, summed
//! into the proxy's totals when it ends, and reported by `STATS`.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::time::Duration;

/// Distinct command names tracked per connection; others count as
/// `OTHER` (a client sending random names must not grow memory).
const MAX_NAMES: usize = 512;

/// Longest command name kept; longer ones are cut.
const NAME_LEN: usize = 31;

/// An upper-case command name, inline (no allocation per request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Name {
    len: u8,
    bytes: [u8; NAME_LEN],
}

impl Name {
    /// The upper-case form of `raw`, cut to 31 bytes.
    pub(crate) fn new(raw: &[u8]) -> Name {
        let mut bytes = [0; NAME_LEN];
        let len = raw.len().min(NAME_LEN);
        for (to, from) in bytes.iter_mut().zip(&raw[..len]) {
            *to = from.to_ascii_uppercase();
        }
        Name {
            len: len as u8,
            bytes,
        }
    }

    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    fn other() -> Name {
        Name::new(b"OTHER")
    }
}

/// A latency histogram in microseconds: exact below 32 µs, then 16
/// buckets per power of two (about 6% wide).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Histogram {
    buckets: Vec<u64>,
    count: u64,
    sum_us: u64,
    max_us: u64,
}

fn bucket(us: u64) -> usize {
    if us < 32 {
        return us as usize;
    }
    let e = 63 - us.leading_zeros() as usize; // >= 5
    32 + (e - 5) * 16 + ((us >> (e - 4)) & 15) as usize
}

/// The middle of bucket `i`, in microseconds.
fn bucket_value(i: usize) -> u64 {
    if i < 32 {
        return i as u64;
    }
    let e = (i - 32) / 16 + 5;
    let sub = ((i - 32) % 16) as u64;
    let low = (16 + sub) << (e - 4);
    low + (1u64 << (e - 4)) / 2
}

impl Histogram {
    /// Records one sample.
    pub fn record(&mut self, latency: Duration) {
        let us = u64::try_from(latency.as_micros()).unwrap_or(u64::MAX);
        let i = bucket(us);
        if self.buckets.len() <= i {
            self.buckets.resize(i + 1, 0);
        }
        self.buckets[i] += 1;
        self.count += 1;
        self.sum_us = self.sum_us.saturating_add(us);
        self.max_us = self.max_us.max(us);
    }

    /// Adds `other`'s samples.
    pub fn merge(&mut self, other: &Histogram) {
        if self.buckets.len() < other.buckets.len() {
            self.buckets.resize(other.buckets.len(), 0);
        }
        for (a, b) in self.buckets.iter_mut().zip(&other.buckets) {
            *a += b;
        }
        self.count += other.count;
        self.sum_us = self.sum_us.saturating_add(other.sum_us);
        self.max_us = self.max_us.max(other.max_us);
    }

    /// Samples recorded.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// The `q` quantile (0 to 1), to about 6%; zero without samples.
    pub fn quantile(&self, q: f64) -> Duration {
        if self.count == 0 {
            return Duration::ZERO;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.count as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, n) in self.buckets.iter().enumerate() {
            seen += n;
            if seen >= rank {
                return Duration::from_micros(bucket_value(i).min(self.max_us));
            }
        }
        Duration::from_micros(self.max_us)
    }

    /// The mean; zero without samples.
    pub fn mean(&self) -> Duration {
        match self.count {
            0 => Duration::ZERO,
            n => Duration::from_micros(self.sum_us / n),
        }
    }

    /// The largest sample.
    pub fn max(&self) -> Duration {
        Duration::from_micros(self.max_us)
    }
}

/// One command's count and latency (request seen to reply forwarded,
/// injected delays included).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandStats {
    /// Requests seen.
    pub calls: u64,
    /// Latency of the replies paired with them.
    pub latency: Histogram,
}

/// Counters of one connection (or, merged, of connections gone).
#[derive(Debug, Default)]
pub(crate) struct ConnStats {
    pub(crate) commands: u64,
    pub(crate) replies: u64,
    pub(crate) pushes: u64,
    /// Per command, in the order first seen; `index` finds them.
    per_command: Vec<(Name, CommandStats)>,
    index: HashMap<Name, usize>,
    /// The entry used last: pipelines repeat one command, and this skips
    /// the hashing.
    last: Option<(Name, usize)>,
    /// The last command name as sent (any case) and its entry: skips even
    /// upper-casing it.
    last_raw: (Vec<u8>, u32),
}

impl ConnStats {
    /// The index of `name`'s entry (or `OTHER`'s, past the cap).
    fn index_of(&mut self, name: Name) -> u32 {
        let i = match self.last {
            Some((last, i)) if last == name => i,
            _ => {
                let name = if self.per_command.len() >= MAX_NAMES && !self.index.contains_key(&name)
                {
                    Name::other()
                } else {
                    name
                };
                let i = match self.index.get(&name) {
                    Some(&i) => i,
                    None => {
                        self.per_command.push((name, CommandStats::default()));
                        self.index.insert(name, self.per_command.len() - 1);
                        self.per_command.len() - 1
                    }
                };
                self.last = Some((name, i));
                i
            }
        };
        i as u32
    }

    fn entry(&mut self, name: Name) -> &mut CommandStats {
        let i = self.index_of(name);
        &mut self.per_command[i as usize].1
    }

    /// Counts a request named `raw` (any case); returns its command's
    /// entry for [`Self::reply`].
    pub(crate) fn command_raw(&mut self, raw: &[u8]) -> u32 {
        if !self.last_raw.0.is_empty() && self.last_raw.0 == raw {
            let i = self.last_raw.1;
            self.commands += 1;
            self.per_command[i as usize].1.calls += 1;
            return i;
        }
        let i = self.command(Name::new(raw));
        if raw.len() <= NAME_LEN {
            self.last_raw.0.clear();
            self.last_raw.0.extend_from_slice(raw);
            self.last_raw.1 = i;
        }
        i
    }

    /// Counts a request; returns its command's entry for [`Self::reply`].
    pub(crate) fn command(&mut self, name: Name) -> u32 {
        self.commands += 1;
        let i = self.index_of(name);
        self.per_command[i as usize].1.calls += 1;
        i
    }

    /// Counts the reply to a command counted by [`Self::command`].
    pub(crate) fn reply(&mut self, entry: u32, latency: Duration) {
        self.replies += 1;
        if let Some((_, stats)) = self.per_command.get_mut(entry as usize) {
            stats.latency.record(latency);
        }
    }

    /// Adds `other` into `self`.
    pub(crate) fn merge(&mut self, other: &ConnStats) {
        self.commands += other.commands;
        self.replies += other.replies;
        self.pushes += other.pushes;
        for (name, stats) in &other.per_command {
            let entry = self.entry(*name);
            entry.calls += stats.calls;
            entry.latency.merge(&stats.latency);
        }
    }

    /// The count of commands named `name` (upper case).
    pub(crate) fn calls(&self, name: &[u8]) -> u64 {
        self.index
            .get(&Name::new(name))
            .map_or(0, |&i| self.per_command[i].1.calls)
    }

    pub(crate) fn add_to(&self, table: &mut BTreeMap<String, CommandStats>) {
        for (name, stats) in &self.per_command {
            let key = String::from_utf8_lossy(name.as_bytes()).to_ascii_lowercase();
            let entry = table.entry(key).or_default();
            entry.calls += stats.calls;
            entry.latency.merge(&stats.latency);
        }
    }
}

/// One fault's counters in a [`Stats`] report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FaultStats {
    /// The fault's name.
    pub name: String,
    /// `rule`, or the toxic's type.
    pub kind: String,
    /// Rules: requests that matched the selectors. Toxics: 0.
    pub matched: u64,
    /// Rules: requests the rule was applied to. Toxics: connections it
    /// became active on.
    pub applied: u64,
}

/// A snapshot of the proxy's counters, as `STATS` reports them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    /// Connections accepted, refused ones included.
    pub connections_accepted: u64,
    /// Connections closed at once (refused or `down`).
    pub connections_refused: u64,
    /// Connections closed because the upstream could not be reached.
    pub upstream_failures: u64,
    /// Connections open now.
    pub connections_open: u64,
    /// Requests decoded.
    pub commands: u64,
    /// Replies paired with their command.
    pub replies: u64,
    /// RESP3 push frames passed through.
    pub pushes: u64,
    /// Per command name (lower case).
    pub per_command: BTreeMap<String, CommandStats>,
    /// Per fault, in the order of the fault list.
    pub faults: Vec<FaultStats>,
}

impl Stats {
    /// The report in the layout of Redis's `INFO` (`# Section`, then
    /// `field:value` lines), as the admin listener's `STATS` returns it.
    pub fn to_info(&self) -> String {
        let mut out = String::new();
        let _ = write!(
            out,
            "# Proxy\r\nconnections_accepted:{}\r\nconnections_refused:{}\r\nupstream_failures:{}\r\nconnections_open:{}\r\ncommands:{}\r\nreplies:{}\r\npushes:{}\r\n",
            self.connections_accepted,
            self.connections_refused,
            self.upstream_failures,
            self.connections_open,
            self.commands,
            self.replies,
            self.pushes
        );
        out.push_str("\r\n# Commands\r\n");
        for (name, stats) in &self.per_command {
            let h = &stats.latency;
            let _ = write!(
                out,
                "cmdstat_{name}:calls={},replies={},usec_p50={},usec_p99={},usec_max={},usec_mean={}\r\n",
                stats.calls,
                h.count(),
                h.quantile(0.5).as_micros(),
                h.quantile(0.99).as_micros(),
                h.max().as_micros(),
                h.mean().as_micros()
            );
        }
        out.push_str("\r\n# Faults\r\n");
        for fault in &self.faults {
            let _ = write!(
                out,
                "fault_{}:kind={},matched={},applied={}\r\n",
                fault.name, fault.kind, fault.matched, fault.applied
            );
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_monotonic_and_close() {
        let mut last = 0;
        for us in [0u64, 1, 31, 32, 33, 100, 1_000, 12_345, 1_000_000, 1 << 40] {
            let i = bucket(us);
            assert!(i >= last);
            last = i;
            let v = bucket_value(i);
            let err = (v as f64 - us as f64).abs() / (us.max(1) as f64);
            assert!(err <= 0.07, "{us} -> {v}");
        }
    }

    #[test]
    fn quantiles() {
        let mut h = Histogram::default();
        for ms in 1..=100 {
            h.record(Duration::from_millis(ms));
        }
        let p50 = h.quantile(0.5).as_millis();
        assert!((47..=53).contains(&p50), "{p50}");
        assert_eq!(h.max(), Duration::from_millis(100));
        assert_eq!(h.count(), 100);
    }

    #[test]
    fn names_are_capped() {
        let mut s = ConnStats::default();
        for i in 0..2 * MAX_NAMES {
            s.command(Name::new(format!("X{i}").as_bytes()));
        }
        assert_eq!(s.per_command.len(), MAX_NAMES + 1);
        assert_eq!(s.calls(b"X1"), 1);
        assert_eq!(s.calls(b"OTHER"), MAX_NAMES as u64);
        assert_eq!(s.commands, 2 * MAX_NAMES as u64);
    }
}
