//! The multiplexed connection against scripted servers on Unix sockets:
//! what real servers do not do on demand (never read, answer with errors
//! to dropped handles).

use std::io::{Read, Write};
use std::os::unix::net::{UnixListener, UnixStream};
use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use super::Multiplexed;
use crate::error::{ErrorKind, Executed};
use crate::{Cmd, Config};

/// Log records, captured for the tests that check what is logged.
static LOGGED: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::Level::Warn
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            LOGGED.lock().unwrap().push(record.args().to_string());
        }
    }

    fn flush(&self) {}
}

fn capture_logs() {
    static ONCE: OnceLock<()> = OnceLock::new();
    ONCE.get_or_init(|| {
        log::set_logger(&Capture).expect("no other logger in these tests");
        log::set_max_level(log::LevelFilter::Warn);
    });
}

fn logged(needle: &str) -> bool {
    LOGGED.lock().unwrap().iter().any(|l| l.contains(needle))
}

/// A server on a Unix socket in a fresh directory; `serve` gets each
/// connection on a thread of its own.
fn serve(name: &str, serve: impl Fn(UnixStream) + Send + Sync + 'static) -> (Config, PathBuf) {
    let dir =
        std::env::temp_dir().join(format!("redis-blocking-mux-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("s.sock");
    let listener = UnixListener::bind(&path).unwrap();
    std::thread::spawn(move || {
        let serve = std::sync::Arc::new(serve);
        for stream in listener.incoming().flatten() {
            let serve = std::sync::Arc::clone(&serve);
            std::thread::spawn(move || serve(stream));
        }
    });
    let config = Config::unix(&path)
        .ping_on_connect(false)
        .timeout(Some(Duration::from_secs(5)));
    (config, dir)
}

/// Answers every complete command (counted by its `*` header lines,
/// inline-free test traffic) with `reply`.
fn answer_all(mut stream: UnixStream, reply: &'static [u8]) {
    let mut buf = [0u8; 4096];
    let mut pending = Vec::new();
    while let Ok(n) = stream.read(&mut buf) {
        if n == 0 {
            return;
        }
        pending.extend_from_slice(&buf[..n]);
        // Every command here is `*1\r\n$4\r\nPING\r\n` (14 bytes).
        while pending.len() >= 14 {
            pending.drain(..14);
            if stream.write_all(reply).is_err() {
                return;
            }
        }
    }
}

#[test]
fn a_dropped_handle_s_error_is_logged() {
    capture_logs();
    let (config, dir) = serve("dropped", |s| {
        answer_all(s, b"-ERR boom for a dropped handle\r\n")
    });
    let mux = Multiplexed::builder(config).build();
    drop(mux.send::<()>(&Cmd::new("PING")));
    // The next call reads the dropped handle's reply first.
    let e = mux.query::<()>(&Cmd::new("PING")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Server);
    assert!(
        logged("boom for a dropped handle"),
        "{:?}",
        LOGGED.lock().unwrap()
    );
    // A handle refused before sending logs its error too.
    drop(mux.send::<()>(&Cmd::new("BLPOP").arg("q").arg(0)));
    assert!(logged("BLPOP cannot run on a multiplexed connection"));
    let _ = std::fs::remove_dir_all(dir);
}

/// A server that reads nothing: a large write blocks; a command queued
/// behind it times out before it is sent ("did not run", taken out of the
/// queue); the write that cannot finish fails the connection, saying its
/// command did not run (it was never completely written).
#[test]
fn a_command_stuck_behind_a_write_times_out_unsent() {
    capture_logs();
    let (config, dir) = serve("never-reads", |s| {
        std::thread::sleep(Duration::from_secs(5));
        drop(s);
    });
    let mux = Multiplexed::builder(config).max_retries(0).build();
    let big = vec![b'x'; 8 << 20];
    std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            let cmd = Cmd::new("SET")
                .arg("k")
                .arg(&big[..])
                .timeout(Duration::from_millis(600));
            mux.query::<()>(&cmd).unwrap_err()
        });
        std::thread::sleep(Duration::from_millis(100));
        let started = Instant::now();
        let e = mux
            .query::<String>(&Cmd::new("PING").timeout(Duration::from_millis(150)))
            .unwrap_err();
        assert_eq!(
            (e.kind(), e.executed()),
            (ErrorKind::Timeout, Executed::No),
            "{e}"
        );
        assert!(e.to_string().contains("before the command was sent"), "{e}");
        assert!(started.elapsed() < Duration::from_millis(500));
        let e = writer.join().unwrap();
        assert_eq!(
            (e.kind(), e.executed()),
            (ErrorKind::Timeout, Executed::No),
            "{e}"
        );
    });
    assert!(
        !mux.is_connected(),
        "the connection stuck mid-command was closed"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A server that reads nothing, with a second caller whose command is
/// queued behind a large write: the writer times out first and leaves the
/// rest of its write to the connection ("may have run": part of it went
/// out); the second caller takes that rest up, cannot write it either, and
/// at its own deadline, nobody else having a stake, fails the connection:
/// its command was never sent ("did not run").
#[test]
fn a_write_given_up_is_taken_up_then_fails_at_the_last_deadline() {
    let (config, dir) = serve("never-reads-two", |s| {
        std::thread::sleep(Duration::from_secs(5));
        drop(s);
    });
    let mux = Multiplexed::builder(config).max_retries(0).build();
    let big = vec![b'x'; 8 << 20];
    std::thread::scope(|scope| {
        let writer = scope.spawn(|| {
            let cmd = Cmd::new("SET")
                .arg("k")
                .arg(&big[..])
                .timeout(Duration::from_millis(300));
            let started = Instant::now();
            (mux.query::<()>(&cmd).unwrap_err(), started.elapsed())
        });
        std::thread::sleep(Duration::from_millis(100));
        let started = Instant::now();
        let e = mux
            .query::<String>(&Cmd::new("PING").timeout(Duration::from_millis(1200)))
            .unwrap_err();
        let waited = started.elapsed();
        assert_eq!(
            (e.kind(), e.executed()),
            (ErrorKind::Timeout, Executed::No),
            "{e}"
        );
        assert!(waited >= Duration::from_millis(1000), "{waited:?}: {e}");
        let (e, took) = writer.join().unwrap();
        assert_eq!(
            (e.kind(), e.executed()),
            (ErrorKind::Timeout, Executed::Maybe),
            "{e}"
        );
        assert!(
            took < Duration::from_millis(900),
            "the writer took {took:?}"
        );
    });
    assert!(
        !mux.is_connected(),
        "the connection stuck mid-command was closed"
    );
    let _ = std::fs::remove_dir_all(dir);
}

/// A server whose first reply never ends (an array of two billion
/// elements announced, then silence), then answers normally on a new
/// connection: callers behind the reply nobody awaits any more time out
/// until the oldest request is older than the connection's response
/// timeout; then the connection is replaced, and the next call gets its
/// own reply.
#[test]
fn a_connection_stuck_behind_a_reply_nobody_awaits_is_replaced() {
    let connections = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let seen = std::sync::Arc::clone(&connections);
    let (config, dir) = serve("stuck-reply", move |mut s| {
        if seen.fetch_add(1, std::sync::atomic::Ordering::SeqCst) == 0 {
            let mut buf = [0u8; 64];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"*2000000000\r\n$1\r\nx\r\n");
            std::thread::sleep(Duration::from_secs(10));
        } else {
            answer_all(s, b"+PONG\r\n");
        }
    });
    let mux = Multiplexed::builder(config.timeout(Some(Duration::from_millis(700))))
        .max_retries(0)
        .build();
    let ping = |ms| mux.query::<String>(&Cmd::new("PING").timeout(Duration::from_millis(ms)));
    let started = Instant::now();
    let e = ping(200).unwrap_err();
    assert_eq!(
        (e.kind(), e.executed()),
        (ErrorKind::Timeout, Executed::Maybe),
        "{e}"
    );
    // Behind the first reply, which never ends: timeouts, until the
    // oldest request is older than the 700 ms response timeout.
    let mut answered = None;
    while started.elapsed() < Duration::from_secs(5) {
        match ping(200) {
            Ok(pong) => {
                answered = Some((pong, started.elapsed()));
                break;
            }
            Err(e) => assert_eq!(e.kind(), ErrorKind::Timeout, "{e}"),
        }
    }
    let (pong, after) = answered.expect("a call answered within 5 s");
    assert_eq!(pong, "PONG");
    assert!(after >= Duration::from_millis(700), "{after:?}");
    assert_eq!(connections.load(std::sync::atomic::Ordering::SeqCst), 2);
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn multiplexed_is_send_sync_and_clone() {
    fn check<T: Send + Sync + Clone>() {}
    check::<Multiplexed>();
    fn send<T: Send>() {}
    send::<super::Pending<i64>>();
}
