//! `-u <uri>`, read the way `redis-cli` 7.0 reads it: `redis://` or
//! `rediss://`, `[[user]:password@]`, `host[:port]`, `/db`. No query
//! options; the user part before `:` is the ACL user, even when empty.

use super::{atoi, int_atoi, Exit, Options};

/// Applies `uri` to `o`.
pub(crate) fn parse(uri: &[u8], o: &mut Options) -> Result<(), Exit> {
    let lower: Vec<u8> = uri.iter().map(u8::to_ascii_lowercase).collect();
    let mut curr = if lower.starts_with(b"rediss://") {
        o.tls = true;
        &uri[9..]
    } else if lower.starts_with(b"redis://") {
        &uri[8..]
    } else {
        return Err(Exit::error("Invalid URI scheme\n"));
    };
    if curr.is_empty() {
        return Ok(());
    }
    if let Some(at) = curr.iter().position(|&b| b == b'@') {
        if let Some(colon) = curr.iter().position(|&b| b == b':').filter(|&c| c < at) {
            o.user = Some(percent_decode(&curr[..colon])?);
            curr = &curr[colon + 1..];
            let at = at - colon - 1;
            o.password = Some(percent_decode(&curr[..at])?);
            curr = &curr[at + 1..];
        } else {
            o.password = Some(percent_decode(&curr[..at])?);
            curr = &curr[at + 1..];
        }
    }
    if curr.is_empty() {
        return Ok(());
    }
    let slash = curr.iter().position(|&b| b == b'/');
    if curr[0] != b'/' {
        let mut host_end = slash.unwrap_or(curr.len());
        if let Some(colon) = curr.iter().position(|&b| b == b':') {
            o.port = int_atoi(&curr[colon + 1..]);
            host_end = colon;
        }
        o.host = String::from_utf8_lossy(&curr[..host_end]).into_owned();
    }
    let rest = match slash {
        Some(s) => &curr[s + 1..],
        None => return Ok(()),
    };
    if !rest.is_empty() {
        o.db = atoi(rest) as i32 as i64;
    }
    Ok(())
}

fn percent_decode(mut s: &[u8]) -> Result<Vec<u8>, Exit> {
    let hex = |c: u8| match c.to_ascii_lowercase() {
        c @ b'0'..=b'9' => Some(c - b'0'),
        c @ b'a'..=b'f' => Some(c - b'a' + 10),
        _ => None,
    };
    let mut out = Vec::with_capacity(s.len());
    while let Some((&c, rest)) = s.split_first() {
        if c == b'%' {
            if rest.len() < 2 {
                return Err(Exit::error("Incomplete URI encoding\n"));
            }
            match (hex(rest[0]), hex(rest[1])) {
                (Some(h), Some(l)) => out.push(h * 16 + l),
                _ => return Err(Exit::error("Illegal character in URI encoding\n")),
            }
            s = &rest[2..];
        } else {
            out.push(c);
            s = rest;
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms() {
        let mut o = Options::defaults(false);
        parse(b"redis://u%41:p%40w@example:7000/3", &mut o).unwrap();
        assert_eq!(o.user.as_deref(), Some(&b"uA"[..]));
        assert_eq!(o.password.as_deref(), Some(&b"p@w"[..]));
        assert_eq!((o.host.as_str(), o.port, o.db), ("example", 7000, 3));
        let mut o = Options::defaults(false);
        parse(b"rediss://:pw@h", &mut o).unwrap();
        assert!(o.tls);
        assert_eq!(o.user.as_deref(), Some(&b""[..]));
        assert_eq!(o.host, "h");
        assert!(parse(b"http://x", &mut o).is_err());
        assert!(parse(b"redis://%4@x", &mut o).is_err());
    }
}
