//! One node as the cluster manager sees it (`clusterManagerNode`): its
//! connection, what its `CLUSTER NODES` line says, and how it prints.

use resp_core::cluster::{parse_nodes, NodeEntry};
use resp_core::{Frame, OwnedFrame};

use super::{error_text, SLOTS};
use crate::conn::{Conn, Target};
use crate::options::Options;

/// Flags kept as bits (`CLUSTER_MANAGER_FLAG_*`).
pub(crate) const MYSELF: u32 = 1 << 0;
pub(crate) const SLAVE: u32 = 1 << 1;
pub(crate) const FRIEND: u32 = 1 << 2;
pub(crate) const NOADDR: u32 = 1 << 3;
pub(crate) const DISCONNECT: u32 = 1 << 4;
pub(crate) const FAIL: u32 = 1 << 5;

/// A node.
pub(crate) struct Node {
    pub(crate) conn: Option<Conn>,
    /// The node ID, once known.
    pub(crate) name: Option<String>,
    pub(crate) ip: String,
    pub(crate) port: i64,
    pub(crate) bus_port: i64,
    pub(crate) current_epoch: u64,
    pub(crate) ping_sent: u64,
    pub(crate) ping_recv: u64,
    pub(crate) flags: u32,
    /// The flags as `CLUSTER NODES` wrote them.
    pub(crate) flags_str: Option<Vec<String>>,
    /// The master's ID, for a replica (or one being made a replica).
    pub(crate) replicate: Option<String>,
    /// Has changes to write (`create`).
    pub(crate) dirty: bool,
    pub(crate) slots: Vec<bool>,
    pub(crate) slots_count: i64,
    pub(crate) replicas_count: i64,
    /// `(slot, destination id)` pairs.
    pub(crate) migrating: Vec<(String, String)>,
    /// `(slot, source id)` pairs.
    pub(crate) importing: Vec<(String, String)>,
    pub(crate) weight: f32,
    pub(crate) balance: i64,
}

impl Node {
    /// `clusterManagerNewNode`: not connected; the bus port defaults to
    /// the port plus 10000.
    pub(crate) fn new(ip: String, port: i64, bus_port: i64) -> Node {
        Node {
            conn: None,
            name: None,
            ip,
            port,
            bus_port: if bus_port != 0 {
                bus_port
            } else {
                port + super::PORT_INCR
            },
            current_epoch: 0,
            ping_sent: 0,
            ping_recv: 0,
            flags: 0,
            flags_str: None,
            replicate: None,
            dirty: false,
            slots: vec![false; SLOTS],
            slots_count: 0,
            replicas_count: 0,
            migrating: Vec::new(),
            importing: Vec::new(),
            weight: 1.0,
            balance: 0,
        }
    }

    pub(crate) fn is_slave(&self) -> bool {
        self.flags & SLAVE != 0
    }

    pub(crate) fn reset_slots(&mut self) {
        self.slots.iter_mut().for_each(|s| *s = false);
        self.slots_count = 0;
    }

    /// `clusterManagerNodeConnect`: connects (with `-t`, TLS and the
    /// credentials of the command line) and authenticates; failures are
    /// printed as `redis-cli` prints them (a refused `AUTH` in colour
    /// when `color`).
    pub(crate) fn connect(&mut self, opts: &Options, color: bool) -> bool {
        self.conn = None;
        let target = Target::Tcp {
            host: &self.ip,
            port: self.port,
        };
        let tls = opts.tls.then_some(&opts.tls_settings);
        if let Some(settings) = tls {
            if let Err(e) = crate::conn::ciphers::configure(settings) {
                eprintln!("TLS Error: {e}");
                return false;
            }
        }
        let mut conn = match Conn::connect(&target, tls, opts.timeout) {
            Ok(conn) => conn,
            Err(reason) => {
                eprintln!(
                    "Could not connect to Redis at {}:{}: {reason}",
                    self.ip, self.port
                );
                return false;
            }
        };
        if let Some(password) = &opts.password {
            let mut argv = vec![b"AUTH".to_vec()];
            argv.extend(opts.user.clone());
            argv.push(password.clone());
            match conn.call(&argv) {
                Ok(reply) => {
                    if let Some(e) = error_text(&reply) {
                        super::log(
                            color,
                            super::Level::Err,
                            &format!("Node {}:{} replied with error:\n{e}\n", self.ip, self.port),
                        );
                        self.conn = Some(conn);
                        return false;
                    }
                }
                Err(_) => return false,
            }
        }
        self.conn = Some(conn);
        true
    }

    /// Sends `argv` and reads the reply; `None` when the connection
    /// failed or there is none (hiredis' NULL reply).
    pub(crate) fn command(&mut self, argv: &[Vec<u8>]) -> Option<OwnedFrame> {
        let conn = self.conn.as_mut()?;
        match conn.call(argv) {
            Ok(reply) => Some(reply),
            Err(_) => {
                self.conn = None;
                None
            }
        }
    }

    /// `INFO`'s text, or the error reply's (`Err(None)`: no reply).
    pub(crate) fn info(&mut self) -> Result<String, Option<String>> {
        let reply = self.command(&super::argv(&["INFO"])).ok_or(None)?;
        if let Some(e) = error_text(&reply) {
            return Err(Some(e));
        }
        Ok(text_of(&reply))
    }

    /// `clusterManagerNodeIsCluster`: `cluster_enabled:1` in `INFO`.
    pub(crate) fn is_cluster(&mut self) -> Result<bool, Option<String>> {
        let info = self.info()?;
        Ok(info_field(&info, "cluster_enabled").is_some_and(|v| atol(v) != 0))
    }

    /// `clusterManagerNodeIsEmpty`: no key in db0 and no other node
    /// known. `Err` carries an error reply's text.
    pub(crate) fn is_empty(&mut self) -> Result<bool, Option<String>> {
        let info = self.info()?;
        if info.contains("db0:") {
            return Ok(false);
        }
        let reply = self
            .command(&super::argv(&["CLUSTER", "INFO"]))
            .ok_or(None)?;
        if let Some(e) = error_text(&reply) {
            return Err(Some(e));
        }
        let info = text_of(&reply);
        Ok(info_field(&info, "cluster_known_nodes").is_some_and(|v| atol(v) == 1))
    }

    /// `clusterManagerNodeLoadInfo`: reads `CLUSTER NODES` and updates
    /// this node from its `myself` line; with `friends`, the other lines
    /// become new nodes (returned). `Err` carries an error reply's text
    /// (`None` when there is nothing to print).
    pub(crate) fn load_info(&mut self, friends: bool) -> Result<Vec<Node>, Option<String>> {
        let reply = self
            .command(&super::argv(&["CLUSTER", "NODES"]))
            .ok_or(None)?;
        if let Some(e) = error_text(&reply) {
            return Err(Some(e));
        }
        let text = text_of(&reply);
        let entries = match parse_nodes(&text) {
            Ok(entries) => entries,
            Err(_) => {
                eprintln!("Error: invalid CLUSTER NODES reply");
                return Err(None);
            }
        };
        let mut found = Vec::new();
        for entry in &entries {
            if entry.is_myself() {
                self.bus_port = i64::from(entry.bus_port);
                self.flags |= MYSELF;
                self.reset_slots();
                for &(from, to) in &entry.slots {
                    for slot in from..=to {
                        self.slots[usize::from(slot)] = true;
                    }
                    self.slots_count += i64::from(to) - i64::from(from) + 1;
                }
                self.migrating = entry
                    .migrating
                    .iter()
                    .map(|(s, id)| (s.to_string(), id.clone()))
                    .collect();
                self.importing = entry
                    .importing
                    .iter()
                    .map(|(s, id)| (s.to_string(), id.clone()))
                    .collect();
                self.dirty = false;
                self.apply(entry);
                if !friends {
                    break;
                }
            } else if friends {
                let mut friend = Node::new(entry.ip.clone(), i64::from(entry.port), 0);
                friend.bus_port = i64::from(entry.bus_port);
                friend.flags |= FRIEND;
                friend.apply(entry);
                found.push(friend);
            }
        }
        Ok(found)
    }

    /// Name, flags, master and epochs from a `CLUSTER NODES` line.
    fn apply(&mut self, entry: &NodeEntry) {
        self.name = Some(entry.id.clone());
        for flag in &entry.flags {
            match flag.as_str() {
                "noaddr" => self.flags |= NOADDR,
                "disconnected" => self.flags |= DISCONNECT,
                "fail" => self.flags |= FAIL,
                "slave" => {
                    self.flags |= SLAVE;
                    self.replicate = Some(entry.master.clone().unwrap_or_else(|| "-".into()));
                }
                _ => {}
            }
        }
        self.flags_str = Some(entry.flags.clone());
        self.current_epoch = entry.config_epoch;
        self.ping_sent = entry.ping_sent;
        self.ping_recv = entry.pong_recv;
    }

    /// `clusterManagerNodeFlagString`: the flags but `myself`.
    pub(crate) fn flag_string(&self) -> String {
        self.flags_str
            .iter()
            .flatten()
            .filter(|f| f.as_str() != "myself")
            .cloned()
            .collect::<Vec<_>>()
            .join(",")
    }

    /// `clusterManagerNodeSlotsString`: `[0-5460],[5462]`.
    pub(crate) fn slots_string(&self) -> String {
        slots_string(&self.slots)
    }

    /// `clusterManagerNodeInfo`: the node's lines in `check`, `create`,
    /// `reshard`, indented by `indent`.
    pub(crate) fn describe(&self, indent: usize) -> String {
        let spaces = " ".repeat(indent);
        let name = self.name.as_deref().unwrap_or("");
        let mut info = spaces.clone();
        if self.dirty && self.replicate.is_some() {
            info.push_str(&format!("S: {name} {}:{}", self.ip, self.port));
        } else {
            let role = if self.is_slave() { "S" } else { "M" };
            info.push_str(&format!(
                "{role}: {name} {}:{}\n{spaces}   slots:{} ({} slots) {}",
                self.ip,
                self.port,
                self.slots_string(),
                self.slots_count,
                self.flag_string()
            ));
        }
        if let Some(master) = &self.replicate {
            info.push_str(&format!("\n{spaces}   replicates {master}"));
        } else if self.replicas_count != 0 {
            info.push_str(&format!(
                "\n{spaces}   {} additional replica(s)",
                self.replicas_count
            ));
        }
        info
    }

    /// `clusterManagerNodeGetJSON`, for `backup`'s `nodes.json`.
    pub(crate) fn json(&self, error_count: usize) -> String {
        let replicate = match &self.replicate {
            Some(r) => format!("\"{r}\""),
            None => "null".into(),
        };
        let slots = self.slots_string().replace('-', ",");
        let mut json = format!(
            "  {{\n    \"name\": \"{}\",\n    \"host\": \"{}\",\n    \"port\": {},\n    \"replicate\": {replicate},\n    \"slots\": [{slots}],\n    \"slots_count\": {},\n    \"flags\": \"{}\",\n    \"current_epoch\": {}",
            self.name.as_deref().unwrap_or("(null)"),
            self.ip,
            self.port,
            self.slots_count,
            self.flag_string(),
            self.current_epoch
        );
        if error_count > 0 {
            json.push_str(&format!(",\n    \"cluster_errors\": {error_count}"));
        }
        let pairs = |list: &[(String, String)]| {
            list.iter()
                .map(|(s, id)| format!("\"{s}\": \"{id}\""))
                .collect::<Vec<_>>()
                .join(",")
        };
        if !self.migrating.is_empty() {
            json.push_str(&format!(
                ",\n    \"migrating\": {{{}}}",
                pairs(&self.migrating)
            ));
        }
        if !self.importing.is_empty() {
            json.push_str(&format!(
                ",\n    \"importing\": {{{}}}",
                pairs(&self.importing)
            ));
        }
        json.push_str("\n  }");
        json
    }
}

/// Slot ranges as `redis-cli` prints them: `[0-5460],[5462]`.
pub(crate) fn slots_string(slots: &[bool]) -> String {
    let mut out = String::new();
    let mut i = 0;
    while i < slots.len() {
        if !slots[i] {
            i += 1;
            continue;
        }
        let start = i;
        while i < slots.len() && slots[i] {
            i += 1;
        }
        if !out.is_empty() {
            out.push(',');
        }
        if i - 1 == start {
            out.push_str(&format!("[{start}]"));
        } else {
            out.push_str(&format!("[{start}-{}]", i - 1));
        }
    }
    out
}

/// The text of a string reply (status, bulk or verbatim).
pub(crate) fn text_of(reply: &OwnedFrame) -> String {
    match crate::format::plain(reply) {
        Frame::Simple(s) | Frame::Bulk(s) => String::from_utf8_lossy(s).into_owned(),
        Frame::Verbatim { text, .. } => String::from_utf8_lossy(text).into_owned(),
        _ => String::new(),
    }
}

/// `getInfoField`: the value after the first `field` in an `INFO` text
/// and the character after it (up to `\r` or `,`).
pub(crate) fn info_field<'a>(info: &'a str, field: &str) -> Option<&'a str> {
    let at = info.find(field)?;
    let value = info.get(at + field.len() + 1..)?;
    Some(value.split(['\r', ',']).next().unwrap_or(value))
}

/// `strtol` of decimal digits, 0 when none.
pub(crate) fn atol(text: &str) -> i64 {
    crate::options::atoi(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_and_descriptions_as_redis_cli_prints_them() {
        let mut node = Node::new("127.0.0.1".into(), 7000, 0);
        assert_eq!(node.bus_port, 17000);
        for slot in [0, 1, 2, 5, 16383] {
            node.slots[slot] = true;
        }
        node.slots_count = 5;
        assert_eq!(node.slots_string(), "[0-2],[5],[16383]");
        node.name = Some("a".repeat(40));
        node.flags_str = Some(vec!["myself".into(), "master".into()]);
        node.replicas_count = 1;
        assert_eq!(
            node.describe(0),
            format!(
                "M: {} 127.0.0.1:7000\n   slots:[0-2],[5],[16383] (5 slots) master\n   1 additional replica(s)",
                "a".repeat(40)
            )
        );
        node.migrating.push(("5".into(), "b".repeat(40)));
        let json = node.json(0);
        assert!(json.contains("\"slots\": [[0,2],[5],[16383]]"), "{json}");
        assert!(json.contains(&format!("\"migrating\": {{\"5\": \"{}\"}}", "b".repeat(40))));
        let mut replica = Node::new("127.0.0.1".into(), 7003, 0);
        replica.name = Some("c".repeat(40));
        replica.replicate = Some("a".repeat(40));
        replica.dirty = true;
        assert_eq!(
            replica.describe(4),
            format!(
                "    S: {} 127.0.0.1:7003\n       replicates {}",
                "c".repeat(40),
                "a".repeat(40)
            )
        );
        assert_eq!(
            info_field("a:1\r\ncluster_enabled:1\r\n", "cluster_enabled"),
            Some("1")
        );
    }
}
