//! [`Proxy`]: a RESP-aware TCP proxy that injects faults between a client
//! and a real Redis server.
//!
//! The proxy listens on 127.0.0.1 and, for each client it accepts, opens a
//! connection to the upstream server and forwards bytes both ways, unchanged.
//! Along the way it decodes requests ([`resp_core::RequestDecoder`], multibulk
//! and inline) and replies ([`resp_core::Decoder`]) to pair every reply with
//! its command, so that faults can target commands and keys:
//!
//! * [`Proxy::delay_command`] / [`Proxy::delay_key`]: hold the replies of
//!   matching commands for a while (later replies wait behind them);
//! * [`Proxy::cut_after`] / [`Proxy::cut_after_request_bytes`]: close each
//!   connection once N more bytes went through, even mid-frame;
//! * [`Proxy::pause`] / [`Proxy::resume`]: black-hole every connection
//!   without closing it, so clients time out;
//! * [`Proxy::refuse_connections`]: close new connections right away;
//! * [`Proxy::kill_connections`]: close every current connection;
//! * [`Proxy::drop_messages`]: swallow the pub/sub messages of a channel
//!   (a subscriber that silently misses them).
//!
//! Every fault can be changed at any time and applies to existing and new
//! connections. RESP3 push frames (`>`) are forwarded without being paired.
//! A connection that sends SUBSCRIBE, PSUBSCRIBE, SSUBSCRIBE, MONITOR or
//! CLIENT REPLY, or whose traffic fails to decode, stops being paired: its
//! bytes are still forwarded, but command and key delays no longer apply.
//!
//! Dropping the proxy closes the listener and every connection and joins all
//! its threads (named `px<port>` and `px<port>:<connection id><direction>`).
//!
//! ```no_run
//! use std::time::Duration;
//! use integration_tests::{proxy::Proxy, RedisServer};
//!
//! let server = RedisServer::start().expect("redis-server starts");
//! let proxy = Proxy::start(server.addr()).expect("proxy starts");
//! proxy.delay_command("get", Duration::from_millis(300));
//! proxy.cut_after(1_000);
//! // ... point the client under test at proxy.addr() ...
//! proxy.kill_connections();
//! assert!(proxy.commands_seen() > 0);
//! ```

mod conn;
mod shared;

use std::net::{Ipv4Addr, SocketAddr, TcpListener};
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crate::error::{HarnessError, Result};

use self::shared::{lock, Shared};

/// A fault-injecting TCP proxy in front of one Redis server; see the
/// [module documentation](self).
///
/// All methods take `&self` and take effect immediately, on existing and
/// new connections alike.
#[derive(Debug)]
pub struct Proxy {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept_thread: Option<JoinHandle<()>>,
}

impl Proxy {
    /// Starts a proxy on a free port of 127.0.0.1 that forwards every
    /// connection to `upstream`.
    ///
    /// # Errors
    /// If the listener cannot be bound or its thread cannot be started.
    pub fn start(upstream: SocketAddr) -> Result<Proxy> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))
            .map_err(|e| HarnessError::from(e).context("binding the proxy listener"))?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared::new(upstream));
        let accept_shared = Arc::clone(&shared);
        let accept_thread = thread::Builder::new()
            .name(format!("px{}", addr.port()))
            .spawn(move || shared::accept_loop(&accept_shared, &listener))
            .map_err(|e| HarnessError::from(e).context("starting the proxy thread"))?;
        Ok(Proxy {
            addr,
            shared,
            accept_thread: Some(accept_thread),
        })
    }

    /// `127.0.0.1:<port>`: where clients should connect.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The port the proxy listens on.
    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// The server every connection is forwarded to.
    pub fn upstream(&self) -> SocketAddr {
        self.shared.upstream
    }

    /// Delays the reply of every command named `name` (case-insensitive) by
    /// `delay` before forwarding it; replies behind it on the same connection
    /// wait too, so order is kept. Replaces an earlier delay for that name.
    /// When a command matches several delays, the longest applies.
    pub fn delay_command(&self, name: &str, delay: Duration) {
        let name = name.as_bytes().to_ascii_uppercase();
        lock(&self.shared.delays).commands.insert(name, delay);
    }

    /// Like [`Self::delay_command`], for every command that has `key` (exact
    /// bytes) among its arguments after the name.
    pub fn delay_key(&self, key: impl AsRef<[u8]>, delay: Duration) {
        let key = key.as_ref().to_vec();
        lock(&self.shared.delays).keys.insert(key, delay);
    }

    /// Removes every command and key delay (a reply already being held is
    /// still held to the end of its delay).
    pub fn clear_delays(&self) {
        let mut delays = lock(&self.shared.delays);
        delays.commands.clear();
        delays.keys.clear();
    }

    /// Closes each connection (both sides) once `bytes` more bytes of
    /// replies have been forwarded to its client, counted from now for
    /// existing connections and from the start for new ones. The last
    /// forwarded chunk is truncated, so the cut can land mid-frame; with 0,
    /// a connection is closed when it next has reply bytes to forward.
    pub fn cut_after(&self, bytes: u64) {
        self.shared.set_cut(Some(bytes), None);
    }

    /// Like [`Self::cut_after`], counting request bytes forwarded from the
    /// client to the server.
    pub fn cut_after_request_bytes(&self, bytes: u64) {
        self.shared.set_cut(None, Some(bytes));
    }

    /// Cancels both [`Self::cut_after`] and [`Self::cut_after_request_bytes`].
    pub fn clear_cut(&self) {
        self.shared.clear_cut();
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
        lock(&self.shared.control).paused
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
        lock(&self.shared.dropped_channels).push(channel.as_ref().to_vec());
    }

    /// Messages dropped by [`Self::drop_messages`] so far.
    pub fn messages_dropped(&self) -> u64 {
        self.shared.stats.dropped.load(Ordering::SeqCst)
    }

    /// Closes every current connection, on both sides, now.
    pub fn kill_connections(&self) {
        self.shared.kill_all();
    }

    /// Connections accepted so far, refused ones included.
    pub fn connections_accepted(&self) -> u64 {
        self.shared.stats.accepted.load(Ordering::SeqCst)
    }

    /// Connections closed at once because of [`Self::refuse_connections`].
    pub fn connections_refused(&self) -> u64 {
        self.shared.stats.refused.load(Ordering::SeqCst)
    }

    /// Connections closed because the upstream server could not be reached.
    pub fn upstream_failures(&self) -> u64 {
        self.shared.stats.upstream_failures.load(Ordering::SeqCst)
    }

    /// Connections currently being forwarded. A closed connection leaves
    /// this count once both its forwarding threads have stopped.
    pub fn open_connections(&self) -> usize {
        lock(&self.shared.registry).conns.len()
    }

    /// Requests decoded so far, on all connections.
    pub fn commands_seen(&self) -> u64 {
        self.shared.stats.commands.load(Ordering::SeqCst)
    }

    /// Requests named `name` (case-insensitive) decoded so far.
    pub fn command_count(&self, name: &str) -> u64 {
        let name = name.to_ascii_uppercase();
        lock(&self.shared.stats.per_command)
            .get(&name)
            .copied()
            .unwrap_or(0)
    }

    /// Replies paired with their command so far.
    pub fn replies_seen(&self) -> u64 {
        self.shared.stats.replies.load(Ordering::SeqCst)
    }

    /// RESP3 push frames forwarded (while pairing) so far.
    pub fn pushes_seen(&self) -> u64 {
        self.shared.stats.pushes.load(Ordering::SeqCst)
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        // The accept thread sees `stopping` within one poll interval.
        self.shared.stop();
        if let Some(thread) = self.accept_thread.take() {
            let _ = thread.join();
        }
        // No new connections from here on: close the rest and wait for them.
        self.shared.kill_all();
        let threads = std::mem::take(&mut *lock(&self.shared.threads));
        for thread in threads {
            let _ = thread.join();
        }
    }
}
