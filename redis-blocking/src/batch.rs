//! Running pipelines and transactions on a connection.

use std::time::Instant;

use resp_core::Frame;

use crate::connection::{Connection, Failure};
use crate::error::ErrorCode;
use crate::error::{Error, ErrorKind, Executed, Result, ServerError};
use crate::pipeline::Pipeline;
use crate::script::ScriptRunner;
use crate::types::{FromReply, ToArgs, Value};
use crate::Cmd;

/// How many times [`Connection::transaction`] runs its body when other
/// clients keep changing the watched keys.
pub const TRANSACTION_ATTEMPTS: usize = 16;

fn server_error(frame: &Frame<'_>) -> Option<ServerError> {
    match frame {
        Frame::Error(e) | Frame::BulkError(e) => {
            Some(ServerError::new(String::from_utf8_lossy(e).into_owned()))
        }
        _ => None,
    }
}

impl Connection {
    /// Writes the pipeline and hands each reply, in order, to `each`.
    fn run_pipeline(
        &mut self,
        pipe: &Pipeline<'_>,
        deadline: Option<Instant>,
        each: &mut dyn FnMut(Frame<'_>),
    ) -> std::result::Result<(), Failure> {
        if let Err(error) = pipe.check().and_then(|()| self.regular()) {
            return Err(Failure {
                error,
                replies: 0,
                written: 0,
            });
        }
        let segments = pipe.segments();
        let expected = pipe.len() + if pipe.is_atomic() { 2 } else { 0 };
        let outcome = self.exchange(&segments, expected, deadline, each);
        if outcome.is_ok() {
            self.note_session(pipe.session());
        }
        outcome
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
        let mut results = self.raw_results_until(pipe, deadline);
        if !pipe.is_atomic() {
            for (i, call) in pipe.script_calls() {
                if matches!(&results[*i], Err(e) if e.code() == Some(&ErrorCode::NoScript)) {
                    results[*i] = self.run_script(call);
                }
            }
        }
        results
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !pipe.internal(*i))
            .map(|(_, r)| r)
            .collect()
    }

    /// One result per command of the pipeline, internal ones included.
    fn raw_results_until(
        &mut self,
        pipe: &Pipeline<'_>,
        deadline: Option<Instant>,
    ) -> Vec<Result<Value>> {
        let n = pipe.len();
        let mut results: Vec<Result<Value>> = Vec::with_capacity(n);
        let mut queued: Vec<Option<ServerError>> = Vec::new();
        let mut exec: Option<Value> = None;
        let atomic = pipe.is_atomic();
        let mut index = 0usize;
        let outcome = self.run_pipeline(pipe, deadline, &mut |frame| {
            if !atomic {
                results.push(match server_error(&frame) {
                    Some(e) => Err(Error::server(e)),
                    None => Ok(frame.into_owned()),
                });
            } else if index == 0 {
                // MULTI's +OK.
            } else if index <= n {
                queued.push(server_error(&frame));
            } else {
                exec = Some(frame.into_owned());
            }
            index += 1;
        });
        if let Err(failure) = outcome {
            if atomic {
                // Nothing runs before EXEC: the whole batch shares a fate.
                let end = pipe.end_of(n) + 14;
                return (0..n).map(|_| Err(failure.for_command(end))).collect();
            }
            for i in results.len()..n {
                results.push(Err(failure.for_command(pipe.end_of(i))));
            }
            return results;
        }
        if !atomic {
            return results;
        }
        match exec {
            Some(Frame::Array(items)) if items.len() == n => items
                .into_iter()
                .map(|frame| match server_error(&frame) {
                    Some(e) => Err(Error::server(e)),
                    None => Ok(frame),
                })
                .collect(),
            Some(Frame::NullArray | Frame::Null) => (0..n).map(|_| Err(watch_conflict())).collect(),
            Some(frame) => {
                let reason = server_error(&frame);
                (0..n)
                    .map(|i| {
                        let own = queued.get(i).cloned().flatten();
                        match (own, &reason) {
                            (Some(e), _) => Err(Error::server(e).executed_as(Executed::No)),
                            (None, Some(e)) => {
                                Err(Error::server(e.clone()).executed_as(Executed::No))
                            }
                            (None, None) => Err(Error::new(
                                ErrorKind::Protocol,
                                Executed::Maybe,
                                "unexpected EXEC reply",
                            )),
                        }
                    })
                    .collect()
            }
            None => (0..n)
                .map(|_| {
                    Err(Error::new(
                        ErrorKind::Protocol,
                        Executed::Maybe,
                        "no EXEC reply",
                    ))
                })
                .collect(),
        }
    }

    /// Runs a pipeline and converts the replies of the commands not
    /// [ignored](Pipeline::ignore), as an array, into `T`: a tuple, a
    /// `Vec`, ... For a transaction, the replies are `EXEC`'s.
    ///
    /// Every reply is read even when one is an error, so the connection
    /// stays in step; use `Result<T, ServerError>` elements to receive
    /// server errors as values.
    ///
    /// # Errors
    ///
    /// The first server error among the replies (unless `T` takes errors as
    /// values), a conversion error, [`ErrorKind::WatchConflict`] when a
    /// watched key changed, `EXECABORT` listing the commands that failed to
    /// queue, or the failure that broke the connection.
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
        let n = pipe.len();
        let atomic = pipe.is_atomic();
        let mut kept: Vec<Value> = Vec::new();
        let mut queued: Vec<(usize, ServerError)> = Vec::new();
        let mut exec: Option<Value> = None;
        let mut index = 0usize;
        // Script calls that met NOSCRIPT: (index, position in `kept`).
        let mut unloaded: Vec<(usize, Option<usize>)> = Vec::new();
        let outcome = self.run_pipeline(pipe, deadline, &mut |frame| {
            if !atomic {
                let is_noscript = matches!(&frame, Frame::Error(e) if e.starts_with(b"NOSCRIPT"));
                let slot = (!pipe.ignored(index)).then_some(kept.len());
                if is_noscript && pipe.script_calls().iter().any(|(i, _)| *i == index) {
                    unloaded.push((index, slot));
                }
                if slot.is_some() {
                    kept.push(frame.into_owned());
                }
            } else if (1..=n).contains(&index) {
                if let Some(e) = server_error(&frame) {
                    queued.push((index, e));
                }
            } else if index > n {
                exec = Some(frame.into_owned());
            }
            index += 1;
        });
        if let Err(failure) = outcome {
            let end = if atomic {
                pipe.end_of(n) + 14
            } else {
                pipe.end_of(failure.replies)
            };
            return Err(failure.into_command_error(end));
        }
        if !atomic {
            // A NOSCRIPT call did not run: run it now, in order of the batch.
            for (index, slot) in unloaded {
                if let Some((_, call)) = pipe.script_calls().iter().find(|(i, _)| *i == index) {
                    let value = match self.run_script::<Value>(call) {
                        Ok(value) => value,
                        Err(e) => match e.server_error() {
                            Some(server) => Frame::Error(server.line().as_bytes().to_vec().into()),
                            None => return Err(e),
                        },
                    };
                    if let Some(pos) = slot {
                        kept[pos] = value;
                    }
                }
            }
            return T::from_reply(Frame::Array(kept));
        }
        match exec {
            Some(Frame::Array(items)) => {
                let kept = items
                    .into_iter()
                    .enumerate()
                    .filter(|(i, _)| !pipe.ignored(*i))
                    .map(|(_, f)| f)
                    .collect();
                T::from_reply(Frame::Array(kept))
            }
            Some(Frame::NullArray | Frame::Null) => Err(watch_conflict()),
            Some(frame) => {
                let Some(reason) = server_error(&frame) else {
                    return Err(Error::new(
                        ErrorKind::Protocol,
                        Executed::Maybe,
                        "unexpected EXEC reply",
                    ));
                };
                let details: Vec<String> = queued
                    .iter()
                    .map(|(i, e)| format!("command {i}: {e}"))
                    .collect();
                let err = Error::server(reason).executed_as(Executed::No);
                Err(if details.is_empty() {
                    err
                } else {
                    err.context(format!("transaction discarded ({})", details.join("; ")))
                })
            }
            None => Err(Error::new(
                ErrorKind::Protocol,
                Executed::Maybe,
                "no EXEC reply",
            )),
        }
    }

    /// Runs `body` as an optimistic transaction over `keys`: `WATCH`es them,
    /// lets `body` read with the connection and queue writes in the
    /// pipeline, then runs the pipeline as MULTI/EXEC. When another client
    /// changed a watched key, starts over, up to [`TRANSACTION_ATTEMPTS`]
    /// times. The connection is always left unwatched.
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
    pub fn transaction<'a, K, T, F>(&mut self, keys: K, mut body: F) -> Result<T>
    where
        K: ToArgs<'a>,
        T: FromReply,
        F: FnMut(&mut Connection, &mut Pipeline<'a>) -> Result<()>,
    {
        let watch = Cmd::new("WATCH").arg(keys);
        for attempt in 1..=TRANSACTION_ATTEMPTS {
            self.query::<()>(&watch)?;
            let mut pipe = Pipeline::transaction();
            if let Err(e) = body(self, &mut pipe) {
                self.unwatch();
                return Err(e);
            }
            match self.query_pipeline::<T>(&pipe) {
                Err(e) if e.kind() == ErrorKind::WatchConflict => {
                    log::debug!("transaction attempt {attempt} conflicted; retrying");
                }
                // EXEC unwatches, whatever its outcome.
                other => return other,
            }
        }
        Err(Error::new(
            ErrorKind::WatchConflict,
            Executed::No,
            format!("watched keys kept changing: gave up after {TRANSACTION_ATTEMPTS} attempts"),
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

fn watch_conflict() -> Error {
    Error::new(
        ErrorKind::WatchConflict,
        Executed::No,
        "a watched key changed: the transaction did not run",
    )
}
