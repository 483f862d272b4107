//! Where a call goes: the seam between the client's drive loop and the
//! topology it talks to.
//!
//! The drive loop asks its router, on every attempt, which pool serves the
//! call, and tells it about every failure. A single server has one pool;
//! a Sentinel router will re-resolve the master on failures, and a Cluster
//! router will map keys to slots and slots to nodes, without a second drive
//! loop.

use std::sync::Arc;

use resp_core::command::Argv;

use super::pool::Pool;
use crate::config::Addr;
use crate::connection::Connection;
use crate::connector::Connector;
use crate::error::{Error, Result};

/// What a call needs from the topology.
#[derive(Clone, Copy)]
pub(crate) enum Route<'r> {
    /// One command, routed by its keys (a single server has no use for
    /// them; a cluster router hashes them) or its kind (a Sentinel router
    /// may send reads to replicas).
    Command(&'r dyn Argv),
    /// A batch of commands, kept together on one connection.
    Batch,
}

/// A topology: which pool serves a call.
pub(crate) trait Router: Send + Sync {
    /// The pool for one attempt of a call.
    fn pool(&self, route: Route<'_>) -> Result<&Arc<Pool>>;

    /// Learns from a failed attempt on `conn` (a refused connection, a
    /// redirect, `READONLY` after a failover).
    fn observe(&self, conn: &Connection, error: &Error);

    /// The connector that opens connections outside the pools
    /// (subscribers, monitors, the cache tracker).
    fn connector(&self) -> &Arc<Connector>;

    /// Every pool, for statistics.
    fn pools(&self) -> Vec<&Arc<Pool>>;

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
    fn pool(&self, _route: Route<'_>) -> Result<&Arc<Pool>> {
        Ok(&self.pool)
    }

    fn observe(&self, conn: &Connection, error: &Error) {
        log::debug!("call on {} failed: {error}", conn.addr());
    }

    fn connector(&self) -> &Arc<Connector> {
        &self.pool.connector
    }

    fn pools(&self) -> Vec<&Arc<Pool>> {
        vec![&self.pool]
    }
}
