//! The replies of a pipeline or a MULTI/EXEC transaction, assembled into
//! one outcome per command.

use super::outcome::{executed_by_error, Executed};
use crate::{Frame, OwnedFrame};

/// Why a command of a batch has no reply of its own.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq)]
pub enum Unanswered {
    /// The connection failed before the command's reply arrived; whether
    /// it ran depends on whether it was completely written.
    Lost(Executed),
    /// The transaction was discarded (`EXECABORT`, or another error from
    /// `EXEC`): nothing ran.
    Discarded {
        /// `EXEC`'s error line.
        exec: Vec<u8>,
        /// The command's own error line when it failed to queue.
        queued: Option<Vec<u8>>,
    },
    /// A watched key changed: `EXEC` answered nil and nothing ran.
    WatchConflict,
    /// `MULTI` or `EXEC` answered in a way that leaves the commands' fate
    /// unknown (a `MULTI` error, an `EXEC` array of the wrong length).
    Unexpected(&'static str),
}

impl Unanswered {
    /// Whether the command may have run.
    pub fn executed(&self) -> Executed {
        match self {
            Unanswered::Lost(executed) => *executed,
            Unanswered::Discarded { .. } | Unanswered::WatchConflict => Executed::No,
            Unanswered::Unexpected(_) => Executed::Maybe,
        }
    }
}

/// One command's outcome: its own reply (possibly an error reply the
/// command raised), or why it has none.
pub type Outcome = Result<OwnedFrame, Unanswered>;

/// The reply accumulator of one batch: a pipeline of commands, or the same
/// commands wrapped in `MULTI` ... `EXEC`.
///
/// # Call order
///
/// 1. Write the batch (`MULTI` first and `EXEC` last for a transaction)
///    and tell the connection to expect [`expected`](Batch::expected)
///    replies.
/// 2. Hand every reply, in order, to [`handle_reply`](Batch::handle_reply).
/// 3. Then call [`finish`](Batch::finish); or, if the connection failed
///    first, [`fail`](Batch::fail) with how many of the batch's commands
///    (`MULTI` and `EXEC` counted) were completely written.
///
/// Each command gets exactly one [`Outcome`]. A command that got no reply
/// says whether it may have run: in a plain pipeline by its own bytes, in a
/// transaction by `EXEC`'s, since nothing runs before `EXEC`.
///
/// # Example
///
/// ```
/// use resp_core::client::{Batch, Executed, Unanswered};
/// use resp_core::Frame;
///
/// // A transaction of two commands whose connection died after EXEC was
/// // written but before its reply: both may have run.
/// let mut batch = Batch::new(2, true);
/// assert_eq!(batch.expected(), 4);
/// batch.handle_reply(Frame::simple(b"OK"));
/// batch.handle_reply(Frame::simple(b"QUEUED"));
/// let outcomes = batch.fail(4);
/// assert_eq!(outcomes, vec![Err(Unanswered::Lost(Executed::Maybe)); 2]);
///
/// // A pipeline: the first reply came, the second command was never
/// // completely written.
/// let mut batch = Batch::new(2, false);
/// batch.handle_reply(Frame::Integer(1));
/// let outcomes = batch.fail(1);
/// assert_eq!(outcomes[0], Ok(Frame::Integer(1)));
/// assert_eq!(outcomes[1], Err(Unanswered::Lost(Executed::No)));
/// ```
#[derive(Debug, Clone)]
pub struct Batch {
    len: usize,
    atomic: bool,
    /// Replies handled so far (`MULTI`'s and the queuing replies included).
    got: usize,
    /// Plain pipeline: the replies. Transaction: `EXEC`'s items.
    replies: Vec<OwnedFrame>,
    /// Transaction: each command's queuing error, if any.
    queued: Vec<Option<Vec<u8>>>,
    /// Transaction: `MULTI` did not answer `+OK`.
    multi_failed: bool,
    /// Transaction: `EXEC`'s reply.
    exec: Option<OwnedFrame>,
}

impl Batch {
    /// A batch of `len` commands; `atomic` wraps them in `MULTI`/`EXEC`.
    pub fn new(len: usize, atomic: bool) -> Batch {
        Batch {
            len,
            atomic,
            got: 0,
            replies: Vec::new(),
            queued: Vec::new(),
            multi_failed: false,
            exec: None,
        }
    }

    /// `more` commands were appended to a plain pipeline under way: their
    /// replies follow those of the commands before them. A transaction's
    /// commands are fixed once it is sent; for one this does nothing.
    pub fn extend(&mut self, more: usize) {
        if !self.atomic {
            self.len += more;
        }
    }

    /// The number of commands, `MULTI` and `EXEC` not counted.
    pub fn len(&self) -> usize {
        self.len
    }

    /// True for a batch of no command.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// True for a transaction.
    pub fn is_atomic(&self) -> bool {
        self.atomic
    }

    /// The number of replies the server sends: one per command, plus
    /// `MULTI`'s and `EXEC`'s for a transaction.
    pub fn expected(&self) -> usize {
        self.len + if self.atomic { 2 } else { 0 }
    }

    /// Replies handled so far.
    pub fn replies_handled(&self) -> usize {
        self.got
    }

    /// Takes the next reply. Replies beyond [`expected`](Batch::expected)
    /// are the connection's problem (it must not pass them) and are
    /// ignored here.
    pub fn handle_reply(&mut self, frame: Frame<'_>) {
        let index = self.got;
        self.got += 1;
        if !self.atomic {
            if index < self.len {
                self.replies.push(frame.into_owned());
            }
            return;
        }
        if index == 0 {
            self.multi_failed = !matches!(
                frame.strip_attributes(),
                Frame::Simple(ok) if &*ok == b"OK"
            );
        } else if index <= self.len {
            self.queued.push(error_line(&frame).map(<[u8]>::to_vec));
        } else if index == self.len + 1 {
            self.exec = Some(frame.into_owned());
        }
    }

    /// The outcomes once every reply was handled.
    pub fn finish(self) -> Vec<Outcome> {
        let wire = self.expected();
        self.fail(wire)
    }

    /// The outcomes when the connection failed after `written` of the
    /// batch's commands (`MULTI` and `EXEC` counted) were completely
    /// written. Commands with a reply keep it.
    pub fn fail(self, written: usize) -> Vec<Outcome> {
        if !self.atomic {
            let mut outcomes: Vec<Outcome> = self.replies.into_iter().map(Ok).collect();
            for index in outcomes.len()..self.len {
                let executed = if index < written {
                    Executed::Maybe
                } else {
                    Executed::No
                };
                outcomes.push(Err(Unanswered::Lost(executed)));
            }
            return outcomes;
        }
        let all = |why: Unanswered| vec![Err(why); self.len];
        if self.multi_failed {
            return all(Unanswered::Unexpected("MULTI was not answered +OK"));
        }
        let exec = match self.exec {
            Some(exec) => exec,
            None if written >= self.len + 2 => return all(Unanswered::Lost(Executed::Maybe)),
            None => return all(Unanswered::Lost(Executed::No)),
        };
        match exec.strip_attributes() {
            Frame::Array(items) if items.len() == self.len => items.into_iter().map(Ok).collect(),
            Frame::Array(_) => all(Unanswered::Unexpected(
                "EXEC answered the wrong number of replies",
            )),
            Frame::NullArray | Frame::Null => all(Unanswered::WatchConflict),
            Frame::Error(e) | Frame::BulkError(e) => self
                .queued
                .into_iter()
                .chain(std::iter::repeat(None))
                .take(self.len)
                .map(|queued| {
                    Err(Unanswered::Discarded {
                        exec: e.to_vec(),
                        queued,
                    })
                })
                .collect(),
            _ => all(Unanswered::Unexpected(
                "EXEC answered neither an array nor an error",
            )),
        }
    }
}

/// Whether a batch with these outcomes may have run, as a whole: it ran if
/// any command ran, may have run if any may have, and did not run only if
/// no command did. Error replies count by their code (a command refused
/// with `READONLY` did not run; one that failed with `WRONGTYPE` did).
///
/// ```
/// use resp_core::client::{batch_executed, Executed, Outcome, Unanswered};
/// use resp_core::Frame;
///
/// let refused: Vec<Outcome> = vec![Ok(Frame::error(b"READONLY You can't write")); 2];
/// assert_eq!(batch_executed(&refused), Executed::No);
/// let partly: Vec<Outcome> = vec![Ok(Frame::Integer(1)), Ok(Frame::error(b"READONLY no"))];
/// assert_eq!(batch_executed(&partly), Executed::Yes);
/// let lost: Vec<Outcome> = vec![Err(Unanswered::Lost(Executed::Maybe))];
/// assert_eq!(batch_executed(&lost), Executed::Maybe);
/// ```
pub fn batch_executed(outcomes: &[Outcome]) -> Executed {
    most_executed(outcomes.iter().map(outcome_executed))
}

/// Whether the command of one outcome ran: a reply says it did, an error
/// reply by its code, no reply by why there is none.
///
/// ```
/// use resp_core::client::{outcome_executed, Executed, Outcome};
/// use resp_core::Frame;
///
/// let refused: Outcome = Ok(Frame::error(b"MOVED 1 h:1"));
/// assert_eq!(outcome_executed(&refused), Executed::No);
/// assert_eq!(outcome_executed(&Ok(Frame::Integer(1))), Executed::Yes);
/// ```
pub fn outcome_executed(outcome: &Outcome) -> Executed {
    match outcome {
        Ok(frame) => match error_line(frame) {
            Some(line) => executed_by_error(line),
            None => Executed::Yes,
        },
        Err(why) => why.executed(),
    }
}

/// The most that any of several commands ran: `Yes` if one did, `Maybe`
/// if one may have, `No` only if none did (and for none at all).
///
/// ```
/// use resp_core::client::{most_executed, Executed};
///
/// assert_eq!(most_executed([Executed::No, Executed::Maybe]), Executed::Maybe);
/// assert_eq!(most_executed([]), Executed::No);
/// ```
pub fn most_executed(each: impl IntoIterator<Item = Executed>) -> Executed {
    let rank = |e: &Executed| match e {
        Executed::No => 0,
        Executed::Maybe => 1,
        Executed::Yes => 2,
    };
    each.into_iter().max_by_key(rank).unwrap_or(Executed::No)
}

/// The error line of an error reply.
fn error_line<'f>(frame: &'f Frame<'_>) -> Option<&'f [u8]> {
    match frame {
        Frame::Error(e) | Frame::BulkError(e) => Some(e),
        Frame::Attributed(a) => error_line(&a.frame),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(len: usize, atomic: bool, replies: Vec<Frame<'static>>) -> Vec<Outcome> {
        let mut batch = Batch::new(len, atomic);
        for reply in replies {
            batch.handle_reply(reply);
        }
        batch.finish()
    }

    #[test]
    fn pipeline_keeps_each_reply() {
        let out = run(
            3,
            false,
            vec![Frame::Integer(1), Frame::error(b"ERR no"), Frame::Null],
        );
        assert_eq!(
            out,
            vec![
                Ok(Frame::Integer(1)),
                Ok(Frame::error(b"ERR no")),
                Ok(Frame::Null)
            ]
        );
    }

    #[test]
    fn pipeline_failure_by_bytes_written() {
        let mut batch = Batch::new(4, false);
        batch.handle_reply(Frame::Integer(1));
        let out = batch.fail(3);
        assert_eq!(out[0], Ok(Frame::Integer(1)));
        assert_eq!(out[1], Err(Unanswered::Lost(Executed::Maybe)));
        assert_eq!(out[2], Err(Unanswered::Lost(Executed::Maybe)));
        assert_eq!(out[3], Err(Unanswered::Lost(Executed::No)));
    }

    #[test]
    fn transaction_results() {
        let queued = || Frame::simple(b"QUEUED");
        let out = run(
            2,
            true,
            vec![
                Frame::simple(b"OK"),
                queued(),
                queued(),
                Frame::Array(vec![Frame::Integer(1), Frame::error(b"WRONGTYPE x")]),
            ],
        );
        assert_eq!(
            out,
            vec![Ok(Frame::Integer(1)), Ok(Frame::error(b"WRONGTYPE x"))]
        );

        let out = run(
            2,
            true,
            vec![Frame::simple(b"OK"), queued(), queued(), Frame::NullArray],
        );
        assert_eq!(out, vec![Err(Unanswered::WatchConflict); 2]);

        let out = run(
            2,
            true,
            vec![
                Frame::simple(b"OK"),
                queued(),
                Frame::error(b"ERR unknown command 'NOPE'"),
                Frame::error(b"EXECABORT Transaction discarded"),
            ],
        );
        let exec = b"EXECABORT Transaction discarded".to_vec();
        assert_eq!(
            out,
            vec![
                Err(Unanswered::Discarded {
                    exec: exec.clone(),
                    queued: None
                }),
                Err(Unanswered::Discarded {
                    exec,
                    queued: Some(b"ERR unknown command 'NOPE'".to_vec())
                }),
            ]
        );
        assert!(out
            .iter()
            .all(|o| o.as_ref().unwrap_err().executed() == Executed::No));

        let out = run(
            2,
            true,
            vec![
                Frame::simple(b"OK"),
                queued(),
                queued(),
                Frame::Array(vec![]),
            ],
        );
        assert_eq!(out[0].as_ref().unwrap_err().executed(), Executed::Maybe);

        let out = run(
            1,
            true,
            vec![
                Frame::error(b"ERR MULTI calls can not be nested"),
                queued(),
                Frame::Array(vec![Frame::Integer(1)]),
            ],
        );
        assert_eq!(out[0].as_ref().unwrap_err().executed(), Executed::Maybe);
    }

    #[test]
    fn transaction_failure_shares_exec_fate() {
        let mut batch = Batch::new(3, true);
        batch.handle_reply(Frame::simple(b"OK"));
        batch.handle_reply(Frame::simple(b"QUEUED"));
        // EXEC (the 5th command) not completely written: nothing ran.
        assert_eq!(
            batch.clone().fail(4),
            vec![Err(Unanswered::Lost(Executed::No)); 3]
        );
        assert_eq!(
            batch.fail(5),
            vec![Err(Unanswered::Lost(Executed::Maybe)); 3]
        );
    }
}
