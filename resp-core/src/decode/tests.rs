//! Test vectors for the reply decoder, each decoded whole, from every two-way
//! split and byte by byte; hostile inputs with their exact outcome; proof
//! that resuming is linear.

use std::borrow::Cow;

use super::*;
use crate::{Attributed, Frame, OwnedFrame};

fn bulk(b: &'static [u8]) -> OwnedFrame {
    Frame::Bulk(Cow::Borrowed(b))
}
fn simple(b: &'static [u8]) -> OwnedFrame {
    Frame::Simple(Cow::Borrowed(b))
}
fn double(s: &'static str) -> OwnedFrame {
    Frame::Double(Cow::Borrowed(s))
}

/// Decodes `input` fed in the given pieces; returns the frames and the
/// final outcome (`Ok(true)` if the input ended exactly on a frame
/// boundary, `Ok(false)` if a frame is still partial).
fn feed(pieces: &[&[u8]], limits: Limits) -> (Vec<OwnedFrame>, Result<bool, Error>) {
    let mut decoder = Decoder::with_limits(limits);
    let mut buf = Vec::new();
    let mut frames = Vec::new();
    for piece in pieces {
        buf.extend_from_slice(piece);
        loop {
            match decoder.decode(&buf) {
                Ok(Status::Complete((frame, used))) => {
                    frames.push(frame.into_owned());
                    buf.drain(..used);
                }
                Ok(Status::Partial) => break,
                Err(e) => return (frames, Err(e)),
            }
        }
    }
    (frames, Ok(buf.is_empty()))
}

/// Asserts that every way of feeding `input` gives the same result as
/// feeding it whole.
fn all_splits(input: &[u8], limits: Limits) -> (Vec<OwnedFrame>, Result<bool, Error>) {
    let whole = feed(&[input], limits);
    for cut in 0..=input.len() {
        let (a, b) = input.split_at(cut);
        assert_eq!(feed(&[a, b], limits), whole, "split at {cut} of {input:?}");
    }
    let bytes: Vec<&[u8]> = input.chunks(1).collect();
    assert_eq!(feed(&bytes, limits), whole, "byte by byte: {input:?}");
    whole
}

fn frames(input: &[u8]) -> Vec<OwnedFrame> {
    let (frames, end) = all_splits(input, Limits::default());
    assert_eq!(end, Ok(true), "{input:?}");
    frames
}

fn one(input: &[u8]) -> OwnedFrame {
    let mut all = frames(input);
    assert_eq!(all.len(), 1, "{input:?}");
    all.pop().unwrap()
}

/// The outcome of a hostile input: its error, or `None` if it only waits.
fn outcome(input: &[u8], limits: Limits) -> Result<bool, Error> {
    all_splits(input, limits).1
}

fn err(input: &[u8]) -> (ErrorKind, u64) {
    let e = outcome(input, Limits::default()).expect_err("must fail");
    (e.kind(), e.offset())
}

#[test]
fn resp2_types() {
    assert_eq!(one(b"+OK\r\n"), simple(b"OK"));
    assert_eq!(one(b"+\r\n"), simple(b""));
    assert_eq!(
        one(b"-ERR unknown command 'foobar'\r\n"),
        Frame::Error(Cow::Borrowed(b"ERR unknown command 'foobar'"))
    );
    assert_eq!(one(b":1000\r\n"), Frame::Integer(1000));
    assert_eq!(one(b":-1\r\n"), Frame::Integer(-1));
    assert_eq!(one(b":+7\r\n"), Frame::Integer(7));
    assert_eq!(one(b":9223372036854775807\r\n"), Frame::Integer(i64::MAX));
    assert_eq!(one(b":-9223372036854775808\r\n"), Frame::Integer(i64::MIN));
    assert_eq!(one(b"$5\r\nhello\r\n"), bulk(b"hello"));
    assert_eq!(one(b"$0\r\n\r\n"), bulk(b""));
    assert_eq!(one(b"$4\r\na\r\nb\r\n"), bulk(b"a\r\nb"));
    assert_eq!(one(b"$-1\r\n"), Frame::NullBulk);
    assert_eq!(one(b"*0\r\n"), Frame::Array(vec![]));
    assert_eq!(one(b"*-1\r\n"), Frame::NullArray);
    assert_eq!(
        one(b"*2\r\n$3\r\nfoo\r\n$3\r\nbar\r\n"),
        Frame::Array(vec![bulk(b"foo"), bulk(b"bar")])
    );
    assert_eq!(
        one(b"*5\r\n:1\r\n:2\r\n:3\r\n:4\r\n$5\r\nhello\r\n"),
        Frame::Array(vec![
            Frame::Integer(1),
            Frame::Integer(2),
            Frame::Integer(3),
            Frame::Integer(4),
            bulk(b"hello")
        ])
    );
    assert_eq!(
        one(b"*2\r\n*3\r\n:1\r\n:2\r\n:3\r\n*2\r\n+Hello\r\n-World\r\n"),
        Frame::Array(vec![
            Frame::Array(vec![
                Frame::Integer(1),
                Frame::Integer(2),
                Frame::Integer(3)
            ]),
            Frame::Array(vec![
                simple(b"Hello"),
                Frame::Error(Cow::Borrowed(b"World"))
            ]),
        ])
    );
    assert_eq!(
        one(b"*3\r\n$3\r\nfoo\r\n$-1\r\n$3\r\nbar\r\n"),
        Frame::Array(vec![bulk(b"foo"), Frame::NullBulk, bulk(b"bar")])
    );
}

#[test]
fn resp3_types() {
    assert_eq!(one(b"_\r\n"), Frame::Null);
    assert_eq!(one(b"#t\r\n"), Frame::Boolean(true));
    assert_eq!(one(b"#f\r\n"), Frame::Boolean(false));
    for d in [
        "1.23", "10", "-1.5", "inf", "-inf", "nan", "1e10", "1.5E-3", "+2",
    ] {
        let input = format!(",{d}\r\n");
        assert_eq!(one(input.as_bytes()), double(d.to_owned().leak()));
    }
    assert_eq!(one(b",1.23\r\n").as_f64(), Some(1.23));
    assert_eq!(one(b",-inf\r\n").as_f64(), Some(f64::NEG_INFINITY));
    assert!(one(b",nan\r\n").as_f64().unwrap().is_nan());
    assert_eq!(
        one(b"(3492890328409238509324850943850943825024385\r\n"),
        Frame::BigNumber(Cow::Borrowed("3492890328409238509324850943850943825024385"))
    );
    assert_eq!(
        one(b"(-3492890328409238509324850943850943825024385\r\n"),
        Frame::BigNumber(Cow::Borrowed(
            "-3492890328409238509324850943850943825024385"
        ))
    );
    assert_eq!(
        one(b"!21\r\nSYNTAX invalid syntax\r\n"),
        Frame::BulkError(Cow::Borrowed(b"SYNTAX invalid syntax"))
    );
    assert_eq!(
        one(b"=15\r\ntxt:Some string\r\n"),
        Frame::Verbatim {
            format: *b"txt",
            text: Cow::Borrowed(b"Some string")
        }
    );
    assert_eq!(
        one(b"=4\r\nmkd:\r\n"),
        Frame::Verbatim {
            format: *b"mkd",
            text: Cow::Borrowed(b"")
        }
    );
    assert_eq!(
        one(b"%2\r\n+first\r\n:1\r\n+second\r\n:2\r\n"),
        Frame::Map(vec![
            (simple(b"first"), Frame::Integer(1)),
            (simple(b"second"), Frame::Integer(2))
        ])
    );
    assert_eq!(one(b"%0\r\n"), Frame::Map(vec![]));
    assert_eq!(
        one(b"~5\r\n+orange\r\n+apple\r\n#t\r\n:100\r\n:999\r\n"),
        Frame::Set(vec![
            simple(b"orange"),
            simple(b"apple"),
            Frame::Boolean(true),
            Frame::Integer(100),
            Frame::Integer(999)
        ])
    );
    assert_eq!(
        one(b">4\r\n+pubsub\r\n+message\r\n+somechannel\r\n+this is the message\r\n"),
        Frame::Push(vec![
            simple(b"pubsub"),
            simple(b"message"),
            simple(b"somechannel"),
            simple(b"this is the message")
        ])
    );
}

#[test]
fn attributes() {
    // The spec's example: an attribute before an array.
    let input = b"|1\r\n+key-popularity\r\n%2\r\n$1\r\na\r\n,0.1923\r\n$1\r\nb\r\n,0.0012\r\n*2\r\n:2039123\r\n:9543892\r\n";
    let attributes = vec![(
        simple(b"key-popularity"),
        Frame::Map(vec![
            (bulk(b"a"), double("0.1923")),
            (bulk(b"b"), double("0.0012")),
        ]),
    )];
    assert_eq!(
        one(input),
        Frame::Attributed(Box::new(Attributed {
            attributes,
            frame: Frame::Array(vec![Frame::Integer(2039123), Frame::Integer(9543892)]),
        }))
    );
    // Inside an aggregate it takes no element slot: this array has two
    // elements, the first attributed.
    let input = b"*2\r\n|1\r\n+ttl\r\n:3600\r\n:2039123\r\n:9543892\r\n";
    let first = Frame::Attributed(Box::new(Attributed {
        attributes: vec![(simple(b"ttl"), Frame::Integer(3600))],
        frame: Frame::Integer(2039123),
    }));
    assert_eq!(
        one(input),
        Frame::Array(vec![first, Frame::Integer(9543892)])
    );
    // An empty attribute, an attribute on a push, and an attribute whose
    // value is itself attributed.
    let empty = one(b"|0\r\n+x\r\n");
    assert_eq!(empty.clone().strip_attributes(), simple(b"x"));
    let push = one(b"|1\r\n+a\r\n+b\r\n>1\r\n+m\r\n");
    assert_eq!(push.strip_attributes(), Frame::Push(vec![simple(b"m")]));
    let twice = one(b"|1\r\n+a\r\n+b\r\n|1\r\n+c\r\n+d\r\n:1\r\n");
    assert_eq!(twice.strip_attributes(), Frame::Integer(1));
    // In a map, on a key.
    let map = one(b"%1\r\n|1\r\n+a\r\n+b\r\n+k\r\n+v\r\n");
    let Frame::Map(pairs) = map else { panic!() };
    assert_eq!(pairs[0].0.clone().strip_attributes(), simple(b"k"));
    assert_eq!(pairs[0].1, simple(b"v"));
}

#[test]
fn streamed() {
    assert_eq!(
        one(b"$?\r\n;4\r\nHell\r\n;5\r\no wor\r\n;1\r\nd\r\n;0\r\n"),
        bulk(b"Hello word")
    );
    assert_eq!(one(b"$?\r\n;0\r\n"), bulk(b""));
    assert_eq!(
        one(b"*?\r\n:1\r\n:2\r\n:3\r\n.\r\n"),
        Frame::Array(vec![
            Frame::Integer(1),
            Frame::Integer(2),
            Frame::Integer(3)
        ])
    );
    assert_eq!(one(b"*?\r\n.\r\n"), Frame::Array(vec![]));
    assert_eq!(
        one(b"%?\r\n+a\r\n:1\r\n+b\r\n:2\r\n.\r\n"),
        Frame::Map(vec![
            (simple(b"a"), Frame::Integer(1)),
            (simple(b"b"), Frame::Integer(2))
        ])
    );
    assert_eq!(
        one(b"~?\r\n+a\r\n+b\r\n.\r\n"),
        Frame::Set(vec![simple(b"a"), simple(b"b")])
    );
    // Nested streams, a streamed string inside a streamed array.
    assert_eq!(
        one(b"*?\r\n$?\r\n;2\r\nab\r\n;0\r\n*?\r\n:1\r\n.\r\n.\r\n"),
        Frame::Array(vec![bulk(b"ab"), Frame::Array(vec![Frame::Integer(1)])])
    );
}

#[test]
fn several_frames_in_one_buffer() {
    let all = frames(b"+OK\r\n:1\r\n$1\r\na\r\n*1\r\n_\r\n>1\r\n+p\r\n");
    assert_eq!(all.len(), 5);
    assert_eq!(all[4], Frame::Push(vec![simple(b"p")]));
}

#[test]
fn zero_copy() {
    let buf = b"*2\r\n$3\r\nfoo\r\n+bar\r\n".to_vec();
    let mut decoder = Decoder::new();
    let Status::Complete((Frame::Array(items), _)) = decoder.decode(&buf).unwrap() else {
        panic!()
    };
    for item in &items {
        let bytes = match item {
            Frame::Bulk(Cow::Borrowed(b)) | Frame::Simple(Cow::Borrowed(b)) => *b,
            other => panic!("not borrowed: {other:?}"),
        };
        let range = buf.as_ptr_range();
        assert!(range.contains(&bytes.as_ptr()));
    }
}

#[test]
fn hostile_inputs() {
    use ErrorKind::*;
    let cases: &[(&[u8], ErrorKind, u64)] = &[
        (b"$1\r\nX!!", ExpectedCrlf, 5),
        (b"$1\r\nX\r!", ExpectedCrlf, 6),
        (b"$-2\r\n", InvalidLength, 1),
        (b"*-2\r\n", InvalidLength, 1),
        (b"$+1\r\n", InvalidLength, 1),
        (b"$1x\r\n", InvalidLength, 2),
        (b"$\r\n", InvalidLength, 1),
        (b"*1\r\x00", ExpectedCrlf, 3),
        (b":9223372036854775808\r\n", Overflow, 1),
        (b":-9223372036854775809\r\n", Overflow, 1),
        (b":99999999999999999999\r\n", Overflow, 20),
        (b"$9223372036854775808\r\n", Overflow, 1),
        (b"%4611686018427387904\r\n", Overflow, 1),
        (b"|4611686018427387904\r\n", Overflow, 1),
        (b":12a\r\n", InvalidInteger, 3),
        (b":\r\n", InvalidInteger, 1),
        (b":-\r\n", InvalidInteger, 2),
        (b": 1\r\n", InvalidInteger, 1),
        (b":1\r\r\n", ExpectedCrlf, 3),
        (b"?\r\n", UnknownType(b'?'), 0),
        (b"\x00", UnknownType(0), 0),
        (b"_x", InvalidNull, 1),
        (b"_\rx", ExpectedCrlf, 2),
        (b"#T\r\n", InvalidBoolean, 1),
        (b"#tt\r\n", ExpectedCrlf, 2),
        (b",1.2.3\r\n", InvalidDouble, 1),
        (b",\r\n", InvalidDouble, 1),
        (b",Inf\r\n", InvalidDouble, 1),
        (b"(12x\r\n", InvalidBigNumber, 1),
        (b"(\r\n", InvalidBigNumber, 1),
        (b"=-1\r\n", InvalidLength, 1),
        (b"=3\r\ntxt\r\n", InvalidVerbatim, 1),
        (b"=5\r\ntxtx\r\n", InvalidVerbatim, 7),
        (b"=5\r\ntxt!a\r\n", InvalidVerbatim, 7),
        (b"!-1\r\n", InvalidLength, 1),
        (b"%-1\r\n", InvalidLength, 1),
        (b"~?x", ExpectedCrlf, 2),
        (b"|?\r\n", InvalidLength, 1),
        (b">?\r\n", InvalidLength, 1),
        (b"!?\r\n", InvalidLength, 1),
        (b"+OK\nx", InvalidLineEnding, 3),
        (b"+O\rK\r\n", InvalidLineEnding, 2),
        (b"*1\r\n>1\r\n+m\r\n", NestedPush, 4),
        (b"%1\r\n+k\r\n>0\r\n", NestedPush, 8),
        (b";3\r\nabc\r\n", UnexpectedChunk, 0),
        (b"$?\r\n+x\r\n", UnexpectedChunk, 4),
        (b"$?\r\n;-1\r\n", InvalidLength, 5),
        (b".\r\n", UnexpectedEnd, 0),
        (b"*1\r\n.\r\n", UnexpectedEnd, 4),
        (b"%?\r\n+k\r\n.\r\n", UnexpectedEnd, 8),
        (b"|1\r\n+a\r\n+b\r\n.\r\n", UnexpectedEnd, 12),
        (b"*?\r\n|1\r\n+a\r\n+b\r\n.\r\n", UnexpectedEnd, 16),
        (b".x", UnexpectedEnd, 1),
    ];
    assert!(cases.len() >= 25);
    for &(input, kind, offset) in cases {
        assert_eq!(err(input), (kind, offset), "{input:?}");
    }
}

#[test]
fn hostile_sizes_wait_without_allocating() {
    // Huge declared lengths and counts with no data are not errors: they
    // wait for data, and nothing is allocated for them.
    for input in [
        &b"*2147483647\r\n"[..],
        b"%1073741823\r\n",
        b"$536870912\r\n",
        b"*2147483647\r\n*2147483647\r\n*2147483647\r\n:1\r\n",
    ] {
        let mut decoder = Decoder::new();
        assert_eq!(decoder.decode(input), Ok(Status::Partial));
        assert!(decoder.tape.capacity() < 64, "{input:?}");
    }
    // One past each default limit is an error.
    let limit = |input: &[u8]| err(input).0;
    assert_eq!(
        limit(b"$536870913\r\n"),
        ErrorKind::LimitExceeded(Limit::BulkLen)
    );
    assert_eq!(
        limit(b"*2147483648\r\n"),
        ErrorKind::LimitExceeded(Limit::AggregateLen)
    );
    assert_eq!(
        limit(b"%1073741824\r\n"),
        ErrorKind::LimitExceeded(Limit::AggregateLen)
    );
}

#[test]
fn configured_limits() {
    let limits = Limits::default()
        .max_bulk_len(4)
        .max_aggregate_len(3)
        .max_depth(2)
        .max_line_len(8);
    let kind = |input: &[u8]| outcome(input, limits).map_err(|e| e.kind());
    use ErrorKind::LimitExceeded as L;
    assert_eq!(kind(b"$4\r\nabcd\r\n"), Ok(true));
    assert_eq!(kind(b"$5\r\nabcde\r\n"), Err(L(Limit::BulkLen)));
    assert_eq!(
        kind(b"$?\r\n;3\r\nabc\r\n;2\r\nde\r\n;0\r\n"),
        Err(L(Limit::BulkLen))
    );
    assert_eq!(kind(b"*3\r\n_\r\n_\r\n_\r\n"), Ok(true));
    assert_eq!(kind(b"*4\r\n"), Err(L(Limit::AggregateLen)));
    assert_eq!(kind(b"%2\r\n"), Err(L(Limit::AggregateLen)));
    assert_eq!(
        kind(b"*?\r\n_\r\n_\r\n_\r\n_\r\n.\r\n"),
        Err(L(Limit::AggregateLen))
    );
    assert_eq!(kind(b"*1\r\n*1\r\n_\r\n"), Ok(true));
    assert_eq!(kind(b"*1\r\n*1\r\n*1\r\n_\r\n"), Err(L(Limit::Depth)));
    let attributes =
        |input: &[u8]| outcome(input, Limits::default().max_attribute_len(2)).map_err(|e| e.kind());
    assert_eq!(attributes(b"|1\r\n+a\r\n+b\r\n:1\r\n"), Ok(true));
    assert_eq!(attributes(b"|2\r\n"), Err(L(Limit::AttributeLen)));
    // The default: far above any real attribute, far below a flood.
    assert_eq!(
        outcome(b"|1000000000\r\n", Limits::default()).map_err(|e| e.kind()),
        Err(L(Limit::AttributeLen))
    );
    assert_eq!(kind(b"+1234567\r\n"), Ok(true));
    assert_eq!(kind(b"+12345678\r\n"), Err(L(Limit::LineLen)));
    assert_eq!(kind(b"+12345678"), Err(L(Limit::LineLen)));
    assert_eq!(kind(b":000000000001\r\n"), Err(L(Limit::LineLen)));
}

/// The one-pass path (whole frames) and the resumable path (the same bytes
/// fed byte by byte) agree on frames, errors and offsets, including where
/// the one-pass path reads headers from a fixed window, writes elements in
/// place, or gives up half-way through an aggregate that owns memory.
#[test]
fn one_pass_and_resumable_paths_agree() {
    let inputs: &[&[u8]] = &[
        b"$1\r\na\r\n",
        b"$9\r\n123456789\r\n",
        b"$10\r\n0123456789\r\n",
        b"$99\r\n",
        b"$0\r\n\r\n",
        // Not digits, though `:` is 0x3a: read as 10, these would be whole.
        b"$:\r\n0123456789\r\n",
        b"$1:\r\n01234567890123456789\r\n",
        b"$:1\r\n0123456789012345678901234567890123456789\r\n",
        b"$/1\r\nabcdefg\r\n",
        b"*:\r\n:1\r\n:1\r\n:1\r\n:1\r\n:1\r\n:1\r\n:1\r\n:1\r\n:1\r\n:1\r\n",
        b":9:\r\n:1\r\n",
        b":-:\r\n",
        b"$5\r\nabc\r\n\r\n",
        b"$5\r\nabcde\n\r\n",
        b"$2\r\nab\r\n$3\r\nabc\r\n",
        b"$-1\r\n$-1\r\n",
        b"*3\r\n$1\r\na\r\n$-1\r\n$12\r\nabcdefghijkl\r\n",
        b"*2\r\n$1\r\na\r\n$2\r\nbcX\r\n",
        b"*2\r\n*2\r\n$1\r\na\r\n:1\r\n$2\r\nbc\r\n",
        b"*2\r\n*1\r\n$1\r\na\r\n$2\r\nbcX\r\n",
        b"*1\r\n*1\r\n*1\r\n:5\r\n",
        b"*3\r\n,1.5\r\n,-2e-3\r\n,inf\r\n",
        b"%2\r\n$1\r\nk\r\n,3.25\r\n*1\r\n:1\r\n~1\r\n_\r\n",
        b"%1\r\n*1\r\n$1\r\na\r\n$1\r\nbX\r\n",
        b"%1\r\n*1\r\n$1\r\na\r\n",
        b"~2\r\n$1\r\na\r\n$1\r\nb\r\n",
        b",1.\r\n",
        b",1e\r\n",
        b",+.5\r\n",
        b",-0.5E+10\r\n",
        b",12x\r\n",
        b",nan\r\n,-inf\r\n",
        b"#t\r\n#f\r\n#x\r\n",
        b"_\r\n_x\r\n",
        b":-0\r\n:+1\r\n:123456789012345678\r\n:-1234567890123456789\r\n",
        b"+OK\r\n+\r\n-ERR x\r\n",
    ];
    let tight = Limits::default()
        .max_bulk_len(4)
        .max_aggregate_len(3)
        .max_depth(2);
    for limits in [Limits::default(), tight] {
        for input in inputs {
            let whole = feed(&[input], limits);
            let bytes: Vec<&[u8]> = input.chunks(1).collect();
            assert_eq!(feed(&bytes, limits), whole, "{input:?} with {limits:?}");
        }
    }
}

#[test]
fn deep_nesting_is_a_clean_error() {
    let mut input = b"*1\r\n".repeat(100_000);
    input.extend_from_slice(b":1\r\n");
    let mut decoder = Decoder::new();
    let e = decoder.decode(&input).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::LimitExceeded(Limit::Depth));
    assert_eq!(e.offset(), 512 * 4);
    // With the limit raised, 100,000 levels decode without recursion.
    let mut decoder = Decoder::with_limits(Limits::default().max_depth(100_000));
    let Status::Complete((mut frame, used)) = decoder.decode(&input).unwrap() else {
        panic!()
    };
    assert_eq!(used, input.len());
    let mut depth = 0;
    while let Frame::Array(mut items) = frame {
        frame = items.pop().unwrap();
        depth += 1;
    }
    assert_eq!((depth, frame), (100_000, Frame::Integer(1)));
}

#[test]
fn errors_are_sticky() {
    let mut decoder = Decoder::new();
    let e = decoder
        .decode(b"+OK\r\n")
        .map(|_| ())
        .and_then(|_| decoder.decode(b"x").map(|_| ()));
    let e = e.unwrap_err();
    assert_eq!(e.offset(), 5, "offsets count the whole stream");
    assert_eq!(decoder.decode(b"+OK\r\n").unwrap_err(), e);
    assert_eq!(decoder.decode(b"").unwrap_err(), e);
}

#[test]
fn shrinking_buffer_is_caller_error() {
    let mut decoder = Decoder::new();
    assert!(decoder.decode(b"$10\r\nabc").unwrap().is_partial());
    let e = decoder.decode(b"$10").unwrap_err();
    assert_eq!(e.kind(), ErrorKind::BufferShrunk);
    assert!(!e.is_peer_error());
}

#[test]
fn needed_sizes_a_bulk_read() {
    let mut decoder = Decoder::new();
    assert!(decoder.decode(b"$1000\r\nab").unwrap().is_partial());
    assert_eq!(decoder.needed(), 7 + 1000 + 2);
    // After any `Partial`, more than the buffer held.
    for partial in [&b":12"[..], b"+OK\r", b"*2\r\n:1\r\n"] {
        let mut decoder = Decoder::new();
        assert!(decoder.decode(partial).unwrap().is_partial());
        assert!(decoder.needed() > partial.len(), "{partial:?}");
    }
}

/// Feeds `input` in `piece`-byte pieces; returns the decoder's work.
fn work_in_pieces(input: &[u8], piece: usize) -> u64 {
    let mut decoder = Decoder::new();
    let mut buf = Vec::with_capacity(input.len());
    let mut calls = 0;
    for chunk in input.chunks(piece) {
        buf.extend_from_slice(chunk);
        calls += 1;
        match decoder.decode(&buf).unwrap() {
            Status::Partial => {}
            Status::Complete((_, used)) => assert_eq!(used, input.len()),
        }
    }
    assert!(!decoder.is_mid_frame());
    decoder.scanner.work + calls
}

#[test]
fn a_100_mib_bulk_in_4_kib_pieces_is_linear() {
    let len = 100 << 20;
    let mut input = format!("${len}\r\n").into_bytes();
    input.resize(input.len() + len, b'x');
    input.extend_from_slice(b"\r\n");
    let calls = input.len().div_ceil(4096) as u64;
    let work = work_in_pieces(&input, 4096);
    // Each call costs a constant: the payload is never scanned and the
    // header is parsed once.
    assert!(work <= 64 + 3 * calls, "work {work} for {calls} calls");
}

#[test]
fn long_lines_and_arrays_in_pieces_are_linear() {
    let mut line = b"+".to_vec();
    line.resize(1000 * 1000, b'a');
    line.extend_from_slice(b"\r\n");
    let calls = line.len() as u64 / 100 + 1;
    let work = work_in_pieces(&line, 100);
    // Every byte is looked at once, plus a constant per call.
    assert!(
        work <= line.len() as u64 + 3 * calls,
        "work {work} for {calls} calls"
    );

    let mut array = b"*100000\r\n".to_vec();
    for i in 0..100_000 {
        array.extend_from_slice(format!("${}\r\n{i}\r\n", i.to_string().len()).as_bytes());
    }
    let calls = array.len() as u64 / 7 + 1;
    let work = work_in_pieces(&array, 7);
    // Only the token cut by each piece's end is looked at again.
    assert!(
        work <= array.len() as u64 + 16 * calls,
        "work {work} for {calls} calls"
    );
}
