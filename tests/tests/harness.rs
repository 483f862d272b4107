//! Exercises the harness itself against real Redis processes: each variant
//! (TCP, Unix socket, ACL, TLS, cluster, sentinel) and each fault helper.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::thread;
use std::time::{Duration, Instant};

use integration_tests::{
    allocate_cluster_port, allocate_port, key_slot, Connection, RedisCluster, RedisServer, Reply,
    Sentinels, TlsAuthClients, CLUSTER_BUS_OFFSET, PORT_RANGE, SLOT_COUNT,
};

const TIMEOUT: Duration = Duration::from_secs(5);

fn status(s: &str) -> Reply {
    Reply::Status(s.to_string())
}

fn bulk(s: &str) -> Reply {
    Reply::Bulk(s.as_bytes().to_vec())
}

fn error_of(reply: &Reply) -> &str {
    reply
        .as_error()
        .unwrap_or_else(|| panic!("expected an error reply, got {reply}"))
}

fn process_exists(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

/// The value of `name:value` in INFO-style text.
fn info_field(text: &str, name: &str) -> Option<String> {
    text.lines().find_map(|l| {
        l.strip_prefix(&format!("{name}:"))
            .map(|v| v.trim().to_string())
    })
}

fn info(server: &RedisServer, args: &[&str]) -> String {
    server
        .query(args)
        .as_str()
        .unwrap_or_else(|| panic!("{args:?} did not return text"))
        .to_string()
}

/// Runs redis-cli with `args` and returns (success, trimmed stdout + stderr).
fn redis_cli(args: &[&str]) -> (bool, String) {
    let out = Command::new("redis-cli")
        .args(args)
        .output()
        .expect("redis-cli runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text.trim().to_string())
}

#[test]
fn harness_types_can_be_shared_between_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<RedisServer>();
    assert_send_sync::<RedisCluster>();
    assert_send_sync::<Sentinels>();
}

#[test]
fn tcp_server_answers_ping_and_has_expected_config() {
    let server = RedisServer::start().expect("start");
    assert_eq!(server.run(&["PING"]), "+PONG\r\n");
    assert_eq!(server.host(), "127.0.0.1");
    assert_eq!(
        server.addr().to_string(),
        format!("127.0.0.1:{}", server.port())
    );
    assert_eq!(server.url(), format!("redis://127.0.0.1:{}", server.port()));
    assert!(PORT_RANGE.contains(&server.port()));
    assert!(server.unix_socket().is_none() && server.tls_port().is_none());
    assert!(process_exists(server.pid().expect("pid")));

    // A plain client of our own on the advertised address.
    let mut conn = Connection::connect_tcp(server.addr(), TIMEOUT).expect("connect");
    assert_eq!(conn.command(&["SET", "k", "v"]).unwrap(), status("OK"));
    assert_eq!(conn.command(&["GET", "k"]).unwrap(), bulk("v"));
    assert_eq!(
        conn.command(&["CONFIG", "GET", "bind"]).unwrap(),
        Reply::Array(vec![bulk("bind"), bulk("127.0.0.1")])
    );
    // enable-debug-command yes
    assert_eq!(
        conn.command(&["DEBUG", "SLEEP", "0"]).unwrap(),
        status("OK")
    );
    let dir = conn.command(&["CONFIG", "GET", "dir"]).unwrap();
    assert_eq!(
        dir.as_array().unwrap()[1].as_str().map(PathBuf::from),
        Some(server.dir().canonicalize().unwrap())
    );
    assert!(server.log_tail(50).contains("Ready to accept connections"));
}

#[test]
fn unix_socket_only_server() {
    let server = RedisServer::builder()
        .unix_socket()
        .tcp(false)
        .start()
        .expect("start");
    assert_eq!(server.tcp_port(), None);
    let path = server.unix_socket().expect("socket path");
    assert!(path.starts_with(server.dir()));
    let mode = std::fs::metadata(path).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o700, "unixsocketperm 700");

    let mut conn = Connection::connect_unix(path, TIMEOUT).expect("connect");
    assert_eq!(conn.command(&["PING"]).unwrap(), status("PONG"));
    assert_eq!(
        conn.command(&["CONFIG", "GET", "port"]).unwrap(),
        Reply::Array(vec![bulk("port"), bulk("0")])
    );
}

#[test]
fn unix_socket_alongside_tcp() {
    let server = RedisServer::builder().unix_socket().start().expect("start");
    let mut unix = Connection::connect_unix(server.unix_socket().unwrap(), TIMEOUT).unwrap();
    let mut tcp = Connection::connect_tcp(server.addr(), TIMEOUT).unwrap();
    assert_eq!(unix.command(&["SET", "shared", "1"]).unwrap(), status("OK"));
    assert_eq!(tcp.command(&["GET", "shared"]).unwrap(), bulk("1"));
}

#[test]
fn acl_users_and_requirepass() {
    let server = RedisServer::builder()
        .requirepass("pw")
        .user("alice", "secret", "~* +@all")
        .user("reader", "r3ad", "~* +get +ping")
        .start()
        .expect("start");

    let mut conn = Connection::connect_tcp(server.addr(), TIMEOUT).unwrap();
    assert!(error_of(&conn.command(&["PING"]).unwrap()).starts_with("NOAUTH"));
    let denied = conn.command(&["AUTH", "alice", "wrong"]).unwrap();
    assert!(error_of(&denied).starts_with("WRONGPASS"), "{denied}");
    assert!(conn.auth(Some("alice"), "wrong").is_err());
    conn.auth(Some("alice"), "secret")
        .expect("alice authenticates");
    assert_eq!(conn.command(&["ACL", "WHOAMI"]).unwrap(), bulk("alice"));
    assert_eq!(conn.command(&["SET", "k", "v"]).unwrap(), status("OK"));

    let mut reader = Connection::connect_tcp(server.addr(), TIMEOUT).unwrap();
    reader.auth(Some("reader"), "r3ad").unwrap();
    assert_eq!(reader.command(&["GET", "k"]).unwrap(), bulk("v"));
    let noperm = reader.command(&["SET", "k", "w"]).unwrap();
    assert!(error_of(&noperm).starts_with("NOPERM"), "{noperm}");

    let mut default = Connection::connect_tcp(server.addr(), TIMEOUT).unwrap();
    default.auth(None, "pw").expect("requirepass works");
    assert_eq!(
        default.command(&["ACL", "WHOAMI"]).unwrap(),
        bulk("default")
    );
    // The harness authenticates its own connections with requirepass.
    assert_eq!(server.query(&["GET", "k"]), bulk("v"));
}

#[test]
fn tls_server_accepts_redis_cli_tls_and_rejects_plaintext() {
    let server = RedisServer::builder().tls().start().expect("start");
    let certs = server.tls_certs().expect("certs");
    let tls_port = server.tls_port().expect("tls port").to_string();
    assert_eq!(server.tcp_port(), None, "TLS-only by default");
    assert!(server.tls_url().unwrap().starts_with("rediss://127.0.0.1:"));
    for pem in [certs.ca_cert(), certs.server_cert(), certs.server_key()] {
        assert!(std::fs::read_to_string(pem).unwrap().contains("-----BEGIN"));
    }

    let ca = certs.ca_cert().to_str().unwrap();
    let (ok, out) = redis_cli(&[
        "--tls",
        "--cacert",
        ca,
        "-h",
        "127.0.0.1",
        "-p",
        &tls_port,
        "PING",
    ]);
    assert!(ok && out == "PONG", "redis-cli --tls: {out}");
    // Also by name: the certificate is valid for localhost too.
    let (ok, out) = redis_cli(&[
        "--tls",
        "--cacert",
        ca,
        "-h",
        "localhost",
        "-p",
        &tls_port,
        "PING",
    ]);
    assert!(ok && out == "PONG", "redis-cli --tls via localhost: {out}");
    // A CA that did not sign the server certificate is refused.
    let (_, out) = redis_cli(&[
        "--tls",
        "--cacert",
        certs.client_cert().to_str().unwrap(),
        "-p",
        &tls_port,
        "PING",
    ]);
    assert_ne!(out, "PONG");

    // A plaintext client on the TLS port gets no reply.
    let mut plain = TcpStream::connect(server.tls_addr().unwrap()).unwrap();
    plain.set_read_timeout(Some(TIMEOUT)).unwrap();
    plain.write_all(b"*1\r\n$4\r\nPING\r\n").unwrap();
    let mut buf = Vec::new();
    let _ = plain.read_to_end(&mut buf);
    assert!(
        !String::from_utf8_lossy(&buf).contains("PONG"),
        "plaintext got {buf:?}"
    );
    // The harness's own control channel still works.
    assert_eq!(server.run(&["PING"]), "+PONG\r\n");
}

#[test]
fn tls_auth_clients_yes_requires_a_client_certificate() {
    let server = RedisServer::builder()
        .tls_auth_clients(TlsAuthClients::Yes)
        .tcp(true)
        .start()
        .expect("start");
    let certs = server.tls_certs().unwrap();
    let tls_port = server.tls_port().unwrap().to_string();
    let ca = certs.ca_cert().to_str().unwrap();

    let (_, out) = redis_cli(&["--tls", "--cacert", ca, "-p", &tls_port, "PING"]);
    assert_ne!(out, "PONG", "no client certificate must be refused");
    let (ok, out) = redis_cli(&[
        "--tls",
        "--cacert",
        ca,
        "--cert",
        certs.client_cert().to_str().unwrap(),
        "--key",
        certs.client_key().to_str().unwrap(),
        "-p",
        &tls_port,
        "PING",
    ]);
    assert!(ok && out == "PONG", "with client certificate: {out}");
    // Both listeners at once.
    assert_ne!(Some(server.port()), server.tls_port());
    let (ok, out) = redis_cli(&["-p", &server.port().to_string(), "PING"]);
    assert!(ok && out == "PONG", "plain port: {out}");
}

#[test]
fn kill_and_restart_on_the_same_port() {
    let server = RedisServer::builder()
        .config("appendonly yes")
        .start()
        .expect("start");
    let port = server.port();
    assert_eq!(server.run(&["SET", "survives", "yes"]), "+OK\r\n");
    let pid = server.pid().unwrap();

    server.kill();
    assert!(!server.is_running() && server.pid().is_none());
    assert!(!process_exists(pid));
    assert!(Connection::connect_tcp(server.addr(), TIMEOUT).is_err());

    server.restart().expect("restart after kill");
    assert_eq!(server.port(), port);
    assert_ne!(server.pid(), Some(pid));
    // Same directory: the AOF written before the kill is replayed.
    assert_eq!(server.query(&["GET", "survives"]), bulk("yes"));

    server.stop();
    assert!(!server.is_running());
    server.restart().expect("restart after stop");
    server.restart().expect("restart while running");
    let mut conn = Connection::connect_tcp(server.addr(), TIMEOUT).unwrap();
    assert_eq!(conn.command(&["GET", "survives"]).unwrap(), bulk("yes"));
}

#[test]
fn pause_and_resume() {
    let server = RedisServer::start().expect("start");
    let mut conn = Connection::connect_tcp(server.addr(), Duration::from_millis(300)).unwrap();
    server.pause().expect("pause");
    assert!(server.is_paused());
    let started = Instant::now();
    assert!(
        conn.command(&["PING"]).is_err(),
        "a paused server answers nothing"
    );
    assert!(started.elapsed() >= Duration::from_millis(250));

    server.resume().expect("resume");
    assert!(!server.is_paused());
    let mut conn = Connection::connect_tcp(server.addr(), TIMEOUT).unwrap();
    assert_eq!(conn.command(&["PING"]).unwrap(), status("PONG"));
}

#[test]
fn drop_kills_the_process_and_removes_the_dir_even_on_panic() {
    let seen: Mutex<Option<(u32, PathBuf)>> = Mutex::new(None);
    let result = std::panic::catch_unwind(|| {
        let server = RedisServer::builder().unix_socket().start().expect("start");
        *seen.lock().unwrap() = Some((server.pid().unwrap(), server.dir().to_path_buf()));
        server.pause().unwrap(); // drop must cope with a stopped process too
        panic!("test failure while the server runs");
    });
    assert!(result.is_err());
    let (pid, dir) = seen.into_inner().unwrap().expect("server started");
    assert!(
        !process_exists(pid),
        "redis-server {pid} survived the panic"
    );
    assert!(!dir.exists(), "{} was not removed", dir.display());
}

#[test]
fn start_failure_reports_the_server_output() {
    let err = RedisServer::builder()
        .config("no-such-directive yes")
        .start()
        .expect_err("bad config must fail");
    let message = err.to_string();
    assert!(message.contains("failed to start"), "{message}");
    assert!(message.contains("no-such-directive"), "{message}");
}

#[test]
fn parallel_starts_get_distinct_ports() {
    let ports: Vec<u16> = thread::scope(|s| {
        let handles: Vec<_> = (0..6)
            .map(|_| {
                s.spawn(|| {
                    let server = RedisServer::start().expect("start");
                    assert_eq!(server.run(&["PING"]), "+PONG\r\n");
                    server.port()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(ports.iter().collect::<HashSet<_>>().len(), ports.len());

    let leases: Vec<_> = (0..50).map(|_| allocate_port().unwrap()).collect();
    let mut unique: HashSet<u16> = leases.iter().map(|l| l.port()).collect();
    assert_eq!(unique.len(), 50);
    let cluster = allocate_cluster_port().unwrap();
    assert!(cluster.port() < 55535);
    assert_eq!(
        cluster.bus_port(),
        Some(cluster.port() + CLUSTER_BUS_OFFSET)
    );
    assert!(unique.insert(cluster.port()));
}

#[test]
fn cluster_of_three_masters_and_three_replicas() {
    let cluster = RedisCluster::start().expect("cluster starts");
    assert_eq!(cluster.nodes().len(), 6);
    for node in cluster.nodes() {
        assert!(node.port() + CLUSTER_BUS_OFFSET < 65535);
        let info = info(node, &["CLUSTER", "INFO"]);
        assert_eq!(
            info_field(&info, "cluster_state").as_deref(),
            Some("ok"),
            "{info}"
        );
        assert_eq!(
            info_field(&info, "cluster_slots_assigned"),
            Some(SLOT_COUNT.to_string())
        );
        assert_eq!(
            info_field(&info, "cluster_known_nodes").as_deref(),
            Some("6")
        );
    }

    let masters = cluster.masters();
    let replicas = cluster.replicas();
    assert_eq!((masters.len(), replicas.len()), (3, 3));
    for replica in &replicas {
        let role = replica.query(&["ROLE"]);
        assert_eq!(role.as_array().unwrap()[0], bulk("slave"));
    }
    let topology = cluster.topology().unwrap();
    let slots: usize = topology.iter().map(|n| n.slot_count()).sum();
    assert_eq!(slots, usize::from(SLOT_COUNT));

    // Routing: the owner accepts the key, another master redirects.
    let owner = cluster.node_for_key(b"foo").expect("owner of foo");
    assert_eq!(owner.query(&["SET", "foo", "bar"]), status("OK"));
    let other = masters.iter().find(|m| m.port() != owner.port()).unwrap();
    let moved = other.query(&["GET", "foo"]);
    assert_eq!(
        error_of(&moved),
        format!("MOVED {} 127.0.0.1:{}", key_slot(b"foo"), owner.port())
    );
    assert_eq!(
        cluster.node_for_slot(key_slot(b"foo")).unwrap().port(),
        owner.port()
    );

    // Fault: kill the owner; its replica takes over and the cluster heals.
    assert_eq!(owner.query(&["WAIT", "1", "2000"]), Reply::Integer(1));
    // WAIT can count a replica that has just finished its first sync
    // before the write reaches it (seen here: the promoted replica had
    // offset 0 and no key). Kill the owner only once its replica serves
    // the key, so the check below is about the failover.
    let replica_has_it = || {
        cluster.replicas().iter().any(|r| {
            let Ok(mut conn) = r.connect() else {
                return false;
            };
            conn.command(&["READONLY"]).is_ok()
                && conn
                    .command(&["GET", "foo"])
                    .is_ok_and(|v| v == bulk("bar"))
        })
    };
    let started = std::time::Instant::now();
    while !replica_has_it() {
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "no replica ever served foo"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let killed = owner.port();
    owner.kill();
    cluster
        .wait_healthy(Duration::from_secs(20))
        .expect("a replica takes over");
    let masters = cluster.masters();
    assert_eq!(masters.len(), 3);
    assert!(masters.iter().all(|m| m.port() != killed));
    // Nodes may take a moment to agree on the new owner: ask the node the
    // cluster names, until it answers with the value.
    let started = std::time::Instant::now();
    loop {
        let new_owner = cluster.node_for_key(b"foo").expect("new owner of foo");
        assert_ne!(new_owner.port(), killed);
        let reply = new_owner.query(&["GET", "foo"]);
        if reply == bulk("bar") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "the new owner {} answers {reply:?}; its log:\n{}",
            new_owner.port(),
            new_owner.log_tail(60)
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn sentinels_report_the_master_and_follow_a_failover() {
    let group = Sentinels::start().expect("sentinels start");
    assert_eq!(group.master_name(), "mymaster");
    assert_eq!(group.sentinel_addrs().len(), 3);
    let initial = group.initial_master();
    assert_eq!(group.master_addr().unwrap(), initial.addr());

    let sentinel = &group.sentinels()[0];
    let others = sentinel.query(&["SENTINEL", "SENTINELS", "mymaster"]);
    assert_eq!(others.as_array().unwrap().len(), 2);
    let replicas = sentinel.query(&["SENTINEL", "REPLICAS", "mymaster"]);
    assert_eq!(replicas.as_array().unwrap().len(), 1);

    let started = Instant::now();
    let new_master = group.failover(Duration::from_secs(30)).expect("failover");
    println!("failover took {:?}", started.elapsed());
    assert_ne!(new_master, initial.addr());
    assert_eq!(new_master, group.initial_replicas()[0].addr());
    for s in group.sentinels() {
        let reply = s.query(&["SENTINEL", "GET-MASTER-ADDR-BY-NAME", "mymaster"]);
        assert_eq!(
            reply.as_array().unwrap()[1],
            bulk(&new_master.port().to_string())
        );
    }
    let promoted = group.current_master().unwrap();
    assert_eq!(promoted.addr(), new_master);
    assert_eq!(promoted.query(&["SET", "after", "failover"]), status("OK"));
    let role = info(promoted, &["INFO", "replication"]);
    assert_eq!(info_field(&role, "role").as_deref(), Some("master"));
}
