//! `sdscatrepr`: a string in double quotes with C escapes, the way
//! `redis-cli` shows bulk strings in standard mode.

/// Appends `bytes` quoted: `\\`, `\"`, `\n`, `\r`, `\t`, `\a`, `\b`;
/// printable ASCII as is; every other byte as `\xHH`.
///
/// ```
/// let mut out = Vec::new();
/// redis_cli_rs::format::repr::repr(&mut out, b"a\"b\x01\xc3\xa9");
/// assert_eq!(out, b"\"a\\\"b\\x01\\xc3\\xa9\"");
/// ```
pub fn repr(out: &mut Vec<u8>, bytes: &[u8]) {
    out.push(b'"');
    for &b in bytes {
        match b {
            b'\\' | b'"' => out.extend_from_slice(&[b'\\', b]),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            b'\t' => out.extend_from_slice(b"\\t"),
            0x07 => out.extend_from_slice(b"\\a"),
            0x08 => out.extend_from_slice(b"\\b"),
            0x20..=0x7e => out.push(b),
            _ => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.extend_from_slice(&[
                    b'\\',
                    b'x',
                    HEX[usize::from(b >> 4)],
                    HEX[usize::from(b & 15)],
                ]);
            }
        }
    }
    out.push(b'"');
}
