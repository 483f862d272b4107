//! A minimal blocking connection (TCP or Unix socket) that speaks RESP, used
//! by the harness to check and control servers.

use std::io::{self, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::Duration;

use crate::error::{HarnessError, Result};
use crate::resp::{encode_command, read_reply, Reply};

/// Read/write timeout applied to new connections.
pub const DEFAULT_IO_TIMEOUT: Duration = Duration::from_secs(10);

#[derive(Debug)]
enum Stream {
    Tcp(TcpStream),
    Unix(UnixStream),
}

impl Read for Stream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.read(buf),
            Stream::Unix(s) => s.read(buf),
        }
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Tcp(s) => s.write(buf),
            Stream::Unix(s) => s.write(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Tcp(s) => s.flush(),
            Stream::Unix(s) => s.flush(),
        }
    }
}

/// A plain-text RESP connection to a server, for harness use and for seeding
/// or inspecting data in tests.
#[derive(Debug)]
pub struct Connection {
    stream: BufReader<Stream>,
}

impl Connection {
    /// Connects over TCP, with `timeout` for the connect and for every read and write.
    pub fn connect_tcp(addr: SocketAddr, timeout: Duration) -> Result<Self> {
        let stream = TcpStream::connect_timeout(&addr, timeout)
            .map_err(|e| HarnessError::from(e).context(format!("connecting to {addr}")))?;
        stream.set_nodelay(true)?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        Ok(Connection {
            stream: BufReader::new(Stream::Tcp(stream)),
        })
    }

    /// Connects over a Unix socket, with `timeout` for every read and write.
    pub fn connect_unix(path: &Path, timeout: Duration) -> Result<Self> {
        let stream = UnixStream::connect(path).map_err(|e| {
            HarnessError::from(e).context(format!("connecting to {}", path.display()))
        })?;
        stream.set_read_timeout(Some(timeout))?;
        stream.set_write_timeout(Some(timeout))?;
        Ok(Connection {
            stream: BufReader::new(Stream::Unix(stream)),
        })
    }

    /// Sends one command and returns its reply together with the reply's raw bytes.
    pub fn command_with_raw<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<(Reply, Vec<u8>)> {
        let stream = self.stream.get_mut();
        stream.write_all(&encode_command(args))?;
        stream.flush()?;
        let mut raw = Vec::new();
        let reply = read_reply(&mut self.stream, &mut raw)?;
        Ok((reply, raw))
    }

    /// Sends one command and returns its reply (an error reply is `Ok(Reply::Error)`).
    pub fn command<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<Reply> {
        self.command_with_raw(args).map(|(reply, _)| reply)
    }

    /// Sends one command and returns its text reply, failing on error replies
    /// and on replies that are not status or bulk strings.
    pub fn command_str<A: AsRef<[u8]>>(&mut self, args: &[A]) -> Result<String> {
        match self.command(args)? {
            Reply::Status(s) => Ok(s),
            Reply::Bulk(b) => Ok(String::from_utf8_lossy(&b).into_owned()),
            other => Err(HarnessError::new(format!(
                "{} returned {other}",
                describe(args)
            ))),
        }
    }

    /// Sends AUTH (with a user name when given) and fails unless the reply is OK.
    pub fn auth(&mut self, user: Option<&str>, password: &str) -> Result<()> {
        let reply = match user {
            Some(user) => self.command(&["AUTH", user, password])?,
            None => self.command(&["AUTH", password])?,
        };
        match reply {
            Reply::Status(s) if s == "OK" => Ok(()),
            other => Err(HarnessError::new(format!("AUTH failed: {other}"))),
        }
    }
}

fn describe<A: AsRef<[u8]>>(args: &[A]) -> String {
    args.iter()
        .map(|a| String::from_utf8_lossy(a.as_ref()).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}
