//! The client side of a Redis connection, without I/O: which reply belongs
//! to which command, what is a push, how a connection is set up, and what a
//! redirect says.
//!
//! - [`Conversation`] routes decoded frames: replies to commands in the
//!   order they were sent, push frames aside.
//! - [`Handshake`] yields the commands that prepare a new connection
//!   (`HELLO`, `AUTH`, `SELECT`, `CLIENT SETNAME`) one at a time and judges
//!   their replies, falling back to RESP2 where `HELLO` is unknown.
//! - [`Redirect`] parses `MOVED` and `ASK` errors.

mod conversation;
mod handshake;
mod redirect;

pub use conversation::{Conversation, Event, Mode};
pub use handshake::{Handshake, HandshakeError, HandshakeOptions, Protocol};
pub use redirect::{Redirect, RedirectKind};
