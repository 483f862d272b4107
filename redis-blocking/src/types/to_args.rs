//! Rust values as command arguments.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::num::{
    NonZeroI128, NonZeroI16, NonZeroI32, NonZeroI64, NonZeroI8, NonZeroIsize, NonZeroU128,
    NonZeroU16, NonZeroU32, NonZeroU64, NonZeroUsize,
};
use std::rc::Rc;
use std::sync::Arc;

use crate::cmd::ArgSink;

/// A value that is exactly one command argument.
///
/// Implemented for byte and text strings (`str`, `String`, `[u8]`,
/// `Vec<u8>`, `[u8; N]`, `Cow`), integers of every width except `u8` (so
/// that `&[u8]` and `Vec<u8>` stay byte strings; write `u16::from(b)`),
/// their `NonZero` forms, `f32` and `f64`, `bool` (`1`/`0`) and `char`; and
/// for references to (`&T`, `&mut T`) and boxes of (`Box`, `Rc`, `Arc`)
/// any of them. Borrowed strings of 16 KiB and more are written from the
/// caller's memory without a copy.
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

    /// Writes the argument from a borrow that lives as long as the
    /// command, so that a long byte string can be referenced rather than
    /// copied ([`ArgSink::push_borrowed`]). By default as
    /// [`write_arg`](ToArg::write_arg).
    fn write_arg_borrowed(&'a self, out: &mut ArgSink<'_, 'a>) {
        self.write_arg(out)
    }
}

/// A value that is any number of command arguments: every [`ToArg`], and
/// slices, vectors, arrays, `VecDeque`s, sets, tuples (of up to 12) and
/// options of them, maps as `key value` pairs, and references to all of
/// these. `None` and empty collections write nothing.
pub trait ToArgs<'a> {
    /// Writes the arguments.
    fn write_args(&self, out: &mut ArgSink<'_, 'a>);
}

impl<'a, T: ToArg<'a>> ToArgs<'a> for T {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        self.write_arg(out)
    }
}

/// Byte and text strings: copied when short; referenced when long and
/// borrowed for as long as the command.
macro_rules! bytes_to_arg {
    ([$($g:tt)*] $t:ty) => {
        impl<'a, $($g)*> ToArg<'a> for $t {
            fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
                out.push(AsRef::<[u8]>::as_ref(self))
            }

            fn write_arg_borrowed(&'a self, out: &mut ArgSink<'_, 'a>) {
                out.push_borrowed(AsRef::<[u8]>::as_ref(self))
            }
        }
    };
}
bytes_to_arg!([] str);
bytes_to_arg!([] String);
bytes_to_arg!([][u8]);
bytes_to_arg!([] Vec<u8>);
bytes_to_arg!([const N: usize,] [u8; N]);

/// References to any argument: `&str`, `&String`, `&i64`, `&&[u8]`, ...
/// A long byte string behind a reference is written from the caller's
/// memory, not copied.
impl<'a, 'x: 'a, T: ToArg<'a> + ?Sized> ToArg<'a> for &'x T {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        let inner: &'a T = self;
        inner.write_arg_borrowed(out)
    }

    fn write_arg_borrowed(&'a self, out: &mut ArgSink<'_, 'a>) {
        self.write_arg(out)
    }
}

impl<'a, 'x: 'a, T: ToArg<'a> + ?Sized> ToArg<'a> for &'x mut T {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        (**self).write_arg(out)
    }
}

macro_rules! smart_pointer_to_arg {
    ($($p:ident)*) => {$(
        impl<'a, T: ToArg<'a> + ?Sized> ToArg<'a> for $p<T> {
            fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
                (**self).write_arg(out)
            }

            fn write_arg_borrowed(&'a self, out: &mut ArgSink<'_, 'a>) {
                (**self).write_arg_borrowed(out)
            }
        }
    )*};
}
smart_pointer_to_arg!(Box Rc Arc);

impl<'a, 'x: 'a> ToArg<'a> for Cow<'x, [u8]> {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        match self {
            Cow::Borrowed(b) => out.push_borrowed(b),
            Cow::Owned(b) => out.push(b),
        }
    }

    fn write_arg_borrowed(&'a self, out: &mut ArgSink<'_, 'a>) {
        out.push_borrowed(self)
    }
}

impl<'a, 'x: 'a> ToArg<'a> for Cow<'x, str> {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        match self {
            Cow::Borrowed(s) => out.push_borrowed(s.as_bytes()),
            Cow::Owned(s) => out.push(s.as_bytes()),
        }
    }

    fn write_arg_borrowed(&'a self, out: &mut ArgSink<'_, 'a>) {
        out.push_borrowed(self.as_bytes())
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

macro_rules! nonzero_to_arg {
    ($($t:ty)*) => {$(
        impl<'a> ToArg<'a> for $t {
            fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
                self.get().write_arg(out)
            }
        }
    )*};
}
nonzero_to_arg!(
    NonZeroI8 NonZeroI16 NonZeroI32 NonZeroI64 NonZeroI128 NonZeroIsize
    NonZeroU16 NonZeroU32 NonZeroU64 NonZeroU128 NonZeroUsize
);

impl<'a> ToArg<'a> for f64 {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        out.push(resp_core::encode::format_f64(*self).as_bytes())
    }
}

impl<'a> ToArg<'a> for f32 {
    /// The shortest decimal that reads back as the same `f32` (`0.1f32` is
    /// `0.1`, not `0.10000000149011612`).
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        if self.is_finite() {
            out.push(self.to_string().as_bytes())
        } else {
            f64::from(*self).write_arg(out)
        }
    }
}

impl<'a> ToArg<'a> for bool {
    /// `1` or `0`, as redis-rs writes them (and as `SETBIT`, `GETBIT` and
    /// Lua's `tonumber` read them).
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        out.push(if *self { b"1" } else { b"0" })
    }
}

impl<'a> ToArg<'a> for char {
    /// The character in UTF-8.
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        out.push(self.encode_utf8(&mut [0; 4]).as_bytes())
    }
}

/// Sequences: each element's arguments in order.
macro_rules! seq_to_args {
    ([$($g:tt)*] $t:ty) => {
        impl<'a, $($g)* T: ToArgs<'a>> ToArgs<'a> for $t {
            fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
                self.iter().for_each(|t| t.write_args(out))
            }
        }
    };
}
seq_to_args!([][T]);
seq_to_args!([const N: usize,] [T; N]);
seq_to_args!([] Vec<T>);
seq_to_args!([] VecDeque<T>);
seq_to_args!([S,] HashSet<T, S>);
seq_to_args!([] BTreeSet<T>);

/// Maps: `key value` per entry (`HSET`, `MSET` and `XADD` take them so).
macro_rules! map_to_args {
    ([$($g:tt)*] $t:ty) => {
        impl<'a, $($g)* K: ToArgs<'a>, V: ToArgs<'a>> ToArgs<'a> for $t {
            fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
                for (k, v) in self.iter() {
                    k.write_args(out);
                    v.write_args(out);
                }
            }
        }
    };
}
map_to_args!([S,] HashMap<K, V, S>);
map_to_args!([] BTreeMap<K, V>);

/// References to collections, and to options and tuples: as the value.
macro_rules! ref_to_args {
    ([$($g:tt)*] $t:ty) => {
        impl<'a, 'x: 'a, $($g)*> ToArgs<'a> for &'x $t {
            fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
                (**self).write_args(out)
            }
        }
    };
}
ref_to_args!([T: ToArgs<'a>,] [T]);
ref_to_args!([T: ToArgs<'a>, const N: usize,] [T; N]);
ref_to_args!([T: ToArgs<'a>,] Vec<T>);
ref_to_args!([T: ToArgs<'a>,] VecDeque<T>);
ref_to_args!([T: ToArgs<'a>, S,] HashSet<T, S>);
ref_to_args!([T: ToArgs<'a>,] BTreeSet<T>);
ref_to_args!([K: ToArgs<'a>, V: ToArgs<'a>, S,] HashMap<K, V, S>);
ref_to_args!([K: ToArgs<'a>, V: ToArgs<'a>,] BTreeMap<K, V>);
ref_to_args!([T: ToArgs<'a>,] Option<T>);

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

        impl<'a, 'x: 'a, $($name: ToArgs<'a>),+> ToArgs<'a> for &'x ($($name,)+) {
            fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
                (**self).write_args(out)
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
tuple_to_args!(A B C D E F G);
tuple_to_args!(A B C D E F G H);
tuple_to_args!(A B C D E F G H I);
tuple_to_args!(A B C D E F G H I J);
tuple_to_args!(A B C D E F G H I J K);
tuple_to_args!(A B C D E F G H I J K L);

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
