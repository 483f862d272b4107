//! One connection's socket as the multiplexed connection drives it: one
//! thread writes while another reads.
//!
//! A plaintext socket is used through a duplicate of its descriptor:
//! writes never wait inside `send` (`MSG_DONTWAIT`, then `poll` for room),
//! and the reader waits inside `recv`, bounded by the socket's receive
//! timeout, so that a lone caller makes the same system calls as on a
//! plain [`Connection`]. A TLS stream cannot be shared that way: reads and
//! writes take turns on it, each without waiting, and wait with `poll`
//! outside the lock.

use std::io::{self, IoSlice};
use std::os::fd::RawFd;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use resp_core::Decoder;

use crate::config::Addr;
use crate::error::{Error, ErrorKind, Executed, Result};
use crate::net;
use crate::Connection;

/// The read buffer's resting size and the least free space a read gets.
const READ_CHUNK: usize = 16 * 1024;
/// Read buffers above this size are released once empty.
const KEEP_READ_BUFFER: usize = 4 * 1024 * 1024;

/// One connection, shared by the threads that write and read it.
pub(super) struct Link {
    /// Which connection of the multiplexed connection this is (1, 2, ...).
    pub generation: u64,
    pub addr: Addr,
    /// The connection: it owns the socket (and, for TLS, the stream that
    /// reads and writes go through).
    conn: Mutex<Connection>,
    /// A duplicate of the socket: plaintext I/O, and shutting it down.
    socket: socket2::Socket,
    fd: RawFd,
    tls: bool,
    /// What the thread holding the read token reads into.
    pub read: Mutex<ReadSide>,
}

/// The reading state: owned by the thread holding the read token.
pub(super) struct ReadSide {
    pub decoder: Decoder,
    pub buf: Vec<u8>,
    pub pos: usize,
    pub len: usize,
    /// The socket's receive timeout, as last set.
    timeout_set: Option<Duration>,
}

/// What a read did.
pub(super) enum Read {
    /// Bytes arrived.
    Data,
    /// Nothing arrived within the wait; look at the deadline.
    Waited,
}

impl Link {
    /// Takes over an open, authenticated connection.
    pub fn new(mut conn: Connection, generation: u64, limits: resp_core::Limits) -> Result<Link> {
        let unread = conn.take_unread();
        let socket = conn.shutdown_handle().ok_or_else(|| {
            Error::new(
                ErrorKind::Io,
                Executed::No,
                format!("{}: cannot duplicate the socket", conn.addr()),
            )
        })?;
        let (fd, tls) = (conn.stream().fd(), conn.stream().is_tls());
        let decoder = Decoder::with_limits(limits);
        let mut buf = vec![0; READ_CHUNK.max(unread.len() * 2)];
        buf[..unread.len()].copy_from_slice(&unread);
        Ok(Link {
            generation,
            addr: conn.addr().clone(),
            conn: Mutex::new(conn),
            socket,
            fd,
            tls,
            read: Mutex::new(ReadSide {
                decoder,
                buf,
                pos: 0,
                len: unread.len(),
                timeout_set: None,
            }),
        })
    }

    pub fn read_side(&self) -> MutexGuard<'_, ReadSide> {
        self.read.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Closes the socket both ways: a thread waiting on it wakes with an
    /// error.
    pub fn shutdown(&self) {
        let _ = self.socket.shutdown(std::net::Shutdown::Both);
    }

    /// Writes what the socket takes now, without waiting: how many bytes
    /// (0: no room).
    ///
    /// # Errors
    ///
    /// The connection closed or failed.
    pub fn write_now(&self, bytes: &[u8]) -> Result<usize> {
        loop {
            let result = if self.tls {
                self.conn()
                    .stream_mut()
                    .write_vectored(&[IoSlice::new(bytes)])
            } else {
                self.socket
                    .send_with_flags(bytes, libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL)
            };
            return match result {
                Ok(0) if !bytes.is_empty() => Err(Error::new(
                    ErrorKind::Io,
                    Executed::No,
                    format!("writing to {}: connection closed", self.addr),
                )),
                Ok(n) => Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(0),
                Err(e) => Err(Error::io(
                    Executed::No,
                    &format!("writing to {}", self.addr),
                    e,
                )),
            };
        }
    }

    /// Waits until the socket has room for writing or, with `read`, bytes
    /// to read (true), or `until` passes (`Ok(None)`).
    ///
    /// # Errors
    ///
    /// The wait itself failed.
    pub fn wait_room(&self, read: bool, until: Option<Instant>) -> Result<Option<bool>> {
        match net::wait(self.fd, read, true, until) {
            Ok(ready) => Ok(Some(read && ready.readable)),
            Err(e) if e.kind() == io::ErrorKind::TimedOut => Ok(None),
            Err(e) => Err(Error::io(Executed::No, "waiting on the socket", e)),
        }
    }

    /// The error of a write that found no room before its deadline.
    pub fn write_timed_out(&self) -> Error {
        Error::new(
            ErrorKind::Timeout,
            Executed::No,
            format!(
                "timed out writing to {}: the server reads nothing",
                self.addr
            ),
        )
    }

    /// Reads what arrives before `deadline` into `rs`.
    ///
    /// # Errors
    ///
    /// The end of the stream, or an I/O failure: the connection is lost.
    pub fn read(&self, rs: &mut ReadSide, deadline: Option<Instant>) -> Result<Read> {
        rs.reserve();
        if self.tls {
            return self.read_tls(rs, deadline);
        }
        let left = match deadline {
            None => None,
            Some(d) => match d.checked_duration_since(Instant::now()) {
                Some(left) if !left.is_zero() => Some(left),
                _ => return Ok(Read::Waited),
            },
        };
        if let Err(e) = fit_receive_timeout(&self.socket, left, &mut rs.timeout_set) {
            return Err(Error::io(Executed::No, "setting the receive timeout", e));
        }
        let result = net::recv(self.fd, &mut rs.buf[rs.len..], 0);
        self.took(rs, result)
    }

    fn read_tls(&self, rs: &mut ReadSide, deadline: Option<Instant>) -> Result<Read> {
        loop {
            let result = self.conn().stream_mut().read(&mut rs.buf[rs.len..]);
            match self.took(rs, result)? {
                Read::Data => return Ok(Read::Data),
                Read::Waited => match net::wait(self.fd, true, false, deadline) {
                    Ok(_) => {}
                    Err(e) if e.kind() == io::ErrorKind::TimedOut => return Ok(Read::Waited),
                    Err(e) => return Err(Error::io(Executed::No, "waiting on the socket", e)),
                },
            }
        }
    }

    /// One read that does not wait.
    pub fn read_now(&self, rs: &mut ReadSide) -> Result<Read> {
        rs.reserve();
        let result = if self.tls {
            self.conn().stream_mut().read(&mut rs.buf[rs.len..])
        } else {
            net::recv(self.fd, &mut rs.buf[rs.len..], libc::MSG_DONTWAIT)
        };
        self.took(rs, result)
    }

    fn took(&self, rs: &mut ReadSide, result: io::Result<usize>) -> Result<Read> {
        match result {
            Ok(0) => Err(Error::new(
                ErrorKind::Io,
                Executed::No,
                format!("{} closed the connection", self.addr),
            )),
            Ok(n) => {
                rs.len += n;
                Ok(Read::Data)
            }
            Err(e)
                if matches!(
                    e.kind(),
                    io::ErrorKind::WouldBlock
                        | io::ErrorKind::TimedOut
                        | io::ErrorKind::Interrupted
                ) =>
            {
                Ok(Read::Waited)
            }
            Err(e) => Err(Error::io(
                Executed::No,
                &format!("reading from {}", self.addr),
                e,
            )),
        }
    }
}

impl ReadSide {
    /// The bytes read and not yet decoded.
    pub fn pending(&self) -> &[u8] {
        &self.buf[self.pos..self.len]
    }

    /// Makes room for the next read: at least a chunk, and for a large
    /// value the whole of it, the buffer at least doubling when it grows.
    fn reserve(&mut self) {
        let pending = self.len - self.pos;
        let needed = self.decoder.needed().max(pending + READ_CHUNK);
        if self.pos + needed <= self.buf.len() {
            return;
        }
        if needed <= self.buf.len() {
            self.buf.copy_within(self.pos..self.len, 0);
        } else {
            let mut bigger = vec![0; needed.max(2 * self.buf.len())];
            bigger[..pending].copy_from_slice(&self.buf[self.pos..self.len]);
            self.buf = bigger;
        }
        self.pos = 0;
        self.len = pending;
    }

    /// Resets the window once everything was decoded; lets a large buffer
    /// go.
    pub fn settle(&mut self) {
        if self.pos == self.len {
            self.pos = 0;
            self.len = 0;
            if self.buf.len() > KEEP_READ_BUFFER {
                self.buf = vec![0; READ_CHUNK];
            }
        }
    }
}

/// Makes a waiting `recv` end within `left` (`None`: never), through the
/// socket's receive timeout, set again only when the one set would
/// overshoot `left` or is far shorter than it.
fn fit_receive_timeout(
    socket: &socket2::Socket,
    left: Option<Duration>,
    current: &mut Option<Duration>,
) -> io::Result<()> {
    let Some(wanted) = crate::net::receive_timeout_for(left, *current) else {
        return Ok(());
    };
    socket.set_read_timeout(wanted)?;
    *current = wanted;
    Ok(())
}
