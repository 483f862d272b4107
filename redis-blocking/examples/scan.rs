//! Iterating over keys and collections without blocking the server:
//! `SCAN`, `HSCAN`, `SSCAN` and `ZSCAN` as lazy iterators.
//!
//! ```sh
//! REDIS_URL=redis://127.0.0.1:6379/ cargo run -p redis-blocking --example scan
//! ```

use std::collections::HashSet;

use redis_blocking::prelude::*;

fn main() -> redis_blocking::Result<()> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into());
    let redis = Client::open(&url)?;
    let mut pipe = Pipeline::new();
    for i in 0..2_000 {
        pipe.set(format!("session:{i}"), i).ignore();
        pipe.hset("settings", format!("option:{i}"), i % 2 == 0)
            .ignore();
    }
    pipe.sadd("tags", ["red", "green", "blue"]).ignore();
    pipe.zadd_multiple("scores", [(3.0, "carol"), (1.0, "alice"), (2.0, "bob")])
        .ignore();
    let () = redis.query_pipeline(&pipe)?;

    // Keys matching a pattern, 500 per round trip; an element present the
    // whole time is returned at least once (maybe more: dedupe if needed).
    let sessions: HashSet<String> = redis
        .scan_iter(ScanOptions::default().pattern("session:*").count(500))
        .collect::<Result<_>>()?;
    println!("{} session keys", sessions.len());
    assert_eq!(sessions.len(), 2_000);
    // Only keys of one type.
    let hashes: Vec<String> = redis
        .scan_iter(ScanOptions::default().kind("hash"))
        .collect::<Result<_>>()?;
    assert_eq!(hashes, ["settings"]);
    // Field-value pairs of a hash, lazily: stop early at no extra cost.
    let enabled = redis
        .hscan_iter::<_, (String, bool)>("settings", ScanOptions::default().count(100))
        .filter_map(|pair| pair.ok())
        .filter(|(_, on)| *on)
        .take(10)
        .count();
    assert_eq!(enabled, 10);
    let tags: HashSet<String> = redis
        .sscan_iter("tags", ScanOptions::default())
        .collect::<Result<_>>()?;
    assert_eq!(tags.len(), 3);
    let mut scores: Vec<(String, f64)> = redis
        .zscan_iter("scores", ScanOptions::default())
        .collect::<Result<_>>()?;
    scores.sort_by(|a, b| a.1.total_cmp(&b.1));
    println!("scores: {scores:?}");
    assert_eq!(scores[0].0, "alice");
    println!("scan: ok");
    Ok(())
}
