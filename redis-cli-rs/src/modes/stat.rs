//! `--stat`: a line of server figures (keys, memory, clients, blocked
//! clients, requests, connections, child process) every `-i` seconds
//! (default 1), with a header every 20 lines.

use std::io::Write;
use std::time::Duration;

use resp_core::Frame;

use crate::format::until_nul;
use crate::options::Options;
use crate::session::Session;

const HEADER: &str =
    "------- data ------ --------------------- load -------------------- - child -\n\
keys       mem      clients blocked requests            connections          \n";

/// `getLongInfoField`: the number after `field:` (up to `,` or the end of
/// the line), or `None` when the field is missing.
fn field(info: &[u8], name: &str) -> Option<i64> {
    let at = info
        .windows(name.len())
        .position(|w| w == name.as_bytes())?;
    let rest = info.get(at + name.len() + 1..)?;
    let end = rest
        .iter()
        .position(|&b| b == b'\r' || b == b',')
        .unwrap_or(rest.len());
    Some(crate::options::atoi(&rest[..end]))
}

/// `bytesToHuman`.
fn human(n: i64) -> String {
    let (sign, n) = if n < 0 { ("-", -n) } else { ("", n) };
    let n = n as f64;
    let k = 1024.0;
    let text = if n < k {
        format!("{n}B")
    } else if n < k * k {
        format!("{:.2}K", n / k)
    } else if n < k * k * k {
        format!("{:.2}M", n / (k * k))
    } else {
        format!("{:.2}G", n / (k * k * k))
    };
    format!("{sign}{text}")
}

pub(super) fn run(opts: &Options, session: &mut Session) -> i32 {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let interval = opts.interval.unwrap_or(Duration::from_secs(1));
    let mut requests: i64 = 0;
    let mut lines: u64 = 0;
    loop {
        let info = match session.call_reconnecting(&[b"INFO".to_vec()]) {
            Frame::Bulk(b) => b.into_owned(),
            Frame::Verbatim { text, .. } => text.into_owned(),
            Frame::Error(e) => {
                return super::fail(&format!(
                    "ERROR: {}",
                    String::from_utf8_lossy(until_nul(&e))
                ))
            }
            _ => Vec::new(),
        };
        if lines % 20 == 0 {
            let _ = out.write_all(HEADER.as_bytes());
        }
        lines += 1;
        let keys: i64 = (0..20)
            .filter_map(|db| field(&info, &format!("db{db}:keys")))
            .sum();
        let mut line = format!("{:<11}", keys.to_string());
        let missing = i64::MIN;
        line.push_str(&format!(
            "{:<8}",
            human(field(&info, "used_memory").unwrap_or(missing))
        ));
        let n = |name: &str| field(&info, name).unwrap_or(missing);
        line.push_str(&format!(" {:<8}", n("connected_clients").to_string()));
        line.push_str(&format!("{:<8}", n("blocked_clients").to_string()));
        let total = n("total_commands_processed");
        let delta = if requests == 0 { 0 } else { total - requests };
        line.push_str(&format!("{:<19}", format!("{total} (+{delta})")));
        requests = total;
        line.push_str(&format!(
            " {:<12}",
            n("total_connections_received").to_string()
        ));
        let child =
            n("bgsave_in_progress") | (n("aof_rewrite_in_progress") << 1) | (n("loading") << 2);
        line.push_str(match child {
            1 => "SAVE",
            2 => "AOF",
            3 => "SAVE+AOF",
            4 => "LOAD",
            _ => "",
        });
        let _ = writeln!(out, "{line}");
        let _ = out.flush();
        std::thread::sleep(interval);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields() {
        let info = b"# Keyspace\r\ndb0:keys=7,expires=0\r\nused_memory:2048\r\n";
        assert_eq!(field(info, "db0:keys"), Some(7));
        assert_eq!(field(info, "used_memory"), Some(2048));
        assert_eq!(field(info, "db1:keys"), None);
        assert_eq!(human(2048), "2.00K");
        assert_eq!(human(1000), "1000B");
    }
}
