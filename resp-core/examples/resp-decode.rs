//! Reads raw RESP bytes on stdin and prints one line per frame.
//!
//! ```text
//! cargo run -p resp-core --example resp-decode < capture.bin
//! ```
//!
//! On a protocol error it prints `error: <what> at byte <N>` on stderr and
//! exits with status 1; a stream that ends inside a frame is reported the
//! same way, at the offset where that frame began.

use std::io::{self, Read, Write};
use std::process::ExitCode;

use resp_core::{Decoder, Frame, Status};

fn main() -> ExitCode {
    let mut decoder = Decoder::new();
    let mut buf = Vec::new();
    let mut stdin = io::stdin().lock();
    let mut stdout = io::BufWriter::new(io::stdout().lock());
    let mut chunk = vec![0u8; 64 * 1024];
    let mut eof = false;
    loop {
        match decoder.decode(&buf) {
            Ok(Status::Complete((frame, used))) => {
                let mut line = String::new();
                render(&frame, &mut line);
                if writeln!(stdout, "{line}").is_err() {
                    return ExitCode::FAILURE;
                }
                buf.drain(..used);
                continue;
            }
            Ok(Status::Partial) if eof => {
                let _ = stdout.flush();
                if buf.is_empty() {
                    return ExitCode::SUCCESS;
                }
                eprintln!(
                    "error: stream ends inside a frame at byte {}",
                    decoder.consumed()
                );
                return ExitCode::FAILURE;
            }
            Ok(Status::Partial) => {}
            Err(err) => {
                let _ = stdout.flush();
                eprintln!("error: {err}");
                return ExitCode::FAILURE;
            }
        }
        match stdin.read(&mut chunk) {
            Ok(0) => eof = true,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => {
                eprintln!("error: reading stdin: {e}");
                return ExitCode::FAILURE;
            }
        }
    }
}

/// A one-line rendering: strings quoted with escapes, aggregates in
/// brackets tagged by type.
fn render(frame: &Frame<'_>, out: &mut String) {
    let list = |tag: &str, items: &[Frame<'_>], out: &mut String| {
        out.push_str(tag);
        out.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            render(item, out);
        }
        out.push(']');
    };
    let pairs = |tag: &str, items: &[(Frame<'_>, Frame<'_>)], out: &mut String| {
        out.push_str(tag);
        out.push('{');
        for (i, (k, v)) in items.iter().enumerate() {
            if i > 0 {
                out.push_str(", ");
            }
            render(k, out);
            out.push_str(": ");
            render(v, out);
        }
        out.push('}');
    };
    match frame {
        Frame::Simple(s) => {
            out.push_str("simple ");
            quote(s, out)
        }
        Frame::Error(s) => {
            out.push_str("error ");
            quote(s, out)
        }
        Frame::Integer(i) => out.push_str(&format!("integer {i}")),
        Frame::Bulk(b) => quote(b, out),
        Frame::NullBulk => out.push_str("null (bulk)"),
        Frame::NullArray => out.push_str("null (array)"),
        Frame::Null => out.push_str("null"),
        Frame::Boolean(b) => out.push_str(if *b { "true" } else { "false" }),
        Frame::Double(d) => out.push_str(&format!("double {d}")),
        Frame::BigNumber(n) => out.push_str(&format!("big number {n}")),
        Frame::BulkError(b) => {
            out.push_str("bulk error ");
            quote(b, out)
        }
        Frame::Verbatim { format, text } => {
            out.push_str("verbatim ");
            out.push_str(&String::from_utf8_lossy(format));
            out.push(' ');
            quote(text, out)
        }
        Frame::Array(items) => list("array", items, out),
        Frame::Set(items) => list("set", items, out),
        Frame::Push(items) => list("push", items, out),
        Frame::Map(items) => pairs("map", items, out),
        Frame::Attributed(inner) => {
            pairs("attributes", &inner.attributes, out);
            out.push(' ');
            render(&inner.frame, out)
        }
    }
}

fn quote(bytes: &[u8], out: &mut String) {
    out.push('"');
    for &b in bytes {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\r' => out.push_str("\\r"),
            b'\t' => out.push_str("\\t"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
}
