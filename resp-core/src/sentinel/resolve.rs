//! Which sentinel to ask next, and what their answers add up to.

use std::fmt::Display;

use super::error::{Attempt, SentinelError};
use super::reply::{master_addr_reply, replicas_reply, sentinels_reply, Endpoint, ReplicaInfo};
use crate::encode::write_command;
use crate::Frame;

/// The most sentinels a [`SentinelList`] holds: discovery never grows it
/// past this, whatever the sentinels report.
pub const MAX_SENTINELS: usize = 64;

/// The sentinels of one master, in the order to ask them.
///
/// The configured ones come first; discovered ones are added after them,
/// up to [`MAX_SENTINELS`]; the one that answered last moves to the front,
/// as the Sentinel client specification asks. Nothing is ever removed, so a
/// sentinel that is down now is tried again later (last).
///
/// ```
/// use resp_core::sentinel::SentinelList;
///
/// let mut list = SentinelList::new(["a", "b", "a"]);
/// assert_eq!(list.to_vec(), ["a", "b"]);
/// assert!(list.add("c"));
/// assert!(!list.add("b"));
/// list.promote(&"c");
/// assert_eq!(list.to_vec(), ["c", "a", "b"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SentinelList<A> {
    list: Vec<A>,
}

impl<A: Clone + PartialEq> SentinelList<A> {
    /// The configured sentinels, duplicates dropped, in order.
    pub fn new(seeds: impl IntoIterator<Item = A>) -> Self {
        let mut list = SentinelList { list: Vec::new() };
        for seed in seeds {
            list.add(seed);
        }
        list
    }

    /// Adds a sentinel at the end; `false` if it is known already or the
    /// list is full.
    pub fn add(&mut self, sentinel: A) -> bool {
        if self.list.len() >= MAX_SENTINELS || self.list.contains(&sentinel) {
            return false;
        }
        self.list.push(sentinel);
        true
    }

    /// Moves `sentinel` to the front, keeping the others in order.
    pub fn promote(&mut self, sentinel: &A) {
        if let Some(at) = self.list.iter().position(|s| s == sentinel) {
            let s = self.list.remove(at);
            self.list.insert(0, s);
        }
    }

    /// The sentinels in order.
    pub fn to_vec(&self) -> Vec<A> {
        self.list.clone()
    }

    /// The sentinels in order.
    pub fn iter(&self) -> impl Iterator<Item = &A> {
        self.list.iter()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

/// What a [`Resolution`] asks.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Query {
    /// The master's address: `SENTINEL get-master-addr-by-name`.
    Master,
    /// The master's replicas: `SENTINEL replicas`.
    Replicas,
}

/// What a successful [`Resolution`] found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found<A> {
    /// The sentinel that answered: move it to the front of the list.
    pub sentinel: A,
    /// The master's address, for [`Query::Master`].
    pub master: Option<Endpoint>,
    /// The replicas, for [`Query::Replicas`] (healthy or not; see
    /// [`ReplicaInfo::is_healthy`]).
    pub replicas: Vec<ReplicaInfo>,
    /// The other sentinels the answering one knows (when discovery is on
    /// and it answered): add them to the list.
    pub discovered: Vec<Endpoint>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// The question of the query.
    Ask,
    /// `SENTINEL sentinels`, after an answer.
    Discover,
    Done,
}

/// One resolution: asks the sentinels in order until one answers.
///
/// # Call order
///
/// Loop while [`poll_sentinel`](Resolution::poll_sentinel) names a
/// sentinel: connect to it (or reuse a connection to that same sentinel)
/// and say so with [`handle_connected`](Resolution::handle_connected), or
/// say why not with [`handle_unreachable`](Resolution::handle_unreachable)
/// and loop. Then, while [`poll_command`](Resolution::poll_command)
/// appends a command, write it, read one reply and pass it to
/// [`handle_reply`](Resolution::handle_reply) (or a failure of that
/// exchange to `handle_unreachable`, and drop the connection). When
/// `poll_command` answers `false`, loop: the resolution may have moved on
/// to the next sentinel. When `poll_sentinel` answers `None`,
/// [`finish`](Resolution::finish) says what was found.
///
/// A sentinel is passed over when it cannot be reached, answers with an
/// error or nonsense, does not know the master (a null answer), or names a
/// server the caller already found in the wrong role
/// ([`reject`](Resolution::reject)). The first sentinel that answers well
/// ends the resolution, after being asked (when
/// [`discover`](Resolution::discover) is on) for the sentinels it knows;
/// that question failing does not undo the answer.
#[derive(Debug, Clone)]
pub struct Resolution<A> {
    master: String,
    query: Query,
    order: Vec<A>,
    at: usize,
    step: Step,
    /// The caller is connected to the current sentinel.
    connected: bool,
    awaiting: bool,
    discover: bool,
    rejected: Vec<(Endpoint, String)>,
    tried: Vec<Attempt>,
    unknown: bool,
    not_confirmed: bool,
    found: Option<Found<A>>,
}

impl<A: Clone + Display> Resolution<A> {
    /// A resolution of `query` for the master named `master`, asking
    /// `sentinels` in this order. Discovery is on for [`Query::Master`].
    pub fn new(master: impl Into<String>, sentinels: Vec<A>, query: Query) -> Self {
        Resolution {
            master: master.into(),
            query,
            order: sentinels,
            at: 0,
            step: Step::Ask,
            connected: false,
            awaiting: false,
            discover: query == Query::Master,
            rejected: Vec::new(),
            tried: Vec::new(),
            unknown: false,
            not_confirmed: false,
            found: None,
        }
    }

    /// Whether to ask the answering sentinel for the others it knows.
    pub fn discover(mut self, on: bool) -> Self {
        self.discover = on;
        self
    }

    /// Passes over answers naming `addr`, which the caller found in the
    /// wrong role (`why`, such as `role slave`): another sentinel may know
    /// better. If no sentinel names another server, the resolution fails
    /// with [`SentinelError::MasterNotConfirmed`].
    pub fn reject(mut self, addr: Endpoint, why: impl Into<String>) -> Self {
        self.rejected.push((addr, why.into()));
        self
    }

    /// The sentinel to talk to now; `None` once the resolution is over.
    pub fn poll_sentinel(&self) -> Option<&A> {
        match self.step {
            Step::Done => None,
            _ => self.order.get(self.at),
        }
    }

    /// The caller is connected to the sentinel
    /// [`poll_sentinel`](Resolution::poll_sentinel) names.
    pub fn handle_connected(&mut self) {
        self.connected = self.poll_sentinel().is_some();
    }

    /// Appends the next command for the current sentinel to `out`; `false`
    /// while a reply is awaited, before
    /// [`handle_connected`](Resolution::handle_connected), and when there
    /// is nothing more to ask this sentinel.
    pub fn poll_command(&mut self, out: &mut Vec<u8>) -> bool {
        if self.awaiting || !self.connected || self.poll_sentinel().is_none() {
            return false;
        }
        let name = self.master.as_str();
        match (self.step, self.query) {
            (Step::Ask, Query::Master) => {
                write_command(out, ["SENTINEL", "get-master-addr-by-name", name])
            }
            (Step::Ask, Query::Replicas) => write_command(out, ["SENTINEL", "replicas", name]),
            (Step::Discover, _) => write_command(out, ["SENTINEL", "sentinels", name]),
            (Step::Done, _) => return false,
        }
        self.awaiting = true;
        true
    }

    /// The current sentinel could not be reached, or the exchange with it
    /// failed (`cause` says how): on to the next one. After an answer,
    /// only discovery is given up.
    pub fn handle_unreachable(&mut self, cause: impl Display) {
        if self.poll_sentinel().is_none() {
            return;
        }
        self.awaiting = false;
        if self.step == Step::Discover {
            self.step = Step::Done;
            return;
        }
        self.pass(cause.to_string());
    }

    /// Judges the reply to the last command.
    pub fn handle_reply(&mut self, reply: &Frame<'_>) {
        if !self.awaiting || self.poll_sentinel().is_none() {
            return;
        }
        self.awaiting = false;
        match self.step {
            Step::Ask => self.judge_answer(reply),
            Step::Discover => {
                if let (Ok(list), Some(found)) = (sentinels_reply(reply), self.found.as_mut()) {
                    found.discovered = list;
                }
                self.step = Step::Done;
            }
            Step::Done => {}
        }
    }

    fn judge_answer(&mut self, reply: &Frame<'_>) {
        let sentinel = self.order[self.at].clone();
        let found = match self.query {
            Query::Master => match master_addr_reply(reply) {
                Ok(Some(addr)) => {
                    if let Some((_, why)) = self.rejected.iter().find(|(a, _)| *a == addr) {
                        self.not_confirmed = true;
                        let outcome = format!("named {addr}, which is not a master ({why})");
                        return self.pass(outcome);
                    }
                    Found {
                        sentinel,
                        master: Some(addr),
                        replicas: Vec::new(),
                        discovered: Vec::new(),
                    }
                }
                Ok(None) => {
                    self.unknown = true;
                    return self.pass("does not know this master".into());
                }
                Err(e) => return self.pass(e.to_string()),
            },
            Query::Replicas => match replicas_reply(reply) {
                Ok(replicas) => Found {
                    sentinel,
                    master: None,
                    replicas,
                    discovered: Vec::new(),
                },
                Err(super::ReplyError::Refused(line)) if is_unknown_master(&line) => {
                    self.unknown = true;
                    return self.pass("does not know this master".into());
                }
                Err(e) => return self.pass(e.to_string()),
            },
        };
        self.found = Some(found);
        self.step = if self.discover {
            Step::Discover
        } else {
            Step::Done
        };
    }

    /// Notes what happened with the current sentinel and moves on.
    fn pass(&mut self, outcome: String) {
        self.tried.push(Attempt {
            sentinel: self.order[self.at].to_string(),
            outcome,
        });
        self.at += 1;
        self.connected = false;
        self.step = if self.at < self.order.len() {
            Step::Ask
        } else {
            Step::Done
        };
    }

    /// What each sentinel did so far.
    pub fn attempts(&self) -> &[Attempt] {
        &self.tried
    }

    /// The outcome, once [`poll_sentinel`](Resolution::poll_sentinel)
    /// answers `None`.
    ///
    /// # Errors
    ///
    /// [`SentinelError::MasterNotConfirmed`] when a sentinel named only
    /// rejected servers; otherwise [`SentinelError::UnknownMaster`] when a
    /// sentinel said it does not know the master; otherwise
    /// [`SentinelError::NoSentinelReachable`].
    pub fn finish(self) -> Result<Found<A>, SentinelError> {
        if let Some(found) = self.found {
            return Ok(found);
        }
        let (master, tried) = (self.master, self.tried);
        Err(if self.not_confirmed {
            SentinelError::MasterNotConfirmed { master, tried }
        } else if self.unknown {
            SentinelError::UnknownMaster { master, tried }
        } else {
            SentinelError::NoSentinelReachable { master, tried }
        })
    }
}

fn is_unknown_master(line: &str) -> bool {
    line.contains("No such master")
}
