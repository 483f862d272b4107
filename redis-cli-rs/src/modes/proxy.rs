//! `redis-cli-rs --proxy`: the `redis-proxy` crate as a command. A mode of
//! its own, chosen by `--proxy` as the first argument, so that
//! `redis-cli`'s command line stays untouched.

use std::ffi::OsString;
use std::io::Write;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;

use redis_proxy::Proxy;

const USAGE: &str = "\
Usage: redis-cli-rs --proxy [OPTIONS]
A RESP-aware fault-injection proxy in front of a Redis server or cluster.

  --listen <addr>    Where clients connect (default: 127.0.0.1:6380). In
                     --cluster mode, the seed node's listener; the other
                     nodes get the next ports (port 0: free ports).
  --upstream <addr>  The server (default: 127.0.0.1:6379).
  --config <file>    Faults in force from the start (JSON): APISIX's
                     {\"faults\": [...]} verbatim, extended rules, and
                     Toxiproxy toxics under \"toxics\".
  --admin <addr>     Also serve the admin listener (RESP; drive it with
                     redis-cli): FAULT ADD <json> | FAULT DEL <name> |
                     FAULT LIST | FAULT RESET | PAUSE | RESUME | KILL | STATS.
  --cluster          Proxy every node of the upstream's cluster, rewriting
                     node addresses in CLUSTER SLOTS/SHARDS/NODES replies
                     and MOVED/ASK errors.
  --quiet            Log warnings only (default: a line per applied fault).
  --help             This help.

Example:
  redis-cli-rs --proxy --listen 127.0.0.1:9101 --upstream 127.0.0.1:6379 \\
      --config faults.json --admin 127.0.0.1:9102
";

/// Proxy mode's command line.
#[derive(Debug)]
struct ProxyOptions {
    listen: SocketAddr,
    upstream: SocketAddr,
    config: Option<PathBuf>,
    admin: Option<SocketAddr>,
    cluster: bool,
    quiet: bool,
}

/// Runs proxy mode with the arguments after `--proxy`; returns the exit
/// code (it runs until killed unless it cannot start).
pub(crate) fn run(args: impl IntoIterator<Item = OsString>) -> i32 {
    let opts = match parse(args) {
        Ok(Some(opts)) => opts,
        Ok(None) => {
            print!("{USAGE}");
            let _ = std::io::stdout().flush();
            return 0;
        }
        Err(message) => return super::fail(&format!("redis-cli-rs --proxy: {message}")),
    };
    log::set_max_level(if opts.quiet {
        log::LevelFilter::Warn
    } else {
        log::LevelFilter::Info
    });
    let _ = log::set_logger(&StderrLogger);
    let mut builder = Proxy::builder(opts.upstream)
        .listen(opts.listen)
        .cluster(opts.cluster);
    if let Some(path) = &opts.config {
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) => {
                return super::fail(&format!(
                    "redis-cli-rs --proxy: cannot read {}: {e}",
                    path.display()
                ))
            }
        };
        builder = match builder.config(&text) {
            Ok(builder) => builder,
            Err(e) => {
                return super::fail(&format!("redis-cli-rs --proxy: {}: {e}", path.display()))
            }
        };
    }
    if let Some(admin) = opts.admin {
        builder = builder.admin(admin);
    }
    let proxy = match builder.start() {
        Ok(proxy) => proxy,
        Err(e) => return super::fail(&format!("redis-cli-rs --proxy: {e}")),
    };
    for route in proxy.routes() {
        println!("proxy {} -> {}", route.listen, route.upstream);
    }
    if let Some(admin) = proxy.admin_addr() {
        println!("admin {admin}");
    }
    let _ = std::io::stdout().flush();
    loop {
        std::thread::park();
    }
}

fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Option<ProxyOptions>, String> {
    let mut opts = ProxyOptions {
        listen: SocketAddr::from(([127, 0, 0, 1], 6380)),
        upstream: SocketAddr::from(([127, 0, 0, 1], 6379)),
        config: None,
        admin: None,
        cluster: false,
        quiet: false,
    };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let arg = arg.to_string_lossy().into_owned();
        let mut value = |name: &str| {
            args.next()
                .map(|v| v.to_string_lossy().into_owned())
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match arg.as_str() {
            "--listen" => opts.listen = addr("--listen", &value("--listen")?)?,
            "--upstream" => opts.upstream = addr("--upstream", &value("--upstream")?)?,
            "--admin" => opts.admin = Some(addr("--admin", &value("--admin")?)?),
            "--config" => opts.config = Some(PathBuf::from(value("--config")?)),
            "--cluster" => opts.cluster = true,
            "--quiet" => opts.quiet = true,
            "--help" | "-h" => return Ok(None),
            other => return Err(format!("unknown option {other:?} (see --proxy --help)")),
        }
    }
    Ok(Some(opts))
}

/// `host:port`, resolved to its first address.
fn addr(option: &str, text: &str) -> Result<SocketAddr, String> {
    if let Ok(addr) = text.parse() {
        return Ok(addr);
    }
    text.to_socket_addrs()
        .ok()
        .and_then(|mut addrs| addrs.next())
        .ok_or_else(|| format!("{option}: {text:?} is not a host:port"))
}

/// Log lines on stderr: `proxy: <level> <message>`.
struct StderrLogger;

impl log::Log for StderrLogger {
    fn enabled(&self, metadata: &log::Metadata<'_>) -> bool {
        metadata.level() <= log::max_level() && metadata.target().starts_with("redis_proxy")
    }

    fn log(&self, record: &log::Record<'_>) {
        if self.enabled(record.metadata()) {
            eprintln!(
                "proxy: {} {}",
                record.level().as_str().to_ascii_lowercase(),
                record.args()
            );
        }
    }

    fn flush(&self) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Option<ProxyOptions>, String> {
        parse(args.iter().map(OsString::from))
    }

    #[test]
    fn options() {
        let o = p(&[
            "--listen",
            "127.0.0.1:9101",
            "--upstream",
            "localhost:7000",
            "--cluster",
        ])
        .unwrap()
        .unwrap();
        assert_eq!(o.listen.port(), 9101);
        assert_eq!(o.upstream.port(), 7000);
        assert!(o.cluster && !o.quiet && o.admin.is_none());
        assert!(p(&["--help"]).unwrap().is_none());
        assert_eq!(p(&["--listen"]).unwrap_err(), "--listen needs a value");
        assert_eq!(
            p(&["--upstream", "nowhere"]).unwrap_err(),
            "--upstream: \"nowhere\" is not a host:port"
        );
        assert!(p(&["--bogus"]).unwrap_err().contains("unknown option"));
    }
}
