//! The stream types and how they are established.

use std::io::{self, IoSlice, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream, ToSocketAddrs};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::time::{Duration, Instant};

use socket2::{Domain, Protocol, SockAddr, SockRef, Socket, TcpKeepalive, Type};

use crate::config::{Addr, Config};
use crate::error::{Error, ErrorKind, Executed, Result};

/// An established stream.
///
/// Plaintext sockets stay in blocking mode: reads and writes that must not
/// wait pass `MSG_DONTWAIT`, and a call with no deadline that only waits for
/// its reply reads with a plain blocking `recv` (two system calls a
/// command instead of three). TLS sockets are non-blocking, since the TLS
/// library reads and writes them itself.
pub(crate) enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
    Tls(Box<native_tls::TlsStream<TcpStream>>),
}

impl Stream {
    pub fn fd(&self) -> RawFd {
        match self {
            Stream::Tcp(s) => s.as_raw_fd(),
            Stream::Unix(s) => s.as_raw_fd(),
            Stream::Tls(s) => s.get_ref().as_raw_fd(),
        }
    }

    /// Reads what has arrived, without waiting (`WouldBlock` if nothing).
    pub fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => recv(s.as_raw_fd(), buf, libc::MSG_DONTWAIT),
            Stream::Unix(s) => recv(s.as_raw_fd(), buf, libc::MSG_DONTWAIT),
            Stream::Tls(s) => s.read(buf),
        }
    }

    /// Reads without waiting into `buf`'s spare capacity, up to `limit`
    /// bytes in all: plaintext streams write straight into the unfilled
    /// memory (no zero-filling first); TLS, which reads through a slice,
    /// zero-fills at most a MiB at a time.
    pub fn read_spare(&mut self, buf: &mut Vec<u8>, limit: usize) -> io::Result<usize> {
        let want = limit.saturating_sub(buf.len());
        let fd = match self {
            Stream::Tcp(s) => s.as_raw_fd(),
            Stream::Unix(s) => s.as_raw_fd(),
            Stream::Tls(s) => {
                let old = buf.len();
                buf.resize(old + want.min(1 << 20), 0);
                let read = s.read(&mut buf[old..]);
                buf.truncate(old + *read.as_ref().unwrap_or(&0));
                return read;
            }
        };
        let spare = &mut buf.spare_capacity_mut()[..want];
        let n = loop {
            // SAFETY: `spare` is writable memory of `spare.len()` bytes
            // owned by `buf` for the duration of the call (recv only
            // writes, never reads, it), and `fd` is an open socket owned by
            // this stream.
            let n = unsafe {
                libc::recv(
                    fd,
                    spare.as_mut_ptr().cast(),
                    spare.len(),
                    libc::MSG_DONTWAIT,
                )
            };
            if n >= 0 {
                break n as usize;
            }
            let err = io::Error::last_os_error();
            if err.kind() != io::ErrorKind::Interrupted {
                return Err(err);
            }
        };
        // SAFETY: recv initialised the first `n` bytes of the spare
        // capacity, which follow the `buf.len()` initialised ones.
        unsafe { buf.set_len(buf.len() + n) };
        Ok(n)
    }

    /// Waits for data and reads it, for plaintext streams; `None` for TLS,
    /// which must wait with `poll`. The wait ends with `WouldBlock` after
    /// the socket's receive timeout (see [`Stream::bound_wait`]).
    pub fn read_waiting(&mut self, buf: &mut [u8]) -> Option<io::Result<usize>> {
        match self {
            Stream::Tcp(s) => Some(recv(s.as_raw_fd(), buf, 0)),
            Stream::Unix(s) => Some(recv(s.as_raw_fd(), buf, 0)),
            Stream::Tls(_) => None,
        }
    }

    /// Makes a waiting read end within `left` (`None`: wait for ever),
    /// through the socket's receive timeout, changing it only when the one
    /// set would overshoot `left` or is far shorter than it: a connection
    /// whose calls all have the same timeout sets it once. `current` is the
    /// value set last (kept by the caller, `None` for none).
    pub fn bound_wait(
        &mut self,
        left: Option<Duration>,
        current: &mut Option<Duration>,
    ) -> io::Result<()> {
        let Some(wanted) = receive_timeout_for(left, *current) else {
            return Ok(());
        };
        match self {
            Stream::Tcp(s) => s.set_read_timeout(wanted)?,
            Stream::Unix(s) => s.set_read_timeout(wanted)?,
            Stream::Tls(_) => return Ok(()),
        }
        *current = wanted;
        Ok(())
    }

    /// Writes what fits now, without waiting (`WouldBlock` if nothing).
    pub fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
        let flags = libc::MSG_DONTWAIT | libc::MSG_NOSIGNAL;
        match self {
            Stream::Tcp(s) => SockRef::from(&*s).send_vectored_with_flags(bufs, flags),
            Stream::Unix(s) => SockRef::from(&*s).send_vectored_with_flags(bufs, flags),
            Stream::Tls(s) => match bufs.iter().find(|b| !b.is_empty()) {
                Some(first) => s.write(first),
                None => Ok(0),
            },
        }
    }

    /// A duplicate of the socket's descriptor: shutting it down ends the
    /// connection for this stream too.
    pub fn try_clone_socket(&self) -> io::Result<Socket> {
        match self {
            Stream::Tcp(s) => SockRef::from(s).try_clone(),
            Stream::Unix(s) => SockRef::from(s).try_clone(),
            Stream::Tls(s) => SockRef::from(s.get_ref()).try_clone(),
        }
    }

    /// True for TLS, where a read may be satisfied from buffered records.
    pub fn is_tls(&self) -> bool {
        matches!(self, Stream::Tls(_))
    }

    /// Closes both directions; errors are irrelevant at that point.
    pub fn shutdown(&mut self) {
        let _ = match self {
            Stream::Tcp(s) => s.shutdown(Shutdown::Both),
            Stream::Unix(s) => s.shutdown(Shutdown::Both),
            Stream::Tls(s) => {
                let _ = s.shutdown();
                s.get_ref().shutdown(Shutdown::Both)
            }
        };
    }
}

/// `recv(2)` into an initialised buffer.
pub(crate) fn recv(fd: RawFd, buf: &mut [u8], flags: libc::c_int) -> io::Result<usize> {
    loop {
        // SAFETY: `buf` is a valid, initialised, writable buffer of
        // `buf.len()` bytes for the duration of the call, and `fd` is an
        // open socket owned by the caller's stream.
        let n = unsafe { libc::recv(fd, buf.as_mut_ptr().cast(), buf.len(), flags) };
        if n >= 0 {
            return Ok(n as usize);
        }
        let err = io::Error::last_os_error();
        if err.kind() != io::ErrorKind::Interrupted {
            return Err(err);
        }
    }
}

/// Establishes a stream to `config`'s address within `deadline`.
pub(crate) fn connect(config: &Config, deadline: Option<Instant>) -> Result<Stream> {
    let stream = match &config.addr {
        Addr::Tcp { host, port } => {
            let tcp = connect_tcp(
                host,
                *port,
                config.keepalive,
                config.socket_buffers,
                deadline,
            )?;
            match &config.tls {
                Some(tls) => super::tls::handshake(tcp, host, tls, deadline)?,
                None => {
                    tcp.set_nonblocking(false)
                        .map_err(|e| Error::io(Executed::No, "setting up the socket", e))?;
                    Stream::Tcp(tcp)
                }
            }
        }
        Addr::Unix(path) => {
            if config.tls.is_some() {
                return Err(Error::config("TLS over a Unix socket is not supported"));
            }
            let unix = UnixStream::connect(path).map_err(|e| {
                Error::new(
                    ErrorKind::Connect,
                    Executed::No,
                    format!("connecting to {}: {e}", path.display()),
                )
                .with_source(e)
            })?;
            // Plaintext sockets stay blocking; see `Stream`.
            Stream::Unix(unix)
        }
    };
    Ok(stream)
}

/// Connects to each resolved address in turn, sharing the time left
/// between the addresses not yet tried.
fn connect_tcp(
    host: &str,
    port: u16,
    keepalive: Option<Duration>,
    buffers: Option<usize>,
    deadline: Option<Instant>,
) -> Result<TcpStream> {
    let addrs: Vec<SocketAddr> = (host, port)
        .to_socket_addrs()
        .map_err(|e| {
            Error::new(
                ErrorKind::Connect,
                Executed::No,
                format!("resolving {host}: {e}"),
            )
            .with_source(e)
        })?
        .collect();
    if addrs.is_empty() {
        return Err(Error::new(
            ErrorKind::Connect,
            Executed::No,
            format!("resolving {host}: no addresses"),
        ));
    }
    let mut last = None;
    for (i, addr) in addrs.iter().enumerate() {
        let per_attempt = match deadline {
            None => None,
            Some(deadline) => {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    break;
                }
                Some(left / (addrs.len() - i) as u32)
            }
        };
        match connect_one(addr, keepalive, buffers, per_attempt) {
            Ok(stream) => return Ok(stream),
            Err(e) => {
                log::debug!("connecting to {addr} failed: {e}");
                last = Some((addr, e));
            }
        }
    }
    let (kind, message, source) = match last {
        Some((addr, e))
            if e.kind() == io::ErrorKind::TimedOut || e.kind() == io::ErrorKind::WouldBlock =>
        {
            (
                ErrorKind::Timeout,
                format!("connecting to {addr}: timed out"),
                Some(e),
            )
        }
        Some((addr, e)) => (
            ErrorKind::Connect,
            format!("connecting to {addr}: {e}"),
            Some(e),
        ),
        None => (
            ErrorKind::Timeout,
            format!("connecting to {host}:{port}: timed out"),
            None,
        ),
    };
    let err = Error::new(kind, Executed::No, message);
    Err(match source {
        Some(e) => err.with_source(e),
        None => err,
    })
}

fn connect_one(
    addr: &SocketAddr,
    keepalive: Option<Duration>,
    buffers: Option<usize>,
    timeout: Option<Duration>,
) -> io::Result<TcpStream> {
    let socket = Socket::new(
        Domain::for_address(*addr),
        Type::STREAM,
        Some(Protocol::TCP),
    )?;
    socket.set_nodelay(true)?;
    if let Some(bytes) = buffers {
        socket.set_send_buffer_size(bytes)?;
        socket.set_recv_buffer_size(bytes)?;
    }
    if let Some(idle) = keepalive {
        let params = TcpKeepalive::new()
            .with_time(idle)
            .with_interval(Duration::from_secs(10));
        socket.set_tcp_keepalive(&params)?;
    }
    let target = SockAddr::from(*addr);
    match timeout {
        Some(timeout) if timeout.is_zero() => return Err(io::ErrorKind::TimedOut.into()),
        Some(timeout) => socket.connect_timeout(&target, timeout)?,
        None => socket.connect(&target)?,
    }
    socket.set_nonblocking(true)?;
    Ok(socket.into())
}

/// The receive timeout to set so that a waiting `recv` ends within `left`
/// (`None`: never), or `None` when `current`, the one set last, already
/// fits: it does not overshoot `left` and is not far shorter than it. A
/// connection whose calls all have the same timeout sets it once.
pub(crate) fn receive_timeout_for(
    left: Option<Duration>,
    current: Option<Duration>,
) -> Option<Option<Duration>> {
    let fitting = match (left, current) {
        (None, None) => true,
        (Some(left), Some(set)) => set <= left && set >= left / 2,
        _ => false,
    };
    if fitting {
        return None;
    }
    // Rounded down to 10 ms above 20 ms, so that calls with the same
    // timeout find it fitting; never zero, which would mean "for ever".
    Some(left.map(|left| {
        let ms = left.as_millis();
        let ms = if ms >= 20 { ms - ms % 10 } else { ms };
        Duration::from_millis(ms as u64).max(Duration::from_micros(100))
    }))
}
