//! State shared by the [`Proxy`](crate::Proxy) handle, its listeners, its
//! connections and its admin listener.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;

use crate::faults::{Fault, FaultSet};
use crate::poll::Waker;
use crate::stats::{ConnStats, FaultStats, Stats};

/// Locks `mutex`, ignoring poisoning: the proxy keeps working after a
/// panic elsewhere.
pub(crate) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// One live connection, as [`Proxy::connections`](crate::Proxy::connections)
/// reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionInfo {
    /// The connection's number (1, 2, ... per proxy).
    pub id: u64,
    /// The client's address.
    pub client: SocketAddr,
    /// The proxy's listener it came in on.
    pub listen: SocketAddr,
    /// The server it is forwarded to.
    pub upstream: SocketAddr,
    /// The proxy's own address on its connection to the server (what the
    /// server's `CLIENT LIST` shows), once connected.
    pub upstream_local: Option<SocketAddr>,
}

/// What the proxy knows of one live connection.
#[derive(Debug)]
pub(crate) struct ConnHandle {
    pub(crate) id: u64,
    pub(crate) info: Mutex<ConnectionInfo>,
    pub(crate) waker: Waker,
    pub(crate) killed: AtomicBool,
    pub(crate) stats: Mutex<ConnStats>,
}

impl ConnHandle {
    pub(crate) fn kill(&self) {
        self.killed.store(true, Ordering::SeqCst);
        self.waker.wake();
    }

    pub(crate) fn is_killed(&self) -> bool {
        self.killed.load(Ordering::SeqCst)
    }
}

/// One listener: where it listens, where it forwards to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Route {
    /// The proxy's address for clients.
    pub listen: SocketAddr,
    /// The server behind it.
    pub upstream: SocketAddr,
}

/// Everything the proxy's threads share.
#[derive(Debug)]
pub(crate) struct Shared {
    faults: Mutex<Arc<FaultSet>>,
    /// Bumped by every change of `faults`: connections compare it on
    /// every event, and take the new set when it moved.
    version: AtomicU64,
    auto_names: AtomicU64,
    pub(crate) paused: AtomicBool,
    pub(crate) stopping: AtomicBool,
    pub(crate) refuse: AtomicBool,
    pub(crate) conns: Mutex<HashMap<u64, Arc<ConnHandle>>>,
    next_id: AtomicU64,
    /// Connection and listener threads, joined on drop.
    pub(crate) threads: Mutex<Vec<JoinHandle<()>>>,
    /// Wakers of the listener and admin threads.
    pub(crate) listener_wakers: Mutex<Vec<Waker>>,
    pub(crate) accepted: AtomicU64,
    pub(crate) refused: AtomicU64,
    pub(crate) upstream_failures: AtomicU64,
    /// Counters of connections gone.
    pub(crate) retired: Mutex<ConnStats>,
    pub(crate) routes: Mutex<Vec<Route>>,
    /// Admin connections, shut down on drop.
    pub(crate) admin_conns: Mutex<HashMap<u64, std::net::TcpStream>>,
    /// Held while a listener is opened for a newly seen node.
    pub(crate) opening: Mutex<()>,
    /// Cluster-aware mode: rewrite addresses, open listeners for new nodes.
    pub(crate) cluster: bool,
    /// Seeds each connection's random source.
    pub(crate) seed: u64,
    /// Pub/sub channels whose messages are dropped.
    pub(crate) dropped: Dropped,
}

/// Pub/sub channels whose messages the proxy swallows, for tests of a
/// subscriber that silently misses some.
#[derive(Debug, Default)]
pub(crate) struct Dropped {
    channels: Mutex<Vec<Vec<u8>>>,
    /// Set once a channel is listed: frames outside replies are then held
    /// until complete, to be judged whole.
    pub(crate) active: AtomicBool,
    pub(crate) count: AtomicU64,
}

impl Dropped {
    pub(crate) fn add(&self, channel: &[u8]) {
        lock(&self.channels).push(channel.to_vec());
        self.active.store(true, Ordering::SeqCst);
    }

    /// Whether `frame` is a `message` or `pmessage` of a dropped channel
    /// (a RESP2 array or a RESP3 push); counts it if so.
    pub(crate) fn drops(&self, frame: &resp_core::Frame<'_>) -> bool {
        use resp_core::Frame;
        if !self.active.load(Ordering::SeqCst) {
            return false;
        }
        let items = match frame {
            Frame::Array(items) | Frame::Push(items) => items,
            _ => return false,
        };
        let channel = match items.first().and_then(Frame::as_bytes) {
            Some(b"message") => items.get(1),
            Some(b"pmessage") => items.get(2),
            _ => None,
        };
        let Some(channel) = channel.and_then(Frame::as_bytes) else {
            return false;
        };
        let dropped = lock(&self.channels).iter().any(|c| c.as_slice() == channel);
        if dropped {
            self.count.fetch_add(1, Ordering::SeqCst);
        }
        dropped
    }
}

impl Shared {
    pub(crate) fn new(faults: FaultSet, cluster: bool) -> Shared {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
            ^ u64::from(std::process::id());
        Shared {
            faults: Mutex::new(Arc::new(faults)),
            version: AtomicU64::new(0),
            auto_names: AtomicU64::new(1),
            paused: AtomicBool::new(false),
            stopping: AtomicBool::new(false),
            refuse: AtomicBool::new(false),
            conns: Mutex::default(),
            next_id: AtomicU64::new(1),
            threads: Mutex::default(),
            listener_wakers: Mutex::default(),
            accepted: AtomicU64::new(0),
            refused: AtomicU64::new(0),
            upstream_failures: AtomicU64::new(0),
            retired: Mutex::default(),
            routes: Mutex::default(),
            opening: Mutex::default(),
            admin_conns: Mutex::default(),
            cluster,
            seed,
            dropped: Dropped::default(),
        }
    }

    /// The current fault set.
    pub(crate) fn faults(&self) -> Arc<FaultSet> {
        Arc::clone(&lock(&self.faults))
    }

    /// The current fault set and its version.
    pub(crate) fn faults_versioned(&self) -> (Arc<FaultSet>, u64) {
        let faults = lock(&self.faults);
        (Arc::clone(&faults), self.version.load(Ordering::SeqCst))
    }

    /// The version of the fault set.
    pub(crate) fn version(&self) -> u64 {
        self.version.load(Ordering::SeqCst)
    }

    /// Changes the fault set atomically with `change`, then wakes every
    /// connection so that idle ones apply it too. Returns what `change`
    /// returned.
    pub(crate) fn change_faults<T>(&self, change: impl FnOnce(&mut FaultSet) -> T) -> T {
        let result;
        let down;
        {
            let mut faults = lock(&self.faults);
            let mut next = FaultSet::clone(&faults);
            result = change(&mut next);
            down = next.down;
            *faults = Arc::new(next);
            self.version.fetch_add(1, Ordering::SeqCst);
        }
        if down {
            log::info!("proxy is down: closing every connection");
        }
        self.wake_all();
        result
    }

    /// Names the unnamed faults `fault-<n>`, skipping names in use.
    pub(crate) fn name_faults(&self, faults: &mut [Fault]) {
        let current = self.faults();
        for fault in faults.iter_mut().filter(|f| !f.is_named()) {
            loop {
                let n = self.auto_names.fetch_add(1, Ordering::Relaxed);
                let name = format!("fault-{n}");
                if !current.contains(&name) {
                    fault.set_name(name);
                    break;
                }
            }
        }
    }

    /// Adds (or replaces, by name) `faults`, all at once.
    pub(crate) fn add_faults(&self, mut faults: Vec<Fault>) -> Vec<String> {
        self.name_faults(&mut faults);
        let names: Vec<String> = faults.iter().map(|f| f.name().to_string()).collect();
        for fault in &faults {
            log::info!("fault {:?} added", fault.name());
        }
        self.change_faults(move |set| {
            for fault in faults {
                set.upsert(fault);
            }
        });
        names
    }

    pub(crate) fn wake_all(&self) {
        for conn in lock(&self.conns).values() {
            conn.waker.wake();
        }
    }

    pub(crate) fn set_paused(&self, paused: bool) {
        self.paused.store(paused, Ordering::SeqCst);
        self.wake_all();
    }

    pub(crate) fn is_paused(&self) -> bool {
        self.paused.load(Ordering::SeqCst)
    }

    pub(crate) fn is_stopping(&self) -> bool {
        self.stopping.load(Ordering::SeqCst)
    }

    /// Whether new connections are closed at once.
    pub(crate) fn refusing(&self) -> bool {
        self.refuse.load(Ordering::SeqCst) || lock(&self.faults).down
    }

    /// Registers a new connection from `client` to `route`.
    pub(crate) fn register(
        &self,
        waker: Waker,
        client: SocketAddr,
        route: Route,
    ) -> Arc<ConnHandle> {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let handle = Arc::new(ConnHandle {
            id,
            info: Mutex::new(ConnectionInfo {
                id,
                client,
                listen: route.listen,
                upstream: route.upstream,
                upstream_local: None,
            }),
            waker,
            killed: AtomicBool::new(false),
            stats: Mutex::default(),
        });
        lock(&self.conns).insert(handle.id, Arc::clone(&handle));
        handle
    }

    /// Forgets a connection that ended, keeping its counters.
    pub(crate) fn unregister(&self, handle: &ConnHandle) {
        let stats = std::mem::take(&mut *lock(&handle.stats));
        lock(&self.retired).merge(&stats);
        lock(&self.conns).remove(&handle.id);
    }

    /// Every live connection, by id.
    pub(crate) fn connections(&self) -> Vec<ConnectionInfo> {
        let mut all: Vec<ConnectionInfo> =
            lock(&self.conns).values().map(|c| *lock(&c.info)).collect();
        all.sort_by_key(|c| c.id);
        all
    }

    /// Closes every connection; how many there were.
    pub(crate) fn kill_all(&self) -> usize {
        let conns = lock(&self.conns);
        for conn in conns.values() {
            conn.kill();
        }
        conns.len()
    }

    /// Applies `f` to the counters of every connection, live and gone.
    pub(crate) fn each_stats(&self, mut f: impl FnMut(&ConnStats)) {
        f(&lock(&self.retired));
        let conns: Vec<Arc<ConnHandle>> = lock(&self.conns).values().cloned().collect();
        for conn in conns {
            f(&lock(&conn.stats));
        }
    }

    /// A snapshot of every counter.
    pub(crate) fn stats(&self) -> Stats {
        let mut stats = Stats {
            connections_accepted: self.accepted.load(Ordering::SeqCst),
            connections_refused: self.refused.load(Ordering::SeqCst),
            upstream_failures: self.upstream_failures.load(Ordering::SeqCst),
            connections_open: lock(&self.conns).len() as u64,
            ..Stats::default()
        };
        self.each_stats(|s| {
            stats.commands += s.commands;
            stats.replies += s.replies;
            stats.pushes += s.pushes;
            s.add_to(&mut stats.per_command);
        });
        let faults = self.faults();
        for rule in faults.rules() {
            stats.faults.push(FaultStats {
                name: rule.name().to_string(),
                kind: "rule".into(),
                matched: rule.matched(),
                applied: rule.applied(),
            });
        }
        for toxic in faults.toxics() {
            stats.faults.push(FaultStats {
                name: toxic.name().to_string(),
                kind: toxic.kind().type_name().into(),
                matched: 0,
                applied: toxic.applied(),
            });
        }
        stats
    }

    /// Where the proxy listens for `upstream`, if it does.
    pub(crate) fn listener_for(&self, upstream: SocketAddr) -> Option<SocketAddr> {
        lock(&self.routes)
            .iter()
            .find(|r| r.upstream == upstream)
            .map(|r| r.listen)
    }
}
