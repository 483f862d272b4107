//! What typed commands run on: one connection (`&mut self`), a shared
//! client (`&self`), and the handle that joins the two.

use std::time::Duration;

use crate::{Client, ClusterClient, Cmd, Connection, FromReply, Pooled, Result};

/// Something that runs a command on one connection and converts its reply:
/// it needs `&mut self` ([`Connection`], [`Pooled`]).
///
/// Typed commands are methods of `&mut R` for every runner `R`, so
/// `conn.get("k")` works on a `Connection` held by value or by `&mut`.
pub trait Runner {
    /// Runs `cmd` and converts its reply to `T`.
    ///
    /// # Errors
    ///
    /// As [`Connection::query`].
    fn run_cmd<T: FromReply>(&mut self, cmd: &Cmd<'_>) -> Result<T>;
}

/// Something that runs commands from any number of threads at once through
/// `&self`: a pooled [`Client`] (whatever its router: a single server,
/// Sentinel), a [`ClusterClient`] and a [`Multiplexed`](crate::Multiplexed).
///
/// Typed commands are methods of `&S` for every shared runner `S`, so a
/// client kept in a struct or behind an `Arc` needs neither a lock nor a
/// clone per call.
///
/// # Example
///
/// ```no_run
/// use std::sync::Arc;
/// use redis_blocking::prelude::*;
///
/// struct App {
///     redis: Client,
/// }
///
/// let app = Arc::new(App { redis: Client::open("redis://127.0.0.1/")? });
/// let visits: i64 = app.redis.incr("visits")?;
/// let () = app.redis.set("last", visits)?;
/// # Ok::<(), redis_blocking::Error>(())
/// ```
pub trait SharedRunner {
    /// Runs `cmd` and converts its reply to `T`.
    ///
    /// # Errors
    ///
    /// As [`Client::query`].
    fn run_shared<T: FromReply>(&self, cmd: &Cmd<'_>) -> Result<T>;
}

/// One connection, not a pool: the receiver of commands that change the
/// state of the connection they run on (`SELECT`, `CLIENT SETNAME`, ...),
/// which a pool would undo; see [`SessionCommands`](super::SessionCommands).
pub trait OneConnection: Runner {}

/// What the methods of the typed-command traits run through: `&S` for a
/// [`SharedRunner`], `&mut R` for a [`Runner`], and `&mut` a
/// [`WithTimeout`] handle.
///
/// You rarely name it: every typed command trait is implemented for every
/// handle, and method calls borrow as needed (`client.get(..)` borrows the
/// client, `conn.get(..)` borrows the connection mutably). Code that works
/// on either takes a handle by value, or a runner by `&mut`:
///
/// ```no_run
/// use redis_blocking::prelude::*;
///
/// fn visit(redis: impl Handle, page: &str) -> redis_blocking::Result<i64> {
///     redis.hincr_by("visits", page, 1)
/// }
///
/// fn visit_twice<R: Runner>(conn: &mut R) -> redis_blocking::Result<i64> {
///     let _: i64 = conn.hincr_by("visits", "/", 1)?;
///     conn.hincr_by("visits", "/", 1)
/// }
///
/// let client = Client::open("redis://127.0.0.1/")?;
/// let mut conn = Connection::open_url("redis://127.0.0.1/")?;
/// visit(&client, "/")?;
/// visit(&mut conn, "/")?;
/// visit(&mut client.with_timeout(std::time::Duration::from_secs(1)), "/")?;
/// visit_twice(&mut conn)?;
/// # Ok::<(), redis_blocking::Error>(())
/// ```
pub trait Handle {
    /// Runs `cmd` and converts its reply to `T`.
    ///
    /// # Errors
    ///
    /// As the runner's.
    fn execute<T: FromReply>(&mut self, cmd: &Cmd<'_>) -> Result<T>;

    /// This handle with per-call options: `timeout` for each typed call
    /// made through it, in place of the client's or connection's (blocking
    /// commands still add their own wait to it).
    ///
    /// # Example
    ///
    /// ```no_run
    /// use std::time::Duration;
    /// use redis_blocking::prelude::*;
    ///
    /// let client = Client::open("redis://127.0.0.1/")?;
    /// let v: Option<String> = client.with_timeout(Duration::from_millis(50)).get("k")?;
    /// let job: Option<(String, String)> =
    ///     client.with_timeout(Duration::from_secs(1)).brpop("jobs", 5.0)?;
    /// # Ok::<(), redis_blocking::Error>(())
    /// ```
    fn with_timeout(self, timeout: Duration) -> WithTimeout<Self>
    where
        Self: Sized,
    {
        WithTimeout {
            handle: self,
            timeout,
        }
    }
}

impl<R: Runner + ?Sized> Handle for &mut R {
    fn execute<T: FromReply>(&mut self, cmd: &Cmd<'_>) -> Result<T> {
        (**self).run_cmd(cmd)
    }
}

impl<S: SharedRunner + ?Sized> Handle for &S {
    fn execute<T: FromReply>(&mut self, cmd: &Cmd<'_>) -> Result<T> {
        (**self).run_shared(cmd)
    }
}

/// A handle whose typed calls carry their own timeout; see
/// [`Handle::with_timeout`]. Typed methods are called on it directly:
/// `client.with_timeout(d).get("k")`.
#[derive(Debug, Clone, Copy)]
pub struct WithTimeout<H> {
    handle: H,
    timeout: Duration,
}

impl<H> WithTimeout<H> {
    /// The timeout each call gets.
    pub fn timeout(&self) -> Duration {
        self.timeout
    }
}

impl<H: Handle> Runner for WithTimeout<H> {
    fn run_cmd<T: FromReply>(&mut self, cmd: &Cmd<'_>) -> Result<T> {
        let timed = cmd.clone().timeout(self.timeout);
        self.handle.execute(&timed)
    }
}

impl<R: OneConnection + ?Sized> OneConnection for WithTimeout<&mut R> {}

impl Runner for Connection {
    fn run_cmd<T: FromReply>(&mut self, cmd: &Cmd<'_>) -> Result<T> {
        self.query(cmd)
    }
}

impl OneConnection for Connection {}

impl OneConnection for Pooled {}

impl SharedRunner for Client {
    fn run_shared<T: FromReply>(&self, cmd: &Cmd<'_>) -> Result<T> {
        self.query(cmd)
    }
}

impl SharedRunner for ClusterClient {
    fn run_shared<T: FromReply>(&self, cmd: &Cmd<'_>) -> Result<T> {
        self.query(cmd)
    }
}
