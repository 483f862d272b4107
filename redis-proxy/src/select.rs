//! Selector building blocks: Redis-style glob patterns (`key_glob`) and
//! client address matches (`client`).

use std::fmt;
use std::net::{IpAddr, SocketAddr};

/// One element of a parsed glob pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    /// A byte that must match exactly.
    Byte(u8),
    /// `?`: any one byte.
    Any,
    /// `*`: any run of bytes, possibly empty.
    Star,
    /// `[...]`: one byte in (or, negated, not in) the ranges.
    Set {
        negated: bool,
        ranges: Vec<(u8, u8)>,
    },
}

/// A glob pattern with the syntax of Redis's `KEYS` and `SCAN MATCH`:
/// `*`, `?`, `[abc]`, `[^a-z]`, and `\` to escape the next byte.
///
/// ```
/// use redis_proxy::Glob;
///
/// let g = Glob::new(b"user:*:name");
/// assert!(g.matches(b"user:42:name"));
/// assert!(!g.matches(b"user:42:mail"));
/// assert!(Glob::new(b"h[^e]llo").matches(b"hallo"));
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Glob {
    source: Vec<u8>,
    tokens: Vec<Token>,
}

impl fmt::Debug for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Glob({:?})", String::from_utf8_lossy(&self.source))
    }
}

impl Glob {
    /// Parses `pattern`. Every byte string is a pattern: an unclosed `[`
    /// runs to the end, a trailing `\` is a literal backslash, as in
    /// Redis.
    pub fn new(pattern: &[u8]) -> Glob {
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < pattern.len() {
            match pattern[i] {
                b'*' => {
                    if tokens.last() != Some(&Token::Star) {
                        tokens.push(Token::Star);
                    }
                }
                b'?' => tokens.push(Token::Any),
                b'\\' if i + 1 < pattern.len() => {
                    i += 1;
                    tokens.push(Token::Byte(pattern[i]));
                }
                b'[' => {
                    i += 1;
                    let negated = pattern.get(i) == Some(&b'^');
                    if negated {
                        i += 1;
                    }
                    let mut ranges = Vec::new();
                    while i < pattern.len() && pattern[i] != b']' {
                        if pattern[i] == b'\\' && i + 1 < pattern.len() {
                            i += 1;
                            ranges.push((pattern[i], pattern[i]));
                        } else if i + 2 < pattern.len() && pattern[i + 1] == b'-' {
                            let (a, b) = (pattern[i], pattern[i + 2]);
                            ranges.push((a.min(b), a.max(b)));
                            i += 2;
                        } else {
                            ranges.push((pattern[i], pattern[i]));
                        }
                        i += 1;
                    }
                    tokens.push(Token::Set { negated, ranges });
                }
                b => tokens.push(Token::Byte(b)),
            }
            i += 1;
        }
        Glob {
            source: pattern.to_vec(),
            tokens,
        }
    }

    /// The pattern as given.
    pub fn as_bytes(&self) -> &[u8] {
        &self.source
    }

    /// Whether `text` matches the whole pattern.
    ///
    /// Linear in `text` times the pattern: a `*` backtracks to its last
    /// position only, which is exact for globs (no nested groups).
    pub fn matches(&self, text: &[u8]) -> bool {
        let (mut t, mut p) = (0, 0);
        // After the last `*`: the pattern index past it and the text index
        // it has swallowed up to.
        let mut star: Option<(usize, usize)> = None;
        while t < text.len() {
            match self.tokens.get(p) {
                Some(Token::Star) => {
                    star = Some((p + 1, t));
                    p += 1;
                    continue;
                }
                Some(token) if one(token, text[t]) => {
                    p += 1;
                    t += 1;
                    continue;
                }
                _ => {}
            }
            match star {
                Some((after, swallowed)) => {
                    star = Some((after, swallowed + 1));
                    p = after;
                    t = swallowed + 1;
                }
                None => return false,
            }
        }
        self.tokens[p..].iter().all(|token| *token == Token::Star)
    }
}

/// Whether the single-byte `token` matches `byte`.
fn one(token: &Token, byte: u8) -> bool {
    match token {
        Token::Byte(b) => *b == byte,
        Token::Any => true,
        Token::Star => false,
        Token::Set { negated, ranges } => {
            ranges.iter().any(|&(lo, hi)| (lo..=hi).contains(&byte)) != *negated
        }
    }
}

/// Which clients a rule applies to: an address (`127.0.0.1`), an address
/// and port (`127.0.0.1:50000`, `[::1]:50000`) or a network
/// (`127.0.0.0/8`, `::1/128`).
///
/// ```
/// use redis_proxy::ClientMatch;
///
/// let net: ClientMatch = "127.0.0.0/8".parse().unwrap();
/// assert!(net.matches("127.0.0.2:4000".parse().unwrap()));
/// assert!(!net.matches("10.0.0.1:4000".parse().unwrap()));
/// assert!("300.1.1.1".parse::<ClientMatch>().is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientMatch {
    /// Exactly this address and port.
    Socket(SocketAddr),
    /// Addresses whose first `prefix` bits are those of `net`.
    Network {
        /// The network address.
        net: IpAddr,
        /// The prefix length in bits.
        prefix: u8,
    },
}

impl ClientMatch {
    /// Whether a client connecting from `peer` is selected.
    pub fn matches(&self, peer: SocketAddr) -> bool {
        match *self {
            ClientMatch::Socket(addr) => {
                canonical(addr.ip()) == canonical(peer.ip()) && addr.port() == peer.port()
            }
            ClientMatch::Network { net, prefix } => match (canonical(net), canonical(peer.ip())) {
                (IpAddr::V4(n), IpAddr::V4(p)) => same_prefix(&n.octets(), &p.octets(), prefix),
                (IpAddr::V6(n), IpAddr::V6(p)) => same_prefix(&n.octets(), &p.octets(), prefix),
                _ => false,
            },
        }
    }
}

/// IPv4-mapped IPv6 addresses compare as IPv4.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    }
}

fn same_prefix(a: &[u8], b: &[u8], prefix: u8) -> bool {
    let mut bits = usize::from(prefix);
    for (x, y) in a.iter().zip(b) {
        if bits == 0 {
            return true;
        }
        let take = bits.min(8);
        let mask = 0xffu8 << (8 - take);
        if x & mask != y & mask {
            return false;
        }
        bits -= take;
    }
    true
}

impl std::str::FromStr for ClientMatch {
    type Err = String;

    fn from_str(s: &str) -> Result<ClientMatch, String> {
        if let Some((net, prefix)) = s.split_once('/') {
            let net: IpAddr = net
                .parse()
                .map_err(|_| format!("{net:?} is not an IP address"))?;
            let max = if net.is_ipv4() { 32 } else { 128 };
            let prefix = prefix
                .parse::<u8>()
                .ok()
                .filter(|p| *p <= max)
                .ok_or_else(|| format!("{prefix:?} is not a prefix length (0 to {max})"))?;
            return Ok(ClientMatch::Network { net, prefix });
        }
        if let Ok(addr) = s.parse::<SocketAddr>() {
            return Ok(ClientMatch::Socket(addr));
        }
        match s.parse::<IpAddr>() {
            Ok(ip) => Ok(ClientMatch::Network {
                net: ip,
                prefix: if ip.is_ipv4() { 32 } else { 128 },
            }),
            Err(_) => Err(format!(
                "{s:?} is not an address, address:port or address/prefix"
            )),
        }
    }
}

impl fmt::Display for ClientMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClientMatch::Socket(addr) => write!(f, "{addr}"),
            ClientMatch::Network { net, prefix } => write!(f, "{net}/{prefix}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Redis's own `stringmatchlen` cases (util.c tests) and a few more.
    #[test]
    fn globs_match_as_redis_does() {
        let cases: &[(&[u8], &[u8], bool)] = &[
            (b"*", b"", true),
            (b"*", b"anything", true),
            (b"a*", b"abc", true),
            (b"a*c", b"abbbc", true),
            (b"a*c", b"abbbd", false),
            (b"*b*", b"abc", true),
            (b"a?c", b"abc", true),
            (b"a?c", b"ac", false),
            (b"[abc]x", b"bx", true),
            (b"[^abc]x", b"bx", false),
            (b"[a-c]", b"b", true),
            (b"[c-a]", b"b", true),
            (b"[a-c]", b"d", false),
            (b"\\*", b"*", true),
            (b"\\*", b"a", false),
            (b"a\\", b"a\\", true),
            (b"[\\]]", b"]", true),
            (
                b"*a*a*a*a*a*a*b",
                b"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
                false,
            ),
            (b"user:*:name", b"user::name", true),
            (b"k[", b"k", false),
            (b"", b"", true),
            (b"", b"a", false),
        ];
        for &(pattern, text, want) in cases {
            assert_eq!(
                Glob::new(pattern).matches(text),
                want,
                "{:?} on {:?}",
                String::from_utf8_lossy(pattern),
                String::from_utf8_lossy(text)
            );
        }
    }

    #[test]
    fn client_matches() {
        let peer: SocketAddr = "127.0.0.1:5000".parse().unwrap();
        let m = |s: &str| s.parse::<ClientMatch>().unwrap().matches(peer);
        assert!(m("127.0.0.1"));
        assert!(m("127.0.0.1:5000"));
        assert!(!m("127.0.0.1:5001"));
        assert!(m("127.0.0.0/8"));
        assert!(m("0.0.0.0/0"));
        assert!(!m("10.0.0.0/8"));
        assert!(!m("::1"));
        let mapped: SocketAddr = "[::ffff:127.0.0.1]:5000".parse().unwrap();
        assert!("127.0.0.1/32"
            .parse::<ClientMatch>()
            .unwrap()
            .matches(mapped));
        assert!("10.0.0.0/33".parse::<ClientMatch>().is_err());
        assert!("localhost".parse::<ClientMatch>().is_err());
    }
}
