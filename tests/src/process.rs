//! Child-process ownership: spawning (so that children die with the test
//! process), POSIX signals, and reaping on drop.

use std::fs;
use std::io;
use std::path::Path;
use std::process::{Child, Command, ExitStatus};
use std::sync::mpsc;
use std::sync::{Mutex, OnceLock};
use std::thread;
use std::time::{Duration, Instant};

type SpawnRequest = (Command, mpsc::Sender<io::Result<Child>>);

/// Spawns `command` from a dedicated thread that lives as long as the process.
///
/// The child leads its own process group, so that killing it also kills any
/// process it forked (e.g. a Redis background-save child).
///
/// On Linux the child gets `PR_SET_PDEATHSIG = SIGKILL`. That signal fires
/// when the *thread* that spawned the child exits, which is why spawning
/// happens on a thread that never ends: servers then outlive the test thread
/// that created them (for example when stored in a `static`) but never the
/// test process, even if it aborts or is killed.
pub(crate) fn spawn(command: Command) -> io::Result<ChildGuard> {
    static SPAWNER: OnceLock<Mutex<mpsc::Sender<SpawnRequest>>> = OnceLock::new();
    let sender = SPAWNER
        .get_or_init(|| {
            let (tx, rx) = mpsc::channel::<SpawnRequest>();
            thread::Builder::new()
                .name("redis-harness-spawner".into())
                .spawn(move || {
                    for (mut command, reply) in rx {
                        let _ = reply.send(command.spawn());
                    }
                })
                .expect("cannot start the process spawner thread");
            Mutex::new(tx)
        })
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    let (reply_tx, reply_rx) = mpsc::channel();
    let mut command = command;
    die_with_parent(&mut command);
    sender
        .send((command, reply_tx))
        .map_err(|_| io::Error::other("process spawner thread is gone"))?;
    let child = reply_rx
        .recv()
        .map_err(|_| io::Error::other("process spawner thread is gone"))??;
    Ok(ChildGuard { child: Some(child) })
}

#[cfg(target_os = "linux")]
fn die_with_parent(command: &mut Command) {
    use std::os::unix::process::CommandExt;

    let parent = std::process::id();
    // SAFETY: the closure only calls async-signal-safe functions (setpgid, prctl, getppid).
    unsafe {
        command.pre_exec(move || {
            if libc::setpgid(0, 0) != 0 {
                return Err(io::Error::last_os_error());
            }
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(io::Error::last_os_error());
            }
            // The parent may have died before prctl took effect.
            if libc::getppid() as u32 != parent {
                return Err(io::Error::other("parent exited"));
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
fn die_with_parent(command: &mut Command) {
    use std::os::unix::process::CommandExt;

    command.process_group(0);
}

/// Sends `signal` (e.g. `libc::SIGSTOP`) to the process `pid`.
pub fn send_signal(pid: u32, signal: libc::c_int) -> io::Result<()> {
    let pid = libc::pid_t::try_from(pid).map_err(io::Error::other)?;
    // SAFETY: kill(2) has no memory-safety preconditions.
    if unsafe { libc::kill(pid, signal) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Owns a running child process; dropping it kills (SIGKILL) and reaps it.
#[derive(Debug)]
pub(crate) struct ChildGuard {
    child: Option<Child>,
}

impl ChildGuard {
    /// The child's process id.
    pub(crate) fn pid(&self) -> u32 {
        self.child.as_ref().map_or(0, Child::id)
    }

    /// Sends a signal to the child.
    pub(crate) fn signal(&self, signal: libc::c_int) -> io::Result<()> {
        send_signal(self.pid(), signal)
    }

    /// The exit status, if the child has already exited.
    pub(crate) fn try_exit_status(&mut self) -> Option<ExitStatus> {
        self.child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten())
    }

    /// Waits up to `timeout` for the child to exit; returns whether it did.
    pub(crate) fn wait_timeout(&mut self, timeout: Duration) -> bool {
        let deadline = Instant::now() + timeout;
        loop {
            if self.try_exit_status().is_some() {
                return true;
            }
            if Instant::now() >= deadline {
                return false;
            }
            thread::sleep(Duration::from_millis(5));
        }
    }

    /// Kills the child and its process group with SIGKILL and reaps it.
    pub(crate) fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            if let Ok(pgid) = libc::pid_t::try_from(child.id()) {
                // SAFETY: kill(2) has no memory-safety preconditions.
                unsafe { libc::kill(-pgid, libc::SIGKILL) };
            }
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Asks the child to exit with SIGTERM (resuming it first, in case it is
    /// stopped), then SIGKILLs it if it is still running after `grace`.
    pub(crate) fn terminate(&mut self, grace: Duration) {
        if self.try_exit_status().is_none() {
            let _ = self.signal(libc::SIGTERM);
            let _ = self.signal(libc::SIGCONT);
            self.wait_timeout(grace);
        }
        self.kill();
    }
}

impl Drop for ChildGuard {
    fn drop(&mut self) {
        self.kill();
    }
}

/// The last `lines` lines of the file at `path`, or a note saying why it
/// could not be read.
pub fn file_tail(path: &Path, lines: usize) -> String {
    match fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let all: Vec<&str> = text.lines().collect();
            if all.iter().all(|l| l.trim().is_empty()) {
                return "<empty>".to_string();
            }
            all[all.len().saturating_sub(lines)..].join("\n")
        }
        Err(e) => format!("<cannot read {}: {e}>", path.display()),
    }
}
