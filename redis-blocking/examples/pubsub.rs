//! Publish/subscribe: a `Subscriber` on its own connection receives from
//! channels and patterns while the shared `Client` publishes.
//!
//! ```sh
//! REDIS_URL=redis://127.0.0.1:6379/ cargo run -p redis-blocking --example pubsub
//! ```

use std::time::Duration;

use redis_blocking::prelude::*;
use redis_blocking::Incoming;

fn main() -> redis_blocking::Result<()> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379/".into());
    let redis = Client::open(&url)?;
    let subscriber = redis.subscriber()?;
    // Each call returns once the server confirmed the subscription.
    subscriber.subscribe(["orders"])?;
    subscriber.psubscribe(["alerts:*"])?;

    let receivers: u64 = redis.publish("orders", "order 1 placed")?;
    assert_eq!(receivers, 1);
    let _: u64 = redis.publish("alerts:disk", "disk 91% full")?;
    let _: u64 = redis.publish("nobody-listens", "lost")?;
    println!("channels with subscribers: {:?}", redis.pubsub_channels()?);

    let mut received = Vec::new();
    while received.len() < 2 {
        match subscriber.recv_timeout(Duration::from_secs(5))? {
            Some(Incoming::Message(message)) => {
                let channel = String::from_utf8_lossy(&message.channel).into_owned();
                let payload = String::from_utf8_lossy(&message.payload).into_owned();
                println!("{channel}: {payload}");
                received.push((channel, payload));
            }
            Some(Incoming::Reconnected) => println!("reconnected: messages may have been missed"),
            Some(_) => {}
            None => panic!("no message within 5 s"),
        }
    }
    assert_eq!(received[0], ("orders".into(), "order 1 placed".into()));
    assert_eq!(received[1].0, "alerts:disk");
    // A handle changes subscriptions from another thread.
    let handle = subscriber.handle();
    std::thread::spawn(move || handle.unsubscribe(["orders"]))
        .join()
        .expect("thread")?;
    assert_eq!(redis.publish("orders", "order 2 placed")?, 0);
    subscriber.close();
    println!("pub/sub: ok");
    Ok(())
}
