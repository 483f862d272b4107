//! The one watcher thread of a Sentinel client.
//!
//! It subscribes to `+switch-master` on one sentinel (the first one that
//! answers, in the resolver's order) and pings it; a sentinel that stops
//! answering, or drops the subscription, is replaced by the next one. Since
//! messages can be missed (while resubscribing, or when a sentinel's
//! subscription silently dies), it also asks the sentinels for the master
//! every re-check interval, after every (re)subscription, and whenever the
//! client's calls meet a connection error or `READONLY`. An answer that
//! differs from the master in use is confirmed through the client's own
//! connector (a connection that checks the role) before anything moves.

use std::io::Read;
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Weak};
use std::thread;
use std::time::{Duration, Instant};

use resp_core::sentinel::SwitchMaster;
use resp_core::Frame;

use super::resolver::addr_of;
use super::topology::Topology;
use crate::config::Addr;
use crate::connection::streaming::Polled;
use crate::connection::Connection;
use crate::connector::Connector;
use crate::error::{Error, ErrorKind, Executed, Result};
use crate::Cmd;

/// The least time between two re-checks asked for by the client's calls.
const RECHECK_SPACING: Duration = Duration::from_millis(100);

/// Starts the watcher of `topology`; `connector` opens the master
/// connections that confirm a new address.
pub(crate) fn start(topology: &Arc<Topology>, connector: &Arc<Connector>) -> std::io::Result<()> {
    let (wake, poke) = UnixStream::pair()?;
    wake.set_nonblocking(true)?;
    poke.set_nonblocking(true)?;
    topology.set_poke(poke);
    let watcher = Watcher {
        topology: Arc::downgrade(topology),
        connector: Arc::downgrade(connector),
        wake,
        turn: 0,
        last_recheck: None,
    };
    thread::Builder::new()
        .name("redis-sentinel".into())
        .spawn(move || watcher.run())?;
    Ok(())
}

struct Watcher {
    topology: Weak<Topology>,
    connector: Weak<Connector>,
    wake: UnixStream,
    /// Which sentinel to subscribe on next, in the resolver's order.
    turn: usize,
    last_recheck: Option<Instant>,
}

/// Why watching one sentinel ended.
enum End {
    /// The client is gone.
    Stop,
    /// The sentinel failed: on to the next one.
    Rotate,
}

impl Watcher {
    fn run(mut self) {
        let mut failures = 0u32;
        loop {
            let Some(topology) = self.live() else { return };
            let sentinels = topology.resolver().sentinels();
            if sentinels.is_empty() {
                return;
            }
            let sentinel = sentinels[self.turn % sentinels.len()].clone();
            let subscribed = subscribe(&topology, &sentinel);
            drop(topology);
            match subscribed {
                Ok(conn) => {
                    failures = 0;
                    log::debug!("watching sentinel {sentinel}");
                    if let End::Stop = self.watch(conn) {
                        return;
                    }
                }
                Err(e) => {
                    log::debug!("cannot watch sentinel {sentinel}: {e}");
                    failures += 1;
                }
            }
            self.turn += 1;
            // Every sentinel failed in a row: pause before the next round
            // (re-checking meanwhile, since calls may be waiting).
            if failures as usize >= sentinels.len() {
                failures = 0;
                if !self.sleep(Duration::from_millis(500)) {
                    return;
                }
                self.recheck();
            }
        }
    }

    /// The topology, unless the client is gone.
    fn live(&self) -> Option<Arc<Topology>> {
        self.topology.upgrade().filter(|t| !t.stopped())
    }

    /// Sleeps, or less if woken; `false` when the client is gone.
    fn sleep(&mut self, delay: Duration) -> bool {
        let _ = crate::net::wait(
            self.wake.as_raw_fd(),
            true,
            false,
            Some(Instant::now() + delay),
        );
        let _ = self.drain();
        self.live().is_some()
    }

    /// Empties the wake-up pipe; whether anything was in it.
    fn drain(&mut self) -> bool {
        let mut buf = [0u8; 64];
        let mut woken = false;
        while matches!(self.wake.read(&mut buf), Ok(n) if n > 0) {
            woken = true;
        }
        woken
    }

    /// Reads `conn`'s messages, pinging the sentinel and re-checking the
    /// master on schedule, until the sentinel fails or the client is gone.
    fn watch(&mut self, mut conn: Connection) -> End {
        // Messages may have been missed while not subscribed.
        self.recheck();
        let Some((ping_every, silence, recheck_every)) = self.live().map(|t| {
            let config = t.config();
            let timeout = config
                .sentinel
                .timeout
                .unwrap_or(Duration::from_millis(500));
            (config.ping, timeout, config.recheck)
        }) else {
            return End::Stop;
        };
        let mut last_heard = Instant::now();
        let mut ping_sent: Option<Instant> = None;
        let mut next_recheck = Instant::now() + recheck_every;
        loop {
            let now = Instant::now();
            if let Some(sent) = ping_sent {
                if now.duration_since(sent) >= silence {
                    log::debug!("sentinel {} stopped answering PING", conn.addr());
                    return End::Rotate;
                }
            } else if now.duration_since(last_heard) >= ping_every {
                if conn.send_in_stream(&Cmd::new("PING")).is_err() {
                    return End::Rotate;
                }
                ping_sent = Some(now);
            }
            if now >= next_recheck {
                self.recheck();
                next_recheck = Instant::now() + recheck_every;
            }
            let wake_at = [
                Some(next_recheck),
                ping_sent.map(|sent| sent + silence),
                ping_sent.is_none().then(|| last_heard + ping_every),
            ]
            .into_iter()
            .flatten()
            .min()
            .unwrap_or(now + ping_every);
            let wait = wake_at.saturating_duration_since(Instant::now());
            match conn.next_frame_or_wake(Some(wait), Some(self.wake.as_raw_fd())) {
                Ok(Polled::Frame(frame)) => {
                    last_heard = Instant::now();
                    ping_sent = None;
                    if let Err(e) = self.handle(&frame) {
                        log::debug!("sentinel {}: {e}", conn.addr());
                        return End::Rotate;
                    }
                }
                Ok(Polled::TimedOut) => {}
                // A wait with a wake-up pipe that timed out says Woken too.
                Ok(Polled::Woken) if !self.drain() => {}
                Ok(Polled::Woken) => {
                    if self.live().is_none() {
                        return End::Stop;
                    }
                    // A call met a failure: re-check soon, not in a storm.
                    let spaced = self
                        .last_recheck
                        .map_or(Instant::now(), |last| last + RECHECK_SPACING);
                    next_recheck = next_recheck.min(spaced);
                }
                Err(e) => {
                    log::debug!("sentinel {} lost: {e}", conn.addr());
                    return End::Rotate;
                }
            }
            if self.live().is_none() {
                return End::Stop;
            }
        }
    }

    /// Handles one frame of the subscription.
    fn handle(&mut self, frame: &Frame<'_>) -> Result<()> {
        let items = match frame {
            Frame::Array(items) | Frame::Push(items) => items,
            // +PONG (RESP3).
            Frame::Simple(_) => return Ok(()),
            other => {
                return Err(Error::new(
                    ErrorKind::Protocol,
                    Executed::No,
                    format!(
                        "unexpected frame on the +switch-master subscription: {}",
                        crate::types::describe(other)
                    ),
                ))
            }
        };
        let kind = items.first().and_then(Frame::as_bytes);
        match kind {
            Some(b"message") => {}
            // Subscription confirmations, PING replies in RESP2.
            Some(b"subscribe" | b"pong") => return Ok(()),
            _ => {
                return Err(Error::new(
                    ErrorKind::Protocol,
                    Executed::No,
                    "unexpected message on the +switch-master subscription",
                ))
            }
        }
        let (Some(b"+switch-master"), Some(payload)) = (
            items.get(1).and_then(Frame::as_bytes),
            items.get(2).and_then(Frame::as_bytes),
        ) else {
            return Ok(());
        };
        let Some(topology) = self.live() else {
            return Ok(());
        };
        match SwitchMaster::parse(payload) {
            Some(switch) if switch.name == topology.config().master_name => {
                let to = addr_of(topology.config(), &switch.new);
                topology.switch(to, "+switch-master", None);
            }
            Some(_) => {}
            None => log::warn!(
                "malformed +switch-master message: {}",
                String::from_utf8_lossy(payload)
            ),
        }
        Ok(())
    }

    /// Asks the sentinels for the master; a new answer is confirmed by
    /// opening a master connection through the client's connector, which
    /// checks the role and moves the topology.
    fn recheck(&mut self) {
        self.last_recheck = Some(Instant::now());
        let Some(topology) = self.live() else { return };
        let budget = topology
            .config()
            .sentinel
            .timeout
            .unwrap_or(Duration::from_millis(500))
            .saturating_mul(topology.resolver().sentinels().len().max(1) as u32)
            .clamp(Duration::from_secs(1), Duration::from_secs(5));
        let deadline = Instant::now() + budget;
        let named = match topology.resolve_master(Some(deadline), &[], true) {
            Ok(origin) => addr_of(topology.config(), &origin),
            Err(e) => {
                log::debug!("re-check of '{}': {e}", topology.config().master_name);
                return;
            }
        };
        if topology.master().as_ref() == Some(&named) {
            return;
        }
        drop(topology);
        let Some(connector) = self.connector.upgrade() else {
            return;
        };
        confirm(&connector, &named, deadline);
    }
}

/// Opens (and drops) a master connection: the connector resolves, checks
/// the role, and moves the topology to what it confirmed.
fn confirm(connector: &Connector, named: &Addr, deadline: Instant) {
    match connector.connect(Some(deadline)) {
        Ok(conn) => log::debug!("re-check: master confirmed at {}", conn.addr()),
        Err(e) => log::debug!("re-check: the sentinels name {named}, not confirmed: {e}"),
    }
}

/// Opens a connection to `sentinel` and subscribes to `+switch-master`.
fn subscribe(topology: &Topology, sentinel: &Addr) -> Result<Connection> {
    let mut conn = topology.resolver().open(sentinel, None)?;
    let timeout = topology
        .config()
        .sentinel
        .timeout
        .unwrap_or(Duration::from_millis(500));
    conn.start_stream(&Cmd::new("SUBSCRIBE").arg("+switch-master"))?;
    match conn.next_frame(Some(timeout))? {
        Some(Frame::Array(items) | Frame::Push(items))
            if items.first().and_then(Frame::as_bytes) == Some(b"subscribe") =>
        {
            Ok(conn)
        }
        Some(other) => Err(Error::new(
            ErrorKind::Protocol,
            Executed::No,
            format!(
                "{sentinel} answered SUBSCRIBE with {}",
                crate::types::describe(&other)
            ),
        )),
        None => Err(Error::new(
            ErrorKind::Timeout,
            Executed::No,
            format!("{sentinel} did not confirm the subscription within {timeout:?}"),
        )),
    }
}
