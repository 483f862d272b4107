//! The request decoder: what a server, proxy or test double reads from a
//! client.

use std::borrow::Cow;

use crate::args::split_args;
use crate::decode::number::{parse_number, Fail};
use crate::{Error, ErrorKind, Limit, Limits, Status};

/// A decoded command: its arguments, the first being the command name.
pub type Request<'b> = Vec<Cow<'b, [u8]>>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the start of a request.
    Idle,
    /// In an inline request with no LF before `scanned`.
    Inline { scanned: usize },
    /// In a multibulk request, `remaining` arguments to go.
    Args { remaining: usize },
    /// In a multibulk argument whose payload is `data..data + len`.
    Payload {
        data: usize,
        len: usize,
        remaining: usize,
    },
}

/// A resumable decoder of client requests, as a Redis server reads them.
///
/// Accepts multibulk requests (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`), whose
/// arguments borrow from the buffer, and inline requests (`GET k\r\n`),
/// split by the quoting rules of [`split_args`]. Empty requests (`*0`,
/// `*-1`, blank lines) are skipped, as the server skips them.
///
/// The call order is [`Decoder`](crate::Decoder)'s: pass the whole
/// unconsumed buffer, drop the bytes a complete request used, keep them all
/// on [`Status::Partial`]. Errors are sticky.
///
/// The defaults are the server's: inline requests up to 64 KiB, arguments up
/// to 512 MiB, at most 2^31 - 1 arguments.
///
/// # Example
///
/// ```
/// use resp_core::{RequestDecoder, Status};
///
/// let mut decoder = RequestDecoder::new();
/// let buf = b"*2\r\n$3\r\nGET\r\n$1\r\nk\r\nSET k \"v 1\"\r\n";
/// let Status::Complete((args, used)) = decoder.decode(buf)? else { panic!() };
/// assert_eq!(args, [&b"GET"[..], b"k"]);
/// let Status::Complete((args, _)) = decoder.decode(&buf[used..])? else { panic!() };
/// assert_eq!(args, [&b"SET"[..], b"k", b"v 1"]);
/// # Ok::<(), resp_core::Error>(())
/// ```
#[derive(Debug, Clone)]
pub struct RequestDecoder {
    limits: Limits,
    pos: usize,
    state: State,
    args: Vec<(usize, usize)>,
    consumed: u64,
    examined: usize,
    failed: Option<Error>,
}

impl Default for RequestDecoder {
    fn default() -> Self {
        RequestDecoder::new()
    }
}

impl RequestDecoder {
    /// A decoder with the server's limits.
    pub fn new() -> Self {
        RequestDecoder::with_limits(Limits::default().max_line_len(64 * 1024))
    }

    /// A decoder with the given limits; [`Limits::line_len`] bounds inline
    /// requests and [`Limits::aggregate_len`] the argument count.
    pub fn with_limits(limits: Limits) -> Self {
        RequestDecoder {
            limits,
            pos: 0,
            state: State::Idle,
            args: Vec::new(),
            consumed: 0,
            examined: 0,
            failed: None,
        }
    }

    /// Decodes the next request from the start of `buf`.
    ///
    /// # Errors
    ///
    /// A malformed request (with the server's distinctions: bad multibulk
    /// or bulk length, an argument not starting with `$`, unbalanced quotes),
    /// an exceeded limit, or a buffer that shrank since the last `Partial`.
    pub fn decode<'b>(&mut self, buf: &'b [u8]) -> Result<Status<(Request<'b>, usize)>, Error> {
        if let Some(err) = self.failed {
            return Err(err);
        }
        if buf.len() < self.examined {
            return Err(self.fail((ErrorKind::BufferShrunk, buf.len())));
        }
        match self.advance(buf) {
            Ok(Some(request)) => {
                let used = self.pos;
                self.pos = 0;
                self.state = State::Idle;
                self.examined = 0;
                self.consumed += used as u64;
                Ok(Status::Complete((request, used)))
            }
            Ok(None) => {
                self.examined = buf.len();
                Ok(Status::Partial)
            }
            Err(fail) => Err(self.fail(fail)),
        }
    }

    fn fail(&mut self, (kind, at): Fail) -> Error {
        let err = Error::new(kind, self.consumed + at as u64);
        self.failed = Some(err);
        err
    }

    fn advance<'b>(&mut self, buf: &'b [u8]) -> Result<Option<Request<'b>>, Fail> {
        loop {
            match self.state {
                State::Idle => match buf.get(self.pos) {
                    None => return Ok(None),
                    Some(b'*') => {
                        let Some(n) = self.number(buf)? else {
                            return Ok(None);
                        };
                        self.pos = n.next;
                        if n.negative || n.magnitude == 0 {
                            continue;
                        }
                        if n.magnitude > self.limits.aggregate_len() as u64 {
                            return Err((ErrorKind::LimitExceeded(Limit::AggregateLen), n.next));
                        }
                        self.args.clear();
                        self.state = State::Args {
                            remaining: n.magnitude as usize,
                        };
                    }
                    Some(_) => self.state = State::Inline { scanned: self.pos },
                },
                State::Inline { scanned } => {
                    let Some(lf) = memchr::memchr(b'\n', &buf[scanned..]).map(|i| scanned + i)
                    else {
                        if buf.len() - self.pos > self.limits.line_len() {
                            return Err((ErrorKind::LimitExceeded(Limit::LineLen), self.pos));
                        }
                        self.state = State::Inline { scanned: buf.len() };
                        return Ok(None);
                    };
                    let line = &buf[self.pos..lf];
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    let args =
                        split_args(line).map_err(|_| (ErrorKind::UnbalancedQuotes, self.pos))?;
                    self.pos = lf + 1;
                    self.state = State::Idle;
                    if !args.is_empty() {
                        return Ok(Some(args.into_iter().map(Cow::Owned).collect()));
                    }
                }
                State::Args { remaining: 0 } => {
                    let args = self.args.iter().map(|&(s, e)| Cow::Borrowed(&buf[s..e]));
                    return Ok(Some(args.collect()));
                }
                State::Args { remaining } => {
                    match buf.get(self.pos) {
                        None => return Ok(None),
                        Some(b'$') => {}
                        Some(&other) => return Err((ErrorKind::ExpectedBulk(other), self.pos)),
                    }
                    let Some(n) = self.number(buf)? else {
                        return Ok(None);
                    };
                    if n.negative || n.plus {
                        return Err((ErrorKind::InvalidLength, self.pos + 1));
                    }
                    if n.magnitude > self.limits.bulk_len() as u64 {
                        return Err((ErrorKind::LimitExceeded(Limit::BulkLen), self.pos + 1));
                    }
                    self.pos = n.next;
                    self.state = State::Payload {
                        data: n.next,
                        len: n.magnitude as usize,
                        remaining,
                    };
                }
                State::Payload {
                    data,
                    len,
                    remaining,
                } => {
                    let end = data + len;
                    match buf.get(end..end + 2) {
                        Some(b"\r\n") => {}
                        Some(_) => return Err((ErrorKind::ExpectedCrlf, end)),
                        None if buf.len() > end && buf[end] != b'\r' => {
                            return Err((ErrorKind::ExpectedCrlf, end))
                        }
                        None => return Ok(None),
                    }
                    self.args.push((data, end));
                    self.pos = end + 2;
                    self.state = State::Args {
                        remaining: remaining - 1,
                    };
                }
            }
        }
    }

    fn number(&self, buf: &[u8]) -> Result<Option<crate::decode::number::Number>, Fail> {
        parse_number(
            buf,
            self.pos + 1,
            ErrorKind::InvalidLength,
            self.pos,
            self.limits.line_len(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all(input: &[u8]) -> Result<Vec<Vec<Vec<u8>>>, Error> {
        let mut decoder = RequestDecoder::new();
        let mut out = Vec::new();
        let mut rest = input;
        while let Status::Complete((args, used)) = decoder.decode(rest)? {
            out.push(args.into_iter().map(Cow::into_owned).collect());
            rest = &rest[used..];
        }
        Ok(out)
    }

    #[test]
    fn requests() {
        let got = all(b"*0\r\n*-1\r\n\r\nPING\r\n*1\r\n$4\r\nPING\r\n  get  'a b'\n").unwrap();
        let want: Vec<Vec<Vec<u8>>> = vec![
            vec![b"PING".to_vec()],
            vec![b"PING".to_vec()],
            vec![b"get".to_vec(), b"a b".to_vec()],
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn errors() {
        let kind = |b: &[u8]| all(b).unwrap_err().kind();
        assert_eq!(kind(b"*1\r\n:1\r\n"), ErrorKind::ExpectedBulk(b':'));
        assert_eq!(kind(b"*1\r\n$-1\r\n"), ErrorKind::InvalidLength);
        assert_eq!(kind(b"*x\r\n"), ErrorKind::InvalidLength);
        assert_eq!(kind(b"get \"a\r\n"), ErrorKind::UnbalancedQuotes);
        assert_eq!(kind(b"*1\r\n$1\r\nab\r\n"), ErrorKind::ExpectedCrlf);
        let long = vec![b'a'; 70_000];
        assert_eq!(kind(&long), ErrorKind::LimitExceeded(Limit::LineLen));
    }

    #[test]
    fn every_split() {
        let input = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\nGET \"k\"\r\n";
        let whole = all(input).unwrap();
        for cut in 0..input.len() {
            let mut decoder = RequestDecoder::new();
            let mut buf = input[..cut].to_vec();
            let mut got = Vec::new();
            let mut fed = false;
            loop {
                match decoder.decode(&buf).unwrap() {
                    Status::Complete((args, used)) => {
                        got.push(args.into_iter().map(Cow::into_owned).collect::<Vec<_>>());
                        buf.drain(..used);
                    }
                    Status::Partial if !fed => {
                        buf.extend_from_slice(&input[cut..]);
                        fed = true;
                    }
                    Status::Partial => break,
                }
            }
            assert_eq!(got, whole, "cut at {cut}");
        }
    }
}
