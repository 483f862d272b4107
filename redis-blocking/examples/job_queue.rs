//! A reliable job queue on lists: producers `LPUSH`, workers move each job
//! atomically to a processing list with a blocking `BLMOVE`, and remove it
//! when done, so a crashed worker's job is never lost. One shared `Client`
//! serves every thread through `&self`.
//!
//! ```sh
//! REDIS_URL=redis://127.0.0.1:6379/ cargo run -p redis-blocking --example job_queue
//! ```

use std::sync::Arc;
use std::thread;
use std::time::Duration;

use redis_blocking::commands::Direction;
use redis_blocking::prelude::*;

const QUEUE: &str = "jobs:pending";
const JOBS: usize = 200;
const WORKERS: usize = 4;

fn worker(redis: Arc<Client>, id: usize) -> redis_blocking::Result<usize> {
    let processing = format!("jobs:processing:{id}");
    let mut done = 0;
    loop {
        // Wait up to one second for a job; the call's deadline is extended
        // by the blocking time, so a short per-call timeout is fine.
        let job: Option<String> = redis.with_timeout(Duration::from_secs(2)).blmove(
            QUEUE,
            &processing,
            Direction::Right,
            Direction::Left,
            1.0,
        )?;
        let Some(job) = job else {
            return Ok(done); // the queue stayed empty for a second: finished
        };
        let n: u64 = job
            .trim_start_matches("job-")
            .parse()
            .expect("a job number");
        let _: i64 = redis.incr_by("jobs:sum", n as i64)?;
        // Acknowledge: the job leaves the processing list only once done.
        let removed: i64 = redis.lrem(&processing, 1, &job)?;
        assert_eq!(removed, 1);
        done += 1;
    }
}

fn main() -> redis_blocking::Result<()> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into());
    let redis = Arc::new(Client::open(&url)?);
    let _: i64 = redis.del([QUEUE, "jobs:sum"])?;

    let workers: Vec<_> = (0..WORKERS)
        .map(|id| {
            let redis = Arc::clone(&redis);
            thread::spawn(move || worker(redis, id))
        })
        .collect();
    // Produce while the workers wait on the queue, in batches of 50.
    for batch in (0..JOBS).collect::<Vec<_>>().chunks(50) {
        let jobs: Vec<String> = batch.iter().map(|n| format!("job-{n}")).collect();
        let _: i64 = redis.lpush(QUEUE, &jobs)?;
    }
    let mut total = 0;
    for (id, w) in workers.into_iter().enumerate() {
        let done = w.join().expect("worker thread")?;
        println!("worker {id} processed {done} jobs");
        total += done;
    }
    let sum: u64 = redis.get("jobs:sum")?;
    assert_eq!(total, JOBS);
    assert_eq!(sum, (0..JOBS as u64).sum::<u64>());
    for id in 0..WORKERS {
        let left: i64 = redis.llen(format!("jobs:processing:{id}"))?;
        assert_eq!(left, 0, "every job acknowledged");
    }
    println!("job queue: ok ({total} jobs, sum {sum})");
    Ok(())
}
