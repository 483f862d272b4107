//! Ctrl-C while streaming.
//!
//! `redis-cli` dies on Ctrl-C, except while it streams (`MONITOR`,
//! `SUBSCRIBE`) inside the shell, where Ctrl-C ends the streaming and the
//! shell goes on. [`install_sigint`] sets that up: after it, SIGINT only
//! raises a flag, which [`Session::execute`](crate::session::Session::execute)
//! checks while streaming (at least every 100 ms) and the shell can check
//! with [`take_interrupt`]. Without it, SIGINT keeps its default action
//! and kills the process, as in one-shot `redis-cli`.

use std::sync::atomic::{AtomicBool, Ordering};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
static INSTALLED: AtomicBool = AtomicBool::new(false);

extern "C" fn on_sigint(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::SeqCst);
}

/// Makes SIGINT raise the interrupt flag instead of killing the process.
pub fn install_sigint() {
    // SAFETY: the handler only stores to an atomic, which is
    // async-signal-safe.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
    }
    INSTALLED.store(true, Ordering::SeqCst);
}

/// True when [`install_sigint`] was called.
pub fn is_installed() -> bool {
    INSTALLED.load(Ordering::SeqCst)
}

/// True (once) when SIGINT arrived since the last call.
pub fn take_interrupt() -> bool {
    INTERRUPTED.swap(false, Ordering::SeqCst)
}

/// True when SIGINT arrived and was not taken yet.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}
