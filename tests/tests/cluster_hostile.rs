//! The cluster client against scripted nodes that break the rules (a seed
//! that never answers, a map nobody can use, a node whose redirects lead
//! nowhere): calls keep their deadlines and their errors say what went
//! wrong and whether the command may have run.

use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use integration_tests::hostile::Hostile;
use redis_blocking::prelude::*;
use redis_blocking::{ClusterClient, ErrorKind, Executed};
use resp_core::command::key_slot;

fn client(port: u16, timeout: Duration) -> ClusterClient {
    ClusterClient::builder(Config::tcp("127.0.0.1", port))
        .unwrap()
        .timeout(Some(timeout))
        .build()
}

/// A seed that accepts connections and never answers: no map can be had.
/// A call with a 300 ms deadline gives up within it (plus a little), "did
/// not run", instead of waiting for the map fetch's own timeouts (2 s
/// for the reply, twice the connect timeout for a first map).
#[test]
fn a_call_keeps_its_deadline_while_no_node_gives_a_map() {
    let silent = Hostile::start(|mut peer| while peer.read_command().is_some() {});
    let cluster = client(silent.port(), Duration::from_millis(300));
    for _ in 0..2 {
        let started = Instant::now();
        let e = cluster
            .query::<Option<String>>(&Cmd::new("GET").arg("k"))
            .unwrap_err();
        let took = started.elapsed();
        assert_eq!(e.executed(), Executed::No, "{e}");
        assert!(
            matches!(e.kind(), ErrorKind::Topology | ErrorKind::Timeout),
            "{e}"
        );
        assert!(took < Duration::from_millis(800), "held for {took:?}: {e}");
    }
}

/// A seed that is a server without cluster support (a new user's first
/// mistake): the call fails "did not run", and the error says why no map
/// could be had, naming the seed and its answer.
#[test]
fn a_seed_without_cluster_support_is_named_in_the_error() {
    let server = integration_tests::RedisServer::start().unwrap();
    let cluster = ClusterClient::open(&[&server.url()]).unwrap();
    let started = Instant::now();
    let e = cluster
        .query::<Option<String>>(&Cmd::new("GET").arg("k"))
        .unwrap_err();
    eprintln!("{e} after {:?}", started.elapsed());
    assert_eq!(e.executed(), Executed::No, "{e}");
    let text = e.to_string();
    assert!(text.contains("cluster support disabled"), "{text}");
    assert!(text.contains(&server.port().to_string()), "{text}");
    assert_eq!(e.kind(), ErrorKind::InvalidConfig, "{e}");
    assert!(started.elapsed() < Duration::from_secs(3), "{e}");
}

/// `CLUSTER SHARDS`: every slot on the node at `port`, listening on
/// 127.0.0.1.
fn every_slot_on(port: u16) -> Vec<u8> {
    let id = "a".repeat(40);
    format!(
        "*1\r\n*4\r\n$5\r\nslots\r\n*2\r\n:0\r\n:16383\r\n$5\r\nnodes\r\n*1\r\n*8\r\n\
         $2\r\nid\r\n$40\r\n{id}\r\n$4\r\nport\r\n:{port}\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n\
         $4\r\nrole\r\n$6\r\nmaster\r\n"
    )
    .into_bytes()
}

/// A node that says it serves every slot and answers every other command
/// with `answer(port, slot of its first key)`.
fn node_answering(answer: Answer) -> Hostile {
    let port = Arc::new(AtomicU16::new(0));
    let own = Arc::clone(&port);
    let node = Hostile::start(move |mut peer| {
        while let Some(argv) = peer.read_command() {
            let own = own.load(Ordering::SeqCst);
            let reply = match argv[0].to_ascii_uppercase().as_slice() {
                b"CLUSTER" => every_slot_on(own),
                b"PING" => b"+PONG\r\n".to_vec(),
                _ => {
                    let key = argv.get(1).map_or(&[][..], |k| &k[..]);
                    answer(own, key_slot(key)).into_bytes()
                }
            };
            if !peer.send(&reply) {
                return;
            }
        }
    });
    port.store(node.port(), Ordering::SeqCst);
    node
}

/// A node's answer, from its own port and the slot of the command's key.
type Answer = fn(u16, u16) -> String;

/// A pipeline whose commands the cluster refuses until the deadline
/// (`TRYAGAIN`, `CLUSTERDOWN`, a `MOVED` or `ASK` back to the same node):
/// each command fails with the cluster's last answer, "did not run",
/// rather than a bare "no reply" protocol error.
#[test]
fn a_pipeline_refused_until_its_deadline_reports_the_clusters_answer() {
    let answers: [(&str, Answer); 4] = [
        ("TRYAGAIN", |_, _| "-TRYAGAIN try later\r\n".into()),
        ("CLUSTERDOWN", |_, _| {
            "-CLUSTERDOWN the cluster is down\r\n".into()
        }),
        ("MOVED", |own, slot| {
            format!("-MOVED {slot} 127.0.0.1:{own}\r\n")
        }),
        ("ASK", |own, slot| {
            format!("-ASK {slot} 127.0.0.1:{own}\r\n")
        }),
    ];
    for (code, answer) in answers {
        let node = node_answering(answer);
        let cluster = client(node.port(), Duration::from_millis(400));
        let mut pipe = Pipeline::new();
        pipe.set("a", 1).incr("b").get("c");
        let started = Instant::now();
        let results = cluster.pipeline_results(&pipe);
        let took = started.elapsed();
        assert!(
            took < Duration::from_millis(1200),
            "{code}: held for {took:?}"
        );
        assert_eq!(results.len(), 3);
        for result in results {
            let e = result.unwrap_err();
            assert_eq!(e.executed(), Executed::No, "{code}: {e}");
            assert_eq!(e.kind(), ErrorKind::Server, "{code}: {e}");
            assert!(e.to_string().contains(code), "{code}: {e}");
        }
    }
}

/// `CLUSTER SHARDS`: slots 0-8191 on the node at `low`, the rest on the
/// node at `high`.
fn two_halves(low: u16, high: u16) -> Vec<u8> {
    let shard = |from: u16, to: u16, port: u16, id: char| {
        let id = id.to_string().repeat(40);
        format!(
            "*4\r\n$5\r\nslots\r\n*2\r\n:{from}\r\n:{to}\r\n$5\r\nnodes\r\n*1\r\n*8\r\n\
             $2\r\nid\r\n$40\r\n{id}\r\n$4\r\nport\r\n:{port}\r\n$2\r\nip\r\n$9\r\n127.0.0.1\r\n\
             $4\r\nrole\r\n$6\r\nmaster\r\n"
        )
    };
    format!(
        "*2\r\n{}{}",
        shard(0, 8191, low, 'a'),
        shard(8192, 16383, high, 'b')
    )
    .into_bytes()
}

/// A split command (`MSET` over two slots on two nodes) of which one part
/// ran and the other was refused until the deadline: the error does not
/// claim the command did not run.
#[test]
fn a_split_command_that_partly_ran_does_not_say_it_did_not_run() {
    let ports = Arc::new((AtomicU16::new(0), AtomicU16::new(0)));
    let start = |refuse: bool| {
        let ports = Arc::clone(&ports);
        Hostile::start(move |mut peer| {
            while let Some(argv) = peer.read_command() {
                let reply = match argv[0].to_ascii_uppercase().as_slice() {
                    b"CLUSTER" => two_halves(
                        ports.0.load(Ordering::SeqCst),
                        ports.1.load(Ordering::SeqCst),
                    ),
                    b"PING" => b"+PONG\r\n".to_vec(),
                    _ if refuse => b"-TRYAGAIN try later\r\n".to_vec(),
                    _ => b"+OK\r\n".to_vec(),
                };
                if !peer.send(&reply) {
                    return;
                }
            }
        })
    };
    let (low, high) = (start(false), start(true));
    ports.0.store(low.port(), Ordering::SeqCst);
    ports.1.store(high.port(), Ordering::SeqCst);
    // "b" hashes to slot 3300 (low), "a" to 15495 (high).
    assert!(key_slot(b"b") < 8192 && key_slot(b"a") >= 8192);
    let cluster = client(low.port(), Duration::from_millis(400));
    let e = cluster
        .query::<()>(&Cmd::new("MSET").arg("a").arg(1).arg("b").arg(2))
        .unwrap_err();
    assert_ne!(e.executed(), Executed::No, "{e}");
    assert!(e.to_string().contains("TRYAGAIN"), "{e}");
    let mut pipe = Pipeline::new();
    pipe.cmd("MSET").arg("b").arg(1).arg("a").arg(2);
    let e = cluster.pipeline_results(&pipe).pop().unwrap().unwrap_err();
    assert_ne!(e.executed(), Executed::No, "{e}");
}

/// A node that redirects every command to an address where nothing
/// listens: the call fails within its deadline, "did not run", and the
/// error says the target could not be reached (not only that the
/// redirects went round in a loop).
#[test]
fn a_redirect_to_an_unreachable_node_says_so() {
    let node = node_answering(|_, slot| format!("-MOVED {slot} 127.0.0.1:1\r\n"));
    let cluster = client(node.port(), Duration::from_millis(500));
    let started = Instant::now();
    let e = cluster
        .query::<()>(&Cmd::new("SET").arg("k").arg(1))
        .unwrap_err();
    let took = started.elapsed();
    assert!(took < Duration::from_millis(1000), "held for {took:?}: {e}");
    assert_eq!(e.executed(), Executed::No, "{e}");
    let text = e.to_string();
    assert!(
        text.contains("127.0.0.1:1") && text.contains("refused"),
        "{text}"
    );
}

/// A master stopped (SIGSTOP: it still accepts connections, and answers
/// nothing) with only the connections' response timeout set: the first
/// call times out within it ("may have run"); the next one's new
/// connections time out in their handshake within it too ("did not run"),
/// so the call ends after its attempts instead of each new connection
/// waiting out the connect timeout.
#[test]
fn a_stopped_master_holds_calls_only_for_their_response_timeouts() {
    let cluster = integration_tests::RedisCluster::builder()
        .config("cluster-replica-no-failover yes")
        .node_timeout(Duration::from_secs(30))
        .start()
        .unwrap();
    let timeout = Duration::from_millis(500);
    let config = Config::tcp("127.0.0.1", cluster.node(0).port()).timeout(Some(timeout));
    let c = ClusterClient::builder(config).unwrap().build();
    let victim = cluster.masters()[0];
    let key = (0..)
        .map(|i| format!("key{i}"))
        .find(|k| cluster.node_for_key(k.as_bytes()).unwrap().port() == victim.port())
        .unwrap();
    let () = c.set(&key, "v0").unwrap();
    victim.pause().unwrap();
    let started = Instant::now();
    let first = c.set::<_, _, ()>(&key, "v1").unwrap_err();
    let first_took = started.elapsed();
    let started = Instant::now();
    let second = c.set::<_, _, ()>(&key, "v2").unwrap_err();
    let second_took = started.elapsed();
    victim.resume().unwrap();
    assert_eq!(
        (first.kind(), first.executed()),
        (ErrorKind::Timeout, Executed::Maybe),
        "{first}"
    );
    assert!(
        first_took < timeout + Duration::from_millis(500),
        "{first_took:?}"
    );
    assert_eq!(second.executed(), Executed::No, "{second}");
    assert!(second.to_string().contains("handshake"), "{second}");
    // Five attempts of one response timeout each, and the pauses between
    // (4.4 s here; 25 s when a new connection waited out the connect bound).
    assert!(
        second_took < Duration::from_secs(8),
        "{second_took:?}: {second}"
    );
    // The node answers again: so does the client, on fresh connections.
    let () = c.set(&key, "v3").unwrap();
}

/// No map was ever had and no seed can give one: the call fails after its
/// attempts with the seeds' own kind of error (a refused password, no
/// seed listening), "did not run", instead of waiting as for a failover.
#[test]
fn a_first_map_no_seed_can_give_fails_with_the_seeds_error() {
    let cluster = integration_tests::RedisCluster::start().unwrap();
    let port = cluster.node(0).port();
    let wrong_user =
        ClusterClient::open(&[&format!("redis://nobody:secret@127.0.0.1:{port}")]).unwrap();
    let started = Instant::now();
    let e = wrong_user.get::<_, Option<String>>("k").unwrap_err();
    assert_eq!(
        (e.kind(), e.executed()),
        (ErrorKind::Auth, Executed::No),
        "{e}"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}: {e}",
        started.elapsed()
    );

    // A port nobody listens on: bound, then released.
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let nobody = ClusterClient::open(&[&format!("redis://127.0.0.1:{closed}")]).unwrap();
    let started = Instant::now();
    let e = nobody.get::<_, Option<String>>("k").unwrap_err();
    assert_eq!(
        (e.kind(), e.executed()),
        (ErrorKind::Connect, Executed::No),
        "{e}"
    );
    assert!(e.to_string().contains(&closed.to_string()), "{e}");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}: {e}",
        started.elapsed()
    );
}
