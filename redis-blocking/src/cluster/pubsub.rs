//! Pub/sub over a cluster: shard channels on the node that owns their
//! slot (one subscriber connection per such node), classic channels and
//! patterns on one node (a cluster broadcasts `PUBLISH` to every node), and
//! a supervisor that moves subscriptions when slots move or nodes fail.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, unbounded, Receiver, RecvTimeoutError, Sender, TryRecvError};
use resp_core::cluster::Endpoint;
use resp_core::command::key_slot;

use super::router::ClusterRouter;
use super::ClusterClient;
use crate::error::{Error, ErrorKind, Executed, Result};
use crate::pubsub::{Incoming, NodeNote, Subscriber, SubscriptionKind};

/// How often the supervisor checks placements without being asked.
const CHECK: Duration = Duration::from_secs(1);
/// How many messages wait for the reader.
const BACKLOG: usize = 64 * 1024;

/// A subscriber to a whole cluster; see [`ClusterClient::subscriber`].
///
/// Shard channels (`SSUBSCRIBE`) are subscribed on the node that owns
/// each channel's slot, one `SSUBSCRIBE` per slot; classic channels and
/// patterns on one node. When a slot moves (the server drops the channel
/// with an unsolicited `sunsubscribe`), a node fails over, or a connection
/// is lost, the subscriptions move to where the map says and the reader
/// gets [`Incoming::Reconnected`]: messages may have been missed
/// meanwhile. Messages of every node arrive in one stream, in order per
/// node.
pub struct ClusterSubscriber {
    shared: Arc<Shared>,
    messages: Receiver<Incoming>,
    supervisor: Option<JoinHandle<()>>,
    stop: Sender<()>,
}

struct Shared {
    router: Arc<ClusterRouter>,
    sink: Sender<Incoming>,
    notes: Sender<NodeNote>,
    state: Mutex<State>,
}

#[derive(Default)]
struct State {
    /// What the reader asked for.
    wanted: BTreeSet<(SubscriptionKind, Vec<u8>)>,
    /// Where each subscription is now.
    placed: BTreeMap<(SubscriptionKind, Vec<u8>), Endpoint>,
    nodes: BTreeMap<Endpoint, Subscriber>,
}

fn closed() -> Error {
    Error::new(ErrorKind::Closed, Executed::No, "the subscriber is closed")
}

impl Shared {
    /// The node a subscription belongs on.
    fn home(&self, kind: SubscriptionKind, name: &[u8]) -> Result<Endpoint> {
        let deadline = Some(Instant::now() + Duration::from_secs(5));
        match kind {
            SubscriptionKind::Shard => self.router.node_for(key_slot(name), false, deadline),
            // Classic channels and patterns: the first primary (PUBLISH
            // reaches every node).
            _ => {
                let topology = self.router.ready_topology(deadline);
                let first = topology.primaries().map(|n| n.endpoint.clone()).min();
                first.ok_or_else(|| {
                    Error::new(ErrorKind::Topology, Executed::No, "no node to subscribe on")
                })
            }
        }
    }

    /// The subscriber on `node`, opened on first use.
    fn node<'s>(&self, state: &'s mut State, node: &Endpoint) -> Result<&'s Subscriber> {
        if !state.nodes.contains_key(node) {
            let connector = Arc::clone(&self.router.pool_for(node).connector);
            let subscriber = Subscriber::with_hooks(
                connector,
                Some(self.sink.clone()),
                Some(self.notes.clone()),
            )?;
            state.nodes.insert(node.clone(), subscriber);
        }
        Ok(&state.nodes[node])
    }

    /// Subscribes `names` where they belong: one request per slot for
    /// shard channels, all at once for the others.
    fn subscribe(&self, kind: SubscriptionKind, names: &[Vec<u8>]) -> Result<()> {
        let mut groups: BTreeMap<(Endpoint, u16), Vec<Vec<u8>>> = BTreeMap::new();
        for name in names {
            let home = self.home(kind, name)?;
            let slot = if kind == SubscriptionKind::Shard {
                key_slot(name)
            } else {
                0
            };
            groups.entry((home, slot)).or_default().push(name.clone());
        }
        for ((node, _), names) in groups {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            for name in &names {
                state.wanted.insert((kind, name.clone()));
            }
            let handle = self.node(&mut state, &node)?.handle();
            drop(state);
            match handle.change(kind, true, &names) {
                Ok(()) => {
                    let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
                    for name in names {
                        state.placed.insert((kind, name), node.clone());
                    }
                }
                // The slot moved meanwhile: the supervisor places it once
                // the map is fresh.
                Err(e) if e.retry() == crate::Retry::Redirect => {
                    self.router.request_refresh();
                }
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    fn unsubscribe(&self, kind: SubscriptionKind, names: &[Vec<u8>]) -> Result<()> {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let names: Vec<Vec<u8>> = if names.is_empty() {
            state
                .wanted
                .iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, n)| n.clone())
                .collect()
        } else {
            names.to_vec()
        };
        let mut by_node: BTreeMap<Endpoint, Vec<Vec<u8>>> = BTreeMap::new();
        for name in names {
            state.wanted.remove(&(kind, name.clone()));
            if let Some(node) = state.placed.remove(&(kind, name.clone())) {
                by_node.entry(node).or_default().push(name);
            }
        }
        let handles: Vec<_> = by_node
            .into_iter()
            .filter_map(|(node, names)| state.nodes.get(&node).map(|s| (s.handle(), names)))
            .collect();
        drop(state);
        for (handle, names) in handles {
            handle.change(kind, false, &names)?;
        }
        Ok(())
    }

    /// Moves subscriptions that are not where the map says; closes node
    /// subscribers left with nothing. True when something moved.
    fn rebalance(&self) -> bool {
        let wanted: Vec<(SubscriptionKind, Vec<u8>)> = {
            let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            state.wanted.iter().cloned().collect()
        };
        let mut moved = false;
        for (kind, name) in wanted {
            let Ok(home) = self.home(kind, &name) else {
                continue;
            };
            let current = {
                let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
                state.placed.get(&(kind, name.clone())).cloned()
            };
            if current.as_ref() == Some(&home) {
                continue;
            }
            // Off the old node (it may be gone: best effort), on the new.
            if let Some(old) = current {
                let handle = {
                    let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
                    state.nodes.get(&old).map(Subscriber::handle)
                };
                if let Some(handle) = handle {
                    let _ = handle.change(kind, false, [&name]);
                }
                let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
                state.placed.remove(&(kind, name.clone()));
            }
            if self.subscribe(kind, std::slice::from_ref(&name)).is_ok() {
                moved = true;
            }
        }
        // Node subscribers with nothing left close.
        let idle: Vec<Subscriber> = {
            let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
            let used: BTreeSet<Endpoint> = state.placed.values().cloned().collect();
            let gone: Vec<Endpoint> = state
                .nodes
                .keys()
                .filter(|n| !used.contains(*n))
                .cloned()
                .collect();
            gone.iter().filter_map(|n| state.nodes.remove(n)).collect()
        };
        for subscriber in idle {
            subscriber.close();
        }
        moved
    }
}

/// Moves subscriptions when a node reports a dropped channel or a lost
/// connection, and checks placements every second.
fn supervise(shared: Arc<Shared>, notes: Receiver<NodeNote>, stop: Receiver<()>) {
    loop {
        crossbeam_channel::select! {
            recv(stop) -> _ => return,
            recv(notes) -> note => {
                let Ok(note) = note else { return };
                if let NodeNote::Dropped(channel) = &note {
                    let mut state = shared.state.lock().unwrap_or_else(|e| e.into_inner());
                    state.placed.remove(&(SubscriptionKind::Shard, channel.clone()));
                }
                shared.router.refresh_and_wait(Some(Instant::now() + Duration::from_secs(2)));
                // Gather what else arrived meanwhile.
                while notes.try_recv().is_ok() {}
                if shared.rebalance() {
                    let _ = shared.sink.send_timeout(Incoming::Reconnected, Duration::from_secs(1));
                }
            }
            default(CHECK) => {
                if shared.rebalance() {
                    let _ = shared.sink.send_timeout(Incoming::Reconnected, Duration::from_secs(1));
                }
            }
        }
    }
}

fn names<C: IntoIterator<Item = impl AsRef<[u8]>>>(names: C) -> Vec<Vec<u8>> {
    names.into_iter().map(|n| n.as_ref().to_vec()).collect()
}

impl ClusterSubscriber {
    /// Subscribes to shard channels, each on the node that owns its slot,
    /// and waits for the confirmations.
    ///
    /// # Errors
    ///
    /// A node that cannot be reached, or refuses.
    pub fn ssubscribe<C: IntoIterator<Item = impl AsRef<[u8]>>>(&self, channels: C) -> Result<()> {
        self.shared
            .subscribe(SubscriptionKind::Shard, &names(channels))
    }

    /// Unsubscribes from shard channels (none: from all).
    ///
    /// # Errors
    ///
    /// As [`ssubscribe`](ClusterSubscriber::ssubscribe).
    pub fn sunsubscribe<C: IntoIterator<Item = impl AsRef<[u8]>>>(
        &self,
        channels: C,
    ) -> Result<()> {
        self.shared
            .unsubscribe(SubscriptionKind::Shard, &names(channels))
    }

    /// Subscribes to classic channels (on one node: a cluster broadcasts
    /// `PUBLISH` to every node).
    ///
    /// # Errors
    ///
    /// As [`ssubscribe`](ClusterSubscriber::ssubscribe).
    pub fn subscribe<C: IntoIterator<Item = impl AsRef<[u8]>>>(&self, channels: C) -> Result<()> {
        self.shared
            .subscribe(SubscriptionKind::Channel, &names(channels))
    }

    /// Unsubscribes from classic channels (none: from all).
    ///
    /// # Errors
    ///
    /// As [`ssubscribe`](ClusterSubscriber::ssubscribe).
    pub fn unsubscribe<C: IntoIterator<Item = impl AsRef<[u8]>>>(&self, channels: C) -> Result<()> {
        self.shared
            .unsubscribe(SubscriptionKind::Channel, &names(channels))
    }

    /// Subscribes to patterns.
    ///
    /// # Errors
    ///
    /// As [`ssubscribe`](ClusterSubscriber::ssubscribe).
    pub fn psubscribe<C: IntoIterator<Item = impl AsRef<[u8]>>>(&self, patterns: C) -> Result<()> {
        self.shared
            .subscribe(SubscriptionKind::Pattern, &names(patterns))
    }

    /// Waits for the next message.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Closed`] once the subscriber is closed.
    pub fn recv(&self) -> Result<Incoming> {
        self.messages.recv().map_err(|_| closed())
    }

    /// Waits up to `timeout`; `None` if nothing came.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Closed`] once the subscriber is closed.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Option<Incoming>> {
        match self.messages.recv_timeout(timeout) {
            Ok(incoming) => Ok(Some(incoming)),
            Err(RecvTimeoutError::Timeout) => Ok(None),
            Err(RecvTimeoutError::Disconnected) => Err(closed()),
        }
    }

    /// The next message if one is waiting.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Closed`] once the subscriber is closed.
    pub fn try_recv(&self) -> Result<Option<Incoming>> {
        match self.messages.try_recv() {
            Ok(incoming) => Ok(Some(incoming)),
            Err(TryRecvError::Empty) => Ok(None),
            Err(TryRecvError::Disconnected) => Err(closed()),
        }
    }

    /// How many node connections it holds now.
    pub fn node_count(&self) -> usize {
        self.shared
            .state
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .nodes
            .len()
    }

    /// Closes every node's connection.
    pub fn close(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        let _ = self.stop.send(());
        if let Some(supervisor) = self.supervisor.take() {
            let _ = supervisor.join();
        }
        let nodes = std::mem::take(
            &mut self
                .shared
                .state
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .nodes,
        );
        for (_, subscriber) in nodes {
            subscriber.close();
        }
    }
}

impl Drop for ClusterSubscriber {
    fn drop(&mut self) {
        self.shutdown();
    }
}

impl ClusterClient {
    /// A subscriber to the cluster; see [`ClusterSubscriber`].
    ///
    /// # Errors
    ///
    /// Starting its supervisor thread failing.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use redis_blocking::{ClusterClient, Incoming};
    ///
    /// let cluster = ClusterClient::open(&["redis://127.0.0.1:7000"])?;
    /// let subscriber = cluster.subscriber()?;
    /// subscriber.ssubscribe(["orders:eu", "orders:us"])?;
    /// while let Some(Incoming::Message(m)) = subscriber.recv_timeout(Duration::from_secs(1))? {
    ///     println!("{}", String::from_utf8_lossy(&m.payload));
    /// }
    /// # Ok::<(), redis_blocking::Error>(())
    /// ```
    pub fn subscriber(&self) -> Result<ClusterSubscriber> {
        let (sink, messages) = bounded(BACKLOG);
        let (notes, notes_rx) = unbounded();
        let (stop, stop_rx) = bounded(1);
        let shared = Arc::new(Shared {
            router: Arc::clone(&self.router),
            sink,
            notes,
            state: Mutex::new(State::default()),
        });
        let supervisor = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name("redis-cluster-subscriber".into())
                .spawn(move || supervise(shared, notes_rx, stop_rx))
                .map_err(|e| Error::io(Executed::No, "starting the subscriber thread", e))?
        };
        Ok(ClusterSubscriber {
            shared,
            messages,
            supervisor: Some(supervisor),
            stop,
        })
    }
}
