//! `redis-cli-rs --bench` against real servers, next to the real
//! `redis-benchmark` (Debian's 7.0): the same options give the same
//! header and test names, and the same line formats; exactly `-n`
//! requests reach the server; a stall injected by the fault proxy shows
//! up in an open loop and hides in a closed one; the rate is kept; the
//! JSON's HdrHistogram log gives back the printed percentiles;
//! thresholds set the exit status; the progress line shows only on a
//! terminal.
//!
//! Timing bounds are generous (a loaded 2-core machine), and the tests
//! take turns ([`one_at_a_time`]): a closed loop at full speed in one test
//! would take the cores a rate test needs. The binary is built next to
//! this test's executable, as in `cli_compare.rs`.

#[path = "bench_mode/support.rs"]
mod support;

use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use integration_tests::proxy::Proxy;
use integration_tests::{RedisServer, Reply};
use serde_json::Value;
use support::*;

#[test]
fn csv_header_and_test_names_match_redis_benchmark_and_exactly_n_requests_run() {
    let _turn = one_at_a_time();
    let server = RedisServer::start().expect("redis-server");
    let args = [
        "-t",
        "set,get,incr",
        "-n",
        "20000",
        "-c",
        "10",
        "-P",
        "4",
        "-d",
        "64",
        "-r",
        "1000",
        "--csv",
    ];
    server.run(&["CONFIG", "RESETSTAT"]);
    let mine = bench_at(&server, &args);
    assert_eq!(mine.code, 0, "{mine:?}");
    for name in ["set", "get", "incr"] {
        assert_eq!(calls(&server, name), 20000, "{name} calls");
    }
    let rows = csv_rows(&mine.stdout);
    assert_eq!(
        mine.stdout.lines().next().unwrap(),
        "\"test\",\"rps\",\"avg_latency_ms\",\"min_latency_ms\",\"p50_latency_ms\",\"p95_latency_ms\",\"p99_latency_ms\",\"max_latency_ms\""
    );
    for row in &rows[1..] {
        assert_eq!(row.len(), 8);
        for v in &row[1..] {
            let dot = v.find('.').expect("a decimal");
            assert_eq!(v.len() - dot - 1, if v == &row[1] { 2 } else { 3 }, "{v}");
        }
    }
    if let Some(theirs) = redis_benchmark(&server, &args) {
        assert_eq!(theirs.code, 0, "{theirs:?}");
        let theirs_rows = csv_rows(&theirs.stdout);
        assert_eq!(
            mine.stdout.lines().next(),
            theirs.stdout.lines().next(),
            "identical header"
        );
        let names = |rows: &[Vec<String>]| rows.iter().map(|r| r[0].clone()).collect::<Vec<_>>();
        assert_eq!(names(&rows), names(&theirs_rows), "identical test names");
    }
    // Pipelined with -n not a multiple of -P: still exactly -n.
    server.run(&["CONFIG", "RESETSTAT"]);
    let odd = bench_at(
        &server,
        &["-t", "set", "-n", "2001", "-c", "7", "-P", "4", "-q"],
    );
    assert_eq!(odd.code, 0, "{odd:?}");
    assert_eq!(calls(&server, "set"), 2001);
    // A command line, with its own title and payload.
    server.run(&["CONFIG", "RESETSTAT"]);
    let custom = bench_at(
        &server,
        &[
            "-n",
            "300",
            "-r",
            "50",
            "-c",
            "3",
            "--csv",
            "lpush",
            "mylist",
            "__rand_int__",
        ],
    );
    assert_eq!(calls(&server, "lpush"), 300);
    assert_eq!(csv_rows(&custom.stdout)[1][0], "lpush mylist __rand_int__");
}

#[test]
fn quiet_lines_and_the_summary_block_in_redis_benchmarks_format() {
    let _turn = one_at_a_time();
    let server = RedisServer::start().expect("redis-server");
    let quiet = regex_free_quiet_check;
    let mine = bench_at(&server, &["-t", "set,get", "-n", "2000", "-c", "5", "-q"]);
    assert_eq!(mine.code, 0, "{mine:?}");
    let names = quiet(&mine.stdout);
    assert_eq!(names, ["SET", "GET"]);
    assert!(
        mine.stdout.ends_with("msec\n\n"),
        "a blank line ends the run"
    );
    if let Some(theirs) =
        redis_benchmark(&server, &["-t", "set,get", "-n", "2000", "-c", "5", "-q"])
    {
        assert_eq!(quiet(&as_shown(&theirs.stdout)), names);
    }
    // The summary block: same lines, numbers aside.
    let args = ["-t", "get", "-n", "3000", "-c", "5"];
    let mine = bench_at(&server, &args);
    let shape = block_shape(&mine.stdout);
    assert!(shape.contains("Summary:\n  throughput summary: N requests per second\n  latency summary (msec):\n          avg       min       pN       pN       pN       max\n N N N N N N\n"), "{shape}");
    if let Some(theirs) = redis_benchmark(&server, &args) {
        assert_eq!(shape, block_shape(&as_shown(&theirs.stdout)));
    }
}

#[test]
fn pipelined_requests_are_timed_to_their_own_reply() {
    let _turn = one_at_a_time();
    let server = RedisServer::start().expect("redis-server");
    let proxy = Proxy::start(server.addr()).expect("proxy");
    // Each batch is [SET, GET]; GET's reply is held 250 ms, SET's is not.
    proxy.delay_command("get", Duration::from_millis(250));
    let dir = tempfile::tempdir().unwrap();
    let json = json_file(&dir, "pipe.json");
    let out = bench(&strings(&[
        "-p",
        &proxy.port().to_string(),
        "--ratio",
        "1:1",
        "-P",
        "2",
        "-c",
        "1",
        "-n",
        "8",
        "-q",
        "--json",
        json.to_str().unwrap(),
    ]));
    assert_eq!(out.code, 0, "{out:?}");
    let doc = read_json(&json);
    let commands = &doc["tests"][0]["commands"];
    assert_eq!(commands["SET"]["requests"], 4);
    assert_eq!(commands["GET"]["requests"], 4);
    let set_max = f(&commands["SET"]["latency_ms"]["max"]);
    let get_min = f(&commands["GET"]["latency_ms"]["min"]);
    assert!(
        set_max < 150.0,
        "SET timed to its own reply: max {set_max} ms"
    );
    assert!(
        get_min >= 240.0,
        "GET waits for its delayed reply: min {get_min} ms"
    );
}

/// Starts `--bench args` on a thread, with the binary built first so that
/// no build time falls inside the caller's timings.
fn spawn_bench(args: Vec<String>) -> thread::JoinHandle<Out> {
    ours();
    thread::spawn(move || bench(&args))
}

/// Returns once the load is flowing through `proxy`: 100 requests past the
/// count when called (the startup's CONFIG GETs and handshakes are fewer),
/// so a stall timed from here falls inside the measured run. Panics if the
/// load has not started within 30 s.
fn wait_for_load(proxy: &Proxy) {
    let start = proxy.commands_seen();
    let waited = Instant::now();
    while proxy.commands_seen() < start + 100 {
        assert!(
            waited.elapsed() < Duration::from_secs(30),
            "the load never started: {} requests seen",
            proxy.commands_seen() - start
        );
        thread::sleep(Duration::from_millis(2));
    }
}

/// Runs a 5 s test through `proxy` and stalls the proxy for 1 s in the
/// middle; returns the JSON document.
fn stalled_run(proxy: &Proxy, extra: &[&str], json: &Path) -> Value {
    let mut args = strings(&[
        "-p",
        &proxy.port().to_string(),
        "-t",
        "get",
        "-c",
        "10",
        "--duration",
        "5",
        "-q",
        "--json",
        json.to_str().unwrap(),
    ]);
    args.extend(strings(extra));
    let runner = spawn_bench(args);
    // Wait for the load to flow, then stall everything for 1 s.
    wait_for_load(proxy);
    thread::sleep(Duration::from_millis(1000));
    proxy.pause();
    thread::sleep(Duration::from_secs(1));
    proxy.resume();
    let out = runner.join().unwrap();
    assert_eq!(out.code, 0, "{out:?}");
    read_json(json)
}

#[test]
fn a_stall_shows_in_the_open_loop_and_hides_in_the_closed_loop() {
    let _turn = one_at_a_time();
    let server = RedisServer::start().expect("redis-server");
    let proxy = Proxy::start(server.addr()).expect("proxy");
    let dir = tempfile::tempdir().unwrap();
    let open = stalled_run(&proxy, &["--rate", "1000"], &json_file(&dir, "open.json"));
    let closed = stalled_run(&proxy, &[], &json_file(&dir, "closed.json"));
    let get =
        |doc: &Value, field: &str| doc["tests"][0]["commands"]["GET"]["latency_ms"][field].clone();
    let open_p99 = f(&get(&open, "p99"));
    let closed_p99 = f(&get(&closed, "p99"));
    let late = open["tests"][0]["late"].as_u64().unwrap();
    let requests = open["tests"][0]["requests"].as_u64().unwrap();
    eprintln!(
        "open loop: p99 {open_p99} ms, {late} late, {requests} answered, {} dropped; closed loop: p99 {closed_p99} ms",
        open["tests"][0]["dropped"]
    );
    assert!(open_p99 >= 400.0, "the stall shows as p99 {open_p99} ms");
    assert!(
        (800..=1600).contains(&late),
        "about 1000 late requests: {late}"
    );
    // Every scheduled request is answered, failed or dropped.
    let dropped = open["tests"][0]["dropped"].as_u64().unwrap();
    let errors = &open["tests"][0]["errors"];
    let failed = errors["timeout"].as_u64().unwrap() + errors["connection"].as_u64().unwrap();
    assert_eq!(requests + failed + dropped, 5000);
    assert!(requests >= 4500, "{requests}");
    // The service time (from the write) does not see the queueing.
    let service_p50 = f(&open["tests"][0]["commands"]["GET"]["service_time_ms"]["p50"]);
    assert!(service_p50 < 100.0, "service time p50 {service_p50} ms");
    // The closed loop waits for the server: the stall is 10 requests of
    // many thousands, far beyond its 99th percentile.
    assert!(closed_p99 < 100.0, "closed loop p99 {closed_p99} ms");
    assert!(
        open_p99 > 4.0 * closed_p99,
        "open {open_p99} vs closed {closed_p99}"
    );
    assert!(
        f(&get(&closed, "max")) >= 900.0,
        "the stall is there, at the max"
    );
}

#[test]
fn the_rate_is_kept_overall_and_every_second() {
    let _turn = one_at_a_time();
    let server = RedisServer::start().expect("redis-server");
    let dir = tempfile::tempdir().unwrap();
    let json = json_file(&dir, "rate.json");
    let out = bench_at(
        &server,
        &[
            "-t",
            "set",
            "-c",
            "10",
            "--rate",
            "2000",
            "--duration",
            "5",
            "--json",
            json.to_str().unwrap(),
        ],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout
            .contains("  open loop: rate 2000 requests per second, "),
        "{}",
        out.stdout
    );
    let test = &read_json(&json)["tests"][0];
    let total = test["requests"].as_u64().unwrap();
    assert!((9800..=10200).contains(&total), "total {total}");
    let series = test["time_series"].as_array().unwrap();
    for s in &series[..5] {
        let n = s["requests"].as_u64().unwrap();
        assert!((1800..=2200).contains(&n), "second {}: {n}", s["second"]);
    }
    assert_eq!(test["dropped"], 0);
}

#[test]
fn the_json_report_decodes_and_its_log_gives_back_the_printed_percentiles() {
    let _turn = one_at_a_time();
    let server = RedisServer::start().expect("redis-server");
    let dir = tempfile::tempdir().unwrap();
    let json = json_file(&dir, "report.json");
    let out = bench_at(
        &server,
        &[
            "-t",
            "set,lrange_100",
            "-n",
            "3000",
            "-c",
            "4",
            "-r",
            "100",
            "--csv",
            "--percentiles",
            "50,99.9",
            "--json",
            json.to_str().unwrap(),
        ],
    );
    assert_eq!(out.code, 0, "{out:?}");
    let doc = read_json(&json);
    assert_eq!(doc["configuration"]["clients"], 4);
    assert_eq!(doc["configuration"]["histogram"]["significant_digits"], 3);
    let rows = csv_rows(&out.stdout);
    let tests = doc["tests"].as_array().unwrap();
    assert_eq!(tests.len(), 3, "SET, LPUSH (needed ...), LRANGE_100");
    for (test, row) in tests.iter().zip(&rows[1..]) {
        let name = test["name"].as_str().unwrap();
        assert_eq!(name, row[0]);
        let command = &test["commands"][name];
        assert_eq!(command["requests"], 3000);
        assert!(command["latency_ms"]["p99.9"].is_number());
        let totals = log_totals(test["hdr_log"].as_str().unwrap());
        let tag = command["tag"].as_str().unwrap();
        let h = &totals[tag];
        assert_eq!(h.len(), 3000, "{name}: every request is in the log");
        // The log gives back the CSV's p50, p95, p99 and max.
        assert_eq!(ms(h, 50.0), row[4], "{name} p50");
        assert_eq!(ms(h, 95.0), row[5], "{name} p95");
        assert_eq!(ms(h, 99.0), row[6], "{name} p99");
        assert_eq!(
            format!("{:.3}", h.max() as f64 / 1000.0),
            row[7],
            "{name} max"
        );
        let series: u64 = test["time_series"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["requests"].as_u64().unwrap())
            .sum();
        assert_eq!(series, 3000);
    }
}

#[test]
fn thresholds_set_the_exit_status() {
    let _turn = one_at_a_time();
    let server = RedisServer::start().expect("redis-server");
    let base = ["-t", "get", "-n", "500", "-c", "2", "-q"];
    let with = |threshold: &str| {
        let mut args = base.to_vec();
        args.extend(["--threshold", threshold]);
        bench_at(&server, &args)
    };
    let failing = with("p99<1us");
    assert_eq!(failing.code, 99, "{failing:?}");
    assert!(
        failing.stderr.contains("threshold 'p99<1us': FAILED"),
        "{}",
        failing.stderr
    );
    let passing = with("get.p99<10s");
    assert_eq!(passing.code, 0, "{passing:?}");
    assert!(passing.stderr.contains("passed"));
    assert_eq!(with("errors<0.1%").code, 0);
    assert_eq!(with("rps>1000000000").code, 99);
    let unknown = with("set.p99<1ms");
    assert_eq!(unknown.code, 1);
    assert!(
        unknown.stderr.contains("no test or command named 'set'"),
        "{}",
        unknown.stderr
    );
    assert_eq!(with("p99 < soon").code, 1);
}

#[test]
fn errors_are_counted_by_kind() {
    let _turn = one_at_a_time();
    let server = RedisServer::start().expect("redis-server");
    server.run(&["SET", "astring", "x"]);
    let dir = tempfile::tempdir().unwrap();
    let json = json_file(&dir, "errors.json");
    let out = bench_at(
        &server,
        &[
            "-n",
            "50",
            "-c",
            "2",
            "-q",
            "--json",
            json.to_str().unwrap(),
            "--threshold",
            "errors<1%",
            "lpush",
            "astring",
            "x",
        ],
    );
    assert_eq!(out.code, 99, "{out:?}");
    assert!(
        out.stderr.contains("errors: 50 (server 50: WRONGTYPE 50)"),
        "{}",
        out.stderr
    );
    let errors = &read_json(&json)["tests"][0]["errors"];
    assert_eq!(errors["server"], 50);
    assert_eq!(errors["by_prefix"]["WRONGTYPE"], 50);
    // Timeouts and lost connections, through the proxy.
    let proxy = Proxy::start(server.addr()).expect("proxy");
    let port = proxy.port().to_string();
    let args = strings(&[
        "-p",
        &port,
        "-t",
        "get",
        "-c",
        "2",
        "--duration",
        "3",
        "--timeout",
        "200ms",
        "-q",
        "--json",
        json.to_str().unwrap(),
    ]);
    let runner = spawn_bench(args);
    wait_for_load(&proxy);
    thread::sleep(Duration::from_millis(200));
    proxy.pause();
    thread::sleep(Duration::from_millis(500));
    proxy.resume();
    thread::sleep(Duration::from_millis(300));
    proxy.kill_connections();
    let out = runner.join().unwrap();
    assert_eq!(out.code, 0, "{out:?}");
    let errors = &read_json(&json)["tests"][0]["errors"];
    assert!(errors["timeout"].as_u64().unwrap() >= 2, "{errors}");
    assert!(errors["connection"].as_u64().unwrap() >= 1, "{errors}");
    assert_eq!(errors["server"], 0);
}

#[test]
fn piped_output_has_no_terminal_codes() {
    let _turn = one_at_a_time();
    let server = RedisServer::start().expect("redis-server");
    for mode in [&[][..], &["-q"][..], &["--csv"][..]] {
        let mut args = vec!["-t", "set", "-n", "20000", "-c", "4", "--rate", "20000"];
        args.extend_from_slice(mode);
        let out = bench_at(&server, &args);
        assert_eq!(out.code, 0);
        for text in [&out.stdout, &out.stderr] {
            assert!(
                !text.contains('\x1b') && !text.contains('\r'),
                "{mode:?}: {text:?}"
            );
        }
        assert!(
            out.stderr.is_empty() || out.stderr.starts_with("WARNING"),
            "{:?}",
            out.stderr
        );
    }
}

#[test]
fn a_progress_line_under_a_pseudo_terminal() {
    let _turn = one_at_a_time();
    let server = RedisServer::start().expect("redis-server");
    let (mut master, mut slave) = (-1, -1);
    let ws = libc::winsize {
        ws_row: 40,
        ws_col: 120,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty fills two descriptors; the window size is read.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            &ws,
        )
    };
    assert_eq!(rc, 0);
    // SAFETY: fresh descriptors owned here.
    let (master, slave) = unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
    let mut cmd = Command::new(ours());
    cmd.args([
        "--bench",
        "-p",
        &server.port().to_string(),
        "-t",
        "get",
        "-c",
        "2",
        "--rate",
        "500",
        "--duration",
        "2",
        "-q",
    ])
    .env("TERM", "xterm")
    .stdin(Stdio::null())
    .stdout(Stdio::piped())
    .stderr(Stdio::from(slave));
    let mut child = cmd.spawn().expect("spawn");
    drop(cmd);
    let mut pty = std::fs::File::from(master);
    let reader = thread::spawn(move || {
        let mut seen = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            match pty.read(&mut chunk) {
                Ok(0) | Err(_) => break,
                Ok(n) => seen.extend_from_slice(&chunk[..n]),
            }
        }
        seen
    });
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(Instant::now() < deadline, "did not finish");
        thread::sleep(Duration::from_millis(10));
    };
    assert!(status.success());
    let seen = String::from_utf8_lossy(&reader.join().unwrap()).into_owned();
    let updates = seen.matches("GET: rps=").count();
    assert!(updates >= 3, "the line is redrawn: {seen:?}");
    assert!(
        seen.contains("(overall: ") && seen.contains("avg_msec="),
        "{seen:?}"
    );
    assert!(
        seen.contains('\r') || seen.contains('\x1b'),
        "drawn in place: {seen:?}"
    );
    // stdout stays clean.
    assert!(!stdout.contains('\x1b') && !stdout.contains('\r'));
    assert!(stdout.starts_with("GET: "), "{stdout:?}");
}

#[test]
fn tls_unix_sockets_and_acl_users() {
    let _turn = one_at_a_time();
    let server = RedisServer::builder()
        .tls()
        .unix_socket()
        .user("alice", "secret", "~* +@all -config")
        .start()
        .expect("redis-server");
    let certs = server.tls_certs().unwrap();
    server.run(&["CONFIG", "RESETSTAT"]);
    let tls = bench(&strings(&[
        "--tls",
        "-p",
        &server.tls_port().unwrap().to_string(),
        "--cacert",
        certs.ca_cert().to_str().unwrap(),
        "--cert",
        certs.client_cert().to_str().unwrap(),
        "--key",
        certs.client_key().to_str().unwrap(),
        "-t",
        "set",
        "-n",
        "1000",
        "-c",
        "3",
        "-P",
        "3",
        "-q",
    ]));
    assert_eq!(tls.code, 0, "{tls:?}");
    assert!(tls.stdout.starts_with("SET: "));
    assert_eq!(calls(&server, "set"), 1000);
    let socket = server.unix_socket().unwrap().to_str().unwrap().to_string();
    let unix = bench(&strings(&[
        "-s", &socket, "-t", "get", "-n", "1000", "-c", "3", "--csv",
    ]));
    assert_eq!(unix.code, 0, "{unix:?}");
    assert_eq!(calls(&server, "get"), 1000);
    // An ACL user without CONFIG: the report goes on without the server
    // settings, as redis-benchmark's.
    let acl = bench(&strings(&[
        "-s", &socket, "--user", "alice", "-a", "secret", "-t", "incr", "-n", "500", "-c", "2",
    ]));
    assert_eq!(acl.code, 0, "{acl:?}");
    assert_eq!(calls(&server, "incr"), 500);
    assert!(
        acl.stderr
            .contains("WARNING: Could not fetch server CONFIG"),
        "{}",
        acl.stderr
    );
    assert!(!acl.stdout.contains("host configuration"));
    let wrong = bench(&strings(&[
        "-s", &socket, "--user", "alice", "-a", "nope", "-t", "incr", "-n", "5",
    ]));
    assert_eq!(wrong.code, 1);
    assert!(
        wrong.stderr.contains("Could not connect to Redis at"),
        "{}",
        wrong.stderr
    );
}

#[test]
fn scenarios_ratios_key_patterns_and_warmup() {
    let _turn = one_at_a_time();
    let server = RedisServer::start().expect("redis-server");
    let dir = tempfile::tempdir().unwrap();
    // A scenario: weighted commands, zipf keys, a rate ramp.
    let file = dir.path().join("s.toml");
    std::fs::write(
        &file,
        r#"
name = "users"
clients = 4
data_size = "8-16"
thresholds = ["get_user.p99<10s"]
[keys]
pattern = "zipf"
maximum = 99
[[commands]]
name = "get_user"
command = "GET user:__key__"
weight = 3
[[commands]]
command = ["SET", "user:__key__", "__data__"]
[[stages]]
duration = "1s"
rate = 1000
[[stages]]
duration = "1s"
rate = 1000
"#,
    )
    .unwrap();
    let json = json_file(&dir, "s.json");
    let out = bench_at(
        &server,
        &[
            "--scenario",
            file.to_str().unwrap(),
            "--json",
            json.to_str().unwrap(),
        ],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert!(
        out.stdout.contains("====== get_user ======") && out.stdout.contains("====== SET ======")
    );
    let test = &read_json(&json)["tests"][0];
    let gets = test["commands"]["get_user"]["requests"].as_u64().unwrap();
    let sets = test["commands"]["SET"]["requests"].as_u64().unwrap();
    // 0 -> 1000/s over 1 s, then 1000/s for 1 s: 1500 requests, 3:1.
    assert!((1400..=1600).contains(&(gets + sets)), "{gets} + {sets}");
    assert!(
        (gets as f64 / sets as f64 - 3.0).abs() < 0.2,
        "{gets}:{sets}"
    );
    let series = test["time_series"].as_array().unwrap();
    let first = series[0]["requests"].as_u64().unwrap();
    let second = series[1]["requests"].as_u64().unwrap();
    assert!(
        first < second && (350..=650).contains(&first),
        "{first} then {second}"
    );
    let keys = match server.query(&["KEYS", "user:*"]) {
        Reply::Array(k) => k.len(),
        other => panic!("{other:?}"),
    };
    assert!(keys <= 100, "{keys} keys");
    assert_eq!(
        server.query(&["EXISTS", "user:000000000000"]),
        Reply::Integer(1),
        "the hottest key"
    );
    match server.query(&["STRLEN", "user:000000000000"]) {
        Reply::Integer(n) => assert!((8..=16).contains(&n), "value size {n}"),
        other => panic!("{other:?}"),
    }

    // --ratio with sequential keys and value sizes: every key once.
    server.run(&["FLUSHALL"]);
    let out = bench_at(
        &server,
        &[
            "--ratio",
            "1:0",
            "--key-pattern",
            "S",
            "--key-minimum",
            "0",
            "--key-maximum",
            "99",
            "-n",
            "100",
            "-c",
            "1",
            "--data-size-range",
            "10-20",
            "-q",
        ],
    );
    assert_eq!(out.code, 0, "{out:?}");
    assert_eq!(server.query(&["DBSIZE"]), Reply::Integer(100));
    for k in [0, 42, 99] {
        match server.query(&["STRLEN", &format!("key:{k:012}")]) {
            Reply::Integer(n) => assert!((10..=20).contains(&n)),
            other => panic!("{other:?}"),
        }
    }

    // --warmup: its requests reach the server but not the report.
    server.run(&["CONFIG", "RESETSTAT"]);
    let out = bench_at(
        &server,
        &[
            "-t",
            "get",
            "-c",
            "2",
            "--rate",
            "400",
            "--duration",
            "1",
            "--warmup",
            "1",
            "--csv",
            "--json",
            json.to_str().unwrap(),
        ],
    );
    assert_eq!(out.code, 0, "{out:?}");
    let measured = read_json(&json)["tests"][0]["requests"].as_u64().unwrap();
    let served = calls(&server, "get");
    assert!((380..=420).contains(&measured), "measured {measured}");
    assert!((760..=840).contains(&served), "served {served}");
}

#[test]
fn bad_options_and_scenarios_exit_1_with_a_message() {
    let unknown = bench(&strings(&["--bogus"]));
    assert_eq!(unknown.code, 1);
    assert!(unknown.stdout.starts_with(
        "Invalid option \"--bogus\" or option argument missing\n\nUsage: redis-cli-rs --bench"
    ));
    let missing = bench(&strings(&["-n"]));
    assert_eq!(missing.code, 1);
    for (args, message) in [
        (&["--rate", "fast"][..], "Invalid option \"--rate\": 'fast'"),
        (&["--duration", "0"][..], "Invalid option \"--duration\""),
        (
            &["--key-pattern", "hot"][..],
            "Invalid option \"--key-pattern\"",
        ),
        (&["--ratio", "1"][..], "Invalid option \"--ratio\""),
        (&["-n", "5", "--duration", "1s"][..], "mutually exclusive"),
        (&["--threshold", "p99"][..], "Invalid threshold 'p99'"),
        (
            &["--scenario", "/nonexistent/s.toml"][..],
            "Invalid scenario file \"/nonexistent/s.toml\"",
        ),
        (&["--cluster"][..], "--cluster needs the cluster client"),
        (
            &["-p", "1", "-n", "10"][..],
            "Could not connect to Redis at 127.0.0.1:1: Connection refused",
        ),
    ] {
        let out = bench(&strings(args));
        assert_eq!(out.code, 1, "{args:?}: {out:?}");
        assert!(out.stderr.contains(message), "{args:?}: {}", out.stderr);
    }
    let dir = tempfile::tempdir().unwrap();
    for (text, message) in [
        (
            "clients = 4\nbogus = 1\n",
            "line 2, column 1: unknown field `bogus`",
        ),
        (
            "[[commands]]\ncommand = \"GET \\\"k\"\n",
            "unbalanced quotes",
        ),
        (
            "[[stages]]\nduration = \"1s\"\n",
            "give rate or connections",
        ),
        ("rate = [", "line 1"),
    ] {
        let file = dir.path().join("bad.toml");
        std::fs::write(&file, text).unwrap();
        let out = bench(&strings(&["--scenario", file.to_str().unwrap()]));
        assert_eq!(out.code, 1, "{text:?}");
        assert!(
            out.stderr.starts_with("Invalid scenario file \""),
            "{}",
            out.stderr
        );
        assert!(out.stderr.contains(message), "{text:?}: {}", out.stderr);
    }
    // redis-cli's own options are untouched: --bench only counts first.
    let cli = run_with(
        ours(),
        &strings(&["-p", "1", "--bench"]),
        Duration::from_secs(10),
    );
    assert_eq!(cli.code, 1);
    assert_eq!(
        cli.stderr,
        "Unrecognized option or bad number of args for: '--bench'\n"
    );
}
