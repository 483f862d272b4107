//! Redis Cluster without I/O: the slot map, where each command goes, how
//! the replies of a command sent to several nodes combine, and when to
//! fetch the map again.
//!
//! - [`Topology`] is built from a `CLUSTER SHARDS`, `CLUSTER SLOTS` or
//!   `CLUSTER NODES` reply, patched on `MOVED`, remapped for NAT.
//! - [`parse_nodes`] reads `CLUSTER NODES` whole ([`NodeEntry`]: flags,
//!   epochs, link state, slots being migrated or imported), the view an
//!   administration tool such as `redis-cli --cluster` works from.
//! - [`plan`] says where an argv goes, from its keys (by
//!   [`key_slot`](crate::command::key_slot)) and the server's command tips:
//!   one slot, every primary, every node, or [split](Split) in one command
//!   per slot; and refuses commands whose keys span slots when they cannot
//!   be split.
//! - [`aggregate`] and [`merge_split`] combine the replies.
//! - [`Refresh`] decides when to fetch the map again (single-flight,
//!   rate-limited, the time passed in); [`acceptable`] whether a new map
//!   may replace the current one.
//!
//! # Example
//!
//! ```
//! use resp_core::cluster::{plan, Plan, Topology};
//! use resp_core::Frame;
//!
//! let slots = Frame::Array(vec![Frame::Array(vec![
//!     Frame::Integer(0),
//!     Frame::Integer(16383),
//!     Frame::Array(vec![Frame::bulk(b"127.0.0.1"), Frame::Integer(7000)]),
//! ])]);
//! let map = Topology::from_slots(&slots, "127.0.0.1")?;
//! let Plan::Slot(slot) = plan(&[b"GET", b"user:1"]) else { unreachable!() };
//! assert_eq!(map.primary(slot).unwrap().endpoint.port, 7000);
//! # Ok::<(), resp_core::cluster::TopologyError>(())
//! ```

mod aggregate;
mod nodes;
mod plan;
mod refresh;
mod topology;

pub use aggregate::{aggregate, merge_split};
pub use nodes::{parse_node_address, parse_nodes, NodeEntry, NodesError};
pub use plan::{
    one_key_position, plan, plan_for, policies, Part, Plan, RequestPolicy, ResponsePolicy, Split,
};
pub use refresh::{acceptable, Refresh, RefreshNow};
pub use topology::{Endpoint, Health, Node, Topology, TopologyError, MAX_NODES};
