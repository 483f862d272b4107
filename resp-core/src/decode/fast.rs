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

use std::borrow::Cow;

use super::number::{is_big_number, is_double};
use crate::{Frame, Limits};

/// Deeper frames take the resumable path, which has no recursion.
const MAX_DEPTH: usize = 16;

/// The frame at the start of `buf` and the bytes it used, if `buf` holds
/// all of it and it is plain enough for this path.
#[inline]
pub(crate) fn decode_whole<'b>(buf: &'b [u8], limits: &Limits) -> Option<(Frame<'b>, usize)> {
    let mut reader = Reader {
        buf,
        pos: 0,
        limits,
    };
    // The commonest replies, built here so that they are not returned
    // through the recursive reader.
    let frame = match buf.first()? {
        b'$' => {
            reader.pos = 1;
            let len = reader.length()?;
            Frame::Bulk(Cow::Borrowed(reader.payload(len)?))
        }
        b':' => {
            reader.pos = 1;
            Frame::Integer(reader.integer()?)
        }
        b'+' => {
            reader.pos = 1;
            Frame::Simple(Cow::Borrowed(reader.line()?))
        }
        b'*' if limits.depth() > 0 => {
            reader.pos = 1;
            let n = reader.count(1)?;
            Frame::Array(reader.items(n, MAX_DEPTH.min(limits.depth()) - 1)?)
        }
        _ => reader.value(MAX_DEPTH.min(limits.depth()), true)?,
    };
    Some((frame, reader.pos))
}

/// Appends `frame` to `items`, which has room for it, writing it straight
/// into its slot.
///
/// `Vec::push` builds the frame on the stack with 8-byte stores and copies
/// it with 16-byte loads, which the CPU cannot forward: a stall on every
/// element, measured at about a quarter of the decoding time of arrays of
/// bulk strings. Writing through the spare capacity lets the compiler
/// store the frame in place.
#[inline(always)]
fn push_bulk<'b>(items: &mut Vec<Frame<'b>>, bytes: &'b [u8]) {
    let len = items.len();
    match items.spare_capacity_mut().first_mut() {
        Some(slot) => {
            slot.write(Frame::Bulk(Cow::Borrowed(bytes)));
            // SAFETY: the slot at index `len` was just initialised, and it
            // is within the capacity (it came from `spare_capacity_mut`).
            #[allow(unsafe_code)]
            unsafe {
                items.set_len(len + 1)
            };
        }
        None => items.push(Frame::Bulk(Cow::Borrowed(bytes))),
    }
}

struct Reader<'b, 'l> {
    buf: &'b [u8],
    pos: usize,
    limits: &'l Limits,
}

impl<'b> Reader<'b, '_> {
    /// `depth` is how many aggregates may still open.
    fn value(&mut self, depth: usize, top: bool) -> Option<Frame<'b>> {
        let ty = *self.buf.get(self.pos)?;
        self.pos += 1;
        Some(match ty {
            b'$' => {
                let len = self.length()?;
                Frame::Bulk(Cow::Borrowed(self.payload(len)?))
            }
            b':' => Frame::Integer(self.integer()?),
            b'+' => Frame::Simple(Cow::Borrowed(self.line()?)),
            b'-' => Frame::Error(Cow::Borrowed(self.line()?)),
            b'*' | b'~' | b'>' => {
                let n = self.count(1)?;
                if depth == 0 || (ty == b'>' && !top) {
                    return None;
                }
                let items = self.items(n, depth - 1)?;
                match ty {
                    b'*' => Frame::Array(items),
                    b'~' => Frame::Set(items),
                    _ => Frame::Push(items),
                }
            }
            b'%' => {
                let n = self.count(2)?;
                if depth == 0 {
                    return None;
                }
                let mut pairs = Vec::with_capacity(n);
                for _ in 0..n {
                    let key = self.value(depth - 1, false)?;
                    pairs.push((key, self.value(depth - 1, false)?));
                }
                Frame::Map(pairs)
            }
            b'_' => {
                self.crlf()?;
                Frame::Null
            }
            b'#' => {
                let b = match self.buf.get(self.pos)? {
                    b't' => true,
                    b'f' => false,
                    _ => return None,
                };
                self.pos += 1;
                self.crlf()?;
                Frame::Boolean(b)
            }
            b',' => {
                let line = self.line()?;
                if !is_double(line) {
                    return None;
                }
                Frame::Double(Cow::Borrowed(std::str::from_utf8(line).ok()?))
            }
            b'(' => {
                let line = self.line()?;
                if !is_big_number(line) {
                    return None;
                }
                Frame::BigNumber(Cow::Borrowed(std::str::from_utf8(line).ok()?))
            }
            b'!' => {
                let len = self.length()?;
                Frame::BulkError(Cow::Borrowed(self.payload(len)?))
            }
            // Verbatim strings, attributes, streams and anything invalid.
            _ => return None,
        })
    }

    /// The `n` elements of an array, set or push.
    #[inline(always)]
    fn items(&mut self, n: usize, depth: usize) -> Option<Vec<Frame<'b>>> {
        let mut items = Vec::with_capacity(n);
        for _ in 0..n {
            // Bulk strings and integers, the usual elements, without a call.
            if self.buf.get(self.pos) == Some(&b'$') {
                self.pos += 1;
                let len = self.length()?;
                let bytes = self.payload(len)?;
                push_bulk(&mut items, bytes);
            } else if self.buf.get(self.pos) == Some(&b':') {
                self.pos += 1;
                let n = self.integer()?;
                items.push(Frame::Integer(n));
            } else {
                items.push(self.value(depth, false)?);
            }
        }
        Some(items)
    }

    /// Digits then CRLF: at most 18 digits, so the sum cannot overflow.
    #[inline]
    fn digits(&mut self) -> Option<u64> {
        let rest = &self.buf[self.pos..];
        let mut n: u64 = 0;
        let mut i = 0;
        while let Some(&b) = rest.get(i) {
            let d = b.wrapping_sub(b'0');
            if d > 9 {
                break;
            }
            // Wrapping: more than 18 digits are refused below anyway.
            n = n.wrapping_mul(10).wrapping_add(u64::from(d));
            i += 1;
        }
        // The line, type byte and sign included, within its limit.
        if i == 0 || i > 18 || i + 2 > self.limits.line_len() || rest.get(i..i + 2)? != b"\r\n" {
            return None;
        }
        self.pos += i + 2;
        Some(n)
    }

    #[inline]
    fn crlf(&mut self) -> Option<()> {
        if self.buf.get(self.pos..self.pos + 2)? != b"\r\n" {
            return None;
        }
        self.pos += 2;
        Some(())
    }

    /// A blob length, not the null `-1` (the resumable path has it).
    #[inline]
    fn length(&mut self) -> Option<usize> {
        let n = self.digits()?;
        (n <= self.limits.bulk_len() as u64).then_some(n as usize)
    }

    /// An aggregate count of `n * per` elements that can all be in the
    /// buffer (every element takes at least 3 bytes), so the allocation for
    /// them is bounded by the input.
    #[inline]
    fn count(&mut self, per: u64) -> Option<usize> {
        let n = self.digits()?;
        let elements = n * per;
        let room = (self.buf.len() - self.pos) as u64 / 3;
        (elements <= room && elements <= self.limits.aggregate_len() as u64).then_some(n as usize)
    }

    #[inline]
    fn payload(&mut self, len: usize) -> Option<&'b [u8]> {
        let start = self.pos;
        let end = start.checked_add(len)?;
        if self.buf.get(end..end + 2)? != b"\r\n" {
            return None;
        }
        self.pos = end + 2;
        Some(&self.buf[start..end])
    }

    #[inline]
    fn integer(&mut self) -> Option<i64> {
        let negative = match self.buf.get(self.pos)? {
            b'-' => {
                self.pos += 1;
                true
            }
            _ => false,
        };
        let n = self.digits()? as i64;
        Some(if negative { -n } else { n })
    }

    /// The rest of a line, without bare CR or LF.
    #[inline]
    fn line(&mut self) -> Option<&'b [u8]> {
        let start = self.pos;
        let rest = &self.buf[start..];
        let len = rest.iter().position(|&b| b == b'\r' || b == b'\n')?;
        if len + 1 > self.limits.line_len() || rest.get(len..len + 2)? != b"\r\n" {
            return None;
        }
        self.pos = start + len + 2;
        Some(&rest[..len])
    }
}
