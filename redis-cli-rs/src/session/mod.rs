//! One connection's state, and running commands on it the way `redis-cli`
//! does.
//!
//! A [`Session`] is created from parsed [`Options`]. It connects lazily
//! (or with [`Session::connect`]), and [`Session::execute`] runs one
//! command and prints its reply in the session's output mode, handling
//! `redis-cli`'s special cases:
//!
//! * `SELECT` changes the database shown in the prompt ([`Session::db`]);
//!   `AUTH` re-selects it; `MULTI` / `EXEC` / `DISCARD` track the
//!   transaction ([`Session::in_transaction`]); `RESET` forgets both.
//! * `SUBSCRIBE`, `PSUBSCRIBE`, `SSUBSCRIBE` and `MONITOR` stream what the
//!   server sends until Ctrl-C (see [`crate::signal`]) or the connection
//!   ends.
//! * Commands whose replies `redis-cli` always prints raw (`INFO`,
//!   `CLIENT LIST`, ...; see [`crate::format::prints_raw`]).
//! * RESP3 push messages print before the reply when pushes are shown.
//! * In the shell ([`Session::set_interactive`]), `QUIT` and `EXIT` end
//!   the shell without reaching the server, and a lost connection is
//!   reported and reopened by the next command.
//!
//! # Example
//!
//! ```no_run
//! use redis_cli_rs::{options, session::{Outcome, Session}};
//!
//! let opts = options::parse_with(["-p", "6379"].map(Into::into), true).unwrap();
//! let mut session = Session::new(&opts);
//! session.set_interactive(true);
//! if let Err(message) = session.connect() {
//!     eprintln!("{message}");
//! }
//! let (mut out, mut err) = (std::io::stdout(), std::io::stderr());
//! let outcome = session.execute(vec![b"PING".to_vec()], &mut out, &mut err);
//! assert_eq!(outcome, Outcome::Ok);
//! println!("prompt would be {:?}", session.prompt());
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use resp_core::{Frame, OwnedFrame};

use crate::conn::{Conn, ReadError};
use crate::format::{self, Delimiters, OutputMode};
use crate::options::{Options, TlsSettings};

mod connect;
mod stream;

/// How running a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// The command ran; its reply was printed.
    Ok,
    /// The server answered with an error, which was printed (on `out`, or
    /// on `err` with `-e`).
    ErrorReply,
    /// Not connected, or the connection failed: the reason was printed on
    /// `err`. In the shell the next command reconnects.
    Failed,
    /// `QUIT` or `EXIT` typed in the shell: leave it (exit code 0).
    Quit,
    /// Ctrl-C ended a `MONITOR` or `SUBSCRIBE` stream; the session
    /// reconnected (or tried to) and can go on.
    Interrupted,
}

/// One connection to a server, and what `redis-cli` tracks about it.
pub struct Session {
    host: String,
    port: i64,
    socket: Option<PathBuf>,
    tls: Option<TlsSettings>,
    user: Option<Vec<u8>>,
    password: Option<Vec<u8>>,
    /// `config.resp3`: `HELLO 3` is sent on connect.
    resp3: bool,
    conn: Option<Conn>,
    /// The database the server has selected on this connection.
    db: i64,
    /// The database to select on (re)connect.
    input_db: i64,
    in_multi: bool,
    pre_multi_db: i64,
    output: OutputMode,
    mb_delim: Vec<u8>,
    cmd_delim: Vec<u8>,
    show_pushes: bool,
    set_errcode: bool,
    interval: Option<Duration>,
    interactive: bool,
    /// `-c`: follow `MOVED` and `ASK`.
    cluster: bool,
    /// `-t`: the longest wait to connect and for each reply.
    timeout: Option<Duration>,
    /// hiredis' `context->errstr` after a connect that opened a socket
    /// but failed in its setup (empty after a refusal); `None` otherwise.
    context_error: Option<String>,
}

impl Session {
    /// A session for `options` (address, credentials, database, protocol,
    /// output mode, delimiters, `--show-pushes`, `-e`, `-i`); not
    /// connected yet.
    pub fn new(options: &Options) -> Session {
        Session {
            host: options.host.clone(),
            port: options.port,
            socket: options.socket.clone(),
            tls: options.tls.then(|| options.tls_settings.clone()),
            user: options.user.clone(),
            password: options.password.clone(),
            resp3: options.protocol.is_resp3(),
            conn: None,
            db: 0,
            input_db: options.db,
            in_multi: false,
            pre_multi_db: 0,
            output: options.output,
            mb_delim: options.mb_delim.clone(),
            cmd_delim: options.cmd_delim.clone(),
            show_pushes: options.show_pushes,
            set_errcode: options.set_errcode,
            interval: options.interval,
            interactive: false,
            cluster: options.cluster,
            timeout: options.timeout,
            context_error: None,
        }
    }

    /// Says whether this session serves the interactive shell (or piped
    /// lines): `QUIT`/`EXIT` then end it locally, `-e` does not apply, and
    /// a lost connection is reopened by the next command.
    pub fn set_interactive(&mut self, interactive: bool) {
        self.interactive = interactive;
    }

    /// The host name (meaningless when [`Session::socket`] is set).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The port, as given (`redis-cli` does not check it).
    pub fn port(&self) -> i64 {
        self.port
    }

    /// The Unix socket, when connecting through one.
    pub fn socket(&self) -> Option<&Path> {
        self.socket.as_deref()
    }

    /// The database selected (0 unless `-n`, a URI or `SELECT` changed it).
    pub fn db(&self) -> i64 {
        self.db
    }

    /// True between a successful `MULTI` and its `EXEC` / `DISCARD`.
    pub fn in_transaction(&self) -> bool {
        self.in_multi
    }

    /// True while a connection is open.
    pub fn is_connected(&self) -> bool {
        self.conn.is_some()
    }

    /// The output mode.
    pub fn output_mode(&self) -> OutputMode {
        self.output
    }

    /// Changes the output mode (the shell's `:raw`-like settings).
    pub fn set_output_mode(&mut self, mode: OutputMode) {
        self.output = mode;
    }

    /// Points the session at another server (the shell's `connect host
    /// port`); the current connection is closed, the next
    /// [`Session::connect`] or command opens the new one.
    pub fn set_address(&mut self, host: &str, port: i64) {
        self.host = host.to_owned();
        self.port = port;
        self.socket = None;
        self.conn = None;
    }

    /// The prompt `redis-cli` shows: `127.0.0.1:6379> `,
    /// `127.0.0.1:6379[2]> `, `127.0.0.1:6379(TX)> `, `redis /tmp/r.sock> `,
    /// IPv6 hosts in brackets, or `not connected> `.
    pub fn prompt(&self) -> String {
        if self.conn.is_none() {
            return "not connected> ".into();
        }
        let mut prompt = match &self.socket {
            Some(path) => format!("redis {}", path.display()),
            None if self.host.contains(':') => format!("[{}]:{}", self.host, self.port),
            None => format!("{}:{}", self.host, self.port),
        };
        if self.db != 0 {
            prompt.push_str(&format!("[{}]", self.db));
        }
        if self.in_multi {
            prompt.push_str("(TX)");
        }
        prompt.push_str("> ");
        prompt
    }

    fn delims(&self) -> Delimiters<'_> {
        Delimiters {
            items: &self.mb_delim,
            reply: &self.cmd_delim,
        }
    }

    /// Runs `argv` once; see [`Session::execute_repeat`].
    pub fn execute(
        &mut self,
        argv: Vec<Vec<u8>>,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> Outcome {
        self.execute_repeat(argv, 1, out, err)
    }

    /// Runs `argv` `repeat` times (a negative count: for ever), pausing
    /// `-i` between runs, and prints each reply as `redis-cli` does.
    /// Connects first when not connected, printing why it cannot on
    /// `err`.
    pub fn execute_repeat(
        &mut self,
        argv: Vec<Vec<u8>>,
        repeat: i64,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> Outcome {
        if argv.is_empty() {
            return Outcome::Ok;
        }
        let name = argv[0].to_ascii_lowercase();
        if self.interactive && (name == b"quit" || name == b"exit") {
            return Outcome::Quit;
        }
        if name == b"help" || name == b"?" {
            // As `issueCommandRepeat`: help is printed locally, once
            // whatever `-r` says, without a connection, in colour whatever
            // the output (the shell has its own, from the server's COMMAND
            // DOCS).
            let table = crate::repl::help::HelpTable::builtin();
            let banner = crate::options::version();
            let _ = table.write_help(&argv[1..], banner.trim_end(), true, out);
            let _ = out.flush();
            return Outcome::Ok;
        }
        if self.conn.is_none() && !self.connect_for_command(err) {
            return Outcome::Failed;
        }
        let outcome = self.send_command(&argv, &name, repeat, out, err);
        let _ = out.flush();
        outcome
    }

    fn send_command(
        &mut self,
        argv: &[Vec<u8>],
        name: &[u8],
        repeat: i64,
        out: &mut dyn Write,
        err: &mut dyn Write,
    ) -> Outcome {
        let raw_strings = format::prints_raw(argv);
        let shutdown = name == b"shutdown";
        let mut remaining = repeat;
        let mut outcome = Outcome::Ok;
        while remaining != 0 {
            if remaining > 0 {
                remaining -= 1;
            }
            let streams = match name {
                b"monitor" => Some(stream::Kind::Monitor),
                b"subscribe" | b"psubscribe" | b"ssubscribe" => Some(stream::Kind::Subscribe),
                _ => None,
            };
            if let Some(kind) = streams {
                return match self.conn_mut().start_stream(argv) {
                    Ok(()) => self.stream(kind, raw_strings, out, err),
                    Err(e) => self.connection_failed(&e, shutdown, err),
                };
            }
            let reply = match self.call_printing_pushes(argv, out) {
                Ok(reply) => reply,
                Err(e) => return self.connection_failed(&e, shutdown, err),
            };
            // `-c`: a redirect moves the session to the node it names and
            // the command is sent again there (after ASKING for an ASK),
            // its error never printed, as `cliReadReply` does.
            if let Some((slot, host, port, ask)) = self.redirect_of(&reply) {
                if self.interactive {
                    let _ = writeln!(
                        out,
                        "-> Redirected to slot [{slot}] located at {host}:{port}"
                    );
                }
                self.set_address(&host, port);
                if !self.connect_for_command(err) {
                    return Outcome::Failed;
                }
                if ask {
                    if let Err(e) = self.conn_mut().call(&[b"ASKING".to_vec()]) {
                        return self.connection_failed(&e, shutdown, err);
                    }
                }
                if remaining >= 0 {
                    remaining += 1;
                }
                continue;
            }
            let is_error = reply.is_error();
            if is_error && self.set_errcode && !self.interactive {
                let text = match format::plain(&reply) {
                    Frame::Error(e) | Frame::BulkError(e) => format::until_nul(e).to_vec(),
                    _ => Vec::new(),
                };
                let _ = err.write_all(&text);
                let _ = err.write_all(b"\n");
                return Outcome::ErrorReply;
            }
            let text = format::format_reply(&reply, self.output, raw_strings, self.delims());
            let _ = out.write_all(&text);
            let _ = out.flush();
            self.track_state(argv, name, &reply, err);
            outcome = if is_error {
                Outcome::ErrorReply
            } else {
                Outcome::Ok
            };
            if let Some(pause) = self.interval {
                std::thread::sleep(pause);
            }
        }
        outcome
    }

    /// Runs `argv` and returns its reply, printing the push messages that
    /// came first when pushes are shown.
    fn call_printing_pushes(
        &mut self,
        argv: &[Vec<u8>],
        out: &mut dyn Write,
    ) -> Result<OwnedFrame, ReadError> {
        let conn = self.conn.as_mut().expect("connected");
        let (show, mode) = (self.show_pushes, self.output);
        let delims = Delimiters {
            items: &self.mb_delim,
            reply: &self.cmd_delim,
        };
        conn.call_with_pushes(argv, &mut |push| {
            if show {
                let _ = out.write_all(&format::format_push(&push, mode, delims));
            }
        })
    }

    /// What `redis-cli` remembers from a reply: the database, the
    /// transaction, the protocol.
    fn track_state(
        &mut self,
        argv: &[Vec<u8>],
        name: &[u8],
        reply: &OwnedFrame,
        err: &mut dyn Write,
    ) {
        let failed = reply.is_error();
        let argc = argv.len();
        match name {
            b"select" if argc == 2 && !failed => {
                self.db = crate::options::atoi(&argv[1]) as i32 as i64;
                self.input_db = self.db;
            }
            b"auth" if argc == 2 || argc == 3 => {
                if let Err(message) = self.select_input_db() {
                    let _ = writeln!(err, "{message}");
                }
            }
            b"multi" if argc == 1 && !failed => {
                self.in_multi = true;
                self.pre_multi_db = self.db;
            }
            b"exec" if argc == 1 && self.in_multi => {
                self.in_multi = false;
                if failed || reply.is_null() {
                    self.db = self.pre_multi_db;
                    self.input_db = self.db;
                }
            }
            b"discard" if argc == 1 && !failed => {
                self.in_multi = false;
                self.db = self.pre_multi_db;
                self.input_db = self.db;
            }
            b"reset" if argc == 1 && !failed => {
                self.in_multi = false;
                self.db = 0;
                self.input_db = 0;
                self.resp3 = false;
            }
            _ => {}
        }
    }

    /// A connection that failed while running a command: reported as
    /// `redis-cli` reports it, and closed.
    /// With `-c`, the slot and target of a `MOVED` or `ASK` error reply,
    /// split where `redis-cli` splits it (first and second space, last
    /// colon); and whether it is an `ASK`.
    fn redirect_of(&self, reply: &OwnedFrame) -> Option<(i64, String, i64, bool)> {
        if !self.cluster {
            return None;
        }
        let Frame::Error(line) = reply else {
            return None;
        };
        let ask = line.starts_with(b"ASK ");
        if !ask && !line.starts_with(b"MOVED ") {
            return None;
        }
        let text = String::from_utf8_lossy(line);
        let mut words = text.splitn(3, ' ');
        let (_, slot, target) = (words.next()?, words.next()?, words.next()?);
        let (host, port) = target.rsplit_once(':')?;
        Some((
            crate::options::atoi(slot.as_bytes()),
            host.to_owned(),
            crate::options::atoi(port.as_bytes()),
            ask,
        ))
    }

    fn connection_failed(&mut self, e: &ReadError, shutdown: bool, err: &mut dyn Write) -> Outcome {
        self.conn = None;
        self.in_multi = false;
        if shutdown {
            // SHUTDOWN worked: the server hung up, as it should.
            return Outcome::Ok;
        }
        let _ = writeln!(err, "Error: {e}");
        Outcome::Failed
    }

    pub(crate) fn conn_mut(&mut self) -> &mut Conn {
        self.conn.as_mut().expect("connected")
    }

    /// The connection, for the special modes, which drive it themselves.
    pub(crate) fn take_conn(&mut self) -> Option<Conn> {
        self.conn.take()
    }
}

#[cfg(test)]
mod tests;
