//! Commands read line by line from stdin, as the `redis-cli` shell runs
//! them: the line splitting of [`crate::split`], a leading repeat count,
//! `quit` / `exit`, and the elapsed time after slow commands in standard
//! output mode.

use std::io::{BufRead, Write};
use std::time::Instant;

use crate::format::OutputMode;
use crate::options::Options;
use crate::session::{Outcome, Session};
use crate::split::split_line_bytes;

pub(super) fn run(opts: &Options, session: &mut Session, prompt: bool) -> i32 {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let stdout = std::io::stdout();
    let stderr = std::io::stderr();
    let mut line = Vec::new();
    loop {
        if prompt {
            let mut out = stdout.lock();
            let _ = write!(out, "{}", session.prompt());
            let _ = out.flush();
        }
        line.clear();
        match input.read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => return 0,
            Ok(_) => {}
        }
        while matches!(line.last(), Some(b'\n' | b'\r')) {
            line.pop();
        }
        let (mut out, mut err) = (stdout.lock(), stderr.lock());
        let command = match split_line_bytes(&line) {
            Ok(Some(command)) => command,
            Ok(None) => continue,
            Err(e) => {
                let _ = out.write_all(e.message().as_bytes());
                let _ = out.flush();
                continue;
            }
        };
        let start = Instant::now();
        let repeat = i64::try_from(command.repeat).unwrap_or(i64::MAX);
        let outcome = session.execute_repeat(command.argv, repeat, &mut out, &mut err);
        if outcome == Outcome::Quit {
            return 0;
        }
        let elapsed = start.elapsed();
        if elapsed.as_millis() >= 500 && session.output_mode() == OutputMode::Standard {
            let _ = writeln!(out, "({:.2}s)", elapsed.as_secs_f64());
        }
        let _ = out.flush();
        let _ = opts;
    }
}
