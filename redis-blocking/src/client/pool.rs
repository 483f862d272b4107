//! The connection pool: idle connections and permits to open new ones,
//! each in a `crossbeam-channel`.
//!
//! At rest, idle connections plus permits plus connections lent out equal
//! the pool's size. A checkout takes an idle connection if there is one,
//! otherwise a permit (and opens a connection with it), otherwise waits for
//! whichever comes back first. A connection that comes back broken, too
//! old, or with session state that cannot be undone is closed and its
//! permit returned.
//!
//! When the connector's topology moves on (a Sentinel failover), its epoch
//! changes: [`Pool::retire`] closes the idle connections at once, and a
//! connection of an older epoch is closed when it comes back, never lent
//! again.

use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Weak};
use std::thread;
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, select, Receiver, RecvTimeoutError, Sender};

use crate::connector::Connector;
use crate::error::{Error, ErrorKind, Executed, Result};
use crate::events::Event;
use crate::Connection;

/// Pool settings.
#[derive(Debug, Clone)]
pub(crate) struct PoolOptions {
    pub max_size: usize,
    pub min_idle: usize,
    pub checkout_timeout: Option<Duration>,
    pub idle_timeout: Option<Duration>,
    pub max_lifetime: Option<Duration>,
}

/// Connections are boxed: they move between the channel, the guard and
/// back on every call, and a pointer moves cheaper than the struct.
struct Idle {
    conn: Box<Connection>,
    since: Instant,
}

pub(crate) struct Pool {
    pub connector: Arc<Connector>,
    pub options: PoolOptions,
    idle_tx: Sender<Idle>,
    idle_rx: Receiver<Idle>,
    permit_tx: Sender<()>,
    permit_rx: Receiver<()>,
    /// Dropped with the pool, which wakes and ends the maintenance thread.
    _stop: Sender<()>,
}

impl Pool {
    pub fn new(connector: Arc<Connector>, options: PoolOptions) -> Arc<Pool> {
        let size = options.max_size.max(1);
        let (idle_tx, idle_rx) = bounded(size);
        let (permit_tx, permit_rx) = bounded(size);
        for _ in 0..size {
            let _ = permit_tx.send(());
        }
        let (stop_tx, stop_rx) = bounded::<()>(0);
        let pool = Arc::new(Pool {
            connector,
            options,
            idle_tx,
            idle_rx,
            permit_tx,
            permit_rx,
            _stop: stop_tx,
        });
        let weak = Arc::downgrade(&pool);
        let spawned = thread::Builder::new()
            .name("redis-pool".into())
            .spawn(move || maintain(weak, stop_rx));
        if let Err(e) = spawned {
            log::warn!("no pool maintenance thread: {e}");
        }
        pool
    }

    /// The server this pool connects to.
    pub fn addr(&self) -> &crate::config::Addr {
        &self.connector.config().addr
    }

    /// Closes every idle connection of an epoch the connector left behind,
    /// now; lent ones are closed when they come back.
    pub fn retire(&self) {
        for _ in 0..self.idle_rx.len() {
            let Ok(idle) = self.idle_rx.try_recv() else {
                break;
            };
            if self.connector.is_retired(&idle.conn) {
                self.close(idle.conn, "the master changed");
            } else if let Err(back) = self.idle_tx.try_send(idle) {
                self.close(back.into_inner().conn, "pool full");
            }
        }
    }

    /// Connections idle now.
    pub fn idle(&self) -> usize {
        self.idle_rx.len()
    }

    /// Connections open now: idle and lent out.
    pub fn open(&self) -> usize {
        self.options.max_size.max(1) - self.permit_rx.len()
    }

    /// Lends a connection, waiting until `deadline` at most.
    ///
    /// # Errors
    ///
    /// The real cause when opening a connection fails (refused, wrong
    /// password, ...), or [`ErrorKind::PoolTimeout`] when every connection
    /// stayed busy.
    pub fn checkout(self: &Arc<Pool>, deadline: Option<Instant>) -> Result<Pooled> {
        let deadline = match (deadline, self.options.checkout_timeout) {
            (Some(d), Some(t)) => Some(crate::connection::after(t).map_or(d, |c| d.min(c))),
            (d, t) => d.or_else(|| t.and_then(crate::connection::after)),
        };
        loop {
            if let Ok(idle) = self.idle_rx.try_recv() {
                if let Some(pooled) = self.revive(idle) {
                    return Ok(pooled);
                }
                continue;
            }
            if self.permit_rx.try_recv().is_ok() {
                return self.open_with_permit(deadline);
            }
            let timeout = match deadline {
                Some(d) => d.saturating_duration_since(Instant::now()),
                None => Duration::from_secs(3600),
            };
            select! {
                recv(self.idle_rx) -> idle => {
                    if let Some(pooled) = idle.ok().and_then(|idle| self.revive(idle)) {
                        return Ok(pooled);
                    }
                }
                recv(self.permit_rx) -> permit => {
                    if permit.is_ok() {
                        return self.open_with_permit(deadline);
                    }
                }
                default(timeout) => {
                    if deadline.is_some_and(|d| Instant::now() >= d) {
                        return Err(Error::new(
                            ErrorKind::PoolTimeout,
                            Executed::No,
                            format!("all {} pooled connections stayed busy", self.options.max_size),
                        ));
                    }
                }
            }
        }
    }

    /// Checks an idle connection before lending it; closes it if it is
    /// expired. (A connection the server closed while it was idle is found
    /// out by the call itself, before it writes anything.)
    fn revive(self: &Arc<Pool>, idle: Idle) -> Option<Pooled> {
        if let Some(reason) = self.expired(&idle) {
            self.close(idle.conn, reason);
            return None;
        }
        Some(Pooled {
            conn: Some(idle.conn),
            pool: Arc::clone(self),
        })
    }

    fn expired(&self, idle: &Idle) -> Option<&'static str> {
        if idle.conn.is_broken() {
            return Some("broken");
        }
        if self.connector.is_retired(&idle.conn) {
            return Some("the master changed");
        }
        if self
            .options
            .idle_timeout
            .is_some_and(|t| idle.since.elapsed() >= t)
        {
            return Some("idle timeout");
        }
        if self
            .options
            .max_lifetime
            .is_some_and(|t| idle.conn.created().elapsed() >= t)
        {
            return Some("max lifetime");
        }
        None
    }

    fn open_with_permit(self: &Arc<Pool>, deadline: Option<Instant>) -> Result<Pooled> {
        match self.connect(deadline) {
            Ok(conn) => Ok(Pooled {
                conn: Some(Box::new(conn)),
                pool: Arc::clone(self),
            }),
            Err(e) => {
                let _ = self.permit_tx.send(());
                Err(e)
            }
        }
    }

    /// Opens a connection, within `deadline` if it is sooner than the
    /// connect timeout.
    fn connect(&self, deadline: Option<Instant>) -> Result<Connection> {
        self.connector.connect(deadline)
    }

    fn close(&self, conn: Box<Connection>, reason: &str) {
        self.connector.emit(Event::Closed {
            addr: conn.addr().clone(),
            reason: reason.to_owned(),
        });
        drop(conn);
        let _ = self.permit_tx.send(());
    }

    /// Takes a connection back, if it is fit to be lent again.
    fn put_back(&self, mut conn: Box<Connection>) {
        if thread::panicking() {
            return self.close(conn, "a panic happened while it was lent out");
        }
        if conn.is_broken() {
            let reason = conn
                .closed_reason()
                .unwrap_or("a call was abandoned mid-way")
                .to_owned();
            return self.close(conn, &reason);
        }
        if self.connector.is_retired(&conn) {
            return self.close(conn, "the master changed while it was lent out");
        }
        if conn.is_streaming() {
            // Subscribed or monitoring: it cannot run regular calls again.
            return self.close(conn, "it was left in streaming mode (subscribe, monitor)");
        }
        conn.restore_settings();
        if conn.has_session_state() {
            if let Err(e) = conn.reset_session() {
                return self.close(conn, &format!("session state could not be reset: {e}"));
            }
        }
        let idle = Idle {
            conn,
            since: Instant::now(),
        };
        if let Err(returned) = self.idle_tx.try_send(idle) {
            // Cannot happen while the permit count is right; stay safe.
            self.close(returned.into_inner().conn, "pool full");
        }
    }
}

/// Closes expired idle connections and keeps `min_idle` open, until the
/// pool is gone.
fn maintain(pool: Weak<Pool>, stop: Receiver<()>) {
    loop {
        let interval = match pool.upgrade() {
            Some(pool) => {
                pool.sweep();
                pool.options
                    .idle_timeout
                    .map_or(Duration::from_secs(1), |t| {
                        (t / 2).min(Duration::from_secs(1))
                    })
            }
            None => return,
        };
        match stop.recv_timeout(interval.max(Duration::from_millis(10))) {
            Err(RecvTimeoutError::Timeout) => {}
            _ => return,
        }
    }
}

impl Pool {
    fn sweep(&self) {
        // Look at each idle connection once.
        for _ in 0..self.idle_rx.len() {
            let Ok(idle) = self.idle_rx.try_recv() else {
                break;
            };
            match self.expired(&idle) {
                Some(reason) => self.close(idle.conn, reason),
                None => {
                    if let Err(back) = self.idle_tx.try_send(idle) {
                        self.close(back.into_inner().conn, "pool full");
                    }
                }
            }
        }
        while self.idle_rx.len() < self.options.min_idle && self.permit_rx.try_recv().is_ok() {
            match self.connect(None) {
                Ok(conn) => {
                    let idle = Idle {
                        conn: Box::new(conn),
                        since: Instant::now(),
                    };
                    if let Err(back) = self.idle_tx.try_send(idle) {
                        self.close(back.into_inner().conn, "pool full");
                    }
                }
                Err(_) => {
                    let _ = self.permit_tx.send(());
                    break;
                }
            }
        }
    }
}

/// A connection lent by a [`Client`](crate::Client); it goes back to the
/// pool when dropped (or is closed, if a failure or a panic left it unfit).
pub struct Pooled {
    conn: Option<Box<Connection>>,
    pool: Arc<Pool>,
}

impl Pooled {
    /// Closes the connection instead of returning it to the pool.
    pub fn detach(mut self) -> Connection {
        let _ = self.pool.permit_tx.send(());
        *self
            .conn
            .take()
            .expect("a lent connection is present until dropped")
    }
}

impl Deref for Pooled {
    type Target = Connection;

    fn deref(&self) -> &Connection {
        self.conn
            .as_ref()
            .expect("a lent connection is present until dropped")
    }
}

impl DerefMut for Pooled {
    fn deref_mut(&mut self) -> &mut Connection {
        self.conn
            .as_mut()
            .expect("a lent connection is present until dropped")
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            self.pool.put_back(conn);
        }
    }
}

impl std::fmt::Debug for Pooled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Pooled").field(&self.conn).finish()
    }
}
