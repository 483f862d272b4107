//! Waiting for a socket to become readable or writable, until a deadline.

use std::io;
use std::os::fd::RawFd;
use std::time::Instant;

/// What a wait found.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Ready {
    /// A read will not block: data, end of stream or an error is pending.
    pub readable: bool,
}

/// Waits until `fd` is readable (if `read`) or writable (if `write`), or
/// has an error or hang-up pending, or `deadline` passes
/// (`ErrorKind::TimedOut`).
pub(crate) fn wait(
    fd: RawFd,
    read: bool,
    write: bool,
    deadline: Option<Instant>,
) -> io::Result<Ready> {
    let mut events = 0;
    if read {
        events |= libc::POLLIN;
    }
    if write {
        events |= libc::POLLOUT;
    }
    let mut pollfd = libc::pollfd {
        fd,
        events,
        revents: 0,
    };
    loop {
        let timeout_ms = timeout_ms(deadline);
        // SAFETY: `pollfd` is a valid, initialised `pollfd` for the duration
        // of the call, and the count passed is 1.
        let ready = unsafe { libc::poll(&mut pollfd, 1, timeout_ms) };
        match ready {
            n if n > 0 => {
                let r = pollfd.revents;
                let failed = r & (libc::POLLERR | libc::POLLHUP | libc::POLLNVAL) != 0;
                return Ok(Ready {
                    readable: r & libc::POLLIN != 0 || failed,
                });
            }
            0 if deadline.is_some_and(|d| Instant::now() >= d) => {
                return Err(io::ErrorKind::TimedOut.into())
            }
            0 => continue,
            _ => {
                let err = io::Error::last_os_error();
                if err.kind() != io::ErrorKind::Interrupted {
                    return Err(err);
                }
            }
        }
    }
}

/// Waits until `first` or `second` is readable, or `deadline` passes
/// (`ErrorKind::TimedOut`); says which are readable.
pub(crate) fn wait_either(
    first: RawFd,
    second: RawFd,
    deadline: Option<Instant>,
) -> io::Result<(bool, bool)> {
    let mut fds = [
        libc::pollfd {
            fd: first,
            events: libc::POLLIN,
            revents: 0,
        },
        libc::pollfd {
            fd: second,
            events: libc::POLLIN,
            revents: 0,
        },
    ];
    loop {
        let timeout_ms = timeout_ms(deadline);
        // SAFETY: `fds` is a valid array of two initialised `pollfd`s for
        // the duration of the call, and the count passed is its length.
        let ready = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) };
        let readable = |p: &libc::pollfd| {
            p.revents & (libc::POLLIN | libc::POLLERR | libc::POLLHUP | libc::POLLNVAL) != 0
        };
        match ready {
            n if n > 0 => return Ok((readable(&fds[0]), readable(&fds[1]))),
            0 if deadline.is_some_and(|d| Instant::now() >= d) => {
                return Err(io::ErrorKind::TimedOut.into())
            }
            0 => continue,
            _ => {
                let err = io::Error::last_os_error();
                if err.kind() != io::ErrorKind::Interrupted {
                    return Err(err);
                }
            }
        }
    }
}

/// `poll`'s timeout for `deadline`: -1 for none, rounded up so that a wait
/// never ends just before the deadline, and 0 (look once without waiting)
/// once it has passed.
fn timeout_ms(deadline: Option<Instant>) -> i32 {
    match deadline {
        None => -1,
        Some(deadline) => {
            let left = deadline.saturating_duration_since(Instant::now());
            left.as_micros().div_ceil(1000).min(i32::MAX as u128) as i32
        }
    }
}
