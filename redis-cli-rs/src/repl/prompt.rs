//! The prompt, as `redis-cli` 7.0 draws it (`cliRefreshPrompt`).

use std::fmt::Write;

/// Where the shell is connected to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint<'a> {
    /// A TCP host and port.
    Tcp(&'a str, u16),
    /// A Unix socket path.
    Unix(&'a str),
}

/// The prompt: `127.0.0.1:6379> `, `redis /tmp/redis.sock> ` for a socket,
/// `[2]` after the address when database 2 is selected, `(TX)` inside
/// MULTI; `not connected> ` when there is no connection.
pub fn prompt(endpoint: &Endpoint<'_>, db: i64, in_transaction: bool, connected: bool) -> String {
    if !connected {
        return "not connected> ".to_string();
    }
    let mut p = String::new();
    match endpoint {
        Endpoint::Unix(path) => {
            let _ = write!(p, "redis {path}");
        }
        // anetFormatAddr: IPv6 addresses in brackets.
        Endpoint::Tcp(host, port) if host.contains(':') => {
            let _ = write!(p, "[{host}]:{port}");
        }
        Endpoint::Tcp(host, port) => {
            let _ = write!(p, "{host}:{port}");
        }
    }
    if db != 0 {
        let _ = write!(p, "[{db}]");
    }
    if in_transaction {
        p.push_str("(TX)");
    }
    p.push_str("> ");
    // redis-cli keeps the prompt in a 128-byte buffer.
    if p.len() > 127 {
        let mut end = 127;
        while !p.is_char_boundary(end) {
            end -= 1;
        }
        p.truncate(end);
    }
    p
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompts() {
        let tcp = Endpoint::Tcp("127.0.0.1", 6379);
        assert_eq!(prompt(&tcp, 0, false, true), "127.0.0.1:6379> ");
        assert_eq!(prompt(&tcp, 2, false, true), "127.0.0.1:6379[2]> ");
        assert_eq!(prompt(&tcp, 2, true, true), "127.0.0.1:6379[2](TX)> ");
        assert_eq!(prompt(&tcp, 0, true, true), "127.0.0.1:6379(TX)> ");
        assert_eq!(prompt(&tcp, 0, false, false), "not connected> ");
        assert_eq!(
            prompt(&Endpoint::Unix("/tmp/r.sock"), 1, false, true),
            "redis /tmp/r.sock[1]> "
        );
        assert_eq!(
            prompt(&Endpoint::Tcp("::1", 7000), 0, false, true),
            "[::1]:7000> "
        );
        let long = "x".repeat(300);
        assert_eq!(prompt(&Endpoint::Unix(&long), 0, false, true).len(), 127);
    }
}
