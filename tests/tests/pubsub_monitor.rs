//! Pub/sub, pushes on regular connections and MONITOR against a real
//! server.

use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use integration_tests::RedisServer;
use redis_blocking::prelude::*;
use redis_blocking::{Client, Incoming, Message, Protocol, Subscriber, SubscriptionKind};

fn publish(server: &RedisServer, channel: &[u8], payload: &[u8]) -> i64 {
    let mut c = Connection::open(&Config::tcp("127.0.0.1", server.port())).unwrap();
    c.query(&Cmd::new("PUBLISH").arg(channel).arg(payload))
        .unwrap()
}

fn message(incoming: Option<Incoming>) -> Message {
    match incoming {
        Some(Incoming::Message(m)) => m,
        other => panic!("expected a message, got {other:?}"),
    }
}

#[test]
fn binary_messages_in_both_protocols() {
    let server = RedisServer::start().unwrap();
    for protocol in [Protocol::Resp2, Protocol::Resp3] {
        let sub =
            Subscriber::open(Config::tcp("127.0.0.1", server.port()).protocol(protocol)).unwrap();
        sub.subscribe([&b"bin\x00\xff"[..]]).unwrap();
        sub.psubscribe(["news.*"]).unwrap();
        sub.ssubscribe(["shard"]).unwrap();
        assert_eq!(sub.try_recv().unwrap(), None);
        assert_eq!(publish(&server, b"bin\x00\xff", b"\x01\x02\xfe"), 1);
        let m = message(sub.recv_timeout(Duration::from_secs(2)).unwrap());
        assert_eq!(
            (m.kind, m.channel.as_slice(), m.payload.as_slice()),
            (
                SubscriptionKind::Channel,
                &b"bin\x00\xff"[..],
                &b"\x01\x02\xfe"[..]
            )
        );
        publish(&server, b"news.sport", b"goal");
        let m = message(sub.recv_timeout(Duration::from_secs(2)).unwrap());
        assert_eq!(
            (m.kind, m.pattern.as_deref(), m.channel.as_slice()),
            (
                SubscriptionKind::Pattern,
                Some(&b"news.*"[..]),
                &b"news.sport"[..]
            )
        );
        let mut c = Connection::open(&Config::tcp("127.0.0.1", server.port())).unwrap();
        let n: i64 = c
            .query(&Cmd::new("SPUBLISH").arg("shard").arg("s1"))
            .unwrap();
        assert_eq!(n, 1);
        let m = message(sub.recv_timeout(Duration::from_secs(2)).unwrap());
        assert_eq!(
            (m.kind, m.payload.as_slice()),
            (SubscriptionKind::Shard, &b"s1"[..])
        );
        // Unsubscribing stops delivery.
        sub.handle().unsubscribe([&b"bin\x00\xff"[..]]).unwrap();
        assert_eq!(publish(&server, b"bin\x00\xff", b"x"), 0);
    }
}

#[test]
fn control_from_another_thread_while_reading() {
    let server = RedisServer::start().unwrap();
    let sub = Subscriber::open(Config::tcp("127.0.0.1", server.port())).unwrap();
    let handle = sub.handle();
    let controller = thread::spawn(move || {
        thread::sleep(Duration::from_millis(100));
        handle.subscribe(["late"]).unwrap();
        handle
    });
    // The reader blocks before any subscription exists.
    let handle = {
        let started = Instant::now();
        while publish(&server, b"late", b"hello") == 0 {
            assert!(started.elapsed() < Duration::from_secs(2));
            thread::sleep(Duration::from_millis(10));
        }
        controller.join().unwrap()
    };
    assert_eq!(message(Some(sub.recv().unwrap())).payload, b"hello");
    // Closing from another thread wakes a blocked reader.
    let closer = thread::spawn(move || {
        thread::sleep(Duration::from_millis(100));
        handle.close();
    });
    let started = Instant::now();
    let mut received = Vec::new();
    for incoming in &sub {
        received.push(incoming);
    }
    assert!(started.elapsed() < Duration::from_secs(2));
    assert!(received.is_empty());
    assert!(sub.recv().is_err());
    closer.join().unwrap();
}

#[test]
fn resubscribes_after_client_kill() {
    let server = RedisServer::start().unwrap();
    let client =
        Client::builder(Config::tcp("127.0.0.1", server.port()).client_name("the-subscriber"))
            .reconnect_strategy(redis_blocking::ReconnectStrategy::Constant(
                Duration::from_millis(50),
            ))
            .build();
    let sub = client.subscriber().unwrap();
    sub.subscribe(["a"]).unwrap();
    sub.psubscribe(["p.*"]).unwrap();
    let mut admin = Connection::open(&Config::tcp("127.0.0.1", server.port())).unwrap();
    let killed: i64 = admin
        .query(&Cmd::new("CLIENT").arg("KILL").arg("TYPE").arg("pubsub"))
        .unwrap();
    assert_eq!(killed, 1);
    assert_eq!(
        sub.recv_timeout(Duration::from_secs(3)).unwrap(),
        Some(Incoming::Reconnected)
    );
    // Everything was resubscribed.
    let started = Instant::now();
    while publish(&server, b"a", b"after") == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "not resubscribed"
        );
        thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(
        message(sub.recv_timeout(Duration::from_secs(2)).unwrap()).payload,
        b"after"
    );
    publish(&server, b"p.x", b"pattern");
    assert_eq!(
        message(sub.recv_timeout(Duration::from_secs(2)).unwrap()).payload,
        b"pattern"
    );
}

#[test]
fn pushes_on_a_regular_connection_never_disturb_replies() {
    let server = RedisServer::start().unwrap();
    let mut conn =
        Connection::open(&Config::tcp("127.0.0.1", server.port()).protocol(Protocol::Resp3))
            .unwrap();
    let pushes = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&pushes);
    conn.set_push_handler(move |push| seen.lock().unwrap().push(push));
    conn.query::<()>(&Cmd::new("CLIENT").arg("TRACKING").arg("ON"))
        .unwrap();
    let () = conn.set("tracked", 1).unwrap();
    let _: i64 = conn.get("tracked").unwrap();
    let mut other = Connection::open(&Config::tcp("127.0.0.1", server.port())).unwrap();
    let () = other.set("tracked", 2).unwrap();
    thread::sleep(Duration::from_millis(50));
    // The invalidation arrives before this reply; the reply is still ours.
    assert_eq!(conn.echo::<_, String>("mine").unwrap(), "mine");
    assert_eq!(conn.get::<_, i64>("tracked").unwrap(), 2);
    let pushes = pushes.lock().unwrap();
    assert_eq!(pushes.len(), 1, "{pushes:?}");
    let Value::Push(items) = &pushes[0] else {
        panic!("{:?}", pushes[0])
    };
    assert_eq!(items[0].as_bytes(), Some(&b"invalidate"[..]));
    assert_eq!(
        items[1],
        Value::Array(vec![Value::Bulk(b"tracked".to_vec().into())])
    );
}

#[test]
fn monitor_events() {
    let server = RedisServer::start().unwrap();
    let client = Client::builder(Config::tcp("127.0.0.1", server.port())).build();
    let mut monitor = client.monitor().unwrap();
    let c = client.clone();
    let () = c.set("mon\"itored", b"\x00\xff".to_vec()).unwrap();
    let mut events = Vec::new();
    while let Some(event) = monitor
        .next_event(Some(Duration::from_millis(500)))
        .unwrap()
    {
        let done = event.args.first().is_some_and(|a| a == b"SET");
        events.push(event);
        if done {
            break;
        }
    }
    let set = events.last().unwrap();
    assert_eq!(
        set.args,
        [
            b"SET".to_vec(),
            b"mon\"itored".to_vec(),
            b"\x00\xff".to_vec()
        ]
    );
    assert_eq!(set.db, 0);
    assert!(set.client.starts_with("127.0.0.1:"));
    assert!(set.time > 1.6e9);
    // The monitor's connection is not in the pool.
    assert!(client.open_connections() <= 1);
}

#[test]
fn a_subscribe_while_the_reader_lags_is_not_lost() {
    // More messages than the subscriber holds for its reader (64 Ki): its
    // thread waits for the reader. A subscribe asked meanwhile must be
    // carried out once the reader catches up, not dropped (its caller was
    // told "the subscriber is closed", and the channel never subscribed).
    let server = RedisServer::start().unwrap();
    let client = Client::builder(Config::tcp("127.0.0.1", server.port()))
        .timeout(Some(Duration::from_secs(5)))
        .build();
    let sub = client.subscriber().unwrap();
    sub.subscribe(["flood"]).unwrap();
    let mut pipe = Pipeline::new();
    for i in 0..70_000 {
        pipe.cmd("PUBLISH").arg("flood").arg(i).ignore();
    }
    let () = client.query_pipeline(&pipe).unwrap();
    // Let the subscriber's thread fill the backlog and wait.
    thread::sleep(Duration::from_millis(300));
    let handle = sub.handle();
    let subscribing = thread::spawn(move || handle.subscribe(["late"]));
    thread::sleep(Duration::from_millis(300));
    let mut flood = 0;
    while flood < 70_000 {
        match sub.recv_timeout(Duration::from_secs(2)).unwrap() {
            Some(Incoming::Message(m)) if m.channel == b"flood" => flood += 1,
            other => panic!("after {flood} messages: {other:?}"),
        }
    }
    subscribing
        .join()
        .unwrap()
        .expect("the subscribe made while the reader lagged is confirmed");
    assert_eq!(publish(&server, b"late", b"hello"), 1);
    assert_eq!(
        message(sub.recv_timeout(Duration::from_secs(2)).unwrap()).payload,
        b"hello"
    );
}

#[test]
fn unread_large_messages_are_bounded_by_bytes() {
    // A reader that does not keep up: the subscriber holds a bounded
    // number of bytes for it (not 64 Ki messages of any size), then stops
    // reading, so that the server's own output limit drops the connection
    // and the reader is told messages were lost.
    let server = RedisServer::start().unwrap();
    let mut admin = Connection::open(&Config::tcp("127.0.0.1", server.port())).unwrap();
    let () = admin
        .query(
            &Cmd::new("CONFIG")
                .arg("SET")
                .arg("client-output-buffer-limit")
                .arg("pubsub 8mb 0 0"),
        )
        .unwrap();
    let sub = Subscriber::open(Config::tcp("127.0.0.1", server.port())).unwrap();
    sub.subscribe(["big"]).unwrap();
    let payload = vec![b'x'; 1 << 20];
    let mut published = 0;
    for _ in 0..100 {
        let receivers: i64 = admin
            .query(&Cmd::new("PUBLISH").arg("big").arg(&payload[..]))
            .unwrap();
        published += receivers;
    }
    assert!(published > 0);
    let mut before = 0;
    loop {
        match sub.recv_timeout(Duration::from_secs(5)).unwrap() {
            Some(Incoming::Message(m)) => {
                assert_eq!(m.payload.len(), 1 << 20);
                before += 1;
            }
            Some(Incoming::Reconnected) => break,
            other => panic!("after {before} messages: {other:?}"),
        }
    }
    assert!(before < 100, "{before} MiB held for the reader");
}
