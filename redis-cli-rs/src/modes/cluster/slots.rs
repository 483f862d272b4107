//! Slot states and moving keys: `CLUSTER SETSLOT`, `ADDSLOTS`,
//! `DELSLOTS`, `MIGRATE`, as `redis-cli`'s `clusterManagerSetSlot`,
//! `clusterManagerMoveSlot` and their helpers do them.

use std::io::Write;

use resp_core::{Frame, OwnedFrame};

use super::{argv, c_str, error_text, Manager};

/// `clusterManagerMoveSlot` options.
pub(crate) const OPT_COLD: u32 = 1 << 1;
pub(crate) const OPT_UPDATE: u32 = 1 << 2;
pub(crate) const OPT_QUIET: u32 = 1 << 6;
pub(crate) const OPT_VERBOSE: u32 = 1 << 7;

/// How a step failed: `Some(text)` when the caller asked for the error
/// (it prints it), `None` when it was printed already or there is
/// nothing to print.
pub(crate) type Failed = Option<String>;

impl Manager<'_> {
    /// `clusterManagerCheckRedisReply`: the reply, or why not. An error
    /// reply is handed back when `capture`, else printed.
    pub(crate) fn check_reply(
        &self,
        i: usize,
        reply: Option<OwnedFrame>,
        capture: bool,
    ) -> Result<OwnedFrame, Failed> {
        let reply = reply.ok_or(None)?;
        match error_text(&reply) {
            Some(e) if capture => Err(Some(e)),
            Some(e) => {
                self.reply_error(i, &e);
                Err(None)
            }
            None => Ok(reply),
        }
    }

    /// Sends `argv` to node `i` and checks the reply (errors printed).
    pub(crate) fn run_checked(&mut self, i: usize, args: &[Vec<u8>]) -> bool {
        let reply = self.command(i, args);
        self.check_reply(i, reply, false).is_ok()
    }

    /// `clusterManagerSetSlot`: `CLUSTER SETSLOT slot status <id of b>` on
    /// node `a`.
    pub(crate) fn set_slot(
        &mut self,
        a: usize,
        b: usize,
        slot: usize,
        status: &str,
        capture: bool,
    ) -> Result<(), Failed> {
        let name = self.nodes[b].name.clone().unwrap_or_default();
        let reply = self.command(
            a,
            &argv(&["CLUSTER", "SETSLOT", &slot.to_string(), status, &name]),
        );
        let Some(reply) = reply else {
            return Err(capture.then(|| "CLUSTER SETSLOT failed to run".to_string()));
        };
        match error_text(&reply) {
            Some(e) if capture => Err(Some(e)),
            Some(e) => {
                self.reply_error(a, &e);
                Err(None)
            }
            None => Ok(()),
        }
    }

    /// `clusterManagerClearSlotStatus`: `CLUSTER SETSLOT slot STABLE`.
    pub(crate) fn clear_slot_status(&mut self, i: usize, slot: usize) -> bool {
        self.run_checked(
            i,
            &argv(&["CLUSTER", "SETSLOT", &slot.to_string(), "STABLE"]),
        )
    }

    /// `clusterManagerDelSlot`: `CLUSTER DELSLOTS`; with
    /// `ignore_unassigned`, a slot nobody serves is fine.
    pub(crate) fn del_slot(&mut self, i: usize, slot: usize, ignore_unassigned: bool) -> bool {
        let reply = self.command(i, &argv(&["CLUSTER", "DELSLOTS", &slot.to_string()]));
        let err = match reply.as_ref() {
            None => return false,
            Some(r) => match error_text(r) {
                None => return true,
                Some(e) => e,
            },
        };
        if ignore_unassigned {
            match self.slot_owner(i, slot) {
                (None, None) => return true,
                (None, Some(owner_err)) => self.reply_error(i, &owner_err),
                (Some(_), _) => {}
            }
        }
        self.reply_error(i, &err);
        false
    }

    /// `clusterManagerCountKeysInSlot`: -1 on failure.
    pub(crate) fn count_keys_in_slot(&mut self, i: usize, slot: usize) -> i64 {
        let reply = self.command(i, &argv(&["CLUSTER", "COUNTKEYSINSLOT", &slot.to_string()]));
        match self.check_reply(i, reply, false) {
            Ok(Frame::Integer(n)) => n as i32 as i64,
            _ => -1,
        }
    }

    /// `clusterManagerGetSlotOwner`: who serves `slot` according to node
    /// `i`'s `CLUSTER SLOTS` (by ID, else by address), and the error
    /// reply's text if there was one.
    pub(crate) fn slot_owner(&mut self, i: usize, slot: usize) -> (Option<usize>, Option<String>) {
        let reply = self.command(i, &argv(&["CLUSTER", "SLOTS"]));
        let reply = match self.check_reply(i, reply, true) {
            Ok(reply) => reply,
            Err(e) => return (None, e),
        };
        let Frame::Array(ranges) = crate::format::plain(&reply) else {
            return (None, None);
        };
        for range in ranges {
            let Frame::Array(items) = range else {
                continue;
            };
            let (Some(Frame::Integer(from)), Some(Frame::Integer(to))) =
                (items.first(), items.get(1))
            else {
                continue;
            };
            if (slot as i64) < *from || (slot as i64) > *to {
                continue;
            }
            let Some(Frame::Array(node)) = items.get(2) else {
                continue;
            };
            let owner = match node.get(2) {
                Some(Frame::Bulk(name) | Frame::Simple(name)) => self.node_by_name(&c_str(name)),
                _ => {
                    let ip = match node.first() {
                        Some(Frame::Bulk(ip) | Frame::Simple(ip)) => c_str(ip),
                        _ => String::new(),
                    };
                    let port = match node.get(1) {
                        Some(Frame::Integer(p)) => *p,
                        _ => 0,
                    };
                    self.nodes.iter().position(|n| n.ip == ip && n.port == port)
                }
            };
            if owner.is_some() {
                return (owner, None);
            }
        }
        (None, None)
    }

    /// `clusterManagerSetSlotOwner`: in one transaction on node `owner`,
    /// `DELSLOTS`, `ADDSLOTS`, optionally `SETSLOT STABLE`, `BUMPEPOCH`;
    /// only a failed `ADDSLOTS` counts.
    pub(crate) fn set_slot_owner(&mut self, owner: usize, slot: usize, clear: bool) -> bool {
        if !self.run_checked(owner, &argv(&["MULTI"])) {
            return false;
        }
        let s = slot.to_string();
        let _ = self.command(owner, &argv(&["CLUSTER", "DELSLOTS", &s]));
        let _ = self.command(owner, &argv(&["CLUSTER", "ADDSLOTS", &s]));
        if clear {
            let _ = self.command(owner, &argv(&["CLUSTER", "SETSLOT", &s, "STABLE"]));
        }
        let _ = self.command(owner, &argv(&["CLUSTER", "BUMPEPOCH"]));
        let reply = self.command(owner, &argv(&["EXEC"]));
        let Ok(reply) = self.check_reply(owner, reply, false) else {
            return false;
        };
        let Frame::Array(items) = crate::format::plain(&reply) else {
            return false;
        };
        for (index, item) in items.iter().enumerate() {
            if let Some(e) = error_text(item) {
                // Only ADDSLOTS (the second command) failing matters.
                if index == 1 {
                    self.reply_error(owner, &e);
                    return false;
                }
            }
        }
        true
    }

    /// `clusterManagerAddSlots`: `CLUSTER ADDSLOTS` with every slot node
    /// `i` is to serve. `Err` with an error reply's text.
    pub(crate) fn add_slots(&mut self, i: usize) -> Result<bool, String> {
        let mut args = argv(&["CLUSTER", "ADDSLOTS"]);
        let node = &self.nodes[i];
        args.extend(
            (0..super::SLOTS)
                .filter(|&s| node.slots[s])
                .take(usize::try_from(node.slots_count).unwrap_or(0))
                .map(|s| s.to_string().into_bytes()),
        );
        if args.len() == 2 {
            return Ok(false);
        }
        match self.command(i, &args) {
            None => Ok(false),
            Some(reply) => match error_text(&reply) {
                Some(e) => Err(e),
                None => Ok(true),
            },
        }
    }

    /// `clusterManagerFlushNodeConfig`: a replica is told whom to
    /// replicate, a master which slots to serve. `Err` with an error
    /// reply's text; a replica that fails stays dirty (it may not know
    /// its master yet).
    pub(crate) fn flush_node_config(&mut self, i: usize) -> Result<bool, String> {
        if !self.nodes[i].dirty {
            return Ok(false);
        }
        if let Some(master) = self.nodes[i].replicate.clone() {
            let reply = self.command(i, &argv(&["CLUSTER", "REPLICATE", &master]));
            match reply {
                None => return Ok(false),
                Some(r) => {
                    if let Some(e) = error_text(&r) {
                        return Err(e);
                    }
                }
            }
            self.nodes[i].dirty = false;
            Ok(true)
        } else {
            let added = self.add_slots(i);
            self.nodes[i].dirty = false;
            added
        }
    }

    /// `clusterManagerCompareKeysValues`: the keys whose values differ
    /// between nodes `a` and `b` (`DEBUG DIGEST-VALUE`); `None` when a
    /// node failed (errors printed).
    fn compare_keys_values(
        &mut self,
        a: usize,
        b: usize,
        keys: &[Vec<u8>],
    ) -> Option<Vec<Vec<u8>>> {
        let mut args = argv(&["DEBUG", "DIGEST-VALUE"]);
        args.extend(keys.iter().cloned());
        let r1 = self.command(a, &args)?;
        let r2 = self.command(b, &args)?;
        let (e1, e2) = (error_text(&r1), error_text(&r2));
        if let Some(e) = &e1 {
            self.reply_error(a, e);
        }
        if let Some(e) = &e2 {
            self.reply_error(b, e);
        }
        if e1.is_some() || e2.is_some() {
            return None;
        }
        let (Frame::Array(h1), Frame::Array(h2)) =
            (crate::format::plain(&r1), crate::format::plain(&r2))
        else {
            return None;
        };
        let zero = "0".repeat(40);
        let digest = |f: &OwnedFrame| match crate::format::plain(f) {
            Frame::Bulk(s) | Frame::Simple(s) => c_str(s),
            _ => String::new(),
        };
        let mut diffs = Vec::new();
        for ((key, x), y) in keys.iter().zip(h1).zip(h2) {
            let (x, y) = (digest(x), digest(y));
            if x == zero || y == zero {
                continue;
            }
            if x != y {
                diffs.push(key.clone());
            }
        }
        Some(diffs)
    }

    /// `clusterManagerMigrateKeysInReply`: `MIGRATE` of `keys` from
    /// `source` to `target`, with the command line's credentials.
    fn migrate_keys(
        &mut self,
        source: usize,
        target: usize,
        keys: &[Vec<u8>],
        replace: bool,
    ) -> Option<OwnedFrame> {
        let t = &self.nodes[target];
        let mut args = argv(&[
            "MIGRATE",
            &t.ip,
            &t.port.to_string(),
            "",
            "0",
            &(self.cmd.timeout as i32).to_string(),
        ]);
        if replace {
            args.push(b"REPLACE".to_vec());
        }
        if let Some(password) = &self.opts.password {
            match &self.opts.user {
                Some(user) => {
                    args.push(b"AUTH2".to_vec());
                    args.push(user.clone());
                }
                None => args.push(b"AUTH".to_vec()),
            }
            args.push(password.clone());
        }
        args.push(b"KEYS".to_vec());
        args.extend(keys.iter().cloned());
        self.command(source, &args)
    }

    /// `clusterManagerMigrateKeysInSlot`: moves every key of `slot` from
    /// `source` to `target`, `--cluster-pipeline` keys at a time, a dot a
    /// key when `verbose`. Keys that exist on both sides are replaced when
    /// their values are equal (or with `--cluster-replace`).
    fn migrate_keys_in_slot(
        &mut self,
        source: usize,
        target: usize,
        slot: usize,
        verbose: bool,
        capture: bool,
    ) -> Result<(), Failed> {
        let pipeline = (self.cmd.pipeline as i32).to_string();
        loop {
            let reply = self.command(
                source,
                &argv(&["CLUSTER", "GETKEYSINSLOT", &slot.to_string(), &pipeline]),
            );
            let reply = reply.ok_or(None)?;
            if let Some(e) = error_text(&reply) {
                if capture {
                    self.reply_error(source, &e);
                    return Err(Some(e));
                }
                return Err(None);
            }
            let keys: Vec<Vec<u8>> = match crate::format::plain(&reply) {
                Frame::Array(items) => items
                    .iter()
                    .map(|k| match crate::format::plain(k) {
                        Frame::Bulk(b) | Frame::Simple(b) => b.to_vec(),
                        _ => Vec::new(),
                    })
                    .collect(),
                _ => Vec::new(),
            };
            if keys.is_empty() {
                return Ok(());
            }
            let Some(migrated) = self.migrate_keys(source, target, &keys, false) else {
                continue;
            };
            if let Some(e) = error_text(&migrated) {
                self.migrate_failed(source, target, slot, &keys, &e, capture)?;
            }
            if verbose {
                print!("{}", ".".repeat(keys.len()));
                let _ = std::io::stdout().flush();
            }
        }
    }

    /// What `clusterManagerMigrateKeysInSlot` does when `MIGRATE` fails:
    /// a key that exists on the target (`BUSYKEY`) is compared and
    /// replaced, a slot nobody serves is given to the target (`fix`).
    fn migrate_failed(
        &mut self,
        source: usize,
        target: usize,
        slot: usize,
        keys: &[Vec<u8>],
        error: &str,
        capture: bool,
    ) -> Result<(), Failed> {
        let is_busy = error.contains("BUSYKEY");
        let mut not_served = false;
        if !is_busy {
            match self.slot_owner(source, slot) {
                (None, None) => not_served = true,
                (None, Some(e)) => self.reply_error(source, &e),
                _ => {}
            }
        }
        if !is_busy && !not_served {
            println!();
            self.reply_error(source, error);
            return Err(capture.then(|| error.to_string()));
        }
        if self.fix && not_served {
            let t = &self.nodes[target];
            self.warn(&format!(
                "*** Slot was not served, setting owner to node {}:{}.\n",
                t.ip, t.port
            ));
            let _ = self.set_slot(source, target, slot, "node", false);
        }
        if is_busy {
            self.warn("\n*** Target key exists\n");
            if !self.cmd.replace {
                self.warn("*** Checking key values on both nodes...\n");
                let Some(diffs) = self.compare_keys_values(source, target, keys) else {
                    self.err("*** Value check failed!\n");
                    return Err(None);
                };
                if !diffs.is_empty() {
                    let (s, t) = (&self.nodes[source], &self.nodes[target]);
                    let mut text = format!(
                        "*** Found {} key(s) in both source node and target node having different values.\n    Source node: {}:{}\n    Target node: {}:{}\n    Keys(s):\n",
                        diffs.len(),
                        s.ip,
                        s.port,
                        t.ip,
                        t.port
                    );
                    self.err(&std::mem::take(&mut text));
                    for key in &diffs {
                        self.err(&format!("    - {}\n", c_str(key)));
                    }
                    self.err("Please fix the above key(s) manually and try again or relaunch the command \nwith --cluster-replace option to force key overriding.\n");
                    return Err(None);
                }
            }
            self.warn("*** Replacing target keys...\n");
        }
        let again = self.migrate_keys(source, target, keys, is_busy);
        match again {
            None => Err(None),
            Some(reply) => match error_text(&reply) {
                None => Ok(()),
                Some(e) => {
                    println!();
                    self.reply_error(source, &e);
                    Err(capture.then_some(e))
                }
            },
        }
    }

    /// `clusterManagerMoveSlot`: opens the slot on both nodes (unless
    /// `OPT_COLD`), migrates its keys, and gives it to the target, telling
    /// every master.
    pub(crate) fn move_slot(
        &mut self,
        source: usize,
        target: usize,
        slot: usize,
        opts: u32,
        capture: bool,
    ) -> Result<(), Failed> {
        if opts & OPT_QUIET == 0 {
            let (s, t) = (&self.nodes[source], &self.nodes[target]);
            print!(
                "Moving slot {slot} from {}:{} to {}:{}: ",
                s.ip, s.port, t.ip, t.port
            );
            let _ = std::io::stdout().flush();
        }
        let cold = opts & OPT_COLD != 0;
        if !cold {
            self.set_slot(target, source, slot, "importing", capture)?;
            self.set_slot(source, target, slot, "migrating", capture)?;
        }
        let migrated =
            self.migrate_keys_in_slot(source, target, slot, opts & OPT_VERBOSE != 0, capture);
        if opts & OPT_QUIET == 0 {
            println!();
        }
        migrated?;
        if !cold {
            self.set_slot(target, target, slot, "node", capture)?;
            // The source may have turned replica on losing its last slot.
            match self.set_slot(source, target, slot, "node", capture) {
                Err(Some(e)) if e.starts_with("ERR Please use SETSLOT only with masters.") => {}
                Err(Some(e)) => return Err(Some(e)),
                _ => {}
            }
            for n in 0..self.nodes.len() {
                if n == target || n == source || self.nodes[n].is_slave() {
                    continue;
                }
                self.set_slot(n, target, slot, "node", capture)?;
            }
        }
        if opts & OPT_UPDATE != 0 {
            self.nodes[source].slots[slot] = false;
            self.nodes[target].slots[slot] = true;
        }
        Ok(())
    }
}
