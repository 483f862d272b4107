//! The multiplexed connection (`Multiplexed`) against real servers: many
//! threads on one connection, per-call timeouts through a delaying proxy,
//! a server killed mid-way, the order of handles, refused commands,
//! a server out of step, pushes, TLS.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Barrier, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use integration_tests::hostile::Hostile;
use integration_tests::proxy::Proxy;
use integration_tests::{RedisServer, Reply, TlsAuthClients};
use redis_blocking::prelude::*;
use redis_blocking::{
    Executed, Multiplexed, MultiplexedBuilder, Pending, Protocol, ReconnectStrategy, TlsOptions,
};

fn config(port: u16) -> Config {
    Config::tcp("127.0.0.1", port).timeout(Some(Duration::from_secs(10)))
}

fn builder(port: u16) -> MultiplexedBuilder {
    Multiplexed::builder(config(port))
}

/// A small deterministic generator (xorshift64), one per thread.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn info_calls(server: &RedisServer, command: &str) -> u64 {
    let Reply::Bulk(info) = server.query(&["INFO", "commandstats"]) else {
        panic!("INFO commandstats");
    };
    let info = String::from_utf8_lossy(&info).into_owned();
    let wanted = format!("cmdstat_{command}:calls=");
    info.lines()
        .find_map(|l| l.strip_prefix(&wanted))
        .and_then(|rest| rest.split(',').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// 64 threads, 10,000 commands each, of every shape (single commands,
/// typed commands, handles waited for out of order, pipelines, MULTI/EXEC
/// transactions), each thread with its own keys and a fresh nonce in every
/// write: every reply must be the one its own command asked for.
#[test]
fn sixty_four_threads_ten_thousand_mixed_commands_each() {
    const THREADS: usize = 64;
    const COMMANDS: usize = 10_000;
    let server = RedisServer::start().unwrap();
    let mux = builder(server.port()).build();
    let mismatches = Arc::new(AtomicU64::new(0));
    let sent = Arc::new(AtomicU64::new(0));
    let start = Instant::now();
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let mux = mux.clone();
            let mismatches = Arc::clone(&mismatches);
            let sent = Arc::clone(&sent);
            thread::spawn(move || {
                let mut rng = Rng::new(t as u64 + 1);
                let (key, counter, hash) = (format!("k:{t}"), format!("c:{t}"), format!("h:{t}"));
                let mut value: Option<String> = None;
                let mut count = 0i64;
                let mut done = 0;
                let wrong = |what: &str| {
                    mismatches.fetch_add(1, Ordering::Relaxed);
                    eprintln!("thread {t}: {what}");
                };
                while done < COMMANDS {
                    let nonce = format!("{t}:{done}:{}", rng.next());
                    match rng.below(7) {
                        0 => {
                            let () = mux.set(&key, &nonce).unwrap();
                            value = Some(nonce);
                            done += 1;
                        }
                        1 => {
                            let got: Option<String> = mux.get(&key).unwrap();
                            if got != value {
                                wrong(&format!("GET {got:?}, expected {value:?}"));
                            }
                            done += 1;
                        }
                        2 => {
                            count += 1;
                            let got: i64 = mux.incr(&counter).unwrap();
                            if got != count {
                                wrong(&format!("INCR {got}, expected {count}"));
                            }
                            done += 1;
                        }
                        3 => {
                            let got: String = mux.query(&Cmd::new("ECHO").arg(&nonce)).unwrap();
                            if got != nonce {
                                wrong(&format!("ECHO {got}, expected {nonce}"));
                            }
                            let () = mux.hset(&hash, "f", &nonce).map(|_: i64| ()).unwrap();
                            let got: String = mux.hget(&hash, "f").unwrap();
                            if got != nonce {
                                wrong(&format!("HGET {got}, expected {nonce}"));
                            }
                            done += 3;
                        }
                        4 => {
                            // Handles, waited for in reverse order.
                            let echo = mux.send::<String>(&Cmd::new("ECHO").arg(&nonce));
                            let incr = mux.send::<i64>(&Cmd::new("INCR").arg(&counter));
                            let get = mux.send::<Option<String>>(&Cmd::new("GET").arg(&key));
                            count += 1;
                            let got = get.wait().unwrap();
                            if got != value {
                                wrong(&format!("handle GET {got:?}, expected {value:?}"));
                            }
                            if incr.wait().unwrap() != count {
                                wrong("handle INCR");
                            }
                            if echo.wait().unwrap() != nonce {
                                wrong("handle ECHO");
                            }
                            done += 3;
                        }
                        5 => {
                            let mut pipe = Pipeline::new();
                            pipe.set(&key, &nonce).ignore();
                            pipe.get(&key).incr(&counter).cmd("ECHO").arg(&nonce);
                            count += 1;
                            let (got, n, echo): (String, i64, String) =
                                mux.query_pipeline(&pipe).unwrap();
                            if (got.as_str(), n, echo.as_str()) != (&nonce, count, &nonce) {
                                wrong(&format!("pipeline {got} {n} {echo}"));
                            }
                            value = Some(nonce);
                            done += 4;
                        }
                        _ => {
                            let mut tx = Pipeline::transaction();
                            tx.incr(&counter).get(&key);
                            count += 1;
                            let (n, got): (i64, Option<String>) = mux.query_pipeline(&tx).unwrap();
                            if (n, &got) != (count, &value) {
                                wrong(&format!("transaction {n} {got:?}"));
                            }
                            done += 4;
                        }
                    }
                }
                sent.fetch_add(done as u64, Ordering::Relaxed);
                count
            })
        })
        .collect();
    let counts: Vec<i64> = workers.into_iter().map(|w| w.join().unwrap()).collect();
    let elapsed = start.elapsed();
    assert_eq!(mismatches.load(Ordering::Relaxed), 0, "mismatched replies");
    for (t, count) in counts.iter().enumerate() {
        assert_eq!(
            server.query(&["GET", &format!("c:{t}")]),
            Reply::Bulk(count.to_string().into_bytes())
        );
    }
    let total = sent.load(Ordering::Relaxed);
    assert!(total >= (THREADS * COMMANDS) as u64);
    println!(
        "{total} commands from {THREADS} threads in {elapsed:?} ({:.0}/s)",
        total as f64 / elapsed.as_secs_f64()
    );
}

/// Calls with random deadlines from 1 to 200 ms while a proxy holds the
/// replies of some keys for 60 ms (and every reply behind them): calls
/// time out, yet no call ever gets another's reply, calls with a generous
/// deadline never fail, and the connection is never replaced.
#[test]
fn random_timeouts_behind_a_delaying_proxy() {
    const THREADS: usize = 8;
    const ROUNDS: usize = 150;
    let server = RedisServer::start().unwrap();
    let proxy = Proxy::start(server.addr()).unwrap();
    for i in 0..4 {
        proxy.delay_key(format!("slow:{i}"), Duration::from_millis(60));
    }
    let mux = builder(proxy.port()).max_retries(0).build();
    let timeouts = Arc::new(AtomicU64::new(0));
    let answered = Arc::new(AtomicU64::new(0));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let mux = mux.clone();
            let (timeouts, answered) = (Arc::clone(&timeouts), Arc::clone(&answered));
            thread::spawn(move || {
                let mut rng = Rng::new(100 + t as u64);
                for round in 0..ROUNDS {
                    let nonce = format!("{t}:{round}:{}", rng.next());
                    let slow = format!("slow:{}", rng.below(4));
                    let deadline = Duration::from_millis(1 + rng.below(200));
                    let generous = round % 10 == 9;
                    let timeout = if generous {
                        Duration::from_secs(10)
                    } else {
                        deadline
                    };
                    let result: redis_blocking::Result<String> = match rng.below(4) {
                        // The delayed key: its SET answers "OK" late.
                        0 => mux
                            .query::<()>(&Cmd::new("SET").arg(&slow).arg(&nonce).timeout(timeout))
                            .map(|()| nonce.clone()),
                        1 => mux
                            .send::<String>(&Cmd::new("ECHO").arg(&nonce).timeout(timeout))
                            .wait(),
                        _ => mux.query(&Cmd::new("ECHO").arg(&nonce).timeout(timeout)),
                    };
                    match result {
                        Ok(got) => {
                            assert_eq!(got, nonce, "thread {t} got another call's reply");
                            answered.fetch_add(1, Ordering::Relaxed);
                        }
                        Err(e) => {
                            assert!(!generous, "a call with a 10 s deadline failed: {e}");
                            assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
                            assert!(
                                matches!(e.executed(), Executed::Maybe | Executed::No),
                                "{e:?}"
                            );
                            timeouts.fetch_add(1, Ordering::Relaxed);
                        }
                    }
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let (timeouts, answered) = (
        timeouts.load(Ordering::Relaxed),
        answered.load(Ordering::Relaxed),
    );
    println!("{answered} answered, {timeouts} timed out");
    assert!(
        timeouts > 20,
        "too few timeouts to prove anything: {timeouts}"
    );
    assert!(answered > 100, "{answered}");
    // The replies of the calls that gave up were dropped as they came: the
    // connection stayed in step and was never replaced.
    assert_eq!(proxy.connections_accepted(), 1);
    let v: String = mux.query(&Cmd::new("ECHO").arg("after")).unwrap();
    assert_eq!(v, "after");
}

#[derive(Default)]
struct Tally {
    acknowledged: i64,
    maybe: i64,
    not_run: i64,
}

/// 16 threads increment their own counters (plain calls and handles) on a
/// server that persists every write before answering (`appendfsync
/// always`), and the server is killed with SIGKILL mid-way. Every call
/// gets its reply or an error saying truthfully whether it may have run:
/// after a restart, each counter is at least the increments acknowledged
/// and at most those plus the ones that may have run. Then the same
/// connection object works again.
#[test]
fn a_server_killed_mid_way() {
    const THREADS: usize = 16;
    let server = RedisServer::builder()
        .config("appendonly yes")
        .config("appendfsync always")
        .start()
        .unwrap();
    let mux = builder(server.port())
        .reconnect_strategy(ReconnectStrategy::Constant(Duration::from_millis(20)))
        .max_retries(3)
        .build();
    let stop = Arc::new(AtomicBool::new(false));
    let tallies: Vec<Arc<Mutex<Tally>>> = (0..THREADS).map(|_| Arc::default()).collect();
    let errors = Arc::new(Mutex::new(HashMap::<String, u64>::new()));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let mux = mux.clone();
            let stop = Arc::clone(&stop);
            let tally = Arc::clone(&tallies[t]);
            let errors = Arc::clone(&errors);
            thread::spawn(move || {
                let key = format!("counter:{t}");
                let judge = |r: redis_blocking::Result<i64>, tally: &mut Tally| match r {
                    Ok(_) => tally.acknowledged += 1,
                    Err(e) => {
                        assert!(
                            matches!(
                                e.kind(),
                                ErrorKind::Io
                                    | ErrorKind::Connect
                                    | ErrorKind::Closed
                                    | ErrorKind::Timeout
                                    | ErrorKind::Protocol
                            ),
                            "{e:?}"
                        );
                        match e.executed() {
                            Executed::Maybe => tally.maybe += 1,
                            Executed::No => tally.not_run += 1,
                            _ => panic!("a failed INCR said it ran: {e:?}"),
                        }
                        let kind = format!("{:?}/{:?}", e.kind(), e.executed());
                        *errors.lock().unwrap().entry(kind).or_default() += 1;
                    }
                };
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    i += 1;
                    if i % 3 == 0 {
                        let handles: Vec<Pending<i64>> = (0..4)
                            .map(|_| mux.send(&Cmd::new("INCR").arg(&key)))
                            .collect();
                        for h in handles {
                            let r = h.wait();
                            judge(r, &mut tally.lock().unwrap());
                        }
                    } else {
                        let r = mux.incr(&key);
                        judge(r, &mut tally.lock().unwrap());
                    }
                }
            })
        })
        .collect();
    thread::sleep(Duration::from_millis(400));
    server.kill();
    thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    server.restart().unwrap();
    let (mut acknowledged, mut maybe) = (0, 0);
    for (t, tally) in tallies.iter().enumerate() {
        let tally = tally.lock().unwrap();
        let value = match server.query(&["GET", &format!("counter:{t}")]) {
            Reply::Bulk(b) => String::from_utf8(b).unwrap().parse::<i64>().unwrap(),
            Reply::Nil => 0,
            other => panic!("{other:?}"),
        };
        assert!(
            value >= tally.acknowledged,
            "counter {t}: {value} < {} acknowledged",
            tally.acknowledged
        );
        assert!(
            value <= tally.acknowledged + tally.maybe,
            "counter {t}: {value} > {} acknowledged + {} that may have run ({} said not run)",
            tally.acknowledged,
            tally.maybe,
            tally.not_run
        );
        acknowledged += tally.acknowledged;
        maybe += tally.maybe;
    }
    println!(
        "acknowledged {acknowledged}, may have run {maybe}, errors {:?}",
        errors.lock().unwrap()
    );
    assert!(acknowledged > 100);
    assert!(
        !errors.lock().unwrap().is_empty(),
        "the kill went unnoticed"
    );
    // The same Multiplexed opens a new connection to the restarted server.
    let n: i64 = mux.clone().incr("after").unwrap();
    assert_eq!(n, 1);
}

/// Commands sent from one thread run in the order they were sent, however
/// their handles are waited for and whatever other threads send meanwhile.
#[test]
fn handles_keep_their_order_within_a_thread() {
    const THREADS: usize = 8;
    const PUSHES: usize = 2_000;
    let server = RedisServer::start().unwrap();
    let mux = builder(server.port()).build();
    let barrier = Arc::new(Barrier::new(THREADS));
    let workers: Vec<_> = (0..THREADS)
        .map(|t| {
            let mux = mux.clone();
            let barrier = Arc::clone(&barrier);
            thread::spawn(move || {
                let list = format!("list:{t}");
                let mut rng = Rng::new(7 + t as u64);
                barrier.wait();
                let mut handles: Vec<(usize, Pending<i64>)> = Vec::new();
                for i in 0..PUSHES {
                    handles.push((i, mux.send(&Cmd::new("RPUSH").arg(&list).arg(i))));
                    if rng.below(50) == 0 {
                        // A plain call in between, and a few handles
                        // waited for early.
                        let _: i64 = mux.llen(&list).unwrap();
                        let (j, h) = handles.swap_remove(rng.below(handles.len() as u64) as usize);
                        assert_eq!(h.wait().unwrap(), j as i64 + 1);
                    }
                }
                // The rest in a shuffled order: RPUSH answers the list's
                // length, so the i-th push answers i + 1.
                while !handles.is_empty() {
                    let (i, h) = handles.swap_remove(rng.below(handles.len() as u64) as usize);
                    assert_eq!(h.wait().unwrap(), i as i64 + 1, "thread {t}");
                }
                let items: Vec<usize> = mux.lrange(&list, 0, -1).unwrap();
                assert_eq!(items, (0..PUSHES).collect::<Vec<_>>());
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
}

/// Commands that cannot share the connection are refused before anything
/// is sent, with an error naming what to use; the connection goes on, and
/// a MULTI/EXEC pipeline runs as a transaction.
#[test]
fn refused_commands_name_what_to_use() {
    let server = RedisServer::start().unwrap();
    let mux = builder(server.port()).build();
    let () = mux.query(&Cmd::new("SET").arg("k").arg("v")).unwrap();
    for (cmd, hint) in [
        (Cmd::new("BLPOP").arg("q").arg(0), "Client (pooled)"),
        (Cmd::new("BRPOP").arg("q").arg(1), "Client (pooled)"),
        (
            Cmd::new("XREAD")
                .arg("BLOCK")
                .arg(10)
                .arg("STREAMS")
                .arg("s")
                .arg("$"),
            "Connection of your own",
        ),
        (Cmd::new("WAIT").arg(0).arg(10), "Client (pooled)"),
        (Cmd::new("SUBSCRIBE").arg("news"), "Subscriber"),
        (Cmd::new("MONITOR"), "Monitor"),
        (Cmd::new("WATCH").arg("k"), "Client::transaction"),
        (Cmd::new("MULTI"), "Pipeline::transaction"),
        (Cmd::new("SELECT").arg(1), "Config or URL"),
        (
            Cmd::new("CLIENT")
                .arg("TRACKING")
                .arg("ON")
                .arg("REDIRECT")
                .arg(1),
            "Connection of your own",
        ),
        (
            Cmd::new("CLIENT").arg("REPLY").arg("OFF"),
            "Connection of your own",
        ),
    ] {
        let e = mux.query::<Value>(&cmd).unwrap_err();
        assert_eq!(
            (e.kind(), e.executed()),
            (ErrorKind::InvalidCommand, Executed::No),
            "{cmd:?}: {e}"
        );
        assert!(e.to_string().contains(hint), "{cmd:?}: {e}");
        // The same through a handle, on waiting.
        let e = mux.send::<Value>(&cmd).wait().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidCommand);
    }
    let mut blocking = Pipeline::new();
    blocking.cmd("GET").arg("k").cmd("BLPOP").arg("q").arg(0);
    let e = mux.query_pipeline::<Value>(&blocking).unwrap_err();
    assert!(e.to_string().contains("blocking"), "{e}");
    let mut select = Pipeline::new();
    select.cmd("SELECT").arg(2).cmd("GET").arg("k");
    assert!(mux.query_pipeline::<Value>(&select).is_err());
    // Nothing of it reached the server.
    for command in [
        "blpop",
        "brpop",
        "xread",
        "wait",
        "subscribe",
        "watch",
        "multi",
        "select",
    ] {
        assert_eq!(info_calls(&server, command), 0, "{command} was sent");
    }
    // The connection still serves, and MULTI/EXEC runs as one pipeline.
    let mut tx = Pipeline::transaction();
    tx.incr("n").incr("n").get("k");
    let (a, b, v): (i64, i64, String) = mux.query_pipeline(&tx).unwrap();
    assert_eq!((a, b, v.as_str()), (1, 2, "v"));
    assert_eq!(info_calls(&server, "exec"), 1);
}

/// A server that answers one command twice: the extra reply is caught
/// (never handed to the next call), the connection is replaced, and the
/// next call gets its own reply from a new connection.
#[test]
fn a_reply_nobody_asked_for_replaces_the_connection() {
    let hostile = Hostile::start(|mut peer| {
        while let Some(argv) = peer.read_command() {
            match argv[0].to_ascii_uppercase().as_slice() {
                b"TWICE" => peer.send(b"+first\r\n+second\r\n"),
                b"ECHO" => {
                    let arg = &argv[1];
                    let reply = [format!("${}\r\n", arg.len()).as_bytes(), arg, b"\r\n"].concat();
                    peer.send(&reply)
                }
                _ => peer.send(b"+OK\r\n"),
            };
        }
    });
    let mux = Multiplexed::builder(config(hostile.port()).ping_on_connect(false)).build();
    let first: String = mux.query(&Cmd::new("TWICE")).unwrap();
    assert_eq!(first, "first");
    for i in 0..5 {
        let got: String = mux.query(&Cmd::new("ECHO").arg(format!("n{i}"))).unwrap();
        assert_eq!(got, format!("n{i}"));
    }
    assert_eq!(
        hostile.accepted(),
        2,
        "the connection out of step was replaced"
    );
}

/// RESP3 push messages reach the push handler; the replies around them
/// reach their callers.
#[test]
fn pushes_reach_the_push_handler() {
    let server = RedisServer::start().unwrap();
    let mux = Multiplexed::builder(config(server.port()).protocol(Protocol::Resp3)).build();
    let pushes = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&pushes);
    mux.set_push_handler(move |push| seen.lock().unwrap().push(push));
    let workers: Vec<_> = (0..4)
        .map(|t| {
            let mux = mux.clone();
            thread::spawn(move || {
                for i in 0..50 {
                    let reply: String = mux
                        .query(&Cmd::new("DEBUG").arg("PROTOCOL").arg("PUSH"))
                        .unwrap();
                    assert_eq!(reply, "Some real reply following the push reply");
                    let nonce = format!("{t}:{i}");
                    let echo: String = mux.query(&Cmd::new("ECHO").arg(&nonce)).unwrap();
                    assert_eq!(echo, nonce);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let pushes = pushes.lock().unwrap();
    assert_eq!(pushes.len(), 200);
    for push in pushes.iter() {
        let Value::Push(items) = push else {
            panic!("not a push: {push:?}");
        };
        assert_eq!(items[0], Value::bulk(b"server-cpu-usage"));
    }
}

/// The connection cut under idle callers: the next calls find out before
/// sending anything and go out on a new connection.
#[test]
fn a_cut_connection_is_replaced_on_the_next_call() {
    let server = RedisServer::start().unwrap();
    let proxy = Proxy::start(server.addr()).unwrap();
    let mux = builder(proxy.port())
        .reconnect_strategy(ReconnectStrategy::Constant(Duration::from_millis(10)))
        .build();
    for round in 0..3 {
        let n: i64 = mux.clone().incr("n").unwrap();
        assert_eq!(n, round + 1);
        proxy.kill_connections();
        thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(mux.clone().get::<_, i64>("n").unwrap(), 3);
    assert_eq!(proxy.connections_accepted(), 4);
}

/// TLS: reads and writes take turns on the stream; many threads still
/// get their own replies.
#[test]
fn many_threads_over_tls() {
    let server = RedisServer::builder()
        .tls()
        .tls_auth_clients(TlsAuthClients::No)
        .start()
        .unwrap();
    let tls = TlsOptions {
        ca_file: Some(server.tls_certs().unwrap().ca_cert().to_owned()),
        ..TlsOptions::default()
    };
    let mux = Multiplexed::builder(config(server.tls_port().unwrap()).tls(tls)).build();
    let workers: Vec<_> = (0..8)
        .map(|t| {
            let mux = mux.clone();
            thread::spawn(move || {
                for i in 0..300 {
                    let nonce = format!("{t}:{i}");
                    let h = mux.send::<String>(&Cmd::new("ECHO").arg(&nonce));
                    let got: String = mux.query(&Cmd::new("ECHO").arg(&nonce)).unwrap();
                    assert_eq!(got, nonce);
                    assert_eq!(h.wait().unwrap(), nonce);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
}
