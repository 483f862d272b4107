//! Pub/sub: a subscriber on its own connection, a control handle usable
//! from any thread, and resubscription after reconnects.

use std::collections::{BTreeSet, VecDeque};
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::Duration;

use crossbeam_channel::{bounded, unbounded, Receiver, RecvTimeoutError, Sender, TryRecvError};
use resp_core::Frame;

use crate::client::{emit, Event, EventHandler, ReconnectStrategy};
use crate::config::Config;
use crate::connection::streaming::Polled;
use crate::error::{Error, ErrorKind, Executed, Result};
use crate::types::Value;
use crate::{Cmd, Connection};

/// Which kind of subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SubscriptionKind {
    /// `SUBSCRIBE channel`.
    Channel,
    /// `PSUBSCRIBE pattern`.
    Pattern,
    /// `SSUBSCRIBE shard-channel`.
    Shard,
}

impl SubscriptionKind {
    fn commands(self) -> (&'static str, &'static str) {
        match self {
            SubscriptionKind::Channel => ("SUBSCRIBE", "UNSUBSCRIBE"),
            SubscriptionKind::Pattern => ("PSUBSCRIBE", "PUNSUBSCRIBE"),
            SubscriptionKind::Shard => ("SSUBSCRIBE", "SUNSUBSCRIBE"),
        }
    }
}

/// A published message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    /// How it was subscribed to.
    pub kind: SubscriptionKind,
    /// The channel it was published to.
    pub channel: Vec<u8>,
    /// The pattern that matched, for pattern subscriptions.
    pub pattern: Option<Vec<u8>>,
    /// The payload, as published.
    pub payload: Vec<u8>,
}

/// What a subscriber receives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// A message.
    Message(Message),
    /// The connection was lost and re-established, and every subscription
    /// restored: messages published in between were missed.
    Reconnected,
}

enum Control {
    Subscribe(SubscriptionKind, Vec<Vec<u8>>, Sender<Result<()>>),
    Unsubscribe(SubscriptionKind, Vec<Vec<u8>>, Sender<Result<()>>),
    Close,
}

/// A subscriber: its own connection, read by a background thread that
/// hands messages over in order.
///
/// Read with [`recv`](Subscriber::recv), [`recv_timeout`](Subscriber::recv_timeout),
/// [`try_recv`](Subscriber::try_recv) or as an iterator. Subscribe and
/// unsubscribe from any thread with a [`SubscriberHandle`], even while a
/// reader is blocked; [`SubscriberHandle::close`] ends the subscriber and
/// wakes the reader. After a lost connection the subscriber reconnects
/// with backoff, resubscribes to everything, and delivers
/// [`Incoming::Reconnected`] so the reader knows it may have missed
/// messages. Channels and payloads are bytes.
///
/// # Example
///
/// ```no_run
/// use std::time::Duration;
/// use redis_blocking::{Config, Incoming, Subscriber};
///
/// let subscriber = Subscriber::open(Config::tcp("127.0.0.1", 6379))?;
/// subscriber.subscribe(["news", "alerts"])?;
/// let handle = subscriber.handle();
/// std::thread::spawn(move || {
///     std::thread::sleep(Duration::from_secs(60));
///     handle.close();
/// });
/// for incoming in &subscriber {
///     if let Incoming::Message(m) = incoming {
///         println!("{}: {}", String::from_utf8_lossy(&m.channel), String::from_utf8_lossy(&m.payload));
///     }
/// }
/// # Ok::<(), redis_blocking::Error>(())
/// ```
pub struct Subscriber {
    messages: Receiver<Incoming>,
    handle: SubscriberHandle,
    thread: Option<JoinHandle<()>>,
}

/// Controls a [`Subscriber`] from any thread.
#[derive(Clone)]
pub struct SubscriberHandle {
    control: Sender<Control>,
    wake: Arc<Mutex<UnixStream>>,
}

/// How many messages wait for the reader before the subscriber stops
/// reading (and the server, past its own limit, drops the connection).
const BACKLOG: usize = 64 * 1024;

impl Subscriber {
    /// Opens a subscriber with the default reconnect strategy.
    ///
    /// # Errors
    ///
    /// The first connection failing.
    pub fn open(config: Config) -> Result<Subscriber> {
        Subscriber::with_strategy(config, ReconnectStrategy::default(), None)
    }

    pub(crate) fn with_strategy(
        config: Config,
        strategy: ReconnectStrategy,
        events: Option<EventHandler>,
    ) -> Result<Subscriber> {
        let conn = Connection::open(&config)?;
        let (message_tx, messages) = bounded(BACKLOG);
        let (control, control_rx) = unbounded();
        let (wake_read, wake_write) = UnixStream::pair()
            .map_err(|e| Error::io(Executed::No, "creating a wake-up pipe", e))?;
        wake_read
            .set_nonblocking(true)
            .map_err(|e| Error::io(Executed::No, "creating a wake-up pipe", e))?;
        let worker = Worker {
            config,
            strategy,
            events,
            conn,
            messages: message_tx,
            control: control_rx,
            wake: wake_read,
            subscribed: Default::default(),
            waiting: VecDeque::new(),
        };
        let thread = thread::Builder::new()
            .name("redis-subscriber".into())
            .spawn(move || worker.run())
            .map_err(|e| Error::io(Executed::No, "starting the subscriber thread", e))?;
        Ok(Subscriber {
            messages,
            handle: SubscriberHandle {
                control,
                wake: Arc::new(Mutex::new(wake_write)),
            },
            thread: Some(thread),
        })
    }

    /// A handle to control this subscriber from other threads.
    pub fn handle(&self) -> SubscriberHandle {
        self.handle.clone()
    }

    /// Subscribes to channels; see [`SubscriberHandle::subscribe`].
    ///
    /// # Errors
    ///
    /// As [`SubscriberHandle::subscribe`].
    pub fn subscribe<C: IntoIterator<Item = impl AsRef<[u8]>>>(&self, channels: C) -> Result<()> {
        self.handle.subscribe(channels)
    }

    /// Subscribes to patterns.
    ///
    /// # Errors
    ///
    /// As [`SubscriberHandle::subscribe`].
    pub fn psubscribe<C: IntoIterator<Item = impl AsRef<[u8]>>>(&self, patterns: C) -> Result<()> {
        self.handle
            .change(SubscriptionKind::Pattern, true, patterns)
    }

    /// Subscribes to shard channels.
    ///
    /// # Errors
    ///
    /// As [`SubscriberHandle::subscribe`].
    pub fn ssubscribe<C: IntoIterator<Item = impl AsRef<[u8]>>>(&self, channels: C) -> Result<()> {
        self.handle.change(SubscriptionKind::Shard, true, channels)
    }

    /// Waits for the next message.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Closed`] once the subscriber is closed.
    pub fn recv(&self) -> Result<Incoming> {
        self.messages.recv().map_err(|_| closed())
    }

    /// Waits up to `timeout`; `None` if nothing came.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Closed`] once the subscriber is closed.
    pub fn recv_timeout(&self, timeout: Duration) -> Result<Option<Incoming>> {
        match self.messages.recv_timeout(timeout) {
            Ok(incoming) => Ok(Some(incoming)),
            Err(RecvTimeoutError::Timeout) => Ok(None),
            Err(RecvTimeoutError::Disconnected) => Err(closed()),
        }
    }

    /// The next message if one is waiting.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Closed`] once the subscriber is closed.
    pub fn try_recv(&self) -> Result<Option<Incoming>> {
        match self.messages.try_recv() {
            Ok(incoming) => Ok(Some(incoming)),
            Err(TryRecvError::Empty) => Ok(None),
            Err(TryRecvError::Disconnected) => Err(closed()),
        }
    }

    /// Closes the subscriber and its connection.
    pub fn close(mut self) {
        self.handle.close();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Subscriber {
    fn drop(&mut self) {
        self.handle.close();
    }
}

impl<'s> IntoIterator for &'s Subscriber {
    type Item = Incoming;
    type IntoIter = crossbeam_channel::Iter<'s, Incoming>;

    /// Messages until the subscriber is closed.
    fn into_iter(self) -> Self::IntoIter {
        self.messages.iter()
    }
}

fn closed() -> Error {
    Error::new(ErrorKind::Closed, Executed::No, "the subscriber is closed")
}

impl SubscriberHandle {
    /// Subscribes to channels and waits until the server confirms, so
    /// that messages published afterwards are received.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Closed`] if the subscriber is closed; the server's
    /// error if it refused.
    pub fn subscribe<C: IntoIterator<Item = impl AsRef<[u8]>>>(&self, channels: C) -> Result<()> {
        self.change(SubscriptionKind::Channel, true, channels)
    }

    /// Unsubscribes from channels (none: from all) and waits for the
    /// confirmation.
    ///
    /// # Errors
    ///
    /// As [`subscribe`](SubscriberHandle::subscribe).
    pub fn unsubscribe<C: IntoIterator<Item = impl AsRef<[u8]>>>(&self, channels: C) -> Result<()> {
        self.change(SubscriptionKind::Channel, false, channels)
    }

    /// Subscribes or unsubscribes, for any [`SubscriptionKind`].
    ///
    /// # Errors
    ///
    /// As [`subscribe`](SubscriberHandle::subscribe).
    pub fn change<C: IntoIterator<Item = impl AsRef<[u8]>>>(
        &self,
        kind: SubscriptionKind,
        on: bool,
        names: C,
    ) -> Result<()> {
        let names: Vec<Vec<u8>> = names.into_iter().map(|c| c.as_ref().to_vec()).collect();
        let (done, result) = bounded(1);
        let control = if on {
            Control::Subscribe(kind, names, done)
        } else {
            Control::Unsubscribe(kind, names, done)
        };
        self.control.send(control).map_err(|_| closed())?;
        self.wake();
        result.recv().map_err(|_| closed())?
    }

    /// Closes the subscriber: its connection is closed and readers wake
    /// with [`ErrorKind::Closed`] once the messages already received are
    /// read.
    pub fn close(&self) {
        let _ = self.control.send(Control::Close);
        self.wake();
    }

    fn wake(&self) {
        if let Ok(mut pipe) = self.wake.lock() {
            let _ = pipe.write(&[1]);
        }
    }
}

/// The background side: owns the connection.
struct Worker {
    config: Config,
    strategy: ReconnectStrategy,
    events: Option<EventHandler>,
    conn: Connection,
    messages: Sender<Incoming>,
    control: Receiver<Control>,
    wake: UnixStream,
    subscribed: [BTreeSet<Vec<u8>>; 3],
    /// Requests waiting for confirmations: kind, whether subscribing, how
    /// many confirmations are still due.
    waiting: VecDeque<(SubscriptionKind, bool, usize, Sender<Result<()>>)>,
}

fn slot(kind: SubscriptionKind) -> usize {
    match kind {
        SubscriptionKind::Channel => 0,
        SubscriptionKind::Pattern => 1,
        SubscriptionKind::Shard => 2,
    }
}

impl Worker {
    fn run(mut self) {
        loop {
            if !self.handle_controls() {
                return;
            }
            match self
                .conn
                .next_frame_or_wake(None, Some(self.wake.as_raw_fd()))
            {
                Ok(Polled::Frame(frame)) => {
                    if !self.handle_frame(frame) {
                        return;
                    }
                }
                Ok(Polled::Woken | Polled::TimedOut) => self.drain_wake(),
                Err(e) => {
                    emit(
                        &self.events,
                        Event::Error {
                            addr: self.config.addr.clone(),
                            error: e.to_string(),
                        },
                    );
                    if !self.reconnect() {
                        return;
                    }
                }
            }
        }
    }

    fn drain_wake(&mut self) {
        let mut buf = [0u8; 64];
        while matches!(self.wake.read(&mut buf), Ok(n) if n > 0) {}
    }

    /// Applies pending control requests; false to stop.
    fn handle_controls(&mut self) -> bool {
        loop {
            match self.control.try_recv() {
                Ok(Control::Close) | Err(TryRecvError::Disconnected) => return false,
                Ok(Control::Subscribe(kind, names, done)) => {
                    self.send_change(kind, true, names, done)
                }
                Ok(Control::Unsubscribe(kind, names, done)) => {
                    self.send_change(kind, false, names, done)
                }
                Err(TryRecvError::Empty) => return true,
            }
        }
    }

    fn send_change(
        &mut self,
        kind: SubscriptionKind,
        on: bool,
        names: Vec<Vec<u8>>,
        done: Sender<Result<()>>,
    ) {
        let set = &mut self.subscribed[slot(kind)];
        let expected = if on {
            set.extend(names.iter().cloned());
            names.len()
        } else if names.is_empty() {
            let n = set.len().max(1);
            set.clear();
            n
        } else {
            for name in &names {
                set.remove(name);
            }
            names.len()
        };
        if on && names.is_empty() {
            let _ = done.send(Ok(()));
            return;
        }
        let (subscribe, unsubscribe) = kind.commands();
        let cmd = Cmd::new(if on { subscribe } else { unsubscribe }).arg(names);
        let sent = if self.conn.is_streaming() {
            self.conn.send_in_stream(&cmd)
        } else {
            self.conn.start_stream(&cmd)
        };
        match sent {
            Ok(()) => self.waiting.push_back((kind, on, expected, done)),
            // The request is part of the state now: it is replayed after
            // the reconnect, and confirmed then.
            Err(_) => self.waiting.push_back((kind, on, expected, done)),
        }
    }

    /// Handles one frame; false to stop (the reader is gone).
    fn handle_frame(&mut self, frame: Value) -> bool {
        let items = match frame {
            Frame::Array(items) | Frame::Push(items) => items,
            Frame::Error(e) => {
                let message = String::from_utf8_lossy(&e).into_owned();
                if let Some((_, _, _, done)) = self.waiting.pop_front() {
                    let _ = done.send(Err(Error::server(crate::ServerError::new(message))));
                }
                return true;
            }
            _ => return true,
        };
        let kind_name = items
            .first()
            .and_then(|f| f.as_bytes())
            .map(|b| b.to_ascii_lowercase())
            .unwrap_or_default();
        let bytes = |i: usize| {
            items
                .get(i)
                .and_then(|f| f.as_bytes())
                .map(<[u8]>::to_vec)
                .unwrap_or_default()
        };
        let message = match &kind_name[..] {
            b"message" => Message {
                kind: SubscriptionKind::Channel,
                channel: bytes(1),
                pattern: None,
                payload: bytes(2),
            },
            b"smessage" => Message {
                kind: SubscriptionKind::Shard,
                channel: bytes(1),
                pattern: None,
                payload: bytes(2),
            },
            b"pmessage" => Message {
                kind: SubscriptionKind::Pattern,
                pattern: Some(bytes(1)),
                channel: bytes(2),
                payload: bytes(3),
            },
            b"subscribe" | b"psubscribe" | b"ssubscribe" | b"unsubscribe" | b"punsubscribe"
            | b"sunsubscribe" => {
                self.confirmed();
                return true;
            }
            _ => return true,
        };
        self.deliver(Incoming::Message(message))
    }

    fn confirmed(&mut self) {
        if let Some((_, _, due, _)) = self.waiting.front_mut() {
            *due = due.saturating_sub(1);
            if *due == 0 {
                if let Some((_, _, _, done)) = self.waiting.pop_front() {
                    let _ = done.send(Ok(()));
                }
            }
        }
    }

    /// Hands `incoming` to the reader, waiting while the backlog is full
    /// but still honouring `close`; false when the reader is gone.
    fn deliver(&mut self, mut incoming: Incoming) -> bool {
        loop {
            match self
                .messages
                .send_timeout(incoming, Duration::from_millis(50))
            {
                Ok(()) => return true,
                Err(crossbeam_channel::SendTimeoutError::Disconnected(_)) => return false,
                Err(crossbeam_channel::SendTimeoutError::Timeout(back)) => {
                    incoming = back;
                    if matches!(self.control.try_recv(), Ok(Control::Close)) {
                        return false;
                    }
                }
            }
        }
    }

    /// Reconnects with backoff and resubscribes; false if closed meanwhile.
    fn reconnect(&mut self) -> bool {
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let delay = self
                .strategy
                .delay(attempt)
                .unwrap_or(Duration::from_secs(1));
            emit(&self.events, Event::Reconnecting { attempt, delay });
            // Sleep in a way `close` interrupts.
            match self.control.recv_timeout(delay) {
                Ok(Control::Close) | Err(RecvTimeoutError::Disconnected) => return false,
                Ok(Control::Subscribe(kind, names, done)) => {
                    self.subscribed[slot(kind)].extend(names.iter().cloned());
                    self.waiting.push_back((kind, true, names.len(), done));
                }
                Ok(Control::Unsubscribe(kind, names, done)) => {
                    for name in &names {
                        self.subscribed[slot(kind)].remove(name);
                    }
                    let _ = done.send(Ok(()));
                }
                Err(RecvTimeoutError::Timeout) => {}
            }
            let Ok(conn) = Connection::open(&self.config) else {
                continue;
            };
            self.conn = conn;
            emit(
                &self.events,
                Event::Ready {
                    addr: self.config.addr.clone(),
                },
            );
            // Requests waiting for confirmation are answered by the
            // resubscription below, which covers them.
            let waiting: Vec<_> = self.waiting.drain(..).collect();
            let mut ok = true;
            for kind in [
                SubscriptionKind::Channel,
                SubscriptionKind::Pattern,
                SubscriptionKind::Shard,
            ] {
                let names: Vec<Vec<u8>> = self.subscribed[slot(kind)].iter().cloned().collect();
                if names.is_empty() {
                    continue;
                }
                let cmd = Cmd::new(kind.commands().0).arg(names.clone());
                let sent = if self.conn.is_streaming() {
                    self.conn.send_in_stream(&cmd)
                } else {
                    self.conn.start_stream(&cmd)
                };
                if sent.is_err() {
                    ok = false;
                    break;
                }
                let (done, _) = bounded(1);
                self.waiting.push_back((kind, true, names.len(), done));
            }
            for (_, _, _, done) in waiting {
                let _ = done.send(Ok(()));
            }
            if ok {
                return self.deliver(Incoming::Reconnected);
            }
        }
    }
}
