//! One connection to one server: setting it up, running calls on it, and
//! closing it for good when it may be out of step.
//!
//! The wire loop is in `run.rs`; session state a pool must undo is in
//! `session.rs`; streaming mode (subscribers, monitors) in `streaming.rs`.

use std::time::{Duration, Instant};

use resp_core::client::{Conversation, Handshake, HandshakeOptions, Protocol};
use resp_core::command::{blocks, changes_mode, silences_replies, Blocks, Session};
use resp_core::Frame;

use crate::cmd::Segments;
use crate::config::{Addr, Config};
use crate::error::{Error, ErrorKind, Executed, Result};
use crate::net::{self, Stream};
use crate::types::{FromReply, Value};
use crate::Cmd;

mod raw;
mod run;
mod session;
pub(crate) mod streaming;

pub(crate) use run::{Exchange, Failure, Read, Until};

/// A handler for push messages (RESP3 `>` frames) that arrive on a regular
/// connection, such as client-side caching invalidations.
pub type PushHandler = Box<dyn FnMut(Value) + Send>;

/// Extra time allowed to blocking commands beyond their own timeout.
const BLOCKING_GRACE: Duration = Duration::from_secs(1);

/// A connection to a Redis server.
///
/// Commands run one call at a time; each call writes its command(s) and
/// reads their replies before returning, within the call's deadline. A
/// failure that may leave the connection out of step with the server (an
/// I/O error, a timeout, a malformed reply, a reply nobody asked for, a
/// panic in the middle of a call) closes it: every later call fails with
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
    config: Config,
    /// The client-side cache generation whose tracking is on here (0: off).
    tracking: u64,
    /// The last call found the connection closed or out of step before
    /// writing anything.
    stale: bool,
    /// The socket's receive timeout, as last set.
    read_timeout: Option<Duration>,
    /// The topology epoch it was opened in (0 for a fixed server).
    epoch: u64,
    /// Its registration to be shut down when the topology moves on.
    _watch: Option<crate::connector::Watch>,
}

impl Connection {
    /// Opens a connection and runs the handshake, all within the
    /// configured connect timeout.
    ///
    /// # Errors
    ///
    /// Connect, TLS, timeout and authentication failures, each with the
    /// address and a clear cause; [`ErrorKind::Protocol`] for a peer that
    /// does not speak RESP (which retrying will not fix).
    pub fn open(config: &Config) -> Result<Connection> {
        Connection::open_with(config, &mut |_| {})
    }

    /// [`open`](Connection::open), calling `established` once the stream
    /// is up, before the handshake (to register the socket, so that a
    /// handshake left hanging on a server that stopped can be ended).
    pub(crate) fn open_with(
        config: &Config,
        established: &mut dyn FnMut(&Connection),
    ) -> Result<Connection> {
        config.validate()?;
        let deadline = config.connect_timeout.and_then(after);
        let stream =
            net::connect(config, deadline).map_err(|e| e.context(format!("{}", config.addr)))?;
        let mut conn = Connection {
            stream,
            conv: Conversation::with_limits(config.limits),
            rbuf: vec![0; run::READ_CHUNK],
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
            config: config.clone(),
            tracking: 0,
            stale: false,
            read_timeout: None,
            epoch: 0,
            _watch: None,
        };
        established(&conn);
        conn.run_handshake(config.handshake.clone(), deadline)?;
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

    fn run_handshake(
        &mut self,
        options: HandshakeOptions,
        deadline: Option<Instant>,
    ) -> Result<()> {
        let mut handshake = Handshake::new(options);
        let mut out = Vec::new();
        while handshake.poll_command(&mut out) {
            // Each reply within the response timeout too: a server that
            // accepts connections but answers nothing (stopped, hung) holds
            // a new connection no longer than it holds a call.
            let own = self.timeout.and_then(after);
            let reply = self.roundtrip(&out, earliest(deadline, own))?;
            out.clear();
            if let Err(e) = handshake.handle_reply(&reply) {
                let error = Error::handshake(e).context(&self.addr);
                self.close_for(error.to_string());
                return Err(error);
            }
        }
        self.protocol = handshake.protocol();
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
            // A peer that does not speak RESP will not start to on a
            // retry; connection failures and timeouts may pass.
            let kind = match f.error.kind() {
                ErrorKind::Timeout => ErrorKind::Timeout,
                ErrorKind::Protocol => ErrorKind::Protocol,
                _ => ErrorKind::Connect,
            };
            Error::new(
                kind,
                Executed::No,
                format!("{}: handshake failed: {}", self.addr, f.error),
            )
        })?;
        Ok(reply.unwrap_or(Frame::Null))
    }

    /// Sends one command already encoded (`bytes`) and returns its reply as
    /// received, error replies included, within `deadline`.
    pub(crate) fn query_bytes(&mut self, bytes: &[u8], deadline: Option<Instant>) -> Result<Value> {
        self.regular()?;
        let mut segments = Segments::default();
        segments.copy(bytes);
        let mut reply = None;
        self.exchange(&segments, 1, deadline, &mut |frame| {
            reply = Some(frame.into_owned())
        })
        .map_err(|f| f.into_command_error(segments.len()))?;
        reply.ok_or_else(|| Error::new(ErrorKind::Protocol, Executed::Maybe, "no reply"))
    }

    /// The topology epoch the connection was opened in.
    pub(crate) fn epoch(&self) -> u64 {
        self.epoch
    }

    pub(crate) fn set_epoch(&mut self, epoch: u64) {
        self.epoch = epoch;
    }

    /// Keeps a registration that shuts the socket down when the topology
    /// moves on, for as long as the connection lives.
    pub(crate) fn attach_watch(&mut self, watch: crate::connector::Watch) {
        self._watch = Some(watch);
    }

    /// A second handle on the socket, through which another thread can
    /// shut it down (waking a read blocked on it); `None` if the system
    /// refuses one.
    pub(crate) fn shutdown_handle(&self) -> Option<socket2::Socket> {
        self.stream.try_clone_socket().ok()
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

    /// True when the last call failed because the connection was found
    /// closed (or out of step) before anything was written: a pool lent a
    /// connection the server had dropped while it was idle. The call surely
    /// did not run.
    pub fn was_stale(&self) -> bool {
        self.stale
    }

    /// When the connection was opened.
    pub fn created(&self) -> Instant {
        self.created
    }

    /// When the connection last finished a call.
    pub fn last_used(&self) -> Instant {
        self.last_used
    }

    /// Sets the handler of push messages that arrive on this connection
    /// while it waits for replies (RESP3 only). Without one, they are
    /// logged and dropped.
    pub fn set_push_handler(&mut self, handler: impl FnMut(Value) + Send + 'static) {
        self.push_handler = Some(Box::new(handler));
    }

    /// Fails for commands whose replies a regular connection cannot pair
    /// with them.
    pub(crate) fn pairable(cmd: &Cmd<'_>) -> Result<()> {
        if let Some(why) = cmd.invalid() {
            return Err(Error::new(ErrorKind::InvalidCommand, Executed::No, why));
        }
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
        if silences_replies(cmd) {
            return Err(Error::new(
                ErrorKind::InvalidCommand,
                Executed::No,
                "CLIENT REPLY OFF/SKIP cannot run on a regular connection: replies could no longer be paired with commands",
            ));
        }
        Ok(())
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
        Connection::pairable(cmd)?;
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

    /// Runs `cmd` within `deadline`, preceded by `ASKING` in the same write
    /// (a cluster's `ASK` redirect: the target serves the slot being
    /// imported for that one command).
    pub(crate) fn query_asking<T: FromReply>(
        &mut self,
        cmd: &Cmd<'_>,
        deadline: Option<Instant>,
    ) -> Result<T> {
        self.regular()?;
        let mut segments = Segments::default();
        segments.copy(b"*1\r\n$6\r\nASKING\r\n");
        cmd.write_segments(&mut segments);
        let (mut seen, mut result) = (0, None);
        let outcome = self.exchange(&segments, 2, deadline, &mut |frame| {
            if seen == 1 {
                result = Some(T::from_reply(frame));
            }
            seen += 1;
        });
        match outcome {
            Ok(()) => result.unwrap_or_else(|| {
                Err(Error::new(ErrorKind::Protocol, Executed::Maybe, "no reply"))
            }),
            Err(failure) => Err(failure.into_command_error(segments.len())),
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

    /// Runs one command and returns its reply exactly as received, as
    /// [`query_raw`](Connection::query_raw), handing the push messages
    /// that arrive before the reply to `on_push` as they are read (instead
    /// of the connection's push handler), so that a flood of pushes while
    /// a call waits costs no memory.
    ///
    /// # Errors
    ///
    /// As [`query_raw`](Connection::query_raw).
    pub fn query_raw_with_pushes(
        &mut self,
        cmd: &Cmd<'_>,
        on_push: &mut dyn FnMut(Value),
    ) -> Result<Value> {
        Connection::pairable(cmd)?;
        self.regular()?;
        let deadline = self.deadline(cmd.get_timeout(), blocks(cmd));
        let mut segments = Segments::default();
        cmd.write_segments(&mut segments);
        let mut reply = None;
        let outcome = self.exchange_with(
            &segments,
            1,
            deadline,
            &mut |frame| reply = Some(frame.into_owned()),
            &mut |push| on_push(push.into_owned()),
        );
        match outcome {
            Ok(()) => {
                self.session.note(cmd);
                reply.ok_or_else(|| Error::new(ErrorKind::Protocol, Executed::Maybe, "no reply"))
            }
            Err(failure) => Err(failure.into_command_error(segments.len())),
        }
    }

    /// The deadline of a call starting now.
    pub(crate) fn deadline(&self, own: Option<Duration>, blocking: Blocks) -> Option<Instant> {
        deadline_after(own.or(self.timeout), blocking)
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
}

/// The deadline of a call starting now that may take `timeout` (`None`:
/// no bound), extended for blocking commands: by their own timeout, plus a
/// second of grace since the server checks blocked clients' timeouts only
/// a few times a second (`hz`); none for those that may block forever.
pub(crate) fn deadline_after(timeout: Option<Duration>, blocking: Blocks) -> Option<Instant> {
    let base = timeout?;
    match blocking {
        Blocks::No => after(base),
        Blocks::For(extra) => base
            .checked_add(extra)
            .and_then(|t| t.checked_add(BLOCKING_GRACE))
            .and_then(after),
        Blocks::Forever => None,
    }
}

/// The sooner of two deadlines (`None`: no bound).
pub(crate) fn earliest(a: Option<Instant>, b: Option<Instant>) -> Option<Instant> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// The instant `timeout` from now; `None` (no bound) when that is beyond
/// what the clock can represent (`Duration::MAX`, a common way to say "no
/// timeout"), where `Instant + Duration` would panic.
pub(crate) fn after(timeout: Duration) -> Option<Instant> {
    Instant::now().checked_add(timeout)
}

/// A reply kept exactly as received, errors and attributes included.
struct RawReply(Value);

impl FromReply for RawReply {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        Ok(RawReply(frame.into_owned()))
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

    use resp_core::ErrorKind as DecodeErrorKind;
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
        // The server is gone: found before writing, so the command surely
        // did not run.
        let (mut conn, server, dir) = served("eof", drop);
        server.join().unwrap();
        let e = conn.query_raw(&Cmd::new("PING")).unwrap_err();
        assert_eq!(
            (e.kind(), e.executed()),
            (ErrorKind::Io, Executed::No),
            "{e:?}"
        );
        assert!(e.to_string().contains("before writing"), "{e}");
        assert!(conn.was_stale());
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
