//! Bounds that keep a decoder safe against hostile input.

/// Bounds applied while decoding; every one is checked before any memory is
/// committed to the thing it bounds.
///
/// The defaults match what a Redis server itself accepts, so a well-behaved
/// server never trips them:
///
/// | limit | default | why |
/// |---|---|---|
/// | [`max_bulk_len`](Limits::max_bulk_len) | 512 MiB | the server's `proto-max-bulk-len` |
/// | [`max_aggregate_len`](Limits::max_aggregate_len) | 2^31 - 1 | the server's multibulk cap |
/// | [`max_depth`](Limits::max_depth) | 512 | far above any real reply |
/// | [`max_line_len`](Limits::max_line_len) | 1 MiB | long error messages fit |
/// | [`max_attribute_len`](Limits::max_attribute_len) | 65,536 | attributes are small metadata; no Redis command sends one |
///
/// Declared lengths never cause preallocation whatever these limits say: a
/// decoder only allocates for elements whose bytes have arrived.
///
/// # Example
///
/// ```
/// use resp_core::{Decoder, Limits};
///
/// let limits = Limits::default().max_depth(8).max_bulk_len(1 << 20);
/// let decoder = Decoder::with_limits(limits);
/// assert_eq!(decoder.limits().depth(), 8);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    bulk_len: usize,
    aggregate_len: usize,
    depth: usize,
    line_len: usize,
    attribute_len: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            bulk_len: 512 * 1024 * 1024,
            aggregate_len: i32::MAX as usize,
            depth: 512,
            line_len: 1024 * 1024,
            attribute_len: 65_536,
        }
    }
}

impl Limits {
    /// Sets the largest bulk string, bulk error, verbatim string or streamed
    /// string (all chunks together) accepted, in bytes.
    pub fn max_bulk_len(mut self, bytes: usize) -> Self {
        self.bulk_len = bytes;
        self
    }

    /// Sets the largest element count an aggregate may declare; a map or an
    /// attribute counts each key and each value.
    pub fn max_aggregate_len(mut self, elements: usize) -> Self {
        self.aggregate_len = elements;
        self
    }

    /// Sets how many aggregates may be open inside one another.
    pub fn max_depth(mut self, levels: usize) -> Self {
        self.depth = levels;
        self
    }

    /// Sets the longest line (simple string, error, number) accepted before
    /// its CRLF, type byte included.
    pub fn max_line_len(mut self, bytes: usize) -> Self {
        self.line_len = bytes;
        self
    }

    /// Sets the most elements an attribute may declare, each key and each
    /// value counted: attributes are metadata, held until the frame they
    /// describe arrives.
    pub fn max_attribute_len(mut self, elements: usize) -> Self {
        self.attribute_len = elements;
        self
    }

    /// The largest accepted attribute element count.
    pub fn attribute_len(&self) -> usize {
        self.attribute_len
    }

    /// The largest accepted bulk length in bytes.
    pub fn bulk_len(&self) -> usize {
        self.bulk_len
    }

    /// The largest accepted aggregate element count.
    pub fn aggregate_len(&self) -> usize {
        self.aggregate_len
    }

    /// The deepest accepted nesting.
    pub fn depth(&self) -> usize {
        self.depth
    }

    /// The longest accepted line in bytes.
    pub fn line_len(&self) -> usize {
        self.line_len
    }
}
