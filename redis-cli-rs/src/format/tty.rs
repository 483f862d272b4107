//! Standard (human) output: `cliFormatReplyTTY`.

use resp_core::Frame;

use super::repr::repr;
use super::{plain, until_nul};

/// Appends `frame` as `redis-cli` shows it on a terminal; `prefix` goes
/// before every line but the first (the caller has written that line's
/// start).
pub(super) fn format(out: &mut Vec<u8>, frame: &Frame<'_>, prefix: &[u8]) {
    match plain(frame) {
        Frame::Error(e) | Frame::BulkError(e) => {
            out.extend_from_slice(b"(error) ");
            out.extend_from_slice(until_nul(e));
            out.push(b'\n');
        }
        Frame::Simple(s) => {
            out.extend_from_slice(s);
            out.push(b'\n');
        }
        Frame::Integer(i) => {
            out.extend_from_slice(format!("(integer) {i}\n").as_bytes());
        }
        Frame::Double(d) => {
            out.extend_from_slice(format!("(double) {d}\n").as_bytes());
        }
        Frame::BigNumber(n) => {
            out.extend_from_slice(format!("(big number) {n}\n").as_bytes());
        }
        Frame::Bulk(b) => {
            repr(out, b);
            out.push(b'\n');
        }
        Frame::Verbatim { text, .. } => {
            out.extend_from_slice(text);
            out.push(b'\n');
        }
        Frame::NullBulk | Frame::NullArray | Frame::Null => out.extend_from_slice(b"(nil)\n"),
        Frame::Boolean(b) => out.extend_from_slice(if *b { b"(true)\n" } else { b"(false)\n" }),
        Frame::Array(items) => aggregate(out, items, b')', b"(empty array)\n", prefix),
        Frame::Set(items) => aggregate(out, items, b'~', b"(empty set)\n", prefix),
        Frame::Push(items) => aggregate(out, items, b')', b"(empty push)\n", prefix),
        Frame::Map(pairs) => {
            if pairs.is_empty() {
                out.extend_from_slice(b"(empty hash)\n");
                return;
            }
            let width = digits(pairs.len());
            let inner = indent(prefix, width);
            let mut value_text = Vec::new();
            for (i, (key, value)) in pairs.iter().enumerate() {
                index(out, if i == 0 { b"" } else { prefix }, i + 1, width, b'#');
                format(out, key, &inner);
                // The key's newline goes: the value follows on its line.
                out.pop();
                out.extend_from_slice(b" => ");
                // A value of one line stays there (`1# "a" => 1) "x"`,
                // also a one-entry map or set); one of several lines
                // starts on the next line, after the prefix.
                value_text.clear();
                format(&mut value_text, value, &inner);
                if value_text[..value_text.len() - 1].contains(&b'\n') {
                    out.push(b'\n');
                    out.extend_from_slice(&inner);
                }
                out.extend_from_slice(&value_text);
            }
        }
        Frame::Attributed(_) => unreachable!("plain() strips attributes"),
    }
}

fn aggregate(out: &mut Vec<u8>, items: &[Frame<'_>], sep: u8, empty: &[u8], prefix: &[u8]) {
    if items.is_empty() {
        out.extend_from_slice(empty);
        return;
    }
    let width = digits(items.len());
    let inner = indent(prefix, width);
    for (i, item) in items.iter().enumerate() {
        index(out, if i == 0 { b"" } else { prefix }, i + 1, width, sep);
        format(out, item, &inner);
    }
}

/// `%s%{width}d%c `: the prefix, the right-aligned 1-based index, its
/// separator and a space.
fn index(out: &mut Vec<u8>, prefix: &[u8], n: usize, width: usize, sep: u8) {
    out.extend_from_slice(prefix);
    out.extend_from_slice(format!("{n:>width$}").as_bytes());
    out.push(sep);
    out.push(b' ');
}

/// The prefix of nested items: the parent's plus the index width and 2.
fn indent(prefix: &[u8], width: usize) -> Vec<u8> {
    let mut inner = prefix.to_vec();
    inner.resize(prefix.len() + width + 2, b' ');
    inner
}

fn digits(mut n: usize) -> usize {
    let mut d = 0;
    loop {
        d += 1;
        n /= 10;
        if n == 0 {
            return d;
        }
    }
}
