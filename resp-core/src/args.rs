//! Splitting a typed or inline command line into arguments, by the rules
//! of Redis' `sdssplitargs`: what the server applies to inline requests and
//! `redis-cli` to the lines a user types.

/// Why a line could not be split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SplitError {
    /// A quote is never closed.
    Unterminated,
    /// A closing quote is followed by something other than a space.
    TrailingAfterQuote,
}

impl std::fmt::Display for SplitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            SplitError::Unterminated => "unbalanced quotes",
            SplitError::TrailingAfterQuote => "closing quote must be followed by a space",
        })
    }
}

impl std::error::Error for SplitError {}

/// Splits `line` into arguments.
///
/// Arguments are separated by spaces, tabs, CR, LF, vertical tabs and form
/// feeds. In double quotes, `\xHH` is a byte and `\n`, `\r`, `\t`, `\b`,
/// `\a` are the usual controls, any other escaped byte stands for itself;
/// in single quotes only `\'` is an escape. A closing quote must be followed
/// by a space or the end. As in C, the line ends at its first NUL byte.
///
/// # Errors
///
/// An unbalanced quote, or a closing quote followed by another byte.
///
/// # Example
///
/// ```
/// use resp_core::args::split_args;
///
/// let args = split_args(br#"set "a b\x41" 'it\'s'"#).unwrap();
/// assert_eq!(args, [&b"set"[..], b"a bA", b"it's"]);
/// assert!(split_args(b"get \"open").is_err());
/// ```
pub fn split_args(line: &[u8]) -> Result<Vec<Vec<u8>>, SplitError> {
    let line = match memchr::memchr(0, line) {
        Some(nul) => &line[..nul],
        None => line,
    };
    let at = |i: usize| line.get(i).copied().unwrap_or(0);
    let mut args = Vec::new();
    let mut i = 0;
    loop {
        while i < line.len() && is_space(line[i]) {
            i += 1;
        }
        if i >= line.len() {
            return Ok(args);
        }
        let mut current = Vec::new();
        let mut in_double = false;
        let mut in_single = false;
        loop {
            let c = at(i);
            if in_double {
                if let (b'\\', b'x', Some(hi), Some(lo)) =
                    (c, at(i + 1), hex(at(i + 2)), hex(at(i + 3)))
                {
                    current.push(hi * 16 + lo);
                    i += 3;
                } else if c == b'\\' && at(i + 1) != 0 {
                    i += 1;
                    current.push(match at(i) {
                        b'n' => b'\n',
                        b'r' => b'\r',
                        b't' => b'\t',
                        b'b' => 0x08,
                        b'a' => 0x07,
                        other => other,
                    });
                } else if c == b'"' {
                    if at(i + 1) != 0 && !is_space(at(i + 1)) {
                        return Err(SplitError::TrailingAfterQuote);
                    }
                    i += 1;
                    break;
                } else if c == 0 {
                    return Err(SplitError::Unterminated);
                } else {
                    current.push(c);
                }
            } else if in_single {
                if c == b'\\' && at(i + 1) == b'\'' {
                    i += 1;
                    current.push(b'\'');
                } else if c == b'\'' {
                    if at(i + 1) != 0 && !is_space(at(i + 1)) {
                        return Err(SplitError::TrailingAfterQuote);
                    }
                    i += 1;
                    break;
                } else if c == 0 {
                    return Err(SplitError::Unterminated);
                } else {
                    current.push(c);
                }
            } else {
                match c {
                    b' ' | b'\n' | b'\r' | b'\t' | 0 => break,
                    b'"' => in_double = true,
                    b'\'' => in_single = true,
                    other => current.push(other),
                }
            }
            i += 1;
        }
        args.push(current);
    }
}

/// C's `isspace`.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c)
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).map(|d| d as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(s: &[u8]) -> Result<Vec<Vec<u8>>, SplitError> {
        split_args(s)
    }

    #[test]
    fn rules() {
        assert_eq!(split(b"  a  b\tc ").unwrap(), [&b"a"[..], b"b", b"c"]);
        assert_eq!(split(b"\"\\x4g\"").unwrap(), [&b"x4g"[..]]);
        assert_eq!(split(b"\"\\n\\q\"").unwrap(), [&b"\nq"[..]]);
        assert_eq!(split(b"a\"b c\"").unwrap(), [&b"ab c"[..]]);
        assert_eq!(split(b"''").unwrap(), [&b""[..]]);
        assert_eq!(split(b"'a\\'b'").unwrap(), [&b"a'b"[..]]);
        assert_eq!(split(b"'a\\nb'").unwrap(), [&b"a\\nb"[..]]);
        assert_eq!(split(b"a\x0bb").unwrap(), [&b"a\x0bb"[..]]);
        assert_eq!(split(b"a\0b c").unwrap(), [&b"a"[..]]);
        assert_eq!(split(b"\"a\"b"), Err(SplitError::TrailingAfterQuote));
        assert_eq!(split(b"'a"), Err(SplitError::Unterminated));
        assert_eq!(split(b"\"a\\"), Err(SplitError::Unterminated));
        assert!(split(b"").unwrap().is_empty());
    }
}
