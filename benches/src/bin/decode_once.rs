//! Decodes one workload stream once with one parser, for instruction
//! counts under callgrind (`scripts/callgrind-decode.sh` runs it for every
//! parser and divides by the number of replies).
//!
//! ```text
//! decode_once resp2|resp3 resp-core|rp-owned|rp-range|rp-bytes|redis-rs|none
//! ```
//!
//! The decoding happens inside [`decode`], which the script's
//! `--toggle-collect` counts alone; `none` generates the stream only.

use std::hint::black_box;

use benches::workload;

/// Decodes `buf` with `parser`; the number of replies.
#[inline(never)]
fn decode(parser: &str, buf: &[u8], shared: &bytes::Bytes, resp3: bool) -> usize {
    match (parser, resp3) {
        ("resp-core", _) => benches::resp_core(buf),
        ("rp-owned", false) => benches::rp2_owned(buf),
        ("rp-range", false) => benches::rp2_range(buf),
        ("rp-bytes", false) => benches::rp2_bytes(shared),
        ("rp-owned", true) => benches::rp3_owned(buf),
        ("rp-range", true) => benches::rp3_range(buf),
        ("rp-bytes", true) => benches::rp3_bytes(shared),
        ("redis-rs", false) => benches::redis_rs(buf),
        ("none", _) => 0,
        (other, _) => {
            eprintln!("decode_once: no parser {other} for this workload");
            std::process::exit(2);
        }
    }
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(which), Some(parser)) = (args.first(), args.get(1)) else {
        eprintln!("usage: decode_once resp2|resp3 PARSER");
        std::process::exit(2);
    };
    let resp3 = match which.as_str() {
        "resp2" => false,
        "resp3" => true,
        other => {
            eprintln!("decode_once: no workload {other}");
            std::process::exit(2);
        }
    };
    let stream = if resp3 {
        workload::resp3(workload::SEED, workload::TARGET_BYTES)
    } else {
        workload::resp2(workload::SEED, workload::TARGET_BYTES)
    };
    let shared = benches::shared(&stream.bytes);
    let replies = black_box(decode(parser, &stream.bytes, &shared, resp3));
    if parser != "none" {
        assert_eq!(
            replies, stream.replies,
            "{parser} decoded a different stream"
        );
    }
    println!("{} {} {}", stream.replies, stream.bytes.len(), replies);
}
