//! The reply of `LCS ... IDX`.

use resp_core::Frame;

use super::from_reply::FromReply;
use super::shape::{fields, items, take};
use crate::error::Result;

/// One common substring found by `LCS ... IDX`: where it is in each string
/// (byte offsets, both ends included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LcsMatch {
    /// Its range in the first string.
    pub first: (usize, usize),
    /// Its range in the second string.
    pub second: (usize, usize),
    /// Its length, with `WITHMATCHLEN`.
    pub len: Option<usize>,
}

impl FromReply for LcsMatch {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        let mut parts = items(frame, "an LCS match")?.into_iter();
        Ok(LcsMatch {
            first: FromReply::from_reply(parts.next().unwrap_or(Frame::Null))?,
            second: FromReply::from_reply(parts.next().unwrap_or(Frame::Null))?,
            len: parts.next().map(usize::from_reply).transpose()?,
        })
    }
}

/// The reply of `LCS key1 key2 IDX`: the matches, last first as Redis
/// lists them, and the length of the longest common subsequence.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct LcsMatches {
    /// The common substrings.
    pub matches: Vec<LcsMatch>,
    /// The length of the longest common subsequence.
    pub len: usize,
}

impl FromReply for LcsMatches {
    fn from_reply(frame: Frame<'_>) -> Result<Self> {
        let mut map = fields(frame, "an LCS IDX reply")?;
        Ok(LcsMatches {
            matches: take(&mut map, "matches")?,
            len: take(&mut map, "len")?,
        })
    }
}
