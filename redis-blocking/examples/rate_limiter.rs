//! A sliding-window rate limiter in one Lua script: atomic on the server,
//! sent by SHA1 (`EVALSHA`) and loaded on demand by `Script`.
//!
//! ```sh
//! REDIS_URL=redis://127.0.0.1:6379/ cargo run -p redis-blocking --example rate_limiter
//! ```

use std::time::{SystemTime, UNIX_EPOCH};

use redis_blocking::prelude::*;

/// Allows `limit` calls per `window_ms` for one key: drops timestamps older
/// than the window, counts the rest, records this call if allowed.
const SLIDING_WINDOW: &str = r#"
local key, now, window, limit = KEYS[1], tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
if redis.call('ZCARD', key) >= limit then
    return 0
end
redis.call('ZADD', key, now, ARGV[4])
redis.call('PEXPIRE', key, window)
return 1
"#;

struct RateLimiter {
    script: Script,
    limit: u32,
    window_ms: u64,
}

impl RateLimiter {
    /// True if `user` may make one more call at `now_ms`.
    fn allow(
        &self,
        redis: &Client,
        user: &str,
        now_ms: u64,
        call_id: u64,
    ) -> redis_blocking::Result<bool> {
        let call = self
            .script
            .call()
            .key(format!("rate:{user}"))
            .arg(now_ms)
            .arg(self.window_ms)
            .arg(self.limit)
            .arg(call_id);
        redis.run_script(&call)
    }
}

fn main() -> redis_blocking::Result<()> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into());
    let redis = Client::open(&url)?;
    let _: i64 = redis.del(["rate:alice", "rate:bob"])?;
    let limiter = RateLimiter {
        script: Script::new(SLIDING_WINDOW),
        limit: 5,
        window_ms: 1000,
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("clock")
        .as_millis() as u64;

    // Alice makes 8 calls within 100 ms: 5 pass.
    let allowed = (0..8)
        .filter(|i| limiter.allow(&redis, "alice", now + i * 10, *i).unwrap())
        .count();
    println!("alice: {allowed} of 8 calls allowed within the window");
    assert_eq!(allowed, 5);
    // Bob has his own window.
    assert!(limiter.allow(&redis, "bob", now, 0)?);
    // A second later Alice's window has moved on.
    assert!(limiter.allow(&redis, "alice", now + 1200, 100)?);
    // The script survives SCRIPT FLUSH: NOSCRIPT makes Script load it again.
    let () = redis.script_flush()?;
    assert!(limiter.allow(&redis, "bob", now + 10, 1)?);
    println!("rate limiter: ok");
    Ok(())
}
