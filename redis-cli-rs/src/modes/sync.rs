//! The replication handshake's payload, without I/O: what follows `SYNC`
//! is `$<length>\r\n` and that many bytes of RDB, or `$EOF:<40 bytes>\r\n`,
//! the RDB, and the same 40 bytes (a diskless transfer). Used by `--rdb`,
//! `--functions-rdb`, `--replica` and `--cluster backup`.
//!
//! [`parse_header`] reads the header the way `redis-cli`'s `sendSync` does
//! (newlines the server sends while it prepares the file are skipped);
//! [`Payload`] says, chunk by chunk, how much of the input is RDB and when
//! it ends, so that what follows (the replication stream) is left alone.

use memchr::memmem;

/// Length of the end-of-file mark of a diskless transfer.
pub(crate) const EOF_MARK_SIZE: usize = 40;

/// What the line after `SYNC` announced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Header {
    /// `$<length>`: that many bytes follow.
    Length(u64),
    /// `$EOF:<mark>`: bytes follow until the mark.
    EofMark(Vec<u8>),
    /// `-ERR ...`: the line as the server sent it (its `\r` included, as
    /// `redis-cli` prints it).
    Refused(String),
}

/// The header at the start of `input`, and the bytes it used; `None` when
/// the line is not complete yet. Leading newlines are skipped.
pub(crate) fn parse_header(input: &[u8]) -> Option<(Header, usize)> {
    let start = input.iter().position(|&b| b != b'\n')?;
    let end = start + input[start..].iter().position(|&b| b == b'\n')?;
    let line = &input[start..end];
    let header = if line.first() == Some(&b'-') {
        Header::Refused(String::from_utf8_lossy(line).into_owned())
    } else if line.get(1..5) == Some(b"EOF:") && line.len() - 5 >= EOF_MARK_SIZE {
        Header::EofMark(line[5..5 + EOF_MARK_SIZE].to_vec())
    } else {
        Header::Length(strtoull(line.get(1..).unwrap_or_default()))
    };
    Some((header, end + 1))
}

/// C's `strtoull` for the digits a length has: leading digits, 0 if none.
fn strtoull(bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .fold(0u64, |n, d| {
            n.wrapping_mul(10).wrapping_add(u64::from(d - b'0'))
        })
}

/// How far the payload has come.
#[derive(Debug)]
pub(crate) struct Payload {
    /// Bytes still due (length mode).
    remaining: u64,
    /// The mark (diskless mode) and the last bytes seen, to find a mark
    /// split across chunks.
    mark: Option<(Vec<u8>, Vec<u8>)>,
    /// RDB bytes handed over so far (the mark excluded).
    delivered: u64,
    done: bool,
}

/// What one chunk held.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Step {
    /// Bytes of the chunk used (RDB, and the mark when it ends there);
    /// the rest belongs to what follows the payload.
    pub used: usize,
    /// The payload ended in this chunk.
    pub done: bool,
}

impl Payload {
    /// The payload announced by `header` (not [`Header::Refused`]).
    pub(crate) fn new(header: &Header) -> Payload {
        let (remaining, mark) = match header {
            Header::EofMark(mark) => (u64::MAX, Some((mark.clone(), Vec::new()))),
            Header::Length(n) => (*n, None),
            Header::Refused(_) => (0, None),
        };
        Payload {
            remaining,
            done: remaining == 0,
            mark,
            delivered: 0,
        }
    }

    /// Whether the end is a mark (diskless) rather than a length.
    pub(crate) fn uses_mark(&self) -> bool {
        self.mark.is_some()
    }

    /// RDB bytes handed over so far (the mark excluded).
    pub(crate) fn delivered(&self) -> u64 {
        self.delivered
    }

    /// Takes the next chunk of input and appends the RDB bytes it holds
    /// to `rdb`. In diskless mode the last 39 bytes seen are held back
    /// until it is known that they do not begin the mark.
    pub(crate) fn handle(&mut self, chunk: &[u8], rdb: &mut Vec<u8>) -> Step {
        if self.done {
            return Step {
                used: 0,
                done: true,
            };
        }
        let Some((mark, held)) = self.mark.as_mut() else {
            let used = chunk
                .len()
                .min(usize::try_from(self.remaining).unwrap_or(usize::MAX));
            rdb.extend_from_slice(&chunk[..used]);
            self.remaining -= used as u64;
            self.delivered += used as u64;
            self.done = self.remaining == 0;
            return Step {
                used,
                done: self.done,
            };
        };
        let before = held.len();
        let mut window = std::mem::take(held);
        window.extend_from_slice(chunk);
        if let Some(at) = memmem::find(&window, mark) {
            rdb.extend_from_slice(&window[..at]);
            self.delivered += at as u64;
            self.done = true;
            return Step {
                used: at + EOF_MARK_SIZE - before,
                done: true,
            };
        }
        let release = window.len() - (EOF_MARK_SIZE - 1).min(window.len());
        rdb.extend_from_slice(&window[..release]);
        self.delivered += release as u64;
        *held = window.split_off(release);
        Step {
            used: chunk.len(),
            done: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        assert_eq!(parse_header(b"\n\n$12"), None);
        assert_eq!(
            parse_header(b"\n\n$12\r\nREDIS"),
            Some((Header::Length(12), 7))
        );
        let mark = [b'm'; 40];
        let line = [&b"$EOF:"[..], &mark, b"\r\n"].concat();
        assert_eq!(
            parse_header(&line),
            Some((Header::EofMark(mark.to_vec()), line.len()))
        );
        assert_eq!(
            parse_header(b"-NOPERM no\r\n"),
            Some((Header::Refused("-NOPERM no\r".into()), 12))
        );
    }

    #[test]
    fn length_payload_leaves_what_follows() {
        let mut p = Payload::new(&Header::Length(5));
        let mut rdb = Vec::new();
        assert_eq!(
            p.handle(b"abc", &mut rdb),
            Step {
                used: 3,
                done: false
            }
        );
        assert_eq!(
            p.handle(b"de*1\r\n", &mut rdb),
            Step {
                used: 2,
                done: true
            }
        );
        assert_eq!((rdb.as_slice(), p.delivered()), (&b"abcde"[..], 5));
    }

    /// The mark found whatever the chunks' sizes, split anywhere, and the
    /// bytes after it left alone.
    #[test]
    fn mark_found_across_every_split() {
        let mark: Vec<u8> = (0..40u8).map(|i| b'a' + i % 26).collect();
        let body: Vec<u8> = (0..100u8).collect();
        let input = [&body[..], &mark, b"*1\r\n$4\r\nPING\r\n"].concat();
        for size in 1..input.len() {
            let mut p = Payload::new(&Header::EofMark(mark.clone()));
            let (mut rdb, mut pos) = (Vec::new(), 0);
            loop {
                let chunk = &input[pos..(pos + size).min(input.len())];
                let step = p.handle(chunk, &mut rdb);
                pos += step.used;
                if step.done {
                    break;
                }
                assert!(pos < input.len(), "mark not found with chunks of {size}");
            }
            assert_eq!(rdb, body, "chunks of {size}");
            assert_eq!(&input[pos..], b"*1\r\n$4\r\nPING\r\n", "chunks of {size}");
            assert_eq!(p.delivered(), 100);
        }
    }
}
