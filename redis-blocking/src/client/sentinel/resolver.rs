//! Asking the sentinels: the I/O around [`resp_core::sentinel::Resolution`].

use std::sync::Mutex;
use std::time::Instant;

use resp_core::sentinel::{Endpoint, Found, Query, Resolution, SentinelList};

use super::config::SentinelConfig;
use crate::config::Addr;
use crate::connection::Connection;
use crate::error::{Error, Result};

/// The sentinels of one master, in the order to ask them, and a connection
/// to the one that answered last, kept for the next question.
pub(crate) struct Resolver {
    config: SentinelConfig,
    list: Mutex<SentinelList<Addr>>,
    /// Taken while in use: concurrent resolutions open their own.
    kept: Mutex<Option<Connection>>,
}

/// What went wrong with `sentinel`, without repeating its address.
fn cause(sentinel: &Addr, error: &Error) -> String {
    let text = error.to_string();
    match text.strip_prefix(&format!("{sentinel}: ")) {
        Some(rest) => rest.to_owned(),
        None => text,
    }
}

/// The address of a sentinel's answer, as this client reaches it.
pub(crate) fn addr_of(config: &SentinelConfig, endpoint: &Endpoint) -> Addr {
    config.remapped(Addr::Tcp {
        host: endpoint.host.clone(),
        port: endpoint.port,
    })
}

impl Resolver {
    pub fn new(config: SentinelConfig) -> Resolver {
        Resolver {
            list: Mutex::new(SentinelList::new(config.sentinels.iter().cloned())),
            config,
            kept: Mutex::new(None),
        }
    }

    pub fn config(&self) -> &SentinelConfig {
        &self.config
    }

    /// The sentinels, in the order they are asked.
    pub fn sentinels(&self) -> Vec<Addr> {
        self.list.lock().unwrap_or_else(|e| e.into_inner()).to_vec()
    }

    /// Asks the sentinels `query` until one answers, within `deadline`,
    /// passing over answers naming `rejected` servers; with `discover`,
    /// adds the sentinels the answering one knows to the list.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::NoSentinelReachable`](crate::ErrorKind::NoSentinelReachable),
    /// [`ErrorKind::UnknownMaster`](crate::ErrorKind::UnknownMaster) or
    /// [`ErrorKind::MasterNotConfirmed`](crate::ErrorKind::MasterNotConfirmed),
    /// with what each sentinel did.
    pub fn resolve(
        &self,
        query: Query,
        deadline: Option<Instant>,
        rejected: &[(Endpoint, String)],
        discover: bool,
    ) -> Result<Found<Addr>> {
        let mut resolution =
            Resolution::new(self.config.master_name.clone(), self.sentinels(), query)
                .discover(discover);
        for (endpoint, why) in rejected {
            resolution = resolution.reject(endpoint.clone(), why.clone());
        }
        let mut kept = self.kept.lock().unwrap_or_else(|e| e.into_inner()).take();
        let mut out = Vec::new();
        while let Some(sentinel) = resolution.poll_sentinel().cloned() {
            if deadline.is_some_and(|d| Instant::now() >= d) {
                resolution.handle_unreachable("not asked: the deadline passed");
                continue;
            }
            let mut conn = match kept.take() {
                Some(conn) if *conn.addr() == sentinel && !conn.is_broken() => conn,
                _ => match self.open(&sentinel, deadline) {
                    Ok(conn) => conn,
                    Err(e) => {
                        resolution.handle_unreachable(cause(&sentinel, &e));
                        continue;
                    }
                },
            };
            resolution.handle_connected();
            let mut healthy = true;
            while resolution.poll_command(&mut out) {
                let reply_deadline = self.per_sentinel(deadline);
                match conn.query_bytes(&out, reply_deadline) {
                    Ok(reply) => resolution.handle_reply(&reply),
                    Err(e) => {
                        resolution.handle_unreachable(cause(&sentinel, &e));
                        healthy = false;
                    }
                }
                out.clear();
            }
            if healthy {
                kept = Some(conn);
            }
        }
        if let Some(conn) = kept {
            let mut slot = self.kept.lock().unwrap_or_else(|e| e.into_inner());
            if slot.is_none() {
                *slot = Some(conn);
            }
        }
        let found = resolution.finish().map_err(Error::sentinel)?;
        let mut list = self.list.lock().unwrap_or_else(|e| e.into_inner());
        list.promote(&found.sentinel);
        for endpoint in &found.discovered {
            if list.add(addr_of(&self.config, endpoint)) {
                log::debug!(
                    "sentinel {} discovered for master '{}'",
                    addr_of(&self.config, endpoint),
                    self.config.master_name
                );
            }
        }
        Ok(found)
    }

    /// The deadline for one step with one sentinel: its timeout, within
    /// the whole resolution's deadline.
    fn per_sentinel(&self, deadline: Option<Instant>) -> Option<Instant> {
        let own = self
            .config
            .sentinel
            .timeout
            .and_then(crate::connection::after);
        match (own, deadline) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Opens a connection to `sentinel`, within its timeout and `deadline`.
    pub fn open(&self, sentinel: &Addr, deadline: Option<Instant>) -> Result<Connection> {
        let mut config = self.config.sentinel.clone();
        config.addr = sentinel.clone();
        if let Some(deadline) = self.per_sentinel(deadline) {
            let left = deadline.saturating_duration_since(Instant::now());
            config.connect_timeout = Some(config.connect_timeout.map_or(left, |t| t.min(left)));
        }
        Connection::open(&config)
    }
}
