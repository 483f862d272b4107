//! The program: what `redis-cli`'s `main` does after parsing, and each
//! special mode in its own file.

use std::ffi::OsString;
use std::io::Write;

use crate::options::{self, Mode, Options};
use crate::session::Session;

pub(crate) mod bench;
mod cluster;
mod command;
mod eval;
mod hotkeys;
mod intrinsic;
mod keyspace;
mod latency;
mod latency_dist;
mod ldb;
mod lines;
mod lru_test;
mod pipe;
mod proxy;
pub(crate) mod rdb;
mod replica;
mod scan;
mod stat;
mod sync;

/// Runs `redis-cli-rs` with `args` (the program name excluded) and returns
/// the exit code. Everything is printed on the process's stdout and
/// stderr.
///
/// A first argument `--bench` switches to the load tester: everything
/// after it is read as `redis-benchmark`'s options (see `--bench --help`).
pub fn run(args: impl IntoIterator<Item = OsString>) -> i32 {
    let mut args = args.into_iter().peekable();
    // `--proxy` first switches to proxy mode, with options of its own;
    // redis-cli has no such option, so its command line is unchanged.
    if args.peek().is_some_and(|a| a == "--proxy") {
        args.next();
        return proxy::run(args);
    }
    // `--bench` first: the load tester, with redis-benchmark's options.
    if args.peek().is_some_and(|a| a == "--bench") {
        args.next();
        return bench::run(args.collect());
    }
    let mut opts = match options::parse(args) {
        Ok(opts) => opts,
        Err(exit) => {
            print!("{}", exit.stdout);
            eprint!("{}", exit.stderr);
            let _ = std::io::stdout().flush();
            return exit.code;
        }
    };
    for warning in &opts.warnings {
        eprint!("{warning}");
    }
    opts.apply_env();
    if opts.askpass {
        opts.password = crate::term::ask_password("Please input password: ");
    }
    let code = dispatch(&opts);
    let _ = std::io::stdout().flush();
    code
}

fn dispatch(opts: &Options) -> i32 {
    if opts.cluster_command.is_some() {
        return cluster::run(opts);
    }
    match opts.mode {
        Mode::Latency | Mode::LatencyHistory => with_connection(opts, latency::run),
        Mode::Pipe => with_connection(opts, pipe::run),
        Mode::BigKeys => with_connection(opts, |o, s| keyspace::run(o, s, false)),
        Mode::MemKeys => with_connection(opts, |o, s| keyspace::run(o, s, true)),
        Mode::Stat => with_connection(opts, stat::run),
        Mode::Scan => with_connection(opts, scan::run),
        Mode::Rdb => with_connection(opts, rdb::run),
        Mode::Replica => with_connection(opts, replica::run),
        Mode::LatencyDist => with_connection(opts, latency_dist::run),
        Mode::HotKeys => with_connection(opts, hotkeys::run),
        Mode::LruTest => with_connection(opts, lru_test::run),
        Mode::IntrinsicLatency => intrinsic::run(opts),
        Mode::Command if opts.args.is_empty() && opts.eval.is_none() => shell(opts),
        // Help needs no connection (`issueCommandRepeat`).
        Mode::Command if opts.eval.is_none() && is_help(&opts.args[0]) => {
            let mut session = Session::new(opts);
            command::exit_code(opts, command::execute(&mut session, opts.args.clone(), 1))
        }
        Mode::Command if opts.eval.is_some() && opts.ldb => with_connection(opts, ldb::run),
        Mode::Command if opts.eval.is_some() => with_connection(opts, eval::run),
        Mode::Command => with_connection_lenient(opts, command::run),
    }
}

/// `help` or `?`, which the CLI answers itself.
fn is_help(name: &[u8]) -> bool {
    name.eq_ignore_ascii_case(b"help") || name == b"?"
}

/// Connects as `redis-cli` does before a mode (`cliConnect(0) ==
/// REDIS_ERR` exits): exit 1 when the socket cannot be opened or a setup
/// step (`AUTH`, `SELECT`, `HELLO 3`) is refused, after saying why; then
/// runs `f`.
fn with_connection(opts: &Options, f: impl FnOnce(&Options, &mut Session) -> i32) -> i32 {
    let mut session = Session::new(opts);
    if let Err(message) = session.connect() {
        eprintln!("{message}");
        return 1;
    }
    f(opts, &mut session)
}

/// Connects as `redis-cli` does before a command line's command
/// (`cliConnect(CC_QUIET)`, its result ignored): refused setup steps are
/// reported and the command runs anyway; a socket that cannot be opened
/// is reported when the command is sent; a server that hung up during
/// the setup is reported, then again when the command connects anew.
fn with_connection_lenient(opts: &Options, f: impl FnOnce(&Options, &mut Session) -> i32) -> i32 {
    let mut session = Session::new(opts);
    match session.ensure_connected() {
        Ok(messages) => {
            for message in messages {
                eprintln!("{message}");
            }
        }
        Err(message) if session.setup_failed() => eprintln!("{message}"),
        Err(message) => {
            // A TLS setup failure is printed by redis-cli's quiet first
            // connect too (only the socket's errors are quiet), then again
            // when the command connects.
            if message.starts_with("Could not negotiate a TLS connection") {
                eprintln!("{message}");
            }
            eprintln!("{message}");
            return 1;
        }
    }
    f(opts, &mut session)
}

/// No command: the interactive shell ([`crate::repl::run`]) when stdin is
/// a terminal; lines piped in run one by one as `redis-cli` runs them
/// (no prompt, no line editing).
fn shell(opts: &Options) -> i32 {
    let mut session = Session::new(opts);
    session.set_interactive(true);
    if let Err(message) = session.connect() {
        eprintln!("{message}");
    }
    if crate::term::stdin_is_tty() {
        return crate::repl::run(session, opts);
    }
    lines::run(opts, &mut session, false)
}

/// After a Lua debugging session ends, the shell goes on with plain
/// commands, as `redis-cli`'s `repl` does.
fn after_debugging(opts: &Options, session: &mut Session) -> i32 {
    session.set_interactive(true);
    if crate::term::stdin_is_tty() {
        let session = std::mem::replace(session, Session::new(opts));
        return crate::repl::run(session, opts);
    }
    lines::run(opts, session, false)
}

/// Prints `message` (with a newline) on stderr and returns exit code 1.
pub(crate) fn fail(message: &str) -> i32 {
    let _ = std::io::stdout().flush();
    eprintln!("{message}");
    1
}
