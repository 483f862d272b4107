//! The smaller subcommands: `info`, `check`, `fix`, `add-node`,
//! `del-node`, `call`, `set-timeout`, `import`, `backup`, `help`.

use std::io::Write;
use std::time::Duration;

use resp_core::Frame;

use super::node::{info_field, Node};
use super::{argv, c_str, error_text, host_from_args, Manager, COMMANDS, INVALID_HOST_ARG, SLOTS};
use crate::conn::{Conn, Target};
use crate::format::{self, Delimiters, OutputMode};

/// Loads the cluster from the node `args` name; prints why not.
fn load(m: &mut Manager<'_>, args: &[Vec<u8>]) -> Option<bool> {
    let Some((ip, port)) = host_from_args(args) else {
        eprint!("{INVALID_HOST_ARG}");
        return None;
    };
    Some(m.load_from_node(Node::new(ip, port, 0)))
}

/// `--cluster info host:port`.
pub(super) fn info(m: &mut Manager<'_>, args: &[Vec<u8>]) -> bool {
    if load(m, args) != Some(true) {
        return false;
    }
    m.show_cluster_info();
    true
}

/// `--cluster check host:port`.
pub(super) fn check(m: &mut Manager<'_>, args: &[Vec<u8>]) -> bool {
    if load(m, args) != Some(true) {
        return false;
    }
    m.show_cluster_info();
    m.check_cluster(false)
}

/// `--cluster fix host:port`: `check`, repairing what it finds.
pub(super) fn fix(m: &mut Manager<'_>, args: &[Vec<u8>]) -> bool {
    m.fix = true;
    check(m, args)
}

/// The address `CLUSTER MEET` needs for node `i`, and the command.
fn meet_command(m: &Manager<'_>, first: usize) -> Option<Vec<Vec<u8>>> {
    let f = &m.nodes[first];
    let ip = super::resolve(&f.ip)?;
    let mut meet = argv(&["CLUSTER", "MEET", &ip, &f.port.to_string()]);
    if f.bus_port != 0 && f.bus_port != f.port + super::PORT_INCR {
        meet.push(f.bus_port.to_string().into_bytes());
    }
    Some(meet)
}

/// `--cluster add-node new_host:new_port existing_host:existing_port`.
pub(super) fn add_node(m: &mut Manager<'_>, args: &[Vec<u8>]) -> bool {
    let (Some((ref_ip, ref_port)), Some((ip, port))) =
        (host_from_args(&args[1..]), host_from_args(&args[..1]))
    else {
        eprint!("{INVALID_HOST_ARG}");
        return false;
    };
    m.info(&format!(
        ">>> Adding node {ip}:{port} to cluster {ref_ip}:{ref_port}\n"
    ));
    if !m.load_from_node(Node::new(ref_ip, ref_port, 0)) || !m.check_cluster(false) {
        return false;
    }
    let mut master = None;
    if m.cmd.slave {
        match m.cmd.master_id.clone() {
            Some(id) => match m.node_by_name(&id) {
                Some(n) => master = Some(n),
                None => {
                    m.err(&format!("[ERR] No such master ID {id}\n"));
                    return false;
                }
            },
            None => {
                let Some(n) = m.node_with_least_replicas() else {
                    return false;
                };
                println!(
                    "Automatically selected master {}:{}",
                    m.nodes[n].ip, m.nodes[n].port
                );
                master = Some(n);
            }
        }
    }
    let mut new_node = Node::new(ip.clone(), port, 0);
    if !new_node.connect(m.opts, m.cmd.color) {
        m.err(&format!("[ERR] Sorry, can't connect to node {ip}:{port}\n"));
        return false;
    }
    match new_node.is_cluster() {
        Ok(true) => {}
        Ok(false) => {
            m.not_cluster_error(&new_node, None);
            return false;
        }
        Err(e) => {
            m.not_cluster_error(&new_node, e.as_deref());
            return false;
        }
    }
    if let Err(e) = new_node.load_info(false) {
        if let Some(e) = e {
            m.err(&format!("Node {ip}:{port} replied with error:\n{e}\n"));
        }
        return false;
    }
    match new_node.is_empty() {
        Ok(true) => {}
        Ok(false) => {
            m.not_empty_error(&new_node, None);
            return false;
        }
        Err(e) => {
            m.not_empty_error(&new_node, e.as_deref());
            return false;
        }
    }
    m.nodes.push(new_node);
    let new = m.nodes.len() - 1;
    if master.is_none() && !copy_functions(m, new, &ip, port) {
        return false;
    }
    m.info(&format!(
        ">>> Send CLUSTER MEET to node {ip}:{port} to make it join the cluster.\n"
    ));
    let Some(meet) = meet_command(m, 0) else {
        eprintln!(
            "Invalid IP address or hostname specified: {}",
            m.nodes[0].ip
        );
        return false;
    };
    if !m.run_checked(new, &meet) {
        return false;
    }
    if let Some(master) = master {
        std::thread::sleep(Duration::from_secs(1));
        m.wait_for_cluster_join();
        let (mip, mport) = (m.nodes[master].ip.clone(), m.nodes[master].port);
        m.info(&format!(
            ">>> Configure node as replica of {mip}:{mport}.\n"
        ));
        let name = m.nodes[master].name.clone().unwrap_or_default();
        if !m.run_checked(new, &argv(&["CLUSTER", "REPLICATE", &name])) {
            return false;
        }
    }
    m.ok("[OK] New node added correctly.\n");
    true
}

/// `add-node` of a master: the cluster's functions (`FUNCTION DUMP` of
/// the first node) restored on the new node, which must have none.
fn copy_functions(m: &mut Manager<'_>, new: usize, ip: &str, port: i64) -> bool {
    m.info(">>> Getting functions from cluster\n");
    let reply = m.command(0, &argv(&["FUNCTION", "DUMP"]));
    let dump = match m.check_reply(0, reply, true) {
        Ok(dump) => dump,
        Err(e) => {
            m.info(&format!(
                ">>> Failed retrieving Functions from the cluster, skip this step as Redis version do not support function command (error = '{}')\n",
                e.as_deref().unwrap_or("NULL reply")
            ));
            return true;
        }
    };
    m.info(&format!(
        ">>> Send FUNCTION LIST to {ip}:{port} to verify there is no functions in it\n"
    ));
    let reply = m.command(new, &argv(&["FUNCTION", "LIST"]));
    match m.check_reply(new, reply, true) {
        Err(e) => {
            m.err(&format!(
                ">>> Failed on CLUSTER LIST (error = '{}')\r\n",
                e.as_deref().unwrap_or("NULL reply")
            ));
            return false;
        }
        Ok(list) => {
            if matches!(format::plain(&list), Frame::Array(items) if !items.is_empty()) {
                m.err(">>> New node already contains functions and can not be added to the cluster. Use FUNCTION FLUSH and try again.\r\n");
                return false;
            }
        }
    }
    m.info(&format!(">>> Send FUNCTION RESTORE to {ip}:{port}\n"));
    let payload = match format::plain(&dump) {
        Frame::Bulk(b) | Frame::Simple(b) => b.to_vec(),
        _ => Vec::new(),
    };
    let reply = m.command(new, &[b"FUNCTION".to_vec(), b"RESTORE".to_vec(), payload]);
    if let Err(e) = m.check_reply(new, reply, true) {
        m.err(&format!(
            ">>> Failed loading functions to the new node (error = '{}')\r\n",
            e.as_deref().unwrap_or("NULL reply")
        ));
        return false;
    }
    true
}

/// `--cluster del-node host:port node_id`.
pub(super) fn del_node(m: &mut Manager<'_>, args: &[Vec<u8>]) -> bool {
    let Some((ip, port)) = host_from_args(&args[..1]) else {
        eprint!("{INVALID_HOST_ARG}");
        return false;
    };
    let node_id = c_str(&args[1]);
    m.info(&format!(
        ">>> Removing node {node_id} from cluster {ip}:{port}\n"
    ));
    if !m.load_from_node(Node::new(ip, port, 0)) {
        return false;
    }
    let Some(node) = m.node_by_name(&node_id) else {
        m.err(&format!("[ERR] No such node ID {node_id}\n"));
        return false;
    };
    if m.nodes[node].slots_count != 0 {
        let n = &m.nodes[node];
        m.err(&format!(
            "[ERR] Node {}:{} is not empty! Reshard data away and try again.\n",
            n.ip, n.port
        ));
        return false;
    }
    m.info(">>> Sending CLUSTER FORGET messages to the cluster...\n");
    for n in 0..m.nodes.len() {
        if n == node {
            continue;
        }
        let replicates_it = m.nodes[n]
            .replicate
            .as_deref()
            .is_some_and(|r| r.eq_ignore_ascii_case(&node_id));
        if replicates_it {
            let Some(master) = m.node_with_least_replicas() else {
                return false;
            };
            let (s, ma) = (&m.nodes[n], &m.nodes[master]);
            let line = format!(
                ">>> {}:{} as replica of {}:{}\n",
                s.ip, s.port, ma.ip, ma.port
            );
            m.info(&line);
            let name = m.nodes[master].name.clone().unwrap_or_default();
            if !m.run_checked(n, &argv(&["CLUSTER", "REPLICATE", &name])) {
                return false;
            }
        }
        if !m.run_checked(n, &argv(&["CLUSTER", "FORGET", &node_id])) {
            return false;
        }
    }
    m.info(">>> Sending CLUSTER RESET SOFT to the deleted node.\n");
    m.run_checked(node, &argv(&["CLUSTER", "RESET", "SOFT"]))
}

/// `--cluster call host:port command arg ...`: the command on every
/// node (or only masters / replicas), each reply printed raw.
pub(super) fn call(m: &mut Manager<'_>, args: &[Vec<u8>]) -> bool {
    let Some((ip, port)) = host_from_args(&args[..1]) else {
        eprint!("{INVALID_HOST_ARG}");
        return false;
    };
    if !m.load_from_node(Node::new(ip, port, 0)) {
        return false;
    }
    let command = &args[1..];
    m.info(">>> Calling");
    let mut line = String::new();
    for arg in command {
        line.push(' ');
        line.push_str(&c_str(arg));
    }
    println!("{line}");
    let delims = Delimiters {
        items: &m.opts.mb_delim,
        reply: b"",
    };
    for n in 0..m.nodes.len() {
        let replica = m.nodes[n].replicate.is_some();
        if (m.cmd.only_masters && replica) || (m.cmd.only_replicas && !replica) {
            continue;
        }
        let (opts, color) = (m.opts, m.cmd.color);
        if m.nodes[n].conn.is_none() && !m.nodes[n].connect(opts, color) {
            continue;
        }
        let reply = m.command(n, command);
        let node = &m.nodes[n];
        match reply {
            None => println!("{}:{}: Failed!", node.ip, node.port),
            Some(reply) => {
                let text = format::format_reply(&reply, OutputMode::Raw, true, delims);
                let mut out = std::io::stdout().lock();
                let _ = write!(out, "{}:{}: ", node.ip, node.port);
                let _ = out.write_all(format::until_nul(&text));
                let _ = out.write_all(b"\n");
            }
        }
    }
    true
}

/// `--cluster set-timeout host:port milliseconds`.
pub(super) fn set_timeout(m: &mut Manager<'_>, args: &[Vec<u8>]) -> bool {
    let Some((ip, port)) = host_from_args(&args[..1]) else {
        eprint!("{INVALID_HOST_ARG}");
        return false;
    };
    let timeout = crate::options::atoi(&args[1]) as i32;
    if timeout < 100 {
        eprintln!("Setting a node timeout of less than 100 milliseconds is a bad idea.");
        return false;
    }
    if !m.load_from_node(Node::new(ip, port, 0)) {
        return false;
    }
    m.info(">>> Reconfiguring node timeout in every cluster node...\n");
    let (mut ok, mut failed) = (0, 0);
    for n in 0..m.nodes.len() {
        let steps = [
            argv(&[
                "CONFIG",
                "SET",
                "cluster-node-timeout",
                &timeout.to_string(),
            ]),
            argv(&["CONFIG", "REWRITE"]),
        ];
        let mut error = None;
        for step in &steps {
            let reply = m.command(n, step);
            match m.check_reply(n, reply, true) {
                Ok(_) => {}
                Err(e) => {
                    error = Some(e.unwrap_or_default());
                    break;
                }
            }
        }
        let node = &m.nodes[n];
        let addr = format!("{}:{}", node.ip, node.port);
        match error {
            None => {
                m.warn(&format!("*** New timeout set for {addr}\n"));
                ok += 1;
            }
            Some(e) => {
                m.err(&format!("ERR setting node-timeout for {addr}: {e}\n"));
                failed += 1;
            }
        }
    }
    m.info(&format!(
        ">>> New node timeout set. {ok} OK, {failed} ERR.\n"
    ));
    true
}

/// `--cluster import host:port --cluster-from host:port`: every key of a
/// standalone server's database 0 migrated to the node serving its slot.
pub(super) fn import(m: &mut Manager<'_>, args: &[Vec<u8>]) -> bool {
    let Some((ip, port)) = host_from_args(args) else {
        eprint!("{INVALID_HOST_ARG}");
        return false;
    };
    let Some(from) = m.cmd.from.clone() else {
        eprintln!("[ERR] Option '--cluster-from' is required for subcommand 'import'.");
        return false;
    };
    let Some((src_ip, src_port)) = host_from_args(&[from.into_bytes()]) else {
        eprintln!(
            "[ERR] Invalid --cluster-from host. You need to pass a valid address (ie. 120.0.0.1:7000)."
        );
        return false;
    };
    m.info(&format!(
        ">>> Importing data from {src_ip}:{src_port} to cluster {ip}:{port}\n"
    ));
    if !m.load_from_node(Node::new(ip, port, 0)) || !m.check_cluster(false) {
        return false;
    }
    let source_error = |m: &Manager<'_>, e: &str| {
        m.err(&format!(
            "Source {src_ip}:{src_port} replied with error:\n{e}\n"
        ));
    };
    let target = Target::Tcp {
        host: &src_ip,
        port: src_port,
    };
    let mut src = match Conn::connect(&target, None, m.opts.timeout) {
        Ok(conn) => conn,
        Err(reason) => {
            eprintln!("Could not connect to Redis at {src_ip}:{src_port}: {reason}.");
            return false;
        }
    };
    if let Some(pass) = m.cmd.from_pass.clone() {
        let mut auth = vec![b"AUTH".to_vec()];
        auth.extend(m.cmd.from_user.clone());
        auth.push(pass);
        match src.call(&auth) {
            Err(_) => {
                eprintln!("\nI/O error");
                return false;
            }
            Ok(reply) => {
                if let Some(e) = error_text(&reply) {
                    eprintln!("AUTH failed: {e}");
                    return false;
                }
            }
        }
    }
    let mut call = |args: &[Vec<u8>]| -> Result<resp_core::OwnedFrame, Option<String>> {
        let reply = src.call(args).map_err(|_| None)?;
        match error_text(&reply) {
            Some(e) => Err(Some(e)),
            None => Ok(reply),
        }
    };
    let fail = |m: &Manager<'_>, e: Option<String>| {
        if let Some(e) = e {
            source_error(m, &e);
        }
        false
    };
    let info = match call(&argv(&["INFO"])) {
        Ok(info) => super::node::text_of(&info),
        Err(e) => return fail(m, e),
    };
    if info_field(&info, "cluster_enabled").is_some_and(|v| super::node::atol(v) != 0) {
        m.err("[ERR] The source node should not be a cluster node.\n");
        return false;
    }
    let size = match call(&argv(&["DBSIZE"])) {
        Ok(reply) => match format::plain(&reply) {
            Frame::Integer(n) => *n as i32,
            _ => 0,
        },
        Err(e) => return fail(m, e),
    };
    m.warn(&format!("*** Importing {size} keys from DB 0\n"));
    let mut slots_map: Vec<Option<usize>> = vec![None; SLOTS];
    for (slot, owner) in slots_map.iter_mut().enumerate() {
        *owner = m
            .nodes
            .iter()
            .position(|n| !n.is_slave() && n.slots_count != 0 && n.slots[slot]);
    }
    let mut tail: Vec<Vec<u8>> = Vec::new();
    if let Some(password) = &m.opts.password {
        match &m.opts.user {
            Some(user) => tail.extend([b"AUTH2".to_vec(), user.clone(), password.clone()]),
            None => tail.extend([b"AUTH".to_vec(), password.clone()]),
        }
    }
    if m.cmd.copy {
        tail.push(b"COPY".to_vec());
    }
    if m.cmd.replace {
        tail.push(b"REPLACE".to_vec());
    }
    let timeout = (m.cmd.timeout as i32).to_string();
    let mut cursor: i64 = -999;
    while cursor != 0 {
        if cursor < 0 {
            cursor = 0;
        }
        let page = match call(&argv(&["SCAN", &cursor.to_string(), "COUNT", "1000"])) {
            Ok(page) => page,
            Err(e) => return fail(m, e),
        };
        let Frame::Array(items) = format::plain(&page) else {
            return false;
        };
        cursor = match items.first().map(format::plain) {
            Some(Frame::Bulk(c) | Frame::Simple(c)) => crate::options::atoi(c) as i32 as i64,
            Some(Frame::Integer(c)) => *c,
            _ => 0,
        };
        let keys: Vec<Vec<u8>> = match items.get(1).map(format::plain) {
            Some(Frame::Array(keys)) => keys
                .iter()
                .map(|k| match format::plain(k) {
                    Frame::Bulk(b) | Frame::Simple(b) => b.to_vec(),
                    _ => Vec::new(),
                })
                .collect(),
            _ => Vec::new(),
        };
        for key in keys {
            let slot = usize::from(resp_core::command::key_slot(&key));
            let Some(owner) = slots_map[slot] else {
                m.err(&format!("[ERR] No node serves slot {slot}\n"));
                return false;
            };
            let (tip, tport) = (m.nodes[owner].ip.clone(), m.nodes[owner].port);
            print!("Migrating {} to {tip}:{tport}: ", c_str(&key));
            let _ = std::io::stdout().flush();
            let mut migrate = argv(&["MIGRATE", &tip, &tport.to_string()]);
            migrate.push(key.clone());
            migrate.push(b"0".to_vec());
            migrate.push(timeout.clone().into_bytes());
            migrate.extend(tail.iter().cloned());
            match call(&migrate) {
                Ok(_) => m.ok("OK\n"),
                Err(Some(e)) => {
                    source_error(m, &e);
                    return false;
                }
                Err(None) => return false,
            }
        }
    }
    true
}

/// `--cluster backup host:port backup_directory`: each master's RDB and
/// a `nodes.json` describing the cluster.
pub(super) fn backup(m: &mut Manager<'_>, args: &[Vec<u8>]) -> bool {
    let Some((ip, port)) = host_from_args(&args[..1]) else {
        eprint!("{INVALID_HOST_ARG}");
        return false;
    };
    if !m.load_from_node(Node::new(ip, port, 0)) {
        return false;
    }
    let no_issues = m.check_cluster(false);
    let error_count = if no_issues { 0 } else { m.errors.len() };
    let dir = c_str(&args[1]);
    let slash = if dir.ends_with('/') { "" } else { "/" };
    let mut json = String::from("[\n");
    for n in 0..m.nodes.len() {
        if n > 0 {
            json.push_str(",\n");
        }
        json.push_str(&m.nodes[n].json(error_count));
        if m.nodes[n].replicate.is_some() {
            continue;
        }
        let node = &m.nodes[n];
        let (nip, nport) = (node.ip.clone(), node.port);
        let file = format!(
            "{dir}{slash}redis-node-{nip}-{nport}-{}.rdb",
            node.name.as_deref().unwrap_or("(null)")
        );
        m.info(&format!(">>> Node {nip}:{nport} -> Saving RDB...\n"));
        let Some(conn) = m.nodes[n].conn.take() else {
            eprintln!("Error writing to master");
            std::process::exit(1);
        };
        if let Err(code) = crate::modes::rdb::fetch(conn, &file, m.opts.timeout) {
            let _ = std::io::stdout().flush();
            std::process::exit(code);
        }
    }
    json.push_str("\n]");
    let path = format!("{dir}{slash}nodes.json");
    m.info(&format!("Saving cluster configuration to: {path}\n"));
    if std::fs::write(&path, json.as_bytes()).is_err() {
        m.err(&format!("Could not save nodes to: {path}\n"));
        m.ok("[ERR] Failed to back cluster!\n");
        return false;
    }
    if !no_issues {
        m.warn("*** Cluster seems to have some problems, please be aware of it if you're going to restore this backup.\n");
    }
    m.ok(&format!("[OK] Backup created into: {dir}\n"));
    true
}

/// `--cluster help`: the list of subcommands and their options. (As in
/// `redis-cli`, the exit code is 1.)
pub(super) fn help(_: &mut Manager<'_>, _: &[Vec<u8>]) -> bool {
    let padding = 15;
    let mut out = String::from("Cluster Manager Commands:\n");
    for def in COMMANDS {
        out.push_str(&format!(
            "  {}{}{}\n",
            def.name,
            " ".repeat(padding - def.name.len().min(padding)),
            def.args.unwrap_or("")
        ));
        if let Some(options) = def.options {
            for option in options.split(',').filter(|o| !o.is_empty()) {
                out.push_str(&format!("{}  --cluster-{option}\n", " ".repeat(padding)));
            }
        }
    }
    out.push_str("\nFor check, fix, reshard, del-node, set-timeout, info, rebalance, call, import, backup you can specify the host and port of any working node in the cluster.\n");
    out.push_str("\nCluster Manager Options:\n");
    let name = "--cluster-yes";
    out.push_str(&format!(
        "  {name}{}Automatic yes to cluster commands prompts\n",
        " ".repeat(padding - name.len())
    ));
    out.push('\n');
    print!("{out}");
    false
}
