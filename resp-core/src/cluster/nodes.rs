//! `CLUSTER NODES`: the text every node gives of the cluster as it sees it,
//! one line per node. [`parse_nodes`] reads it into [`NodeEntry`]s (the
//! view an administration tool needs: flags, epochs, link state, open
//! slots); [`Topology::from_nodes`](super::Topology::from_nodes) builds the
//! slot map from the same parse.
//!
//! A line is `<id> <ip:port@cport[,hostname]> <flags> <master> <ping-sent>
//! <pong-recv> <config-epoch> <link-state> <slot> <slot> ...`, where a slot
//! is `N`, `A-B`, `[N->-<id>]` (migrating to `id`) or `[N-<-<id>]`
//! (importing from `id`). Only complete lines (ending in `\n`) are read.

use std::fmt;

use crate::command::SLOTS;

/// A malformed `CLUSTER NODES` reply, with the line (counted from 1) that
/// is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodesError {
    /// The line, counted from 1.
    pub line: usize,
    /// What is wrong with it.
    pub reason: String,
}

impl fmt::Display for NodesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "malformed CLUSTER NODES reply, line {}: {}",
            self.line, self.reason
        )
    }
}

impl std::error::Error for NodesError {}

/// One line of a `CLUSTER NODES` reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeEntry {
    /// The node ID (40 hex characters).
    pub id: String,
    /// The address field as written (`ip:port@cport[,hostname]`).
    pub addr: String,
    /// The IP address; empty when the node does not know its own yet (a
    /// node that met nobody) or does not know the peer's (`noaddr`).
    pub ip: String,
    /// The client port.
    pub port: u16,
    /// The cluster bus port (0 when not given).
    pub bus_port: u16,
    /// The announced host name, when there is one.
    pub hostname: Option<String>,
    /// The flags, in the order given (`myself`, `master`, `slave`, `fail?`,
    /// `fail`, `handshake`, `noaddr`, `nofailover`, `noflags`, ...).
    pub flags: Vec<String>,
    /// The ID of the primary a replica replicates (`None` for `-`).
    pub master: Option<String>,
    /// When the last ping was sent (ms since the epoch; 0: none pending).
    pub ping_sent: u64,
    /// When the last pong was received (ms since the epoch).
    pub pong_recv: u64,
    /// The node's configuration epoch.
    pub config_epoch: u64,
    /// `connected` or `disconnected`.
    pub link_state: String,
    /// The slots it serves, as inclusive ranges in the order given.
    pub slots: Vec<(u16, u16)>,
    /// Slots it is migrating, with the ID of the node they go to (only
    /// the `myself` line shows them).
    pub migrating: Vec<(u16, String)>,
    /// Slots it is importing, with the ID of the node they come from.
    pub importing: Vec<(u16, String)>,
}

impl NodeEntry {
    /// True when `flag` is among the flags.
    pub fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    /// True for the line of the node that answered.
    pub fn is_myself(&self) -> bool {
        self.has_flag("myself")
    }

    /// True for a replica (`slave` flag).
    pub fn is_replica(&self) -> bool {
        self.has_flag("slave")
    }

    /// How many slots it serves.
    pub fn slot_count(&self) -> usize {
        self.slots
            .iter()
            .map(|&(a, b)| usize::from(b) - usize::from(a) + 1)
            .sum()
    }
}

/// Splits an address `ip:port[@cport][,hostname]` the way `redis-cli`
/// does (the last `@`, then the last `:`): `(ip, port, bus port,
/// hostname)`. `None` without a `:` or with a port that is not a number
/// of 0-65535.
///
/// ```
/// use resp_core::cluster::parse_node_address;
///
/// assert_eq!(
///     parse_node_address("127.0.0.1:7000@17000,node-a"),
///     Some(("127.0.0.1".into(), 7000, 17000, Some("node-a".into())))
/// );
/// assert_eq!(parse_node_address("::1:7000"), Some(("::1".into(), 7000, 0, None)));
/// assert_eq!(parse_node_address("no-port"), None);
/// ```
pub fn parse_node_address(addr: &str) -> Option<(String, u16, u16, Option<String>)> {
    let (addr, hostname) = match addr.split_once(',') {
        Some((a, h)) => (a, Some(h.to_owned())),
        None => (addr, None),
    };
    let (hostport, bus) = match addr.rsplit_once('@') {
        Some((hp, bus)) => (hp, Some(bus)),
        None => (addr, None),
    };
    let (ip, port) = hostport.rsplit_once(':')?;
    let port: u16 = port.parse().ok()?;
    let bus_port = match bus {
        Some(b) => b.parse().ok()?,
        None => 0,
    };
    Some((ip.to_owned(), port, bus_port, hostname))
}

fn number(field: &str) -> u64 {
    // As atoll: leading digits, 0 when none.
    field
        .bytes()
        .take_while(u8::is_ascii_digit)
        .fold(0u64, |n, d| {
            n.saturating_mul(10).saturating_add(u64::from(d - b'0'))
        })
}

fn slot(text: &str) -> Option<u16> {
    text.parse::<u16>().ok().filter(|&s| s < SLOTS)
}

/// Reads a `CLUSTER NODES` reply. Lines without a newline at the end are
/// ignored (a reply always ends with one).
///
/// # Errors
///
/// A line with fewer than eight fields, an address without a port, a slot
/// out of range or a range that runs backwards: [`NodesError`] with the
/// line.
///
/// # Example
///
/// ```
/// use resp_core::cluster::parse_nodes;
///
/// let text = "e7d1eec 127.0.0.1:30001@40001 myself,master - 0 0 1 connected 0-5460 [5461->-67ed2db]\n\
///             67ed2db 127.0.0.1:30002@40002 slave e7d1eec 0 1426238316232 2 connected\n";
/// let nodes = parse_nodes(text)?;
/// assert!(nodes[0].is_myself());
/// assert_eq!(nodes[0].slots, [(0, 5460)]);
/// assert_eq!(nodes[0].migrating, [(5461, "67ed2db".to_string())]);
/// assert_eq!(nodes[1].master.as_deref(), Some("e7d1eec"));
/// # Ok::<(), resp_core::cluster::NodesError>(())
/// ```
pub fn parse_nodes(text: &str) -> Result<Vec<NodeEntry>, NodesError> {
    let mut nodes = Vec::new();
    let mut lines = text.split('\n').enumerate().peekable();
    while let Some((index, line)) = lines.next() {
        // The part after the last newline is not a line.
        if lines.peek().is_none() {
            break;
        }
        let fail = |reason: String| NodesError {
            line: index + 1,
            reason,
        };
        let mut fields = line.split(' ');
        let mut head = Vec::with_capacity(8);
        for _ in 0..8 {
            match fields.next() {
                Some(f) => head.push(f),
                None => return Err(fail(format!("{} fields, not 8", head.len()))),
            }
        }
        let addr = head[1];
        let (ip, port, bus_port, hostname) = parse_node_address(addr)
            .ok_or_else(|| fail(format!("an address without a port: {addr:?}")))?;
        let mut entry = NodeEntry {
            id: head[0].to_owned(),
            addr: addr.to_owned(),
            ip,
            port,
            bus_port,
            hostname,
            flags: head[2]
                .split(',')
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect(),
            master: (head[3] != "-").then(|| head[3].to_owned()),
            ping_sent: number(head[4]),
            pong_recv: number(head[5]),
            config_epoch: number(head[6]),
            link_state: head[7].to_owned(),
            slots: Vec::new(),
            migrating: Vec::new(),
            importing: Vec::new(),
        };
        for token in fields.filter(|t| !t.is_empty()) {
            let bad = || fail(format!("a bad slot {token:?}"));
            if let Some(open) = token.strip_prefix('[') {
                let open = open.strip_suffix(']').unwrap_or(open);
                if let Some((n, to)) = open.split_once("->-") {
                    entry
                        .migrating
                        .push((slot(n).ok_or_else(bad)?, to.to_owned()));
                } else if let Some((n, from)) = open.split_once("-<-") {
                    entry
                        .importing
                        .push((slot(n).ok_or_else(bad)?, from.to_owned()));
                } else {
                    return Err(bad());
                }
            } else if let Some((a, b)) = token.split_once('-') {
                let (a, b) = (slot(a).ok_or_else(bad)?, slot(b).ok_or_else(bad)?);
                if a > b {
                    return Err(bad());
                }
                entry.slots.push((a, b));
            } else {
                let n = slot(token).ok_or_else(bad)?;
                entry.slots.push((n, n));
            }
        }
        nodes.push(entry);
    }
    Ok(nodes)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Recorded from redis-server 7.0.15 (a migration in progress).
    const REPLY: &str = "\
1b0c4bd5d2e9e1f2a9bd3c3ee3fe7e5b4ac7a3b0 127.0.0.1:30002@40002 master - 0 1700000000123 2 connected 5461-10922\n\
7a1e0d4c9a1d1a4e2c5f5b6a7b8c9d0e1f2a3b4c 127.0.0.1:30001@40001 myself,master - 0 1700000000000 1 connected 0-5460 [5461-<-1b0c4bd5d2e9e1f2a9bd3c3ee3fe7e5b4ac7a3b0] [16000->-1b0c4bd5d2e9e1f2a9bd3c3ee3fe7e5b4ac7a3b0]\n\
9f8e7d6c5b4a39281706f5e4d3c2b1a098765432 127.0.0.1:30004@40004,replica-4 slave 7a1e0d4c9a1d1a4e2c5f5b6a7b8c9d0e1f2a3b4c 0 1700000000456 1 connected\n\
aaaa :0@0 fail,noaddr - 1700000000000 1700000000000 0 disconnected\n";

    #[test]
    fn a_recorded_reply() {
        let nodes = parse_nodes(REPLY).unwrap();
        assert_eq!(nodes.len(), 4);
        let me = &nodes[1];
        assert!(me.is_myself() && !me.is_replica());
        assert_eq!(
            (me.ip.as_str(), me.port, me.bus_port),
            ("127.0.0.1", 30001, 40001)
        );
        assert_eq!(me.slots, [(0, 5460)]);
        assert_eq!(me.slot_count(), 5461);
        assert_eq!(me.importing[0].0, 5461);
        assert_eq!(me.migrating[0].0, 16000);
        assert_eq!(me.config_epoch, 1);
        let replica = &nodes[2];
        assert!(replica.is_replica());
        assert_eq!(replica.hostname.as_deref(), Some("replica-4"));
        assert_eq!(replica.master.as_deref(), Some(me.id.as_str()));
        assert_eq!(replica.pong_recv, 1_700_000_000_456);
        let lost = &nodes[3];
        assert_eq!((lost.ip.as_str(), lost.port), ("", 0));
        assert!(lost.has_flag("noaddr") && lost.link_state == "disconnected");
    }

    #[test]
    fn bad_lines_are_named() {
        assert_eq!(parse_nodes("a b c\n").unwrap_err().line, 1);
        let bad_slot = "x 1.2.3.4:1@2 master - 0 0 0 connected 0-16384\n";
        assert!(parse_nodes(bad_slot).unwrap_err().reason.contains("16384"));
        let backwards = "x 1.2.3.4:1@2 master - 0 0 0 connected 9-3\n";
        assert!(parse_nodes(backwards).is_err());
        let no_port = "x 1.2.3.4 master - 0 0 0 connected\n";
        assert!(parse_nodes(no_port).is_err());
        // Text after the last newline is not a line.
        assert_eq!(parse_nodes("x y").unwrap(), Vec::new());
        assert_eq!(parse_nodes("").unwrap(), Vec::new());
    }
}
