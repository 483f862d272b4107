//! Parsing of `CLUSTER NODES` output.

use crate::error::{HarnessError, Result};

/// One node as described by a line of `CLUSTER NODES`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClusterNodeInfo {
    /// The 40-character node id.
    pub id: String,
    /// The client port (the part of `ip:port@busport` before the `@`).
    pub port: u16,
    /// Flags such as `myself`, `master`, `slave`, `fail?`, `fail`, `handshake`.
    pub flags: Vec<String>,
    /// For a replica, the id of its master.
    pub master_id: Option<String>,
    /// Whether the cluster bus link to this node is `connected`.
    pub connected: bool,
    /// Slot ranges served (inclusive), for masters.
    pub slots: Vec<(u16, u16)>,
}

impl ClusterNodeInfo {
    fn has_flag(&self, flag: &str) -> bool {
        self.flags.iter().any(|f| f == flag)
    }

    /// Whether the node is a master.
    pub fn is_master(&self) -> bool {
        self.has_flag("master")
    }

    /// Whether the node is a replica.
    pub fn is_replica(&self) -> bool {
        self.has_flag("slave")
    }

    /// Whether this line describes the node that was asked.
    pub fn is_myself(&self) -> bool {
        self.has_flag("myself")
    }

    /// Whether the node is failing, suspected failing, still in handshake or
    /// without a known address.
    pub fn is_unhealthy(&self) -> bool {
        ["fail", "fail?", "handshake", "noaddr"]
            .iter()
            .any(|f| self.has_flag(f))
            || !self.connected
    }

    /// Number of slots served.
    pub fn slot_count(&self) -> usize {
        self.slots
            .iter()
            .map(|(lo, hi)| usize::from(hi - lo) + 1)
            .sum()
    }

    /// Whether the node serves `slot`.
    pub fn owns_slot(&self, slot: u16) -> bool {
        self.slots.iter().any(|&(lo, hi)| (lo..=hi).contains(&slot))
    }
}

/// Parses the text of a `CLUSTER NODES` reply.
pub fn parse_cluster_nodes(text: &str) -> Result<Vec<ClusterNodeInfo>> {
    text.lines()
        .filter(|line| !line.trim().is_empty())
        .map(parse_line)
        .collect()
}

fn parse_line(line: &str) -> Result<ClusterNodeInfo> {
    let bad = || HarnessError::new(format!("malformed CLUSTER NODES line {line:?}"));
    let fields: Vec<&str> = line.split_whitespace().collect();
    if fields.len() < 8 {
        return Err(bad());
    }
    let addr = fields[1].split(['@', ',']).next().ok_or_else(bad)?;
    let port = addr
        .rsplit(':')
        .next()
        .and_then(|p| p.parse().ok())
        .ok_or_else(bad)?;
    let mut slots = Vec::new();
    for field in &fields[8..] {
        // `[slot->-id]` / `[slot-<-id]` describe migrations, not ownership.
        if field.starts_with('[') {
            continue;
        }
        let (lo, hi) = field.split_once('-').unwrap_or((field, field));
        slots.push((
            lo.parse().map_err(|_| bad())?,
            hi.parse().map_err(|_| bad())?,
        ));
    }
    Ok(ClusterNodeInfo {
        id: fields[0].to_string(),
        port,
        flags: fields[2].split(',').map(str::to_string).collect(),
        master_id: (fields[3] != "-").then(|| fields[3].to_string()),
        connected: fields[7] == "connected",
        slots,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_masters_and_replicas() {
        let text = "\
07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004,host slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected
67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 5461-10922 [5460->-abc]
e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460 16383
";
        let nodes = parse_cluster_nodes(text).unwrap();
        assert_eq!(nodes.len(), 3);
        assert!(nodes[0].is_replica());
        assert_eq!(nodes[0].port, 30004);
        assert_eq!(
            nodes[0].master_id.as_deref(),
            Some("e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca")
        );
        assert_eq!(nodes[1].slots, vec![(5461, 10922)]);
        assert!(nodes[2].is_myself() && nodes[2].is_master());
        assert_eq!(nodes[2].slot_count(), 5462);
        assert!(nodes[2].owns_slot(16383) && !nodes[2].owns_slot(5461));
        assert!(!nodes[2].is_unhealthy());
        assert!(parse_cluster_nodes("garbage").is_err());
    }
}
