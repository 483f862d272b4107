//! `Json<T>`: a serde value stored as JSON text (feature `serde`).

use resp_core::Frame;
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::from_reply::{describe, plain, string_bytes, FromReply};
use super::to_args::ToArg;
use crate::cmd::ArgSink;
use crate::error::{Error, ErrorKind, Executed, Result};

/// A value stored as JSON text: as an argument it is serialized with
/// `serde_json`; as a reply, a string reply is deserialized into `T`.
///
/// A reply that is not valid JSON for `T` is a
/// [`TypeMismatch`](ErrorKind::TypeMismatch) error (the command ran; the
/// whole reply was read, so the connection stays usable), with the
/// `serde_json` error as its [`source`](std::error::Error::source). An
/// integer or double reply is read as its JSON text (`INCR` into
/// `Json<i64>`); nil converts to `Option<Json<T>>`'s `None`, and into a
/// plain `Json<T>` is a `TypeMismatch` saying it got nil. A value that cannot be
/// serialized (a map with non-string keys, ...) makes its command fail
/// with [`InvalidCommand`](ErrorKind::InvalidCommand) before anything is
/// sent.
///
/// # Example
///
/// ```no_run
/// use redis_blocking::prelude::*;
/// use redis_blocking::Json;
/// use serde::{Deserialize, Serialize};
///
/// #[derive(Serialize, Deserialize, Debug, PartialEq)]
/// struct User {
///     name: String,
///     visits: u32,
/// }
///
/// let client = Client::open("redis://127.0.0.1/")?;
/// let () = client.set("user:1", Json(User { name: "ada".into(), visits: 3 }))?;
/// let user: Option<Json<User>> = client.get("user:1")?;
/// assert_eq!(user.unwrap().0.visits, 3);
/// # Ok::<(), redis_blocking::Error>(())
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(docsrs, doc(cfg(feature = "serde")))]
pub struct Json<T>(pub T);

impl<T> Json<T> {
    /// The value.
    pub fn into_inner(self) -> T {
        self.0
    }
}

impl<T: Serialize> Json<T> {
    /// The JSON text of the value.
    ///
    /// # Errors
    ///
    /// [`InvalidCommand`](ErrorKind::InvalidCommand) when serde cannot
    /// serialize it.
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        serde_json::to_vec(&self.0).map_err(|e| {
            Error::new(
                ErrorKind::InvalidCommand,
                Executed::No,
                format!("cannot serialize the value as JSON: {e}"),
            )
            .with_source(e)
        })
    }
}

impl<'a, T: Serialize> ToArg<'a> for Json<T> {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        match self.to_bytes() {
            Ok(bytes) => out.push(&bytes),
            Err(e) => out.reject(&e.to_string()),
        }
    }
}

impl<T: DeserializeOwned> FromReply for Json<T> {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        // Any string-like reply is JSON text: a bulk string, and the
        // integer or double a command or script answers.
        let bytes = string_bytes(plain(frame)?).map_err(|other| {
            Error::type_mismatch(format!(
                "expected JSON text for {}, got {}",
                std::any::type_name::<T>(),
                describe(&other)
            ))
        })?;
        serde_json::from_slice(&bytes).map(Json).map_err(|e| {
            Error::type_mismatch(format!(
                "expected JSON for {}, got {}",
                std::any::type_name::<T>(),
                e
            ))
            .with_source(e)
        })
    }
}
