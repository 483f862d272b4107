//! Bulk loading with pipelines: 100,000 hashes in batches of 1,000, one
//! round trip per batch, every reply checked.
//!
//! ```sh
//! REDIS_URL=redis://127.0.0.1:6379/ cargo run --release -p redis-blocking --example bulk_load
//! ```

use std::time::Instant;

use redis_blocking::prelude::*;

const RECORDS: usize = 100_000;
const BATCH: usize = 1_000;

fn main() -> redis_blocking::Result<()> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into());
    let redis = Client::open(&url)?;
    let started = Instant::now();
    let mut pipe = Pipeline::new();
    for start in (0..RECORDS).step_by(BATCH) {
        pipe.clear();
        for id in start..start + BATCH {
            pipe.hset_multiple(
                format!("user:{id}"),
                [
                    ("name", format!("user {id}")),
                    ("score", (id % 100).to_string()),
                ],
            )
            .ignore();
            pipe.sadd("users", id).ignore();
        }
        // `()` checks every reply: the first error reply is the error.
        let () = redis.query_pipeline(&pipe)?;
    }
    let elapsed = started.elapsed();
    let count: usize = redis.scard("users")?;
    assert_eq!(count, RECORDS);
    let name: String = redis.hget("user:4242", "name")?;
    assert_eq!(name, "user 4242");
    println!(
        "bulk load: ok ({RECORDS} records in {:.2} s, {:.0} records/s)",
        elapsed.as_secs_f64(),
        RECORDS as f64 / elapsed.as_secs_f64()
    );
    Ok(())
}
