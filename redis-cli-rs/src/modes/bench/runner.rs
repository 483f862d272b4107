//! Runs one test: opens its connections, starts the workers, shows the
//! progress line, and merges what they measured.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{mpsc, Barrier};
use std::time::{Instant, SystemTime};

use super::engine::{self, Length, Plan, Shared, Slot, Warmup};
use super::plan::Settings;
use super::progress::{self, Line};
use super::result::TestResult;
use super::stats::Progress;
use super::target::Target;
use super::workload::{Generator, Workload};

/// Runs `workload` with `s` against `target`.
///
/// # Errors
///
/// A connection that cannot be opened before the test starts, in
/// redis-benchmark's words.
pub(crate) fn run_test(
    s: &Settings,
    target: &Target,
    workload: &Workload,
    round: u64,
) -> Result<TestResult, String> {
    let seed = s
        .seed
        .wrapping_add(round.wrapping_mul(0x2545_F491_4F6C_DD1D));
    let mut per_worker: Vec<Vec<Slot>> = (0..s.threads).map(|_| Vec::new()).collect();
    for i in 0..s.clients {
        let conn = target.open()?;
        let gen = Generator::new(workload, seed, i, s.clients);
        per_worker[i % s.threads].push(Slot::new(i, conn, gen));
    }
    let plan = Plan {
        workload,
        target,
        clients: s.clients,
        pipeline: s.pipeline,
        keepalive: s.keepalive,
        length: s.length,
        schedule: s.schedule.clone(),
        ramp: s.ramp.clone(),
        warmup: s.warmup.map(|length| Warmup {
            length,
            schedule: s.warmup_schedule.clone(),
        }),
        timeout: s.timeout,
        sigfig: s.sigfig,
        show_errors: s.show_errors,
    };
    run_plan(plan, per_worker, workload)
}

fn run_plan(
    plan: Plan<'_>,
    per_worker: Vec<Vec<Slot>>,
    workload: &Workload,
) -> Result<TestResult, String> {
    let threads = per_worker.len();
    let shared = Shared {
        barrier: Barrier::new(threads + 1),
        remaining: AtomicU64::new(match plan.length {
            Length::Requests(n) => n,
            Length::Time(_) => 0,
        }),
        progress: (0..threads).map(|_| Progress::default()).collect(),
        all_failed: AtomicBool::new(false),
    };
    let mut line = Line::new(&workload.title);
    let (done_tx, done_rx) = mpsc::channel::<()>();
    let (outputs, start, started) = std::thread::scope(|scope| {
        let handles: Vec<_> = per_worker
            .into_iter()
            .enumerate()
            .map(|(id, slots)| {
                let plan = &plan;
                let shared = &shared;
                let done = done_tx.clone();
                scope.spawn(move || {
                    let out = engine::work(plan, slots, shared, id);
                    let _ = done.send(());
                    out
                })
            })
            .collect();
        shared.barrier.wait();
        let start = Instant::now();
        let started = SystemTime::now();
        let mut finished = 0;
        while finished < threads {
            match done_rx.recv_timeout(progress::EVERY) {
                Ok(()) => finished += 1,
                Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            let done: u64 = shared
                .progress
                .iter()
                .map(|p| p.done.load(Ordering::Relaxed))
                .sum();
            let sum: u64 = shared
                .progress
                .iter()
                .map(|p| p.latency_sum.load(Ordering::Relaxed))
                .sum();
            line.update(done, sum);
        }
        let outputs: Vec<engine::Output> =
            handles.into_iter().filter_map(|h| h.join().ok()).collect();
        (outputs, start, started)
    });
    line.finish();
    if outputs.len() != threads {
        return Err("A benchmark thread failed".into());
    }
    let first = outputs
        .iter()
        .map(|o| o.recorder.start())
        .min()
        .unwrap_or(start);
    let last = outputs.iter().map(|o| o.end).max().unwrap_or(start);
    let elapsed = last.saturating_duration_since(first);
    let mut result = TestResult::merge(
        workload.title.clone(),
        workload.kinds.clone(),
        outputs.into_iter().map(|o| o.recorder).collect(),
        elapsed,
        started,
        workload.payload,
        plan.sigfig,
    );
    result.aborted = shared.all_failed.load(Ordering::Relaxed);
    Ok(result)
}
