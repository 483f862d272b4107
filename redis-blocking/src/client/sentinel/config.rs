//! How a Sentinel-backed client is configured.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

use crate::config::{Addr, Config};
use crate::error::{Error, Result};

/// The port sentinels listen on by default.
pub const DEFAULT_SENTINEL_PORT: u16 = 26379;

/// Maps an address a sentinel reports to the one this client can reach
/// (NAT, containers, a proxy in front of each node).
pub type AddrRemap = Arc<dyn Fn(&Addr) -> Addr + Send + Sync>;

/// How replicas are picked for reads.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaSelect {
    /// A healthy replica at random, for each new connection.
    Random,
    /// The healthy replicas in turn, one new connection after the other.
    RoundRobin,
}

/// Everything a Sentinel-backed [`Client`](crate::Client) needs: the
/// master's name, the sentinels to ask, the settings of the data nodes
/// (master and replicas) and, separately, of the sentinels.
///
/// Build one from a URL ([`SentinelConfig::from_url`], see
/// [`redis_blocking::url`](crate::url) for the form) or from parts; give it
/// to [`Client::sentinel`](crate::Client::sentinel). `Debug` never shows a
/// password.
///
/// Defaults: data nodes as [`Config`]'s defaults; sentinels asked with a
/// 500 ms timeout each (connect and reply), RESP2, no credentials; the
/// master's address re-checked every 2 s; the watched sentinel pinged
/// every second; reads go to the master.
///
/// # Example
///
/// ```
/// use std::time::Duration;
/// use redis_blocking::{Addr, ReplicaSelect, SentinelConfig};
///
/// let config = SentinelConfig::new("mymaster", [Addr::parse("10.0.0.1:26379")?, Addr::parse("10.0.0.2:26380")?])
///     .data(|node| node.password("s3cret").db(2))
///     .sentinel(|sentinel| sentinel.password("sentinel-s3cret"))
///     .sentinel_timeout(Duration::from_millis(300))
///     .read_from_replicas(ReplicaSelect::RoundRobin, true);
/// assert_eq!(config.sentinels()[1].to_string(), "10.0.0.2:26380");
/// assert_eq!(config.data_config().get_db(), 2);
/// assert!(!format!("{config:?}").contains("s3cret"));
/// # Ok::<(), redis_blocking::Error>(())
/// ```
#[derive(Clone)]
pub struct SentinelConfig {
    pub(crate) master_name: String,
    pub(crate) sentinels: Vec<Addr>,
    pub(crate) data: Config,
    pub(crate) sentinel: Config,
    pub(crate) remap: Option<AddrRemap>,
    pub(crate) replicas: Option<(ReplicaSelect, bool)>,
    pub(crate) recheck: Duration,
    pub(crate) ping: Duration,
}

/// The address data-node settings carry until a sentinel names one: never
/// connected to.
fn placeholder(master_name: &str) -> Addr {
    Addr::Tcp {
        host: master_name.to_owned(),
        port: 0,
    }
}

impl SentinelConfig {
    /// The master named `master_name`, found through `sentinels`, tried in
    /// this order. ([`Addr::parse`] gives a bare host port 6379, Redis's:
    /// write the sentinels' port, usually 26379.)
    pub fn new(master_name: impl Into<String>, sentinels: impl IntoIterator<Item = Addr>) -> Self {
        let master_name = master_name.into();
        let timeout = Duration::from_millis(500);
        SentinelConfig {
            data: Config::with_addr(placeholder(&master_name)),
            sentinel: Config::with_addr(placeholder("sentinel"))
                .connect_timeout(Some(timeout))
                .timeout(Some(timeout)),
            master_name,
            sentinels: sentinels.into_iter().collect(),
            remap: None,
            replicas: None,
            recheck: Duration::from_secs(2),
            ping: Duration::from_secs(1),
        }
    }

    /// Parses a `redis+sentinel://` or `rediss+sentinel://` URL; see
    /// [`crate::url`].
    ///
    /// # Errors
    ///
    /// [`InvalidConfig`](crate::ErrorKind::InvalidConfig), naming the part
    /// at fault (never repeating a password).
    pub fn from_url(url: &str) -> Result<SentinelConfig> {
        super::url::parse(url)
    }

    /// Changes the settings of the data nodes: credentials, database,
    /// protocol, TLS, client name, timeouts (their address is ignored: the
    /// sentinels give it).
    pub fn data(mut self, change: impl FnOnce(Config) -> Config) -> Self {
        let addr = self.data.addr.clone();
        self.data = change(self.data);
        self.data.addr = addr;
        self
    }

    /// Changes the settings used to talk to the sentinels: credentials,
    /// TLS, timeouts (their address is ignored).
    pub fn sentinel(mut self, change: impl FnOnce(Config) -> Config) -> Self {
        let addr = self.sentinel.addr.clone();
        self.sentinel = change(self.sentinel);
        self.sentinel.addr = addr;
        self
    }

    /// Sets how long each sentinel gets, to connect and to answer, before
    /// the next one is asked (default 500 ms).
    pub fn sentinel_timeout(self, timeout: Duration) -> Self {
        self.sentinel(|c| c.connect_timeout(Some(timeout)).timeout(Some(timeout)))
    }

    /// Applies `remap` to every address a sentinel reports (the master,
    /// replicas, other sentinels, `+switch-master`), for clients that reach
    /// the nodes by other addresses than the ones they announce.
    pub fn remap(mut self, remap: impl Fn(&Addr) -> Addr + Send + Sync + 'static) -> Self {
        self.remap = Some(Arc::new(remap));
        self
    }

    /// Sends read-only commands (by the command table) to healthy replicas
    /// ([`SENTINEL replicas`]: not `s_down`, `o_down` or `disconnected`,
    /// link to the master `ok`, and `ROLE` confirmed on connect), picked by
    /// `select`; with `fallback_to_master`, to the master when there is
    /// none. Replicas lag behind the master: a read may not see a write
    /// that was just acknowledged.
    ///
    /// [`SENTINEL replicas`]: https://redis.io/docs/management/sentinel/
    pub fn read_from_replicas(mut self, select: ReplicaSelect, fallback_to_master: bool) -> Self {
        self.replicas = Some((select, fallback_to_master));
        self
    }

    /// Sets how often the master's address is asked again besides the
    /// `+switch-master` messages, which can be missed (default 2 s).
    pub fn recheck_interval(mut self, interval: Duration) -> Self {
        self.recheck = interval.max(Duration::from_millis(50));
        self
    }

    /// Sets how often the watched sentinel is pinged (default 1 s); one
    /// that stays silent for this long plus the sentinel timeout is
    /// replaced by the next one.
    pub fn ping_interval(mut self, interval: Duration) -> Self {
        self.ping = interval.max(Duration::from_millis(50));
        self
    }

    /// The master's name.
    pub fn master_name(&self) -> &str {
        &self.master_name
    }

    /// The configured sentinels, in order.
    pub fn sentinels(&self) -> &[Addr] {
        &self.sentinels
    }

    /// The data nodes' settings.
    pub fn data_config(&self) -> &Config {
        &self.data
    }

    /// The settings used to talk to the sentinels.
    pub fn sentinel_config(&self) -> &Config {
        &self.sentinel
    }

    /// The replica selection and fallback, if reads go to replicas.
    pub fn get_replica_reads(&self) -> Option<(ReplicaSelect, bool)> {
        self.replicas
    }

    /// The re-check interval.
    pub fn get_recheck_interval(&self) -> Duration {
        self.recheck
    }

    pub(crate) fn validate(&self) -> Result<()> {
        if self.master_name.is_empty() {
            return Err(Error::config("the Sentinel master name is empty"));
        }
        if self.sentinels.is_empty() {
            return Err(Error::config("no sentinel is configured"));
        }
        if self.sentinel.get_db() != 0 {
            return Err(Error::config("sentinels have no databases to select"));
        }
        Ok(())
    }

    /// `addr` as this client reaches it.
    pub(crate) fn remapped(&self, addr: Addr) -> Addr {
        match &self.remap {
            Some(remap) => remap(&addr),
            None => addr,
        }
    }
}

impl fmt::Debug for SentinelConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SentinelConfig")
            .field("master_name", &self.master_name)
            .field("sentinels", &self.sentinels)
            .field("data", &self.data)
            .field("sentinel", &self.sentinel)
            .field("remap", &self.remap.is_some())
            .field("replicas", &self.replicas)
            .field("recheck", &self.recheck)
            .field("ping", &self.ping)
            .finish()
    }
}
