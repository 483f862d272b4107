//! One-pass decoding of a frame that lies whole in the buffer.
//!
//! Most replies arrive whole, and most are plain: bulk strings, integers,
//! status lines, arrays of those. For them this path builds the [`Frame`]
//! straight from the bytes, without the token tape and the second pass the
//! resumable path needs. Anything else (a partial frame, an error of any
//! kind, a limit reached, streamed types, attributes, deep nesting) makes it
//! give up, and the resumable path decodes the frame from the start; so a
//! malformed or partial frame is read at most twice, and every error is
//! reported by one implementation.
//!
//! Nesting recurses, at most [`MAX_DEPTH`] levels; deeper frames take the
//! resumable path, which keeps an explicit stack.

use std::borrow::Cow;
use std::mem::MaybeUninit;

use super::number::{is_big_number, is_double};
use crate::{Frame, Limits};

/// Deeper frames take the resumable path, which has no recursion.
const MAX_DEPTH: usize = 16;

/// The longest number line this path reads, from its type byte to its CR:
/// a type byte, a sign and 18 digits. With a smaller line limit every
/// frame takes the resumable path, so that this path need not check the
/// limit on every number.
const NUMBER_LINE: usize = 20;

/// The limits this path checks, taken from [`Limits`] once per decoder.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Bounds {
    bulk_len: u64,
    line_len: usize,
    aggregate_len: u64,
    /// How many aggregates may open, at most [`MAX_DEPTH`].
    depth: usize,
}

impl Bounds {
    /// The bounds for `limits`, or `None` when the line limit is too small
    /// for this path (see [`NUMBER_LINE`]).
    pub(crate) fn new(limits: &Limits) -> Option<Bounds> {
        (limits.line_len() >= NUMBER_LINE).then(|| Bounds {
            bulk_len: limits.bulk_len() as u64,
            line_len: limits.line_len(),
            aggregate_len: limits.aggregate_len() as u64,
            depth: MAX_DEPTH.min(limits.depth()),
        })
    }
}

// The commonest replies have entry points of their own that hand back what
// the frame is made of, so that the decoder builds each frame straight in
// its return value rather than copying one returned from here.

/// A bulk string reply (`buf` starts with `$`), `None` inside for the null
/// bulk string; and the bytes used.
#[inline(always)]
pub(crate) fn bulk_reply<'b>(buf: &'b [u8], cx: &Bounds) -> Option<(Option<&'b [u8]>, usize)> {
    if let Some((bytes, after)) = short_bulk(buf, cx) {
        return Some((Some(bytes), buf.len() - after.len()));
    }
    let Some((len, data)) = number(buf, 1) else {
        return Some((None, null_bulk(buf, 1)?));
    };
    if len > cx.bulk_len {
        return None;
    }
    let (bytes, next) = payload(buf, data, len as usize)?;
    Some((Some(bytes), next))
}

/// An integer reply (`buf` starts with `:`) and the bytes used.
#[inline(always)]
pub(crate) fn integer_reply(buf: &[u8]) -> Option<(i64, usize)> {
    integer(buf, 1)
}

/// A status reply's text (`buf` starts with `+`) and the bytes used.
#[inline(always)]
pub(crate) fn simple_reply<'b>(buf: &'b [u8], cx: &Bounds) -> Option<(&'b [u8], usize)> {
    line(buf, 1, cx)
}

/// An array or set reply's elements (`buf` starts with `*` or `~`) and
/// the bytes used.
#[inline(always)]
pub(crate) fn items_reply<'b>(buf: &'b [u8], cx: &Bounds) -> Option<(Vec<Frame<'b>>, usize)> {
    if cx.depth == 0 {
        return None;
    }
    let (n, pos) = count(buf, 1, 1, cx)?;
    items(buf, pos, n, cx.depth - 1, cx)
}

/// A map reply's pairs (`buf` starts with `%`) and the bytes used.
#[inline(always)]
pub(crate) fn map_reply<'b>(
    buf: &'b [u8],
    cx: &Bounds,
) -> Option<(Vec<(Frame<'b>, Frame<'b>)>, usize)> {
    if cx.depth == 0 {
        return None;
    }
    let (n, pos) = count(buf, 1, 2, cx)?;
    pairs(buf, pos, n, cx.depth - 1, cx)
}

/// A double reply's text (`buf` starts with `,`) and the bytes used.
#[inline(always)]
pub(crate) fn double_reply<'b>(buf: &'b [u8], cx: &Bounds) -> Option<(&'b str, usize)> {
    double(buf, 1, cx)
}

/// Any other reply and the bytes used.
#[inline(always)]
pub(crate) fn other_reply<'b>(buf: &'b [u8], cx: &Bounds) -> Option<(Frame<'b>, usize)> {
    value(buf, 0, cx.depth, true, cx)
}

/// Any frame at `pos`, and the index after it; `depth` is how many
/// aggregates may still open.
fn value<'b>(
    buf: &'b [u8],
    pos: usize,
    depth: usize,
    top: bool,
    cx: &Bounds,
) -> Option<(Frame<'b>, usize)> {
    let ty = *buf.get(pos)?;
    let pos = pos + 1;
    let text = |(line, next): (&'b [u8], usize)| (Cow::Borrowed(line), next);
    Some(match ty {
        b'$' => return bulk(buf, pos, cx),
        b':' => {
            let (n, next) = integer(buf, pos)?;
            (Frame::Integer(n), next)
        }
        b'+' => {
            let (line, next) = text(line(buf, pos, cx)?);
            (Frame::Simple(line), next)
        }
        b'-' => {
            let (line, next) = text(line(buf, pos, cx)?);
            (Frame::Error(line), next)
        }
        b'*' | b'~' | b'>' => {
            let (n, pos) = count(buf, pos, 1, cx)?;
            if depth == 0 || (ty == b'>' && !top) {
                return None;
            }
            let (items, next) = items(buf, pos, n, depth - 1, cx)?;
            let frame = match ty {
                b'*' => Frame::Array(items),
                b'~' => Frame::Set(items),
                _ => Frame::Push(items),
            };
            (frame, next)
        }
        b'%' => {
            let (n, pos) = count(buf, pos, 2, cx)?;
            if depth == 0 {
                return None;
            }
            let (pairs, next) = pairs(buf, pos, n, depth - 1, cx)?;
            (Frame::Map(pairs), next)
        }
        b'_' => (Frame::Null, crlf(buf, pos)?),
        b'#' => {
            let b = match buf.get(pos)? {
                b't' => true,
                b'f' => false,
                _ => return None,
            };
            (Frame::Boolean(b), crlf(buf, pos + 1)?)
        }
        b',' => {
            let (text, next) = double(buf, pos, cx)?;
            (Frame::Double(Cow::Borrowed(text)), next)
        }
        b'(' => {
            let (line, next) = line(buf, pos, cx)?;
            if !is_big_number(line) {
                return None;
            }
            let text = std::str::from_utf8(line).ok()?;
            (Frame::BigNumber(Cow::Borrowed(text)), next)
        }
        b'!' => {
            let (len, data) = length(buf, pos, cx)?;
            let (bytes, next) = payload(buf, data, len)?;
            (Frame::BulkError(Cow::Borrowed(bytes)), next)
        }
        // Verbatim strings, attributes, streams and anything invalid.
        _ => return None,
    })
}

/// Writes the element at the start of `rest`, a tail of `buf`, into
/// `slot`; what follows it. Short bulk strings, the usual elements, are
/// read here; the rest in [`element_rest`], out of line so that the loops
/// calling this keep their state in registers.
#[inline(always)]
fn element<'b>(
    slot: &mut MaybeUninit<Frame<'b>>,
    buf: &'b [u8],
    rest: &'b [u8],
    depth: usize,
    cx: &Bounds,
) -> Option<&'b [u8]> {
    if let Some((bytes, after)) = short_bulk(rest, cx) {
        slot.write(Frame::Bulk(Cow::Borrowed(bytes)));
        return Some(after);
    }
    element_rest(slot, buf, buf.len() - rest.len(), depth, cx)
}

/// [`element`] for anything but a short bulk string, at `pos`; what
/// follows it. Integers, doubles, arrays and other bulk strings are written
/// in place; other frames come from [`value`].
#[inline(never)]
fn element_rest<'b>(
    slot: &mut MaybeUninit<Frame<'b>>,
    buf: &'b [u8],
    pos: usize,
    depth: usize,
    cx: &Bounds,
) -> Option<&'b [u8]> {
    // Each arm finds what follows before writing the slot, so that a slot
    // is written only when the element is complete.
    match *buf.get(pos)? {
        b'$' => {
            let Some((len, data)) = number(buf, pos + 1) else {
                let after = buf.get(null_bulk(buf, pos + 1)?..)?;
                slot.write(Frame::NullBulk);
                return Some(after);
            };
            if len > cx.bulk_len {
                return None;
            }
            let (bytes, next) = payload(buf, data, len as usize)?;
            let after = buf.get(next..)?;
            slot.write(Frame::Bulk(Cow::Borrowed(bytes)));
            Some(after)
        }
        b':' => {
            let (n, next) = integer(buf, pos + 1)?;
            let after = buf.get(next..)?;
            slot.write(Frame::Integer(n));
            Some(after)
        }
        b',' => {
            let (text, next) = double(buf, pos + 1, cx)?;
            let after = buf.get(next..)?;
            slot.write(Frame::Double(Cow::Borrowed(text)));
            Some(after)
        }
        b'*' if depth > 0 => {
            let (n, pos) = count(buf, pos + 1, 1, cx)?;
            let (items, next) = items(buf, pos, n, depth - 1, cx)?;
            let after = buf.get(next..)?;
            slot.write(Frame::Array(items));
            Some(after)
        }
        _ => {
            let (frame, next) = value(buf, pos, depth, false, cx)?;
            let after = buf.get(next..)?;
            slot.write(frame);
            Some(after)
        }
    }
}

/// The `n` elements of an array, set or push from `pos`, and the index
/// after them.
#[inline(never)]
fn items<'b>(
    buf: &'b [u8],
    pos: usize,
    n: usize,
    depth: usize,
    cx: &Bounds,
) -> Option<(Vec<Frame<'b>>, usize)> {
    // `count` bounded `n` by the bytes in the buffer.
    let mut items = Vec::with_capacity(n);
    let (filled, end) = match fill(&mut items.spare_capacity_mut()[..n], buf, pos, depth, cx) {
        Ok(end) => (n, Some(end)),
        Err(filled) => (filled, None),
    };
    // SAFETY: `fill` initialised the first `filled` slots, within the
    // capacity; on failure the frames written so far are dropped with the
    // vector.
    #[allow(unsafe_code)]
    unsafe {
        items.set_len(filled)
    };
    Some((items, end?))
}

/// Writes elements into `slots` in order from `pos`; the index after the
/// last, or how many were written before one failed.
///
/// Writing each frame straight into its slot spares `Vec::push`'s capacity
/// check and the copy of a frame built on the stack.
#[inline(always)]
fn fill<'b>(
    slots: &mut [MaybeUninit<Frame<'b>>],
    buf: &'b [u8],
    pos: usize,
    depth: usize,
    cx: &Bounds,
) -> Result<usize, usize> {
    let total = slots.len();
    let mut slots = slots.iter_mut();
    let mut rest = buf.get(pos..).ok_or(0usize)?;
    while let Some(slot) = slots.next() {
        rest = match element(slot, buf, rest, depth, cx) {
            Some(after) => after,
            None => return Err(total - slots.len() - 1),
        };
    }
    Ok(buf.len() - rest.len())
}

/// The `n` pairs of a map from `pos`, and the index after them.
#[inline(never)]
fn pairs<'b>(
    buf: &'b [u8],
    pos: usize,
    n: usize,
    depth: usize,
    cx: &Bounds,
) -> Option<(Vec<(Frame<'b>, Frame<'b>)>, usize)> {
    // `count` bounded `n` by the bytes in the buffer.
    let mut pairs = Vec::with_capacity(n);
    let (filled, end) = match fill_pairs(&mut pairs.spare_capacity_mut()[..n], buf, pos, depth, cx)
    {
        Ok(end) => (n, Some(end)),
        Err(filled) => (filled, None),
    };
    // SAFETY: `fill_pairs` initialised the first `filled` slots, within
    // the capacity; on failure the pairs written so far are dropped with
    // the vector.
    #[allow(unsafe_code)]
    unsafe {
        pairs.set_len(filled)
    };
    Some((pairs, end?))
}

/// [`fill`] for the pairs of a map: writes each key and value straight
/// into its place in the pair.
#[inline(always)]
fn fill_pairs<'b>(
    slots: &mut [MaybeUninit<(Frame<'b>, Frame<'b>)>],
    buf: &'b [u8],
    pos: usize,
    depth: usize,
    cx: &Bounds,
) -> Result<usize, usize> {
    let total = slots.len();
    let mut slots = slots.iter_mut();
    let mut rest = buf.get(pos..).ok_or(0usize)?;
    while let Some(slot) = slots.next() {
        let filled = total - slots.len() - 1;
        let pair = slot.as_mut_ptr();
        // SAFETY: the two fields of an uninitialised pair, as uninitialised
        // frames: `addr_of_mut!` makes no reference to the pair, and a
        // `MaybeUninit` may hold anything.
        #[allow(unsafe_code)]
        let (key, value) = unsafe {
            (
                &mut *std::ptr::addr_of_mut!((*pair).0).cast::<MaybeUninit<Frame<'b>>>(),
                &mut *std::ptr::addr_of_mut!((*pair).1).cast::<MaybeUninit<Frame<'b>>>(),
            )
        };
        rest = element(key, buf, rest, depth, cx).ok_or(filled)?;
        rest = match element(value, buf, rest, depth, cx) {
            Some(after) => after,
            None => {
                // SAFETY: `element` answered `Some` for the key, so it
                // initialised it; the pair is not counted, so nothing else
                // drops it.
                #[allow(unsafe_code)]
                unsafe {
                    key.assume_init_drop()
                };
                return Err(filled);
            }
        };
    }
    Ok(buf.len() - rest.len())
}

/// A bulk string with a length of one or two digits (`$N\r\n`,
/// `$NN\r\n`: the usual size of keys and small values) at the start of
/// `rest`, its header read from one 8-byte window; its bytes and what
/// follows it.
#[inline(always)]
fn short_bulk<'b>(rest: &'b [u8], cx: &Bounds) -> Option<(&'b [u8], &'b [u8])> {
    let w = u64::from_le_bytes(*rest.first_chunk::<8>()?);
    // `$`, bytes with high nibble 3, CRLF; adding 6 to each digit keeps its
    // high nibble 3 only for 0 to 9 (no carry between bytes).
    let (len, header) = if w & 0x00ff_fff0_f0ff == 0x000a_0d30_3024
        && (w + 0x0006_0600) & 0x00f0_f000 == 0x0030_3000
    {
        // The tens in byte 0 of `t`, the units in byte 1: one multiply
        // puts tens * 10 + units (at most 99, no carry) in byte 1.
        let t = (w >> 8) & 0x0f0f;
        (((t * 0x0a01) >> 8) & 0xff, 5)
    } else if w & 0xffff_f0ff == 0x0a0d_3024 && (w + 0x0600) & 0xf000 == 0x3000 {
        ((w >> 8) & 0xf, 4)
    } else {
        return None;
    };
    if len > cx.bulk_len {
        return None;
    }
    let (bytes, tail) = rest[header..].split_at_checked(len as usize)?;
    Some((bytes, tail.strip_prefix(b"\r\n")?))
}

/// A number of one or two digits then CRLF from `i`, the usual lengths and
/// counts, read at once from four bytes; anything else digit by digit.
#[inline(always)]
fn number(buf: &[u8], i: usize) -> Option<(u64, usize)> {
    if let Some(&window) = buf.get(i..i + 4).and_then(|w| <&[u8; 4]>::try_from(w).ok()) {
        let w = u32::from_le_bytes(window);
        // Two bytes with high nibble 3, then CRLF; adding 6 to each digit
        // keeps its high nibble 3 only for 0 to 9 (no carry between bytes).
        if w & 0xffff_f0f0 == 0x0a0d_3030 && (w + 0x0606) & 0xf0f0 == 0x3030 {
            let n = (w & 0xf) * 10 + ((w >> 8) & 0xf);
            return Some((u64::from(n), i + 4));
        }
        if w & 0x00ff_fff0 == 0x000a_0d30 && (w + 0x06) & 0xf0 == 0x30 {
            return Some((u64::from(w & 0xf), i + 3));
        }
    }
    digits(buf, i)
}

/// Digits then CRLF from `i`: 1 to 18 digits, so the value cannot
/// overflow. The value and the index after the CRLF.
#[inline(always)]
fn digits(buf: &[u8], mut i: usize) -> Option<(u64, usize)> {
    let start = i;
    let mut n: u64 = 0;
    let end = loop {
        let b = *buf.get(i)?;
        let d = b.wrapping_sub(b'0');
        if d > 9 {
            break b;
        }
        // Wrapping: more than 18 digits are refused below anyway.
        n = n.wrapping_mul(10).wrapping_add(u64::from(d));
        i += 1;
    };
    // NUMBER_LINE covers the line's length.
    if end != b'\r' || (i - start).wrapping_sub(1) >= 18 || buf.get(i + 1) != Some(&b'\n') {
        return None;
    }
    Some((n, i + 2))
}

/// CRLF at `pos`; the index after it.
#[inline]
fn crlf(buf: &[u8], pos: usize) -> Option<usize> {
    (buf.get(pos..pos + 2)? == b"\r\n").then_some(pos + 2)
}

/// `-1` CRLF at `pos`, after a `$`; the index after it.
#[inline]
fn null_bulk(buf: &[u8], pos: usize) -> Option<usize> {
    (buf.get(pos..pos + 4)? == b"-1\r\n").then_some(pos + 4)
}

/// After `$`: a bulk string or the null bulk string, and the index after it.
#[inline(always)]
fn bulk<'b>(buf: &'b [u8], pos: usize, cx: &Bounds) -> Option<(Frame<'b>, usize)> {
    if let Some((bytes, after)) = short_bulk(&buf[pos - 1..], cx) {
        return Some((Frame::Bulk(Cow::Borrowed(bytes)), buf.len() - after.len()));
    }
    let Some((len, data)) = number(buf, pos) else {
        return Some((Frame::NullBulk, null_bulk(buf, pos)?));
    };
    if len > cx.bulk_len {
        return None;
    }
    let (bytes, next) = payload(buf, data, len as usize)?;
    Some((Frame::Bulk(Cow::Borrowed(bytes)), next))
}

/// A blob length within the limit (not the null `-1`), and the index
/// after its CRLF.
#[inline(always)]
fn length(buf: &[u8], pos: usize, cx: &Bounds) -> Option<(usize, usize)> {
    let (n, next) = number(buf, pos)?;
    (n <= cx.bulk_len).then_some((n as usize, next))
}

/// An aggregate count of `n * per` elements that can all be in the
/// buffer (every element takes at least 3 bytes), so the allocation for
/// them is bounded by the input; and the index after its CRLF.
#[inline(always)]
fn count(buf: &[u8], pos: usize, per: u64, cx: &Bounds) -> Option<(usize, usize)> {
    let (n, next) = number(buf, pos)?;
    // At most 18 digits times 2, times 3: no overflow.
    let elements = n * per;
    let room = (buf.len() - next) as u64;
    (elements * 3 <= room && elements <= cx.aggregate_len).then_some((n as usize, next))
}

/// `len` bytes then CRLF from `data`; the bytes and the index after them.
#[inline(always)]
fn payload(buf: &[u8], data: usize, len: usize) -> Option<(&[u8], usize)> {
    let (bytes, tail) = buf.get(data..)?.split_at_checked(len)?;
    let after = tail.strip_prefix(b"\r\n")?;
    Some((bytes, buf.len() - after.len()))
}

/// An integer line after `:`, and the index after it.
#[inline(always)]
fn integer(buf: &[u8], pos: usize) -> Option<(i64, usize)> {
    let negative = buf.get(pos) == Some(&b'-');
    // At most 18 digits: no overflow.
    let (n, next) = number(buf, pos + usize::from(negative))?;
    let n = n as i64;
    Some((if negative { -n } else { n }, next))
}

/// A double's text after `,`, checked, and the index after it.
///
/// The decimal form, `[+-]?digits[.digits][(e|E)[+-]?digits]`, is checked
/// in the same pass that finds the CRLF; anything else (`inf`, `nan`, or
/// an invalid line) goes through [`line`] and [`is_double`].
#[inline(never)]
fn double<'b>(buf: &'b [u8], pos: usize, cx: &Bounds) -> Option<(&'b str, usize)> {
    let rest = buf.get(pos..)?;
    let digits = |mut i: usize| {
        while rest.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        i
    };
    let sign = |i: usize| i + usize::from(matches!(rest.get(i), Some(b'+' | b'-')));
    let start = sign(0);
    let mut end = digits(start);
    if end == start {
        let (line, next) = line(buf, pos, cx)?;
        return is_double(line).then_some((std::str::from_utf8(line).ok()?, next));
    }
    if rest.get(end) == Some(&b'.') {
        let frac = end + 1;
        end = digits(frac);
        if end == frac {
            return None;
        }
    }
    if matches!(rest.get(end), Some(b'e' | b'E')) {
        let exp = sign(end + 1);
        end = digits(exp);
        if end == exp {
            return None;
        }
    }
    if end + 1 > cx.line_len || rest.get(end..end + 2)? != b"\r\n" {
        return None;
    }
    let text = &rest[..end];
    // SAFETY: every byte of `text` was checked above to be an ASCII digit,
    // sign, point or exponent letter: it is ASCII, so UTF-8.
    #[allow(unsafe_code)]
    let text = unsafe { std::str::from_utf8_unchecked(text) };
    Some((text, pos + end + 2))
}

/// The rest of a line from `pos`, without bare CR or LF, and the index
/// after its CRLF.
#[inline(always)]
fn line<'b>(buf: &'b [u8], pos: usize, cx: &Bounds) -> Option<(&'b [u8], usize)> {
    let rest = buf.get(pos..)?;
    // Status lines and doubles are short: a plain loop beats a call.
    let len = rest.iter().position(|&b| b == b'\r' || b == b'\n')?;
    if len + 1 > cx.line_len || rest.get(len..len + 2)? != b"\r\n" {
        return None;
    }
    Some((&rest[..len], pos + len + 2))
}
