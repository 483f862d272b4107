//! Opening connections, and the one backoff loop.
//!
//! Every connection a client opens goes through its [`Connector`]: the
//! pool's, the subscriber's, the monitor's and the cache tracker's. The
//! connector knows where to connect, reports events, and owns the pause
//! between attempts, [`Backoff`], which the client's call loop uses too.
//!
//! Where to connect is the configured address, or, for a topology that
//! moves (Sentinel), a [`Source`] asked on every connect: it names the
//! server and the role it must confirm in the handshake, numbers its
//! changes (epochs: a pool retires connections of an older epoch), and
//! shuts down every connection left on a server it moved away from (and,
//! when the master only refused a write, the streaming connections of
//! [`Connector::connect_streaming`] and the blocking calls of
//! [`Connector::watch`], which would wait on).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, Weak};
use std::time::{Duration, Instant};

use resp_core::client::{HandshakeError, Role};
use resp_core::sentinel::Endpoint;

use crate::config::{Addr, Config};
use crate::error::{Error, ErrorKind, Result};
use crate::events::{emit, Event, EventHandler};
use crate::retry::ReconnectStrategy;
use crate::Connection;

/// Where the next connection goes, as a [`Source`] says.
#[derive(Debug, Clone)]
pub(crate) struct Target {
    /// The address to connect to (after any remapping).
    pub addr: Addr,
    /// The address as the topology reported it, for [`Rejected`].
    pub origin: Option<Endpoint>,
    /// The role the server must confirm in the handshake.
    pub role: Role,
    /// The source's epoch when it named this target.
    pub epoch: u64,
}

/// A server found in the wrong role during one connect.
#[derive(Debug, Clone)]
pub(crate) struct Rejected {
    pub origin: Endpoint,
    pub why: String,
}

/// A topology that names the server of each new connection.
pub(crate) trait Source: Send + Sync {
    /// The server for the next connection, within `deadline`, passing over
    /// the servers `rejected` during this connect.
    fn target(&self, deadline: Option<Instant>, rejected: &[Rejected]) -> Result<Target>;

    /// A connection to `target` opened and confirmed its role: the epoch
    /// to file it under, or `None` when the topology moved on meanwhile
    /// (the connection must not be used).
    fn confirmed(&self, target: &Target) -> Option<u64>;

    /// A connection to `target` could not be opened.
    fn failed(&self, target: &Target, error: &Error);

    /// The current epoch: connections filed under an older one are retired.
    fn epoch(&self) -> u64;

    /// Waits for `delay`, or less if the topology changes meanwhile.
    fn nap(&self, delay: Duration);

    /// Where connections go now, if known.
    fn current(&self) -> Option<Addr>;

    /// The connections to shut down when the topology moves on.
    fn watched(&self) -> &Watched;
}

/// Sockets to shut down when the topology moves on, so that nothing waits
/// on a server that is no longer the master (one that hangs, for example)
/// and nothing completes there unnoticed.
#[derive(Default)]
pub(crate) struct Watched {
    inner: Arc<Mutex<WatchedInner>>,
}

/// What a watched socket carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Waits {
    /// Calls that end on their own (a pooled connection).
    Briefly,
    /// A stream (subscriber, monitor, tracker) or a blocking call, which
    /// may wait without end.
    Long,
}

#[derive(Default)]
struct WatchedInner {
    next: u64,
    sockets: HashMap<u64, Entry>,
}

struct Entry {
    epoch: u64,
    waits: Waits,
    addr: Addr,
    socket: socket2::Socket,
}

/// A registration in [`Watched`]; dropping it unregisters.
pub(crate) struct Watch {
    registry: Weak<Mutex<WatchedInner>>,
    id: u64,
}

impl Watched {
    /// Registers `socket`, a connection of `epoch` to `addr`.
    pub fn add(&self, epoch: u64, waits: Waits, addr: &Addr, socket: socket2::Socket) -> Watch {
        let mut inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        inner.next += 1;
        let id = inner.next;
        let entry = Entry {
            epoch,
            waits,
            addr: addr.clone(),
            socket,
        };
        inner.sockets.insert(id, entry);
        Watch {
            registry: Arc::downgrade(&self.inner),
            id,
        }
    }

    /// Shuts down the registered connections older than `epoch`, except
    /// those to `keep` (with `all`, every such one; otherwise those that
    /// wait long): their owners' reads and writes fail at once.
    pub fn shut_down_before(&self, epoch: u64, keep: Option<&Addr>, all: bool) -> usize {
        let inner = self.inner.lock().unwrap_or_else(|e| e.into_inner());
        let mut n = 0;
        for entry in inner.sockets.values() {
            if entry.epoch < epoch
                && (all || entry.waits == Waits::Long)
                && Some(&entry.addr) != keep
            {
                let _ = entry.socket.shutdown(std::net::Shutdown::Both);
                n += 1;
            }
        }
        n
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        if let Some(registry) = self.registry.upgrade() {
            let mut inner = registry.lock().unwrap_or_else(|e| e.into_inner());
            inner.sockets.remove(&self.id);
        }
    }
}

/// How long a resolved connect may keep meeting servers in the wrong role
/// when no deadline bounds it.
const ROLE_CONFIRM_BOUND: Duration = Duration::from_secs(10);

/// How long to wait before resolving again when the sentinels named only
/// servers in the wrong role (the Sentinel client specification says "a
/// few hundreds of milliseconds").
const ROLE_RETRY_PAUSE: Duration = Duration::from_millis(200);

/// Opens connections to a client's server.
pub(crate) struct Connector {
    config: Config,
    strategy: ReconnectStrategy,
    events: Option<EventHandler>,
    source: Option<Arc<dyn Source>>,
}

impl Connector {
    pub fn new(
        config: Config,
        strategy: ReconnectStrategy,
        events: Option<EventHandler>,
    ) -> Connector {
        Connector {
            config,
            strategy,
            events,
            source: None,
        }
    }

    /// A connector that asks `source` where each connection goes; `config`
    /// gives every other setting.
    pub fn with_source(
        config: Config,
        strategy: ReconnectStrategy,
        events: Option<EventHandler>,
        source: Arc<dyn Source>,
    ) -> Connector {
        Connector {
            source: Some(source),
            ..Connector::new(config, strategy, events)
        }
    }

    /// The connection settings (for a moving topology, the address in them
    /// is a placeholder: see [`current_addr`](Connector::current_addr)).
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// Where connections go now.
    pub fn current_addr(&self) -> Addr {
        self.source
            .as_ref()
            .and_then(|s| s.current())
            .unwrap_or_else(|| self.config.addr.clone())
    }

    /// The reconnect strategy.
    pub fn strategy(&self) -> &ReconnectStrategy {
        &self.strategy
    }

    /// Reports an event.
    pub fn emit(&self, event: Event) {
        emit(&self.events, event);
    }

    /// The topology's epoch (always 0 for one fixed server).
    pub fn epoch(&self) -> u64 {
        self.source.as_ref().map_or(0, |s| s.epoch())
    }

    /// True when `conn` belongs to an epoch the topology left behind.
    pub fn is_retired(&self, conn: &Connection) -> bool {
        conn.epoch() < self.epoch()
    }

    /// Waits `delay`; for a moving topology, less if it moves meanwhile,
    /// so that calls waiting out a failover go on at once.
    pub fn nap(&self, delay: Duration) {
        match &self.source {
            Some(source) => source.nap(delay),
            None => std::thread::sleep(delay),
        }
    }

    /// Registers `conn` to be shut down if the topology moves on while a
    /// blocking call runs on it; `None` for a fixed server.
    pub fn watch(&self, conn: &Connection) -> Option<Watch> {
        let source = self.source.as_ref()?;
        let socket = conn.shutdown_handle()?;
        Some(
            source
                .watched()
                .add(conn.epoch(), Waits::Long, conn.addr(), socket),
        )
    }

    /// One attempt to open a connection, within `deadline` if it is sooner
    /// than the connect timeout. `adjust` changes the settings for this
    /// connection (a subscriber's protocol, a tracker's).
    pub fn connect_with(
        &self,
        deadline: Option<Instant>,
        adjust: impl Fn(Config) -> Config,
    ) -> Result<Connection> {
        match &self.source {
            None => self.open(adjust(self.config.clone()), deadline, &mut |_| {}),
            Some(source) => self.connect_resolved(&**source, deadline, &adjust, Waits::Briefly),
        }
    }

    /// One attempt to open a connection with the client's settings.
    pub fn connect(&self, deadline: Option<Instant>) -> Result<Connection> {
        self.connect_with(deadline, |c| c)
    }

    /// Opens a connection that will stream (a subscriber, a monitor, a
    /// tracker): for a moving topology, it is shut down whenever the
    /// topology moves on (even when the master only refused a write), so
    /// that its owner finds out at once.
    pub fn connect_streaming(
        &self,
        deadline: Option<Instant>,
        adjust: &dyn Fn(Config) -> Config,
    ) -> Result<Connection> {
        match &self.source {
            None => self.open(adjust(self.config.clone()), deadline, &mut |_| {}),
            Some(source) => self.connect_resolved(&**source, deadline, adjust, Waits::Long),
        }
    }

    /// Opens a connection to `config`'s address, reporting events;
    /// `established` sees it before its handshake.
    fn open(
        &self,
        mut config: Config,
        deadline: Option<Instant>,
        established: &mut dyn FnMut(&Connection),
    ) -> Result<Connection> {
        let addr = config.addr.clone();
        self.emit(Event::Connect { addr: addr.clone() });
        if let Some(deadline) = deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            config.connect_timeout = Some(config.connect_timeout.map_or(left, |t| t.min(left)));
        }
        match Connection::open_with(&config, established) {
            Ok(conn) => {
                self.emit(Event::Ready { addr });
                Ok(conn)
            }
            Err(e) => {
                self.emit(Event::Error {
                    addr,
                    error: e.to_string(),
                });
                Err(e)
            }
        }
    }

    /// Asks `source` where to connect, and connects there, checking the
    /// server's role: a server in the wrong role is passed over and the
    /// source asked again; when it names no other, it is asked again after
    /// a short pause, until `deadline` (or the connect timeout). The
    /// connection is watched from before its handshake to its end: when
    /// the master moves, it is shut down (a stream's or a blocking call's
    /// also when the master only refused a write).
    fn connect_resolved(
        &self,
        source: &dyn Source,
        deadline: Option<Instant>,
        adjust: &dyn Fn(Config) -> Config,
        waits: Waits,
    ) -> Result<Connection> {
        let bound = deadline
            .or_else(|| {
                self.config
                    .connect_timeout
                    .and_then(crate::connection::after)
            })
            .unwrap_or_else(|| Instant::now() + ROLE_CONFIRM_BOUND);
        let mut rejected: Vec<Rejected> = Vec::new();
        let mut superseded = 0;
        loop {
            let target = match source.target(Some(bound), &rejected) {
                Ok(target) => target,
                Err(e) if e.kind() == ErrorKind::MasterNotConfirmed => {
                    // Every sentinel named a server in the wrong role: a
                    // failover may be under way. Ask again shortly.
                    if Instant::now() + ROLE_RETRY_PAUSE >= bound {
                        return Err(e);
                    }
                    source.nap(ROLE_RETRY_PAUSE);
                    rejected.clear();
                    continue;
                }
                Err(e) => return Err(e),
            };
            let mut config = adjust(self.config.clone());
            config.addr = target.addr.clone();
            config.handshake = config.handshake.expect_role(Some(target.role));
            // Watched during the handshake too: one hanging on a server
            // that stopped ends when the topology moves on.
            let mut watch = None;
            let opened = self.open(config, Some(bound), &mut |conn| {
                watch = conn.shutdown_handle().map(|socket| {
                    let watched = source.watched();
                    watched.add(target.epoch, Waits::Briefly, &target.addr, socket)
                });
            });
            match opened {
                Ok(mut conn) => {
                    match source.confirmed(&target) {
                        Some(epoch) => {
                            conn.set_epoch(epoch);
                            // Filed under the epoch it belongs to. (Until
                            // now the first registration covered it.)
                            if let Some(socket) = conn.shutdown_handle() {
                                let watched = source.watched();
                                let watch = watched.add(epoch, waits, &target.addr, socket);
                                conn.attach_watch(watch);
                            }
                            drop(watch);
                            return Ok(conn);
                        }
                        None if superseded < 3 => {
                            // The topology moved while this one opened.
                            superseded += 1;
                            continue;
                        }
                        None => {
                            return Err(Error::new(
                                ErrorKind::Connect,
                                crate::Executed::No,
                                format!(
                                    "{}: the topology kept changing while connecting",
                                    target.addr
                                ),
                            ))
                        }
                    }
                }
                Err(e) => match (e.handshake_error(), &target.origin) {
                    (Some(HandshakeError::RoleMismatch { found, .. }), Some(origin)) => {
                        rejected.push(Rejected {
                            origin: origin.clone(),
                            why: format!("its role is {found}"),
                        });
                    }
                    // The topology moved meanwhile (and may have shut this
                    // one down): resolve again.
                    _ if source.epoch() != target.epoch && superseded < 3 => {
                        superseded += 1;
                    }
                    _ => {
                        source.failed(&target, &e);
                        return Err(e);
                    }
                },
            }
        }
    }

    /// Opens a streaming connection ([`connect_streaming`]), trying again
    /// after the strategy's pauses until one opens. `sleep` waits between
    /// attempts and answers `false` to give up (the owner was closed
    /// meanwhile); then `None`.
    ///
    /// [`connect_streaming`]: Connector::connect_streaming
    pub fn connect_until_up(
        &self,
        adjust: &dyn Fn(Config) -> Config,
        sleep: &mut dyn FnMut(Duration) -> bool,
    ) -> Option<Connection> {
        let mut backoff = Backoff::new(self, u32::MAX, None);
        loop {
            match self.connect_streaming(None, adjust) {
                Ok(conn) => return Some(conn),
                Err(_) => match backoff.next_delay() {
                    Some(delay) if sleep(delay) => {}
                    _ => return None,
                },
            }
        }
    }
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connector")
            .field("config", &self.config)
            .field("strategy", &self.strategy)
            .field("moving", &self.source.is_some())
            .finish()
    }
}

/// The pauses between attempts: the strategy's delays, a bound on the
/// number of attempts, and the deadline of the whole operation.
pub(crate) struct Backoff<'a> {
    connector: &'a Connector,
    max_attempts: u32,
    attempt: u32,
    deadline: Option<Instant>,
}

impl<'a> Backoff<'a> {
    pub fn new(
        connector: &'a Connector,
        max_attempts: u32,
        deadline: Option<Instant>,
    ) -> Backoff<'a> {
        Backoff {
            connector,
            max_attempts,
            attempt: 0,
            deadline,
        }
    }

    /// The pause before the next attempt, reported as an event; `None`
    /// when there is no next attempt (attempts used up, the strategy gave
    /// up, or the pause would pass the deadline).
    pub fn next_delay(&mut self) -> Option<Duration> {
        self.next_delay_of(None)
    }

    /// As [`next_delay`](Backoff::next_delay), pausing `instead` rather
    /// than the strategy's delay when given.
    fn next_delay_of(&mut self, instead: Option<Duration>) -> Option<Duration> {
        self.attempt = self.attempt.saturating_add(1);
        if self.attempt > self.max_attempts {
            return None;
        }
        let delay = match instead {
            Some(delay) => delay,
            None => self.connector.strategy.delay(self.attempt)?,
        };
        if self.deadline.is_some_and(|d| Instant::now() + delay >= d) {
            return None;
        }
        self.connector.emit(Event::Reconnecting {
            attempt: self.attempt,
            delay,
        });
        Some(delay)
    }

    /// Sleeps before the next attempt (less if the topology moves
    /// meanwhile; not at all if it moved since `epoch`, when the attempt
    /// that failed began: the next one goes where it moved at once), or
    /// returns `error` when there is none.
    pub fn pause(&mut self, error: Error, epoch: u64) -> Result<()> {
        self.pause_for(error, epoch, None)
    }

    /// As [`pause`](Backoff::pause), sleeping `instead` rather than the
    /// strategy's delay when given (a cluster's short pauses for
    /// `TRYAGAIN`).
    pub fn pause_for(&mut self, error: Error, epoch: u64, instead: Option<Duration>) -> Result<()> {
        match self.next_delay_of(instead) {
            Some(delay) => {
                if self.connector.epoch() == epoch {
                    self.connector.nap(delay);
                }
                Ok(())
            }
            None => Err(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::io::Read;
    use std::os::unix::net::UnixStream;

    use super::*;

    fn pair() -> (socket2::Socket, UnixStream) {
        let (ours, theirs) = UnixStream::pair().unwrap();
        (
            socket2::Socket::from(std::os::fd::OwnedFd::from(ours)),
            theirs,
        )
    }

    fn shut(peer: &mut UnixStream) -> bool {
        peer.set_nonblocking(true).unwrap();
        matches!(peer.read(&mut [0u8; 1]), Ok(0))
    }

    #[test]
    fn a_move_shuts_down_what_it_left_behind() {
        let watched = Watched::default();
        let old = Addr::parse("10.0.0.1:6379").unwrap();
        let new = Addr::parse("10.0.0.2:6379").unwrap();
        let (s1, mut old_brief) = pair();
        let (s2, mut old_long) = pair();
        let (s3, mut new_brief) = pair();
        let (s4, mut later) = pair();
        let _w1 = watched.add(1, Waits::Briefly, &old, s1);
        let _w2 = watched.add(1, Waits::Long, &old, s2);
        let _w3 = watched.add(1, Waits::Briefly, &new, s3);
        let _w4 = watched.add(2, Waits::Long, &old, s4);
        // A READONLY (same address): only what waits long, and older.
        assert_eq!(watched.shut_down_before(2, None, false), 1);
        assert!(shut(&mut old_long));
        assert!(!shut(&mut old_brief));
        // A move to `new`: everything older, except connections to `new`.
        assert_eq!(watched.shut_down_before(2, Some(&new), true), 2);
        assert!(shut(&mut old_brief));
        assert!(!shut(&mut new_brief));
        assert!(!shut(&mut later));
        // A registration that ends is forgotten.
        drop(_w1);
        assert_eq!(watched.shut_down_before(2, Some(&new), true), 1);
    }
}
