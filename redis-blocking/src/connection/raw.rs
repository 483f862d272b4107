//! Handing a connection's socket over to another driver: the multiplexed
//! connection opens and authenticates through [`Connection`], then reads
//! and writes the stream itself.

use super::Connection;
use crate::net::Stream;

impl Connection {
    /// Takes the bytes read from the socket but not consumed by a call
    /// (after the handshake, normally none; at most the start of a push),
    /// so that a driver taking the stream over starts from them.
    pub(crate) fn take_unread(&mut self) -> Vec<u8> {
        let unread = self.rbuf[self.rpos..self.rlen].to_vec();
        self.rpos = 0;
        self.rlen = 0;
        unread
    }

    /// The stream, for a driver that reads and writes it itself. Calls on
    /// the connection must not be mixed with such use.
    pub(crate) fn stream_mut(&mut self) -> &mut Stream {
        &mut self.stream
    }

    /// The stream, read-only (its descriptor, whether it is TLS).
    pub(crate) fn stream(&self) -> &Stream {
        &self.stream
    }
}
