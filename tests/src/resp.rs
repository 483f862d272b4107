//! A tiny, self-contained RESP reader/writer used by the harness to talk to
//! the servers it starts (independent of the crates under test).

use std::fmt;
use std::io::{self, BufRead};

/// A reply read from a Redis server.
///
/// RESP3 types are folded into the RESP2 shapes: maps, sets and pushes become
/// arrays, booleans integers, doubles and big numbers status strings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reply {
    /// `+OK`-style simple string.
    Status(String),
    /// `-ERR ...` error reply (without the leading dash).
    Error(String),
    /// `:42` integer.
    Integer(i64),
    /// Bulk string.
    Bulk(Vec<u8>),
    /// Null bulk string or null array.
    Nil,
    /// Array of replies.
    Array(Vec<Reply>),
}

impl Reply {
    /// The text of a status or (UTF-8) bulk reply.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Reply::Status(s) => Some(s),
            Reply::Bulk(b) => std::str::from_utf8(b).ok(),
            _ => None,
        }
    }

    /// The value of an integer reply.
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Reply::Integer(i) => Some(*i),
            _ => None,
        }
    }

    /// The elements of an array reply.
    pub fn as_array(&self) -> Option<&[Reply]> {
        match self {
            Reply::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The message of an error reply.
    pub fn as_error(&self) -> Option<&str> {
        match self {
            Reply::Error(e) => Some(e),
            _ => None,
        }
    }

    /// Whether this is an error reply.
    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }
}

impl fmt::Display for Reply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Reply::Status(s) => write!(f, "{s}"),
            Reply::Error(e) => write!(f, "(error) {e}"),
            Reply::Integer(i) => write!(f, "(integer) {i}"),
            Reply::Bulk(b) => write!(f, "{:?}", String::from_utf8_lossy(b)),
            Reply::Nil => write!(f, "(nil)"),
            Reply::Array(items) => {
                write!(f, "[")?;
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{item}")?;
                }
                write!(f, "]")
            }
        }
    }
}

/// Encodes a command as a RESP array of bulk strings.
pub fn encode_command<A: AsRef<[u8]>>(args: &[A]) -> Vec<u8> {
    let mut out = format!("*{}\r\n", args.len()).into_bytes();
    for arg in args {
        let arg = arg.as_ref();
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
    out
}

/// Reads one complete reply, appending its exact bytes to `raw`.
pub fn read_reply(reader: &mut impl BufRead, raw: &mut Vec<u8>) -> io::Result<Reply> {
    let line = read_line(reader, raw)?;
    let (kind, rest) = line.split_at(1);
    let rest = rest.to_string();
    match kind {
        "+" | "," | "(" => Ok(Reply::Status(rest)),
        "-" => Ok(Reply::Error(rest)),
        ":" => parse_int(&rest).map(Reply::Integer),
        "#" => Ok(Reply::Integer(i64::from(rest == "t"))),
        "_" => Ok(Reply::Nil),
        "$" | "=" | "!" => {
            let len = parse_int(&rest)?;
            if len < 0 {
                return Ok(Reply::Nil);
            }
            let mut data = vec![0; len as usize + 2];
            reader.read_exact(&mut data)?;
            raw.extend_from_slice(&data);
            data.truncate(len as usize);
            match kind {
                "!" => Ok(Reply::Error(String::from_utf8_lossy(&data).into_owned())),
                // Verbatim strings start with a 3-letter format and a colon.
                "=" if data.len() >= 4 => Ok(Reply::Bulk(data.split_off(4))),
                _ => Ok(Reply::Bulk(data)),
            }
        }
        "*" | "~" | ">" | "%" | "|" => {
            let count = parse_int(&rest)?;
            if count < 0 {
                return Ok(Reply::Nil);
            }
            let count = if matches!(kind, "%" | "|") {
                count * 2
            } else {
                count
            };
            let items = (0..count)
                .map(|_| read_reply(reader, raw))
                .collect::<io::Result<Vec<_>>>()?;
            if kind == "|" {
                // Attributes precede the actual reply.
                return read_reply(reader, raw);
            }
            Ok(Reply::Array(items))
        }
        _ => Err(invalid(format!("unexpected RESP line {line:?}"))),
    }
}

fn read_line(reader: &mut impl BufRead, raw: &mut Vec<u8>) -> io::Result<String> {
    let mut line = Vec::new();
    reader.read_until(b'\n', &mut line)?;
    if line.is_empty() {
        return Err(io::Error::new(
            io::ErrorKind::UnexpectedEof,
            "connection closed by server",
        ));
    }
    raw.extend_from_slice(&line);
    if !line.ends_with(b"\r\n") || line.len() < 3 {
        return Err(invalid(format!(
            "malformed RESP line {:?}",
            String::from_utf8_lossy(&line)
        )));
    }
    line.truncate(line.len() - 2);
    String::from_utf8(line).map_err(|e| invalid(e.to_string()))
}

fn parse_int(text: &str) -> io::Result<i64> {
    text.parse()
        .map_err(|_| invalid(format!("bad RESP integer {text:?}")))
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(bytes: &[u8]) -> (Reply, Vec<u8>) {
        let mut raw = Vec::new();
        let reply = read_reply(&mut &bytes[..], &mut raw).unwrap();
        (reply, raw)
    }

    #[test]
    fn encodes_commands() {
        assert_eq!(
            encode_command(&["SET", "k", ""]),
            b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$0\r\n\r\n"
        );
    }

    #[test]
    fn parses_nested_replies_and_keeps_raw_bytes() {
        let input = b"*3\r\n+OK\r\n$-1\r\n*2\r\n:5\r\n$3\r\nabc\r\ntrailing";
        let (reply, raw) = parse(input);
        assert_eq!(
            reply,
            Reply::Array(vec![
                Reply::Status("OK".into()),
                Reply::Nil,
                Reply::Array(vec![Reply::Integer(5), Reply::Bulk(b"abc".to_vec())]),
            ])
        );
        assert_eq!(raw, &input[..input.len() - b"trailing".len()]);
    }

    #[test]
    fn parses_errors_and_resp3() {
        assert_eq!(parse(b"-ERR x\r\n").0, Reply::Error("ERR x".into()));
        assert_eq!(parse(b"!3\r\nbad\r\n").0, Reply::Error("bad".into()));
        assert_eq!(parse(b"_\r\n").0, Reply::Nil);
        assert_eq!(parse(b"#t\r\n").0, Reply::Integer(1));
        assert_eq!(
            parse(b"=8\r\ntxt:some\r\n").0,
            Reply::Bulk(b"some".to_vec())
        );
        assert_eq!(
            parse(b"%1\r\n+a\r\n:1\r\n").0,
            Reply::Array(vec![Reply::Status("a".into()), Reply::Integer(1)])
        );
    }

    #[test]
    fn rejects_truncated_input() {
        let mut raw = Vec::new();
        assert!(read_reply(&mut &b"$5\r\nab"[..], &mut raw).is_err());
        assert!(read_reply(&mut &b""[..], &mut raw).is_err());
    }
}
