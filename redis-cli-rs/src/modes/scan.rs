//! `--scan [--pattern P]`: every key, one per line (quoted in standard
//! output mode), with `SCAN`.

use std::io::Write;

use resp_core::Frame;

use crate::format::{repr::repr, until_nul, OutputMode};
use crate::options::Options;
use crate::session::Session;

pub(super) fn run(opts: &Options, session: &mut Session) -> i32 {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut cursor = b"0".to_vec();
    loop {
        let (next, keys) = match scan(session, &cursor, opts.pattern.as_deref()) {
            Ok(page) => page,
            Err(message) => return super::fail(&message),
        };
        for key in keys {
            if opts.output == OutputMode::Standard {
                let mut line = Vec::new();
                repr(&mut line, &key);
                line.push(b'\n');
                let _ = out.write_all(&line);
            } else {
                let _ = out.write_all(until_nul(&key));
                let _ = out.write_all(b"\n");
            }
        }
        if let Some(pause) = opts.interval {
            let _ = out.flush();
            std::thread::sleep(pause);
        }
        if next == b"0" {
            return 0;
        }
        cursor = next;
    }
}

/// `sendScan`: one `SCAN` page: the next cursor and the keys. `Err` with
/// what `redis-cli` prints before exiting with 1.
pub(super) fn scan(
    session: &mut Session,
    cursor: &[u8],
    pattern: Option<&[u8]>,
) -> Result<(Vec<u8>, Vec<Vec<u8>>), String> {
    // SCAN takes the cursor back as an unsigned number, as strtoull read it.
    let cursor = std::str::from_utf8(cursor)
        .ok()
        .and_then(|c| c.parse::<u64>().ok())
        .unwrap_or(0)
        .to_string()
        .into_bytes();
    let mut argv = vec![b"SCAN".to_vec(), cursor];
    if let Some(pattern) = pattern {
        argv.push(b"MATCH".to_vec());
        argv.push(pattern.to_vec());
    }
    let reply = session.call(&argv).map_err(|_| "\nI/O error".to_owned())?;
    match reply {
        Frame::Error(e) | Frame::BulkError(e) => Err(format!(
            "SCAN error: {}",
            String::from_utf8_lossy(until_nul(&e))
        )),
        Frame::Array(items) if items.len() == 2 => {
            let mut items = items.into_iter();
            let next = match items.next() {
                Some(Frame::Bulk(c)) => c.into_owned(),
                _ => return Err("Invalid cursor from SCAN!".into()),
            };
            let keys = match items.next() {
                Some(Frame::Array(keys)) => keys
                    .into_iter()
                    .filter_map(|k| match k {
                        Frame::Bulk(k) => Some(k.into_owned()),
                        _ => None,
                    })
                    .collect(),
                _ => return Err("Invalid keys from SCAN!".into()),
            };
            Ok((next, keys))
        }
        Frame::Array(_) => Err("Invalid element count from SCAN!".into()),
        _ => Err("Non ARRAY response from SCAN!".into()),
    }
}
