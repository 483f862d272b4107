//! [`RedisServer`]: one real `redis-server` (or `redis-sentinel`) process in
//! its own temp directory, stopped and cleaned up on drop.

use std::fs::{self, OpenOptions};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Mutex, MutexGuard};
use std::thread;
use std::time::Duration;

use tempfile::TempDir;

use crate::builder::RedisServerBuilder;
use crate::config::{self, Kind, Layout, Spec};
use crate::conn::{Connection, DEFAULT_IO_TIMEOUT};
use crate::error::{HarnessError, Result};
use crate::ports::{allocate_cluster_port, allocate_port, PortLease};
use crate::process::{self, file_tail, ChildGuard};
use crate::resp::Reply;
use crate::tls::TlsCerts;
use crate::wait::{wait_for, Check};

/// The address every harness server binds to.
pub const HOST: &str = "127.0.0.1";

/// How many fresh ports a start tries when Redis reports "Address already in use".
const MAX_PORT_ATTEMPTS: usize = 8;

/// Timeout for one readiness probe.
const PROBE_TIMEOUT: Duration = Duration::from_secs(1);

/// How long [`RedisServer::stop`] waits after SIGTERM before SIGKILL.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// Lines of log shown in start errors.
const LOG_TAIL_LINES: usize = 25;

/// The executable for `kind`; `REDIS_SERVER_BIN` / `REDIS_SENTINEL_BIN` override it.
fn program(kind: Kind) -> String {
    let (var, default) = match kind {
        Kind::Server => ("REDIS_SERVER_BIN", "redis-server"),
        Kind::Sentinel => ("REDIS_SENTINEL_BIN", "redis-sentinel"),
    };
    std::env::var(var).unwrap_or_else(|_| default.to_string())
}

#[derive(Debug, Default)]
struct State {
    child: Option<ChildGuard>,
    paused: bool,
}

/// A running `redis-server` (or `redis-sentinel`) process bound to 127.0.0.1.
///
/// Each server has its own temp directory holding its config file, log file,
/// Unix socket, TLS material and data. Dropping the server SIGKILLs the
/// process (even while a test unwinds from a panic) and removes the directory.
///
/// Control methods take `&self`, so a server can be killed, paused or
/// restarted while borrowed from a [`crate::RedisCluster`] or [`crate::Sentinels`].
#[derive(Debug)]
pub struct RedisServer {
    state: Mutex<State>,
    spec: Spec,
    tcp_lease: Option<PortLease>,
    tls_lease: Option<PortLease>,
    tls: Option<TlsCerts>,
    config_path: PathBuf,
    log_path: PathBuf,
    stdio_path: PathBuf,
    unix_path: Option<PathBuf>,
    // Last, so that the directory outlives everything that uses it.
    dir: TempDir,
}

impl RedisServer {
    /// A builder for a server with non-default settings.
    pub fn builder() -> RedisServerBuilder {
        RedisServerBuilder::default()
    }

    /// Starts a plain server on a free TCP port and waits until it answers PING.
    pub fn start() -> Result<RedisServer> {
        Self::builder().start()
    }

    pub(crate) fn start_with(spec: Spec) -> Result<RedisServer> {
        let dir = tempfile::Builder::new()
            .prefix("redis-test-")
            .tempdir()
            .map_err(|e| HarnessError::from(e).context("creating a temp dir"))?;
        let tls = match spec.tls {
            Some(_) => Some(TlsCerts::generate(dir.path())?),
            None => None,
        };
        let (config_name, log_name) = match spec.kind {
            Kind::Server => ("redis.conf", "redis.log"),
            Kind::Sentinel => ("sentinel.conf", "sentinel.log"),
        };
        let server = RedisServer {
            state: Mutex::new(State::default()),
            config_path: dir.path().join(config_name),
            log_path: dir.path().join(log_name),
            stdio_path: dir.path().join("stdout.log"),
            unix_path: spec.unix_socket.then(|| dir.path().join("redis.sock")),
            tcp_lease: None,
            tls_lease: None,
            tls,
            spec,
            dir,
        };
        server.launch_on_fresh_ports()
    }

    /// Picks ports, writes the config and starts the process, moving to new
    /// ports when the chosen ones turn out to be taken.
    fn launch_on_fresh_ports(mut self) -> Result<RedisServer> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            self.tcp_lease = match (self.spec.tcp, self.spec.cluster) {
                (false, _) => None,
                (true, false) => Some(allocate_port()?),
                (true, true) => Some(allocate_cluster_port()?),
            };
            self.tls_lease = match self.spec.tls {
                Some(_) => Some(allocate_port()?),
                None => None,
            };
            self.write_config()?;
            match self.launch() {
                Err(e) if e.is_addr_in_use() && attempt < MAX_PORT_ATTEMPTS => continue,
                Err(e) => return Err(e),
                Ok(()) => return Ok(self),
            }
        }
    }

    fn write_config(&self) -> Result<()> {
        let layout = Layout {
            dir: self.dir.path(),
            log: &self.log_path,
            tcp_port: self.tcp_port(),
            tls_port: self.tls_port(),
            unix_socket: self.unix_path.as_deref(),
            tls: self.tls.as_ref(),
        };
        fs::write(&self.config_path, config::render(&self.spec, &layout)).map_err(|e| {
            HarnessError::from(e).context(format!("writing {}", self.config_path.display()))
        })
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn name(&self) -> String {
        let what = match self.spec.kind {
            Kind::Server => "redis-server",
            Kind::Sentinel => "redis-sentinel",
        };
        match (self.tcp_port(), self.tls_port()) {
            (Some(port), _) => format!("{what} on port {port}"),
            (None, Some(port)) => format!("{what} on TLS port {port}"),
            (None, None) => format!("{what} in {}", self.dir.path().display()),
        }
    }

    /// Starts the process with the current config and waits until it answers PING.
    fn launch(&self) -> Result<()> {
        let mut state = self.state();
        if let Some(mut old) = state.child.take() {
            old.kill();
        }
        let log_offset = fs::metadata(&self.log_path).map_or(0, |m| m.len());
        let stdio = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.stdio_path)?;
        let mut command = Command::new(program(self.spec.kind));
        command
            .arg(&self.config_path)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .stdout(stdio.try_clone()?)
            .stderr(stdio);
        let mut child = process::spawn(command).map_err(|e| {
            HarnessError::from(e).context(format!("spawning {}", program(self.spec.kind)))
        })?;
        let ready = wait_for(
            &format!("{} to answer PING", self.name()),
            self.spec.startup_timeout,
            || {
                if let Some(status) = child.try_exit_status() {
                    let addr_in_use = self
                        .log_since(log_offset)
                        .contains("Address already in use");
                    return Err(HarnessError::new(format!("process exited with {status}"))
                        .with_addr_in_use(addr_in_use));
                }
                self.probe()
            },
        );
        match ready {
            Ok(()) => {
                state.child = Some(child);
                state.paused = false;
                Ok(())
            }
            Err(e) => {
                child.kill();
                Err(self.start_error(e))
            }
        }
    }

    fn log_since(&self, offset: u64) -> String {
        let bytes = fs::read(&self.log_path).unwrap_or_default();
        let start = usize::try_from(offset).unwrap_or(0).min(bytes.len());
        String::from_utf8_lossy(&bytes[start..]).into_owned()
    }

    fn start_error(&self, cause: HarnessError) -> HarnessError {
        let addr_in_use = cause.is_addr_in_use();
        HarnessError::new(format!(
            "{} ({} {}) failed to start: {cause}\n--- last lines of {} ---\n{}\n--- {} ---\n{}",
            self.name(),
            program(self.spec.kind),
            self.config_path.display(),
            self.log_path.display(),
            file_tail(&self.log_path, LOG_TAIL_LINES),
            self.stdio_path.display(),
            file_tail(&self.stdio_path, LOG_TAIL_LINES),
        ))
        .with_addr_in_use(addr_in_use)
    }

    /// One readiness check: connect, authenticate, PING.
    fn probe(&self) -> Result<Check<()>> {
        let mut conn = match self.raw_connection(PROBE_TIMEOUT) {
            Ok(conn) => conn,
            Err(e) => return Ok(Check::NotYet(e.to_string())),
        };
        if let Some((user, password)) = &self.spec.admin_auth {
            let mut args = vec!["AUTH"];
            args.extend(user.as_deref());
            args.push(password);
            match conn.command(&args) {
                Ok(Reply::Error(e)) if e.starts_with("LOADING") => return Ok(Check::NotYet(e)),
                Ok(Reply::Error(e)) => {
                    return Err(HarnessError::new(format!("harness AUTH rejected: {e}")))
                }
                Ok(_) => {}
                Err(e) => return Ok(Check::NotYet(e.to_string())),
            }
        }
        Ok(match conn.command(&["PING"]) {
            Ok(Reply::Status(s)) if s == "PONG" => Check::Done(()),
            Ok(other) => Check::NotYet(format!("PING returned {other}")),
            Err(e) => Check::NotYet(e.to_string()),
        })
    }

    fn raw_connection(&self, timeout: Duration) -> Result<Connection> {
        match (&self.unix_path, self.tcp_port()) {
            (Some(path), _) => Connection::connect_unix(path, timeout),
            (None, Some(port)) => {
                Connection::connect_tcp(SocketAddr::from((Ipv4Addr::LOCALHOST, port)), timeout)
            }
            (None, None) => Err(HarnessError::new("server has no control channel")),
        }
    }

    /// Opens an authenticated plain-text connection for the harness's own use:
    /// over the Unix socket if there is one, else over TCP.
    pub fn connect(&self) -> Result<Connection> {
        self.connect_with_timeout(DEFAULT_IO_TIMEOUT)
    }

    /// Like [`Self::connect`], with `timeout` for connecting and for each read and write.
    pub fn connect_with_timeout(&self, timeout: Duration) -> Result<Connection> {
        let mut conn = self
            .raw_connection(timeout)
            .map_err(|e| e.context(self.name()))?;
        if let Some((user, password)) = &self.spec.admin_auth {
            conn.auth(user.as_deref(), password)?;
        }
        Ok(conn)
    }

    /// Sends one command on a fresh control connection and returns the reply
    /// (error replies are `Ok(Reply::Error(..))`).
    pub fn try_query<A: AsRef<[u8]>>(&self, args: &[A]) -> Result<Reply> {
        self.connect()?.command(args)
    }

    /// Like [`Self::try_query`], panicking if the server cannot be reached.
    ///
    /// # Panics
    /// If connecting, authenticating or reading the reply fails.
    pub fn query<A: AsRef<[u8]>>(&self, args: &[A]) -> Reply {
        self.try_query(args)
            .unwrap_or_else(|e| panic!("{}: {e}", self.name()))
    }

    /// Sends one command and returns the reply's raw RESP bytes as text, e.g.
    /// `"+OK\r\n"` — handy for seeding data in tests.
    ///
    /// # Panics
    /// If connecting, authenticating or reading the reply fails.
    pub fn run<A: AsRef<[u8]>>(&self, args: &[A]) -> String {
        let raw = self
            .connect()
            .and_then(|mut conn| conn.command_with_raw(args))
            .map(|(_, raw)| raw)
            .unwrap_or_else(|e| panic!("{}: {e}", self.name()));
        String::from_utf8_lossy(&raw).into_owned()
    }

    /// The host every server binds to: `"127.0.0.1"`.
    pub fn host(&self) -> &'static str {
        HOST
    }

    /// The plain TCP port, if the server has one.
    pub fn tcp_port(&self) -> Option<u16> {
        self.tcp_lease.as_ref().map(PortLease::port)
    }

    /// The plain TCP port.
    ///
    /// # Panics
    /// If the server has no plain TCP port (Unix-socket-only or TLS-only).
    pub fn port(&self) -> u16 {
        self.tcp_port()
            .unwrap_or_else(|| panic!("{} has no plain TCP port", self.name()))
    }

    /// The TLS port, if TLS is enabled.
    pub fn tls_port(&self) -> Option<u16> {
        self.tls_lease.as_ref().map(PortLease::port)
    }

    /// `127.0.0.1:<port>` for the plain TCP port.
    ///
    /// # Panics
    /// If the server has no plain TCP port.
    pub fn addr(&self) -> SocketAddr {
        SocketAddr::from((Ipv4Addr::LOCALHOST, self.port()))
    }

    /// `127.0.0.1:<tls port>`, if TLS is enabled.
    pub fn tls_addr(&self) -> Option<SocketAddr> {
        self.tls_port()
            .map(|port| SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
    }

    /// `redis://127.0.0.1:<port>` (no credentials).
    ///
    /// # Panics
    /// If the server has no plain TCP port.
    pub fn url(&self) -> String {
        format!("redis://{HOST}:{}", self.port())
    }

    /// `rediss://127.0.0.1:<tls port>`, if TLS is enabled.
    pub fn tls_url(&self) -> Option<String> {
        self.tls_port()
            .map(|port| format!("rediss://{HOST}:{port}"))
    }

    /// The Unix socket path, if the server listens on one.
    pub fn unix_socket(&self) -> Option<&Path> {
        self.unix_path.as_deref()
    }

    /// The server's temp directory (config, log, data, socket, certificates).
    pub fn dir(&self) -> &Path {
        self.dir.path()
    }

    /// The config file the server was started with.
    pub fn config_path(&self) -> &Path {
        &self.config_path
    }

    /// The server's log file.
    pub fn log_path(&self) -> &Path {
        &self.log_path
    }

    /// The last `lines` lines of the server's log file.
    pub fn log_tail(&self, lines: usize) -> String {
        file_tail(&self.log_path, lines)
    }

    /// The generated TLS certificates, if TLS is enabled.
    pub fn tls_certs(&self) -> Option<&TlsCerts> {
        self.tls.as_ref()
    }

    /// The process id, while the process runs.
    pub fn pid(&self) -> Option<u32> {
        self.state().child.as_ref().map(ChildGuard::pid)
    }

    /// Whether the process is running (it may be paused).
    pub fn is_running(&self) -> bool {
        let mut state = self.state();
        match state.child.as_mut() {
            Some(child) => child.try_exit_status().is_none(),
            None => false,
        }
    }

    /// Whether the process is stopped with SIGSTOP by [`Self::pause`].
    pub fn is_paused(&self) -> bool {
        self.state().paused
    }

    /// Kills the process with SIGKILL right now (no shutdown, no save) and reaps it.
    pub fn kill(&self) {
        let mut state = self.state();
        if let Some(mut child) = state.child.take() {
            child.kill();
        }
        state.paused = false;
    }

    /// Stops the process gracefully (SIGTERM, then SIGKILL after 5 s).
    pub fn stop(&self) {
        let mut state = self.state();
        if let Some(mut child) = state.child.take() {
            child.terminate(STOP_GRACE);
        }
        state.paused = false;
    }

    /// Stops the process if it runs, then starts it again on the same ports
    /// with the same directory and config file, and waits until it answers PING.
    pub fn restart(&self) -> Result<()> {
        self.stop();
        // The ports are leased to this server, but the old sockets may take a
        // moment to go away: retry a few times.
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.launch() {
                Err(e) if e.is_addr_in_use() && attempt < MAX_PORT_ATTEMPTS => {
                    thread::sleep(Duration::from_millis(100));
                }
                other => return other,
            }
        }
    }

    /// Freezes the process with SIGSTOP: it keeps its sockets but answers nothing.
    pub fn pause(&self) -> Result<()> {
        let mut state = self.state();
        let child = state
            .child
            .as_ref()
            .ok_or_else(|| HarnessError::new(format!("{} is not running", self.name())))?;
        child.signal(libc::SIGSTOP)?;
        state.paused = true;
        Ok(())
    }

    /// Resumes a paused process with SIGCONT.
    pub fn resume(&self) -> Result<()> {
        let mut state = self.state();
        let child = state
            .child
            .as_ref()
            .ok_or_else(|| HarnessError::new(format!("{} is not running", self.name())))?;
        child.signal(libc::SIGCONT)?;
        state.paused = false;
        Ok(())
    }
}

impl Drop for RedisServer {
    fn drop(&mut self) {
        if let Some(mut child) = self.state().child.take() {
            child.kill();
        }
    }
}
