//! Runs one decoder over one workload, for a profiler to watch.
//!
//! ```text
//! cargo build --profile bench -p benches --example profile
//! valgrind --tool=callgrind target/release/examples/profile resp2 resp-core 3
//! perf record -e cpu-clock -g target/release/examples/profile resp2 resp-core 300
//! ```
//!
//! Arguments: the workload (`resp2` or `resp3`), the decoder (`resp-core`,
//! `rp-owned`, `rp-range`, `rp-bytes` or `redis-rs`) and how many passes over
//! the stream (default 100). Prints the frames decoded.

use std::hint::black_box;

use benches::workload;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: profile resp2|resp3 resp-core|rp-owned|rp-range|rp-bytes|redis-rs [passes]";
    let (Some(load), Some(decoder)) = (args.first(), args.get(1)) else {
        eprintln!("{usage}");
        std::process::exit(2);
    };
    let passes: usize = args.get(2).map_or(100, |p| p.parse().expect("passes"));
    let resp3 = match load.as_str() {
        "resp2" => false,
        "resp3" => true,
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    let stream = if resp3 {
        workload::resp3(workload::SEED, workload::TARGET_BYTES)
    } else {
        workload::resp2(workload::SEED, workload::TARGET_BYTES)
    };
    let buf = &stream.bytes[..];
    let shared = benches::shared(buf);
    let run: Box<dyn Fn() -> usize> = match (decoder.as_str(), resp3) {
        ("resp-core", _) => Box::new(|| benches::resp_core(buf)),
        ("rp-owned", false) => Box::new(|| benches::rp2_owned(buf)),
        ("rp-range", false) => Box::new(|| benches::rp2_range(buf)),
        ("rp-bytes", false) => Box::new(|| benches::rp2_bytes(&shared)),
        ("rp-owned", true) => Box::new(|| benches::rp3_owned(buf)),
        ("rp-range", true) => Box::new(|| benches::rp3_range(buf)),
        ("rp-bytes", true) => Box::new(|| benches::rp3_bytes(&shared)),
        ("redis-rs", _) => Box::new(|| benches::redis_rs(buf)),
        _ => {
            eprintln!("{usage}");
            std::process::exit(2);
        }
    };
    let mut frames = 0;
    for _ in 0..passes {
        frames += black_box(run());
    }
    println!("{frames} frames in {passes} passes of {} bytes", buf.len());
}
