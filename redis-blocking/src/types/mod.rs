//! Conversions between Rust values and Redis arguments and replies.

mod from_reply;
mod to_args;

pub use from_reply::{FromReply, Value};
pub use to_args::{ToArg, ToArgs};
