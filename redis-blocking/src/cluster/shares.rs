//! One round of a batch over a cluster: each unit placed on the node that
//! runs it, every node's share written as soon as units join it, and read
//! at once from the calling thread.
//!
//! Units are placed in order, so each node's share is in the order of its
//! units as it grows: a share can be on the wire while later units are
//! still being planned and placed.

use std::sync::Arc;
use std::time::{Duration, Instant};

use resp_core::client::{Executed, Unanswered};
use resp_core::cluster::{Endpoint, Topology};
use resp_core::command::Blocks;

use super::batch::Target;
use super::router::ClusterRouter;
use crate::batch::{BatchRun, InFlight};
use crate::client::pool::{Pool, Pooled};
use crate::client::router::Route;
use crate::connection::{earliest, Until};
use crate::error::Error;
use crate::pipeline::Pipeline;

/// A node's share: the units it runs, each with whether `ASKING` goes
/// before it.
pub(crate) type Picks = Vec<(usize, bool)>;

/// One round's shares.
pub(crate) struct Round<'a> {
    groups: Vec<Group<'a>>,
    /// The group of the last unit placed on a node.
    last_group: Option<usize>,
    /// Units without a key, waiting for the next unit placed on a node
    /// (a script's `SCRIPT LOAD` goes with its `EVALSHA`, after it).
    followers: Vec<usize>,
    /// A unit for a slot's primary is placed by the map of the round,
    /// without a lock or a copy of its endpoint: per primary (by its index
    /// in the map), its group.
    map: Arc<Topology>,
    primary_group: Vec<Option<usize>>,
    /// About how many units a node's share gets: room made for them at
    /// once, so that shares that grow as units are placed are not copied
    /// as they grow.
    per_node: usize,
    /// How long the units may block on the server, and the pipeline's own
    /// timeout (for each connection's response timeout, which the latter
    /// replaces).
    blocking: Blocks,
    timeout: Option<Duration>,
}

/// One node's share.
struct Group<'a> {
    node: Endpoint,
    picks: Picks,
    /// The picks' commands, as far as they were queued.
    share: Option<Pipeline<'a>>,
    /// Picks whose commands are in `share`.
    queued: usize,
    /// The node's connection and its batch under way, once sent.
    sent: Option<(Arc<Pool>, Sent)>,
    /// The share's deadline once sent: the call's, or the connection's
    /// own response timeout from then, whichever comes first.
    deadline: Option<Instant>,
}

/// A node's connection and its batch under way, or why there is none.
type Sent = Result<(Pooled, InFlight), Error>;

impl<'a> Round<'a> {
    /// A round of about `units` units, which may block on the server as
    /// `blocking` says, with the pipeline's own `timeout` if it has one.
    pub(crate) fn new(
        router: &ClusterRouter,
        units: usize,
        (blocking, timeout): (Blocks, Option<Duration>),
    ) -> Round<'a> {
        let map = router.topology();
        let primaries = map.primaries().count().max(1);
        Round {
            groups: Vec::new(),
            last_group: None,
            followers: Vec::new(),
            primary_group: vec![None; map.nodes().len()],
            map,
            // An eighth more than an even spread.
            per_node: units / primaries + units / primaries / 8,
            blocking,
            timeout,
        }
    }

    /// Places unit `i`, whose target is `target` (or the node that
    /// answered `ASK` for it).
    ///
    /// # Errors
    ///
    /// No node for it (the unit has no outcome of its own).
    pub(crate) fn place(
        &mut self,
        router: &ClusterRouter,
        i: usize,
        target: &Target,
        asked: Option<&Endpoint>,
        deadline: Option<Instant>,
    ) -> Result<(), Error> {
        let primary = match (asked, target) {
            (None, Target::Slot { slot, read_only }) if !read_only || router.reads_primaries() => {
                self.map.primary_index(*slot)
            }
            _ => None,
        };
        if let Some(p) = primary {
            let group = match self.primary_group[p] {
                Some(g) => g,
                None => {
                    let map = Arc::clone(&self.map);
                    let g = self.group_of(&map.nodes()[p].endpoint);
                    self.primary_group[p] = Some(g);
                    g
                }
            };
            self.join(group, i, false);
            return Ok(());
        }
        let node = match (asked, target) {
            (Some(target), _) => target.clone(),
            (None, Target::Node(node)) => node.clone(),
            (None, Target::Slot { slot, read_only }) => {
                // A read for a replica, or no primary in the round's map:
                // the router decides, waiting for a new map if need be,
                // which the round goes on with.
                let unserved = self.map.primary_index(*slot).is_none();
                let node = router.node_for(*slot, *read_only, deadline);
                if unserved {
                    self.map = router.topology();
                    self.primary_group = vec![None; self.map.nodes().len()];
                }
                node?
            }
            (None, Target::Follow) => {
                self.followers.push(i);
                return Ok(());
            }
        };
        let group = self.group_of(&node);
        self.join(group, i, asked.is_some());
        Ok(())
    }

    /// Places the units without a key that no later unit took along: with
    /// the last unit placed, or on any primary. Those that found no node,
    /// with why.
    pub(crate) fn place_followers(
        &mut self,
        router: &ClusterRouter,
        deadline: Option<Instant>,
    ) -> Vec<(usize, Error)> {
        let mut unplaced = Vec::new();
        for i in std::mem::take(&mut self.followers) {
            let group = match self.last_group {
                Some(g) => Ok(g),
                None => router
                    .endpoint(Route::Batch, deadline)
                    .map(|node| self.group_of(&node)),
            };
            match group {
                // Every unit placed is before it: the share stays in order.
                Ok(g) => self.groups[g].picks.push((i, false)),
                Err(e) => unplaced.push((i, e)),
            }
        }
        unplaced
    }

    /// Unit `i` joins a group, after the units without a key before it.
    fn join(&mut self, g: usize, i: usize, asking: bool) {
        let picks = &mut self.groups[g].picks;
        if !self.followers.is_empty() {
            picks.extend(self.followers.drain(..).map(|f| (f, false)));
        }
        picks.push((i, asking));
        self.last_group = Some(g);
    }

    /// The group of `node`, new if need be.
    fn group_of(&mut self, node: &Endpoint) -> usize {
        match self.groups.iter().position(|g| g.node == *node) {
            Some(g) => g,
            None => {
                self.groups.push(Group {
                    node: node.clone(),
                    picks: Vec::with_capacity(self.per_node),
                    share: None,
                    queued: 0,
                    sent: None,
                    deadline: None,
                });
                self.groups.len() - 1
            }
        }
    }

    /// Appends the units placed since the last call to their nodes'
    /// shares (the commands taken from `units`), and writes to every node
    /// what can be written without waiting, taking in the replies that
    /// arrived meanwhile. Never waits, so it cannot deadlock; the first
    /// call for a node checks out its connection.
    pub(crate) fn send(
        &mut self,
        router: &ClusterRouter,
        units: &Pipeline<'a>,
        deadline: Option<Instant>,
    ) {
        for group in &mut self.groups {
            debug_assert!(
                group.picks[group.queued.saturating_sub(1)..].is_sorted(),
                "units are placed in order"
            );
            let share = group.share.get_or_insert_with(|| {
                let mut share = units.empty_share();
                share.reserve_like(units, self.per_node);
                share
            });
            let before = share.len();
            share.extend_select(units, &group.picks[group.queued..]);
            group.queued = group.picks.len();
            let more = share.len() - before;
            match &mut group.sent {
                None if more > 0 => {
                    let pool = router.pool_for(&group.node);
                    let (blocking, timeout) = (self.blocking, self.timeout);
                    let sent = pool.checkout(deadline).map(|mut conn| {
                        group.deadline = earliest(deadline, conn.deadline(timeout, blocking));
                        let flight = conn.send_batch(share, group.deadline, Until::Stalled);
                        (conn, flight)
                    });
                    group.sent = Some((pool, sent));
                }
                None => {}
                Some((_, Ok((conn, flight)))) if more > 0 => {
                    conn.extend_batch(share, flight, more, group.deadline)
                }
                Some((_, Ok((conn, flight)))) => {
                    conn.drive_batch(share, flight, group.deadline, Until::Stalled)
                }
                Some((_, Err(_))) => {}
            }
        }
    }

    /// Writes the rest of every share (each node's replies read meanwhile
    /// as they come, so no node can block its own writes), then reads the
    /// rest of each node's replies. Per node, its units and what became of
    /// them; a node's failure is reported to the router.
    pub(crate) fn finish(
        mut self,
        router: &ClusterRouter,
        units: &Pipeline<'a>,
        deadline: Option<Instant>,
    ) -> Vec<(Endpoint, Picks, BatchRun)> {
        self.send(router, units, deadline);
        for group in &mut self.groups {
            if let (Some(share), Some((_, Ok((conn, flight))))) = (&group.share, &mut group.sent) {
                conn.drive_batch(share, flight, group.deadline, Until::Written);
            }
        }
        let mut results = Vec::with_capacity(self.groups.len());
        for group in self.groups {
            let Group {
                node,
                picks,
                share,
                sent,
                deadline,
                ..
            } = group;
            let share = share.unwrap_or_default();
            let (pool, sent) = match sent {
                Some(sent) => sent,
                None => continue,
            };
            let run = match sent {
                Ok((mut conn, flight)) => conn.finish_batch(&share, flight, deadline),
                Err(e) => BatchRun {
                    outcomes: vec![Err(Unanswered::Lost(Executed::No)); share.len()],
                    failure: Some(e),
                },
            };
            if let Some(e) = &run.failure {
                crate::client::router::Router::observe(router, pool.addr(), 0, e);
            }
            results.push((node, picks, run));
        }
        results
    }
}
