//! The command line after `--bench`: redis-benchmark 7.0's options, with
//! its spelling, defaults and messages, then this mode's extensions.
//!
//! Options redis-benchmark reads with `atoi` are read the same way here
//! (`-n abc` is 0); the extensions are checked strictly.

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;
use std::path::PathBuf;
use std::time::Duration;

use super::keys::KeyPattern;
use crate::options::{atoi, Exit, TlsSettings};

/// Connections when `-c` is not given.
pub(crate) const DEFAULT_CLIENTS: usize = 50;
/// Requests per test when `-n` is not given.
pub(crate) const DEFAULT_REQUESTS: u64 = 100_000;
/// Value size when `-d` is not given.
pub(crate) const DEFAULT_DATA_SIZE: usize = 3;
/// Histogram significant digits when `--precision` is not given.
pub(crate) const DEFAULT_PRECISION: u8 = 3;
const MAX_THREADS: usize = 500;

/// Everything the command line says.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BenchOptions {
    /// `-h`.
    pub host: String,
    /// `-p`.
    pub port: i64,
    /// `-s`.
    pub socket: Option<PathBuf>,
    /// `-a` (or `-u`).
    pub password: Option<Vec<u8>>,
    /// `--user` (or `-u`).
    pub user: Option<Vec<u8>>,
    /// `-c`.
    pub clients: Option<usize>,
    /// `-n`.
    pub requests: Option<u64>,
    /// `-d`.
    pub data_size: Option<usize>,
    /// `--dbnum` (or `-u`).
    pub dbnum: i64,
    /// `-3`.
    pub resp3: bool,
    /// `--threads` (0: not given).
    pub threads: usize,
    /// `--cluster`.
    pub cluster: bool,
    /// `--enable-tracking`.
    pub tracking: bool,
    /// `-k`, as given (printed as it is).
    pub keepalive: i64,
    /// `-r`.
    pub keyspace: Option<u64>,
    /// `-P`.
    pub pipeline: Option<usize>,
    /// `-q`.
    pub quiet: bool,
    /// `--csv`.
    pub csv: bool,
    /// `--precision`: the histograms' significant digits.
    pub precision: u8,
    /// `-l`.
    pub looping: bool,
    /// `-t`, lower-cased, with commas around (`,set,get,`).
    pub tests: Option<String>,
    /// `-I`.
    pub idle: bool,
    /// `-x`.
    pub stdin_last_arg: bool,
    /// `-e`.
    pub show_errors: bool,
    /// `--tls` (or `rediss://`).
    pub tls: bool,
    /// The TLS files and switches.
    pub tls_settings: TlsSettings,
    /// The command to benchmark instead of the default tests.
    pub command: Vec<Vec<u8>>,
    /// `-x`: the last argument of the command, read from stdin (not part
    /// of the test's title, as in redis-benchmark).
    pub stdin_value: Option<Vec<u8>>,
    /// `--rate`: requests per second over all connections (open loop).
    pub rate: Option<f64>,
    /// `--duration` / `--test-time`.
    pub duration: Option<Duration>,
    /// `--warmup`.
    pub warmup: Option<Duration>,
    /// `--ratio SET:GET`.
    pub ratio: Option<(u32, u32)>,
    /// `--key-pattern`.
    pub key_pattern: Option<KeyPattern>,
    /// `--key-minimum`.
    pub key_minimum: Option<u64>,
    /// `--key-maximum`.
    pub key_maximum: Option<u64>,
    /// `--key-stddev`.
    pub key_stddev: Option<f64>,
    /// `--key-median`.
    pub key_median: Option<f64>,
    /// `--key-zipf-exp`.
    pub key_zipf_exp: Option<f64>,
    /// `--data-size-range MIN-MAX`.
    pub data_size_range: Option<(usize, usize)>,
    /// `--scenario FILE`.
    pub scenario: Option<PathBuf>,
    /// `--percentiles 50,99,99.9`.
    pub percentiles: Option<Vec<f64>>,
    /// `--json FILE`.
    pub json: Option<PathBuf>,
    /// `--threshold EXPR`, each.
    pub thresholds: Vec<String>,
    /// `--timeout`: a request unanswered this long fails.
    pub timeout: Option<Duration>,
    /// `--seed`.
    pub seed: Option<u64>,
    /// Printed on stdout before anything runs, each with its newline.
    pub warnings: Vec<String>,
}

impl Default for BenchOptions {
    fn default() -> Self {
        BenchOptions {
            host: "127.0.0.1".into(),
            port: 6379,
            socket: None,
            password: None,
            user: None,
            clients: None,
            requests: None,
            data_size: None,
            dbnum: 0,
            resp3: false,
            threads: 0,
            cluster: false,
            tracking: false,
            keepalive: 1,
            keyspace: None,
            pipeline: None,
            quiet: false,
            csv: false,
            precision: DEFAULT_PRECISION,
            looping: false,
            tests: None,
            idle: false,
            stdin_last_arg: false,
            show_errors: false,
            tls: false,
            tls_settings: TlsSettings::default(),
            command: Vec::new(),
            stdin_value: None,
            rate: None,
            duration: None,
            warmup: None,
            ratio: None,
            key_pattern: None,
            key_minimum: None,
            key_maximum: None,
            key_stddev: None,
            key_median: None,
            key_zipf_exp: None,
            data_size_range: None,
            scenario: None,
            percentiles: None,
            json: None,
            thresholds: Vec::new(),
            timeout: None,
            seed: None,
            warnings: Vec::new(),
        }
    }
}

impl BenchOptions {
    /// True when test `name` was chosen with `-t` (or no `-t` was given).
    pub(crate) fn selected(&self, name: &str) -> bool {
        match &self.tests {
            None => true,
            Some(list) => list.contains(&format!(",{name},")),
        }
    }

    /// True when a key option (`--key-*`) was given.
    pub(crate) fn key_options(&self) -> bool {
        self.key_pattern.is_some()
            || self.key_minimum.is_some()
            || self.key_maximum.is_some()
            || self.key_stddev.is_some()
            || self.key_median.is_some()
            || self.key_zipf_exp.is_some()
    }
}

/// What `--version` prints.
pub(crate) fn version() -> String {
    format!(
        "redis-cli-rs --bench {} (compatible with redis-benchmark 7.0)\n",
        env!("CARGO_PKG_VERSION")
    )
}

/// What `--help` prints: redis-benchmark's usage, then the extensions.
pub(crate) fn usage() -> String {
    format!("{USAGE}{EXTENSIONS}{EXAMPLES}")
}

const USAGE: &str = r#"Usage: redis-cli-rs --bench [OPTIONS] [COMMAND ARGS...]

Options:
 -h <hostname>      Server hostname (default 127.0.0.1)
 -p <port>          Server port (default 6379)
 -s <socket>        Server socket (overrides host and port)
 -a <password>      Password for Redis Auth
 --user <username>  Used to send ACL style 'AUTH username pass'. Needs -a.
 -u <uri>           Server URI.
 -c <clients>       Number of parallel connections (default 50)
 -n <requests>      Total number of requests (default 100000)
 -d <size>          Data size of SET/GET value in bytes (default 3)
 --dbnum <db>       SELECT the specified db number (default 0)
 -3                 Start session in RESP3 protocol mode.
 --threads <num>    Enable multi-thread mode.
 --cluster          Enable cluster mode (not available yet in redis-cli-rs).
 --enable-tracking  Send CLIENT TRACKING on before starting benchmark.
 -k <boolean>       1=keep alive 0=reconnect (default 1)
 -r <keyspacelen>   Use random keys for SET/GET/INCR, random values for SADD,
                    random members and scores for ZADD.
                    Using this option the benchmark will expand the string
                    __rand_int__ inside an argument with a 12 digits number in
                    the specified range from 0 to keyspacelen-1. The
                    substitution changes every time a command is executed.
                    Default tests use this to hit random keys in the specified
                    range.
                    Note: If -r is omitted, all commands in a benchmark will
                    use the same key.
 -P <numreq>        Pipeline <numreq> requests. Default 1 (no pipeline).
 -e                 Show error replies on stderr (at most one per second).
 -q                 Quiet. Just show query/sec values
 --precision        Significant digits of the latency histograms (default 3)
 --csv              Output in CSV format
 -l                 Loop. Run the tests forever
 -t <tests>         Only run the comma separated list of tests. The test
                    names are the same as the ones produced as output.
                    The -t option is ignored if a specific command is supplied
                    on the command line.
 -I                 Idle mode. Just open N idle connections and wait.
 -x                 Read last argument from STDIN.
 --tls              Establish a secure TLS connection.
 --sni <host>       Server name indication for TLS.
 --cacert <file>    CA Certificate file to verify with.
 --cacertdir <dir>  Directory where trusted CA certificates are stored.
                    If neither cacert nor cacertdir are specified, the default
                    system-wide trusted root certs configuration will apply.
 --insecure         Allow insecure TLS connection by skipping cert validation.
 --cert <file>      Client certificate to authenticate with.
 --key <file>       Private key file to authenticate with.
 --help             Output this help and exit.
 --version          Output version and exit.
"#;

const EXTENSIONS: &str = r#"
Extensions (redis-cli-rs):
 --rate <n>         Open loop: <n> requests per second over all connections,
                    each connection on its own schedule, up to -P requests in
                    flight on each. Latency counts from each request's
                    intended start; service time, late and dropped requests
                    are reported beside it.
 --duration <time>  Run each test this long instead of -n requests
                    (alias --test-time; 10, 10s, 500ms, 2m).
 --warmup <time>    Run the load this long before each test, unmeasured.
 --ratio <s:g>      A SET:GET mix in these proportions instead of the tests.
 --key-pattern <p>  R (random), S (sequential), G (gaussian) or Z (zipf).
 --key-minimum <n>  The lowest key number (default 0).
 --key-maximum <n>  The highest key number (default -r minus 1, or 9999999).
 --key-stddev <x>   Gaussian: standard deviation (default range / 6).
 --key-median <x>   Gaussian: centre (default the middle of the range).
 --key-zipf-exp <x> Zipf: exponent in (0, 5] (default 1).
 --data-size-range <min-max>  Values of a random size in this range.
 --scenario <file>  A TOML scenario: weighted commands using __key__,
                    __data__ and __rand_int__, stages ramping the rate or the
                    connections, thresholds.
 --percentiles <l>  Latency percentiles to report, e.g. 50,99,99.9.
 --json <file>      Write the configuration, per-command totals, percentiles,
                    a per-second time series and the HdrHistogram interval
                    log (V2, base64) to <file>.
 --threshold <e>    Exit with status 99 unless <e> holds, e.g. 'get.p99<2ms',
                    'errors<0.1%', 'rps>50000' (may be repeated).
 --timeout <time>   Fail requests unanswered this long (default: wait).
 --seed <n>         Seed of the random keys and value sizes.
"#;

const EXAMPLES: &str = r#"
Examples:

 Run the benchmark with the default configuration against 127.0.0.1:6379:
   $ redis-cli-rs --bench

 Use 20 parallel clients, for a total of 100k requests, against 192.168.1.1:
   $ redis-cli-rs --bench -h 192.168.1.1 -p 6379 -n 100000 -c 20

 Fill 127.0.0.1:6379 with about 1 million keys only using the SET test:
   $ redis-cli-rs --bench -t set -n 1000000 -r 100000000

 Benchmark 127.0.0.1:6379 for a few commands producing CSV output:
   $ redis-cli-rs --bench -t ping,set,get -n 100000 --csv

 Benchmark a specific command line:
   $ redis-cli-rs --bench -r 10000 -n 10000 eval 'return redis.call("ping")' 0

 Fill a list with 10000 random elements:
   $ redis-cli-rs --bench -r 10000 -n 10000 lpush mylist __rand_int__

 1000 GET/SET a second for 30 s, zipf keys, p99 below 2 ms or exit 99:
   $ redis-cli-rs --bench --rate 1000 --duration 30s --ratio 1:10 \
       --key-pattern Z --key-maximum 99999 --threshold 'get.p99<2ms'

 On user specified command lines __rand_int__ is replaced with a random integer
 with a range of values selected by the -r option.
"#;

/// Parses the arguments after `--bench`.
///
/// # Errors
///
/// `--help`, `--version`, or a bad command line: what to print and the
/// exit code (1 for mistakes).
pub(crate) fn parse(args: impl IntoIterator<Item = OsString>) -> Result<BenchOptions, Exit> {
    let args: Vec<Vec<u8>> = args.into_iter().map(OsString::into_vec).collect();
    let mut o = BenchOptions::default();
    let mut i = 0;
    while i < args.len() {
        let arg = args[i].as_slice();
        let last = i + 1 == args.len();
        let text = |v: &[u8]| String::from_utf8_lossy(v).into_owned();
        let name = text(arg);
        // The option's value (the caller checked it has one).
        let value = |i: &mut usize| {
            *i += 1;
            args[*i].clone()
        };
        let takes_value = matches!(
            arg,
            b"-c"
                | b"-n"
                | b"-k"
                | b"-h"
                | b"-p"
                | b"-s"
                | b"-a"
                | b"--user"
                | b"-u"
                | b"-d"
                | b"-P"
                | b"-r"
                | b"-t"
                | b"--dbnum"
                | b"--precision"
                | b"--threads"
                | b"--sni"
                | b"--cacertdir"
                | b"--cacert"
                | b"--cert"
                | b"--key"
                | b"--tls-ciphers"
                | b"--tls-ciphersuites"
                | b"--rate"
                | b"--duration"
                | b"--test-time"
                | b"--warmup"
                | b"--ratio"
                | b"--key-pattern"
                | b"--key-minimum"
                | b"--key-maximum"
                | b"--key-stddev"
                | b"--key-median"
                | b"--key-zipf-exp"
                | b"--data-size-range"
                | b"--scenario"
                | b"--percentiles"
                | b"--json"
                | b"--threshold"
                | b"--timeout"
                | b"--seed"
        );
        if takes_value && last {
            return Err(invalid(&name));
        }
        match arg {
            b"-c" => o.clients = Some(atoi(&value(&mut i)).max(1) as usize),
            b"-v" | b"--version" => {
                return Err(Exit {
                    stdout: version(),
                    stderr: String::new(),
                    code: 0,
                })
            }
            b"-n" => o.requests = Some(atoi(&value(&mut i)).max(0) as u64),
            b"-k" => o.keepalive = atoi(&value(&mut i)),
            b"-h" => o.host = text(&value(&mut i)),
            b"-p" => o.port = atoi(&value(&mut i)),
            b"-s" => o.socket = Some(PathBuf::from(OsString::from_vec(value(&mut i)))),
            b"-a" => o.password = Some(value(&mut i)),
            b"--user" => o.user = Some(value(&mut i)),
            b"-u" => uri(&value(&mut i), &mut o)?,
            b"-3" => o.resp3 = true,
            b"-d" => {
                let size = atoi(&value(&mut i)).clamp(1, 1024 * 1024 * 1024);
                o.data_size = Some(size as usize);
            }
            b"-P" => o.pipeline = Some(atoi(&value(&mut i)).max(1) as usize),
            b"-r" => {
                let v = value(&mut i);
                if v.first() == Some(&b'-') && !v.get(1).is_some_and(u8::is_ascii_digit) {
                    return Err(invalid(&name));
                }
                o.keyspace = Some(atoi(&v).max(0) as u64);
            }
            b"-q" => o.quiet = true,
            b"--csv" => o.csv = true,
            b"-l" => o.looping = true,
            b"-I" => o.idle = true,
            b"-e" => o.show_errors = true,
            b"-x" => o.stdin_last_arg = true,
            b"-t" => {
                let list = text(&value(&mut i)).to_lowercase();
                o.tests = Some(format!(",{list},"));
            }
            b"--dbnum" => o.dbnum = atoi(&value(&mut i)),
            b"--precision" => {
                let p = atoi(&value(&mut i));
                o.precision = if p < 0 {
                    DEFAULT_PRECISION
                } else {
                    p.clamp(1, 4) as u8
                };
            }
            b"--threads" => {
                let n = atoi(&value(&mut i));
                if n > MAX_THREADS as i64 {
                    o.warnings.push(format!(
                        "WARNING: too many threads, limiting threads to {MAX_THREADS}.\n"
                    ));
                }
                o.threads = n.clamp(0, MAX_THREADS as i64) as usize;
            }
            b"--cluster" => o.cluster = true,
            b"--enable-tracking" => o.tracking = true,
            b"--help" => {
                return Err(Exit {
                    stdout: usage(),
                    stderr: String::new(),
                    code: 0,
                })
            }
            b"--tls" => o.tls = true,
            b"--sni" => o.tls_settings.sni = Some(text(&value(&mut i))),
            b"--cacertdir" => o.tls_settings.ca_dir = Some(path(value(&mut i))),
            b"--cacert" => o.tls_settings.ca_file = Some(path(value(&mut i))),
            b"--cert" => o.tls_settings.cert_file = Some(path(value(&mut i))),
            b"--key" => o.tls_settings.key_file = Some(path(value(&mut i))),
            b"--insecure" => o.tls_settings.insecure = true,
            b"--tls-ciphers" | b"--tls-ciphersuites" => {
                return Err(Exit::error(format!(
                    "redis-cli-rs: option '{name}' is not supported yet\n"
                )))
            }
            b"--rate" => {
                let v = text(&value(&mut i));
                o.rate = Some(positive(&name, &v, "requests per second")?);
            }
            b"--duration" | b"--test-time" => {
                o.duration = Some(duration_value(&name, &text(&value(&mut i)))?)
            }
            b"--warmup" => o.warmup = Some(duration_value(&name, &text(&value(&mut i)))?),
            b"--timeout" => o.timeout = Some(duration_value(&name, &text(&value(&mut i)))?),
            b"--ratio" => o.ratio = Some(ratio(&name, &text(&value(&mut i)))?),
            b"--key-pattern" => {
                let v = text(&value(&mut i));
                o.key_pattern = Some(KeyPattern::parse(&v).ok_or_else(|| {
                    bad(
                        &name,
                        &v,
                        "expected R, S, G or Z (random, sequential, gaussian, zipf)",
                    )
                })?);
            }
            b"--key-minimum" => o.key_minimum = Some(count(&name, &text(&value(&mut i)))?),
            b"--key-maximum" => o.key_maximum = Some(count(&name, &text(&value(&mut i)))?),
            b"--key-stddev" => {
                o.key_stddev = Some(positive(&name, &text(&value(&mut i)), "a positive number")?)
            }
            b"--key-median" => o.key_median = Some(number(&name, &text(&value(&mut i)))?),
            b"--key-zipf-exp" => {
                let v = text(&value(&mut i));
                let x = number(&name, &v)?;
                if !(x > 0.0 && x <= 5.0) {
                    return Err(bad(&name, &v, "expected an exponent in (0, 5]"));
                }
                o.key_zipf_exp = Some(x);
            }
            b"--data-size-range" => {
                o.data_size_range = Some(size_range(&name, &text(&value(&mut i)))?)
            }
            b"--scenario" => o.scenario = Some(path(value(&mut i))),
            b"--percentiles" => o.percentiles = Some(percentiles(&name, &text(&value(&mut i)))?),
            b"--json" => o.json = Some(path(value(&mut i))),
            b"--threshold" => o.thresholds.push(text(&value(&mut i))),
            b"--seed" => o.seed = Some(count(&name, &text(&value(&mut i)))?),
            _ if arg.first() == Some(&b'-') => return Err(invalid(&name)),
            // The command to benchmark: options end here.
            _ => break,
        }
        i += 1;
    }
    o.command = args[i..].to_vec();
    Ok(o)
}

/// redis-benchmark's answer to an unknown option or a missing value: the
/// message and the usage on stdout, exit status 1.
fn invalid(name: &str) -> Exit {
    Exit {
        stdout: format!(
            "Invalid option \"{name}\" or option argument missing\n\n{}",
            usage()
        ),
        stderr: String::new(),
        code: 1,
    }
}

/// A bad value of an extension: one line on stderr, exit status 1.
pub(crate) fn bad(name: &str, value: &str, expected: &str) -> Exit {
    Exit::error(format!(
        "Invalid option \"{name}\": '{value}': {expected}\n"
    ))
}

fn path(v: Vec<u8>) -> PathBuf {
    PathBuf::from(OsString::from_vec(v))
}

/// `-u`, read as redis-cli reads it (redis-benchmark shares that code).
fn uri(value: &[u8], o: &mut BenchOptions) -> Result<(), Exit> {
    let mut cli = crate::options::Options::defaults(false);
    cli.host = o.host.clone();
    cli.port = o.port;
    crate::options::uri::parse(value, &mut cli)?;
    o.host = cli.host;
    o.port = cli.port;
    o.tls |= cli.tls;
    if cli.user.is_some() {
        o.user = cli.user;
    }
    if cli.password.is_some() {
        o.password = cli.password;
    }
    if cli.db != 0 {
        o.dbnum = cli.db;
    }
    Ok(())
}

fn number(name: &str, v: &str) -> Result<f64, Exit> {
    match v.trim().parse::<f64>() {
        Ok(x) if x.is_finite() => Ok(x),
        _ => Err(bad(name, v, "expected a number")),
    }
}

fn positive(name: &str, v: &str, what: &str) -> Result<f64, Exit> {
    match v.trim().parse::<f64>() {
        Ok(x) if x.is_finite() && x > 0.0 => Ok(x),
        _ => Err(bad(
            name,
            v,
            &format!("expected {what} (a positive number)"),
        )),
    }
}

fn count(name: &str, v: &str) -> Result<u64, Exit> {
    v.trim()
        .parse::<u64>()
        .map_err(|_| bad(name, v, "expected a whole number"))
}

/// `10`, `10s`, `1.5s`, `500ms`, `250us`, `2m`, `1h`.
pub(crate) fn parse_duration(v: &str) -> Option<Duration> {
    let v = v.trim();
    let split = v
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(v.len());
    let (number, unit) = v.split_at(split);
    let x: f64 = number.parse().ok()?;
    let seconds = match unit.trim() {
        "" | "s" | "sec" => x,
        "ms" => x / 1e3,
        "us" | "µs" => x / 1e6,
        "m" | "min" => x * 60.0,
        "h" => x * 3600.0,
        _ => return None,
    };
    (seconds.is_finite() && seconds > 0.0 && seconds < 1e9)
        .then(|| Duration::from_secs_f64(seconds))
}

fn duration_value(name: &str, v: &str) -> Result<Duration, Exit> {
    parse_duration(v).ok_or_else(|| bad(name, v, "expected a positive time (10, 10s, 500ms, 2m)"))
}

/// `SET:GET`, e.g. `1:10`; not both zero.
pub(crate) fn parse_ratio(v: &str) -> Option<(u32, u32)> {
    let (s, g) = v.trim().split_once(':')?;
    let (s, g) = (s.trim().parse().ok()?, g.trim().parse().ok()?);
    (s > 0 || g > 0).then_some((s, g))
}

fn ratio(name: &str, v: &str) -> Result<(u32, u32), Exit> {
    parse_ratio(v).ok_or_else(|| bad(name, v, "expected SET:GET, e.g. 1:10"))
}

/// `MIN-MAX` bytes (`MIN` at least 1), or one size.
pub(crate) fn parse_size_range(v: &str) -> Option<(usize, usize)> {
    let (min, max) = match v.trim().split_once('-') {
        Some((a, b)) => (a.trim().parse().ok()?, b.trim().parse().ok()?),
        None => {
            let n = v.trim().parse().ok()?;
            (n, n)
        }
    };
    (min >= 1 && min <= max && max <= 512 * 1024 * 1024).then_some((min, max))
}

fn size_range(name: &str, v: &str) -> Result<(usize, usize), Exit> {
    parse_size_range(v).ok_or_else(|| {
        bad(
            name,
            v,
            "expected MIN-MAX bytes, 1 <= MIN <= MAX <= 512 MiB",
        )
    })
}

/// `50,99,99.9`: each in (0, 100].
pub(crate) fn parse_percentiles(v: &str) -> Option<Vec<f64>> {
    let list: Option<Vec<f64>> = v
        .split(',')
        .map(|p| {
            let x: f64 = p.trim().trim_start_matches(['p', 'P']).parse().ok()?;
            (x > 0.0 && x <= 100.0).then_some(x)
        })
        .collect();
    list.filter(|l| !l.is_empty())
}

fn percentiles(name: &str, v: &str) -> Result<Vec<f64>, Exit> {
    parse_percentiles(v)
        .ok_or_else(|| bad(name, v, "expected percentiles in (0, 100], e.g. 50,99,99.9"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(args: &[&str]) -> Result<BenchOptions, Exit> {
        parse(args.iter().map(OsString::from))
    }

    #[test]
    fn redis_benchmark_options() {
        let o = p(&[
            "-h",
            "h",
            "-p",
            "7000",
            "-c",
            "10",
            "-n",
            "20000",
            "-P",
            "4",
            "-d",
            "64",
            "-r",
            "1000",
            "--csv",
            "-t",
            "SET,get",
            "--dbnum",
            "2",
            "-3",
            "--precision",
            "9",
        ])
        .unwrap();
        assert_eq!((o.host.as_str(), o.port), ("h", 7000));
        assert_eq!(
            (o.clients, o.requests, o.pipeline),
            (Some(10), Some(20000), Some(4))
        );
        assert_eq!(
            (o.data_size, o.keyspace, o.dbnum),
            (Some(64), Some(1000), 2)
        );
        assert!(o.csv && o.resp3 && o.selected("set") && o.selected("get"));
        assert!(!o.selected("incr"));
        assert_eq!(o.precision, 4);
        let o = p(&["-n", "5", "lpush", "mylist", "-n"]).unwrap();
        assert_eq!(o.command.len(), 3);
        assert_eq!(p(&["-P", "0", "-d", "0"]).unwrap().pipeline, Some(1));
        assert_eq!(p(&["-d", "0"]).unwrap().data_size, Some(1));
    }

    #[test]
    fn mistakes_as_redis_benchmark_reports_them() {
        let e = p(&["--bogus"]).unwrap_err();
        assert_eq!(e.code, 1);
        assert!(e
            .stdout
            .starts_with("Invalid option \"--bogus\" or option argument missing\n\nUsage:"));
        assert_eq!(p(&["-n"]).unwrap_err().code, 1);
        assert_eq!(p(&["-r", "-x"]).unwrap_err().code, 1);
        assert_eq!(p(&["--help"]).unwrap_err().code, 0);
        let e = p(&["--rate", "fast"]).unwrap_err();
        assert_eq!(
            e.stderr,
            "Invalid option \"--rate\": 'fast': expected requests per second (a positive number)\n"
        );
        assert_eq!(p(&["--ratio", "0:0"]).unwrap_err().code, 1);
        assert_eq!(p(&["--key-pattern", "Q"]).unwrap_err().code, 1);
        assert_eq!(p(&["--duration", "-3s"]).unwrap_err().code, 1);
        assert_eq!(p(&["--data-size-range", "10-5"]).unwrap_err().code, 1);
        assert_eq!(p(&["--percentiles", "50,101"]).unwrap_err().code, 1);
        assert_eq!(p(&["--tls-ciphers", "x"]).unwrap_err().code, 1);
    }

    #[test]
    fn extensions() {
        let o = p(&[
            "--rate",
            "2000",
            "--duration",
            "5s",
            "--warmup",
            "500ms",
            "--ratio",
            "1:10",
            "--key-pattern",
            "z",
            "--key-maximum",
            "999",
            "--data-size-range",
            "10-100",
            "--percentiles",
            "p50,99.9",
            "--threshold",
            "p99<1ms",
            "--threshold",
            "errors<1%",
            "-u",
            "redis://u:pw@example:7001/3",
        ])
        .unwrap();
        assert_eq!(o.rate, Some(2000.0));
        assert_eq!(o.duration, Some(Duration::from_secs(5)));
        assert_eq!(o.warmup, Some(Duration::from_millis(500)));
        assert_eq!(o.ratio, Some((1, 10)));
        assert_eq!(o.key_pattern, Some(KeyPattern::Zipf));
        assert_eq!(o.data_size_range, Some((10, 100)));
        assert_eq!(o.percentiles, Some(vec![50.0, 99.9]));
        assert_eq!(o.thresholds.len(), 2);
        assert_eq!((o.host.as_str(), o.port, o.dbnum), ("example", 7001, 3));
        assert_eq!(o.user.as_deref(), Some(&b"u"[..]));
        assert!(o.key_options());
        assert_eq!(parse_duration("2m"), Some(Duration::from_secs(120)));
        assert_eq!(parse_duration("250us"), Some(Duration::from_micros(250)));
        assert_eq!(parse_duration("5x"), None);
        assert_eq!(parse_size_range("64"), Some((64, 64)));
    }
}
