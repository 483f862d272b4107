//! Whether a command ran, judged from what the server and the connection
//! said.

/// Whether a command may have run on the server.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Executed {
    /// It surely did not run: it was never completely written, or the
    /// server refused it before running it.
    No,
    /// It may have run: it was written and no reply came back.
    Maybe,
    /// It ran: the reply came back (a server error that the command itself
    /// raised, or a reply of an unexpected type).
    Yes,
}

/// Error codes with which the server refuses a command before running it:
/// after a pause, a reconnect or a redirect, running it again is safe.
const REFUSED_BEFORE_RUNNING: [&[u8]; 10] = [
    b"MOVED",
    b"ASK",
    b"TRYAGAIN",
    b"CLUSTERDOWN",
    b"NOSCRIPT",
    b"READONLY",
    b"LOADING",
    b"BUSY",
    b"MASTERDOWN",
    b"NOREPLICAS",
];

/// The error code of an error line: its first word when that is one
/// upper-case word, as Redis writes codes; otherwise `ERR`.
///
/// ```
/// use resp_core::client::error_code;
///
/// assert_eq!(error_code(b"WRONGTYPE Operation against a key"), b"WRONGTYPE");
/// assert_eq!(error_code(b"ERR unknown command"), b"ERR");
/// assert_eq!(error_code(b"something went wrong"), b"ERR");
/// ```
pub fn error_code(line: &[u8]) -> &[u8] {
    let word = line.split(|&b| b == b' ').next().unwrap_or_default();
    let is_code = !word.is_empty()
        && word
            .iter()
            .all(|b| b.is_ascii_uppercase() || *b == b'_' || b.is_ascii_digit());
    if is_code {
        word
    } else {
        b"ERR"
    }
}

/// Whether the command that got this error reply ran: [`Executed::No`] for
/// codes with which the server refuses a command before running it
/// (`MOVED`, `ASK`, `TRYAGAIN`, `CLUSTERDOWN`, `NOSCRIPT`, `READONLY`,
/// `LOADING`, `BUSY`, `MASTERDOWN`, `NOREPLICAS`), [`Executed::Yes`]
/// otherwise (the command itself failed).
///
/// ```
/// use resp_core::client::{executed_by_error, Executed};
///
/// assert_eq!(executed_by_error(b"LOADING Redis is loading the dataset in memory"), Executed::No);
/// assert_eq!(executed_by_error(b"WRONGTYPE Operation against a key"), Executed::Yes);
/// ```
pub fn executed_by_error(line: &[u8]) -> Executed {
    if REFUSED_BEFORE_RUNNING.contains(&error_code(line)) {
        Executed::No
    } else {
        Executed::Yes
    }
}
