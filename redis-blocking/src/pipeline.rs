//! Pipelines: many commands in as few writes as possible, and MULTI/EXEC
//! transactions.

use std::borrow::Cow;
use std::time::Duration;

use resp_core::command::{blocks, changes_mode, silences_replies, Blocks, Session};

use crate::cmd::Segments;
use crate::error::{Error, ErrorCode, ErrorKind, Executed, Result};
use crate::script::ScriptCall;
use crate::types::{ToArgs, Value};
use crate::Cmd;

/// The encoded `MULTI` and `EXEC` that wrap a transaction, and the
/// `ASKING` that may precede a batch.
const MULTI: &[u8] = b"*1\r\n$5\r\nMULTI\r\n";
const ASKING: &[u8] = b"*1\r\n$6\r\nASKING\r\n";
const ASKING_MULTI: &[u8] = b"*1\r\n$6\r\nASKING\r\n*1\r\n$5\r\nMULTI\r\n";
const EXEC: &[u8] = b"*1\r\n$4\r\nEXEC\r\n";

/// What becomes of a command's reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    Kept,
    Ignored,
    Internal,
}

/// A batch of commands sent together; optionally a MULTI/EXEC transaction.
///
/// Commands are encoded into one buffer as they are added, so a pipeline
/// of a million commands costs a few dozen bytes per command. Run it with
/// [`Connection::query_pipeline`](crate::Connection::query_pipeline) (typed
/// replies) or [`Connection::pipeline_results`](crate::Connection::pipeline_results)
/// (one result per command). Writing and reading interleave, so a pipeline
/// of any size runs without deadlock.
///
/// # Example
///
/// ```no_run
/// use redis_blocking::{Connection, Pipeline};
///
/// let mut conn = Connection::open_url("redis://127.0.0.1")?;
/// let mut pipe = Pipeline::new();
/// pipe.cmd("SET").arg("a").arg(1).ignore();
/// pipe.cmd("INCR").arg("a");
/// pipe.cmd("GET").arg("a");
/// let (incremented, value): (i64, String) = conn.query_pipeline(&pipe)?;
/// assert_eq!((incremented, value.as_str()), (2, "2"));
/// # Ok::<(), redis_blocking::Error>(())
/// ```
#[derive(Default, Clone)]
pub struct Pipeline<'a> {
    buf: Vec<u8>,
    refs: Vec<(usize, Cow<'a, [u8]>)>,
    /// Per command: logical end offset (large arguments included).
    ends: Vec<usize>,
    /// Per command: where it starts in `buf`.
    starts: Vec<usize>,
    /// Per command: whether its reply is kept, ignored by
    /// `query_pipeline`, or internal (hidden from every result).
    roles: Vec<Role>,
    /// Script calls: their command index, for `NOSCRIPT` recovery.
    scripts: Vec<(usize, ScriptCall<'a>)>,
    ref_bytes: usize,
    atomic: bool,
    /// `ASKING` is written before the batch (a cluster's `ASK` target).
    asking: bool,
    timeout: Option<Duration>,
    blocking: Option<Duration>,
    blocks_forever: bool,
    invalid: Option<String>,
    session: Session,
}

impl<'a> Pipeline<'a> {
    /// An empty pipeline.
    pub fn new() -> Pipeline<'a> {
        Pipeline::default()
    }

    /// An empty pipeline that runs as one MULTI/EXEC transaction.
    pub fn transaction() -> Pipeline<'a> {
        Pipeline {
            atomic: true,
            ..Pipeline::default()
        }
    }

    /// Makes this pipeline a MULTI/EXEC transaction.
    pub fn atomic(&mut self) -> &mut Pipeline<'a> {
        self.atomic = true;
        self
    }

    /// True for a MULTI/EXEC transaction.
    pub fn is_atomic(&self) -> bool {
        self.atomic
    }

    /// Gives the whole pipeline a timeout, from its first write to its last
    /// reply, replacing the connection's.
    pub fn timeout(&mut self, timeout: Duration) -> &mut Pipeline<'a> {
        self.timeout = Some(timeout);
        self
    }

    /// Adds a finished command.
    pub fn add(&mut self, cmd: Cmd<'a>) -> &mut Pipeline<'a> {
        self.push(cmd);
        self
    }

    /// Starts a command; chain [`arg`](PipelineCmd::arg) to add its
    /// arguments. The command joins the pipeline when the returned builder
    /// is dropped, or when [`cmd`](PipelineCmd::cmd) starts the next one.
    pub fn cmd(&mut self, name: &str) -> PipelineCmd<'_, 'a> {
        PipelineCmd {
            cmd: Some(Cmd::new(name)),
            ignore: false,
            pipe: self,
        }
    }

    /// Leaves the last command's reply out of the typed result.
    pub fn ignore(&mut self) -> &mut Pipeline<'a> {
        if let Some(last @ Role::Kept) = self.roles.last_mut() {
            *last = Role::Ignored;
        }
        self
    }

    /// The number of commands.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// The number of commands whose results callers see: internal ones
    /// (`SCRIPT LOAD` before a script's first call) left out.
    pub fn visible_len(&self) -> usize {
        self.roles.iter().filter(|r| **r != Role::Internal).count()
    }

    /// True when no command was added.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Removes every command, keeping the buffers' capacity.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.refs.clear();
        self.ends.clear();
        self.starts.clear();
        self.roles.clear();
        self.scripts.clear();
        self.ref_bytes = 0;
        self.blocking = None;
        self.blocks_forever = false;
        self.invalid = None;
        self.session = Session::default();
    }

    pub(crate) fn push(&mut self, cmd: Cmd<'a>) {
        if self.invalid.is_none() {
            if let Some(why) = cmd.invalid() {
                self.invalid = Some(why.to_owned());
            } else if changes_mode(&cmd) {
                self.invalid = Some(format!(
                    "{} cannot run in a pipeline: use a Subscriber or Monitor",
                    String::from_utf8_lossy(cmd.name())
                ));
            } else if silences_replies(&cmd) {
                self.invalid = Some(
                    "CLIENT REPLY OFF/SKIP cannot run in a pipeline: replies could no longer be paired with commands"
                        .to_owned(),
                );
            }
        }
        self.session.note(&cmd);
        match blocks(&cmd) {
            Blocks::No => {}
            Blocks::For(d) => self.blocking = Some(self.blocking.unwrap_or_default() + d),
            Blocks::Forever => self.blocks_forever = true,
        }
        self.starts.push(self.buf.len());
        let refs_before = self.refs.len();
        cmd.move_into(&mut self.buf, &mut self.refs);
        self.ref_bytes += self.refs[refs_before..]
            .iter()
            .map(|(_, b)| b.len())
            .sum::<usize>();
        self.ends.push(self.buf.len() + self.ref_bytes);
        self.roles.push(Role::Kept);
    }

    /// Fails if a command cannot run in a pipeline.
    pub(crate) fn check(&self) -> Result<(), Error> {
        match &self.invalid {
            Some(why) => Err(Error::new(
                ErrorKind::InvalidCommand,
                Executed::No,
                why.clone(),
            )),
            None => Ok(()),
        }
    }

    /// The bytes to write.
    pub(crate) fn segments(&self) -> Segments<'_> {
        Segments {
            prefix: match (self.asking, self.atomic) {
                (true, true) => ASKING_MULTI,
                (true, false) => ASKING,
                (false, true) => MULTI,
                (false, false) => b"",
            },
            buf: Cow::Borrowed(&self.buf),
            refs: self
                .refs
                .iter()
                .map(|(end, bytes)| (*end, &**bytes))
                .collect(),
            suffix: if self.atomic { EXEC } else { b"" },
        }
    }

    fn prefix_len(&self) -> usize {
        self.segments().prefix.len()
    }

    /// Writes `ASKING` before the batch: the node it goes to imports the
    /// slot, and answers for it only after `ASKING` (which holds for a
    /// whole MULTI/EXEC).
    pub(crate) fn set_asking(&mut self, on: bool) {
        self.asking = on;
    }

    /// Whether `ASKING` goes before the batch.
    pub(crate) fn is_asking(&self) -> bool {
        self.asking
    }

    /// How many of the commands on the wire (`MULTI` and `EXEC` counted)
    /// were completely written when `written` of the `total` bytes were.
    pub(crate) fn commands_written(&self, written: usize, total: usize) -> usize {
        let prefix = self.prefix_len();
        let logical = written.saturating_sub(prefix);
        let commands = self.ends.partition_point(|&end| end <= logical);
        let asking = usize::from(self.asking && written >= ASKING.len());
        if !self.atomic {
            return asking + commands;
        }
        asking + usize::from(written >= prefix) + commands + usize::from(written >= total)
    }

    /// The name of command `i`, for messages.
    pub(crate) fn command_name(&self, i: usize) -> String {
        let Some(&start) = self.starts.get(i) else {
            return String::new();
        };
        // `*N\r\n$L\r\nNAME\r\n`: the name is always copied into `buf`.
        let mut decoder = resp_core::RequestDecoder::new();
        let end = self.buf.len().min(start + 1024);
        match decoder.decode(&self.buf[start..end]) {
            Ok(resp_core::Status::Complete((args, _))) => args
                .first()
                .map(|n| String::from_utf8_lossy(n).into_owned())
                .unwrap_or_default(),
            _ => {
                let text = &self.buf[start..end];
                let name = text
                    .split(|&b| b == b'\n')
                    .nth(2)
                    .unwrap_or_default()
                    .strip_suffix(b"\r")
                    .unwrap_or_default();
                String::from_utf8_lossy(name).into_owned()
            }
        }
    }

    /// A plain pipeline of commands `from..` of this one, for sending again
    /// the commands that surely did not run.
    pub(crate) fn suffix(&self, from: usize) -> Pipeline<'a> {
        let picks: Vec<(usize, bool)> = (from..self.len()).map(|i| (i, false)).collect();
        self.select(&picks)
    }

    /// A plain pipeline of some commands of this one, in the order given,
    /// each preceded by `ASKING` (as an internal command) when its flag
    /// says so: a cluster node's share of a pipeline.
    pub(crate) fn select(&self, picks: &[(usize, bool)]) -> Pipeline<'a> {
        let mut out = self.empty_share();
        out.extend_select(self, picks);
        out
    }

    /// An empty plain pipeline with this one's settings, for
    /// [`extend_select`](Pipeline::extend_select).
    pub(crate) fn empty_share(&self) -> Pipeline<'a> {
        Pipeline {
            timeout: self.timeout,
            blocking: self.blocking,
            blocks_forever: self.blocks_forever,
            invalid: self.invalid.clone(),
            session: self.session,
            ..Pipeline::default()
        }
    }

    /// Makes room for about `commands` more commands the size of `from`'s
    /// average one, so that a share grown a few commands at a time is not
    /// copied as it grows.
    pub(crate) fn reserve_like(&mut self, from: &Pipeline<'a>, commands: usize) {
        self.buf
            .reserve(from.buf.len() / from.len().max(1) * commands);
        self.starts.reserve(commands);
        self.ends.reserve(commands);
        self.roles.reserve(commands);
    }

    /// Appends some commands of `from`, as [`select`](Pipeline::select)
    /// picks them, to this plain pipeline (made by `from`'s
    /// [`empty_share`](Pipeline::empty_share)).
    pub(crate) fn extend_select(&mut self, from: &Pipeline<'a>, picks: &[(usize, bool)]) {
        let out = self;
        // Room for the picks, their bytes estimated from the average
        // command's.
        let share = |len: usize| len / from.len().max(1) * picks.len();
        out.buf
            .reserve(share(from.buf.len()) + share(from.buf.len()) / 8);
        out.starts.reserve(picks.len());
        out.ends.reserve(picks.len());
        out.roles.reserve(picks.len());
        let plain = from.refs.is_empty() && from.scripts.is_empty();
        for &(i, asking) in picks {
            if asking {
                out.push(Cmd::new("ASKING"));
                if let Some(last) = out.roles.last_mut() {
                    *last = Role::Internal;
                }
            }
            if plain {
                // Bytes alone: no large argument, no script (and the
                // session is this pipeline's already).
                let start = from.starts[i];
                let end = from.starts.get(i + 1).copied().unwrap_or(from.buf.len());
                out.starts.push(out.buf.len());
                out.buf.extend_from_slice(&from.buf[start..end]);
                out.ends.push(out.buf.len() + out.ref_bytes);
                out.roles.push(from.roles[i]);
            } else {
                out.append_copy(from, i);
            }
        }
    }

    /// Appends command `i` of `from`, as it is (with its script, if it is
    /// a script call).
    pub(crate) fn append_copy(&mut self, from: &Pipeline<'a>, i: usize) {
        self.copy_command(from, i);
        // Script calls are kept in the order of their commands.
        if let Ok(s) = from.scripts.binary_search_by_key(&i, |(at, _)| *at) {
            let call = from.scripts[s].1.clone();
            self.scripts.push((self.roles.len() - 1, call));
        }
        self.session = self.session.union(from.session);
    }

    /// The arguments of command `i` (its name first), borrowed.
    pub(crate) fn args_of(&self, i: usize) -> Vec<&[u8]> {
        let mut args = Vec::new();
        self.args_into(i, &mut args);
        args
    }

    /// [`args_of`](Pipeline::args_of) into `args` (cleared first), so
    /// that a loop over a pipeline's commands reuses one vector.
    pub(crate) fn args_into<'s>(&'s self, i: usize, args: &mut Vec<&'s [u8]>) {
        args.clear();
        let mut read = self.args(i);
        args.reserve(read.left());
        args.extend(read.by_ref());
    }

    /// The arguments of command `i` (its name first), read one by one
    /// as asked for: a caller that needs only the first few does not
    /// parse the rest. Nothing for an index past the end.
    pub(crate) fn args(&self, i: usize) -> Args<'_> {
        let Some(&start) = self.starts.get(i) else {
            return Args::NONE;
        };
        let end = self.starts.get(i + 1).copied().unwrap_or(self.buf.len());
        let buf = &self.buf[..end];
        match header(buf, start) {
            Some((left, at)) => Args {
                buf,
                refs: &self.refs,
                at,
                left,
            },
            None => Args::NONE,
        }
    }

    /// The encoded bytes of command `i` that lie in the pipeline's own
    /// buffer (its name always does; a large argument is elsewhere), and
    /// where they start; empty past the end.
    pub(crate) fn command_bytes(&self, i: usize) -> (usize, &[u8]) {
        let Some(&start) = self.starts.get(i) else {
            return (0, b"");
        };
        let end = self.starts.get(i + 1).copied().unwrap_or(self.buf.len());
        (start, &self.buf[start..end])
    }

    /// The `left` arguments of command `i` whose first header is `skip`
    /// bytes into the command (as [`Args::position`] told for a command
    /// of the same leading bytes).
    pub(crate) fn args_from(&self, i: usize, skip: usize, left: usize) -> Args<'_> {
        let (start, bytes) = self.command_bytes(i);
        Args {
            buf: &self.buf[..start + bytes.len()],
            refs: &self.refs,
            at: start + skip,
            left,
        }
    }

    /// Appends command `i` of `from`, bytes as they are.
    fn copy_command(&mut self, from: &Pipeline<'a>, i: usize) {
        let start = from.starts[i];
        let end = from.starts.get(i + 1).copied().unwrap_or(from.buf.len());
        let base = self.buf.len();
        self.starts.push(base);
        self.buf.extend_from_slice(&from.buf[start..end]);
        // Large arguments go right after their `$len` header, strictly
        // inside their own command's bytes (references are kept in the
        // order of their positions).
        let first = from.refs.partition_point(|(at, _)| *at <= start);
        let last = from.refs.partition_point(|(at, _)| *at <= end);
        for (at, bytes) in &from.refs[first..last] {
            self.refs.push((base + at - start, bytes.clone()));
            self.ref_bytes += bytes.len();
        }
        self.ends.push(self.buf.len() + self.ref_bytes);
        self.roles.push(from.roles[i]);
    }

    pub(crate) fn ignored(&self, i: usize) -> bool {
        self.roles.get(i).is_some_and(|r| *r != Role::Kept)
    }

    /// True for commands the pipeline added itself (`SCRIPT LOAD`).
    pub(crate) fn internal(&self, i: usize) -> bool {
        self.roles.get(i) == Some(&Role::Internal)
    }

    /// The script calls and their command indices.
    pub(crate) fn script_calls(&self) -> &[(usize, ScriptCall<'a>)] {
        &self.scripts
    }

    /// The results callers see: one per command they added, those of the
    /// pipeline's own commands (`SCRIPT LOAD`) left out.
    pub(crate) fn visible_results<R>(&self, results: Vec<R>) -> Vec<R> {
        results
            .into_iter()
            .enumerate()
            .filter(|(i, _)| !self.internal(*i))
            .map(|(_, r)| r)
            .collect()
    }

    /// Script calls of a plain pipeline that met `NOSCRIPT` (a `SCRIPT
    /// FLUSH` between their load and their call) did not run: each is run
    /// by `run` now, after the pipeline, its result replacing the error.
    pub(crate) fn rerun_unloaded_scripts(
        &self,
        results: &mut [Result<Value>],
        mut run: impl FnMut(&ScriptCall<'a>) -> Result<Value>,
    ) {
        if self.is_atomic() {
            return;
        }
        for (i, call) in &self.scripts {
            if matches!(&results[*i], Err(e) if e.code() == Some(&ErrorCode::NoScript)) {
                results[*i] = run(call);
            }
        }
    }

    /// Queues a script call: `SCRIPT LOAD` before the first call of each
    /// script in this pipeline (its reply hidden), then `EVALSHA`. A call
    /// that still meets `NOSCRIPT` (a `SCRIPT FLUSH` in between) did not
    /// run and is run again after the batch, in a plain pipeline.
    pub fn run_script(&mut self, call: ScriptCall<'a>) -> &mut Pipeline<'a> {
        let sha = call.script().sha1().to_owned();
        if !self.scripts.iter().any(|(_, c)| c.script().sha1() == sha) {
            let load = Cmd::new("SCRIPT")
                .arg("LOAD")
                .arg(call.script().source().to_owned());
            self.push(load);
            if let Some(last) = self.roles.last_mut() {
                *last = Role::Internal;
            }
        }
        let evalsha = {
            let cmd = call.evalsha_cmd();
            let mut owned = Cmd::new("EVALSHA");
            for arg in cmd.args().skip(1) {
                owned.add_arg(arg.to_vec());
            }
            owned
        };
        self.push(evalsha);
        self.scripts.push((self.roles.len() - 1, call));
        self
    }

    /// This pipeline with `prefix` put before every key argument of every
    /// command; see [`Cmd::with_key_prefix`].
    pub fn with_key_prefix(&self, prefix: &[u8]) -> Pipeline<'static> {
        // Reassemble the stream, large arguments included, and decode it
        // back into commands.
        let mut wire = Vec::with_capacity(self.buf.len() + self.ref_bytes);
        let mut from = 0;
        for (end, bytes) in &self.refs {
            wire.extend_from_slice(&self.buf[from..*end]);
            wire.extend_from_slice(bytes);
            from = *end;
        }
        wire.extend_from_slice(&self.buf[from..]);
        let mut out = Pipeline {
            atomic: self.atomic,
            timeout: self.timeout,
            invalid: self.invalid.clone(),
            ..Pipeline::default()
        };
        let mut decoder = resp_core::RequestDecoder::with_limits(
            resp_core::Limits::default().max_bulk_len(usize::MAX / 2),
        );
        let mut rest = &wire[..];
        while let Ok(resp_core::Status::Complete((args, used))) = decoder.decode(rest) {
            let mut cmd = Cmd::from_name_bytes(&args[0]);
            for arg in &args[1..] {
                cmd.add_arg(arg.to_vec());
            }
            out.push(cmd.with_key_prefix(prefix));
            rest = &rest[used..];
        }
        out.roles = self.roles.clone();
        out.scripts = self
            .scripts
            .iter()
            .map(|(i, call)| (*i, call.with_key_prefix(prefix)))
            .collect();
        out
    }

    /// The session state its commands leave behind.
    pub(crate) fn session(&self) -> Session {
        self.session
    }

    /// The pipeline's own timeout.
    pub(crate) fn get_timeout(&self) -> Option<Duration> {
        self.timeout
    }

    /// How long its blocking commands may block, together.
    pub(crate) fn blocking(&self) -> Blocks {
        match (self.blocks_forever, self.blocking) {
            (true, _) => Blocks::Forever,
            (false, Some(d)) => Blocks::For(d),
            (false, None) => Blocks::No,
        }
    }
}

/// A header this pipeline wrote itself at `at`: `*<n>\r\n` or
/// `$<n>\r\n`, 1 to 19 digits; `n` and where the line ends. The digits
/// are read as they are scanned (these lines are short, so a search for
/// `\r` first would cost more than it saves).
fn header(buf: &[u8], at: usize) -> Option<(usize, usize)> {
    let digits = buf.get(at + 1..)?;
    let mut n = 0usize;
    for (len, &d) in digits.iter().enumerate() {
        match d {
            b'\r' if len > 0 => return Some((n, at + 1 + len + 2)),
            b'0'..=b'9' if len < 19 => n = n * 10 + usize::from(d - b'0'),
            _ => return None,
        }
    }
    None
}

/// The arguments of one command of a [`Pipeline`], borrowed, read from
/// its encoding as they are asked for ([`Pipeline::args`]).
pub(crate) struct Args<'s> {
    /// The pipeline's bytes up to the command's end.
    buf: &'s [u8],
    /// The pipeline's large arguments, by position.
    refs: &'s [(usize, Cow<'s, [u8]>)],
    /// Where the next argument's header is.
    at: usize,
    /// Arguments not read yet.
    left: usize,
}

impl Args<'_> {
    const NONE: Args<'static> = Args {
        buf: b"",
        refs: &[],
        at: 0,
        left: 0,
    };

    /// How many arguments are left to read.
    pub(crate) fn left(&self) -> usize {
        self.left
    }

    /// Where the next argument's header is, in the pipeline's buffer.
    pub(crate) fn position(&self) -> usize {
        self.at
    }
}

impl<'s> Iterator for Args<'s> {
    type Item = &'s [u8];

    fn next(&mut self) -> Option<&'s [u8]> {
        if self.left == 0 {
            return None;
        }
        let Some((len, body)) = header(self.buf, self.at) else {
            self.left = 0;
            return None;
        };
        self.left -= 1;
        // References are kept in the order of their positions.
        if !self.refs.is_empty() {
            if let Ok(r) = self.refs.binary_search_by_key(&body, |(pos, _)| *pos) {
                self.at = body + 2;
                return Some(&self.refs[r].1[..]);
            }
        }
        self.at = body + len + 2;
        self.buf.get(body..body + len).or_else(|| {
            self.left = 0;
            None
        })
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (0, Some(self.left))
    }
}

/// A command being added to a [`Pipeline`]; it joins the pipeline when
/// dropped.
pub struct PipelineCmd<'p, 'a> {
    pipe: &'p mut Pipeline<'a>,
    cmd: Option<Cmd<'a>>,
    ignore: bool,
}

impl<'a> PipelineCmd<'_, 'a> {
    /// Adds an argument.
    pub fn arg<T: ToArgs<'a>>(mut self, arg: T) -> Self {
        if let Some(cmd) = &mut self.cmd {
            cmd.add_arg(arg);
        }
        self
    }

    /// Leaves this command's reply out of the typed result.
    pub fn ignore(mut self) -> Self {
        self.ignore = true;
        self
    }

    /// Adds this command and starts the next.
    pub fn cmd(mut self, name: &str) -> Self {
        self.flush();
        self.cmd = Some(Cmd::new(name));
        self
    }

    fn flush(&mut self) {
        if let Some(cmd) = self.cmd.take() {
            self.pipe.push(cmd);
            if std::mem::take(&mut self.ignore) {
                self.pipe.ignore();
            }
        }
    }
}

impl Drop for PipelineCmd<'_, '_> {
    fn drop(&mut self) {
        self.flush();
    }
}

impl std::fmt::Debug for Pipeline<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pipeline")
            .field("commands", &self.len())
            .field("atomic", &self.atomic)
            .field("bytes", &(self.buf.len() + self.ref_bytes))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Four commands: a small one, one with a large (referenced)
    /// argument, one without arguments, and one with ten arguments
    /// (two-digit lengths).
    fn sample() -> Pipeline<'static> {
        static BIG: [u8; 20_000] = [b'x'; 20_000];
        let mut pipe = Pipeline::new();
        pipe.cmd("SET").arg("k").arg("v");
        pipe.cmd("SET").arg("big").arg(&BIG[..]);
        pipe.cmd("PING");
        let mut mset = Cmd::new("MSET");
        for i in 0..5 {
            mset = mset.arg(format!("key:{i:012}")).arg("0123456789abcdef");
        }
        pipe.add(mset);
        pipe
    }

    fn argv(pipe: &Pipeline<'_>, i: usize) -> Vec<Vec<u8>> {
        pipe.args_of(i).into_iter().map(<[u8]>::to_vec).collect()
    }

    #[test]
    fn args_of_reads_back_every_command() {
        let pipe = sample();
        assert_eq!(argv(&pipe, 0), [&b"SET"[..], b"k", b"v"]);
        let big = argv(&pipe, 1);
        assert_eq!(big.len(), 3);
        assert_eq!(big[2], vec![b'x'; 20_000]);
        assert_eq!(argv(&pipe, 2), [b"PING"]);
        let mset = argv(&pipe, 3);
        assert_eq!(mset.len(), 11);
        assert_eq!(mset[9], b"key:000000000004");
        assert_eq!(mset[10], b"0123456789abcdef");
        assert!(pipe.args_of(4).is_empty());
    }

    #[test]
    fn a_selection_keeps_commands_and_their_large_arguments() {
        let pipe = sample();
        let share = pipe.select(&[(3, false), (1, true), (0, false)]);
        // ASKING before command 1, as an internal command.
        assert_eq!(share.len(), 4);
        assert!(share.internal(1));
        assert_eq!(argv(&share, 0), argv(&pipe, 3));
        assert_eq!(argv(&share, 1), [b"ASKING"]);
        assert_eq!(argv(&share, 2), argv(&pipe, 1));
        assert_eq!(argv(&share, 3), argv(&pipe, 0));
        assert_eq!(share.refs.len(), 1);
        assert_eq!(
            share.buf.len() + share.ref_bytes,
            *share.ends.last().unwrap()
        );
    }

    /// The same without large arguments or scripts (bytes copied alone).
    #[test]
    fn a_selection_of_plain_commands_keeps_them_and_their_roles() {
        let mut pipe = Pipeline::new();
        pipe.cmd("SET").arg("k").arg("v").ignore();
        pipe.cmd("PING");
        pipe.cmd("GET").arg("k");
        let share = pipe.select(&[(2, true), (0, false)]);
        assert_eq!(share.len(), 3);
        assert!(share.internal(0));
        assert_eq!(argv(&share, 0), [b"ASKING"]);
        assert_eq!(argv(&share, 1), argv(&pipe, 2));
        assert_eq!(argv(&share, 2), argv(&pipe, 0));
        assert!(!share.ignored(1) && share.ignored(2) && !share.internal(2));
        assert_eq!(share.ends, [16, 16 + 20, 16 + 20 + 27]);
        assert_eq!(share.buf.len(), 16 + 20 + 27);
        assert_eq!(
            share.buf.len() + share.ref_bytes,
            *share.ends.last().unwrap()
        );
    }
}
