//! Commands as data: a name and arguments, encoded as they are added.

use std::borrow::Cow;
use std::io::IoSlice;
use std::time::Duration;

use resp_core::command::Argv;

use crate::types::ToArgs;

/// Arguments at least this long are not copied: the command keeps a
/// reference and they are written straight from the caller's memory.
pub(crate) const BORROW_THRESHOLD: usize = 16 * 1024;

/// Where one argument's bytes are.
#[derive(Debug, Clone, Copy)]
enum ArgRef {
    /// `data[start..end]`.
    Inline { start: usize, end: usize },
    /// `big[index]`, to be written at `data[at]`.
    Big { index: usize, at: usize },
}

/// A command: a name, arguments, and optionally its own timeout.
///
/// Arguments are RESP-encoded as they are added. Short ones are copied into
/// one buffer; long borrowed ones (16 KiB and more) are kept by reference
/// and written with vectored I/O straight from the caller's memory, so a
/// large value is never copied into a second buffer.
///
/// A `Cmd` is plain data: run it with
/// [`Connection::query`](crate::Connection::query) or add it to a
/// [`Pipeline`](crate::Pipeline).
///
/// # Example
///
/// ```
/// use redis_blocking::Cmd;
///
/// let value = vec![7u8; 100_000];
/// let cmd = Cmd::new("SET").arg("key").arg(&value).arg("EX").arg(60);
/// assert_eq!(cmd.len(), 5);
/// assert_eq!(cmd.name(), b"SET");
/// assert_eq!(cmd.arg_bytes(1), Some(&b"key"[..]));
/// ```
#[derive(Clone)]
pub struct Cmd<'a> {
    data: Vec<u8>,
    args: Vec<ArgRef>,
    big: Vec<Cow<'a, [u8]>>,
    timeout: Option<Duration>,
    /// Why it must not be sent: an argument could not be written.
    invalid: Option<Box<str>>,
}

/// Where [`ToArgs`] implementations write arguments.
pub struct ArgSink<'s, 'a> {
    cmd: &'s mut Cmd<'a>,
}

impl<'a> ArgSink<'_, 'a> {
    /// Adds one argument, copying it.
    pub fn push(&mut self, bytes: &[u8]) {
        self.cmd.push_copied(bytes);
    }

    /// Adds one argument, keeping a reference when it is long.
    pub fn push_borrowed(&mut self, bytes: &'a [u8]) {
        if bytes.len() >= BORROW_THRESHOLD {
            self.cmd.push_big(Cow::Borrowed(bytes));
        } else {
            self.cmd.push_copied(bytes);
        }
    }

    /// Marks the command as one that must not be sent, because an argument
    /// could not be written (a value that does not serialize): running it
    /// fails with [`ErrorKind::InvalidCommand`](crate::ErrorKind::InvalidCommand)
    /// and `reason`, before anything is sent. The first reason is kept.
    pub fn reject(&mut self, reason: &str) {
        self.cmd.invalid.get_or_insert_with(|| reason.into());
    }

    /// Adds the number of arguments `args` makes, then those arguments: the
    /// `numkeys` before the keys of `EVAL`, `ZUNION`, `LMPOP`, ...
    ///
    /// # Example
    ///
    /// ```
    /// use redis_blocking::cmd::ArgSink;
    /// use redis_blocking::{Cmd, ToArgs};
    ///
    /// struct Keys(Vec<String>);
    ///
    /// impl<'a> ToArgs<'a> for Keys {
    ///     fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
    ///         out.push_counted(&self.0);
    ///     }
    /// }
    ///
    /// let cmd = Cmd::new("SINTERCARD").arg(Keys(vec!["a".into(), "b".into()]));
    /// let args: Vec<&[u8]> = cmd.args().collect();
    /// assert_eq!(args, [&b"SINTERCARD"[..], b"2", b"a", b"b"]);
    /// ```
    pub fn push_counted<T: ToArgs<'a> + ?Sized>(&mut self, args: &T) {
        let mut scratch = Cmd {
            data: Vec::new(),
            args: Vec::new(),
            big: Vec::new(),
            timeout: None,
            invalid: None,
        };
        args.write_args(&mut ArgSink { cmd: &mut scratch });
        if let Some(why) = scratch.invalid.take() {
            self.cmd.invalid.get_or_insert(why);
        }
        let mut digits = itoa::Buffer::new();
        self.cmd
            .push_copied(digits.format(scratch.args.len()).as_bytes());
        for arg in &scratch.args {
            match *arg {
                ArgRef::Inline { start, end } => self.cmd.push_copied(&scratch.data[start..end]),
                ArgRef::Big { index, .. } => self.cmd.push_big(scratch.big[index].clone()),
            }
        }
    }
}

impl<'a> Cmd<'a> {
    /// A command named `name` (`"GET"`, `"CLIENT"`, ...), no arguments yet.
    pub fn new(name: &str) -> Cmd<'a> {
        Cmd::from_name_bytes(name.as_bytes())
    }

    /// A command whose name is given as bytes (for tools that relay what a
    /// user typed, which need not be UTF-8).
    pub fn from_name_bytes(name: &[u8]) -> Cmd<'a> {
        let mut cmd = Cmd {
            data: Vec::with_capacity(64),
            args: Vec::with_capacity(4),
            big: Vec::new(),
            timeout: None,
            invalid: None,
        };
        cmd.push_copied(name);
        cmd
    }

    /// Adds `arg`: one argument, or several for a slice, `Vec`, tuple, ...
    #[must_use = "arg returns the command; use add_arg to add in place"]
    pub fn arg<T: ToArgs<'a>>(mut self, arg: T) -> Cmd<'a> {
        self.add_arg(arg);
        self
    }

    /// Adds `arg` in place.
    pub fn add_arg<T: ToArgs<'a>>(&mut self, arg: T) -> &mut Cmd<'a> {
        arg.write_args(&mut ArgSink { cmd: self });
        self
    }

    /// Gives this command its own timeout, replacing the connection's.
    #[must_use]
    pub fn timeout(mut self, timeout: Duration) -> Cmd<'a> {
        self.timeout = Some(timeout);
        self
    }

    /// The command's own timeout, if it has one.
    pub fn get_timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// Why this command must not be sent, if an argument could not be
    /// written ([`ArgSink::reject`]).
    pub fn invalid(&self) -> Option<&str> {
        self.invalid.as_deref()
    }

    /// The number of arguments, the name included.
    pub fn len(&self) -> usize {
        self.args.len()
    }

    /// Always false: a command has at least its name.
    pub fn is_empty(&self) -> bool {
        self.args.is_empty()
    }

    /// The command name as given.
    pub fn name(&self) -> &[u8] {
        self.arg_bytes(0).unwrap_or_default()
    }

    /// The bytes of argument `i` (`0` is the name).
    pub fn arg_bytes(&self, i: usize) -> Option<&[u8]> {
        Some(match *self.args.get(i)? {
            ArgRef::Inline { start, end } => &self.data[start..end],
            ArgRef::Big { index, .. } => self.big_at(index),
        })
    }

    /// All arguments, the name first.
    pub fn args(&self) -> impl ExactSizeIterator<Item = &[u8]> + '_ {
        (0..self.args.len()).map(|i| self.arg_bytes(i).unwrap_or_default())
    }

    /// Total encoded size in bytes.
    pub fn encoded_len(&self) -> usize {
        self.header().len + self.data.len() + self.big.iter().map(|b| b.len()).sum::<usize>()
    }

    fn big_at(&self, index: usize) -> &[u8] {
        &self.big[index]
    }

    /// This command with `prefix` put before every key argument (found by
    /// the command table's key specifications: `MGET` keys, `EVAL` and
    /// `FCALL` keys, `ZUNIONSTORE` destination and sources, ...). Patterns
    /// (`KEYS`, `SCAN MATCH`) and keys in replies are left as they are.
    ///
    /// # Example
    ///
    /// ```
    /// use redis_blocking::Cmd;
    ///
    /// let cmd = Cmd::new("EVAL").arg("return 1").arg(2).arg("a").arg("b").arg("arg");
    /// let prefixed = cmd.with_key_prefix(b"app:");
    /// let args: Vec<&[u8]> = prefixed.args().collect();
    /// assert_eq!(args, [&b"EVAL"[..], b"return 1", b"2", b"app:a", b"app:b", b"arg"]);
    /// ```
    pub fn with_key_prefix(&self, prefix: &[u8]) -> Cmd<'a> {
        let args: Vec<&[u8]> = self.args().collect();
        let keys = resp_core::command::key_positions(&args);
        let mut out = Cmd {
            data: Vec::with_capacity(self.data.len() + keys.len() * (prefix.len() + 2)),
            args: Vec::with_capacity(self.args.len()),
            big: Vec::new(),
            timeout: self.timeout,
            invalid: self.invalid.clone(),
        };
        for (i, arg) in self.args.iter().enumerate() {
            match *arg {
                _ if keys.binary_search(&i).is_ok() => {
                    let key = self.arg_bytes(i).unwrap_or_default();
                    out.push_copied(&[prefix, key].concat());
                }
                ArgRef::Big { index, .. } => out.push_big(self.big[index].clone()),
                ArgRef::Inline { start, end } => out.push_copied(&self.data[start..end]),
            }
        }
        out
    }

    fn push_copied(&mut self, bytes: &[u8]) {
        resp_core::encode::write_header(&mut self.data, b'$', bytes.len());
        let start = self.data.len();
        self.data.extend_from_slice(bytes);
        self.args.push(ArgRef::Inline {
            start,
            end: self.data.len(),
        });
        self.data.extend_from_slice(b"\r\n");
    }

    fn push_big(&mut self, bytes: Cow<'a, [u8]>) {
        resp_core::encode::write_header(&mut self.data, b'$', bytes.len());
        self.args.push(ArgRef::Big {
            index: self.big.len(),
            at: self.data.len(),
        });
        self.big.push(bytes);
        self.data.extend_from_slice(b"\r\n");
    }

    /// The `*N\r\n` header.
    fn header(&self) -> Header {
        let mut h = Header {
            buf: [0; 24],
            len: 0,
        };
        let mut digits = itoa::Buffer::new();
        let n = digits.format(self.args.len()).as_bytes();
        h.buf[0] = b'*';
        h.buf[1..1 + n.len()].copy_from_slice(n);
        h.buf[1 + n.len()..3 + n.len()].copy_from_slice(b"\r\n");
        h.len = 3 + n.len();
        h
    }

    /// Moves the encoded command into a pipeline's buffers: small parts
    /// copied into `buf`, large ones moved into `refs` as `(end in buf,
    /// bytes)`.
    pub(crate) fn move_into(self, buf: &mut Vec<u8>, refs: &mut Vec<(usize, Cow<'a, [u8]>)>) {
        buf.extend_from_slice(self.header().as_bytes());
        let mut big = self.big.into_iter();
        let mut from = 0;
        for arg in &self.args {
            if let ArgRef::Big { at, .. } = *arg {
                buf.extend_from_slice(&self.data[from..at]);
                if let Some(bytes) = big.next() {
                    refs.push((buf.len(), bytes));
                }
                from = at;
            }
        }
        buf.extend_from_slice(&self.data[from..]);
    }

    /// Appends the whole encoded command to `out`, large arguments copied
    /// too (for a buffer shared by many callers).
    pub(crate) fn write_flat(&self, out: &mut Vec<u8>) {
        out.reserve(self.encoded_len());
        out.extend_from_slice(self.header().as_bytes());
        let mut from = 0;
        for arg in &self.args {
            if let ArgRef::Big { index, at } = *arg {
                out.extend_from_slice(&self.data[from..at]);
                out.extend_from_slice(self.big_at(index));
                from = at;
            }
        }
        out.extend_from_slice(&self.data[from..]);
    }

    /// Appends the encoded command to a segment list: small parts copied
    /// into `out.buf`, large ones referenced.
    pub(crate) fn write_segments<'c>(&'c self, out: &mut Segments<'c>) {
        out.copy(self.header().as_bytes());
        let mut from = 0;
        for arg in &self.args {
            if let ArgRef::Big { index, at } = *arg {
                out.copy(&self.data[from..at]);
                out.reference(self.big_at(index));
                from = at;
            }
        }
        out.copy(&self.data[from..]);
    }
}

impl Argv for Cmd<'_> {
    fn argc(&self) -> usize {
        self.args.len()
    }

    fn arg(&self, i: usize) -> Option<&[u8]> {
        self.arg_bytes(i)
    }
}

struct Header {
    buf: [u8; 24],
    len: usize,
}

impl Header {
    fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

/// Bytes to write: a prefix, a main buffer interleaved with references to
/// large arguments, and a suffix, in that order.
#[derive(Default)]
pub(crate) struct Segments<'c> {
    /// Written first (`MULTI` for a transaction).
    pub prefix: &'c [u8],
    /// The encoded commands, large arguments excepted.
    pub buf: Cow<'c, [u8]>,
    /// `(end in buf, large slice)`: each large slice goes after
    /// `buf[..end]`.
    pub refs: Vec<(usize, &'c [u8])>,
    /// Written last (`EXEC`).
    pub suffix: &'c [u8],
}

impl<'c> Segments<'c> {
    /// Appends bytes to the main buffer.
    pub fn copy(&mut self, bytes: &[u8]) {
        self.buf.to_mut().extend_from_slice(bytes);
    }

    /// Appends a large slice by reference.
    pub fn reference(&mut self, bytes: &'c [u8]) {
        self.refs.push((self.buf.len(), bytes));
    }

    /// Total length.
    pub fn len(&self) -> usize {
        self.prefix.len()
            + self.buf.len()
            + self.refs.iter().map(|(_, b)| b.len()).sum::<usize>()
            + self.suffix.len()
    }

    /// The segments from byte `offset` on, at most `max` of them.
    pub fn io_slices<'s>(&'s self, offset: usize, max: usize) -> Vec<IoSlice<'s>> {
        // One allocation: the parts are walked in place (every call writes
        // through here).
        let mut out = Vec::with_capacity(max.min(self.refs.len() * 2 + 3));
        let mut pos = 0;
        // Takes `part` if it has bytes at or after `offset`; true when
        // `max` slices are taken.
        let mut take = |part: &'s [u8], out: &mut Vec<IoSlice<'s>>| {
            let end = pos + part.len();
            let took = end > offset && !part.is_empty();
            if took {
                out.push(IoSlice::new(&part[offset.saturating_sub(pos)..]));
            }
            pos = end;
            took && out.len() == max
        };
        let buf: &[u8] = &self.buf;
        if take(self.prefix, &mut out) {
            return out;
        }
        let mut from = 0;
        for &(end, big) in &self.refs {
            if take(&buf[from..end], &mut out) || take(big, &mut out) {
                return out;
            }
            from = end;
        }
        if take(&buf[from..], &mut out) {
            return out;
        }
        take(self.suffix, &mut out);
        out
    }
}

impl std::fmt::Debug for Cmd<'_> {
    /// Shows the command name and argument sizes, never argument bytes,
    /// which may hold passwords.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Cmd({} with {} arguments)",
            String::from_utf8_lossy(self.name()),
            self.len() - 1
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_with_large_arguments() {
        let big = vec![b'x'; BORROW_THRESHOLD];
        let cmd = Cmd::new("SET")
            .arg("k")
            .arg(&big)
            .arg(vec![b'y'; BORROW_THRESHOLD])
            .arg(1);
        let mut flat = Vec::new();
        let mut refs = Vec::new();
        cmd.clone().move_into(&mut flat, &mut refs);
        for (end, bytes) in refs.into_iter().rev() {
            flat.splice(end..end, bytes.iter().copied());
        }
        let mut expected = Vec::new();
        resp_core::encode::write_command(
            &mut expected,
            [&b"SET"[..], b"k", &big, &vec![b'y'; BORROW_THRESHOLD], b"1"],
        );
        assert_eq!(flat, expected);
        let mut segments = Segments::default();
        cmd.write_segments(&mut segments);
        // The borrowed value is referenced; the owned one was copied.
        assert_eq!(segments.refs.len(), 1);
        assert_eq!(segments.len(), expected.len());
        for offset in [0, 1, 30, BORROW_THRESHOLD + 20, expected.len() - 1] {
            let joined: Vec<u8> = segments
                .io_slices(offset, 64)
                .iter()
                .flat_map(|s| s.to_vec())
                .collect();
            assert_eq!(joined, &expected[offset..], "offset {offset}");
        }
        // With a prefix, several references and a suffix, from every
        // offset, at most `max` slices: the bytes from `offset` on, cut
        // after the `max`-th non-empty part.
        let big2 = vec![b'z'; BORROW_THRESHOLD + 3];
        let mut segments = Segments {
            prefix: b"*1\r\n$5\r\nMULTI\r\n",
            suffix: b"*1\r\n$4\r\nEXEC\r\n",
            ..Segments::default()
        };
        cmd.write_segments(&mut segments);
        segments.reference(&big2);
        segments.copy(b"\r\n");
        let parts: Vec<&[u8]> = {
            let mut parts = vec![segments.prefix];
            let mut from = 0;
            for &(end, big) in &segments.refs {
                parts.extend([&segments.buf[from..end], big]);
                from = end;
            }
            parts.extend([&segments.buf[from..], segments.suffix]);
            parts
        };
        let all: Vec<u8> = parts.concat();
        assert_eq!(segments.len(), all.len());
        // Offsets at, before and after every part's edges.
        let mut offsets = vec![0];
        let mut edge = 0;
        for part in &parts {
            edge += part.len();
            offsets.extend([edge.saturating_sub(1), edge, edge + 1]);
        }
        offsets.retain(|&o| o < all.len());
        for offset in offsets {
            for max in [1, 2, 3, 64, usize::MAX] {
                let slices = segments.io_slices(offset, max);
                let mut want = Vec::new();
                let mut pos = 0;
                let mut taken = 0;
                for part in &parts {
                    let end = pos + part.len();
                    if end > offset && !part.is_empty() && taken < max {
                        want.extend_from_slice(&part[offset.saturating_sub(pos)..]);
                        taken += 1;
                    }
                    pos = end;
                }
                let got: Vec<u8> = slices.iter().flat_map(|s| s.to_vec()).collect();
                assert_eq!(got, want, "offset {offset}, max {max}");
                assert_eq!(slices.len(), taken, "offset {offset}, max {max}");
                assert!(slices.iter().all(|s| !s.is_empty()));
            }
        }
        assert_eq!(cmd.arg_bytes(2), Some(&big[..]));
        assert_eq!(cmd.encoded_len(), expected.len());
        let mut whole = b"before".to_vec();
        cmd.write_flat(&mut whole);
        assert_eq!(&whole[6..], &expected[..]);
    }
}
