//! Rust values as command arguments.

use std::borrow::Cow;

use crate::cmd::ArgSink;

/// A value that is exactly one command argument.
///
/// Implemented for byte and text strings, borrowed and owned, integers
/// (except `u8`, so that `&[u8]` stays a byte string) and floats. Borrowed
/// strings of 16 KiB and more are written from the caller's memory without
/// a copy.
///
/// # Example
///
/// ```
/// use redis_blocking::{Cmd, ToArg};
/// use redis_blocking::cmd::ArgSink;
///
/// struct UserId(u64);
///
/// impl<'a> ToArg<'a> for UserId {
///     fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
///         out.push(format!("user:{}", self.0).as_bytes());
///     }
/// }
///
/// let cmd = Cmd::new("GET").arg(UserId(7));
/// assert_eq!(cmd.arg_bytes(1), Some(&b"user:7"[..]));
/// ```
pub trait ToArg<'a> {
    /// Writes the argument.
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>);
}

/// A value that is any number of command arguments: every [`ToArg`], and
/// slices, vectors, arrays, tuples and options of them.
pub trait ToArgs<'a> {
    /// Writes the arguments.
    fn write_args(&self, out: &mut ArgSink<'_, 'a>);
}

impl<'a, T: ToArg<'a>> ToArgs<'a> for T {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        self.write_arg(out)
    }
}

impl<'a, 'x: 'a> ToArg<'a> for &'x [u8] {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        out.push_borrowed(self)
    }
}

impl<'a, 'x: 'a, const N: usize> ToArg<'a> for &'x [u8; N] {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        out.push_borrowed(&self[..])
    }
}

impl<'a, 'x: 'a> ToArg<'a> for &'x str {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        out.push_borrowed(self.as_bytes())
    }
}

impl<'a, 'x: 'a> ToArg<'a> for &'x Vec<u8> {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        out.push_borrowed(self)
    }
}

impl<'a, 'x: 'a> ToArg<'a> for &'x String {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        out.push_borrowed(self.as_bytes())
    }
}

impl<'a> ToArg<'a> for Vec<u8> {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        out.push(self)
    }
}

impl<'a> ToArg<'a> for String {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        out.push(self.as_bytes())
    }
}

impl<'a, 'x: 'a> ToArg<'a> for Cow<'x, [u8]> {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        match self {
            Cow::Borrowed(b) => out.push_borrowed(b),
            Cow::Owned(b) => out.push(b),
        }
    }
}

impl<'a, 'x: 'a> ToArg<'a> for Cow<'x, str> {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        match self {
            Cow::Borrowed(s) => out.push_borrowed(s.as_bytes()),
            Cow::Owned(s) => out.push(s.as_bytes()),
        }
    }
}

macro_rules! int_to_arg {
    ($($t:ty)*) => {$(
        impl<'a> ToArg<'a> for $t {
            fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
                let mut digits = itoa::Buffer::new();
                out.push(digits.format(*self).as_bytes())
            }
        }
    )*};
}
int_to_arg!(i8 i16 i32 i64 i128 isize u16 u32 u64 u128 usize);

impl<'a> ToArg<'a> for f64 {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        out.push(resp_core::encode::format_f64(*self).as_bytes())
    }
}

impl<'a> ToArg<'a> for f32 {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        f64::from(*self).write_arg(out)
    }
}

impl<'a, T: ToArgs<'a>> ToArgs<'a> for [T] {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        self.iter().for_each(|t| t.write_args(out))
    }
}

impl<'a, 'x: 'a, T: ToArgs<'a>> ToArgs<'a> for &'x [T] {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        self.iter().for_each(|t| t.write_args(out))
    }
}

impl<'a, T: ToArgs<'a>, const N: usize> ToArgs<'a> for [T; N] {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        self.iter().for_each(|t| t.write_args(out))
    }
}

impl<'a, 'x: 'a, T: ToArgs<'a>, const N: usize> ToArgs<'a> for &'x [T; N] {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        self.iter().for_each(|t| t.write_args(out))
    }
}

impl<'a, T: ToArgs<'a>> ToArgs<'a> for Vec<T> {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        self.iter().for_each(|t| t.write_args(out))
    }
}

impl<'a, 'x: 'a, T: ToArgs<'a>> ToArgs<'a> for &'x Vec<T> {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        self.iter().for_each(|t| t.write_args(out))
    }
}

impl<'a> ToArgs<'a> for () {
    fn write_args(&self, _out: &mut ArgSink<'_, 'a>) {}
}

impl<'a, T: ToArgs<'a>> ToArgs<'a> for Option<T> {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        if let Some(t) = self {
            t.write_args(out)
        }
    }
}

macro_rules! tuple_to_args {
    ($($name:ident)+) => {
        impl<'a, $($name: ToArgs<'a>),+> ToArgs<'a> for ($($name,)+) {
            #[allow(non_snake_case)]
            fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
                let ($($name,)+) = self;
                $($name.write_args(out);)+
            }
        }
    };
}
tuple_to_args!(A);
tuple_to_args!(A B);
tuple_to_args!(A B C);
tuple_to_args!(A B C D);
tuple_to_args!(A B C D E);
tuple_to_args!(A B C D E F);

#[cfg(test)]
mod tests {
    use crate::Cmd;

    fn args(cmd: &Cmd<'_>) -> Vec<Vec<u8>> {
        cmd.args().map(|a| a.to_vec()).collect()
    }

    #[test]
    fn many_shapes() {
        let owned = vec!["a".to_string(), "b".to_string()];
        let pairs = [("f1", 1), ("f2", 2)];
        let cmd = Cmd::new("X")
            .arg(&owned)
            .arg(&["c", "d"][..])
            .arg(["e"])
            .arg(pairs[0])
            .arg(Some(3.5))
            .arg(None::<i64>)
            .arg(b"z")
            .arg(-7i64);
        let want: Vec<&[u8]> = vec![
            b"X", b"a", b"b", b"c", b"d", b"e", b"f1", b"1", b"3.5", b"z", b"-7",
        ];
        assert_eq!(args(&cmd), want);
    }
}
