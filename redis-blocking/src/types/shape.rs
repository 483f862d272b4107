//! Helpers for typed replies of a fixed shape: arrays of parts, and maps
//! (RESP3) or flat field-value arrays (RESP2) keyed by name.

use std::collections::HashMap;

use resp_core::Frame;

use super::from_reply::{describe, plain, FromReply, Value};
use crate::error::{Error, Result};

pub(crate) fn mismatch<T>(want: &str, frame: &Frame<'_>) -> Result<T> {
    Err(Error::type_mismatch(format!(
        "expected {want}, got {}",
        describe(frame)
    )))
}

/// The items of an array reply.
pub(crate) fn items<'b>(frame: Frame<'b>, want: &str) -> Result<Vec<Frame<'b>>> {
    match plain(frame)? {
        Frame::Array(items) | Frame::Set(items) => Ok(items),
        other => mismatch(want, &other),
    }
}

/// A map reply (RESP3) or a flat array of pairs (RESP2), keyed by text.
pub(crate) fn fields(frame: Frame<'_>, want: &str) -> Result<HashMap<String, Value>> {
    let pairs: Vec<(String, Value)> = match plain(frame)? {
        Frame::Map(pairs) => pairs
            .into_iter()
            .map(|(k, v)| Ok((String::from_reply(k)?, v.into_owned())))
            .collect::<Result<_>>()?,
        Frame::Array(flat) if flat.len() % 2 == 0 => {
            let mut out = Vec::with_capacity(flat.len() / 2);
            let mut it = flat.into_iter();
            while let (Some(k), Some(v)) = (it.next(), it.next()) {
                out.push((String::from_reply(k)?, v.into_owned()));
            }
            out
        }
        other => return mismatch(want, &other),
    };
    Ok(pairs.into_iter().collect())
}

pub(crate) fn take<T: FromReply>(map: &mut HashMap<String, Value>, name: &str) -> Result<T> {
    T::from_reply(map.remove(name).unwrap_or(Frame::Null))
        .map_err(|e| e.context(format!("field '{name}'")))
}
