//! The session's state tracking against a real `redis-server` (skipped
//! when none is installed).

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{Outcome, Session};
use crate::options::parse_with;

struct Server {
    child: Child,
    dir: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn server() -> Option<(Server, PathBuf)> {
    let dir = std::env::temp_dir().join(format!("redis-cli-rs-session-{}", std::process::id()));
    std::fs::create_dir_all(&dir).ok()?;
    let sock = dir.join("redis.sock");
    let child = Command::new("redis-server")
        .args([
            "--port",
            "0",
            "--save",
            "",
            "--appendonly",
            "no",
            "--unixsocket",
        ])
        .arg(&sock)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let server = Server { child, dir };
    let deadline = Instant::now() + Duration::from_secs(10);
    while !sock.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    Some((server, sock))
}

fn run(session: &mut Session, args: &[&str]) -> (Outcome, String, String) {
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let argv = args.iter().map(|a| a.as_bytes().to_vec()).collect();
    let outcome = session.execute(argv, &mut out, &mut err);
    (
        outcome,
        String::from_utf8_lossy(&out).into_owned(),
        String::from_utf8_lossy(&err).into_owned(),
    )
}

#[test]
fn prompt_database_transaction_and_quit() {
    let Some((_server, sock)) = server() else {
        eprintln!("no redis-server: skipped");
        return;
    };
    let sock_arg = sock.display().to_string();
    let opts = parse_with(["-s".into(), sock_arg.clone().into()], true).unwrap();
    let mut session = Session::new(&opts);
    session.set_interactive(true);
    assert_eq!(session.prompt(), "not connected> ");
    session.connect().unwrap();
    assert_eq!(session.prompt(), format!("redis {sock_arg}> "));
    assert_eq!(run(&mut session, &["SELECT", "2"]).1, "OK\n");
    assert_eq!(session.db(), 2);
    assert_eq!(run(&mut session, &["MULTI"]).0, Outcome::Ok);
    assert!(session.in_transaction());
    assert_eq!(session.prompt(), format!("redis {sock_arg}[2](TX)> "));
    assert_eq!(run(&mut session, &["SELECT", "3"]).1, "QUEUED\n");
    assert_eq!(run(&mut session, &["DISCARD"]).1, "OK\n");
    assert!(!session.in_transaction());
    assert_eq!(session.db(), 2);
    let (outcome, out, _) = run(&mut session, &["NOSUCHCOMMAND"]);
    assert_eq!(outcome, Outcome::ErrorReply);
    assert!(out.starts_with("(error) ERR unknown command"));
    assert_eq!(
        run(&mut session, &["RPUSH", "l", "a", "b"]).1,
        "(integer) 2\n"
    );
    assert_eq!(
        run(&mut session, &["LRANGE", "l", "0", "-1"]).1,
        "1) \"a\"\n2) \"b\"\n"
    );
    assert_eq!(run(&mut session, &["exit"]).0, Outcome::Quit);
    // A lost connection is reported, then reopened by the next command
    // (on the database selected before).
    let _ = run(
        &mut session,
        &["CLIENT", "KILL", "TYPE", "normal", "SKIPME", "no"],
    );
    let (outcome, _, err) = run(&mut session, &["PING"]);
    // EOF, or the write failing first (EPIPE), or a reset: which one
    // depends on how far the kernel got with the closed socket.
    assert_eq!(outcome, Outcome::Failed);
    let expected = [
        "Error: Broken pipe\n",
        "Error: Server closed the connection\n",
        "Error: Connection reset by peer\n",
    ];
    assert!(expected.contains(&err.as_str()), "{err:?}");
    assert!(!session.is_connected());
    assert_eq!(run(&mut session, &["LLEN", "l"]).1, "(integer) 2\n");
    assert_eq!(session.db(), 2);
}

#[test]
fn connect_failures_are_reported_not_printed() {
    let opts = parse_with(["-s".into(), "/nonexistent/redis.sock".into()], false).unwrap();
    let mut session = Session::new(&opts);
    assert_eq!(
        session.connect().unwrap_err(),
        "Could not connect to Redis at /nonexistent/redis.sock: No such file or directory"
    );
    assert!(!session.is_connected());
    let (outcome, out, err) = run(&mut session, &["PING"]);
    assert_eq!(outcome, Outcome::Failed);
    assert_eq!(out, "");
    assert!(err.starts_with("Could not connect to Redis at /nonexistent/redis.sock"));
}
