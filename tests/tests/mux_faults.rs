//! The multiplexed connection (`Multiplexed`) under faults found by an
//! adversarial review: user code that panics while its thread holds a
//! token, servers that push back.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use integration_tests::hostile::Hostile;
use integration_tests::{RedisServer, Reply};
use redis_blocking::prelude::*;
use redis_blocking::{Event, Executed, Multiplexed, Pending, Protocol};

fn config(port: u16) -> Config {
    Config::tcp("127.0.0.1", port).timeout(Some(Duration::from_secs(2)))
}

/// How many of the server's clients ran `command` last.
fn connections_with_last_command(server: &RedisServer, command: &str) -> usize {
    let Reply::Bulk(list) = server.query(&["CLIENT", "LIST"]) else {
        panic!("CLIENT LIST");
    };
    let wanted = format!("cmd={command} ");
    String::from_utf8_lossy(&list)
        .lines()
        .filter(|l| l.contains(&wanted))
        .count()
}

/// A push handler that panics runs on the thread holding the read token
/// (and, before a write to an idle connection, the write token too). The
/// panic must not leave a token held for ever: other callers must still
/// get their replies, on the same connection, without waiting out their
/// deadlines.
#[test]
fn a_panicking_push_handler_does_not_stall_the_connection() {
    let server = RedisServer::start().unwrap();
    let mux = Multiplexed::builder(config(server.port()).protocol(Protocol::Resp3)).build();
    let pushes = Arc::new(AtomicU64::new(0));
    let seen = Arc::clone(&pushes);
    mux.set_push_handler(move |_| {
        seen.fetch_add(1, Ordering::SeqCst);
        panic!("a push handler bug");
    });
    // The reader meets the push (sent just before its reply) and runs the
    // handler, which panics.
    let reader = {
        let mux = mux.clone();
        thread::spawn(move || {
            mux.query::<String>(&Cmd::new("DEBUG").arg("PROTOCOL").arg("PUSH"))
                .map_err(|e| e.to_string())
        })
    };
    assert_eq!(
        reader.join().expect("the panic stays in the handler"),
        Ok("Some real reply following the push reply".to_owned())
    );
    assert_eq!(pushes.load(Ordering::SeqCst), 1);
    // Everyone else goes on, promptly, on the same connection.
    let started = Instant::now();
    for i in 0..5 {
        let echo: String = mux
            .query(&Cmd::new("ECHO").arg(format!("after {i}")))
            .unwrap_or_else(|e| panic!("call {i} after the handler's panic: {e}"));
        assert_eq!(echo, format!("after {i}"));
    }
    assert!(
        started.elapsed() < Duration::from_secs(1),
        "calls waited out their deadlines: {:?}",
        started.elapsed()
    );
    assert_eq!(connections_with_last_command(&server, "echo"), 1);
}

/// A server that answers each command before it reads the next, writing
/// with blocking writes: once its replies fill the socket buffers it
/// stops reading (as any server or proxy with bounded buffers does).
fn pushing_back_echo_server() -> Hostile {
    Hostile::start(|mut peer| {
        while let Some(argv) = peer.read_command() {
            let arg = argv.get(1).cloned().unwrap_or_default();
            let reply = [format!("${}\r\n", arg.len()).as_bytes(), &arg, b"\r\n"].concat();
            if !peer.send(&reply) {
                return;
            }
        }
    })
}

/// A pipeline whose requests and replies both far exceed the socket
/// buffers, to a server that stops reading while its replies are not
/// read: a `Connection` runs it (it reads while it writes), and so must
/// the multiplexed connection, rather than write until its deadline and
/// then fail the connection.
#[test]
fn a_pipeline_larger_than_the_socket_buffers_to_a_server_that_pushes_back() {
    let hostile = pushing_back_echo_server();
    let payload = "x".repeat(4096);
    let mut pipe = Pipeline::new();
    for i in 0..5_000 {
        pipe.cmd("ECHO").arg(format!("{i}:{payload}"));
    }
    let cfg = config(hostile.port()).ping_on_connect(false);
    let mut conn = Connection::open(&cfg).unwrap();
    let replies: Vec<String> = conn.query_pipeline(&pipe).unwrap();
    assert_eq!(replies.len(), 5_000);
    let mux = Multiplexed::builder(cfg).build();
    let started = Instant::now();
    let replies: Vec<String> = mux
        .query_pipeline(&pipe)
        .unwrap_or_else(|e| panic!("after {:?}: {e}", started.elapsed()));
    for (i, reply) in replies.iter().enumerate() {
        assert!(reply.starts_with(&format!("{i}:")), "reply {i}");
    }
    // The same as send-now/wait-later handles from one thread: each send
    // writes, nobody waits until the end.
    let handles: Vec<Pending<String>> = (0..5_000)
        .map(|i| mux.send(&Cmd::new("ECHO").arg(format!("{i}:{payload}"))))
        .collect();
    for (i, handle) in handles.into_iter().enumerate() {
        let reply = handle.wait().unwrap_or_else(|e| panic!("handle {i}: {e}"));
        assert!(reply.starts_with(&format!("{i}:")), "handle {i}");
    }
    assert_eq!(hostile.accepted(), 2, "one Connection, one Multiplexed");
}

/// An event handler that panics while a call opens the connection (the
/// panic reaches that caller, whose handler it is) must not leave the
/// connection "being opened" for ever: the next calls open it and get
/// their replies.
#[test]
fn a_panicking_event_handler_does_not_wedge_the_connection() {
    let server = RedisServer::start().unwrap();
    let panicked = Arc::new(AtomicU64::new(0));
    let count = Arc::clone(&panicked);
    let mux = Multiplexed::builder(config(server.port()))
        .on_event(move |event| {
            if matches!(event, Event::Connect { .. }) && count.fetch_add(1, Ordering::SeqCst) == 0 {
                panic!("an event handler bug");
            }
        })
        .build();
    let first = {
        let mux = mux.clone();
        thread::spawn(move || mux.query::<String>(&Cmd::new("ECHO").arg("first")))
    };
    assert!(
        first.join().is_err(),
        "the handler's panic reached its caller"
    );
    let started = Instant::now();
    let echo: String = mux
        .query(&Cmd::new("ECHO").arg("second"))
        .unwrap_or_else(|e| panic!("after {:?}: {e}", started.elapsed()));
    assert_eq!(echo, "second");
    assert_eq!(panicked.load(Ordering::SeqCst), 2, "opened a second time");
}

/// The write token's holder writes the whole batch with its own deadline;
/// when that deadline passes mid-write (here: the server busy for 1 s in
/// DEBUG SLEEP while a 32 MiB SET with a 200 ms timeout is written), it
/// times out as a caller ("may have run": part of it went out), but the
/// connection stays: the unwritten rest goes out before anything else, and
/// a patient caller's GET (10 s deadline, already sent) gets its reply.
#[test]
fn a_writer_timing_out_mid_write_fails_only_itself() {
    let server = RedisServer::start().unwrap();
    let mux = Multiplexed::builder(
        Config::tcp("127.0.0.1", server.port()).timeout(Some(Duration::from_secs(10))),
    )
    .max_retries(0)
    .build();
    let () = mux.query(&Cmd::new("SET").arg("k").arg("v")).unwrap();
    let port = server.port();
    let busy = thread::spawn(move || {
        let mut conn = Connection::open(&Config::tcp("127.0.0.1", port)).unwrap();
        let () = conn
            .query(&Cmd::new("DEBUG").arg("SLEEP").arg("1"))
            .unwrap();
    });
    thread::sleep(Duration::from_millis(100));
    let patient = {
        let mux = mux.clone();
        thread::spawn(move || mux.query::<String>(&Cmd::new("GET").arg("k")))
    };
    thread::sleep(Duration::from_millis(50));
    let big = vec![b'x'; 32 << 20];
    let cmd = Cmd::new("SET")
        .arg("big")
        .arg(&big[..])
        .timeout(Duration::from_millis(200));
    let started = Instant::now();
    let e = mux.query::<()>(&cmd).unwrap_err();
    assert_eq!(
        (e.kind(), e.executed()),
        (ErrorKind::Timeout, Executed::Maybe),
        "{e}"
    );
    assert!(
        started.elapsed() < Duration::from_millis(700),
        "the timed-out writer returned after {:?}",
        started.elapsed()
    );
    assert_eq!(patient.join().unwrap().unwrap(), "v");
    busy.join().unwrap();
    // The same connection serves the next call, after the rest of the SET
    // it cut short (which therefore ran).
    assert!(mux.is_connected());
    let len: i64 = mux.query(&Cmd::new("STRLEN").arg("big")).unwrap();
    assert_eq!(len, 32 << 20);
    assert_eq!(mux.query::<String>(&Cmd::new("GET").arg("k")).unwrap(), "v");
}

/// The largest output buffer (`omem`) among the server's clients, bytes.
fn largest_output_buffer(server: &RedisServer) -> u64 {
    let Reply::Bulk(list) = server.query(&["CLIENT", "LIST"]) else {
        panic!("CLIENT LIST");
    };
    String::from_utf8_lossy(&list)
        .lines()
        .filter_map(|l| l.split(' ').find_map(|f| f.strip_prefix("omem=")))
        .filter_map(|n| n.parse().ok())
        .max()
        .unwrap_or(0)
}

/// Fire-and-forget: handles dropped at once, nobody ever waits. Redis
/// keeps reading requests while its replies pile up, so without a bound
/// the requests in flight (and the replies nobody reads, in the server's
/// output buffer) would grow with the loop. A sender beyond the bound
/// reads replies itself: the server's output buffer stays small, and the
/// next call still gets its own reply.
#[test]
fn fire_and_forget_sends_keep_the_requests_in_flight_bounded() {
    let server = RedisServer::start().unwrap();
    let value = vec![b'v'; 1024];
    let mux = Multiplexed::builder(config(server.port())).build();
    let () = mux.set("k", &value[..]).unwrap();
    let mut largest = 0;
    for i in 0..200_000 {
        drop(mux.send::<Vec<u8>>(&Cmd::new("GET").arg("k")));
        if i % 20_000 == 19_999 {
            largest = largest.max(largest_output_buffer(&server));
        }
    }
    // Without a bound: about 200 MB of replies, most of them in the
    // server's output buffer by the end of the loop.
    assert!(
        largest < 48 << 20,
        "the server's output buffer reached {largest} bytes"
    );
    let got: Vec<u8> = mux.get("k").unwrap();
    assert_eq!(got, value);
    let echoed: String = mux.query(&Cmd::new("ECHO").arg("in step")).unwrap();
    assert_eq!(echoed, "in step");
}
