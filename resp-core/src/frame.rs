//! The decoded form of a RESP value.

use std::borrow::Cow;

/// One RESP2 or RESP3 value.
///
/// A frame returned by a [`Decoder`](crate::Decoder) borrows its strings from
/// the input buffer; [`Frame::into_owned`] detaches it. `Frame<'static>`
/// (alias [`OwnedFrame`]) is the owned form.
///
/// Each wire form keeps its own variant, so that encoding a decoded frame
/// gives back the same bytes: the RESP2 nulls `$-1` and `*-1` are
/// [`NullBulk`](Frame::NullBulk) and [`NullArray`](Frame::NullArray), the
/// RESP3 null `_` is [`Null`](Frame::Null). Streamed strings and aggregates
/// decode to their ordinary forms.
///
/// # Example
///
/// ```
/// use resp_core::{Decoder, Frame, Status};
///
/// let mut decoder = Decoder::new();
/// let Status::Complete((frame, used)) = decoder.decode(b"*2\r\n:1\r\n$3\r\nfoo\r\n")? else {
///     unreachable!()
/// };
/// assert_eq!(used, 17);
/// assert_eq!(frame, Frame::Array(vec![Frame::Integer(1), Frame::bulk(b"foo")]));
/// # Ok::<(), resp_core::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
// The tag in a byte of its own: every match on a frame (the drop glue above
// all) reads it with one load, where a niche in the first word took seven
// instructions to decode. Same size (32 bytes), and `Option<Frame>` still
// uses the tag's spare values.
#[repr(u8)]
pub enum Frame<'a> {
    /// `+OK`: a status line; never contains CR or LF.
    Simple(Cow<'a, [u8]>),
    /// `-ERR message`: a server error; a value, not a decoding failure.
    Error(Cow<'a, [u8]>),
    /// `:42`
    Integer(i64),
    /// `$3\r\nfoo`: a binary-safe string (also a streamed `$?` string, joined).
    Bulk(Cow<'a, [u8]>),
    /// `$-1`: the RESP2 null bulk string.
    NullBulk,
    /// `*-1`: the RESP2 null array.
    NullArray,
    /// `_`: the RESP3 null.
    Null,
    /// `#t` or `#f`.
    Boolean(bool),
    /// `,3.14`: the double's text as sent (`inf`, `-inf`, `nan`, or a
    /// decimal with optional exponent); [`Frame::as_f64`] parses it.
    Double(Cow<'a, str>),
    /// `(12345678901234567890`: an arbitrary-precision integer, as text.
    BigNumber(Cow<'a, str>),
    /// `!21\r\nSYNTAX invalid syntax`: a binary-safe error.
    BulkError(Cow<'a, [u8]>),
    /// `=15\r\ntxt:Some string`: text with a three-byte format hint.
    Verbatim {
        /// The format, such as `txt` or `mkd`.
        format: [u8; 3],
        /// The text after `format:`.
        text: Cow<'a, [u8]>,
    },
    /// `*2\r\n...`: an ordered sequence.
    Array(Vec<Frame<'a>>),
    /// `%1\r\n...`: key-value pairs in the order sent.
    Map(Vec<(Frame<'a>, Frame<'a>)>),
    /// `~2\r\n...`: an unordered collection, in the order sent.
    Set(Vec<Frame<'a>>),
    /// `>3\r\n...`: out-of-band data such as pub/sub messages; only ever at
    /// the top level of a stream.
    Push(Vec<Frame<'a>>),
    /// `|1\r\n...`: attributes and the frame they describe.
    Attributed(Box<Attributed<'a>>),
}

/// An attribute map and the frame it is attached to.
///
/// On the wire the attribute (`|`) comes first and the frame follows; the
/// pair takes a single element slot in an enclosing aggregate.
#[derive(Debug, Clone, PartialEq)]
pub struct Attributed<'a> {
    /// The attribute's key-value pairs.
    pub attributes: Vec<(Frame<'a>, Frame<'a>)>,
    /// The frame the attributes describe.
    pub frame: Frame<'a>,
}

/// A frame that owns all its data.
pub type OwnedFrame = Frame<'static>;

impl<'a> Frame<'a> {
    /// A bulk string borrowing `bytes`.
    pub fn bulk(bytes: &'a [u8]) -> Self {
        Frame::Bulk(Cow::Borrowed(bytes))
    }

    /// A simple string borrowing `bytes`; it must not contain CR or LF to
    /// be encodable.
    pub fn simple(bytes: &'a [u8]) -> Self {
        Frame::Simple(Cow::Borrowed(bytes))
    }

    /// An error line borrowing `bytes`; it must not contain CR or LF to be
    /// encodable.
    pub fn error(bytes: &'a [u8]) -> Self {
        Frame::Error(Cow::Borrowed(bytes))
    }

    /// A double holding `value`, written in Rust's shortest round-trip form
    /// (`inf`, `-inf` and `nan` for the special values).
    pub fn double(value: f64) -> Self {
        let text = if value.is_nan() {
            "nan".to_owned()
        } else if value.is_infinite() {
            if value > 0.0 { "inf" } else { "-inf" }.to_owned()
        } else {
            // `{:?}` prints an exponent for very large or small values and
            // keeps a `.0` on integral ones, both valid RESP3 doubles.
            format!("{value:?}")
        };
        Frame::Double(Cow::Owned(text))
    }

    /// The double's value, for a [`Frame::Double`].
    pub fn as_f64(&self) -> Option<f64> {
        match self {
            Frame::Double(text) => match &**text {
                "inf" | "+inf" => Some(f64::INFINITY),
                "-inf" => Some(f64::NEG_INFINITY),
                "nan" | "-nan" | "+nan" => Some(f64::NAN),
                other => other.parse().ok(),
            },
            _ => None,
        }
    }

    /// The bytes of any string-like frame: simple, error, bulk, bulk error,
    /// verbatim (text only), double and big number.
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Frame::Simple(b) | Frame::Error(b) | Frame::Bulk(b) | Frame::BulkError(b) => Some(b),
            Frame::Verbatim { text, .. } => Some(text),
            Frame::Double(s) | Frame::BigNumber(s) => Some(s.as_bytes()),
            _ => None,
        }
    }

    /// True for the three null forms.
    pub fn is_null(&self) -> bool {
        matches!(self, Frame::Null | Frame::NullBulk | Frame::NullArray)
    }

    /// True for the two server error forms, `-` and `!`.
    pub fn is_error(&self) -> bool {
        matches!(self, Frame::Error(_) | Frame::BulkError(_))
    }

    /// The frame without its attributes, if it has any.
    pub fn strip_attributes(self) -> Frame<'a> {
        let mut frame = self;
        while let Frame::Attributed(inner) = frame {
            frame = inner.frame;
        }
        frame
    }

    /// Detaches the frame from the buffer it borrows from, copying what it
    /// borrows.
    ///
    /// # Example
    ///
    /// ```
    /// use resp_core::{Frame, OwnedFrame};
    ///
    /// let buf = b"hello".to_vec();
    /// let owned: OwnedFrame = Frame::bulk(&buf).into_owned();
    /// drop(buf);
    /// assert_eq!(owned.as_bytes(), Some(&b"hello"[..]));
    /// ```
    pub fn into_owned(self) -> OwnedFrame {
        into_owned(self)
    }
}

fn owned_bytes(c: Cow<'_, [u8]>) -> Cow<'static, [u8]> {
    Cow::Owned(c.into_owned())
}

/// A simple string made owned; the commonest ones (`+OK`, `+QUEUED`,
/// `+PONG`) borrow a constant instead of allocating, which is most of the
/// cost of keeping the replies of a pipeline of writes.
fn owned_simple(c: Cow<'_, [u8]>) -> Cow<'static, [u8]> {
    const COMMON: [&[u8]; 3] = [b"OK", b"QUEUED", b"PONG"];
    match COMMON.iter().find(|common| **common == &*c) {
        Some(common) => Cow::Borrowed(common),
        None => owned_bytes(c),
    }
}

fn owned_str(c: Cow<'_, str>) -> Cow<'static, str> {
    Cow::Owned(c.into_owned())
}

/// Recursive: frames are at most [`Limits::depth`](crate::Limits::depth) deep when they
/// come from a decoder, and a frame built by hand that deep could not be
/// dropped without recursion either.
fn into_owned(frame: Frame<'_>) -> OwnedFrame {
    let seq = |items: Vec<Frame<'_>>| items.into_iter().map(into_owned).collect();
    let pairs = |items: Vec<(Frame<'_>, Frame<'_>)>| {
        items
            .into_iter()
            .map(|(k, v)| (into_owned(k), into_owned(v)))
            .collect()
    };
    match frame {
        Frame::Simple(b) => Frame::Simple(owned_simple(b)),
        Frame::Error(b) => Frame::Error(owned_bytes(b)),
        Frame::Integer(i) => Frame::Integer(i),
        Frame::Bulk(b) => Frame::Bulk(owned_bytes(b)),
        Frame::NullBulk => Frame::NullBulk,
        Frame::NullArray => Frame::NullArray,
        Frame::Null => Frame::Null,
        Frame::Boolean(b) => Frame::Boolean(b),
        Frame::Double(s) => Frame::Double(owned_str(s)),
        Frame::BigNumber(s) => Frame::BigNumber(owned_str(s)),
        Frame::BulkError(b) => Frame::BulkError(owned_bytes(b)),
        Frame::Verbatim { format, text } => Frame::Verbatim {
            format,
            text: owned_bytes(text),
        },
        Frame::Array(items) => Frame::Array(seq(items)),
        Frame::Set(items) => Frame::Set(seq(items)),
        Frame::Push(items) => Frame::Push(seq(items)),
        Frame::Map(items) => Frame::Map(pairs(items)),
        Frame::Attributed(inner) => {
            let Attributed { attributes, frame } = *inner;
            Frame::Attributed(Box::new(Attributed {
                attributes: pairs(attributes),
                frame: into_owned(frame),
            }))
        }
    }
}
