//! Bitmap commands.

use super::options::{BitField, BitOp, BitRange};
use crate::{Cmd, ToArg, ToArgs};

commands! {
    /// Commands on bitmaps (strings addressed bit by bit).
    pub trait BitmapCommands: Handle as BITMAPS;

    /// `SETBIT key offset 0|1`: the old bit.
    fn setbit<K: ToArg<'a>>(key: K, offset: u64, value: bool) => Cmd::new("SETBIT").arg(key).arg(offset).arg(value);
    /// `GETBIT key offset`.
    fn getbit<K: ToArg<'a>>(key: K, offset: u64) => Cmd::new("GETBIT").arg(key).arg(offset);
    /// `BITCOUNT key`.
    fn bitcount<K: ToArg<'a>>(key: K) => Cmd::new("BITCOUNT").arg(key);
    /// `BITCOUNT key start end` (bytes).
    fn bitcount_range<K: ToArg<'a>>(key: K, start: isize, end: isize) => Cmd::new("BITCOUNT").arg(key).arg(start).arg(end);
    /// `BITOP op destination key...`: the destination's length.
    fn bitop<D: ToArg<'a>, K: ToArgs<'a>>(op: BitOp, destination: D, keys: K) => Cmd::new("BITOP").arg(op).arg(destination).arg(keys);
    /// `BITPOS key 0|1`.
    fn bitpos<K: ToArg<'a>>(key: K, bit: bool) => Cmd::new("BITPOS").arg(key).arg(bit);
    /// `BITCOUNT key start end [BYTE|BIT]`.
    fn bitcount_in<K: ToArg<'a>>(key: K, range: BitRange) => Cmd::new("BITCOUNT").arg(key).arg(range);
    /// `BITPOS key 0|1 start [end [BYTE|BIT]]`: the first such bit in the
    /// range, -1 if none.
    fn bitpos_in<K: ToArg<'a>>(key: K, bit: bool, range: BitRange) => Cmd::new("BITPOS").arg(key).arg(bit).arg(range);
    /// `BITFIELD key [GET ...] [SET ...] [INCRBY ...] [OVERFLOW ...]`: one
    /// value per `GET`, `SET` and `INCRBY`, `None` where `OVERFLOW FAIL`
    /// stopped one.
    fn bitfield<K: ToArg<'a>>(key: K, operations: BitField): Vec<Option<i64>> => Cmd::new("BITFIELD").arg(key).arg(operations);
    /// `BITFIELD_RO key GET ...`: `BITFIELD` with `GET`s only, which
    /// replicas run.
    fn bitfield_ro<K: ToArg<'a>>(key: K, operations: BitField): Vec<Option<i64>> => Cmd::new("BITFIELD_RO").arg(key).arg(operations);
}
