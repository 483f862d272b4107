//! The shell's history file and what is kept out of it.
//!
//! The file is the one `redis-cli` uses, `~/.rediscli_history`, or the path
//! in `REDISCLI_HISTFILE` (`/dev/null` turns saving off), in the same
//! format: one line per entry, as typed, the newest last, at most
//! [`MAX_LEN`] entries, mode 0600. The two programs can share it. Lines
//! that carry passwords (see [`is_sensitive`]) are neither saved nor
//! recalled, as in `redis-cli` 7.0.

use std::fs;
use std::io::{self, BufRead, Write};
use std::path::{Path, PathBuf};

/// The environment variable naming the history file.
pub const HISTFILE_ENV: &str = "REDISCLI_HISTFILE";
/// The history file in the home directory when [`HISTFILE_ENV`] is unset.
pub const HISTFILE_DEFAULT: &str = ".rediscli_history";
/// The environment variable naming the preferences file.
pub const RCFILE_ENV: &str = "REDISCLI_RCFILE";
/// The preferences file in the home directory when [`RCFILE_ENV`] is unset.
pub const RCFILE_DEFAULT: &str = ".redisclirc";
/// How many entries are kept (linenoise's default, which `redis-cli`
/// keeps).
pub const MAX_LEN: usize = 100;
/// The longest line read back from the file (linenoise's buffer).
const MAX_LINE: usize = 4096;

/// The path of a dot file (`getDotfilePath`): the value of `env_override`
/// when it is set and not empty (`None` for `/dev/null`), else
/// `$HOME/dotfile` (`None` without a home).
pub fn dotfile_path(env_override: &str, dotfile: &str) -> Option<PathBuf> {
    match std::env::var_os(env_override) {
        Some(path) if !path.is_empty() => {
            if path == "/dev/null" {
                None
            } else {
                Some(PathBuf::from(path))
            }
        }
        _ => match std::env::var_os("HOME") {
            Some(home) if !home.is_empty() => Some(Path::new(&home).join(dotfile)),
            _ => None,
        },
    }
}

/// Whether a command line (its arguments after any repeat count) may
/// carry a secret and must stay out of the history (`isSensitiveCommand`
/// of `redis-cli` 7.0): `AUTH`, `ACL SETUSER`, `CONFIG SET` of
/// `masterauth`, `masteruser` or `requirepass`, `HELLO ... AUTH user pass`
/// and `MIGRATE ... AUTH pass` or `AUTH2 user pass`.
pub fn is_sensitive(argv: &[Vec<u8>]) -> bool {
    let is = |i: usize, word: &str| {
        argv.get(i)
            .is_some_and(|a| a.eq_ignore_ascii_case(word.as_bytes()))
    };
    let argc = argv.len();
    if argc == 0 {
        return false;
    }
    if is(0, "auth") {
        return true;
    }
    if argc > 1 && is(0, "acl") && is(1, "setuser") {
        return true;
    }
    if argc > 2
        && is(0, "config")
        && is(1, "set")
        && (is(2, "masterauth") || is(2, "masteruser") || is(2, "requirepass"))
    {
        return true;
    }
    // HELLO [protover [AUTH username password] [SETNAME clientname]]
    if argc > 4 && is(0, "hello") {
        let mut j = 2;
        while j < argc {
            let more = argc - 1 - j;
            if is(j, "auth") && more >= 2 {
                return true;
            } else if is(j, "setname") && more > 0 {
                j += 1;
            } else {
                return false;
            }
            j += 1;
        }
        return false;
    }
    // MIGRATE host port key|"" destination-db timeout [COPY] [REPLACE]
    // [AUTH password] [AUTH2 username password] [KEYS key [key ...]]
    if argc > 7 && is(0, "migrate") {
        for j in 6..argc {
            let more = argc - 1 - j;
            if (is(j, "auth") && more > 0) || (is(j, "auth2") && more >= 2) {
                return true;
            } else if is(j, "keys") && more > 0 {
                return false;
            }
        }
    }
    false
}

/// The shell's history: the entries, newest last, and the file they are
/// saved to after every addition (as `redis-cli` does, so that a killed
/// shell loses nothing).
#[derive(Debug, Default)]
pub struct History {
    entries: Vec<String>,
    file: Option<PathBuf>,
}

impl History {
    /// An empty history saved to `file` (none: kept in memory only).
    pub fn new(file: Option<PathBuf>) -> History {
        History {
            entries: Vec::new(),
            file,
        }
    }

    /// Loads the entries of the file, if it can be read
    /// (`linenoiseHistoryLoad`: each line up to its first CR or LF).
    pub fn load(&mut self) {
        let Some(file) = &self.file else { return };
        let Ok(f) = fs::File::open(file) else { return };
        let mut reader = io::BufReader::new(f);
        let mut line = Vec::new();
        while reader.read_until(b'\n', &mut line).unwrap_or(0) > 0 {
            let mut end = line
                .iter()
                .position(|&b| b == b'\r' || b == b'\n')
                .unwrap_or(line.len());
            end = end.min(MAX_LINE - 1);
            let entry = String::from_utf8_lossy(&line[..end]).into_owned();
            self.push(entry);
            line.clear();
        }
    }

    /// Adds a line, unless it repeats the newest entry; the oldest entry
    /// goes when there are [`MAX_LEN`]. Returns whether it was added.
    pub fn push(&mut self, line: String) -> bool {
        if self.entries.last() == Some(&line) {
            return false;
        }
        if self.entries.len() == MAX_LEN {
            self.entries.remove(0);
        }
        self.entries.push(line);
        true
    }

    /// Writes the entries to the file with mode 0600
    /// (`linenoiseHistorySave`).
    pub fn save(&self) -> io::Result<()> {
        let Some(file) = &self.file else {
            return Ok(());
        };
        let mut buf = Vec::new();
        for e in &self.entries {
            buf.extend_from_slice(e.as_bytes());
            buf.push(b'\n');
        }
        write_private(file, &buf)
    }

    /// The entries, oldest first.
    pub fn entries(&self) -> &[String] {
        &self.entries
    }

    /// The file the history is saved to.
    pub fn file(&self) -> Option<&Path> {
        self.file.as_deref()
    }
}

fn write_private(path: &Path, data: &[u8]) -> io::Result<()> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let mut f = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    // An existing file keeps its mode on open: make it private too.
    let _ = f.set_permissions(fs::Permissions::from_mode(0o600));
    f.write_all(data)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn argv(line: &str) -> Vec<Vec<u8>> {
        redis_blocking::resp_core::args::split_args(line.as_bytes()).unwrap()
    }

    #[test]
    fn sensitive_commands() {
        for line in [
            "auth secret",
            "AUTH user secret",
            "auth",
            "acl setuser bob on >pass",
            "config set requirepass x",
            "CONFIG SET masterauth x",
            "config set masteruser x",
            "hello 3 auth user pass",
            "hello 3 setname me auth user pass",
            "migrate host 6379 \"\" 0 5000 auth pass keys a",
            "migrate host 6379 \"\" 0 5000 copy replace auth2 user pass keys a",
        ] {
            assert!(is_sensitive(&argv(line)), "{line}");
        }
        for line in [
            "get auth",
            "acl",
            "acl list",
            "config set maxmemory 1",
            "config get requirepass",
            "hello 3",
            "hello 3 setname me",
            "hello 3 auth user",
            "hello 3 foo auth user pass",
            "migrate host 6379 k 0 5000",
            "migrate host 6379 \"\" 0 5000 keys auth pass",
            "migrate host 6379 \"\" 0 5000 copy auth2 user",
            "",
        ] {
            assert!(!is_sensitive(&argv(line)), "{line}");
        }
    }

    #[test]
    fn file_round_trip_in_redis_cli_format() {
        let dir = std::env::temp_dir().join(format!("repl-history-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("h");
        fs::write(&path, "get a\r\nset k \"\\x41\"\nget a\nget a\n").unwrap();
        let mut h = History::new(Some(path.clone()));
        h.load();
        assert_eq!(h.entries(), ["get a", "set k \"\\x41\"", "get a"]);
        for i in 0..MAX_LEN {
            h.push(format!("echo {i}"));
        }
        assert!(!h.push(format!("echo {}", MAX_LEN - 1)));
        h.save().unwrap();
        let text = fs::read_to_string(&path).unwrap();
        assert_eq!(text.lines().count(), MAX_LEN);
        assert!(text.starts_with("echo 0\n") && text.ends_with("echo 99\n"));
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
        fs::remove_dir_all(&dir).unwrap();
    }
}
