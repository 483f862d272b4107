//! Opening connections, and the one backoff loop.
//!
//! Every connection a client opens goes through its [`Connector`]: the
//! pool's, the subscriber's, the monitor's and the cache tracker's. The
//! connector knows where to connect (today one configured server; a
//! Sentinel or Cluster topology will answer here), reports events, and owns
//! the pause between attempts, [`Backoff`], which the client's call loop
//! uses too.

use std::time::{Duration, Instant};

use crate::config::Config;
use crate::error::{Error, Result};
use crate::events::{emit, Event, EventHandler};
use crate::retry::ReconnectStrategy;
use crate::Connection;

/// Opens connections to a client's server.
pub(crate) struct Connector {
    config: Config,
    strategy: ReconnectStrategy,
    events: Option<EventHandler>,
}

impl Connector {
    pub fn new(
        config: Config,
        strategy: ReconnectStrategy,
        events: Option<EventHandler>,
    ) -> Connector {
        Connector {
            config,
            strategy,
            events,
        }
    }

    /// The connection settings.
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// The reconnect strategy.
    pub fn strategy(&self) -> &ReconnectStrategy {
        &self.strategy
    }

    /// The event handler.
    pub fn events(&self) -> &Option<EventHandler> {
        &self.events
    }

    /// Reports an event.
    pub fn emit(&self, event: Event) {
        emit(&self.events, event);
    }

    /// One attempt to open a connection, within `deadline` if it is sooner
    /// than the connect timeout. `adjust` changes the settings for this
    /// connection (a subscriber's protocol, a tracker's).
    pub fn connect_with(
        &self,
        deadline: Option<Instant>,
        adjust: impl FnOnce(Config) -> Config,
    ) -> Result<Connection> {
        let mut config = adjust(self.config.clone());
        let addr = config.addr.clone();
        self.emit(Event::Connect { addr: addr.clone() });
        if let Some(deadline) = deadline {
            let left = deadline.saturating_duration_since(Instant::now());
            config.connect_timeout = Some(config.connect_timeout.map_or(left, |t| t.min(left)));
        }
        match Connection::open(&config) {
            Ok(conn) => {
                self.emit(Event::Ready { addr });
                Ok(conn)
            }
            Err(e) => {
                self.emit(Event::Error {
                    addr,
                    error: e.to_string(),
                });
                Err(e)
            }
        }
    }

    /// One attempt to open a connection with the client's settings.
    pub fn connect(&self, deadline: Option<Instant>) -> Result<Connection> {
        self.connect_with(deadline, |c| c)
    }

    /// Opens a connection, trying again after the strategy's pauses until
    /// one opens. `sleep` waits between attempts and answers `false` to
    /// give up (the owner was closed meanwhile); then `None`.
    pub fn connect_until_up(
        &self,
        adjust: &dyn Fn(Config) -> Config,
        sleep: &mut dyn FnMut(Duration) -> bool,
    ) -> Option<Connection> {
        let mut backoff = Backoff::new(&self.strategy, u32::MAX, None, &self.events);
        loop {
            match self.connect_with(None, adjust) {
                Ok(conn) => return Some(conn),
                Err(_) => match backoff.next_delay() {
                    Some(delay) if sleep(delay) => {}
                    _ => return None,
                },
            }
        }
    }
}

impl std::fmt::Debug for Connector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connector")
            .field("config", &self.config)
            .field("strategy", &self.strategy)
            .finish()
    }
}

/// The pauses between attempts: the strategy's delays, a bound on the
/// number of attempts, and the deadline of the whole operation.
pub(crate) struct Backoff<'a> {
    strategy: &'a ReconnectStrategy,
    max_attempts: u32,
    attempt: u32,
    deadline: Option<Instant>,
    events: &'a Option<EventHandler>,
}

impl<'a> Backoff<'a> {
    pub fn new(
        strategy: &'a ReconnectStrategy,
        max_attempts: u32,
        deadline: Option<Instant>,
        events: &'a Option<EventHandler>,
    ) -> Backoff<'a> {
        Backoff {
            strategy,
            max_attempts,
            attempt: 0,
            deadline,
            events,
        }
    }

    /// The pause before the next attempt, reported as an event; `None`
    /// when there is no next attempt (attempts used up, the strategy gave
    /// up, or the pause would pass the deadline).
    pub fn next_delay(&mut self) -> Option<Duration> {
        self.next_delay_of(None)
    }

    /// As [`next_delay`](Backoff::next_delay), pausing `instead` rather
    /// than the strategy's delay when given.
    fn next_delay_of(&mut self, instead: Option<Duration>) -> Option<Duration> {
        self.attempt = self.attempt.saturating_add(1);
        if self.attempt > self.max_attempts {
            return None;
        }
        let delay = match instead {
            Some(delay) => delay,
            None => self.strategy.delay(self.attempt)?,
        };
        if self.deadline.is_some_and(|d| Instant::now() + delay >= d) {
            return None;
        }
        emit(
            self.events,
            Event::Reconnecting {
                attempt: self.attempt,
                delay,
            },
        );
        Some(delay)
    }

    /// Sleeps before the next attempt, or returns `error` when there is
    /// none.
    pub fn pause(&mut self, error: Error) -> Result<()> {
        self.pause_for(error, None)
    }

    /// As [`pause`](Backoff::pause), sleeping `instead` rather than the
    /// strategy's delay when given (a cluster's short pauses for
    /// `TRYAGAIN`).
    pub fn pause_for(&mut self, error: Error, instead: Option<Duration>) -> Result<()> {
        match self.next_delay_of(instead) {
            Some(delay) => {
                std::thread::sleep(delay);
                Ok(())
            }
            None => Err(error),
        }
    }
}
