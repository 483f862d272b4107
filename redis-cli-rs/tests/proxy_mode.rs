//! `redis-cli-rs --proxy` as a program: a config file, the admin listener
//! driven by the real `redis-cli`, and errors on bad input.

use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use integration_tests::{allocate_port, wait_for, Check, RedisServer, Reply};

const BIN: &str = env!("CARGO_BIN_EXE_redis-cli-rs");
/// Long enough that starting redis-cli on a loaded machine stays below it.
const DELAY: Duration = Duration::from_millis(500);

fn redis_cli() -> String {
    std::env::var("REDIS_CLI_BIN").unwrap_or_else(|_| "redis-cli".into())
}

/// A running `redis-cli-rs --proxy`, killed on drop.
struct ProxyProcess {
    child: Child,
    listen: SocketAddr,
    admin: SocketAddr,
}

impl Drop for ProxyProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts the proxy in front of `server` with `config` and waits until
/// it prints its addresses.
fn start(server: &RedisServer, config: &Path) -> ProxyProcess {
    let mut child = Command::new(BIN)
        .args([
            "--proxy",
            "--listen",
            "127.0.0.1:0",
            "--admin",
            "127.0.0.1:0",
        ])
        .arg("--upstream")
        .arg(server.addr().to_string())
        .arg("--config")
        .arg(config)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("redis-cli-rs runs");
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let mut next = || lines.next().expect("a line").expect("text");
    // "proxy 127.0.0.1:PORT -> UPSTREAM", then "admin 127.0.0.1:PORT"
    let first = next();
    let listen = first.split(' ').nth(1).unwrap().parse().unwrap();
    assert_eq!(first, format!("proxy {listen} -> {}", server.addr()));
    let admin = next().strip_prefix("admin ").unwrap().parse().unwrap();
    ProxyProcess {
        child,
        listen,
        admin,
    }
}

/// Runs the real redis-cli against `addr`: its stdout, and how long it took.
fn cli(addr: SocketAddr, args: &[&str]) -> (String, Duration) {
    let start = Instant::now();
    let out = Command::new(redis_cli())
        .args(["-p", &addr.port().to_string()])
        .args(args)
        .output()
        .expect("redis-cli runs");
    (String::from_utf8(out.stdout).unwrap(), start.elapsed())
}

fn write_config(dir: &Path, text: &str) -> std::path::PathBuf {
    let path = dir.join("faults.json");
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn apisix_config_file_and_admin_commands_with_redis_cli() {
    let server = RedisServer::start().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        r#"{"faults": [{"commands": ["get", "ping"], "delay": 0.5},
                      {"commands": ["set"], "key": "slow", "delay": 0.5}]}"#,
    );
    let proxy = start(&server, &config);
    // The config is in force for the first connection.
    let (out, took) = cli(proxy.listen, &["PING"]);
    assert_eq!(out, "PONG\n");
    assert!(took >= DELAY, "PING took {took:?}");
    let (out, took) = cli(proxy.listen, &["GET", "k"]);
    assert_eq!(out, "\n");
    assert!(took >= DELAY, "GET took {took:?}");
    let (out, took) = cli(proxy.listen, &["SET", "k", "v"]);
    assert_eq!(out, "OK\n");
    assert!(took < DELAY, "SET k took {took:?}");
    let (_, took) = cli(proxy.listen, &["SET", "slow", "v"]);
    assert!(took >= DELAY, "SET slow took {took:?}");

    // The admin listener, driven by redis-cli.
    let admin = proxy.admin;
    let (out, _) = cli(admin, &["FAULT", "LIST"]);
    let listed: Vec<&str> = out.lines().collect();
    assert_eq!(listed.len(), 2, "{out}");
    assert!(
        listed[0].contains(r#""name":"fault-1""#) && listed[0].contains(r#""applied":2"#),
        "{out}"
    );
    let (out, _) = cli(
        admin,
        &[
            "FAULT",
            "ADD",
            r#"{"name": "try", "commands": ["incr"], "error": "-TRYAGAIN later", "count": 1}"#,
        ],
    );
    assert_eq!(out, "try\n");
    let (out, _) = cli(proxy.listen, &["INCR", "n"]);
    // redis-cli prints an error reply and a blank line.
    assert_eq!(out, "TRYAGAIN later\n\n");
    let (out, _) = cli(proxy.listen, &["INCR", "n"]);
    assert_eq!(out, "1\n");
    let (out, _) = cli(admin, &["FAULT", "DEL", "fault-1", "nope"]);
    assert_eq!(out, "1\n");
    let (_, took) = cli(proxy.listen, &["PING"]);
    assert!(took < DELAY, "PING no longer delayed, took {took:?}");
    let (out, _) = cli(
        admin,
        &["FAULT", "ADD", r#"{"commands": ["get"], "delay": "1"}"#],
    );
    assert_eq!(
        out,
        "ERR fault: field \"delay\": expected a number of seconds (0 to 86400), got \"1\"\n\n"
    );
    let (out, _) = cli(admin, &["STATS"]);
    assert!(out.contains("cmdstat_ping:calls=2,"), "{out}");
    assert!(out.contains("cmdstat_incr:calls=2,"), "{out}");
    assert!(
        out.contains("fault_try:kind=rule,matched=2,applied=1"),
        "{out}"
    );

    // PAUSE holds a command until RESUME; KILL closes connections.
    assert_eq!(cli(admin, &["PAUSE"]).0, "OK\n");
    let held = Command::new(redis_cli())
        .args([
            "-p",
            &proxy.listen.port().to_string(),
            "SET",
            "after-pause",
            "1",
        ])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(server.query(&["EXISTS", "after-pause"]), Reply::Integer(0));
    assert_eq!(cli(admin, &["RESUME"]).0, "OK\n");
    let status = wait_child(held);
    assert!(status.success());
    assert_eq!(server.query(&["EXISTS", "after-pause"]), Reply::Integer(1));
    assert_eq!(cli(admin, &["KILL"]).0, "0\n");
    assert_eq!(cli(admin, &["FAULT", "RESET"]).0, "OK\n");
    // An empty array, as redis-cli prints it.
    assert_eq!(cli(admin, &["FAULT", "LIST"]).0, "\n");
    let (out, _) = cli(admin, &["NOPE"]);
    assert!(out.starts_with("ERR unknown command 'NOPE'"), "{out}");
}

fn wait_child(mut child: Child) -> std::process::ExitStatus {
    wait_for("redis-cli to finish", Duration::from_secs(10), || {
        Ok(match child.try_wait().unwrap() {
            Some(status) => Check::Done(status),
            None => Check::NotYet("running".into()),
        })
    })
    .unwrap()
}

#[test]
fn bad_config_names_the_rule_and_field_and_exits_1() {
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        dir.path(),
        r#"{"faults": [{"commands": ["get"], "delay": 1},
                      {"name": "broken", "commands": ["set"], "error": "-ERR x", "drop_reply": true}]}"#,
    );
    let port = allocate_port().expect("a free port");
    let out = Command::new(BIN)
        .args(["--proxy", "--listen"])
        .arg(format!("127.0.0.1:{}", port.port()))
        .arg("--config")
        .arg(&config)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr,
        format!(
            "redis-cli-rs --proxy: {}: faults[1] (\"broken\"): field \"drop_reply\": cannot be combined with \"error\" (one action per rule)\n",
            config.display()
        )
    );
    assert!(out.stdout.is_empty());
    let out = Command::new(BIN)
        .args(["--proxy", "--config", "/nonexistent/faults.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let out = Command::new(BIN)
        .args(["--proxy", "--frobnicate"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "redis-cli-rs --proxy: unknown option \"--frobnicate\" (see --proxy --help)\n"
    );
    // redis-cli's own command line is untouched: --proxy elsewhere is an
    // unknown option, as redis-cli says.
    let out = Command::new(BIN)
        .args(["-p", "1", "--proxy"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "Unrecognized option or bad number of args for: '--proxy'\n"
    );
}
