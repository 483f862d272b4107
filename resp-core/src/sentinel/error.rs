//! Why a resolution failed.

use std::fmt;

/// What happened with one sentinel during a resolution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    /// The sentinel, as the caller names it.
    pub sentinel: String,
    /// What happened: why it could not be asked, or what it answered.
    pub outcome: String,
}

impl fmt::Display for Attempt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.sentinel, self.outcome)
    }
}

/// Why no master (or replica list) was found, with what each sentinel did.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SentinelError {
    /// No sentinel could be asked: each one was unreachable, timed out,
    /// refused the credentials or answered nonsense.
    NoSentinelReachable {
        /// The master's name.
        master: String,
        /// Each sentinel and its failure, in the order tried.
        tried: Vec<Attempt>,
    },
    /// Every sentinel that answered says it does not know this master.
    UnknownMaster {
        /// The master's name.
        master: String,
        /// Each sentinel and what it did, in the order tried.
        tried: Vec<Attempt>,
    },
    /// The sentinels named servers that are not in the role asked for (a
    /// demoted master, a stale sentinel's answer), and no other.
    MasterNotConfirmed {
        /// The master's name.
        master: String,
        /// Each sentinel and what it did, in the order tried.
        tried: Vec<Attempt>,
    },
}

impl SentinelError {
    /// What each sentinel did, in the order tried.
    pub fn attempts(&self) -> &[Attempt] {
        match self {
            SentinelError::NoSentinelReachable { tried, .. }
            | SentinelError::UnknownMaster { tried, .. }
            | SentinelError::MasterNotConfirmed { tried, .. } => tried,
        }
    }

    /// The master's name.
    pub fn master(&self) -> &str {
        match self {
            SentinelError::NoSentinelReachable { master, .. }
            | SentinelError::UnknownMaster { master, .. }
            | SentinelError::MasterNotConfirmed { master, .. } => master,
        }
    }
}

impl fmt::Display for SentinelError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SentinelError::NoSentinelReachable { master, .. } => {
                write!(f, "no sentinel reachable for master '{master}'")?
            }
            SentinelError::UnknownMaster { master, .. } => {
                write!(f, "no sentinel knows a master named '{master}'")?
            }
            SentinelError::MasterNotConfirmed { master, .. } => write!(
                f,
                "master '{master}' not confirmed: the sentinels name no server in that role"
            )?,
        }
        let tried = self.attempts();
        if tried.is_empty() {
            return f.write_str(" (no sentinel configured)");
        }
        f.write_str(" (")?;
        for (i, attempt) in tried.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{attempt}")?;
        }
        f.write_str(")")
    }
}

impl std::error::Error for SentinelError {}
