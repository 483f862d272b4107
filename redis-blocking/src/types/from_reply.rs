//! Replies as Rust values.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::hash::{BuildHasher, Hash};

use resp_core::{Frame, OwnedFrame};

use crate::error::{Error, Result, ServerError};

/// An owned reply, exactly as decoded: RESP3 maps, sets, doubles and
/// attributes included. A top-level error reply converts to `Err`; errors
/// nested in an aggregate (the replies of `EXEC`) stay [`Frame::Error`]
/// values.
pub type Value = OwnedFrame;

/// A type a reply can be converted into.
///
/// The whole reply is read before conversion, so a conversion error leaves
/// the connection in step and usable. A server error reply converts to
/// `Err` (kind [`Server`](crate::ErrorKind::Server)) for every type except
/// `Result<T, ServerError>`, which hands it over as a value. Attributes are dropped, except by [`Value`].
///
/// RESP2 and RESP3 replies convert to the same Rust types: a map from a
/// RESP3 map or a RESP2 flat array, a float from a RESP3 double or a bulk
/// string, a `bool` from a RESP3 boolean or an integer, a set from a RESP3
/// set or an array.
///
/// # Example
///
/// ```
/// use std::collections::HashMap;
/// use redis_blocking::FromReply;
/// use resp_core::Frame;
///
/// let flat = Frame::Array(vec![Frame::bulk(b"a"), Frame::bulk(b"1")]);
/// let map = HashMap::<String, i64>::from_reply(flat)?;
/// assert_eq!(map["a"], 1);
/// # Ok::<(), redis_blocking::Error>(())
/// ```
pub trait FromReply: Sized {
    /// Converts a reply.
    ///
    /// # Errors
    ///
    /// [`TypeMismatch`](crate::ErrorKind::TypeMismatch) when the reply does
    /// not fit the type; [`Server`](crate::ErrorKind::Server) for an error
    /// reply.
    fn from_reply(frame: Frame<'_>) -> Result<Self>;

    /// Converts a byte string into a `Vec<Self>`, for `Vec<u8>` only.
    #[doc(hidden)]
    fn from_byte_string(_bytes: Cow<'_, [u8]>) -> Option<Vec<Self>> {
        None
    }

    /// True for two-element tuples, which a flat array `[k1, v1, k2, v2]`
    /// or a map also fill, pair by pair.
    #[doc(hidden)]
    const PAIR: bool = false;

    /// Converts the replies of a pipeline's kept commands, in order (error
    /// replies included, as error frames). By default, as one array.
    ///
    /// # Errors
    ///
    /// As [`from_reply`](FromReply::from_reply).
    #[doc(hidden)]
    fn from_pipeline(replies: Vec<Frame<'_>>) -> Result<Self> {
        Self::from_reply(Frame::Array(replies))
    }
}

/// Describes a frame for an error message, without dumping large values.
pub(crate) fn describe(frame: &Frame<'_>) -> String {
    let kind = match frame {
        Frame::Simple(_) => "simple string",
        Frame::Error(_) | Frame::BulkError(_) => "error",
        Frame::Integer(i) => return format!("integer {i}"),
        Frame::Bulk(_) => "bulk string",
        Frame::NullBulk | Frame::NullArray | Frame::Null => return "nil".into(),
        Frame::Boolean(b) => return format!("boolean {b}"),
        Frame::Double(d) => return format!("double {d}"),
        Frame::BigNumber(n) => return format!("big number {n}"),
        Frame::Verbatim { .. } => "verbatim string",
        Frame::Array(a) => return format!("array of {}", a.len()),
        Frame::Map(m) => return format!("map of {}", m.len()),
        Frame::Set(s) => return format!("set of {}", s.len()),
        Frame::Push(p) => return format!("push of {}", p.len()),
        Frame::Attributed(a) => return describe(&a.frame),
    };
    let bytes = frame.as_bytes().unwrap_or_default();
    let shown: String = String::from_utf8_lossy(&bytes[..bytes.len().min(40)])
        .escape_debug()
        .collect();
    let more = if bytes.len() > 40 { "..." } else { "" };
    format!("{kind} \"{shown}{more}\"")
}

fn mismatch<T>(want: &str, frame: &Frame<'_>) -> Result<T> {
    Err(Error::type_mismatch(format!(
        "expected {want}, got {}",
        describe(frame)
    )))
}

/// Strips attributes, and turns an error reply into `Err`.
pub(crate) fn plain(frame: Frame<'_>) -> Result<Frame<'_>> {
    match frame.strip_attributes() {
        Frame::Error(e) | Frame::BulkError(e) => Err(Error::server(ServerError::new(
            String::from_utf8_lossy(&e).into_owned(),
        ))),
        other => Ok(other),
    }
}

/// The bytes of a string-like reply.
pub(crate) fn string_bytes(frame: Frame<'_>) -> std::result::Result<Cow<'_, [u8]>, Frame<'_>> {
    match frame {
        Frame::Simple(b) | Frame::Bulk(b) => Ok(b),
        Frame::Verbatim { text, .. } => Ok(text),
        Frame::Double(s) | Frame::BigNumber(s) => Ok(match s {
            Cow::Borrowed(s) => Cow::Borrowed(s.as_bytes()),
            Cow::Owned(s) => Cow::Owned(s.into_bytes()),
        }),
        Frame::Integer(i) => Ok(Cow::Owned(
            itoa::Buffer::new().format(i).as_bytes().to_vec(),
        )),
        other => Err(other),
    }
}

impl FromReply for Value {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        match frame {
            Frame::Error(_) | Frame::BulkError(_) => plain(frame).map(Frame::into_owned),
            other => Ok(other.into_owned()),
        }
    }
}

impl<T: FromReply> FromReply for std::result::Result<T, ServerError> {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        match frame.strip_attributes() {
            Frame::Error(e) | Frame::BulkError(e) => Ok(Err(ServerError::new(
                String::from_utf8_lossy(&e).into_owned(),
            ))),
            other => T::from_reply(other).map(Ok),
        }
    }
}

impl FromReply for () {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        plain(frame).map(drop)
    }

    /// Every reply is still checked: the first error reply is the error.
    fn from_pipeline(replies: Vec<Frame<'_>>) -> Result<Self> {
        replies
            .into_iter()
            .try_for_each(|reply| plain(reply).map(drop))
    }
}

impl FromReply for String {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        match string_bytes(plain(frame)?) {
            Ok(bytes) => match bytes {
                Cow::Borrowed(b) => std::str::from_utf8(b).map(str::to_owned).map_err(|_| ()),
                Cow::Owned(b) => String::from_utf8(b).map_err(|_| ()),
            }
            .map_err(|()| Error::type_mismatch("expected a UTF-8 string, got invalid UTF-8")),
            Err(other) => mismatch("a string", &other),
        }
    }
}

impl FromReply for bool {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        match plain(frame)? {
            Frame::Boolean(b) => Ok(b),
            Frame::Integer(i) => Ok(i != 0),
            Frame::NullBulk | Frame::NullArray | Frame::Null => Ok(false),
            Frame::Simple(s) if &*s == b"OK" => Ok(true),
            Frame::Bulk(b) | Frame::Simple(b) if &*b == b"1" => Ok(true),
            Frame::Bulk(b) | Frame::Simple(b) if &*b == b"0" => Ok(false),
            other => mismatch("a boolean", &other),
        }
    }
}

/// Parses a number from a string-like reply; one that does not parse is
/// described as what it was (`got double 1.5` from a RESP3 double, not
/// `got bulk string`).
fn parse_number<T: std::str::FromStr>(frame: Frame<'_>, want: &str) -> Result<T> {
    let text = match &frame {
        Frame::Simple(b) | Frame::Bulk(b) | Frame::Verbatim { text: b, .. } => {
            std::str::from_utf8(b).ok()
        }
        Frame::Double(s) | Frame::BigNumber(s) => Some(&**s),
        _ => None,
    };
    match text.and_then(|s| s.parse().ok()) {
        Some(n) => Ok(n),
        None => mismatch(want, &frame),
    }
}

macro_rules! int_from_reply {
    ($($t:ty)*) => {$(
        impl FromReply for $t {
            fn from_reply(frame: Frame<'_>) -> Result<Self> {
                const WANT: &str = concat!("an integer (", stringify!($t), ")");
                match plain(frame)? {
                    Frame::Integer(i) => <$t>::try_from(i).or_else(|_| mismatch(WANT, &Frame::Integer(i))),
                    Frame::Boolean(b) => Ok(<$t>::from(b)),
                    other => parse_number(other, WANT),
                }
            }
        }
    )*};
}
int_from_reply!(i8 i16 i32 i64 i128 isize u16 u32 u64 u128 usize);

impl FromReply for u8 {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        match plain(frame)? {
            Frame::Integer(i) => {
                u8::try_from(i).or_else(|_| mismatch("an integer (u8)", &Frame::Integer(i)))
            }
            other => parse_number(other, "an integer (u8)"),
        }
    }

    fn from_byte_string(bytes: Cow<'_, [u8]>) -> Option<Vec<u8>> {
        Some(bytes.into_owned())
    }
}

macro_rules! float_from_reply {
    ($($t:ty)*) => {$(
        impl FromReply for $t {
            fn from_reply(frame: Frame<'_>) -> Result<Self> {
                const WANT: &str = "a number";
                match plain(frame)? {
                    Frame::Integer(i) => Ok(i as $t),
                    Frame::Double(ref d) if matches!(&**d, "inf" | "+inf") => Ok(<$t>::INFINITY),
                    Frame::Double(ref d) if &**d == "-inf" => Ok(<$t>::NEG_INFINITY),
                    Frame::Double(ref d) if matches!(&**d, "nan" | "-nan") => Ok(<$t>::NAN),
                    // Redis writes infinities as `inf`, which Rust parses too.
                    other => parse_number(other, WANT),
                }
            }
        }
    )*};
}
float_from_reply!(f32 f64);

impl<T: FromReply> FromReply for Option<T> {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        match plain(frame)? {
            Frame::NullBulk | Frame::NullArray | Frame::Null => Ok(None),
            other => T::from_reply(other).map(Some),
        }
    }
}

impl<T: FromReply> FromReply for Box<T> {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        T::from_reply(frame).map(Box::new)
    }
}

/// The elements of an aggregate reply, for collections: arrays, sets and
/// pushes as they are, maps flattened; nil is empty.
fn elements(frame: Frame<'_>, pairs: bool) -> std::result::Result<Vec<Frame<'_>>, Frame<'_>> {
    match frame {
        Frame::Array(items) | Frame::Set(items) | Frame::Push(items) => {
            if pairs && items.first().is_some_and(|f| !is_aggregate(f)) {
                // A flat RESP2 array of pairs: group them.
                if items.len() % 2 == 1 {
                    return Err(Frame::Array(items));
                }
                let mut grouped = Vec::with_capacity(items.len() / 2);
                let mut it = items.into_iter();
                while let (Some(k), Some(v)) = (it.next(), it.next()) {
                    grouped.push(Frame::Array(vec![k, v]));
                }
                return Ok(grouped);
            }
            Ok(items)
        }
        Frame::Map(entries) if pairs => Ok(entries
            .into_iter()
            .map(|(k, v)| Frame::Array(vec![k, v]))
            .collect()),
        Frame::Map(entries) => Ok(entries.into_iter().flat_map(|(k, v)| [k, v]).collect()),
        Frame::NullBulk | Frame::NullArray | Frame::Null => Ok(Vec::new()),
        other => Err(other),
    }
}

fn is_aggregate(frame: &Frame<'_>) -> bool {
    matches!(
        frame,
        Frame::Array(_) | Frame::Set(_) | Frame::Map(_) | Frame::Push(_)
    )
}

impl<T: FromReply> FromReply for Vec<T> {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        let frame = plain(frame)?;
        let frame = match frame {
            Frame::Bulk(b) | Frame::Simple(b) | Frame::Verbatim { text: b, .. } => {
                return match T::from_byte_string(b) {
                    Some(v) => Ok(v),
                    None => mismatch("an array", &Frame::Bulk(Cow::Borrowed(b"..."))),
                };
            }
            other => other,
        };
        match elements(frame, T::PAIR) {
            Ok(items) => items.into_iter().map(T::from_reply).collect(),
            Err(other) if T::PAIR => mismatch("pairs (an even number of elements)", &other),
            Err(other) => mismatch("an array", &other),
        }
    }
}

impl<T: FromReply> FromReply for VecDeque<T> {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        Vec::from_reply(frame).map(VecDeque::from)
    }
}

impl<T: FromReply + Eq + Hash, S: BuildHasher + Default> FromReply for HashSet<T, S> {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        match elements(plain(frame)?, false) {
            Ok(items) => items.into_iter().map(T::from_reply).collect(),
            Err(other) => mismatch("a set", &other),
        }
    }
}

impl<T: FromReply + Ord> FromReply for BTreeSet<T> {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        match elements(plain(frame)?, false) {
            Ok(items) => items.into_iter().map(T::from_reply).collect(),
            Err(other) => mismatch("a set", &other),
        }
    }
}

/// Key-value pairs of a map reply, a flat array or an array of pairs.
fn pairs(frame: Frame<'_>) -> Result<Vec<(Frame<'_>, Frame<'_>)>> {
    match plain(frame)? {
        Frame::Map(entries) => Ok(entries),
        other => match elements(other, true) {
            Ok(items) => items
                .into_iter()
                .map(|pair| match pair {
                    Frame::Array(mut kv) if kv.len() == 2 => {
                        let v = kv.pop().unwrap_or(Frame::Null);
                        let k = kv.pop().unwrap_or(Frame::Null);
                        Ok((k, v))
                    }
                    other => mismatch("a key-value pair", &other),
                })
                .collect(),
            Err(other) => mismatch("a map (an even number of elements)", &other),
        },
    }
}

impl<K: FromReply + Eq + Hash, V: FromReply, S: BuildHasher + Default> FromReply
    for HashMap<K, V, S>
{
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        pairs(frame)?
            .into_iter()
            .map(|(k, v)| Ok((K::from_reply(k)?, V::from_reply(v)?)))
            .collect()
    }
}

impl<K: FromReply + Ord, V: FromReply> FromReply for BTreeMap<K, V> {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        pairs(frame)?
            .into_iter()
            .map(|(k, v)| Ok((K::from_reply(k)?, V::from_reply(v)?)))
            .collect()
    }
}

/// A conversion error of element `index` (from 0) of an `n`-tuple, saying
/// which element it was: in a pipeline's tuple, which command's reply.
fn in_element(error: Error, index: usize, n: usize) -> Error {
    if error.kind() == crate::ErrorKind::TypeMismatch {
        error.context(format_args!("element {} of {n}", index + 1))
    } else {
        error
    }
}

macro_rules! tuple_from_reply {
    ($n:literal $pair:literal; $($name:ident)+) => {
        impl<$($name: FromReply),+> FromReply for ($($name,)+) {
            fn from_reply(frame: Frame<'_>) -> Result<Self> {
                const WANT: &str = concat!("an array of ", $n);
                let frame = plain(frame)?;
                if matches!(frame, Frame::NullBulk | Frame::NullArray | Frame::Null) {
                    // A nil reply (BRPOP timing out) is not an empty array.
                    return mismatch(WANT, &frame);
                }
                let items = match elements(frame, false) {
                    Ok(items) if items.len() == $n => items,
                    Ok(items) => return mismatch(WANT, &Frame::Array(items)),
                    Err(other) => return mismatch(WANT, &other),
                };
                let mut it = items.into_iter().enumerate();
                Ok(($({
                    let (i, item) = it.next().unwrap_or((0, Frame::Null));
                    $name::from_reply(item).map_err(|e| in_element(e, i, $n))?
                },)+))
            }

            const PAIR: bool = $pair;
        }
    };
}
tuple_from_reply!(1 false; A);
tuple_from_reply!(2 true; A B);
tuple_from_reply!(3 false; A B C);
tuple_from_reply!(4 false; A B C D);
tuple_from_reply!(5 false; A B C D E);
tuple_from_reply!(6 false; A B C D E F);
tuple_from_reply!(7 false; A B C D E F G);
tuple_from_reply!(8 false; A B C D E F G H);
tuple_from_reply!(9 false; A B C D E F G H I);
tuple_from_reply!(10 false; A B C D E F G H I J);
tuple_from_reply!(11 false; A B C D E F G H I J K);
tuple_from_reply!(12 false; A B C D E F G H I J K L);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn bulk(s: &str) -> Frame<'_> {
        Frame::bulk(s.as_bytes())
    }

    #[test]
    fn scalars() {
        assert_eq!(i64::from_reply(Frame::Integer(-3)).unwrap(), -3);
        assert_eq!(i64::from_reply(bulk("42")).unwrap(), 42);
        assert_eq!(
            u8::from_reply(Frame::Integer(300)).unwrap_err().kind(),
            ErrorKind::TypeMismatch
        );
        assert_eq!(f64::from_reply(Frame::Double("1.5".into())).unwrap(), 1.5);
        assert_eq!(f64::from_reply(bulk("inf")).unwrap(), f64::INFINITY);
        assert_eq!(f64::from_reply(bulk("-inf")).unwrap(), f64::NEG_INFINITY);
        assert!(bool::from_reply(Frame::simple(b"OK")).unwrap());
        assert!(!bool::from_reply(Frame::NullBulk).unwrap());
        assert_eq!(String::from_reply(Frame::Integer(5)).unwrap(), "5");
        assert_eq!(Vec::<u8>::from_reply(bulk("ab")).unwrap(), b"ab");
        assert_eq!(Option::<String>::from_reply(Frame::Null).unwrap(), None);
        let e = i64::from_reply(bulk("abc")).unwrap_err();
        assert_eq!(
            e.to_string(),
            "expected an integer (i64), got bulk string \"abc\""
        );
        let e = String::from_reply(Frame::error(b"WRONGTYPE nope")).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Server);
        let r =
            std::result::Result::<String, ServerError>::from_reply(Frame::error(b"ERR x")).unwrap();
        assert_eq!(r.unwrap_err().line(), "ERR x");
    }

    #[test]
    fn collections() {
        let flat = Frame::Array(vec![bulk("a"), bulk("1"), bulk("b"), bulk("2")]);
        let pairs: Vec<(String, i64)> = FromReply::from_reply(flat.clone()).unwrap();
        assert_eq!(pairs, [("a".into(), 1), ("b".into(), 2)]);
        let map: BTreeMap<String, i64> = FromReply::from_reply(flat.clone()).unwrap();
        assert_eq!(map.len(), 2);
        let resp3 = Frame::Map(vec![(bulk("a"), Frame::Integer(1))]);
        let map: HashMap<String, i64> = FromReply::from_reply(resp3.clone()).unwrap();
        assert_eq!(map["a"], 1);
        let pairs: Vec<(String, i64)> = FromReply::from_reply(resp3).unwrap();
        assert_eq!(pairs, [("a".into(), 1)]);
        let nested = Frame::Array(vec![Frame::Array(vec![
            bulk("m"),
            Frame::Double("2.5".into()),
        ])]);
        let pairs: Vec<(String, f64)> = FromReply::from_reply(nested).unwrap();
        assert_eq!(pairs, [("m".into(), 2.5)]);
        let set = Frame::Set(vec![bulk("x"), bulk("y")]);
        let set: HashSet<String> = FromReply::from_reply(set).unwrap();
        assert!(set.contains("x"));
        let strings: Vec<String> = FromReply::from_reply(flat).unwrap();
        assert_eq!(strings.len(), 4);
        let tuple: (String, Option<i64>) =
            FromReply::from_reply(Frame::Array(vec![bulk("k"), Frame::NullBulk])).unwrap();
        assert_eq!(tuple, ("k".into(), None));
        let bytes: Vec<Vec<u8>> = FromReply::from_reply(Frame::Array(vec![bulk("k")])).unwrap();
        assert_eq!(bytes, [b"k".to_vec()]);
        let e = <(i64, i64)>::from_reply(Frame::Array(vec![Frame::Integer(1)])).unwrap_err();
        assert_eq!(e.to_string(), "expected an array of 2, got array of 1");
    }

    #[test]
    fn numbers_that_do_not_parse_are_described_as_what_came() {
        let e = i64::from_reply(Frame::Double("1.5".into())).unwrap_err();
        assert_eq!(e.to_string(), "expected an integer (i64), got double 1.5");
        let e = u8::from_reply(Frame::BigNumber("1000".into())).unwrap_err();
        assert_eq!(
            e.to_string(),
            "expected an integer (u8), got big number 1000"
        );
        let e = f64::from_reply(Frame::simple(b"OK")).unwrap_err();
        assert_eq!(e.to_string(), "expected a number, got simple string \"OK\"");
        let e = f32::from_reply(Frame::Double("x".into())).unwrap_err();
        assert_eq!(e.to_string(), "expected a number, got double x");
        assert_eq!(i64::from_reply(Frame::Double("2".into())).unwrap(), 2);
        assert_eq!(
            f64::from_reply(Frame::Double("+inf".into())).unwrap(),
            f64::INFINITY
        );
        assert_eq!(f64::from_reply(bulk("-inf")).unwrap(), f64::NEG_INFINITY);
        assert!(f64::from_reply(Frame::Double("nan".into()))
            .unwrap()
            .is_nan());
    }

    #[test]
    fn mismatch_messages_say_what_came_and_where() {
        // A nil reply (BRPOP timing out) into a tuple is nil, not an empty
        // array.
        for nil in [Frame::NullArray, Frame::NullBulk, Frame::Null] {
            let e = <(String, String)>::from_reply(nil).unwrap_err();
            assert_eq!(e.to_string(), "expected an array of 2, got nil");
        }
        // Pairs from an odd flat array (ZRANGE without WITHSCORES into
        // `Vec<(String, f64)>`): says pairs were expected, not "an array".
        let odd = Frame::Array(vec![bulk("a"), bulk("b"), bulk("c")]);
        let e = Vec::<(String, f64)>::from_reply(odd.clone()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "expected pairs (an even number of elements), got array of 3"
        );
        let e = HashMap::<String, String>::from_reply(odd).unwrap_err();
        assert_eq!(
            e.to_string(),
            "expected a map (an even number of elements), got array of 3"
        );
        // Which element of a tuple (which reply of a pipeline) failed.
        let replies = Frame::Array(vec![Frame::Integer(1), bulk("2"), Frame::NullBulk]);
        let e = <(i64, i64, i64)>::from_reply(replies).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::TypeMismatch);
        assert_eq!(
            e.to_string(),
            "element 3 of 3: expected an integer (i64), got nil"
        );
        // A server error in an element stays the server's error, as it was.
        let replies = Frame::Array(vec![Frame::Integer(1), Frame::error(b"ERR no")]);
        let e = <(i64, i64)>::from_reply(replies).unwrap_err();
        assert_eq!(
            (e.kind(), e.to_string()),
            (ErrorKind::Server, "ERR no".into())
        );
    }
}
