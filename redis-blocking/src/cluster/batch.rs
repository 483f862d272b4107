//! Running a batch of commands over a cluster: each command to the node
//! that serves it, every node's share written and read at once, one
//! outcome per command; only commands the cluster refused before running
//! them (`MOVED`, `ASK`, `TRYAGAIN`, `CLUSTERDOWN`) are sent again.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use resp_core::client::{executed_by_error, Executed, Outcome, Redirect, RedirectKind, Unanswered};
use resp_core::cluster::{
    aggregate, merge_split, one_key_position, plan_for, Endpoint, Health, Plan, ResponsePolicy,
    Split,
};
use resp_core::command::{key_slot, lookup_args, CommandInfo};
use resp_core::Frame;

use super::router::ClusterRouter;
use crate::batch::BatchRun;
use crate::client::router::Route;
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

/// Where a unit's bytes come from.
enum Source {
    /// A user command, as it is.
    Copy(usize),
    /// A command made for one node or one slot.
    Made(Cmd<'static>),
}

/// Plans a user's pipeline over the cluster map.
pub(crate) fn plan_batch<'a>(
    router: &ClusterRouter,
    pipe: &Pipeline<'a>,
    deadline: Option<Instant>,
) -> Planned<'a> {
    let topology = router.ready_topology(deadline);
    let mut layout = Layout::default();
    let mut targets = Vec::with_capacity(pipe.len());
    // A batch usually repeats one command: look it up once, and when its
    // one key is at a fixed index, read only the arguments up to it.
    let mut last: Option<Repeated> = None;
    let mut args = Vec::new();
    for i in 0..pipe.len() {
        if let Some(last) = &mut last {
            if let Some(key) = last.key(pipe, i) {
                layout.copy(i, targets.len());
                targets.push(Target::Slot {
                    slot: key_slot(key),
                    read_only: last.read_only,
                });
                continue;
            }
        }
        pipe.args_into(i, &mut args);
        let Some(&name) = args.first() else {
            layout.shape(i, Shape::Refused(cross_slot(&args)));
            continue;
        };
        let info = match &last {
            Some(last) if last.info.name().as_bytes().eq_ignore_ascii_case(name) => Some(last.info),
            _ => {
                let info = lookup_args(args.iter().copied());
                // Reused for the next command of the same name only when
                // the name alone decides (no subcommands).
                last = info
                    .filter(|c| c.subcommands().is_empty() && !c.is_subcommand())
                    .map(Repeated::new);
                info
            }
        };
        let read_only = info.is_some_and(|c| c.flags().is_readonly() && !c.flags().is_write());
        let planned = match info {
            Some(info) => plan_for(info, &args),
            None => Plan::Any,
        };
        match planned {
            Plan::Slot(slot) => {
                layout.copy(i, targets.len());
                targets.push(Target::Slot { slot, read_only });
            }
            Plan::Any => {
                layout.copy(i, targets.len());
                targets.push(Target::Follow);
            }
            Plan::AllPrimaries(policy) | Plan::AllNodes(policy) => {
                let every_node =
                    matches!(info.map(|c| plan_for(c, &args)), Some(Plan::AllNodes(_)));
                let nodes: Vec<Endpoint> = if every_node {
                    topology
                        .nodes()
                        .iter()
                        .filter(|n| n.health == Health::Online)
                        .map(|n| n.endpoint.clone())
                        .collect()
                } else {
                    topology.primaries().map(|n| n.endpoint.clone()).collect()
                };
                let mut units = Vec::new();
                for node in &nodes {
                    units.push(targets.len());
                    targets.push(Target::Node(node.clone()));
                    layout.made(i, owned(&args));
                }
                layout.shape(
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
                    layout.made(i, cmd);
                }
                layout.shape(i, Shape::Split { units, split });
            }
            Plan::Special => layout.shape(
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
            _ => layout.shape(i, Shape::Refused(cross_slot(&args))),
        }
    }
    // Most batches are one unit per command, in order: the pipeline as it
    // is, without a copy.
    let units = layout.apart.then(|| {
        let mut units = Pipeline::new();
        for source in layout.sources {
            match source {
                Source::Copy(i) => units.append_copy(pipe, i),
                Source::Made(cmd) => units.push(cmd),
            }
        }
        units
    });
    Planned {
        units,
        targets,
        shapes: layout.shapes,
    }
}

/// The shape of each command planned so far and where each unit comes
/// from. Nothing is recorded while every command is one unit of its own,
/// in order (unit k is command k: the pipeline runs as it is).
#[derive(Default)]
struct Layout {
    shapes: Vec<Shape>,
    sources: Vec<Source>,
    /// Some command was not one unit of its own in its place.
    apart: bool,
}

impl Layout {
    /// Command `i` is unit `unit`, as it is.
    fn copy(&mut self, i: usize, unit: usize) {
        if !self.apart {
            debug_assert_eq!(i, unit, "in order until apart");
            return;
        }
        self.shapes.push(Shape::One(unit));
        self.sources.push(Source::Copy(i));
    }

    /// A unit made for command `i`.
    fn made(&mut self, i: usize, cmd: Cmd<'static>) {
        self.part(i);
        self.sources.push(Source::Made(cmd));
    }

    /// Command `i`'s shape, other than one unit as it is.
    fn shape(&mut self, i: usize, shape: Shape) {
        self.part(i);
        self.shapes.push(shape);
    }

    /// From command `i` on, shapes and sources are recorded: those
    /// before it were one unit each, in order.
    fn part(&mut self, i: usize) {
        if !self.apart {
            self.apart = true;
            self.shapes.extend((0..i).map(Shape::One));
            self.sources.extend((0..i).map(Source::Copy));
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

/// Runs the planned units; one outcome per unit.
pub(crate) fn run_units(
    router: &ClusterRouter,
    units: &Pipeline<'_>,
    targets: &[Target],
    deadline: Option<Instant>,
) -> BatchRun {
    let n = units.len();
    // Each unit's outcome once it has its last (`settled`); the others'
    // stand as not sent.
    let mut outcomes: Vec<Outcome> = vec![Err(Unanswered::Lost(Executed::No)); n];
    let mut settled = vec![false; n];
    // The node that answered `ASK` for a unit; empty until one did.
    let mut asking: Vec<Option<Endpoint>> = Vec::new();
    let mut failures: HashMap<Endpoint, Error> = HashMap::new();
    let mut failure: Option<Error> = None;
    for round in 0..ROUNDS {
        let pending: Vec<usize> = if round == 0 {
            (0..n).collect()
        } else {
            (0..n).filter(|&i| !settled[i]).collect()
        };
        if pending.is_empty() {
            break;
        }
        if round > 0 {
            std::thread::sleep(pause(round));
        }
        if deadline.is_some_and(|d| Instant::now() >= d) {
            break;
        }
        // Where each pending unit goes now.
        let mut groups: Vec<(Endpoint, Picks)> = Vec::new();
        let mut last_group: Option<usize> = None;
        let mut followers = Vec::new();
        // A unit for a slot's primary is grouped by the map of the round,
        // without a lock or a copy of its endpoint: per primary (by its
        // index in the map), the group its units go to.
        let mut map = router.topology();
        let mut primary_group: Vec<Option<usize>> = vec![None; map.nodes().len()];
        for &i in &pending {
            let asked = asking.get(i).and_then(Option::as_ref);
            let primary = match (asked, &targets[i]) {
                (None, Target::Slot { slot, read_only })
                    if !read_only || router.reads_primaries() =>
                {
                    map.primary_index(*slot)
                }
                _ => None,
            };
            if let Some(p) = primary {
                let group = match primary_group[p] {
                    Some(g) => {
                        groups[g].1.push((i, false));
                        g
                    }
                    None => {
                        let g = add(&mut groups, &map.nodes()[p].endpoint, i, false);
                        primary_group[p] = Some(g);
                        g
                    }
                };
                last_group = Some(group);
                continue;
            }
            let node = match (asked, &targets[i]) {
                (Some(target), _) => Ok(target.clone()),
                (None, Target::Node(node)) => Ok(node.clone()),
                (None, Target::Slot { slot, read_only }) => {
                    // A read for a replica, or no primary in the round's
                    // map: the router decides, waiting for a new map if
                    // need be, which the round goes on with.
                    let unserved = map.primary_index(*slot).is_none();
                    let node = router.node_for(*slot, *read_only, deadline);
                    if unserved {
                        map = router.topology();
                        primary_group = vec![None; map.nodes().len()];
                    }
                    node
                }
                (None, Target::Follow) => {
                    followers.push(i);
                    continue;
                }
            };
            match node {
                Ok(node) => {
                    last_group = Some(add(&mut groups, &node, i, asked.is_some()));
                }
                Err(e) => {
                    settled[i] = true;
                    failure = Some(e);
                }
            }
        }
        for i in followers {
            // With the nearest unit before it that has a node (a script's
            // SCRIPT LOAD goes with its EVALSHA, after it).
            let node = pending
                .iter()
                .skip_while(|&&p| p != i)
                .skip(1)
                .find_map(|&p| node_of(&groups, p))
                .or_else(|| last_group.map(|g| groups[g].0.clone()))
                .map(Ok)
                .unwrap_or_else(|| router.endpoint(Route::Batch, deadline));
            match node {
                Ok(node) => {
                    add(&mut groups, &node, i, false);
                }
                Err(e) => {
                    settled[i] = true;
                    failure = Some(e);
                }
            }
        }
        // In order already unless a unit without a key joined late.
        for (_, picks) in &mut groups {
            if !picks.is_sorted() {
                picks.sort_unstable();
            }
        }
        // Every node's share in flight at once, from this thread: each
        // share written whole (its replies read meanwhile as they come, so
        // no node can block its own writes), then the rest of each node's
        // replies read.
        let shares: Vec<Pipeline<'_>> = groups
            .iter()
            .map(|(_, picks)| units.select(picks))
            .collect();
        let mut flights = Vec::with_capacity(groups.len());
        for ((node, _), share) in groups.iter().zip(&shares) {
            let pool = router.pool_for(node);
            match pool.checkout(deadline) {
                Ok(mut conn) => {
                    let flight = conn.send_batch(share, deadline, true);
                    flights.push((pool, Ok((conn, flight))));
                }
                Err(e) => flights.push((pool, Err(e))),
            }
        }
        let mut results: Vec<(Endpoint, Picks, BatchRun)> = Vec::with_capacity(groups.len());
        for (((node, picks), share), (pool, sent)) in groups.into_iter().zip(&shares).zip(flights) {
            let run = match sent {
                Ok((mut conn, flight)) => conn.finish_batch(share, flight, deadline),
                Err(e) => BatchRun {
                    outcomes: vec![Err(Unanswered::Lost(Executed::No)); share.len()],
                    failure: Some(e),
                },
            };
            if let Some(e) = &run.failure {
                crate::client::router::Router::observe(router, pool.addr(), 0, e);
            }
            results.push((node, picks, run));
        }
        for (node, picks, run) in results {
            let unreached = nothing_written(&run);
            let BatchRun {
                outcomes: replies,
                failure: share_failure,
            } = run;
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
                    }
                    Some(redirect) => {
                        if asking.is_empty() {
                            asking = vec![None; n];
                        }
                        asking[i] = Some(Endpoint::new(redirect.host, redirect.port));
                    }
                    None if refused_for_now(&outcome) => {
                        if let Ok(Frame::Error(line)) = &outcome {
                            if line.starts_with(b"CLUSTERDOWN") {
                                router.request_refresh();
                            }
                        }
                    }
                    None if unreached && matches!(outcome, Err(Unanswered::Lost(Executed::No))) => {
                        // The node could not be reached: nothing of its share
                        // ran; ask again elsewhere after a fresh map.
                        router.request_refresh();
                        if round + 1 == ROUNDS {
                            (outcomes[i], settled[i]) = (outcome, true);
                        }
                    }
                    None => (outcomes[i], settled[i]) = (outcome, true),
                }
            }
            if let Some(e) = share_failure {
                failures.insert(node, e);
            }
        }
    }
    // What is still pending was refused each time: it did not run.
    let failure = failure.or_else(|| failures.into_values().next());
    BatchRun { outcomes, failure }
}

/// A node's share: the units it runs, each with whether `ASKING` goes
/// before it.
type Picks = Vec<(usize, bool)>;

/// Adds a unit to its node's group; the group's index.
fn add(groups: &mut Vec<(Endpoint, Picks)>, node: &Endpoint, unit: usize, asking: bool) -> usize {
    match groups.iter().position(|(n, _)| n == node) {
        Some(g) => {
            groups[g].1.push((unit, asking));
            g
        }
        None => {
            groups.push((node.clone(), vec![(unit, asking)]));
            groups.len() - 1
        }
    }
}

fn node_of(groups: &[(Endpoint, Picks)], unit: usize) -> Option<Endpoint> {
    groups
        .iter()
        .find(|(_, picks)| picks.iter().any(|(i, _)| *i == unit))
        .map(|(n, _)| n.clone())
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
/// of `outcomes`: each unit belongs to one command).
pub(crate) fn outcomes_of<'s>(
    shapes: &'s [Shape],
    outcomes: &'s mut [Outcome],
) -> impl Iterator<Item = std::result::Result<Outcome, Error>> + 's {
    shapes.iter().map(move |shape| match shape {
        Shape::One(unit) => Ok(take(outcomes, *unit)),
        Shape::Refused(e) => Err(e.duplicate()),
        Shape::Fan {
            units,
            policy,
            names,
        } => combine(units, outcomes, |replies| {
            aggregate(*policy, replies, names)
        }),
        Shape::Split { units, split } => {
            combine(units, outcomes, |replies| merge_split(split, replies))
        }
    })
}

/// Unit `i`'s outcome, moved out.
fn take(outcomes: &mut [Outcome], i: usize) -> Outcome {
    std::mem::replace(&mut outcomes[i], Err(Unanswered::Lost(Executed::No)))
}

/// Combines the units' replies when every unit has one; otherwise the
/// first unit without one stands for the command.
fn combine(
    units: &[usize],
    outcomes: &mut [Outcome],
    f: impl FnOnce(Vec<resp_core::OwnedFrame>) -> resp_core::OwnedFrame,
) -> std::result::Result<Outcome, Error> {
    let mut replies = Vec::with_capacity(units.len());
    for &u in units {
        match take(outcomes, u) {
            Ok(frame) => replies.push(frame),
            Err(why) => return Ok(Err(why)),
        }
    }
    Ok(Ok(f(replies)))
}
