//! The multiplexed connection: one connection that any number of threads
//! share, their commands pipelined implicitly.
//!
//! Each call queues its command's bytes and a slot for its reply. Whoever
//! finds nobody writing takes the write token and writes everything queued
//! (commands queued meanwhile go out together in its next write, within
//! the write bounds); whoever finds nobody reading while replies are due
//! takes the read token and reads replies for everyone, handing each to
//! its slot and waking its caller, until its own reply is in; then it
//! hands the token to a caller still waiting. A lone caller so writes and
//! reads for itself, with no thread in between and no timer. The request
//! bookkeeping (order, bounds, abandoned requests, what may have run) is
//! [`resp_core::client::Multiplex`]; the files here are the I/O and the
//! threads: `call.rs` (one request's way), `writer.rs`, `reader.rs`,
//! `link.rs` (the socket), `shared.rs` (the state and the tokens),
//! `slot.rs`, `handle.rs` ([`Pending`]), `refuse.rs`.

mod bell;
mod call;
mod handle;
mod link;
mod reader;
mod refuse;
mod shared;
mod slot;
mod writer;

use std::collections::VecDeque;
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use resp_core::client::{Batch, Executed, Multiplex};
use resp_core::command::Blocks;

pub use handle::Pending;

use self::call::Outcome;
use self::shared::{Options, Shared, State};
use crate::batch::{typed_pipeline, BatchRun};
use crate::commands::{Runner, SharedRunner};
use crate::config::Config;
use crate::connection::deadline_after;
use crate::connector::Connector;
use crate::error::Result;
use crate::events::EventHandler;
use crate::retry::ReconnectStrategy;
use crate::script::ScriptRunner;
use crate::types::{FromReply, Value};
use crate::{Cmd, Pipeline};

/// One connection shared by any number of threads (`Send + Sync`, cheap to
/// clone: clones share it), whose commands are pipelined implicitly:
/// commands issued while a write is under way go out together in the next
/// write, replies come back in order, and each caller waits only for its
/// own reply. A lone caller pays nothing for it: its command is written at
/// once and it reads its reply itself. Typed commands, [`Cmd`]s, pipelines
/// (MULTI/EXEC ones included), scripts and SCAN iterators work as on a
/// [`Connection`](crate::Connection); [`send`](Multiplexed::send) returns
/// at once with a handle to wait on later.
///
/// **Timeouts without desync.** A call's deadline is its command's
/// timeout, or the configuration's (`Config::timeout`). A caller whose
/// deadline passes gets [`ErrorKind::Timeout`](crate::ErrorKind::Timeout):
/// "did not run" if its command was still queued (it is taken out), "may
/// have run" otherwise; its reply is dropped when it comes, and the
/// connection goes on serving everyone else. This holds for a caller whose
/// deadline passes while it writes the queue (a large command to a busy
/// server): it returns at its deadline, the commands of its write not yet
/// begun go back to the queue, and the rest of the one it cut short goes
/// out first, written by the next caller that writes (callers waiting for
/// replies take it up). When no other caller's request is left on the
/// connection, or every caller that took the rest up timed out in turn
/// (the server reads nothing), the connection is closed instead.
///
/// **Failures.** A connection that fails or falls out of step (an I/O
/// error, the server gone, a malformed reply, a reply nobody asked for)
/// is closed, and every request on it fails with its own outcome: "may
/// have run" if it was written whole, "did not run" otherwise. The next
/// call opens a new connection. Nothing that may have run is sent again;
/// a blocking call whose command surely did not run is tried again after
/// the reconnect strategy's pause (within its deadline and
/// [`max_retries`](MultiplexedBuilder::max_retries)); a [`Pending`]
/// reports the failure.
///
/// **What it refuses** (before sending anything, with
/// [`ErrorKind::InvalidCommand`](crate::ErrorKind::InvalidCommand) naming
/// what to use instead): commands that would change the connection for
/// the calls after them (`WATCH`, `MULTI`, `SELECT`, `CLIENT SETNAME`,
/// `CLIENT TRACKING ... REDIRECT`, ...), pub/sub and `MONITOR`, `CLIENT
/// REPLY OFF|SKIP`, and blocking commands (`BLPOP`, `XREAD BLOCK`,
/// `WAIT`, ...), which would hold up every caller behind them. Use a
/// [`Client`](crate::Client) (pooled) or a [`Connection`](crate::Connection)
/// for those; a MULTI/EXEC transaction runs here as one pipeline
/// ([`Pipeline::transaction`]).
///
/// RESP3 push messages (`?protocol=3`) go to the
/// [push handler](Multiplexed::set_push_handler).
///
/// # Example
///
/// ```no_run
/// use redis_blocking::prelude::*;
/// use redis_blocking::Multiplexed;
///
/// let mux = Multiplexed::open("redis://127.0.0.1/")?;
/// let workers: Vec<_> = (0..64)
///     .map(|i| {
///         let mux = mux.clone();
///         std::thread::spawn(move || mux.incr::<_, i64>(format!("counter:{i}")))
///     })
///     .collect();
/// for worker in workers {
///     worker.join().unwrap()?;
/// }
/// # Ok::<(), redis_blocking::Error>(())
/// ```
#[derive(Clone)]
pub struct Multiplexed {
    shared: Arc<Shared>,
}

/// Builds a [`Multiplexed`] connection.
///
/// Defaults: writes of at most 512 KiB and 4096 commands each, senders
/// wait while 64 MiB are queued unwritten, the reconnect strategy's
/// default pauses (exponential from 50 ms to 2 s), 5 retries of a blocking
/// call that surely did not run.
pub struct MultiplexedBuilder {
    config: Config,
    strategy: ReconnectStrategy,
    events: Option<EventHandler>,
    options: Options,
}

impl MultiplexedBuilder {
    /// Sets the pauses before opening the connection again after it failed.
    pub fn reconnect_strategy(mut self, strategy: ReconnectStrategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// Sets how many times a blocking call whose command surely did not
    /// run (the connection was lost before it was sent, or could not be
    /// opened) is tried again (0: never).
    pub fn max_retries(mut self, n: u32) -> Self {
        self.options.max_retries = n;
        self
    }

    /// Receives connection events (besides the `log` records).
    pub fn on_event(mut self, handler: impl Fn(&crate::Event) + Send + Sync + 'static) -> Self {
        self.events = Some(Arc::new(handler));
        self
    }

    /// Sets the most bytes one write takes (a longer command or pipeline
    /// goes alone).
    pub fn max_write_bytes(mut self, bytes: usize) -> Self {
        self.options.max_write_bytes = bytes.max(1);
        self
    }

    /// Sets the most commands (or pipelines) one write takes.
    pub fn max_write_commands(mut self, n: usize) -> Self {
        self.options.max_write_commands = n.max(1);
        self
    }

    /// Sets how many bytes may wait unwritten before senders wait for room.
    pub fn max_queued_bytes(mut self, bytes: usize) -> Self {
        self.options.max_queued_bytes = bytes.max(1);
        self
    }

    /// Builds the connection; it connects on first use.
    pub fn build(self) -> Multiplexed {
        let options = self.options;
        Multiplexed {
            shared: Arc::new(Shared {
                state: Mutex::new(State {
                    mux: Multiplex::new(options.max_write_bytes, options.max_write_commands),
                    out: Vec::new(),
                    rest: Vec::new(),
                    stranded: false,
                    link: None,
                    generation: 0,
                    connecting: false,
                    waiters: VecDeque::new(),
                    room_waiters: 0,
                    down: None,
                }),
                room: Condvar::new(),
                connector: Arc::new(Connector::new(self.config, self.strategy, self.events)),
                options,
                push_handler: Mutex::new(None),
                woken: std::sync::atomic::AtomicUsize::new(0),
                bell: bell::Bell::default(),
            }),
        }
    }
}

impl Multiplexed {
    /// A multiplexed connection to a URL (`redis://`, `rediss://`,
    /// `unix://`; see [`crate::url`]) with default settings. It connects on
    /// first use.
    ///
    /// # Errors
    ///
    /// An invalid URL.
    pub fn open(url: &str) -> Result<Multiplexed> {
        Ok(Multiplexed::builder(Config::from_url(url)?).build())
    }

    /// A builder for a multiplexed connection to `config`.
    pub fn builder(config: Config) -> MultiplexedBuilder {
        MultiplexedBuilder {
            config,
            strategy: ReconnectStrategy::default(),
            events: None,
            options: Options {
                max_write_bytes: 512 * 1024,
                max_write_commands: 4096,
                max_queued_bytes: 64 * 1024 * 1024,
                max_retries: 5,
            },
        }
    }

    /// The connection settings.
    pub fn config(&self) -> &Config {
        self.shared.connector.config()
    }

    /// True while a connection is open.
    pub fn is_connected(&self) -> bool {
        self.shared.lock().link.is_some()
    }

    /// Sets the handler of RESP3 push messages (client-side caching
    /// invalidations, ...); without one they are logged and dropped. The
    /// handler runs on whichever caller's thread reads them, and must not
    /// call this connection. A panic in the handler is caught and logged
    /// (`log::error!`), and that push message is dropped: the caller that
    /// ran it, and everyone else, go on with their replies.
    pub fn set_push_handler(&self, handler: impl FnMut(Value) + Send + 'static) {
        *self
            .shared
            .push_handler
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = Some(Box::new(handler));
    }

    fn deadline(&self, own: Option<Duration>) -> Option<std::time::Instant> {
        deadline_after(own.or(self.config().timeout), Blocks::No)
    }

    /// Runs one command and converts its reply; see [`Multiplexed`] for
    /// how it shares the connection, times out and fails.
    ///
    /// # Errors
    ///
    /// A server error reply, a conversion error (the connection stays in
    /// step), [`ErrorKind::Timeout`](crate::ErrorKind::Timeout), the
    /// connection lost, or [`ErrorKind::InvalidCommand`](crate::ErrorKind::InvalidCommand)
    /// for a command that cannot share the connection;
    /// [`Error::executed`](crate::Error::executed) says whether it may have
    /// run.
    pub fn query<T: FromReply>(&self, cmd: &Cmd<'_>) -> Result<T> {
        refuse::refuse_command(cmd)?;
        let deadline = self.deadline(cmd.get_timeout());
        let outcome = self
            .shared
            .call(&|out| cmd.write_flat(out), 1, deadline, &|o| match o {
                Outcome::Failed { error, .. } => error.executed(),
                _ => Executed::Yes,
            });
        handle::single_reply(outcome)
    }

    /// Sends one command now and returns a handle to wait for its reply
    /// later; see [`Pending`]. Commands sent from one thread run in the
    /// order they were sent. The send itself writes the command (and what
    /// other threads queued) when nobody else is writing, and opens the
    /// connection when none is open; it never waits for a reply.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use redis_blocking::{Cmd, Multiplexed};
    ///
    /// let mux = Multiplexed::open("redis://127.0.0.1/")?;
    /// let handles: Vec<_> = (0..1000)
    ///     .map(|i| mux.send::<()>(&Cmd::new("SET").arg(format!("k{i}")).arg(i)))
    ///     .collect();
    /// for handle in handles {
    ///     handle.wait()?;
    /// }
    /// # Ok::<(), redis_blocking::Error>(())
    /// ```
    pub fn send<T: FromReply>(&self, cmd: &Cmd<'_>) -> Pending<T> {
        let shared = Arc::clone(&self.shared);
        if let Err(error) = refuse::refuse_command(cmd) {
            return Pending::refused(shared, error);
        }
        let deadline = self.deadline(cmd.get_timeout());
        match self
            .shared
            .submit(&|out| cmd.write_flat(out), 1, deadline, false)
        {
            Ok(ticket) => {
                self.shared.bound_in_flight(deadline);
                Pending::sent(shared, ticket)
            }
            Err(error) => Pending::refused(shared, error),
        }
    }

    /// Runs a pipeline (all its commands written together, so a
    /// MULTI/EXEC transaction keeps its meaning) and assembles one outcome
    /// per command.
    fn run_pipeline(&self, pipe: &Pipeline<'_>) -> Result<BatchRun> {
        refuse::refuse_pipeline(pipe)?;
        let deadline = self.deadline(pipe.get_timeout());
        let expected = Batch::new(pipe.len(), pipe.is_atomic()).expected();
        if expected == 0 {
            return Ok(BatchRun {
                outcomes: Vec::new(),
                failure: None,
            });
        }
        let segments = pipe.segments();
        let encode = |out: &mut Vec<u8>| {
            for slice in segments.io_slices(0, usize::MAX) {
                out.extend_from_slice(&slice);
            }
        };
        let outcome = self.shared.call(&encode, expected, deadline, &|o| match o {
            Outcome::Failed {
                replies,
                written,
                len,
                ..
            } => batch_outcomes(pipe, replies.clone(), *written, *len).executed(),
            _ => Executed::Yes,
        });
        Ok(match outcome {
            Outcome::Replied(replies) => {
                let mut batch = Batch::new(pipe.len(), pipe.is_atomic());
                replies.into_iter().for_each(|r| batch.handle_reply(r));
                BatchRun {
                    outcomes: batch.finish(),
                    failure: None,
                }
            }
            Outcome::Failed {
                replies,
                error,
                written,
                len,
            } => BatchRun {
                failure: Some(error),
                ..batch_outcomes(pipe, replies, written, len)
            },
            Outcome::TimedOut(error) => {
                let mut batch = Batch::new(pipe.len(), pipe.is_atomic());
                let sent = match error.executed() {
                    Executed::No => 0,
                    _ => batch.expected(),
                };
                let outcomes = std::mem::replace(&mut batch, Batch::new(0, false)).fail(sent);
                BatchRun {
                    outcomes,
                    failure: Some(error),
                }
            }
        })
    }

    /// Runs a pipeline and converts the replies of the commands not
    /// ignored, as [`Connection::query_pipeline`](crate::Connection::query_pipeline)
    /// does. Its commands are written together, so a MULTI/EXEC pipeline
    /// ([`Pipeline::transaction`]) is a transaction here too.
    ///
    /// # Errors
    ///
    /// As [`Connection::query_pipeline`](crate::Connection::query_pipeline),
    /// and [`ErrorKind::InvalidCommand`](crate::ErrorKind::InvalidCommand)
    /// for a pipeline that cannot share the connection (a blocking command,
    /// session state left behind).
    pub fn query_pipeline<T: FromReply>(&self, pipe: &Pipeline<'_>) -> Result<T> {
        let mut settled = self.run_pipeline(pipe)?.settle(pipe.is_atomic());
        pipe.rerun_unloaded_scripts(&mut settled.results, |call| self.run_script(call));
        typed_pipeline(pipe, settled)
    }

    /// Runs a pipeline and returns one result per command, as
    /// [`Connection::pipeline_results`](crate::Connection::pipeline_results)
    /// does.
    pub fn pipeline_results(&self, pipe: &Pipeline<'_>) -> Vec<Result<Value>> {
        let run = match self.run_pipeline(pipe) {
            Ok(run) => run,
            Err(e) => {
                return (0..pipe.visible_len())
                    .map(|_| Err(e.duplicate()))
                    .collect()
            }
        };
        let mut results = run.settle(false).results;
        pipe.rerun_unloaded_scripts(&mut results, |call| self.run_script(call));
        pipe.visible_results(results)
    }
}

/// The outcomes of a pipeline whose connection failed after `written` of
/// its `len` bytes, with the replies that came.
fn batch_outcomes(
    pipe: &Pipeline<'_>,
    replies: Vec<Value>,
    written: usize,
    len: usize,
) -> BatchRun {
    let mut batch = Batch::new(pipe.len(), pipe.is_atomic());
    replies.into_iter().for_each(|r| batch.handle_reply(r));
    BatchRun {
        outcomes: batch.fail(pipe.commands_written(written, len)),
        failure: None,
    }
}

impl Runner for Multiplexed {
    fn run_cmd<T: FromReply>(&mut self, cmd: &Cmd<'_>) -> Result<T> {
        self.query(cmd)
    }
}

impl SharedRunner for Multiplexed {
    fn run_shared<T: FromReply>(&self, cmd: &Cmd<'_>) -> Result<T> {
        self.query(cmd)
    }
}

impl std::fmt::Debug for Multiplexed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Multiplexed")
            .field("config", self.config())
            .field("connected", &self.is_connected())
            .finish()
    }
}

impl std::fmt::Debug for MultiplexedBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultiplexedBuilder")
            .field("config", &self.config)
            .field("options", &self.options)
            .finish()
    }
}

#[cfg(test)]
mod tests;
