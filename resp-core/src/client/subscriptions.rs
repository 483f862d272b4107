//! The pub/sub side of a connection: which channels it is subscribed to,
//! which requests await confirmation, and what each frame the server sends
//! means.

use std::borrow::Cow;
use std::collections::{BTreeSet, VecDeque};
use std::fmt;

use crate::encode::write_command;
use crate::Frame;

/// Which kind of subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SubscriptionKind {
    /// `SUBSCRIBE channel`.
    Channel,
    /// `PSUBSCRIBE pattern`.
    Pattern,
    /// `SSUBSCRIBE shard-channel`.
    Shard,
}

impl SubscriptionKind {
    /// Every kind.
    pub const ALL: [SubscriptionKind; 3] = [
        SubscriptionKind::Channel,
        SubscriptionKind::Pattern,
        SubscriptionKind::Shard,
    ];

    /// The commands that subscribe and unsubscribe.
    pub fn commands(self) -> (&'static str, &'static str) {
        match self {
            SubscriptionKind::Channel => ("SUBSCRIBE", "UNSUBSCRIBE"),
            SubscriptionKind::Pattern => ("PSUBSCRIBE", "PUNSUBSCRIBE"),
            SubscriptionKind::Shard => ("SSUBSCRIBE", "SUNSUBSCRIBE"),
        }
    }

    fn index(self) -> usize {
        match self {
            SubscriptionKind::Channel => 0,
            SubscriptionKind::Pattern => 1,
            SubscriptionKind::Shard => 2,
        }
    }
}

/// Identifies a subscribe or unsubscribe request, to match its
/// confirmation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RequestId(u64);

/// What a frame on a subscribed connection meant.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PubSubEvent<'b> {
    /// A published message.
    Message {
        /// How it was subscribed to.
        kind: SubscriptionKind,
        /// The channel it was published to.
        channel: Cow<'b, [u8]>,
        /// The pattern that matched, for pattern subscriptions.
        pattern: Option<Cow<'b, [u8]>>,
        /// The payload.
        payload: Cow<'b, [u8]>,
    },
    /// Every channel of a request is confirmed.
    Confirmed(RequestId),
    /// The server refused a request (an error reply).
    Refused(RequestId, Vec<u8>),
    /// The server dropped a shard subscription on its own (the slot moved
    /// away): subscribe again, possibly on another node.
    Dropped {
        /// The kind (shard channels only, today).
        kind: SubscriptionKind,
        /// The channel.
        channel: Vec<u8>,
    },
    /// The reply to a `PING`.
    Pong,
    /// A confirmation that completes no request (a channel subscribed
    /// twice), or a push frame of another kind (such as an invalidation).
    Other,
}

/// A frame that breaks the pub/sub protocol: the connection is out of
/// step and must be closed.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PubSubError {
    /// A message, confirmation or reply of the wrong shape.
    Malformed(String),
    /// A message for a channel or pattern that is not subscribed.
    NotSubscribed {
        /// The kind.
        kind: SubscriptionKind,
        /// The channel or pattern.
        name: Vec<u8>,
    },
    /// An error reply with no request waiting for one.
    UnsolicitedError(Vec<u8>),
}

impl fmt::Display for PubSubError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PubSubError::Malformed(what) => write!(f, "malformed pub/sub frame: {what}"),
            PubSubError::NotSubscribed { kind, name } => write!(
                f,
                "a message for {kind:?} '{}', which is not subscribed",
                String::from_utf8_lossy(name)
            ),
            PubSubError::UnsolicitedError(line) => write!(
                f,
                "an error reply with no request waiting: {}",
                String::from_utf8_lossy(line)
            ),
        }
    }
}

impl std::error::Error for PubSubError {}

#[derive(Debug, Clone)]
struct Request {
    id: RequestId,
    kind: SubscriptionKind,
    subscribe: bool,
    /// Names still to be confirmed.
    outstanding: BTreeSet<Vec<u8>>,
}

/// The subscriptions of one connection, without I/O.
///
/// # Call order
///
/// - [`subscribe`](Subscriptions::subscribe) and
///   [`unsubscribe`](Subscriptions::unsubscribe) append the command to
///   write and return the request's id;
/// - every frame read goes to [`handle_frame`](Subscriptions::handle_frame),
///   which says what it meant: a message, a request confirmed or refused, a
///   shard subscription dropped by the server;
/// - after a new connection replaced a lost one,
///   [`reconnected`](Subscriptions::reconnected) appends the commands that
///   restore every subscription; requests that were waiting are confirmed
///   by those.
///
/// A request is confirmed once the server confirmed each of its channels,
/// in whatever order and by whichever command. Messages are checked against
/// what the server confirmed: a message for a channel that is not
/// subscribed, or a frame of the wrong shape, is a [`PubSubError`].
///
/// # Example
///
/// ```
/// use resp_core::client::{PubSubEvent, SubscriptionKind, Subscriptions};
/// use resp_core::Frame;
///
/// let mut subs = Subscriptions::new();
/// let mut out = Vec::new();
/// let id = subs.subscribe(SubscriptionKind::Channel, vec![b"news".to_vec()], &mut out).unwrap();
/// assert_eq!(out, b"*2\r\n$9\r\nSUBSCRIBE\r\n$4\r\nnews\r\n");
///
/// let confirm = Frame::Array(vec![Frame::bulk(b"subscribe"), Frame::bulk(b"news"), Frame::Integer(1)]);
/// assert_eq!(subs.handle_frame(confirm)?, PubSubEvent::Confirmed(id));
///
/// let message = Frame::Array(vec![Frame::bulk(b"message"), Frame::bulk(b"news"), Frame::bulk(b"hi")]);
/// let PubSubEvent::Message { payload, .. } = subs.handle_frame(message)? else { panic!() };
/// assert_eq!(&*payload, b"hi");
///
/// let stray = Frame::Array(vec![Frame::bulk(b"message"), Frame::bulk(b"other"), Frame::bulk(b"hi")]);
/// assert!(subs.handle_frame(stray).is_err());
/// # Ok::<(), resp_core::client::PubSubError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct Subscriptions {
    /// What the user wants, restored after a reconnect.
    wanted: [BTreeSet<Vec<u8>>; 3],
    /// What the server confirmed on this connection.
    confirmed: [BTreeSet<Vec<u8>>; 3],
    pending: VecDeque<Request>,
    next_id: u64,
}

impl Subscriptions {
    /// No subscriptions.
    pub fn new() -> Subscriptions {
        Subscriptions::default()
    }

    /// What the user asked to be subscribed to, of one kind.
    pub fn wanted(&self, kind: SubscriptionKind) -> &BTreeSet<Vec<u8>> {
        &self.wanted[kind.index()]
    }

    /// What the server confirmed, of one kind.
    pub fn confirmed(&self, kind: SubscriptionKind) -> &BTreeSet<Vec<u8>> {
        &self.confirmed[kind.index()]
    }

    /// True when anything is wanted.
    pub fn is_empty(&self) -> bool {
        self.wanted.iter().all(BTreeSet::is_empty)
    }

    /// Requests awaiting confirmation.
    pub fn pending(&self) -> usize {
        self.pending.len()
    }

    fn new_id(&mut self) -> RequestId {
        self.next_id += 1;
        RequestId(self.next_id)
    }

    /// Subscribes to `names`, appending the command to `out`. `None` when
    /// there is nothing to send (no names).
    pub fn subscribe(
        &mut self,
        kind: SubscriptionKind,
        names: Vec<Vec<u8>>,
        out: &mut Vec<u8>,
    ) -> Option<RequestId> {
        if names.is_empty() {
            return None;
        }
        self.wanted[kind.index()].extend(names.iter().cloned());
        Some(self.request(kind, true, &names, names.clone(), out))
    }

    /// Unsubscribes from `names` (none: from every name of that kind),
    /// appending the command to `out`.
    pub fn unsubscribe(
        &mut self,
        kind: SubscriptionKind,
        names: Vec<Vec<u8>>,
        out: &mut Vec<u8>,
    ) -> RequestId {
        let wanted = &mut self.wanted[kind.index()];
        let outstanding: Vec<Vec<u8>> = if names.is_empty() {
            // The server unsubscribes what it has, which (requests being
            // processed in order) is what is wanted now.
            std::mem::take(wanted).into_iter().collect()
        } else {
            for name in &names {
                wanted.remove(name);
            }
            names.clone()
        };
        self.request(kind, false, &names, outstanding, out)
    }

    fn request(
        &mut self,
        kind: SubscriptionKind,
        subscribe: bool,
        names: &[Vec<u8>],
        outstanding: Vec<Vec<u8>>,
        out: &mut Vec<u8>,
    ) -> RequestId {
        let id = self.new_id();
        let (on, off) = kind.commands();
        let command = if subscribe { on } else { off };
        let mut args: Vec<&[u8]> = Vec::with_capacity(names.len() + 1);
        args.push(command.as_bytes());
        args.extend(names.iter().map(Vec::as_slice));
        write_command(out, args);
        self.pending.push_back(Request {
            id,
            kind,
            subscribe,
            outstanding: outstanding.into_iter().collect(),
        });
        id
    }

    /// Drops `name` from what is wanted and confirmed, without a command:
    /// the server dropped it on its own, and it is wanted elsewhere now (a
    /// shard channel whose slot moved to another node).
    pub fn forget(&mut self, kind: SubscriptionKind, name: &[u8]) {
        self.wanted[kind.index()].remove(name);
        self.confirmed[kind.index()].remove(name);
    }

    /// Starts over on a new connection: nothing is confirmed there yet.
    /// Appends to `out` the commands that subscribe to everything wanted,
    /// and returns the requests that are complete already (unsubscribes:
    /// the new connection has none of those). Subscribe requests still
    /// waiting are confirmed by the new commands' confirmations.
    pub fn reconnected(&mut self, out: &mut Vec<u8>) -> Vec<RequestId> {
        self.confirmed = Default::default();
        let mut done = Vec::new();
        let mut kept = VecDeque::new();
        for mut request in std::mem::take(&mut self.pending) {
            if !request.subscribe {
                done.push(request.id);
                continue;
            }
            let wanted = &self.wanted[request.kind.index()];
            request.outstanding.retain(|name| wanted.contains(name));
            if request.outstanding.is_empty() {
                done.push(request.id);
            } else {
                kept.push_back(request);
            }
        }
        self.pending = kept;
        for kind in SubscriptionKind::ALL {
            let names: Vec<Vec<u8>> = self.wanted[kind.index()].iter().cloned().collect();
            if !names.is_empty() {
                self.request(kind, true, &names, names.clone(), out);
            }
        }
        done
    }

    /// Makes sense of one frame from the server.
    ///
    /// # Errors
    ///
    /// A frame that breaks the protocol; the connection must be closed.
    pub fn handle_frame<'b>(&mut self, frame: Frame<'b>) -> Result<PubSubEvent<'b>, PubSubError> {
        let items = match frame.strip_attributes() {
            Frame::Array(items) | Frame::Push(items) => items,
            Frame::Error(line) | Frame::BulkError(line) => {
                return match self.pending.pop_front() {
                    Some(request) => Ok(PubSubEvent::Refused(request.id, line.to_vec())),
                    None => Err(PubSubError::UnsolicitedError(line.to_vec())),
                }
            }
            Frame::Simple(pong) if pong.eq_ignore_ascii_case(b"PONG") => {
                return Ok(PubSubEvent::Pong)
            }
            other => {
                return Err(PubSubError::Malformed(format!(
                    "expected an array, got {}",
                    shape(&other)
                )))
            }
        };
        let mut items = items.into_iter();
        let Some(first) = items.next() else {
            return Err(PubSubError::Malformed("an empty array".into()));
        };
        let kind_word = bytes(first, "the frame's kind")?.to_ascii_lowercase();
        let rest: Vec<Frame<'b>> = items.collect();
        let message = |kind: SubscriptionKind, with_pattern: bool, rest: Vec<Frame<'b>>| {
            let want = if with_pattern { 3 } else { 2 };
            if rest.len() != want {
                return Err(PubSubError::Malformed(format!(
                    "a {kind:?} message of {} elements",
                    rest.len() + 1
                )));
            }
            let mut rest = rest.into_iter();
            let pattern = if with_pattern {
                Some(bytes(rest.next().unwrap_or(Frame::Null), "the pattern")?)
            } else {
                None
            };
            let channel = bytes(rest.next().unwrap_or(Frame::Null), "the channel")?;
            let payload = bytes(rest.next().unwrap_or(Frame::Null), "the payload")?;
            Ok((channel, pattern, payload))
        };
        let (kind, with_pattern) = match &kind_word[..] {
            b"message" => (SubscriptionKind::Channel, false),
            b"pmessage" => (SubscriptionKind::Pattern, true),
            b"smessage" => (SubscriptionKind::Shard, false),
            b"subscribe" | b"psubscribe" | b"ssubscribe" | b"unsubscribe" | b"punsubscribe"
            | b"sunsubscribe" => return self.confirmation(&kind_word, rest),
            b"pong" => return Ok(PubSubEvent::Pong),
            _ => return Ok(PubSubEvent::Other),
        };
        let (channel, pattern, payload) = message(kind, with_pattern, rest)?;
        let name = pattern.as_deref().unwrap_or(&channel);
        if !self.confirmed[kind.index()].contains(name) {
            return Err(PubSubError::NotSubscribed {
                kind,
                name: name.to_vec(),
            });
        }
        Ok(PubSubEvent::Message {
            kind,
            channel,
            pattern,
            payload,
        })
    }

    fn confirmation<'b>(
        &mut self,
        word: &[u8],
        rest: Vec<Frame<'b>>,
    ) -> Result<PubSubEvent<'b>, PubSubError> {
        let (kind, subscribe) = match word {
            b"subscribe" => (SubscriptionKind::Channel, true),
            b"unsubscribe" => (SubscriptionKind::Channel, false),
            b"psubscribe" => (SubscriptionKind::Pattern, true),
            b"punsubscribe" => (SubscriptionKind::Pattern, false),
            b"ssubscribe" => (SubscriptionKind::Shard, true),
            _ => (SubscriptionKind::Shard, false),
        };
        if rest.len() != 2 || !matches!(rest[1], Frame::Integer(_)) {
            return Err(PubSubError::Malformed(format!(
                "a {} confirmation of the wrong shape",
                String::from_utf8_lossy(word)
            )));
        }
        let mut rest = rest.into_iter();
        let name = match rest.next() {
            // Unsubscribing from everything when nothing was subscribed.
            Some(Frame::Null | Frame::NullBulk) if !subscribe => None,
            Some(frame) => Some(bytes(frame, "the channel")?.into_owned()),
            None => None,
        };
        let index = kind.index();
        let Some(name) = name else {
            return Ok(self.complete_empty(kind));
        };
        let mut completed = None;
        let mut matched = false;
        if subscribe {
            self.confirmed[index].insert(name.clone());
        } else {
            self.confirmed[index].remove(&name);
        }
        for request in &mut self.pending {
            if request.kind == kind
                && request.subscribe == subscribe
                && request.outstanding.remove(&name)
            {
                matched = true;
                if request.outstanding.is_empty() && completed.is_none() {
                    completed = Some(request.id);
                }
            }
        }
        // Several requests may complete at once; report the oldest now and
        // the rest as they are found empty (see `complete_empty`).
        if let Some(id) = completed {
            self.pending.retain(|r| r.id != id);
            return Ok(PubSubEvent::Confirmed(id));
        }
        if !matched
            && !subscribe
            && kind == SubscriptionKind::Shard
            && self.wanted[index].contains(&name)
        {
            return Ok(PubSubEvent::Dropped {
                kind,
                channel: name,
            });
        }
        Ok(self
            .next_done()
            .map_or(PubSubEvent::Other, PubSubEvent::Confirmed))
    }

    /// An unsubscribe-all confirmed with nothing subscribed.
    fn complete_empty(&mut self, kind: SubscriptionKind) -> PubSubEvent<'static> {
        let position = self
            .pending
            .iter()
            .position(|r| r.kind == kind && !r.subscribe && r.outstanding.is_empty());
        match position.and_then(|i| self.pending.remove(i)) {
            Some(request) => PubSubEvent::Confirmed(request.id),
            None => PubSubEvent::Other,
        }
    }

    /// A request whose every name is confirmed already, if any.
    pub fn next_done(&mut self) -> Option<RequestId> {
        let i = self.pending.iter().position(|r| r.outstanding.is_empty())?;
        self.pending.remove(i).map(|r| r.id)
    }
}

fn bytes<'b>(frame: Frame<'b>, what: &str) -> Result<Cow<'b, [u8]>, PubSubError> {
    match frame {
        Frame::Bulk(b) | Frame::Simple(b) => Ok(b),
        other => Err(PubSubError::Malformed(format!(
            "{what} is {}, not a string",
            shape(&other)
        ))),
    }
}

fn shape(frame: &Frame<'_>) -> &'static str {
    match frame {
        Frame::Simple(_) => "a simple string",
        Frame::Error(_) | Frame::BulkError(_) => "an error",
        Frame::Integer(_) => "an integer",
        Frame::Bulk(_) => "a bulk string",
        Frame::NullBulk | Frame::NullArray | Frame::Null => "nil",
        Frame::Array(_) => "an array",
        Frame::Push(_) => "a push",
        Frame::Map(_) => "a map",
        Frame::Set(_) => "a set",
        _ => "another type",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arr(items: &[&[u8]], count: Option<i64>) -> Frame<'static> {
        let mut v: Vec<Frame<'static>> =
            items.iter().map(|i| Frame::bulk(i).into_owned()).collect();
        if let Some(c) = count {
            v.push(Frame::Integer(c));
        }
        Frame::Array(v)
    }

    fn names(n: &[&str]) -> Vec<Vec<u8>> {
        n.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    #[test]
    fn each_channel_confirms() {
        let mut s = Subscriptions::new();
        let mut out = Vec::new();
        let id = s
            .subscribe(SubscriptionKind::Channel, names(&["a", "b"]), &mut out)
            .unwrap();
        assert_eq!(
            s.handle_frame(arr(&[b"subscribe", b"a"], Some(1))),
            Ok(PubSubEvent::Other)
        );
        assert_eq!(
            s.handle_frame(arr(&[b"subscribe", b"b"], Some(2))),
            Ok(PubSubEvent::Confirmed(id))
        );
        let id = s.unsubscribe(SubscriptionKind::Channel, vec![], &mut out);
        assert_eq!(
            s.handle_frame(arr(&[b"unsubscribe", b"b"], Some(1))),
            Ok(PubSubEvent::Other)
        );
        // A message still in flight for a channel being unsubscribed.
        assert!(s.handle_frame(arr(&[b"message", b"a", b"x"], None)).is_ok());
        assert_eq!(
            s.handle_frame(arr(&[b"unsubscribe", b"a"], Some(0))),
            Ok(PubSubEvent::Confirmed(id))
        );
        assert!(s
            .handle_frame(arr(&[b"message", b"a", b"x"], None))
            .is_err());
        // Unsubscribing from all with nothing subscribed: a nil channel.
        let id = s.unsubscribe(SubscriptionKind::Channel, vec![], &mut out);
        let nil = Frame::Array(vec![
            Frame::bulk(b"unsubscribe"),
            Frame::Null,
            Frame::Integer(0),
        ]);
        assert_eq!(s.handle_frame(nil), Ok(PubSubEvent::Confirmed(id)));
    }

    #[test]
    fn malformed_frames_are_errors() {
        let mut s = Subscriptions::new();
        let mut out = Vec::new();
        s.subscribe(SubscriptionKind::Pattern, names(&["n*"]), &mut out);
        s.handle_frame(arr(&[b"psubscribe", b"n*"], Some(1)))
            .unwrap();
        for bad in [
            arr(&[b"message"], None),
            arr(&[b"pmessage", b"n*", b"news"], None),
            Frame::Array(vec![
                Frame::bulk(b"pmessage"),
                Frame::bulk(b"n*"),
                Frame::Integer(1),
                Frame::bulk(b"p"),
            ]),
            arr(&[b"subscribe", b"x"], None),
            Frame::Integer(3),
            Frame::Array(vec![]),
        ] {
            assert!(
                matches!(
                    s.clone().handle_frame(bad.clone()),
                    Err(PubSubError::Malformed(_))
                ),
                "{bad:?}"
            );
        }
        let ok = arr(&[b"pmessage", b"n*", b"news", b"p"], None);
        let Ok(PubSubEvent::Message {
            pattern, channel, ..
        }) = s.handle_frame(ok)
        else {
            panic!()
        };
        assert_eq!(
            (pattern.as_deref(), &*channel),
            (Some(&b"n*"[..]), &b"news"[..])
        );
        assert!(matches!(
            s.handle_frame(Frame::error(b"ERR x")),
            Err(PubSubError::UnsolicitedError(_))
        ));
    }

    #[test]
    fn reconnect_confirms_waiting_requests_only_when_resubscribed() {
        let mut s = Subscriptions::new();
        let mut out = Vec::new();
        s.subscribe(SubscriptionKind::Channel, names(&["a"]), &mut out);
        s.handle_frame(arr(&[b"subscribe", b"a"], Some(1))).unwrap();
        // "b" is asked for; the connection dies before its confirmation.
        let waiting = s
            .subscribe(SubscriptionKind::Channel, names(&["b"]), &mut out)
            .unwrap();
        let gone = s.unsubscribe(SubscriptionKind::Pattern, names(&["p*"]), &mut out);
        out.clear();
        let done = s.reconnected(&mut out);
        assert_eq!(done, vec![gone]);
        assert_eq!(out, b"*3\r\n$9\r\nSUBSCRIBE\r\n$1\r\na\r\n$1\r\nb\r\n");
        assert!(
            s.handle_frame(arr(&[b"message", b"a", b"x"], None))
                .is_err(),
            "not confirmed yet"
        );
        assert_eq!(
            s.handle_frame(arr(&[b"subscribe", b"a"], Some(1))),
            Ok(PubSubEvent::Other)
        );
        let second = s.handle_frame(arr(&[b"subscribe", b"b"], Some(2))).unwrap();
        let third = s.next_done();
        let mut confirmed = vec![second];
        confirmed.extend(third.map(PubSubEvent::Confirmed));
        assert!(
            confirmed.contains(&PubSubEvent::Confirmed(waiting)),
            "{confirmed:?}"
        );
        assert_eq!(s.pending(), 0);
    }

    #[test]
    fn server_dropped_shard_channel() {
        let mut s = Subscriptions::new();
        let mut out = Vec::new();
        s.subscribe(SubscriptionKind::Shard, names(&["s"]), &mut out);
        s.handle_frame(arr(&[b"ssubscribe", b"s"], Some(1)))
            .unwrap();
        assert_eq!(
            s.handle_frame(arr(&[b"sunsubscribe", b"s"], Some(0))),
            Ok(PubSubEvent::Dropped {
                kind: SubscriptionKind::Shard,
                channel: b"s".to_vec()
            })
        );
        assert!(s
            .handle_frame(arr(&[b"smessage", b"s", b"x"], None))
            .is_err());
    }
}
