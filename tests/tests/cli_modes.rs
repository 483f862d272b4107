//! `redis-cli-rs`'s special modes against the real `redis-cli` (Debian's
//! 7.0) on the same fresh servers: `--rdb`, `--functions-rdb`,
//! `--replica`, `--hotkeys`, `--ldb`, `--latency-dist`, `--lru-test`,
//! `--tls-ciphersuites`; outputs identical where they are deterministic,
//! equal in shape where they are not (byte counts, timings), exit codes
//! equal. And what redis-cli 7.0 has no counterpart for: `-t` (newer
//! redis-cli), the atomic `--rdb` file, every frame of `--replica` printed.
//!
//! The binary is built next to this test's executable, as in
//! `cli_compare.rs`.

#[path = "cli_compare/bins.rs"]
mod bins;
#[path = "cli_compare/run.rs"]
mod run;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use bins::{oracle, ours};
use integration_tests::hostile::Hostile;
use integration_tests::{wait_for, Check, RedisServer, Reply};
use run::{Interrupt, Output};

fn show(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).escape_debug().to_string()
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|a| a.to_string()).collect()
}

/// Runs both programs with `args` (stdout a pipe, `env` added); the two
/// outputs.
fn both(args: &[String], stdin: &[u8], env: &[(&str, &str)]) -> (Output, Output) {
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let want = run::run(&oracle(), args, stdin, false, &env, None);
    let got = run::run(ours(), args, stdin, false, &env, None);
    (want, got)
}

fn assert_same(what: &str, want: &Output, got: &Output) {
    assert!(
        want == got,
        "{what}\n  redis-cli:    code {} stdout \"{}\" stderr \"{}\"\n  redis-cli-rs: code {} stdout \"{}\" stderr \"{}\"",
        want.code,
        show(&want.stdout),
        show(&want.stderr),
        got.code,
        show(&got.stdout),
        show(&got.stderr)
    );
}

/// Digits replaced by `#`, for byte counts that may differ by a few.
fn digits_hidden(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes)
        .chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect::<String>()
        .replace("##", "#")
        .replace("##", "#")
        .replace("##", "#")
}

fn digest(server: &RedisServer) -> Reply {
    server.query(&["DEBUG", "DIGEST"])
}

/// Loads `rdb` into `server` (as its dump.rdb, `DEBUG RELOAD NOSAVE`).
fn load_into(server: &RedisServer, rdb: &Path) {
    std::fs::copy(rdb, server.dir().join("dump.rdb")).expect("copy the RDB");
    assert_eq!(
        server.run(&["DEBUG", "RELOAD", "NOSAVE"]),
        "+OK\r\n",
        "{}",
        server.log_tail(5)
    );
}

#[test]
fn rdb_and_functions_rdb_match_redis_cli_and_load_back() {
    let server = RedisServer::builder()
        .config("save \"\"")
        .start()
        .expect("redis-server starts");
    server.run(&["DEBUG", "POPULATE", "5000", "key", "100"]);
    server.run(&["HSET", "h", "a", "1", "b", "2"]);
    server.run(&["RPUSH", "l", "x", "y", "z"]);
    server.run(&[
        "FUNCTION",
        "LOAD",
        "#!lua name=lib1\nredis.register_function('f1', function() return 1 end)",
    ]);
    let want_digest = digest(&server);
    let dir = tempfile::tempdir().expect("temp dir");
    for diskless in ["no", "yes"] {
        server.run(&["CONFIG", "SET", "repl-diskless-sync", diskless]);
        server.run(&["CONFIG", "SET", "repl-diskless-sync-delay", "0"]);
        for option in ["--rdb", "--functions-rdb"] {
            let files: Vec<_> = ["redis-cli", "ours"]
                .iter()
                .map(|who| dir.path().join(format!("{who}-{option}-{diskless}.rdb")))
                .collect();
            let run = |program: &Path, file: &Path| {
                let args = strings(&[
                    "-p",
                    &server.port().to_string(),
                    option,
                    &file.display().to_string(),
                ]);
                run::run(program, &args, b"", false, &[], None)
            };
            let want = run(&oracle(), &files[0]);
            let got = run(ours(), &files[1]);
            let name = |o: &Output, f: &Path| {
                let text =
                    String::from_utf8_lossy(&o.stderr).replace(&f.display().to_string(), "FILE");
                digits_hidden(text.as_bytes())
            };
            assert_eq!(
                (name(&want, &files[0]), want.code),
                (name(&got, &files[1]), got.code),
                "{option} diskless {diskless}: {want:?} / {got:?}"
            );
            assert!(String::from_utf8_lossy(&got.stderr).contains("Transfer finished with success"));
            // redis-check-rdb accepts it.
            let check = Command::new("redis-check-rdb")
                .arg(&files[1])
                .output()
                .expect("run redis-check-rdb");
            assert!(
                check.status.success(),
                "redis-check-rdb: {}",
                String::from_utf8_lossy(&check.stdout)
            );
            // It loads into a fresh server with the same keys (or only
            // the functions).
            let fresh = RedisServer::start().expect("a fresh server");
            load_into(&fresh, &files[1]);
            let functions = fresh.run(&["FUNCTION", "LIST"]);
            assert!(functions.contains("lib1"), "{functions}");
            if option == "--rdb" {
                assert_eq!(fresh.query(&["DBSIZE"]), Reply::Integer(5002));
                assert_eq!(digest(&fresh), want_digest);
            } else {
                assert_eq!(fresh.query(&["DBSIZE"]), Reply::Integer(0));
            }
        }
    }
    // "-" writes the RDB to stdout.
    let args = strings(&["-p", &server.port().to_string(), "--rdb", "-"]);
    let got = run::run(ours(), &args, b"", false, &[], None);
    assert_eq!(got.code, 0);
    assert!(got.stdout.starts_with(b"REDIS"), "{}", show(&got.stderr));
}

#[test]
fn rdb_is_written_atomically() {
    // A master that announces 100 bytes, sends 10 and hangs up.
    let master = Hostile::start(|mut peer| {
        while let Some(argv) = peer.read_command() {
            if argv[0].eq_ignore_ascii_case(b"SYNC") {
                peer.send(b"$100\r\nREDIS0010\x00");
                peer.close();
                return;
            }
            peer.send(b"+OK\r\n");
        }
    });
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("dump.rdb");
    std::fs::write(&file, b"the previous dump").unwrap();
    let args = strings(&[
        "-p",
        &master.port().to_string(),
        "--rdb",
        &file.display().to_string(),
    ]);
    let got = run::run(ours(), &args, b"", false, &[], None);
    assert_eq!(got.code, 1);
    assert!(
        String::from_utf8_lossy(&got.stderr)
            .ends_with("I/O Error reading RDB payload from socket\n"),
        "{}",
        show(&got.stderr)
    );
    assert_eq!(std::fs::read(&file).unwrap(), b"the previous dump");
    let left: Vec<_> = std::fs::read_dir(dir.path()).unwrap().flatten().collect();
    assert_eq!(left.len(), 1, "no temporary file left: {left:?}");
}

/// Waits until `server` has a replica online (`redis-cli --replica`).
fn replica_online(server: &RedisServer) {
    wait_for("a replica online", Duration::from_secs(20), || {
        let info = server.run(&["INFO", "replication"]);
        Ok(if info.contains("state=online") {
            Check::Done(())
        } else {
            Check::NotYet(info)
        })
    })
    .expect("--replica connects");
}

/// `--replica` until the master drops it.
fn replica_run(program: &Path, server: &RedisServer) -> Output {
    let args = strings(&["-p", &server.port().to_string(), "--replica"]);
    let during = || {
        replica_online(server);
        // After a diskless transfer the replica waits a second before its
        // first ACK; writes are sent after it.
        std::thread::sleep(Duration::from_millis(1500));
        for i in 0..20 {
            server.run(&["SET", &format!("k{i}"), &format!("v{i}")]);
        }
        server.run(&["HSET", "h", "f", "with \"quotes\""]);
        std::thread::sleep(Duration::from_millis(300));
        server.run(&["CLIENT", "KILL", "TYPE", "replica"]);
    };
    run::run(
        program,
        &args,
        b"",
        false,
        &[],
        Some(&Interrupt { during: &during }),
    )
}

/// `--replica` asks for `rdb-filter-only`, so 7.0 masters always send a
/// diskless payload, after which redis-cli's `REPLCONF ACK` (sent with
/// `redisCommand`, which waits for a reply that never comes) swallows the
/// stream's first frame, here `SELECT 0`. redis-cli-rs prints every
/// frame: its output is that frame, then redis-cli's.
#[test]
fn replica_prints_the_stream_as_redis_cli() {
    let server = RedisServer::start().expect("redis-server starts");
    server.run(&["SET", "before", "1"]);
    let want = replica_run(&oracle(), &server);
    let got = replica_run(ours(), &server);
    let (w, g) = (
        String::from_utf8_lossy(&want.stdout).into_owned(),
        String::from_utf8_lossy(&got.stdout).into_owned(),
    );
    assert_eq!(g, format!("\"SELECT\",\"0\"\n{w}"), "redis-cli: {w}");
    assert!(g.contains("\"SET\",\"k19\",\"v19\"\n"), "{g}");
    assert!(
        g.contains("\"HSET\",\"h\",\"f\",\"with \\\"quotes\\\"\"\n"),
        "{g}"
    );
    assert_eq!(digits_hidden(&want.stderr), digits_hidden(&got.stderr));
    assert_eq!((want.code, got.code), (1, 1));
    assert!(String::from_utf8_lossy(&got.stderr).ends_with("Error: Server closed the connection\n"));
}

#[test]
fn hotkeys_with_and_without_an_lfu_policy() {
    // No decay: the counters would drop by one for both programs or, when
    // a minute starts between the two runs, for the second one only.
    let server = RedisServer::builder()
        .config("maxmemory-policy allkeys-lfu")
        .config("lfu-decay-time 0")
        .start()
        .expect("redis-server starts");
    for i in 0..40 {
        let key = format!("k{i}");
        server.run(&["SET", &key, "v"]);
        for _ in 0..(i % 9) {
            server.run(&["GET", &key]);
        }
    }
    let port = server.port().to_string();
    for args in [
        vec!["-p", &port, "--hotkeys"],
        vec!["-p", &port, "--hotkeys", "--pattern", "k1*"],
    ] {
        let (want, got) = both(&strings(&args), b"", &[]);
        assert_same(&format!("{args:?}"), &want, &got);
    }
    server.run(&["CONFIG", "SET", "maxmemory-policy", "noeviction"]);
    let (want, got) = both(&strings(&["-p", &port, "--hotkeys"]), b"", &[]);
    assert_same("--hotkeys without LFU", &want, &got);
    assert_eq!(got.code, 1);
}

#[test]
fn lua_debugger_sessions() {
    let server = RedisServer::start().expect("redis-server starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let script = dir.path().join("s.lua");
    std::fs::write(
        &script,
        "local a = 1\nlocal b = 2\nredis.call('set', KEYS[1], ARGV[1])\nreturn a + b\n",
    )
    .unwrap();
    let bad = dir.path().join("bad.lua");
    std::fs::write(&bad, "return (\n").unwrap();
    let port = server.port().to_string();
    let (s, b) = (script.display().to_string(), bad.display().to_string());
    let cases: Vec<(Vec<&str>, &[u8])> = vec![
        (
            vec!["-p", &port, "--ldb", "--eval", &s, "k", ",", "v"],
            b"next\nprint\nnext\nredis ping\ncontinue\nget k\n",
        ),
        (
            vec!["-p", &port, "--ldb", "--eval", &s, "k", ",", "v"],
            b"help\nbreak 3\ncontinue\nrestart\nstep\neval redis.call('ping')\nabort\n",
        ),
        (
            vec!["-p", &port, "--ldb-sync-mode", "--eval", &s, "k", ",", "v"],
            b"step\nlist\nwhole\ncontinue\nget k\n",
        ),
        (vec!["-p", &port, "--ldb", "--eval", &b], b""),
        (vec!["-p", &port, "--ldb", "--eval", &s], b"quit\n"),
    ];
    for term in ["dumb", "xterm-256color"] {
        for (args, input) in &cases {
            let (want, got) = both(&strings(args), input, &[("TERM", term)]);
            assert_same(&format!("TERM={term} {args:?}"), &want, &got);
        }
    }
}

/// `--latency-dist` in a terminal: the legend, then lines of the
/// spectrum.
fn spectrum(o: &Output) -> bool {
    let text = String::from_utf8_lossy(&o.stdout).replace("\r\n", "\n");
    text.starts_with("---------------------------------------------\n. - * #          .01 .125 .25 .5 milliseconds\n")
        && text.contains("From 0 to 100%: \x1b[48;5;0m \x1b[48;5;233m")
        && text.contains("\x1b[38;5;0m\x1b[48;5;")
        && o.stderr.is_empty()
}

/// `--lru-test`: one line a second.
fn lru_lines(o: &Output) -> bool {
    let text = String::from_utf8_lossy(&o.stdout).replace("\r\n", "\n");
    let lines: Vec<&str> = text.lines().collect();
    !lines.is_empty()
        && lines.iter().all(|l| {
            let words: Vec<&str> = l.split(' ').collect();
            words.len() == 10
                && words[1] == "Gets/sec"
                && words[3] == "Hits:"
                && words[5].ends_with("%)")
                && words[7] == "Misses:"
        })
        && o.stderr.is_empty()
}

#[test]
fn timing_modes_by_shape() {
    let server = RedisServer::start().expect("redis-server starts");
    let port = server.port().to_string();
    for (args, check, tty) in [
        (
            vec!["-p", &port, "--latency-dist", "-i", "0.3"],
            spectrum as fn(&Output) -> bool,
            true,
        ),
        (
            vec!["-p", &port, "--latency-dist", "--mono", "-i", "0.3"],
            spectrum,
            true,
        ),
        (vec!["-p", &port, "--lru-test", "500"], lru_lines, true),
    ] {
        let args = strings(&args);
        let want = run::run_for(&oracle(), &args, tty, Duration::from_millis(3000));
        let got = run::run_for(ours(), &args, tty, Duration::from_millis(3000));
        assert!(check(&want), "redis-cli {args:?}: {}", show(&want.stdout));
        assert!(check(&got), "redis-cli-rs {args:?}: {}", show(&got.stdout));
        assert_eq!(want.code, got.code, "{args:?}");
    }
}

#[test]
fn tls_ciphersuites_as_redis_cli() {
    let server = RedisServer::builder()
        .tls()
        .config("tls-protocols \"TLSv1.3\"")
        .config("tls-ciphersuites TLS_AES_128_GCM_SHA256")
        .start()
        .expect("a TLS redis-server starts");
    let port = server.tls_port().expect("a TLS port").to_string();
    let ca = server
        .tls_certs()
        .expect("certificates")
        .ca_cert()
        .display()
        .to_string();
    let base = ["-p", &port, "--tls", "--cacert", &ca];
    for extra in [
        vec!["ping"],
        vec!["--tls-ciphersuites", "TLS_AES_128_GCM_SHA256", "ping"],
        vec![
            "--tls-ciphersuites",
            "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384",
            "ping",
        ],
        // No suite in common: the handshake fails, in hiredis' words.
        vec!["--tls-ciphersuites", "TLS_AES_256_GCM_SHA384", "ping"],
        vec!["--tls-ciphersuites", "bogus", "ping"],
        vec!["--tls-ciphers", "bogus", "ping"],
        vec!["--tls-ciphersuites", "bogus", "--scan"],
    ] {
        let mut args = base.to_vec();
        args.extend(extra);
        let (want, got) = both(&strings(&args), b"", &[]);
        assert_same(&format!("{args:?}"), &want, &got);
    }
    // A valid TLS 1.2 list cannot be applied through native-tls: refused,
    // never silently ignored.
    let mut args = base.to_vec();
    args.extend(["--tls-ciphers", "ECDHE-RSA-AES128-GCM-SHA256", "ping"]);
    let got = run::run(ours(), &strings(&args), b"", false, &[], None);
    assert_eq!(got.code, 1);
    assert!(
        String::from_utf8_lossy(&got.stderr).contains("--tls-ciphers cannot be applied here"),
        "{}",
        show(&got.stderr)
    );
}

#[test]
fn timeout_option() {
    // A server that accepts and never answers.
    let silent = Hostile::start(|mut peer| while peer.read_command().is_some() {});
    let port = silent.port().to_string();
    let start = Instant::now();
    let got = run::run(
        ours(),
        &strings(&["-p", &port, "-t", "0.3", "ping"]),
        b"",
        false,
        &[],
        None,
    );
    let took = start.elapsed();
    assert_eq!(got.code, 1, "{got:?}");
    assert_eq!(
        show(&got.stderr),
        "Error: Resource temporarily unavailable\\n"
    );
    assert!(took < Duration::from_secs(5), "took {took:?}");
    // The same in a mode, and while piped lines run.
    let got = run::run(
        ours(),
        &strings(&["-p", &port, "-t", "0.2", "--scan"]),
        b"",
        false,
        &[],
        None,
    );
    assert_eq!(got.code, 1, "{got:?}");
    // 0 is no limit; a real server answers as usual.
    let server = RedisServer::start().expect("redis-server starts");
    let sport = server.port().to_string();
    for t in ["0", "1.5", "0.25"] {
        let got = run::run(
            ours(),
            &strings(&["-p", &sport, "-t", t, "ping"]),
            b"",
            false,
            &[],
            None,
        );
        assert_eq!(
            (got.code, show(&got.stdout)),
            (0, "PONG\\n".to_string()),
            "-t {t}"
        );
    }
    // A blocking command waits for its own timeout, whatever -t says.
    let got = run::run(
        ours(),
        &strings(&["-p", &sport, "-t", "0.3", "blpop", "nolist", "1"]),
        b"",
        false,
        &[],
        None,
    );
    assert_eq!(
        (got.code, show(&got.stdout)),
        (0, "\\n".to_string()),
        "{got:?}"
    );
    for bad in ["-1", "abc", "1s", "nan"] {
        let got = run::run(
            ours(),
            &strings(&["-t", bad, "ping"]),
            b"",
            false,
            &[],
            None,
        );
        assert_eq!(
            (got.code, show(&got.stderr)),
            (1, "Invalid connection timeout for -t.\\n".to_string()),
            "-t {bad}"
        );
    }
    // Connecting: a listener that never accepts, its backlog full, lets
    // no more connections through (the kernel drops the SYNs).
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    let mut held = Vec::new();
    let mut full = false;
    for _ in 0..1000 {
        match std::net::TcpStream::connect_timeout(&addr, Duration::from_millis(100)) {
            Ok(s) => held.push(s),
            Err(_) => {
                full = true;
                break;
            }
        }
    }
    if full {
        let start = Instant::now();
        let got = run::run(
            ours(),
            &strings(&["-p", &addr.port().to_string(), "-t", "0.5", "ping"]),
            b"",
            false,
            &[],
            None,
        );
        assert_eq!(
            (got.code, show(&got.stderr)),
            (
                1,
                format!(
                    "Could not connect to Redis at 127.0.0.1:{}: Connection timed out\\n",
                    addr.port()
                )
            )
        );
        assert!(start.elapsed() < Duration::from_secs(5));
    } else {
        eprintln!("the backlog never filled: connect timeout not checked");
    }
    drop(held);
}
