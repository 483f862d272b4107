//! Finding commands in the table.

use std::cmp::Ordering;

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
    // Folded once into a buffer on the stack, then plain byte comparisons
    // (every call routes through here: a third of a cluster call's table
    // work was folding the name again at each step of the search).
    let mut folded = [0u8; LONGEST_NAME];
    let folded = folded.get_mut(..name.len())?;
    for (to, from) in folded.iter_mut().zip(name) {
        *to = from.to_ascii_lowercase();
    }
    let folded = &*folded;
    COMMANDS
        .binary_search_by(|c| c.name.as_bytes().cmp(folded))
        .ok()
        .map(|i| &COMMANDS[i])
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
