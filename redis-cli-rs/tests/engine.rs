//! The CLI on the same engine: a flood of pushes while a call waits costs
//! no memory, and a server that answers once too often never shifts the
//! replies printed for later commands.

use std::io::{Read, Write};
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use integration_tests::hostile::Hostile;

fn ours() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_redis-cli-rs"))
}

/// The resident memory of process `pid`, in KiB.
fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

#[test]
fn a_push_flood_while_a_call_waits_costs_no_memory() {
    // RESP3: HELLO gets a map; GET gets two seconds of pushes, then its
    // reply.
    let server = Hostile::start(|mut peer| {
        while let Some(argv) = peer.read_command() {
            if argv[0].eq_ignore_ascii_case(b"HELLO") {
                peer.send(b"%1\r\n+proto\r\n:3\r\n");
                continue;
            }
            let push = b">2\r\n$10\r\ninvalidate\r\n*1\r\n$8\r\nsome-key\r\n".repeat(2048);
            let until = Instant::now() + Duration::from_secs(2);
            while Instant::now() < until {
                if !peer.send(&push) {
                    return;
                }
            }
            peer.send(b"$1\r\nv\r\n");
        }
    });
    let mut child = Command::new(ours())
        .args(["-p", &server.port().to_string(), "-3", "GET", "k"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut peak = 0;
    while child.try_wait().unwrap().is_none() {
        peak = peak.max(rss_kib(pid).unwrap_or(0));
        thread::sleep(Duration::from_millis(20));
    }
    let mut stdout = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut stdout)
        .unwrap();
    assert_eq!(stdout, "v\n");
    assert!(peak < 64 * 1024, "peak resident memory {} MiB", peak / 1024);
}

#[test]
fn a_reply_too_many_never_shifts_the_printed_replies() {
    // The first PING is answered twice; everything else once.
    let server = Hostile::start(|mut peer| {
        let mut first = true;
        while let Some(argv) = peer.read_command() {
            let reply: Vec<u8> = if argv[0].eq_ignore_ascii_case(b"PING") {
                let once = b"+PONG\r\n".to_vec();
                if std::mem::take(&mut first) {
                    once.repeat(2)
                } else {
                    once
                }
            } else {
                let word = argv.get(1).cloned().unwrap_or_default();
                let mut r = format!("${}\r\n", word.len()).into_bytes();
                r.extend_from_slice(&word);
                r.extend_from_slice(b"\r\n");
                r
            };
            peer.send(&reply);
        }
    });
    let mut child = Command::new(ours())
        .args(["-p", &server.port().to_string()])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"PING\nECHO hello\nECHO world\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.first(), Some(&"PONG"), "{stdout}");
    // The stray PONG is never printed as ECHO's reply: a later reply is the
    // right one, or the command failed.
    assert_eq!(
        lines.iter().filter(|l| **l == "PONG").count(),
        1,
        "{stdout}"
    );
    assert!(lines.contains(&"world"), "{stdout}");
}
