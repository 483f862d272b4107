//! What the client knows about Redis commands without asking the server:
//! arity, flags, key positions, documentation.
//!
//! The data is a static table generated from a real `redis-server` (see
//! [`server_version`]) by `scripts/gen-command-table.py`: every command and
//! every subcommand (`client|setname`, `config|get`, `xinfo|stream`, ...)
//! with what `COMMAND INFO` and `COMMAND DOCS` report for it.
//!
//! * [`lookup`] and [`lookup_args`] find a command by name or by argv.
//! * [`key_positions`] tells which arguments of an argv are keys, from the
//!   key specs (EVAL numkeys, `XREAD ... STREAMS`, `MIGRATE ... KEYS`, `SORT
//!   ... STORE`, ...), the way the server's `COMMAND GETKEYS` does.
//! * [`is_read_only`] says whether an argv only reads (a retry is safe).
//! * [`CommandInfo::syntax`] is the argument summary `redis-cli` shows as
//!   its hint, e.g. `key value [NX|XX] [GET] [EX seconds|...]` for SET.
//! * [`blocks`], [`changes_mode`], [`Session`] and [`needs_own_connection`]
//!   say what a command does to its connection beyond its reply.
//! * [`key_slot`] is the Redis Cluster hash slot of a key.
//!
//! Everything here is data and pure functions: no I/O, no clock.
//!
//! # Example
//!
//! ```
//! use resp_core::command::{key_positions, lookup, lookup_args, Group};
//!
//! let set = lookup(b"set").unwrap();
//! assert_eq!(set.arity(), -3);
//! assert!(set.flags().is_write());
//! assert_eq!(set.group(), Group::String);
//!
//! let setname = lookup_args([&b"CLIENT"[..], b"SETNAME", b"me"]).unwrap();
//! assert_eq!(setname.name(), "client|setname");
//!
//! let argv: [&[u8]; 6] = [b"EVAL", b"return 1", b"2", b"k1", b"k2", b"arg"];
//! assert_eq!(key_positions(&argv), [3, 4]);
//! ```

mod keys;
mod lookup;
mod semantics;
mod slot;
mod spec;
mod table;
#[cfg(test)]
mod tests;

pub(crate) use keys::{fixed_routing_position, single_routing_position};
pub use keys::{key_positions, routing_positions, routing_positions_of};
pub use lookup::{all, is_read_only, lookup, lookup_args, server_version};
pub use semantics::{
    blocks, changes_mode, needs_own_connection, silences_replies, Argv, Blocks, Session,
};
pub use slot::{hash_tag, key_slot, SLOTS};
pub use spec::{BeginSearch, CommandInfo, FindKeys, Flags, Group, KeySpec, KeySpecFlags};
