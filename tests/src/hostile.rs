//! [`Hostile`]: a scripted server on a free loopback port that breaks the
//! protocol on purpose (one reply too many, a greeting nobody asked for, a
//! reply dripped a byte at a time, an attribute flood, a subscriber that
//! never confirms, an HTTP server on the Redis port), for the tests that
//! check a client never hands a command another command's reply, holds its
//! deadlines, and says truthfully whether a command may have run.
//!
//! Each accepted connection is served on its own thread by the test's
//! closure, which reads requests with [`Peer::read_command`] (RESP
//! multibulk, decoded by the harness's own reader) and writes whatever it
//! wants with [`Peer::send`]. Dropping the server stops accepting and
//! closes every connection.
//!
//! ```no_run
//! use integration_tests::hostile::Hostile;
//!
//! // Answers every command twice.
//! let server = Hostile::start(|mut peer| {
//!     while let Some(_argv) = peer.read_command() {
//!         peer.send(b"+PONG\r\n+PONG\r\n");
//!     }
//! });
//! println!("point the client at 127.0.0.1:{}", server.port());
//! ```

use std::io::{Read, Write};
use std::net::{Ipv4Addr, Shutdown, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

/// A scripted server; see the [module documentation](self).
pub struct Hostile {
    port: u16,
    stop: Arc<AtomicBool>,
    accepted: Arc<AtomicU64>,
    peers: Arc<Mutex<Vec<TcpStream>>>,
    thread: Option<JoinHandle<()>>,
}

/// One accepted connection, as the script sees it.
pub struct Peer {
    stream: TcpStream,
    buf: Vec<u8>,
    /// Which connection this is, from 0.
    pub index: u64,
}

impl Hostile {
    /// Starts serving; `serve` runs once per accepted connection, on its
    /// own thread.
    ///
    /// # Panics
    ///
    /// If no loopback port can be bound.
    pub fn start<F>(serve: F) -> Hostile
    where
        F: Fn(Peer) + Send + Sync + 'static,
    {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a loopback port");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let port = listener.local_addr().expect("local address").port();
        let stop = Arc::new(AtomicBool::new(false));
        let accepted = Arc::new(AtomicU64::new(0));
        let peers: Arc<Mutex<Vec<TcpStream>>> = Arc::default();
        let serve = Arc::new(serve);
        let thread = {
            let (stop, accepted, peers) = (stop.clone(), accepted.clone(), peers.clone());
            thread::Builder::new()
                .name(format!("hostile{port}"))
                .spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        match listener.accept() {
                            Ok((stream, _)) => {
                                let _ = stream.set_nonblocking(false);
                                let _ = stream.set_nodelay(true);
                                if let Ok(clone) = stream.try_clone() {
                                    peers.lock().unwrap().push(clone);
                                }
                                let index = accepted.fetch_add(1, Ordering::SeqCst);
                                let serve = serve.clone();
                                let peer = Peer {
                                    stream,
                                    buf: Vec::new(),
                                    index,
                                };
                                thread::spawn(move || serve(peer));
                            }
                            Err(_) => thread::sleep(Duration::from_millis(5)),
                        }
                    }
                })
                .expect("spawn the accept thread")
        };
        Hostile {
            port,
            stop,
            accepted,
            peers,
            thread: Some(thread),
        }
    }

    /// The port it listens on, on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// `redis://127.0.0.1:<port>`.
    pub fn url(&self) -> String {
        format!("redis://127.0.0.1:{}", self.port)
    }

    /// Connections accepted so far.
    pub fn accepted(&self) -> u64 {
        self.accepted.load(Ordering::SeqCst)
    }
}

impl Drop for Hostile {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        for peer in self.peers.lock().unwrap().drain(..) {
            let _ = peer.shutdown(Shutdown::Both);
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Peer {
    /// The next request's arguments (RESP multibulk), or `None` when the
    /// client closed the connection.
    pub fn read_command(&mut self) -> Option<Vec<Vec<u8>>> {
        loop {
            if let Some((argv, used)) = parse_multibulk(&self.buf) {
                self.buf.drain(..used);
                return Some(argv);
            }
            let mut chunk = [0u8; 16 * 1024];
            match self.stream.read(&mut chunk) {
                Ok(0) | Err(_) => return None,
                Ok(n) => self.buf.extend_from_slice(&chunk[..n]),
            }
        }
    }

    /// The next request's name, upper-cased, or `None` at the end.
    pub fn read_name(&mut self) -> Option<String> {
        self.read_command()
            .map(|argv| String::from_utf8_lossy(&argv[0]).to_ascii_uppercase())
    }

    /// Writes `bytes`; false once the client is gone.
    pub fn send(&mut self, bytes: &[u8]) -> bool {
        self.stream.write_all(bytes).is_ok()
    }

    /// Reads whatever raw bytes arrive next (for non-RESP peers).
    pub fn read_raw(&mut self) -> Option<Vec<u8>> {
        if !self.buf.is_empty() {
            return Some(std::mem::take(&mut self.buf));
        }
        let mut chunk = [0u8; 16 * 1024];
        match self.stream.read(&mut chunk) {
            Ok(0) | Err(_) => None,
            Ok(n) => Some(chunk[..n].to_vec()),
        }
    }

    /// Closes the sending side (the client reads the end of the stream
    /// after what was sent), keeping the receiving side open.
    pub fn shutdown_write(&mut self) {
        let _ = self.stream.shutdown(Shutdown::Write);
    }

    /// Closes the connection.
    pub fn close(self) {
        let _ = self.stream.shutdown(Shutdown::Both);
    }
}

/// One complete `*N\r\n$L\r\n...` request at the start of `buf`.
fn parse_multibulk(buf: &[u8]) -> Option<(Vec<Vec<u8>>, usize)> {
    fn line(buf: &[u8], at: usize) -> Option<(&[u8], usize)> {
        let end = buf[at..].windows(2).position(|w| w == b"\r\n")? + at;
        Some((&buf[at..end], end + 2))
    }
    let (head, mut at) = line(buf, 0)?;
    let count: usize = std::str::from_utf8(head.strip_prefix(b"*")?)
        .ok()?
        .parse()
        .ok()?;
    let mut argv = Vec::with_capacity(count.min(1024));
    for _ in 0..count {
        let (len, next) = line(buf, at)?;
        let len: usize = std::str::from_utf8(len.strip_prefix(b"$")?)
            .ok()?
            .parse()
            .ok()?;
        if buf.len() < next + len + 2 {
            return None;
        }
        argv.push(buf[next..next + len].to_vec());
        at = next + len + 2;
    }
    Some((argv, at))
}
