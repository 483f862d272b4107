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
    /// What `redis-cli` prints on stderr, one message per line without
    /// the last newline: `Could not connect to Redis at HOST:PORT: REASON`
    /// when the socket could not be opened ([`Session::is_connected`] is
    /// then false), or `AUTH failed: ...`, `SELECT N failed: ...`, `HELLO 3
    /// failed: ...` when a setup step was refused; as in `redis-cli`, the
    /// connection then stays open and usable.
    pub fn connect(&mut self) -> Result<(), String> {
        self.conn = None;
        self.in_multi = false;
        self.db = 0;
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
        let mut messages = Vec::new();
        if let Some(password) = self.password.clone() {
            let mut argv = vec![b"AUTH".to_vec()];
            argv.extend(self.user.clone());
            argv.push(password);
            match self.setup_call(argv) {
                Ok(()) => {}
                Err(e) => messages.push(format!("AUTH failed: {e}")),
            }
        }
        if let Err(message) = self.select_input_db() {
            messages.push(message);
        }
        if self.resp3 && self.conn.is_some() {
            if let Err(e) = self.setup_call(vec![b"HELLO".to_vec(), b"3".to_vec()]) {
                messages.push(format!("HELLO 3 failed: {e}"));
            }
        }
        if self.conn.is_none() {
            messages.push("Error: Server closed the connection".into());
        }
        if messages.is_empty() {
            Ok(())
        } else {
            Err(messages.join("\n"))
        }
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
        match self.setup_call(vec![b"SELECT".to_vec(), db.to_string().into_bytes()]) {
            Ok(()) => {
                self.db = db;
                Ok(())
            }
            Err(e) => Err(format!("SELECT {db} failed: {e}")),
        }
    }

    /// Runs a setup command; `Err` with the error reply's text.
    fn setup_call(&mut self, argv: Vec<Vec<u8>>) -> Result<(), String> {
        let Some(conn) = self.conn.as_mut() else {
            return Err("not connected".into());
        };
        match conn.call(&argv) {
            Ok(Frame::Error(e) | Frame::BulkError(e)) => {
                Err(String::from_utf8_lossy(until_nul(&e)).into_owned())
            }
            Ok(_) => Ok(()),
            Err(e) => {
                self.conn = None;
                Err(format!("I/O error: {e}"))
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
    /// connection fails.
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
            if let Ok(reply) = self.call(argv) {
                if tries > 0 {
                    print!("\r\x1b[0K");
                }
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
