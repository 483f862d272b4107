//! The cluster client against scripted nodes that break the rules (a seed
//! that never answers, a map nobody can use, a node whose redirects lead
//! nowhere): calls keep their deadlines and their errors say what went
//! wrong and whether the command may have run.

use std::time::{Duration, Instant};

use integration_tests::hostile::Hostile;
use redis_blocking::prelude::*;
use redis_blocking::{ClusterClient, ErrorKind, Executed};

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
