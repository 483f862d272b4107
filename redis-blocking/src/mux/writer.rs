//! Writing: the thread holding the write token writes the queued bytes,
//! batch after batch, until the queue is empty. Requests queued while it
//! writes go out together in its next write.

use std::sync::Arc;
use std::time::Instant;

use super::bell::Ring;
use super::link::Link;
use super::shared::Shared;

impl Shared {
    /// Writes what is queued on `link` until nothing is, then gives the
    /// write token up. The caller holds the write token. Before writing to
    /// a connection with nothing in flight, it looks for bytes that
    /// arrived while the connection was idle (taking the read token for
    /// that); with `keep_read` it keeps the read token then, and returns
    /// it, for a caller about to wait for its own reply.
    pub(super) fn write_queued(
        &self,
        link: Arc<Link>,
        deadline: Option<Instant>,
        keep_read: bool,
    ) -> Option<Arc<Link>> {
        let mut buf: Vec<u8> = Vec::new();
        let mut holding_read = false;
        let mut done = 0;
        loop {
            let mut st = self.lock();
            if !st.is_current(&link) {
                return None;
            }
            st.mux.handle_written(done);
            let awaited_before = st.mux.awaiting();
            let Some(transmit) = st.mux.poll_transmit() else {
                let keep = holding_read && keep_read;
                if let Some(ls) = st.current(&link) {
                    ls.writing = false;
                    if holding_read && !keep_read {
                        ls.reading = false;
                    }
                }
                let wake = st.kick();
                drop(st);
                self.bell.ring(Ring::one(wake));
                return keep.then_some(link);
            };
            buf.clear();
            if transmit.bytes == st.out.len() {
                std::mem::swap(&mut buf, &mut st.out);
            } else {
                buf.extend(st.out.drain(..transmit.bytes));
            }
            let mut idle = false;
            if awaited_before == 0 && !holding_read {
                if let Some(ls) = st.current(&link) {
                    if !ls.reading {
                        ls.reading = true;
                        holding_read = true;
                        idle = true;
                    }
                }
            }
            if st.room_waiters > 0 {
                self.room.notify_all();
            }
            drop(st);
            if idle {
                if let Err(error) = self.check_idle(&link) {
                    self.break_link(&link, error, Some(0));
                    return None;
                }
            }
            let mut written = 0;
            if let Err(error) = link.write_all(&buf, deadline, &mut written) {
                self.break_link(&link, error, Some(written));
                return None;
            }
            done = written;
        }
    }
}
