//! Option builders and enumerations for commands with many forms, in the
//! style of [`SetOptions`]: `Default`, then one method per option, then
//! passed to the typed method (or to [`Cmd::arg`](crate::Cmd::arg)).

mod bits;
mod geo;
mod keys;
mod lists;
mod server;
mod sorted_sets;
mod streams;
mod strings;

pub use bits::{BitField, BitOffset, BitOp, BitRange, BitType, BitUnit, Overflow};
pub use geo::{GeoAddOptions, GeoSearch, GeoUnit};
pub use keys::{
    CopyOptions, ExpireCondition, FlushMode, MigrateOptions, RestoreOptions, SortOptions,
};
pub use lists::{Direction, LposOptions};
pub use server::{ClientKill, ClientKind, ClientListOptions, CommandFilter, RestorePolicy};
pub use sorted_sets::{Aggregate, CombineOptions, MinMax, ZAddOptions, ZRangeOptions};
pub use streams::{StreamTrim, XAddOptions, XClaimOptions, XGroupCreateOptions, XReadOptions};
pub use strings::{Expiry, LcsOptions, SetCondition, SetOptions};
