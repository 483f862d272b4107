//! The thread-safe client: pool, reconnects and safe retries, against real
//! servers.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use integration_tests::RedisServer;
use redis_blocking::prelude::*;
use redis_blocking::{Client, ClientBuilder, Event, Executed, ReconnectStrategy, Retry};

fn builder(server: &RedisServer) -> ClientBuilder {
    Client::builder(Config::tcp("127.0.0.1", server.port()))
}

#[test]
fn many_threads_share_one_client() {
    let server = RedisServer::start().unwrap();
    let client = builder(&server).max_size(4).build();
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let client = client.clone();
            thread::spawn(move || {
                for i in 0..200 {
                    let () = client.set(format!("k{t}"), i).unwrap();
                    assert_eq!(client.get::<_, i64>(format!("k{t}")).unwrap(), i);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    assert!(client.open_connections() <= 4);
    assert!(client.idle_connections() >= 1);
}

#[test]
fn random_timeouts_never_mismatch_replies() {
    let server = RedisServer::start().unwrap();
    let client = builder(&server).max_size(8).max_retries(0).build();
    let timeouts = Arc::new(AtomicUsize::new(0));
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let client = client.clone();
            let timeouts = Arc::clone(&timeouts);
            thread::spawn(move || {
                let mut seed = 0x9E37_79B9_7F4A_7C15u64 ^ t;
                let mut ok = 0u64;
                let mut i = 0u64;
                while timeouts.load(Ordering::Relaxed) < 10_000 && i < 2_000_000 {
                    i += 1;
                    seed ^= seed << 13;
                    seed ^= seed >> 7;
                    seed ^= seed << 17;
                    // Each command asks the server to echo a value unique to
                    // it, with a deadline from nothing to a generous 300 µs,
                    // so that replies often arrive around the deadline.
                    let value = format!("{t}:{i}");
                    let cmd = Cmd::new("ECHO")
                        .arg(&value)
                        .timeout(Duration::from_micros(seed % 300));
                    match client.query::<String>(&cmd) {
                        Ok(reply) => {
                            assert_eq!(reply, value, "a reply for another command");
                            ok += 1;
                        }
                        Err(e) => {
                            // Timed out waiting for the reply (may have run),
                            // or before the command was written: opening a
                            // connection takes a round trip of its own.
                            assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
                            timeouts.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
                ok
            })
        })
        .collect();
    let ok: u64 = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert!(
        timeouts.load(Ordering::Relaxed) >= 10_000,
        "only {} timeouts",
        timeouts.load(Ordering::Relaxed)
    );
    assert!(ok > 0);
    // The pool still works with fresh connections.
    assert_eq!(
        client
            .query::<String>(&Cmd::new("ECHO").arg("last"))
            .unwrap(),
        "last"
    );
}

#[test]
fn a_write_that_timed_out_is_not_retried() {
    let server = RedisServer::start().unwrap();
    let client = builder(&server)
        .timeout(Some(Duration::from_millis(200)))
        .build();
    let admin = client.clone();
    let () = admin.set("counter", 0).unwrap();
    // Two connections open and idle, so the INCR below is written at once.
    drop((client.connection().unwrap(), client.connection().unwrap()));
    let sleeper = {
        let client = client.clone();
        thread::spawn(move || {
            client.query::<()>(
                &Cmd::new("DEBUG")
                    .arg("SLEEP")
                    .arg(0.6)
                    .timeout(Duration::from_secs(5)),
            )
        })
    };
    thread::sleep(Duration::from_millis(100));
    let err = client
        .query::<i64>(&Cmd::new("INCR").arg("counter"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.executed(), Executed::Maybe);
    assert_eq!(err.retry(), Retry::MaybeExecuted);
    assert!(err.to_string().contains("may have run"), "{err}");
    sleeper.join().unwrap().unwrap();
    // The server runs the INCR once it wakes (possibly after other clients'
    // commands of the same event-loop turn): exactly once, never replayed.
    thread::sleep(Duration::from_millis(200));
    assert_eq!(admin.get::<_, i64>("counter").unwrap(), 1);
}

#[test]
fn reads_may_be_retried_when_allowed() {
    let server = RedisServer::start().unwrap();
    let client = builder(&server).retry_reads(true).build();
    let c = client.clone();
    let () = c.set("k", "v").unwrap();
    let sleeper = {
        let client = client.clone();
        thread::spawn(move || {
            client.query::<()>(
                &Cmd::new("DEBUG")
                    .arg("SLEEP")
                    .arg(0.3)
                    .timeout(Duration::from_secs(5)),
            )
        })
    };
    thread::sleep(Duration::from_millis(50));
    // The first attempt times out; the GET is read-only, so it is retried
    // and succeeds once the server wakes.
    let cmd = Cmd::new("GET").arg("k").timeout(Duration::from_millis(150));
    let started = Instant::now();
    let result = loop {
        match client.query::<String>(&cmd) {
            Err(e)
                if e.kind() == ErrorKind::Timeout && started.elapsed() < Duration::from_secs(2) =>
            {
                continue
            }
            other => break other,
        }
    };
    assert_eq!(result.unwrap(), "v");
    sleeper.join().unwrap().unwrap();
}

#[test]
fn recovers_after_a_restart_and_fails_fast_while_down() {
    let server = RedisServer::start().unwrap();
    let events = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&events);
    let client = builder(&server)
        .reconnect_strategy(ReconnectStrategy::Constant(Duration::from_millis(50)))
        .max_retries(4)
        .on_event(move |e: &Event| seen.lock().unwrap().push(e.to_string()))
        .build();
    let () = client.set("k", "before").unwrap();
    server.kill();
    // Let the kernel close the server's sockets: the pooled connection is
    // then seen dead before anything is written to it.
    thread::sleep(Duration::from_millis(100));
    // Down: the call fails within its deadline, with the cause.
    let started = Instant::now();
    let err = client
        .query::<String>(&Cmd::new("GET").arg("k").timeout(Duration::from_millis(600)))
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_millis(900),
        "{:?}",
        started.elapsed()
    );
    assert!(
        matches!(err.kind(), ErrorKind::Connect | ErrorKind::Io),
        "{err}"
    );
    assert!(
        err.to_string().contains("refused") || err.to_string().contains("closed"),
        "{err}"
    );
    // Back: the client recovers on its own.
    server.restart().unwrap();
    let started = Instant::now();
    let () = client.set("k", "after").unwrap();
    assert!(started.elapsed() < Duration::from_secs(2));
    assert_eq!(client.get::<_, String>("k").unwrap(), "after");
    let events = events.lock().unwrap();
    assert!(events.iter().any(|e| e.starts_with("retry")), "{events:?}");
    assert!(events.iter().any(|e| e.contains("ready")), "{events:?}");
}

#[test]
fn session_state_does_not_leak() {
    let server = RedisServer::start().unwrap();
    let client = builder(&server).max_size(1).build();
    {
        let mut conn = client.connection().unwrap();
        conn.query::<()>(&Cmd::new("SELECT").arg(5)).unwrap();
        let () = conn.set("only-in-5", 1).unwrap();
        conn.query::<()>(&Cmd::new("CLIENT").arg("SETNAME").arg("borrower"))
            .unwrap();
    }
    {
        let mut conn = client.connection().unwrap();
        assert_eq!(conn.get::<_, Option<i64>>("only-in-5").unwrap(), None);
        let name: Option<String> = conn.client_getname().unwrap();
        assert_eq!(name, None);
        conn.query::<()>(&Cmd::new("WATCH").arg("w")).unwrap();
    }
    let mut other = Connection::open(&Config::tcp("127.0.0.1", server.port())).unwrap();
    let () = other.set("w", "changed").unwrap();
    {
        let mut conn = client.connection().unwrap();
        let mut pipe = Pipeline::transaction();
        pipe.incr("n");
        let (n,): (i64,) = conn
            .query_pipeline(&pipe)
            .expect("not aborted by a leaked WATCH");
        assert_eq!(n, 1);
        conn.query::<()>(&Cmd::new("MULTI")).unwrap();
        let queued: String = conn.query(&Cmd::new("INCR").arg("n")).unwrap();
        assert_eq!(queued, "QUEUED");
    }
    let mut conn = client.connection().unwrap();
    assert_eq!(
        conn.get::<_, i64>("n").unwrap(),
        1,
        "the open MULTI was discarded"
    );
}

#[test]
fn broken_and_panicked_connections_never_go_back() {
    let server = RedisServer::start().unwrap();
    let client = builder(&server).max_size(1).build();
    let first_id: u64 = client.connection().unwrap().client_id().unwrap();
    {
        let mut conn = client.connection().unwrap();
        let err = conn
            .query::<()>(
                &Cmd::new("DEBUG")
                    .arg("SLEEP")
                    .arg(0.2)
                    .timeout(Duration::from_millis(20)),
            )
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Timeout);
    }
    let second_id: u64 = client.connection().unwrap().client_id().unwrap();
    assert_ne!(first_id, second_id, "the timed-out connection was reused");
    let client2 = client.clone();
    let _ = thread::spawn(move || {
        let _conn = client2.connection().unwrap();
        panic!("while holding a connection");
    })
    .join();
    let third_id: u64 = client.connection().unwrap().client_id().unwrap();
    assert_ne!(
        second_id, third_id,
        "the connection held during a panic was reused"
    );
}

#[test]
fn checkout_failures_carry_the_real_cause() {
    let server = RedisServer::builder().requirepass("right").start().unwrap();
    let client = Client::builder(Config::tcp("127.0.0.1", server.port()).password("wrong")).build();
    let err = client.connection().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth, "{err}");
    assert!(err.to_string().contains("wrong password"), "{err}");
    // A busy pool times out with its own error.
    let ok = Client::builder(Config::tcp("127.0.0.1", server.port()).password("right"))
        .max_size(1)
        .checkout_timeout(Some(Duration::from_millis(100)))
        .build();
    let _held = ok.connection().unwrap();
    let started = Instant::now();
    assert_eq!(ok.connection().unwrap_err().kind(), ErrorKind::PoolTimeout);
    assert!(started.elapsed() >= Duration::from_millis(90));
}

#[test]
fn idle_connections_expire_and_min_idle_is_kept() {
    let server = RedisServer::start().unwrap();
    let client = builder(&server)
        .min_idle(2)
        .idle_timeout(Some(Duration::from_millis(300)))
        .build();
    let deadline = Instant::now() + Duration::from_secs(3);
    while client.idle_connections() < 2 && Instant::now() < deadline {
        thread::sleep(Duration::from_millis(20));
    }
    assert_eq!(client.idle_connections(), 2);
    let first: u64 = client.connection().unwrap().client_id().unwrap();
    thread::sleep(Duration::from_millis(1200));
    // Expired connections were replaced by fresh ones.
    let later: u64 = client.connection().unwrap().client_id().unwrap();
    assert_ne!(first, later);
    assert_eq!(client.idle_connections(), 2);
}

#[test]
fn reconnect_on_error_follows_a_promotion() {
    let master = RedisServer::start().unwrap();
    let replica = RedisServer::builder().replica_of(&master).start().unwrap();
    let closes = Arc::new(AtomicUsize::new(0));
    let counted = Arc::clone(&closes);
    let client = Client::builder(Config::tcp("127.0.0.1", replica.port()))
        .reconnect_strategy(ReconnectStrategy::Constant(Duration::from_millis(100)))
        .max_retries(20)
        .reconnect_on_error(|e| e.code() == &redis_blocking::ErrorCode::ReadOnly)
        .on_event(move |e: &Event| {
            if e.to_string().contains("reconnect on error") {
                counted.fetch_add(1, Ordering::Relaxed);
            }
        })
        .build();
    // The replica refuses writes until it is promoted, 300 ms from now.
    let promoter = thread::spawn(move || {
        thread::sleep(Duration::from_millis(300));
        replica.run(&["REPLICAOF", "NO", "ONE"]);
        replica
    });
    let () = client.set("k", "written").unwrap();
    let replica = promoter.join().unwrap();
    assert!(
        closes.load(Ordering::Relaxed) >= 1,
        "READONLY closed the connection"
    );
    assert_eq!(replica.run(&["GET", "k"]), "$7\r\nwritten\r\n");
}

#[test]
fn a_connection_left_streaming_never_goes_back() {
    // A lent connection switched to streaming mode (SUBSCRIBE, MONITOR)
    // cannot run regular calls again: it must be closed, not pooled, or
    // every later call that gets it fails.
    let server = RedisServer::start().unwrap();
    let client = builder(&server)
        .max_size(1)
        .timeout(Some(Duration::from_secs(2)))
        .build();
    let () = client.set("k", "v").unwrap();
    let first_id: u64 = {
        let mut conn = client.connection().unwrap();
        let id = conn.client_id().unwrap();
        conn.start_stream(&Cmd::new("SUBSCRIBE").arg("ch")).unwrap();
        let confirmed = conn.next_frame(Some(Duration::from_secs(2))).unwrap();
        assert!(confirmed.is_some(), "the subscription was confirmed");
        id
    };
    server.run(&["PUBLISH", "ch", "hello"]);
    assert_eq!(
        client.get::<_, Option<String>>("k").unwrap().as_deref(),
        Some("v")
    );
    let second_id: u64 = client.connection().unwrap().client_id().unwrap();
    assert_ne!(first_id, second_id, "the streaming connection was reused");
    assert_eq!(client.open_connections(), 1);
}

#[test]
fn a_lent_connection_the_server_dropped_while_idle_is_replaced() {
    // The server closes idle pooled connections (`timeout`, `CLIENT KILL`):
    // calls on the pool replace them unseen, and so must
    // `Client::connection()`, instead of lending one whose first call fails.
    let server = RedisServer::start().unwrap();
    let client = builder(&server).max_size(3).max_retries(0).build();
    let held: Vec<_> = (0..3).map(|_| client.connection().unwrap()).collect();
    drop(held);
    assert_eq!(client.idle_connections(), 3);
    server.run(&["CLIENT", "KILL", "TYPE", "normal"]);
    thread::sleep(Duration::from_millis(100));
    let mut conn = client.connection().unwrap();
    let n: i64 = conn.query(&Cmd::new("INCR").arg("n")).unwrap();
    assert_eq!(n, 1);
    drop(conn);
    let n: i64 = client.query(&Cmd::new("INCR").arg("n")).unwrap();
    assert_eq!(n, 2);
}

#[test]
fn returning_a_connection_to_a_stopped_server_does_not_hang() {
    // A lent connection that changed session state (SELECT) is cleaned up
    // when it comes back; with no timeouts configured at all and the
    // server stopped, that clean-up must still end (the connection is then
    // closed rather than pooled), not block the dropping thread for ever.
    let server = RedisServer::start().unwrap();
    let client = Client::builder(
        Config::tcp("127.0.0.1", server.port())
            .connect_timeout(None)
            .timeout(None),
    )
    .max_size(1)
    .checkout_timeout(None)
    .build();
    let mut conn = client.connection().unwrap();
    let () = conn.select_db(1).unwrap();
    server.pause().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    thread::spawn(move || {
        let started = Instant::now();
        drop(conn);
        let _ = tx.send(started.elapsed());
    });
    let took = rx.recv_timeout(Duration::from_secs(20));
    server.resume().unwrap();
    let took = took.expect("dropping the connection returned");
    assert!(took < Duration::from_secs(3), "{took:?}");
    assert_eq!(
        client.idle_connections(),
        0,
        "the uncleaned connection was not pooled"
    );
    let () = client.set("k", "v").unwrap();
}
