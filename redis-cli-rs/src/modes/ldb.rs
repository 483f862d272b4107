//! `--ldb` / `--ldb-sync-mode` with `--eval`: the Lua debugger, as
//! `redis-cli`'s `evalMode` and `repl` run it.
//!
//! `SCRIPT DEBUG yes` (or `sync`), then the `EVAL`; the server answers
//! each debugger command (`step`, `print`, `break`, `eval`, `redis`,
//! `help`, ...) with an array of status lines, printed raw and coloured
//! by their tags when `TERM` names an xterm. When a reply holds
//! `<endsession>`, the `EVAL`'s own reply follows; it is printed in
//! standard mode with `(Lua debugging session ended ...)`, and the shell
//! goes on as a plain `redis-cli` shell. `restart` runs the script again,
//! `quit` leaves. Lines come from the terminal (prompt `lua debugger> `)
//! or, without one, from stdin.

use std::io::{BufRead, Write};

use resp_core::{Frame, OwnedFrame};

use crate::format::{self, Delimiters, OutputMode};
use crate::options::Options;
use crate::session::Session;
use crate::split::{split_line_bytes, SplitLine};

use super::eval::eval_argv;

/// `sdscatcolor` of `sdsCatColorizedLdbReply`: the colour a debugger line
/// gets from its tag.
fn colorize(line: &[u8], out: &mut Vec<u8>) {
    let has = |tag: &[u8]| line.windows(tag.len()).any(|w| w == tag);
    let mut color = "white";
    if has(b"<debug>") {
        color = "bold";
    }
    if has(b"<redis>") {
        color = "green";
    }
    if has(b"<reply>") {
        color = "cyan";
    }
    if has(b"<error>") {
        color = "red";
    }
    if has(b"<hint>") {
        color = "bold";
    }
    if has(b"<value>") || has(b"<retval>") {
        color = "magenta";
    }
    if line.len() > 4 && line[3].is_ascii_digit() {
        if line[1] == b'>' {
            color = "yellow";
        } else if line[2] == b'#' {
            color = "bold";
        }
    }
    let bold = i32::from(color == "bold");
    let code = match color {
        "red" => 31,
        "green" => 32,
        "yellow" => 33,
        "magenta" => 35,
        "cyan" => 36,
        _ => 37,
    };
    out.extend_from_slice(format!("\x1b[{bold};{code};49m").as_bytes());
    out.extend_from_slice(line);
    out.extend_from_slice(b"\x1b[0m");
}

/// How a debugger reply prints.
struct Printer<'a> {
    /// `TERM` names an xterm.
    color: bool,
    /// `-d`.
    items: &'a [u8],
    /// Still debugging (until `<endsession>`).
    debugging: bool,
}

impl Printer<'_> {
    /// `cliFormatReplyRaw` while debugging: status lines coloured, the end
    /// of the session noticed (and not printed).
    fn raw(&mut self, frame: &Frame<'_>, out: &mut Vec<u8>) {
        match format::plain(frame) {
            Frame::Simple(line) if self.debugging => {
                let line = format::until_nul(line);
                if line.starts_with(b"<endsession>") {
                    self.debugging = false;
                } else if self.color {
                    colorize(line, out);
                } else {
                    out.extend_from_slice(line);
                }
            }
            Frame::Array(items) | Frame::Set(items) | Frame::Push(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        out.extend_from_slice(self.items);
                    }
                    self.raw(item, out);
                }
            }
            other => out.extend_from_slice(&format::format_reply(
                other,
                OutputMode::Raw,
                true,
                Delimiters {
                    items: self.items,
                    reply: b"",
                },
            )),
        }
    }
}

/// Where lines come from: the terminal's line editor, or stdin.
enum Input {
    Editor(Box<rustyline::DefaultEditor>),
    Stdin,
}

impl Input {
    fn new() -> Input {
        if crate::term::stdin_is_tty() {
            if let Ok(editor) = rustyline::DefaultEditor::new() {
                return Input::Editor(Box::new(editor));
            }
        }
        Input::Stdin
    }

    /// The next line; `None` at the end of input (or Ctrl-C / Ctrl-D).
    fn line(&mut self, prompt: &str) -> Option<Vec<u8>> {
        match self {
            Input::Editor(editor) => {
                let line = editor.readline(prompt).ok()?;
                let _ = editor.add_history_entry(line.as_str());
                Some(line.into_bytes())
            }
            Input::Stdin => {
                let mut line = Vec::new();
                match std::io::stdin().lock().read_until(b'\n', &mut line) {
                    Ok(0) | Err(_) => None,
                    Ok(_) => {
                        while matches!(line.last(), Some(b'\n' | b'\r')) {
                            line.pop();
                        }
                        Some(line)
                    }
                }
            }
        }
    }
}

/// `cliSplitArgs` while debugging: `eval <code>` and `e <code>` keep the
/// code as one argument.
fn split(line: &[u8]) -> Result<Option<SplitLine>, &'static str> {
    for prefix in [&b"eval "[..], b"e "] {
        if let Some(code) = line.strip_prefix(prefix) {
            return Ok(Some(SplitLine {
                repeat: 1,
                argv: vec![prefix[..prefix.len() - 1].to_vec(), code.to_vec()],
            }));
        }
    }
    split_line_bytes(line).map_err(|e| e.message())
}

/// Reads one reply; exits as `redis-cli` does when the connection fails.
fn next_reply(session: &mut Session) -> OwnedFrame {
    match session.conn_mut().next_frame(None) {
        Ok(Some(frame)) => frame,
        Ok(None) => next_reply(session),
        Err(e) => {
            let _ = std::io::stdout().flush();
            eprintln!("Error: {e}");
            std::process::exit(1);
        }
    }
}

/// Sends `argv` on the (streaming) connection and prints the debugger's
/// reply; false once the session ended.
fn send(session: &mut Session, printer: &mut Printer<'_>, argv: &[Vec<u8>], delim: &[u8]) {
    if let Err(e) = session.conn_mut().start_stream(argv) {
        eprintln!("Error: {e}");
        std::process::exit(1);
    }
    let reply = next_reply(session);
    let mut out = Vec::new();
    printer.raw(&reply, &mut out);
    out.extend_from_slice(delim);
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(&out);
    let _ = stdout.flush();
}

/// The end of a session: the `EVAL`'s reply in standard mode.
fn print_result(session: &mut Session) {
    let reply = next_reply(session);
    let text = format::format_reply(&reply, OutputMode::Standard, false, Delimiters::default());
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(&text);
    let _ = stdout.flush();
}

pub(super) fn run(opts: &Options, session: &mut Session) -> i32 {
    let Some(path) = &opts.eval else {
        return 1;
    };
    let color = std::env::var("TERM").is_ok_and(|t| t.contains("xterm"));
    let mut input = Input::new();
    loop {
        print!(
            "Lua debugging session started, please use:\n\
             quit    -- End the session.\n\
             restart -- Restart the script in debug mode again.\n\
             help    -- Show Lua script debugging commands.\n\n"
        );
        let _ = std::io::stdout().flush();
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
        let mode = if opts.ldb_sync { "sync" } else { "yes" };
        let _ = session.call(&[b"SCRIPT".to_vec(), b"DEBUG".to_vec(), mode.into()]);
        if !session.is_connected() {
            eprintln!("Error: Server closed the connection");
            return 1;
        }
        let mut printer = Printer {
            color,
            items: &opts.mb_delim,
            debugging: true,
        };
        send(
            session,
            &mut printer,
            &eval_argv(opts, script),
            &opts.cmd_delim,
        );
        if !printer.debugging {
            println!("Eval debugging session can't start:");
            print_result(session);
            return 0;
        }
        match debug_lines(opts, session, &mut printer, &mut input) {
            Step::Quit => return 0,
            Step::Restart => {
                let _ = session.reconnect();
                println!();
            }
            Step::Ended => {
                session.set_output_mode(OutputMode::Standard);
                // The server closes the connection after the session's
                // last reply; redis-cli finds it closed and opens another.
                let _ = session.reconnect();
                return super::after_debugging(opts, session);
            }
        }
    }
}

/// How a debugging session ended.
enum Step {
    Quit,
    Restart,
    Ended,
}

/// The debugger's prompt loop.
fn debug_lines(
    opts: &Options,
    session: &mut Session,
    printer: &mut Printer<'_>,
    input: &mut Input,
) -> Step {
    loop {
        let Some(line) = input.line("lua debugger> ") else {
            return Step::Quit;
        };
        if line.is_empty() {
            continue;
        }
        let SplitLine { repeat, argv } = match split(&line) {
            Ok(Some(split)) => split,
            Ok(None) => continue,
            Err(message) => {
                print!("{message}");
                let _ = std::io::stdout().flush();
                continue;
            }
        };
        let name = argv[0].to_ascii_lowercase();
        match name.as_slice() {
            b"quit" | b"exit" => return Step::Quit,
            b"restart" => return Step::Restart,
            _ => {}
        }
        for _ in 0..repeat.max(1) {
            send(session, printer, &argv, &opts.cmd_delim);
            if !printer.debugging {
                break;
            }
        }
        if !printer.debugging {
            print_result(session);
            println!(
                "\n(Lua debugging session ended{})\n",
                if opts.ldb_sync {
                    ""
                } else {
                    " -- dataset changes rolled back"
                }
            );
            return Step::Ended;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_coloured_by_tag() {
        let mut out = Vec::new();
        colorize(b"-> 1   local a = 1", &mut out);
        assert_eq!(out, b"\x1b[0;33;49m-> 1   local a = 1\x1b[0m");
        let mut out = Vec::new();
        colorize(b"<redis> ping", &mut out);
        assert_eq!(out, b"\x1b[0;32;49m<redis> ping\x1b[0m");
        let mut out = Vec::new();
        colorize(b"  #3   return", &mut out);
        assert_eq!(out, b"\x1b[1;37;49m  #3   return\x1b[0m");
    }

    #[test]
    fn eval_keeps_the_code_whole() {
        let split = split(b"eval redis.call('set', 'a b', 1)").unwrap().unwrap();
        assert_eq!(
            split.argv,
            [b"eval".to_vec(), b"redis.call('set', 'a b', 1)".to_vec()]
        );
        let split = super::split(b"e 1 + 1").unwrap().unwrap();
        assert_eq!(split.argv[0], b"e");
        assert_eq!(super::split(b"print a").unwrap().unwrap().argv.len(), 2);
    }
}
