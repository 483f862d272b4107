//! One command from the command line (`noninteractive`): `-x`, `-X`,
//! `--quoted-input`, `-r`, `-i`, `-e`.

use std::io::Read;

use crate::options::Options;
use crate::session::{Outcome, Session};

pub(super) fn run(opts: &Options, session: &mut Session) -> i32 {
    let mut argv = if opts.quoted_input {
        match opts
            .args
            .iter()
            .map(|a| crate::split::unquote(a))
            .collect::<Option<Vec<_>>>()
        {
            Some(argv) => argv,
            None => {
                println!("Invalid quoted string");
                return 1;
            }
        }
    } else {
        opts.args.clone()
    };
    if opts.stdin_last_arg {
        argv.push(read_stdin());
    } else if let Some(tag) = &opts.stdin_tag {
        match argv.iter().position(|a| a == tag) {
            Some(i) => argv[i] = read_stdin(),
            None => {
                eprintln!("Using -X option but stdin tag not match.");
                return 1;
            }
        }
    }
    exit_code(opts, execute(session, argv, opts.repeat))
}

/// Runs `argv` `repeat` times on the process's stdout and stderr.
pub(super) fn execute(session: &mut Session, argv: Vec<Vec<u8>>, repeat: i64) -> Outcome {
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let (mut out, mut err) = (stdout.lock(), stderr.lock());
    session.execute_repeat(argv, repeat, &mut out, &mut err)
}

/// The exit code for how a command ended.
pub(super) fn exit_code(opts: &Options, outcome: Outcome) -> i32 {
    match outcome {
        Outcome::Ok | Outcome::Quit | Outcome::Interrupted => 0,
        Outcome::ErrorReply if opts.set_errcode => 1,
        Outcome::ErrorReply => 0,
        Outcome::Failed => 1,
    }
}

/// All of stdin, for `-x` and `-X`.
fn read_stdin() -> Vec<u8> {
    let mut arg = Vec::new();
    if let Err(e) = std::io::stdin().lock().read_to_end(&mut arg) {
        eprintln!("Reading from standard input: {e}");
        std::process::exit(1);
    }
    arg
}
