//! [`Proxy`], the handle: start, change faults, read counters, stop.

use std::net::{Ipv4Addr, SocketAddr};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Duration;

use crate::config::{self, ConfigError};
use crate::faults::{Fault, FaultSet};
use crate::rule::{Direction, Rule};
use crate::shared::{lock, ConnectionInfo, Route, Shared};
use crate::stats::Stats;
use crate::toxic::{Stream, Toxic, ToxicKind};
use crate::{admin, cluster, listener, Error};

/// How long cluster-aware mode waits for the seed node's `CLUSTER NODES`.
const DISCOVERY_TIMEOUT: Duration = Duration::from_secs(5);

/// Names of the faults the test-harness methods manage.
const DELAY_COMMAND: &str = "delay_command:";
const DELAY_KEY: &str = "delay_key:";
const CUT_REPLIES: &str = "cut_after";
const CUT_REQUESTS: &str = "cut_after_request_bytes";

/// Options for starting a [`Proxy`].
#[derive(Debug)]
pub struct ProxyBuilder {
    listen: SocketAddr,
    upstream: SocketAddr,
    faults: Vec<Fault>,
    admin: Option<SocketAddr>,
    cluster: bool,
}

impl ProxyBuilder {
    /// Where to listen (default `127.0.0.1:0`, a free port). In
    /// cluster-aware mode, the seed node's listener; the other nodes get
    /// the next ports (or free ones with port 0).
    pub fn listen(mut self, addr: SocketAddr) -> ProxyBuilder {
        self.listen = addr;
        self
    }

    /// Faults in force before the first connection is accepted.
    pub fn faults(mut self, faults: Vec<Fault>) -> ProxyBuilder {
        self.faults = faults;
        self
    }

    /// [`Self::faults`] from a JSON configuration (see [`crate::config`]).
    ///
    /// # Errors
    ///
    /// The configuration's first mistake.
    pub fn config(self, json: &str) -> Result<ProxyBuilder, ConfigError> {
        Ok(self.faults(config::parse_faults(json)?))
    }

    /// Also serve the admin listener (RESP) on `addr`.
    pub fn admin(mut self, addr: SocketAddr) -> ProxyBuilder {
        self.admin = Some(addr);
        self
    }

    /// Cluster-aware mode: the upstream is a cluster node; proxy every
    /// node of its cluster, one listener each, rewriting node addresses
    /// in replies.
    pub fn cluster(mut self, on: bool) -> ProxyBuilder {
        self.cluster = on;
        self
    }

    /// Applies the faults, binds the listeners and starts accepting.
    ///
    /// # Errors
    ///
    /// An address that cannot be bound, a thread that cannot start, or (in
    /// cluster-aware mode) a seed that does not list its cluster's nodes.
    pub fn start(self) -> Result<Proxy, Error> {
        let shared = Arc::new(Shared::new(FaultSet::default(), self.cluster));
        // The faults are in force before anything is accepted.
        shared.add_faults(self.faults);
        let proxy = Proxy {
            shared,
            admin: None,
        };
        let mut proxy = proxy;
        if let Some(addr) = self.admin {
            let local = admin::start(&proxy.shared, addr)
                .map_err(Error::io(format!("binding the admin listener {addr}")))?;
            proxy.admin = Some(local);
        }
        let upstreams = if self.cluster {
            let mut nodes = cluster::discover(self.upstream, DISCOVERY_TIMEOUT)
                .map_err(|e| Error::Cluster(e.to_string()))?;
            // The seed first: it gets the given port.
            nodes.retain(|n| *n != self.upstream);
            nodes.insert(0, self.upstream);
            nodes
        } else {
            vec![self.upstream]
        };
        for (i, upstream) in upstreams.into_iter().enumerate() {
            let port = match self.listen.port() {
                0 => 0,
                base => base
                    .checked_add(i as u16)
                    .ok_or_else(|| Error::Cluster("ports run out".into()))?,
            };
            let listen = SocketAddr::new(self.listen.ip(), port);
            let route = listener::start(&proxy.shared, listen, upstream)
                .map_err(Error::io(format!("binding the proxy listener {listen}")))?;
            log::info!("listening on {} for {}", route.listen, route.upstream);
        }
        Ok(proxy)
    }
}

/// A RESP-aware fault-injecting proxy; see the [crate documentation](crate).
///
/// All methods take `&self` and apply at once to existing and new
/// connections. Dropping the proxy closes its listeners and connections
/// and joins its threads.
#[derive(Debug)]
pub struct Proxy {
    shared: Arc<Shared>,
    admin: Option<SocketAddr>,
}

impl Proxy {
    /// Options for a proxy in front of `upstream`.
    pub fn builder(upstream: SocketAddr) -> ProxyBuilder {
        ProxyBuilder {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            upstream,
            faults: Vec::new(),
            admin: None,
            cluster: false,
        }
    }

    /// Starts a proxy on a free port of 127.0.0.1 that forwards every
    /// connection to `upstream`, with no fault.
    ///
    /// # Errors
    ///
    /// If the listener cannot be bound or its thread cannot be started.
    pub fn start(upstream: SocketAddr) -> Result<Proxy, Error> {
        Proxy::builder(upstream).start()
    }

    /// `127.0.0.1:<port>`: where clients should connect (in cluster-aware
    /// mode, the seed node's listener).
    pub fn addr(&self) -> SocketAddr {
        self.routes()[0].listen
    }

    /// The port the proxy listens on.
    pub fn port(&self) -> u16 {
        self.addr().port()
    }

    /// The server every connection is forwarded to (the seed node in
    /// cluster-aware mode).
    pub fn upstream(&self) -> SocketAddr {
        self.routes()[0].upstream
    }

    /// Every listener and its upstream (one per node in cluster-aware
    /// mode, nodes seen later included).
    pub fn routes(&self) -> Vec<Route> {
        lock(&self.shared.routes).clone()
    }

    /// Every live connection: client, listener, upstream.
    pub fn connections(&self) -> Vec<ConnectionInfo> {
        self.shared.connections()
    }

    /// The admin listener's address, if it was asked for.
    pub fn admin_addr(&self) -> Option<SocketAddr> {
        self.admin
    }

    /// Adds faults (a fault named like an existing one replaces it), all at
    /// once; returns their names (unnamed ones get `fault-<n>`).
    pub fn add_faults(&self, faults: Vec<Fault>) -> Vec<String> {
        self.shared.add_faults(faults)
    }

    /// Adds the faults of a JSON configuration (see [`crate::config`]).
    ///
    /// # Errors
    ///
    /// The configuration's first mistake; then nothing is added.
    pub fn add_config(&self, json: &str) -> Result<Vec<String>, ConfigError> {
        Ok(self.add_faults(config::parse_faults(json)?))
    }

    /// Removes the fault named `name`; whether there was one.
    pub fn remove_fault(&self, name: &str) -> bool {
        self.shared.change_faults(|set| set.remove(name))
    }

    /// Removes every fault, resumes, and accepts connections again.
    pub fn reset(&self) {
        admin::reset(&self.shared);
    }

    /// The faults in force.
    pub fn faults(&self) -> Arc<FaultSet> {
        self.shared.faults()
    }

    /// Counters per connection, command and fault.
    pub fn stats(&self) -> Stats {
        self.shared.stats()
    }

    // ----- the test harness's methods -----

    /// Delays the reply of every command named `name` (case-insensitive) by
    /// `delay` before forwarding it; replies behind it on the same
    /// connection wait too, so order is kept. Replaces an earlier delay for
    /// that name. When a command matches several delays, the longest
    /// applies.
    pub fn delay_command(&self, name: &str, delay: Duration) {
        let upper = name.to_ascii_uppercase();
        let rule = Rule::new(format!("{DELAY_COMMAND}{upper}"))
            .commands([&upper])
            .delay(delay, Direction::Reply);
        self.shared.add_faults(vec![Fault::Rule(rule)]);
    }

    /// Like [`Self::delay_command`], for every command that has `key`
    /// (exact bytes) among its keys (found through the command table).
    pub fn delay_key(&self, key: impl AsRef<[u8]>, delay: Duration) {
        let key = key.as_ref();
        let name = format!("{DELAY_KEY}{}", key.escape_ascii());
        let rule = Rule::new(name).key(key).delay(delay, Direction::Reply);
        self.shared.add_faults(vec![Fault::Rule(rule)]);
    }

    /// Removes every command and key delay (a reply already being held is
    /// still held to the end of its delay).
    pub fn clear_delays(&self) {
        self.shared.change_faults(|set| {
            set.remove_where(|name| name.starts_with(DELAY_COMMAND) || name.starts_with(DELAY_KEY))
        });
    }

    /// Closes each connection (both sides) once `bytes` more bytes of
    /// replies have been forwarded to its client, counted from now for
    /// existing connections and from the start for new ones: a
    /// `limit_data` toxic, downstream. The last forwarded chunk is
    /// truncated, so the cut can land mid-frame; with 0, a connection is
    /// closed when it next has reply bytes to forward.
    pub fn cut_after(&self, bytes: u64) {
        let toxic = Toxic::new(
            CUT_REPLIES,
            ToxicKind::LimitData { bytes },
            Stream::Downstream,
        );
        self.shared.add_faults(vec![Fault::Toxic(toxic)]);
    }

    /// Like [`Self::cut_after`], counting request bytes forwarded from the
    /// client to the server.
    pub fn cut_after_request_bytes(&self, bytes: u64) {
        let toxic = Toxic::new(
            CUT_REQUESTS,
            ToxicKind::LimitData { bytes },
            Stream::Upstream,
        );
        self.shared.add_faults(vec![Fault::Toxic(toxic)]);
    }

    /// Cancels both [`Self::cut_after`] and [`Self::cut_after_request_bytes`].
    pub fn clear_cut(&self) {
        self.shared.change_faults(|set| {
            set.remove_where(|name| name == CUT_REPLIES || name == CUT_REQUESTS)
        });
    }

    /// Stops forwarding in both directions on every connection, without
    /// closing anything: what arrives is held until [`Self::resume`]. New
    /// connections are still accepted, but black-holed too.
    pub fn pause(&self) {
        self.shared.set_paused(true);
    }

    /// Forwards everything held since [`Self::pause`] and carries on.
    pub fn resume(&self) {
        self.shared.set_paused(false);
    }

    /// Whether the proxy is paused.
    pub fn is_paused(&self) -> bool {
        self.shared.is_paused()
    }

    /// While `refuse` is true, new connections are accepted and closed at
    /// once, before anything is read or sent (no upstream connection is
    /// made). Existing connections are not affected.
    pub fn refuse_connections(&self, refuse: bool) {
        self.shared.refuse.store(refuse, Ordering::SeqCst);
    }

    /// Drops, instead of forwarding, every pub/sub message published to
    /// `channel` (`message` and `pmessage` frames, RESP2 arrays or RESP3
    /// pushes), on existing and new connections: subscribers stay
    /// subscribed but never hear of them. Other frames pass unchanged.
    pub fn drop_messages(&self, channel: impl AsRef<[u8]>) {
        self.shared.dropped.add(channel.as_ref());
    }

    /// How many pub/sub messages [`drop_messages`](Proxy::drop_messages)
    /// swallowed so far.
    pub fn messages_dropped(&self) -> u64 {
        self.shared
            .dropped
            .count
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Closes every current connection, on both sides, now; how many
    /// there were.
    pub fn kill_connections(&self) -> usize {
        self.shared.kill_all()
    }

    /// Connections accepted so far, refused ones included.
    pub fn connections_accepted(&self) -> u64 {
        self.shared.accepted.load(Ordering::SeqCst)
    }

    /// Connections closed at once because of [`Self::refuse_connections`]
    /// (or a `down` toxic).
    pub fn connections_refused(&self) -> u64 {
        self.shared.refused.load(Ordering::SeqCst)
    }

    /// Connections closed because the upstream server could not be reached.
    pub fn upstream_failures(&self) -> u64 {
        self.shared.upstream_failures.load(Ordering::SeqCst)
    }

    /// Connections currently being forwarded (from accept until their
    /// thread has closed both sockets).
    pub fn open_connections(&self) -> usize {
        lock(&self.shared.conns).len()
    }

    /// Requests decoded so far, on all connections.
    pub fn commands_seen(&self) -> u64 {
        let mut n = 0;
        self.shared.each_stats(|s| n += s.commands);
        n
    }

    /// Requests named `name` (case-insensitive) decoded so far.
    pub fn command_count(&self, name: &str) -> u64 {
        let mut n = 0;
        self.shared.each_stats(|s| n += s.calls(name.as_bytes()));
        n
    }

    /// Replies paired with their command so far.
    pub fn replies_seen(&self) -> u64 {
        let mut n = 0;
        self.shared.each_stats(|s| n += s.replies);
        n
    }

    /// RESP3 push frames forwarded (while pairing) so far.
    pub fn pushes_seen(&self) -> u64 {
        let mut n = 0;
        self.shared.each_stats(|s| n += s.pushes);
        n
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::SeqCst);
        for waker in lock(&self.shared.listener_wakers).iter() {
            waker.wake();
        }
        for stream in lock(&self.shared.admin_conns).values() {
            let _ = stream.shutdown(std::net::Shutdown::Both);
        }
        self.shared.kill_all();
        loop {
            let thread = lock(&self.shared.threads).pop();
            match thread {
                Some(thread) => {
                    let _ = thread.join();
                }
                None => break,
            }
        }
    }
}
