//! Conversions between Rust values and Redis arguments and replies.

mod from_reply;
mod streams;
mod to_args;

pub(crate) use from_reply::describe;
pub use from_reply::{FromReply, Value};
pub use streams::{
    AutoClaim, ConsumerInfo, GroupInfo, PendingEntry, PendingSummary, StreamEntry, StreamInfo,
    StreamKey,
};
pub use to_args::{ToArg, ToArgs};
