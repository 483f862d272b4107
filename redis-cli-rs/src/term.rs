//! Terminal facts: whether stdin/stdout are terminals, and reading a
//! password without echo (`--askpass`).

use std::io::{BufRead, Write};

/// True when stdout is a terminal.
pub(crate) fn stdout_is_tty() -> bool {
    // SAFETY: isatty only inspects the descriptor.
    unsafe { libc::isatty(libc::STDOUT_FILENO) == 1 }
}

/// True when the `FAKETTY` environment variable is set (to anything):
/// `redis-cli` then prints as if stdout were a terminal (`(integer) 1`,
/// quoted strings, numbered arrays, pushes shown). Redis's own test suite
/// sets it.
pub(crate) fn fake_tty() -> bool {
    std::env::var_os("FAKETTY").is_some()
}

/// True when stdin is a terminal.
pub(crate) fn stdin_is_tty() -> bool {
    // SAFETY: isatty only inspects the descriptor.
    unsafe { libc::isatty(libc::STDIN_FILENO) == 1 }
}

/// `askPassword`: linenoise in mask mode. On a terminal, prints `prompt`
/// and reads a line with echo off, printing a `*` per character typed (a
/// terminal linenoise does not drive, `TERM=dumb`, reads the line as
/// typed, trailing `\r` and `\n` removed); without a terminal, reads a
/// line silently, no prompt, and only its `\n` is removed
/// (`linenoiseNoTTY`: a `\r` before it is part of the password). The
/// password ends at a NUL byte, as a C string does. `None` at the end of
/// input with nothing read (then no `AUTH` is sent).
pub(crate) fn ask_password(prompt: &str) -> Option<Vec<u8>> {
    let mut stdout = std::io::stdout();
    let read_line = |strip_cr: bool| {
        let mut line = Vec::new();
        match std::io::stdin().lock().read_until(b'\n', &mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => {
                if line.last() == Some(&b'\n') {
                    line.pop();
                }
                while strip_cr && matches!(line.last(), Some(b'\n' | b'\r')) {
                    line.pop();
                }
                if let Some(nul) = line.iter().position(|&b| b == 0) {
                    line.truncate(nul);
                }
                Some(line)
            }
        }
    };
    if !stdin_is_tty() {
        return read_line(false);
    }
    let term = std::env::var("TERM").unwrap_or_default();
    if ["dumb", "cons25", "emacs"]
        .iter()
        .any(|t| term.eq_ignore_ascii_case(t))
    {
        let _ = write!(stdout, "{prompt}");
        let _ = stdout.flush();
        return read_line(true);
    }
    let _ = write!(stdout, "{prompt}");
    let _ = stdout.flush();
    // SAFETY: termios is plain data, filled by tcgetattr before use.
    let mut saved: libc::termios = unsafe { std::mem::zeroed() };
    // SAFETY: a valid descriptor and a valid pointer.
    let have_termios = unsafe { libc::tcgetattr(libc::STDIN_FILENO, &mut saved) } == 0;
    if have_termios {
        let mut raw = saved;
        raw.c_lflag &= !(libc::ECHO | libc::ICANON);
        raw.c_cc[libc::VMIN] = 1;
        raw.c_cc[libc::VTIME] = 0;
        // SAFETY: as above.
        unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &raw) };
    }
    let mut password = Vec::new();
    let mut byte = [0u8; 1];
    loop {
        // SAFETY: reading one byte into a one-byte buffer.
        let n = unsafe { libc::read(libc::STDIN_FILENO, byte.as_mut_ptr().cast(), 1) };
        if n <= 0 || byte[0] == b'\n' || byte[0] == b'\r' {
            break;
        }
        if byte[0] == 0x7f || byte[0] == 0x08 {
            if password.pop().is_some() {
                let _ = write!(stdout, "\x08 \x08");
            }
        } else {
            password.push(byte[0]);
            let _ = write!(stdout, "*");
        }
        let _ = stdout.flush();
    }
    if have_termios {
        // SAFETY: restoring what tcgetattr gave.
        unsafe { libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &saved) };
    }
    let _ = writeln!(stdout);
    Some(password)
}
