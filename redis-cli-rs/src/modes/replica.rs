//! `--replica` (`--slave`): connect as a replica (`REPLCONF capa eof`,
//! `REPLCONF rdb-filter-only ""`, `SYNC`), discard the RDB, then print
//! every command of the replication stream in CSV, until the server
//! closes the connection (`Error: Server closed the connection`, exit 1),
//! as `redis-cli`'s `slaveMode`.
//!
//! Asking for `rdb-filter-only` makes a 7.0 master send a diskless
//! payload, after which `redis-cli` sends `REPLCONF ACK 0` with
//! `redisCommand`, which waits for a reply the master never sends and so
//! swallows the first frame of the stream (the `SELECT`); here the ACK is
//! only written, and every frame is printed.

use std::io::Write;

use super::rdb::{replconf, sync};
use super::sync::{Header, Payload};
use crate::format::{self, Delimiters, OutputMode};
use crate::options::Options;
use crate::session::Session;

pub(super) fn run(opts: &Options, session: &mut Session) -> i32 {
    let Some(mut conn) = session.take_conn() else {
        return 1;
    };
    let timeout = opts.timeout;
    let header = (|| {
        replconf(&mut conn, "capa", "eof")?;
        replconf(&mut conn, "rdb-filter-only", "")?;
        sync(&mut conn, timeout)
    })();
    let header = match header {
        Ok(header) => header,
        Err(code) => return code,
    };
    let mut payload = Payload::new(&header);
    match &header {
        Header::Length(n) => {
            eprintln!("SYNC with master, discarding {n} bytes of bulk transfer...")
        }
        _ => eprintln!("SYNC with master, discarding bytes of bulk transfer until EOF marker..."),
    }
    let mut discarded = Vec::new();
    let mut done = matches!(header, Header::Length(0));
    while !done {
        let input = match conn.raw_input(0, timeout) {
            Ok(input) if !input.is_empty() => input,
            _ => {
                eprintln!("Error reading RDB payload while SYNCing");
                return 1;
            }
        };
        discarded.clear();
        let step = payload.handle(input, &mut discarded);
        conn.consume_raw(step.used);
        done = step.done;
    }
    if payload.uses_mark() {
        eprintln!(
            "SYNC done after {} bytes. Logging commands from master.",
            payload.delivered() + super::sync::EOF_MARK_SIZE as u64
        );
        // The master puts a diskless replica online on its first ACK.
        std::thread::sleep(std::time::Duration::from_secs(1));
        eprintln!("sending REPLCONF ACK 0");
        let mut ack = Vec::new();
        resp_core::encode::write_command(&mut ack, ["REPLCONF", "ACK", "0"]);
        if conn.send_bytes(&ack).is_err() {
            eprintln!("\nI/O error");
            return 1;
        }
    } else {
        eprintln!("SYNC done. Logging commands from master.");
    }
    let stdout = std::io::stdout();
    loop {
        match conn.next_frame(timeout) {
            Ok(Some(frame)) => {
                let text =
                    format::format_reply(&frame, OutputMode::Csv, false, Delimiters::default());
                let mut out = stdout.lock();
                let _ = out.write_all(&text);
                let _ = out.flush();
            }
            Ok(None) => {
                eprintln!("Error: {}", crate::conn::TIMED_OUT);
                return 1;
            }
            Err(e) => {
                eprintln!("Error: {e}");
                return 1;
            }
        }
    }
}
