//! Properties of `resp-core` checked on arbitrary input.
//!
//! One plain file, depending only on `resp-core` and `std`: the fuzz targets
//! call it through the `resp-core-fuzz` library, and
//! `resp-core/tests/fuzz_corpus.rs` includes it with `#[path]` to replay the
//! checked-in corpus on stable Rust. Every check panics when a property
//! fails, and never otherwise.
//!
//! - [`check_decode`]: any bytes decode (as replies, as requests, and
//!   through `split_args`) without panicking, each call makes progress, and
//!   tight [`Limits`] only ever add limit errors.
//! - [`check_split`]: feeding the bytes in pieces gives the same frames and
//!   the same error as feeding them whole.
//! - [`check_roundtrip`]: a frame built from the bytes encodes exactly when
//!   it has a wire form and decodes back to itself; every frame decoded
//!   from the bytes re-encodes and decodes back to itself.
//! - [`check_topology`]: replies read as `CLUSTER SHARDS` and `CLUSTER
//!   SLOTS` give a consistent map or an error, lines read as redirects
//!   parse back to themselves, and commands split across slots cover each
//!   key once and combine their replies without panicking.

use std::borrow::Cow;
use std::fmt::Debug;

use resp_core::args::split_args;
use resp_core::client::{Redirect, RedirectKind};
use resp_core::cluster::{
    aggregate, merge_split, parse_nodes, plan, Endpoint, Plan, ResponsePolicy, Split, Topology,
};
use resp_core::command::key_slot;
use resp_core::encode::{encode_frame, write_command};
use resp_core::{Decoder, Error, ErrorKind, Frame, Limits, OwnedFrame, RequestDecoder, Status};

/// Small limits, so short inputs reach every bound.
pub fn tight_limits() -> Limits {
    Limits::default()
        .max_bulk_len(16)
        .max_aggregate_len(8)
        .max_depth(4)
        .max_line_len(32)
}

/// Limits derived from the input, each from zero up: the edge cases of
/// every bound, including limits too small for any aggregate or line.
pub fn input_limits(data: &[u8]) -> Limits {
    let h = fnv(data, 7);
    let pick = |shift: u32, range: u64| ((h >> shift) % range) as usize;
    Limits::default()
        .max_bulk_len(pick(0, 24))
        .max_aggregate_len(pick(8, 12))
        .max_depth(pick(16, 7))
        .max_line_len(pick(24, 40))
}

/// Small limits for the request decoder, except the line length.
///
/// The request decoder checks its line limit only while no LF is buffered,
/// as the server does, so whether a long line fails depends on how it was
/// split; split equivalence is checked with a limit the inputs cannot reach.
pub fn tight_request_limits() -> Limits {
    tight_limits().max_line_len(64 * 1024)
}

/// Inputs up to this length are also fed one byte at a time.
const BYTEWISE_MAX: usize = 1024;
/// Inputs up to this length are also cut in two at every position.
const EVERY_CUT_MAX: usize = 64;

// ---------------------------------------------------------------------------
// Driving a decoder the way the documentation says to.

/// How a stream ended once all its bytes were fed.
#[derive(Debug, Clone, PartialEq)]
pub enum End {
    /// The decoder wants more: `unconsumed` bytes are left in the buffer.
    Partial {
        /// Bytes kept after the last complete item.
        unconsumed: usize,
    },
    /// The decoder failed.
    Failed(Error),
}

/// Everything a decoder produced from one stream.
#[derive(Debug, Clone, PartialEq)]
pub struct Run<T> {
    /// The complete items, in order.
    pub items: Vec<T>,
    /// How it ended.
    pub end: End,
}

impl<T> Run<T> {
    /// The error the run ended with, if any.
    pub fn error(&self) -> Option<Error> {
        match self.end {
            End::Failed(err) => Some(err),
            End::Partial { .. } => None,
        }
    }
}

/// A resumable decoder: [`Decoder`] or [`RequestDecoder`].
pub trait Stream {
    /// What one complete item is, detached from the buffer.
    type Item: Debug + PartialEq;

    /// One decode call; checks what it can about the item.
    fn step(&mut self, buf: &[u8]) -> Result<Status<(Self::Item, usize)>, Error>;

    /// Checks the decoder's state after a call that consumed `consumed`
    /// bytes in total so far and left `buf_len` bytes in the buffer.
    fn check_state(&self, _consumed: u64, _buf_len: usize, _partial: bool) {}

    /// After `Partial`: a buffer length below which the pending item cannot
    /// complete, if the decoder tells one.
    fn needed(&self) -> Option<usize> {
        None
    }
}

impl Stream for Decoder {
    type Item = OwnedFrame;

    fn step(&mut self, buf: &[u8]) -> Result<Status<(OwnedFrame, usize)>, Error> {
        Ok(match self.decode(buf)? {
            Status::Complete((frame, used)) => {
                check_decoded(&frame);
                let owned = frame.clone().into_owned();
                assert_eq!(owned, frame, "into_owned changed the frame");
                Status::Complete((owned, used))
            }
            Status::Partial => Status::Partial,
        })
    }

    fn check_state(&self, consumed: u64, buf_len: usize, partial: bool) {
        assert_eq!(self.consumed(), consumed, "Decoder::consumed");
        let mid = partial && buf_len > 0;
        assert_eq!(self.is_mid_frame(), mid, "Decoder::is_mid_frame");
    }

    fn needed(&self) -> Option<usize> {
        Some(Decoder::needed(self))
    }
}

impl Stream for RequestDecoder {
    type Item = Vec<Vec<u8>>;

    fn step(&mut self, buf: &[u8]) -> Result<Status<(Vec<Vec<u8>>, usize)>, Error> {
        Ok(match self.decode(buf)? {
            Status::Complete((args, used)) => {
                assert!(!args.is_empty(), "empty request returned");
                Status::Complete((args.into_iter().map(Cow::into_owned).collect(), used))
            }
            Status::Partial => Status::Partial,
        })
    }
}

/// Feeds `data` to `decoder` in pieces ending at each of `cuts` (ascending,
/// at most `data.len()`; equal cuts feed an empty piece) and then at the
/// end, following the documented call order: the buffer keeps its bytes
/// after `Partial` and grows; after `Complete` the caller drops `used` bytes.
pub fn run_pieces<D: Stream>(mut decoder: D, data: &[u8], cuts: &[usize]) -> Run<D::Item> {
    let mut cuts = cuts.iter().copied().chain([data.len()]);
    let mut fed = 0;
    let mut buf: Vec<u8> = Vec::new();
    let mut items = Vec::new();
    let mut consumed = 0u64;
    // What `needed` said at the last `Partial` of the pending item.
    let mut needed = 0;
    loop {
        match decoder.step(&buf) {
            Ok(Status::Complete((item, used))) => {
                // Progress: a complete item consumes at least one byte,
                // which is also what makes decoding terminate.
                assert!(used > 0, "Complete consumed no bytes");
                assert!(used <= buf.len(), "used {used} > buffer {}", buf.len());
                // `needed` may underestimate but never overestimate: a
                // caller may size its buffer by it.
                assert!(used >= needed, "needed() said {needed}, used {used}");
                needed = 0;
                items.push(item);
                buf.drain(..used);
                consumed += used as u64;
                decoder.check_state(consumed, buf.len(), false);
            }
            Ok(Status::Partial) => {
                decoder.check_state(consumed, buf.len(), true);
                if let Some(n) = decoder.needed() {
                    needed = needed.max(n);
                }
                let Some(cut) = cuts.next() else {
                    return Run {
                        items,
                        end: End::Partial {
                            unconsumed: buf.len(),
                        },
                    };
                };
                let cut = cut.clamp(fed, data.len());
                buf.extend_from_slice(&data[fed..cut]);
                fed = cut;
            }
            Err(err) => {
                assert_ne!(err.kind(), ErrorKind::BufferShrunk, "buffer never shrinks");
                assert!(err.is_peer_error(), "decoder blamed the caller: {err}");
                let stream_len = consumed + buf.len() as u64;
                assert!(
                    err.offset() <= stream_len,
                    "error offset {} beyond the {stream_len} bytes fed",
                    err.offset()
                );
                assert!(
                    err.offset() >= consumed,
                    "error offset {} inside an earlier frame",
                    err.offset()
                );
                // Errors are sticky, even with more bytes.
                assert_eq!(decoder.step(&buf).err(), Some(err), "error not sticky");
                buf.extend_from_slice(b"+OK\r\n");
                assert_eq!(decoder.step(&buf).err(), Some(err), "error not sticky");
                return Run {
                    items,
                    end: End::Failed(err),
                };
            }
        }
    }
}

/// Feeds all of `data` at once.
pub fn run_whole<D: Stream>(decoder: D, data: &[u8]) -> Run<D::Item> {
    run_pieces(decoder, data, &[])
}

/// Checks what holds for every decoded frame.
fn check_decoded(frame: &Frame<'_>) {
    visit(frame, &mut |f| match f {
        Frame::Double(text) => {
            assert!(
                f.as_f64().is_some(),
                "decoded double {text:?} does not parse"
            );
        }
        Frame::BigNumber(text) => assert!(is_big_number_text(text), "big number {text:?}"),
        Frame::Simple(s) | Frame::Error(s) => {
            assert!(
                !s.contains(&b'\r') && !s.contains(&b'\n'),
                "line holds CR/LF"
            )
        }
        _ => {}
    });
}

/// Calls `f` on `frame` and everything inside it.
fn visit(frame: &Frame<'_>, f: &mut dyn FnMut(&Frame<'_>)) {
    f(frame);
    match frame {
        Frame::Array(items) | Frame::Set(items) | Frame::Push(items) => {
            items.iter().for_each(|i| visit(i, f))
        }
        Frame::Map(pairs) => pairs.iter().for_each(|(k, v)| {
            visit(k, f);
            visit(v, f);
        }),
        Frame::Attributed(inner) => {
            inner.attributes.iter().for_each(|(k, v)| {
                visit(k, f);
                visit(v, f);
            });
            visit(&inner.frame, f);
        }
        _ => {}
    }
}

/// Asserts that `frame` respects `limits`; answers its nesting depth, that
/// is how many aggregates had to be open at once to decode it (an empty
/// aggregate is never open).
fn assert_within(frame: &Frame<'_>, limits: &Limits) -> usize {
    let line = |len: usize| {
        assert!(
            len < limits.line_len(), // the type byte counts too
            "line of {len} bytes passed the line limit"
        )
    };
    let blob = |len: usize| {
        assert!(
            len <= limits.bulk_len(),
            "blob of {len} bytes passed the bulk limit"
        )
    };
    let count = |n: usize| {
        assert!(
            n <= limits.aggregate_len(),
            "aggregate of {n} elements passed the limit"
        )
    };
    let depth = match frame {
        Frame::Simple(s) | Frame::Error(s) => {
            line(s.len());
            0
        }
        Frame::Double(s) | Frame::BigNumber(s) => {
            line(s.len());
            0
        }
        Frame::Bulk(b) | Frame::BulkError(b) => {
            blob(b.len());
            0
        }
        Frame::Verbatim { text, .. } => {
            blob(text.len() + 4);
            0
        }
        Frame::Array(items) | Frame::Set(items) | Frame::Push(items) => {
            count(items.len());
            let inner = items.iter().map(|i| assert_within(i, limits)).max();
            inner.map_or(0, |d| d + 1)
        }
        Frame::Map(pairs) => {
            count(2 * pairs.len());
            let inner = pairs
                .iter()
                .map(|(k, v)| assert_within(k, limits).max(assert_within(v, limits)))
                .max();
            inner.map_or(0, |d| d + 1)
        }
        Frame::Attributed(inner) => {
            count(2 * inner.attributes.len());
            let attrs = inner
                .attributes
                .iter()
                .map(|(k, v)| assert_within(k, limits).max(assert_within(v, limits)))
                .max()
                .unwrap_or(0);
            1 + attrs.max(assert_within(&inner.frame, limits))
        }
        Frame::Integer(_)
        | Frame::NullBulk
        | Frame::NullArray
        | Frame::Null
        | Frame::Boolean(_) => 0,
    };
    assert!(
        depth <= limits.depth(),
        "frame {depth} deep passed the depth limit"
    );
    depth
}

/// Tighter limits may only make a run fail earlier with a limit error:
/// otherwise the two runs are the same.
fn assert_tighter<T: Debug + PartialEq>(loose: &Run<T>, tight: &Run<T>) {
    match tight.error() {
        Some(err) if matches!(err.kind(), ErrorKind::LimitExceeded(_)) => {
            assert!(
                tight.items.len() <= loose.items.len()
                    && tight.items[..] == loose.items[..tight.items.len()],
                "tight limits changed the frames before failing with {err}"
            );
        }
        _ => assert_eq!(tight, loose, "tight limits changed a run that hit no limit"),
    }
}

// ---------------------------------------------------------------------------
// decode

/// Arbitrary bytes, as replies and as requests: no panic, progress on every
/// complete item, sticky errors in range, limits respected.
pub fn check_decode(data: &[u8]) {
    let replies = run_whole(Decoder::new(), data);
    for limits in [tight_limits(), input_limits(data)] {
        let tight = run_whole(Decoder::with_limits(limits), data);
        for frame in &tight.items {
            assert_within(frame, &limits);
        }
        assert_tighter(&replies, &tight);
    }

    let requests = run_whole(RequestDecoder::new(), data);
    for args in &requests.items {
        assert_request_roundtrip(args);
    }
    for limits in [tight_limits(), input_limits(data)] {
        let tight = run_whole(RequestDecoder::with_limits(limits), data);
        assert_tighter(&requests, &tight);
    }

    // The argument splitter, on the whole input and on each line.
    assert_split_args(data);
    for line in data.split(|&b| b == b'\n').take(16) {
        assert_split_args(line);
    }
}

/// A request re-encoded as a multibulk command decodes to itself.
fn assert_request_roundtrip(args: &[Vec<u8>]) {
    let mut out = Vec::new();
    write_command(&mut out, args);
    let mut decoder = RequestDecoder::new();
    match decoder.decode(&out) {
        Ok(Status::Complete((again, used))) => {
            assert_eq!(used, out.len(), "request re-encoding not fully used");
            assert_eq!(again, args, "request changed through write_command");
        }
        other => panic!("re-encoded request {out:?} decoded as {other:?}"),
    }
}

/// Splitting never panics, and what it splits, quoted back, splits the same.
fn assert_split_args(line: &[u8]) {
    let Ok(args) = split_args(line) else {
        return;
    };
    let mut quoted = Vec::new();
    for arg in &args {
        quoted.push(b'"');
        for &b in arg {
            if b.is_ascii_alphanumeric() {
                quoted.push(b);
            } else {
                quoted.extend_from_slice(format!("\\x{b:02x}").as_bytes());
            }
        }
        quoted.extend_from_slice(b"\" ");
    }
    assert_eq!(
        split_args(&quoted).ok().as_ref(),
        Some(&args),
        "quoted arguments {quoted:?} split differently"
    );
}

// ---------------------------------------------------------------------------
// split

/// A cheap hash of the input, to derive cut positions from it.
fn fnv(data: &[u8], seed: u64) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325 ^ seed, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The ways `data` is cut into pieces: two pieces at a position derived
/// from the input (at every position for short inputs), three pieces, and
/// one byte at a time for inputs that are not long.
pub fn cut_plans(data: &[u8]) -> Vec<Vec<usize>> {
    let len = data.len();
    let at = |seed: u64| (fnv(data, seed) % (len as u64 + 1)) as usize;
    let mut plans = Vec::new();
    if len <= EVERY_CUT_MAX {
        plans.extend((0..=len).map(|cut| vec![cut]));
    } else {
        plans.push(vec![at(1)]);
    }
    let mut three = vec![at(2), at(3)];
    three.sort_unstable();
    plans.push(three);
    if len <= BYTEWISE_MAX {
        plans.push((1..len).collect());
    }
    plans
}

/// Feeding the input in pieces gives exactly what feeding it whole gives:
/// the same frames (or requests), then the same error or the same
/// unconsumed tail.
pub fn check_split(data: &[u8]) {
    let plans = cut_plans(data);
    let derived = input_limits(data);
    for limits in [Limits::default(), tight_limits(), derived] {
        let whole = run_whole(Decoder::with_limits(limits), data);
        for cuts in &plans {
            let pieces = run_pieces(Decoder::with_limits(limits), data, cuts);
            assert_eq!(pieces, whole, "replies {}, {limits:?}", describe(cuts));
        }
    }
    // See `tight_request_limits` for the line length.
    let inline = 64 * 1024;
    for limits in [
        Limits::default().max_line_len(inline),
        tight_request_limits(),
        derived.max_line_len(inline),
    ] {
        let whole = run_whole(RequestDecoder::with_limits(limits), data);
        for cuts in &plans {
            let pieces = run_pieces(RequestDecoder::with_limits(limits), data, cuts);
            assert_eq!(pieces, whole, "requests {}, {limits:?}", describe(cuts));
        }
    }
}

/// A cut plan, for a failure message.
fn describe(cuts: &[usize]) -> String {
    if cuts.len() > 2 {
        "fed one byte at a time".to_owned()
    } else {
        format!("cut at {cuts:?}")
    }
}

// ---------------------------------------------------------------------------
// roundtrip

/// Frames built from the input encode exactly when they have a wire form
/// and decode back to themselves; frames decoded from the input re-encode
/// and decode back to themselves.
pub fn check_roundtrip(data: &[u8]) {
    let mut gen = Gen::new(data);
    let frame = gen.frame(MAX_DEPTH);
    let mut out = Vec::new();
    match encode_frame(&mut out, &frame) {
        Ok(()) => {
            assert!(encodable(&frame, true), "encoded {frame:?} as {out:?}");
            assert_decodes_to(&out, &frame);
        }
        Err(err) => {
            assert!(
                matches!(err.kind(), ErrorKind::InvalidFrame(_)) && !err.is_peer_error(),
                "encoder failed with {err:?}"
            );
            assert!(!encodable(&frame, true), "rejected {frame:?}: {err}");
        }
    }

    // A double from any bit pattern.
    let mut bits = [0u8; 8];
    for (b, d) in bits.iter_mut().zip(data) {
        *b = *d;
    }
    let value = f64::from_le_bytes(bits);
    let double = Frame::double(value);
    let parsed = double
        .as_f64()
        .expect("Frame::double gives a parsable double");
    assert!(
        parsed.to_bits() == value.to_bits() || (parsed.is_nan() && value.is_nan()),
        "Frame::double({value:?}) reads back as {parsed:?}"
    );
    let mut out = Vec::new();
    encode_frame(&mut out, &double).expect("Frame::double is encodable");
    assert_decodes_to(&out, &double);

    // decode -> encode -> decode.
    for frame in run_whole(Decoder::new(), data).items {
        let mut out = Vec::new();
        if let Err(err) = encode_frame(&mut out, &frame) {
            panic!("decoded frame {frame:?} cannot be encoded: {err}");
        }
        assert_decodes_to(&out, &frame);
    }
}

/// `bytes`, the encoding of `frame`, decodes to `frame` using all of them,
/// whether alone, followed by another frame, or fed one byte at a time, and
/// is what encoding the decoded frame gives back.
fn assert_decodes_to(bytes: &[u8], frame: &Frame<'_>) {
    let mut decoder = Decoder::new();
    match decoder.decode(bytes) {
        Ok(Status::Complete((got, used))) => {
            assert_eq!(&got, frame, "decoded {bytes:?} differently");
            assert_eq!(used, bytes.len(), "decoding {bytes:?} used a part");
            let mut again = Vec::new();
            encode_frame(&mut again, &got).expect("re-encoding a decoded frame");
            assert_eq!(again, bytes, "encoding is not canonical");
        }
        other => panic!("encoding {bytes:?} of {frame:?} decoded as {other:?}"),
    }

    let mut followed = bytes.to_vec();
    followed.extend_from_slice(b":1\r\n");
    let run = run_whole(Decoder::new(), &followed);
    assert_eq!(
        run.items.len(),
        2,
        "{followed:?} is not two frames: {run:?}"
    );
    assert_eq!(&run.items[0], frame);
    assert_eq!(run.end, End::Partial { unconsumed: 0 });

    if bytes.len() <= BYTEWISE_MAX {
        let cuts: Vec<usize> = (1..bytes.len()).collect();
        let run = run_pieces(Decoder::new(), bytes, &cuts);
        assert_eq!(run.items.len(), 1, "bytewise {bytes:?}: {run:?}");
        assert_eq!(&run.items[0], frame);
    }
}

/// Whether `frame` has a wire form: the encoder's contract, written out
/// independently of it.
pub fn encodable(frame: &Frame<'_>, top: bool) -> bool {
    let all = |items: &[Frame<'_>]| items.iter().all(|i| encodable(i, false));
    let pairs = |pairs: &[(Frame<'_>, Frame<'_>)]| {
        pairs
            .iter()
            .all(|(k, v)| encodable(k, false) && encodable(v, false))
    };
    match frame {
        Frame::Simple(s) | Frame::Error(s) => !s.contains(&b'\r') && !s.contains(&b'\n'),
        Frame::Double(text) => is_double_text(text),
        Frame::BigNumber(text) => is_big_number_text(text),
        Frame::Integer(_)
        | Frame::Bulk(_)
        | Frame::NullBulk
        | Frame::NullArray
        | Frame::Null
        | Frame::Boolean(_)
        | Frame::BulkError(_)
        | Frame::Verbatim { .. } => true,
        Frame::Array(items) | Frame::Set(items) => all(items),
        Frame::Push(items) => top && all(items),
        Frame::Map(p) => pairs(p),
        Frame::Attributed(inner) => pairs(&inner.attributes) && encodable(&inner.frame, top),
    }
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

fn unsigned(text: &str) -> &str {
    text.strip_prefix(['+', '-']).unwrap_or(text)
}

/// A RESP3 double: `inf` or `nan` or `int[.frac][e[sign]exp]`, each with an
/// optional sign (the decoder also takes `+inf`, `-nan` and `+nan`).
fn is_double_text(text: &str) -> bool {
    let body = unsigned(text);
    if body == "inf" || body == "nan" {
        return true;
    }
    let (mantissa, exponent) = match body.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e)),
        None => (body, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let frac_ok = frac.into_iter().all(is_digits);
    let exponent_ok = exponent.into_iter().all(|e| is_digits(unsigned(e)));
    is_digits(int) && frac_ok && exponent_ok
}

/// A RESP3 big number: an optional sign and digits.
fn is_big_number_text(text: &str) -> bool {
    is_digits(unsigned(text))
}

/// How deep generated frames nest.
const MAX_DEPTH: usize = 6;
/// How many frames one generated frame holds at most.
const MAX_NODES: usize = 64;

/// A deterministic generator of frames, reading its choices from the input
/// (zeros once the input is used up, which pick leaves).
pub struct Gen<'a> {
    data: &'a [u8],
    pos: usize,
    nodes: usize,
}

impl<'a> Gen<'a> {
    /// A generator reading `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Gen {
            data,
            pos: 0,
            nodes: 0,
        }
    }

    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    fn exhausted(&self) -> bool {
        self.pos >= self.data.len()
    }

    /// `0..=max`.
    fn upto(&mut self, max: usize) -> usize {
        usize::from(self.byte()) % (max + 1)
    }

    fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = self.upto(max);
        (0..n).map(|_| self.byte()).collect()
    }

    /// A line's text: without CR and LF unless the flag byte says otherwise.
    fn line(&mut self) -> Vec<u8> {
        let raw = self.byte() % 8 == 7;
        let mut text = self.bytes(24);
        if !raw {
            text.retain(|&b| b != b'\r' && b != b'\n');
        }
        text
    }

    fn digits(&mut self, max: usize) -> String {
        let n = 1 + self.upto(max - 1);
        (0..n)
            .map(|_| char::from(b'0' + self.byte() % 10))
            .collect()
    }

    fn sign(&mut self) -> &'static str {
        ["", "-", "+"][usize::from(self.byte() % 3)]
    }

    fn double_text(&mut self) -> String {
        let form = self.byte();
        if form % 16 == 15 {
            // Anything at all: mostly not a double.
            return String::from_utf8_lossy(&self.bytes(12)).into_owned();
        }
        let mut text = self.sign().to_owned();
        match form % 8 {
            0 => text.push_str("inf"),
            1 => text.push_str("nan"),
            _ => {
                text.push_str(&self.digits(20));
                if form & 0x10 != 0 {
                    text.push('.');
                    text.push_str(&self.digits(20));
                }
                if form & 0x20 != 0 {
                    text.push(if form & 0x40 != 0 { 'e' } else { 'E' });
                    text.push_str(self.sign());
                    text.push_str(&self.digits(4));
                }
            }
        }
        text
    }

    fn big_number_text(&mut self) -> String {
        if self.byte() % 16 == 15 {
            return String::from_utf8_lossy(&self.bytes(12)).into_owned();
        }
        let sign = self.sign();
        sign.to_owned() + &self.digits(60)
    }

    fn integer(&mut self) -> i64 {
        match self.byte() % 4 {
            0 => i64::from(self.byte()) - 128,
            1 => i64::MIN,
            2 => i64::MAX,
            _ => {
                let mut bytes = [0u8; 8];
                bytes.iter_mut().for_each(|b| *b = self.byte());
                i64::from_le_bytes(bytes)
            }
        }
    }

    fn items(&mut self, depth: usize) -> Vec<OwnedFrame> {
        let n = self.upto(5);
        (0..n).map(|_| self.frame(depth - 1)).collect()
    }

    fn pairs(&mut self, depth: usize) -> Vec<(OwnedFrame, OwnedFrame)> {
        let n = self.upto(3);
        (0..n)
            .map(|_| (self.frame(depth - 1), self.frame(depth - 1)))
            .collect()
    }

    /// A frame at most `depth` aggregates deep.
    pub fn frame(&mut self, depth: usize) -> OwnedFrame {
        self.nodes += 1;
        let pick = self.byte();
        let leaves_only = depth == 0 || self.nodes > MAX_NODES || self.exhausted();
        let kind = if leaves_only { pick % 12 } else { pick % 18 };
        match kind {
            0 => Frame::Simple(self.line().into()),
            1 => Frame::Error(self.line().into()),
            2 => Frame::Integer(self.integer()),
            3 => Frame::Bulk(self.bytes(40).into()),
            4 => [Frame::NullBulk, Frame::NullArray, Frame::Null][self.upto(2)].clone(),
            5 => Frame::Boolean(self.byte() % 2 == 1),
            6 => Frame::Double(self.double_text().into()),
            7 => Frame::BigNumber(self.big_number_text().into()),
            8 => Frame::BulkError(self.bytes(40).into()),
            9 => Frame::Verbatim {
                format: [self.byte(), self.byte(), self.byte()],
                text: self.bytes(40).into(),
            },
            10 => {
                let mut bytes = [0u8; 8];
                bytes.iter_mut().for_each(|b| *b = self.byte());
                Frame::double(f64::from_le_bytes(bytes))
            }
            11 => Frame::Bulk(Vec::new().into()),
            12 => Frame::Array(self.items(depth)),
            13 => Frame::Set(self.items(depth)),
            14 => Frame::Push(self.items(depth)),
            15 => Frame::Map(self.pairs(depth)),
            _ => Frame::Attributed(Box::new(resp_core::Attributed {
                attributes: self.pairs(depth),
                frame: self.frame(depth - 1),
            })),
        }
    }
}

// ---------------------------------------------------------------------------
// topology

/// The host that "answered" the replies, for empty endpoints.
const ANSWERED_BY: &str = "10.0.0.9";

/// Every response policy, to combine arbitrary replies with.
const POLICIES: [ResponsePolicy; 9] = [
    ResponsePolicy::Default,
    ResponsePolicy::OneSucceeded,
    ResponsePolicy::AllSucceeded,
    ResponsePolicy::AggLogicalAnd,
    ResponsePolicy::AggLogicalOr,
    ResponsePolicy::AggMin,
    ResponsePolicy::AggMax,
    ResponsePolicy::AggSum,
    ResponsePolicy::Special,
];

/// The frames of the input, read as topology replies and combined as
/// replies of several nodes; its lines, read as redirects and as commands
/// to plan.
pub fn check_topology(data: &[u8]) {
    let frames = run_whole(Decoder::new(), data).items;
    for frame in &frames {
        let shards = Topology::from_shards(frame, ANSWERED_BY);
        let slots = Topology::from_slots(frame, ANSWERED_BY);
        for topology in [shards, slots].into_iter().flatten() {
            assert_consistent(&topology, data);
        }
    }
    // The same bytes as a CLUSTER NODES text: the parse stays in bounds,
    // and a map built from it is consistent.
    let text = String::from_utf8_lossy(data);
    if let Ok(entries) = parse_nodes(&text) {
        for entry in &entries {
            for &(from, to) in &entry.slots {
                assert!(from <= to && to < 16384, "slots {from}-{to}");
            }
            for (slot, _) in entry.migrating.iter().chain(&entry.importing) {
                assert!(*slot < 16384, "open slot {slot}");
            }
        }
        if let Ok(topology) = Topology::from_nodes(&text, ANSWERED_BY) {
            assert_consistent(&topology, data);
        }
    }
    let names: Vec<String> = (0..frames.len()).map(|i| format!("node{i}")).collect();
    for policy in POLICIES {
        let _ = aggregate(policy, frames.clone(), &names);
    }

    for line in data.split(|&b| b == b'\n').take(64) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if let Some(redirect) = Redirect::parse(line) {
            assert_redirect_roundtrip(&redirect);
        }
        if let Ok(args) = split_args(line) {
            let argv: Vec<&[u8]> = args.iter().map(Vec::as_slice).collect();
            match plan(&argv) {
                Plan::Slot(slot) => assert!(slot < 16384, "slot {slot}"),
                Plan::Split(split) => assert_split(&split, &argv, &frames),
                _ => {}
            }
        }
    }
}

/// The map's views agree with each other, and patching and remapping do
/// what they say.
fn assert_consistent(topology: &Topology, data: &[u8]) {
    assert!(
        topology.nodes().len() <= resp_core::cluster::MAX_NODES,
        "{} nodes",
        topology.nodes().len()
    );
    let mut covered = 0;
    for slot in 0..16384u16 {
        let Some(primary) = topology.primary(slot) else {
            assert_eq!(
                topology.replicas(slot).count(),
                0,
                "replicas of unserved slot {slot}"
            );
            continue;
        };
        covered += 1;
        assert!(primary.primary, "slot {slot} served by a replica");
        assert!(
            topology.nodes().contains(primary),
            "slot {slot}'s primary not listed"
        );
        for replica in topology.replicas(slot) {
            assert!(!replica.primary, "slot {slot} has a primary as replica");
            assert!(topology.nodes().contains(replica), "replica not listed");
        }
    }
    assert_eq!(topology.covered(), covered, "covered()");

    let mut endpoints: Vec<&Endpoint> = topology.primaries().map(|n| &n.endpoint).collect();
    endpoints.sort();
    endpoints.dedup();
    let by_endpoint: usize = endpoints.iter().map(|e| topology.slots_of(e).len()).sum();
    assert_eq!(by_endpoint, covered, "slots_of over the primaries");

    assert_eq!(
        topology.shares_node_with(topology),
        !topology.nodes().is_empty(),
        "shares_node_with itself"
    );
    assert_eq!(
        &topology.remapped(&|e| e.clone()),
        topology,
        "identity remap"
    );

    let slot = (fnv(data, 11) % 16384) as u16;
    let target = Endpoint::new("patched.invalid", 1);
    let mut patched = topology.clone();
    patched.patch(slot, target.clone());
    assert_eq!(
        patched.primary(slot).map(|n| &n.endpoint),
        Some(&target),
        "patch"
    );
    let gained = usize::from(topology.primary(slot).is_none());
    assert_eq!(patched.covered(), covered + gained, "covered() after patch");
    for other in [0, 1, 8191, 16383, slot ^ 1] {
        if other != slot {
            assert_eq!(
                patched.primary(other).map(|n| &n.endpoint),
                topology.primary(other).map(|n| &n.endpoint),
                "patching slot {slot} moved slot {other}"
            );
        }
    }
}

/// A parsed redirect, written back as Redis writes it, parses to itself.
fn assert_redirect_roundtrip(redirect: &Redirect) {
    assert!(redirect.slot < 16384 && redirect.port > 0, "{redirect:?}");
    let kind = match redirect.kind {
        RedirectKind::Moved => "MOVED",
        RedirectKind::Ask => "ASK",
    };
    let endpoint = Endpoint::new(redirect.host.clone(), redirect.port);
    let line = format!("{kind} {} {endpoint}", redirect.slot);
    assert_eq!(
        Redirect::parse(line.as_bytes()).as_ref(),
        Some(redirect),
        "{line:?} parses differently"
    );
}

/// A split command's parts cover each key once, each part in one slot, and
/// the parts' replies combine without panicking, whatever their shape.
fn assert_split(split: &Split, argv: &[&[u8]], frames: &[Frame<'static>]) {
    let mut ranks = vec![false; split.keys];
    let mut used = vec![false; argv.len()];
    for part in &split.parts {
        assert!(!part.keys.is_empty(), "a part without keys");
        assert!(
            part.args.windows(2).all(|w| w[0] < w[1]),
            "args out of order"
        );
        for &i in &part.args {
            assert!(i >= 1 && i < argv.len(), "argument {i} of {}", argv.len());
            assert!(!std::mem::replace(&mut used[i], true), "argument {i} twice");
        }
        for &rank in &part.keys {
            assert!(rank < split.keys, "key rank {rank} of {}", split.keys);
            assert!(
                !std::mem::replace(&mut ranks[rank], true),
                "key rank {rank} twice"
            );
        }
        let first = part.args[0];
        assert_eq!(
            key_slot(argv[first]),
            part.slot,
            "a part's first key in another slot"
        );
    }
    assert!(ranks.iter().all(|&r| r), "a key in no part");
    // Every key comes with as many arguments as every other (`MSET k v`):
    // a command with a key short of its arguments is never split, where
    // one part would run alone.
    let per_key = split.parts[0].args.len() / split.parts[0].keys.len();
    for part in &split.parts {
        assert_eq!(
            part.args.len(),
            part.keys.len() * per_key,
            "a split part whose keys do not all have their arguments"
        );
    }
    let slots: std::collections::HashSet<u16> = split.parts.iter().map(|p| p.slot).collect();
    assert_eq!(slots.len(), split.parts.len(), "two parts for one slot");

    // Well-shaped replies: one element per key, back in key order.
    let replies = split
        .parts
        .iter()
        .map(|p| Frame::Array(p.keys.iter().map(|&k| Frame::Integer(k as i64)).collect()))
        .collect();
    if split.response == ResponsePolicy::Default {
        let merged = merge_split(split, replies);
        let expected: Vec<Frame<'static>> =
            (0..split.keys).map(|k| Frame::Integer(k as i64)).collect();
        assert_eq!(merged, Frame::Array(expected), "merge_split order");
    } else {
        let _ = merge_split(split, replies);
    }
    // Arbitrary replies.
    let arbitrary = split
        .parts
        .iter()
        .enumerate()
        .map(|(i, _)| frames.get(i).cloned().unwrap_or(Frame::Null))
        .collect();
    let _ = merge_split(split, arbitrary);
}
