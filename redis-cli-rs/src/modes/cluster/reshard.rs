//! `--cluster reshard` and `--cluster rebalance`
//! (`clusterManagerCommandReshard`, `clusterManagerCommandRebalance`,
//! `clusterManagerComputeReshardTable`).

use std::io::Write;

use super::node::Node;
use super::slots::{OPT_QUIET, OPT_UPDATE, OPT_VERBOSE};
use super::{host_from_args, Manager, INVALID_HOST_ARG, SLOTS};

/// `(source node, slot)` pairs: the slots to move, taken from the
/// sources in proportion to what they serve (the biggest first, rounded
/// up; the others rounded down).
fn reshard_table(m: &Manager<'_>, sources: &[usize], numslots: i64) -> Vec<(usize, usize)> {
    let total: i64 = sources.iter().map(|&s| m.nodes[s].slots_count).sum();
    let mut sorted = sources.to_vec();
    // glibc's qsort is a merge sort: stable.
    sorted.sort_by(|&a, &b| m.nodes[b].slots_count.cmp(&m.nodes[a].slots_count));
    let mut moved = Vec::new();
    for (i, &node) in sorted.iter().enumerate() {
        let share = numslots as f32 / total as f32 * m.nodes[node].slots_count as f32;
        let share = if i == 0 { share.ceil() } else { share.floor() };
        let max = share as i32 as i64;
        let mut count = 0;
        for slot in 0..SLOTS {
            if !m.nodes[node].slots[slot] {
                continue;
            }
            if count >= max || moved.len() as i64 >= numslots {
                break;
            }
            moved.push((node, slot));
            count += 1;
        }
    }
    moved
}

/// One line typed at a prompt (read a byte at a time, so that what
/// follows stays for the next prompt); `None` at the end of input.
fn read_line() -> Option<String> {
    let mut line = Vec::new();
    loop {
        let byte = super::read_stdin(1);
        match byte.first() {
            None if line.is_empty() => return None,
            None | Some(b'\n') => break,
            Some(&b) => line.push(b),
        }
    }
    Some(String::from_utf8_lossy(&line).into_owned())
}

/// Prints `prompt` and reads the answer; at the end of input the run
/// stops (exit code 1), where `redis-cli` 7.0 asks again for ever.
fn ask(prompt: &str) -> String {
    print!("{prompt}");
    let _ = std::io::stdout().flush();
    match read_line() {
        Some(line) => line,
        None => {
            println!();
            std::process::exit(1);
        }
    }
}

impl Manager<'_> {
    /// `clusterNodeForResharding`: a known master other than `target`.
    /// `Err(true)` when unknown (an error), `Err(false)` for the target.
    fn node_for_resharding(&self, id: &str, target: Option<usize>) -> Result<usize, bool> {
        let node = self.node_by_name(id);
        match node {
            Some(n) if !self.nodes[n].is_slave() => {
                if let Some(t) = target {
                    if self.nodes[n].name == self.nodes[t].name {
                        self.err("*** It is not possible to use the target node as source node.\n");
                        return Err(false);
                    }
                }
                Ok(n)
            }
            _ => {
                self.err(&format!(
                    "*** The specified node ({id}) is not known or not a master, please retry.\n"
                ));
                Err(true)
            }
        }
    }
}

/// `--cluster reshard host:port`.
pub(super) fn reshard(m: &mut Manager<'_>, args: &[Vec<u8>]) -> bool {
    let Some((ip, port)) = host_from_args(args) else {
        eprint!("{INVALID_HOST_ARG}");
        return false;
    };
    if !m.load_from_node(Node::new(ip, port, 0)) {
        return false;
    }
    m.check_cluster(false);
    if !m.errors.is_empty() {
        let _ = std::io::stdout().flush();
        eprintln!("*** Please fix your cluster problems before resharding");
        return false;
    }
    // Only a missing (or zero) --cluster-slots is asked for; a number out
    // of range given on the command line is used as it is (a negative one
    // moves nothing, a bigger one every slot of the sources).
    let mut slots = m.cmd.slots;
    if slots == 0 {
        while slots <= 0 || slots > SLOTS as i64 {
            let answer = ask(&format!(
                "How many slots do you want to move (from 1 to {SLOTS})? "
            ));
            let answer: String = answer.chars().take(5).collect();
            slots = crate::options::atoi(answer.as_bytes()) as i32 as i64;
        }
    }
    let to = match m.cmd.to.clone() {
        Some(to) => to,
        None => loop {
            let answer = ask("What is the receiving node ID? ");
            if !answer.is_empty() {
                break answer;
            }
        },
    };
    let Ok(target) = m.node_for_resharding(&to, None) else {
        return false;
    };
    let mut sources = Vec::new();
    let mut all = false;
    match m.cmd.from.clone() {
        None => {
            println!("Please enter all the source node IDs.");
            println!("  Type 'all' to use all the nodes as source nodes for the hash slots.");
            println!("  Type 'done' once you entered all the source nodes IDs.");
            loop {
                let answer = ask(&format!("Source node #{}: ", sources.len() + 1));
                match answer.as_str() {
                    "done" => break,
                    "all" => {
                        all = true;
                        break;
                    }
                    id => match m.node_for_resharding(id, Some(target)) {
                        Ok(src) => sources.push(src),
                        Err(true) => return false,
                        Err(false) => {}
                    },
                }
            }
        }
        Some(from) => {
            let pieces: Vec<&str> = from.split(',').collect();
            for (i, &id) in pieces.iter().enumerate() {
                if id == "all" {
                    all = true;
                    break;
                }
                // After the last comma, nothing is nothing.
                if id.is_empty() && i + 1 == pieces.len() {
                    continue;
                }
                match m.node_for_resharding(id, Some(target)) {
                    Ok(src) => sources.push(src),
                    Err(true) => return false,
                    Err(false) => {}
                }
            }
        }
    }
    if all {
        sources = (0..m.nodes.len())
            .filter(|&n| {
                let node = &m.nodes[n];
                !node.is_slave() && node.replicate.is_none() && node.name != m.nodes[target].name
            })
            .collect();
    }
    if sources.is_empty() {
        eprintln!("*** No source nodes given, operation aborted.");
        return false;
    }
    println!("\nReady to move {slots} slots.");
    println!("  Source nodes:");
    for &src in &sources {
        println!("{}", m.nodes[src].describe(4));
    }
    println!("  Destination node:");
    println!("{}", m.nodes[target].describe(4));
    let table = reshard_table(m, &sources, slots);
    println!("  Resharding plan:");
    for &(source, slot) in &table {
        println!(
            "    Moving slot {slot} from {}",
            m.nodes[source].name.as_deref().unwrap_or("")
        );
    }
    if !m.cmd.yes {
        print!("Do you want to proceed with the proposed reshard plan (yes/no)? ");
        let _ = std::io::stdout().flush();
        let answer = super::read_stdin(4);
        if answer.len() < 3 || &answer[..3] != b"yes" {
            return false;
        }
    }
    for &(source, slot) in &table {
        if let Err(e) = m.move_slot(source, target, slot, OPT_VERBOSE, true) {
            if let Some(e) = e {
                m.err(&format!("clusterManagerMoveSlot failed: {e}\n"));
            }
            return false;
        }
    }
    true
}

/// `--cluster rebalance host:port`.
pub(super) fn rebalance(m: &mut Manager<'_>, args: &[Vec<u8>]) -> bool {
    let Some((ip, port)) = host_from_args(args) else {
        eprint!("{INVALID_HOST_ARG}");
        return false;
    };
    if !m.load_from_node(Node::new(ip, port, 0)) {
        return false;
    }
    for weight in m.cmd.weights.clone() {
        let Some((name, w)) = weight.split_once('=') else {
            m.err(&format!("*** invalid input {weight}\n"));
            return false;
        };
        let Some(n) = m.node_by_abbreviated_name(name) else {
            m.err(&format!("*** No such master node {name}\n"));
            return false;
        };
        m.nodes[n].weight = crate::options::atof(w.as_bytes()) as f32;
    }
    let use_empty = m.cmd.use_empty_masters;
    let mut total_weight: f32 = 0.0;
    let mut involved = Vec::new();
    for n in 0..m.nodes.len() {
        let node = &mut m.nodes[n];
        if node.is_slave() || node.replicate.is_some() {
            continue;
        }
        if !use_empty && node.slots_count == 0 {
            node.weight = 0.0;
            continue;
        }
        total_weight += node.weight;
        involved.push(n);
    }
    m.check_cluster(true);
    if !m.errors.is_empty() {
        m.err("*** Please fix your cluster problems before rebalancing\n");
        return false;
    }
    let threshold = m.cmd.threshold as f32;
    let mut threshold_reached = false;
    let mut total_balance: i64 = 0;
    for &n in &involved {
        let node = &mut m.nodes[n];
        let expected = ((SLOTS as f32 / total_weight) * node.weight) as i32 as i64;
        node.balance = node.slots_count - expected;
        total_balance += node.balance;
        let over = threshold > 0.0
            && if node.slots_count > 0 {
                let err =
                    (100.0 - (100.0 * expected as f64 / node.slots_count as f64)).abs() as f32;
                err > threshold
            } else {
                expected > 1
            };
        if over {
            threshold_reached = true;
        }
    }
    if !threshold_reached {
        m.warn(&format!(
            "*** No rebalancing needed! All nodes are within the {:.2}% threshold.\n",
            f64::from(threshold)
        ));
        return true;
    }
    while total_balance > 0 {
        for &n in &involved {
            if m.nodes[n].balance <= 0 && total_balance > 0 {
                m.nodes[n].balance -= 1;
                total_balance -= 1;
            }
        }
    }
    let mut weighted = involved.clone();
    weighted.sort_by_key(|&n| m.nodes[n].balance);
    m.info(&format!(
        ">>> Rebalancing across {} nodes. Total weight = {:.2}\n",
        involved.len(),
        f64::from(total_weight)
    ));
    if m.opts.verbose {
        for &n in &weighted {
            let node = &m.nodes[n];
            println!(
                "{}:{} balance is {} slots",
                node.ip, node.port, node.balance
            );
        }
    }
    let simulate = m.cmd.simulate;
    let mut dst_idx = 0;
    let mut src_idx = weighted.len().saturating_sub(1);
    while dst_idx < src_idx {
        let (dst, src) = (weighted[dst_idx], weighted[src_idx]);
        let numslots = m.nodes[dst].balance.abs().min(m.nodes[src].balance.abs());
        if numslots > 0 {
            let (s, d) = (&m.nodes[src], &m.nodes[dst]);
            println!(
                "Moving {numslots} slots from {}:{} to {}:{}",
                s.ip, s.port, d.ip, d.port
            );
            let table = reshard_table(m, &[src], numslots);
            if table.len() as i64 != numslots {
                m.err("*** Assertion failed: Reshard table != number of slots");
                return false;
            }
            if simulate {
                print!("{}", "#".repeat(table.len()));
            } else {
                for &(source, slot) in &table {
                    if let Err(e) = m.move_slot(source, dst, slot, OPT_QUIET | OPT_UPDATE, true) {
                        m.err(&format!(
                            "*** clusterManagerMoveSlot: {}\n",
                            e.as_deref().unwrap_or("(null)")
                        ));
                        return false;
                    }
                    print!("#");
                    let _ = std::io::stdout().flush();
                }
            }
            println!();
        }
        m.nodes[dst].balance += numslots;
        m.nodes[src].balance -= numslots;
        if m.nodes[dst].balance == 0 {
            dst_idx += 1;
        }
        if m.nodes[src].balance == 0 {
            src_idx = src_idx.saturating_sub(1);
        }
    }
    true
}
