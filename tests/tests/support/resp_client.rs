//! A raw RESP client on a plain socket, for tests that look at bytes,
//! ends of streams and timings through the proxy.

#![allow(dead_code)]

use std::io::{ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::{Duration, Instant};

use resp_core::{encode, Decoder, OwnedFrame, Status};

/// Read timeout of a [`Client`].
pub const IO_TIMEOUT: Duration = Duration::from_secs(5);

/// A raw RESP client on a plain socket.
pub struct Client {
    /// The socket.
    pub stream: TcpStream,
    decoder: Decoder,
    buf: Vec<u8>,
}

impl Client {
    pub fn connect(addr: SocketAddr) -> Client {
        let stream = TcpStream::connect(addr).expect("connect");
        stream.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
        stream.set_nodelay(true).unwrap();
        Client {
            stream,
            decoder: Decoder::new(),
            buf: Vec::new(),
        }
    }

    pub fn send(&mut self, args: &[&str]) {
        let mut out = Vec::new();
        encode::write_command(&mut out, args);
        self.send_raw(&out);
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        self.stream.write_all(bytes).expect("write");
    }

    pub fn try_read(&mut self) -> std::io::Result<OwnedFrame> {
        loop {
            if let Status::Complete((frame, used)) = self.decoder.decode(&self.buf).unwrap() {
                let frame = frame.into_owned();
                self.buf.drain(..used);
                return Ok(frame);
            }
            let mut chunk = [0; 4096];
            match self.stream.read(&mut chunk)? {
                0 => return Err(ErrorKind::UnexpectedEof.into()),
                n => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
    }

    pub fn read(&mut self) -> OwnedFrame {
        self.try_read().expect("a reply")
    }

    pub fn call(&mut self, args: &[&str]) -> OwnedFrame {
        self.send(args);
        self.read()
    }

    /// Sends a command and returns its reply and how long it took.
    pub fn timed(&mut self, args: &[&str]) -> (OwnedFrame, Duration) {
        let start = Instant::now();
        let reply = self.call(args);
        (reply, start.elapsed())
    }

    /// Everything until the connection ends (EOF or reset).
    pub fn read_to_end(&mut self) -> Vec<u8> {
        let mut all = std::mem::take(&mut self.buf);
        let mut chunk = [0; 4096];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => return all,
                Ok(n) => all.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == ErrorKind::ConnectionReset => return all,
                Err(e) => panic!("expected the connection to end, got {e}"),
            }
        }
    }
}

impl Client {
    /// Reads until the connection ends: the bytes received, and the error
    /// that ended it (`None` for a clean EOF).
    pub fn read_until_closed(&mut self) -> (Vec<u8>, Option<std::io::Error>) {
        let mut all = std::mem::take(&mut self.buf);
        let mut chunk = [0; 4096];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => return (all, None),
                Ok(n) => all.extend_from_slice(&chunk[..n]),
                Err(e) => return (all, Some(e)),
            }
        }
    }
}
