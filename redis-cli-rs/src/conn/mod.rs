//! The wire: one socket (TCP, Unix or TLS), commands out, frames in.
//!
//! `redis-cli` needs byte-level control that `redis_blocking::Connection`
//! does not give: it must connect to a server that requires a password
//! without sending one (the user types `AUTH` later), see every frame as
//! sent (errors inside aggregates, pushes in order with replies), and
//! report failures with hiredis' words. So the CLI keeps this small layer
//! of its own on `resp_core`'s decoder and encoder.

use std::io::{self, Read, Write};
use std::net::TcpStream;
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use resp_core::{Decoder, Frame, OwnedFrame, Status};

use crate::options::TlsSettings;

mod tls;

/// Where to connect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target<'a> {
    Tcp { host: &'a str, port: i64 },
    Unix(&'a Path),
}

enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
    Tls(Box<native_tls::TlsStream<TcpStream>>),
}

impl Stream {
    fn fd(&self) -> RawFd {
        match self {
            Stream::Tcp(s) => s.as_raw_fd(),
            Stream::Unix(s) => s.as_raw_fd(),
            Stream::Tls(s) => s.get_ref().as_raw_fd(),
        }
    }

    fn set_read_timeout(&self, t: Option<Duration>) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.set_read_timeout(t),
            Stream::Unix(s) => s.set_read_timeout(t),
            Stream::Tls(s) => s.get_ref().set_read_timeout(t),
        }
    }

    fn set_nonblocking(&self, on: bool) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.set_nonblocking(on),
            Stream::Unix(s) => s.set_nonblocking(on),
            Stream::Tls(s) => s.get_ref().set_nonblocking(on),
        }
    }
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            Stream::Unix(s) => s.read(buf),
            Stream::Tls(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            Stream::Unix(s) => s.write(buf),
            Stream::Tls(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.flush(),
            Stream::Unix(s) => s.flush(),
            Stream::Tls(s) => s.flush(),
        }
    }
}

/// Why reading a reply failed, in hiredis' words (what `redis-cli` prints
/// after `Error: `).
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

const CHUNK: usize = 16 * 1024;

/// A connection: a socket and a read buffer.
pub(crate) struct Conn {
    stream: Stream,
    buf: Vec<u8>,
    pos: usize,
    decoder: Decoder,
    timeout: Option<Duration>,
}

impl Conn {
    /// Connects; the error is hiredis' `errstr` (`Connection refused`,
    /// `Name or service not known`, ...).
    pub(crate) fn connect(target: &Target<'_>, tls: Option<&TlsSettings>) -> Result<Conn, String> {
        let stream = match target {
            Target::Tcp { host, port } => {
                let tcp = tcp_connect(host, *port)?;
                let _ = tcp.set_nodelay(true);
                match tls {
                    Some(settings) => Stream::Tls(Box::new(tls::connect(tcp, host, settings)?)),
                    None => Stream::Tcp(tcp),
                }
            }
            Target::Unix(path) => {
                Stream::Unix(UnixStream::connect(path).map_err(|e| strerror(&e))?)
            }
        };
        Ok(Conn {
            stream,
            buf: Vec::with_capacity(CHUNK),
            pos: 0,
            decoder: Decoder::new(),
            timeout: None,
        })
    }

    /// Writes one command.
    pub(crate) fn send(&mut self, argv: &[Vec<u8>]) -> io::Result<()> {
        let mut out = Vec::with_capacity(64);
        resp_core::encode::write_command(&mut out, argv.iter().map(Vec::as_slice));
        self.send_raw(&out)
    }

    /// Writes bytes as they are.
    pub(crate) fn send_raw(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.stream.write_all(bytes)?;
        self.stream.flush()
    }

    /// Writes what it can of `bytes` without blocking (the socket must be
    /// non-blocking); returns how much went.
    pub(crate) fn write_some(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self.stream.write(bytes) {
            Ok(n) => Ok(n),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(0),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(0),
            Err(e) => Err(e),
        }
    }

    /// Switches the socket to non-blocking I/O (for `--pipe`).
    pub(crate) fn set_nonblocking(&mut self) -> io::Result<()> {
        self.stream.set_nonblocking(true)
    }

    /// The socket's descriptor, for `poll`.
    pub(crate) fn fd(&self) -> RawFd {
        self.stream.fd()
    }

    /// A frame already buffered, if a whole one is.
    pub(crate) fn buffered_frame(&mut self) -> Result<Option<OwnedFrame>, ReadError> {
        if self.pos == self.buf.len() {
            return Ok(None);
        }
        match self.decoder.decode(&self.buf[self.pos..]) {
            Ok(Status::Complete((frame, used))) => {
                let frame = frame.into_owned();
                self.pos += used;
                if self.pos == self.buf.len() {
                    self.buf.clear();
                    self.pos = 0;
                }
                Ok(Some(frame))
            }
            Ok(Status::Partial) => Ok(None),
            Err(e) => Err(ReadError::Protocol(protocol_message(
                &e,
                &self.buf[self.pos..],
            ))),
        }
    }

    /// Reads what the socket has (non-blocking sockets: may read nothing).
    /// `Ok(false)` when nothing could be read now.
    pub(crate) fn fill(&mut self) -> Result<bool, ReadError> {
        if self.pos > 0 && self.pos == self.buf.len() {
            self.buf.clear();
            self.pos = 0;
        }
        let start = self.buf.len();
        self.buf.resize(start + CHUNK, 0);
        let result = self.stream.read(&mut self.buf[start..]);
        match result {
            Ok(0) => {
                self.buf.truncate(start);
                Err(ReadError::Closed)
            }
            Ok(n) => {
                self.buf.truncate(start + n);
                Ok(true)
            }
            Err(e) => {
                self.buf.truncate(start);
                match e.kind() {
                    io::ErrorKind::WouldBlock
                    | io::ErrorKind::TimedOut
                    | io::ErrorKind::Interrupted => Ok(false),
                    _ => Err(ReadError::Io(strerror(&e))),
                }
            }
        }
    }

    /// The next frame, waiting at most `timeout` (`None`: for ever).
    /// `Ok(None)` when the time ran out.
    pub(crate) fn read_frame(
        &mut self,
        timeout: Option<Duration>,
    ) -> Result<Option<OwnedFrame>, ReadError> {
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            if let Some(frame) = self.buffered_frame()? {
                return Ok(Some(frame));
            }
            let wait = match deadline {
                None => None,
                Some(d) => {
                    let left = d.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        return Ok(None);
                    }
                    Some(left)
                }
            };
            if wait != self.timeout {
                self.stream
                    .set_read_timeout(wait)
                    .map_err(|e| ReadError::Io(strerror(&e)))?;
                self.timeout = wait;
            }
            self.fill()?;
        }
    }

    /// Sends one command and reads its reply, skipping nothing.
    pub(crate) fn call(&mut self, argv: &[Vec<u8>]) -> Result<OwnedFrame, ReadError> {
        self.send(argv).map_err(|e| ReadError::Io(strerror(&e)))?;
        loop {
            match self.read_frame(None)? {
                Some(Frame::Push(_)) => continue,
                Some(frame) => return Ok(frame),
                None => continue,
            }
        }
    }
}

/// hiredis' words for a protocol error.
fn protocol_message(e: &resp_core::Error, buf: &[u8]) -> String {
    match e.kind() {
        resp_core::ErrorKind::UnknownType(b) => {
            format!("Protocol error, got {:?} as reply type byte", char::from(b))
        }
        _ => {
            let _ = buf;
            format!("Protocol error: {e}")
        }
    }
}

/// Connects to `host:port` the way hiredis does: every address the name
/// resolves to, in turn; the last failure is reported.
fn tcp_connect(host: &str, port: i64) -> Result<TcpStream, String> {
    use std::net::ToSocketAddrs;
    // getaddrinfo reads a numeric service as a 16-bit port.
    let port = port as u16;
    let addrs = (host, port).to_socket_addrs().map_err(|e| strerror(&e))?;
    let mut last = String::from("Can't resolve");
    for addr in addrs {
        match TcpStream::connect(addr) {
            Ok(s) => return Ok(s),
            Err(e) => last = strerror(&e),
        }
    }
    Err(last)
}
