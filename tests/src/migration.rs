//! [`Migration`]: moving one hash slot between masters of a
//! [`RedisCluster`](crate::RedisCluster) step by step, the way `redis-cli
//! --cluster reshard` does (`CLUSTER SETSLOT IMPORTING/MIGRATING`,
//! `MIGRATE ... KEYS`, `CLUSTER SETSLOT NODE`), so that tests can act in
//! the middle of it.

use crate::error::{HarnessError, Result};
use crate::resp::Reply;
use crate::server::{RedisServer, HOST};

/// A slot on its way from one master to another.
pub struct Migration<'c> {
    slot: u16,
    from: &'c RedisServer,
    to: &'c RedisServer,
    to_id: String,
    masters: Vec<&'c RedisServer>,
}

/// The node ID of `node` (`CLUSTER MYID`).
///
/// # Errors
/// If the node cannot be asked.
pub fn node_id(node: &RedisServer) -> Result<String> {
    match node.try_query(&["CLUSTER", "MYID"])? {
        Reply::Bulk(id) => Ok(String::from_utf8_lossy(&id).into_owned()),
        other => Err(HarnessError::new(format!("CLUSTER MYID returned {other}"))),
    }
}

fn ok(node: &RedisServer, args: &[&str]) -> Result<()> {
    match node.try_query(args)? {
        Reply::Status(_) => Ok(()),
        other => Err(HarnessError::new(format!(
            "{} on {} returned {other}",
            args.join(" "),
            node.port()
        ))),
    }
}

impl<'c> Migration<'c> {
    /// Starts moving `slot` from `from` to `to`: `to` imports it, `from`
    /// migrates it. `masters` are told the new owner when it is finished.
    ///
    /// # Errors
    /// If a node refuses.
    pub fn begin(
        slot: u16,
        from: &'c RedisServer,
        to: &'c RedisServer,
        masters: Vec<&'c RedisServer>,
    ) -> Result<Migration<'c>> {
        let from_id = node_id(from)?;
        let to_id = node_id(to)?;
        let s = slot.to_string();
        ok(to, &["CLUSTER", "SETSLOT", &s, "IMPORTING", &from_id])?;
        ok(from, &["CLUSTER", "SETSLOT", &s, "MIGRATING", &to_id])?;
        Ok(Migration {
            slot,
            from,
            to,
            to_id,
            masters,
        })
    }

    /// Moves up to `batch` keys of the slot; how many moved (0 once none is
    /// left on the source).
    ///
    /// # Errors
    /// If a node refuses.
    pub fn move_keys(&self, batch: usize) -> Result<usize> {
        let keys = match self.from.try_query(&[
            "CLUSTER",
            "GETKEYSINSLOT",
            &self.slot.to_string(),
            &batch.to_string(),
        ])? {
            Reply::Array(keys) => keys,
            other => return Err(HarnessError::new(format!("GETKEYSINSLOT returned {other}"))),
        };
        if keys.is_empty() {
            return Ok(0);
        }
        let port = self.to.port().to_string();
        let mut args: Vec<Vec<u8>> = ["MIGRATE", HOST, &port, "", "0", "5000", "KEYS"]
            .iter()
            .map(|a| a.as_bytes().to_vec())
            .collect();
        for key in &keys {
            if let Reply::Bulk(k) = key {
                args.push(k.clone());
            }
        }
        match self.from.try_query(&args)? {
            Reply::Status(_) => Ok(keys.len()),
            other => Err(HarnessError::new(format!("MIGRATE returned {other}"))),
        }
    }

    /// Moves every remaining key, then makes `to` the owner on every
    /// master.
    ///
    /// # Errors
    /// If a node refuses.
    pub fn finish(self) -> Result<()> {
        while self.move_keys(100)? > 0 {}
        let s = self.slot.to_string();
        // The target first, then the source, then the others (as
        // redis-cli does), so the slot is never without an owner.
        ok(self.to, &["CLUSTER", "SETSLOT", &s, "NODE", &self.to_id])?;
        ok(self.from, &["CLUSTER", "SETSLOT", &s, "NODE", &self.to_id])?;
        for master in &self.masters {
            if master.port() != self.to.port() && master.port() != self.from.port() {
                let _ = ok(master, &["CLUSTER", "SETSLOT", &s, "NODE", &self.to_id]);
            }
        }
        Ok(())
    }
}
