//! Scripting and functions.

use crate::Cmd;

commands! {
    /// Lua scripts and functions. For scripts run by SHA1 with automatic
    /// loading, see [`Script`](crate::Script).
    pub trait ScriptingCommands;

    /// `EVAL script numkeys key... arg...`.
    fn eval<S: ToArg, K: ToArgs, A: ToArgs>(script: S, numkeys: usize, keys: K, args: A) -> Cmd::new("EVAL").arg(script).arg(numkeys).arg(keys).arg(args);
    /// `EVALSHA sha1 numkeys key... arg...`.
    fn evalsha<S: ToArg, K: ToArgs, A: ToArgs>(sha1: S, numkeys: usize, keys: K, args: A) -> Cmd::new("EVALSHA").arg(sha1).arg(numkeys).arg(keys).arg(args);
    /// `SCRIPT LOAD script`: its SHA1.
    fn script_load<S: ToArg>(script: S) -> Cmd::new("SCRIPT").arg("LOAD").arg(script);
    /// `SCRIPT EXISTS sha1...`.
    fn script_exists<S: ToArgs>(sha1s: S) -> Cmd::new("SCRIPT").arg("EXISTS").arg(sha1s);
    /// `SCRIPT FLUSH`.
    fn script_flush() -> Cmd::new("SCRIPT").arg("FLUSH");
    /// `FUNCTION LOAD [REPLACE] code`: the library name.
    fn function_load<C: ToArg>(code: C, replace: bool) -> Cmd::new("FUNCTION").arg("LOAD").arg(replace.then_some("REPLACE")).arg(code);
    /// `FUNCTION DELETE library`.
    fn function_delete<L: ToArg>(library: L) -> Cmd::new("FUNCTION").arg("DELETE").arg(library);
    /// `FUNCTION FLUSH`.
    fn function_flush() -> Cmd::new("FUNCTION").arg("FLUSH");
    /// `FCALL function numkeys key... arg...`.
    fn fcall<F: ToArg, K: ToArgs, A: ToArgs>(function: F, numkeys: usize, keys: K, args: A) -> Cmd::new("FCALL").arg(function).arg(numkeys).arg(keys).arg(args);
    /// `FCALL_RO function numkeys key... arg...`: read-only functions, which
    /// replicas may run.
    fn fcall_ro<F: ToArg, K: ToArgs, A: ToArgs>(function: F, numkeys: usize, keys: K, args: A) -> Cmd::new("FCALL_RO").arg(function).arg(numkeys).arg(keys).arg(args);
}
