//! Property tests: the decoder against a simple reference decoder, on
//! random frames in random wire forms fed in random pieces, and on random
//! token soup.

use std::borrow::Cow;

use proptest::prelude::*;
use resp_core::{Attributed, Decoder, Frame, OwnedFrame, Status};

/// The reference: a recursive decoder over a complete buffer, written for
/// clarity from the RESP3 specification. `Ok(None)` means incomplete.
mod reference {
    use super::*;

    type R<T> = Result<Option<T>, ()>;

    fn line(buf: &[u8], pos: &mut usize) -> R<Vec<u8>> {
        let rest = &buf[*pos..];
        for i in 0..rest.len() {
            if rest[i] == b'\n' {
                return Err(());
            }
            if rest[i] == b'\r' {
                return match rest.get(i + 1) {
                    None => Ok(None),
                    Some(b'\n') => {
                        *pos += i + 2;
                        Ok(Some(rest[..i].to_vec()))
                    }
                    Some(_) => Err(()),
                };
            }
        }
        Ok(None)
    }

    fn int(text: &[u8]) -> Result<i64, ()> {
        let s = std::str::from_utf8(text).map_err(|_| ())?;
        let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(());
        }
        s.strip_prefix('+').unwrap_or(s).parse().map_err(|_| ())
    }

    /// `Some(None)` for `?`, `Some(Some(-1))` for `-1`.
    fn len(text: &[u8]) -> Result<Option<i64>, ()> {
        if text == b"?" {
            return Ok(None);
        }
        if text.first() == Some(&b'+') {
            return Err(());
        }
        let n = int(text)?;
        if n < -1 {
            return Err(());
        }
        Ok(Some(n))
    }

    fn blob(buf: &[u8], pos: &mut usize, n: i64) -> R<Vec<u8>> {
        let n = n as usize;
        let end = *pos + n;
        if buf.len() < end + 2 {
            if buf.len() > end && buf[end] != b'\r' {
                return Err(());
            }
            return Ok(None);
        }
        if &buf[end..end + 2] != b"\r\n" {
            return Err(());
        }
        let data = buf[*pos..end].to_vec();
        *pos = end + 2;
        Ok(Some(data))
    }

    fn is_double(s: &str) -> bool {
        let t = s.strip_prefix(['-', '+']).unwrap_or(s);
        if t == "inf" || t == "nan" {
            return true;
        }
        let (mantissa, exp) = match t.find(['e', 'E']) {
            Some(i) => (&t[..i], Some(&t[i + 1..])),
            None => (t, None),
        };
        let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
        let m_ok = match mantissa.split_once('.') {
            Some((a, b)) => digits(a) && digits(b),
            None => digits(mantissa),
        };
        let e_ok = exp.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
        m_ok && e_ok
    }

    /// Parses one value; `top` allows push frames.
    pub fn value(buf: &[u8], pos: &mut usize, top: bool) -> R<OwnedFrame> {
        let Some(&ty) = buf.get(*pos) else {
            return Ok(None);
        };
        *pos += 1;
        macro_rules! need {
            ($e:expr) => {
                match $e? {
                    Some(v) => v,
                    None => return Ok(None),
                }
            };
        }
        let items = |buf: &[u8], pos: &mut usize, n: Option<i64>| -> R<Vec<OwnedFrame>> {
            let mut out = Vec::new();
            match n {
                Some(n) => {
                    for _ in 0..n {
                        out.push(need!(value(buf, pos, false)));
                    }
                }
                None => loop {
                    if buf.get(*pos) == Some(&b'.') {
                        if buf.get(*pos + 1..*pos + 3).is_none() {
                            return Ok(None);
                        }
                        if &buf[*pos + 1..*pos + 3] != b"\r\n" {
                            return Err(());
                        }
                        *pos += 3;
                        break;
                    }
                    out.push(need!(value(buf, pos, false)));
                },
            }
            Ok(Some(out))
        };
        let pairs =
            |buf: &[u8], pos: &mut usize, n: Option<i64>| -> R<Vec<(OwnedFrame, OwnedFrame)>> {
                let n = n.map(|n| n.checked_mul(2).ok_or(())).transpose()?;
                let flat = need!(items(buf, pos, n));
                if flat.len() % 2 == 1 {
                    return Err(());
                }
                let mut it = flat.into_iter();
                let mut out = Vec::new();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    out.push((k, v));
                }
                Ok(Some(out))
            };
        let frame = match ty {
            b'+' => Frame::Simple(Cow::Owned(need!(line(buf, pos)))),
            b'-' => Frame::Error(Cow::Owned(need!(line(buf, pos)))),
            b':' => Frame::Integer(int(&need!(line(buf, pos)))?),
            b',' => {
                let text = String::from_utf8(need!(line(buf, pos))).map_err(|_| ())?;
                if !is_double(&text) {
                    return Err(());
                }
                Frame::Double(Cow::Owned(text))
            }
            b'(' => {
                let text = String::from_utf8(need!(line(buf, pos))).map_err(|_| ())?;
                int(text.as_bytes()).or_else(|_| {
                    let d = text.strip_prefix(['-', '+']).unwrap_or(&text);
                    if !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()) {
                        Ok(0)
                    } else {
                        Err(())
                    }
                })?;
                Frame::BigNumber(Cow::Owned(text))
            }
            b'_' => match need!(line(buf, pos)).as_slice() {
                b"" => Frame::Null,
                _ => return Err(()),
            },
            b'#' => match need!(line(buf, pos)).as_slice() {
                b"t" => Frame::Boolean(true),
                b"f" => Frame::Boolean(false),
                _ => return Err(()),
            },
            b'$' => match len(&need!(line(buf, pos)))? {
                Some(-1) => Frame::NullBulk,
                Some(n) => Frame::Bulk(Cow::Owned(need!(blob(buf, pos, n)))),
                None => {
                    let mut joined = Vec::new();
                    loop {
                        if buf.get(*pos).is_none() {
                            return Ok(None);
                        }
                        if buf[*pos] != b';' {
                            return Err(());
                        }
                        *pos += 1;
                        let n = match len(&need!(line(buf, pos)))? {
                            Some(n) if n >= 0 => n,
                            _ => return Err(()),
                        };
                        if n == 0 {
                            break;
                        }
                        joined.extend(need!(blob(buf, pos, n)));
                    }
                    Frame::Bulk(Cow::Owned(joined))
                }
            },
            b'!' | b'=' => {
                let n = match len(&need!(line(buf, pos)))? {
                    Some(n) if n >= 0 => n,
                    _ => return Err(()),
                };
                if ty == b'=' && n < 4 {
                    return Err(());
                }
                let data = need!(blob(buf, pos, n));
                if ty == b'!' {
                    Frame::BulkError(Cow::Owned(data))
                } else {
                    if data[3] != b':' {
                        return Err(());
                    }
                    Frame::Verbatim {
                        format: [data[0], data[1], data[2]],
                        text: Cow::Owned(data[4..].to_vec()),
                    }
                }
            }
            b'*' | b'~' | b'>' | b'%' | b'|' => {
                let n = len(&need!(line(buf, pos)))?;
                if n == Some(-1) && ty != b'*' || n.is_none() && matches!(ty, b'>' | b'|') {
                    return Err(());
                }
                if ty == b'>' && !top {
                    return Err(());
                }
                match (ty, n) {
                    (b'*', Some(-1)) => Frame::NullArray,
                    (b'*', n) => Frame::Array(need!(items(buf, pos, n))),
                    (b'~', n) => Frame::Set(need!(items(buf, pos, n))),
                    (b'>', n) => Frame::Push(need!(items(buf, pos, n))),
                    (b'%', n) => Frame::Map(need!(pairs(buf, pos, n))),
                    (_, n) => {
                        let attributes = need!(pairs(buf, pos, n));
                        if buf.get(*pos) == Some(&b'.') {
                            return Err(());
                        }
                        let frame = need!(value(buf, pos, top));
                        Frame::Attributed(Box::new(Attributed { attributes, frame }))
                    }
                }
            }
            _ => return Err(()),
        };
        Ok(Some(frame))
    }

    /// All frames of a complete buffer, then whether it ended cleanly
    /// (`Ok(true)`), inside a frame (`Ok(false)`) or on an error.
    pub fn all(buf: &[u8]) -> (Vec<OwnedFrame>, Result<bool, ()>) {
        let mut pos = 0;
        let mut frames = Vec::new();
        loop {
            if pos == buf.len() {
                return (frames, Ok(true));
            }
            match value(buf, &mut pos, true) {
                Ok(Some(f)) => frames.push(f),
                Ok(None) => return (frames, Ok(false)),
                Err(()) => return (frames, Err(())),
            }
        }
    }
}

/// The decoder under test, fed in the given pieces.
fn decode_pieces(buf: &[u8], cuts: &[usize]) -> (Vec<OwnedFrame>, Result<bool, ()>) {
    let mut decoder = Decoder::new();
    let mut pending = Vec::new();
    let mut frames = Vec::new();
    let mut bounds: Vec<usize> = cuts.iter().map(|&c| c.min(buf.len())).collect();
    bounds.sort();
    bounds.push(buf.len());
    let mut from = 0;
    for to in bounds {
        pending.extend_from_slice(&buf[from..to]);
        from = to;
        loop {
            match decoder.decode(&pending) {
                Ok(Status::Complete((frame, used))) => {
                    frames.push(frame.into_owned());
                    pending.drain(..used);
                }
                Ok(Status::Partial) => break,
                Err(_) => return (frames, Err(())),
            }
        }
    }
    (frames, Ok(pending.is_empty()))
}

/// A frame together with the wire form chosen for it.
#[derive(Debug, Clone)]
enum Wire {
    Leaf(Vec<u8>, OwnedFrame),
    /// Bulk string sent as `$?` chunks.
    Chunked(Vec<Vec<u8>>),
    Seq(u8, bool, Vec<Wire>),
    Pairs(u8, bool, Vec<(Wire, Wire)>),
    Attr(Vec<(Wire, Wire)>, Box<Wire>),
}

impl Wire {
    fn frame(&self) -> OwnedFrame {
        match self {
            Wire::Leaf(_, f) => f.clone(),
            Wire::Chunked(chunks) => Frame::Bulk(Cow::Owned(chunks.concat())),
            Wire::Seq(ty, _, items) => {
                let items = items.iter().map(Wire::frame).collect();
                match ty {
                    b'~' => Frame::Set(items),
                    b'>' => Frame::Push(items),
                    _ => Frame::Array(items),
                }
            }
            Wire::Pairs(_, _, pairs) => {
                Frame::Map(pairs.iter().map(|(k, v)| (k.frame(), v.frame())).collect())
            }
            Wire::Attr(pairs, inner) => Frame::Attributed(Box::new(Attributed {
                attributes: pairs.iter().map(|(k, v)| (k.frame(), v.frame())).collect(),
                frame: inner.frame(),
            })),
        }
    }

    fn write(&self, out: &mut Vec<u8>) {
        match self {
            Wire::Leaf(bytes, _) => out.extend_from_slice(bytes),
            Wire::Chunked(chunks) => {
                out.extend_from_slice(b"$?\r\n");
                for c in chunks.iter().filter(|c| !c.is_empty()) {
                    out.extend_from_slice(format!(";{}\r\n", c.len()).as_bytes());
                    out.extend_from_slice(c);
                    out.extend_from_slice(b"\r\n");
                }
                out.extend_from_slice(b";0\r\n");
            }
            Wire::Seq(ty, streamed, items) => {
                header(out, *ty, *streamed, items.len());
                items.iter().for_each(|i| i.write(out));
                if *streamed {
                    out.extend_from_slice(b".\r\n");
                }
            }
            Wire::Pairs(ty, streamed, pairs) => {
                header(out, *ty, *streamed, pairs.len());
                for (k, v) in pairs {
                    k.write(out);
                    v.write(out);
                }
                if *streamed {
                    out.extend_from_slice(b".\r\n");
                }
            }
            Wire::Attr(pairs, inner) => {
                header(out, b'|', false, pairs.len());
                for (k, v) in pairs {
                    k.write(out);
                    v.write(out);
                }
                inner.write(out);
            }
        }
    }
}

fn header(out: &mut Vec<u8>, ty: u8, streamed: bool, n: usize) {
    out.push(ty);
    if streamed {
        out.push(b'?');
    } else {
        out.extend_from_slice(n.to_string().as_bytes());
    }
    out.extend_from_slice(b"\r\n");
}

fn leaf() -> impl Strategy<Value = Wire> {
    let line = "[a-zA-Z0-9 :_-]{0,12}";
    let bytes = proptest::collection::vec(any::<u8>(), 0..24);
    prop_oneof![
        line.prop_map(|s| Wire::Leaf(
            format!("+{s}\r\n").into_bytes(),
            Frame::Simple(Cow::Owned(s.into_bytes()))
        )),
        line.prop_map(|s| Wire::Leaf(
            format!("-{s}\r\n").into_bytes(),
            Frame::Error(Cow::Owned(s.into_bytes()))
        )),
        any::<i64>().prop_map(|i| Wire::Leaf(format!(":{i}\r\n").into_bytes(), Frame::Integer(i))),
        bytes.clone().prop_map(|b| {
            let mut w = format!("${}\r\n", b.len()).into_bytes();
            w.extend_from_slice(&b);
            w.extend_from_slice(b"\r\n");
            Wire::Leaf(w, Frame::Bulk(Cow::Owned(b)))
        }),
        proptest::collection::vec(bytes.clone(), 0..4).prop_map(Wire::Chunked),
        bytes.clone().prop_map(|b| {
            let mut w = format!("!{}\r\n", b.len()).into_bytes();
            w.extend_from_slice(&b);
            w.extend_from_slice(b"\r\n");
            Wire::Leaf(w, Frame::BulkError(Cow::Owned(b)))
        }),
        (any::<[u8; 3]>(), bytes).prop_map(|(f, b)| {
            let mut w = format!("={}\r\n", b.len() + 4).into_bytes();
            w.extend_from_slice(&f);
            w.push(b':');
            w.extend_from_slice(&b);
            w.extend_from_slice(b"\r\n");
            Wire::Leaf(
                w,
                Frame::Verbatim {
                    format: f,
                    text: Cow::Owned(b),
                },
            )
        }),
        Just(Wire::Leaf(b"$-1\r\n".to_vec(), Frame::NullBulk)),
        Just(Wire::Leaf(b"*-1\r\n".to_vec(), Frame::NullArray)),
        Just(Wire::Leaf(b"_\r\n".to_vec(), Frame::Null)),
        any::<bool>().prop_map(|b| Wire::Leaf(
            if b {
                b"#t\r\n".to_vec()
            } else {
                b"#f\r\n".to_vec()
            },
            Frame::Boolean(b)
        )),
        prop_oneof![
            any::<f64>().prop_map(|d| format!("{d:?}").replace("NaN", "nan")),
            Just("inf".to_owned()),
            Just("-inf".to_owned()),
            "-?[0-9]{1,5}(\\.[0-9]{1,4})?([eE][+-]?[0-9]{1,3})?",
        ]
        .prop_map(|d| Wire::Leaf(
            format!(",{d}\r\n").into_bytes(),
            Frame::Double(Cow::Owned(d))
        )),
        "-?[0-9]{1,40}".prop_map(|n| Wire::Leaf(
            format!("({n}\r\n").into_bytes(),
            Frame::BigNumber(Cow::Owned(n))
        )),
    ]
}

fn wire() -> impl Strategy<Value = Wire> {
    leaf().prop_recursive(4, 48, 6, |inner| {
        let list = proptest::collection::vec(inner.clone(), 0..6);
        let pairs = proptest::collection::vec((inner.clone(), inner.clone()), 0..4);
        prop_oneof![
            (prop_oneof![Just(b'*'), Just(b'~')], any::<bool>(), list)
                .prop_map(|(t, s, l)| Wire::Seq(t, s, l)),
            (any::<bool>(), pairs.clone()).prop_map(|(s, p)| Wire::Pairs(b'%', s, p)),
            (pairs, inner).prop_map(|(p, i)| Wire::Attr(p, Box::new(i))),
        ]
    })
}

/// A top-level frame: anything, or a push.
fn top_wire() -> impl Strategy<Value = Wire> {
    prop_oneof![
        4 => wire(),
        1 => proptest::collection::vec(wire(), 0..4).prop_map(|l| Wire::Seq(b'>', false, l)),
    ]
}

const SOUP: &[&[u8]] = &[
    b"*2\r\n",
    b"*?\r\n",
    b"%1\r\n",
    b"%?\r\n",
    b"~1\r\n",
    b">1\r\n",
    b"|1\r\n",
    b"$?\r\n",
    b";2\r\nab\r\n",
    b";0\r\n",
    b".\r\n",
    b"+a\r\n",
    b":1\r\n",
    b"$1\r\nx\r\n",
    b"_\r\n",
    b"#t\r\n",
    b",1.5\r\n",
    b"(12\r\n",
    b"=5\r\ntxt:a\r\n",
    b"*0\r\n",
    b"$-1\r\n",
    b"*-1\r\n",
    b"\r\n",
    b"x",
    b"$1\r\nxx",
    b"*-2\r\n",
    b"|0\r\n",
    b"~?\r\n",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_frames_match_the_reference(
        wires in proptest::collection::vec(top_wire(), 1..4),
        cuts in proptest::collection::vec(0usize..2000, 0..6),
    ) {
        let mut buf = Vec::new();
        wires.iter().for_each(|w| w.write(&mut buf));
        let expected: Vec<OwnedFrame> = wires.iter().map(Wire::frame).collect();
        let reference = reference::all(&buf);
        prop_assert_eq!(&reference, &(expected.clone(), Ok(true)));
        prop_assert_eq!(decode_pieces(&buf, &cuts), reference);
        // A prefix: whatever is complete matches, the rest waits.
        let cut = cuts.first().copied().unwrap_or(0) % (buf.len() + 1);
        prop_assert_eq!(decode_pieces(&buf[..cut], &[]), reference::all(&buf[..cut]));
    }

    #[test]
    fn encoder_output_matches_the_reference(wires in proptest::collection::vec(top_wire(), 1..4)) {
        let mut buf = Vec::new();
        for w in &wires {
            resp_core::encode::encode_frame(&mut buf, &w.frame()).unwrap();
        }
        let expected: Vec<OwnedFrame> = wires.iter().map(Wire::frame).collect();
        prop_assert_eq!(reference::all(&buf), (expected, Ok(true)));
    }

    #[test]
    fn token_soup_matches_the_reference(
        tokens in proptest::collection::vec(proptest::sample::select(SOUP), 0..12),
        cuts in proptest::collection::vec(0usize..80, 0..4),
    ) {
        let buf = tokens.concat();
        let reference = reference::all(&buf);
        let ours = decode_pieces(&buf, &cuts);
        prop_assert_eq!(ours, reference);
    }
}
