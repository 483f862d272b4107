//! The Sentinel client through failovers, against real `redis-server` and
//! three `redis-sentinel` processes (down-after 1000 ms): the master
//! SIGKILLed under writes, SIGSTOPped with calls in flight and resumed,
//! two failovers in a row, a missed `+switch-master`, the only configured
//! sentinel gone, and a busy client's connections leaving the demoted node.
//!
//! The tests run one at a time: failover timings are what they check.
//! Each prints what it measured.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use integration_tests::proxy::Proxy;
use integration_tests::{RedisServer, Reply, Sentinels};
use redis_blocking::prelude::*;
use redis_blocking::{Addr, Executed, Incoming, SentinelConfig};

/// One failover scenario at a time.
fn serial() -> MutexGuard<'static, ()> {
    static LOCK: Mutex<()> = Mutex::new(());
    LOCK.lock().unwrap_or_else(|e| e.into_inner())
}

fn sentinel_url(addrs: &[SocketAddr], name: &str, options: &str) -> String {
    let hosts: Vec<String> = addrs.iter().map(|a| a.to_string()).collect();
    format!("redis+sentinel://{}/{name}?{options}", hosts.join(","))
}

/// When the client moved to a new master (its `MasterChanged` events
/// after the first).
type Switches = Arc<Mutex<Vec<Instant>>>;

/// A client that rides out failovers: calls keep retrying what surely did
/// not run until their deadline.
fn client(group: &Sentinels, timeout: Duration, options: &str) -> Client {
    client_with(group, timeout, options).0
}

/// [`client`], and when it moved to a new master.
fn client_with(group: &Sentinels, timeout: Duration, options: &str) -> (Client, Switches) {
    let url = sentinel_url(&group.sentinel_addrs(), group.master_name(), options);
    let switches: Switches = Arc::default();
    let client = Client::sentinel(SentinelConfig::from_url(&url).unwrap())
        .unwrap()
        .timeout(Some(timeout))
        .max_retries(u32::MAX)
        .on_event({
            let switches = Arc::clone(&switches);
            move |event| {
                if let redis_blocking::Event::MasterChanged { from: Some(_), .. } = event {
                    switches.lock().unwrap().push(Instant::now());
                }
            }
        })
        .build();
    (client, switches)
}

/// When the client first moved to a new master after `since`.
fn switched_after(switches: &Switches, since: Instant) -> Duration {
    switches
        .lock()
        .unwrap()
        .iter()
        .find(|t| **t > since)
        .map(|t| *t - since)
        .expect("the client moved to a new master")
}

fn addr(server: &RedisServer) -> Addr {
    Addr::Tcp {
        host: "127.0.0.1".into(),
        port: server.port(),
    }
}

/// A field of `INFO commandstats` for `command`, 0 if it never ran.
fn stat(server: &RedisServer, command: &str, field: &str) -> u64 {
    let info = server.run(&["INFO", "commandstats"]);
    let prefix = format!("cmdstat_{command}:");
    info.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|rest| {
            rest.trim()
                .split(',')
                .find_map(|kv| kv.strip_prefix(&format!("{field}=")))
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

/// How many connections named `name` the server has.
fn named_connections(server: &RedisServer, name: &str) -> usize {
    let list = server.run(&["CLIENT", "LIST"]);
    list.lines()
        .filter(|l| l.split(' ').any(|f| f == format!("name={name}")))
        .count()
}

/// Whether an error is one a failover may cause: a command that may have
/// run (its connection died under it), or a typed Sentinel failure.
fn failover_error(e: &Error) -> bool {
    e.executed() == Executed::Maybe
        || matches!(
            e.kind(),
            ErrorKind::NoSentinelReachable | ErrorKind::MasterNotConfirmed
        )
}

/// One call of a background loop: when it started and ended, and how.
struct Record<T> {
    started: Instant,
    ended: Instant,
    result: T,
}

/// A thread calling `step` in a loop until stopped, recording each call.
struct Looper<T> {
    stop: Arc<AtomicBool>,
    records: Arc<Mutex<Vec<Record<T>>>>,
    thread: Option<JoinHandle<()>>,
}

impl<T: Send + 'static> Looper<T> {
    fn start(mut step: impl FnMut(u64) -> T + Send + 'static) -> Looper<T> {
        let stop = Arc::new(AtomicBool::new(false));
        let records = Arc::new(Mutex::new(Vec::new()));
        let thread = thread::spawn({
            let (stop, records) = (Arc::clone(&stop), Arc::clone(&records));
            move || {
                let mut i = 0;
                while !stop.load(Ordering::Relaxed) {
                    let started = Instant::now();
                    let result = step(i);
                    let ended = Instant::now();
                    records.lock().unwrap().push(Record {
                        started,
                        ended,
                        result,
                    });
                    i += 1;
                    thread::sleep(Duration::from_millis(5));
                }
            }
        });
        Looper {
            stop,
            records,
            thread: Some(thread),
        }
    }

    /// Calls that ended so far.
    fn len(&self) -> usize {
        self.records.lock().unwrap().len()
    }

    fn finish(mut self) -> Vec<Record<T>> {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.join().unwrap();
        }
        std::mem::take(&mut *self.records.lock().unwrap())
    }
}

/// Waits until `done`, polling, for at most `timeout`.
fn wait_until(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) -> Instant {
    let started = Instant::now();
    loop {
        if done() {
            return Instant::now();
        }
        assert!(
            started.elapsed() < timeout,
            "{what}: not within {timeout:?}"
        );
        thread::sleep(Duration::from_millis(10));
    }
}

type Popped = (redis_blocking::Result<Option<(String, String)>>, Instant);

/// `BLPOP queue 0` on a thread of its own: its result and when it came.
fn blpop_forever(client: &Client) -> std::sync::mpsc::Receiver<Popped> {
    let (tx, rx) = std::sync::mpsc::channel();
    let client = client.clone();
    thread::spawn(move || {
        let result =
            client.query::<Option<(String, String)>>(&Cmd::new("BLPOP").arg("queue").arg(0));
        let _ = tx.send((result, Instant::now()));
    });
    rx
}

/// A per-key INCR followed, on the same connection, by `WAIT 1 100`.
type Incr = (String, Vec<redis_blocking::Result<Value>>);

fn incr_and_wait(client: &Client, i: u64) -> Incr {
    let key = format!("w:{i}");
    let mut pipe = Pipeline::new();
    pipe.cmd("INCR").arg(&key);
    pipe.cmd("WAIT").arg(1).arg(100);
    let results = client.pipeline_results(&pipe);
    (key, results)
}

/// Checks the per-key INCRs on the master `server` after a failover at
/// `killed`: no key ran twice, none that surely did not run ran, every one
/// that a replica confirmed (`WAIT`) or that the new master acknowledged is
/// there. Returns when writes resumed after `killed`.
fn check_incrs(records: &[Record<Incr>], server: &RedisServer, killed: Instant) -> Duration {
    let mut resumed = None;
    let mut confirmed = 0;
    let mut errors: HashMap<String, usize> = HashMap::new();
    for record in records {
        let (key, results) = &record.result;
        let stored = match server.query(&["GET", key]) {
            Reply::Bulk(v) => Some(String::from_utf8(v).unwrap()),
            Reply::Nil => None,
            other => panic!("GET {key}: {other}"),
        };
        match &results[0] {
            Ok(v) => {
                assert_eq!(v.as_i64(), Some(1), "{key}: INCR answered {v:?}");
                let waited = results[1]
                    .as_ref()
                    .ok()
                    .and_then(Value::as_i64)
                    .unwrap_or(0);
                if waited >= 1 {
                    confirmed += 1;
                    assert_eq!(
                        stored.as_deref(),
                        Some("1"),
                        "{key}: confirmed by WAIT, lost"
                    );
                }
                if record.started > killed {
                    assert_eq!(
                        stored.as_deref(),
                        Some("1"),
                        "{key}: acknowledged after the kill, lost"
                    );
                    resumed.get_or_insert(record.ended - killed);
                }
            }
            Err(e) => {
                assert!(failover_error(e), "{key}: {e:?}");
                if e.executed() == Executed::No {
                    assert_eq!(stored, None, "{key}: said not to have run, but ran");
                }
                *errors
                    .entry(format!("{:?}/{:?}", e.kind(), e.executed()))
                    .or_default() += 1;
            }
        }
        // Nothing ran twice.
        assert!(
            matches!(stored.as_deref(), None | Some("1")),
            "{key}: {stored:?}"
        );
    }
    println!(
        "{} INCRs, {confirmed} confirmed by WAIT; errors: {errors:?}",
        records.len()
    );
    resumed.expect("writes resumed")
}

trait AsI64 {
    fn as_i64(&self) -> Option<i64>;
}

impl AsI64 for Value {
    fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Integer(n) => Some(*n),
            _ => None,
        }
    }
}

#[test]
fn sigkill_of_the_master_under_writes() {
    let _serial = serial();
    let group = Sentinels::start().unwrap();
    let old = group.initial_master();
    let (client, switches) = client_with(&group, Duration::from_secs(6), "");
    let writer = Looper::start({
        let client = client.clone();
        move |i| incr_and_wait(&client, i)
    });
    wait_until("warm-up writes", Duration::from_secs(10), || {
        writer.len() >= 50
    });
    let killed = Instant::now();
    old.kill();
    let new = group
        .wait_for_master(Duration::from_secs(30), |a| a != old.addr())
        .unwrap();
    let switched = killed.elapsed();
    let new = group.server_by_port(new.port()).unwrap();
    // Some writes on the new master, then stop.
    let after = writer.len();
    wait_until("writes after the failover", Duration::from_secs(10), || {
        writer.len() >= after + 10
    });
    let records = writer.finish();
    let resumed = check_incrs(&records, new, killed);
    assert_eq!(client.current_master(), Some(addr(new)));
    let moved = switched_after(&switches, killed);
    println!("SIGKILL: the client moved to the new master {moved:?} after the kill (all sentinels agreed after {switched:?}); writes resumed after {resumed:?}");
    assert!(
        resumed <= Duration::from_secs(4),
        "writes resumed {resumed:?} after the kill (sentinels agreed after {switched:?})"
    );
}

#[test]
fn sigstop_of_the_master_with_calls_in_flight() {
    let _serial = serial();
    let group = Sentinels::start().unwrap();
    let old = group.initial_master();
    let timeout = Duration::from_secs(1);
    let (client, switches) = client_with(&group, timeout, "client_name=stopped");
    let () = client.clone().set("k", "v").unwrap();

    let subscriber = client.subscriber().unwrap();
    subscriber.subscribe(["news"]).unwrap();
    let blpop = blpop_forever(&client);
    let reader = Looper::start({
        let client = client.clone();
        move |_| client.get::<_, Option<String>>("k")
    });
    // The writer can be held between two writes, so that the old master's
    // count is read with no write of ours in flight.
    let hold = Arc::new(AtomicBool::new(false));
    let held = Arc::new(AtomicBool::new(false));
    let writer = Looper::start({
        let client = client.clone();
        let (hold, held) = (Arc::clone(&hold), Arc::clone(&held));
        move |_| {
            while hold.load(Ordering::SeqCst) {
                held.store(true, Ordering::SeqCst);
                thread::sleep(Duration::from_millis(1));
            }
            held.store(false, Ordering::SeqCst);
            client.incr_by_float::<_, f64>("f", 1.0)
        }
    });
    wait_until("BLPOP blocked", Duration::from_secs(5), || {
        old.run(&["CLIENT", "LIST"]).contains("cmd=blpop")
    });
    wait_until("warm-up", Duration::from_secs(5), || writer.len() >= 20);
    hold.store(true, Ordering::SeqCst);
    wait_until("the writer held", Duration::from_secs(5), || {
        held.load(Ordering::SeqCst)
    });
    let written_before = stat(old, "incrbyfloat", "calls");

    // A GET with no deadline at all, sent to the stopped master.
    let unbounded = {
        let url = sentinel_url(&group.sentinel_addrs(), group.master_name(), "");
        let client = Client::sentinel(SentinelConfig::from_url(&url).unwrap())
            .unwrap()
            .build();
        let () = client.set("u", "1").unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let go = Arc::new(AtomicBool::new(false));
        thread::spawn({
            let go = Arc::clone(&go);
            move || {
                while !go.load(Ordering::Relaxed) {
                    thread::sleep(Duration::from_millis(1));
                }
                let _ = tx.send((client.get::<_, String>("u"), Instant::now()));
            }
        });
        (rx, go)
    };
    let stopped = Instant::now();
    old.pause().unwrap();
    unbounded.1.store(true, Ordering::Relaxed);
    hold.store(false, Ordering::SeqCst);
    let new = group
        .wait_for_master(Duration::from_secs(30), |a| a != old.addr())
        .unwrap();
    let switched = Instant::now();
    let new = group.server_by_port(new.port()).unwrap();

    // BLPOP 0 has no deadline: the switch shut its connection down.
    let (popped, returned) = blpop
        .recv_timeout(Duration::from_secs(10))
        .expect("BLPOP 0 still blocked 10 s after the switch");
    let e = popped.unwrap_err();
    assert_eq!(e.executed(), Executed::Maybe, "{e:?}");
    assert!(returned > stopped);
    let blpop_lag = returned.saturating_duration_since(switched);
    assert!(
        returned <= switched + Duration::from_secs(1),
        "BLPOP 0 returned {blpop_lag:?} after the sentinels switched"
    );
    // So did the GET without a deadline: it may have run.
    let (got, got_at) = unbounded
        .0
        .recv_timeout(Duration::from_secs(10))
        .expect("a GET without deadline still waiting 10 s after the switch");
    let e = got.unwrap_err();
    assert_eq!(e.executed(), Executed::Maybe, "{e:?}");
    assert!(got_at <= switched + Duration::from_secs(1), "{e:?}");
    // The subscriber hears of it, and is subscribed on the new master.
    let heard = wait_until("the subscriber's reconnect", Duration::from_secs(3), || {
        matches!(subscriber.try_recv(), Ok(Some(Incoming::Reconnected)))
    });
    wait_until(
        "a subscriber on the new master",
        Duration::from_secs(3),
        || {
            client
                .query::<i64>(&Cmd::new("PUBLISH").arg("news").arg("after"))
                .unwrap_or(0)
                == 1
        },
    );
    match subscriber.recv_timeout(Duration::from_secs(3)).unwrap() {
        Some(Incoming::Message(m)) => assert_eq!(m.payload, b"after"),
        other => panic!("{other:?}"),
    }
    // The old master comes back, still believing it is the master (the
    // sentinels demote it only seconds later): the client must not write
    // to it.
    let resumed = Instant::now();
    old.resume().unwrap();
    thread::sleep(Duration::from_secs(2));
    let reads = reader.finish();
    let writes = writer.finish();
    let written_after = stat(old, "incrbyfloat", "calls");
    // Writes sent while it was frozen, before anyone knew, wait in its
    // sockets and run when it resumes: each was reported "may have run".
    // None sent after the switch reaches it.
    let in_the_dark = writes
        .iter()
        .filter(|w| w.started < switched)
        .filter(|w| matches!(&w.result, Err(e) if e.executed() == Executed::Maybe))
        .count() as u64;
    let reached = written_after - written_before;
    assert!(
        reached <= in_the_dark,
        "{reached} writes reached the old master, {in_the_dark} were sent before the switch and may have run"
    );
    let role = old.query(&["ROLE"]);
    println!("old master's role 2 s after SIGCONT: {role}");
    assert_eq!(named_connections(old, "stopped"), 0);
    // Every GET returned within its deadline, with a value or a timeout.
    let slowest = reads.iter().map(|r| r.ended - r.started).max().unwrap();
    assert!(
        slowest <= timeout + Duration::from_millis(500),
        "a GET took {slowest:?}"
    );
    for read in &reads {
        if let Err(e) = &read.result {
            assert!(e.kind() == ErrorKind::Timeout || failover_error(e), "{e:?}");
        }
    }
    let after_switch: Vec<_> = writes.iter().filter(|w| w.started > switched).collect();
    assert!(after_switch.iter().any(|w| w.result.is_ok()));
    assert!(writes
        .iter()
        .filter(|w| w.started > resumed)
        .all(|w| w.result.is_ok()));
    assert_eq!(client.current_master(), Some(addr(new)));
    let moved = switched_after(&switches, stopped);
    println!(
        "SIGSTOP: {reached} writes sent to the frozen master before the switch ran when it resumed ({in_the_dark} reported as may have run)"
    );
    println!(
        "SIGSTOP: the client moved {moved:?} after the stop (all sentinels agreed after {:?}); BLPOP 0 failed {:?} and the subscriber reconnected {:?} after the stop; slowest GET {slowest:?}; {} reads, {} writes",
        switched - stopped,
        returned - stopped,
        heard - stopped,
        reads.len(),
        writes.len()
    );
}

#[test]
fn two_failovers_in_a_row() {
    let _serial = serial();
    let group = Sentinels::builder().replicas(2).start().unwrap();
    let client = client(&group, Duration::from_secs(6), "");
    let writer = Looper::start({
        let client = client.clone();
        move |i| incr_and_wait(&client, i)
    });
    wait_until("warm-up writes", Duration::from_secs(10), || {
        writer.len() >= 20
    });
    let mut master = group.initial_master();
    let mut kills = Vec::new();
    for round in 1..=2 {
        let killed = Instant::now();
        let dead = master.addr();
        master.kill();
        let new = group
            .wait_for_master(Duration::from_secs(30), |a| a != dead)
            .unwrap();
        master = group.server_by_port(new.port()).unwrap();
        let switched = killed.elapsed();
        let before = writer.len();
        wait_until("writes on the new master", Duration::from_secs(10), || {
            writer.len() >= before + 10
        });
        assert_eq!(client.current_master(), Some(addr(master)));
        kills.push((killed, switched, master.port()));
        if round == 1 {
            // The last replica must follow the new master before it can be
            // promoted in turn.
            group
                .wait_replicas_ready(1, Duration::from_secs(30))
                .unwrap();
        }
    }
    let records = writer.finish();
    // Every write after the second failover is on the last master.
    let (second, _, _) = kills[1];
    let resumed = check_incrs(&records, master, second);
    let (first, first_switch, first_port) = kills[0];
    let first_resumed = records
        .iter()
        .find(|r| r.started > first && r.result.1[0].is_ok())
        .map(|r| r.ended - first)
        .unwrap();
    println!(
        "two failovers: to port {first_port} (sentinels {first_switch:?}, writes resumed {first_resumed:?}), then to port {} (sentinels {:?}, writes resumed {resumed:?})",
        master.port(),
        kills[1].1
    );
    assert!(first_resumed <= Duration::from_secs(4), "{first_resumed:?}");
    assert!(resumed <= Duration::from_secs(4), "{resumed:?}");
}

#[test]
fn a_missed_switch_master_is_caught_by_the_recheck() {
    let _serial = serial();
    let group = Sentinels::start().unwrap();
    let old = group.initial_master();
    // The client reaches the sentinels only through proxies that swallow
    // `+switch-master`; the sentinels it discovers are mapped to them too.
    let proxies: Vec<Proxy> = group
        .sentinel_addrs()
        .into_iter()
        .map(|a| Proxy::start(a).unwrap())
        .collect();
    for proxy in &proxies {
        proxy.drop_messages("+switch-master");
    }
    let to_proxy: HashMap<u16, u16> = proxies
        .iter()
        .map(|p| (p.upstream().port(), p.port()))
        .collect();
    let seeds = proxies.iter().map(|p| Addr::Tcp {
        host: "127.0.0.1".into(),
        port: p.port(),
    });
    let recheck = Duration::from_secs(2);
    let config = SentinelConfig::new(group.master_name(), seeds)
        .recheck_interval(recheck)
        .remap(move |addr| match addr {
            Addr::Tcp { host, port } => Addr::Tcp {
                host: host.clone(),
                port: to_proxy.get(port).copied().unwrap_or(*port),
            },
            other => other.clone(),
        });
    let client = Client::sentinel(config)
        .unwrap()
        .timeout(Some(Duration::from_secs(5)))
        .build();
    let () = client.set("k", "v").unwrap();
    assert_eq!(client.current_master(), Some(addr(old)));
    // Kill the watcher's subscription just before the failover.
    thread::sleep(Duration::from_millis(300));
    for proxy in &proxies {
        proxy.kill_connections();
    }
    let new = group.failover(Duration::from_secs(30)).unwrap();
    let switched = Instant::now();
    let new = group.server_by_port(new.port()).unwrap();
    let detected = wait_until(
        "the client to find the new master",
        Duration::from_secs(10),
        || client.current_master() == Some(addr(new)),
    );
    let lag = detected.saturating_duration_since(switched);
    let dropped: u64 = proxies.iter().map(Proxy::messages_dropped).sum();
    println!("missed +switch-master ({dropped} dropped): found the new master {lag:?} after the sentinels agreed (re-check every {recheck:?})");
    assert!(
        dropped >= 1,
        "the watcher was not subscribed through the proxies"
    );
    assert!(lag <= recheck + Duration::from_secs(1), "{lag:?}");
    // And writes go there.
    let () = client.set("k", "after").unwrap();
    assert_eq!(new.query(&["GET", "k"]), Reply::Bulk(b"after".to_vec()));
}

#[test]
fn discovered_sentinels_take_over_from_the_only_configured_one() {
    let _serial = serial();
    let group = Sentinels::start().unwrap();
    let first = &group.sentinels()[0];
    let url = sentinel_url(&[first.addr()], group.master_name(), "");
    let client = Client::sentinel(SentinelConfig::from_url(&url).unwrap())
        .unwrap()
        .timeout(Some(Duration::from_secs(5)))
        .max_retries(u32::MAX)
        .build();
    let () = client.set("k", "v").unwrap();
    first.kill();
    let old = group.initial_master();
    let new = group.failover(Duration::from_secs(30)).unwrap();
    let switched = Instant::now();
    let new = group.server_by_port(new.port()).unwrap();
    let detected = wait_until(
        "the client to find the new master",
        Duration::from_secs(10),
        || client.current_master() == Some(addr(new)),
    );
    let () = client.set("k", "after").unwrap();
    assert_eq!(new.query(&["GET", "k"]), Reply::Bulk(b"after".to_vec()));
    assert_ne!(new.port(), old.port());
    println!(
        "only configured sentinel killed: new master found {:?} after the sentinels agreed",
        detected.saturating_duration_since(switched)
    );
}

#[test]
fn a_busy_clients_connections_leave_the_demoted_node() {
    let _serial = serial();
    let group = Sentinels::start().unwrap();
    let old = group.initial_master();
    let url = sentinel_url(
        &group.sentinel_addrs(),
        group.master_name(),
        "client_name=busy&protocol=3",
    );
    let client = Client::sentinel(SentinelConfig::from_url(&url).unwrap())
        .unwrap()
        .timeout(Some(Duration::from_secs(5)))
        .max_retries(u32::MAX)
        .client_side_cache(redis_blocking::CacheOptions::default())
        .build();
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..8)
        .map(|t| {
            let (client, stop) = (client.clone(), Arc::clone(&stop));
            thread::spawn(move || {
                let mut errors = Vec::new();
                let mut i = 0u64;
                while !stop.load(Ordering::Relaxed) {
                    let key = format!("t{t}:{}", i % 16);
                    if let Err(e) = client.set::<_, _, ()>(&key, i) {
                        errors.push(e);
                    }
                    // Reads through the cache (whose invalidations come
                    // through the tracking connection).
                    if let Err(e) = client.get::<_, u64>(&key) {
                        errors.push(e);
                    }
                    i += 1;
                }
                (i, errors)
            })
        })
        .collect();
    let subscriber = client.subscriber().unwrap();
    subscriber.subscribe(["news"]).unwrap();
    let blpop = blpop_forever(&client);
    let monitor = {
        let mut monitor = client.monitor().unwrap();
        thread::spawn(move || loop {
            if let Err(e) = monitor.next_event(Some(Duration::from_secs(1))) {
                return (e, Instant::now());
            }
        })
    };
    // 8 pooled, the subscriber's, the BLPOP's, the monitor's and the cache
    // tracker's.
    wait_until("every connection open", Duration::from_secs(5), || {
        named_connections(old, "busy") >= 12
    });
    let before = named_connections(old, "busy");
    let new = group.failover(Duration::from_secs(30)).unwrap();
    let switched = Instant::now();
    let new = group.server_by_port(new.port()).unwrap();
    let gone = wait_until(
        "our connections to leave the old master",
        Duration::from_secs(5),
        || named_connections(old, "busy") == 0,
    );
    let lag = gone.saturating_duration_since(switched);
    let role = old.query(&["ROLE"]);
    println!(
        "{before} connections on the old master, none {lag:?} after the sentinels agreed (its role then: {role})"
    );
    assert!(lag <= Duration::from_secs(1), "{lag:?}");
    // The workers go on, on the new master.
    thread::sleep(Duration::from_millis(300));
    stop.store(true, Ordering::Relaxed);
    for worker in workers {
        let (calls, errors) = worker.join().unwrap();
        assert!(calls > 0);
        for e in errors {
            assert!(failover_error(&e), "{e:?}");
        }
    }
    let (popped, _) = blpop
        .recv_timeout(Duration::from_secs(5))
        .expect("BLPOP 0 still blocked");
    let e = popped.unwrap_err();
    assert_eq!(e.executed(), Executed::Maybe, "{e:?}");
    // The monitor's reader got an error, not silence.
    let (e, failed) = monitor.join().unwrap();
    assert!(failed <= switched + Duration::from_secs(1), "{e:?}");
    assert!(matches!(
        subscriber.recv_timeout(Duration::from_secs(2)).unwrap(),
        Some(Incoming::Reconnected)
    ));
    assert!(named_connections(new, "busy") >= 2);
    assert_eq!(named_connections(old, "busy"), 0);
    // The cache tracker followed: a value cached from the new master is
    // invalidated when another client changes it there.
    let reader = client.clone();
    let () = reader.set("shared", "before").unwrap();
    let hits = client.cache_hits();
    wait_until(
        "a cached read from the new master",
        Duration::from_secs(5),
        || reader.get::<_, String>("shared").unwrap() == "before" && client.cache_hits() > hits,
    );
    new.query(&["SET", "shared", "after"]);
    wait_until(
        "the invalidation from the new master",
        Duration::from_secs(2),
        || reader.get::<_, String>("shared").unwrap() == "after",
    );
}
