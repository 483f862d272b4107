//! `MOVED` and `ASK` redirects of Redis Cluster.

/// Which redirect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RedirectKind {
    /// The slot lives elsewhere for good: update the slot map.
    Moved,
    /// The slot is migrating: send `ASKING` then the command to the target,
    /// once.
    Ask,
}

/// A parsed `MOVED <slot> <host>:<port>` or `ASK <slot> <host>:<port>` error.
///
/// # Example
///
/// ```
/// use resp_core::client::{Redirect, RedirectKind};
///
/// let r = Redirect::parse(b"MOVED 3999 127.0.0.1:6381").unwrap();
/// assert_eq!((r.kind, r.slot, r.host.as_str(), r.port), (RedirectKind::Moved, 3999, "127.0.0.1", 6381));
/// let r = Redirect::parse(b"ASK 1 ::1:7000").unwrap();
/// assert_eq!((r.host.as_str(), r.port), ("::1", 7000));
/// assert!(Redirect::parse(b"ERR nope").is_none());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// `MOVED` or `ASK`.
    pub kind: RedirectKind,
    /// The hash slot, 0 to 16383.
    pub slot: u16,
    /// The target host; empty when the server reports an unknown endpoint
    /// (`:port`), meaning the host of the node that replied.
    pub host: String,
    /// The target port.
    pub port: u16,
}

impl Redirect {
    /// Parses an error line; `None` if it is not a well-formed redirect.
    pub fn parse(error: &[u8]) -> Option<Redirect> {
        let text = std::str::from_utf8(error).ok()?;
        let mut parts = text.split(' ');
        let kind = match parts.next()? {
            "MOVED" => RedirectKind::Moved,
            "ASK" => RedirectKind::Ask,
            _ => return None,
        };
        let slot: u16 = parts.next()?.parse().ok().filter(|s| *s < 16384)?;
        let endpoint = parts.next()?;
        if parts.next().is_some() {
            return None;
        }
        let (host, port) = endpoint.rsplit_once(':')?;
        let port = port.parse().ok()?;
        let host = host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_owned();
        Some(Redirect {
            kind,
            slot,
            host,
            port,
        })
    }
}
