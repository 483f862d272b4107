//! [`Sentinels`]: a master, its replicas and a group of `redis-sentinel`
//! processes monitoring them.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use crate::builder::RedisServerBuilder;
use crate::cluster::info_field;
use crate::error::{HarnessError, Result};
use crate::resp::Reply;
use crate::server::RedisServer;
use crate::wait::{wait_for, Check};

/// Timeout for one probe of one process.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// Configures and starts [`Sentinels`]. Create one with [`Sentinels::builder`].
#[derive(Debug, Clone)]
pub struct SentinelsBuilder {
    master_name: String,
    replicas: usize,
    sentinels: usize,
    quorum: usize,
    down_after: Duration,
    failover_timeout: Duration,
    timeout: Duration,
    data_password: Option<String>,
    sentinel_password: Option<String>,
}

impl Default for SentinelsBuilder {
    fn default() -> Self {
        SentinelsBuilder {
            master_name: "mymaster".to_string(),
            replicas: 1,
            sentinels: 3,
            quorum: 2,
            down_after: Duration::from_millis(1000),
            failover_timeout: Duration::from_millis(5000),
            timeout: Duration::from_secs(20),
            data_password: None,
            sentinel_password: None,
        }
    }
}

impl SentinelsBuilder {
    /// The monitored master's name (default `mymaster`).
    pub fn master_name(mut self, name: &str) -> Self {
        self.master_name = name.to_string();
        self
    }

    /// Number of replicas of the master (default 1).
    pub fn replicas(mut self, replicas: usize) -> Self {
        self.replicas = replicas;
        self
    }

    /// Number of sentinel processes (default 3).
    pub fn sentinels(mut self, sentinels: usize) -> Self {
        self.sentinels = sentinels;
        self
    }

    /// Sentinels that must agree the master is down (default 2).
    pub fn quorum(mut self, quorum: usize) -> Self {
        self.quorum = quorum;
        self
    }

    /// `sentinel down-after-milliseconds` (default 1000 ms).
    pub fn down_after(mut self, down_after: Duration) -> Self {
        self.down_after = down_after;
        self
    }

    /// `sentinel failover-timeout` (default 5000 ms).
    pub fn failover_timeout(mut self, timeout: Duration) -> Self {
        self.failover_timeout = timeout;
        self
    }

    /// Protects the master and replicas with `requirepass` (and
    /// `masterauth`); the sentinels get it with `sentinel auth-pass`.
    pub fn data_password(mut self, password: &str) -> Self {
        self.data_password = Some(password.to_string());
        self
    }

    /// Protects the sentinels themselves with `requirepass` (and
    /// `sentinel sentinel-pass`, so that they still talk to each other).
    pub fn sentinel_password(mut self, password: &str) -> Self {
        self.sentinel_password = Some(password.to_string());
        self
    }

    /// How long to wait for the sentinels to discover everything (default 20 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Starts the master and replicas, waits until the replicas are in sync,
    /// then starts the sentinels and waits until each one sees the master,
    /// every replica and every other sentinel.
    pub fn start(self) -> Result<Sentinels> {
        if self.sentinels == 0 || self.quorum == 0 {
            return Err(HarnessError::new(
                "need at least one sentinel and a quorum of 1",
            ));
        }
        let data_node = || {
            let builder = RedisServer::builder();
            match &self.data_password {
                Some(pw) => builder.requirepass(pw).config(&format!("masterauth {pw}")),
                None => builder,
            }
        };
        let master = data_node().start()?;
        let mut servers = vec![master];
        for _ in 0..self.replicas {
            servers.push(data_node().replica_of(&servers[0]).start()?);
        }
        for replica in &servers[1..] {
            wait_replica_synced(replica, servers[0].port(), self.timeout)?;
        }
        let name = &self.master_name;
        let mut sentinels = Vec::with_capacity(self.sentinels);
        for _ in 0..self.sentinels {
            let mut builder = RedisServerBuilder::sentinel();
            if let Some(pw) = &self.data_password {
                builder = builder.config(&format!("sentinel auth-pass {name} {pw}"));
            }
            if let Some(pw) = &self.sentinel_password {
                builder = builder
                    .requirepass(pw)
                    .config(&format!("sentinel sentinel-pass {pw}"));
            }
            sentinels.push(
                builder
                    .config("sentinel resolve-hostnames no")
                    .config(&format!(
                        "sentinel monitor {name} 127.0.0.1 {} {}",
                        servers[0].port(),
                        self.quorum
                    ))
                    .config(&format!(
                        "sentinel down-after-milliseconds {name} {}",
                        self.down_after.as_millis()
                    ))
                    .config(&format!(
                        "sentinel failover-timeout {name} {}",
                        self.failover_timeout.as_millis()
                    ))
                    .start()?,
            );
        }
        let group = Sentinels {
            sentinels,
            servers,
            master_name: self.master_name,
            down_after: self.down_after,
        };
        group.wait_discovered(self.replicas, self.timeout)?;
        Ok(group)
    }
}

/// A master with replicas, monitored by a group of sentinels, all on
/// 127.0.0.1. Dropping it stops every process (sentinels first).
#[derive(Debug)]
pub struct Sentinels {
    sentinels: Vec<RedisServer>,
    servers: Vec<RedisServer>,
    master_name: String,
    down_after: Duration,
}

impl Sentinels {
    /// A builder with non-default settings.
    pub fn builder() -> SentinelsBuilder {
        SentinelsBuilder::default()
    }

    /// Starts a master, one replica and three sentinels (quorum 2).
    pub fn start() -> Result<Sentinels> {
        Self::builder().start()
    }

    /// The name the sentinels monitor the master under.
    pub fn master_name(&self) -> &str {
        &self.master_name
    }

    /// The sentinel processes.
    pub fn sentinels(&self) -> &[RedisServer] {
        &self.sentinels
    }

    /// The sentinels' addresses.
    pub fn sentinel_addrs(&self) -> Vec<SocketAddr> {
        self.sentinels.iter().map(RedisServer::addr).collect()
    }

    /// The data servers: the initial master first, then its replicas.
    pub fn servers(&self) -> &[RedisServer] {
        &self.servers
    }

    /// The server that was master at start.
    pub fn initial_master(&self) -> &RedisServer {
        &self.servers[0]
    }

    /// The servers that were replicas at start.
    pub fn initial_replicas(&self) -> &[RedisServer] {
        &self.servers[1..]
    }

    /// The data server listening on `port`.
    pub fn server_by_port(&self, port: u16) -> Option<&RedisServer> {
        self.servers.iter().find(|s| s.tcp_port() == Some(port))
    }

    /// The master's address as reported by the first sentinel that answers
    /// `SENTINEL GET-MASTER-ADDR-BY-NAME`.
    pub fn master_addr(&self) -> Result<SocketAddr> {
        let mut last = HarnessError::new("no sentinel is running");
        for sentinel in self.live_sentinels() {
            match self.master_addr_from(sentinel) {
                Ok(addr) => return Ok(addr),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// The data server the sentinels currently report as master.
    pub fn current_master(&self) -> Result<&RedisServer> {
        let addr = self.master_addr()?;
        self.server_by_port(addr.port())
            .ok_or_else(|| HarnessError::new(format!("sentinels report unknown master {addr}")))
    }

    /// Triggers `SENTINEL FAILOVER <name>` and waits until every running
    /// sentinel reports the same new master address and that server says it
    /// is a master. Returns the new master's address.
    pub fn failover(&self, timeout: Duration) -> Result<SocketAddr> {
        let old = self.master_addr()?;
        wait_for("a sentinel to accept SENTINEL FAILOVER", timeout, || {
            let mut last = String::from("no sentinel is running");
            for sentinel in self.live_sentinels() {
                match command(sentinel, &["SENTINEL", "FAILOVER", &self.master_name]) {
                    Ok(Reply::Status(_)) => return Ok(Check::Done(())),
                    Ok(Reply::Error(e)) if e.starts_with("INPROG") => return Ok(Check::Done(())),
                    Ok(other) => last = other.to_string(),
                    Err(e) => last = e.to_string(),
                }
            }
            Ok(Check::NotYet(last))
        })?;
        self.wait_for_master(timeout, |addr| addr != old)
    }

    /// Waits until every running sentinel reports the same master address,
    /// `accept` agrees with it, and the server there reports `role:master`.
    pub fn wait_for_master(
        &self,
        timeout: Duration,
        accept: impl Fn(SocketAddr) -> bool,
    ) -> Result<SocketAddr> {
        wait_for("the sentinels to agree on a new master", timeout, || {
            let mut seen = Vec::new();
            for sentinel in self.live_sentinels() {
                match self.master_addr_from(sentinel) {
                    Ok(addr) => seen.push(addr),
                    Err(e) => return Ok(Check::NotYet(e.to_string())),
                }
            }
            let Some(&addr) = seen.first() else {
                return Ok(Check::NotYet("no sentinel is running".into()));
            };
            if seen.iter().any(|&a| a != addr) || !accept(addr) {
                return Ok(Check::NotYet(format!("sentinels report {seen:?}")));
            }
            let role = self
                .server_by_port(addr.port())
                .map(|s| command(s, &["ROLE"]));
            match role {
                Some(Ok(Reply::Array(items)))
                    if items.first().and_then(Reply::as_str) == Some("master") =>
                {
                    Ok(Check::Done(addr))
                }
                other => Ok(Check::NotYet(format!("{addr} ROLE: {other:?}"))),
            }
        })
    }

    /// Starts one more sentinel, outside the group, that monitors `server`
    /// under the group's master name: a stale sentinel, when `server` is a
    /// replica. It is stopped when dropped.
    pub fn start_stale_sentinel(&self, server: &RedisServer) -> Result<RedisServer> {
        let name = &self.master_name;
        RedisServerBuilder::sentinel()
            .config("sentinel resolve-hostnames no")
            .config(&format!(
                "sentinel monitor {name} 127.0.0.1 {} 2",
                server.port()
            ))
            .config(&format!(
                "sentinel down-after-milliseconds {name} {}",
                self.down_after.as_millis()
            ))
            .start()
    }

    /// An administrator's `REPLICAOF` on `server`, behind the sentinels'
    /// back: `REPLICAOF <host> <port>` of `of`, or `REPLICAOF NO ONE`.
    pub fn replica_of(&self, server: &RedisServer, of: Option<&RedisServer>) -> Result<()> {
        let port;
        let args: Vec<&str> = match of {
            Some(master) => {
                port = master.port().to_string();
                vec!["REPLICAOF", "127.0.0.1", &port]
            }
            None => vec!["REPLICAOF", "NO", "ONE"],
        };
        match server.try_query(&args)? {
            Reply::Status(_) => Ok(()),
            other => Err(HarnessError::new(format!("REPLICAOF returned {other}"))),
        }
    }

    /// Waits until every running sentinel lists `count` replicas of the
    /// master it reports that are up (flags `slave` only) with their link
    /// to the master `ok`: fit for the next failover.
    pub fn wait_replicas_ready(&self, count: usize, timeout: Duration) -> Result<()> {
        let name = self.master_name.as_str();
        wait_for("the sentinels to see healthy replicas", timeout, || {
            for sentinel in self.live_sentinels() {
                let listed = command(sentinel, &["SENTINEL", "REPLICAS", name])?;
                let ready = listed
                    .as_array()
                    .unwrap_or_default()
                    .iter()
                    .map(fields)
                    .filter(|r| {
                        r.get("flags").map(String::as_str) == Some("slave")
                            && r.get("master-link-status").map(String::as_str) == Some("ok")
                    })
                    .count();
                if ready < count {
                    return Ok(Check::NotYet(format!(
                        "sentinel {} sees {ready} healthy replicas",
                        sentinel.port()
                    )));
                }
            }
            Ok(Check::Done(()))
        })
    }

    fn live_sentinels(&self) -> impl Iterator<Item = &RedisServer> {
        self.sentinels
            .iter()
            .filter(|s| s.is_running() && !s.is_paused())
    }

    fn master_addr_from(&self, sentinel: &RedisServer) -> Result<SocketAddr> {
        let reply = command(
            sentinel,
            &["SENTINEL", "GET-MASTER-ADDR-BY-NAME", &self.master_name],
        )?;
        let parsed = reply.as_array().and_then(|items| match items {
            [ip, port] => Some((
                ip.as_str()?.parse::<IpAddr>().ok()?,
                port.as_str()?.parse::<u16>().ok()?,
            )),
            _ => None,
        });
        parsed
            .map(SocketAddr::from)
            .ok_or_else(|| HarnessError::new(format!("GET-MASTER-ADDR-BY-NAME returned {reply}")))
    }

    fn wait_discovered(&self, replicas: usize, timeout: Duration) -> Result<()> {
        let others = self.sentinels.len() - 1;
        let name = self.master_name.as_str();
        wait_for(
            "the sentinels to discover the master, replicas and each other",
            timeout,
            || {
                for sentinel in &self.sentinels {
                    let master = fields(&command(sentinel, &["SENTINEL", "MASTER", name])?);
                    let get = |k: &str| master.get(k).map(String::as_str).unwrap_or("?");
                    if get("flags") != "master"
                        || get("num-other-sentinels") != others.to_string()
                        || get("num-slaves") != replicas.to_string()
                    {
                        return Ok(Check::NotYet(format!(
                            "sentinel {}: flags={} num-other-sentinels={} num-slaves={}",
                            sentinel.port(),
                            get("flags"),
                            get("num-other-sentinels"),
                            get("num-slaves")
                        )));
                    }
                    let listed = command(sentinel, &["SENTINEL", "REPLICAS", name])?;
                    for replica in listed.as_array().unwrap_or_default() {
                        let replica = fields(replica);
                        let get = |k: &str| replica.get(k).map(String::as_str).unwrap_or("?");
                        if get("flags") != "slave" || get("master-link-status") != "ok" {
                            return Ok(Check::NotYet(format!(
                                "sentinel {} sees replica {}: flags={} master-link-status={}",
                                sentinel.port(),
                                get("port"),
                                get("flags"),
                                get("master-link-status")
                            )));
                        }
                    }
                }
                Ok(Check::Done(()))
            },
        )
    }
}

/// Sends one command with a short timeout.
fn command(server: &RedisServer, args: &[&str]) -> Result<Reply> {
    server.connect_with_timeout(PROBE_TIMEOUT)?.command(args)
}

/// Turns a flat `[key, value, ...]` reply into a map.
fn fields(reply: &Reply) -> HashMap<String, String> {
    reply
        .as_array()
        .unwrap_or_default()
        .chunks(2)
        .filter_map(|pair| match pair {
            [k, v] => Some((k.as_str()?.to_string(), v.as_str()?.to_string())),
            _ => None,
        })
        .collect()
}

/// Waits until `replica` has finished its initial sync from the master on `master_port`.
fn wait_replica_synced(replica: &RedisServer, master_port: u16, timeout: Duration) -> Result<()> {
    wait_for(
        &format!("replica {} to sync from {master_port}", replica.port()),
        timeout,
        || {
            let info = match command(replica, &["INFO", "replication"])? {
                Reply::Bulk(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
                other => return Ok(Check::NotYet(other.to_string())),
            };
            let link = info_field(&info, "master_link_status").unwrap_or("?");
            let syncing = info_field(&info, "master_sync_in_progress").unwrap_or("?");
            if link == "up" && syncing == "0" {
                Ok(Check::Done(()))
            } else {
                Ok(Check::NotYet(format!(
                    "master_link_status:{link} master_sync_in_progress:{syncing}"
                )))
            }
        },
    )
}
