//! Reading: the thread holding the read token reads replies for everyone,
//! hands each to its request's slot and wakes its caller, until its own
//! request is done.

use std::time::Instant;

use resp_core::client::Routed;
use resp_core::{Frame, Status};

use super::link::{Link, Read, ReadSide};
use super::shared::Shared;
use super::slot::{Slot, Wake};
use crate::error::{Error, ErrorKind, Executed};
use crate::types::Value;

/// How a turn of reading ended.
pub(super) enum ReadEnd {
    /// The reader's own request is done; it still holds the token.
    Done,
    /// The deadline passed first; it still holds the token.
    TimedOut,
    /// A writer gave up with bytes left to write: the reader took the
    /// write token too, to write them (it still holds the read token).
    Write,
    /// The connection was lost (the token with it); every request on it
    /// failed.
    Broken,
}

/// How long a reader waiting for replies waits before it looks for bytes
/// a writer left when it gave up.
const STRANDED_SLICE: std::time::Duration = std::time::Duration::from_millis(50);

/// The connection is out of step.
struct OutOfStep;

impl Shared {
    /// Reads and routes replies on `link` until `me` is done or `deadline`
    /// passes. The caller holds the read token.
    pub(super) fn read_until(&self, link: &Link, me: &Slot, deadline: Option<Instant>) -> ReadEnd {
        self.read_while(link, &|| !me.is_done(), deadline)
    }

    /// Reads and routes replies on `link` while `wanted` holds (`Done`
    /// once it does not) or until `deadline` passes. The caller holds the
    /// read token.
    pub(super) fn read_while(
        &self,
        link: &Link,
        wanted: &dyn Fn() -> bool,
        deadline: Option<Instant>,
    ) -> ReadEnd {
        let mut rs = link.read_side();
        loop {
            if self.route_buffered(link, &mut rs).is_err() {
                return ReadEnd::Broken;
            }
            if !wanted() {
                return ReadEnd::Done;
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return ReadEnd::TimedOut;
            }
            // A writer that gives up leaves its bytes to whoever waits:
            // look for them now and then while nothing arrives.
            let slice = Instant::now() + STRANDED_SLICE;
            let until = deadline.map_or(slice, |d| d.min(slice));
            match link.read(&mut rs, Some(until)) {
                Ok(Read::Data) => {}
                Ok(Read::Waited) => {
                    if self.lock().adopt_write().is_some() {
                        return ReadEnd::Write;
                    }
                }
                Err(error) => {
                    drop(rs);
                    self.break_link(link, error, None);
                    return ReadEnd::Broken;
                }
            }
        }
    }

    /// Reads what has arrived (without waiting) and routes it, for the
    /// write token's holder that also holds the read token and has written
    /// `written` bytes of its batch; false when the connection failed.
    pub(super) fn read_ready(&self, link: &Link, written: usize) -> bool {
        let mut rs = link.read_side();
        if let Err(error) = link.read_now(&mut rs) {
            drop(rs);
            self.break_link(link, error, Some(written));
            return false;
        }
        self.route_buffered(link, &mut rs).is_ok()
    }

    /// Decodes every complete frame read so far: replies go to their
    /// requests, pushes to the handler.
    fn route_buffered(&self, link: &Link, rs: &mut ReadSide) -> Result<(), OutOfStep> {
        let mut replies: Vec<Value> = Vec::new();
        loop {
            let (frame, used) = match rs.decoder.decode(&rs.buf[rs.pos..rs.len]) {
                Ok(Status::Complete(done)) => done,
                Ok(Status::Partial) => break,
                Err(e) => {
                    let error = protocol_error(link, e);
                    if !replies.is_empty() {
                        self.route(link, rs, &mut replies)?;
                    }
                    self.break_link(link, error, None);
                    return Err(OutOfStep);
                }
            };
            let is_push = matches!(frame, Frame::Push(_));
            let value = frame.into_owned();
            rs.pos += used;
            if is_push {
                if !replies.is_empty() {
                    self.route(link, rs, &mut replies)?;
                }
                self.deliver_push(value);
            } else {
                replies.push(value);
            }
        }
        if !replies.is_empty() {
            self.route(link, rs, &mut replies)?;
        }
        rs.settle();
        Ok(())
    }

    /// Hands `replies` to their requests, in order, and wakes their
    /// callers. A reply nobody awaits, or bytes after the last awaited
    /// reply that are not the start of a push, mean the connection is out
    /// of step: it is dropped and every request on it fails.
    fn route(&self, link: &Link, rs: &ReadSide, replies: &mut Vec<Value>) -> Result<(), OutOfStep> {
        let mut st = self.lock();
        if !st.is_current(link) {
            return Err(OutOfStep);
        }
        let mut wakes: Vec<Wake> = Vec::with_capacity(replies.len());
        let mut stray = None;
        for reply in replies.drain(..) {
            match st.mux.handle_reply() {
                None => {
                    stray = Some("a reply nobody asked for");
                    break;
                }
                Some(Routed::Part {
                    value, abandoned, ..
                }) => {
                    if !abandoned {
                        value.part(reply);
                    }
                }
                Some(Routed::Last {
                    value, abandoned, ..
                }) => {
                    if !abandoned {
                        wakes.push(value.last(reply, &self.woken));
                    }
                }
            }
        }
        if stray.is_none() && st.mux.awaiting() == 0 {
            if let Some(&first) = rs.pending().first() {
                if first != b'>' && first != b'|' {
                    stray = Some("bytes after the last reply");
                }
            }
        }
        drop(st);
        self.wake_all(wakes);
        match stray {
            None => Ok(()),
            Some(what) => {
                self.break_link(link, out_of_step(link, what), None);
                Err(OutOfStep)
            }
        }
    }

    /// Before writing to a connection with nothing in flight: takes in
    /// what arrived while it was idle (one read that does not wait). A push
    /// goes to the handler; anything else (a reply nobody asked for, the
    /// end of the stream) is an error, and nothing has been written yet.
    /// The caller holds the read token.
    pub(super) fn check_idle(&self, link: &Link) -> crate::Result<()> {
        let mut guard = link.read_side();
        let rs = &mut *guard;
        if rs.pos == rs.len {
            link.read_now(rs)
                .map_err(|e| e.context("the connection was found closed before writing"))?;
        }
        loop {
            match rs.decoder.decode(&rs.buf[rs.pos..rs.len]) {
                Ok(Status::Complete((frame @ Frame::Push(_), used))) => {
                    let push = frame.into_owned();
                    rs.pos += used;
                    self.deliver_push(push);
                }
                Ok(Status::Complete(_)) => {
                    return Err(out_of_step(link, "a reply nobody asked for"))
                }
                Ok(Status::Partial) => break,
                Err(e) => return Err(protocol_error(link, e)),
            }
        }
        match rs.pending().first() {
            None | Some(b'>' | b'|') => {
                rs.settle();
                Ok(())
            }
            Some(_) => Err(out_of_step(link, "a reply nobody asked for")),
        }
    }
}

fn out_of_step(link: &Link, what: &str) -> Error {
    Error::new(
        ErrorKind::Protocol,
        Executed::No,
        format!("{} is out of step: {what}", link.addr),
    )
}

fn protocol_error(link: &Link, e: resp_core::Error) -> Error {
    Error::new(
        ErrorKind::Protocol,
        Executed::No,
        format!("invalid reply from {}: {e}", link.addr),
    )
    .with_source(e)
}
