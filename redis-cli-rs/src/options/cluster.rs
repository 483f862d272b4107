//! `--cluster <command> [args...]` and the `--cluster-*` options, read as
//! `redis-cli` 7.0 reads them (`createClusterManagerCommand` and the
//! `--cluster-*` branches of `parseOptions`).

/// Default `--cluster-timeout` (ms, for `MIGRATE`).
pub const DEFAULT_MIGRATE_TIMEOUT: i64 = 60_000;
/// Default `--cluster-pipeline` (keys per `MIGRATE`).
pub const DEFAULT_MIGRATE_PIPELINE: i64 = 10;
/// Default `--cluster-threshold` (percent).
pub const DEFAULT_REBALANCE_THRESHOLD: f64 = 2.0;

/// A `--cluster` command and its options.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterCommand {
    /// The subcommand (`create`, `check`, ...), as given.
    pub name: Vec<u8>,
    /// Its arguments.
    pub args: Vec<Vec<u8>>,
    /// `--cluster-replicas`.
    pub replicas: i64,
    /// `--cluster-master-id`.
    pub master_id: Option<String>,
    /// `--cluster-from`.
    pub from: Option<String>,
    /// `--cluster-to`.
    pub to: Option<String>,
    /// `--cluster-from-user`.
    pub from_user: Option<Vec<u8>>,
    /// `--cluster-from-pass` (or typed after `--cluster-from-askpass`).
    pub from_pass: Option<Vec<u8>>,
    /// `--cluster-from-askpass`.
    pub from_askpass: bool,
    /// `--cluster-weight node=w ...`, as given.
    pub weights: Vec<String>,
    /// `--cluster-slots`.
    pub slots: i64,
    /// `--cluster-timeout` (ms).
    pub timeout: i64,
    /// `--cluster-pipeline`.
    pub pipeline: i64,
    /// `--cluster-threshold`.
    pub threshold: f64,
    /// `--cluster-yes` (or `REDISCLI_CLUSTER_YES=1`).
    pub yes: bool,
    /// `--cluster-simulate`.
    pub simulate: bool,
    /// `--cluster-replace`.
    pub replace: bool,
    /// `--cluster-copy`.
    pub copy: bool,
    /// `--cluster-slave`.
    pub slave: bool,
    /// `--cluster-use-empty-masters`.
    pub use_empty_masters: bool,
    /// `--cluster-search-multiple-owners`.
    pub search_multiple_owners: bool,
    /// `--cluster-fix-with-unreachable-masters`.
    pub fix_with_unreachable_masters: bool,
    /// `--cluster-only-masters`.
    pub only_masters: bool,
    /// `--cluster-only-replicas`.
    pub only_replicas: bool,
    /// Log lines in colour: `TERM` names an xterm when `--cluster` is read.
    pub color: bool,
}

impl Default for ClusterCommand {
    fn default() -> Self {
        ClusterCommand {
            name: Vec::new(),
            args: Vec::new(),
            replicas: 0,
            master_id: None,
            from: None,
            to: None,
            from_user: None,
            from_pass: None,
            from_askpass: false,
            weights: Vec::new(),
            slots: 0,
            timeout: DEFAULT_MIGRATE_TIMEOUT,
            pipeline: DEFAULT_MIGRATE_PIPELINE,
            threshold: DEFAULT_REBALANCE_THRESHOLD,
            yes: false,
            simulate: false,
            replace: false,
            copy: false,
            slave: false,
            use_empty_masters: false,
            search_multiple_owners: false,
            fix_with_unreachable_masters: false,
            only_masters: false,
            only_replicas: false,
            color: false,
        }
    }
}

/// What a `--cluster-*` option did to the parse.
pub(super) enum Step {
    /// Not a `--cluster-*` option.
    NotOurs,
    /// Consumed; the index of the last argument used.
    Used(usize),
    /// Stop with this message on stderr, exit code 1.
    Fail(String),
}

/// `--cluster-*` options at `args[i]`; `cmd` is the command being built
/// (options may come before `--cluster`).
pub(super) fn option(args: &[Vec<u8>], i: usize, cmd: &mut ClusterCommand) -> Step {
    let arg = args[i].as_slice();
    let last = i + 1 == args.len();
    let text = |v: &[u8]| String::from_utf8_lossy(v).into_owned();
    let value = || text(&args[i + 1]);
    match arg {
        b"--cluster-only-masters" => cmd.only_masters = true,
        b"--cluster-only-replicas" => cmd.only_replicas = true,
        b"--cluster-yes" => cmd.yes = true,
        b"--cluster-simulate" => cmd.simulate = true,
        b"--cluster-replace" => cmd.replace = true,
        b"--cluster-copy" => cmd.copy = true,
        b"--cluster-slave" => cmd.slave = true,
        b"--cluster-use-empty-masters" => cmd.use_empty_masters = true,
        b"--cluster-search-multiple-owners" => cmd.search_multiple_owners = true,
        b"--cluster-fix-with-unreachable-masters" => cmd.fix_with_unreachable_masters = true,
        b"--cluster-from-askpass" => cmd.from_askpass = true,
        _ if last => return Step::NotOurs,
        b"--cluster-replicas" => {
            cmd.replicas = i64::from(super::atoi(&args[i + 1]) as i32);
            return Step::Used(i + 1);
        }
        b"--cluster-master-id" => {
            cmd.master_id = Some(value());
            return Step::Used(i + 1);
        }
        b"--cluster-from" => {
            cmd.from = Some(value());
            return Step::Used(i + 1);
        }
        b"--cluster-to" => {
            cmd.to = Some(value());
            return Step::Used(i + 1);
        }
        b"--cluster-from-user" => {
            cmd.from_user = Some(args[i + 1].clone());
            return Step::Used(i + 1);
        }
        b"--cluster-from-pass" => {
            cmd.from_pass = Some(args[i + 1].clone());
            return Step::Used(i + 1);
        }
        b"--cluster-slots" => {
            cmd.slots = i64::from(super::atoi(&args[i + 1]) as i32);
            return Step::Used(i + 1);
        }
        b"--cluster-timeout" => {
            cmd.timeout = i64::from(super::atoi(&args[i + 1]) as i32);
            return Step::Used(i + 1);
        }
        b"--cluster-pipeline" => {
            cmd.pipeline = i64::from(super::atoi(&args[i + 1]) as i32);
            return Step::Used(i + 1);
        }
        b"--cluster-threshold" => {
            cmd.threshold = super::atof(&args[i + 1]);
            return Step::Used(i + 1);
        }
        b"--cluster-weight" => {
            if !cmd.weights.is_empty() {
                return Step::Fail(
                    "WARNING: you cannot use --cluster-weight more than once.\n\
                     You can set more weights by adding them as a space-separated list, ie:\n\
                     --cluster-weight n1=w n2=w\n"
                        .into(),
                );
            }
            let weights: Vec<String> = args[i + 1..]
                .iter()
                .take_while(|w| !w.starts_with(b"--") && w.contains(&b'='))
                .map(|w| text(w))
                .collect();
            let used = weights.len();
            cmd.weights = weights;
            return Step::Used(i + used);
        }
        _ => return Step::NotOurs,
    }
    Step::Used(i)
}

/// The arguments of `--cluster <command>` at `args[i]` (the command's
/// name): up to the next argument starting with `-`. Returns the index
/// of the last one used.
pub(super) fn command(args: &[Vec<u8>], i: usize, cmd: &mut ClusterCommand) -> usize {
    let mut j = i;
    while j < args.len() && args[j].first() != Some(&b'-') {
        j += 1;
    }
    if j > i {
        j -= 1;
    }
    cmd.name = args[i].clone();
    cmd.args = args[i + 1..=j.max(i)].to_vec();
    if j == i {
        cmd.args.clear();
    }
    cmd.color = std::env::var("TERM").is_ok_and(|t| t.contains("xterm"));
    j
}

/// Later arguments that do not start with `-`: the command's arguments
/// when it has none yet (`redis-cli --cluster create --cluster-yes
/// 127.0.0.1:7000 ...`). Returns the index of the last one used.
pub(super) fn positional(args: &[Vec<u8>], i: usize, cmd: &mut ClusterCommand) -> usize {
    if !cmd.args.is_empty() {
        return i;
    }
    let mut j = i + 1;
    while j < args.len() && args[j].first() != Some(&b'-') {
        j += 1;
    }
    cmd.args = args[i..j].to_vec();
    if j - i > 1 {
        j - 1
    } else {
        i
    }
}
