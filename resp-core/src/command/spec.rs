//! The types of the command table: commands, flags, groups, key specs.

use std::cmp::Ordering;
use std::fmt;
use std::sync::OnceLock;

use super::lookup::{cmp_folded, lookup};
use super::table::COMMANDS;

/// One command or subcommand, as `COMMAND INFO` and `COMMAND DOCS` describe
/// it. Get one with [`lookup`](super::lookup()) or [`lookup_args`](super::lookup_args).
///
/// ```
/// use resp_core::command::lookup;
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
    /// use resp_core::command::lookup;
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
    /// use resp_core::command::lookup;
    ///
    /// let xinfo = lookup(b"xinfo").unwrap();
    /// let names: Vec<_> = xinfo.subcommands().iter().map(|c| c.name()).collect();
    /// assert_eq!(names, ["xinfo|consumers", "xinfo|groups", "xinfo|help", "xinfo|stream"]);
    /// assert!(lookup(b"get").unwrap().subcommands().is_empty());
    /// ```
    pub fn subcommands(&self) -> &'static [CommandInfo] {
        // Every `CommandInfo` is an element of the table; its index comes
        // from its address, and the ranges are found once.
        static RANGES: OnceLock<Vec<(u16, u16)>> = OnceLock::new();
        let ranges = RANGES.get_or_init(|| COMMANDS.iter().map(subcommand_range).collect());
        let index = (self as *const CommandInfo as usize).wrapping_sub(COMMANDS.as_ptr() as usize)
            / std::mem::size_of::<CommandInfo>();
        match ranges.get(index) {
            Some(&(start, len)) => {
                &COMMANDS[usize::from(start)..usize::from(start) + usize::from(len)]
            }
            None => &[],
        }
    }

    /// The subcommand named `sub` (any case) of this container command.
    ///
    /// ```
    /// use resp_core::command::lookup;
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
    /// use resp_core::command::lookup;
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
    /// use resp_core::command::{lookup, BeginSearch, FindKeys, KeySpecFlags};
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
    /// use resp_core::command::lookup;
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
    /// use resp_core::command::lookup;
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
/// use resp_core::command::{lookup, Flags};
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
    /// use resp_core::command::{lookup, Group};
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
/// use resp_core::command::{lookup, KeySpecFlags};
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

/// Where the subcommands of `command` are in the table: `(start, len)`,
/// empty for a subcommand or a command without any.
fn subcommand_range(command: &CommandInfo) -> (u16, u16) {
    if command.is_subcommand() {
        return (0, 0);
    }
    let name = command.name.as_bytes();
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
    // The table has 366 entries.
    (start as u16, len as u16)
}
