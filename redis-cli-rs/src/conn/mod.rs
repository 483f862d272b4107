//! The CLI's connection: a [`redis_blocking::Connection`] (which owns the
//! socket, TLS and RESP decoding), and what `redis-cli` needs on top of it.
//!
//! * Opening sends nothing ([`Config::ping_on_connect`] off, no handshake
//!   in the config): the session runs `AUTH`, `SELECT` and `HELLO 3`
//!   itself, reporting refusals in `redis-cli`'s words.
//! * Replies come exactly as the server sent them
//!   ([`Connection::query_raw_with_pushes`]); push messages that arrive
//!   before a reply are handed over as they are read, in order, so that a
//!   flood of them costs no memory.
//! * Commands a regular connection refuses (`UNSUBSCRIBE` outside a
//!   subscription, `SYNC`, ...) are sent anyway, as `redis-cli` sends
//!   them: the connection then reads frame by frame
//!   ([`Connection::start_stream`]) for the rest of its life, and each
//!   reply is the next frame that is not a push, as hiredis reads them.
//! * Failures are reported with hiredis' words (`Connection refused`,
//!   `Server closed the connection`, `Protocol error, got ...`).

use std::error::Error as _;
use std::io;
use std::path::Path;
use std::time::Duration;

use redis_blocking::{Cmd, Config, Connection, ErrorKind, Pipeline};
use resp_core::{Frame, OwnedFrame};

use crate::options::TlsSettings;

pub(crate) mod ciphers;
pub(crate) mod tls;

/// Where to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target<'a> {
    Tcp { host: &'a str, port: i64 },
    Unix(&'a Path),
}

/// What a reply that did not come within `-t` is reported as: hiredis'
/// words for a blocking read that timed out on Linux (`EAGAIN`).
pub(crate) const TIMED_OUT: &str = "Resource temporarily unavailable";

/// Why a call failed, in hiredis' words (what `redis-cli` prints after
/// `Error: `).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum ReadError {
    /// The server closed the connection.
    Closed,
    /// A socket error.
    Io(String),
    /// Bytes that are not RESP.
    Protocol(String),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Closed => f.write_str("Server closed the connection"),
            ReadError::Io(m) | ReadError::Protocol(m) => f.write_str(m),
        }
    }
}

impl ReadError {
    /// The words for a call that found the connection closed before
    /// writing: hiredis writes first, and a write to a Unix socket whose
    /// peer is gone fails with `EPIPE`; over TCP the write goes through and
    /// the read finds the end of the stream.
    fn from_stale(e: &redis_blocking::Error, unix: bool) -> ReadError {
        if unix && e.kind() == ErrorKind::Io && e.source().is_none() {
            // Only for a call that wrote nothing.
            return ReadError::Io(strerror(&io::Error::from_raw_os_error(libc::EPIPE)));
        }
        ReadError::from_call(e)
    }

    /// The words for a failed call (the connection is closed by then).
    fn from_call(e: &redis_blocking::Error) -> ReadError {
        if e.kind() == ErrorKind::Timeout {
            return ReadError::Io(TIMED_OUT.into());
        }
        let source = e.source();
        if let Some(io) = source.and_then(|s| s.downcast_ref::<io::Error>()) {
            return ReadError::Io(strerror(io));
        }
        if let Some(decode) = source.and_then(|s| s.downcast_ref::<resp_core::Error>()) {
            return ReadError::Protocol(protocol_message(decode));
        }
        match e.kind() {
            // The end of the stream (a read or write of nothing), or a
            // connection closed by an earlier failure.
            ErrorKind::Io | ErrorKind::Closed => ReadError::Closed,
            _ => ReadError::Io(e.to_string()),
        }
    }
}

/// The text of an I/O error as C's `strerror` gives it.
pub(crate) fn strerror(e: &io::Error) -> String {
    match e.raw_os_error() {
        Some(code) => {
            // SAFETY: strerror returns a valid C string for any code.
            let text = unsafe { std::ffi::CStr::from_ptr(libc::strerror(code)) };
            text.to_string_lossy().into_owned()
        }
        None => {
            let text = e.to_string();
            text.strip_prefix("failed to lookup address information: ")
                .unwrap_or(&text)
                .to_owned()
        }
    }
}

/// hiredis' words for a protocol error.
fn protocol_message(e: &resp_core::Error) -> String {
    match e.kind() {
        resp_core::ErrorKind::UnknownType(b) => {
            format!("Protocol error, got {:?} as reply type byte", char::from(b))
        }
        _ => format!("Protocol error: {e}"),
    }
}

/// hiredis' `errstr` for a connection that could not be opened
/// (`Connection refused`, `Name or service not known`, the TLS library's
/// message, ...).
pub(crate) fn connect_message(e: &redis_blocking::Error) -> String {
    if e.kind() == ErrorKind::Timeout {
        return strerror(&io::Error::from_raw_os_error(libc::ETIMEDOUT));
    }
    match e.source() {
        Some(source) => match source.downcast_ref::<io::Error>() {
            Some(io) => strerror(io),
            // The TLS library's error, as hiredis words a failed handshake.
            None => tls_message(&source.to_string()),
        },
        // The name resolved to no address.
        None if e.kind() == ErrorKind::Connect => "Can't resolve".into(),
        None => e.to_string(),
    }
}

/// hiredis' words for a TLS handshake that failed: `SSL_connect failed:`
/// and OpenSSL's reason (the fifth field of an OpenSSL error line such as
/// `error:0A000086:SSL routines:...:certificate verify failed:file:line:`);
/// other messages as they are.
fn tls_message(text: &str) -> String {
    if let Some(rest) = text.split("error:").nth(1) {
        let fields: Vec<&str> = rest.split(':').collect();
        let code = fields.first().copied().unwrap_or_default();
        if fields.len() >= 4 && code.len() == 8 && code.chars().all(|c| c.is_ascii_hexdigit()) {
            return format!("SSL_connect failed: {}", fields[3]);
        }
    }
    text.to_owned()
}

/// The command for `argv` (not empty), bytes as they are.
fn command(argv: &[Vec<u8>]) -> Cmd<'_> {
    let mut cmd = Cmd::from_name_bytes(&argv[0]);
    for arg in &argv[1..] {
        cmd.add_arg(arg);
    }
    cmd
}

/// An open connection.
pub(crate) struct Conn {
    inner: Connection,
    unix: bool,
}

impl Conn {
    /// Connects, sending nothing, waiting at most `timeout` (`-t`; also
    /// the limit on each reply afterwards); the error is hiredis' `errstr`
    /// (`Connection refused`, `Name or service not known`, `Connection
    /// timed out`, ...).
    pub(crate) fn connect(
        target: &Target<'_>,
        tls: Option<&TlsSettings>,
        timeout: Option<Duration>,
    ) -> Result<Conn, String> {
        // Kept until the connection is open: the TLS setup reads it.
        let mut ca_bundle = None;
        let config = match target {
            Target::Tcp { host, port } => {
                if host.is_empty() {
                    // redis-blocking refuses an empty host before
                    // resolving it; say what the resolver says.
                    return Err(resolve_message(host));
                }
                // getaddrinfo refuses a negative numeric service...
                if *port < 0 {
                    return Err("Servname not supported for ai_socktype".into());
                }
                // ...and reads any other as a 16-bit port.
                let config = Config::tcp(*host, *port as u16);
                match tls {
                    Some(settings) => {
                        let (options, bundle) = tls::options_for(settings)?;
                        ca_bundle = bundle;
                        config.tls(options)
                    }
                    None => config,
                }
            }
            // As before: TLS settings do not apply to Unix sockets.
            Target::Unix(path) => Config::unix(*path),
        };
        // As redis-cli: no connect timeout unless -t, keepalive after 15 s
        // idle.
        let config = config
            .connect_timeout(timeout)
            .timeout(timeout)
            .keepalive(Some(Duration::from_secs(15)))
            .ping_on_connect(false);
        let inner = Connection::open(&config).map_err(|e| connect_message(&e))?;
        drop(ca_bundle);
        let unix = matches!(target, Target::Unix(_));
        Ok(Conn { inner, unix })
    }

    /// Runs one command and returns its reply; push messages are dropped.
    pub(crate) fn call(&mut self, argv: &[Vec<u8>]) -> Result<OwnedFrame, ReadError> {
        self.call_with_pushes(argv, &mut drop)
    }

    /// Runs one command and returns its reply; the push messages that
    /// came before it go to `on_push`, in order, as they are read (also
    /// when the call fails). A failure closes the connection: drop it.
    pub(crate) fn call_with_pushes(
        &mut self,
        argv: &[Vec<u8>],
        on_push: &mut dyn FnMut(OwnedFrame),
    ) -> Result<OwnedFrame, ReadError> {
        let cmd = command(argv);
        if self.inner.is_streaming() {
            self.stream_call(&cmd, on_push)
        } else {
            match self.inner.query_raw_with_pushes(&cmd, on_push) {
                // Refused before anything was written: a command that
                // changes how the connection reads (UNSUBSCRIBE, SYNC,
                // ...). redis-cli sends it; from now on, read frame by
                // frame.
                Err(e) if e.kind() == ErrorKind::InvalidCommand => {
                    match self.inner.start_stream(&cmd) {
                        Ok(()) => self.stream_reply(on_push),
                        Err(e) => Err(ReadError::from_call(&e)),
                    }
                }
                result => result.map_err(|e| {
                    let stale = self.unix && self.inner.was_stale();
                    ReadError::from_stale(&e, stale)
                }),
            }
        }
    }

    /// Runs the commands as one pipeline; their replies, in order
    /// (error replies as values). Push messages are dropped.
    pub(crate) fn call_batch(
        &mut self,
        commands: &[Vec<Vec<u8>>],
    ) -> Result<Vec<OwnedFrame>, ReadError> {
        if self.inner.is_streaming() {
            return commands.iter().map(|argv| self.call(argv)).collect();
        }
        let mut pipe = Pipeline::new();
        for argv in commands {
            pipe.add(command(argv));
        }
        let results = self.inner.pipeline_results(&pipe);
        results
            .into_iter()
            .map(|result| match result {
                Ok(frame) => Ok(frame),
                Err(e) => match e.server_error() {
                    Some(server) => Ok(Frame::Error(server.line().as_bytes().to_vec().into())),
                    None => Err(ReadError::from_call(&e)),
                },
            })
            .collect()
    }

    /// Sends a command after which the server talks unprompted
    /// (`SUBSCRIBE`, `MONITOR`); read what it sends with
    /// [`Conn::next_frame`].
    pub(crate) fn start_stream(&mut self, argv: &[Vec<u8>]) -> Result<(), ReadError> {
        self.inner
            .start_stream(&command(argv))
            .map_err(|e| ReadError::from_call(&e))
    }

    /// Writes prepared protocol as it is (`--pipe`); the replies are read
    /// with [`Conn::next_frame`].
    pub(crate) fn send_bytes(&mut self, bytes: &[u8]) -> Result<(), ReadError> {
        self.inner
            .send_bytes_in_stream(bytes)
            .map_err(|e| ReadError::from_call(&e))
    }

    /// The next frame the server sends, waiting at most `timeout`
    /// (`None`: for ever); `Ok(None)` when the time ran out.
    pub(crate) fn next_frame(
        &mut self,
        timeout: Option<Duration>,
    ) -> Result<Option<OwnedFrame>, ReadError> {
        self.inner
            .next_frame(timeout)
            .map_err(|e| ReadError::from_call(&e))
    }

    /// The bytes received and not consumed, bypassing the RESP decoder
    /// (the RDB after `SYNC`); reads once when no more than `beyond` are
    /// buffered, waiting at most `timeout`. No longer than `beyond` when
    /// the time ran out.
    pub(crate) fn raw_input(
        &mut self,
        beyond: usize,
        timeout: Option<Duration>,
    ) -> Result<&[u8], ReadError> {
        self.inner
            .raw_input(beyond, timeout)
            .map_err(|e| ReadError::from_call(&e))
    }

    /// Marks `n` bytes of [`Conn::raw_input`] as used.
    pub(crate) fn consume_raw(&mut self, n: usize) {
        self.inner.consume_raw(n);
    }

    /// A command on a connection that reads frame by frame.
    fn stream_call(
        &mut self,
        cmd: &Cmd<'_>,
        on_push: &mut dyn FnMut(OwnedFrame),
    ) -> Result<OwnedFrame, ReadError> {
        self.inner
            .send_in_stream(cmd)
            .map_err(|e| ReadError::from_call(&e))?;
        self.stream_reply(on_push)
    }

    /// The next frame that is not a push message.
    fn stream_reply(
        &mut self,
        on_push: &mut dyn FnMut(OwnedFrame),
    ) -> Result<OwnedFrame, ReadError> {
        loop {
            match self.next_frame(None)? {
                Some(frame @ Frame::Push(_)) => on_push(frame),
                Some(frame) => return Ok(frame),
                None => {}
            }
        }
    }
}

/// What the resolver says about `host`.
fn resolve_message(host: &str) -> String {
    use std::net::ToSocketAddrs;
    match (host, 0).to_socket_addrs() {
        Err(e) => strerror(&e),
        Ok(_) => "Can't resolve".into(),
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read, Write};
    use std::os::unix::net::{UnixListener, UnixStream};
    use std::path::PathBuf;
    use std::thread::JoinHandle;

    use super::*;

    /// A connection to a Unix socket that `serve` answers once.
    fn served(
        name: &str,
        serve: impl FnOnce(UnixStream) + Send + 'static,
    ) -> (Conn, JoinHandle<()>, PathBuf) {
        let dir =
            std::env::temp_dir().join(format!("redis-cli-rs-conn-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("s.sock");
        let listener = UnixListener::bind(&path).unwrap();
        let server = std::thread::spawn(move || serve(listener.accept().unwrap().0));
        let conn = Conn::connect(&Target::Unix(&path), None, None).unwrap();
        (conn, server, dir)
    }

    /// Reads one request, answers `reply`, then hangs up.
    fn answer(reply: &'static [u8]) -> impl FnOnce(UnixStream) + Send + 'static {
        move |mut s| {
            let mut buf = [0u8; 256];
            let _ = s.read(&mut buf);
            let _ = s.write_all(reply);
        }
    }

    fn ping() -> Vec<Vec<u8>> {
        vec![b"PING".to_vec()]
    }

    #[test]
    fn failures_in_hiredis_words() {
        let (mut conn, server, dir) = served("protocol", answer(b"?x\r\n"));
        assert_eq!(
            conn.call(&ping()).unwrap_err().to_string(),
            "Protocol error, got '?' as reply type byte"
        );
        server.join().unwrap();
        let _ = std::fs::remove_dir_all(dir);

        let (mut conn, server, dir) = served("closed", answer(b""));
        assert_eq!(conn.call(&ping()).unwrap_err(), ReadError::Closed);
        server.join().unwrap();
        let _ = std::fs::remove_dir_all(dir);

        // Gone before the command is written: EPIPE on a Unix socket.
        let (mut conn, server, dir) = served("epipe", drop);
        server.join().unwrap();
        assert_eq!(
            conn.call(&ping()).unwrap_err(),
            ReadError::Io("Broken pipe".into())
        );
        let _ = std::fs::remove_dir_all(dir);

        let missing = Path::new("/nonexistent/redis.sock");
        assert_eq!(
            Conn::connect(&Target::Unix(missing), None, None)
                .err()
                .unwrap(),
            "No such file or directory"
        );
        assert_eq!(
            Conn::connect(
                &Target::Tcp {
                    host: "",
                    port: 6379
                },
                None,
                None
            )
            .err()
            .unwrap(),
            "Name or service not known"
        );
    }

    #[test]
    fn tls_failures_in_hiredis_words() {
        assert_eq!(
            tls_message("error:0A000086:SSL routines:tls_post_process_server_certificate:certificate verify failed:../ssl/statem/statem_clnt.c:1889: (self-signed certificate in certificate chain)"),
            "SSL_connect failed: certificate verify failed"
        );
        assert_eq!(tls_message("something else"), "something else");
    }

    #[test]
    fn pushes_come_with_the_reply_they_preceded() {
        let (mut conn, server, dir) =
            served("pushes", answer(b">2\r\n+a\r\n:1\r\n+PONG\r\n>1\r\n+b\r\n"));
        let mut pushes = Vec::new();
        let reply = conn
            .call_with_pushes(&ping(), &mut |p| pushes.push(p))
            .unwrap();
        assert_eq!(reply, Frame::simple(b"PONG"));
        assert_eq!(pushes.len(), 1);
        server.join().unwrap();
        let _ = std::fs::remove_dir_all(dir);
    }

    #[test]
    fn commands_a_regular_connection_refuses_are_sent_anyway() {
        // UNSUBSCRIBE of two channels: two replies, the second read as the
        // next command's, as hiredis reads them.
        let (mut conn, server, dir) = served("unsubscribe", |mut s| {
            let mut buf = [0u8; 256];
            let _ = s.read(&mut buf);
            let _ = s.write_all(b"*3\r\n$11\r\nunsubscribe\r\n$1\r\na\r\n:0\r\n*3\r\n$11\r\nunsubscribe\r\n$1\r\nb\r\n:0\r\n");
            // A PONG for every PING, until the client hangs up.
            while let Ok(n @ 1..) = s.read(&mut buf) {
                for _ in buf[..n].windows(4).filter(|w| w == b"PING") {
                    let _ = s.write_all(b"+PONG\r\n");
                }
            }
        });
        let argv = vec![b"UNSUBSCRIBE".to_vec(), b"a".to_vec(), b"b".to_vec()];
        let first = conn.call(&argv).unwrap();
        assert!(matches!(&first, Frame::Array(items) if items[1] == Frame::bulk(b"a")));
        let second = conn.call(&ping()).unwrap();
        assert!(matches!(&second, Frame::Array(items) if items[1] == Frame::bulk(b"b")));
        assert_eq!(conn.call(&ping()).unwrap(), Frame::simple(b"PONG"));
        drop(conn);
        server.join().unwrap();
        let _ = std::fs::remove_dir_all(dir);
    }
}
