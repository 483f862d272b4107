//! The client's drive loop: the one place where a call is routed, run,
//! and run again when that is safe.
//!
//! Every call of a [`Client`](crate::Client) (a command, a pipeline, a
//! transaction) is an [`Operation`]. On each attempt the loop asks the
//! router for a pool, checks a connection out, and lets the operation run
//! on it; the operation judges the outcome ([`Step`]): done (a reply, or an
//! error that must not be retried), or again (nothing that may have run
//! would be sent twice). Between attempts the loop pauses by the client's
//! strategy, within the call's deadline and attempt bound; a connection the
//! server dropped while it sat idle in the pool, or one left on a server
//! the topology moved away from, is replaced at once. A blocking call is
//! registered with the connector for its duration, so that a failover
//! shuts its connection down instead of leaving it waiting on the old
//! master.

use std::marker::PhantomData;
use std::time::Instant;

use resp_core::client::{executed_by_error, Executed, Outcome, Unanswered};
use resp_core::command::{is_read_only, Argv, Blocks};
use resp_core::Frame;

use super::pool::Pooled;
use super::router::Route;
use super::Client;
use crate::batch::{outcome_result, typed_pipeline, unanswered_error, BatchRun};
use crate::connection::Connection;
use crate::connector::Backoff;
use crate::error::{Error, ErrorCode, ErrorKind, Result};
use crate::pipeline::Pipeline;
use crate::retry::should_retry;
use crate::script::ScriptRunner;
use crate::types::{FromReply, Value};

/// What an attempt says to do next.
pub(crate) enum Step<T> {
    /// The call is over: its result.
    Done(Result<T>),
    /// Run again: nothing was run that must not run twice. The error is
    /// the call's if there is no next attempt.
    Again(Error),
}

/// A call the drive loop runs.
pub(crate) trait Operation {
    type Output;

    /// What the router needs to know.
    fn route(&self) -> Route<'_>;

    /// How long the call may block on the server.
    fn blocking(&self) -> Blocks;

    /// One attempt on a connection, within `deadline`.
    fn attempt(&mut self, conn: &mut Connection, deadline: Option<Instant>) -> Step<Self::Output>;

    /// The result when no attempt is left after `error`.
    fn give_up(&mut self, error: Error) -> Result<Self::Output>;
}

impl Client {
    /// Runs `op` until it is done, retrying where it says that is safe.
    pub(crate) fn drive<O: Operation>(
        &self,
        op: &mut O,
        deadline: Option<Instant>,
    ) -> Result<O::Output> {
        let policy = &self.policy;
        let connector = self.router.connector();
        let mut backoff = Backoff::new(connector, policy.max_attempts, deadline);
        let mut stale = 0usize;
        loop {
            let epoch = connector.epoch();
            let step = match self.router.pool(op.route()) {
                Err(error) => Step::Again(error),
                Ok(pool) => match pool.checkout(deadline) {
                    Err(error) => self.judge_setup(error),
                    Ok(mut conn) => {
                        let watch = match op.blocking() {
                            Blocks::No => None,
                            _ => pool.connector.watch(&conn),
                        };
                        // The topology moved on between checkout and now.
                        if pool.connector.is_retired(&conn) && stale <= pool.options.max_size {
                            stale += 1;
                            conn.close_for("the master changed");
                            continue;
                        }
                        let step = self.attempt_on(op, &mut conn, deadline);
                        drop(watch);
                        // The server dropped this connection while it was
                        // idle; nothing was written. Another one, at once.
                        if conn.was_stale() && stale <= pool.options.max_size {
                            stale += 1;
                            continue;
                        }
                        if let Step::Again(e) | Step::Done(Err(e)) = &step {
                            self.after_failure(&mut conn, e);
                        }
                        step
                    }
                },
            };
            match step {
                Step::Done(result) => return result,
                Step::Again(error) => {
                    if let Err(error) = backoff.pause(error, epoch) {
                        return op.give_up(error);
                    }
                }
            }
        }
    }

    /// An attempt within the call's deadline and the connection's own
    /// timeout, whichever comes first.
    fn attempt_on<O: Operation>(
        &self,
        op: &mut O,
        conn: &mut Pooled,
        deadline: Option<Instant>,
    ) -> Step<O::Output> {
        let own = conn.deadline(None, op.blocking());
        let deadline = match (deadline, own) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        op.attempt(conn, deadline)
    }

    /// A connection could not be had: try again if the cause may pass.
    fn judge_setup<T>(&self, error: Error) -> Step<T> {
        if should_retry(&error, &|| false, false) {
            Step::Again(error)
        } else {
            Step::Done(Err(error))
        }
    }

    /// Tells the router, and closes the connection when the user's
    /// predicate turns this server error into a reconnect.
    fn after_failure(&self, conn: &mut Pooled, error: &Error) {
        self.router.observe(conn, error);
        if let (Some(predicate), Some(server)) =
            (&self.policy.reconnect_on_error, error.server_error())
        {
            if predicate(server) {
                conn.close_for(format!("reconnect on error: {server}"));
            }
        }
    }
}

/// One command, run by a closure on the connection.
pub(crate) struct Call<'c, T, F> {
    argv: &'c dyn Argv,
    blocking: Blocks,
    retry_reads: bool,
    /// Errors the call handles itself and the loop must not retry.
    own: &'static [ErrorKind],
    run: F,
    _out: PhantomData<fn() -> T>,
}

impl<'c, T, F> Call<'c, T, F>
where
    F: FnMut(&mut Connection, Option<Instant>) -> Result<T>,
{
    pub fn new(argv: &'c dyn Argv, blocking: Blocks, retry_reads: bool, run: F) -> Self {
        Call {
            argv,
            blocking,
            retry_reads,
            own: &[],
            run,
            _out: PhantomData,
        }
    }

    /// Leaves errors of these kinds to the call: the loop does not run it
    /// again for them (a transaction retries its own conflicts).
    pub fn handles(mut self, kinds: &'static [ErrorKind]) -> Self {
        self.own = kinds;
        self
    }
}

impl<T, F> Operation for Call<'_, T, F>
where
    F: FnMut(&mut Connection, Option<Instant>) -> Result<T>,
{
    type Output = T;

    fn route(&self) -> Route<'_> {
        Route::Command(self.argv)
    }

    fn blocking(&self) -> Blocks {
        self.blocking
    }

    fn attempt(&mut self, conn: &mut Connection, deadline: Option<Instant>) -> Step<T> {
        match (self.run)(conn, deadline) {
            Ok(value) => Step::Done(Ok(value)),
            Err(error) => {
                let argv = self.argv;
                let read_only = || {
                    let args: Vec<&[u8]> = (0..argv.argc()).filter_map(|i| argv.arg(i)).collect();
                    is_read_only(&args)
                };
                if !self.own.contains(&error.kind())
                    && should_retry(&error, &read_only, self.retry_reads)
                {
                    Step::Again(error)
                } else {
                    Step::Done(Err(error))
                }
            }
        }
    }

    fn give_up(&mut self, error: Error) -> Result<T> {
        Err(error)
    }
}

/// A pipeline or transaction: one outcome per command, kept across
/// attempts. A later attempt sends only the commands at the end of the
/// batch that surely did not run, after every command before them got its
/// reply, so that order is kept and nothing runs twice.
pub(crate) struct Batch<'p, 'a> {
    pipe: &'p Pipeline<'a>,
    /// What the next attempt sends: the commands from `from` on.
    rest: Option<Pipeline<'a>>,
    from: usize,
    outcomes: Vec<Outcome>,
    failure: Option<Error>,
    /// Script calls run again after `NOSCRIPT`.
    reruns: Vec<(usize, Result<Value>)>,
    attempted: bool,
}

impl<'p, 'a> Batch<'p, 'a> {
    pub fn new(pipe: &'p Pipeline<'a>) -> Self {
        Batch {
            pipe,
            rest: None,
            from: 0,
            outcomes: vec![Err(Unanswered::Lost(Executed::No)); pipe.len()],
            failure: None,
            reruns: Vec::new(),
            attempted: false,
        }
    }

    /// Each command's result, internal ones included.
    fn results(&mut self) -> Vec<Result<Value>> {
        let mut results: Vec<Result<Value>> = self
            .outcomes
            .iter()
            .map(|o| outcome_result(o, self.failure.as_ref()))
            .collect();
        for (i, rerun) in self.reruns.drain(..) {
            results[i] = rerun;
        }
        results
    }

    /// One result per command, internal ones left out.
    pub fn into_results(mut self) -> Vec<Result<Value>> {
        let pipe = self.pipe;
        self.results()
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !pipe.internal(*i))
            .map(|(_, r)| r)
            .collect()
    }

    /// The typed result.
    pub fn into_typed<T: FromReply>(mut self) -> Result<T> {
        let results = self.results();
        let run = BatchRun {
            outcomes: std::mem::take(&mut self.outcomes),
            failure: self.failure.take(),
        };
        typed_pipeline(self.pipe, &run, results)
    }

    /// Whether command `i`'s outcome says it surely did not run, for a
    /// cause that may pass.
    fn may_send_again(&self, i: usize, retry_reads: bool) -> bool {
        let error = match &self.outcomes[i] {
            Ok(frame) => match frame {
                Frame::Error(line) | Frame::BulkError(line)
                    if executed_by_error(line) == Executed::No =>
                {
                    Error::server(crate::ServerError::new(String::from_utf8_lossy(line)))
                }
                _ => return false,
            },
            Err(why @ Unanswered::Lost(Executed::No)) => {
                unanswered_error(why, self.failure.as_ref())
            }
            Err(_) => return false,
        };
        should_retry(&error, &|| false, retry_reads)
    }

    /// Where the next attempt starts, if there is one: every command from
    /// there on surely did not run (and may be sent again), and every
    /// command before it got its reply.
    fn resend_from(&self, retry_reads: bool) -> Option<usize> {
        let n = self.outcomes.len();
        let mut from = n;
        while from > 0 && self.may_send_again(from - 1, retry_reads) {
            from -= 1;
        }
        if from == n || !self.outcomes[..from].iter().all(|o| o.is_ok()) {
            return None;
        }
        if from > 0 && (self.pipe.is_atomic() || !self.pipe.session().is_clean()) {
            // A transaction runs whole or not at all; session commands
            // (SELECT, ...) would not carry over to another connection.
            return None;
        }
        Some(from)
    }
}

impl Operation for (Batch<'_, '_>, bool) {
    type Output = ();

    fn route(&self) -> Route<'_> {
        Route::Batch
    }

    fn blocking(&self) -> Blocks {
        self.0.pipe.blocking()
    }

    fn attempt(&mut self, conn: &mut Connection, deadline: Option<Instant>) -> Step<()> {
        let (batch, retry_reads) = self;
        batch.attempted = true;
        let pipe = batch.rest.as_ref().unwrap_or(batch.pipe);
        let run = conn.run_batch(pipe, deadline);
        let from = batch.from;
        for (i, outcome) in run.outcomes.into_iter().enumerate() {
            batch.outcomes[from + i] = outcome;
        }
        batch.failure = run.failure;
        // Script calls that met NOSCRIPT (a SCRIPT FLUSH in between) did
        // not run: they run now, after the batch, on the same connection.
        if !batch.pipe.is_atomic() && !conn.is_broken() {
            for (i, call) in batch.pipe.script_calls() {
                let noscript = matches!(
                    &batch.outcomes[*i],
                    Ok(Frame::Error(e)) if e.starts_with(b"NOSCRIPT")
                );
                if *i >= from && noscript {
                    let rerun = conn.run_script::<Value>(call);
                    batch.reruns.push((*i, rerun));
                }
            }
        }
        match batch.resend_from(*retry_reads) {
            Some(at) => {
                let error = outcome_result(&batch.outcomes[at], batch.failure.as_ref())
                    .err()
                    .unwrap_or_else(|| {
                        Error::new(crate::ErrorKind::Protocol, Executed::No, "no reply")
                    });
                if error.code() == Some(&ErrorCode::NoScript) {
                    return Step::Done(Ok(()));
                }
                batch.rest = (at > 0).then(|| batch.pipe.suffix(at));
                batch.from = at;
                batch.reruns.retain(|(i, _)| *i < at);
                Step::Again(error)
            }
            None => Step::Done(Ok(())),
        }
    }

    fn give_up(&mut self, error: Error) -> Result<()> {
        if self.0.attempted {
            Ok(())
        } else {
            Err(error)
        }
    }
}
