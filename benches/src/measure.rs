//! Clocks and counters shared by the client benchmarks: CPU time of a
//! thread, of the process and of child processes, a server's CPU time and
//! command counters, redis-benchmark's CSV, medians; workers timed in
//! parallel.

use std::sync::Barrier;
use std::time::{Duration, Instant};

/// The calling thread's CPU time.
pub fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; this clock id exists on
    // every Linux and on the BSDs.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// User and system time so far of the whole process (`RUSAGE_SELF`:
/// every thread's) or of the children waited for (`RUSAGE_CHILDREN`).
pub fn rusage(who: libc::c_int) -> (Duration, Duration) {
    // SAFETY: an all-zero `rusage` is a valid value of the plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `usage` is valid and writable.
    let rc = unsafe { libc::getrusage(who, &mut usage) };
    assert_eq!(rc, 0, "getrusage({who}) failed");
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    (tv(usage.ru_utime), tv(usage.ru_stime))
}

/// What workers run by [`parallel`] took: the wall clock, and the
/// process's CPU time (every thread's) in user space and in the kernel.
#[derive(Debug, Clone, Copy)]
pub struct Spent {
    /// From the start of all workers to the end of the last one.
    pub wall: Duration,
    /// The process's user-space CPU time meanwhile.
    pub user: Duration,
    /// The process's kernel CPU time meanwhile.
    pub sys: Duration,
}

impl Spent {
    /// User and kernel time together.
    pub fn cpu(&self) -> Duration {
        self.user + self.sys
    }
}

/// Runs each worker on its own thread, all started together once spawned,
/// and times them until the last one ends.
pub fn parallel<W: FnOnce() + Send>(workers: Vec<W>) -> Spent {
    let barrier = Barrier::new(workers.len() + 1);
    std::thread::scope(|scope| {
        let handles: Vec<_> = workers
            .into_iter()
            .map(|work| {
                let barrier = &barrier;
                scope.spawn(move || {
                    barrier.wait();
                    work();
                })
            })
            .collect();
        barrier.wait();
        let (start, before) = (Instant::now(), rusage(libc::RUSAGE_SELF));
        for handle in handles {
            handle.join().expect("a benchmark thread panicked");
        }
        let wall = start.elapsed();
        let after = rusage(libc::RUSAGE_SELF);
        Spent {
            wall,
            user: after.0 - before.0,
            sys: after.1 - before.1,
        }
    })
}

/// CPU time of a server's main thread (the one that serves commands),
/// from `/proc/<pid>/schedstat`.
pub fn server_cpu(pid: u32) -> Duration {
    let text = std::fs::read_to_string(format!("/proc/{pid}/schedstat")).unwrap_or_default();
    let ns = text
        .split_whitespace()
        .next()
        .and_then(|f| f.parse().ok())
        .unwrap_or(0);
    Duration::from_nanos(ns)
}

/// The `calls=` count of `cmdstat_<command>` in an `INFO commandstats`
/// text, and the sum over every command.
pub fn commandstats_calls(info: &str, command: &str) -> (u64, u64) {
    let wanted = format!("cmdstat_{command}");
    let (mut of_command, mut all) = (0, 0);
    for line in info.lines() {
        let Some((name, rest)) = line.split_once(":calls=") else {
            continue;
        };
        let n: u64 = rest
            .split(',')
            .next()
            .and_then(|n| n.parse().ok())
            .unwrap_or(0);
        all += n;
        if name == wanted {
            of_command = n;
        }
    }
    (of_command, all)
}

/// The requests per second of test `name` in redis-benchmark's `--csv`
/// output (`"test","rps",...` then `"GET","77881.62",...`).
pub fn csv_rps(csv: &str, name: &str) -> Option<f64> {
    csv.lines().find_map(|line| {
        let mut fields = line.split(',').map(|f| f.trim().trim_matches('"'));
        if fields.next()? != name {
            return None;
        }
        fields.next()?.parse().ok()
    })
}

/// The median of `v` (the upper one for an even length).
pub fn median<T: Copy>(mut v: Vec<T>, cmp: impl Fn(&T, &T) -> std::cmp::Ordering) -> T {
    v.sort_unstable_by(cmp);
    v[v.len() / 2]
}

/// The one-minute load average, as text.
pub fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// The version of the `redis-benchmark` program (`REDIS_BENCHMARK_BIN`
/// overrides it) with the program's path, if it runs.
pub fn redis_benchmark() -> Option<(String, String)> {
    let program = std::env::var("REDIS_BENCHMARK_BIN").unwrap_or_else(|_| "redis-benchmark".into());
    let out = std::process::Command::new(&program)
        .arg("--version")
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    // "redis-benchmark 7.0.15"
    let version = text.split_whitespace().nth(1)?.to_string();
    Some((program, version))
}
