//! Finding the key arguments of an argv from the key specs.

use super::lookup::lookup_args;
use super::spec::{BeginSearch, CommandInfo, FindKeys, KeySpec, KeySpecFlags};

/// The indices of the key arguments in a full argv (index 0 is the command
/// name), in ascending order, as the server's `COMMAND GETKEYS` finds them.
///
/// Keys are found with the command's key specs: a start index or a keyword
/// to search for (`STREAMS`, `STORE`, `KEYS`), then a range (`MSET`'s every
/// other argument, half of what follows `STREAMS`) or a count argument
/// (`EVAL`'s and `ZUNIONSTORE`'s `numkeys`). Where the specs cannot say,
/// the server's own rules are used: `SORT ... STORE dest` and `MIGRATE ...
/// KEYS k1 k2`. Commands without key specs fall back to the legacy
/// first/last/step range.
///
/// Shard channels (`SPUBLISH`, `SSUBSCRIBE`) are not keys; see
/// [`routing_positions`]. Unknown commands have no keys.
///
/// Never panics: on a malformed argv (a `numkeys` that is negative, not a
/// number or larger than what follows, a missing keyword) the spec that
/// cannot be applied is skipped and the keys the others find are returned.
///
/// ```
/// use resp_core::command::key_positions;
///
/// let argv: [&[u8]; 6] = [b"ZUNIONSTORE", b"dest", b"2", b"a", b"b", b"WEIGHTS"];
/// assert_eq!(key_positions(&argv), [1, 3, 4]);
/// let argv: [&[u8]; 7] = [b"XREAD", b"COUNT", b"2", b"STREAMS", b"s1", b"s2", b"0"];
/// assert_eq!(key_positions(&argv), [4]); // odd: half of 3, rounded down
/// let argv: [&[u8]; 5] = [b"MSET", b"a", b"1", b"b", b"2"];
/// assert_eq!(key_positions(&argv), [1, 3]);
/// let argv: [&[u8]; 3] = [b"OBJECT", b"ENCODING", b"k"];
/// assert_eq!(key_positions(&argv), [2]);
/// let argv: [&[u8]; 4] = [b"EVAL", b"return 1", b"-1", b"k"];
/// assert_eq!(key_positions(&argv), Vec::<usize>::new());
/// ```
pub fn key_positions(args: &[&[u8]]) -> Vec<usize> {
    positions(args, false)
}

/// Like [`key_positions`], plus the shard channels of `SPUBLISH`,
/// `SSUBSCRIBE` and `SUNSUBSCRIBE` (key specs flagged
/// [`KeySpecFlags::NOT_KEY`]): every argument a cluster client hashes to
/// pick the node.
///
/// ```
/// use resp_core::command::{key_positions, routing_positions};
///
/// let argv: [&[u8]; 3] = [b"SPUBLISH", b"channel", b"message"];
/// assert!(key_positions(&argv).is_empty());
/// assert_eq!(routing_positions(&argv), [1]);
/// ```
pub fn routing_positions(args: &[&[u8]]) -> Vec<usize> {
    positions(args, true)
}

impl KeySpec {
    /// The positions this spec finds in `args`: `(first, last, step)` with
    /// `1 <= first <= last < args.len()` and `step >= 1`, or `None` if it
    /// finds none (unknown spec, missing keyword, bad `numkeys`, out of
    /// range).
    pub(super) fn range(&self, args: &[&[u8]]) -> Option<(usize, usize, usize)> {
        let argc = i64::try_from(args.len()).ok()?;
        let first = match self.begin_search {
            BeginSearch::Index(index) => i64::from(index),
            BeginSearch::Keyword {
                keyword,
                start_from,
            } => {
                let found = if start_from > 0 {
                    // Forward, up to the second to last argument (the keyword
                    // needs something after it).
                    (i64::from(start_from)..argc - 1).find(|&i| is_arg(args, i, keyword))
                } else {
                    // Backward from `argc + start_from`, down to index 1.
                    (1..=argc + i64::from(start_from))
                        .rev()
                        .find(|&i| is_arg(args, i, keyword))
                };
                found? + 1
            }
            BeginSearch::Unknown => return None,
        };
        let (first, last, step) = match self.find_keys {
            FindKeys::Range {
                last_key,
                key_step,
                limit,
            } => {
                let (last_key, limit) = (i64::from(last_key), i64::from(limit));
                let last = if last_key >= 0 {
                    first + last_key
                } else if limit == 0 {
                    argc + last_key
                } else {
                    // `limit` 2: half of the remaining arguments (XREAD).
                    first + ((argc - first) / limit + last_key)
                };
                (first, last, key_step)
            }
            FindKeys::KeyNum {
                key_num_index,
                first_key,
                key_step,
            } => {
                let numkeys_at = first + i64::from(key_num_index);
                let numkeys = parse_count(args.get(usize::try_from(numkeys_at).ok()?)?)?;
                let first = first + i64::from(first_key);
                (first, first.saturating_add(numkeys) - 1, key_step)
            }
            FindKeys::Unknown => return None,
        };
        if first < 1 || last < first || last >= argc {
            return None;
        }
        let step = usize::try_from(step).ok().filter(|&s| s > 0).unwrap_or(1);
        Some((
            usize::try_from(first).ok()?,
            usize::try_from(last).ok()?,
            step,
        ))
    }
}

/// Whether `args[i]` exists and equals `word`, ignoring ASCII case.
fn is_arg(args: &[&[u8]], i: i64, word: &str) -> bool {
    usize::try_from(i)
        .ok()
        .and_then(|i| args.get(i))
        .is_some_and(|arg| arg.eq_ignore_ascii_case(word.as_bytes()))
}

/// A non-negative count in Redis' strict integer syntax (no sign, no
/// leading zeros, no spaces), like the server's `string2ll` checks.
pub(super) fn parse_count(arg: &[u8]) -> Option<i64> {
    if arg.is_empty() || arg.len() > 1 && arg[0] == b'0' {
        return None;
    }
    arg.iter().try_fold(0i64, |n, &b| {
        if b.is_ascii_digit() {
            n.checked_mul(10)?.checked_add(i64::from(b - b'0'))
        } else {
            None
        }
    })
}

/// [`key_positions`] and [`routing_positions`].
fn positions(args: &[&[u8]], include_not_keys: bool) -> Vec<usize> {
    match lookup_args(args.iter().copied()) {
        Some(command) => positions_of(command, args, include_not_keys),
        None => Vec::new(),
    }
}

/// The one routing position of a command whose only key spec names one
/// key here (`GET`, `SET`, `INCR`, ...): what [`routing_positions_of`]
/// gives for it, without building a vector; `None` for any other shape.
pub(crate) fn single_routing_position(command: &CommandInfo, args: &[&[u8]]) -> Option<usize> {
    if matches!(command.name, "sort" | "migrate") {
        return None;
    }
    let [spec] = command.key_specs else {
        return None;
    };
    let (first, last, _) = spec.range(args)?;
    (first == last).then_some(first)
}

/// The position of the one key of a command whose only key spec is one
/// key at a fixed index (`GET`, `SET`, `INCR`, ...): for every argv of
/// the command longer than that index, what [`single_routing_position`]
/// gives, decided once for the command instead of once per argv.
pub(crate) fn fixed_routing_position(command: &CommandInfo) -> Option<usize> {
    if matches!(command.name, "sort" | "migrate") {
        return None;
    }
    let [spec] = command.key_specs else {
        return None;
    };
    match (spec.begin_search, spec.find_keys) {
        (BeginSearch::Index(at), FindKeys::Range { last_key: 0, .. }) if at >= 1 => {
            usize::try_from(at).ok()
        }
        _ => None,
    }
}

/// [`routing_positions`] for an argv whose command was looked up already
/// (`command` must be what [`lookup_args`] gives for it).
pub fn routing_positions_of(command: &CommandInfo, args: &[&[u8]]) -> Vec<usize> {
    positions_of(command, args, true)
}

fn positions_of(command: &CommandInfo, args: &[&[u8]], include_not_keys: bool) -> Vec<usize> {
    let mut keys = match command.name {
        // Key specs `unknown` (STORE may be anywhere) and `incomplete` (a
        // key named "KEYS"): like the server, use the command's own rules.
        "sort" => sort_keys(args),
        "migrate" => migrate_keys(args),
        _ if command.key_specs.is_empty() => legacy_keys(command, args),
        _ => {
            let mut keys = Vec::new();
            for spec in command.key_specs {
                if spec.flags.contains(KeySpecFlags::NOT_KEY) && !include_not_keys {
                    continue;
                }
                if let Some((first, last, step)) = spec.range(args) {
                    keys.extend((first..=last).step_by(step));
                }
            }
            keys
        }
    };
    keys.sort_unstable();
    keys.dedup();
    keys
}

/// Keys from the legacy `(first, last, step)` range.
fn legacy_keys(command: &CommandInfo, args: &[&[u8]]) -> Vec<usize> {
    let (first, last, step) = command.legacy_range;
    let Ok(first) = usize::try_from(first) else {
        return Vec::new();
    };
    let last = match usize::try_from(last) {
        Ok(last) => first + last,
        Err(_) => match args.len().checked_sub(usize::from(last.unsigned_abs())) {
            Some(last) => last,
            None => return Vec::new(),
        },
    };
    // Like the server: an argv too short for the range has no keys.
    if first == 0 || last < first || last >= args.len() {
        return Vec::new();
    }
    let step = usize::try_from(step).ok().filter(|&s| s > 0).unwrap_or(1);
    (first..=last).step_by(step).collect()
}

/// `SORT key [BY pattern] [LIMIT offset count] [GET pattern ...] [ASC|DESC]
/// [ALPHA] [STORE destination]`: the key, and the last STORE's destination
/// (the server's `sortGetKeys`).
fn sort_keys(args: &[&[u8]]) -> Vec<usize> {
    if args.len() < 2 {
        return Vec::new();
    }
    let mut keys = vec![1];
    let mut store = None;
    let mut i = 2;
    while i < args.len() {
        let arg = args[i];
        if arg.eq_ignore_ascii_case(b"limit") {
            i += 2;
        } else if arg.eq_ignore_ascii_case(b"get") || arg.eq_ignore_ascii_case(b"by") {
            i += 1;
        } else if arg.eq_ignore_ascii_case(b"store") && i + 1 < args.len() {
            store = Some(i + 1);
        }
        i += 1;
    }
    keys.extend(store);
    keys
}

/// `MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH password |
/// AUTH2 user password] [KEYS key ...]`: the key, or, with an empty key,
/// the keys after KEYS (the server's `migrateGetKeys`).
fn migrate_keys(args: &[&[u8]]) -> Vec<usize> {
    if args.len() < 4 {
        return Vec::new();
    }
    let mut i = 6;
    while i < args.len() {
        let arg = args[i];
        if arg.eq_ignore_ascii_case(b"keys") {
            if !args[3].is_empty() {
                // A syntax error: the server reports it, with no keys.
                return Vec::new();
            }
            return (i + 1..args.len()).collect();
        } else if arg.eq_ignore_ascii_case(b"auth") {
            i += 1;
        } else if arg.eq_ignore_ascii_case(b"auth2") {
            i += 2;
        }
        i += 1;
    }
    vec![3]
}
