//! The blocking connection against real servers: TCP, Unix, TLS, ACL,
//! RESP2 and RESP3, timeouts and broken connections.

use std::time::{Duration, Instant};

use integration_tests::{RedisServer, TlsAuthClients};
use redis_blocking::{Cmd, Config, Connection, ErrorKind, Executed, Protocol, TlsOptions, Value};

fn open(server: &RedisServer, protocol: Protocol) -> Connection {
    let config = Config::tcp("127.0.0.1", server.port()).protocol(protocol);
    Connection::open(&config).expect("connect")
}

#[test]
fn set_get_both_protocols() {
    let server = RedisServer::start().unwrap();
    for protocol in [Protocol::Resp2, Protocol::Resp3] {
        let mut conn = open(&server, protocol);
        assert_eq!(conn.protocol(), protocol);
        conn.query::<()>(&Cmd::new("SET").arg("k").arg("v"))
            .unwrap();
        let v: String = conn.query(&Cmd::new("GET").arg("k")).unwrap();
        assert_eq!(v, "v");
        let missing: Option<String> = conn.query(&Cmd::new("GET").arg("nope")).unwrap();
        assert_eq!(missing, None);
    }
}

#[test]
fn type_mismatch_leaves_connection_usable() {
    let server = RedisServer::start().unwrap();
    let mut conn = open(&server, Protocol::Resp2);
    conn.query::<()>(&Cmd::new("RPUSH").arg("list").arg(&["a", "b", "c"][..]))
        .unwrap();
    let err = conn
        .query::<i64>(&Cmd::new("LRANGE").arg("list").arg(0).arg(-1))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TypeMismatch);
    assert_eq!(err.executed(), Executed::Yes);
    let items: Vec<String> = conn
        .query(&Cmd::new("LRANGE").arg("list").arg(0).arg(-1))
        .unwrap();
    assert_eq!(items, ["a", "b", "c"]);
}

#[test]
fn server_errors_are_typed() {
    let server = RedisServer::start().unwrap();
    let mut conn = open(&server, Protocol::Resp2);
    conn.query::<()>(&Cmd::new("SET").arg("s").arg("x"))
        .unwrap();
    let err = conn
        .query::<Value>(&Cmd::new("LPUSH").arg("s").arg("y"))
        .unwrap_err();
    assert_eq!(err.code(), Some(&redis_blocking::ErrorCode::WrongType));
    let pong: String = conn.query(&Cmd::new("PING")).unwrap();
    assert_eq!(pong, "PONG");
}

#[test]
fn timeout_poisons_and_next_call_gets_clear_error() {
    let server = RedisServer::start().unwrap();
    let mut conn = open(&server, Protocol::Resp2);
    conn.set_timeout(Some(Duration::from_millis(200)));
    let started = Instant::now();
    let err = conn
        .query::<()>(&Cmd::new("DEBUG").arg("SLEEP").arg(1))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout);
    assert_eq!(err.executed(), Executed::Maybe);
    assert!(started.elapsed() < Duration::from_millis(900));
    let err = conn.query::<String>(&Cmd::new("PING")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Closed);
    assert_eq!(err.executed(), Executed::No);
    // A new connection gets its own reply, not the sleeper's +OK.
    let mut fresh = open(&server, Protocol::Resp2);
    let echo: String = fresh.query(&Cmd::new("ECHO").arg("mine")).unwrap();
    assert_eq!(echo, "mine");
}

#[test]
fn big_value_round_trip() {
    let server = RedisServer::start().unwrap();
    let mut conn = open(&server, Protocol::Resp2);
    let value: Vec<u8> = (0..100 << 20).map(|i: u32| (i % 251) as u8).collect();
    conn.query::<()>(&Cmd::new("SET").arg("big").arg(&value))
        .unwrap();
    let back: Vec<u8> = conn.query(&Cmd::new("GET").arg("big")).unwrap();
    assert!(back == value, "100 MiB value differs");
}

#[test]
fn unix_socket() {
    let server = RedisServer::builder().unix_socket().start().unwrap();
    let path = server.unix_socket().unwrap().to_owned();
    let mut conn = Connection::open(&Config::unix(&path)).unwrap();
    let pong: String = conn.query(&Cmd::new("PING")).unwrap();
    assert_eq!(pong, "PONG");
    let url = format!("unix://{}?db=3", path.display());
    let mut conn = Connection::open_url(&url).unwrap();
    conn.query::<()>(&Cmd::new("SET").arg("in3").arg(1))
        .unwrap();
    assert_eq!(server.run(&["SELECT", "3"]), "+OK\r\n");
}

#[test]
fn acl_users_and_auth_errors() {
    let server = RedisServer::builder()
        .requirepass("topsecret")
        .user("alice", "wonderland", "~* +@all")
        .start()
        .unwrap();
    let base = Config::tcp("127.0.0.1", server.port());
    for protocol in [Protocol::Resp2, Protocol::Resp3] {
        let ok = Connection::open(
            &base
                .clone()
                .protocol(protocol)
                .user("alice")
                .password("wonderland"),
        );
        assert!(ok.is_ok(), "{:?}", ok.err());
        let ok = Connection::open(&base.clone().protocol(protocol).password("topsecret"));
        assert!(ok.is_ok(), "{:?}", ok.err());

        let wrong =
            Connection::open(&base.clone().protocol(protocol).password("nope")).unwrap_err();
        assert_eq!(wrong.kind(), ErrorKind::Auth);
        assert!(wrong.to_string().contains("wrong password"), "{wrong}");
        assert!(!wrong.to_string().contains("nope"));

        let unknown = Connection::open(
            &base
                .clone()
                .protocol(protocol)
                .user("mallory")
                .password("x"),
        )
        .unwrap_err();
        assert_eq!(unknown.kind(), ErrorKind::Auth);
        assert!(unknown.to_string().contains("user 'mallory'"), "{unknown}");

        let none = Connection::open(&base.clone().protocol(protocol)).unwrap_err();
        assert_eq!(none.kind(), ErrorKind::Auth);
        assert!(none.to_string().contains("NOAUTH"), "{none}");
    }
}

#[test]
fn tls_verified_and_mismatches() {
    let server = RedisServer::builder()
        .tls()
        .tls_auth_clients(TlsAuthClients::No)
        .start()
        .unwrap();
    let certs = server.tls_certs().unwrap();
    let tls_port = server.tls_port().unwrap();
    let tls = TlsOptions {
        ca_file: Some(certs.ca_cert().to_owned()),
        ..TlsOptions::default()
    };
    let config = Config::tcp("127.0.0.1", tls_port).tls(tls.clone());
    let mut conn = Connection::open(&config).unwrap();
    let pong: String = conn.query(&Cmd::new("PING")).unwrap();
    assert_eq!(pong, "PONG");

    // Without the CA: refused, quickly and clearly.
    let config = Config::tcp("127.0.0.1", tls_port).tls(TlsOptions::default());
    let err = Connection::open(&config).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Tls, "{err}");

    // Plaintext to the TLS port fails within the connect timeout.
    let started = Instant::now();
    let config = Config::tcp("127.0.0.1", tls_port).connect_timeout(Some(Duration::from_secs(2)));
    let err = Connection::open(&config).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(
        matches!(err.kind(), ErrorKind::Connect | ErrorKind::Timeout),
        "{err}"
    );

    // TLS to a plaintext port fails within the connect timeout too.
    let plain = RedisServer::start().unwrap();
    let started = Instant::now();
    let config = Config::tcp("127.0.0.1", plain.port())
        .tls(tls)
        .connect_timeout(Some(Duration::from_secs(2)));
    let err = Connection::open(&config).unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(3));
    assert!(
        matches!(err.kind(), ErrorKind::Tls | ErrorKind::Timeout),
        "{err}"
    );
}

#[test]
fn streaming_subscribe_and_monitor() {
    let server = RedisServer::start().unwrap();
    for protocol in [Protocol::Resp2, Protocol::Resp3] {
        let mut sub = open(&server, protocol);
        sub.start_stream(&Cmd::new("SUBSCRIBE").arg("news"))
            .unwrap();
        let confirm = sub
            .next_frame(Some(Duration::from_secs(1)))
            .unwrap()
            .unwrap();
        assert!(
            matches!(confirm, Value::Array(_) | Value::Push(_)),
            "{confirm:?}"
        );
        assert_eq!(
            sub.next_frame(Some(Duration::from_millis(50))).unwrap(),
            None
        );
        let mut publisher = open(&server, Protocol::Resp2);
        let receivers: i64 = publisher
            .query(&Cmd::new("PUBLISH").arg("news").arg(b"\xffbinary"))
            .unwrap();
        assert_eq!(receivers, 1);
        let message = sub
            .next_frame(Some(Duration::from_secs(1)))
            .unwrap()
            .unwrap();
        let items = match message {
            Value::Array(items) | Value::Push(items) => items,
            other => panic!("{other:?}"),
        };
        assert_eq!(items[2], Value::Bulk(b"\xffbinary".to_vec().into()));
        assert!(
            sub.query::<String>(&Cmd::new("PING")).is_err(),
            "regular calls refused once streaming"
        );
    }
    let mut monitor = open(&server, Protocol::Resp2);
    monitor.start_stream(&Cmd::new("MONITOR")).unwrap();
    assert_eq!(
        monitor.next_frame(Some(Duration::from_secs(1))).unwrap(),
        Some(Value::Simple(b"OK".to_vec().into()))
    );
    let mut other = open(&server, Protocol::Resp2);
    other
        .query::<()>(&Cmd::new("SET").arg("watched").arg(1))
        .unwrap();
    // The new connection's own PING comes first.
    let mut lines = Vec::new();
    while let Some(line) = monitor
        .next_frame(Some(Duration::from_millis(500)))
        .unwrap()
    {
        lines.push(String::from_utf8(line.as_bytes().unwrap().to_vec()).unwrap());
        if lines.last().unwrap().contains("SET") {
            break;
        }
    }
    assert!(
        lines.last().unwrap().ends_with("\"SET\" \"watched\" \"1\""),
        "{lines:?}"
    );
}

#[test]
fn tls_client_certificates_sni_and_insecure() {
    let server = RedisServer::builder()
        .tls()
        .tls_auth_clients(TlsAuthClients::Yes)
        .start()
        .unwrap();
    let certs = server.tls_certs().unwrap();
    let port = server.tls_port().unwrap();
    let with_cert = TlsOptions {
        ca_file: Some(certs.ca_cert().to_owned()),
        cert_file: Some(certs.client_cert().to_owned()),
        key_file: Some(certs.client_key().to_owned()),
        ..TlsOptions::default()
    };
    let mut conn =
        Connection::open(&Config::tcp("127.0.0.1", port).tls(with_cert.clone())).unwrap();
    assert_eq!(conn.query::<String>(&Cmd::new("PING")).unwrap(), "PONG");

    // No client certificate: the server refuses it.
    let without = TlsOptions {
        ca_file: Some(certs.ca_cert().to_owned()),
        ..TlsOptions::default()
    };
    let config = Config::tcp("127.0.0.1", port)
        .tls(without)
        .connect_timeout(Some(Duration::from_secs(2)));
    assert!(Connection::open(&config).is_err());

    // SNI: the certificate is for localhost and 127.0.0.1, not other names.
    let sni = TlsOptions {
        sni: Some("localhost".into()),
        ..with_cert.clone()
    };
    assert!(Connection::open(&Config::tcp("127.0.0.1", port).tls(sni)).is_ok());
    let wrong_name = TlsOptions {
        sni: Some("not-the-server.example".into()),
        ..with_cert.clone()
    };
    let err = Connection::open(&Config::tcp("127.0.0.1", port).tls(wrong_name)).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Tls, "{err}");

    // Insecure: no CA needed, any name accepted.
    let insecure = TlsOptions {
        insecure: true,
        sni: Some("not-the-server.example".into()),
        ca_file: None,
        ..with_cert
    };
    assert!(Connection::open(&Config::tcp("127.0.0.1", port).tls(insecure)).is_ok());

    // A bad CA file is a clear error, not a panic.
    let bad = TlsOptions {
        ca_file: Some(server.config_path().to_owned()),
        ..TlsOptions::default()
    };
    let err = Connection::open(&Config::tcp("127.0.0.1", port).tls(bad)).unwrap_err();
    assert!(err.to_string().contains("no PEM certificate"), "{err}");
}

#[test]
fn raw_replies_and_connecting_before_authenticating() {
    let server = RedisServer::builder().requirepass("pw").start().unwrap();
    let config = Config::tcp("127.0.0.1", server.port()).ping_on_connect(false);
    let mut conn = Connection::open(&config).unwrap();
    let reply = conn.query_raw(&Cmd::new("GET").arg("k")).unwrap();
    assert!(
        matches!(&reply, Value::Error(e) if e.starts_with(b"NOAUTH")),
        "{reply:?}"
    );
    assert_eq!(
        conn.query_raw(&Cmd::new("AUTH").arg("pw")).unwrap(),
        Value::Simple(b"OK".to_vec().into())
    );
    assert_eq!(
        conn.query_raw(&Cmd::new("GET").arg("k")).unwrap(),
        Value::NullBulk
    );
    // With the default, the missing password is found at connect time.
    let err = Connection::open(&Config::tcp("127.0.0.1", server.port())).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Auth);
}

/// `raw_input` / `consume_raw`: the RDB after `SYNC` read as bytes, then
/// the replication stream decoded as frames from where the RDB ended.
#[test]
fn raw_bytes_then_frames_on_a_streaming_connection() {
    let server = RedisServer::builder()
        .config("repl-diskless-sync no")
        .start()
        .unwrap();
    server.run(&["SET", "k", "v"]);
    let mut conn = open(&server, Protocol::Resp2);
    // Not streaming yet: refused.
    let err = conn.raw_input(0, None).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidCommand);
    conn.start_stream(&Cmd::new("SYNC")).unwrap();
    // "$<length>\r\n", maybe after newlines sent while the RDB is made.
    let mut seen = 0;
    let (length, used) = loop {
        let bytes = conn.raw_input(seen, Some(Duration::from_secs(10))).unwrap();
        assert!(bytes.len() > seen, "nothing more within the timeout");
        let start = bytes
            .iter()
            .position(|&b| b != b'\n')
            .unwrap_or(bytes.len());
        if let Some(end) = bytes[start..].iter().position(|&b| b == b'\n') {
            let line = std::str::from_utf8(&bytes[start + 1..start + end - 1]).unwrap();
            break (line.parse::<usize>().unwrap(), start + end + 1);
        }
        seen = bytes.len();
    };
    conn.consume_raw(used);
    let mut rdb = Vec::new();
    while rdb.len() < length {
        let bytes = conn.raw_input(0, Some(Duration::from_secs(10))).unwrap();
        let take = bytes.len().min(length - rdb.len());
        rdb.extend_from_slice(&bytes[..take]);
        conn.consume_raw(take);
    }
    assert!(rdb.starts_with(b"REDIS"), "{:?}", &rdb[..9]);
    // What follows is the replication stream, decoded as usual.
    server.run(&["SET", "after", "1"]);
    let mut names = Vec::new();
    while names.len() < 2 {
        if let Some(Value::Array(items)) = conn.next_frame(Some(Duration::from_secs(10))).unwrap() {
            if let Some(Value::Bulk(name)) = items.first() {
                names.push(String::from_utf8_lossy(name).to_ascii_uppercase());
            }
        }
    }
    assert_eq!(names, ["SELECT", "SET"]);
    // Nothing buffered and nothing coming: an empty slice after the wait.
    assert!(conn
        .raw_input(0, Some(Duration::from_millis(50)))
        .unwrap()
        .is_empty());
}
