//! Reading one token (a type byte and what belongs to it) from a buffer.
//!
//! Tokens are the leaves and headers of a frame. The scanner is resumable:
//! a bulk payload whose header was read is awaited without reading the
//! header again, and a line still missing its CRLF is not searched twice.

use super::number::{is_big_number, is_double, parse_number, Fail};
use crate::{ErrorKind, Limit, Limits};

/// A byte range of the input buffer, `start..end`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: usize,
    pub end: usize,
}

/// The aggregate types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Agg {
    Array,
    Map,
    Set,
    Push,
    Attribute,
}

/// One complete token.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Token {
    Simple(Span),
    Error(Span),
    Integer(i64),
    Bulk(Span),
    NullBulk,
    NullArray,
    Null,
    Boolean(bool),
    Double(Span),
    BigNumber(Span),
    BulkError(Span),
    /// The whole payload, `fmt:text`.
    Verbatim(Span),
    /// An aggregate header; `None` for a streamed one. Maps and attributes
    /// count pairs.
    Open(Agg, Option<usize>),
    /// `$?`
    OpenString,
    /// `;N` with its `N` bytes; an empty span is the closing `;0`.
    Chunk(Span),
    /// `.`
    End,
}

/// Which blob type a pending payload belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Blob {
    Bulk,
    BulkError,
    Verbatim,
    Chunk,
}

/// What the scanner remembers between calls about the token at `pos`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Pending {
    /// Nothing: the token at `pos` is read from its type byte.
    Fresh,
    /// A line with no CRLF up to `scanned` (exclusive).
    Line { scanned: usize },
    /// A blob whose header was read; payload at `data..data + len`.
    Blob { blob: Blob, data: usize, len: usize },
}

/// The resumable token reader.
#[derive(Debug, Clone)]
pub(crate) struct Scanner {
    /// Where the next token starts.
    pub pos: usize,
    pending: Pending,
    /// Bytes inspected so far: lets tests prove that resuming does not
    /// re-read what was read.
    #[cfg(test)]
    pub work: u64,
}

impl Scanner {
    pub fn new() -> Self {
        Scanner {
            pos: 0,
            pending: Pending::Fresh,
            #[cfg(test)]
            work: 0,
        }
    }

    /// Forgets everything: the next token starts at index 0.
    pub fn reset(&mut self) {
        self.pos = 0;
        self.pending = Pending::Fresh;
    }

    /// The least buffer length that can complete the token at `pos`.
    pub fn needed(&self) -> usize {
        match self.pending {
            Pending::Fresh => self.pos + 1,
            Pending::Line { scanned } => scanned + 1,
            Pending::Blob { data, len, .. } => data + len + 2,
        }
    }

    /// Reads the token at `pos`, advancing past it.
    ///
    /// Answers `Ok(None)` when `buf` ends first; the next call must pass the
    /// same bytes, possibly extended.
    pub fn next(&mut self, buf: &[u8], limits: &Limits) -> Result<Option<Token>, Fail> {
        let token = match self.pending {
            Pending::Blob { blob, data, len } => self.payload(buf, blob, data, len)?,
            Pending::Fresh | Pending::Line { .. } => self.fresh(buf, limits)?,
        };
        Ok(token)
    }

    fn fresh(&mut self, buf: &[u8], limits: &Limits) -> Result<Option<Token>, Fail> {
        let start = self.pos;
        let Some(&ty) = buf.get(start) else {
            return Ok(None);
        };
        match ty {
            b'+' | b'-' | b',' | b'(' => {
                let Some(end) = self.line(buf, start, limits)? else {
                    return Ok(None);
                };
                let span = Span {
                    start: start + 1,
                    end,
                };
                let text = &buf[span.start..span.end];
                let token = match ty {
                    b'+' => Token::Simple(span),
                    b'-' => Token::Error(span),
                    b',' if is_double(text) => Token::Double(span),
                    b',' => return Err((ErrorKind::InvalidDouble, span.start)),
                    _ if is_big_number(text) => Token::BigNumber(span),
                    _ => return Err((ErrorKind::InvalidBigNumber, span.start)),
                };
                self.finish(end + 2);
                Ok(Some(token))
            }
            b':' => {
                let Some(n) = self.number(buf, start, ErrorKind::InvalidInteger, limits)? else {
                    return Ok(None);
                };
                let value = n.to_i64().ok_or((ErrorKind::Overflow, start + 1))?;
                self.finish(n.next);
                Ok(Some(Token::Integer(value)))
            }
            b'$' | b'!' | b'=' | b';' => self.blob_header(buf, ty, limits),
            b'*' | b'%' | b'~' | b'>' | b'|' => self.aggregate_header(buf, ty, limits),
            b'_' => self.fixed(buf, b"_\r\n", ErrorKind::InvalidNull, Token::Null),
            b'.' => self.fixed(buf, b".\r\n", ErrorKind::UnexpectedEnd, Token::End),
            b'#' => match buf.get(start + 1) {
                None => Ok(None),
                Some(b't') => self.fixed(
                    buf,
                    b"#t\r\n",
                    ErrorKind::InvalidBoolean,
                    Token::Boolean(true),
                ),
                Some(b'f') => self.fixed(
                    buf,
                    b"#f\r\n",
                    ErrorKind::InvalidBoolean,
                    Token::Boolean(false),
                ),
                Some(_) => Err((ErrorKind::InvalidBoolean, start + 1)),
            },
            other => Err((ErrorKind::UnknownType(other), start)),
        }
    }

    fn finish(&mut self, next: usize) {
        self.pos = next;
        self.pending = Pending::Fresh;
    }

    /// Matches a token that has exactly one spelling.
    fn fixed(
        &mut self,
        buf: &[u8],
        spelling: &[u8],
        invalid: ErrorKind,
        token: Token,
    ) -> Result<Option<Token>, Fail> {
        let start = self.pos;
        let have = &buf[start..buf.len().min(start + spelling.len())];
        self.count(have.len());
        if let Some(i) = have.iter().zip(spelling).position(|(a, b)| a != b) {
            // The byte after the type byte names the token; later ones are
            // the CRLF.
            let kind = if i <= 1 {
                invalid
            } else {
                ErrorKind::ExpectedCrlf
            };
            return Err((kind, start + i));
        }
        if have.len() < spelling.len() {
            return Ok(None);
        }
        self.finish(start + spelling.len());
        Ok(Some(token))
    }

    /// Finds the CR of the line starting at `start`, or remembers how far
    /// it looked.
    fn line(&mut self, buf: &[u8], start: usize, limits: &Limits) -> Result<Option<usize>, Fail> {
        let from = match self.pending {
            Pending::Line { scanned } => scanned,
            _ => start + 1,
        };
        let max_end = start.saturating_add(limits.line_len());
        let found = memchr::memchr2(b'\r', b'\n', &buf[from..]);
        let Some(i) = found.map(|k| from + k) else {
            self.count(buf.len() - from);
            if buf.len() > max_end {
                return Err((ErrorKind::LimitExceeded(Limit::LineLen), max_end));
            }
            self.pending = Pending::Line { scanned: buf.len() };
            return Ok(None);
        };
        self.count(i + 1 - from);
        if i > max_end {
            return Err((ErrorKind::LimitExceeded(Limit::LineLen), max_end));
        }
        if buf[i] == b'\n' {
            return Err((ErrorKind::InvalidLineEnding, i));
        }
        match buf.get(i + 1) {
            None => {
                self.pending = Pending::Line { scanned: i };
                Ok(None)
            }
            Some(b'\n') => Ok(Some(i)),
            Some(_) => Err((ErrorKind::InvalidLineEnding, i)),
        }
    }

    fn number(
        &mut self,
        buf: &[u8],
        start: usize,
        invalid: ErrorKind,
        limits: &Limits,
    ) -> Result<Option<super::number::Number>, Fail> {
        let n = parse_number(buf, start + 1, invalid, start, limits.line_len());
        if let Ok(Some(n)) = &n {
            self.count(n.next - start);
        } else {
            self.count(buf.len() - start);
        }
        n
    }

    /// Reads a length: `Ok(Some(Some(n)))`, `Some(None)` for `?`, or the
    /// null `-1` as `Err` of the next index when `null_ok`.
    fn length(
        &mut self,
        buf: &[u8],
        limits: &Limits,
        streamable: bool,
        null_ok: bool,
    ) -> Result<Option<Length>, Fail> {
        let start = self.pos;
        if buf.get(start + 1) == Some(&b'?') {
            if !streamable {
                return Err((ErrorKind::InvalidLength, start + 1));
            }
            return match buf.get(start + 2..start + 4) {
                None => match buf.get(start + 2) {
                    None | Some(b'\r') => Ok(None),
                    Some(_) => Err((ErrorKind::ExpectedCrlf, start + 2)),
                },
                Some(b"\r\n") => Ok(Some(Length::Streamed(start + 4))),
                Some(_) => Err((ErrorKind::ExpectedCrlf, start + 2)),
            };
        }
        let Some(n) = self.number(buf, start, ErrorKind::InvalidLength, limits)? else {
            return Ok(None);
        };
        if n.plus {
            return Err((ErrorKind::InvalidLength, start + 1));
        }
        if n.negative {
            return if n.magnitude == 1 && null_ok {
                Ok(Some(Length::Null(n.next)))
            } else {
                Err((ErrorKind::InvalidLength, start + 1))
            };
        }
        if n.magnitude > i64::MAX as u64 {
            return Err((ErrorKind::Overflow, start + 1));
        }
        Ok(Some(Length::Count(n.magnitude, n.next)))
    }

    fn blob_header(&mut self, buf: &[u8], ty: u8, limits: &Limits) -> Result<Option<Token>, Fail> {
        let start = self.pos;
        let (blob, streamable, null_ok) = match ty {
            b'$' => (Blob::Bulk, true, true),
            b'!' => (Blob::BulkError, false, false),
            b'=' => (Blob::Verbatim, false, false),
            _ => (Blob::Chunk, false, false),
        };
        let Some(length) = self.length(buf, limits, streamable, null_ok)? else {
            return Ok(None);
        };
        let (len, data) = match length {
            Length::Streamed(next) => {
                self.finish(next);
                return Ok(Some(Token::OpenString));
            }
            Length::Null(next) => {
                self.finish(next);
                return Ok(Some(Token::NullBulk));
            }
            Length::Count(len, data) => (len, data),
        };
        if len > limits.bulk_len() as u64 {
            return Err((ErrorKind::LimitExceeded(Limit::BulkLen), start + 1));
        }
        let len = len as usize;
        if blob == Blob::Verbatim && len < 4 {
            return Err((ErrorKind::InvalidVerbatim, start + 1));
        }
        if blob == Blob::Chunk && len == 0 {
            self.finish(data);
            return Ok(Some(Token::Chunk(Span {
                start: data,
                end: data,
            })));
        }
        self.payload(buf, blob, data, len)
    }

    fn payload(
        &mut self,
        buf: &[u8],
        blob: Blob,
        data: usize,
        len: usize,
    ) -> Result<Option<Token>, Fail> {
        let end = data + len;
        if blob == Blob::Verbatim && buf.get(data + 3).is_some_and(|&b| b != b':') {
            return Err((ErrorKind::InvalidVerbatim, data + 3));
        }
        // Check the trailer byte by byte as it arrives, so `$1\r\nX!!` fails
        // at once rather than waiting for more data.
        self.count(1);
        match buf.get(end) {
            None => {
                self.pending = Pending::Blob { blob, data, len };
                return Ok(None);
            }
            Some(b'\r') => {}
            Some(_) => return Err((ErrorKind::ExpectedCrlf, end)),
        }
        match buf.get(end + 1) {
            None => {
                self.pending = Pending::Blob { blob, data, len };
                return Ok(None);
            }
            Some(b'\n') => {}
            Some(_) => return Err((ErrorKind::ExpectedCrlf, end + 1)),
        }
        let span = Span { start: data, end };
        let token = match blob {
            Blob::Bulk => Token::Bulk(span),
            Blob::BulkError => Token::BulkError(span),
            Blob::Chunk => Token::Chunk(span),
            Blob::Verbatim => Token::Verbatim(span),
        };
        self.finish(end + 2);
        Ok(Some(token))
    }

    fn aggregate_header(
        &mut self,
        buf: &[u8],
        ty: u8,
        limits: &Limits,
    ) -> Result<Option<Token>, Fail> {
        let start = self.pos;
        let agg = match ty {
            b'*' => Agg::Array,
            b'%' => Agg::Map,
            b'~' => Agg::Set,
            b'>' => Agg::Push,
            _ => Agg::Attribute,
        };
        let streamable = matches!(agg, Agg::Array | Agg::Map | Agg::Set);
        let Some(length) = self.length(buf, limits, streamable, agg == Agg::Array)? else {
            return Ok(None);
        };
        let (token, next) = match length {
            Length::Streamed(next) => (Token::Open(agg, None), next),
            Length::Null(next) => (Token::NullArray, next),
            Length::Count(n, next) => {
                let paired = matches!(agg, Agg::Map | Agg::Attribute);
                let elements = if paired { n.checked_mul(2) } else { Some(n) };
                match elements {
                    Some(e) if e <= i64::MAX as u64 => {
                        if e > limits.aggregate_len() as u64 {
                            return Err((ErrorKind::LimitExceeded(Limit::AggregateLen), start + 1));
                        }
                        if agg == Agg::Attribute && e > limits.attribute_len() as u64 {
                            return Err((ErrorKind::LimitExceeded(Limit::AttributeLen), start + 1));
                        }
                    }
                    _ => return Err((ErrorKind::Overflow, start + 1)),
                }
                (Token::Open(agg, Some(n as usize)), next)
            }
        };
        self.finish(next);
        Ok(Some(token))
    }

    #[inline(always)]
    fn count(&mut self, _bytes: usize) {
        #[cfg(test)]
        {
            self.work += _bytes as u64;
        }
    }
}

/// A declared length.
enum Length {
    /// `?`, then the index after its CRLF.
    Streamed(usize),
    /// `-1`, then the index after its CRLF.
    Null(usize),
    /// A count, then the index after its CRLF.
    Count(u64, usize),
}
