//! `--lru-test <keys>`: a cache workload on `keys` keys with an 80-20
//! (power-law) distribution, half `SET`s, half `GET`s, pipelined 250 at a
//! time; every second, the `GET`s' hit rate, as `redis-cli`'s
//! `LRUTestMode`. Runs until killed.

use std::io::Write;
use std::time::{Duration, Instant};

use rand::rngs::SmallRng;
use rand::{RngExt, SeedableRng};
use resp_core::Frame;

use crate::format::until_nul;
use crate::options::Options;
use crate::session::Session;

const PIPELINE: usize = 250;

/// `powerLawRand(min, max, alpha)`.
fn power_law(rng: &mut SmallRng, min: i64, max: i64, alpha: f64) -> i64 {
    let max = max + 1;
    let r: f64 = rng.random_range(0.0..=1.0);
    let (a, b) = (
        (max as f64).powf(alpha + 1.0),
        (min as f64).powf(alpha + 1.0),
    );
    let pl = ((a - b) * r + b).powf(1.0 / (alpha + 1.0));
    (max - 1 - pl as i64) + min
}

fn key(rng: &mut SmallRng, keys: i64) -> Vec<u8> {
    format!("lru:{}", power_law(rng, 1, keys, 6.2)).into_bytes()
}

pub(super) fn run(opts: &Options, session: &mut Session) -> i32 {
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
        ^ u64::from(std::process::id());
    let mut rng = SmallRng::seed_from_u64(seed);
    let stdout = std::io::stdout();
    loop {
        let cycle = Instant::now();
        let (mut hits, mut misses) = (0i64, 0i64);
        while cycle.elapsed() < Duration::from_millis(1000) {
            let sets: Vec<Vec<Vec<u8>>> = (0..PIPELINE)
                .map(|_| {
                    let value: Vec<u8> = (0..5).map(|_| b'A' + rng.random_range(0..57u8)).collect();
                    vec![b"SET".to_vec(), key(&mut rng, opts.lru_test_keys), value]
                })
                .collect();
            let gets: Vec<Vec<Vec<u8>>> = (0..PIPELINE)
                .map(|_| vec![b"GET".to_vec(), key(&mut rng, opts.lru_test_keys)])
                .collect();
            let replies = session
                .call_batch(&sets)
                .and_then(|_| session.call_batch(&gets));
            let Ok(replies) = replies else {
                eprintln!("I/O error during LRU test");
                return 1;
            };
            for reply in replies {
                match reply {
                    Frame::Error(e) | Frame::BulkError(e) => {
                        eprintln!("{}", String::from_utf8_lossy(until_nul(&e)))
                    }
                    Frame::NullBulk | Frame::Null => misses += 1,
                    _ => hits += 1,
                }
            }
        }
        let total = hits + misses;
        let _ = writeln!(
            stdout.lock(),
            "{total} Gets/sec | Hits: {hits} ({:.2}%) | Misses: {misses} ({:.2}%)",
            hits as f64 / total as f64 * 100.0,
            misses as f64 / total as f64 * 100.0
        );
    }
}
