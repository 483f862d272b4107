//! Decode throughput of resp-core against other Rust RESP decoders, measured
//! in the same run on the same bytes.
//!
//! ```text
//! cargo bench -p benches --bench decode            # both workloads
//! cargo bench -p benches --bench decode -- resp2   # only the RESP2 one
//! BENCH_ROUNDS=31 cargo bench -p benches --bench decode
//! ```
//!
//! Each sample decodes a whole stream (a few MB of replies back to back)
//! once. After a warm-up, the rounds run every decoder once each, in an
//! order that rotates from round to round; a decoder's figure is the median
//! of its samples, and its ratio to resp-core is the median over rounds of
//! the two decoders' times in the same round. Samples are timed on the
//! thread's CPU clock, which does not run while other processes have the
//! core (a shared 2-core machine is rarely quiet); the wall clock is
//! recorded too and its ratio printed as a cross-check. Nothing here asserts
//! on timings.

use std::hint::black_box;
use std::time::{Duration, Instant};

use benches::workload::{self, Stream};
use benches::Shape;

const DEFAULT_ROUNDS: usize = 15;
const WARMUP_ROUNDS: usize = 2;

struct Contender<'a> {
    crate_name: &'static str,
    flavour: &'static str,
    /// resp-core itself, as opposed to a peer.
    ours: bool,
    run: Box<dyn Fn() -> usize + 'a>,
}

struct Result {
    crate_name: &'static str,
    flavour: &'static str,
    ours: bool,
    /// Thread CPU time: median, fastest and slowest sample.
    median: Duration,
    min: Duration,
    max: Duration,
    /// Wall-clock median.
    wall: Duration,
    /// Median over rounds of this decoder's time over resp-core's in the
    /// same round: pairs samples taken close together, so load that comes
    /// and goes on a shared machine mostly cancels out.
    paired: f64,
}

/// The calling thread's CPU time.
fn thread_cpu() -> Duration {
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

fn main() {
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    let rounds = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&n: &usize| n > 0)
        .unwrap_or(DEFAULT_ROUNDS);
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    println!("# RESP decode throughput ({cores} cores visible, {rounds} rounds, median of thread CPU time)\n");

    if wanted("resp2") {
        let stream = workload::resp2(workload::SEED, workload::TARGET_BYTES);
        describe("RESP2 mixed replies", &stream);
        check(
            &stream,
            &[
                ("resp-core", benches::resp_core_shape(&stream.bytes)),
                ("redis-protocol", benches::rp2_shape(&stream.bytes)),
                ("redis-rs", benches::redis_rs_shape(&stream.bytes)),
            ],
        );
        let buf = &stream.bytes[..];
        let shared = benches::shared(buf);
        let contenders = vec![
            contender("resp-core", "`Frame<'_>` (borrows)", true, || {
                benches::resp_core(buf)
            }),
            contender(
                "redis-protocol",
                "resp2 `decode`, `OwnedFrame`",
                false,
                || benches::rp2_owned(buf),
            ),
            contender(
                "redis-protocol",
                "resp2 `decode_range`, `RangeFrame`",
                false,
                || benches::rp2_range(buf),
            ),
            contender(
                "redis-protocol",
                "resp2 `decode_bytes`, `BytesFrame`",
                false,
                || benches::rp2_bytes(&shared),
            ),
            contender("redis", "`Parser::parse_value`, `Value`", false, || {
                benches::redis_rs(buf)
            }),
        ];
        let results = measure(&contenders, stream.replies, rounds);
        report(&results, &stream, 2.0);
    }

    if wanted("resp3") {
        let stream = workload::resp3(workload::SEED, workload::TARGET_BYTES);
        describe("RESP3 mixed replies", &stream);
        check(
            &stream,
            &[
                ("resp-core", benches::resp_core_shape(&stream.bytes)),
                ("redis-protocol", benches::rp3_shape(&stream.bytes)),
                ("redis-rs", benches::redis_rs_shape(&stream.bytes)),
            ],
        );
        let buf = &stream.bytes[..];
        let shared = benches::shared(buf);
        let contenders = vec![
            contender("resp-core", "`Frame<'_>` (borrows)", true, || {
                benches::resp_core(buf)
            }),
            contender(
                "redis-protocol",
                "resp3 `complete::decode`, `OwnedFrame`",
                false,
                || benches::rp3_owned(buf),
            ),
            contender(
                "redis-protocol",
                "resp3 `complete::decode_range`, `RangeFrame`",
                false,
                || benches::rp3_range(buf),
            ),
            contender(
                "redis-protocol",
                "resp3 `complete::decode_bytes`, `BytesFrame`",
                false,
                || benches::rp3_bytes(&shared),
            ),
            contender("redis", "`Parser::parse_value`, `Value`", false, || {
                benches::redis_rs(buf)
            }),
        ];
        let results = measure(&contenders, stream.replies, rounds);
        report(&results, &stream, 5.0);
    }
}

fn contender<'a>(
    crate_name: &'static str,
    flavour: &'static str,
    ours: bool,
    run: impl Fn() -> usize + 'a,
) -> Contender<'a> {
    Contender {
        crate_name,
        flavour,
        ours,
        run: Box::new(run),
    }
}

fn describe(title: &str, stream: &Stream) {
    println!("## {title}\n");
    let mix: Vec<String> = stream
        .mix
        .iter()
        .map(|(kind, n)| format!("{kind} {:.0}%", 100.0 * *n as f64 / stream.replies as f64))
        .collect();
    println!(
        "{:.2} MB, {} replies ({} B/reply on average): {}.\n",
        stream.bytes.len() as f64 / 1e6,
        stream.replies,
        stream.bytes.len() / stream.replies,
        mix.join(", ")
    );
}

/// All decoders must see the same replies: same count, same structure, same
/// string lengths, same integers.
fn check(stream: &Stream, shapes: &[(&str, Shape)]) {
    let (first, reference) = shapes[0];
    assert_eq!(reference.frames, stream.replies, "{first} miscounted");
    for (name, shape) in shapes {
        assert_eq!(*shape, reference, "{name} disagrees with {first}");
    }
}

fn measure(contenders: &[Contender<'_>], replies: usize, rounds: usize) -> Vec<Result> {
    // Warm-up, also checking each timed driver's frame count.
    for _ in 0..WARMUP_ROUNDS {
        for c in contenders {
            let n = (c.run)();
            assert_eq!(
                n, replies,
                "{} ({}) decoded {n} frames",
                c.crate_name, c.flavour
            );
        }
    }
    let mut cpu = vec![Vec::with_capacity(rounds); contenders.len()];
    let mut wall = vec![Vec::with_capacity(rounds); contenders.len()];
    for round in 0..rounds {
        for k in 0..contenders.len() {
            let i = (round + k) % contenders.len();
            let (start, start_cpu) = (Instant::now(), thread_cpu());
            black_box((contenders[i].run)());
            cpu[i].push(thread_cpu() - start_cpu);
            wall[i].push(start.elapsed());
        }
    }
    let ours = contenders.iter().position(|c| c.ours).expect("resp-core");
    let paired: Vec<f64> = cpu
        .iter()
        .map(|s| {
            let mut r: Vec<f64> = s
                .iter()
                .zip(&cpu[ours])
                .map(|(t, o)| t.as_secs_f64() / o.as_secs_f64())
                .collect();
            r.sort_unstable_by(f64::total_cmp);
            r[r.len() / 2]
        })
        .collect();
    contenders
        .iter()
        .zip(cpu.into_iter().zip(wall))
        .zip(paired)
        .map(|((c, (mut s, mut w)), paired)| {
            s.sort_unstable();
            w.sort_unstable();
            Result {
                crate_name: c.crate_name,
                flavour: c.flavour,
                ours: c.ours,
                median: s[s.len() / 2],
                min: s[0],
                max: s[s.len() - 1],
                wall: w[w.len() / 2],
                paired,
            }
        })
        .collect()
}

/// Prints the table; `target` is the speed-up over the fastest peer that
/// issue 14 asks for (2x on RESP2, 5x on RESP3).
fn report(results: &[Result], stream: &Stream, target: f64) {
    let mbps = |d: Duration| stream.bytes.len() as f64 / d.as_secs_f64() / 1e6;
    let ours = results.iter().find(|r| r.ours).expect("resp-core measured");
    println!(
        "| decoder | API, value tree | MB/s | M replies/s | spread (min-max MB/s) | resp-core speed-up |"
    );
    println!("|---|---|---:|---:|---:|---:|");
    for r in results {
        let speedup = if r.ours {
            "—".to_string()
        } else {
            format!("**{:.2}x**", r.paired)
        };
        println!(
            "| {} | {} | {:.0} | {:.2} | {:.0}-{:.0} | {} |",
            r.crate_name,
            r.flavour,
            mbps(r.median),
            stream.replies as f64 / r.median.as_secs_f64() / 1e6,
            mbps(r.max),
            mbps(r.min),
            speedup
        );
    }
    let fastest = results
        .iter()
        .filter(|r| !r.ours)
        .min_by(|a, b| a.paired.total_cmp(&b.paired))
        .expect("a peer measured");
    println!(
        "\nresp-core vs the fastest peer ({} {}): **{:.2}x** (target: {target}x); \
         ratio of medians {:.2}x, on the wall clock {:.2}x.\n",
        fastest.crate_name,
        fastest.flavour,
        fastest.paired,
        fastest.median.as_secs_f64() / ours.median.as_secs_f64(),
        fastest.wall.as_secs_f64() / ours.wall.as_secs_f64()
    );
}
