//! `--bigkeys` and `--memkeys`: scan the keyspace, report the biggest key
//! of each type (by element count, or by `MEMORY USAGE`) and totals.

use std::io::Write;

use resp_core::Frame;

use crate::format::{repr::repr, until_nul};
use crate::options::Options;
use crate::session::Session;

/// One key type's tally. Listed in the order `redis-cli` 7.0's table
/// lists them in its summary.
struct TypeStats {
    name: &'static str,
    size_cmd: &'static str,
    unit: &'static str,
    count: u64,
    total: u64,
    biggest: u64,
    biggest_key: Option<String>,
}

fn types() -> Vec<TypeStats> {
    [
        ("list", "LLEN", "items"),
        ("hash", "HLEN", "fields"),
        ("string", "STRLEN", "bytes"),
        ("stream", "XLEN", "entries"),
        ("set", "SCARD", "members"),
        ("zset", "ZCARD", "members"),
    ]
    .into_iter()
    .map(|(name, size_cmd, unit)| TypeStats {
        name,
        size_cmd,
        unit,
        count: 0,
        total: 0,
        biggest: 0,
        biggest_key: None,
    })
    .collect()
}

/// printf's `%05.2f`.
fn pct(v: f64) -> String {
    format!("{:05.2}", v)
}

/// `DBSIZE`, or the exit code after redis-cli's message when it cannot be
/// had (`--bigkeys`, `--memkeys`, `--hotkeys`).
pub(super) fn dbsize(session: &mut Session) -> Result<i64, i32> {
    match session.call(&[b"DBSIZE".to_vec()]) {
        Ok(Frame::Integer(n)) => Ok(n),
        Ok(Frame::Error(e)) => Err(super::fail(&format!(
            "Couldn't determine DBSIZE: {}",
            String::from_utf8_lossy(until_nul(&e))
        ))),
        Ok(_) => Err(super::fail("Non INTEGER response from DBSIZE!")),
        Err(_) => Err(super::fail("\nI/O error")),
    }
}

pub(super) fn run(opts: &Options, session: &mut Session, memkeys: bool) -> i32 {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let total_keys = match dbsize(session) {
        Ok(n) => n,
        Err(code) => return code,
    };
    let _ = out.write_all(
        b"\n# Scanning the entire keyspace to find biggest keys as well as\n\
          # average sizes per key type.  You can use -i 0.1 to sleep 0.1 sec\n\
          # per 100 SCAN commands (not usually needed).\n\n",
    );
    let mut stats = types();
    let (mut sampled, mut total_len) = (0u64, 0u64);
    let mut cursor = b"0".to_vec();
    loop {
        let progress = 100.0 * sampled as f64 / total_keys as f64;
        let (next, keys) = match super::scan::scan(session, &cursor, opts.pattern.as_deref()) {
            Ok(page) => page,
            Err(message) => return super::fail(&message),
        };
        let kinds = match key_types(session, &keys) {
            Ok(kinds) => kinds,
            Err(message) => return super::fail(&message),
        };
        let sizes = match key_sizes(
            session,
            &keys,
            &kinds,
            &stats,
            memkeys,
            opts.memkeys_samples,
        ) {
            Ok(sizes) => sizes,
            Err(message) => return super::fail(&message),
        };
        for ((key, kind), size) in keys.iter().zip(&kinds).zip(&sizes) {
            let Some(t) = kind.map(|k| &mut stats[k]) else {
                continue;
            };
            t.total += size;
            t.count += 1;
            total_len += key.len() as u64;
            sampled += 1;
            if t.biggest < *size {
                let mut quoted = Vec::new();
                repr(&mut quoted, key);
                let quoted = String::from_utf8_lossy(&quoted).into_owned();
                let unit = if memkeys { "bytes" } else { t.unit };
                let _ = writeln!(
                    out,
                    "[{}%] Biggest {:<6} found so far '{}' with {} {}",
                    pct(progress),
                    t.name,
                    quoted,
                    size,
                    unit
                );
                t.biggest_key = Some(quoted);
                t.biggest = *size;
            }
            if sampled % 1_000_000 == 0 {
                let _ = writeln!(out, "[{}%] Sampled {} keys so far", pct(progress), sampled);
            }
        }
        if let Some(pause) = opts.interval {
            if sampled != 0 && sampled % 100 == 0 {
                std::thread::sleep(pause);
            }
        }
        if next == b"0" {
            break;
        }
        cursor = next;
    }
    let _ = write!(out, "\n-------- summary -------\n\n");
    let _ = writeln!(out, "Sampled {sampled} keys in the keyspace!");
    let avg = if total_len != 0 {
        total_len as f64 / sampled as f64
    } else {
        0.0
    };
    let _ = write!(
        out,
        "Total key length in bytes is {total_len} (avg len {avg:.2})\n\n"
    );
    for t in &stats {
        if let Some(key) = &t.biggest_key {
            let unit = if memkeys { "bytes" } else { t.unit };
            let _ = writeln!(
                out,
                "Biggest {:>6} found '{}' has {} {}",
                t.name, key, t.biggest, unit
            );
        }
    }
    let _ = writeln!(out);
    for t in &stats {
        let unit = if memkeys { "bytes" } else { t.unit };
        let share = if sampled != 0 {
            100.0 * t.count as f64 / sampled as f64
        } else {
            0.0
        };
        let avg = if t.count != 0 {
            t.total as f64 / t.count as f64
        } else {
            0.0
        };
        let _ = writeln!(
            out,
            "{} {}s with {} {} ({}% of keys, avg size {:.2})",
            t.count,
            t.name,
            t.total,
            unit,
            pct(share),
            avg
        );
    }
    0
}

/// The type of each key (its index in the table), by pipelined `TYPE`;
/// `None` for keys gone since the scan and types without a size command.
fn key_types(session: &mut Session, keys: &[Vec<u8>]) -> Result<Vec<Option<usize>>, String> {
    let replies = pipeline(
        session,
        keys.iter().map(|k| vec![b"TYPE".to_vec(), k.clone()]),
    )?;
    let table = types();
    replies
        .into_iter()
        .zip(keys)
        .map(|(reply, key)| match reply {
            Frame::Simple(t) | Frame::Bulk(t) => {
                Ok(table.iter().position(|s| s.name.as_bytes() == &t[..]))
            }
            Frame::Error(e) => Err(format!(
                "TYPE returned an error: {}",
                String::from_utf8_lossy(until_nul(&e))
            )),
            _ => Err(format!(
                "Invalid reply type for TYPE on key '{}'!",
                String::from_utf8_lossy(key)
            )),
        })
        .collect()
}

/// The size of each key: its element count, or `MEMORY USAGE`.
fn key_sizes(
    session: &mut Session,
    keys: &[Vec<u8>],
    kinds: &[Option<usize>],
    stats: &[TypeStats],
    memkeys: bool,
    samples: u32,
) -> Result<Vec<u64>, String> {
    let commands: Vec<(usize, Vec<Vec<u8>>)> = keys
        .iter()
        .zip(kinds)
        .enumerate()
        .filter_map(|(i, (key, kind))| {
            let kind = (*kind)?;
            let argv = if memkeys {
                let mut argv = vec![b"MEMORY".to_vec(), b"USAGE".to_vec(), key.clone()];
                if samples != 0 {
                    argv.push(b"SAMPLES".to_vec());
                    argv.push(samples.to_string().into_bytes());
                }
                argv
            } else {
                vec![stats[kind].size_cmd.as_bytes().to_vec(), key.clone()]
            };
            Some((i, argv))
        })
        .collect();
    let replies = pipeline(session, commands.iter().map(|(_, argv)| argv.clone()))?;
    let mut sizes = vec![0; keys.len()];
    for ((i, argv), reply) in commands.iter().zip(replies) {
        match reply {
            Frame::Integer(n) => sizes[*i] = n.max(0) as u64,
            _ => eprintln!(
                "Warning:  {} on '{}' failed (may have changed type)",
                String::from_utf8_lossy(&argv[0]),
                String::from_utf8_lossy(&keys[*i])
            ),
        }
    }
    Ok(sizes)
}

/// Sends every command, then reads every reply.
pub(super) fn pipeline(
    session: &mut Session,
    commands: impl Iterator<Item = Vec<Vec<u8>>>,
) -> Result<Vec<resp_core::OwnedFrame>, String> {
    let commands: Vec<Vec<Vec<u8>>> = commands.collect();
    let mut replies = Vec::with_capacity(commands.len());
    // Pipelined in batches, so that neither side's buffers fill up.
    for batch in commands.chunks(256) {
        replies.extend(
            session
                .call_batch(batch)
                .map_err(|_| "\nI/O error".to_owned())?,
        );
    }
    Ok(replies)
}
