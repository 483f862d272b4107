//! The interactive shell, driven through a pseudo-terminal and compared
//! with the real `redis-cli` in the same terminal.
//!
//! Each program runs on its own pty (`libc::openpty`, the child a session
//! leader with the pty as its controlling terminal, 100x60); what it
//! writes is fed to a VT100 emulator (the `vt100` crate), and the tests
//! look at the screen a person would see: text and colors, not escape
//! sequences, so that `redis-cli`'s linenoise and our rustyline can be
//! compared although they draw differently.
//!
//! Comparisons with `redis-cli` need the Debian `redis-cli` 7.0 binary
//! (`REDIS_CLI_BIN` overrides it); where it is missing those checks are
//! skipped with a note, the rest still runs.

use std::io::{Read, Write};
use std::num::NonZeroU16;
use std::os::fd::{FromRawFd, OwnedFd};
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use integration_tests::RedisServer;

const ROWS: u16 = 60;
const COLS: u16 = 100;
const TIMEOUT: Duration = Duration::from_secs(10);

/// A program on a pseudo-terminal, and the screen it draws.
struct Term {
    name: &'static str,
    master: std::fs::File,
    child: Child,
    screen: Arc<Mutex<vt100::Parser>>,
    raw: Arc<Mutex<Vec<u8>>>,
    reader: Option<thread::JoinHandle<()>>,
}

impl Term {
    fn spawn(name: &'static str, program: &Path, args: &[String], env: &[(&str, &Path)]) -> Term {
        let (mut master, mut slave) = (-1, -1);
        let ws = libc::winsize {
            ws_row: ROWS,
            ws_col: COLS,
            ws_xpixel: 0,
            ws_ypixel: 0,
        };
        // SAFETY: openpty fills two descriptors; the window size is read.
        let rc = unsafe {
            libc::openpty(
                &mut master,
                &mut slave,
                std::ptr::null_mut(),
                std::ptr::null(),
                &ws,
            )
        };
        assert_eq!(rc, 0, "openpty: {}", std::io::Error::last_os_error());
        // SAFETY: both descriptors were just opened and are owned here.
        let (master, slave) =
            unsafe { (OwnedFd::from_raw_fd(master), OwnedFd::from_raw_fd(slave)) };
        let mut cmd = Command::new(program);
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("TERM", "xterm")
            .env("LANG", "C.UTF-8")
            .stdin(Stdio::from(slave.try_clone().unwrap()))
            .stdout(Stdio::from(slave.try_clone().unwrap()))
            .stderr(Stdio::from(slave));
        for (k, v) in env {
            cmd.env(k, v);
        }
        // SAFETY: setsid and ioctl are async-signal-safe.
        unsafe {
            cmd.pre_exec(|| {
                if libc::setsid() < 0 || libc::ioctl(0, libc::TIOCSCTTY as _, 0) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", program.display()));
        drop(cmd); // closes our copies of the slave
        let master = std::fs::File::from(master);
        let screen = Arc::new(Mutex::new(vt100::Parser::new(
            NonZeroU16::new(ROWS).unwrap(),
            NonZeroU16::new(COLS).unwrap(),
            0,
        )));
        let raw = Arc::new(Mutex::new(Vec::new()));
        let mut rd = master.try_clone().unwrap();
        let (s, r) = (screen.clone(), raw.clone());
        let reader = thread::spawn(move || {
            let mut buf = [0u8; 4096];
            // EIO once the child and its descendants closed the pty.
            while let Ok(n @ 1..) = rd.read(&mut buf) {
                s.lock().unwrap().process(&buf[..n]);
                r.lock().unwrap().extend_from_slice(&buf[..n]);
            }
        });
        Term {
            name,
            master,
            child,
            screen,
            raw,
            reader: Some(reader),
        }
    }

    /// Types `keys` (sent in one write, like a fast typist or a paste).
    fn send(&mut self, keys: &str) {
        self.master.write_all(keys.as_bytes()).unwrap();
        self.master.flush().unwrap();
    }

    /// Types a line and waits until the next prompt is drawn after it.
    fn line(&mut self, keys: &str) {
        // Typing repaints with CR and escapes; the first LF is the Enter.
        let before = self.raw.lock().unwrap().len();
        self.send(keys);
        self.send("\r");
        self.wait(&format!("a prompt after {keys:?}"), |t| {
            t.raw.lock().unwrap()[before..].contains(&b'\n') && t.at_prompt()
        });
    }

    /// Whether the cursor is on a prompt with nothing typed after it.
    fn at_prompt(&self) -> bool {
        self.cursor_row().ends_with('>')
    }

    /// The screen as text, trailing spaces trimmed, empty last rows dropped.
    fn text(&self) -> String {
        let p = self.screen.lock().unwrap();
        let rows: Vec<String> = p
            .screen()
            .rows(0, COLS)
            .map(|r| r.trim_end().to_string())
            .collect();
        let mut text = rows.join("\n");
        text.truncate(text.trim_end().len());
        text
    }

    /// The screen with the spans shown in a non-default foreground color
    /// or in bold marked: `{grey:...}`, `{yellow:...}`, `{bold:...}`.
    fn styled(&self) -> String {
        let p = self.screen.lock().unwrap();
        let screen = p.screen();
        let mut out = String::new();
        for row in 0..ROWS {
            let mut line = String::new();
            let mut open: Option<String> = None;
            for col in 0..COLS {
                let Some(cell) = screen.cell(row, col) else {
                    continue;
                };
                if cell.is_wide_continuation() {
                    continue;
                }
                let contents = cell.contents();
                let style = match cell.fgcolor() {
                    vt100::Color::Idx(8) | vt100::Color::Idx(90) => Some("grey"),
                    vt100::Color::Idx(3) => Some("yellow"),
                    vt100::Color::Default if cell.bold() => Some("bold"),
                    vt100::Color::Default => None,
                    _ => Some("color"),
                };
                // Blanks take the style around them.
                let style = if contents.trim().is_empty() {
                    open.as_deref()
                } else {
                    style
                };
                if open.as_deref() != style {
                    if open.is_some() {
                        line.push('}');
                    }
                    if let Some(s) = style {
                        line.push('{');
                        line.push_str(s);
                        line.push(':');
                    }
                    open = style.map(str::to_string);
                }
                line.push_str(if contents.is_empty() { " " } else { contents });
            }
            if open.is_some() {
                line.push('}');
            }
            // Blanks before a closing brace go out of it.
            while let Some(i) = line.find(" }") {
                line.replace_range(i..i + 2, "} ");
            }
            let line = line.trim_end().replace("{grey:}", "");
            out.push_str(&line);
            out.push('\n');
        }
        out.truncate(out.trim_end().len());
        out
    }

    /// The row the cursor is on, trailing spaces trimmed.
    fn cursor_row(&self) -> String {
        let p = self.screen.lock().unwrap();
        let (row, _) = p.screen().cursor_position();
        let text = p
            .screen()
            .rows(0, COLS)
            .nth(row as usize)
            .unwrap_or_default();
        text.trim_end().to_string()
    }

    fn wait(&self, what: &str, done: impl Fn(&Term) -> bool) {
        let deadline = Instant::now() + TIMEOUT;
        while !done(self) {
            if Instant::now() > deadline {
                panic!(
                    "{}: timed out waiting for {what}; screen:\n{}\nraw tail: {:?}",
                    self.name,
                    self.text(),
                    self.raw_tail()
                );
            }
            thread::sleep(Duration::from_millis(10));
        }
        // Let the rest of a burst of output arrive.
        self.settle();
    }

    fn wait_for(&self, needle: &str) {
        self.wait(&format!("{needle:?}"), |t| t.text().contains(needle));
    }

    /// Waits until nothing was drawn for 60 ms.
    fn settle(&self) {
        let mut last = self.raw.lock().unwrap().len();
        loop {
            thread::sleep(Duration::from_millis(60));
            let now = self.raw.lock().unwrap().len();
            if now == last {
                return;
            }
            last = now;
        }
    }

    fn raw_tail(&self) -> String {
        let raw = self.raw.lock().unwrap();
        let tail = &raw[raw.len().saturating_sub(400)..];
        String::from_utf8_lossy(tail).into_owned()
    }

    fn exit_status(&mut self) -> ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                if let Some(r) = self.reader.take() {
                    let _ = r.join();
                }
                return status;
            }
            if Instant::now() > deadline {
                panic!("{}: did not exit; screen:\n{}", self.name, self.text());
            }
            thread::sleep(Duration::from_millis(10));
        }
    }
}

impl Drop for Term {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The program under test: this package's binary, or `REDIS_CLI_RS_BIN`.
fn ours() -> PathBuf {
    std::env::var_os("REDIS_CLI_RS_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_redis-cli-rs")))
}

/// The real redis-cli, when installed.
fn theirs() -> Option<PathBuf> {
    let bin = std::env::var_os("REDIS_CLI_BIN").unwrap_or_else(|| "redis-cli".into());
    let ok = Command::new(&bin)
        .arg("--version")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).starts_with("redis-cli 7.0"));
    if !ok {
        eprintln!("note: no redis-cli 7.0 found; comparisons skipped");
    }
    ok.then(|| PathBuf::from(bin))
}

/// A home directory for one program: its own history file, no rc file.
struct Home(tempfile::TempDir);

impl Home {
    fn new() -> Home {
        Home(tempfile::tempdir().unwrap())
    }
    fn path(&self) -> &Path {
        self.0.path()
    }
    fn history(&self) -> PathBuf {
        self.0.path().join(".rediscli_history")
    }
    fn history_text(&self) -> String {
        std::fs::read_to_string(self.history()).unwrap_or_default()
    }
}

fn spawn(name: &'static str, program: &Path, args: &[String], home: &Home) -> Term {
    let rc = home.path().join(".redisclirc");
    let t = Term::spawn(
        name,
        program,
        args,
        &[("HOME", home.path()), ("REDISCLI_RCFILE", &rc)],
    );
    t.wait(&format!("{name}'s prompt"), Term::at_prompt);
    t
}

fn port_args(server: &RedisServer) -> Vec<String> {
    vec!["-p".into(), server.port().to_string()]
}

/// Runs `script` (lines, or keys sent as they are when they start with
/// `\x01KEYS `) in both programs and returns both screens, styled.
fn both(server: &RedisServer, script: &[&str]) -> Option<(String, String)> {
    let real = theirs()?;
    let mut screens = Vec::new();
    for (name, bin) in [("redis-cli", real), ("redis-cli-rs", ours())] {
        server.run(&["FLUSHALL"]);
        let home = Home::new();
        let mut t = spawn(name, &bin, &port_args(server), &home);
        run_script(&mut t, script);
        screens.push(t.styled());
        t.send("\x15\x04");
        t.exit_status();
    }
    let ours = screens.pop().unwrap();
    Some((screens.pop().unwrap(), ours))
}

fn run_script(t: &mut Term, script: &[&str]) {
    for step in script {
        if let Some(keys) = step.strip_prefix("\x01KEYS ") {
            // Every key redraws something (or beeps): wait for it, then
            // for the drawing to end.
            let before = t.raw.lock().unwrap().len();
            t.send(keys);
            let deadline = Instant::now() + Duration::from_secs(2);
            while t.raw.lock().unwrap().len() == before && Instant::now() < deadline {
                thread::sleep(Duration::from_millis(5));
            }
            t.settle();
        } else {
            t.line(step);
        }
    }
}

#[test]
fn commands_prompts_and_help_look_like_redis_cli() {
    let server = RedisServer::start().unwrap();
    let script = [
        "PING",
        "SET k v",
        "GET k",
        "3 INCR n",
        "SELECT 2",
        "MULTI",
        "INCR n",
        "EXEC",
        "SELECT 0",
        "MULTI",
        "DISCARD",
        "help SET",
        "BLPOP nolist 0.6",
        "get \"open",
        "0 PING",
        "   ",
        "\x01KEYS SET ",
    ];
    let home = Home::new();
    let mut t = spawn("redis-cli-rs", &ours(), &port_args(&server), &home);
    run_script(&mut t, &script);
    let p = server.port();
    let text = t.text();
    for expected in [
        format!("127.0.0.1:{p}> PING\nPONG"),
        format!("127.0.0.1:{p}> 3 INCR n\n(integer) 1\n(integer) 2\n(integer) 3"),
        format!("127.0.0.1:{p}> SELECT 2\nOK\n127.0.0.1:{p}[2]> MULTI\nOK\n127.0.0.1:{p}[2](TX)> INCR n\nQUEUED\n127.0.0.1:{p}[2](TX)> EXEC\n1) (integer) 1\n127.0.0.1:{p}[2]> SELECT 0"),
        format!("127.0.0.1:{p}(TX)> DISCARD\nOK\n127.0.0.1:{p}> help SET\n\n  SET key value [NX|XX]"),
        format!("  group: string\n\n127.0.0.1:{p}> BLPOP nolist 0.6\n(nil)\n(0.6"),
        format!("s)\n127.0.0.1:{p}> get \"open\nInvalid argument(s)\n127.0.0.1:{p}> 0 PING\nInvalid redis-cli repeat command option value.\n127.0.0.1:{p}>\n127.0.0.1:{p}> SET key value [NX|XX] [GET]"),
    ] {
        assert!(text.contains(&expected), "missing:\n{expected}\nscreen:\n{text}");
    }
    // The hint is grey, help's headings yellow, the command bold.
    let styled = t.styled();
    assert!(
        styled.contains(&format!("127.0.0.1:{p}> SET {{grey:key value [NX|XX]")),
        "{styled}"
    );
    assert!(styled.contains("  {bold:SET} {grey:key value"), "{styled}");
    assert!(
        styled.contains("  {yellow:summary:} Set the string value of a key"),
        "{styled}"
    );
    t.send("\x15\x04");
    assert!(t.exit_status().success());

    if let Some((theirs, ours)) = both(&server, &script) {
        assert_eq!(
            without_times(&ours),
            without_times(&theirs),
            "redis-cli-rs (left) differs from redis-cli (right)"
        );
    }
}

/// Drops the times `redis-cli` prints after slow commands (`(0.52s)`)
/// and the `^C` the terminal may echo, and the lines they leave empty.
fn without_times(screen: &str) -> String {
    let mut lines = Vec::new();
    for line in screen.lines() {
        let mut out = line.replace("^C", "");
        if let Some(i) = out.rfind('(') {
            let tail = &out[i + 1..];
            if let Some(secs) = tail.strip_suffix("s)") {
                if !secs.is_empty() && secs.chars().all(|c| c.is_ascii_digit() || c == '.') {
                    out.truncate(i);
                }
            }
        }
        if out.is_empty() && !line.is_empty() {
            continue;
        }
        lines.push(out);
    }
    lines.join("\n")
}

#[test]
fn history_recall_completion_and_hints_like_redis_cli() {
    let server = RedisServer::start().unwrap();
    let script = [
        "SET k v",
        "GET k",
        // Up twice: SET k v again.
        "\x01KEYS \x1b[A",
        "\x01KEYS \x1b[A",
        "",
        // TAB completes (uppercase, hint follows), TAB again cycles back.
        "\x01KEYS pin\t",
        "\x01KEYS \t",
        "\x01KEYS \t",
        "",
        "\x01KEYS client setn\t",
        "\x01KEYS x",
        "\x01KEYS \x7f\x7f",
        "",
        "help @hyperloglog",
        "\x01KEYS help @str\t",
        "\x01KEYS \t",
        "\x01KEYS \x15",
        // Hints advance as arguments are typed; options stay.
        "\x01KEYS zadd",
        "\x01KEYS  k 1 m ",
        "\x01KEYS \x15hset h ",
        "\x01KEYS \x15xadd s * f v ",
        "\x01KEYS \x15",
        ":set nohints",
        "\x01KEYS get ",
        "\x01KEYS \x15",
        ":set hints",
        ":set foo",
        "\x01KEYS get ",
    ];
    let home = Home::new();
    let mut t = spawn("redis-cli-rs", &ours(), &port_args(&server), &home);
    run_script(&mut t, &script[..6]);
    assert!(
        t.styled().contains("> PING {grey:[message]}"),
        "{}",
        t.styled()
    );
    t.send("\x15");
    t.send("\x15\x04");
    t.exit_status();

    if let Some((theirs, ours)) = both(&server, &script) {
        assert_eq!(
            ours, theirs,
            "redis-cli-rs (left) differs from redis-cli (right)"
        );
    }
}

#[test]
fn reconnects_after_a_server_restart_like_redis_cli() {
    let server = RedisServer::start().unwrap();
    let p = server.port();
    let real = theirs();
    let mut screens = Vec::new();
    let programs: Vec<(&'static str, PathBuf)> = match real {
        Some(real) => vec![("redis-cli", real), ("redis-cli-rs", ours())],
        None => vec![("redis-cli-rs", ours())],
    };
    for (name, bin) in programs {
        let home = Home::new();
        let mut t = spawn(name, &bin, &port_args(&server), &home);
        t.line("SELECT 3");
        server.stop();
        t.line("PING");
        t.line("PING");
        server.restart().unwrap();
        t.line("PING");
        t.line("SET k v");
        let text = t.text();
        let expected = format!(
            "127.0.0.1:{p}> SELECT 3\nOK\n127.0.0.1:{p}[3]> PING\n\
             Error: Server closed the connection\nnot connected> PING\n\
             Could not connect to Redis at 127.0.0.1:{p}: Connection refused\nnot connected> PING\n\
             PONG\n127.0.0.1:{p}[3]> SET k v\nOK\n127.0.0.1:{p}[3]>"
        );
        assert_eq!(text, expected, "{name}");
        screens.push(t.styled());
        t.send("\x15\x04");
        t.exit_status();
    }
    if screens.len() == 2 {
        assert_eq!(
            screens[1], screens[0],
            "redis-cli-rs (left) differs from redis-cli (right)"
        );
    }

    // A transaction does not survive the connection: no (TX) after the
    // reconnection (redis-cli 7.0 keeps showing it, wrongly), and the
    // database is selected again on the new connection.
    let home = Home::new();
    let mut t = spawn("redis-cli-rs", &ours(), &port_args(&server), &home);
    t.line("SELECT 3");
    t.line("MULTI");
    server.stop();
    t.line("PING");
    server.restart().unwrap();
    t.line("SET k v");
    t.line("EXISTS k");
    let text = t.text();
    assert!(
        text.ends_with(&format!(
            "not connected> SET k v\nOK\n127.0.0.1:{p}[3]> EXISTS k\n(integer) 1\n127.0.0.1:{p}[3]>"
        )),
        "{text}"
    );
    assert_eq!(server.run(&["EXISTS", "k"]), ":0\r\n");
    t.send("\x15\x04");
    t.exit_status();
}

#[test]
fn ctrl_c_leaves_streams_but_ends_the_shell_elsewhere_like_redis_cli() {
    let server = RedisServer::start().unwrap();
    let p = server.port();
    let real = theirs();
    let programs: Vec<(&'static str, PathBuf)> = match real {
        Some(real) => vec![("redis-cli", real), ("redis-cli-rs", ours())],
        None => vec![("redis-cli-rs", ours())],
    };
    let mut screens = Vec::new();
    for (name, bin) in programs {
        let home = Home::new();
        let mut t = spawn(name, &bin, &port_args(&server), &home);
        t.line("SELECT 2");
        t.send("SUBSCRIBE ch\r");
        t.wait_for("3) (integer) 1");
        server.run(&["PUBLISH", "ch", "hello"]);
        t.wait_for("3) \"hello\"");
        t.send("\x03");
        t.wait("the prompt after Ctrl-C", Term::at_prompt);
        t.line("PING");
        t.send("MONITOR\r");
        t.wait_for("OK");
        server.run(&["SET", "x", "1"]);
        t.wait_for("\"SET\" \"x\" \"1\"");
        t.send("\x03");
        t.wait("the prompt after Ctrl-C", Term::at_prompt);
        t.line("PING");
        let text = without_times(&t.text());
        assert!(
            text.contains(&format!(
                "3) \"hello\"\n127.0.0.1:{p}[2]> PING\nPONG\n127.0.0.1:{p}[2]> MONITOR\nOK\n"
            )),
            "{name}: {text}"
        );
        assert!(
            text.ends_with(&format!(
                "\"x\" \"1\"\n127.0.0.1:{p}[2]> PING\nPONG\n127.0.0.1:{p}[2]>"
            )),
            "{name}: {text}"
        );
        // The MONITOR line has a timestamp and a client port: compare the rest.
        let screen: Vec<String> = without_times(&t.styled())
            .lines()
            .map(|l| {
                if l.contains("\"SET\" \"x\" \"1\"") {
                    "<monitor line>".into()
                } else {
                    l.to_string()
                }
            })
            .collect();
        screens.push(screen.join("\n"));
        // Ctrl-C while a command blocks: exit code 1.
        t.send("BLPOP nolist 0\r");
        thread::sleep(Duration::from_millis(300));
        t.send("\x03");
        assert_eq!(t.exit_status().code(), Some(1), "{name}");
        // Ctrl-C at the prompt: exit code 0.
        let mut t = spawn(name, &bin, &port_args(&server), &home);
        t.send("GET");
        t.settle();
        t.send("\x03");
        assert_eq!(t.exit_status().code(), Some(0), "{name}");
    }
    if screens.len() == 2 {
        assert_eq!(
            screens[1], screens[0],
            "redis-cli-rs (left) differs from redis-cli (right)"
        );
    }
}

#[test]
fn history_file_skips_passwords_like_redis_cli() {
    let server = RedisServer::start().unwrap();
    let script = [
        "SET a 1",
        "AUTH secret",
        "acl setuser bob on >pw",
        "config set masterauth pw",
        "HELLO 3 AUTH default nopass",
        "HELLO 2",
        "get \"open",
        "0 GET a",
        "GET a",
        "GET a",
        "\x01KEYS \x1b[A\x1b[A\x1b[A",
        "",
    ];
    let real = theirs();
    let programs: Vec<(&'static str, PathBuf)> = match real {
        Some(real) => vec![("redis-cli", real), ("redis-cli-rs", ours())],
        None => vec![("redis-cli-rs", ours())],
    };
    let mut files = Vec::new();
    for (name, bin) in programs {
        let home = Home::new();
        // An earlier session's history is recalled.
        std::fs::write(home.history(), "PING\n").unwrap();
        let mut t = spawn(name, &bin, &port_args(&server), &home);
        run_script(&mut t, &script);
        t.send("quit\r");
        t.exit_status();
        let file = home.history_text();
        assert_eq!(
            file, "PING\nSET a 1\nHELLO 2\nget \"open\nGET a\nHELLO 2\nquit\n",
            "{name}"
        );
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(home.history())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{name}");
        files.push(file);
    }

    // REDISCLI_HISTFILE names the file; /dev/null keeps none.
    let home = Home::new();
    let file = home.path().join("elsewhere");
    let rc = home.path().join(".redisclirc");
    let mut t = Term::spawn(
        "redis-cli-rs",
        &ours(),
        &port_args(&server),
        &[
            ("HOME", home.path()),
            ("REDISCLI_RCFILE", &rc),
            ("REDISCLI_HISTFILE", &file),
        ],
    );
    t.wait("the prompt", Term::at_prompt);
    t.line("PING");
    t.send("\x15\x04");
    t.exit_status();
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "PING\n");
    let mut t = Term::spawn(
        "redis-cli-rs",
        &ours(),
        &port_args(&server),
        &[
            ("HOME", home.path()),
            ("REDISCLI_RCFILE", &rc),
            ("REDISCLI_HISTFILE", Path::new("/dev/null")),
        ],
    );
    t.wait("the prompt", Term::at_prompt);
    t.line("PING");
    t.send("\x15\x04");
    t.exit_status();
    assert!(!home.history().exists());
}

#[test]
fn unix_socket_prompt_and_connect_command() {
    let server = RedisServer::builder().unix_socket().start().unwrap();
    let other = RedisServer::start().unwrap();
    let sock = server.unix_socket().unwrap().display().to_string();
    let home = Home::new();
    let mut t = spawn(
        "redis-cli-rs",
        &ours(),
        &["-s".into(), sock.clone(), "-n".into(), "1".into()],
        &home,
    );
    t.line("PING");
    t.line(&format!("connect 127.0.0.1 {}", other.port()));
    t.line("PING");
    t.line("connect 127.0.0.1 1");
    let text = t.text();
    let q = other.port();
    assert_eq!(
        text,
        format!(
            "redis {sock}[1]> PING\nPONG\nredis {sock}[1]> connect 127.0.0.1 {q}\n127.0.0.1:{q}[1]> PING\nPONG\n\
             127.0.0.1:{q}[1]> connect 127.0.0.1 1\nCould not connect to Redis at 127.0.0.1:1: Connection refused\nnot connected>"
        )
    );
    t.send("quit\r");
    assert!(t.exit_status().success());
}

/// The help table built from the server's `COMMAND DOCS` (RESP2 and RESP3)
/// is the built-in one, and `help` prints what `redis-cli help` prints.
#[test]
fn help_from_command_docs_matches_the_builtin_table_and_redis_cli() {
    use redis_blocking::{Cmd, Connection, Value};
    use redis_cli_rs::repl::help::{EntryKind, HelpTable};

    let server = RedisServer::start().unwrap();
    let builtin = HelpTable::builtin();
    for protocol in ["2", "3"] {
        let mut conn = Connection::open_url(&server.url()).unwrap();
        let _: Value = conn.query(&Cmd::new("HELLO").arg(protocol)).unwrap();
        let docs: Value = conn.query(&Cmd::new("COMMAND").arg("DOCS")).unwrap();
        let table = HelpTable::from_command_docs(&docs).expect("a table");
        assert_eq!(table.entries(), builtin.entries(), "RESP{protocol}");
    }

    let Some(real) = theirs() else { return };
    let mut topics: Vec<Vec<String>> = builtin
        .entries()
        .iter()
        .filter(|e| e.kind == EntryKind::Group)
        .map(|e| vec![e.full.clone()])
        .collect();
    for t in [
        "set",
        "CLIENT",
        "client kill",
        "xinfo stream",
        "nosuch",
        "get x y",
    ] {
        topics.push(t.split(' ').map(String::from).collect());
    }
    for topic in topics {
        let out = Command::new(&real)
            .args(port_args(&server))
            .arg("help")
            .args(&topic)
            .output()
            .unwrap();
        let args: Vec<Vec<u8>> = topic.iter().map(|t| t.as_bytes().to_vec()).collect();
        let mut ours = Vec::new();
        // redis-cli 7.0 colors help even when its output is not a terminal.
        builtin
            .write_help(&args, "redis-cli 7.0.15", true, &mut ours)
            .unwrap();
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&out.stdout),
            "help {topic:?}"
        );
    }
}

fn shell_script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../scripts/shell.sh")
}

/// The temporary directories `scripts/shell.sh` made under `tmp`.
fn script_dirs(tmp: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(tmp)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("redis-cli-rs-shell.")
        })
        .collect()
}

/// `echo PING | scripts/shell.sh`: a server, the answer, nothing left.
#[test]
fn shell_script_in_a_pipe() {
    let tmp = tempfile::tempdir().unwrap();
    let mut child = Command::new("bash")
        .arg(shell_script())
        .env("REDIS_CLI_RS_BIN", ours())
        .env("TMPDIR", tmp.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"PING\nSET k v\nGET k\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "PONG\nOK\nv\n");
    assert!(script_dirs(tmp.path()).is_empty());
}

/// `scripts/shell.sh` on a terminal: Ctrl-C leaves SUBSCRIBE without
/// stopping the server; `quit` stops it and removes its directory.
#[test]
fn shell_script_on_a_terminal() {
    let tmp = tempfile::tempdir().unwrap();
    let home = Home::new();
    let rc = home.path().join(".redisclirc");
    let mut t = Term::spawn(
        "scripts/shell.sh",
        Path::new("bash"),
        &[shell_script().display().to_string()],
        &[
            ("REDIS_CLI_RS_BIN", &ours()),
            ("TMPDIR", tmp.path()),
            ("HOME", home.path()),
            ("REDISCLI_RCFILE", &rc),
        ],
    );
    t.wait("the prompt", Term::at_prompt);
    assert_eq!(script_dirs(tmp.path()).len(), 1);
    t.send("SUBSCRIBE ch\r");
    t.wait_for("3) (integer) 1");
    t.send("\x03");
    t.wait("the prompt after Ctrl-C", Term::at_prompt);
    t.line("PING");
    assert!(
        t.text().contains("> PING\nPONG\n127.0.0.1:"),
        "{}",
        t.text()
    );
    t.send("quit\r");
    assert!(t.exit_status().success(), "{}", t.text());
    assert!(script_dirs(tmp.path()).is_empty());
}

#[test]
fn cluster_redirects_change_the_prompt_like_redis_cli() {
    let cluster = integration_tests::RedisCluster::builder()
        .replicas_per_master(0)
        .start()
        .unwrap();
    let first = cluster.node(0).port();
    let foo_owner = cluster.node_for_key(b"foo").map(|n| n.port()).unwrap();
    let script = ["SET foo bar", "GET foo", "SET a 1", "GET a"];
    let args = vec!["-c".to_string(), "-p".to_string(), first.to_string()];
    let home = Home::new();
    let mut t = spawn("redis-cli-rs", &ours(), &args, &home);
    run_script(&mut t, &script);
    let text = t.text();
    t.send("\x15\x04");
    assert!(t.exit_status().success());
    if foo_owner != first {
        let moved = format!("127.0.0.1:{first}> SET foo bar\n-> Redirected to slot [12182] located at 127.0.0.1:{foo_owner}\nOK\n127.0.0.1:{foo_owner}> GET foo\n\"bar\"");
        assert!(text.contains(&moved), "missing:\n{moved}\nscreen:\n{text}");
    }
    if let Some(real) = theirs() {
        let mut screens = Vec::new();
        for (name, bin) in [("redis-cli", real), ("redis-cli-rs", ours())] {
            for node in cluster.masters() {
                node.run(&["FLUSHALL"]);
            }
            let home = Home::new();
            let mut t = spawn(name, &bin, &args, &home);
            run_script(&mut t, &script);
            screens.push(t.styled());
            t.send("\x15\x04");
            t.exit_status();
        }
        assert_eq!(
            screens[1], screens[0],
            "redis-cli-rs (left) differs from redis-cli (right)"
        );
    }
}
