//! Options of the bitmap commands: `BITOP`, ranges, `BITFIELD`.

use crate::cmd::ArgSink;
use crate::{ToArg, ToArgs};

/// A `BITOP` operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BitOp {
    /// `AND`
    And,
    /// `OR`
    Or,
    /// `XOR`
    Xor,
    /// `NOT` (one source key)
    Not,
}

impl<'a> ToArg<'a> for BitOp {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        out.push(match self {
            BitOp::And => b"AND",
            BitOp::Or => b"OR",
            BitOp::Xor => b"XOR",
            BitOp::Not => b"NOT",
        })
    }
}

/// Whether the offsets of `BITCOUNT` and `BITPOS` count bytes or bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BitUnit {
    /// `BYTE` (the default).
    Byte,
    /// `BIT`.
    Bit,
}

/// A range for `BITCOUNT` and `BITPOS`: `start [end [BYTE|BIT]]`
/// (negative offsets count from the end).
///
/// # Example
///
/// ```
/// use redis_blocking::commands::BitRange;
/// use redis_blocking::Cmd;
///
/// let cmd = Cmd::new("BITCOUNT").arg("k").arg(BitRange::bits(5, -1));
/// let args: Vec<&[u8]> = cmd.args().collect();
/// assert_eq!(args, [&b"BITCOUNT"[..], b"k", b"5", b"-1", b"BIT"]);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BitRange {
    start: i64,
    end: Option<i64>,
    unit: Option<BitUnit>,
}

impl BitRange {
    /// Bytes `start` to `end`, both included.
    pub fn bytes(start: i64, end: i64) -> BitRange {
        BitRange {
            start,
            end: Some(end),
            unit: None,
        }
    }

    /// Bits `start` to `end`, both included (Redis 7).
    pub fn bits(start: i64, end: i64) -> BitRange {
        BitRange {
            start,
            end: Some(end),
            unit: Some(BitUnit::Bit),
        }
    }

    /// From byte `start` to the end (`BITPOS` only).
    pub fn from_byte(start: i64) -> BitRange {
        BitRange {
            start,
            end: None,
            unit: None,
        }
    }
}

impl<'a> ToArgs<'a> for BitRange {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        self.start.write_arg(out);
        if let Some(end) = self.end {
            end.write_arg(out);
            match self.unit {
                Some(BitUnit::Bit) => out.push(b"BIT"),
                Some(BitUnit::Byte) => out.push(b"BYTE"),
                None => {}
            }
        }
    }
}

/// An integer type inside a bitmap, for `BITFIELD`: `i1`..`i64`,
/// `u1`..`u63`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BitType {
    signed: bool,
    bits: u8,
}

impl BitType {
    /// A signed integer of `bits` bits (1 to 64).
    pub fn signed(bits: u8) -> BitType {
        BitType { signed: true, bits }
    }

    /// An unsigned integer of `bits` bits (1 to 63).
    pub fn unsigned(bits: u8) -> BitType {
        BitType {
            signed: false,
            bits,
        }
    }
}

impl<'a> ToArg<'a> for BitType {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        let sign = if self.signed { 'i' } else { 'u' };
        out.push(format!("{sign}{}", self.bits).as_bytes())
    }
}

/// Where a `BITFIELD` integer starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BitOffset {
    /// At this bit.
    Bit(u64),
    /// `#n`: at `n` times the type's width (the n-th integer of an array).
    Index(u64),
}

impl<'a> ToArg<'a> for BitOffset {
    fn write_arg(&self, out: &mut ArgSink<'_, 'a>) {
        match self {
            BitOffset::Bit(n) => n.write_arg(out),
            BitOffset::Index(n) => out.push(format!("#{n}").as_bytes()),
        }
    }
}

/// What `BITFIELD` does when `SET` or `INCRBY` overflows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Overflow {
    /// `WRAP` (the default): modulo arithmetic.
    Wrap,
    /// `SAT`: stay at the minimum or maximum.
    Sat,
    /// `FAIL`: do nothing and answer nil for that operation.
    Fail,
}

/// The operations of one `BITFIELD` call, run in order; the reply has one
/// value per `GET`, `SET` (the old value) and `INCRBY` (the new value),
/// nil where `OVERFLOW FAIL` stopped an operation.
///
/// # Example
///
/// ```
/// use redis_blocking::commands::{BitField, BitOffset, BitType, Overflow};
/// use redis_blocking::Cmd;
///
/// let ops = BitField::new()
///     .set(BitType::unsigned(8), BitOffset::Bit(0), 200)
///     .overflow(Overflow::Sat)
///     .incr_by(BitType::unsigned(8), BitOffset::Bit(0), 100)
///     .get(BitType::signed(4), BitOffset::Index(1));
/// let cmd = Cmd::new("BITFIELD").arg("k").arg(ops);
/// let args: Vec<&[u8]> = cmd.args().collect();
/// assert_eq!(
///     args,
///     [&b"BITFIELD"[..], b"k", b"SET", b"u8", b"0", b"200", b"OVERFLOW", b"SAT", b"INCRBY", b"u8", b"0", b"100", b"GET", b"i4", b"#1"]
/// );
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BitField {
    ops: Vec<BitFieldOp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BitFieldOp {
    Get(BitType, BitOffset),
    Set(BitType, BitOffset, i64),
    IncrBy(BitType, BitOffset, i64),
    Overflow(Overflow),
}

impl BitField {
    /// No operations yet.
    pub fn new() -> BitField {
        BitField::default()
    }

    /// `GET type offset`: the integer there.
    pub fn get(mut self, ty: BitType, offset: BitOffset) -> Self {
        self.ops.push(BitFieldOp::Get(ty, offset));
        self
    }

    /// `SET type offset value`: the old value.
    pub fn set(mut self, ty: BitType, offset: BitOffset, value: i64) -> Self {
        self.ops.push(BitFieldOp::Set(ty, offset, value));
        self
    }

    /// `INCRBY type offset delta`: the new value.
    pub fn incr_by(mut self, ty: BitType, offset: BitOffset, delta: i64) -> Self {
        self.ops.push(BitFieldOp::IncrBy(ty, offset, delta));
        self
    }

    /// `OVERFLOW WRAP|SAT|FAIL`, for the `SET`s and `INCRBY`s after it.
    pub fn overflow(mut self, overflow: Overflow) -> Self {
        self.ops.push(BitFieldOp::Overflow(overflow));
        self
    }
}

impl<'a> ToArgs<'a> for BitField {
    fn write_args(&self, out: &mut ArgSink<'_, 'a>) {
        for op in &self.ops {
            match *op {
                BitFieldOp::Get(ty, offset) => {
                    out.push(b"GET");
                    ty.write_arg(out);
                    offset.write_arg(out);
                }
                BitFieldOp::Set(ty, offset, value) => {
                    out.push(b"SET");
                    ty.write_arg(out);
                    offset.write_arg(out);
                    value.write_arg(out);
                }
                BitFieldOp::IncrBy(ty, offset, delta) => {
                    out.push(b"INCRBY");
                    ty.write_arg(out);
                    offset.write_arg(out);
                    delta.write_arg(out);
                }
                BitFieldOp::Overflow(overflow) => {
                    out.push(b"OVERFLOW");
                    out.push(match overflow {
                        Overflow::Wrap => b"WRAP",
                        Overflow::Sat => b"SAT",
                        Overflow::Fail => b"FAIL",
                    });
                }
            }
        }
    }
}
