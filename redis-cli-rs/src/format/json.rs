//! JSON output: `cliFormatReplyJson`, for `--json` (strings as JSON
//! strings, bytes above 0x7f as they are) and `--quoted-json` (strings
//! as `sdscatrepr` quotes them, with every backslash doubled).

use resp_core::Frame;

use super::repr::repr;
use super::{plain, until_nul};

pub(super) fn format(out: &mut Vec<u8>, frame: &Frame<'_>, quoted: bool) {
    match plain(frame) {
        Frame::Error(e) | Frame::BulkError(e) => {
            out.extend_from_slice(b"error:");
            repr(out, until_nul(e));
        }
        Frame::Simple(s) | Frame::Bulk(s) => string(out, s, quoted),
        Frame::Verbatim { text, .. } => string(out, text, quoted),
        Frame::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Frame::Double(d) => out.extend_from_slice(d.as_bytes()),
        Frame::BigNumber(n) => out.extend_from_slice(n.as_bytes()),
        Frame::NullBulk | Frame::NullArray | Frame::Null => out.extend_from_slice(b"null"),
        Frame::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Frame::Array(items) | Frame::Set(items) | Frame::Push(items) => {
            out.push(b'[');
            for (i, item) in items.iter().enumerate() {
                format(out, item, quoted);
                if i + 1 != items.len() {
                    out.push(b',');
                }
            }
            out.push(b']');
        }
        Frame::Map(pairs) => {
            out.push(b'{');
            for (i, (key, value)) in pairs.iter().enumerate() {
                match plain(key) {
                    Frame::Error(_)
                    | Frame::BulkError(_)
                    | Frame::Simple(_)
                    | Frame::Bulk(_)
                    | Frame::Verbatim { .. } => format(out, key, quoted),
                    // JSON keys are strings: other types are quoted.
                    _ => {
                        let mut text = Vec::new();
                        format(&mut text, key, quoted);
                        if text.first() == Some(&b'"') {
                            out.extend_from_slice(&text);
                        } else {
                            out.push(b'"');
                            out.extend_from_slice(&text);
                            out.push(b'"');
                        }
                    }
                }
                out.push(b':');
                format(out, value, quoted);
                if i + 1 != pairs.len() {
                    out.push(b',');
                }
            }
            out.push(b'}');
        }
        Frame::Attributed(_) => unreachable!("plain() strips attributes"),
    }
}

fn string(out: &mut Vec<u8>, bytes: &[u8], quoted: bool) {
    if quoted {
        let mut tmp = Vec::with_capacity(bytes.len() + 2);
        repr(&mut tmp, bytes);
        for b in tmp {
            if b == b'\\' {
                out.extend_from_slice(b"\\\\");
            } else {
                out.push(b);
            }
        }
        return;
    }
    out.push(b'"');
    for &b in bytes {
        match b {
            b'\\' | b'"' => out.extend_from_slice(&[b'\\', b]),
            b'\n' => out.extend_from_slice(b"\\n"),
            0x0c => out.extend_from_slice(b"\\f"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x08 => out.extend_from_slice(b"\\b"),
            0..=0x1f => out.extend_from_slice(format!("\\u{b:04x}").as_bytes()),
            _ => out.push(b),
        }
    }
    out.push(b'"');
}
