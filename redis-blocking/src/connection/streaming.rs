//! Streaming mode: connections where the server talks unprompted
//! (`SUBSCRIBE` in RESP2, `MONITOR`), read frame by frame.

use std::io;
use std::os::fd::RawFd;
use std::time::{Duration, Instant};

use resp_core::client::{Event, Mode};
use resp_core::Status;

use super::{Connection, Read};
use crate::cmd::Segments;
use crate::error::{Error, ErrorKind, Executed, Result};
use crate::net;
use crate::types::Value;
use crate::Cmd;

impl Connection {
    /// Switches the connection to streaming mode and writes `cmd`
    /// (`SUBSCRIBE`, `PSUBSCRIBE`, `SSUBSCRIBE`, `MONITOR`, ...). From then
    /// on, every frame the server sends, replies included, is read with
    /// [`next_frame`](Connection::next_frame); more commands can be written
    /// with [`send_in_stream`](Connection::send_in_stream). A streaming
    /// connection cannot go back to regular calls: close it when done.
    ///
    /// # Errors
    ///
    /// A failure writing, which closes the connection.
    pub fn start_stream(&mut self, cmd: &Cmd<'_>) -> Result<()> {
        self.conv.set_mode(Mode::Events);
        self.send_in_stream(cmd)
    }

    /// Writes a command on a streaming connection; its replies come through
    /// [`next_frame`](Connection::next_frame).
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidCommand`] if the connection is not streaming; a
    /// failure writing, which closes it.
    pub fn send_in_stream(&mut self, cmd: &Cmd<'_>) -> Result<()> {
        let mut segments = Segments::default();
        cmd.write_segments(&mut segments);
        self.write_in_stream(&segments)
    }

    /// Writes raw protocol bytes on a streaming connection (for tools that
    /// pipe prepared commands, like `redis-cli --pipe`).
    ///
    /// # Errors
    ///
    /// As [`send_in_stream`](Connection::send_in_stream).
    pub fn send_bytes_in_stream(&mut self, bytes: &[u8]) -> Result<()> {
        self.conv.set_mode(Mode::Events);
        let mut segments = Segments::default();
        segments.copy(bytes);
        self.write_in_stream(&segments)
    }

    /// True once in streaming mode.
    pub fn is_streaming(&self) -> bool {
        self.conv.mode() == Mode::Events
    }

    fn write_in_stream(&mut self, segments: &Segments<'_>) -> Result<()> {
        if !self.is_streaming() {
            return Err(Error::new(
                ErrorKind::InvalidCommand,
                Executed::No,
                "not a streaming connection: use start_stream first",
            ));
        }
        let deadline = self.timeout.and_then(super::after);
        let end = segments.len();
        self.exchange(segments, 0, deadline, &mut |_| {})
            .map_err(|failure| failure.into_command_error(end))
    }

    /// The next frame of a streaming connection, or `None` when nothing
    /// arrived within `timeout` (`None` waits for ever). A timeout here
    /// leaves the connection usable: frames are independent.
    ///
    /// # Errors
    ///
    /// The connection failing or closing, which closes it for good.
    pub fn next_frame(&mut self, timeout: Option<Duration>) -> Result<Option<Value>> {
        match self.next_frame_or_wake(timeout, None)? {
            Polled::Frame(value) => Ok(Some(value)),
            Polled::TimedOut | Polled::Woken => Ok(None),
        }
    }

    /// The bytes received and not consumed yet, bypassing the RESP
    /// decoder: for what a streaming connection carries that is not RESP,
    /// such as the RDB file a server sends after `SYNC`. When no more than
    /// `beyond` bytes are buffered, reads once, waiting at most `timeout`
    /// (`None`: for ever): pass 0 for whatever is there, or the length of
    /// an incomplete piece to get more. A slice no longer than `beyond`
    /// means the time ran out. Mark what was used with
    /// [`consume_raw`](Connection::consume_raw); the rest stays for
    /// [`next_frame`](Connection::next_frame).
    ///
    /// Call it only between frames: bytes of a frame `next_frame` has
    /// begun to decode are not set aside.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::InvalidCommand`] if the connection is not streaming;
    /// the connection failing or closing, which closes it for good.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use redis_blocking::{Cmd, Connection};
    ///
    /// let mut conn = Connection::open_url("redis://127.0.0.1:6379")?;
    /// conn.start_stream(&Cmd::new("SYNC"))?;
    /// let mut seen = 0;
    /// let header_end = loop {
    ///     let bytes = conn.raw_input(seen, None)?;
    ///     match bytes.iter().position(|&b| b == b'\n') {
    ///         Some(end) => break end + 1,
    ///         None => seen = bytes.len(),
    ///     }
    /// };
    /// conn.consume_raw(header_end); // "$<length>\r\n"; the RDB follows
    /// # Ok::<(), redis_blocking::Error>(())
    /// ```
    pub fn raw_input(&mut self, beyond: usize, timeout: Option<Duration>) -> Result<&[u8]> {
        self.usable()?;
        if !self.is_streaming() {
            return Err(Error::new(
                ErrorKind::InvalidCommand,
                Executed::No,
                "not a streaming connection: use start_stream first",
            ));
        }
        if self.rlen - self.rpos <= beyond {
            let deadline = timeout.and_then(super::after);
            loop {
                if !self.is_tls_or_waited(deadline, None)? {
                    break;
                }
                match self.read_some() {
                    Ok(Read::Data) => break,
                    Ok(Read::WouldBlock) if self.stream.is_tls() => {
                        if !self.wait_readable(deadline, None)? {
                            break;
                        }
                    }
                    Ok(Read::WouldBlock) => {}
                    Err(error) => return Err(self.poison(error, 0).error),
                }
            }
        }
        Ok(&self.rbuf[self.rpos..self.rlen])
    }

    /// Marks the first `n` bytes [`raw_input`](Connection::raw_input)
    /// showed as used (at most what is buffered).
    pub fn consume_raw(&mut self, n: usize) {
        self.rpos += n.min(self.rlen - self.rpos);
        self.settle_read_buffer();
    }

    /// The next frame, or a wake-up when `wake` becomes readable first.
    pub(crate) fn next_frame_or_wake(
        &mut self,
        timeout: Option<Duration>,
        wake: Option<RawFd>,
    ) -> Result<Polled> {
        self.usable()?;
        let deadline = timeout.and_then(super::after);
        let mut read_any = false;
        loop {
            match self.conv.handle_input(&self.rbuf[self.rpos..self.rlen]) {
                Ok(Status::Complete((Event::Push(frame) | Event::Reply(frame), used))) => {
                    let value = frame.into_owned();
                    self.rpos += used;
                    self.settle_read_buffer();
                    return Ok(Polled::Frame(value));
                }
                Ok(Status::Partial) => {}
                Err(e) => {
                    let error = self.protocol_error(e);
                    return Err(self.poison(error, 0).error);
                }
            }
            // Bytes keep coming but no whole frame yet: the deadline still
            // holds (what arrived stays for the next call). Checked only
            // after what was read has been decoded, so that a zero timeout
            // hands over every frame that already arrived.
            if read_any && deadline.is_some_and(|d| Instant::now() >= d) {
                return Ok(Polled::TimedOut);
            }
            // TLS may hold decrypted bytes the socket no longer shows, so
            // try a read before waiting.
            if !self.is_tls_or_waited(deadline, wake)? {
                return Ok(if wake.is_some() {
                    Polled::Woken
                } else {
                    Polled::TimedOut
                });
            }
            match self.read_some() {
                Ok(Read::Data) => read_any = true,
                Ok(Read::WouldBlock) if self.stream.is_tls() => {
                    if !self.wait_readable(deadline, wake)? {
                        return Ok(if wake.is_some() {
                            Polled::Woken
                        } else {
                            Polled::TimedOut
                        });
                    }
                }
                Ok(Read::WouldBlock) => {}
                Err(error) => return Err(self.poison(error, 0).error),
            }
        }
    }

    /// For TLS, says "go read"; otherwise waits as [`wait_readable`].
    fn is_tls_or_waited(&mut self, deadline: Option<Instant>, wake: Option<RawFd>) -> Result<bool> {
        if self.stream.is_tls() {
            return Ok(true);
        }
        self.wait_readable(deadline, wake)
    }

    /// Waits for the socket; `false` when the deadline passed or `wake`
    /// became readable first.
    fn wait_readable(&mut self, deadline: Option<Instant>, wake: Option<RawFd>) -> Result<bool> {
        let waited = match wake {
            None => net::wait(self.stream.fd(), true, false, deadline).map(|_| true),
            Some(wake) => net::wait_either(self.stream.fd(), wake, deadline)
                .map(|(socket, woken)| socket || !woken),
        };
        match waited {
            Ok(ready) => Ok(ready),
            Err(e) if e.kind() == io::ErrorKind::TimedOut => Ok(false),
            Err(e) => {
                let error = Error::io(Executed::No, "waiting on the socket", e);
                Err(self.poison(error, 0).error)
            }
        }
    }
}

/// The socket's descriptor, so that a program driving many streaming
/// connections from one thread can wait for any of them with `poll` or
/// `epoll` and then call [`next_frame`](Connection::next_frame) with a zero
/// timeout on those that became readable.
///
/// Read and write only through the connection: bytes taken from the
/// descriptor directly are lost to it. On TLS connections decrypted bytes
/// may wait inside the connection while the descriptor shows nothing, so
/// call `next_frame` until it answers `None` before waiting again.
impl std::os::fd::AsRawFd for Connection {
    fn as_raw_fd(&self) -> RawFd {
        self.stream.fd()
    }
}

/// What [`Connection::next_frame_or_wake`] found.
pub(crate) enum Polled {
    Frame(Value),
    TimedOut,
    Woken,
}
