//! `--pipe`: send the raw protocol read from stdin while reading the
//! replies, then an `ECHO` of 20 random bytes whose reply proves every
//! reply arrived. Errors are printed on stderr as they come; the summary
//! says how many errors and replies there were, and the exit code is 1
//! when there were errors.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use resp_core::Frame;

use crate::conn::strerror;
use crate::format::until_nul;
use crate::options::Options;
use crate::session::Session;

/// At most this much is written before replies are read again.
const WRITE_LOOP_MAX: usize = 128 * 1024;

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

/// Waits until the socket is readable and/or writable (up to 1 s).
fn wait(fd: i32, write: bool) -> (bool, bool) {
    let mut pfd = libc::pollfd {
        fd,
        events: libc::POLLIN | if write { libc::POLLOUT } else { 0 },
        revents: 0,
    };
    // SAFETY: one valid pollfd.
    let n = unsafe { libc::poll(&mut pfd, 1, 1000) };
    if n <= 0 {
        return (false, false);
    }
    let readable = pfd.revents & (libc::POLLIN | libc::POLLHUP | libc::POLLERR) != 0;
    (readable, pfd.revents & libc::POLLOUT != 0)
}

pub(super) fn run(opts: &Options, session: &mut Session) -> i32 {
    let Some(mut conn) = session.take_conn() else {
        return 1;
    };
    if let Err(e) = conn.set_nonblocking() {
        return super::fail(&format!("Error: {}", strerror(&e)));
    }
    let magic = magic();
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let (mut errors, mut replies) = (0i64, 0i64);
    let mut obuf: Vec<u8> = Vec::new();
    let mut pos = 0;
    let mut eof = false;
    let mut done = false;
    let mut last_read = Instant::now();
    let mut chunk = vec![0u8; 16 * 1024];
    while !done {
        let (readable, writable) = wait(conn.fd(), !eof || pos < obuf.len());
        if readable {
            let read_error = loop {
                match conn.fill() {
                    Ok(true) => continue,
                    Ok(false) => break false,
                    Err(_) => break true,
                }
            };
            loop {
                let frame = match conn.buffered_frame() {
                    Ok(Some(frame)) => frame,
                    Ok(None) => break,
                    Err(_) => return super::fail("Error reading replies from server"),
                };
                last_read = Instant::now();
                match &frame {
                    Frame::Error(e) | Frame::BulkError(e) => {
                        let _ = stdout.lock().flush();
                        eprintln!("{}", String::from_utf8_lossy(until_nul(e)));
                        errors += 1;
                    }
                    Frame::Bulk(b) if eof && b.len() == 20 && b[..] == magic[..] => {
                        println!("Last reply received from server.");
                        done = true;
                        replies -= 1;
                    }
                    _ => {}
                }
                replies += 1;
            }
            if read_error {
                let _ = stdout.lock().flush();
                return 1;
            }
        }
        if writable {
            let mut written = 0;
            loop {
                if pos < obuf.len() {
                    match conn.write_some(&obuf[pos..]) {
                        Ok(n) => {
                            pos += n;
                            written += n;
                        }
                        Err(e) => {
                            return super::fail(&format!(
                                "Error writing to the server: {}",
                                strerror(&e)
                            ))
                        }
                    }
                    if pos < obuf.len() {
                        break;
                    }
                }
                if pos == obuf.len() && !eof {
                    match input.read(&mut chunk) {
                        Ok(0) => {
                            eof = true;
                            obuf = b"\r\n*2\r\n$4\r\nECHO\r\n$20\r\n".to_vec();
                            obuf.extend_from_slice(&magic);
                            obuf.extend_from_slice(b"\r\n");
                            pos = 0;
                            println!("All data transferred. Waiting for the last reply...");
                        }
                        Ok(n) => {
                            obuf.clear();
                            obuf.extend_from_slice(&chunk[..n]);
                            pos = 0;
                        }
                        Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                        Err(e) => {
                            return super::fail(&format!(
                                "Error reading from stdin: {}",
                                strerror(&e)
                            ))
                        }
                    }
                }
                if (pos == obuf.len() && eof) || written > WRITE_LOOP_MAX {
                    break;
                }
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
