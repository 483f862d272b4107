//! The interactive shell: what `redis-cli` runs when no command is given
//! and standard input is a terminal.
//!
//! [`run`] reads lines with a line editor (rustyline, the Rust port of the
//! linenoise library `redis-cli` uses) and runs them on a
//! [`Session`] the way `redis-cli` 7.0's `repl()` does:
//!
//! * the prompt is the session's: `127.0.0.1:6379> `, `[2]` for database
//!   2, `(TX)` inside `MULTI`, `redis /path.sock> `, `not connected> `
//!   (after a lost connection the next command reconnects);
//! * hints show a command's arguments as it is typed, TAB completes
//!   command names (and help topics after `help `), from the server's
//!   `COMMAND DOCS`, or the built-in 7.0.15 table when the server does
//!   not answer it ([`help`]);
//! * `help`, `help <command>`, `help @<group>`, `clear`, `quit`, `exit`,
//!   `connect <host> <port>`, `:set hints`, `:set nohints`, repeat counts
//!   (`3 PING`), and the time a command took when it took 0.5 s or more;
//! * history in `~/.rediscli_history` (or `REDISCLI_HISTFILE`;
//!   `/dev/null` keeps it in memory only), without the lines that carry
//!   passwords ([`history`]); preferences from `~/.redisclirc` (or
//!   `REDISCLI_RCFILE`);
//! * Ctrl-C or Ctrl-D at the prompt leave the shell (exit code 0); Ctrl-C
//!   while `SUBSCRIBE` or `MONITOR` streams goes back to the prompt; Ctrl-C
//!   while any other command waits for its reply ends the program with exit
//!   code 1, as in `redis-cli`.

pub mod editor;
pub mod help;
pub mod history;

use std::io::{self, Write};
use std::time::Instant;

use rustyline::config::{BellStyle, CompletionType, Config, EditMode};
use rustyline::error::ReadlineError;
use rustyline::history::{DefaultHistory, History as _};
use rustyline::Editor;

use crate::format::OutputMode;
use crate::options::Options;
use crate::session::{Outcome, Session};
use crate::split::{split_line, SplitError, SplitLine};

use editor::ShellHelper;
use help::HelpTable;
use history::History;

/// Runs the interactive shell on `session` until `quit`, `exit`, Ctrl-D or
/// Ctrl-C at the prompt; returns the exit code (0, or 1 when the terminal
/// fails).
///
/// `main` calls it when no command is given and standard input is a
/// terminal, after [`Session::connect`] (whose failure it reports: the
/// shell then starts with `not connected> `, and the next command tries
/// again), as `redis-cli` calls `cliConnect` before its `repl`. `options`
/// gives the output mode the elapsed times depend on.
pub fn run(session: Session, options: &Options) -> i32 {
    let mut shell = match Shell::new(session, options) {
        Ok(shell) => shell,
        Err(e) => {
            eprintln!("redis-cli-rs: cannot start the line editor: {e}");
            return 1;
        }
    };
    shell.run()
}

/// The shell's state between lines.
struct Shell {
    session: Session,
    editor: Editor<ShellHelper, DefaultHistory>,
    history: History,
    /// Whether the help table came from the server (else it is the
    /// built-in one, replaced once a server answers `COMMAND DOCS`).
    docs_from_server: bool,
    /// Whether standard output is a terminal (colors in `help`).
    color: bool,
    /// Whether elapsed times are printed (standard output mode).
    show_elapsed: bool,
}

impl Shell {
    fn new(mut session: Session, options: &Options) -> rustyline::Result<Shell> {
        session.set_interactive(true);
        let config = Config::builder()
            .edit_mode(EditMode::Emacs)
            .completion_type(CompletionType::Circular)
            .bell_style(BellStyle::Audible)
            .max_history_size(history::MAX_LEN)?
            .history_ignore_dups(true)?
            .auto_add_history(false)
            // Pasted lines run one by one, as in redis-cli.
            .bracketed_paste(false)
            .build();
        let mut editor = Editor::with_config(config)?;
        editor.set_helper(Some(ShellHelper::new(HelpTable::builtin())));

        let tty = stdin_is_tty();
        // History and preferences only when a person types (redis-cli).
        let mut history = History::new(None);
        if tty {
            history = History::new(history::dotfile_path(
                history::HISTFILE_ENV,
                history::HISTFILE_DEFAULT,
            ));
            history.load();
            for line in history.entries() {
                let _ = editor.history_mut().add(line);
            }
        }
        let mut shell = Shell {
            session,
            editor,
            history,
            docs_from_server: false,
            color: stdout_is_tty(),
            show_elapsed: options.output == OutputMode::Standard,
        };
        shell.load_docs();
        if tty {
            shell.load_preferences();
        }
        Ok(shell)
    }

    /// Replaces the built-in help table with the server's `COMMAND DOCS`,
    /// once, when connected.
    fn load_docs(&mut self) {
        // Not inside MULTI: COMMAND DOCS would be queued.
        if self.docs_from_server || !self.session.is_connected() || self.session.in_transaction() {
            return;
        }
        let argv = [b"COMMAND".to_vec(), b"DOCS".to_vec()];
        let Ok(reply) = self.session.conn_mut().call(&argv) else {
            return;
        };
        self.docs_from_server = true;
        if let Some(table) = HelpTable::from_command_docs(&reply) {
            if let Some(helper) = self.editor.helper_mut() {
                helper.table = table;
            }
        }
    }

    /// Reads `~/.redisclirc` (`cliLoadPreferences`).
    fn load_preferences(&mut self) {
        let Some(path) = history::dotfile_path(history::RCFILE_ENV, history::RCFILE_DEFAULT) else {
            return;
        };
        let Ok(text) = std::fs::read(&path) else {
            return;
        };
        for line in text.split(|&b| b == b'\n') {
            if let Ok(argv) = redis_blocking::resp_core::args::split_args(line) {
                if !argv.is_empty() {
                    self.set_preference(&argv, false);
                }
            }
        }
    }

    /// `:set hints`, `:set nohints` (`cliSetPreferences`).
    fn set_preference(&mut self, argv: &[Vec<u8>], interactive: bool) {
        let origin = if interactive { "" } else { ".redisclirc: " };
        let mut stdout = io::stdout();
        if argv[0].eq_ignore_ascii_case(b":set") && argv.len() >= 2 {
            let hints = if argv[1].eq_ignore_ascii_case(b"hints") {
                true
            } else if argv[1].eq_ignore_ascii_case(b"nohints") {
                false
            } else {
                let _ = writeln!(
                    stdout,
                    "{origin}unknown redis-cli preference '{}'",
                    String::from_utf8_lossy(&argv[1])
                );
                return;
            };
            if let Some(helper) = self.editor.helper_mut() {
                helper.hints = hints;
            }
        } else {
            let _ = writeln!(
                stdout,
                "{origin}unknown redis-cli internal command '{}'",
                String::from_utf8_lossy(&argv[0])
            );
        }
    }

    fn run(&mut self) -> i32 {
        loop {
            let prompt = self.session.prompt();
            if let Some(helper) = self.editor.helper() {
                helper.set_prompt_width(prompt.chars().count());
            }
            match self.editor.readline(&prompt) {
                Ok(line) => {
                    if let Some(code) = self.handle_line(&line) {
                        return code;
                    }
                }
                // linenoise returns NULL for both; redis-cli then exits 0.
                Err(ReadlineError::Interrupted | ReadlineError::Eof) => return 0,
                Err(e) => {
                    eprintln!("redis-cli-rs: {e}");
                    return 1;
                }
            }
        }
    }

    fn add_history(&mut self, line: &str) {
        let _ = self.editor.history_mut().add(line);
        if self.history.push(line.to_string()) {
            let _ = self.history.save();
        }
    }

    /// Runs one typed line; `Some(exit code)` when the shell ends.
    fn handle_line(&mut self, line: &str) -> Option<i32> {
        if line.is_empty() {
            return None;
        }
        let mut stdout = io::stdout();
        let SplitLine { repeat, argv } = match split_line(line) {
            Ok(Some(split)) => split,
            Ok(None) => return None,
            Err(e @ SplitError::InvalidArguments) => {
                let _ = stdout.write_all(e.message().as_bytes());
                let _ = stdout.flush();
                self.add_history(line);
                return None;
            }
            Err(e @ SplitError::InvalidRepeat) => {
                let _ = stdout.write_all(e.message().as_bytes());
                let _ = stdout.flush();
                return None;
            }
        };
        if !history::is_sensitive(&argv) {
            self.add_history(line);
        }
        let name = argv[0].to_ascii_lowercase();
        match name.as_slice() {
            b"quit" | b"exit" => return Some(0),
            _ if name.starts_with(b":") => self.set_preference(&argv, true),
            b"restart" => {
                let _ = stdout.write_all(b"Use 'restart' only in Lua debugging mode.\n");
                let _ = stdout.flush();
            }
            b"connect" if argv.len() == 3 => self.connect(&argv),
            b"clear" if argv.len() == 1 => {
                let _ = self.editor.clear_screen();
            }
            _ => {
                let start = Instant::now();
                if let Some(code) = self.issue(argv, repeat) {
                    return Some(code);
                }
                let elapsed = start.elapsed().as_secs_f64();
                if elapsed >= 0.5 && self.show_elapsed {
                    let _ = writeln!(stdout, "({elapsed:.2}s)");
                    let _ = stdout.flush();
                }
            }
        }
        None
    }

    /// `connect host port`: the session moves to another server.
    fn connect(&mut self, argv: &[Vec<u8>]) {
        let host = String::from_utf8_lossy(&argv[1]).into_owned();
        let port = crate::options::atoi(&argv[2]);
        self.session.set_address(&host, port);
        if let Err(message) = self.session.connect() {
            eprintln!("{message}");
        }
        self.docs_from_server = false;
        self.load_docs();
    }

    /// Runs a command `repeat` times (`issueCommandRepeat`): `help` and
    /// `?` locally, anything else on the server.
    fn issue(&mut self, argv: Vec<Vec<u8>>, repeat: u64) -> Option<i32> {
        let mut stdout = io::stdout();
        let name = argv[0].to_ascii_lowercase();
        if name == b"help" || name == b"?" {
            if let Some(helper) = self.editor.helper() {
                let banner = crate::options::version();
                let _ =
                    helper
                        .table
                        .write_help(&argv[1..], banner.trim_end(), self.color, &mut stdout);
            }
            let _ = stdout.flush();
            return None;
        }
        let streams = matches!(
            name.as_slice(),
            b"subscribe" | b"psubscribe" | b"ssubscribe" | b"monitor"
        );
        // Ctrl-C leaves a stream and comes back to the prompt; otherwise
        // it ends the program, as redis-cli's SIGINT handler does.
        if streams {
            crate::signal::install_sigint();
        } else {
            sigint_exits();
        }
        let mut stderr = io::stderr();
        let repeat = i64::try_from(repeat).unwrap_or(i64::MAX);
        let outcome = self
            .session
            .execute_repeat(argv, repeat, &mut stdout, &mut stderr);
        sigint_exits();
        let _ = crate::signal::take_interrupt();
        match outcome {
            Outcome::Quit => Some(0),
            _ => {
                self.load_docs();
                None
            }
        }
    }
}

extern "C" fn exit_on_sigint(_: libc::c_int) {
    // SAFETY: _exit is async-signal-safe.
    unsafe { libc::_exit(1) }
}

/// Makes SIGINT end the program with exit code 1 (redis-cli's
/// `sigIntHandler` outside MONITOR and SUBSCRIBE).
fn sigint_exits() {
    // SAFETY: the handler only calls _exit.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = exit_on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut());
    }
}

fn stdin_is_tty() -> bool {
    // SAFETY: isatty only inspects the descriptor.
    unsafe { libc::isatty(libc::STDIN_FILENO) == 1 }
}

fn stdout_is_tty() -> bool {
    // SAFETY: isatty only inspects the descriptor.
    unsafe { libc::isatty(libc::STDOUT_FILENO) == 1 }
}
