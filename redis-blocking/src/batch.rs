//! Running pipelines and transactions on a connection: one outcome per
//! command, from [`resp_core::client::Batch`].

use std::time::Instant;

use resp_core::client::{batch_executed, executed_by_error, Batch, Outcome, Unanswered};
use resp_core::Frame;

use crate::connection::{Connection, Exchange, Failure, Until};
use crate::error::{Error, ErrorKind, Executed, Result, ServerError};
use crate::pipeline::Pipeline;
use crate::retry::TransactionPolicy;
use crate::script::ScriptRunner;
use crate::types::{FromReply, ToArgs, Value};
use crate::Cmd;

/// How many times [`Connection::transaction`] runs its body, by default,
/// when other clients keep changing the watched keys.
pub const TRANSACTION_ATTEMPTS: usize = 16;

/// The outcomes of one run of a batch, and the failure that cut it short.
pub(crate) struct BatchRun {
    pub outcomes: Vec<Outcome>,
    pub failure: Option<Error>,
}

impl BatchRun {
    /// A batch that could not be sent at all.
    fn refused(len: usize, error: Error) -> BatchRun {
        BatchRun {
            outcomes: vec![Err(Unanswered::Lost(Executed::No)); len],
            failure: Some(error),
        }
    }

    /// Whether the batch, as a whole, may have run.
    pub fn executed(&self) -> Executed {
        batch_executed(&self.outcomes)
    }

    /// Every command's result, each reply moved out (not copied), with
    /// what the batch as a whole says, taken before the replies move.
    pub fn settle(self, atomic: bool) -> Settled {
        let executed = self.executed();
        let aborted = if atomic {
            transaction_failure(&self)
        } else {
            None
        };
        let failure = self.failure;
        let results = self
            .outcomes
            .into_iter()
            .map(|o| outcome_into_result(o, failure.as_ref()))
            .collect();
        Settled {
            executed,
            aborted,
            results,
        }
    }
}

/// A batch's results, the replies moved out of its outcomes.
pub(crate) struct Settled {
    /// Whether the batch, as a whole, may have run.
    pub executed: Executed,
    /// Why a transaction as a whole failed, if it did not run.
    pub aborted: Option<Error>,
    /// One result per command, internal ones included.
    pub results: Vec<Result<Value>>,
}

/// One outcome as a result, the reply moved out of it.
pub(crate) fn outcome_into_result(outcome: Outcome, failure: Option<&Error>) -> Result<Value> {
    match outcome {
        Ok(frame) => match server_error(&frame) {
            Some(e) => Err(Error::server(e)),
            None => Ok(frame),
        },
        Err(why) => Err(unanswered_error(&why, failure)),
    }
}

/// One outcome as a result.
pub(crate) fn outcome_result(outcome: &Outcome, failure: Option<&Error>) -> Result<Value> {
    match outcome {
        Ok(frame) => match server_error(frame) {
            Some(e) => Err(Error::server(e)),
            None => Ok(frame.clone()),
        },
        Err(why) => Err(unanswered_error(why, failure)),
    }
}

/// The error of a command that got no reply of its own.
pub(crate) fn unanswered_error(why: &Unanswered, failure: Option<&Error>) -> Error {
    match why {
        Unanswered::Lost(executed) => match failure {
            Some(e) => e.duplicate().executed_as(*executed),
            None => Error::new(ErrorKind::Protocol, *executed, "no reply"),
        },
        Unanswered::Discarded { exec, queued } => {
            let line = String::from_utf8_lossy(queued.as_ref().unwrap_or(exec)).into_owned();
            Error::server(ServerError::new(line))
                .executed_as(Executed::No)
                .context("transaction discarded")
        }
        Unanswered::WatchConflict => watch_conflict(),
        Unanswered::Unexpected(what) => Error::new(ErrorKind::Protocol, why.executed(), *what),
        _ => Error::new(ErrorKind::Protocol, why.executed(), format!("{why:?}")),
    }
}

fn server_error(frame: &Frame<'_>) -> Option<ServerError> {
    match frame {
        Frame::Error(e) | Frame::BulkError(e) => {
            Some(ServerError::new(String::from_utf8_lossy(e).into_owned()))
        }
        Frame::Attributed(a) => server_error(&a.frame),
        _ => None,
    }
}

/// A batch sent, its replies perhaps still to read.
pub(crate) enum InFlight {
    /// Written (and perhaps answered in part): read the rest.
    Sent(Flight),
    /// Refused, failed, or done: nothing more to read.
    Over(BatchRun),
}

/// The state of a sent batch.
pub(crate) struct Flight {
    batch: Batch,
    skip: usize,
    exchange: Option<Exchange>,
}

/// The outcomes of a batch cut short by `failure`.
fn batch_failed(pipe: &Pipeline<'_>, batch: Batch, failure: Failure) -> BatchRun {
    let Failure { error, written } = failure;
    let asking = usize::from(pipe.is_asking());
    let sent = pipe
        .commands_written(written, pipe.segments().len())
        .saturating_sub(asking);
    BatchRun {
        outcomes: batch.fail(sent),
        failure: Some(error),
    }
}

impl Connection {
    /// Writes the pipeline and assembles one outcome per command (internal
    /// ones included), within `deadline`.
    pub(crate) fn run_batch(&mut self, pipe: &Pipeline<'_>, deadline: Option<Instant>) -> BatchRun {
        let flight = self.send_batch(pipe, deadline, Until::Done);
        self.finish_batch(pipe, flight, deadline)
    }

    /// Starts running the pipeline: checks it, then writes and reads
    /// `until` the given point (replies that arrived meanwhile are taken
    /// in). [`finish_batch`] reads the rest.
    ///
    /// [`finish_batch`]: Connection::finish_batch
    pub(crate) fn send_batch(
        &mut self,
        pipe: &Pipeline<'_>,
        deadline: Option<Instant>,
        until: Until,
    ) -> InFlight {
        if let Err(error) = pipe.check().and_then(|()| self.regular()) {
            return InFlight::Over(BatchRun::refused(pipe.len(), error));
        }
        let mut flight = Flight {
            batch: Batch::new(pipe.len(), pipe.is_atomic()),
            // An `ASKING` before the batch answers first; its reply is not
            // one of the batch's.
            skip: usize::from(pipe.is_asking()),
            exchange: None,
        };
        let expected = flight.batch.expected() + flight.skip;
        let begun = self.with_push_handler(|conn, on_push| conn.begin_exchange(expected, on_push));
        match begun {
            Ok(exchange) => flight.exchange = Some(exchange),
            Err(failure) => return InFlight::Over(batch_failed(pipe, flight.batch, failure)),
        }
        let mut flight = InFlight::Sent(flight);
        self.drive_batch(pipe, &mut flight, deadline, until);
        flight
    }

    /// `more` commands were appended to the plain pipeline `pipe` of a
    /// batch under way: they are written (and their replies awaited) with
    /// the rest, and as much as can be without waiting is written now.
    pub(crate) fn extend_batch(
        &mut self,
        pipe: &Pipeline<'_>,
        flight: &mut InFlight,
        more: usize,
        deadline: Option<Instant>,
    ) {
        debug_assert!(!pipe.is_atomic(), "a transaction's commands are fixed");
        let InFlight::Sent(sent) = flight else {
            // Cut short already: the commands appended are not written.
            return;
        };
        if let Some(exchange) = sent.exchange.as_mut() {
            sent.batch.extend(more);
            self.extend_exchange(exchange, more);
        }
        self.drive_batch(pipe, flight, deadline, Until::Stalled);
    }

    /// Writes and reads a batch under way `until` the given point; a
    /// failure ends it.
    pub(crate) fn drive_batch(
        &mut self,
        pipe: &Pipeline<'_>,
        flight: &mut InFlight,
        deadline: Option<Instant>,
        until: Until,
    ) {
        let InFlight::Sent(sent) = flight else {
            return;
        };
        let Some(exchange) = sent.exchange.as_mut().filter(|e| !e.is_done()) else {
            return;
        };
        let (batch, skip) = (&mut sent.batch, &mut sent.skip);
        let outcome = self.with_push_handler(|conn, on_push| {
            let mut on_reply = |frame: Frame<'_>| {
                if *skip > 0 {
                    *skip -= 1;
                } else {
                    batch.handle_reply(frame)
                }
            };
            conn.drive_exchange(
                exchange,
                &pipe.segments(),
                deadline,
                until,
                &mut on_reply,
                on_push,
            )
        });
        if let Err(failure) = outcome {
            let batch = std::mem::replace(&mut sent.batch, Batch::new(0, false));
            *flight = InFlight::Over(batch_failed(pipe, batch, failure));
        }
    }

    /// Reads the rest of a batch [`send_batch`](Connection::send_batch)
    /// started, and assembles one outcome per command.
    pub(crate) fn finish_batch(
        &mut self,
        pipe: &Pipeline<'_>,
        mut flight: InFlight,
        deadline: Option<Instant>,
    ) -> BatchRun {
        self.drive_batch(pipe, &mut flight, deadline, Until::Done);
        match flight {
            InFlight::Over(run) => run,
            InFlight::Sent(flight) => {
                self.note_session(pipe.session());
                BatchRun {
                    outcomes: flight.batch.finish(),
                    failure: None,
                }
            }
        }
    }

    /// Runs a pipeline and returns one result per command, in order: its
    /// reply, its server error, or the failure that kept it from a reply
    /// (saying whether it may have run). Ignored commands are included.
    ///
    /// For a transaction, the results are those of `EXEC`; if the
    /// transaction was discarded, each command gets the reason (its own
    /// queuing error, `EXECABORT`, or a [`WatchConflict`](ErrorKind::WatchConflict)).
    pub fn pipeline_results(&mut self, pipe: &Pipeline<'_>) -> Vec<Result<Value>> {
        let deadline = self.deadline(pipe.get_timeout(), pipe.blocking());
        self.pipeline_results_until(pipe, deadline)
    }

    /// [`pipeline_results`](Connection::pipeline_results) within `deadline`.
    pub(crate) fn pipeline_results_until(
        &mut self,
        pipe: &Pipeline<'_>,
        deadline: Option<Instant>,
    ) -> Vec<Result<Value>> {
        let mut results = self.run_batch(pipe, deadline).settle(false).results;
        pipe.rerun_unloaded_scripts(&mut results, |call| self.run_script(call));
        pipe.visible_results(results)
    }

    /// Runs a pipeline and converts the replies of the commands not
    /// [ignored](Pipeline::ignore), as an array, into `T`: a tuple, a
    /// `Vec`, ... For a transaction, the replies are `EXEC`'s.
    ///
    /// Every reply is read and checked even when one is an error, so the
    /// connection stays in step and no error goes unseen: an error reply
    /// to an ignored command fails the call, and so does one to a kept
    /// command unless `T` takes errors as values (`Result<T, ServerError>`
    /// elements, or [`Value`]).
    ///
    /// # Errors
    ///
    /// The first server error among the replies, a conversion error,
    /// [`ErrorKind::WatchConflict`] when a watched key changed, `EXECABORT`
    /// listing the commands that failed to queue, or the failure that broke
    /// the connection. [`Error::executed`] describes the whole batch: `No`
    /// only if no command ran (so the whole pipeline may be sent again),
    /// `Yes` if some did. Use [`pipeline_results`](Connection::pipeline_results)
    /// for each command's own outcome.
    pub fn query_pipeline<T: FromReply>(&mut self, pipe: &Pipeline<'_>) -> Result<T> {
        let deadline = self.deadline(pipe.get_timeout(), pipe.blocking());
        self.query_pipeline_until(pipe, deadline)
    }

    /// [`query_pipeline`](Connection::query_pipeline) within `deadline`.
    pub(crate) fn query_pipeline_until<T: FromReply>(
        &mut self,
        pipe: &Pipeline<'_>,
        deadline: Option<Instant>,
    ) -> Result<T> {
        let mut settled = self.run_batch(pipe, deadline).settle(pipe.is_atomic());
        pipe.rerun_unloaded_scripts(&mut settled.results, |call| self.run_script(call));
        typed_pipeline(pipe, settled)
    }

    /// Runs `body` as an optimistic transaction over `keys`: `WATCH`es them,
    /// lets `body` read with the connection and queue writes in the
    /// pipeline, then runs the pipeline as MULTI/EXEC. When another client
    /// changed a watched key, starts over after a short random pause, up to
    /// [`TRANSACTION_ATTEMPTS`] times. A body that queues nothing sends no
    /// `MULTI`/`EXEC`. The connection is always left unwatched. Since the
    /// body may run several times, it should only read through `conn`: a
    /// write sent through `conn` directly is outside the transaction and
    /// runs once per attempt.
    ///
    /// # Errors
    ///
    /// `body`'s errors, the transaction's (see
    /// [`query_pipeline`](Connection::query_pipeline)), or
    /// [`ErrorKind::WatchConflict`] once the attempts run out.
    ///
    /// # Example
    ///
    /// ```no_run
    /// use redis_blocking::{Cmd, Connection};
    ///
    /// let mut conn = Connection::open_url("redis://127.0.0.1")?;
    /// let (new,): (i64,) = conn.transaction("counter", |conn, pipe| {
    ///     let old: Option<i64> = conn.query(&Cmd::new("GET").arg("counter"))?;
    ///     pipe.cmd("SET").arg("counter").arg(old.unwrap_or(0) * 2 + 1).ignore();
    ///     pipe.cmd("GET").arg("counter");
    ///     Ok(())
    /// })?;
    /// # Ok::<(), redis_blocking::Error>(())
    /// ```
    pub fn transaction<'a, K, T, F>(&mut self, keys: K, body: F) -> Result<T>
    where
        K: ToArgs<'a>,
        T: FromReply,
        F: FnMut(&mut Connection, &mut Pipeline<'a>) -> Result<()>,
    {
        self.transaction_with(&TransactionPolicy::default(), keys, body)
    }

    /// [`transaction`](Connection::transaction) with its own number of
    /// attempts and pauses between them.
    ///
    /// # Errors
    ///
    /// As [`transaction`](Connection::transaction).
    pub fn transaction_with<'a, K, T, F>(
        &mut self,
        policy: &TransactionPolicy,
        keys: K,
        body: F,
    ) -> Result<T>
    where
        K: ToArgs<'a>,
        T: FromReply,
        F: FnMut(&mut Connection, &mut Pipeline<'a>) -> Result<()>,
    {
        self.transaction_inner(policy, keys, body, false)
    }

    /// A transaction; with `asking`, `WATCH` and `MULTI` are each preceded
    /// by `ASKING` (a cluster node that imports the keys' slot).
    pub(crate) fn transaction_inner<'a, K, T, F>(
        &mut self,
        policy: &TransactionPolicy,
        keys: K,
        mut body: F,
        asking: bool,
    ) -> Result<T>
    where
        K: ToArgs<'a>,
        T: FromReply,
        F: FnMut(&mut Connection, &mut Pipeline<'a>) -> Result<()>,
    {
        let watch = Cmd::new("WATCH").arg(keys);
        let attempts = policy.get_attempts().max(1);
        for attempt in 1..=attempts {
            if asking {
                let deadline = self.deadline(None, resp_core::command::Blocks::No);
                self.query_asking::<()>(&watch, deadline)?;
                self.note_session(resp_core::command::Session {
                    watch: true,
                    ..Default::default()
                });
            } else {
                self.query::<()>(&watch)?;
            }
            let mut pipe = Pipeline::transaction();
            pipe.set_asking(asking);
            if let Err(e) = body(self, &mut pipe) {
                self.unwatch();
                return Err(e);
            }
            if pipe.is_empty() {
                self.unwatch();
                return T::from_pipeline(Vec::new());
            }
            match self.query_pipeline::<T>(&pipe) {
                Err(e) if e.kind() == ErrorKind::WatchConflict && attempt < attempts => {
                    let pause = policy.pause(attempt);
                    log::debug!("transaction attempt {attempt} conflicted; again in {pause:?}");
                    std::thread::sleep(pause);
                }
                // EXEC unwatches, whatever its outcome.
                other => return other,
            }
        }
        Err(Error::new(
            ErrorKind::WatchConflict,
            Executed::No,
            format!("watched keys kept changing: gave up after {attempts} attempts"),
        ))
    }

    /// Sends `UNWATCH` if the connection is still usable.
    fn unwatch(&mut self) {
        if !self.is_broken() {
            if let Err(e) = self.query::<()>(&Cmd::new("UNWATCH")) {
                log::debug!("UNWATCH failed: {e}");
            }
        }
    }
}

/// The typed result of a pipeline from each command's result.
pub(crate) fn typed_pipeline<T: FromReply>(pipe: &Pipeline<'_>, settled: Settled) -> Result<T> {
    if let Some(e) = settled.aborted {
        return Err(e);
    }
    typed_results(pipe, settled.executed, settled.results)
}

/// The typed value of a plain pipeline's `results`, or the first error of
/// a command whose reply is not kept; `executed` says whether the batch as
/// a whole ran.
pub(crate) fn typed_results<T: FromReply>(
    pipe: &Pipeline<'_>,
    executed: Executed,
    results: Vec<Result<Value>>,
) -> Result<T> {
    let n = results.len();
    let mut kept = Vec::with_capacity(n);
    let mut failed = None;
    for (i, result) in results.into_iter().enumerate() {
        match result {
            Ok(value) if pipe.ignored(i) => drop(value),
            Ok(value) => kept.push(value),
            // A kept command's own error reply: the conversion decides
            // (`Result<_, ServerError>` elements take it as a value).
            Err(e) if e.kind() == ErrorKind::Server && !pipe.ignored(i) => {
                let line = e.server_error().map(ServerError::line).unwrap_or_default();
                kept.push(Frame::Error(line.as_bytes().to_vec().into()));
            }
            // An ignored command's error, or no reply at all.
            Err(e) => {
                failed.get_or_insert((i, e));
            }
        }
    }
    if let Some((i, e)) = failed {
        return Err(e.executed_as(executed).context(format!(
            "pipeline command {} of {n} ({})",
            i + 1,
            pipe.command_name(i)
        )));
    }
    T::from_pipeline(kept).map_err(|e| {
        // A command's own error, seen by the conversion: the batch around
        // it ran, or not, as a whole.
        if e.kind() == ErrorKind::Server {
            e.executed_as(executed)
        } else {
            e
        }
    })
}

/// The first queueing error of a discarded transaction when every one of
/// them is a refusal before running (a redirect, `TRYAGAIN`, `CLUSTERDOWN`,
/// `READONLY` during a failover, `LOADING`, ...): the transaction is judged
/// by it, and tried again where it may pass. A mistake among them (a wrong
/// argument count) fails the same way every time: none then.
fn refusal_in(run: &BatchRun) -> Option<Vec<u8>> {
    let mut first = None;
    for outcome in &run.outcomes {
        if let Err(Unanswered::Discarded {
            queued: Some(line), ..
        }) = outcome
        {
            if executed_by_error(line) != Executed::No {
                return None;
            }
            first.get_or_insert_with(|| line.clone());
        }
    }
    first
}

/// Why a transaction as a whole failed, if it did not run.
fn transaction_failure(run: &BatchRun) -> Option<Error> {
    let why = run.outcomes.first()?.as_ref().err()?;
    let refusal = match why {
        Unanswered::Discarded { .. } => refusal_in(run),
        _ => None,
    };
    Some(match why {
        // Refused at queueing time because the slot is elsewhere, or the
        // server between states: nothing ran, and the refusal (a redirect
        // a cluster client follows, a READONLY that passes once the
        // failover is over) says more than EXECABORT.
        Unanswered::Discarded { .. } if refusal.is_some() => {
            let line = refusal.unwrap_or_default();
            Error::server(ServerError::new(
                String::from_utf8_lossy(&line).into_owned(),
            ))
            .executed_as(Executed::No)
            .context("transaction discarded")
        }
        Unanswered::Discarded { exec, .. } => {
            let details: Vec<String> = run
                .outcomes
                .iter()
                .enumerate()
                .filter_map(|(i, o)| match o {
                    Err(Unanswered::Discarded {
                        queued: Some(own), ..
                    }) => Some(format!(
                        "command {}: {}",
                        i + 1,
                        String::from_utf8_lossy(own)
                    )),
                    _ => None,
                })
                .collect();
            let exec = Error::server(ServerError::new(String::from_utf8_lossy(exec).into_owned()))
                .executed_as(Executed::No);
            if details.is_empty() {
                exec
            } else {
                exec.context(format!("transaction discarded ({})", details.join("; ")))
            }
        }
        other => unanswered_error(other, run.failure.as_ref()),
    })
}

fn watch_conflict() -> Error {
    Error::new(
        ErrorKind::WatchConflict,
        Executed::No,
        "a watched key changed: the transaction did not run",
    )
}
