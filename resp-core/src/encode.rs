//! The encoder: commands and frames in, bytes appended to a caller's buffer.

use crate::decode::number::{is_big_number, is_double};
use crate::{Error, ErrorKind, Frame};

/// A value that can be a command argument: written as one bulk string.
///
/// Implemented for byte and text strings (borrowed and owned), integers and
/// floats; numbers are formatted on the stack, never through an
/// intermediate allocation.
///
/// # Example
///
/// ```
/// use resp_core::encode::{write_command, Arg};
///
/// let mut out = Vec::new();
/// let args: [&dyn Arg; 4] = [&"SET", b"key", &42, &1.5];
/// write_command(&mut out, args);
/// assert_eq!(out, b"*4\r\n$3\r\nSET\r\n$3\r\nkey\r\n$2\r\n42\r\n$3\r\n1.5\r\n");
/// ```
pub trait Arg {
    /// Appends this argument as a bulk string (`$len\r\n...\r\n`).
    fn write_arg(&self, out: &mut Vec<u8>);
}

impl<T: Arg + ?Sized> Arg for &T {
    fn write_arg(&self, out: &mut Vec<u8>) {
        (**self).write_arg(out)
    }
}

impl Arg for [u8] {
    fn write_arg(&self, out: &mut Vec<u8>) {
        write_bulk(out, self)
    }
}

impl<const N: usize> Arg for [u8; N] {
    fn write_arg(&self, out: &mut Vec<u8>) {
        write_bulk(out, self)
    }
}

impl Arg for str {
    fn write_arg(&self, out: &mut Vec<u8>) {
        write_bulk(out, self.as_bytes())
    }
}

impl Arg for Vec<u8> {
    fn write_arg(&self, out: &mut Vec<u8>) {
        write_bulk(out, self)
    }
}

impl Arg for String {
    fn write_arg(&self, out: &mut Vec<u8>) {
        write_bulk(out, self.as_bytes())
    }
}

impl Arg for std::borrow::Cow<'_, [u8]> {
    fn write_arg(&self, out: &mut Vec<u8>) {
        write_bulk(out, self)
    }
}

macro_rules! int_arg {
    ($($t:ty)*) => {$(
        impl Arg for $t {
            fn write_arg(&self, out: &mut Vec<u8>) {
                let mut digits = itoa::Buffer::new();
                write_bulk(out, digits.format(*self).as_bytes())
            }
        }
    )*};
}
int_arg!(i8 i16 i32 i64 i128 isize u8 u16 u32 u64 u128 usize);

impl Arg for f64 {
    fn write_arg(&self, out: &mut Vec<u8>) {
        write_bulk(out, format_f64(*self).as_bytes())
    }
}

impl Arg for f32 {
    fn write_arg(&self, out: &mut Vec<u8>) {
        f64::from(*self).write_arg(out)
    }
}

/// A float as Redis reads one: `inf`, `-inf`, `nan`, or the shortest
/// decimal that reads back to the same value (without a trailing `.0`,
/// with an exponent when that is shorter), formatted on the stack.
///
/// # Example
///
/// ```
/// use resp_core::encode::format_f64;
///
/// assert_eq!(format_f64(2.0).as_bytes(), b"2");
/// assert_eq!(format_f64(0.1).as_bytes(), b"0.1");
/// assert_eq!(format_f64(f64::NEG_INFINITY).as_bytes(), b"-inf");
/// ```
pub fn format_f64(value: f64) -> FloatText {
    use std::fmt::Write;
    let mut out = FloatText::new();
    let _ = if value.is_nan() {
        out.write_str("nan")
    } else if value.is_infinite() {
        out.write_str(if value > 0.0 { "inf" } else { "-inf" })
    } else if value == value.trunc() && value.abs() < 1e15 {
        // Integral values print without the `.0` that `{:?}` adds, as
        // redis-cli and most clients send them.
        write!(out, "{value:.0}")
    } else {
        write!(out, "{value:?}")
    };
    out
}

/// The text of a float from [`format_f64`]: a fixed buffer large enough
/// for any `f64`.
pub struct FloatText {
    buf: [u8; 40],
    len: usize,
}

impl FloatText {
    fn new() -> Self {
        FloatText {
            buf: [0; 40],
            len: 0,
        }
    }

    /// The text.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buf[..self.len]
    }
}

impl std::fmt::Write for FloatText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let dest = self.buf.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        dest.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// Appends a command: an array of bulk strings, one per argument.
///
/// # Example
///
/// ```
/// let mut out = Vec::new();
/// resp_core::encode::write_command(&mut out, ["GET", "key"]);
/// assert_eq!(out, b"*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n");
/// ```
pub fn write_command<I>(out: &mut Vec<u8>, args: I)
where
    I: IntoIterator,
    I::IntoIter: ExactSizeIterator,
    I::Item: Arg,
{
    let args = args.into_iter();
    write_header(out, b'*', args.len());
    for arg in args {
        arg.write_arg(out);
    }
}

/// Appends an aggregate header such as `*3\r\n` (`kind` is the type byte).
pub fn write_header(out: &mut Vec<u8>, kind: u8, len: usize) {
    let mut digits = itoa::Buffer::new();
    out.push(kind);
    out.extend_from_slice(digits.format(len).as_bytes());
    out.extend_from_slice(b"\r\n");
}

/// Appends a bulk string.
pub fn write_bulk(out: &mut Vec<u8>, bytes: &[u8]) {
    write_header(out, b'$', bytes.len());
    out.extend_from_slice(bytes);
    out.extend_from_slice(b"\r\n");
}

fn write_line(out: &mut Vec<u8>, kind: u8, text: &[u8]) -> Result<(), Error> {
    if memchr::memchr2(b'\r', b'\n', text).is_some() {
        return Err(invalid("simple string or error holds CR or LF"));
    }
    out.push(kind);
    out.extend_from_slice(text);
    out.extend_from_slice(b"\r\n");
    Ok(())
}

fn write_blob(out: &mut Vec<u8>, kind: u8, parts: &[&[u8]]) {
    write_header(out, kind, parts.iter().map(|p| p.len()).sum());
    for part in parts {
        out.extend_from_slice(part);
    }
    out.extend_from_slice(b"\r\n");
}

fn invalid(why: &'static str) -> Error {
    Error::new(ErrorKind::InvalidFrame(why), 0)
}

/// Appends `frame` in its wire form.
///
/// Decoding the output gives back an equal frame. On error, `out` may hold
/// part of the frame; truncate it to its former length if you keep it.
///
/// # Errors
///
/// [`ErrorKind::InvalidFrame`] when the frame has no valid wire form: a
/// simple string or error with CR or LF, a double or big number that is not
/// a number, or a push frame inside another aggregate.
///
/// # Example
///
/// ```
/// use resp_core::{encode::encode_frame, Frame};
///
/// let mut out = Vec::new();
/// encode_frame(&mut out, &Frame::Map(vec![(Frame::simple(b"a"), Frame::Boolean(true))]))?;
/// assert_eq!(out, b"%1\r\n+a\r\n#t\r\n");
/// # Ok::<(), resp_core::Error>(())
/// ```
pub fn encode_frame(out: &mut Vec<u8>, frame: &Frame<'_>) -> Result<(), Error> {
    encode(out, frame, true)
}

/// Recursive: frames from a decoder are bounded by its depth limit, and a
/// frame built by hand is dropped recursively anyway.
fn encode(out: &mut Vec<u8>, frame: &Frame<'_>, top: bool) -> Result<(), Error> {
    match frame {
        Frame::Simple(s) => write_line(out, b'+', s)?,
        Frame::Error(s) => write_line(out, b'-', s)?,
        Frame::Integer(i) => {
            let mut digits = itoa::Buffer::new();
            write_line(out, b':', digits.format(*i).as_bytes())?
        }
        Frame::Bulk(b) => write_blob(out, b'$', &[b]),
        Frame::NullBulk => out.extend_from_slice(b"$-1\r\n"),
        Frame::NullArray => out.extend_from_slice(b"*-1\r\n"),
        Frame::Null => out.extend_from_slice(b"_\r\n"),
        Frame::Boolean(b) => out.extend_from_slice(if *b { b"#t\r\n" } else { b"#f\r\n" }),
        Frame::Double(text) => {
            if !is_double(text.as_bytes()) {
                return Err(invalid("double is not a number"));
            }
            write_line(out, b',', text.as_bytes())?
        }
        Frame::BigNumber(text) => {
            if !is_big_number(text.as_bytes()) {
                return Err(invalid("big number is not an integer"));
            }
            write_line(out, b'(', text.as_bytes())?
        }
        Frame::BulkError(b) => write_blob(out, b'!', &[b]),
        Frame::Verbatim { format, text } => write_blob(out, b'=', &[format, b":", text]),
        Frame::Array(items) | Frame::Set(items) | Frame::Push(items) => {
            let kind = match frame {
                Frame::Array(_) => b'*',
                Frame::Set(_) => b'~',
                _ if top => b'>',
                _ => return Err(invalid("push frame inside an aggregate")),
            };
            write_header(out, kind, items.len());
            for item in items {
                encode(out, item, false)?;
            }
        }
        Frame::Map(pairs) => write_pairs(out, b'%', pairs)?,
        Frame::Attributed(inner) => {
            write_pairs(out, b'|', &inner.attributes)?;
            encode(out, &inner.frame, top)?;
        }
    }
    Ok(())
}

fn write_pairs(out: &mut Vec<u8>, kind: u8, pairs: &[(Frame<'_>, Frame<'_>)]) -> Result<(), Error> {
    write_header(out, kind, pairs.len());
    for (key, value) in pairs {
        encode(out, key, false)?;
        encode(out, value, false)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn arg(a: &dyn Arg) -> Vec<u8> {
        let mut out = Vec::new();
        a.write_arg(&mut out);
        out
    }

    #[test]
    fn numbers() {
        assert_eq!(arg(&-12i64), b"$3\r\n-12\r\n");
        assert_eq!(arg(&u64::MAX), b"$20\r\n18446744073709551615\r\n");
        assert_eq!(arg(&2.0f64), b"$1\r\n2\r\n");
        assert_eq!(arg(&0.1f64), b"$3\r\n0.1\r\n");
        assert_eq!(arg(&1e300f64), b"$5\r\n1e300\r\n");
        assert_eq!(arg(&f64::NEG_INFINITY), b"$4\r\n-inf\r\n");
        assert_eq!(
            arg(&-1.7976931348623157e308f64),
            b"$23\r\n-1.7976931348623157e308\r\n"
        );
        assert_eq!(arg(&5e-324f64), b"$6\r\n5e-324\r\n");
    }

    #[test]
    fn bad_frames() {
        let mut out = Vec::new();
        let nested = Frame::Array(vec![Frame::Push(vec![])]);
        assert!(encode_frame(&mut out, &nested).is_err());
        assert!(encode_frame(&mut out, &Frame::simple(b"a\r\nb")).is_err());
        assert!(encode_frame(&mut out, &Frame::Double("x".into())).is_err());
    }
}
