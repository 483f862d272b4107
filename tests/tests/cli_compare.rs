//! `redis-cli-rs` against the real `redis-cli` (Debian's 7.0): the same
//! command lines on the same freshly seeded server, each run with stdout
//! in a pseudo-terminal (standard output mode) and in a pipe (raw mode),
//! must give the same stdout, stderr and exit code.
//!
//! The `redis-cli-rs` binary is found next to this test's executable
//! (`target/<profile>/redis-cli-rs`), after a `cargo build -p
//! redis-cli-rs` in the same profile: a test in the `integration-tests`
//! package cannot use `CARGO_BIN_EXE_*` of another package, and keeping
//! the suite here puts it beside the harness it needs.
//!
//! Outputs that depend on time (`--latency`, `--stat`) are compared by
//! shape; `MONITOR` lines have their timestamp and client address
//! replaced. `--help` and `--version` are not compared: they name
//! `redis-cli-rs` on purpose.

#[path = "cli_compare/bins.rs"]
mod bins;
#[path = "cli_compare/run.rs"]
mod run;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use bins::{oracle, ours};
use integration_tests::hostile::Hostile;
use integration_tests::{encode_command, RedisServer};
use run::{Interrupt, Output};

/// The data every run starts from.
fn seed_commands() -> Vec<Vec<Vec<u8>>> {
    let c = |args: &[&[u8]]| args.iter().map(|a| a.to_vec()).collect::<Vec<_>>();
    let mut cmds = vec![
        c(&[b"FLUSHALL"]),
        c(&[b"SET", b"s", b"hello world"]),
        c(&[
            b"SET",
            b"bin",
            b"a\x01b\"c\\d\n\t\r\x07\x08\x7f\xc3\xa9\x00z",
        ]),
        c(&[b"SET", b"empty", b""]),
        c(&[b"SET", b"int", b"42"]),
        c(&[b"SET", b"unicode", "héllo wörld ✓".as_bytes()]),
        c(&[b"RPUSH", b"l", b"a", b"b", b"c"]),
        c(&[b"HSET", b"h", b"f1", b"v1", b"f2", b"v2"]),
        c(&[b"SADD", b"st", b"x"]),
        c(&[b"ZADD", b"z", b"1", b"a", b"2.5", b"b"]),
        c(&[b"XADD", b"stream", b"1-1", b"f", b"v"]),
        c(&[b"SELECT", b"1"]),
        c(&[b"SET", b"in-db-1", b"yes"]),
        c(&[b"SELECT", b"0"]),
    ];
    let mut big = c(&[b"RPUSH", b"biglist"]);
    for i in 1..=12 {
        big.push(format!("item{i}").into_bytes());
    }
    cmds.push(big);
    cmds
}

/// Flushes and seeds the server in one round trip.
fn seed(server: &RedisServer) {
    let mut stream = TcpStream::connect(("127.0.0.1", server.port())).expect("connect to seed");
    stream
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    // The password of the requirepass server (an error reply elsewhere).
    let mut bytes = encode_command(&["AUTH", "secret"]);
    for cmd in seed_commands() {
        bytes.extend(encode_command(&cmd));
    }
    bytes.extend(encode_command(&["PING"]));
    stream.write_all(&bytes).unwrap();
    let mut got = Vec::new();
    let mut chunk = [0u8; 4096];
    while !got.ends_with(b"+PONG\r\n") {
        let n = stream.read(&mut chunk).expect("seed replies");
        assert!(n > 0, "server closed while seeding");
        got.extend_from_slice(&chunk[..n]);
    }
}

/// How two runs are compared.
#[derive(Clone, Copy)]
enum Compare {
    /// Byte for byte.
    Exact,
    /// After a rewrite of both outputs (volatile parts replaced).
    Normalized(fn(&[u8]) -> Vec<u8>),
    /// By shape: the check must accept both outputs, and the exit codes
    /// must agree.
    Shape(fn(&Output) -> bool),
}

/// Which stdout kinds a case runs with.
#[derive(Clone, Copy, PartialEq)]
enum Outs {
    Both,
    PipeOnly,
}

struct Case {
    name: &'static str,
    args: Vec<String>,
    stdin: Vec<u8>,
    env: Vec<(String, String)>,
    compare: Compare,
    outs: Outs,
    /// For streaming commands: what to do before Ctrl-C.
    during: Option<fn(&RedisServer)>,
}

fn case(name: &'static str, args: &[&str]) -> Case {
    Case {
        name,
        args: args.iter().map(|a| a.to_string()).collect(),
        stdin: Vec::new(),
        env: Vec::new(),
        compare: Compare::Exact,
        outs: Outs::Both,
        during: None,
    }
}

impl Case {
    fn stdin(mut self, input: &[u8]) -> Case {
        self.stdin = input.to_vec();
        self
    }
    fn env(mut self, k: &str, v: &str) -> Case {
        self.env.push((k.into(), v.into()));
        self
    }
    fn compare(mut self, c: Compare) -> Case {
        self.compare = c;
        self
    }
    fn pipe_only(mut self) -> Case {
        self.outs = Outs::PipeOnly;
        self
    }
    fn during(mut self, f: fn(&RedisServer)) -> Case {
        self.during = Some(f);
        self
    }
}

fn show(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).escape_debug().to_string()
}

/// Runs every case with both programs; returns the failures.
fn run_cases(server: &RedisServer, cases: &[Case], subst: &dyn Fn(&str) -> String) -> Vec<String> {
    let mut failures = Vec::new();
    for case in cases {
        let args: Vec<String> = case.args.iter().map(|a| subst(a)).collect();
        let ttys: &[bool] = match case.outs {
            Outs::Both => &[true, false],
            Outs::PipeOnly => &[false],
        };
        for &tty in ttys {
            let mut outputs = Vec::new();
            for program in [oracle(), ours().to_path_buf()] {
                seed(server);
                let during = case.during.map(|f| move || f(server));
                let interrupt = during.as_ref().map(|d| Interrupt { during: d });
                outputs.push(run::run(
                    &program,
                    &args,
                    &case.stdin,
                    tty,
                    &case.env,
                    interrupt.as_ref(),
                ));
            }
            let (want, got) = (&outputs[0], &outputs[1]);
            let same = match case.compare {
                Compare::Exact => want == got,
                Compare::Normalized(f) => {
                    f(&want.stdout) == f(&got.stdout)
                        && f(&want.stderr) == f(&got.stderr)
                        && want.code == got.code
                }
                Compare::Shape(check) => check(want) && check(got) && want.code == got.code,
            };
            if !same {
                failures.push(format!(
                    "case '{}' ({}) {:?}\n  redis-cli:    code {} stdout \"{}\" stderr \"{}\"\n  redis-cli-rs: code {} stdout \"{}\" stderr \"{}\"",
                    case.name,
                    if tty { "pty" } else { "pipe" },
                    args,
                    want.code,
                    show(&want.stdout),
                    show(&want.stderr),
                    got.code,
                    show(&got.stdout),
                    show(&got.stderr),
                ));
            }
        }
    }
    failures
}

fn check(server: &RedisServer, cases: Vec<Case>) {
    check_with(server, cases, &|a: &str| a.to_string());
}

fn check_with(server: &RedisServer, cases: Vec<Case>, subst: &dyn Fn(&str) -> String) {
    let port = server.port().to_string();
    let subst = |a: &str| subst(&a.replace("{port}", &port));
    let failures = run_cases(server, &cases, &subst);
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

fn p(args: &[&str]) -> Vec<&'static str> {
    let mut v = vec!["-p", "{port}"];
    v.extend(
        args.iter()
            .map(|a| -> &'static str { Box::leak(a.to_string().into_boxed_str()) }),
    );
    v
}

fn server() -> RedisServer {
    RedisServer::builder()
        .unix_socket()
        .start()
        .expect("redis-server starts")
}

#[test]
fn resp2_replies_in_every_output_mode() {
    let server = server();
    let nested = "return {1, {2, {3, 'x'}, {}}, 'y', {err='inner error'}}";
    let cases = vec![
        case("bulk string", &p(&["get", "s"])),
        case("binary bulk string with escapes", &p(&["get", "bin"])),
        case("empty bulk string", &p(&["get", "empty"])),
        case("UTF-8 bulk string", &p(&["get", "unicode"])),
        case("nil", &p(&["get", "nokey"])),
        case("status", &p(&["set", "k", "v"])),
        case("integer", &p(&["incr", "int"])),
        case("array", &p(&["lrange", "l", "0", "-1"])),
        case(
            "array with two-digit indexes",
            &p(&["lrange", "biglist", "0", "-1"]),
        ),
        case("empty array", &p(&["lrange", "nokey", "0", "-1"])),
        case("flat hash in RESP2", &p(&["hgetall", "h"])),
        case(
            "nested arrays, empty and error inside",
            &p(&["eval", nested, "0"]),
        ),
        case("error reply", &p(&["foo", "bar"])),
        case("wrong type error", &p(&["lpush", "s", "x"])),
        case(
            "commands printed raw: INFO section",
            &p(&["info", "keyspace"]),
        ),
        case(
            "commands printed raw: LATENCY DOCTOR",
            &p(&["latency", "doctor"]),
        ),
        case(
            "arguments with spaces",
            &p(&["echo", "with spaces and \"quotes\""]),
        ),
        case("EXISTS several", &p(&["exists", "s", "l", "nokey"])),
        case(
            "null array from EXEC-less BLPOP timeout",
            &p(&["blpop", "nolist", "0.01"]),
        ),
        case("CSV array", &p(&["--csv", "lrange", "l", "0", "-1"])),
        case("CSV binary string", &p(&["--csv", "get", "bin"])),
        case("CSV error", &p(&["--csv", "foo"])),
        case("CSV nil and nested", &p(&["--csv", "eval", nested, "0"])),
        case("JSON RESP2 array", &p(&["--json", "-2", "hgetall", "h"])),
        case("JSON binary string", &p(&["--json", "get", "bin"])),
        case(
            "quoted JSON binary string",
            &p(&["--quoted-json", "get", "bin"]),
        ),
        case("JSON UTF-8", &p(&["--json", "get", "unicode"])),
        case("JSON error", &p(&["--json", "foo"])),
        case("JSON nil", &p(&["--json", "-2", "get", "nokey"])),
        case(
            "--raw in a terminal",
            &p(&["--raw", "lrange", "l", "0", "-1"]),
        ),
        case("--no-raw in a pipe", &p(&["--no-raw", "get", "bin"])),
        case(
            "-d and -D delimiters",
            &p(&["--raw", "-d", ",", "-D", ";", "lrange", "l", "0", "-1"]),
        ),
        case(
            "--quoted-input",
            &p(&["--quoted-input", "echo", "\"a\\x00b\\n\""]),
        ),
        case(
            "--quoted-input, bad quoting",
            &p(&["--quoted-input", "echo", "\"a"]),
        ),
        case("database from -n", &p(&["-n", "1", "get", "in-db-1"])),
        case("SELECT refused on connect", &p(&["-n", "99", "ping"])),
        case(
            "URI with a database",
            &["-u", "redis://127.0.0.1:{port}/1", "get", "in-db-1"],
        ),
        case("Unix socket", &["-s", "{sock}", "ping"]),
        // FAKETTY: a pipe printed as a terminal (Redis's own tests set it).
        case("FAKETTY: integer", &p(&["incr", "int"]))
            .env("FAKETTY", "1")
            .pipe_only(),
        case("FAKETTY: quoted bulk string", &p(&["get", "bin"]))
            .env("FAKETTY", "1")
            .pipe_only(),
        case(
            "FAKETTY: numbered array",
            &p(&["lrange", "biglist", "0", "-1"]),
        )
        .env("FAKETTY", "1")
        .pipe_only(),
        case("FAKETTY: nil and errors", &p(&["eval", nested, "0"]))
            .env("FAKETTY", "1")
            .pipe_only(),
        case(
            "FAKETTY with --raw",
            &p(&["--raw", "lrange", "l", "0", "-1"]),
        )
        .env("FAKETTY", "1")
        .pipe_only(),
        case("FAKETTY: piped lines", &p(&[]))
            .stdin(b"incr int\nget s\nhgetall h\n")
            .env("FAKETTY", "1")
            .pipe_only(),
    ];
    let sock = server.unix_socket().expect("socket").display().to_string();
    check_with(&server, cases, &|a: &str| a.replace("{sock}", &sock));
}

#[test]
fn resp3_replies_in_every_output_mode() {
    let server = server();
    let nested_map = "redis.setresp(3); return {map={a={1,2}, b={map={}}}}";
    // A map's value that prints on one line stays after its key; one
    // that prints on several lines starts on the next line.
    let map_values = "redis.setresp(3); return {{map={a={1}, b={map={c=3}}, \
        c={set={x=true}}, d={map={e={map={f=1}}}}, g={map={h={1,2}}}}}, {map={i={{map={j=1}}}}}}";
    let mut cases = Vec::new();
    for mode in [None, Some("--csv"), Some("--json"), Some("--quoted-json")] {
        let with = |args: &[&str]| {
            let mut v: Vec<&str> = vec!["-3"];
            v.extend(mode);
            v.extend(args);
            p(&v)
        };
        cases.extend([
            case("RESP3 map", &with(&["hgetall", "h"])),
            case("RESP3 set", &with(&["smembers", "st"])),
            case("RESP3 double", &with(&["zscore", "z", "b"])),
            case(
                "RESP3 doubles nested",
                &with(&["zrange", "z", "0", "-1", "withscores"]),
            ),
            case("RESP3 booleans", &with(&["debug", "protocol", "true"])),
            case("RESP3 verbatim", &with(&["debug", "protocol", "verbatim"])),
            case("RESP3 null", &with(&["debug", "protocol", "null"])),
            case(
                "RESP3 map with integer keys",
                &with(&["debug", "protocol", "map"]),
            ),
            case(
                "RESP3 set of integers",
                &with(&["debug", "protocol", "set"]),
            ),
            case(
                "RESP3 push before the reply",
                &with(&["debug", "protocol", "push"]),
            ),
            case("RESP3 empty map", &with(&["hgetall", "nokey"])),
            case("RESP3 nested map", &with(&["eval", nested_map, "0"])),
            case(
                "RESP3 map values of one line and of several",
                &with(&["eval", map_values, "0"]),
            ),
        ]);
    }
    cases.push(case(
        "pushes hidden",
        &p(&["-3", "--show-pushes", "no", "debug", "protocol", "push"]),
    ));
    cases.push(case(
        "pushes shown in a pipe",
        &p(&["-3", "--show-pushes", "yes", "debug", "protocol", "push"]),
    ));
    cases.push(case("raw map", &p(&["-3", "--raw", "hgetall", "h"])));
    cases.push(case(
        "JSON defaults to RESP3",
        &p(&["--json", "hgetall", "h"]),
    ));
    check(&server, cases);
}

fn write_script(dir: &Path, name: &str, body: &str) -> String {
    let path = dir.join(name);
    std::fs::write(&path, body).expect("write script");
    path.display().to_string()
}

#[test]
fn modes_and_stdin() {
    let server = server();
    let dir = tempfile::tempdir().expect("temp dir");
    let script = write_script(
        dir.path(),
        "s.lua",
        "return {KEYS[1], KEYS[2], ARGV[1], ARGV[2]}",
    );
    let bad_script = write_script(dir.path(), "bad.lua", "return redis.call('incr', KEYS[1])");
    let mut pipe_input = Vec::new();
    for i in 0..50 {
        pipe_input.extend(encode_command(&["SET", &format!("p{i}"), "v"]));
    }
    pipe_input.extend(encode_command(&["INCR", "s"]));
    pipe_input.extend(encode_command(&["NOSUCHCOMMAND"]));
    let cases = vec![
        case("-r repeats", &p(&["-r", "3", "incr", "int"])),
        case("-r with -i", &p(&["-r", "2", "-i", "0.05", "ping"])),
        case("-e with an error", &p(&["-e", "foo"])),
        case("-e with -r stops at the first error", &p(&["-r", "3", "-e", "foo"])),
        case("-e without an error", &p(&["-e", "get", "s"])),
        case("-x reads the last argument", &p(&["-x", "echo"])).stdin(b"from stdin\n"),
        case("-X replaces the tag", &p(&["-X", "TAG", "echo", "TAG"])).stdin(b"tagged\x00bytes"),
        case("-X without the tag", &p(&["-X", "TAG", "echo", "x"])),
        case("--pipe", &p(&["--pipe"])).stdin(&pipe_input).pipe_only(),
        case("--pipe in a terminal", &p(&["--pipe"])).stdin(&pipe_input),
        case("--pipe with nothing", &p(&["--pipe"])),
        case("--scan", &p(&["--scan"])).compare(Compare::Normalized(sorted_lines)),
        case("--scan --pattern", &p(&["--scan", "--pattern", "b*"]))
            .compare(Compare::Normalized(sorted_lines)),
        case("--scan --quoted-pattern", &p(&["--scan", "--quoted-pattern", "\"*i*\""]))
            .compare(Compare::Normalized(sorted_lines)),
        case("--eval keys , args", &["-p", "{port}", "--eval", &script, "k1", "k2", ",", "a1", "a2"]),
        case("--eval raising an error", &["-p", "{port}", "--eval", &bad_script, "s"]),
        case("--eval of a missing file", &p(&["--eval", "/nonexistent/script.lua"])),
        case("--bigkeys", &p(&["--bigkeys"])).compare(Compare::Normalized(without_progress)),
        case("--memkeys", &p(&["--memkeys"])).compare(Compare::Normalized(memkeys_totals)),
        case("--bigkeys --pattern", &p(&["--bigkeys", "--pattern", "b*"]))
            .compare(Compare::Normalized(without_progress)),
        case("lines piped in", &p(&[])).stdin(
            b"set a 1\nget a\n  \n3 incr c\nget \"unbalanced\n\"a\"b\n0 ping\necho 'it''s'\nlrange l 0 -1\nquit\nping\n",
        ),
        case("transactions and SELECT in piped lines", &p(&[])).stdin(
            b"select 2\nset x 1\nmulti\nincr x\nexec\nmulti\nselect 5\ndiscard\nget x\nexec\nselect 0\nrpush q a b\n2 lpop q\nping\n",
        ),
        case("RESP3 in piped lines", &p(&["-3"])).stdin(b"hgetall h\nsmembers st\nzscore z b\n"),
        // Two replies to one command: the second is read as the next one's.
        case("UNSUBSCRIBE outside a subscription in piped lines", &p(&[]))
            .stdin(b"unsubscribe a b\nping\nping\nget s\n"),
        // Invalidations of this client's own write come after its reply.
        case("RESP3 pushes between replies in piped lines", &p(&["-3", "--show-pushes", "yes"]))
            .stdin(b"client tracking on\nget k\nset k 1\nping\nget k\n"),
        // Help is the CLI's own, never sent to the server.
        case("HELP <command>", &p(&["HELP", "GET"])),
        case("help @group", &p(&["help", "@list"])),
        case("? <command>", &p(&["?", "set"])),
        case("HELP once whatever -r says", &p(&["-r", "3", "HELP", "INCR"])),
        case("HELP in piped lines", &p(&[])).stdin(b"help set\nping\nHELP @hash\n? get\n"),
    ];
    check(&server, cases);
}

/// SCAN's order depends on the server's hash table, which may be resized
/// between two runs: keys are compared as a set.
fn sorted_lines(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let mut lines: Vec<&str> = text.split_inclusive('\n').collect();
    lines.sort_unstable();
    lines.concat().into_bytes()
}

/// `--bigkeys` reports each new biggest key in SCAN order: only the
/// summary (and the header) is independent of that order.
fn without_progress(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    text.split_inclusive('\n')
        .filter(|l| !l.contains("found so far"))
        .collect::<String>()
        .into_bytes()
}

/// `--memkeys`: sizes of small keys tie, and the first found wins: only
/// the totals are compared.
fn memkeys_totals(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    text.split_inclusive('\n')
        .filter(|l| !l.contains("Biggest"))
        .collect::<String>()
        .into_bytes()
}

fn publish(server: &RedisServer) {
    server.run(&["PUBLISH", "news", "hello"]);
    server.run(&["PUBLISH", "news", "second message"]);
    server.run(&["PUBLISH", "other", "not for us"]);
}

/// MONITOR lines start with a timestamp and the client's address.
fn normalize_monitor(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    let mut out = String::new();
    for line in text.split_inclusive('\n') {
        match line.find(" [0 ").zip(line.find("] ")) {
            Some((open, close)) if open < close && line.as_bytes()[0].is_ascii_digit() => {
                out.push_str("<time> [0 <client>");
                out.push_str(&line[close..]);
            }
            _ => out.push_str(line),
        }
    }
    out.into_bytes()
}

#[test]
fn streaming_until_ctrl_c() {
    let server = server();
    let cases = vec![
        case("SUBSCRIBE", &p(&["subscribe", "news"])).during(publish),
        case("SUBSCRIBE in RESP3", &p(&["-3", "subscribe", "news"])).during(publish),
        case("PSUBSCRIBE", &p(&["psubscribe", "n*"])).during(publish),
        case(
            "SUBSCRIBE in CSV",
            &p(&["--csv", "subscribe", "news", "other"]),
        )
        .during(publish),
        case("MONITOR", &p(&["monitor"]))
            .during(|s| {
                s.run(&["SET", "watched", "1"]);
            })
            .compare(Compare::Normalized(normalize_monitor)),
    ];
    check(&server, cases);
}

/// A server that reads the first command of each connection, then hangs
/// up (a proxy without a backend, a TLS port spoken to in plain text).
fn hangs_up_after_one_command() -> Hostile {
    Hostile::start(|mut peer| {
        let _ = peer.read_command();
        peer.close();
    })
}

/// Only up to the second `Reconnecting...` (how many a run shows depends
/// on time).
fn two_reconnects(bytes: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(bytes);
    match text.find("Reconnecting... 2") {
        Some(at) => text[..at + "Reconnecting... 2".len()].as_bytes().to_vec(),
        None => bytes.to_vec(),
    }
}

#[test]
fn a_server_that_hangs_up_during_setup() {
    let server = server();
    let dropper = hangs_up_after_one_command();
    let port = dropper.port().to_string();
    let cases = vec![
        // cliAuth/cliSelect/cliSwitchProto: "\nI/O error" and the
        // connection given up; the command's own connect says it again,
        // then the context's error.
        case(
            "AUTH without a reply",
            &["-p", "{dropper}", "-a", "x", "--no-auth-warning", "ping"],
        ),
        case(
            "SELECT without a reply",
            &["-p", "{dropper}", "-n", "2", "ping"],
        ),
        case("HELLO without a reply", &["-p", "{dropper}", "-3", "ping"]),
        case(
            "AUTH without a reply ends a mode",
            &["-p", "{dropper}", "-a", "x", "--no-auth-warning", "--scan"],
        ),
        case(
            "SELECT without a reply ends --eval",
            &["-p", "{dropper}", "-n", "2", "--eval", "/nonexistent.lua"],
        ),
        // reconnectingRedisCommand clears the line after each try.
        case(
            "--latency-dist reconnecting",
            &["-p", "{dropper}", "--latency-dist"],
        )
        .pipe_only()
        .during(|_| std::thread::sleep(Duration::from_millis(1600)))
        .compare(Compare::Normalized(two_reconnects)),
    ];
    check_with(&server, cases, &|a: &str| a.replace("{dropper}", &port));
}

#[test]
fn connections_auth_and_bad_options() {
    let server = RedisServer::builder()
        .requirepass("secret")
        .start()
        .expect("redis-server starts");
    let closed = integration_tests::allocate_port().expect("a free port");
    let closed_port = closed.port().to_string();
    let cases = vec![
        case("password", &p(&["-a", "secret", "ping"])),
        case(
            "wrong password: reported, the command still runs",
            &p(&["-a", "wrong", "ping"]),
        ),
        case("no password: NOAUTH", &p(&["ping"])),
        case(
            "--no-auth-warning",
            &p(&["--no-auth-warning", "-a", "secret", "ping"]),
        ),
        case("REDISCLI_AUTH", &p(&["ping"])).env("REDISCLI_AUTH", "secret"),
        case(
            "--user and --pass",
            &p(&["--user", "default", "--pass", "secret", "ping"]),
        ),
        case(
            "URI with a password",
            &["-u", "redis://:secret@127.0.0.1:{port}", "ping"],
        ),
        case(
            "URI with user and password",
            &["-u", "redis://default:secret@127.0.0.1:{port}/0", "ping"],
        ),
        case("connection refused", &["-p", "{closed}", "ping"]),
        case("negative port", &["-p", "-1", "ping"]),
        case("port past C's int", &["-p", "4294967297", "ping"]),
        case(
            "negative port in a URI",
            &["-u", "redis://127.0.0.1:-5", "ping"],
        ),
        case(
            "HELP needs no connection",
            &["-p", "{closed}", "HELP", "GET"],
        ),
        case("missing socket", &["-s", "/nonexistent/redis.sock", "ping"]),
        case("unknown option", &["--bogus"]),
        case("option without its value", &["-p"]),
        case("-2 and -3", &["-2", "-3", "ping"]),
        case("-x and -X", &["-x", "-X", "t", "ping"]),
        case("-c and -s", &["-c", "-s", "/tmp/x", "ping"]),
        case(
            "bad --show-pushes value",
            &p(&["-a", "secret", "--show-pushes", "maybe", "ping"]),
        ),
        case("bad URI scheme", &["-u", "http://x", "ping"]),
        case("bad URI encoding", &["-u", "redis://%zz@x", "ping"]),
        case(
            "bad --quoted-pattern",
            &["--quoted-pattern", "\"x", "--scan"],
        ),
        case("--ldb without --eval", &["--ldb", "ping"]),
        // --askpass reads the password silently from a pipe; nothing read
        // means no AUTH.
        case("--askpass from a pipe", &p(&["--askpass", "ping"])).stdin(b"secret\n"),
        case("--askpass, wrong password", &p(&["--askpass", "ping"])).stdin(b"nope\n"),
        case("--askpass, empty line", &p(&["--askpass", "ping"])).stdin(b"\n"),
        case("--askpass, no input", &p(&["--askpass", "ping"])),
        case(
            "--askpass wins over -a",
            &p(&["-a", "wrong", "--askpass", "ping"]),
        )
        .stdin(b"secret\n"),
        case(
            "a refused AUTH ends a mode",
            &p(&["-a", "wrong", "--no-auth-warning", "--scan"]),
        ),
        // cliConnect stops at the first setup step refused: no SELECT,
        // no HELLO after a refused AUTH, no HELLO after a refused SELECT
        // (the reply then prints as RESP2).
        case(
            "a refused AUTH: no SELECT",
            &p(&["-a", "wrong", "--no-auth-warning", "-n", "2", "ping"]),
        ),
        case(
            "a refused AUTH: no HELLO",
            &p(&["-a", "wrong", "--no-auth-warning", "-3", "ping"]),
        ),
        case(
            "a refused AUTH ends a mode, no SELECT",
            &p(&["-a", "wrong", "--no-auth-warning", "-n", "2", "--scan"]),
        ),
        case(
            "a refused SELECT: no HELLO",
            &p(&[
                "-a",
                "secret",
                "--no-auth-warning",
                "-n",
                "99",
                "-3",
                "--no-raw",
                "config",
                "get",
                "maxmemory",
            ]),
        ),
        // Without a terminal the line is the password as it is, a
        // carriage return included (linenoiseNoTTY).
        case("--askpass, CRLF line", &p(&["--askpass", "ping"])).stdin(b"secret\r\n"),
        case("--askpass, no newline", &p(&["--askpass", "ping"])).stdin(b"secret"),
        case(
            "--rdb and --functions-rdb",
            &["--rdb", "a", "--functions-rdb", "b"],
        ),
        case("--lru-test without its value", &["--lru-test"]),
        case(
            "--cluster-weight twice",
            &["--cluster-weight", "a=1", "--cluster-weight", "b=2"],
        ),
        case("--cluster: unknown subcommand", &["--cluster", "bogus"]),
        case(
            "--cluster: wrong number of arguments",
            &["--cluster", "add-node", "127.0.0.1:1"],
        ),
        case("--cluster help", &["--cluster", "help"]),
        case(
            "--cluster check of a closed port",
            &["--cluster", "check", "127.0.0.1:{closed}"],
        ),
        case(
            "--cluster check: a bad address",
            &["--cluster", "check", "nohost"],
        ),
        case(
            "--cluster check of a server out of cluster mode",
            &["--cluster", "check", "127.0.0.1:{port}", "-a", "secret"],
        ),
        case(
            "--intrinsic-latency 0 prints its summary",
            &["--intrinsic-latency", "0"],
        )
        .compare(Compare::Shape(intrinsic_summary)),
    ];
    check_with(&server, cases, &|a: &str| {
        a.replace("{closed}", &closed_port)
    });
    drop(closed);
}

/// `--intrinsic-latency`: the worst latency as it grows, then the
/// summary.
fn intrinsic_summary(o: &Output) -> bool {
    let text = String::from_utf8_lossy(&o.stdout).replace("\r\n", "\n");
    let lines: Vec<&str> = text.lines().collect();
    let n = lines.len();
    n >= 4
        && lines[..n - 3]
            .iter()
            .all(|l| l.starts_with("Max latency so far: ") && l.ends_with(" microseconds."))
        && lines[n - 3].is_empty()
        && lines[n - 2].ends_with(" nanoseconds per run).")
        && lines[n - 2].contains(" total runs (avg latency: ")
        && lines[n - 1].starts_with("Worst run took ")
        && lines[n - 1].ends_with("x longer than the average latency.")
        && o.stderr.is_empty()
}

/// `min max avg count` in raw mode, one line.
fn latency_raw(o: &Output) -> bool {
    let text = String::from_utf8_lossy(&o.stdout);
    let fields: Vec<&str> = text.trim_end().split(' ').collect();
    text.ends_with('\n')
        && text.lines().count() == 1
        && fields.len() == 4
        && fields[2].split_once('.').is_some_and(|(_, d)| d.len() == 2)
        && o.stderr.is_empty()
}

fn latency_csv(o: &Output) -> bool {
    let text = String::from_utf8_lossy(&o.stdout);
    text.lines().count() == 1 && text.trim_end().split(',').count() == 4 && o.stderr.is_empty()
}

fn latency_json(o: &Output) -> bool {
    let text = String::from_utf8_lossy(&o.stdout).replace("\r\n", "\n");
    text.starts_with("{\"min\": ")
        && text.contains(", \"max\": ")
        && text.contains(", \"avg\": ")
        && text.contains(", \"count\": ")
        && text.ends_with("}\n")
}

/// In a terminal: the line rewritten in place.
fn latency_tty(o: &Output) -> bool {
    let text = String::from_utf8_lossy(&o.stdout);
    text.starts_with("\x1b[0G\x1b[2Kmin: ") && text.contains(" samples)")
}

/// The two header lines, then rows of 7 columns.
fn stat_rows(o: &Output) -> bool {
    let text = String::from_utf8_lossy(&o.stdout).replace("\r\n", "\n");
    let lines: Vec<&str> = text.lines().collect();
    lines.len() >= 3
        && lines[0]
            == "------- data ------ --------------------- load -------------------- - child -"
        && lines[1]
            == "keys       mem      clients blocked requests            connections          "
        && lines[2..].iter().all(|l| l.split_whitespace().count() == 7)
}

#[test]
fn timing_modes_by_shape() {
    let server = server();
    let cases = vec![
        case("--latency, raw", &p(&["--latency", "-i", "0.3"]))
            .pipe_only()
            .compare(Compare::Shape(latency_raw)),
        case("--latency, CSV", &p(&["--latency", "--csv", "-i", "0.3"]))
            .compare(Compare::Shape(latency_csv)),
        case("--latency, JSON", &p(&["--latency", "--json", "-i", "0.3"]))
            .compare(Compare::Shape(latency_json)),
    ];
    check(&server, cases);
    // Modes that run until Ctrl-C, in a terminal only: in a pipe,
    // redis-cli's stdio buffer is lost when Ctrl-C kills it, so there is
    // nothing to compare (redis-cli-rs writes each line as it comes).
    let port = server.port().to_string();
    for (args, check) in [
        (
            vec!["-p", &port, "--stat", "-i", "0.2"],
            stat_rows as fn(&Output) -> bool,
        ),
        (vec!["-p", &port, "--latency"], latency_tty),
    ] {
        let tty = true;
        let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
        let want = run::run_for(&oracle(), &args, tty, Duration::from_millis(1200));
        let got = run::run_for(ours(), &args, tty, Duration::from_millis(1200));
        assert!(check(&want), "redis-cli {args:?}: {want:?}");
        assert!(
            check(&got),
            "redis-cli-rs {args:?}: {:?}",
            show(&got.stdout)
        );
        assert_eq!(want.code, got.code, "{args:?}");
    }
}

/// `-c` against a real cluster: MOVED and ASK followed as redis-cli
/// follows them (one-shot: just the reply; piped lines: `-> Redirected to
/// slot [N] located at host:port` first), and without `-c` the redirect
/// printed as an error.
#[test]
fn cluster_redirects_with_c() {
    use integration_tests::migration::Migration;
    use integration_tests::RedisCluster;

    let cluster = RedisCluster::builder()
        .replicas_per_master(0)
        .start()
        .expect("a cluster starts");
    let slot_of = |key: &[u8]| integration_tests::key_slot(key);
    let owner = |key: &str| cluster.node_for_slot(slot_of(key.as_bytes())).unwrap();
    for key in ["foo", "a", "bar", "mig"] {
        owner(key).run(&["SET", key, "value"]);
    }
    // "mig" sits in a slot half-way to another node: its key moved, so the
    // source answers ASK.
    let source = owner("mig");
    let masters = cluster.masters();
    let target = masters.iter().find(|m| m.port() != source.port()).unwrap();
    let migration = Migration::begin(slot_of(b"mig"), source, target, masters.clone()).unwrap();
    while migration.move_keys(10).unwrap() > 0 {}
    let first = cluster.node(0).port().to_string();
    let src = source.port().to_string();
    let cases = vec![
        case(
            "-c one-shot SET",
            &["-c", "-p", &first, "SET", "foo", "bar"],
        ),
        case("-c one-shot GET", &["-c", "-p", &first, "GET", "foo"]),
        case(
            "-c one-shot MGET of one slot",
            &["-c", "-p", &first, "MGET", "{a}1", "{a}2"],
        ),
        case(
            "without -c the redirect is an error",
            &["-p", &first, "GET", "foo"],
        ),
        case(
            "-c ASK during a migration",
            &["-c", "-p", &src, "GET", "mig"],
        ),
        case("-c piped lines", &["-c", "-p", &first])
            .stdin(b"set foo 1\nget foo\nset a 2\nget a\nget bar\nget mig\nget foo\n"),
    ];
    let mut failures = Vec::new();
    for case in &cases {
        for tty in [true, false] {
            let outputs: Vec<Output> = [oracle(), ours().to_path_buf()]
                .iter()
                .map(|program| {
                    run::run(
                        program,
                        &case.args.iter().map(|a| a.to_string()).collect::<Vec<_>>(),
                        &case.stdin,
                        tty,
                        &[],
                        None,
                    )
                })
                .collect();
            if outputs[0] != outputs[1] {
                failures.push(format!(
                    "case '{}' ({})\n  redis-cli:    code {} stdout \"{}\" stderr \"{}\"\n  redis-cli-rs: code {} stdout \"{}\" stderr \"{}\"",
                    case.name,
                    if tty { "pty" } else { "pipe" },
                    outputs[0].code,
                    show(&outputs[0].stdout),
                    show(&outputs[0].stderr),
                    outputs[1].code,
                    show(&outputs[1].stdout),
                    show(&outputs[1].stderr),
                ));
            }
        }
    }
    migration.finish().unwrap();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
