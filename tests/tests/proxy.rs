//! The fault-injecting proxy against real redis-server processes, driven by
//! plain TCP clients speaking raw RESP.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::thread;
use std::time::{Duration, Instant};

#[path = "support/resp_client.rs"]
mod resp_client;

use integration_tests::proxy::Proxy;
use integration_tests::{wait_for, Check, RedisServer, Reply};
use resp_client::Client;
use resp_core::{Frame, OwnedFrame};

use resp_client::IO_TIMEOUT;
const DELAY: Duration = Duration::from_millis(300);
/// An upper bound for an undelayed round trip, far below [`DELAY`].
const FAST: Duration = Duration::from_millis(150);

fn bulk(s: &str) -> OwnedFrame {
    Frame::Bulk(s.as_bytes().to_vec().into())
}

fn status(s: &str) -> OwnedFrame {
    Frame::Simple(s.as_bytes().to_vec().into())
}

/// Waits until the proxy has no open connection left.
fn wait_until_no_connections(proxy: &Proxy) {
    wait_for("connections to be gone", IO_TIMEOUT, || {
        Ok(match proxy.open_connections() {
            0 => Check::Done(()),
            n => Check::NotYet(format!("{n} open")),
        })
    })
    .unwrap();
}

fn setup() -> (RedisServer, Proxy) {
    let server = RedisServer::start().expect("redis-server starts");
    let proxy = Proxy::start(server.addr()).expect("proxy starts");
    (server, proxy)
}

#[test]
fn forwards_requests_and_counts_them() {
    let (_server, proxy) = setup();
    let mut client = Client::connect(proxy.addr());
    assert_eq!(client.call(&["SET", "k", "v"]), status("OK"));
    assert_eq!(client.call(&["get", "k"]), bulk("v"));
    // Inline and pipelined requests.
    client.send_raw(b"PING\r\nECHO \"a b\"\r\n*1\r\n$4\r\nPING\r\n");
    assert_eq!(client.read(), status("PONG"));
    assert_eq!(client.read(), bulk("a b"));
    assert_eq!(client.read(), status("PONG"));

    assert_eq!(proxy.commands_seen(), 5);
    assert_eq!(proxy.command_count("GET"), 1);
    assert_eq!(proxy.command_count("ping"), 2);
    assert_eq!(proxy.replies_seen(), 5);
    assert_eq!(proxy.connections_accepted(), 1);
    assert_eq!(proxy.open_connections(), 1);
}

#[test]
fn delays_replies_of_one_command() {
    let (_server, proxy) = setup();
    let mut client = Client::connect(proxy.addr());
    proxy.delay_command("get", DELAY);

    let (reply, took) = client.timed(&["SET", "k", "v"]);
    assert_eq!(reply, status("OK"));
    assert!(took < FAST, "SET is not delayed, took {took:?}");
    let (reply, took) = client.timed(&["GET", "k"]);
    assert_eq!(reply, bulk("v"));
    assert!(took >= DELAY, "GET is delayed, took {took:?}");

    // A reply behind a delayed one waits for it: order is kept.
    let start = Instant::now();
    client.send_raw(b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\n*1\r\n$4\r\nPING\r\n");
    assert_eq!(client.read(), bulk("v"));
    assert_eq!(client.read(), status("PONG"));
    assert!(start.elapsed() >= DELAY);

    proxy.clear_delays();
    let (reply, took) = client.timed(&["GET", "k"]);
    assert_eq!(reply, bulk("v"));
    assert!(took < FAST, "no delay after clear_delays, took {took:?}");
}

#[test]
fn delays_replies_by_key() {
    let (_server, proxy) = setup();
    proxy.delay_key("slow", DELAY);
    let mut client = Client::connect(proxy.addr());

    let (_, took) = client.timed(&["SET", "fast", "1"]);
    assert!(took < FAST, "other keys are not delayed, took {took:?}");
    let (reply, took) = client.timed(&["SET", "slow", "2"]);
    assert_eq!(reply, status("OK"));
    assert!(took >= DELAY, "SET slow is delayed, took {took:?}");
    let (reply, took) = client.timed(&["MGET", "fast", "slow"]);
    assert_eq!(reply, Frame::Array(vec![bulk("1"), bulk("2")]));
    assert!(took >= DELAY, "any argument matches, took {took:?}");
    // The command name is not a key.
    let (_, took) = client.timed(&["ECHO", "fast"]);
    assert!(took < FAST, "took {took:?}");
}

#[test]
fn cuts_mid_reply_after_n_bytes() {
    let (server, proxy) = setup();
    let value = "x".repeat(1000);
    assert_eq!(server.run(&["SET", "big", &value]), "+OK\r\n");
    let full = format!("$1000\r\n{value}\r\n");

    // The budget counts from when the cut is set, not from connect.
    let mut client = Client::connect(proxy.addr());
    assert_eq!(client.call(&["PING"]), status("PONG"));
    proxy.cut_after(100);
    client.send(&["GET", "big"]);
    assert_eq!(client.read_to_end(), full.as_bytes()[..100]);
    wait_until_no_connections(&proxy);

    // New connections get the budget from their start.
    proxy.cut_after(3);
    let mut client = Client::connect(proxy.addr());
    client.send(&["PING"]);
    assert_eq!(client.read_to_end(), b"+PO");

    proxy.clear_cut();
    let mut client = Client::connect(proxy.addr());
    assert_eq!(client.call(&["GET", "big"]), bulk(&value));
}

#[test]
fn cuts_requests_after_n_bytes() {
    let (server, proxy) = setup();
    let mut client = Client::connect(proxy.addr());
    assert_eq!(client.call(&["PING"]), status("PONG"));
    proxy.cut_after_request_bytes(10);
    client.send(&["SET", "k", "v"]);
    assert_eq!(client.read_to_end(), b"");
    // The server saw only part of the command.
    assert_eq!(server.query(&["EXISTS", "k"]), Reply::Integer(0));
}

#[test]
fn pause_holds_traffic_until_resume() {
    let (_server, proxy) = setup();
    let mut client = Client::connect(proxy.addr());
    assert_eq!(client.call(&["PING"]), status("PONG"));

    proxy.pause();
    assert!(proxy.is_paused());
    client.send(&["ECHO", "held"]);
    let mut newcomer = Client::connect(proxy.addr());
    newcomer.send(&["ECHO", "late"]);
    for c in [&mut client, &mut newcomer] {
        c.stream
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let err = c.try_read().expect_err("nothing arrives while paused");
        assert!(
            matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut),
            "a timeout, not {err}"
        );
        c.stream.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    }

    proxy.resume();
    assert_eq!(client.read(), bulk("held"));
    assert_eq!(newcomer.read(), bulk("late"));
    assert_eq!(client.call(&["PING"]), status("PONG"));
}

#[test]
fn refused_connections_are_closed_at_once() {
    let (_server, proxy) = setup();
    let mut existing = Client::connect(proxy.addr());
    assert_eq!(existing.call(&["PING"]), status("PONG"));

    proxy.refuse_connections(true);
    let start = Instant::now();
    let mut refused = Client::connect(proxy.addr());
    // The write may already fail; the read must end the connection.
    let _ = refused.stream.write_all(b"PING\r\n");
    assert_eq!(refused.read_to_end(), b"");
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_eq!(proxy.connections_refused(), 1);
    assert_eq!(existing.call(&["PING"]), status("PONG"));

    proxy.refuse_connections(false);
    let mut client = Client::connect(proxy.addr());
    assert_eq!(client.call(&["PING"]), status("PONG"));
    assert_eq!(proxy.connections_accepted(), 3);
}

#[test]
fn kill_connections_closes_current_ones() {
    let (_server, proxy) = setup();
    let mut a = Client::connect(proxy.addr());
    let mut b = Client::connect(proxy.addr());
    assert_eq!(a.call(&["PING"]), status("PONG"));
    assert_eq!(b.call(&["PING"]), status("PONG"));
    assert_eq!(proxy.open_connections(), 2);

    proxy.kill_connections();
    assert_eq!(a.read_to_end(), b"");
    assert_eq!(b.read_to_end(), b"");
    wait_until_no_connections(&proxy);

    let mut c = Client::connect(proxy.addr());
    assert_eq!(c.call(&["PING"]), status("PONG"));
    assert_eq!(proxy.connections_accepted(), 3);
}

#[test]
fn resp3_push_frames_pass_through_unpaired() {
    let (server, proxy) = setup();
    let mut client = Client::connect(proxy.addr());
    assert!(matches!(client.call(&["HELLO", "3"]), Frame::Map(_)));
    assert_eq!(client.call(&["CLIENT", "TRACKING", "ON"]), status("OK"));
    assert_eq!(client.call(&["GET", "k"]), Frame::Null);

    assert_eq!(server.run(&["SET", "k", "v"]), "+OK\r\n");
    let invalidate = Frame::Push(vec![bulk("invalidate"), Frame::Array(vec![bulk("k")])]);
    assert_eq!(client.read(), invalidate);
    assert_eq!(proxy.pushes_seen(), 1);

    // The push took no command's place: replies are still paired.
    proxy.delay_command("PING", DELAY);
    let (reply, took) = client.timed(&["PING"]);
    assert_eq!(reply, status("PONG"));
    assert!(
        took >= DELAY,
        "PING is still paired and delayed, took {took:?}"
    );
    assert_eq!(proxy.replies_seen(), 4);
}

#[test]
fn resp2_subscribers_are_forwarded_unpaired() {
    let (server, proxy) = setup();
    proxy.delay_command("PING", DELAY);
    let mut client = Client::connect(proxy.addr());
    let confirm = client.call(&["SUBSCRIBE", "ch"]);
    assert_eq!(
        confirm,
        Frame::Array(vec![bulk("subscribe"), bulk("ch"), Frame::Integer(1)])
    );
    assert_eq!(server.query(&["PUBLISH", "ch", "hi"]), Reply::Integer(1));
    let message = Frame::Array(vec![bulk("message"), bulk("ch"), bulk("hi")]);
    assert_eq!(client.read(), message);
    // No longer paired, so no longer delayed.
    let (_, took) = client.timed(&["PING"]);
    assert!(took < FAST, "took {took:?}");
    assert_eq!(proxy.command_count("subscribe"), 1);
}

#[test]
fn undecodable_requests_are_forwarded_unchanged() {
    let (_server, proxy) = setup();
    let mut client = Client::connect(proxy.addr());
    client.send_raw(b"*1\r\n$x\r\n");
    let reply = client.read();
    assert!(
        reply.is_error(),
        "the server's protocol error, got {reply:?}"
    );
    assert_eq!(client.read_to_end(), b"");

    let mut client = Client::connect(proxy.addr());
    assert_eq!(client.call(&["PING"]), status("PONG"));
}

#[test]
fn undecodable_replies_are_forwarded_unchanged() {
    // A fake upstream that answers garbage, then a valid reply.
    let upstream = TcpListener::bind("127.0.0.1:0").unwrap();
    let upstream_addr = upstream.local_addr().unwrap();
    let garbage = b"+OK\r\n?garbage\r\n*x\r\n".as_slice();
    let fake = thread::spawn(move || {
        let (mut socket, _) = upstream.accept().unwrap();
        let mut request = [0; 64];
        let _ = socket.read(&mut request).unwrap();
        socket.write_all(garbage).unwrap();
        let _ = socket.read(&mut request).unwrap();
        socket.write_all(b"+PONG\r\n").unwrap();
    });
    let proxy = Proxy::start(upstream_addr).expect("proxy starts");
    proxy.delay_command("PING", DELAY);
    let mut client = Client::connect(proxy.addr());
    client.send(&["PING"]);
    let mut got = Vec::new();
    let mut chunk = [0; 64];
    while got.len() < garbage.len() {
        let n = client.stream.read(&mut chunk).unwrap();
        assert_ne!(n, 0, "early EOF after {got:?}");
        got.extend_from_slice(&chunk[..n]);
    }
    assert_eq!(got, garbage);
    client.send(&["PING"]);
    let n = client.stream.read(&mut chunk).unwrap();
    assert_eq!(&chunk[..n], b"+PONG\r\n");
    fake.join().unwrap();
}

/// Names of this process's threads that belong to the proxy on `port`.
fn proxy_threads(port: u16) -> Vec<String> {
    let accept = format!("px{port}");
    let conn = format!("px{port}:");
    std::fs::read_dir("/proc/self/task")
        .unwrap()
        .filter_map(|task| std::fs::read_to_string(task.ok()?.path().join("comm")).ok())
        .map(|comm| comm.trim_end().to_string())
        .filter(|comm| *comm == accept || comm.starts_with(&conn))
        .collect()
}

#[test]
fn drop_closes_listener_connections_and_threads() {
    let (_server, proxy) = setup();
    let addr = proxy.addr();
    let mut client = Client::connect(addr);
    assert_eq!(client.call(&["PING"]), status("PONG"));
    let mut delayed = Client::connect(addr);
    proxy.delay_command("PING", Duration::from_secs(60));
    delayed.send(&["PING"]);
    proxy.pause();
    client.send(&["PING"]);
    wait_for("accept + 1 thread per connection", IO_TIMEOUT, || {
        Ok(match proxy_threads(addr.port()) {
            threads if threads.len() == 3 => Check::Done(()),
            threads => Check::NotYet(format!("{threads:?}")),
        })
    })
    .unwrap();
    // Let the delayed reply reach the proxy, which holds it.
    thread::sleep(Duration::from_millis(50));

    let start = Instant::now();
    drop(proxy);
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_eq!(client.read_to_end(), b"");
    assert_eq!(delayed.read_to_end(), b"");
    assert!(TcpStream::connect(addr).is_err(), "the listener is closed");
    assert_eq!(proxy_threads(addr.port()), Vec::<String>::new());
}
