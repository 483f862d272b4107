//! `--rdb FILE` and `--functions-rdb FILE`: fetch the server's RDB (or its
//! functions alone) through the replication protocol, as `redis-cli`'s
//! `getRDB`: `REPLCONF capa eof`, `REPLCONF rdb-only 1` (and
//! `rdb-filter-only functions`), `SYNC`, then the payload
//! ([`super::sync`]).
//!
//! Unlike `redis-cli`, the file is written atomically: into a temporary
//! file beside it, synced, then renamed over `FILE`, so that a transfer
//! that fails half-way never leaves a truncated RDB under the name asked
//! for. `-` writes to stdout.

use std::fs::File;
use std::io::Write;
use std::os::unix::fs::OpenOptionsExt;
use std::path::{Path, PathBuf};

use resp_core::Frame;

use super::sync::{parse_header, Header, Payload};
use crate::conn::{strerror, Conn};
use crate::format::until_nul;
use crate::options::Options;
use crate::session::Session;

/// `--rdb` / `--functions-rdb`, after the connection is open.
pub(super) fn run(opts: &Options, session: &mut Session) -> i32 {
    let Some(filename) = opts.rdb_file.clone() else {
        return 1;
    };
    let Some(mut conn) = session.take_conn() else {
        return 1;
    };
    let timeout = opts.timeout;
    let steps = (|| {
        replconf(&mut conn, "capa", "eof")?;
        replconf(&mut conn, "rdb-only", "1")?;
        if opts.functions_rdb && !replconf(&mut conn, "rdb-filter-only", "functions")? {
            eprintln!("Failed requesting functions only RDB from server, aborting");
            return Err(1);
        }
        fetch(conn, &filename, timeout)
    })();
    match steps {
        Ok(()) => 0,
        Err(code) => code,
    }
}

/// `sendReplconf`: says so on stderr, sends `REPLCONF arg1 arg2`; an
/// error reply is reported and answers `false` (older servers lack some).
pub(super) fn replconf(conn: &mut Conn, arg1: &str, arg2: &str) -> Result<bool, i32> {
    eprintln!("sending REPLCONF {arg1} {arg2}");
    let argv = [b"REPLCONF".to_vec(), arg1.into(), arg2.into()];
    match conn.call(&argv) {
        Ok(Frame::Error(e) | Frame::BulkError(e)) => {
            eprintln!(
                "REPLCONF {arg1} error: {}",
                String::from_utf8_lossy(until_nul(&e))
            );
            Ok(false)
        }
        Ok(_) => Ok(true),
        Err(_) => {
            eprintln!("\nI/O error");
            Err(1)
        }
    }
}

/// `sendSync`: sends `SYNC` and reads the header of the payload.
pub(super) fn sync(conn: &mut Conn, timeout: Option<std::time::Duration>) -> Result<Header, i32> {
    if conn.start_stream(&[b"SYNC".to_vec()]).is_err() {
        eprintln!("Error writing to master");
        return Err(1);
    }
    let mut seen = 0;
    loop {
        let input = match conn.raw_input(seen, timeout) {
            Ok(input) if input.len() > seen => input,
            _ => {
                eprintln!("Error reading bulk length while SYNCing");
                return Err(1);
            }
        };
        if let Some((header, used)) = parse_header(input) {
            conn.consume_raw(used);
            if let Header::Refused(line) = &header {
                eprintln!("SYNC with master failed: {line}");
                return Err(1);
            }
            return Ok(header);
        }
        // An incomplete line: wait for more (a header is short). The
        // newlines a server sends while it prepares the file go.
        if input.len() > 64 * 1024 {
            eprintln!("Error reading bulk length while SYNCing");
            return Err(1);
        }
        let newlines = input.iter().take_while(|&&b| b == b'\n').count();
        seen = input.len() - newlines;
        conn.consume_raw(newlines);
    }
}

/// Where the RDB goes: stdout, or a temporary file renamed into place at
/// the end.
enum Sink {
    Stdout,
    File {
        file: File,
        temp: PathBuf,
        path: PathBuf,
        /// Renamed into place: nothing to remove.
        kept: bool,
    },
}

impl Sink {
    fn open(filename: &str) -> Result<Sink, String> {
        if filename == "-" {
            return Ok(Sink::Stdout);
        }
        let path = PathBuf::from(filename);
        if path.is_dir() {
            return Err(strerror(&std::io::Error::from_raw_os_error(libc::EISDIR)));
        }
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let temp = path.with_file_name(format!(".{name}.tmp-{}", std::process::id()));
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .mode(0o644)
            .open(&temp)
            .map_err(|e| strerror(&e))?;
        Ok(Sink::File {
            file,
            temp,
            path,
            kept: false,
        })
    }

    fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        match self {
            Sink::Stdout => {
                let mut out = std::io::stdout().lock();
                out.write_all(bytes)?;
                out.flush()
            }
            Sink::File { file, .. } => file.write_all(bytes),
        }
    }

    /// Syncs the file and renames it into place.
    fn finish(mut self) -> Result<(), String> {
        let Sink::File {
            file,
            temp,
            path,
            kept,
        } = &mut self
        else {
            return Ok(());
        };
        file.sync_all()
            .and_then(|()| std::fs::rename(&*temp, &*path))
            .map_err(|e| strerror(&e))?;
        *kept = true;
        sync_dir(path).map_err(|e| strerror(&e))
    }
}

impl Drop for Sink {
    fn drop(&mut self) {
        if let Sink::File {
            temp, kept: false, ..
        } = self
        {
            // The transfer failed: nothing replaces the file asked for.
            let _ = std::fs::remove_file(temp);
        }
    }
}

/// Makes a rename durable.
fn sync_dir(path: &Path) -> std::io::Result<()> {
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
}

/// `getRDB`: `SYNC`, then the payload into `filename`, as `redis-cli`
/// reports it on stderr. The connection is closed before the file is
/// synced.
pub(crate) fn fetch(
    mut conn: Conn,
    filename: &str,
    timeout: Option<std::time::Duration>,
) -> Result<(), i32> {
    let header = sync(&mut conn, timeout)?;
    let mut payload = Payload::new(&header);
    match &header {
        Header::Length(n) => {
            eprintln!("SYNC sent to master, writing {n} bytes to '{filename}'")
        }
        _ => eprintln!(
            "SYNC sent to master, writing bytes of bulk transfer until EOF marker to '{filename}'"
        ),
    }
    let mut sink = match Sink::open(filename) {
        Ok(sink) => sink,
        Err(reason) => {
            eprintln!("Error opening '{filename}': {reason}");
            return Err(1);
        }
    };
    let mut rdb = Vec::new();
    let mut done = matches!(header, Header::Length(0));
    while !done {
        let input = match conn.raw_input(0, timeout) {
            Ok(input) if !input.is_empty() => input,
            _ => {
                eprintln!("I/O Error reading RDB payload from socket");
                return Err(1);
            }
        };
        rdb.clear();
        let step = payload.handle(input, &mut rdb);
        conn.consume_raw(step.used);
        done = step.done;
        if let Err(e) = sink.write(&rdb) {
            eprintln!("Error writing data to file: {}", strerror(&e));
            return Err(1);
        }
    }
    if payload.uses_mark() {
        eprintln!(
            "Transfer finished with success after {} bytes",
            payload.delivered()
        );
    } else {
        eprintln!("Transfer finished with success.");
    }
    drop(conn);
    if let Err(reason) = sink.finish() {
        eprintln!("Fail to fsync '{filename}': {reason}");
        return Err(1);
    }
    Ok(())
}
