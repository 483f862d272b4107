//! Polling helper: wait until a condition holds, with a deadline and a clear error.

use std::thread;
use std::time::{Duration, Instant};

use crate::error::{HarnessError, Result};

/// How often conditions are re-checked while waiting.
pub const POLL_INTERVAL: Duration = Duration::from_millis(15);

/// Default overall deadline for a process to become ready.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// Outcome of one check made by [`wait_for`].
#[derive(Debug)]
pub enum Check<T> {
    /// The condition holds; waiting ends with this value.
    Done(T),
    /// Not yet; the string describes the state seen, and ends up in the
    /// timeout error if the condition never holds.
    NotYet(String),
}

/// Calls `check` every [`POLL_INTERVAL`] until it returns [`Check::Done`],
/// fails with `Err` (returned at once), or `timeout` passes.
///
/// The timeout error names `what` and the last state reported by `check`.
pub fn wait_for<T>(
    what: &str,
    timeout: Duration,
    mut check: impl FnMut() -> Result<Check<T>>,
) -> Result<T> {
    let start = Instant::now();
    let deadline = start + timeout;
    loop {
        let last = match check()? {
            Check::Done(value) => return Ok(value),
            Check::NotYet(state) => state,
        };
        if Instant::now() >= deadline {
            return Err(HarnessError::new(format!(
                "timed out after {:.1?} waiting for {what}; last state: {last}",
                start.elapsed()
            )));
        }
        thread::sleep(POLL_INTERVAL);
    }
}
