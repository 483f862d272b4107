//! A client that follows a master through Redis Sentinel: a router for the
//! client's drive loop, with no drive loop of its own.
//!
//! - [`Topology`](topology::Topology): the master in use and the epoch of
//!   that knowledge; what happens on a change (idle pooled connections
//!   closed at once, lent ones closed when they come back, streaming and
//!   blocking connections shut down, waiting calls woken).
//! - The sources ([`MasterSource`](topology::MasterSource),
//!   [`ReplicaSource`](topology::ReplicaSource)): the connector asks them
//!   where each new connection goes; they ask the sentinels
//!   ([`Resolver`](resolver::Resolver), the I/O around
//!   [`resp_core::sentinel::Resolution`]) and the connection checks the
//!   role in its handshake.
//! - The watcher thread: `+switch-master`, pings, periodic re-checks.
//!
//! The Sentinel protocol itself (questions, answers, which sentinel next,
//! the three failures) is in [`resp_core::sentinel`].

mod config;
mod resolver;
mod topology;
pub(crate) mod url;
mod watcher;

use std::sync::Arc;
use std::time::Instant;

pub use config::{AddrRemap, ReplicaSelect, SentinelConfig, DEFAULT_SENTINEL_PORT};

use self::topology::{MasterSource, ReplicaSource, Topology};
use super::pool::{Pool, PoolOptions};
use super::router::{Route, Router};
use crate::config::Addr;
use crate::connector::Connector;
use crate::error::{Error, Result};
use crate::events::EventHandler;
use crate::retry::ReconnectStrategy;

/// Routes a Sentinel client's calls: to the master's pool, or, for reads
/// when replica reads are on, to the replicas' pool.
pub(crate) struct SentinelRouter {
    topology: Arc<Topology>,
    master: Arc<Pool>,
    replicas: Option<Arc<Pool>>,
}

impl SentinelRouter {
    /// Builds the pools and starts the watcher (without it, if no thread
    /// can be started: connections still resolve the master as they open).
    pub fn start(
        config: SentinelConfig,
        data: crate::Config,
        strategy: ReconnectStrategy,
        events: Option<EventHandler>,
        pool: PoolOptions,
    ) -> (SentinelRouter, Arc<Connector>) {
        let replicas = config.replicas;
        let topology = Arc::new(Topology::new(config, events.clone()));
        let connector = Arc::new(Connector::with_source(
            data.clone(),
            strategy.clone(),
            events.clone(),
            Arc::new(MasterSource(Arc::clone(&topology))),
        ));
        let master = Pool::new(Arc::clone(&connector), pool.clone());
        topology.add_pool(&master);
        let replicas = replicas.map(|(select, fallback)| {
            let source = ReplicaSource::new(Arc::clone(&topology), select, fallback);
            let connector = Connector::with_source(data, strategy, events, Arc::new(source));
            let pool = Pool::new(Arc::new(connector), pool);
            topology.add_pool(&pool);
            pool
        });
        if let Err(e) = watcher::start(&topology, &connector) {
            log::warn!("no Sentinel watcher thread: {e}");
        }
        (
            SentinelRouter {
                topology,
                master,
                replicas,
            },
            connector,
        )
    }
}

impl Router for SentinelRouter {
    fn pool(&self, route: Route<'_>, _deadline: Option<Instant>) -> Result<Arc<Pool>> {
        match (route, &self.replicas) {
            (Route::Command(argv) | Route::Slot(_, argv), Some(replicas))
                if super::router::reads_only(argv) =>
            {
                Ok(Arc::clone(replicas))
            }
            _ => Ok(Arc::clone(&self.master)),
        }
    }

    fn observe(&self, addr: &Addr, epoch: u64, error: &Error) {
        log::debug!("call on {addr} failed: {error}");
        self.topology.observe(addr, epoch, error);
    }

    fn connector(&self) -> &Arc<Connector> {
        &self.master.connector
    }

    fn pools(&self) -> Vec<Arc<Pool>> {
        let mut pools = vec![Arc::clone(&self.master)];
        pools.extend(self.replicas.iter().cloned());
        pools
    }

    fn current_master(&self) -> Option<Addr> {
        self.topology.master()
    }
}
