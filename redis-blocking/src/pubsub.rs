//! Pub/sub: a subscriber on its own connection, a control handle usable
//! from any thread, and resubscription after reconnects. What each frame
//! means is decided by [`resp_core::client::Subscriptions`]; this file
//! owns the thread and the socket.

use std::collections::{HashMap, VecDeque};
use std::io::{Read, Write};
use std::os::fd::AsRawFd;
use std::os::unix::net::UnixStream;
use std::sync::{Arc, Mutex};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use crossbeam_channel::{bounded, unbounded, Receiver, RecvTimeoutError, Sender, TryRecvError};
use resp_core::client::{PubSubEvent, RequestId, Subscriptions};

pub use resp_core::client::SubscriptionKind;

use crate::config::Config;
use crate::connection::streaming::Polled;
use crate::connector::Connector;
use crate::error::{Error, ErrorKind, Executed, Result};
use crate::events::Event;
use crate::retry::ReconnectStrategy;
use crate::Connection;

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
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Incoming {
    /// A message.
    Message(Message),
    /// The connection was lost (or the server broke the protocol) and a new
    /// one was opened, every subscription requested again: messages
    /// published in between were missed.
    Reconnected,
}

/// A request from a handle to the worker.
enum Control {
    Change(Change),
    Close,
}

/// A subscribe or unsubscribe, and who waits for it until when.
struct Change {
    kind: SubscriptionKind,
    subscribe: bool,
    names: Vec<Vec<u8>>,
    done: Sender<Result<()>>,
    deadline: Instant,
}

/// How long a subscribe or unsubscribe waits for the server's confirmation
/// when the configuration sets no call timeout.
const DEFAULT_CONFIRM_TIMEOUT: Duration = Duration::from_secs(10);

/// A subscriber: its own connection, read by a background thread that
/// hands messages over in order.
///
/// Read with [`recv`](Subscriber::recv), [`recv_timeout`](Subscriber::recv_timeout),
/// [`try_recv`](Subscriber::try_recv) or as an iterator. Subscribe and
/// unsubscribe from any thread with a [`SubscriberHandle`], even while a
/// reader is blocked; each call returns once the server confirmed it, or
/// fails after the configuration's timeout (10 s if none is set).
/// [`SubscriberHandle::close`] ends the subscriber and wakes the reader.
///
/// After a lost connection the subscriber reconnects with backoff,
/// resubscribes to everything, and delivers [`Incoming::Reconnected`] so
/// the reader knows it may have missed messages. A server that breaks the
/// protocol (a message for a channel that is not subscribed, a malformed
/// frame) is treated the same way: the connection is replaced. Channels and
/// payloads are bytes.
///
/// A reader that falls behind has at most 64 Ki messages or 32 MiB waiting
/// for it; then the subscriber stops reading until it catches up, and a
/// server whose output limit for subscribers is passed meanwhile drops the
/// connection: the reader then gets [`Incoming::Reconnected`].
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
    confirm_timeout: Duration,
}

/// How many messages wait for the reader before the subscriber stops
/// reading (and the server, past its own limit, drops the connection).
const BACKLOG: usize = 64 * 1024;

/// How many bytes of messages (payloads, channels and patterns) wait for
/// the reader, at most, before the subscriber stops reading: the server's
/// default hard limit for a subscriber's output. A message larger than
/// this is still handed over, alone.
const BACKLOG_BYTES: usize = 32 * 1024 * 1024;

impl Subscriber {
    /// Opens a subscriber with the default reconnect strategy.
    ///
    /// # Errors
    ///
    /// The first connection failing.
    pub fn open(config: Config) -> Result<Subscriber> {
        let connector = Connector::new(config, ReconnectStrategy::default(), None);
        Subscriber::with_connector(Arc::new(connector))
    }

    pub(crate) fn with_connector(connector: Arc<Connector>) -> Result<Subscriber> {
        Subscriber::with_hooks(connector, None, None)
    }

    /// A subscriber whose messages go to `sink` (shared with others), and
    /// whose shard channels dropped by the server, and lost connections,
    /// are reported to `notes` rather than handled on its own node: one
    /// node's subscriber of a cluster.
    pub(crate) fn with_hooks(
        connector: Arc<Connector>,
        sink: Option<Sender<Incoming>>,
        notes: Option<Sender<NodeNote>>,
    ) -> Result<Subscriber> {
        let conn = connector.connect_streaming(None, &|c| c)?;
        let confirm_timeout = connector
            .config()
            .timeout
            .unwrap_or(DEFAULT_CONFIRM_TIMEOUT);
        let (own_tx, messages) = bounded(BACKLOG);
        let message_tx = sink.unwrap_or(own_tx);
        let (control, control_rx) = unbounded();
        let (wake_read, wake_write) = UnixStream::pair()
            .map_err(|e| Error::io(Executed::No, "creating a wake-up pipe", e))?;
        wake_read
            .set_nonblocking(true)
            .map_err(|e| Error::io(Executed::No, "creating a wake-up pipe", e))?;
        let worker = Worker {
            connector,
            conn: Some(conn),
            messages: message_tx,
            control: control_rx,
            wake: wake_read,
            subs: Subscriptions::new(),
            waiting: HashMap::new(),
            held: VecDeque::new(),
            unread: VecDeque::new(),
            unread_bytes: 0,
            notes,
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
                confirm_timeout,
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
    /// Subscribes to channels and waits until the server confirmed every
    /// one, so that messages published afterwards are received. During a
    /// reconnect, it waits for the new connection's confirmation.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Closed`] if the subscriber is closed; the server's
    /// error if it refused; [`ErrorKind::Timeout`] when no confirmation
    /// came within the timeout (the subscriber keeps the request and
    /// replaces a connection that stopped answering).
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
        subscribe: bool,
        names: C,
    ) -> Result<()> {
        let names: Vec<Vec<u8>> = names.into_iter().map(|c| c.as_ref().to_vec()).collect();
        let (done, result) = bounded(1);
        let deadline = Instant::now() + self.confirm_timeout;
        let control = Control::Change(Change {
            kind,
            subscribe,
            names,
            done,
            deadline,
        });
        self.control.send(control).map_err(|_| closed())?;
        self.wake();
        // A little beyond the worker's own deadline, which answers first.
        match result.recv_timeout(self.confirm_timeout + Duration::from_millis(500)) {
            Ok(outcome) => outcome,
            Err(RecvTimeoutError::Timeout) => Err(not_confirmed(self.confirm_timeout)),
            Err(RecvTimeoutError::Disconnected) => Err(closed()),
        }
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

fn not_confirmed(timeout: Duration) -> Error {
    Error::new(
        ErrorKind::Timeout,
        Executed::Maybe,
        format!(
            "the server did not confirm within {timeout:?}; the subscriber keeps the request and replaces a connection that stopped answering"
        ),
    )
}

/// The background side: owns the connection.
struct Worker {
    connector: Arc<Connector>,
    /// `None` while reconnecting.
    conn: Option<Connection>,
    messages: Sender<Incoming>,
    control: Receiver<Control>,
    wake: UnixStream,
    subs: Subscriptions,
    /// Who waits for which request, until when.
    waiting: HashMap<RequestId, (Sender<Result<()>>, Instant)>,
    /// Requests taken while waiting for the reader, in order: carried out
    /// before any later one.
    held: VecDeque<Change>,
    /// The sizes of the messages handed over that the reader may not have
    /// taken yet, oldest first, and their sum.
    unread: VecDeque<usize>,
    unread_bytes: usize,
    /// Where a cluster's node subscriber reports what its cluster must
    /// handle.
    notes: Option<Sender<NodeNote>>,
}

/// What a cluster node's subscriber reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum NodeNote {
    /// The server dropped a shard channel: its slot moved.
    Dropped(Vec<u8>),
    /// The connection was lost (it is being reopened).
    Lost,
}

/// Why the worker stops or replaces its connection.
enum Trouble {
    /// Closed by a handle, or the reader is gone.
    Stop,
    /// The connection failed or broke the protocol: replace it.
    Reconnect(Error),
}

impl Worker {
    fn run(mut self) {
        loop {
            let trouble = self.serve();
            match trouble {
                Trouble::Stop => return,
                Trouble::Reconnect(error) => {
                    self.connector.emit(Event::Error {
                        addr: self.connector.current_addr(),
                        error: error.to_string(),
                    });
                    if let Some(notes) = &self.notes {
                        let _ = notes.send(NodeNote::Lost);
                    }
                    if let Some(mut conn) = self.conn.take() {
                        conn.close_for(error.to_string());
                    }
                    if !self.reconnect() {
                        return;
                    }
                }
            }
        }
    }

    /// Runs the connection until something goes wrong.
    fn serve(&mut self) -> Trouble {
        loop {
            if let Some(trouble) = self.handle_controls() {
                return trouble;
            }
            if let Some(trouble) = self.expire_waiting() {
                return trouble;
            }
            let wait = self
                .waiting
                .values()
                .map(|(_, deadline)| deadline.saturating_duration_since(Instant::now()))
                .min();
            let Some(conn) = self.conn.as_mut() else {
                return Trouble::Reconnect(closed());
            };
            match conn.next_frame_or_wake(wait, Some(self.wake.as_raw_fd())) {
                Ok(Polled::Frame(frame)) => {
                    if let Some(trouble) = self.handle_frame(frame) {
                        return trouble;
                    }
                }
                Ok(Polled::Woken | Polled::TimedOut) => self.drain_wake(),
                Err(e) => return Trouble::Reconnect(e),
            }
        }
    }

    fn drain_wake(&mut self) {
        let mut buf = [0u8; 64];
        while matches!(self.wake.read(&mut buf), Ok(n) if n > 0) {}
    }

    /// Applies pending control requests.
    fn handle_controls(&mut self) -> Option<Trouble> {
        while let Some(change) = self.held.pop_front() {
            if let Err(e) = self.send_change(change) {
                return Some(Trouble::Reconnect(e));
            }
        }
        loop {
            match self.control.try_recv() {
                Ok(Control::Close) | Err(TryRecvError::Disconnected) => return Some(Trouble::Stop),
                Ok(Control::Change(change)) => {
                    if let Err(e) = self.send_change(change) {
                        return Some(Trouble::Reconnect(e));
                    }
                }
                Err(TryRecvError::Empty) => return None,
            }
        }
    }

    /// Records a request and writes it, when connected.
    fn send_change(&mut self, change: Change) -> Result<()> {
        let Change {
            kind,
            subscribe,
            names,
            done,
            deadline,
        } = change;
        let mut out = Vec::new();
        let id = if subscribe {
            self.subs.subscribe(kind, names, &mut out)
        } else {
            Some(self.subs.unsubscribe(kind, names, &mut out))
        };
        let Some(id) = id else {
            let _ = done.send(Ok(()));
            return Ok(());
        };
        self.waiting.insert(id, (done, deadline));
        // While reconnecting, the new connection's resubscription covers
        // the request.
        match self.conn.as_mut() {
            Some(conn) => conn.send_bytes_in_stream(&out),
            None => Ok(()),
        }
    }

    /// Answers requests whose time is up; a connection that let one pass
    /// unconfirmed is replaced.
    fn expire_waiting(&mut self) -> Option<Trouble> {
        let now = Instant::now();
        let expired: Vec<RequestId> = self
            .waiting
            .iter()
            .filter(|(_, (_, deadline))| *deadline <= now)
            .map(|(id, _)| *id)
            .collect();
        if expired.is_empty() {
            return None;
        }
        for id in &expired {
            if let Some((done, _)) = self.waiting.remove(id) {
                let _ = done.send(Err(not_confirmed(
                    self.connector
                        .config()
                        .timeout
                        .unwrap_or(DEFAULT_CONFIRM_TIMEOUT),
                )));
            }
        }
        self.conn.as_ref()?;
        Some(Trouble::Reconnect(Error::new(
            ErrorKind::Timeout,
            Executed::No,
            "the server did not confirm a subscription change in time",
        )))
    }

    fn answer(&mut self, id: RequestId, outcome: Result<()>) {
        if let Some((done, _)) = self.waiting.remove(&id) {
            let _ = done.send(outcome);
        }
    }

    /// Handles one frame.
    fn handle_frame(&mut self, frame: crate::Value) -> Option<Trouble> {
        let event = match self.subs.handle_frame(frame) {
            Ok(event) => event,
            Err(e) => {
                let addr = self
                    .conn
                    .as_ref()
                    .map_or_else(|| self.connector.current_addr(), |c| c.addr().clone());
                return Some(Trouble::Reconnect(
                    Error::new(
                        ErrorKind::Protocol,
                        Executed::No,
                        format!("{addr} broke the pub/sub protocol: {e}"),
                    )
                    .with_source(e),
                ));
            }
        };
        match event {
            PubSubEvent::Message {
                kind,
                channel,
                pattern,
                payload,
            } => {
                let message = Message {
                    kind,
                    channel: channel.into_owned(),
                    pattern: pattern.map(|p| p.into_owned()),
                    payload: payload.into_owned(),
                };
                if !self.deliver(Incoming::Message(message)) {
                    return Some(Trouble::Stop);
                }
            }
            PubSubEvent::Confirmed(id) => {
                self.answer(id, Ok(()));
                while let Some(id) = self.subs.next_done() {
                    self.answer(id, Ok(()));
                }
            }
            PubSubEvent::Refused(id, line) => {
                let line = String::from_utf8_lossy(&line).into_owned();
                self.answer(id, Err(Error::server(crate::ServerError::new(line))));
            }
            PubSubEvent::Dropped { kind, channel } if self.notes.is_some() => {
                // A cluster's node: the channel belongs elsewhere now, the
                // cluster subscriber moves it.
                self.subs.forget(kind, &channel);
                if let Some(notes) = &self.notes {
                    let _ = notes.send(NodeNote::Dropped(channel));
                }
            }
            PubSubEvent::Dropped { kind, channel } => {
                // The server dropped a shard channel (its slot moved): ask
                // for it again.
                let mut out = Vec::new();
                self.subs.subscribe(kind, vec![channel], &mut out);
                if let Some(conn) = self.conn.as_mut() {
                    if let Err(e) = conn.send_bytes_in_stream(&out) {
                        return Some(Trouble::Reconnect(e));
                    }
                }
            }
            _ => {}
        }
        None
    }

    /// Hands `incoming` to the reader, waiting while the backlog is full
    /// (in messages or in bytes) but still honouring `close`; false when
    /// the reader is gone.
    fn deliver(&mut self, mut incoming: Incoming) -> bool {
        let size = match &incoming {
            Incoming::Message(m) => {
                m.payload.len() + m.channel.len() + m.pattern.as_ref().map_or(0, Vec::len)
            }
            _ => 0,
        };
        loop {
            if self.unread_bytes() > 0 && self.unread_bytes + size > BACKLOG_BYTES {
                std::thread::sleep(Duration::from_millis(5));
                if !self.take_control_while_waiting() {
                    return false;
                }
                continue;
            }
            match self
                .messages
                .send_timeout(incoming, Duration::from_millis(50))
            {
                Ok(()) => {
                    self.unread.push_back(size);
                    self.unread_bytes += size;
                    return true;
                }
                Err(crossbeam_channel::SendTimeoutError::Disconnected(_)) => return false,
                Err(crossbeam_channel::SendTimeoutError::Timeout(back)) => {
                    incoming = back;
                    if !self.take_control_while_waiting() {
                        return false;
                    }
                }
            }
        }
    }

    /// The bytes of the messages the reader may not have taken yet. The
    /// messages in the channel are the last ones sent to it, so at most
    /// that many of this worker's are still there (several workers may
    /// share a sink: an upper bound then).
    fn unread_bytes(&mut self) -> usize {
        let in_channel = self.messages.len();
        while self.unread.len() > in_channel {
            if let Some(size) = self.unread.pop_front() {
                self.unread_bytes -= size;
            }
        }
        self.unread_bytes
    }

    /// While waiting for the reader: false on `close`; a subscription
    /// change is kept for when the reader has caught up (dropping it would
    /// tell its caller the subscriber closed).
    fn take_control_while_waiting(&mut self) -> bool {
        match self.control.try_recv() {
            Ok(Control::Close) => false,
            Ok(Control::Change(change)) => {
                self.held.push_back(change);
                true
            }
            Err(_) => true,
        }
    }

    /// Reconnects with backoff and resubscribes; false if closed meanwhile.
    fn reconnect(&mut self) -> bool {
        // Disconnected: recorded now, before any request taken meanwhile;
        // the resubscription carries them out.
        while let Some(change) = self.held.pop_front() {
            let _ = self.send_change(change);
        }
        loop {
            let mut stopped = false;
            let connector = Arc::clone(&self.connector);
            // Sleep in a way `close` interrupts, taking requests meanwhile.
            let mut sleep = |delay: Duration| {
                let until = Instant::now() + delay;
                loop {
                    let left = until.saturating_duration_since(Instant::now());
                    match self.control.recv_timeout(left) {
                        Ok(Control::Close) | Err(RecvTimeoutError::Disconnected) => {
                            stopped = true;
                            return false;
                        }
                        Ok(Control::Change(change)) => {
                            let _ = self.send_change(change);
                        }
                        Err(RecvTimeoutError::Timeout) => return true,
                    }
                    // While disconnected, this only answers the callers.
                    let _ = self.expire_waiting();
                }
            };
            let conn = connector.connect_until_up(&|c| c, &mut sleep);
            let Some(conn) = conn else {
                return false;
            };
            if stopped {
                return false;
            }
            self.conn = Some(conn);
            let mut out = Vec::new();
            for id in self.subs.reconnected(&mut out) {
                self.answer(id, Ok(()));
            }
            let sent = match self.conn.as_mut() {
                Some(conn) if !out.is_empty() => conn.send_bytes_in_stream(&out),
                _ => Ok(()),
            };
            if sent.is_err() {
                self.conn = None;
                continue;
            }
            return self.deliver(Incoming::Reconnected);
        }
    }
}
