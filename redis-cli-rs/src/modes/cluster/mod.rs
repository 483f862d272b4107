//! `--cluster <command>`: `redis-cli` 7.0's cluster manager (`create`,
//! `check`, `info`, `fix`, `reshard`, `rebalance`, `add-node`,
//! `del-node`, `call`, `set-timeout`, `import`, `backup`, `help`), with
//! its output, prompts and exit codes.
//!
//! Each node's view comes from `CLUSTER NODES`, read with
//! [`resp_core::cluster::parse_nodes`] (the same parser the cluster
//! client's topology can be built from). The manager keeps what
//! `redis-cli` keeps per node ([`node::Node`]) and drives the nodes one
//! command at a time, as `redis-cli` does.
//!
//! Files: [`node`] (a node, its connection and how it prints), [`load`]
//! (loading the cluster, agreement between nodes), [`slots`] (slot
//! states and key migration), [`check`] (check and fix), [`create`],
//! [`reshard`] (reshard and rebalance), [`commands`] (the others).

use std::io::{Read, Write};

use resp_core::OwnedFrame;

use crate::options::{ClusterCommand, Options};

mod check;
mod commands;
mod create;
mod dict_order;
mod load;
mod node;
mod reshard;
mod slots;

use node::Node;

/// Hash slots in a cluster.
pub(crate) const SLOTS: usize = 16384;
/// The bus port is the client port plus this, unless announced.
const PORT_INCR: i64 = 10000;

/// `CLUSTER_MANAGER_INVALID_HOST_ARG`.
const INVALID_HOST_ARG: &str = "[ERR] Invalid arguments: you need to pass either a valid address (ie. 120.0.0.1:7000) or space separated IP and port (ie. 120.0.0.1 7000)\n";

/// The log levels of `clusterManagerLog`, each with its colour.
#[derive(Clone, Copy)]
pub(crate) enum Level {
    Info,
    Warn,
    Err,
    Ok,
}

/// A subcommand: its name, what it runs, its arity (negative: at least),
/// and its help.
struct CommandDef {
    name: &'static str,
    run: fn(&mut Manager<'_>, &[Vec<u8>]) -> bool,
    arity: i64,
    args: Option<&'static str>,
    options: Option<&'static str>,
}

const HOST_ARGS: &str = "<host:port> or <host> <port> - separated by either colon or space";

/// `clusterManagerCommands`, in `redis-cli`'s order (the help lists them
/// so).
const COMMANDS: &[CommandDef] = &[
    CommandDef {
        name: "create",
        run: create::create,
        arity: -2,
        args: Some("host1:port1 ... hostN:portN"),
        options: Some("replicas <arg>"),
    },
    CommandDef {
        name: "check",
        run: commands::check,
        arity: -1,
        args: Some(HOST_ARGS),
        options: Some("search-multiple-owners"),
    },
    CommandDef {
        name: "info",
        run: commands::info,
        arity: -1,
        args: Some(HOST_ARGS),
        options: None,
    },
    CommandDef {
        name: "fix",
        run: commands::fix,
        arity: -1,
        args: Some(HOST_ARGS),
        options: Some("search-multiple-owners,fix-with-unreachable-masters"),
    },
    CommandDef {
        name: "reshard",
        run: reshard::reshard,
        arity: -1,
        args: Some(HOST_ARGS),
        options: Some("from <arg>,to <arg>,slots <arg>,yes,timeout <arg>,pipeline <arg>,replace"),
    },
    CommandDef {
        name: "rebalance",
        run: reshard::rebalance,
        arity: -1,
        args: Some(HOST_ARGS),
        options: Some(
            "weight <node1=w1...nodeN=wN>,use-empty-masters,timeout <arg>,simulate,pipeline <arg>,threshold <arg>,replace",
        ),
    },
    CommandDef {
        name: "add-node",
        run: commands::add_node,
        arity: 2,
        args: Some("new_host:new_port existing_host:existing_port"),
        options: Some("slave,master-id <arg>"),
    },
    CommandDef {
        name: "del-node",
        run: commands::del_node,
        arity: 2,
        args: Some("host:port node_id"),
        options: None,
    },
    CommandDef {
        name: "call",
        run: commands::call,
        arity: -2,
        args: Some("host:port command arg arg .. arg"),
        options: Some("only-masters,only-replicas"),
    },
    CommandDef {
        name: "set-timeout",
        run: commands::set_timeout,
        arity: 2,
        args: Some("host:port milliseconds"),
        options: None,
    },
    CommandDef {
        name: "import",
        run: commands::import,
        arity: 1,
        args: Some("host:port"),
        options: Some("from <arg>,from-user <arg>,from-pass <arg>,from-askpass,copy,replace"),
    },
    CommandDef {
        name: "backup",
        run: commands::backup,
        arity: 2,
        args: Some("host:port backup_directory"),
        options: None,
    },
    CommandDef {
        name: "help",
        run: commands::help,
        arity: 0,
        args: None,
        options: None,
    },
];

/// The cluster manager's state: the nodes loaded, the errors a check
/// found, and the options.
pub(crate) struct Manager<'o> {
    /// The nodes, the one the cluster was loaded from first.
    pub(crate) nodes: Vec<Node>,
    /// What `clusterManagerCheckCluster` reported as errors.
    pub(crate) errors: Vec<String>,
    /// Masters that could not be reached while loading.
    pub(crate) unreachable_masters: i64,
    /// The command and its `--cluster-*` options.
    pub(crate) cmd: ClusterCommand,
    /// `fix`: `check` repairs what it finds.
    pub(crate) fix: bool,
    /// The rest of the command line (credentials, TLS, `-t`, `--verbose`).
    pub(crate) opts: &'o Options,
}

/// Runs the `--cluster` command of `opts`; the exit code.
pub(crate) fn run(opts: &Options) -> i32 {
    let Some(mut cmd) = opts.cluster_command.clone() else {
        return 1;
    };
    if let Err(code) = stdin_argument(opts, &mut cmd) {
        return code;
    }
    if cmd.from_askpass {
        cmd.from_pass = crate::term::ask_password("Please input import source node password: ");
    }
    let name = String::from_utf8_lossy(&cmd.name).into_owned();
    let argc = cmd.args.len() as i64;
    let mut found = None;
    for def in COMMANDS.iter().filter(|d| d.name == name) {
        if (def.arity > 0 && argc != def.arity) || (def.arity < 0 && argc < -def.arity) {
            eprintln!("[ERR] Wrong number of arguments for specified --cluster sub command");
            return 1;
        }
        found = Some(def);
    }
    let Some(def) = found else {
        eprintln!("Unknown --cluster subcommand");
        return 1;
    };
    let args = cmd.args.clone();
    let mut manager = Manager {
        nodes: Vec::new(),
        errors: Vec::new(),
        unreachable_masters: 0,
        cmd,
        fix: false,
        opts,
    };
    let success = (def.run)(&mut manager, &args);
    let _ = std::io::stdout().flush();
    if success {
        0
    } else {
        1
    }
}

/// `-x` / `-X` with `--cluster`: the last argument, or the tagged one,
/// read from stdin (`createClusterManagerCommand`).
fn stdin_argument(opts: &Options, cmd: &mut ClusterCommand) -> Result<(), i32> {
    let read = || {
        let mut arg = Vec::new();
        let _ = std::io::stdin().lock().read_to_end(&mut arg);
        arg
    };
    if opts.stdin_last_arg {
        cmd.args.push(read());
    } else if let Some(tag) = &opts.stdin_tag {
        let arg = read();
        match cmd.args.iter().position(|a| a == tag) {
            Some(i) => cmd.args[i] = arg,
            None => {
                eprintln!("Using -X option but stdin tag not match.");
                return Err(1);
            }
        }
    }
    Ok(())
}

impl Manager<'_> {
    /// `clusterManagerLog`: `text` on stdout, in the level's colour when
    /// `TERM` names an xterm.
    pub(crate) fn log(&self, level: Level, text: &str) {
        log(self.cmd.color, level, text);
    }

    pub(crate) fn info(&self, text: &str) {
        self.log(Level::Info, text);
    }

    pub(crate) fn warn(&self, text: &str) {
        self.log(Level::Warn, text);
    }

    pub(crate) fn err(&self, text: &str) {
        self.log(Level::Err, text);
    }

    pub(crate) fn ok(&self, text: &str) {
        self.log(Level::Ok, text);
    }

    /// `CLUSTER_MANAGER_PRINT_REPLY_ERROR`.
    pub(crate) fn reply_error(&self, node: usize, err: &str) {
        let n = &self.nodes[node];
        self.err(&format!(
            "Node {}:{} replied with error:\n{err}\n",
            n.ip, n.port
        ));
    }

    /// `clusterManagerOnError`: remembered, and printed.
    pub(crate) fn on_error(&mut self, err: String) {
        self.err(&format!("{err}\n"));
        self.errors.push(err);
    }

    /// Sends `argv` to node `i` and reads the reply; `None` when the
    /// connection failed (or there is none), as `redisCommand`'s NULL.
    pub(crate) fn command(&mut self, i: usize, argv: &[Vec<u8>]) -> Option<OwnedFrame> {
        self.nodes[i].command(argv)
    }

    /// The index of the node named `name` (case-insensitive), as
    /// `clusterManagerNodeByName`.
    pub(crate) fn node_by_name(&self, name: &str) -> Option<usize> {
        let lower = name.to_ascii_lowercase();
        self.nodes
            .iter()
            .position(|n| n.name.as_deref() == Some(lower.as_str()))
    }

    /// The first node whose name starts with `prefix`
    /// (`clusterManagerNodeByAbbreviatedName`).
    pub(crate) fn node_by_abbreviated_name(&self, prefix: &str) -> Option<usize> {
        let lower = prefix.to_ascii_lowercase();
        self.nodes
            .iter()
            .position(|n| n.name.as_deref().is_some_and(|m| m.starts_with(&lower)))
    }
}

/// `clusterManagerLog`: `text` on stdout, in the level's colour when
/// `color`.
pub(crate) fn log(color: bool, level: Level, text: &str) {
    let mut out = std::io::stdout().lock();
    if color {
        let code = match level {
            Level::Info => "29;1m",
            Level::Warn => "33;1m",
            Level::Err => "31;1m",
            Level::Ok => "32;1m",
        };
        let _ = write!(out, "\x1b[{code}{text}\x1b[0m");
    } else {
        let _ = out.write_all(text.as_bytes());
    }
    let _ = out.flush();
}

/// `confirmWithYes`: with `--cluster-yes` (unless `ignore_force`), yes;
/// otherwise asks and reads at most 4 bytes from stdin, which must start
/// with `yes`.
pub(crate) fn confirm_with_yes(m: &Manager<'_>, msg: &str, ignore_force: bool) -> bool {
    if !ignore_force && m.cmd.yes {
        return true;
    }
    print!("{msg} (type 'yes' to accept): ");
    let _ = std::io::stdout().flush();
    let buf = read_stdin(4);
    buf.len() >= 3 && &buf[..3] == b"yes"
}

/// One `read(2)` of at most `n` bytes from stdin (what `redis-cli`'s
/// prompts read); empty at the end of input or on an error.
pub(crate) fn read_stdin(n: usize) -> Vec<u8> {
    let mut buf = vec![0u8; n];
    // SAFETY: reading into a buffer of `n` bytes.
    let got = unsafe { libc::read(libc::STDIN_FILENO, buf.as_mut_ptr().cast(), n) };
    buf.truncate(usize::try_from(got).unwrap_or(0));
    buf
}

/// `parseClusterNodeAddress`: `ip:port[@bus_port]`, split at the last `@`
/// and the last `:`, numbers read as `atoi` reads them.
pub(crate) fn parse_address(addr: &str) -> Option<(String, i64, i64)> {
    let (rest, bus) = match addr.rsplit_once('@') {
        Some((rest, bus)) => (rest, crate::options::atoi(bus.as_bytes()) as i32 as i64),
        None => (addr, 0),
    };
    let (ip, port) = rest.rsplit_once(':')?;
    Some((
        ip.to_owned(),
        crate::options::atoi(port.as_bytes()) as i32 as i64,
        bus,
    ))
}

/// `getClusterHostFromCmdArgs`: one `ip:port` argument, or `ip port`.
pub(crate) fn host_from_args(args: &[Vec<u8>]) -> Option<(String, i64)> {
    let text = |a: &[u8]| String::from_utf8_lossy(a).into_owned();
    let (ip, port) = if args.len() == 1 {
        let (ip, port, _) = parse_address(&text(&args[0]))?;
        (ip, port)
    } else {
        (text(&args[0]), crate::options::atoi(&args[1]) as i32 as i64)
    };
    (port != 0).then_some((ip, port))
}

/// `anetResolve`: the first address of `host` (an IP stays as it is);
/// `CLUSTER MEET` needs an address.
pub(crate) fn resolve(host: &str) -> Option<String> {
    use std::net::ToSocketAddrs;
    if host.parse::<std::net::IpAddr>().is_ok() {
        return Some(host.to_owned());
    }
    (host, 0)
        .to_socket_addrs()
        .ok()?
        .next()
        .map(|a| a.ip().to_string())
}

/// Bytes as a C string prints them (up to the first NUL).
pub(crate) fn c_str(bytes: &[u8]) -> String {
    String::from_utf8_lossy(crate::format::until_nul(bytes)).into_owned()
}

/// An error reply's text, or `None` for any other reply.
pub(crate) fn error_text(reply: &OwnedFrame) -> Option<String> {
    match crate::format::plain(reply) {
        resp_core::Frame::Error(e) | resp_core::Frame::BulkError(e) => Some(c_str(e)),
        _ => None,
    }
}

/// A random number generator seeded as `redis-cli` seeds `rand()`:
/// `srand(time(NULL))`, whole seconds (the numbers are not glibc's).
pub(crate) fn seeded_rng() -> rand::rngs::SmallRng {
    use rand::SeedableRng;
    let seconds = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    rand::rngs::SmallRng::seed_from_u64(seconds)
}

/// A number in `0..n` from a generator seeded just now, as
/// `clusterManagerNodeMasterRandom`'s `srand(time(NULL)); rand() % n`
/// (so within one second, the same number).
pub(crate) fn random_below(n: usize) -> usize {
    use rand::RngExt;
    seeded_rng().random_range(0..n.max(1))
}

/// An argv from text pieces.
pub(crate) fn argv(parts: &[&str]) -> Vec<Vec<u8>> {
    parts.iter().map(|p| p.as_bytes().to_vec()).collect()
}
