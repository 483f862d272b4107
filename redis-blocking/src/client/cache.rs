//! Client-side caching with RESP3 `CLIENT TRACKING`: a bounded local cache
//! of single-key reads, invalidated by the server.
//!
//! A dedicated RESP3 connection receives the server's invalidation pushes,
//! read by a background thread; the pool's connections turn tracking on
//! with `REDIRECT` to it. When that connection is lost the cache is flushed
//! whole and, until it is back, reads go to the server uncached.

use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, Weak};
use std::thread;
use std::time::{Duration, Instant};

use resp_core::client::Protocol;
use resp_core::Frame;

use crate::connector::Connector;
use crate::events::Event;
use crate::types::Value;
use crate::Cmd;

/// Bounds of the client-side cache.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheOptions {
    /// The most replies kept; the oldest go first.
    pub max_entries: usize,
    /// The longest a reply is served from the cache.
    pub ttl: Duration,
}

impl Default for CacheOptions {
    /// 10,000 entries, one minute.
    fn default() -> Self {
        CacheOptions {
            max_entries: 10_000,
            ttl: Duration::from_secs(60),
        }
    }
}

/// Commands whose reply depends only on one key's value: safe to cache
/// and to invalidate by that key.
const CACHEABLE: &[&str] = &[
    "GET",
    "GETRANGE",
    "SUBSTR",
    "STRLEN",
    "GETBIT",
    "BITCOUNT",
    "BITPOS",
    "HGET",
    "HGETALL",
    "HMGET",
    "HKEYS",
    "HVALS",
    "HLEN",
    "HEXISTS",
    "HSTRLEN",
    "LRANGE",
    "LLEN",
    "LINDEX",
    "LPOS",
    "SMEMBERS",
    "SISMEMBER",
    "SMISMEMBER",
    "SCARD",
    "ZRANGE",
    "ZRANGEBYSCORE",
    "ZRANGEBYLEX",
    "ZREVRANGE",
    "ZREVRANGEBYSCORE",
    "ZREVRANGEBYLEX",
    "ZSCORE",
    "ZMSCORE",
    "ZCARD",
    "ZRANK",
    "ZREVRANK",
    "ZCOUNT",
    "ZLEXCOUNT",
    "EXISTS",
    "TYPE",
    "XLEN",
    "XRANGE",
    "XREVRANGE",
    "PFCOUNT",
    "GEOPOS",
    "GEODIST",
    "GEOHASH",
];

/// The commands of `pipe` that write, owned: a transaction's queued
/// commands, to tell the cache once they ran.
pub(crate) fn writes_of(pipe: &crate::Pipeline<'_>) -> Vec<Vec<Vec<u8>>> {
    (0..pipe.len())
        .map(|i| pipe.args_of(i))
        .filter(|args| !resp_core::command::is_read_only(args))
        .map(|args| args.iter().map(|a| a.to_vec()).collect())
        .collect()
}

/// The key a cacheable command reads, if `cmd` is one.
pub(crate) fn cacheable_key(cmd: &Cmd<'_>) -> Option<Vec<u8>> {
    let name = cmd.name();
    if !CACHEABLE
        .iter()
        .any(|c| name.eq_ignore_ascii_case(c.as_bytes()))
    {
        return None;
    }
    let args: Vec<&[u8]> = cmd.args().collect();
    match resp_core::command::key_positions(&args)[..] {
        [only] => Some(args[only].to_vec()),
        _ => None,
    }
}

/// The cache's identity for a command: its whole argv.
fn argv_key(cmd: &Cmd<'_>) -> Vec<u8> {
    let mut out = Vec::new();
    for arg in cmd.args() {
        out.extend_from_slice(&(arg.len() as u64).to_le_bytes());
        out.extend_from_slice(arg);
    }
    out
}

struct Entry {
    value: Value,
    key: Vec<u8>,
    inserted: Instant,
}

#[derive(Default)]
struct State {
    entries: HashMap<Vec<u8>, Entry>,
    /// Cache identities per Redis key, to invalidate them together.
    by_key: HashMap<Vec<u8>, Vec<Vec<u8>>>,
    /// Insertion order, for eviction.
    order: VecDeque<Vec<u8>>,
    /// Reads in flight per key, and whether the key was invalidated since
    /// they began: their replies must not be cached then.
    pending: HashMap<Vec<u8>, (usize, bool)>,
}

/// One tracking connection's state: the client ID invalidations are
/// redirected to, while it is up, and its generation.
#[derive(Default)]
pub(crate) struct Tracking {
    /// Bumped whenever the tracking connection changes: connections with
    /// another generation must turn tracking on again.
    generation: AtomicU64,
    /// The tracking connection's client ID, while it is up.
    id: Mutex<Option<i64>>,
    online: AtomicBool,
}

impl Tracking {
    /// The tracking target and its generation, while tracking is up.
    pub fn redirect(&self) -> Option<(i64, u64)> {
        let id = (*self.id.lock().ok()?)?;
        self.online
            .load(Ordering::Acquire)
            .then(|| (id, self.generation.load(Ordering::Acquire)))
    }

    /// Still up, with the same connection as at `generation`.
    fn holds(&self, generation: u64) -> bool {
        self.online.load(Ordering::Acquire) && self.generation.load(Ordering::Acquire) == generation
    }
}

/// The shared cache, and the tracking connections that keep it valid: one
/// for a single server, one per node for a cluster.
pub(crate) struct Cache {
    options: CacheOptions,
    state: Mutex<State>,
    /// The single server's tracking (unused for a cluster).
    own: Arc<Tracking>,
    /// A cluster's tracking, per node address.
    nodes: Mutex<HashMap<String, Arc<Tracking>>>,
    hits: AtomicU64,
}

/// A read that may be cached when it completes.
pub(crate) struct Ticket {
    key: Vec<u8>,
    argv: Vec<u8>,
}

impl Cache {
    /// The cache of a single server, with its tracking connection.
    pub fn start(connector: Arc<Connector>, options: CacheOptions) -> Arc<Cache> {
        let cache = Cache::detached(options);
        cache.spawn_tracking(Arc::clone(&cache.own), connector);
        cache
    }

    /// A cache without tracking yet: a cluster's, whose nodes each get
    /// theirs on first use ([`tracking_for`](Cache::tracking_for)).
    pub fn detached(options: CacheOptions) -> Arc<Cache> {
        Arc::new(Cache {
            options,
            state: Mutex::new(State::default()),
            own: Arc::default(),
            nodes: Mutex::new(HashMap::new()),
            hits: AtomicU64::new(0),
        })
    }

    fn spawn_tracking(self: &Arc<Self>, tracking: Arc<Tracking>, connector: Arc<Connector>) {
        let weak = Arc::downgrade(self);
        let spawned = thread::Builder::new()
            .name("redis-tracking".into())
            .spawn(move || track(weak, &tracking, &connector));
        if let Err(e) = spawned {
            log::warn!("client-side caching off: no tracking thread: {e}");
        }
    }

    /// The single server's tracking.
    pub fn own(&self) -> &Arc<Tracking> {
        &self.own
    }

    /// The tracking of the node at `addr`, started on first use with a
    /// connection from `connector`.
    pub fn tracking_for(
        self: &Arc<Self>,
        addr: &crate::config::Addr,
        connector: impl FnOnce() -> Option<Arc<Connector>>,
    ) -> Option<Arc<Tracking>> {
        let key = addr.to_string();
        let mut nodes = self.nodes.lock().ok()?;
        if let Some(tracking) = nodes.get(&key) {
            return Some(Arc::clone(tracking));
        }
        let connector = connector()?;
        let tracking = Arc::new(Tracking::default());
        nodes.insert(key, Arc::clone(&tracking));
        drop(nodes);
        self.spawn_tracking(Arc::clone(&tracking), connector);
        Some(tracking)
    }

    /// Replies served from the cache so far.
    pub fn hits(&self) -> u64 {
        self.hits.load(Ordering::Relaxed)
    }

    /// The server refused to redirect invalidations to `tracking`'s
    /// connection of `generation` (it is on another server, after a
    /// failover): the cache is flushed and serves nothing from that
    /// tracking until it is connected again.
    pub fn tracker_lost(&self, tracking: &Tracking, generation: u64) {
        if tracking.generation.load(Ordering::Acquire) == generation {
            tracking.online.store(false, Ordering::Release);
            self.flush();
        }
    }

    /// The cached reply of `cmd`, or a ticket to cache its reply.
    pub fn lookup(&self, cmd: &Cmd<'_>) -> Result<Value, Option<Ticket>> {
        let Some(key) = cacheable_key(cmd) else {
            return Err(None);
        };
        let argv = argv_key(cmd);
        let Ok(mut state) = self.state.lock() else {
            return Err(None);
        };
        if let Some(entry) = state.entries.get(&argv) {
            if entry.inserted.elapsed() < self.options.ttl {
                self.hits.fetch_add(1, Ordering::Relaxed);
                return Ok(entry.value.clone());
            }
        }
        let pending = state.pending.entry(key.clone()).or_insert((0, false));
        pending.0 += 1;
        Err(Some(Ticket { key, argv }))
    }

    /// Ends a read: caches `value` unless its key changed meanwhile, or
    /// the read did not run on a tracked connection (`tracked`: the
    /// tracking and the generation it was turned on for) still tracked.
    pub fn finish(&self, ticket: Ticket, value: Option<&Value>, tracked: Option<(&Tracking, u64)>) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        let invalidated = match state.pending.get_mut(&ticket.key) {
            Some((count, invalidated)) => {
                *count -= 1;
                let was = *invalidated;
                if *count == 0 {
                    state.pending.remove(&ticket.key);
                }
                was
            }
            None => true,
        };
        let Some(value) = value else { return };
        let tracked = tracked.is_some_and(|(tracking, generation)| tracking.holds(generation));
        if invalidated || !tracked || self.options.max_entries == 0 {
            return;
        }
        while state.entries.len() >= self.options.max_entries {
            let Some(oldest) = state.order.pop_front() else {
                break;
            };
            remove_entry(&mut state, &oldest);
        }
        state
            .by_key
            .entry(ticket.key.clone())
            .or_default()
            .push(ticket.argv.clone());
        state.order.push_back(ticket.argv.clone());
        state.entries.insert(
            ticket.argv,
            Entry {
                value: value.clone(),
                key: ticket.key,
                inserted: Instant::now(),
            },
        );
    }

    /// This client ran `args`: if it writes, what is cached of its keys
    /// goes now (everything, for `FLUSHALL`/`FLUSHDB`), and reads of them
    /// in flight are not cached. The server's own invalidation of the write
    /// reaches the tracking connection later; until then the client would
    /// otherwise read back the value it just replaced.
    pub fn wrote(&self, args: &[&[u8]]) {
        let Some(name) = args.first() else {
            return;
        };
        if resp_core::command::is_read_only(args) {
            return;
        }
        if name.eq_ignore_ascii_case(b"FLUSHALL") || name.eq_ignore_ascii_case(b"FLUSHDB") {
            self.flush();
            return;
        }
        for at in resp_core::command::key_positions(args) {
            self.invalidate(args[at]);
        }
    }

    /// [`wrote`](Cache::wrote) for each command of `pipe`.
    pub fn wrote_pipeline(&self, pipe: &crate::Pipeline<'_>) {
        for i in 0..pipe.len() {
            self.wrote(&pipe.args_of(i));
        }
    }

    /// [`wrote`](Cache::wrote) for commands kept by [`writes_of`].
    pub fn wrote_all(&self, argvs: Vec<Vec<Vec<u8>>>) {
        for argv in argvs {
            self.wrote(&argv.iter().map(Vec::as_slice).collect::<Vec<_>>());
        }
    }

    fn invalidate(&self, key: &[u8]) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        if let Some(argvs) = state.by_key.remove(key) {
            for argv in argvs {
                state.entries.remove(&argv);
            }
        }
        if let Some(pending) = state.pending.get_mut(key) {
            pending.1 = true;
        }
    }

    fn flush(&self) {
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        state.entries.clear();
        state.by_key.clear();
        state.order.clear();
        for pending in state.pending.values_mut() {
            pending.1 = true;
        }
    }

    /// Cached replies now.
    pub fn len(&self) -> usize {
        self.state.lock().map(|s| s.entries.len()).unwrap_or(0)
    }
}

fn remove_entry(state: &mut State, argv: &[u8]) {
    if let Some(entry) = state.entries.remove(argv) {
        if let Some(list) = state.by_key.get_mut(&entry.key) {
            list.retain(|a| a != argv);
            if list.is_empty() {
                state.by_key.remove(&entry.key);
            }
        }
    }
}

/// Runs a tracking connection until the client is gone.
fn track(cache: Weak<Cache>, tracking: &Tracking, connector: &Connector) {
    let resp3 = |config: crate::Config| config.protocol(Protocol::Resp3);
    // Sleep in steps, so the thread ends soon after the client is dropped.
    let mut sleep = |delay: Duration| {
        let until = Instant::now() + delay;
        while Instant::now() < until {
            if cache.strong_count() == 0 {
                return false;
            }
            thread::sleep((until - Instant::now()).min(Duration::from_millis(100)));
        }
        cache.strong_count() > 0
    };
    loop {
        let Some(mut conn) = connector.connect_until_up(&resp3, &mut sleep) else {
            return;
        };
        let started = conn
            .query::<i64>(&Cmd::new("CLIENT").arg("ID"))
            .and_then(|id| {
                conn.start_stream(&Cmd::new("PING"))?;
                Ok(id)
            });
        let id = match started {
            Ok(id) => id,
            Err(e) => {
                connector.emit(Event::Error {
                    addr: conn.addr().clone(),
                    error: format!("tracking connection: {e}"),
                });
                if !sleep(
                    connector
                        .strategy()
                        .delay(1)
                        .unwrap_or(Duration::from_secs(1)),
                ) {
                    return;
                }
                continue;
            }
        };
        if cache.strong_count() == 0 {
            return;
        }
        if let Ok(mut tracker) = tracking.id.lock() {
            *tracker = Some(id);
        }
        tracking.generation.fetch_add(1, Ordering::AcqRel);
        tracking.online.store(true, Ordering::Release);
        log::debug!("client-side caching: tracking connection {id} up");
        // Read invalidations; look at the client every second so the thread
        // ends soon after it is dropped.
        loop {
            let next = conn.next_frame(Some(Duration::from_secs(1)));
            let Some(shared) = cache.upgrade() else {
                return;
            };
            match next {
                Ok(Some(Frame::Push(items)))
                    if items.first().and_then(|f| f.as_bytes()) == Some(b"invalidate") =>
                {
                    match items.get(1) {
                        Some(Frame::Array(keys)) => keys
                            .iter()
                            .filter_map(|k| k.as_bytes())
                            .for_each(|k| shared.invalidate(k)),
                        // A null: everything (FLUSHDB, FLUSHALL).
                        _ => shared.flush(),
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracking.online.store(false, Ordering::Release);
                    shared.flush();
                    connector.emit(Event::Closed {
                        addr: conn.addr().clone(),
                        reason: format!("tracking connection lost, cache flushed: {e}"),
                    });
                    break;
                }
            }
        }
    }
}
