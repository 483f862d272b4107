//! One proxied connection: its two sockets, its cut budgets, the commands
//! awaiting replies, and the two forwarding threads.

use std::collections::VecDeque;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use resp_core::{Decoder, Frame, RequestDecoder, Status};

use super::shared::{lock, Shared};

/// Bytes read from a socket at a time.
const CHUNK: usize = 16 * 1024;

/// Commands after which replies cannot be paired with commands any more:
/// unsolicited messages (RESP2 pub/sub, MONITOR) or skipped replies follow.
const UNPAIRABLE: [&[u8]; 4] = [b"SUBSCRIBE", b"PSUBSCRIBE", b"SSUBSCRIBE", b"MONITOR"];

/// Which way bytes flow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Direction {
    /// Client to server.
    Request,
    /// Server to client.
    Reply,
}

/// Bytes each direction may still forward before the connection is cut;
/// `None` is unlimited.
#[derive(Debug, Default, Clone, Copy)]
pub(super) struct Budgets {
    pub(super) request: Option<u64>,
    pub(super) reply: Option<u64>,
}

/// A request whose reply has not arrived yet.
#[derive(Debug)]
enum Pending {
    /// A command, name in upper case, arguments after the name.
    Command { name: Vec<u8>, args: Vec<Vec<u8>> },
    /// Pairing stops at this point of the stream.
    StopPairing,
}

/// One client connection and its upstream connection.
#[derive(Debug)]
pub(super) struct Conn {
    pub(super) id: u64,
    client: TcpStream,
    server: TcpStream,
    closed: AtomicBool,
    /// Forwarding threads still running.
    alive: AtomicUsize,
    budgets: Mutex<Budgets>,
    pending: Mutex<VecDeque<Pending>>,
    /// False once replies are no longer paired with commands.
    pairing: AtomicBool,
}

impl Conn {
    pub(super) fn new(id: u64, client: TcpStream, server: TcpStream, budgets: Budgets) -> Self {
        Conn {
            id,
            client,
            server,
            closed: AtomicBool::new(false),
            alive: AtomicUsize::new(2),
            budgets: Mutex::new(budgets),
            pending: Mutex::default(),
            pairing: AtomicBool::new(true),
        }
    }

    pub(super) fn is_closed(&self) -> bool {
        self.closed.load(Ordering::SeqCst)
    }

    /// Shuts both sockets down, which wakes both forwarding threads.
    pub(super) fn close(&self, shared: &Shared) {
        {
            // Under the lock that waiters check `closed` under: no lost wakeup.
            let _control = lock(&shared.control);
            if !self.closed.swap(true, Ordering::SeqCst) {
                let _ = self.client.shutdown(Shutdown::Both);
                let _ = self.server.shutdown(Shutdown::Both);
            }
        }
        shared.wake.notify_all();
    }

    /// Called by each forwarding thread as it ends; the last one closes and
    /// unregisters the connection.
    pub(super) fn thread_done(&self, shared: &Shared) {
        if self.alive.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.close(shared);
            shared.unregister(self.id);
        }
    }

    pub(super) fn set_budgets(&self, reply: Option<u64>, request: Option<u64>) {
        let mut budgets = lock(&self.budgets);
        budgets.reply = reply.or(budgets.reply);
        budgets.request = request.or(budgets.request);
    }

    pub(super) fn clear_budgets(&self) {
        *lock(&self.budgets) = Budgets::default();
    }

    /// Forwards `bytes` in `direction` once not paused, within the cut
    /// budget; false once the connection is closed.
    fn send(&self, shared: &Shared, direction: Direction, bytes: &[u8]) -> bool {
        if bytes.is_empty() {
            return !self.is_closed();
        }
        if !shared.wait_unpaused(self) {
            return false;
        }
        let (allowed, cut) = {
            let mut budgets = lock(&self.budgets);
            let budget = match direction {
                Direction::Request => &mut budgets.request,
                Direction::Reply => &mut budgets.reply,
            };
            match budget {
                None => (bytes.len(), false),
                Some(left) => {
                    let n = (*left).min(bytes.len() as u64);
                    *left -= n;
                    (n as usize, *left == 0)
                }
            }
        };
        let mut to = self.destination(direction);
        if to.write_all(&bytes[..allowed]).is_err() || cut {
            self.close(shared);
            return false;
        }
        true
    }

    fn source(&self, direction: Direction) -> &TcpStream {
        match direction {
            Direction::Request => &self.client,
            Direction::Reply => &self.server,
        }
    }

    fn destination(&self, direction: Direction) -> &TcpStream {
        match direction {
            Direction::Request => &self.server,
            Direction::Reply => &self.client,
        }
    }

    /// Records a decoded request; false once pairing has stopped.
    fn note_request(&self, shared: &Shared, args: &[impl AsRef<[u8]>]) -> bool {
        let Some(name) = args.first() else {
            return true;
        };
        let name = name.as_ref().to_ascii_uppercase();
        shared.stats.count_command(&name);
        if !self.pairing.load(Ordering::SeqCst) {
            return false;
        }
        let client_reply = name == b"CLIENT"
            && args
                .get(1)
                .is_some_and(|sub| sub.as_ref().eq_ignore_ascii_case(b"REPLY"));
        if client_reply || UNPAIRABLE.contains(&&name[..]) {
            lock(&self.pending).push_back(Pending::StopPairing);
            return false;
        }
        let args = args[1..].iter().map(|arg| arg.as_ref().to_vec()).collect();
        lock(&self.pending).push_back(Pending::Command { name, args });
        true
    }

    /// The delay for the next reply, or `None` if it cannot be paired.
    fn next_delay(&self, shared: &Shared) -> Option<Duration> {
        match lock(&self.pending).front() {
            Some(Pending::Command { name, args }) => {
                Some(lock(&shared.delays).for_command(name, args))
            }
            Some(Pending::StopPairing) | None => None,
        }
    }

    fn stop_pairing(&self) {
        self.pairing.store(false, Ordering::SeqCst);
        lock(&self.pending).clear();
    }
}

/// The body of a forwarding thread.
pub(super) fn forward(shared: &Shared, conn: &Conn, direction: Direction) {
    match direction {
        Direction::Request => forward_requests(shared, conn),
        Direction::Reply => forward_replies(shared, conn),
    }
    conn.thread_done(shared);
}

/// Reads a chunk from `direction`'s source: `Some(0)` at end of stream,
/// `None` on error (the connection is then closed).
fn read_chunk(shared: &Shared, conn: &Conn, direction: Direction, buf: &mut [u8]) -> Option<usize> {
    loop {
        match conn.source(direction).read(buf) {
            Ok(0) => {
                // Pass the half-close on, in order with the data before it.
                if shared.wait_unpaused(conn) {
                    let _ = conn.destination(direction).shutdown(Shutdown::Write);
                }
                return Some(0);
            }
            Ok(n) => return Some(n),
            Err(e) if e.kind() == ErrorKind::Interrupted => {}
            Err(_) => {
                conn.close(shared);
                return None;
            }
        }
    }
}

fn forward_requests(shared: &Shared, conn: &Conn) {
    let mut chunk = vec![0; CHUNK];
    let mut decoder = Some(RequestDecoder::new());
    let mut buf = Vec::new();
    loop {
        let n = match read_chunk(shared, conn, Direction::Request, &mut chunk) {
            Some(0) | None => return,
            Some(n) => n,
        };
        if let Some(requests) = decoder.as_mut() {
            buf.extend_from_slice(&chunk[..n]);
            if !note_requests(shared, conn, requests, &mut buf) {
                decoder = None;
                buf = Vec::new();
            }
        }
        // Requests are noted before they are forwarded, so a reply always
        // finds its command queued.
        if !conn.send(shared, Direction::Request, &chunk[..n]) {
            return;
        }
    }
}

/// Notes every complete request in `buf` and drops it; false once requests
/// are no longer worth decoding.
fn note_requests(
    shared: &Shared,
    conn: &Conn,
    decoder: &mut RequestDecoder,
    buf: &mut Vec<u8>,
) -> bool {
    let mut start = 0;
    let keep_going = loop {
        match decoder.decode(&buf[start..]) {
            Ok(Status::Complete((args, used))) => {
                start += used;
                if !conn.note_request(shared, &args) {
                    break false;
                }
            }
            Ok(Status::Partial) => break true,
            Err(_) => {
                // Whatever the server makes of it, replies are now unpairable.
                lock(&conn.pending).push_back(Pending::StopPairing);
                break false;
            }
        }
    };
    buf.drain(..start);
    keep_going
}

fn forward_replies(shared: &Shared, conn: &Conn) {
    let mut chunk = vec![0; CHUNK];
    let mut replies = ReplyPairing::new();
    loop {
        let n = match read_chunk(shared, conn, Direction::Reply, &mut chunk) {
            Some(0) | None => return,
            Some(n) => n,
        };
        if !replies.feed(shared, conn, &chunk[..n]) {
            return;
        }
    }
}

/// Splits the reply stream into frames and pairs them with commands.
struct ReplyPairing {
    active: bool,
    /// Once pairing stopped: whether frames are still told apart (to drop
    /// pub/sub messages); false after bytes that do not decode.
    framing: bool,
    decoder: Decoder,
    /// Unconsumed bytes, from the start of a frame.
    buf: Vec<u8>,
    /// How much of `buf` (the start of a partial frame) was forwarded.
    sent: usize,
    /// Whether the frame at the start of `buf` has been paired and delayed.
    started: bool,
}

impl ReplyPairing {
    fn new() -> Self {
        ReplyPairing {
            active: true,
            framing: true,
            decoder: Decoder::new(),
            buf: Vec::new(),
            sent: 0,
            started: false,
        }
    }

    /// Forwards `data`, holding each reply for its delay first; false once
    /// the connection is closed.
    fn feed(&mut self, shared: &Shared, conn: &Conn, data: &[u8]) -> bool {
        if !self.active {
            return self.forward_frames(shared, conn, data);
        }
        self.buf.extend_from_slice(data);
        // Invariant: `start <= sent`; bytes before `sent` were forwarded.
        let mut start = 0;
        let alive = loop {
            if start == self.buf.len() {
                break true;
            }
            if !self.started {
                self.started = true;
                // A push frame (`>`) is not a reply.
                if self.buf[start] != b'>' {
                    match conn.next_delay(shared) {
                        Some(delay) if delay.is_zero() => {}
                        Some(delay) => {
                            if !shared.sleep(conn, delay) {
                                break false;
                            }
                        }
                        None => return self.give_up(shared, conn, start),
                    }
                }
            }
            match self.decoder.decode(&self.buf[start..]) {
                Ok(Status::Complete((frame, used))) => {
                    let push = is_push(&frame);
                    let end = start + used;
                    if push {
                        shared.stats.pushes.fetch_add(1, Ordering::SeqCst);
                    } else {
                        lock(&conn.pending).pop_front();
                        shared.stats.replies.fetch_add(1, Ordering::SeqCst);
                    }
                    if !conn.send(shared, Direction::Reply, &self.buf[self.sent..end]) {
                        break false;
                    }
                    (start, self.sent, self.started) = (end, end, false);
                }
                Ok(Status::Partial) => {
                    let alive = conn.send(shared, Direction::Reply, &self.buf[self.sent..]);
                    self.sent = self.buf.len();
                    break alive;
                }
                Err(_) => {
                    self.framing = false;
                    return self.give_up(shared, conn, start);
                }
            }
        };
        self.buf.drain(..start);
        self.sent -= start;
        alive
    }

    /// Stops pairing at the frame starting at `start`: forwards what was
    /// held, frame by frame while frames can still be told apart.
    fn give_up(&mut self, shared: &Shared, conn: &Conn, start: usize) -> bool {
        self.active = false;
        conn.stop_pairing();
        let rest = std::mem::take(&mut self.buf);
        if self.framing && self.sent == start {
            return self.forward_frames(shared, conn, &rest[start..]);
        }
        self.framing = false;
        conn.send(shared, Direction::Reply, &rest[self.sent..])
    }

    /// Forwards whole frames once pairing stopped, dropping the pub/sub
    /// messages of dropped channels; raw bytes once framing is lost.
    fn forward_frames(&mut self, shared: &Shared, conn: &Conn, data: &[u8]) -> bool {
        if !self.framing {
            return conn.send(shared, Direction::Reply, data);
        }
        self.buf.extend_from_slice(data);
        let mut start = 0;
        let alive = loop {
            match self.decoder.decode(&self.buf[start..]) {
                Ok(Status::Complete((frame, used))) => {
                    let dropped = is_dropped_message(shared, &frame);
                    let end = start + used;
                    if dropped {
                        shared.stats.dropped.fetch_add(1, Ordering::SeqCst);
                    } else if !conn.send(shared, Direction::Reply, &self.buf[start..end]) {
                        break false;
                    }
                    start = end;
                }
                Ok(Status::Partial) => break true,
                Err(_) => {
                    self.framing = false;
                    let rest = std::mem::take(&mut self.buf);
                    return conn.send(shared, Direction::Reply, &rest[start..]);
                }
            }
        };
        self.buf.drain(..start);
        alive
    }
}

/// Whether `frame` is a pub/sub message on a channel the proxy drops.
fn is_dropped_message(shared: &Shared, frame: &Frame<'_>) -> bool {
    let items = match frame {
        Frame::Array(items) | Frame::Push(items) => items,
        _ => return false,
    };
    let channel = match items.first().and_then(Frame::as_bytes) {
        Some(b"message") => items.get(1),
        Some(b"pmessage") => items.get(2),
        _ => None,
    };
    let Some(channel) = channel.and_then(Frame::as_bytes) else {
        return false;
    };
    lock(&shared.dropped_channels)
        .iter()
        .any(|c| c.as_slice() == channel)
}

fn is_push(frame: &Frame<'_>) -> bool {
    match frame {
        Frame::Push(_) => true,
        Frame::Attributed(attributed) => matches!(attributed.frame, Frame::Push(_)),
        _ => false,
    }
}
