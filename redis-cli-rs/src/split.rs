//! How a typed or piped line becomes a command, by `redis-cli`'s rules.
//!
//! The line is split with `sdssplitargs` ([`resp_core::args::split_args`]):
//! spaces separate arguments, `"..."` understands `\n`, `\r`, `\t`, `\b`,
//! `\a` and `\xHH`, `'...'` only `\'`. A line that does not split (an
//! unbalanced quote, a closing quote followed by a letter) is
//! [`SplitError::InvalidArguments`], which `redis-cli` reports as
//! `Invalid argument(s)`.
//!
//! When the line has more than one word and the first one is a whole
//! number (as C's `strtol` reads it: an optional sign, then digits, and
//! nothing else), it is a repeat count: `3 INCR k` runs `INCR k` three
//! times. A count of zero or less, or one that overflows, is
//! [`SplitError::InvalidRepeat`].

use resp_core::args::split_args;

/// A command from one line: how many times to run it, and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitLine {
    /// How many times to run it (1 unless the line started with a count).
    pub repeat: u64,
    /// The command name and its arguments; never empty.
    pub argv: Vec<Vec<u8>>,
}

/// Why a line is not a command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SplitError {
    /// Unbalanced quotes, or a closing quote followed by a non-space.
    InvalidArguments,
    /// A repeat count that is zero, negative or too large.
    InvalidRepeat,
}

impl SplitError {
    /// What `redis-cli` prints (on stdout), newline included.
    pub fn message(self) -> &'static str {
        match self {
            SplitError::InvalidArguments => "Invalid argument(s)\n",
            SplitError::InvalidRepeat => "Invalid redis-cli repeat command option value.\n",
        }
    }
}

impl std::fmt::Display for SplitError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.message().trim_end())
    }
}

impl std::error::Error for SplitError {}

/// Splits a typed line. `Ok(None)` for a line with no words (the shell
/// does nothing for it).
///
/// # Errors
///
/// See [`SplitError`].
///
/// # Example
///
/// ```
/// use redis_cli_rs::split::{split_line, SplitError};
///
/// let line = split_line(r#"3 set k "a b\x41""#).unwrap().unwrap();
/// assert_eq!(line.repeat, 3);
/// assert_eq!(line.argv, [b"set".to_vec(), b"k".to_vec(), b"a bA".to_vec()]);
/// assert_eq!(split_line("get \"k").unwrap_err(), SplitError::InvalidArguments);
/// assert_eq!(split_line("0 ping").unwrap_err(), SplitError::InvalidRepeat);
/// assert_eq!(split_line("42").unwrap().unwrap().argv, [b"42".to_vec()]);
/// assert_eq!(split_line("   ").unwrap(), None);
/// ```
pub fn split_line(line: &str) -> Result<Option<SplitLine>, SplitError> {
    split_line_bytes(line.as_bytes())
}

/// [`split_line`] for a line that may not be UTF-8.
///
/// # Errors
///
/// See [`SplitError`].
pub fn split_line_bytes(line: &[u8]) -> Result<Option<SplitLine>, SplitError> {
    let mut argv = split_args(line).map_err(|_| SplitError::InvalidArguments)?;
    if argv.is_empty() {
        return Ok(None);
    }
    let mut repeat = 1;
    if argv.len() > 1 {
        if let Some(count) = strtol_whole(&argv[0]) {
            match count {
                Some(n) if n > 0 => repeat = n as u64,
                _ => return Err(SplitError::InvalidRepeat),
            }
            argv.remove(0);
        }
    }
    Ok(Some(SplitLine { repeat, argv }))
}

/// `strtol(word, &end, 10)` when it reads the whole word: `None` when it
/// stops early, `Some(None)` on overflow, `Some(Some(n))` otherwise. An
/// empty word reads whole, as 0.
fn strtol_whole(word: &[u8]) -> Option<Option<i64>> {
    let start = word
        .iter()
        .position(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c))
        .unwrap_or(word.len());
    let rest = &word[start..];
    let (negative, digits) = match rest.first() {
        Some(b'-') => (true, &rest[1..]),
        Some(b'+') => (false, &rest[1..]),
        _ => (false, rest),
    };
    if digits.is_empty() {
        // No conversion: strtol leaves `end` at the start of the word.
        return word.is_empty().then_some(Some(0));
    }
    if !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let mut n: i64 = 0;
    for &d in digits {
        let Some(next) = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(i64::from(d - b'0')))
        else {
            return Some(None);
        };
        n = next;
    }
    Some(Some(if negative { -n } else { n }))
}

/// `redis-cli`'s `unquoteCString`: `arg` split by `sdssplitargs` must give
/// exactly one argument, which is returned. Used by `--quoted-input` and
/// `--quoted-pattern`.
pub fn unquote(arg: &[u8]) -> Option<Vec<u8>> {
    let mut parts = split_args(arg).ok()?;
    (parts.len() == 1).then(|| parts.remove(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeat_counts() {
        let r = |s: &str| split_line(s).map(|l| l.map(|l| (l.repeat, l.argv.len())));
        assert_eq!(r("+2 ping"), Ok(Some((2, 1))));
        assert_eq!(r("-1 ping"), Err(SplitError::InvalidRepeat));
        assert_eq!(r("'' ping"), Err(SplitError::InvalidRepeat));
        assert_eq!(
            r("99999999999999999999 ping"),
            Err(SplitError::InvalidRepeat)
        );
        assert_eq!(r("2x ping"), Ok(Some((1, 2))));
        assert_eq!(r("'a'b"), Err(SplitError::InvalidArguments));
        assert_eq!(unquote(b"\"a\\x00b\""), Some(b"a\0b".to_vec()));
        assert_eq!(unquote(b"a b"), None);
    }
}
