//! Raw output: `cliFormatReplyRaw`.

use resp_core::Frame;

use super::{plain, until_nul};

pub(super) fn format(out: &mut Vec<u8>, frame: &Frame<'_>, delim: &[u8]) {
    match plain(frame) {
        Frame::NullBulk | Frame::NullArray | Frame::Null => {}
        Frame::Error(e) | Frame::BulkError(e) => {
            out.extend_from_slice(e);
            out.push(b'\n');
        }
        Frame::Simple(s) | Frame::Bulk(s) => out.extend_from_slice(s),
        Frame::Verbatim { text, .. } => out.extend_from_slice(text),
        Frame::Boolean(b) => out.extend_from_slice(if *b { b"(true)" } else { b"(false)" }),
        Frame::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Frame::Double(d) => out.extend_from_slice(until_nul(d.as_bytes())),
        Frame::BigNumber(n) => out.extend_from_slice(n.as_bytes()),
        Frame::Array(items) | Frame::Set(items) | Frame::Push(items) => {
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(delim);
                }
                format(out, item, delim);
            }
        }
        Frame::Map(pairs) => {
            for (i, (key, value)) in pairs.iter().enumerate() {
                if i > 0 {
                    out.extend_from_slice(delim);
                }
                format(out, key, delim);
                out.push(b' ');
                format(out, value, delim);
            }
        }
        Frame::Attributed(_) => unreachable!("plain() strips attributes"),
    }
}
