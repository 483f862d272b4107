//! The one error type of this crate.

use core::fmt;

/// Which bound of [`Limits`](crate::Limits) a stream exceeded.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Limit {
    /// A bulk, verbatim or streamed string was longer than allowed.
    BulkLen,
    /// An aggregate declared more elements than allowed.
    AggregateLen,
    /// Aggregates were nested deeper than allowed.
    Depth,
    /// A line ran longer than allowed without its CRLF.
    LineLen,
    /// An attribute declared more elements than allowed.
    AttributeLen,
}

/// What went wrong; [`Error`] adds where.
///
/// Variants up to [`InvalidFrame`](ErrorKind::InvalidFrame) are caused by the
/// peer's bytes; the remaining ones are caller mistakes (see
/// [`Error::is_peer_error`]).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The first byte of a frame is not a RESP type byte.
    UnknownType(u8),
    /// A length is not digits, is negative other than `-1`, or `-1` where
    /// a null is not allowed for that type.
    InvalidLength,
    /// An integer line holds something other than an optional sign and digits.
    InvalidInteger,
    /// A number does not fit in a signed 64-bit integer (for a map, its
    /// element count, twice its pair count, does not).
    Overflow,
    /// A double is not `inf`, `-inf`, `nan` or a decimal with optional exponent.
    InvalidDouble,
    /// A big number is not an optional sign followed by digits.
    InvalidBigNumber,
    /// A boolean is not `#t` or `#f`.
    InvalidBoolean,
    /// A null is not exactly `_`.
    InvalidNull,
    /// A verbatim string lacks its three-byte format and `:`.
    InvalidVerbatim,
    /// A line or payload does not end with CRLF where it must.
    ExpectedCrlf,
    /// A line contains a bare CR or LF.
    InvalidLineEnding,
    /// A push frame appears inside another aggregate.
    NestedPush,
    /// A streamed string chunk (`;`) where no streamed string is open, or
    /// something other than a chunk inside a streamed string.
    UnexpectedChunk,
    /// An end marker (`.`) outside a streamed aggregate, or a streamed map
    /// ended between a key and its value.
    UnexpectedEnd,
    /// A reply arrived while no command was waiting for one: the stream is
    /// out of step with the commands sent.
    UnsolicitedReply,
    /// A request line holds unbalanced quotes (request decoding only).
    UnbalancedQuotes,
    /// An element of a multibulk request is not a bulk string (request
    /// decoding only).
    ExpectedBulk(u8),
    /// A configured bound was exceeded.
    LimitExceeded(Limit),
    /// A frame given to the encoder cannot be written as valid RESP, for
    /// example a simple string holding CRLF.
    InvalidFrame(&'static str),
    /// The buffer passed to a decoder does not extend the one passed
    /// before: it is shorter than what the decoder already examined.
    BufferShrunk,
}

/// A decoding or encoding error, with the stream offset it was found at.
///
/// Decoders are sticky: once one returns an error, it returns the same
/// error on every later call.
///
/// # Example
///
/// ```
/// use resp_core::{Decoder, ErrorKind};
///
/// let mut decoder = Decoder::new();
/// let err = decoder.decode(b"$1\r\nX!!").unwrap_err();
/// assert_eq!(err.kind(), ErrorKind::ExpectedCrlf);
/// assert_eq!(err.offset(), 5);
/// assert_eq!(err.to_string(), "expected CRLF at byte 5");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    offset: u64,
}

impl Error {
    pub(crate) fn new(kind: ErrorKind, offset: u64) -> Self {
        Error { kind, offset }
    }

    /// What went wrong.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// Where: the offset of the offending byte from the start of the stream
    /// (all bytes this decoder consumed before count), or `0` for encoder
    /// errors.
    pub fn offset(&self) -> u64 {
        self.offset
    }

    /// True when the bytes of the peer are at fault, false when the caller
    /// misused the API.
    pub fn is_peer_error(&self) -> bool {
        !matches!(
            self.kind,
            ErrorKind::InvalidFrame(_) | ErrorKind::BufferShrunk
        )
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ErrorKind::UnknownType(b) => {
                write!(f, "unknown type byte ")?;
                fmt_byte(f, *b)
            }
            ErrorKind::InvalidLength => f.write_str("invalid length"),
            ErrorKind::InvalidInteger => f.write_str("invalid integer"),
            ErrorKind::Overflow => f.write_str("number overflows a 64-bit integer"),
            ErrorKind::InvalidDouble => f.write_str("invalid double"),
            ErrorKind::InvalidBigNumber => f.write_str("invalid big number"),
            ErrorKind::InvalidBoolean => f.write_str("invalid boolean"),
            ErrorKind::InvalidNull => f.write_str("invalid null"),
            ErrorKind::InvalidVerbatim => {
                f.write_str("verbatim string without a 3-byte format and ':'")
            }
            ErrorKind::ExpectedCrlf => f.write_str("expected CRLF"),
            ErrorKind::InvalidLineEnding => f.write_str("bare CR or LF in a line"),
            ErrorKind::NestedPush => f.write_str("push frame inside an aggregate"),
            ErrorKind::UnexpectedChunk => f.write_str("unexpected streamed string chunk"),
            ErrorKind::UnexpectedEnd => f.write_str("unexpected end of streamed aggregate"),
            ErrorKind::UnsolicitedReply => f.write_str("reply with no command waiting for it"),
            ErrorKind::UnbalancedQuotes => f.write_str("unbalanced quotes in inline request"),
            ErrorKind::ExpectedBulk(b) => {
                write!(f, "expected '$' in multibulk request, got ")?;
                fmt_byte(f, *b)
            }
            ErrorKind::LimitExceeded(limit) => match limit {
                Limit::BulkLen => f.write_str("bulk length exceeds the limit"),
                Limit::AggregateLen => f.write_str("aggregate length exceeds the limit"),
                Limit::AttributeLen => f.write_str("attribute length exceeds the limit"),
                Limit::Depth => f.write_str("nesting exceeds the depth limit"),
                Limit::LineLen => f.write_str("line exceeds the length limit"),
            },
            ErrorKind::InvalidFrame(why) => write!(f, "frame cannot be encoded: {why}"),
            ErrorKind::BufferShrunk => {
                f.write_str("buffer is shorter than the bytes already examined")
            }
        }
    }
}

fn fmt_byte(f: &mut fmt::Formatter<'_>, b: u8) -> fmt::Result {
    if b.is_ascii_graphic() {
        write!(f, "'{}'", b as char)
    } else {
        write!(f, "0x{b:02x}")
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::InvalidFrame(_) => self.kind.fmt(f),
            _ => write!(f, "{} at byte {}", self.kind, self.offset),
        }
    }
}

impl std::error::Error for Error {}
