//! Printing replies the way `redis-cli` prints them, in each output mode.
//!
//! Every function here returns bytes; nothing is written. The reply types
//! map to hiredis' as `redis-cli` sees them: `+` is a status, `-` and `!`
//! are errors, `$` a string, `=` a verbatim string (its text only), the
//! three nulls are nil, `>` a push; attributes are skipped and the value
//! they describe is printed.

mod csv;
mod json;
mod raw;
pub mod repr;
mod tty;

use resp_core::Frame;

/// How replies are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputMode {
    /// The human form (`(integer) 1`, `1) "a"`): the default when stdout
    /// is a terminal, or `--no-raw`.
    Standard,
    /// Values as they are: the default when stdout is not a terminal, or
    /// `--raw`.
    Raw,
    /// `--csv`.
    Csv,
    /// `--json`.
    Json,
    /// `--quoted-json`.
    QuotedJson,
}

/// The delimiters of raw mode (`-d` between the items of an aggregate,
/// `-D` after each reply).
#[derive(Debug, Clone, Copy)]
pub struct Delimiters<'a> {
    /// Between the items of an aggregate (`-d`, default `\n`).
    pub items: &'a [u8],
    /// After each reply (`-D`, default `\n`).
    pub reply: &'a [u8],
}

impl Default for Delimiters<'_> {
    fn default() -> Self {
        Delimiters {
            items: b"\n",
            reply: b"\n",
        }
    }
}

/// A reply as `redis-cli` prints it in `mode`, with what follows it (the
/// newline, or `-D`'s delimiter in raw mode).
///
/// `raw_strings` is for the commands whose replies `redis-cli` always
/// prints raw and with nothing after them (`INFO`, `CLIENT LIST`, ...;
/// see [`prints_raw`]).
///
/// # Example
///
/// ```
/// use redis_cli_rs::format::{format_reply, Delimiters, OutputMode};
/// use resp_core::Frame;
///
/// let reply = Frame::Array(vec![Frame::bulk(b"a"), Frame::Integer(2)]);
/// let d = Delimiters::default();
/// assert_eq!(format_reply(&reply, OutputMode::Standard, false, d), b"1) \"a\"\n2) (integer) 2\n");
/// assert_eq!(format_reply(&reply, OutputMode::Raw, false, d), b"a\n2\n");
/// assert_eq!(format_reply(&reply, OutputMode::Csv, false, d), b"\"a\",2\n");
/// assert_eq!(format_reply(&reply, OutputMode::Json, false, d), b"[\"a\",2]\n");
/// ```
pub fn format_reply(
    reply: &Frame<'_>,
    mode: OutputMode,
    raw_strings: bool,
    delims: Delimiters<'_>,
) -> Vec<u8> {
    let mut out = Vec::new();
    if raw_strings {
        raw::format(&mut out, reply, delims.items);
        return out;
    }
    match mode {
        OutputMode::Standard => tty::format(&mut out, reply, b""),
        OutputMode::Raw => {
            raw::format(&mut out, reply, delims.items);
            out.extend_from_slice(delims.reply);
        }
        OutputMode::Csv => {
            csv::format(&mut out, reply);
            out.push(b'\n');
        }
        OutputMode::Json | OutputMode::QuotedJson => {
            json::format(&mut out, reply, mode == OutputMode::QuotedJson);
            out.push(b'\n');
        }
    }
    out
}

/// A push message as `redis-cli` prints it when pushes are shown: in
/// standard mode, client-side caching invalidations print as
/// `-> invalidate: 'k1', 'k2'`; everything else as a reply.
pub fn format_push(reply: &Frame<'_>, mode: OutputMode, delims: Delimiters<'_>) -> Vec<u8> {
    if mode == OutputMode::Standard {
        if let Frame::Push(items) = plain(reply) {
            if let [Frame::Bulk(kind), Frame::Array(keys)] = items.as_slice() {
                if kind.starts_with(b"invalidate")
                    && keys.iter().all(|k| matches!(k, Frame::Bulk(_)))
                {
                    let mut out = b"-> invalidate: ".to_vec();
                    for (i, key) in keys.iter().enumerate() {
                        if let Frame::Bulk(k) = key {
                            out.push(b'\'');
                            out.extend_from_slice(until_nul(k));
                            out.push(b'\'');
                        }
                        if i + 1 < keys.len() {
                            out.extend_from_slice(b", ");
                        }
                    }
                    out.push(b'\n');
                    return out;
                }
            }
        }
    }
    format_reply(reply, mode, false, delims)
}

/// True for the commands whose replies `redis-cli` 7.0 prints raw
/// whatever the output mode (and without `-D`'s delimiter): `INFO`,
/// `LOLWUT`, `DEBUG HTSTATS`, `DEBUG HTSTATS-KEY`, `DEBUG
/// CLIENT-EVICTION`, `MEMORY MALLOC-STATS`, `MEMORY DOCTOR`, `CLUSTER
/// NODES`, `CLUSTER INFO`, `CLIENT LIST`, `CLIENT INFO`, `LATENCY GRAPH`,
/// `LATENCY DOCTOR`, `PROXY INFO`.
pub fn prints_raw(argv: &[Vec<u8>]) -> bool {
    let is = |i: usize, name: &str| {
        argv.get(i)
            .is_some_and(|a| a.eq_ignore_ascii_case(name.as_bytes()))
    };
    let argc = argv.len();
    is(0, "info")
        || is(0, "lolwut")
        || (argc >= 2
            && is(0, "debug")
            && (is(1, "htstats") || is(1, "htstats-key") || is(1, "client-eviction")))
        || (argc >= 2 && is(0, "memory") && (is(1, "malloc-stats") || is(1, "doctor")))
        || (argc == 2 && is(0, "cluster") && (is(1, "nodes") || is(1, "info")))
        || (argc >= 2 && is(0, "client") && (is(1, "list") || is(1, "info")))
        || (argc == 3 && is(0, "latency") && is(1, "graph"))
        || (argc == 2 && is(0, "latency") && is(1, "doctor"))
        || (argc >= 2 && is(0, "proxy") && is(1, "info"))
}

/// The frame without attributes.
pub(crate) fn plain<'f, 'a>(frame: &'f Frame<'a>) -> &'f Frame<'a> {
    let mut frame = frame;
    while let Frame::Attributed(inner) = frame {
        frame = &inner.frame;
    }
    frame
}

/// C strings end at the first NUL: `printf("%s")` and `strlen` stop there.
pub(crate) fn until_nul(bytes: &[u8]) -> &[u8] {
    match bytes.iter().position(|&b| b == 0) {
        Some(n) => &bytes[..n],
        None => bytes,
    }
}
