//! The reply of `LMPOP`, `BLMPOP`, `ZMPOP` and `BZMPOP`: the key popped
//! from and what was popped.

use resp_core::Frame;

use super::from_reply::FromReply;
use super::shape::items;
use crate::error::Result;

/// What `LMPOP`/`BLMPOP` (`T` = the value type) or `ZMPOP`/`BZMPOP`
/// (`T` = `(member, score)`) popped, and from which key. The commands
/// answer nil, `None`, when every key was empty (or the wait timed out).
///
/// # Example
///
/// ```
/// use redis_blocking::{FromReply, Popped};
/// use resp_core::Frame;
///
/// let reply = Frame::Array(vec![Frame::bulk(b"jobs"), Frame::Array(vec![Frame::bulk(b"a"), Frame::bulk(b"b")])]);
/// let popped = Option::<Popped<String>>::from_reply(reply)?.unwrap();
/// assert_eq!((popped.key_str(), popped.items.as_slice()), (Some("jobs"), &["a".to_string(), "b".to_string()][..]));
/// # Ok::<(), redis_blocking::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Popped<T> {
    /// The key the items came from.
    pub key: Vec<u8>,
    /// The items, in the order popped.
    pub items: Vec<T>,
}

impl<T> Popped<T> {
    /// The key as text, if it is UTF-8.
    pub fn key_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.key).ok()
    }
}

impl<T: FromReply> FromReply for Popped<T> {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        let mut parts = items(frame, "a key and the items popped")?.into_iter();
        let key = Vec::<u8>::from_reply(parts.next().unwrap_or(Frame::Null))?;
        let items = Vec::<T>::from_reply(parts.next().unwrap_or(Frame::Null))?;
        Ok(Popped { key, items })
    }
}
