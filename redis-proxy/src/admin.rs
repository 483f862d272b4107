//! The admin listener: RESP in, RESP out, so that `redis-cli -p <admin>`
//! drives the proxy at run time.
//!
//! | command | reply |
//! |---|---|
//! | `FAULT ADD <json> [<json> ...]` | the names of the faults added (all at once; same name replaces) |
//! | `FAULT DEL <name> [<name> ...]` | how many were removed |
//! | `FAULT LIST` | one JSON object per fault, with its counters |
//! | `FAULT RESET` | `OK`: no faults, not paused, not refusing |
//! | `PAUSE`, `RESUME` | `OK`: black-hole every connection, then let it flow |
//! | `KILL` | how many connections were closed |
//! | `STATS` | the counters, as `INFO` text |
//! | `PING`, `QUIT`, `HELP` | as in Redis |

use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::thread;

use resp_core::{encode, RequestDecoder, Status};

use crate::config::{self, FaultRef};
use crate::poll::{self, Wait, IN};
use crate::shared::{lock, Shared};

/// Bytes of requests an admin connection may have pending.
const MAX_REQUEST: usize = 4 << 20;

const HELP: &[&str] = &[
    "FAULT ADD <json> [<json> ...] -- add faults (rules, toxics, arrays or {\"faults\": [...], \"toxics\": [...]}) atomically",
    "FAULT DEL <name> [<name> ...] -- remove faults by name",
    "FAULT LIST -- every fault, as JSON with its counters",
    "FAULT RESET -- remove every fault, resume, accept connections",
    "PAUSE -- stop forwarding on every connection (nothing is closed)",
    "RESUME -- forward again",
    "KILL -- close every client connection",
    "STATS -- counters per command and per fault",
];

/// Binds the admin listener and serves it in a thread.
pub(crate) fn start(shared: &Arc<Shared>, addr: SocketAddr) -> io::Result<SocketAddr> {
    let listener = TcpListener::bind(addr)?;
    listener.set_nonblocking(true)?;
    let local = listener.local_addr()?;
    let (waker, wake) = poll::waker()?;
    let thread_shared = Arc::clone(shared);
    let thread = thread::Builder::new()
        .name(format!("pxadmin{}", local.port()))
        .spawn(move || accept_loop(&thread_shared, &listener, &wake))?;
    lock(&shared.listener_wakers).push(waker);
    lock(&shared.threads).push(thread);
    Ok(local)
}

fn accept_loop(shared: &Arc<Shared>, listener: &TcpListener, wake: &poll::WakeReceiver) {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    use std::os::fd::AsRawFd;
    while !shared.is_stopping() {
        let mut waits = [
            Wait::new(listener.as_raw_fd(), IN),
            Wait::new(wake.fd(), IN),
        ];
        poll::wait(&mut waits, None);
        if waits[1].revents != 0 {
            wake.drain();
        }
        if shared.is_stopping() {
            break;
        }
        let Ok((stream, _)) = listener.accept() else {
            continue;
        };
        let id = NEXT.fetch_add(1, Ordering::Relaxed);
        let Ok(clone) = stream.try_clone() else {
            continue;
        };
        let _ = stream.set_nonblocking(false);
        lock(&shared.admin_conns).insert(id, clone);
        let thread_shared = Arc::clone(shared);
        let spawned = thread::Builder::new()
            .name(format!("pxa:{id}"))
            .spawn(move || {
                serve(&thread_shared, stream);
                lock(&thread_shared.admin_conns).remove(&id);
            });
        if let Ok(thread) = spawned {
            let mut threads = lock(&shared.threads);
            threads.retain(|t| !t.is_finished());
            threads.push(thread);
        }
    }
}

/// Serves one admin connection until it closes or sends garbage.
fn serve(shared: &Shared, mut stream: TcpStream) {
    let mut decoder = RequestDecoder::new();
    let mut buf = Vec::new();
    let mut chunk = [0; 16 * 1024];
    loop {
        let mut out = Vec::new();
        let mut start = 0;
        let mut quit = false;
        loop {
            match decoder.decode(&buf[start..]) {
                Ok(Status::Complete((args, used))) => {
                    start += used;
                    let args: Vec<Vec<u8>> = args.into_iter().map(|a| a.into_owned()).collect();
                    quit = execute(shared, &args, &mut out);
                    if quit {
                        break;
                    }
                }
                Ok(Status::Partial) => break,
                Err(e) => {
                    out.extend_from_slice(format!("-ERR Protocol error: {e}\r\n").as_bytes());
                    quit = true;
                    break;
                }
            }
        }
        buf.drain(..start);
        if stream.write_all(&out).is_err() || quit || shared.is_stopping() {
            return;
        }
        match stream.read(&mut chunk) {
            Ok(0) | Err(_) => return,
            Ok(n) if buf.len() + n > MAX_REQUEST => {
                let _ = stream.write_all(b"-ERR request too large\r\n");
                return;
            }
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
    }
}

fn simple(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(b"+");
    out.extend_from_slice(s.as_bytes());
    out.extend_from_slice(b"\r\n");
}

fn error(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(b"-");
    out.extend_from_slice(s.replace(['\r', '\n'], " ").as_bytes());
    out.extend_from_slice(b"\r\n");
}

fn integer(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(format!(":{n}\r\n").as_bytes());
}

fn bulks<S: AsRef<[u8]>>(out: &mut Vec<u8>, items: &[S]) {
    encode::write_header(out, b'*', items.len());
    for item in items {
        encode::write_bulk(out, item.as_ref());
    }
}

/// Runs one admin command, appending its reply; true to close after.
pub(crate) fn execute(shared: &Shared, args: &[Vec<u8>], out: &mut Vec<u8>) -> bool {
    let word = |i: usize| {
        args.get(i)
            .map(|a| String::from_utf8_lossy(a).to_ascii_uppercase())
    };
    let Some(command) = word(0) else {
        return false;
    };
    match (command.as_str(), word(1).as_deref(), args.len()) {
        ("PING", _, 1) => simple(out, "PONG"),
        ("PING", _, 2) => encode::write_bulk(out, &args[1]),
        ("QUIT", _, _) => {
            simple(out, "OK");
            return true;
        }
        ("HELP", _, _) => bulks(out, HELP),
        ("COMMAND", _, _) => encode::write_header(out, b'*', 0),
        ("PAUSE", _, 1) => {
            shared.set_paused(true);
            log::info!("paused");
            simple(out, "OK");
        }
        ("RESUME", _, 1) => {
            shared.set_paused(false);
            log::info!("resumed");
            simple(out, "OK");
        }
        ("KILL", _, 1) => {
            let n = shared.kill_all();
            log::info!("killed {n} connections");
            integer(out, n);
        }
        ("STATS", _, 1) => encode::write_bulk(out, shared.stats().to_info().as_bytes()),
        ("FAULT", Some("ADD"), n) if n >= 3 => fault_add(shared, &args[2..], out),
        ("FAULT", Some("DEL"), n) if n >= 3 => {
            let mut removed = 0;
            for name in &args[2..] {
                let name = String::from_utf8_lossy(name).into_owned();
                if shared.change_faults(|set| set.remove(&name)) {
                    log::info!("fault {name:?} removed");
                    removed += 1;
                }
            }
            integer(out, removed);
        }
        ("FAULT", Some("LIST"), 2) => {
            let faults = shared.faults();
            let mut items = Vec::new();
            for rule in faults.rules() {
                items.push(config::describe(&FaultRef::Rule(rule)).to_string());
            }
            for toxic in faults.toxics() {
                items.push(config::describe(&FaultRef::Toxic(toxic)).to_string());
            }
            bulks(out, &items);
        }
        ("FAULT", Some("RESET"), 2) => {
            reset(shared);
            simple(out, "OK");
        }
        ("FAULT", _, _) => error(
            out,
            "ERR syntax: FAULT ADD <json> ... | FAULT DEL <name> ... | FAULT LIST | FAULT RESET",
        ),
        ("PING" | "PAUSE" | "RESUME" | "KILL" | "STATS", _, _) => error(
            out,
            &format!(
                "ERR wrong number of arguments for '{}' command",
                command.to_ascii_lowercase()
            ),
        ),
        _ => error(
            out,
            &format!(
                "ERR unknown command '{}' for the proxy's admin listener, try HELP",
                String::from_utf8_lossy(&args[0])
            ),
        ),
    }
    false
}

/// No faults, not paused, not refusing.
pub(crate) fn reset(shared: &Shared) {
    shared.change_faults(|set| *set = crate::faults::FaultSet::default());
    shared.refuse.store(false, Ordering::SeqCst);
    shared.set_paused(false);
    log::info!("faults reset");
}

fn fault_add(shared: &Shared, jsons: &[Vec<u8>], out: &mut Vec<u8>) {
    let mut faults = Vec::new();
    for json in jsons {
        let text = String::from_utf8_lossy(json);
        match config::parse_faults(&text) {
            Ok(mut parsed) => faults.append(&mut parsed),
            Err(e) => return error(out, &format!("ERR {e}")),
        }
    }
    let names = shared.add_faults(faults);
    bulks(out, &names);
}
