//! The slot map of a Redis Cluster, from `CLUSTER SHARDS`, `CLUSTER
//! SLOTS` or `CLUSTER NODES`.

use std::collections::{HashMap, HashSet};
use std::fmt;

use crate::command::SLOTS;
use crate::Frame;

/// Where a node says it can be reached: a host (name or address) and a
/// port, as announced.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Endpoint {
    /// Host name, IPv4 or IPv6 address (without brackets).
    pub host: String,
    /// TCP port.
    pub port: u16,
}

impl Endpoint {
    /// An endpoint.
    pub fn new(host: impl Into<String>, port: u16) -> Endpoint {
        Endpoint {
            host: host.into(),
            port,
        }
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "[{}]:{}", self.host, self.port)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// A node's health, as `CLUSTER SHARDS` reports it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Health {
    /// Serving.
    Online,
    /// Loading its dataset (a replica after a resync).
    Loading,
    /// Failed.
    Failed,
}

/// One node of the map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Node {
    /// The node ID (40 hex characters); empty when the source gave none.
    pub id: String,
    /// Where to reach it in plaintext.
    pub endpoint: Endpoint,
    /// Its TLS port, when it announces one.
    pub tls_port: Option<u16>,
    /// A primary (master) rather than a replica.
    pub primary: bool,
    /// Its health.
    pub health: Health,
}

/// A malformed topology reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TopologyError(String);

impl fmt::Display for TopologyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "malformed cluster topology: {}", self.0)
    }
}

impl std::error::Error for TopologyError {}

fn bad<T>(what: impl Into<String>) -> Result<T, TopologyError> {
    Err(TopologyError(what.into()))
}

/// A shard: a primary, its replicas, the slots it serves.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shard {
    primary: usize,
    replicas: Vec<usize>,
}

/// Which node serves each of the 16,384 hash slots, and the replicas of
/// each primary.
///
/// Built from a `CLUSTER SHARDS` reply ([`Topology::from_shards`], Redis
/// 7.0+) or a `CLUSTER SLOTS` one ([`Topology::from_slots`]), in RESP2 or
/// RESP3. An empty or `NULL` endpoint means "the host this reply came
/// from" (`answered_by`); `?` marks a node whose address is unknown, which
/// is left out. Shards without slots, and primaries that are not online,
/// serve nothing; slots nobody serves stay unassigned
/// ([`primary`](Topology::primary) answers `None`).
///
/// # Example
///
/// ```
/// use resp_core::cluster::Topology;
/// use resp_core::Frame;
///
/// // CLUSTER SLOTS: slots 0-16383 on a node that left its endpoint empty.
/// let reply = Frame::Array(vec![Frame::Array(vec![
///     Frame::Integer(0),
///     Frame::Integer(16383),
///     Frame::Array(vec![Frame::bulk(b""), Frame::Integer(7000), Frame::bulk(b"abc")]),
/// ])]);
/// let topology = Topology::from_slots(&reply, "10.0.0.5")?;
/// let node = topology.primary(12182).unwrap();
/// assert_eq!(node.endpoint.to_string(), "10.0.0.5:7000");
/// # Ok::<(), resp_core::cluster::TopologyError>(())
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Topology {
    nodes: Vec<Node>,
    shards: Vec<Shard>,
    /// Per slot: the index of its shard, or `NONE`.
    slots: Vec<u16>,
    /// Slots with a shard.
    covered: usize,
    /// Slot ranges of shards whose primary is not online but which have a
    /// replica that may take over.
    awaiting: Vec<(u16, u16)>,
}

const NONE: u16 = u16::MAX;

/// The most nodes a reply may describe. Redis recommends clusters of up to
/// 1,000 nodes; a reply with more is refused rather than held.
pub const MAX_NODES: usize = 16_384;

/// What a parse keeps on the side: where each node already is, so that a
/// reply listing a node many times costs no more than listing it once.
#[derive(Default)]
struct Index {
    nodes: HashMap<(Endpoint, String), usize>,
    shard_of_primary: HashMap<usize, usize>,
}

impl fmt::Debug for Topology {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Topology")
            .field("nodes", &self.nodes.len())
            .field("shards", &self.shards.len())
            .field("covered", &self.covered())
            .finish()
    }
}

/// The frame without its attributes.
fn plain<'f, 'b>(frame: &'f Frame<'b>) -> &'f Frame<'b> {
    match frame {
        Frame::Attributed(a) => plain(&a.frame),
        other => other,
    }
}

/// A key-value view of a RESP3 map or a RESP2 flat array.
fn pairs<'f>(frame: &'f Frame<'_>) -> Option<Vec<(&'f [u8], &'f Frame<'f>)>> {
    match frame {
        Frame::Map(entries) => entries
            .iter()
            .map(|(k, v)| Some((k.as_bytes()?, v)))
            .collect(),
        Frame::Array(items) if items.len() % 2 == 0 => items
            .chunks(2)
            .map(|kv| Some((kv[0].as_bytes()?, &kv[1])))
            .collect(),
        _ => None,
    }
}

fn text(frame: &Frame<'_>) -> Option<String> {
    match frame {
        Frame::Null | Frame::NullBulk => Some(String::new()),
        other => std::str::from_utf8(other.as_bytes()?)
            .ok()
            .map(str::to_owned),
    }
}

fn port(frame: &Frame<'_>) -> Option<u16> {
    match frame {
        Frame::Integer(p) => u16::try_from(*p).ok(),
        other => std::str::from_utf8(other.as_bytes()?).ok()?.parse().ok(),
    }
}

fn slot_number(frame: &Frame<'_>) -> Result<u16, TopologyError> {
    match frame {
        Frame::Integer(n) if (0..i64::from(SLOTS)).contains(n) => Ok(*n as u16),
        other => bad(format!("a slot number out of range: {other:?}")),
    }
}

/// The host of an endpoint as announced: empty means the answering host,
/// `?` unknown (`None`).
fn announced_host(announced: &str, answered_by: &str) -> Option<String> {
    match announced {
        "?" => None,
        "" => Some(answered_by.to_owned()),
        host => Some(
            host.trim_start_matches('[')
                .trim_end_matches(']')
                .to_owned(),
        ),
    }
}

impl Topology {
    /// No node, no slot served.
    pub fn empty() -> Topology {
        Topology {
            nodes: Vec::new(),
            shards: Vec::new(),
            slots: vec![NONE; usize::from(SLOTS)],
            covered: 0,
            awaiting: Vec::new(),
        }
    }

    fn add_node(&mut self, index: &mut Index, node: Node) -> Result<usize, TopologyError> {
        let key = (node.endpoint.clone(), node.id.clone());
        if let Some(&i) = index.nodes.get(&key) {
            return Ok(i);
        }
        if self.nodes.len() >= MAX_NODES {
            return bad(format!("more than {MAX_NODES} nodes"));
        }
        self.nodes.push(node);
        index.nodes.insert(key, self.nodes.len() - 1);
        Ok(self.nodes.len() - 1)
    }

    /// Adds (or finds) a node that serves slots: a node a malformed reply
    /// also lists as a replica serves them with the primary role, so that
    /// `primaries()` and fan-outs over it include its slots.
    fn add_primary(&mut self, index: &mut Index, node: Node) -> Result<usize, TopologyError> {
        let i = self.add_node(index, node)?;
        self.nodes[i].primary = true;
        Ok(i)
    }

    /// Gives `from..=to` to `shard`. A slot given twice makes the reply
    /// malformed, which also bounds the work to one pass over the slots
    /// however many ranges a reply lists.
    fn assign(&mut self, from: u16, to: u16, shard: usize) -> Result<(), TopologyError> {
        if from > to {
            return bad(format!("a slot range {from}-{to}"));
        }
        for slot in from..=to {
            if self.slots[usize::from(slot)] != NONE {
                return bad(format!("slot {slot} served twice"));
            }
            self.set(slot, shard as u16);
        }
        Ok(())
    }

    fn set(&mut self, slot: u16, shard: u16) {
        let entry = &mut self.slots[usize::from(slot)];
        if *entry == NONE && shard != NONE {
            self.covered += 1;
        } else if *entry != NONE && shard == NONE {
            self.covered -= 1;
        }
        *entry = shard;
    }

    /// The map from a `CLUSTER SHARDS` reply of the node at host
    /// `answered_by`.
    ///
    /// # Errors
    ///
    /// A reply of the wrong shape.
    pub fn from_shards(reply: &Frame<'_>, answered_by: &str) -> Result<Topology, TopologyError> {
        let Frame::Array(shards) = plain(reply) else {
            return bad("CLUSTER SHARDS did not answer an array");
        };
        let mut topology = Topology::empty();
        let mut index = Index::default();
        for shard in shards {
            let Some(fields) = pairs(shard) else {
                return bad("a shard is not a map");
            };
            let mut ranges = Vec::new();
            let mut nodes = Vec::new();
            for (key, value) in fields {
                match key {
                    b"slots" => {
                        let Frame::Array(bounds) = value else {
                            return bad("a shard's slots are not an array");
                        };
                        if bounds.len() % 2 != 0 {
                            return bad("a shard's slots are not pairs");
                        }
                        for pair in bounds.chunks(2) {
                            ranges.push((slot_number(&pair[0])?, slot_number(&pair[1])?));
                        }
                    }
                    b"nodes" => {
                        let Frame::Array(list) = value else {
                            return bad("a shard's nodes are not an array");
                        };
                        for node in list {
                            if let Some(node) = shard_node(node, answered_by)? {
                                nodes.push(node);
                            }
                        }
                    }
                    _ => {}
                }
            }
            // The primary that serves the slots: online, or the shard has
            // none to route to.
            let Some(primary) = nodes
                .iter()
                .position(|n| n.primary && n.health == Health::Online)
            else {
                // A replica may take over: its slots await a failover.
                if nodes
                    .iter()
                    .any(|n| !n.primary && n.health != Health::Failed)
                {
                    topology.awaiting.extend(ranges.iter().copied());
                }
                // Still remember the nodes, as refresh sources.
                for node in nodes {
                    topology.add_node(&mut index, node)?;
                }
                continue;
            };
            let primary_node = nodes.remove(primary);
            let primary = topology.add_primary(&mut index, primary_node)?;
            let mut replicas = Vec::new();
            for node in nodes {
                let is_primary = node.primary;
                let i = topology.add_node(&mut index, node)?;
                if !is_primary {
                    replicas.push(i);
                }
            }
            if ranges.is_empty() {
                continue;
            }
            let index = topology.shards.len();
            topology.shards.push(Shard { primary, replicas });
            for (from, to) in ranges {
                topology.assign(from, to, index)?;
            }
        }
        Ok(topology)
    }

    /// The map from a `CLUSTER SLOTS` reply of the node at host
    /// `answered_by`.
    ///
    /// # Errors
    ///
    /// A reply of the wrong shape.
    pub fn from_slots(reply: &Frame<'_>, answered_by: &str) -> Result<Topology, TopologyError> {
        let Frame::Array(ranges) = plain(reply) else {
            return bad("CLUSTER SLOTS did not answer an array");
        };
        let mut topology = Topology::empty();
        let mut index = Index::default();
        for range in ranges {
            let Frame::Array(items) = range else {
                return bad("a slot range is not an array");
            };
            if items.len() < 3 {
                return bad("a slot range without a node");
            }
            let (from, to) = (slot_number(&items[0])?, slot_number(&items[1])?);
            let mut members = Vec::new();
            for (i, entry) in items[2..].iter().enumerate() {
                let Frame::Array(fields) = entry else {
                    return bad("a node entry is not an array");
                };
                if fields.len() < 2 {
                    return bad("a node entry without host and port");
                }
                let Some(announced) = text(&fields[0]) else {
                    return bad("a node's host is not a string");
                };
                let Some(port) = port(&fields[1]) else {
                    return bad("a node's port is not a port number");
                };
                let Some(host) = announced_host(&announced, answered_by) else {
                    continue;
                };
                let id = fields.get(2).and_then(text).unwrap_or_default();
                members.push(Node {
                    id,
                    endpoint: Endpoint::new(host, port),
                    tls_port: None,
                    primary: i == 0,
                    health: Health::Online,
                });
            }
            let Some(first) = members.first().filter(|n| n.primary).cloned() else {
                continue;
            };
            let primary = topology.add_primary(&mut index, first)?;
            let mut replicas = Vec::new();
            for node in members.into_iter().skip(1) {
                replicas.push(topology.add_node(&mut index, node)?);
            }
            // One shard per primary, whatever the number of its ranges.
            let shard = match index.shard_of_primary.get(&primary) {
                Some(&i) => {
                    let known = &mut topology.shards[i].replicas;
                    for r in replicas {
                        if !known.contains(&r) {
                            known.push(r);
                        }
                    }
                    i
                }
                None => {
                    topology.shards.push(Shard { primary, replicas });
                    let i = topology.shards.len() - 1;
                    index.shard_of_primary.insert(primary, i);
                    i
                }
            };
            topology.assign(from, to, shard)?;
        }
        Ok(topology)
    }

    /// The map from a `CLUSTER NODES` reply (see
    /// [`parse_nodes`](super::parse_nodes)) of the node at host
    /// `answered_by`. An empty IP means that host; a node flagged `noaddr`
    /// is left out; primaries flagged `fail` serve nothing (their slots
    /// await a failover when a replica is not failed).
    ///
    /// # Errors
    ///
    /// A malformed reply, or a slot served twice.
    ///
    /// # Example
    ///
    /// ```
    /// use resp_core::cluster::Topology;
    ///
    /// let text = "a1 :7000@17000 myself,master - 0 0 1 connected 0-16383\n\
    ///             b2 10.0.0.6:7001@17001 slave a1 0 0 1 connected\n";
    /// let map = Topology::from_nodes(text, "10.0.0.5")?;
    /// assert_eq!(map.primary(42).unwrap().endpoint.to_string(), "10.0.0.5:7000");
    /// assert_eq!(map.replicas(42).next().unwrap().endpoint.port, 7001);
    /// # Ok::<(), resp_core::cluster::TopologyError>(())
    /// ```
    pub fn from_nodes(text: &str, answered_by: &str) -> Result<Topology, TopologyError> {
        let entries = super::parse_nodes(text).map_err(|e| TopologyError(e.to_string()))?;
        let mut topology = Topology::empty();
        let mut index = Index::default();
        let node_of = |e: &super::NodeEntry| -> Option<Node> {
            if e.has_flag("noaddr") {
                return None;
            }
            let host = announced_host(&e.ip, answered_by)?;
            Some(Node {
                id: e.id.clone(),
                endpoint: Endpoint::new(host, e.port),
                tls_port: None,
                primary: !e.is_replica(),
                health: if e.has_flag("fail") {
                    Health::Failed
                } else {
                    Health::Online
                },
            })
        };
        for entry in entries.iter().filter(|e| !e.is_replica()) {
            let Some(node) = node_of(entry) else {
                continue;
            };
            let replicas: Vec<Node> = entries
                .iter()
                .filter(|r| r.is_replica() && r.master.as_deref() == Some(entry.id.as_str()))
                .filter_map(node_of)
                .collect();
            if node.health != Health::Online {
                if replicas.iter().any(|r| r.health != Health::Failed) {
                    topology.awaiting.extend(entry.slots.iter().copied());
                }
                topology.add_node(&mut index, node)?;
                for replica in replicas {
                    topology.add_node(&mut index, replica)?;
                }
                continue;
            }
            let primary = topology.add_primary(&mut index, node)?;
            let mut members = Vec::new();
            for replica in replicas {
                members.push(topology.add_node(&mut index, replica)?);
            }
            if entry.slots.is_empty() {
                continue;
            }
            let shard = topology.shards.len();
            topology.shards.push(Shard {
                primary,
                replicas: members,
            });
            for &(from, to) in &entry.slots {
                topology.assign(from, to, shard)?;
            }
        }
        Ok(topology)
    }

    /// Every node known, primaries and replicas, online or not.
    pub fn nodes(&self) -> &[Node] {
        &self.nodes
    }

    /// The primaries that serve slots.
    pub fn primaries(&self) -> impl Iterator<Item = &Node> + '_ {
        self.shards.iter().map(|s| &self.nodes[s.primary])
    }

    /// The primary that serves `slot`.
    pub fn primary(&self, slot: u16) -> Option<&Node> {
        self.primary_index(slot).map(|i| &self.nodes[i])
    }

    /// The index in [`nodes`](Topology::nodes) of the primary that serves
    /// `slot`: groups slots by node without comparing endpoints (a
    /// pipeline over many slots).
    pub fn primary_index(&self, slot: u16) -> Option<usize> {
        let shard = *self.slots.get(usize::from(slot))?;
        (shard != NONE).then(|| self.shards[usize::from(shard)].primary)
    }

    /// The online replicas of `slot`'s primary (never a node that serves
    /// slots as a primary).
    pub fn replicas(&self, slot: u16) -> impl Iterator<Item = &Node> + '_ {
        let shard = self.slots.get(usize::from(slot)).copied().unwrap_or(NONE);
        let list: &[usize] = if shard == NONE {
            &[]
        } else {
            &self.shards[usize::from(shard)].replicas
        };
        // A node a malformed reply also lists as a primary is no replica.
        list.iter()
            .map(|&i| &self.nodes[i])
            .filter(|n| n.health == Health::Online && !n.primary)
    }

    /// The slots served by `endpoint` as a primary.
    pub fn slots_of(&self, endpoint: &Endpoint) -> Vec<u16> {
        (0..SLOTS)
            .filter(|&s| self.primary(s).is_some_and(|n| &n.endpoint == endpoint))
            .collect()
    }

    /// True when no primary serves `slot` now but its shard has a replica
    /// that is not failed (from `CLUSTER SHARDS`, which reports health):
    /// a failover is likely under way, and waiting for it makes sense. A
    /// slot nobody serves and nobody may take over is orphaned until an
    /// administrator acts.
    ///
    /// ```
    /// use resp_core::cluster::Topology;
    /// use resp_core::Frame;
    ///
    /// let node = |port: i64, role: &[u8], health: &[u8]| {
    ///     Frame::Array(vec![
    ///         Frame::bulk(b"port"), Frame::Integer(port),
    ///         Frame::bulk(b"endpoint"), Frame::bulk(b"10.0.0.1"),
    ///         Frame::bulk(b"role"), Frame::bulk(role).into_owned(),
    ///         Frame::bulk(b"health"), Frame::bulk(health).into_owned(),
    ///     ])
    /// };
    /// let shard = |from: i64, to: i64, nodes: Vec<Frame<'static>>| {
    ///     Frame::Array(vec![
    ///         Frame::bulk(b"slots"),
    ///         Frame::Array(vec![Frame::Integer(from), Frame::Integer(to)]),
    ///         Frame::bulk(b"nodes"),
    ///         Frame::Array(nodes),
    ///     ])
    /// };
    /// let reply = Frame::Array(vec![
    ///     shard(0, 99, vec![node(7000, b"master", b"fail"), node(7003, b"replica", b"online")]),
    ///     shard(100, 199, vec![node(7001, b"master", b"fail")]),
    /// ]);
    /// let map = Topology::from_shards(&reply, "10.0.0.1")?;
    /// assert!(map.primary(50).is_none() && map.awaits_failover(50));
    /// assert!(map.primary(150).is_none() && !map.awaits_failover(150));
    /// # Ok::<(), resp_core::cluster::TopologyError>(())
    /// ```
    pub fn awaits_failover(&self, slot: u16) -> bool {
        self.primary(slot).is_none()
            && self
                .awaiting
                .iter()
                .any(|&(from, to)| (from..=to).contains(&slot))
    }

    /// How many slots have a primary.
    pub fn covered(&self) -> usize {
        self.covered
    }

    /// Records that `slot` now lives on `endpoint` (after a `MOVED`),
    /// adding the node as a primary if it is new.
    pub fn patch(&mut self, slot: u16, endpoint: Endpoint) {
        if usize::from(slot) >= self.slots.len() {
            return;
        }
        let shard = match self
            .shards
            .iter()
            .position(|s| self.nodes[s.primary].endpoint == endpoint)
        {
            Some(i) => i,
            // No more primaries than slots: a map with that many is not a
            // cluster's; the refresh a redirect to an unknown node asks for
            // brings the real one.
            None if self.shards.len() >= MAX_NODES => return,
            None => {
                let node = match self.nodes.iter().position(|n| n.endpoint == endpoint) {
                    Some(i) => i,
                    None => {
                        self.nodes.push(Node {
                            id: String::new(),
                            endpoint,
                            tls_port: None,
                            primary: true,
                            health: Health::Online,
                        });
                        self.nodes.len() - 1
                    }
                };
                self.shards.push(Shard {
                    primary: node,
                    replicas: Vec::new(),
                });
                self.shards.len() - 1
            }
        };
        self.set(slot, shard as u16);
    }

    /// True when this map and `other` have a node in common (by ID where
    /// both have one, else by endpoint): a view that shares nothing with the
    /// last good one may be of another cluster.
    pub fn shares_node_with(&self, other: &Topology) -> bool {
        let ids: HashSet<&str> = other
            .nodes
            .iter()
            .filter(|n| !n.id.is_empty())
            .map(|n| n.id.as_str())
            .collect();
        let endpoints: HashSet<&Endpoint> = other
            .nodes
            .iter()
            .filter(|n| n.id.is_empty())
            .map(|n| &n.endpoint)
            .collect();
        let all: HashSet<&Endpoint> = other.nodes.iter().map(|n| &n.endpoint).collect();
        self.nodes.iter().any(|a| {
            if a.id.is_empty() {
                all.contains(&a.endpoint)
            } else {
                ids.contains(a.id.as_str()) || endpoints.contains(&a.endpoint)
            }
        })
    }

    /// The map with each node's TLS port in its endpoint, for a client
    /// that connects over TLS.
    pub fn with_tls_ports(mut self) -> Topology {
        for node in &mut self.nodes {
            if let Some(port) = node.tls_port {
                node.endpoint.port = port;
            }
        }
        self
    }

    /// The map with every endpoint passed through `remap` (announced
    /// address to the address to connect to).
    pub fn remapped(&self, remap: &dyn Fn(&Endpoint) -> Endpoint) -> Topology {
        let mut out = self.clone();
        for node in &mut out.nodes {
            node.endpoint = remap(&node.endpoint);
        }
        out
    }
}

/// One node of a `CLUSTER SHARDS` shard.
fn shard_node(frame: &Frame<'_>, answered_by: &str) -> Result<Option<Node>, TopologyError> {
    let Some(fields) = pairs(frame) else {
        return bad("a node is not a map");
    };
    let (mut id, mut endpoint, mut ip, mut hostname) = (String::new(), None, None, None);
    let (mut plain, mut tls, mut primary, mut health) = (None, None, false, Health::Online);
    for (key, value) in fields {
        match key {
            b"id" => id = text(value).unwrap_or_default(),
            b"endpoint" => endpoint = text(value),
            b"ip" => ip = text(value),
            b"hostname" => hostname = text(value),
            b"port" => plain = port(value),
            b"tls-port" => tls = port(value),
            b"role" => primary = value.as_bytes() == Some(b"master"),
            b"health" => {
                health = match value.as_bytes() {
                    Some(b"online") => Health::Online,
                    Some(b"loading") => Health::Loading,
                    _ => Health::Failed,
                }
            }
            _ => {}
        }
    }
    let announced = endpoint.or(ip).or(hostname).unwrap_or_default();
    let Some(host) = announced_host(&announced, answered_by) else {
        return Ok(None);
    };
    let Some(port) = plain.or(tls) else {
        return bad("a node without a port");
    };
    Ok(Some(Node {
        id,
        endpoint: Endpoint::new(host, port),
        tls_port: tls,
        primary,
        health,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Decoder, Status};

    fn decode(bytes: &[u8]) -> Frame<'static> {
        let Ok(Status::Complete((frame, _))) = Decoder::new().decode(bytes) else {
            panic!("not a frame")
        };
        frame.into_owned()
    }

    fn node(id: &str, port: u16, role: &str, health: &str) -> Frame<'static> {
        Frame::Array(vec![
            Frame::bulk(b"id"),
            Frame::bulk(id.as_bytes()).into_owned(),
            Frame::bulk(b"port"),
            Frame::Integer(i64::from(port)),
            Frame::bulk(b"ip"),
            Frame::bulk(b"127.0.0.1"),
            Frame::bulk(b"endpoint"),
            Frame::bulk(b"127.0.0.1"),
            Frame::bulk(b"role"),
            Frame::bulk(role.as_bytes()).into_owned(),
            Frame::bulk(b"health"),
            Frame::bulk(health.as_bytes()).into_owned(),
        ])
    }

    fn shard(slots: &[i64], nodes: Vec<Frame<'static>>) -> Frame<'static> {
        Frame::Array(vec![
            Frame::bulk(b"slots"),
            Frame::Array(slots.iter().map(|&s| Frame::Integer(s)).collect()),
            Frame::bulk(b"nodes"),
            Frame::Array(nodes),
        ])
    }

    #[test]
    fn shards_of_a_real_server() {
        // Recorded from redis-server 7.0.15 (one shard shown whole).
        let reply = decode(b"*1\r\n*4\r\n$5\r\nslots\r\n*2\r\n:10923\r\n:16383\r\n$5\r\nnodes\r\n*2\r\n*14\r\n$2\r\nid\r\n$3\r\naaa\r\n$4\r\nport\r\n:17002\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$8\r\nendpoint\r\n$9\r\n127.0.0.1\r\n$4\r\nrole\r\n$6\r\nmaster\r\n$18\r\nreplication-offset\r\n:0\r\n$6\r\nhealth\r\n$6\r\nonline\r\n*14\r\n$2\r\nid\r\n$3\r\nbbb\r\n$4\r\nport\r\n:17005\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n$8\r\nendpoint\r\n$9\r\n127.0.0.1\r\n$4\r\nrole\r\n$7\r\nreplica\r\n$18\r\nreplication-offset\r\n:0\r\n$6\r\nhealth\r\n$6\r\nonline\r\n");
        let t = Topology::from_shards(&reply, "ignored").unwrap();
        assert_eq!(t.covered(), 16383 - 10923 + 1);
        assert_eq!(
            t.primary(16383).unwrap().endpoint,
            Endpoint::new("127.0.0.1", 17002)
        );
        assert!(t.primary(0).is_none());
        let replicas: Vec<_> = t.replicas(11000).map(|n| n.endpoint.port).collect();
        assert_eq!(replicas, [17005]);
    }

    fn slots_range(from: i64, to: i64, port: i64) -> Frame<'static> {
        Frame::Array(vec![
            Frame::Integer(from),
            Frame::Integer(to),
            Frame::Array(vec![Frame::bulk(b"h"), Frame::Integer(port)]),
        ])
    }

    #[test]
    fn a_slot_served_twice_is_malformed() {
        let reply = Frame::Array(vec![slots_range(0, 100, 1), slots_range(100, 200, 2)]);
        let err = Topology::from_slots(&reply, "a").unwrap_err();
        assert!(err.to_string().contains("slot 100 served twice"), "{err}");
        let reply = Frame::Array(vec![
            shard(&[0, 10], vec![node("a", 1, "master", "online")]),
            shard(&[5, 5], vec![node("b", 2, "master", "online")]),
        ]);
        assert!(Topology::from_shards(&reply, "a").is_err());
    }

    #[test]
    fn a_reply_repeating_the_whole_range_costs_one_pass() {
        // A hostile server repeating 0-16383 a hundred thousand times is
        // refused at the second range, not walked 1.6 billion times.
        let reply = Frame::Array(vec![slots_range(0, 16383, 1); 100_000]);
        let err = Topology::from_slots(&reply, "a").unwrap_err();
        assert!(err.to_string().contains("slot 0 served twice"), "{err}");
    }

    #[test]
    fn a_node_listed_as_replica_and_primary_is_a_primary() {
        // Found by the fuzzer: 7001 replicates 7000's range and serves its
        // own; it is no replica of 7000.
        let entry = |port: i64| Frame::Array(vec![Frame::bulk(b"h"), Frame::Integer(port)]);
        let reply = Frame::Array(vec![
            Frame::Array(vec![
                Frame::Integer(0),
                Frame::Integer(9),
                entry(7000),
                entry(7001),
            ]),
            Frame::Array(vec![Frame::Integer(10), Frame::Integer(19), entry(7001)]),
        ]);
        let t = Topology::from_slots(&reply, "a").unwrap();
        assert!(t.primary(15).unwrap().primary);
        assert_eq!(t.primary(15).unwrap().endpoint.port, 7001);
        assert_eq!(t.replicas(5).count(), 0);
    }

    #[test]
    fn too_many_nodes_are_refused() {
        let nodes = (0..=MAX_NODES as u16)
            .map(|i| node(&format!("n{i}"), i + 1, "replica", "online"))
            .collect();
        let reply = Frame::Array(vec![shard(&[], nodes)]);
        let err = Topology::from_shards(&reply, "a").unwrap_err();
        assert!(err.to_string().contains("more than 16384 nodes"), "{err}");
    }

    #[test]
    fn a_failed_primary_serves_nothing() {
        // After a failover: the promoted replica is its own shard, the dead
        // primary a shard without slots (as 7.0.15 reports it).
        let reply = Frame::Array(vec![
            shard(&[0, 16383], vec![node("new", 7001, "master", "online")]),
            shard(&[], vec![node("old", 7000, "master", "failed")]),
        ]);
        let t = Topology::from_shards(&reply, "h").unwrap();
        assert_eq!(t.primary(5).unwrap().id, "new");
        assert_eq!(t.nodes()[t.primary_index(5).unwrap()].id, "new");
        assert_eq!(t.primaries().count(), 1);
        assert_eq!(t.nodes().len(), 2);
        // A shard whose only primary failed leaves its slots unserved.
        let reply = Frame::Array(vec![shard(
            &[0, 100],
            vec![node("x", 7000, "master", "fail")],
        )]);
        assert_eq!(Topology::from_shards(&reply, "h").unwrap().covered(), 0);
    }

    #[test]
    fn endpoints_empty_unknown_and_hostnames() {
        let mut n = node("a", 7000, "master", "online");
        if let Frame::Array(items) = &mut n {
            items[7] = Frame::bulk(b"");
            items[5] = Frame::bulk(b"");
        }
        let t = Topology::from_shards(&Frame::Array(vec![shard(&[0, 1], vec![n])]), "10.1.1.1")
            .unwrap();
        assert_eq!(t.primary(0).unwrap().endpoint.host, "10.1.1.1");
        let mut unknown = node("b", 7000, "master", "online");
        if let Frame::Array(items) = &mut unknown {
            items[7] = Frame::bulk(b"?");
        }
        let t =
            Topology::from_shards(&Frame::Array(vec![shard(&[0, 1], vec![unknown])]), "h").unwrap();
        assert_eq!(t.covered(), 0);
    }

    #[test]
    fn slots_in_resp2_and_resp3_and_malformed() {
        let resp3 = decode(b"*1\r\n%2\r\n$5\r\nslots\r\n*2\r\n:0\r\n:16383\r\n$5\r\nnodes\r\n*1\r\n%4\r\n$2\r\nid\r\n$1\r\nz\r\n$4\r\nport\r\n:7000\r\n$8\r\nendpoint\r\n$4\r\nhost\r\n$4\r\nrole\r\n$6\r\nmaster\r\n");
        let t = Topology::from_shards(&resp3, "x").unwrap();
        assert_eq!(t.covered(), 16384);
        for bad in [
            decode(b"+OK\r\n"),
            decode(b"*1\r\n:1\r\n"),
            decode(b"*1\r\n*2\r\n$5\r\nslots\r\n*1\r\n:1\r\n"),
            decode(b"*1\r\n*2\r\n$5\r\nslots\r\n*2\r\n:5\r\n:99999\r\n"),
        ] {
            assert!(Topology::from_shards(&bad, "x").is_err(), "{bad:?}");
        }
        let slots = decode(b"*2\r\n*3\r\n:0\r\n:5460\r\n*3\r\n$9\r\n127.0.0.1\r\n:17000\r\n$1\r\na\r\n*4\r\n:5461\r\n:16383\r\n*3\r\n$9\r\n127.0.0.1\r\n:17001\r\n$1\r\nb\r\n*3\r\n$9\r\n127.0.0.1\r\n:17004\r\n$1\r\nc\r\n");
        let t = Topology::from_slots(&slots, "x").unwrap();
        assert_eq!(t.primary(5460).unwrap().endpoint.port, 17000);
        assert_eq!(t.primary(5461).unwrap().endpoint.port, 17001);
        assert_eq!(t.replicas(9000).count(), 1);
        for bad in [
            decode(b"*1\r\n*1\r\n:0\r\n"),
            decode(b"*1\r\n*3\r\n:9\r\n:1\r\n*2\r\n$1\r\nh\r\n:1\r\n"),
        ] {
            assert!(Topology::from_slots(&bad, "x").is_err(), "{bad:?}");
        }
    }

    #[test]
    fn patching_and_views() {
        let reply = Frame::Array(vec![shard(
            &[0, 16383],
            vec![node("a", 7000, "master", "online")],
        )]);
        let mut t = Topology::from_shards(&reply, "h").unwrap();
        let before = t.clone();
        t.patch(42, Endpoint::new("127.0.0.1", 7001));
        assert_eq!(t.primary(42).unwrap().endpoint.port, 7001);
        assert_eq!(t.primary(43).unwrap().endpoint.port, 7000);
        assert!(t.shares_node_with(&before));
        let other = Frame::Array(vec![shard(
            &[0, 16383],
            vec![node("zz", 9000, "master", "online")],
        )]);
        assert!(!Topology::from_shards(&other, "h")
            .unwrap()
            .shares_node_with(&before));
        let remapped = t.remapped(&|e| Endpoint::new("10.0.0.1", e.port + 1));
        assert_eq!(
            remapped.primary(42).unwrap().endpoint,
            Endpoint::new("10.0.0.1", 7002)
        );
    }

    #[test]
    fn patches_to_ever_new_nodes_stay_bounded() {
        // A hostile or broken cluster answering MOVED to a new address
        // each time: the map keeps at most MAX_NODES primaries (a patch
        // to yet another node is left to the refresh it triggers), and
        // no slot ends up pointing at a wrong node.
        let reply = Frame::Array(vec![shard(
            &[0, 16383],
            vec![node("a", 7000, "master", "online")],
        )]);
        let mut t = Topology::from_shards(&reply, "h").unwrap();
        for i in 0..(MAX_NODES as u32 + 600) {
            let endpoint = Endpoint::new(format!("10.{}.{}.1", i >> 8, i & 255), 6379);
            t.patch((i % 2) as u16, endpoint.clone());
            let slot = (i % 2) as u16;
            let primary = &t.primary(slot).unwrap().endpoint;
            assert!(*primary == endpoint || t.shards.len() >= MAX_NODES, "{i}");
        }
        assert!(t.shards.len() <= MAX_NODES);
        assert!(t.nodes.len() <= MAX_NODES + 1);
        assert_eq!(t.primary(2).unwrap().endpoint.port, 7000);
    }

    /// Found by the topology fuzz target: one node listed twice, first as a
    /// replica of a primary, then as a primary with slots, ended up serving
    /// those slots with its replica role (absent from `primaries()`, so a
    /// fan-out to all shards would have skipped its slots).
    #[test]
    fn a_node_listed_as_replica_and_as_primary_never_serves_slots_as_replica() {
        let text = "\
            aaaa 127.0.0.1:30001@40001 master - 0 0 1 connected 0-99\n\
            bbbb 127.0.0.1:30002@40002 slave aaaa 0 0 1 connected\n\
            bbbb 127.0.0.1:30002@40002 master - 0 0 2 connected 100-199\n";
        match Topology::from_nodes(text, "10.0.0.9") {
            Ok(map) => {
                for slot in [0, 100, 199] {
                    let primary = map.primary(slot).expect("served");
                    assert!(primary.primary, "slot {slot} served by a replica");
                    assert!(map.primaries().any(|n| n == primary));
                }
                for replica in map.replicas(0) {
                    assert!(!replica.primary);
                }
            }
            Err(e) => assert!(e.to_string().contains("bbbb"), "{e}"),
        }
    }
}
