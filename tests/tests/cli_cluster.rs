//! `redis-cli-rs --cluster` against the real `redis-cli --cluster`
//! (Debian's 7.0), on fresh servers: redis-cli builds and manages one
//! cluster, redis-cli-rs an identical one next to it, step for step
//! (`create`, `check`, `info`, `call`, `reshard`, `rebalance`, `add-node`,
//! `del-node`, `set-timeout`, `fix`, `import`, `backup`); the outputs must
//! match once the names that differ are replaced (ports and node IDs by
//! the node's place in its cluster) and the lists whose order comes from a
//! server's hash table (`CLUSTER NODES`) are sorted. Read-only commands
//! run with both programs on the same cluster and must match as they are.
//! At the end, redis-cli's own `--cluster check` finds redis-cli-rs's
//! cluster healthy.
//!
//! One test: the steps depend on each other, and two clusters at once are
//! enough for a 2-core machine.

#[path = "cli_compare/bins.rs"]
mod bins;
// run_for is for the modes that never end; none here.
#[allow(dead_code)]
#[path = "cli_compare/run.rs"]
mod run;

use std::path::Path;
use std::time::Duration;

use bins::{oracle, ours};
use integration_tests::{key_slot, wait_for, Check, RedisCluster, RedisServer, Reply};
use run::Output;

fn show(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).escape_debug().to_string()
}

/// Runs `program args` (stdout a pipe, `TERM=dumb`).
fn cli(program: &Path, args: &[String], stdin: &[u8]) -> Output {
    run::run(program, args, stdin, false, &[], None)
}

/// Cluster-enabled servers, not yet a cluster.
fn fresh(count: usize) -> Vec<RedisServer> {
    (0..count)
        .map(|_| {
            RedisServer::builder()
                .cluster()
                .config("cluster-node-timeout 2000")
                .start()
                .expect("a cluster-enabled redis-server starts")
        })
        .collect()
}

fn addr(node: &RedisServer) -> String {
    format!("127.0.0.1:{}", node.port())
}

fn myid(node: &RedisServer) -> String {
    match node.query(&["CLUSTER", "MYID"]) {
        Reply::Bulk(id) => String::from_utf8(id).unwrap(),
        other => panic!("CLUSTER MYID: {other:?}"),
    }
}

/// One side of the comparison: a set of servers and the names their
/// addresses and IDs are replaced by.
struct Side {
    nodes: Vec<RedisServer>,
    names: Vec<(String, String)>,
    /// Nodes removed from the cluster (`del-node`).
    gone: Vec<usize>,
}

impl Side {
    fn new(nodes: Vec<RedisServer>) -> Side {
        let mut side = Side {
            nodes,
            names: Vec::new(),
            gone: Vec::new(),
        };
        side.rename();
        side
    }

    /// Names by place: `N0`... for addresses, `ID0`... for node IDs.
    fn rename(&mut self) {
        let mut names = Vec::new();
        for (i, node) in self.nodes.iter().enumerate() {
            let id = myid(node);
            names.push((id.clone(), format!("ID{i}")));
            names.push((format!("({}...)", &id[..8]), format!("(ID{i}...)")));
            names.push((addr(node), format!("N{i}")));
            names.push((format!("127.0.0.1-{}", node.port()), format!("N{i}")));
        }
        self.names = names;
    }

    fn add(&mut self, node: RedisServer) {
        self.nodes.push(node);
        self.rename();
    }

    fn arg(&self, text: &str) -> String {
        let mut out = text.to_string();
        for i in (0..self.nodes.len()).rev() {
            out = out
                .replace(&format!("{{N{i}}}"), &addr(&self.nodes[i]))
                .replace(&format!("{{ID{i}}}"), &myid(&self.nodes[i]));
        }
        out
    }

    fn args(&self, args: &[&str]) -> Vec<String> {
        args.iter().map(|a| self.arg(a)).collect()
    }

    /// `text` with this side's names, and with the lists whose order a
    /// server's hash table decides sorted.
    fn normalize(&self, bytes: &[u8], extra: fn(&str) -> String) -> String {
        let mut text = String::from_utf8_lossy(bytes).into_owned();
        for (from, to) in &self.names {
            text = text.replace(from, to);
        }
        // Which master each replica has is random from `create` on (one
        // host: the anti-affinity step swaps at random).
        canonical(&masters_hidden(&extra(&text)))
    }
}

/// Sorts runs of node blocks (`M: ...` / `S: ...` and their indented
/// lines) and of per-node lines (`N3: ...`, `N3 (ID3...) -> ...`, `***
/// New timeout set for N3`), and drops the dots of `Waiting for the
/// cluster to join`.
fn canonical(text: &str) -> String {
    let lines: Vec<&str> = text.split_inclusive('\n').collect();
    let block_start = |l: &str| {
        let t = l.trim_start();
        t.starts_with("M: ") || t.starts_with("S: ")
    };
    let per_node = |l: &str| {
        let l = l
            .trim_start_matches("*** New timeout set for ")
            .trim_start_matches("ERR setting node-timeout for ")
            .trim_start_matches(">>> Node ");
        l.starts_with('N') && l[1..].starts_with(|c: char| c.is_ascii_digit())
    };
    let mut out = String::new();
    let mut i = 0;
    while i < lines.len() {
        if block_start(lines[i]) {
            let mut blocks: Vec<String> = Vec::new();
            while i < lines.len() && block_start(lines[i]) {
                let mut block = lines[i].to_string();
                i += 1;
                while i < lines.len()
                    && lines[i].starts_with(' ')
                    && !block_start(lines[i])
                    && !lines[i].starts_with("    Moving slot")
                {
                    block.push_str(lines[i]);
                    i += 1;
                }
                blocks.push(block);
            }
            blocks.sort();
            out.extend(blocks);
        } else if per_node(lines[i]) {
            let mut run = Vec::new();
            while i < lines.len() && per_node(lines[i]) {
                run.push(lines[i]);
                i += 1;
            }
            run.sort();
            out.extend(run);
        } else {
            if !lines[i].trim_end().chars().all(|c| c == '.') || lines[i].trim_end().is_empty() {
                out.push_str(lines[i]);
            } else {
                out.push('\n');
            }
            i += 1;
        }
    }
    out
}

fn same(l: &str) -> String {
    l.to_string()
}

/// `create` places replicas at random on one host: whom each replicates
/// is not compared (in `create`, or later).
fn masters_hidden(text: &str) -> String {
    text.lines()
        .map(|l| match l.find("replicates ID") {
            Some(at) => format!("{}replicates ID?\n", &l[..at]),
            None => format!("{l}\n"),
        })
        .collect()
}

/// Runs a step on both sides (redis-cli on `a`, redis-cli-rs on `b`) and
/// compares the normalized outputs.
fn step(a: &Side, b: &Side, what: &str, args: &[&str], stdin: &[u8], extra: fn(&str) -> String) {
    let want = cli(&oracle(), &a.args(args), stdin);
    let got = cli(ours(), &b.args(args), stdin);
    let (wo, go) = (
        a.normalize(&want.stdout, extra),
        b.normalize(&got.stdout, extra),
    );
    let (we, ge) = (
        a.normalize(&want.stderr, extra),
        b.normalize(&got.stderr, extra),
    );
    if std::env::var_os("CLI_CLUSTER_TRACE").is_some() {
        eprintln!("=== {what} {args:?} (code {}):\n{wo}{we}", want.code);
    }
    assert!(
        wo == go && we == ge && want.code == got.code,
        "{what} {args:?}\n--- redis-cli (code {}):\n{wo}{we}\n--- redis-cli-rs (code {}):\n{go}{ge}",
        want.code,
        got.code
    );
}

/// Both programs on the same cluster, outputs as they are.
fn both_on(side: &Side, args: &[&str], stdin: &[u8]) {
    let args = side.args(args);
    let want = cli(&oracle(), &args, stdin);
    let got = cli(ours(), &args, stdin);
    assert!(
        want == got,
        "{args:?}\n  redis-cli:    code {} stdout \"{}\" stderr \"{}\"\n  redis-cli-rs: code {} stdout \"{}\" stderr \"{}\"",
        want.code,
        show(&want.stdout),
        show(&want.stderr),
        got.code,
        show(&got.stdout),
        show(&got.stderr)
    );
}

/// Waits until redis-cli's own check calls the cluster healthy and every
/// node says `cluster_state:ok`.
///
/// Redis 7.0's gossip can leave a slot that no master claims after a
/// migration that every node acknowledged (redis/redis#2969, #3776: a
/// stale ping from the old owner reaching the new one), with redis-cli's
/// own steps as well; nothing a client sends afterwards changes it. When
/// the cluster is stuck in exactly that state (slots uncovered, none
/// open), the nodes' views and logs go to stderr and redis-cli's own
/// `--cluster fix` repairs it, as a user would; any other unhealthy state
/// fails the test.
fn healthy(side: &Side) {
    match wait_healthy(side, Duration::from_secs(20)) {
        Ok(()) => {}
        Err(last)
            if last.contains("[ERR] Not all 16384 slots are covered")
                && !last.contains("[WARNING]") =>
        {
            eprintln!("a slot lost to Redis's gossip race; the nodes' views:");
            for node in &side.nodes {
                let nodes = node.run(&["CLUSTER", "NODES"]);
                let log: String = std::fs::read_to_string(node.log_path())
                    .unwrap_or_default()
                    .lines()
                    .filter(|l| l.contains("poch") || l.contains("slot"))
                    .map(|l| format!("    {l}\n"))
                    .collect();
                eprintln!("{}:\n{nodes}\n{log}", addr(node));
            }
            let fix = cli(
                &oracle(),
                &side.args(&["--cluster", "fix", "{N0}"]),
                b"yes\n",
            );
            eprintln!(
                "redis-cli --cluster fix:\n{}",
                String::from_utf8_lossy(&fix.stdout)
            );
            if let Err(last) = wait_healthy(side, Duration::from_secs(20)) {
                panic!("the cluster becomes healthy after redis-cli's fix: {last}");
            }
        }
        Err(last) => panic!("the cluster becomes healthy: {last}"),
    }
}

fn wait_healthy(side: &Side, timeout: Duration) -> Result<(), String> {
    let args = side.args(&["--cluster", "check", "{N0}"]);
    wait_for("a healthy cluster", timeout, || {
        let o = cli(&oracle(), &args, b"");
        let text = String::from_utf8_lossy(&o.stdout).into_owned();
        if o.code != 0 || !text.contains("[OK] All nodes agree") || text.contains("[ERR]") {
            return Ok(Check::NotYet(text));
        }
        for (i, node) in side.nodes.iter().enumerate() {
            if side.gone.contains(&i) {
                continue;
            }
            let info = node.run(&["CLUSTER", "INFO"]);
            if !info.contains("cluster_state:ok") {
                return Ok(Check::NotYet(info));
            }
        }
        Ok(Check::Done(()))
    })
    .map_err(|e| e.to_string())
}

/// Writes the same keys on both clusters, each to the master of its slot
/// (slots split as `create` splits them over the first three nodes).
fn seed(side: &Side, count: usize) {
    for i in 0..count {
        let key = format!("key:{i}");
        let slot = usize::from(key_slot(key.as_bytes()));
        let master = match slot {
            0..=5460 => 0,
            5461..=10922 => 1,
            _ => 2,
        };
        let reply = side.nodes[master].run(&["SET", &key, &format!("value {i}")]);
        assert_eq!(reply, "+OK\r\n", "SET {key}");
    }
}

#[test]
fn cluster_manager_step_for_step() {
    let mut a = Side::new(fresh(6));
    let mut b = Side::new(fresh(6));
    let all = ["{N0}", "{N1}", "{N2}", "{N3}", "{N4}", "{N5}"];
    let mut create = vec!["--cluster", "create"];
    create.extend(all);
    create.extend(["--cluster-replicas", "1", "--cluster-yes"]);
    step(&a, &b, "create", &create, b"", same);
    healthy(&a);
    healthy(&b);
    seed(&a, 300);
    seed(&b, 300);

    // Read-only, both programs on the same cluster.
    for args in [
        vec!["--cluster", "check", "{N0}"],
        vec!["--cluster", "check", "127.0.0.1", "{P}"],
        vec!["--cluster", "info", "{N3}"],
        vec!["--cluster", "call", "{N0}", "DBSIZE"],
        vec![
            "--cluster",
            "call",
            "{N1}",
            "CONFIG",
            "GET",
            "cluster-node-timeout",
            "--cluster-only-masters",
        ],
        vec![
            "--cluster",
            "call",
            "{N1}",
            "ROLE",
            "--cluster-only-replicas",
        ],
        vec!["--cluster", "call", "{N0}", "NOSUCHCOMMAND"],
        vec![
            "--cluster",
            "del-node",
            "{N0}",
            "0123456789abcdef0123456789abcdef01234567",
        ],
        vec!["--cluster", "del-node", "{N0}", "{ID1}"],
        vec![
            "--cluster",
            "reshard",
            "{N0}",
            "--cluster-to",
            "nosuchid",
            "--cluster-slots",
            "10",
            "--cluster-from",
            "all",
        ],
        vec![
            "--cluster",
            "reshard",
            "{N0}",
            "--cluster-to",
            "{ID0}",
            "--cluster-slots",
            "10",
            "--cluster-from",
            "{ID3}",
            "--cluster-yes",
        ],
        vec![
            "--cluster",
            "rebalance",
            "{N0}",
            "--cluster-weight",
            "nosuch=2",
        ],
        vec!["--cluster", "rebalance", "{N0}"],
        // A slot count given on the command line is taken as it is, out
        // of range too (only 0, or no number, asks); without
        // --cluster-yes, the end of input declines the plan.
        vec![
            "--cluster",
            "reshard",
            "{N0}",
            "--cluster-from",
            "{ID1}",
            "--cluster-to",
            "{ID0}",
            "--cluster-slots",
            "-1",
        ],
        vec![
            "--cluster",
            "reshard",
            "{N0}",
            "--cluster-from",
            "{ID1}",
            "--cluster-to",
            "{ID0}",
            "--cluster-slots",
            "20000",
        ],
        vec!["--cluster", "set-timeout", "{N0}", "50"],
        vec!["--cluster", "import", "{N0}"],
        vec!["--cluster", "create", "{N0}", "{N1}", "{N2}"],
        vec!["--cluster", "add-node", "{N0}", "{N1}"],
    ] {
        let port = a.nodes[0].port().to_string();
        let args: Vec<&str> = args
            .iter()
            .map(|x| if *x == "{P}" { port.as_str() } else { x })
            .collect();
        both_on(&a, &args, b"");
    }
    // The answers a prompt reads come from stdin.
    both_on(
        &a,
        &[
            "--cluster",
            "reshard",
            "{N0}",
            "--cluster-slots",
            "5",
            "--cluster-from",
            "{ID0}",
            "--cluster-to",
            "{ID1}",
        ],
        b"no\n",
    );

    // Resharding, both ways, then rebalancing back.
    for (from, to) in [("{ID0}", "{ID1}"), ("{ID0}", "{ID2}")] {
        let args = [
            "--cluster",
            "reshard",
            "{N0}",
            "--cluster-from",
            from,
            "--cluster-to",
            to,
            "--cluster-slots",
            "100",
            "--cluster-yes",
            "--cluster-pipeline",
            "7",
        ];
        step(&a, &b, "reshard", &args, b"", same);
        healthy(&a);
        healthy(&b);
    }
    step(
        &a,
        &b,
        "rebalance --cluster-simulate",
        &["--cluster", "rebalance", "{N1}", "--cluster-simulate"],
        b"",
        same,
    );
    step(
        &a,
        &b,
        "rebalance",
        &["--cluster", "rebalance", "{N1}"],
        b"",
        same,
    );
    healthy(&a);
    healthy(&b);
    step(
        &a,
        &b,
        "rebalance, balanced",
        &["--cluster", "rebalance", "{N1}"],
        b"",
        same,
    );
    // Masters of different sizes, so that the next rebalance's order does
    // not depend on CLUSTER NODES's.
    let args = [
        "--cluster",
        "reshard",
        "{N0}",
        "--cluster-from",
        "{ID1}",
        "--cluster-to",
        "{ID0}",
        "--cluster-slots",
        "50",
        "--cluster-yes",
    ];
    step(&a, &b, "reshard", &args, b"", same);
    healthy(&a);
    healthy(&b);

    // A master and a replica added, then removed.
    a.add(fresh(1).pop().unwrap());
    b.add(fresh(1).pop().unwrap());
    step(
        &a,
        &b,
        "add-node",
        &["--cluster", "add-node", "{N6}", "{N0}"],
        b"",
        same,
    );
    healthy(&a);
    healthy(&b);
    a.add(fresh(1).pop().unwrap());
    b.add(fresh(1).pop().unwrap());
    step(
        &a,
        &b,
        "add-node --cluster-slave",
        &[
            "--cluster",
            "add-node",
            "{N7}",
            "{N0}",
            "--cluster-slave",
            "--cluster-master-id",
            "{ID6}",
        ],
        b"",
        same,
    );
    healthy(&a);
    healthy(&b);
    step(
        &a,
        &b,
        "rebalance to an empty master",
        &[
            "--cluster",
            "rebalance",
            "{N0}",
            "--cluster-use-empty-masters",
            "--cluster-weight",
            "{ID6}=0.5",
        ],
        b"",
        same,
    );
    healthy(&a);
    healthy(&b);
    step(
        &a,
        &b,
        "del-node of a master that serves slots",
        &["--cluster", "del-node", "{N0}", "{ID6}"],
        b"",
        same,
    );
    step(
        &a,
        &b,
        "del-node of a replica",
        &["--cluster", "del-node", "{N0}", "{ID7}"],
        b"",
        same,
    );
    a.gone.push(7);
    b.gone.push(7);
    healthy(&a);
    healthy(&b);

    step(
        &a,
        &b,
        "set-timeout",
        &["--cluster", "set-timeout", "{N0}", "3000"],
        b"",
        same,
    );

    // Open slots and an uncovered slot, repaired by fix.
    for side in [&a, &b] {
        let (n0, n1) = (&side.nodes[0], &side.nodes[1]);
        let (id0, id1) = (myid(n0), myid(n1));
        for slot in ["1000", "1001", "2000", "3000"] {
            n0.run(&["CLUSTER", "SETSLOT", slot, "MIGRATING", &id1]);
            n1.run(&["CLUSTER", "SETSLOT", slot, "IMPORTING", &id0]);
        }
    }
    step(
        &a,
        &b,
        "check with open slots",
        &["--cluster", "check", "{N0}"],
        b"",
        same,
    );
    step(
        &a,
        &b,
        "fix open slots",
        &["--cluster", "fix", "{N0}"],
        b"",
        same,
    );
    healthy(&a);
    healthy(&b);

    // Import from a standalone server (the same one, copied).
    let source = RedisServer::start().expect("redis-server starts");
    for i in 0..25 {
        source.run(&["SET", &format!("imported:{i}"), &i.to_string()]);
    }
    let from = format!("127.0.0.1:{}", source.port());
    step(
        &a,
        &b,
        "import",
        &[
            "--cluster",
            "import",
            "{N0}",
            "--cluster-from",
            &from,
            "--cluster-copy",
        ],
        b"",
        same,
    );
    step(
        &a,
        &b,
        "import again, keys there",
        &[
            "--cluster",
            "import",
            "{N0}",
            "--cluster-from",
            &from,
            "--cluster-copy",
        ],
        b"",
        same,
    );

    // Backup: the same report, and RDBs redis-check-rdb accepts.
    let dirs = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let (da, db) = (
        dirs.0.path().display().to_string(),
        dirs.1.path().display().to_string(),
    );
    let want = cli(
        &oracle(),
        &a.args(&["--cluster", "backup", "{N0}", &da]),
        b"",
    );
    let got = cli(ours(), &b.args(&["--cluster", "backup", "{N0}", &db]), b"");
    let norm = |side: &Side, bytes: &[u8], dir: &str| {
        side.normalize(
            String::from_utf8_lossy(bytes)
                .replace(dir, "DIR")
                .as_bytes(),
            same,
        )
    };
    // stderr: each master's transfer, in CLUSTER NODES order.
    let sorted = |text: String| {
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        lines.sort();
        lines.join("\n")
    };
    assert_eq!(
        (
            norm(&a, &want.stdout, &da),
            sorted(norm(&a, &want.stderr, &da)),
            want.code
        ),
        (
            norm(&b, &got.stdout, &db),
            sorted(norm(&b, &got.stderr, &db)),
            got.code
        ),
        "backup"
    );
    let files: Vec<_> = std::fs::read_dir(dirs.1.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    let saved = String::from_utf8_lossy(&got.stdout)
        .matches("Saving RDB")
        .count();
    assert!(saved >= 3, "{}", show(&got.stdout));
    assert_eq!(
        files
            .iter()
            .filter(|f| f.extension().is_some_and(|e| e == "rdb"))
            .count(),
        saved,
        "{files:?}"
    );
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "rdb"))
    {
        let check = std::process::Command::new("redis-check-rdb")
            .arg(file)
            .output()
            .unwrap();
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stdout)
        );
    }
    let json = std::fs::read_to_string(dirs.1.path().join("nodes.json")).unwrap();
    assert_eq!(
        b.normalize(json.as_bytes(), same).len(),
        a.normalize(
            std::fs::read_to_string(dirs.0.path().join("nodes.json"))
                .unwrap()
                .as_bytes(),
            same
        )
        .len()
    );

    // In the end, redis-cli's own check calls redis-cli-rs's cluster
    // healthy: every slot covered, no open slot, all nodes agree.
    let o = cli(&oracle(), &b.args(&["--cluster", "check", "{N0}"]), b"");
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(o.code, 0, "{text}");
    assert!(text.contains("[OK] All 16384 slots covered."), "{text}");
    assert!(
        !text.contains("[WARNING]") && !text.contains("[ERR]"),
        "{text}"
    );
}

/// `create` with a replica count that leaves fewer than 3 masters: the
/// same refusal as redis-cli; with `--cluster-replicas -1` (where
/// redis-cli 7.0 divides by zero and dies of SIGFPE) the same refusal
/// too, never a panic.
#[test]
fn create_refuses_replica_counts_without_3_masters() {
    let side = Side::new(fresh(3));
    let create = ["--cluster", "create", "{N0}", "{N1}", "{N2}"];
    for replicas in ["-2", "1"] {
        let mut args = create.to_vec();
        args.extend(["--cluster-replicas", replicas]);
        both_on(&side, &args, b"");
    }
    let mut args = create.to_vec();
    args.extend(["--cluster-replicas", "-1"]);
    let got = cli(ours(), &side.args(&args), b"");
    assert_eq!(
        (show(&got.stdout), show(&got.stderr), got.code),
        (
            show(
                b"*** ERROR: Invalid configuration for cluster creation.\n\
                  *** Redis Cluster requires at least 3 master nodes.\n\
                  *** This is not possible with 3 nodes and -1 replicas per node.\n\
                  *** At least 0 nodes are required.\n"
            ),
            String::new(),
            1
        )
    );
}

/// `fix` with every master down and the slots free to cover: no master is
/// left to give them to. redis-cli aborts on an assertion (SIGABRT); ours
/// says so and exits 1, without a panic.
#[test]
fn fix_with_no_reachable_master_says_so() {
    let cluster = RedisCluster::builder()
        .replicas_per_master(1)
        .node_timeout(Duration::from_secs(60))
        .start()
        .unwrap();
    let replica = cluster.replicas()[0];
    for master in cluster.masters() {
        master.kill();
    }
    let args: Vec<String> = [
        "--cluster",
        "fix",
        &addr(replica),
        "--cluster-fix-with-unreachable-masters",
        "--cluster-yes",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let got = cli(ours(), &args, b"yes\n");
    let stdout = show(&got.stdout);
    let stderr = show(&got.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(got.code, 1, "{stdout}{stderr}");
    assert!(
        stdout.contains("[ERR] No reachable master to cover slot"),
        "{stdout}"
    );
}
