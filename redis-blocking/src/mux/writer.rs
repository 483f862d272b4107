//! Writing: the thread holding the write token writes the queued bytes,
//! batch after batch, until the queue is empty. Requests queued while it
//! writes go out together in its next write.

use std::sync::Arc;

use resp_core::client::MuxId;
use std::time::{Duration, Instant};

use super::bell::Ring;
use super::link::Link;
use super::shared::Shared;

impl Shared {
    /// Writes what is queued on `link` until nothing is, then gives the
    /// write token up. The caller holds the write token. Before writing to
    /// a connection with nothing in flight, it looks for bytes that
    /// arrived while the connection was idle (taking the read token for
    /// that); with `keep_read` it keeps the read token then, and returns
    /// it, for a caller about to wait for its own reply; `holding_read`
    /// says it holds the read token already (a reader that took the write
    /// token a writer gave up).
    ///
    /// The unwritten rest of a request cut short goes out first. When
    /// `deadline` passes mid-write, the writer gives up as a caller (see
    /// [`Shared::give_up_write`]), or breaks the connection when no
    /// request but its own (`own`) can still be served; it returns `None`
    /// then, holding no token.
    pub(super) fn write_queued(
        &self,
        link: Arc<Link>,
        deadline: Option<Instant>,
        keep_read: bool,
        holding_read: bool,
        own: Option<MuxId>,
    ) -> Option<Arc<Link>> {
        let mut buf: Vec<u8> = Vec::new();
        let mut holding_read = holding_read;
        let mut done = 0;
        loop {
            let mut st = self.lock();
            if !st.is_current(&link) {
                return None;
            }
            st.mux.handle_written(done);
            st.stranded = false;
            if !st.rest.is_empty() {
                buf = std::mem::take(&mut st.rest);
                drop(st);
                let mut write = Write {
                    holding_read: &mut holding_read,
                    own,
                };
                match self.write_reading(&link, &buf, deadline, &mut write) {
                    Some(written) => done = written,
                    None => return None,
                }
                continue;
            }
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
            let mut write = Write {
                holding_read: &mut holding_read,
                own,
            };
            match self.write_reading(&link, &buf, deadline, &mut write) {
                Some(written) => done = written,
                None => return None,
            }
        }
    }

    /// Writes all of `bytes` on `link`: the bytes written, or `None` when
    /// the connection failed (every request on it failed). While the
    /// socket has no room it reads replies, taking the read token when
    /// nobody holds it (`holding_read`): a server or proxy with bounded
    /// buffers stops reading requests while its replies are not read, and
    /// a writer that only waited for room would wait until its deadline,
    /// then fail the connection. Not holding the read token, it waits for
    /// room a slice at a time, to look for the token again.
    fn write_reading(
        &self,
        link: &Link,
        bytes: &[u8],
        deadline: Option<Instant>,
        write: &mut Write<'_>,
    ) -> Option<usize> {
        let holding_read = &mut *write.holding_read;
        let mut written = 0;
        while written < bytes.len() {
            let error = match link.write_now(&bytes[written..]) {
                Ok(0) => {
                    if !*holding_read {
                        *holding_read = self.take_read(link);
                    }
                    let slice = (!*holding_read).then(|| Instant::now() + ROOM_SLICE);
                    let until = match (deadline, slice) {
                        (Some(d), Some(s)) => Some(d.min(s)),
                        (d, s) => d.or(s),
                    };
                    match link.wait_room(*holding_read, until) {
                        Ok(Some(false)) => continue,
                        Ok(Some(true)) => match self.read_ready(link, written) {
                            true => continue,
                            false => return None,
                        },
                        Ok(None) if deadline.is_some_and(|d| Instant::now() >= d) => {
                            if self.give_up_write(link, bytes, written, write.own, *holding_read) {
                                return None;
                            }
                            link.write_timed_out()
                        }
                        Ok(None) => continue,
                        Err(error) => error,
                    }
                }
                Ok(n) => {
                    written += n;
                    continue;
                }
                Err(error) => error,
            };
            self.break_link(link, error, Some(written));
            return None;
        }
        Some(written)
    }

    /// Takes the read token of `link` if nobody holds it.
    fn take_read(&self, link: &Link) -> bool {
        let mut st = self.lock();
        match st.current(link) {
            Some(ls) if !ls.reading => {
                ls.reading = true;
                true
            }
            _ => false,
        }
    }
}

/// The writer's tokens and request, for [`Shared::write_reading`].
struct Write<'a> {
    /// It holds the read token.
    holding_read: &'a mut bool,
    /// Its own request, if it has one.
    own: Option<MuxId>,
}

/// How long a writer waiting for room without the read token waits before
/// it looks for the token again.
const ROOM_SLICE: Duration = Duration::from_millis(20);
