//! The multiplexed connection (`Multiplexed`) under faults found by an
//! adversarial review: user code that panics while its thread holds a
//! token, servers that push back.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use integration_tests::{RedisServer, Reply};
use redis_blocking::prelude::*;
use redis_blocking::{Multiplexed, Protocol};

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
