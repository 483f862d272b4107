//! The client side of a Redis connection, without I/O: which reply belongs
//! to which command, what is a push, how a connection is set up, and what a
//! redirect says.
//!
//! - [`Conversation`] routes decoded frames: replies to commands in the
//!   order they were sent, push frames aside.
//! - [`Handshake`] yields the commands that prepare a new connection
//!   (`HELLO`, `AUTH`, `SELECT`, `CLIENT SETNAME`) one at a time and judges
//!   their replies, falling back to RESP2 where `HELLO` is unknown, and
//!   checks the server's [`Role`] where asked.
//! - [`Redirect`] parses `MOVED` and `ASK` errors.
//! - [`Batch`] assembles the replies of a pipeline or a MULTI/EXEC
//!   transaction into one [`Outcome`] per command, saying for each command
//!   without a reply whether it may have run ([`Executed`]).
//! - [`Subscriptions`] keeps the pub/sub state of a connection: what is
//!   subscribed, which requests await confirmation, what a frame means.
//! - [`executed_by_error`] tells from an error reply whether the command
//!   ran.
//! - [`Multiplex`] queues the requests of many callers sharing one
//!   connection (implicit pipelining), takes them for writing in bounded
//!   batches, routes each reply to its request, and says, when the
//!   connection fails, which requests may have run.

mod batch;
mod conversation;
mod handshake;
mod multiplex;
mod outcome;
mod redirect;
mod subscriptions;

pub use batch::{batch_executed, most_executed, outcome_executed, Batch, Outcome, Unanswered};
pub use conversation::{BulkHeader, Conversation, Event, Mode};
pub use handshake::{role_of_reply, Handshake, HandshakeError, HandshakeOptions, Protocol, Role};
pub use multiplex::{Abandoned, Failed, Multiplex, MuxId, Routed, Transmit};
pub use outcome::{error_code, executed_by_error, Executed};
pub(crate) use redirect::valid_host;
pub use redirect::{Redirect, RedirectKind};
pub use subscriptions::{PubSubError, PubSubEvent, RequestId, SubscriptionKind, Subscriptions};
