//! The multiplexed connection against a real server.

use std::thread;
use std::time::Duration;

use integration_tests::RedisServer;
use redis_blocking::prelude::*;
use redis_blocking::{Multiplexed, MultiplexedBuilder};

fn builder(server: &RedisServer) -> MultiplexedBuilder {
    Multiplexed::builder(
        Config::tcp("127.0.0.1", server.port()).timeout(Some(Duration::from_secs(10))),
    )
}

#[test]
fn smoke() {
    let server = RedisServer::start().unwrap();
    let mux = builder(&server).build();
    let mut m = mux.clone();
    let () = m.set("a", 1).unwrap();
    assert_eq!(m.get::<_, i64>("a").unwrap(), 1);
    let h = mux.send::<i64>(&Cmd::new("INCR").arg("a"));
    assert_eq!(h.wait().unwrap(), 2);
    let handles: Vec<_> = (0..8)
        .map(|t| {
            let mut mux = mux.clone();
            thread::spawn(move || {
                for i in 0..2000 {
                    let () = mux.set(format!("k{t}"), i).unwrap();
                    assert_eq!(mux.get::<_, i64>(format!("k{t}")).unwrap(), i);
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
}
