//! Sockets: establishing TCP, Unix and TLS streams, and waiting on them.
//!
//! Streams are non-blocking once established; every wait goes through
//! [`wait`], which takes the call's deadline.

mod poll;
mod stream;
mod tls;

pub(crate) use poll::{wait, wait_either};
pub(crate) use stream::{connect, receive_timeout_for, recv, Stream};
