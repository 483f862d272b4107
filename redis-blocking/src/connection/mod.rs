//! One connection to one server, and the drive loop that is the only
//! place this crate reads and writes.

use std::io;
use std::time::{Duration, Instant};

use resp_core::client::{Conversation, Event, Handshake, HandshakeOptions, Protocol};
use resp_core::{ErrorKind as DecodeErrorKind, Frame, Status};

use crate::cmd::Segments;
use crate::config::{Addr, Config};
use crate::error::{Error, ErrorKind, Executed, Result};
use crate::net::{self, Stream};
use crate::semantics::{blocks, changes_mode, Blocks, Session};
use crate::types::{FromReply, Value};

pub(crate) mod streaming;
use crate::Cmd;

/// The read buffer's resting size and the least free space a read gets.
const READ_CHUNK: usize = 16 * 1024;
/// Read buffers above this size are released once empty.
const KEEP_READ_BUFFER: usize = 4 * 1024 * 1024;

/// A handler for push messages (RESP3 `>` frames) that arrive on a regular
/// connection, such as client-side caching invalidations.
pub type PushHandler = Box<dyn FnMut(Value) + Send>;

/// How an exchange failed, and how far it got.
pub(crate) struct Failure {
    pub error: Error,
    /// Replies delivered before the failure.
    pub replies: usize,
    /// Bytes written before the failure.
    pub written: usize,
}

impl Failure {
    /// The error for a command whose bytes end at `end`: it did not run if
    /// it was never completely written.
    pub fn for_command(&self, end: usize) -> Error {
        self.error.duplicate().executed_as(self.executed(end))
    }

    /// As [`for_command`](Failure::for_command), for an exchange of one
    /// command: the error itself is returned, its source (the
    /// `io::Error`, the decoder's error) kept for callers that report it
    /// in their own words.
    pub fn into_command_error(self, end: usize) -> Error {
        let executed = self.executed(end);
        self.error.executed_as(executed)
    }

    /// Whether a command ending at byte `end` may have run.
    fn executed(&self, end: usize) -> Executed {
        if self.written >= end {
            Executed::Maybe
        } else {
            Executed::No
        }
    }
}

/// A connection to a Redis server.
///
/// Commands run one call at a time; each call writes its command(s) and
/// reads their replies before returning, within the call's deadline. A
/// failure that may leave the connection out of step with the server (an
/// I/O error, a timeout, a malformed reply, a panic in the middle of a
/// call) closes it: every later call fails with
/// [`ErrorKind::Closed`] and no call ever gets another command's reply.
///
/// # Example
///
/// ```no_run
/// use redis_blocking::{Cmd, Connection};
///
/// let mut conn = Connection::open_url("redis://127.0.0.1:6379")?;
/// conn.query::<()>(&Cmd::new("SET").arg("greeting").arg("hello"))?;
/// let greeting: String = conn.query(&Cmd::new("GET").arg("greeting"))?;
/// assert_eq!(greeting, "hello");
/// # Ok::<(), redis_blocking::Error>(())
/// ```
pub struct Connection {
    stream: Stream,
    conv: Conversation,
    rbuf: Vec<u8>,
    rpos: usize,
    rlen: usize,
    wbuf: Vec<u8>,
    addr: Addr,
    timeout: Option<Duration>,
    protocol: Protocol,
    broken: Option<String>,
    busy: bool,
    push_handler: Option<PushHandler>,
    created: Instant,
    last_used: Instant,
    session: Session,
    handshake: HandshakeOptions,
    connect_timeout: Option<Duration>,
    /// The client-side cache generation whose tracking is on here (0: off).
    tracking: u64,
    ping_on_connect: bool,
}

impl Connection {
    /// Opens a connection and runs the handshake, all within the
    /// configured connect timeout.
    ///
    /// # Errors
    ///
    /// Connect, TLS, timeout and authentication failures, each with the
    /// address and a clear cause.
    pub fn open(config: &Config) -> Result<Connection> {
        config.validate()?;
        let deadline = config.connect_timeout.map(|t| Instant::now() + t);
        let stream =
            net::connect(config, deadline).map_err(|e| e.context(format!("{}", config.addr)))?;
        let mut conn = Connection {
            stream,
            conv: Conversation::with_limits(config.limits),
            rbuf: vec![0; READ_CHUNK],
            rpos: 0,
            rlen: 0,
            wbuf: Vec::with_capacity(256),
            addr: config.addr.clone(),
            timeout: config.timeout,
            protocol: Protocol::Resp2,
            broken: None,
            busy: false,
            push_handler: None,
            created: Instant::now(),
            last_used: Instant::now(),
            session: Session::default(),
            handshake: config.handshake.clone(),
            connect_timeout: config.connect_timeout,
            tracking: 0,
            ping_on_connect: true,
        };
        conn.handshake(config, deadline)?;
        log::debug!("connected to {} ({:?})", conn.addr, conn.protocol);
        Ok(conn)
    }

    /// Opens a connection to a URL; see [`crate::url`].
    ///
    /// # Errors
    ///
    /// An invalid URL, or what [`Connection::open`] reports.
    pub fn open_url(url: &str) -> Result<Connection> {
        Connection::open(&Config::from_url(url)?)
    }

    fn handshake(&mut self, config: &Config, deadline: Option<Instant>) -> Result<()> {
        self.ping_on_connect = config.ping_on_connect;
        self.run_handshake(config.handshake.clone(), deadline)
    }

    fn run_handshake(
        &mut self,
        options: HandshakeOptions,
        deadline: Option<Instant>,
    ) -> Result<()> {
        let mut handshake = Handshake::new(options);
        let mut sent_any = false;
        loop {
            let mut out = Vec::new();
            if !handshake.poll_command(&mut out) {
                break;
            }
            sent_any = true;
            let reply = self.roundtrip(&out, deadline)?;
            handshake
                .handle_reply(&reply)
                .map_err(|e| Error::handshake(e).context(&self.addr))?;
        }
        self.protocol = handshake.protocol();
        if !sent_any && self.ping_on_connect {
            // Nothing was exchanged yet: a PING proves the server speaks
            // RESP (not TLS) and does not require a password, so that
            // those failures surface here, within the connect timeout.
            let mut out = Vec::new();
            resp_core::encode::write_command(&mut out, ["PING"]);
            match self.roundtrip(&out, deadline)? {
                Frame::Error(e) if e.starts_with(b"NOAUTH") => {
                    let err = resp_core::client::HandshakeError::NoAuth;
                    return Err(Error::handshake(err).context(&self.addr));
                }
                Frame::Error(e) => {
                    let message = String::from_utf8_lossy(&e).into_owned();
                    return Err(Error::new(
                        ErrorKind::Connect,
                        Executed::No,
                        format!("{}: PING failed: {message}", self.addr),
                    ));
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Sends raw command bytes during setup and returns the reply.
    fn roundtrip(&mut self, bytes: &[u8], deadline: Option<Instant>) -> Result<Value> {
        let mut segments = Segments::default();
        segments.copy(bytes);
        let mut reply = None;
        self.exchange(&segments, 1, deadline, &mut |frame| {
            reply = Some(frame.into_owned())
        })
        .map_err(|f| {
            let kind = if f.error.kind() == ErrorKind::Timeout {
                ErrorKind::Timeout
            } else {
                ErrorKind::Connect
            };
            Error::new(
                kind,
                Executed::No,
                format!("{}: handshake failed: {}", self.addr, f.error),
            )
        })?;
        Ok(reply.unwrap_or(Frame::Null))
    }

    /// The server's address.
    pub fn addr(&self) -> &Addr {
        &self.addr
    }

    /// The protocol negotiated.
    pub fn protocol(&self) -> Protocol {
        self.protocol
    }

    /// The default call timeout.
    pub fn timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// Sets the default call timeout; `None` waits as long as it takes.
    pub fn set_timeout(&mut self, timeout: Option<Duration>) {
        self.timeout = timeout;
    }

    /// Closes the connection for good: later calls fail with
    /// [`ErrorKind::Closed`], and a pool will not lend it again.
    pub fn close_for(&mut self, reason: impl Into<String>) {
        let reason = reason.into();
        log::debug!("closing connection to {}: {reason}", self.addr);
        self.broken = Some(reason);
        self.stream.shutdown();
    }

    /// Why the connection was closed, once it was.
    pub fn closed_reason(&self) -> Option<&str> {
        self.broken.as_deref()
    }

    /// True once a failure closed the connection.
    pub fn is_broken(&self) -> bool {
        self.broken.is_some() || self.busy
    }

    /// When the connection was opened.
    pub fn created(&self) -> Instant {
        self.created
    }

    /// When the connection last finished a call.
    pub fn last_used(&self) -> Instant {
        self.last_used
    }

    /// Records session state changed by a pipeline that ran.
    pub(crate) fn note_session(&mut self, session: Session) {
        self.session.db |= session.db;
        self.session.watch |= session.watch;
        self.session.multi |= session.multi;
        self.session.other |= session.other;
    }

    /// Turns client tracking on, redirected to `target`, unless it is on
    /// for `generation` already. The pool's own tracking is not session
    /// state to undo.
    pub(crate) fn ensure_tracking(
        &mut self,
        target: i64,
        generation: u64,
        deadline: Option<Instant>,
    ) -> Result<()> {
        if self.tracking == generation {
            return Ok(());
        }
        let before = self.session;
        self.query_until::<()>(
            &Cmd::new("CLIENT")
                .arg("TRACKING")
                .arg("ON")
                .arg("REDIRECT")
                .arg(target),
            deadline,
        )?;
        self.session = before;
        self.tracking = generation;
        Ok(())
    }

    /// True when commands left session state (database, `WATCH`, `MULTI`,
    /// name, tracking, ...) that a pool must undo before lending the
    /// connection again.
    pub fn has_session_state(&self) -> bool {
        !self.session.is_clean()
    }

    /// Checks, without writing anything, that the server has not closed an
    /// idle connection: one non-blocking look at the socket. Data that
    /// arrived meanwhile (push messages) is kept for the next call.
    pub(crate) fn check_alive(&mut self) -> bool {
        if self.is_broken() {
            return false;
        }
        match net::wait(self.stream.fd(), true, false, Some(Instant::now())) {
            Err(e) if e.kind() == io::ErrorKind::TimedOut => return true,
            Err(_) => return false,
            Ok(_) => {}
        }
        match self.read_some() {
            Ok(_) => true,
            Err(error) => {
                self.poison(error.context("checking an idle connection"), 0, 0);
                false
            }
        }
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

    /// Undoes session state so the connection can be lent again: `DISCARD`,
    /// `UNWATCH` and `SELECT` back when only those changed, otherwise
    /// `RESET` and the handshake again (falling back to the first way on
    /// servers without `RESET`).
    ///
    /// # Errors
    ///
    /// Whatever failed; the connection should then be closed.
    pub(crate) fn reset_session(&mut self) -> Result<()> {
        if self.session.is_clean() {
            return Ok(());
        }
        let deadline = self.connect_timeout.map(|t| Instant::now() + t);
        if self.session.other {
            match self.query_until::<()>(&Cmd::new("RESET"), deadline) {
                Ok(()) => {
                    self.session = Session::default();
                    self.tracking = 0;
                    return self.run_handshake(self.handshake.clone(), deadline);
                }
                Err(e) if e.kind() == ErrorKind::Server => {
                    log::debug!("RESET refused ({e}); cleaning up by hand");
                }
                Err(e) => return Err(e),
            }
        }
        let mut pipe = crate::Pipeline::new();
        if self.session.multi {
            pipe.cmd("DISCARD");
        }
        pipe.cmd("UNWATCH");
        if self.session.db {
            pipe.cmd("SELECT").arg(self.handshake.db);
        }
        for result in self.pipeline_results_until(&pipe, deadline) {
            // DISCARD without MULTI is harmless; anything else is not.
            if let Err(e) = result {
                if e.kind() != ErrorKind::Server || !e.to_string().contains("DISCARD") {
                    return Err(e);
                }
            }
        }
        if self.session.other {
            return Err(Error::new(
                ErrorKind::InvalidCommand,
                Executed::No,
                "session state cannot be undone without RESET",
            ));
        }
        self.session = Session::default();
        Ok(())
    }

    /// Sets the handler of push messages that arrive on this connection
    /// while it waits for replies (RESP3 only). Without one, they are
    /// logged and dropped.
    pub fn set_push_handler(&mut self, handler: impl FnMut(Value) + Send + 'static) {
        self.push_handler = Some(Box::new(handler));
    }

    /// Runs one command and converts its reply.
    ///
    /// The deadline is the command's own timeout or the connection's,
    /// extended by the blocking time of blocking commands (`BLPOP k 5`
    /// waits up to 5 s more, plus a second of grace since the server
    /// checks such timeouts only a few times a second; a timeout of 0 waits
    /// forever).
    ///
    /// # Errors
    ///
    /// A server error reply ([`ErrorKind::Server`]), a reply that does not
    /// convert ([`ErrorKind::TypeMismatch`], the connection stays usable),
    /// or a failure that closes the connection; [`Error::executed`] says
    /// whether the command may have run.
    pub fn query<T: FromReply>(&mut self, cmd: &Cmd<'_>) -> Result<T> {
        if changes_mode(cmd) {
            return Err(Error::new(
                ErrorKind::InvalidCommand,
                Executed::No,
                format!(
                    "{} cannot run on a regular connection: use a Subscriber or Monitor",
                    String::from_utf8_lossy(cmd.name())
                ),
            ));
        }
        let deadline = self.deadline(cmd.get_timeout(), blocks(cmd));
        self.query_until(cmd, deadline)
    }

    /// Runs one command within `deadline`.
    pub(crate) fn query_until<T: FromReply>(
        &mut self,
        cmd: &Cmd<'_>,
        deadline: Option<Instant>,
    ) -> Result<T> {
        self.regular()?;
        let mut wbuf = std::mem::take(&mut self.wbuf);
        wbuf.clear();
        let mut segments = Segments {
            buf: wbuf.into(),
            ..Segments::default()
        };
        cmd.write_segments(&mut segments);
        let mut result = None;
        let outcome = self.exchange(&segments, 1, deadline, &mut |frame| {
            result = Some(T::from_reply(frame))
        });
        let end = segments.len();
        self.wbuf = segments.buf.into_owned();
        match outcome {
            Ok(()) => {
                self.session.note(cmd);
                result.unwrap_or_else(|| {
                    Err(Error::new(ErrorKind::Protocol, Executed::Maybe, "no reply"))
                })
            }
            Err(failure) => Err(failure.into_command_error(end)),
        }
    }

    /// Runs one command and returns its reply exactly as received: server
    /// errors as [`Frame::Error`] values, attributes kept. For tools that
    /// print replies (a CLI); programs want [`query`](Connection::query).
    ///
    /// # Errors
    ///
    /// Only failures of the call itself (I/O, timeout, protocol), which
    /// close the connection; and `SUBSCRIBE`/`MONITOR`, refused as in
    /// [`query`](Connection::query).
    pub fn query_raw(&mut self, cmd: &Cmd<'_>) -> Result<Value> {
        self.query::<RawReply>(cmd).map(|raw| raw.0)
    }

    /// The deadline of a call starting now.
    pub(crate) fn deadline(&self, own: Option<Duration>, blocking: Blocks) -> Option<Instant> {
        let base = own.or(self.timeout)?;
        match blocking {
            Blocks::No => Some(Instant::now() + base),
            // The server checks blocked clients' timeouts a few times a
            // second (`hz`), so it may answer a little after the command's
            // own timeout: allow for that.
            Blocks::For(extra) => Some(Instant::now() + base + extra + BLOCKING_GRACE),
            Blocks::Forever => None,
        }
    }

    fn usable(&self) -> Result<()> {
        if let Some(reason) = &self.broken {
            return Err(Error::new(
                ErrorKind::Closed,
                Executed::No,
                format!(
                    "connection to {} is closed after an earlier failure: {reason}",
                    self.addr
                ),
            ));
        }
        if self.busy {
            return Err(Error::new(
                ErrorKind::Closed,
                Executed::No,
                format!(
                    "connection to {} is closed: a call was abandoned mid-way (panic)",
                    self.addr
                ),
            ));
        }
        Ok(())
    }

    /// Fails for a connection in streaming mode, where replies cannot be
    /// told from messages.
    pub(crate) fn regular(&self) -> Result<()> {
        if self.is_streaming() {
            return Err(Error::new(
                ErrorKind::InvalidCommand,
                Executed::No,
                "a streaming connection (subscriber, monitor) cannot run regular calls",
            ));
        }
        Ok(())
    }

    /// Closes the connection for good with `error` as the reason.
    fn poison(&mut self, error: Error, replies: usize, written: usize) -> Failure {
        log::warn!("closing connection to {}: {error}", self.addr);
        self.broken = Some(error.to_string());
        self.stream.shutdown();
        self.busy = false;
        Failure {
            error,
            replies,
            written,
        }
    }

    /// Writes `out` and reads `expected` replies, handing each to
    /// `on_reply` in order; pushes go to the push handler.
    ///
    /// Writing and reading interleave, so neither side's buffers fill up
    /// however large `out` is. Any failure closes the connection.
    pub(crate) fn exchange(
        &mut self,
        out: &Segments<'_>,
        expected: usize,
        deadline: Option<Instant>,
        on_reply: &mut dyn FnMut(Frame<'_>),
    ) -> std::result::Result<(), Failure> {
        if let Err(error) = self.usable() {
            return Err(Failure {
                error,
                replies: 0,
                written: 0,
            });
        }
        self.busy = true;
        self.conv.sent(expected);
        let total = out.len();
        let mut written = 0;
        let mut got = 0;
        // Whether a read is worth trying without waiting first.
        let mut readable = self.stream.is_tls();
        loop {
            // Hand over every complete reply already buffered.
            while got < expected {
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
                        got += 1;
                    }
                    Ok(Status::Complete((Event::Push(frame), used))) => {
                        match &mut self.push_handler {
                            Some(handler) => handler(frame.into_owned()),
                            None => log::debug!("dropping a push message from {}", self.addr),
                        }
                        self.rpos += used;
                    }
                    Ok(Status::Partial) => break,
                    Err(e) => {
                        let error = self.protocol_error(e);
                        return Err(self.poison(error, got, written));
                    }
                }
            }
            if got == expected && written == total {
                break;
            }
            let mut progressed = false;
            if written < total {
                let slices = out.io_slices(written, 64);
                match self.stream.write_vectored(&slices) {
                    Ok(0) => {
                        let error = Error::new(
                            ErrorKind::Io,
                            Executed::No,
                            format!("writing to {}: connection closed", self.addr),
                        );
                        return Err(self.poison(error, got, written));
                    }
                    Ok(n) => {
                        written += n;
                        progressed = true;
                        // A large pipeline: look for replies between writes.
                        readable |= written < total;
                    }
                    Err(e) if e.kind() == io::ErrorKind::WouldBlock => {}
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => progressed = true,
                    Err(e) => {
                        let error =
                            Error::io(Executed::No, &format!("writing to {}", self.addr), e);
                        return Err(self.poison(error, got, written));
                    }
                }
            }
            if got < expected && readable {
                match self.read_some() {
                    Ok(Read::Data) => progressed = true,
                    Ok(Read::WouldBlock) => readable = false,
                    Err(error) => return Err(self.poison(error, got, written)),
                }
            }
            if !progressed && written == total && deadline.is_none() {
                // Only replies are awaited and nothing bounds the wait: one
                // blocking read instead of a poll and a read.
                match self.read_waiting() {
                    Some(Ok(_)) => continue,
                    Some(Err(error)) => return Err(self.poison(error, got, written)),
                    None => {}
                }
            }
            if !progressed {
                match net::wait(self.stream.fd(), got < expected, written < total, deadline) {
                    Ok(ready) => readable = ready.readable,
                    Err(e) if e.kind() == io::ErrorKind::TimedOut => {
                        let waited = if written < total {
                            "writing to"
                        } else {
                            "waiting for a reply from"
                        };
                        let error = Error::new(
                            ErrorKind::Timeout,
                            Executed::No,
                            format!("timed out {waited} {}", self.addr),
                        );
                        return Err(self.poison(error, got, written));
                    }
                    Err(e) => {
                        let error = Error::io(Executed::No, "waiting on the socket", e);
                        return Err(self.poison(error, got, written));
                    }
                }
            }
        }
        self.busy = false;
        self.last_used = Instant::now();
        self.settle_read_buffer();
        Ok(())
    }

    fn protocol_error(&self, e: resp_core::Error) -> Error {
        let hint = match e.kind() {
            DecodeErrorKind::UnknownType(0x15 | 0x16) => {
                " (this looks like TLS: use rediss:// or --tls)"
            }
            _ => "",
        };
        Error::new(
            ErrorKind::Protocol,
            Executed::No,
            format!("invalid reply from {}: {e}{hint}", self.addr),
        )
        .with_source(e)
    }

    /// Makes room for the next read: at least a chunk, and for a large
    /// value the whole of it at once, so it is read with one allocation.
    fn reserve_read_space(&mut self) {
        let pending = self.rlen - self.rpos;
        let needed = self.conv.decoder().needed().max(pending + READ_CHUNK);
        if self.rpos + needed <= self.rbuf.len() {
            return;
        }
        if needed <= self.rbuf.len() {
            self.rbuf.copy_within(self.rpos..self.rlen, 0);
        } else {
            // A fresh zeroed allocation (cheap for large sizes) instead of
            // growing the old one by steps.
            let mut bigger = vec![0; needed.max(2 * self.rbuf.len().min(KEEP_READ_BUFFER))];
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
    fn settle_read_buffer(&mut self) {
        if self.rpos == self.rlen {
            self.rpos = 0;
            self.rlen = 0;
            if self.rbuf.len() > KEEP_READ_BUFFER {
                self.rbuf = vec![0; READ_CHUNK];
            }
        }
    }
}

/// A reply kept exactly as received, errors and attributes included.
struct RawReply(Value);

impl FromReply for RawReply {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        Ok(RawReply(frame.into_owned()))
    }
}

/// Extra time allowed to blocking commands beyond their own timeout.
const BLOCKING_GRACE: Duration = Duration::from_secs(1);

/// What a non-blocking read did.
pub(crate) enum Read {
    /// Bytes arrived (or the read was interrupted): look again.
    Data,
    /// Nothing to read now.
    WouldBlock,
}

/// Values at least this large are handed over in the read buffer itself.
const STEAL_THRESHOLD: usize = 1024 * 1024;

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

impl Drop for Connection {
    fn drop(&mut self) {
        self.stream.shutdown();
    }
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection")
            .field("addr", &self.addr)
            .field("protocol", &self.protocol)
            .field("broken", &self.broken)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use std::error::Error as _;
    use std::io::{Read as _, Write as _};
    use std::os::unix::net::{UnixListener, UnixStream};
    use std::thread::JoinHandle;

    use super::*;

    /// A connection (that sent nothing on connect) to a Unix socket
    /// served once by `serve`.
    fn served(
        name: &str,
        serve: impl FnOnce(UnixStream) + Send + 'static,
    ) -> (Connection, JoinHandle<()>, std::path::PathBuf) {
        let dir =
            std::env::temp_dir().join(format!("redis-blocking-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.sock");
        let listener = UnixListener::bind(&path).unwrap();
        let server = std::thread::spawn(move || serve(listener.accept().unwrap().0));
        let conn = Connection::open(&Config::unix(&path).ping_on_connect(false)).unwrap();
        (conn, server, dir)
    }

    #[test]
    fn a_zero_timeout_hands_over_the_frames_that_arrived() {
        // What one thread driving many streaming connections relies on
        // (redis-cli-rs --bench): after epoll says readable, next_frame
        // with a zero timeout returns every frame already sent, then None;
        // a None must never leave a whole frame read but not handed over,
        // or the caller waits on a socket that has nothing more to say.
        let (mut conn, server, dir) = served("zero-timeout", |mut s| {
            let mut buf = [0u8; 64];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"+a\r\n+b\r\n");
            // Keep the connection open until the client hangs up.
            let _ = s.read(&mut buf);
        });
        conn.send_bytes_in_stream(b"PING\r\n").unwrap();
        let fd = std::os::fd::AsRawFd::as_raw_fd(&conn);
        net::wait(
            fd,
            true,
            false,
            Some(Instant::now() + Duration::from_secs(5)),
        )
        .unwrap();
        let zero = Some(Duration::ZERO);
        assert_eq!(conn.next_frame(zero).unwrap(), Some(Frame::simple(b"a")));
        assert_eq!(conn.next_frame(zero).unwrap(), Some(Frame::simple(b"b")));
        assert_eq!(conn.next_frame(zero).unwrap(), None);
        drop(conn);
        server.join().unwrap();
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn a_failed_command_keeps_its_source_error() {
        // The server is gone: writing fails with EPIPE, which the caller
        // can read from the source.
        let (mut conn, server, dir) = served("epipe", drop);
        server.join().unwrap();
        let e = conn.query_raw(&Cmd::new("PING")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
        let io = e.source().and_then(|s| s.downcast_ref::<io::Error>());
        assert_eq!(
            io.and_then(io::Error::raw_os_error),
            Some(libc::EPIPE),
            "{e:?}"
        );
        let _ = std::fs::remove_dir_all(dir);

        // Not RESP: the decoder's error is the source.
        let (mut conn, server, dir) = served("protocol", |mut s| {
            let mut buf = [0u8; 64];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"xyz\r\n");
        });
        let e = conn.query_raw(&Cmd::new("PING")).unwrap_err();
        server.join().unwrap();
        assert_eq!(e.kind(), ErrorKind::Protocol);
        let decode = e
            .source()
            .and_then(|s| s.downcast_ref::<resp_core::Error>());
        assert!(
            matches!(
                decode.map(resp_core::Error::kind),
                Some(DecodeErrorKind::UnknownType(b'x'))
            ),
            "{e:?}"
        );
        let _ = std::fs::remove_dir_all(dir);
    }
}
