//! One direction's output: bytes waiting to be written, each with the
//! earliest time it may go, and the toxics of that direction (sans-IO).
//!
//! Call order, for the driver: [`Outbound::push`] what the session
//! forwards; while [`Outbound::next_chunk`] has bytes, write them and
//! report [`Outbound::sent`]; sleep until [`Outbound::deadline`]. Order
//! is always kept: a chunk never leaves before one pushed earlier.
//!
//! Toxics act in a fixed order: `timeout` and `reset_peer` take data as it
//! is pushed (and drop it); `latency` and `slicer` set when it may leave;
//! `bandwidth` and `limit_data` meter it as it is written; `slow_close`
//! delays passing on the end of the stream.

use std::collections::VecDeque;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::rng::Rng;
use crate::toxic::{ms, Stream, Toxic, ToxicKind};

/// Queued bytes above which the session stops reading the source.
pub(crate) const HIGH_WATER: usize = 4 << 20;

/// The bandwidth toxic meters writes in slices of this much time.
const BANDWIDTH_SLICE: Duration = Duration::from_millis(10);

/// How far the bandwidth toxic catches up after a late wake-up (as
/// Toxiproxy's 100 ms chunks): the rate holds on average on a busy
/// machine, with bursts of at most this much data.
const BANDWIDTH_CATCH_UP: Duration = Duration::from_millis(100);

/// What a toxic does to the connection when its time comes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    /// Close both sides (`limit_data`, `timeout`).
    Close,
    /// Reset the client's connection (`reset_peer`).
    Reset,
}

#[derive(Debug)]
struct Seg {
    data: Vec<u8>,
    /// Bytes of `data` already written.
    off: usize,
    /// Not before this time (`None`: at once).
    at: Option<Instant>,
    /// Written on its own (a slicer slice): nothing is appended to it.
    sealed: bool,
}

#[derive(Debug)]
enum State {
    Plain,
    /// `limit_data`: bytes still allowed.
    Limit(u64),
    /// `timeout`: close at this time (`None`: never).
    Timeout(Option<Instant>),
    /// `reset_peer`: reset at this time, once data came.
    Reset(Option<Instant>),
}

#[derive(Debug)]
struct Active {
    toxic: Arc<Toxic>,
    /// Whether this connection drew the toxic (toxicity).
    on: bool,
    state: State,
}

/// The end of the source stream, as it travels through the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Eof {
    Open,
    /// Seen; pass it on once the queue is empty and this time has come.
    Seen(Instant),
    /// Passed on.
    Passed,
}

/// One direction's queue and toxics.
#[derive(Debug)]
pub(crate) struct Outbound {
    stream: Stream,
    segs: VecDeque<Seg>,
    /// A written-out buffer kept for reuse.
    spare: Vec<u8>,
    /// The latest release time queued: nothing may leave before it.
    floor: Option<Instant>,
    queued: usize,
    toxics: Vec<Active>,
    /// `bandwidth`: the next write may not start before this.
    bandwidth_next: Option<Instant>,
    eof: Eof,
    /// A timeout toxic dropped data or a toxic with a fate was removed.
    fate: Option<Fate>,
}

impl Outbound {
    pub(crate) fn new(stream: Stream) -> Outbound {
        Outbound {
            stream,
            segs: VecDeque::new(),
            spare: Vec::new(),
            floor: None,
            queued: 0,
            toxics: Vec::new(),
            bandwidth_next: None,
            eof: Eof::Open,
            fate: None,
        }
    }

    /// Whether so much is queued that the source should not be read.
    pub(crate) fn is_full(&self) -> bool {
        self.queued >= HIGH_WATER
    }

    /// Whether nothing is queued.
    pub(crate) fn is_empty(&self) -> bool {
        self.segs.is_empty()
    }

    /// Brings the toxics in line with `toxics` (all of the proxy's): new
    /// ones start now (drawing their toxicity), removed ones stop.
    pub(crate) fn set_toxics(&mut self, toxics: &[Arc<Toxic>], now: Instant, rng: &mut Rng) {
        let mut next = Vec::new();
        for toxic in toxics.iter().filter(|t| t.stream == self.stream) {
            if matches!(toxic.kind, ToxicKind::Down) {
                continue;
            }
            if let Some(pos) = self.toxics.iter().position(|a| a.toxic.id == toxic.id) {
                next.push(self.toxics.swap_remove(pos));
                continue;
            }
            let on = toxic.toxicity >= 1.0 || rng.unit() < toxic.toxicity;
            if on {
                toxic.note_applied();
                log::info!(
                    "toxic {:?}: {} {} on a connection",
                    toxic.name(),
                    toxic.kind.type_name(),
                    self.stream.as_str()
                );
            }
            let state = match toxic.kind {
                ToxicKind::LimitData { bytes } => State::Limit(bytes),
                ToxicKind::Timeout { timeout } => {
                    State::Timeout((timeout > 0).then(|| now + ms(timeout)))
                }
                ToxicKind::ResetPeer { .. } => State::Reset(None),
                _ => State::Plain,
            };
            next.push(Active {
                toxic: Arc::clone(toxic),
                on,
                state,
            });
        }
        // Toxiproxy closes the connections a removed `timeout` was on:
        // data it dropped leaves the stream broken.
        for removed in &self.toxics {
            if removed.on && matches!(removed.toxic.kind, ToxicKind::Timeout { .. }) {
                self.fate.get_or_insert(Fate::Close);
            }
        }
        self.toxics = next;
        if !self
            .toxics
            .iter()
            .any(|a| a.on && matches!(a.toxic.kind, ToxicKind::Bandwidth { .. }))
        {
            self.bandwidth_next = None;
        }
    }

    fn active(&self) -> impl Iterator<Item = &Active> {
        self.toxics.iter().filter(|a| a.on)
    }

    /// Queues `data` to leave no earlier than `at` (`None`: now), after
    /// everything queued before.
    pub(crate) fn push(&mut self, data: &[u8], at: Option<Instant>, now: Instant, rng: &mut Rng) {
        if data.is_empty() {
            return;
        }
        // `timeout` and `reset_peer` swallow the data.
        let mut swallowed = false;
        for active in self.toxics.iter_mut().filter(|a| a.on) {
            match (&mut active.state, active.toxic.kind) {
                (State::Timeout(deadline), ToxicKind::Timeout { timeout }) => {
                    swallowed = true;
                    if timeout > 0 {
                        *deadline = Some(now + ms(timeout));
                    }
                }
                (State::Reset(at), ToxicKind::ResetPeer { timeout }) => {
                    swallowed = true;
                    at.get_or_insert(now + ms(timeout));
                }
                _ => {}
            }
        }
        if swallowed {
            return;
        }
        let mut at = at;
        let mut slicer = None;
        for active in self.active() {
            match active.toxic.kind {
                ToxicKind::Latency { latency, jitter } => {
                    let mut delay = latency as i64;
                    if jitter > 0 {
                        delay += rng.below(jitter * 2) as i64 - jitter as i64;
                    }
                    let base = at.unwrap_or(now);
                    at = Some(base + ms(delay.max(0) as u64));
                }
                ToxicKind::Slicer {
                    average_size,
                    size_variation,
                    delay,
                } if slicer.is_none() => slicer = Some((average_size, size_variation, delay)),
                _ => {}
            }
        }
        if let (Some(floor), Some(t)) = (self.floor, at) {
            at = Some(t.max(floor));
        } else if at.is_none() {
            at = self.floor.filter(|floor| *floor > now);
        }
        match slicer {
            Some((average, variation, delay)) => {
                let mut cuts = Vec::new();
                slice_points(
                    0,
                    data.len(),
                    average as usize,
                    variation as usize,
                    rng,
                    &mut cuts,
                );
                let mut start = 0;
                let mut when = at.unwrap_or(now);
                for end in cuts {
                    self.push_seg(&data[start..end], Some(when), true);
                    when += Duration::from_micros(delay);
                    start = end;
                }
            }
            None => self.push_seg(data, at, false),
        }
    }

    fn push_seg(&mut self, data: &[u8], at: Option<Instant>, sealed: bool) {
        if let Some(t) = at {
            self.floor = Some(self.floor.map_or(t, |f| f.max(t)));
        }
        self.queued += data.len();
        if let Some(last) = self.segs.back_mut() {
            if !sealed && !last.sealed && last.at == at {
                last.data.extend_from_slice(data);
                return;
            }
        }
        let mut buf = std::mem::take(&mut self.spare);
        buf.clear();
        buf.extend_from_slice(data);
        self.segs.push_back(Seg {
            data: buf,
            off: 0,
            at,
            sealed,
        });
    }

    /// The bytes that may be written now, if any.
    ///
    /// # Errors
    ///
    /// The connection's fate when a toxic ends it (`limit_data` with data
    /// left to send, or a timer that fired).
    #[cfg(test)]
    pub(crate) fn next_chunk(&mut self, now: Instant) -> Result<Option<&[u8]>, Fate> {
        let n = self.ready_len(now)?;
        Ok((n > 0).then(|| self.front(n)))
    }

    /// How many bytes may be written now (0: none yet).
    ///
    /// # Errors
    ///
    /// As [`Self::next_chunk`].
    pub(crate) fn ready_len(&mut self, now: Instant) -> Result<usize, Fate> {
        self.check(now)?;
        let Some(seg) = self.segs.front() else {
            return Ok(0);
        };
        if seg.at.is_some_and(|at| at > now) {
            return Ok(0);
        }
        let mut allowed = seg.data.len() - seg.off;
        for active in self.toxics.iter().filter(|a| a.on) {
            match (&active.state, active.toxic.kind) {
                (State::Limit(0), _) => return Err(Fate::Close),
                (State::Limit(left), _) => allowed = allowed.min(*left as usize),
                (_, ToxicKind::Bandwidth { rate }) if rate > 0 => {
                    if self.bandwidth_next.is_some_and(|next| next > now) {
                        return Ok(0);
                    }
                    let per_slice =
                        (rate as u128 * 1000 * BANDWIDTH_SLICE.as_millis() / 1000).max(1) as usize;
                    allowed = allowed.min(per_slice);
                }
                _ => {}
            }
        }
        Ok(allowed)
    }

    /// The first `n` bytes waiting (`n` from [`Self::ready_len`]).
    pub(crate) fn front(&self, n: usize) -> &[u8] {
        let seg = self.segs.front().expect("ready_len found a segment");
        &seg.data[seg.off..seg.off + n]
    }

    /// Records that `n` bytes of [`Self::next_chunk`]'s were written.
    ///
    /// # Errors
    ///
    /// [`Fate::Close`] when a `limit_data` toxic's budget is now spent.
    pub(crate) fn sent(&mut self, n: usize, now: Instant) -> Result<(), Fate> {
        self.queued -= n;
        if let Some(seg) = self.segs.front_mut() {
            seg.off += n;
            if seg.off == seg.data.len() {
                let seg = self.segs.pop_front().expect("front exists");
                if seg.data.capacity() <= 1 << 20 {
                    self.spare = seg.data;
                }
            }
        }
        let mut spent = false;
        for active in self.toxics.iter_mut().filter(|a| a.on) {
            match (&mut active.state, active.toxic.kind) {
                (State::Limit(left), _) => {
                    *left = left.saturating_sub(n as u64);
                    spent |= *left == 0;
                }
                (_, ToxicKind::Bandwidth { rate }) if rate > 0 => {
                    let start = self.bandwidth_next.map_or(now, |next| {
                        next.max(now.checked_sub(BANDWIDTH_CATCH_UP).unwrap_or(now))
                    });
                    let secs = n as f64 / (rate as f64 * 1000.0);
                    self.bandwidth_next = Some(start + Duration::from_secs_f64(secs));
                }
                _ => {}
            }
        }
        if spent {
            Err(Fate::Close)
        } else {
            Ok(())
        }
    }

    /// The fate due by `now`, if any.
    fn check(&mut self, now: Instant) -> Result<(), Fate> {
        if let Some(fate) = self.fate {
            return Err(fate);
        }
        for active in self.active() {
            match active.state {
                State::Timeout(Some(deadline)) if deadline <= now => return Err(Fate::Close),
                State::Reset(Some(at)) if at <= now => return Err(Fate::Reset),
                _ => {}
            }
        }
        Ok(())
    }

    /// Whether a toxic's timer has fired.
    pub(crate) fn fate(&mut self, now: Instant) -> Option<Fate> {
        self.check(now).err()
    }

    /// The next time something may change without new input.
    pub(crate) fn deadline(&self) -> Option<Instant> {
        let mut next: Option<Instant> = None;
        let mut consider = |t: Option<Instant>| {
            if let Some(t) = t {
                next = Some(next.map_or(t, |n| n.min(t)));
            }
        };
        if let Some(seg) = self.segs.front() {
            consider(seg.at);
            consider(self.bandwidth_next);
        }
        for active in self.active() {
            match active.state {
                State::Timeout(deadline) => consider(deadline),
                State::Reset(at) => consider(at),
                _ => {}
            }
        }
        if let Eof::Seen(at) = self.eof {
            if self.segs.is_empty() {
                consider(Some(at));
            }
        }
        next
    }

    /// The source ended: pass the end on after the queue, late by
    /// `slow_close`'s delay.
    pub(crate) fn source_closed(&mut self, now: Instant) {
        if self.eof != Eof::Open {
            return;
        }
        let delay = self
            .active()
            .map(|a| match a.toxic.kind {
                ToxicKind::SlowClose { delay } => ms(delay),
                _ => Duration::ZERO,
            })
            .max()
            .unwrap_or_default();
        self.eof = Eof::Seen(now + delay);
    }

    /// Whether the source has ended.
    pub(crate) fn source_ended(&self) -> bool {
        self.eof != Eof::Open
    }

    /// True once, when the end of the stream should be passed on now.
    pub(crate) fn take_eof(&mut self, now: Instant) -> bool {
        match self.eof {
            Eof::Seen(at) if at <= now && self.segs.is_empty() => {
                self.eof = Eof::Passed;
                true
            }
            _ => false,
        }
    }

    /// Whether the end of the stream was passed on.
    pub(crate) fn eof_passed(&self) -> bool {
        self.eof == Eof::Passed
    }
}

/// Toxiproxy's slicer: halve `start..end` around its middle (moved by up
/// to `variation`) until pieces are within `variation` of `average`;
/// pushes the end of every piece.
fn slice_points(
    start: usize,
    end: usize,
    average: usize,
    variation: usize,
    rng: &mut Rng,
    out: &mut Vec<usize>,
) {
    // An explicit stack: a large chunk with a tiny average goes deep.
    let mut stack = vec![(start, end)];
    while let Some((start, end)) = stack.pop() {
        if (end - start).saturating_sub(average) <= variation || end - start < 2 {
            out.push(end);
            continue;
        }
        let mut mid = start + (end - start) / 2;
        if variation > 0 {
            let shift = rng.below(variation as u64 * 2) as i64 - variation as i64;
            mid = (mid as i64 + shift).clamp(start as i64 + 1, end as i64 - 1) as usize;
        }
        stack.push((mid, end));
        stack.push((start, mid));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toxic(kind: ToxicKind) -> Arc<Toxic> {
        Arc::new(Toxic::new("t", kind, Stream::Downstream))
    }

    fn drain(out: &mut Outbound, now: Instant) -> Vec<u8> {
        let mut got = Vec::new();
        while let Ok(Some(chunk)) = out.next_chunk(now) {
            let chunk = chunk.to_vec();
            got.extend_from_slice(&chunk);
            if out.sent(chunk.len(), now).is_err() {
                break;
            }
        }
        got
    }

    #[test]
    fn plain_data_goes_at_once_in_order() {
        let now = Instant::now();
        let mut rng = Rng::new(1);
        let mut out = Outbound::new(Stream::Downstream);
        out.push(b"ab", None, now, &mut rng);
        out.push(b"cd", None, now, &mut rng);
        assert_eq!(out.segs.len(), 1, "coalesced");
        assert_eq!(drain(&mut out, now), b"abcd");
        assert!(out.is_empty());
    }

    #[test]
    fn a_delayed_chunk_holds_the_ones_behind_it() {
        let now = Instant::now();
        let mut rng = Rng::new(1);
        let mut out = Outbound::new(Stream::Downstream);
        out.push(b"a", Some(now + ms(100)), now, &mut rng);
        out.push(b"b", None, now, &mut rng);
        assert_eq!(drain(&mut out, now), b"");
        assert_eq!(out.deadline(), Some(now + ms(100)));
        assert_eq!(drain(&mut out, now + ms(100)), b"ab");
    }

    #[test]
    fn latency_and_jitter() {
        let now = Instant::now();
        let mut rng = Rng::new(1);
        let mut out = Outbound::new(Stream::Downstream);
        out.set_toxics(
            &[toxic(ToxicKind::Latency {
                latency: 100,
                jitter: 10,
            })],
            now,
            &mut rng,
        );
        out.push(b"x", None, now, &mut rng);
        let at = out.deadline().unwrap();
        assert!(at >= now + ms(90) && at <= now + ms(110));
    }

    #[test]
    fn limit_data_cuts_and_closes() {
        let now = Instant::now();
        let mut rng = Rng::new(1);
        let mut out = Outbound::new(Stream::Downstream);
        out.set_toxics(&[toxic(ToxicKind::LimitData { bytes: 3 })], now, &mut rng);
        out.push(b"+PONG\r\n", None, now, &mut rng);
        let chunk = out.next_chunk(now).unwrap().unwrap().to_vec();
        assert_eq!(chunk, b"+PO");
        assert_eq!(out.sent(3, now), Err(Fate::Close));
    }

    #[test]
    fn slicer_keeps_bytes_and_cuts_them() {
        let now = Instant::now();
        let mut rng = Rng::new(1);
        let mut out = Outbound::new(Stream::Downstream);
        let kind = ToxicKind::Slicer {
            average_size: 10,
            size_variation: 5,
            delay: 0,
        };
        out.set_toxics(&[toxic(kind)], now, &mut rng);
        let data: Vec<u8> = (0..1000u32).map(|i| i as u8).collect();
        out.push(&data, None, now, &mut rng);
        assert!(out.segs.len() >= 50, "{} slices", out.segs.len());
        assert!(out.segs.iter().all(|s| s.data.len() <= 30));
        assert_eq!(drain(&mut out, now), data);
    }

    #[test]
    fn bandwidth_paces_writes() {
        let now = Instant::now();
        let mut rng = Rng::new(1);
        let mut out = Outbound::new(Stream::Downstream);
        out.set_toxics(&[toxic(ToxicKind::Bandwidth { rate: 100 })], now, &mut rng);
        out.push(&[0; 5000], None, now, &mut rng);
        // 100 KB/s: 1000 bytes per 10 ms slice.
        let mut t = now;
        let mut written = 0;
        while written < 5000 {
            match out.next_chunk(t).unwrap() {
                Some(chunk) => {
                    let n = chunk.len();
                    assert!(n <= 1000);
                    written += n;
                    out.sent(n, t).unwrap();
                }
                None => t = out.deadline().unwrap(),
            }
        }
        let took = t - now;
        assert!(took >= ms(39) && took <= ms(41), "{took:?}");
    }

    #[test]
    fn timeout_swallows_and_closes_later() {
        let now = Instant::now();
        let mut rng = Rng::new(1);
        let mut out = Outbound::new(Stream::Downstream);
        out.set_toxics(&[toxic(ToxicKind::Timeout { timeout: 50 })], now, &mut rng);
        out.push(b"data", None, now + ms(10), &mut rng);
        assert!(out.is_empty());
        assert_eq!(out.fate(now + ms(59)), None);
        assert_eq!(out.fate(now + ms(60)), Some(Fate::Close));
    }

    #[test]
    fn reset_peer_waits_for_data() {
        let now = Instant::now();
        let mut rng = Rng::new(1);
        let mut out = Outbound::new(Stream::Downstream);
        out.set_toxics(
            &[toxic(ToxicKind::ResetPeer { timeout: 20 })],
            now,
            &mut rng,
        );
        assert_eq!(out.fate(now + ms(100)), None);
        out.push(b"x", None, now + ms(100), &mut rng);
        assert_eq!(out.fate(now + ms(119)), None);
        assert_eq!(out.fate(now + ms(120)), Some(Fate::Reset));
    }

    #[test]
    fn slow_close_delays_the_end() {
        let now = Instant::now();
        let mut rng = Rng::new(1);
        let mut out = Outbound::new(Stream::Downstream);
        out.set_toxics(&[toxic(ToxicKind::SlowClose { delay: 30 })], now, &mut rng);
        out.source_closed(now);
        assert!(!out.take_eof(now + ms(29)));
        assert!(out.take_eof(now + ms(30)));
    }

    #[test]
    fn toxicity_zero_leaves_connections_alone() {
        let now = Instant::now();
        let mut rng = Rng::new(1);
        let mut out = Outbound::new(Stream::Downstream);
        let t =
            Toxic::new("t", ToxicKind::LimitData { bytes: 0 }, Stream::Downstream).toxicity(0.0);
        out.set_toxics(&[Arc::new(t)], now, &mut rng);
        out.push(b"abc", None, now, &mut rng);
        assert_eq!(drain(&mut out, now), b"abc");
    }
}
