//! An optimistic transaction: transfers between accounts from several
//! threads at once with `WATCH`/`MULTI`/`EXEC`; a transfer whose accounts
//! changed under it runs again, so no money is created or lost.
//!
//! ```sh
//! REDIS_URL=redis://127.0.0.1:6379/ cargo run -p redis-blocking --example optimistic_transaction
//! ```

use std::thread;

use redis_blocking::prelude::*;

const ACCOUNTS: usize = 4;
const START: i64 = 1_000;

/// Moves `amount` from one account to another if the balance allows;
/// returns whether it did.
fn transfer(redis: &Client, from: usize, to: usize, amount: i64) -> redis_blocking::Result<bool> {
    let (src, dst) = (format!("account:{from}"), format!("account:{to}"));
    let (moved,): (bool,) = redis.transaction([&src, &dst], |conn, pipe| {
        // Reads inside the body see the watched values.
        let balance: i64 = conn.get(&src)?;
        if balance < amount {
            pipe.echo(false); // the transaction's one reply: not moved
            return Ok(());
        }
        pipe.decr_by(&src, amount).ignore();
        pipe.incr_by(&dst, amount).ignore();
        pipe.echo(true);
        Ok(())
    })?;
    Ok(moved)
}

fn main() -> redis_blocking::Result<()> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into());
    let redis = Client::open(&url)?;
    for i in 0..ACCOUNTS {
        let () = redis.set(format!("account:{i}"), START)?;
    }
    let handles: Vec<_> = (0..ACCOUNTS)
        .map(|t| {
            let redis = redis.clone();
            thread::spawn(move || -> redis_blocking::Result<usize> {
                let mut moved = 0;
                for i in 0..100 {
                    let from = t;
                    let to = (t + 1 + i % 3) % ACCOUNTS;
                    let amount = 5 + 10 * t as i64 + (i as i64 % 7);
                    if transfer(&redis, from, to, amount)? {
                        moved += 1;
                    }
                }
                Ok(moved)
            })
        })
        .collect();
    let mut transfers = 0;
    for h in handles {
        transfers += h.join().expect("thread")?;
    }
    let balances: Vec<i64> = redis.mget(
        (0..ACCOUNTS)
            .map(|i| format!("account:{i}"))
            .collect::<Vec<_>>(),
    )?;
    let total: i64 = balances.iter().sum();
    println!("balances after {transfers} transfers: {balances:?}");
    assert_eq!(
        total,
        START * ACCOUNTS as i64,
        "money is neither created nor lost"
    );
    println!("optimistic transaction: ok");
    Ok(())
}
