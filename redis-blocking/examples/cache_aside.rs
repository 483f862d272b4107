//! Cache-aside: read through a Redis cache in front of a slow source of
//! truth, with a TTL, JSON values (feature `serde`) and invalidation on
//! write.
//!
//! ```sh
//! REDIS_URL=redis://127.0.0.1:6379/ cargo run -p redis-blocking --features serde --example cache_aside
//! ```

use std::time::{Duration, Instant};

use redis_blocking::prelude::*;
use redis_blocking::Json;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Product {
    id: u32,
    name: String,
    price_cents: u64,
}

/// The slow source of truth (a database, a remote service...).
struct Catalog {
    lookups: u32,
}

impl Catalog {
    fn load(&mut self, id: u32) -> Product {
        self.lookups += 1;
        std::thread::sleep(Duration::from_millis(50));
        Product {
            id,
            name: format!("product {id}"),
            price_cents: 100 * u64::from(id),
        }
    }
}

/// Reads `id` through the cache: a hit costs one round trip, a miss loads
/// from the catalog and caches the value for five minutes.
fn product(redis: &Client, catalog: &mut Catalog, id: u32) -> redis_blocking::Result<Product> {
    let key = format!("product:{id}");
    if let Some(Json(cached)) = redis.get::<_, Option<Json<Product>>>(&key)? {
        return Ok(cached);
    }
    let fresh = catalog.load(id);
    let () = redis.set_ex(&key, Json(&fresh), 300)?;
    Ok(fresh)
}

/// Writes go to the source of truth, then drop the cached copy.
fn rename(redis: &Client, id: u32, name: &str) -> redis_blocking::Result<()> {
    // (the database update would be here)
    let _: i64 = redis.del(format!("product:{id}"))?;
    println!("renamed product {id} to {name:?}: cache entry dropped");
    Ok(())
}

fn main() -> redis_blocking::Result<()> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into());
    let redis = Client::open(&url)?;
    let mut catalog = Catalog { lookups: 0 };

    let started = Instant::now();
    let first = product(&redis, &mut catalog, 7)?;
    let miss = started.elapsed();
    let started = Instant::now();
    let second = product(&redis, &mut catalog, 7)?;
    let hit = started.elapsed();
    assert_eq!(first, second);
    assert_eq!(catalog.lookups, 1, "the second read must be a cache hit");
    println!("miss took {miss:?}, hit took {hit:?}");
    println!("ttl: {} s", redis.ttl::<_, i64>("product:7")?);

    rename(&redis, 7, "renamed")?;
    let _ = product(&redis, &mut catalog, 7)?;
    assert_eq!(
        catalog.lookups, 2,
        "after invalidation the catalog is read again"
    );
    println!("cache-aside: ok ({} catalog lookups)", catalog.lookups);
    Ok(())
}
