//! The command help of the shell: the table behind `help`, the hints shown
//! while typing and the tab completion, as `redis-cli` 7.0 builds them.
//!
//! The table comes from the server's `COMMAND DOCS` when it answers
//! ([`HelpTable::from_command_docs`]), so that help and hints match the
//! server in use (modules included); otherwise from the command table built
//! into `redis-blocking` ([`HelpTable::builtin`], generated from
//! redis-server 7.0.15).

use std::collections::BTreeSet;
use std::io::{self, Write};

use redis_blocking::commands::info;
use redis_blocking::resp_core::args::split_args;
use redis_blocking::Value;

/// What a help entry describes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EntryKind {
    /// A command or subcommand (`SET`, `CLIENT SETNAME`).
    Command,
    /// A command group (`@string`).
    Group,
}

/// One entry of the help table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HelpEntry {
    /// A command or a group.
    pub kind: EntryKind,
    /// The words of the name: `["CLIENT", "SETNAME"]`, or `["@string"]`.
    pub argv: Vec<String>,
    /// The full name: `CLIENT SETNAME`, or `@string`.
    pub full: String,
    /// The arguments, as shown by help and hints (`key value [NX|XX] ...`).
    pub params: String,
    /// The one-line summary.
    pub summary: String,
    /// The version that introduced the command, when known.
    pub since: Option<String>,
    /// The group the command belongs to (`string`).
    pub group: String,
}

/// The help table: commands and groups sorted by full name (byte order, as
/// `redis-cli` sorts them).
#[derive(Debug, Clone, Default)]
pub struct HelpTable {
    entries: Vec<HelpEntry>,
}

fn command_entry(name: &str, sub: Option<&str>) -> HelpEntry {
    let mut argv = vec![name.to_ascii_uppercase()];
    if let Some(sub) = sub {
        // A subcommand is named `container|sub`.
        let sub = sub.rsplit('|').next().unwrap_or(sub);
        argv.push(sub.to_ascii_uppercase());
    }
    HelpEntry {
        kind: EntryKind::Command,
        full: argv.join(" "),
        argv,
        params: String::new(),
        summary: String::new(),
        since: None,
        group: String::new(),
    }
}

fn group_entry(group: &str) -> HelpEntry {
    let full = format!("@{group}");
    HelpEntry {
        kind: EntryKind::Group,
        argv: vec![full.clone()],
        full,
        params: String::new(),
        summary: String::new(),
        since: None,
        group: String::new(),
    }
}

/// The text of a string-like reply.
fn text(v: &Value) -> Option<String> {
    match v {
        Value::Bulk(b) | Value::Simple(b) => Some(String::from_utf8_lossy(b).into_owned()),
        Value::Verbatim { text, .. } => Some(String::from_utf8_lossy(text).into_owned()),
        Value::Attributed(a) => text(&a.frame),
        _ => None,
    }
}

/// The key-value pairs of a map reply, or of a RESP2 flat array of pairs.
fn pairs(v: &Value) -> Option<Vec<(&Value, &Value)>> {
    match v {
        Value::Map(m) => Some(m.iter().map(|(k, v)| (k, v)).collect()),
        Value::Array(a) => Some(a.chunks_exact(2).map(|p| (&p[0], &p[1])).collect()),
        Value::Attributed(a) => pairs(&a.frame),
        _ => None,
    }
}

/// The elements of an array or set reply.
fn elements(v: &Value) -> &[Value] {
    match v {
        Value::Array(a) | Value::Set(a) => a,
        Value::Attributed(a) => elements(&a.frame),
        _ => &[],
    }
}

/// `value`, or `""` when it is empty (`sdscat_orempty`).
fn or_empty(out: &mut String, value: &str) {
    if value.is_empty() {
        out.push_str("\"\"");
    } else {
        out.push_str(value);
    }
}

/// Renders one argument of `COMMAND DOCS` as `redis-cli` 7.0 does
/// (`cliAddArgument`).
fn add_argument(params: &mut String, arg: &Value) {
    let Some(fields) = pairs(arg) else { return };
    let mut name = String::new();
    let mut kind = String::new();
    let mut token: Option<String> = None;
    let mut arguments: &[Value] = &[];
    let (mut optional, mut multiple, mut multiple_token) = (false, false, false);
    for (k, v) in fields {
        match text(k).as_deref() {
            Some("name") => name = text(v).unwrap_or_default(),
            Some("token") => token = text(v),
            Some("type") => kind = text(v).unwrap_or_default(),
            Some("arguments") => arguments = elements(v),
            Some("flags") => {
                for flag in elements(v) {
                    match text(flag).as_deref() {
                        Some("optional") => optional = true,
                        Some("multiple") => multiple = true,
                        Some("multiple_token") => multiple_token = true,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }

    let mut token_part = String::new();
    if let Some(token) = &token {
        or_empty(&mut token_part, token);
    }
    let mut repeat_part = String::new();
    match kind.as_str() {
        "key" | "string" | "integer" | "double" | "pattern" | "unix-time" | "token" => {
            or_empty(&mut repeat_part, &name)
        }
        "oneof" => concat_arguments(&mut repeat_part, arguments, "|"),
        "block" => concat_arguments(&mut repeat_part, arguments, " "),
        _ => {}
    }
    if !token_part.is_empty() && kind != "pure-token" {
        token_part.push(' ');
    }
    if optional {
        params.push('[');
    }
    params.push_str(&token_part);
    params.push_str(&repeat_part);
    if multiple {
        params.push_str(" [");
        if multiple_token {
            params.push_str(&token_part);
        }
        params.push_str(&repeat_part);
        params.push_str(" ...]");
    }
    if optional {
        params.push(']');
    }
}

fn concat_arguments(params: &mut String, arguments: &[Value], separator: &str) {
    for (i, arg) in arguments.iter().enumerate() {
        add_argument(params, arg);
        if i + 1 != arguments.len() {
            params.push_str(separator);
        }
    }
}

impl HelpTable {
    /// The table built into `redis-blocking`: every command and subcommand
    /// of redis-server 7.0.15 and the groups they belong to.
    pub fn builtin() -> HelpTable {
        let mut entries = Vec::new();
        let mut groups = BTreeSet::new();
        for c in info::all() {
            let (name, sub) = match c.name().split_once('|') {
                Some((name, _)) => (name, Some(c.name())),
                None => (c.name(), None),
            };
            let mut e = command_entry(name, sub);
            e.params = c.syntax().to_string();
            e.summary = c.summary().to_string();
            e.since = Some(c.since().to_string());
            e.group = c.group().as_str().to_string();
            groups.insert(e.group.clone());
            entries.push(e);
        }
        entries.extend(groups.iter().map(|g| group_entry(g)));
        HelpTable::sorted(entries)
    }

    /// The table described by a `COMMAND DOCS` reply (RESP2 or RESP3), as
    /// `redis-cli` 7.0 builds it (`cliInitHelp`); `None` when the reply is
    /// not a map of commands (an error, for instance).
    pub fn from_command_docs(docs: &Value) -> Option<HelpTable> {
        let commands = pairs(docs)?;
        let mut entries = Vec::new();
        let mut groups = BTreeSet::new();
        for (name, specs) in commands {
            let name = text(name)?;
            add_docs_entry(&mut entries, &mut groups, &name, None, specs);
        }
        entries.extend(groups.iter().map(|g| group_entry(g)));
        Some(HelpTable::sorted(entries))
    }

    fn sorted(mut entries: Vec<HelpEntry>) -> HelpTable {
        entries.sort_by(|a, b| a.full.as_bytes().cmp(b.full.as_bytes()));
        HelpTable { entries }
    }

    /// The entries, sorted by full name.
    pub fn entries(&self) -> &[HelpEntry] {
        &self.entries
    }

    /// Writes what `help ARGS...` shows (`cliOutputHelp`): the generic help
    /// without arguments (its first line is `banner`, `redis-cli 7.0.15` in
    /// `redis-cli`), the commands of a group for `@group`, or the commands
    /// whose names start with the given words. `color` adds the ANSI colors
    /// `redis-cli` uses.
    pub fn write_help(
        &self,
        args: &[Vec<u8>],
        banner: &str,
        color: bool,
        out: &mut dyn Write,
    ) -> io::Result<()> {
        if args.is_empty() {
            return write_generic_help(banner, out);
        }
        let group = args[0].strip_prefix(b"@");
        for e in self.entries.iter().filter(|e| e.kind == EntryKind::Command) {
            match group {
                None => {
                    if args.len() <= e.argv.len()
                        && args
                            .iter()
                            .zip(&e.argv)
                            .all(|(a, w)| a.eq_ignore_ascii_case(w.as_bytes()))
                    {
                        write_command_help(e, true, color, out)?;
                    }
                }
                Some(group) => {
                    if group.eq_ignore_ascii_case(e.group.as_bytes()) {
                        write_command_help(e, false, color, out)?;
                    }
                }
            }
        }
        out.write_all(b"\r\n")
    }

    /// The hint shown after `line` as it is typed (`hintsCallback` of
    /// `redis-cli` 7.0): the arguments of the longest command name the line
    /// starts with, minus those already typed, up to the first optional
    /// one. `None` when the line names no known command.
    pub fn hint(&self, line: &str) -> Option<String> {
        let argv = split_args(line.as_bytes()).ok()?;
        if argv.is_empty() {
            return None;
        }
        let endspace = line
            .as_bytes()
            .last()
            .is_some_and(|&b| b" \t\n\r\x0b\x0c".contains(&b));
        let mut best: Option<&HelpEntry> = None;
        let mut matchlen = 0;
        for e in self.entries.iter().filter(|e| e.kind == EntryKind::Command) {
            if e.argv.len() <= argv.len()
                && e.argv.len() > matchlen
                && e.argv
                    .iter()
                    .zip(&argv)
                    .all(|(w, a)| a.eq_ignore_ascii_case(w.as_bytes()))
            {
                matchlen = e.argv.len();
                best = Some(e);
            }
        }
        let entry = best?;
        // Drop the arguments already typed, but never an optional one.
        let mut hint = entry.params.as_str();
        let mut toremove = argv.len() - matchlen;
        while toremove > 0 && !hint.is_empty() {
            if hint.starts_with('[') {
                break;
            }
            if hint.starts_with(' ') {
                toremove -= 1;
            }
            hint = &hint[1..];
        }
        Some(if endspace {
            hint.to_string()
        } else {
            format!(" {hint}")
        })
    }

    /// The completions of `line` (`completionCallback`): every command
    /// whose full name starts with the line (ignoring case), or after
    /// `help `, every command or group; each candidate is the whole new
    /// line.
    pub fn completions(&self, line: &str) -> Vec<String> {
        let bytes = line.as_bytes();
        let (startpos, groups_too) =
            if bytes.len() >= 5 && bytes[..5].eq_ignore_ascii_case(b"help ") {
                let mut p = 5;
                while p < bytes.len() && bytes[p].is_ascii_whitespace() {
                    p += 1;
                }
                (p, true)
            } else {
                (0, false)
            };
        let typed = &bytes[startpos..];
        self.entries
            .iter()
            .filter(|e| groups_too || e.kind == EntryKind::Command)
            .filter(|e| {
                e.full.len() >= typed.len()
                    && e.full.as_bytes()[..typed.len()].eq_ignore_ascii_case(typed)
            })
            .map(|e| format!("{}{}", &line[..startpos], e.full))
            .collect()
    }
}

fn add_docs_entry(
    entries: &mut Vec<HelpEntry>,
    groups: &mut BTreeSet<String>,
    name: &str,
    sub: Option<&str>,
    specs: &Value,
) {
    let mut e = command_entry(name, sub);
    let index = entries.len();
    let mut subcommands = Vec::new();
    for (k, v) in pairs(specs).unwrap_or_default() {
        match text(k).as_deref() {
            Some("summary") => e.summary = text(v).unwrap_or_default(),
            Some("since") => e.since = text(v),
            Some("group") => {
                e.group = text(v).unwrap_or_default();
                groups.insert(e.group.clone());
            }
            Some("arguments") => concat_arguments(&mut e.params, elements(v), " "),
            Some("subcommands") => subcommands.push(v),
            _ => {}
        }
    }
    entries.push(e);
    for subs in subcommands {
        for (subname, subspecs) in pairs(subs).unwrap_or_default() {
            if let Some(subname) = text(subname) {
                add_docs_entry(entries, groups, name, Some(&subname), subspecs);
            }
        }
    }
    debug_assert!(entries.len() > index);
}

/// `help` without arguments (`cliOutputGenericHelp`).
fn write_generic_help(banner: &str, out: &mut dyn Write) -> io::Result<()> {
    write!(
        out,
        "{banner}\n\
         To get help about Redis commands type:\n\
         \x20     \"help @<group>\" to get a list of commands in <group>\n\
         \x20     \"help <command>\" for help on <command>\n\
         \x20     \"help <tab>\" to get a list of possible help topics\n\
         \x20     \"quit\" to exit\n\
         \n\
         To set redis-cli preferences:\n\
         \x20     \":set hints\" enable online hints\n\
         \x20     \":set nohints\" disable online hints\n\
         Set your preferences in ~/.redisclirc\n"
    )
}

/// One command's help (`cliOutputCommandHelp`).
fn write_command_help(
    e: &HelpEntry,
    with_group: bool,
    color: bool,
    out: &mut dyn Write,
) -> io::Result<()> {
    let (bold, grey, yellow, reset) = if color {
        ("\x1b[1m", "\x1b[90m", "\x1b[33m", "\x1b[0m")
    } else {
        ("", "", "", "")
    };
    write!(
        out,
        "\r\n  {bold}{}{reset} {grey}{}{reset}\r\n",
        e.full, e.params
    )?;
    write!(out, "  {yellow}summary:{reset} {}\r\n", e.summary)?;
    if let Some(since) = &e.since {
        write!(out, "  {yellow}since:{reset} {since}\r\n")?;
    }
    if with_group {
        write!(out, "  {yellow}group:{reset} {}\r\n", e.group)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn help(table: &HelpTable, args: &[&str], color: bool) -> String {
        let args: Vec<Vec<u8>> = args.iter().map(|a| a.as_bytes().to_vec()).collect();
        let mut out = Vec::new();
        table
            .write_help(&args, "redis-cli 7.0.15", color, &mut out)
            .unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn help_for_a_command_is_byte_exact() {
        let t = HelpTable::builtin();
        assert_eq!(
            help(&t, &["get"], true),
            "\r\n  \x1b[1mGET\x1b[0m \x1b[90mkey\x1b[0m\r\n  \x1b[33msummary:\x1b[0m Get the value of a key\r\n  \x1b[33msince:\x1b[0m 1.0.0\r\n  \x1b[33mgroup:\x1b[0m string\r\n\r\n"
        );
        assert_eq!(
            help(&t, &["GET"], false),
            "\r\n  GET key\r\n  summary: Get the value of a key\r\n  since: 1.0.0\r\n  group: string\r\n\r\n"
        );
        assert_eq!(help(&t, &["nosuch"], false), "\r\n");
        // All subcommands follow the container, which comes first.
        let client = help(&t, &["client"], false);
        assert!(client.starts_with("\r\n  CLIENT \r\n  summary: A container"));
        assert_eq!(client.matches("summary:").count(), 17);
        assert_eq!(
            help(&t, &["client", "setname"], false)
                .matches("summary:")
                .count(),
            1
        );
    }

    #[test]
    fn help_for_a_group_omits_the_group_line() {
        let t = HelpTable::builtin();
        let h = help(&t, &["@HyperLogLog"], false);
        assert!(h.starts_with("\r\n  PFADD key [element [element ...]]\r\n  summary: "));
        assert_eq!(h.matches("summary:").count(), 5);
        assert!(!h.contains("group:"));
    }

    #[test]
    fn generic_help() {
        let h = help(&HelpTable::builtin(), &[], true);
        assert!(h.starts_with("redis-cli 7.0.15\nTo get help about Redis commands type:\n"));
        assert!(h.ends_with("\"quit\" to exit\n\nTo set redis-cli preferences:\n      \":set hints\" enable online hints\n      \":set nohints\" disable online hints\nSet your preferences in ~/.redisclirc\n"));
    }

    #[test]
    fn hints_advance_as_arguments_are_typed() {
        let t = HelpTable::builtin();
        let set = info::lookup(b"set").unwrap().syntax();
        assert_eq!(t.hint("set").unwrap(), format!(" {set}"));
        assert_eq!(t.hint("SET ").unwrap(), set);
        assert_eq!(t.hint("set k").unwrap(), format!(" {}", &set[4..]));
        assert_eq!(t.hint("set k ").unwrap(), &set[4..]);
        assert!(t.hint("set k v ").unwrap().starts_with("[NX|XX]"));
        assert!(t.hint("set k v EX 10 ").unwrap().starts_with("[NX|XX]"));
        assert_eq!(t.hint("client setname ").unwrap(), "connection-name");
        assert_eq!(t.hint("client set").unwrap(), " ");
        assert_eq!(t.hint("get a b c ").unwrap(), "");
        assert_eq!(t.hint("get foo").unwrap(), " ");
        assert!(t.hint("nosuch ").is_none());
        assert!(t.hint("3 ping").is_none());
        assert!(t.hint("   ").is_none());
        assert!(t.hint("get \"open").is_none());
    }

    #[test]
    fn completion_of_commands_and_help_topics() {
        let t = HelpTable::builtin();
        assert_eq!(t.completions("pin"), ["PING"]);
        assert_eq!(t.completions("client setn"), ["CLIENT SETNAME"]);
        assert_eq!(t.completions("help @str"), ["help @stream", "help @string"]);
        assert_eq!(t.completions("HELP   pfc"), ["HELP   PFCOUNT"]);
        assert!(t.completions("zzz").is_empty());
        assert!(t.completions("@str").is_empty());
        assert!(t.completions("get foo").is_empty());
        let all = t.completions("");
        assert!(all.len() > 200 && all.iter().all(|c| !c.starts_with('@')));
    }

    fn bulk(s: &str) -> Value {
        Value::Bulk(s.as_bytes().to_vec().into())
    }

    fn arg(fields: &[(&str, Value)]) -> Value {
        Value::Map(fields.iter().map(|(k, v)| (bulk(k), v.clone())).collect())
    }

    #[test]
    fn command_docs_are_rendered_like_redis_cli() {
        let flags = |f: &[&str]| {
            Value::Set(
                f.iter()
                    .map(|s| Value::Simple(s.as_bytes().to_vec().into()))
                    .collect(),
            )
        };
        let set_args = Value::Array(vec![
            arg(&[("name", bulk("key")), ("type", bulk("key"))]),
            arg(&[("name", bulk("value")), ("type", bulk("string"))]),
            arg(&[
                ("name", bulk("condition")),
                ("type", bulk("oneof")),
                ("flags", flags(&["optional"])),
                (
                    "arguments",
                    Value::Array(vec![
                        arg(&[
                            ("name", bulk("nx")),
                            ("type", bulk("pure-token")),
                            ("token", bulk("NX")),
                        ]),
                        arg(&[
                            ("name", bulk("xx")),
                            ("type", bulk("pure-token")),
                            ("token", bulk("XX")),
                        ]),
                    ]),
                ),
            ]),
            arg(&[
                ("name", bulk("field")),
                ("type", bulk("string")),
                ("token", bulk("FIELDS")),
                ("flags", flags(&["optional", "multiple", "multiple_token"])),
            ]),
        ]);
        let docs = Value::Map(vec![
            (
                bulk("myset"),
                arg(&[
                    ("summary", bulk("Sets")),
                    ("since", bulk("1.0.0")),
                    ("group", bulk("string")),
                    ("arguments", set_args),
                ]),
            ),
            (
                bulk("mycontainer"),
                arg(&[
                    ("summary", bulk("A container")),
                    ("group", bulk("module")),
                    (
                        "subcommands",
                        Value::Map(vec![(
                            bulk("mycontainer|sub"),
                            arg(&[("summary", bulk("Sub")), ("group", bulk("module"))]),
                        )]),
                    ),
                ]),
            ),
        ]);
        let t = HelpTable::from_command_docs(&docs).unwrap();
        let names: Vec<_> = t.entries().iter().map(|e| e.full.as_str()).collect();
        assert_eq!(
            names,
            [
                "@module",
                "@string",
                "MYCONTAINER",
                "MYCONTAINER SUB",
                "MYSET"
            ]
        );
        assert_eq!(
            t.entries()[4].params,
            "key value [NX|XX] [FIELDS field [FIELDS field ...]]"
        );
        assert_eq!(t.entries()[3].since, None);
        assert_eq!(t.entries()[3].argv, ["MYCONTAINER", "SUB"]);
        assert!(HelpTable::from_command_docs(&Value::Error(b"ERR".to_vec().into())).is_none());
    }

    #[test]
    fn builtin_matches_the_command_table() {
        let t = HelpTable::builtin();
        let commands = t
            .entries()
            .iter()
            .filter(|e| e.kind == EntryKind::Command)
            .count();
        assert_eq!(commands, info::all().len());
        assert!(t.entries().iter().any(|e| e.full == "@sorted-set"));
        assert!(t.entries().windows(2).all(|w| w[0].full < w[1].full));
    }
}
