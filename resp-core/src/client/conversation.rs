//! Routing frames to the commands that asked for them.

use crate::{Decoder, Error, ErrorKind, Frame, Limits, Status};

/// How frames on a connection are routed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Each non-push frame answers the oldest command in flight; a reply
    /// nobody asked for is a protocol error.
    Replies,
    /// Every frame is an [`Event::Push`]: a subscriber in RESP2 or a
    /// connection in `MONITOR`, where the server talks unprompted.
    Events,
}

/// A routed frame.
#[derive(Debug, Clone, PartialEq)]
pub enum Event<'b> {
    /// The reply to the oldest command in flight (possibly a server error).
    Reply(Frame<'b>),
    /// Data the server sent on its own: a RESP3 push frame, or any frame
    /// in [`Mode::Events`].
    Push(Frame<'b>),
}

/// A large bulk string reply at the start of the input whose header has
/// arrived: [`Conversation::large_bulk`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BulkHeader {
    /// Bytes of the `$<len>\r\n` header.
    pub header: usize,
    /// Bytes of the payload; the frame ends with `\r\n` after them.
    pub len: usize,
}

impl BulkHeader {
    /// The whole frame's length: header, payload and the final CRLF.
    pub fn frame_len(&self) -> usize {
        self.header + self.len + 2
    }
}

/// The reply-routing state of one connection: a [`Decoder`] plus the count
/// of commands whose replies are outstanding.
///
/// # Call order
///
/// 1. After writing commands, call [`sent`](Conversation::sent) with how
///    many replies they expect.
/// 2. Feed what was read to [`handle_input`](Conversation::handle_input),
///    exactly as with [`Decoder::decode`]: drop the bytes of each complete
///    event, keep everything on `Partial`.
///
/// A reply that arrives with no command in flight is a protocol error:
/// the stream is out of step and the connection must be closed.
///
/// # Example
///
/// ```
/// use resp_core::client::{Conversation, Event};
/// use resp_core::{Frame, Status};
///
/// let mut conv = Conversation::new();
/// conv.sent(1);
/// let input = b">2\r\n+invalidate\r\n*0\r\n+OK\r\n";
/// let Status::Complete((Event::Push(_), used)) = conv.handle_input(input)? else { panic!() };
/// let Status::Complete((event, _)) = conv.handle_input(&input[used..])? else { panic!() };
/// assert_eq!(event, Event::Reply(Frame::simple(b"OK")));
/// assert_eq!(conv.in_flight(), 0);
/// # Ok::<(), resp_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct Conversation {
    decoder: Decoder,
    in_flight: usize,
    mode: Mode,
    failed: Option<Error>,
}

impl Default for Conversation {
    fn default() -> Self {
        Conversation::new()
    }
}

impl Conversation {
    /// A conversation in [`Mode::Replies`] with default limits.
    pub fn new() -> Self {
        Conversation::with_limits(Limits::default())
    }

    /// A conversation whose decoder has the given limits.
    pub fn with_limits(limits: Limits) -> Self {
        Conversation {
            decoder: Decoder::with_limits(limits),
            in_flight: 0,
            mode: Mode::Replies,
            failed: None,
        }
    }

    /// Records that commands expecting `replies` replies were written.
    pub fn sent(&mut self, replies: usize) {
        self.in_flight += replies;
    }

    /// Replies still expected.
    pub fn in_flight(&self) -> usize {
        self.in_flight
    }

    /// The routing mode.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// Changes the routing mode, for example after `MONITOR` was
    /// acknowledged or a RESP2 subscriber was set up.
    pub fn set_mode(&mut self, mode: Mode) {
        self.mode = mode;
    }

    /// The underlying decoder, for [`Decoder::needed`] and friends.
    pub fn decoder(&self) -> &Decoder {
        &self.decoder
    }

    /// Checks what is left of the input once no complete frame remains:
    /// with nothing in flight, only the start of a push frame (or of the
    /// attribute before one) may wait there. Anything else is a reply
    /// nobody asked for, and the stream is out of step.
    ///
    /// Call it after [`handle_input`](Conversation::handle_input) answered
    /// `Partial`, with the same buffer, when the caller is about to send
    /// commands or has received every reply it expected.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::UnsolicitedReply`], which is sticky.
    ///
    /// ```
    /// use resp_core::client::Conversation;
    ///
    /// let mut conv = Conversation::new();
    /// assert!(conv.check_idle(b">2\r\n$4\r\ninva").is_ok()); // a push on its way
    /// assert!(conv.check_idle(b"+PON").is_err()); // a stray reply
    /// ```
    pub fn check_idle(&mut self, rest: &[u8]) -> Result<(), Error> {
        if let Some(err) = self.failed {
            return Err(err);
        }
        if self.in_flight > 0 || self.mode == Mode::Events {
            return Ok(());
        }
        match rest.first() {
            None | Some(b'>' | b'|') => Ok(()),
            Some(_) => {
                let err = Error::new(ErrorKind::UnsolicitedReply, self.decoder.consumed());
                self.failed = Some(err);
                Err(err)
            }
        }
    }

    /// When `buf` starts with the header of a bulk string of at least
    /// `threshold` bytes that is the reply to the oldest command in flight,
    /// that header: the caller may read the payload straight into a buffer
    /// of its own (no copy, no zero-filling), check the final CRLF, and
    /// then call [`took_bulk`](Conversation::took_bulk) instead of
    /// [`handle_input`](Conversation::handle_input) for this frame. The
    /// header is checked as the decoder would (digits, no sign, within the
    /// bulk length limit); anything else answers `None` and goes through
    /// `handle_input`, which reports it.
    ///
    /// ```
    /// use resp_core::client::{BulkHeader, Conversation};
    ///
    /// let mut conv = Conversation::new();
    /// conv.sent(1);
    /// let h = conv.large_bulk(b"$2000000\r\nxyz", 1 << 20).unwrap();
    /// assert_eq!(h, BulkHeader { header: 10, len: 2_000_000 });
    /// assert!(conv.large_bulk(b"$20\r\nxyz", 1 << 20).is_none()); // small
    /// assert!(conv.large_bulk(b"$2000000", 1 << 20).is_none()); // no header yet
    /// conv.took_bulk(h);
    /// assert_eq!(conv.in_flight(), 0);
    /// ```
    pub fn large_bulk(&self, buf: &[u8], threshold: usize) -> Option<BulkHeader> {
        if self.failed.is_some() || self.mode != Mode::Replies || self.in_flight == 0 {
            return None;
        }
        let rest = buf.strip_prefix(b"$")?;
        // 20 digits cover any usize; a longer line is not a header here.
        let end = rest.iter().take(21).position(|&b| b == b'\r')?;
        let digits = &rest[..end];
        if rest.get(end + 1) != Some(&b'\n') || digits.is_empty() || digits.len() > 19 {
            return None;
        }
        let mut len = 0usize;
        for &d in digits {
            if !d.is_ascii_digit() {
                return None;
            }
            len = len.checked_mul(10)?.checked_add(usize::from(d - b'0'))?;
        }
        (len >= threshold && len <= self.decoder.limits().bulk_len()).then_some(BulkHeader {
            header: end + 3,
            len,
        })
    }

    /// The bulk string of `header` ([`large_bulk`](Conversation::large_bulk))
    /// was read whole by the caller, CRLF included and checked: it answers
    /// the oldest command in flight.
    pub fn took_bulk(&mut self, header: BulkHeader) {
        self.decoder.skip_frame(header.frame_len());
        self.in_flight = self.in_flight.saturating_sub(1);
    }

    /// Decodes and routes the next frame of `buf`.
    ///
    /// # Errors
    ///
    /// The decoder's errors, or [`ErrorKind::UnsolicitedReply`] for a reply
    /// with nothing in flight. Errors are sticky.
    pub fn handle_input<'b>(&mut self, buf: &'b [u8]) -> Result<Status<(Event<'b>, usize)>, Error> {
        if let Some(err) = self.failed {
            return Err(err);
        }
        let (frame, used) = match self.decoder.decode(buf)? {
            Status::Complete(done) => done,
            Status::Partial => return Ok(Status::Partial),
        };
        let event = match (&frame, self.mode) {
            (_, Mode::Events) | (Frame::Push(_), _) => Event::Push(frame),
            _ if self.in_flight == 0 => {
                let at = self.decoder.consumed() - used as u64;
                let err = Error::new(ErrorKind::UnsolicitedReply, at);
                self.failed = Some(err);
                return Err(err);
            }
            _ => {
                self.in_flight -= 1;
                Event::Reply(frame)
            }
        };
        Ok(Status::Complete((event, used)))
    }
}
