//! Pipelines that partly ran: each command keeps its own outcome, nothing
//! that ran or may have run is sent again, and no error reply goes unseen.

use std::thread;
use std::time::Duration;

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use integration_tests::hostile::Hostile;
use integration_tests::proxy::Proxy;
use integration_tests::RedisServer;
use redis_blocking::prelude::*;
use redis_blocking::{Executed, ReconnectStrategy, Retry, ServerError};

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

fn counter(server: &RedisServer, key: &str) -> i64 {
    server
        .run(&["GET", key])
        .lines()
        .nth(1)
        .and_then(|l| l.parse().ok())
        .unwrap_or(0)
}

fn replica_pair() -> (RedisServer, RedisServer) {
    let master = RedisServer::start().unwrap();
    let replica = RedisServer::builder().replica_of(&master).start().unwrap();
    (master, replica)
}

fn publish_then_incr() -> Pipeline<'static> {
    let mut pipe = Pipeline::new();
    pipe.cmd("PUBLISH").arg("ch").arg("m");
    pipe.incr("c");
    pipe
}

#[test]
fn a_partly_refused_pipeline_is_never_sent_again_whole() {
    let (_master, replica) = replica_pair();
    let client = Client::builder(Config::tcp("127.0.0.1", replica.port()))
        .reconnect_strategy(ReconnectStrategy::Constant(Duration::from_millis(20)))
        .max_retries(3)
        .build();
    let e = client
        .query_pipeline::<(i64, i64)>(&publish_then_incr())
        .unwrap_err();
    // PUBLISH ran: the pipeline as a whole must not be sent again.
    assert_eq!(e.executed(), Executed::Yes, "{e}");
    assert_eq!(e.retry(), Retry::Never, "{e}");
    assert_eq!(e.code(), Some(&redis_blocking::ErrorCode::ReadOnly), "{e}");
    assert_eq!(calls(&replica, "publish"), 1);
    // Each command's own outcome.
    let results = client.pipeline_results(&publish_then_incr());
    assert_eq!(results[0].as_ref().unwrap(), &Value::Integer(0));
    let refused = results[1].as_ref().unwrap_err();
    assert_eq!(
        (refused.executed(), refused.retry()),
        (Executed::No, Retry::Safe)
    );
    assert_eq!(calls(&replica, "publish"), 2);
}

#[test]
fn only_the_commands_that_did_not_run_are_sent_again() {
    let (master, replica) = replica_pair();
    let client = Client::builder(Config::tcp("127.0.0.1", replica.port()))
        .reconnect_strategy(ReconnectStrategy::Constant(Duration::from_millis(50)))
        .max_retries(40)
        .build();
    // The replica becomes writable while the client retries INCR.
    let promote = thread::spawn({
        let port = replica.port();
        move || {
            thread::sleep(Duration::from_millis(150));
            let promoted = std::process::Command::new("redis-cli")
                .args(["-p", &port.to_string(), "REPLICAOF", "NO", "ONE"])
                .output()
                .unwrap();
            assert!(promoted.status.success());
        }
    });
    let (subscribers, incremented): (i64, i64) =
        client.query_pipeline(&publish_then_incr()).unwrap();
    promote.join().unwrap();
    assert_eq!((subscribers, incremented), (0, 1));
    assert_eq!(calls(&replica, "publish"), 1, "PUBLISH ran again");
    assert_eq!(counter(&replica, "c"), 1);
    drop(master);
}

#[test]
fn a_cut_while_writing_a_large_argument_resends_only_the_unwritten_commands() {
    let server = RedisServer::start().unwrap();
    let proxy = Proxy::start(server.addr()).unwrap();
    let client = Client::builder(Config::tcp("127.0.0.1", proxy.port()))
        .reconnect_strategy(ReconnectStrategy::Constant(Duration::from_millis(100)))
        .build();
    let _: String = client.query(&Cmd::new("PING")).unwrap();
    let big = vec![b'v'; 8 << 20];
    let mut pipe = Pipeline::new();
    pipe.incr("c");
    pipe.cmd("SET").arg("big").arg(&big[..]);
    proxy.cut_after_request_bytes(512 * 1024);
    let result = thread::scope(|s| {
        // Lift the cut once the first connection is gone, so that the
        // retry gets through.
        s.spawn(|| {
            while proxy.open_connections() > 0 {
                thread::sleep(Duration::from_millis(1));
            }
            proxy.clear_cut();
        });
        client.query_pipeline::<(i64, String)>(&pipe)
    });
    // INCR ran once, never twice, whatever happened to the SET.
    assert_eq!(counter(&server, "c"), 1);
    match result {
        Ok((n, ok)) => {
            assert_eq!((n, ok.as_str()), (1, "OK"));
            assert_eq!(calls(&server, "set"), 1);
            assert!(server
                .run(&["STRLEN", "big"])
                .contains(&(8u64 << 20).to_string()));
        }
        // The INCR's reply was lost with the connection: it may have run,
        // so nothing was sent again.
        Err(e) => assert_ne!(e.executed(), Executed::No, "{e}"),
    }
}

/// A server that answers the first INCR of its first connection, then
/// closes its side (after the reply, so the reply surely arrives) and stops
/// reading for a while, so that a large argument behind the INCR cannot be
/// completely written; later connections answer everything. Counts every
/// INCR it receives.
fn closes_mid_argument(incrs: Arc<AtomicU64>) -> Hostile {
    Hostile::start(move |mut peer| {
        let first = peer.index == 0;
        while let Some(argv) = peer.read_command() {
            let reply: &[u8] = match argv[0].to_ascii_uppercase().as_slice() {
                b"INCR" => {
                    let n = incrs.fetch_add(1, Ordering::SeqCst) + 1;
                    peer.send(format!(":{n}\r\n").as_bytes());
                    if first {
                        peer.shutdown_write();
                        thread::sleep(Duration::from_millis(300));
                        while peer.read_raw().is_some() {}
                        return;
                    }
                    continue;
                }
                b"PING" => b"+PONG\r\n",
                _ => b"+OK\r\n",
            };
            peer.send(reply);
        }
    })
}

/// Larger than what the loopback socket buffers of both ends can hold.
const HUGE: usize = 64 << 20;

#[test]
fn a_connection_closed_mid_argument_keeps_each_commands_outcome() {
    let incrs = Arc::new(AtomicU64::new(0));
    let server = closes_mid_argument(incrs.clone());
    let cfg = Config::tcp("127.0.0.1", server.port()).ping_on_connect(false);
    let mut conn = Connection::open(&cfg).unwrap();
    let big = vec![b'v'; HUGE];
    let mut pipe = Pipeline::new();
    pipe.incr("c");
    pipe.cmd("SET").arg("big").arg(&big[..]);
    pipe.incr("c");
    let results = conn.pipeline_results(&pipe);
    assert_eq!(results[0].as_ref().unwrap(), &Value::Integer(1));
    for (i, result) in results.iter().enumerate().skip(1) {
        let e = result.as_ref().unwrap_err();
        assert_eq!(e.executed(), Executed::No, "command {i}: {e}");
    }
    // Through a client, only the commands that surely did not run go
    // again: INCR once in all.
    let incrs = Arc::new(AtomicU64::new(0));
    let server = closes_mid_argument(incrs.clone());
    let client = Client::builder(Config::tcp("127.0.0.1", server.port()).ping_on_connect(false))
        .reconnect_strategy(ReconnectStrategy::Constant(Duration::from_millis(20)))
        .build();
    let mut pipe = Pipeline::new();
    pipe.incr("c");
    pipe.cmd("SET").arg("big").arg(&big[..]);
    let (n, ok): (i64, String) = client.query_pipeline(&pipe).unwrap();
    assert_eq!((n, ok.as_str()), (1, "OK"));
    assert_eq!(incrs.load(Ordering::SeqCst), 1, "INCR was sent again");
    assert_eq!(server.accepted(), 2);
}

#[test]
fn error_replies_are_never_swallowed() {
    let server = RedisServer::start().unwrap();
    let mut conn = Connection::open(&Config::tcp("127.0.0.1", server.port())).unwrap();
    let mut pipe = Pipeline::new();
    pipe.cmd("SET").arg("s").arg("text");
    pipe.incr("s");
    // `()` still looks at every reply.
    let e = conn.query_pipeline::<()>(&pipe).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Server, "{e}");
    assert!(e.to_string().contains("not an integer"), "{e}");
    // So does an ignored command.
    let mut pipe = Pipeline::new();
    pipe.cmd("INCR").arg("s").ignore();
    pipe.cmd("GET").arg("s");
    let e = conn.query_pipeline::<(String,)>(&pipe).unwrap_err();
    assert!(e.to_string().contains("not an integer"), "{e}");
    assert!(
        e.to_string().contains("pipeline command 1 of 2 (INCR)"),
        "{e}"
    );
    // The same through a pooled client, and in a transaction.
    let client = Client::open(&server.url()).unwrap();
    let mut pipe = Pipeline::transaction();
    pipe.incr("s").ignore();
    pipe.cmd("GET").arg("s");
    let e = client.query_pipeline::<(String,)>(&pipe).unwrap_err();
    assert!(e.to_string().contains("not an integer"), "{e}");
    assert_eq!(e.executed(), Executed::Yes, "EXEC ran: {e}");
    // Errors as values still work.
    let mut pipe = Pipeline::new();
    pipe.incr("s").cmd("GET").arg("s");
    let (incr, get): (Result<i64, ServerError>, String) = conn.query_pipeline(&pipe).unwrap();
    assert!(incr.is_err());
    assert_eq!(get, "text");
    // And the connection stayed in step.
    let n: i64 = conn.query(&Cmd::new("DBSIZE")).unwrap();
    assert_eq!(n, 1);
}
