//! The cluster's router: the shared slot map, a pool per node, and the
//! refresher thread that keeps the map current.
//!
//! What the map says and when to fetch it again is decided without I/O in
//! [`resp_core::cluster`]; this file opens the connections and runs the
//! one background thread that fetches it (so a fetch is single-flight by
//! construction, and rate-limited by [`Refresh`]).

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock, Weak};
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, Receiver, RecvTimeoutError, Sender};
use resp_core::client::{Redirect, RedirectKind};
use resp_core::cluster::{acceptable, plan, Endpoint, Health, Plan, Refresh, RefreshNow, Topology};
use resp_core::command::is_read_only;

use crate::client::router::{Route, Router};
use crate::client::{Pool, PoolOptions};
use crate::config::{Addr, Config};
use crate::connector::Connector;
use crate::error::{Error, ErrorCode, ErrorKind, Executed, Result};
use crate::retry::ReconnectStrategy;
use crate::types::Value;
use crate::{Cmd, Connection, EventHandler};

/// Which node serves reads.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReadFrom {
    /// The primary, always (the default).
    #[default]
    Primary,
    /// A replica for read-only commands, in turn; the primary when no
    /// replica is up.
    Replica,
    /// The same as [`Replica`](ReadFrom::Replica): a replica when one is
    /// up, else the primary.
    PreferReplica,
    /// Any node of the shard, in turn.
    Any,
}

/// A function from the address a node announces to the address to connect
/// to (NAT, containers, hostnames that do not resolve where the client
/// runs).
pub type Remap = Arc<dyn Fn(&Endpoint) -> Endpoint + Send + Sync>;

/// How long a node stays "just failed" after a refused connection.
const FAILING: Duration = Duration::from_secs(3);
/// How long a replica that answered `LOADING` is left alone.
const LOADING: Duration = Duration::from_secs(2);
/// The pause before following a `MOVED` to a node that just failed.
const FAILOVER_PAUSE: Duration = Duration::from_millis(100);
/// How soon a map with loading nodes is fetched again.
const LOADING_RECHECK: Duration = Duration::from_secs(1);
/// Nodes asked for the map in one refresh, at most.
const PROBES: usize = 8;

/// The settings of a cluster router.
pub(crate) struct ClusterOptions {
    pub template: Config,
    pub seeds: Vec<Endpoint>,
    pub pool: PoolOptions,
    pub strategy: ReconnectStrategy,
    pub events: Option<EventHandler>,
    pub read_from: ReadFrom,
    pub remap: Option<Remap>,
    pub refresh_interval: Duration,
}

struct State {
    topology: Arc<Topology>,
    pools: HashMap<Endpoint, Arc<Pool>>,
}

pub(crate) struct ClusterRouter {
    options: ClusterOptions,
    /// Opens connections to the first seed (for `Router::connector`).
    seed_connector: Arc<Connector>,
    state: RwLock<State>,
    /// Maps fetched so far, and the condition waiters wait on.
    epoch: Mutex<u64>,
    refreshed: Condvar,
    wake: Sender<()>,
    failing: Mutex<HashMap<Endpoint, Instant>>,
    /// Why the last fetch found no usable map (each node asked and its
    /// answer), until one is installed, and the kind of error a call gets
    /// while there has never been one, when waiting cannot help (see
    /// [`first_map_failure`]).
    fetch_failure: Mutex<Option<(String, Option<ErrorKind>)>>,
    loading: Mutex<HashMap<Endpoint, Instant>>,
    turn: AtomicUsize,
    fetches: AtomicUsize,
}

impl ClusterRouter {
    pub fn start(options: ClusterOptions) -> Arc<ClusterRouter> {
        let seed = options
            .seeds
            .first()
            .cloned()
            .unwrap_or_else(|| Endpoint::new("127.0.0.1", 6379));
        let seed_connector = Arc::new(Connector::new(
            node_config(&options, &seed, false),
            options.strategy.clone(),
            options.events.clone(),
        ));
        let (wake, woken) = bounded(1);
        let interval = options.refresh_interval;
        let router = Arc::new(ClusterRouter {
            options,
            seed_connector,
            state: RwLock::new(State {
                topology: Arc::new(Topology::empty()),
                pools: HashMap::new(),
            }),
            epoch: Mutex::new(0),
            refreshed: Condvar::new(),
            wake,
            failing: Mutex::default(),
            fetch_failure: Mutex::default(),
            loading: Mutex::default(),
            turn: AtomicUsize::new(0),
            fetches: AtomicUsize::new(0),
        });
        let weak = Arc::downgrade(&router);
        let spawned = thread::Builder::new()
            .name("redis-cluster-refresh".into())
            .spawn(move || refresher(weak, woken, interval));
        if let Err(e) = spawned {
            log::warn!("no cluster refresh thread: {e}");
        }
        router
    }

    /// The map now.
    pub fn topology(&self) -> Arc<Topology> {
        Arc::clone(
            &self
                .state
                .read()
                .unwrap_or_else(|e| e.into_inner())
                .topology,
        )
    }

    /// Maps fetched so far.
    pub fn fetches(&self) -> usize {
        self.fetches.load(Ordering::Relaxed)
    }

    /// Asks the refresher for a new map, without waiting.
    pub fn request_refresh(&self) {
        let _ = self.wake.try_send(());
    }

    /// Asks for a new map and waits for one (or `deadline`).
    pub fn refresh_and_wait(&self, deadline: Option<Instant>) {
        let mut epoch = self.epoch.lock().unwrap_or_else(|e| e.into_inner());
        let seen = *epoch;
        self.request_refresh();
        while *epoch == seen {
            let wait = match deadline {
                Some(d) => match d.checked_duration_since(Instant::now()) {
                    Some(left) => left,
                    None => return,
                },
                None => Duration::from_secs(1),
            };
            let (next, timeout) = self
                .refreshed
                .wait_timeout(epoch, wait.min(Duration::from_secs(1)))
                .unwrap_or_else(|e| e.into_inner());
            epoch = next;
            if timeout.timed_out() {
                // A refresh may have been held back by the rate limit:
                // keep asking.
                self.request_refresh();
            }
        }
    }

    /// The map, fetching the first one if there is none yet.
    pub fn ready_topology(&self, deadline: Option<Instant>) -> Arc<Topology> {
        let topology = self.topology();
        if topology.covered() > 0 {
            return topology;
        }
        let deadline = deadline.or_else(|| {
            let wait = self.connect_timeout().checked_mul(2)?;
            crate::connection::after(wait)
        });
        self.refresh_and_wait(deadline);
        self.topology()
    }

    fn connect_timeout(&self) -> Duration {
        self.options
            .template
            .connect_timeout
            .unwrap_or(Duration::from_secs(10))
    }

    /// The connector of the node a connection to `addr` reached (after
    /// remapping), if it has a pool.
    pub fn connector_for(&self, addr: &Addr) -> Option<Arc<Connector>> {
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        state
            .pools
            .values()
            .find(|pool| pool.addr() == addr)
            .map(|pool| Arc::clone(&pool.connector))
    }

    /// The pool of `endpoint`, opened on first use.
    pub fn pool_for(&self, endpoint: &Endpoint) -> Arc<Pool> {
        if let Some(pool) = self
            .state
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .pools
            .get(endpoint)
        {
            return Arc::clone(pool);
        }
        let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
        let replica = !state.topology.primaries().any(|n| &n.endpoint == endpoint)
            && state
                .topology
                .nodes()
                .iter()
                .any(|n| &n.endpoint == endpoint);
        let options = &self.options;
        Arc::clone(state.pools.entry(endpoint.clone()).or_insert_with(|| {
            let connector = Connector::new(
                node_config(options, endpoint, replica),
                options.strategy.clone(),
                options.events.clone(),
            );
            Pool::new(Arc::new(connector), options.pool.clone())
        }))
    }

    /// True when every command, reads too, goes to its slot's primary.
    pub fn reads_primaries(&self) -> bool {
        self.options.read_from == ReadFrom::Primary
    }

    /// The node that serves `slot`, for a read-only command or not.
    pub fn node_for(
        &self,
        slot: u16,
        read_only: bool,
        deadline: Option<Instant>,
    ) -> Result<Endpoint> {
        let mut topology = self.ready_topology(deadline);
        if topology.covered() == 0 {
            if let Some(e) = self.first_map_error() {
                return Err(e);
            }
        }
        if topology.primary(slot).is_none() {
            // An unserved slot: fetch the map once more before failing,
            // within the call's deadline.
            let soon = Instant::now() + Duration::from_secs(1);
            self.refresh_and_wait(Some(deadline.map_or(soon, |d| d.min(soon))));
            topology = self.topology();
        }
        let Some(primary) = topology.primary(slot) else {
            // With a map, and no replica that may take over, the slot is
            // orphaned: say so at once rather than wait out the deadline.
            let orphaned = topology.covered() > 0 && !topology.awaits_failover(slot);
            let kind = if orphaned {
                ErrorKind::Unserved
            } else {
                ErrorKind::Topology
            };
            let why = if orphaned {
                "; no replica to take it over".to_owned()
            } else if topology.covered() == 0 {
                format!("; no slot map yet: {}", self.fetch_failure())
            } else {
                String::new()
            };
            return Err(Error::new(
                kind,
                Executed::No,
                format!(
                    "slot {slot} is served by no node of the cluster ({} of 16384 slots served{why})",
                    topology.covered(),
                ),
            ));
        };
        if !read_only || self.reads_primaries() {
            return Ok(primary.endpoint.clone());
        }
        let now = Instant::now();
        let loading = self.loading.lock().unwrap_or_else(|e| e.into_inner());
        let mut candidates: Vec<&Endpoint> = topology
            .replicas(slot)
            .map(|n| &n.endpoint)
            .filter(|e| {
                loading
                    .get(*e)
                    .is_none_or(|since| now.duration_since(*since) > LOADING)
            })
            .collect();
        if self.options.read_from == ReadFrom::Any {
            candidates.push(&primary.endpoint);
        }
        if candidates.is_empty() {
            return Ok(primary.endpoint.clone());
        }
        let turn = self.turn.fetch_add(1, Ordering::Relaxed);
        Ok(candidates[turn % candidates.len()].clone())
    }

    /// Any primary, in turn.
    fn any_primary(&self, deadline: Option<Instant>) -> Result<Endpoint> {
        let topology = self.ready_topology(deadline);
        let primaries: Vec<&Endpoint> = topology.primaries().map(|n| &n.endpoint).collect();
        if primaries.is_empty() {
            if let Some(e) = self.first_map_error() {
                return Err(e);
            }
            return Err(Error::new(
                ErrorKind::Topology,
                Executed::No,
                format!("the cluster has no primary yet: {}", self.fetch_failure()),
            ));
        }
        let turn = self.turn.fetch_add(1, Ordering::Relaxed);
        Ok(primaries[turn % primaries.len()].clone())
    }

    /// The open pool of the primary serving `slot`, if the map has one:
    /// one read lock and nothing cloned but the pool's `Arc` (every call
    /// on a primary comes here first; anything missing takes the general
    /// path, [`endpoint`](Self::endpoint) then [`pool_for`](Self::pool_for)).
    fn primary_pool(&self, slot: u16) -> Option<Arc<Pool>> {
        let state = self.state.read().unwrap_or_else(|e| e.into_inner());
        let primary = state.topology.primary(slot)?;
        state.pools.get(&primary.endpoint).map(Arc::clone)
    }

    /// The endpoint for a route.
    pub fn endpoint(&self, route: Route<'_>, deadline: Option<Instant>) -> Result<Endpoint> {
        match route {
            Route::Node(endpoint) => Ok(endpoint.clone()),
            Route::Batch => self.any_primary(deadline),
            Route::Slot(slot, argv) => {
                let read_only = !self.reads_primaries() && crate::client::router::reads_only(argv);
                self.node_for(slot, read_only, deadline)
            }
            Route::Command(argv) => {
                let args: Vec<&[u8]> = (0..argv.argc()).filter_map(|i| argv.arg(i)).collect();
                match plan(&args) {
                    Plan::Slot(slot) => {
                        // Only replica reads need to know.
                        let read_only = !self.reads_primaries() && is_read_only(&args);
                        self.node_for(slot, read_only, deadline)
                    }
                    _ => self.any_primary(deadline),
                }
            }
        }
    }

    fn mark(&self, table: &Mutex<HashMap<Endpoint, Instant>>, endpoint: Endpoint) {
        table
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(endpoint, Instant::now());
    }

    fn just_failed(&self, endpoint: &Endpoint) -> bool {
        self.failing
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(endpoint)
            .is_some_and(|at| at.elapsed() < FAILING)
    }

    /// Fetches the map from the known nodes, then the seeds; replaces the
    /// current one when the new one is acceptable.
    fn fetch(&self) {
        let current = self.topology();
        let mut candidates: Vec<Endpoint> =
            current.nodes().iter().map(|n| n.endpoint.clone()).collect();
        // A different start each time, so that one slow node does not
        // delay every refresh.
        let turn = self.turn.fetch_add(1, Ordering::Relaxed);
        if !candidates.is_empty() {
            let len = candidates.len();
            candidates.rotate_left(turn % len);
        }
        for seed in &self.options.seeds {
            if !candidates.contains(seed) {
                candidates.push(seed.clone());
            }
        }
        let known = current.nodes().len();
        let mut unreachable = 0;
        let mut failures = Vec::new();
        let mut kinds = Vec::new();
        for (i, endpoint) in candidates.iter().enumerate() {
            if i >= PROBES.max(known + self.options.seeds.len()) {
                break;
            }
            match self.probe(endpoint) {
                Ok(view) => {
                    let all_unreachable = known > 0 && unreachable >= known;
                    if acceptable(&view, &current, all_unreachable) {
                        self.install(view);
                        return;
                    }
                    log::warn!(
                        "cluster map from {endpoint} refused: it serves nothing or shares no node with the current one"
                    );
                    failures.push(format!(
                        "{endpoint} gave a map that serves nothing or shares no node with the current one"
                    ));
                    kinds.push(None);
                }
                Err(e) => {
                    log::debug!("asking {endpoint} for the cluster map failed: {e}");
                    let text = e.to_string();
                    failures.push(if text.contains(&endpoint.to_string()) {
                        text
                    } else {
                        format!("{endpoint}: {text}")
                    });
                    let not_cluster = e.kind() == ErrorKind::Server
                        && e.to_string().contains("cluster support disabled");
                    kinds.push(Some(if not_cluster {
                        ErrorKind::InvalidConfig
                    } else {
                        e.kind()
                    }));
                    if i < known {
                        unreachable += 1;
                    }
                }
            }
        }
        let failure = failures.join("; ");
        log::warn!("no node of the cluster gave a usable slot map: {failure}");
        *self.fetch_failure.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((failure, first_map_failure(&kinds)));
    }

    /// Why no map could be fetched, as far as is known.
    fn fetch_failure(&self) -> String {
        self.fetch_failure
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map_or_else(|| "no node answered in time".to_owned(), |f| f.0.clone())
    }

    /// An error for a call when no map was ever had and the nodes asked
    /// said why in a way waiting does not mend (see
    /// [`first_map_failure`]): the seeds are standalone servers, refuse
    /// the credentials or the TLS settings, or none can be reached.
    fn first_map_error(&self) -> Option<Error> {
        if self.fetches() > 0 {
            return None;
        }
        let failure = self.fetch_failure.lock().unwrap_or_else(|e| e.into_inner());
        match &*failure {
            Some((text, Some(ErrorKind::InvalidConfig))) => Some(Error::config(format!(
                "the seeds are not cluster nodes: {text}"
            ))),
            Some((text, Some(kind))) => Some(Error::new(
                *kind,
                Executed::No,
                format!("no slot map: no seed of the cluster could be asked for one: {text}"),
            )),
            _ => None,
        }
    }

    /// Asks one node for the map, on a short-lived connection with short
    /// timeouts.
    fn probe(&self, endpoint: &Endpoint) -> Result<Topology> {
        let mut config = node_config(&self.options, endpoint, false);
        let short = Duration::from_secs(1);
        config.connect_timeout = Some(config.connect_timeout.map_or(short, |t| t.min(short)));
        config.timeout = Some(Duration::from_secs(2));
        let mut conn = Connection::open(&config).inspect_err(|e| {
            if e.kind() != ErrorKind::Auth {
                self.mark(&self.failing, endpoint.clone());
            }
        })?;
        let reply = match conn.query::<Value>(&Cmd::new("CLUSTER").arg("SHARDS")) {
            Err(e) if e.kind() == ErrorKind::Server => {
                // An older server: CLUSTER SLOTS.
                let slots = conn.query::<Value>(&Cmd::new("CLUSTER").arg("SLOTS"))?;
                return self.parse(&slots, endpoint, false);
            }
            other => other?,
        };
        self.parse(&reply, endpoint, true)
    }

    fn parse(&self, reply: &Value, endpoint: &Endpoint, shards: bool) -> Result<Topology> {
        let parsed = if shards {
            Topology::from_shards(reply, &endpoint.host)
        } else {
            Topology::from_slots(reply, &endpoint.host)
        };
        let mut topology = parsed.map_err(|e| {
            Error::new(
                ErrorKind::Protocol,
                Executed::Yes,
                format!("{endpoint}: {e}"),
            )
            .with_source(e)
        })?;
        if self.options.template.tls.is_some() {
            topology = topology.with_tls_ports();
        }
        Ok(topology)
    }

    /// Makes `topology` the current map; pools of nodes that left close.
    fn install(&self, topology: Topology) {
        {
            let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
            let keep: Vec<Endpoint> = topology
                .nodes()
                .iter()
                .map(|n| n.endpoint.clone())
                .collect();
            state.pools.retain(|endpoint, _| keep.contains(endpoint));
            state.topology = Arc::new(topology);
        }
        *self.fetch_failure.lock().unwrap_or_else(|e| e.into_inner()) = None;
        self.fetches.fetch_add(1, Ordering::Relaxed);
        let mut epoch = self.epoch.lock().unwrap_or_else(|e| e.into_inner());
        *epoch += 1;
        self.refreshed.notify_all();
    }

    /// A `MOVED`: the slot is elsewhere now; fix it at once, and fetch
    /// the whole map (others probably moved too).
    pub fn moved(&self, redirect: &Redirect) {
        let target = Endpoint::new(redirect.host.clone(), redirect.port);
        {
            let mut state = self.state.write().unwrap_or_else(|e| e.into_inner());
            let mut topology = (*state.topology).clone();
            topology.patch(redirect.slot, target);
            state.topology = Arc::new(topology);
        }
        self.request_refresh();
    }
}

/// The kind of error a call gets at once while no map was ever had, from
/// the kinds of error each node asked for one gave (`None`: it answered,
/// with a map that serves nothing): credentials or TLS settings refused by
/// any, every one a standalone server, or none reachable; `None` while a
/// node answered (a cluster still forming is waited for).
fn first_map_failure(kinds: &[Option<ErrorKind>]) -> Option<ErrorKind> {
    let kinds: Vec<ErrorKind> = kinds.iter().copied().collect::<Option<_>>()?;
    let first = *kinds.first()?;
    if let Some(settings) = kinds
        .iter()
        .find(|k| matches!(k, ErrorKind::Auth | ErrorKind::Tls))
    {
        return Some(*settings);
    }
    let unreachable = |k: &ErrorKind| {
        matches!(
            k,
            ErrorKind::Connect | ErrorKind::Timeout | ErrorKind::Io | ErrorKind::Closed
        )
    };
    if kinds.iter().all(|&k| k == ErrorKind::InvalidConfig) || kinds.iter().all(unreachable) {
        return Some(first);
    }
    None
}

/// The settings for one node: the template's, with the node's address
/// (remapped) and, for a replica, `READONLY` in the handshake.
fn node_config(options: &ClusterOptions, endpoint: &Endpoint, replica: bool) -> Config {
    let mut config = options.template.clone();
    let target = match &options.remap {
        Some(remap) => remap(endpoint),
        None => endpoint.clone(),
    };
    if let Some(tls) = &mut config.tls {
        // The certificate names the announced host, not the remapped one.
        if tls.sni.is_none() && target.host != endpoint.host {
            tls.sni = Some(endpoint.host.clone());
        }
    }
    config.addr = Addr::Tcp {
        host: target.host,
        port: target.port,
    };
    config.handshake = std::mem::take(&mut config.handshake).readonly(replica);
    config
}

fn endpoint_of(addr: &Addr) -> Option<Endpoint> {
    match addr {
        Addr::Tcp { host, port } => Some(Endpoint::new(host.clone(), *port)),
        Addr::Unix(_) => None,
    }
}

/// Short pauses for a cluster that is between states: 10 ms doubling to
/// 250 ms, a random part of each.
fn cluster_pause(attempt: u32) -> Duration {
    let full = Duration::from_millis(10).saturating_mul(1 << attempt.saturating_sub(1).min(5));
    let full = full.min(Duration::from_millis(250));
    full / 2 + full.mul_f64(0.5 * jitter())
}

fn jitter() -> f64 {
    use std::collections::hash_map::RandomState;
    use std::hash::{BuildHasher, Hasher};
    let mut h = RandomState::new().build_hasher();
    h.write_u64(Instant::now().elapsed().as_nanos() as u64);
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

impl Router for ClusterRouter {
    fn pool(&self, route: Route<'_>, deadline: Option<Instant>) -> Result<Arc<Pool>> {
        if let Route::Slot(slot, _) = route {
            if self.reads_primaries() {
                if let Some(pool) = self.primary_pool(slot) {
                    return Ok(pool);
                }
            }
        }
        let endpoint = self.endpoint(route, deadline)?;
        Ok(self.pool_for(&endpoint))
    }

    fn observe(&self, addr: &Addr, _epoch: u64, error: &Error) {
        let Some(endpoint) = endpoint_of(addr) else {
            return;
        };
        // Pools are keyed by announced address; a remapped one is found
        // by its target.
        let endpoint = self.announced(&endpoint);
        match error.code() {
            Some(ErrorCode::Moved) => {
                if let Some(redirect) = error.server_error().and_then(|e| e.redirect()) {
                    self.moved(&redirect);
                }
            }
            Some(ErrorCode::ClusterDown | ErrorCode::ReadOnly) => self.request_refresh(),
            Some(ErrorCode::Loading | ErrorCode::MasterDown) => {
                self.mark(&self.loading, endpoint);
            }
            _ => match error.kind() {
                ErrorKind::Connect | ErrorKind::Tls => {
                    self.mark(&self.failing, endpoint);
                    self.request_refresh();
                }
                ErrorKind::Io | ErrorKind::Timeout | ErrorKind::Closed | ErrorKind::Topology => {
                    self.request_refresh()
                }
                _ => {}
            },
        }
    }

    fn connector(&self) -> &Arc<Connector> {
        &self.seed_connector
    }

    fn pools(&self) -> Vec<Arc<Pool>> {
        self.state
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .pools
            .values()
            .cloned()
            .collect()
    }

    fn retry_pause(&self, error: &Error, attempt: u32) -> Option<Duration> {
        match error.code() {
            Some(ErrorCode::TryAgain | ErrorCode::ClusterDown) => Some(cluster_pause(attempt)),
            // A node that refuses connections is most likely failing over:
            // the map will change; wait for it within the call's deadline.
            // Not while there never was a map and no seed can give one: the
            // attempts' own backoff applies, as for a single server.
            _ if matches!(error.kind(), ErrorKind::Topology | ErrorKind::Connect)
                && error.executed() == Executed::No
                && self.first_map_error().is_none() =>
            {
                Some(cluster_pause(attempt))
            }
            _ => None,
        }
    }

    fn bounce_pause(&self, attempt: u32) -> Duration {
        self.request_refresh();
        cluster_pause(attempt)
    }

    fn redirect_pause(&self, redirect: &Redirect) -> Option<Duration> {
        let target = Endpoint::new(redirect.host.clone(), redirect.port);
        (redirect.kind == RedirectKind::Moved && self.just_failed(&target))
            .then_some(FAILOVER_PAUSE)
    }
}

impl ClusterRouter {
    /// The announced endpoint whose remapped address is `target`.
    fn announced(&self, target: &Endpoint) -> Endpoint {
        let Some(remap) = &self.options.remap else {
            return target.clone();
        };
        let topology = self.topology();
        topology
            .nodes()
            .iter()
            .map(|n| &n.endpoint)
            .find(|e| &remap(e) == target)
            .cloned()
            .unwrap_or_else(|| target.clone())
    }
}

/// The refresher: fetches the map when asked, at most once per interval,
/// until the router is gone.
fn refresher(router: Weak<ClusterRouter>, woken: Receiver<()>, interval: Duration) {
    let mut schedule = Refresh::new(interval);
    let mut due: Option<Instant> = None;
    loop {
        let wait = due
            .map(|d| d.saturating_duration_since(Instant::now()))
            .unwrap_or(Duration::from_secs(1));
        match woken.recv_timeout(wait) {
            Ok(()) => {}
            Err(RecvTimeoutError::Timeout) => {
                if due.is_none_or(|d| Instant::now() < d) {
                    if router.strong_count() == 0 {
                        return;
                    }
                    continue;
                }
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
        let Some(router) = router.upgrade() else {
            return;
        };
        match schedule.wanted(Instant::now()) {
            RefreshNow::Start => {
                due = None;
                router.fetch();
                schedule.finished(Instant::now());
                // Nodes still loading (a replica's first sync) are left out
                // of routing until a later map says they are online: look
                // again soon rather than waiting for something to go wrong.
                if router
                    .topology()
                    .nodes()
                    .iter()
                    .any(|n| n.health == Health::Loading)
                {
                    due = Some(Instant::now() + LOADING_RECHECK);
                }
                // Wake waiters even when nothing better was found.
                let mut epoch = router.epoch.lock().unwrap_or_else(|e| e.into_inner());
                *epoch += 1;
                router.refreshed.notify_all();
            }
            RefreshNow::DueAt(at) => due = Some(at),
            RefreshNow::InFlight => {}
        }
    }
}

impl std::fmt::Debug for ClusterRouter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterRouter")
            .field("seeds", &self.options.seeds)
            .field("topology", &self.topology())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_first_map_fails_at_once_only_when_waiting_cannot_help() {
        use ErrorKind::*;
        let of = |kinds: &[Option<ErrorKind>]| first_map_failure(kinds);
        // Settings refused by any seed: that kind, whatever the others said.
        assert_eq!(of(&[Some(Connect), Some(Auth)]), Some(Auth));
        assert_eq!(of(&[Some(Tls)]), Some(Tls));
        // No seed reachable: the first one's kind.
        assert_eq!(of(&[Some(Connect), Some(Timeout)]), Some(Connect));
        // Every seed a standalone server.
        assert_eq!(
            of(&[Some(InvalidConfig), Some(InvalidConfig)]),
            Some(InvalidConfig)
        );
        // A node answered (a cluster still forming), or mixed causes: wait.
        assert_eq!(of(&[None, Some(Auth)]), None);
        assert_eq!(of(&[Some(InvalidConfig), Some(Connect)]), None);
        assert_eq!(of(&[Some(Protocol)]), None);
        assert_eq!(of(&[]), None);
    }
}
