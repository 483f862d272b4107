//! Finding commands in the table.

use std::cmp::Ordering;
use std::sync::OnceLock;

use super::spec::CommandInfo;
use super::table::{COMMANDS, SERVER_VERSION};
/// The version of the `redis-server` the command table was generated from.
///
/// ```
/// assert!(resp_core::command::server_version().starts_with('7'));
/// ```
pub fn server_version() -> &'static str {
    SERVER_VERSION
}

/// Every command and subcommand in the table, sorted by name.
///
/// Subcommands follow their container and are named `container|sub`.
///
/// ```
/// use resp_core::command::all;
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
/// use resp_core::command::lookup;
///
/// assert_eq!(lookup(b"GeT").unwrap().name(), "get");
/// assert_eq!(lookup(b"CONFIG|GET").unwrap().arity(), -3);
/// assert!(lookup(b"no-such-command").is_none());
/// ```
pub fn lookup(name: &[u8]) -> Option<&'static CommandInfo> {
    // Every call routes through here: the name is folded and hashed in one
    // pass onto the stack, then found in an open-addressed index of the
    // table built once (a binary search cost ~400 instructions a call).
    let mut folded = [0u8; LONGEST_NAME];
    let folded = folded.get_mut(..name.len())?;
    let mut hash = FNV_OFFSET;
    for (to, from) in folded.iter_mut().zip(name) {
        *to = from.to_ascii_lowercase();
        hash = (hash ^ u32::from(*to)).wrapping_mul(FNV_PRIME);
    }
    let index = INDEX.get_or_init(build_index);
    let mut at = hash as usize & (INDEX_SLOTS - 1);
    loop {
        let command = COMMANDS.get(usize::from(index[at]).checked_sub(1)?)?;
        if command.name.as_bytes() == folded {
            return Some(command);
        }
        at = (at + 1) & (INDEX_SLOTS - 1);
    }
}

/// Slots of the name index: a power of two, under half full (the table
/// has 366 names).
const INDEX_SLOTS: usize = 1024;
const FNV_OFFSET: u32 = 0x811c_9dc5;
const FNV_PRIME: u32 = 0x0100_0193;

/// `1 +` the table index of the name hashed to each slot (or the next free
/// one); 0 for a free slot.
static INDEX: OnceLock<Box<[u16; INDEX_SLOTS]>> = OnceLock::new();

fn build_index() -> Box<[u16; INDEX_SLOTS]> {
    let mut index = Box::new([0u16; INDEX_SLOTS]);
    for (i, command) in COMMANDS.iter().enumerate() {
        let hash = command.name.bytes().fold(FNV_OFFSET, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(FNV_PRIME)
        });
        let mut at = hash as usize & (INDEX_SLOTS - 1);
        while index[at] != 0 {
            at = (at + 1) & (INDEX_SLOTS - 1);
        }
        // The table has 366 entries: both fit.
        index[at] = i as u16 + 1;
    }
    index
}

/// No name in the table is longer (`cluster|count-failure-reports` has
/// 29 bytes); checked by a test.
pub(super) const LONGEST_NAME: usize = 32;

/// Finds the command an argv runs: the command named by the first
/// argument or, for a container command (`CLIENT`, `CONFIG`, `XINFO`,
/// ...), the subcommand named by the second one when there is one.
///
/// A container without a (known) subcommand argument resolves to the
/// container itself. Works with any iterator of arguments:
///
/// ```
/// use resp_core::command::lookup_args;
///
/// let argv = ["CONFIG", "GET", "maxmemory"];
/// assert_eq!(lookup_args(argv.iter().map(|a| a.as_bytes())).unwrap().name(), "config|get");
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

/// Whether an argv runs a command that only reads: flagged `readonly` and
/// not `write`. Unknown commands are not read-only.
///
/// Running such a command twice has the effect of running it once, so it
/// can be retried after a connection error.
///
/// ```
/// use resp_core::command::is_read_only;
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
pub(super) fn cmp_folded(table: &[u8], name: &[u8]) -> Ordering {
    table
        .iter()
        .copied()
        .cmp(name.iter().map(u8::to_ascii_lowercase))
}
