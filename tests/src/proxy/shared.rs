//! State shared by the [`Proxy`](super::Proxy) handle and its threads, and
//! the accept loop.

use std::collections::HashMap;
use std::io;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::conn::{self, Budgets, Conn};

/// How often the accept thread checks for shutdown.
const ACCEPT_POLL: Duration = Duration::from_millis(50);

/// Timeout for connecting to the upstream server.
const UPSTREAM_CONNECT_TIMEOUT: Duration = Duration::from_secs(2);

/// Locks `mutex`, ignoring poisoning: the proxy must keep working (and
/// never panic) after a panic elsewhere.
pub(super) fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Flags that threads wait on, under one lock with [`Shared::wake`].
#[derive(Debug, Default)]
pub(super) struct Control {
    pub(super) paused: bool,
    pub(super) stopping: bool,
}

/// Reply delays by command name (upper case) and by key.
#[derive(Debug, Default)]
pub(super) struct Delays {
    pub(super) commands: HashMap<Vec<u8>, Duration>,
    pub(super) keys: HashMap<Vec<u8>, Duration>,
}

impl Delays {
    /// The longest delay matching a command named `name` (upper case) with
    /// arguments `args` (after the name); zero if none does.
    pub(super) fn for_command(&self, name: &[u8], args: &[Vec<u8>]) -> Duration {
        let by_name = self.commands.get(name).copied();
        let by_key = args.iter().filter_map(|arg| self.keys.get(arg).copied());
        by_name.into_iter().chain(by_key).max().unwrap_or_default()
    }
}

/// Counters for assertions.
#[derive(Debug, Default)]
pub(super) struct Stats {
    pub(super) accepted: AtomicU64,
    pub(super) refused: AtomicU64,
    pub(super) upstream_failures: AtomicU64,
    pub(super) commands: AtomicU64,
    pub(super) replies: AtomicU64,
    pub(super) pushes: AtomicU64,
    pub(super) dropped: AtomicU64,
    pub(super) per_command: Mutex<HashMap<String, u64>>,
}

impl Stats {
    pub(super) fn count_command(&self, name: &[u8]) {
        self.commands.fetch_add(1, Ordering::SeqCst);
        let name = String::from_utf8_lossy(name).into_owned();
        *lock(&self.per_command).entry(name).or_default() += 1;
    }
}

/// The live connections and the settings new ones start from.
#[derive(Debug, Default)]
pub(super) struct Registry {
    pub(super) conns: HashMap<u64, Arc<Conn>>,
    next_id: u64,
    /// Bumped by every kill, so that a connection set up during a kill is
    /// closed too.
    kill_epoch: u64,
    /// The cut settings, as given to new connections.
    cut: Budgets,
}

/// Everything the proxy's threads share with its handle.
#[derive(Debug)]
pub(super) struct Shared {
    pub(super) upstream: SocketAddr,
    pub(super) control: Mutex<Control>,
    /// Signalled when `control` changes or a connection closes.
    pub(super) wake: Condvar,
    pub(super) delays: Mutex<Delays>,
    pub(super) registry: Mutex<Registry>,
    /// Forwarding threads, joined on drop.
    pub(super) threads: Mutex<Vec<JoinHandle<()>>>,
    pub(super) refuse: AtomicBool,
    /// Pub/sub channels whose messages are dropped, not forwarded.
    pub(super) dropped_channels: Mutex<Vec<Vec<u8>>>,
    pub(super) stats: Stats,
}

impl Shared {
    pub(super) fn new(upstream: SocketAddr) -> Self {
        Shared {
            upstream,
            control: Mutex::default(),
            wake: Condvar::new(),
            delays: Mutex::default(),
            registry: Mutex::default(),
            threads: Mutex::default(),
            refuse: AtomicBool::new(false),
            dropped_channels: Mutex::default(),
            stats: Stats::default(),
        }
    }

    pub(super) fn set_paused(&self, paused: bool) {
        lock(&self.control).paused = paused;
        self.wake.notify_all();
    }

    pub(super) fn stop(&self) {
        lock(&self.control).stopping = true;
        self.wake.notify_all();
    }

    fn is_stopping(&self) -> bool {
        lock(&self.control).stopping
    }

    /// Sets the given cut budgets (`None`: leave as is) for new connections
    /// and, counted from now, for every existing one.
    pub(super) fn set_cut(&self, reply: Option<u64>, request: Option<u64>) {
        let mut registry = lock(&self.registry);
        registry.cut.reply = reply.or(registry.cut.reply);
        registry.cut.request = request.or(registry.cut.request);
        for conn in registry.conns.values() {
            conn.set_budgets(reply, request);
        }
    }

    pub(super) fn clear_cut(&self) {
        let mut registry = lock(&self.registry);
        registry.cut = Budgets::default();
        for conn in registry.conns.values() {
            conn.clear_budgets();
        }
    }

    /// Closes every registered connection.
    pub(super) fn kill_all(&self) {
        let conns: Vec<Arc<Conn>> = {
            let mut registry = lock(&self.registry);
            registry.kill_epoch += 1;
            registry.conns.values().cloned().collect()
        };
        for conn in conns {
            conn.close(self);
        }
    }

    pub(super) fn unregister(&self, id: u64) {
        lock(&self.registry).conns.remove(&id);
    }

    /// Waits while the proxy is paused; false if `conn` closed meanwhile.
    pub(super) fn wait_unpaused(&self, conn: &Conn) -> bool {
        let mut control = lock(&self.control);
        while control.paused && !conn.is_closed() {
            control = self
                .wake
                .wait(control)
                .unwrap_or_else(PoisonError::into_inner);
        }
        !conn.is_closed()
    }

    /// Sleeps for `delay`; false if `conn` closed meanwhile.
    pub(super) fn sleep(&self, conn: &Conn, delay: Duration) -> bool {
        let deadline = Instant::now() + delay;
        let mut control = lock(&self.control);
        loop {
            if conn.is_closed() {
                return false;
            }
            let now = Instant::now();
            if now >= deadline {
                return true;
            }
            control = self
                .wake
                .wait_timeout(control, deadline - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }
}

/// Accepts clients until the proxy stops.
pub(super) fn accept_loop(shared: &Arc<Shared>, listener: &TcpListener) {
    let port = listener.local_addr().map_or(0, |addr| addr.port());
    while !shared.is_stopping() {
        if !readable(listener) {
            continue;
        }
        let client = match listener.accept() {
            Ok((client, _)) => client,
            Err(_) => {
                // Out of descriptors or an aborted handshake: try again later.
                thread::sleep(ACCEPT_POLL);
                continue;
            }
        };
        if shared.is_stopping() {
            break;
        }
        shared.stats.accepted.fetch_add(1, Ordering::SeqCst);
        if shared.refuse.load(Ordering::SeqCst) {
            shared.stats.refused.fetch_add(1, Ordering::SeqCst);
            drop(client);
            continue;
        }
        setup(shared, client, port);
    }
}

/// Whether a connection is waiting on `listener`, waiting at most
/// [`ACCEPT_POLL`].
fn readable(listener: &TcpListener) -> bool {
    let mut fds = libc::pollfd {
        fd: listener.as_raw_fd(),
        events: libc::POLLIN,
        revents: 0,
    };
    let timeout = ACCEPT_POLL.as_millis() as libc::c_int;
    // SAFETY: `fds` is one valid pollfd for the duration of the call.
    let ready = unsafe { libc::poll(&mut fds, 1, timeout) };
    if ready < 0 && io::Error::last_os_error().kind() != io::ErrorKind::Interrupted {
        thread::sleep(ACCEPT_POLL);
    }
    ready > 0
}

/// Connects `client` to the upstream server and starts forwarding, in
/// threads named `px<port>:<id>>` (requests) and `px<port>:<id><` (replies).
fn setup(shared: &Arc<Shared>, client: TcpStream, port: u16) {
    let epoch = lock(&shared.registry).kill_epoch;
    let Ok(server) = TcpStream::connect_timeout(&shared.upstream, UPSTREAM_CONNECT_TIMEOUT) else {
        shared
            .stats
            .upstream_failures
            .fetch_add(1, Ordering::SeqCst);
        return;
    };
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let conn = {
        let mut registry = lock(&shared.registry);
        if registry.kill_epoch != epoch {
            return;
        }
        let id = registry.next_id;
        registry.next_id += 1;
        let conn = Arc::new(Conn::new(id, client, server, registry.cut));
        registry.conns.insert(id, Arc::clone(&conn));
        conn
    };
    let mut threads = lock(&shared.threads);
    threads.retain(|thread| !thread.is_finished());
    for direction in [conn::Direction::Request, conn::Direction::Reply] {
        let (thread_shared, thread_conn) = (Arc::clone(shared), Arc::clone(&conn));
        let arrow = match direction {
            conn::Direction::Request => '>',
            conn::Direction::Reply => '<',
        };
        let name = format!("px{port}:{}{arrow}", conn.id);
        let spawned = thread::Builder::new()
            .name(name)
            .spawn(move || conn::forward(&thread_shared, &thread_conn, direction));
        match spawned {
            Ok(thread) => threads.push(thread),
            // The thread that did start sees the close and exits.
            Err(_) => {
                conn.close(shared);
                conn.thread_done(shared);
            }
        }
    }
}
