//! Connection lifecycle events, for logs and for a user callback.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::config::Addr;

/// Something that happened to one of a client's connections.
#[non_exhaustive]
#[derive(Debug, Clone)]
pub enum Event {
    /// A connection is being opened.
    Connect {
        /// The server.
        addr: Addr,
    },
    /// A connection finished its handshake and is ready for commands.
    Ready {
        /// The server.
        addr: Addr,
    },
    /// Opening a connection, or a call on one, failed.
    Error {
        /// The server.
        addr: Addr,
        /// What failed (never containing a password).
        error: String,
    },
    /// The client waits before trying again.
    Reconnecting {
        /// Which retry this is, from 1.
        attempt: u32,
        /// How long it waits first.
        delay: Duration,
    },
    /// A connection was closed: broken, expired, or not resettable.
    Closed {
        /// The server.
        addr: Addr,
        /// Why.
        reason: String,
    },
    /// A Sentinel client found its master at a new address (`from` is
    /// `None` the first time): connections to the old one are closed.
    MasterChanged {
        /// The master's name.
        name: String,
        /// Where it was.
        from: Option<Addr>,
        /// Where it is now.
        to: Addr,
        /// How the change was learnt (`+switch-master`, a re-check, a
        /// sentinel's answer on connect).
        cause: String,
    },
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Connect { addr } => write!(f, "connecting to {addr}"),
            Event::Ready { addr } => write!(f, "connection to {addr} ready"),
            Event::Error { addr, error } => write!(f, "{addr}: {error}"),
            Event::Reconnecting { attempt, delay } => write!(f, "retry {attempt} in {delay:?}"),
            Event::Closed { addr, reason } => write!(f, "closed connection to {addr}: {reason}"),
            Event::MasterChanged {
                name,
                from: Some(from),
                to,
                cause,
            } => write!(f, "master '{name}' moved from {from} to {to} ({cause})"),
            Event::MasterChanged {
                name, to, cause, ..
            } => write!(f, "master '{name}' is at {to} ({cause})"),
        }
    }
}

/// A user callback for [`Event`]s; it runs on the thread that caused the
/// event, so it should be quick.
pub type EventHandler = Arc<dyn Fn(&Event) + Send + Sync>;

/// Logs `event` and hands it to the handler, if any.
pub(crate) fn emit(handler: &Option<EventHandler>, event: Event) {
    match &event {
        Event::Connect { .. } | Event::Ready { .. } => log::debug!("{event}"),
        Event::Reconnecting { .. } | Event::MasterChanged { .. } => log::info!("{event}"),
        Event::Error { .. } | Event::Closed { .. } => log::warn!("{event}"),
    }
    if let Some(handler) = handler {
        handler(&event);
    }
}
