//! Conversions between Rust values and Redis arguments and replies.

mod client_info;
mod from_reply;
mod geo;
#[cfg(feature = "serde")]
mod json;
mod lcs;
mod popped;
mod server;
mod shape;
mod streams;
mod to_args;

pub use client_info::ClientInfo;
pub(crate) use from_reply::describe;
pub use from_reply::{FromReply, Value};
pub use geo::GeoMatch;
#[cfg(feature = "serde")]
pub use json::Json;
pub use lcs::{LcsMatch, LcsMatches};
pub use popped::Popped;
pub use server::{ReplicaOffset, Role, SlowlogEntry};
pub use streams::{
    AutoClaim, ConsumerInfo, GroupInfo, PendingEntry, PendingSummary, StreamEntry, StreamInfo,
    StreamKey,
};
pub use to_args::{ToArg, ToArgs};
