//! `MONITOR`: every command the server runs, as parsed events.

use std::time::Duration;

use resp_core::args::split_args;

use crate::config::Config;
use crate::connector::Connector;
use crate::error::{Error, ErrorKind, Executed, Result};
use crate::{Cmd, Connection};

/// One command seen by `MONITOR`.
#[derive(Debug, Clone, PartialEq)]
pub struct MonitorEvent {
    /// When the server ran it, in seconds since the Unix epoch.
    pub time: f64,
    /// The database it ran in.
    pub db: i64,
    /// Who ran it: `ip:port`, `unix:/path`, or `lua` for scripts.
    pub client: String,
    /// The command and its arguments.
    pub args: Vec<Vec<u8>>,
}

impl MonitorEvent {
    /// Parses a `MONITOR` line such as
    /// `1700000000.123456 [0 127.0.0.1:5000] "SET" "k" "v"`.
    ///
    /// # Errors
    ///
    /// [`ErrorKind::Protocol`] for a line of another shape.
    pub fn parse(line: &[u8]) -> Result<MonitorEvent> {
        let bad = || {
            Error::new(
                ErrorKind::Protocol,
                Executed::No,
                format!("not a MONITOR line: {}", String::from_utf8_lossy(line)),
            )
        };
        let text = std::str::from_utf8(line).map_err(|_| bad())?;
        let (time, rest) = text.split_once(" [").ok_or_else(bad)?;
        let (who, args) = rest.split_once("] ").ok_or_else(bad)?;
        let (db, client) = who.split_once(' ').ok_or_else(bad)?;
        Ok(MonitorEvent {
            time: time.parse().map_err(|_| bad())?,
            db: db.parse().map_err(|_| bad())?,
            client: client.to_owned(),
            args: split_args(args.as_bytes()).map_err(|_| bad())?,
        })
    }
}

/// A `MONITOR` session on a dedicated connection, which is never pooled
/// and is closed when this is dropped.
///
/// Iterating waits for ever for the next event; use
/// [`next_event`](Monitor::next_event) for a timeout.
///
/// # Example
///
/// ```no_run
/// use redis_blocking::{Config, Monitor};
///
/// let monitor = Monitor::open(&Config::tcp("127.0.0.1", 6379))?;
/// for event in monitor.take(10) {
///     let event = event?;
///     println!("db {} {}: {:?}", event.db, event.client, event.args);
/// }
/// # Ok::<(), redis_blocking::Error>(())
/// ```
pub struct Monitor {
    conn: Connection,
}

impl Monitor {
    /// Opens a connection and starts monitoring.
    ///
    /// # Errors
    ///
    /// Connecting failing, or the server refusing `MONITOR`.
    pub fn open(config: &Config) -> Result<Monitor> {
        let conn = Connection::open(config)?;
        Monitor::start(conn, config)
    }

    /// Opens the connection through a client's connector.
    pub(crate) fn with_connector(connector: &Connector) -> Result<Monitor> {
        let conn = connector.connect_streaming(None, &|c| c)?;
        Monitor::start(conn, connector.config())
    }

    fn start(mut conn: Connection, config: &Config) -> Result<Monitor> {
        conn.start_stream(&Cmd::new("MONITOR"))?;
        let timeout = config
            .timeout
            .or(config.connect_timeout)
            .unwrap_or(Duration::from_secs(10));
        match conn.next_frame(Some(timeout))? {
            Some(resp_core::Frame::Simple(ok)) if &*ok == b"OK" => Ok(Monitor { conn }),
            Some(resp_core::Frame::Error(e)) => Err(Error::server(crate::ServerError::new(
                String::from_utf8_lossy(&e),
            ))),
            None => {
                conn.close_for("MONITOR was not answered in time");
                Err(Error::new(
                    ErrorKind::Timeout,
                    Executed::Maybe,
                    format!("{}: no reply to MONITOR within {timeout:?}", conn.addr()),
                ))
            }
            Some(other) => Err(Error::new(
                ErrorKind::Protocol,
                Executed::Maybe,
                format!(
                    "unexpected reply to MONITOR: {}",
                    crate::types::describe(&other)
                ),
            )),
        }
    }

    /// The next event, or `None` if none came within `timeout`.
    ///
    /// # Errors
    ///
    /// The connection failing, or a line that does not parse.
    pub fn next_event(&mut self, timeout: Option<Duration>) -> Result<Option<MonitorEvent>> {
        match self.conn.next_frame(timeout)? {
            None => Ok(None),
            Some(frame) => match frame.as_bytes() {
                Some(line) => MonitorEvent::parse(line).map(Some),
                None => Err(Error::new(
                    ErrorKind::Protocol,
                    Executed::No,
                    format!("unexpected MONITOR frame: {frame:?}"),
                )),
            },
        }
    }
}

impl Iterator for Monitor {
    type Item = Result<MonitorEvent>;

    fn next(&mut self) -> Option<Result<MonitorEvent>> {
        match self.next_event(None) {
            Ok(Some(event)) => Some(Ok(event)),
            Ok(None) => None,
            Err(e) if e.kind() == ErrorKind::Closed => None,
            Err(e) => Some(Err(e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines() {
        let e = MonitorEvent::parse(
            br#"1700000000.123456 [3 127.0.0.1:5000] "SET" "a b" "\x00\xff\"""#,
        )
        .unwrap();
        assert_eq!(
            (e.time, e.db, e.client.as_str()),
            (1700000000.123456, 3, "127.0.0.1:5000")
        );
        assert_eq!(
            e.args,
            [b"SET".to_vec(), b"a b".to_vec(), b"\x00\xff\"".to_vec()]
        );
        let lua = MonitorEvent::parse(br#"1.5 [0 lua] "GET" "k""#).unwrap();
        assert_eq!(lua.client, "lua");
        assert!(MonitorEvent::parse(b"garbage").is_err());
    }
}
