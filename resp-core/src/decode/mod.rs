//! The reply decoder: bytes in, frames out.

mod build;
mod fast;
pub(crate) mod number;
pub(crate) mod scan;

use std::borrow::Cow;

use self::build::{build, scalar_frame, Node};
use self::fast::Bounds;
use self::scan::{Agg, Scanner, Token};
use crate::{Error, ErrorKind, Frame, Limit, Limits};

/// The outcome of a decode call that did not fail.
#[derive(Debug, Clone, PartialEq)]
pub enum Status<T> {
    /// A whole item, with what the call produced.
    Complete(T),
    /// The buffer holds only part of an item: call again with more bytes.
    /// Nothing was consumed.
    Partial,
}

impl<T> Status<T> {
    /// The item, if complete.
    pub fn complete(self) -> Option<T> {
        match self {
            Status::Complete(t) => Some(t),
            Status::Partial => None,
        }
    }

    /// True for [`Status::Partial`].
    pub fn is_partial(&self) -> bool {
        matches!(self, Status::Partial)
    }
}

/// An aggregate still open on the decoder's stack.
#[derive(Debug, Clone, Copy)]
struct Level {
    agg: Agg,
    /// Index of the aggregate's node on the tape.
    node: usize,
    /// Elements still expected, or `None` for a streamed aggregate.
    remaining: Option<usize>,
    /// Elements seen so far (bytes for a streamed string).
    seen: usize,
    /// A streamed string (`$?`) rather than an aggregate.
    string: bool,
}

/// A resumable, zero-copy decoder of RESP2 and RESP3 replies.
///
/// # Call order
///
/// 1. Append what arrived to your buffer.
/// 2. Call [`decode`](Decoder::decode) with the whole unconsumed buffer.
/// 3. On [`Status::Complete`]`((frame, n))`, use the frame, then drop the
///    first `n` bytes of the buffer and go to 2. On [`Status::Partial`],
///    nothing was consumed: go to 1 and keep the buffer as it is.
///
/// Between a `Partial` and the next call, the buffer must keep the bytes it
/// had (it may move in memory and grow). The decoder remembers how far it
/// got and does not read those bytes again, so a frame that arrives in many
/// pieces costs time linear in its size.
///
/// After an error the decoder is failed for good: every call returns the
/// same error. Replies that the server sends as errors (`-ERR ...`) are
/// ordinary frames, not decoding errors.
///
/// # Example
///
/// ```
/// use resp_core::{Decoder, Frame, Status};
///
/// let mut decoder = Decoder::new();
/// let mut buf = b"*2\r\n$5\r\nhel".to_vec();
/// assert_eq!(decoder.decode(&buf)?, Status::Partial);
///
/// buf.extend_from_slice(b"lo\r\n:7\r\n+OK\r\n");
/// let Status::Complete((frame, used)) = decoder.decode(&buf)? else { panic!() };
/// assert_eq!(frame, Frame::Array(vec![Frame::bulk(b"hello"), Frame::Integer(7)]));
/// buf.drain(..used);
///
/// let Status::Complete((frame, used)) = decoder.decode(&buf)? else { panic!() };
/// assert_eq!(frame, Frame::simple(b"OK"));
/// assert_eq!(used, buf.len());
/// # Ok::<(), resp_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Decoder {
    limits: Limits,
    /// The limits as the one-pass path checks them; `None` when it is off.
    fast: Option<Bounds>,
    scanner: Scanner,
    stack: Vec<Level>,
    tape: Vec<Node>,
    /// Stream offset of the current buffer's first byte.
    consumed: u64,
    /// How much of the buffer the last `Partial` had seen.
    examined: usize,
    failed: Option<Error>,
}

impl Default for Decoder {
    fn default() -> Self {
        Decoder::new()
    }
}

impl Decoder {
    /// A decoder with the default [`Limits`].
    pub fn new() -> Self {
        Decoder::with_limits(Limits::default())
    }

    /// A decoder with the given limits.
    pub fn with_limits(limits: Limits) -> Self {
        Decoder {
            limits,
            fast: Bounds::new(&limits),
            scanner: Scanner::new(),
            stack: Vec::new(),
            tape: Vec::new(),
            consumed: 0,
            examined: 0,
            failed: None,
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Bytes consumed by all complete frames so far: the stream offset of
    /// the next buffer's first byte.
    pub fn consumed(&self) -> u64 {
        self.consumed
    }

    /// True when part of a frame has been seen and the rest is awaited.
    pub fn is_mid_frame(&self) -> bool {
        self.examined > 0
    }

    /// The least buffer length that can make progress: after a `Partial`,
    /// always more than the buffer held, and for a large bulk string the
    /// whole payload, so a caller that reads until its buffer holds this
    /// many bytes can size its buffer once.
    pub fn needed(&self) -> usize {
        self.scanner.needed().max(self.examined + 1)
    }

    /// Counts the next `len` bytes of the stream as one complete frame the
    /// caller took itself (a large bulk string read straight into its own
    /// buffer; see [`Conversation::large_bulk`](crate::client::Conversation::large_bulk)),
    /// forgetting whatever of it was examined.
    pub fn skip_frame(&mut self, len: usize) {
        self.tape.clear();
        self.stack.clear();
        self.scanner.reset();
        self.examined = 0;
        self.consumed += len as u64;
    }

    /// Decodes the next frame from the start of `buf`.
    ///
    /// # Errors
    ///
    /// A malformed stream, an exceeded [`Limits`] bound, or a buffer that
    /// shrank since the last `Partial` ([`ErrorKind::BufferShrunk`]). The
    /// error's offset counts from the start of the stream.
    pub fn decode<'b>(&mut self, buf: &'b [u8]) -> Result<Status<(Frame<'b>, usize)>, Error> {
        if let (0, None, Some(cx)) = (self.examined, self.failed, &self.fast) {
            // A whole frame, read in one pass; each common kind is built
            // straight in the return value.
            macro_rules! complete {
                ($frame:expr, $used:expr) => {{
                    let used = $used;
                    self.consumed += used as u64;
                    return Ok(Status::Complete(($frame, used)));
                }};
            }
            match buf.first() {
                Some(b'$') => match fast::bulk_reply(buf, cx) {
                    Some((Some(bytes), used)) => complete!(Frame::Bulk(Cow::Borrowed(bytes)), used),
                    Some((None, used)) => complete!(Frame::NullBulk, used),
                    None => {}
                },
                Some(b':') => {
                    if let Some((n, used)) = fast::integer_reply(buf) {
                        complete!(Frame::Integer(n), used)
                    }
                }
                Some(b'+') => {
                    if let Some((text, used)) = fast::simple_reply(buf, cx) {
                        complete!(Frame::Simple(Cow::Borrowed(text)), used)
                    }
                }
                Some(b'*') => {
                    if let Some((items, used)) = fast::items_reply(buf, cx) {
                        complete!(Frame::Array(items), used)
                    }
                }
                Some(b'%') => {
                    if let Some((pairs, used)) = fast::map_reply(buf, cx) {
                        complete!(Frame::Map(pairs), used)
                    }
                }
                Some(b'~') => {
                    if let Some((items, used)) = fast::items_reply(buf, cx) {
                        complete!(Frame::Set(items), used)
                    }
                }
                Some(b',') => {
                    if let Some((text, used)) = fast::double_reply(buf, cx) {
                        complete!(Frame::Double(Cow::Borrowed(text)), used)
                    }
                }
                Some(b'_') if buf.starts_with(b"_\r\n") => complete!(Frame::Null, 3),
                Some(b'#') if buf.starts_with(b"#t\r\n") => complete!(Frame::Boolean(true), 4),
                Some(b'#') if buf.starts_with(b"#f\r\n") => complete!(Frame::Boolean(false), 4),
                Some(_) => {
                    if let Some((frame, used)) = fast::other_reply(buf, cx) {
                        complete!(frame, used)
                    }
                }
                None => {}
            }
        }
        if let Some(err) = self.failed {
            return Err(err);
        }
        if buf.len() < self.examined {
            return Err(self.fail((ErrorKind::BufferShrunk, buf.len())));
        }
        match self.advance(buf) {
            Ok(true) => {
                let used = self.scanner.pos;
                let frame = match self.tape.as_slice() {
                    [leaf] if !matches!(leaf, Token::Open(..)) => scalar_frame(*leaf, buf),
                    tape => build(tape, buf),
                };
                self.tape.clear();
                self.scanner.reset();
                self.examined = 0;
                self.consumed += used as u64;
                Ok(Status::Complete((frame, used)))
            }
            Ok(false) => {
                self.examined = buf.len();
                Ok(Status::Partial)
            }
            Err(fail) => Err(self.fail(fail)),
        }
    }

    fn fail(&mut self, (kind, at): (ErrorKind, usize)) -> Error {
        let err = Error::new(kind, self.consumed + at as u64);
        self.failed = Some(err);
        err
    }

    /// Reads tokens until a frame is complete (`true`) or the buffer ends.
    fn advance(&mut self, buf: &[u8]) -> Result<bool, (ErrorKind, usize)> {
        loop {
            let start = self.scanner.pos;
            let Some(token) = self.scanner.next(buf, &self.limits)? else {
                return Ok(false);
            };
            let in_string = self.stack.last().is_some_and(|l| l.string);
            match token {
                Token::Chunk(span) => {
                    let Some(top) = self.stack.last_mut().filter(|l| l.string) else {
                        return Err((ErrorKind::UnexpectedChunk, start));
                    };
                    if span.start == span.end {
                        self.stack.pop();
                        self.tape.push(token);
                    } else {
                        top.seen += span.end - span.start;
                        if top.seen > self.limits.bulk_len() {
                            return Err((ErrorKind::LimitExceeded(Limit::BulkLen), start));
                        }
                        self.tape.push(token);
                        continue;
                    }
                }
                _ if in_string => return Err((ErrorKind::UnexpectedChunk, start)),
                Token::End => {
                    let Some(top) = self.stack.last().filter(|l| l.remaining.is_none()) else {
                        return Err((ErrorKind::UnexpectedEnd, start));
                    };
                    let count = match top.agg {
                        Agg::Map if top.seen % 2 == 1 => {
                            return Err((ErrorKind::UnexpectedEnd, start))
                        }
                        Agg::Map => top.seen / 2,
                        _ => top.seen,
                    };
                    self.tape[top.node] = Token::Open(top.agg, Some(count));
                    self.stack.pop();
                }
                Token::Open(agg, count) => {
                    if agg == Agg::Push && !self.at_top_level() {
                        return Err((ErrorKind::NestedPush, start));
                    }
                    let remaining = match (agg, count) {
                        (_, None) => None,
                        (Agg::Attribute, Some(n)) => Some(2 * n + 1),
                        (_, Some(0)) => Some(0),
                        (Agg::Map, Some(n)) => Some(2 * n),
                        (_, Some(n)) => Some(n),
                    };
                    self.tape.push(token);
                    if remaining != Some(0) {
                        self.open(agg, remaining, false, start)?;
                        continue;
                    }
                }
                Token::OpenString => {
                    self.tape.push(token);
                    self.open(Agg::Array, None, true, start)?;
                    continue;
                }
                leaf => self.tape.push(leaf),
            }
            // A whole element was added: close what it completes.
            if self.element_done()? {
                return Ok(true);
            }
        }
    }

    fn open(
        &mut self,
        agg: Agg,
        remaining: Option<usize>,
        string: bool,
        start: usize,
    ) -> Result<(), (ErrorKind, usize)> {
        if self.stack.len() >= self.limits.depth() {
            return Err((ErrorKind::LimitExceeded(Limit::Depth), start));
        }
        self.stack.push(Level {
            agg,
            node: self.tape.len() - 1,
            remaining,
            seen: 0,
            string,
        });
        Ok(())
    }

    /// Counts one finished element against the open aggregates; true when
    /// that completes the top-level frame.
    fn element_done(&mut self) -> Result<bool, (ErrorKind, usize)> {
        while let Some(top) = self.stack.last_mut() {
            match &mut top.remaining {
                Some(left) => {
                    *left -= 1;
                    if *left > 0 {
                        return Ok(false);
                    }
                    self.stack.pop();
                }
                None => {
                    top.seen += 1;
                    if top.seen > self.limits.aggregate_len() {
                        let at = self.scanner.pos;
                        return Err((ErrorKind::LimitExceeded(Limit::AggregateLen), at));
                    }
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    /// True when a frame here would be a top-level frame: no aggregate is
    /// open, or only attributes waiting for the frame they describe.
    fn at_top_level(&self) -> bool {
        self.stack
            .iter()
            .all(|l| l.agg == Agg::Attribute && l.remaining == Some(1))
    }
}

#[cfg(test)]
mod tests;
