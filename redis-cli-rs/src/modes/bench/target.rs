//! Where the load goes: the connection settings (TCP or Unix socket, TLS,
//! ACL user, database, protocol), opening connections with
//! redis-benchmark's messages, and the server settings its report shows.

use std::time::Duration;

use redis_blocking::{Cmd, Config, Connection, Protocol};
use resp_core::Frame;

use super::options::BenchOptions;
use crate::conn::tls::{options_for, CaBundle};

/// The settings every load connection is opened with.
pub(crate) struct Target {
    /// The connection settings.
    pub config: Config,
    /// `host:port` or the socket path, as messages name it.
    pub label: String,
    /// `CLIENT TRACKING on` after connecting (`--enable-tracking`).
    pub tracking: bool,
    /// The CA bundle of `--cacertdir`, kept while connections are opened.
    _bundle: Option<CaBundle>,
}

impl Target {
    /// The target of `opts`.
    ///
    /// # Errors
    ///
    /// Unreadable TLS files, in redis-benchmark's words.
    pub(crate) fn new(opts: &BenchOptions) -> Result<Target, String> {
        let mut bundle = None;
        let (config, label) = match &opts.socket {
            Some(path) => (Config::unix(path), path.display().to_string()),
            None => {
                let label = format!("{}:{}", opts.host, opts.port);
                let config = Config::tcp(opts.host.clone(), opts.port as u16);
                let config = if opts.tls {
                    let (tls, ca) = options_for(&opts.tls_settings)
                        .map_err(|e| format!("Could not negotiate a TLS connection: {e}"))?;
                    bundle = ca;
                    config.tls(tls)
                } else {
                    config
                };
                (config, label)
            }
        };
        let mut config = config
            .db(opts.dbnum)
            .connect_timeout(Some(Duration::from_secs(10)))
            .timeout(None)
            // Nothing but the handshake before the first request: a PING
            // would show in the server's command counts.
            .ping_on_connect(false);
        if let Some(password) = &opts.password {
            config = config.password(password.clone());
            // As redis-benchmark: the user only goes with a password.
            if let Some(user) = &opts.user {
                config = config.user(user.clone());
            }
        }
        if opts.resp3 {
            config = config.protocol(Protocol::Resp3);
        }
        Ok(Target {
            config,
            label,
            tracking: opts.tracking,
            _bundle: bundle,
        })
    }

    /// Opens one load connection.
    ///
    /// # Errors
    ///
    /// `Could not connect to Redis at <where>: <why>`.
    pub(crate) fn open(&self) -> Result<Connection, String> {
        let mut conn = Connection::open(&self.config).map_err(|e| {
            format!(
                "Could not connect to Redis at {}: {}",
                self.label,
                crate::conn::connect_message(&e)
            )
        })?;
        if self.tracking {
            let reply = conn
                .query_raw(&Cmd::new("CLIENT").arg("TRACKING").arg("on"))
                .map_err(|e| format!("Could not connect to Redis at {}: {e}", self.label))?;
            if let Frame::Error(message) = reply {
                return Err(format!(
                    "Node {} replied with error:\n{}",
                    self.label,
                    String::from_utf8_lossy(&message)
                ));
            }
        }
        Ok(conn)
    }

    /// The server's `save` and `appendonly` settings, which the report
    /// shows; `None` (and a warning on stderr, as redis-benchmark) when
    /// they cannot be read.
    pub(crate) fn server_settings(&self) -> Option<(String, String)> {
        let settings = Connection::open(&self.config).ok().and_then(|mut conn| {
            Some((
                config_get(&mut conn, "save")?,
                config_get(&mut conn, "appendonly")?,
            ))
        });
        if settings.is_none() {
            eprintln!("WARNING: Could not fetch server CONFIG");
        }
        settings
    }
}

/// `CONFIG GET <name>`'s value.
fn config_get(conn: &mut Connection, name: &str) -> Option<String> {
    let reply = conn
        .query_raw(&Cmd::new("CONFIG").arg("GET").arg(name))
        .ok()?;
    let value = match reply {
        Frame::Array(items) => items.into_iter().nth(1)?,
        Frame::Map(pairs) => pairs.into_iter().next()?.1,
        _ => return None,
    };
    match value {
        Frame::Bulk(v) | Frame::Simple(v) => Some(String::from_utf8_lossy(&v).into_owned()),
        _ => None,
    }
}
