//! Streaming mode: connections where the server talks unprompted
//! (`SUBSCRIBE` in RESP2, `MONITOR`), read frame by frame.

use std::io;
use std::time::{Duration, Instant};

use resp_core::client::{Event, Mode};
use resp_core::Status;

use super::Connection;
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
        let deadline = self.timeout.map(|t| Instant::now() + t);
        let end = segments.len();
        self.exchange(segments, 0, deadline, &mut |_| {})
            .map_err(|failure| failure.for_command(end))
    }

    /// The next frame of a streaming connection, or `None` when nothing
    /// arrived within `timeout` (`None` waits for ever). A timeout here
    /// leaves the connection usable: frames are independent.
    ///
    /// # Errors
    ///
    /// The connection failing or closing, which closes it for good.
    pub fn next_frame(&mut self, timeout: Option<Duration>) -> Result<Option<Value>> {
        self.usable()?;
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            match self.conv.handle_input(&self.rbuf[self.rpos..self.rlen]) {
                Ok(Status::Complete((Event::Push(frame) | Event::Reply(frame), used))) => {
                    let value = frame.into_owned();
                    self.rpos += used;
                    self.settle_read_buffer();
                    return Ok(Some(value));
                }
                Ok(Status::Partial) => {}
                Err(e) => {
                    let error = self.protocol_error(e);
                    return Err(self.poison(error, 0, 0).error);
                }
            }
            // TLS may hold decrypted bytes the socket no longer shows.
            let ready = if self.stream.is_tls() {
                Ok(())
            } else {
                net::wait(self.stream.fd(), true, false, deadline).map(drop)
            };
            match ready {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::TimedOut => return Ok(None),
                Err(e) => {
                    let error = Error::io(Executed::No, "waiting on the socket", e);
                    return Err(self.poison(error, 0, 0).error);
                }
            }
            self.reserve_read_space();
            match self.stream.read(&mut self.rbuf[self.rlen..]) {
                Ok(0) => {
                    let error = Error::new(
                        ErrorKind::Io,
                        Executed::No,
                        format!("{} closed the connection", self.addr),
                    );
                    return Err(self.poison(error, 0, 0).error);
                }
                Ok(n) => self.rlen += n,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock && self.stream.is_tls() => {
                    match net::wait(self.stream.fd(), true, false, deadline) {
                        Ok(_) => {}
                        Err(e) if e.kind() == io::ErrorKind::TimedOut => return Ok(None),
                        Err(e) => {
                            let error = Error::io(Executed::No, "waiting on the socket", e);
                            return Err(self.poison(error, 0, 0).error);
                        }
                    }
                }
                Err(e)
                    if e.kind() == io::ErrorKind::WouldBlock
                        || e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => {
                    let error = Error::io(Executed::No, &format!("reading from {}", self.addr), e);
                    return Err(self.poison(error, 0, 0).error);
                }
            }
        }
    }
}
