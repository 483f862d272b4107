//! `SCAN` over a whole cluster: each primary in turn, with the slots it
//! finished, so that every key present for the whole scan is returned at
//! least once even while slots move.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use resp_core::cluster::Endpoint;
use resp_core::command::{hash_tag, key_slot, Blocks, SLOTS};

use super::ClusterClient;
use crate::client::run::Call;
use crate::error::Result;
use crate::{Cmd, Connection, Value};

/// Node scans that may fail in a row before the scan gives up.
const FAILURES: u32 = 5;

/// An iterator over the keys of a whole cluster; see
/// [`ClusterClient::scan`].
///
/// The scan walks one primary at a time with `SCAN`, and marks the slots
/// that node served both when its scan began and when it ended as
/// finished. A slot that moved during a node's scan stays unfinished and
/// is scanned again on its new owner. When every slot is finished, the map
/// is fetched once more and slots whose owner changed since they were
/// finished are scanned again, until the map holds still. So every key
/// present for the whole scan is returned at least once; keys may come
/// more than once, as with `SCAN` on one server.
pub struct ClusterScan<'c> {
    client: &'c ClusterClient,
    pattern: Option<Vec<u8>>,
    count: Option<usize>,
    kind: Option<String>,
    /// Per slot: the node it was finished on.
    finished: Vec<Option<Endpoint>>,
    node: Option<NodeScan>,
    buffer: VecDeque<Vec<u8>>,
    /// With a pattern confined to one hash tag, its slot alone.
    only: Option<u16>,
    failures: u32,
    done: bool,
}

struct NodeScan {
    endpoint: Endpoint,
    cursor: Vec<u8>,
    /// The unfinished slots it served when its scan began.
    slots: Vec<u16>,
}

/// The slot a pattern is confined to, when it names one hash tag without
/// wildcards in it.
fn pattern_slot(pattern: &[u8]) -> Option<u16> {
    let tag = hash_tag(pattern);
    if tag.len() == pattern.len() {
        return None;
    }
    let wild = |b: &u8| matches!(b, b'*' | b'?' | b'[' | b'\\');
    // The tag must be literal, and so must everything before it.
    let open = pattern.iter().position(|&b| b == b'{')?;
    (!tag.iter().any(wild) && !pattern[..open].iter().any(wild)).then(|| key_slot(pattern))
}

impl<'c> ClusterScan<'c> {
    pub(crate) fn new(
        client: &'c ClusterClient,
        pattern: Option<Vec<u8>>,
        count: Option<usize>,
        kind: Option<String>,
    ) -> ClusterScan<'c> {
        let only = pattern.as_deref().and_then(pattern_slot);
        ClusterScan {
            client,
            pattern,
            count,
            kind,
            finished: vec![None; usize::from(SLOTS)],
            node: None,
            buffer: VecDeque::new(),
            only,
            failures: 0,
            done: false,
        }
    }

    fn unfinished(&self) -> Option<u16> {
        match self.only {
            Some(slot) => self.finished[usize::from(slot)].is_none().then_some(slot),
            None => (0..SLOTS).find(|&s| self.finished[usize::from(s)].is_none()),
        }
    }

    fn in_scope(&self, slot: u16) -> bool {
        self.only.is_none_or(|only| only == slot)
    }

    /// Starts the scan of the node that serves the next unfinished slot;
    /// `false` when every slot is finished and the map held still.
    fn start_node(&mut self) -> Result<bool> {
        let router = &self.client.router;
        let deadline = Some(Instant::now() + Duration::from_secs(10));
        let slot = match self.unfinished() {
            Some(slot) => slot,
            None => {
                // Finished: check against a fresh map that nothing moved
                // under the scan.
                router.refresh_and_wait(deadline);
                let topology = router.topology();
                let mut moved = false;
                for s in 0..SLOTS {
                    let owner = topology.primary(s).map(|n| &n.endpoint);
                    if self.in_scope(s) && owner != self.finished[usize::from(s)].as_ref() {
                        self.finished[usize::from(s)] = None;
                        moved = true;
                    }
                }
                if !moved {
                    return Ok(false);
                }
                match self.unfinished() {
                    Some(slot) => slot,
                    None => return Ok(false),
                }
            }
        };
        let endpoint = router.node_for(slot, false, deadline)?;
        let topology = router.topology();
        let slots = topology
            .slots_of(&endpoint)
            .into_iter()
            .filter(|&s| self.in_scope(s) && self.finished[usize::from(s)].is_none())
            .collect();
        self.node = Some(NodeScan {
            endpoint,
            cursor: b"0".to_vec(),
            slots,
        });
        Ok(true)
    }

    /// One `SCAN` step on the current node.
    fn step(&mut self) -> Result<()> {
        let Some(node) = &self.node else {
            return Ok(());
        };
        let mut cmd = Cmd::new("SCAN").arg(node.cursor.clone());
        if let Some(pattern) = &self.pattern {
            cmd.add_arg("MATCH").add_arg(pattern.clone());
        }
        if let Some(count) = self.count {
            cmd.add_arg("COUNT").add_arg(count);
        }
        if let Some(kind) = &self.kind {
            cmd.add_arg("TYPE").add_arg(kind.clone());
        }
        let deadline = self.client.call_deadline(None, Blocks::No);
        let mut call = Call::new(
            &cmd,
            Blocks::No,
            true,
            |conn: &mut Connection, deadline, _| {
                conn.query_until::<(Vec<u8>, Vec<Value>)>(&cmd, deadline)
            },
        )
        .pinned_to(node.endpoint.clone());
        match self.client.client.drive(&mut call, deadline) {
            Ok((cursor, keys)) => {
                self.failures = 0;
                for key in keys {
                    if let Some(bytes) = key.as_bytes() {
                        self.buffer.push_back(bytes.to_vec());
                    }
                }
                let node = self.node.as_mut().expect("a node scan");
                if cursor == b"0" {
                    let node = self.node.take().expect("a node scan");
                    // Finished: the slots it served from start to end.
                    let now = self.client.router.topology();
                    for slot in node.slots {
                        if now
                            .primary(slot)
                            .is_some_and(|n| n.endpoint == node.endpoint)
                        {
                            self.finished[usize::from(slot)] = Some(node.endpoint.clone());
                        }
                    }
                } else {
                    node.cursor = cursor;
                }
                Ok(())
            }
            Err(e) => {
                // The node went away mid-scan: its slots stay unfinished and
                // are scanned again where the fresh map says.
                self.node = None;
                self.failures += 1;
                self.client.router.request_refresh();
                if self.failures >= FAILURES {
                    return Err(e.context("cluster scan"));
                }
                std::thread::sleep(Duration::from_millis(50));
                Ok(())
            }
        }
    }
}

impl Iterator for ClusterScan<'_> {
    type Item = Result<Vec<u8>>;

    fn next(&mut self) -> Option<Result<Vec<u8>>> {
        loop {
            if let Some(key) = self.buffer.pop_front() {
                return Some(Ok(key));
            }
            if self.done {
                return None;
            }
            if self.node.is_none() {
                match self.start_node() {
                    Ok(true) => {}
                    Ok(false) => {
                        self.done = true;
                        return None;
                    }
                    Err(e) => {
                        self.done = true;
                        return Some(Err(e));
                    }
                }
            }
            if let Err(e) = self.step() {
                self.done = true;
                return Some(Err(e));
            }
        }
    }
}

impl ClusterClient {
    /// Every key of the cluster (matching `pattern` when given, with
    /// `SCAN`'s glob syntax), each present for the whole scan at least
    /// once, even while slots move; see [`ClusterScan`]. A pattern confined
    /// to one hash tag (`user:{42}:*`) scans that slot's node alone.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use redis_blocking::ClusterClient;
    ///
    /// let cluster = ClusterClient::open(&["redis://127.0.0.1:7000"])?;
    /// for key in cluster.scan_match("session:*") {
    ///     let key = key?;
    ///     println!("{}", String::from_utf8_lossy(&key));
    /// }
    /// # Ok::<(), redis_blocking::Error>(())
    /// ```
    pub fn scan_match(&self, pattern: impl AsRef<[u8]>) -> ClusterScan<'_> {
        ClusterScan::new(self, Some(pattern.as_ref().to_vec()), None, None)
    }

    /// Every key of the cluster; see [`scan_match`](ClusterClient::scan_match).
    pub fn scan(&self) -> ClusterScan<'_> {
        ClusterScan::new(self, None, None, None)
    }

    /// A scan with `SCAN`'s options: `MATCH`, `COUNT`, `TYPE`.
    pub fn scan_with(
        &self,
        pattern: Option<&[u8]>,
        count: Option<usize>,
        kind: Option<&str>,
    ) -> ClusterScan<'_> {
        ClusterScan::new(
            self,
            pattern.map(<[u8]>::to_vec),
            count,
            kind.map(str::to_owned),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_confined_to_a_slot() {
        assert_eq!(pattern_slot(b"user:{42}:*"), Some(key_slot(b"42")));
        assert_eq!(pattern_slot(b"user:*"), None);
        assert_eq!(pattern_slot(b"*:{42}"), None);
        assert_eq!(pattern_slot(b"{4*}"), None);
        assert_eq!(pattern_slot(b"{}x"), None);
    }
}
