//! What a Sentinel client knows: the master now, the epoch of that
//! knowledge, and what to do when it changes. The connectors ask it where
//! to connect ([`MasterSource`], [`ReplicaSource`]); the watcher and the
//! client's call loop tell it what they learn.

use std::io::Write;
use std::os::unix::net::UnixStream;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, Weak};
use std::time::{Duration, Instant};

use resp_core::client::Role;
use resp_core::sentinel::{Endpoint, Query};

use super::config::{ReplicaSelect, SentinelConfig};
use super::resolver::{addr_of, Resolver};
use crate::client::pool::Pool;
use crate::config::Addr;
use crate::connector::{Rejected, Source, Target, Watched};
use crate::error::{Error, ErrorCode, ErrorKind, Executed, Result};
use crate::events::{emit, Event, EventHandler};

#[derive(Default)]
struct State {
    /// The master, once known.
    master: Option<Addr>,
    /// Bumped by every change of master, and when the master refuses
    /// writes (`READONLY`): connections of an older epoch are retired.
    epoch: u64,
    /// The epoch of the last `READONLY`.
    invalidated: u64,
}

/// The shared knowledge of one Sentinel client.
pub(crate) struct Topology {
    resolver: Resolver,
    state: Mutex<State>,
    /// Signalled when the epoch changes.
    changed: Condvar,
    watched: Watched,
    pools: Mutex<Vec<Weak<Pool>>>,
    events: Option<EventHandler>,
    /// Wakes the watcher: a re-check is wanted, or it must stop.
    poke: Mutex<Option<UnixStream>>,
    stop: AtomicBool,
    /// Sentinels were discovered at least once.
    discovered: AtomicBool,
}

impl Topology {
    pub fn new(config: SentinelConfig, events: Option<EventHandler>) -> Topology {
        Topology {
            resolver: Resolver::new(config),
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
            watched: Watched::default(),
            pools: Mutex::new(Vec::new()),
            events,
            poke: Mutex::new(None),
            stop: AtomicBool::new(false),
            discovered: AtomicBool::new(false),
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    pub fn resolver(&self) -> &Resolver {
        &self.resolver
    }

    pub fn config(&self) -> &SentinelConfig {
        self.resolver.config()
    }

    /// Pools to retire connections from on a change.
    pub fn add_pool(&self, pool: &Arc<Pool>) {
        self.pools
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(Arc::downgrade(pool));
    }

    /// The watcher's wake-up pipe.
    pub fn set_poke(&self, pipe: UnixStream) {
        *self.poke.lock().unwrap_or_else(|e| e.into_inner()) = Some(pipe);
    }

    pub fn stopped(&self) -> bool {
        self.stop.load(Ordering::Acquire)
    }

    /// Asks the watcher to re-check the master now.
    pub fn poke(&self) {
        if let Some(pipe) = self.poke.lock().unwrap_or_else(|e| e.into_inner()).as_mut() {
            let _ = pipe.write(&[1]);
        }
    }

    pub fn master(&self) -> Option<Addr> {
        self.state().master.clone()
    }

    pub fn epoch(&self) -> u64 {
        self.state().epoch
    }

    /// Asks the sentinels for the master (discovering sentinels the first
    /// time, or when `discover`).
    pub fn resolve_master(
        &self,
        deadline: Option<Instant>,
        rejected: &[Rejected],
        discover: bool,
    ) -> Result<Endpoint> {
        let rejected: Vec<(Endpoint, String)> = rejected
            .iter()
            .map(|r| (r.origin.clone(), r.why.clone()))
            .collect();
        let discover = discover || !self.discovered.swap(true, Ordering::AcqRel);
        let found = self
            .resolver
            .resolve(Query::Master, deadline, &rejected, discover)?;
        found.master.ok_or_else(|| {
            Error::new(
                ErrorKind::Protocol,
                Executed::No,
                "a sentinel's answer had no master address",
            )
        })
    }

    /// Makes `to` the master, unless it is already (then the current
    /// epoch), or the epoch is no longer `expected` (someone else moved on
    /// meanwhile: `None`, unless to `to` itself and without a `READONLY`
    /// since). On a change: a new epoch, idle pooled connections closed,
    /// every connection to another server shut down, waiting calls woken.
    pub fn switch(&self, to: Addr, cause: &str, expected: Option<u64>) -> Option<u64> {
        let (from, epoch) = {
            let mut state = self.state();
            if let Some(expected) = expected.filter(|e| *e != state.epoch) {
                let same = state.master.as_ref() == Some(&to) && state.invalidated <= expected;
                return same.then_some(state.epoch);
            }
            if state.master.as_ref() == Some(&to) {
                return Some(state.epoch);
            }
            let from = state.master.replace(to.clone());
            state.epoch += 1;
            (from, state.epoch)
        };
        let name = self.config().master_name.clone();
        emit(
            &self.events,
            Event::MasterChanged {
                name,
                from,
                to: to.clone(),
                cause: cause.to_owned(),
            },
        );
        self.moved_on(epoch, Some(&to), true);
        Some(epoch)
    }

    /// The master refused a write (`READONLY`) on a connection of `epoch`:
    /// it is no master now. Every connection is retired, to be opened again
    /// with a role check, and the watcher re-checks at once. Once per
    /// epoch, however many calls saw it.
    pub fn invalidate(&self, epoch: u64, cause: &str) {
        let epoch = {
            let mut state = self.state();
            if state.epoch != epoch {
                return;
            }
            state.epoch += 1;
            state.invalidated = state.epoch;
            state.epoch
        };
        log::info!(
            "master '{}' at {:?} {cause}: connections retired, re-resolving",
            self.config().master_name,
            self.master()
        );
        // Calls in flight there get their own READONLY: only the streams
        // and blocking calls, which would wait on, are shut down.
        self.moved_on(epoch, None, false);
        self.poke();
    }

    fn moved_on(&self, epoch: u64, keep: Option<&Addr>, all: bool) {
        let pools: Vec<Arc<Pool>> = self
            .pools
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter_map(Weak::upgrade)
            .collect();
        for pool in pools {
            pool.retire();
        }
        let shut = self.watched.shut_down_before(epoch, keep, all);
        if shut > 0 {
            log::debug!("{shut} connections of the old epoch shut down");
        }
        self.changed.notify_all();
    }

    /// Waits `delay`, or until the epoch changes.
    pub fn nap(&self, delay: Duration) {
        let state = self.state();
        let epoch = state.epoch;
        let _ = self
            .changed
            .wait_timeout_while(state, delay, |s| s.epoch == epoch);
    }

    /// Learns from a failed call on a connection of `epoch` to `addr`.
    pub fn observe(&self, addr: &Addr, epoch: u64, error: &Error) {
        if error.code() == Some(&ErrorCode::ReadOnly) {
            if self.master().as_ref() == Some(addr) {
                self.invalidate(epoch, "refused a write (READONLY)");
            }
        } else if matches!(
            error.kind(),
            ErrorKind::Io | ErrorKind::Connect | ErrorKind::Timeout | ErrorKind::Closed
        ) {
            // Messages can be missed: ask the sentinels again now.
            self.poke();
        }
    }
}

impl Drop for Topology {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Release);
        self.poke();
    }
}

/// Names the master for each new connection, by the Sentinel client
/// specification: asks the sentinels on every connect, and the connection
/// confirms the role.
pub(crate) struct MasterSource(pub Arc<Topology>);

impl Source for MasterSource {
    fn target(&self, deadline: Option<Instant>, rejected: &[Rejected]) -> Result<Target> {
        let topology = &self.0;
        let epoch = topology.epoch();
        let origin = topology.resolve_master(deadline, rejected, false)?;
        Ok(Target {
            addr: addr_of(topology.config(), &origin),
            origin: Some(origin),
            role: Role::Master,
            epoch,
        })
    }

    fn confirmed(&self, target: &Target) -> Option<u64> {
        self.0.switch(
            target.addr.clone(),
            "named by a sentinel",
            Some(target.epoch),
        )
    }

    fn failed(&self, _target: &Target, _error: &Error) {
        self.0.poke();
    }

    fn epoch(&self) -> u64 {
        self.0.epoch()
    }

    fn nap(&self, delay: Duration) {
        self.0.nap(delay);
    }

    fn current(&self) -> Option<Addr> {
        self.0.master()
    }

    fn watched(&self) -> &Watched {
        &self.0.watched
    }
}

/// Names a healthy replica for each new connection (and the master when
/// there is none, if allowed).
pub(crate) struct ReplicaSource {
    topology: Arc<Topology>,
    select: ReplicaSelect,
    fallback: bool,
    turn: AtomicUsize,
}

impl ReplicaSource {
    pub fn new(topology: Arc<Topology>, select: ReplicaSelect, fallback: bool) -> Self {
        ReplicaSource {
            topology,
            select,
            fallback,
            turn: AtomicUsize::new(0),
        }
    }
}

impl Source for ReplicaSource {
    fn target(&self, deadline: Option<Instant>, rejected: &[Rejected]) -> Result<Target> {
        let topology = &self.topology;
        let epoch = topology.epoch();
        let replicas = topology
            .resolver()
            .resolve(Query::Replicas, deadline, &[], false);
        let why_none = match replicas {
            Ok(found) => {
                let listed = found.replicas.len();
                let healthy: Vec<Endpoint> = found
                    .replicas
                    .into_iter()
                    .filter(|r| r.is_healthy() && !rejected.iter().any(|x| x.origin == r.addr))
                    .map(|r| r.addr)
                    .collect();
                if !healthy.is_empty() {
                    let at = match self.select {
                        ReplicaSelect::Random => {
                            (crate::retry::random_fraction() * healthy.len() as f64) as usize
                        }
                        ReplicaSelect::RoundRobin => self.turn.fetch_add(1, Ordering::Relaxed),
                    };
                    let origin = healthy[at % healthy.len()].clone();
                    return Ok(Target {
                        addr: addr_of(topology.config(), &origin),
                        origin: Some(origin),
                        role: Role::Replica,
                        epoch,
                    });
                }
                Error::new(
                    ErrorKind::NoReplica,
                    Executed::No,
                    format!(
                        "no healthy replica of '{}' ({listed} listed, {} found in the wrong role)",
                        topology.config().master_name,
                        rejected.len()
                    ),
                )
            }
            Err(e) => e,
        };
        if !self.fallback {
            return Err(why_none);
        }
        log::debug!("reading from the master: {why_none}");
        let master_rejected: Vec<Rejected> = rejected.to_vec();
        MasterSource(Arc::clone(topology)).target(deadline, &master_rejected)
    }

    fn confirmed(&self, target: &Target) -> Option<u64> {
        match target.role {
            Role::Master => MasterSource(Arc::clone(&self.topology)).confirmed(target),
            _ => (self.topology.epoch() == target.epoch).then_some(target.epoch),
        }
    }

    fn failed(&self, _target: &Target, _error: &Error) {}

    fn epoch(&self) -> u64 {
        self.topology.epoch()
    }

    fn nap(&self, delay: Duration) {
        self.topology.nap(delay);
    }

    fn current(&self) -> Option<Addr> {
        None
    }

    fn watched(&self) -> &Watched {
        &self.topology.watched
    }
}
