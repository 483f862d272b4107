//! Lua scripts run by SHA1, loaded on demand.

use std::sync::Arc;

use crate::commands::Handle;
use crate::error::{ErrorCode, Result};
use crate::types::{FromReply, ToArgs};
use crate::Cmd;

/// A Lua script and its SHA1.
///
/// Running it sends `EVALSHA`; if the server answers `NOSCRIPT` (which
/// means the script did not run), the script is loaded with `SCRIPT LOAD`
/// and `EVALSHA` sent again. In a pipeline the script is loaded in the same
/// batch, before its first call.
///
/// # Example
///
/// ```no_run
/// use redis_blocking::prelude::*;
/// use redis_blocking::Script;
///
/// let script = Script::new("return redis.call('INCRBY', KEYS[1], ARGV[1])");
/// let mut conn = Connection::open_url("redis://127.0.0.1")?;
/// let n: i64 = conn.run_script(&script.call().key("counter").arg(5))?;
/// let mut pipe = Pipeline::new();
/// pipe.run_script(script.call().key("counter").arg(1));
/// let (m,): (i64,) = conn.query_pipeline(&pipe)?;
/// assert_eq!(m, n + 1);
/// # Ok::<(), redis_blocking::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    source: Arc<str>,
    sha1: Arc<str>,
}

impl Script {
    /// A script from its Lua source.
    pub fn new(source: &str) -> Script {
        let sha1 = sha1_smol::Sha1::from(source).digest().to_string();
        Script {
            source: source.into(),
            sha1: sha1.into(),
        }
    }

    /// The Lua source.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The SHA1 of the source, in lower-case hex, as `EVALSHA` wants it.
    pub fn sha1(&self) -> &str {
        &self.sha1
    }

    /// Starts a call: add keys and arguments, then run it.
    pub fn call<'a>(&self) -> ScriptCall<'a> {
        ScriptCall {
            script: self.clone(),
            keys: Cmd::new("keys"),
            args: Cmd::new("args"),
        }
    }

    /// `SCRIPT LOAD source`.
    pub fn load_cmd(&self) -> Cmd<'_> {
        Cmd::new("SCRIPT").arg("LOAD").arg(&*self.source)
    }
}

/// A [`Script`] with its keys and arguments.
#[derive(Debug, Clone)]
pub struct ScriptCall<'a> {
    script: Script,
    keys: Cmd<'a>,
    args: Cmd<'a>,
}

impl<'a> ScriptCall<'a> {
    /// Adds a key (`KEYS[n]` in the script).
    pub fn key<T: ToArgs<'a>>(mut self, key: T) -> Self {
        self.keys.add_arg(key);
        self
    }

    /// Adds an argument (`ARGV[n]` in the script).
    pub fn arg<T: ToArgs<'a>>(mut self, arg: T) -> Self {
        self.args.add_arg(arg);
        self
    }

    /// Why this call must not be sent, if a key or argument could not be
    /// written (a `Json` value serde cannot serialize).
    fn invalid(&self) -> Option<&str> {
        self.keys.invalid().or(self.args.invalid())
    }

    /// This call with `prefix` put before every key.
    pub fn with_key_prefix(&self, prefix: &[u8]) -> ScriptCall<'static> {
        let mut keys = Cmd::new("keys");
        for key in self.keys.args().skip(1) {
            keys.add_arg([prefix, key].concat());
        }
        if let Some(why) = self.invalid() {
            keys.add_arg(Rejected(why));
        }
        let mut args = Cmd::new("args");
        for arg in self.args.args().skip(1) {
            args.add_arg(arg.to_vec());
        }
        ScriptCall {
            script: self.script.clone(),
            keys,
            args,
        }
    }

    /// The script.
    pub fn script(&self) -> &Script {
        &self.script
    }

    /// `EVALSHA sha numkeys key... arg...`; refused before sending, as the
    /// call's own command would be, when a key or argument could not be
    /// written.
    pub fn evalsha_cmd(&self) -> Cmd<'_> {
        let keys: Vec<&[u8]> = self.keys.args().skip(1).collect();
        let args: Vec<&[u8]> = self.args.args().skip(1).collect();
        Cmd::new("EVALSHA")
            .arg(self.script.sha1())
            .arg(keys.len())
            .arg(keys)
            .arg(args)
            .arg(self.invalid().map(Rejected))
    }
}

/// Carries a rejected key or argument over to the command built from a
/// call: it writes nothing and marks that command as not to be sent.
struct Rejected<'r>(&'r str);

impl<'a> ToArgs<'a> for Rejected<'_> {
    fn write_args(&self, out: &mut crate::cmd::ArgSink<'_, 'a>) {
        out.reject(self.0)
    }
}

/// Running scripts on every [`Handle`]: a shared client by `&self`, a
/// connection by `&mut self`.
pub trait ScriptRunner: Handle + Sized {
    /// Runs a script call: `EVALSHA`, and on `NOSCRIPT` `SCRIPT LOAD` then
    /// `EVALSHA` again (safe: `NOSCRIPT` means it did not run).
    ///
    /// # Errors
    ///
    /// The script's error, or the call's failure.
    fn run_script<T: FromReply>(mut self, call: &ScriptCall<'_>) -> Result<T> {
        match self.execute::<T>(&call.evalsha_cmd()) {
            Err(e) if e.code() == Some(&ErrorCode::NoScript) => {
                self.execute::<()>(&call.script().load_cmd())?;
                self.execute(&call.evalsha_cmd())
            }
            other => other,
        }
    }
}

impl<H: Handle> ScriptRunner for H {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha1_and_call() {
        let script = Script::new("return 1");
        assert_eq!(script.sha1(), "e0e1f9fabfc9d4800c877a703b823ac0578ff8db");
        let call = script.call().key("k1").key("k2").arg(7);
        let cmd = call.evalsha_cmd();
        let args: Vec<&[u8]> = cmd.args().collect();
        assert_eq!(
            args,
            [
                &b"EVALSHA"[..],
                script.sha1().as_bytes(),
                b"2",
                b"k1",
                b"k2",
                b"7"
            ]
        );
    }
}
