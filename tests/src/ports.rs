//! Free-port allocation on 127.0.0.1 that is safe for tests running in
//! parallel, in one process and across processes.
//!
//! Three layers keep two servers from getting the same port:
//!
//! 1. A process-wide set of ports already handed out: a port is never handed
//!    out twice by the same process (restarts keep their lease instead).
//! 2. A cross-process lease: an open-file-description lock on byte `port` of
//!    a shared lock file in the temp directory, held for as long as the
//!    [`PortLease`] lives (the kernel drops it if the process dies).
//! 3. A bind probe on 127.0.0.1; and since another program may still grab the
//!    port before Redis binds it, server start retries on a fresh port when
//!    Redis reports "Address already in use".
//!
//! Ports come from [`PORT_RANGE`], below Linux's default ephemeral range
//! (32768-60999) so that outgoing connections do not take them, and low
//! enough that the Redis Cluster bus port (`port + 10000`) stays below it too.

use std::collections::HashSet;
use std::fs::File;
use std::net::{Ipv4Addr, TcpListener};
use std::ops::Range;
use std::sync::{Mutex, OnceLock};
use std::time::{SystemTime, UNIX_EPOCH};

use crate::error::{HarnessError, Result};

/// Ports handed out by [`allocate_port`] and [`allocate_cluster_port`].
pub const PORT_RANGE: Range<u16> = 10_000..22_000;

/// Offset of the Redis Cluster bus port from the client port.
pub const CLUSTER_BUS_OFFSET: u16 = 10_000;

/// A reserved port; the reservation (in this process and across processes)
/// lasts until the lease is dropped.
#[derive(Debug)]
pub struct PortLease {
    port: u16,
    with_bus: bool,
    _locks: Vec<File>,
}

impl PortLease {
    /// The reserved port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The cluster bus port (`port + 10000`), if it was reserved too.
    pub fn bus_port(&self) -> Option<u16> {
        self.with_bus.then(|| self.port + CLUSTER_BUS_OFFSET)
    }
}

struct Allocator {
    next: u16,
    handed_out: HashSet<u16>,
}

fn allocator() -> &'static Mutex<Allocator> {
    static ALLOCATOR: OnceLock<Mutex<Allocator>> = OnceLock::new();
    ALLOCATOR.get_or_init(|| {
        // Start at a different place in each process so that concurrent test
        // binaries rarely probe the same ports.
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let seed = std::process::id().wrapping_mul(7919) ^ nanos;
        let span = u32::from(PORT_RANGE.end - PORT_RANGE.start);
        Mutex::new(Allocator {
            next: PORT_RANGE.start + (seed % span) as u16,
            handed_out: HashSet::new(),
        })
    })
}

/// Reserves a free port on 127.0.0.1 for a plain server or sentinel.
pub fn allocate_port() -> Result<PortLease> {
    allocate(false)
}

/// Reserves a free port for a Redis Cluster node: both `port` and its bus
/// port `port + 10000` are free, and the port is below 55535.
pub fn allocate_cluster_port() -> Result<PortLease> {
    allocate(true)
}

fn allocate(with_bus: bool) -> Result<PortLease> {
    let mut state = allocator().lock().unwrap_or_else(|e| e.into_inner());
    let span = PORT_RANGE.end - PORT_RANGE.start;
    for _ in 0..span {
        let port = state.next;
        state.next = if port + 1 >= PORT_RANGE.end {
            PORT_RANGE.start
        } else {
            port + 1
        };
        let mut ports = vec![port];
        if with_bus {
            ports.push(port + CLUSTER_BUS_OFFSET);
        }
        if ports.iter().any(|p| state.handed_out.contains(p)) {
            continue;
        }
        let Some(locks) = lock_all(&ports) else {
            continue;
        };
        if !ports.iter().all(|&p| bindable(p)) {
            continue;
        }
        state.handed_out.extend(ports.iter().copied());
        return Ok(PortLease {
            port,
            with_bus,
            _locks: locks,
        });
    }
    Err(HarnessError::new(format!(
        "no free port left in {PORT_RANGE:?} (with_bus: {with_bus})"
    )))
}

fn bindable(port: u16) -> bool {
    TcpListener::bind((Ipv4Addr::LOCALHOST, port)).is_ok()
}

fn lock_all(ports: &[u16]) -> Option<Vec<File>> {
    ports.iter().map(|&p| cross_process_lock(p)).collect()
}

/// Takes the cross-process lease on `port`, or `None` if another process
/// holds it. Where locking is unavailable the lease is granted anyway: the
/// bind probe and the start retry still apply.
#[cfg(target_os = "linux")]
fn cross_process_lock(port: u16) -> Option<File> {
    use std::os::fd::AsRawFd;

    let path = std::env::temp_dir().join("redis-test-harness-ports.lock");
    let file = match std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false)
        .open(&path)
    {
        Ok(file) => file,
        Err(_) => return File::open("/dev/null").ok(),
    };
    // SAFETY: an all-zero `flock` is a valid value; the fields we need are set below.
    let mut lock: libc::flock = unsafe { std::mem::zeroed() };
    lock.l_type = libc::F_WRLCK as libc::c_short;
    lock.l_whence = libc::SEEK_SET as libc::c_short;
    lock.l_start = libc::off_t::from(port);
    lock.l_len = 1;
    // Open-file-description locks belong to this `File`, so two leases in the
    // same process conflict too, and closing the file releases the lock.
    // SAFETY: `file` is an open descriptor and `lock` a valid `flock`.
    let rc = unsafe { libc::fcntl(file.as_raw_fd(), libc::F_OFD_SETLK, &lock) };
    (rc == 0).then_some(file)
}

#[cfg(not(target_os = "linux"))]
fn cross_process_lock(_port: u16) -> Option<File> {
    File::open("/dev/null").ok()
}
