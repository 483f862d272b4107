//! One proxied connection as a sans-IO state machine: bytes from the
//! client and from the server in, bytes for each of them out, with the
//! rules and toxics applied. No sockets, threads or clock: the driver
//! ([`crate::conn`]) passes `now` and does the I/O.
//!
//! Requests are decoded ([`RequestDecoder`]), matched against the rules,
//! and forwarded whole and unchanged (or answered by the proxy); replies
//! are decoded ([`Decoder`]) and paired with their commands in order, and
//! streamed as they arrive. RESP3 push frames are passed through as
//! non-replies. A connection whose replies stop coming one per command
//! (RESP2 `SUBSCRIBE`, `MONITOR`, `CLIENT REPLY OFF`, undecodable
//! replies) stops being paired: its bytes still flow, toxics still act,
//! rules no longer do.
//!
//! Call order: `handle_client` / `handle_server` with what arrived (and
//! `client_closed` / `server_closed` at the end of a stream), then write
//! what [`Session::next_chunk`] offers for each side, reporting
//! [`Session::sent`]; check [`Session::close`] and [`Session::take_eof`];
//! sleep until [`Session::deadline`]. Call [`Session::set_faults`] when
//! the fault set changes.

use std::borrow::Cow;
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use resp_core::command::{changes_mode, key_positions, silences_replies};
use resp_core::{Decoder, Frame, RequestDecoder, Status};

use crate::faults::FaultSet;
use crate::outbound::{Fate, Outbound};
use crate::rewrite::{self, AddrMap, Topology};
use crate::rng::Rng;
use crate::rule::{Action, Decision, RequestView};
use crate::stats::{ConnStats, Name};
use crate::toxic::Stream;

/// One side of the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Side {
    /// The client's socket: replies go there.
    Client,
    /// The server's socket: requests go there.
    Server,
}

/// How the connection must end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Ending {
    /// Close both sockets.
    Close,
    /// Reset the client's connection (RST), close the server's.
    Reset,
}

/// What the driver hands the session besides bytes.
pub(crate) struct Ctx<'a> {
    pub(crate) stats: &'a mut ConnStats,
    /// Cluster-aware mode's listener map.
    pub(crate) addrs: Option<&'a dyn AddrMap>,
    /// Pub/sub messages to swallow, if any.
    pub(crate) dropped: Option<&'a crate::shared::Dropped>,
}

/// What happens to a reply when it comes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReplyAction {
    Forward,
    Drop,
    CloseAfter,
    Truncate(Option<u64>),
}

#[derive(Debug)]
struct Plan {
    delay: Duration,
    action: ReplyAction,
    push: Vec<u8>,
    topology: Option<Topology>,
    hello: bool,
}

#[derive(Debug)]
enum Pending {
    /// A forwarded command awaiting its reply.
    Command {
        /// The command's entry in the connection's stats.
        stat: u32,
        started: Instant,
        /// `None`: forward the reply as it comes (the common case, kept
        /// small: a long pipeline queues one of these per command).
        plan: Option<Box<Plan>>,
    },
    /// A reply the proxy makes itself, sent when its turn comes.
    Injected {
        stat: Option<u32>,
        started: Instant,
        bytes: Vec<u8>,
        at: Option<Instant>,
        then_close: bool,
    },
    /// Replies stop being paired here.
    StopPairing,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Push,
    Unpaired,
    Paired(ReplyAction),
}

/// The reply frame being received.
#[derive(Debug)]
struct Current {
    kind: Kind,
    at: Option<Instant>,
    /// Bytes of the frame forwarded so far.
    sent: usize,
    /// Forward only when complete (to rewrite it, or to cut it in half).
    whole: bool,
    topology: Option<Topology>,
}

/// What becomes of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// Forward it now.
    Now,
    /// Forward it at this time (and everything behind it no earlier).
    At(Instant),
    /// Do not forward it.
    Not,
}

/// A run of consecutive bytes of a buffer to forward at once.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
}

impl Span {
    fn at(pos: usize) -> Span {
        Span {
            start: pos,
            end: pos,
        }
    }

    /// Adds `start..end`, pushing the run so far first if it does not
    /// adjoin.
    fn extend(
        &mut self,
        start: usize,
        end: usize,
        buf: &[u8],
        out: &mut Outbound,
        now: Instant,
        rng: &mut Rng,
    ) {
        if self.end != start {
            self.flush(buf, out, now, rng);
            self.start = start;
        }
        self.end = end;
    }

    /// Pushes the run and starts an empty one after it.
    fn flush(&mut self, buf: &[u8], out: &mut Outbound, now: Instant, rng: &mut Rng) {
        if self.end > self.start {
            out.push(&buf[self.start..self.end], None, now, rng);
        }
        self.start = self.end;
    }
}

/// How far the connection is from closing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Closing {
    Open,
    /// Once the replies queued so far are written.
    AfterReplies,
    Now(Ending),
}

/// One connection's state; see the [module documentation](self).
#[derive(Debug)]
pub(crate) struct Session {
    peer: SocketAddr,
    upstream: SocketAddr,
    faults: Arc<FaultSet>,
    rng: Rng,
    requests: RequestDecoder,
    request_buf: Vec<u8>,
    /// Requests are no longer decoded (a malformed one was seen while
    /// unpaired): they are passed on as they come.
    requests_raw: bool,
    /// A malformed request was answered: nothing more is read from the
    /// client.
    client_done: bool,
    /// Bytes at the start of `request_buf` already forwarded (a request
    /// still arriving, passed on as it came).
    request_sent: usize,
    /// Replies are still paired with commands.
    pairing: bool,
    replies: Decoder,
    reply_buf: Vec<u8>,
    replies_raw: bool,
    current: Option<Current>,
    pending: VecDeque<Pending>,
    /// After `drop_reply`: later replies are held back (discarded).
    held: bool,
    db: i64,
    resp3: bool,
    to_server: Outbound,
    to_client: Outbound,
    closing: Closing,
    /// Cluster-aware mode: rewrite addresses in replies.
    rewrite: bool,
}

impl Session {
    pub(crate) fn new(
        peer: SocketAddr,
        upstream: SocketAddr,
        faults: Arc<FaultSet>,
        seed: u64,
        rewrite: bool,
        now: Instant,
    ) -> Session {
        let mut session = Session {
            peer,
            upstream,
            faults: Arc::default(),
            rng: Rng::new(seed),
            requests: RequestDecoder::new(),
            request_buf: Vec::new(),
            requests_raw: false,
            client_done: false,
            request_sent: 0,
            pairing: true,
            replies: Decoder::new(),
            reply_buf: Vec::new(),
            replies_raw: false,
            current: None,
            pending: VecDeque::new(),
            held: false,
            db: 0,
            resp3: false,
            to_server: Outbound::new(Stream::Upstream),
            to_client: Outbound::new(Stream::Downstream),
            closing: Closing::Open,
            rewrite,
        };
        session.set_faults(faults, now);
        session
    }

    /// Applies a new fault set: rules from the next request on, toxics
    /// from now (new toxics start afresh on this connection).
    pub(crate) fn set_faults(&mut self, faults: Arc<FaultSet>, now: Instant) {
        self.to_server
            .set_toxics(&faults.toxics, now, &mut self.rng);
        self.to_client
            .set_toxics(&faults.toxics, now, &mut self.rng);
        if faults.down {
            self.closing = Closing::Now(Ending::Close);
        }
        self.faults = faults;
    }

    fn out(&mut self, side: Side) -> &mut Outbound {
        match side {
            Side::Client => &mut self.to_client,
            Side::Server => &mut self.to_server,
        }
    }

    /// Whether the driver should read from `side` now.
    pub(crate) fn wants_read(&self, side: Side) -> bool {
        if self.closing != Closing::Open {
            return false;
        }
        match side {
            // Replies the proxy makes itself pile up too when the client
            // does not read them.
            Side::Client => {
                !self.client_done
                    && !self.to_server.source_ended()
                    && !self.to_server.is_full()
                    && !self.to_client.is_full()
            }
            Side::Server => !self.to_client.source_ended() && !self.to_client.is_full(),
        }
    }

    /// The bytes that may be written to `side` now.
    pub(crate) fn next_chunk(&mut self, side: Side, now: Instant) -> Option<&[u8]> {
        if matches!(self.closing, Closing::Now(_)) {
            return None;
        }
        let n = match self.out(side).ready_len(now) {
            Ok(n) => n,
            Err(fate) => {
                self.end(fate);
                return None;
            }
        };
        if n == 0 {
            return None;
        }
        Some(match side {
            Side::Client => self.to_client.front(n),
            Side::Server => self.to_server.front(n),
        })
    }

    /// Records that `n` bytes of [`Self::next_chunk`]'s were written.
    pub(crate) fn sent(&mut self, side: Side, n: usize, now: Instant) {
        if let Err(fate) = self.out(side).sent(n, now) {
            self.end(fate);
        }
    }

    fn end(&mut self, fate: Fate) {
        let ending = match fate {
            Fate::Close => Ending::Close,
            Fate::Reset => Ending::Reset,
        };
        if !matches!(self.closing, Closing::Now(_)) {
            self.closing = Closing::Now(ending);
        }
    }

    /// How the connection must end now, if it must.
    pub(crate) fn close(&mut self, now: Instant) -> Option<Ending> {
        for side in [Side::Client, Side::Server] {
            if let Some(fate) = self.out(side).fate(now) {
                self.end(fate);
            }
        }
        match self.closing {
            Closing::Now(ending) => Some(ending),
            Closing::AfterReplies if self.to_client.is_empty() => Some(Ending::Close),
            _ => None,
        }
    }

    /// True once when the end of the stream towards `side` should be
    /// passed on (shut down writing to it).
    pub(crate) fn take_eof(&mut self, side: Side, now: Instant) -> bool {
        self.out(side).take_eof(now)
    }

    /// Whether both streams have ended and been passed on.
    pub(crate) fn is_done(&self) -> bool {
        self.to_server.eof_passed() && self.to_client.eof_passed()
    }

    /// The next time something may happen without new input.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        match (self.to_server.deadline(), self.to_client.deadline()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// The client closed its side.
    pub(crate) fn client_closed(&mut self, now: Instant) {
        self.to_server.source_closed(now);
    }

    /// The server closed its side.
    pub(crate) fn server_closed(&mut self, now: Instant) {
        self.to_client.source_closed(now);
    }

    // ----- requests -----

    /// Takes bytes from the client.
    pub(crate) fn handle_client(&mut self, data: &[u8], now: Instant, ctx: &mut Ctx<'_>) {
        if self.closing != Closing::Open || self.client_done {
            return;
        }
        if self.requests_raw {
            self.to_server.push(data, None, now, &mut self.rng);
            return;
        }
        if self.request_buf.is_empty() {
            let used = self.take_requests(data, now, ctx);
            self.request_buf.extend_from_slice(&data[used..]);
        } else {
            let mut buf = std::mem::take(&mut self.request_buf);
            buf.extend_from_slice(data);
            let used = self.take_requests(&buf, now, ctx);
            buf.drain(..used);
            self.request_buf = buf;
        }
        self.emit_injected(now, ctx);
    }

    /// Handles every complete request in `buf`; returns the bytes used.
    ///
    /// Requests forwarded at once are pushed in runs (one copy per run,
    /// not per request); anything else ends the run first, so order holds.
    ///
    /// With no rule in force, bytes are forwarded as they come, a request
    /// still arriving included (as a plain TCP proxy would: a cut then
    /// lands while the client is still writing). With rules, a request is
    /// held until complete, since its keys decide. A request whose start
    /// was forwarded before rules came in goes on unchanged.
    fn take_requests(&mut self, buf: &[u8], now: Instant, ctx: &mut Ctx<'_>) -> usize {
        // The first `sent` bytes of `buf` were forwarded already.
        let sent = self.request_sent;
        let streaming = self.faults.rules.is_empty();
        let mut start = 0;
        let mut run = Span::at(sent);
        while start < buf.len() && self.closing == Closing::Open && !self.client_done {
            match self.requests.decode(&buf[start..]) {
                Ok(Status::Complete((args, used))) => {
                    let end = start + used;
                    let committed = start < sent;
                    let from = start.max(sent).min(end);
                    match self.on_request(&args, !committed, now, ctx) {
                        Route::Now => {
                            run.extend(from, end, buf, &mut self.to_server, now, &mut self.rng)
                        }
                        Route::At(at) => {
                            run.flush(buf, &mut self.to_server, now, &mut self.rng);
                            self.to_server
                                .push(&buf[from..end], Some(at), now, &mut self.rng);
                        }
                        Route::Not => run.flush(buf, &mut self.to_server, now, &mut self.rng),
                    }
                    start = end;
                }
                Ok(Status::Partial) => break,
                Err(e) => {
                    run.flush(buf, &mut self.to_server, now, &mut self.rng);
                    let from = start.max(sent);
                    self.malformed(&buf[from..], &e, now);
                    self.request_sent = 0;
                    return buf.len();
                }
            }
        }
        if self.closing != Closing::Open || self.client_done {
            self.request_sent = 0;
            return buf.len();
        }
        if streaming && start < buf.len() {
            // The request still arriving goes on now.
            run.extend(
                start.max(sent),
                buf.len(),
                buf,
                &mut self.to_server,
                now,
                &mut self.rng,
            );
        }
        run.flush(buf, &mut self.to_server, now, &mut self.rng);
        self.request_sent = run.end.max(sent).saturating_sub(start);
        start
    }

    /// A request that does not decode: answered with an error in its turn,
    /// then the connection closes (unpaired, the bytes go on unchanged).
    fn malformed(&mut self, rest: &[u8], error: &resp_core::Error, now: Instant) {
        if !self.pairing {
            self.requests_raw = true;
            self.to_server.push(rest, None, now, &mut self.rng);
            return;
        }
        self.client_done = true;
        log::warn!(
            "client {}: malformed request ({error}); disconnecting it",
            self.peer
        );
        let reply = format!("-ERR Protocol error: {error} (redis-proxy)\r\n");
        self.pending.push_back(Pending::Injected {
            stat: None,
            started: now,
            bytes: reply.into_bytes(),
            at: None,
            then_close: true,
        });
    }

    /// Decides what becomes of one request (and queues what its reply
    /// needs); the caller forwards it as told.
    fn on_request(
        &mut self,
        args: &[Cow<'_, [u8]>],
        rules: bool,
        now: Instant,
        ctx: &mut Ctx<'_>,
    ) -> Route {
        let Some(first) = args.first() else {
            return Route::Not;
        };
        let stat = ctx.stats.command_raw(first);
        if !self.pairing {
            return Route::Now;
        }
        let is = |s: &str| first.eq_ignore_ascii_case(s.as_bytes());
        let arg_is = |i: usize, s: &str| {
            args.get(i)
                .is_some_and(|a| a.eq_ignore_ascii_case(s.as_bytes()))
        };
        if changes_mode(args) {
            let upper = first.to_ascii_uppercase();
            let subscription = upper.ends_with(b"SUBSCRIBE");
            let only_pushes = self.resp3
                && subscription
                && (args.len() > 1 || upper.starts_with(b"UN") || upper[1..].starts_with(b"UN"));
            if !only_pushes {
                self.stop_pairing();
            }
            // RESP3 subscriptions: confirmations and messages are pushes.
            return Route::Now;
        }
        if silences_replies(args) {
            self.stop_pairing();
            return Route::Now;
        }
        let hello = is("HELLO");
        if hello {
            if arg_is(1, "3") {
                self.resp3 = true;
            } else if arg_is(1, "2") {
                self.resp3 = false;
            }
        }
        let topology = if self.rewrite {
            rewrite::topology(args)
        } else {
            None
        };
        let decision = if rules { self.decide(args) } else { None };
        if is("SELECT") {
            if let Some(db) = args
                .get(1)
                .and_then(|a| std::str::from_utf8(a).ok()?.parse().ok())
            {
                self.db = db;
            }
        }
        let mut plan = Plan {
            delay: Duration::ZERO,
            action: ReplyAction::Forward,
            push: Vec::new(),
            topology,
            hello,
        };
        let Some(decision) = decision else {
            self.pending.push_back(Pending::Command {
                stat,
                started: now,
                plan: (hello || topology.is_some()).then(|| Box::new(plan)),
            });
            return Route::Now;
        };
        let request_at = (!decision.request_delay.is_zero()).then(|| now + decision.request_delay);
        plan.delay = decision.reply_delay;
        plan.push = decision.push;
        plan.action = match decision.action {
            Action::CloseBefore => {
                self.closing = Closing::Now(Ending::Close);
                return Route::Not;
            }
            Action::Error(mut bytes) => {
                let at = request_at.unwrap_or(now) + plan.delay;
                if !plan.push.is_empty() {
                    let mut framed = std::mem::take(&mut plan.push);
                    framed.append(&mut bytes);
                    bytes = framed;
                }
                self.pending.push_back(Pending::Injected {
                    stat: Some(stat),
                    started: now,
                    bytes,
                    at: (at > now).then_some(at),
                    then_close: false,
                });
                return Route::Not;
            }
            Action::None => ReplyAction::Forward,
            Action::DropReply => ReplyAction::Drop,
            Action::CloseAfter => ReplyAction::CloseAfter,
            Action::TruncateReply(n) => ReplyAction::Truncate(n),
        };
        self.pending.push_back(Pending::Command {
            stat,
            started: now,
            plan: Some(Box::new(plan)),
        });
        request_at.map_or(Route::Now, Route::At)
    }

    fn stop_pairing(&mut self) {
        self.pending.push_back(Pending::StopPairing);
        self.pairing = false;
    }

    /// Runs the rules on one request; `None` when none fired.
    fn decide(&mut self, args: &[Cow<'_, [u8]>]) -> Option<Decision> {
        if self.faults.rules.is_empty() {
            return None;
        }
        let name = Name::new(&args[0]);
        let name = name.as_bytes();
        let faults = Arc::clone(&self.faults);
        let argv: Vec<&[u8]> = args.iter().map(|a| &a[..]).collect();
        let keys: Vec<&[u8]> = if faults.needs_keys {
            key_positions(&argv).into_iter().map(|i| argv[i]).collect()
        } else {
            Vec::new()
        };
        let view = RequestView {
            name,
            keys: &keys,
            db: self.db,
            peer: self.peer,
        };
        let mut decision: Option<Decision> = None;
        for rule in &faults.rules {
            if rule.selects(&view) && rule.fires(&mut self.rng) {
                let delay = rule.draw_delay(&mut self.rng);
                log::info!(
                    "fault {:?}: {} on {} from {}",
                    rule.name(),
                    rule.describe(),
                    String::from_utf8_lossy(name),
                    self.peer
                );
                decision
                    .get_or_insert_with(Decision::default)
                    .add(rule, delay);
            }
        }
        decision
    }

    /// Sends the proxy's own replies whose turn has come.
    fn emit_injected(&mut self, now: Instant, ctx: &mut Ctx<'_>) {
        while self.current.is_none()
            && matches!(self.pending.front(), Some(Pending::Injected { .. }))
        {
            let Some(Pending::Injected {
                stat,
                started,
                bytes,
                at,
                then_close,
            }) = self.pending.pop_front()
            else {
                unreachable!("checked above");
            };
            self.to_client.push(&bytes, at, now, &mut self.rng);
            if let Some(stat) = stat {
                ctx.stats
                    .reply(stat, at.unwrap_or(now).saturating_duration_since(started));
            }
            if then_close {
                self.closing = Closing::AfterReplies;
                self.pending.clear();
            }
        }
    }

    // ----- replies -----

    /// Takes bytes from the server.
    pub(crate) fn handle_server(&mut self, data: &[u8], now: Instant, ctx: &mut Ctx<'_>) {
        if self.closing != Closing::Open || self.held {
            return;
        }
        if self.replies_raw {
            self.to_client.push(data, None, now, &mut self.rng);
            return;
        }
        if self.reply_buf.is_empty() {
            let used = self.take_replies(data, now, ctx);
            if used < data.len() {
                self.reply_buf.extend_from_slice(&data[used..]);
            }
        } else {
            let mut buf = std::mem::take(&mut self.reply_buf);
            buf.extend_from_slice(data);
            let used = self.take_replies(&buf, now, ctx);
            buf.drain(..used);
            self.reply_buf = buf;
        }
    }

    /// Handles the reply frames in `buf` (which starts at a frame, or at
    /// the frame in progress); returns the bytes of complete frames.
    fn take_replies(&mut self, buf: &[u8], now: Instant, ctx: &mut Ctx<'_>) -> usize {
        let mut start = 0;
        loop {
            self.emit_injected(now, ctx);
            if self.closing != Closing::Open || self.held {
                return buf.len();
            }
            if start == buf.len() {
                return start;
            }
            // Dropping pub/sub messages needs frames told apart even once
            // replies can no longer be paired (a subscriber's stream).
            let framing = ctx
                .dropped
                .is_some_and(|d| d.active.load(std::sync::atomic::Ordering::SeqCst));
            if self.current.is_none() && !self.begin_frame(buf[start], now, framing) {
                // Unpairable from here on: pass everything on as is.
                self.replies_raw = true;
                self.to_client.push(&buf[start..], None, now, &mut self.rng);
                return buf.len();
            }
            match self.replies.decode(&buf[start..]) {
                Ok(Status::Complete((frame, used))) => {
                    self.finish_frame(&buf[start..start + used], frame, now, ctx);
                    start += used;
                }
                Ok(Status::Partial) => {
                    self.partial_frame(&buf[start..], now, ctx);
                    return start;
                }
                Err(e) => {
                    log::warn!(
                        "upstream {}: undecodable reply ({e}); forwarding unpaired from here",
                        self.upstream
                    );
                    let sent = self.current.take().map_or(0, |c| c.sent);
                    self.replies_raw = true;
                    self.pairing = false;
                    self.pending.clear();
                    self.to_client
                        .push(&buf[start + sent..], None, now, &mut self.rng);
                    return buf.len();
                }
            }
        }
    }

    /// Starts a frame whose first byte is `first`; false when replies can
    /// no longer be paired.
    /// With `framing`, frames that can no longer be paired are still
    /// handled one by one (as unpaired frames) rather than passed on raw.
    fn begin_frame(&mut self, first: u8, now: Instant, framing: bool) -> bool {
        let error = first == b'-';
        let (kind, at, whole, topology) = if first == b'>' {
            (Kind::Push, None, false, None)
        } else {
            match self.pending.front() {
                None => (Kind::Unpaired, None, self.rewrite && error, None),
                Some(Pending::StopPairing) if framing => {
                    self.pending.clear();
                    self.pairing = false;
                    (Kind::Unpaired, None, false, None)
                }
                Some(Pending::StopPairing) | Some(Pending::Injected { .. }) => {
                    self.pending.clear();
                    self.pairing = false;
                    return false;
                }
                Some(Pending::Command { plan: None, .. }) => (
                    Kind::Paired(ReplyAction::Forward),
                    None,
                    self.rewrite && error,
                    None,
                ),
                Some(Pending::Command {
                    plan: Some(plan), ..
                }) => {
                    let at = (!plan.delay.is_zero()).then(|| now + plan.delay);
                    let whole = plan.topology.is_some()
                        || (self.rewrite && error)
                        || plan.action == ReplyAction::Truncate(None);
                    let push = (!plan.push.is_empty()).then(|| plan.push.clone());
                    let (action, topology) = (plan.action, plan.topology);
                    if let Some(push) = push {
                        self.to_client.push(&push, at, now, &mut self.rng);
                    }
                    (Kind::Paired(action), at, whole, topology)
                }
            }
        };
        self.current = Some(Current {
            kind,
            at,
            sent: 0,
            whole,
            topology,
        });
        true
    }

    /// Forwards what may be forwarded of a frame still arriving.
    fn partial_frame(&mut self, frame: &[u8], now: Instant, ctx: &Ctx<'_>) {
        let Some(current) = self.current.as_mut() else {
            return;
        };
        if current.whole {
            return;
        }
        // A message that may have to be dropped is judged whole.
        let judged = ctx
            .dropped
            .is_some_and(|d| d.active.load(std::sync::atomic::Ordering::SeqCst));
        if judged && matches!(current.kind, Kind::Push | Kind::Unpaired) {
            return;
        }
        let limit = match current.kind {
            Kind::Push | Kind::Unpaired | Kind::Paired(ReplyAction::Forward) => frame.len(),
            Kind::Paired(ReplyAction::Truncate(Some(n))) => frame.len().min(n as usize),
            Kind::Paired(_) => return,
        };
        if limit > current.sent {
            let (from, at) = (current.sent, current.at);
            current.sent = limit;
            self.to_client
                .push(&frame[from..limit], at, now, &mut self.rng);
        }
    }

    fn finish_frame(&mut self, bytes: &[u8], frame: Frame<'_>, now: Instant, ctx: &mut Ctx<'_>) {
        let Some(current) = self.current.take() else {
            return;
        };
        let rest = &bytes[current.sent..];
        let addrs = ctx.addrs;
        let forward = |s: &mut Session, frame: Frame<'_>| {
            let rewritten = match (current.whole, addrs) {
                (true, Some(addrs)) => rewrite::rewrite(frame, current.topology, s.upstream, addrs),
                _ => None,
            };
            let out = rewritten.as_deref().unwrap_or(rest);
            s.to_client.push(out, current.at, now, &mut s.rng);
        };
        let unpaired = matches!(current.kind, Kind::Push | Kind::Unpaired);
        if unpaired && current.sent == 0 && ctx.dropped.is_some_and(|d| d.drops(&frame)) {
            return;
        }
        match current.kind {
            Kind::Push => {
                ctx.stats.pushes += 1;
                self.to_client.push(rest, current.at, now, &mut self.rng);
            }
            Kind::Unpaired => forward(self, frame),
            Kind::Paired(action) => {
                let Some(Pending::Command {
                    stat,
                    started,
                    plan,
                }) = self.pending.pop_front()
                else {
                    unreachable!("a paired frame has its command");
                };
                let delay = plan.as_ref().map_or(Duration::ZERO, |p| p.delay);
                ctx.stats
                    .reply(stat, now.saturating_duration_since(started) + delay);
                if plan.is_some_and(|p| p.hello) && !frame.is_error() {
                    self.resp3 = matches!(frame, Frame::Map(_));
                }
                match action {
                    ReplyAction::Forward => forward(self, frame),
                    ReplyAction::Drop => {
                        // Nothing is paired any more: later commands
                        // queue nothing.
                        self.held = true;
                        self.pairing = false;
                        self.pending.clear();
                    }
                    ReplyAction::CloseAfter => self.closing = Closing::AfterReplies,
                    ReplyAction::Truncate(n) => {
                        let keep = n.map_or(bytes.len() / 2, |n| (n as usize).min(bytes.len()));
                        if keep > current.sent {
                            self.to_client.push(
                                &bytes[current.sent..keep],
                                current.at,
                                now,
                                &mut self.rng,
                            );
                        }
                        self.closing = Closing::AfterReplies;
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests;
