//! Scripting and functions.

use super::options::{FlushMode, RestorePolicy};
use super::Counted;
use crate::{Cmd, ToArg, ToArgs};

commands! {
    /// Lua scripts and functions; `numkeys` is counted from the keys given.
    /// For scripts run by SHA1 with automatic loading, see
    /// [`Script`](crate::Script).
    pub trait ScriptingCommands: Handle as SCRIPTING;

    /// `EVAL script numkeys key... arg...`.
    fn eval<S: ToArg<'a>, K: ToArgs<'a>, A: ToArgs<'a>>(script: S, keys: K, args: A) => Cmd::new("EVAL").arg(script).arg(Counted(keys)).arg(args);
    /// `EVAL_RO script numkeys key... arg...`: a read-only script, which
    /// replicas may run.
    fn eval_ro<S: ToArg<'a>, K: ToArgs<'a>, A: ToArgs<'a>>(script: S, keys: K, args: A) => Cmd::new("EVAL_RO").arg(script).arg(Counted(keys)).arg(args);
    /// `EVALSHA sha1 numkeys key... arg...`.
    fn evalsha<S: ToArg<'a>, K: ToArgs<'a>, A: ToArgs<'a>>(sha1: S, keys: K, args: A) => Cmd::new("EVALSHA").arg(sha1).arg(Counted(keys)).arg(args);
    /// `EVALSHA_RO sha1 numkeys key... arg...`.
    fn evalsha_ro<S: ToArg<'a>, K: ToArgs<'a>, A: ToArgs<'a>>(sha1: S, keys: K, args: A) => Cmd::new("EVALSHA_RO").arg(sha1).arg(Counted(keys)).arg(args);
    /// `SCRIPT LOAD script`: its SHA1.
    fn script_load<S: ToArg<'a>>(script: S): String => Cmd::new("SCRIPT").arg("LOAD").arg(script);
    /// `SCRIPT EXISTS sha1...`: one boolean per SHA1.
    fn script_exists<S: ToArgs<'a>>(sha1s: S): Vec<bool> => Cmd::new("SCRIPT").arg("EXISTS").arg(sha1s);
    /// `SCRIPT FLUSH`.
    fn script_flush() => Cmd::new("SCRIPT").arg("FLUSH");
    /// `SCRIPT FLUSH ASYNC|SYNC`.
    fn script_flush_mode(mode: FlushMode) => Cmd::new("SCRIPT").arg("FLUSH").arg(mode);
    /// `SCRIPT KILL`: stops the running script if it has not written
    /// (`NOTBUSY` when none runs, `UNKILLABLE` when it wrote).
    fn script_kill() => Cmd::new("SCRIPT").arg("KILL");
    /// `FUNCTION LOAD [REPLACE] code`: the library name.
    fn function_load<C: ToArg<'a>>(code: C, replace: bool) => Cmd::new("FUNCTION").arg("LOAD").arg(replace.then_some("REPLACE")).arg(code);
    /// `FUNCTION DELETE library`.
    fn function_delete<L: ToArg<'a>>(library: L) => Cmd::new("FUNCTION").arg("DELETE").arg(library);
    /// `FUNCTION FLUSH`.
    fn function_flush() => Cmd::new("FUNCTION").arg("FLUSH");
    /// `FUNCTION FLUSH ASYNC|SYNC`.
    fn function_flush_mode(mode: FlushMode) => Cmd::new("FUNCTION").arg("FLUSH").arg(mode);
    /// `FUNCTION KILL`: stops the running read-only function (`NOTBUSY`
    /// when none runs).
    fn function_kill() => Cmd::new("FUNCTION").arg("KILL");
    /// `FUNCTION LIST [WITHCODE]`: the libraries and their functions (a
    /// [`Value`](crate::Value), or maps).
    fn function_list(with_code: bool) => Cmd::new("FUNCTION").arg("LIST").arg(with_code.then_some("WITHCODE"));
    /// `FUNCTION LIST LIBRARYNAME pattern [WITHCODE]`.
    fn function_list_matching<P: ToArg<'a>>(pattern: P, with_code: bool) => Cmd::new("FUNCTION").arg("LIST").arg("LIBRARYNAME").arg(pattern).arg(with_code.then_some("WITHCODE"));
    /// `FUNCTION DUMP`: every library, serialized.
    fn function_dump(): Vec<u8> => Cmd::new("FUNCTION").arg("DUMP");
    /// `FUNCTION RESTORE payload [APPEND|REPLACE|FLUSH]`.
    fn function_restore<P: ToArg<'a>>(payload: P, policy: RestorePolicy) => Cmd::new("FUNCTION").arg("RESTORE").arg(payload).arg(policy);
    /// `FUNCTION STATS`: the running function and the engines.
    fn function_stats() => Cmd::new("FUNCTION").arg("STATS");
    /// `FCALL function numkeys key... arg...`.
    fn fcall<F: ToArg<'a>, K: ToArgs<'a>, A: ToArgs<'a>>(function: F, keys: K, args: A) => Cmd::new("FCALL").arg(function).arg(Counted(keys)).arg(args);
    /// `FCALL_RO function numkeys key... arg...`: read-only functions, which
    /// replicas may run.
    fn fcall_ro<F: ToArg<'a>, K: ToArgs<'a>, A: ToArgs<'a>>(function: F, keys: K, args: A) => Cmd::new("FCALL_RO").arg(function).arg(Counted(keys)).arg(args);
}
