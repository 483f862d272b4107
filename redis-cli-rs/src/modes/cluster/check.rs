//! `clusterManagerCheckCluster` and what `fix` does with what it finds:
//! open slots (`clusterManagerFixOpenSlot`), uncovered slots
//! (`clusterManagerFixSlotsCoverage`), slots with several owners
//! (`clusterManagerFixMultipleSlotOwners`).

use resp_core::Frame;

use super::node::slots_string;
use super::slots::{OPT_COLD, OPT_UPDATE, OPT_VERBOSE};
use super::{argv, confirm_with_yes, dict_order, Manager, SLOTS};

impl Manager<'_> {
    /// Checks the loaded cluster: agreement, open slots, coverage (and
    /// with `--cluster-search-multiple-owners`, slots with several
    /// owners); with `fix`, repairs. True when healthy (or fixed).
    pub(crate) fn check_cluster(&mut self, quiet: bool) -> bool {
        let Some(first) = self.nodes.first() else {
            return false;
        };
        let (ip, port) = (first.ip.clone(), first.port);
        self.info(&format!(
            ">>> Performing Cluster Check (using node {ip}:{port})\n"
        ));
        let mut result = true;
        if !quiet {
            self.show_nodes();
        }
        if !self.is_config_consistent() {
            self.on_error("[ERR] Nodes don't agree about configuration!".into());
            result = false;
        } else {
            self.ok("[OK] All nodes agree about slots configuration.\n");
        }
        self.info(">>> Check for open slots...\n");
        // The open slots, in the order redis-cli puts them in its dict.
        let mut open: Vec<String> = Vec::new();
        for i in 0..self.nodes.len() {
            for (list, state) in [
                (self.nodes[i].migrating.clone(), "migrating"),
                (self.nodes[i].importing.clone(), "importing"),
            ] {
                if list.is_empty() {
                    continue;
                }
                let n = &self.nodes[i];
                let slots: Vec<&str> = list.iter().map(|(s, _)| s.as_str()).collect();
                open.extend(slots.iter().map(|s| s.to_string()));
                let err = format!(
                    "[WARNING] Node {}:{} has slots in {state} state {}.",
                    n.ip,
                    n.port,
                    slots.join(",")
                );
                self.on_error(err);
            }
        }
        if !open.is_empty() {
            result = false;
            let slots: Vec<String> = dict_order::order(&open)
                .into_iter()
                .map(|k| open[k].clone())
                .collect();
            self.err(&format!(
                "[WARNING] The following slots are open: {}.\n",
                slots.join(",")
            ));
            if self.fix {
                for slot in &slots {
                    result = self.fix_open_slot(super::node::atol(slot) as usize);
                    if !result {
                        break;
                    }
                }
            }
        }
        self.info(">>> Check slots coverage...\n");
        let mut covered = vec![false; SLOTS];
        let mut total = 0;
        for node in &self.nodes {
            for (slot, has) in node.slots.iter().enumerate() {
                if *has && !covered[slot] {
                    covered[slot] = true;
                    total += 1;
                }
            }
        }
        if total == SLOTS {
            self.ok(&format!("[OK] All {SLOTS} slots covered.\n"));
        } else {
            self.on_error(format!(
                "[ERR] Not all {SLOTS} slots are covered by nodes.\n"
            ));
            result = false;
            if self.fix && self.fix_slots_coverage(&covered) > 0 {
                result = true;
            }
        }
        if self.cmd.search_multiple_owners {
            self.info(">>> Check for multiple slot owners...\n");
            let mut with_many = 0;
            for slot in 0..SLOTS {
                let mut owners = Vec::new();
                for i in 0..self.nodes.len() {
                    if self.nodes[i].is_slave() {
                        continue;
                    }
                    if self.nodes[i].slots[slot] || self.count_keys_in_slot(i, slot) > 0 {
                        owners.push(i);
                    }
                }
                if owners.len() <= 1 {
                    continue;
                }
                result = false;
                self.err(&format!(
                    "[WARNING] Slot {slot} has {} owners:\n",
                    owners.len()
                ));
                for &o in &owners {
                    let n = &self.nodes[o];
                    self.err(&format!("    {}:{}\n", n.ip, n.port));
                }
                with_many += 1;
                if self.fix {
                    result = self.fix_multiple_owners(slot, &owners);
                    if !result {
                        self.err(&format!("Failed to fix multiple owners for slot {slot}\n"));
                        break;
                    }
                    with_many -= 1;
                }
            }
            if with_many == 0 {
                self.ok("[OK] No multiple owners found.\n");
            }
        }
        result
    }

    /// `clusterManagerGetNodeWithMostKeysInSlot`, among the masters of
    /// `nodes`; `None` when one fails (its error printed).
    fn most_keys_in_slot(&mut self, nodes: &[usize], slot: usize) -> Option<usize> {
        let mut best: Option<(usize, i64)> = None;
        for &n in nodes {
            if self.nodes[n].is_slave() || self.nodes[n].replicate.is_some() {
                continue;
            }
            let reply = self.command(n, &argv(&["CLUSTER", "COUNTKEYSINSLOT", &slot.to_string()]));
            let count = match self.check_reply(n, reply, false) {
                Ok(Frame::Integer(c)) => c,
                Ok(_) => 0,
                Err(_) => return None,
            };
            if best.is_none_or(|(_, most)| count > most) {
                best = Some((n, count));
            }
        }
        best.map(|(n, _)| n)
    }

    /// `clusterManagerNodeWithLeastReplicas`: the first master with the
    /// fewest replicas.
    pub(crate) fn node_with_least_replicas(&self) -> Option<usize> {
        let mut best: Option<usize> = None;
        for (i, n) in self.nodes.iter().enumerate() {
            if n.is_slave() {
                continue;
            }
            if best.is_none_or(|b| n.replicas_count < self.nodes[b].replicas_count) {
                best = Some(i);
            }
        }
        best
    }

    /// `clusterManagerNodeMasterRandom`.
    /// A random master; `None` when none is known (redis-cli aborts on an
    /// assertion there).
    fn random_master(&self) -> Option<usize> {
        let masters: Vec<usize> = (0..self.nodes.len())
            .filter(|&i| !self.nodes[i].is_slave())
            .collect();
        (!masters.is_empty()).then(|| masters[super::random_below(masters.len())])
    }

    /// The warning and exit when masters are unreachable and
    /// `--cluster-fix-with-unreachable-masters` was not given.
    fn refuse_with_unreachable_masters(&self, what: &str) {
        if self.unreachable_masters > 0 && !self.cmd.fix_with_unreachable_masters {
            self.warn(&format!(
                "*** Fixing {what} with {} unreachable masters is dangerous: redis-cli will assume that slots about masters that are not reachable are not covered, and will try to reassign them to the reachable nodes. This can cause data loss and is rarely what you want to do. If you really want to proceed use the --cluster-fix-with-unreachable-masters option.\n",
                self.unreachable_masters
            ));
            let _ = std::io::Write::flush(&mut std::io::stdout());
            std::process::exit(1);
        }
    }

    /// `clusterManagerFixSlotsCoverage`: gives every uncovered slot an
    /// owner, asking first (even with `--cluster-yes`). The number of
    /// slots fixed, or -1.
    fn fix_slots_coverage(&mut self, covered: &[bool]) -> i64 {
        self.refuse_with_unreachable_masters("slots coverage");
        self.info(">>> Fixing slots coverage...\n");
        let mut uncovered: Vec<(usize, Vec<usize>)> = Vec::new();
        for slot in (0..SLOTS).filter(|&s| !covered[s]) {
            let mut holders = Vec::new();
            for n in 0..self.nodes.len() {
                if self.nodes[n].is_slave() || self.nodes[n].replicate.is_some() {
                    continue;
                }
                let reply = self.command(
                    n,
                    &argv(&["CLUSTER", "GETKEYSINSLOT", &slot.to_string(), "1"]),
                );
                match self.check_reply(n, reply, false) {
                    Ok(Frame::Array(keys)) if !keys.is_empty() => holders.push(n),
                    Ok(_) => {}
                    Err(_) => return -1,
                }
            }
            uncovered.push((slot, holders));
        }
        let order = dict_order::order(uncovered.iter().map(|(s, _)| s.to_string().into_bytes()));
        let (mut none, mut single, mut multi) = (Vec::new(), Vec::new(), Vec::new());
        for &k in &order {
            let (slot, holders) = &uncovered[k];
            match holders.len() {
                0 => none.push(*slot),
                1 => single.push((*slot, holders[0])),
                _ => multi.push((*slot, holders.clone())),
            }
        }
        let mut fixed = 0;
        let list = |slots: &mut dyn Iterator<Item = usize>| {
            let mut bitmap = vec![false; SLOTS];
            slots.for_each(|s| bitmap[s] = true);
            println!("{}", slots_string(&bitmap));
        };
        if !none.is_empty() {
            println!("The following uncovered slots have no keys across the cluster:");
            list(&mut none.iter().copied());
            if confirm_with_yes(
                self,
                "Fix these slots by covering with a random node?",
                true,
            ) {
                for &slot in &none {
                    let Some(n) = self.random_master() else {
                        self.err(&format!(
                            "[ERR] No reachable master to cover slot {slot} with\n"
                        ));
                        return -1;
                    };
                    let (ip, port) = (self.nodes[n].ip.clone(), self.nodes[n].port);
                    self.info(&format!(">>> Covering slot {slot} with {ip}:{port}\n"));
                    if !self.set_slot_owner(n, slot, false) {
                        return -1;
                    }
                    self.nodes[n].slots[slot] = true;
                    fixed += 1;
                }
            }
        }
        if !single.is_empty() {
            println!("The following uncovered slots have keys in just one node:");
            list(&mut single.iter().map(|(s, _)| *s));
            if confirm_with_yes(self, "Fix these slots by covering with those nodes?", true) {
                for &(slot, n) in &single {
                    let (ip, port) = (self.nodes[n].ip.clone(), self.nodes[n].port);
                    self.info(&format!(">>> Covering slot {slot} with {ip}:{port}\n"));
                    if !self.set_slot_owner(n, slot, false) {
                        return -1;
                    }
                    self.nodes[n].slots[slot] = true;
                    fixed += 1;
                }
            }
        }
        if !multi.is_empty() {
            println!("The following uncovered slots have keys in multiple nodes:");
            list(&mut multi.iter().map(|(s, _)| *s));
            if confirm_with_yes(
                self,
                "Fix these slots by moving keys into a single node?",
                true,
            ) {
                for (slot, holders) in &multi {
                    let slot = *slot;
                    let Some(target) = self.most_keys_in_slot(holders, slot) else {
                        return -1;
                    };
                    let (ip, port) = (self.nodes[target].ip.clone(), self.nodes[target].port);
                    self.info(&format!(
                        ">>> Covering slot {slot} moving keys to {ip}:{port}\n"
                    ));
                    if !self.set_slot_owner(target, slot, true) {
                        return -1;
                    }
                    self.nodes[target].slots[slot] = true;
                    for &src in holders.iter().filter(|&&h| h != target) {
                        if self.set_slot(src, target, slot, "NODE", false).is_err()
                            || self
                                .set_slot(src, target, slot, "IMPORTING", false)
                                .is_err()
                            || self
                                .move_slot(src, target, slot, OPT_VERBOSE | OPT_COLD, false)
                                .is_err()
                            || !self.clear_slot_status(src, slot)
                        {
                            return -1;
                        }
                    }
                    fixed += 1;
                }
            }
        }
        fixed
    }

    /// `clusterManagerFixOpenSlot`: closes a slot left migrating or
    /// importing, moving its keys where it seems sensible.
    fn fix_open_slot(&mut self, slot: usize) -> bool {
        self.refuse_with_unreachable_masters("open slots");
        self.info(&format!(">>> Fixing open slot {slot}\n"));
        let addr = |m: &Manager<'_>, n: usize| format!("{}:{}", m.nodes[n].ip, m.nodes[n].port);
        let mut owners = Vec::new();
        for n in 0..self.nodes.len() {
            if self.nodes[n].is_slave() {
                continue;
            }
            if self.nodes[n].slots[slot] {
                owners.push(n);
                continue;
            }
            let reply = self.command(n, &argv(&["CLUSTER", "COUNTKEYSINSLOT", &slot.to_string()]));
            match self.check_reply(n, reply, false) {
                Ok(Frame::Integer(c)) if c > 0 => {
                    self.warn(&format!(
                        "*** Found keys about slot {slot} in non-owner node {}!\n",
                        addr(self, n)
                    ));
                    owners.push(n);
                }
                Ok(_) => {}
                Err(_) => return false,
            }
        }
        let mut owner = (owners.len() == 1).then(|| owners[0]);
        let (mut migrating, mut importing): (Vec<usize>, Vec<usize>) = (Vec::new(), Vec::new());
        let (mut migrating_str, mut importing_str) = (String::new(), String::new());
        let slot_text = slot.to_string();
        let is_slot = |s: &String| super::node::atol(s) == slot as i64;
        for n in 0..self.nodes.len() {
            if self.nodes[n].is_slave() {
                continue;
            }
            let mut is_migrating = false;
            let mut is_importing = false;
            if self.nodes[n].migrating.iter().any(|(s, _)| is_slot(s)) {
                let sep = if migrating.is_empty() { "" } else { "," };
                migrating_str.push_str(&format!("{sep}{}", addr(self, n)));
                migrating.push(n);
                is_migrating = true;
            }
            if !is_migrating && self.nodes[n].importing.iter().any(|(s, _)| is_slot(s)) {
                let sep = if importing.is_empty() { "" } else { "," };
                importing_str.push_str(&format!("{sep}{}", addr(self, n)));
                importing.push(n);
                is_importing = true;
            }
            if !is_migrating && !is_importing && Some(n) != owner {
                let reply = self.command(n, &argv(&["CLUSTER", "COUNTKEYSINSLOT", &slot_text]));
                match self.check_reply(n, reply, false) {
                    Ok(Frame::Integer(c)) if c > 0 => {
                        self.warn(&format!(
                            "*** Found keys about slot {slot} in node {}!\n",
                            addr(self, n)
                        ));
                        let sep = if importing.is_empty() { "" } else { "," };
                        importing_str.push_str(&format!("{sep}{}", addr(self, n)));
                        importing.push(n);
                    }
                    Ok(_) => {}
                    Err(_) => return false,
                }
            }
        }
        if !migrating_str.is_empty() {
            println!("Set as migrating in: {migrating_str}");
        }
        if !importing_str.is_empty() {
            println!("Set as importing in: {importing_str}");
        }
        if owner.is_none() {
            self.info(
                ">>> No single clear owner for the slot, selecting an owner by # of keys...\n",
            );
            let all: Vec<usize> = (0..self.nodes.len()).collect();
            let Some(o) = self.most_keys_in_slot(&all, slot) else {
                self.err("[ERR] Can't select a slot owner. Impossible to fix.\n");
                return false;
            };
            self.warn(&format!(
                "*** Configuring {} as the slot owner\n",
                addr(self, o)
            ));
            if !self.clear_slot_status(o, slot) || !self.set_slot_owner(o, slot, false) {
                return false;
            }
            self.nodes[o].slots[slot] = true;
            migrating.retain(|&n| n != o);
            importing.retain(|&n| n != o);
            owner = Some(o);
        }
        let Some(owner) = owner else {
            return false;
        };
        if owners.len() > 1 {
            for &n in owners.iter().filter(|&&n| n != owner) {
                if !self.del_slot(n, slot, true) {
                    return false;
                }
                self.nodes[n].slots[slot] = false;
                if self.set_slot(n, owner, slot, "node", false).is_err()
                    || self.set_slot(n, owner, slot, "importing", false).is_err()
                {
                    return false;
                }
                importing.retain(|&x| x != n);
                importing.push(n);
                migrating.retain(|&x| x != n);
            }
        }
        let move_opts = OPT_VERBOSE;
        if migrating.len() == 1 && importing.len() == 1 {
            let (src, dst) = (migrating[0], importing[0]);
            self.info(&format!(
                ">>> Case 1: Moving slot {slot} from {} to {}\n",
                addr(self, src),
                addr(self, dst)
            ));
            return self
                .move_slot(src, dst, slot, move_opts | OPT_UPDATE, false)
                .is_ok();
        }
        if migrating.is_empty() && !importing.is_empty() {
            self.info(&format!(
                ">>> Case 2: Moving all the {slot} slot keys to its owner {}\n",
                addr(self, owner)
            ));
            for &n in importing.iter().filter(|&&n| n != owner) {
                if self
                    .move_slot(n, owner, slot, move_opts | OPT_COLD, false)
                    .is_err()
                {
                    return false;
                }
                self.info(&format!(
                    ">>> Setting {slot} as STABLE in {}\n",
                    addr(self, n)
                ));
                if !self.clear_slot_status(n, slot) {
                    return false;
                }
            }
            for n in 0..self.nodes.len() {
                if n == owner || self.nodes[n].is_slave() {
                    continue;
                }
                if self.set_slot(n, owner, slot, "NODE", false).is_err() {
                    return false;
                }
            }
            return true;
        }
        if migrating.len() == 1 && importing.len() > 1 {
            let src = migrating[0];
            let target_id = self.nodes[src]
                .migrating
                .iter()
                .find(|(s, _)| is_slot(s))
                .map(|(_, id)| id.clone())
                .unwrap_or_default();
            let mut dst = None;
            let mut try_to_fix = true;
            for &n in &importing {
                if self.count_keys_in_slot(n, slot) > 0 {
                    try_to_fix = false;
                    break;
                }
                if self.nodes[n].name.as_deref() == Some(target_id.as_str()) {
                    dst = Some(n);
                }
            }
            if try_to_fix {
                if let Some(dst) = dst {
                    self.info(&format!(
                        ">>> Case 3: Moving slot {slot} from {} to {} and closing it on all the other importing nodes.\n",
                        addr(self, src),
                        addr(self, dst)
                    ));
                    if self.move_slot(src, dst, slot, move_opts, false).is_err() {
                        return false;
                    }
                    for &n in importing.iter().filter(|&&n| n != dst) {
                        if !self.clear_slot_status(n, slot) {
                            return false;
                        }
                    }
                } else {
                    self.info(&format!(
                        ">>> Case 3: Closing slot {slot} on both migrating and importing nodes.\n"
                    ));
                    if !self.clear_slot_status(src, slot) {
                        return false;
                    }
                    for &n in &importing {
                        if !self.clear_slot_status(n, slot) {
                            return false;
                        }
                    }
                }
                return true;
            }
        } else {
            let mut try_to_close = importing.is_empty() && migrating.len() == 1;
            if try_to_close && owner != migrating[0] {
                let n = migrating[0];
                let reply = self.command(n, &argv(&["CLUSTER", "GETKEYSINSLOT", &slot_text, "10"]));
                match self.check_reply(n, reply, false) {
                    Ok(Frame::Array(keys)) => try_to_close = keys.is_empty(),
                    Ok(_) => {}
                    Err(_) => return false,
                }
            }
            if try_to_close {
                let n = migrating[0];
                self.info(&format!(
                    ">>> Case 4: Closing slot {slot} on {}\n",
                    addr(self, n)
                ));
                return self.run_checked(n, &argv(&["CLUSTER", "SETSLOT", &slot_text, "STABLE"]));
            }
        }
        self.err(&format!(
            "[ERR] Sorry, redis-cli can't fix this slot yet (work in progress). Slot is set as migrating in {migrating_str}, as importing in {importing_str}, owner is {}\n",
            addr(self, owner)
        ));
        false
    }

    /// `clusterManagerFixMultipleSlotOwners`: the owner with the most
    /// keys keeps the slot; the others hand it and their keys over.
    fn fix_multiple_owners(&mut self, slot: usize, owners: &[usize]) -> bool {
        self.info(&format!(">>> Fixing multiple owners for slot {slot}...\n"));
        let owner = self.most_keys_in_slot(owners, slot).unwrap_or(owners[0]);
        let (ip, port) = (self.nodes[owner].ip.clone(), self.nodes[owner].port);
        self.info(&format!(">>> Setting slot {slot} owner: {ip}:{port}\n"));
        if !self.set_slot_owner(owner, slot, false) {
            return false;
        }
        let mut success = false;
        for n in 0..self.nodes.len() {
            if n == owner || self.nodes[n].is_slave() {
                continue;
            }
            let count = self.count_keys_in_slot(n, slot);
            success = count >= 0;
            if !success {
                break;
            }
            self.del_slot(n, slot, true);
            if self.set_slot(n, owner, slot, "node", false).is_err() {
                return false;
            }
            if count > 0 {
                success = self
                    .move_slot(n, owner, slot, OPT_VERBOSE | OPT_COLD, false)
                    .is_ok();
                if !success {
                    break;
                }
            }
        }
        success
    }
}
