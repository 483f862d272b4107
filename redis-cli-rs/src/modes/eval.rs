//! `--eval <file> [key ...] [, arg ...]`: `EVAL` with the script read
//! from a file; the arguments before a lone `,` are keys.

use crate::options::Options;
use crate::session::Session;

use super::command::{execute, exit_code};

pub(super) fn run(opts: &Options, session: &mut Session) -> i32 {
    let Some(path) = &opts.eval else {
        return 1;
    };
    let script = match std::fs::read(path) {
        Ok(script) => script,
        Err(e) => {
            return super::fail(&format!(
                "Can't open file '{}': {}",
                path.display(),
                crate::conn::strerror(&e)
            ))
        }
    };
    let argv = eval_argv(opts, script);
    exit_code(opts, execute(session, argv, opts.repeat))
}

/// The script's `EVAL` command line: the arguments before a lone `,` are
/// its keys, those after it its other arguments (`--eval` and `--ldb`).
pub(crate) fn eval_argv(opts: &Options, script: Vec<u8>) -> Vec<Vec<u8>> {
    let (mut keys, mut args, mut comma) = (Vec::new(), Vec::new(), false);
    for arg in &opts.args {
        if !comma && arg == b"," {
            comma = true;
        } else if comma {
            args.push(arg.clone());
        } else {
            keys.push(arg.clone());
        }
    }
    let mut argv = vec![
        b"EVAL".to_vec(),
        script,
        keys.len().to_string().into_bytes(),
    ];
    argv.extend(keys);
    argv.extend(args);
    argv
}
