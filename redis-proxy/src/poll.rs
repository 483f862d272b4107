//! The few system calls the drivers need beyond std: `ppoll` with a
//! deadline, and a waker that interrupts it from another thread.

use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, RawFd};
use std::os::unix::net::UnixStream;
use std::time::Instant;

/// Readable.
pub(crate) const IN: i16 = libc::POLLIN;
/// Writable.
pub(crate) const OUT: i16 = libc::POLLOUT;
/// Hung up, failed or invalid.
pub(crate) const GONE: i16 = libc::POLLHUP | libc::POLLERR | libc::POLLNVAL;

/// One descriptor to wait on; `fd < 0` is skipped.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Wait {
    pub(crate) fd: RawFd,
    pub(crate) events: i16,
    pub(crate) revents: i16,
}

impl Wait {
    pub(crate) fn new(fd: RawFd, events: i16) -> Wait {
        Wait {
            fd,
            events,
            revents: 0,
        }
    }
}

/// Waits until one of `waits` is ready or `deadline` passes (`None`: no
/// deadline). Interrupted waits return early with nothing ready.
pub(crate) fn wait(waits: &mut [Wait], deadline: Option<Instant>) {
    let mut fds: Vec<libc::pollfd> = waits
        .iter()
        .map(|w| libc::pollfd {
            fd: w.fd,
            events: w.events,
            revents: 0,
        })
        .collect();
    let timeout = deadline.map(|d| {
        let left = d.saturating_duration_since(Instant::now());
        libc::timespec {
            tv_sec: left.as_secs().min(i32::MAX as u64) as libc::time_t,
            tv_nsec: libc::c_long::from(left.subsec_nanos() as i32),
        }
    });
    let timeout_ptr = timeout
        .as_ref()
        .map_or(std::ptr::null(), |t| t as *const libc::timespec);
    // SAFETY: `fds` is a valid array of `fds.len()` pollfds and
    // `timeout_ptr` is null or points to a live timespec, for the call.
    let ready = unsafe {
        libc::ppoll(
            fds.as_mut_ptr(),
            fds.len() as libc::nfds_t,
            timeout_ptr,
            std::ptr::null(),
        )
    };
    for (w, fd) in waits.iter_mut().zip(&fds) {
        w.revents = if ready > 0 { fd.revents } else { 0 };
    }
}

/// Wakes a thread waiting in [`wait`] on the matching [`WakeReceiver`].
#[derive(Debug)]
pub(crate) struct Waker(UnixStream);

/// The waiting side of a [`Waker`].
#[derive(Debug)]
pub(crate) struct WakeReceiver(UnixStream);

/// A waker and its receiver.
pub(crate) fn waker() -> io::Result<(Waker, WakeReceiver)> {
    let (tx, rx) = UnixStream::pair()?;
    tx.set_nonblocking(true)?;
    rx.set_nonblocking(true)?;
    Ok((Waker(tx), WakeReceiver(rx)))
}

impl Waker {
    /// Makes the receiver readable (a full pipe is already readable).
    pub(crate) fn wake(&self) {
        let _ = (&self.0).write(&[1]);
    }
}

impl WakeReceiver {
    /// The descriptor to wait on.
    pub(crate) fn fd(&self) -> RawFd {
        self.0.as_raw_fd()
    }

    /// Empties the pipe.
    pub(crate) fn drain(&self) {
        let mut buf = [0; 64];
        while matches!((&self.0).read(&mut buf), Ok(n) if n > 0) {}
    }
}
