//! Pub/sub and MONITOR: subscriptions confirmed before the call returns
//! (also across a reconnect), a deadline on confirmations, and frames that
//! break the protocol treated as such.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use integration_tests::hostile::{Hostile, Peer};
use integration_tests::RedisServer;
use redis_blocking::{Config, ErrorKind, Incoming, Monitor, Subscriber};

fn next_message(sub: &Subscriber, within: Duration) -> Option<redis_blocking::Message> {
    let until = Instant::now() + within;
    while let Some(left) = until.checked_duration_since(Instant::now()) {
        match sub.recv_timeout(left).unwrap() {
            Some(Incoming::Message(m)) => return Some(m),
            Some(_) => {}
            None => return None,
        }
    }
    None
}

#[test]
fn a_subscribe_during_a_reconnect_returns_once_confirmed() {
    let server = RedisServer::start().unwrap();
    let sub = Subscriber::open(Config::tcp("127.0.0.1", server.port())).unwrap();
    sub.subscribe(["a"]).unwrap();
    for round in 0..5 {
        let channel = format!("b{round}");
        // The subscriber's connection is killed; the next subscribe races
        // with the reconnect.
        server.run(&["CLIENT", "KILL", "TYPE", "pubsub"]);
        sub.subscribe([channel.as_str()]).unwrap();
        // Confirmed: a message published right now is received.
        let receivers = server.run(&["PUBLISH", &channel, "hello"]);
        assert!(receivers.contains(":1"), "round {round}: {receivers:?}");
        let m = next_message(&sub, Duration::from_secs(5)).expect("the message");
        assert_eq!(
            (m.channel, m.payload),
            (channel.into_bytes(), b"hello".to_vec())
        );
    }
}

/// Channels confirmed, and when.
type Confirmations = Vec<(Vec<u8>, Instant)>;

#[test]
fn a_subscribe_during_a_reconnect_waits_for_the_new_connections_confirmation() {
    // Confirms every SUBSCRIBE 300 ms late and records when; drops the
    // first connection 100 ms after its first confirmation.
    let confirmed: Arc<Mutex<Confirmations>> = Arc::default();
    let log = confirmed.clone();
    let server = Hostile::start(move |mut peer| {
        let first = peer.index == 0;
        while let Some(argv) = peer.read_command() {
            if !argv[0].eq_ignore_ascii_case(b"SUBSCRIBE") {
                continue;
            }
            std::thread::sleep(Duration::from_millis(300));
            for (i, channel) in argv[1..].iter().enumerate() {
                // Logged before it is sent: the client may act on it at
                // once.
                log.lock().unwrap().push((channel.clone(), Instant::now()));
                confirm(&mut peer, "subscribe", channel, i + 1);
            }
            if first {
                std::thread::sleep(Duration::from_millis(100));
                return peer.close();
            }
        }
    });
    let sub =
        Subscriber::open(Config::tcp("127.0.0.1", server.port()).ping_on_connect(false)).unwrap();
    sub.subscribe(["a"]).unwrap();
    // Now the connection goes; this subscribe meets the reconnect.
    std::thread::sleep(Duration::from_millis(150));
    sub.subscribe(["b"]).unwrap();
    let returned = Instant::now();
    let b_confirmed = confirmed
        .lock()
        .unwrap()
        .iter()
        .find(|(channel, _)| channel == b"b")
        .map(|(_, at)| *at)
        .expect("the server confirmed b before subscribe returned");
    assert!(b_confirmed <= returned);
    assert_eq!(server.accepted(), 2);
}

/// Confirms subscriptions the way Redis does (RESP2).
fn confirm(peer: &mut Peer, kind: &str, channel: &[u8], count: usize) -> bool {
    let mut frame =
        format!("*3\r\n${}\r\n{kind}\r\n${}\r\n", kind.len(), channel.len()).into_bytes();
    frame.extend_from_slice(channel);
    frame.extend_from_slice(format!("\r\n:{count}\r\n").as_bytes());
    peer.send(&frame)
}

#[test]
fn a_server_that_never_confirms_fails_the_call_in_time() {
    let silent = Hostile::start(|mut peer| while peer.read_command().is_some() {});
    let cfg = Config::tcp("127.0.0.1", silent.port())
        .ping_on_connect(false)
        .timeout(Some(Duration::from_millis(300)));
    let sub = Subscriber::open(cfg).unwrap();
    let started = Instant::now();
    let e = sub.subscribe(["news"]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
    let e = sub.handle().unsubscribe(["news"]).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
}

/// The first connection confirms and then sends `bad`; later ones behave:
/// confirm and publish one good message.
fn misbehaving_once(bad: &'static [u8]) -> Hostile {
    Hostile::start(move |mut peer| {
        let first = peer.index == 0;
        while let Some(argv) = peer.read_command() {
            if !argv[0].eq_ignore_ascii_case(b"SUBSCRIBE") {
                continue;
            }
            for (i, channel) in argv[1..].iter().enumerate() {
                confirm(&mut peer, "subscribe", channel, i + 1);
            }
            if first {
                peer.send(bad);
            } else {
                peer.send(b"*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$4\r\ngood\r\n");
            }
        }
    })
}

#[test]
fn frames_that_break_the_protocol_are_not_delivered() {
    let cases: [(&str, &'static [u8]); 3] = [
        (
            "a message without payload",
            b"*2\r\n$7\r\nmessage\r\n$4\r\nnews\r\n",
        ),
        (
            "a message for another channel",
            b"*3\r\n$7\r\nmessage\r\n$5\r\nother\r\n$1\r\nx\r\n",
        ),
        (
            "a message whose payload is not a string",
            b"*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n:1\r\n",
        ),
    ];
    for (what, bad) in cases {
        let server = misbehaving_once(bad);
        let sub = Subscriber::open(Config::tcp("127.0.0.1", server.port()).ping_on_connect(false))
            .unwrap();
        sub.subscribe(["news"]).unwrap();
        // The bad frame replaces the connection; the reader learns it may
        // have missed messages, then gets the good one.
        let mut seen = Vec::new();
        let until = Instant::now() + Duration::from_secs(5);
        while seen.len() < 2 && Instant::now() < until {
            if let Some(incoming) = sub.recv_timeout(Duration::from_millis(100)).unwrap() {
                seen.push(incoming);
            }
        }
        assert_eq!(seen.len(), 2, "{what}: {seen:?}");
        assert_eq!(seen[0], Incoming::Reconnected, "{what}");
        match &seen[1] {
            Incoming::Message(m) => assert_eq!(m.payload, b"good", "{what}"),
            other => panic!("{what}: {other:?}"),
        }
    }
}

#[test]
fn a_monitor_that_gets_no_answer_times_out() {
    let silent = Hostile::start(|mut peer| while peer.read_command().is_some() {});
    let cfg = Config::tcp("127.0.0.1", silent.port())
        .ping_on_connect(false)
        .timeout(Some(Duration::from_millis(200)));
    let started = Instant::now();
    let e = Monitor::open(&cfg).err().expect("no monitor");
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn a_dripping_stream_cannot_hold_a_read_past_its_timeout() {
    // MONITOR is confirmed, then a line arrives a byte every 50 ms.
    let drip = Hostile::start(|mut peer| {
        if peer.read_command().is_some() {
            peer.send(b"+OK\r\n+1700000000.000000 [0 127.0.0.1:1] \"PING\"");
            while peer.send(b" ") {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
    });
    let cfg = Config::tcp("127.0.0.1", drip.port()).ping_on_connect(false);
    let mut monitor = Monitor::open(&cfg).unwrap();
    let started = Instant::now();
    let event = monitor
        .next_event(Some(Duration::from_millis(300)))
        .unwrap();
    assert_eq!(event, None);
    let took = started.elapsed();
    assert!(took < Duration::from_millis(1500), "held for {took:?}");
}
