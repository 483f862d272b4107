//! Rendering of `redis.conf` / `sentinel.conf` files for harness servers.

use std::path::Path;
use std::time::Duration;

use crate::tls::{TlsAuthClients, TlsCerts};

/// Which executable a server runs as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// `redis-server`.
    Server,
    /// `redis-sentinel`.
    Sentinel,
}

/// An ACL user declared in the config file.
#[derive(Debug, Clone)]
pub(crate) struct AclUser {
    pub(crate) name: String,
    pub(crate) password: String,
    pub(crate) rules: String,
}

/// Everything the builder decided, kept by the server for restarts.
#[derive(Debug, Clone)]
pub(crate) struct Spec {
    pub(crate) kind: Kind,
    pub(crate) tcp: bool,
    pub(crate) unix_socket: bool,
    pub(crate) tls: Option<TlsAuthClients>,
    pub(crate) users: Vec<AclUser>,
    pub(crate) requirepass: Option<String>,
    pub(crate) admin_auth: Option<(Option<String>, String)>,
    pub(crate) cluster: bool,
    pub(crate) replica_of: Option<u16>,
    pub(crate) extra: Vec<String>,
    pub(crate) startup_timeout: Duration,
}

/// Ports and paths chosen for one start of a server.
pub(crate) struct Layout<'a> {
    pub(crate) dir: &'a Path,
    pub(crate) log: &'a Path,
    pub(crate) tcp_port: Option<u16>,
    pub(crate) tls_port: Option<u16>,
    pub(crate) unix_socket: Option<&'a Path>,
    pub(crate) tls: Option<&'a TlsCerts>,
}

/// Quotes a config value if needed (Redis splits config lines like a shell).
pub(crate) fn quote(value: &str) -> String {
    let plain = !value.is_empty()
        && value
            .chars()
            .all(|c| c.is_ascii_graphic() && !matches!(c, '"' | '\'' | '\\'));
    if plain {
        return value.to_string();
    }
    let mut out = String::from("\"");
    for c in value.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn path(p: &Path) -> String {
    quote(&p.to_string_lossy())
}

/// Renders the config file for `spec` with the given ports and paths.
pub(crate) fn render(spec: &Spec, layout: &Layout<'_>) -> String {
    let mut c = String::new();
    let mut line = |text: String| {
        c.push_str(&text);
        c.push('\n');
    };
    line("bind 127.0.0.1".into());
    line(format!("port {}", layout.tcp_port.unwrap_or(0)));
    line(format!("dir {}", path(layout.dir)));
    line(format!("logfile {}", path(layout.log)));
    line("daemonize no".into());
    line("save \"\"".into());
    line("appendonly no".into());
    line("protected-mode no".into());
    line("enable-debug-command yes".into());
    // Replicas sync at once instead of waiting 5 s for more replicas.
    line("repl-diskless-sync-delay 0".into());
    // Don't let SIGTERM wait up to 10 s for lagging replicas.
    line("shutdown-timeout 0".into());
    if let Some(sock) = layout.unix_socket {
        line(format!("unixsocket {}", path(sock)));
        line("unixsocketperm 700".into());
    }
    if let (Some(port), Some(certs), Some(auth)) = (layout.tls_port, layout.tls, spec.tls) {
        line(format!("tls-port {port}"));
        line(format!("tls-cert-file {}", path(certs.server_cert())));
        line(format!("tls-key-file {}", path(certs.server_key())));
        line(format!("tls-ca-cert-file {}", path(certs.ca_cert())));
        line(format!("tls-auth-clients {}", auth.config_value()));
    }
    if let Some(pass) = &spec.requirepass {
        line(format!("requirepass {}", quote(pass)));
    }
    for user in &spec.users {
        line(format!(
            "user {} reset on {} {}",
            quote(&user.name),
            quote(&format!(">{}", user.password)),
            user.rules
        ));
    }
    if spec.cluster {
        line("cluster-enabled yes".into());
        line("cluster-config-file nodes.conf".into());
    }
    if let Some(port) = spec.replica_of {
        line(format!("replicaof 127.0.0.1 {port}"));
    }
    for extra in &spec.extra {
        line(extra.clone());
    }
    line("# written by the integration-tests harness".into());
    c
}

#[cfg(test)]
mod tests {
    use super::quote;

    #[test]
    fn quotes_only_when_needed() {
        assert_eq!(quote("/tmp/x"), "/tmp/x");
        assert_eq!(quote(""), "\"\"");
        assert_eq!(quote("a b\"c"), "\"a b\\\"c\"");
    }
}
