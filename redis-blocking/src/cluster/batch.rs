//! Running a batch of commands over a cluster: each command to the node
//! that serves it, every node's share written and read at once, one
//! outcome per command; only commands the cluster refused before running
//! them (`MOVED`, `ASK`, `TRYAGAIN`, `CLUSTERDOWN`) are sent again.

use std::sync::Arc;
use std::time::{Duration, Instant};

use resp_core::client::{
    executed_by_error, most_executed, outcome_executed, Executed, Outcome, Redirect, RedirectKind,
    Unanswered,
};
use resp_core::cluster::{
    aggregate, merge_split, one_key_position, plan_for, Endpoint, Health, Plan, ResponsePolicy,
    Split, Topology,
};
use resp_core::command::{key_slot, lookup_args, Blocks, CommandInfo};
use resp_core::Frame;

use super::router::ClusterRouter;
use super::shares::Round;
use crate::batch::BatchRun;
use crate::error::{Error, ErrorKind};
use crate::pipeline::Pipeline;
use crate::Cmd;

/// Rounds of sending again, at most: redirects during a migration, a
/// cluster between states.
const ROUNDS: usize = 12;

/// Where one unit of the batch goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Target {
    /// Whoever serves the slot (a replica may serve a read).
    Slot { slot: u16, read_only: bool },
    /// A given node (one primary of a command sent to every primary).
    Node(Endpoint),
    /// No key: the node of the nearest command that has one.
    Follow,
}

/// How a user's command became units, and how their replies combine.
#[derive(Debug)]
pub(crate) enum Shape {
    /// One unit.
    One(usize),
    /// One unit per primary (or node), replies combined by the policy.
    Fan {
        units: Vec<usize>,
        policy: ResponsePolicy,
        names: Vec<String>,
    },
    /// One unit per slot of a split multi-key command.
    Split { units: Vec<usize>, split: Split },
    /// Refused before sending.
    Refused(Error),
}

/// A batch ready to run: the units (as a pipeline, one command each),
/// where each goes, and the shape of each user command.
pub(crate) struct Planned<'a> {
    /// `None` when the units are the user's commands as they are.
    pub units: Option<Pipeline<'a>>,
    pub targets: Vec<Target>,
    /// Empty when `units` is `None`: command k is unit k.
    pub shapes: Vec<Shape>,
}

/// Commands planned before the first bytes go out; each later step plans
/// four times as many as the one before, up to [`MAX_STEP`]: the nodes
/// start working while the rest of the batch is planned, with a few more
/// writes per node than one (each write costs the client and the server a
/// system call or two).
const FIRST_STEP: usize = 256;
/// The most commands planned in one step.
const MAX_STEP: usize = 8192;

/// Plans a user's pipeline over the cluster map, a range of commands at a
/// time ([`plan_until`](Planner::plan_until)); the units planned so far
/// are final.
pub(crate) struct Planner<'p, 'a> {
    pipe: &'p Pipeline<'a>,
    topology: Arc<Topology>,
    layout: Layout<'a>,
    targets: Vec<Target>,
    /// A batch usually repeats one command: it is looked up once, and when
    /// its one key is at a fixed index, only the arguments up to it are
    /// read.
    last: Option<Repeated>,
    args: Vec<&'p [u8]>,
    /// The next command to plan.
    next: usize,
}

impl<'p, 'a> Planner<'p, 'a> {
    pub(crate) fn new(
        router: &ClusterRouter,
        pipe: &'p Pipeline<'a>,
        deadline: Option<Instant>,
    ) -> Planner<'p, 'a> {
        Planner {
            pipe,
            topology: router.ready_topology(deadline),
            layout: Layout::default(),
            targets: Vec::with_capacity(pipe.len()),
            last: None,
            args: Vec::new(),
            next: 0,
        }
    }

    /// Whether every command is planned.
    fn is_done(&self) -> bool {
        self.next == self.pipe.len()
    }

    /// Plans the commands up to `end` (exclusive).
    fn plan_until(&mut self, end: usize) {
        while self.next < end.min(self.pipe.len()) {
            self.plan_one(self.next);
            self.next += 1;
        }
    }

    /// The units planned so far (and perhaps a few more of the user's
    /// commands, when they are the units).
    fn units(&self) -> &Pipeline<'a> {
        if self.layout.apart {
            &self.layout.units
        } else {
            self.pipe
        }
    }

    /// The plan, once every command is planned.
    fn finish(self) -> Planned<'a> {
        debug_assert!(self.is_done());
        // Most batches are one unit per command, in order: the pipeline as
        // it is, without a copy.
        Planned {
            units: self.layout.apart.then_some(self.layout.units),
            targets: self.targets,
            shapes: self.layout.shapes,
        }
    }

    fn plan_one(&mut self, i: usize) {
        let pipe = self.pipe;
        let (layout, targets) = (&mut self.layout, &mut self.targets);
        if let Some(last) = &mut self.last {
            if let Some(key) = last.key(pipe, i) {
                layout.copy(pipe, i, targets.len());
                targets.push(Target::Slot {
                    slot: key_slot(key),
                    read_only: last.read_only,
                });
                return;
            }
        }
        let args = &mut self.args;
        pipe.args_into(i, args);
        let Some(&name) = args.first() else {
            layout.shape(pipe, i, Shape::Refused(cross_slot(args)));
            return;
        };
        let info = match &self.last {
            Some(last) if last.info.name().as_bytes().eq_ignore_ascii_case(name) => Some(last.info),
            _ => {
                let info = lookup_args(args.iter().copied());
                // Reused for the next command of the same name only when
                // the name alone decides (no subcommands).
                self.last = info
                    .filter(|c| c.subcommands().is_empty() && !c.is_subcommand())
                    .map(Repeated::new);
                info
            }
        };
        let read_only = info.is_some_and(|c| c.flags().is_readonly() && !c.flags().is_write());
        let planned = match info {
            Some(info) => plan_for(info, args),
            None => Plan::Any,
        };
        match planned {
            Plan::Slot(slot) => {
                layout.copy(pipe, i, targets.len());
                targets.push(Target::Slot { slot, read_only });
            }
            Plan::Any => {
                layout.copy(pipe, i, targets.len());
                targets.push(Target::Follow);
            }
            Plan::AllPrimaries(policy) | Plan::AllNodes(policy) => {
                let every_node = matches!(info.map(|c| plan_for(c, args)), Some(Plan::AllNodes(_)));
                let nodes: Vec<Endpoint> = if every_node {
                    self.topology
                        .nodes()
                        .iter()
                        .filter(|n| n.health == Health::Online)
                        .map(|n| n.endpoint.clone())
                        .collect()
                } else {
                    self.topology
                        .primaries()
                        .map(|n| n.endpoint.clone())
                        .collect()
                };
                let mut units = Vec::new();
                for node in &nodes {
                    units.push(targets.len());
                    targets.push(Target::Node(node.clone()));
                    layout.made(pipe, i, owned(args));
                }
                layout.shape(
                    pipe,
                    i,
                    Shape::Fan {
                        units,
                        policy,
                        names: nodes.iter().map(|n| n.to_string()).collect(),
                    },
                );
            }
            Plan::Split(split) => {
                let mut units = Vec::new();
                for part in &split.parts {
                    let mut cmd = Cmd::from_name_bytes(args[0]);
                    for &a in &part.args {
                        cmd.add_arg(args[a].to_vec());
                    }
                    units.push(targets.len());
                    targets.push(Target::Slot {
                        slot: part.slot,
                        read_only,
                    });
                    layout.made(pipe, i, cmd);
                }
                layout.shape(pipe, i, Shape::Split { units, split });
            }
            Plan::Special => layout.shape(
                pipe,
                i,
                Shape::Refused(Error::new(
                    ErrorKind::InvalidCommand,
                    Executed::No,
                    format!(
                        "{} cannot run as one command on a cluster: use ClusterClient::scan",
                        String::from_utf8_lossy(args[0])
                    ),
                )),
            ),
            _ => layout.shape(pipe, i, Shape::Refused(cross_slot(args))),
        }
    }
}

/// The shape of each command planned so far and the units made of them.
/// Nothing is recorded while every command is one unit of its own, in
/// order (unit k is command k: the pipeline runs as it is).
#[derive(Default)]
struct Layout<'a> {
    shapes: Vec<Shape>,
    /// The units, once `apart`.
    units: Pipeline<'a>,
    /// Some command was not one unit of its own in its place.
    apart: bool,
}

impl<'a> Layout<'a> {
    /// Command `i` of `pipe` is unit `unit`, as it is.
    fn copy(&mut self, pipe: &Pipeline<'a>, i: usize, unit: usize) {
        if !self.apart {
            debug_assert_eq!(i, unit, "in order until apart");
            return;
        }
        self.shapes.push(Shape::One(unit));
        self.units.append_copy(pipe, i);
    }

    /// A unit made for command `i`.
    fn made(&mut self, pipe: &Pipeline<'a>, i: usize, cmd: Cmd<'static>) {
        self.part(pipe, i);
        self.units.push(cmd);
    }

    /// Command `i`'s shape, other than one unit as it is.
    fn shape(&mut self, pipe: &Pipeline<'a>, i: usize, shape: Shape) {
        self.part(pipe, i);
        self.shapes.push(shape);
    }

    /// From command `i` on, shapes and units are recorded: those before
    /// it were one unit each, in order.
    fn part(&mut self, pipe: &Pipeline<'a>, i: usize) {
        if !self.apart {
            self.apart = true;
            self.shapes.extend((0..i).map(Shape::One));
            for j in 0..i {
                self.units.append_copy(pipe, j);
            }
        }
    }
}

/// The command a batch repeats, looked up once.
struct Repeated {
    info: &'static CommandInfo,
    /// Where its one key is, when that is a fixed index.
    key_at: Option<usize>,
    read_only: bool,
    /// The encoded bytes, up to the end of the name, of the last command
    /// read as this one (`*<argc>\r\n$<len>\r\n<name>\r\n`): a command
    /// that starts with them is this one with as many arguments, its key
    /// read without reading or comparing its name again.
    head: Vec<u8>,
    /// The arguments after the name, for a command that starts with `head`.
    after_name: usize,
}

impl Repeated {
    fn new(info: &'static CommandInfo) -> Repeated {
        Repeated {
            info,
            key_at: one_key_position(info),
            read_only: info.flags().is_readonly() && !info.flags().is_write(),
            head: Vec::new(),
            after_name: 0,
        }
    }

    /// Command `i`'s one key, when it is this command with its key at a
    /// fixed index (the same leading bytes as the last one, or the same
    /// name and enough arguments).
    fn key<'p>(&mut self, pipe: &'p Pipeline<'_>, i: usize) -> Option<&'p [u8]> {
        let at = self.key_at?;
        let (start, bytes) = pipe.command_bytes(i);
        if !self.head.is_empty() && bytes.starts_with(&self.head) {
            return pipe
                .args_from(i, self.head.len(), self.after_name)
                .nth(at - 1);
        }
        let mut read = pipe.args(i);
        let argc = read.left();
        let name = read.next()?;
        if at >= argc || !self.info.name().as_bytes().eq_ignore_ascii_case(name) {
            return None;
        }
        let head = read.position() - start;
        self.head.clear();
        self.head.extend_from_slice(&bytes[..head]);
        self.after_name = argc - 1;
        read.nth(at - 1)
    }
}

fn owned(args: &[&[u8]]) -> Cmd<'static> {
    let mut cmd = Cmd::from_name_bytes(args[0]);
    for a in &args[1..] {
        cmd.add_arg(a.to_vec());
    }
    cmd
}

pub(crate) fn cross_slot(args: &[&[u8]]) -> Error {
    Error::new(
        ErrorKind::InvalidCommand,
        Executed::No,
        format!(
            "{}: the keys hash to different slots (CROSSSLOT); put a common {{hash tag}} in them to keep them on one node",
            String::from_utf8_lossy(args.first().copied().unwrap_or_default())
        ),
    )
}

/// Plans a user's pipeline over the cluster map and runs it: one outcome
/// per unit, and the plan (how the units make up the user's commands).
///
/// The first round streams: the pipeline is planned a step at a time, and
/// after each step the units planned go to their nodes' shares and what
/// can be written without waiting is written, so the nodes start working
/// while the rest is planned. Later rounds (what the cluster refused
/// before running it) are sent whole.
pub(crate) fn run_batch<'a>(
    router: &ClusterRouter,
    pipe: &Pipeline<'a>,
    deadline: Option<Instant>,
) -> (Planned<'a>, ClusterRun) {
    let mut planner = Planner::new(router, pipe, deadline);
    if deadline.is_some_and(|d| Instant::now() >= d) {
        // Nothing sent.
        planner.plan_until(pipe.len());
        let planned = planner.finish();
        let n = planned.targets.len();
        let mut run = ClusterRun::new(n);
        let late = run.failures.add(Error::new(
            ErrorKind::Timeout,
            Executed::No,
            "the call's deadline passed before the pipeline was sent",
        ));
        (0..n).for_each(|i| run.failures.blame(i, late));
        return (planned, run);
    }
    // How long the units may block, and the pipeline's own timeout.
    let limits = (pipe.blocking(), pipe.get_timeout());
    let mut first = Round::new(router, pipe.len(), limits);
    let mut unplaced = Vec::new();
    let mut step = FIRST_STEP;
    while !planner.is_done() {
        let from = planner.targets.len();
        planner.plan_until(planner.next.saturating_add(step));
        step = (step * 4).min(MAX_STEP);
        for (i, target) in planner.targets.iter().enumerate().skip(from) {
            if let Err(e) = first.place(router, i, target, None, deadline) {
                unplaced.push((i, e));
            }
        }
        if !planner.is_done() {
            first.send(router, planner.units(), deadline);
        }
    }
    let planned = planner.finish();
    let units = planned.units.as_ref().unwrap_or(pipe);
    let run = run_units(
        router,
        units,
        &planned.targets,
        (first, unplaced),
        deadline,
        limits,
    );
    (planned, run)
}

/// A cluster batch's outcomes, one per unit, and for the units without a
/// reply, what stopped them: each its own node's failure.
pub(crate) struct ClusterRun {
    pub outcomes: Vec<Outcome>,
    pub failures: Failures,
}

impl ClusterRun {
    fn new(units: usize) -> ClusterRun {
        ClusterRun {
            outcomes: vec![Err(Unanswered::Lost(Executed::No)); units],
            failures: Failures::default(),
        }
    }
}

/// The failures of a cluster batch and the units each one stopped.
#[derive(Default)]
pub(crate) struct Failures {
    errors: Vec<Error>,
    /// Per unit, its failure's index in `errors` (`u32::MAX`: none);
    /// empty while nothing failed.
    cause: Vec<u32>,
}

impl Failures {
    /// Keeps `error`; its index, for [`blame`](Failures::blame).
    fn add(&mut self, error: Error) -> u32 {
        self.errors.push(error);
        (self.errors.len() - 1) as u32
    }

    /// Unit `unit` got no reply because of failure `index`.
    fn blame(&mut self, unit: usize, index: u32) {
        if self.cause.len() <= unit {
            self.cause.resize(unit + 1, u32::MAX);
        }
        self.cause[unit] = index;
    }

    /// What stopped unit `unit`, if anything did.
    pub(crate) fn of(&self, unit: usize) -> Option<&Error> {
        let index = *self.cause.get(unit)?;
        self.errors.get(index as usize)
    }
}

/// Runs the planned units, the first round's placed already (and perhaps
/// partly sent); one outcome per unit.
fn run_units<'a>(
    router: &ClusterRouter,
    units: &Pipeline<'a>,
    targets: &[Target],
    first: (Round<'a>, Vec<(usize, Error)>),
    deadline: Option<Instant>,
    limits: (Blocks, Option<Duration>),
) -> ClusterRun {
    let n = units.len();
    // Each unit's outcome once it has its last (`settled`); the others'
    // stand as not sent, or as the cluster's last refusal (a redirect,
    // `TRYAGAIN`) should the rounds or the deadline run out.
    let mut outcomes: Vec<Outcome> = vec![Err(Unanswered::Lost(Executed::No)); n];
    let mut settled = vec![false; n];
    // The node that answered `ASK` for a unit; empty until one did.
    let mut asking: Vec<Option<Endpoint>> = Vec::new();
    let mut failures = Failures::default();
    let mut first = Some(first);
    for round in 0..ROUNDS {
        let (mut shares, mut unplaced) = match first.take() {
            Some(first) => first,
            None => {
                let pending: Vec<usize> = (0..n).filter(|&i| !settled[i]).collect();
                if pending.is_empty() {
                    break;
                }
                std::thread::sleep(pause(round));
                if deadline.is_some_and(|d| Instant::now() >= d) {
                    break;
                }
                let mut shares = Round::new(router, pending.len(), limits);
                let mut unplaced = Vec::new();
                for i in pending {
                    let asked = asking.get(i).and_then(Option::as_ref);
                    if let Err(e) = shares.place(router, i, &targets[i], asked, deadline) {
                        unplaced.push((i, e));
                    }
                }
                (shares, unplaced)
            }
        };
        unplaced.extend(shares.place_followers(router, deadline));
        for (i, e) in unplaced {
            settled[i] = true;
            let index = failures.add(e);
            failures.blame(i, index);
        }
        for (_node, picks, run) in shares.finish(router, units, deadline) {
            let unreached = nothing_written(&run);
            let BatchRun {
                outcomes: replies,
                failure: share_failure,
            } = run;
            // The node's failure stands for its units left without a reply.
            let share_failure = share_failure.map(|e| failures.add(e));
            // Each reply moved to its unit; the sub-pipeline had an ASKING
            // before some units: skip their replies.
            let mut replies = replies.into_iter();
            for &(i, asked) in &picks {
                if asked {
                    replies.next();
                }
                let outcome = replies
                    .next()
                    .unwrap_or(Err(Unanswered::Lost(Executed::No)));
                if let Some(asked) = asking.get_mut(i) {
                    *asked = None;
                }
                match redirect_of(&outcome) {
                    Some(redirect) if redirect.kind == RedirectKind::Moved => {
                        router.moved(&redirect);
                        outcomes[i] = outcome;
                    }
                    Some(redirect) => {
                        if asking.is_empty() {
                            asking = vec![None; n];
                        }
                        asking[i] = Some(Endpoint::new(redirect.host, redirect.port));
                        outcomes[i] = outcome;
                    }
                    None if refused_for_now(&outcome) => {
                        if let Ok(Frame::Error(line)) = &outcome {
                            if line.starts_with(b"CLUSTERDOWN") {
                                router.request_refresh();
                            }
                        }
                        outcomes[i] = outcome;
                    }
                    None if unreached && matches!(outcome, Err(Unanswered::Lost(Executed::No))) => {
                        // The node could not be reached: nothing of its share
                        // ran; ask again elsewhere after a fresh map.
                        router.request_refresh();
                        outcomes[i] = outcome;
                        settled[i] = round + 1 == ROUNDS;
                    }
                    None => (outcomes[i], settled[i]) = (outcome, true),
                }
                if let (Err(_), Some(index)) = (&outcomes[i], share_failure) {
                    failures.blame(i, index);
                }
            }
        }
    }
    // What is still pending was refused each time: it did not run, and
    // stands as the last refusal.
    ClusterRun { outcomes, failures }
}

/// The redirect an outcome carries.
fn redirect_of(outcome: &Outcome) -> Option<Redirect> {
    match outcome {
        Ok(Frame::Error(line)) => Redirect::parse(line),
        _ => None,
    }
}

/// `TRYAGAIN` and `CLUSTERDOWN`: refused before running, the cluster
/// between states; worth sending again after a short pause.
fn refused_for_now(outcome: &Outcome) -> bool {
    matches!(outcome, Ok(Frame::Error(line))
        if (line.starts_with(b"TRYAGAIN") || line.starts_with(b"CLUSTERDOWN"))
            && executed_by_error(line) == Executed::No)
}

/// A share of which nothing at all was written (the node was unreachable,
/// or its pooled connection found dead before writing).
fn nothing_written(run: &BatchRun) -> bool {
    run.outcomes
        .iter()
        .all(|o| matches!(o, Err(Unanswered::Lost(Executed::No))))
        && run.failure.as_ref().is_some_and(|e| {
            matches!(
                e.kind(),
                ErrorKind::Connect
                    | ErrorKind::Tls
                    | ErrorKind::Timeout
                    | ErrorKind::Io
                    | ErrorKind::PoolTimeout
                    | ErrorKind::Topology
            ) && e.executed() == Executed::No
        })
}

fn pause(round: usize) -> Duration {
    Duration::from_millis(10)
        .saturating_mul(1 << round.saturating_sub(1).min(5))
        .min(Duration::from_millis(250))
}

/// The outcome of each user command, in order, from its units' (taken out
/// of `outcomes`: each unit belongs to one command), with the most that any
/// of its units ran (a command split over several nodes may have partly
/// run when it failed) and the unit whose outcome stands for the command
/// when that is not a combined reply.
pub(crate) fn outcomes_of<'s>(
    shapes: &'s [Shape],
    outcomes: &'s mut [Outcome],
) -> impl Iterator<Item = (CommandOutcome, Executed)> + 's {
    shapes.iter().map(move |shape| match shape {
        Shape::One(unit) => {
            let outcome = take(outcomes, *unit);
            let ran = outcome_executed(&outcome);
            (Ok((outcome, Some(*unit))), ran)
        }
        Shape::Refused(e) => (Err(e.duplicate()), Executed::No),
        Shape::Fan {
            units,
            policy,
            names,
        } => {
            let ran = most_ran(units, outcomes);
            let combined = combine(units, outcomes, |replies| {
                aggregate(*policy, replies, names)
            });
            (combined, ran)
        }
        Shape::Split { units, split } => {
            let ran = most_ran(units, outcomes);
            let combined = combine(units, outcomes, |replies| merge_split(split, replies));
            (combined, ran)
        }
    })
}

/// The most that any of `units` ran.
fn most_ran(units: &[usize], outcomes: &[Outcome]) -> Executed {
    most_executed(units.iter().map(|&u| outcome_executed(&outcomes[u])))
}

/// Unit `i`'s outcome, moved out.
fn take(outcomes: &mut [Outcome], i: usize) -> Outcome {
    std::mem::replace(&mut outcomes[i], Err(Unanswered::Lost(Executed::No)))
}

/// A user command's outcome and the unit that stands for it (none for a
/// reply combined from several), or why it was refused before sending.
pub(crate) type CommandOutcome = std::result::Result<(Outcome, Option<usize>), Error>;

/// Combines the units' replies when every unit has one; otherwise the
/// first unit without one stands for the command.
fn combine(
    units: &[usize],
    outcomes: &mut [Outcome],
    f: impl FnOnce(Vec<resp_core::OwnedFrame>) -> resp_core::OwnedFrame,
) -> CommandOutcome {
    let mut replies = Vec::with_capacity(units.len());
    for &u in units {
        match take(outcomes, u) {
            Ok(frame) => replies.push(frame),
            Err(why) => return Ok((Err(why), Some(u))),
        }
    }
    Ok((Ok(f(replies)), None))
}
