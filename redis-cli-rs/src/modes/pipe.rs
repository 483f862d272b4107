//! `--pipe`: send the raw protocol read from stdin while reading the
//! replies, then an `ECHO` of 20 random bytes whose reply proves every
//! reply arrived. Errors are printed on stderr as they come; the summary
//! says how many errors and replies there were, and the exit code is 1
//! when there were errors.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use resp_core::Frame;

use crate::conn::{strerror, ReadError};
use crate::format::until_nul;
use crate::options::Options;
use crate::session::Session;

/// At most this much of stdin is sent before the replies that came are
/// read.
const READ_CHUNK: usize = 16 * 1024;

/// How long to wait for replies at a time once everything is sent.
const WAIT: Duration = Duration::from_secs(1);

fn magic() -> [u8; 20] {
    let mut seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64)
        ^ (u64::from(std::process::id()) << 32);
    let mut bytes = [0u8; 20];
    for b in &mut bytes {
        // xorshift64*
        seed ^= seed >> 12;
        seed ^= seed << 25;
        seed ^= seed >> 27;
        *b = (seed.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 56) as u8;
    }
    bytes
}

pub(super) fn run(opts: &Options, session: &mut Session) -> i32 {
    let Some(mut conn) = session.take_conn() else {
        return 1;
    };
    let magic = magic();
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let (mut errors, mut replies) = (0i64, 0i64);
    let mut eof = false;
    let mut last_read = Instant::now();
    let mut chunk = vec![0u8; READ_CHUNK];
    'transfer: loop {
        // Every reply already here; once the input is all sent, wait for
        // more (a second at a time, for the timeout below).
        let mut wait = if eof { WAIT } else { Duration::ZERO };
        loop {
            let frame = match conn.next_frame(Some(wait)) {
                Ok(Some(frame)) => frame,
                Ok(None) => break,
                Err(ReadError::Protocol(_)) => {
                    return super::fail("Error reading replies from server")
                }
                Err(_) => {
                    let _ = stdout.lock().flush();
                    return 1;
                }
            };
            wait = Duration::ZERO;
            last_read = Instant::now();
            match &frame {
                Frame::Error(e) | Frame::BulkError(e) => {
                    let _ = stdout.lock().flush();
                    eprintln!("{}", String::from_utf8_lossy(until_nul(e)));
                    errors += 1;
                }
                Frame::Bulk(b) if eof && b.len() == 20 && b[..] == magic[..] => {
                    println!("Last reply received from server.");
                    break 'transfer;
                }
                _ => {}
            }
            replies += 1;
        }
        if !eof {
            let sent = match input.read(&mut chunk) {
                Ok(0) => {
                    eof = true;
                    println!("All data transferred. Waiting for the last reply...");
                    let mut echo = b"\r\n*2\r\n$4\r\nECHO\r\n$20\r\n".to_vec();
                    echo.extend_from_slice(&magic);
                    echo.extend_from_slice(b"\r\n");
                    conn.send_bytes(&echo)
                }
                Ok(n) => conn.send_bytes(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => Ok(()),
                Err(e) => {
                    return super::fail(&format!("Error reading from stdin: {}", strerror(&e)))
                }
            };
            if let Err(e) = sent {
                return super::fail(&format!("Error writing to the server: {e}"));
            }
        }
        let timeout = opts.pipe_timeout;
        if eof && timeout > 0 && last_read.elapsed() > Duration::from_secs(timeout as u64 + 1) {
            let _ = stdout.lock().flush();
            eprintln!("No replies for {timeout} seconds: exiting.");
            errors += 1;
            break;
        }
    }
    println!("errors: {errors}, replies: {replies}");
    i32::from(errors > 0)
}
