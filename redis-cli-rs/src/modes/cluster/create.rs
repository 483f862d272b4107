//! `--cluster create`: `clusterManagerCommandCreate` and its replica
//! placement (`clusterManagerOptimizeAntiAffinity`).

use std::time::Duration;

use super::node::Node;
use rand::RngExt;

use super::{argv, confirm_with_yes, error_text, parse_address, seeded_rng, Level, Manager};

/// `--cluster create host1:port1 ... hostN:portN`.
pub(super) fn create(m: &mut Manager<'_>, args: &[Vec<u8>]) -> bool {
    let (opts, color) = (m.opts, m.cmd.color);
    for arg in args {
        let addr = String::from_utf8_lossy(arg).into_owned();
        let Some((ip, port, _)) = parse_address(&addr) else {
            eprintln!("Invalid address format: {addr}");
            return false;
        };
        let mut node = Node::new(ip, port, 0);
        if !node.connect(opts, color) {
            return false;
        }
        match node.is_cluster() {
            Ok(true) => {}
            Ok(false) => {
                m.not_cluster_error(&node, None);
                return false;
            }
            Err(e) => {
                m.not_cluster_error(&node, e.as_deref());
                return false;
            }
        }
        if let Err(e) = node.load_info(false) {
            if let Some(e) = e {
                m.err(&format!(
                    "Node {}:{} replied with error:\n{e}\n",
                    node.ip, node.port
                ));
            }
            return false;
        }
        match node.is_empty() {
            Ok(true) => {}
            Ok(false) => {
                m.not_empty_error(&node, None);
                return false;
            }
            Err(e) => {
                m.not_empty_error(&node, e.as_deref());
                return false;
            }
        }
        m.nodes.push(node);
    }
    let node_len = m.nodes.len();
    let replicas = m.cmd.replicas;
    // With -1 replicas redis-cli divides by zero (SIGFPE): no masters.
    let masters_count = (node_len as i64).checked_div(replicas + 1).unwrap_or(0);
    if masters_count < 3 {
        m.err(&format!(
            "*** ERROR: Invalid configuration for cluster creation.\n*** Redis Cluster requires at least 3 master nodes.\n*** This is not possible with {node_len} nodes and {replicas} replicas per node."
        ));
        m.err(&format!(
            "\n*** At least {} nodes are required.\n",
            3 * (replicas + 1)
        ));
        return false;
    }
    let masters_count = masters_count as usize;
    m.info(&format!(
        ">>> Performing hash slots allocation on {node_len} nodes...\n"
    ));
    // Nodes by IP, in order of first appearance, then interleaved.
    let mut ips: Vec<String> = Vec::new();
    let mut ip_nodes: Vec<Vec<usize>> = Vec::new();
    for (n, node) in m.nodes.iter().enumerate() {
        match ips.iter().position(|ip| *ip == node.ip) {
            Some(i) => ip_nodes[i].push(n),
            None => {
                ips.push(node.ip.clone());
                ip_nodes.push(vec![n]);
            }
        }
    }
    let mut interleaved: Vec<usize> = Vec::with_capacity(node_len);
    let mut cursors = vec![0usize; ips.len()];
    while interleaved.len() < node_len {
        for (i, group) in ip_nodes.iter().enumerate() {
            if cursors[i] < group.len() {
                interleaved.push(group[cursors[i]]);
                cursors[i] += 1;
            }
        }
    }
    let masters: Vec<usize> = interleaved[..masters_count].to_vec();
    let mut rest: Vec<Option<usize>> = interleaved[masters_count..]
        .iter()
        .map(|&n| Some(n))
        .collect();
    let slots_per_node = super::SLOTS as f32 / masters_count as f32;
    let mut first: i64 = 0;
    let mut cursor: f32 = 0.0;
    for (i, &master) in masters.iter().enumerate() {
        let mut last = (cursor + slots_per_node - 1.0).round() as i64;
        if last > super::SLOTS as i64 || i == masters_count - 1 {
            last = super::SLOTS as i64 - 1;
        }
        if last < first {
            last = first;
        }
        println!("Master[{i}] -> Slots {first} - {last}");
        let node = &mut m.nodes[master];
        node.slots_count = 0;
        for slot in first..=last {
            node.slots[slot as usize] = true;
            node.slots_count += 1;
        }
        node.dirty = true;
        first = last + 1;
        cursor += slots_per_node;
    }
    // Rotating the list sometimes helps the initial anti-affinity.
    if !rest.is_empty() {
        rest.rotate_left(1);
    }
    let mut start = 0;
    let mut available = rest.len();
    let mut assign_unused = false;
    loop {
        for &master in &masters {
            let mut assigned = 0;
            while assigned < replicas {
                if available == 0 {
                    break;
                }
                let master_ip = m.nodes[master].ip.clone();
                let mut found = None;
                let mut first_idx = None;
                for (j, entry) in rest.iter_mut().enumerate().skip(start) {
                    let Some(n) = *entry else {
                        continue;
                    };
                    if m.nodes[n].ip != master_ip {
                        found = Some(n);
                        *entry = None;
                        break;
                    }
                    if first_idx.is_none() {
                        first_idx = Some(j);
                    }
                }
                let slave = match (found, first_idx) {
                    (Some(n), _) => Some(n),
                    (None, Some(j)) => {
                        start = j + 1;
                        rest[j]
                    }
                    _ => None,
                };
                let Some(slave) = slave else {
                    break;
                };
                assigned += 1;
                available -= 1;
                m.nodes[slave].replicate = m.nodes[master].name.clone();
                m.nodes[slave].dirty = true;
                let (s, ma) = (&m.nodes[slave], &m.nodes[master]);
                println!(
                    "Adding replica {}:{} to {}:{}",
                    s.ip, s.port, ma.ip, ma.port
                );
                if assign_unused {
                    break;
                }
            }
        }
        if !assign_unused && available > 0 {
            assign_unused = true;
            println!("Adding extra replicas...");
            continue;
        }
        break;
    }
    optimize_anti_affinity(m, &ip_nodes);
    m.show_nodes();
    if !confirm_with_yes(m, "Can I set the above configuration?", false) {
        return true;
    }
    for n in 0..m.nodes.len() {
        let flushed = m.flush_node_config(n);
        let node = &m.nodes[n];
        if !matches!(flushed, Ok(true)) && node.dirty && node.replicate.is_none() {
            if let Err(e) = flushed {
                m.reply_error(n, &e);
            }
            return false;
        }
    }
    m.info(">>> Nodes configuration updated\n");
    m.info(">>> Assign a different config epoch to each node\n");
    for n in 0..m.nodes.len() {
        let _ = m.command(
            n,
            &argv(&["cluster", "set-config-epoch", &(n + 1).to_string()]),
        );
    }
    m.info(">>> Sending CLUSTER MEET messages to join the cluster\n");
    let (first_host, first_port, first_bus) =
        (m.nodes[0].ip.clone(), m.nodes[0].port, m.nodes[0].bus_port);
    let Some(first_ip) = super::resolve(&first_host) else {
        eprintln!("Invalid IP address or hostname specified: {first_host}");
        return false;
    };
    for n in 1..m.nodes.len() {
        let mut meet = argv(&["cluster", "meet", &first_ip, &first_port.to_string()]);
        if first_bus != 0 && first_bus != first_port + super::PORT_INCR {
            meet.push(first_bus.to_string().into_bytes());
        }
        match m.command(n, &meet) {
            Some(reply) => {
                if let Some(e) = error_text(&reply) {
                    m.reply_error(n, &e);
                    return false;
                }
            }
            None => {
                eprintln!("Failed to send CLUSTER MEET command.");
                return false;
            }
        }
    }
    // Give the join a second to start, so that nodes still empty do not
    // look in agreement.
    std::thread::sleep(Duration::from_secs(1));
    m.wait_for_cluster_join();
    for n in 0..m.nodes.len() {
        if !m.nodes[n].dirty {
            continue;
        }
        let flushed = m.flush_node_config(n);
        if !matches!(flushed, Ok(true)) && m.nodes[n].replicate.is_none() {
            if let Err(e) = flushed {
                m.reply_error(n, &e);
            }
            return false;
        }
    }
    let mut nodes = std::mem::take(&mut m.nodes);
    nodes.truncate(1);
    let first = nodes.pop().expect("at least 3 nodes");
    if !m.load_from_node(first) {
        return false;
    }
    m.check_cluster(false);
    true
}

/// `clusterManagerGetAntiAffinityScore`: 10,000 per replica on its
/// master's host, 1 per replica sharing a host with another of the same
/// master; and the replicas to blame.
fn anti_affinity_score(m: &Manager<'_>, ip_nodes: &[Vec<usize>]) -> (i64, Vec<usize>) {
    let mut score = 0;
    let mut offending = Vec::new();
    for group in ip_nodes {
        let Some(&first) = group.first() else {
            continue;
        };
        let ip = &m.nodes[first].ip;
        // Master ID -> "m" then one "s" per replica on this host.
        let mut related: Vec<(String, String)> = Vec::new();
        for &n in group {
            let node = &m.nodes[n];
            let key = node
                .replicate
                .clone()
                .or_else(|| node.name.clone())
                .unwrap_or_default();
            let i = match related.iter().position(|(k, _)| *k == key) {
                Some(i) => i,
                None => {
                    related.push((key, String::new()));
                    related.len() - 1
                }
            };
            if node.replicate.is_some() {
                related[i].1.push('s');
            } else {
                related[i].1.insert(0, 'm');
            }
        }
        for (name, types) in &related {
            if types.len() < 2 {
                continue;
            }
            if types.starts_with('m') {
                score += 10000 * (types.len() as i64 - 1);
            } else {
                score += types.len() as i64;
            }
            if let Some(n) = m
                .nodes
                .iter()
                .position(|n| n.replicate.as_deref() == Some(name.as_str()) && n.ip == *ip)
            {
                offending.push(n);
            }
        }
    }
    (score, offending)
}

/// `clusterManagerOptimizeAntiAffinity`: random swaps of masters between
/// replicas, kept when they do not make the score worse.
fn optimize_anti_affinity(m: &mut Manager<'_>, ip_nodes: &[Vec<usize>]) {
    if anti_affinity_score(m, ip_nodes).0 == 0 {
        return;
    }
    m.info(">>> Trying to optimize slaves allocation for anti-affinity\n");
    let mut maxiter = 500 * m.nodes.len();
    let mut rng = seeded_rng();
    while maxiter > 0 {
        let (score, offenders) = anti_affinity_score(m, ip_nodes);
        if score == 0 || offenders.is_empty() {
            break;
        }
        let first = offenders[rng.random_range(0..offenders.len())];
        let others: Vec<usize> = (0..m.nodes.len())
            .filter(|&n| n != first && m.nodes[n].replicate.is_some())
            .collect();
        if others.is_empty() {
            break;
        }
        let second = others[rng.random_range(0..others.len())];
        let first_master = m.nodes[first].replicate.clone();
        let second_master = m.nodes[second].replicate.clone();
        m.nodes[first].replicate = second_master.clone();
        m.nodes[first].dirty = true;
        m.nodes[second].replicate = first_master.clone();
        m.nodes[second].dirty = true;
        if anti_affinity_score(m, ip_nodes).0 > score {
            m.nodes[first].replicate = first_master;
            m.nodes[second].replicate = second_master;
        }
        maxiter -= 1;
    }
    let score = anti_affinity_score(m, ip_nodes).0;
    let (level, msg) = if score == 0 {
        (Level::Ok, "[OK] Perfect anti-affinity obtained!")
    } else if score >= 10000 {
        (
            Level::Warn,
            "[WARNING] Some slaves are in the same host as their master",
        )
    } else {
        (
            Level::Warn,
            "[WARNING] Some slaves of the same master are in the same host",
        )
    };
    m.log(level, &format!("{msg}\n"));
}
