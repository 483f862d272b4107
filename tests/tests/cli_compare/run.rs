//! Running a CLI: stdout in a pseudo-terminal (so that the program sees a
//! terminal and picks its standard output mode) or in a pipe; stderr
//! always in a pipe, so that the two are compared apart; stdin a pipe fed
//! with the case's input.
//!
//! The pty is made with `libc::openpty` directly: the test needs nothing
//! but a master to read and a slave to hand over as stdout, and libc is
//! already a dependency of this package (no new crate for 20 lines).

use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::ExitStatusExt;
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// What a run printed and how it ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// The exit code, or 128 + the signal that killed it.
    pub code: i32,
}

/// What to do while the program runs (streaming commands): after a
/// pause, run `during`, pause again, then send SIGINT.
pub struct Interrupt<'a> {
    pub during: &'a dyn Fn(),
}

fn openpty() -> (OwnedFd, OwnedFd) {
    let (mut master, mut slave) = (0, 0);
    // SAFETY: openpty fills two descriptors; no name, termios or size.
    let rc = unsafe {
        libc::openpty(
            &mut master,
            &mut slave,
            std::ptr::null_mut(),
            std::ptr::null(),
            std::ptr::null(),
        )
    };
    assert_eq!(rc, 0, "openpty failed");
    // SAFETY: fresh descriptors owned by nobody else.
    unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) }
}

/// Runs `program args` with `stdin` as input.
pub fn run(
    program: &Path,
    args: &[String],
    stdin: &[u8],
    tty: bool,
    env: &[(String, String)],
    interrupt: Option<&Interrupt<'_>>,
) -> Output {
    let home = tempfile::tempdir().expect("temp home");
    let mut cmd = Command::new(program);
    cmd.args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home.path())
        .env("TERM", "dumb")
        .env("LANG", "C")
        .stdin(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut master = None;
    if tty {
        let (m, slave) = openpty();
        cmd.stdout(Stdio::from(slave));
        master = Some(std::fs::File::from(m));
    } else {
        cmd.stdout(Stdio::piped());
    }
    let mut child = cmd.spawn().expect("spawn the CLI");
    // Our copy of the slave goes with the Command, so that reading the
    // master ends (EIO) when the child is gone.
    drop(cmd);
    let mut input = child.stdin.take().expect("stdin");
    let stdin = stdin.to_vec();
    let feeder = thread::spawn(move || {
        let _ = input.write_all(&stdin);
    });
    let mut out_pipe = child.stdout.take();
    let stdout_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        if let Some(mut m) = master {
            let mut chunk = [0u8; 4096];
            loop {
                match m.read(&mut chunk) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => buf.extend_from_slice(&chunk[..n]),
                }
            }
        } else if let Some(p) = out_pipe.as_mut() {
            let _ = p.read_to_end(&mut buf);
        }
        buf
    });
    let mut err_pipe = child.stderr.take().expect("stderr");
    let stderr_reader = thread::spawn(move || {
        let mut buf = Vec::new();
        let _ = err_pipe.read_to_end(&mut buf);
        buf
    });
    if let Some(interrupt) = interrupt {
        thread::sleep(Duration::from_millis(400));
        (interrupt.during)();
        thread::sleep(Duration::from_millis(400));
        // SAFETY: signalling our own child.
        unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    }
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{} {args:?} did not finish", program.display());
        }
        thread::sleep(Duration::from_millis(5));
    };
    let _ = feeder.join();
    let code = status
        .code()
        .unwrap_or_else(|| 128 + status.signal().unwrap_or(0));
    Output {
        stdout: stdout_reader.join().expect("stdout reader"),
        stderr: stderr_reader.join().expect("stderr reader"),
        code,
    }
}

/// Runs `program` for `time`, then sends SIGINT (for modes that never
/// end: --stat, --latency in a terminal).
pub fn run_for(program: &Path, args: &[String], tty: bool, time: Duration) -> Output {
    let pause = move || thread::sleep(time.saturating_sub(Duration::from_millis(800)));
    run(
        program,
        args,
        b"",
        tty,
        &[],
        Some(&Interrupt { during: &pause }),
    )
}
