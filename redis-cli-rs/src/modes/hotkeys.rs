//! `--hotkeys`: scan the keyspace and report the keys with the highest
//! access frequency (`OBJECT FREQ`, which needs an LFU `maxmemory-policy`),
//! as `redis-cli`'s `findHotKeys`. Ctrl-C stops the scan and prints the
//! summary so far.

use std::io::Write;

use resp_core::Frame;

use crate::format::{repr::repr, until_nul};
use crate::options::Options;
use crate::session::Session;

/// How many hot keys are kept (`HOTKEYS_SAMPLE`).
const SAMPLE: usize = 16;

pub(super) fn run(opts: &Options, session: &mut Session) -> i32 {
    crate::signal::install_sigint();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    // redis-cli keeps it in an `int` here.
    let total_keys = match super::keyspace::dbsize(session) {
        Ok(n) => n as i32 as i64,
        Err(code) => return code,
    };
    let _ = out.write_all(
        b"\n# Scanning the entire keyspace to find hot keys as well as\n\
          # average sizes per key type.  You can use -i 0.1 to sleep 0.1 sec\n\
          # per 100 SCAN commands (not usually needed).\n\n",
    );
    let mut counters = [0u64; SAMPLE];
    let mut hotkeys: [String; SAMPLE] = Default::default();
    let (mut sampled, mut scan_loops) = (0u64, 0u64);
    let mut pct: f64;
    let mut cursor = b"0".to_vec();
    loop {
        pct = 100.0 * sampled as f64 / total_keys as f64;
        let (next, keys) = match super::scan::scan(session, &cursor, opts.pattern.as_deref()) {
            Ok(page) => page,
            Err(message) => return super::fail(&message),
        };
        scan_loops += 1;
        let freqs = match key_freqs(session, &keys) {
            Ok(freqs) => freqs,
            Err(message) => return super::fail(&message),
        };
        for (key, freq) in keys.iter().zip(freqs) {
            sampled += 1;
            if sampled % 1_000_000 == 0 {
                let _ = writeln!(out, "[{pct:05.2}%] Sampled {sampled} keys so far");
            }
            // The eviction pool: counters ascending, the coldest first.
            let mut k = 0;
            while k < SAMPLE && freq > counters[k] {
                k += 1;
            }
            if k == 0 {
                continue;
            }
            k -= 1;
            if k != 0 && counters[k] != 0 {
                counters.copy_within(1..=k, 0);
                hotkeys[..=k].rotate_left(1);
            }
            counters[k] = freq;
            let mut quoted = Vec::new();
            repr(&mut quoted, key);
            hotkeys[k] = String::from_utf8_lossy(&quoted).into_owned();
            let _ = writeln!(
                out,
                "[{pct:05.2}%] Hot key '{}' found so far with counter {freq}",
                hotkeys[k]
            );
        }
        if let Some(pause) = opts.interval {
            if scan_loops % 100 == 0 {
                let _ = out.flush();
                std::thread::sleep(pause);
            }
        }
        if crate::signal::interrupted() || next == b"0" {
            break;
        }
        cursor = next;
    }
    let _ = write!(out, "\n-------- summary -------\n\n");
    if crate::signal::interrupted() {
        let _ = write!(out, "[{pct:05.2}%] ");
    }
    let _ = writeln!(out, "Sampled {sampled} keys in the keyspace!");
    for k in (0..SAMPLE).rev() {
        if counters[k] > 0 {
            let _ = writeln!(
                out,
                "hot key found with counter: {}\tkeyname: {}",
                counters[k], hotkeys[k]
            );
        }
    }
    0
}

/// `getKeyFreqs`: `OBJECT FREQ` of each key, pipelined. An error reply
/// stops the run (no LFU policy); a key gone since the scan counts 0.
fn key_freqs(session: &mut Session, keys: &[Vec<u8>]) -> Result<Vec<u64>, String> {
    let replies = super::keyspace::pipeline(
        session,
        keys.iter()
            .map(|k| vec![b"OBJECT".to_vec(), b"FREQ".to_vec(), k.clone()]),
    )?;
    let mut freqs = Vec::with_capacity(keys.len());
    for (reply, key) in replies.into_iter().zip(keys) {
        match reply {
            Frame::Integer(n) => freqs.push(n as u64),
            Frame::Error(e) | Frame::BulkError(e) => {
                return Err(format!("Error: {}", String::from_utf8_lossy(until_nul(&e))))
            }
            _ => {
                let mut quoted = Vec::new();
                repr(&mut quoted, key);
                eprintln!(
                    "Warning: OBJECT freq on '{}' failed (may have been deleted)",
                    String::from_utf8_lossy(&quoted)
                );
                freqs.push(0);
            }
        }
    }
    Ok(freqs)
}
