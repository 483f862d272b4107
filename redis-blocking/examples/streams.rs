//! Streams with a consumer group: producers append events, two consumers
//! share them, each acknowledges what it processed, and the entries a
//! crashed consumer left pending are claimed by another.
//!
//! ```sh
//! REDIS_URL=redis://127.0.0.1:6379/ cargo run -p redis-blocking --example streams
//! ```

use redis_blocking::commands::{StreamTrim, XAddOptions, XReadOptions};
use redis_blocking::prelude::*;

const STREAM: &str = "events";
const GROUP: &str = "billing";

/// Reads up to `count` new entries for `consumer`, processes and
/// acknowledges them unless `crash` says to stop before acknowledging.
fn consume(
    redis: &Client,
    consumer: &str,
    count: usize,
    crash: bool,
) -> redis_blocking::Result<Vec<u64>> {
    let batch = redis.xreadgroup(
        GROUP,
        consumer,
        STREAM,
        ">",
        XReadOptions::default().count(count).block(100),
    )?;
    let mut amounts = Vec::new();
    let mut ids = Vec::new();
    for entry in batch.iter().flat_map(|stream| &stream.entries) {
        let amount: u64 = entry
            .get_str("amount")
            .expect("an amount")
            .parse()
            .expect("a number");
        amounts.push(amount);
        ids.push(entry.id.clone());
    }
    if !crash && !ids.is_empty() {
        let acked: usize = redis.xack(STREAM, GROUP, &ids)?;
        assert_eq!(acked, ids.len());
    }
    Ok(amounts)
}

fn main() -> redis_blocking::Result<()> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into());
    let redis = Client::open(&url)?;
    let _: i64 = redis.del(STREAM)?;
    // The group must exist before events are read; MKSTREAM creates the
    // stream. Creating it twice is BUSYGROUP, which a restarting service
    // can ignore.
    let () = redis.xgroup_create_mkstream(STREAM, GROUP, "$")?;
    if let Err(e) = redis.xgroup_create::<_, _, _, ()>(STREAM, GROUP, "$") {
        assert_eq!(e.code(), Some(&ErrorCode::BusyGroup));
    }
    // Append 30 events, keeping the stream near 10,000 entries.
    let trim = XAddOptions::default().trim(StreamTrim::max_len(10_000).approx());
    for amount in 1..=30u64 {
        let _: String = redis.xadd_options(STREAM, "*", [("amount", amount)], trim.clone())?;
    }
    let mut processed = consume(&redis, "alice", 10, false)?;
    let lost = consume(&redis, "bob", 10, true)?; // bob crashes: 10 left pending
    processed.extend(consume(&redis, "alice", 100, false)?);
    let pending = redis.xpending(STREAM, GROUP)?;
    println!("pending after bob's crash: {} entries", pending.count);
    assert_eq!((pending.count, lost.len()), (10, 10));
    // Alice takes over what bob left idle.
    let claimed = redis.xautoclaim(STREAM, GROUP, "alice", 0, "0-0", 100)?;
    let ids: Vec<&str> = claimed.entries.iter().map(|e| e.id.as_str()).collect();
    let _: usize = redis.xack(STREAM, GROUP, &ids)?;
    processed.extend(
        claimed
            .entries
            .iter()
            .map(|e| e.get_str("amount").unwrap().parse::<u64>().unwrap()),
    );
    processed.sort_unstable();
    assert_eq!(processed, (1..=30).collect::<Vec<_>>());
    let info = redis.xinfo_groups(STREAM)?;
    println!(
        "group {}: {} pending, {} consumers",
        info[0].name, info[0].pending, info[0].consumers
    );
    assert_eq!(info[0].pending, 0);
    println!("streams: ok");
    Ok(())
}
