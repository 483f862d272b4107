//! Failures injected with the proxy or by killing the server: every
//! command gets its own reply or a clear error, and nothing that may have
//! run is replayed.

use std::thread;
use std::time::{Duration, Instant};

use integration_tests::proxy::Proxy;
use integration_tests::RedisServer;
use redis_blocking::prelude::*;
use redis_blocking::{Executed, Value};

fn pipeline_of_incrs(n: usize) -> Pipeline<'static> {
    let mut pipe = Pipeline::new();
    for _ in 0..n {
        pipe.incr("counter");
    }
    pipe
}

/// Replies are a prefix of `1..=n`; every command after it has an error
/// saying whether it may have run.
fn check_prefix(results: &[redis_blocking::Result<Value>]) -> usize {
    let ok = results.iter().take_while(|r| r.is_ok()).count();
    for (i, result) in results.iter().enumerate() {
        match result {
            Ok(value) => {
                assert!(i < ok, "a reply after an error");
                assert_eq!(
                    value,
                    &Value::Integer(i as i64 + 1),
                    "reply {i} belongs to another command"
                );
            }
            Err(e) => {
                assert!(e.is_fatal_to_connection(), "{e}");
                assert!(
                    matches!(e.executed(), Executed::Maybe | Executed::No),
                    "{e}"
                );
            }
        }
    }
    ok
}

#[test]
fn connection_cut_mid_pipeline() {
    let server = RedisServer::start().unwrap();
    let proxy = Proxy::start(server.addr()).unwrap();
    let mut conn = Connection::open(&Config::tcp("127.0.0.1", proxy.port())).unwrap();
    // Cut after about a third of the 10,000 replies (`:1234\r\n` is 7 bytes).
    proxy.cut_after(25_000);
    let results = conn.pipeline_results(&pipeline_of_incrs(10_000));
    assert_eq!(results.len(), 10_000);
    let ok = check_prefix(&results);
    // 25,000 bytes hold 3,729 replies (`:1\r\n` to `:3729\r\n`); the proxy's
    // close may reset the connection, and a reset discards what the
    // client's kernel had not handed over yet, so fewer may arrive.
    assert!((1..=3_729).contains(&ok), "{ok} replies before the cut");
    let last = results[9_999].as_ref().unwrap_err();
    assert_eq!(last.executed(), Executed::Maybe, "all 10,000 were written");
    // The server ran the INCRs the proxy forwarded before the cut, each
    // once: at least those answered, at most all; the client replayed none.
    let ran = counter(&server);
    assert!(
        (ok as i64..=10_000).contains(&ran),
        "{ok} answered, {ran} ran"
    );
}

fn counter(server: &RedisServer) -> i64 {
    thread::sleep(Duration::from_millis(100));
    let reply = server.run(&["GET", "counter"]);
    reply
        .lines()
        .nth(1)
        .and_then(|l| l.parse().ok())
        .unwrap_or(0)
}

#[test]
fn client_does_not_replay_a_cut_pipeline() {
    let server = RedisServer::start().unwrap();
    let proxy = Proxy::start(server.addr()).unwrap();
    let client = Client::builder(Config::tcp("127.0.0.1", proxy.port())).build();
    proxy.cut_after(25_000);
    let err = client
        .query_pipeline::<Vec<i64>>(&pipeline_of_incrs(10_000))
        .unwrap_err();
    // About a third was answered: the pipeline as a whole ran (in part),
    // so it must not be sent again.
    assert_eq!(err.executed(), Executed::Yes, "{err}");
    assert_eq!(err.retry(), redis_blocking::Retry::Never, "{err}");
    proxy.clear_cut();
    let ran = counter(&server);
    assert!(ran <= 10_000, "replayed: {ran}");
    // And the client goes on with a new connection.
    let client = client;
    assert_eq!(client.incr::<_, i64>("counter").unwrap(), ran + 1);
}

#[test]
fn server_killed_during_a_pipeline() {
    let server = RedisServer::start().unwrap();
    let mut conn = Connection::open(&Config::tcp("127.0.0.1", server.port())).unwrap();
    // The server sleeps in the middle of the batch and is killed then.
    let mut pipe = pipeline_of_incrs(5_000);
    pipe.cmd("DEBUG").arg("SLEEP").arg(1);
    for _ in 0..5_000 {
        pipe.incr("counter");
    }
    let killer = {
        let pid = server.pid().unwrap();
        thread::spawn(move || {
            thread::sleep(Duration::from_millis(300));

            let _ = std::process::Command::new("kill")
                .arg("-9")
                .arg(pid.to_string())
                .status();
        })
    };
    let started = Instant::now();
    let results = conn.pipeline_results(&pipe);
    killer.join().unwrap();
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "waited for the sleep instead of seeing the kill"
    );
    assert_eq!(results.len(), 10_001);
    let ok = check_prefix(&results);
    assert!(ok <= 5_000, "{ok}");
    assert!(conn.is_broken());
}

#[test]
fn delayed_replies_time_out_alone() {
    let server = RedisServer::start().unwrap();
    let proxy = Proxy::start(server.addr()).unwrap();
    let client = Client::builder(Config::tcp("127.0.0.1", proxy.port()))
        .timeout(Some(Duration::from_millis(100)))
        .build();
    proxy.delay_key("slow", Duration::from_millis(300));
    let c = client.clone();
    let () = c.set("fast", 1).unwrap();
    let err = c.get::<_, Option<i64>>("slow").unwrap_err();
    assert_eq!(
        (err.kind(), err.executed()),
        (ErrorKind::Timeout, Executed::Maybe)
    );
    // Other connections, and new ones, are unaffected and in step.
    for _ in 0..20 {
        assert_eq!(c.get::<_, i64>("fast").unwrap(), 1);
    }
}

#[test]
fn black_holed_server_fails_within_the_deadline() {
    let server = RedisServer::start().unwrap();
    let proxy = Proxy::start(server.addr()).unwrap();
    let client = Client::builder(Config::tcp("127.0.0.1", proxy.port()))
        .timeout(Some(Duration::from_millis(300)))
        .build();
    let c = client.clone();
    let () = c.set("k", 1).unwrap();
    proxy.pause();
    let started = Instant::now();
    let err = c.get::<_, i64>("k").unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(600),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(err.kind(), ErrorKind::Timeout);
    proxy.resume();
    assert_eq!(c.get::<_, i64>("k").unwrap(), 1);
}

#[test]
fn refused_connections_are_retried_with_backoff() {
    let server = RedisServer::start().unwrap();
    let proxy = Proxy::start(server.addr()).unwrap();
    proxy.refuse_connections(true);
    let client = Client::builder(Config::tcp("127.0.0.1", proxy.port()))
        .reconnect_strategy(redis_blocking::ReconnectStrategy::Constant(
            Duration::from_millis(100),
        ))
        .max_retries(10)
        .build();
    let opener = {
        let client = client.clone();
        thread::spawn(move || client.query::<String>(&Cmd::new("PING")))
    };
    thread::sleep(Duration::from_millis(250));
    proxy.refuse_connections(false);
    assert_eq!(opener.join().unwrap().unwrap(), "PONG");
    assert!(proxy.connections_refused() >= 2);
}
