//! Connection URLs.
//!
//! | form | meaning |
//! |---|---|
//! | `redis://[user[:password]@]host[:port][/db][?options]` | TCP, port 6379 by default |
//! | `rediss://...` | the same over TLS |
//! | `unix:///path/to/socket[?db=N&user=U&password=P]` | a Unix socket |
//! | `redis+unix:///path/to/socket[?...]` | the same |
//! | `redis+sentinel://[user[:password]@]host1[:port1],host2[:port2]/name[/db][?options]` | a master found through Redis Sentinel ([`Client::open`](crate::Client::open), [`SentinelConfig::from_url`](crate::SentinelConfig::from_url)); sentinels on port 26379 by default |
//! | `rediss+sentinel://...` | the same, TLS to the data nodes |
//!
//! IPv6 hosts go in brackets: `redis://[::1]:6379`. User and password are
//! percent-decoded; a URL with a password but no user (`redis://:pw@host`)
//! authenticates the `default` user.
//!
//! Options: `protocol=2|3` (also `resp2`/`resp3`), `db=N`, `client_name=`,
//! `timeout=` and `connect_timeout=` (seconds, fractions allowed),
//! `user=` and `password=` (for socket URLs, also `pass=`); for TLS,
//! `insecure=true` (or a `#insecure` fragment), `sni=`, `ca=`, `cert=`,
//! `key=` (file paths). An unknown option, or a value an option does not
//! take, is an error naming it: `redis://h?tls=true` is refused rather than
//! connecting in plaintext.
//!
//! In `redis+sentinel://` URLs, user, password, database and the options
//! above are the data nodes' (master and replicas); the same options with
//! a `sentinel_` prefix are the sentinels' (`sentinel_user`,
//! `sentinel_password`, `sentinel_tls=true` to talk TLS to them,
//! `sentinel_ca`, `sentinel_insecure`, ...), and `sentinel_timeout` is the
//! time each sentinel gets to connect and to answer (seconds, default
//! 0.5). `replica_reads=random|round_robin` sends reads to healthy
//! replicas, `replica_fallback=false` keeps them off the master when there
//! is none (default: fall back), `recheck` sets how often the master's
//! address is asked again (seconds, default 2):
//!
//! ```
//! use redis_blocking::SentinelConfig;
//!
//! let config = SentinelConfig::from_url(
//!     "redis+sentinel://:data-pw@10.0.0.1,10.0.0.2:26380/mymaster/2?sentinel_password=sentinel-pw&sentinel_timeout=0.3",
//! )?;
//! assert_eq!(config.sentinels()[0].to_string(), "10.0.0.1:26379");
//! assert_eq!(config.master_name(), "mymaster");
//! assert_eq!(config.data_config().get_db(), 2);
//! assert!(config.sentinel_config().has_password());
//! # Ok::<(), redis_blocking::Error>(())
//! ```
//!
//! Errors name the part at fault and never repeat the password.

use std::time::Duration;

use percent_encoding::percent_decode_str;
use resp_core::client::Protocol;

use crate::config::{Addr, Config, TlsOptions};
use crate::error::{Error, Result};

impl Config {
    /// Parses a URL; see [`crate::url`] for the forms accepted.
    ///
    /// # Errors
    ///
    /// [`InvalidConfig`](crate::ErrorKind::InvalidConfig), naming the part
    /// of the URL at fault (never repeating a password).
    pub fn from_url(url: &str) -> Result<Config> {
        parse(url)
    }
}

impl std::str::FromStr for Config {
    type Err = Error;

    fn from_str(url: &str) -> Result<Config> {
        parse(url)
    }
}

pub(crate) fn parse(input: &str) -> Result<Config> {
    let url = url::Url::parse(input).map_err(|e| Error::config(format!("invalid URL: {e}")))?;
    let (mut config, tls) = match url.scheme() {
        "redis" | "rediss" => (tcp(&url)?, url.scheme() == "rediss"),
        "unix" | "redis+unix" => {
            if url.host_str().is_some_and(|h| !h.is_empty()) {
                return Err(Error::config(
                    "invalid URL: a socket URL has no host (write unix:///path, with three slashes)",
                ));
            }
            let path = percent_decode_str(url.path())
                .decode_utf8_lossy()
                .into_owned();
            if path.is_empty() || path == "/" {
                return Err(Error::config("invalid URL: the socket path is empty"));
            }
            (Config::unix(path), false)
        }
        "redis+sentinel" | "rediss+sentinel" => {
            return Err(Error::config(
                "a redis+sentinel:// URL names sentinels, not one server: use Client::open or SentinelConfig::from_url",
            ))
        }
        other => {
            return Err(Error::config(format!(
                "invalid URL scheme '{other}': expected redis, rediss, unix, redis+unix, redis+sentinel or rediss+sentinel"
            )))
        }
    };
    let user = decoded(url.username(), "user name")?;
    if !user.is_empty() {
        config = config.user(user);
    }
    if let Some(password) = url.password() {
        config = config.password(decoded(password, "password")?);
    }
    if tls {
        config = config.tls(TlsOptions {
            insecure: url.fragment() == Some("insecure"),
            ..TlsOptions::default()
        });
    }
    for (key, value) in url.query_pairs() {
        config = option(config, &key, &value)?;
    }
    Ok(config)
}

pub(crate) fn decoded(raw: &str, part: &str) -> Result<String> {
    percent_decode_str(raw)
        .decode_utf8()
        .map(|s| s.into_owned())
        .map_err(|_| {
            Error::config(format!(
                "invalid URL: the {part} is not valid UTF-8 once decoded"
            ))
        })
}

fn tcp(url: &url::Url) -> Result<Config> {
    let host = match url.host() {
        Some(url::Host::Domain(d)) if !d.is_empty() => d.to_owned(),
        Some(url::Host::Ipv4(ip)) => ip.to_string(),
        Some(url::Host::Ipv6(ip)) => ip.to_string(),
        _ => return Err(Error::config("invalid URL: the host is missing")),
    };
    let port = url.port().unwrap_or(6379);
    let mut config = Config::tcp(host, port);
    let path = url.path().trim_start_matches('/');
    if !path.is_empty() {
        let db = path.parse().map_err(|_| {
            Error::config(format!(
                "invalid URL: the database '{path}' is not a number"
            ))
        })?;
        config = config.db(db);
    }
    Ok(config)
}

/// A URL option's number of seconds (0: none).
pub(crate) fn seconds(key: &str, value: &str) -> Result<Option<Duration>> {
    let secs: f64 = value.parse().map_err(|_| {
        Error::config(format!(
            "invalid URL option {key}: '{value}' is not a number of seconds"
        ))
    })?;
    if !(secs >= 0.0 && secs.is_finite()) {
        return Err(Error::config(format!(
            "invalid URL option {key}: '{value}' is not a duration"
        )));
    }
    Ok((secs > 0.0).then(|| Duration::from_secs_f64(secs)))
}

fn tls_mut<'c>(config: &'c mut Config, key: &str) -> Result<&'c mut TlsOptions> {
    config
        .tls
        .as_mut()
        .ok_or_else(|| Error::config(format!("invalid URL option {key}: only for rediss:// URLs")))
}

pub(crate) fn option(mut config: Config, key: &str, value: &str) -> Result<Config> {
    match key {
        "protocol" | "resp" => {
            let protocol = match value {
                "2" | "resp2" | "RESP2" => Protocol::Resp2,
                "3" | "resp3" | "RESP3" => Protocol::Resp3,
                _ => {
                    return Err(Error::config(format!(
                        "invalid URL option protocol: '{value}' (expected 2 or 3)"
                    )))
                }
            };
            config = config.protocol(protocol);
        }
        "db" => {
            let db = value.parse().map_err(|_| {
                Error::config(format!("invalid URL option db: '{value}' is not a number"))
            })?;
            config = config.db(db);
        }
        "client_name" | "clientname" | "name" => config = config.client_name(value),
        "timeout" => config = config.timeout(seconds(key, value)?),
        "connect_timeout" => config = config.connect_timeout(seconds(key, value)?),
        "user" | "username" => config = config.user(value),
        "password" | "pass" => config = config.password(value),
        "insecure" => {
            let on = match value {
                "" | "true" | "1" | "yes" => true,
                "false" | "0" | "no" => false,
                _ => {
                    return Err(Error::config(format!(
                        "invalid URL option insecure: '{value}' (expected true or false)"
                    )))
                }
            };
            tls_mut(&mut config, key)?.insecure = on;
        }
        "sni" => tls_mut(&mut config, key)?.sni = Some(value.to_owned()),
        "ca" | "cacert" => tls_mut(&mut config, key)?.ca_file = Some(value.into()),
        "cert" => tls_mut(&mut config, key)?.cert_file = Some(value.into()),
        "key" => tls_mut(&mut config, key)?.key_file = Some(value.into()),
        other => {
            let hint = match other {
                "tls" | "ssl" => ": use a rediss:// URL for TLS",
                _ => "",
            };
            return Err(Error::config(format!(
                "unknown URL option '{other}'{hint} (known: protocol, db, client_name, timeout, connect_timeout, user, password, insecure, sni, ca, cert, key)"
            )));
        }
    }
    Ok(config)
}

impl Addr {
    /// Parses `host:port`, `[v6]:port` or a bare host (port 6379).
    pub fn parse(text: &str) -> Result<Addr> {
        Addr::parse_or_port(text, 6379)
    }

    /// Parses `host:port`, `[v6]:port` or a bare host (port `default`).
    pub(crate) fn parse_or_port(text: &str, default: u16) -> Result<Addr> {
        let (host, port) = match text.rsplit_once(':') {
            Some((h, p)) if !h.contains(':') || h.starts_with('[') => (h, Some(p)),
            _ => (text, None),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() {
            return Err(Error::config(format!(
                "invalid address '{text}': the host is empty"
            )));
        }
        let port = match port {
            None => default,
            Some(p) => p
                .parse()
                .map_err(|_| Error::config(format!("invalid address '{text}': bad port")))?,
        };
        Ok(Addr::Tcp {
            host: host.to_owned(),
            port,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn tcp_of(c: &Config) -> (String, u16) {
        match c.get_addr() {
            Addr::Tcp { host, port } => (host.clone(), *port),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn forms() {
        let c = parse("redis://localhost").unwrap();
        assert_eq!(tcp_of(&c), ("localhost".into(), 6379));
        let c = parse("redis://user:p%40ss@10.0.0.1:7000/3?protocol=3&client_name=app").unwrap();
        assert_eq!(tcp_of(&c), ("10.0.0.1".into(), 7000));
        assert_eq!(c.get_db(), 3);
        assert_eq!(c.get_protocol(), Protocol::Resp3);
        assert_eq!(c.handshake.get_password(), Some(&b"p@ss"[..]));
        assert_eq!(c.get_user(), Some(&b"user"[..]));
        let c = parse("redis://:secret@[::1]:6380").unwrap();
        assert_eq!(tcp_of(&c), ("::1".into(), 6380));
        assert_eq!(c.get_user(), None);
        assert_eq!(c.get_addr().to_string(), "[::1]:6380");
        let c = parse("rediss://h?sni=example.com&insecure=true").unwrap();
        let tls = c.get_tls().unwrap();
        assert!(tls.insecure);
        assert_eq!(tls.sni.as_deref(), Some("example.com"));
        assert!(
            parse("rediss://h#insecure")
                .unwrap()
                .get_tls()
                .unwrap()
                .insecure
        );
        let c = parse("unix:///tmp/redis.sock?db=2&pass=pw").unwrap();
        assert_eq!(c.get_addr(), &Addr::Unix("/tmp/redis.sock".into()));
        assert_eq!(c.get_db(), 2);
        assert!(c.has_password());
        let c = parse("redis+unix:///var/run/r.sock").unwrap();
        assert_eq!(c.get_addr(), &Addr::Unix("/var/run/r.sock".into()));
        let c = parse("redis://h?timeout=1.5&connect_timeout=0.25").unwrap();
        assert_eq!(c.get_timeout(), Some(Duration::from_millis(1500)));
        assert_eq!(c.get_connect_timeout(), Some(Duration::from_millis(250)));
    }

    #[test]
    fn errors_name_the_part_and_hide_the_password() {
        let cases = [
            ("http://h", "scheme 'http'"),
            ("redis://:hunter2@h/abc", "database 'abc'"),
            ("redis://:hunter2@h:99999", "invalid URL"),
            ("redis://:hunter2@h?protocol=4", "option protocol"),
            ("redis://:hunter2@h?db=x", "option db"),
            ("redis://:hunter2@h?timeout=soon", "option timeout"),
            ("redis://:hunter2@h?insecure=true", "only for rediss"),
            ("unix://", "socket path is empty"),
            ("unix://host/path", "no host"),
            (
                "redis://:hunter2@h?tls=true",
                "unknown URL option 'tls': use a rediss://",
            ),
            (
                "redis://:hunter2@h?db=1&color=blue",
                "unknown URL option 'color'",
            ),
            (
                "rediss://:hunter2@h?insecure=maybe",
                "option insecure: 'maybe'",
            ),
            ("redis://", "host is missing"),
            ("not a url", "invalid URL"),
        ];
        for (url, part) in cases {
            let err = parse(url).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{url}");
            let shown = format!("{err} {err:?}");
            assert!(shown.contains(part), "{url}: {shown}");
            assert!(!shown.contains("hunter2"), "{url}: {shown}");
        }
    }

    #[test]
    fn addresses() {
        assert_eq!(Addr::parse("h:1").unwrap().to_string(), "h:1");
        assert_eq!(Addr::parse("[::1]:2").unwrap().to_string(), "[::1]:2");
        assert_eq!(Addr::parse("::1").unwrap().to_string(), "[::1]:6379");
        assert!(Addr::parse(":1").is_err());
    }
}
