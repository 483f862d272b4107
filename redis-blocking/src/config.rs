//! Where and how to connect.

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use resp_core::client::{HandshakeOptions, Protocol};
use resp_core::Limits;

use crate::error::{Error, Result};

/// The server's address.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Addr {
    /// A host name or IP address and a port.
    Tcp {
        /// Host name, IPv4 or IPv6 address (without brackets).
        host: String,
        /// TCP port.
        port: u16,
    },
    /// A Unix domain socket.
    Unix(PathBuf),
}

impl fmt::Display for Addr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Addr::Tcp { host, port } if host.contains(':') => write!(f, "[{host}]:{port}"),
            Addr::Tcp { host, port } => write!(f, "{host}:{port}"),
            Addr::Unix(path) => write!(f, "{}", path.display()),
        }
    }
}

/// TLS settings. Server verification is on unless
/// [`insecure`](TlsOptions::insecure) is set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsOptions {
    /// A PEM file of CA certificates to trust, besides the system's.
    pub ca_file: Option<PathBuf>,
    /// A PEM client certificate, for servers that verify clients.
    pub cert_file: Option<PathBuf>,
    /// The PEM (PKCS#8) private key of the client certificate.
    pub key_file: Option<PathBuf>,
    /// The server name to send (SNI) and verify, when it differs from the
    /// host connected to.
    pub sni: Option<String>,
    /// Accept any certificate and host name. For tests only.
    pub insecure: bool,
}

/// Everything needed to open a connection.
///
/// Build one from a URL ([`Config::from_url`]) or from parts. `Debug`
/// never shows the password.
///
/// Defaults: RESP2, database 0, connect timeout 10 s, no response timeout
/// (a call waits as long as the server takes unless a timeout is set),
/// TCP keepalive after 60 s idle, TCP_NODELAY on.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use redis_blocking::Config;
///
/// let config = Config::from_url("redis://app:s3cret@127.0.0.1:6380/2?protocol=3")?
///     .timeout(Some(Duration::from_secs(5)));
/// assert_eq!(config.get_db(), 2);
/// assert!(!format!("{config:?}").contains("s3cret"));
/// # Ok::<(), redis_blocking::Error>(())
/// ```
#[derive(Clone)]
pub struct Config {
    pub(crate) addr: Addr,
    pub(crate) tls: Option<TlsOptions>,
    pub(crate) handshake: HandshakeOptions,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) keepalive: Option<Duration>,
    pub(crate) socket_buffers: Option<usize>,
    pub(crate) limits: Limits,
}

impl Config {
    /// A plaintext TCP connection to `host:port`.
    pub fn tcp(host: impl Into<String>, port: u16) -> Config {
        Config::with_addr(Addr::Tcp {
            host: host.into(),
            port,
        })
    }

    /// A Unix socket connection.
    pub fn unix(path: impl Into<PathBuf>) -> Config {
        Config::with_addr(Addr::Unix(path.into()))
    }

    /// A connection to `addr` with default settings.
    pub fn with_addr(addr: Addr) -> Config {
        Config {
            addr,
            tls: None,
            handshake: HandshakeOptions::new().ping_if_idle(true),
            connect_timeout: Some(Duration::from_secs(10)),
            timeout: None,
            keepalive: Some(Duration::from_secs(60)),
            socket_buffers: None,
            limits: Limits::default(),
        }
    }

    /// Sets the password.
    pub fn password(mut self, password: impl Into<Vec<u8>>) -> Config {
        self.handshake = std::mem::take(&mut self.handshake).password(password);
        self
    }

    /// Sets the ACL user name.
    pub fn user(mut self, user: impl Into<Vec<u8>>) -> Config {
        self.handshake = std::mem::take(&mut self.handshake).user(user);
        self
    }

    /// Sets the database to select.
    pub fn db(mut self, db: i64) -> Config {
        self.handshake = std::mem::take(&mut self.handshake).db(db);
        self
    }

    /// Sets the protocol to ask for.
    pub fn protocol(mut self, protocol: Protocol) -> Config {
        self.handshake = std::mem::take(&mut self.handshake).protocol(protocol);
        self
    }

    /// Sets the client name (`CLIENT SETNAME`).
    pub fn client_name(mut self, name: impl Into<Vec<u8>>) -> Config {
        self.handshake = std::mem::take(&mut self.handshake).client_name(name);
        self
    }

    /// Turns TLS on with these settings.
    pub fn tls(mut self, tls: TlsOptions) -> Config {
        self.tls = Some(tls);
        self
    }

    /// Sets the connect timeout: TCP connect to every resolved address in
    /// turn, TLS handshake and the Redis handshake together.
    pub fn connect_timeout(mut self, timeout: Option<Duration>) -> Config {
        self.connect_timeout = timeout;
        self
    }

    /// Sets the default time a call may take, from its first write to its
    /// last reply. Blocking commands add their own timeout to it.
    pub fn timeout(mut self, timeout: Option<Duration>) -> Config {
        self.timeout = timeout;
        self
    }

    /// Sets the TCP keepalive idle time; `None` turns keepalive off.
    pub fn keepalive(mut self, idle: Option<Duration>) -> Config {
        self.keepalive = idle;
        self
    }

    /// Sets the size of the socket's send and receive buffers (`SO_SNDBUF`,
    /// `SO_RCVBUF`) for TCP connections; `None` leaves the system's
    /// (auto-tuned) sizes. Small buffers cost throughput; they are for
    /// tests and for memory-starved hosts.
    pub fn socket_buffers(mut self, bytes: Option<usize>) -> Config {
        self.socket_buffers = bytes;
        self
    }

    /// Whether to send a `PING` when the handshake has nothing to send
    /// (default: yes), so that a TLS mismatch or a missing password fails
    /// at connect time. Tools that must connect first and authenticate
    /// later, as `redis-cli` does, turn it off.
    pub fn ping_on_connect(mut self, on: bool) -> Config {
        self.handshake = std::mem::take(&mut self.handshake).ping_if_idle(on);
        self
    }

    /// Sets the decoder's limits for replies.
    pub fn limits(mut self, limits: Limits) -> Config {
        self.limits = limits;
        self
    }

    /// The address.
    pub fn get_addr(&self) -> &Addr {
        &self.addr
    }

    /// The database selected on connect.
    pub fn get_db(&self) -> i64 {
        self.handshake.get_db()
    }

    /// The protocol asked for.
    pub fn get_protocol(&self) -> Protocol {
        self.handshake.get_protocol()
    }

    /// The TLS settings, if TLS is on.
    pub fn get_tls(&self) -> Option<&TlsOptions> {
        self.tls.as_ref()
    }

    /// The default call timeout.
    pub fn get_timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// The connect timeout.
    pub fn get_connect_timeout(&self) -> Option<Duration> {
        self.connect_timeout
    }

    /// The ACL user name, if any.
    pub fn get_user(&self) -> Option<&[u8]> {
        self.handshake.get_user()
    }

    /// True when a password is set.
    pub fn has_password(&self) -> bool {
        self.handshake.has_password()
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if let Addr::Tcp { host, .. } = &self.addr {
            if host.is_empty() {
                return Err(Error::config("the host is empty"));
            }
        }
        Ok(())
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Config")
            .field("addr", &self.addr)
            .field("tls", &self.tls)
            .field("handshake", &self.handshake)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field("keepalive", &self.keepalive)
            .finish()
    }
}
