//! What a failed call tells you: the kind of failure, the server's error
//! code, whether the command ran, and whether retrying is safe.
//!
//! ```sh
//! REDIS_URL=redis://127.0.0.1:6379/ cargo run -p redis-blocking --example error_handling
//! ```

use std::time::Duration;

use redis_blocking::prelude::*;
use redis_blocking::{Executed, Retry};

fn main() -> redis_blocking::Result<()> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into());
    let redis = Client::open(&url)?;
    let () = redis.set("greeting", "hello")?;

    // A server error reply: it ran (and failed); retrying will not help.
    let e = redis.lpush::<_, _, i64>("greeting", "x").unwrap_err();
    println!("LPUSH on a string: {e}");
    assert_eq!(e.kind(), ErrorKind::Server);
    assert_eq!(e.code(), Some(&ErrorCode::WrongType));
    assert_eq!((e.executed(), e.retry()), (Executed::Yes, Retry::Never));

    // A typed code to match on: the consumer group exists already.
    let () = redis.xgroup_create_mkstream("orders", "shipping", "$")?;
    match redis.xgroup_create::<_, _, _, ()>("orders", "shipping", "$") {
        Err(e) if e.code() == Some(&ErrorCode::BusyGroup) => println!("group exists: fine"),
        other => panic!("expected BUSYGROUP, got {other:?}"),
    }

    // A reply that does not fit the type asked for: the command ran, the
    // whole reply was read, the connection is still good.
    let e = redis.get::<_, i64>("greeting").unwrap_err();
    println!("GET as a number: {e}");
    assert_eq!(
        (e.kind(), e.executed()),
        (ErrorKind::TypeMismatch, Executed::Yes)
    );
    let greeting: String = redis.get("greeting")?;
    assert_eq!(greeting, "hello");

    // Errors as values: a server error for one call, without `?`.
    let reply: std::result::Result<i64, redis_blocking::ServerError> = redis.incr("greeting")?;
    assert!(reply.is_err_and(|e| e.message().contains("not an integer")));

    // A command that only makes sense on a connection of one's own is
    // refused by the pool before anything is sent.
    let e = redis.query::<()>(&Cmd::new("SELECT").arg(1)).unwrap_err();
    println!("SELECT on a pooled client: {e}");
    assert_eq!(
        (e.kind(), e.executed()),
        (ErrorKind::InvalidCommand, Executed::No)
    );

    // A deadline: the server is paused, the call gives up in time, and
    // it may or may not have run (here it did not, but the client cannot
    // know): retry only what is idempotent.
    // (The pause comes from a connection of its own, so the call below
    // runs on the client's idle pooled connection and is surely sent.)
    let mut admin = Connection::open_url(&url)?;
    let () = admin.client_pause(500)?;
    let e = redis
        .with_timeout(Duration::from_millis(100))
        .incr::<_, i64>("visits")
        .unwrap_err();
    println!("INCR during a pause: {e}");
    assert_eq!(e.kind(), ErrorKind::Timeout);
    assert_eq!(e.retry(), Retry::MaybeExecuted);
    let () = admin.client_unpause()?;

    // No server at all: a connection error, safe to retry later.
    let nowhere = Client::builder(
        Config::tcp("127.0.0.1", 1).connect_timeout(Some(Duration::from_millis(200))),
    )
    .max_retries(1)
    .build();
    let e = nowhere.ping::<String>().unwrap_err();
    println!("no server: {e}");
    assert_eq!(
        (e.kind(), e.executed(), e.retry()),
        (ErrorKind::Connect, Executed::No, Retry::Safe)
    );
    println!("error handling: ok");
    Ok(())
}
