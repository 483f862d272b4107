//! Workloads and decoder drivers for the decode-throughput benchmark
//! (`cargo bench -p benches --bench decode`).
//!
//! Every driver decodes a buffer that holds many replies back to back the
//! way its crate documents: decode one frame, advance by what it consumed,
//! repeat. Each one builds the full value tree of its crate for every reply
//! and hands it to [`std::hint::black_box`] before dropping it, so all of
//! them pay for allocation and deallocation alike.
//!
//! Besides the timed drivers, [`Shape`] walkers summarise what each decoder
//! produced (frames, aggregates, leaves, string bytes, integer sum), so the
//! benchmark can check outside the timed part that all decoders saw the same
//! replies.

use std::hint::black_box;

use bytes::Bytes;

pub mod measure;
pub mod workload;

/// What a decoder made of a whole buffer: equal shapes mean the decoders
/// agree on every reply's structure and on every string's length.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Shape {
    /// Top-level replies.
    pub frames: usize,
    /// Arrays, maps, sets and pushes at any depth.
    pub aggregates: usize,
    /// Non-aggregate values at any depth (map keys and values included).
    pub leaves: usize,
    /// Total bytes of bulk and simple strings (and errors).
    pub string_bytes: usize,
    /// Wrapping sum of all integers.
    pub int_sum: i64,
}

impl Shape {
    fn string(&mut self, len: usize) {
        self.leaves += 1;
        self.string_bytes += len;
    }

    fn int(&mut self, i: i64) {
        self.leaves += 1;
        self.int_sum = self.int_sum.wrapping_add(i);
    }
}

// ---------------------------------------------------------------------------
// resp-core
// ---------------------------------------------------------------------------

/// resp-core: `Decoder::decode`, borrowing `Frame`s; decodes RESP2 and RESP3.
pub fn resp_core(buf: &[u8]) -> usize {
    let mut decoder = resp_core::Decoder::new();
    let mut rest = buf;
    let mut frames = 0;
    while !rest.is_empty() {
        match decoder.decode(rest) {
            Ok(resp_core::Status::Complete((frame, used))) => {
                black_box(frame);
                rest = &rest[used..];
                frames += 1;
            }
            other => panic!("resp-core: {other:?} at frame {frames}"),
        }
    }
    frames
}

/// The [`Shape`] of what resp-core decodes from `buf`.
pub fn resp_core_shape(buf: &[u8]) -> Shape {
    fn walk(f: &resp_core::Frame<'_>, s: &mut Shape) {
        use resp_core::Frame as F;
        match f {
            F::Simple(b) | F::Error(b) | F::Bulk(b) | F::BulkError(b) => s.string(b.len()),
            F::Integer(i) => s.int(*i),
            F::Array(items) | F::Set(items) | F::Push(items) => {
                s.aggregates += 1;
                items.iter().for_each(|i| walk(i, s));
            }
            F::Map(pairs) => {
                s.aggregates += 1;
                for (k, v) in pairs {
                    walk(k, s);
                    walk(v, s);
                }
            }
            _ => s.leaves += 1,
        }
    }
    let mut shape = Shape::default();
    let mut decoder = resp_core::Decoder::new();
    let mut rest = buf;
    while !rest.is_empty() {
        let Ok(resp_core::Status::Complete((frame, used))) = decoder.decode(rest) else {
            panic!("resp-core failed at frame {}", shape.frames);
        };
        walk(&frame, &mut shape);
        shape.frames += 1;
        rest = &rest[used..];
    }
    shape
}

// ---------------------------------------------------------------------------
// redis-protocol, RESP2
// ---------------------------------------------------------------------------

/// redis-protocol `resp2::decode::decode`: an `OwnedFrame` per reply.
pub fn rp2_owned(buf: &[u8]) -> usize {
    use redis_protocol::resp2::decode::decode;
    let mut rest = buf;
    let mut frames = 0;
    while !rest.is_empty() {
        let (frame, used) = decode(rest).expect("valid").expect("complete");
        black_box(frame);
        rest = &rest[used..];
        frames += 1;
    }
    frames
}

/// redis-protocol `resp2::decode::decode_range`: a `RangeFrame` (byte
/// ranges into the buffer) per reply; its zero-copy core.
pub fn rp2_range(buf: &[u8]) -> usize {
    use redis_protocol::resp2::decode::decode_range;
    let mut rest = buf;
    let mut frames = 0;
    while !rest.is_empty() {
        let (frame, used) = decode_range(rest).expect("valid").expect("complete");
        black_box(frame);
        rest = &rest[used..];
        frames += 1;
    }
    frames
}

/// redis-protocol `resp2::decode::decode_bytes`: a `BytesFrame` per reply
/// whose strings are `Bytes` slices of the shared buffer (zero-copy).
pub fn rp2_bytes(buf: &Bytes) -> usize {
    use redis_protocol::resp2::decode::decode_bytes;
    let mut rest = buf.clone();
    let mut frames = 0;
    while !rest.is_empty() {
        let (frame, used) = decode_bytes(&rest).expect("valid").expect("complete");
        black_box(frame);
        rest = rest.slice(used..);
        frames += 1;
    }
    frames
}

/// The [`Shape`] of what redis-protocol's RESP2 decoder makes of `buf`,
/// walking both its owned and its range frames (which must agree).
pub fn rp2_shape(buf: &[u8]) -> Shape {
    use redis_protocol::resp2::decode::{decode, decode_range};
    use redis_protocol::resp2::types::{OwnedFrame as O, RangeFrame as R};
    fn owned(f: &O, s: &mut Shape) {
        match f {
            O::SimpleString(b) | O::BulkString(b) => s.string(b.len()),
            O::Error(e) => s.string(e.len()),
            O::Integer(i) => s.int(*i),
            O::Array(items) => {
                s.aggregates += 1;
                items.iter().for_each(|i| owned(i, s));
            }
            O::Null => s.leaves += 1,
        }
    }
    fn range(f: &R, s: &mut Shape) {
        match f {
            R::SimpleString(r) | R::BulkString(r) | R::Error(r) => s.string(r.1 - r.0),
            R::Integer(i) => s.int(*i),
            R::Array(items) => {
                s.aggregates += 1;
                items.iter().for_each(|i| range(i, s));
            }
            R::Null => s.leaves += 1,
        }
    }
    let (mut a, mut b) = (Shape::default(), Shape::default());
    let mut rest = buf;
    while !rest.is_empty() {
        let (f, used) = decode(rest).expect("valid").expect("complete");
        owned(&f, &mut a);
        let (f, used_range) = decode_range(rest).expect("valid").expect("complete");
        range(&f, &mut b);
        assert_eq!(used, used_range);
        a.frames += 1;
        b.frames += 1;
        rest = &rest[used..];
    }
    assert_eq!(a, b, "redis-protocol owned and range frames disagree");
    a
}

// ---------------------------------------------------------------------------
// redis-protocol, RESP3
// ---------------------------------------------------------------------------

/// redis-protocol `resp3::decode::complete::decode`: an `OwnedFrame` per
/// reply (maps and sets are `HashMap`/`HashSet`).
pub fn rp3_owned(buf: &[u8]) -> usize {
    use redis_protocol::resp3::decode::complete::decode;
    let mut rest = buf;
    let mut frames = 0;
    while !rest.is_empty() {
        let (frame, used) = decode(rest).expect("valid").expect("complete");
        black_box(frame);
        rest = &rest[used..];
        frames += 1;
    }
    frames
}

/// redis-protocol `resp3::decode::complete::decode_range`: a `RangeFrame`.
pub fn rp3_range(buf: &[u8]) -> usize {
    use redis_protocol::resp3::decode::complete::decode_range;
    let mut rest = buf;
    let mut frames = 0;
    while !rest.is_empty() {
        let (frame, used) = decode_range(rest).expect("valid").expect("complete");
        black_box(frame);
        rest = &rest[used..];
        frames += 1;
    }
    frames
}

/// redis-protocol `resp3::decode::complete::decode_bytes`: a `BytesFrame`.
pub fn rp3_bytes(buf: &Bytes) -> usize {
    use redis_protocol::resp3::decode::complete::decode_bytes;
    let mut rest = buf.clone();
    let mut frames = 0;
    while !rest.is_empty() {
        let (frame, used) = decode_bytes(&rest).expect("valid").expect("complete");
        black_box(frame);
        rest = rest.slice(used..);
        frames += 1;
    }
    frames
}

/// The [`Shape`] of what redis-protocol's RESP3 decoder makes of `buf`,
/// walking both its owned and its range frames (which must agree).
pub fn rp3_shape(buf: &[u8]) -> Shape {
    use redis_protocol::resp3::decode::complete::{decode, decode_range};
    use redis_protocol::resp3::types::{OwnedFrame as O, RangeFrame as R};
    fn owned(f: &O, s: &mut Shape) {
        match f {
            O::SimpleString { data, .. }
            | O::BlobString { data, .. }
            | O::BlobError { data, .. } => s.string(data.len()),
            O::SimpleError { data, .. } => s.string(data.len()),
            O::Number { data, .. } => s.int(*data),
            O::Array { data, .. } | O::Push { data, .. } => {
                s.aggregates += 1;
                data.iter().for_each(|i| owned(i, s));
            }
            O::Set { data, .. } => {
                s.aggregates += 1;
                data.iter().for_each(|i| owned(i, s));
            }
            O::Map { data, .. } => {
                s.aggregates += 1;
                for (k, v) in data {
                    owned(k, s);
                    owned(v, s);
                }
            }
            _ => s.leaves += 1,
        }
    }
    fn range(f: &R, s: &mut Shape) {
        match f {
            R::SimpleString { data, .. }
            | R::BlobString { data, .. }
            | R::BlobError { data, .. }
            | R::SimpleError { data, .. } => s.string(data.1 - data.0),
            R::Number { data, .. } => s.int(*data),
            R::Array { data, .. } | R::Push { data, .. } => {
                s.aggregates += 1;
                data.iter().for_each(|i| range(i, s));
            }
            R::Set { data, .. } => {
                s.aggregates += 1;
                data.iter().for_each(|i| range(i, s));
            }
            R::Map { data, .. } => {
                s.aggregates += 1;
                for (k, v) in data {
                    range(k, s);
                    range(v, s);
                }
            }
            _ => s.leaves += 1,
        }
    }
    let (mut a, mut b) = (Shape::default(), Shape::default());
    let mut rest = buf;
    while !rest.is_empty() {
        let (f, used) = decode(rest).expect("valid").expect("complete");
        owned(&f, &mut a);
        let (f, used_range) = decode_range(rest).expect("valid").expect("complete");
        range(&f, &mut b);
        assert_eq!(used, used_range);
        a.frames += 1;
        b.frames += 1;
        rest = &rest[used..];
    }
    assert_eq!(a, b, "redis-protocol owned and range frames disagree");
    a
}

// ---------------------------------------------------------------------------
// redis-rs
// ---------------------------------------------------------------------------

/// redis-rs `redis::Parser::parse_value`, called repeatedly on one reader
/// holding the whole stream, as its docs describe for several values behind
/// one reader; a `redis::Value` per reply. It reads from the reader into a
/// buffer of its own, like it does from a socket.
pub fn redis_rs(buf: &[u8]) -> usize {
    redis_rs_each(buf, |v| {
        black_box(v);
    })
}

/// Decodes every value with redis-rs, handing each to `each`; answers the
/// number of values. Stops at the end of `buf` (a parse error with the
/// reader drained); panics on any other error.
fn redis_rs_each(buf: &[u8], mut each: impl FnMut(redis::Value)) -> usize {
    let mut parser = redis::Parser::new();
    let mut reader: &[u8] = buf;
    let mut frames = 0;
    loop {
        match parser.parse_value(&mut reader) {
            Ok(v) => {
                each(v);
                frames += 1;
            }
            Err(e) if reader.is_empty() && e.is_unrecoverable_error() => return frames,
            Err(e) => panic!("redis-rs: {e} at frame {frames}"),
        }
    }
}

/// The [`Shape`] of what redis-rs makes of `buf`.
pub fn redis_rs_shape(buf: &[u8]) -> Shape {
    use redis::Value as V;
    fn walk(v: &V, s: &mut Shape) {
        match v {
            V::Okay => s.string(2),
            V::SimpleString(t) => s.string(t.len()),
            V::BulkString(b) => s.string(b.len()),
            V::Int(i) => s.int(*i),
            V::Array(items) | V::Set(items) => {
                s.aggregates += 1;
                items.iter().for_each(|i| walk(i, s));
            }
            V::Map(pairs) => {
                s.aggregates += 1;
                for (k, v) in pairs {
                    walk(k, s);
                    walk(v, s);
                }
            }
            V::Push { data, .. } => {
                s.aggregates += 1;
                data.iter().for_each(|i| walk(i, s));
            }
            _ => s.leaves += 1,
        }
    }
    let mut shape = Shape::default();
    shape.frames = redis_rs_each(buf, |v| walk(&v, &mut shape));
    shape
}

/// Copies `buf` into the reference-counted buffer the `Bytes` drivers take.
pub fn shared(buf: &[u8]) -> Bytes {
    Bytes::copy_from_slice(buf)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The benchmark's precondition, on small streams: every decoder sees
    /// the same replies, and every timed driver counts them all.
    #[test]
    fn decoders_agree_on_small_streams() {
        let resp2 = workload::resp2(7, 64 << 10);
        let shape = resp_core_shape(&resp2.bytes);
        assert_eq!(shape.frames, resp2.replies);
        assert_eq!(rp2_shape(&resp2.bytes), shape);
        assert_eq!(redis_rs_shape(&resp2.bytes), shape);
        let shared2 = shared(&resp2.bytes);
        for n in [
            resp_core(&resp2.bytes),
            rp2_owned(&resp2.bytes),
            rp2_range(&resp2.bytes),
            rp2_bytes(&shared2),
            redis_rs(&resp2.bytes),
        ] {
            assert_eq!(n, resp2.replies);
        }

        let resp3 = workload::resp3(7, 64 << 10);
        let shape = resp_core_shape(&resp3.bytes);
        assert_eq!(shape.frames, resp3.replies);
        assert_eq!(rp3_shape(&resp3.bytes), shape);
        assert_eq!(redis_rs_shape(&resp3.bytes), shape);
        let shared3 = shared(&resp3.bytes);
        for n in [
            resp_core(&resp3.bytes),
            rp3_owned(&resp3.bytes),
            rp3_range(&resp3.bytes),
            rp3_bytes(&shared3),
            redis_rs(&resp3.bytes),
        ] {
            assert_eq!(n, resp3.replies);
        }
    }

    #[test]
    fn workloads_are_deterministic() {
        let a = workload::resp2(workload::SEED, 32 << 10);
        let b = workload::resp2(workload::SEED, 32 << 10);
        assert_eq!(a.bytes, b.bytes);
        assert!(a.bytes.len() >= 32 << 10);
    }
}
