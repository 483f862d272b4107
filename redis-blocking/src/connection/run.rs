//! The wire drive loop: the only place this crate reads and writes a
//! connection's socket for calls.
//!
//! An exchange writes some commands and reads a known number of replies,
//! interleaving writes and reads so that neither side's buffers fill up.
//! Around it, the connection is checked for bytes nobody asked for: before
//! writing (a reply that arrived while the connection was idle) and after
//! the last reply (one reply too many in the same read). Either closes the
//! connection, so that no call is ever handed another command's reply.

use std::io;
use std::time::{Duration, Instant};

use resp_core::client::{BulkHeader, Event};
use resp_core::{ErrorKind as DecodeErrorKind, Frame, Status};

use super::Connection;
use crate::cmd::Segments;
use crate::error::{Error, ErrorKind, Executed, Result};
use crate::net;

/// The read buffer's resting size and the least free space a read gets.
pub(super) const READ_CHUNK: usize = 16 * 1024;
/// Read buffers above this size are released once empty.
const KEEP_READ_BUFFER: usize = 4 * 1024 * 1024;
/// Values at least this large are handed over in the read buffer itself.
const STEAL_THRESHOLD: usize = 1024 * 1024;
/// Reads without waiting allowed once a deadline has passed, for replies
/// that had already arrived: at most this many, and only this soon after
/// the first of them (a flood of bytes cannot hold the call).
const LATE_READS: usize = 64;
const LATE_GRACE: Duration = Duration::from_millis(5);

/// How an exchange failed, and how far it got.
pub(crate) struct Failure {
    pub error: Error,
    /// Bytes written before the failure.
    pub written: usize,
}

impl Failure {
    /// As the command ending at byte `end` of the exchange: the error
    /// itself, its source kept, saying whether that command may have run
    /// (it did not if it was never completely written).
    pub fn into_command_error(self, end: usize) -> Error {
        let executed = if self.written >= end {
            Executed::Maybe
        } else {
            Executed::No
        };
        self.error.executed_as(executed)
    }
}

/// An exchange under way: how far its writes and reads got.
pub(crate) struct Exchange {
    written: usize,
    got: usize,
    expected: usize,
    readable: bool,
}

impl Exchange {
    /// Every reply arrived (and so every byte was written).
    pub(crate) fn is_done(&self) -> bool {
        self.got == self.expected
    }
}

/// How far [`Connection::drive_exchange`] goes before it returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Until {
    /// Every reply arrived.
    Done,
    /// Every byte is written (replies read meanwhile are handed over).
    Written,
    /// Every byte is written, or no write and no read can go on without
    /// waiting: never waits.
    Stalled,
}

/// What a non-blocking read did.
pub(crate) enum Read {
    /// Bytes arrived (or the read was interrupted): look again.
    Data,
    /// Nothing to read now.
    WouldBlock,
}

impl Connection {
    /// Writes `out` and reads `expected` replies, handing each to
    /// `on_reply` in order; pushes go to the push handler.
    ///
    /// Before writing, bytes that arrived while the connection was idle are
    /// examined: a push is handled, anything else (a reply nobody asked
    /// for, the end of the stream) fails the exchange with nothing written.
    /// After the last reply, bytes beyond it that are not a push close the
    /// connection (the replies already delivered stand). The deadline
    /// holds however the bytes arrive. Any failure closes the connection.
    pub(crate) fn exchange(
        &mut self,
        out: &Segments<'_>,
        expected: usize,
        deadline: Option<Instant>,
        on_reply: &mut dyn FnMut(Frame<'_>),
    ) -> std::result::Result<(), Failure> {
        self.with_push_handler(|conn, on_push| {
            conn.exchange_with(out, expected, deadline, on_reply, on_push)
        })
    }

    /// Runs `f` with the connection's push handler as a callback (taken
    /// out for the call, put back after unless `f` set another).
    pub(crate) fn with_push_handler<R>(
        &mut self,
        f: impl FnOnce(&mut Connection, &mut dyn FnMut(Frame<'_>)) -> R,
    ) -> R {
        let mut handler = self.push_handler.take();
        let addr = self.addr.clone();
        let mut on_push = |frame: Frame<'_>| deliver_push(&mut handler, &addr, frame);
        let outcome = f(self, &mut on_push);
        if self.push_handler.is_none() {
            self.push_handler = handler;
        }
        outcome
    }

    /// [`exchange`](Connection::exchange), with this call's pushes going to
    /// `on_push` instead of the connection's handler.
    pub(crate) fn exchange_with(
        &mut self,
        out: &Segments<'_>,
        expected: usize,
        deadline: Option<Instant>,
        on_reply: &mut dyn FnMut(Frame<'_>),
        on_push: &mut dyn FnMut(Frame<'_>),
    ) -> std::result::Result<(), Failure> {
        let mut exchange = self.begin_exchange(expected, on_push)?;
        self.drive_exchange(&mut exchange, out, deadline, Until::Done, on_reply, on_push)
    }

    /// Starts an exchange of `expected` replies: checks the connection and
    /// what arrived while it was idle. Nothing is written yet.
    pub(crate) fn begin_exchange(
        &mut self,
        expected: usize,
        on_push: &mut dyn FnMut(Frame<'_>),
    ) -> std::result::Result<Exchange, Failure> {
        if let Err(error) = self.usable() {
            return Err(Failure { error, written: 0 });
        }
        self.busy = true;
        if let Err(error) = self.check_idle_input(on_push) {
            return Err(self.poison(error, 0));
        }
        self.conv.sent(expected);
        Ok(Exchange {
            written: 0,
            got: 0,
            expected,
            // Whether a read is worth trying without waiting first.
            readable: self.stream.is_tls(),
        })
    }

    /// Drives `exchange` on: writes the rest of `out` (the same bytes on
    /// every call, or more appended after [`extend_exchange`]) and reads
    /// replies, interleaved, until every reply has arrived, or as soon as
    /// the last byte is written ([`Until::Written`]; replies read meanwhile
    /// are handed over, the rest wait in the socket for the next call), or
    /// as soon as nothing can go on without waiting ([`Until::Stalled`]).
    /// Several connections can so have their commands in flight at once
    /// from one thread: each one's writes interleave with its own reads, so
    /// none can deadlock, and a server never waits on another's.
    ///
    /// [`extend_exchange`]: Connection::extend_exchange
    pub(crate) fn drive_exchange(
        &mut self,
        exchange: &mut Exchange,
        out: &Segments<'_>,
        deadline: Option<Instant>,
        until: Until,
        on_reply: &mut dyn FnMut(Frame<'_>),
        on_push: &mut dyn FnMut(Frame<'_>),
    ) -> std::result::Result<(), Failure> {
        let expected = exchange.expected;
        let total = out.len();
        let Exchange {
            written,
            got,
            readable,
            ..
        } = exchange;
        // Reads without waiting once the deadline has passed: replies that
        // arrived while the caller was busy elsewhere (another node's share
        // of a cluster pipeline) are taken rather than timed out; bounded,
        // so a flood cannot hold the call.
        let mut late_reads = 0usize;
        let mut late_since: Option<Instant> = None;
        let past = |deadline: Option<Instant>| deadline.is_some_and(|d| Instant::now() >= d);
        loop {
            // Hand over every complete reply already buffered.
            while *got < expected {
                // A large bulk string reply: read straight into a buffer of
                // its own, as the server sends it.
                if self.rpos < self.rlen && self.rbuf[self.rpos] == b'$' {
                    let buffered = &self.rbuf[self.rpos..self.rlen];
                    if let Some(header) = self.conv.large_bulk(buffered, STEAL_THRESHOLD) {
                        match self.read_large_bulk(header, deadline) {
                            Ok(payload) => {
                                on_reply(Frame::Bulk(payload.into()));
                                *got += 1;
                                continue;
                            }
                            Err(error) => return Err(self.poison(error, *written)),
                        }
                    }
                }
                match self.conv.handle_input(&self.rbuf[self.rpos..self.rlen]) {
                    Ok(Status::Complete((Event::Reply(frame), used))) => {
                        match large_bulk(&frame, &self.rbuf, self.rpos + used == self.rlen) {
                            Some(payload) => {
                                drop(frame);
                                on_reply(Frame::Bulk(self.take_read_buffer(payload).into()));
                            }
                            None => {
                                on_reply(frame);
                                self.rpos += used;
                            }
                        }
                        *got += 1;
                    }
                    Ok(Status::Complete((Event::Push(frame), used))) => {
                        on_push(frame);
                        self.rpos += used;
                    }
                    Ok(Status::Partial) => break,
                    Err(e) => {
                        let error = self.protocol_error(e);
                        return Err(self.poison(error, *written));
                    }
                }
            }
            if *got == expected && *written == total {
                break;
            }
            if until != Until::Done && *written == total {
                return Ok(());
            }
            let mut progressed = false;
            if *written < total {
                let slices = out.io_slices(*written, 64);
                match self.stream.write_vectored(&slices) {
                    Ok(0) => {
                        let error = Error::new(
                            ErrorKind::Io,
                            Executed::No,
                            format!("writing to {}: connection closed", self.addr),
                        );
                        return Err(self.poison(error, *written));
                    }
                    Ok(n) => {
                        *written += n;
                        progressed = true;
                        // A large pipeline: look for replies between writes.
                        *readable |= *written < total;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => progressed = true,
                    Err(e) => {
                        let error =
                            Error::io(Executed::No, &format!("writing to {}", self.addr), e);
                        return Err(self.poison(error, *written));
                    }
                }
            }
            if *got < expected && *readable {
                match self.read_some() {
                    Ok(Read::Data) => progressed = true,
                    Ok(Read::WouldBlock) => *readable = false,
                    Err(error) => return Err(self.poison(error, *written)),
                }
            }
            if progressed {
                // Bytes keep coming (a slow drip, or a flood of pushes):
                // the deadline still holds.
                if past(deadline) {
                    let in_grace =
                        late_since.get_or_insert_with(Instant::now).elapsed() < LATE_GRACE;
                    if *written == total && late_reads < LATE_READS && in_grace {
                        late_reads += 1;
                        *readable = true;
                        continue;
                    }
                    let error = self.timed_out(*written < total);
                    return Err(self.poison(error, *written));
                }
                continue;
            }
            if until == Until::Stalled {
                return Ok(());
            }
            if *written == total && !self.stream.is_tls() {
                // Only replies are awaited: one read that waits, bounded by
                // the socket's receive timeout, instead of a poll and a read.
                let left = match deadline {
                    Some(d) => match d.checked_duration_since(Instant::now()) {
                        Some(left) if !left.is_zero() => Some(left),
                        _ if late_reads == 0 => {
                            // One look at what arrived before giving up.
                            late_reads = 1;
                            *readable = true;
                            continue;
                        }
                        _ => {
                            let error = self.timed_out(false);
                            return Err(self.poison(error, *written));
                        }
                    },
                    None => None,
                };
                if let Err(e) = self.stream.bound_wait(left, &mut self.read_timeout) {
                    let error = Error::io(Executed::No, "setting the receive timeout", e);
                    return Err(self.poison(error, *written));
                }
                match self.read_waiting() {
                    Some(Ok(_)) => continue,
                    Some(Err(error)) => return Err(self.poison(error, *written)),
                    None => {}
                }
            }
            match net::wait(
                self.stream.fd(),
                *got < expected,
                *written < total,
                deadline,
            ) {
                Ok(ready) => *readable = ready.readable,
                Err(e)
                    if e.kind() == io::ErrorKind::TimedOut
                        && late_reads == 0
                        && *got < expected =>
                {
                    late_reads = 1;
                    *readable = true;
                }
                Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                    let error = self.timed_out(*written < total);
                    return Err(self.poison(error, *written));
                }
                Err(e) => {
                    let error = Error::io(Executed::No, "waiting on the socket", e);
                    return Err(self.poison(error, *written));
                }
            }
        }
        if let Err(error) = self.check_trailing_input() {
            // Every reply was delivered; the connection cannot be trusted
            // with another call.
            self.poison(error, *written);
            return Ok(());
        }
        self.busy = false;
        self.last_used = Instant::now();
        self.settle_read_buffer();
        Ok(())
    }

    /// `more` commands were appended to the bytes of `exchange`, which the
    /// next [`drive_exchange`](Connection::drive_exchange) writes: their
    /// replies are awaited too.
    pub(crate) fn extend_exchange(&mut self, exchange: &mut Exchange, more: usize) {
        exchange.expected += more;
        self.conv.sent(more);
        self.busy = true;
    }

    /// Reads the bulk string whose `header` starts the buffered input into
    /// a buffer of exactly its size: what is buffered of it is copied once,
    /// the rest is read straight into that buffer (on plaintext streams
    /// without zero-filling it first). The deadline holds however the
    /// bytes arrive.
    fn read_large_bulk(
        &mut self,
        header: BulkHeader,
        deadline: Option<Instant>,
    ) -> Result<Vec<u8>> {
        let total = header.len + 2;
        let mut payload = Vec::with_capacity(total);
        let start = self.rpos + header.header;
        let buffered = (self.rlen - start).min(total);
        payload.extend_from_slice(&self.rbuf[start..start + buffered]);
        self.rpos = start + buffered;
        self.settle_read_buffer();
        while payload.len() < total {
            match self.stream.read_spare(&mut payload, total) {
                Ok(0) => {
                    return Err(Error::new(
                        ErrorKind::Io,
                        Executed::No,
                        format!("{} closed the connection", self.addr),
                    ))
                }
                Ok(_) => {
                    if deadline.is_some_and(|d| Instant::now() >= d) && payload.len() < total {
                        return Err(self.timed_out(false));
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    match net::wait(self.stream.fd(), true, false, deadline) {
                        Ok(_) => {}
                        Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                            return Err(self.timed_out(false))
                        }
                        Err(e) => return Err(Error::io(Executed::No, "waiting on the socket", e)),
                    }
                }
                Err(e) => {
                    return Err(Error::io(
                        Executed::No,
                        &format!("reading from {}", self.addr),
                        e,
                    ))
                }
            }
        }
        if payload[header.len..] != *b"\r\n" {
            return Err(self.out_of_step("a bulk string not ended by CRLF"));
        }
        payload.truncate(header.len);
        self.conv.took_bulk(header);
        Ok(payload)
    }

    fn timed_out(&self, writing: bool) -> Error {
        let waited = if writing {
            "writing to"
        } else {
            "waiting for a reply from"
        };
        Error::new(
            ErrorKind::Timeout,
            Executed::No,
            format!("timed out {waited} {}", self.addr),
        )
    }

    /// Before writing: takes in what arrived while the connection was idle
    /// (one non-blocking read), hands pushes to the handler and fails on
    /// anything else.
    fn check_idle_input(&mut self, on_push: &mut dyn FnMut(Frame<'_>)) -> Result<()> {
        if self.is_streaming() {
            return Ok(());
        }
        if self.rpos == self.rlen {
            if let Err(error) = self.read_some() {
                self.stale = true;
                return Err(error.context("the connection was found closed before writing"));
            }
        }
        let checked = self.take_idle_pushes(on_push);
        self.stale = checked.is_err();
        checked
    }

    /// Before lending an idle connection for calls of the borrower's own:
    /// one look, without waiting, for the server having closed it while it
    /// was idle. True when it did (the connection is then closed for good);
    /// whatever else arrived stays buffered for the next call to examine.
    pub(crate) fn found_closed_while_idle(&mut self) -> bool {
        if self.broken.is_some() {
            return true;
        }
        if self.busy || self.is_streaming() || self.rpos < self.rlen {
            return false;
        }
        match self.read_some() {
            Ok(_) => false,
            Err(error) => {
                self.poison(error.context("found closed while idle in the pool"), 0);
                true
            }
        }
    }

    /// With nothing in flight: hands complete pushes to the handler and
    /// fails on anything else buffered.
    fn take_idle_pushes(&mut self, on_push: &mut dyn FnMut(Frame<'_>)) -> Result<()> {
        while self.rpos < self.rlen {
            match self.conv.handle_input(&self.rbuf[self.rpos..self.rlen]) {
                Ok(Status::Complete((Event::Push(frame), used))) => {
                    on_push(frame);
                    self.rpos += used;
                }
                // A reply with nothing in flight is an error of
                // `handle_input`; this cannot happen.
                Ok(Status::Complete((Event::Reply(_), _))) => {
                    return Err(self.out_of_step("a reply nobody asked for"))
                }
                Ok(Status::Partial) => return self.check_trailing_input(),
                Err(e) => return Err(self.protocol_error(e)),
            }
        }
        Ok(())
    }

    /// After the last reply: what follows it in the buffer may only be the
    /// start of a push, which stays there for the next call (a push after a
    /// reply is handed over after it). A stray reply behind such a push is
    /// caught before the next call writes.
    fn check_trailing_input(&mut self) -> Result<()> {
        if self.is_streaming() {
            return Ok(());
        }
        self.conv
            .check_idle(&self.rbuf[self.rpos..self.rlen])
            .map_err(|e| self.protocol_error(e))
    }

    fn out_of_step(&self, what: &str) -> Error {
        Error::new(
            ErrorKind::Protocol,
            Executed::No,
            format!("{} is out of step: {what}", self.addr),
        )
    }

    pub(super) fn protocol_error(&self, e: resp_core::Error) -> Error {
        let hint = match e.kind() {
            DecodeErrorKind::UnknownType(0x15 | 0x16) => {
                " (this looks like TLS: use rediss:// or --tls)"
            }
            DecodeErrorKind::UnknownType(b'H') => " (this looks like an HTTP server)",
            _ => "",
        };
        Error::new(
            ErrorKind::Protocol,
            Executed::No,
            format!("invalid reply from {}: {e}{hint}", self.addr),
        )
        .with_source(e)
    }

    /// Closes the connection for good with `error` as the reason.
    pub(super) fn poison(&mut self, error: Error, written: usize) -> Failure {
        log::warn!("closing connection to {}: {error}", self.addr);
        self.broken = Some(error.to_string());
        self.stream.shutdown();
        self.busy = false;
        Failure { error, written }
    }

    /// One non-blocking read into the read buffer. The end of the stream
    /// and I/O failures are errors; the caller closes the connection.
    pub(crate) fn read_some(&mut self) -> Result<Read> {
        self.reserve_read_space();
        let result = self.stream.read(&mut self.rbuf[self.rlen..]);
        self.took(result)
    }

    /// One read that waits for data, on plaintext streams (`None` for TLS,
    /// which waits with `poll`). For calls without a deadline.
    fn read_waiting(&mut self) -> Option<Result<Read>> {
        self.reserve_read_space();
        let result = self.stream.read_waiting(&mut self.rbuf[self.rlen..])?;
        Some(self.took(result))
    }

    /// Accounts for a read's outcome.
    fn took(&mut self, result: io::Result<usize>) -> Result<Read> {
        match result {
            Ok(0) => Err(Error::new(
                ErrorKind::Io,
                Executed::No,
                format!("{} closed the connection", self.addr),
            )),
            Ok(n) => {
                self.rlen += n;
                Ok(Read::Data)
            }
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(Read::WouldBlock),
            // Interrupted: nothing read, but nothing to wait for either.
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(Read::Data),
            Err(e) => Err(Error::io(
                Executed::No,
                &format!("reading from {}", self.addr),
                e,
            )),
        }
    }

    /// Makes room for the next read: at least a chunk, and for a large
    /// value the whole of it at once, so it is read with one allocation.
    /// The buffer at least doubles when it grows, so that a reply of any
    /// size and shape is read in time linear in its size.
    fn reserve_read_space(&mut self) {
        let pending = self.rlen - self.rpos;
        let needed = self.conv.decoder().needed().max(pending + READ_CHUNK);
        if self.rpos + needed <= self.rbuf.len() {
            return;
        }
        if needed <= self.rbuf.len() {
            self.rbuf.copy_within(self.rpos..self.rlen, 0);
        } else {
            // A fresh zeroed allocation (cheap for large sizes: the pages
            // come zeroed) instead of growing the old one by steps.
            let mut bigger = vec![0; needed.max(2 * self.rbuf.len())];
            bigger[..pending].copy_from_slice(&self.rbuf[self.rpos..self.rlen]);
            self.rbuf = bigger;
        }
        self.rpos = 0;
        self.rlen = pending;
    }

    /// Hands over the read buffer as the value `rbuf[payload]`, which
    /// ends the buffered data: the bytes move down by the header's length,
    /// and no second buffer is allocated for a large value.
    fn take_read_buffer(&mut self, payload: std::ops::Range<usize>) -> Vec<u8> {
        let mut value = std::mem::replace(&mut self.rbuf, vec![0; READ_CHUNK]);
        value.truncate(payload.end);
        value.drain(..payload.start);
        self.rpos = 0;
        self.rlen = 0;
        value
    }

    /// Resets the read window once empty; lets a large buffer go.
    pub(super) fn settle_read_buffer(&mut self) {
        if self.rpos == self.rlen {
            self.rpos = 0;
            self.rlen = 0;
            if self.rbuf.len() > KEEP_READ_BUFFER {
                self.rbuf = vec![0; READ_CHUNK];
            }
        }
    }
}

/// Hands a push frame to the handler, if any.
fn deliver_push(
    handler: &mut Option<super::PushHandler>,
    addr: &crate::config::Addr,
    frame: Frame<'_>,
) {
    match handler {
        Some(handler) => handler(frame.into_owned()),
        None => log::debug!("dropping a push message from {addr}"),
    }
}

/// The range of `buf` holding `frame`'s payload, when `frame` is a large
/// bulk string that ends the buffered data.
fn large_bulk(frame: &Frame<'_>, buf: &[u8], ends_buffer: bool) -> Option<std::ops::Range<usize>> {
    match frame {
        Frame::Bulk(std::borrow::Cow::Borrowed(bytes))
            if ends_buffer && bytes.len() >= STEAL_THRESHOLD =>
        {
            let start = (bytes.as_ptr() as usize).checked_sub(buf.as_ptr() as usize)?;
            (start + bytes.len() <= buf.len()).then(|| start..start + bytes.len())
        }
        _ => None,
    }
}
