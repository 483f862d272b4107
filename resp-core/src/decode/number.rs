//! Digit-level parsing shared by the reply and request decoders.

use crate::ErrorKind;

/// A parse failure: what, and the buffer index of the offending byte.
pub(crate) type Fail = (ErrorKind, usize);

/// A number line read up to and including its CRLF.
pub(crate) struct Number {
    /// A leading `-` was present.
    pub negative: bool,
    /// A leading `+` was present.
    pub plus: bool,
    /// The absolute value.
    pub magnitude: u64,
    /// The index just past the LF.
    pub next: usize,
}

/// Reads `[+-]?digits\r\n` starting at `at`.
///
/// Answers `Ok(None)` when the buffer ends before the CRLF; fails at the
/// first byte that cannot belong to such a line, even on partial input, so
/// garbage is reported as soon as it is seen. `invalid` names the error for
/// a non-digit; `line_start` and `max_line` bound the line's length.
pub(crate) fn parse_number(
    buf: &[u8],
    at: usize,
    invalid: ErrorKind,
    line_start: usize,
    max_line: usize,
) -> Result<Option<Number>, Fail> {
    let mut i = at;
    let (negative, plus) = match buf.get(i) {
        None => return Ok(None),
        Some(b'-') => (true, false),
        Some(b'+') => (false, true),
        Some(_) => (false, false),
    };
    if negative || plus {
        i += 1;
    }
    let digits_start = i;
    let mut magnitude: u64 = 0;
    loop {
        if i - line_start > max_line {
            return Err((
                ErrorKind::LimitExceeded(crate::Limit::LineLen),
                line_start + max_line,
            ));
        }
        let Some(&b) = buf.get(i) else {
            return Ok(None);
        };
        match b {
            b'0'..=b'9' => {
                magnitude = magnitude
                    .checked_mul(10)
                    .and_then(|m| m.checked_add(u64::from(b - b'0')))
                    .ok_or((ErrorKind::Overflow, i))?;
                i += 1;
            }
            b'\r' if i > digits_start => {
                return match buf.get(i + 1) {
                    None => Ok(None),
                    Some(b'\n') => Ok(Some(Number {
                        negative,
                        plus,
                        magnitude,
                        next: i + 2,
                    })),
                    Some(_) => Err((ErrorKind::ExpectedCrlf, i + 1)),
                };
            }
            _ => return Err((invalid, i)),
        }
    }
}

impl Number {
    /// The value as a signed 64-bit integer.
    pub fn to_i64(&self) -> Option<i64> {
        if self.negative {
            0i64.checked_sub_unsigned(self.magnitude)
        } else {
            i64::try_from(self.magnitude).ok()
        }
    }
}

/// True for `inf` and `nan` with an optional sign, and for
/// `[+-]?digits[.digits][(e|E)[+-]?digits]`.
pub(crate) fn is_double(text: &[u8]) -> bool {
    let unsigned = match text.first() {
        Some(b'-' | b'+') => &text[1..],
        _ => text,
    };
    if unsigned == b"inf" || unsigned == b"nan" {
        return true;
    }
    let mut rest = unsigned;
    let int_len = digits(rest);
    if int_len == 0 {
        return false;
    }
    rest = &rest[int_len..];
    if let Some(after) = rest.strip_prefix(b".") {
        let frac = digits(after);
        if frac == 0 {
            return false;
        }
        rest = &after[frac..];
    }
    if let Some(after) = rest.strip_prefix(b"e").or_else(|| rest.strip_prefix(b"E")) {
        let after = match after.first() {
            Some(b'-' | b'+') => &after[1..],
            _ => after,
        };
        let exp = digits(after);
        if exp == 0 {
            return false;
        }
        rest = &after[exp..];
    }
    rest.is_empty()
}

/// True for `[+-]?digits`.
pub(crate) fn is_big_number(text: &[u8]) -> bool {
    let unsigned = match text.first() {
        Some(b'-' | b'+') => &text[1..],
        _ => text,
    };
    !unsigned.is_empty() && digits(unsigned) == unsigned.len()
}

fn digits(s: &[u8]) -> usize {
    s.iter().take_while(|b| b.is_ascii_digit()).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles() {
        for ok in [
            &b"1"[..],
            b"-1",
            b"+1",
            b"1.5",
            b"1e10",
            b"1.5E-3",
            b"inf",
            b"-inf",
            b"nan",
            b"0.0",
        ] {
            assert!(is_double(ok), "{:?}", ok);
        }
        for bad in [
            &b""[..],
            b"-",
            b"1.",
            b".5",
            b"1e",
            b"1e+",
            b"Inf",
            b"NaN",
            b"1.5.5",
            b"1x",
            b" 1",
        ] {
            assert!(!is_double(bad), "{:?}", bad);
        }
    }

    #[test]
    fn numbers() {
        let n = parse_number(
            b"-9223372036854775808\r\n",
            0,
            ErrorKind::InvalidInteger,
            0,
            99,
        )
        .unwrap()
        .unwrap();
        assert_eq!(n.to_i64(), Some(i64::MIN));
        let n = parse_number(
            b"9223372036854775808\r\n",
            0,
            ErrorKind::InvalidInteger,
            0,
            99,
        )
        .unwrap()
        .unwrap();
        assert_eq!(n.to_i64(), None);
        assert!(matches!(
            parse_number(
                b"99999999999999999999\r\n",
                0,
                ErrorKind::InvalidInteger,
                0,
                99
            ),
            Err((ErrorKind::Overflow, 19))
        ));
    }
}
