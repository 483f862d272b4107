//! The pooled client's call loop: deadlines that follow blocking commands,
//! per-call timeouts on typed methods, session hazards (settings and
//! session commands that would leak between borrowers), transactions, and
//! errors that user code can raise in the crate's own terms.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use integration_tests::proxy::Proxy;
use integration_tests::RedisServer;
use redis_blocking::prelude::*;
use redis_blocking::{Executed, FromReply, Protocol, ReconnectStrategy, TransactionPolicy};
use resp_core::Frame;

/// How many times the server ran `command`, from `INFO commandstats`.
fn calls(server: &RedisServer, command: &str) -> u64 {
    let info = server.run(&["INFO", "commandstats"]);
    let prefix = format!("cmdstat_{command}:calls=");
    info.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

fn client_with_timeout(server: &RedisServer, timeout: Duration) -> Client {
    Client::builder(Config::tcp("127.0.0.1", server.port()))
        .timeout(Some(timeout))
        .build()
}

#[test]
fn blocking_commands_extend_the_clients_deadline() {
    let server = RedisServer::start().unwrap();
    let client = client_with_timeout(&server, Duration::from_millis(200));
    // Nothing to pop: the server answers nil after half a second, past
    // the client's 200 ms.
    let started = Instant::now();
    let popped: Option<(String, String)> = client
        .query(&Cmd::new("BLPOP").arg("queue").arg(0.5))
        .unwrap();
    assert_eq!(popped, None);
    assert!(started.elapsed() >= Duration::from_millis(450));
    // An element pushed while it waits is returned, not lost.
    let pusher = thread::spawn({
        let url = server.url();
        move || {
            thread::sleep(Duration::from_millis(300));
            let client = Client::open(&url).unwrap();
            client
                .query::<i64>(&Cmd::new("RPUSH").arg("queue").arg("job"))
                .unwrap();
        }
    });
    let popped: Option<(String, String)> = client
        .query(&Cmd::new("BLPOP").arg("queue").arg(2))
        .unwrap();
    pusher.join().unwrap();
    assert_eq!(popped, Some(("queue".into(), "job".into())));
    // And typed methods, with their own timeout.
    let typed = client.clone();
    let popped: Option<(String, String)> = typed
        .with_timeout(Duration::from_millis(100))
        .blpop("queue", 0.3)
        .unwrap();
    assert_eq!(popped, None);
}

#[test]
fn typed_calls_take_a_per_call_timeout() {
    let server = RedisServer::start().unwrap();
    let proxy = Proxy::start(server.addr()).unwrap();
    let client = Client::builder(Config::tcp("127.0.0.1", proxy.port())).build();
    client.set::<_, _, ()>("k", "v").unwrap();
    proxy.delay_command("GET", Duration::from_millis(600));
    let started = Instant::now();
    let e = client
        .with_timeout(Duration::from_millis(100))
        .get::<_, Option<String>>("k")
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.executed()),
        (ErrorKind::Timeout, Executed::Maybe),
        "{e}"
    );
    assert!(started.elapsed() < Duration::from_millis(500));
    proxy.clear_delays();
    // Without it, the same call waits for the reply.
    let v: Option<String> = client.get("k").unwrap();
    assert_eq!(v.as_deref(), Some("v"));
}

/// A command's or a pipeline's own timeout replaces the connections'
/// default (`Config::timeout`), longer as well as shorter: a slow command
/// given 2 s where the connections have 200 ms gets its reply, through a
/// `Client` and a `ClusterClient` alike (it was cut at 200 ms).
#[test]
fn a_calls_own_timeout_replaces_the_connections() {
    let server = RedisServer::builder()
        .config("enable-debug-command yes")
        .start()
        .unwrap();
    let short = Duration::from_millis(200);
    let slow = || Cmd::new("DEBUG").arg("SLEEP").arg("0.5");
    let client =
        Client::builder(Config::tcp("127.0.0.1", server.port()).timeout(Some(short))).build();
    let () = client
        .query(&slow().timeout(Duration::from_secs(2)))
        .unwrap();
    let mut pipe = Pipeline::new();
    pipe.add(slow()).ignore().cmd("PING");
    pipe.timeout(Duration::from_secs(2));
    let (pong,): (String,) = client.query_pipeline(&pipe).unwrap();
    assert_eq!(pong, "PONG");
    // Without its own timeout, the same command is cut at the default.
    let e = client.query::<()>(&slow()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    thread::sleep(Duration::from_millis(500));

    let cluster = integration_tests::RedisCluster::builder()
        .config("enable-debug-command yes")
        .start()
        .unwrap();
    let config = Config::tcp("127.0.0.1", cluster.node(0).port()).timeout(Some(short));
    let c = redis_blocking::ClusterClient::builder(config)
        .unwrap()
        .build();
    let () = c.query(&slow().timeout(Duration::from_secs(2))).unwrap();
    let mut pipe = Pipeline::new();
    pipe.add(slow()).ignore().cmd("PING");
    pipe.timeout(Duration::from_secs(2));
    let (pong,): (String,) = c.query_pipeline(&pipe).unwrap();
    assert_eq!(pong, "PONG");
}

/// A transaction refused at queueing time with READONLY (its server a
/// replica until a failover promotes it) did not run and may pass: it is
/// tried again, and goes through once the server is a master (it failed
/// at once after retries were limited to refusals that may pass, judged by
/// the EXECABORT that wraps it).
#[test]
fn a_transaction_refused_by_a_replica_being_promoted_is_tried_again() {
    let master = RedisServer::start().unwrap();
    let server = RedisServer::start().unwrap();
    let config = Config::tcp("127.0.0.1", server.port()).timeout(Some(Duration::from_secs(1)));
    let client = Client::builder(config).build();
    let () = client.set("b", 0).unwrap();
    server.run(&["REPLICAOF", "127.0.0.1", &master.port().to_string()]);
    let deadline = Instant::now() + Duration::from_secs(5);
    while !server
        .run(&["INFO", "replication"])
        .contains("master_link_status:up")
    {
        assert!(Instant::now() < deadline, "the replica never synced");
        thread::sleep(Duration::from_millis(20));
    }
    let multis = calls(&server, "multi");
    let promote = thread::spawn({
        let port = server.port();
        move || {
            thread::sleep(Duration::from_millis(300));
            let out = std::process::Command::new("redis-cli")
                .args(["-p", &port.to_string(), "REPLICAOF", "NO", "ONE"])
                .output()
                .unwrap();
            assert!(out.status.success());
        }
    });
    let result: redis_blocking::Result<(i64,)> = client.transaction("b", |_, pipe| {
        pipe.incr("b");
        Ok(())
    });
    promote.join().unwrap();
    assert_eq!(result.unwrap(), (1,));
    assert!(calls(&server, "multi") > multis + 1, "tried once only");
}

#[test]
fn settings_changed_on_a_lent_connection_do_not_leak() {
    let server = RedisServer::start().unwrap();
    server.run(&["SET", "in-db-0", "yes"]);
    let cfg = Config::tcp("127.0.0.1", server.port())
        .protocol(Protocol::Resp3)
        .timeout(Some(Duration::from_secs(5)));
    let client = Client::builder(cfg).max_size(1).build();
    let pushes = Arc::new(AtomicU64::new(0));
    {
        let mut conn = client.connection().unwrap();
        conn.set_timeout(Some(Duration::from_millis(1)));
        let seen = pushes.clone();
        conn.set_push_handler(move |_| {
            seen.fetch_add(1, Ordering::SeqCst);
        });
        conn.set_timeout(Some(Duration::from_secs(5)));
        conn.query::<()>(&Cmd::new("SELECT").arg(3)).unwrap();
        conn.query::<()>(&Cmd::new("CLIENT").arg("SETNAME").arg("first"))
            .unwrap();
        conn.set_timeout(Some(Duration::from_millis(1)));
    }
    let mut conn = client.connection().unwrap();
    assert_eq!(conn.timeout(), Some(Duration::from_secs(5)));
    let v: Option<String> = conn.query(&Cmd::new("GET").arg("in-db-0")).unwrap();
    assert_eq!(v.as_deref(), Some("yes"), "back in database 0");
    let name: Option<String> = conn.query(&Cmd::new("CLIENT").arg("GETNAME")).unwrap();
    assert_eq!(name, None);
    // A push on this borrower's watch must not reach the first one's
    // handler.
    conn.query::<()>(&Cmd::new("CLIENT").arg("TRACKING").arg("ON"))
        .unwrap();
    let _: Option<String> = conn.query(&Cmd::new("GET").arg("in-db-0")).unwrap();
    server.run(&["SET", "in-db-0", "changed"]);
    thread::sleep(Duration::from_millis(50));
    let _: String = conn.query(&Cmd::new("PING")).unwrap();
    assert_eq!(pushes.load(Ordering::SeqCst), 0);
}

#[test]
fn session_commands_are_refused_as_single_calls() {
    let server = RedisServer::start().unwrap();
    let client = Client::open(&server.url()).unwrap();
    for argv in [
        vec!["WATCH", "k"],
        vec!["MULTI"],
        vec!["EXEC"],
        vec!["SELECT", "1"],
        vec!["CLIENT", "SETNAME", "x"],
        vec!["UNWATCH"],
    ] {
        let mut cmd = Cmd::new(argv[0]);
        for arg in &argv[1..] {
            cmd.add_arg(*arg);
        }
        let e = client.query::<Value>(&cmd).unwrap_err();
        assert_eq!(
            (e.kind(), e.executed()),
            (ErrorKind::InvalidCommand, Executed::No),
            "{argv:?}"
        );
        assert!(e.to_string().contains("Client::"), "{argv:?}: {e}");
    }
    assert!(client
        .query::<Value>(&Cmd::new("WATCH").arg("k"))
        .unwrap_err()
        .to_string()
        .contains("Client::transaction"));
    // Nothing was sent.
    assert!(!server
        .run(&["INFO", "commandstats"])
        .contains("cmdstat_watch"));
}

#[test]
fn client_transactions_retry_conflicts_and_skip_empty_bodies() {
    let server = RedisServer::start().unwrap();
    let client = Client::builder(Config::tcp("127.0.0.1", server.port()))
        .transaction_policy(TransactionPolicy::default().attempts(1000))
        .build();
    let workers: Vec<_> = (0..4)
        .map(|_| {
            let client = client.clone();
            thread::spawn(move || {
                for _ in 0..50 {
                    let _: (i64,) = client
                        .transaction("balance", |conn, pipe| {
                            let old: Option<i64> = conn.query(&Cmd::new("GET").arg("balance"))?;
                            pipe.cmd("SET")
                                .arg("balance")
                                .arg(old.unwrap_or(0) + 1)
                                .ignore();
                            pipe.cmd("GET").arg("balance");
                            Ok(())
                        })
                        .unwrap();
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    assert!(server.run(&["GET", "balance"]).contains("200"));
    // One attempt only: a conflict is the caller's to handle, and the body
    // ran once.
    let once = Client::builder(Config::tcp("127.0.0.1", server.port()))
        .transaction_policy(TransactionPolicy::default().attempts(1))
        .build();
    let runs = AtomicU64::new(0);
    let e = once
        .transaction::<_, (i64,), _>("balance", |_, pipe| {
            runs.fetch_add(1, Ordering::SeqCst);
            // Another client changes the watched key in between.
            std::process::Command::new("redis-cli")
                .args(["-p", &server.port().to_string(), "INCR", "balance"])
                .output()
                .unwrap();
            pipe.incr("balance");
            Ok(())
        })
        .unwrap_err();
    assert_eq!(
        (e.kind(), e.executed()),
        (ErrorKind::WatchConflict, Executed::No),
        "{e}"
    );
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    // An empty body sends no MULTI/EXEC.
    let (multi, exec) = (calls(&server, "multi"), calls(&server, "exec"));
    let nothing: Vec<i64> = client.transaction("balance", |_, _| Ok(())).unwrap();
    assert!(nothing.is_empty());
    assert_eq!(
        (calls(&server, "multi"), calls(&server, "exec")),
        (multi, exec)
    );
    // A body's own error ends it, unwatched.
    let e = client
        .transaction::<_, (), _>("balance", |_, _| {
            Err(redis_blocking::Error::new(
                ErrorKind::InvalidCommand,
                Executed::No,
                "not today",
            ))
        })
        .unwrap_err();
    assert_eq!(e.to_string(), "not today");
}

/// A JSON-ish wrapper whose decoding can fail in the crate's own terms.
#[derive(Debug, PartialEq)]
struct Point(i64, i64);

impl FromReply for Point {
    fn from_reply(frame: Frame<'_>) -> redis_blocking::Result<Self> {
        let text = String::from_reply(frame)?;
        let parsed = text
            .strip_prefix('[')
            .and_then(|t| t.strip_suffix(']'))
            .and_then(|t| t.split_once(','))
            .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)));
        match parsed {
            Some((x, y)) => Ok(Point(x, y)),
            None => Err(redis_blocking::Error::type_mismatch(format!(
                "not a point: {text:?}"
            ))),
        }
    }
}

#[test]
fn user_conversions_report_their_own_errors() {
    let server = RedisServer::start().unwrap();
    server.run(&["SET", "good", "[1, 2]"]);
    server.run(&["SET", "bad", "{}"]);
    let client = Client::builder(Config::tcp("127.0.0.1", server.port()))
        .reconnect_strategy(ReconnectStrategy::Constant(Duration::from_millis(10)))
        .build();
    assert_eq!(client.get::<_, Point>("good").unwrap(), Point(1, 2));
    let e = client.get::<_, Point>("bad").unwrap_err();
    assert_eq!(
        (e.kind(), e.executed()),
        (ErrorKind::TypeMismatch, Executed::Yes)
    );
    assert!(e.to_string().contains("not a point"), "{e}");
    // The connection stayed usable.
    assert_eq!(client.get::<_, Point>("good").unwrap(), Point(1, 2));
}

#[test]
fn unknown_url_options_are_refused() {
    let server = RedisServer::start().unwrap();
    // `tls=true` is not how TLS is asked for: refused, rather than a
    // plaintext connection that succeeds.
    let url = format!("{}?tls=true", server.url());
    let e = Client::open(&url).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidConfig);
    assert!(e.to_string().contains("'tls'"), "{e}");
    assert!(e.to_string().contains("rediss://"), "{e}");
    for (url, named) in [
        (format!("{}?db=1&colour=blue", server.url()), "'colour'"),
        (format!("{}?protocol=4", server.url()), "protocol"),
        (
            format!("rediss://127.0.0.1:{}?insecure=perhaps", server.port()),
            "insecure",
        ),
    ] {
        let e = Connection::open_url(&url).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig, "{url}");
        assert!(e.to_string().contains(named), "{url}: {e}");
    }
}
