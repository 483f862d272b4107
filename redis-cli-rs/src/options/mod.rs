//! The command line: `redis-cli` 7.0's options, with the same spelling,
//! meaning, defaults and error messages.
//!
//! [`parse`] is pure apart from looking at whether stdout is a terminal
//! (use [`parse_with`] to say it yourself): it prints nothing and exits
//! nothing. What `redis-cli` prints while parsing (the password warning, a
//! bad `--show-pushes` value) comes back in [`Options::warnings`]; what
//! makes it exit (`--help`, `--version`, an unknown option) comes back as
//! an [`Exit`].

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;
use std::time::Duration;

use crate::format::OutputMode;

mod cluster;
pub(crate) mod uri;
mod usage;

pub use cluster::{
    ClusterCommand, DEFAULT_MIGRATE_PIPELINE, DEFAULT_MIGRATE_TIMEOUT, DEFAULT_REBALANCE_THRESHOLD,
};
pub use usage::{usage, version};

/// TLS settings (`--tls` and friends, or a `rediss://` URI).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsSettings {
    /// `--sni <host>`.
    pub sni: Option<String>,
    /// `--cacert <file>`.
    pub ca_file: Option<PathBuf>,
    /// `--cacertdir <dir>`: every PEM file in it is trusted.
    pub ca_dir: Option<PathBuf>,
    /// `--cert <file>`.
    pub cert_file: Option<PathBuf>,
    /// `--key <file>`.
    pub key_file: Option<PathBuf>,
    /// `--insecure`: no certificate or host name check.
    pub insecure: bool,
    /// `--tls-ciphers`: the cipher list for TLS 1.2 and below (OpenSSL
    /// syntax).
    pub ciphers: Option<String>,
    /// `--tls-ciphersuites`: the TLS 1.3 cipher suites (OpenSSL syntax).
    pub ciphersuites: Option<String>,
}

/// The protocol asked for on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProtocolChoice {
    /// Nothing said: RESP2.
    #[default]
    Default,
    /// `-2`.
    Resp2,
    /// `-3`.
    Resp3,
    /// `--json` or `--quoted-json` without `-2`: RESP3.
    JsonResp3,
}

impl ProtocolChoice {
    /// True when `HELLO 3` is sent on connect.
    pub fn is_resp3(self) -> bool {
        matches!(self, ProtocolChoice::Resp3 | ProtocolChoice::JsonResp3)
    }
}

/// What the program does besides running commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Run the command given, or the shell when none is given.
    #[default]
    Command,
    /// `--latency`.
    Latency,
    /// `--latency-history`.
    LatencyHistory,
    /// `--pipe`.
    Pipe,
    /// `--bigkeys`.
    BigKeys,
    /// `--memkeys` or `--memkeys-samples <n>`.
    MemKeys,
    /// `--stat`.
    Stat,
    /// `--scan`.
    Scan,
    /// `--latency-dist`.
    LatencyDist,
    /// `--replica` or `--slave`.
    Replica,
    /// `--rdb <file>` or `--functions-rdb <file>`.
    Rdb,
    /// `--hotkeys`.
    HotKeys,
    /// `--lru-test <keys>`.
    LruTest,
    /// `--intrinsic-latency <seconds>`.
    IntrinsicLatency,
}

/// Everything the command line says.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// `-h`; default `127.0.0.1`.
    pub host: String,
    /// `-p`; default 6379. Kept as `atoi` read it (`redis-cli` does not
    /// check it).
    pub port: i64,
    /// `-s`: a Unix socket, which wins over host and port.
    pub socket: Option<PathBuf>,
    /// `-a`, `--pass`, `-u`, or `REDISCLI_AUTH` (see [`Options::apply_env`]).
    pub password: Option<Vec<u8>>,
    /// `--user`, or the user of a `-u` URI.
    pub user: Option<Vec<u8>>,
    /// `--askpass`.
    pub askpass: bool,
    /// `-n`, or the database of a `-u` URI.
    pub db: i64,
    /// `--tls`, or a `rediss://` URI.
    pub tls: bool,
    /// The TLS settings; used only with [`Options::tls`].
    pub tls_settings: TlsSettings,
    /// `-2`, `-3`, `--json`.
    pub protocol: ProtocolChoice,
    /// The output mode: standard when stdout is a terminal, raw otherwise,
    /// unless `--raw`, `--no-raw`, `--csv`, `--json` or `--quoted-json`
    /// says otherwise.
    pub output: OutputMode,
    /// `-d`: the delimiter between the items of an aggregate in raw mode.
    pub mb_delim: Vec<u8>,
    /// `-D`: the delimiter after each reply in raw mode.
    pub cmd_delim: Vec<u8>,
    /// `--quoted-input`: command-line arguments are C-quoted strings.
    pub quoted_input: bool,
    /// `--show-pushes`; defaults to whether stdout is a terminal.
    pub show_pushes: bool,
    /// `-r`: how many times to run the command (negative: for ever).
    pub repeat: i64,
    /// `-i`: the pause between repeats (and per cycle of some modes).
    pub interval: Option<Duration>,
    /// `-x`: the last argument is read from stdin.
    pub stdin_last_arg: bool,
    /// `-X <tag>`: the argument equal to `tag` is replaced by stdin.
    pub stdin_tag: Option<Vec<u8>>,
    /// `-e`: exit with 1 when the command fails (an error reply).
    pub set_errcode: bool,
    /// `-c`: follow `MOVED` and `ASK` redirections.
    pub cluster: bool,
    /// `--cluster <command>`: the cluster manager.
    pub cluster_command: Option<ClusterCommand>,
    /// `-t <seconds>`: the longest wait to connect and for each reply
    /// (`None`: no limit).
    pub timeout: Option<Duration>,
    /// `--rdb` / `--functions-rdb`: where the RDB goes (`-` is stdout).
    pub rdb_file: Option<String>,
    /// `--functions-rdb`: the functions only.
    pub functions_rdb: bool,
    /// `--lru-test <keys>`.
    pub lru_test_keys: i64,
    /// `--intrinsic-latency <seconds>`.
    pub intrinsic_seconds: i64,
    /// `--ldb` or `--ldb-sync-mode`: debug the `--eval` script.
    pub ldb: bool,
    /// `--ldb-sync-mode`: the synchronous debugger (the server is blocked,
    /// changes are kept).
    pub ldb_sync: bool,
    /// `--mono`: `--latency-dist` in shades of grey.
    pub mono: bool,
    /// `--no-auth-warning`.
    pub no_auth_warning: bool,
    /// `--verbose`.
    pub verbose: bool,
    /// The special mode, if any.
    pub mode: Mode,
    /// `--memkeys-samples <n>` (0: the server's default).
    pub memkeys_samples: u32,
    /// `--pattern` or `--quoted-pattern`.
    pub pattern: Option<Vec<u8>>,
    /// `--pipe-timeout`; default 30 seconds, 0 waits for ever.
    pub pipe_timeout: i64,
    /// `--eval <file>`.
    pub eval: Option<PathBuf>,
    /// The command and its arguments, as given (before `--quoted-input`
    /// unquoting).
    pub args: Vec<Vec<u8>>,
    /// Messages `redis-cli` prints on stderr while parsing, in order, each
    /// with its newline.
    pub warnings: Vec<String>,
    /// True when stdout is a terminal (decides the default output mode).
    pub stdout_is_tty: bool,
}

impl Options {
    /// The options of a bare `redis-cli` with stdout a terminal or not.
    pub fn defaults(stdout_is_tty: bool) -> Options {
        Options {
            host: "127.0.0.1".into(),
            port: 6379,
            socket: None,
            password: None,
            user: None,
            askpass: false,
            db: 0,
            tls: false,
            tls_settings: TlsSettings::default(),
            protocol: ProtocolChoice::Default,
            output: if stdout_is_tty {
                OutputMode::Standard
            } else {
                OutputMode::Raw
            },
            mb_delim: b"\n".to_vec(),
            cmd_delim: b"\n".to_vec(),
            quoted_input: false,
            show_pushes: stdout_is_tty,
            repeat: 1,
            interval: None,
            stdin_last_arg: false,
            stdin_tag: None,
            set_errcode: false,
            cluster: false,
            cluster_command: None,
            timeout: None,
            rdb_file: None,
            functions_rdb: false,
            lru_test_keys: 0,
            intrinsic_seconds: 0,
            ldb: false,
            ldb_sync: false,
            mono: false,
            no_auth_warning: false,
            verbose: false,
            mode: Mode::Command,
            memkeys_samples: 0,
            pattern: None,
            pipe_timeout: 30,
            eval: None,
            args: Vec::new(),
            warnings: Vec::new(),
            stdout_is_tty,
        }
    }

    /// Sets the special mode when it comes before the current one in
    /// `redis-cli`'s order (latency history, latency, latency
    /// distribution, replica, rdb, pipe, bigkeys, memkeys, hotkeys, stat,
    /// scan, LRU test, intrinsic latency): several modes given, the first
    /// in that order runs. (`--cluster` runs before all of them.)
    fn set_mode(&mut self, mode: Mode) {
        let rank = |m: Mode| match m {
            Mode::LatencyHistory => 0,
            Mode::Latency => 1,
            Mode::LatencyDist => 2,
            Mode::Replica => 3,
            Mode::Rdb => 4,
            Mode::Pipe => 5,
            Mode::BigKeys => 6,
            Mode::MemKeys => 7,
            Mode::HotKeys => 8,
            Mode::Stat => 9,
            Mode::Scan => 10,
            Mode::LruTest => 11,
            Mode::IntrinsicLatency => 12,
            Mode::Command => 13,
        };
        if rank(mode) < rank(self.mode) {
            self.mode = mode;
        }
    }

    /// Takes the password from `REDISCLI_AUTH` when none was given, and
    /// `--cluster-yes` from `REDISCLI_CLUSTER_YES=1`, as `redis-cli` does
    /// after parsing.
    pub fn apply_env(&mut self) {
        if self.password.is_none() {
            if let Some(auth) = std::env::var_os("REDISCLI_AUTH") {
                self.password = Some(auth.into_vec());
            }
        }
        if std::env::var_os("REDISCLI_CLUSTER_YES").is_some_and(|v| v == "1") {
            if let Some(cmd) = self.cluster_command.as_mut() {
                cmd.yes = true;
            }
        }
    }
}

/// A reason to stop before doing anything: what to print and the exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exit {
    /// Printed on stdout.
    pub stdout: String,
    /// Printed on stderr.
    pub stderr: String,
    /// The exit code.
    pub code: i32,
}

impl Exit {
    pub(crate) fn error(message: impl Into<String>) -> Exit {
        Exit {
            stdout: String::new(),
            stderr: message.into(),
            code: 1,
        }
    }
}

/// Parses the arguments after the program name, deciding the default
/// output mode by whether stdout is a terminal.
///
/// # Errors
///
/// `--help`, `--version`, or a bad command line: what to print and the
/// exit code.
///
/// # Example
///
/// ```
/// use redis_cli_rs::options::parse_with;
///
/// let o = parse_with(["-p", "7000", "--raw", "get", "k"].map(Into::into), true).unwrap();
/// assert_eq!(o.port, 7000);
/// assert_eq!(o.args, [b"get".to_vec(), b"k".to_vec()]);
/// let e = parse_with(["--bogus".into()], true).unwrap_err();
/// assert_eq!(e.stderr, "Unrecognized option or bad number of args for: '--bogus'\n");
/// ```
pub fn parse(args: impl IntoIterator<Item = OsString>) -> Result<Options, Exit> {
    parse_with(
        args,
        crate::term::stdout_is_tty() || crate::term::fake_tty(),
    )
}

/// [`parse`], with whether stdout is a terminal said by the caller.
///
/// # Errors
///
/// As [`parse`].
pub fn parse_with(
    args: impl IntoIterator<Item = OsString>,
    stdout_is_tty: bool,
) -> Result<Options, Exit> {
    let args: Vec<Vec<u8>> = args.into_iter().map(OsString::into_vec).collect();
    let mut o = Options::defaults(stdout_is_tty);
    let mut resp2 = false;
    let mut resp3 = false;
    let mut json = false;
    let mut rdb = false;
    let mut functions_rdb = false;
    // --cluster-* options may come before --cluster.
    let mut cluster = ClusterCommand::default();
    let mut cluster_mode = false;
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_slice();
        let last = i + 1 == args.len();
        if arg.starts_with(b"--cluster-") {
            match cluster::option(&args, i, &mut cluster) {
                cluster::Step::Used(end) => {
                    i = end + 1;
                    continue;
                }
                cluster::Step::Fail(message) => return Err(Exit::error(message)),
                cluster::Step::NotOurs => {}
            }
        }
        // The value of an option that takes one; only called when !last.
        let mut value = || {
            i += 1;
            args[i].clone()
        };
        let text = |v: Vec<u8>| String::from_utf8_lossy(&v).into_owned();
        match arg {
            b"-h" if !last => o.host = text(value()),
            b"-h" | b"--help" => {
                return Err(Exit {
                    stdout: usage(),
                    stderr: String::new(),
                    code: 0,
                })
            }
            b"-x" => o.stdin_last_arg = true,
            b"-X" if !last => o.stdin_tag = Some(value()),
            b"-p" if !last => o.port = int_atoi(&value()),
            b"-s" if !last => o.socket = Some(PathBuf::from(OsString::from_vec(value()))),
            b"-r" if !last => o.repeat = atoi(&value()),
            b"-i" if !last => {
                let seconds = atof(&value());
                let micros = (seconds * 1_000_000.0) as i64;
                o.interval = (micros > 0).then(|| Duration::from_micros(micros as u64));
            }
            b"-n" if !last => o.db = atoi(&value()) as i32 as i64,
            b"--no-auth-warning" => o.no_auth_warning = true,
            b"--askpass" => o.askpass = true,
            b"-a" | b"--pass" if !last => o.password = Some(value()),
            b"--user" if !last => o.user = Some(value()),
            b"-u" if !last => uri::parse(&value(), &mut o)?,
            b"--raw" => o.output = OutputMode::Raw,
            b"--no-raw" => o.output = OutputMode::Standard,
            b"--quoted-input" => o.quoted_input = true,
            b"--csv" => o.output = OutputMode::Csv,
            b"--json" => {
                json = true;
                o.output = OutputMode::Json;
            }
            b"--quoted-json" => {
                json = true;
                o.output = OutputMode::QuotedJson;
            }
            b"--latency" => o.set_mode(Mode::Latency),
            b"--latency-history" => o.set_mode(Mode::LatencyHistory),
            b"--stat" => o.set_mode(Mode::Stat),
            b"--scan" => o.set_mode(Mode::Scan),
            b"--pattern" if !last => o.pattern = Some(value()),
            b"--quoted-pattern" if !last => match crate::split::unquote(&value()) {
                Some(p) => o.pattern = Some(p),
                None => {
                    return Err(Exit::error(
                        "Invalid quoted string specified for --quoted-pattern.\n",
                    ))
                }
            },
            b"--pipe" => o.set_mode(Mode::Pipe),
            b"--pipe-timeout" if !last => o.pipe_timeout = atoi(&value()),
            b"--bigkeys" => o.set_mode(Mode::BigKeys),
            b"--memkeys" => {
                o.set_mode(Mode::MemKeys);
                o.memkeys_samples = 0;
            }
            b"--memkeys-samples" if !last => {
                o.set_mode(Mode::MemKeys);
                o.memkeys_samples = atoi(&value()) as u32;
            }
            b"--eval" if !last => o.eval = Some(PathBuf::from(OsString::from_vec(value()))),
            b"--ldb" => {
                o.ldb = true;
                o.output = OutputMode::Raw;
            }
            b"--ldb-sync-mode" => {
                o.ldb = true;
                o.ldb_sync = true;
                o.output = OutputMode::Raw;
            }
            b"-t" if !last => match parse_timeout(&value()) {
                Some(timeout) => o.timeout = timeout,
                None => return Err(Exit::error("Invalid connection timeout for -t.\n")),
            },
            b"--latency-dist" => o.set_mode(Mode::LatencyDist),
            b"--mono" => o.mono = true,
            b"--lru-test" if !last => {
                o.set_mode(Mode::LruTest);
                o.lru_test_keys = atoi(&value());
            }
            b"--slave" | b"--replica" => o.set_mode(Mode::Replica),
            b"--intrinsic-latency" if !last => {
                o.set_mode(Mode::IntrinsicLatency);
                o.intrinsic_seconds = i64::from(atoi(&value()) as i32);
            }
            b"--rdb" if !last => {
                rdb = true;
                o.set_mode(Mode::Rdb);
                o.rdb_file = Some(text(value()));
            }
            b"--functions-rdb" if !last => {
                functions_rdb = true;
                o.set_mode(Mode::Rdb);
                o.rdb_file = Some(text(value()));
            }
            b"--hotkeys" => o.set_mode(Mode::HotKeys),
            b"--tls-ciphers" if !last => o.tls_settings.ciphers = Some(text(value())),
            b"--tls-ciphersuites" if !last => o.tls_settings.ciphersuites = Some(text(value())),
            b"--cluster" if !last && !cluster_mode => {
                cluster_mode = true;
                i = cluster::command(&args, i + 1, &mut cluster);
            }
            b"--cluster" => {
                return Err(Exit {
                    stdout: String::new(),
                    stderr: usage(),
                    code: 1,
                })
            }
            b"-c" => o.cluster = true,
            b"-d" if !last => o.mb_delim = value(),
            b"-D" if !last => o.cmd_delim = value(),
            b"-e" => o.set_errcode = true,
            b"--verbose" => o.verbose = true,
            b"--tls" => o.tls = true,
            b"--sni" if !last => o.tls_settings.sni = Some(text(value())),
            b"--cacertdir" if !last => o.tls_settings.ca_dir = Some(path(value())),
            b"--cacert" if !last => o.tls_settings.ca_file = Some(path(value())),
            b"--cert" if !last => o.tls_settings.cert_file = Some(path(value())),
            b"--key" if !last => o.tls_settings.key_file = Some(path(value())),
            b"--insecure" => o.tls_settings.insecure = true,
            b"-v" | b"--version" => {
                return Err(Exit {
                    stdout: version(),
                    stderr: String::new(),
                    code: 0,
                })
            }
            b"-2" => resp2 = true,
            b"-3" => resp3 = true,
            b"--show-pushes" if !last => {
                let v = value();
                match v.first().map(u8::to_ascii_lowercase) {
                    Some(b'n') => o.show_pushes = false,
                    Some(b'y') => o.show_pushes = true,
                    _ => o.warnings.push(format!(
                        "Unknown --show-pushes value '{}' (valid: '[y]es', '[n]o')\n",
                        text(v)
                    )),
                }
            }
            _ if cluster_mode && arg.first() != Some(&b'-') => {
                i = cluster::positional(&args, i, &mut cluster);
            }
            _ if arg.first() == Some(&b'-') => {
                return Err(Exit::error(format!(
                    "Unrecognized option or bad number of args for: '{}'\n",
                    text(arg.to_vec())
                )))
            }
            // The command name: options end here.
            _ => break,
        }
        i += 1;
    }
    o.args = args[i.min(args.len())..].to_vec();
    if cluster_mode {
        o.cluster_command = Some(cluster);
    }
    if o.socket.is_some() && o.cluster {
        return Err(Exit::error("Options -c and -s are mutually exclusive.\n"));
    }
    if resp2 && resp3 {
        return Err(Exit::error("Options -2 and -3 are mutually exclusive.\n"));
    }
    o.protocol = match (resp2, resp3, json) {
        (_, true, _) => ProtocolChoice::Resp3,
        (true, _, _) => ProtocolChoice::Resp2,
        (false, false, true) => ProtocolChoice::JsonResp3,
        _ => ProtocolChoice::Default,
    };
    if o.ldb && o.eval.is_none() {
        return Err(Exit::error(
            "Options --ldb and --ldb-sync-mode require --eval.\nTry redis-cli --help for more information.\n",
        ));
    }
    if !o.no_auth_warning && o.password.is_some() {
        o.warnings.push(
            "Warning: Using a password with '-a' or '-u' option on the command line interface may not be safe.\n"
                .into(),
        );
    }
    if rdb && functions_rdb {
        return Err(Exit::error(
            "Option --functions-rdb and --rdb are mutually exclusive.\n",
        ));
    }
    o.functions_rdb = functions_rdb;
    if o.stdin_last_arg && o.stdin_tag.is_some() {
        return Err(Exit::error("Options -x and -X are mutually exclusive.\n"));
    }
    Ok(o)
}

fn path(v: Vec<u8>) -> PathBuf {
    PathBuf::from(OsString::from_vec(v))
}

/// `atoi` into C's `int` (what redis-cli keeps a port in): a value past
/// its range wraps as glibc's `(int) strtol` does (`4294967297` is 1).
pub(crate) fn int_atoi(bytes: &[u8]) -> i64 {
    i64::from(atoi(bytes) as i32)
}

/// C's `atoi`: leading spaces, a sign, digits; anything else ends it.
pub(crate) fn atoi(bytes: &[u8]) -> i64 {
    let s = bytes
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .copied()
        .collect::<Vec<u8>>();
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, &s[..]),
    };
    let mut n: i64 = 0;
    for &d in digits.iter().take_while(|b| b.is_ascii_digit()) {
        n = n.wrapping_mul(10).wrapping_add(i64::from(d - b'0'));
    }
    if neg {
        -n
    } else {
        n
    }
}

/// `-t <seconds>` as newer `redis-cli` versions read it (`strtod` of the
/// whole value, not negative, not NaN): `Some(None)` for 0 (no limit),
/// `None` when invalid.
fn parse_timeout(value: &[u8]) -> Option<Option<Duration>> {
    let seconds: f64 = std::str::from_utf8(value).ok()?.trim_start().parse().ok()?;
    if seconds.is_nan() || seconds < 0.0 || !seconds.is_finite() {
        return None;
    }
    let micros = (seconds * 1_000_000.0) as u64;
    Some((micros > 0).then(|| Duration::from_micros(micros)))
}

/// C's `atof`, for the forms a person types: the longest prefix that
/// parses as a number, 0 when none does.
pub(crate) fn atof(bytes: &[u8]) -> f64 {
    let s = String::from_utf8_lossy(bytes);
    let s = s.trim_start();
    let mut best = 0.0;
    for end in 1..=s.len() {
        if !s.is_char_boundary(end) {
            continue;
        }
        if let Ok(v) = s[..end].parse::<f64>() {
            best = v;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<Options, Exit> {
        parse_with(args.iter().map(|a| OsString::from(*a)), false)
    }

    #[test]
    fn basics() {
        let o = p(&["-h", "example", "-p", "7000", "-n", "3", "get", "-p"]).unwrap();
        assert_eq!((o.host.as_str(), o.port, o.db), ("example", 7000, 3));
        assert_eq!(o.args, [b"get".to_vec(), b"-p".to_vec()]);
        assert_eq!(o.output, OutputMode::Raw);
        assert_eq!(p(&["-h"]).unwrap_err().code, 0);
        assert_eq!(
            p(&["-p"]).unwrap_err().stderr,
            "Unrecognized option or bad number of args for: '-p'\n"
        );
        assert_eq!(p(&["-2", "-3"]).unwrap_err().code, 1);
        assert_eq!(
            p(&["--json", "-2"]).unwrap().protocol,
            ProtocolChoice::Resp2
        );
        assert_eq!(p(&["--json"]).unwrap().protocol, ProtocolChoice::JsonResp3);
        assert_eq!(p(&["-a", "x"]).unwrap().warnings.len(), 1);
        assert!(p(&["-a", "x", "--no-auth-warning"])
            .unwrap()
            .warnings
            .is_empty());
        assert_eq!(atoi(b" -12x"), -12);
        assert_eq!(atof(b"0.25s"), 0.25);
    }

    #[test]
    fn cluster_commands_and_new_options() {
        let o = p(&[
            "--cluster",
            "create",
            "a:1",
            "b:2",
            "--cluster-replicas",
            "1",
            "--cluster-yes",
        ])
        .unwrap();
        let c = o.cluster_command.unwrap();
        assert_eq!(
            (c.name.as_slice(), c.replicas, c.yes),
            (&b"create"[..], 1, true)
        );
        assert_eq!(c.args, [b"a:1".to_vec(), b"b:2".to_vec()]);
        // Options first, the arguments after them.
        let o = p(&[
            "--cluster-yes",
            "--cluster",
            "create",
            "--cluster-replicas",
            "1",
            "a:1",
            "b:2",
        ])
        .unwrap();
        assert_eq!(
            o.cluster_command.unwrap().args,
            [b"a:1".to_vec(), b"b:2".to_vec()]
        );
        let o = p(&[
            "--cluster",
            "rebalance",
            "h:1",
            "--cluster-weight",
            "a=1",
            "b=2",
            "--cluster-use-empty-masters",
        ])
        .unwrap();
        let c = o.cluster_command.unwrap();
        assert_eq!(c.weights, ["a=1", "b=2"]);
        assert!(c.use_empty_masters);
        let e = p(&["--cluster"]).unwrap_err();
        assert_eq!(e.code, 1);
        assert!(e.stderr.contains("Usage: redis-cli"));
        assert_eq!(
            p(&["--cluster", "info", "h:1", "--cluster", "x"])
                .unwrap_err()
                .code,
            1
        );
        // -t: decimals, 0 for none, anything else refused.
        assert_eq!(
            p(&["-t", "1.5"]).unwrap().timeout,
            Some(Duration::from_millis(1500))
        );
        assert_eq!(p(&["-t", "0"]).unwrap().timeout, None);
        assert_eq!(
            p(&["-t", "x"]).unwrap_err().stderr,
            "Invalid connection timeout for -t.\n"
        );
        // Modes in redis-cli's order: --rdb before --scan, --replica before --rdb.
        assert_eq!(p(&["--scan", "--rdb", "f"]).unwrap().mode, Mode::Rdb);
        assert_eq!(p(&["--rdb", "f", "--replica"]).unwrap().mode, Mode::Replica);
        assert!(p(&["--functions-rdb", "f"]).unwrap().functions_rdb);
        assert_eq!(
            p(&["--rdb", "a", "--functions-rdb", "b"]).unwrap_err().code,
            1
        );
        let o = p(&["--ldb", "--eval", "s.lua"]).unwrap();
        assert!(o.ldb && o.output == OutputMode::Raw);
    }
}
