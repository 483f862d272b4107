//! Where a call goes: the seam between the client's drive loop and the
//! topology it talks to.
//!
//! The drive loop asks its router, on every attempt, which pool serves the
//! call, and tells it about every failure. A single server has one pool;
//! a Sentinel router will re-resolve the master on failures, and a Cluster
//! router will map keys to slots and slots to nodes, without a second drive
//! loop.

use std::sync::Arc;
use std::time::{Duration, Instant};

use resp_core::client::Redirect;
use resp_core::cluster::Endpoint;
use resp_core::command::Argv;

use super::pool::Pool;
use crate::config::Addr;
use crate::connector::Connector;
use crate::error::{Error, Result};

/// What a call needs from the topology.
#[derive(Clone, Copy)]
pub(crate) enum Route<'r> {
    /// One command, routed by its keys (a single server has no use for
    /// them; a cluster router hashes them) or its kind (a Sentinel router
    /// may send reads to replicas).
    Command(&'r dyn Argv),
    /// One command whose keys' slot the caller has planned already: the
    /// slot, and the command (for what it does: a read may go to a
    /// replica).
    Slot(u16, &'r dyn Argv),
    /// A batch of commands, kept together on one connection.
    Batch,
    /// A given node (a cluster's `ASK` target, one node of a command sent
    /// to several).
    Node(&'r Endpoint),
}

/// Whether the command `argv` runs only reads (by the command table): a
/// replica may serve it.
pub(crate) fn reads_only(argv: &dyn Argv) -> bool {
    let args: Vec<&[u8]> = (0..argv.argc()).filter_map(|i| argv.arg(i)).collect();
    resp_core::command::is_read_only(&args)
}

/// A topology: which pool serves a call.
pub(crate) trait Router: Send + Sync {
    /// The pool for one attempt of a call that must be done by
    /// `deadline` (a router that has to learn its topology first waits no
    /// longer).
    fn pool(&self, route: Route<'_>, deadline: Option<Instant>) -> Result<Arc<Pool>>;

    /// Learns from a failed attempt on a connection to `addr` opened in
    /// topology epoch `epoch` (a refused connection, a redirect,
    /// `READONLY` after a failover).
    fn observe(&self, addr: &Addr, epoch: u64, error: &Error);

    /// The connector that opens connections outside the pools
    /// (subscribers, monitors, the cache tracker).
    fn connector(&self) -> &Arc<Connector>;

    /// Every pool, for statistics.
    fn pools(&self) -> Vec<Arc<Pool>>;

    /// The pause before trying again after `error`, when the topology
    /// knows better than the client's strategy (a cluster's short pauses
    /// for `TRYAGAIN` and `CLUSTERDOWN`).
    fn retry_pause(&self, _error: &Error, _attempt: u32) -> Option<Duration> {
        None
    }

    /// A pause before following `redirect` (to a node that was just
    /// unreachable).
    fn redirect_pause(&self, _redirect: &Redirect) -> Option<Duration> {
        None
    }

    /// The pause before following a redirect back to a node the call was
    /// already sent to (nodes that disagree about a slot for a moment).
    fn bounce_pause(&self, _attempt: u32) -> Duration {
        Duration::from_millis(10)
    }

    /// The master in use now, for a topology that moves.
    fn current_master(&self) -> Option<Addr> {
        None
    }
}

/// One server.
pub(crate) struct Standalone {
    pool: Arc<Pool>,
}

impl Standalone {
    pub fn new(pool: Arc<Pool>) -> Standalone {
        Standalone { pool }
    }
}

impl Router for Standalone {
    fn pool(&self, _route: Route<'_>, _deadline: Option<Instant>) -> Result<Arc<Pool>> {
        Ok(Arc::clone(&self.pool))
    }

    fn observe(&self, addr: &Addr, _epoch: u64, error: &Error) {
        log::debug!("call on {addr} failed: {error}");
    }

    fn connector(&self) -> &Arc<Connector> {
        &self.pool.connector
    }

    fn pools(&self) -> Vec<Arc<Pool>> {
        vec![Arc::clone(&self.pool)]
    }
}
