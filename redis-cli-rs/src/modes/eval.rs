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
    let mut keys = Vec::new();
    let mut args = Vec::new();
    let mut got_comma = false;
    for arg in &opts.args {
        if !got_comma && arg == b"," {
            got_comma = true;
        } else if got_comma {
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
    exit_code(opts, execute(session, argv, opts.repeat))
}
