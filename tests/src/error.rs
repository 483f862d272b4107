//! The error type shared by every harness operation.

use std::fmt;
use std::io;

/// Error returned when the harness cannot start, reach or control a Redis process.
///
/// The message is meant to be read by a human looking at a failed test: it
/// says what was attempted and, for start failures, includes the tail of the
/// server's log file.
#[derive(Debug)]
pub struct HarnessError {
    message: String,
    addr_in_use: bool,
}

/// Result alias used throughout the harness.
pub type Result<T, E = HarnessError> = std::result::Result<T, E>;

impl HarnessError {
    /// Creates an error with the given message.
    pub fn new(message: impl Into<String>) -> Self {
        HarnessError {
            message: message.into(),
            addr_in_use: false,
        }
    }

    /// Marks this error as caused by a port that was already in use, which
    /// makes a server start retry on a fresh port.
    pub(crate) fn with_addr_in_use(mut self, addr_in_use: bool) -> Self {
        self.addr_in_use = addr_in_use;
        self
    }

    /// Whether the failure was "Address already in use" (retryable on another port).
    pub fn is_addr_in_use(&self) -> bool {
        self.addr_in_use
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// Prefixes the message with what was being done.
    pub fn context(mut self, what: impl fmt::Display) -> Self {
        self.message = format!("{what}: {}", self.message);
        self
    }
}

impl fmt::Display for HarnessError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for HarnessError {}

impl From<redis_proxy::Error> for HarnessError {
    fn from(err: redis_proxy::Error) -> Self {
        match err {
            redis_proxy::Error::Io { context, source } => {
                HarnessError::from(source).context(context)
            }
            other => HarnessError::new(other.to_string()),
        }
    }
}

impl From<io::Error> for HarnessError {
    fn from(err: io::Error) -> Self {
        HarnessError::new(err.to_string()).with_addr_in_use(err.kind() == io::ErrorKind::AddrInUse)
    }
}
