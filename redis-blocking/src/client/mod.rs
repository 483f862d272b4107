//! A thread-safe client: a pool of connections, reconnects with backoff,
//! and retries only where they are safe.

mod cache;
mod events;
mod pool;
mod retry;

use std::sync::Arc;
use std::time::{Duration, Instant};

pub use cache::CacheOptions;
pub(crate) use events::emit;
pub use events::{Event, EventHandler};
pub use pool::Pooled;
pub use retry::{ReconnectOnError, ReconnectStrategy};

use self::pool::{Pool, PoolOptions};
use crate::commands::Runner;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::semantics::{blocks, Blocks};
use crate::types::{FromReply, Value};
use crate::{Cmd, Pipeline};

/// A Redis client for any number of threads: `Send + Sync`, cheap to
/// clone (clones share one pool), and able to outlive the server going away
/// and coming back.
///
/// Every call checks a connection out of the pool, runs, and returns it.
/// Failures are handled by [`Error::retry`](crate::Error::retry):
/// a call that surely did not run (no connection, a dead pooled connection
/// found before writing, `LOADING`, `READONLY`, ...) is retried after a
/// [`ReconnectStrategy`] delay, up to a bound; a call that may have run is
/// never retried, unless it is read-only and
/// [`retry_reads`](ClientBuilder::retry_reads) is on. One deadline covers
/// checkout, connecting, the handshake, retries and the reply.
///
/// # Example
///
/// ```no_run
/// use redis_blocking::prelude::*;
/// use redis_blocking::Client;
///
/// let client = Client::open("redis://127.0.0.1/")?;
/// let handles: Vec<_> = (0..4)
///     .map(|i| {
///         let mut client = client.clone();
///         std::thread::spawn(move || client.incr::<_, i64>(format!("counter:{i}")))
///     })
///     .collect();
/// for handle in handles {
///     handle.join().unwrap()?;
/// }
/// # Ok::<(), redis_blocking::Error>(())
/// ```
#[derive(Clone)]
pub struct Client {
    pool: Arc<Pool>,
    policy: Arc<Policy>,
    cache: Option<Arc<cache::Cache>>,
}

/// What governs retries.
struct Policy {
    strategy: ReconnectStrategy,
    max_attempts: u32,
    retry_reads: bool,
    reconnect_on_error: Option<ReconnectOnError>,
    timeout: Option<Duration>,
    key_prefix: Option<Vec<u8>>,
}

/// Builds a [`Client`].
///
/// Defaults: 16 connections at most, none kept open when idle, checkout
/// waits up to 5 s, idle connections closed after 5 minutes, no maximum
/// lifetime, exponential backoff from 50 ms to 2 s with 20% jitter, 5
/// retries, read retries off, no call timeout beyond the connection's.
pub struct ClientBuilder {
    config: Config,
    pool: PoolOptions,
    strategy: ReconnectStrategy,
    max_attempts: u32,
    retry_reads: bool,
    reconnect_on_error: Option<ReconnectOnError>,
    events: Option<EventHandler>,
    timeout: Option<Duration>,
    key_prefix: Option<Vec<u8>>,
    cache: Option<CacheOptions>,
}

impl ClientBuilder {
    /// Puts `prefix` before every key argument of every command this
    /// client runs (its calls, typed commands, pipelines and scripts; not
    /// the raw connections lent by [`Client::connection`]), found by the
    /// command table's key specifications: `EVAL`/`FCALL` keys, `MGET`,
    /// `ZUNIONSTORE` destination and sources, and so on. As in ioredis,
    /// patterns (`KEYS`, `SCAN MATCH`) are not prefixed, and keys in replies
    /// keep their prefix.
    pub fn key_prefix(mut self, prefix: impl Into<Vec<u8>>) -> Self {
        self.key_prefix = Some(prefix.into());
        self
    }

    /// Turns on client-side caching (RESP3 `CLIENT TRACKING`, Redis 6 and
    /// later): replies of single-key reads (`GET`, `HGETALL`, `LRANGE`,
    /// ...) are kept locally, within `options`' bounds, and dropped when the
    /// server says the key changed. A dedicated connection receives the
    /// invalidations; when it is lost the whole cache is flushed and reads
    /// go to the server until it is back. A write made by another client is
    /// seen as soon as its invalidation arrives (a round trip at most).
    pub fn client_side_cache(mut self, options: CacheOptions) -> Self {
        self.cache = Some(options);
        self
    }

    /// Sets the most connections open at once.
    pub fn max_size(mut self, n: usize) -> Self {
        self.pool.max_size = n.max(1);
        self
    }

    /// Sets how many idle connections to keep open ahead of need.
    pub fn min_idle(mut self, n: usize) -> Self {
        self.pool.min_idle = n;
        self
    }

    /// Sets how long a checkout waits for a busy pool.
    pub fn checkout_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.pool.checkout_timeout = timeout;
        self
    }

    /// Sets how long a connection may stay idle before it is closed.
    pub fn idle_timeout(mut self, timeout: Option<Duration>) -> Self {
        self.pool.idle_timeout = timeout;
        self
    }

    /// Sets how long a connection may live before it is closed on return.
    pub fn max_lifetime(mut self, lifetime: Option<Duration>) -> Self {
        self.pool.max_lifetime = lifetime;
        self
    }

    /// Sets the delays between attempts.
    pub fn reconnect_strategy(mut self, strategy: ReconnectStrategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// Sets how many times a call is retried at most (0: never).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_attempts = n;
        self
    }

    /// Allows retrying read-only commands (by the command table) even when
    /// they may have run, for example after a timeout.
    pub fn retry_reads(mut self, on: bool) -> Self {
        self.retry_reads = on;
        self
    }

    /// Closes the connection, and retries the command when that is safe,
    /// on server errors the predicate accepts (like ioredis'
    /// `reconnectOnError`; typically `READONLY` after a failover).
    pub fn reconnect_on_error(
        mut self,
        predicate: impl Fn(&crate::ServerError) -> bool + Send + Sync + 'static,
    ) -> Self {
        self.reconnect_on_error = Some(Arc::new(predicate));
        self
    }

    /// Receives connection events (besides the `log` records).
    pub fn on_event(mut self, handler: impl Fn(&Event) + Send + Sync + 'static) -> Self {
        self.events = Some(Arc::new(handler));
        self
    }

    /// Sets one deadline for whole calls: checkout, connecting, retries
    /// and the reply.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Builds the client. It does not connect until used (or until
    /// `min_idle` connections are opened in the background).
    pub fn build(self) -> Client {
        let cache = self.cache.map(|options| {
            cache::Cache::start(
                &self.config,
                options,
                self.strategy.clone(),
                self.events.clone(),
            )
        });
        Client {
            cache,
            pool: Pool::new(self.config, self.pool, self.events),
            policy: Arc::new(Policy {
                strategy: self.strategy,
                max_attempts: self.max_attempts,
                retry_reads: self.retry_reads,
                reconnect_on_error: self.reconnect_on_error,
                timeout: self.timeout,
                key_prefix: self.key_prefix,
            }),
        }
    }
}

impl Client {
    /// A client for a URL with default settings.
    ///
    /// # Errors
    ///
    /// An invalid URL.
    pub fn open(url: &str) -> Result<Client> {
        Ok(Client::builder(Config::from_url(url)?).build())
    }

    /// A builder for a client of `config`.
    pub fn builder(config: Config) -> ClientBuilder {
        ClientBuilder {
            config,
            pool: PoolOptions {
                max_size: 16,
                min_idle: 0,
                checkout_timeout: Some(Duration::from_secs(5)),
                idle_timeout: Some(Duration::from_secs(300)),
                max_lifetime: None,
            },
            strategy: ReconnectStrategy::default(),
            max_attempts: 5,
            retry_reads: false,
            reconnect_on_error: None,
            events: None,
            timeout: None,
            key_prefix: None,
            cache: None,
        }
    }

    /// The connection settings.
    pub fn config(&self) -> &Config {
        &self.pool.config
    }

    /// Connections idle in the pool now.
    pub fn idle_connections(&self) -> usize {
        self.pool.idle()
    }

    /// Connections open now, idle or lent out.
    pub fn open_connections(&self) -> usize {
        self.pool.open()
    }

    /// Lends a connection for several calls (a transaction, a pipeline
    /// built step by step); it returns to the pool when dropped. Opening
    /// is retried like a call.
    ///
    /// # Errors
    ///
    /// Why no connection could be had: the connect or handshake failure
    /// itself, or [`ErrorKind::PoolTimeout`](crate::ErrorKind::PoolTimeout).
    pub fn connection(&self) -> Result<Pooled> {
        let deadline = self.policy.timeout.map(|t| Instant::now() + t);
        let mut attempt = 0u32;
        loop {
            match self.pool.checkout(deadline) {
                Ok(conn) => return Ok(conn),
                Err(error) => self.pause_before_retry(&mut attempt, error, &|| false, deadline)?,
            }
        }
    }

    /// Opens a [`Subscriber`](crate::Subscriber) on its own connection,
    /// which reconnects with this client's strategy and reports to its
    /// event handler.
    ///
    /// # Errors
    ///
    /// The first connection failing.
    pub fn subscriber(&self) -> Result<crate::Subscriber> {
        crate::Subscriber::with_strategy(
            self.pool.config.clone(),
            self.policy.strategy.clone(),
            self.pool.events.clone(),
        )
    }

    /// Opens a [`Monitor`](crate::Monitor) on a dedicated connection that
    /// never joins the pool.
    ///
    /// # Errors
    ///
    /// Connecting failing, or the server refusing `MONITOR`.
    pub fn monitor(&self) -> Result<crate::Monitor> {
        crate::Monitor::open(&self.pool.config)
    }

    /// Runs one command, retrying where safe.
    ///
    /// # Errors
    ///
    /// As [`Connection::query`](crate::Connection::query), after retries;
    /// the error of the last attempt.
    pub fn query<T: FromReply>(&self, cmd: &Cmd<'_>) -> Result<T> {
        let prefixed;
        let cmd = match &self.policy.key_prefix {
            Some(prefix) => {
                prefixed = cmd.with_key_prefix(prefix);
                &prefixed
            }
            None => cmd,
        };
        let deadline = cmd
            .get_timeout()
            .or(self.policy.timeout)
            .map(|t| Instant::now() + t);
        // Looked up only when a failed call might be retried as a read.
        let read_only = || {
            let args: Vec<&[u8]> = cmd.args().collect();
            crate::commands::info::is_read_only(&args)
        };
        if let Some(cache) = &self.cache {
            match cache.lookup(cmd) {
                Ok(value) => return T::from_reply(value),
                Err(Some(ticket)) => {
                    let value =
                        self.with_retries(deadline, &read_only, Blocks::No, |conn, deadline| {
                            if let Some((target, generation)) = cache.redirect() {
                                conn.ensure_tracking(target, generation, deadline)?;
                            }
                            conn.query_until::<Value>(cmd, deadline)
                        });
                    cache.finish(ticket, value.as_ref().ok());
                    return T::from_reply(value?);
                }
                Err(None) => {}
            }
        }
        self.with_retries(deadline, &read_only, blocks(cmd), |conn, deadline| {
            conn.query_until(cmd, deadline)
        })
    }

    /// Replies served from the client-side cache so far (0 without one).
    pub fn cache_hits(&self) -> u64 {
        self.cache.as_ref().map_or(0, |c| c.hits())
    }

    /// Replies in the client-side cache now.
    pub fn cached_entries(&self) -> usize {
        self.cache.as_ref().map_or(0, |c| c.len())
    }

    /// Runs a pipeline, retrying only when none of it can have run.
    ///
    /// # Errors
    ///
    /// As [`Connection::query_pipeline`](crate::Connection::query_pipeline).
    pub fn query_pipeline<T: FromReply>(&self, pipe: &Pipeline<'_>) -> Result<T> {
        let prefixed;
        let pipe = match &self.policy.key_prefix {
            Some(prefix) => {
                prefixed = pipe.with_key_prefix(prefix);
                &prefixed
            }
            None => pipe,
        };
        let deadline = pipe
            .get_timeout()
            .or(self.policy.timeout)
            .map(|t| Instant::now() + t);
        self.with_retries(deadline, &|| false, pipe.blocking(), |conn, deadline| {
            conn.query_pipeline_until(pipe, deadline)
        })
    }

    /// Checks out a connection and runs `call`, with retries.
    fn with_retries<T>(
        &self,
        deadline: Option<Instant>,
        read_only: &dyn Fn() -> bool,
        blocking: Blocks,
        mut call: impl FnMut(&mut Pooled, Option<Instant>) -> Result<T>,
    ) -> Result<T> {
        let mut attempt = 0u32;
        loop {
            let result = self.pool.checkout(deadline).and_then(|mut conn| {
                // The connection's own timeout still bounds the reply.
                let own = conn.deadline(None, blocking);
                let call_deadline = match (deadline, own) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                let result = call(&mut conn, call_deadline);
                if let Err(e) = &result {
                    self.maybe_reconnect(&mut conn, e);
                }
                result
            });
            match result {
                Ok(value) => return Ok(value),
                Err(error) => self.pause_before_retry(&mut attempt, error, read_only, deadline)?,
            }
        }
    }

    /// Closes a connection whose server error the user's predicate turns
    /// into a reconnect.
    fn maybe_reconnect(&self, conn: &mut Pooled, error: &Error) {
        if let (Some(predicate), Some(server)) =
            (&self.policy.reconnect_on_error, error.server_error())
        {
            if predicate(server) {
                conn.close_for(format!("reconnect on error: {server}"));
            }
        }
    }

    /// Returns `error` if the call must not or cannot be tried again;
    /// otherwise waits the strategy's delay.
    fn pause_before_retry(
        &self,
        attempt: &mut u32,
        error: Error,
        read_only: &dyn Fn() -> bool,
        deadline: Option<Instant>,
    ) -> Result<()> {
        *attempt += 1;
        if *attempt > self.policy.max_attempts
            || !retry::should_retry(&error, read_only, self.policy.retry_reads)
        {
            return Err(error);
        }
        let Some(delay) = self.policy.strategy.delay(*attempt) else {
            return Err(error);
        };
        if deadline.is_some_and(|d| Instant::now() + delay >= d) {
            return Err(error);
        }
        events::emit(
            &self.pool.events,
            Event::Reconnecting {
                attempt: *attempt,
                delay,
            },
        );
        std::thread::sleep(delay);
        Ok(())
    }
}

impl Runner for Client {
    fn run_cmd<T: FromReply>(&mut self, cmd: &Cmd<'_>) -> Result<T> {
        self.query(cmd)
    }
}

impl Runner for Pooled {
    fn run_cmd<T: FromReply>(&mut self, cmd: &Cmd<'_>) -> Result<T> {
        self.query(cmd)
    }
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.pool.config)
            .field("options", &self.pool.options)
            .finish()
    }
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("config", &self.config)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn client_is_send_sync() {
        fn check<T: Send + Sync + Clone>() {}
        check::<super::Client>();
    }
}
