//! Bitmap commands.

use super::options::BitOp;
use crate::Cmd;

commands! {
    /// Commands on bitmaps (strings addressed bit by bit).
    pub trait BitmapCommands;

    /// `SETBIT key offset 0|1`: the old bit.
    fn setbit<K: ToArg>(key: K, offset: u64, value: bool) -> Cmd::new("SETBIT").arg(key).arg(offset).arg(u8::from(value) as u16);
    /// `GETBIT key offset`.
    fn getbit<K: ToArg>(key: K, offset: u64) -> Cmd::new("GETBIT").arg(key).arg(offset);
    /// `BITCOUNT key`.
    fn bitcount<K: ToArg>(key: K) -> Cmd::new("BITCOUNT").arg(key);
    /// `BITCOUNT key start end` (bytes).
    fn bitcount_range<K: ToArg>(key: K, start: isize, end: isize) -> Cmd::new("BITCOUNT").arg(key).arg(start).arg(end);
    /// `BITOP op destination key...`: the destination's length.
    fn bitop<D: ToArg, K: ToArgs>(op: BitOp, destination: D, keys: K) -> Cmd::new("BITOP").arg(op).arg(destination).arg(keys);
    /// `BITPOS key 0|1`.
    fn bitpos<K: ToArg>(key: K, bit: bool) -> Cmd::new("BITPOS").arg(key).arg(u8::from(bit) as u16);
}
