//! Opening the connection: `cliConnect`, `cliAuth`, `cliSelect`,
//! `cliSwitchProto`.

use resp_core::Frame;

use super::Session;
use crate::conn::{Conn, Target};
use crate::format::until_nul;

impl Session {
    /// Opens the connection (closing any open one), then authenticates,
    /// selects the database and switches to RESP3 as the options say,
    /// printing nothing.
    ///
    /// # Errors
    ///
    /// What `redis-cli` prints on stderr, without the last newline: `Could
    /// not connect to Redis at HOST:PORT: REASON` when the socket could not
    /// be opened ([`Session::is_connected`] is then false); otherwise the
    /// first setup step that failed ends the setup, as in `cliConnect`:
    /// `AUTH failed: ...`, `SELECT N failed: ...` or `HELLO 3 failed: ...`
    /// when it was refused (the connection then stays open and usable), or
    /// `\nI/O error` when the server hung up instead of answering (the
    /// connection is then closed).
    pub fn connect(&mut self) -> Result<(), String> {
        self.conn = None;
        self.in_multi = false;
        self.db = 0;
        self.context_error = None;
        let target = match &self.socket {
            Some(path) => Target::Unix(path),
            None => Target::Tcp {
                host: &self.host,
                port: self.port,
            },
        };
        if let (Some(settings), None) = (&self.tls, &self.socket) {
            crate::conn::ciphers::configure(settings)
                .map_err(|e| format!("Could not negotiate a TLS connection: {e}"))?;
        }
        let conn =
            Conn::connect(&target, self.tls.as_ref(), self.timeout).map_err(
                |reason| match &self.socket {
                    Some(path) => {
                        format!("Could not connect to Redis at {}: {reason}", path.display())
                    }
                    None => format!(
                        "Could not connect to Redis at {}:{}: {reason}",
                        self.host, self.port
                    ),
                },
            )?;
        self.conn = Some(conn);
        let result = self.setup();
        if result.is_err() && self.context_error.is_none() {
            // A refusal: the connection is fine, its error string empty.
            self.context_error = Some(String::new());
        }
        result
    }

    /// `cliAuth`, `cliSelect`, `cliSwitchProto`, in this order; the first
    /// that fails ends the setup.
    fn setup(&mut self) -> Result<(), String> {
        if let Some(password) = self.password.clone() {
            let mut argv = vec![b"AUTH".to_vec()];
            argv.extend(self.user.clone());
            argv.push(password);
            self.setup_call(argv, "AUTH failed")?;
        }
        self.select_input_db()?;
        if self.resp3 {
            self.setup_call(vec![b"HELLO".to_vec(), b"3".to_vec()], "HELLO 3 failed")?;
        }
        Ok(())
    }

    /// The connect step of `issueCommandRepeat`, for a command about to be
    /// sent without a connection: on failure, prints what `cliConnect`
    /// says, then `Error: <reason>` when a socket was opened
    /// (`cliPrintContextError`; the reason is empty after a refused setup
    /// step), and returns false: the command is not sent.
    pub(crate) fn connect_for_command(&mut self, err: &mut dyn std::io::Write) -> bool {
        match self.connect() {
            Ok(()) => true,
            Err(message) => {
                let _ = writeln!(err, "{message}");
                if let Some(reason) = self.context_error.take() {
                    let _ = writeln!(err, "Error: {reason}");
                }
                false
            }
        }
    }

    /// True when the last [`Session::connect`] opened a socket but a
    /// setup step failed (refused, or the server hung up).
    pub(crate) fn setup_failed(&self) -> bool {
        self.context_error.is_some()
    }

    /// Closes the connection and opens it again; see [`Session::connect`].
    ///
    /// # Errors
    ///
    /// As [`Session::connect`].
    pub fn reconnect(&mut self) -> Result<(), String> {
        self.connect()
    }

    /// `cliSelect`: selects the database asked for when it is not the one
    /// selected.
    pub(super) fn select_input_db(&mut self) -> Result<(), String> {
        if self.input_db == self.db || self.conn.is_none() {
            return Ok(());
        }
        let db = self.input_db;
        self.setup_call(
            vec![b"SELECT".to_vec(), db.to_string().into_bytes()],
            &format!("SELECT {db} failed"),
        )?;
        self.db = db;
        Ok(())
    }

    /// Runs a setup command. `Err` with what `redis-cli` prints: `<what>:
    /// <error reply>` when refused; `\nI/O error` when no reply came (the
    /// connection is closed and the reason kept for
    /// [`Session::connect_for_command`]).
    fn setup_call(&mut self, argv: Vec<Vec<u8>>, what: &str) -> Result<(), String> {
        let Some(conn) = self.conn.as_mut() else {
            return Err("\nI/O error".into());
        };
        match conn.call(&argv) {
            Ok(Frame::Error(e) | Frame::BulkError(e)) => Err(format!(
                "{what}: {}",
                String::from_utf8_lossy(until_nul(&e))
            )),
            Ok(_) => Ok(()),
            Err(e) => {
                self.conn = None;
                self.context_error = Some(e.to_string());
                Err("\nI/O error".into())
            }
        }
    }

    /// Connects if needed, for the special modes: `Err` carries what to
    /// print; messages about refused setup steps are printed by the
    /// caller too, but do not stop it.
    pub(crate) fn ensure_connected(&mut self) -> Result<Vec<String>, String> {
        match self.connect() {
            Ok(()) => Ok(Vec::new()),
            Err(message) if self.conn.is_some() => Ok(vec![message]),
            Err(message) => Err(message),
        }
    }
}

impl Session {
    /// Sends one command and reads its reply (pushes skipped), for the
    /// special modes. Not connected counts as the server having closed.
    pub(crate) fn call(
        &mut self,
        argv: &[Vec<u8>],
    ) -> Result<resp_core::OwnedFrame, crate::conn::ReadError> {
        let result = match self.conn.as_mut() {
            Some(conn) => conn.call(argv),
            None => Err(crate::conn::ReadError::Closed),
        };
        if result.is_err() {
            self.conn = None;
        }
        result
    }

    /// `reconnectingRedisCommand`: runs `argv`, reconnecting (once a
    /// second, saying `Reconnecting... N` on stdout) for as long as the
    /// connection fails; once it has reconnected, the line is cleared
    /// after each try, whether it worked or not.
    pub(crate) fn call_reconnecting(&mut self, argv: &[Vec<u8>]) -> resp_core::OwnedFrame {
        use std::io::Write;
        let mut tries = 0;
        loop {
            while self.conn.is_none() {
                tries += 1;
                print!("\r\x1b[0KReconnecting... {tries}\r");
                let _ = std::io::stdout().flush();
                let _ = self.connect();
                std::thread::sleep(std::time::Duration::from_secs(1));
            }
            let result = self.call(argv);
            if tries > 0 {
                print!("\r\x1b[0K");
            }
            if let Ok(reply) = result {
                return reply;
            }
        }
    }
}

impl Session {
    /// Runs `commands` as one pipeline and returns their replies (pushes
    /// skipped).
    pub(crate) fn call_batch(
        &mut self,
        commands: &[Vec<Vec<u8>>],
    ) -> Result<Vec<resp_core::OwnedFrame>, crate::conn::ReadError> {
        let result = match self.conn.as_mut() {
            Some(conn) => conn.call_batch(commands),
            None => Err(crate::conn::ReadError::Closed),
        };
        if result.is_err() {
            self.conn = None;
        }
        result
    }
}
