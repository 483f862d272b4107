//! A thread-safe client: a pool of connections, reconnects with backoff,
//! and retries only where they are safe.

pub(crate) mod cache;
pub(crate) mod pool;
pub(crate) mod router;
pub(crate) mod run;
pub(crate) mod sentinel;

use std::sync::Arc;
use std::time::{Duration, Instant};

use resp_core::command::{blocks, needs_own_connection, Blocks};

pub use cache::CacheOptions;
pub use pool::Pooled;
pub use sentinel::{AddrRemap, ReplicaSelect, SentinelConfig, DEFAULT_SENTINEL_PORT};

pub(crate) use self::pool::{Pool, PoolOptions};
use self::router::{Route, Router, Standalone};
use self::run::{Batch, Call};
use crate::commands::Runner;
use crate::config::Config;
use crate::connection::{deadline_after, Connection};
use crate::connector::{Backoff, Connector};
use crate::error::{Error, ErrorKind, Executed, Result};
use crate::events::EventHandler;
use crate::retry::{ReconnectOnError, ReconnectStrategy, TransactionPolicy};
use crate::types::{FromReply, ToArgs, Value};
use crate::{Cmd, Pipeline};

/// A Redis client for any number of threads: `Send + Sync`, cheap to
/// clone (clones share one pool), and able to outlive the server going away
/// and coming back.
///
/// Every call checks a connection out of the pool, runs, and returns it.
/// Failures are handled by [`Error::retry`](crate::Error::retry):
/// a call that surely did not run (no connection, a connection the server
/// dropped while it was idle, `LOADING`, `READONLY`, ...) is retried after
/// a [`ReconnectStrategy`] delay, up to a bound; a call that may have run
/// is never retried, unless it is read-only and
/// [`retry_reads`](ClientBuilder::retry_reads) is on. One deadline covers
/// checkout, connecting, the handshake, retries and the reply; blocking
/// commands (`BLPOP k 5`) extend it by their own timeout.
///
/// A pipeline that failed part way is never sent again whole: when the
/// commands at its end surely did not run (never written, or refused with
/// `LOADING`/`READONLY`...) and every command before them got its reply,
/// only those are sent again; otherwise each command keeps its own outcome
/// ([`pipeline_results`](Client::pipeline_results)).
///
/// Commands that change the state of the connection they run on (`WATCH`,
/// `MULTI`, `EXEC`, `SELECT`, `CLIENT SETNAME`, ...) are refused as single
/// calls, since the next call may get another connection and the pool undoes
/// them: use [`transaction`](Client::transaction), the configuration, or a
/// connection of one's own from [`connection`](Client::connection).
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
///         let client = client.clone();
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
    pub(crate) router: Arc<dyn Router>,
    pub(crate) policy: Arc<Policy>,
    pub(crate) cache: Option<Arc<cache::Cache>>,
}

/// What governs retries.
pub(crate) struct Policy {
    pub max_attempts: u32,
    pub retry_reads: bool,
    pub reconnect_on_error: Option<ReconnectOnError>,
    pub timeout: Option<Duration>,
    pub key_prefix: Option<Vec<u8>>,
    pub transactions: TransactionPolicy,
}

/// Builds a [`Client`].
///
/// Defaults: 16 connections at most, none kept open when idle, checkout
/// waits up to 5 s, idle connections closed after 5 minutes, no maximum
/// lifetime, exponential backoff from 50 ms to 2 s with 20% jitter, 5
/// retries, read retries off, no call timeout beyond the connection's,
/// transactions tried 16 times with short random pauses.
pub struct ClientBuilder {
    config: Config,
    sentinel: Option<SentinelConfig>,
    pool: PoolOptions,
    strategy: ReconnectStrategy,
    max_attempts: u32,
    retry_reads: bool,
    reconnect_on_error: Option<ReconnectOnError>,
    events: Option<EventHandler>,
    timeout: Option<Duration>,
    key_prefix: Option<Vec<u8>>,
    cache: Option<CacheOptions>,
    transactions: TransactionPolicy,
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
    pub fn on_event(mut self, handler: impl Fn(&crate::Event) + Send + Sync + 'static) -> Self {
        self.events = Some(Arc::new(handler));
        self
    }

    /// Sets one deadline for whole calls: checkout, connecting, retries
    /// and the reply. Blocking commands add their own timeout to it.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets how [`Client::transaction`] retries when watched keys change.
    pub fn transaction_policy(mut self, policy: TransactionPolicy) -> Self {
        self.transactions = policy;
        self
    }

    /// Builds the client. It does not connect until used (or until
    /// `min_idle` connections are opened in the background).
    pub fn build(self) -> Client {
        let (router, connector): (Arc<dyn Router>, Arc<Connector>) = match self.sentinel {
            None => {
                let connector = Arc::new(Connector::new(self.config, self.strategy, self.events));
                let pool = Pool::new(Arc::clone(&connector), self.pool);
                (Arc::new(Standalone::new(pool)), connector)
            }
            Some(sentinel) => {
                let (router, connector) = sentinel::SentinelRouter::start(
                    sentinel,
                    self.config,
                    self.strategy,
                    self.events,
                    self.pool,
                );
                (Arc::new(router), connector)
            }
        };
        let cache = self
            .cache
            .map(|options| cache::Cache::start(connector, options));
        Client {
            cache,
            router,
            policy: Arc::new(Policy {
                max_attempts: self.max_attempts,
                retry_reads: self.retry_reads,
                reconnect_on_error: self.reconnect_on_error,
                timeout: self.timeout,
                key_prefix: self.key_prefix,
                transactions: self.transactions,
            }),
        }
    }
}

impl Client {
    /// A client for a URL with default settings: one server
    /// (`redis://`, `rediss://`, `unix://`), or a master found through
    /// Redis Sentinel (`redis+sentinel://`, `rediss+sentinel://`); see
    /// [`crate::url`].
    ///
    /// # Errors
    ///
    /// An invalid URL.
    pub fn open(url: &str) -> Result<Client> {
        if url.starts_with("redis+sentinel:") || url.starts_with("rediss+sentinel:") {
            return Ok(Client::sentinel(SentinelConfig::from_url(url)?)?.build());
        }
        Ok(Client::builder(Config::from_url(url)?).build())
    }

    /// A builder for a client of the master that the sentinels of `config`
    /// name, following it through failovers by the Sentinel client
    /// specification. It is the same `Client`: typed commands, pipelines,
    /// transactions, scripts, [`subscriber`](Client::subscriber),
    /// [`monitor`](Client::monitor) and client-side caching work
    /// unchanged.
    ///
    /// Every new connection asks the sentinels where the master is (the
    /// one that answered last first; each gets the sentinel timeout; one
    /// that is down or does not know the master is passed over) and checks
    /// with `ROLE` that the server is a master; a server in another role is
    /// passed over, and the sentinels asked again a little later, within
    /// the call's deadline. A background thread watches one sentinel for
    /// `+switch-master`, pings it, and asks the sentinels again every
    /// [re-check interval](SentinelConfig::recheck_interval) and after
    /// connection errors. When the master moves, every connection to the
    /// old one is shut down at once (pooled, lent, still in its handshake,
    /// the subscriber's, the monitor's, the cache tracker's, a blocking
    /// call's such as `BLPOP k 0`), so that no caller waits on it and no
    /// write completes there unnoticed: a call cut short says it may have
    /// run, and a lent connection never goes back to the pool. The
    /// subscriber resubscribes on the new master.
    /// A command refused with `READONLY` (the master was demoted) did not
    /// run: every connection is retired, the master resolved again, and the
    /// command retried like any that surely did not run.
    ///
    /// Calls that find no master wait out a failover within their deadline
    /// and retry bound (see [`timeout`](ClientBuilder::timeout) and
    /// [`max_retries`](ClientBuilder::max_retries)), and go on as soon as
    /// the new master is known. Failures name the cause:
    /// [`NoSentinelReachable`](crate::ErrorKind::NoSentinelReachable) (with
    /// each sentinel's, [`Error::sentinel_error`]),
    /// [`UnknownMaster`](crate::ErrorKind::UnknownMaster),
    /// [`MasterNotConfirmed`](crate::ErrorKind::MasterNotConfirmed).
    ///
    /// Replication is asynchronous: a write the old master acknowledged
    /// may be missing on the new one after a failover. Only writes
    /// confirmed with `WAIT` (on the same connection: in a pipeline or a
    /// transaction) survive a failover by design.
    ///
    /// # Errors
    ///
    /// [`InvalidConfig`](crate::ErrorKind::InvalidConfig) for an empty
    /// master name or no sentinel.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use redis_blocking::prelude::*;
    /// use redis_blocking::{Addr, SentinelConfig};
    ///
    /// let sentinels = ["10.0.0.1:26379", "10.0.0.2:26379", "10.0.0.3:26379"]
    ///     .map(|s| Addr::parse(s).unwrap());
    /// let client = Client::sentinel(
    ///     SentinelConfig::new("mymaster", sentinels).data(|node| node.password("s3cret")),
    /// )?
    /// .timeout(Some(Duration::from_secs(5)))
    /// .max_retries(100)
    /// .build();
    /// let visits: i64 = client.incr("visits")?;
    /// # Ok::<(), redis_blocking::Error>(())
    /// ```
    pub fn sentinel(config: SentinelConfig) -> Result<ClientBuilder> {
        config.validate()?;
        let data = config.data.clone();
        let mut builder = Client::builder(data);
        builder.sentinel = Some(config);
        Ok(builder)
    }

    /// For a Sentinel client, the master it uses now (`None` until the
    /// sentinels were first asked); `None` for a client of one server.
    pub fn current_master(&self) -> Option<crate::Addr> {
        self.router.current_master()
    }

    /// A builder for a client of `config`.
    pub fn builder(config: Config) -> ClientBuilder {
        ClientBuilder {
            config,
            sentinel: None,
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
            transactions: TransactionPolicy::default(),
        }
    }

    /// The connection settings (for a Sentinel client, those of the data
    /// nodes; its address is a placeholder: see
    /// [`current_master`](Client::current_master)).
    pub fn config(&self) -> &Config {
        self.router.connector().config()
    }

    /// Connections idle in the pool now.
    pub fn idle_connections(&self) -> usize {
        self.router.pools().iter().map(|p| p.idle()).sum()
    }

    /// Connections open now, idle or lent out.
    pub fn open_connections(&self) -> usize {
        self.router.pools().iter().map(|p| p.open()).sum()
    }

    /// The deadline of a call starting now with its own timeout `own` (the
    /// client's otherwise) that may block on the server for `blocking`.
    fn call_deadline(&self, own: Option<Duration>, blocking: Blocks) -> Option<Instant> {
        deadline_after(own.or(self.policy.timeout), blocking)
    }

    /// Lends a connection for several calls (a transaction, a pipeline
    /// built step by step, session commands such as `SELECT`); it returns
    /// to the pool when dropped, with its session state and settings
    /// (timeout, push handler) undone. Opening is retried like a call; an
    /// idle connection the server closed meanwhile is replaced, not lent.
    ///
    /// # Errors
    ///
    /// Why no connection could be had: the connect or handshake failure
    /// itself, or [`ErrorKind::PoolTimeout`](crate::ErrorKind::PoolTimeout).
    pub fn connection(&self) -> Result<Pooled> {
        let deadline = self.call_deadline(None, Blocks::No);
        let connector = self.router.connector();
        let mut backoff = Backoff::new(connector, self.policy.max_attempts, deadline);
        let mut stale = 0usize;
        loop {
            let epoch = connector.epoch();
            let checked_out = self.router.pool(Route::Batch, deadline).and_then(|pool| {
                let max_size = pool.options.max_size;
                pool.checkout(deadline).map(|conn| (conn, max_size))
            });
            match checked_out {
                Ok((mut conn, max_size)) => {
                    // The server dropped it while it was idle (its
                    // `timeout`, `CLIENT KILL`): closed on return, another
                    // one at once, as a call would do.
                    if stale <= max_size && conn.found_closed_while_idle() {
                        stale += 1;
                        continue;
                    }
                    return Ok(conn);
                }
                Err(error) if crate::retry::should_retry(&error, &|| false, false) => {
                    backoff.pause(error, epoch)?
                }
                Err(error) => return Err(error),
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
        crate::Subscriber::with_connector(Arc::clone(self.router.connector()))
    }

    /// Opens a [`Monitor`](crate::Monitor) on a dedicated connection that
    /// never joins the pool.
    ///
    /// # Errors
    ///
    /// Connecting failing, or the server refusing `MONITOR`.
    pub fn monitor(&self) -> Result<crate::Monitor> {
        crate::Monitor::with_connector(self.router.connector())
    }

    /// Runs one command, retrying where safe.
    ///
    /// # Errors
    ///
    /// As [`Connection::query`](crate::Connection::query), after retries;
    /// the error of the last attempt. [`ErrorKind::InvalidCommand`] for a
    /// command that only makes sense on a connection of one's own
    /// (`WATCH`, `MULTI`, `SELECT`, `CLIENT SETNAME`, ...).
    pub fn query<T: FromReply>(&self, cmd: &Cmd<'_>) -> Result<T> {
        refuse_session_command(cmd)?;
        Connection::pairable(cmd)?;
        let prefixed;
        let cmd = match &self.policy.key_prefix {
            Some(prefix) => {
                prefixed = cmd.with_key_prefix(prefix);
                &prefixed
            }
            None => cmd,
        };
        let blocking = blocks(cmd);
        let deadline = self.call_deadline(cmd.get_timeout(), blocking);
        let retry_reads = self.policy.retry_reads;
        if let Some(cache) = &self.cache {
            match cache.lookup(cmd) {
                Ok(value) => return T::from_reply(value),
                Err(Some(ticket)) => {
                    let tracking = cache.own();
                    let tracked = std::cell::Cell::new(None);
                    let mut call = Call::new(
                        cmd,
                        blocking,
                        retry_reads,
                        |conn: &mut Connection, deadline, _| {
                            tracked.set(None);
                            if let Some((target, generation)) = tracking.redirect() {
                                match conn.ensure_tracking(target, generation, deadline) {
                                    // The tracking connection is not on this
                                    // server (it is moving to a new master):
                                    // read, but cache nothing until it is back.
                                    Err(e) if e.kind() == ErrorKind::Server => {
                                        log::debug!("tracking refused ({e}): caching paused");
                                        cache.tracker_lost(tracking, generation);
                                    }
                                    Err(e) => return Err(e),
                                    Ok(()) => tracked.set(Some(generation)),
                                }
                            }
                            conn.query_until::<Value>(cmd, deadline)
                        },
                    )
                    .timeout(cmd.get_timeout());
                    let value = self.drive(&mut call, deadline);
                    drop(call);
                    let tracked = tracked.get().map(|g| (&**tracking, g));
                    cache.finish(ticket, value.as_ref().ok(), tracked);
                    return T::from_reply(value?);
                }
                Err(None) => {}
            }
        }
        let mut call = Call::new(
            cmd,
            blocking,
            retry_reads,
            |conn: &mut Connection, deadline, _| conn.query_until::<T>(cmd, deadline),
        )
        .timeout(cmd.get_timeout());
        let result = self.drive(&mut call, deadline);
        if let Some(cache) = &self.cache {
            cache.wrote(&cmd.args().collect::<Vec<_>>());
        }
        result
    }

    /// Replies served from the client-side cache so far (0 without one).
    pub fn cache_hits(&self) -> u64 {
        self.cache.as_ref().map_or(0, |c| c.hits())
    }

    /// Replies in the client-side cache now.
    pub fn cached_entries(&self) -> usize {
        self.cache.as_ref().map_or(0, |c| c.len())
    }

    /// The pipeline with the client's key prefix, if it has one.
    fn prefixed<'p>(&self, pipe: &'p Pipeline<'p>) -> std::borrow::Cow<'p, Pipeline<'p>> {
        match &self.policy.key_prefix {
            Some(prefix) => std::borrow::Cow::Owned(pipe.with_key_prefix(prefix)),
            None => std::borrow::Cow::Borrowed(pipe),
        }
    }

    /// Runs a pipeline and converts the replies, as
    /// [`Connection::query_pipeline`](crate::Connection::query_pipeline)
    /// does. Commands at the end of the pipeline that surely did not run
    /// (never written, or refused with `LOADING`/`READONLY`...) are sent
    /// again, after the usual pause, once every command before them got its
    /// reply; nothing that ran or may have run is sent twice.
    ///
    /// # Errors
    ///
    /// As [`Connection::query_pipeline`](crate::Connection::query_pipeline):
    /// [`Error::executed`] says whether the pipeline as a whole ran.
    pub fn query_pipeline<T: FromReply>(&self, pipe: &Pipeline<'_>) -> Result<T> {
        let pipe = self.prefixed(pipe);
        let deadline = self.call_deadline(pipe.get_timeout(), pipe.blocking());
        let mut op = (Batch::new(&pipe), self.policy.retry_reads);
        let driven = self.drive(&mut op, deadline);
        if let Some(cache) = &self.cache {
            cache.wrote_pipeline(&pipe);
        }
        driven?;
        op.0.into_typed()
    }

    /// Runs a pipeline and returns one result per command, in order, as
    /// [`Connection::pipeline_results`](crate::Connection::pipeline_results)
    /// does, retrying as [`query_pipeline`](Client::query_pipeline).
    pub fn pipeline_results(&self, pipe: &Pipeline<'_>) -> Vec<Result<Value>> {
        let pipe = self.prefixed(pipe);
        let deadline = self.call_deadline(pipe.get_timeout(), pipe.blocking());
        let mut op = (Batch::new(&pipe), self.policy.retry_reads);
        let driven = self.drive(&mut op, deadline);
        if let Some(cache) = &self.cache {
            cache.wrote_pipeline(&pipe);
        }
        match driven {
            Ok(()) => op.0.into_results(),
            Err(e) => (0..pipe.visible_len())
                .map(|_| Err(e.duplicate()))
                .collect(),
        }
    }

    /// Runs `body` as an optimistic transaction over `keys` on one pooled
    /// connection, as [`Connection::transaction`] does: `WATCH`, the body's
    /// reads, then its queued commands in MULTI/EXEC; when a watched key
    /// changed, again after a short random pause, as the client's
    /// [`transaction_policy`](ClientBuilder::transaction_policy) says. A body
    /// that queues nothing sends no MULTI/EXEC. When the connection fails
    /// before `EXEC` was written, the whole transaction (body included)
    /// runs again on another connection, like any call that did not run.
    /// The body may run several times, so it should only read through
    /// `conn` and queue its writes on `pipe`: a write sent through `conn`
    /// directly is outside the transaction and runs once per attempt.
    ///
    /// The client's key prefix is not applied inside the body: it works on
    /// the raw connection.
    ///
    /// # Errors
    ///
    /// As [`Connection::transaction`].
    ///
    /// # Example
    ///
    /// ```no_run
    /// use redis_blocking::{Client, Cmd};
    ///
    /// let client = Client::open("redis://127.0.0.1/")?;
    /// let (balance,): (i64,) = client.transaction("balance", |conn, pipe| {
    ///     let balance: i64 = conn.query::<Option<i64>>(&Cmd::new("GET").arg("balance"))?.unwrap_or(0);
    ///     pipe.cmd("SET").arg("balance").arg(balance + 10).ignore();
    ///     pipe.cmd("GET").arg("balance");
    ///     Ok(())
    /// })?;
    /// # Ok::<(), redis_blocking::Error>(())
    /// ```
    pub fn transaction<'a, K, T, F>(&self, keys: K, mut body: F) -> Result<T>
    where
        K: ToArgs<'a> + Clone,
        T: FromReply,
        F: FnMut(&mut Connection, &mut Pipeline<'a>) -> Result<()>,
    {
        let deadline = self.call_deadline(None, Blocks::No);
        let policy = &self.policy.transactions;
        let watch = Cmd::new("WATCH").arg(keys.clone());
        // The commands the transaction queued that write, for the cache.
        let written = std::cell::RefCell::new(Vec::new());
        let mut body = |conn: &mut Connection, pipe: &mut Pipeline<'a>| {
            body(conn, pipe)?;
            if self.cache.is_some() {
                written.borrow_mut().extend(cache::writes_of(pipe));
            }
            Ok(())
        };
        let mut call = Call::new(&watch, Blocks::No, false, |conn: &mut Connection, _, _| {
            conn.transaction_with(policy, keys.clone(), &mut body)
        })
        .handles(&[ErrorKind::WatchConflict]);
        let result = self.drive(&mut call, deadline);
        drop(call);
        if let Some(cache) = &self.cache {
            cache.wrote_all(written.into_inner());
        }
        result
    }
}

/// Refuses, as a single call on a pooled client, a command that only makes
/// sense on a connection of one's own.
pub(crate) fn refuse_session_command(cmd: &Cmd<'_>) -> Result<()> {
    refuse_session_command_on(cmd, false)
}

/// [`refuse_session_command`], worded for a [`ClusterClient`](crate::ClusterClient)
/// when `cluster` is true (its API, and no `SELECT` in cluster mode).
pub(crate) fn refuse_session_command_on(cmd: &Cmd<'_>, cluster: bool) -> Result<()> {
    let Some(why) = needs_own_connection(cmd) else {
        return Ok(());
    };
    let name = String::from_utf8_lossy(cmd.name()).to_ascii_uppercase();
    let instead = match name.as_str() {
        "WATCH" | "UNWATCH" | "MULTI" | "EXEC" | "DISCARD" => {
            "use Client::transaction (or Pipeline::transaction), or Client::connection() for a connection of your own"
        }
        "SELECT" | "AUTH" | "HELLO" => {
            "set it in the Config or URL (db, user, password, protocol), or use Client::connection()"
        }
        _ => "use Client::connection() for a connection of your own",
    };
    let (client, instead) = if cluster {
        let instead = match name.as_str() {
            "WATCH" | "UNWATCH" | "MULTI" | "EXEC" | "DISCARD" => {
                "use ClusterClient::transaction (keys in one slot) or Pipeline::transaction"
            }
            "SELECT" => "a cluster has database 0 only",
            "AUTH" | "HELLO" => {
                "set it in the Config or URL (user, password, protocol): every node's connections use it"
            }
            _ => "a ClusterClient spreads calls over pooled connections to every node",
        };
        ("ClusterClient", instead)
    } else {
        ("pooled Client", instead)
    };
    Err(Error::new(
        ErrorKind::InvalidCommand,
        Executed::No,
        format!("{name} cannot run as a single call on a {client} ({why}): {instead}"),
    ))
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
            .field("config", self.config())
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
