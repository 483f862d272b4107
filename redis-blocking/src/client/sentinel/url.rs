//! `redis+sentinel://` URLs.
//!
//! `redis+sentinel://[user[:password]@]host1[:port1],host2[:port2]/name[/db][?options]`:
//! the sentinels (port 26379 by default), the master's name, the database.
//! `rediss+sentinel://` uses TLS to the data nodes. User and password are
//! the data nodes'. Options are those of `redis://` URLs for the data
//! nodes, and the same with a `sentinel_` prefix for the sentinels
//! (`sentinel_user`, `sentinel_password`, `sentinel_tls=true`,
//! `sentinel_ca`, `sentinel_insecure`, ..., and `sentinel_timeout`, the
//! time each sentinel gets, in seconds), plus `replica_reads=random` or
//! `round_robin`, `replica_fallback=true|false` (default true) and
//! `recheck` (seconds).

use crate::config::{Addr, TlsOptions};
use crate::error::{Error, Result};
use crate::url::{decoded, option, seconds};

use super::config::{ReplicaSelect, SentinelConfig, DEFAULT_SENTINEL_PORT};

/// Options that only make sense with TLS on.
const TLS_OPTIONS: &[&str] = &["insecure", "sni", "ca", "cacert", "cert", "key"];

pub(crate) fn parse(input: &str) -> Result<SentinelConfig> {
    let (scheme, rest) = input
        .split_once("://")
        .ok_or_else(|| Error::config("invalid URL: no scheme"))?;
    let data_tls = match scheme {
        "redis+sentinel" => false,
        "rediss+sentinel" => true,
        other => {
            return Err(Error::config(format!(
                "invalid URL scheme '{other}': expected redis+sentinel or rediss+sentinel"
            )))
        }
    };
    let (rest, fragment) = match rest.split_once('#') {
        Some((rest, fragment)) => (rest, Some(fragment)),
        None => (rest, None),
    };
    let (rest, query) = match rest.split_once('?') {
        Some((rest, query)) => (rest, query),
        None => (rest, ""),
    };
    let (authority, path) = match rest.split_once('/') {
        Some((authority, path)) => (authority, path),
        None => (rest, ""),
    };
    let (userinfo, hosts) = match authority.rsplit_once('@') {
        Some((userinfo, hosts)) => (Some(userinfo), hosts),
        None => (None, authority),
    };
    let mut sentinels = Vec::new();
    for host in hosts.split(',') {
        if host.is_empty() {
            return Err(Error::config(
                "invalid URL: a sentinel's host is missing (hosts are separated by commas)",
            ));
        }
        let addr = Addr::parse_or_port(host, DEFAULT_SENTINEL_PORT)
            .map_err(|e| Error::config(format!("invalid URL: sentinel {e}")))?;
        if matches!(addr, Addr::Tcp { port: 0, .. }) {
            return Err(Error::config(format!(
                "invalid URL: sentinel '{host}' has port 0"
            )));
        }
        sentinels.push(addr);
    }
    let mut parts = path.split('/');
    let name = decoded(parts.next().unwrap_or(""), "master name")?;
    if name.is_empty() {
        return Err(Error::config(
            "invalid URL: the master name is missing (redis+sentinel://host:26379/mymaster)",
        ));
    }
    let db = match (parts.next(), parts.next()) {
        (None | Some(""), None) => None,
        (Some(db), None) => Some(db.parse::<i64>().map_err(|_| {
            Error::config(format!("invalid URL: the database '{db}' is not a number"))
        })?),
        _ => return Err(Error::config("invalid URL: the path is /name or /name/db")),
    };
    let mut config = SentinelConfig::new(name, sentinels);
    if let Some(userinfo) = userinfo {
        let (user, password) = match userinfo.split_once(':') {
            Some((user, password)) => (user, Some(password)),
            None => (userinfo, None),
        };
        let user = decoded(user, "user name")?;
        let password = password.map(|p| decoded(p, "password")).transpose()?;
        config = config.data(|c| {
            let c = if user.is_empty() { c } else { c.user(user) };
            match password {
                Some(password) => c.password(password),
                None => c,
            }
        });
    }
    if let Some(db) = db {
        config = config.data(|c| c.db(db));
    }
    if data_tls {
        config.data = config.data.tls(TlsOptions {
            insecure: fragment == Some("insecure"),
            ..TlsOptions::default()
        });
    }
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    // TLS to the sentinels first, so that its options may come in any order.
    for (key, value) in &pairs {
        if key == "sentinel_tls" && flag(key, value)? {
            config.sentinel = config.sentinel.tls(TlsOptions::default());
        }
    }
    for (key, value) in &pairs {
        config = apply(config, key, value)?;
    }
    config.validate()?;
    Ok(config)
}

fn flag(key: &str, value: &str) -> Result<bool> {
    match value {
        "" | "true" | "1" | "yes" => Ok(true),
        "false" | "0" | "no" => Ok(false),
        _ => Err(Error::config(format!(
            "invalid URL option {key}: '{value}' (expected true or false)"
        ))),
    }
}

fn apply(mut config: SentinelConfig, key: &str, value: &str) -> Result<SentinelConfig> {
    match key {
        "sentinel_tls" => {}
        "sentinel_timeout" => {
            let timeout = seconds(key, value)?.ok_or_else(|| {
                Error::config("invalid URL option sentinel_timeout: must be more than 0")
            })?;
            config = config.sentinel_timeout(timeout);
        }
        "sentinel_db" => {
            return Err(Error::config(
                "invalid URL option sentinel_db: sentinels have no databases",
            ))
        }
        "replica_reads" => {
            let select = match value {
                "random" => ReplicaSelect::Random,
                "round_robin" | "round-robin" | "roundrobin" => ReplicaSelect::RoundRobin,
                _ => {
                    return Err(Error::config(format!(
                    "invalid URL option replica_reads: '{value}' (expected random or round_robin)"
                )))
                }
            };
            let fallback = config.replicas.is_none_or(|(_, f)| f);
            config.replicas = Some((select, fallback));
        }
        "replica_fallback" => {
            let on = flag(key, value)?;
            let Some((select, _)) = config.replicas else {
                return Err(Error::config(
                    "invalid URL option replica_fallback: only with replica_reads (put it after)",
                ));
            };
            config.replicas = Some((select, on));
        }
        "recheck" => {
            let interval = seconds(key, value)?
                .ok_or_else(|| Error::config("invalid URL option recheck: must be more than 0"))?;
            config = config.recheck_interval(interval);
        }
        _ => match key.strip_prefix("sentinel_") {
            Some(inner) => {
                if TLS_OPTIONS.contains(&inner) && config.sentinel.tls.is_none() {
                    return Err(Error::config(format!(
                        "invalid URL option {key}: only with sentinel_tls=true"
                    )));
                }
                config.sentinel = option(config.sentinel, inner, value)
                    .map_err(|e| Error::config(e.to_string().replacen(inner, key, 1)))?;
            }
            None => config.data = option(config.data, key, value)?,
        },
    }
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use resp_core::client::Protocol;
    use std::time::Duration;

    #[test]
    fn forms() {
        let c = parse("redis+sentinel://10.0.0.1,10.0.0.2:26380,[::1]:5000/mymaster").unwrap();
        let shown: Vec<String> = c.sentinels().iter().map(|a| a.to_string()).collect();
        assert_eq!(shown, ["10.0.0.1:26379", "10.0.0.2:26380", "[::1]:5000"]);
        assert_eq!(c.master_name(), "mymaster");
        assert_eq!(c.data_config().get_db(), 0);
        assert!(c.data_config().get_tls().is_none());
        assert!(c.get_replica_reads().is_none());

        let c = parse(
            "rediss+sentinel://app:p%40ss@h1:1,h2:2/my%20master/3?protocol=3&sentinel_password=spw&sentinel_user=sentinel-user&sentinel_timeout=0.25&replica_reads=round_robin&replica_fallback=false&recheck=1.5&client_name=web#insecure",
        )
        .unwrap();
        assert_eq!(c.master_name(), "my master");
        let data = c.data_config();
        assert_eq!(data.get_db(), 3);
        assert_eq!(data.get_user(), Some(&b"app"[..]));
        assert_eq!(data.handshake.get_password(), Some(&b"p@ss"[..]));
        assert_eq!(data.get_protocol(), Protocol::Resp3);
        assert!(data.get_tls().unwrap().insecure);
        let sentinel = c.sentinel_config();
        assert_eq!(sentinel.handshake.get_password(), Some(&b"spw"[..]));
        assert_eq!(sentinel.get_user(), Some(&b"sentinel-user"[..]));
        assert_eq!(sentinel.get_timeout(), Some(Duration::from_millis(250)));
        assert_eq!(
            sentinel.get_connect_timeout(),
            Some(Duration::from_millis(250))
        );
        assert!(sentinel.get_tls().is_none());
        assert_eq!(
            c.get_replica_reads(),
            Some((ReplicaSelect::RoundRobin, false))
        );
        assert_eq!(c.get_recheck_interval(), Duration::from_millis(1500));

        // TLS to the sentinels only, options in any order.
        let c = parse(
            "redis+sentinel://h/m?sentinel_ca=/tmp/ca.pem&sentinel_tls=true&sentinel_sni=s.example",
        )
        .unwrap();
        let tls = c.sentinel_config().get_tls().unwrap();
        assert_eq!(
            tls.ca_file.as_deref(),
            Some(std::path::Path::new("/tmp/ca.pem"))
        );
        assert_eq!(tls.sni.as_deref(), Some("s.example"));
        assert!(c.data_config().get_tls().is_none());
        // A password without a user, as in redis:// URLs.
        let c = parse("redis+sentinel://:pw@h/m/").unwrap();
        assert!(c.data_config().has_password());
        assert_eq!(c.data_config().get_user(), None);
        assert!(!c.sentinel_config().has_password());
    }

    #[test]
    fn errors_name_the_part_and_hide_passwords() {
        let cases = [
            ("redis+sentinel://:hunter2@h", "master name is missing"),
            ("redis+sentinel://:hunter2@h/", "master name is missing"),
            ("redis+sentinel://:hunter2@/m", "host is missing"),
            ("redis+sentinel://:hunter2@h,,h2/m", "host is missing"),
            ("redis+sentinel://:hunter2@h:x/m", "bad port"),
            ("redis+sentinel://:hunter2@h:0/m", "port 0"),
            ("redis+sentinel://:hunter2@h/m/x", "database 'x'"),
            ("redis+sentinel://:hunter2@h/m/1/2", "/name or /name/db"),
            (
                "redis+sentinel://h/m?sentinel_password=hunter2&sentinel_ca=x",
                "only with sentinel_tls",
            ),
            (
                "redis+sentinel://h/m?sentinel_protocol=9&password=hunter2",
                "option sentinel_protocol",
            ),
            ("redis+sentinel://h/m?sentinel_db=1", "no databases"),
            (
                "redis+sentinel://h/m?replica_reads=nearest",
                "option replica_reads",
            ),
            (
                "redis+sentinel://h/m?replica_fallback=true",
                "only with replica_reads",
            ),
            ("redis+sentinel://h/m?sentinel_timeout=0", "more than 0"),
            ("redis+sentinel://h/m?recheck=soon", "option recheck"),
            (
                "redis+sentinel://h/m?sentinel_tls=maybe",
                "option sentinel_tls",
            ),
            (
                "redis+sentinel://:hunter2@h/m?color=blue",
                "unknown URL option 'color'",
            ),
            (
                "redis+sentinel://h/m?sentinel_color=blue",
                "unknown URL option 'sentinel_color'",
            ),
            ("redis://h/m", "expected redis+sentinel"),
            ("h/m", "no scheme"),
        ];
        for (url, part) in cases {
            let err = parse(url).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{url}");
            let shown = format!("{err} {err:?}");
            assert!(shown.contains(part), "{url}: {shown}");
            assert!(!shown.contains("hunter2"), "{url}: {shown}");
        }
        let err = crate::Config::from_url("redis+sentinel://h/m").unwrap_err();
        assert!(
            err.to_string().contains("SentinelConfig::from_url"),
            "{err}"
        );
    }
}
