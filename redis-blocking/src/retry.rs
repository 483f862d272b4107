//! When to try again, and after how long.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use resp_core::client::executed_by_error;

use crate::error::{Error, ErrorCode, ErrorKind, Executed, Retry};

/// How long to wait before reconnecting or retrying, by attempt number
/// (from 1). Like ioredis' `retryStrategy`.
#[derive(Clone)]
pub enum ReconnectStrategy {
    /// `base * 2^(attempt-1)`, capped at `max`, each delay shortened by a
    /// random part of up to `jitter` of itself, so that clients that lost
    /// the same server do not come back in step.
    Exponential {
        /// The first delay.
        base: Duration,
        /// The longest delay.
        max: Duration,
        /// The fraction, 0 to 1, of each delay that is random.
        jitter: f64,
    },
    /// The same delay every time.
    Constant(Duration),
    /// A function of the attempt number; `None` stops retrying.
    Custom(Arc<dyn Fn(u32) -> Option<Duration> + Send + Sync>),
}

impl Default for ReconnectStrategy {
    /// Exponential from 50 ms to 2 s, with 20% jitter.
    fn default() -> Self {
        ReconnectStrategy::Exponential {
            base: Duration::from_millis(50),
            max: Duration::from_secs(2),
            jitter: 0.2,
        }
    }
}

impl fmt::Debug for ReconnectStrategy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReconnectStrategy::Exponential { base, max, jitter } => f
                .debug_struct("Exponential")
                .field("base", base)
                .field("max", max)
                .field("jitter", jitter)
                .finish(),
            ReconnectStrategy::Constant(d) => f.debug_tuple("Constant").field(d).finish(),
            ReconnectStrategy::Custom(_) => f.write_str("Custom(..)"),
        }
    }
}

impl ReconnectStrategy {
    /// The delay before attempt `attempt` (1 is the first retry), or `None`
    /// to give up.
    pub fn delay(&self, attempt: u32) -> Option<Duration> {
        match self {
            ReconnectStrategy::Exponential { base, max, jitter } => {
                let factor = 2u32.saturating_pow(attempt.saturating_sub(1).min(20));
                let full = base.saturating_mul(factor).min(*max);
                let jitter = jitter.clamp(0.0, 1.0);
                Some(full.mul_f64(1.0 - jitter * random_fraction()))
            }
            ReconnectStrategy::Constant(d) => Some(*d),
            ReconnectStrategy::Custom(f) => f(attempt),
        }
    }
}

/// A number in [0, 1) that differs between calls and threads; good enough
/// for jitter, not for anything else.
pub(crate) fn random_fraction() -> f64 {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut hasher = RandomState::new().build_hasher();
    hasher.write_u64(COUNTER.fetch_add(1, Ordering::Relaxed));
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

/// A predicate that turns a server error into a reconnect, like ioredis'
/// `reconnectOnError`: the connection that got it is closed.
pub type ReconnectOnError = Arc<dyn Fn(&crate::ServerError) -> bool + Send + Sync>;

/// Whether a failed call may run again: only when the command surely did
/// not run and the cause may pass, or when it may have run but is
/// read-only and the user allowed retrying reads.
pub(crate) fn should_retry(error: &Error, read_only: &dyn Fn() -> bool, retry_reads: bool) -> bool {
    match error.retry() {
        // A server's refusal is worth another try only when its cause may
        // pass: a code the protocol lists as refused before running (a
        // cluster or replica between states, a dataset loading, a script
        // running), but not NOSCRIPT, which needs the script loaded. A
        // transaction discarded for a mistake in it (EXECABORT, CROSSSLOT,
        // a wrong argument count) did not run either, and fails the same
        // way every time.
        Retry::Safe if error.kind() == ErrorKind::Server => error.server_error().is_some_and(|e| {
            executed_by_error(e.line().as_bytes()) == Executed::No
                && *e.code() != ErrorCode::NoScript
        }),
        Retry::Safe => error.kind() != ErrorKind::InvalidCommand,
        Retry::MaybeExecuted => retry_reads && read_only(),
        // Redirects need a cluster client.
        _ => false,
    }
}

/// How [`Connection::transaction`](crate::Connection::transaction) and
/// [`Client::transaction`](crate::Client::transaction) retry when a watched
/// key changed: how many attempts, and the pause before each new one (with
/// full jitter by default, so that writers competing for the same keys do
/// not keep colliding in step).
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use redis_blocking::{ReconnectStrategy, TransactionPolicy};
///
/// let policy = TransactionPolicy::default()
///     .attempts(50)
///     .backoff(ReconnectStrategy::Constant(Duration::ZERO));
/// assert_eq!(policy.get_attempts(), 50);
/// ```
#[derive(Debug, Clone)]
pub struct TransactionPolicy {
    attempts: u32,
    backoff: ReconnectStrategy,
}

impl Default for TransactionPolicy {
    /// 16 attempts; pauses from up to 1 ms, doubling, up to 100 ms, each a
    /// random part of that.
    fn default() -> Self {
        TransactionPolicy {
            attempts: 16,
            backoff: ReconnectStrategy::Exponential {
                base: Duration::from_millis(1),
                max: Duration::from_millis(100),
                jitter: 1.0,
            },
        }
    }
}

impl TransactionPolicy {
    /// Sets how many times the body runs at most (at least once).
    pub fn attempts(mut self, attempts: u32) -> Self {
        self.attempts = attempts.max(1);
        self
    }

    /// Sets the pauses between attempts.
    pub fn backoff(mut self, backoff: ReconnectStrategy) -> Self {
        self.backoff = backoff;
        self
    }

    /// How many times the body runs at most.
    pub fn get_attempts(&self) -> u32 {
        self.attempts
    }

    /// The pause after attempt `attempt` conflicted.
    pub(crate) fn pause(&self, attempt: u32) -> Duration {
        self.backoff.delay(attempt).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponential_with_cap_and_jitter() {
        let s = ReconnectStrategy::Exponential {
            base: Duration::from_millis(100),
            max: Duration::from_secs(1),
            jitter: 0.5,
        };
        for attempt in 1..40 {
            let full = Duration::from_millis(100 * 2u64.pow(attempt.min(20) - 1))
                .min(Duration::from_secs(1));
            let d = s.delay(attempt).unwrap();
            assert!(d <= full && d >= full / 2, "attempt {attempt}: {d:?}");
        }
        let custom = ReconnectStrategy::Custom(Arc::new(|n| {
            (n < 3).then_some(Duration::from_millis(n as u64))
        }));
        assert_eq!(custom.delay(2), Some(Duration::from_millis(2)));
        assert_eq!(custom.delay(3), None);
    }
}
