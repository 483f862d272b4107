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
    /// Parses an error line; `None` if it is not a well-formed redirect:
    /// a slot below 16384 and an endpoint `host:port`, where the host is a
    /// host name, an IPv4 address, an IPv6 address (bare, as Redis writes
    /// it, or in brackets) or empty (the replying node's own host).
    ///
    /// ```
    /// use resp_core::client::Redirect;
    ///
    /// assert!(Redirect::parse(b"ASK 1 [::1").is_none());
    /// assert!(Redirect::parse(b"MOVED 1 host name:1").is_none());
    /// assert!(Redirect::parse(b"MOVED 1 h\xff:1").is_none());
    /// assert!(Redirect::parse(b"MOVED 16384 h:1").is_none());
    /// assert_eq!(Redirect::parse(b"MOVED 1 [::1]:7000").unwrap().host, "::1");
    /// assert_eq!(Redirect::parse(b"MOVED 1 :7000").unwrap().host, "");
    /// ```
    pub fn parse(error: &[u8]) -> Option<Redirect> {
        let text = std::str::from_utf8(error).ok()?;
        let mut parts = text.split(' ');
        let kind = match parts.next()? {
            "MOVED" => RedirectKind::Moved,
            "ASK" => RedirectKind::Ask,
            _ => return None,
        };
        let slot = parts.next()?;
        if slot.is_empty() || !slot.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let slot: u16 = slot.parse().ok().filter(|s| *s < 16384)?;
        let endpoint = parts.next()?;
        if parts.next().is_some() {
            return None;
        }
        let (host, port) = endpoint.rsplit_once(':')?;
        if port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let port = port.parse().ok().filter(|p| *p > 0)?;
        let host = valid_host(host)?.to_owned();
        Some(Redirect {
            kind,
            slot,
            host,
            port,
        })
    }
}

/// The host of an endpoint, brackets removed, if it is well formed.
pub(crate) fn valid_host(host: &str) -> Option<&str> {
    if let Some(inner) = host.strip_prefix('[') {
        let inner = inner.strip_suffix(']')?;
        return inner.parse::<std::net::Ipv6Addr>().is_ok().then_some(inner);
    }
    if host.contains(':') {
        return host.parse::<std::net::Ipv6Addr>().is_ok().then_some(host);
    }
    // A host name (letters, digits, dots, hyphens, underscores) or an IPv4
    // address; empty means the replying node's own host.
    let name_like = host
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    (name_like && host.len() <= 253).then_some(host)
}
