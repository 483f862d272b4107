//! The line editor's helper: hints, their color and tab completion, from
//! the [help table](super::help::HelpTable).

use std::borrow::Cow;
use std::cell::Cell;

use rustyline::completion::Completer;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::line_buffer::LineBuffer;
use rustyline::validate::Validator;
use rustyline::{Changeset, Context, Helper};

use super::help::HelpTable;

/// What the editor asks while a line is typed: the hint after the line,
/// the completions of TAB.
#[derive(Debug)]
pub struct ShellHelper {
    /// The commands hints and completions come from.
    pub table: HelpTable,
    /// Whether hints are shown (`:set hints`, `:set nohints`).
    pub hints: bool,
    /// The width of the current prompt, to cut hints at the screen's edge
    /// as linenoise does.
    prompt_width: Cell<usize>,
}

impl ShellHelper {
    /// A helper for `table`, with hints on.
    pub fn new(table: HelpTable) -> ShellHelper {
        ShellHelper {
            table,
            hints: true,
            prompt_width: Cell::new(0),
        }
    }

    /// Tells the width of the prompt about to be shown.
    pub fn set_prompt_width(&self, width: usize) {
        self.prompt_width.set(width);
    }
}

/// The width of the terminal on standard output, if it is one.
pub fn terminal_columns() -> Option<usize> {
    // SAFETY: TIOCGWINSZ fills a winsize; a zeroed one is a valid start.
    unsafe {
        let mut ws: libc::winsize = std::mem::zeroed();
        if libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) == 0 && ws.ws_col > 0 {
            Some(ws.ws_col as usize)
        } else {
            None
        }
    }
}

impl Hinter for ShellHelper {
    type Hint = String;

    fn hint(&self, line: &str, _pos: usize, _ctx: &Context<'_>) -> Option<String> {
        if !self.hints {
            return None;
        }
        let mut hint = self.table.hint(line)?;
        // linenoise shows the part of the hint that fits on the line.
        let used = self.prompt_width.get() + line.chars().count();
        let cols = terminal_columns().unwrap_or(80);
        if used >= cols {
            return None;
        }
        if let Some((cut, _)) = hint.char_indices().nth(cols - used) {
            hint.truncate(cut);
        }
        (!hint.is_empty()).then_some(hint)
    }
}

impl Highlighter for ShellHelper {
    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        // linenoise's sequence for color 90, not bold.
        Cow::Owned(format!("\x1b[0;90;49m{hint}\x1b[0m"))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, kind: CmdKind) -> bool {
        // Repaint the whole line at every key, as linenoise does when it
        // shows hints: a hint that disappears must be wiped.
        self.hints && kind != CmdKind::ForcedRefresh
    }
}

impl Completer for ShellHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        _pos: usize,
        _ctx: &Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        Ok((0, self.table.completions(line)))
    }

    fn update(&self, line: &mut LineBuffer, _start: usize, elected: &str, cl: &mut Changeset) {
        // A candidate is the whole new line, cursor at its end.
        line.update(elected, elected.len(), cl);
    }
}

impl Validator for ShellHelper {}

impl Helper for ShellHelper {}
