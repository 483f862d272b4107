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

use resp_core::client::{executed_by_error, Executed, Outcome, Redirect, RedirectKind, Unanswered};
use resp_core::cluster::Endpoint;
use resp_core::command::{is_read_only, Argv, Blocks};
use resp_core::Frame;

use super::pool::Pooled;
use super::router::Route;
use super::Client;
use crate::batch::{outcome_result, typed_pipeline, unanswered_error, BatchRun, Settled};
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
    /// The cluster sent the call elsewhere (`MOVED`, `ASK`); it did not
    /// run. Run again at once, where the router (and, for `ASK`, the
    /// operation) now says, within a bound on hops.
    Redirect(Error),
}

/// Redirects followed at most by one call: enough for a slot that moved
/// while a migration is under way, and a map that lagged behind.
const MAX_HOPS: u32 = 8;

/// How long a call without a deadline waits out a cluster between states
/// (a failover, a migration's last step, a map that lags), at most, from
/// its first such wait: the pauses and the map fetches they wait for.
const MAX_SETTLE: std::time::Duration = std::time::Duration::from_secs(10);

/// A call the drive loop runs.
pub(crate) trait Operation {
    type Output;

    /// What the router needs to know.
    fn route(&self) -> Route<'_>;

    /// How long the call may block on the server.
    fn blocking(&self) -> Blocks;

    /// The call's own timeout, which replaces the connections' default
    /// (`Cmd::timeout`, `Pipeline::timeout`).
    fn timeout(&self) -> Option<std::time::Duration> {
        None
    }

    /// One attempt on a connection, within `deadline`.
    fn attempt(&mut self, conn: &mut Connection, deadline: Option<Instant>) -> Step<Self::Output>;

    /// The result when no attempt is left after `error`.
    fn give_up(&mut self, error: Error) -> Result<Self::Output>;

    /// The call was redirected: an `ASK` sends the next attempt (only) to
    /// its target, preceded by `ASKING`; a `MOVED` goes where the router's
    /// updated map says.
    fn redirected(&mut self, _redirect: &Redirect) {}
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
        let mut hops = 0u32;
        let mut waits = 0u32;
        // Where the waits for a cluster between states end: the deadline,
        // or for a call without one, `MAX_SETTLE` after the first wait.
        let mut settle_by = deadline;
        // Where redirects sent this call (allocated on the first one).
        let mut visited: Vec<(String, u16)> = Vec::new();
        // The last node that could not be reached, for the error when
        // redirects keep leading back to it.
        let mut unreachable: Option<String> = None;
        loop {
            let epoch = connector.epoch();
            let step = match self.router.pool(op.route(), deadline) {
                Err(error) => self.judge_setup(error),
                Ok(pool) => match pool.checkout(deadline) {
                    Err(error) => {
                        self.router
                            .observe(pool.addr(), pool.connector.epoch(), &error);
                        self.judge_setup(error)
                    }
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
                        if let Step::Again(e) | Step::Done(Err(e)) | Step::Redirect(e) = &step {
                            self.after_failure(&mut conn, e);
                        }
                        step
                    }
                },
            };
            match step {
                Step::Done(result) => return result,
                Step::Again(error) => {
                    if error.kind() == crate::ErrorKind::Connect {
                        unreachable = Some(error.to_string());
                    }
                    // A cluster between states (TRYAGAIN, CLUSTERDOWN, a slot
                    // nobody serves yet) is waited out within the deadline,
                    // with short pauses that do not use up the attempts.
                    if let Some(pause) = self.router.retry_pause(&error, waits + 1) {
                        waits += 1;
                        let settle_by =
                            *settle_by.get_or_insert_with(|| Instant::now() + MAX_SETTLE);
                        if Instant::now() + pause >= settle_by {
                            return op.give_up(error);
                        }
                        std::thread::sleep(pause);
                        continue;
                    }
                    if let Err(error) = backoff.pause(error, epoch) {
                        return op.give_up(error);
                    }
                }
                Step::Redirect(error) => {
                    let Some(redirect) = error.server_error().and_then(|e| e.redirect()) else {
                        return op.give_up(error);
                    };
                    let target = (redirect.host.clone(), redirect.port);
                    if visited.contains(&target) {
                        // Sent back to a node this call was already sent to:
                        // the nodes disagree about the slot for now (a
                        // migration's last step reaching them one by one,
                        // gossip settling). Wait that out within the
                        // deadline, with short pauses, for a settled map.
                        let pause = self.router.bounce_pause(waits + 1);
                        waits += 1;
                        let settle_by =
                            *settle_by.get_or_insert_with(|| Instant::now() + MAX_SETTLE);
                        if Instant::now() + pause >= settle_by {
                            let last = match &unreachable {
                                Some(e) => {
                                    format!("; the last node tried could not be reached: {e}")
                                }
                                None => String::new(),
                            };
                            return op.give_up(error.context(format!(
                                "cluster redirections go round in a loop for slot {} (the nodes disagree about its owner{last})",
                                redirect.slot
                            )));
                        }
                        op.redirected(&redirect);
                        std::thread::sleep(pause);
                        continue;
                    }
                    visited.push(target);
                    hops += 1;
                    if hops > MAX_HOPS {
                        return op.give_up(
                            error.context(format!("too many cluster redirections ({MAX_HOPS})")),
                        );
                    }
                    op.redirected(&redirect);
                    // A slot sent to a node that was just unreachable: its
                    // failover is under way, wait instead of bouncing.
                    if let Some(pause) = self.router.redirect_pause(&redirect) {
                        if let Err(error) = backoff.pause_for(error, epoch, Some(pause)) {
                            return op.give_up(error);
                        }
                    }
                }
            }
        }
    }

    /// An attempt within the call's deadline and the connection's own
    /// timeout (or the call's own, which replaces it), whichever comes
    /// first.
    fn attempt_on<O: Operation>(
        &self,
        op: &mut O,
        conn: &mut Pooled,
        deadline: Option<Instant>,
    ) -> Step<O::Output> {
        let own = conn.deadline(op.timeout(), op.blocking());
        op.attempt(conn, crate::connection::earliest(deadline, own))
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
        self.router.observe(conn.addr(), conn.epoch(), error);
        if let (Some(predicate), Some(server)) =
            (&self.policy.reconnect_on_error, error.server_error())
        {
            if predicate(server) {
                conn.close_for(format!("reconnect on error: {server}"));
            }
        }
    }
}

/// One command, run by a closure on the connection (with `true` when it
/// must be preceded by `ASKING`).
pub(crate) struct Call<'c, T, F> {
    argv: &'c dyn Argv,
    blocking: Blocks,
    retry_reads: bool,
    /// Errors the call handles itself and the loop must not retry.
    own: &'static [ErrorKind],
    /// Follows cluster redirects (a cluster client's calls).
    follow: bool,
    /// The node an `ASK` sent the next attempt to.
    ask: Option<Endpoint>,
    /// The node every attempt goes to (one node of a cluster scan).
    pinned: Option<Endpoint>,
    /// The slot of the command's keys, planned by the caller.
    slot: Option<u16>,
    /// The command's own timeout, replacing the connections' default.
    timeout: Option<std::time::Duration>,
    run: F,
    _out: PhantomData<fn() -> T>,
}

impl<'c, T, F> Call<'c, T, F>
where
    F: FnMut(&mut Connection, Option<Instant>, bool) -> Result<T>,
{
    pub fn new(argv: &'c dyn Argv, blocking: Blocks, retry_reads: bool, run: F) -> Self {
        Call {
            argv,
            blocking,
            retry_reads,
            own: &[],
            follow: false,
            ask: None,
            pinned: None,
            slot: None,
            timeout: None,
            run,
            _out: PhantomData,
        }
    }

    /// Gives the call its own timeout, replacing the connections' default.
    pub fn timeout(mut self, timeout: Option<std::time::Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sends every attempt to `node`.
    pub fn pinned_to(mut self, node: Endpoint) -> Self {
        self.pinned = Some(node);
        self
    }

    /// Routes every attempt by `slot`, which the caller planned from the
    /// command's keys (a cluster router need not plan it again).
    pub fn in_slot(mut self, slot: u16) -> Self {
        self.slot = Some(slot);
        self
    }

    /// Follows `MOVED` and `ASK` (for a cluster client).
    pub fn following_redirects(mut self) -> Self {
        self.follow = true;
        self
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
    F: FnMut(&mut Connection, Option<Instant>, bool) -> Result<T>,
{
    type Output = T;

    fn route(&self) -> Route<'_> {
        match (&self.ask, &self.pinned) {
            (Some(node), _) | (None, Some(node)) => Route::Node(node),
            (None, None) => match self.slot {
                Some(slot) => Route::Slot(slot, self.argv),
                None => Route::Command(self.argv),
            },
        }
    }

    fn redirected(&mut self, redirect: &Redirect) {
        self.ask = match redirect.kind {
            RedirectKind::Ask => Some(Endpoint::new(redirect.host.clone(), redirect.port)),
            RedirectKind::Moved => None,
        };
    }

    fn blocking(&self) -> Blocks {
        self.blocking
    }

    fn timeout(&self) -> Option<std::time::Duration> {
        self.timeout
    }

    fn attempt(&mut self, conn: &mut Connection, deadline: Option<Instant>) -> Step<T> {
        let asking = self.ask.take().is_some();
        match (self.run)(conn, deadline, asking) {
            Ok(value) => Step::Done(Ok(value)),
            Err(error) if self.follow && error.retry() == crate::Retry::Redirect => {
                Step::Redirect(error)
            }
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

    /// Each command's result, internal ones included, the replies moved
    /// out of the outcomes.
    fn settle(&mut self) -> Settled {
        let run = BatchRun {
            outcomes: std::mem::take(&mut self.outcomes),
            failure: self.failure.take(),
        };
        let mut settled = run.settle(self.pipe.is_atomic());
        for (i, rerun) in self.reruns.drain(..) {
            settled.results[i] = rerun;
        }
        settled
    }

    /// One result per command, internal ones left out.
    pub fn into_results(mut self) -> Vec<Result<Value>> {
        let pipe = self.pipe;
        pipe.visible_results(self.settle().results)
    }

    /// The typed result.
    pub fn into_typed<T: FromReply>(mut self) -> Result<T> {
        let settled = self.settle();
        typed_pipeline(self.pipe, settled)
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

    fn timeout(&self) -> Option<std::time::Duration> {
        self.0.pipe.get_timeout()
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
