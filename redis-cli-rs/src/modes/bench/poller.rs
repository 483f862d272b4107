//! Waiting for any of a worker's connections: `epoll`, with a precise
//! timeout for open-loop schedules (`ppoll` on the epoll descriptor, which
//! takes nanoseconds where `epoll_wait` takes milliseconds).

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};
use std::time::Duration;

/// An epoll instance and its event buffer.
pub(crate) struct Poller {
    epoll: OwnedFd,
    events: Vec<libc::epoll_event>,
}

impl Poller {
    /// A new poller.
    ///
    /// # Errors
    ///
    /// `epoll_create1` failing (out of descriptors).
    pub(crate) fn new() -> io::Result<Poller> {
        // SAFETY: no pointers; the result is checked.
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(io::Error::last_os_error());
        }
        // SAFETY: `fd` was just opened and is owned here.
        let epoll = unsafe { OwnedFd::from_raw_fd(fd) };
        Ok(Poller {
            epoll,
            events: vec![libc::epoll_event { events: 0, u64: 0 }; 256],
        })
    }

    /// Watches `fd` for reading; events carry `token`.
    ///
    /// # Errors
    ///
    /// `epoll_ctl` failing.
    pub(crate) fn add(&self, fd: RawFd, token: usize) -> io::Result<()> {
        let mut event = libc::epoll_event {
            events: libc::EPOLLIN as u32,
            u64: token as u64,
        };
        // SAFETY: a valid epoll descriptor and a valid event pointer.
        let rc =
            unsafe { libc::epoll_ctl(self.epoll.as_raw_fd(), libc::EPOLL_CTL_ADD, fd, &mut event) };
        if rc < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Stops watching `fd` (before it is closed).
    pub(crate) fn remove(&self, fd: RawFd) {
        let mut event = libc::epoll_event { events: 0, u64: 0 };
        // SAFETY: as in `add`; a failure (not watched) is harmless.
        unsafe { libc::epoll_ctl(self.epoll.as_raw_fd(), libc::EPOLL_CTL_DEL, fd, &mut event) };
    }

    /// Waits until a watched descriptor is readable or `timeout` passes
    /// (`None`: no limit), and puts the ready tokens in `ready`.
    ///
    /// # Errors
    ///
    /// The wait failing (other than by a signal).
    pub(crate) fn wait(
        &mut self,
        timeout: Option<Duration>,
        ready: &mut Vec<usize>,
    ) -> io::Result<()> {
        ready.clear();
        let epoll_timeout = match timeout {
            None => -1,
            Some(t) if t.is_zero() => 0,
            Some(t) => {
                if !self.wait_precisely(t)? {
                    return Ok(());
                }
                0
            }
        };
        // SAFETY: the buffer holds `events.len()` events.
        let n = unsafe {
            libc::epoll_wait(
                self.epoll.as_raw_fd(),
                self.events.as_mut_ptr(),
                self.events.len() as i32,
                epoll_timeout,
            )
        };
        if n < 0 {
            let e = io::Error::last_os_error();
            return if e.kind() == io::ErrorKind::Interrupted {
                Ok(())
            } else {
                Err(e)
            };
        }
        ready.extend(self.events[..n as usize].iter().map(|e| e.u64 as usize));
        Ok(())
    }

    /// Waits up to `timeout` for the epoll descriptor itself; true when an
    /// event is pending.
    fn wait_precisely(&self, timeout: Duration) -> io::Result<bool> {
        let mut fds = libc::pollfd {
            fd: self.epoll.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        let ts = libc::timespec {
            tv_sec: timeout.as_secs().min(i32::MAX as u64) as libc::time_t,
            tv_nsec: timeout.subsec_nanos() as libc::c_long,
        };
        // SAFETY: one valid pollfd, a valid timespec, no signal mask.
        let n = unsafe { libc::ppoll(&mut fds, 1, &ts, std::ptr::null()) };
        if n < 0 {
            let e = io::Error::last_os_error();
            return if e.kind() == io::ErrorKind::Interrupted {
                Ok(false)
            } else {
                Err(e)
            };
        }
        Ok(n > 0)
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::os::unix::net::UnixStream;
    use std::time::Instant;

    use super::*;

    #[test]
    fn ready_descriptors_and_timeouts() {
        let mut poller = Poller::new().unwrap();
        let (a, mut b) = UnixStream::pair().unwrap();
        let (c, _d) = UnixStream::pair().unwrap();
        poller.add(a.as_raw_fd(), 7).unwrap();
        poller.add(c.as_raw_fd(), 8).unwrap();
        let mut ready = Vec::new();
        let t = Instant::now();
        poller
            .wait(Some(Duration::from_micros(1500)), &mut ready)
            .unwrap();
        assert!(ready.is_empty());
        assert!(t.elapsed() >= Duration::from_micros(1500));
        b.write_all(b"x").unwrap();
        poller.wait(None, &mut ready).unwrap();
        assert_eq!(ready, [7]);
        poller
            .wait(Some(Duration::from_millis(5)), &mut ready)
            .unwrap();
        assert_eq!(ready, [7], "level-triggered");
        poller.remove(a.as_raw_fd());
        poller.wait(Some(Duration::ZERO), &mut ready).unwrap();
        assert!(ready.is_empty());
    }
}
