//! The interactive shell.

pub mod editor;
pub mod help;
pub mod history;
pub mod prompt;
