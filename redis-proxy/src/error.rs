//! The crate's error type.

use std::fmt;
use std::io;

use crate::config::ConfigError;

/// Why the proxy could not start or a change was refused.
#[non_exhaustive]
#[derive(Debug)]
pub enum Error {
    /// A socket or thread operation failed.
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        source: io::Error,
    },
    /// The fault configuration is invalid.
    Config(ConfigError),
    /// Cluster-aware mode could not find the cluster's nodes.
    Cluster(String),
}

impl Error {
    pub(crate) fn io(context: impl Into<String>) -> impl FnOnce(io::Error) -> Error {
        let context = context.into();
        move |source| Error::Io { context, source }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io { context, source } => write!(f, "{context}: {source}"),
            Error::Config(e) => write!(f, "invalid fault config: {e}"),
            Error::Cluster(message) => write!(f, "cluster-aware mode: {message}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            Error::Config(e) => Some(e),
            Error::Cluster(_) => None,
        }
    }
}

impl From<ConfigError> for Error {
    fn from(e: ConfigError) -> Error {
        Error::Config(e)
    }
}
