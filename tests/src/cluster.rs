//! [`RedisCluster`]: a real Redis Cluster of `redis-server` processes,
//! created with `redis-cli --cluster create`.

use std::fs;
use std::net::SocketAddr;
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::cluster_nodes::{parse_cluster_nodes, ClusterNodeInfo};
use crate::error::{HarnessError, Result};
use crate::process::{self, file_tail};
use crate::resp::Reply;
use crate::server::RedisServer;
use crate::slot::{key_slot, SLOT_COUNT};
use crate::wait::{wait_for, Check};

/// How long `redis-cli --cluster create` may take.
const CREATE_TIMEOUT: Duration = Duration::from_secs(30);

/// Timeout for one health probe of one node.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);

/// The `redis-cli` executable; `REDIS_CLI_BIN` overrides it.
pub(crate) fn redis_cli() -> String {
    std::env::var("REDIS_CLI_BIN").unwrap_or_else(|_| "redis-cli".to_string())
}

/// Configures and starts a [`RedisCluster`]. Create one with [`RedisCluster::builder`].
#[derive(Debug, Clone)]
pub struct RedisClusterBuilder {
    masters: usize,
    replicas_per_master: usize,
    node_timeout: Duration,
    extra: Vec<String>,
    timeout: Duration,
}

impl Default for RedisClusterBuilder {
    fn default() -> Self {
        RedisClusterBuilder {
            masters: 3,
            replicas_per_master: 1,
            node_timeout: Duration::from_millis(2000),
            extra: Vec::new(),
            timeout: Duration::from_secs(20),
        }
    }
}

impl RedisClusterBuilder {
    /// Number of masters (at least 3, as `redis-cli --cluster create` requires; default 3).
    pub fn masters(mut self, masters: usize) -> Self {
        self.masters = masters;
        self
    }

    /// Replicas per master (default 1).
    pub fn replicas_per_master(mut self, replicas: usize) -> Self {
        self.replicas_per_master = replicas;
        self
    }

    /// `cluster-node-timeout` (default 2000 ms).
    pub fn node_timeout(mut self, timeout: Duration) -> Self {
        self.node_timeout = timeout;
        self
    }

    /// Appends a raw config line to every node's config.
    pub fn config(mut self, line: &str) -> Self {
        self.extra.push(line.to_string());
        self
    }

    /// How long to wait for the cluster to become healthy after creation (default 20 s).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Starts the nodes, creates the cluster and waits until every node
    /// reports `cluster_state:ok`, all 16384 slots are assigned, every node
    /// sees the full topology and every replica is in sync with its master.
    pub fn start(self) -> Result<RedisCluster> {
        if self.masters < 3 {
            return Err(HarnessError::new(
                "redis-cli --cluster create needs at least 3 masters",
            ));
        }
        let total = self.masters * (1 + self.replicas_per_master);
        let mut nodes = Vec::with_capacity(total);
        for _ in 0..total {
            let mut builder = RedisServer::builder().cluster().config(&format!(
                "cluster-node-timeout {}",
                self.node_timeout.as_millis()
            ));
            for line in &self.extra {
                builder = builder.config(line);
            }
            nodes.push(builder.start()?);
        }
        let cluster = RedisCluster {
            nodes,
            masters: self.masters,
            replicas_per_master: self.replicas_per_master,
        };
        cluster.create()?;
        cluster.wait_until(true, self.timeout)?;
        Ok(cluster)
    }
}

/// A running Redis Cluster on 127.0.0.1 (by default 3 masters with 1 replica
/// each). Dropping it stops every node and removes their directories.
#[derive(Debug)]
pub struct RedisCluster {
    nodes: Vec<RedisServer>,
    masters: usize,
    replicas_per_master: usize,
}

impl RedisCluster {
    /// A builder for a cluster with non-default settings.
    pub fn builder() -> RedisClusterBuilder {
        RedisClusterBuilder::default()
    }

    /// Starts a 3-master, 3-replica cluster and waits until it is healthy.
    pub fn start() -> Result<RedisCluster> {
        Self::builder().start()
    }

    fn create(&self) -> Result<()> {
        let log = self.nodes[0].dir().join("cluster-create.log");
        let out = fs::File::create(&log)?;
        let mut command = Command::new(redis_cli());
        command
            .arg("--cluster")
            .arg("create")
            .args(self.nodes.iter().map(|n| n.addr().to_string()))
            .arg("--cluster-replicas")
            .arg(self.replicas_per_master.to_string())
            .arg("--cluster-yes")
            .stdin(Stdio::null())
            .stdout(out.try_clone()?)
            .stderr(out);
        let mut child = process::spawn(command)
            .map_err(|e| HarnessError::from(e).context(format!("spawning {}", redis_cli())))?;
        let fail = |why: String| {
            HarnessError::new(format!(
                "redis-cli --cluster create {why}; its output:\n{}",
                file_tail(&log, 40)
            ))
        };
        if !child.wait_timeout(CREATE_TIMEOUT) {
            child.kill();
            return Err(fail(format!("did not finish in {CREATE_TIMEOUT:?}")));
        }
        match child.try_exit_status() {
            Some(status) if status.success() => Ok(()),
            Some(status) => Err(fail(format!("failed with {status}"))),
            None => Err(fail("vanished".into())),
        }
    }

    /// All nodes, in creation order (`redis-cli` made the first
    /// `masters` nodes masters, but roles change on failover: use
    /// [`Self::masters`] for the current ones).
    pub fn nodes(&self) -> &[RedisServer] {
        &self.nodes
    }

    /// The node at `index` in creation order.
    ///
    /// # Panics
    /// If `index` is out of range.
    pub fn node(&self, index: usize) -> &RedisServer {
        &self.nodes[index]
    }

    /// The client addresses of all nodes, in creation order.
    pub fn addrs(&self) -> Vec<SocketAddr> {
        self.nodes.iter().map(RedisServer::addr).collect()
    }

    /// The node listening on `port`.
    pub fn node_by_port(&self, port: u16) -> Option<&RedisServer> {
        self.nodes.iter().find(|n| n.tcp_port() == Some(port))
    }

    /// The current topology as seen by the first running, unpaused node.
    pub fn topology(&self) -> Result<Vec<ClusterNodeInfo>> {
        let mut last = HarnessError::new("no node is running");
        for node in self
            .nodes
            .iter()
            .filter(|n| n.is_running() && !n.is_paused())
        {
            match cluster_nodes(node) {
                Ok(topology) => return Ok(topology),
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    /// The nodes that currently serve slots as healthy masters.
    ///
    /// # Panics
    /// If no node can be asked for the topology.
    pub fn masters(&self) -> Vec<&RedisServer> {
        self.role_nodes(|n| n.is_master() && !n.slots.is_empty())
    }

    /// The nodes that are currently replicas.
    ///
    /// # Panics
    /// If no node can be asked for the topology.
    pub fn replicas(&self) -> Vec<&RedisServer> {
        self.role_nodes(ClusterNodeInfo::is_replica)
    }

    fn role_nodes(&self, keep: impl Fn(&ClusterNodeInfo) -> bool) -> Vec<&RedisServer> {
        let topology = self
            .topology()
            .unwrap_or_else(|e| panic!("cannot read the cluster topology: {e}"));
        topology
            .iter()
            .filter(|n| keep(n) && !n.is_unhealthy())
            .filter_map(|n| self.node_by_port(n.port))
            .collect()
    }

    /// The master currently serving `slot`.
    ///
    /// # Panics
    /// If no node can be asked for the topology.
    pub fn node_for_slot(&self, slot: u16) -> Option<&RedisServer> {
        let topology = self
            .topology()
            .unwrap_or_else(|e| panic!("cannot read the cluster topology: {e}"));
        topology
            .iter()
            .find(|n| n.is_master() && !n.is_unhealthy() && n.owns_slot(slot))
            .and_then(|n| self.node_by_port(n.port))
    }

    /// The master currently serving `key`'s slot (see [`key_slot`]).
    ///
    /// # Panics
    /// If no node can be asked for the topology.
    pub fn node_for_key(&self, key: &[u8]) -> Option<&RedisServer> {
        self.node_for_slot(key_slot(key))
    }

    /// Waits until every running node reports `cluster_state:ok` with all
    /// 16384 slots assigned and sees as many healthy masters as the cluster
    /// was created with (e.g. after a failover).
    pub fn wait_healthy(&self, timeout: Duration) -> Result<()> {
        self.wait_until(false, timeout)
    }

    /// With `full`, also requires every node to see all replicas and every
    /// replica's link to its master to be up.
    fn wait_until(&self, full: bool, timeout: Duration) -> Result<()> {
        wait_for("the cluster to become healthy", timeout, || {
            for node in self
                .nodes
                .iter()
                .filter(|n| n.is_running() && !n.is_paused())
            {
                if let Some(problem) = self.node_problem(node, full) {
                    return Ok(Check::NotYet(format!("node {}: {problem}", node.port())));
                }
            }
            Ok(Check::Done(()))
        })
    }

    /// What keeps `node` from looking healthy, if anything.
    fn node_problem(&self, node: &RedisServer, full: bool) -> Option<String> {
        let info = match info_text(node, &["CLUSTER", "INFO"]) {
            Ok(info) => info,
            Err(e) => return Some(e.to_string()),
        };
        let field = |name: &str| info_field(&info, name).unwrap_or_default();
        if field("cluster_state") != "ok" {
            return Some(format!("cluster_state:{}", field("cluster_state")));
        }
        if field("cluster_slots_assigned") != SLOT_COUNT.to_string() {
            return Some(format!(
                "cluster_slots_assigned:{}",
                field("cluster_slots_assigned")
            ));
        }
        let topology = match cluster_nodes(node) {
            Ok(topology) => topology,
            Err(e) => return Some(e.to_string()),
        };
        let masters = topology
            .iter()
            .filter(|n| n.is_master() && !n.slots.is_empty() && !n.is_unhealthy())
            .count();
        if masters != self.masters {
            return Some(format!("sees {masters} healthy masters"));
        }
        if !full {
            return None;
        }
        let replicas = topology
            .iter()
            .filter(|n| n.is_replica() && !n.is_unhealthy())
            .count();
        if replicas != self.masters * self.replicas_per_master || topology.len() != self.nodes.len()
        {
            return Some(format!(
                "sees {replicas} healthy replicas among {} nodes",
                topology.len()
            ));
        }
        let is_replica = topology.iter().any(|n| n.is_myself() && n.is_replica());
        if is_replica {
            let replication = match info_text(node, &["INFO", "replication"]) {
                Ok(text) => text,
                Err(e) => return Some(e.to_string()),
            };
            let link = info_field(&replication, "master_link_status").unwrap_or_default();
            if link != "up" || info_field(&replication, "master_sync_in_progress") != Some("0") {
                return Some(format!("replica link {link:?}"));
            }
        }
        None
    }
}

fn cluster_nodes(node: &RedisServer) -> Result<Vec<ClusterNodeInfo>> {
    parse_cluster_nodes(&info_text(node, &["CLUSTER", "NODES"])?)
}

/// Sends a command whose reply is text (INFO-like) with a short timeout.
fn info_text(node: &RedisServer, args: &[&str]) -> Result<String> {
    match node.connect_with_timeout(PROBE_TIMEOUT)?.command(args)? {
        Reply::Bulk(bytes) => Ok(String::from_utf8_lossy(&bytes).into_owned()),
        other => Err(HarnessError::new(format!(
            "{} returned {other}",
            args.join(" ")
        ))),
    }
}

/// The value of `name:value` in INFO-style text.
pub(crate) fn info_field<'a>(info: &'a str, name: &str) -> Option<&'a str> {
    info.lines().find_map(|line| {
        line.strip_prefix(name)
            .and_then(|rest| rest.strip_prefix(':'))
            .map(str::trim)
    })
}
