//! A Redis Cluster client: the same calls as [`Client`](crate::Client),
//! routed by hash slot over a shared slot map.

mod batch;
mod pubsub;
mod router;
mod scan;
mod shares;

use std::sync::Arc;
use std::time::{Duration, Instant};

use resp_core::client::{most_executed, outcome_executed};
use resp_core::cluster::{plan, Endpoint, Plan};
use resp_core::command::{blocks, Blocks};

pub use self::pubsub::ClusterSubscriber;
pub use self::router::{ReadFrom, Remap};
pub use self::scan::ClusterScan;

use self::batch::{outcomes_of, run_batch, ClusterRun, CommandOutcome};
use self::router::{ClusterOptions, ClusterRouter};
use crate::batch::{outcome_into_result, typed_results};
use crate::client::cache::{writes_of, Cache, Tracking};
use crate::client::run::Call;
use crate::client::{CacheOptions, Client, Policy, PoolOptions};
use crate::commands::Runner;
use crate::config::{Addr, Config};
use crate::connection::{deadline_after, Connection};
use crate::error::{Error, ErrorKind, Executed, Result};
use crate::events::EventHandler;
use crate::retry::{ReconnectStrategy, TransactionPolicy};
use crate::types::{FromReply, Value};
use crate::{Cmd, Pipeline};

/// A Redis Cluster client for any number of threads: `Send + Sync`, cheap
/// to clone (clones share the slot map and a pool per node).
///
/// Every command goes to the node that serves its keys' hash slot, by a
/// map of the cluster that all threads share. The map comes from `CLUSTER
/// SHARDS` (`CLUSTER SLOTS` on older servers), asked of the known nodes
/// and then the seeds; a background thread fetches it again, at most once
/// per refresh interval, when something says it changed: a `MOVED` (whose
/// slot is fixed at once), a node that refuses connections, `CLUSTERDOWN`,
/// `READONLY`, a slot nobody serves. A new map that shares no node with the
/// last one is refused unless none of the known nodes can be reached.
///
/// Redirects are followed within one deadline and a bound on hops: `ASK`
/// sends `ASKING` and the command in one write, to the target, once;
/// `TRYAGAIN` and `CLUSTERDOWN` wait from 10 ms to 250 ms; a `MOVED` to a
/// node that was just unreachable waits instead of bouncing, and so does a
/// redirect back to a node the call was already sent to (nodes that
/// disagree about a slot for a moment), until the deadline. Nothing that
/// may have run is sent again.
///
/// Commands without keys follow the server's command tips: `DBSIZE`,
/// `KEYS`, `FLUSHALL`, `PING` go to every primary (`SCRIPT LOAD`,
/// `CONFIG SET` to every node) and their replies are combined (summed,
/// joined, the first error...). `MGET`, `MSET`, `DEL`, `UNLINK`,
/// `EXISTS` and `TOUCH` over keys of several slots are split into one
/// command per slot and their replies put back in key order (or summed);
/// they lose their atomicity across slots. Other commands whose keys span
/// slots (`MSETNX`, `SUNIONSTORE`, a script's keys) are refused before
/// sending.
///
/// Pipelines are split by node, each node's share written and read at
/// once, in order; every command keeps its own outcome, and only commands
/// the cluster refused before running them (`MOVED`, `ASK`, `TRYAGAIN`,
/// `CLUSTERDOWN`) are sent again. A failure on one node touches only that
/// node's commands.
///
/// # Example
///
/// ```no_run
/// use redis_blocking::prelude::*;
/// use redis_blocking::ClusterClient;
///
/// let cluster = ClusterClient::open(&["redis://127.0.0.1:7000", "redis://127.0.0.1:7001"])?;
/// let c = cluster.clone();
/// let () = c.set("{user:1}:name", "Ada")?;
/// let name: String = c.get("{user:1}:name")?;
/// let values: Vec<Option<String>> = c.mget(&["a", "b", "c"])?; // three slots, one reply
/// # Ok::<(), redis_blocking::Error>(())
/// ```
#[derive(Clone)]
pub struct ClusterClient {
    client: Client,
    router: Arc<ClusterRouter>,
}

/// Builds a [`ClusterClient`].
///
/// Defaults: as [`ClientBuilder`](crate::ClientBuilder) for each node's
/// pool (16 connections at most), retries and timeouts; reads from
/// primaries; the map fetched again at most every 200 ms.
pub struct ClusterBuilder {
    template: Config,
    seeds: Vec<Endpoint>,
    pool: PoolOptions,
    strategy: ReconnectStrategy,
    max_attempts: u32,
    retry_reads: bool,
    events: Option<EventHandler>,
    timeout: Option<Duration>,
    read_from: ReadFrom,
    remap: Option<Remap>,
    refresh_interval: Duration,
    transactions: TransactionPolicy,
    key_prefix: Option<Vec<u8>>,
    cache: Option<CacheOptions>,
}

fn endpoint(config: &Config) -> Result<Endpoint> {
    match &config.addr {
        Addr::Tcp { host, port } => Ok(Endpoint::new(host.clone(), *port)),
        Addr::Unix(_) => Err(Error::config(
            "a cluster is reached over TCP, not a Unix socket",
        )),
    }
}

impl ClusterBuilder {
    /// Adds a seed: a node to ask for the map when no known node answers.
    pub fn seed(mut self, host: impl Into<String>, port: u16) -> Self {
        self.seeds.push(Endpoint::new(host, port));
        self
    }

    /// Sets how many connections each node's pool holds at most.
    pub fn max_size(mut self, n: usize) -> Self {
        self.pool.max_size = n.max(1);
        self
    }

    /// Sets the delays between attempts after connection failures.
    pub fn reconnect_strategy(mut self, strategy: ReconnectStrategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// Sets how many times a call is tried again at most (redirects do not
    /// count; they have their own bound).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_attempts = n;
        self
    }

    /// Allows retrying read-only commands that may have run.
    pub fn retry_reads(mut self, on: bool) -> Self {
        self.retry_reads = on;
        self
    }

    /// Receives connection events.
    pub fn on_event(mut self, handler: impl Fn(&crate::Event) + Send + Sync + 'static) -> Self {
        self.events = Some(Arc::new(handler));
        self
    }

    /// Sets one deadline for whole calls: connecting, redirects, map
    /// fetches, pauses and replies.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets which node serves read-only commands.
    pub fn read_from(mut self, read_from: ReadFrom) -> Self {
        self.read_from = read_from;
        self
    }

    /// Maps the addresses nodes announce to the addresses to connect to
    /// (NAT, containers): applied to the map and to redirect targets. Over
    /// TLS, the certificate is checked against the announced host.
    pub fn remap(mut self, remap: impl Fn(&Endpoint) -> Endpoint + Send + Sync + 'static) -> Self {
        self.remap = Some(Arc::new(remap));
        self
    }

    /// Sets the least time between two fetches of the map.
    pub fn refresh_interval(mut self, interval: Duration) -> Self {
        self.refresh_interval = interval;
        self
    }

    /// Puts `prefix` before every key argument of every command, as
    /// [`ClientBuilder::key_prefix`](crate::ClientBuilder::key_prefix)
    /// does; the slot is that of the prefixed key (put the prefix outside
    /// the hash tag: `app:{user:1}`).
    pub fn key_prefix(mut self, prefix: impl Into<Vec<u8>>) -> Self {
        self.key_prefix = Some(prefix.into());
        self
    }

    /// Turns on client-side caching, as
    /// [`ClientBuilder::client_side_cache`](crate::ClientBuilder::client_side_cache)
    /// does for one server: one cache for the cluster, kept valid by a
    /// RESP3 tracking connection to each node that served a cached read
    /// (opened on that first read), whose invalidations apply to the whole
    /// cache. When one of them is lost the whole cache is flushed; reads
    /// from that node are not cached until it is back. A key that moves to
    /// another node is invalidated by the old one (`MIGRATE` deletes it
    /// there).
    pub fn client_side_cache(mut self, options: CacheOptions) -> Self {
        self.cache = Some(options);
        self
    }

    /// Sets how [`ClusterClient::transaction`] retries watch conflicts.
    pub fn transaction_policy(mut self, policy: TransactionPolicy) -> Self {
        self.transactions = policy;
        self
    }

    /// Builds the client. It fetches the map on first use.
    pub fn build(self) -> ClusterClient {
        let router = ClusterRouter::start(ClusterOptions {
            template: self.template,
            seeds: self.seeds,
            pool: self.pool,
            strategy: self.strategy,
            events: self.events,
            read_from: self.read_from,
            remap: self.remap,
            refresh_interval: self.refresh_interval,
        });
        let client = Client {
            router: Arc::clone(&router) as Arc<dyn crate::client::router::Router>,
            policy: Arc::new(Policy {
                max_attempts: self.max_attempts,
                retry_reads: self.retry_reads,
                reconnect_on_error: None,
                timeout: self.timeout,
                key_prefix: self.key_prefix,
                transactions: self.transactions,
            }),
            cache: self.cache.map(Cache::detached),
        };
        ClusterClient { client, router }
    }
}

impl ClusterClient {
    /// A client for a cluster reached through any of `seeds` (URLs; the
    /// first one's credentials, TLS and timeouts apply to every node).
    ///
    /// # Errors
    ///
    /// An invalid URL, or none given.
    pub fn open(seeds: &[&str]) -> Result<ClusterClient> {
        let Some(first) = seeds.first() else {
            return Err(Error::config(
                "a cluster client needs at least one seed URL",
            ));
        };
        let mut builder = ClusterClient::builder(Config::from_url(first)?)?;
        for url in &seeds[1..] {
            let seed = endpoint(&Config::from_url(url)?)?;
            builder = builder.seed(seed.host, seed.port);
        }
        Ok(builder.build())
    }

    /// A builder whose settings (credentials, TLS, protocol, timeouts) are
    /// `config`'s, with `config`'s address as the first seed.
    ///
    /// # Errors
    ///
    /// A Unix socket address, or a database other than 0 (a cluster has
    /// only database 0).
    pub fn builder(config: Config) -> Result<ClusterBuilder> {
        let seed = endpoint(&config)?;
        if config.get_db() != 0 {
            return Err(Error::config("a cluster has only database 0"));
        }
        Ok(ClusterBuilder {
            template: config,
            seeds: vec![seed],
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
            events: None,
            timeout: None,
            read_from: ReadFrom::Primary,
            remap: None,
            refresh_interval: Duration::from_millis(200),
            transactions: TransactionPolicy::default(),
            key_prefix: None,
            cache: None,
        })
    }

    /// Fetches the map now (at most once per refresh interval) and waits
    /// for it, up to `timeout`: after an administrator moved slots, say.
    pub fn refresh(&self, timeout: Duration) {
        self.router
            .refresh_and_wait(crate::connection::after(timeout));
    }

    /// How many times the map was fetched and installed so far.
    pub fn refreshes(&self) -> usize {
        self.router.fetches()
    }

    /// The address of the primary that serves `slot` by the current map
    /// (fetching it first if there is none yet).
    pub fn primary_of(&self, slot: u16) -> Option<Endpoint> {
        self.router
            .ready_topology(None)
            .primary(slot)
            .map(|n| n.endpoint.clone())
    }

    /// The primaries of the current map.
    pub fn primaries(&self) -> Vec<Endpoint> {
        self.router
            .ready_topology(None)
            .primaries()
            .map(|n| n.endpoint.clone())
            .collect()
    }

    fn call_deadline(&self, own: Option<Duration>, blocking: Blocks) -> Option<Instant> {
        deadline_after(own.or(self.client.policy.timeout), blocking)
    }

    /// Runs one command on the node that serves it, following redirects;
    /// a command for every primary or several slots is sent to each and
    /// the replies combined.
    ///
    /// # Errors
    ///
    /// As [`Client::query`](crate::Client::query);
    /// [`ErrorKind::InvalidCommand`] for keys in several slots of a command
    /// that cannot be split, and for session commands (use
    /// [`transaction`](ClusterClient::transaction)); [`ErrorKind::Topology`]
    /// when no node serves the slot.
    pub fn query<T: FromReply>(&self, cmd: &Cmd<'_>) -> Result<T> {
        crate::client::refuse_session_command_on(cmd, true)?;
        Connection::pairable(cmd)?;
        let prefixed;
        let cmd = match &self.client.policy.key_prefix {
            Some(prefix) => {
                prefixed = cmd.with_key_prefix(prefix);
                &prefixed
            }
            None => cmd,
        };
        let args: Vec<&[u8]> = cmd.args().collect();
        let planned = plan(&args);
        match planned {
            Plan::Slot(_) | Plan::Any => {
                let blocking = blocks(cmd);
                let deadline = self.call_deadline(cmd.get_timeout(), blocking);
                let retry_reads = self.client.policy.retry_reads;
                if let Some(cache) = &self.client.cache {
                    match cache.lookup(cmd) {
                        Ok(value) => return T::from_reply(value),
                        Err(Some(ticket)) => {
                            let (value, tracked) = self.tracked_read(cache, cmd, deadline);
                            let tracked = tracked.as_ref().map(|(t, g)| (&**t, *g));
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
                    |conn: &mut Connection, deadline, asking| {
                        if asking {
                            conn.query_asking::<T>(cmd, deadline)
                        } else {
                            conn.query_until::<T>(cmd, deadline)
                        }
                    },
                )
                .timeout(cmd.get_timeout())
                .following_redirects();
                if let Plan::Slot(slot) = planned {
                    call = call.in_slot(slot);
                }
                let result = self.client.drive(&mut call, deadline);
                if let Some(cache) = &self.client.cache {
                    cache.wrote(&args);
                }
                result
            }
            _ => {
                // Already prefixed: planned as it is.
                let mut pipe = Pipeline::new();
                pipe.add(cmd.clone());
                let (_, mut results) = self.run_planned(&pipe);
                if let Some(cache) = &self.client.cache {
                    cache.wrote(&args);
                }
                T::from_reply(results.pop().unwrap_or_else(|| {
                    Err(Error::new(ErrorKind::Protocol, Executed::No, "no reply"))
                })?)
            }
        }
    }

    /// A cacheable read, on a connection with tracking turned on towards
    /// its node's tracking connection; the tracking it ran under, if any.
    fn tracked_read(
        &self,
        cache: &Arc<Cache>,
        cmd: &Cmd<'_>,
        deadline: Option<Instant>,
    ) -> (Result<Value>, Option<(Arc<Tracking>, u64)>) {
        let tracked = std::cell::RefCell::new(None);
        let mut call = Call::new(
            cmd,
            blocks(cmd),
            self.client.policy.retry_reads,
            |conn: &mut Connection, deadline, asking| {
                *tracked.borrow_mut() = None;
                let addr = conn.addr().clone();
                let tracking = cache.tracking_for(&addr, || self.router.connector_for(&addr));
                if let Some(tracking) = tracking {
                    if let Some((target, generation)) = tracking.redirect() {
                        match conn.ensure_tracking(target, generation, deadline) {
                            // The tracking connection reached another
                            // server (a failover): cache nothing from it
                            // until it is back.
                            Err(e) if e.kind() == ErrorKind::Server => {
                                cache.tracker_lost(&tracking, generation);
                            }
                            Err(e) => return Err(e),
                            Ok(()) => *tracked.borrow_mut() = Some((tracking, generation)),
                        }
                    }
                }
                if asking {
                    conn.query_asking::<Value>(cmd, deadline)
                } else {
                    conn.query_until::<Value>(cmd, deadline)
                }
            },
        )
        .timeout(cmd.get_timeout())
        .following_redirects();
        let value = self.client.drive(&mut call, deadline);
        drop(call);
        (value, tracked.into_inner())
    }

    /// Replies served from the client-side cache so far (0 without one).
    pub fn cache_hits(&self) -> u64 {
        self.client.cache_hits()
    }

    /// Replies in the client-side cache now.
    pub fn cached_entries(&self) -> usize {
        self.client.cached_entries()
    }

    /// Runs a pipeline over the cluster; one result per command, in order.
    pub fn pipeline_results(&self, pipe: &Pipeline<'_>) -> Vec<Result<Value>> {
        let (_, results) = self.run_pipeline(pipe);
        pipe.visible_results(results)
    }

    /// Runs a pipeline over the cluster and converts the replies of the
    /// commands not ignored, as
    /// [`Connection::query_pipeline`](crate::Connection::query_pipeline)
    /// does.
    ///
    /// # Errors
    ///
    /// As [`Connection::query_pipeline`](crate::Connection::query_pipeline);
    /// transactions go through [`transaction`](ClusterClient::transaction).
    pub fn query_pipeline<T: FromReply>(&self, pipe: &Pipeline<'_>) -> Result<T> {
        if pipe.is_atomic() {
            return Err(Error::new(
                ErrorKind::InvalidCommand,
                Executed::No,
                "a MULTI/EXEC pipeline runs on one node: use ClusterClient::transaction",
            ));
        }
        let (executed, results) = self.run_pipeline(pipe);
        typed_results(pipe, executed, results)
    }

    /// Plans and runs a pipeline; per user command, the combined run and
    /// results.
    fn run_pipeline(&self, pipe: &Pipeline<'_>) -> (Executed, Vec<Result<Value>>) {
        let prefixed;
        let pipe = match &self.client.policy.key_prefix {
            Some(prefix) => {
                prefixed = pipe.with_key_prefix(prefix);
                &prefixed
            }
            None => pipe,
        };
        let ran = self.run_planned(pipe);
        if let Some(cache) = &self.client.cache {
            cache.wrote_pipeline(pipe);
        }
        ran
    }

    /// Plans and runs a pipeline whose keys are final.
    fn run_planned(&self, pipe: &Pipeline<'_>) -> (Executed, Vec<Result<Value>>) {
        let deadline = self.call_deadline(pipe.get_timeout(), pipe.blocking());
        if let Err(e) = pipe.check() {
            let results = (0..pipe.len()).map(|_| Err(e.duplicate())).collect();
            return (Executed::No, results);
        }
        let (
            planned,
            ClusterRun {
                mut outcomes,
                failures,
            },
        ) = run_batch(&self.router, pipe, deadline);
        // One pass: each command's outcome, whether it ran, its result
        // (without a reply, the failure of the node it was sent to).
        let mut executed = Executed::No;
        let mut result_of = |outcome: CommandOutcome| match outcome {
            Ok((outcome, unit)) => {
                executed = most_executed([executed, outcome_executed(&outcome)]);
                outcome_into_result(outcome, unit.and_then(|u| failures.of(u)))
            }
            Err(refused) => Err(refused),
        };
        let results = if planned.units.is_none() {
            // Command k is unit k.
            outcomes
                .into_iter()
                .enumerate()
                .map(|(k, outcome)| result_of(Ok((outcome, Some(k)))))
                .collect()
        } else {
            let mut partly = Executed::No;
            let results = outcomes_of(&planned.shapes, &mut outcomes)
                .map(|(outcome, ran)| {
                    partly = most_executed([partly, ran]);
                    match result_of(outcome) {
                        // A command split over nodes failed after some of
                        // its parts ran: say so.
                        Err(e) if most_executed([e.executed(), ran]) != e.executed() => Err(e
                            .executed_as(ran)
                            .context("part of this command, split over slots, ran")),
                        other => other,
                    }
                })
                .collect();
            executed = most_executed([executed, partly]);
            results
        };
        (executed, results)
    }
}

impl ClusterClient {
    /// Runs `body` as an optimistic transaction over `keys` on the node
    /// that serves them, as [`Client::transaction`](crate::Client::transaction)
    /// does. Every key must hash to one slot (use a `{hash tag}`). When the
    /// slot moved, or is being imported (`ASK`: `ASKING` goes before
    /// `WATCH` and before `MULTI`), or the cluster said `TRYAGAIN`, the
    /// whole transaction runs again where the map says: nothing of it ran
    /// (nothing queued on `pipe`; as with `Client::transaction`, the body
    /// should only read through `conn`, since it may run several times).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidCommand`] for keys in several slots (before
    /// sending anything); otherwise as
    /// [`Connection::transaction`](crate::Connection::transaction).
    pub fn transaction<'a, K, T, F>(&self, keys: K, mut body: F) -> Result<T>
    where
        K: crate::ToArgs<'a> + Clone,
        T: FromReply,
        F: FnMut(&mut Connection, &mut Pipeline<'a>) -> Result<()>,
    {
        let watch = Cmd::new("WATCH").arg(keys.clone());
        let args: Vec<&[u8]> = watch.args().collect();
        let Plan::Slot(slot) = plan(&args) else {
            return Err(self::batch::cross_slot(&args));
        };
        let deadline = self.call_deadline(None, Blocks::No);
        let policy = &self.client.policy.transactions;
        // The commands the transaction queued that write, for the cache.
        let written = std::cell::RefCell::new(Vec::new());
        let mut body = |conn: &mut Connection, pipe: &mut Pipeline<'a>| {
            body(conn, pipe)?;
            // Every queued command runs on the watched keys' node: a key of
            // another slot is refused here, before `MULTI` is sent (the
            // node would discard the transaction, or redirect it away from
            // the watched keys).
            if let Some(refused) = outside_slot(pipe, slot) {
                return Err(refused);
            }
            if self.client.cache.is_some() {
                written.borrow_mut().extend(writes_of(pipe));
            }
            Ok(())
        };
        let mut call = Call::new(
            &watch,
            Blocks::No,
            false,
            |conn: &mut Connection, _, asking| {
                conn.transaction_inner(policy, keys.clone(), &mut body, asking)
            },
        )
        .handles(&[ErrorKind::WatchConflict])
        .following_redirects();
        let result = self.client.drive(&mut call, deadline);
        drop(call);
        if let Some(cache) = &self.client.cache {
            cache.wrote_all(written.into_inner());
        }
        result
    }
}

/// The refusal of a transaction's body that queued a command with keys
/// outside `slot` (keyless commands run anywhere).
fn outside_slot(pipe: &Pipeline<'_>, slot: u16) -> Option<Error> {
    (0..pipe.len()).find_map(|i| {
        let args = pipe.args_of(i);
        match plan(&args) {
            Plan::Slot(s) if s == slot => None,
            Plan::Any => None,
            Plan::Slot(s) => Some(Error::new(
                ErrorKind::InvalidCommand,
                Executed::No,
                format!(
                    "{}: a key of slot {s} in a transaction on slot {slot} (CROSSSLOT); every key of a transaction must hash to one slot: put a common {{hash tag}} in them",
                    String::from_utf8_lossy(args.first().copied().unwrap_or_default())
                ),
            )),
            _ => Some(self::batch::cross_slot(&args)),
        }
    })
}

impl Runner for ClusterClient {
    fn run_cmd<T: FromReply>(&mut self, cmd: &Cmd<'_>) -> Result<T> {
        self.query(cmd)
    }
}

impl std::fmt::Debug for ClusterClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterClient")
            .field("router", &self.router)
            .finish()
    }
}
