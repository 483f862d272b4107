//! CSV output: `cliFormatReplyCSV`.

use resp_core::Frame;

use super::repr::repr;
use super::{plain, until_nul};

pub(super) fn format(out: &mut Vec<u8>, frame: &Frame<'_>) {
    match plain(frame) {
        Frame::Error(e) | Frame::BulkError(e) => {
            out.extend_from_slice(b"ERROR,");
            repr(out, until_nul(e));
        }
        Frame::Simple(s) | Frame::Bulk(s) => repr(out, s),
        Frame::Verbatim { text, .. } => repr(out, text),
        Frame::Integer(i) => out.extend_from_slice(i.to_string().as_bytes()),
        Frame::Double(d) => out.extend_from_slice(d.as_bytes()),
        Frame::BigNumber(n) => out.extend_from_slice(n.as_bytes()),
        Frame::NullBulk | Frame::NullArray | Frame::Null => out.extend_from_slice(b"NULL"),
        Frame::Boolean(b) => out.extend_from_slice(if *b { b"true" } else { b"false" }),
        Frame::Array(items) | Frame::Set(items) | Frame::Push(items) => {
            for (i, item) in items.iter().enumerate() {
                format(out, item);
                if i + 1 != items.len() {
                    out.push(b',');
                }
            }
        }
        // CSV has no maps: a flat list of keys and values.
        Frame::Map(pairs) => {
            for (i, (key, value)) in pairs.iter().enumerate() {
                format(out, key);
                out.push(b',');
                format(out, value);
                if i + 1 != pairs.len() {
                    out.push(b',');
                }
            }
        }
        Frame::Attributed(_) => unreachable!("plain() strips attributes"),
    }
}
