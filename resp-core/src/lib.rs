//! A sans-IO codec for RESP2 and RESP3, the Redis protocol.
//!
//! **In scope**: decoding replies ([`Decoder`]) and requests
//! ([`RequestDecoder`]) from byte buffers, encoding commands and frames into
//! byte buffers ([`encode`]), and the argument-splitting rules that Redis
//! applies to inline commands ([`args`]).
//!
//! **Out of scope**: sockets, threads, timers and buffering policy. This
//! crate never performs I/O or reads a clock: callers own the buffers, feed
//! it what arrived and write what it produced. A blocking client, an async
//! client, a proxy and a fuzzer can all drive it the same way.
//!
//! Decoding is:
//! - **zero-copy**: frames borrow strings from the input buffer;
//!   [`Frame::into_owned`] detaches them;
//! - **resumable**: a partial frame answers [`Status::Partial`] and consumes
//!   nothing; the next call resumes where the last one stopped without
//!   re-reading what it read, so a frame arriving in many small pieces costs
//!   linear time;
//! - **strict**: malformed input is an [`Error`] naming the problem and its
//!   byte offset, and the decoder stays failed;
//! - **bounded**: [`Limits`] cap lengths, counts, nesting and line length,
//!   nothing is preallocated from a declared length, and nesting is walked
//!   with an explicit stack rather than recursion.
//!
//! # Example
//!
//! ```
//! use resp_core::{encode, Decoder, Frame, Status};
//!
//! // Commands in, bytes out.
//! let mut out = Vec::new();
//! encode::write_command(&mut out, ["HGETALL", "user:1"]);
//! assert_eq!(out, b"*2\r\n$7\r\nHGETALL\r\n$6\r\nuser:1\r\n");
//!
//! // Bytes in, frames out: a RESP3 map that arrives in two pieces.
//! let mut decoder = Decoder::new();
//! let mut buf = b"%1\r\n$4\r\nname".to_vec();
//! assert!(decoder.decode(&buf)?.is_partial());
//! buf.extend_from_slice(b"\r\n$3\r\nAda\r\n");
//! let Status::Complete((frame, used)) = decoder.decode(&buf)? else { unreachable!() };
//! assert_eq!(used, buf.len());
//! assert_eq!(frame, Frame::Map(vec![(Frame::bulk(b"name"), Frame::bulk(b"Ada"))]));
//! # Ok::<(), resp_core::Error>(())
//! ```
#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod args;
pub mod client;
pub mod cluster;
pub mod command;
mod decode;
pub mod encode;
mod error;
mod frame;
mod limits;
mod request;
pub mod sentinel;

pub use decode::{Decoder, Status};
pub use error::{Error, ErrorKind, Limit};
pub use frame::{Attributed, Frame, OwnedFrame};
pub use limits::Limits;
pub use request::{Request, RequestDecoder};
