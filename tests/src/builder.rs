//! [`RedisServerBuilder`]: how a [`RedisServer`] is configured before it starts.

use std::time::Duration;

use crate::config::{AclUser, Kind, Spec};
use crate::error::{HarnessError, Result};
use crate::server::RedisServer;
use crate::tls::TlsAuthClients;
use crate::wait::DEFAULT_TIMEOUT;

/// Configures and starts a [`RedisServer`]. Create one with [`RedisServer::builder`].
///
/// By default the server listens on a free TCP port on 127.0.0.1 only.
#[derive(Debug, Clone)]
pub struct RedisServerBuilder {
    kind: Kind,
    tcp: Option<bool>,
    unix_socket: bool,
    tls: Option<TlsAuthClients>,
    users: Vec<AclUser>,
    requirepass: Option<String>,
    admin_auth: Option<(Option<String>, String)>,
    cluster: bool,
    replica_of: Option<u16>,
    extra: Vec<String>,
    startup_timeout: Duration,
}

impl Default for RedisServerBuilder {
    fn default() -> Self {
        RedisServerBuilder {
            kind: Kind::Server,
            tcp: None,
            unix_socket: false,
            tls: None,
            users: Vec::new(),
            requirepass: None,
            admin_auth: None,
            cluster: false,
            replica_of: None,
            extra: Vec::new(),
            startup_timeout: DEFAULT_TIMEOUT,
        }
    }
}

impl RedisServerBuilder {
    /// A builder for a `redis-sentinel` process (used by [`crate::Sentinels`]).
    pub(crate) fn sentinel() -> Self {
        RedisServerBuilder {
            kind: Kind::Sentinel,
            ..Self::default()
        }
    }

    /// Whether to listen on a plain TCP port. Defaults to `true`, except for
    /// TLS servers, which default to TLS only (`port 0`).
    pub fn tcp(mut self, enabled: bool) -> Self {
        self.tcp = Some(enabled);
        self
    }

    /// Also listen on a Unix socket (`unixsocket` in the temp dir, `unixsocketperm 700`).
    /// Combine with `.tcp(false)` for a Unix-socket-only server.
    pub fn unix_socket(mut self) -> Self {
        self.unix_socket = true;
        self
    }

    /// Listen on a TLS port with certificates generated for this server
    /// (see [`RedisServer::tls_certs`]), with `tls-auth-clients optional`.
    ///
    /// Unless `.tcp(true)` is also given, the server has no plain TCP port;
    /// the harness then adds a Unix socket for its own control connection.
    pub fn tls(mut self) -> Self {
        self.tls.get_or_insert(TlsAuthClients::Optional);
        self
    }

    /// Enables TLS (like [`Self::tls`]) with the given `tls-auth-clients` setting.
    pub fn tls_auth_clients(mut self, auth: TlsAuthClients) -> Self {
        self.tls = Some(auth);
        self
    }

    /// Adds an ACL user: `user <name> reset on ><password> <rules>`, e.g.
    /// `.user("alice", "secret", "~* +@all")`.
    ///
    /// Declaring `"default"` here also makes the harness authenticate with
    /// that password.
    pub fn user(mut self, name: &str, password: &str, rules: &str) -> Self {
        if name == "default" && self.admin_auth.is_none() {
            self.admin_auth = Some((None, password.to_string()));
        }
        self.users.push(AclUser {
            name: name.to_string(),
            password: password.to_string(),
            rules: rules.to_string(),
        });
        self
    }

    /// Sets `requirepass` (the default user's password); the harness
    /// authenticates with it.
    pub fn requirepass(mut self, password: &str) -> Self {
        self.requirepass = Some(password.to_string());
        self.admin_auth = Some((None, password.to_string()));
        self
    }

    /// Credentials the harness itself uses (readiness PING, [`RedisServer::run`],
    /// [`RedisServer::connect`]), when neither `requirepass` nor a `default`
    /// user fits, e.g. when the default user is disabled.
    pub fn admin_auth(mut self, user: &str, password: &str) -> Self {
        self.admin_auth = Some((Some(user.to_string()), password.to_string()));
        self
    }

    /// Starts as a replica of `master` (`replicaof 127.0.0.1 <port>`).
    pub fn replica_of(self, master: &RedisServer) -> Self {
        self.replica_of_port(master.port())
    }

    /// Starts as a replica of the server on 127.0.0.1:`port`.
    pub fn replica_of_port(mut self, port: u16) -> Self {
        self.replica_of = Some(port);
        self
    }

    /// Enables cluster mode (`cluster-enabled yes`, `cluster-config-file
    /// nodes.conf` in the server's dir) and picks a port whose bus port
    /// (`port + 10000`) is free too.
    pub fn cluster(mut self) -> Self {
        self.cluster = true;
        self
    }

    /// Appends a raw config line, e.g. `"maxmemory 10mb"`; later lines override earlier ones.
    pub fn config(mut self, line: &str) -> Self {
        self.extra.push(line.to_string());
        self
    }

    /// How long to wait for the server to answer PING (default 10 s).
    pub fn startup_timeout(mut self, timeout: Duration) -> Self {
        self.startup_timeout = timeout;
        self
    }

    /// Starts the server and waits until it answers PING.
    pub fn start(self) -> Result<RedisServer> {
        let spec = self.into_spec()?;
        RedisServer::start_with(spec)
    }

    fn into_spec(self) -> Result<Spec> {
        let tcp = self.tcp.unwrap_or(self.tls.is_none());
        if self.kind == Kind::Sentinel && (self.tls.is_some() || self.cluster) {
            return Err(HarnessError::new(
                "the harness does not support TLS or cluster mode for sentinels",
            ));
        }
        if self.cluster && !tcp {
            return Err(HarnessError::new("a cluster node needs a plain TCP port"));
        }
        if !tcp && !self.unix_socket && self.tls.is_none() {
            return Err(HarnessError::new(
                "the server must listen on TCP, TLS or a Unix socket",
            ));
        }
        Ok(Spec {
            kind: self.kind,
            tcp,
            // A TLS-only server gets a Unix socket for the harness's control connection.
            unix_socket: self.unix_socket || !tcp,
            tls: self.tls,
            users: self.users,
            requirepass: self.requirepass,
            admin_auth: self.admin_auth,
            cluster: self.cluster,
            replica_of: self.replica_of,
            extra: self.extra,
            startup_timeout: self.startup_timeout,
        })
    }
}
