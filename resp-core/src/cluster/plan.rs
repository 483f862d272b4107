//! Where a command goes in a cluster: one slot, every primary, every
//! node, or one command per slot, from its keys and the server's command
//! tips.

use crate::command::{
    fixed_routing_position, key_slot, lookup_args, routing_positions_of as key_positions_of,
    single_routing_position, CommandInfo,
};

/// How a command is sent over a cluster (the `request_policy` tip).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RequestPolicy {
    /// By its keys; keyless commands go to any node.
    Default,
    /// To every node, primaries and replicas (`SCRIPT LOAD`, `CONFIG SET`).
    AllNodes,
    /// To every primary (`DBSIZE`, `KEYS`, `FLUSHALL`).
    AllShards,
    /// One command per slot of its keys (`MGET`, `DEL`, `MSET`).
    MultiShard,
    /// Needs its own treatment (`SCAN`).
    Special,
}

/// How the replies of a command sent to several nodes combine into one
/// (the `response_policy` tip).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResponsePolicy {
    /// Arrays are joined (in key order for a split command); otherwise the
    /// first reply stands.
    Default,
    /// The first success; an error only if every node failed.
    OneSucceeded,
    /// The first reply if every node succeeded, else the first error.
    AllSucceeded,
    /// Integers (or arrays of them, element by element) combined with AND.
    AggLogicalAnd,
    /// The same with OR.
    AggLogicalOr,
    /// The least integer.
    AggMin,
    /// The greatest integer.
    AggMax,
    /// The sum of the integers.
    AggSum,
    /// Every node's reply, by node.
    Special,
}

/// The request and response policies of a command, from its tips.
///
/// ```
/// use resp_core::cluster::{policies, RequestPolicy, ResponsePolicy};
/// use resp_core::command::lookup;
///
/// let del = lookup(b"del").unwrap();
/// assert_eq!(policies(del), (RequestPolicy::MultiShard, ResponsePolicy::AggSum));
/// let get = lookup(b"get").unwrap();
/// assert_eq!(policies(get), (RequestPolicy::Default, ResponsePolicy::Default));
/// ```
pub fn policies(info: &CommandInfo) -> (RequestPolicy, ResponsePolicy) {
    let mut request = RequestPolicy::Default;
    let mut response = ResponsePolicy::Default;
    for tip in info.tips() {
        if let Some(p) = tip.strip_prefix("request_policy:") {
            request = match p {
                "all_nodes" => RequestPolicy::AllNodes,
                "all_shards" => RequestPolicy::AllShards,
                "multi_shard" => RequestPolicy::MultiShard,
                "special" => RequestPolicy::Special,
                _ => RequestPolicy::Default,
            };
        } else if let Some(p) = tip.strip_prefix("response_policy:") {
            response = match p {
                "one_succeeded" => ResponsePolicy::OneSucceeded,
                "all_succeeded" => ResponsePolicy::AllSucceeded,
                "agg_logical_and" => ResponsePolicy::AggLogicalAnd,
                "agg_logical_or" => ResponsePolicy::AggLogicalOr,
                "agg_min" => ResponsePolicy::AggMin,
                "agg_max" => ResponsePolicy::AggMax,
                "agg_sum" => ResponsePolicy::AggSum,
                "special" => ResponsePolicy::Special,
                _ => ResponsePolicy::Default,
            };
        }
    }
    (request, response)
}

/// Where a command goes.
#[non_exhaustive]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// No key and no policy: any primary.
    Any,
    /// Every key (and shard channel) hashes to this slot.
    Slot(u16),
    /// To every primary, replies combined by the policy.
    AllPrimaries(ResponsePolicy),
    /// To every node, replies combined by the policy.
    AllNodes(ResponsePolicy),
    /// Keys in several slots, for a command that splits: one command per
    /// slot.
    Split(Split),
    /// Keys in several slots, for a command that cannot be split (it would
    /// get `CROSSSLOT`, or lose its meaning: `MSETNX`, `SUNIONSTORE`).
    CrossSlot,
    /// Needs its own treatment (`SCAN`: use a cluster scan).
    Special,
}

/// A multi-key command split into one command per slot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split {
    /// The commands, in order of each slot's first key.
    pub parts: Vec<Part>,
    /// How their replies combine.
    pub response: ResponsePolicy,
    /// How many keys the command had.
    pub keys: usize,
}

/// One slot's share of a split command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The slot of its keys.
    pub slot: u16,
    /// The indices, in the original argv, of its arguments after the
    /// command name: each key with the arguments that go with it (an
    /// `MSET` value), in the original order.
    pub args: Vec<usize>,
    /// The rank of each of its keys among the command's keys, in order:
    /// where its replies go in a joined array.
    pub keys: Vec<usize>,
}

/// Where `argv` goes.
///
/// ```
/// use resp_core::cluster::{plan, Plan, ResponsePolicy};
/// use resp_core::command::key_slot;
///
/// assert_eq!(plan(&[b"GET", b"{user}:1"]), Plan::Slot(key_slot(b"user")));
/// assert_eq!(plan(&[b"DBSIZE"]), Plan::AllPrimaries(ResponsePolicy::AggSum));
/// assert_eq!(plan(&[b"SUNIONSTORE", b"a", b"b", b"c"]), Plan::CrossSlot);
/// let Plan::Split(split) = plan(&[b"MSET", b"a", b"1", b"b", b"2"]) else { panic!() };
/// assert_eq!(split.parts.len(), 2);
/// assert_eq!(split.parts[0].args, [1, 2]);
/// ```
pub fn plan(argv: &[&[u8]]) -> Plan {
    match lookup_args(argv.iter().copied()) {
        Some(info) => plan_for(info, argv),
        None => Plan::Any,
    }
}

/// [`plan`] for an argv whose command was looked up already (`info` must
/// be what [`lookup_args`] gives for it): a batch of the same command
/// looks it up once.
pub fn plan_for(info: &CommandInfo, argv: &[&[u8]]) -> Plan {
    // The common case, one key: its slot, with no vector of positions.
    if let Some(at) = single_routing_position(info, argv) {
        return Plan::Slot(key_slot(argv[at]));
    }
    let (request, response) = policies(info);
    let positions = key_positions_of(info, argv);
    if positions.is_empty() {
        return match request {
            RequestPolicy::AllShards => Plan::AllPrimaries(response),
            RequestPolicy::AllNodes => Plan::AllNodes(response),
            RequestPolicy::Special => Plan::Special,
            _ => Plan::Any,
        };
    }
    let first = key_slot(argv[positions[0]]);
    if positions[1..].iter().all(|&p| key_slot(argv[p]) == first) {
        return Plan::Slot(first);
    }
    // MSETNX's all-or-nothing cannot hold across slots.
    if request != RequestPolicy::MultiShard || info.name() == "msetnx" {
        return Plan::CrossSlot;
    }
    // A malformed command (`MSET k1 v1 k2`: a key without its value) is
    // not split, where a part of it would run: whole, to the first key's
    // node, it is refused there with nothing run.
    if !evenly_grouped(&positions, argv.len()) {
        return Plan::Slot(first);
    }
    let mut parts: Vec<Part> = Vec::new();
    for (rank, &at) in positions.iter().enumerate() {
        let end = positions.get(rank + 1).copied().unwrap_or(argv.len());
        let slot = key_slot(argv[at]);
        let part = match parts.iter_mut().position(|p| p.slot == slot) {
            Some(i) => &mut parts[i],
            None => {
                parts.push(Part {
                    slot,
                    args: Vec::new(),
                    keys: Vec::new(),
                });
                parts.last_mut().expect("just pushed")
            }
        };
        part.args.extend(at..end);
        part.keys.push(rank);
    }
    Plan::Split(Split {
        parts,
        response,
        keys: positions.len(),
    })
}

/// Whether the keys at `positions` (ascending) each start a group of
/// arguments of the same length, the last one ending the argv's `len`.
fn evenly_grouped(positions: &[usize], len: usize) -> bool {
    let step = match positions {
        [a, b, ..] => b - a,
        [a] => len - a,
        [] => return true,
    };
    positions.windows(2).all(|w| w[1] - w[0] == step)
        && positions.last().is_some_and(|&last| len - last == step)
}

/// Where [`plan_for`] finds the one key of `info`'s argvs, when that is a
/// fixed index: `Some(at)` says that every argv of the command with more
/// than `at` arguments (name included) goes to `Plan::Slot(key_slot(argv[at]))`,
/// so a batch of such commands needs only each one's argument `at`.
/// Shorter argvs go through [`plan_for`].
///
/// ```
/// use resp_core::cluster::{one_key_position, plan_for, Plan};
/// use resp_core::command::{key_slot, lookup};
///
/// let set = lookup(b"set").unwrap();
/// assert_eq!(one_key_position(set), Some(1));
/// assert_eq!(plan_for(set, &[b"SET", b"k", b"v"]), Plan::Slot(key_slot(b"k")));
/// assert_eq!(one_key_position(lookup(b"mget").unwrap()), None);
/// ```
pub fn one_key_position(info: &CommandInfo) -> Option<usize> {
    fixed_routing_position(info)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    fn plan_of(words: &[&str]) -> Plan {
        let owned = argv(words);
        let args: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
        plan(&args)
    }

    /// The one-key shortcut gives what the general path gives, for every
    /// command and subcommand of the table and argvs of several lengths.
    #[test]
    fn the_one_key_shortcut_agrees_with_the_general_path() {
        let mut taken = 0;
        let commands = crate::command::all()
            .iter()
            .flat_map(|c| std::iter::once(c).chain(c.subcommands()));
        for info in commands {
            let words: Vec<&str> = info.name().split('|').collect();
            for extra in 0..6 {
                let mut owned = argv(&words);
                owned.extend((0..extra).map(|i| format!("{{k{i}}}x{i}").into_bytes()));
                let args: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
                if let Some(at) = single_routing_position(info, &args) {
                    taken += 1;
                    assert_eq!(
                        key_positions_of(info, &args),
                        vec![at],
                        "{} with {extra} arguments",
                        info.name()
                    );
                }
            }
        }
        assert!(taken > 500, "the shortcut was taken {taken} times");
    }

    /// A fixed key position agrees with the general path for every
    /// command and subcommand of the table, for argvs of every length
    /// past it.
    #[test]
    fn a_fixed_key_position_agrees_with_plan_for() {
        let mut fixed = 0;
        let commands = crate::command::all()
            .iter()
            .flat_map(|c| std::iter::once(c).chain(c.subcommands()));
        for info in commands {
            let Some(at) = one_key_position(info) else {
                continue;
            };
            fixed += 1;
            let words: Vec<&str> = info.name().split('|').collect();
            for extra in 0..8 {
                let mut owned = argv(&words);
                owned.extend((0..extra).map(|i| format!("{{k{i}}}x{i}").into_bytes()));
                if owned.len() <= at {
                    continue;
                }
                let args: Vec<&[u8]> = owned.iter().map(Vec::as_slice).collect();
                assert_eq!(
                    plan_for(info, &args),
                    Plan::Slot(key_slot(args[at])),
                    "{} with {extra} arguments",
                    info.name()
                );
            }
        }
        assert!(fixed > 100, "{fixed} commands with a fixed key position");
    }

    #[test]
    fn keys_and_subcommands() {
        assert_eq!(
            plan_of(&["MEMORY", "USAGE", "k"]),
            Plan::Slot(key_slot(b"k"))
        );
        assert_eq!(
            plan_of(&["OBJECT", "ENCODING", "k"]),
            Plan::Slot(key_slot(b"k"))
        );
        assert_eq!(
            plan_of(&["XINFO", "STREAM", "s"]),
            Plan::Slot(key_slot(b"s"))
        );
        assert_eq!(
            plan_of(&["SPUBLISH", "ch", "m"]),
            Plan::Slot(key_slot(b"ch"))
        );
        assert_eq!(plan_of(&["EVAL", "return 1", "0"]), Plan::Any);
        assert_eq!(
            plan_of(&["EVAL", "x", "2", "{a}1", "{a}2"]),
            Plan::Slot(key_slot(b"a"))
        );
        assert_eq!(plan_of(&["EVAL", "x", "2", "a", "b"]), Plan::CrossSlot);
        assert_eq!(plan_of(&["NOSUCH", "a"]), Plan::Any);
        assert_eq!(plan_of(&["SCAN", "0"]), Plan::Special);
        assert_eq!(
            plan_of(&["SCRIPT", "LOAD", "x"]),
            Plan::AllNodes(ResponsePolicy::AllSucceeded)
        );
        assert_eq!(plan_of(&["MSETNX", "a", "1", "b", "2"]), Plan::CrossSlot);
    }

    #[test]
    fn split_keeps_order_and_duplicates() {
        let Plan::Split(split) = plan_of(&["MGET", "a", "b", "a", "{a}x"]) else {
            panic!()
        };
        assert_eq!(split.keys, 4);
        let slot_a = key_slot(b"a");
        let a = split.parts.iter().find(|p| p.slot == slot_a).unwrap();
        assert_eq!(a.args, [1, 3, 4]);
        assert_eq!(a.keys, [0, 2, 3]);
        let Plan::Split(split) = plan_of(&["MSET", "a", "1", "b", "2", "{a}", "3"]) else {
            panic!()
        };
        assert_eq!(split.response, ResponsePolicy::AllSucceeded);
        let a = split.parts.iter().find(|p| p.slot == slot_a).unwrap();
        assert_eq!(a.args, [1, 2, 5, 6]);
    }

    #[test]
    fn a_key_without_its_value_is_not_split() {
        assert_ne!(key_slot(b"a"), key_slot(b"b"));
        // Split, `MSET a 1` would run and `MSET b` fail: whole, the first
        // key's node refuses it all.
        assert_eq!(
            plan_of(&["MSET", "a", "1", "b"]),
            Plan::Slot(key_slot(b"a"))
        );
        assert_eq!(
            plan_of(&["MSET", "a", "1", "b", "2", "c"]),
            Plan::Slot(key_slot(b"a"))
        );
        assert!(matches!(
            plan_of(&["MSET", "a", "1", "b", "2"]),
            Plan::Split(_)
        ));
    }
}
