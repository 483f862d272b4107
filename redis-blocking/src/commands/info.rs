//! What the client knows about Redis commands without asking the server:
//! arity, flags, key positions, documentation.
//!
//! The data is a static table generated from a real `redis-server` (see
//! [`server_version`]) by `scripts/gen-command-table.py`: every command and
//! every subcommand (`client|setname`, `config|get`, `xinfo|stream`, ...)
//! with what `COMMAND INFO` and `COMMAND DOCS` report for it.
//!
//! * [`lookup`] and [`lookup_args`] find a command by name or by argv.
//! * [`key_positions`] tells which arguments of an argv are keys, from the
//!   key specs (EVAL numkeys, `XREAD ... STREAMS`, `MIGRATE ... KEYS`, `SORT
//!   ... STORE`, ...), the way the server's `COMMAND GETKEYS` does.
//! * [`is_read_only`] says whether an argv only reads (a retry is safe).
//! * [`CommandInfo::syntax`] is the argument summary `redis-cli` shows as
//!   its hint, e.g. `key value [NX|XX] [GET] [EX seconds|...]` for SET.
//!
//! # Example
//!
//! ```
//! use redis_blocking::commands::info::{key_positions, lookup, lookup_args, Group};
//!
//! let set = lookup(b"set").unwrap();
//! assert_eq!(set.arity(), -3);
//! assert!(set.flags().is_write());
//! assert_eq!(set.group(), Group::String);
//!
//! let setname = lookup_args([&b"CLIENT"[..], b"SETNAME", b"me"]).unwrap();
//! assert_eq!(setname.name(), "client|setname");
//!
//! let argv: [&[u8]; 6] = [b"EVAL", b"return 1", b"2", b"k1", b"k2", b"arg"];
//! assert_eq!(key_positions(&argv), [3, 4]);
//! ```

use std::cmp::Ordering;
use std::fmt;

use crate::command_table::{COMMANDS, SERVER_VERSION};

/// The version of the `redis-server` the command table was generated from.
///
/// ```
/// assert!(redis_blocking::commands::info::server_version().starts_with('7'));
/// ```
pub fn server_version() -> &'static str {
    SERVER_VERSION
}

/// Every command and subcommand in the table, sorted by name.
///
/// Subcommands follow their container and are named `container|sub`.
///
/// ```
/// use redis_blocking::commands::info::all;
///
/// assert!(all().iter().any(|c| c.name() == "config|get"));
/// assert!(all().windows(2).all(|w| w[0].name() < w[1].name()));
/// ```
pub fn all() -> &'static [CommandInfo] {
    &COMMANDS
}

/// Finds a command or subcommand by name, ignoring ASCII case.
///
/// Subcommands are found by their full name, `container|sub`; to resolve
/// an argv such as `CLIENT SETNAME name`, use [`lookup_args`].
///
/// ```
/// use redis_blocking::commands::info::lookup;
///
/// assert_eq!(lookup(b"GeT").unwrap().name(), "get");
/// assert_eq!(lookup(b"CONFIG|GET").unwrap().arity(), -3);
/// assert!(lookup(b"no-such-command").is_none());
/// ```
pub fn lookup(name: &[u8]) -> Option<&'static CommandInfo> {
    COMMANDS
        .binary_search_by(|c| cmp_folded(c.name.as_bytes(), name))
        .ok()
        .map(|i| &COMMANDS[i])
}

/// Finds the command an argv runs: the command named by the first
/// argument or, for a container command (`CLIENT`, `CONFIG`, `XINFO`,
/// ...), the subcommand named by the second one when there is one.
///
/// A container without a (known) subcommand argument resolves to the
/// container itself. Works with [`Cmd::args`](crate::Cmd::args):
///
/// ```
/// use redis_blocking::commands::info::lookup_args;
/// use redis_blocking::Cmd;
///
/// let cmd = Cmd::new("CONFIG").arg("GET").arg("maxmemory");
/// assert_eq!(lookup_args(cmd.args()).unwrap().name(), "config|get");
/// assert_eq!(lookup_args([&b"client"[..]]).unwrap().name(), "client");
/// assert_eq!(lookup_args([&b"GET"[..], b"client"]).unwrap().name(), "get");
/// assert!(lookup_args(std::iter::empty()).is_none());
/// ```
pub fn lookup_args<'x>(args: impl IntoIterator<Item = &'x [u8]>) -> Option<&'static CommandInfo> {
    let mut args = args.into_iter();
    let command = lookup(args.next()?)?;
    if command.name.contains('|') {
        return Some(command);
    }
    match args.next() {
        Some(sub) => Some(command.subcommand(sub).unwrap_or(command)),
        None => Some(command),
    }
}

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
/// use redis_blocking::commands::info::key_positions;
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

/// Whether an argv turns its connection into a subscriber (`SUBSCRIBE`
/// and the other five subscription commands), a monitor (`MONITOR`) or a
/// replication stream (`SYNC`, `PSYNC`): from there on, replies no longer
/// come one per command (on RESP2; on RESP3 subscription confirmations
/// and messages are push frames). Proxies and clients use this to stop
/// pairing replies with commands.
///
/// ```
/// use redis_blocking::commands::info::changes_mode;
///
/// assert!(changes_mode(&[b"subscribe", b"news"]));
/// assert!(!changes_mode(&[b"PUBLISH", b"news", b"hi"]));
/// ```
pub fn changes_mode(args: &[&[u8]]) -> bool {
    args.first()
        .is_some_and(|name| crate::semantics::name_changes_mode(name))
}

/// Like [`key_positions`], plus the shard channels of `SPUBLISH`,
/// `SSUBSCRIBE` and `SUNSUBSCRIBE` (key specs flagged
/// [`KeySpecFlags::NOT_KEY`]): every argument a cluster client hashes to
/// pick the node.
///
/// ```
/// use redis_blocking::commands::info::{key_positions, routing_positions};
///
/// let argv: [&[u8]; 3] = [b"SPUBLISH", b"channel", b"message"];
/// assert!(key_positions(&argv).is_empty());
/// assert_eq!(routing_positions(&argv), [1]);
/// ```
pub fn routing_positions(args: &[&[u8]]) -> Vec<usize> {
    positions(args, true)
}

/// Whether an argv runs a command that only reads: flagged `readonly` and
/// not `write`. Unknown commands are not read-only.
///
/// Running such a command twice has the effect of running it once, so it
/// can be retried after a connection error.
///
/// ```
/// use redis_blocking::commands::info::is_read_only;
///
/// assert!(is_read_only(&[b"GET", b"k"]));
/// assert!(is_read_only(&[b"XINFO", b"STREAM", b"s"]));
/// assert!(!is_read_only(&[b"INCR", b"k"]));
/// assert!(!is_read_only(&[b"EVAL", b"return 1", b"0"])); // may write
/// assert!(is_read_only(&[b"EVAL_RO", b"return 1", b"0"]));
/// assert!(!is_read_only(&[b"NOSUCHCOMMAND"]));
/// ```
pub fn is_read_only(args: &[&[u8]]) -> bool {
    lookup_args(args.iter().copied()).is_some_and(|c| {
        let flags = c.flags();
        flags.is_readonly() && !flags.is_write()
    })
}

/// Compares a table name (lower case) with a name in any case.
fn cmp_folded(table: &[u8], name: &[u8]) -> Ordering {
    table
        .iter()
        .copied()
        .cmp(name.iter().map(u8::to_ascii_lowercase))
}

/// One command or subcommand, as `COMMAND INFO` and `COMMAND DOCS` describe
/// it. Get one with [`lookup`] or [`lookup_args`].
///
/// ```
/// use redis_blocking::commands::info::lookup;
///
/// let get = lookup(b"get").unwrap();
/// assert_eq!(get.summary(), "Get the value of a key");
/// assert_eq!(get.since(), "1.0.0");
/// assert_eq!(get.syntax(), "key");
/// assert_eq!(get.usage(), "GET key");
/// assert!(get.flags().is_readonly() && get.flags().is_fast());
/// assert_eq!(get.acl_categories(), ["@read", "@string", "@fast"]);
/// ```
#[derive(Debug)]
pub struct CommandInfo {
    pub(crate) name: &'static str,
    pub(crate) arity: i16,
    pub(crate) flags: Flags,
    pub(crate) acl_categories: &'static [&'static str],
    pub(crate) tips: &'static [&'static str],
    pub(crate) legacy_range: (i16, i16, i16),
    pub(crate) key_specs: &'static [KeySpec],
    pub(crate) group: Group,
    pub(crate) summary: &'static str,
    pub(crate) since: &'static str,
    pub(crate) syntax: &'static str,
    pub(crate) deprecated_since: Option<&'static str>,
    pub(crate) replaced_by: Option<&'static str>,
}

impl CommandInfo {
    /// The name in lower case: `"get"`, or `"client|setname"` for a
    /// subcommand.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// For a subcommand, the container command (`client` for
    /// `client|setname`); `None` for a command.
    ///
    /// ```
    /// use redis_blocking::commands::info::lookup;
    ///
    /// let kill = lookup(b"client|kill").unwrap();
    /// assert_eq!(kill.container().unwrap().name(), "client");
    /// assert!(lookup(b"client").unwrap().container().is_none());
    /// ```
    pub fn container(&self) -> Option<&'static CommandInfo> {
        let (container, _) = self.name.split_once('|')?;
        lookup(container.as_bytes())
    }

    /// Whether this is a subcommand (its name has a `|`).
    pub fn is_subcommand(&self) -> bool {
        self.name.contains('|')
    }

    /// The subcommands of a container command (`CLIENT`, `CONFIG`, ...),
    /// sorted by name; empty for other commands.
    ///
    /// ```
    /// use redis_blocking::commands::info::lookup;
    ///
    /// let xinfo = lookup(b"xinfo").unwrap();
    /// let names: Vec<_> = xinfo.subcommands().iter().map(|c| c.name()).collect();
    /// assert_eq!(names, ["xinfo|consumers", "xinfo|groups", "xinfo|help", "xinfo|stream"]);
    /// assert!(lookup(b"get").unwrap().subcommands().is_empty());
    /// ```
    pub fn subcommands(&self) -> &'static [CommandInfo] {
        if self.is_subcommand() {
            return &[];
        }
        let name = self.name.as_bytes();
        // Names sharing the prefix `name|` are contiguous in the sorted table.
        let start = COMMANDS.partition_point(|c| {
            c.name.as_bytes().iter().cmp(name.iter().chain(b"|")) == Ordering::Less
        });
        let len = COMMANDS[start..]
            .iter()
            .take_while(|c| {
                let n = c.name.as_bytes();
                n.len() > name.len() && n.starts_with(name) && n[name.len()] == b'|'
            })
            .count();
        &COMMANDS[start..start + len]
    }

    /// The subcommand named `sub` (any case) of this container command.
    ///
    /// ```
    /// use redis_blocking::commands::info::lookup;
    ///
    /// let config = lookup(b"config").unwrap();
    /// assert_eq!(config.subcommand(b"SET").unwrap().name(), "config|set");
    /// assert!(config.subcommand(b"nope").is_none());
    /// ```
    pub fn subcommand(&self, sub: &[u8]) -> Option<&'static CommandInfo> {
        let prefix = self.name.len() + 1;
        self.subcommands()
            .iter()
            .find(|c| cmp_folded(&c.name.as_bytes()[prefix..], sub) == Ordering::Equal)
    }

    /// The arity: the exact number of arguments, the name included (and
    /// for a subcommand, the container's name too), or, when negative,
    /// minus the minimum number.
    pub fn arity(&self) -> i16 {
        self.arity
    }

    /// Whether an argv of `argc` arguments (names included) passes the
    /// server's arity check.
    ///
    /// ```
    /// use redis_blocking::commands::info::lookup;
    ///
    /// let get = lookup(b"get").unwrap(); // arity 2
    /// assert!(get.accepts_arg_count(2) && !get.accepts_arg_count(3));
    /// let del = lookup(b"del").unwrap(); // arity -2
    /// assert!(!del.accepts_arg_count(1) && del.accepts_arg_count(5));
    /// ```
    pub fn accepts_arg_count(&self, argc: usize) -> bool {
        let arity = i64::from(self.arity);
        let argc = i64::try_from(argc).unwrap_or(i64::MAX);
        if arity >= 0 {
            argc == arity
        } else {
            argc >= -arity
        }
    }

    /// The command flags.
    pub fn flags(&self) -> Flags {
        self.flags
    }

    /// The ACL categories, as the server spells them (`"@read"`, ...).
    pub fn acl_categories(&self) -> &'static [&'static str] {
        self.acl_categories
    }

    /// The command tips (`"nondeterministic_output"`,
    /// `"request_policy:all_shards"`, ...), hints for clients and proxies.
    pub fn tips(&self) -> &'static [&'static str] {
        self.tips
    }

    /// The legacy key range of `COMMAND INFO`: `(first_key, last_key,
    /// step)`. `last_key` is negative when counted from the end; all zero
    /// when the keys cannot be described that way. The
    /// [key specs](Self::key_specs) are more precise.
    pub fn legacy_key_range(&self) -> (i16, i16, i16) {
        self.legacy_range
    }

    /// The key specs: where the keys are in an argv and how they are used.
    ///
    /// ```
    /// use redis_blocking::commands::info::{lookup, BeginSearch, FindKeys, KeySpecFlags};
    ///
    /// let eval = lookup(b"eval").unwrap();
    /// let spec = eval.key_specs()[0];
    /// assert_eq!(spec.begin_search(), BeginSearch::Index(2));
    /// assert_eq!(
    ///     spec.find_keys(),
    ///     FindKeys::KeyNum { key_num_index: 0, first_key: 1, key_step: 1 }
    /// );
    /// assert!(spec.flags().contains(KeySpecFlags::RW));
    /// ```
    pub fn key_specs(&self) -> &'static [KeySpec] {
        self.key_specs
    }

    /// The documentation group.
    pub fn group(&self) -> Group {
        self.group
    }

    /// A one-line summary of what the command does.
    pub fn summary(&self) -> &'static str {
        self.summary
    }

    /// The Redis version that introduced the command.
    pub fn since(&self) -> &'static str {
        self.since
    }

    /// The arguments, rendered the way `redis-cli` shows them in its help
    /// and hints (without the command name): `key value [NX|XX] [GET] [EX
    /// seconds|PX milliseconds|...]`. Empty for commands without arguments.
    ///
    /// ```
    /// use redis_blocking::commands::info::lookup;
    ///
    /// let zadd = lookup(b"zadd").unwrap();
    /// assert_eq!(
    ///     zadd.syntax(),
    ///     "key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]"
    /// );
    /// ```
    pub fn syntax(&self) -> &'static str {
        self.syntax
    }

    /// The command name in upper case (`CLIENT SETNAME` for a subcommand)
    /// followed by the [syntax](Self::syntax): a usage line for help texts.
    ///
    /// ```
    /// use redis_blocking::commands::info::lookup;
    ///
    /// let setname = lookup(b"client|setname").unwrap();
    /// assert_eq!(setname.usage(), "CLIENT SETNAME connection-name");
    /// assert_eq!(lookup(b"ping").unwrap().usage(), "PING [message]");
    /// ```
    pub fn usage(&self) -> String {
        let mut usage = self.name.replace('|', " ").to_ascii_uppercase();
        if !self.syntax.is_empty() {
            usage.push(' ');
            usage.push_str(self.syntax);
        }
        usage
    }

    /// The version that deprecated the command, if it is deprecated.
    pub fn deprecated_since(&self) -> Option<&'static str> {
        self.deprecated_since
    }

    /// What to use instead of a deprecated command (Markdown text, e.g.
    /// ``"`SET` with the `EX` argument"``).
    pub fn replaced_by(&self) -> Option<&'static str> {
        self.replaced_by
    }
}

/// Defines the constants of a bitset type and the table of their names.
macro_rules! bitset_consts {
    ($ty:ident, $names:ident, $( $(#[$doc:meta])* $konst:ident = $bit:literal, $name:literal; )*) => {
        impl $ty {
            $( $(#[$doc])* pub const $konst: $ty = $ty(1 << $bit); )*
        }

        /// Every flag with its name as the server spells it.
        const $names: &[($ty, &str)] = &[ $( ($ty::$konst, $name), )* ];
    };
}

/// The flags of a command (`COMMAND INFO`'s third field), a `u32` bitset.
///
/// ```
/// use redis_blocking::commands::info::{lookup, Flags};
///
/// let flags = lookup(b"blpop").unwrap().flags();
/// assert!(flags.is_write() && flags.is_blocking());
/// assert!(flags.contains(Flags::WRITE | Flags::BLOCKING));
/// assert_eq!(flags.names().collect::<Vec<_>>(), ["write", "noscript", "blocking"]);
/// assert_eq!(format!("{flags:?}"), "Flags(write | noscript | blocking)");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Flags(u32);

bitset_consts! { Flags, FLAG_NAMES,
    /// `write`: may modify the dataset.
    WRITE = 0, "write";
    /// `readonly`: only reads keys.
    READONLY = 1, "readonly";
    /// `denyoom`: may grow memory; refused when out of memory.
    DENYOOM = 2, "denyoom";
    /// `module`: implemented by a module.
    MODULE = 3, "module";
    /// `admin`: an administrative command.
    ADMIN = 4, "admin";
    /// `pubsub`: a publish/subscribe command.
    PUBSUB = 5, "pubsub";
    /// `noscript`: not allowed in scripts.
    NOSCRIPT = 6, "noscript";
    /// `blocking`: may block the client.
    BLOCKING = 7, "blocking";
    /// `loading`: allowed while the dataset loads.
    LOADING = 8, "loading";
    /// `stale`: allowed on a replica with stale data.
    STALE = 9, "stale";
    /// `skip_monitor`: not shown to MONITOR.
    SKIP_MONITOR = 10, "skip_monitor";
    /// `skip_slowlog`: not logged in the slow log.
    SKIP_SLOWLOG = 11, "skip_slowlog";
    /// `asking`: allowed on an importing slot after ASKING.
    ASKING = 12, "asking";
    /// `fast`: O(1) or O(log N).
    FAST = 13, "fast";
    /// `no_auth`: allowed before authentication.
    NO_AUTH = 14, "no_auth";
    /// `may_replicate`: may be propagated to replicas although not
    /// `write` (PUBLISH, EVAL, PFCOUNT, ...). Redis 7.0 hides this flag
    /// from COMMAND INFO; the table generator detects it.
    MAY_REPLICATE = 15, "may_replicate";
    /// `sentinel`: available in Sentinel mode.
    SENTINEL = 16, "sentinel";
    /// `only_sentinel`: only available in Sentinel mode.
    ONLY_SENTINEL = 17, "only_sentinel";
    /// `no_mandatory_keys`: may be called without keys (EVAL with 0 keys).
    NO_MANDATORY_KEYS = 18, "no_mandatory_keys";
    /// `no_async_loading`: refused during asynchronous loading.
    NO_ASYNC_LOADING = 19, "no_async_loading";
    /// `no_multi`: not allowed inside MULTI.
    NO_MULTI = 20, "no_multi";
    /// `movablekeys`: key positions depend on the arguments.
    MOVABLEKEYS = 21, "movablekeys";
    /// `allow_busy`: allowed while a script or function is busy.
    ALLOW_BUSY = 22, "allow_busy";
    /// `protected`: refused unless enabled in the config (DEBUG, MODULE).
    /// Not reported by COMMAND INFO in Redis 7.0.
    PROTECTED = 23, "protected";
}

impl Flags {
    /// No flags.
    pub const EMPTY: Flags = Flags(0);

    /// The union of `flags`.
    pub const fn of(flags: &[Flags]) -> Flags {
        let mut bits = 0;
        let mut i = 0;
        while i < flags.len() {
            bits |= flags[i].0;
            i += 1;
        }
        Flags(bits)
    }

    /// The bits.
    pub const fn bits(self) -> u32 {
        self.0
    }

    /// Flags from bits (unknown bits are kept).
    pub const fn from_bits(bits: u32) -> Flags {
        Flags(bits)
    }

    /// Whether every flag of `other` is set.
    pub const fn contains(self, other: Flags) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether no flag is set.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The names of the flags that are set, as the server spells them.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        FLAG_NAMES
            .iter()
            .filter(move |(flag, _)| self.contains(*flag))
            .map(|(_, name)| *name)
    }

    /// [`Flags::WRITE`].
    pub const fn is_write(self) -> bool {
        self.contains(Flags::WRITE)
    }

    /// [`Flags::READONLY`].
    pub const fn is_readonly(self) -> bool {
        self.contains(Flags::READONLY)
    }

    /// [`Flags::DENYOOM`].
    pub const fn is_denyoom(self) -> bool {
        self.contains(Flags::DENYOOM)
    }

    /// [`Flags::ADMIN`].
    pub const fn is_admin(self) -> bool {
        self.contains(Flags::ADMIN)
    }

    /// [`Flags::PUBSUB`].
    pub const fn is_pubsub(self) -> bool {
        self.contains(Flags::PUBSUB)
    }

    /// [`Flags::NOSCRIPT`].
    pub const fn is_noscript(self) -> bool {
        self.contains(Flags::NOSCRIPT)
    }

    /// [`Flags::BLOCKING`].
    pub const fn is_blocking(self) -> bool {
        self.contains(Flags::BLOCKING)
    }

    /// [`Flags::LOADING`].
    pub const fn is_loading(self) -> bool {
        self.contains(Flags::LOADING)
    }

    /// [`Flags::STALE`].
    pub const fn is_stale(self) -> bool {
        self.contains(Flags::STALE)
    }

    /// [`Flags::FAST`].
    pub const fn is_fast(self) -> bool {
        self.contains(Flags::FAST)
    }

    /// [`Flags::NO_AUTH`].
    pub const fn no_auth(self) -> bool {
        self.contains(Flags::NO_AUTH)
    }

    /// [`Flags::MAY_REPLICATE`].
    pub const fn may_replicate(self) -> bool {
        self.contains(Flags::MAY_REPLICATE)
    }

    /// [`Flags::NO_MANDATORY_KEYS`].
    pub const fn no_mandatory_keys(self) -> bool {
        self.contains(Flags::NO_MANDATORY_KEYS)
    }

    /// [`Flags::NO_MULTI`].
    pub const fn no_multi(self) -> bool {
        self.contains(Flags::NO_MULTI)
    }

    /// [`Flags::MOVABLEKEYS`].
    pub const fn has_movable_keys(self) -> bool {
        self.contains(Flags::MOVABLEKEYS)
    }

    /// [`Flags::ALLOW_BUSY`].
    pub const fn allow_busy(self) -> bool {
        self.contains(Flags::ALLOW_BUSY)
    }
}

impl std::ops::BitOr for Flags {
    type Output = Flags;

    fn bitor(self, other: Flags) -> Flags {
        Flags(self.0 | other.0)
    }
}

impl fmt::Debug for Flags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_flags(f, "Flags", self.names())
    }
}

fn write_flags<'n>(
    f: &mut fmt::Formatter<'_>,
    ty: &str,
    names: impl Iterator<Item = &'n str>,
) -> fmt::Result {
    write!(f, "{ty}(")?;
    for (i, name) in names.enumerate() {
        if i > 0 {
            f.write_str(" | ")?;
        }
        f.write_str(name)?;
    }
    f.write_str(")")
}

/// The documentation group of a command (`COMMAND DOCS`' `group`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Group {
    /// `bitmap`.
    Bitmap,
    /// `cluster`.
    Cluster,
    /// `connection`.
    Connection,
    /// `generic`: keyspace commands.
    Generic,
    /// `geo`.
    Geo,
    /// `hash`.
    Hash,
    /// `hyperloglog`.
    HyperLogLog,
    /// `list`.
    List,
    /// `module`.
    Module,
    /// `pubsub`.
    PubSub,
    /// `scripting`: scripts and functions.
    Scripting,
    /// `sentinel`.
    Sentinel,
    /// `server`.
    Server,
    /// `set`.
    Set,
    /// `sorted-set`.
    SortedSet,
    /// `stream`.
    Stream,
    /// `string`.
    String,
    /// `transactions`.
    Transactions,
}

impl Group {
    /// The name as `COMMAND DOCS` spells it (`"sorted-set"`, ...).
    ///
    /// ```
    /// use redis_blocking::commands::info::{lookup, Group};
    ///
    /// assert_eq!(lookup(b"zadd").unwrap().group(), Group::SortedSet);
    /// assert_eq!(Group::SortedSet.as_str(), "sorted-set");
    /// ```
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Bitmap => "bitmap",
            Group::Cluster => "cluster",
            Group::Connection => "connection",
            Group::Generic => "generic",
            Group::Geo => "geo",
            Group::Hash => "hash",
            Group::HyperLogLog => "hyperloglog",
            Group::List => "list",
            Group::Module => "module",
            Group::PubSub => "pubsub",
            Group::Scripting => "scripting",
            Group::Sentinel => "sentinel",
            Group::Server => "server",
            Group::Set => "set",
            Group::SortedSet => "sorted-set",
            Group::Stream => "stream",
            Group::String => "string",
            Group::Transactions => "transactions",
        }
    }
}

impl fmt::Display for Group {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One key spec: how to find some of a command's keys in an argv and how
/// the command uses them.
///
/// Finding keys takes two steps: [`BeginSearch`] gives the index of the
/// first key, then [`FindKeys`] the range of keys from there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeySpec {
    pub(crate) flags: KeySpecFlags,
    pub(crate) begin_search: BeginSearch,
    pub(crate) find_keys: FindKeys,
}

impl KeySpec {
    /// How the keys are used.
    pub fn flags(&self) -> KeySpecFlags {
        self.flags
    }

    /// Where the search for the first key starts.
    pub fn begin_search(&self) -> BeginSearch {
        self.begin_search
    }

    /// Which arguments from there are keys.
    pub fn find_keys(&self) -> FindKeys {
        self.find_keys
    }

    /// The positions this spec finds in `args`: `(first, last, step)` with
    /// `1 <= first <= last < args.len()` and `step >= 1`, or `None` if it
    /// finds none (unknown spec, missing keyword, bad `numkeys`, out of
    /// range).
    fn range(&self, args: &[&[u8]]) -> Option<(usize, usize, usize)> {
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
fn parse_count(arg: &[u8]) -> Option<i64> {
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

/// Where the search for a key spec's first key starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BeginSearch {
    /// At this argv index.
    Index(i32),
    /// Right after `keyword`, searched for (ignoring case) from index
    /// `start_from` on, or, when negative, backwards from `argc +
    /// start_from`.
    Keyword {
        /// The keyword, e.g. `"STREAMS"`.
        keyword: &'static str,
        /// Where the search starts.
        start_from: i32,
    },
    /// Cannot be described: the command's own rules apply (`SORT`).
    Unknown,
}

impl BeginSearch {
    /// [`BeginSearch::Keyword`], short for the generated table.
    pub(crate) const fn keyword(keyword: &'static str, start_from: i32) -> BeginSearch {
        BeginSearch::Keyword {
            keyword,
            start_from,
        }
    }
}

/// Which arguments, from the first one found by [`BeginSearch`], are keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FindKeys {
    /// A range of arguments.
    Range {
        /// The last key, relative to the first one; negative counts from
        /// the end of the argv (`-1`: the last argument).
        last_key: i32,
        /// The distance between keys (2 for `MSET key value ...`).
        key_step: i32,
        /// With `last_key` -1: only the first `1/limit` of the remaining
        /// arguments are keys (2 for `XREAD ... STREAMS k1 k2 id1 id2`).
        limit: i32,
    },
    /// A count argument, then that many keys (`EVAL script numkeys ...`).
    KeyNum {
        /// The index of the count, relative to the first key search result.
        key_num_index: i32,
        /// The index of the first key, relative to the search result.
        first_key: i32,
        /// The distance between keys.
        key_step: i32,
    },
    /// Cannot be described: the command's own rules apply.
    Unknown,
}

impl FindKeys {
    /// [`FindKeys::Range`], short for the generated table.
    pub(crate) const fn range(last_key: i32, key_step: i32, limit: i32) -> FindKeys {
        FindKeys::Range {
            last_key,
            key_step,
            limit,
        }
    }

    /// [`FindKeys::KeyNum`], short for the generated table.
    pub(crate) const fn keynum(key_num_index: i32, first_key: i32, key_step: i32) -> FindKeys {
        FindKeys::KeyNum {
            key_num_index,
            first_key,
            key_step,
        }
    }
}

/// How a command uses the keys of a key spec, a `u16` bitset.
///
/// ```
/// use redis_blocking::commands::info::{lookup, KeySpecFlags};
///
/// let spec = lookup(b"rename").unwrap().key_specs()[1];
/// assert_eq!(format!("{:?}", spec.flags()), "KeySpecFlags(OW | update)");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct KeySpecFlags(u16);

bitset_consts! { KeySpecFlags, KEY_SPEC_FLAG_NAMES,
    /// `RO`: read-only access.
    RO = 0, "RO";
    /// `RW`: read and modified.
    RW = 1, "RW";
    /// `OW`: overwritten, not read.
    OW = 2, "OW";
    /// `RM`: deleted.
    RM = 3, "RM";
    /// `access`: the value is returned, copied or used.
    ACCESS = 4, "access";
    /// `update`: the value is updated or overwritten.
    UPDATE = 5, "update";
    /// `insert`: data is added, nothing modified or deleted.
    INSERT = 6, "insert";
    /// `delete`: data is deleted.
    DELETE = 7, "delete";
    /// `not_key`: not a key but hashed like one (shard channels).
    NOT_KEY = 8, "not_key";
    /// `incomplete`: the spec may miss keys.
    INCOMPLETE = 9, "incomplete";
    /// `variable_flags`: the flags depend on the arguments.
    VARIABLE_FLAGS = 10, "variable_flags";
}

impl KeySpecFlags {
    /// No flags.
    pub const EMPTY: KeySpecFlags = KeySpecFlags(0);

    /// The union of `flags`.
    pub const fn of(flags: &[KeySpecFlags]) -> KeySpecFlags {
        let mut bits = 0;
        let mut i = 0;
        while i < flags.len() {
            bits |= flags[i].0;
            i += 1;
        }
        KeySpecFlags(bits)
    }

    /// The bits.
    pub const fn bits(self) -> u16 {
        self.0
    }

    /// Whether every flag of `other` is set.
    pub const fn contains(self, other: KeySpecFlags) -> bool {
        self.0 & other.0 == other.0
    }

    /// The names of the flags that are set, as the server spells them.
    pub fn names(self) -> impl Iterator<Item = &'static str> {
        KEY_SPEC_FLAG_NAMES
            .iter()
            .filter(move |(flag, _)| self.contains(*flag))
            .map(|(_, name)| *name)
    }
}

impl std::ops::BitOr for KeySpecFlags {
    type Output = KeySpecFlags;

    fn bitor(self, other: KeySpecFlags) -> KeySpecFlags {
        KeySpecFlags(self.0 | other.0)
    }
}

impl fmt::Debug for KeySpecFlags {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write_flags(f, "KeySpecFlags", self.names())
    }
}

/// [`key_positions`] and [`routing_positions`].
fn positions(args: &[&[u8]], include_not_keys: bool) -> Vec<usize> {
    let Some(command) = lookup_args(args.iter().copied()) else {
        return Vec::new();
    };
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

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(argv: &[&str]) -> Vec<usize> {
        let args: Vec<&[u8]> = argv.iter().map(|a| a.as_bytes()).collect();
        key_positions(&args)
    }

    #[test]
    fn table_is_sorted_lower_case_and_unique() {
        assert!(COMMANDS.len() > 300);
        for w in COMMANDS.windows(2) {
            assert!(w[0].name < w[1].name, "{} >= {}", w[0].name, w[1].name);
        }
        for c in &COMMANDS {
            assert_eq!(c.name, c.name.to_ascii_lowercase());
            assert!(!c.summary.is_empty(), "{} has no summary", c.name);
            assert!(c.arity != 0, "{}", c.name);
            assert_eq!(lookup(c.name.as_bytes()).map(|f| f.name), Some(c.name));
            assert_eq!(
                lookup(c.name.to_ascii_uppercase().as_bytes()).map(|f| f.name),
                Some(c.name)
            );
        }
    }

    #[test]
    fn subcommands_belong_to_their_container() {
        let mut seen = 0;
        for c in &COMMANDS {
            for sub in c.subcommands() {
                assert_eq!(sub.container().map(|c| c.name), Some(c.name));
                let (_, short) = sub.name.split_once('|').unwrap();
                let found = lookup_args([c.name.as_bytes(), short.to_uppercase().as_bytes()]);
                assert_eq!(found.map(|f| f.name), Some(sub.name));
                seen += 1;
            }
            if let Some(container) = c.container() {
                assert!(container.subcommands().iter().any(|s| s.name == c.name));
            }
        }
        assert_eq!(seen, COMMANDS.iter().filter(|c| c.is_subcommand()).count());
        for name in [
            "client", "config", "object", "memory", "xinfo", "xgroup", "acl",
        ] {
            assert!(!lookup(name.as_bytes()).unwrap().subcommands().is_empty());
        }
    }

    #[test]
    fn lookup_is_case_insensitive() {
        assert_eq!(lookup(b"GET").unwrap().name(), "get");
        assert_eq!(lookup(b"gEt").unwrap().name(), "get");
        assert_eq!(lookup(b"Client|SetName").unwrap().name(), "client|setname");
        assert!(lookup(b"").is_none());
        assert!(lookup(b"get ").is_none());
        assert!(lookup(b"\xff\x00").is_none());
        assert!(lookup_args([&b"nosuch"[..], b"thing"]).is_none());
        assert_eq!(
            lookup_args([&b"client"[..], b"nosuch"]).unwrap().name(),
            "client"
        );
        // A full subcommand name is not resolved further.
        assert_eq!(
            lookup_args([&b"client|list"[..], b"id"]).unwrap().name(),
            "client|list"
        );
    }

    #[test]
    fn flags_and_docs() {
        let get = lookup(b"get").unwrap();
        assert!(get.flags().is_readonly() && get.flags().is_fast());
        assert!(!get.flags().is_write());
        assert_eq!(get.group(), Group::String);
        assert_eq!(get.legacy_key_range(), (1, 1, 1));

        let blpop = lookup(b"blpop").unwrap();
        assert!(blpop.flags().is_blocking() && blpop.flags().is_write());
        assert!(lookup(b"publish").unwrap().flags().is_pubsub());
        assert!(lookup(b"publish").unwrap().flags().may_replicate());
        assert!(lookup(b"eval").unwrap().flags().may_replicate());
        assert!(!lookup(b"get").unwrap().flags().may_replicate());
        assert!(lookup(b"config|set").unwrap().flags().is_admin());
        assert!(lookup(b"save").unwrap().flags().no_multi());
        assert!(lookup(b"auth").unwrap().flags().no_auth());
        assert!(lookup(b"zunionstore").unwrap().flags().has_movable_keys());

        let set = lookup(b"set").unwrap();
        assert_eq!(
            set.syntax(),
            "key value [NX|XX] [GET] [EX seconds|PX milliseconds|\
             EXAT unix-time-seconds|PXAT unix-time-milliseconds|KEEPTTL]"
        );
        assert!(set.key_specs()[0]
            .flags()
            .contains(KeySpecFlags::VARIABLE_FLAGS));
        assert_eq!(
            lookup(b"migrate").unwrap().syntax(),
            "host port key|\"\" destination-db timeout [COPY] [REPLACE] \
             [[AUTH password]|[AUTH2 username password]] [KEYS key [key ...]]"
        );
        let georadius = lookup(b"georadius").unwrap();
        assert_eq!(georadius.deprecated_since(), Some("6.2.0"));
        assert!(georadius.replaced_by().unwrap().contains("GEOSEARCH"));
        assert_eq!(get.deprecated_since(), None);
        assert!(lookup(b"keys")
            .unwrap()
            .tips()
            .contains(&"request_policy:all_shards"));
        assert_eq!(lookup(b"client").unwrap().usage(), "CLIENT");
        assert_eq!(
            format!("{:?}", Flags::WRITE | Flags::DENYOOM),
            "Flags(write | denyoom)"
        );
        assert_eq!(format!("{:?}", Flags::EMPTY), "Flags()");
        assert_eq!(Flags::from_bits(Flags::FAST.bits()), Flags::FAST);
        assert!(Flags::EMPTY.is_empty());
    }

    #[test]
    fn key_positions_simple_and_ranges() {
        assert_eq!(keys(&["GET", "k"]), [1]);
        assert_eq!(keys(&["get", "k"]), [1]);
        assert_eq!(keys(&["DEL", "a", "b", "c"]), [1, 2, 3]);
        assert_eq!(keys(&["MSET", "a", "1", "b", "2"]), [1, 3]);
        assert_eq!(keys(&["MSETNX", "a", "1", "b", "2", "c", "3"]), [1, 3, 5]);
        assert_eq!(keys(&["RENAME", "a", "b"]), [1, 2]);
        assert_eq!(keys(&["BLMOVE", "a", "b", "LEFT", "RIGHT", "0"]), [1, 2]);
        assert_eq!(keys(&["BLPOP", "a", "b", "0"]), [1, 2]);
        assert_eq!(keys(&["BITOP", "AND", "d", "a", "b"]), [2, 3, 4]);
        assert_eq!(keys(&["SET", "k", "v", "GET", "EX", "10"]), [1]);
        assert_eq!(keys(&["PING"]), Vec::<usize>::new());
        assert_eq!(keys(&["NOSUCH", "a"]), Vec::<usize>::new());
        assert_eq!(keys(&[]), Vec::<usize>::new());
    }

    #[test]
    fn key_positions_numkeys() {
        assert_eq!(keys(&["EVAL", "s", "2", "a", "b", "x"]), [3, 4]);
        assert_eq!(keys(&["EVAL", "s", "0", "x"]), Vec::<usize>::new());
        assert_eq!(keys(&["EVALSHA", "sha", "1", "a"]), [3]);
        assert_eq!(keys(&["FCALL", "f", "1", "a", "x"]), [3]);
        assert_eq!(keys(&["ZUNIONSTORE", "d", "2", "a", "b"]), [1, 3, 4]);
        assert_eq!(keys(&["ZINTER", "2", "a", "b", "WITHSCORES"]), [2, 3]);
        assert_eq!(keys(&["SINTERCARD", "2", "a", "b", "LIMIT", "1"]), [2, 3]);
        assert_eq!(keys(&["LMPOP", "2", "a", "b", "LEFT"]), [2, 3]);
        assert_eq!(keys(&["BLMPOP", "0", "2", "a", "b", "LEFT"]), [3, 4]);
        assert_eq!(keys(&["BZMPOP", "0", "1", "a", "MIN"]), [3]);
    }

    #[test]
    fn key_positions_keywords_and_special_cases() {
        assert_eq!(
            keys(&["XREAD", "COUNT", "1", "STREAMS", "a", "b", "0", "0"]),
            [4, 5]
        );
        assert_eq!(
            keys(&["XREADGROUP", "GROUP", "g", "c", "STREAMS", "a", ">"]),
            [5]
        );
        // A group named "streams" is skipped by the spec's start index.
        assert_eq!(
            keys(&["XREADGROUP", "GROUP", "streams", "c", "STREAMS", "a", ">"]),
            [5]
        );
        assert_eq!(keys(&["SORT", "k"]), [1]);
        assert_eq!(
            keys(&["SORT", "k", "BY", "store", "LIMIT", "0", "1", "STORE", "d"]),
            [1, 8]
        );
        assert_eq!(keys(&["SORT", "k", "GET", "#", "STORE"]), [1]);
        assert_eq!(keys(&["SORT_RO", "k", "BY", "w_*"]), [1]);
        assert_eq!(keys(&["MIGRATE", "h", "1", "k", "0", "10"]), [3]);
        assert_eq!(
            keys(&["MIGRATE", "h", "1", "", "0", "10", "AUTH", "keys", "KEYS", "a", "b"]),
            [9, 10]
        );
        assert_eq!(
            keys(&["MIGRATE", "h", "1", "k", "0", "10", "KEYS", "a"]),
            Vec::<usize>::new()
        );
        assert_eq!(
            keys(&["GEORADIUS", "g", "0", "0", "1", "km", "STORE", "d"]),
            [1, 7]
        );
        assert_eq!(
            keys(&["GEORADIUSBYMEMBER", "g", "m", "1", "km", "STOREDIST", "d"]),
            [1, 6]
        );
        assert_eq!(keys(&["OBJECT", "ENCODING", "k"]), [2]);
        assert_eq!(keys(&["MEMORY", "USAGE", "k", "SAMPLES", "5"]), [2]);
        assert_eq!(keys(&["XINFO", "STREAM", "s", "FULL"]), [2]);
        assert_eq!(keys(&["OBJECT", "HELP"]), Vec::<usize>::new());
    }

    #[test]
    fn routing_includes_shard_channels() {
        let argv: [&[u8]; 3] = [b"SSUBSCRIBE", b"a", b"b"];
        assert!(key_positions(&argv).is_empty());
        assert_eq!(routing_positions(&argv), [1, 2]);
        let argv: [&[u8]; 2] = [b"GET", b"k"];
        assert_eq!(routing_positions(&argv), [1]);
    }

    #[test]
    fn malformed_argv_never_panics() {
        // Bad numkeys: negative, not a number, too large, huge, sign, zeros.
        for n in [
            "-1",
            "x",
            "3",
            "99999999999999999999",
            "9223372036854775807",
            "+1",
            "01",
            "",
        ] {
            assert_eq!(keys(&["EVAL", "s", n, "a"]), Vec::<usize>::new(), "{n}");
            assert_eq!(keys(&["ZUNIONSTORE", "d", n, "a"]), [1], "{n}");
        }
        assert_eq!(keys(&["EVAL"]), Vec::<usize>::new());
        assert_eq!(keys(&["EVAL", "s"]), Vec::<usize>::new());
        assert_eq!(keys(&["XREAD", "STREAMS"]), Vec::<usize>::new());
        assert_eq!(keys(&["XREAD", "a", "STREAMS"]), Vec::<usize>::new());
        assert_eq!(keys(&["MIGRATE", "h", "1"]), Vec::<usize>::new());
        assert_eq!(keys(&["MIGRATE", "h", "1", "", "0", "1", "AUTH2"]), [3]);
        assert_eq!(keys(&["SORT"]), Vec::<usize>::new());
        assert_eq!(keys(&["SORT", "k", "LIMIT"]), [1]);
        assert_eq!(keys(&["GET"]), Vec::<usize>::new());
        assert_eq!(keys(&["MSET", "a"]), [1]);

        // Every command with argvs of every shape up to 8 arguments.
        let fillers: [&[u8]; 8] = [b"1", b"-1", b"STREAMS", b"KEYS", b"STORE", b"x", b"", b"0"];
        for c in &COMMANDS {
            let mut argv: Vec<&[u8]> = c.name.split('|').map(str::as_bytes).collect();
            let base = argv.len();
            for len in 0..8 {
                argv.truncate(base);
                for i in 0..len {
                    argv.push(fillers[(i * 7 + len) % fillers.len()]);
                }
                for pos in key_positions(&argv) {
                    assert!(pos >= 1 && pos < argv.len(), "{} {argv:?}", c.name);
                }
                let _ = routing_positions(&argv);
                let _ = is_read_only(&argv);
            }
        }
    }

    #[test]
    fn read_only() {
        assert!(is_read_only(&[b"GET", b"k"]));
        assert!(is_read_only(&[b"ZRANGE", b"k", b"0", b"-1"]));
        assert!(is_read_only(&[b"OBJECT", b"ENCODING", b"k"]));
        assert!(!is_read_only(&[b"SET", b"k", b"v"]));
        assert!(!is_read_only(&[b"PING"]));
        assert!(!is_read_only(&[]));
    }

    #[test]
    fn parse_count_is_strict() {
        assert_eq!(parse_count(b"0"), Some(0));
        assert_eq!(parse_count(b"12"), Some(12));
        assert_eq!(parse_count(b"012"), None);
        assert_eq!(parse_count(b"-1"), None);
        assert_eq!(parse_count(b"1 "), None);
        assert_eq!(parse_count(b"99999999999999999999"), None);
    }
}
