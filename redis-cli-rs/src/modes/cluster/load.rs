//! Loading the cluster from one node, and whether the nodes agree:
//! `clusterManagerLoadInfoFromNode`, `clusterManagerIsConfigConsistent`,
//! `clusterManagerWaitForClusterJoin`, `clusterManagerShowNodes`,
//! `clusterManagerShowClusterInfo`.

use std::io::Write;
use std::time::Duration;

use resp_core::cluster::parse_nodes;
use resp_core::Frame;

use super::node::{text_of, Node, DISCONNECT, FAIL, NOADDR};
use super::{argv, error_text, Manager};

impl Manager<'_> {
    /// Connects `node` (unless connected), checks that it is a cluster
    /// node, and makes it and the nodes it knows the manager's nodes.
    /// Nodes that cannot be reached or loaded are left out (and counted
    /// when masters).
    pub(crate) fn load_from_node(&mut self, mut node: Node) -> bool {
        let (opts, color) = (self.opts, self.cmd.color);
        if node.conn.is_none() && !node.connect(opts, color) {
            return false;
        }
        match node.is_cluster() {
            Ok(true) => {}
            Ok(false) => {
                self.not_cluster_error(&node, None);
                return false;
            }
            Err(e) => {
                self.not_cluster_error(&node, e.as_deref());
                return false;
            }
        }
        let friends = match node.load_info(true) {
            Ok(friends) => friends,
            Err(e) => {
                if let Some(e) = e {
                    self.err(&format!(
                        "Node {}:{} replied with error:\n{e}\n",
                        node.ip, node.port
                    ));
                }
                return false;
            }
        };
        self.nodes = vec![node];
        for mut friend in friends {
            let mut valid =
                friend.port != 0 && (friend.conn.is_some() || friend.connect(opts, color));
            if valid {
                match friend.load_info(false) {
                    Ok(_) => valid = friend.flags & (NOADDR | DISCONNECT | FAIL) == 0,
                    Err(_) => {
                        self.err(&format!(
                            "[ERR] Unable to load info for node {}:{}\n",
                            friend.ip, friend.port
                        ));
                        valid = false;
                    }
                }
            }
            if valid {
                self.nodes.push(friend);
            } else if !friend.is_slave() {
                self.unreachable_masters += 1;
            }
        }
        for i in 0..self.nodes.len() {
            let Some(master) = self.nodes[i].replicate.clone() else {
                continue;
            };
            match self.node_by_name(&master) {
                Some(m) => self.nodes[m].replicas_count += 1,
                None => {
                    let n = &self.nodes[i];
                    self.warn(&format!(
                        "*** WARNING: {}:{} claims to be slave of unknown node ID {master}.\n",
                        n.ip, n.port
                    ));
                }
            }
        }
        true
    }

    /// `clusterManagerPrintNotClusterNodeError`.
    pub(crate) fn not_cluster_error(&self, node: &Node, err: Option<&str>) {
        let msg = err.unwrap_or("is not configured as a cluster node.");
        self.err(&format!("[ERR] Node {}:{} {msg}\n", node.ip, node.port));
    }

    /// `clusterManagerPrintNotEmptyNodeError`.
    pub(crate) fn not_empty_error(&self, node: &Node, err: Option<&str>) {
        let msg = err.unwrap_or(
            "is not empty. Either the node already knows other nodes (check with CLUSTER NODES) or contains some key in database 0.",
        );
        self.err(&format!("[ERR] Node {}:{} {msg}\n", node.ip, node.port));
    }

    /// `CLUSTER NODES` of node `i` as text; `None` on a failure or an
    /// error reply.
    fn nodes_text(&mut self, i: usize) -> Option<String> {
        let reply = self.command(i, &argv(&["CLUSTER", "NODES"]))?;
        if error_text(&reply).is_some() {
            return None;
        }
        Some(text_of(&reply))
    }

    /// `clusterManagerGetConfigSignature`: each node's ID and slots as
    /// node `i` sees them, sorted; `None` when it cannot say or no node
    /// serves a slot.
    fn config_signature(&mut self, i: usize) -> Option<String> {
        let text = self.nodes_text(i)?;
        let entries = parse_nodes(&text).ok()?;
        let mut configs: Vec<String> = entries
            .iter()
            .filter(|e| !e.slots.is_empty())
            .map(|e| {
                let mut slots: Vec<String> = e
                    .slots
                    .iter()
                    .map(|&(a, b)| {
                        if a == b {
                            a.to_string()
                        } else {
                            format!("{a}-{b}")
                        }
                    })
                    .collect();
                slots.sort();
                format!("{}:{}", e.id, slots.join(","))
            })
            .collect();
        if configs.is_empty() {
            return None;
        }
        configs.sort();
        Some(configs.join("|"))
    }

    /// `clusterManagerIsConfigConsistent`: every node sees the same slot
    /// map (always true for a single node).
    pub(crate) fn is_config_consistent(&mut self) -> bool {
        if self.nodes.len() <= 1 {
            return !self.nodes.is_empty();
        }
        let mut first: Option<String> = None;
        for i in 0..self.nodes.len() {
            let Some(cfg) = self.config_signature(i) else {
                return false;
            };
            match &first {
                None => first = Some(cfg),
                Some(f) if *f != cfg => return false,
                Some(_) => {}
            }
        }
        true
    }

    /// `clusterManagerGetLinkStatus`: for each address some node cannot
    /// reach (a disconnected link, a handshake going on), the nodes that
    /// cannot; in the order found.
    fn link_status(&mut self) -> Vec<(String, Vec<String>)> {
        let mut status: Vec<(String, Vec<String>)> = Vec::new();
        for i in 0..self.nodes.len() {
            let Some(text) = self.nodes_text(i) else {
                continue;
            };
            let Ok(entries) = parse_nodes(&text) else {
                continue;
            };
            let me = format!("{}:{}", self.nodes[i].ip, self.nodes[i].port);
            for e in entries.iter().filter(|e| !e.is_myself()) {
                let disconnected = e.flags.iter().any(|f| f.contains("disconnected"))
                    || e.link_state.contains("disconnected");
                let handshaking = e.flags.iter().any(|f| f.contains("handshake"));
                if !(disconnected || handshaking) {
                    continue;
                }
                match status.iter_mut().find(|(addr, _)| *addr == e.addr) {
                    Some((_, from)) => from.push(me.clone()),
                    None => status.push((e.addr.clone(), vec![me.clone()])),
                }
            }
        }
        status
    }

    /// `clusterManagerWaitForClusterJoin`: a dot a second until the nodes
    /// agree; every 20 s or so, which links seem down.
    pub(crate) fn wait_for_cluster_join(&mut self) {
        println!("Waiting for the cluster to join");
        let check_after = 20 + (self.nodes.len() as f32 * 0.15) as usize;
        let mut counter = 0;
        while !self.is_config_consistent() {
            print!(".");
            let _ = std::io::stdout().flush();
            std::thread::sleep(Duration::from_secs(1));
            counter += 1;
            if counter > check_after {
                let status = self.link_status();
                if !status.is_empty() {
                    println!();
                    self.err(&format!(
                        "Warning: {} node(s) may be unreachable\n",
                        status.len()
                    ));
                    for (addr, from) in &status {
                        match super::parse_address(addr) {
                            Some((ip, _, bus)) if bus != 0 => self.err(&format!(
                                " - The port {bus} of node {ip} may be unreachable from:\n"
                            )),
                            _ => self.err(&format!(" - Node {addr} may be unreachable from:\n")),
                        }
                        for f in from {
                            self.err(&format!("   {f}\n"));
                        }
                        self.err(
                            "Cluster bus ports must be reachable by every node.\nRemember that cluster bus ports are different from standard instance ports.\n",
                        );
                    }
                }
                counter = 0;
            }
        }
        println!();
    }

    /// `clusterManagerShowNodes`.
    pub(crate) fn show_nodes(&self) {
        for node in &self.nodes {
            println!("{}", node.describe(0));
        }
    }

    /// `clusterManagerShowClusterInfo`: keys, slots and replicas per
    /// master.
    pub(crate) fn show_cluster_info(&mut self) {
        let (mut masters, mut keys) = (0i64, 0i64);
        for i in 0..self.nodes.len() {
            if self.nodes[i].is_slave() {
                continue;
            }
            let Some(name) = self.nodes[i].name.clone() else {
                continue;
            };
            let replicas = self
                .nodes
                .iter()
                .enumerate()
                .filter(|&(j, n)| j != i && n.is_slave())
                .filter(|(_, n)| n.replicate.as_deref() == Some(name.as_str()))
                .count();
            let reply = self.command(i, &argv(&["DBSIZE"]));
            let dbsize = match reply.as_ref().map(crate::format::plain) {
                Some(Frame::Integer(n)) if *n >= 0 => *n as i32 as i64,
                _ => -1,
            };
            if dbsize < 0 {
                let err = reply.as_ref().and_then(error_text).unwrap_or_default();
                self.reply_error(i, &err);
                return;
            }
            let n = &self.nodes[i];
            let short: String = name.chars().take(8).collect();
            println!(
                "{}:{} ({short}...) -> {dbsize} keys | {} slots | {replicas} slaves.",
                n.ip, n.port, n.slots_count
            );
            masters += 1;
            keys += dbsize;
        }
        self.ok(&format!("[OK] {keys} keys in {masters} masters.\n"));
        let per_slot = keys as i32 as f32 / super::SLOTS as f32;
        println!("{:.2} keys per slot on average.", f64::from(per_slot));
    }
}
