//! A member found by `GEOSEARCH`, with what was asked for.

use resp_core::Frame;

use super::from_reply::{plain, FromReply};
use crate::error::Result;

/// A member found by `GEOSEARCH`, with its distance, geohash and position
/// when the search asked for them (`WITHDIST`, `WITHHASH`, `WITHCOORD`).
/// A search without them also converts, members only.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct GeoMatch {
    /// The member.
    pub member: String,
    /// Its distance from the centre, in the search's unit.
    pub dist: Option<f64>,
    /// Its raw 52-bit geohash.
    pub hash: Option<u64>,
    /// Its longitude and latitude.
    pub coord: Option<(f64, f64)>,
}

impl FromReply for GeoMatch {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        let parts = match plain(frame)? {
            Frame::Array(parts) => parts,
            member => {
                return Ok(GeoMatch {
                    member: String::from_reply(member)?,
                    ..GeoMatch::default()
                })
            }
        };
        let mut parts = parts.into_iter();
        let mut found = GeoMatch {
            member: String::from_reply(parts.next().unwrap_or(Frame::Null))?,
            ..GeoMatch::default()
        };
        // The extras come in a fixed order, each of its own type.
        for part in parts {
            match part {
                Frame::Integer(_) => found.hash = Some(u64::from_reply(part)?),
                Frame::Array(_) => found.coord = Some(FromReply::from_reply(part)?),
                other => found.dist = Some(f64::from_reply(other)?),
            }
        }
        Ok(found)
    }
}
