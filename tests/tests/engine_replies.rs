//! Replies that could drift, deadlines that must hold, and peers that are
//! not Redis, against scripted hostile servers: no call ever gets another
//! command's reply, every deadline holds however the bytes arrive, and
//! errors say truthfully whether a command may have run.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant};

use integration_tests::hostile::{Hostile, Peer};
use redis_blocking::{
    Client, Cmd, Config, Connection, ErrorKind, Executed, ReconnectStrategy, Retry, Value,
};

fn config(server: &Hostile) -> Config {
    Config::tcp("127.0.0.1", server.port()).ping_on_connect(false)
}

/// Answers GET with `$<n>` of its key and PING with PONG, once per
/// command, after `extra` for PING.
fn answering(peer: &mut Peer, ping_reply: &'static [u8]) -> bool {
    match peer.read_command() {
        Some(argv) if argv[0].eq_ignore_ascii_case(b"PING") => peer.send(ping_reply),
        Some(argv) => {
            let key = argv.get(1).cloned().unwrap_or_default();
            let mut reply = format!("${}\r\n", key.len()).into_bytes();
            reply.extend_from_slice(&key);
            reply.extend_from_slice(b"\r\n");
            peer.send(&reply)
        }
        None => false,
    }
}

#[test]
fn one_reply_too_many_in_the_same_read_closes_the_connection() {
    let server = Hostile::start(|mut peer| while answering(&mut peer, b"+PONG\r\n+PONG\r\n") {});
    let mut conn = Connection::open(&config(&server)).unwrap();
    let pong: String = conn.query(&Cmd::new("PING")).unwrap();
    assert_eq!(pong, "PONG");
    // The extra PONG must never become GET's reply.
    let e = conn.query::<String>(&Cmd::new("GET").arg("k")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Closed, "{e}");
    assert_eq!(e.executed(), Executed::No);
    assert!(conn.closed_reason().unwrap().contains("reply"), "{e}");
}

#[test]
fn one_reply_too_many_later_is_caught_before_writing() {
    let server = Hostile::start(|mut peer| {
        while let Some(argv) = peer.read_command() {
            if argv[0].eq_ignore_ascii_case(b"PING") {
                peer.send(b"+PONG\r\n");
                thread::sleep(Duration::from_millis(50));
                peer.send(b"+PONG\r\n");
            } else {
                peer.send(b"$1\r\nv\r\n");
            }
        }
    });
    let mut conn = Connection::open(&config(&server)).unwrap();
    let _: String = conn.query(&Cmd::new("PING")).unwrap();
    thread::sleep(Duration::from_millis(200));
    let e = conn.query::<String>(&Cmd::new("GET").arg("k")).unwrap_err();
    assert_eq!(
        (e.kind(), e.executed()),
        (ErrorKind::Protocol, Executed::No),
        "{e}"
    );
    assert!(conn.is_broken());
}

#[test]
fn an_unsolicited_greeting_is_never_a_reply() {
    // The handshake PING gets the greeting: the connection is refused.
    let greeter = Hostile::start(|mut peer| {
        peer.send(b"+HELLO\r\n");
        while answering(&mut peer, b"+PONG\r\n") {}
    });
    let cfg = Config::tcp("127.0.0.1", greeter.port());
    let e = Connection::open(&cfg).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
    assert_eq!(e.retry(), Retry::Never, "{e}");
    // Without a handshake, the first call finds it before writing.
    let mut conn = Connection::open(&config(&greeter)).unwrap();
    thread::sleep(Duration::from_millis(100));
    let e = conn.query::<String>(&Cmd::new("GET").arg("k")).unwrap_err();
    assert_eq!(e.executed(), Executed::No, "{e}");
    // A pooled client (handshake PING on, the default) never returns the
    // greeting as a reply either, and does not retry a peer that is out
    // of step from its first byte.
    let client = Client::builder(cfg)
        .reconnect_strategy(ReconnectStrategy::Constant(Duration::from_millis(10)))
        .build();
    for _ in 0..3 {
        let e = client
            .query::<String>(&Cmd::new("GET").arg("key"))
            .unwrap_err();
        assert_eq!(
            (e.kind(), e.executed()),
            (ErrorKind::Protocol, Executed::No),
            "{e}"
        );
    }
}

#[test]
fn pooled_client_drops_a_connection_with_a_stray_reply() {
    // The first connection answers PING twice; later ones behave.
    let server = Hostile::start(|mut peer| {
        let extra: &'static [u8] = if peer.index == 0 {
            b"+PONG\r\n+PONG\r\n"
        } else {
            b"+PONG\r\n"
        };
        while answering(&mut peer, extra) {}
    });
    let client = Client::builder(config(&server)).max_size(1).build();
    let pong: String = client.query(&Cmd::new("PING")).unwrap();
    assert_eq!(pong, "PONG");
    for key in ["a", "bb", "ccc"] {
        let value: String = client.query(&Cmd::new("GET").arg(key)).unwrap();
        assert_eq!(value, key);
    }
    assert_eq!(server.accepted(), 2, "the bad connection was replaced");
}

#[test]
fn a_dripping_reply_cannot_hold_a_call_past_its_deadline() {
    let server = Hostile::start(|mut peer| {
        while peer.read_command().is_some() {
            peer.send(b"$100\r\n");
            for _ in 0..100 {
                thread::sleep(Duration::from_millis(40));
                if !peer.send(b"x") {
                    return;
                }
            }
            peer.send(b"\r\n");
        }
    });
    let mut conn =
        Connection::open(&config(&server).timeout(Some(Duration::from_millis(300)))).unwrap();
    let started = Instant::now();
    let e = conn.query::<Value>(&Cmd::new("GET").arg("k")).unwrap_err();
    let took = started.elapsed();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert_eq!(e.executed(), Executed::Maybe);
    assert!(took < Duration::from_millis(1500), "held for {took:?}");
}

/// Resident memory of this process, in bytes.
fn rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split(' ').nth(1).unwrap().parse().unwrap();
    pages * 4096
}

fn flood(chunk: &'static [u8], prefix: &'static [u8]) -> Hostile {
    Hostile::start(move |mut peer| {
        while peer.read_command().is_some() {
            peer.send(prefix);
            let block: Vec<u8> = chunk.repeat(4096);
            while peer.send(&block) {}
        }
    })
}

#[test]
fn floods_cannot_hold_a_call_past_its_deadline() {
    let cases: [(&str, &'static [u8], &'static [u8]); 3] = [
        ("an endless attribute", b"+a\r\n", b"|1000000000\r\n"),
        ("nulls in a streamed array", b"_\r\n", b"*?\r\n"),
        ("pushes", b">2\r\n+x\r\n_\r\n", b""),
    ];
    for (what, chunk, prefix) in cases {
        let server = flood(chunk, prefix);
        let cfg = config(&server)
            .protocol(redis_blocking::Protocol::Resp2)
            .timeout(Some(Duration::from_millis(300)));
        let mut conn = Connection::open(&cfg).unwrap();
        let before = rss();
        let started = Instant::now();
        let e = conn.query::<Value>(&Cmd::new("GET").arg("k")).unwrap_err();
        let took = started.elapsed();
        let grew = rss().saturating_sub(before);
        // A deadline, or a limit of the decoder: either way a clean error,
        // soon, and the connection closed.
        assert!(
            matches!(e.kind(), ErrorKind::Timeout | ErrorKind::Protocol),
            "{what}: {e}"
        );
        assert!(
            took < Duration::from_millis(2000),
            "{what}: held for {took:?}"
        );
        assert!(conn.is_broken(), "{what}");
        assert!(
            grew < 200 << 20,
            "{what}: memory grew by {} MiB",
            grew >> 20
        );
    }
}

#[test]
fn a_peer_that_does_not_speak_resp_is_not_retried() {
    let requests = Arc::new(AtomicU64::new(0));
    let seen = requests.clone();
    let http = Hostile::start(move |mut peer| {
        if peer.read_raw().is_some() {
            seen.fetch_add(1, Ordering::SeqCst);
            peer.send(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        }
    });
    let client = Client::builder(Config::tcp("127.0.0.1", http.port()))
        .reconnect_strategy(ReconnectStrategy::Constant(Duration::from_millis(10)))
        .build();
    let e = client
        .query::<String>(&Cmd::new("GET").arg("k"))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
    assert_eq!(e.retry(), Retry::Never, "{e}");
    assert!(e.to_string().contains("HTTP"), "{e}");
    assert_eq!(http.accepted(), 1, "retried: {e}");
}

#[test]
fn moved_on_a_single_server_is_a_redirect_not_a_safe_retry() {
    let requests = Arc::new(AtomicU64::new(0));
    let seen = requests.clone();
    let server = Hostile::start(move |mut peer| {
        while peer.read_command().is_some() {
            seen.fetch_add(1, Ordering::SeqCst);
            peer.send(b"-MOVED 3999 127.0.0.1:6381\r\n");
        }
    });
    let client = Client::builder(config(&server))
        .reconnect_strategy(ReconnectStrategy::Constant(Duration::from_millis(10)))
        .build();
    let e = client
        .query::<String>(&Cmd::new("GET").arg("k"))
        .unwrap_err();
    assert_eq!(e.executed(), Executed::No);
    assert_eq!(e.retry(), Retry::Redirect);
    assert_eq!(requests.load(Ordering::SeqCst), 1, "sent again: {e}");
}

/// A server that answers every command with `header`, then `body` in
/// pieces of `piece` bytes `pause` apart, then `tail`.
fn large_bulk_server(
    header: &'static [u8],
    body: usize,
    piece: usize,
    pause: Duration,
    tail: &'static [u8],
) -> Hostile {
    Hostile::start(move |mut peer| {
        while peer.read_command().is_some() {
            peer.send(header);
            let chunk = vec![b'x'; piece];
            let mut sent = 0;
            while sent < body {
                let n = piece.min(body - sent);
                if !peer.send(&chunk[..n]) {
                    return;
                }
                sent += n;
                thread::sleep(pause);
            }
            peer.send(tail);
        }
    })
}

#[test]
fn a_large_bulk_string_is_read_straight_into_its_buffer() {
    // 3 MiB in 64 KiB pieces, then a small reply in the same pipeline.
    let server = large_bulk_server(b"$3145728\r\n", 3 << 20, 64 << 10, Duration::ZERO, b"\r\n");
    let mut conn = Connection::open(&config(&server)).unwrap();
    let v: Vec<u8> = conn.query(&Cmd::new("GET").arg("k")).unwrap();
    assert_eq!(v.len(), 3 << 20);
    assert!(v.iter().all(|&b| b == b'x'));
    // The connection is in step for the next call.
    let v: Vec<u8> = conn.query(&Cmd::new("GET").arg("k")).unwrap();
    assert_eq!(v.len(), 3 << 20);
}

#[test]
fn a_large_bulk_string_dripping_cannot_hold_a_call_past_its_deadline() {
    let server = large_bulk_server(
        b"$2097152\r\n",
        2 << 20,
        1024,
        Duration::from_millis(20),
        b"\r\n",
    );
    let mut conn =
        Connection::open(&config(&server).timeout(Some(Duration::from_millis(300)))).unwrap();
    let started = Instant::now();
    let e = conn.query::<Value>(&Cmd::new("GET").arg("k")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert_eq!(e.executed(), Executed::Maybe);
    assert!(started.elapsed() < Duration::from_millis(1500));
    assert!(conn.closed_reason().is_some(), "out of step: closed");
}

#[test]
fn a_large_bulk_string_without_its_crlf_is_a_protocol_error() {
    let server = large_bulk_server(b"$1048576\r\n", 1 << 20, 64 << 10, Duration::ZERO, b"!!");
    let mut conn = Connection::open(&config(&server)).unwrap();
    let e = conn.query::<Value>(&Cmd::new("GET").arg("k")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Protocol, "{e}");
    assert_eq!(e.executed(), Executed::Maybe);
    assert!(conn.closed_reason().is_some());
}

#[test]
fn a_large_bulk_string_cut_short_is_an_io_error() {
    let server = Hostile::start(|mut peer| {
        if peer.read_command().is_some() {
            peer.send(b"$2097152\r\n");
            peer.send(&vec![b'x'; 1 << 20]);
            peer.close();
        }
    });
    let mut conn = Connection::open(&config(&server)).unwrap();
    let e = conn.query::<Value>(&Cmd::new("GET").arg("k")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
    assert_eq!(e.executed(), Executed::Maybe);
}
